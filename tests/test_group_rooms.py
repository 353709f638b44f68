"""Group rooms: a thread with several mentees (or co-mentors), each mentee with their own consent.

Validation through the real CLI, counting per measure, consent per mentee in every output file,
the evidence text of credentials, and pairs written either way giving the same site.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from click.testing import CliRunner

from factory import FILES, THREAD_FILE, make_community
from menteo.cli import main
from menteo.content.loader import load_community
from menteo.content.models import Audience
from menteo.recognition.evaluate import evaluate

ROOM = "content/threads/ana-lima--web-circle"
ROOM_FILE = f"{ROOM}/thread.yaml"
HIDDEN = {"quinn-zabrowski": "Quinn Zabrowski", "rue-oyelaran": "Rue Oyelaran"}


def _entry(kind: str, date: str, author: str, title: str, extra: str = "", body: str = "") -> str:
    return (
        f"---\nkind: {kind}\ndate: {date}\nauthor: {author}\ntitle: {title}\n{extra}---\n"
        f"{body or 'We worked on it.'}\n"
    )


def room_files(**changes: str | None) -> dict[str, str | None]:
    """The factory community plus a public room of Ana with Bo (public), Cy (public) and two
    mentees who have not consented: sessions, a reflection by Cy, feedback from Cy and from
    one of the non-consenting mentees, a room goal and one of Cy's own."""
    files: dict[str, str | None] = {
        "content/mentees/bo-chen.yaml": "name: Bo Chen\nconsent: {public: true}\n",
        "content/mentees/cy-dahl.yaml": "name: Cy Dahl\nconsent: {public: true, share_outcomes: true}\n",
        **{f"content/mentees/{slug}.yaml": f"name: {name}\n" for slug, name in HIDDEN.items()},
        ROOM_FILE: (
            "mentor: ana-lima\n"
            "mentees: [bo-chen, cy-dahl, quinn-zabrowski, rue-oyelaran]\n"
            "started: 2025-03-01\n"
            "roadmap: web-basics\n"
            "visibility: public\n"
            "goals:\n"
            "  - {id: ship-site, title: Ship the circle's site, status: achieved}\n"
            "  - {id: cy-talk, title: Give a talk, status: achieved, mentee: cy-dahl}\n"
        ),
        f"{ROOM}/2025-03-01-start.md": _entry(
            "session", "2025-03-01", "ana-lima", "Start", "roadmap_step: html\n"
        ),
        f"{ROOM}/2025-03-15-second.md": _entry(
            "session", "2025-03-15", "quinn-zabrowski", "Second", "goals: [ship-site]\n"
        ),
        f"{ROOM}/2025-03-20-cy-thinks.md": _entry(
            "reflection",
            "2025-03-20",
            "cy-dahl",
            "Thinking",
            "roadmap_step: css\ngoals: [cy-talk]\n",
        ),
        f"{ROOM}/2025-04-01-cy-feedback.md": _entry(
            "feedback", "2025-04-01", "cy-dahl", "Good circle", "rating: 5\n"
        ),
        f"{ROOM}/2025-04-02-feedback.md": _entry(
            "feedback", "2025-04-02", "quinn-zabrowski", "Helpful", "rating: 4\n"
        ),
    }
    files.update(changes)
    return files


def check_json(root: Path) -> list[str]:
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json"])
    problems = json.loads(result.output)["problems"]
    return [
        f"{p['path']}:{p['line']}: {p['field']}: {p['message']} ({p['hint']})" for p in problems
    ]


# ------------------------------------------------------------------ validation


def test_every_room_mistake_is_reported_at_once_through_the_cli(tmp_path: Path) -> None:
    broken = room_files(
        **{
            ROOM_FILE: (
                "mentor: ana-lima\n"
                "mentors: [ana-lima]\n"
                "mentees: [bo-chen, cy-dahl, bo-chen, nobody-here, ana-lima]\n"
                "started: 2025-03-01\n"
                "goals:\n"
                "  - {id: g, title: A goal, mentee: quinn-zabrowski}\n"
            ),
            f"{ROOM}/2025-03-01-start.md": _entry("session", "2025-03-01", "rue-oyelaran", "Start"),
            f"{ROOM}/2025-03-15-second.md": _entry(
                "outcome", "2025-03-15", "ana-lima", "Shipped", "outcome: project-shipped\n"
            ),
            f"{ROOM}/2025-03-20-cy-thinks.md": None,
            f"{ROOM}/2025-04-01-cy-feedback.md": _entry(
                "feedback", "2025-04-01", "ana-lima", "Good", "rating: 5\n"
            ),
            f"{ROOM}/2025-04-02-feedback.md": None,
            "content/threads/room-without-mentor/thread.yaml": (
                "mentees: []\nstarted: 2025-03-01\n"
            ),
        }
    )
    result = CliRunner().invoke(main, ["check", str(make_community(tmp_path, broken))])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert sorted(check_json(tmp_path)) == sorted(
        [
            f"{ROOM_FILE}:2: mentors: both mentor: and mentors: are set (keep one: mentor: for one person, mentors: [...] for a group room)",
            f"{ROOM_FILE}:3: mentees[2]: 'bo-chen' is named again (name each person once in a room)",
            f"{ROOM_FILE}:3: mentees[3]: unknown mentee 'nobody-here' (add content/mentees/nobody-here.yaml or fix the slug)",
            f"{ROOM_FILE}:3: mentees[4]: unknown mentee 'ana-lima' (add content/mentees/ana-lima.yaml or fix the slug)",
            "content/threads/room-without-mentor/thread.yaml:1: mentor: is missing (add mentor: <slug> (or mentors: [...] for a group room))",
            "content/threads/room-without-mentor/thread.yaml:1: mentees: is empty (name at least one mentee)",
        ]
    ), "an unknown person stops the entry checks (they would all repeat it)"
    fixed = broken | {
        ROOM_FILE: (
            "mentors: [ana-lima]\n"
            "mentees: [bo-chen, cy-dahl]\n"
            "started: 2025-03-01\n"
            "goals:\n"
            "  - {id: g, title: A goal, mentee: quinn-zabrowski}\n"
        ),
        "content/threads/room-without-mentor/thread.yaml": None,
    }
    root = tmp_path / "second"
    root.mkdir()
    make_community(root, fixed)
    assert sorted(check_json(root)) == sorted(
        [
            f"{ROOM_FILE}:5: goals[0].mentee: 'quinn-zabrowski' is not a mentee of this room (use one of: bo-chen, cy-dahl)",
            f"{ROOM}/2025-03-01-start.md:4: author: 'rue-oyelaran' is not in this thread (use 'ana-lima' (mentor), 'bo-chen' (mentee) or 'cy-dahl' (mentee))",
            f"{ROOM}/2025-03-15-second.md:4: author: in a room of several mentees, an outcome is written by the mentee it belongs to (set author: one of bo-chen, cy-dahl)",
            f"{ROOM}/2025-04-01-cy-feedback.md:4: author: feedback is written by the mentee (set author: the mentee it comes from, one of bo-chen, cy-dahl)",
        ]
    )


def test_a_room_folder_starts_with_one_of_its_mentors(tmp_path: Path) -> None:
    files = room_files()
    moved = {
        (rel.replace(ROOM, "content/threads/web-circle") if rel.startswith(ROOM) else rel): text
        for rel, text in files.items()
    }
    assert check_json(make_community(tmp_path, moved)) == [
        "content/threads/web-circle/thread.yaml:0: : a group room's folder 'web-circle' does not "
        "start with one of its mentors (rename the folder ana-lima--<room-name>, e.g. "
        "ana-lima--circle)"
    ]


def test_a_pair_written_as_one_item_lists_builds_the_same_site(tmp_path: Path) -> None:
    """One-to-one files keep working unchanged; the list form of a pair is the same pair."""
    pair, lists = tmp_path / "pair", tmp_path / "lists"
    make_community(pair)
    text = FILES[THREAD_FILE].replace("mentor: ana-lima", "mentors: [ana-lima]")
    make_community(lists, {THREAD_FILE: text.replace("mentee: bo-chen", "mentees: [bo-chen]")})
    for root in (pair, lists):
        result = CliRunner().invoke(main, ["build", str(root), "--out", str(root / "_site")])
        assert result.exit_code == 0, result.output
    built, other = (
        {
            p.relative_to(r / "_site"): p.read_bytes()
            for p in (r / "_site").rglob("*")
            if p.is_file()
        }
        for r in (pair, lists)
    )
    assert built.keys() == other.keys()
    pages = [
        p for p in built if p.suffix in (".html", ".xml", ".json") and "pagefind" not in str(p)
    ]
    assert pages and all(built[p] == other[p] for p in pages)


# ------------------------------------------------------------------ counting


def _badge(slug: str, audience: str, rule: str) -> dict[str, str | None]:
    return {
        f"badges/{slug}.yaml": (
            f"name: {slug}\ndescription: A test badge.\naudience: {audience}\ncriteria:\n  {rule}\n"
        )
    }


def _measure(tmp_path: Path, audience: str, rule: str) -> dict[str, str]:
    """The measured value of `rule` for every person of `audience`."""
    root = make_community(tmp_path, room_files(**_badge("t", audience, rule)))
    results = evaluate(load_community(root))
    role = Audience(audience)
    people = load_community(root).people(audience)
    return {slug: results.of(role, slug)["t"].rules[0].value for slug in people}


def test_a_session_in_a_room_counts_once_for_the_mentor_and_once_for_each_mentee(
    tmp_path: Path,
) -> None:
    mentees = _measure(tmp_path / "a", "mentee", "sessions: {min: 1}")
    # bo-chen also has the factory's one-to-one kickoff session with ana-lima
    assert mentees == {
        "bo-chen": "3 sessions",
        "cy-dahl": "2 sessions",
        "quinn-zabrowski": "2 sessions",
        "rue-oyelaran": "2 sessions",
    }
    assert _measure(tmp_path / "b", "mentor", "sessions: {min: 1}") == {"ana-lima": "3 sessions"}


def test_distinct_mentees_counts_each_mentee_of_a_room(tmp_path: Path) -> None:
    assert _measure(tmp_path / "a", "mentor", "mentees: {min: 1, with_sessions: 2}") == {
        "ana-lima": "4 mentees"
    }
    assert _measure(tmp_path / "b", "mentee", "mentors: {min: 1, with_sessions: 2}")[
        "rue-oyelaran"
    ] == ("1 mentor")


def test_what_one_mentee_writes_counts_for_them_and_the_mentor_only(tmp_path: Path) -> None:
    rule = "entries: {kinds: [reflection], min: 1}"
    assert _measure(tmp_path / "a", "mentee", rule) == {
        "bo-chen": "0 reflections",
        "cy-dahl": "1 reflection",
        "quinn-zabrowski": "0 reflections",
        "rue-oyelaran": "0 reflections",
    }
    assert _measure(tmp_path / "b", "mentor", rule) == {"ana-lima": "1 reflection"}
    feedback = "feedback_responses: {min: 1}"
    assert _measure(tmp_path / "c", "mentor", feedback) == {"ana-lima": "3 feedback responses"}
    assert _measure(tmp_path / "d", "mentee", feedback)["cy-dahl"] == "1 feedback response"
    assert _measure(tmp_path / "e", "mentee", feedback)["rue-oyelaran"] == "0 feedback responses"


def test_room_goals_count_for_everyone_and_a_mentee_goal_for_that_mentee(tmp_path: Path) -> None:
    goals = _measure(tmp_path / "a", "mentee", "goals_achieved: {min: 1}")
    assert goals == {
        "bo-chen": "1 goal",
        "cy-dahl": "2 goals",
        "quinn-zabrowski": "1 goal",
        "rue-oyelaran": "1 goal",
    }
    assert _measure(tmp_path / "b", "mentor", "goals_achieved: {min: 1}") == {"ana-lima": "2 goals"}


def test_roadmap_steps_count_per_mentee_of_a_room(tmp_path: Path) -> None:
    """The room's session reached step 1 for all four; Cy's own reflection reached step 2 for
    Cy; the mentor guided 4 + 1 steps in the room, plus Bo's one-to-one step."""
    steps = _measure(tmp_path / "a", "mentee", "roadmap_steps: {min: 1}")
    assert steps == {
        "bo-chen": "1 roadmap step",
        "cy-dahl": "2 roadmap steps",
        "quinn-zabrowski": "1 roadmap step",
        "rue-oyelaran": "1 roadmap step",
    }
    assert _measure(tmp_path / "b", "mentor", "roadmap_steps: {min: 1}") == {
        "ana-lima": "5 roadmap steps"
    }


def test_author_option_means_this_person_or_the_other_side_of_the_room(tmp_path: Path) -> None:
    mine = _measure(tmp_path / "a", "mentee", "sessions: {min: 1, author: mentee}")
    assert mine["quinn-zabrowski"] == "1 session" and mine["cy-dahl"] == "0 sessions"
    mentors = _measure(tmp_path / "b", "mentee", "sessions: {min: 1, author: mentor}")
    assert mentors["cy-dahl"] == "1 session"


# ------------------------------------------------------------------ consent and evidence


def _built(tmp_path: Path, **changes: str | None) -> Path:
    root = make_community(tmp_path, room_files(**changes))
    award = CliRunner().invoke(main, ["award", str(root)])
    assert award.exit_code == 0, award.output
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(root / "_site")])
    assert result.exit_code == 0, result.output
    return root / "_site"


def test_no_output_file_names_a_non_consenting_mentee_of_a_room(tmp_path: Path) -> None:
    site = _built(
        tmp_path,
        **_badge("circle-member", "mentee", "sessions: {min: 2}"),
        **_badge("guide", "mentor", "mentees: {min: 3, with_sessions: 2}"),
    )
    files = [p for p in site.rglob("*") if p.is_file()]
    assert len(files) > 20
    fragments = [p for p in files if p.suffix in (".pf_fragment", ".pf_index", ".pf_meta")]
    assert fragments, "the search index is checked too, decompressed"
    for path in files:
        data = path.read_bytes()
        data = (gzip.decompress(data) if path in fragments else data).lower()
        for slug, name in HIDDEN.items():
            for word in (slug, name, name.split()[1], slug.replace("-", "_")):
                assert word.lower().encode() not in data, (path, word)
            assert slug.encode() not in str(path).encode()
    rooms = [p for p in (site / "threads").iterdir() if p.name.startswith("t-")]
    assert len(rooms) == 1, "the room has people without consent: its URL is opaque"
    page = (rooms[0] / "index.html").read_text()
    assert "Ana Lima &amp; 4 mentees" in page
    assert (
        '<dt>Mentees</dt><dd><a href="/circle/mentees/bo-chen/" dir="auto">Bo Chen</a>, '
        '<a href="/circle/mentees/cy-dahl/" dir="auto">Cy Dahl</a>, '
        '<span class="anon">a mentee</span>, <span class="anon">a mentee</span></dd>'
    ) in page
    assert 'Give a talk</span> · for <a href="/circle/mentees/cy-dahl/"' in page
    # the two feedback entries' authors: one named, one neutral, nothing else told apart
    assert page.count('<span class="anon">a mentee</span>') >= 3


def test_two_non_consenting_mentees_cannot_be_told_apart(tmp_path: Path) -> None:
    """Swapping who wrote what between the two changes no byte of the room's pages."""
    first = _built(tmp_path / "a")
    swapped = _built(
        tmp_path / "b",
        **{
            f"{ROOM}/2025-03-15-second.md": _entry(
                "session", "2025-03-15", "rue-oyelaran", "Second", "goals: [ship-site]\n"
            ),
            f"{ROOM}/2025-04-02-feedback.md": _entry(
                "feedback", "2025-04-02", "rue-oyelaran", "Helpful", "rating: 4\n"
            ),
        },
    )
    for page in first.rglob("*.html"):
        assert page.read_bytes() == (swapped / page.relative_to(first)).read_bytes(), page


def test_prose_naming_a_non_consenting_mentee_of_a_room_is_an_error(tmp_path: Path) -> None:
    root = make_community(
        tmp_path,
        room_files(
            **{
                f"{ROOM}/2025-03-20-cy-thinks.md": _entry(
                    "reflection",
                    "2025-03-20",
                    "cy-dahl",
                    "Thinking",
                    body="Rue Oyelaran helped me.",
                )
            }
        ),
    )
    assert check_json(root) == [
        f"{ROOM}/2025-03-20-cy-thinks.md:7: body: names mentee 'rue-oyelaran', who has not "
        "consented to publication (write 'my mentee' (or 'a mentor'), or ask them to consent)"
    ]


def test_credential_evidence_says_how_much_came_from_a_group_room(tmp_path: Path) -> None:
    site = _built(
        tmp_path,
        **_badge("guide", "mentor", "all:\n    - sessions: {min: 3}\n    - mentees: {min: 2}"),
        **_badge("regular", "mentee", "sessions: {min: 2}"),
        **_badge("thinker", "mentee", "entries: {kinds: [reflection], min: 1}"),
    )
    credentials = [
        json.loads(p.read_text())
        for p in (site / "ob3").rglob("*.json")
        if "OpenBadgeCredential" in p.read_text()
    ]
    narratives = [
        e.get("narrative", "") for c in credentials for e in c.get("evidence", []) if "name" in e
    ]
    room = "from a group room of 1 mentor and 4 mentees."
    assert f"Of the 3 entries counted toward this award, 2 are {room}" in narratives
    assert f"All 2 entries counted toward this award are {room}" in narratives
    assert f"The entry counted toward this award is {room}" in narratives
    assert f"Of the 2 entries counted toward this award, 1 is {room}" in narratives  # Bo
    # Ana's guide, Bo's and Cy's regular, Cy's thinker: mentees without consent get none
    assert len(credentials) == 4
    pages = "".join(p.read_text() for p in (site / "awards").glob("*/index.html"))
    assert "2 are from a group room of 1 mentor and 4 mentees" in pages


def test_report_lists_each_mentee_of_a_room_without_naming_those_without_consent(
    tmp_path: Path,
) -> None:
    """Feedback is each mentee's: the two who gave none are due, the two who did are not;
    sessions are shared, so every mentee of a quiet room needs a check-in."""
    root = make_community(tmp_path, room_files())
    result = CliRunner().invoke(
        main, ["report", str(root), "--as-of", "2025-06-15", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    room = [p for p in report["feedback_due"] if p["thread"].startswith("t-")]
    assert [(p["mentor"], p["mentee"], p["days"]) for p in room] == [
        ("Ana Lima", "Bo Chen", 106),
        ("Ana Lima", "a mentee", 106),
    ]
    in_room = [p["mentee"] for p in report["check_in"] if p["thread"].startswith("t-")]
    assert sorted(in_room) == ["Bo Chen", "Cy Dahl", "a mentee", "a mentee"]
    assert report["active_pairs"] == 5, "the factory's pair and each mentee of the room"
    for slug, name in HIDDEN.items():
        assert slug not in result.output and name not in result.output


def test_new_entry_in_a_room_names_its_author(tmp_path: Path) -> None:
    root = make_community(tmp_path, room_files())
    base = ["new", "entry", str(root), "--thread", "ana-lima--web-circle", "--title", "Pairing"]
    ambiguous = CliRunner().invoke(main, [*base, "--kind", "session"])
    assert ambiguous.exit_code == 2
    assert (
        "content/threads/ana-lima--web-circle/thread.yaml is a group room: pass --author with "
        "one of ana-lima, bo-chen, cy-dahl, quinn-zabrowski, rue-oyelaran"
    ) in ambiguous.output
    wrong = CliRunner().invoke(
        main, [*base, "--kind", "feedback", "--rating", "4", "--author", "ana-lima"]
    )
    assert (
        wrong.exit_code == 2
        and "feedback is written by a mentee; use one of bo-chen" in wrong.output
    )
    stranger = CliRunner().invoke(main, [*base, "--kind", "session", "--author", "someone"])
    assert stranger.exit_code == 2 and "'someone' is not in this thread" in stranger.output
    written = CliRunner().invoke(main, [*base, "--kind", "reflection", "--author", "cy-dahl"])
    assert written.exit_code == 0, written.output
    (entry,) = (root / ROOM).glob("*-pairing.md")
    assert "author: cy-dahl" in entry.read_text()
    single = CliRunner().invoke(
        main,
        [
            "new",
            "entry",
            str(root),
            "--thread",
            "ana-lima--web-circle",
            "--title",
            "Plan",
            "--kind",
            "session",
            "--author",
            "mentor",
        ],
    )
    assert single.exit_code == 0, "one mentor: the role is enough"


def test_intake_in_a_room_writes_the_entry_as_the_member_who_opened_the_issue(
    tmp_path: Path,
) -> None:
    from test_intake import LOG, render

    root = tmp_path / "site"
    github = "links:\n  github: https://github.com/cydahl\n"
    make_community(
        root,
        room_files(
            **{
                "content/mentees/cy-dahl.yaml": f"name: Cy Dahl\nconsent: {{public: true}}\n{github}",
                "content/mentees/bo-chen.yaml": (
                    "name: Bo Chen\nconsent: {public: true}\n"
                    "links:\n  github: https://github.com/bochen\n"
                ),
            }
        ),
    )
    values = {**LOG, "thread": "ana-lima--web-circle", "goals": "", "roadmap_step": ""}
    issue = tmp_path / "issue.md"
    issue.write_text(render("log-entry", values), encoding="utf-8")

    def intake(login: str) -> tuple[int, str]:
        args = ["intake", "log-entry", str(issue), str(root), "--issue-author", login]
        result = CliRunner().invoke(main, [*args, "--out", "-"])
        return result.exit_code, result.output

    code, output = intake("CyDahl")
    assert code == 0, output
    assert "author: cy-dahl" in output
    code, output = intake("mallory")
    assert code == 1
    assert "'ana-lima--web-circle' is a group room with several mentees" in output


def test_the_thread_schema_wants_exactly_one_form_of_each_side() -> None:
    from jsonschema import Draft202012Validator

    from menteo.content.schema import json_schema

    validator = Draft202012Validator(json_schema("thread"))
    base = {"started": "2025-01-01"}
    valid = [
        {**base, "mentor": "a", "mentee": "b"},
        {**base, "mentors": ["a", "c"], "mentees": ["b", "d"]},
    ]
    invalid = [
        {**base, "mentor": "a"},
        {**base, "mentor": "a", "mentors": ["a"], "mentee": "b"},
        {**base, "mentor": "a", "mentees": ["b", "B!"]},
    ]
    assert [list(validator.iter_errors(d)) for d in valid] == [[], []]
    assert all(list(validator.iter_errors(d)) for d in invalid)


def test_new_thread_starts_a_group_room_that_check_accepts(tmp_path: Path) -> None:
    root = make_community(tmp_path, room_files())
    base = ["new", "thread", str(root), "--mentor", "ana-lima", "--mentee", "bo-chen, cy-dahl"]
    unnamed = CliRunner().invoke(main, base)
    assert unnamed.exit_code == 2
    assert "a group room's folder is ana-lima--<room-name>" in unnamed.output
    twice = CliRunner().invoke(main, [*base[:-1], "bo-chen,bo-chen", "--slug", "ana-lima--x"])
    assert twice.exit_code == 2 and "name each mentee once" in twice.output
    made = CliRunner().invoke(main, [*base, "--slug", "ana-lima--pairing-hour"])
    assert made.exit_code == 0, made.output
    text = (root / "content/threads/ana-lima--pairing-hour/thread.yaml").read_text()
    assert "mentees:\n- bo-chen\n- cy-dahl\n" in text and "mentee:" not in text
    assert check_json(root) == []
