"""Mistakes in badge definitions, as the contributor reads them: `path:line: field: message (hint)`.

Each test adds badge files to the minimal valid community in `factory`; the badge text is
written out in full so the line numbers in the expected messages can be read off it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from factory import make_community
from menteo.cli import main
from menteo.content.loader import load_community
from menteo.errors import ContentError

ARTWORK_HINT = "(put an SVG file of at most 256 KiB in badges/images/ and give its file name)"
SHAPE_HINT = "(write one per list item, e.g. - sessions: {min: 6})"


def head(name: str, audience: str = "mentor", tier: int = 1, builds_on: str = "") -> str:
    """Lines 1-4 of a badge file (5 with builds_on); criteria follow."""
    lower = f"builds_on: {builds_on}\n" if builds_on else ""
    return f"name: {name}\naudience: {audience}\ntier: {tier}\n{lower}description: Test.\n"


STARTER = {"badges/starter.yaml": head("Starter") + "criteria:\n  sessions: {min: 1}\n"}


def messages(tmp_path: Path, *changes: dict[str, str]) -> list[str]:
    files: dict[str, str | None] = {}
    for change in changes:
        files |= change
    with pytest.raises(ContentError) as caught:
        load_community(make_community(tmp_path, files))
    return [str(p) for p in caught.value.problems]


def test_valid_badges_load_in_evaluation_order(tmp_path: Path) -> None:
    community = load_community(
        make_community(
            tmp_path,
            {
                **STARTER,
                "badges/a-guide.yaml": head("Guide", tier=2, builds_on="starter")
                + "criteria:\n  mentees: {min: 1}\n",
                "badges/first.yaml": head("First", audience="mentee")
                + "criteria:\n  mentors: {min: 1, with_sessions: 2, since: 2025-01-01}\n",
                "badges/images/star.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
                "badges/star.yaml": head("Star")
                + "image: star.svg\ncriteria:\n  any:\n    - badge: starter\n"
                "    - active_months: {min: 2, within: 6 weeks}\n",
            },
        )
    )
    assert list(community.badges) == ["first", "starter", "star", "a-guide"]


# ---------------------------------------------------------------- one file


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (
            "criteria:\n  sesions: {min: 2}\n",
            "badges/b.yaml:6: criteria.sesions: unknown measure (did you mean 'sessions'?)",
        ),
        (
            "criteria:\n  all:\n    - sessions: {min: 2}\n    - mentes: {min: 1}\n",
            "badges/b.yaml:8: criteria.all[1].mentes: unknown measure (did you mean 'mentees'?)",
        ),
        (
            "criteria:\n  wibble: {min: 2}\n",
            "badges/b.yaml:6: criteria.wibble: unknown measure (allowed measures: active_months, "
            "all, any, at_least, badge, consecutive_months, entries, feedback_rating, "
            "feedback_responses, goals_achieved, mentees, mentors, outcomes, roadmap_steps, "
            "roadmaps_completed, sessions)",
        ),
        (
            "criteria:\n  sessions: {min: 2, withn: 6 months}\n",
            "badges/b.yaml:6: criteria.sessions.withn: unknown field (did you mean 'within'?)",
        ),
        (
            "criteria:\n  sessions: {min: 0}\n",
            "badges/b.yaml:6: criteria.sessions.min: 0 is too small (use at least 1)",
        ),
        (
            "criteria:\n  all:\n    - outcomes: {min: -2}\n",
            "badges/b.yaml:7: criteria.all[0].outcomes.min: -2 is too small (use at least 1)",
        ),
        (
            "criteria:\n  mentees: {min: 1, with_sessions: 0}\n",
            "badges/b.yaml:6: criteria.mentees.with_sessions: 0 is too small (use at least 1)",
        ),
        (
            "criteria:\n  feedback_rating: {min: 5.5}\n",
            "badges/b.yaml:6: criteria.feedback_rating.min: 5.5 is too large (use at most 5.0)",
        ),
        (
            "criteria:\n  active_months: {min: 3, within: 12 moons}\n",
            "badges/b.yaml:6: criteria.active_months.within: '12 moons' is not a period "
            "(write a number and a unit, e.g. 12 months or 6 weeks)",
        ),
        (
            "criteria:\n  sessions: {min: 3, within: 0 days}\n",
            "badges/b.yaml:6: criteria.sessions.within: '0 days' is not a period "
            "(write a number and a unit, e.g. 12 months or 6 weeks)",
        ),
        (
            "criteria:\n  sessions: {min: 3, since: 2025-02-30}\n",
            "badges/b.yaml:6: criteria.sessions.since: '2025-02-30' is not a real date "
            "(write YYYY-MM-DD)",
        ),
        (
            "criteria:\n  sessions: {min: 6}\n  mentees: {min: 1}\n",
            "badges/b.yaml:5: criteria: a criterion is exactly one measure or all/any/at_least, "
            f"got mentees, sessions {SHAPE_HINT}",
        ),
        (
            "criteria:\n  any:\n    - sessions: {min: 6}\n      mentees: {min: 1}\n",
            "badges/b.yaml:7: criteria.any[0]: a criterion is exactly one measure or "
            f"all/any/at_least, got mentees, sessions {SHAPE_HINT}",
        ),
        (
            "criteria: {}\n",
            "badges/b.yaml:5: criteria: a criterion is exactly one measure or all/any/at_least, "
            f"got nothing {SHAPE_HINT}",
        ),
        (
            "criteria:\n  sessions:\n",
            "badges/b.yaml:6: criteria.sessions: is empty (write e.g. sessions: {min: 1})",
        ),
        (
            "criteria:\n  all:\n    - sessions: {min: 1}\n    - badge:\n",
            "badges/b.yaml:8: criteria.all[1].badge: is empty (write e.g. badge: mentor)",
        ),
        (
            "criteria:\n  any:\n    - entries:\n    - sessions: {min: 1}\n",
            "badges/b.yaml:7: criteria.any[0].entries: is empty "
            "(write e.g. entries: {kinds: [reflection], min: 1})",
        ),
        (
            "criteria:\n  all:\n",
            "badges/b.yaml:6: criteria.all: is empty (write e.g. all: [{sessions: {min: 1}}])",
        ),
        (
            "criteria:\n  all: []\n",
            "badges/b.yaml:6: criteria.all: needs at least one item (add at least one item)",
        ),
        (
            "criteria:\n  at_least: {count: 1, of: [{sessions: {min: 1}}]}\n",
            "badges/b.yaml:6: criteria.at_least.of: at_least needs 2 or more rules, got 1 "
            "(add a rule under of:, or write the rule on its own)",
        ),
        (
            "criteria:\n  entries: {min: 1, kinds: [sessions]}\n",
            "badges/b.yaml:6: criteria.entries.kinds[0]: 'sessions' is not allowed "
            "(use one of: session, reflection, milestone, outcome, feedback)",
        ),
        (
            "criteria:\n  outcomes: {min: 1, types: [raise]}\n",
            "badges/b.yaml:6: criteria.outcomes.types[0]: 'raise' is not allowed (use one of: "
            "promotion, project-shipped, skill-attained, new-role, talk-given, other)",
        ),
        (
            "criteria:\n  badge: Starter\n",
            "badges/b.yaml:6: criteria.badge: 'Starter' is not a valid slug "
            "(use lowercase letters, digits and single hyphens, e.g. platform-circle)",
        ),
    ],
    ids=[
        "typo-measure",
        "typo-measure-in-list",
        "unknown-measure",
        "typo-parameter",
        "threshold-zero",
        "threshold-negative",
        "with-sessions-zero",
        "rating-above-5",
        "bad-period",
        "zero-period",
        "bad-since",
        "two-measures",
        "two-measures-in-list",
        "no-measure",
        "empty-measure",
        "empty-badge",
        "empty-entries",
        "empty-all",
        "no-rules",
        "at-least-of-one",
        "bad-kind",
        "bad-outcome-type",
        "badge-not-a-slug",
    ],
)
def test_criteria_mistakes(tmp_path: Path, criteria: str, expected: str) -> None:
    assert messages(tmp_path, STARTER, {"badges/b.yaml": head("B") + criteria}) == [expected]


@pytest.mark.parametrize(
    ("audience", "measure", "expected"),
    [
        (
            "mentor",
            "mentors",
            "mentors cannot be counted for mentors (use mentees: to count a mentor's partners)",
        ),
        (
            "mentee",
            "mentees",
            "mentees cannot be counted for mentees (use mentors: to count a mentee's partners)",
        ),
    ],
)
def test_partner_measure_must_fit_the_audience(
    tmp_path: Path, audience: str, measure: str, expected: str
) -> None:
    text = head("B", audience=audience) + (
        f"criteria:\n  at_least:\n    count: 1\n    of:\n      - sessions: {{min: 1}}\n"
        f"      - {measure}: {{min: 1}}\n"
    )
    assert messages(tmp_path, {"badges/b.yaml": text}) == [
        f"badges/b.yaml:10: criteria.at_least.of[1].{measure}: {expected}"
    ]


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (
            3,
            [
                "badges/b.yaml:7: criteria.any[0].at_least.count: at least 3 of 2 rules can never "
                "be met (use a count from 1 to 2)"
            ],
        ),
        (0, ["badges/b.yaml:7: criteria.any[0].at_least.count: 0 is too small (use at least 1)"]),
    ],
)
def test_at_least_count_must_fit_the_rules(tmp_path: Path, count: int, expected: list) -> None:
    text = head("B") + (
        "criteria:\n  any:\n"
        f"    - at_least: {{count: {count}, of: [{{sessions: {{min: 1}}}}, {{mentees: {{min: 1}}}}]}}\n"
    )
    assert messages(tmp_path, {"badges/b.yaml": text}) == expected


def test_at_least_count_equal_to_the_rules_is_fine(tmp_path: Path) -> None:
    text = head("B") + (
        "criteria:\n  at_least: {count: 2, of: [{sessions: {min: 1}}, {mentees: {min: 1}}]}\n"
    )
    community = load_community(make_community(tmp_path, {"badges/b.yaml": text}))
    assert list(community.badges) == ["b"]


# ---------------------------------------------------------------- references and tiers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            head("B", tier=2, builds_on="startr") + "criteria:\n  sessions: {min: 2}\n",
            "badges/b.yaml:4: builds_on: unknown badge 'startr' (did you mean 'starter'?)",
        ),
        (
            head("B") + "criteria:\n  any:\n    - sessions: {min: 2}\n    - badge: startre\n",
            "badges/b.yaml:8: criteria.any[1].badge: unknown badge 'startre' "
            "(did you mean 'starter'?)",
        ),
        (
            head("B") + "criteria:\n  badge: platinum\n",
            "badges/b.yaml:6: criteria.badge: unknown badge 'platinum' "
            "(add badges/platinum.yaml or fix the slug)",
        ),
    ],
)
def test_unknown_badge_reference(tmp_path: Path, text: str, expected: str) -> None:
    assert messages(tmp_path, STARTER, {"badges/b.yaml": text}) == [expected]


def test_a_badge_that_failed_to_load_is_not_reported_again_as_unknown(tmp_path: Path) -> None:
    broken = {"badges/starter.yaml": head("Starter") + "criteria:\n  sessions: {min: 0}\n"}
    higher = {
        "badges/b.yaml": head("B", tier=2, builds_on="starter") + "criteria:\n  mentees: {min: 1}\n"
    }
    assert messages(tmp_path, broken, higher) == [
        "badges/starter.yaml:6: criteria.sessions.min: 0 is too small (use at least 1)"
    ]


def test_builds_on_a_badge_of_the_other_audience(tmp_path: Path) -> None:
    first = {
        "badges/first.yaml": head("First", audience="mentee") + "criteria:\n  sessions: {min: 1}\n"
    }
    text = head("B", tier=2, builds_on="first") + "criteria:\n  sessions: {min: 2}\n"
    needs = head("C", audience="mentee") + "criteria:\n  badge: starter\n"
    assert messages(tmp_path, STARTER, first, {"badges/b.yaml": text, "badges/c.yaml": needs}) == [
        "badges/b.yaml:4: builds_on: 'first' is a mentee badge and this one is for mentors "
        "(name a badge for mentors)",
        "badges/c.yaml:6: criteria.badge: 'starter' is a mentor badge and this one is for "
        "mentees (name a badge for mentees)",
    ]


@pytest.mark.parametrize("tier", [1, 0, -1])
def test_tier_must_be_above_the_badge_it_builds_on(tmp_path: Path, tier: int) -> None:
    text = head("B", tier=tier, builds_on="starter") + "criteria:\n  sessions: {min: 2}\n"
    expected = {
        1: "badges/b.yaml:3: tier: tier 1 is not above 'starter' (tier 1) (use tier: 2 or more)",
        0: "badges/b.yaml:3: tier: 0 is too small (use at least 1)",
        -1: "badges/b.yaml:3: tier: -1 is too small (use at least 1)",
    }[tier]
    assert messages(tmp_path, STARTER, {"badges/b.yaml": text}) == [expected]


def test_tiers_that_build_on_each_other_in_a_cycle(tmp_path: Path) -> None:
    a = head("A", tier=1, builds_on="b") + "criteria:\n  sessions: {min: 1}\n"
    b = head("B", tier=2, builds_on="a") + "criteria:\n  sessions: {min: 2}\n"
    assert messages(tmp_path, {"badges/a.yaml": a, "badges/b.yaml": b}) == [
        "badges/a.yaml:3: tier: tier 1 is not above 'b' (tier 2) (use tier: 3 or more)",
        "badges/b.yaml:4: builds_on: badges need each other in a cycle: a → b → a "
        "(a tier builds on a lower one; remove one of these links)",
    ]


def test_a_longer_cycle_through_badge_rules(tmp_path: Path) -> None:
    a = head("A") + "criteria:\n  badge: b\n"
    b = head("B") + "criteria:\n  all:\n    - sessions: {min: 1}\n    - badge: c\n"
    c = head("C") + "criteria:\n  any:\n    - badge: a\n    - sessions: {min: 9}\n"
    assert messages(tmp_path, {"badges/a.yaml": a, "badges/b.yaml": b, "badges/c.yaml": c}) == [
        "badges/c.yaml:7: criteria.any[0].badge: badges need each other in a cycle: "
        "a → b → c → a (a tier builds on a lower one; remove one of these links)",
    ]


def test_a_badge_that_needs_itself(tmp_path: Path) -> None:
    own = head("A", builds_on="a") + "criteria:\n  sessions: {min: 1}\n"
    rule = head("B") + "criteria:\n  any:\n    - sessions: {min: 1}\n    - badge: b\n"
    assert messages(tmp_path, {"badges/a.yaml": own, "badges/b.yaml": rule}) == [
        "badges/a.yaml:3: tier: tier 1 is not above 'a' (tier 1) (use tier: 2 or more)",
        "badges/a.yaml:4: builds_on: badges need each other in a cycle: a → a "
        "(a tier builds on a lower one; remove one of these links)",
        "badges/b.yaml:8: criteria.any[1].badge: badges need each other in a cycle: b → b "
        "(a tier builds on a lower one; remove one of these links)",
    ]


# ---------------------------------------------------------------- artwork


@pytest.mark.parametrize(
    ("image", "files", "message"),
    [
        ("badge.png", {"badges/images/badge.png": "png"}, "'badge.png' is not an SVG file name"),
        (
            "images/badge.svg",
            {"badges/images/badge.svg": "<svg/>"},
            "'images/badge.svg' is not an SVG file name",
        ),
        ("../badge.svg", {"badges/badge.svg": "<svg/>"}, "'../badge.svg' is not an SVG file name"),
        (".svg", {}, "'.svg' is not an SVG file name"),
        ("missing.svg", {}, "badges/images/missing.svg does not exist (or is a symbolic link)"),
        (
            "large.svg",
            {"badges/images/large.svg": "x" * (256 * 1024 + 1)},
            "badges/images/large.svg is too large",
        ),
    ],
)
def test_bad_artwork(tmp_path: Path, image: str, files: dict[str, str], message: str) -> None:
    text = head("B") + f"image: {image}\ncriteria:\n  sessions: {{min: 1}}\n"
    assert messages(tmp_path, files, {"badges/b.yaml": text}) == [
        f"badges/b.yaml:5: image: {message} {ARTWORK_HINT}"
    ]


def test_artwork_of_exactly_the_limit_is_fine(tmp_path: Path) -> None:
    text = head("B") + "image: b.svg\ncriteria:\n  sessions: {min: 1}\n"
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><desc>{}</desc></svg>'
    files = {"badges/b.yaml": text, "badges/images/b.svg": svg.format("x" * (256 * 1024 - 64))}
    assert load_community(make_community(tmp_path, files)).badges["b"].model.image == "b.svg"


# ---------------------------------------------------------------- the check command


def test_check_reports_every_badge_problem(tmp_path: Path) -> None:
    make_community(
        tmp_path,
        {
            **STARTER,
            "badges/b.yaml": head("B", tier=1, builds_on="startr")
            + "criteria:\n  all:\n    - sesions: {min: 2}\n    - active_months: {min: 3, within: 12 moons}\n",
            "badges/c.yaml": head("C", builds_on="starter")
            + "image: c.png\ncriteria:\n  mentors: {min: 1}\n",
        },
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (
        "badges/b.yaml:8: criteria.all[0].sesions: unknown measure (did you mean 'sessions'?)\n"
        "badges/b.yaml:9: criteria.all[1].active_months.within: '12 moons' is not a period "
        "(write a number and a unit, e.g. 12 months or 6 weeks)\n"
        "badges/c.yaml:3: tier: tier 1 is not above 'starter' (tier 1) (use tier: 2 or more)\n"
        f"badges/c.yaml:6: image: 'c.png' is not an SVG file name {ARTWORK_HINT}\n"
        "badges/c.yaml:8: criteria.mentors: mentors cannot be counted for mentors "
        "(use mentees: to count a mentor's partners)\n"
        "Error: 5 problems in 2 files; fix them and run menteo check again.\n"
    )
