"""Typed models for every file a community keeps.

The models only check what one file can know on its own (types, shapes, formats); links between
files are checked in `crossrefs`, because they need the whole community loaded first.
Field names are documented in docs/content-model.md: keep the two in step.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from menteo.content.characters import describe, refused_character
from menteo.content.timezones import utc_offset_minutes
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


_FIELD_SETS: dict[frozenset[str], set[str]] = {}
"""Each distinct set of field names a model was given, once (see `Strict._share_fields_set`)."""


class Strict(BaseModel):
    """Unknown keys are mistakes (usually typos), so every model forbids them."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    @model_validator(mode="after")
    def _share_fields_set(self) -> Self:
        """Pydantic keeps, per instance, a set of the fields the file gave (`model_fields_set`):
        half a kilobyte each, a sixth of a loaded community's memory at 10,000 entries. Models
        are frozen (nothing adds to it; a copy gets its own), so instances given the same
        fields share one set."""
        given = self.__pydantic_fields_set__
        object.__setattr__(
            self, "__pydantic_fields_set__", _FIELD_SETS.setdefault(frozenset(given), given)
        )
        return self


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


class PairingFit(StrEnum):
    """How one person of a pair answers "is this a good fit?" after the first sessions."""

    GOOD = "good"
    DECIDING = "deciding"
    POOR = "poor"


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
    name: Line = Field(description="The organisation's name, as badges name their issuer.")
    url: Url = Field(description="The organisation's web page (https).")
    description: Text = Field(
        "", description="A paragraph about the organisation, shown in issuer profiles."
    )
    email: (
        Annotated[str, StringConstraints(pattern=f"^{EMAIL_RE.pattern}$", max_length=200)] | None
    ) = Field(
        None,
        description="The organisation's contact address, which Open Badges 2.0 verifiers require; the only email address menteo publishes.",
    )
    """The organisation's contact address, which Open Badges 2.0 verifiers require of an
    issuer: the one email address menteo publishes (people's never are)."""


class PrivacyDefaults(Strict):
    mentors_public: bool = Field(
        True,
        description="Whether a mentor who says nothing in consent.public has a page and a name on the site.",
    )
    mentees_public: bool = Field(
        False,
        description="Whether a mentee who says nothing in consent.public has a page and a name on the site.",
    )
    thread_visibility: Visibility = Field(
        Visibility.SUMMARY,
        description="The visibility of a mentorship whose thread.yaml sets none.",
    )


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
    name: Line = Field(description="Site and community name.")
    base_url: BaseUrl = Field(
        description="Where the site is published; a path is allowed (https://org.github.io/community/). --base-url overrides it."
    )
    language: LanguageCode = Field(
        "en",
        description="Language of the site (BCP 47): its words, dates and numbers. menteo ships en and es; others fall back to English with a warning.",
    )
    description: Text = Field("", description="One paragraph for the home page and feeds.")
    theme: Slug = Field(
        "default",
        description="Theme name: themes/<name>/ in the repository, else the built-in one.",
    )
    issuer: Issuer = Field(description="The organisation that recognises people.")
    privacy: PrivacyDefaults = Field(
        PrivacyDefaults(), description="Defaults where a person or mentorship says nothing."
    )
    request_mentorship_url: Url | None = Field(
        None,
        description='The "Request mentorship" link on mentor pages; {mentor} and {mentor_name} are replaced by the mentor\'s slug and name, URL-encoded.',
    )
    feed_size: Annotated[int, Field(ge=1, le=500)] = Field(
        30, description="Entries in the Atom feed."
    )
    feedback_interval_days: Annotated[int, Field(ge=1, le=365)] = Field(
        90,
        description="menteo report lists active mentorships whose last feedback (or start) is older than this many days.",
    )
    """`menteo report` lists active pairs without feedback for longer than this."""
    search_bundle_pages: Annotated[int, Field(ge=10, le=100_000)] = Field(
        1000,
        description="Pages per search bundle; lower it if a build runs short of memory (Pagefind needs about 200 KB a page while it indexes).",
    )
    """Pages per search bundle: Pagefind needs about 200 KB of memory a page while it indexes."""


# ---------------------------------------------------------------- people


class Links(Strict):
    github: Url | None = Field(None, description="GitHub profile (https).")
    linkedin: Url | None = Field(None, description="LinkedIn profile (https).")
    website: Url | None = Field(None, description="Personal website (https).")
    mastodon: Url | None = Field(None, description="Mastodon profile (https).")


EMAIL_SHA256_PATTERN = r"^sha256\$[0-9a-f]{64}$"
SALT_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


def _matching(pattern: str, what: str, hint: str) -> BeforeValidator:
    """A format check whose message names what was expected (not "a valid slug") and never
    repeats the value, not even one of another type: someone may have pasted their email
    address here, and messages reach public CI logs."""

    def check(value: object) -> object:
        if not isinstance(value, str) or not re.fullmatch(pattern, value):
            raise PydanticCustomError("format", "is not " + what, {"hint": hint})
        return value

    return BeforeValidator(check)


_HASH_HINT = "paste the line `menteo hash-email` prints"
EmailHash = Annotated[
    str,
    _matching(EMAIL_SHA256_PATTERN, "sha256$ and 64 lowercase hex digits", _HASH_HINT),
    WithJsonSchema({"type": "string", "pattern": EMAIL_SHA256_PATTERN}),
]
Salt = Annotated[
    str,
    _matching(SALT_PATTERN, "8 to 64 letters, digits, - or _", _HASH_HINT),
    WithJsonSchema({"type": "string", "pattern": SALT_PATTERN}),
]


class Identity(Strict):
    """How a badge recipient is identified; never a plain email address. The email is opt-in
    and only ever stored salted and hashed: wallets that sign people in by email (Badgr, Canvas
    Credentials) match it, nobody can read it back."""

    url: Url | None = Field(
        None,
        description="The badge recipient's identity, e.g. their GitHub profile (https); never an email address. Not set: their profile page on the site.",
    )
    email_sha256: EmailHash | None = Field(
        None,
        description="Opt-in: sha256$ and the hex SHA-256 of the lowercased email address followed by the salt, as `menteo hash-email` prints it; never the address itself.",
    )
    salt: Salt | None = Field(
        None,
        description="The salt hashed with the address, 8 to 64 letters, digits, - or _; set with email_sha256.",
    )

    @model_validator(mode="after")
    def _complete(self) -> Identity:
        if (self.email_sha256 is None) != (self.salt is None):
            raise PydanticCustomError(
                "identity_shape",
                "email_sha256 and salt go together",
                {"hint": "paste both lines `menteo hash-email` prints"},
            )
        if self.url is None and self.email_sha256 is None:
            raise PydanticCustomError(
                "identity_shape",
                "an identity needs a url or an email_sha256",
                {"hint": "add url: https://... or the lines `menteo hash-email` prints"},
            )
        return self


class Consent(Strict):
    """None means "not said": the site's privacy defaults decide."""

    public: bool | None = Field(
        None,
        description="Has a page and a name on the site; not set: the site's privacy default decides.",
    )
    spotlight: bool = Field(False, description="May be featured on the home page.")
    share_outcomes: bool = Field(
        False,
        description="Outcome entries are published with their title and text (a mentee's); a mentor's profile lists the outcomes their mentees chose to share.",
    )


class Person(Strict):
    name: Line = Field(description="Display name, in any script.")
    pronouns: Annotated[str, StringConstraints(max_length=40), OneLine] | None = Field(
        None, description="Pronouns, as the person writes them."
    )
    headline: Line | None = Field(None, description="One line: role and focus.")
    bio: Text = Field(
        "",
        description="Markdown about the person; in the .md form, the body below the front matter.",
    )
    skills: list[Slug] = Field(
        [], description="Skill slugs: what a mentor can help with, what a mentee is learning."
    )
    languages: list[LanguageCode] = Field(
        [], description="Language codes they mentor or learn in (en, pt-BR)."
    )
    communities: list[Slug] = Field(
        [], description="Slugs of the communities (circles) they belong to."
    )
    links: Links = Field(Links(), description="Profile links, all https.")
    avatar: Annotated[str, OneLine] | None = Field(
        None,
        description="A PNG, JPEG or WebP file in the repository (at most 1 MiB); remote URLs are not allowed.",
    )
    identity: Identity | None = Field(None, description="How badges identify the recipient.")
    consent: Consent = Field(Consent(), description="What the person agreed to have published.")


TIMEZONE_PATTERN = (
    r"^(UTC([+-][0-9]{1,2}(:[0-5][0-9])?)?|[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*)$"
)


def _timezone(value: str) -> str:
    """An IANA name the running Python knows (zoneinfo), or `UTC`, `UTC+2`, `UTC-03:30`: a typo
    such as `Europe/Lisbn` would otherwise quietly match nobody."""
    try:
        utc_offset_minutes(value)
    except ValueError:
        raise PydanticCustomError(
            "timezone",
            "{value} is not a time zone",
            {
                "value": repr(value),
                "hint": "write an IANA name such as Europe/Lisbon or America/Sao_Paulo, or UTC+2",
            },
        ) from None
    return value


TimeZone = Annotated[
    str,
    StringConstraints(max_length=64),
    OneLine,
    AfterValidator(_timezone),
    WithJsonSchema({"type": "string", "pattern": TIMEZONE_PATTERN, "maxLength": 64}),
]


class Mentor(Person):
    availability: Availability = Field(
        Availability.OPEN, description="Whether the mentor takes new mentees."
    )
    capacity: Annotated[int, Field(ge=0, le=100)] | None = Field(
        None,
        description="How many mentees they take at once; menteo match offers capacity minus their active mentees. Not set: one more while availability is open.",
    )
    timezone: TimeZone | None = Field(
        None,
        description="Where they are: an IANA time zone (Europe/Lisbon) or a UTC offset (UTC+2, UTC-03:30); matching compares it.",
    )


class Seeking(Strict):
    """What a mentee asks a mentor for. Only `menteo match` reads it; it is never published."""

    skills: list[Slug] = Field(
        [],
        description="Skills or goals, as skill slugs (kubernetes, first-talk); empty: their skills.",
    )
    languages: list[LanguageCode] = Field(
        [], description="Languages they can be mentored in; empty: their languages."
    )
    timezone: TimeZone | None = Field(
        None, description="Their time zone: an IANA name (Asia/Tokyo) or a UTC offset (UTC+9)."
    )
    availability: Line | None = Field(
        None, description='When they can meet, in words ("weekday evenings"), for organisers.'
    )
    cadence: Line | None = Field(
        None, description='How often they would like to meet ("every two weeks"), for organisers.'
    )


class Mentee(Person):
    seeking: Seeking | None = Field(
        None,
        description="What they look for in a mentor; menteo match reads it, the site never shows it.",
    )


# ---------------------------------------------------------------- threads


class Goal(Strict):
    id: Slug = Field(description="Slug, unique in the thread; entries name it in goals.")
    title: Line = Field(description="What the goal is.")
    status: GoalStatus = Field(GoalStatus.OPEN, description="Where the goal stands.")
    due: Date | None = Field(None, description="When the pair aims to reach it.")
    mentee: Slug | None = Field(
        None,
        description="In a group room, the one mentee whose goal it is; not set: the room's goal.",
    )


_ONE_OF_EACH: JsonDict = {
    "allOf": [
        {"oneOf": [{"required": ["mentor"]}, {"required": ["mentors"]}]},
        {"oneOf": [{"required": ["mentee"]}, {"required": ["mentees"]}]},
    ]
}
"""Exactly one of `mentor`/`mentors` and of `mentee`/`mentees`, for editors; `crossrefs` says
so at the file's lines, with every other mistake."""

SlugList = Annotated[list[Slug], Field(max_length=50)]


class Thread(Strict):
    model_config = ConfigDict(json_schema_extra=_ONE_OF_EACH)

    mentor: Slug | None = Field(
        None, description="The mentor's slug; exactly one of mentor and mentors is required."
    )
    mentors: SlugList | None = Field(
        None,
        description="A group room's mentors (co-mentors), in place of mentor: at least one slug, each once.",
    )
    mentee: Slug | None = Field(
        None, description="The mentee's slug; exactly one of mentee and mentees is required."
    )
    mentees: SlugList | None = Field(
        None,
        description="A group room's mentees, in place of mentee: at least one slug, each once.",
    )
    started: Date = Field(description="When the mentorship started; no entry is dated before it.")
    ended: Date | None = Field(None, description="When it ended; not before started.")
    cadence: Line | None = Field(
        None, description='What the pair agreed ("every two weeks, 45 minutes").'
    )
    roadmap: Slug | None = Field(
        None, description="The learning path the pair follows (a roadmap slug)."
    )
    community: Slug | None = Field(
        None, description="The community (circle) the mentorship belongs to."
    )
    visibility: Visibility | None = Field(
        None,
        description="public: everything; summary: goals and entry titles, no entry text; private: nothing published, still counted. Not set: the site's privacy default.",
    )
    summary: Text = Field("", description="Markdown: what the mentorship is about.")
    goals: list[Goal] = Field([], description="The pair's (or room's) goals.")

    @property
    def mentor_slugs(self) -> tuple[str, ...]:
        """Every mentor, whichever form the file uses (`crossrefs` checks there is one)."""
        return (self.mentor,) if self.mentor is not None else tuple(self.mentors or ())

    @property
    def mentee_slugs(self) -> tuple[str, ...]:
        return (self.mentee,) if self.mentee is not None else tuple(self.mentees or ())

    @property
    def is_room(self) -> bool:
        """A group room: more than one mentor or mentee (a one-item list is still a pair)."""
        return len(self.mentor_slugs) > 1 or len(self.mentee_slugs) > 1


class Entry(Strict):
    kind: EntryKind = Field(description="What the entry records.")
    date: Date = Field(
        description="When it happened; equals the date in the file name, not before the thread started."
    )
    author: Slug = Field(
        description="Who wrote it, one of the thread's people. Feedback comes from a mentee (about their own mentorship) or from a mentor; in a room of several mentees, an outcome is written by the mentee it belongs to."
    )
    title: Line = Field(description="One line.")
    tags: list[Slug] = Field([], description="Tag slugs; each has a page /tags/<tag>/.")
    roadmap_step: Slug | None = Field(
        None, description="A step id of the thread's roadmap that this entry reaches."
    )
    goals: list[Slug] = Field([], description="Ids of this thread's goals that the entry advances.")
    outcome: OutcomeType | None = Field(
        None, description="Required on, and only on, kind: outcome."
    )
    rating: Annotated[int, Field(ge=1, le=5)] | None = Field(
        None,
        description="1 to 5, only on kind: feedback; required on a mentee's feedback, optional on a mentor's.",
    )
    fit: PairingFit | None = Field(
        None,
        description='Only on kind: feedback: the author\'s answer to "is this pairing a good fit?" (good, deciding: still deciding, poor: not a good fit). Never published; organisers see it in menteo report and menteo match.',
    )
    mentee: Slug | None = Field(
        None,
        description="Only on a mentor's feedback: the mentee it is about; required in a room of several mentees.",
    )


class EntryBody(Strict):
    """An entry's Markdown, validated apart from its front matter: only the page renderer keeps
    it, reading it again from disk (see `community.Body`)."""

    body: Text = Field("", description="The Markdown below the front matter.")


# ---------------------------------------------------------------- roadmaps, communities


class Resource(Strict):
    title: Line = Field(description="What it is.")
    url: Url = Field(description="Where it is (https).")
    kind: Literal["article", "book", "course", "video", "tool", "docs", "exercise"] = Field(
        "article", description="What kind of resource it is."
    )


class Step(Strict):
    id: Slug = Field(description="Slug, unique in the roadmap; entries name it in roadmap_step.")
    title: Line = Field(description="One line.")
    summary: Text = Field("", description="Markdown.")
    skills: list[Slug] = Field([], description="Skill slugs the step teaches.")
    resources: list[Resource] = Field([], description="What to read, watch or do.")


class Checkpoint(Strict):
    after: Slug = Field(description="The id of the step it follows.")
    title: Line = Field(description="One line.")
    description: Text = Field("", description="Markdown.")


class Roadmap(Strict):
    title: Line = Field(description="One line.")
    summary: Line = Field(description="One line.")
    level: Level = Field(description="Who it is for.")
    description: Text = Field("", description="Markdown.")
    steps: Annotated[list[Step], Field(min_length=1)] = Field(
        description="The steps, in order; a mentee's position is the furthest step an entry of theirs names."
    )
    checkpoints: list[Checkpoint] = Field([], description="Moments to pause and review.")


class Community(Strict):
    name: Line = Field(description="The circle's name.")
    summary: Line = Field(description="One line.")
    members: list[Slug] = Field(
        [],
        description="Slugs of mentors or mentees; people may also list the community in their own communities.",
    )
    body: Text = Field("", description="Markdown below the front matter: what the circle is.")


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

    title: Line = Field(description="The opportunity the badge unlocks.")
    description: Text = Field("", description="Markdown.")
    how_to_claim: Line = Field(description="One line: how to take it up.")
    url: Url | None = Field(None, description="Where to read more (https).")


class Badge(Strict):
    name: Line = Field(description="The badge's name.")
    description: Text = Field(
        description="What it recognises, shown on its page and in the credential."
    )
    audience: Audience = Field(description="Who can earn it.")
    tier: Annotated[int, Field(ge=1, le=20)] = Field(
        1, description="Its level in a ladder of badges (1 is the first)."
    )
    builds_on: Slug | None = Field(
        None, description="The slug of the badge one tier below, if any."
    )
    criteria: Criterion = Field(
        description="One rule, or all/any/at_least of rules; see docs/badges.md."
    )
    rewards: list[Reward] = Field(
        [], description="Development opportunities it unlocks; never money or goods."
    )
    image: Annotated[str, OneLine] | None = Field(
        None, description="An SVG or PNG file in the repository; none: menteo draws one."
    )
    skills: list[Slug] = Field([], description="Skill slugs it attests.")
    tags: list[Slug] = Field([], description="Tag slugs.")
    agreed_in: Url | None = Field(
        None, description="The public discussion where the community agreed on it (https)."
    )
