"""A submitted GitHub issue form, turned into one content file (pure: no I/O but reading the
forms shipped with menteo).

A static site has no server to post to, so people ask for a mentor, log a session or give
feedback through issue forms; `menteo intake` maps the Markdown GitHub renders for them to the
file a pull request would add. The issue body is whatever its author typed (the form only
suggests a shape), so every value is checked here against a closed set (slugs, known threads,
dropdown options, dates) before it names a file, and the file itself is then validated by the
same loader as `menteo check` (see `commands.intake`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from menteo.content.community import CommunityData, Person
from menteo.content.crossrefs import FOLDERS
from menteo.content.models import SLUG_PATTERN, EntryKind, Line
from menteo.content.timezones import utc_offset_minutes
from menteo.errors import ContentError, Problem
from menteo.escaping import markdown_code, markdown_text

FORMS_DIR = Path(__file__).parent / "scaffold" / "site" / ".github" / "ISSUE_TEMPLATE"
"""The forms a new site gets (`menteo new site`): the parser reads their labels from there, so a
form and its parser cannot disagree."""
FORMS = ("request-mentor", "log-entry", "feedback")
MAX_BODY = 64 * 1024
"""An issue body GitHub renders from these forms is a few KiB; anything far larger is abuse."""
SOURCE = "issue"
"""The `path` of problems found in the issue itself, before any file exists."""
NO_RESPONSE = "_No response_"
LOGIN = re.compile(r"^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}$")
"""A GitHub user name: letters, digits, single inner hyphens, at most 39 characters."""
_SLUG = re.compile(SLUG_PATTERN)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CHECKBOX = re.compile(r"^- \[([ xX])\] (.*)$")
_PROFILE = re.compile(r"^https://github\.com/([A-Za-z0-9-]+)/?$", re.IGNORECASE)
_LINE = TypeAdapter(Line)

Value = str | frozenset[str] | None
"""A text, a dropdown choice, the ticked options of a checkbox group, or nothing given."""


@dataclass(frozen=True)
class FormField:
    id: str
    label: str
    type: str
    required: bool
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Draft:
    """The content file an issue asks for: `path` relative to the community root."""

    path: str
    text: str


@cache
def form_fields(form: str) -> tuple[FormField, ...]:
    """The fields of one shipped issue form, in the order GitHub renders them."""
    spec = yaml.safe_load((FORMS_DIR / f"{form}.yml").read_text(encoding="utf-8"))
    fields = []
    for item in spec["body"]:
        if item["type"] == "markdown":
            continue
        attributes = item["attributes"]
        options = attributes.get("options", ())
        fields.append(
            FormField(
                id=item["id"],
                label=attributes["label"],
                type=item["type"],
                required=item.get("validations", {}).get("required", False),
                options=tuple(o["label"] if isinstance(o, dict) else str(o) for o in options),
            )
        )
    return tuple(fields)


def _problem(field: FormField | None, message: str, hint: str = "") -> Problem:
    return Problem(SOURCE, 0, field.label if field else "", message, hint)


def _sections(fields: tuple[FormField, ...], text: str) -> dict[str, list[str]]:
    """Lines under each `### <label>` heading. A heading only counts for a field that comes
    later in the form, so a `###` line someone typed into a text box cannot reopen an earlier
    field: at worst it ends the box early and the fields after it fail their own checks."""
    labels = [f.label for f in fields]
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.startswith("### "):
            label = line[4:].strip()
            start = labels.index(current) + 1 if current else 0
            if label in labels[start:]:
                current = label
                sections[label] = []
                continue
        if current is not None:
            sections[current].append(line)
    return sections


def _value(field: FormField, lines: list[str]) -> tuple[Value, Problem | None]:
    text = "\n".join(lines).strip("\n")
    if text.strip() in ("", NO_RESPONSE):
        if field.type == "checkboxes":
            return frozenset(), None
        return None, (_problem(field, "is required", "fill it in") if field.required else None)
    if field.type == "checkboxes":
        ticked = set()
        for line in text.split("\n"):
            match = _CHECKBOX.match(line.strip())
            if line.strip() and (match is None or match.group(2).strip() not in field.options):
                return None, _problem(field, "is not one of the form's checkboxes")
            if match and match.group(1) != " ":
                ticked.add(match.group(2).strip())
        return frozenset(ticked), None
    if field.type == "dropdown" and text.strip() not in field.options:
        return None, _problem(field, "is not one of the form's choices", "pick one in the form")
    if field.type != "textarea" and "\n" in text.strip():
        return None, _problem(field, "must be one line", "write it on one line")
    return (text if field.type == "textarea" else text.strip()), None


def parse_form(form: str, text: str) -> dict[str, Value]:
    """Field id → value of a rendered issue form; every problem at once in a `ContentError`."""
    fields = form_fields(form)
    if len(text.encode("utf-8")) > MAX_BODY:
        raise ContentError(
            [_problem(None, f"the issue is longer than {MAX_BODY // 1024} KiB", "shorten it")]
        )
    sections = _sections(fields, text)
    values: dict[str, Value] = {}
    problems = []
    for field in fields:
        if field.label not in sections:
            problems.append(
                _problem(
                    field,
                    f"the issue has no '### {field.label}' section",
                    f"open a new issue with the {form} form, without editing its headings",
                )
            )
            continue
        value, problem = _value(field, sections[field.label])
        values[field.id] = value
        if problem:
            problems.append(problem)
    if problems:
        raise ContentError(problems)
    return values


# ---------------------------------------------------------------- mapping


def _words(value: Value) -> list[str]:
    """A comma- or space-separated list, as people type one."""
    return [w for w in re.split(r"[,\s]+", value) if w] if isinstance(value, str) else []


def _field(form: str, field_id: str) -> FormField:
    return next(f for f in form_fields(form) if f.id == field_id)


def _slug_problem(form: str, field_id: str, value: str) -> Problem | None:
    if _SLUG.fullmatch(value):  # fullmatch: `$` would let a trailing line break through
        return None
    return _problem(
        _field(form, field_id),
        f"{value!r} is not a valid handle",
        "use lowercase letters, digits and single hyphens, e.g. bo-chen",
    )


def _date(form: str, value: Value) -> tuple[str | None, Problem | None]:
    """The date as it will name the file; the model checks its range."""
    text = value if isinstance(value, str) else ""
    try:
        if _DATE.fullmatch(text):
            return dt.date.fromisoformat(text).isoformat(), None
    except ValueError:
        pass
    return None, _problem(_field(form, "date"), f"{text!r} is not a date", "write it as YYYY-MM-DD")


def _note(form: str, field_id: str, value: Value) -> tuple[str | None, Problem | None]:
    """A value kept only as a comment for the programme team: one line, no email address."""
    if not isinstance(value, str):
        return None, None
    try:
        return _LINE.validate_python(value), None
    except ValidationError as exc:
        error = exc.errors()[0]
        hint = str(error.get("ctx", {}).get("hint", "write one short line"))
        message = error["msg"] if "hint" in error.get("ctx", {}) else "is not one short line"
        return None, _problem(_field(form, field_id), message, hint)


def profile_of(person: Person) -> str | None:
    """The GitHub user name a person's file names (links.github, else identity.url), if any."""
    model = person.model
    for url in (model.links.github, model.identity.url if model.identity else None):
        match = _PROFILE.match(url or "")
        if match:
            return match.group(1)
    return None


def _same_login(profile: str | None, login: str) -> bool:
    return profile is not None and profile.lower() == login.lower()


def _author_problem(form: str, person: Person, login: str | None) -> Problem | None:
    """Someone else's issue cannot speak for a person whose GitHub profile is known."""
    known = profile_of(person)
    if login is None or known is None or known.lower() == login.lower():
        return None
    return _problem(
        _field(form, "role"),
        f"this issue was opened by @{login}, but {person.slug}'s file names another GitHub profile",
        "open the issue from your own account",
    )


def _yaml(data: Mapping[str, object]) -> str:
    return yaml.safe_dump(dict(data), sort_keys=False, allow_unicode=True, width=10_000)


def _time_zone(text: str) -> str | None:
    """The first word of `text` that is a time zone the model accepts, if any."""
    for word in re.split(r"[\s,;()]+", text):
        try:
            utc_offset_minutes(word)
        except ValueError:
            continue
        return word
    return None


def request_mentor(
    values: Mapping[str, Value], community: CommunityData, login: str | None
) -> Draft:
    """A new mentee file. Availability and cadence go under `seeking:` (with the first word of
    the availability that names a time zone, `UTC+1` or `Europe/Lisbon`, as its time zone), so
    `menteo match` sees them; the preferred mentor, which the model has no field for, becomes a
    comment at its top for whoever pairs them."""
    form = "request-mentor"
    slug = str(values["slug"])
    problems = [p for p in [_slug_problem(form, "slug", slug)] if p]
    if not problems and (slug in community.mentees or slug in community.mentors):
        problems.append(
            _problem(
                _field(form, "slug"),
                f"{slug!r} is already on the site",
                "choose another handle; if it is you, comment here and the team will pair you",
            )
        )
    mentor = values["mentor"]
    if isinstance(mentor, str) and mentor not in community.mentors:
        problems.append(
            _problem(
                _field(form, "mentor"),
                f"{mentor!r} is not a mentor of this community",
                "write the handle from the mentor's page address, or leave it empty",
            )
        )
    notes = []
    seeking: dict[str, str] = {}
    for field_id in ("availability", "cadence", "mentor"):
        note, problem = _note(form, field_id, values[field_id])
        if problem:
            problems.append(problem)
        elif note and field_id == "mentor":
            notes.append(f"# {_field(form, field_id).label}: {note}")
        elif note:
            seeking[field_id] = note
    zone = _time_zone(seeking.get("availability", ""))
    if zone:
        seeking = {"timezone": zone, **seeking}
    if problems:
        raise ContentError(problems)
    data: dict[str, object] = {"name": values["name"]}
    if values["bio"]:
        data["bio"] = values["bio"]
    data["skills"] = _words(values["skills"])
    data["languages"] = _words(values["languages"])
    if seeking:
        data["seeking"] = seeking
    if login:
        data["links"] = {"github": f"https://github.com/{login}"}
    public = next(iter(_field(form, "consent").options))
    consent = values["consent"]
    data["consent"] = {"public": isinstance(consent, frozenset) and public in consent}
    header = "# Requested through an issue form; for the programme team:\n"
    text = header + "".join(n + "\n" for n in notes) + _yaml(data)
    return Draft(f"{FOLDERS['mentee']}/{slug}.yaml", text)


def _title_slug(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 60:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug


def _entry(
    form: str,
    values: Mapping[str, Value],
    community: CommunityData,
    login: str | None,
    fields: dict[str, object],
) -> Draft:
    """An entry file in an existing thread, written by the thread's mentor or mentee."""
    thread_slug = str(values["thread"])
    thread = community.threads.get(thread_slug)
    date, date_problem = _date(form, values["date"])
    problems = [p for p in [date_problem] if p]
    if thread is None:
        problems.append(
            _problem(
                _field(form, "thread"),
                f"{thread_slug!r} is not a mentorship of this community",
                "write the folder name under content/threads/, e.g. ana-lima--bo-chen",
            )
        )
    else:
        model = thread.model
        slugs = model.mentor_slugs if values["role"] == "mentor" else model.mentee_slugs
        people = community.mentors if values["role"] == "mentor" else community.mentees
        slug, problem = slugs[0], None
        if len(slugs) == 1:
            problem = _author_problem(form, people[slug], login)
        else:  # a group room: the author says which of that side writes
            mine = [s for s in slugs if login and _same_login(profile_of(people[s]), login)]
            slug = mine[0] if mine else slug
            if not mine:
                problem = _problem(
                    _field(form, "role"),
                    f"{thread_slug!r} is a group room with several {values['role']}s, and this "
                    "issue's author is none of their GitHub profiles",
                    "open the issue from the account your profile's links.github names",
                )
        if problem:
            problems.append(problem)
    if problems or thread is None or date is None:
        raise ContentError(problems)
    front = {"kind": fields["kind"], "date": date, "author": slug, **fields}
    folder = Path(thread.path).parent.as_posix()
    name = _title_slug(str(front["title"])) or str(front["kind"])
    path, n = f"{folder}/{date}-{name}.md", 1
    taken = {e.path for e in thread.entries}
    while path in taken:
        n += 1
        path = f"{folder}/{date}-{name}-{n}.md"
    body = values["body"]
    text = f"---\n{_yaml(front)}---\n" + (f"\n{body}\n" if isinstance(body, str) else "")
    return Draft(path, text)


def log_entry(values: Mapping[str, Value], community: CommunityData, login: str | None) -> Draft:
    fields: dict[str, object] = {"kind": values["kind"], "title": values["title"]}
    if values["outcome"]:
        fields["outcome"] = values["outcome"]
    if values["goals"]:
        fields["goals"] = _words(values["goals"])
    if values["roadmap_step"]:
        fields["roadmap_step"] = values["roadmap_step"]
    return _entry("log-entry", values, community, login, fields)


def feedback(values: Mapping[str, Value], community: CommunityData, login: str | None) -> Draft:
    """A mentee's feedback is a `feedback` entry with its rating, which recognition counts. A
    mentor's is a `reflection` tagged `feedback`: the model keeps ratings for mentees (a badge's
    `feedback_rating` is the average of what mentees said), so a mentor gives none."""
    rating = values["rating"]
    if values["role"] == "mentor":
        if rating is not None:
            raise ContentError(
                [
                    _problem(
                        _field("feedback", "rating"),
                        "is given by mentees only",
                        "leave it empty: a mentor's feedback is kept as a reflection",
                    )
                ]
            )
        fields: dict[str, object] = {
            "kind": EntryKind.REFLECTION.value,
            "title": "Feedback from the mentor",
            "tags": ["feedback"],
        }
    else:
        if not isinstance(rating, str):  # a dropdown: one choice, or None when left empty
            raise ContentError(
                [_problem(_field("feedback", "rating"), "is required from a mentee", "pick 1 to 5")]
            )
        fields = {"kind": EntryKind.FEEDBACK.value, "title": "Feedback", "rating": int(rating)}
    return _entry("feedback", values, community, login, fields)


MAPPERS = {"request-mentor": request_mentor, "log-entry": log_entry, "feedback": feedback}


# ---------------------------------------------------------------- errors, for an issue comment

_FIELD_ALIASES = {"author": "role"}
"""The form asks which of the pair writes; the file names them."""


def _label(form: str, field: str) -> str:
    """The form's label for a model field a problem names (`goals.0` → `Goals advanced`)."""
    key = field.split(".")[0].split("[")[0]
    key = _FIELD_ALIASES.get(key, key)
    return next((f.label for f in form_fields(form) if f.id == key), field)


def comment(form: str, problems: tuple[Problem, ...], draft: Draft | None) -> str:
    """The problems as a Markdown comment for the issue: labels of the form where a problem is
    about the file the issue would add, and every value escaped, so that nothing quoted from the
    issue can become a mention, a link, an image or markup."""
    lines = [
        "menteo could not turn this issue into a content file. Please edit the issue to fix "
        "what is listed below; a maintainer will then label it `intake` again.",
        "",
    ]
    for p in problems:
        ours = p.path == SOURCE or (draft is not None and p.path == draft.path)
        field = _label(form, p.field) if ours and draft is not None else p.field
        where = "" if ours else markdown_code(f"{p.path}:{p.line}" if p.line else p.path) + " "
        name = f"**{markdown_text(field)}**: " if field else ""
        hint = f" ({markdown_text(p.hint)})" if p.hint else ""
        lines.append(f"- {where}{name}{markdown_text(p.message)}{hint}")
    return "\n".join(lines) + "\n"
