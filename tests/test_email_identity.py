"""Opt-in hashed email recipients, and OB 2.0 images baked with the form that names them.

Through the real CLI: `menteo hash-email` never takes, prints or writes the address; `menteo
check` refuses a malformed email identity without repeating what was pasted; `menteo build`
issues the hash as the OB 2.0 recipient and as an OB 3.0 IdentityObject; a Badgr-style import
(written here from Badgr's documented rule, not with menteo's code) matches it; and `menteo
verify` fails when a form's image carries another form.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner, Result

import test_interop
from menteo.cli import main
from menteo.content.models import Identity
from menteo.credentials.email_identity import email_sha256
from test_interop import CONTEXTS, INTEROP

MINI = Path(__file__).parent / "fixtures" / "mini"
GENERATOR = Path(__file__).resolve().parent.parent / "generator"
SCHEMA = Path(__file__).parent / "interop/schemas/ob_v3p0_achievementcredential.json"
BASE = "https://example.org/mini/"
ANA_FILE = "content/mentors/ana-lukasiewicz.md"
ANA_AWARDS = ("d9ea9982-894d-5e2e-9061-294baa6eb751", "df9bd69f-ec70-5fef-97b2-cc50b0a5d4fb")
JONAS_AWARD = "16b59542-1e5e-58c8-b3db-7cf00bf630b7"  # revoked
ADDRESS = "ana.l@example.org"
SALT = "k3Qx9vTmWb2p"
HASH = "sha256$" + hashlib.sha256((ADDRESS + SALT).encode()).hexdigest()


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def with_identity(root: Path, identity: str) -> None:
    ana = root / ANA_FILE
    text = ana.read_text(encoding="utf-8")
    ana.write_text(text.replace("availability: open", f"availability: open\n{identity}"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINI, tmp_path / "mini", ignore=shutil.ignore_patterns(".menteo")))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini site with Ana opted in to an email identity (beside her profile URL)."""
    folder = tmp_path_factory.mktemp("email")
    root = Path(shutil.copytree(MINI, folder / "mini", ignore=shutil.ignore_patterns(".menteo")))
    with_identity(root, f"identity:\n  email_sha256: {HASH}\n  salt: {SALT}")
    result = run("build", str(root), "--out", str(folder / "_site"))
    assert result.exit_code == 0, result.output
    return folder / "_site"


def load(site: Path, rel: str) -> Any:
    return json.loads((site / rel).read_text(encoding="utf-8"))


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def itxt(png: bytes, keyword: bytes) -> list[str]:
    """Every iTXt chunk's text under `keyword`, read straight from the PNG bytes (the way an
    importer with no Open Badges library would), not with menteo's baking module."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    found, offset = [], 8
    while offset < len(png):
        length = int.from_bytes(png[offset : offset + 4], "big")
        kind, data = png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]
        offset += 12 + length
        if kind == b"iTXt" and data.startswith(keyword + b"\0"):
            flag = data[len(keyword) + 1]
            _lang, _translated, text = data[len(keyword) + 3 :].split(b"\0", 2)
            found.append((zlib.decompress(text) if flag else text).decode("utf-8"))
    return found


# ------------------------------------------------------------------ menteo hash-email


def test_hash_matches_the_open_badges_worked_example() -> None:
    """OB 2.0 and 3.0 give sha256("a@example.com" + "Kosher") as their IdentityHash example."""
    assert email_sha256("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_hash_email_prints_the_lines_to_paste_and_never_the_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("hash-email", "--salt", SALT, input="  Ana.L@Example.ORG \n")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"identity:\n  email_sha256: {HASH}\n  salt: {SALT}\n"
    assert "@" not in result.output and "ana.l" not in result.output.lower()
    assert list(tmp_path.iterdir()) == []  # writes nothing
    pasted = yaml.safe_load(result.stdout)["identity"]
    assert Identity(**pasted).email_sha256 == HASH


def test_hash_email_makes_a_new_random_salt_each_time() -> None:
    first, second = (run("hash-email", input=ADDRESS + "\n") for _ in range(2))
    salts = [yaml.safe_load(r.stdout)["identity"]["salt"] for r in (first, second)]
    assert salts[0] != salts[1] and all(re.fullmatch(r"[0-9a-f]{32}", s) for s in salts)
    for result, salt in zip((first, second), salts, strict=True):
        expected = hashlib.sha256((ADDRESS + salt).encode()).hexdigest()
        assert yaml.safe_load(result.stdout)["identity"]["email_sha256"] == f"sha256${expected}"


@pytest.mark.parametrize(
    "args",
    [
        ("hash-email", ADDRESS),
        ("hash-email", "--email", ADDRESS),
        ("hash-email", f"--email={ADDRESS}"),
    ],
    ids=["argument", "option", "option="],
)
def test_hash_email_refuses_an_address_on_the_command_line(args: tuple[str, ...]) -> None:
    result = run(*args, input="")
    assert result.exit_code == 2
    assert "never taken from the command line" in result.output or "No such option" in result.output
    assert ADDRESS not in result.output and "sha256$" not in result.output


@pytest.mark.parametrize("given", ["not-an-address\n", "\n", "ana.l@example\n"])
def test_hash_email_refuses_what_is_not_an_address_without_echoing_it(given: str) -> None:
    result = run("hash-email", input=given)
    assert result.exit_code == 2 and "not an email address" in result.output
    assert given.strip() == "" or given.strip() not in result.output


@pytest.mark.parametrize("salt", ["short", "has space1", "x" * 65, "ünïcode-salt"])
def test_hash_email_refuses_a_salt_it_would_not_accept_in_a_file(salt: str) -> None:
    result = run("hash-email", "--salt", salt, input=ADDRESS + "\n")
    assert result.exit_code == 2 and "--salt" in result.output


def test_hash_email_prompt_does_not_echo_the_address(tmp_path: Path) -> None:
    """Typed at a real terminal: the hidden prompt asks twice and the screen never shows it."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(GENERATOR)}
    process = subprocess.Popen(
        [sys.executable, "-m", "menteo", "hash-email", "--salt", SALT],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=tmp_path,
        env=env,
        start_new_session=True,
    )
    os.close(follower)
    screen = b""

    def read_until(marker: bytes) -> None:
        nonlocal screen
        deadline = time.monotonic() + 30
        while marker not in screen and time.monotonic() < deadline:
            if select.select([leader], [], [], 0.5)[0]:
                try:
                    screen += os.read(leader, 4096)
                except OSError:
                    return

    read_until(b"Email address")
    os.write(leader, ADDRESS.encode() + b"\n")
    read_until(b"Again")
    os.write(leader, ADDRESS.encode() + b"\n")
    read_until(b"salt: " + SALT.encode())
    read_until(b"not stored.")
    process.wait(timeout=30)
    os.close(leader)
    assert process.returncode == 0, screen
    assert HASH.encode() in screen
    assert ADDRESS.encode() not in screen
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ the identity in a file


@pytest.mark.parametrize(
    ("identity", "message"),
    [
        (f"identity: {{email_sha256: {ADDRESS}, salt: {SALT}}}", "is not sha256$"),
        (f"identity: {{email_sha256: '{HASH.upper()}', salt: {SALT}}}", "is not sha256$"),
        (f"identity: {{email_sha256: '{HASH[:-1]}', salt: {SALT}}}", "is not sha256$"),
        (f"identity: {{email_sha256: '{HASH}'}}", "email_sha256 and salt go together"),
        (f"identity: {{salt: {SALT}}}", "email_sha256 and salt go together"),
        (f"identity: {{email_sha256: '{HASH}', salt: 'a b'}}", "8 to 64 letters"),
        (f"identity: {{email_sha256: '{HASH}', salt: '{ADDRESS}'}}", "8 to 64 letters"),
        (f"identity: {{email_sha256: [{ADDRESS}], salt: {SALT}}}", "is not sha256$"),
        (f"identity: {{email_sha256: '{HASH}', salt: {{x: {ADDRESS}}}}}", "8 to 64 letters"),
        ("identity: {}", "needs a url or an email_sha256"),
    ],
)
def test_check_refuses_a_malformed_email_identity(
    project: Path, identity: str, message: str
) -> None:
    with_identity(project, identity)
    result = run("check", str(project))
    assert result.exit_code == 1, result.output
    assert f"{ANA_FILE}:" in result.output and "identity" in result.output
    assert message in result.output
    assert ADDRESS not in result.output  # a pasted address is never repeated into CI logs


def test_an_email_identity_needs_no_url(project: Path, tmp_path: Path) -> None:
    with_identity(project, f"identity: {{email_sha256: '{HASH}', salt: {SALT}}}")
    result = run("build", str(project), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    credential = load(tmp_path / "out", f"ob3/credentials/{ANA_AWARDS[0]}.json")
    assert credential["credentialSubject"]["id"] == BASE + "mentors/ana-lukasiewicz/"


# ------------------------------------------------------------------ the credentials


def test_ob2_recipient_is_the_hashed_email_in_both_forms(site: Path) -> None:
    recipient = {"type": "email", "hashed": True, "salt": SALT, "identity": HASH}
    for uuid in ANA_AWARDS:
        assert load(site, f"ob2/assertions/{uuid}.json")["recipient"] == recipient
        jws = (site / f"ob2/assertions/{uuid}.jws").read_text()
        assert json.loads(b64url(jws.split(".")[1]))["recipient"] == recipient
    # Someone who did not opt in keeps the profile URL (revoked: its signed form says so).
    jws = (site / f"ob2/assertions/{JONAS_AWARD}.jws").read_text()
    assert json.loads(b64url(jws.split(".")[1]))["recipient"]["type"] == "url"


def test_ob3_subject_keeps_its_id_and_adds_an_identity_object(site: Path) -> None:
    for uuid in ANA_AWARDS:
        credential = load(site, f"ob3/credentials/{uuid}.json")
        subject = credential["credentialSubject"]
        assert subject["id"] == BASE + "mentors/ana-lukasiewicz/"
        assert subject["identifier"] == [
            {
                "type": "IdentityObject",
                "identityHash": HASH,
                "identityType": "emailAddress",
                "hashed": True,
                "salt": SALT,
            }
        ]
        claims = json.loads(
            b64url((site / f"ob3/credentials/{uuid}.jwt").read_text().split(".")[1])
        )
        assert claims["credentialSubject"]["identifier"] == subject["identifier"]
    jonas = load(site, f"ob3/credentials/{JONAS_AWARD}.json")["credentialSubject"]
    assert "identifier" not in jonas


def test_credentials_with_an_identity_object_match_the_ob3_json_schema(site: Path) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft201909Validator(schema)
    for uuid in ANA_AWARDS:
        credential = load(site, f"ob3/credentials/{uuid}.json")
        assert [e.message for e in validator.iter_errors(credential)] == []
        broken = json.loads(json.dumps(credential))
        del broken["credentialSubject"]["identifier"][0]["identityType"]
        assert list(validator.iter_errors(broken))  # the schema does judge the IdentityObject


def test_the_site_verifies_and_never_contains_the_address(site: Path) -> None:
    result = run("verify", str(site))
    assert result.exit_code == 0, result.output
    for path in site.rglob("*"):
        if path.is_file():
            assert ADDRESS.encode() not in path.read_bytes(), path


# ------------------------------------------------------------------ a Badgr-style import


def _badgr_accepts(assertion: dict[str, Any], account_emails: list[str]) -> bool:
    """Badgr's rule on import (and validator-core's, which it runs): the recipient must be of
    type email; a hashed identity is `alg$hex` of an address of the signed-in account followed
    by the salt; addresses are compared as the account keeps them (lowercase)."""
    recipient = assertion["recipient"]
    if recipient["type"] != "email":
        return False
    if not recipient["hashed"]:
        return recipient["identity"] in account_emails
    algorithm, _, digest = recipient["identity"].lower().partition("$")
    assert algorithm == "sha256"
    salt = recipient.get("salt", "")
    return any(
        hashlib.sha256((email + salt).encode("utf-8")).hexdigest() == digest
        for email in account_emails
    )


def test_badgr_style_import_of_each_baked_png_finds_the_account(site: Path) -> None:
    for uuid in ANA_AWARDS:
        folder = site / "ob2/assertions"
        (hosted_text,) = itxt((folder / f"{uuid}.hosted.png").read_bytes(), b"openbadges")
        (jws,) = itxt((folder / f"{uuid}.png").read_bytes(), b"openbadges")
        for assertion in (json.loads(hosted_text), json.loads(b64url(jws.split(".")[1]))):
            assert assertion["recipient"]["hashed"] is True
            assert _badgr_accepts(assertion, [ADDRESS])
            assert _badgr_accepts(assertion, ["someone@example.org", ADDRESS])
            assert not _badgr_accepts(assertion, ["ana.l@example.com"])
        (text,) = itxt((site / f"ob3/credentials/{uuid}.png").read_bytes(), b"openbadgecredential")
        [identity] = json.loads(text)["credentialSubject"]["identifier"]
        expected = hashlib.sha256((ADDRESS + identity["salt"]).encode()).hexdigest()
        assert identity["identityHash"] == f"sha256${expected}"


# ------------------------------------------------------------------ each form's own image


def test_each_ob2_form_points_at_a_png_baked_with_itself(site: Path) -> None:
    for uuid in (*ANA_AWARDS, JONAS_AWARD):
        folder = site / "ob2/assertions"
        hosted = load(site, f"ob2/assertions/{uuid}.json")
        (baked,) = itxt((folder / f"{uuid}.hosted.png").read_bytes(), b"openbadges")
        assert baked == (folder / f"{uuid}.json").read_text(encoding="utf-8")
        assert json.loads(baked)["id"] == hosted["id"] == f"{BASE}ob2/assertions/{uuid}.json"
        jws = (folder / f"{uuid}.jws").read_text()
        signed = json.loads(b64url(jws.split(".")[1]))
        (baked_jws,) = itxt((folder / f"{uuid}.png").read_bytes(), b"openbadges")
        assert baked_jws == jws and signed["id"] == f"urn:uuid:{uuid}"
        assert signed["image"] == f"{BASE}ob2/assertions/{uuid}.png"
        if not hosted.get("revoked"):
            assert hosted["image"] == f"{BASE}ob2/assertions/{uuid}.hosted.png"


def test_award_page_offers_the_hosted_png(site: Path) -> None:
    page = (site / f"awards/{ANA_AWARDS[0]}/index.html").read_text(encoding="utf-8")
    assert f"/mini/ob2/assertions/{ANA_AWARDS[0]}.hosted.png" in page
    assert f"/mini/ob2/assertions/{ANA_AWARDS[0]}.png" in page


@pytest.mark.parametrize(
    ("source", "target", "why"),
    [
        ("png", "hosted.png", "the hosted PNG differs from the hosted assertion"),
        ("hosted.png", "png", "the baked PNG differs from the signed assertion"),
    ],
)
def test_verify_fails_when_a_form_image_carries_the_other_form(
    site: Path, tmp_path: Path, source: str, target: str, why: str
) -> None:
    copy = Path(shutil.copytree(site, tmp_path / "site"))
    folder = copy / "ob2/assertions"
    uuid = ANA_AWARDS[1]
    shutil.copyfile(folder / f"{uuid}.{source}", folder / f"{uuid}.{target}")
    result = run("verify", str(copy))
    assert result.exit_code == 1
    assert f"ob2/assertions/{uuid}.json" in result.output and why in result.output


def test_verify_fails_when_the_hosted_assertion_points_at_the_signed_image(
    site: Path, tmp_path: Path
) -> None:
    """The two-badges-for-one-award mistake: the hosted form naming the JWS-baked PNG."""
    copy = Path(shutil.copytree(site, tmp_path / "site"))
    uuid = ANA_AWARDS[1]
    path = copy / f"ob2/assertions/{uuid}.json"
    hosted = json.loads(path.read_text(encoding="utf-8"))
    hosted["image"] = f"{BASE}ob2/assertions/{uuid}.png"
    path.write_text(json.dumps(hosted, indent=2) + "\n", encoding="utf-8")
    result = run("verify", str(copy))
    assert result.exit_code == 1 and f"ob2/assertions/{uuid}.json" in result.output


# ------------------------------------------------------------------ Badgr's own engine

validator_core_venv = test_interop.ob2_python
"""test_interop's `ob2_python` fixture: validator-core's own virtualenv (a skip locally without it)."""


def _validator_core(python: Path, site: Path, emails: list[str], *inputs: str) -> dict[str, Any]:
    """1EdTech's validator-core (what Badgr runs on import) with a trusted recipient profile."""
    result = subprocess.run(
        [
            str(python),
            str(INTEROP / "ob2_validate.py"),
            *(f"--recipient-email={email}" for email in emails),
            "--site",
            str(site),
            "--base",
            BASE,
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


@pytest.mark.slow
def test_validator_core_imports_for_the_account_with_that_address(
    validator_core_venv: Path, site: Path
) -> None:
    folder = site / "ob2/assertions"
    inputs = []
    for uuid in ANA_AWARDS:
        inputs += [
            f"jws:{folder / f'{uuid}.jws'}",
            f"url:{BASE}ob2/assertions/{uuid}.json",
            f"image:{folder / f'{uuid}.hosted.png'}",
            f"image:{folder / f'{uuid}.png'}",
        ]
    accepted = _validator_core(validator_core_venv, site, ["other@example.org", ADDRESS], *inputs)
    for item in inputs:
        report = accepted[item]
        errors = [m for m in report["messages"] if m["level"] in ("ERROR", "EXCEPTION")]
        assert report["valid"] is True and not errors, (item, errors)
        subject = report["validationSubject"]
        assert subject.startswith((f"{BASE}ob2/assertions/", "urn:uuid:")), item
    refused = _validator_core(validator_core_venv, site, ["ana.l@example.com"], *inputs)
    for item in inputs:
        report = refused[item]
        names = {m["name"] for m in report["messages"] if m["level"] == "ERROR"}
        assert report["valid"] is False and names == {"VERIFY_RECIPIENT_IDENTIFIER"}, (
            item,
            report["messages"],
        )


# ------------------------------------------------------------------ the reviewer sees it


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.mark.parametrize(
    ("before", "after", "listed"),
    [
        ("", f"identity:\n  email_sha256: {HASH}\n  salt: {SALT}", True),
        (
            f"identity:\n  email_sha256: {HASH}\n  salt: {SALT}",
            f"identity:\n  email_sha256: {email_sha256('mallory@example.org', SALT)}\n"
            f"  salt: {SALT}",
            True,
        ),
        (
            'identity: {url: "https://ana.example/"}',
            'identity: {url: "https://evil.example/"}',
            True,
        ),
        (
            f"identity:\n  email_sha256: {HASH}\n  salt: {SALT}",
            f"identity:\n  salt: {SALT}\n  email_sha256: {HASH}",
            False,
        ),
        (f"identity:\n  email_sha256: {HASH}\n  salt: {SALT}", "", False),
    ],
    ids=["added", "replaced", "url", "reordered", "removed"],
)
def test_check_against_lists_a_changed_badge_identity_for_the_reviewer(
    project: Path, before: str, after: str, listed: bool
) -> None:
    """Awards follow the identity, and a hash is opaque in a diff: a pull request that points
    someone's badges at another identity is shown to the reviewer (a warning, exit 0)."""
    with_identity(project, before)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "base")
    ana = project / ANA_FILE
    text = ana.read_text(encoding="utf-8")
    ana.write_text(
        text.replace(before, after)
        if before
        else text.replace("availability: open", f"availability: open\n{after}")
    )
    ana.write_text(ana.read_text(encoding="utf-8") + "\nA new line of bio.\n")
    result = run("check", str(project), "--against", "HEAD")
    assert result.exit_code == 0, result.output
    line = f"  {ANA_FILE}:"
    shown = [row for row in result.output.splitlines() if row.startswith(line)]
    if listed:
        assert len(shown) == 1 and "Changes the badge identity of Ana" in shown[0], result.output
    else:
        assert shown == [], result.output
