"""The search stage fed straight from the site: Pagefind's service is handed each page's bytes, in
sorted order, in a private folder, and what it answers is checked before it lands in the site.

So the index is a function of the pages alone (not of how a file system lists a folder, nor of a
configuration file or variable around the build), a hostile page cannot make Pagefind write
outside its bundle, the protocol carries any page text, and a damaged cached bundle is indexed
again instead of being copied into the site."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.test_search import fragments

from menteo import workers
from menteo.cli import main
from menteo.site import search
from menteo.site.previous_site import SiteWriter

MINI = Path(__file__).parent / "fixtures" / "mini"
CACHE = ".menteo/cache/search"
ENTRY_URL = "/threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/"


def build(root: Path, out: Path) -> Result:
    return CliRunner().invoke(main, ["build", str(root), "--out", str(out), "--quiet"])


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def write_pages(site: Path, pages: dict[str, str], order: list[str]) -> None:
    for name in order:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(pages[name], encoding="utf-8")


def page(title: str, text: str, lang: str = "en") -> str:
    return (
        f'<html lang="{lang}"><body><main data-pagefind-body><h1>{title}</h1>'
        f"<p>{text}</p></main></body></html>"
    )


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return shutil.copytree(MINI, tmp_path / "mini", ignore=shutil.ignore_patterns(".menteo"))


# ---------------------------------------------------------------- a function of the pages alone


def test_the_index_does_not_depend_on_how_the_file_system_lists_folders(tmp_path: Path) -> None:
    """Pagefind numbers pages in the order it meets them. Walking a folder, that order is the
    file system's (by name hash on ext4, newest first on tmpfs): the same pages gave different
    bundles on two machines. Handed the pages sorted, it gives one bundle everywhere."""
    memory = Path("/dev/shm")
    if not (memory.is_dir() and os.access(memory, os.W_OK)):
        pytest.skip("no tmpfs at /dev/shm to list a folder in another order")
    pages = {
        f"notes/n{n:02}/index.html": page(f"Note {n}", f"word{n} " * (n + 1)) for n in range(40)
    }
    on_disk = tmp_path / "disk" / "site"
    write_pages(on_disk, pages, sorted(pages))
    search.index_site(on_disk, sorted(pages), shard_pages=100)
    in_memory = Path(memory / f"menteo-test-{os.getpid()}") / "site"
    try:
        write_pages(in_memory, pages, sorted(pages, reverse=True))
        search.index_site(in_memory, sorted(pages), shard_pages=100)
        assert files(in_memory / "pagefind") == files(on_disk / "pagefind")
    finally:
        shutil.rmtree(in_memory.parent)


def test_a_pagefind_configuration_around_the_build_changes_nothing(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind reads `pagefind.yml` from the folder it runs in and `PAGEFIND_*` variables: a pull
    request adding one at the repository's root (where CI runs `menteo build`) could reshape the
    published index, e.g. hide every paragraph or keep `index.html` in every result's URL."""
    reference = tmp_path / "_reference"
    assert build(mini, reference).exit_code == 0
    shutil.rmtree(mini / CACHE)
    (mini / "pagefind.yml").write_text('keep_index_url: true\nexclude_selectors: ["p", "li"]\n')
    monkeypatch.chdir(mini)
    monkeypatch.setenv("PAGEFIND_KEEP_INDEX_URL", "true")
    out = tmp_path / "_site"
    result = build(mini, out)
    assert result.exit_code == 0, result.output
    assert files(out / "pagefind") == files(reference / "pagefind")
    assert "We agreed on goals" in str(fragments(out)[ENTRY_URL]["content"])


# ---------------------------------------------------------------- hostile pages


def test_a_hostile_page_language_cannot_write_outside_the_bundle(
    mini: Path, tmp_path: Path
) -> None:
    """Pagefind names its files after the page's `<html lang>`; a theme's `../..` there made it
    write beside (or far above) its output folder. Such a bundle is refused, in one line."""
    templates = mini / "overrides/templates"
    templates.mkdir(parents=True)
    base = search.Path(search.__file__).parent.parent / "themes/default/templates/base.html"
    text = base.read_text(encoding="utf-8")
    hostile = text.replace('<html lang="{{ site.language }}">', '<html lang="../../../escaped">')
    assert hostile != text
    (templates / "base.html").write_text(hostile, encoding="utf-8")
    result = build(mini, tmp_path / "_site")
    assert result.exit_code == 1
    assert result.output.startswith("Error: Pagefind wrote a bundle menteo cannot read")
    assert "a file outside the bundle" in result.output
    assert not [p for p in tmp_path.rglob("escaped*")]
    assert not (tmp_path / "_site").exists()


def test_any_page_text_reaches_pagefind_whole(tmp_path: Path) -> None:
    """Requests are base64 of JSON, separated by commas: text full of commas, quotes, line
    separators, markup-like and base64-like runs, or bytes that are not UTF-8 (a theme's static
    page), is indexed as the page says, and every page is found at its own URL."""
    site = tmp_path / "_site"
    tricky = 'a,b,,c "quoted" \\ back\u2028line eyJtZXNzYWdlX2lkIjogMX0=, } ] zanzibarite'
    pages = {f"p{n}/index.html": page(f"Page {n}", f"{tricky} n{n}") for n in range(5)}
    write_pages(site, pages, sorted(pages))
    raw = b"<html lang='en'><body data-pagefind-body><p>caf\xe9 latin1 quokka</p></body></html>"
    (site / "raw.html").write_bytes(raw)
    search.index_site(site, [], shard_pages=100)
    found = fragments(site)
    assert sorted(found) == ["/p0/", "/p1/", "/p2/", "/p3/", "/p4/", "/raw.html"]
    assert "zanzibarite n3" in str(found["/p3/"]["content"])
    assert "a,b,,c" in str(found["/p0/"]["content"])
    assert "quokka" in str(found["/raw.html"]["content"])


def test_a_failing_pagefind_service_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A binary that stops at once (or answers nothing) fails the build, never hangs it."""
    site = tmp_path / "_site"
    write_pages(site, {"a/index.html": page("A", "text")}, ["a/index.html"])
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/true")
    with pytest.raises(
        search.SearchIndexError, match=r"Pagefind failed to index the site \(exit 0\)"
    ):
        search.index_site(site, ["a/index.html"], shard_pages=100)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".search-")]


# ---------------------------------------------------------------- the cache


def test_a_cached_file_damaged_in_place_is_indexed_again(
    mini: Path, tmp_path: Path, runs: list[list[str]]
) -> None:
    """A cached bundle's file with other bytes of the same size passes a size check: its digest
    is checked as it is read, and the bundle is indexed again rather than published damaged."""
    out = tmp_path / "_site"
    assert build(mini, out).exit_code == 0
    before = files(out / "pagefind")
    (entry,) = [p for p in (mini / CACHE).iterdir() if p.is_dir()]
    damaged = next(entry.glob("fragment/*.pf_fragment"))
    damaged.write_bytes(b"\0" * damaged.stat().st_size)
    runs.clear()
    again = tmp_path / "_again"  # a new folder: every file is read from the cache
    assert build(mini, again).exit_code == 0
    assert len(runs) == 1
    assert files(again / "pagefind") == before


def test_an_edit_reindexes_one_bundle_and_answers_as_a_cold_build(
    mini: Path, tmp_path: Path, runs: list[list[str]]
) -> None:
    """Bundles of 10 pages: an entry edit runs Pagefind on its room's bundle only, and the whole
    search folder is then byte-identical to a build from an empty cache."""
    config = mini / "menteo.yml"
    config.write_text(config.read_text() + "search_bundle_pages: 10\n")
    out = tmp_path / "_site"
    assert build(mini, out).exit_code == 0
    runs.clear()
    entry = mini / "content/threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff.md"
    entry.write_text(entry.read_text() + "\nA new line about quokkas.\n")
    assert build(mini, out).exit_code == 0
    assert len(runs) == 1 and "threads/ana-lukasiewicz--jonas-berg/index.html" in runs[0]
    assert "quokkas" in str(fragments(out)[ENTRY_URL]["content"])
    shutil.rmtree(mini / CACHE)
    cold = tmp_path / "_cold"
    assert build(mini, cold).exit_code == 0
    assert files(cold / "pagefind") == files(out / "pagefind")
    assert json.loads((out / "pagefind/shards.json").read_text())


def test_the_writer_keeps_only_the_bundle_files(tmp_path: Path) -> None:
    """What the site lists under pagefind/ is the bundle Pagefind answered, nothing else."""
    site = tmp_path / "_site"
    write_pages(site, {"a/index.html": page("A", "alpha")}, ["a/index.html"])
    writer = SiteWriter(tmp_path / "_out")
    written = search.index_site(site, ["a/index.html"], 100, None, writer)
    assert written == sorted(writer.files)
    assert all((tmp_path / "_out" / name).is_file() for name in written)
    assert "pagefind/pagefind-entry.json" in written


def test_a_garbled_answer_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An indexer that answers something other than Pagefind's protocol is an installation
    problem, said in one line, never a traceback or a hang."""
    site = tmp_path / "_site"
    write_pages(site, {"a/index.html": page("A", "text")}, ["a/index.html"])
    fake = tmp_path / "fake-pagefind"
    fake.write_text(
        '#!/bin/sh\n[ "$1" = "--service" ] || { echo "fake 0"; exit 0; }\n'
        "printf 'bm90IGpzb24=,'\nexec cat >/dev/null\n"  # base64 of "not json"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    with pytest.raises(search.SearchIndexError, match="Pagefind answered what menteo cannot read"):
        search.index_site(site, ["a/index.html"], shard_pages=100)


def test_bundles_indexed_at_once_equal_bundles_indexed_in_turn(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bundles missing from the cache are indexed two at a time: the site, search folder
    included, is byte-identical to one indexed a bundle after another, and no run's folder is
    left behind in the cache."""
    config = mini / "menteo.yml"
    config.write_text(config.read_text() + "search_bundle_pages: 10\n")
    monkeypatch.setattr(workers, "cores", lambda: 2)
    together = tmp_path / "_together"
    assert build(mini, together).exit_code == 0
    assert json.loads((together / "pagefind/shards.json").read_text())  # two bundles or more
    assert not [p for p in (mini / CACHE).iterdir() if p.name.startswith(".search-")]
    shutil.rmtree(mini / CACHE)
    monkeypatch.setattr(search, "INDEXERS", 1)
    in_turn = tmp_path / "_in_turn"
    assert build(mini, in_turn).exit_code == 0
    assert files(in_turn) == files(together)


def test_a_failing_run_beside_others_leaves_no_folder_and_one_error(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One of several concurrent Pagefind runs fails: the build stops with one clear error, the
    previous site stays, and neither the failed run's folder nor the others' stay in the cache."""
    config = mini / "menteo.yml"
    config.write_text(config.read_text() + "search_bundle_pages: 10\n")
    monkeypatch.setattr(workers, "cores", lambda: 2)
    out = tmp_path / "_site"
    assert build(mini, out).exit_code == 0
    previous = files(out)
    shutil.rmtree(mini / CACHE)  # every bundle indexed again
    bundles: list[list[list[str]]] = []
    assign = search.assign_bundles
    monkeypatch.setattr(
        search, "assign_bundles", lambda *a: bundles.append(assign(*a)) or bundles[-1]
    )
    real = search._run
    both = threading.Barrier(2, timeout=60)  # the two runs are under way at once

    def first_fails(binary: Path, site: Path, pages: list[str], output: Path) -> None:
        both.wait()
        if pages == bundles[-1][0]:  # while the second bundle is being indexed
            raise search.SearchIndexError("Pagefind failed to index the site (exit 1): boom")
        real(binary, site, pages, output)

    monkeypatch.setattr(search, "_run", first_fails)
    result = build(mini, out)
    assert result.exit_code == 1, result.output
    assert "boom" in result.output and "Traceback" not in result.output
    assert files(out) == previous
    leftovers = [p for p in (mini / CACHE).iterdir() if p.name.startswith(".search-")]
    assert leftovers == []
