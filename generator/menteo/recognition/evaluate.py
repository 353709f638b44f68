"""Decide, for every person and badge, whether the badge's criteria are met, since when, by
which entries, and what is still missing. A pure function of the loaded community: no clock, no
ledger, no I/O, so `check`, `explain`, `award` and the site always agree.

Every entry counts as evidence whatever its visibility; what may be *shown* is decided later,
when the site is rendered.

A group room counts for each of its people (docs/content-model.md lists each measure): a session
in a room of four is one session for each mentor and one for each mentee, and each mentee is a
mentee of the room's mentors. What one mentee of a room writes (a reflection, an outcome,
feedback) is theirs: it counts for them and for the mentors, not for the other mentees. The
feedback measures count what mentees said, never a mentor's own feedback.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import cast

from menteo.content.community import CommunityData, EntryRecord, Record, ThreadRecord, sees
from menteo.content.models import (
    Audience,
    Badge,
    Criterion,
    EntriesCount,
    EntryCount,
    EntryKind,
    FeedbackRating,
    Goal,
    OutcomeCount,
    PartnerCount,
    Since,
    Windowed,
)
from menteo.recognition.memo import (
    EvaluationMemo,
    decode,
    encode,
    pool_of,
    shared_inputs,
    subject_key,
)
from menteo.recognition.results import Eligibility, Evaluation, Result
from menteo.recognition.spans import Count, Event, Evidence, Span, combine, count_distinct
from menteo.recognition.wording import ENGLISH, Wording


@dataclass(frozen=True)
class Scope:
    """One person's side of the community: their threads and the entries in them, by date."""

    role: Audience
    slug: str
    threads: tuple[ThreadRecord, ...]
    entries: tuple[EntryRecord, ...]
    partner: Mapping[str, tuple[str, ...]]
    """Thread slug → the people on the other side of it (a mentor's mentees, a mentee's
    mentors)."""
    mentees: Mapping[str, tuple[str, ...]]
    """Thread slug → the mentees whose progress this person shares in it: every mentee of the
    room for a mentor, only themselves for a mentee."""
    held: dict[str, tuple[Span, ...]]
    """Badge slug → when this person met it; filled in evaluation order."""

    def since(self, day: dt.date | None) -> Iterator[EntryRecord]:
        return (e for e in self.entries if day is None or e.date >= day)

    def by(self, entry: EntryRecord, author: Audience | None) -> bool:
        """Written by this person (`author` is their own role) or by someone on the other
        side of the room (a mentor's mentee, a mentee's mentor)."""
        if author is None:
            return True
        if author is self.role:
            return entry.model.author == self.slug
        return entry.model.author in self.partner[entry.thread]


def _counted(
    words: Wording, events: list[Event], params: Since, nouns: list[str], extra: str = ""
) -> tuple[Count, str, str]:
    """Count `events` against `params`; `nouns` name one of them (["session"])."""
    within = params.within if isinstance(params, Windowed) else None
    count = count_distinct(events, params.min, within)
    limit = f" {words.window(within)}" if within else ""
    value = words.count(count.value, nouns) + (limit if count.value else "")
    short = params.min - count.value
    missing = words.count(short, nouns, more=True) + extra + limit if short > 0 else ""
    return count, value, missing


def _entry_events(scope: Scope, params: EntryCount, kinds: set[EntryKind]) -> list[Event]:
    return [
        Event(e.date, (e.thread, e.slug), (e,))
        for e in scope.since(params.since)
        if e.kind in kinds and scope.by(e, params.author)
    ]


def _months(scope: Scope, since: dt.date | None) -> list[Event]:
    return [
        Event(e.date, (e.date.year, e.date.month), (e,))
        for e in scope.since(since)
        if e.kind is EntryKind.SESSION
    ]


def _partners(scope: Scope, params: PartnerCount) -> list[Event]:
    sessions: dict[str, list[EntryRecord]] = defaultdict(list)
    for entry in scope.since(params.since):
        if entry.kind is EntryKind.SESSION:
            for partner in scope.partner[entry.thread]:
                sessions[partner].append(entry)
    events = [
        Event(found[params.with_sessions - 1].date, partner, tuple(found[: params.with_sessions]))
        for partner, found in sessions.items()
        if len(found) >= params.with_sessions
    ]
    return sorted(events, key=lambda e: e.date)


def _steps(scope: Scope, community: CommunityData, since: dt.date | None) -> list[Event]:
    """A step is done once an entry names it or a later step of the same roadmap (the thread's
    position is its furthest step, as on the roadmap pages), for each mentee of the room: a
    room's step counts once per mentee who reached it."""
    events = []
    for thread in scope.threads:
        roadmap = community.roadmaps.get(thread.model.roadmap or "")
        if roadmap is None:
            continue
        ids = [s.id for s in roadmap.model.steps]
        for mentee in scope.mentees[thread.slug]:
            furthest = -1
            for entry in thread.entries:
                step = entry.model.roadmap_step
                index = ids.index(step) if step in ids else -1
                if index > furthest and sees(thread, entry, mentee):
                    if since is None or entry.date >= since:
                        events += [
                            Event(entry.date, (mentee, roadmap.slug, i), (entry,))
                            for i in range(furthest + 1, index + 1)
                        ]
                    furthest = index
    return sorted(events, key=lambda e: e.date)


def _my_goals(scope: Scope, thread: ThreadRecord) -> list[Goal]:
    """The room's goals, and those of its mentees this person shares (`Scope.mentees`): a goal
    of one mentee counts for them and their mentors, once."""
    mine = scope.mentees[thread.slug]
    return [g for g in thread.model.goals if g.mentee is None or g.mentee in mine]


def _goals(scope: Scope, since: dt.date | None) -> list[Event]:
    """An achieved goal counts from the last entry that names it; one no entry names has no
    date to count from (`_unnamed_goals` lists those for the missing text)."""
    events = []
    for thread in scope.threads:
        for goal in _my_goals(scope, thread):
            if goal.status != "achieved":
                continue
            naming = [e for e in thread.entries if goal.id in e.model.goals]
            if naming and (since is None or naming[-1].date >= since):
                events.append(Event(naming[-1].date, (thread.slug, goal.id), (naming[-1],)))
    return sorted(events, key=lambda e: e.date)


def _unnamed_goals(scope: Scope) -> list[str]:
    """Goals marked achieved that no entry names: they need an entry to count from."""
    return [
        goal.id
        for thread in scope.threads
        for goal in _my_goals(scope, thread)
        if goal.status == "achieved" and not any(goal.id in e.model.goals for e in thread.entries)
    ]


def _rating(
    words: Wording, scope: Scope, params: FeedbackRating
) -> tuple[tuple[Span, ...], str, Evidence, str]:
    rated = [
        e
        for e in scope.since(params.since)
        if e.kind is EntryKind.FEEDBACK and scope.by(e, Audience.MENTEE)
    ]
    spans: list[Span] = []
    total = 0
    for n, entry in enumerate(rated, start=1):
        total += entry.model.rating or 0
        if n < len(rated) and rated[n].date == entry.date:
            continue  # a day is judged once all of its feedback is in
        holds = n >= params.responses and total / n >= params.min
        if holds and (not spans or spans[-1].end is not None):
            spans.append(Span(entry.date, None, tuple(rated[:n])))
        elif not holds and spans and spans[-1].end is None:
            spans[-1] = Span(spans[-1].start, entry.date, spans[-1].evidence)
    n = len(rated)
    average = total / n if n else 0.0
    value = words.rating_value(average, n)
    if n < params.responses:
        missing = words.responses_missing(params.responses - n)
    elif average < params.min:
        missing = words.rating_missing(params.min, average)
    else:
        missing = ""
    return tuple(spans), value, tuple(rated), missing


COMBINATORS = ("all", "any", "at_least")


def rules_of(criterion: Criterion) -> list[Criterion]:
    """The rules a combinator combines (its `Result.children`, in order); none for a measure."""
    if criterion.kind not in COMBINATORS:
        return []
    return criterion.all or criterion.any or (criterion.at_least.of if criterion.at_least else [])


class _Judge:
    """Judges rules for one scope; `names` gives badge names for the generated `words`, `texts`
    caches them (the same for everyone, and a fifth of the evaluation time otherwise)."""

    def __init__(
        self,
        community: CommunityData,
        scope: Scope,
        names: Mapping[str, str],
        texts: dict[int, tuple[Criterion, str]],
        words: Wording,
    ):
        self.community = community
        self.scope = scope
        self.names = names
        self.texts = texts
        self.words = words

    def describe(self, criterion: Criterion) -> str:
        """Keyed by identity; the entry keeps the criterion alive, so its id is never reused."""
        known = self.texts.get(id(criterion))
        if known is None:
            known = (criterion, self.words.describe(criterion, self.scope.role, self.names))
            self.texts[id(criterion)] = known
        return known[1]

    def judge(self, criterion: Criterion) -> Result:
        text = self.describe(criterion)
        kind = criterion.kind
        if kind in COMBINATORS:
            children = tuple(self.judge(c) for c in rules_of(criterion))
            needed = {"all": len(children), "any": 1}.get(
                kind, criterion.at_least.count if criterion.at_least else 1
            )
            spans = combine([c.spans for c in children], needed)
            missing = (
                "" if spans and spans[-1].end is None else self.words.missing_of(children, needed)
            )
            return Result(criterion, text, spans, missing=missing, children=children)
        if kind == "badge":
            slug = criterion.badge or ""
            spans = self.scope.held.get(slug, ())
            met = bool(spans) and spans[-1].end is None
            name = self.names.get(slug, slug)
            value = self.words.badge_held(name, met)
            missing = "" if met else self.words.earn_first(name)
            return Result(criterion, text, spans, value, missing=missing)
        if kind == "feedback_rating":
            params = criterion.feedback_rating
            assert params is not None
            spans, value, counted, missing = _rating(self.words, self.scope, params)
            return Result(criterion, text, spans, value, counted, missing)
        count, value, missing = self.count(criterion)
        return Result(criterion, text, count.spans, value, count.counted, missing)

    def count(self, criterion: Criterion) -> tuple[Count, str, str]:
        kind, params = criterion.kind, criterion.params
        scope, words = self.scope, self.words
        if isinstance(params, EntriesCount):
            kinds = set(params.kinds)
            events = _entry_events(scope, params, kinds)
            return _counted(words, events, params, words.entries_word(params.kinds))
        if kind == "sessions" and isinstance(params, EntryCount):
            events = _entry_events(scope, params, {EntryKind.SESSION})
            return _counted(words, events, params, ["session"])
        if kind == "outcomes" and isinstance(params, OutcomeCount):
            types = set(params.types)
            events = [
                Event(e.date, (e.thread, e.slug), (e,))
                for e in scope.since(params.since)
                if e.kind is EntryKind.OUTCOME and (not types or e.model.outcome in types)
            ]
            return _counted(words, events, params, ["outcome"])
        if isinstance(params, PartnerCount):
            each = " " + words.with_sessions(params.with_sessions)
            return _counted(words, _partners(scope, params), params, [kind[:-1]], each)
        assert isinstance(params, Since)
        if kind == "active_months":
            months = _months(scope, params.since)
            return _counted(words, months, params, ["month"], " " + words.with_a_session())
        if kind == "consecutive_months":
            return _consecutive(words, _months(scope, params.since), params.min)
        if kind == "roadmap_steps":
            events = _steps(scope, self.community, params.since)
            return _counted(words, events, params, ["roadmap step"])
        if kind == "roadmaps_completed":
            events = [e for e in _steps(scope, self.community, params.since) if self.last_step(e)]
            return _counted(words, events, params, ["roadmap"])
        if kind == "goals_achieved":
            goals = _goals(scope, params.since)
            count, value, missing = _counted(words, goals, params, ["goal"])
            unnamed = _unnamed_goals(scope)
            if unnamed and missing:
                missing += " " + words.unnamed_goals(unnamed)
            return count, value, missing
        # what mentees said: a mentor's own feedback is not a response they received
        feedback = EntryCount(min=params.min, since=params.since, author=Audience.MENTEE)
        events = _entry_events(scope, feedback, {EntryKind.FEEDBACK})
        return _counted(words, events, params, ["feedback response"])

    def last_step(self, event: Event) -> bool:
        _, roadmap, index = cast(tuple[str, str, int], event.key)
        steps = self.community.roadmaps[roadmap].model.steps
        return bool(index == len(steps) - 1)


def _consecutive(words: Wording, events: list[Event], minimum: int) -> tuple[Count, str, str]:
    """The longest run of calendar months in a row with a session."""
    months: dict[int, Event] = {}
    for event in events:
        year, month = cast(tuple[int, int], event.key)
        months.setdefault(year * 12 + month, event)
    run: list[Event] = []
    best: list[Event] = []
    first: Span | None = None
    previous = None
    for index in sorted(months):
        if previous is None or index != previous + 1:
            run = []
        previous = index
        run.append(months[index])
        if len(run) > len(best):
            best = list(run)
        if first is None and len(run) >= minimum:
            first = Span(run[-1].date, None, tuple(e.entries[0] for e in run))
    count = Count(len(best), tuple(e.entries[0] for e in best), (first,) if first else ())
    missing = "" if first else words.run_missing(minimum, len(best))
    return count, words.count(len(best), ["consecutive month"]), missing


def _people(
    community: CommunityData, only: Collection[tuple[Audience, str]] | None = None
) -> Iterator[tuple[Audience, str, tuple[ThreadRecord, ...]]]:
    """Each person (`only`: those people alone) with their threads."""
    threads: dict[tuple[Audience, str], list[ThreadRecord]] = defaultdict(list)
    for thread in community.threads.values():
        for mentor in thread.model.mentor_slugs:
            threads[(Audience.MENTOR, mentor)].append(thread)
        for mentee in thread.model.mentee_slugs:
            threads[(Audience.MENTEE, mentee)].append(thread)
    for role, people in (
        (Audience.MENTOR, community.mentors),
        (Audience.MENTEE, community.mentees),
    ):
        for slug in people:
            if only is not None and (role, slug) not in only:
                continue
            yield role, slug, tuple(threads.get((role, slug), ()))


def _scope(role: Audience, slug: str, mine: tuple[ThreadRecord, ...]) -> Scope:
    """One person's scope, made only when they are judged (not when remembered)."""
    is_mentor = role is Audience.MENTOR
    entries = sorted(
        (e for t in mine for e in t.entries if is_mentor or sees(t, e, slug)),
        key=lambda e: (e.date, e.thread, e.slug),
    )
    partner = {t.slug: t.model.mentee_slugs if is_mentor else t.model.mentor_slugs for t in mine}
    mentees = {t.slug: t.model.mentee_slugs if is_mentor else (slug,) for t in mine}
    return Scope(role, slug, mine, tuple(entries), partner, mentees, {})


def top_level(record: Record[Badge]) -> list[Criterion]:
    """The rules a badge's progress is counted in: the tier it builds on, then its criteria."""
    badge = record.model
    rules = [Criterion(badge=badge.builds_on)] if badge.builds_on else []
    return rules + (list(badge.criteria.all) if badge.criteria.all else [badge.criteria])


def evaluate(
    community: CommunityData,
    words: Wording = ENGLISH,
    only: Collection[tuple[Audience, str]] | None = None,
    memo: EvaluationMemo | None = None,
) -> Evaluation:
    """Judge every badge for every person of its audience, explained in `words`; `only` those
    people (`menteo serve`, after an entry edit, judges its thread's people first): a person's
    judgement reads only their own threads, so theirs is what judging everyone gives them.
    `memo` (`recognition.memo`; with `words` in `language`) gives back the judgement of a
    person whose inputs are unchanged and remembers the others'."""
    names = {slug: record.model.name for slug, record in community.badges.items()}
    tops = {slug: top_level(record) for slug, record in community.badges.items()}
    texts: dict[int, tuple[Criterion, str]] = {}
    results: dict[tuple[Audience, str], dict[str, Eligibility]] = {}
    shared = shared_inputs(community, str(words.locale)) if memo is not None else None
    audience = {
        role: [
            (slug, tops[slug]) for slug, r in community.badges.items() if r.model.audience is role
        ]
        for role in Audience
    }
    for role, person, threads in _people(community, only):
        key = None
        if memo is not None and shared is not None:
            key = subject_key(community, shared, role, person, threads)
        if memo is not None and key is not None:
            found = memo.found.get(key)
            if found is not None:
                known = decode(found, role, person, audience[role], rules_of, pool_of(threads))
                if known is not None:
                    memo.made[key] = found
                    results[(role, person)] = known
                    continue
        scope = _scope(role, person, threads)
        judge = _Judge(community, scope, names, texts, words)
        mine: dict[str, Eligibility] = {}
        for slug, record in community.badges.items():
            if record.model.audience is not scope.role:
                continue
            rules = tuple(judge.judge(c) for c in tops[slug])
            spans = combine([r.spans for r in rules], len(rules))
            scope.held[slug] = spans
            mine[slug] = Eligibility(slug, scope.role, scope.slug, rules, spans)
        results[(scope.role, scope.slug)] = mine
        if memo is not None and key is not None:
            value = encode(mine, pool_of(scope.threads))
            if value is not None:
                memo.made[key] = value
                memo.fresh.add(key)
    return Evaluation(results)
