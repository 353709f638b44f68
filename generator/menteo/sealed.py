"""One framing for every file under `.menteo/cache/`: a header that names the format (and
whatever else binds the file, such as a build key), the SHA-256 of the rest in hex, a newline,
the rest. A file is only ever read back through `unseal`, so a damaged, truncated or foreign file
is a miss for its cache (computed again), never a value."""

from __future__ import annotations

import hashlib

_DIGEST = 64
"""Hex characters of a SHA-256."""


def seal(header: bytes, body: bytes) -> bytes:
    """`body` framed under `header`, as `unseal` reads it."""
    return header + hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def unseal(header: bytes, stored: bytes) -> bytes | None:
    """The body of a file `seal` made under `header`, or None if it is not exactly that."""
    start = len(header) + _DIGEST + 1
    if not stored.startswith(header) or stored[start - 1 : start] != b"\n":
        return None
    with memoryview(stored) as whole:
        digest = hashlib.sha256(whole[start:]).hexdigest().encode()
    if digest != stored[len(header) : start - 1]:
        return None
    return stored[start:]
