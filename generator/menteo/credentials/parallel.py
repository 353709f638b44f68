"""Data Integrity proofs (and images) on every core: canonicalising a credential (pyld, pure
Python) is nine tenths of issuing it, and each credential is independent of the others.

The private key reaches the workers (`menteo.workers`) through the pool's pipe, in memory only,
never through a file or the environment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from menteo.credentials.proofs import sign_data_integrity
from menteo.workers import cores, process_pool

PARALLEL_FROM = 200
"""Fewer proofs than this are signed in-process: starting workers costs more than it saves."""

_key: Ed25519PrivateKey | None = None


def _start(pem: bytes) -> None:
    global _key
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, Ed25519PrivateKey)
    _key = key


def _sign(job: tuple[dict[str, Any], str, str]) -> list[dict[str, Any]]:
    document, verification_method, created = job
    assert _key is not None
    signed = sign_data_integrity(document, _key, verification_method, created)
    proof: list[dict[str, Any]] = signed["proof"]
    return proof


def sign_all(
    jobs: Sequence[tuple[dict[str, Any], str, str]],
    key: Ed25519PrivateKey,
    workers: int | None = None,
) -> list[list[dict[str, Any]]]:
    """The `proof` of each (document, verification method, created), in order."""
    workers = workers or cores()
    if len(jobs) < PARALLEL_FROM or workers < 2:
        return [sign_data_integrity(d, key, vm, c)["proof"] for d, vm, c in jobs]
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    chunk = max(1, len(jobs) // (workers * 4))
    with process_pool(workers, _start, (pem,)) as pool:
        return list(pool.map(_sign, jobs, chunksize=chunk))
