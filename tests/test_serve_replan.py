"""`menteo serve` while a re-plan runs: a save is shown first against the last good plan (with
every entry change since it), the re-plan under way is abandoned and a fresh one covers every
change; the preview ends equal to a cold build, and text that failed validation is never shown.

The re-plan is held inside `plan_site` by a hook (never by a timer) while the test saves."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import menteo.serve
from menteo.build import SitePlan
from menteo.serve import PREVIEW_DIR, Abandoned, Preview
from test_serve import KICKOFF, MENTOR, MINI, THREAD, URL, _edit, _files
from test_serve import _session as _new_session
from test_serve_fast import KICKOFF_PAGE, MENTOR_PAGE, THREAD_PAGE, _fresh

PROMOTED = f"{THREAD}/2025-05-10-promoted.md"
PROMOTED_PAGE = "threads/ana-lukasiewicz--jonas-berg/2025-05-10-promoted/index.html"


@dataclass
class Held:
    """A preview whose next re-plan stops inside `plan_site` until `release` is set."""

    preview: Preview
    hold: threading.Event = field(default_factory=threading.Event)
    """Set: the next `plan_site` call waits (the flag is then cleared: later calls run)."""
    planning: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    outcomes: list[str] = field(default_factory=list)
    """Each `plan_site` call's end: "done", "abandoned" or "failed"."""
    result: list[bool] = field(default_factory=list)
    thread: threading.Thread | None = None

    def page(self, name: str) -> str:
        return (self.preview.out / name).read_text(encoding="utf-8")

    def rebuild_held(self, changed: list[str]) -> None:
        """`rebuild(changed)` on another thread, returning once its re-plan is held."""
        self.hold.set()
        self.thread = threading.Thread(
            target=lambda: self.result.append(self.preview.rebuild(changed))
        )
        self.thread.start()
        assert self.planning.wait(60)

    def finish(self) -> bool:
        self.release.set()
        assert self.thread is not None
        self.thread.join(120)
        assert not self.thread.is_alive()
        return self.result[-1]


@pytest.fixture
def held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Held]:
    project = tmp_path / "mini"
    shutil.copytree(MINI, project, ignore=shutil.ignore_patterns(".menteo"))
    preview = Preview(project)
    preview.base_url = URL
    assert preview.rebuild()
    watched = Held(preview)
    plan_site = menteo.serve.plan_site

    def holding(*args: Any, **kwargs: Any) -> SitePlan:
        if watched.hold.is_set():
            watched.hold.clear()
            watched.planning.set()
            assert watched.release.wait(60)
        try:
            plan = plan_site(*args, **kwargs)
        except Abandoned:
            watched.outcomes.append("abandoned")
            raise
        except Exception:
            watched.outcomes.append("failed")
            raise
        watched.outcomes.append("done")
        return plan

    monkeypatch.setattr(menteo.serve, "plan_site", holding)
    yield watched
    watched.release.set()
    if watched.thread is not None:
        watched.thread.join(120)


def test_an_edit_during_a_replan_is_shown_before_it_ends_and_abandons_it(
    held: Held, tmp_path: Path
) -> None:
    project, preview = held.preview.root, held.preview
    held.rebuild_held([_edit(project, KICKOFF, "We agreed on goals.", "We agreed on *one*.")])
    assert "We agreed on <em>one</em>." in held.page(KICKOFF_PAGE), "the first edit showed"
    version, thread = preview.version, held.page(THREAD_PAGE)
    preview.notice([_edit(project, PROMOTED, "It happened!", "It *really* happened!")])
    assert held.outcomes == [], "the re-plan is still held"
    assert "It <em>really</em> happened!" in held.page(PROMOTED_PAGE)
    assert "We agreed on <em>one</em>." in held.page(KICKOFF_PAGE), "earlier edits stay shown"
    assert "It really happened!" in held.page(THREAD_PAGE) != thread
    assert preview.version == version + 1, "browsers heard of it at once"
    assert held.finish()
    assert held.outcomes == ["abandoned", "done"], "the held re-plan stopped, a fresh one ran"
    assert preview.unplanned == set() and preview.shown_first is None
    assert _files(project / PREVIEW_DIR) == _fresh(project, tmp_path / "fresh")


def test_a_burst_of_edits_ends_equal_to_a_cold_build(held: Held, tmp_path: Path) -> None:
    """Entry edits shown first, then changes that wait for the full plan (a new entry, a
    person), all during one held re-plan: the last re-plan covers every one of them."""
    project, preview = held.preview.root, held.preview
    held.rebuild_held([_edit(project, KICKOFF, "We agreed on goals.", "Burst 1.")])
    for n in range(2, 5):
        preview.notice([_edit(project, KICKOFF, f"Burst {n - 1}.", f"Burst {n}.")])
        assert f"Burst {n}." in held.page(KICKOFF_PAGE)
    preview.notice([_new_session(project, "2025-06-02")])
    preview.notice([_edit(project, MENTOR, "Ana Łukasiewicz", "Ana Ł. Nowak")])
    preview.notice([_edit(project, PROMOTED, "It happened!", "It happened, late.")])
    assert "It happened, late." not in held.page(PROMOTED_PAGE), (
        "once a change needs the full plan, entries wait for it too"
    )
    assert held.finish()
    assert held.outcomes == ["abandoned", "done"]
    assert "Ana Ł. Nowak" in held.page(MENTOR_PAGE)
    assert _files(project / PREVIEW_DIR) == _fresh(project, tmp_path / "fresh")


def test_an_invalid_edit_during_a_replan_shows_the_problem_never_its_text(held: Held) -> None:
    project, preview = held.preview.root, held.preview
    before = held.page(KICKOFF_PAGE)
    files = _files(project / PREVIEW_DIR)
    held.rebuild_held([_edit(project, PROMOTED, "It happened!", "It happened.")])
    assert "It happened." in held.page(PROMOTED_PAGE)
    preview.notice([_edit(project, KICKOFF, "We agreed on goals.", "We met Wen Quietname.")])
    assert held.page(KICKOFF_PAGE) == before, "the invalid text was not shown first"
    assert "Quietname" not in held.page(THREAD_PAGE)
    assert not held.finish()
    assert held.outcomes == ["abandoned", "failed"]
    assert [p.path for p in preview.problems] == [KICKOFF]
    assert _files(project / PREVIEW_DIR) == files, "the last good site, without the first edit"
    _edit(project, KICKOFF, "We met Wen Quietname.", "We met.")
    assert preview.rebuild([KICKOFF]) and not preview.problems
    assert "We met." in held.page(KICKOFF_PAGE) and "It happened." in held.page(PROMOTED_PAGE)


def test_a_save_during_the_watched_replan_abandons_it(
    held: Held, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the watcher and its planner thread, as `menteo serve` runs them."""
    project, preview = held.preview.root, held.preview
    stop, messages = threading.Event(), list[str]()
    noticed = threading.Event()
    notice = preview.notice

    def noticing(changed: Any) -> None:
        notice(changed)
        noticed.set()

    monkeypatch.setattr(preview, "notice", noticing)
    watcher = threading.Thread(target=preview.watch, args=(stop, messages.append), daemon=True)
    held.hold.set()
    watcher.start()
    try:
        _edit(project, KICKOFF, "We agreed on goals.", "Watched 1.")
        assert held.planning.wait(60), "the planner took the first save"
        noticed.clear()
        _edit(project, KICKOFF, "Watched 1.", "Watched 2.")
        assert noticed.wait(60)
        assert "Watched 2." in held.page(KICKOFF_PAGE), "shown while the re-plan is held"
        held.release.set()
        with preview.changed:
            assert preview.changed.wait_for(lambda: held.outcomes[-1:] == ["done"], 60)
        assert held.outcomes[0] == "abandoned"
    finally:
        stop.set()
        watcher.join(60)
    assert messages and messages[-1].startswith("Rebuilt in "), messages
    assert _files(project / PREVIEW_DIR) == _fresh(project, tmp_path / "fresh")
