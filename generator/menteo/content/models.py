"""Typed models for every file a community keeps.

The models only check what one file can know on its own (types, shapes, formats); links between
files are checked in `crossrefs`, because they need the whole community loaded first.
Field names are documented in docs/content-model.md: keep the two in step.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    WithJsonSchema,
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from menteo.content.characters import describe, refused_character
from menteo.content.visible_text import EMAIL_RE, email_line
from menteo.i18n import parse_locale

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
LANGUAGE_PATTERN = r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"


def _known_language(value: str) -> str:
    """A BCP 47 tag Babel has locale data for: `english` or `xx` is a language people meant to
    name, so the message asks for a language code (not "a valid slug")."""
    try:
        if len(value) > 35 or not re.fullmatch(LANGUAGE_PATTERN, value):
            raise ValueError(value)
        parse_locale(value)
    except ValueError:
        raise PydanticCustomError(
            "language",
            "{value} is not a language tag menteo has locale data for",
            {"value": repr(value), "hint": "write a BCP 47 tag such as en, es or pt-BR"},
        ) from None
    return value


LanguageCode = Annotated[
    str,
    AfterValidator(_known_language),
    WithJsonSchema({"type": "string", "pattern": LANGUAGE_PATTERN, "maxLength": 35}),
]


def _no_email(value: str) -> str:
    """In any spelling the page would show as one (see `visible_text`), or as a URL's `user@`."""
    if email_line(value) is not None:
        raise PydanticCustomError(
            "email_address",
            "contains an email address, and plain email addresses are never published",
            {"hint": "remove it; link to a profile or contact page instead"},
        )
    return value


def _one_line(value: str) -> str:
    """Names, titles, paths and URLs are shown on one line in pages, feeds, logs and summaries:
    they may contain no control, bidi or zero-width character (see `content.characters`)."""
    index = refused_character(value, one_line=True)
    if index is not None:
        message, hint = describe(value[index])
        raise PydanticCustomError("one_line", message, {"hint": hint})
    return value


OneLine = AfterValidator(_one_line)


def _https_url(value: str) -> str:
    if not re.match(r"^https://[^\s/$.?#][^\s]*$", value):
        raise PydanticCustomError(
            "https_url",
            "{value} is not an https:// URL",
            {"value": repr(value), "hint": "write the full address, starting with https://"},
        )
    return _no_email(value)


EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)
"""Dates in content lie in this fixed range (no clock: the same files always validate the same):
an entry dated 9999-12-31 made the dashboard's month charts hundreds of megabytes."""


def _plausible_date(value: dt.date) -> dt.date:
    if not EARLIEST <= value <= LATEST:
        raise PydanticCustomError(
            "implausible_date",
            "{value} is not between {earliest} and {latest}",
            {
                "value": value.isoformat(),
                "earliest": EARLIEST.isoformat(),
                "latest": LATEST.isoformat(),
                "hint": "check the year",
            },
        )
    return value


Date = Annotated[dt.date, AfterValidator(_plausible_date)]
Text = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_no_email)]
Line = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, strip_whitespace=True),
    OneLine,
    AfterValidator(_no_email),
]
Url = Annotated[
    str,
    StringConstraints(max_length=2_000),
    OneLine,
    AfterValidator(_https_url),
    WithJsonSchema({"type": "string", "pattern": "^https://", "maxLength": 2_000}),
]


class Strict(BaseModel):
    """Unknown keys are mistakes (usually typos), so every model forbids them."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Availability(StrEnum):
    OPEN = "open"
    WAITLIST = "waitlist"
    CLOSED = "closed"


class Visibility(StrEnum):
    PUBLIC = "public"
    SUMMARY = "summary"
    PRIVATE = "private"


class GoalStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in-progress"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


class EntryKind(StrEnum):
    SESSION = "session"
    REFLECTION = "reflection"
    MILESTONE = "milestone"
    OUTCOME = "outcome"
    FEEDBACK = "feedback"


class OutcomeType(StrEnum):
    PROMOTION = "promotion"
    PROJECT_SHIPPED = "project-shipped"
    SKILL_ATTAINED = "skill-attained"
    NEW_ROLE = "new-role"
    TALK_GIVEN = "talk-given"
    OTHER = "other"


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


# ---------------------------------------------------------------- menteo.yml


class Issuer(Strict):
    name: Line
    url: Url
    description: Text = ""
    email: (
        Annotated[str, StringConstraints(pattern=f"^{EMAIL_RE.pattern}$", max_length=200)] | None
    ) = None
    """The organisation's contact address, which Open Badges 2.0 verifiers require of an
    issuer: the one email address menteo publishes (people's never are)."""


class PrivacyDefaults(Strict):
    mentors_public: bool = True
    mentees_public: bool = False
    thread_visibility: Visibility = Visibility.SUMMARY


def _base_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/$.?#][^\s?#]*$", value):
        raise PydanticCustomError(
            "base_url",
            "{value} is not an http(s) URL without query or fragment",
            {"value": repr(value), "hint": "write e.g. https://org.github.io/community/"},
        )
    return value if value.endswith("/") else value + "/"


BaseUrl = Annotated[str, StringConstraints(max_length=500), OneLine, AfterValidator(_base_url)]


class SiteConfig(Strict):
    name: Line
    base_url: BaseUrl
    language: LanguageCode = "en"
    description: Text = ""
    theme: Slug = "default"
    issuer: Issuer
    privacy: PrivacyDefaults = PrivacyDefaults()
    request_mentorship_url: Url | None = None
    feed_size: Annotated[int, Field(ge=1, le=500)] = 30
    feedback_interval_days: Annotated[int, Field(ge=1, le=365)] = 90
    """`menteo report` lists active pairs without feedback for longer than this."""
    search_bundle_pages: Annotated[int, Field(ge=10, le=100_000)] = 2000
    """Pages per search bundle: Pagefind needs about 200 KB of memory a page while it indexes."""


# ---------------------------------------------------------------- people


class Links(Strict):
    github: Url | None = None
    linkedin: Url | None = None
    website: Url | None = None
    mastodon: Url | None = None


class Identity(Strict):
    """How a badge recipient is identified; never a plain email address."""

    url: Url


class Consent(Strict):
    """None means "not said": the site's privacy defaults decide."""

    public: bool | None = None
    spotlight: bool = False
    share_outcomes: bool = False


class Person(Strict):
    name: Line
    pronouns: Annotated[str, StringConstraints(max_length=40), OneLine] | None = None
    headline: Line | None = None
    bio: Text = ""
    skills: list[Slug] = []
    languages: list[LanguageCode] = []
    communities: list[Slug] = []
    links: Links = Links()
    avatar: Annotated[str, OneLine] | None = None
    identity: Identity | None = None
    consent: Consent = Consent()


class Mentor(Person):
    availability: Availability = Availability.OPEN


class Mentee(Person):
    pass


# ---------------------------------------------------------------- threads


class Goal(Strict):
    id: Slug
    title: Line
    status: GoalStatus = GoalStatus.OPEN
    due: Date | None = None


class Thread(Strict):
    mentor: Slug
    mentee: Slug
    started: Date
    ended: Date | None = None
    cadence: Line | None = None
    roadmap: Slug | None = None
    community: Slug | None = None
    visibility: Visibility | None = None
    summary: Text = ""
    goals: list[Goal] = []


class Entry(Strict):
    kind: EntryKind
    date: Date
    author: Slug
    title: Line
    tags: list[Slug] = []
    roadmap_step: Slug | None = None
    goals: list[Slug] = []
    outcome: OutcomeType | None = None
    rating: Annotated[int, Field(ge=1, le=5)] | None = None


class EntryBody(Strict):
    """An entry's Markdown, validated apart from its front matter: only the page renderer keeps
    it, reading it again from disk (see `community.Body`)."""

    body: Text = ""


# ---------------------------------------------------------------- roadmaps, communities


class Resource(Strict):
    title: Line
    url: Url
    kind: Literal["article", "book", "course", "video", "tool", "docs", "exercise"] = "article"


class Step(Strict):
    id: Slug
    title: Line
    summary: Text = ""
    skills: list[Slug] = []
    resources: list[Resource] = []


class Checkpoint(Strict):
    after: Slug
    title: Line
    description: Text = ""


class Roadmap(Strict):
    title: Line
    summary: Line
    level: Level
    description: Text = ""
    steps: Annotated[list[Step], Field(min_length=1)]
    checkpoints: list[Checkpoint] = []


class Community(Strict):
    name: Line
    summary: Line
    members: list[Slug] = []
    body: Text = ""


# ---------------------------------------------------------------- badges


class Audience(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


PERIOD_RE = re.compile(r"^([1-9][0-9]{0,2}) (day|week|month|year)s?$")


def _period(value: str) -> str:
    if not PERIOD_RE.match(value):
        raise PydanticCustomError(
            "period",
            "{value} is not a period",
            {"value": repr(value), "hint": "write a number and a unit, e.g. 12 months or 6 weeks"},
        )
    return value


Period = Annotated[
    str,
    StringConstraints(max_length=20, strip_whitespace=True),
    AfterValidator(_period),
    WithJsonSchema({"type": "string", "pattern": PERIOD_RE.pattern}),
]
Threshold = Annotated[int, Field(ge=1, le=100_000)]


class Since(Strict):
    """Only evidence dated on or after `since` counts."""

    min: Threshold
    since: Date | None = None


class Windowed(Since):
    """`within`: the threshold must be reached inside one span of that length (any span, so a
    badge never expires with the calendar)."""

    within: Period | None = None


class EntryCount(Windowed):
    author: Audience | None = None
    """Count only entries written by the thread's mentor, or its mentee."""


class EntriesCount(EntryCount):
    kinds: Annotated[list[EntryKind], Field(min_length=1)]


class OutcomeCount(Windowed):
    types: list[OutcomeType] = []
    """Empty: every type counts."""


class PartnerCount(Since):
    with_sessions: Threshold = 1


class FeedbackRating(Strict):
    min: Annotated[float, Field(ge=1, le=5)]
    responses: Threshold = 3
    """The average is only judged over at least this many rated feedback entries."""
    since: Date | None = None


def _two_or_more(rules: list[Criterion]) -> list[Criterion]:
    if len(rules) < 2:
        raise PydanticCustomError(
            "at_least_rules",
            "at_least needs 2 or more rules, got {given}",
            {"given": len(rules), "hint": "add a rule under of:, or write the rule on its own"},
        )
    return rules


class AtLeast(Strict):
    count: Threshold
    of: Annotated[list[Criterion], AfterValidator(_two_or_more)]


MEASURES = (
    "sessions",
    "entries",
    "mentees",
    "mentors",
    "active_months",
    "consecutive_months",
    "outcomes",
    "roadmap_steps",
    "roadmaps_completed",
    "goals_achieved",
    "feedback_responses",
    "feedback_rating",
    "badge",
)
COMBINATORS = ("all", "any", "at_least")


class Criterion(Strict):
    """One rule: exactly one measure (with its threshold) or one combinator of rules.

    A closed vocabulary: nothing in a badge file is ever evaluated as code."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1, "maxProperties": 1})

    sessions: EntryCount | None = None
    entries: EntriesCount | None = None
    mentees: PartnerCount | None = None
    mentors: PartnerCount | None = None
    active_months: Windowed | None = None
    consecutive_months: Since | None = None
    outcomes: OutcomeCount | None = None
    roadmap_steps: Windowed | None = None
    roadmaps_completed: Windowed | None = None
    goals_achieved: Windowed | None = None
    feedback_responses: Windowed | None = None
    feedback_rating: FeedbackRating | None = None
    badge: Slug | None = None
    all: Annotated[list[Criterion], Field(min_length=1)] | None = None
    any: Annotated[list[Criterion], Field(min_length=1)] | None = None
    at_least: AtLeast | None = None

    @field_validator(*MEASURES, *COMBINATORS)
    @classmethod
    def _not_empty(cls, value: object, info: ValidationInfo) -> object:
        """`sessions:` with nothing after it is YAML's null: a rule with no parameters."""
        if value is None:
            example = {
                "badge": "badge: mentor",
                "entries": "entries: {kinds: [reflection], min: 1}",
                "all": "all: [{sessions: {min: 1}}]",
                "any": "any: [{sessions: {min: 1}}]",
                "at_least": "at_least: {count: 1, of: [{sessions: {min: 1}}, {mentees: {min: 1}}]}",
            }.get(info.field_name or "", f"{info.field_name}: {{min: 1}}")
            raise PydanticCustomError(
                "criterion_empty", "is empty", {"hint": f"write e.g. {example}"}
            )
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Criterion:
        if len(self.model_fields_set) != 1:
            given = ", ".join(sorted(self.model_fields_set)) or "nothing"
            raise PydanticCustomError(
                "criterion_shape",
                "a criterion is exactly one measure or all/any/at_least, got {given}",
                {"given": given, "hint": "write one per list item, e.g. - sessions: {min: 6}"},
            )
        return self

    @property
    def kind(self) -> str:
        return next(iter(self.model_fields_set))

    @property
    def params(self) -> object:
        return getattr(self, self.kind)


class Reward(Strict):
    """A development opportunity the badge unlocks; never money or goods for sale."""

    title: Line
    description: Text = ""
    how_to_claim: Line
    url: Url | None = None


class Badge(Strict):
    name: Line
    description: Text
    audience: Audience
    tier: Annotated[int, Field(ge=1, le=20)] = 1
    builds_on: Slug | None = None
    criteria: Criterion
    rewards: list[Reward] = []
    image: Annotated[str, OneLine] | None = None
    skills: list[Slug] = []
    tags: list[Slug] = []
    agreed_in: Url | None = None
