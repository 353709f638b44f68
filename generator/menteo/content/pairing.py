"""Pairing fit: what each person of a pair last answered to "is this a good fit?", and which
pairs need re-matching. Pure over the loaded community; `program.figures` lists the published
pairs among them for `menteo report`, and `menteo match` offers their mentees new mentors, so
the rule lives here once.

A pair needs re-matching when, as of the reference date, either side's latest answer is "not a
good fit", or either side is still deciding after `STILL_DECIDING_SESSIONS` sessions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from menteo.content.community import (
    CommunityData,
    EntryRecord,
    ThreadRecord,
    by_mentor,
    feedback_about,
    sees,
)
from menteo.content.models import EntryKind, PairingFit

STILL_DECIDING_SESSIONS = 6
"""Still deciding after this many sessions together: time to talk about another mentor."""
_WORST_FIRST = (PairingFit.POOR, PairingFit.DECIDING, PairingFit.GOOD)


@dataclass(frozen=True)
class PairFit:
    """One mentee of an active thread, with each side's latest answer (slugs: for organisers)."""

    thread: str
    mentee: str
    mentee_says: PairingFit | None
    mentor_says: PairingFit | None
    """The least confident latest answer among the room's mentors about this mentee."""
    sessions: int
    """Sessions of the pair up to the reference date."""

    @property
    def says_poor(self) -> bool:
        return PairingFit.POOR in (self.mentee_says, self.mentor_says)

    @property
    def still_deciding(self) -> bool:
        deciding = PairingFit.DECIDING in (self.mentee_says, self.mentor_says)
        return deciding and self.sessions >= STILL_DECIDING_SESSIONS

    @property
    def needs_rematching(self) -> bool:
        return self.says_poor or self.still_deciding


def pair_fits(community: CommunityData, as_of: dt.date | None) -> tuple[PairFit, ...]:
    """Every mentee of every thread that has not ended, with the answers given up to `as_of`
    (None: all), by thread then mentee."""
    found = []
    for thread in sorted(community.threads.values(), key=lambda t: t.slug):
        if thread.model.ended is not None:
            continue
        for mentee in thread.model.mentee_slugs:
            mine = [
                e
                for e in thread.entries
                if (as_of is None or e.date <= as_of) and sees(thread, e, mentee)
            ]
            answers = [e for e in mine if e.kind is EntryKind.FEEDBACK and e.model.fit is not None]
            found.append(
                PairFit(
                    thread=thread.slug,
                    mentee=mentee,
                    mentee_says=_side(thread, answers, mentee, mentor=False),
                    mentor_says=_side(thread, answers, mentee, mentor=True),
                    sessions=sum(1 for e in mine if e.kind is EntryKind.SESSION),
                )
            )
    return tuple(found)


def needing_rematch(community: CommunityData, as_of: dt.date | None = None) -> tuple[PairFit, ...]:
    """The pairs that need re-matching (see the module's rule)."""
    return tuple(p for p in pair_fits(community, as_of) if p.needs_rematching)


def _side(
    thread: ThreadRecord, answers: list[EntryRecord], mentee: str, mentor: bool
) -> PairingFit | None:
    """Each author's latest answer about `mentee` on one side; the least confident of them."""
    latest: dict[str, PairingFit] = {}
    for entry in sorted(answers, key=lambda e: (e.date, e.slug)):
        if by_mentor(thread, entry) == mentor and feedback_about(thread, entry) == mentee:
            assert entry.model.fit is not None
            latest[entry.model.author] = entry.model.fit
    return next((fit for fit in _WORST_FIRST if fit in latest.values()), None)
