"""Every kind of content mistake, as the contributor reads it: `path:line: field: message (hint)`.

Each test starts from the minimal valid community in `factory` and changes exactly one thing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from factory import (
    COMMUNITY,
    FEEDBACK,
    FILES,
    KICKOFF,
    MENTEE,
    MENTOR,
    ROADMAP,
    THREAD,
    THREAD_FILE,
    edit,
    make_community,
)
from menteo.content.loader import load_community
from menteo.errors import ContentError, Problem

PEOPLE_FIELDS = (
    "availability, avatar, bio, capacity, communities, consent, headline, identity, languages, "
    "links, name, pronouns, skills, timezone"
)
EMAIL = (
    "contains an email address, and plain email addresses are never published "
    "(remove it; link to a profile or contact page instead)"
)
AVATAR_HINT = (
    "(put a PNG, JPEG or WebP file of at most 1 MiB in the repository, "
    "e.g. content/mentors/avatars/ana-lima.png)"
)


def problems_of(root: Path) -> list[Problem]:
    with pytest.raises(ContentError) as caught:
        load_community(root)
    return list(caught.value.problems)


def messages(tmp_path: Path, changes: dict[str, str | None]) -> list[str]:
    """The full `str(problem)` of every problem the community with `changes` has."""
    return [str(p) for p in problems_of(make_community(tmp_path, changes))]


def test_the_factory_community_is_valid(tmp_path: Path) -> None:
    community = load_community(make_community(tmp_path))
    assert sorted(community.mentors) == ["ana-lima"]
    assert sorted(community.mentees) == ["bo-chen"]
    assert [e.slug for e in community.threads["ana-lima--bo-chen"].entries] == [
        "2025-01-10-kickoff",
        "2025-02-10-thanks",
    ]
    assert community.members == {"web-circle": ("ana-lima", "bo-chen")}


# ---------------------------------------------------------------- files and syntax


def test_missing_config(tmp_path: Path) -> None:
    assert messages(tmp_path, {"menteo.yml": None}) == [
        "menteo.yml: not found (run menteo in the community's folder or pass that folder "
        f"as DIR; looked in {tmp_path.resolve()})"
    ]


def test_invalid_yaml_syntax_reports_the_line(tmp_path: Path) -> None:
    assert messages(tmp_path, {MENTOR: "name: Ana Lima\n  headline: x\n"}) == [
        "content/mentors/ana-lima.yaml:2: invalid YAML: unexpected indentation "
        "(line it up with the fields above)"
    ]


def test_invalid_yaml_in_front_matter_counts_the_opening_line(tmp_path: Path) -> None:
    changes = edit(KICKOFF, "title: Kickoff", "title: Kickoff: part 1")
    assert messages(tmp_path, changes) == [
        f"{KICKOFF}:5: invalid YAML: a ': ' inside a value "
        '(quote the value, e.g. title: "Kick-off: goals")'
    ]


def test_yaml_list_instead_of_mapping(tmp_path: Path) -> None:
    assert messages(tmp_path, {MENTOR: "- name: Ana Lima\n"}) == [
        "content/mentors/ana-lima.yaml:1: expected a mapping of fields (write 'field: value' lines)"
    ]


def test_impossible_date(tmp_path: Path) -> None:
    changes = edit(THREAD_FILE, "started: 2025-01-10", "started: 2025-02-30")
    assert messages(tmp_path, changes) == [
        f"{THREAD_FILE}:3: started: '2025-02-30' is not a real date (write YYYY-MM-DD)"
    ]


def test_markdown_file_without_front_matter(tmp_path: Path) -> None:
    assert messages(tmp_path, {COMMUNITY: "name: Web Circle\nsummary: People.\n"}) == [
        f"{COMMUNITY}:1: missing YAML front matter (start the file with a '---' line, the fields, "
        "then another '---' line)"
    ]


def test_symlinked_content_file(tmp_path: Path) -> None:
    root = make_community(tmp_path / "repo")
    outside = tmp_path / "carla.yaml"
    outside.write_text("name: Carla\n", encoding="utf-8")
    (root / "content/mentees/carla.yaml").symlink_to(outside)
    assert [str(p) for p in problems_of(root)] == [
        "content/mentees/carla.yaml: symbolic links are not allowed (replace it with a real file)"
    ]


def test_symlinked_content_folder_leading_out_of_the_repository(tmp_path: Path) -> None:
    root = make_community(tmp_path / "repo")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "eve.yaml").write_text("name: Eve\n", encoding="utf-8")
    shutil.rmtree(root / "content/roadmaps")
    (root / "content/roadmaps").symlink_to(outside)
    problems = [str(p) for p in problems_of(root)]
    assert problems[0] == (
        "content/roadmaps: is a symbolic link (or inside one); content must live in the "
        "repository (replace the link with a real folder)"
    )
    assert not any("eve" in p for p in problems)


def test_symlinked_content_root(tmp_path: Path) -> None:
    root = make_community(tmp_path / "repo")
    shutil.move(root / "content", tmp_path / "real-content")
    (root / "content").symlink_to(tmp_path / "real-content")
    problems = [str(p) for p in problems_of(root)]
    assert (
        "content/mentors: is a symbolic link (or inside one); content must live in the "
        "repository (replace the link with a real folder)" in problems
    )


def test_file_name_that_is_not_a_slug(tmp_path: Path) -> None:
    assert messages(tmp_path, {"content/mentors/Carla_Diaz.yaml": "name: Carla Diaz\n"}) == [
        "content/mentors/Carla_Diaz.yaml: 'Carla_Diaz' is not a valid slug for a file name "
        "(rename it using lowercase letters, digits and single hyphens)"
    ]


@pytest.mark.parametrize("name", ["kickoff-notes.md", "2025-1-10-kickoff.md", "2025-01-10.md"])
def test_entry_file_name_must_be_date_and_slug(tmp_path: Path, name: str) -> None:
    assert messages(tmp_path, {f"{THREAD}/{name}": FILES[KICKOFF]}) == [
        f"{THREAD}/{name}: entry file names look like YYYY-MM-DD-short-title.md (rename the file)"
    ]


def test_person_defined_as_yaml_and_markdown(tmp_path: Path) -> None:
    changes = {"content/mentors/ana-lima.md": "---\nname: Ana Lima\n---\nAna builds web apps.\n"}
    assert messages(tmp_path, changes) == [
        "content/mentors/ana-lima.yaml: mentor 'ana-lima' is defined twice "
        "(keep one of content/mentors/ana-lima.md and content/mentors/ana-lima.yaml)"
    ]


def test_bio_in_front_matter_and_as_body(tmp_path: Path) -> None:
    changes = {
        MENTOR: None,
        "content/mentors/ana-lima.md": "---\nname: Ana Lima\nbio: Short.\n---\nLong bio.\n",
    }
    assert messages(tmp_path, changes) == [
        "content/mentors/ana-lima.md:3: bio: set twice: in the front matter and as the Markdown "
        "body (keep the text below the front matter and remove this field)"
    ]


# ---------------------------------------------------------------- fields of one file


def test_unknown_field_with_a_close_match(tmp_path: Path) -> None:
    assert messages(tmp_path, {MENTOR: FILES[MENTOR] + "headlin: Engineer\n"}) == [
        "content/mentors/ana-lima.yaml:6: headlin: unknown field (did you mean 'headline'?)"
    ]


def test_unknown_nested_field_with_a_close_match(tmp_path: Path) -> None:
    changes = {MENTOR: FILES[MENTOR] + "links:\n  githb: https://github.com/ana\n"}
    assert messages(tmp_path, changes) == [
        "content/mentors/ana-lima.yaml:7: links.githb: unknown field (did you mean 'github'?)"
    ]


def test_unknown_field_without_a_close_match_lists_the_fields(tmp_path: Path) -> None:
    assert messages(tmp_path, {MENTOR: FILES[MENTOR] + "favourite_colour: blue\n"}) == [
        "content/mentors/ana-lima.yaml:6: favourite_colour: unknown field "
        f"(allowed fields: {PEOPLE_FIELDS})"
    ]


def test_unknown_field_suggests_bio_in_a_yaml_person(tmp_path: Path) -> None:
    assert messages(tmp_path, {MENTOR: FILES[MENTOR] + "bioo: Ana.\n"}) == [
        "content/mentors/ana-lima.yaml:6: bioo: unknown field (did you mean 'bio'?)"
    ]


def test_missing_required_field(tmp_path: Path) -> None:
    assert messages(tmp_path, edit(THREAD_FILE, "started: 2025-01-10\n", "")) == [
        f"{THREAD_FILE}:1: started: required field is missing (add 'started: …')"
    ]


@pytest.mark.parametrize(("value", "shown"), [("42", "42"), ("yes", "True")])
def test_number_or_yes_where_text_is_expected(tmp_path: Path, value: str, shown: str) -> None:
    assert messages(tmp_path, edit(MENTEE, "name: Bo Chen", f"name: {value}")) == [
        f"content/mentees/bo-chen.yaml:1: name: input should be a valid string, got {shown} "
        "(write text; quote it if YAML reads it as a number, date or yes/no)"
    ]


@pytest.mark.parametrize(
    ("rel", "old", "new", "expected"),
    [
        (
            MENTOR,
            "availability: open",
            "availability: busy",
            "content/mentors/ana-lima.yaml:5: availability: 'busy' is not allowed "
            "(use one of: open, waitlist, closed)",
        ),
        (
            THREAD_FILE,
            "status: in-progress",
            "status: done",
            f"{THREAD_FILE}:9: goals[0].status: 'done' is not allowed "
            "(use one of: open, in-progress, achieved, dropped)",
        ),
        (
            KICKOFF,
            "kind: session",
            "kind: meeting",
            f"{KICKOFF}:2: kind: 'meeting' is not allowed "
            "(use one of: session, reflection, milestone, outcome, feedback)",
        ),
        (
            KICKOFF,
            "kind: session",
            "kind: outcome\noutcome: raise",
            f"{KICKOFF}:3: outcome: 'raise' is not allowed "
            "(use one of: promotion, project-shipped, skill-attained, new-role, talk-given, other)",
        ),
        (
            THREAD_FILE,
            "community: web-circle\n",
            "community: web-circle\nvisibility: secret\n",
            f"{THREAD_FILE}:6: visibility: 'secret' is not allowed "
            "(use one of: public, summary, private)",
        ),
    ],
    ids=["availability", "goal-status", "entry-kind", "outcome-type", "visibility"],
)
def test_value_not_in_the_allowed_set(
    tmp_path: Path, rel: str, old: str, new: str, expected: str
) -> None:
    assert messages(tmp_path, edit(rel, old, new)) == [expected]


def test_non_https_url_is_reported_at_its_key(tmp_path: Path) -> None:
    changes = {MENTOR: FILES[MENTOR] + "links:\n  github: http://github.com/ana\n"}
    [problem] = problems_of(make_community(tmp_path, changes))
    assert (problem.path, problem.line, problem.field, problem.hint) == (
        "content/mentors/ana-lima.yaml",
        7,
        "links.github",
        "write the full address, starting with https://",
    )


def test_non_https_url_message_names_the_url(tmp_path: Path) -> None:
    changes = {MENTOR: FILES[MENTOR] + "links:\n  github: http://github.com/ana\n"}
    assert messages(tmp_path, changes) == [
        "content/mentors/ana-lima.yaml:7: links.github: 'http://github.com/ana' is not an "
        "https:// URL (write the full address, starting with https://)"
    ]


def test_invalid_slug_in_a_list(tmp_path: Path) -> None:
    assert messages(tmp_path, edit(MENTOR, "[html, css]", "[html, Node JS]")) == [
        "content/mentors/ana-lima.yaml:4: skills[1]: 'Node JS' is not a valid slug "
        "(use lowercase letters, digits and single hyphens, e.g. platform-circle)"
    ]


@pytest.mark.parametrize(
    ("rating", "expected"),
    [("0", "0 is too small (use at least 1)"), ("6", "6 is too large (use at most 5)")],
)
def test_rating_out_of_range(tmp_path: Path, rating: str, expected: str) -> None:
    assert messages(tmp_path, edit(FEEDBACK, "rating: 5", f"rating: {rating}")) == [
        f"{FEEDBACK}:6: rating: {expected}"
    ]


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("bio", edit(MENTOR, "Ana builds accessible web apps.", "Write to ana@example.org.")),
        ("summary", {THREAD_FILE: FILES[THREAD_FILE] + "summary: Ask bo.chen@mail.example.com\n"}),
        ("body", edit(KICKOFF, "We agreed on a plan.", "Mail ana@example.org for the plan.")),
        ("name", edit(MENTEE, "name: Bo Chen", "name: bo@example.org")),
    ],
    ids=["bio", "thread-summary", "entry-body", "name"],
)
def test_email_address_in_text(tmp_path: Path, field: str, changes: dict[str, str]) -> None:
    [(rel, text)] = changes.items()
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "@" in row)
    assert messages(tmp_path, changes) == [f"{rel}:{line}: {field}: {EMAIL}"]


# ---------------------------------------------------------------- entry rules


def test_outcome_without_outcome_type(tmp_path: Path) -> None:
    assert messages(tmp_path, edit(KICKOFF, "kind: session", "kind: outcome")) == [
        f"{KICKOFF}:2: kind: an outcome entry needs 'outcome:' (add outcome: one of promotion, "
        "project-shipped, skill-attained, new-role, talk-given, other)"
    ]


def test_outcome_type_on_another_kind(tmp_path: Path) -> None:
    changes = edit(KICKOFF, "kind: session", "kind: session\noutcome: promotion")
    assert messages(tmp_path, changes) == [
        f"{KICKOFF}:3: outcome: only entries of kind outcome have an outcome "
        "(remove it, or set kind: outcome)"
    ]


def test_feedback_without_rating(tmp_path: Path) -> None:
    assert messages(tmp_path, edit(FEEDBACK, "rating: 5\n", "")) == [
        f"{FEEDBACK}:2: kind: a feedback entry needs 'rating:' "
        "(add rating: a whole number from 1 to 5)"
    ]


def test_rating_on_a_non_feedback_entry(tmp_path: Path) -> None:
    assert messages(tmp_path, edit(KICKOFF, "kind: session", "kind: session\nrating: 4")) == [
        f"{KICKOFF}:3: rating: only entries of kind feedback have a rating "
        "(remove it, or set kind: feedback)"
    ]


def test_feedback_written_by_the_mentor(tmp_path: Path) -> None:
    assert messages(tmp_path, edit(FEEDBACK, "author: bo-chen", "author: ana-lima")) == [
        f"{FEEDBACK}:4: author: feedback is written by the mentee (set author: bo-chen)"
    ]


def test_entry_author_not_in_the_thread(tmp_path: Path) -> None:
    assert messages(tmp_path, edit(KICKOFF, "author: ana-lima", "author: carla")) == [
        f"{KICKOFF}:4: author: 'carla' is not in this thread "
        "(use 'ana-lima' (mentor) or 'bo-chen' (mentee))"
    ]


def test_entry_date_differs_from_file_name(tmp_path: Path) -> None:
    assert messages(tmp_path, edit(KICKOFF, "date: 2025-01-10", "date: 2025-01-11")) == [
        f"{KICKOFF}:3: date: 2025-01-11 differs from the file name's date 2025-01-10 "
        "(fix the date or rename the file)"
    ]


def test_entry_before_the_thread_started(tmp_path: Path) -> None:
    early = f"{THREAD}/2025-01-09-prep.md"
    changes = {early: FILES[KICKOFF].replace("date: 2025-01-10", "date: 2025-01-09")}
    assert messages(tmp_path, changes) == [
        f"{early}:3: date: 2025-01-09 is before the thread started (2025-01-10) "
        "(fix the date, or the thread's started date)"
    ]


def test_ended_before_started(tmp_path: Path) -> None:
    assert messages(tmp_path, {THREAD_FILE: FILES[THREAD_FILE] + "ended: 2024-12-31\n"}) == [
        f"{THREAD_FILE}:10: ended: 2024-12-31 is before started (2025-01-10) (fix one of the dates)"
    ]


def test_unknown_goal_id(tmp_path: Path) -> None:
    assert messages(tmp_path, edit(KICKOFF, "goals: [first-page]", "goals: [first-pages]")) == [
        f"{KICKOFF}:7: goals[0]: unknown goal 'first-pages' in this thread (use one of: first-page)"
    ]


def test_duplicate_goal_ids(tmp_path: Path) -> None:
    changes = {THREAD_FILE: FILES[THREAD_FILE] + "  - id: first-page\n    title: Again\n"}
    assert messages(tmp_path, changes) == [
        f"{THREAD_FILE}:10: goals[1].id: duplicate goal id 'first-page' (give each goal its own id)"
    ]


def test_roadmap_step_on_a_thread_without_roadmap(tmp_path: Path) -> None:
    assert messages(tmp_path, edit(THREAD_FILE, "roadmap: web-basics\n", "")) == [
        f"{KICKOFF}:6: roadmap_step: this thread follows no roadmap "
        "(add roadmap: to thread.yaml or remove roadmap_step)"
    ]


def test_unknown_roadmap_step(tmp_path: Path) -> None:
    assert messages(tmp_path, edit(KICKOFF, "roadmap_step: html", "roadmap_step: js")) == [
        f"{KICKOFF}:6: roadmap_step: unknown step 'js' of roadmap 'web-basics' "
        "(use one of: html, css)"
    ]


# ---------------------------------------------------------------- roadmaps and communities


def test_duplicate_step_ids(tmp_path: Path) -> None:
    changes = {ROADMAP: FILES[ROADMAP] + "  - id: html\n    title: Again\n"}
    assert messages(tmp_path, changes) == [
        f"{ROADMAP}:9: steps[2].id: duplicate step id 'html' (give each step its own id)"
    ]


def test_checkpoint_after_unknown_step(tmp_path: Path) -> None:
    changes = {ROADMAP: FILES[ROADMAP] + "checkpoints:\n  - after: javascript\n    title: Check\n"}
    assert messages(tmp_path, changes) == [
        f"{ROADMAP}:10: checkpoints[0].after: unknown step 'javascript' (use one of: html, css)"
    ]


@pytest.mark.parametrize(
    ("member", "hint"),
    [("bo-chem", "did you mean 'bo-chen'?"), ("xavier", "use the slug of a mentor or mentee")],
)
def test_unknown_community_member(tmp_path: Path, member: str, hint: str) -> None:
    changes = edit(COMMUNITY, "[ana-lima, bo-chen]", f"[ana-lima, {member}]")
    assert messages(tmp_path, changes) == [
        f"{COMMUNITY}:4: members[1]: unknown person {member!r} ({hint})"
    ]


# ---------------------------------------------------------------- references between files


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "roadmap: web-basics",
            "roadmap: web-basic",
            "4: roadmap: unknown roadmap 'web-basic' (did you mean 'web-basics'?)",
        ),
        (
            "community: web-circle",
            "community: web-circles",
            "5: community: unknown community 'web-circles' (did you mean 'web-circle'?)",
        ),
    ],
    ids=["roadmap", "community"],
)
def test_unknown_reference_with_did_you_mean(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert messages(tmp_path, edit(THREAD_FILE, old, new)) == [f"{THREAD_FILE}:{expected}"]


def test_unknown_community_in_a_person(tmp_path: Path) -> None:
    assert messages(tmp_path, {MENTOR: FILES[MENTOR] + "communities: [web-cirle]\n"}) == [
        "content/mentors/ana-lima.yaml:6: communities[0]: unknown community 'web-cirle' "
        "(did you mean 'web-circle'?)"
    ]


def test_unknown_roadmap_without_a_close_match(tmp_path: Path) -> None:
    assert messages(tmp_path, edit(THREAD_FILE, "roadmap: web-basics", "roadmap: devops")) == [
        f"{THREAD_FILE}:4: roadmap: unknown roadmap 'devops' "
        "(add content/roadmaps/devops.yaml or fix the slug)"
    ]


def test_unknown_community_without_a_close_match_suggests_a_markdown_file(
    tmp_path: Path,
) -> None:
    changes = edit(THREAD_FILE, "community: web-circle", "community: devops")
    assert messages(tmp_path, changes) == [
        f"{THREAD_FILE}:5: community: unknown community 'devops' "
        "(add content/communities/devops.md or fix the slug)"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "mentor: ana-lima",
            "mentor: ana-lim",
            "1: mentor: unknown mentor 'ana-lim' (did you mean 'ana-lima'?)",
        ),
        (
            "mentee: bo-chen",
            "mentee: zed",
            "2: mentee: unknown mentee 'zed' (add content/mentees/zed.yaml or fix the slug)",
        ),
    ],
    ids=["mentor", "mentee"],
)
def test_unknown_person_in_a_thread(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert f"{THREAD_FILE}:{expected}" in messages(tmp_path, edit(THREAD_FILE, old, new))


def test_unknown_mentor_is_reported_once(tmp_path: Path) -> None:
    assert messages(tmp_path, edit(THREAD_FILE, "mentor: ana-lima", "mentor: ana-lim")) == [
        f"{THREAD_FILE}:1: mentor: unknown mentor 'ana-lim' (did you mean 'ana-lima'?)"
    ]


# ---------------------------------------------------------------- avatars


@pytest.mark.parametrize(
    ("avatar", "files", "message"),
    [
        ("https://example.org/ana.png", {}, "is not a path inside the repository"),
        ("../x.png", {}, "is not a path inside the repository"),
        ("/etc/ana.png", {}, "is not a path inside the repository"),
        ("content/mentors/avatars/ana-lima.png", {}, "does not exist (or is a symbolic link)"),
        (
            "content/mentors/avatars/ana-lima.gif",
            {"content/mentors/avatars/ana-lima.gif": "GIF89a"},
            "is not a PNG, JPEG or WebP image",
        ),
    ],
    ids=["remote", "outside", "absolute", "missing", "wrong-type"],
)
def test_bad_avatar(tmp_path: Path, avatar: str, files: dict[str, str], message: str) -> None:
    changes = {MENTOR: FILES[MENTOR] + f"avatar: {avatar}\n", **files}
    assert messages(tmp_path, changes) == [
        f"content/mentors/ana-lima.yaml:6: avatar: {avatar!r} {message} {AVATAR_HINT}"
    ]


def test_avatar_inside_the_repository_is_accepted(tmp_path: Path) -> None:
    changes = {
        MENTOR: FILES[MENTOR] + "avatar: content/mentors/avatars/ana-lima.png\n",
        "content/mentors/avatars/ana-lima.png": "not really a png",
    }
    community = load_community(make_community(tmp_path, changes))
    assert community.mentors["ana-lima"].model.avatar == "content/mentors/avatars/ana-lima.png"


# ---------------------------------------------------------------- all at once


def test_every_problem_in_every_file_is_reported_together_sorted(tmp_path: Path) -> None:
    changes = {
        FEEDBACK: FILES[FEEDBACK].replace("rating: 5", "rating: 9"),
        KICKOFF: FILES[KICKOFF].replace("kind: session", "kind: meeting"),
        MENTOR: "headlin: Engineer\navailability: busy\n",
        ROADMAP: FILES[ROADMAP].replace("level: beginner", "level: expert"),
    }
    problems = problems_of(make_community(tmp_path, changes))
    assert problems == sorted(problems)
    assert [str(p) for p in problems] == [
        "content/mentors/ana-lima.yaml:1: headlin: unknown field (did you mean 'headline'?)",
        "content/mentors/ana-lima.yaml:1: name: required field is missing (add 'name: …')",
        "content/mentors/ana-lima.yaml:2: availability: 'busy' is not allowed "
        "(use one of: open, waitlist, closed)",
        f"{ROADMAP}:3: level: 'expert' is not allowed "
        "(use one of: beginner, intermediate, advanced)",
        f"{KICKOFF}:2: kind: 'meeting' is not allowed "
        "(use one of: session, reflection, milestone, outcome, feedback)",
        f"{FEEDBACK}:6: rating: 9 is too large (use at most 5)",
    ]


def test_problem_format_omits_empty_line_and_field() -> None:
    assert str(Problem("a.yaml", 3, "name", "bad", "fix it")) == "a.yaml:3: name: bad (fix it)"
    assert str(Problem("a.yaml", 0, "", "bad")) == "a.yaml: bad"
    error = ContentError(
        [Problem("b", 2, "", "y"), Problem("a", 1, "", "x"), Problem("b", 2, "", "y")]
    )
    assert [str(p) for p in error.problems] == ["a:1: x", "b:2: y"]
    assert str(error) == "a:1: x\nb:2: y"
