"""The `LoadMemo` kept between processes, so a build after a one-line edit parses one file.

Design (issue 14):

- Who. `build` and `serve` keep the store up to date; `check` (and the commands that load as
  it does: report, explain, award, newsletter) reads it and writes nothing.
- Key. A file is remembered by the SHA-256 of its bytes, under its path relative to the
  community and the field its Markdown body is parsed into; an entry also by the digest of the
  names its prose was searched for (`LoadMemo`). The whole store is keyed by menteo's code and
  the versions of pydantic and PyYAML (`code_identity`): another menteo finds nothing. A fresh
  checkout (new times, new inodes) or a restored cache still hits, by digest.
- Stat signatures (size, times, inode) only spare reading a file on the machine, boot and
  folder that took them: a shard written elsewhere has its signatures dropped when read, and a
  file changed within the clock tick of its read is never vouched for by one (`loader`).
- Store. `.menteo/cache/parsed/` (private, refused by the build when git tracks it or a link
  leads to it, as every cache there) holds `SHARDS` files, each a header, the SHA-256 of the
  rest, and a pickle of its share of the memo: a load reads them all, a build rewrites only the
  shards whose files changed (written atomically). A missing, damaged, truncated, foreign or
  older shard is a miss for its files, never an error.
- Safety. A cache restored in CI is within an attacker's reach in theory, so unpickling builds
  nothing but the allowlisted types (`_ALLOWED`: menteo's records and content models,
  dates, problems) and calls nothing else: any other name is a refused shard. The community's
  folder is not stored but given back as the current one, so a moved community still hits.
"""

from __future__ import annotations

import copyreg
import datetime as dt
import hashlib
import io
import os
import pickle
import socket
import zlib
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from menteo.atomic_output import atomic_write
from menteo.code_identity import code_key
from menteo.content import models
from menteo.content.community import Body, CommunityData, EntryRecord
from menteo.content.loader import Known, LoadMemo, Parsed, load_community
from menteo.content.safe_yaml import Located
from menteo.errors import ContentError, Problem
from menteo.private_state import PrivateStateError, check_private_paths, make_private_folder
from menteo.sealed import seal, unseal

PARSE_CACHE = Path(".menteo/cache/parsed")
FORMAT = b"menteo-parse-cache 1\n"
SHARDS = 16
JUDGED = "judged"
"""Beside the shards: the consent check's clean files, by digest (`consent_text.Judged`)."""
_LIBRARIES = ("pydantic", "pydantic-core", "pyyaml")

_ALLOWED: dict[tuple[str, str], Callable[..., object]] = {
    (kind.__module__, kind.__qualname__): kind
    for kind in (
        Known,
        Parsed,
        Located,
        EntryRecord,
        Body,
        Problem,
        dt.date,
        *(
            value
            for value in vars(models).values()
            if isinstance(value, type)
            and value.__module__ == models.__name__
            and issubclass(value, (BaseModel, Enum))
        ),
    )
}
"""What a shard may build: menteo's own records and content models and the plain values in
them, each rebuilt from its fields by its own class (a dataclass's fields, pydantic's
`__setstate__`, an enum's value); no other name is looked up, so no other code can run."""


def load_remembered(
    root: Path, base_url: str | None, memo: LoadMemo, keep: bool = True
) -> CommunityData:
    """`load_community` with `memo`, filled first from the store under `root` (once: a resident
    process keeps it in memory) and, if `keep` (`build`, `serve`; `check` writes nothing),
    written back (its changed shards) whatever the load found. Refuses (`ContentError`) a
    store that git tracks or a link leads to."""
    try:
        check_private_paths(root, [PARSE_CACHE])
    except PrivateStateError as exc:
        raise ContentError([Problem("keys", 0, "", str(exc))]) from None
    root = root.resolve()
    if not memo.opened:
        _read(root, memo)
    try:
        return load_community(root, base_url, memo)
    finally:
        if keep:
            _write(root, memo)


def _place(root: Path) -> bytes:
    """This machine, this boot and this folder: where a stat signature means something."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_bytes()
    except OSError:
        boot = b""
    found = os.stat(root)
    where = f"{socket.gethostname()}|{found.st_dev}|{found.st_ino}|".encode()
    return hashlib.sha256(where + boot).digest()


def _shard(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8", "surrogateescape")) % SHARDS


def _header() -> bytes:
    return FORMAT + code_key(FORMAT, _LIBRARIES).hex().encode() + b"\n"


def _community_root() -> Path:
    """Stands for the community's folder in a shard; unpickling gives the current one."""
    raise pickle.UnpicklingError("the community's folder is given when a shard is read")


class _Unpickler(pickle.Unpickler):
    """Builds only allowlisted types; the community's folder is the current one."""

    def __init__(self, data: bytes, root: Path) -> None:
        super().__init__(io.BytesIO(data))
        self.root = root

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, _community_root.__name__):
            return lambda: self.root
        found = _ALLOWED.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a parse store")
        return found


class _Pickler(pickle.Pickler):
    """Stores the community's folder as `_community_root` (a hook for paths only: one that saw
    every object made writing a store 40 % slower)."""

    def __init__(self, file: io.BytesIO, root: Path) -> None:
        super().__init__(file, protocol=5)
        self.root = root
        self.dispatch_table = {**copyreg.dispatch_table, type(root): self._path}

    def _path(self, path: Path) -> tuple[Callable[[], Path], tuple[()]]:
        if path != self.root:
            raise pickle.PicklingError("a path outside the community")
        return _community_root, ()


def _shard_data(path: Path, header: bytes, root: Path) -> Any:
    """A shard's content, or None if it is missing, damaged, foreign or refused."""
    try:
        stored = path.read_bytes()
    except OSError:
        return None
    body = unseal(header, stored)
    if body is None:
        return None
    try:
        return _Unpickler(body, root).load()
    except Exception:  # whatever a damaged or forged shard makes unpickling raise: a miss
        return None


def _read(root: Path, memo: LoadMemo) -> None:
    """Fill `memo` from the store; a shard that cannot be used leaves its files to be parsed."""
    memo.opened = True
    header, place = _header(), _place(root)
    folder = root / PARSE_CACHE
    for index in range(SHARDS):
        data = _shard_data(folder / f"{index:02d}", header, root)
        if not _well_formed(data):
            continue
        here = data[0] == place
        for key, known in data[1].items():
            memo.files[key] = known if here else _unsigned(known)
        for key, known in data[2].items():
            memo.entries[key] = known if here else _unsigned(known)
    memo.judged = memo.judged_kept = _read_judged(folder / JUDGED, header)


def _read_judged(path: Path, header: bytes) -> frozenset[bytes]:
    """The digests of files the consent check found clean (`consent_text.Judged`), as plain
    bytes (32 each): a missing, damaged or foreign file is none."""
    try:
        body = unseal(header, path.read_bytes())
    except OSError:
        return frozenset()
    if body is None or len(body) % 32:
        return frozenset()
    return frozenset(body[i : i + 32] for i in range(0, len(body), 32))


def _unsigned(known: Known) -> Known:
    return Known(None, known.digest, known.value, known.warnings, known.names)


def _well_formed(data: Any) -> bool:
    """A shard as `_write` makes it: (place, files, entries) of the right types."""
    if type(data) is not tuple or len(data) != 3 or type(data[0]) is not bytes:
        return False
    files, entries = data[1], data[2]
    if type(files) is not dict or type(entries) is not dict:
        return False
    return all(
        type(key) is tuple
        and len(key) == 2
        and type(key[0]) is str
        and (key[1] is None or type(key[1]) is str)
        and type(known) is Known
        and type(known.value) is Parsed
        for key, known in files.items()
    ) and all(
        type(key) is str and type(known) is Known and type(known.value) is EntryRecord
        for key, known in entries.items()
    )


def _write(root: Path, memo: LoadMemo) -> None:
    """Rewrite the shards holding a changed file (and what the consent check found clean, if
    that changed); a store that cannot be written costs time next build, nothing else."""
    if memo.judged != memo.judged_kept:
        try:
            make_private_folder(root / PARSE_CACHE)
            body = b"".join(sorted(memo.judged))
            atomic_write(root / PARSE_CACHE / JUDGED, seal(_header(), body), durable=False)
            memo.judged_kept = memo.judged
        except OSError:
            pass
    if not memo.changed:
        return
    shards = {_shard(rel) for rel in memo.changed}
    memo.changed.clear()
    header, place = _header(), _place(root)
    folder = root / PARSE_CACHE
    parts: dict[int, tuple[bytes, dict[Any, Known], dict[str, Known]]] = {
        index: (place, {}, {}) for index in shards
    }
    for key, known in memo.files.items():
        part = parts.get(_shard(key[0]))
        if part is not None:
            part[1][key] = known
    for rel, known in memo.entries.items():
        part = parts.get(_shard(rel))
        if part is not None:
            part[2][rel] = known
    try:
        make_private_folder(folder)
        for index, part in sorted(parts.items()):
            buffer = io.BytesIO()
            _Pickler(buffer, root).dump(part)
            sealed = seal(header, buffer.getvalue())
            atomic_write(folder / f"{index:02d}", sealed, durable=False)
    except (OSError, pickle.PicklingError):
        return
