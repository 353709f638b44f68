"""The search index as a build keeps it: bundles by a stable rule, reused from the private cache
when their pages are unchanged (and only then), left out on request, and shaped so that people,
skills and badges are found by their real titles, under a kind, with words kept apart."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.test_search import fragments

from menteo.cli import main
from menteo.site import search, search_order

MINI = Path(__file__).parent / "fixtures" / "mini"
ENTRY = "content/threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff.md"
CACHE = ".menteo/cache/search"
REFLECTION = """---
kind: reflection
date: 2025-04-{day:02}
author: jonas-berg
title: Note {day}
---
What I learned on day {day}.
"""


def build(root: Path, out: Path, *options: str) -> Result:
    return CliRunner().invoke(main, ["build", str(root), "--out", str(out), "--quiet", *options])


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """The mini community with 28 more entries, in bundles of about 10 pages, no cache yet."""
    root = shutil.copytree(MINI, tmp_path / "mini", ignore=shutil.ignore_patterns(".menteo"))
    config = root / "menteo.yml"
    config.write_text(config.read_text() + "search_bundle_pages: 10\n")
    for day in range(1, 29):
        entry = root / ENTRY.replace("03-04-kickoff", f"04-{day:02}-note")
        entry.write_text(REFLECTION.format(day=day), encoding="utf-8")
    return root


# ---------------------------------------------------------------- bundles by a stable rule


def test_one_added_page_changes_one_bundle() -> None:
    pages = [f"threads/t-{n}/entry-{n}/index.html" for n in range(1000)]
    before = search.assign_bundles(pages, 200)
    after = search.assign_bundles([*pages, "threads/t-new/entry/index.html"], 200)
    assert len(before) == len(after) == 8
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1
    assert sorted(p for bundle in after for p in bundle) == sorted(
        [*pages, "threads/t-new/entry/index.html"]
    )


def test_a_room_and_its_entries_share_a_bundle() -> None:
    """Editing an entry also changes its room's timeline: one bundle, not two."""
    rooms = [f"threads/room-{n}" for n in range(300)]
    pages = [f"{room}/{page}" for room in rooms for page in ("index.html", "e1/index.html")]
    for bundle in search.assign_bundles([*pages, "mentors/ana/index.html"], 50):
        assert all(
            f"{room}/e1/index.html" in bundle for room in rooms if f"{room}/index.html" in bundle
        )


def test_bundles_hold_about_the_configured_number_of_pages() -> None:
    pages = [f"p/{n}/index.html" for n in range(10_683)]
    bundles = search.assign_bundles(pages, 2000)
    assert len(bundles) == 8  # a power of two: it changes only when the site doubles or halves
    assert max(len(b) for b in bundles) < 2000
    assert search.assign_bundles([], 2000) == [[]]
    assert search.assign_bundles(pages[:5], 2000) == [sorted(pages[:5])]


# ---------------------------------------------------------------- incremental, through the CLI


def test_a_one_line_edit_indexes_only_the_bundles_it_changed_and_equals_a_cold_build(
    mini: Path, tmp_path: Path, runs: list[list[str]]
) -> None:
    out = tmp_path / "_site"
    assert build(mini, out).exit_code == 0
    bundles = len(json.loads((out / "pagefind/shards.json").read_text())) + 1
    assert bundles >= 3 and len(runs) == bundles
    runs.clear()
    assert build(mini, out).exit_code == 0
    assert runs == []  # nothing changed: every bundle comes from the cache
    entry = mini / ENTRY
    entry.write_text(entry.read_text() + "\nA new line about zanzibarite.\n")
    assert build(mini, out).exit_code == 0
    # The entry's page and the pages that show its excerpt (its thread, its author's profile).
    assert 1 <= len(runs) < bundles
    assert any("zanzibarite" in str(p["content"]) for p in fragments(out).values())
    incremental = files(out / "pagefind")
    shutil.rmtree(mini / CACHE)
    cold = tmp_path / "_cold"
    assert build(mini, cold).exit_code == 0
    assert files(cold / "pagefind") == incremental  # byte for byte, Pagefind's filters included


def test_a_damaged_cache_entry_is_indexed_again(
    mini: Path, tmp_path: Path, runs: list[list[str]]
) -> None:
    out = tmp_path / "_site"
    assert build(mini, out).exit_code == 0
    before = files(out / "pagefind")
    entry = next(p for p in (mini / CACHE).iterdir() if p.is_dir())
    next(entry.glob("fragment/*.pf_fragment")).unlink()
    runs.clear()
    assert build(mini, out).exit_code == 0  # the site holds every file: none is read
    assert runs == []
    assert files(out / "pagefind") == before
    assert build(mini, tmp_path / "_other").exit_code == 0  # a fresh site: read, found missing
    assert len(runs) == 1
    assert files(tmp_path / "_other" / "pagefind") == before


def test_another_pagefind_is_not_answered_from_the_cache(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm cache must not hide that the configured indexer fails."""
    assert build(mini, tmp_path / "_site").exit_code == 0
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    result = build(mini, tmp_path / "_other")
    assert result.exit_code == 1
    assert "Pagefind failed to index the site" in result.output


def test_a_symlinked_search_cache_is_refused(mini: Path, tmp_path: Path) -> None:
    """A pull request cannot point the search cache at bundles of its own making."""
    planted = tmp_path / "planted"
    planted.mkdir()
    (mini / ".menteo/cache").mkdir(parents=True)
    (mini / CACHE).symlink_to(planted, target_is_directory=True)
    result = build(mini, tmp_path / "_site")
    assert result.exit_code == 1
    assert "search is a symbolic link" in result.output
    assert list(planted.iterdir()) == []
    assert not (tmp_path / "_site").exists()


def test_the_cache_keeps_the_current_bundles_and_a_few_spare(mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "_site"
    entry = mini / ENTRY
    for n in range(search.KEEP_SPARE + 3):
        entry.write_text(entry.read_text() + f"\nEdit {n}.\n")
        assert build(mini, out).exit_code == 0
    bundles = len(json.loads((out / "pagefind/shards.json").read_text())) + 1
    cached = [p for p in (mini / CACHE).iterdir()]
    assert bundles < len(cached) <= bundles + search.KEEP_SPARE


# ---------------------------------------------------------------- --no-search


def test_no_search_builds_a_site_without_an_index_and_says_so(mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "_site"
    result = build(mini, out, "--no-search")
    assert result.exit_code == 0, result.output  # every link checked: nothing points at pagefind/
    assert not (out / "pagefind").exists()
    page = (out / "search/index.html").read_text()
    assert "Search is not built in this preview" in page
    assert "pagefind" not in page.split("<main", 1)[0].split("</head>", 1)[0]
    assert 'class="header-search"' not in (out / "index.html").read_text()
    assert not (mini / CACHE).exists()


# ---------------------------------------------------------------- what the index holds


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("quality")
    mini = shutil.copytree(MINI, root / "mini", ignore=shutil.ignore_patterns(".menteo"))
    out = root / "_site"
    assert build(mini, out).exit_code == 0
    return out


def test_pages_are_found_under_their_kind_by_their_real_title(site: Path) -> None:
    pages = fragments(site)
    mentor = pages["/mentors/ana-lukasiewicz/"]
    assert mentor["filters"] == {"Kind": ["Mentors"]}
    assert mentor["meta"]["title"] == "Ana Łukasiewicz"
    assert pages["/mentees/jonas-berg/"]["filters"] == {"Kind": ["Mentees"]}
    assert pages["/badges/guide/"]["filters"] == {"Kind": ["Badges"]}
    thread = pages["/threads/ana-lukasiewicz--jonas-berg/"]
    assert thread["filters"] == {"Kind": ["Mentorships"]}
    assert thread["meta"]["title"].startswith("Ana Łukasiewicz & ")
    entry = pages["/threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/"]
    assert (entry["filters"], entry["meta"]["title"]) == ({"Kind": ["Entries"]}, "Kick-off")


def test_listings_are_left_to_the_pages_they_list(site: Path) -> None:
    """A listing repeats its pages' words and would outrank them (the mentors page for a skill)."""
    listed = {"/", "/mentors/", "/mentees/", "/threads/", "/tags/", "/tags/oncall/", "/badges/"}
    assert not listed & set(fragments(site))


def test_labels_and_values_are_separate_words(site: Path) -> None:
    """`<dt>Mentor</dt><dd>Ana</dd>` must not be read as "MentorAna"."""
    thread = fragments(site)["/threads/ana-lukasiewicz--jonas-berg/"]
    assert "Mentor Ana Łukasiewicz" in str(thread["content"])
    entry = fragments(site)["/threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/"]
    assert "Roadmap step " in str(entry["content"])


def test_every_page_has_a_search_box_that_needs_no_script(site: Path) -> None:
    home = (site / "index.html").read_text()
    assert '<form class="header-search" role="search" action="/mini/search/" method="get">' in home
    assert '<input id="header-search" type="search" name="q">' in home
    assert 'for="header-search"' in home
    # The search page has its own box, not two.
    assert 'class="header-search"' not in (site / "search/index.html").read_text()


# ---------------------------------------------------------------- one order for Pagefind's filters


def test_filter_files_are_rewritten_in_one_order(tmp_path: Path) -> None:
    """Pagefind writes a filter's values in hash-map order, different on every run: two runs over
    the same pages give the same bytes once ordered, and the metadata names the new files."""
    site = tmp_path / "site"
    for n, kind in enumerate(["Mentors", "Badges", "Entries", "Awards", "Roadmaps", "Mentees"]):
        page = site / f"p{n}/index.html"
        page.parent.mkdir(parents=True)
        page.write_text(
            f'<html lang="en"><body><main data-pagefind-body data-pagefind-filter="Kind:{kind}">'
            f"<h1>Page {n}</h1></main></body></html>"
        )
    bundles = []
    for _ in range(4):
        search.index_site(site, [], shard_pages=100)
        bundles.append(files(site / "pagefind"))
        shutil.rmtree(site / "pagefind")
    assert all(bundle == bundles[0] for bundle in bundles)
    entry = json.loads(bundles[0]["pagefind-entry.json"])
    meta = gzip.decompress(bundles[0][f"pagefind.{entry['languages']['en']['hash']}.pf_meta"])
    (filter_file,) = [name for name in bundles[0] if name.startswith("filter/")]
    assert filter_file.removeprefix("filter/").removesuffix(".pf_filter").encode() in meta
    data = gzip.decompress(bundles[0][filter_file]).removeprefix(search_order.SIGNATURE)
    name, values = search_order.decode(data)
    assert name == "Kind" and [v[0] for v in values] == sorted(v[0] for v in values)


def test_cbor_round_trips_what_pagefind_writes() -> None:
    value = ["Kind", [["Badges", [1, 2, 300]], ["Mentors", [0, 70_000]]], {"a": b"\x00"}]
    assert search_order.decode(search_order.encode(value)) == value
    assert search_order.encode(23) == b"\x17" and search_order.encode(24) == b"\x18\x18"
    with pytest.raises(ValueError):
        search_order.decode(b"\xf9\x00\x00")  # a half-precision float: not Pagefind's
