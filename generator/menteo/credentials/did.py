"""did:web identifiers for the site and the DID document that publishes its signing keys.

A did:web resolves to a static `did.json`, so verifiers find the issuer's keys with no server of
ours running; every key ever used stays listed so old credentials keep verifying. The RSA keys
are listed too (as `JsonWebKey` methods), so a VC-JWT's `kid` is a DID URL of its issuer and a
verifier following the OB 3.0 JWT rules can tell the key is the issuer's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import quote, urlsplit

DID_CONTEXTS = [
    "https://www.w3.org/ns/did/v1",
    "https://w3id.org/security/multikey/v1",
    "https://w3id.org/security/jwk/v1",
]


def did_web(base_url: str) -> str:
    """`https://org.github.io/community/` → `did:web:org.github.io:community`; a port's colon
    is percent-encoded because `:` separates path segments in the DID.

    did:web resolves over HTTPS only; an http base URL (a local preview) still gets its DID so
    previews build, but it will not resolve."""
    url = urlsplit(base_url)
    if url.scheme not in ("https", "http") or not url.hostname:
        raise ValueError(f"base_url: did:web needs an http(s) URL, got {base_url!r}")
    host = url.hostname + (f"%3A{url.port}" if url.port else "")
    segments = [quote(segment, safe="") for segment in url.path.split("/") if segment]
    return ":".join(["did", "web", host, *segments])


def did_document_path(base_url: str) -> str:
    """Where `did.json` goes, relative to the site root (under the base path): a root site
    resolves through `.well-known/`, a path-based one directly."""
    return "did.json" if urlsplit(base_url).path.strip("/") else ".well-known/did.json"


def rsa_method(did: str, jwk: Mapping[str, str]) -> str:
    """The DID URL of an RSA key: its RFC 7638 thumbprint (`kid`) as the fragment, so anyone
    can recompute it from the key alone."""
    return f"{did}#{jwk['kid']}"


def did_document(
    did: str, multikeys: list[str], rsa_jwks: Sequence[Mapping[str, str]]
) -> dict[str, object]:
    """Every Ed25519 key as a `Multikey` and every RSA key (public JWK with its thumbprint as
    `kid`) as a `JsonWebKey`, all of them assertion methods."""
    methods: list[dict[str, object]] = [
        {
            "id": f"{did}#{multikey}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": multikey,
        }
        for multikey in multikeys
    ]
    methods += [
        {
            "id": rsa_method(did, jwk),
            "type": "JsonWebKey",
            "controller": did,
            "publicKeyJwk": {name: jwk[name] for name in ("kty", "n", "e")},
        }
        for jwk in rsa_jwks
    ]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
