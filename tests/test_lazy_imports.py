"""Start-up cost: a command imports only what it runs. Every `menteo` run paid ~0.42 CPU-s of
imports (every command module, the badge bakery, markdown-it) before doing anything; a warm
rebuild now leaves them unimported, while `menteo --help` still lists every command and an
unknown command is still a usage error with a suggestion."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from menteo.cli import COMMANDS, main
from menteo.credentials.facts import _parsed_text, plain_text

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "fixtures" / "mini"

RUNNER = """
import json, sys
from menteo.cli import main
try:
    main(sys.argv[2:], prog_name="menteo")
except SystemExit as exit:
    code = exit.code
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""
"""Runs the CLI in a fresh interpreter, then records which modules the run imported."""

NOT_IN_A_WARM_BUILD = (
    *(f"menteo.commands.{module}" for module in COMMANDS.values() if module != "build"),
    "menteo.site.templates_check",
    "menteo.site.templating",
    "jinja2",
    "openbadges_bakery",
    "rfc3986",
    "markdown_it",
)


def _imported(tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    record = tmp_path / "modules.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "generator")}
    subprocess.run(
        [sys.executable, "-c", RUNNER, str(record), *args], env=env, check=False, timeout=300
    )
    found = json.loads(record.read_text(encoding="utf-8"))
    return found["code"], set(found["modules"])


def test_a_warm_rebuild_imports_no_other_command_nor_unused_libraries(tmp_path: Path) -> None:
    community = tmp_path / "mini"
    shutil.copytree(MINI, community)
    guide = (
        community / "badges" / "guide.yaml"
    )  # prose: a description with markup needs markdown-it
    guide.write_text(guide.read_text(encoding="utf-8").replace("**", ""), encoding="utf-8")
    out = tmp_path / "_site"
    cold_code, _ = _imported(tmp_path, "build", str(community), "--out", str(out), "--quiet")
    warm_code, modules = _imported(tmp_path, "build", str(community), "--out", str(out), "-q")
    assert (cold_code, warm_code) == (0, 0)
    assert "menteo.commands.build" in modules and "menteo.build" in modules
    assert sorted(m for m in NOT_IN_A_WARM_BUILD if m in modules) == []


def test_a_command_loads_only_its_own_module(tmp_path: Path) -> None:
    code, modules = _imported(tmp_path, "schema", "mentor")
    assert code in (0, None)
    assert "menteo.commands.schema" in modules
    assert not {"menteo.commands.build", "menteo.build", "menteo.site.render"} & modules


def test_help_lists_every_command_with_its_help() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = result.output.split("Commands:\n", 1)[1]
    for name in COMMANDS:
        command = main.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None, name
        assert f"  {name} " in listed
        assert f"  {name:<10}  {' '.join((command.help or '').split()[:3])}" in listed, name
    names = sorted(COMMANDS)
    assert [line.split()[0] for line in listed.splitlines() if line.strip()] == names


def test_a_command_help_is_its_own() -> None:
    result = CliRunner().invoke(main, ["build", "--help"])
    assert result.exit_code == 0
    assert "Validate the community in DIRECTORY and build its site" in result.output


@pytest.mark.parametrize(("typed", "meant"), [("buidl", "build"), ("hash-emial", "hash-email")])
def test_an_unknown_command_is_a_usage_error_with_a_suggestion(typed: str, meant: str) -> None:
    result = CliRunner().invoke(main, [typed])
    assert result.exit_code == 2
    assert f"No such command '{typed}'." in result.output
    assert "Did you mean" in result.output and f"'{meant}'" in result.output


def test_an_unknown_option_is_still_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["--nope"])
    assert result.exit_code == 2
    assert "No such option '--nope'" in result.output


PROSE = [
    "",
    "A volunteer-run mentoring community.",
    "A volunteer-run mentoring community. Badges are agreed by the programme\n"
    "team in public pull requests and awarded for effort and impact over time,\n"
    "never for a single session.",
    "First paragraph  with two spaces.\n\nSecond one, after a blank line.\n\n\n\nThird.",
    "Trailing spaces make a hard break  \nhere, one space a soft one \nthere.   ",
    "Quotes \"and\" 'apostrophes' (parentheses), colons: 50% + 3 - 1 ok?",
    "Unicode words: Élodie, São Paulo, Zürich, 東京, emoji 🎉 and a – dash.",
    "Visit https://example.org/a_b or www.example.org; mail x@example.org",
    "Ends with a newline\n",
    "\nStarts with a newline",
]
MARKUP = [
    "Some *emphasis* here",
    "A [link](https://example.org)",
    "Code `x` and <b>html</b> &amp; entities",
    "Heading\n=======",
    "Heading\n-------",
    "Line\n- item\n- item",
    "1. ordered",
    "# heading",
    "    indented code",
    "> quote",
    "Escaped \\* star",
    "Tab\there",
    "Non\u00a0breaking space",
    "Line\r\nending",
    "A line\n  indented continuation",
    "snake_case_words",
    "An image ![alt](x.png)",
]


@pytest.mark.parametrize("markdown", PROSE + MARKUP)
def test_plain_text_equals_markdown_its_reading(markdown: str) -> None:
    assert plain_text(markdown) == _parsed_text(markdown)


def test_the_demo_descriptions_take_the_fast_path() -> None:
    """The demo's issuer and badge descriptions are prose, so the documents every build writes
    describe them without a Markdown parser."""
    code = (
        "import sys\nfrom pathlib import Path\nfrom menteo.content.loader import load_community\n"
        "from menteo.credentials.facts import issuer_facts, plain_text\n"
        f"community = load_community(Path({str(ROOT)!r}))\n"
        "issuer_facts(community, 'did:web:x')\n"
        "[plain_text(badge.model.description) for badge in community.badges.values()]\n"
        "print('markdown_it' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "generator")}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"
