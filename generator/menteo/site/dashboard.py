"""The program dashboard in words and charts: the figures of `program.figures`, worded from a
message catalog (English by default, as `menteo report` prints them; the site's language on the
dashboard page) and drawn as bar charts with their tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from menteo.content.models import OutcomeType
from menteo.i18n import N_, Formats, NullTranslations
from menteo.program.figures import (
    CHECK_IN_DAYS,
    NOT_SHARED,
    Pair,
    ProgramFigures,
)

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
class Dashboard:
    """The dashboard page's (and `menteo report`'s) view of `ProgramFigures`: the same
    numbers, with their words and charts."""

    as_of: dt.date | None
    """The reference date; None for a community without entries."""
    since: dt.date | None
    latest_entry: dt.date | None
    """The most recent entry's date, which the site's dashboard is as of."""
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


def dashboard_view(
    figures: ProgramFigures, language: str = "en", catalog: NullTranslations | None = None
) -> Dashboard:
    """`figures` worded with `catalog` for readers of `language` (default: English), with
    their charts."""
    words = _Words(catalog or NullTranslations(), Formats(language))
    _ = words.catalog.gettext
    f = figures
    outcome_values = [(_(OUTCOME_LABEL[k]), n) for k, n in f.outcomes_by_type]
    month = _("Month")
    return Dashboard(
        as_of=f.as_of,
        since=f.since,
        latest_entry=f.latest_entry,
        threads=f.threads,
        active_pairs=f.active_pairs,
        sessions=_series(
            words,
            "sessions",
            _("Sessions per month"),
            month,
            _("Sessions"),
            list(f.sessions_per_month),
        ),
        outcomes=_series(
            words, "outcomes", _("Outcomes by type"), _("Type"), _("Outcomes"), outcome_values
        ),
        badges=_series(
            words,
            "badges",
            _("Badges awarded per month"),
            month,
            _("Badges"),
            list(f.badges_per_month),
        ),
        with_feedback=f.with_feedback,
        ratings=f.ratings,
        average_rating=f.average_rating,
        check_in=f.check_in,
        feedback_due=f.feedback_due,
        feedback_interval_days=f.feedback_interval_days,
        coverage_text=words.coverage(f.with_feedback, f.threads),
        rating_text=words.rating(f.average_rating, f.ratings),
        check_in_days=f.check_in_days,
    )


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
