"""Signing keys: where they are loaded from, and their public forms.

Private keys never live in the repository: they come from CI secrets (PEM text in
`MENTEO_ED25519_KEY` / `MENTEO_RSA_KEY`), a directory named by `MENTEO_KEYS`, or the git-ignored
`.menteo/keys/` of the community, and a folder a pull request could have planted or redirected
is refused (see `private_state`). Which public keys may sign is decided by the signed chain in
`keys/public.json` (see `key_chain`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from menteo.atomic_output import atomic_write
from menteo.credentials.encoding import b64url_encode, ed25519_from_multikey, ed25519_multikey
from menteo.private_state import (
    PrivateStateError,
    check_key_folder,
    check_private_paths,
    make_private_folder,
)

ED25519_ENV = "MENTEO_ED25519_KEY"
RSA_ENV = "MENTEO_RSA_KEY"
KEYS_DIR_ENV = "MENTEO_KEYS"
LOCAL_KEYS = Path(".menteo/keys")
ED25519_FILE = "ed25519.pem"
RSA_FILE = "rsa.pem"
DEVELOPMENT_MARKER = "DEVELOPMENT"
"""Marks a pair `load_keys` created on its own, so later builds still report it as such."""
KEY_FILES = (ED25519_FILE, RSA_FILE, DEVELOPMENT_MARKER)
REGISTRY = Path("keys/public.json")
RSA_BITS = 2048

HOW_TO_CONFIGURE = (
    f"set {ED25519_ENV} and {RSA_ENV} (PEM text), or {KEYS_DIR_ENV} (a directory with "
    f"{ED25519_FILE} and {RSA_FILE}), or run `menteo keys generate`"
)


class KeysError(ValueError):
    """A key is missing, unreadable or unfit; the message names where it came from."""


@dataclass(frozen=True)
class SigningKeys:
    ed25519: Ed25519PrivateKey
    rsa: RSAPrivateKey
    development: bool
    source: str
    """Where the keys came from, for messages (never the keys themselves)."""

    @property
    def ed25519_multikey(self) -> str:
        return ed25519_multikey(self.ed25519.public_key())

    @property
    def rsa_public_pem(self) -> str:
        return _public_pem(self.rsa.public_key())

    @property
    def rsa_kid(self) -> str:
        return rsa_thumbprint(self.rsa.public_key())

    @property
    def rsa_jwk(self) -> dict[str, str]:
        return {**_rsa_jwk_members(self.rsa.public_key()), "kid": self.rsa_kid}


def _public_pem(key: RSAPublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def _rsa_jwk_members(key: RSAPublicKey) -> dict[str, str]:
    numbers = key.public_numbers()

    def unsigned(value: int) -> str:
        return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))

    return {"kty": "RSA", "n": unsigned(numbers.n), "e": unsigned(numbers.e)}


def rsa_public_jwk(public_pem: str) -> dict[str, str]:
    """The public JWK, with its thumbprint as `kid`, of an RSA key in SPKI PEM form."""
    key = serialization.load_pem_public_key(public_pem.encode("ascii"))
    if not isinstance(key, RSAPublicKey):
        raise KeysError(f"expected an RSA public key, got {type(key).__name__}")
    return {**_rsa_jwk_members(key), "kid": rsa_thumbprint(key)}


def rsa_thumbprint(key: RSAPublicKey) -> str:
    """RFC 7638 JWK thumbprint: a key id anyone can recompute from the public key alone."""
    members = json.dumps(_rsa_jwk_members(key), sort_keys=True, separators=(",", ":"))
    return b64url_encode(hashlib.sha256(members.encode("ascii")).digest())


def generate_keys(source: str, development: bool = False) -> SigningKeys:
    return SigningKeys(
        Ed25519PrivateKey.generate(),
        rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS),
        development,
        source,
    )


def _parse_ed25519(pem: bytes, where: str) -> Ed25519PrivateKey:
    key = _parse_pem(pem, where)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeysError(f"{where}: expected an Ed25519 private key, got {type(key).__name__}")
    return key


def _parse_rsa(pem: bytes, where: str) -> RSAPrivateKey:
    key = _parse_pem(pem, where)
    if not isinstance(key, RSAPrivateKey):
        raise KeysError(f"{where}: expected an RSA private key, got {type(key).__name__}")
    if key.key_size < RSA_BITS:
        raise KeysError(f"{where}: RSA key has {key.key_size} bits; at least {RSA_BITS} needed")
    return key


def _parse_pem(pem: bytes, where: str) -> object:
    try:
        return serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise KeysError(f"{where}: the key is encrypted; provide it without a passphrase") from None
    except (ValueError, UnsupportedAlgorithm):
        raise KeysError(f"{where}: not a PEM private key (PKCS#8 expected)") from None


def read_key_directory(directory: Path, development: bool = False) -> SigningKeys:
    paths = [directory / ED25519_FILE, directory / RSA_FILE]
    try:
        ed_pem, rsa_pem = (path.read_bytes() for path in paths)
    except OSError as exc:
        raise KeysError(
            f"{directory}: cannot read the key pair ({exc.strerror}: {exc.filename})"
        ) from None
    return SigningKeys(
        _parse_ed25519(ed_pem, str(paths[0])),
        _parse_rsa(rsa_pem, str(paths[1])),
        development,
        str(directory),
    )


def key_directory(root: Path, environ: Mapping[str, str]) -> Path:
    """Where key files are read and written: `$MENTEO_KEYS`, else the community's own."""
    configured = environ.get(KEYS_DIR_ENV)
    return Path(configured) if configured else root / LOCAL_KEYS


def checked_key_directory(root: Path, environ: Mapping[str, str], out: Path | None) -> Path:
    """`key_directory`, refused (KeysError) where a commit could have planted or redirected it,
    or where the site being built would publish it."""
    directory = key_directory(root, environ)
    try:
        if environ.get(KEYS_DIR_ENV):
            check_key_folder(root, directory, KEY_FILES, out)
        else:
            check_private_paths(root, [LOCAL_KEYS / name for name in KEY_FILES])
    except PrivateStateError as exc:
        raise KeysError(str(exc)) from None
    return directory


def load_keys(
    root: Path, environ: Mapping[str, str], strict: bool, out: Path | None = None
) -> SigningKeys:
    """The configured signing keys; unless `strict`, a development pair made on first use so
    local previews work without any setup. Key files are only read from, and a development
    pair only written to, a folder that is not in the site `out` nor planted by a commit."""
    ed_pem, rsa_pem = environ.get(ED25519_ENV), environ.get(RSA_ENV)
    if ed_pem or rsa_pem:
        if not (ed_pem and rsa_pem):
            raise KeysError(f"set both {ED25519_ENV} and {RSA_ENV}, not only one")
        return SigningKeys(
            _parse_ed25519(ed_pem.encode("utf-8"), ED25519_ENV),
            _parse_rsa(rsa_pem.encode("utf-8"), RSA_ENV),
            False,
            f"environment ({ED25519_ENV}, {RSA_ENV})",
        )
    directory = checked_key_directory(root, environ, out)
    present = [(directory / name).exists() for name in (ED25519_FILE, RSA_FILE)]
    if any(present) or environ.get(KEYS_DIR_ENV):
        return read_key_directory(directory, (directory / DEVELOPMENT_MARKER).exists())
    if strict:
        raise KeysError(f"no signing keys configured: {HOW_TO_CONFIGURE}")
    keys = generate_keys(str(directory), development=True)
    write_keys(directory, keys, development=True)
    return keys


def write_keys(directory: Path, keys: SigningKeys, development: bool = False) -> None:
    """Write the pair owner-readable only (folder 0700, files 0600), each file atomically."""
    make_private_folder(directory)
    for name, key in ((ED25519_FILE, keys.ed25519), (RSA_FILE, keys.rsa)):
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        atomic_write(directory / name, pem, mode=0o600)
    marker = directory / DEVELOPMENT_MARKER
    if development:
        atomic_write(
            marker, b"Made by menteo for local previews; replace with real keys.\n", mode=0o600
        )
    else:
        marker.unlink(missing_ok=True)


@dataclass(frozen=True)
class Ed25519Entry:
    multikey: str
    since: str


@dataclass(frozen=True)
class RsaEntry:
    kid: str
    public_pem: str
    since: str


@dataclass(frozen=True)
class PublicKeys:
    """Public keys credentials may verify against (published by the build), oldest first."""

    ed25519: tuple[Ed25519Entry, ...] = ()
    rsa: tuple[RsaEntry, ...] = ()

    def as_json(self) -> dict[str, list[dict[str, str]]]:
        return {
            "ed25519": [{"publicKeyMultibase": e.multikey, "since": e.since} for e in self.ed25519],
            "rsa": [
                {"kid": e.kid, "publicKeyPem": e.public_pem, "since": e.since} for e in self.rsa
            ],
        }


def read_flat_registry(data: Mapping[str, Any]) -> PublicKeys:
    """Keys in the old flat form (`{"ed25519": [...], "rsa": [...]}`), also how a chain's root
    lists retired keys; ValueError when an entry is malformed or a kid is not its key's."""
    if not isinstance(data, Mapping) or set(data) - {"ed25519", "rsa"}:
        raise ValueError('expected {"ed25519": [...], "rsa": [...]}')
    try:
        return PublicKeys(
            tuple(_ed25519_entry(item) for item in data.get("ed25519", [])),
            tuple(_rsa_entry(item) for item in data.get("rsa", [])),
        )
    except (AttributeError, KeyError, TypeError) as exc:
        raise ValueError(f"malformed entry: {exc!r}") from None


def _ed25519_entry(item: dict[str, Any]) -> Ed25519Entry:
    ed25519_from_multikey(item["publicKeyMultibase"])
    return Ed25519Entry(item["publicKeyMultibase"], _date(item["since"]))


def _rsa_entry(item: dict[str, Any]) -> RsaEntry:
    key = serialization.load_pem_public_key(item["publicKeyPem"].encode("ascii"))
    if not isinstance(key, RSAPublicKey) or rsa_thumbprint(key) != item["kid"]:
        raise ValueError(f"kid {item['kid']} does not match its publicKeyPem")
    return RsaEntry(item["kid"], item["publicKeyPem"], _date(item["since"]))


def _date(value: str) -> str:
    dt.date.fromisoformat(value)
    return value
