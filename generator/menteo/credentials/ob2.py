"""Open Badges 2.0 documents: the issuer Profile, BadgeClasses, CryptographicKeys, the
RevocationList, and each award as a hosted Assertion and as an RS256-signed (JWS) Assertion.

Pure functions of the award facts and public keys; every id is an https URL on the site except
the signed assertion's, which is the award's `urn:uuid` (the spec's recommendation for signed
badges). Verifiers fetch linked documents, so they are all published as static JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from menteo.credentials.facts import AwardFacts, BadgeFacts, Issuer

CONTEXT = "https://w3id.org/openbadges/v2"
ROOT = "ob2/"
"""Where the OB 2.0 documents live under the site's base path."""
HOSTED_PNG = "hosted.png"
"""Suffix of the PNG baked with the hosted assertion (`<uuid>.png` carries the signed one)."""


def _zoned(timestamp: str) -> str:
    """OB 2.0 DateTimes need an explicit offset; the ledger's are UTC."""
    return timestamp.replace("Z", "+00:00")


@dataclass(frozen=True)
class Ob2Paths:
    """Site-relative paths (under the base path) and absolute ids of every OB 2.0 document."""

    base_url: str

    def url(self, path: str) -> str:
        return self.base_url + path

    issuer: ClassVar[str] = ROOT + "issuer.json"
    revocations: ClassVar[str] = ROOT + "revocations.json"

    @staticmethod
    def badge(slug: str) -> str:
        return f"{ROOT}badges/{slug}.json"

    @staticmethod
    def key(kid: str) -> str:
        return f"{ROOT}keys/{kid}.json"

    @staticmethod
    def assertion(uuid: str, suffix: str = "json") -> str:
        return f"{ROOT}assertions/{uuid}.{suffix}"


def issuer_profile(issuer: Issuer, paths: Ob2Paths, kids: Sequence[str]) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": paths.url(paths.issuer),
        "name": issuer.name,
        "url": issuer.url,
    }
    if issuer.email:
        profile["email"] = issuer.email
    if issuer.description:
        profile["description"] = issuer.description
    profile["publicKey"] = [paths.url(paths.key(kid)) for kid in kids]
    profile["revocationList"] = paths.url(paths.revocations)
    # Hosted assertions must live under the site: on a shared host (user.github.io) the host
    # alone would let any other site on it vouch for this issuer.
    profile["verification"] = {"type": "VerificationObject", "startsWith": [paths.base_url]}
    return profile


def badge_class(badge: BadgeFacts, paths: Ob2Paths) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": paths.url(paths.badge(badge.slug)),
        "name": badge.name,
        "description": badge.description,
        "image": badge.image_png,
        "criteria": {"id": badge.criteria_url, "narrative": badge.criteria},
        "issuer": paths.url(paths.issuer),
    }
    if badge.tags:
        document["tags"] = list(badge.tags)
    return document


def cryptographic_key(kid: str, public_pem: str, paths: Ob2Paths) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "type": "CryptographicKey",
        "id": paths.url(paths.key(kid)),
        "owner": paths.url(paths.issuer),
        "publicKeyPem": public_pem,
    }


def _recipient(award: AwardFacts) -> dict[str, Any]:
    """The opt-in hashed email when there is one (what backpacks that sign people in by email
    match), else the profile URL in plain text."""
    email = award.recipient_email
    if email is not None:
        return {"type": "email", "hashed": True, "salt": email.salt, "identity": email.identity}
    return {"type": "url", "hashed": False, "identity": award.recipient_url}


def _assertion(award: AwardFacts, paths: Ob2Paths, assertion_id: str, image: str) -> dict[str, Any]:
    """`image` is the PNG baked with this very form: a backpack that imports it finds the
    same assertion id inside, so one award never becomes two badges."""
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_id,
        "recipient": _recipient(award),
        "badge": paths.url(paths.badge(award.badge.slug)),
        "issuedOn": _zoned(award.recorded),
        "image": paths.url(paths.assertion(award.uuid, image)),
    }
    evidence = [
        {"id": e.url, "name": e.name} if e.url else {"name": e.name, "narrative": e.narrative}
        for e in award.evidence
    ]
    if evidence:
        document["evidence"] = evidence
    return document


def hosted_assertion(award: AwardFacts, paths: Ob2Paths) -> dict[str, Any]:
    """The hosted form; once revoked, only what a verifier needs to know that."""
    assertion_id = paths.url(paths.assertion(award.uuid))
    if award.revoked is not None:
        return {
            "@context": CONTEXT,
            "type": "Assertion",
            "id": assertion_id,
            "revoked": True,
            "revocationReason": award.revoked,
        }
    document = _assertion(award, paths, assertion_id, HOSTED_PNG)
    document["verification"] = {"type": "HostedBadge"}
    return document


def signed_assertion(award: AwardFacts, paths: Ob2Paths, kid: str) -> dict[str, Any]:
    """The payload of the JWS form: its id is the award's urn:uuid, its key named by URL."""
    document = _assertion(award, paths, award.id, "png")
    document["verification"] = {"type": "SignedBadge", "creator": paths.url(paths.key(kid))}
    return document


def revocation_list(awards: Sequence[AwardFacts], paths: Ob2Paths) -> dict[str, Any]:
    """Both ids of every revoked award: a verifier may hold either form."""
    revoked = []
    for award in awards:
        if award.revoked is not None:
            for assertion_id in (paths.url(paths.assertion(award.uuid)), award.id):
                revoked.append({"id": assertion_id, "revocationReason": award.revoked})
    return {
        "@context": CONTEXT,
        "type": "RevocationList",
        "id": paths.url(paths.revocations),
        "issuer": paths.url(paths.issuer),
        "revokedAssertions": revoked,
    }
