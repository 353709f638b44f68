"""Matching mentees with mentors: who is waiting, how well a mentor fits, and the best assignment.

Pure functions over the loaded community. The fit rule is deliberately small and additive so that
people can check it by hand, and so that the mentor directory's "Find my match" script
(themes/default/static/directory.js) computes exactly the same numbers in the browser:

- 3 points per skill the mentee seeks that the mentor lists;
- 2 points if they share a language;
- 2 points if their time zones are at most 2 hours apart, 1 point at most 5 hours;
- 1 point if they share a community.

A mentor is offered only while their availability is `open` and they have a free place:
`capacity` minus their active mentees (no `capacity`: one place). The whole waiting list is then
assigned at once, maximising the total fit with SciPy's `linear_sum_assignment` (the Hungarian
method's successor, an exact solver) over one column per free place, so capacities hold by
construction. Everything is sorted by slug first, so equal scores always resolve the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from menteo.content.community import CommunityData, Person, ThreadRecord
from menteo.content.models import Availability, Mentee, Mentor
from menteo.content.timezones import hours_apart, utc_offset_minutes
from menteo.i18n import N_

SKILL_POINTS = 3
LANGUAGE_POINTS = 2
NEAR_HOURS, NEAR_POINTS = 2, 2
FAR_HOURS, FAR_POINTS = 5, 1
COMMUNITY_POINTS = 1
SUGGESTIONS = 3
"""Mentors suggested per waiting mentee."""


@dataclass(frozen=True)
class Wish:
    """What one person seeks in a mentor (a waiting mentee's file, or a visitor's choices)."""

    skills: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    communities: tuple[str, ...] = ()
    offset: int | None = None
    """Minutes east of UTC (see `timezones`), or None: not said."""


@dataclass(frozen=True)
class Offer:
    """A mentor as matching sees them."""

    slug: str
    skills: tuple[str, ...]
    languages: tuple[str, ...]
    communities: tuple[str, ...]
    offset: int | None
    capacity: int | None
    active: int
    """Their mentees in rooms that have not ended."""
    open: bool

    @property
    def free(self) -> int:
        if not self.open:
            return 0
        return 1 if self.capacity is None else max(0, self.capacity - self.active)


@dataclass(frozen=True)
class Reason:
    """Why a mentor fits, as data: the command words it in English, the site in its language."""

    kind: str
    """`skills`, `language`, `timezone-near`, `timezone-far`, `community` or `places`."""
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fit:
    mentor: str
    score: int
    reasons: tuple[Reason, ...]


# ---------------------------------------------------------------- who is in which room


def is_active(thread: ThreadRecord) -> bool:
    """A room that has not ended."""
    return thread.model.ended is None


def has_active_mentor(community: CommunityData, mentee: str) -> bool:
    """Whether `mentee` belongs to a room that has not ended."""
    return any(mentee in t.model.mentee_slugs for t in community.threads.values() if is_active(t))


def active_mentees(community: CommunityData) -> Counter[str]:
    """Mentor slug → how many mentees they have in rooms that have not ended."""
    counts: Counter[str] = Counter()
    for thread in community.threads.values():
        if is_active(thread):
            mentors, mentees = thread.model.mentor_slugs, thread.model.mentee_slugs
            for mentor in mentors:
                counts[mentor] += len(mentees)
    return counts


def waiting_mentees(community: CommunityData) -> tuple[str, ...]:
    """Mentees who need a mentor, by slug: no active mentor, and either never paired or asking
    again (their file states `seeking:`). Alumni who say nothing are not chased."""
    ever = {m for t in community.threads.values() for m in t.model.mentee_slugs}
    return tuple(
        slug
        for slug, person in sorted(community.mentees.items())
        if not has_active_mentor(community, slug)
        and (slug not in ever or getattr(person.model, "seeking", None) is not None)
    )


# ---------------------------------------------------------------- from files to wishes and offers


def wish_of(person: Person) -> Wish:
    """A mentee's wish: their `seeking:`, falling back to their own skills and languages."""
    model = person.model
    seeking = model.seeking if isinstance(model, Mentee) else None
    skills = (seeking.skills if seeking else []) or model.skills
    languages = (seeking.languages if seeking else []) or model.languages
    zone = seeking.timezone if seeking else None
    return Wish(
        skills=tuple(dict.fromkeys(skills)),
        languages=tuple(dict.fromkeys(languages)),
        communities=tuple(dict.fromkeys(model.communities)),
        offset=utc_offset_minutes(zone) if zone else None,
    )


def offers_of(community: CommunityData, slugs: Iterable[str] | None = None) -> tuple[Offer, ...]:
    """Every mentor (or those in `slugs`) as an offer, by slug."""
    active = active_mentees(community)
    chosen = sorted(community.mentors if slugs is None else slugs)
    return tuple(_offer(community.mentors[slug], active[slug]) for slug in chosen)


def _offer(person: Person, active: int) -> Offer:
    model = person.model
    assert isinstance(model, Mentor)
    return Offer(
        slug=person.slug,
        skills=tuple(model.skills),
        languages=tuple(model.languages),
        communities=tuple(model.communities),
        offset=utc_offset_minutes(model.timezone) if model.timezone else None,
        capacity=model.capacity,
        active=active,
        open=model.availability == Availability.OPEN,
    )


# ---------------------------------------------------------------- the fit rule


def fit(wish: Wish, offer: Offer) -> Fit:
    """How well `offer` suits `wish`: the points of the rule above, with a reason for each."""
    score = 0
    reasons: list[Reason] = []
    skills = tuple(s for s in wish.skills if s in offer.skills)
    if skills:
        score += SKILL_POINTS * len(skills)
        reasons.append(Reason("skills", skills))
    languages = tuple(code for code in wish.languages if code in offer.languages)
    if languages:
        score += LANGUAGE_POINTS
        reasons.append(Reason("language", languages[:1]))
    if wish.offset is not None and offer.offset is not None:
        apart = hours_apart(wish.offset, offer.offset)
        if apart <= NEAR_HOURS:
            score += NEAR_POINTS
            reasons.append(Reason("timezone-near", (str(NEAR_HOURS),)))
        elif apart <= FAR_HOURS:
            score += FAR_POINTS
            reasons.append(Reason("timezone-far", (_hours(apart),)))
    communities = tuple(c for c in wish.communities if c in offer.communities)
    if communities:
        score += COMMUNITY_POINTS
        reasons.append(Reason("community", communities[:1]))
    if score and offer.capacity is not None:
        reasons.append(Reason("places", (str(offer.free), str(offer.capacity))))
    return Fit(offer.slug, score, tuple(reasons))


def _hours(apart: float) -> str:
    """`apart` to a tenth of an hour, rounded half up in whole numbers (not floats), exactly as
    the directory's script writes it: "4", "4.5"."""
    tenths = (round(apart * 60) * 10 + 30) // 60
    return str(tenths // 10) + ("" if tenths % 10 == 0 else f".{tenths % 10}")


def ranked(wish: Wish, offers: Iterable[Offer], free_only: bool = True) -> list[Fit]:
    """The mentors who fit at all (and have a free place, unless not `free_only`: the site lets
    visitors filter by availability themselves), best first, then by slug."""
    fits = [fit(wish, offer) for offer in offers if offer.free > 0 or not free_only]
    return sorted((f for f in fits if f.score > 0), key=lambda f: (-f.score, f.mentor))


# ---------------------------------------------------------------- the whole waiting list


def optimal_assignment(
    scores: Mapping[tuple[str, str], int], places: Mapping[str, int]
) -> list[tuple[str, str]]:
    """(mentee, mentor) pairs maximising the total score, with at most `places[mentor]` mentees
    per mentor and one mentor per mentee; pairs scoring 0 (no fit) are left out.

    `scores` maps (mentee, mentor) to a score ≥ 0; missing pairs score 0."""
    # Imported here: SciPy takes a good part of a second to load, and only `menteo match`
    # needs it, not every command that imports this module (the site's ranking does not).
    import numpy as np
    from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

    mentees = sorted({mentee for mentee, _ in scores})
    slots = [mentor for mentor in sorted(places) for _ in range(max(0, places[mentor]))]
    if not mentees or not slots:
        return []
    gain = np.array(
        [[scores.get((mentee, mentor), 0) for mentor in slots] for mentee in mentees],
        dtype=np.int64,
    )
    rows, cols = linear_sum_assignment(gain, maximize=True)
    pairs = [(mentees[r], slots[c]) for r, c in zip(rows.tolist(), cols.tolist(), strict=True)]
    return sorted(pair for pair in pairs if scores.get(pair, 0) > 0)


@dataclass(frozen=True)
class Matches:
    suggestions: tuple[tuple[str, tuple[Fit, ...]], ...]
    """(mentee, their best mentors) for each waiting mentee asked about."""
    assignment: tuple[tuple[str, str], ...]
    """(mentee, mentor): the best assignment of the whole waiting list."""


def match(
    community: CommunityData,
    only: str | None = None,
    waiting: Callable[[CommunityData], Sequence[str]] = waiting_mentees,
) -> Matches:
    """Suggestions for every waiting mentee (or `only` that one, waiting or not) and the optimal
    assignment of the waiting list (plus `only`), respecting every mentor's free places."""
    offers = offers_of(community)
    queue = list(waiting(community))
    if only is not None and only not in queue:
        queue = sorted([*queue, only])
    fits = {mentee: ranked(wish_of(community.mentees[mentee]), offers) for mentee in queue}
    scores = {(mentee, f.mentor): f.score for mentee, found in fits.items() for f in found}
    pairs = optimal_assignment(scores, {o.slug: o.free for o in offers})
    shown = [only] if only is not None else queue
    return Matches(
        suggestions=tuple((m, tuple(fits[m][:SUGGESTIONS])) for m in shown),
        assignment=tuple(p for p in pairs if only is None or p[0] == only),
    )


# ---------------------------------------------------------------- words


REASON_WORDS: dict[str, str] = {
    "skills": N_("shares {skills}"),
    "language": N_("speaks {language}"),
    "timezone-near": N_("same time zone ±{hours} h"),
    "timezone-far": N_("time zones {hours} h apart"),
    "community": N_("both in {community}"),
    "place": N_("{free} of {capacity} place free"),
    "places": N_("{free} of {capacity} places free"),
    "and": N_("{first} and {last}"),
}
"""Each reason's words with their placeholders: the command uses them as they are, the site
translates them and hands the same strings to the directory's script, so both say the same."""


def reason_text(
    reason: Reason,
    words: Mapping[str, str],
    language_name: Callable[[str], str],
    community_name: Callable[[str], str],
) -> str:
    """A reason in `words` (REASON_WORDS, or their translation)."""
    values = reason.values
    if reason.kind == "skills":
        skills = (
            values[0]
            if len(values) == 1
            else words["and"].format(first=", ".join(values[:-1]), last=values[-1])
        )
        return words["skills"].format(skills=skills)
    if reason.kind == "language":
        return words["language"].format(language=language_name(values[0]))
    if reason.kind in ("timezone-near", "timezone-far"):
        return words[reason.kind].format(hours=values[0])
    if reason.kind == "community":
        return words["community"].format(community=community_name(values[0]))
    free, capacity = values
    return words["place" if capacity == "1" else "places"].format(free=free, capacity=capacity)
