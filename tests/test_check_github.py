"""`menteo check` for machines: GitHub Actions annotations and step summary (golden files) and
the JSON document.

Regenerate the golden files after an intended change with
`MENTEO_UPDATE_GOLDEN=1 /tmp/venv/bin/python -m pytest tests/test_check_github.py`, then review
the diff.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from factory import MENTOR, edit, make_community
from menteo.cli import main
from menteo.errors import Problem
from menteo.reporters import GithubReporter
from test_ledger import (
    BADGES,
    EPOCH,
    GRATEFUL_ID,
    LINES,
    STARTER,
    STARTER_ID,
    uuid5_urn,
    write_ledger,
)

GOLDEN = Path(__file__).parent / "golden" / "check-github"
UPDATE = os.environ.get("MENTEO_UPDATE_GOLDEN") == "1"
THANKED = """\
name: "100% Thanked, truly: yes"
audience: mentor
description: A mentee said thank you.
criteria:
  feedback_responses: {min: 1}
"""
THANKED_ID = uuid5_urn("thanked", "ana-lima", "2025-02-10")


def pending_community(root: Path) -> Path:
    """Two pending awards (one with a name that needs escaping) and one recorded award that no
    longer meets its badge's raised threshold."""
    root = make_community(
        root,
        {
            **BADGES,
            "badges/starter.yaml": STARTER.replace("{min: 1}", "{min: 2}"),
            "badges/thanked.yaml": THANKED,
        },
    )
    write_ledger(root, LINES[:1])
    return root


def problem_community(root: Path) -> Path:
    """Content problems whose file names and messages need escaping."""
    root = make_community(
        root,
        {
            **BADGES,
            **edit(MENTOR, "availability: open", 'availability: "100%, always"'),
            "content/mentees/bo-chen.yaml": "name: Bo Chen\nskils: [css]\n",
            "content/mentors/a,b|c.yaml": "name: X\n",
        },
    )
    write_ledger(root, LINES)
    return root


def check_github(root: Path, tmp_path: Path) -> tuple[int, str, str]:
    summary = tmp_path / "step-summary.md"
    summary.write_text("", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["check", str(root), "--format", "github"],
        env={"GITHUB_STEP_SUMMARY": str(summary), "SOURCE_DATE_EPOCH": EPOCH},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout, summary.read_text(encoding="utf-8")


def golden(name: str, actual: str) -> str:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    return path.read_text(encoding="utf-8")


ANNOTATION = re.compile(
    r"^::(error|warning|notice) file=[^,:%\r\n]*(%(25|0D|0A|3A|2C)[^,:%\r\n]*)*"
    r"(,line=[1-9][0-9]*)?,title=[^,:%\r\n]*(%(25|0D|0A|3A|2C)[^,:%\r\n]*)*"
    r"::[^%\r\n]*(%(25|0D|0A)[^%\r\n]*)*$"
)


def assert_workflow_commands(stdout: str) -> None:
    """Every line is one well-formed, fully escaped workflow command."""
    assert stdout.endswith("\n")
    for line in stdout[:-1].split("\n"):
        assert ANNOTATION.match(line), line


@pytest.mark.parametrize(
    ("name", "make", "exit_code"),
    [("pending", pending_community, 0), ("problems", problem_community, 1)],
)
def test_github_format_golden(tmp_path: Path, name: str, make: object, exit_code: int) -> None:
    root = make(tmp_path / "community")  # type: ignore[operator]
    code, stdout, summary = check_github(root, tmp_path)
    assert code == exit_code
    assert_workflow_commands(stdout)
    assert stdout == golden(f"{name}.stdout.txt", stdout), (
        f"annotations changed; if intended, regenerate with MENTEO_UPDATE_GOLDEN=1 ({name})"
    )
    assert summary == golden(f"{name}.summary.md", summary), (
        f"step summary changed; if intended, regenerate with MENTEO_UPDATE_GOLDEN=1 ({name})"
    )


def test_github_format_pending_content(tmp_path: Path) -> None:
    """What the golden files must say, independently of how they were generated."""
    _, stdout, summary = check_github(pending_community(tmp_path / "c"), tmp_path)
    assert stdout.splitlines() == [
        "::warning file=ledger/awards.jsonl,line=1,title=menteo::starter for ana-lima no longer "
        "meets today's criteria (At least 2 sessions) (it stays awarded; if it was a mistake: "
        f"menteo revoke {STARTER_ID} --reason …)",
        "::notice file=content/threads/ana-lima--bo-chen/2025-02-10-thanks.md,"
        "title=Pending award::Grateful for bo-chen",
        "::notice file=content/threads/ana-lima--bo-chen/2025-02-10-thanks.md,"
        "title=Pending award::100%25 Thanked, truly: yes for ana-lima",
    ]
    assert "### 2 pending awards" in summary
    assert "| 100% Thanked, truly: yes | ana-lima (mentor) | 2025-02-10 |" in summary
    assert "- `ledger/awards.jsonl:1`: starter for ana-lima no longer meets" in summary


def test_github_format_problem_content(tmp_path: Path) -> None:
    code, stdout, summary = check_github(problem_community(tmp_path / "c"), tmp_path)
    assert code == 1
    assert stdout.splitlines() == [
        "::error file=content/mentees/bo-chen.yaml,line=2,title=menteo%3A skils::unknown field "
        "(did you mean 'skills'?)",
        "::error file=content/mentors/a%2Cb|c.yaml,title=menteo::'a,b|c' is not a valid slug for "
        "a file name (rename it using lowercase letters, digits and single hyphens)",
        "::error file=content/mentors/ana-lima.yaml,line=5,title=menteo%3A availability::"
        "'100%25, always' is not allowed (use one of: open, waitlist, closed)",
    ]
    rows = [line for line in summary.splitlines() if line.startswith("| `")]
    assert [len(re.split(r"(?<!\\)\|", row)) for row in rows] == [7, 7, 7]
    assert "| `content/mentors/a,b\\|c.yaml` |  |  | 'a,b\\|c' is not a valid slug" in summary


def test_github_summary_is_printed_outside_github_actions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    root = pending_community(tmp_path / "c")
    result = CliRunner().invoke(main, ["check", str(root), "--format", "github"])
    assert result.exit_code == 0
    annotations, _, rest = result.stdout.partition("## menteo check\n")
    assert len(annotations.splitlines()) == 3
    assert rest.startswith("\n✅ Content and ledger are valid: ")


def test_annotation_escaping() -> None:
    out = io.StringIO()
    summary = io.StringIO()
    reporter = GithubReporter(out=out, summary_path=os.devnull)
    problem = Problem("a,b:c%d.md", 3, "x:y,z", "100% bad\r\nnext: line, here", "fix: it, %0A")
    reporter.problems((problem,), "fix them")
    assert out.getvalue() == (
        "::error file=a%2Cb%3Ac%25d.md,line=3,title=menteo%3A x%3Ay%2Cz::"
        "100%25 bad%0D%0Anext: line, here (fix: it, %250A)\n"
    )
    assert summary.getvalue() == ""
    reporter.annotate("warning", Problem("ledger/awards.jsonl", 0, "", "whole file"), "menteo")
    assert out.getvalue().splitlines()[-1] == (
        "::warning file=ledger/awards.jsonl,title=menteo::whole file"
    )


def test_json_format_lists_pending_awards_and_warnings(tmp_path: Path) -> None:
    root = pending_community(tmp_path / "c")
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "ok": True,
        "problems": [],
        "counts": {
            "mentors": 1,
            "mentees": 1,
            "threads": 1,
            "entries": 2,
            "roadmaps": 1,
            "communities": 1,
            "badges": 4,
            "awards": 1,
            "revoked": 0,
        },
        "pending": [
            {
                "id": GRATEFUL_ID,
                "badge": "grateful",
                "name": "Grateful",
                "recipient": "bo-chen",
                "role": "mentee",
                "awarded": "2025-02-10",
                "reasons": ["At least 1 feedback response given: 1 feedback response"],
                "evidence": ["content/threads/ana-lima--bo-chen/2025-02-10-thanks.md"],
            },
            {
                "id": THANKED_ID,
                "badge": "thanked",
                "name": "100% Thanked, truly: yes",
                "recipient": "ana-lima",
                "role": "mentor",
                "awarded": "2025-02-10",
                "reasons": ["At least 1 feedback response from mentees: 1 feedback response"],
                "evidence": ["content/threads/ana-lima--bo-chen/2025-02-10-thanks.md"],
            },
        ],
        "warnings": [
            {
                "path": "ledger/awards.jsonl",
                "line": 1,
                "field": "",
                "message": "starter for ana-lima no longer meets today's criteria "
                "(At least 2 sessions)",
                "hint": f"it stays awarded; if it was a mistake: menteo revoke {STARTER_ID} "
                "--reason …",
            }
        ],
        "maintainer_changes": [],
    }


def test_json_format_problems(tmp_path: Path) -> None:
    root = problem_community(tmp_path / "c")
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert [(p["path"], p["line"], p["field"]) for p in document["problems"]] == [
        ("content/mentees/bo-chen.yaml", 2, "skils"),
        ("content/mentors/a,b|c.yaml", 0, ""),
        ("content/mentors/ana-lima.yaml", 5, "availability"),
    ]
