"""Write a site so that a rebuild writes only what changed: unchanged files are left in place in
the spare, or hard-linked from the previous site.

A build is all or nothing (`menteo.atomic_output.atomic_directory`): it fills a folder beside
`--out` and swaps it in. After a one-line edit nearly every file is the same bytes as in the site
it replaces, so writing them all again (and removing the old site) is most of a rebuild's cost.
Every build leaves a manifest (`MANIFEST`: every file of the site → its SHA-256 and size) in its
output. Then:

- Where two folders can be exchanged atomically, the site a build replaces is kept beside `--out`
  as the SPARE (`atomic_output.spare_folder`). The next build claims it, reads its manifest and
  removes it FIRST (a build that fails or is killed from then on leaves a spare that is never
  trusted again: it is removed, never updated), then fills it in place (`SiteWriter`): a file
  the manifest lists with the digest the new file has, found as a regular file of the listed
  size, is left as it is; every other file is written as a new file (a fresh name renamed over
  the old one); files and folders the new site lacks are removed; the new manifest is written
  last, and the spare is exchanged with `--out`, whose old site becomes the next spare.
- Elsewhere (no spare, or no atomic exchange), a fresh folder is filled, and a file unchanged
  since the site at `--out` (as its manifest says) is hard-linked from there instead of written.

What is trusted, and why that is enough:
- Only our manifest, read from a regular file (opened without following a link), is consulted;
  a path in it counts only if it is a plain relative path (no `..`, no absolute path).
- A file is reused only if it is a regular file (checked with `lstat`, so never a symlink)
  reached through real folders (no link on the way), of the size the manifest lists.
- Nothing ever writes into an existing file: a changed file is a new inode renamed over the old
  name, so a file shared by hard link between the spare and the live site is never modified:
  `--out` stays exactly as it was until the swap, and so a failed build leaves it intact. A
  folder on the way to a new file that is a link or a file is removed, never followed.
- In the spare, everything the new site does not list is removed, whoever put it there.
- A link that cannot be made (another file system, no permission) falls back to writing.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from menteo.atomic_output import atomic_directory, atomic_write

MANIFEST = ".menteo-manifest.json"
FORMAT = 2
_DIGEST = re.compile(r"[0-9a-f]{64}")
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC

Stamp = tuple[str, int]
"""A file's SHA-256 (hex) and size in bytes: what the manifest says of it."""


def stamp_of(data: bytes) -> Stamp:
    return hashlib.sha256(data).hexdigest(), len(data)


def plain_path(path: str) -> bool:
    """Whether `path` is relative and stays inside its folder (no `..`, no empty part)."""
    parts = path.split("/")
    return not path.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def _read_regular(path: Path) -> bytes | None:
    """The bytes of `path` if it is a regular file, opened without following a link."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        with os.fdopen(handle, "rb", closefd=False) as file:
            return file.read()
    except OSError:
        return None
    finally:
        os.close(handle)


def read_manifest(site: Path) -> dict[str, Stamp] | None:
    """The files `site`'s manifest lists (plain paths with a well-formed stamp only), or None if
    it carries no readable manifest of ours."""
    data = _read_regular(site / MANIFEST)
    if data is None:
        return None
    try:
        document = json.loads(data)
    except ValueError:
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return None
    files = document.get("files")
    if not isinstance(files, dict):
        return None
    return {
        path: (found[0], found[1])
        for path, found in files.items()
        if isinstance(found, list)
        and len(found) == 2
        and isinstance(found[0], str)
        and _DIGEST.fullmatch(found[0])
        and type(found[1]) is int
        and found[1] >= 0
        and plain_path(path)
    }


def carries_manifest(site: Path) -> bool:
    """Whether `site` holds a manifest of ours: a site worth keeping as the spare."""
    try:
        return stat.S_ISREG(os.lstat(site / MANIFEST).st_mode)
    except OSError:
        return False


class PreviousSite:
    """A site built before, at `folder`, and what its manifest lists: the files a new build may
    reuse."""

    def __init__(self, folder: Path, files: dict[str, Stamp]) -> None:
        self.folder = folder
        self.files = files
        self._folders: dict[str, bool] = {"": True}
        self._root = f"{folder}/"  # a string: thirty thousand paths are joined per rebuild

    @classmethod
    def read(cls, folder: Path) -> PreviousSite | None:
        """The site at `folder`, if it carries a readable manifest of ours."""
        folder = folder.resolve()
        files = read_manifest(folder)
        return None if files is None else cls(folder, files)

    def _real_folder(self, folder: str) -> bool:
        """Whether `folder` (relative to the site) is reached through real folders only."""
        known = self._folders.get(folder)
        if known is None:
            parent, _, _ = folder.rpartition("/")
            try:
                mode = os.lstat(self.folder / folder).st_mode
            except OSError:
                mode = 0
            known = self._folders[folder] = self._real_folder(parent) and stat.S_ISDIR(mode)
        return known

    def file(self, path: str) -> str:
        """Where the file at `path` (relative to the site) is."""
        return self._root + path

    def same(self, path: str, digest: str) -> int | None:
        """The size of the file at `path` if it is the one with `digest` the manifest lists: a
        regular file of the listed size reached through real folders; else None."""
        listed = self.files.get(path)
        if listed is None or listed[0] != digest:
            return None
        if not self._real_folder(path.rpartition("/")[0]):
            return None
        try:
            found = os.lstat(self.file(path))
        except OSError:
            return None
        return listed[1] if stat.S_ISREG(found.st_mode) and found.st_size == listed[1] else None


def _make_folder(root: Path, folder: str, made: set[str]) -> None:
    """Make `root/folder` a real folder, and every folder on the way: a link or a file in the
    way is removed, never followed."""
    if folder in made:
        return
    if not folder:  # the site's own folder, ours to make
        root.mkdir(parents=True, exist_ok=True)
        made.add(folder)
        return
    parent, _, _ = folder.rpartition("/")
    _make_folder(root, parent, made)
    target = f"{root}/{folder}"
    try:
        os.mkdir(target)
    except FileExistsError:
        if not stat.S_ISDIR(os.lstat(target).st_mode):
            with contextlib.suppress(FileNotFoundError):  # another worker's doing
                os.unlink(target)
            with contextlib.suppress(FileExistsError):
                os.mkdir(target)
            if not stat.S_ISDIR(os.lstat(target).st_mode):
                raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(target)) from None
    made.add(folder)


def write_new(root: Path, path: str, data: bytes, made: set[str]) -> None:
    """Write `data` as a new file at `root/path`, never into an existing file (it may be shared
    by hard link with the live site): created under its name where nothing is there, else under a
    fresh name renamed over the old one. `made`: the folders already made real under `root`."""
    _make_folder(root, path.rpartition("/")[0], made)
    target = f"{root}/{path}"  # a string: twenty thousand files are written per build
    try:
        handle = os.open(target, _NEW, 0o666)
    except FileExistsError:
        if stat.S_ISDIR(os.lstat(target).st_mode):  # a folder where the new site has a file
            shutil.rmtree(target)
        atomic_write(Path(target), data, durable=False)
        return
    try:
        left = memoryview(data)
        while left:
            left = left[os.write(handle, left) :]
    finally:
        os.close(handle)


class SiteWriter:
    """Writes a site's files into `folder`, recording each one's stamp (the new manifest), and
    reuses those unchanged since `previous`: left in place when `folder` is that site (the
    spare, `in_place`), else hard-linked from it."""

    def __init__(
        self, folder: Path, previous: PreviousSite | None = None, in_place: bool = False
    ) -> None:
        self.folder = folder
        self.files: dict[str, Stamp] = {}
        """Every file of the new site so far, relative to `folder` → its stamp."""
        self._previous = previous
        self._in_place = in_place
        self._made: set[str] = set()
        self._listing = _Listing(folder) if in_place else None
        """What the spare held, listed while the build fills it: what to remove at the end."""
        if self._listing is not None:
            self._listing.start()

    def put(self, path: str, digest: str, data: Callable[[], bytes]) -> None:
        """Make `path` the file with SHA-256 `digest`, whose bytes `data` gives: asked only when
        the file is written (a remembered page's text need not be read at all)."""
        if not self.keep(path, digest):
            content = data()
            write_new(self.folder, path, content, self._made)
            self.files[path] = (digest, len(content))

    def keep(self, path: str, digest: str) -> bool:
        """Make `path` the file with SHA-256 `digest` if the previous site holds it unchanged
        (left in place or linked); False if it must be written."""
        size = self._reuse(path, digest)
        if size is None:
            return False
        self.files[path] = (digest, size)
        return True

    def put_bytes(self, path: str, data: bytes) -> None:
        self.put(path, hashlib.sha256(data).hexdigest(), lambda: data)

    def branch(self) -> SiteWriter:
        """A writer of more files into the same folder, reusing the same previous site, for
        another thread (the search index, made while this one writes the rest): it knows the
        files so far (the pages); `adopt` its files once it is done. The two never write the
        same path."""
        other = SiteWriter(self.folder, self._previous)
        other._in_place = self._in_place
        other.files = dict(self.files)
        return other

    def adopt(self, files: Mapping[str, Stamp]) -> None:
        """Record files others wrote into `folder` with `write_new` (render workers)."""
        self.files.update(files)

    def _reuse(self, path: str, digest: str) -> int | None:
        """The size of the unchanged file now at `path`, left in place or linked; None if it
        must be written."""
        previous = self._previous
        size = None if previous is None else previous.same(path, digest)
        if size is None or self._in_place:
            return size
        assert previous is not None
        try:
            _make_folder(self.folder, path.rpartition("/")[0], self._made)
            os.link(previous.file(path), f"{self.folder}/{path}", follow_symlinks=False)
        except OSError:
            return None
        return size

    def finish(self) -> None:
        """Remove what the new site does not have (in the spare), then write the manifest."""
        if self._listing is not None:
            self._listing.join()
            if self._listing.error is not None:  # a folder went while it was listed: again
                self._listing = _Listing(self.folder)
                self._listing.run()
                if self._listing.error is not None:
                    raise self._listing.error
            _remove_unlisted(self.folder, self._listing.found, _children(self.files))
        lines = (f'{json.dumps(p)}: ["{d}", {n}]' for p, (d, n) in sorted(self.files.items()))
        text = f'{{"format": {FORMAT}, "files": {{\n' + ",\n".join(lines) + "\n}}\n"
        write_new(self.folder, MANIFEST, text.encode("utf-8"), self._made)


class _Listing(threading.Thread):
    """Every entry of the folder tree at `root`, by folder, never following a link: listed in the
    background (listing 10,000 folders takes longer than the rest of a rebuild's writing)."""

    def __init__(self, root: Path) -> None:
        super().__init__(daemon=True)  # a failed build does not wait for it
        self.root = root
        self.found: dict[str, list[str]] = {}
        self.error: OSError | None = None

    def run(self) -> None:
        try:
            self._list("")
        except OSError as exc:
            self.error = exc

    def _list(self, folder: str) -> None:
        names, folders = [], []
        with os.scandir(self.root / folder) as listing:
            for entry in listing:
                names.append(entry.name)
                if entry.is_dir(follow_symlinks=False):
                    folders.append(f"{folder}/{entry.name}" if folder else entry.name)
        self.found[folder] = names
        for inner in folders:
            self._list(inner)


def _children(files: Iterable[str]) -> dict[str, set[str]]:
    """Each folder on the way to `files` (relative paths; "" the root) → the names in it."""
    children: dict[str, set[str]] = {"": set()}
    for path in files:
        folder, _, name = path.rpartition("/")
        while folder not in children:
            children[folder] = {name}
            folder, _, name = folder.rpartition("/")
        children[folder].add(name)
    return children


def _remove_unlisted(
    root: Path, found: dict[str, list[str]], children: dict[str, set[str]]
) -> None:
    """Remove every entry `found` under `root` that `children` (see `_children`) does not name:
    files, folders, links and anything else, never following a link."""
    for folder, names in found.items():
        kept = children.get(folder)
        if kept is None:  # inside a folder removed whole
            continue
        for name in names:
            if name in kept:
                continue
            path = root / folder / name
            try:
                if stat.S_ISDIR(os.lstat(path).st_mode):
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
            except FileNotFoundError:  # a temporary name, renamed since it was listed
                pass


@contextmanager
def site_output(out: Path) -> Iterator[SiteWriter]:
    """A writer for the site that replaces `out` whole: into the spare, updated in place, where
    there is one to trust, else into a fresh folder (linking what is unchanged from `out`)."""
    opened: list[dict[str, Stamp]] = []

    def reuse(spare: Path) -> bool:
        files = read_manifest(spare)
        try:
            (spare / MANIFEST).unlink(missing_ok=True)  # before anything else: see the docstring
        except OSError:
            return False
        if files is not None:
            opened.append(files)
        return files is not None

    with atomic_directory(out, reuse=reuse, keep=carries_manifest) as folder:
        if opened:
            writer = SiteWriter(folder, PreviousSite(folder, opened[0]), in_place=True)
        else:
            writer = SiteWriter(folder, PreviousSite.read(out))
        yield writer
        writer.finish()
