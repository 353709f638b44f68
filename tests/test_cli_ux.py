"""The command line people expect: progress on a terminal only, -q/-v, an example in every
command's help, shell completion, and the slips a new organiser met (each through the CLI)."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from factory import FEEDBACK, MENTEE, MENTOR, THREAD_FILE, edit, make_community
from menteo.cli import main
from menteo.progress import Progress, StageReport, progress_for

ROOT = Path(__file__).resolve().parent.parent
CUT = edit(MENTOR, "headline: Frontend engineer", "headline: Frontend engineer in #web")
CUT_WARNING = (
    f"{MENTOR}:2: headline: quote the value: the rest was read as a comment "
    '(write headline: "Frontend engineer in #web")'
)


def _run(*args: str, env: dict[str, str | None] | None = None) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), env=env)


# Progress -------------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Clock:
    """A clock the test moves by hand: redraws are counted, never timed."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_is_a_no_op_off_a_terminal_and_when_quiet() -> None:
    assert type(progress_for(io.StringIO(), quiet=False, verbose=False)) is Progress
    assert type(progress_for(_Terminal(), quiet=True, verbose=False)) is Progress
    assert isinstance(progress_for(_Terminal(), quiet=False, verbose=False), StageReport)


def test_progress_redraws_at_most_ten_times_a_second() -> None:
    stream, clock = _Terminal(), _Clock()
    report = StageReport(stream, live=True, timings=False, clock=clock)
    report.stage("Rendering pages", 10_000)
    for _ in range(1_000):  # a thousand pages within 50 ms: no redraw
        clock.now += 0.00005
        report.advance()
    assert stream.getvalue().count("Rendering pages") == 1
    clock.now += 0.1
    report.advance()
    assert stream.getvalue().endswith("\r\x1b[KRendering pages (1,001/10,000)...")
    report.close()
    assert stream.getvalue().endswith("\r\x1b[K")  # the line is cleared: no stale progress


def test_verbose_timings_name_each_stage_with_its_count() -> None:
    stream, clock = io.StringIO(), _Clock()
    report = StageReport(stream, live=False, timings=True, clock=clock)
    report.stage("Loading content")
    clock.now = 0.25
    report.stage("Rendering pages", 3)
    clock.now = 1.0
    report.close()
    assert stream.getvalue() == "  Loading content: 0.25 s\n  Rendering pages (3): 0.75 s\n"


def test_build_off_a_terminal_prints_no_progress(tmp_path: Path) -> None:
    root = make_community(tmp_path)
    result = _run("build", str(root))
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "Rendering pages" not in result.output
    assert result.output.splitlines()[-1].startswith("Built ")


def test_build_on_a_terminal_shows_stages_with_counts(tmp_path: Path) -> None:
    """A real pseudo-terminal as stderr, the real command in a subprocess."""
    root = make_community(tmp_path)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "menteo", "build", str(root), "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    shown = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the build ended
            break
        if not chunk:
            break
        shown += chunk
    stdout, _ = process.communicate(timeout=60)
    os.close(controller)
    assert process.returncode == 0, shown
    text = shown.decode()
    for stage in ("Loading content", "Evaluating badges over entries (2)", "Issuing credentials"):
        assert stage in text
    assert re.search(r"Rendering pages \(\d+\)", text)
    assert re.search(r"Checking links \(\d+\)\.\.\.\r\x1b\[K", text)  # cleared at the end
    assert stdout.decode().startswith("Built ")


# -q and -v ------------------------------------------------------------------------------------


def test_quiet_build_and_check_print_nothing_but_errors(tmp_path: Path) -> None:
    root = make_community(tmp_path, CUT)
    loud = _run("check", str(root))
    assert loud.exit_code == 0 and CUT_WARNING in loud.output
    for command in ("check", "build"):
        result = _run(command, "-q", str(root))
        assert result.exit_code == 0, result.output
        assert result.output == "", command
    broken = make_community(tmp_path / "broken", edit(MENTEE, "name: Bo Chen", "name: 42"))
    failed = _run("check", "-q", str(broken))
    assert failed.exit_code == 1
    assert f"{MENTEE}:1: name:" in failed.output and "Error: 1 problem" in failed.output


def test_verbose_build_prints_stage_timings(tmp_path: Path) -> None:
    root = make_community(tmp_path)
    result = _run("build", "-v", str(root))
    assert result.exit_code == 0, result.output
    for stage in ("Loading content", "Issuing credentials", "Rendering pages", "Checking links"):
        assert re.search(rf"^  {stage}( \([\d,]+\))?: \d+\.\d\d s$", result.output, re.M), stage


# Help and completion --------------------------------------------------------------------------


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize("path", _commands(main), ids=lambda p: " ".join(p) or "menteo")
def test_every_command_help_has_an_example(path: tuple[str, ...]) -> None:
    result = _run(*path, "--help")
    assert result.exit_code == 0
    examples = result.output.split("Examples:\n", 1)
    assert len(examples) == 2, result.output
    assert re.search(r"^    menteo ", examples[1], re.M) or "menteo " in examples[1]


def test_bash_completion_script_is_generated() -> None:
    result = CliRunner().invoke(
        main, [], env={"_MENTEO_COMPLETE": "bash_source"}, prog_name="menteo"
    )
    assert result.exit_code == 0
    assert "_menteo_completion()" in result.output and "complete -o nosort" in result.output


def test_completion_lists_commands() -> None:
    env = {"_MENTEO_COMPLETE": "bash_complete", "COMP_WORDS": "menteo bu", "COMP_CWORD": "1"}
    result = CliRunner().invoke(main, [], env=env, prog_name="menteo")
    assert result.output.strip() == "plain,build"


# Slips ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("languages", ["[english]", "[en, xx]"])
def test_a_language_that_is_not_a_code_asks_for_one(tmp_path: Path, languages: str) -> None:
    root = make_community(tmp_path, edit(MENTOR, "skills: [html, css]", f"languages: {languages}"))
    result = _run("check", str(root))
    assert result.exit_code == 1
    bad = "english" if "english" in languages else "xx"
    field = "languages[0]" if bad == "english" else "languages[1]"
    assert (
        f"{MENTOR}:4: {field}: '{bad}' is not a language tag menteo has locale data for "
        "(write a BCP 47 tag such as en, es or pt-BR)"
    ) in result.output
    assert "slug" not in result.output


def test_real_language_codes_pass(tmp_path: Path) -> None:
    root = make_community(tmp_path, edit(MENTOR, "skills: [html, css]", "languages: [en, pt-BR]"))
    assert _run("check", str(root)).exit_code == 0


def test_an_impossible_date_is_reported_with_the_files_other_problems(tmp_path: Path) -> None:
    text = edit(THREAD_FILE, "started: 2025-01-10", "started: 2025-09-31")[THREAD_FILE]
    text = text.replace("status: in-progress", "status: sort-of")
    root = make_community(tmp_path, {THREAD_FILE: text})
    result = _run("check", str(root))
    assert result.exit_code == 1
    assert f"{THREAD_FILE}:3: started: '2025-09-31' is not a real date (write YYYY-MM-DD)" in (
        result.output
    )
    assert f"{THREAD_FILE}:9: goals[0].status: 'sort-of' is not allowed" in result.output


def test_an_impossible_entry_date_does_not_hide_a_missing_field(tmp_path: Path) -> None:
    text = edit(FEEDBACK, "date: 2025-02-10", "date: 2025-02-31")[FEEDBACK]
    root = make_community(tmp_path, {FEEDBACK: text.replace("title: Thank you\n", "")})
    result = _run("check", str(root))
    assert "'2025-02-31' is not a real date" in result.output
    assert "title: required field is missing" in result.output


def _demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    root.mkdir()
    for name in ("menteo.yml", "content", "badges", "ledger"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, root / name)
        else:
            shutil.copy2(ROOT / name, root / name)
    return root


def test_deleting_one_ledger_line_is_one_clear_problem(tmp_path: Path) -> None:
    root = _demo(tmp_path)
    ledger = root / "ledger" / "awards.jsonl"
    lines = ledger.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) > 10
    ledger.write_text("".join(lines[:4] + lines[5:]), encoding="utf-8")
    result = _run("check", str(root))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "ledger/awards.jsonl:5: line 5 is missing or was removed: this line is number 6 and "
        "its prev does not match the line before (the ledger is written only by menteo award "
        "and menteo revoke; restore it from git)",
        "Error: 1 problem in 1 file; fix them and run menteo check again.",
    ]


def test_deleting_lines_further_down_still_finds_later_edits(tmp_path: Path) -> None:
    """The gap is reported once; the chain below it is still checked line by line."""
    root = _demo(tmp_path)
    ledger = root / "ledger" / "awards.jsonl"
    lines = ledger.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[9] = lines[9].replace('"recorded":"', '"recorded":"1', 1)
    ledger.write_text("".join(lines[:2] + lines[4:]), encoding="utf-8")
    problems = [line for line in _run("check", str(root)).output.splitlines() if ":" in line]
    assert problems[0].startswith("ledger/awards.jsonl:3: lines 3-4 are missing or were removed")
    assert any(p.startswith("ledger/awards.jsonl:8: ") for p in problems[1:])


def test_the_development_key_warning_names_a_command_that_works(tmp_path: Path) -> None:
    root = make_community(tmp_path)
    no_keys: dict[str, str | None] = {"MENTEO_KEYS": None}
    first = _run("build", str(root), env=no_keys)
    assert first.exit_code == 0, first.output
    warning = next(line for line in first.output.splitlines() if "DEVELOPMENT key" in line)
    command = re.search(r"run (menteo keys generate[^,;)]*?) for real keys", warning)
    assert command is not None, warning
    generated = _run(*command[1].split()[1:], str(root), env=no_keys)
    assert generated.exit_code == 0, generated.output
    second = _run("build", str(root), env=no_keys)
    assert second.exit_code == 0 and "DEVELOPMENT" not in second.output, second.output


def test_with_a_key_chain_the_development_warning_does_not_advise_a_new_chain(
    tmp_path: Path,
) -> None:
    """A chain committed, but this machine has no keys: generating would start a new issuer."""
    root = make_community(tmp_path)
    secrets = tmp_path / "secrets"
    assert _run("keys", "generate", str(root), env={"MENTEO_KEYS": str(secrets)}).exit_code == 0
    result = _run("build", str(root), env={"MENTEO_KEYS": None})
    assert result.exit_code == 0, result.output
    assert "already has a key chain: sign with its head's keys" in result.output
    assert "keys generate --force" not in result.output


def test_check_against_without_git_is_one_line(tmp_path: Path) -> None:
    root = make_community(tmp_path / "community")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    empty = tmp_path / "bin"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "menteo", "check", str(root), "--against", "HEAD"],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": str(empty)},
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert (
        "Error: Invalid value for '--against': git is not installed; menteo needs it to read "
        "revisions"
    ) in result.stderr
