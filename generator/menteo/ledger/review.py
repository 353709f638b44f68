"""The ledger next to today's evaluation: which awards are pending (eligible, not yet recorded),
which recorded awards no longer meet today's criteria, and the lines `menteo award` appends.

A recorded award is a fact: it is never dropped because criteria or content changed; `check`
warns instead, and revoking stays a human decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from menteo.content.badge_rules import requirements
from menteo.content.community import CommunityData, EntryRecord
from menteo.content.consent_text import NameMatcher
from menteo.errors import ContentError, Problem
from menteo.ledger.records import (
    LEDGER_FILE,
    Award,
    Ledger,
    Revocation,
    award_id,
    award_line,
    revoke_line,
    status_index,
)
from menteo.recognition.evaluate import evaluate
from menteo.recognition.memo import EvaluationMemo
from menteo.recognition.results import Eligibility, Evaluation


@dataclass(frozen=True)
class Pending:
    eligibility: Eligibility
    id: str
    evidence: tuple[str, ...]

    @property
    def badge(self) -> str:
        return self.eligibility.badge

    @property
    def recipient(self) -> str:
        return self.eligibility.person

    @property
    def awarded(self) -> dt.date:
        assert self.eligibility.first_met is not None
        return self.eligibility.first_met


def evidence_ref(entry: EntryRecord) -> str:
    return f"threads/{entry.thread}/{entry.slug}"


def _blocked(community: CommunityData, ledger: Ledger, badge: str, recipient: str) -> bool:
    """Revoking is a human decision: a revoked badge, or a tier above one, is not awarded again
    by a script."""
    seen: set[str] = set()
    todo = [badge]
    while todo:
        slug = todo.pop()
        if slug in seen:
            continue
        seen.add(slug)
        recorded = ledger.recorded(slug, recipient)
        if recorded is not None and recorded.id in ledger.revocations:
            return True
        record = community.badges.get(slug)
        if record is not None:
            todo += [needed for needed, _ in requirements(record.model)]
    return False


def pending_awards(
    community: CommunityData, evaluation: Evaluation, ledger: Ledger
) -> list[Pending]:
    """Every award that is earned and not recorded, oldest first (a lower tier before a higher
    one earned the same day)."""
    order = {slug: index for index, slug in enumerate(community.badges)}
    found = [
        Pending(
            eligibility,
            award_id(
                community.config.base_url,
                eligibility.badge,
                eligibility.person,
                eligibility.first_met,
            ),
            tuple(evidence_ref(e) for e in eligibility.evidence),
        )
        for eligibility in evaluation
        if eligibility.met
        and eligibility.first_met is not None
        and ledger.recorded(eligibility.badge, eligibility.person) is None
        and not _blocked(community, ledger, eligibility.badge, eligibility.person)
    ]
    return sorted(found, key=lambda p: (p.awarded, order[p.badge], p.recipient))


def record_lines(ledger: Ledger, pending: Sequence[Pending], recorded: str) -> list[str]:
    """The ledger lines that record `pending`, chained onto `ledger`."""
    lines: list[str] = []
    taken = {a.status_index for a in ledger.awards.values()}
    current = ledger
    for item in pending:
        index = status_index(item.id, taken)
        taken.add(index)
        award = Award(
            len(current.lines) + 1,
            item.id,
            item.badge,
            item.recipient,
            item.awarded,
            recorded,
            item.evidence,
            index,
        )
        line = award_line(current, award)
        lines.append(line)
        current = Ledger((*current.lines, line), current.awards, current.revocations)
    return lines


def revocation_line(ledger: Ledger, award: str, reason: str, recorded: str) -> str:
    return revoke_line(ledger, Revocation(len(ledger.lines) + 1, award, reason, recorded))


def named_without_consent(community: CommunityData, text: str) -> str | None:
    """How `text` names someone who has not consented to publication ("mentee 'li-wei'"), if
    it does: by the same rule as published content (`content.consent_text`)."""
    found = NameMatcher.of(community.mentors, community.mentees).find_all([text])
    return f"{found[0][2]} {found[0][3]!r}" if found else None


def reason_problems(community: CommunityData, ledger: Ledger) -> list[Problem]:
    """Revocation reasons are published: they may not name anyone who has not consented (the
    format's own checks, `records.reason_problem`, ran when the ledger was parsed)."""
    problems = []
    for revocation in ledger.revocations.values():
        name = named_without_consent(community, revocation.reason)
        if name is not None:
            problems.append(
                Problem(
                    LEDGER_FILE,
                    revocation.seq,
                    "reason",
                    f"names {name}, who has not consented to publication",
                    "the reason is published; restore the ledger from git and revoke again "
                    "with a reason that names nobody",
                )
            )
    return problems


def ledger_problems(community: CommunityData, ledger: Ledger) -> list[Problem]:
    """Recorded, unrevoked awards whose badge or recipient is gone: they can no longer be
    issued, and dropping them silently would break every copy already shared. Also revocation
    reasons that name people who have not consented."""
    problems = reason_problems(community, ledger)
    for award in ledger.awards.values():
        if award.id in ledger.revocations:
            continue
        badge = community.badges.get(award.badge)
        if badge is None:
            problems.append(
                Problem(
                    LEDGER_FILE,
                    award.seq,
                    "badge",
                    f"awards {award.badge!r}, which is no longer defined",
                    f"restore badges/{award.badge}.yaml, or revoke the award: menteo revoke {award.id} --reason …",
                )
            )
        elif award.recipient not in community.people(badge.model.audience):
            problems.append(
                Problem(
                    LEDGER_FILE,
                    award.seq,
                    "recipient",
                    f"no {badge.model.audience} {award.recipient!r}: the profile was removed or renamed",
                    f"restore their profile, or revoke the award: menteo revoke {award.id} --reason …",
                )
            )
    return problems


def stale_awards(community: CommunityData, evaluation: Evaluation, ledger: Ledger) -> list[Problem]:
    """Warnings: recorded awards that today's content and criteria would not give."""
    warnings = []
    for award in ledger.awards.values():
        record = community.badges.get(award.badge)
        if award.id in ledger.revocations or record is None:
            continue
        eligibility = evaluation.of(record.model.audience, award.recipient).get(award.badge)
        if eligibility is not None and not eligibility.met:
            unmet = "; ".join(r.text for r in eligibility.rules if not r.met)
            warnings.append(
                Problem(
                    LEDGER_FILE,
                    award.seq,
                    "",
                    f"{award.badge} for {award.recipient} no longer meets today's criteria ({unmet})",
                    f"it stays awarded; if it was a mistake: menteo revoke {award.id} --reason …",
                )
            )
    return warnings


@dataclass(frozen=True)
class Review:
    """Everything `check`, `award`, `explain` and the site need to know about recognition."""

    evaluation: Evaluation
    ledger: Ledger
    pending: tuple[Pending, ...]
    warnings: tuple[Problem, ...]


def review(community: CommunityData, ledger: Ledger, memo: EvaluationMemo | None = None) -> Review:
    """Evaluate every badge and relate it to the ledger; `ContentError` if the ledger names
    badges or people that are gone. `memo`: judgements kept between builds (`evaluate`)."""
    problems = ledger_problems(community, ledger)
    if problems:
        raise ContentError(problems)
    evaluation = evaluate(community, memo=memo)
    return Review(
        evaluation,
        ledger,
        tuple(pending_awards(community, evaluation, ledger)),
        (*community.warnings, *stale_awards(community, evaluation, ledger)),
    )


NOT_EARNED = "only menteo award writes award lines; remove this line and let it record the award"


def unearned_awards(
    community: CommunityData, evaluation: Evaluation, base: Ledger, ledger: Ledger, now: str
) -> list[Problem]:
    """Award lines added since `base` that are not what `menteo award` would write for an
    award pending on this content: another id, badge, recipient, date or evidence, or a
    `recorded` time before the award or after `now` plus a day (the chain, status index and
    spelling of each line were verified when it was parsed). `ledger` extends `base`."""
    pending = {p.id: p for p in pending_awards(community, evaluation, base)}
    latest = dt.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ") + dt.timedelta(days=1)
    # Pending on `base` is pending before every new line, unless a new revocation blocks it.
    revoked = any(r.seq > len(base.lines) for r in ledger.revocations.values())
    problems: list[Problem] = []
    for award in ledger.awards.values():
        if award.seq <= len(base.lines):
            continue
        expected = pending.pop(award.id, None)
        if expected is None or (revoked and _revoked_before(community, ledger, award)):
            problems.append(
                Problem(
                    LEDGER_FILE,
                    award.seq,
                    "id",
                    f"{award.badge} for {award.recipient} is not pending on this content "
                    "(not earned, already recorded, revoked, or not the id menteo gives it)",
                    NOT_EARNED,
                )
            )
            continue
        for field, given, wanted in (
            ("badge", award.badge, expected.badge),
            ("recipient", award.recipient, expected.recipient),
            ("awarded", award.awarded, expected.awarded),
            ("evidence", list(award.evidence), list(expected.evidence)),
        ):
            if given != wanted:
                message = f"is {given}; menteo award records {wanted}"
                problems.append(Problem(LEDGER_FILE, award.seq, field, message, NOT_EARNED))
        if dt.datetime.strptime(award.recorded, "%Y-%m-%dT%H:%M:%SZ") > latest:
            message = f"{award.recorded} is in the future"
            problems.append(Problem(LEDGER_FILE, award.seq, "recorded", message, NOT_EARNED))
    return problems


def _revoked_before(community: CommunityData, ledger: Ledger, award: Award) -> bool:
    """Whether a revocation recorded before `award`'s line blocks it (see `_blocked`)."""
    earlier = Ledger(
        ledger.lines[: award.seq - 1],
        {i: a for i, a in ledger.awards.items() if a.seq < award.seq},
        {i: r for i, r in ledger.revocations.items() if r.seq < award.seq},
    )
    return _blocked(community, earlier, award.badge, award.recipient)
