"""Eviction of the page cache: what builds under retired build keys left in `.menteo/cache/pages/`.

Every change of menteo's code, a template, the config or the base URL gives builds a new build
key (`PageCache.build_key`), and the pages rendered under the old one are never read again; so
are the per-page entry folders of the cache's first layout (`pages/<2 hex>/<key>`). Without
eviction they pile up for as long as a community is built. At the end of a successful build,
the current key's folders and those of the `KEEP - 1` keys used last before it are kept; every
other key's index and packs, and the first layout's folders, are removed.

The cache is private state, but a pull request (or a hostile checkout) may have planted links
in it. So nothing here follows a link or trusts a name read from the cache: the folders are
opened one component at a time without following links (`O_NOFOLLOW`), only real folders
whose names are our own hexadecimal digests are removed, each by name inside the folder
opened (`shutil.rmtree(name, dir_fd=...)`, which never follows a link either). Where the
platform cannot do that safely, nothing is evicted. Eviction is housekeeping: a folder that
cannot be read or removed is left as it is, never an error of the build.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from menteo.site.page_cache import INDEX_FOLDER, PAGE_CACHE
from menteo.site.page_store import PACKS_FOLDER

KEEP = 3
"""Build keys whose pages stay: the current build's and the two used last before it. Two may be
in use at once (`menteo serve` previews under its own base URL and without search), and one
more lets a change that is undone (a template tried and reverted) find its pages again."""
BUILD_KEY = re.compile(r"[0-9a-f]{16,128}")
"""A build key's folder name (a hex digest); anything else in the folders is left alone."""
FIRST_LAYOUT = re.compile(r"[0-9a-f]{2}")
"""A folder of the page cache's first layout: one entry file per page, under `pages/<key[:2]>/`."""
_SAFE = (
    hasattr(os, "O_NOFOLLOW")
    and os.open in os.supports_dir_fd
    and os.utime in os.supports_dir_fd
    and os.utime in os.supports_follow_symlinks
    and shutil.rmtree.avoids_symlink_attacks
)


@contextmanager
def _opened(name: str | Path, dir_fd: int | None = None) -> Iterator[int]:
    """A folder opened without following a link at its last component (`OSError` if it is
    a link, missing, or not a folder)."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(name, flags, dir_fd=dir_fd)
    try:
        yield fd
    finally:
        os.close(fd)


def _folders(dir_fd: int, name: re.Pattern[str]) -> dict[str, int]:
    """Real folders (not links) in the folder `dir_fd` whose names are `name`: their mtimes."""
    found = {}
    with suppress(OSError), os.scandir(dir_fd) as entries:
        for entry in entries:
            with suppress(OSError):
                if name.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
                    found[entry.name] = entry.stat(follow_symlinks=False).st_mtime_ns
    return found


def evict_page_cache(root: Path, build_key: bytes, keep: int = KEEP) -> list[str]:
    """Remove the page cache's folders of every build key but `build_key` (the build that just
    succeeded, marked as used now) and the `keep - 1` used last before it, and the first
    layout's folders. Returns the removed folders (relative to the page cache), sorted."""
    if not _SAFE or not build_key:
        return []
    with ExitStack() as opened:
        try:  # through real folders only: a link on the way (or no cache) evicts nothing
            fd = opened.enter_context(_opened(root.resolve()))
            for part in PAGE_CACHE.parts:
                fd = opened.enter_context(_opened(part, fd))
        except OSError:
            return []
        return _evict(fd, build_key.hex(), keep, opened)


def _evict(pages: int, current: str, keep: int, opened: ExitStack) -> list[str]:
    doomed = [(name, pages, name) for name in _folders(pages, FIRST_LAYOUT)]
    by_key: dict[str, list[tuple[str, int]]] = {}
    used: dict[str, int] = {}
    for folder in (INDEX_FOLDER, PACKS_FOLDER):
        try:
            fd = opened.enter_context(_opened(folder, pages))
        except OSError:
            continue
        for key, mtime in _folders(fd, BUILD_KEY).items():
            by_key.setdefault(key, []).append((folder, fd))
            used[key] = max(used.get(key, mtime), mtime)
    for _, fd in by_key.get(current, []):  # the order of use, for the next build's eviction
        with suppress(OSError):
            os.utime(current, dir_fd=fd, follow_symlinks=False)
    others = sorted((k for k in used if k != current), key=lambda k: (-used[k], k))
    for key in others[max(0, keep - 1) :]:
        doomed += [(key, fd, f"{folder}/{key}") for folder, fd in by_key[key]]
    removed = []
    for name, dir_fd, shown in doomed:
        with suppress(OSError):
            shutil.rmtree(name, dir_fd=dir_fd)
            removed.append(shown)
    return sorted(removed)
