"""The tail of a rebuild (issue 14): baked credential images remembered, the search index built
while the rest of the site is written, and neither changes a byte or weakens a check.

- Baked images (`credentials.cache.BakedCache`): a rebuild into the same `--out` bakes only the
  images whose inputs changed (a ledger line, a revocation, a badge's artwork, the keys) and
  writes exactly the files a cold build writes; a damaged, foreign or forged cache file is a
  miss (the images are baked and checked again), never a wrong file.
- Search in the background (`build._build`, `SiteWriter.branch`, `links.links_outside`): a
  Pagefind that fails while the rest is written fails the build with one error line, the old
  site intact; a build that fails in the main thread while Pagefind runs leaves the old site
  and no temporary folder; a rebuild with the real index is the cold build's site.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from menteo.cli import main
from menteo.credentials import baking
from menteo.credentials.cache import BAKED_CACHE, BAKED_FORMAT, BakedCache
from menteo.credentials.keys import generate_keys, write_keys
from menteo.sealed import seal
from menteo.site.links import links_outside
from menteo.site.previous_site import site_output

MINI = Path(__file__).parent / "fixtures" / "mini"
BAKERS = ("bake_ob2_png", "bake_ob2_svg", "bake_ob3_png", "bake_ob3_svg")
AWARDS = 3
"""Awards of the mini community with a published credential (each has 5 baked images)."""


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def build(project: Path, out: Path, *options: str) -> Result:
    result = run("build", str(project), "--out", str(out), "--jobs", "1", *options)
    assert result.exit_code == 0, result.output
    return result


def cold(project: Path, tmp_path: Path, name: str, *options: str) -> dict[str, str]:
    """The site a build with no cache and no previous site makes of `project` as it is now."""
    copy = tmp_path / f"cold-{name}" / "mini"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".menteo"))
    build(copy, tmp_path / f"cold-{name}" / "site", *options)
    return tree(tmp_path / f"cold-{name}" / "site")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINI, tmp_path / "mini", ignore=shutil.ignore_patterns(".menteo")))


@pytest.fixture
def bakes(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many images the build bakes."""
    counts = dict.fromkeys(BAKERS, 0)
    for name in BAKERS:
        original = getattr(baking, name)

        def counted(image: object, payload: str, name: str = name, original: Callable = original):
            counts[name] += 1
            return original(image, payload)

        counted.__qualname__ = original.__qualname__  # the cache key names the baker
        monkeypatch.setattr(baking, name, counted)
    return counts


def baked(counts: dict[str, int]) -> int:
    total = sum(counts.values())
    counts.update(dict.fromkeys(counts, 0))
    return total


# ------------------------------------------------------------------ 1. baked images


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _artwork(root: Path) -> None:
    (root / "badges/images").mkdir(exist_ok=True)
    (root / "badges/images/starter.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        "<circle cx='5' cy='5' r='4'/></svg>",
        encoding="utf-8",
    )
    _edit(root / "badges/starter.yaml", "name: Starter", "name: Starter\nimage: starter.svg")


def _revoke(root: Path) -> None:
    result = run(
        "revoke",
        "urn:uuid:d9ea9982-894d-5e2e-9061-294baa6eb751",
        str(root),
        "--reason",
        "Recorded twice.",
        env={"SOURCE_DATE_EPOCH": "1750000000"},
    )
    assert result.exit_code == 0, result.output


def _record(root: Path) -> None:
    """A ledger line: the award the shortened ledger left pending, recorded."""
    result = run("award", str(root), env={"SOURCE_DATE_EPOCH": "1750000000"})
    assert result.exit_code == 0 and "Recorded 1 award" in result.output, result.output


def _entry(root: Path) -> None:
    entry = next((root / "content/threads").glob("*/2025-03-04-kickoff.md"))
    entry.write_text(entry.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")


CHANGES: dict[str, tuple[Callable[[Path], None], int]] = {
    # the change, how many images it bakes again
    "an entry's text": (_entry, 0),
    "a ledger line": (_record, 5),  # the new award's five
    "a revocation": (_revoke, 1),  # the hosted OB 2.0 assertion says it is revoked
    "a badge's artwork": (_artwork, 5),  # Starter's one award
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_rebuild_bakes_only_what_changed_and_writes_the_cold_build(
    project: Path, tmp_path: Path, bakes: dict[str, int], change: str
) -> None:
    shorten = change == "a ledger line"
    if shorten:  # the last award and the revocation after it are not recorded yet
        ledger = project / "ledger/awards.jsonl"
        lines = ledger.read_text(encoding="utf-8").splitlines(keepends=True)
        ledger.write_text("".join(lines[:3]), encoding="utf-8")
    out = tmp_path / "site"
    build(project, out, "--no-search")
    assert baked(bakes) == 5 * (AWARDS - shorten)  # a cold build bakes every image
    build(project, out, "--no-search")
    assert baked(bakes) == 0
    edit, again = CHANGES[change]
    edit(project)
    build(project, out, "--no-search")
    assert baked(bakes) == again
    assert tree(out) == cold(project, tmp_path, change, "--no-search")


def test_rotated_keys_bake_every_image_again(
    project: Path, tmp_path: Path, bakes: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build(project, out, "--no-search")
    baked(bakes)
    folder = tmp_path / "new-keys"
    write_keys(folder, generate_keys(str(folder)))
    monkeypatch.setenv("MENTEO_KEYS", str(folder))
    build(project, out, "--no-search")
    assert baked(bakes) == 5 * AWARDS
    assert tree(out) == cold(project, tmp_path, "keys", "--no-search")


def _forged(data: bytes) -> bytes:
    """The cache file resealed with every stamp naming other bytes of the same size."""
    header_end = data.index(b"\n", len(BAKED_FORMAT)) + 1
    header, body = data[:header_end], data[header_end + 65 :]
    entries = json.loads(body)
    other = hashlib.sha256(b"forged").hexdigest()
    return seal(header, json.dumps({k: [other, size] for k, (_, size) in entries.items()}).encode())


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "truncated": lambda data: data[: len(data) // 2],
    "a byte changed": lambda data: data[:-3] + bytes([data[-3] ^ 1]) + data[-2:],
    "empty": lambda data: b"",
    "another format": lambda data: data.replace(b"images 1\n", b"images 9\n", 1),
    "other keys' needles": lambda data: data.replace(data[22:30], b"00000000", 1),
    "not JSON": lambda data: seal(data[: data.index(b"\n", len(BAKED_FORMAT)) + 1], b"[1, 2"),
    "forged stamps": _forged,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_or_forged_cache_is_a_miss(
    project: Path, tmp_path: Path, bakes: dict[str, int], damage: str
) -> None:
    out = tmp_path / "site"
    build(project, out, "--no-search")
    first = tree(out)
    baked(bakes)
    cache = project / BAKED_CACHE
    cache.write_bytes(DAMAGE[damage](cache.read_bytes()))
    build(project, out, "--no-search")
    assert baked(bakes) == 5 * AWARDS
    assert tree(out) == first
    build(project, out, "--no-search")  # remembered again
    assert baked(bakes) == 0


def test_a_committed_baked_cache_is_refused(project: Path, tmp_path: Path) -> None:
    """The cache is private state: one that arrived through a commit is never read."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    build(project, tmp_path / "site", "--no-search")
    subprocess.run([git, "init", "-q", str(project)], check=True)
    subprocess.run([git, "-C", str(project), "add", "-f", str(BAKED_CACHE)], check=True)
    result = run("build", str(project), "--out", str(tmp_path / "again"), "--no-search")
    assert result.exit_code == 1, result.output
    assert "baked.json" in result.output and "Traceback" not in result.output


def test_baked_cache_unit(tmp_path: Path) -> None:
    path = tmp_path / "baked.json"
    key = BakedCache.key("bake_ob2_png", "a" * 64, "payload")
    assert key != BakedCache.key("bake_ob3_png", "a" * 64, "payload")
    assert key != BakedCache.key("bake_ob2_png", "b" * 64, "payload")
    assert key != BakedCache.key("bake_ob2_png", "a" * 64, "payload ")
    first = BakedCache(path, b"needles")
    assert first.get(key) is None
    first.put(key, ("c" * 64, 10))
    first.save()
    assert BakedCache(path, b"needles").get(key) == ("c" * 64, 10)
    assert BakedCache(path, b"other needles").get(key) is None
    again = BakedCache(path, b"needles")
    again.save()  # this build used nothing: nothing is kept
    assert BakedCache(path, b"needles").get(key) is None


# ------------------------------------------------------------------ 2. search in the background


SLOW_FAILURE = '#!/bin/sh\n[ "$1" = "--service" ] || { echo "fake 0"; exit 0; }\nsleep 1\nexit 1\n'


def test_pagefind_failing_while_the_tail_runs_keeps_the_old_site(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build(project, out, "--no-search")
    before = tree(out)
    fake = tmp_path / "pagefind"
    fake.write_text(SLOW_FAILURE, encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    _entry(project)
    result = run("build", str(project), "--out", str(out), "--jobs", "1")
    assert result.exit_code == 1
    assert result.output.startswith("Error: Pagefind failed to index the site (exit 1)")
    assert result.output.rstrip().endswith("; nothing was written")
    assert "Traceback" not in result.output
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) in (
        [],
        [".site.spare"],
    )


def test_a_build_failing_while_pagefind_runs_waits_for_it_and_keeps_the_old_site(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build(project, out, "--no-search")
    before = tree(out)
    entry = next((project / "content/threads").glob("*/2025-03-04-kickoff.md"))
    entry.write_text(
        entry.read_text(encoding="utf-8") + "\n[gone](/mini/nowhere/)\n", encoding="utf-8"
    )
    result = run("build", str(project), "--out", str(out), "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert "broken internal link '/mini/nowhere/'" in result.output
    assert "Traceback" not in result.output
    assert tree(out) == before
    cache = project / ".menteo/cache/search"
    assert not [p for p in cache.iterdir() if p.name.startswith(".search-")]


def test_a_rebuild_with_the_search_index_is_the_cold_build(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(project, out)
    _entry(project)
    build(project, out)
    assert tree(out) == cold(project, tmp_path, "search")
    assert "pagefind/pagefind.js" in tree(out)


def test_links_into_the_search_folder_are_checked_apart() -> None:
    found = {
        "/b/pagefind/pagefind-ui.js": ("search/", None),
        "/b/pagefind/": ("search/", None),
        "/b/pagefinder/": ("a/", "x.md"),
        "/b/a/#top": ("a/", None),
        "/b/": ("a/", None),
    }
    outside, inside = links_outside(found, "pagefind", "/b/")
    assert set(inside) == {"/b/pagefind/pagefind-ui.js", "/b/pagefind/"}
    assert set(outside) == {"/b/pagefinder/", "/b/a/#top", "/b/"}
    assert {**outside, **inside} == found


def test_a_branch_writes_into_the_same_site_and_is_adopted(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with site_output(out) as site:
        site.put_bytes("a/index.html", b"page")
        site.put_bytes("pagefind/x.js", b"old")
    with site_output(out) as site:
        site.put_bytes("a/index.html", b"page")
        branch = site.branch()
        assert branch.files == site.files and branch.files is not site.files
        branch.put_bytes("pagefind/x.js", b"new")
        site.put_bytes("b.txt", b"b")
        assert "pagefind/x.js" not in site.files
        site.adopt(branch.files)
    assert tree(out) == {
        p: hashlib.sha256(d).hexdigest()
        for p, d in {
            "a/index.html": b"page",
            "b.txt": b"b",
            "pagefind/x.js": b"new",
            ".menteo-manifest.json": (out / ".menteo-manifest.json").read_bytes(),
        }.items()
    }


def test_keep_reuses_only_the_file_the_previous_site_holds(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with site_output(out) as site:
        site.put_bytes("a.png", b"image")
    digest = hashlib.sha256(b"image").hexdigest()
    with site_output(out) as site:
        assert not site.keep("a.png", hashlib.sha256(b"other").hexdigest())
        assert "a.png" not in site.files
        assert site.keep("a.png", digest)
        assert site.files["a.png"] == (digest, 5)
    assert (out / "a.png").read_bytes() == b"image"
