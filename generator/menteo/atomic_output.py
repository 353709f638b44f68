"""Write output so that a reader never sees half of it: a file is written beside its target and
renamed over it (`atomic_write`), a site is built beside the target and swapped in whole
(`atomic_directory`).

A failed build (content error, crash, Ctrl-C, a full disk) removes its temporary folder and leaves
the previous site exactly as it was. A build killed outright (SIGKILL, out of memory) cannot: the
next build removes what it left, recognised by menteo's own names and a process id no longer
alive. On Linux the swap is one `renameat2(RENAME_EXCHANGE)` call, so there is no moment at which
the site is missing; elsewhere two renames leave a window of microseconds.

Where the two folders are exchanged, the previous site need not go at all: if the caller says it is
worth keeping (`keep`), it becomes the SPARE (`spare_folder`), which the next build claims and,
if the caller trusts it (`reuse`), updates in place instead of filling a fresh folder: a rebuild
then writes only what changed and removes nothing (`menteo.site.previous_site`). A spare is
claimed by renaming it to the build's own staging name, so two builds never fill the same one and
a killed build's is removed like any leftover.

A previous site that is not kept is removed off the critical path: renamed aside and removed by a
background thread, so the build reports its result first (removing 10,000 folders takes about as
long as rebuilding them from the page cache). The process waits for that thread before it exits;
the next build in the same process waits for it before it starts; a process killed meanwhile
leaves the folder to the next build's tidying, like any killed build.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import itertools
import os
import re
import secrets
import shutil
import stat
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
SITE_MARKERS = ("index.html", "sitemap.xml")
_REMOVALS: list[threading.Thread] = []


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """libc's `renameat2`, or None where there is none."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    found: Callable[..., int] | None = getattr(ctypes.CDLL(name, use_errno=True), "renameat2", None)
    return found


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths; False where the platform cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def spare_folder(out: Path) -> Path:
    """Where the site a build replaced is kept for the next build to update (hidden, ours)."""
    return out.parent / f".{out.name}.menteo-spare"


def atomic_write(path: Path, data: bytes, mode: int | None = None, durable: bool = True) -> None:
    """Replace `path` with `data` whole: a crash leaves the old file or the new one, never part of
    either. The temporary file beside it has a fresh name and is never opened through a link
    planted there. `mode` sets the permission bits exactly, from creation on (private keys: 0600);
    None gives a new file's usual bits (0666 less the umask). `durable` flushes the file and the
    folder to disk (the ledger, keys); a cache, whose loss only costs time, skips that cost."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    handle = os.open(temporary, flags, 0o666 if mode is None else 0o600)
    try:
        with os.fdopen(handle, "wb") as file:
            if mode is not None:
                os.fchmod(file.fileno(), mode)
            file.write(data)
            if durable:
                file.flush()
                os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if durable:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_leftovers(folder: Path, pattern: re.Pattern[str]) -> None:
    """Remove the folders in `folder` whose name `pattern` matches in full, with the process id
    of its `pid` group, when that process is gone: what a killed build left behind. Only real
    folders (never a link) with exactly such a name; anything else stays."""
    try:
        listing = list(os.scandir(folder))
    except OSError:
        return
    for entry in listing:
        match = pattern.fullmatch(entry.name)
        if match and entry.is_dir(follow_symlinks=False) and not _alive(int(match["pid"])):
            shutil.rmtree(entry.path, ignore_errors=True)


def unsafe_target(out: Path, root: Path) -> str | None:
    """Why replacing `out` could destroy something that is not a site, or None if it is safe."""
    out, root = out.resolve(), root.resolve()
    if out == root or out in root.parents:
        return "it would replace the community itself; choose a new folder such as _site"
    if out.is_relative_to(root / "content"):
        return "it is inside content/, where the next build would read it; choose e.g. _site"
    if out.exists() and not out.is_dir():
        return "it is a file; choose a folder"
    if out.is_dir() and any(out.iterdir()) and not all((out / m).exists() for m in SITE_MARKERS):
        return "it is a non-empty folder that is not a menteo site; choose another or empty it"
    return None


def _swap(staging: Path, out: Path) -> None:
    """Put `staging` at `out`; whatever fails, `out` is the previous site or the new one."""
    if out.exists() and _exchange(staging, out):
        return  # `staging` now holds the previous site, which the caller removes
    if not out.exists():
        os.rename(staging, out)
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(old, out)
        raise
    shutil.rmtree(old)


def _tidy(out: Path) -> None:
    """Clean up after builds of `out` that were killed: remove their staging folders (a claimed
    spare among them) and what they were removing (`.trash-`); a previous site moved aside
    (`.old-`, killed mid-swap where there is no atomic exchange) goes back to `out` if `out` is
    missing, else it is removed too."""
    leftover = re.compile(
        rf"\.{re.escape(out.name)}\.(staging|old|trash)-(?P<pid>\d{{1,9}})(-\d{{1,9}})?"
    )
    if not out.exists():
        for old in sorted(out.parent.glob(f".{out.name}.old-*")):
            match = leftover.fullmatch(old.name)
            if match and old.is_dir() and not old.is_symlink() and not _alive(int(match["pid"])):
                os.rename(old, out)
                break
    remove_leftovers(out.parent, leftover)


def finish_removals() -> None:
    """Wait until every previous site set aside by this process is removed."""
    while _REMOVALS:
        _REMOVALS.pop().join()


def _remove_later(previous: Path, out: Path) -> None:
    """Rename the folder `previous` aside (a name `_tidy` knows) and remove it in a thread that
    the interpreter waits for before exiting."""
    for n in itertools.count():
        aside = out.parent / f".{out.name}.trash-{os.getpid()}-{n}"
        if not os.path.lexists(aside):
            break
    os.rename(previous, aside)
    thread = threading.Thread(
        target=shutil.rmtree, args=(aside,), kwargs={"ignore_errors": True}, daemon=False
    )
    thread.start()
    _REMOVALS.append(thread)


def _claim_spare(out: Path, staging: Path, reuse: Callable[[Path], bool]) -> bool:
    """Take the spare of `out` (a real folder, never a link) as `staging`, this build's own name,
    if `reuse` trusts it; one it does not trust is removed."""
    spare = spare_folder(out)
    try:
        if _renameat2() is None or not stat.S_ISDIR(os.lstat(spare).st_mode):
            return False
        os.rename(spare, staging)
        claimed = stat.S_ISDIR(os.lstat(staging).st_mode)
    except OSError:
        return False
    if claimed and reuse(staging):
        return True
    _remove_later(staging, out)
    return False


def _keep_spare(previous: Path, out: Path) -> None:
    """Make the swapped-out `previous` site the spare of `out`, in place of whatever is there;
    if that cannot be (another build keeping its own at the same time), remove it instead."""
    spare = spare_folder(out)
    try:
        mode = os.lstat(spare).st_mode
    except FileNotFoundError:
        mode = None
    try:
        if mode is not None and stat.S_ISDIR(mode):
            _remove_later(spare, out)
        elif mode is not None:
            os.unlink(spare)
        os.rename(previous, spare)
    except OSError:
        _remove_later(previous, out)


@contextmanager
def atomic_directory(
    out: Path,
    reuse: Callable[[Path], bool] | None = None,
    keep: Callable[[Path], bool] | None = None,
) -> Iterator[Path]:
    """Yield a sibling folder to fill; on success it replaces `out`, else it vanishes. The site
    it replaces is kept as the spare if `keep` says so (and the folders were exchanged), else
    removed in the background. The folder is the spare, claimed, if `reuse` trusts it (`reuse`
    reads what it trusts and removes it, so that a failed build leaves nothing trusted), else a
    fresh one."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    finish_removals()
    _tidy(out)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    if reuse is None or not _claim_spare(out, staging, reuse):
        staging.mkdir()
    try:
        yield staging
        _swap(staging, out)
        if staging.exists():  # the previous site, exchanged with the new one
            if keep is not None and keep(staging):
                _keep_spare(staging, out)
            else:
                _remove_later(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
