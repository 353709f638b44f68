"""Incremental builds (the page cache, `menteo.site.page_cache`, and the spare site updated in
place, `menteo.site.previous_site`) are byte-identical to cold ones.

Random, seeded sequences of changes to a copy of the mini community (edits, additions,
deletions and renames of entries, renamed people, template overrides and project themes,
config and badge changes); after each, a build into the same output with the cache must equal,
file for file and byte for byte, a cold build of the same input into a fresh output with no
cache. The search index is replaced by a stand-in that records the searchable pages (Pagefind's
own bundles are the search index's tests' business; which pages it is fed is the renderer's).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from menteo import build as build_module
from menteo.atomic_output import finish_removals
from menteo.build import build_site
from menteo.cli import main
from menteo.recognition.memo_store import EVALUATION_CACHE
from menteo.site import page_cache
from menteo.site.page_cache import FORMAT, PAGE_CACHE, PageCache
from menteo.site.page_store import PackWriter
from menteo.site.previous_site import MANIFEST, PreviousSite, SiteWriter

MINI = Path(__file__).parent / "fixtures" / "mini"
THREAD = "content/threads/ana-lukasiewicz--jonas-berg"
KICKOFF = f"{THREAD}/2025-03-04-kickoff.md"
PACKAGE_TEMPLATES = Path(page_cache.__file__).resolve().parent.parent / "themes/default/templates"
SEEDS = (1, 2, 3)
EXTRA_STEPS = 2
TEMPLATE_ANCHORS = (
    ("base.html", "{% block main %}"),
    ("entry.html", "{% block main %}"),
    ("tag.html", "{% block main %}"),
    ("person.html", "{% block main %}"),
    ("macros.html", "{% macro person(ref) -%}"),
)
"""Templates, and a place in each where a change shows on the pages that use it."""
FORGED = b"<html>an older menteo's page</html>"


def fake_index(
    site: Path,
    searchable: list[str],
    shard_pages: int,
    cache: Path | None = None,
    files: SiteWriter | None = None,
) -> list[str]:
    """Pagefind's stand-in: the files the search page links to, and the pages it would index
    (the real index's own reuse is proven byte-identical in test_search_index.py), written as
    the real index writes its files."""
    files = files if files is not None else SiteWriter(site)
    for name in ("pagefind-ui.css", "pagefind-ui.js"):
        files.put_bytes(f"pagefind/{name}", b"")
    files.put_bytes("pagefind/pages.txt", "\n".join(sorted(searchable)).encode("utf-8"))
    return ["pagefind/pagefind-ui.css", "pagefind/pagefind-ui.js", "pagefind/pages.txt"]


@pytest.fixture(autouse=True)
def no_pagefind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "index_site", fake_index)


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def cold_build(root: Path, scratch: Path) -> dict[str, bytes]:
    """A build of a copy of `root` with its keys but no page cache or remembered evaluation,
    into a fresh folder (the signature and image caches stay: they are not under test, and slow
    without)."""
    shutil.rmtree(scratch, ignore_errors=True)
    copy = scratch / "community"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("pages", "evaluation"))
    assert not (copy / PAGE_CACHE).exists()
    assert not (copy / EVALUATION_CACHE).exists()
    build_site(copy, scratch / "out", workers=1)
    return tree(scratch / "out")


class Changes:
    """Valid changes to a community, one at a time, chosen by a seeded random generator."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root, self.rng, self.count = root, rng, 0
        self.added: list[Path] = []

    def sequence(self, extra: int) -> list[Callable[[], str]]:
        """Every kind of change once, in a random order, then `extra` random ones."""
        kinds: list[Callable[[], str]] = [
            self.edit_entry,
            self.add_entry,
            self.delete_entry,
            self.rename_entry,
            self.rename_person,
            self.template,
            self.config,
            self.badge,
        ]
        self.rng.shuffle(kinds)
        return kinds + [self.rng.choice(kinds) for _ in range(extra)]

    def _replace(self, rel: str, old: str, new: str) -> None:
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def edit_entry(self) -> str:
        entries = sorted((self.root / "content/threads").rglob("*.md"))
        entry = self.rng.choice(entries)
        with entry.open("a", encoding="utf-8") as file:
            file.write(f"\nOne more line, number {self.count}.\n")
        return f"edit {entry.name}"

    def add_entry(self) -> str:
        day = len(self.added) + 1 + self.count % 3
        path = self.root / THREAD / f"2025-06-{day:02d}-note-{self.count}.md"
        tags = self.rng.choice(["[oncall]", "[slo, oncall]", "[]"])
        path.write_text(
            f"---\nkind: session\ndate: 2025-06-{day:02d}\nauthor: ana-lukasiewicz\n"
            f"title: Note {self.count}\ntags: {tags}\n---\nWe talked about step {self.count}.\n",
            encoding="utf-8",
        )
        self.added.append(path)
        return f"add {path.name}"

    def delete_entry(self) -> str:
        if not self.added:
            return self.add_entry()
        path = self.added.pop(self.rng.randrange(len(self.added)))
        path.unlink()
        return f"delete {path.name}"

    def rename_entry(self) -> str:
        if not self.added:
            return self.add_entry()
        index = self.rng.randrange(len(self.added))
        path = self.added[index]
        renamed = path.with_name(path.name.replace("note-", f"renamed{self.count}-"))
        path.rename(renamed)
        self.added[index] = renamed
        return f"rename {path.name} to {renamed.name}"

    def rename_person(self) -> str:
        rel = "content/mentees/jonas-berg.yaml"
        old = (self.root / rel).read_text(encoding="utf-8").splitlines()[0]
        self._replace(rel, old, f"name: Jonas Berg {self.count}")
        return "rename Jonas"

    def template(self) -> str:
        """A visible change to a template, as a project override or in the project's theme
        folder, or the removal of an earlier one."""
        folder = self.rng.choice(["overrides/templates", "themes/default/templates"])
        name, anchor = self.rng.choice(TEMPLATE_ANCHORS)
        target = self.root / folder / name
        if target.exists() and self.rng.random() < 0.5:
            target.unlink()
            return f"remove {folder}/{name}"
        text = (PACKAGE_TEMPLATES / name).read_text(encoding="utf-8")
        assert anchor in text
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.replace(anchor, f"{anchor}<!-- v{self.count} -->", 1))
        return f"template {folder}/{name}"

    def config(self) -> str:
        old = (self.root / "menteo.yml").read_text(encoding="utf-8").splitlines()[3]
        assert old.startswith("description:")
        self._replace("menteo.yml", old, f"description: A tiny community, version {self.count}.")
        return "config"

    def badge(self) -> str:
        rel = "badges/guide.yaml"
        old = next(
            line
            for line in (self.root / rel).read_text(encoding="utf-8").splitlines()
            if line.startswith("description:")
        )
        self._replace(rel, old, f"description: For mentors of **several** mentees ({self.count}).")
        return "badge"


@pytest.mark.parametrize("seed", SEEDS)
def test_random_changes_build_like_cold(tmp_path: Path, seed: int) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    out = tmp_path / "_site"
    build_site(root, out, workers=1)
    folders = [out.stat().st_ino]
    changes = Changes(root, random.Random(seed))
    for step, change in enumerate(changes.sequence(EXTRA_STEPS)):
        changes.count += 1
        done = change()
        build_site(root, out, workers=1)
        folders.append(out.stat().st_ino)
        if step > 0:  # from the third build on, the spare left two builds before is updated
            assert folders[-1] == folders[-3], f"step {step}: {done}"
        cold = cold_build(root, tmp_path / "cold")
        incremental = tree(out)
        assert sorted(incremental) == sorted(cold), f"step {step}: {done}"
        differing = [name for name in cold if incremental[name] != cold[name]]
        assert differing == [], f"step {step}: {done}"


def test_cache_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild after one edit renders that entry's pages only (else the tests above would pass
    without any cache)."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    build_site(root, tmp_path / "out", workers=1)
    rendered: list[str] = []
    original = build_module.render_pages

    def counting(*args: object, **kwargs: object) -> object:
        cache = args[4]
        assert isinstance(cache, PageCache)
        lookup = cache.lookup(args[1])  # type: ignore[arg-type]
        rendered.extend(page.url for page, _, text in lookup if text is None)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "render_pages", counting)
    build_site(root, tmp_path / "out", workers=1)
    assert rendered == []
    with (root / KICKOFF).open("a", encoding="utf-8") as file:
        file.write("\nOne more line.\n")
    build_site(root, tmp_path / "out", workers=1)
    assert "/mini/threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/" in rendered
    assert 0 < len(rendered) < 10


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in (root / PAGE_CACHE).rglob("*") if p.is_file())


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data.replace(b"Kick-off", b"Kick-ON!"),  # text changed, digest not
        lambda data: b"",
        lambda data: b"\xff" * 100,
        lambda data: FORMAT + b"0" * 64 + b"\n<html>forged</html>",
    ],
)
def test_damaged_cache_entries_are_misses(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    out = tmp_path / "_site"
    build_site(root, out, workers=1)
    entries = _entries(root)
    assert entries
    for entry in entries:
        entry.write_bytes(damage(entry.read_bytes()))
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert tree(out) == cold_build(root, tmp_path / "cold")


def test_cache_of_another_menteo_version_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries made by another menteo (here: its pages say so) are never served."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    out = tmp_path / "_site"
    monkeypatch.setattr(page_cache, "code_key", lambda: b"menteo 0.0.1")
    original = build_module.render_pages

    def older_menteo(*args: object, **kwargs: object) -> object:
        rendered = original(*args, **kwargs)  # type: ignore[arg-type]
        cache = args[4]
        assert isinstance(cache, PageCache)
        packs = PackWriter(cache.pack_folder)
        for page in args[1]:  # type: ignore[attr-defined]
            key = cache.key(page.template, page.head, page.context)
            assert key is not None
            packs.add(page.url, key, FORGED, hashlib.sha256(FORGED).hexdigest(), False, ())
        packs.flush()
        assert cache.index is not None
        cache.index.save(packs.stored)
        return rendered

    monkeypatch.setattr(build_module, "render_pages", older_menteo)
    build_site(root, out, workers=1)
    monkeypatch.undo()
    monkeypatch.setattr(build_module, "index_site", fake_index)
    build_site(root, out, workers=1)
    site = tree(out)
    assert not any(b"an older menteo" in data for data in site.values())
    assert site == cold_build(root, tmp_path / "cold")


def test_page_cache_tracked_by_git_is_refused(tmp_path: Path) -> None:
    """A pull request that commits `.menteo/cache/pages/` would have its pages served as ours."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    out = tmp_path / "_site"
    build_site(root, out, workers=1)
    planted = _entries(root)[0]
    planted.write_bytes(FORMAT + b"0" * 64 + b"\n<html>attacker</html>")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q", str(root)], check=True)
    subprocess.run([*git, "-C", str(root), "add", "."], check=True)
    subprocess.run([*git, "-C", str(root), "add", "-f", PAGE_CACHE.as_posix()], check=True)
    subprocess.run([*git, "-C", str(root), "commit", "-qm", "planted"], check=True)
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "new")])
    assert result.exit_code == 1
    assert "tracked by git" in result.output
    assert ".menteo/cache/pages" in result.output
    assert not (tmp_path / "new").exists()


def test_page_cache_behind_a_symlink_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ".menteo" / "cache").mkdir(parents=True)
    (root / PAGE_CACHE).symlink_to(elsewhere)
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "symbolic link" in result.output
    assert list(elsewhere.iterdir()) == []


def test_workers_making_the_same_cache_folder_at_once_do_not_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Render workers store pages in the same two-hex folders: a folder another worker made
    between the check and the mkdir is theirs to share, not an error."""
    from menteo import private_state

    target = tmp_path / ".menteo" / "cache" / "pages" / "5b"
    real_exists = Path.exists

    def racing_exists(self: Path) -> bool:
        if self == target and not real_exists(self):
            self.mkdir(parents=True)  # the other worker wins the race
            return False
        return real_exists(self)

    monkeypatch.setattr(Path, "exists", racing_exists)
    private_state.make_private_folder(target)
    assert target.is_dir()


# ---------------------------------------------------------------- the previous site, reused


def _witness(out: Path, into: Path) -> dict[str, bytes]:
    """Hard-link every file of `out` into `into` (a second name for the same file), and say what
    each held: a build that wrote into a file it shares with the previous site would show."""
    shutil.rmtree(into, ignore_errors=True)
    held = tree(out)
    for name in held:
        (into / name).parent.mkdir(parents=True, exist_ok=True)
        os.link(out / name, into / name)
    return held


def test_random_changes_never_touch_files_of_the_previous_site(tmp_path: Path) -> None:
    """Incremental builds link unchanged pages from the previous site, and still equal cold
    builds; no file shared with a previous site is ever written to."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    out = tmp_path / "_site"
    build_site(root, out, workers=1)
    changes = Changes(root, random.Random(4))
    linked = 0
    for step, change in enumerate(changes.sequence(0)):
        changes.count += 1
        done = change()
        held = _witness(out, tmp_path / "witness")
        build_site(root, out, workers=1)
        assert tree(tmp_path / "witness") == held, f"step {step}: {done}"
        witness = {(out / name).stat().st_ino for name in held if (out / name).exists()}
        linked += sum(1 for p in out.rglob("*") if p.is_file() and p.stat().st_ino in witness)
        assert tree(out) == cold_build(root, tmp_path / "cold"), f"step {step}: {done}"
    assert linked > 0


def test_unchanged_pages_are_linked_from_the_previous_site(tmp_path: Path) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    out = tmp_path / "_site"
    build_site(root, out, workers=1)
    before = {name: (out / name).stat().st_ino for name in tree(out)}
    with (root / KICKOFF).open("a", encoding="utf-8") as file:
        file.write("\nOne more line.\n")
    build_site(root, out, workers=1)
    after = {name: (out / name).stat().st_ino for name in tree(out)}
    kept = {name for name in after if before.get(name) == after[name]}
    assert "mentors/ana-lukasiewicz/index.html" in kept
    assert "threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/index.html" not in kept
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]["index.html"]
    finish_removals()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["._site.menteo-spare", "_site", "mini"]


def test_failed_rebuild_leaves_the_previous_site_intact(tmp_path: Path) -> None:
    """A rebuild that links the previous site's pages, then fails (a broken link in a template
    override), leaves that site exactly as it was, through the real CLI."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    out = tmp_path / "_site"
    assert CliRunner().invoke(main, ["build", str(root), "--out", str(out)]).exit_code == 0
    before = tree(out)
    inodes = {name: (out / name).stat().st_ino for name in before}
    footer = root / "overrides/templates/entry.html"
    footer.parent.mkdir(parents=True)
    text = (PACKAGE_TEMPLATES / "entry.html").read_text(encoding="utf-8")
    footer.write_text(
        text.replace("{% block main %}", '{% block main %}<a href="/mini/nope/">x</a>')
    )
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "nope" in result.output
    assert tree(out) == before
    assert {name: (out / name).stat().st_ino for name in before} == inodes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site", "mini"]


def _same_size_forgery(data: bytes) -> bytes:
    forged = data.replace(b"Ana", b"EVL")
    assert forged != data and len(forged) == len(data)
    return forged


@pytest.mark.parametrize("how", ["linked page", "linked folder", "linked manifest"])
def test_previous_site_files_behind_links_are_never_reused(tmp_path: Path, how: str) -> None:
    """Whatever the previous output folder claims through symbolic links (a page, a folder on the
    way to it, the manifest itself), the rebuild writes its own pages."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    out = tmp_path / "_site"
    build_site(root, out, workers=1)
    outside = tmp_path / "outside"
    mentor = out / "mentors/ana-lukasiewicz/index.html"
    forged_page = _same_size_forgery(mentor.read_bytes())
    if how == "linked page":
        outside.mkdir()
        (outside / "index.html").write_bytes(forged_page)
        mentor.unlink()
        mentor.symlink_to(outside / "index.html")
    elif how == "linked folder":
        shutil.copytree(out / "mentors", outside)
        (outside / "ana-lukasiewicz/index.html").write_bytes(forged_page)
        shutil.rmtree(out / "mentors")
        (out / "mentors").symlink_to(outside)
    else:
        shutil.copytree(out, outside)
        (out / MANIFEST).rename(outside / MANIFEST)
        (out / MANIFEST).symlink_to(outside / MANIFEST)
        mentor.write_bytes(forged_page)
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    site = tree(out)
    # The forged page itself, not its three-letter mark: "EVL" turns up by chance in a signature
    # now and then (one key pair per test session signs every credential of the site).
    assert forged_page not in site.values()
    assert not any(p.is_symlink() for p in out.rglob("*"))
    assert site == cold_build(root, tmp_path / "cold")


@pytest.mark.parametrize(
    "manifest",
    [
        b"not json",
        b"[]",
        b'{"format": 2, "files": []}',
        b'{"format": 99, "files": {}}',
        b'{"format": 1, "pages": {"index.html": "' + b"0" * 64 + b'"}}',
        b'{"format": 2, "files": {"../outside/index.html": ["' + b"0" * 64 + b'", 1]}}',
        b'{"format": 2, "files": {"/etc/passwd": ["' + b"0" * 64 + b'", 1]}}',
        b'{"format": 2, "files": {"index.html": ["' + b"0" * 64 + b'", -1]}}',
    ],
)
def test_foreign_manifests_reuse_nothing(tmp_path: Path, manifest: bytes) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    out = tmp_path / "_site"
    build_site(root, out, workers=1)
    (out / MANIFEST).write_bytes(manifest)
    previous = PreviousSite.read(out)
    assert previous is None or previous.files == {}
    build_site(root, out, workers=1)
    assert tree(out) == cold_build(root, tmp_path / "cold")
