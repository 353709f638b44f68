"""The issue stage as a user meets it: every credential document of the mini site, what must
never be published, reproducible bytes and the signature cache, revocation end to end, and what
happens to credentials when keys are missing, made up for development, or rotated.

The mini site is built once per module (from a copy, so the fixture's own `.menteo/` is never
touched); tests that change the community or the keys work on their own copies.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicNumbers

from menteo.build import build_site
from menteo.cli import main
from menteo.credentials import baking, parallel
from menteo.credentials.cache import CACHE_FILE, DOCUMENT_CACHE
from menteo.credentials.encoding import b58encode, b64url_decode, ed25519_from_multikey
from menteo.credentials.keys import SigningKeys, read_key_directory, rsa_thumbprint
from menteo.credentials.proofs import verify_data_integrity, verify_jws

MINI = Path(__file__).parent / "fixtures" / "mini"
BASE = "https://example.org/mini/"
DID = "did:web:example.org:mini"
KEY_ENV = ("MENTEO_KEYS", "MENTEO_ED25519_KEY", "MENTEO_RSA_KEY")

REVOKED = "16b59542-1e5e-58c8-b3db-7cf00bf630b7"  # First Session to Jonas, revoked
STARTER = "d9ea9982-894d-5e2e-9061-294baa6eb751"  # Starter to Ana
GUIDE = "df9bd69f-ec70-5fef-97b2-cc50b0a5d4fb"  # Guide to Ana; one piece of private evidence
QUIET = "c70f54cc-aa23-50c8-9f2f-9a4c368b3e33"  # First Session to quiet-one, not public
PUBLIC_AWARDS = (REVOKED, STARTER, GUIDE)
STATUS_INDEX = {REVOKED: 98900, STARTER: 110355, GUIDE: 9674, QUIET: 29386}
REASON = "Recorded for the wrong session <b>by mistake</b>."
ANA = BASE + "mentors/ana-lukasiewicz/"
JONAS = BASE + "mentees/jonas-berg/"
KICKOFF = BASE + "threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/"
PROMOTED = BASE + "threads/ana-lukasiewicz--jonas-berg/2025-05-10-promoted/"
HIDDEN_EVIDENCE = (
    "1 growth-thread entry in mentorships that are not public also counts toward this award; "
    "they are recorded in the community's repository."
)
CRITERIA = {
    "beacon": "Holds the Guide badge; an average feedback rating of at least 4.5 out of 5, over "
    "3 or more responses; sessions in at least 3 different months within 6 months.",
    "first-session": "At least 1 session.",
    "guide": "Holds the Starter badge; at least 2 mentees with a session; at least 1 mentee "
    "outcome (a promotion).",
    "starter": "At least 1 session.",
}
DESCRIPTIONS = {
    "beacon": "For mentors whose mentees say so.",
    "first-session": "For mentees who have had a first session.",
    "guide": "For mentors of more than one mentee.",
    "starter": "For mentors who have held a first session.",
}
NAMES = {
    "beacon": "Beacon",
    "first-session": "First Session",
    "guide": "Guide",
    "starter": "Starter",
}


# ------------------------------------------------------------------ helpers


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def load(site: Path, path: str) -> Any:
    return json.loads((site / path).read_text(encoding="utf-8"))


def copy_mini(target: Path) -> Path:
    """The mini community without any `.menteo/` (no cache, no keys) a build left in it."""
    shutil.copytree(MINI, target, ignore=shutil.ignore_patterns(".menteo"))
    return target


def status_bits(site: Path) -> bytes:
    encoded = load(site, "ob3/status/revocation.json")["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    packed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert packed[:2] == b"\x1f\x8b"  # GZIP (RFC 1952), not zlib
    return gzip.decompress(packed)


def set_bits(bits: bytes) -> list[int]:
    return [i * 8 + b for i, byte in enumerate(bits) if byte for b in range(8) if byte & 0x80 >> b]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def jws_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header, payload, _ = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload))


def verify_output(result: Result) -> dict[str, tuple[str, str]]:
    """`menteo verify`'s report lines as path → (status, detail)."""
    outcomes = {}
    for line in result.stdout.splitlines():
        status, _, rest = line.partition(" ")
        if status in ("ok", "revoked", "failed"):
            path, _, detail = rest.strip().partition(": ")
            outcomes[path] = (status, detail)
    return outcomes


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


@dataclass(frozen=True)
class Built:
    root: Path
    site: Path
    keys: SigningKeys


@pytest.fixture(scope="module")
def session_keys(signing_keys: Path) -> SigningKeys:
    return read_key_directory(signing_keys)


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory, session_keys: SigningKeys) -> Built:
    folder = tmp_path_factory.mktemp("issue")
    root = copy_mini(folder / "mini")
    build_site(root, folder / "_site", workers=1)
    return Built(root, folder / "_site", session_keys)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_mini(tmp_path / "mini")


# ------------------------------------------------------------------ 1. OB 2.0 documents


def test_ob2_issuer_profile(mini: Built) -> None:
    kid = mini.keys.rsa_kid
    assert load(mini.site, "ob2/issuer.json") == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": BASE + "ob2/issuer.json",
        "name": "Mini Circle Org",
        "url": "https://example.org/",
        "publicKey": [f"{BASE}ob2/keys/{kid}.json"],
        "revocationList": BASE + "ob2/revocations.json",
        "verification": {"type": "VerificationObject", "startsWith": [BASE]},
    }


def test_issuer_email_and_recipient_identity_when_configured(project: Path, tmp_path: Path) -> None:
    config = project / "menteo.yml"
    config.write_text(
        config.read_text().replace(
            'url: "https://example.org/"}',
            'url: "https://example.org/", email: badges@example.org, '
            "description: Runs the circle.}",
        )
    )
    ana = project / "content/mentors/ana-lukasiewicz.md"
    ana.write_text(
        ana.read_text().replace(
            "availability: open", 'availability: open\nidentity: {url: "https://ana.example/"}'
        )
    )
    site = tmp_path / "out"
    build_site(project, site, workers=1)
    profile = load(site, "ob2/issuer.json")
    assert profile["email"] == "badges@example.org"
    assert profile["description"] == "Runs the circle."
    assert load(site, "ob3/issuer.json")["description"] == "Runs the circle."
    for uuid in (STARTER, GUIDE):
        assert load(site, f"ob2/assertions/{uuid}.json")["recipient"]["identity"] == (
            "https://ana.example/"
        )
        credential = load(site, f"ob3/credentials/{uuid}.json")
        assert credential["credentialSubject"]["id"] == "https://ana.example/"
        assert credential["issuer"]["description"] == "Runs the circle."
        _, claims = jws_parts((site / f"ob3/credentials/{uuid}.jwt").read_text())
        assert claims["sub"] == "https://ana.example/"
    jonas = load(site, f"ob3/credentials/{REVOKED}.json")
    assert jonas["credentialSubject"]["id"] == JONAS


@pytest.mark.parametrize("slug", sorted(NAMES))
def test_ob2_badge_class(mini: Built, slug: str) -> None:
    assert load(mini.site, f"ob2/badges/{slug}.json") == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "BadgeClass",
        "id": f"{BASE}ob2/badges/{slug}.json",
        "name": NAMES[slug],
        "description": DESCRIPTIONS[slug],
        "image": f"{BASE}badges/images/{slug}.png",
        "criteria": {"id": f"{BASE}badges/{slug}/", "narrative": CRITERIA[slug]},
        "issuer": BASE + "ob2/issuer.json",
    }
    assert (mini.site / f"badges/{slug}/index.html").is_file()
    assert (mini.site / f"badges/images/{slug}.png").is_file()


def test_ob2_cryptographic_key_is_the_configured_rsa_key(mini: Built) -> None:
    kid = mini.keys.rsa_kid
    assert kid == rsa_thumbprint(mini.keys.rsa.public_key())
    document = load(mini.site, f"ob2/keys/{kid}.json")
    assert document == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "CryptographicKey",
        "id": f"{BASE}ob2/keys/{kid}.json",
        "owner": BASE + "ob2/issuer.json",
        "publicKeyPem": document["publicKeyPem"],
    }
    pem = document["publicKeyPem"]
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\n")  # SPKI, not PKCS#1
    published = serialization.load_pem_public_key(pem.encode("ascii"))
    assert published.public_numbers() == mini.keys.rsa.public_key().public_numbers()
    assert sorted(p.name for p in (mini.site / "ob2/keys").iterdir()) == [f"{kid}.json"]


def test_ob2_hosted_assertion(mini: Built) -> None:
    assert load(mini.site, f"ob2/assertions/{GUIDE}.json") == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": f"{BASE}ob2/assertions/{GUIDE}.json",
        "recipient": {"type": "url", "hashed": False, "identity": ANA},
        "badge": BASE + "ob2/badges/guide.json",
        "issuedOn": "2025-06-01T10:00:00+00:00",
        "image": f"{BASE}ob2/assertions/{GUIDE}.hosted.png",
        "evidence": [
            {"id": KICKOFF, "name": "Kick-off"},
            {"id": PROMOTED, "name": "Promoted to SRE II"},
            {"name": "Entries in mentorships that are not public", "narrative": HIDDEN_EVIDENCE},
        ],
        "verification": {"type": "HostedBadge"},
    }


def test_ob2_signed_assertion_is_the_hosted_one_with_its_urn_and_key(mini: Built) -> None:
    token = (mini.site / f"ob2/assertions/{GUIDE}.jws").read_text()
    header, payload = verify_jws(token, mini.keys.rsa.public_key())
    assert header == {"alg": "RS256"}
    hosted = load(mini.site, f"ob2/assertions/{GUIDE}.json")
    assert json.loads(payload) == {
        **hosted,
        "id": f"urn:uuid:{GUIDE}",
        "image": f"{BASE}ob2/assertions/{GUIDE}.png",
        "verification": {
            "type": "SignedBadge",
            "creator": f"{BASE}ob2/keys/{mini.keys.rsa_kid}.json",
        },
    }


def test_ob2_revoked_hosted_assertion_is_stripped(mini: Built) -> None:
    assert load(mini.site, f"ob2/assertions/{REVOKED}.json") == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": f"{BASE}ob2/assertions/{REVOKED}.json",
        "revoked": True,
        "revocationReason": REASON,
    }


def test_ob2_revocation_list_names_both_ids_of_the_revoked_award(mini: Built) -> None:
    assert load(mini.site, "ob2/revocations.json") == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "RevocationList",
        "id": BASE + "ob2/revocations.json",
        "issuer": BASE + "ob2/issuer.json",
        "revokedAssertions": [
            {"id": f"{BASE}ob2/assertions/{REVOKED}.json", "revocationReason": REASON},
            {"id": f"urn:uuid:{REVOKED}", "revocationReason": REASON},
        ],
    }


# ------------------------------------------------------------------ 1. OB 3.0 documents


def _vm(keys: SigningKeys) -> str:
    return f"{DID}#{keys.ed25519_multikey}"


def test_ob3_credential(mini: Built) -> None:
    credential = load(mini.site, f"ob3/credentials/{GUIDE}.json")
    proof_value = credential["proof"][0]["proofValue"]
    assert credential == {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"urn:uuid:{GUIDE}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Guide",
        "issuer": {
            "id": DID,
            "type": ["Profile"],
            "name": "Mini Circle Org",
            "url": "https://example.org/",
        },
        "validFrom": "2025-06-01T10:00:00Z",
        "awardedDate": "2025-05-10T00:00:00Z",
        "credentialSubject": {
            "id": ANA,
            "type": ["AchievementSubject"],
            "achievement": {
                "id": BASE + "ob3/achievements/guide.json",
                "type": ["Achievement"],
                "achievementType": "Badge",
                "name": "Guide",
                "description": DESCRIPTIONS["guide"],
                "criteria": {"id": BASE + "badges/guide/", "narrative": CRITERIA["guide"]},
                "image": {
                    "id": BASE + "badges/images/guide.png",
                    "type": "Image",
                    "caption": "The Guide badge",
                },
            },
        },
        "credentialStatus": {
            "id": BASE + "ob3/status/revocation.json#9674",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "9674",
            "statusListCredential": BASE + "ob3/status/revocation.json",
        },
        "evidence": [
            {"type": ["Evidence"], "name": "Kick-off", "id": KICKOFF},
            {"type": ["Evidence"], "name": "Promoted to SRE II", "id": PROMOTED},
            {
                "type": ["Evidence"],
                "name": "Entries in mentorships that are not public",
                "narrative": HIDDEN_EVIDENCE,
            },
        ],
        "proof": [
            {
                "type": "DataIntegrityProof",
                "cryptosuite": "eddsa-rdfc-2022",
                "created": "2025-06-01T10:00:00Z",
                "verificationMethod": _vm(mini.keys),
                "proofPurpose": "assertionMethod",
                "proofValue": proof_value,
            }
        ],
    }
    assert _vm(mini.keys).startswith(f"{DID}#z6Mk")
    assert proof_value.startswith("z")
    assert verify_data_integrity(credential, mini.keys.ed25519.public_key())


@pytest.mark.parametrize("uuid", PUBLIC_AWARDS)
def test_ob3_every_credential_follows_the_ledger(mini: Built, uuid: str) -> None:
    credential = load(mini.site, f"ob3/credentials/{uuid}.json")
    ledger = {
        line["id"]: line
        for line in map(json.loads, (MINI / "ledger/awards.jsonl").read_text().splitlines())
        if line["event"] == "award"
    }
    award = ledger[f"urn:uuid:{uuid}"]
    assert credential["validFrom"] == award["recorded"]
    assert credential["awardedDate"] == f"{award['awarded']}T00:00:00Z"
    assert credential["credentialSubject"]["id"] == (
        JONAS if award["recipient"] == "jonas-berg" else ANA
    )
    assert credential["credentialStatus"]["statusListIndex"] == str(award["status_index"])
    assert credential["credentialStatus"]["id"].endswith(f"#{award['status_index']}")
    assert len(credential["proof"]) == 1
    assert verify_data_integrity(credential, mini.keys.ed25519.public_key())
    # Evidence links only to pages that are published.
    for item in credential.get("evidence", []):
        if "id" in item:
            assert item["id"].startswith(BASE + "threads/")
            page = mini.site / item["id"][len(BASE) :] / "index.html"
            assert page.is_file(), item
        else:
            assert item["name"] == "Entries in mentorships that are not public"


def _jsonwebkey(keys: SigningKeys) -> dict[str, Any]:
    jwk = {k: v for k, v in keys.rsa_jwk.items() if k != "kid"}
    return {
        "id": f"{DID}#{keys.rsa_kid}",
        "type": "JsonWebKey",
        "controller": DID,
        "publicKeyJwk": jwk,
    }


def _jwt_status(credential: dict[str, Any]) -> dict[str, Any]:
    """The credential as its VC-JWT form states it: its status in the VC-JWT status list."""
    index = credential["credentialStatus"]["statusListIndex"]
    url = BASE + "ob3/status/revocation.jwt"
    status = {**credential["credentialStatus"], "id": f"{url}#{index}", "statusListCredential": url}
    return {**credential, "credentialStatus": status}


def test_ob3_vc_jwt(mini: Built) -> None:
    token = (mini.site / f"ob3/credentials/{GUIDE}.jwt").read_text()
    assert token.count(".") == 2 and "\n" not in token
    header, claims = jws_parts(token)
    # The kid is a DID URL of the issuer, resolved through did.json (not an https URL).
    assert header == {"alg": "RS256", "typ": "JWT", "kid": f"{DID}#{mini.keys.rsa_kid}"}
    [method] = [
        m for m in load(mini.site, "did.json")["verificationMethod"] if m["id"] == header["kid"]
    ]
    jwk = method["publicKeyJwk"]
    assert set(jwk) == {"kty", "n", "e"}  # no "d", nor any other private member
    public = RSAPublicNumbers(
        int.from_bytes(b64url_decode(jwk["e"]), "big"),
        int.from_bytes(b64url_decode(jwk["n"]), "big"),
    ).public_key()
    assert public.public_numbers() == mini.keys.rsa.public_key().public_numbers()
    # The https JWK stays published for OB 2.0-era verifiers and JWTs issued before.
    assert load(mini.site, f"ob3/keys/{mini.keys.rsa_kid}.json") == mini.keys.rsa_jwk
    _, payload = verify_jws(token, public)
    credential = load(mini.site, f"ob3/credentials/{GUIDE}.json")
    # The plain credential (no Data Integrity proof) plus the JWT claims.
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    assert json.loads(payload) == {
        **_jwt_status(unsecured),
        "iss": DID,
        "jti": f"urn:uuid:{GUIDE}",
        "sub": ANA,
        "nbf": int(dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC).timestamp()),
    }
    assert claims["nbf"] == 1748772000 and "proof" not in claims


def test_status_list_vc_jwt(mini: Built) -> None:
    """The status list as a VC-JWT: the same bits, signed with the DID-bound RSA key."""
    token = (mini.site / "ob3/status/revocation.jwt").read_text()
    header, _ = jws_parts(token)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": f"{DID}#{mini.keys.rsa_kid}"}
    _, payload = verify_jws(token, mini.keys.rsa.public_key())
    listing = load(mini.site, "ob3/status/revocation.json")
    url = BASE + "ob3/status/revocation.jwt"
    assert json.loads(payload) == {
        **{k: v for k, v in listing.items() if k != "proof"},
        "id": url,
        "credentialSubject": {**listing["credentialSubject"], "id": url + "#list"},
        "iss": DID,
        "jti": url,
        "sub": url + "#list",
        "nbf": int(dt.datetime(2025, 6, 2, 10, tzinfo=dt.UTC).timestamp()),
    }


def test_status_list_credential(mini: Built) -> None:
    document = load(mini.site, "ob3/status/revocation.json")
    url = BASE + "ob3/status/revocation.json"
    assert {k: v for k, v in document.items() if k != "proof"} == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": DID,
        "validFrom": "2025-06-02T10:00:00Z",  # the revocation, the ledger's latest line
        "credentialSubject": {
            "id": url + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": document["credentialSubject"]["encodedList"],
        },
    }
    [proof] = document["proof"]
    assert proof["verificationMethod"] == _vm(mini.keys)
    assert proof["created"] == "2025-06-02T10:00:00Z"
    assert verify_data_integrity(document, mini.keys.ed25519.public_key())
    bits = status_bits(mini.site)
    assert len(bits) == 131_072 // 8
    assert set_bits(bits) == [STATUS_INDEX[REVOKED]]


def test_did_document(mini: Built) -> None:
    multikey = mini.keys.ed25519_multikey
    assert load(mini.site, "did.json") == {
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1",
            "https://w3id.org/security/jwk/v1",
        ],
        "id": DID,
        "verificationMethod": [
            {
                "id": f"{DID}#{multikey}",
                "type": "Multikey",
                "controller": DID,
                "publicKeyMultibase": multikey,
            },
            _jsonwebkey(mini.keys),
        ],
        "assertionMethod": [f"{DID}#{multikey}", f"{DID}#{mini.keys.rsa_kid}"],
    }
    public = ed25519_from_multikey(multikey)
    assert public.public_bytes_raw() == mini.keys.ed25519.public_key().public_bytes_raw()
    assert not (mini.site / ".well-known").exists()  # a path-based did:web resolves directly
    assert load(mini.site, "ob3/issuer.json")["id"] == DID


@pytest.mark.parametrize("slug", sorted(NAMES))
def test_badge_images_and_share_image(mini: Built, slug: str) -> None:
    images = mini.site / "badges/images"
    assert png_size((images / f"{slug}.png").read_bytes()) == (512, 512)
    root = ElementTree.fromstring((images / f"{slug}.svg").read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert png_size((mini.site / f"share/badges/{slug}.png").read_bytes()) == (1200, 627)


def test_baked_images_carry_the_hosted_documents(mini: Built) -> None:
    for uuid in PUBLIC_AWARDS:
        credential = (mini.site / f"ob3/credentials/{uuid}.json").read_text()
        png = (mini.site / f"ob3/credentials/{uuid}.png").read_bytes()
        assert png_size(png) == (512, 512)
        assert baking.extract_ob3_png(png) == credential
        svg = (mini.site / f"ob3/credentials/{uuid}.svg").read_text()
        assert baking.extract_ob3_svg(svg) == credential
        jws = (mini.site / f"ob2/assertions/{uuid}.jws").read_text()
        assert (
            baking.extract_ob2_png((mini.site / f"ob2/assertions/{uuid}.png").read_bytes()) == jws
        )
        assert baking.extract_ob2_svg((mini.site / f"ob2/assertions/{uuid}.svg").read_text()) == jws
        hosted = (mini.site / f"ob2/assertions/{uuid}.json").read_text()
        hosted_png = (mini.site / f"ob2/assertions/{uuid}.hosted.png").read_bytes()
        assert baking.extract_ob2_png(hosted_png) == hosted


# ------------------------------------------------------------------ 2. privacy and safety


def test_nothing_is_issued_for_a_mentee_who_did_not_consent(mini: Built) -> None:
    files = sorted(tree_digest(mini.site))
    assert not [f for f in files if QUIET in f or "quiet" in f]
    for directory, suffixes in (
        ("ob2/assertions", ("json", "hosted.png", "jws", "png", "svg")),
        ("ob3/credentials", ("json", "jwt", "png", "svg")),
    ):
        assert sorted(p.name for p in (mini.site / directory).iterdir()) == sorted(
            f"{uuid}.{suffix}" for uuid in PUBLIC_AWARDS for suffix in suffixes
        )
    awards = sorted(p.name for p in (mini.site / "awards").iterdir() if p.is_dir())
    assert awards == sorted(PUBLIC_AWARDS)
    for path in mini.site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in (QUIET.encode(), b"quiet-one", b"Quietname"):
                assert secret not in data, (path, secret)
    assert STATUS_INDEX[QUIET] not in set_bits(status_bits(mini.site))


def _private_material(folder: Path) -> list[bytes]:
    """Every form in which a private key could leak: PEM lines, the Ed25519 seed raw, in hex,
    base64(url) and as secretKeyMultibase (`z3u2…`), and every RSA private number."""
    found: list[bytes] = [b"PRIVATE KEY"]
    for name in ("ed25519.pem", "rsa.pem"):
        text = (folder / name).read_text(encoding="ascii")
        found += [line.encode() for line in text.splitlines() if not line.startswith("-----")]
        key = serialization.load_pem_private_key(text.encode("ascii"), None)
        if isinstance(key, Ed25519PrivateKey):
            seed = key.private_bytes_raw()
            multibase = "z" + b58encode(b"\x80\x26" + seed)
            assert multibase.startswith("z3u2")
            found += [
                seed,
                seed.hex().encode(),
                seed.hex().upper().encode(),
                base64.urlsafe_b64encode(seed).rstrip(b"="),
                base64.b64encode(seed).rstrip(b"="),
                b58encode(seed).encode(),
                multibase.encode(),
            ]
        else:
            assert isinstance(key, RSAPrivateKey)
            numbers = key.private_numbers()
            for value in (numbers.d, numbers.p, numbers.q, numbers.dmp1, numbers.dmq1):
                raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
                found += [raw, base64.urlsafe_b64encode(raw).rstrip(b"=")]
    return found


def test_no_private_key_material_in_any_output_file(mini: Built, signing_keys: Path) -> None:
    secrets = _private_material(signing_keys)
    assert len(secrets) > 20
    scanned = [p for p in mini.site.rglob("*") if p.is_file()]
    scanned.append(mini.root / CACHE_FILE)  # not published, but it must not hold keys either
    scanned += sorted((mini.root / DOCUMENT_CACHE).iterdir())  # nor the remembered documents
    assert any(p.suffix == ".png" for p in scanned)
    for path in scanned:
        data = path.read_bytes()
        for secret in secrets:
            assert secret not in data, f"private key material in {path}"


# ------------------------------------------------------------------ 3. determinism and cache


def test_builds_are_byte_identical_serial_parallel_and_without_cache(
    mini: Built, project: Path, tmp_path: Path
) -> None:
    build_site(project, tmp_path / "parallel", workers=2)
    assert (project / CACHE_FILE).is_file()
    (project / CACHE_FILE).unlink()
    _forget_documents(project)
    build_site(project, tmp_path / "uncached", workers=1)
    expected = tree_digest(mini.site)
    assert tree_digest(tmp_path / "parallel") == expected
    assert tree_digest(tmp_path / "uncached") == expected


def test_the_signature_cache_signs_nothing_twice(
    mini: Built, project: Path, tmp_path: Path, signatures: dict[str, int]
) -> None:
    build_site(project, tmp_path / "first", workers=1)
    # 3 credentials + the status list; 3 OB 2.0 JWSs + 3 VC-JWTs + the status list's VC-JWT.
    assert signatures == {"data_integrity": 4, "jws": 7}
    cache = project / CACHE_FILE
    stored = json.loads(cache.read_text())
    assert stored["format"] == 1 and len(stored["signatures"]) == 11
    build_site(project, tmp_path / "second", workers=1)
    assert signatures == {"data_integrity": 4, "jws": 7}, "the second build signed again"
    assert tree_digest(tmp_path / "second") == tree_digest(mini.site)
    assert tree_digest(tmp_path / "first") == tree_digest(mini.site)


@pytest.mark.parametrize(
    "garbage", ["{not json", "", '{"format": 2, "signatures": {}}', "[1, 2]", '{"format": 1}']
)
def test_a_tampered_cache_file_is_ignored(
    mini: Built, project: Path, tmp_path: Path, signatures: dict[str, int], garbage: str
) -> None:
    cache = project / CACHE_FILE
    cache.parent.mkdir(parents=True)
    cache.write_text(garbage)
    build_site(project, tmp_path / "out", workers=1)
    assert signatures == {"data_integrity": 4, "jws": 7}
    assert tree_digest(tmp_path / "out") == tree_digest(mini.site)
    assert len(json.loads(cache.read_text())["signatures"]) == 11  # rewritten whole


def _forget_documents(project: Path) -> None:
    """Whole award documents are remembered too (tests/test_rebuild_middle.py): without them
    every award's signatures come from the signature cache again."""
    shutil.rmtree(project / DOCUMENT_CACHE)


def _damage_entries(cache: Path, damage: Callable[[list[str]], list[str]]) -> None:
    _forget_documents(cache.parent.parent.parent)
    stored = json.loads(cache.read_text())
    digests = list(stored["signatures"])
    values = damage([stored["signatures"][d] for d in digests])
    stored["signatures"] = dict(zip(digests, values, strict=True))
    cache.write_text(json.dumps(stored))


def test_damaged_cache_entries_are_never_published(
    mini: Built, project: Path, tmp_path: Path, signatures: dict[str, int]
) -> None:
    build_site(project, tmp_path / "first", workers=1)
    cache = project / CACHE_FILE
    _damage_entries(cache, lambda values: ["garbage"] * len(values))
    build_site(project, tmp_path / "garbage", workers=1)
    assert signatures == {"data_integrity": 8, "jws": 14}  # everything signed again
    assert tree_digest(tmp_path / "garbage") == tree_digest(mini.site)

    # Valid JWSs, each filed under another input: caught by verifying them (cheap for RSA).
    def swap_jws(values: list[str]) -> list[str]:
        jws = [i for i, v in enumerate(values) if not v.startswith("[")]
        swapped = list(values)
        for i, j in zip(jws, jws[1:] + jws[:1], strict=True):
            swapped[i] = values[j]
        return swapped

    _damage_entries(cache, swap_jws)
    build_site(project, tmp_path / "swapped", workers=1)
    assert signatures == {"data_integrity": 8, "jws": 21}
    assert tree_digest(tmp_path / "swapped") == tree_digest(mini.site)


# ------------------------------------------------------------------ 4. revocation end to end


def test_revoke_then_rebuild(mini: Built, project: Path, tmp_path: Path) -> None:
    reason = "Awarded twice by mistake."
    result = run(
        "revoke",
        f"urn:uuid:{STARTER}",
        str(project),
        "--reason",
        reason,
        env={"SOURCE_DATE_EPOCH": "1750000000"},
    )
    assert result.exit_code == 0, result.output
    site = tmp_path / "out"
    build_site(project, site, workers=1)

    assert set_bits(status_bits(site)) == sorted([STATUS_INDEX[REVOKED], STATUS_INDEX[STARTER]])
    status = load(site, "ob3/status/revocation.json")
    assert status["validFrom"] == "2025-06-15T15:06:40Z"
    assert verify_data_integrity(status, mini.keys.ed25519.public_key())
    # The credential itself does not change: only the list it points at.
    for name in (f"ob3/credentials/{STARTER}.json", f"ob3/credentials/{STARTER}.jwt"):
        assert (site / name).read_bytes() == (mini.site / name).read_bytes()

    assert load(site, f"ob2/assertions/{STARTER}.json") == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": f"{BASE}ob2/assertions/{STARTER}.json",
        "revoked": True,
        "revocationReason": reason,
    }
    assert load(site, "ob2/revocations.json")["revokedAssertions"] == [
        {"id": f"{BASE}ob2/assertions/{REVOKED}.json", "revocationReason": REASON},
        {"id": f"urn:uuid:{REVOKED}", "revocationReason": REASON},
        {"id": f"{BASE}ob2/assertions/{STARTER}.json", "revocationReason": reason},
        {"id": f"urn:uuid:{STARTER}", "revocationReason": reason},
    ]
    page = (site / f"awards/{STARTER}/index.html").read_text()
    assert '<p class="status status-revoked" role="status"><strong>Revoked</strong>' in page
    assert f"{reason.rstrip('.')}</span>. Verifiers report" in page
    assert "<strong>Revoked</strong>" not in (site / f"awards/{GUIDE}/index.html").read_text()

    verified = run("verify", str(site))
    assert verified.exit_code == 0, verified.output
    outcomes = verify_output(verified)
    assert outcomes[f"ob3/credentials/{STARTER}.json"] == ("revoked", "")
    assert outcomes[f"ob2/assertions/{STARTER}.json"] == ("revoked", "")
    assert outcomes[f"ob3/credentials/{GUIDE}.json"] == ("ok", "")
    assert verified.stdout.endswith("3 valid, 4 revoked, 0 failed.\n")


# ------------------------------------------------------------------ 6. keys


NO_KEYS: dict[str, str | None] = dict.fromkeys(KEY_ENV)


def test_strict_build_without_keys_writes_nothing(project: Path) -> None:
    out = project / "_site"
    result = run("build", str(project), "--strict", env=NO_KEYS)
    assert result.exit_code == 1, result.output
    assert "keys: no signing keys configured: set MENTEO_ED25519_KEY and MENTEO_RSA_KEY" in (
        result.output
    )
    assert "nothing was written" in result.output
    assert not out.exists()
    # No key was made; only the parsed files and the evaluation were remembered (caches, see
    # parse_store and recognition.memo_store).
    left = {p.relative_to(project).as_posix() for p in (project / ".menteo").rglob("*")}
    caches = (".menteo/cache/parsed/", ".menteo/cache/evaluation/")
    assert {p for p in left if not p.startswith(caches)} == {
        ".menteo/.gitignore",
        ".menteo/cache",
        ".menteo/cache/parsed",
        ".menteo/cache/evaluation",
    }


def test_build_without_keys_makes_a_development_pair_and_says_so(project: Path) -> None:
    out = project / "_site"
    result = run("build", str(project), env=NO_KEYS)
    assert result.exit_code == 0, result.output
    keys_dir = project / ".menteo/keys"
    assert sorted(p.name for p in keys_dir.iterdir()) == ["DEVELOPMENT", "ed25519.pem", "rsa.pem"]
    assert "credentials are signed with a DEVELOPMENT key made on this machine" in result.stderr
    assert result.stderr.startswith(f"Warning: {keys_dir}:")
    development = read_key_directory(keys_dir)
    assert load(out, "did.json")["assertionMethod"] == [
        _vm(development),
        f"{DID}#{development.rsa_kid}",
    ]
    verified = run("verify", str(out))
    assert verified.exit_code == 0, verified.output
    # A second build reuses the pair and still warns.
    again = run("build", str(project), env=NO_KEYS)
    assert again.exit_code == 0 and "DEVELOPMENT key" in again.stderr
    assert read_key_directory(keys_dir).rsa_kid == development.rsa_kid
    for secret in _private_material(keys_dir):
        for path in out.rglob("*"):
            assert not path.is_file() or secret not in path.read_bytes()


def test_key_rotation_keeps_every_credential_verifiable(
    project: Path, tmp_path: Path, signing_keys: Path
) -> None:
    keys_dir = tmp_path / "keys"
    shutil.copytree(signing_keys, keys_dir)
    env: dict[str, str | None] = {**NO_KEYS, "MENTEO_KEYS": str(keys_dir)}
    old = read_key_directory(keys_dir)
    before, after = tmp_path / "before", tmp_path / "after"
    # Without a key chain a build is a development build, which --strict refuses.
    assert run("build", str(project), "--strict", "--out", str(before), env=env).exit_code == 1
    assert run("keys", "migrate", str(project), env=env).exit_code == 0
    assert run("build", str(project), "--strict", "--out", str(before), env=env).exit_code == 0
    rotated = run("keys", "rotate", str(project), env=env)
    assert rotated.exit_code == 0, rotated.output
    new = read_key_directory(keys_dir)
    assert new.rsa_kid != old.rsa_kid and new.ed25519_multikey != old.ed25519_multikey
    built = run("build", str(project), "--strict", "--out", str(after), env=env)
    assert built.exit_code == 0, built.output

    did = load(after, "did.json")
    kids = sorted([old.rsa_kid, new.rsa_kid])
    by_kid = {old.rsa_kid: _jsonwebkey(old), new.rsa_kid: _jsonwebkey(new)}
    assert did["verificationMethod"] == [
        {
            "id": _vm(k),
            "type": "Multikey",
            "controller": DID,
            "publicKeyMultibase": k.ed25519_multikey,
        }
        for k in (old, new)
    ] + [by_kid[k] for k in kids]
    assert did["assertionMethod"] == [_vm(old), _vm(new), *(f"{DID}#{k}" for k in kids)]
    assert load(after, "ob2/issuer.json")["publicKey"] == [f"{BASE}ob2/keys/{k}.json" for k in kids]
    assert sorted(p.name for p in (after / "ob2/keys").iterdir()) == [f"{k}.json" for k in kids]
    assert sorted(p.name for p in (after / "ob3/keys").iterdir()) == [f"{k}.json" for k in kids]

    # What actually happens: every recorded credential is signed again with the current keys
    # (same content and dates, new proofs)...
    for uuid in PUBLIC_AWARDS:
        credential = load(after, f"ob3/credentials/{uuid}.json")
        previous = load(before, f"ob3/credentials/{uuid}.json")
        assert credential["proof"][0]["verificationMethod"] == _vm(new)
        assert credential["proof"][0]["created"] == previous["proof"][0]["created"]
        assert {k: v for k, v in credential.items() if k != "proof"} == {
            k: v for k, v in previous.items() if k != "proof"
        }
        header, _ = jws_parts((after / f"ob3/credentials/{uuid}.jwt").read_text())
        assert header["kid"] == f"{DID}#{new.rsa_kid}"
    verified = run("verify", str(after))
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.endswith("5 valid, 2 revoked, 0 failed.\n")

    # ...and the copies recipients downloaded before the rotation, signed with the old keys,
    # still verify against the new site: every old public key stays published.
    mixed = tmp_path / "mixed"
    shutil.copytree(after, mixed)
    for uuid in PUBLIC_AWARDS:
        for name in (f"ob3/credentials/{uuid}", f"ob2/assertions/{uuid}"):
            for old_file in before.glob(f"{name}.*"):
                shutil.copyfile(old_file, mixed / old_file.relative_to(before))
    assert (mixed / f"ob3/credentials/{GUIDE}.jwt").read_bytes() != (
        after / f"ob3/credentials/{GUIDE}.jwt"
    ).read_bytes()
    verified = run("verify", str(mixed))
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.endswith("5 valid, 2 revoked, 0 failed.\n")


def test_parallel_signing_gives_exactly_the_serial_proofs(signing_keys: Path) -> None:
    from menteo.credentials.keys import read_key_directory

    key = read_key_directory(signing_keys).ed25519
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:web:example.org",
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "https://example.org/people/ana/"},
    }
    jobs = [
        (
            {**document, "id": f"urn:uuid:00000000-0000-5000-8000-{i:012d}"},
            "did:web:example.org#k",
            "2025-01-01T00:00:00Z",
        )
        for i in range(parallel.PARALLEL_FROM)
    ]
    assert parallel.sign_all(jobs, key, workers=2) == parallel.sign_all(jobs, key, workers=1)
