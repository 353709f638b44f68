"""`menteo serve`: rebuild on change, keep the last good site on a broken change, reload pages."""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from menteo.serve import EVENTS_PATH, PREVIEW_DIR, STATUS_PATH, Preview, make_server

MINI = Path(__file__).parent / "fixtures" / "mini"
MENTOR = "content/mentors/ana-lukasiewicz.md"


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
