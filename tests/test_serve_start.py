"""`menteo serve`'s start on a never-built community: the first build shows its pages before
drawing the share cards (the slowest part of a small site's first build), then draws them, and
ends with exactly the files a cold build makes; a card that cannot be drawn is a problem shown
over the pages, which the next rebuild mends."""

from __future__ import annotations

import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.test_serve import _files

from menteo.build import build_site
from menteo.credentials import images
from menteo.credentials.images import DrawingError, ShareCard
from menteo.serve import PREVIEW_DIR, Preview, make_server

MINI = Path(__file__).parent / "fixtures" / "mini"
SITE_CARD = "share/site.png"


class Held:
    """Share cards are drawn only once `release` is set; `drawing` is set when one is asked for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.release = threading.Event()
        self.drawing = threading.Event()
        self.fail = False
        drawn = images.share_image

        def held(card: ShareCard) -> bytes:
            self.drawing.set()
            assert self.release.wait(30)
            if self.fail:
                raise DrawingError("it cannot be drawn (held)")
            return drawn(card)

        monkeypatch.setattr(images, "share_image", held)


@pytest.fixture
def started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Preview, str]]:
    """A never-built copy of the mini community (no `.menteo`), its preview server answering."""
    project = tmp_path / "mini"
    shutil.copytree(MINI, project, ignore=shutil.ignore_patterns(".menteo"))
    preview = Preview(project)
    server = make_server(preview, "127.0.0.1", 0)
    preview.base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield preview, preview.base_url
    preview.close()
    server.shutdown()
    server.server_close()


def _first_build(preview: Preview) -> tuple[threading.Thread, list[bool]]:
    done: list[bool] = []
    thread = threading.Thread(target=lambda: done.append(preview.rebuild()), daemon=True)
    thread.start()
    return thread, done


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


def test_pages_show_before_the_share_cards_are_drawn(
    started: tuple[Preview, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    preview, url = started
    held = Held(monkeypatch)
    thread, done = _first_build(preview)
    assert held.drawing.wait(60), "no share card was drawn"
    # The cards are not drawn yet, and the pages are shown: real pages, checked, announced.
    assert preview.status() == {"version": 1, "problems": []}
    status, page = _get(url)
    assert status == 200 and "Building the preview" not in page
    assert f'<meta property="og:image" content="{url}{SITE_CARD}">' in page
    assert not (preview.root / PREVIEW_DIR / SITE_CARD).exists()
    held.release.set()
    thread.join(60)
    assert done == [True]
    assert (preview.root / PREVIEW_DIR / SITE_CARD).is_file()
    build_site(preview.root, tmp_path / "cold", base_url=url, search=False)
    assert _files(preview.root / PREVIEW_DIR) == _files(tmp_path / "cold")
    assert preview.status() == {"version": 1, "problems": []}  # a card is not worth a reload


def test_a_card_that_cannot_be_drawn_is_shown_then_mended(
    started: tuple[Preview, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    preview, url = started
    held = Held(monkeypatch)
    held.fail = True
    held.release.set()
    assert not preview.rebuild()
    assert preview.problems and "cannot be drawn" in str(preview.problems)
    assert _get(url)[0] == 200  # the pages stay on screen, the problem over them
    held.fail = False
    assert preview.rebuild()
    assert preview.status()["problems"] == []
    build_site(preview.root, tmp_path / "cold", base_url=url, search=False)
    assert _files(preview.root / PREVIEW_DIR) == _files(tmp_path / "cold")
