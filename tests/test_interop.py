"""Interoperability: the demo site's Open Badges output checked by verifiers we did not write,
offline.

- OB 3.0 Data Integrity: Digital Bazaar's `@digitalbazaar/vc` verifyCredential with the
  `eddsa-rdfc-2022` cryptosuite (tests/interop/verify-di.mjs), including the Bitstring Status List.
- OB 3.0 VC-JWT: `jose` (tests/interop/verify-jwt.mjs) and PyJWT, each with the OB 3.0 JWT
  claim rules, the key resolved from did.json through the kid's DID URL, and revocation read
  from the VC-JWT status list.
- OB 3.0 JSON Schema: 1EdTech's achievementcredential schema with `jsonschema` (Draft 2019-09).
- OB 2.0: 1EdTech's validator-core (`openbadges` 1.1.2) in its own venv, HTTP mocked
  (tests/interop/ob2_validate.py).
- Baked PNG/SVG: read back with independent code below (iTXt chunks with CRC check, ElementTree).
- OB 3.0 Data Integrity again, step by step without Digital Bazaar's suite: rdf-canonize +
  @noble/ed25519, keys via did-resolver + web-did-resolver (tests/interop/verify-rdfc.mjs).
- DCC's @digitalcredentials/verifier-core (tests/interop/verify-dcc.mjs).
- openbadgeslib from PyPI in its own venv (tests/interop/obl_verify.py).

The node packages and the OB 2.0 venv come from tests/interop/setup.sh. Without node/npm or
node_modules the node-based tests skip locally and fail in CI.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from referencing import Registry

ROOT = Path(__file__).resolve().parent.parent
INTEROP = Path(__file__).parent / "interop"
CONTEXTS = ROOT / "generator/menteo/credentials/contexts"
SCHEMA = INTEROP / "schemas/ob_v3p0_achievementcredential.json"  # upstream copy, see README
OB2_VENV = INTEROP / ".menteo-interop" / "ob2-venv"
NODE = shutil.which("node")
NPM = shutil.which("npm")
NODE_PACKAGES = [
    "@digitalbazaar/vc",
    "@digitalbazaar/data-integrity",
    "@digitalbazaar/eddsa-rdfc-2022-cryptosuite",
    "@digitalbazaar/ed25519-multikey",
    "jsonld",
    "jose",
]
OB3_SVG_NS = "https://purl.imsglobal.org/ob/v3p0"
OB2_SVG_NS = "http://openbadges.org"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB2_CONTEXT_URLS = {"https://w3id.org/openbadges/v2", "https://openbadgespec.org/v2/context.json"}

pytestmark = pytest.mark.slow


def _test_keys() -> Path:
    """The session's key pair (tests/conftest.py): no private key is committed."""
    return Path(os.environ["MENTEO_KEYS"])


def _unavailable(reason: str) -> None:
    """Skip locally; in CI a missing verifier is a failure, never a silent skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI: run tests/interop/setup.sh)", pytrace=False)
    pytest.skip(f"{reason} (run tests/interop/setup.sh)")


# --- the built demo ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Demo:
    site: Path
    base: str
    awards: dict[str, dict[str, Any]]
    """Ledger award events by id."""
    revoked: frozenset[str]
    """Ids of revoked awards."""

    def uuid(self, award_id: str) -> str:
        assert award_id.startswith("urn:uuid:"), award_id
        return award_id.removeprefix("urn:uuid:")

    def ob3(self, suffix: str) -> list[Path]:
        return sorted((self.site / "ob3/credentials").glob(f"*.{suffix}"))

    def ob2(self, suffix: str) -> list[Path]:
        """`<uuid>.<suffix>`: the signed form's images, not the hosted form's `.hosted.png`."""
        found = (self.site / "ob2/assertions").glob(f"*.{suffix}")
        return sorted(p for p in found if "." not in p.stem)

    def is_revoked(self, path: Path) -> bool:
        return f"urn:uuid:{path.stem}" in self.revoked


def _ledger() -> tuple[dict[str, dict[str, Any]], frozenset[str]]:
    awards: dict[str, dict[str, Any]] = {}
    revoked: set[str] = set()
    for line in (ROOT / "ledger/awards.jsonl").read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if event["event"] == "award":
            awards[event["id"]] = event
        elif event["event"] == "revoke":
            revoked.add(event["award"])
    return awards, frozenset(revoked)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    out = tmp_path_factory.mktemp("interop") / "_site"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTEO_")}
    env["MENTEO_KEYS"] = str(_test_keys())
    # Not --strict: the demo has no key chain, so this is a development build (warned), but
    # MENTEO_KEYS is set, so the test keys sign and none is invented.
    result = subprocess.run(
        [sys.executable, "-m", "menteo", "build", str(ROOT), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load((ROOT / "menteo.yml").read_text(encoding="utf-8"))
    awards, revoked = _ledger()
    return Demo(out, config["base_url"], awards, revoked)


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_demo_publishes_credentials_for_the_revoked_award(demo: Demo) -> None:
    credentials = demo.ob3("json")
    assert credentials, "no OB 3.0 credentials in the demo build"
    ids = {_json(p)["id"] for p in credentials}
    assert ids <= set(demo.awards)
    assert demo.revoked and demo.revoked <= ids, "the revoked award must be published"
    revoked = [demo.awards[a] for a in demo.revoked]
    assert ("reflective-learner", "tanaka-yui") in {(a["badge"], a["recipient"]) for a in revoked}
    for suffix in ("jwt", "png", "svg"):
        assert [p.stem for p in demo.ob3(suffix)] == [p.stem for p in credentials], suffix
    for suffix in ("json", "jws", "png", "svg"):
        assert [p.stem for p in demo.ob2(suffix)] == [p.stem for p in credentials], suffix


# --- node verifiers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def node() -> str:
    if not NODE or not NPM:
        _unavailable("node and npm are not installed (apt-get install nodejs npm)")
    missing = [p for p in NODE_PACKAGES if not (INTEROP / "node_modules" / p).is_dir()]
    if missing:
        _unavailable(f"tests/interop/node_modules lacks {', '.join(missing)}")
    assert NODE
    return NODE


def run_node(node: str, script: str, *args: str, stdin: str | None = None) -> Any:
    result = subprocess.run(
        [node, str(INTEROP / script), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=INTEROP,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"{script} failed:\n{result.stderr}"
    return json.loads(result.stdout)


def verify_di(node: str, site: Path, base: str, *files: Path) -> dict[str, dict[str, Any]]:
    args = ["--site", str(site), "--base", base, "--contexts", str(CONTEXTS)]
    reports = run_node(node, "verify-di.mjs", *args, *map(str, files))
    return {Path(r["file"]).name if not files else r["file"]: r for r in reports}


def verify_jwt(node: str, site: Path, base: str, *files: Path) -> dict[str, dict[str, Any]]:
    reports = run_node(
        node, "verify-jwt.mjs", "--site", str(site), "--base", base, *map(str, files)
    )
    return {Path(r["file"]).name if not files else r["file"]: r for r in reports}


@pytest.fixture(scope="module")
def di_reports(node: str, demo: Demo) -> dict[str, dict[str, Any]]:
    return verify_di(node, demo.site, demo.base)


@pytest.fixture(scope="module")
def jwt_reports(node: str, demo: Demo) -> dict[str, dict[str, Any]]:
    return verify_jwt(node, demo.site, demo.base)


def test_every_credential_verifies_with_digitalbazaar_vc(
    demo: Demo, di_reports: dict[str, dict[str, Any]]
) -> None:
    expected = {p.name for p in demo.ob3("json")} | {"revocation.json"}
    assert set(di_reports) == expected
    did = _json(demo.site / "did.json")["id"]
    for name, report in di_reports.items():
        assert report["verified"] is True, (name, report["error"])
        assert report["error"] is None, (name, report["error"])
        assert [p["verified"] for p in report["proofs"]] == [True], name
        assert report["proofs"][0]["purposeValid"] is True, name
        assert report["proofs"][0]["verificationMethod"].startswith(did + "#"), name
        assert did in report["dereferenced"], name  # the key came from did.json via did:web


def test_revocation_is_read_from_the_status_list(
    demo: Demo, di_reports: dict[str, dict[str, Any]]
) -> None:
    for path in demo.ob3("json"):
        report = di_reports[path.name]
        assert report["revoked"] is demo.is_revoked(path), path.name
    assert di_reports["revocation.json"]["revoked"] is None  # the list itself has no status
    assert sum(r["revoked"] is True for r in di_reports.values()) == len(demo.revoked)


def test_every_vc_jwt_verifies_with_jose(
    demo: Demo, jwt_reports: dict[str, dict[str, Any]]
) -> None:
    assert set(jwt_reports) == {p.name for p in demo.ob3("jwt")}
    did = _json(demo.site / "did.json")["id"]
    for name, report in jwt_reports.items():
        assert report["verified"] is True, (name, report["error"])
        assert report["problems"] == [], name
        assert set(report["header"]) <= {"alg", "kid", "typ"}
        assert report["header"]["alg"] == "RS256"
        # The key is the issuer's: a DID URL resolved through did.json, not an https JWK.
        assert report["header"]["kid"].startswith(did + "#"), report["header"]
        assert report["sameAsHosted"] is True, f"{name}: JWT credential differs from the .json"
        # Revocation read from the VC-JWT status list (verified with jose too).
        assert report["revoked"] is demo.is_revoked(demo.site / "ob3/credentials" / name), name
        assert report["statusList"] == demo.base + "ob3/status/revocation.jwt"
    assert sum(r["revoked"] is True for r in jwt_reports.values()) == len(demo.revoked) > 0


# --- tampering must be detected ----------------------------------------------------------------


def _test_ed25519_seed() -> str:
    key = serialization.load_pem_private_key((_test_keys() / "ed25519.pem").read_bytes(), None)
    assert isinstance(key, Ed25519PrivateKey)
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    ).hex()


def _resign(node: str, document: dict[str, Any], seed_hex: str | None) -> dict[str, Any]:
    proof = document["proof"][0]
    request = {
        "document": document,
        "seedHex": seed_hex,
        "verificationMethod": proof["verificationMethod"],
        "created": proof.get("created"),
    }
    return run_node(node, "resign-di.mjs", "--contexts", str(CONTEXTS), stdin=json.dumps(request))[
        "document"
    ]


def _change_one_character(text: str) -> str:
    index = next(i for i, c in enumerate(text) if c.isalpha())
    changed = "x" if text[index] != "x" else "y"
    return text[:index] + changed + text[index + 1 :]


def _tampered_copies(node: str, demo: Demo, folder: Path) -> dict[str, Path]:
    """A valid demo credential re-signed unchanged (the control), with its achievement renamed,
    signed by another key, and claimed by an issuer that does not control the key: the cases
    every independent Data Integrity engine is fed."""
    valid = next(p for p in demo.ob3("json") if not demo.is_revoked(p))
    original = _json(valid)
    seed = _test_ed25519_seed()
    renamed = copy.deepcopy(original)
    achievement = renamed["credentialSubject"]["achievement"]
    achievement["name"] = _change_one_character(achievement["name"])
    foreign = copy.deepcopy(original)
    foreign["issuer"]["id"] = "did:web:attacker.example"
    cases = {
        "control-resigned-unchanged": _resign(node, copy.deepcopy(original), seed),
        "achievement-name-changed": renamed,
        "proof-by-another-key": _resign(node, copy.deepcopy(original), None),
        "issuer-does-not-control-key": _resign(node, foreign, seed),
    }
    files = {}
    for name, document in cases.items():
        files[name] = folder / f"{name}.json"
        files[name].write_text(json.dumps(document), encoding="utf-8")
    return files


@pytest.fixture(scope="module")
def tampered_di(
    node: str, demo: Demo, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("tampered-di")
    valid = next(p for p in demo.ob3("json") if not demo.is_revoked(p))
    original = _json(valid)
    seed = _test_ed25519_seed()
    cases: dict[str, dict[str, Any]] = {}

    cases["control-resigned-unchanged"] = _resign(node, copy.deepcopy(original), seed)

    renamed = copy.deepcopy(original)
    achievement = renamed["credentialSubject"]["achievement"]
    achievement["name"] = _change_one_character(achievement["name"])
    cases["achievement-name-changed"] = renamed

    cases["proof-by-another-key"] = _resign(node, copy.deepcopy(original), None)

    foreign = copy.deepcopy(original)
    foreign["issuer"]["id"] = "did:web:attacker.example"
    cases["issuer-does-not-control-key"] = _resign(node, foreign, seed)

    # The verifier's document loader is closed: an unknown context is never fetched.
    cases["unknown-context"] = {
        **original,
        "@context": [*original["@context"], "https://attacker.example/context.jsonld"],
    }

    files = {}
    for name, document in cases.items():
        files[name] = folder / f"{name}.json"
        files[name].write_text(json.dumps(document, indent=2), encoding="utf-8")
    reports = verify_di(node, demo.site, demo.base, *files.values())
    return {name: reports[str(path)] for name, path in files.items()}


def test_resigning_helper_is_sound(tampered_di: dict[str, dict[str, Any]]) -> None:
    # The re-signed but unchanged credential verifies, so the failures below are the tampering.
    report = tampered_di["control-resigned-unchanged"]
    assert report["verified"] is True, report["error"]


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("achievement-name-changed", "Invalid signature"),
        ("proof-by-another-key", "Invalid signature"),
        ("issuer-does-not-control-key", "issuer must match the verification method controller"),
        ("unknown-context", "offline loader refuses https://attacker.example/context.jsonld"),
    ],
)
def test_tampered_credential_fails(
    tampered_di: dict[str, dict[str, Any]], case: str, reason: str
) -> None:
    report = tampered_di[case]
    assert report["verified"] is False
    assert reason in (report["error"] or ""), report["error"]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _rs256(key: rsa.RSAPrivateKey, header: dict[str, Any], payload: bytes) -> str:
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(payload)}"
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"


def _test_rsa_key() -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key((_test_keys() / "rsa.pem").read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def test_status_list_edited_without_resigning_fails(node: str, demo: Demo, tmp_path: Path) -> None:
    # "Un-revoking" by clearing the bit in the published list must not work.
    site = tmp_path / "site"
    (site / "ob3/status").mkdir(parents=True)
    shutil.copy(demo.site / "did.json", site / "did.json")
    status = _json(demo.site / "ob3/status/revocation.json")
    cleared = gzip.compress(bytes(len(_decode_list(status["credentialSubject"]["encodedList"]))))
    status["credentialSubject"]["encodedList"] = "u" + _b64url(cleared)
    (site / "ob3/status/revocation.json").write_text(json.dumps(status), encoding="utf-8")
    revoked = next(p for p in demo.ob3("json") if demo.is_revoked(p))
    reports = verify_di(node, site, demo.base, revoked, site / "ob3/status/revocation.json")
    assert reports[str(revoked)]["verified"] is False
    assert "does not verify" in reports[str(revoked)]["error"]
    assert reports[str(site / "ob3/status/revocation.json")]["verified"] is False


def _decode_list(encoded: str) -> bytes:
    assert encoded.startswith("u")
    return gzip.decompress(_b64url_decode(encoded[1:]))


def test_tampered_vc_jwts_fail(node: str, demo: Demo, tmp_path: Path) -> None:
    valid = next(p for p in demo.ob3("jwt") if not demo.is_revoked(p))
    token = valid.read_text(encoding="utf-8").strip()
    header_b64, payload_b64, _ = token.split(".")
    header = json.loads(_b64url_decode(header_b64))
    payload = json.loads(_b64url_decode(payload_b64))
    key = _test_rsa_key()

    changed = copy.deepcopy(payload)
    achievement = changed["credentialSubject"]["achievement"]
    achievement["name"] = _change_one_character(achievement["name"])
    changed_bytes = json.dumps(changed, ensure_ascii=False, separators=(",", ":")).encode()
    wrong_nbf = {**payload, "nbf": payload["nbf"] + 3600}
    unchanged = _b64url_decode(payload_b64)
    with_proof = {**payload, "proof": _json(valid.with_suffix(".json"))["proof"]}
    https_kid = f"{demo.base}ob3/keys/{header['kid'].split('#')[1]}.json"
    multikey = _json(demo.site / "did.json")["assertionMethod"][0]
    cases = {
        # the test key over the unchanged claims verifies, so the failures below come from
        # the tampering alone
        "control-resigned": _rs256(key, header, _b64url_decode(payload_b64)),
        "payload-changed": f"{header_b64}.{_b64url(changed_bytes)}.{token.split('.')[2]}",
        "signed-by-another-rsa-key": _rs256(
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            header,
            _b64url_decode(payload_b64),
        ),
        "extra-header-parameter": _rs256(
            key, {**header, "x5u": "https://attacker.example/key"}, _b64url_decode(payload_b64)
        ),
        "nbf-not-validFrom": _rs256(key, header, json.dumps(wrong_nbf).encode()),
        # the issuer's own key, named where its binding to the issuer cannot be checked
        "kid-an-https-jwk": _rs256(key, {**header, "kid": https_kid}, unchanged),
        "kid-of-another-did": _rs256(
            key, {**header, "kid": "did:web:attacker.example#" + https_kid[-48:]}, unchanged
        ),
        "kid-the-ed25519-key": _rs256(key, {**header, "kid": multikey}, unchanged),
        "embedded-proof": _rs256(key, header, json.dumps(with_proof).encode()),
    }
    files = {}
    for name, text in cases.items():
        files[name] = tmp_path / f"{name}.jwt"
        files[name].write_text(text, encoding="ascii")
    reports = verify_jwt(node, demo.site, demo.base, *files.values())
    results = {name: reports[str(path)] for name, path in files.items()}

    assert results["control-resigned"]["verified"] is True, results["control-resigned"]["error"]
    for name in ("payload-changed", "signed-by-another-rsa-key"):
        assert results[name]["verified"] is False, name
        assert "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" in results[name]["error"], name
    assert results["extra-header-parameter"]["verified"] is False
    assert '"x5u" is not allowed' in results["extra-header-parameter"]["error"]
    assert results["nbf-not-validFrom"]["verified"] is False
    assert "nbf is" in results["nbf-not-validFrom"]["error"]
    for name, reason in (
        ("kid-an-https-jwk", "is not a DID URL"),
        ("kid-of-another-did", "is not a key of the issuer"),
        ("kid-the-ed25519-key", "is a Multikey, not a JsonWebKey"),
        ("embedded-proof", "payload carries an embedded proof"),
    ):
        assert results[name]["verified"] is False, name
        assert reason in results[name]["error"], (name, results[name]["error"])


def _jwt_status_site(demo: Demo, folder: Path, token: str) -> Path:
    """A copy of the site's did.json and credentials with `token` as the VC-JWT status list."""
    site = folder / "site"
    shutil.copytree(demo.site / "ob3/credentials", site / "ob3/credentials")
    shutil.copy(demo.site / "did.json", site / "did.json")
    (site / "ob3/status").mkdir(parents=True)
    (site / "ob3/status/revocation.jwt").write_text(token, encoding="ascii")
    return site


def _cleared_status_claims(demo: Demo) -> tuple[str, dict[str, Any], dict[str, Any]]:
    token = (demo.site / "ob3/status/revocation.jwt").read_text(encoding="ascii")
    header_b64, payload_b64, signature = token.split(".")
    claims = json.loads(_b64url_decode(payload_b64))
    size = len(_decode_list(claims["credentialSubject"]["encodedList"]))
    cleared = gzip.compress(bytes(size), mtime=0)
    claims["credentialSubject"]["encodedList"] = "u" + _b64url(cleared)
    return f"{header_b64}..{signature}", json.loads(_b64url_decode(header_b64)), claims


@pytest.mark.parametrize("case", ["edited-keeping-signature", "signed-by-another-key"])
def test_a_jwt_status_list_without_the_revocation_fails_with_jose(
    node: str, demo: Demo, tmp_path: Path, case: str
) -> None:
    """ "Un-revoking" through the VC-JWT status list: clearing the bit must break it."""
    shell, header, claims = _cleared_status_claims(demo)
    payload = json.dumps(claims, separators=(",", ":")).encode()
    if case == "edited-keeping-signature":
        first, _, signature = shell.split(".")
        token = f"{first}.{_b64url(payload)}.{signature}"
    else:
        token = _rs256(
            rsa.generate_private_key(public_exponent=65537, key_size=2048), header, payload
        )
    site = _jwt_status_site(demo, tmp_path, token)
    revoked = next(p for p in demo.ob3("jwt") if demo.is_revoked(p))
    report = verify_jwt(node, site, demo.base, site / "ob3/credentials" / revoked.name)
    [result] = report.values()
    assert result["verified"] is False and result["revoked"] is None
    assert "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" in result["error"], result["error"]
    assert "revocation.jwt" in result["error"]


# --- PyJWT: a second, Python JOSE verifier ------------------------------------------------------


@pytest.fixture(scope="module")
def pyjwt() -> Any:
    try:
        import jwt
    except ImportError:
        _unavailable("PyJWT is not installed (pip install -e '.[test]')")
    return jwt


def _pyjwt_decode(pyjwt: Any, site: Path, base: str, token: str) -> dict[str, Any]:
    """The claims of a VC-JWT verified by PyJWT with the key its kid names in the issuer's
    did:web document (resolved offline to the site's own did.json), OB 3.0 rules checked."""
    header = pyjwt.get_unverified_header(token)
    issuer = pyjwt.decode(token, options={"verify_signature": False})["iss"]
    did, _, fragment = header["kid"].partition("#")
    if not did.startswith("did:web:") or not fragment or did != issuer:
        raise ValueError(f"kid {header['kid']} is not a DID URL of the issuer {issuer}")
    host, *segments = did.removeprefix("did:web:").split(":")
    assert base == f"https://{host}/{'/'.join(segments)}/"  # resolved inside the site
    document = _json(site / "did.json")
    [method] = [m for m in document["verificationMethod"] if m["id"] == header["kid"]]
    if header["kid"] not in document["assertionMethod"] or method["controller"] != did:
        raise ValueError(f"{header['kid']} is not an assertion method of {did}")
    if method["type"] != "JsonWebKey" or method["publicKeyJwk"].get("kty") != "RSA":
        raise ValueError(f"{header['kid']} is a {method['type']}, not an RSA JsonWebKey")
    key = pyjwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(method["publicKeyJwk"]))
    claims: dict[str, Any] = pyjwt.decode(
        token,
        key,
        algorithms=["RS256"],
        issuer=did,
        options={"require": ["iss", "jti", "nbf", "sub"], "verify_aud": False},
    )
    if set(header) - {"alg", "kid", "typ"} or "proof" in claims:
        raise ValueError("not an OB 3.0 VC-JWT (header parameters or an embedded proof)")
    subject = claims["credentialSubject"]
    if (claims["jti"], claims.get("sub")) != (claims["id"], subject.get("id")) or claims[
        "nbf"
    ] != int(dt.datetime.fromisoformat(claims["validFrom"].replace("Z", "+00:00")).timestamp()):
        raise ValueError("the JWT claims do not repeat the credential")
    return claims


def _pyjwt_revoked(pyjwt: Any, site: Path, base: str, claims: dict[str, Any]) -> bool:
    """The credential's bit in its VC-JWT status list, which PyJWT verifies first."""
    status = claims["credentialStatus"]
    url = status["statusListCredential"]
    assert url.startswith(base) and url.endswith(".jwt"), url
    token = (site / url.removeprefix(base)).read_text(encoding="ascii")
    listing = _pyjwt_decode(pyjwt, site, base, token)
    assert listing["issuer"] == claims["iss"]
    assert listing["credentialSubject"]["statusPurpose"] == status["statusPurpose"]
    bits = _decode_list(listing["credentialSubject"]["encodedList"])
    index = int(status["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def test_every_vc_jwt_verifies_with_pyjwt(pyjwt: Any, demo: Demo) -> None:
    revoked = set()
    for path in demo.ob3("jwt"):
        claims = _pyjwt_decode(pyjwt, demo.site, demo.base, path.read_text(encoding="ascii"))
        assert claims["id"] == f"urn:uuid:{path.stem}"
        if _pyjwt_revoked(pyjwt, demo.site, demo.base, claims):
            revoked.add(claims["id"])
    assert revoked == demo.revoked and revoked


def test_tampered_vc_jwts_and_status_lists_fail_with_pyjwt(
    pyjwt: Any, demo: Demo, tmp_path: Path
) -> None:
    valid = next(p for p in demo.ob3("jwt") if not demo.is_revoked(p))
    token = valid.read_text(encoding="ascii")
    header_b64, payload_b64, signature = token.split(".")
    header = json.loads(_b64url_decode(header_b64))
    payload = json.loads(_b64url_decode(payload_b64))
    key = _test_rsa_key()
    changed = {**payload, "name": _change_one_character(payload["name"])}
    https_kid = f"{demo.base}ob3/keys/{header['kid'].split('#')[1]}.json"
    cases = {
        "payload-changed": (
            f"{header_b64}.{_b64url(json.dumps(changed).encode())}.{signature}",
            pyjwt.InvalidSignatureError,
        ),
        "kid-an-https-jwk": (
            _rs256(key, {**header, "kid": https_kid}, _b64url_decode(payload_b64)),
            ValueError,
        ),
        "signed-by-another-rsa-key": (
            _rs256(
                rsa.generate_private_key(public_exponent=65537, key_size=2048),
                header,
                _b64url_decode(payload_b64),
            ),
            pyjwt.InvalidSignatureError,
        ),
    }
    # The control: the test key over the unchanged claims verifies.
    _pyjwt_decode(pyjwt, demo.site, demo.base, _rs256(key, header, _b64url_decode(payload_b64)))
    for tampered, error in cases.values():
        with pytest.raises(error):
            _pyjwt_decode(pyjwt, demo.site, demo.base, tampered)

    # "Un-revoking" through the VC-JWT status list fails too.
    shell, _, claims = _cleared_status_claims(demo)
    first, _, kept = shell.split(".")
    edited = f"{first}.{_b64url(json.dumps(claims).encode())}.{kept}"
    site = _jwt_status_site(demo, tmp_path, edited)
    revoked = next(p for p in demo.ob3("jwt") if demo.is_revoked(p))
    credential = _pyjwt_decode(pyjwt, site, demo.base, revoked.read_text(encoding="ascii"))
    with pytest.raises(pyjwt.InvalidSignatureError):
        _pyjwt_revoked(pyjwt, site, demo.base, credential)


# --- OB 3.0 JSON Schema --------------------------------------------------------------------------


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_credentials_match_the_ob3_json_schema(demo: Demo) -> None:
    schema = _json(SCHEMA)
    assert schema["$schema"].startswith("https://json-schema.org/draft/2019-09/schema")
    refs = list(_refs(schema))
    assert refs and all(r.startswith("#/") for r in refs), "schema must resolve offline"

    def refuse(uri: str) -> object:
        raise LookupError(f"offline: refusing to retrieve {uri}")

    validator = jsonschema.Draft201909Validator(
        schema,
        registry=Registry(retrieve=refuse),
        format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER,
    )
    checked = 0
    for path in demo.ob3("json"):
        errors = sorted(validator.iter_errors(_json(path)), key=lambda e: list(e.path))
        assert not errors, f"{path.name}: " + "; ".join(
            f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors
        )
        checked += 1
    for path in demo.ob3("jwt"):
        payload = json.loads(_b64url_decode(path.read_text(encoding="ascii").split(".")[1]))
        errors = list(validator.iter_errors(payload))
        assert not errors, f"{path.name}: {errors[0].message}"
    assert checked == len(demo.ob3("json")) > 0
    # The validator is not vacuous: the schema's own pitfalls are caught.
    sample = _json(demo.ob3("json")[0])
    for broken in (
        {**sample, "proof": sample["proof"][0]},
        {**sample, "type": "OpenBadgeCredential"},
        {**sample, "credentialSubject": {"type": ["AchievementSubject"]}},
    ):
        assert list(validator.iter_errors(broken)), broken


# --- baked images, read back with code of our own -----------------------------------------------


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """Every (type, data) chunk of a PNG, checking the signature, lengths and each CRC-32."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert len(body) == length, f"truncated {kind!r} chunk"
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"bad CRC in {kind!r} chunk"
        chunks.append((kind, body))
        offset += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    return chunks


def png_itxt(data: bytes, keyword: str) -> list[str]:
    """Texts of the iTXt chunks with `keyword`; each must be uncompressed with empty language
    tag and translated keyword (the OB baking rules)."""
    texts = []
    for kind, body in png_chunks(data):
        if kind == b"tEXt" and body.split(b"\0", 1)[0] == keyword.encode("latin-1"):
            raise AssertionError(f"legacy tEXt {keyword} chunk")
        if kind != b"iTXt":
            continue
        name, rest = body.split(b"\0", 1)
        if name != keyword.encode("latin-1"):
            continue
        compressed, method = rest[0], rest[1]
        language, rest = rest[2:].split(b"\0", 1)
        translated, text = rest.split(b"\0", 1)
        assert (compressed, method, language, translated) == (0, 0, b"", b""), keyword
        texts.append(text.decode("utf-8"))
    return texts


def svg_baked(path: Path, namespace: str, name: str) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
    tag = f"{{{namespace}}}{name}"
    assert len(list(root.iter(tag))) == 1, f"{path.name}: need exactly one {tag}"
    assert root[0].tag == tag, f"{path.name}: {tag} must be the first child of <svg>"
    raw = path.read_text(encoding="utf-8")
    assert f'xmlns:openbadges="{namespace}"' in raw, f"{path.name}: prefix must be openbadges"
    return root[0]


def test_ob3_baked_images_carry_the_hosted_credential(demo: Demo) -> None:
    for hosted in demo.ob3("json"):
        credential = _json(hosted)
        (text,) = png_itxt(hosted.with_suffix(".png").read_bytes(), "openbadgecredential")
        assert json.loads(text) == credential, hosted.with_suffix(".png").name
        element = svg_baked(hosted.with_suffix(".svg"), OB3_SVG_NS, "credential")
        assert "verify" not in element.attrib  # embedded proof: JSON in the element
        assert json.loads(element.text or "") == credential, hosted.with_suffix(".svg").name
        assert b"<![CDATA[" in hosted.with_suffix(".svg").read_bytes()


def test_ob2_baked_images_carry_the_signed_assertion(demo: Demo) -> None:
    for jws_path in demo.ob2("jws"):
        jws = jws_path.read_text(encoding="ascii").strip()
        (text,) = png_itxt(jws_path.with_suffix(".png").read_bytes(), "openbadges")
        assert text == jws, jws_path.with_suffix(".png").name
        element = svg_baked(jws_path.with_suffix(".svg"), OB2_SVG_NS, "assertion")
        assert element.attrib.get("verify") == jws, jws_path.with_suffix(".svg").name


# --- OB 2.0 ---------------------------------------------------------------------------------------


def test_ob2_revocation_list_names_exactly_the_revoked_awards(demo: Demo) -> None:
    # validator-core does not detect revocation (standards-notes §1.6): check it here.
    issuer = _json(demo.site / "ob2/issuer.json")
    revocations = _json(demo.site / "ob2/revocations.json")
    assert issuer["revocationList"] == revocations["id"] == demo.base + "ob2/revocations.json"
    assert revocations["type"] == "RevocationList" and revocations["issuer"] == issuer["id"]
    listed = {e if isinstance(e, str) else e["id"] for e in revocations["revokedAssertions"]}
    expected = set()
    for award_id in demo.revoked:
        expected |= {award_id, f"{demo.base}ob2/assertions/{demo.uuid(award_id)}.json"}
    assert listed == expected
    for path in demo.ob2("json"):
        hosted = _json(path)
        if demo.is_revoked(path):
            assert hosted["revoked"] is True
            assert not {"badge", "recipient", "verification"} & set(hosted), path.name
        else:
            assert not hosted.get("revoked"), path.name
        payload = json.loads(
            _b64url_decode(path.with_suffix(".jws").read_text(encoding="ascii").split(".")[1])
        )
        assert (payload["id"] in listed) is demo.is_revoked(path), path.name


def _setup_venv(part: str, venv: Path, what: str) -> Path:
    """The Python of an engine's own venv, made by `setup.sh PART` (idempotent)."""
    python = venv / "bin" / "python"
    result = subprocess.run(
        ["bash", str(INTEROP / "setup.sh"), part],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": os.environ.get("MENTEO_OB2_PYTHON", "python3")},
        timeout=600,
        check=False,
    )
    if result.returncode != 0 or not python.exists():
        _unavailable(f"cannot create the {what} venv:\n{result.stdout}{result.stderr}")
    return python


@pytest.fixture(scope="module")
def ob2_python() -> Path:
    return _setup_venv("ob2", OB2_VENV, "validator-core")


def run_ob2(python: Path, demo: Demo, *inputs: str) -> dict[str, dict[str, Any]]:
    result = subprocess.run(
        [
            str(python),
            str(INTEROP / "ob2_validate.py"),
            "--site",
            str(demo.site),
            "--base",
            demo.base,
            "--contexts",
            str(CONTEXTS),
            *inputs,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {r["input"]: r for r in json.loads(result.stdout)}


def _problems(report: dict[str, Any]) -> list[str]:
    return [
        f"{m['level']} {m.get('name')}: {m.get('result')}"
        for m in report["messages"]
        if m["level"] in ("ERROR", "EXCEPTION")
    ]


def test_ob2_validator_core_accepts_every_assertion(
    ob2_python: Path, demo: Demo, tmp_path: Path
) -> None:
    valid = next(p for p in demo.ob2("json") if not demo.is_revoked(p))
    jws_files = demo.ob2("jws")
    token = valid.with_suffix(".jws").read_text(encoding="ascii").strip()
    header_b64, payload_b64, signature = token.split(".")
    payload = json.loads(_b64url_decode(payload_b64))
    payload["recipient"]["identity"] = _change_one_character(payload["recipient"]["identity"])
    tampered = tmp_path / "tampered.jws"
    tampered.write_text(
        f"{header_b64}.{_b64url(json.dumps(payload).encode())}.{signature}", encoding="ascii"
    )
    other_key = tmp_path / "other-key.jws"
    other_key.write_text(
        _rs256(
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            json.loads(_b64url_decode(header_b64)),
            _b64url_decode(payload_b64),
        ),
        encoding="ascii",
    )
    hosted_url = demo.base + valid.relative_to(demo.site).as_posix()
    inputs = [
        *(f"jws:{p}" for p in jws_files),
        f"url:{hosted_url}",
        f"image:{valid.with_suffix('.png')}",
        f"image:{valid.with_suffix('.svg')}",
        f"jws:{tampered}",
        f"jws:{other_key}",
    ]
    reports = run_ob2(ob2_python, demo, *inputs)

    for item in inputs[:-2]:
        report = reports[item]
        if item.startswith("jws:") and demo.is_revoked(Path(item.removeprefix("jws:"))):
            # Not our revocation oracle (standards-notes §1.6), but it does read our
            # RevocationList: the only complaint about the revoked award is its revocation.
            # (It misses a list with ONE entry: compaction turns the array into an object.)
            assert report["valid"] is False, item
            names = {m["name"] for m in report["messages"] if m["level"] == "ERROR"}
            assert names == {"VERIFY_SIGNED_ASSERTION_NOT_REVOKED"}, (item, _problems(report))
            continue
        assert report["valid"] is True and report["errorCount"] == 0, (item, _problems(report))
        assert report["validationSubject"], item
        assert all(u.startswith(demo.base) or u in OB2_CONTEXT_URLS for u in report["requested"])
    for item in inputs[-2:]:
        assert reports[item]["valid"] is False, item
        names = {m["name"] for m in reports[item]["messages"] if m["level"] == "ERROR"}
        assert names == {"VERIFY_JWS"}, (item, _problems(reports[item]))


# --- an independent eddsa-rdfc-2022 check and a did:web resolver we did not write ------------
# tests/interop/verify-rdfc.mjs: did-resolver + web-did-resolver (fetch answered from the site),
# jsonld.js to RDF, rdf-canonize's RDFC-1.0 called directly, @noble/ed25519. It iterates over
# what the site publishes, so it judges any later change to did.json or the credentials too.

INDEPENDENT_PACKAGES = ["did-resolver", "web-did-resolver", "rdf-canonize", "@noble/ed25519"]


@pytest.fixture(scope="module")
def independent(node: str) -> str:
    missing = [p for p in INDEPENDENT_PACKAGES if not (INTEROP / "node_modules" / p).is_dir()]
    if missing:
        _unavailable(f"tests/interop/node_modules lacks {', '.join(missing)}")
    return node


def verify_rdfc(node: str, site: Path, base: str, *files: Path) -> dict[str, dict[str, Any]]:
    args = ["--site", str(site), "--base", base, "--contexts", str(CONTEXTS)]
    reports = run_node(node, "verify-rdfc.mjs", *args, *map(str, files))
    return {Path(r["file"]).name if not files else r["file"]: r for r in reports}


def resolve_dids(node: str, site: Path, base: str) -> dict[str, Any]:
    args = ["--site", str(site), "--base", base, "--contexts", str(CONTEXTS)]
    report: dict[str, Any] = run_node(node, "verify-rdfc.mjs", *args, "--resolve", "yes")
    return report


def test_every_credential_verifies_with_rdf_canonize_and_noble_ed25519(
    independent: str, demo: Demo
) -> None:
    reports = verify_rdfc(independent, demo.site, demo.base)
    assert set(reports) == {p.name for p in demo.ob3("json")} | {"revocation.json"}
    did = _json(demo.site / "did.json")["id"]
    for name, report in reports.items():
        assert report["verified"] is True, (name, report["error"])
        assert report["verificationMethod"].startswith(did + "#"), name
    for path in demo.ob3("json"):
        assert reports[path.name]["revoked"] is demo.is_revoked(path), path.name
    assert reports["revocation.json"]["revoked"] is None
    # The key came through web-did-resolver, from the site's did.json and nowhere else.
    assert {u for r in reports.values() for u in r["fetched"]} == {demo.base + "did.json"}


def test_the_independent_check_rejects_tampered_and_unrevoked_credentials(
    independent: str, demo: Demo, tmp_path: Path
) -> None:
    files = _tampered_copies(independent, demo, tmp_path)
    reports = verify_rdfc(independent, demo.site, demo.base, *files.values())
    results = {name: reports[str(path)] for name, path in files.items()}
    assert results["control-resigned-unchanged"]["verified"] is True, results
    for name in ("achievement-name-changed", "proof-by-another-key"):
        assert results[name]["verified"] is False, name
        assert "the Ed25519 signature does not verify" in results[name]["error"], name
    assert results["issuer-does-not-control-key"]["verified"] is False
    assert "does not control" in results["issuer-does-not-control-key"]["error"]

    # "Un-revoking" by clearing the bit in the published list, without the issuer's key.
    site = Path(shutil.copytree(demo.site / "ob3", tmp_path / "site/ob3")).parent
    shutil.copy(demo.site / "did.json", site / "did.json")
    status_path = site / "ob3/status/revocation.json"
    status = _json(status_path)
    cleared = gzip.compress(bytes(len(_decode_list(status["credentialSubject"]["encodedList"]))))
    status["credentialSubject"]["encodedList"] = "u" + _b64url(cleared)
    status_path.write_text(json.dumps(status), encoding="utf-8")
    revoked = next(p for p in demo.ob3("json") if demo.is_revoked(p))
    report = verify_rdfc(independent, site, demo.base, revoked)[str(revoked)]
    assert report["verified"] is False
    assert "status list" in report["error"] and "does not verify" in report["error"]


def test_web_did_resolver_resolves_every_verification_method_the_site_names(
    independent: str, demo: Demo
) -> None:
    report = resolve_dids(independent, demo.site, demo.base)
    document = _json(demo.site / "did.json")
    assert report["did"] == document["id"] and report["error"] is None
    assert report["methods"] == [m["id"] for m in document["verificationMethod"]]
    assert report["fetched"] == [demo.base + "did.json"]
    referenced = report["referenced"]
    files = {r["file"] for r in referenced}
    assert "ledger/checkpoint.json" in files and "ob3/status/revocation.json" in files
    assert {f"ob3/credentials/{p.name}" for p in demo.ob3("json")} <= files
    for entry in referenced:
        assert entry["found"] and entry["assertionMethod"], entry


def test_web_did_resolver_refuses_a_did_document_for_another_did(
    independent: str, demo: Demo, tmp_path: Path
) -> None:
    site = Path(shutil.copytree(demo.site / "ob3", tmp_path / "site/ob3")).parent
    (site / "ledger").mkdir()
    shutil.copy(demo.site / "ledger/checkpoint.json", site / "ledger/checkpoint.json")
    document = _json(demo.site / "did.json")
    (site / "did.json").write_text(
        json.dumps({**document, "id": "did:web:attacker.example"}), encoding="utf-8"
    )
    report = resolve_dids(independent, site, demo.base)
    assert "DID document id does not match" in report["error"]
    assert report["referenced"] and not any(r["found"] for r in report["referenced"])
    valid = next(p for p in demo.ob3("json") if not demo.is_revoked(p))
    result = verify_rdfc(independent, site, demo.base, valid)[str(valid)]
    assert result["verified"] is False
    assert "DID document id does not match" in result["error"]


# --- Digital Credentials Consortium verifier-core -------------------------------------------
# tests/interop/verify-dcc.mjs: its global fetch answered from the site, the bundled contexts
# and schemas/ (it cannot take a document loader). `registered_issuer` is DCC's trust list of
# known issuers, not conformance: a community is never in it, and no registry is consulted.

DCC_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)


@pytest.fixture(scope="module")
def dcc(node: str) -> str:
    if not (INTEROP / "node_modules/@digitalcredentials/verifier-core").is_dir():
        _unavailable("tests/interop/node_modules lacks @digitalcredentials/verifier-core")
    return node


def verify_dcc(node: str, site: Path, base: str, *files: Path) -> dict[str, dict[str, Any]]:
    args = ["--site", str(site), "--base", base, "--contexts", str(CONTEXTS)]
    reports = run_node(node, "verify-dcc.mjs", *args, *map(str, files))
    return {Path(r["file"]).name if not files else r["file"]: r for r in reports}


def test_every_credential_verifies_with_dcc_verifier_core(dcc: str, demo: Demo) -> None:
    reports = verify_dcc(dcc, demo.site, demo.base)
    assert set(reports) == {p.name for p in demo.ob3("json")}
    for path in demo.ob3("json"):
        report = reports[path.name]
        assert report["errors"] == [], (path.name, report["errors"])
        assert report["checks"] == {
            "valid_signature": True,
            "revocation_status": not demo.is_revoked(path),
            "expiration": True,
            "registered_issuer": False,
        }, path.name
        assert report["schema"] == [{"valid": True, "errors": None}], path.name
    fetched = {u for r in reports.values() for u in r["fetched"]}
    assert demo.base + "did.json" in fetched
    assert fetched <= {DCC_SCHEMA_URL} | {u for u in fetched if u.startswith(demo.base)}


def test_dcc_verifier_core_rejects_tampered_and_unrevoked_credentials(
    dcc: str, demo: Demo, tmp_path: Path
) -> None:
    files = _tampered_copies(dcc, demo, tmp_path)
    reports = verify_dcc(dcc, demo.site, demo.base, *files.values())
    results = {name: reports[str(path)] for name, path in files.items()}
    control = results.pop("control-resigned-unchanged")
    assert control["checks"]["valid_signature"] is True, control
    for name, report in results.items():
        assert report["checks"] == {}, name  # a bad signature is fatal: no other step runs
        assert report["errors"] == ["invalid_signature: The signature is not valid."], name

    # "Un-revoking" by clearing the bit in the published list, without the issuer's key.
    site = Path(shutil.copytree(demo.site / "ob3", tmp_path / "site/ob3")).parent
    shutil.copy(demo.site / "did.json", site / "did.json")
    status_path = site / "ob3/status/revocation.json"
    status = _json(status_path)
    cleared = gzip.compress(bytes(len(_decode_list(status["credentialSubject"]["encodedList"]))))
    status["credentialSubject"]["encodedList"] = "u" + _b64url(cleared)
    status_path.write_text(json.dumps(status), encoding="utf-8")
    revoked = next(p for p in demo.ob3("json") if demo.is_revoked(p))
    report = verify_dcc(dcc, site, demo.base, revoked)[str(revoked)]
    assert report["checks"]["valid_signature"] is True  # the credential itself is intact
    assert report["checks"]["revocation_status"] is None, report
    assert report["errors"] and report["errors"][0].startswith("revocation_status: "), report


# --- openbadgeslib (PyPI) ----------------------------------------------------------------------
# tests/interop/obl_verify.py in its own venv (setup.sh obl); every fetch goes through its
# `download` hook, answered from the site. It resolves the issuer's did:web itself. It verifies a
# status list's own signature only when the list is a JWT (`--verify-status-list`): our Data
# Integrity list is read for its bits but not authenticated by it (docs/credentials.md).

OBL_VENV = INTEROP / ".menteo-interop" / "obl-venv"


@pytest.fixture(scope="module")
def obl_python() -> Path:
    return _setup_venv("obl", OBL_VENV, "openbadgeslib")


def run_obl(python: Path, site: Path, base: str, *files: Path, lists: bool = False) -> Any:
    flags = ["--verify-status-list"] if lists else []
    command = [str(python), str(INTEROP / "obl_verify.py"), "--site", str(site), "--base", base]
    result = subprocess.run(
        [*command, *flags, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {r["file"]: r for r in json.loads(result.stdout)}


def test_openbadgeslib_accepts_every_data_integrity_credential_and_baked_image(
    obl_python: Path, demo: Demo
) -> None:
    files = [*demo.ob3("json"), *demo.ob3("png"), *demo.ob3("svg")]
    reports = run_obl(obl_python, demo.site, demo.base, *files)
    assert set(reports) == {str(p) for p in files}
    for path in files:
        report = reports[str(path)]
        if demo.is_revoked(path):
            assert report["valid"] is False, path.name
            assert "Credential status 'revocation' is set" in report["reason"], report
        else:
            assert report["valid"] is True, (path.name, report["reason"])
            assert report["format"] == "ldp", path.name
        assert demo.base + "did.json" in report["fetched"], path.name  # the key via did:web
        assert all(u.startswith(demo.base) for u in report["fetched"]), report


def test_openbadgeslib_accepts_every_vc_jwt(obl_python: Path, demo: Demo) -> None:
    """openbadgeslib binds each VC-JWT's `kid` to the issuer's DID (which is why `did.json`
    lists the RSA key as a `JsonWebKey`). It authenticates a status-list JWT differently: with
    one key it picks for the DID, ignoring the list's `kid`, and for our DID (an Ed25519 and an
    RSA key) that is the Ed25519 one, so it refuses the RS256 list (recorded in
    docs/credentials.md; jose and PyJWT verify the list through its `kid`). The credentials are
    judged with the list's bits read but its signature left to those verifiers."""
    methods = _json(demo.site / "did.json")["verificationMethod"]
    assert any(m.get("type") == "JsonWebKey" for m in methods), "openbadgeslib binds kid to did"
    files = demo.ob3("jwt")
    valid = next(p for p in files if not demo.is_revoked(p))
    strict = run_obl(obl_python, demo.site, demo.base, valid, lists=True)[str(valid)]
    assert "'RS256' in token header is not allowed for this key" in strict["reason"], strict
    reports = run_obl(obl_python, demo.site, demo.base, *files, lists=False)
    for path in files:
        report = reports[str(path)]
        if demo.is_revoked(path):
            assert report["valid"] is False, path.name
            assert "Credential status 'revocation' is set" in report["reason"], report
        else:
            assert report["valid"] is True, (path.name, report["reason"])


def test_openbadgeslib_rejects_tampered_credentials(
    obl_python: Path, node: str, demo: Demo, tmp_path: Path
) -> None:
    files = _tampered_copies(node, demo, tmp_path)
    reports = run_obl(obl_python, demo.site, demo.base, *files.values())
    results = {name: reports[str(path)] for name, path in files.items()}
    assert results.pop("control-resigned-unchanged")["valid"] is True
    for name in ("achievement-name-changed", "proof-by-another-key"):
        assert results[name]["valid"] is False, name
        assert "Invalid Data Integrity proof (signature mismatch)" in results[name]["reason"]
    foreign_report = results["issuer-does-not-control-key"]
    assert foreign_report["valid"] is False
    assert "does not belong to the anchored DID" in foreign_report["reason"]
    assert foreign_report["fetched"] == []  # the foreign DID is never fetched
