"""Pagefind's runs at their peak one at a time (issue 14: the peak memory of the whole tree).

A run's memory grows about fourfold once it is asked for its bundle (it builds its index then, and
answers with all of it): the two runs of a pair peaked together, and the first pair while the
build process still held the community it had written. `search.PEAK` is now held by one run from
its request for the bundle until it has answered and ended, and by the build until it has given
its memory back; runs keep parsing their pages meanwhile. These tests watch the order of events,
never the clock: the requests Pagefind reads, the answers menteo reads, the build's release.
"""

from __future__ import annotations

import base64
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from tests.test_search_cost import recording_pagefind
from tests.test_search_fast import build as run
from tests.test_search_fast import files

from menteo import build, workers
from menteo.site import search

MINI = Path(__file__).parent / "fixtures" / "mini"
CACHE = ".menteo/cache/search"


@pytest.fixture
def mini(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The mini community in bundles of ten pages, indexed two at a time."""
    root = shutil.copytree(MINI, tmp_path / "mini", ignore=shutil.ignore_patterns(".menteo"))
    config = root / "menteo.yml"
    config.write_text(config.read_text() + "search_bundle_pages: 10\n")
    monkeypatch.setattr(workers, "cores", lambda: 2)
    yield root
    assert not search.PEAK.locked()  # whatever happened, the turn was given back


def _events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What happens, in order: the build giving its memory back ("released"), a run starting to
    read its bundle ("asked", or "asked unlocked" if it did so without the turn), and done."""
    events: list[str] = []
    answer, release = search._answer, build.release_memory

    def answered(stream: IO[bytes], last: int) -> Any:
        events.append("asked" if search.PEAK.locked() else "asked unlocked")
        try:
            return answer(stream, last)
        finally:
            events.append("answered")

    def released() -> None:
        release()
        events.append("released")

    monkeypatch.setattr(search, "_answer", answered)
    monkeypatch.setattr(build, "release_memory", released)
    return events


def test_runs_build_their_index_one_at_a_time_once_the_build_has_shrunk(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the CLI, with several bundles and two runs at once: no run is asked for its
    bundle before the build process gave its memory back, and never two at once."""
    events = _events(monkeypatch)
    out = tmp_path / "_site"
    result = run(mini, out)
    assert result.exit_code == 0, result.output
    bundles = 1 + len(json.loads((out / "pagefind/shards.json").read_text()))
    assert bundles >= 2
    assert events == ["released", *["asked", "answered"] * bundles]


def test_the_turns_change_nothing_in_the_site(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site, search bundles included, is byte-identical to one whose runs peak together."""
    taking_turns = tmp_path / "_turns"
    assert run(mini, taking_turns).exit_code == 0
    shutil.rmtree(mini / CACHE)

    class NoTurns:
        def acquire(self) -> bool:
            return True

        def release(self) -> None:
            pass

        def locked(self) -> bool:
            return False

        def __enter__(self) -> None:
            pass

        def __exit__(self, *_: object) -> None:
            pass

    with monkeypatch.context() as patch:
        patch.setattr(search, "PEAK", NoTurns())
        patch.setattr(build, "PEAK", NoTurns())
        together = tmp_path / "_together"
        assert run(mini, together).exit_code == 0
    assert files(taking_turns) == files(together)
    assert any(name.startswith("pagefind/shard-") for name in files(together))


def test_a_run_waiting_for_its_turn_has_been_handed_every_page(tmp_path: Path) -> None:
    """While another run peaks, a run is fed all its pages (Pagefind parses them meanwhile) and
    asks for its bundle only once it has the turn."""
    site = tmp_path / "_site"
    pages = [f"p{n}/index.html" for n in range(3)]
    for n, name in enumerate(pages):
        (site / name).parent.mkdir(parents=True)
        (site / name).write_text(f"<html><body><main>page {n}</main></body></html>", "utf-8")
    binary, log = recording_pagefind(tmp_path)
    output = tmp_path / "_bundle"
    output.mkdir()
    failed: list[BaseException] = []

    def index() -> None:
        try:
            search._run(binary, site, pages, output)
        except BaseException as exc:  # shown by the assertion below
            failed.append(exc)

    with search.PEAK:
        indexing = threading.Thread(target=index)
        indexing.start()
        for _ in range(600):
            if _requests(log).count("AddFile") == len(pages):
                break
            indexing.join(0.05)
        assert _requests(log) == ["NewIndex", "AddFile", "AddFile", "AddFile"]
        assert indexing.is_alive()
    indexing.join(60)
    assert not indexing.is_alive() and failed == []
    assert _requests(log)[-1] == "GetFiles"
    assert (output / "pagefind.js").is_file()


def _requests(log: Path) -> list[str]:
    """The types of the requests Pagefind has read so far (whole ones)."""
    if not log.exists():
        return []
    said = log.read_bytes().split(b",")[:-1]
    return [json.loads(base64.b64decode(m))["payload"]["type"] for m in said]


@pytest.mark.parametrize(
    ("script", "said"),
    [
        ("exit 3", "Pagefind failed to index the site (exit 3)"),
        ("printf 'bm90IGpzb24=,'\nexec cat >/dev/null", "Pagefind answered what menteo cannot"),
    ],
)
def test_a_failing_run_gives_the_turn_back(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, said: str
) -> None:
    """Runs that stop, or answer what menteo cannot read, fail the build with one clear error
    and leave the turn free: the next build in the same process indexes its site."""
    fake = tmp_path / "fake-pagefind"
    fake.write_text(
        f'#!/bin/sh\n[ "$1" = "--service" ] || {{ echo "fake 0"; exit 0; }}\n{script}\n'
    )
    fake.chmod(0o755)
    out = tmp_path / "_site"
    with monkeypatch.context() as patch:
        patch.setenv("PAGEFIND_BINARY_PATH", str(fake))
        result = run(mini, out)
    assert result.exit_code == 1
    assert said in result.output and "Traceback" not in result.output
    assert not out.exists()
    assert not search.PEAK.locked()
    assert run(mini, out).exit_code == 0
    assert (out / "pagefind/pagefind.js").is_file()


def test_a_build_failing_before_its_release_lets_the_waiting_runs_end(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build fails while it holds the turn (writing its last files) and Pagefind's runs wait
    for it: the turn is given back, the runs end, the error is reported, nothing is written and
    no run's folder is left in the cache."""
    events = _events(monkeypatch)

    def full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build, "write_generated", full)
    out = tmp_path / "_site"
    result = run(mini, out)
    assert result.exit_code == 1
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert not out.exists()
    assert "released" not in events and "asked unlocked" not in events
    assert [p for p in (mini / CACHE).iterdir() if p.name.startswith(".search-")] == []
