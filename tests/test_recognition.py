"""The badge-criteria evaluator: every measure at its boundary, windows, first-met dates and
evidence, tiers, combinators, the generated wording, and `menteo explain`.

Each test builds a small community from `factory` (its two entries removed, so counts start at
zero) with a test badge `badges/test.yaml` and exactly the entries the rule needs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from factory import FEEDBACK, KICKOFF, ROADMAP, make_community
from menteo.cli import main
from menteo.content.community import CommunityData
from menteo.content.loader import load_community
from menteo.content.models import Audience, Criterion
from menteo.recognition import wording
from menteo.recognition.evaluate import evaluate, top_level
from menteo.recognition.results import Eligibility, Result

BO = "ana-lima--bo-chen"
CY = "ana-lima--cy-diaz"
DEE_BO = "dee-ong--bo-chen"
CY_FILE = "content/mentees/cy-diaz.yaml"
DEE_FILE = "content/mentors/dee-ong.yaml"


# ---------------------------------------------------------------- helpers


def thread(mentor: str = "ana-lima", mentee: str = "bo-chen", extra: str = "") -> dict[str, str]:
    """A thread started long before any test date, with `extra` lines (roadmap, goals)."""
    text = f"mentor: {mentor}\nmentee: {mentee}\nstarted: 2020-01-01\n{extra}"
    return {f"content/threads/{mentor}--{mentee}/thread.yaml": text}


def entry(
    day: str,
    kind: str = "session",
    *,
    author: str = "ana-lima",
    in_thread: str = BO,
    slug: str | None = None,
    **fields: object,
) -> dict[str, str]:
    lines = [f"kind: {kind}", f"date: {day}", f"author: {author}", f"title: A {kind}"]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    path = f"content/threads/{in_thread}/{day}-{slug or kind}.md"
    return {path: "---\n" + "\n".join(lines) + "\n---\nNotes.\n"}


def sessions(*days: str, author: str = "ana-lima", in_thread: str = BO) -> dict[str, str]:
    """One session entry per day (a day may repeat), named session-1, session-2, …"""
    files: dict[str, str] = {}
    for index, day in enumerate(days, start=1):
        files |= entry(day, author=author, in_thread=in_thread, slug=f"session-{index}")
    return files


def feedback(
    day: str, rating: int, *, in_thread: str = BO, slug: str = "feedback"
) -> dict[str, str]:
    mentee = in_thread.split("--")[1]
    return entry(day, "feedback", author=mentee, in_thread=in_thread, slug=slug, rating=rating)


def badge(
    slug: str,
    criteria: str,
    *,
    audience: str = "mentor",
    tier: int = 1,
    builds_on: str | None = None,
    name: str | None = None,
) -> dict[str, str]:
    """A badge file; `criteria` is one YAML flow mapping, e.g. "{sessions: {min: 2}}"."""
    lower = f"builds_on: {builds_on}\n" if builds_on else ""
    return {
        f"badges/{slug}.yaml": (
            f"name: {name or slug.replace('-', ' ').title()}\naudience: {audience}\n"
            f"tier: {tier}\n{lower}description: A test badge.\ncriteria: {criteria}\n"
        )
    }


CY_THREAD = {CY_FILE: "name: Cy Diaz\n", **thread("ana-lima", "cy-diaz")}
DEE_THREAD = {DEE_FILE: "name: Dee Ong\n", **thread("dee-ong", "bo-chen")}
THREE_STEPS = {
    ROADMAP: (
        "title: Web basics\nsummary: From a blank page to a site.\nlevel: beginner\nsteps:\n"
        "  - {id: html, title: HTML}\n  - {id: css, title: CSS}\n  - {id: js, title: JS}\n"
    )
}


def load(tmp_path: Path, *changes: dict[str, str]) -> CommunityData:
    """The factory community without its entries (thread started 2020), plus `changes`."""
    files: dict[str, str | None] = {KICKOFF: None, FEEDBACK: None, **thread()}
    for change in changes:
        files |= change
    return load_community(make_community(tmp_path, files))


def judge(
    tmp_path: Path,
    criteria: str,
    *changes: dict[str, str],
    audience: str = "mentor",
    person: str | None = None,
) -> Eligibility:
    """The test badge with `criteria`, judged for one person (Ana, or Bo for mentee badges)."""
    community = load(tmp_path, badge("test", criteria, audience=audience), *changes)
    who = person or ("ana-lima" if audience == "mentor" else "bo-chen")
    return evaluate(community).of(Audience(audience), who)["test"]


def rule(tmp_path: Path, criteria: str, *changes: dict[str, str], **kwargs: str) -> Result:
    """The single top-level rule of the test badge."""
    eligibility = judge(tmp_path, criteria, *changes, **kwargs)
    assert len(eligibility.rules) == 1
    return eligibility.rules[0]


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def files(evidence: object) -> list[str]:
    """Evidence entries as `thread/file-stem`."""
    return [f"{e.thread}/{e.slug}" for e in evidence]  # type: ignore[attr-defined]


def summary(result: Result) -> tuple[bool, dt.date | None, str, str]:
    return result.met, result.first_met, result.value, result.missing


# ---------------------------------------------------------------- sessions and entries


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ((), (False, None, "0 sessions", "3 more sessions")),
        (("2025-01-10",), (False, None, "1 session", "2 more sessions")),
        (("2025-01-10", "2025-02-10"), (False, None, "2 sessions", "1 more session")),
        (("2025-01-10", "2025-02-10", "2025-03-10"), (True, day("2025-03-10"), "3 sessions", "")),
        (
            ("2025-01-10", "2025-02-10", "2025-03-10", "2025-04-10"),
            (True, day("2025-03-10"), "4 sessions", ""),
        ),
    ],
)
def test_sessions_threshold(tmp_path: Path, days: tuple[str, ...], expected: tuple) -> None:
    result = rule(tmp_path, "{sessions: {min: 3}}", sessions(*days))
    assert result.text == "At least 3 sessions"
    assert summary(result) == expected


def test_sessions_evidence_is_the_entries_that_completed_it(tmp_path: Path) -> None:
    eligibility = judge(
        tmp_path,
        "{sessions: {min: 2}}",
        sessions("2025-01-10", "2025-02-10", "2025-03-10"),
        entry("2025-01-20", "reflection"),
    )
    assert eligibility.met
    assert eligibility.first_met == day("2025-02-10")
    assert files(eligibility.evidence) == [
        f"{BO}/2025-01-10-session-1",
        f"{BO}/2025-02-10-session-2",
    ]
    assert files(eligibility.rules[0].counted) == [
        f"{BO}/2025-01-10-session-1",
        f"{BO}/2025-02-10-session-2",
        f"{BO}/2025-03-10-session-3",
    ]


def test_two_sessions_on_one_day_both_count(tmp_path: Path) -> None:
    result = rule(tmp_path, "{sessions: {min: 2}}", sessions("2025-01-10", "2025-01-10"))
    assert summary(result) == (True, day("2025-01-10"), "2 sessions", "")


@pytest.mark.parametrize(
    ("author", "mentee_sessions", "expected"),
    [
        ("mentee", 1, (False, None, "1 session", "1 more session")),
        ("mentee", 2, (True, day("2025-03-02"), "2 sessions", "")),
        ("mentor", 1, (True, day("2025-02-01"), "2 sessions", "")),
    ],
)
def test_sessions_by_author(
    tmp_path: Path, author: str, mentee_sessions: int, expected: tuple
) -> None:
    by_bo = ["2025-03-01", "2025-03-02"][:mentee_sessions]
    result = rule(
        tmp_path,
        f"{{sessions: {{min: 2, author: {author}}}}}",
        sessions("2025-01-01", "2025-02-01"),
        *(entry(d, author="bo-chen", slug="bo-session") for d in by_bo),
    )
    assert result.text == f"At least 2 sessions written by the {author}"
    assert summary(result) == expected


def test_sessions_by_author_for_a_mentee_counts_the_thread_role_not_the_person(
    tmp_path: Path,
) -> None:
    """For a mentee badge, `author: mentor` still means sessions written by their mentor."""
    changes = (sessions("2025-01-01"), entry("2025-01-05", author="bo-chen", slug="by-bo"))
    by_mentor = rule(
        tmp_path / "a", "{sessions: {min: 1, author: mentor}}", *changes, audience="mentee"
    )
    by_mentee = rule(
        tmp_path / "b", "{sessions: {min: 1, author: mentee}}", *changes, audience="mentee"
    )
    assert by_mentor.first_met == day("2025-01-01")
    assert by_mentee.first_met == day("2025-01-05")


@pytest.mark.parametrize(
    ("milestone_by", "expected"),
    [
        ("ana-lima", (False, None, "1 reflection or milestone", "1 more reflection or milestone")),
        ("bo-chen", (True, day("2025-03-01"), "2 reflections or milestones", "")),
    ],
)
def test_entries_of_some_kinds(tmp_path: Path, milestone_by: str, expected: tuple) -> None:
    result = rule(
        tmp_path,
        "{entries: {kinds: [reflection, milestone], min: 2, author: mentee}}",
        entry("2025-01-01", "reflection", author="bo-chen"),
        entry("2025-02-01", "session", author="bo-chen"),
        entry("2025-02-15", "reflection", author="ana-lima", slug="ana-notes"),
        entry("2025-03-01", "milestone", author=milestone_by),
        audience="mentee",
    )
    assert result.text == "At least 2 reflections or milestones written by the mentee"
    assert summary(result) == expected


# ---------------------------------------------------------------- partners


@pytest.mark.parametrize(
    ("cy_sessions", "expected"),
    [
        (0, (False, None, "1 mentee", "1 more mentee with 2 or more sessions each")),
        (1, (False, None, "1 mentee", "1 more mentee with 2 or more sessions each")),
        (2, (True, day("2025-04-01"), "2 mentees", "")),
    ],
)
def test_mentees_with_sessions(tmp_path: Path, cy_sessions: int, expected: tuple) -> None:
    eligibility = judge(
        tmp_path,
        "{mentees: {min: 2, with_sessions: 2}}",
        sessions("2025-01-01", "2025-02-01"),
        CY_THREAD,
        sessions(*["2025-03-01", "2025-04-01"][:cy_sessions], in_thread=CY),
        entry("2025-03-15", "reflection", author="cy-diaz", in_thread=CY),
    )
    result = eligibility.rules[0]
    assert result.text == "At least 2 mentees with 2 or more sessions each"
    assert summary(result) == expected
    if result.met:
        assert files(eligibility.evidence) == [
            f"{BO}/2025-01-01-session-1",
            f"{BO}/2025-02-01-session-2",
            f"{CY}/2025-03-01-session-1",
            f"{CY}/2025-04-01-session-2",
        ]


def test_mentees_default_is_one_session(tmp_path: Path) -> None:
    result = rule(
        tmp_path,
        "{mentees: {min: 2}}",
        sessions("2025-01-01", "2025-02-01"),
        CY_THREAD,
        sessions("2025-03-01", in_thread=CY),
    )
    assert result.text == "At least 2 mentees with a session"
    assert summary(result) == (True, day("2025-03-01"), "2 mentees", "")


@pytest.mark.parametrize(
    ("dee_sessions", "expected"),
    [
        (0, (False, None, "1 mentor", "1 more mentor with a session")),
        (1, (True, day("2025-02-01"), "2 mentors", "")),
    ],
)
def test_mentors_of_a_mentee(tmp_path: Path, dee_sessions: int, expected: tuple) -> None:
    result = rule(
        tmp_path,
        "{mentors: {min: 2}}",
        sessions("2025-01-01"),
        DEE_THREAD,
        entry("2025-01-15", "reflection", author="dee-ong", in_thread=DEE_BO),
        sessions(*["2025-02-01"][:dee_sessions], author="dee-ong", in_thread=DEE_BO),
        audience="mentee",
    )
    assert result.text == "At least 2 mentors with a session"
    assert summary(result) == expected


def test_partner_sessions_since(tmp_path: Path) -> None:
    """With `since`, a partner counts once they have N sessions on or after that date."""
    changes = (
        sessions("2025-01-01", "2025-03-01"),
        CY_THREAD,
        sessions("2025-03-01", "2025-03-02", in_thread=CY),
    )
    result = rule(tmp_path, "{mentees: {min: 2, with_sessions: 2, since: 2025-03-01}}", *changes)
    assert result.text == "At least 2 mentees with 2 or more sessions each since 2025-03-01"
    assert summary(result) == (
        False,
        None,
        "1 mentee",
        "1 more mentee with 2 or more sessions each",
    )
    result = rule(
        tmp_path / "b", "{mentees: {min: 2, with_sessions: 2, since: 2025-01-01}}", *changes
    )
    assert summary(result) == (True, day("2025-03-02"), "2 mentees", "")


# ---------------------------------------------------------------- months


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (
            ("2025-01-05", "2025-01-20", "2025-02-03"),
            (False, None, "2 months", "1 more month with a session"),
        ),
        (
            ("2025-01-05", "2025-01-20", "2025-02-03", "2025-03-31"),
            (True, day("2025-03-31"), "3 months", ""),
        ),
    ],
)
def test_active_months(tmp_path: Path, days: tuple[str, ...], expected: tuple) -> None:
    result = rule(
        tmp_path,
        "{active_months: {min: 3}}",
        sessions(*days),
        entry("2025-04-02", "reflection"),
        entry("2025-05-02", "milestone"),
    )
    assert result.text == "Sessions in at least 3 different months"
    assert summary(result) == expected


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("2024-03-15", (True, day("2025-03-15"), "3 months within 12 months", "")),
        (
            "2024-03-14",
            (
                False,
                None,
                "2 months within 12 months",
                "1 more month with a session within 12 months",
            ),
        ),
    ],
)
def test_active_months_within_twelve_months_is_inclusive(
    tmp_path: Path, first: str, expected: tuple
) -> None:
    result = rule(
        tmp_path,
        "{active_months: {min: 3, within: 12 months}}",
        sessions(first, "2024-09-01", "2025-03-15"),
    )
    assert result.text == "Sessions in at least 3 different months within 12 months"
    assert summary(result) == expected


@pytest.mark.parametrize(
    ("days", "minimum", "expected"),
    [
        (
            ("2024-11-20", "2024-12-05", "2025-01-03", "2025-01-30"),
            3,
            (True, day("2025-01-03"), "3 consecutive months", ""),
        ),
        (
            ("2024-10-20", "2024-11-05", "2025-01-03", "2025-02-03"),
            3,
            (
                False,
                None,
                "2 consecutive months",
                "a run of 3 consecutive months with a session (longest so far: 2)",
            ),
        ),
        (
            ("2024-10-20", "2024-11-05", "2025-01-03", "2025-02-03"),
            2,
            (True, day("2024-11-05"), "2 consecutive months", ""),
        ),
        (
            ("2024-01-10", "2024-01-20", "2024-01-30", "2025-01-10"),
            2,
            (
                False,
                None,
                "1 consecutive month",
                "a run of 2 consecutive months with a session (longest so far: 1)",
            ),
        ),
    ],
    ids=["across-new-year", "gap-breaks-run", "gap-min-2", "same-month-and-next-year"],
)
def test_consecutive_months(
    tmp_path: Path, days: tuple[str, ...], minimum: int, expected: tuple
) -> None:
    result = rule(
        tmp_path,
        f"{{consecutive_months: {{min: {minimum}}}}}",
        sessions(*days),
        entry("2024-12-20", "reflection"),
    )
    assert result.text == f"Sessions in at least {minimum} consecutive months"
    assert summary(result) == expected


def test_consecutive_months_evidence_is_the_run(tmp_path: Path) -> None:
    eligibility = judge(
        tmp_path,
        "{consecutive_months: {min: 2}}",
        sessions("2024-05-01", "2024-11-20", "2024-12-05", "2024-12-06"),
    )
    assert eligibility.first_met == day("2024-12-05")
    assert files(eligibility.evidence) == [
        f"{BO}/2024-11-20-session-2",
        f"{BO}/2024-12-05-session-3",
    ]


def test_consecutive_months_since(tmp_path: Path) -> None:
    result = rule(
        tmp_path,
        "{consecutive_months: {min: 3, since: 2025-01-01}}",
        sessions("2024-12-10", "2025-01-10", "2025-02-10"),
    )
    assert result.text == "Sessions in at least 3 consecutive months since 2025-01-01"
    assert summary(result) == (
        False,
        None,
        "2 consecutive months",
        "a run of 3 consecutive months with a session (longest so far: 2)",
    )


# ---------------------------------------------------------------- outcomes


def outcome(day_: str, kind: str, slug: str | None = None) -> dict[str, str]:
    return entry(day_, "outcome", author="bo-chen", slug=slug or kind, outcome=kind)


@pytest.mark.parametrize(
    ("criteria", "text", "expected"),
    [
        (
            "{outcomes: {min: 2, types: [promotion, new-role]}}",
            "At least 2 mentee outcomes (a promotion or a new role)",
            (False, None, "1 outcome", "1 more outcome"),
        ),
        (
            "{outcomes: {min: 2}}",
            "At least 2 mentee outcomes",
            (True, day("2025-03-01"), "2 outcomes", ""),
        ),
        (
            "{outcomes: {min: 1, types: [talk-given]}}",
            "At least 1 mentee outcome (a talk given)",
            (True, day("2025-03-01"), "1 outcome", ""),
        ),
        (
            "{outcomes: {min: 1, types: [other]}}",
            "At least 1 mentee outcome (another outcome)",
            (False, None, "0 outcomes", "1 more outcome"),
        ),
    ],
)
def test_outcomes_by_type(tmp_path: Path, criteria: str, text: str, expected: tuple) -> None:
    result = rule(
        tmp_path,
        criteria,
        outcome("2025-02-01", "promotion"),
        outcome("2025-03-01", "talk-given"),
        sessions("2025-01-01"),
    )
    assert result.text == text
    assert summary(result) == expected


def test_outcomes_for_a_mentee_and_with_a_window(tmp_path: Path) -> None:
    changes = (outcome("2024-01-01", "promotion"), outcome("2025-01-02", "new-role"))
    result = rule(tmp_path, "{outcomes: {min: 2, within: 1 year}}", *changes, audience="mentee")
    assert result.text == "At least 2 outcomes within 1 year"
    assert summary(result) == (
        False,
        None,
        "1 outcome within 1 year",
        "1 more outcome within 1 year",
    )


# ---------------------------------------------------------------- roadmaps and goals


ROADMAP_THREAD = thread(extra="roadmap: web-basics\n")


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        ((), (False, None, "0 roadmap steps", "3 more roadmap steps")),
        (("css",), (False, None, "2 roadmap steps", "1 more roadmap step")),
        (("css", "html"), (False, None, "2 roadmap steps", "1 more roadmap step")),
        (("html", "js"), (True, day("2025-02-01"), "3 roadmap steps", "")),
    ],
)
def test_roadmap_steps_up_to_the_furthest_step(
    tmp_path: Path, steps: tuple[str, ...], expected: tuple
) -> None:
    named = [
        entry(d, "reflection", author="bo-chen", slug=f"step-{s}", roadmap_step=s)
        for d, s in zip(("2025-01-01", "2025-02-01"), steps, strict=False)
    ]
    result = rule(
        tmp_path,
        "{roadmap_steps: {min: 3}}",
        THREE_STEPS,
        ROADMAP_THREAD,
        *named,
        audience="mentee",
    )
    assert result.text == "At least 3 roadmap steps completed"
    assert summary(result) == expected


def test_roadmap_steps_of_a_mentor_add_up_over_mentees(tmp_path: Path) -> None:
    eligibility = judge(
        tmp_path,
        "{roadmap_steps: {min: 3}}",
        THREE_STEPS,
        ROADMAP_THREAD,
        entry("2025-01-01", roadmap_step="css"),
        {CY_FILE: "name: Cy Diaz\n", **thread("ana-lima", "cy-diaz", "roadmap: web-basics\n")},
        entry("2025-02-01", in_thread=CY, roadmap_step="html"),
    )
    result = eligibility.rules[0]
    assert result.text == "At least 3 roadmap steps completed by their mentees"
    assert summary(result) == (True, day("2025-02-01"), "3 roadmap steps", "")
    assert files(eligibility.evidence) == [f"{BO}/2025-01-01-session", f"{CY}/2025-02-01-session"]


def test_roadmap_steps_count_once_per_mentee_and_roadmap(tmp_path: Path) -> None:
    """Bo goes through the same roadmap with two mentors: each step counts once."""
    result = rule(
        tmp_path,
        "{roadmap_steps: {min: 3}}",
        THREE_STEPS,
        ROADMAP_THREAD,
        entry("2025-01-01", roadmap_step="css"),
        {DEE_FILE: "name: Dee Ong\n", **thread("dee-ong", "bo-chen", "roadmap: web-basics\n")},
        entry("2025-02-01", author="dee-ong", in_thread=DEE_BO, roadmap_step="html"),
        audience="mentee",
    )
    assert summary(result) == (False, None, "2 roadmap steps", "1 more roadmap step")


def test_roadmap_steps_since_counts_only_steps_reached_after(tmp_path: Path) -> None:
    result = rule(
        tmp_path,
        "{roadmap_steps: {min: 2, since: 2025-02-01}}",
        THREE_STEPS,
        ROADMAP_THREAD,
        entry("2025-01-31", roadmap_step="html", slug="one"),
        entry("2025-02-01", roadmap_step="css", slug="two"),
        audience="mentee",
    )
    assert result.text == "At least 2 roadmap steps completed since 2025-02-01"
    assert summary(result) == (False, None, "1 roadmap step", "1 more roadmap step")


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (("html", "css"), (False, None, "0 roadmaps", "1 more roadmap")),
        (("html", "js"), (True, day("2025-02-01"), "1 roadmap", "")),
    ],
)
def test_roadmaps_completed_at_the_last_step(
    tmp_path: Path, steps: tuple[str, ...], expected: tuple
) -> None:
    result = rule(
        tmp_path,
        "{roadmaps_completed: {min: 1}}",
        THREE_STEPS,
        ROADMAP_THREAD,
        entry("2025-01-01", roadmap_step=steps[0], slug="one"),
        entry("2025-02-01", roadmap_step=steps[1], slug="two"),
        entry("2025-03-01", roadmap_step="html", slug="three"),
        audience="mentee",
    )
    assert result.text == "At least 1 roadmap completed"
    assert summary(result) == expected


def test_roadmaps_completed_by_a_mentors_mentees(tmp_path: Path) -> None:
    result = rule(
        tmp_path,
        "{roadmaps_completed: {min: 2}}",
        THREE_STEPS,
        ROADMAP_THREAD,
        entry("2025-01-01", roadmap_step="js"),
        {CY_FILE: "name: Cy Diaz\n", **thread("ana-lima", "cy-diaz", "roadmap: web-basics\n")},
        entry("2025-02-01", in_thread=CY, roadmap_step="css"),
    )
    assert result.text == "At least 2 roadmaps completed by their mentees"
    assert summary(result) == (False, None, "1 roadmap", "1 more roadmap")


GOALS = thread(
    extra=(
        "goals:\n"
        "  - {id: named, title: Named twice, status: achieved}\n"
        "  - {id: unnamed, title: Never named, status: achieved}\n"
        "  - {id: open-one, title: Still open, status: in-progress}\n"
    )
)


@pytest.mark.parametrize(
    ("minimum", "expected"),
    [
        (1, (True, day("2025-03-05"), "1 goal", "")),
        (
            2,
            (
                False,
                None,
                "1 goal",
                "1 more goal (marked achieved, but named by no entry: unnamed)",
            ),
        ),
    ],
)
def test_goals_achieved_count_when_named_dated_by_the_last_naming_entry(
    tmp_path: Path, minimum: int, expected: tuple
) -> None:
    eligibility = judge(
        tmp_path,
        f"{{goals_achieved: {{min: {minimum}}}}}",
        GOALS,
        entry("2025-01-10", goals="[named, open-one]"),
        entry("2025-03-05", "milestone", author="bo-chen", goals="[named]"),
        entry("2025-04-01", "reflection", goals="[open-one]"),
        audience="mentee",
    )
    result = eligibility.rules[0]
    assert (
        result.text
        == f"At least {minimum} goal{'s' if minimum > 1 else ''} achieved in their mentorships"
    )
    assert summary(result) == expected
    assert files(result.counted) == [f"{BO}/2025-03-05-milestone"]


def test_goals_achieved_since_uses_the_last_naming_entry(tmp_path: Path) -> None:
    changes = (
        GOALS,
        entry("2025-01-10", goals="[named]"),
        entry("2025-03-05", "reflection", goals="[named]"),
    )
    met = rule(tmp_path / "a", "{goals_achieved: {min: 1, since: 2025-03-05}}", *changes)
    late = rule(tmp_path / "b", "{goals_achieved: {min: 1, since: 2025-03-06}}", *changes)
    assert met.text == "At least 1 goal achieved in their mentorships since 2025-03-05"
    assert summary(met) == (True, day("2025-03-05"), "1 goal", "")
    assert summary(late) == (
        False,
        None,
        "0 goals",
        "1 more goal (marked achieved, but named by no entry: unnamed)",
    )


# ---------------------------------------------------------------- feedback


@pytest.mark.parametrize(
    ("responses", "expected"),
    [
        (1, (False, None, "1 feedback response", "1 more feedback response")),
        (2, (True, day("2025-02-01"), "2 feedback responses", "")),
    ],
)
def test_feedback_responses(tmp_path: Path, responses: int, expected: tuple) -> None:
    result = rule(
        tmp_path,
        "{feedback_responses: {min: 2}}",
        sessions("2025-01-01"),
        *(feedback(d, 3, slug=f"f-{d}") for d in ("2025-01-15", "2025-02-01")[:responses]),
    )
    assert result.text == "At least 2 feedback responses from mentees"
    assert summary(result) == expected


def test_feedback_responses_of_a_mentee(tmp_path: Path) -> None:
    result = rule(
        tmp_path,
        "{feedback_responses: {min: 1, within: 2 weeks}}",
        feedback("2025-01-15", 1),
        audience="mentee",
    )
    assert result.text == "At least 1 feedback response given within 2 weeks"
    assert summary(result) == (True, day("2025-01-15"), "1 feedback response within 2 weeks", "")


RATINGS = ("2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01", "2025-05-01", "2025-06-01")


@pytest.mark.parametrize(
    ("ratings", "met", "value", "missing"),
    [
        ((), False, "no rated feedback yet", "3 more rated feedback responses"),
        ((5, 5), False, "an average of 5 over 2 responses", "1 more rated feedback response"),
        ((5, 5, 3), False, "an average of 4.33 over 3 responses", "an average of 4.5 (now 4.33)"),
        ((5, 5, 4), True, "an average of 4.67 over 3 responses", ""),
        ((5, 4, 4, 5), True, "an average of 4.5 over 4 responses", ""),
    ],
)
def test_feedback_rating_threshold(
    tmp_path: Path, ratings: tuple[int, ...], met: bool, value: str, missing: str
) -> None:
    result = rule(
        tmp_path,
        "{feedback_rating: {min: 4.5, responses: 3}}",
        *(feedback(d, r, slug=f"f-{d}") for d, r in zip(RATINGS, ratings, strict=False)),
    )
    assert result.text == (
        "An average feedback rating of at least 4.5 out of 5, over 3 or more responses"
    )
    assert (result.met, result.value, result.missing) == (met, value, missing)
    assert result.first_met == (day(RATINGS[len(ratings) - 1]) if met else None)


def test_feedback_rating_can_stop_holding_but_keeps_its_first_date(tmp_path: Path) -> None:
    criteria = "{all: [{feedback_rating: {min: 4.5, responses: 3}}, {sessions: {min: 1}}]}"
    ratings = [feedback(d, r, slug=f"f-{d}") for d, r in zip(RATINGS, (5, 5, 4, 3), strict=False)]
    eligibility = judge(tmp_path / "a", criteria, sessions("2025-01-01"), *ratings)
    result = eligibility.rules[0]
    assert summary(result) == (
        False,
        day("2025-03-01"),
        "an average of 4.25 over 4 responses",
        "an average of 4.5 (now 4.25)",
    )
    assert [(s.start, s.end) for s in result.spans] == [(day("2025-03-01"), day("2025-04-01"))]
    assert not eligibility.met
    assert eligibility.first_met == day("2025-03-01")
    assert eligibility.rules_met == 1
    # Two more fives bring the average back to 4.5: met again, first met still in March.
    more = [feedback(d, 5, slug=f"f-{d}") for d in RATINGS[4:]]
    eligibility = judge(tmp_path / "b", criteria, sessions("2025-01-01"), *ratings, *more)
    assert eligibility.met
    assert eligibility.first_met == day("2025-03-01")
    assert [(s.start, s.end) for s in eligibility.spans] == [
        (day("2025-03-01"), day("2025-04-01")),
        (day("2025-06-01"), None),
    ]
    assert eligibility.rules[0].value == "an average of 4.5 over 6 responses"


def test_feedback_rating_averages_over_all_mentees(tmp_path: Path) -> None:
    result = rule(
        tmp_path,
        "{feedback_rating: {min: 4, responses: 2}}",
        CY_THREAD,
        feedback("2025-01-01", 5),
        feedback("2025-02-01", 3, in_thread=CY),
    )
    assert (
        result.text == "An average feedback rating of at least 4 out of 5, over 2 or more responses"
    )
    assert summary(result) == (True, day("2025-02-01"), "an average of 4 over 2 responses", "")
    assert files(result.counted) == [f"{BO}/2025-01-01-feedback", f"{CY}/2025-02-01-feedback"]


def test_feedback_rating_is_judged_per_day(tmp_path: Path) -> None:
    """Two responses on one day: the average is judged once both are in, so a high then a low
    rating on the same day never makes the rule met on that day."""
    result = rule(
        tmp_path,
        "{feedback_rating: {min: 4.5, responses: 3}}",
        CY_THREAD,
        feedback("2025-01-01", 5),
        feedback("2025-02-01", 5, in_thread=CY),
        feedback("2025-03-01", 5, slug="again"),
        feedback("2025-03-01", 1, in_thread=CY, slug="again"),
    )
    assert result.spans == ()
    assert summary(result) == (
        False,
        None,
        "an average of 4 over 4 responses",
        "an average of 4.5 (now 4)",
    )


def test_feedback_rating_since(tmp_path: Path) -> None:
    result = rule(
        tmp_path,
        "{feedback_rating: {min: 4, responses: 1, since: 2025-02-01}}",
        feedback("2025-01-31", 1, slug="low"),
        feedback("2025-02-01", 4, slug="fine"),
    )
    assert result.text == (
        "An average feedback rating of at least 4 out of 5, over 1 or more responses since 2025-02-01"
    )
    assert summary(result) == (True, day("2025-02-01"), "an average of 4 over 1 response", "")


# ---------------------------------------------------------------- windows


@pytest.mark.parametrize(
    ("within", "second", "met"),
    [
        ("7 days", "2025-01-08", True),
        ("7 days", "2025-01-09", False),
        ("2 weeks", "2025-01-15", True),
        ("2 weeks", "2025-01-16", False),
        ("1 month", "2025-02-01", True),
        ("1 month", "2025-02-02", False),
        ("12 months", "2026-01-01", True),
        ("12 months", "2026-01-02", False),
        ("1 year", "2026-01-01", True),
        ("1 year", "2026-01-02", False),
    ],
)
def test_within_is_inclusive_of_both_ends(
    tmp_path: Path, within: str, second: str, met: bool
) -> None:
    result = rule(
        tmp_path, f"{{sessions: {{min: 2, within: {within}}}}}", sessions("2025-01-01", second)
    )
    assert result.text == f"At least 2 sessions within {within}"
    if met:
        assert summary(result) == (True, day(second), f"2 sessions within {within}", "")
    else:
        assert summary(result) == (
            False,
            None,
            f"1 session within {within}",
            f"1 more session within {within}",
        )


def test_within_with_nothing_counted_names_no_window_in_the_value(tmp_path: Path) -> None:
    result = rule(
        tmp_path, "{sessions: {min: 2, within: 7 days}}", entry("2025-01-01", "reflection")
    )
    assert summary(result) == (False, None, "0 sessions", "2 more sessions within 7 days")


def test_within_a_month_from_a_month_end(tmp_path: Path) -> None:
    """A window of a month ending on 31 March starts on 28 February (no 31 February)."""
    met = rule(
        tmp_path / "a",
        "{sessions: {min: 2, within: 1 month}}",
        sessions("2025-02-28", "2025-03-31"),
    )
    late = rule(
        tmp_path / "b",
        "{sessions: {min: 2, within: 1 month}}",
        sessions("2025-02-27", "2025-03-31"),
    )
    assert met.first_met == day("2025-03-31")
    assert late.first_met is None


def test_within_finds_the_best_span_anywhere(tmp_path: Path) -> None:
    eligibility = judge(
        tmp_path,
        "{sessions: {min: 3, within: 6 months}}",
        sessions(
            "2023-01-01", "2023-05-01", "2024-06-01", "2024-07-01", "2024-08-01", "2024-09-01"
        ),
    )
    result = eligibility.rules[0]
    assert summary(result) == (True, day("2024-08-01"), "4 sessions within 6 months", "")
    assert files(eligibility.evidence) == [
        f"{BO}/2024-06-01-session-3",
        f"{BO}/2024-07-01-session-4",
        f"{BO}/2024-08-01-session-5",
    ]


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("2025-03-01", (True, day("2025-03-02"), "2 sessions", "")),
        ("2025-03-02", (False, None, "1 session", "1 more session")),
    ],
)
def test_since_counts_the_day_itself(tmp_path: Path, since: str, expected: tuple) -> None:
    eligibility = judge(
        tmp_path,
        f"{{sessions: {{min: 2, since: {since}}}}}",
        sessions("2025-02-28", "2025-03-01", "2025-03-02"),
    )
    result = eligibility.rules[0]
    assert result.text == f"At least 2 sessions since {since}"
    assert summary(result) == expected
    if result.met:
        assert files(eligibility.evidence) == [
            f"{BO}/2025-03-01-session-2",
            f"{BO}/2025-03-02-session-3",
        ]


def test_active_months_since(tmp_path: Path) -> None:
    result = rule(
        tmp_path,
        "{active_months: {min: 2, since: 2025-01-31}}",
        sessions("2025-01-30", "2025-01-31", "2025-02-01"),
    )
    assert result.text == "Sessions in at least 2 different months since 2025-01-31"
    assert summary(result) == (True, day("2025-02-01"), "2 months", "")


# ---------------------------------------------------------------- combinators


COMBINED = (
    sessions("2025-01-10"),
    outcome("2025-02-10", "promotion"),
    feedback("2025-03-10", 4),
)
THREE_RULES = "[{sessions: {min: 1}}, {outcomes: {min: 1}}, {feedback_responses: {min: 1}}]"


@pytest.mark.parametrize(
    ("criteria", "first", "evidence"),
    [
        (
            f"{{any: {THREE_RULES}}}",
            "2025-01-10",
            [f"{BO}/2025-01-10-session-1"],
        ),
        (
            f"{{at_least: {{count: 2, of: {THREE_RULES}}}}}",
            "2025-02-10",
            [f"{BO}/2025-01-10-session-1", f"{BO}/2025-02-10-promotion"],
        ),
        (
            f"{{at_least: {{count: 3, of: {THREE_RULES}}}}}",
            "2025-03-10",
            [
                f"{BO}/2025-01-10-session-1",
                f"{BO}/2025-02-10-promotion",
                f"{BO}/2025-03-10-feedback",
            ],
        ),
        (
            f"{{any: [{{all: {THREE_RULES}}}, {{sessions: {{min: 5}}}}]}}",
            "2025-03-10",
            [
                f"{BO}/2025-01-10-session-1",
                f"{BO}/2025-02-10-promotion",
                f"{BO}/2025-03-10-feedback",
            ],
        ),
    ],
    ids=["any-earliest", "at-least-2-second", "at-least-3-third", "all-latest"],
)
def test_combinator_first_met_and_evidence(
    tmp_path: Path, criteria: str, first: str, evidence: list[str]
) -> None:
    eligibility = judge(tmp_path, criteria, *COMBINED)
    assert eligibility.met
    assert eligibility.rules[0].first_met == day(first)
    assert eligibility.first_met == day(first)
    assert files(eligibility.evidence) == evidence
    assert eligibility.rules[0].value == ""
    assert eligibility.rules[0].missing == ""


def test_top_level_all_is_split_into_rules_met_on_the_latest_date(tmp_path: Path) -> None:
    eligibility = judge(tmp_path, f"{{all: {THREE_RULES}}}", *COMBINED)
    assert [r.text for r in eligibility.rules] == [
        "At least 1 session",
        "At least 1 mentee outcome",
        "At least 1 feedback response from mentees",
    ]
    assert [r.first_met for r in eligibility.rules] == [
        day("2025-01-10"),
        day("2025-02-10"),
        day("2025-03-10"),
    ]
    assert eligibility.first_met == day("2025-03-10")
    assert files(eligibility.evidence) == [
        f"{BO}/2025-01-10-session-1",
        f"{BO}/2025-02-10-promotion",
        f"{BO}/2025-03-10-feedback",
    ]


@pytest.mark.parametrize(
    ("criteria", "text", "missing"),
    [
        (
            "{at_least: {count: 2, of: [{sessions: {min: 1}}, {outcomes: {min: 1}}, "
            "{feedback_responses: {min: 2}}]}}",
            "At least 2 of: at least 1 session; at least 1 mentee outcome; "
            "at least 2 feedback responses from mentees",
            "1 of: 1 more outcome; 2 more feedback responses",
        ),
        (
            "{all: [{sessions: {min: 2}}, {outcomes: {min: 1}}]}",
            None,
            None,
        ),
        (
            "{any: [{sessions: {min: 2}}, {outcomes: {min: 1}}]}",
            "At least 2 sessions or at least 1 mentee outcome",
            "1 of: 1 more session; 1 more outcome",
        ),
        (
            "{any: [{all: [{sessions: {min: 2}}, {mentees: {min: 1}}]}, {outcomes: {min: 1}}]}",
            "Any of: at least 2 sessions and at least 1 mentee with a session; "
            "at least 1 mentee outcome",
            "1 of: 1 more session; 1 more outcome",
        ),
    ],
)
def test_combinator_not_met_says_what_is_missing(
    tmp_path: Path, criteria: str, text: str | None, missing: str | None
) -> None:
    eligibility = judge(tmp_path, criteria, sessions("2025-01-10"))
    assert not eligibility.met
    assert eligibility.first_met is None
    assert eligibility.evidence == ()
    if text is None:  # a top-level all: one rule each
        assert [summary(r) for r in eligibility.rules] == [
            (False, None, "1 session", "1 more session"),
            (False, None, "0 outcomes", "1 more outcome"),
        ]
        return
    result = eligibility.rules[0]
    assert (result.text, result.missing, result.first_met) == (text, missing, None)


def test_at_least_all_missing_when_every_unmet_rule_is_needed(tmp_path: Path) -> None:
    result = rule(
        tmp_path,
        "{at_least: {count: 2, of: [{sessions: {min: 3}}, {outcomes: {min: 1}}]}}",
        sessions("2025-01-10"),
    )
    assert result.missing == "2 more sessions; 1 more outcome"
    assert [c.met for c in result.children] == [False, False]


# ---------------------------------------------------------------- tiers and the badge measure


TIERS = (
    badge("starter", "{sessions: {min: 2}}"),
    badge(
        "guide",
        "{all: [{mentees: {min: 1}}, {active_months: {min: 2}}]}",
        tier=2,
        builds_on="starter",
    ),
)


@pytest.mark.parametrize(
    ("days", "starter", "guide"),
    [
        (("2025-01-10",), None, (False, None, 1)),
        (("2025-01-10", "2025-01-20"), "2025-01-20", (False, None, 2)),
        (("2025-01-10", "2025-02-20"), "2025-02-20", (True, "2025-02-20", 3)),
        (("2025-01-10", "2025-02-20", "2025-03-01"), "2025-02-20", (True, "2025-02-20", 3)),
    ],
)
def test_a_higher_tier_is_never_met_without_the_lower(
    tmp_path: Path, days: tuple[str, ...], starter: str | None, guide: tuple
) -> None:
    evaluation = evaluate(load(tmp_path, *TIERS, sessions(*days)))
    lower = evaluation.of(Audience.MENTOR, "ana-lima")["starter"]
    higher = evaluation.of(Audience.MENTOR, "ana-lima")["guide"]
    assert lower.first_met == (day(starter) if starter else None)
    met, first, rules_met = guide
    assert (higher.met, higher.first_met, higher.rules_met, len(higher.rules)) == (
        met,
        day(first) if first else None,
        rules_met,
        3,
    )
    assert [r.text for r in higher.rules] == [
        "Holds the Starter badge",
        "At least 1 mentee with a session",
        "Sessions in at least 2 different months",
    ]
    holds = higher.rules[0]
    if starter:
        assert (holds.met, holds.first_met, holds.value, holds.missing) == (
            True,
            day(starter),
            "holds Starter",
            "",
        )
    else:
        assert (holds.met, holds.value, holds.missing) == (
            False,
            "does not hold Starter",
            "earn Starter first",
        )


def test_tier_evidence_includes_the_lower_tier(tmp_path: Path) -> None:
    evaluation = evaluate(
        load(tmp_path, *TIERS, sessions("2025-01-10", "2025-02-20", "2025-03-01"))
    )
    guide = evaluation.of(Audience.MENTOR, "ana-lima")["guide"]
    assert files(guide.evidence) == [f"{BO}/2025-01-10-session-1", f"{BO}/2025-02-20-session-2"]


def test_badge_measure_follows_the_badge_it_names(tmp_path: Path) -> None:
    """A badge held only while the rating holds: `badge:` holds exactly as long."""
    community = load(
        tmp_path,
        badge("liked", "{feedback_rating: {min: 4, responses: 1}}"),
        badge("either", "{any: [{badge: liked}, {sessions: {min: 1}}]}", name="Either"),
        badge("needs", "{badge: liked}", name="Needs"),
        feedback("2025-01-01", 5, slug="a"),
        feedback("2025-02-01", 1, slug="b"),
        sessions("2025-03-01"),
    )
    evaluation = evaluate(community)
    needs = evaluation.of(Audience.MENTOR, "ana-lima")["needs"]
    assert summary(needs.rules[0]) == (
        False,
        day("2025-01-01"),
        "does not hold Liked",
        "earn Liked first",
    )
    assert needs.rules[0].text == "Holds the Liked badge"
    assert [(s.start, s.end) for s in needs.spans] == [(day("2025-01-01"), day("2025-02-01"))]
    either = evaluation.of(Audience.MENTOR, "ana-lima")["either"]
    assert [(s.start, s.end) for s in either.spans] == [
        (day("2025-01-01"), day("2025-02-01")),
        (day("2025-03-01"), None),
    ]
    assert either.first_met == day("2025-01-01")
    assert either.rules[0].text == "Holds the Liked badge or at least 1 session"


def test_badges_are_judged_per_audience(tmp_path: Path) -> None:
    evaluation = evaluate(
        load(
            tmp_path,
            badge("first", "{sessions: {min: 1}}", audience="mentee"),
            sessions("2025-01-10"),
        )
    )
    assert list(evaluation.of(Audience.MENTEE, "bo-chen")) == ["first"]
    assert evaluation.of(Audience.MENTOR, "ana-lima") == {}
    assert evaluation.of(Audience.MENTEE, "bo-chen")["first"].first_met == day("2025-01-10")


# ---------------------------------------------------------------- wording


def crit(data: dict) -> Criterion:
    return Criterion.model_validate(data)


@pytest.mark.parametrize(
    ("data", "role", "text"),
    [
        ({"sessions": {"min": 6}}, "mentor", "At least 6 sessions"),
        ({"sessions": {"min": 1}}, "mentor", "At least 1 session"),
        (
            {"sessions": {"min": 6, "within": "12 months", "since": "2025-01-01"}},
            "mentor",
            "At least 6 sessions within 12 months since 2025-01-01",
        ),
        (
            {"sessions": {"min": 2, "author": "mentor"}},
            "mentee",
            "At least 2 sessions written by the mentor",
        ),
        (
            {"entries": {"kinds": ["milestone", "reflection"], "min": 1}},
            "mentee",
            "At least 1 reflection or milestone",
        ),
        (
            {"entries": {"kinds": ["feedback", "session", "outcome"], "min": 4}},
            "mentee",
            "At least 4 sessions, outcomes or feedback responses",
        ),
        (
            {"mentees": {"min": 2, "with_sessions": 2}},
            "mentor",
            "At least 2 mentees with 2 or more sessions each",
        ),
        ({"mentees": {"min": 1}}, "mentor", "At least 1 mentee with a session"),
        (
            {"mentors": {"min": 2, "with_sessions": 3}},
            "mentee",
            "At least 2 mentors with 3 or more sessions each",
        ),
        (
            {"active_months": {"min": 3, "within": "12 months"}},
            "mentor",
            "Sessions in at least 3 different months within 12 months",
        ),
        ({"active_months": {"min": 1}}, "mentor", "Sessions in at least 1 month"),
        ({"consecutive_months": {"min": 4}}, "mentor", "Sessions in at least 4 consecutive months"),
        ({"consecutive_months": {"min": 1}}, "mentor", "Sessions in at least 1 consecutive month"),
        ({"outcomes": {"min": 1}}, "mentee", "At least 1 outcome"),
        (
            {"outcomes": {"min": 2, "types": ["promotion", "project-shipped", "skill-attained"]}},
            "mentor",
            "At least 2 mentee outcomes (a promotion, a shipped project or a skill attained)",
        ),
        ({"roadmap_steps": {"min": 5}}, "mentee", "At least 5 roadmap steps completed"),
        (
            {"roadmap_steps": {"min": 1}},
            "mentor",
            "At least 1 roadmap step completed by their mentees",
        ),
        ({"roadmaps_completed": {"min": 1}}, "mentee", "At least 1 roadmap completed"),
        (
            {"roadmaps_completed": {"min": 3}},
            "mentor",
            "At least 3 roadmaps completed by their mentees",
        ),
        (
            {"goals_achieved": {"min": 2}},
            "mentee",
            "At least 2 goals achieved in their mentorships",
        ),
        (
            {"feedback_responses": {"min": 3}},
            "mentor",
            "At least 3 feedback responses from mentees",
        ),
        ({"feedback_responses": {"min": 1}}, "mentee", "At least 1 feedback response given"),
        (
            {"feedback_rating": {"min": 4.5}},
            "mentor",
            "An average feedback rating of at least 4.5 out of 5, over 3 or more responses",
        ),
        (
            {"feedback_rating": {"min": 4.0, "responses": 5}},
            "mentor",
            "An average feedback rating of at least 4 out of 5, over 5 or more responses",
        ),
        ({"badge": "starter"}, "mentor", "Holds the Starter badge"),
        ({"badge": "unnamed"}, "mentor", "Holds the unnamed badge"),
        (
            {"all": [{"sessions": {"min": 2}}, {"mentees": {"min": 1}}, {"badge": "starter"}]},
            "mentor",
            "At least 2 sessions, at least 1 mentee with a session and holds the Starter badge",
        ),
        ({"all": [{"sessions": {"min": 2}}]}, "mentor", "At least 2 sessions"),
        (
            {"any": [{"sessions": {"min": 2}}, {"outcomes": {"min": 1}}]},
            "mentee",
            "At least 2 sessions or at least 1 outcome",
        ),
        (
            {
                "all": [
                    {"any": [{"sessions": {"min": 2}}, {"outcomes": {"min": 1}}]},
                    {"badge": "starter"},
                ]
            },
            "mentee",
            "All of: at least 2 sessions or at least 1 outcome; holds the Starter badge",
        ),
        (
            {
                "at_least": {
                    "count": 1,
                    "of": [{"goals_achieved": {"min": 1}}, {"roadmaps_completed": {"min": 1}}],
                }
            },
            "mentee",
            "At least 1 of: at least 1 goal achieved in their mentorships; at least 1 roadmap completed",
        ),
    ],
)
def test_describe(data: dict, role: str, text: str) -> None:
    assert wording.describe(crit(data), Audience(role), {"starter": "Starter"}) == text


def test_narrative_of_a_badge_with_a_lower_tier(tmp_path: Path) -> None:
    community = load(
        tmp_path,
        badge("mentor", "{sessions: {min: 2}}", name="Mentor"),
        badge(
            "rising-star",
            "{all: [{sessions: {min: 6}}, {active_months: {min: 3, within: 12 months}}, "
            "{mentees: {min: 2, with_sessions: 2}}]}",
            tier=2,
            builds_on="mentor",
            name="Rising Star",
        ),
    )
    names = {slug: record.model.name for slug, record in community.badges.items()}
    rules = top_level(community.badges["rising-star"])
    assert wording.narrative(rules, Audience.MENTOR, names) == (
        "Holds the Mentor badge; at least 6 sessions; sessions in at least 3 different months "
        "within 12 months; at least 2 mentees with 2 or more sessions each."
    )
    assert wording.narrative(top_level(community.badges["mentor"]), Audience.MENTOR, names) == (
        "At least 2 sessions."
    )


def test_wording_helpers() -> None:
    words = wording.ENGLISH
    assert words.count(1, ["rated feedback response"], more=True) == (
        "1 more rated feedback response"
    )
    assert words.count(2, ["reflection", "milestone"], more=True) == (
        "2 more reflections or milestones"
    )
    assert words.count(3, ["entry"]) == "3 entries"
    assert words.number(4.0) == "4"
    assert words.number(10) == "10"
    assert words.number(4.666) == "4.67"
    assert words.number(12000) == "12000"
    assert words.window("1 months") == "within 1 month"
    assert words.rating_value(0.0, 0) == "no rated feedback yet"
    assert words.rating_value(4.5, 1) == "an average of 4.5 over 1 response"


# ---------------------------------------------------------------- explain


EXPLAINED = (
    badge("starter", "{sessions: {min: 2}}"),
    badge(
        "guide",
        "{all: [{mentees: {min: 2}}, {outcomes: {min: 1, types: [promotion]}}]}",
        tier=2,
        builds_on="starter",
    ),
    badge("first", "{sessions: {min: 1}}", audience="mentee"),
    sessions("2025-01-10", "2025-02-01"),
    entry("2025-01-20", "reflection", author="bo-chen"),
)


def explain(tmp_path: Path, *args: str) -> tuple[int, str]:
    files: dict[str, str | None] = {KICKOFF: None, FEEDBACK: None, **thread()}
    for change in EXPLAINED:
        files |= change
    root = make_community(tmp_path, files)
    result = CliRunner().invoke(main, ["explain", args[0], str(root), *args[1:]])
    return result.exit_code, result.output


def test_explain_a_met_badge(tmp_path: Path) -> None:
    code, output = explain(tmp_path, "ana-lima", "--badge", "starter")
    assert code == 0, output
    assert output == (
        "Ana Lima (mentor ana-lima)\n"
        "\n"
        "Starter: earned 2025-02-01, pending: menteo award records it\n"
        "  ✓ At least 2 sessions: 2 sessions\n"
        f"      evidence: content/threads/{BO}/2025-01-10-session-1.md, "
        f"content/threads/{BO}/2025-02-01-session-2.md\n"
    )


def test_explain_a_badge_not_yet_met(tmp_path: Path) -> None:
    code, output = explain(tmp_path, "ana-lima", "--badge", "guide")
    assert code == 0, output
    assert output == (
        "Ana Lima (mentor ana-lima)\n"
        "\n"
        "Guide: not yet: 1 of 3 criteria met\n"
        "  ✓ Holds the Starter badge: holds Starter\n"
        "  ✗ At least 2 mentees with a session: 1 mentee\n"
        f"      evidence: content/threads/{BO}/2025-01-10-session-1.md\n"
        "      missing: 1 more mentee with a session\n"
        "  ✗ At least 1 mentee outcome (a promotion): 0 outcomes\n"
        "      missing: 1 more outcome\n"
    )


def test_explain_lists_five_evidence_files_and_counts_the_rest(tmp_path: Path) -> None:
    days = [f"2025-0{m}-01" for m in range(1, 8)]
    root = make_community(
        tmp_path,
        {
            KICKOFF: None,
            FEEDBACK: None,
            **thread(),
            **badge("busy", "{sessions: {min: 8}}"),
            **sessions(*days),
        },
    )
    result = CliRunner().invoke(main, ["explain", "ana-lima", str(root), "--badge", "busy"])
    assert result.exit_code == 0, result.output
    shown = ", ".join(f"content/threads/{BO}/{d}-session-{i}.md" for i, d in enumerate(days[:5], 1))
    assert result.output == (
        "Ana Lima (mentor ana-lima)\n"
        "\n"
        "Busy: not yet: 0 of 1 criteria met\n"
        "  ✗ At least 8 sessions: 7 sessions\n"
        f"      evidence: {shown} and 2 more\n"
        "      missing: 1 more session\n"
    )


def test_explain_every_badge_of_a_mentee(tmp_path: Path) -> None:
    code, output = explain(tmp_path, "bo-chen")
    assert code == 0, output
    assert output == (
        "Bo Chen (mentee bo-chen)\n"
        "\n"
        "First: earned 2025-01-10, pending: menteo award records it\n"
        "  ✓ At least 1 session: 2 sessions\n"
        f"      evidence: content/threads/{BO}/2025-01-10-session-1.md, "
        f"content/threads/{BO}/2025-02-01-session-2.md\n"
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("ana-lma",),
            "Error: Invalid value for 'PERSON': no mentor or mentee 'ana-lma' "
            "(did you mean 'ana-lima'?)",
        ),
        (("zed",), "Error: Invalid value for 'PERSON': no mentor or mentee 'zed'"),
        (
            ("ana-lima", "--badge", "startr"),
            "Error: Invalid value for '--badge': no badge 'startr' (did you mean 'starter'?)",
        ),
        (("ana-lima", "--badge", "zzz"), "Error: Invalid value for '--badge': no badge 'zzz'"),
    ],
)
def test_explain_unknown_person_or_badge_exits_2(
    tmp_path: Path, args: tuple[str, ...], error: str
) -> None:
    code, output = explain(tmp_path, *args)
    assert code == 2
    assert output.splitlines()[-1] == error


def test_explain_refuses_a_broken_community(tmp_path: Path) -> None:
    make_community(tmp_path, badge("broken", "{sesions: {min: 2}}"))
    result = CliRunner().invoke(main, ["explain", "ana-lima", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (
        "badges/broken.yaml:5: criteria.sesions: unknown measure (did you mean 'sessions'?)\n"
        "Error: 1 problem in 1 file; fix them first.\n"
    )
