"""What evaluation produces: a rule or a badge judged for one person, and every badge judged
for everyone. Its own module so that the wording (which phrases results) and the evaluator
(which produces them) both import it without importing each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from menteo.content.models import Audience, Criterion
from menteo.recognition.spans import Evidence, Span


class Judged:
    """Met or not, and since when, from the spans during which it held."""

    spans: tuple[Span, ...]

    @property
    def met(self) -> bool:
        return bool(self.spans) and self.spans[-1].end is None

    @property
    def first_met(self) -> dt.date | None:
        """The date of the entry that first completed it (never the day of the build)."""
        return self.spans[0].start if self.spans else None


@dataclass(frozen=True)
class Result(Judged):
    """One rule judged for one person."""

    criterion: Criterion
    text: str
    """The rule in words, generated from the rule itself."""
    spans: tuple[Span, ...]
    value: str = ""
    """What was measured, in words ("4 sessions"); empty for combinators."""
    counted: Evidence = ()
    missing: str = ""
    """What is still needed, in words; empty once met."""
    children: tuple[Result, ...] = ()


@dataclass(frozen=True)
class Eligibility(Judged):
    """One badge judged for one person; `rules` are its top-level criteria (a lower tier
    first, when the badge builds on one)."""

    badge: str
    role: Audience
    person: str
    rules: tuple[Result, ...]
    spans: tuple[Span, ...]

    @property
    def evidence(self) -> Evidence:
        """The entries that made the criteria met on `first_met`."""
        return self.spans[0].evidence if self.spans else ()

    @property
    def rules_met(self) -> int:
        return sum(rule.met for rule in self.rules)


@dataclass(frozen=True)
class Evaluation:
    """Every badge of their audience, judged for every person, in badge evaluation order."""

    results: Mapping[tuple[Audience, str], Mapping[str, Eligibility]]

    def of(self, role: Audience, slug: str) -> Mapping[str, Eligibility]:
        return self.results.get((role, slug), {})

    def __iter__(self) -> Iterator[Eligibility]:
        for by_badge in self.results.values():
            yield from by_badge.values()
