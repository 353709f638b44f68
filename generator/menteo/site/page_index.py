"""The page cache's index: what a rebuild needs of each remembered page, without its text.

A rebuild after a one-line edit writes ten thousand pages it already has: for each it needs only
the SHA-256 and size of its text (to link it from the previous site, `site.previous_site`), its
internal links (for the link check) and whether search takes it. Reading and verifying every
cache entry for that cost more than the rest of the rebuild; the index holds those facts for
every page, by URL, with the key the page was remembered under, in a few files read at once.
A page's text is read (and checked against the digest here) only when it has to be written.

- One folder per build key (`PageCache.build_key`): `menteo build` and `menteo serve` (another
  base URL) each keep theirs. In it, the pages are spread over `SHARDS` files by a digest of the
  URL, so a rebuild rewrites only the files of the pages it rendered.
- Each file: a header naming the format, the build key and the shard (a file copied elsewhere
  is foreign), the SHA-256 of the rest, then JSON: the links and the packs once each, and per
  page its key, text digest, size, searchable flag, the numbers of its links, and where its text
  is (the number of its pack, `menteo.site.page_store`, and the offset in it). A damaged,
  truncated or foreign file, or one that does not hold what it should, is as good as none: its
  pages are looked up in the packs' tables (`Packs.find`), and rendered if that fails too.
- Written atomically (temporary file, then rename): two builds at once each leave whole files,
  the last one's wins, and every entry in it is one a build stored; an entry that another build
  has since made stale only costs a render. A URL that leaves the site leaves its entry behind
  (a preview's lookups cover only the pages it re-renders, so absence proves nothing): the
  index never grows beyond the URLs the site has had under one build key.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from pathlib import Path
from typing import Any, NamedTuple

from menteo.private_state import make_private_folder
from menteo.sealed import seal, unseal

FORMAT = b"menteo-page-index 2"
NAME = re.compile(r"[0-9a-f]{64}")
"""A pack's name (`menteo.site.page_store`): the SHA-256 of its table."""
SHARDS = 64
"""About 180 pages a file at 10,000 entries: a one-line edit rewrites a few small files."""


class IndexEntry(NamedTuple):
    """What the index says of one page (by URL)."""

    key: str
    """The page-cache key its text was remembered under (`PageCache.key`)."""
    digest: str
    """The SHA-256 of its text, hex."""
    size: int
    searchable: bool
    links: tuple[str, ...]
    pack: str
    """The pack holding its text (`menteo.site.page_store`)."""
    offset: int
    """Where in the pack its text starts."""


class _Shard(NamedTuple):
    links: list[str]
    packs: list[str]
    pages: dict[str, Any]


_EMPTY = _Shard([], [], {})


class PageIndex:
    """The index of one build key's pages, in `directory` (one folder per build key)."""

    def __init__(self, directory: Path, build_key: bytes) -> None:
        self.build_key = build_key.hex()
        self.directory = directory / self.build_key
        self._shards: dict[int, _Shard] = {}

    def get(self, url: str) -> IndexEntry | None:
        """What the index holds for the page at `url` (None: nothing, or nothing sound)."""
        return _entry(self._shard(_shard_of(url)), url)

    def save(self, entries: dict[str, IndexEntry]) -> None:
        """Record `entries` (by URL) over what the index holds: only their shards are written."""
        changed: dict[int, dict[str, IndexEntry]] = {}
        for url, entry in entries.items():
            changed.setdefault(_shard_of(url), {})[url] = entry
        for shard, updates in sorted(changed.items()):
            found = self._shard(shard)
            held = {url: kept for url in found.pages if (kept := _entry(found, url))}
            held.update(updates)
            self._shards[shard] = self._write(shard, held)

    def packs(self) -> set[str]:
        """The packs any page of the index has its text in (every shard is read)."""
        shards = [self._shard(shard) for shard in range(SHARDS)]
        return {e.pack for found in shards for url in found.pages if (e := _entry(found, url))}

    def _header(self, shard: int) -> bytes:
        return b"%s %s %02x\n" % (FORMAT, self.build_key.encode(), shard)

    def _shard(self, shard: int) -> _Shard:
        found = self._shards.get(shard)
        if found is None:
            found = self._shards[shard] = self._read(shard)
        return found

    def _read(self, shard: int) -> _Shard:
        try:
            stored = (self.directory / f"{shard:02x}").read_bytes()
        except OSError:
            return _EMPTY
        body = unseal(self._header(shard), stored)
        if body is None:
            return _EMPTY
        try:
            document = json.loads(body)
            found = _Shard(document["links"], document["packs"], document["pages"])
        except (ValueError, KeyError, TypeError):
            return _EMPTY
        if type(found.links) is not list or type(found.packs) is not list:
            return _EMPTY
        if type(found.pages) is not dict:
            return _EMPTY
        if not all(type(link) is str for link in found.links):
            return _EMPTY
        return found if all(type(p) is str and NAME.fullmatch(p) for p in found.packs) else _EMPTY

    def _write(self, shard: int, pages: dict[str, IndexEntry]) -> _Shard:
        """Write the shard holding `pages`; what it holds, as read back."""
        table: dict[str, int] = {}
        packs: dict[str, int] = {}
        document = {
            url: [
                e.key,
                e.digest,
                e.size,
                e.searchable,
                [table.setdefault(x, len(table)) for x in e.links],
                packs.setdefault(e.pack, len(packs)),
                e.offset,
            ]
            for url, e in sorted(pages.items())
        }
        written = _Shard(list(table), list(packs), document)
        body = json.dumps(written._asdict(), separators=(",", ":"))
        data = body.encode("ascii")
        if not self.directory.is_dir():
            make_private_folder(self.directory)
        name = f"{shard:02x}"
        temporary = self.directory / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
        temporary.write_bytes(seal(self._header(shard), data))
        os.replace(temporary, self.directory / name)
        return written


def _shard_of(url: str) -> int:
    """A digest of the URL, not Python's `hash` (it changes with PYTHONHASHSEED)."""
    return hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=2).digest()[0] % SHARDS


def _entry(shard: _Shard, url: str) -> IndexEntry | None:
    """The index entry of `url` as `shard` holds it, if it is one (else None)."""
    raw = shard.pages.get(url)
    if type(raw) is not list or len(raw) != 7:
        return None
    pack, offset = raw[5], raw[6]
    if type(pack) is not int or not 0 <= pack < len(shard.packs) or type(offset) is not int:
        return None
    return decoded(raw[:5], shard.links, shard.packs[pack], offset)


def decoded(raw: object, table: list[str], pack: str, offset: int) -> IndexEntry | None:
    """A page's key, text digest, size, searchable flag and link numbers (into `table`) as
    stored, if that is what `raw` is, with where its text is (whatever a file holds, never an
    error): the index and the packs' tables (`menteo.site.page_store`) store them alike."""
    if type(raw) is not list or len(raw) != 5 or offset < 0:
        return None
    key, digest, size, searchable, numbers = raw
    if type(key) is not str or type(digest) is not str or type(size) is not int or size < 0:
        return None
    if type(searchable) is not bool or type(numbers) is not list:
        return None
    try:
        if numbers and min(numbers) < 0:
            return None
        links = tuple(map(table.__getitem__, numbers))
    except (TypeError, IndexError):
        return None
    return IndexEntry(key, digest, size, searchable, links, pack, offset)
