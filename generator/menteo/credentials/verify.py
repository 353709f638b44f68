"""`menteo verify`: check every credential and baked image in a built site, offline, the way a
verifier would: keys resolved through the site's own `did.json` and key documents, signatures,
status lists, dates, and that each baked image carries exactly the form that names it.

Our own verifier proves nothing alone (the interoperability tests run independent ones); it is
the quick check a community runs on its own output, and it reports per file.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from menteo.credentials import baking
from menteo.credentials.checkpoint import (
    CHECKPOINT_JSON,
    Checkpoint,
    CheckpointError,
    read_checkpoint,
    verify_signature,
)
from menteo.credentials.did import did_document_path
from menteo.credentials.encoding import b64url_decode, ed25519_from_multikey
from menteo.credentials.ob2 import HOSTED_PNG
from menteo.credentials.ob3 import jwt_claims
from menteo.credentials.proofs import verify_data_integrity, verify_jws
from menteo.ledger.records import GENESIS, line_hash
from menteo.ledger.transparency import LEDGER_JSON

PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
JWT_CLAIMS = ("iss", "jti", "nbf", "sub", "exp")


@dataclass(frozen=True)
class Outcome:
    path: str
    status: str
    """"ok", "revoked" (verified, and revoked by the issuer) or "failed"."""
    detail: str = ""


class VerificationFailure(Exception):
    pass


class _Site:
    """Resolves the site's own URLs to its files: nothing is fetched."""

    def __init__(self, root: Path, base_url: str) -> None:
        self.root = root
        self.base_url = base_url

    def file(self, url: str) -> Path:
        if not url.startswith(self.base_url):
            raise VerificationFailure(f"{url} is not on this site ({self.base_url})")
        path = (self.root / url[len(self.base_url) :].split("#")[0]).resolve()
        if not path.is_relative_to(self.root.resolve()) or not path.is_file():
            raise VerificationFailure(f"{url} is not in the site")
        return path

    def json(self, url: str) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.file(url).read_text(encoding="utf-8"))
        return document

    def method(self, verification_method: str, issuer: str) -> dict[str, Any]:
        """The verification method `did.json` lists under `assertionMethod` for `issuer`."""
        did = verification_method.partition("#")[0]
        if did != issuer:
            raise VerificationFailure(f"key {verification_method} is not controlled by {issuer}")
        document: dict[str, Any] = json.loads(
            (self.root / did_document_path(self.base_url)).read_text(encoding="utf-8")
        )
        if document.get("id") != did:
            raise VerificationFailure(f"did.json is for {document.get('id')}, not {did}")
        if verification_method not in document.get("assertionMethod", []):
            raise VerificationFailure(f"{verification_method} is not an assertion method")
        methods: list[dict[str, Any]] = document.get("verificationMethod", [])
        for method in methods:
            if method.get("id") == verification_method and method.get("controller") == did:
                return method
        raise VerificationFailure(f"{verification_method} is not in did.json")

    def ed25519_key(self, verification_method: str, issuer: str) -> Ed25519PublicKey:
        method = self.method(verification_method, issuer)
        return ed25519_from_multikey(method["publicKeyMultibase"])

    def rsa_key(self, verification_method: str, issuer: str) -> RSAPublicKey:
        """The RSA key a VC-JWT's `kid` names: a `JsonWebKey` of the issuer's DID document."""
        method = self.method(verification_method, issuer)
        jwk = method.get("publicKeyJwk")
        if method.get("type") != "JsonWebKey" or not isinstance(jwk, dict):
            raise VerificationFailure(f"{verification_method} is not a JsonWebKey")
        if jwk.get("kty") != "RSA" or PRIVATE_JWK_MEMBERS & set(jwk):
            raise VerificationFailure(f"{verification_method} is not a public RSA JWK")
        numbers = RSAPublicNumbers(
            int.from_bytes(b64url_decode(jwk["e"]), "big"),
            int.from_bytes(b64url_decode(jwk["n"]), "big"),
        )
        return numbers.public_key()


def _proof(document: dict[str, Any]) -> dict[str, Any]:
    proofs = document.get("proof")
    proof = proofs[0] if isinstance(proofs, list) and len(proofs) == 1 else proofs
    if not isinstance(proof, dict):
        raise VerificationFailure("no single Data Integrity proof")
    return proof


def _data_integrity(site: _Site, document: dict[str, Any]) -> None:
    key = site.ed25519_key(_proof(document)["verificationMethod"], _issuer_id(document))
    if not verify_data_integrity(document, key):
        raise VerificationFailure("the Data Integrity proof does not verify")


def _now_within(document: dict[str, Any], now: dt.datetime) -> None:
    def moment(name: str) -> dt.datetime | None:
        value = document.get(name)
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None

    valid_from, valid_until = moment("validFrom"), moment("validUntil")
    if valid_from is None or valid_from > now:
        raise VerificationFailure(f"not valid yet (validFrom {document.get('validFrom')})")
    if valid_until is not None and valid_until < now:
        raise VerificationFailure(f"expired (validUntil {document.get('validUntil')})")


def _issuer_id(document: dict[str, Any]) -> Any:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _vc_jwt(site: _Site, token: str) -> dict[str, Any]:
    """The credential a VC-JWT secures, once its signature verifies with the key its `kid`
    names in the issuer's DID document and its JWT claims repeat the credential."""
    try:
        parts = token.strip().split(".")
        header = json.loads(b64url_decode(parts[0]))
        unverified = json.loads(b64url_decode(parts[1]))
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        raise VerificationFailure(f"JWS: {exc}") from None
    if not isinstance(header, dict) or not isinstance(unverified, dict):
        raise VerificationFailure("JWS: header and payload must be JSON objects")
    key = site.rsa_key(str(header.get("kid")), str(unverified.get("iss")))
    try:
        _, payload = verify_jws(token, key)
    except ValueError as exc:  # its message names the JWS
        raise VerificationFailure(str(exc)) from None
    claims = json.loads(payload)
    credential = {k: v for k, v in claims.items() if k not in JWT_CLAIMS}
    if "proof" in credential:
        raise VerificationFailure("the payload carries a Data Integrity proof")
    expected = jwt_claims(credential)
    if claims != expected:
        wrong = sorted(k for k in JWT_CLAIMS if claims.get(k) != expected.get(k))
        raise VerificationFailure(f"the JWT claims {', '.join(wrong)} do not match the credential")
    return credential


def _status_listing(site: _Site, url: str, jwt: bool) -> dict[str, Any]:
    """The status list credential at `url`, verified: a VC-JWT for the JWT form of a
    credential, a Data Integrity credential for the other."""
    if jwt:
        return _vc_jwt(site, site.file(url).read_text(encoding="utf-8"))
    listing = site.json(url)
    _data_integrity(site, listing)
    return listing


def _revoked(site: _Site, document: dict[str, Any], now: dt.datetime, jwt: bool = False) -> bool:
    status = document.get("credentialStatus")
    if status is None:
        return False
    if (
        status.get("type") != "BitstringStatusListEntry"
        or status.get("statusPurpose") != "revocation"
    ):
        raise VerificationFailure("unsupported credentialStatus")
    try:
        listing = _status_listing(site, status["statusListCredential"], jwt)
        _now_within(listing, now)
        if _issuer_id(listing) != _issuer_id(document):
            raise VerificationFailure("it is issued by someone else than the credential")
    except VerificationFailure as exc:  # the credential's own proof is fine: name the list
        raise VerificationFailure(f"status list {status['statusListCredential']}: {exc}") from None
    subject = listing["credentialSubject"]
    if subject.get("statusPurpose") != "revocation":
        raise VerificationFailure("the status list is not a revocation list")
    encoded = subject["encodedList"]
    if not encoded.startswith("u"):
        raise VerificationFailure("the status list is not base64url multibase")
    bits = gzip.decompress(b64url_decode(encoded[1:]))
    index = int(status["statusListIndex"])
    if len(bits) * 8 < 131_072 or index >= len(bits) * 8:
        raise VerificationFailure("the status list is too short")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def _achievement(site: _Site, document: dict[str, Any]) -> None:
    """Importers fetch `achievement.id` expecting the Achievement as JSON: it must be on the
    site and say exactly what the signed credential embeds."""
    embedded = document["credentialSubject"]["achievement"]
    try:
        published = site.json(embedded["id"])
    except (VerificationFailure, ValueError) as exc:
        raise VerificationFailure(f"achievement {embedded['id']}: {exc}") from None
    if {k: v for k, v in published.items() if k != "@context"} != embedded:
        raise VerificationFailure(f"{embedded['id']} differs from the credential's achievement")


def _ob3(site: _Site, path: Path, now: dt.datetime) -> str:
    document = json.loads(path.read_text(encoding="utf-8"))
    _data_integrity(site, document)
    _achievement(site, document)
    _now_within(document, now)
    jwt_path = path.with_suffix(".jwt")
    try:
        jwt = _vc_jwt(site, jwt_path.read_text(encoding="utf-8"))
    except VerificationFailure as exc:
        raise VerificationFailure(f"the VC-JWT {jwt_path.name}: {exc}") from None
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if {**jwt, "credentialStatus": None} != {**unsecured, "credentialStatus": None} or not (
        _same_entry(jwt.get("credentialStatus"), document.get("credentialStatus"))
    ):
        raise VerificationFailure("the VC-JWT carries a different credential")
    hosted = path.read_text(encoding="utf-8")
    if baking.extract_ob3_png(path.with_suffix(".png").read_bytes()) != hosted:
        raise VerificationFailure("the baked PNG differs from the hosted credential")
    if baking.extract_ob3_svg(path.with_suffix(".svg").read_text(encoding="utf-8")) != hosted:
        raise VerificationFailure("the baked SVG differs from the hosted credential")
    revoked = _revoked(site, document, now)
    if _revoked(site, jwt, now, jwt=True) != revoked:
        raise VerificationFailure("revoked in one status list but not the other")
    return "revoked" if revoked else "ok"


def _same_entry(jwt: object, di: object) -> bool:
    """The two forms of a credential name the same entry, each in the list its own verifiers
    can check (the VC-JWT status list and the Data Integrity one)."""
    if not isinstance(jwt, dict) or not isinstance(di, dict):
        return jwt == di
    same = ("type", "statusPurpose", "statusListIndex")
    return all(jwt.get(k) == di.get(k) for k in same) and set(jwt) == set(di)


def _ob2(site: _Site, path: Path) -> str:
    hosted = json.loads(path.read_text(encoding="utf-8"))
    jws = path.with_suffix(".jws").read_text(encoding="utf-8")
    header = json.loads(b64url_decode(jws.split(".")[0]))
    if header.get("alg") != "RS256":
        raise VerificationFailure("the signed assertion is not RS256")
    unverified = json.loads(b64url_decode(jws.split(".")[1]))
    creator = unverified["verification"]["creator"]
    key = site.json(creator)
    issuer = site.json(key["owner"])
    if creator not in issuer.get("publicKey", []):
        raise VerificationFailure(f"{creator} is not one of the issuer's keys")
    public_key = load_pem_public_key(key["publicKeyPem"].encode())
    assert isinstance(public_key, RSAPublicKey)
    try:
        _, payload = verify_jws(jws, public_key)
    except ValueError as exc:
        raise VerificationFailure(f"the signed assertion {path.stem}.jws: {exc}") from None
    signed = json.loads(payload)
    # The hosted form is what HostedBadge verifiers read: it must say what the signed one does.
    if hosted.get("id") != site.base_url + path.relative_to(site.root).as_posix():
        raise VerificationFailure(f"the hosted assertion's id {hosted.get('id')} is not its URL")
    # Each form's image is the PNG baked with that form, so a backpack never sees two ids.
    hosted_png = path.with_suffix("." + HOSTED_PNG)
    if not hosted.get("revoked") and hosted != {
        **signed,
        "id": hosted["id"],
        "image": site.base_url + hosted_png.relative_to(site.root).as_posix(),
        "verification": {"type": "HostedBadge"},
    }:
        raise VerificationFailure("the hosted assertion differs from the signed one")
    if (
        signed.get("image")
        != site.base_url + path.with_suffix(".png").relative_to(site.root).as_posix()
    ):
        raise VerificationFailure("the signed assertion's image is not the PNG baked with it")
    if baking.extract_ob2_png(hosted_png.read_bytes()) != path.read_text(encoding="utf-8"):
        raise VerificationFailure("the hosted PNG differs from the hosted assertion")
    if baking.extract_ob2_png(path.with_suffix(".png").read_bytes()) != jws:
        raise VerificationFailure("the baked PNG differs from the signed assertion")
    if baking.extract_ob2_svg(path.with_suffix(".svg").read_text(encoding="utf-8")) != jws:
        raise VerificationFailure("the baked SVG differs from the signed assertion")
    revoked_ids = {
        entry["id"] if isinstance(entry, dict) else entry
        for entry in site.json(issuer["revocationList"]).get("revokedAssertions", [])
    }
    if hosted.get("revoked") or signed["id"] in revoked_ids:
        if not (hosted.get("revoked") and signed["id"] in revoked_ids):
            raise VerificationFailure("revoked in one place but not the other")
        return "revoked"
    return "ok"


def verify_site(root: Path, now: dt.datetime | None = None) -> Iterator[Outcome]:
    """Check every OB 3.0 credential and OB 2.0 assertion under `root`, one outcome each, then
    the ledger checkpoint: signed by a key the site publishes, naming the last line of the
    transparency log it publishes beside it."""
    now = now or dt.datetime.now(dt.UTC)
    site = _site(root)
    checks: tuple[tuple[str, str, Callable[[Path], str]], ...] = (
        ("ob3", "ob3/credentials/*.json", lambda p: _ob3(site, p, now)),
        ("ob2", "ob2/assertions/*.json", lambda p: _ob2(site, p)),
    )
    for kind, pattern, check in checks:
        for path in sorted(root.glob(pattern)):
            rel = path.relative_to(root).as_posix()
            try:
                yield Outcome(rel, check(path))
            except (VerificationFailure, ValueError, KeyError, OSError) as exc:
                yield Outcome(rel, "failed", f"{kind}: {exc}")
    try:
        checkpoint, _ = _signed_checkpoint(root, site)
    except (VerificationFailure, CheckpointError, ValueError, KeyError, TypeError, OSError) as exc:
        yield Outcome(CHECKPOINT_JSON, "failed", f"checkpoint: {exc}")
    else:
        yield Outcome(CHECKPOINT_JSON, "ok", f"{checkpoint.seq} ledger lines")


def _published_log(root: Path, checkpoint: Checkpoint) -> list[str]:
    """The line hashes of the log a site publishes (`ledger/awards.json`), after checking that
    they chain and that the checkpoint names its last line."""
    document = json.loads((root / LEDGER_JSON).read_text(encoding="utf-8"))
    hashes: list[str] = []
    for number, line in enumerate(document["lines"], start=1):
        digest = line["sha256"]
        if line["seq"] != number:
            raise VerificationFailure(f"{LEDGER_JSON}: line {number} is numbered {line['seq']}")
        if "text" in line:
            if line_hash(line["text"]) != digest:
                raise VerificationFailure(f"{LEDGER_JSON}: line {number}'s text has another hash")
            if json.loads(line["text"])["prev"] != (hashes[-1] if hashes else GENESIS):
                raise VerificationFailure(f"{LEDGER_JSON}: line {number} breaks the chain")
        hashes.append(digest)
    if (len(hashes), hashes[-1] if hashes else GENESIS) != (checkpoint.seq, checkpoint.head):
        raise VerificationFailure(f"{CHECKPOINT_JSON} does not name the last line of {LEDGER_JSON}")
    return hashes


def _signed_checkpoint(root: Path, keys: _Site) -> tuple[Checkpoint, list[str]]:
    """The checkpoint of the site (or copy) at `root`, verified with a key `keys` publishes."""
    checkpoint, jws = read_checkpoint(root / CHECKPOINT_JSON)
    key = keys.ed25519_key(checkpoint.verification_method, checkpoint.issuer)
    verify_signature(checkpoint, jws, key)
    return checkpoint, _published_log(root, checkpoint)


def _site(root: Path) -> _Site:
    profile = json.loads((root / "ob2/issuer.json").read_text(encoding="utf-8"))
    return _Site(root, profile["id"].removesuffix("ob2/issuer.json"))


def verify_extends(later: Path, earlier: Path) -> Outcome:
    """Whether the site at `later` publishes a log that starts with the log of `earlier` (an
    earlier build, or a copy of at least its ledger/awards.json and ledger/checkpoint.json):
    both checkpoints signed by keys the later site publishes (and by the earlier site's own,
    when it is a whole site), the earlier one's lines the later one's first lines."""
    try:
        site = _site(later)
        new, new_hashes = _signed_checkpoint(later, site)
        old, old_hashes = _signed_checkpoint(earlier, site)
        if (earlier / "ob2/issuer.json").is_file():
            _signed_checkpoint(earlier, _site(earlier))
        if old.issuer != new.issuer:
            raise VerificationFailure(f"the earlier log is {old.issuer}'s, not {new.issuer}'s")
        for number, digest in enumerate(old_hashes, start=1):
            if number > len(new_hashes):
                raise VerificationFailure(f"line {number} of the earlier log was removed")
            if new_hashes[number - 1] != digest:
                raise VerificationFailure(
                    f"line {number} differs from the earlier log: the chain was rewritten"
                )
    except (VerificationFailure, CheckpointError, ValueError, KeyError, TypeError, OSError) as exc:
        return Outcome(CHECKPOINT_JSON, "failed", f"extends {earlier}: {exc}")
    return Outcome(CHECKPOINT_JSON, "ok", f"extends {earlier} ({old.seq} → {new.seq} lines)")
