"""Signing keys: where they are loaded from, the key chain in keys/public.json, and
`menteo keys`. Attacks on both are in test_security_keys.py."""

from __future__ import annotations

import json
import re
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from menteo.commands.keys import keys as keys_group
from menteo.credentials.encoding import b58encode, b64url_decode, ed25519_multikey
from menteo.credentials.key_chain import KeyChain, new_entry, read_key_chain, write_key_chain
from menteo.credentials.keys import (
    KeysError,
    SigningKeys,
    load_keys,
    rsa_thumbprint,
)
from menteo.errors import ContentError

ENV_NAMES = ("MENTEO_KEYS", "MENTEO_ED25519_KEY", "MENTEO_RSA_KEY")

NOT_A_KEY = Path(__file__).parent / "fixtures/keys/not-a-key.pem"
"""PEM armour around no key: see tests/fixtures/keys/README.md."""


def _pem(key: Any, password: bytes | None = None) -> str:
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode("ascii")


@pytest.fixture(scope="module")
def pems() -> dict[str, str]:
    """Generated once: RSA-2048 generation is the slow part of this module."""
    strong = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "ed25519": _pem(Ed25519PrivateKey.generate()),
        "ed25519-b": _pem(Ed25519PrivateKey.generate()),
        "rsa": _pem(strong),
        "rsa-b": _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "rsa-1024": _pem(rsa.generate_private_key(public_exponent=65537, key_size=1024)),
        "ec": _pem(ec.generate_private_key(ec.SECP256R1())),
        "rsa-encrypted": _pem(strong, b"secret"),
    }


@pytest.fixture(autouse=True)
def no_key_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def _env(pems: dict[str, str], ed: str = "ed25519", rsa_name: str = "rsa") -> dict[str, str]:
    return {"MENTEO_ED25519_KEY": pems[ed], "MENTEO_RSA_KEY": pems[rsa_name]}


def _write_pair(
    directory: Path, pems: dict[str, str], ed: str = "ed25519", rsa_name: str = "rsa"
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ed25519.pem").write_text(pems[ed], encoding="ascii")
    (directory / "rsa.pem").write_text(pems[rsa_name], encoding="ascii")
    return directory


def _keys(pems: dict[str, str], ed: str = "ed25519", rsa_name: str = "rsa") -> SigningKeys:
    return load_keys(Path("/nonexistent"), _env(pems, ed, rsa_name), strict=True)


# ------------------------------------------------------------------ loading


def test_keys_from_environment(pems: dict[str, str], tmp_path: Path) -> None:
    keys = load_keys(tmp_path, _env(pems), strict=True)
    assert not keys.development
    assert "MENTEO_ED25519_KEY" in keys.source
    expected = serialization.load_pem_private_key(pems["ed25519"].encode(), None).public_key()
    assert keys.ed25519_multikey == ed25519_multikey(expected)  # type: ignore[arg-type]
    assert not (tmp_path / ".menteo").exists()


def test_environment_wins_over_key_directories(pems: dict[str, str], tmp_path: Path) -> None:
    _write_pair(tmp_path / ".menteo/keys", pems, "ed25519-b", "rsa-b")
    environ = {**_env(pems), "MENTEO_KEYS": str(_write_pair(tmp_path / "ci", pems, "ed25519-b"))}
    assert (
        load_keys(tmp_path, environ, strict=True).ed25519_multikey == _keys(pems).ed25519_multikey
    )


def test_both_environment_variables_are_required(pems: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(KeysError, match="both MENTEO_ED25519_KEY and MENTEO_RSA_KEY"):
        load_keys(tmp_path, {"MENTEO_RSA_KEY": pems["rsa"]}, strict=False)


@pytest.mark.parametrize(
    ("ed", "rsa_name", "message"),
    [
        ("rsa", "rsa", "MENTEO_ED25519_KEY: expected an Ed25519 private key"),
        ("ed25519", "ed25519", "MENTEO_RSA_KEY: expected an RSA private key"),
        ("ed25519", "ec", "MENTEO_RSA_KEY: expected an RSA"),
        ("ed25519", "rsa-1024", "MENTEO_RSA_KEY: RSA key has 1024 bits; at least 2048"),
        ("ed25519", "rsa-encrypted", "MENTEO_RSA_KEY: the key is encrypted"),
        ("garbage", "rsa", "MENTEO_ED25519_KEY: not a PEM private key"),
    ],
)
def test_unfit_keys_are_refused_naming_their_source(
    pems: dict[str, str], ed: str, rsa_name: str, message: str
) -> None:
    pems = {**pems, "garbage": NOT_A_KEY.read_text(encoding="ascii")}
    with pytest.raises(KeysError, match=re.escape(message)):
        _keys(pems, ed, rsa_name)


def test_keys_from_the_menteo_keys_directory(pems: dict[str, str], tmp_path: Path) -> None:
    directory = _write_pair(tmp_path / "secrets", pems)
    keys = load_keys(tmp_path, {"MENTEO_KEYS": str(directory)}, strict=True)
    assert keys.source == str(directory)
    assert keys.rsa_kid == _keys(pems).rsa_kid
    assert not keys.development


def test_a_configured_directory_must_hold_the_pair(pems: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(KeysError, match="cannot read the key pair"):
        load_keys(tmp_path, {"MENTEO_KEYS": str(tmp_path / "missing")}, strict=False)
    assert not (tmp_path / "missing").exists()
    _write_pair(tmp_path / "bad", pems, rsa_name="rsa-1024")
    with pytest.raises(KeysError, match=re.escape(str(tmp_path / "bad" / "rsa.pem"))):
        load_keys(tmp_path, {"MENTEO_KEYS": str(tmp_path / "bad")}, strict=False)


def test_keys_from_the_community_directory(pems: dict[str, str], tmp_path: Path) -> None:
    _write_pair(tmp_path / ".menteo/keys", pems)
    keys = load_keys(tmp_path, {}, strict=True)
    assert keys.ed25519_multikey == _keys(pems).ed25519_multikey
    assert keys.source == str(tmp_path / ".menteo/keys")
    assert not keys.development


def test_half_a_pair_is_never_overwritten(pems: dict[str, str], tmp_path: Path) -> None:
    keys_dir = tmp_path / ".menteo/keys"
    keys_dir.mkdir(parents=True)
    (keys_dir / "ed25519.pem").write_text(pems["ed25519"], encoding="ascii")
    with pytest.raises(KeysError, match=r"rsa\.pem"):
        load_keys(tmp_path, {}, strict=False)
    assert (keys_dir / "ed25519.pem").read_text(encoding="ascii") == pems["ed25519"]


def test_a_development_pair_is_created_once_owner_only(tmp_path: Path) -> None:
    keys = load_keys(tmp_path, {}, strict=False)
    keys_dir = tmp_path / ".menteo/keys"
    assert keys.development and keys.source == str(keys_dir)
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / ".menteo").stat().st_mode) == 0o700
    for name in ("ed25519.pem", "rsa.pem"):
        assert stat.S_IMODE((keys_dir / name).stat().st_mode) == 0o600
        assert (
            (keys_dir / name).read_text(encoding="ascii").startswith("-----BEGIN PRIVATE KEY-----")
        )
    assert (tmp_path / ".menteo/.gitignore").read_text(encoding="utf-8") == "*\n"
    assert keys.rsa.key_size == 2048
    again = load_keys(tmp_path, {}, strict=True)
    assert (again.ed25519_multikey, again.rsa_kid) == (keys.ed25519_multikey, keys.rsa_kid)
    assert again.development


def test_strict_refuses_to_invent_keys(tmp_path: Path) -> None:
    with pytest.raises(KeysError) as caught:
        load_keys(tmp_path, {}, strict=True)
    assert isinstance(caught.value, ValueError)
    for name in ("MENTEO_ED25519_KEY", "MENTEO_RSA_KEY", "MENTEO_KEYS", "menteo keys generate"):
        assert name in str(caught.value)
    assert not (tmp_path / ".menteo").exists()


def test_public_forms_of_the_rsa_key(pems: dict[str, str]) -> None:
    keys = _keys(pems)
    public = serialization.load_pem_public_key(keys.rsa_public_pem.encode("ascii"))
    assert keys.rsa_public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert public == keys.rsa.public_key()
    assert set(keys.rsa_jwk) == {"kty", "n", "e", "kid"}
    assert keys.rsa_jwk["kty"] == "RSA" and keys.rsa_jwk["e"] == "AQAB"
    assert keys.rsa_jwk["kid"] == keys.rsa_kid
    assert keys.ed25519_multikey.startswith("z6Mk")


def test_kid_is_the_rfc_7638_thumbprint() -> None:
    """The example key and thumbprint of RFC 7638 §3.1."""
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
        "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
        "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
        "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    )
    modulus = int.from_bytes(b64url_decode(n), "big")
    key = rsa.RSAPublicNumbers(65537, modulus).public_key()
    assert rsa_thumbprint(key) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


# ------------------------------------------------------------------ key chain


def _chain(root: Path) -> KeyChain:
    chain = read_key_chain(root)
    assert chain is not None
    return chain


def test_a_missing_chain_is_none(tmp_path: Path) -> None:
    assert read_key_chain(tmp_path) is None


def test_a_chain_publishes_every_key_it_holds(pems: dict[str, str], tmp_path: Path) -> None:
    first, second = _keys(pems), _keys(pems, "ed25519-b", "rsa-b")
    root = new_entry(first, "2025-01-02")
    write_key_chain(tmp_path, [root, new_entry(second, "2025-06-01", (root, first))])
    chain = _chain(tmp_path)
    assert chain.lines == (3, 15)  # each entry's opening brace
    assert chain.holds(second) == 1 and chain.holds(first) == 0
    published = chain.published()
    assert [(e.multikey, e.since) for e in published.ed25519] == [
        (first.ed25519_multikey, "2025-01-02"),
        (second.ed25519_multikey, "2025-06-01"),
    ]
    assert [(e.kid, e.public_pem) for e in published.rsa] == [
        (first.rsa_kid, first.rsa_public_pem),
        (second.rsa_kid, second.rsa_public_pem),
    ]
    text = (tmp_path / "keys/public.json").read_text(encoding="utf-8")
    assert "PRIVATE" not in text
    assert list((tmp_path / "keys").iterdir()) == [tmp_path / "keys/public.json"]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("{not json", 1, "not JSON"),
        ("[]", 1, "expected"),
        ('{"chain": "none"}', 1, "expected"),
        ('{"chain": []}', 1, "the chain is empty"),
        ('{"chain": [], "extra": 1}', 1, "expected"),
        ('{\n"chain": [\n\n  {"since": "2025-01-01"}]}', 4, "malformed entry"),
        ('{"chain": [7]}', 1, "must be an object"),
        ('{"ed25519": [], "rsa": []}', 1, "old flat key list"),
    ],
)
def test_a_malformed_chain_is_refused_at_its_line(
    tmp_path: Path, content: str, line: int, message: str
) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys/public.json").write_text(content, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        read_key_chain(tmp_path)
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == ("keys/public.json", line)
    assert message in problem.message


def test_an_old_flat_registry_asks_for_migrate(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys/public.json").write_text('{"ed25519": [], "rsa": []}', encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        read_key_chain(tmp_path)
    assert "menteo keys migrate" in caught.value.problems[0].hint


def test_a_chain_kid_must_match_its_key(pems: dict[str, str], tmp_path: Path) -> None:
    entry = new_entry(_keys(pems), "2025-01-02")
    entry["rsa"]["kid"] = _keys(pems, rsa_name="rsa-b").rsa_kid
    write_key_chain(tmp_path, [entry])
    with pytest.raises(ContentError, match="thumbprint"):
        read_key_chain(tmp_path)


# ------------------------------------------------------------------ menteo keys


def _run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(keys_group, list(args), env=env, catch_exceptions=False)


def _private_material(directory: Path) -> list[str]:
    """Every line of the private PEM bodies and the raw Ed25519 seed in common encodings."""
    lines = []
    for name in ("ed25519.pem", "rsa.pem"):
        text = (directory / name).read_text(encoding="ascii")
        lines += [line for line in text.splitlines() if line and not line.startswith("-----")]
        key = serialization.load_pem_private_key(text.encode("ascii"), None)
        if isinstance(key, Ed25519PrivateKey):
            seed = key.private_bytes_raw()
            lines += [seed.hex(), b58encode(seed), b58encode(b"\x80\x26" + seed)]
    return lines


def _assert_no_private_material(output: str, directory: Path) -> None:
    assert "PRIVATE KEY" not in output
    for secret in _private_material(directory):
        assert secret not in output


def test_generate_writes_a_pair_and_records_it(tmp_path: Path) -> None:
    result = _run("generate", str(tmp_path))
    assert result.exit_code == 0, result.output
    keys = load_keys(tmp_path, {}, strict=True)
    assert not keys.development
    assert keys.ed25519_multikey in result.output
    assert keys.rsa_kid in result.output
    assert str(tmp_path / ".menteo/keys") in result.output
    chain = _chain(tmp_path)
    assert len(chain.entries) == 1 and chain.holds(keys) == 0
    assert stat.S_IMODE((tmp_path / ".menteo/keys/rsa.pem").stat().st_mode) == 0o600
    _assert_no_private_material(result.output, tmp_path / ".menteo/keys")


def test_generate_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    assert _run("generate", str(tmp_path)).exit_code == 0
    first = load_keys(tmp_path, {}, strict=True)
    refused = _run("generate", str(tmp_path))
    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert load_keys(tmp_path, {}, strict=True).rsa_kid == first.rsa_kid
    forced = _run("generate", str(tmp_path), "--force")
    assert forced.exit_code == 0, forced.output
    assert "NEW key chain" in forced.output and "no longer verify" in forced.output
    second = load_keys(tmp_path, {}, strict=True)
    assert second.rsa_kid != first.rsa_kid
    chain = _chain(tmp_path)
    assert len(chain.entries) == 1 and chain.holds(second) == 0


def test_generate_refuses_when_a_chain_exists(tmp_path: Path) -> None:
    assert _run("generate", str(tmp_path)).exit_code == 0
    shutil.rmtree(tmp_path / ".menteo")
    refused = _run("generate", str(tmp_path))
    assert refused.exit_code == 1
    assert "keys/public.json already exists" in refused.output
    assert "menteo keys rotate" in refused.output and "--force" in refused.output


def test_generate_replaces_a_development_pair_only_with_force(tmp_path: Path) -> None:
    load_keys(tmp_path, {}, strict=False)
    assert _run("generate", str(tmp_path)).exit_code == 1
    assert _run("generate", str(tmp_path), "--force").exit_code == 0
    assert not load_keys(tmp_path, {}, strict=True).development


def test_generate_into_menteo_keys(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    result = _run("generate", str(tmp_path), env={"MENTEO_KEYS": str(secrets)})
    assert result.exit_code == 0, result.output
    assert (secrets / "ed25519.pem").exists() and not (tmp_path / ".menteo").exists()
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o700
    assert _chain(tmp_path).holds(load_keys(tmp_path, {"MENTEO_KEYS": str(secrets)}, True)) == 0


def test_rotate_replaces_the_pair_and_keeps_old_public_keys(tmp_path: Path) -> None:
    assert _run("generate", str(tmp_path)).exit_code == 0
    old = load_keys(tmp_path, {}, strict=True)
    result = _run("rotate", str(tmp_path))
    assert result.exit_code == 0, result.output
    new = load_keys(tmp_path, {}, strict=True)
    assert new.ed25519_multikey != old.ed25519_multikey and new.rsa_kid != old.rsa_kid
    for key_id in (old.ed25519_multikey, old.rsa_kid, new.ed25519_multikey, new.rsa_kid):
        assert key_id in result.output
    chain = _chain(tmp_path)
    assert (chain.holds(old), chain.holds(new), len(chain.entries)) == (0, 1, 2)
    published = chain.published()
    assert [e.multikey for e in published.ed25519] == [old.ed25519_multikey, new.ed25519_multikey]
    assert [e.kid for e in published.rsa] == [old.rsa_kid, new.rsa_kid]
    _assert_no_private_material(result.output, tmp_path / ".menteo/keys")


def test_rotate_needs_a_chain_headed_by_the_pair(pems: dict[str, str], tmp_path: Path) -> None:
    _write_pair(tmp_path / ".menteo/keys", pems)
    no_chain = _run("rotate", str(tmp_path))
    assert no_chain.exit_code == 1 and "menteo keys migrate" in no_chain.output
    assert _run("migrate", str(tmp_path)).exit_code == 0
    assert _run("rotate", str(tmp_path)).exit_code == 0
    assert _chain(tmp_path).holds(_keys(pems)) == 0
    _write_pair(tmp_path / ".menteo/keys", pems)  # the retired pair again
    not_head = _run("rotate", str(tmp_path))
    assert not_head.exit_code == 1 and "not the head" in not_head.output
    assert len(_chain(tmp_path).entries) == 2


def test_migrate_keeps_old_flat_keys_published(pems: dict[str, str], tmp_path: Path) -> None:
    old, current = _keys(pems, "ed25519-b", "rsa-b"), _keys(pems)
    flat = {
        "ed25519": [{"publicKeyMultibase": old.ed25519_multikey, "since": "2024-01-01"}],
        "rsa": [{"kid": old.rsa_kid, "publicKeyPem": old.rsa_public_pem, "since": "2024-01-01"}],
    }
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys/public.json").write_text(json.dumps(flat), encoding="utf-8")
    result = _run("migrate", str(tmp_path), env=_env(pems))
    assert result.exit_code == 0, result.output
    assert "1 earlier public key(s)" not in result.output and "2 earlier" in result.output
    chain = _chain(tmp_path)
    assert chain.holds(current) == 0
    published = chain.published()
    assert [e.multikey for e in published.ed25519] == [
        old.ed25519_multikey,
        current.ed25519_multikey,
    ]
    assert [e.kid for e in published.rsa] == [old.rsa_kid, current.rsa_kid]
    shown = _run("show", str(tmp_path), env=_env(pems))
    assert f"  retired ed25519 {old.ed25519_multikey} since 2024-01-01\n" in shown.output
    assert f"  retired rsa {old.rsa_kid} since 2024-01-01\n" in shown.output
    again = _run("migrate", str(tmp_path), env=_env(pems))
    assert again.exit_code == 1 and "already a key chain" in again.output


def test_migrate_refuses_a_development_pair(tmp_path: Path) -> None:
    load_keys(tmp_path, {}, strict=False)
    result = _run("migrate", str(tmp_path))
    assert result.exit_code == 1 and "development pair" in result.output
    assert not (tmp_path / "keys").exists()


def test_rotate_needs_key_files(pems: dict[str, str], tmp_path: Path) -> None:
    nothing = _run("rotate", str(tmp_path))
    assert nothing.exit_code == 1
    assert "menteo keys generate" in nothing.output
    from_env = _run("rotate", str(tmp_path), env=_env(pems))
    assert from_env.exit_code == 1
    assert "MENTEO_ED25519_KEY" in from_env.output
    assert not (tmp_path / ".menteo").exists()


def test_show_prints_public_keys_source_and_registry(tmp_path: Path) -> None:
    assert _run("generate", str(tmp_path)).exit_code == 0
    assert _run("rotate", str(tmp_path)).exit_code == 0
    current = load_keys(tmp_path, {}, strict=True)
    result = _run("show", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert f"from {tmp_path / '.menteo/keys'}" in result.output
    assert "Key chain keys/public.json (verifies):" in result.output
    assert f"ed25519 {current.ed25519_multikey}, rsa {current.rsa_kid} (head) (current)" in (
        result.output
    )
    assert result.output.count("(current)") == 1
    assert len(re.findall(r"^  \[\d\] since ", result.output, re.MULTILINE)) == 2
    assert "The current keys are the chain's head" in result.output
    _assert_no_private_material(result.output, tmp_path / ".menteo/keys")


def test_show_flags_development_and_unrecorded_keys(tmp_path: Path) -> None:
    load_keys(tmp_path, {}, strict=False)
    result = _run("show", str(tmp_path))
    assert result.exit_code == 0
    assert "(development pair)" in result.output
    assert "No key chain (keys/public.json): builds are development builds." in result.output


def test_show_without_keys_fails_and_creates_nothing(tmp_path: Path) -> None:
    result = _run("show", str(tmp_path))
    assert result.exit_code == 1
    assert "no signing keys configured" in result.output
    assert "No key chain" in result.output
    assert not (tmp_path / ".menteo").exists()


def test_show_from_environment(pems: dict[str, str], tmp_path: Path) -> None:
    result = _run("show", str(tmp_path), env=_env(pems))
    assert result.exit_code == 0
    assert "environment" in result.output
    for line in pems["ed25519"].splitlines() + pems["rsa"].splitlines():
        if not line.startswith("-----"):
            assert line not in result.output


@pytest.mark.parametrize(
    "args",
    [("generate", "--bogus"), ("generate", "/nonexistent/dir"), ("rotate", "a", "b"), ("explode",)],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    assert _run(*args).exit_code == 2
