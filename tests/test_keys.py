"""Signing keys: where they are loaded from, the public key registry, and `menteo keys`."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from menteo.credentials.encoding import b58encode, b64url_decode, ed25519_multikey
from menteo.credentials.keys import (
    KeysError,
    PublicKeys,
    SigningKeys,
    load_keys,
    read_public_keys,
    record_public_keys,
    rsa_thumbprint,
)
from menteo.credentials.keys_command import keys as keys_group

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


# ------------------------------------------------------------------ registry


def test_a_missing_registry_is_empty(tmp_path: Path) -> None:
    assert read_public_keys(tmp_path) == PublicKeys()


def test_recording_keeps_every_key_ever_used(pems: dict[str, str], tmp_path: Path) -> None:
    first, second = _keys(pems), _keys(pems, "ed25519-b", "rsa-b")
    assert record_public_keys(tmp_path, first, "2025-01-02")
    assert not record_public_keys(tmp_path, first, "2025-06-01")
    assert record_public_keys(tmp_path, second, "2025-06-01")
    data = json.loads((tmp_path / "keys/public.json").read_text(encoding="utf-8"))
    assert data == {
        "ed25519": [
            {"publicKeyMultibase": first.ed25519_multikey, "since": "2025-01-02"},
            {"publicKeyMultibase": second.ed25519_multikey, "since": "2025-06-01"},
        ],
        "rsa": [
            {"kid": first.rsa_kid, "publicKeyPem": first.rsa_public_pem, "since": "2025-01-02"},
            {"kid": second.rsa_kid, "publicKeyPem": second.rsa_public_pem, "since": "2025-06-01"},
        ],
    }
    registry = read_public_keys(tmp_path)
    assert [e.multikey for e in registry.ed25519] == [
        first.ed25519_multikey,
        second.ed25519_multikey,
    ]
    assert [e.kid for e in registry.rsa] == [first.rsa_kid, second.rsa_kid]
    assert registry.rsa[0].public_pem == first.rsa_public_pem
    assert "PRIVATE" not in (tmp_path / "keys/public.json").read_text(encoding="utf-8")
    assert list((tmp_path / "keys").iterdir()) == [tmp_path / "keys/public.json"]


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"ed25519": [{"since": "2025-01-01"}]}',
        '{"ed25519": [{"publicKeyMultibase": "z6MkBAD", "since": "2025-01-01"}]}',
        '{"ed25519": [{"publicKeyMultibase": "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", "since": "soon"}]}',
        '{"rsa": "none"}',
        "[]",
    ],
)
def test_a_malformed_registry_is_refused(tmp_path: Path, content: str) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys/public.json").write_text(content, encoding="utf-8")
    with pytest.raises(KeysError, match=r"keys/public\.json"):
        read_public_keys(tmp_path)


def test_a_registry_kid_must_match_its_key(pems: dict[str, str], tmp_path: Path) -> None:
    record_public_keys(tmp_path, _keys(pems), "2025-01-02")
    path = tmp_path / "keys/public.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["rsa"][0]["kid"] = _keys(pems, rsa_name="rsa-b").rsa_kid
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(KeysError, match="does not match"):
        read_public_keys(tmp_path)


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
    registry = read_public_keys(tmp_path)
    assert [e.multikey for e in registry.ed25519] == [keys.ed25519_multikey]
    assert [e.kid for e in registry.rsa] == [keys.rsa_kid]
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
    second = load_keys(tmp_path, {}, strict=True)
    assert second.rsa_kid != first.rsa_kid
    assert len(read_public_keys(tmp_path).rsa) == 2


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
    assert read_public_keys(tmp_path).ed25519


def test_rotate_replaces_the_pair_and_keeps_old_public_keys(tmp_path: Path) -> None:
    assert _run("generate", str(tmp_path)).exit_code == 0
    old = load_keys(tmp_path, {}, strict=True)
    result = _run("rotate", str(tmp_path))
    assert result.exit_code == 0, result.output
    new = load_keys(tmp_path, {}, strict=True)
    assert new.ed25519_multikey != old.ed25519_multikey and new.rsa_kid != old.rsa_kid
    for key_id in (old.ed25519_multikey, old.rsa_kid, new.ed25519_multikey, new.rsa_kid):
        assert key_id in result.output
    registry = read_public_keys(tmp_path)
    assert [e.multikey for e in registry.ed25519] == [old.ed25519_multikey, new.ed25519_multikey]
    assert [e.kid for e in registry.rsa] == [old.rsa_kid, new.rsa_kid]
    _assert_no_private_material(result.output, tmp_path / ".menteo/keys")


def test_rotate_records_an_unrecorded_old_pair(pems: dict[str, str], tmp_path: Path) -> None:
    _write_pair(tmp_path / ".menteo/keys", pems)
    assert _run("rotate", str(tmp_path)).exit_code == 0
    assert _keys(pems).rsa_kid in [e.kid for e in read_public_keys(tmp_path).rsa]


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
    assert f"{current.ed25519_multikey} since" in result.output
    assert result.output.count("(current)") == 2
    assert len(re.findall(r"^  (ed25519|rsa) ", result.output, re.MULTILINE)) == 4
    _assert_no_private_material(result.output, tmp_path / ".menteo/keys")


def test_show_flags_development_and_unrecorded_keys(tmp_path: Path) -> None:
    load_keys(tmp_path, {}, strict=False)
    result = _run("show", str(tmp_path))
    assert result.exit_code == 0
    assert "(development pair)" in result.output
    assert "(empty)" in result.output
    assert "not all recorded" in result.output


def test_show_without_keys_fails_and_creates_nothing(tmp_path: Path) -> None:
    result = _run("show", str(tmp_path))
    assert result.exit_code == 1
    assert "no signing keys configured" in result.output
    assert "Public key registry" in result.output
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
