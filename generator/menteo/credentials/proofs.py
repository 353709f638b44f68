"""The two signatures a credential carries: a W3C Data Integrity proof (`eddsa-rdfc-2022`,
Open Badges 3.0) and a compact JWS (RS256: OB 2.0 signed assertions and OB 3.0 VC-JWT).

Both are deterministic (Ed25519; RSA PKCS#1 v1.5), so the same document and key always give the
same bytes and a rebuild does not churn the published files.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from menteo.credentials.encoding import b58decode, b58encode, b64url_decode, b64url_encode
from menteo.credentials.jsonld import canonical_nquads

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"
JWS_ALGORITHM = "RS256"

XSD_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def hash_data(document: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    """vc-di-eddsa hashData: SHA-256 of the canonical proof configuration (which takes the
    document's `@context`), then SHA-256 of the canonical document without its proof."""
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    config["@context"] = document["@context"]
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    return _config_hash(json.dumps(config, sort_keys=True)) + _sha256(canonical_nquads(unsecured))


@lru_cache(maxsize=256)
def _config_hash(config: str) -> bytes:
    """The proof configuration is the same for every award recorded in one `menteo award` run
    (same key, same time, same contexts): canonicalise it once, not once per credential."""
    return _sha256(canonical_nquads(json.loads(config)))


def proof_options(verification_method: str, created: str) -> dict[str, Any]:
    """The proof without its `proofValue`, members in the order they are published."""
    return {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }


def sign_data_integrity(
    document: dict[str, Any], key: Ed25519PrivateKey, verification_method: str, created: str
) -> dict[str, Any]:
    """A copy of `document` with an `eddsa-rdfc-2022` proof, as a one-element array because
    the official OB 3.0 JSON Schema accepts only an array."""
    if "proof" in document:
        raise ValueError("proof: the document is already signed")
    if not XSD_DATETIME.fullmatch(created):
        raise ValueError(f"created: {created!r} is not an XML Schema dateTime")
    proof = proof_options(verification_method, created)
    signature = key.sign(hash_data(document, proof))
    proof["proofValue"] = "z" + b58encode(signature)
    return {**document, "proof": [proof]}


def verify_data_integrity(document: dict[str, Any], public_key: Ed25519PublicKey) -> bool:
    """Whether the document's single `eddsa-rdfc-2022` proof was made by `public_key`.

    Resolving `verificationMethod` to that key is the caller's job."""
    from pyld.jsonld import JsonLdError  # see `jsonld.canonical_nquads`

    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict) or not isinstance(proof.get("proofValue"), str):
        return False
    expected = (PROOF_TYPE, CRYPTOSUITE, PROOF_PURPOSE)
    if (proof.get("type"), proof.get("cryptosuite"), proof.get("proofPurpose")) != expected:
        return False
    if not proof["proofValue"].startswith("z"):
        return False
    try:
        signature = b58decode(proof["proofValue"][1:])
        public_key.verify(signature, hash_data(document, proof))
    except (ValueError, JsonLdError, InvalidSignature):
        return False
    return True


def sorted_json(value: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, ASCII: JOSE headers and claims that anyone can re-serialise."""
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign_jws(payload: bytes, key: RSAPrivateKey, header: dict[str, Any]) -> str:
    """Compact JWS over the payload bytes exactly as given (what is signed is what is served)."""
    if header.get("alg", JWS_ALGORITHM) != JWS_ALGORITHM:
        raise ValueError(f"alg: only {JWS_ALGORITHM} is supported")
    protected = b64url_encode(sorted_json({**header, "alg": JWS_ALGORITHM}))
    signing_input = f"{protected}.{b64url_encode(payload)}".encode("ascii")
    signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input.decode('ascii')}.{b64url_encode(signature)}"


def verify_jws(token: str, public_key: RSAPublicKey) -> tuple[dict[str, Any], bytes]:
    """The header and payload of a compact RS256 JWS signed by `public_key`; ValueError
    otherwise. Headers marked critical are refused: no extension is understood."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ValueError("JWS: expected three dot-separated parts")
    protected, payload, signature = parts
    try:
        header = json.loads(b64url_decode(protected))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"JWS header: {exc}") from None
    if not isinstance(header, dict) or header.get("alg") != JWS_ALGORITHM:
        raise ValueError(f"JWS header: alg must be {JWS_ALGORITHM}")
    if "crit" in header:
        raise ValueError("JWS header: crit is not supported")
    try:
        public_key.verify(
            b64url_decode(signature),
            f"{protected}.{payload}".encode("ascii"),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        raise ValueError("JWS: signature does not verify") from None
    return header, b64url_decode(payload)
