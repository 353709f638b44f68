"""A rebuild re-plans only what an edit touches: what each memo is keyed by, and nothing else.

Two memos of the plan are proven here:

- Input digests of views (`CommunityData.digests`, `_Builder.thread_inputs`, `view_inputs`,
  `Fingerprint.adopt`): a thread's view, its summary and its entries' views are keyed (in page
  keys) by a digest of the files they are made from, not by their fields. So each such digest
  must change exactly when its view may: a table of edits says which digests each edit moves,
  and after each edit an incremental build through the CLI equals a cold one, byte for byte.
- Entry excerpts, made once when an entry is read and remembered in the parse store with it.

The digests are those of the bytes read (a damaged or forged parse store is a miss: the file is
read and digested again), never a name from the content.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.test_incremental import cold_build, fake_index, tree

from menteo import build as build_module
from menteo.build import plan_site
from menteo.cli import main
from menteo.content.consent_text import NameMatcher
from menteo.content.excerpt import plain_excerpt
from menteo.content.loader import LoadMemo, load_community
from menteo.content.parse_store import PARSE_CACHE, load_remembered
from menteo.content.publication import Urls
from menteo.i18n import translations
from menteo.progress import Progress
from menteo.site.awards import RecognitionViews
from menteo.site.page_cache import Fingerprint, PageCache
from menteo.site.views import EntryView, Link, ThreadSummary, ThreadView, build_views

MINI = Path(__file__).parent / "fixtures" / "mini"
THREAD = "content/threads/ana-lukasiewicz--jonas-berg"
KICKOFF = f"{THREAD}/2025-03-04-kickoff.md"
FEEDBACK = f"{THREAD}/2025-05-20-feedback.md"
VIEWS = ("thread", "summary", "entry:2025-03-04-kickoff", "entry:2025-05-10-promoted")
EVERY_VIEW = {*VIEWS, "entry:2025-05-20-feedback"}


@pytest.fixture(autouse=True)
def no_pagefind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "index_site", fake_index)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "mini"
    shutil.copytree(MINI, copy, ignore=shutil.ignore_patterns(".menteo"))
    return copy


def view_digests(root: Path, out: Path) -> dict[str, bytes]:
    """Each view the plan keys by its inputs, named by kind (and entry slug) → that digest."""
    plan = plan_site(root, out, None, False, {}, Progress())
    named: dict[str, bytes] = {}
    for view, digest in plan.views.inputs:
        if isinstance(view, ThreadView):
            name = "thread"
        elif isinstance(view, ThreadSummary):
            name = "summary"
        else:
            assert isinstance(view, EntryView)
            name = f"entry:{view.slug}"
        assert name not in named
        named[name] = digest
    return named


def replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(root: Path, rel: str, text: str) -> None:
    with (root / rel).open("a", encoding="utf-8") as file:
        file.write(text)


def revoke(root: Path) -> None:
    lines = [json.loads(line) for line in (root / "ledger/awards.jsonl").read_text().splitlines()]
    revoked = {line.get("award") for line in lines}
    award = next(
        line["id"] for line in lines if line["event"] == "award" and line["id"] not in revoked
    )
    result = CliRunner().invoke(main, ["revoke", award, str(root), "--reason", "A mistake."])
    assert result.exit_code == 0, result.output


def template(root: Path) -> None:
    target = root / "overrides/templates/entry.html"
    target.parent.mkdir(parents=True)
    package = Path(build_module.__file__).parent / "themes/default/templates/entry.html"
    text = package.read_text(encoding="utf-8")
    target.write_text(text.replace("{% block main %}", "{% block main %}<!-- edited -->", 1))


EDITS: list[tuple[str, Callable[[Path], None], set[str]]] = [
    ("entry body", lambda r: append(r, KICKOFF, "\nOne more line.\n"), {"thread", VIEWS[2]}),
    (
        "rating",
        lambda r: replace(r, FEEDBACK, "rating: 5", "rating: 2"),
        {"thread", "entry:2025-05-20-feedback"},
    ),
    ("a file rewritten as it was", lambda r: append(r, KICKOFF, ""), set()),
    (
        "person in the thread",
        lambda r: replace(r, "content/mentees/jonas-berg.yaml", "Backend", "Platform"),
        EVERY_VIEW,  # a person's file is digested whole: more than their name and consent
    ),
    (
        "person's name",
        lambda r: replace(r, "content/mentees/jonas-berg.yaml", "Jonas Berg", "Jonas B."),
        EVERY_VIEW,
    ),
    (
        "consent",
        lambda r: replace(r, "content/mentees/jonas-berg.yaml", "public: true", "public: false"),
        EVERY_VIEW,
    ),
    (
        "person of another thread",
        lambda r: replace(r, "content/mentees/quiet-one.yaml", "Wen", "Wendy"),
        set(),
    ),
    (
        "roadmap",
        lambda r: replace(r, "content/roadmaps/sre.yaml", "Incident response", "Incidents"),
        EVERY_VIEW,
    ),
    (
        "badge",
        lambda r: replace(r, "badges/starter.yaml", "a first session", "one session"),
        set(),
    ),
    (
        "config description",
        lambda r: replace(r, "menteo.yml", "A tiny community", "A small community"),
        set(),
    ),
    (
        "config base URL",
        lambda r: replace(r, "menteo.yml", "example.org/mini/", "example.org/circle/"),
        EVERY_VIEW,
    ),
    (
        "config visibility",
        lambda r: replace(
            r, "menteo.yml", "thread_visibility: public", "thread_visibility: summary"
        ),
        EVERY_VIEW,
    ),
    ("template", template, set()),
    ("ledger", revoke, set()),
]


@pytest.mark.parametrize(("edit", "change", "moved"), EDITS, ids=[e[0] for e in EDITS])
def test_each_view_digest_moves_exactly_with_what_it_reads(
    root: Path, tmp_path: Path, edit: str, change: Callable[[Path], None], moved: set[str]
) -> None:
    """An edit moves the digests of exactly the views that read what it changed (a byte-for-byte
    identical file moves none), and the incremental site after it is the cold one."""
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(root), "--out", str(out)]).exit_code == 0
    before = view_digests(root, out)
    assert set(before) == EVERY_VIEW
    change(root)
    after = view_digests(root, out)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert changed == moved, edit
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert tree(out) == cold_build(root, tmp_path / "cold"), edit


def test_a_renamed_entry_with_the_same_bytes_is_a_new_view(root: Path, tmp_path: Path) -> None:
    """An entry's digest is of its bytes AND its file: a renamed file (a new slug, a new URL) with
    the same bytes is another view, and its thread's view changes with it."""
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(root), "--out", str(out)]).exit_code == 0
    before = view_digests(root, out)
    (root / KICKOFF).rename(root / THREAD / "2025-03-04-first-call.md")
    after = view_digests(root, out)
    assert after["summary"] == before["summary"]
    assert after["thread"] != before["thread"]
    assert after["entry:2025-03-04-first-call"] != before["entry:2025-03-04-kickoff"]
    assert CliRunner().invoke(main, ["build", str(root), "--out", str(out)]).exit_code == 0
    assert tree(out) == cold_build(root, tmp_path / "cold")


def test_digests_are_of_the_bytes_read_even_from_a_damaged_or_forged_store(root: Path) -> None:
    """Every record's digest is the SHA-256 of its file as it is; a parse store whose shards
    are damaged, or swapped with each other (a forged store), is a miss, never a digest."""
    memo = LoadMemo()
    community = load_remembered(root, None, memo)

    def actual() -> dict[str, bytes]:
        return {
            rel: hashlib.sha256((root / rel).read_bytes()).digest() for rel in community.digests
        }

    files = [*(root / "content").rglob("*.*"), *(root / "badges").glob("*.yaml")]
    assert sorted(community.digests) == sorted(f.relative_to(root).as_posix() for f in files)
    assert dict(community.digests) == actual()
    shards = sorted((root / PARSE_CACHE).iterdir())
    first, second = shards[0].read_bytes(), shards[1].read_bytes()
    shards[0].write_bytes(second)
    shards[1].write_bytes(first[:-1] + bytes([first[-1] ^ 1]))
    append(root, KICKOFF, "\nEdited after the store was written.\n")
    community = load_remembered(root, None, LoadMemo())
    assert dict(community.digests) == actual()


def test_no_digests_no_input_keys(root: Path) -> None:
    """A load without a `LoadMemo` has no digests, and views made from it (or with labels in
    another catalog than the site's) are keyed by their fields only."""
    community = load_community(root)
    assert community.digests == {}
    urls = Urls(community.config.base_url)
    english = translations("en").gettext
    assert build_views(community, urls, RecognitionViews(), gettext=english).inputs == []
    remembered = load_remembered(root, None, LoadMemo())
    assert build_views(remembered, urls, RecognitionViews(), gettext=english).inputs
    assert build_views(remembered, urls, RecognitionViews(), gettext=str).inputs == []


def test_adopted_objects_are_keyed_by_their_inputs_tagged_apart() -> None:
    """`Fingerprint.adopt` keys an object by the digest it is given instead of its fields: the
    same object under two input digests gives two keys, under one the same key in any build,
    and never the key of its fields."""
    link = Link("a", "/b/")
    first, second, again, plain = Fingerprint(), Fingerprint(), Fingerprint(), Fingerprint()
    first.adopt([(link, b"x" * 32)])
    second.adopt([(link, b"y" * 32)])
    again.adopt([(Link("a", "/b/"), b"x" * 32), (link, b"x" * 32)])
    assert first.digest({"link": link}) != second.digest({"link": link})
    assert first.digest({"link": link}) == again.digest({"link": link})
    assert first.digest({"link": link}) != plain.digest({"link": link})


def test_page_keys_after_an_entry_edit_move_only_for_pages_showing_that_entry(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the CLI: after a body edit only the pages that show the entry are rendered again
    (its page, its thread's, its neighbours', the lists and feeds that excerpt it)."""
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(root), "--out", str(out)]).exit_code == 0
    rendered: list[str] = []
    original = build_module.render_pages

    def counting(*args: object, **kwargs: object) -> object:
        cache = args[4]
        assert isinstance(cache, PageCache)
        rendered.extend(page.url for page, _, known in cache.lookup(args[1]) if known is None)  # type: ignore[arg-type]
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "render_pages", counting)
    append(root, f"{THREAD}/2025-05-20-feedback.md", "\nAnd thanks again.\n")
    assert CliRunner().invoke(main, ["build", str(root), "--out", str(out)]).exit_code == 0
    thread = "/mini/threads/ana-lukasiewicz--jonas-berg/"
    assert f"{thread}2025-05-20-feedback/" in rendered
    assert f"{thread}2025-03-04-kickoff/" not in rendered  # not a neighbour: untouched
    assert "/mini/mentors/ana-lukasiewicz/" not in rendered  # shows the thread's summary only


def test_excerpts_are_made_when_entries_are_read_and_remembered(root: Path) -> None:
    """An entry's excerpt is its body's, made at load; the parse store gives it back as made."""
    community = load_remembered(root, None, LoadMemo())
    entry = community.threads["ana-lukasiewicz--jonas-berg"].entries[0]
    body = (root / KICKOFF).read_text(encoding="utf-8").split("---\n", 2)[2]
    assert entry.excerpt == plain_excerpt(body)
    again = load_remembered(root, None, LoadMemo())
    assert again.threads["ana-lukasiewicz--jonas-berg"].entries[0].excerpt == entry.excerpt


def _judging(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every search of the consent check (and of entries parsed), with the texts searched."""
    searched: list[list[str]] = []
    original = NameMatcher.find_all

    def find_all(self: NameMatcher, texts: list[str]) -> object:
        searched.append(list(texts))
        return original(self, texts)

    monkeypatch.setattr(NameMatcher, "find_all", find_all)
    return searched


def test_the_consent_check_searches_again_exactly_the_files_that_changed(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file found naming nobody is not searched again while its bytes, the fields judged and
    the names searched for are those it was judged with; menteo.yml is always searched."""
    load_remembered(root, None, LoadMemo())
    searched = _judging(monkeypatch)
    load_remembered(root, None, LoadMemo())
    assert len(searched) == 1  # menteo.yml
    searched.clear()
    replace(root, "content/roadmaps/sre.yaml", "Incident response", "Incidents")
    load_remembered(root, None, LoadMemo())
    assert len(searched) == 2 and any("Incidents" in text for text in searched[1])
    searched.clear()
    replace(root, "menteo.yml", "thread_visibility: public", "thread_visibility: summary")
    load_remembered(root, None, LoadMemo())  # the thread's summary is no longer judged
    assert len(searched) == 2 and not any("Getting Jonas" in str(t) for t in searched[1])
    searched.clear()
    replace(root, "content/mentees/quiet-one.yaml", "Wen", "Wendy")  # the names searched for
    load_remembered(root, None, LoadMemo())
    judged_again = len(searched)
    assert judged_again > 5  # every file, and every entry parsed again


def test_a_file_naming_someone_is_reported_after_a_clean_build(root: Path, tmp_path: Path) -> None:
    """Through the CLI: a clean build remembers its files as clean; a thread summary edited to
    name a person without consent is searched (its bytes changed) and refused."""
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["build", str(root), "--out", str(out)]).exit_code == 0
    replace(root, f"{THREAD}/thread.yaml", "Getting Jonas", "Getting Jonas and Wen Quietname")
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 1
    assert f"{THREAD}/thread.yaml" in result.output and "quiet-one" in result.output


def test_a_damaged_or_foreign_judged_file_is_a_miss(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A judged file that is damaged, or copied from another menteo's store, judges nothing:
    every file is searched again."""
    load_remembered(root, None, LoadMemo())
    path = root / PARSE_CACHE / "judged"
    stored = path.read_bytes()
    searched = _judging(monkeypatch)
    load_remembered(root, None, LoadMemo())
    assert len(searched) == 1  # as stored: only menteo.yml is searched
    for damaged in (stored[:-1], stored.replace(b"menteo-parse-cache", b"menteo-parse-cachf")):
        path.write_bytes(damaged)
        searched.clear()
        load_remembered(root, None, LoadMemo())
        assert len(searched) > 5
