"""Byte encodings used by signatures and published keys: base58btc (multibase `z`), unpadded
base64url (JOSE), and Ed25519 public keys as Multikey (`z6Mk…`)."""

from __future__ import annotations

import base64
import binascii
import re

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
ED25519_PUB_PREFIX = b"\xed\x01"
"""Multicodec `ed25519-pub` as a varint: what makes every such Multikey start with `z6Mk`."""


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = ""
    while number:
        number, rest = divmod(number, 58)
        digits = BASE58_ALPHABET[rest] + digits
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + digits


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        digit = BASE58_ALPHABET.find(char)
        if digit < 0:
            raise ValueError(f"not base58btc: {char!r}")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict: JOSE forbids padding and the standard alphabet, so both are refused."""
    if not BASE64URL.fullmatch(text):
        raise ValueError("not unpadded base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError(f"not base64url: {exc}") from None


def ed25519_multikey(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + b58encode(ED25519_PUB_PREFIX + raw)


def ed25519_from_multikey(multikey: str) -> Ed25519PublicKey:
    if not multikey.startswith("z"):
        raise ValueError("Multikey must be multibase base58btc (start with 'z')")
    data = b58decode(multikey[1:])
    if len(data) != 34 or not data.startswith(ED25519_PUB_PREFIX):
        raise ValueError("Multikey is not an Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(data[2:])
