"""The ledger's signed checkpoint: which line the published log ends at, signed by the issuer.

A hash chain proves that lines were not changed in the middle, but anyone able to rewrite the
whole file can recompute it. Each build therefore publishes `ledger/checkpoint.json`, a compact
JWS (RFC 7515, `alg: EdDSA`, RFC 8037) by the issuer's current Ed25519 key over
`{"date":…,"head":…,"issuer":…,"seq":…}` (keys sorted, no spaces, ASCII): the number of lines,
the SHA-256 of the last one (the `prev` the next line will carry), and when that line was
recorded (never the clock, so a rebuild is byte-identical). Any later log must start with the
same `seq` lines; `menteo verify --extends` and `menteo build` (against the site it replaces)
check that, and an auditor can with any JOSE library (docs/credentials.md).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from menteo.credentials.encoding import b64url_decode, b64url_encode
from menteo.credentials.proofs import sorted_json
from menteo.errors import Problem
from menteo.ledger.records import GENESIS, LEDGER_FILE, line_hash

CHECKPOINT_JSON = "ledger/checkpoint.json"
ALGORITHM = "EdDSA"


class CheckpointError(ValueError):
    """A checkpoint that is malformed or whose signature does not verify."""


@dataclass(frozen=True)
class Checkpoint:
    issuer: str
    seq: int
    head: str
    date: str | None
    verification_method: str

    def claims(self) -> dict[str, Any]:
        return {"date": self.date, "head": self.head, "issuer": self.issuer, "seq": self.seq}


def of_lines(lines: Sequence[str], issuer: str, verification_method: str) -> Checkpoint:
    """The checkpoint of a ledger whose exact lines are `lines`."""
    date = json.loads(lines[-1])["recorded"] if lines else None
    head = line_hash(lines[-1]) if lines else GENESIS
    return Checkpoint(issuer, len(lines), head, date, verification_method)


def signed_document(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> bytes:
    """`ledger/checkpoint.json`: the claims in the clear, for people, and the JWS that signs
    them (Ed25519 is deterministic: the same checkpoint gives the same bytes)."""
    header = {"alg": ALGORITHM, "kid": checkpoint.verification_method, "typ": "JWT"}
    signing_input = (
        f"{b64url_encode(sorted_json(header))}.{b64url_encode(sorted_json(checkpoint.claims()))}"
    )
    signature = key.sign(signing_input.encode("ascii"))
    document = {
        **checkpoint.claims(),
        "verificationMethod": checkpoint.verification_method,
        "jws": f"{signing_input}.{b64url_encode(signature)}",
    }
    return (json.dumps(document, indent=1) + "\n").encode("ascii")


def read_checkpoint(path: Path) -> tuple[Checkpoint, str]:
    """The checkpoint in `path` and its JWS, checked for form (not yet for its signature)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        checkpoint = Checkpoint(
            document["issuer"],
            document["seq"],
            document["head"],
            document["date"],
            document["verificationMethod"],
        )
        jws = document["jws"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{path}: not a menteo checkpoint ({exc})") from None
    if type(checkpoint.seq) is not int or not isinstance(jws, str):
        raise CheckpointError(f"{path}: not a menteo checkpoint")
    return checkpoint, jws


def verify_signature(checkpoint: Checkpoint, jws: str, key: Ed25519PublicKey) -> None:
    """`CheckpointError` unless `jws` is an EdDSA JWS by `key` over exactly these claims."""
    parts = jws.split(".")
    if len(parts) != 3:
        raise CheckpointError("the JWS does not have three parts")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        key.verify(b64url_decode(parts[2]), f"{parts[0]}.{parts[1]}".encode("ascii"))
    except (ValueError, UnicodeError):
        raise CheckpointError("the JWS is malformed") from None
    except InvalidSignature:
        raise CheckpointError("the signature does not verify") from None
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM or "crit" in header:
        raise CheckpointError(f"the JWS is not {ALGORITHM}")
    if header.get("kid") != checkpoint.verification_method or claims != checkpoint.claims():
        raise CheckpointError("the JWS signs other claims than the checkpoint shows")


def extends_published(site: Path, lines: Sequence[str]) -> list[Problem]:
    """Problems if the site about to be replaced published a checkpoint that `lines` do not
    extend: its line `seq` must be the line whose hash is its head."""
    path = site / CHECKPOINT_JSON
    if not path.exists():
        return []
    hint = f"restore the ledger from git; if this is intended, delete {site} first"
    try:
        published, _ = read_checkpoint(path)
    except CheckpointError as exc:
        return [Problem(LEDGER_FILE, 0, "", f"cannot compare with {exc}", hint)]
    if published.seq > len(lines):
        message = f"has {len(lines)} lines; the site in {site} published {published.seq}"
        return [Problem(LEDGER_FILE, len(lines) + 1, "", message, hint)]
    if published.seq and line_hash(lines[published.seq - 1]) != published.head:
        message = (
            f"does not extend the ledger the site in {site} published: line {published.seq} "
            "or one before it differs"
        )
        return [Problem(LEDGER_FILE, published.seq, "", message, hint)]
    return []
