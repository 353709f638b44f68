"""Which menteo, and which libraries, made a cached value: part of every cache key under
`.menteo/cache/`, so that another menteo (or an edited one, in development) never reuses what
this one remembered.

One digest of menteo's own files (code, packaged themes, catalogs) is computed once per process
and shared by every cache; each cache adds its format and the versions of the libraries that
shape its values (Jinja2 for pages, pydantic and PyYAML for parsed files).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent
_CODE_SUFFIXES = (
    ".py",
    ".html",
    ".xml",
    ".txt",
    ".po",
    ".mo",
    ".pot",
    ".json",
    ".jsonld",
    ".js",
    ".css",
)


def feed_files(hasher: Any, base: Path, files: Iterable[Path]) -> None:
    """Each file's name (relative to `base`) and bytes, length-prefixed so no two lists of
    files feed the same stream."""
    for path in files:
        data = path.read_bytes()
        name = path.relative_to(base).as_posix().encode("utf-8", "surrogateescape")
        hasher.update(b"%d:%s%d:" % (len(name), name, len(data)))
        hasher.update(data)


@cache
def _package_digest() -> bytes:
    hasher = hashlib.sha256()
    files = (
        p for p in PACKAGE.rglob("*") if p.suffix in _CODE_SUFFIXES and "__pycache__" not in p.parts
    )
    feed_files(hasher, PACKAGE, sorted(files))
    return hasher.digest()


@cache
def code_key(form: bytes, libraries: tuple[str, ...]) -> bytes:
    """A cache's `form` (its format line), menteo's version and files, and the versions of
    `libraries` (distribution names)."""
    hasher = hashlib.sha256(form)
    for name in ("menteo", *libraries):
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "unknown"
        hasher.update(f"{name} {version}\n".encode())
    hasher.update(_package_digest())
    return hasher.digest()
