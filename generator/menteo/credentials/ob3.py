"""Open Badges 3.0 documents: each award as an `OpenBadgeCredential` (VC Data Model 2.0, OB
context 3.0.3) with an embedded issuer Profile and Achievement, a Bitstring Status List entry
for revocation, and its VC-JWT claims; plus the signed status list credential itself.

Pure functions: dates come from the ledger, never the clock, so the documents (and, since Ed25519
and RSA PKCS#1 v1.5 signatures are deterministic, their proofs) are the same on every build.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from menteo.credentials.facts import AwardFacts, BadgeFacts, Issuer
from menteo.ledger.records import STATUS_LIST_SIZE

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
ROOT = "ob3/"


@dataclass(frozen=True)
class Ob3Paths:
    """Site-relative paths (under the base path) of every OB 3.0 file, and their URLs."""

    base_url: str

    status_list: ClassVar[str] = ROOT + "status/revocation.json"
    status_list_jwt: ClassVar[str] = ROOT + "status/revocation.jwt"
    """The same list as a VC-JWT, for verifiers that check JOSE signatures only."""
    issuer: ClassVar[str] = ROOT + "issuer.json"

    def url(self, path: str) -> str:
        return self.base_url + path

    @staticmethod
    def credential(uuid: str, suffix: str = "json") -> str:
        return f"{ROOT}credentials/{uuid}.{suffix}"

    @staticmethod
    def jwk(kid: str) -> str:
        return f"{ROOT}keys/{kid}.json"

    @staticmethod
    def achievement(slug: str) -> str:
        return f"{ROOT}achievements/{slug}.json"


def profile(issuer: Issuer) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": issuer.did,
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
    }
    if issuer.description:
        document["description"] = issuer.description
    return document


def _evidence(award: AwardFacts) -> list[dict[str, Any]]:
    evidence = []
    for item in award.evidence:
        entry: dict[str, Any] = {"type": ["Evidence"], "name": item.name}
        if item.url:
            entry["id"] = item.url
        if item.narrative:
            entry["narrative"] = item.narrative
        evidence.append(entry)
    return evidence


def _subject(award: AwardFacts, achievement: dict[str, Any]) -> dict[str, Any]:
    """The recipient by their profile URL, plus the opt-in hashed email as an `IdentityObject`
    (what importers that sign people in by email match)."""
    subject: dict[str, Any] = {"id": award.recipient_url, "type": ["AchievementSubject"]}
    email = award.recipient_email
    if email is not None:
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityHash": email.identity,
                "identityType": "emailAddress",
                "hashed": True,
                "salt": email.salt,
            }
        ]
    subject["achievement"] = achievement
    return subject


def achievement(badge: BadgeFacts, paths: Ob3Paths) -> dict[str, Any]:
    """The badge as an Achievement. Its `id` is the URL of the JSON file holding this very
    object (importers fetch it expecting JSON, and a static host cannot negotiate content);
    `criteria.id` stays the badge's HTML page, which the spec defines as "the URI of a webpage
    that describes in a human-readable format the criteria"."""
    document: dict[str, Any] = {
        "id": paths.url(paths.achievement(badge.slug)),
        "type": ["Achievement"],
        "achievementType": "Badge",
        "name": badge.name,
        "description": badge.description,
        "criteria": {"id": badge.criteria_url, "narrative": badge.criteria},
        "image": {"id": badge.image_png, "type": "Image", "caption": f"The {badge.name} badge"},
    }
    if badge.tags:
        document["tag"] = list(badge.tags)
    return document


def credential(
    award: AwardFacts, issuer: Issuer, paths: Ob3Paths, status_list: str = Ob3Paths.status_list
) -> dict[str, Any]:
    """The unsigned credential; the proofs are added by `proofs`. Its `credentialStatus`
    names `status_list`, the form of the list its own proof format's verifiers can check."""
    badge = award.badge
    list_url = paths.url(status_list)
    document: dict[str, Any] = {
        "@context": CONTEXT,
        "id": award.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": badge.name,
        "issuer": profile(issuer),
        "validFrom": award.recorded,
        "awardedDate": f"{award.awarded.isoformat()}T00:00:00Z",
        "credentialSubject": _subject(award, achievement(badge, paths)),
        "credentialStatus": {
            "id": f"{list_url}#{award.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(award.status_index),
            "statusListCredential": list_url,
        },
    }
    evidence = _evidence(award)
    if evidence:
        document["evidence"] = evidence
    return document


def numeric_date(moment: str) -> int:
    """A VC date-time as a JWT NumericDate (seconds since the epoch)."""
    return int(dt.datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp())


def jwt_claims(document: dict[str, Any]) -> dict[str, Any]:
    """VC-JWT payload: the unsecured credential (a Data Integrity proof inside would fail the
    Linked Data engines that verify the payload as it stands) plus the registered claims
    OB 3.0 and VC-JOSE require."""
    if "proof" in document:
        raise ValueError("proof: a VC-JWT secures the plain credential")
    issuer = document["issuer"]
    claims = {
        **document,
        "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
        "jti": document["id"],
        "nbf": numeric_date(document["validFrom"]),
        "sub": document["credentialSubject"]["id"],
    }
    if "validUntil" in document:
        claims["exp"] = numeric_date(document["validUntil"])
    return claims


def encoded_list(revoked: Iterable[int]) -> str:
    """The bitstring (index 0 = the first byte's most significant bit), GZIP-compressed with
    a fixed timestamp (so the bytes are reproducible), as multibase base64url."""
    bits = bytearray(STATUS_LIST_SIZE // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def status_list(
    revoked_indexes: Iterable[int],
    issuer: Issuer,
    paths: Ob3Paths,
    valid_from: str,
    path: str = Ob3Paths.status_list,
) -> dict[str, Any]:
    """The unsigned `BitstringStatusListCredential` published at `path`; `valid_from` is the
    ledger's latest recorded time, so the list changes only when the ledger does."""
    url = paths.url(path)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(revoked_indexes),
        },
    }
