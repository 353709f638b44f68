"""Eviction of the page cache (`menteo.cache_eviction`): a successful build keeps the pages of
its own build key and of the last ones used before it, removes older keys' and the first
layout's folders, and never follows a link, leaves the cache or acts on a failed build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from menteo.cache_eviction import KEEP, evict_page_cache
from menteo.cli import main
from menteo.site.page_cache import INDEX_FOLDER, PAGE_CACHE
from menteo.site.page_store import PACKS_FOLDER

MINI = Path(__file__).parent / "fixtures" / "mini"
KICKOFF = "content/threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff.md"


def _keys(root: Path) -> dict[str, set[str]]:
    pages = root / PAGE_CACHE
    return {
        folder: {p.name for p in (pages / folder).iterdir()} if (pages / folder).is_dir() else set()
        for folder in (INDEX_FOLDER, PACKS_FOLDER)
    }


def _build(root: Path, out: Path, base_url: str) -> None:
    args = ["build", str(root), "--out", str(out), "--no-search", "--base-url", base_url]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


def _fake_key(root: Path, name: str, mtime: int) -> None:
    """A build key's folders as an earlier build left them, last used at `mtime`."""
    for folder in (INDEX_FOLDER, PACKS_FOLDER):
        made = root / PAGE_CACHE / folder / name
        made.mkdir(parents=True)
        (made / "00").write_bytes(b"an old page")
        os.utime(made, (mtime, mtime))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    made = tmp_path / "mini"
    shutil.copytree(MINI, made, ignore=shutil.ignore_patterns(".menteo"))
    return made


def test_a_build_keeps_its_key_and_the_last_ones_used_before_it(root: Path, tmp_path: Path) -> None:
    """Four base URLs, four build keys: after the fourth build the first key's pages are gone,
    the other three stay; a folder of the cache's first layout goes at once."""
    urls = [f"https://example.org/{n}/" for n in range(4)]
    first_layout = root / PAGE_CACHE / "ab"
    seen: list[set[str]] = []
    for n, url in enumerate(urls):
        _build(root, tmp_path / "out", url)
        seen.append(_keys(root)[INDEX_FOLDER])
        if n == 0:
            first_layout.mkdir()
            (first_layout / ("ab" + "0" * 62)).write_bytes(b"a page of the first layout")
    assert [len(keys) for keys in seen] == [1, 2, 3, 3]
    assert seen[3] == (seen[2] - seen[0]) | (seen[3] - seen[2])
    assert _keys(root)[PACKS_FOLDER] == seen[3]
    assert not first_layout.exists()
    # The evicted key's pages are rendered again, and the build still matches a fresh one.
    _build(root, tmp_path / "out", urls[0])
    _build(root, tmp_path / "fresh", urls[0])
    assert (tmp_path / "out/index.html").read_bytes() == (
        tmp_path / "fresh/index.html"
    ).read_bytes()


def test_a_failed_build_evicts_nothing(root: Path, tmp_path: Path) -> None:
    _build(root, tmp_path / "out", "https://example.org/")
    for n in range(KEEP + 2):
        _fake_key(root, f"{n:040x}", 1_000_000 + n)
    (root / PAGE_CACHE / "cd").mkdir()
    before = _keys(root)
    kickoff = root / KICKOFF
    kickoff.write_text(kickoff.read_text().replace("We agreed on goals.", "[x](/nowhere/)"))
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "broken internal link" in result.output
    after = _keys(root)  # its own pages may be remembered: nothing else changes
    assert all(before[folder] <= after[folder] for folder in before)
    assert (root / PAGE_CACHE / "cd").is_dir()


def test_the_current_key_and_the_most_recently_used_others_stay(tmp_path: Path) -> None:
    names = [f"{n:040x}" for n in range(6)]
    for n, name in enumerate(names):
        _fake_key(tmp_path, name, 1_000_000 + 1000 * n)
    current = names[0]  # the oldest on disk: a build that wrote nothing new under its key
    removed = evict_page_cache(tmp_path, bytes.fromhex(current), keep=3)
    kept = {current, names[5], names[4]}
    assert _keys(tmp_path) == {INDEX_FOLDER: kept, PACKS_FOLDER: kept}
    gone = sorted(f"{f}/{n}" for n in set(names) - kept for f in (INDEX_FOLDER, PACKS_FOLDER))
    assert removed == gone
    # The current key is marked as used: the next build with another key keeps it.
    evict_page_cache(tmp_path, bytes.fromhex(names[5]), keep=2)
    assert _keys(tmp_path)[INDEX_FOLDER] == {current, names[5]}


def test_links_in_the_cache_are_never_followed(tmp_path: Path) -> None:
    """A link named like a build key, a link inside an evicted key's folder, and names that are
    not our digests (`..` in them) are left alone; what they point at is untouched."""
    outside = tmp_path / "outside"
    (outside / "keep").mkdir(parents=True)
    (outside / "keep/file").write_bytes(b"not the cache's")
    root = tmp_path / "community"
    for n in range(5):
        _fake_key(root, f"{n:040x}", 1_000_000 + n)
    index = root / PAGE_CACHE / INDEX_FOLDER
    linked = f"{9:040x}"
    (index / linked).symlink_to(outside / "keep", target_is_directory=True)
    (index / f"{0:040x}" / "escape").symlink_to(outside, target_is_directory=True)
    (index / "..0000000000000000").mkdir()
    (root / PAGE_CACHE / ".." / "ab").mkdir()  # beside the page cache: not ours to judge
    removed = evict_page_cache(root, bytes.fromhex(f"{4:040x}"), keep=1)
    assert f"{INDEX_FOLDER}/{0:040x}" in removed
    assert (index / linked).is_symlink()
    assert (index / "..0000000000000000").is_dir()
    assert (root / PAGE_CACHE / ".." / "ab").is_dir()
    assert (outside / "keep/file").read_bytes() == b"not the cache's"


@pytest.mark.parametrize("linked", [".menteo", ".menteo/cache", ".menteo/cache/pages"])
def test_a_linked_cache_folder_evicts_nothing(tmp_path: Path, linked: str) -> None:
    """The cache (or a folder on the way to it) is a link to a folder elsewhere: nothing there
    is removed, however much it looks like old build keys."""
    elsewhere = tmp_path / "elsewhere"
    for n in range(5):
        _fake_key(elsewhere, f"{n:040x}", 1_000_000 + n)
    (elsewhere / PAGE_CACHE / "ab").mkdir()
    root = tmp_path / "community"
    root.mkdir()
    target = elsewhere / linked
    (root / linked).parent.mkdir(parents=True, exist_ok=True)
    (root / linked).symlink_to(target, target_is_directory=True)
    before = sorted(p.relative_to(elsewhere) for p in elsewhere.rglob("*"))
    assert evict_page_cache(root, bytes.fromhex(f"{4:040x}"), keep=1) == []
    assert sorted(p.relative_to(elsewhere) for p in elsewhere.rglob("*")) == before
