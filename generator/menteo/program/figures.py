"""Program-health figures: the numbers the dashboard page, the home page and `menteo report`
all show, computed once so that they cannot disagree.

A pure function of the loaded community and the award ledger, so a stage after the ledger and
before rendering; no words and no drawing (the site words and draws them). The reference date
("as of") is the date of the most recent entry unless a caller fixes it, never the clock, so a
build is reproducible. Private threads are counted but never listed; pairs are named with the
`Publication` rules only (neutral labels, opaque thread ids).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from menteo.content.community import CommunityData, EntryRecord, ThreadRecord, sees
from menteo.content.models import EntryKind, OutcomeType
from menteo.content.publication import Publication
from menteo.ledger.records import Ledger

CHECK_IN_DAYS = 45
"""A published, active pair with no session for longer than this needs a check-in."""
MAX_MONTHS = 120
"""The monthly series hold at most the last ten years."""
MIN_RATINGS = 3
"""Fewer rated feedback responses than this and no average is given: it would say too much
about the one or two people who answered."""
NOT_SHARED = "not-shared"
"""The type counted for outcomes whose mentee has not chosen to share them."""
OUTCOME_TYPES = (*(t.value for t in OutcomeType), NOT_SHARED)
"""Outcome types in the order they are shown."""

Values = tuple[tuple[str, int], ...]
"""(label, count) pairs: a month ("2025-04") or an outcome type, in display order."""


@dataclass(frozen=True)
class Pair:
    """A published mentorship pair, named as the site names it."""

    thread: str
    """The thread's public id (its URL segment)."""
    mentor: str
    mentee: str
    last: dt.date | None
    """The last session (check-ins) or feedback (feedback due); None if there was none."""
    days: int
    """Days since `last`, or since the thread started if there was none."""


@dataclass(frozen=True)
class ProgramFigures:
    as_of: dt.date | None
    """The reference date; None for a community without entries."""
    since: dt.date | None
    latest_entry: dt.date | None
    """The most recent entry's date: the default `as_of`, and the site's."""
    mentors: int
    """Every mentor of the program, listed in the directory or not."""
    mentees: int
    unlisted_people: int
    """Mentors and mentees counted above whom the directory does not list (not consented)."""
    threads: int
    active_pairs: int
    """Each mentee of a thread that has not ended: a group room of four mentees is four pairs."""
    sessions: int
    outcomes: int
    months: int
    """Months with at least one entry."""
    sessions_per_month: Values
    outcomes_by_type: Values
    """Only types with at least one outcome, in `OUTCOME_TYPES` order."""
    badges_per_month: Values
    with_feedback: int
    """Threads with at least one feedback entry."""
    ratings: int
    average_rating: float | None
    """Only with at least `MIN_RATINGS` rated responses."""
    check_in: tuple[Pair, ...]
    feedback_due: tuple[Pair, ...]
    feedback_interval_days: int
    check_in_days: int = CHECK_IN_DAYS

    @property
    def feedback_coverage(self) -> float | None:
        return self.with_feedback / self.threads if self.threads else None


def program_figures(
    community: CommunityData,
    ledger: Ledger,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
) -> ProgramFigures:
    """The figures as of `as_of` (default: the most recent entry's date), counting only entries
    and awards dated from `since` (default: all) up to `as_of`."""
    every = community.entries()
    latest = every[-1].date if every else None
    as_of = as_of or latest
    pub = Publication(community)
    threads = list(community.threads.values())
    counted = [e for e in every if _within(e.date, since, as_of)]
    sessions = Counter(_month(e.date) for e in counted if e.kind is EntryKind.SESSION)
    outcomes = Counter(
        _outcome_type(pub, community.threads[e.thread], e)
        for e in counted
        if e.kind is EntryKind.OUTCOME
    )
    awards = Counter(
        _month(a.awarded)
        for a in ledger.awards.values()
        if a.id not in ledger.revocations and _within(a.awarded, since, as_of)
    )
    feedback = [e for e in counted if e.kind is EntryKind.FEEDBACK]
    ratings = [e.model.rating for e in feedback if e.model.rating is not None]
    people = [*community.mentors.values(), *community.mentees.values()]
    return ProgramFigures(
        as_of=as_of,
        since=since,
        latest_entry=latest,
        mentors=len(community.mentors),
        mentees=len(community.mentees),
        unlisted_people=sum(1 for p in people if not p.public),
        threads=len(threads),
        active_pairs=sum(len(t.model.mentee_slugs) for t in threads if t.model.ended is None),
        sessions=sum(sessions.values()),
        outcomes=sum(outcomes.values()),
        months=len({_month(e.date) for e in counted}),
        sessions_per_month=_by_month(sessions),
        outcomes_by_type=tuple((k, outcomes[k]) for k in OUTCOME_TYPES if outcomes[k]),
        badges_per_month=_by_month(awards),
        with_feedback=len({e.thread for e in feedback}),
        ratings=len(ratings),
        average_rating=sum(ratings) / len(ratings) if len(ratings) >= MIN_RATINGS else None,
        check_in=_overdue(pub, threads, as_of, EntryKind.SESSION, CHECK_IN_DAYS),
        feedback_due=_overdue(
            pub, threads, as_of, EntryKind.FEEDBACK, community.config.feedback_interval_days
        ),
        feedback_interval_days=community.config.feedback_interval_days,
    )


def _within(day: dt.date, since: dt.date | None, as_of: dt.date | None) -> bool:
    return (since is None or day >= since) and (as_of is None or day <= as_of)


def _month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _by_month(counts: Counter[str]) -> Values:
    """Every month from the first to the last counted, empty months included, but at most the
    last `MAX_MONTHS`: one entry dated decades away must not make the page megabytes long."""
    if not counts:
        return ()
    first, last = (int(m[:4]) * 12 + int(m[5:]) - 1 for m in (min(counts), max(counts)))
    labels = (
        f"{n // 12:04d}-{n % 12 + 1:02d}"
        for n in range(max(first, last - MAX_MONTHS + 1), last + 1)
    )
    return tuple((label, counts[label]) for label in labels)


def _outcome_type(pub: Publication, thread: ThreadRecord, entry: EntryRecord) -> str:
    """The outcome's type, unless the mentee has not chosen to share their outcomes."""
    if not pub.outcome_shared(thread, entry):
        return NOT_SHARED
    return entry.model.outcome.value if entry.model.outcome else OutcomeType.OTHER.value


def _overdue(
    pub: Publication,
    threads: list[ThreadRecord],
    as_of: dt.date | None,
    kind: EntryKind,
    limit: int,
) -> tuple[Pair, ...]:
    """Published, active pairs whose last `kind` entry (or start, if none) is more than `limit`
    days before `as_of`, longest first."""
    if as_of is None:
        return ()
    found = []
    for thread in threads:
        if thread.model.ended is not None or not pub.thread_published(thread):
            continue
        mentor = pub.label("mentor", pub.room_people(thread, "mentor")[0])
        for mentee in pub.room_people(thread, "mentee"):
            # each mentee of a room: sessions are shared, feedback is each mentee's own
            dates = [
                e.date
                for e in thread.entries
                if e.kind is kind and e.date <= as_of and sees(thread, e, mentee)
            ]
            last = max(dates, default=None)
            days = (as_of - (last or thread.model.started)).days
            if days > limit:
                found.append(
                    Pair(
                        thread=pub.thread_id(thread),
                        mentor=mentor,
                        mentee=pub.label("mentee", mentee),
                        last=last,
                        days=days,
                    )
                )
    return tuple(sorted(found, key=lambda p: (-p.days, p.mentor, p.mentee, p.thread)))
