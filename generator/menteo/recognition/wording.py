"""Badge criteria in words, generated from the rules themselves.

The site, `explain` and the credentials all describe a badge with these functions, so what a
badge says it takes and what the evaluator counts can never drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from menteo.content.models import Audience, Criterion, EntryKind, OutcomeType

if TYPE_CHECKING:
    from menteo.recognition.evaluate import Result

KIND_NOUN = {
    EntryKind.SESSION: "session",
    EntryKind.REFLECTION: "reflection",
    EntryKind.MILESTONE: "milestone",
    EntryKind.OUTCOME: "outcome",
    EntryKind.FEEDBACK: "feedback response",
}
OUTCOME_NOUN = {
    OutcomeType.PROMOTION: "a promotion",
    OutcomeType.PROJECT_SHIPPED: "a shipped project",
    OutcomeType.SKILL_ATTAINED: "a skill attained",
    OutcomeType.NEW_ROLE: "a new role",
    OutcomeType.TALK_GIVEN: "a talk given",
    OutcomeType.OTHER: "another outcome",
}
_IRREGULAR = {"entry": "entries"}


def _plural(word: str) -> str:
    head, _, last = word.rpartition(" ")
    last = _IRREGULAR.get(last, last + "s")
    return f"{head} {last}" if head else last


def count(n: int | float, word: str) -> str:
    """`count(2, "session")` → "2 sessions"; alternatives ("a or b") are each made plural."""
    if n == 1:
        return f"{number(n)} {word}"
    return f"{number(n)} " + " or ".join(_plural(w) for w in word.split(" or "))


def _alternatives(words: Sequence[str]) -> str:
    """ "a, b or c"."""
    return " or ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " or " + words[-1]


def number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def sentence(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def window(period: str) -> str:
    return f"within {period}"


def entries_word(kinds: Sequence[EntryKind]) -> str:
    return " or ".join(KIND_NOUN[k] for k in sorted(set(kinds), key=list(EntryKind).index))


def sessions_each(n: int) -> str:
    return "a session" if n == 1 else f"{n} or more sessions each"


def rating_value(average: float, responses: int) -> str:
    if not responses:
        return "no rated feedback yet"
    return f"an average of {number(average)} over {count(responses, 'response')}"


def _limits(params: object) -> str:
    text = ""
    within = getattr(params, "within", None)
    since: dt.date | None = getattr(params, "since", None)
    if within:
        text += f" {window(within)}"
    if since:
        text += f" since {since.isoformat()}"
    return text


def _phrase(criterion: Criterion, role: Audience, names: Mapping[str, str]) -> str:
    kind, params = criterion.kind, criterion.params
    mentors = role is Audience.MENTOR
    theirs = " by their mentees" if mentors else ""
    if criterion.sessions is not None:
        by = f" written by the {criterion.sessions.author}" if criterion.sessions.author else ""
        return f"at least {count(criterion.sessions.min, 'session')}{by}{_limits(params)}"
    if criterion.entries is not None:
        by = f" written by the {criterion.entries.author}" if criterion.entries.author else ""
        word = entries_word(criterion.entries.kinds)
        return f"at least {count(criterion.entries.min, word)}{by}{_limits(params)}"
    if criterion.mentees is not None or criterion.mentors is not None:
        p = criterion.mentees or criterion.mentors
        assert p is not None
        noun = count(p.min, kind[:-1])
        return f"at least {noun} with {sessions_each(p.with_sessions)}{_limits(params)}"
    if criterion.active_months is not None:
        n = criterion.active_months.min
        months = "1 month" if n == 1 else f"{n} different months"
        return f"sessions in at least {months}{_limits(params)}"
    if criterion.consecutive_months is not None:
        n = criterion.consecutive_months.min
        return f"sessions in at least {count(n, 'consecutive month')}{_limits(params)}"
    if criterion.outcomes is not None:
        p = criterion.outcomes
        word = "mentee outcome" if mentors else "outcome"
        types = _alternatives([OUTCOME_NOUN[t] for t in p.types])
        return f"at least {count(p.min, word)}{f' ({types})' if types else ''}{_limits(params)}"
    if criterion.roadmap_steps is not None:
        n = criterion.roadmap_steps.min
        return f"at least {count(n, 'roadmap step')} completed{theirs}{_limits(params)}"
    if criterion.roadmaps_completed is not None:
        n = criterion.roadmaps_completed.min
        return f"at least {count(n, 'roadmap')} completed{theirs}{_limits(params)}"
    if criterion.goals_achieved is not None:
        n = criterion.goals_achieved.min
        return f"at least {count(n, 'goal')} achieved in their mentorships{_limits(params)}"
    if criterion.feedback_responses is not None:
        n = criterion.feedback_responses.min
        source = "from mentees" if mentors else "given"
        return f"at least {count(n, 'feedback response')} {source}{_limits(params)}"
    if criterion.feedback_rating is not None:
        p = criterion.feedback_rating
        return (
            f"an average feedback rating of at least {number(p.min)} out of 5, over "
            f"{p.responses} or more responses{_limits(params)}"
        )
    if criterion.badge is not None:
        return f"holds the {names.get(criterion.badge, criterion.badge)} badge"
    return _combination(criterion, role, names)


def _combination(criterion: Criterion, role: Audience, names: Mapping[str, str]) -> str:
    rules = criterion.all or criterion.any or (criterion.at_least.of if criterion.at_least else [])
    parts = [_phrase(rule, role, names) for rule in rules]
    simple = all(rule.kind not in ("all", "any", "at_least") for rule in rules)
    if criterion.at_least is not None:
        return f"at least {criterion.at_least.count} of: " + "; ".join(parts)
    joiner = " and " if criterion.all else " or "
    if simple and len(parts) > 1:
        return ", ".join(parts[:-1]) + joiner + parts[-1]
    if len(parts) == 1:
        return parts[0]
    return ("all of: " if criterion.all else "any of: ") + "; ".join(parts)


def describe(criterion: Criterion, role: Audience, names: Mapping[str, str]) -> str:
    """The rule as a sentence: "At least 6 sessions within 12 months"."""
    return sentence(_phrase(criterion, role, names))


def narrative(rules: Sequence[Criterion], role: Audience, names: Mapping[str, str]) -> str:
    """A whole badge's criteria (all must be met) as one paragraph, for credentials."""
    return sentence("; ".join(_phrase(rule, role, names) for rule in rules)) + "."


def responses_missing(n: int) -> str:
    return count(n, "more rated feedback response")


def missing_of(children: Sequence[Result], needed: int) -> str:
    """What is missing from a combination, from what each unmet rule still needs."""
    unmet = [c.missing for c in children if not c.met]
    short = needed - (len(children) - len(unmet))
    if short >= len(unmet):
        return "; ".join(unmet)
    return f"{short} of: " + "; ".join(unmet)
