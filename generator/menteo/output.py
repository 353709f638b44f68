"""Write a site transactionally: build beside the target, then swap it in whole.

A failed build (content error, crash, Ctrl-C) removes its temporary folder and leaves the previous
site exactly as it was. On Linux the swap is one `renameat2(RENAME_EXCHANGE)` call, so there is no
moment at which the site is missing; elsewhere two renames leave a window of microseconds.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
SITE_MARKERS = ("index.html", "sitemap.xml")


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths; False where the platform cannot."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


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


@contextmanager
def atomic_directory(out: Path) -> Iterator[Path]:
    """Yield a fresh sibling folder to fill; on success it replaces `out`, else it vanishes."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if out.exists() and _exchange(staging, out):
        shutil.rmtree(staging)
        return
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.rename(out, old)
        os.rename(staging, out)
        shutil.rmtree(old)
    else:
        os.rename(staging, out)
