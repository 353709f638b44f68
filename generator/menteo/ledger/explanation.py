"""Why a badge is or is not earned by one person (what `menteo explain` prints): rule by rule,
with the measured value, the entries that count, what is still missing and what the ledger
recorded. It reads an evaluation related to the ledger (`review.Review`), so it lives here."""

from __future__ import annotations

from collections.abc import Iterator

from menteo.content.community import CommunityData
from menteo.content.models import Audience
from menteo.ledger.review import Review
from menteo.recognition.results import Eligibility, Result

SHOWN_FILES = 5
"""Evidence files listed per rule; the rest are counted."""


def _files(result: Result) -> str:
    paths = [entry.path for entry in result.counted]
    shown = ", ".join(paths[:SHOWN_FILES])
    more = len(paths) - SHOWN_FILES
    return shown + (f" and {more} more" if more > 0 else "")


def _rule(result: Result, depth: int) -> Iterator[str]:
    pad = "  " * depth
    mark = "✓" if result.met else "✗"
    value = f": {result.value}" if result.value else ""
    yield f"{pad}{mark} {result.text}{value}"
    if result.counted:
        yield f"{pad}    evidence: {_files(result)}"
    if result.missing and not result.children:
        yield f"{pad}    missing: {result.missing}"
    for child in result.children:
        yield from _rule(child, depth + 1)


def _status(eligibility: Eligibility, review: Review) -> str:
    award = review.ledger.recorded(eligibility.badge, eligibility.person)
    if award is not None:
        revoked = review.ledger.revocations.get(award.id)
        if revoked is not None:
            return f"revoked ({revoked.reason}); awarded {award.awarded}, {award.id}"
        return f"awarded {award.awarded}, {award.id}"
    if eligibility.met:
        if any(p.eligibility is eligibility for p in review.pending):
            return f"earned {eligibility.first_met}, pending: menteo award records it"
        return f"earned {eligibility.first_met}, not awarded again after a revocation"
    return f"not yet: {eligibility.rules_met} of {len(eligibility.rules)} criteria met"


def explain(
    community: CommunityData, review: Review, role: str, slug: str, badge: str | None
) -> list[str]:
    """The explanation of every badge (or just `badge`) for one person, as lines of text."""
    person = community.person(role, slug)
    lines = [f"{person.model.name} ({role} {slug})"]
    found = review.evaluation.of(Audience(role), slug)
    for eligibility in found.values():
        if badge is not None and eligibility.badge != badge:
            continue
        name = community.badges[eligibility.badge].model.name
        lines += ["", f"{name}: {_status(eligibility, review)}"]
        for rule in eligibility.rules:
            lines += _rule(rule, 1)
    return lines
