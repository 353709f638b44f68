"""`menteo serve` while a re-plan runs: a save is shown first against the last good plan (with
every entry change since it), the re-plan under way is abandoned and a fresh one covers every
change; the preview ends equal to a cold build, and text that failed validation is never shown.

The re-plan is held inside `plan_site` by a hook (never by a timer) while the test saves."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import menteo.serve
from menteo.build import SitePlan, criteria_words
from menteo.content.loader import load_community
from menteo.content.publication import Urls
from menteo.ledger.review import review
from menteo.ledger.store import read_ledger
from menteo.recognition.evaluate import evaluate
from menteo.serve import PREVIEW_DIR, Abandoned, Preview
from menteo.site.awards import build_recognition, progress_of
from test_serve import (
    FEEDBACK,
    KICKOFF,
    MENTOR,
    MINI,
    THREAD,
    _edit,
    _feedback,
    _files,
    built_preview,
)
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
    preview = built_preview(tmp_path)
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


FEEDBACK_PAGE = "threads/ana-lukasiewicz--jonas-berg/2025-05-20-feedback/index.html"
EARNED = "Beacon: 2 of 2 criteria met, to be awarded"


def test_a_badge_changing_edit_shows_its_award_state_before_the_replan_ends(
    held: Held, tmp_path: Path
) -> None:
    """A new rating changes whether the mentor meets Beacon: their page shows it while the
    re-plan is held, and the re-plan that follows writes exactly the pages shown first."""
    project, preview = held.preview.root, held.preview
    added = [_new_session(project, d) for d in ("2025-04-10", "2025-06-02")]
    added += [_feedback(project, d) for d in ("2025-06-01", "2025-06-15")]
    assert preview.rebuild(added)
    assert EARNED in held.page(MENTOR_PAGE)
    held.outcomes.clear()
    held.rebuild_held([_edit(project, FEEDBACK, "rating: 5", "rating: 1")])
    mentor = " ".join(held.page(MENTOR_PAGE).split())
    assert EARNED not in mentor and "Beacon: 1 of 2 criteria met" in mentor
    preview.notice([_edit(project, FEEDBACK, "rating: 1", "rating: 2")])
    assert held.outcomes == [], "all of it shown while the re-plan is held"
    shown = {name: held.page(name) for name in (MENTOR_PAGE, THREAD_PAGE, FEEDBACK_PAGE)}
    assert EARNED not in shown[MENTOR_PAGE] and shown[MENTOR_PAGE] != mentor
    assert held.finish()
    assert held.outcomes == ["abandoned", "done"]
    assert {name: held.page(name) for name in shown} == shown, "the full plan's pages"
    assert _files(project / PREVIEW_DIR) == _fresh(project, tmp_path / "fresh")
    preview.notice([_edit(project, FEEDBACK, "rating: 2", "rating: 5")])
    assert EARNED in held.page(MENTOR_PAGE), "earned again, before any re-plan"
    assert preview.rebuild()
    assert _files(project / PREVIEW_DIR) == _fresh(project, tmp_path / "fresh-2")


def test_an_entry_edit_that_changes_no_award_state_shows_no_person_page(held: Held) -> None:
    project, preview = held.preview.root, held.preview
    mentor = held.page(MENTOR_PAGE)
    shown: list[str] = []
    announce = preview._announce

    def announcing(*args: Any, **kwargs: Any) -> None:
        shown.append(held.page(MENTOR_PAGE))
        announce(*args, **kwargs)

    preview._announce = announcing  # type: ignore[method-assign]
    preview.notice([_edit(project, KICKOFF, "We agreed on goals.", "We agreed.")])
    assert shown == [mentor] and (preview.out / KICKOFF_PAGE).read_text().count("We agreed.")


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("community", ["demo", "mini"])
def test_judging_some_people_gives_them_what_judging_everyone_does(community: str) -> None:
    """`evaluate(only=...)` and `progress_of`, which `menteo serve` shows a badge-changing edit
    with first, agree with the full evaluation and the full recognition views."""
    loaded = load_community(ROOT if community == "demo" else MINI)
    reviewed = review(loaded, read_ledger(loaded.root))
    urls = Urls(loaded.config.base_url)
    words = criteria_words(loaded.config.language)
    full = evaluate(loaded, words)
    some = sorted(full.results)[::3]
    assert some
    only = evaluate(loaded, words, set(some))
    assert set(only.results) == set(some)
    assert all(only.of(*person) == full.of(*person) for person in some)
    views = build_recognition(loaded, reviewed, urls, (), words)
    people = [(role.value, slug) for role, slug in some]
    progress = progress_of(loaded, reviewed, urls, only, people, words)
    assert progress == {p: views.progress.get(p, progress[p]) for p in people}
    assert any(p in views.progress and views.progress[p] for p in people)
