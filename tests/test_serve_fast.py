"""`menteo serve` shows an edited entry first: its thread's page and its own page are moved into
the preview and announced before the full plan starts, never with text that skipped validation,
and the full plan then leaves the preview equal to a cold build (or the last good site)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import menteo.serve
from menteo.build import SitePlan, build_site
from menteo.content.loader import LoadMemo, load_community, reload_entries
from menteo.errors import ContentError, Problem
from menteo.serve import EVENTS_PATH, PREVIEW_DIR, Preview
from test_serve import (
    FEEDBACK,
    KICKOFF,
    MENTOR,
    MINI,
    THREAD,
    URL,
    Running,
    _edit,
    _feedback,
    _files,
    built_preview,
)
from test_serve import _session as _new_session

THREAD_PAGE = "threads/ana-lukasiewicz--jonas-berg/index.html"
KICKOFF_PAGE = "threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/index.html"
MENTOR_PAGE = "mentors/ana-lukasiewicz/index.html"


@dataclass
class Seen:
    """What the preview held when the full plan was asked for, rebuild by rebuild."""

    preview: Preview
    pages: list[dict[str, str]] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)
    fail: bool = False
    """Make the full plan fail (as a problem found only there would)."""

    def page(self, name: str) -> str:
        return (self.preview.out / name).read_text(encoding="utf-8")


@pytest.fixture
def seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Seen]:
    """A built preview of a copy of the mini community, whose full plans are watched."""
    preview = built_preview(tmp_path)
    watched = Seen(preview)
    plan_site = menteo.serve.plan_site

    def watching(*args: Any, **kwargs: Any) -> SitePlan:
        watched.pages.append({n: watched.page(n) for n in (THREAD_PAGE, KICKOFF_PAGE, MENTOR_PAGE)})
        watched.versions.append(preview.version)
        if watched.fail:
            raise ContentError([Problem("badges/beacon.yaml", 1, "", "found by the full plan")])
        return plan_site(*args, **kwargs)

    monkeypatch.setattr(menteo.serve, "plan_site", watching)
    yield watched


def _fresh(project: Path, out: Path) -> dict[str, bytes]:
    build_site(project, out, base_url=URL, search=False)
    return _files(out)


def test_a_body_edit_shows_on_its_pages_before_the_full_plan(seen: Seen, tmp_path: Path) -> None:
    project = seen.preview.root
    before = seen.page(KICKOFF_PAGE)
    assert seen.preview.rebuild([_edit(project, KICKOFF, "We agreed on goals.", "We agreed *x7*.")])
    shown = seen.pages[-1]
    assert "We agreed <em>x7</em>." in shown[KICKOFF_PAGE] and before != shown[KICKOFF_PAGE]
    assert seen.versions[-1] == 2, "the browser heard of the edit before the full plan began"
    assert seen.preview.first_seconds is not None
    assert _files(project / PREVIEW_DIR) == _fresh(project, tmp_path / "fresh")


def test_a_badge_changing_rating_edit_ends_with_the_full_plans_pages(
    seen: Seen, tmp_path: Path
) -> None:
    project = seen.preview.root
    added = [_new_session(project, d) for d in ("2025-04-10", "2025-06-02")]
    added += [_feedback(project, d) for d in ("2025-06-01", "2025-06-15")]
    assert seen.preview.rebuild(added)
    earned = "Beacon: 2 of 2 criteria met, to be awarded"
    assert earned in seen.page(MENTOR_PAGE)
    assert seen.preview.rebuild([_edit(project, FEEDBACK, "rating: 5", "rating: 1")])
    first = seen.pages[-1]
    assert first[THREAD_PAGE] != seen.pages[-2][THREAD_PAGE], "the new rating was shown first"
    assert earned not in first[MENTOR_PAGE], "so was the award state it changed"
    assert first[MENTOR_PAGE] == seen.page(MENTOR_PAGE), "as the full plan then made it"
    assert "Beacon: 1 of 2 criteria met" in " ".join(seen.page(MENTOR_PAGE).split())
    assert _files(project / PREVIEW_DIR) == _fresh(project, tmp_path / "fresh")


INVALID = {
    "a name without consent": ("We agreed on goals.", "We agreed with Wen Quietname."),
    "a rating out of range": ("roadmap_step: monitoring", "roadmap_step: monitoring\nrating: 9"),
    "an unknown goal": ("goals: [first-oncall]", "goals: [no-such-goal]"),
    "a broken link": ("We agreed on goals.", "We agreed. See [x](/roadmaps/nowhere/)."),
    "an unknown author": ("author: ana-lukasiewicz", "author: quiet-one"),
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_an_invalid_entry_edit_is_never_shown(seen: Seen, name: str) -> None:
    project = seen.preview.root
    pages = {n: seen.page(n) for n in (THREAD_PAGE, KICKOFF_PAGE)}
    assert not seen.preview.rebuild([_edit(project, KICKOFF, *INVALID[name])])
    assert seen.preview.problems, "the full plan reports what is wrong"
    assert seen.pages[-1][KICKOFF_PAGE] == pages[KICKOFF_PAGE], "nothing was shown first"
    assert {n: seen.page(n) for n in pages} == pages
    assert seen.preview.version == 1 and seen.preview.first_seconds is None


def test_pages_shown_first_are_put_back_when_the_full_plan_fails(seen: Seen) -> None:
    project = seen.preview.root
    files = _files(project / PREVIEW_DIR)
    seen.fail = True
    assert not seen.preview.rebuild([_edit(project, KICKOFF, "We agreed on goals.", "Agreed.")])
    assert "Agreed." in seen.pages[-1][KICKOFF_PAGE], "it was shown first"
    assert _files(project / PREVIEW_DIR) == files, "and put back: the last good site"
    assert seen.preview.version == 3, "browsers reloaded twice: to the edit, then back"
    assert [str(p) for p in seen.preview.problems] == [
        "badges/beacon.yaml:1: found by the full plan"
    ]
    seen.fail = False  # the next good rebuild shows it all, not only what was shown first
    assert seen.preview.rebuild([_edit(project, KICKOFF, "Agreed.", "Agreed again.")])
    assert "Agreed again." in seen.page(KICKOFF_PAGE)


NOT_FIRST = {
    "config": ("menteo.yml", "A tiny community", "A small community"),
    "badge": ("badges/beacon.yaml", "min: 4.5", "min: 4"),
    "mentor": (MENTOR, "Ana Łukasiewicz", "Ana Ł. Nowak"),
    "thread": (f"{THREAD}/thread.yaml", "cadence: every two weeks", "cadence: weekly"),
}


@pytest.mark.parametrize("name", [*sorted(NOT_FIRST), "template", "entry and config"])
def test_other_changes_wait_for_the_full_plan(seen: Seen, tmp_path: Path, name: str) -> None:
    project = seen.preview.root
    if name == "template":
        template = project / "overrides" / "templates" / "404.html"
        template.parent.mkdir(parents=True)
        template.write_text("<!doctype html><title>gone</title><body>gone</body>")
        changed = ["overrides/templates/404.html"]
    elif name == "entry and config":
        changed = [
            _edit(project, KICKOFF, "We agreed on goals.", "We agreed on two."),
            _edit(project, "menteo.yml", "A tiny community", "A small community"),
        ]
    else:
        changed = [_edit(project, *NOT_FIRST[name])]
    assert seen.preview.rebuild(changed)
    assert seen.versions[-1] == 1 and seen.preview.first_seconds is None
    assert seen.preview.version == 2
    assert _files(project / PREVIEW_DIR) == _fresh(project, tmp_path / "fresh")


def test_a_new_entry_waits_for_the_full_plan(seen: Seen, tmp_path: Path) -> None:
    project = seen.preview.root
    assert seen.preview.rebuild([_new_session(project, "2025-06-02")])
    assert seen.versions[-1] == 1 and seen.preview.first_seconds is None
    assert _files(project / PREVIEW_DIR) == _fresh(project, tmp_path / "fresh")


def test_a_first_page_is_not_announced_twice(seen: Seen) -> None:
    """The full plan finds nothing else to change: browsers are not told to reload again."""
    project = seen.preview.root
    outcome = f"{THREAD}/2025-05-10-promoted.md"
    assert seen.preview.rebuild([_edit(project, outcome, "It happened!", "It happened.")])
    assert seen.versions[-1] == 2
    assert seen.preview.version == 2 + (seen.preview.last_written > 0)


def test_the_server_answers_before_the_first_build_and_never_with_old_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "mini"
    shutil.copytree(MINI, project, ignore=shutil.ignore_patterns(".menteo"))
    (project / PREVIEW_DIR).mkdir(parents=True)  # an earlier session's, or anybody's
    (project / PREVIEW_DIR / "index.html").write_text("<body>old text</body>")
    (project / PREVIEW_DIR / "old.css").write_text("old")
    building, release = threading.Event(), threading.Event()
    plan_site = menteo.serve.plan_site

    def slow(*args: Any, **kwargs: Any) -> SitePlan:
        building.set()
        assert release.wait(30)
        return plan_site(*args, **kwargs)

    monkeypatch.setattr(menteo.serve, "plan_site", slow)
    running = Running(project)
    threading.Thread(target=running.server.serve_forever, daemon=True).start()
    builder = threading.Thread(target=running.preview.rebuild)
    builder.start()
    try:
        assert building.wait(30)
        status, page = running.get("")
        assert status == 503 and "Building the preview" in page and "old text" not in page
        assert "let seen = 0;" in page and EVENTS_PATH in page, "it reloads once built"
        assert running.get("old.css") == (503, running.get("")[1])
        release.set()
        builder.join(timeout=60)
        status, page = running.get("")
        assert status == 200 and "Mini Circle" in page and "let seen = 1;" in page
        assert running.get("old.css")[0] == 404
    finally:
        release.set()
        running.server.shutdown()
        running.server.server_close()


def test_menteo_serve_answers_then_builds(tmp_path: Path) -> None:
    """Through the real command: it listens first, says when the first build is done, and then
    serves the site."""
    project = tmp_path / "mini"
    shutil.copytree(MINI, project, ignore=shutil.ignore_patterns(".menteo"))
    command = [sys.executable, "-m", "menteo", "serve", str(project), "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        serving = server.stdout.readline()
        assert serving.startswith("Serving http://127.0.0.1:"), serving
        url = serving.split()[1]
        with pytest.raises(urllib.error.HTTPError) as answered:  # unless it was quicker
            urllib.request.urlopen(url + "no-such-file.css", timeout=30).close()
        assert answered.value.code in (404, 503)
        assert server.stdout.readline().startswith("Built the preview in ")
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200 and "Mini Circle" in response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_save_during_the_first_build_is_not_missed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "mini"
    shutil.copytree(MINI, project, ignore=shutil.ignore_patterns(".menteo"))
    plan_site = menteo.serve.plan_site

    def saved_meanwhile(*args: Any, **kwargs: Any) -> SitePlan:
        plan = plan_site(*args, **kwargs)
        if preview.shown is None:  # the first build has read everything: now a save
            _edit(project, MENTOR, "Ana Łukasiewicz", "Ana Ł. Nowak")
        return plan

    monkeypatch.setattr(menteo.serve, "plan_site", saved_meanwhile)
    preview = Preview(project)
    preview.base_url = URL
    stop, messages = threading.Event(), list[str]()
    watcher = threading.Thread(
        target=preview.watch, args=(stop, messages.append, preview.rebuild), daemon=True
    )
    watcher.start()
    try:
        with preview.changed:
            assert preview.changed.wait_for(lambda: preview.version >= 2, timeout=60), messages
        assert "Ana Ł. Nowak" in (project / PREVIEW_DIR / MENTOR_PAGE).read_text()
    finally:
        stop.set()
        watcher.join(timeout=10)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("We agreed on goals.", "We agreed on *two* goals."),
        ("date: 2025-03-04", "date: 2025-03-04\nrating: 4"),
        ("We agreed on goals.", "We agreed with Wen Quietname."),
        ("goals: [first-oncall]", "goals: [no-such-goal]"),
    ],
)
def test_reload_entries_agrees_with_a_full_load(tmp_path: Path, old: str, new: str) -> None:
    """The records it makes, or the problems it finds, are a full load's."""
    project = tmp_path / "mini"
    shutil.copytree(MINI, project, ignore=shutil.ignore_patterns(".menteo"))
    memo = LoadMemo()
    community = load_community(project, None, memo)
    _edit(project, KICKOFF, old, new)
    try:
        loaded = load_community(project, None, LoadMemo())
    except ContentError as exc:
        with pytest.raises(ContentError) as raised:
            reload_entries(community, [KICKOFF], memo)
        assert raised.value.problems == exc.problems
    else:
        assert dict(reload_entries(community, [KICKOFF], memo).threads) == dict(loaded.threads)
    with pytest.raises(ContentError, match="not an entry loaded before"):
        reload_entries(community, [f"{THREAD}/2025-06-02-new.md"], memo)
