"""Page keys (`site.page_cache.Fingerprint`) and the page cache's index (`site.page_index`).

Keys: the same in every process whatever the hash seed; different for any difference a template
could show (type or value, deep in a shared view); None for a type we do not vouch for. Index:
a rebuild takes what it needs of a page (digest, links, searchable) from the index without its
text, reads and verifies the text only to write it, and renders again whatever the index or an
entry cannot vouch for; a damaged or foreign index is ignored, never an error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import Markup

from menteo.cli import main
from menteo.site.page_cache import INDEX_FOLDER, PAGE_CACHE, PageCache
from menteo.site.page_index import SHARDS, IndexEntry, PageIndex
from test_incremental import KICKOFF, MINI, cold_build, no_pagefind, tree

__all__ = ["no_pagefind"]  # its autouse fixture: Pagefind replaced by a stand-in here too

ENTRY_PAGE = "threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/index.html"
PACK = "ab" * 32
"""A well-formed pack name."""


# ---------------------------------------------------------------- keys


@dataclasses.dataclass(frozen=True)
class Ref:
    slug: str
    name: str


@dataclasses.dataclass(frozen=True)
class Item:
    title: str
    author: Ref
    tags: tuple[str, ...]
    when: dt.date


@dataclasses.dataclass(frozen=True)
class Listing:
    items: tuple[Item, ...]
    note: str | None = None


@dataclasses.dataclass(frozen=True, eq=False)
class Token:
    """Two tokens with the same name are different dict keys."""

    name: str


def _keys(contexts: dict[str, dict[str, object]]) -> dict[str, str | None]:
    cache = PageCache(None, b"build")
    return {name: cache.key("t.html", None, context) for name, context in contexts.items()}


def test_a_change_deep_in_a_shared_view_changes_exactly_the_pages_that_show_it() -> None:
    def site(ana_name: str) -> dict[str, dict[str, object]]:
        ana, bo = Ref("ana", ana_name), Ref("bo", "Bo")
        first = Item("First", ana, ("css",), dt.date(2025, 1, 1))
        second = Item("Second", bo, ("html", "css"), dt.date(2025, 1, 2))
        shared = Listing((first, second))
        return {
            "home": {"listing": shared},
            "tag": {"entries": [first]},
            "first": {"entry": first, "thread": shared},
            "second": {"entry": second, "next": None},
            "ana": {"person": ana},
            "bo": {"person": bo, "listing": Listing((second,))},
        }

    before, after = _keys(site("Ana")), _keys(site("Ana Lima"))
    assert None not in before.values()
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"home", "tag", "first", "ana"}
    assert _keys(site("Ana")) == before  # new objects, same values: same keys


def test_values_that_print_alike_have_different_keys() -> None:
    ana = Ref("ana", "Ana")
    token, same_token = Token("t"), Token("t")
    values: list[object] = [
        1,
        True,
        1.0,
        "1",
        Markup("1"),
        b"1",
        None,
        "None",
        (1,),
        [1],
        {"a": 1},
        [("a", 1)],
        {"a": "1"},
        ("ana", "Ana"),
        ana,
        Listing((), None),
        Listing((), ""),
        dt.date(2025, 1, 1),
        dt.datetime(2025, 1, 1),
        dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        "2025-01-01",
        {token: 1, same_token: 2},
        {token: 2},
        {token: 1},
        {ana: 1},
        (ana, ana),
        (ana,),
    ]
    keys = _keys({str(index): {"x": value} for index, value in enumerate(values)})
    assert None not in keys.values()
    assert len(set(keys.values())) == len(values)


@pytest.mark.parametrize(
    "value",
    [
        {1, 2},
        frozenset({"a"}),
        Path("content"),
        object(),
        bytearray(b"1"),
        defaultdict(list),
        type("Text", (str,), {})("subclass of str"),
        Ref,  # a class, not one of its objects
        (Ref("a", "A"), {2}),
        {
            "deep": [Listing((Item("t", Ref("a", "A"), ("x", b"y"), dt.date(2025, 1, 1)),), "n")],
            "s": {1},
        },
    ],
)
def test_values_we_do_not_vouch_for_make_the_page_uncacheable(value: object) -> None:
    assert _keys({"page": {"x": value}})["page"] is None


_KEYS_SCRIPT = """
import os, sys
from pathlib import Path
from menteo.build import plan_site
from menteo.progress import Progress
from menteo.site.page_cache import PageCache
from menteo.site.pages import plan_pages

root = Path(sys.argv[1])
plan = plan_site(root, root / "_site", None, False, os.environ, Progress())
pages = plan_pages(plan.views, plan.community.config.feed_size, lambda text: text)
cache = PageCache.for_build(root, plan.dirs, "en", {"site": {"name": "x"}}, b"keys")
for page in pages:
    print(page.url, cache.key(page.template, page.head, page.context))
"""


def test_keys_are_the_same_in_every_process_whatever_the_hash_seed(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    assert (
        CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "o")]).exit_code == 0
    )
    runs = []
    for seed in ("1", "2", "random"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _KEYS_SCRIPT, str(root)],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(done.stdout)
    lines = runs[0].splitlines()
    assert len(lines) > 20 and not any(line.endswith(" None") for line in lines)
    assert runs[1] == runs[0] and runs[2] == runs[0]


# ---------------------------------------------------------------- the index


def _built(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    out = tmp_path / "_site"
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return root, out


def _shards(root: Path) -> list[Path]:
    return sorted(p for p in (root / PAGE_CACHE / INDEX_FOLDER).rglob("*") if p.is_file())


def _entry_files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in (root / PAGE_CACHE).rglob("*")
        if p.is_file() and INDEX_FOLDER not in p.relative_to(root / PAGE_CACHE).parts
    )


def _build(root: Path, out: Path) -> None:
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output


def test_a_rebuild_takes_unchanged_pages_from_the_index_without_their_text(
    tmp_path: Path, rendered: list[str]
) -> None:
    """With every cache entry gone but the index and the previous site there, nothing is
    rendered: no page text was needed (a rebuild that read the entries would render them all)."""
    root, out = _built(tmp_path)
    assert len(_shards(root)) > 1
    for entry in _entry_files(root):
        entry.unlink()
    rendered.clear()
    _build(root, out)
    assert rendered == []
    assert tree(out) == cold_build(root, tmp_path / "cold")


def test_an_index_entry_whose_text_is_missing_is_rendered_again(
    tmp_path: Path, rendered: list[str]
) -> None:
    """Without the previous site the text must be written: it is gone, so the page is rendered."""
    root, out = _built(tmp_path)
    for entry in _entry_files(root):
        entry.unlink()
    shutil.rmtree(out)
    rendered.clear()
    _build(root, out)
    assert len(rendered) > 20
    assert tree(out) == cold_build(root, tmp_path / "cold")


def _forge(pack: Path, offset: int, text: bytes, claimed: str) -> None:
    """The pack, well-formed (its table sealed again), holding `text` at `offset` instead of
    what it held there, its table claiming the digest `claimed` for it."""
    data = pack.read_bytes()
    header, rest = data.split(b"\n", 1)
    length = int(header.rsplit(b" ", 1)[1])
    table = json.loads(rest[65 : 65 + length])
    texts_at = len(header) + 1 + 65 + length
    texts = bytearray(data[texts_at:])
    texts[offset - texts_at : offset - texts_at + len(text)] = text
    start = texts_at
    for raw in table["texts"]:
        if start == offset:
            raw[1] = claimed
        start += raw[2]
    body = json.dumps(table, separators=(",", ":")).encode()
    header = header.rsplit(b" ", 1)[0] + b" %d\n" % len(body)
    pack.write_bytes(header + hashlib.sha256(body).hexdigest().encode() + b"\n" + body + texts)


@pytest.mark.parametrize("claim", ["its own digest", "the true page's digest"])
def test_an_index_entry_whose_text_was_altered_is_rendered_again(
    tmp_path: Path, rendered: list[str], claim: str
) -> None:
    """A cache entry that holds another text than the index describes is never written out, even
    when it is well-formed and claims the digest the index has: the text's digest is computed."""
    root, out = _built(tmp_path)
    index_entry = _indexed(root, ENTRY_PAGE)
    (pack,) = (root / PAGE_CACHE).glob(f"packs/*/{index_entry.pack}")
    forged = (out / ENTRY_PAGE).read_bytes().replace(b"Kick-off", b"Kick-OFF")
    assert len(forged) == index_entry.size
    own = hashlib.sha256(forged).hexdigest()
    claimed = own if claim == "its own digest" else index_entry.digest
    _forge(pack, index_entry.offset, forged, claimed)
    assert forged in pack.read_bytes()
    shutil.rmtree(out)
    rendered.clear()
    _build(root, out)
    assert [url for url in rendered if "kickoff" in url]
    site = tree(out)
    assert not any(b"Kick-OFF" in data for data in site.values())
    assert site == cold_build(root, tmp_path / "cold")


def _indexed(root: Path, page: str) -> IndexEntry:
    url = "/mini/" + page.removesuffix("index.html")
    (folder,) = (root / PAGE_CACHE / INDEX_FOLDER).iterdir()
    found = PageIndex(folder.parent, bytes.fromhex(folder.name)).get(url)
    assert found is not None
    return found


def _with_checksum(data: bytes, body: bytes) -> bytes:
    header = data.split(b"\n", 1)[0] + b"\n"
    return header + hashlib.sha256(body).hexdigest().encode() + b"\n" + body


DAMAGES = {
    "truncated": lambda data, other: data[: len(data) // 2],
    "empty": lambda data, other: b"",
    "bit flipped": lambda data, other: data[:-3] + bytes([data[-3] ^ 1]) + data[-2:],
    "another shard's file": lambda data, other: other,
    "another format": lambda data, other: data.replace(b"page-index 2", b"page-index 9", 1),
    "not JSON": lambda data, other: _with_checksum(data, b"\xff\xfe{"),
    "JSON of another shape": lambda data, other: _with_checksum(
        data, b'{"links": 3, "packs": [], "pages": []}'
    ),
    "entries of another shape": lambda data, other: _with_checksum(
        data,
        json.dumps(
            {
                "links": ["/mini/", 4],
                "packs": [PACK],
                "pages": {
                    "/mini/": [1, 2, 3],
                    "/mini/x/": ["k", "d", "3", True, [-1, "a"], 0, 0],
                    "/mini/0/": ["k", "d", 3, True, [], 0, -1],
                    "/mini/1/": ["k", "d", 3, True, [], "0", 0],
                    "/mini/2/": ["k", "d", -3, True, [], 0, 0],
                },
            }
        ).encode(),
    ),
    "links out of range": lambda data, other: _with_checksum(
        data,
        json.dumps(
            {"links": [], "packs": [PACK], "pages": {"/mini/": ["k", "d", 3, True, [7], 0, 0]}}
        ).encode(),
    ),
    "packs out of range": lambda data, other: _with_checksum(
        data,
        json.dumps(
            {"links": [], "packs": [PACK], "pages": {"/mini/": ["k", "d", 3, True, [], 1, 0]}}
        ).encode(),
    ),
    "a pack named as no pack is": lambda data, other: _with_checksum(
        data,
        json.dumps(
            {"links": [], "packs": ["../x"], "pages": {"/mini/": ["k", "d", 3, True, [], 0, 0]}}
        ).encode(),
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_or_foreign_index_is_ignored(tmp_path: Path, damage: str) -> None:
    """Whatever an index file holds, its pages are misses (looked up in their entries, rendered
    if those fail too); the build succeeds and equals a cold one, through the real CLI."""
    root, out = _built(tmp_path)
    shards = _shards(root)
    for number, shard in enumerate(shards):
        other = shards[(number + 1) % len(shards)].read_bytes()
        shard.write_bytes(DAMAGES[damage](shard.read_bytes(), other))
    folder = shards[0].parent
    index = PageIndex(folder.parent, bytes.fromhex(folder.name))
    urls = ["/mini/", "/mini/x/", *(f"/mini/{n}/" for n in range(200))]
    assert all(index.get(url) is None for url in urls)
    for entry in _entry_files(root):  # the entries too: every page must be rendered
        entry.write_bytes(entry.read_bytes()[:10])
    _build(root, out)
    assert tree(out) == cold_build(root, tmp_path / "cold")
    assert PageIndex(folder.parent, bytes.fromhex(folder.name)).get("/mini/") is not None


def test_a_lost_index_costs_reads_not_renders(tmp_path: Path, rendered: list[str]) -> None:
    """Without the index, pages are found in their entries (text read and checked), and the
    index is written again."""
    root, out = _built(tmp_path)
    shutil.rmtree(root / PAGE_CACHE / INDEX_FOLDER)
    rendered.clear()
    _build(root, out)
    assert rendered == []
    assert _shards(root)
    assert tree(out) == cold_build(root, tmp_path / "cold")


def test_a_rebuild_after_an_edit_rewrites_only_some_index_files(tmp_path: Path) -> None:
    root, out = _built(tmp_path)
    before = {p: p.read_bytes() for p in _shards(root)}
    with (root / KICKOFF).open("a", encoding="utf-8") as file:
        file.write("\nOne more line.\n")
    _build(root, out)
    after = {p: p.read_bytes() for p in _shards(root)}
    assert set(after) == set(before)
    assert 0 < sum(after[p] != before[p] for p in before) < len(before)
    assert tree(out) == cold_build(root, tmp_path / "cold")


def _entry(n: int) -> IndexEntry:
    pack = f"{n % 7:064x}"
    return IndexEntry(f"key{n}", f"digest{n}", n, n % 2 == 0, (f"/a/{n}/", "/a/#top"), pack, n)


def test_two_builds_saving_at_once_leave_whole_files_the_last_wins(tmp_path: Path) -> None:
    """Two builds load the same index, each saves its own pages; every file stays whole and
    holds what one of them wrote (the last), no temporary file is left."""
    folder = tmp_path / "index"
    PageIndex(folder, b"k").save({f"/p{n}/": _entry(n) for n in range(300)})
    first, second = PageIndex(folder, b"k"), PageIndex(folder, b"k")
    assert first.get("/p1/") == second.get("/p1/") == _entry(1)
    first.save({f"/p{n}/": _entry(n + 1000) for n in range(0, 300, 2)})
    second.save({f"/p{n}/": _entry(n + 2000) for n in range(1, 300, 2)})
    again = PageIndex(folder, b"k")
    for n in range(300):
        found = again.get(f"/p{n}/")
        assert found in (_entry(n), _entry(n + 1000), _entry(n + 2000))
        if n % 2:
            assert found == _entry(n + 2000)
    names = {p.name for p in (folder / b"k".hex()).iterdir()}
    assert len(names) > SHARDS // 2
    assert names <= {f"{n:02x}" for n in range(SHARDS)}  # no temporary file left
    assert PageIndex(folder, b"other").get("/p1/") is None


def test_concurrent_builds_of_one_community_keep_the_cache_sound(tmp_path: Path) -> None:
    """Two `menteo build` processes at once (after an edit, so both store pages and write the
    index): both succeed, and a third build equals a cold one."""
    root, out = _built(tmp_path)
    with (root / KICKOFF).open("a", encoding="utf-8") as file:
        file.write("\nA line for two builds.\n")
    command = [sys.executable, "-m", "menteo", "build", str(root), "--quiet", "--out"]
    running = [subprocess.Popen([*command, str(tmp_path / name)]) for name in ("a", "b")]
    assert [process.wait(timeout=300) for process in running] == [0, 0]
    _build(root, out)
    assert tree(out) == cold_build(root, tmp_path / "cold")
