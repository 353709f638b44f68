"""Program-health figures: what the dashboard page and `menteo report` show.

A pure function of the loaded community and the award ledger. The reference date ("as of") is
the date of the most recent entry unless a caller fixes it, never the clock, so a build is
reproducible. Private threads are counted but never listed; pairs are named with the
`Publication` rules only (neutral labels, opaque thread ids). Words come from a message catalog
(English by default, as `menteo report` prints them; the site's language on the dashboard page).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from menteo.content.community import CommunityData, EntryRecord, ThreadRecord, sees
from menteo.content.models import EntryKind, OutcomeType
from menteo.content.publication import Publication
from menteo.i18n import N_, Formats, NullTranslations
from menteo.ledger.records import Ledger

CHECK_IN_DAYS = 45
"""A published, active pair with no session for longer than this needs a check-in."""
MAX_MONTHS = 120
"""The monthly charts show at most the last ten years."""
MIN_RATINGS = 3
"""Fewer rated feedback responses than this and no average is shown: it would say too much
about the one or two people who answered."""
NOT_SHARED = "not-shared"
"""The type counted for outcomes whose mentee has not chosen to share them."""
OUTCOME_LABEL = {
    OutcomeType.PROMOTION.value: N_("promotion"),
    OutcomeType.PROJECT_SHIPPED.value: N_("project shipped"),
    OutcomeType.SKILL_ATTAINED.value: N_("skill attained"),
    OutcomeType.NEW_ROLE.value: N_("new role"),
    OutcomeType.TALK_GIVEN.value: N_("talk given"),
    OutcomeType.OTHER.value: N_("other"),
    NOT_SHARED: N_("not shared"),
}

CHART_WIDTH = 640
CHART_HEIGHT = 200
CHART_TOP = 16
CHART_BOTTOM = 36
CHART_LEFT = 8
BAR_MAX = 64


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Series:
    """One bar chart and the table beside it."""

    id: str
    title: str
    category: str
    """The header of the label column (e.g. "Month")."""
    unit: str
    """What a value counts, as a column header (e.g. "Sessions")."""
    summary: str
    """One sentence: the chart's text alternative."""
    bars: tuple[Bar, ...]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)

    @property
    def baseline(self) -> int:
        return self.height - CHART_BOTTOM


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
class Dashboard:
    as_of: dt.date | None
    """The reference date; None for a community without entries."""
    since: dt.date | None
    threads: int
    active_pairs: int
    """Each mentee of a thread that has not ended: a group room of four mentees is four pairs."""
    sessions: Series
    outcomes: Series
    badges: Series
    with_feedback: int
    """Threads with at least one feedback entry."""
    ratings: int
    average_rating: float | None
    """Only with at least `MIN_RATINGS` rated responses."""
    check_in: tuple[Pair, ...]
    feedback_due: tuple[Pair, ...]
    feedback_interval_days: int
    coverage_text: str
    rating_text: str
    check_in_days: int = CHECK_IN_DAYS

    @property
    def feedback_coverage(self) -> float | None:
        return self.with_feedback / self.threads if self.threads else None


@dataclass(frozen=True)
class _Words:
    """The dashboard's sentences in one language."""

    catalog: NullTranslations
    formats: Formats

    def coverage(self, with_feedback: int, threads: int) -> str:
        if not threads:
            return self.catalog.gettext("no mentorships yet")
        text = self.catalog.ngettext(
            "%(share)s (%(with)s of %(num)s mentorship)",
            "%(share)s (%(with)s of %(num)s mentorships)",
            threads,
        )
        share = self.formats.percent(round(with_feedback / threads, 2))
        return text % {"share": share, "with": with_feedback, "num": threads}

    def rating(self, average: float | None, responses: int) -> str:
        if average is None:
            return self.catalog.gettext("not enough responses")
        text = self.catalog.ngettext(
            "%(average)s of 5 (%(num)s response)", "%(average)s of 5 (%(num)s responses)", responses
        )
        return text % {"average": self.formats.decimal(average, "0.0"), "num": responses}

    def summary(self, title: str, values: list[tuple[str, int]], by_type: bool) -> str:
        _, ngettext = self.catalog.gettext, self.catalog.ngettext
        if not values:
            return _("%(title)s: none yet.") % {"title": title}
        top = max(v for _, v in values)
        peaks = [label for label, v in values if v == top]
        where = ", ".join(peaks[:3])
        if len(peaks) > 3:
            where = _("%(list)s and %(num)s more") % {"list": where, "num": len(peaks) - 3}
        if by_type:
            text = ngettext(
                "%(title)s: %(total)s in %(num)s type; the highest is %(top)s, in %(where)s.",
                "%(title)s: %(total)s in %(num)s types; the highest is %(top)s, in %(where)s.",
                len(values),
            )
        else:
            text = ngettext(
                "%(title)s: %(total)s in %(num)s month; the highest is %(top)s, in %(where)s.",
                "%(title)s: %(total)s in %(num)s months; the highest is %(top)s, in %(where)s.",
                len(values),
            )
        total = sum(v for _, v in values)
        return text % {
            "title": title,
            "total": total,
            "num": len(values),
            "top": top,
            "where": where,
        }


def program_dashboard(
    community: CommunityData,
    ledger: Ledger,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    language: str = "en",
    catalog: NullTranslations | None = None,
) -> Dashboard:
    """The figures as of `as_of` (default: the most recent entry's date), counting only entries
    and awards dated from `since` (default: all) up to `as_of`, worded with `catalog` for
    readers of `language` (default: English)."""
    words = _Words(catalog or NullTranslations(), Formats(language))
    _ = words.catalog.gettext
    every = community.entries()
    if as_of is None and every:
        as_of = every[-1].date
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
    outcome_values = [(_(OUTCOME_LABEL[k]), outcomes[k]) for k in OUTCOME_LABEL if outcomes[k]]
    with_feedback = len({e.thread for e in feedback})
    average = sum(ratings) / len(ratings) if len(ratings) >= MIN_RATINGS else None
    month = _("Month")
    return Dashboard(
        as_of=as_of,
        since=since,
        threads=len(threads),
        active_pairs=sum(len(t.model.mentee_slugs) for t in threads if t.model.ended is None),
        sessions=_series(
            words, "sessions", _("Sessions per month"), month, _("Sessions"), _by_month(sessions)
        ),
        outcomes=_series(
            words, "outcomes", _("Outcomes by type"), _("Type"), _("Outcomes"), outcome_values
        ),
        badges=_series(
            words, "badges", _("Badges awarded per month"), month, _("Badges"), _by_month(awards)
        ),
        with_feedback=with_feedback,
        ratings=len(ratings),
        average_rating=average,
        check_in=_overdue(pub, threads, as_of, EntryKind.SESSION, CHECK_IN_DAYS),
        feedback_due=_overdue(
            pub, threads, as_of, EntryKind.FEEDBACK, community.config.feedback_interval_days
        ),
        feedback_interval_days=community.config.feedback_interval_days,
        coverage_text=words.coverage(with_feedback, len(threads)),
        rating_text=words.rating(average, len(ratings)),
    )


def _within(day: dt.date, since: dt.date | None, as_of: dt.date | None) -> bool:
    return (since is None or day >= since) and (as_of is None or day <= as_of)


def _month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _by_month(counts: Counter[str]) -> list[tuple[str, int]]:
    """Every month from the first to the last counted, empty months included, but at most the
    last `MAX_MONTHS`: one entry dated decades away must not make the page megabytes long."""
    if not counts:
        return []
    first, last = (int(m[:4]) * 12 + int(m[5:]) - 1 for m in (min(counts), max(counts)))
    labels = (
        f"{n // 12:04d}-{n % 12 + 1:02d}"
        for n in range(max(first, last - MAX_MONTHS + 1), last + 1)
    )
    return [(label, counts[label]) for label in labels]


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


def _series(
    words: _Words, id: str, title: str, category: str, unit: str, values: list[tuple[str, int]]
) -> Series:
    summary = words.summary(title, values, by_type=id == "outcomes")
    return Series(id, title, category, unit, summary, _bars(values))


def _bars(values: list[tuple[str, int]]) -> tuple[Bar, ...]:
    if not values:
        return ()
    top = max(v for _, v in values) or 1
    plot = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = (CHART_WIDTH - 2 * CHART_LEFT) / len(values)
    width = round(min(slot * 0.7, BAR_MAX), 1)
    bars = []
    for index, (label, value) in enumerate(values):
        height = round(plot * value / top, 1)
        x = round(CHART_LEFT + index * slot + (slot - width) / 2, 1)
        bars.append(Bar(label, value, x, round(CHART_TOP + plot - height, 1), width, height))
    return tuple(bars)
