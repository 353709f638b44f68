"""The last line of defence: no file the build writes may hold the signing keys' private parts.

A theme or template that found a way to print a key (or a bug that put one in a credential)
must stop the build, not publish it. Every file is checked as it is written, while its bytes
are in memory, for the private material in the spellings a key is usually written in: PEM or
DER base64 (whatever the line width from 60 characters up), the Ed25519 seed as hex, base64,
base64url, base58 and multibase, the RSA private numbers as JWK members (base64url), base64 and
hex, raw bytes, and any "PRIVATE KEY-----" armour at all. Public halves share bytes with the
private encodings (the RSA modulus is in both), so any needle that also spells public material
is dropped: the published keys must not trip the check.
"""

from __future__ import annotations

import base64
import hashlib
import sys
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from menteo.credentials.encoding import b58encode, b64url_encode
from menteo.credentials.keys import SigningKeys
from menteo.errors import Problem

ARMOUR = "PRIVATE KEY-----"
WINDOW = 32
"""Base64 of a DER key is matched in pieces of 32 characters, one every 32: any line of at
least 60 characters of it (PEM uses 64, MIME 76, one long line all) holds a whole piece."""
ED25519_SECRET_PREFIX = b"\x80\x26"
"""Multicodec `ed25519-priv`: what `secretKeyMultibase` puts before the seed."""
PROBE = 8
"""Bytes in one probe: a machine word, read from the data without copying it."""
STRIDE = 3
"""A probe every `STRIDE` words (24 bytes)."""
SAMPLED = PROBE * STRIDE + PROBE - 1
"""The shortest needle the probes cannot miss: a run of 31 bytes starting anywhere holds the 8
bytes at some multiple of 24 (a word of the data's memory, at most 23 bytes in)."""


@dataclass(frozen=True)
class _Search:
    """All needles in one pass over the data instead of one pass each (a site's generated files
    are 60 MB at 10,000 entries, and there are over a hundred needles).

    Every needle of at least `SAMPLED` bytes holds the word the data has at some multiple of 24
    bytes wherever the needle starts, so the data's words at those places (about 1 in 24 of
    its bytes, read in C as integers) are looked up among every 8-byte piece of every long
    needle; only a hit is confirmed, by looking for exactly the needles that hold that piece.
    Shorter needles are looked for one by one. Exact: the answer is `any(n in data)`."""

    short: tuple[bytes, ...]
    holders: dict[int, tuple[bytes, ...]]
    """Each 8-byte piece of a long needle (as the integer the machine reads) → those holding it."""
    pieces: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pieces", frozenset(self.holders))

    @classmethod
    def of(cls, needles: tuple[bytes, ...]) -> _Search:
        holders: dict[int, dict[bytes, None]] = {}
        for needle in needles:
            if len(needle) >= SAMPLED:
                for start in range(len(needle) - PROBE + 1):
                    piece = int.from_bytes(needle[start : start + PROBE], sys.byteorder)
                    holders.setdefault(piece, {})[needle] = None
        short = tuple(needle for needle in needles if len(needle) < SAMPLED)
        return cls(short, {piece: tuple(found) for piece, found in holders.items()})

    def found_in(self, data: bytes) -> bool:
        if any(needle in data for needle in self.short):
            return True
        with (
            memoryview(data) as whole,
            whole[: len(data) // PROBE * PROBE] as words,
            words.cast("Q") as probes,
            probes[::STRIDE] as sampled,
        ):
            if self.pieces.isdisjoint(sampled):
                return False
            hits = self.pieces.intersection(sampled)
        return any(needle in data for piece in hits for needle in self.holders[piece])


@dataclass(frozen=True)
class PrivateMaterial:
    """Needles for one pair of signing keys, made once per build; never printed."""

    text: tuple[str, ...]
    raw: tuple[bytes, ...]
    """Binary spellings (the secrets' own bytes), looked for in bytes only."""
    _in_text: _Search = field(init=False, repr=False, compare=False)
    _in_bytes: _Search = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ascii_text = tuple(needle.encode("ascii") for needle in self.text)
        object.__setattr__(self, "_in_text", _Search.of(ascii_text))
        object.__setattr__(self, "_in_bytes", _Search.of(self.raw))

    def leaked_in_text(self, text: str) -> bool:
        """Whether any text needle is in `text`. The needles are ASCII, and in UTF-8 an ASCII
        byte only ever stands for that character, so they are looked for in its UTF-8 bytes."""
        return self.leaked_in_utf8(text.encode("utf-8", "surrogatepass"))

    def leaked_in_utf8(self, data: bytes) -> bool:
        """Whether any text needle is in `data`, a text's UTF-8 bytes (see `leaked_in_text`)."""
        return self._in_text.found_in(data)

    def leaked_in(self, data: bytes) -> bool:
        return self._in_bytes.found_in(data)

    def identity(self) -> bytes:
        """A one-way digest of the needles: equal exactly when the text check looks for the
        same things (a page checked under it needs no second check; see `site.page_cache`)."""
        hasher = hashlib.sha256(b"menteo leak needles\n")
        for needle in self.text:
            hasher.update(b"%d:%s" % (len(needle), needle.encode("ascii")))
        return hasher.digest()


def _unsigned(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _spellings(secret: bytes) -> list[str]:
    return [
        secret.hex(),
        secret.hex().upper(),
        base64.b64encode(secret).decode("ascii").rstrip("="),
        b64url_encode(secret),
    ]


def _windows(der: bytes) -> list[str]:
    text = base64.b64encode(der).decode("ascii")
    return [text[i : i + WINDOW] for i in range(0, len(text) - WINDOW + 1, WINDOW)]


def _der(key: Ed25519PrivateKey | RSAPrivateKey, form: serialization.PrivateFormat) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, form, serialization.NoEncryption())


def _rsa_secrets(key: RSAPrivateKey) -> list[bytes]:
    numbers = key.private_numbers()
    values = (numbers.d, numbers.p, numbers.q, numbers.dmp1, numbers.dmq1, numbers.iqmp)
    return [_unsigned(value) for value in values]


def _public_spellings(keys: SigningKeys) -> str:
    """Everything the site publishes about the keys, in every spelling a needle could share."""
    rsa_public = keys.rsa.public_key()
    der = rsa_public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    modulus = _unsigned(rsa_public.public_numbers().n)
    ed_public = keys.ed25519.public_key().public_bytes_raw()
    parts = [
        keys.rsa_public_pem,
        base64.b64encode(der).decode("ascii"),
        *keys.rsa_jwk.values(),
        *_spellings(modulus),
        keys.ed25519_multikey,
        *_spellings(ed_public),
    ]
    return "\n".join(parts)


def private_material(keys: SigningKeys) -> PrivateMaterial:
    seed = keys.ed25519.private_bytes_raw()
    rsa_secrets = _rsa_secrets(keys.rsa)
    needles = [
        *_spellings(seed),
        b58encode(seed),
        "z" + b58encode(ED25519_SECRET_PREFIX + seed),
        *(spelling for secret in rsa_secrets for spelling in _spellings(secret)),
        *_windows(_der(keys.ed25519, serialization.PrivateFormat.PKCS8)),
        *_windows(_der(keys.rsa, serialization.PrivateFormat.PKCS8)),
        *_windows(_der(keys.rsa, serialization.PrivateFormat.TraditionalOpenSSL)),
    ]
    public = _public_spellings(keys)
    kept = [needle for needle in dict.fromkeys(needles) if needle not in public]
    text = (ARMOUR, *kept)
    raw = (*(n.encode("ascii") for n in text), seed, *rsa_secrets[:3])
    return PrivateMaterial(text, raw)


def leak_problem(path: str) -> Problem:
    """Names the file, never what was found in it."""
    return Problem(
        path,
        0,
        "",
        "this output file contains the signing keys' private material; nothing was published",
        "find what printed it (a template, theme or override) and remove it; if a pull request "
        "brought it, do not merge it, and replace the keys if the file was shared anywhere",
    )
