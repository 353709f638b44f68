"""The opt-in email identity of a recipient: the OB 2.0 IdentityHash (OB 3.0 `identityHash`) of
an address, which wallets that sign people in by email compare with their user's address.
`menteo hash-email` computes it on the recipient's own machine; the address is never stored."""

from __future__ import annotations

import hashlib


def normalised(address: str) -> str:
    """Trimmed and lowercased. OB 2.0 hashes the identity string exactly as it is, so the
    issuer and the wallet must agree on one spelling; wallets compare with the address of the
    signed-in account, which they keep in lowercase, as Badgr does when it hashes."""
    return address.strip().lower()


def email_sha256(address: str, salt: str) -> str:
    """The OB 2.0 IdentityHash (also OB 3.0 `identityHash`): `sha256$` + hex SHA-256 of the
    UTF-8 bytes of the normalised address followed by the salt."""
    digest = hashlib.sha256((normalised(address) + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def identity_yaml(address: str, salt: str) -> str:
    """The lines to paste into a mentor or mentee file."""
    return f"identity:\n  email_sha256: {email_sha256(address, salt)}\n  salt: {salt}\n"
