"""The framing every cache file shares: what `seal` writes, `unseal` reads back, and nothing else."""

from __future__ import annotations

import pytest

from menteo.sealed import seal, unseal

HEADER = b"menteo-test-cache 1\n"


@pytest.mark.parametrize("body", [b"", b"x", b"two\nlines\n", bytes(range(256)) * 40])
def test_what_is_sealed_unseals_to_the_same_bytes(body: bytes) -> None:
    assert unseal(HEADER, seal(HEADER, body)) == body


def _flipped(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def test_any_damage_or_another_header_is_a_miss() -> None:
    sealed = seal(HEADER, b"the remembered value")
    damaged = [
        b"",
        sealed[:-1],
        sealed[: len(HEADER) + 30],
        sealed + b"!",
        _flipped(sealed, 0),
        _flipped(sealed, len(HEADER) + 3),
        _flipped(sealed, len(HEADER) + 64),
        _flipped(sealed, len(sealed) - 1),
    ]
    for data in damaged:
        assert unseal(HEADER, data) is None
    assert unseal(b"menteo-test-cache 2\n", sealed) is None
    assert unseal(HEADER[:-1], sealed) is None
