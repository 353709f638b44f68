"""Rendered pages' texts kept in packs: a few large files per build instead of one per page.

A cold build at 10,000 entries renders about 12,000 pages; storing each in a file of its own cost
more than writing the site. Now every render chunk (a worker's batch, or `PACK_BYTES` of a serial
build) is one pack, written at once.

- Where: `.menteo/cache/pages/packs/<build key>/<name>`, one folder per build key beside the
  index's (`menteo.site.page_index`). A pack's name is the SHA-256 of its table, which holds the
  digest of every text in it: our digest, never a name from content, and two builds that store
  the same texts write the same file.
- A pack: a header line naming the format, the build key and the length of the table; the table,
  sealed (`menteo.sealed`: its SHA-256, then JSON: the links once each, and per text its page
  key, SHA-256, size, searchable flag and the numbers of its links); then the texts, one after
  another. Every byte is under a checksum: the table under its seal, each text under the SHA-256
  the table (and the index) holds for it.
- Reading a page's text: the index says where it is (pack and offset) and what it is (size and
  SHA-256). Exactly those bytes are read, from a regular file opened without following a link,
  and believed only if their SHA-256 is the index's: a damaged, truncated, forged or vanished
  pack is a miss for its pages, which are rendered again. A page the index does not know at
  all is looked up in the packs' tables (`Packs.find`: read once, when first needed; a table
  that does not unseal is skipped), so that a lost index costs reads, not renders.
- Writing: a temporary file renamed into place, so two builds at once each leave whole packs.
- Clearing: when the folder holds more than `KEPT_PACKS` packs, a build that stored pages removes
  those no index entry points to, if they are older than the build (a pack another build is
  about to record is newer). A pack stays while any page of the site is in it, so a folder holds
  at most one text per page and pack plus the texts superseded in packs still in use.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import threading
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from menteo.private_state import make_private_folder
from menteo.sealed import seal, unseal
from menteo.site.page_index import NAME, IndexEntry, decoded

FORMAT = b"menteo-page-pack 1"
PACKS_FOLDER = "packs"
"""Under the page cache's folder (`menteo.site.page_cache.PAGE_CACHE`)."""
PACK_BYTES = 8 << 20
"""A serial build's texts are written a pack at a time, so that it never holds them all."""
KEPT_PACKS = 64
"""Packs a build key's folder may hold before a build clears those no page uses any more."""
_HEADER = re.compile(rb"(menteo-page-pack 1 [0-9a-f]+) ([0-9]{1,9})\n")
_TABLE_LIMIT = 64 << 20
_DIGEST = 64
"""Hex characters of a SHA-256."""
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK


class PackWriter:
    """Texts of pages just rendered and checked, written a pack at a time into `folder` (one
    build key's); `stored` says, by URL, where each one went (for the index)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.stored: dict[str, IndexEntry] = {}
        self._pending: list[tuple[str, str, str, bool, tuple[str, ...], bytes]] = []
        self._bytes = 0

    def add(
        self, url: str, key: str, data: bytes, digest: str, searchable: bool, links: tuple[str, ...]
    ) -> None:
        if self.folder is None:
            return
        self._pending.append((url, key, digest, searchable, links, data))
        self._bytes += len(data)
        if self._bytes >= PACK_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write what was added since the last pack as one pack."""
        if not self._pending or self.folder is None:
            return
        table: dict[str, int] = {}
        texts = [
            [key, digest, len(data), searchable, [table.setdefault(x, len(table)) for x in links]]
            for _, key, digest, searchable, links, data in self._pending
        ]
        body = json.dumps({"links": list(table), "texts": texts}, separators=(",", ":"))
        header = _header(self.folder.name, len(body))
        sealed = seal(header, body.encode("ascii"))
        name = sealed[len(header) : len(header) + _DIGEST].decode("ascii")
        offset = len(sealed)
        for url, key, digest, searchable, links, data in self._pending:
            self.stored[url] = IndexEntry(key, digest, len(data), searchable, links, name, offset)
            offset += len(data)
        if not self.folder.is_dir():
            make_private_folder(self.folder)
        temporary = self.folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(temporary, "wb") as file:
            file.writelines([sealed, *(data for *_, data in self._pending)])
        os.replace(temporary, self.folder / name)
        self._pending, self._bytes = [], 0


def _header(build_key: str, table: int) -> bytes:
    return b"%s %s %d\n" % (FORMAT, build_key.encode("ascii"), table)


class Packs:
    """The packs of one build key, in `folder`, for reading (and clearing)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._open: tuple[str, int, int] | None = None
        """The pack read last, its descriptor and size: pages are mostly read in the order
        stored."""
        self._tables: dict[str, IndexEntry] | None = None

    def text(self, entry: IndexEntry) -> bytes | None:
        """The text `entry` describes, if its pack holds exactly it (SHA-256 and size)."""
        found = self._handle(entry.pack)
        if found is None or entry.offset + entry.size > found[1]:
            return None
        try:
            data = os.pread(found[0], entry.size, entry.offset)
        except OSError:
            return None
        if len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.digest:
            return None
        return data

    def _handle(self, name: str) -> tuple[int, int] | None:
        """A descriptor of pack `name`, and its size."""
        if self._open is None or self._open[0] != name:
            self.close()
            found = _open_regular(self.folder / name) if NAME.fullmatch(name) else None
            if found is None:
                return None
            self._open = (name, *found)
        return self._open[1:]

    def close(self) -> None:
        if self._open is not None:
            os.close(self._open[1])
            self._open = None

    def find(self, key: str) -> IndexEntry | None:
        """Where a text stored under page key `key` is, from the packs' tables (None: in none);
        its text is checked when read, as any other (`text`)."""
        if self._tables is None:
            self._tables = {}
            for name in self._names():
                for found in _table(self.folder, name):
                    self._tables.setdefault(found.key, found)
        return self._tables.get(key)

    def _names(self) -> list[str]:
        try:
            return sorted(name for name in os.listdir(self.folder) if NAME.fullmatch(name))
        except OSError:
            return []

    def clear(self, used: Callable[[], Collection[str]], before: float) -> None:
        """If the folder holds more than `KEPT_PACKS` files, remove those (packs, temporary
        files) not in `used()` and last changed before `before`."""
        try:
            listing = list(os.scandir(self.folder))
        except OSError:
            return
        if len(listing) <= KEPT_PACKS:
            return
        kept = used()
        for item in listing:
            if item.name in kept:
                continue
            with contextlib.suppress(OSError):
                if item.stat(follow_symlinks=False).st_mtime < before:
                    os.unlink(item.path)


def _open_regular(path: Path) -> tuple[int, int] | None:
    """A descriptor of `path` and its size, if it is a regular file, opened without following
    a link."""
    try:
        handle = os.open(path, _READ)
    except OSError:
        return None
    try:
        found = os.fstat(handle)
        if stat.S_ISREG(found.st_mode):
            return handle, found.st_size
    except OSError:
        pass
    os.close(handle)
    return None


def _table(folder: Path, name: str) -> list[IndexEntry]:
    """What the table of pack `name` says of each text in it (nothing if it does not unseal
    under its name, or holds anything but what a pack's table holds)."""
    found = _open_regular(folder / name)
    if found is None:
        return []
    try:
        with os.fdopen(found[0], "rb") as file:
            line = file.readline(200)
            matched = _HEADER.fullmatch(line)
            if matched is None or matched[1] != b"%s %s" % (FORMAT, folder.name.encode()):
                return []
            length = int(matched[2])
            if length > _TABLE_LIMIT:
                return []
            stored = line + file.read(_DIGEST + 1 + length)
    except OSError:
        return []
    body = unseal(line, stored)
    if body is None or stored[len(line) : len(line) + _DIGEST] != name.encode():
        return []
    try:
        document: Any = json.loads(body)
        links, texts = document["links"], document["texts"]
    except (ValueError, KeyError, TypeError):
        return []
    if type(links) is not list or type(texts) is not list:
        return []
    if not all(type(link) is str for link in links):
        return []
    offset, entries = len(stored), []
    for raw in texts:
        entry = decoded(raw, links, name, offset)
        if entry is None:
            return []
        entries.append(entry)
        offset += entry.size
    return entries
