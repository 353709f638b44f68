"""Pagefind's filter files in one order, so that the same pages give the same search bundle.

Pagefind 1.x writes each filter's values in hash-map order, which changes from run to run: the
index answers the same, but its filter file (and the metadata file naming it) differ in bytes and
names, and the site would not be byte-identical between two builds of the same content. Each
bundle's filter files are rewritten with their values sorted, named by their new digest, and the
metadata file that lists them (and `pagefind-entry.json`, which names that file) follow.

The files are gzip-compressed `pagefind_dcd` + CBOR (RFC 8949); they use only unsigned integers,
byte and text strings, arrays and maps, which is all this module reads or writes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

SIGNATURE = b"pagefind_dcd"
Value = int | bytes | str | list["Value"] | dict["Value", "Value"]
"""CBOR as Pagefind's filter files use it."""


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def _head(self) -> tuple[int, int]:
        first = self.data[self.at]
        self.at += 1
        major, extra = first >> 5, first & 0x1F
        if extra < 24:
            return major, extra
        size = {24: 1, 25: 2, 26: 4, 27: 8}.get(extra)
        if size is None:
            raise ValueError(f"unsupported CBOR item {first:#x}")
        value = int.from_bytes(self.data[self.at : self.at + size], "big")
        self.at += size
        return major, value

    def item(self) -> Value:
        major, value = self._head()
        if major == 0:
            return value
        if major in (2, 3):
            raw = self.data[self.at : self.at + value]
            self.at += value
            return raw if major == 2 else raw.decode("utf-8")
        if major == 4:
            return [self.item() for _ in range(value)]
        if major == 5:
            return {self.item(): self.item() for _ in range(value)}
        raise ValueError(f"unsupported CBOR major type {major}")


def decode(data: bytes) -> Value:
    reader = _Reader(data)
    value = reader.item()
    if reader.at != len(data):
        raise ValueError("trailing bytes after CBOR item")
    return value


def _head(major: int, value: int) -> bytes:
    """The shortest head, as Pagefind's encoder writes it."""
    if value < 24:
        return bytes([major << 5 | value])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | extra]) + value.to_bytes(size, "big")
    raise ValueError("integer too large for CBOR")


def encode(value: Value) -> bytes:
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    return _head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())


def _sorted_filter(value: Value) -> Value:
    """A filter file is `[name, [[value, [page, ...]], ...]]`: its values in order of their text."""
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], list):
        return [value[0], sorted(value[1], key=lambda v: encode(v))]
    return value


def _read(path: Path) -> bytes:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind file")
    return data


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


def _renamed(old: str, content: bytes) -> str:
    """`<language>_<hex>` with the same number of hex digits, from `content`'s digest."""
    language, digits = old.rsplit("_", 1)
    return f"{language}_{hashlib.sha256(content).hexdigest()[: len(digits)]}"


def order_filters(bundle: Path) -> None:
    """Rewrite the filter files of the Pagefind bundle in `bundle` in a canonical order."""
    names: dict[str, str] = {}
    for path in sorted((bundle / "filter").glob("*.pf_filter")):
        data = SIGNATURE + encode(_sorted_filter(decode(_read(path)[len(SIGNATURE) :])))
        old = path.name.removesuffix(".pf_filter")
        names[old] = _renamed(old, data)
        path.unlink()
        _write(path.with_name(f"{names[old]}.pf_filter"), data)
    if not names:
        return
    entry_file = bundle / "pagefind-entry.json"
    entry = json.loads(entry_file.read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        meta_file = bundle / f"pagefind.{language['hash']}.pf_meta"
        meta = _read(meta_file)
        for old, new in names.items():  # whole text items of the same length
            meta = meta.replace(encode(old), encode(new))
        meta_file.unlink()
        language["hash"] = _renamed(language["hash"], meta)
        _write(bundle / f"pagefind.{language['hash']}.pf_meta", meta)
    entry_file.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")
