"""Badge criteria in words, generated from the rules themselves.

The site, `explain` and the credentials all describe a badge with these functions, so what a
badge says it takes and what the evaluator counts can never drift apart.

Every phrase is an English message id looked up in a gettext catalog: `ENGLISH` (no catalog) is
what `check`, `explain` and the credentials say; the site builds a `Wording` for its language.
Phrases are whole (a count and its noun, "at least %(count)s completed by their mentees"), so a
translation can reorder them; a counted noun is one plural message looked up with `ngettext`, so
a language with other plural forms needs only its catalog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from babel.numbers import format_decimal

from menteo.content.models import PERIOD_RE, Audience, Criterion, EntryKind, OutcomeType
from menteo.i18n import N_, Nn_, NullTranslations, parse_locale
from menteo.recognition.results import Result

NOUNS: dict[str, tuple[str, str]] = {
    "session": Nn_("session", "sessions"),
    "reflection": Nn_("reflection", "reflections"),
    "milestone": Nn_("milestone", "milestones"),
    "outcome": Nn_("outcome", "outcomes"),
    "feedback response": Nn_("feedback response", "feedback responses"),
    "rated feedback response": Nn_("rated feedback response", "rated feedback responses"),
    "response": Nn_("response", "responses"),
    "mentee": Nn_("mentee", "mentees"),
    "mentor": Nn_("mentor", "mentors"),
    "mentee outcome": Nn_("mentee outcome", "mentee outcomes"),
    "month": Nn_("month", "months"),
    "consecutive month": Nn_("consecutive month", "consecutive months"),
    "roadmap step": Nn_("roadmap step", "roadmap steps"),
    "roadmap": Nn_("roadmap", "roadmaps"),
    "goal": Nn_("goal", "goals"),
    "entry": Nn_("entry", "entries"),
    "day": Nn_("day", "days"),
    "week": Nn_("week", "weeks"),
    "year": Nn_("year", "years"),
}
"""A counted thing → its singular and plural message ids, for `ngettext`."""
KIND_NOUN = {
    EntryKind.SESSION: "session",
    EntryKind.REFLECTION: "reflection",
    EntryKind.MILESTONE: "milestone",
    EntryKind.OUTCOME: "outcome",
    EntryKind.FEEDBACK: "feedback response",
}
OUTCOME_NOUN = {
    OutcomeType.PROMOTION: N_("a promotion"),
    OutcomeType.PROJECT_SHIPPED: N_("a shipped project"),
    OutcomeType.SKILL_ATTAINED: N_("a skill attained"),
    OutcomeType.NEW_ROLE: N_("a new role"),
    OutcomeType.TALK_GIVEN: N_("a talk given"),
    OutcomeType.OTHER: N_("another outcome"),
}


class Wording:
    """The criteria's words in one language (`catalog`), numbers as `language` writes them."""

    def __init__(self, catalog: NullTranslations | None = None, language: str = "en") -> None:
        self.catalog = catalog or NullTranslations()
        self.locale = parse_locale(language)
        self._numbers: dict[float, str] = {}

    def _(self, message: str, **values: str | int) -> str:
        text = self.catalog.gettext(message)
        return text % values if values else text

    def noun(self, word: str, n: int) -> str:
        singular, plural = NOUNS[word]
        return self.catalog.ngettext(singular, plural, n)

    def number(self, value: float) -> str:
        """Babel takes 75 µs a number, and `check` words tens of thousands of small counts."""
        if value not in self._numbers:
            self._numbers[value] = format_decimal(value, "0.##", locale=self.locale)
        return self._numbers[value]

    def count(self, n: int, words: Sequence[str], more: bool = False) -> str:
        """`count(2, ["session"])` → "2 sessions"; alternatives ("sessions or reflections") are
        each in the form `n` takes; `more` says how many are still needed."""
        nouns = self.alternatives([self.noun(word, n) for word in words])
        if more:
            return self._("%(num)s more %(noun)s", num=self.number(n), noun=nouns)
        return self._("%(num)s %(noun)s", num=self.number(n), noun=nouns)

    def alternatives(self, words: Sequence[str]) -> str:
        """ "a, b or c"."""
        if len(words) == 1:
            return words[0]
        return self._("%(list)s or %(last)s", list=", ".join(words[:-1]), last=words[-1])

    def sentence(self, phrase: str) -> str:
        return phrase[:1].upper() + phrase[1:]

    def window(self, period: str) -> str:
        """ "within 12 months" from a rule's `within: 12 months`."""
        match = PERIOD_RE.match(period)
        assert match is not None  # validated when the badge was loaded
        length = self.count(int(match.group(1)), [match.group(2)])
        return self._("within %(period)s", period=length)

    def entries_word(self, kinds: Sequence[EntryKind]) -> list[str]:
        return [KIND_NOUN[k] for k in sorted(set(kinds), key=list(EntryKind).index)]

    def sessions_each(self, n: int) -> str:
        if n == 1:
            return self._("a session")
        return self._("%(num)s or more sessions each", num=n)

    def with_sessions(self, n: int) -> str:
        return self._("with %(sessions)s", sessions=self.sessions_each(n))

    def with_a_session(self) -> str:
        return self._("with a session")

    def rating_value(self, average: float, responses: int) -> str:
        if not responses:
            return self._("no rated feedback yet")
        return self._(
            "an average of %(average)s over %(responses)s",
            average=self.number(average),
            responses=self.count(responses, ["response"]),
        )

    def rating_missing(self, minimum: float, average: float) -> str:
        return self._(
            "an average of %(min)s (now %(average)s)",
            min=self.number(minimum),
            average=self.number(average),
        )

    def responses_missing(self, n: int) -> str:
        return self.count(n, ["rated feedback response"], more=True)

    def badge_held(self, name: str, held: bool) -> str:
        if held:
            return self._("holds %(badge)s", badge=name)
        return self._("does not hold %(badge)s", badge=name)

    def earn_first(self, name: str) -> str:
        return self._("earn %(badge)s first", badge=name)

    def unnamed_goals(self, goals: Sequence[str]) -> str:
        return self._("(marked achieved, but named by no entry: %(goals)s)", goals=", ".join(goals))

    def run_missing(self, minimum: int, longest: int) -> str:
        return self._(
            "a run of %(run)s with a session (longest so far: %(longest)s)",
            run=self.count(minimum, ["consecutive month"]),
            longest=longest,
        )

    def _limits(self, params: object) -> str:
        text = ""
        within = getattr(params, "within", None)
        since: dt.date | None = getattr(params, "since", None)
        if within:
            text += " " + self.window(within)
        if since:
            text += " " + self._("since %(date)s", date=since.isoformat())
        return text

    def _by(self, author: Audience | None) -> str:
        if author is None:
            return ""
        if author is Audience.MENTOR:
            return " " + self._("written by the mentor")
        return " " + self._("written by the mentee")

    def _phrase(self, criterion: Criterion, role: Audience, names: Mapping[str, str]) -> str:
        _, count = self._, self.count
        kind, params = criterion.kind, criterion.params
        mentors = role is Audience.MENTOR
        limits = self._limits(params)
        if criterion.sessions is not None:
            p = criterion.sessions
            return (
                _("at least %(count)s", count=count(p.min, ["session"]))
                + self._by(p.author)
                + limits
            )
        if criterion.entries is not None:
            p = criterion.entries
            counted = count(p.min, self.entries_word(p.kinds))
            return _("at least %(count)s", count=counted) + self._by(p.author) + limits
        if criterion.mentees is not None or criterion.mentors is not None:
            partners = criterion.mentees or criterion.mentors
            assert partners is not None
            return (
                _("at least %(count)s", count=count(partners.min, [kind[:-1]]))
                + " "
                + self.with_sessions(partners.with_sessions)
                + limits
            )
        if criterion.active_months is not None:
            n = criterion.active_months.min
            months = self.catalog.ngettext("%(num)s month", "%(num)s different months", n) % {
                "num": n
            }
            return _("sessions in at least %(months)s", months=months) + limits
        if criterion.consecutive_months is not None:
            months = count(criterion.consecutive_months.min, ["consecutive month"])
            return _("sessions in at least %(months)s", months=months) + limits
        if criterion.outcomes is not None:
            outcomes = criterion.outcomes
            counted = count(outcomes.min, ["mentee outcome" if mentors else "outcome"])
            types = (
                self.alternatives([_(OUTCOME_NOUN[t]) for t in outcomes.types])
                if outcomes.types
                else ""
            )
            return (
                _("at least %(count)s", count=counted) + (f" ({types})" if types else "") + limits
            )
        steps = criterion.roadmap_steps or criterion.roadmaps_completed
        if steps is not None:
            word = "roadmap step" if criterion.roadmap_steps is not None else "roadmap"
            n = steps.min
            if mentors:
                phrase = _("at least %(count)s completed by their mentees", count=count(n, [word]))
            else:
                phrase = _("at least %(count)s completed", count=count(n, [word]))
            return phrase + limits
        if criterion.goals_achieved is not None:
            counted = count(criterion.goals_achieved.min, ["goal"])
            return _("at least %(count)s achieved in their mentorships", count=counted) + limits
        if criterion.feedback_responses is not None:
            counted = count(criterion.feedback_responses.min, ["feedback response"])
            if mentors:
                return _("at least %(count)s from mentees", count=counted) + limits
            return _("at least %(count)s given", count=counted) + limits
        if criterion.feedback_rating is not None:
            rating = criterion.feedback_rating
            return (
                _(
                    "an average feedback rating of at least %(min)s out of 5, over %(num)s or "
                    "more responses",
                    min=self.number(rating.min),
                    num=rating.responses,
                )
                + limits
            )
        if criterion.badge is not None:
            return _("holds the %(badge)s badge", badge=names.get(criterion.badge, criterion.badge))
        return self._combination(criterion, role, names)

    def _combination(self, criterion: Criterion, role: Audience, names: Mapping[str, str]) -> str:
        rules = (
            criterion.all or criterion.any or (criterion.at_least.of if criterion.at_least else [])
        )
        parts = [self._phrase(rule, role, names) for rule in rules]
        listed = "; ".join(parts)
        simple = all(rule.kind not in ("all", "any", "at_least") for rule in rules)
        if criterion.at_least is not None:
            return self._(
                "at least %(num)s of: %(rules)s", num=criterion.at_least.count, rules=listed
            )
        if len(parts) == 1:
            return parts[0]
        if simple and criterion.all:
            return self._("%(list)s and %(last)s", list=", ".join(parts[:-1]), last=parts[-1])
        if simple:
            return self._("%(list)s or %(last)s", list=", ".join(parts[:-1]), last=parts[-1])
        if criterion.all:
            return self._("all of: %(rules)s", rules=listed)
        return self._("any of: %(rules)s", rules=listed)

    def describe(self, criterion: Criterion, role: Audience, names: Mapping[str, str]) -> str:
        """The rule as a sentence: "At least 6 sessions within 12 months"."""
        return self.sentence(self._phrase(criterion, role, names))

    def narrative(
        self, rules: Sequence[Criterion], role: Audience, names: Mapping[str, str]
    ) -> str:
        """A whole badge's criteria (all must be met) as one paragraph."""
        return self.sentence("; ".join(self._phrase(rule, role, names) for rule in rules)) + "."

    def missing_of(self, children: Sequence[Result], needed: int) -> str:
        """What is missing from a combination, from what each unmet rule still needs."""
        unmet = [c.missing for c in children if not c.met]
        short = needed - (len(children) - len(unmet))
        if short >= len(unmet):
            return "; ".join(unmet)
        return self._("%(num)s of: %(rules)s", num=short, rules="; ".join(unmet))


ENGLISH = Wording()
"""What `check`, `explain` and the credentials say."""
describe = ENGLISH.describe
narrative = ENGLISH.narrative
