"""Pull requests cannot award, revoke unseen, rewrite the log or choose the git repository.

Each attack is run through the real CLI against a community made in tmp_path; the ledger lines
are written here by hand, from the format's definition, the way an attacker would write them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from menteo.cli import main
from menteo.credentials.checkpoint import (
    CHECKPOINT_JSON,
    extends_published,
    of_lines,
    read_checkpoint,
    signed_document,
)
from menteo.credentials.encoding import b64url_decode
from menteo.git import UsageError, git_environment, repository
from menteo.ledger.changes import maintainer_only
from menteo.ledger.records import MAX_LINE_BYTES, reason_problem
from menteo.ledger.store import MAX_LEDGER_BYTES
from test_ledger import (
    EPOCH,
    GENESIS,
    GRATEFUL_ID,
    KICKOFF,
    LINES,
    STARTER_ID,
    THANKS,
    chained,
    committed,
    community,
    git,
    index_of,
    run,
    sha,
    uuid5_urn,
    write_ledger,
)

LEDGER = "ledger/awards.jsonl"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """test_ledger's runner (a fixture cannot be imported without shadowing it)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return CliRunner()


CY = {"content/mentees/cy-dee.yaml": "name: Cy Dee\nconsent:\n  public: false\n"}
"""A mentee who meets no criterion and has not consented to publication."""


def award_fields(badge: str, recipient: str, awarded: str, evidence: list[str]) -> dict[str, Any]:
    award = uuid5_urn(badge, recipient, awarded)
    return {
        "event": "award",
        "id": award,
        "badge": badge,
        "recipient": recipient,
        "awarded": awarded,
        "recorded": "2025-06-15T15:06:40Z",
        "evidence": evidence,
        "status_index": index_of(award),
    }


def revoke_fields(award: str, reason: str) -> dict[str, Any]:
    return {"event": "revoke", "award": award, "reason": reason, "recorded": "2025-06-15T16:00:00Z"}


def based(tmp_path: Path, base: list[str]) -> Path:
    """A community in a git repository whose commit holds `base` as its ledger."""
    root = community(tmp_path, CY)
    write_ledger(root, base)
    committed(tmp_path)
    return root


# ------------------------------------------------------------------ award lines are re-derived


def test_forged_award_for_someone_who_earned_nothing_fails_against_base(
    tmp_path: Path, runner: CliRunner
) -> None:
    """A correctly chained line for Cy Dee passes the chain; compared with the base it is not
    an award `menteo award` would record, and fails at its line."""
    root = based(tmp_path, LINES)
    forged = chained(LINES, **award_fields("grateful", "cy-dee", "2025-02-10", [THANKS]))
    write_ledger(root, [*LINES, forged])
    assert run(runner, "check", root)[0] == 0
    code, output = run(runner, "check", root, "--against", "HEAD")
    assert code == 1
    assert "ledger/awards.jsonl:4: id: grateful for cy-dee is not pending on this content" in output


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("evidence", [KICKOFF], "ledger/awards.jsonl:3: evidence: is ['"),
        ("awarded", "2025-02-09", "ledger/awards.jsonl:3: awarded: is 2025-02-09; menteo award"),
        ("id", uuid5_urn("grateful", "bo-chen", "2025-02-11"), "ledger/awards.jsonl:3: id:"),
        ("status_index", 7, "ledger/awards.jsonl:3: status_index: should be"),
        ("recorded", "2031-01-01T00:00:00Z", "ledger/awards.jsonl:3: recorded: 2031-01-01"),
    ],
)
def test_award_line_differing_from_what_menteo_award_writes_fails(
    tmp_path: Path, runner: CliRunner, field: str, value: object, expected: str
) -> None:
    root = based(tmp_path, LINES[:2])
    line = json.loads(LINES[2])
    line[field] = value
    if field == "id":
        line["status_index"] = index_of(value)  # type: ignore[arg-type]
    del line["seq"], line["prev"]
    write_ledger(root, [*LINES[:2], chained(LINES[:2], **line)])
    code, output = run(runner, "check", root, "--against", "HEAD")
    assert code == 1, output
    assert expected in output


def test_award_lines_menteo_award_writes_pass_against_base(
    tmp_path: Path, runner: CliRunner
) -> None:
    root = based(tmp_path, LINES[:1])
    assert run(runner, "award", root)[0] == 0
    assert run(runner, "check", root, "--against", "HEAD") == (
        0,
        "All good: 1 mentor, 2 mentees, 1 thread, 2 entries, 1 roadmap, 1 community, 3 badges, "
        "3 awards, 0 revoked.\nNo pending awards.\n",
    )


def test_pending_award_recorded_twice_fails(tmp_path: Path, runner: CliRunner) -> None:
    root = based(tmp_path, LINES)
    twice = chained(LINES, **award_fields("grateful", "bo-chen", "2025-02-10", [THANKS]))
    write_ledger(root, [*LINES, twice])
    code, output = run(runner, "check", root, "--against", "HEAD")
    assert code == 1
    assert "ledger/awards.jsonl:4: badge: 'grateful' was already awarded to 'bo-chen'" in output


# ------------------------------------------------------------------ revocations are surfaced

REVOKES = "Revokes Starter of ana-lima (awarded 2025-01-10): Recorded by mistake"


def revoked(tmp_path: Path, runner: CliRunner) -> Path:
    root = based(tmp_path, LINES)
    assert run(runner, "revoke", STARTER_ID, root, "--reason", "Recorded by mistake")[0] == 0
    return root


def test_revocation_is_listed_for_the_reviewer_in_text(tmp_path: Path, runner: CliRunner) -> None:
    root = revoked(tmp_path, runner)
    code, output = run(runner, "check", root, "--against", "HEAD")
    assert code == 0
    assert output.endswith(
        f"\nMaintainer-only changes (1):\n  ledger/awards.jsonl:4: revoke: {REVOKES}\n"
    )


def test_revocation_is_listed_in_json(tmp_path: Path, runner: CliRunner) -> None:
    root = revoked(tmp_path, runner)
    code, output = run(runner, "check", root, "--against", "HEAD", "--format", "json")
    assert code == 0
    assert json.loads(output)["maintainer_changes"] == [
        {"path": LEDGER, "line": 4, "field": "revoke", "message": REVOKES, "hint": ""}
    ]


def test_revocation_is_a_github_warning_and_summary_section(
    tmp_path: Path, runner: CliRunner
) -> None:
    root = revoked(tmp_path, runner)
    summary = tmp_path / "summary.md"
    runner.env["GITHUB_STEP_SUMMARY"] = str(summary)
    code, output = run(runner, "check", root, "--against", "HEAD", "--format", "github")
    assert code == 0
    assert (
        "::warning file=ledger/awards.jsonl,line=4,title=Maintainer-only change%3A revoke::"
        + REVOKES
    ) in output.splitlines()
    assert summary.read_text().endswith(
        "### Maintainer-only changes (1)\n\n| File | Line | Change |\n|---|---|---|\n"
        f"| `ledger/awards.jsonl` | 4 | {REVOKES} |\n"
    )


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("Contact cy@example.org", "reason: contains an email address"),
        (
            "Cy Dee complained",
            "reason: names mentee 'cy-dee', who has not consented to publication",
        ),
        ("said so, cy-dee", "reason: names mentee 'cy-dee', who has not consented to publication"),
        (
            "A mistake\u202eesrever",
            "reason: contains the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)",
        ),
        ("A mistake\x00", "reason: contains the control character U+0000"),
    ],
)
def test_revocation_reason_is_checked_like_content(
    tmp_path: Path, runner: CliRunner, reason: str, message: str
) -> None:
    """The reason is published: check and build refuse it at its line, without --against."""
    root = community(tmp_path, CY)
    write_ledger(root, [*LINES, chained(LINES, **revoke_fields(STARTER_ID, reason))])
    for command in (["check", root], ["build", root, "--out", tmp_path / "site"]):
        code, output = run(runner, *command)
        assert code == 1
        assert f"ledger/awards.jsonl:4: {message}" in output
    assert not (tmp_path / "site").exists()


def test_revoke_refuses_a_reason_naming_someone_without_consent(
    tmp_path: Path, runner: CliRunner
) -> None:
    root = community(tmp_path, CY)
    write_ledger(root, LINES)
    code, output = run(runner, "revoke", GRATEFUL_ID, root, "--reason", "Asked by Cy Dee")
    assert code == 2
    assert "names mentee 'cy-dee', who has not consented to publication" in output
    assert (root / LEDGER).read_text().count("\n") == 3


# ------------------------------------------------------------------ maintainer-only files


def test_changes_to_maintainer_only_paths_are_listed(tmp_path: Path, runner: CliRunner) -> None:
    """Committed, staged, unstaged and untracked changes alike; content changes are not listed;
    warnings only, exit code 0."""
    root = community(tmp_path, {**CY, "themes/mine/templates/a.html": "a", "keys/old.txt": "k"})
    write_ledger(root, LINES)
    committed(tmp_path)
    (root / "keys/old.txt").unlink()
    git(tmp_path, "commit", "-q", "-a", "-m", "keys")
    git(tmp_path, "mv", "themes/mine/templates/a.html", "themes/mine/templates/b.html")
    steady = root / "badges/steady.yaml"
    steady.write_text(steady.read_text().replace("Mentoring someone.", "Easy."))
    (root / ".github/workflows").mkdir(parents=True)
    (root / ".github/workflows/x.yml").write_text("on: push\n")
    (root / "content/mentees/cy-dee.yaml").write_text("name: Cy D\n")
    code, output = run(runner, "check", root, "--against", "HEAD~1")
    assert code == 0, output
    assert output.split("\n\nMaintainer-only changes (4):\n")[1] == (
        "  .github/workflows/x.yml: untracked\n"
        "  badges/steady.yaml: modified\n"
        "  keys/old.txt: deleted\n"
        "  themes/mine/templates/b.html: renamed from themes/mine/templates/a.html\n"
    )


def test_maintainer_only_files_are_github_warnings(tmp_path: Path, runner: CliRunner) -> None:
    root = based(tmp_path, LINES)
    (root / "menteo.yml").write_text((root / "menteo.yml").read_text() + "theme: default\n")
    (root / ".github/workflows").mkdir(parents=True)
    (root / ".github/workflows/deploy.yml").write_text("on: push\n")
    code, output = run(runner, "check", root, "--against", "HEAD", "--format", "github")
    assert code == 0, output
    lines = output.splitlines()
    assert (
        "::warning file=.github/workflows/deploy.yml,title=Maintainer-only change::untracked"
        in lines
    )
    assert "::warning file=menteo.yml,title=Maintainer-only change::modified" in lines
    assert "### Maintainer-only changes (2)" in lines
    assert "| `menteo.yml` |  | modified |" in lines


def test_file_names_cannot_forge_report_lines(tmp_path: Path, runner: CliRunner) -> None:
    root = based(tmp_path, LINES)
    (root / "themes").mkdir()
    (root / "themes/a\nAll good: \x1b[32mnothing to see").write_text("x")
    code, output = run(runner, "check", root, "--against", "HEAD")
    assert code == 0
    assert output.endswith(
        "Maintainer-only changes (1):\n  themes/a\\nAll good: \\x1b[32mnothing to see: untracked\n"
    )


# ------------------------------------------------------------------ which repository git reads


REMOVED = "ledger/awards.jsonl:3: line 3 of the ledger in HEAD was removed"


def truncated(tmp_path: Path) -> Path:
    """The real repository at tmp_path holds `community/` with LINES; the pull request removes
    the last line (which only the base shows) and plants a repository whose HEAD agrees."""
    root = community(tmp_path / "community", CY)
    write_ledger(root, LINES)
    committed(tmp_path)
    write_ledger(root, LINES[:2])
    evil = tmp_path.parent / f"{tmp_path.name}-evil"
    write_ledger(evil, LINES[:2])
    committed(evil)
    return root


def test_planted_bare_repository_is_not_used(tmp_path: Path, runner: CliRunner) -> None:
    """HEAD, objects/ and refs/ committed into the community make it look like a bare
    repository, where plain `git -C community` would resolve --against."""
    root = truncated(tmp_path)
    bare = tmp_path.parent / f"{tmp_path.name}-bare"
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(tmp_path.parent / f"{tmp_path.name}-evil"), bare],
        check=True,
    )
    for name in ("HEAD", "objects", "refs", "packed-refs", "config"):
        source = bare / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copyfile(source, root / name)
    code, output = run(runner, "check", root, "--against", "HEAD")
    assert code == 1, output
    assert REMOVED in output


def test_planted_git_file_is_refused(tmp_path: Path, runner: CliRunner) -> None:
    root = truncated(tmp_path)
    (root / ".git").write_text(f"gitdir: {tmp_path.parent / f'{tmp_path.name}-evil' / '.git'}\n")
    code, output = run(runner, "check", root, "--against", "HEAD")
    assert code == 2
    assert "which is not a worktree or submodule repository; remove it" in output


@pytest.mark.parametrize("variable", ["GIT_DIR", "GIT_OBJECT_DIRECTORY"])
def test_git_environment_cannot_redirect_the_base(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    root = truncated(tmp_path)
    evil = tmp_path.parent / f"{tmp_path.name}-evil/.git"
    monkeypatch.setenv(variable, str(evil if variable == "GIT_DIR" else evil / "objects"))
    code, output = run(runner, "check", root, "--against", "HEAD")
    assert code == 1, output
    assert REMOVED in output


def test_git_worktree_checkout_is_followed(tmp_path: Path, runner: CliRunner) -> None:
    """A `git worktree` links its checkout with a `.git` file: that one is the real base."""
    root = based(tmp_path / "main", LINES)
    git(tmp_path / "main", "worktree", "add", "-q", str(tmp_path / "wt"))
    write_ledger(tmp_path / "wt", LINES[:2])
    code, output = run(runner, "check", tmp_path / "wt", "--against", "HEAD")
    assert code == 1, output
    assert REMOVED in output
    assert root.is_dir()


@pytest.mark.parametrize("ref", ["--output=/tmp/x", "-p"])
def test_option_like_revision_is_a_usage_error(tmp_path: Path, runner: CliRunner, ref: str) -> None:
    root = based(tmp_path, LINES)
    result = runner.invoke(main, ["check", str(root), f"--against={ref}"])
    assert result.exit_code == 2
    assert "is not a git revision (it would be read as an option)" in result.output


# ------------------------------------------------------------------ bounds


def test_deeply_nested_line_is_a_problem_not_a_traceback(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    write_ledger(root, [*LINES, "[" * 100_000 + "]" * 100_000])
    code, output = run(runner, "check", root)
    assert code == 1
    assert "ledger/awards.jsonl:4: " in output


def test_nesting_within_the_line_bound_is_a_problem(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    depth = MAX_LINE_BYTES // 2 - 1
    write_ledger(root, [*LINES, "[" * depth + "]" * depth])
    code, output = run(runner, "check", root)
    assert code == 1
    assert "ledger/awards.jsonl:4: not valid JSON (nested too deep)" in output


def test_over_long_line_is_a_problem(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    reason = "x" * MAX_LINE_BYTES
    write_ledger(root, [*LINES, chained(LINES, **revoke_fields(STARTER_ID, reason))])
    code, output = run(runner, "check", root)
    assert code == 1
    assert "ledger/awards.jsonl:4: is longer than 64 KiB" in output


def test_over_large_ledger_is_a_problem(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    (root / LEDGER).parent.mkdir()
    with open(root / LEDGER, "wb") as handle:
        handle.truncate(MAX_LEDGER_BYTES + 1)
    code, output = run(runner, "check", root)
    assert code == 1
    assert "ledger/awards.jsonl: file is larger than 65536 KiB (restore it from git)" in output


def test_ledger_as_a_folder_is_a_problem(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    (root / LEDGER).mkdir(parents=True)
    for command in (["check", root], ["build", root, "--out", tmp_path / "site"]):
        code, output = run(runner, *command)
        assert code == 1
        assert "ledger/awards.jsonl: is a folder where a file belongs" in output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_ledger_is_a_problem(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    write_ledger(root, LINES)
    (root / LEDGER).chmod(0)
    code, output = run(runner, "check", root)
    assert code == 1
    assert "ledger/awards.jsonl: cannot be read (permission denied)" in output


def test_symlinked_ledger_folder_is_a_problem(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path / "c")
    elsewhere = tmp_path / "elsewhere"
    write_ledger(elsewhere, LINES)
    (root / "ledger").symlink_to(elsewhere / "ledger")
    code, output = run(runner, "check", root)
    assert code == 1
    assert "ledger/awards.jsonl: is a symbolic link" in output


# ------------------------------------------------------------------ the signed checkpoint


def build(runner: CliRunner, root: Path, out: Path) -> tuple[int, str]:
    return run(runner, "build", root, "--out", out)


def test_built_site_publishes_a_valid_checkpoint(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path / "c")
    write_ledger(root, LINES)
    assert build(runner, root, tmp_path / "site")[0] == 0
    checkpoint, jws = read_checkpoint(tmp_path / "site" / CHECKPOINT_JSON)
    assert (checkpoint.seq, checkpoint.head) == (3, sha(LINES[2]))
    assert checkpoint.date == "2025-06-15T15:06:40Z"
    assert checkpoint.issuer == "did:web:example.org:circle"
    header, claims, _ = jws.split(".")
    assert json.loads(b64url_decode(header))["alg"] == "EdDSA"
    assert json.loads(b64url_decode(claims)) == {
        "date": "2025-06-15T15:06:40Z",
        "head": sha(LINES[2]),
        "issuer": "did:web:example.org:circle",
        "seq": 3,
    }
    # Checked with the key did.json publishes, by the same route as credentials.
    code, output = run(runner, "verify", tmp_path / "site", "--extends", tmp_path / "site")
    assert code == 0, output
    assert f"ok       ledger/checkpoint.json: extends {tmp_path / 'site'} (3 → 3 lines)" in output


def test_verify_extends_accepts_an_extended_ledger(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path / "c")
    write_ledger(root, LINES[:2])
    assert build(runner, root, tmp_path / "old")[0] == 0
    write_ledger(root, LINES)
    assert build(runner, root, tmp_path / "new")[0] == 0
    copy = tmp_path / "downloaded/ledger"
    copy.mkdir(parents=True)
    for name in ("awards.json", "checkpoint.json"):
        shutil.copyfile(tmp_path / "old/ledger" / name, copy / name)
    for earlier in (tmp_path / "old", copy.parent):
        code, output = run(runner, "verify", tmp_path / "new", "--extends", earlier)
        assert code == 0, output
        assert f"ledger/checkpoint.json: extends {earlier} (2 → 3 lines)" in output


def test_verify_extends_catches_a_rewritten_chain(tmp_path: Path, runner: CliRunner) -> None:
    """Every line rewritten and re-chained (another recorded time): the chain is valid, the
    build signs it, and only the earlier checkpoint shows it is not the log published before."""
    root = community(tmp_path / "c")
    write_ledger(root, LINES)
    assert build(runner, root, tmp_path / "old")[0] == 0
    (root / LEDGER).unlink()
    runner.env["SOURCE_DATE_EPOCH"] = str(int(EPOCH) + 60)
    assert run(runner, "award", root)[0] == 0
    assert (root / LEDGER).read_text() != "".join(f"{line}\n" for line in LINES)
    assert build(runner, root, tmp_path / "new")[0] == 0
    code, output = run(runner, "verify", tmp_path / "new", "--extends", tmp_path / "old")
    assert code == 1
    assert "line 1 differs from the earlier log: the chain was rewritten" in output


def test_verify_extends_catches_a_forged_checkpoint(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path / "c")
    write_ledger(root, LINES)
    assert build(runner, root, tmp_path / "site")[0] == 0
    earlier = tmp_path / "earlier/ledger"
    shutil.copytree(tmp_path / "site/ledger", earlier)
    document = json.loads((earlier / "checkpoint.json").read_text())
    document["head"] = GENESIS
    (earlier / "checkpoint.json").write_text(json.dumps(document))
    code, output = run(runner, "verify", tmp_path / "site", "--extends", earlier.parent)
    assert code == 1
    assert "the JWS signs other claims than the checkpoint shows" in output


def test_build_refuses_to_replace_a_site_it_does_not_extend(
    tmp_path: Path, runner: CliRunner
) -> None:
    root = community(tmp_path / "c")
    out = tmp_path / "site"
    write_ledger(root, LINES)
    assert build(runner, root, out)[0] == 0
    published = (out / CHECKPOINT_JSON).read_bytes()
    write_ledger(root, LINES[:2])
    code, output = build(runner, root, out)
    assert code == 1
    assert f"ledger/awards.jsonl:3: has 2 lines; the site in {out} published 3" in output
    assert (out / CHECKPOINT_JSON).read_bytes() == published
    (root / LEDGER).unlink()
    runner.env["SOURCE_DATE_EPOCH"] = str(int(EPOCH) + 60)
    assert run(runner, "award", root)[0] == 0
    code, output = build(runner, root, out)
    assert code == 1
    assert "ledger/awards.jsonl:3: does not extend the ledger the site in" in output
    shutil.rmtree(out)
    assert build(runner, root, out)[0] == 0


# ------------------------------------------------------------------ units


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("menteo.yml", True),
        ("badges/x.yaml", True),
        ("themes/t/templates/base.html", True),
        (".github/workflows/ci.yml", True),
        (".menteo/cache/x", True),
        ("keys/public.json", True),
        ("overrides/templates/x.html", True),
        ("content/badges/x.yaml", False),
        ("menteo.yml.bak", False),
        ("badgesx/y", False),
        ("ledger/awards.jsonl", False),
    ],
)
def test_maintainer_only_paths(path: str, expected: bool) -> None:
    assert maintainer_only(path) is expected


@pytest.mark.parametrize(
    ("reason", "problem"),
    [
        ("Logged in the wrong thread.", None),
        ("", "needs a reason of at most 500 characters"),
        ("x" * 501, "needs a reason of at most 500 characters"),
        ("tab\there", "a tab in one-line text"),
        ("x\u2066y", "contains the invisible character U+2066 (LEFT-TO-RIGHT ISOLATE)"),
        (
            "a@b.co asked",
            "contains an email address, and plain email addresses are never published",
        ),
    ],
)
def test_reason_problem(reason: str, problem: str | None) -> None:
    assert reason_problem(reason) == problem


def test_repository_is_the_nearest_git_folder_above(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "c/content/.git").mkdir(parents=True)  # below the community: never consulted
    found = repository(tmp_path / "c")
    assert (found.git_dir, found.work_tree) == (tmp_path / ".git", tmp_path)


def test_repository_refuses_a_symlinked_git(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "c/.git").symlink_to(tmp_path / "real")
    with pytest.raises(UsageError, match="is a symbolic link"):
        repository(tmp_path / "c")


def test_git_environment_drops_every_git_variable(tmp_path: Path) -> None:
    environ = {"PATH": "/bin", "GIT_DIR": "/x", "GIT_INDEX_FILE": "/y", "HOME": "/h"}
    assert git_environment(environ, tmp_path / "repo") == {
        "PATH": "/bin",
        "HOME": "/h",
        "GIT_CEILING_DIRECTORIES": str(tmp_path),
    }


def test_published_checkpoint_comparison(tmp_path: Path) -> None:
    assert extends_published(tmp_path, LINES) == []  # nothing published yet
    (tmp_path / "ledger").mkdir()
    (tmp_path / CHECKPOINT_JSON).write_text("{")
    [problem] = extends_published(tmp_path, LINES)
    assert "cannot compare with" in problem.message
    key = Ed25519PrivateKey.generate()
    checkpoint = of_lines(LINES[:2], "did:web:example.org", "did:web:example.org#k")
    (tmp_path / CHECKPOINT_JSON).write_bytes(signed_document(checkpoint, key))
    assert extends_published(tmp_path, LINES) == []
    assert extends_published(tmp_path, LINES[:2]) == []
    assert [p.line for p in extends_published(tmp_path, LINES[:1])] == [2]
    assert [p.line for p in extends_published(tmp_path, [LINES[0], LINES[2]])] == [2]
