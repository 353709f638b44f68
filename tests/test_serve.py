"""`menteo serve`: rebuild on change, keep the last good site on a broken change, reload pages
over server-sent events, rewrite only what a change touches, and always equal a fresh build."""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from menteo.build import build_site
from menteo.serve import EVENTS_PATH, PREVIEW_DIR, STATUS_PATH, Preview, make_server
from menteo.site.previous_site import MANIFEST
from menteo.site.search import SEARCH_DIR

MINI = Path(__file__).parent / "fixtures" / "mini"
MENTOR = "content/mentors/ana-lukasiewicz.md"
THREAD = "content/threads/ana-lukasiewicz--jonas-berg"
KICKOFF = f"{THREAD}/2025-03-04-kickoff.md"
FEEDBACK = f"{THREAD}/2025-05-20-feedback.md"
URL = "http://127.0.0.1:8000/"


class Running:
    def __init__(self, project: Path) -> None:
        self.project = project
        self.preview = Preview(project)
        self.server = make_server(self.preview, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.preview.base_url = self.url
        self.stop = threading.Event()
        self.messages: list[str] = []

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def status(self) -> dict[str, object]:
        return json.loads(self.get(STATUS_PATH.lstrip("/"))[1])

    def wait_for(self, done: Callable[[dict[str, object]], bool]) -> dict[str, object]:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = self.status()
            if done(status):
                return status
            time.sleep(0.1)
        raise AssertionError(f"timed out; last status: {self.status()}")


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    server = Running(project)
    assert server.preview.rebuild()
    threading.Thread(target=server.server.serve_forever, daemon=True).start()
    watcher = threading.Thread(
        target=server.preview.watch, args=(server.stop, server.messages.append), daemon=True
    )
    watcher.start()
    yield server
    server.stop.set()
    server.preview.close()
    server.server.shutdown()
    server.server.server_close()
    watcher.join(timeout=5)


def test_serves_the_preview_with_local_links_and_a_reload_script(running: Running) -> None:
    status, page = running.get("")
    assert status == 200
    assert f'<link rel="canonical" href="{running.url}">' in page
    assert EVENTS_PATH in page and page.count("<script>") == 1
    assert running.status() == {"version": 1, "problems": []}
    built = (running.project / PREVIEW_DIR / "index.html").read_text()
    assert "<script" not in built, "the reload script is added when served, never written"
    assert running.get("static/style.css")[0] == 200
    status, page = running.get("no/such/page/")
    assert status == 404 and "Page not found" in page


def test_rebuilds_on_change_and_keeps_the_last_good_site_on_a_mistake(running: Running) -> None:
    mentor = running.project / MENTOR
    mentor.write_text(mentor.read_text().replace("Ana Łukasiewicz", "Ana Ł. Nowak"))
    running.wait_for(lambda status: status["version"] == 2)
    assert "Ana Ł. Nowak" in running.get("mentors/ana-lukasiewicz/")[1]
    assert running.messages[-1].startswith("Rebuilt in ")

    mentor.write_text(mentor.read_text().replace("availability: open", "availability: maybe"))
    status = running.wait_for(lambda status: bool(status["problems"]))
    assert status["version"] == 2
    assert status["problems"] == [
        f"{MENTOR}:8: availability: 'maybe' is not allowed (use one of: open, waitlist, closed)"
    ]
    assert "Ana Ł. Nowak" in running.get("mentors/ana-lukasiewicz/")[1]

    mentor.write_text(mentor.read_text().replace("availability: maybe", "availability: open"))
    assert running.wait_for(lambda status: status["version"] == 3)["problems"] == []


def _events(running: Running) -> Iterator[dict[str, object]]:
    """The statuses the event stream sends, as a browser's EventSource reads them."""
    connection = http.client.HTTPConnection("127.0.0.1", running.server.server_address[1], 30)
    connection.request("GET", EVENTS_PATH)
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream"
    try:
        while line := response.readline():
            if line.startswith(b"data: "):
                yield json.loads(line.removeprefix(b"data: "))
    finally:
        connection.close()


def test_pushes_a_reload_event_after_an_edit_and_problems_after_a_mistake(
    running: Running,
) -> None:
    events = _events(running)
    assert next(events) == {"version": 1, "problems": []}
    mentor = running.project / MENTOR
    mentor.write_text(mentor.read_text().replace("Ana Łukasiewicz", "Ana Ł. Nowak"))
    assert next(events) == {"version": 2, "problems": []}
    assert "Ana Ł. Nowak" in running.get("mentors/ana-lukasiewicz/")[1]
    mentor.write_text(mentor.read_text().replace("availability: open", "availability: maybe"))
    status = next(events)
    assert status["version"] == 2 and len(status["problems"]) == 1  # type: ignore[arg-type]


def _files(site: Path) -> dict[str, bytes]:
    """Every file of a site but the search index, which the preview leaves out, and the build's
    manifest of its pages (what the next build may reuse: a preview is rewritten in place)."""
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file()
        and path.relative_to(site).parts[0] != SEARCH_DIR
        and path.name != MANIFEST
    }


def _stamps(site: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for path in site.rglob("*"):
        if path.is_file():
            stat = path.stat()
            found[path.relative_to(site).as_posix()] = (stat.st_ino, stat.st_mtime_ns)
    return found


def test_rewrites_only_the_files_an_edit_changes(running: Running) -> None:
    preview = running.project / PREVIEW_DIR
    before, stamps = _files(preview), _stamps(preview)
    kickoff = running.project / KICKOFF
    kickoff.write_text(kickoff.read_text().replace("We agreed on goals.", "We agreed on three."))
    # Version 2 is the entry's pages, shown first; 3 the full rebuild's other pages (the home
    # page, the feed and a tag page show the entry's excerpt too).
    running.wait_for(lambda status: status["version"] == 3)
    after, touched = _files(preview), _stamps(preview)
    rewritten = {path for path, stamp in touched.items() if stamps.get(path) != stamp}
    changed = {path for path in after if before.get(path) != after[path]}
    assert "threads/ana-lukasiewicz--jonas-berg/index.html" in changed
    assert rewritten == changed, "a file was rewritten with the same bytes"
    assert len(changed) < len(after) // 4


def _edit(project: Path, name: str, old: str, new: str) -> str:
    path = project / name
    text = path.read_text()
    assert old in text, (name, old)
    path.write_text(text.replace(old, new))
    return name


def _feedback(project: Path, day: str) -> str:
    name = f"{THREAD}/{day}-feedback.md"
    (project / name).write_text((project / FEEDBACK).read_text().replace("2025-05-20", day))
    return name


def _session(project: Path, day: str) -> str:
    name = f"{THREAD}/{day}-session.md"
    (project / name).write_text((project / KICKOFF).read_text().replace("2025-03-04", day))
    return name


EDITS: dict[str, Callable[[Path], list[str]]] = {
    "entry body": lambda p: [_edit(p, KICKOFF, "We agreed on goals.", "We agreed on *three*.")],
    "mentor name": lambda p: [_edit(p, MENTOR, "Ana Łukasiewicz", "Ana Ł. Nowak")],
    "new session": lambda p: [_session(p, "2025-06-02")],
    "new feedback": lambda p: [_feedback(p, "2025-06-10")],
    "deleted entry": lambda p: [_delete(p, FEEDBACK)],
    "renamed entry": lambda p: _rename(p, KICKOFF, f"{THREAD}/2025-03-04-first-call.md"),
    "config": lambda p: [_edit(p, "menteo.yml", "A tiny community", "A small community")],
    "badge": lambda p: [_edit(p, "badges/beacon.yaml", "min: 4.5", "min: 4")],
}


def _delete(project: Path, name: str) -> str:
    (project / name).unlink(missing_ok=True)
    return name


def _rename(project: Path, old: str, new: str) -> list[str]:
    if (project / old).exists():
        os.replace(project / old, project / new)
    return [old, new]


def built_preview(tmp_path: Path) -> Preview:
    """A preview of a copy of the mini community, built once."""
    project = tmp_path / "mini"
    shutil.copytree(MINI, project, ignore=shutil.ignore_patterns(".menteo"))
    preview = Preview(project)
    preview.base_url = URL
    assert preview.rebuild()
    return preview


@pytest.mark.parametrize("seed", [1, 2])
def test_the_preview_equals_a_fresh_build_after_any_sequence_of_edits(
    tmp_path: Path, seed: int
) -> None:
    preview = built_preview(tmp_path)
    project = preview.root
    names = sorted(EDITS)
    random.Random(seed).shuffle(names)
    for step, name in enumerate(names):
        changed = EDITS[name](project)
        assert preview.rebuild(changed), (name, preview.problems)
        fresh = tmp_path / f"fresh-{step}"
        build_site(project, fresh, base_url=URL, search=False)
        assert _files(project / PREVIEW_DIR) == _files(fresh), f"after {names[: step + 1]}"


def test_a_new_feedback_rating_shows_the_badge_earned(tmp_path: Path) -> None:
    project = tmp_path / "mini"
    shutil.copytree(MINI, project, ignore=shutil.ignore_patterns(".menteo"))
    _session(project, "2025-04-10")
    _session(project, "2025-06-02")
    _feedback(project, "2025-06-01")
    preview = Preview(project)
    preview.base_url = URL
    assert preview.rebuild()
    page = project / PREVIEW_DIR / "mentors/ana-lukasiewicz/index.html"
    assert "Beacon: 1 of 2 criteria met <progress" in " ".join(page.read_text().split())
    assert preview.rebuild([_feedback(project, "2025-06-15")])
    assert "Beacon: 2 of 2 criteria met, to be awarded" in page.read_text()
    build_site(project, tmp_path / "fresh", base_url=URL, search=False)
    assert _files(project / PREVIEW_DIR) == _files(tmp_path / "fresh")


def test_a_failed_rebuild_touches_nothing_in_the_preview(tmp_path: Path) -> None:
    preview = built_preview(tmp_path)
    project = preview.root
    before, stamps = _files(project / PREVIEW_DIR), _stamps(project / PREVIEW_DIR)
    # A page that renders, next to a link that breaks the build: neither is shown.
    _edit(project, KICKOFF, "We agreed on goals.", "We agreed. See [x](/roadmaps/nowhere/).")
    assert not preview.rebuild([KICKOFF])
    assert "broken internal link '/roadmaps/nowhere/'" in str(preview.problems)
    assert _stamps(project / PREVIEW_DIR) == stamps
    assert _files(project / PREVIEW_DIR) == before
    assert preview.status()["version"] == 1
