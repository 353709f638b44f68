"""Matching: the fit rule and its reasons, the waiting list, the optimal assignment (checked
against brute force), `menteo match` through the real CLI, and consent on the site."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from factory import MENTEE, MENTOR, THREAD_FILE, edit, make_community
from menteo.cli import main
from menteo.content.loader import load_community
from menteo.content.timezones import hours_apart, utc_offset_minutes
from menteo.program.matching import (
    REASON_WORDS,
    Offer,
    Reason,
    Wish,
    fit,
    has_active_mentor,
    optimal_assignment,
    ranked,
    reason_text,
    waiting_mentees,
)

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def offer(slug: str = "ana", **kw: object) -> Offer:
    base: dict[str, object] = dict(
        slug=slug,
        skills=(),
        languages=(),
        communities=(),
        offset=None,
        capacity=None,
        active=0,
        open=True,
    )
    base.update(kw)
    return Offer(**base)  # type: ignore[arg-type]


def words(reasons: tuple[Reason, ...]) -> list[str]:
    return [reason_text(r, REASON_WORDS, lambda _: "Portuguese", str.upper) for r in reasons]


# ---------------------------------------------------------------- the fit rule


def test_fit_scores_each_part_and_says_why() -> None:
    wish = Wish(
        skills=("kubernetes", "observability", "go"),
        languages=("pt-BR",),
        communities=("platform",),
        offset=utc_offset_minutes("America/Sao_Paulo"),
    )
    mentor = offer(
        skills=("observability", "kubernetes", "slos"),
        languages=("en", "pt-BR"),
        communities=("platform",),
        offset=utc_offset_minutes("UTC-1"),
        capacity=3,
        active=1,
    )
    found = fit(wish, mentor)
    assert found.score == 3 * 2 + 2 + 2 + 1
    assert words(found.reasons) == [
        "shares kubernetes and observability",
        "speaks Portuguese",
        "same time zone ±2 h",
        "both in PLATFORM",
        "2 of 3 places free",
    ]


def test_time_zones_a_few_hours_apart_score_one_point_and_far_ones_none() -> None:
    tokyo = utc_offset_minutes("Asia/Tokyo")
    assert fit(Wish(offset=tokyo), offer(offset=utc_offset_minutes("UTC+5"))).score == 1
    assert words(fit(Wish(offset=tokyo), offer(offset=utc_offset_minutes("UTC+5"))).reasons) == [
        "time zones 4 h apart"
    ]
    assert fit(Wish(offset=tokyo), offer(offset=utc_offset_minutes("Europe/Lisbon"))).score == 0
    # The short way round the clock: UTC+12 and UTC-11 are one hour apart.
    assert hours_apart(12 * 60, -11 * 60) == 1


def test_offsets_and_zone_names() -> None:
    assert utc_offset_minutes("UTC") == 0
    assert utc_offset_minutes("UTC-03:30") == -210
    assert utc_offset_minutes("Asia/Kolkata") == 330
    assert utc_offset_minutes("Europe/Lisbon") == 30  # 0 in winter, +60 in summer
    for bad in ("UTC+15", "Europe/Lisbn", "../etc/passwd", "utc+2", ""):
        with pytest.raises(ValueError):
            utc_offset_minutes(bad)


def test_ranked_leaves_out_full_closed_and_unfitting_mentors_and_breaks_ties_by_slug() -> None:
    wish = Wish(skills=("go",))
    offers = [
        offer("zed", skills=("go",)),
        offer("amy", skills=("go",)),
        offer("full", skills=("go",), capacity=2, active=2),
        offer("shut", skills=("go",), open=False),
        offer("none", skills=("rust",)),
        offer("best", skills=("go",), languages=("en",)),
    ]
    assert [f.mentor for f in ranked(wish, offers)] == ["amy", "best", "zed"]
    wish = Wish(skills=("go",), languages=("en",))
    assert [f.mentor for f in ranked(wish, offers)] == ["best", "amy", "zed"]


# ---------------------------------------------------------------- the optimal assignment


def brute_force_best(
    scores: dict[tuple[str, str], int], places: dict[str, int], mentees: list[str]
) -> int:
    """The best total over every way to give each mentee one mentor or none."""
    choices = [None, *places]
    best = 0
    for pick in itertools.product(choices, repeat=len(mentees)):
        taken = [m for m in pick if m is not None]
        if any(taken.count(m) > places[m] for m in places):
            continue
        total = sum(
            scores.get((e, m), 0) for e, m in zip(mentees, pick, strict=True) if m is not None
        )
        best = max(best, total)
    return best


@pytest.mark.parametrize("seed", range(200))
def test_assignment_is_optimal_and_respects_capacities(seed: int) -> None:
    rng = random.Random(seed)
    mentees = [f"e{i}" for i in range(rng.randint(1, 5))]
    places = {f"m{i}": rng.randint(0, 2) for i in range(rng.randint(1, 4))}
    scores = {
        (e, m): rng.choice([0, 0, 1, 2, 3, 5, 8])
        for e in mentees
        for m in places
        if rng.random() < 0.8
    }
    pairs = optimal_assignment(scores, places)
    assert sum(scores[p] for p in pairs) == brute_force_best(scores, places, mentees)
    assert len({e for e, _ in pairs}) == len(pairs), "a mentee assigned twice"
    for mentor, free in places.items():
        assert sum(1 for _, m in pairs if m == mentor) <= free
    assert all(scores[p] > 0 for p in pairs), "a pair that does not fit"
    assert pairs == optimal_assignment(dict(reversed(list(scores.items()))), places)


def test_assignment_is_not_greedy() -> None:
    # Greedy gives x the best pair (x-a: 10) and leaves y with nothing; the optimum is 9 + 9.
    scores = {("x", "a"): 10, ("x", "b"): 9, ("y", "a"): 9}
    assert optimal_assignment(scores, {"a": 1, "b": 1}) == [("x", "b"), ("y", "a")]


# ---------------------------------------------------------------- the waiting list


SEEKING = """\
name: Cy Quiet
skills: [css]
seeking:
  skills: [html, zebra-taming]
  languages: [pt-BR]
  timezone: Pacific/Chatham
  availability: Saturdays at dawn
  cadence: every two weeks
"""


def test_waiting_means_no_active_mentor_and_never_paired_or_seeking(tmp_path: Path) -> None:
    root = make_community(tmp_path, {"content/mentees/cy-quiet.yaml": SEEKING})
    community = load_community(root)
    assert has_active_mentor(community, "bo-chen")
    assert waiting_mentees(community) == ("cy-quiet",)
    ended = edit(THREAD_FILE, "started: 2025-01-10", "started: 2025-01-10\nended: 2025-03-01")
    community = load_community(make_community(tmp_path / "ended", ended))
    assert waiting_mentees(community) == (), "an alumna who asks for nothing is not chased"
    ended[MENTEE] = "name: Bo Chen\nskills: [css]\nseeking:\n  skills: [html]\n"
    community = load_community(make_community(tmp_path / "again", ended))
    assert waiting_mentees(community) == ("bo-chen",)


# ---------------------------------------------------------------- the content model


@pytest.mark.parametrize(
    ("path", "old", "new", "message"),
    [
        (MENTOR, "availability: open", "availability: open\ncapacity: -1", ":6: capacity: -1 is too small (use at least 0)"),
        (MENTOR, "availability: open", "availability: open\ncapacity: many", "capacity: input should be a valid integer"),
        (MENTOR, "availability: open", "availability: open\ntimezone: Europe/Lisbn", "timezone: 'Europe/Lisbn' is not a time zone (write an IANA name"),
        (MENTEE, "skills: [css]", "skills: [css]\nseeking:\n  timezone: UTC+25", "seeking.timezone: 'UTC+25' is not a time zone"),
        (MENTEE, "skills: [css]", "skills: [css]\nseeking:\n  skills: [Rust Lang]", "seeking.skills[0]: 'Rust Lang' is not a valid slug"),
        (MENTEE, "skills: [css]", "skills: [css]\nseeking:\n  skils: [rust]", "seeking.skils: unknown field (did you mean 'skills'?)"),
    ],
)  # fmt: skip
def test_content_model_errors_are_located(
    tmp_path: Path, path: str, old: str, new: str, message: str
) -> None:
    result = run("check", str(make_community(tmp_path, edit(path, old, new))))
    assert result.exit_code == 1
    assert path in result.output and message in result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- the command


def test_match_on_the_demo_suggests_and_assigns_within_capacity() -> None:
    result = run("match", str(ROOT), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"suggestions", "assignment"}
    assert [s["mentee"] for s in data["suggestions"]] == [
        "chloe-dubois",
        "olga-smirnova",
        "sofia-marquez",
        "tanaka-yui",
    ]
    for suggestion in data["suggestions"]:
        assert set(suggestion) == {"mentee", "mentors"}
        assert 1 <= len(suggestion["mentors"]) <= 3
        scores = [m["score"] for m in suggestion["mentors"]]
        assert scores == sorted(scores, reverse=True)
        for mentor in suggestion["mentors"]:
            assert set(mentor) == {"mentor", "score", "reasons"}
            assert isinstance(mentor["score"], int) and mentor["reasons"]
    tanaka = data["suggestions"][3]["mentors"][0]
    assert tanaka["mentor"] == "sato-haruki"
    assert tanaka["reasons"][:3] == [
        "shares open-source, rust and developer-tools",
        "speaks Japanese",
        "same time zone ±2 h",
    ]
    assert {"mentee": "tanaka-yui", "mentor": "sato-haruki"} in data["assignment"]
    assert all(set(a) == {"mentee", "mentor"} for a in data["assignment"])


def test_match_one_mentee_and_markdown_is_escaped(tmp_path: Path) -> None:
    hostile = SEEKING.replace(
        "name: Cy Quiet", "name: '@org/team <img src=x> [x](https://e.vil)'"
    ).replace("Saturdays at dawn", "'# Sundays, see #12 <b>'")
    root = make_community(tmp_path, {"content/mentees/cy-quiet.yaml": hostile})
    result = run("match", str(root), "--mentee", "cy-quiet")
    assert result.exit_code == 0, result.output
    assert "@&#8203;org/team \\<img src=x\\> \\[x\\](https\\://e.vil)" in result.output
    assert "| Ana Lima (`ana-lima`) | 3 | shares html; 1 of 1 place free |" not in result.output
    assert "| Ana Lima (`ana-lima`) | 3 | shares html |" in result.output
    assert "| @&#8203;org" in result.output  # the assignment table names the mentee, escaped
    assert (
        "Seeks: html, zebra-taming; Portuguese (Brazil); time zone Pacific/Chatham; "
        "\\# Sundays, see \\#&#8203;12 \\<b\\>; every two weeks\n"
    ) in result.output


def test_full_mentor_is_neither_suggested_nor_assigned(tmp_path: Path) -> None:
    changes = edit(MENTOR, "availability: open", "availability: open\ncapacity: 1")
    changes["content/mentees/cy-quiet.yaml"] = SEEKING
    data = json.loads(
        run("match", str(make_community(tmp_path, changes)), "--format", "json").output
    )
    assert data == {"suggestions": [{"mentee": "cy-quiet", "mentors": []}], "assignment": []}


def test_unknown_mentee_is_a_usage_error_with_did_you_mean() -> None:
    result = run("match", str(ROOT), "--mentee", "kwame-mensa")
    assert result.exit_code == 2
    assert "no mentee 'kwame-mensa' (did you mean 'kwame-mensah'?)" in result.output


def test_invalid_content_is_reported_not_matched(tmp_path: Path) -> None:
    root = make_community(tmp_path, edit(MENTOR, "availability: open", "capacity: lots"))
    result = run("match", str(root))
    assert result.exit_code == 1
    assert f"{MENTOR}:" in result.output and "fix them first" in result.output


# ---------------------------------------------------------------- consent


def test_nothing_of_a_waiting_mentee_reaches_the_site(tmp_path: Path) -> None:
    root = make_community(tmp_path, {"content/mentees/cy-quiet.yaml": SEEKING})
    assert "cy-quiet" in run("match", str(root)).output  # the organiser sees them
    out = tmp_path / "_site"
    result = run("build", str(root), "--out", str(out))
    assert result.exit_code == 0, result.output
    for file in out.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            for secret in (b"cy-quiet", b"Cy Quiet", b"zebra-taming", b"Chatham", b"at dawn"):
                assert secret not in data, (file, secret)


def test_a_mentor_without_a_public_page_is_matched_for_organisers_only(tmp_path: Path) -> None:
    hidden = "name: Max Hidden\nskills: [html, zebra-taming]\ntimezone: Pacific/Chatham\n"
    hidden += "capacity: 2\nconsent:\n  public: false\n"
    root = make_community(
        tmp_path,
        {"content/mentees/cy-quiet.yaml": SEEKING, "content/mentors/max-hidden.yaml": hidden},
    )
    data = json.loads(run("match", str(root), "--format", "json").output)
    best = data["suggestions"][0]["mentors"][0]
    assert best["mentor"] == "max-hidden"
    assert best["reasons"] == [
        "shares html and zebra-taming",
        "same time zone ±2 h",
        "2 of 2 places free",
    ]
    assert data["assignment"] == [{"mentee": "cy-quiet", "mentor": "max-hidden"}]
    out = tmp_path / "_site"
    assert run("build", str(root), "--out", str(out)).exit_code == 0
    assert not (out / "match" / "zebra-taming").exists()
    for file in out.rglob("*"):
        if file.is_file():
            for secret in (b"max-hidden", b"Max Hidden", b"zebra-taming"):
                assert secret not in file.read_bytes(), (file, secret)
