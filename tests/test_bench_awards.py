"""The benchmark community carries its recorded awards, as a real community does, so measured
builds issue credentials: generate.py records them with menteo's own `menteo award` at a pinned
clock, which keeps the generated tree (ledger included) byte-identical from run to run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from click.testing import CliRunner

from menteo.cli import main as menteo_main

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from generate import AWARDS_EPOCH, LEDGER, generate, recorded_awards
from generate import main as generate_main

RECORDED = "2025-07-01T00:00:00Z"


def test_generated_ledger_is_deterministic_complete_and_valid(tmp_path: Path) -> None:
    generate(tmp_path / "a", mentors=12, entries=150, seed=3)
    generate(tmp_path / "b", mentors=12, entries=150, seed=3)
    ledger = (tmp_path / "a" / LEDGER).read_bytes()
    assert ledger == (tmp_path / "b" / LEDGER).read_bytes()
    awards = [json.loads(line) for line in ledger.splitlines()]
    assert len(awards) == recorded_awards(tmp_path / "a") > 5
    assert {a["recorded"] for a in awards} == {RECORDED}
    assert AWARDS_EPOCH == 1_751_328_000  # RECORDED, the day after the last entry
    assert not (tmp_path / "a" / ".menteo").exists()  # `award`'s lock folder is not left behind
    runner = CliRunner()
    checked = runner.invoke(menteo_main, ["check", str(tmp_path / "a")])
    assert checked.exit_code == 0, checked.output
    again = runner.invoke(menteo_main, ["award", str(tmp_path / "a")])
    assert again.exit_code == 0 and "No pending awards" in again.output, again.output


def test_no_awards_leaves_the_ledger_empty(tmp_path: Path) -> None:
    assert generate_main([str(tmp_path), "--mentors", "6", "--entries", "60", "--no-awards"]) == 0
    assert not (tmp_path / "ledger").exists()
    assert recorded_awards(tmp_path) == 0


def test_force_replaces_the_ledger_and_keeps_existing_local_state(tmp_path: Path) -> None:
    args = [str(tmp_path), "--mentors", "6", "--entries", "60", "--seed", "2"]
    assert generate_main(args) == 0
    first = (tmp_path / LEDGER).read_bytes()
    (tmp_path / ".menteo").mkdir()
    (tmp_path / ".menteo" / "keep").write_text("a serve preview's state\n")
    assert generate_main([*args, "--force"]) == 0  # appending again would double the ledger
    assert (tmp_path / LEDGER).read_bytes() == first
    assert (tmp_path / ".menteo" / "keep").is_file()
