"""Intake through GitHub issue forms: `menteo intake` turns what GitHub renders for a submitted
form into a content file that `menteo check` accepts, or a Markdown comment listing problems.

Issue bodies are written by anyone with a GitHub account, so most tests here are attacks through
the real CLI: path traversal in handles and thread names, invisible characters, email
addresses, names without consent, huge bodies, edited headings, Markdown in the comment.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from factory import COMMUNITY, KICKOFF, MENTEE, MENTOR, THREAD, THREAD_FILE, edit, make_community
from factory import FEEDBACK as FEEDBACK_FILE
from menteo.cli import main
from menteo.errors import ContentError
from menteo.intake import FORMS, FORMS_DIR, MAX_BODY, form_fields, parse_form

REPO = Path(__file__).parent.parent
PUBLIC = "List me publicly on the site, with a page showing my name"


def render(form: str, values: dict[str, str | list[str]], newline: str = "\n") -> str:
    """What GitHub writes into the issue for a submitted form (`_No response_` when empty)."""
    parts = []
    for field in form_fields(form):
        value = values.get(field.id)
        if field.type == "checkboxes":
            ticked = value or []
            text = "\n".join(f"- [{'X' if o in ticked else ' '}] {o}" for o in field.options)
        else:
            text = str(value) if value else "_No response_"
        parts.append(f"### {field.label}\n\n{text}")
    return newline.join("\n\n".join(parts).split("\n")) + newline


REQUEST = {
    "name": "Zoe Park",
    "slug": "zoe-park",
    "skills": "css, accessibility",
    "bio": "I build small sites and want to make them accessible.",
    "languages": "en, ko",
    "availability": "UTC+9, weekday evenings",
    "cadence": "every two weeks",
    "mentor": "ana-lima",
    "consent": [PUBLIC],
}
LOG = {
    "thread": "ana-lima--bo-chen",
    "role": "mentee",
    "kind": "session",
    "date": "2025-03-04",
    "title": "Styled my first page",
    "body": "We went through **flexbox**.",
    "goals": "first-page",
    "roadmap_step": "css",
}
FEEDBACK = {
    "role": "mentee",
    "thread": "ana-lima--bo-chen",
    "date": "2025-03-05",
    "rating": "4",
    "body": "Clear explanations, always on time.",
}


def run(root: Path, form: str, body: str, *args: str) -> tuple[int, str]:
    issue = root.parent / "issue.md"
    issue.write_text(body, encoding="utf-8", newline="")
    result = CliRunner().invoke(main, ["intake", form, str(issue), str(root), *args])
    return result.exit_code, result.output


def check(root: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 0, result.output


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_community(tmp_path / "c")


# ---------------------------------------------------------------- each form, as GitHub renders it


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_request_mentor_writes_a_mentee_that_check_accepts(root: Path, newline: str) -> None:
    code, output = run(root, "request-mentor", render("request-mentor", REQUEST, newline))
    assert code == 0, output
    assert output == "content/mentees/zoe-park.yaml\n"
    text = (root / "content/mentees/zoe-park.yaml").read_text(encoding="utf-8")
    assert "# Preferred mentor: ana-lima\n" in text
    assert "\r" not in text
    check(root)
    from menteo.content.loader import load_community

    community = load_community(root)
    mentee = community.mentees["zoe-park"]
    assert mentee.public and mentee.model.skills == ["css", "accessibility"]
    assert mentee.model.languages == ["en", "ko"]
    # What matching needs goes where `menteo match` reads it, and the request is now waiting.
    seeking = mentee.model.seeking
    assert seeking is not None
    assert (seeking.timezone, seeking.availability, seeking.cadence) == (
        "UTC+9",
        "UTC+9, weekday evenings",
        "every two weeks",
    )
    from menteo.program.matching import waiting_mentees

    assert "zoe-park" in waiting_mentees(community)


def test_request_without_consent_and_optional_fields(root: Path) -> None:
    values = {**REQUEST, "consent": [], "bio": "", "availability": "", "cadence": "", "mentor": ""}
    code, output = run(
        root, "request-mentor", render("request-mentor", values), "--issue-author", "zoe-p"
    )
    assert code == 0, output
    text = (root / "content/mentees/zoe-park.yaml").read_text(encoding="utf-8")
    assert "public: false" in text and "bio" not in text and "Preferred" not in text
    assert "seeking" not in text
    assert "github: https://github.com/zoe-p" in text
    check(root)


def test_log_entry_writes_an_entry_that_check_accepts(root: Path) -> None:
    code, output = run(root, "log-entry", render("log-entry", LOG))
    assert code == 0, output
    path = f"{THREAD}/2025-03-04-styled-my-first-page.md"
    assert output == path + "\n"
    text = (root / path).read_text(encoding="utf-8")
    assert text.startswith("---\nkind: session\ndate: '2025-03-04'\nauthor: bo-chen\n")
    assert text.endswith("---\n\nWe went through **flexbox**.\n")
    check(root)


def test_a_second_entry_with_the_same_title_gets_its_own_file(root: Path) -> None:
    body = render("log-entry", {**LOG, "date": "2025-01-10", "title": "Kickoff", "goals": ""})
    assert run(root, "log-entry", body)[1] == f"{THREAD}/2025-01-10-kickoff-2.md\n"
    assert (root / KICKOFF).read_text(encoding="utf-8").count("author: ana-lima") == 1
    check(root)


def test_feedback_from_a_mentee_is_a_rated_feedback_entry(root: Path) -> None:
    code, output = run(root, "feedback", render("feedback", FEEDBACK))
    assert code == 0, output
    text = (root / output.strip()).read_text(encoding="utf-8")
    assert "kind: feedback" in text and "rating: 4" in text and "author: bo-chen" in text
    check(root)


def test_feedback_from_a_mentor_is_a_reflection_without_rating(root: Path) -> None:
    values = {**FEEDBACK, "role": "mentor", "rating": ""}
    code, output = run(root, "feedback", render("feedback", values))
    assert code == 0, output
    text = (root / output.strip()).read_text(encoding="utf-8")
    assert "kind: reflection" in text and "author: ana-lima" in text
    assert "tags:\n- feedback" in text and "rating" not in text
    check(root)


def test_ratings_are_for_mentees(root: Path) -> None:
    before = tree(root)
    code, output = run(root, "feedback", render("feedback", {**FEEDBACK, "role": "mentor"}))
    assert code == 1 and "**Rating**: is given by mentees only" in output
    code, output = run(root, "feedback", render("feedback", {**FEEDBACK, "rating": ""}))
    assert code == 1 and "**Rating**: is required from a mentee" in output
    assert tree(root) == before


def test_out_prints_the_file_and_leaves_the_community_alone(root: Path) -> None:
    before = tree(root)
    code, output = run(root, "log-entry", render("log-entry", LOG), "--out", "-")
    assert code == 0 and output.startswith("---\nkind: session\n")
    assert tree(root) == before


# ---------------------------------------------------------------- hostile issues


@pytest.mark.parametrize(
    "values",
    [
        {"slug": "../../menteo"},
        {"slug": "zoe-park\nname: x"},
        {"slug": "Zoe Park"},
        {"slug": ".github"},
    ],
)
def test_handles_cannot_name_another_path(root: Path, values: dict[str, str]) -> None:
    before = tree(root)
    code, output = run(root, "request-mentor", render("request-mentor", {**REQUEST, **values}))
    assert code == 1
    assert "**Your handle**" in output
    assert tree(root) == before


@pytest.mark.parametrize("thread", ["../../ledger", "ana-lima--nobody", "content", "."])
def test_entries_go_only_into_an_existing_thread(root: Path, thread: str) -> None:
    before = tree(root)
    code, output = run(root, "log-entry", render("log-entry", {**LOG, "thread": thread}))
    assert code == 1 and "is not a mentorship of this community" in output
    assert tree(root) == before


@pytest.mark.parametrize("date", ["2025-09-31", "../2025-01-01", "2025-1-1", "9999-01-01"])
def test_dates_are_real_and_plausible(root: Path, date: str) -> None:
    before = tree(root)
    code, output = run(root, "log-entry", render("log-entry", {**LOG, "date": date}))
    assert code == 1 and "**Date**" in output, output
    assert tree(root) == before


def test_a_bidi_character_in_a_title_is_refused(root: Path) -> None:
    before = tree(root)
    code, output = run(root, "log-entry", render("log-entry", {**LOG, "title": "Fix \u202eevil"}))
    assert code == 1 and "**Title**" in output and "U+202E" in output
    assert "\u202e" not in output
    assert tree(root) == before


def test_an_email_address_is_refused_wherever_it_is_written(root: Path) -> None:
    for form, values in [
        ("request-mentor", {**REQUEST, "bio": "Write to me at zoe@example.org"}),
        ("request-mentor", {**REQUEST, "availability": "zoe@example.org"}),
        ("log-entry", {**LOG, "body": "mail bo at bo (at) example.org or bo@example.org"}),
    ]:
        before = tree(root)
        code, output = run(root, form, render(form, values))
        assert code == 1 and "email address" in output, output
        assert tree(root) == before


def test_a_public_entry_may_not_name_a_mentee_without_consent(tmp_path: Path) -> None:
    public = edit(THREAD_FILE, "started: 2025-01-10", "started: 2025-01-10\nvisibility: public")
    root = make_community(tmp_path / "c", public)
    before = tree(root)
    body = render("log-entry", {**LOG, "role": "mentor", "body": "Bo Chen did great today."})
    code, output = run(root, "log-entry", body)
    assert code == 1 and "consent" in output, output
    assert tree(root) == before


def test_a_huge_body_is_refused_before_it_is_parsed(root: Path) -> None:
    body = render("log-entry", {**LOG, "body": "x" * MAX_BODY})
    code, output = run(root, "log-entry", body)
    assert code == 1 and "KiB" in output


def test_edited_headings_are_reported_not_guessed(root: Path) -> None:
    body = render("log-entry", LOG).replace("### Date", "### When")
    code, output = run(root, "log-entry", body)
    assert code == 1 and "**Date**: the issue has no" in output


def test_a_heading_typed_into_a_text_box_cannot_reopen_an_earlier_field(root: Path) -> None:
    body = render(
        "log-entry",
        {**LOG, "body": "notes\n\n### Mentorship\n\n../../ledger\n\n### Kind\n\noutcome"},
    )
    code, output = run(root, "log-entry", body)
    assert code == 0, output
    text = (root / output.strip()).read_text(encoding="utf-8")
    assert "kind: session" in text and "### Mentorship" in text


def test_a_dropdown_value_outside_its_options_is_refused(root: Path) -> None:
    code, output = run(root, "log-entry", render("log-entry", {**LOG, "kind": "feedback"}))
    assert code == 1 and "**Kind**: is not one of the form's choices" in output


def test_an_issue_cannot_speak_for_someone_with_a_known_profile(tmp_path: Path) -> None:
    root = make_community(
        tmp_path / "c",
        edit(MENTEE, "skills: [css]", "skills: [css]\nlinks:\n  github: https://github.com/BoChen"),
    )
    body = render("feedback", FEEDBACK)
    code, output = run(root, "feedback", body, "--issue-author", "mallory")
    assert code == 1 and "opened by @&#8203;mallory" in output, output
    code, output = run(root, "feedback", body, "--issue-author", "bochen")
    assert code == 0, output


def test_issue_author_must_be_a_github_login(root: Path) -> None:
    code, output = run(root, "log-entry", render("log-entry", LOG), "--issue-author", "a b;rm")
    assert code == 2 and "not a GitHub user name" in output


def test_a_new_mentee_cannot_take_an_existing_handle(root: Path) -> None:
    code, output = run(
        root, "request-mentor", render("request-mentor", {**REQUEST, "slug": "ana-lima"})
    )
    assert code == 1 and "is already on the site" in output
    assert (root / MENTOR).read_text(encoding="utf-8").startswith("name: Ana Lima")


def test_a_preferred_mentor_must_exist(root: Path) -> None:
    code, output = run(root, "request-mentor", render("request-mentor", {**REQUEST, "mentor": "x"}))
    assert code == 1 and "**Preferred mentor**: 'x' is not a mentor" in output


def test_the_comment_is_inert_markdown(root: Path) -> None:
    """Everything quoted from the issue is escaped: no mention, link, image, HTML or new item."""
    title = "@org/team ![x](https://evil.example/p.png) <img src=x> [l](https://e.example)\n- item"
    values = {**LOG, "thread": "@everyone-<b>", "title": title, "date": "[x](y)"}
    code, output = run(root, "log-entry", render("log-entry", values))
    assert code == 1
    for raw in ("@everyone", "<b>", "[x](y)", "<img"):
        assert raw not in output
    assert all(line == "" or not line.startswith(("#", "<")) for line in output.splitlines())


def test_a_file_that_fails_validation_leaves_no_folder_behind(tmp_path: Path) -> None:
    gone: dict[str, str | None] = {p: None for p in (MENTEE, THREAD_FILE, KICKOFF, FEEDBACK_FILE)}
    changes = {**gone, **edit(COMMUNITY, "[ana-lima, bo-chen]", "[ana-lima]")}
    root = make_community(tmp_path / "c", changes)
    assert not (root / "content" / "mentees").exists()
    before = tree(root)
    values = {**REQUEST, "name": "Zoe \u202ePark"}
    code, output = run(root, "request-mentor", render("request-mentor", values))
    assert code == 1 and "**Your name**" in output, output
    assert tree(root) == before


def test_parse_form_reads_checkboxes_and_no_response() -> None:
    values = parse_form("request-mentor", render("request-mentor", {**REQUEST, "mentor": ""}))
    assert values["mentor"] is None and values["consent"] == frozenset([PUBLIC])
    body = render("request-mentor", REQUEST).replace(f"- [X] {PUBLIC}", "- [X] something else")
    with pytest.raises(ContentError, match="checkboxes"):
        parse_form("request-mentor", body)


# ---------------------------------------------------------------- forms and workflow

SCAFFOLD = FORMS_DIR.parent.parent
WORKFLOW = SCAFFOLD / ".github" / "workflows" / "intake.yml"


def _valid(schema: str, *files: Path) -> None:
    checker = shutil.which("check-jsonschema") or str(
        Path(sys.executable).parent / "check-jsonschema"
    )
    if not Path(checker).exists():
        pytest.skip("check-jsonschema is not installed (pip install check-jsonschema)")
    result = subprocess.run(
        [checker, "--builtin-schema", schema, *map(str, files)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_forms_validate_against_githubs_issue_form_schema() -> None:
    _valid("vendor.github-issue-forms", *(FORMS_DIR / f"{form}.yml" for form in FORMS))


def test_intake_workflow_validates_against_the_workflow_schema() -> None:
    _valid("vendor.github-workflows", WORKFLOW)


def test_the_workflow_never_pastes_the_issue_into_a_script() -> None:
    import yaml

    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job = workflow["jobs"]["intake"]
    assert "GH_TOKEN" not in job["env"] and "env" not in workflow
    for step in job["steps"]:
        assert "github.event" not in step.get("run", ""), step
        if "menteo intake" in step.get("run", ""):  # the step that reads the issue holds no token
            assert "GH_TOKEN" not in step.get("env", {})
    assert workflow[True] == {"issues": {"types": ["labeled"]}}  # YAML 1.1 reads `on` as True
    assert workflow["jobs"]["intake"]["if"] == "github.event.label.name == 'intake'"


def test_the_demo_has_the_same_forms_and_its_button_points_at_one() -> None:
    for form in FORMS:
        ours = REPO / ".github" / "ISSUE_TEMPLATE" / f"{form}.yml"
        assert ours.read_bytes() == (FORMS_DIR / f"{form}.yml").read_bytes()
    assert "template=request-mentor.yml&" in (REPO / "menteo.yml").read_text(encoding="utf-8")


# ---------------------------------------------------------------- field tables and published schemas


def test_field_tables_in_the_docs_are_generated_from_the_models() -> None:
    """Regenerate with: python -m menteo.content.schema_docs --write docs/content-model.md"""
    from menteo.content.schema_docs import updated

    text = (REPO / "docs" / "content-model.md").read_text(encoding="utf-8")
    assert updated(text) == text, (
        "run python -m menteo.content.schema_docs --write docs/content-model.md"
    )


def test_a_drifted_table_is_noticed_and_rewritten(tmp_path: Path) -> None:
    from menteo.content.schema_docs import main as docs_main

    doc = tmp_path / "model.md"
    text = (REPO / "docs" / "content-model.md").read_text(encoding="utf-8")
    doc.write_text(text.replace("| `headline` |", "| `tagline` |", 1), encoding="utf-8")
    assert docs_main(["--check", str(doc)]) == 1
    assert docs_main(["--write", str(doc)]) == 0
    assert doc.read_text(encoding="utf-8") == text
    doc.write_text(text.replace("<!-- fields:badge -->", ""), encoding="utf-8")
    with pytest.raises(ValueError, match="badge"):
        docs_main(["--check", str(doc)])


def test_every_field_of_every_kind_has_a_description() -> None:
    from menteo.content.schema import KINDS, json_schema

    def undescribed(schema: dict, where: str) -> list[str]:
        missing = []
        for name, node in schema.get("properties", {}).items():
            if not node.get("description"):
                missing.append(f"{where}{name}")
        return missing

    missing = []
    for kind in KINDS:
        schema = json_schema(kind)
        missing += undescribed(schema, f"{kind}.")
        for name, node in schema.get("$defs", {}).items():
            if name in (
                "Issuer",
                "PrivacyDefaults",
                "Links",
                "Identity",
                "Consent",
                "Goal",
                "Resource",
                "Step",
                "Checkpoint",
                "Reward",
            ):
                missing += undescribed(node, f"{kind}.{name}.")
    assert missing == []


def test_schema_has_an_id_only_when_a_base_url_is_known() -> None:
    import json

    runner = CliRunner()
    plain = json.loads(runner.invoke(main, ["schema", "mentor"]).output)
    assert "$id" not in plain
    result = runner.invoke(main, ["schema", "mentor", "--base-url", "https://org.example/c"])
    located = json.loads(result.output)
    assert located["$id"] == "https://org.example/c/schemas/mentor.schema.json"
    assert located["properties"]["headline"]["description"] == "One line: role and focus."
    bad = runner.invoke(main, ["schema", "mentor", "--base-url", "javascript:alert(1)"])
    assert bad.exit_code == 2


def test_the_built_site_publishes_every_schema_at_its_id(tmp_path: Path) -> None:
    import json

    from menteo.content.schema import KINDS, schema_text

    root = make_community(tmp_path / "c")
    out = tmp_path / "site"
    result = CliRunner().invoke(
        main, ["build", str(root), "--out", str(out), "--base-url", "https://org.example/x/"]
    )
    assert result.exit_code == 0, result.output
    for kind in KINDS:
        published = out / "schemas" / f"{kind}.schema.json"
        schema = json.loads(published.read_text(encoding="utf-8"))
        assert schema["$id"] == f"https://org.example/x/schemas/{kind}.schema.json"
        assert published.read_text(encoding="utf-8") == schema_text(kind, "https://org.example/x/")


def _step(name: str) -> str:
    import yaml

    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return next(s["run"] for s in workflow["jobs"]["intake"]["steps"] if s.get("name") == name)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_workflow_steps_save_the_body_verbatim_and_run_intake(tmp_path: Path) -> None:
    """The workflow's own shell, run here: the body is data however it is written, and the
    intake step reports success with the file's path, or failure with the comment."""
    root = make_community(tmp_path / "c")
    shim = tmp_path / "bin" / "menteo"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m menteo "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    runner = tmp_path / "runner"
    runner.mkdir()
    hostile = '$(touch pwned) `touch pwned` %s %n \\x41 \'"; touch pwned; "\n'
    for body, ok in [(render("log-entry", LOG), "true"), (hostile, "false")]:
        output = runner / "output"
        env = {
            "PATH": f"{shim.parent}:/usr/bin:/bin",
            "PYTHONPATH": ":".join(sys.path),
            "RUNNER_TEMP": str(runner),
            "GITHUB_OUTPUT": str(output),
            "BODY": body,
            "FORM": "log-entry",
            "AUTHOR": "bo-chen",
        }
        for name in ("Save the issue body", "Turn the issue into a content file"):
            run_step = subprocess.run(
                ["bash", "-e", "-c", _step(name)], cwd=root, env=env, capture_output=True, text=True
            )
            assert run_step.returncode == 0, run_step.stderr
        assert (runner / "issue.md").read_text(encoding="utf-8") == body
        assert output.read_text(encoding="utf-8") == f"ok={ok}\n"
        result = (runner / "result.md").read_text(encoding="utf-8")
        if ok == "true":
            assert (root / result.splitlines()[0]).is_file()
        else:
            assert result.startswith("menteo could not turn this issue")
        output.unlink()
    assert not list(tmp_path.rglob("pwned"))
