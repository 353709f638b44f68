"""Canonicalisation, signatures, encodings and did:web of `menteo.credentials`.

The two published `eddsa-rdfc-2022` vectors (W3C vc-di-eddsa, 1EdTech OB 3.0) are reproduced
byte for byte from their stored inputs (tests/fixtures/vectors/README.md names the sources).
"""

from __future__ import annotations

import copy
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld.jsonld import JsonLdError

from menteo.credentials.did import did_document, did_document_path, did_web
from menteo.credentials.encoding import (
    b58decode,
    b58encode,
    b64url_decode,
    b64url_encode,
    ed25519_from_multikey,
    ed25519_multikey,
)
from menteo.credentials.jsonld import UnknownContextError, canonical_nquads, load_document
from menteo.credentials.proofs import (
    hash_data,
    sign_data_integrity,
    sign_jws,
    verify_data_integrity,
    verify_jws,
)

VECTORS = Path(__file__).parent / "fixtures" / "vectors"
W3C = VECTORS / "w3c-eddsa-rdfc-2022"
OB3 = VECTORS / "1edtech-ob-v3p0"
VM = "https://example.org/issuer#key"
CREATED = "2025-11-15T09:12:03Z"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _credential() -> dict[str, Any]:
    return _json(OB3 / "credential.json")


@pytest.fixture(scope="module")
def ed_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def rsa_keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    return tuple(rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in "ab")


# ------------------------------------------------------------------ bundled contexts


def test_bundled_contexts_match_their_recorded_sha256() -> None:
    contexts = resources.files("menteo.credentials") / "contexts"
    index = json.loads((contexts / "index.json").read_text(encoding="utf-8"))
    primary = [entry for entry in index["entries"] if entry["primary"]]
    assert len(primary) == 16
    for entry in primary:
        data = (contexts / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["file"]
        assert len(data) == entry["bytes"]


def test_loader_serves_urls_and_aliases_from_the_bundle() -> None:
    ob2 = load_document("https://w3id.org/openbadges/v2")
    alias = load_document("https://openbadgespec.org/v2/context.json")
    assert ob2["document"] == alias["document"]
    assert alias["documentUrl"] == "https://openbadgespec.org/v2/context.json"
    ob3 = load_document("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json")
    assert "endorsementJwt" in ob3["document"]["@context"]  # the primary (served) revision


def test_loader_returns_a_fresh_copy_each_time() -> None:
    url = "https://w3id.org/security/multikey/v1"
    load_document(url)["document"]["@context"].clear()
    assert load_document(url)["document"]["@context"]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/context.json",
        "http://www.w3.org/ns/credentials/v2",
        "file:///etc/passwd",
    ],
)
def test_loader_refuses_anything_not_bundled(url: str) -> None:
    with pytest.raises(UnknownContextError, match="not bundled"):
        load_document(url)


def test_canonicalising_an_unknown_context_fails_without_fetching() -> None:
    document = {**_credential(), "@context": ["https://example.org/evil-context.json"]}
    with pytest.raises(JsonLdError) as caught:
        canonical_nquads(document)
    causes = []
    error: BaseException | None = caught.value
    while error is not None:
        causes.append(error)
        error = error.__cause__
    assert any(isinstance(cause, UnknownContextError) for cause in causes)


# ------------------------------------------------------------------ control characters


@pytest.mark.parametrize("character", ["\t", "\x00", "\x08", "\x0c", "\x1b", "\x1f", "\x7f"])
def test_control_characters_are_refused_naming_the_field(character: str) -> None:
    document = _credential()
    document["credentialSubject"]["achievement"]["name"] = f"Team{character}work"
    with pytest.raises(ValueError, match=r"credentialSubject\.achievement\.name: control"):
        canonical_nquads(document)
    with pytest.raises(ValueError, match=r"credentialSubject\.achievement\.name"):
        sign_data_integrity(document, Ed25519PrivateKey.generate(), VM, CREATED)


def test_control_characters_in_lists_and_keys_are_refused() -> None:
    document = _credential()
    document["type"] = ["VerifiableCredential", "Open\tBadgeCredential"]
    with pytest.raises(ValueError, match=r"type\[1\]"):
        canonical_nquads(document)
    document = _credential()
    document["issuer"]["bad\x01key"] = "x"
    with pytest.raises(ValueError, match=r"issuer\.bad"):
        canonical_nquads(document)


def test_line_breaks_are_allowed_and_escaped_as_rdfc_requires() -> None:
    """LF and CR are escaped identically by pyld, jsonld.js and RDFC-1.0: Markdown narratives
    may span lines."""
    document = _credential()
    document["credentialSubject"]["achievement"]["criteria"]["narrative"] = "one\ntwo\r\nthree"
    assert '"one\\ntwo\\r\\nthree"' in canonical_nquads(document)


# ------------------------------------------------------------------ published vectors


def test_w3c_vc_di_eddsa_rdfc_2022_vector() -> None:
    document = _json(W3C / "unsigned.json")
    config = _json(W3C / "proofConfigDataInt.json")
    options = {key: value for key, value in config.items() if key != "@context"}
    assert canonical_nquads(document) == _text(W3C / "canonDocDataInt.txt")
    assert canonical_nquads(config) == _text(W3C / "proofCanonDataInt.txt")
    hashed = hash_data(document, options)
    assert hashed.hex() == _text(W3C / "proofHashDataInt.txt") + _text(W3C / "docHashDataInt.txt")
    assert (
        _sha256(canonical_nquads(document))
        == "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017"
    )

    secret = b58decode(_json(W3C / "keyPair.json")["privateKeyMultibase"][1:])
    assert secret[:2] == b"\x80\x26"
    key = Ed25519PrivateKey.from_private_bytes(secret[2:])
    assert ed25519_multikey(key.public_key()) == _json(W3C / "keyPair.json")["publicKeyMultibase"]

    signed = sign_data_integrity(document, key, options["verificationMethod"], options["created"])
    assert signed["proof"] == [{**options, "proofValue": _text(W3C / "sigBTC58DataInt.txt")}]
    assert verify_data_integrity(_json(W3C / "signedDataInt.json"), key.public_key())


def test_1edtech_ob_v3p0_vector() -> None:
    vector = _json(OB3 / "vector.json")
    document = _credential()
    options = vector["proofOptions"]
    assert canonical_nquads(document) == _text(OB3 / "document-canon.txt")
    assert canonical_nquads({**options, "@context": document["@context"]}) == _text(
        OB3 / "proof-canon.txt"
    )
    assert _sha256(_text(OB3 / "document-canon.txt")) == vector["documentHashHex"]
    hashed = hash_data(document, options)
    assert hashed.hex() == vector["proofHashHex"] + vector["documentHashHex"]

    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vector["privateKeyHex"][:64]))
    assert key.public_key().public_bytes_raw().hex() == vector["publicKeyHex"]
    assert key.sign(hashed).hex() == vector["signatureHex"]
    signed = sign_data_integrity(document, key, options["verificationMethod"], options["created"])
    (proof,) = signed["proof"]
    assert proof["proofValue"] == vector["proofValue"]
    assert verify_data_integrity(signed, key.public_key())
    assert verify_data_integrity({**signed, "proof": proof}, key.public_key())


# ------------------------------------------------------------------ Data Integrity


def test_sign_returns_a_new_document_with_a_one_element_proof_array(
    ed_key: Ed25519PrivateKey,
) -> None:
    document = _credential()
    original = copy.deepcopy(document)
    signed = sign_data_integrity(document, ed_key, VM, CREATED)
    assert document == original
    assert {key: value for key, value in signed.items() if key != "proof"} == original
    (proof,) = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert (proof["created"], proof["verificationMethod"]) == (CREATED, VM)
    assert len(b58decode(proof["proofValue"][1:])) == 64
    assert sign_data_integrity(document, ed_key, VM, CREATED) == signed  # deterministic
    assert verify_data_integrity(signed, ed_key.public_key())


def test_sign_refuses_signed_documents_and_bad_dates(ed_key: Ed25519PrivateKey) -> None:
    signed = sign_data_integrity(_credential(), ed_key, VM, CREATED)
    with pytest.raises(ValueError, match="already signed"):
        sign_data_integrity(signed, ed_key, VM, CREATED)
    with pytest.raises(ValueError, match="created"):
        sign_data_integrity(_credential(), ed_key, VM, "2025-11-15")


def _tampered_document(signed: dict[str, Any]) -> dict[str, Any]:
    signed["credentialSubject"]["achievement"]["name"] = "Leadership"
    return signed


def _tampered_proof(field: str, value: Any) -> Any:
    def change(signed: dict[str, Any]) -> dict[str, Any]:
        signed["proof"][0][field] = value
        return signed

    return change


def _flip_signature(signed: dict[str, Any]) -> dict[str, Any]:
    value = signed["proof"][0]["proofValue"]
    signed["proof"][0]["proofValue"] = value[:-1] + ("2" if value[-1] != "2" else "3")
    return signed


@pytest.mark.parametrize(
    "tamper",
    [
        _tampered_document,
        lambda d: {**d, "validFrom": "2011-01-01T00:00:00Z"},
        _tampered_proof("created", "2025-11-16T09:12:03Z"),
        _tampered_proof("verificationMethod", "https://example.org/issuer#other"),
        _tampered_proof("proofPurpose", "authentication"),
        _tampered_proof("cryptosuite", "eddsa-2022"),
        _tampered_proof("type", "Ed25519Signature2020"),
        _tampered_proof("proofValue", "not-multibase"),
        _tampered_proof("proofValue", "z0OIl"),
        _flip_signature,
        lambda d: {k: v for k, v in d.items() if k != "proof"},
        lambda d: {**d, "proof": d["proof"] * 2},
        lambda d: {**d, "@context": ["https://example.org/unknown"]},
    ],
)
def test_tampering_breaks_verification(ed_key: Ed25519PrivateKey, tamper: Any) -> None:
    signed = sign_data_integrity(_credential(), ed_key, VM, CREATED)
    assert not verify_data_integrity(tamper(copy.deepcopy(signed)), ed_key.public_key())


def test_another_key_does_not_verify(ed_key: Ed25519PrivateKey) -> None:
    signed = sign_data_integrity(_credential(), ed_key, VM, CREATED)
    assert not verify_data_integrity(signed, Ed25519PrivateKey.generate().public_key())


# ------------------------------------------------------------------ JWS


def test_jws_round_trip_keeps_payload_bytes_exactly(rsa_keys: Any) -> None:
    key, _ = rsa_keys
    payload = '{"b": 1,  "a": "é"}\n'.encode()
    token = sign_jws(payload, key, {"kid": "https://example.org/key.json", "typ": "JWT"})
    protected, body, _signature = token.split(".")
    assert json.loads(b64url_decode(protected)) == {
        "alg": "RS256",
        "kid": "https://example.org/key.json",
        "typ": "JWT",
    }
    assert (
        b64url_decode(protected)
        == b'{"alg":"RS256","kid":"https://example.org/key.json","typ":"JWT"}'
    )
    assert b64url_decode(body) == payload
    assert "=" not in token
    header, verified = verify_jws(token, key.public_key())
    assert header["kid"] == "https://example.org/key.json"
    assert verified == payload
    assert sign_jws(payload, key, {"kid": "https://example.org/key.json", "typ": "JWT"}) == token


def test_jws_refuses_other_algorithms_when_signing(rsa_keys: Any) -> None:
    with pytest.raises(ValueError, match="RS256"):
        sign_jws(b"{}", rsa_keys[0], {"alg": "ES256"})


def _swap_payload(token: str) -> str:
    protected, _, signature = token.split(".")
    return ".".join([protected, b64url_encode(b'{"admin":true}'), signature])


def _swap_header(header: dict[str, Any]) -> Any:
    def change(token: str) -> str:
        _, payload, signature = token.split(".")
        return f"{b64url_encode(json.dumps(header).encode())}.{payload}.{signature}"

    return change


@pytest.mark.parametrize(
    "tamper",
    [
        _swap_payload,
        _swap_header({"alg": "RS256", "kid": "other"}),
        _swap_header({"alg": "none"}),
        _swap_header({"alg": "HS256"}),
        _swap_header({"alg": "RS256", "crit": ["b64"], "b64": False}),
        lambda t: t.rsplit(".", 1)[0] + ".",
        lambda t: t.rsplit(".", 1)[0],
        lambda t: t + ".extra",
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: "!!" + t,
        lambda t: t.replace(".", "=.", 1),
    ],
)
def test_jws_tampering_is_refused(rsa_keys: Any, tamper: Any) -> None:
    key, _ = rsa_keys
    token = sign_jws(b'{"sub":"x"}', key, {"alg": "RS256"})
    with pytest.raises(ValueError):
        verify_jws(tamper(token), key.public_key())


def test_jws_from_another_key_is_refused(rsa_keys: Any) -> None:
    key, other = rsa_keys
    token = sign_jws(b'{"sub":"x"}', other, {"alg": "RS256"})
    with pytest.raises(ValueError, match="signature"):
        verify_jws(token, key.public_key())


# ------------------------------------------------------------------ encodings


def test_multikey_of_the_1edtech_test_key() -> None:
    vector = _json(OB3 / "vector.json")
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vector["privateKeyHex"][:64]))
    multikey = ed25519_multikey(key.public_key())
    assert multikey == "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
    assert ed25519_from_multikey(multikey).public_bytes_raw().hex() == vector["publicKeyHex"]


@pytest.mark.parametrize(
    "multikey",
    ["6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", "z6Mk", "zQ3s" + "1" * 40, "z0OIl"],
)
def test_bad_multikeys_are_refused(multikey: str) -> None:
    with pytest.raises(ValueError):
        ed25519_from_multikey(multikey)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"", ""),
        (b"\0", "1"),
        (b"\0\0\x01", "112"),
        (b"hello world", "StV1DL6CwTryKyV"),
        (bytes.fromhex("0000287fb4cd"), "11233QC4"),
    ],
)
def test_base58btc_known_values(data: bytes, text: str) -> None:
    assert b58encode(data) == text
    assert b58decode(text) == data


@pytest.mark.parametrize("size", range(0, 40, 3))
def test_base64url_round_trip_without_padding(size: int) -> None:
    data = bytes(range(256))[-size:] if size else b""
    text = b64url_encode(data)
    assert "=" not in text and "+" not in text and "/" not in text
    assert b64url_decode(text) == data


@pytest.mark.parametrize("text", ["ab+/", "YQ==", "a", "a b"])
def test_base64url_decode_is_strict(text: str) -> None:
    with pytest.raises(ValueError):
        b64url_decode(text)


# ------------------------------------------------------------------ did:web


@pytest.mark.parametrize(
    ("base_url", "did", "path"),
    [
        ("https://org.github.io/community/", "did:web:org.github.io:community", "did.json"),
        ("https://example.org/", "did:web:example.org", ".well-known/did.json"),
        ("https://Example.org", "did:web:example.org", ".well-known/did.json"),
        ("https://example.org:8443/a/b/", "did:web:example.org%3A8443:a:b", "did.json"),
        ("http://127.0.0.1:8000/", "did:web:127.0.0.1%3A8000", ".well-known/did.json"),
    ],
)
def test_did_web(base_url: str, did: str, path: str) -> None:
    assert did_web(base_url) == did
    assert did_document_path(base_url) == path


@pytest.mark.parametrize("base_url", ["ftp://example.org/", "https:///path", "example.org"])
def test_did_web_needs_an_http_url(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        did_web(base_url)


def test_did_document_lists_every_key_for_assertions() -> None:
    did = "did:web:org.github.io:community"
    keys = [
        "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    ]
    jwk = {"kty": "RSA", "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri", "e": "AQAB"}
    document = did_document(did, keys, [{**jwk, "kid": "thumb"}])
    assert document == {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1",
            "https://w3id.org/security/jwk/v1",
        ],
        "id": did,
        "verificationMethod": [
            *(
                {
                    "id": f"{did}#{key}",
                    "type": "Multikey",
                    "controller": did,
                    "publicKeyMultibase": key,
                }
                for key in keys
            ),
            {"id": f"{did}#thumb", "type": "JsonWebKey", "controller": did, "publicKeyJwk": jwk},
        ],
        "assertionMethod": [*(f"{did}#{key}" for key in keys), f"{did}#thumb"],
    }
    # Every term is defined by the bundled contexts: the JWK is a JSON literal of JsonWebKey.
    nquads = canonical_nquads(document)
    assert nquads.count("<https://w3id.org/security#publicKeyMultibase>") == 2
    assert nquads.count("<https://w3id.org/security#publicKeyJwk>") == 1
    assert "<https://w3id.org/security#JsonWebKey>" in nquads
    assert nquads.count("<https://w3id.org/security#assertionMethod>") == 3
    assert "<https://w3id.org/security#Multikey>" in nquads
