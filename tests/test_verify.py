"""`menteo verify` on the built mini site and on copies tampered one way each: it must fail,
exit 1 and name the file, and leave every untouched credential as it was."""

from __future__ import annotations

import base64
import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from menteo.build import build_site
from menteo.cli import main
from menteo.credentials import baking
from menteo.credentials.encoding import (
    b64url_decode,
    b64url_encode,
    ed25519_from_multikey,
    ed25519_multikey,
)
from menteo.credentials.issue import compact, dumps
from menteo.credentials.keys import read_key_directory, rsa_thumbprint
from menteo.credentials.proofs import sign_data_integrity, sign_jws, verify_data_integrity

MINI = Path(__file__).parent / "fixtures" / "mini"
DID = "did:web:example.org:mini"
STATUS_URL = "https://example.org/mini/ob3/status/revocation.json"
STATUS_JWT_URL = "https://example.org/mini/ob3/status/revocation.jwt"
REVOKED = "16b59542-1e5e-58c8-b3db-7cf00bf630b7"
STARTER = "d9ea9982-894d-5e2e-9061-294baa6eb751"
GUIDE = "df9bd69f-ec70-5fef-97b2-cc50b0a5d4fb"
STARTER_INDEX = 110355

UNTOUCHED = {
    f"ob3/credentials/{REVOKED}.json": ("revoked", ""),
    f"ob3/credentials/{STARTER}.json": ("ok", ""),
    f"ob3/credentials/{GUIDE}.json": ("ok", ""),
    f"ob2/assertions/{REVOKED}.json": ("revoked", ""),
    f"ob2/assertions/{STARTER}.json": ("ok", ""),
    f"ob2/assertions/{GUIDE}.json": ("ok", ""),
    "ledger/checkpoint.json": ("ok", "5 ledger lines"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("verify")
    root = folder / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    build_site(root, folder / "_site", workers=1)
    return folder / "_site"


@pytest.fixture
def site(built: Path, tmp_path: Path) -> Path:
    """A copy of the built site that a test may tamper with."""
    return Path(shutil.copytree(built, tmp_path / "site"))


def verify(site: Path) -> Result:
    return CliRunner().invoke(main, ["verify", str(site)])


def outcomes(result: Result) -> dict[str, tuple[str, str]]:
    found = {}
    for line in result.stdout.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("ok", "revoked", "failed"):
            path, _, detail = rest.strip().partition(": ")
            found[path] = (status, detail)
    return found


def read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.write_bytes(dumps(document))


def test_the_built_site_verifies(built: Path) -> None:
    result = verify(built)
    assert result.exit_code == 0, result.output
    assert outcomes(result) == UNTOUCHED
    assert result.stdout.endswith("\n5 valid, 2 revoked, 0 failed.\n")
    assert result.stderr == ""


def test_verify_defaults_to_site_in_the_working_directory(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(built, tmp_path / "_site")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["verify"])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("5 valid, 2 revoked, 0 failed.\n")


# ------------------------------------------------------------------ one tampering each


def _achievement_name(site: Path) -> None:
    path = site / f"ob3/credentials/{GUIDE}.json"
    credential = read_json(path)
    credential["credentialSubject"]["achievement"]["name"] = "Guida"  # one character
    write_json(path, credential)


def _jwt_payload(site: Path) -> None:
    path = site / f"ob3/credentials/{GUIDE}.jwt"
    header, payload, signature = path.read_text().split(".")
    claims = json.loads(b64url_decode(payload))
    claims["credentialSubject"]["id"] = "https://mallory.example/"
    payload = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    path.write_text(f"{header}.{payload}.{signature}")


def _ob3_png_payload(site: Path) -> None:
    path = site / f"ob3/credentials/{GUIDE}.png"
    other = (site / f"ob3/credentials/{STARTER}.json").read_text()  # valid, but another one
    path.write_bytes(baking.bake_ob3_png(path.read_bytes(), other))


def _ob2_svg_jws(site: Path) -> None:
    path = site / f"ob2/assertions/{GUIDE}.svg"
    other = (site / f"ob2/assertions/{STARTER}.jws").read_text()
    path.write_text(baking.bake_ob2_svg(path.read_text(), other))


def _resign(site: Path, uuid: str, change: Callable[[dict[str, Any], str], str]) -> str:
    """Re-sign a credential with a key of our own, after `change` (which returns the DID the
    verification method is under); a valid proof, but not by a key the issuer controls."""
    path = site / f"ob3/credentials/{uuid}.json"
    credential = read_json(path)
    del credential["proof"]
    key = Ed25519PrivateKey.generate()
    multikey = ed25519_multikey(key.public_key())
    vm = f"{change(credential, multikey)}#{multikey}"
    write_json(path, sign_data_integrity(credential, key, vm, "2025-06-01T10:00:00Z"))
    return vm


def _foreign_key(site: Path) -> str:
    return _resign(site, GUIDE, lambda credential, _: DID)


def _foreign_issuer(site: Path) -> str:
    def change(credential: dict[str, Any], _: str) -> str:
        credential["issuer"]["id"] = "did:web:mallory.example"
        return "did:web:mallory.example"

    return _resign(site, GUIDE, change)


def _issuer_only(site: Path) -> str:
    path = site / f"ob3/credentials/{GUIDE}.json"
    credential = read_json(path)
    credential["issuer"]["id"] = "did:web:mallory.example"
    write_json(path, credential)
    return credential["proof"][0]["verificationMethod"]


def _status_bit(site: Path) -> None:
    path = site / "ob3/status/revocation.json"
    document = read_json(path)
    encoded = document["credentialSubject"]["encodedList"][1:]
    bits = bytearray(gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))))
    bits[STARTER_INDEX // 8] |= 0x80 >> (STARTER_INDEX % 8)
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    document["credentialSubject"]["encodedList"] = "u" + b64url_encode(packed)
    write_json(path, document)  # the old proof kept


def _ob2_jws_payload(site: Path) -> None:
    path = site / f"ob2/assertions/{GUIDE}.jws"
    header, payload, signature = path.read_text().split(".")
    assertion = json.loads(b64url_decode(payload))
    assertion["recipient"]["identity"] = "https://mallory.example/"
    payload = b64url_encode(json.dumps(assertion, separators=(",", ":")).encode())
    path.write_text(f"{header}.{payload}.{signature}")


def _checkpoint_shortened(site: Path) -> str:
    """A rewritten log would need an earlier checkpoint to agree: its claims are signed."""
    path = site / "ledger/checkpoint.json"
    checkpoint = read_json(path)
    checkpoint["seq"] -= 1
    write_json(path, checkpoint)
    return "the JWS signs other claims than the checkpoint shows"


def _unlisted_revocation(site: Path) -> None:
    path = site / "ob2/revocations.json"
    listing = read_json(path)
    listing["revokedAssertions"] = []
    write_json(path, listing)


def _hosted_assertion(site: Path) -> None:
    path = site / f"ob2/assertions/{GUIDE}.json"
    assertion = read_json(path)
    assertion["recipient"]["identity"] = "https://mallory.example/"
    write_json(path, assertion)


def _hosted_id(site: Path) -> None:
    path = site / f"ob2/assertions/{REVOKED}.json"
    assertion = read_json(path)
    assertion["id"] = f"https://mallory.example/{REVOKED}.json"
    write_json(path, assertion)


def _jwt_parts(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = path.read_text().split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload))


def _jwt_resigned(site: Path, key: rsa.RSAPrivateKey, kid: str) -> str:
    """The Guide VC-JWT, its payload unchanged, signed again with `key` under `kid`: a valid
    signature, so only the key's binding to the issuer can refuse it."""
    path = site / f"ob3/credentials/{GUIDE}.jwt"
    _, claims = _jwt_parts(path)
    path.write_text(sign_jws(compact(claims), key, {"alg": "RS256", "typ": "JWT", "kid": kid}))
    return kid


def _jwt_key_on_the_site(site: Path) -> str:
    """The https kid the VC-JWTs used to carry, naming a JWK a pull request put on the site."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = f"https://example.org/mini/ob3/keys/{rsa_thumbprint(key.public_key())}.json"
    numbers = key.public_key().public_numbers()
    jwk = {
        "kty": "RSA",
        "n": b64url_encode(numbers.n.to_bytes(256, "big")),
        "e": b64url_encode(numbers.e.to_bytes(3, "big")),
    }
    write_json(site / kid.removeprefix("https://example.org/mini/"), jwk)
    return _jwt_resigned(site, key, kid)


def _jwt_kid_of_the_ed25519_key(site: Path) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    did = read_json(site / "did.json")
    return _jwt_resigned(site, key, did["verificationMethod"][0]["id"])


def _jwt_status_bit(site: Path) -> None:
    """The VC-JWT status list with the Starter's bit set and its signature kept."""
    path = site / "ob3/status/revocation.jwt"
    header, payload, signature = path.read_text().split(".")
    claims = json.loads(b64url_decode(payload))
    encoded = claims["credentialSubject"]["encodedList"][1:]
    bits = bytearray(gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))))
    bits[STARTER_INDEX // 8] |= 0x80 >> (STARTER_INDEX % 8)
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    claims["credentialSubject"]["encodedList"] = "u" + b64url_encode(packed)
    payload = b64url_encode(json.dumps(claims, separators=(",", ":")).encode())
    path.write_text(f"{header}.{payload}.{signature}")


GUIDE_OB3 = f"ob3/credentials/{GUIDE}.json"
GUIDE_OB2 = f"ob2/assertions/{GUIDE}.json"


@pytest.mark.parametrize(
    ("tamper", "failed"),
    [
        pytest.param(
            _achievement_name,
            {GUIDE_OB3: "ob3: the Data Integrity proof does not verify"},
            id="achievement-name",
        ),
        pytest.param(
            _jwt_payload,
            {GUIDE_OB3: f"ob3: the VC-JWT {GUIDE}.jwt: JWS: signature does not verify"},
            id="vc-jwt-payload",
        ),
        pytest.param(
            _jwt_key_on_the_site,
            {GUIDE_OB3: f"ob3: the VC-JWT {GUIDE}.jwt: key {{vm}} is not controlled by {DID}"},
            id="vc-jwt-kid-an-https-key-not-in-did-json",
        ),
        pytest.param(
            _jwt_kid_of_the_ed25519_key,
            {GUIDE_OB3: f"ob3: the VC-JWT {GUIDE}.jwt: {{vm}} is not a JsonWebKey"},
            id="vc-jwt-kid-another-kind-of-key",
        ),
        pytest.param(
            _jwt_status_bit,
            {
                f"ob3/credentials/{uuid}.json": f"ob3: status list {STATUS_JWT_URL}: "
                "JWS: signature does not verify"
                for uuid in (REVOKED, STARTER, GUIDE)
            },
            id="vc-jwt-status-list-bit-flipped",
        ),
        pytest.param(
            _ob3_png_payload,
            {GUIDE_OB3: "ob3: the baked PNG differs from the hosted credential"},
            id="ob3-baked-png",
        ),
        pytest.param(
            _ob2_svg_jws,
            {GUIDE_OB2: "ob2: the baked SVG differs from the signed assertion"},
            id="ob2-baked-svg",
        ),
        pytest.param(
            _ob2_jws_payload,
            {GUIDE_OB2: f"ob2: the signed assertion {GUIDE}.jws: JWS: signature does not verify"},
            id="ob2-jws-payload",
        ),
        pytest.param(
            _issuer_only,
            {GUIDE_OB3: "ob3: key {vm} is not controlled by did:web:mallory.example"},
            id="issuer-changed",
        ),
        pytest.param(
            _foreign_key,
            {GUIDE_OB3: "ob3: {vm} is not an assertion method"},
            id="key-not-in-did-json",
        ),
        pytest.param(
            _foreign_issuer,
            {GUIDE_OB3: f"ob3: did.json is for {DID}, not did:web:mallory.example"},
            id="issuer-and-key-of-another-did",
        ),
        pytest.param(
            _status_bit,
            {
                f"ob3/credentials/{uuid}.json": f"ob3: status list {STATUS_URL}: "
                "the Data Integrity proof does not verify"
                for uuid in (REVOKED, STARTER, GUIDE)
            },
            id="status-list-bit-flipped",
        ),
        pytest.param(
            _hosted_assertion,
            {GUIDE_OB2: "ob2: the hosted assertion differs from the signed one"},
            id="ob2-hosted-assertion",
        ),
        pytest.param(
            _hosted_id,
            {
                f"ob2/assertions/{REVOKED}.json": "ob2: the hosted assertion's id "
                f"https://mallory.example/{REVOKED}.json is not its URL"
            },
            id="ob2-hosted-id",
        ),
        pytest.param(
            _checkpoint_shortened,
            {"ledger/checkpoint.json": "checkpoint: {vm}"},
            id="checkpoint-claims-a-shorter-log",
        ),
        pytest.param(
            _unlisted_revocation,
            {f"ob2/assertions/{REVOKED}.json": "ob2: revoked in one place but not the other"},
            id="ob2-revocation-list-emptied",
        ),
    ],
)
def test_tampering_fails_naming_the_file(
    site: Path, tamper: Callable[[Path], str | None], failed: dict[str, str]
) -> None:
    vm = tamper(site) or ""
    result = verify(site)
    assert result.exit_code == 1, result.output
    expected = {path: ("failed", detail.format(vm=vm)) for path, detail in failed.items()}
    assert outcomes(result) == {**UNTOUCHED, **expected}
    left = [status for path, (status, _) in UNTOUCHED.items() if path not in failed]
    valid, revoked = left.count("ok"), left.count("revoked")
    assert result.stderr == f"Error: {valid} valid, {revoked} revoked, {len(failed)} failed.\n"


def _issuer_keys(signing_keys: Path) -> Any:
    """The issuer's own keys: the session's, which every build signs with."""
    return read_key_directory(signing_keys)


def test_a_vc_jwt_with_an_embedded_proof_fails(signing_keys: Path, site: Path) -> None:
    """The old JWT form (the Data Integrity proof inside the payload), even signed by the
    issuer's own key, is not what this site publishes: Linked Data engines reading the payload
    fail on it."""
    keys = _issuer_keys(signing_keys)
    path = site / f"ob3/credentials/{GUIDE}.jwt"
    header, claims = _jwt_parts(path)
    claims["proof"] = read_json(site / f"ob3/credentials/{GUIDE}.json")["proof"]
    path.write_text(sign_jws(compact(claims), keys.rsa, header))
    result = verify(site)
    assert result.exit_code == 1, result.output
    assert outcomes(result)[GUIDE_OB3] == (
        "failed",
        f"ob3: the VC-JWT {GUIDE}.jwt: the payload carries a Data Integrity proof",
    )


def test_a_replayed_vc_jwt_status_list_without_the_revocation_fails(
    signing_keys: Path, site: Path
) -> None:
    """An earlier, validly signed VC-JWT status list that does not have the revocation yet:
    a JWT-only verifier would accept it, so the two lists must agree."""
    keys = _issuer_keys(signing_keys)
    path = site / "ob3/status/revocation.jwt"
    header, claims = _jwt_parts(path)
    claims["credentialSubject"]["encodedList"] = read_json(site / "ob3/status/revocation.json")[
        "credentialSubject"
    ]["encodedList"]  # the same list...
    encoded = claims["credentialSubject"]["encodedList"][1:]
    bits = bytearray(gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))))
    bits[:] = bytes(len(bits))  # ...before anything was revoked
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    claims["credentialSubject"]["encodedList"] = "u" + b64url_encode(packed)
    path.write_text(sign_jws(compact(claims), keys.rsa, header))
    result = verify(site)
    assert result.exit_code == 1, result.output
    assert outcomes(result) == {
        **UNTOUCHED,
        f"ob3/credentials/{REVOKED}.json": (
            "failed",
            "ob3: revoked in one status list but not the other",
        ),
    }


def test_the_wrong_key_vm_is_really_validly_signed(site: Path) -> None:
    """The re-signing helper makes proofs that verify with their own key, so the failures above
    come from resolving the key, not from a broken signature."""
    vm = _foreign_key(site)
    credential = read_json(site / f"ob3/credentials/{GUIDE}.json")
    assert verify_data_integrity(credential, ed25519_from_multikey(vm.split("#")[1]))


def test_a_missing_file_fails_that_credential_only(site: Path) -> None:
    (site / f"ob3/credentials/{GUIDE}.svg").unlink()
    result = verify(site)
    assert result.exit_code == 1
    status, detail = outcomes(result)[GUIDE_OB3]
    assert status == "failed" and f"{GUIDE}.svg" in detail


@pytest.mark.parametrize("where", ["empty", "community", "missing"])
def test_not_a_menteo_site_exits_2(tmp_path: Path, where: str) -> None:
    target = {"empty": tmp_path, "community": MINI, "missing": tmp_path / "nope"}[where]
    result = verify(target)
    assert result.exit_code == 2, result.output
    if where != "missing":
        assert "is not a site built by menteo" in result.output


def test_verify_writes_nothing_and_needs_no_keys(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("MENTEO_KEYS", "MENTEO_ED25519_KEY", "MENTEO_RSA_KEY"):
        monkeypatch.delenv(name, raising=False)
    before = sorted(p.stat().st_mtime_ns for p in built.rglob("*"))
    result = verify(built)
    assert result.exit_code == 0, result.output
    assert sorted(p.stat().st_mtime_ns for p in built.rglob("*")) == before
