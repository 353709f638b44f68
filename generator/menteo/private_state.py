"""Where private state (signing keys, caches) may live, and proof that a pull request did not
put it there.

Everything in a pull request is written by an attacker, `.menteo/` included: a committed
`.menteo` symlink would send a freshly made key pair into a published folder, a committed
`.menteo/keys/*.pem` would sign the site with the attacker's key, a committed cache entry would
be served as if this machine had made it. So private state is only read from, or written to,
real directories (no symlink on the way from the community's root) that git does not track.
"""

from __future__ import annotations

import os
from pathlib import Path

from menteo.git import UsageError, repository

MENTEO_DIR = Path(".menteo")
PUBLIC_FOLDERS = ("content", "overrides", "themes", "badges", "ledger", "keys")
"""Folders of the repository whose files are read as content or published: never key folders."""


class PrivateStateError(ValueError):
    """Private state sits where a pull request could have planted or redirected it."""


def symlink_on_the_way(root: Path, relative: Path) -> Path | None:
    """The first existing symlink among `root/relative` and the folders between, or None. The
    root itself is the user's choice and is not judged."""
    current = root
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            return current
        if not current.exists():
            return None
    return None


def tracked_files(root: Path, relative: Path) -> list[str]:
    """Files under `root/relative` that git tracks; none when `root` is not in a git work tree
    (or git is not installed: then no commit brought anything either). The repository is found
    by `menteo.git`'s rule, so one planted below the community cannot answer instead."""
    path = root / relative
    if not (path.exists() or path.is_symlink()):
        return []
    try:
        repo = repository(root)
        listed = repo.run("ls-files", "-z", "--", relative.as_posix())
    except UsageError:
        return []
    if listed.returncode != 0:
        message = listed.stderr.decode("utf-8", "replace").strip()
        raise PrivateStateError(f"cannot ask git what {root} tracks: {message}")
    return [os.fsdecode(name) for name in listed.stdout.split(b"\0") if name]


def check_private_paths(root: Path, paths: list[Path]) -> None:
    """Refuse key or cache paths (relative to `root`) when a symlink leads to one, or when git
    tracks anything in the top folder one lives in (`.menteo/`)."""
    for relative in paths:
        link = symlink_on_the_way(root, relative)
        if link is not None:
            raise PrivateStateError(
                f"{link} is a symbolic link; private keys and caches are only used from real "
                "folders (remove the link; if a pull request added it, do not merge it)"
            )
    for top in sorted({Path(relative.parts[0]) for relative in paths}):
        tracked = tracked_files(root, top)
        if tracked:
            shown = ", ".join(tracked[:3]) + (", …" if len(tracked) > 3 else "")
            raise PrivateStateError(
                f"{top.as_posix()}/ holds files tracked by git ({shown}): keys and caches there "
                f"could come from a pull request (run git rm -r --cached {top.as_posix()} and "
                "keep it ignored; if a pull request added them, do not merge it)"
            )


def check_key_folder(root: Path, folder: Path, names: tuple[str, ...], out: Path | None) -> None:
    """A key folder named by MENTEO_KEYS: never a published or content folder, never in the
    site being built, and inside the community only as a real, untracked folder."""
    absolute = Path(os.path.abspath(folder))
    resolved = absolute.resolve()
    base, real_base = Path(os.path.abspath(root)), root.resolve()
    if out is not None and (resolved == out.resolve() or out.resolve() in resolved.parents):
        raise PrivateStateError(f"{folder}: the key folder is inside the site being built")
    for candidate, inside in ((absolute, base), (resolved, real_base)):
        if candidate != inside and inside not in candidate.parents:
            continue
        relative = candidate.relative_to(inside)
        if not relative.parts or relative.parts[0] in PUBLIC_FOLDERS:
            raise PrivateStateError(
                f"{folder}: the key folder is the community or inside one of its folders that "
                "are read as content or published; keep keys outside the repository or in "
                ".menteo/keys"
            )
    if base in absolute.parents:
        relative = absolute.relative_to(base)
        check_private_paths(root, [relative, *(relative / name for name in names)])


def make_private_folder(directory: Path) -> None:
    """Create `directory` and missing parents 0700; a `.menteo/` folder also gets a `.gitignore`
    of `*` so keys and caches stay out of git even in repositories that do not ignore it."""
    for folder in [*reversed(directory.parents), directory]:
        if not folder.exists():
            try:
                folder.mkdir(mode=0o700)
            except FileExistsError:  # another worker of the same build made it just now
                if folder.is_dir() and not folder.is_symlink():
                    continue
                raise
            folder.chmod(0o700)
            if folder.name == MENTEO_DIR.name:
                (folder / ".gitignore").write_text("*\n", encoding="utf-8")
