"""When a rule holds: the periods during which it is met, and what made it met.

Most measures only grow (a session, once held, is never undone), so they hold from one date on.
An average rating can fall again, so every rule is described by spans, and combinators
intersect or unite them. The first span's start is the date the rule was first met: always the
date of an entry, never the day the site was built.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from menteo.content.community import EntryRecord

Evidence = tuple[EntryRecord, ...]


@dataclass(frozen=True)
class Span:
    start: dt.date
    end: dt.date | None
    """Exclusive; None while the rule still holds."""
    evidence: Evidence
    """The entries that made the rule met at `start`."""

    def holds_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Event:
    """Something that counts toward a measure: on `date`, `key` is reached (a session, a month,
    a mentee), shown by `entries`."""

    date: dt.date
    key: Hashable
    entries: Evidence


@dataclass(frozen=True)
class Count:
    value: int
    """The best count reached (inside the best window, when there is one)."""
    counted: Evidence
    """The entries behind `value`."""
    spans: tuple[Span, ...]


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has at least 28 days")


def window_start(day: dt.date, period: str | None) -> dt.date | None:
    """The earliest date counted in a window of `period` ending on `day` (both ends included)."""
    if period is None:
        return None
    amount, unit = period.split()
    n = int(amount)
    if unit.startswith("month"):
        return add_months(day, -n)
    if unit.startswith("year"):
        return add_months(day, -12 * n)
    return day - dt.timedelta(days=n * (7 if unit.startswith("week") else 1))


def _evidence(events: Sequence[Event]) -> Evidence:
    """The entries of the first event of each key, in date order, each once."""
    seen_keys: set[Hashable] = set()
    seen: dict[tuple[str, str], EntryRecord] = {}
    for event in events:
        if event.key in seen_keys:
            continue
        seen_keys.add(event.key)
        for entry in event.entries:
            seen.setdefault((entry.thread, entry.slug), entry)
    return tuple(seen.values())


def count_distinct(events: Sequence[Event], minimum: int, within: str | None) -> Count:
    """Distinct keys among `events` (sorted by date), inside one window of `within` if given."""
    window: Counter[Hashable] = Counter()
    left = 0
    best, best_range = 0, (0, 0)
    first: Span | None = None
    for right, event in enumerate(events):
        start = window_start(event.date, within)
        while start is not None and events[left].date < start:
            window[events[left].key] -= 1
            if not window[events[left].key]:
                del window[events[left].key]
            left += 1
        window[event.key] += 1
        if len(window) > best:
            best, best_range = len(window), (left, right + 1)
            if first is None and best >= minimum:
                first = Span(event.date, None, _evidence(events[left : right + 1]))
    counted = _evidence(events[best_range[0] : best_range[1]])
    return Count(best, counted, (first,) if first else ())


def combine(children: Sequence[tuple[Span, ...]], needed: int) -> tuple[Span, ...]:
    """The spans during which at least `needed` of the children hold."""
    bounds = sorted(
        {s.start for spans in children for s in spans}
        | {s.end for spans in children for s in spans if s.end is not None}
    )
    result: list[Span] = []
    for day in bounds:
        active = [next((s for s in spans if s.holds_on(day)), None) for spans in children]
        met = [s for s in active if s is not None]
        holds = len(met) >= needed
        if holds and (not result or result[-1].end is not None):
            evidence = {_order(e): e for s in met for e in s.evidence}
            result.append(Span(day, None, tuple(evidence[k] for k in sorted(evidence))))
        elif not holds and result and result[-1].end is None:
            last = result[-1]
            result[-1] = Span(last.start, day, last.evidence)
    return tuple(result)


def _order(entry: EntryRecord) -> tuple[dt.date, str, str]:
    return (entry.date, entry.thread, entry.slug)
