"""What a build holds while Pagefind runs (issue 14: the peak memory of the whole process tree).

- Once every page is written, nothing refers to the loaded community, its views, the page plan or
  the site plan any longer: the search index and the link check run without them (the share
  cards' generator no longer keeps the views alive through the search stage).
- Freed memory is handed back to the system where the C library can (`menteo.heap`), and a C
  library without `malloc_trim` is no error.
- Share-card workers end when the last card is drawn, not idle through the rendering.
- Pagefind's answers are decoded as they arrive: the same files whatever the pieces the pipe
  delivers them in, hostile answers refused as before, and the bundle's answer held about once
  (tracemalloc counts the allocations: no timing).
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import gc
import json
import os
import shutil
import time
import tracemalloc
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from menteo import build, heap
from menteo.cli import main
from menteo.credentials.cache import ImageCache
from menteo.credentials.images import ShareCard
from menteo.site import search, share

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return shutil.copytree(MINI, tmp_path / "mini", ignore=shutil.ignore_patterns(".menteo"))


# ---------------------------------------------------------------- nothing of the plan survives


def _watch_plans(monkeypatch: pytest.MonkeyPatch) -> list[weakref.ref[Any]]:
    """Weak references to every site plan the build makes, its community and views."""
    refs: list[weakref.ref[Any]] = []
    real = build.plan_site

    def watched(*args: Any, **kwargs: Any) -> build.SitePlan:
        plan = real(*args, **kwargs)
        refs.extend(weakref.ref(o) for o in (plan, plan.community, plan.views, plan.recognition))
        return plan

    monkeypatch.setattr(build, "plan_site", watched)
    return refs


def _alive_when(
    monkeypatch: pytest.MonkeyPatch, name: str, refs: list[weakref.ref[Any]]
) -> list[list[str]]:
    """Calls to `build.<name>` record, after a collection, what of `refs` is still alive."""
    seen: list[list[str]] = []
    real: Callable[..., Any] = getattr(build, name)

    def checked(*args: Any, **kwargs: Any) -> Any:
        gc.collect()
        seen.append([type(o).__name__ for ref in refs if (o := ref()) is not None])
        return real(*args, **kwargs)

    monkeypatch.setattr(build, name, checked)
    return seen


def test_the_community_and_views_are_freed_while_the_search_index_runs(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind's runs are the build's memory peak: they start once the pages are written, and
    from the end of writing the build process holds only what the search index and the link
    check read (links, searchable pages, the site's stamps)."""
    refs = _watch_plans(monkeypatch)
    at_join = _alive_when(monkeypatch, "links_outside", refs)
    at_links = _alive_when(monkeypatch, "broken_links", refs)
    result = CliRunner().invoke(main, ["build", str(mini), "--out", str(tmp_path / "_site")])
    assert result.exit_code == 0, result.output
    assert len(refs) == 4
    assert at_join == [[]]
    assert at_links == [[], []]  # the links outside the search bundle, then those into it
    assert (tmp_path / "_site/pagefind/pagefind.js").is_file()


def test_without_search_the_link_check_runs_without_them_too(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refs = _watch_plans(monkeypatch)
    at_links = _alive_when(monkeypatch, "broken_links", refs)
    out = tmp_path / "_site"
    result = CliRunner().invoke(main, ["build", str(mini), "--out", str(out), "--no-search"])
    assert result.exit_code == 0, result.output
    assert at_links == [[], []]


def test_a_broken_link_is_still_reported_after_the_release(mini: Path, tmp_path: Path) -> None:
    """The links found while rendering outlive the pages they were found on."""
    (mini / "overrides/templates").mkdir(parents=True)
    base = Path(search.__file__).parent.parent / "themes/default/templates/base.html"
    text = base.read_text(encoding="utf-8")
    broken = text.replace("</body>", '<a href="{{ site.base_path }}no-such-page/">x</a></body>')
    assert broken != text
    (mini / "overrides/templates/base.html").write_text(broken, encoding="utf-8")
    out = tmp_path / "_site"
    result = CliRunner().invoke(main, ["build", str(mini), "--out", str(out), "--no-search"])
    assert result.exit_code == 1
    assert "no-such-page" in result.output
    assert not out.exists()


# ---------------------------------------------------------------- the heap given back


def test_release_memory_trims_where_glibc_can(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(heap, "_malloc_trim", lambda: calls.append)
    heap.release_memory()
    assert calls == [0]


@pytest.mark.parametrize("missing", [OSError, TypeError, AttributeError])
def test_a_c_library_without_malloc_trim_is_no_error(
    monkeypatch: pytest.MonkeyPatch, missing: type[Exception]
) -> None:
    """musl, macOS and Windows have no `malloc_trim` (Windows cannot even open `CDLL(None)`)."""

    def absent(_: object) -> object:
        raise missing("no malloc_trim here")

    monkeypatch.setattr(ctypes, "CDLL", absent)
    heap._malloc_trim.cache_clear()
    try:
        assert heap._malloc_trim() is None
        heap.release_memory()
    finally:
        heap._malloc_trim.cache_clear()


def test_frozen_cycles_are_collected() -> None:
    """The community is frozen out of collections while it is built on (`gc.freeze`); a cycle
    frozen with it is freed by the release, not at the end of the build."""

    class Node:
        pass

    node = Node()
    node.self = node  # type: ignore[attr-defined]
    ref = weakref.ref(node)
    gc.freeze()
    try:
        del node
        gc.collect()
        assert ref() is not None  # frozen: a plain collection leaves it
        heap.release_memory()
        assert ref() is None
    finally:
        gc.unfreeze()


# ---------------------------------------------------------------- Pagefind's answers


def _message(number: int, payload: dict[str, object]) -> bytes:
    return base64.b64encode(json.dumps({"message_id": number, "payload": payload}).encode())


def _answers(files: list[dict[str, str]], last: int) -> bytes:
    """What Pagefind's service says: an answer per added page, then the bundle's files."""
    said = [_message(n, {"type": "IndexedFile", "page_word_count": n}) for n in range(1, last)]
    said.append(_message(last, {"type": "GetFiles", "files": files}))
    return b",".join(said) + b","


@pytest.fixture
def pieces(monkeypatch: pytest.MonkeyPatch) -> Callable[[bytes, int], Iterator[None]]:
    """Make `_answer` read `data` in pieces of `size` bytes, as a pipe may deliver them."""

    real = os.read

    @contextlib.contextmanager
    def delivered(data: bytes, size: int) -> Iterator[None]:
        chunks = iter([data[i : i + size] for i in range(0, len(data), size)])
        with monkeypatch.context() as patch:
            patch.setattr(
                search.os, "read", lambda fd, n: next(chunks, b"") if fd == -1 else real(fd, n)
            )
            yield

    return delivered


class _Stream:
    def fileno(self) -> int:
        return -1


BUNDLE = [
    {"path": "pagefind.js", "content": base64.b64encode(b"console.log(1)").decode()},
    {"path": "fragment/en_1.pf_fragment", "content": base64.b64encode(os.urandom(300)).decode()},
]


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 64, 1 << 20])
def test_the_answer_is_the_same_files_in_any_pieces(
    pieces: Callable[[bytes, int], Any], size: int
) -> None:
    with pieces(_answers(BUNDLE, 3), size):
        assert search._answer(_Stream(), 3) == BUNDLE  # type: ignore[arg-type]


def test_an_answer_that_ends_early_is_none(pieces: Callable[[bytes, int], Any]) -> None:
    data = _answers(BUNDLE, 3)
    with pieces(data[: data.rindex(b",", 0, len(data) - 1) + 1], 5):
        assert search._answer(_Stream(), 3) is None  # type: ignore[arg-type]
    with pieces(data[:-1], 5):  # the last answer without its comma: not an answer
        assert search._answer(_Stream(), 3) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "data",
    [
        b"not base64!,",
        base64.b64encode(b"[1, 2]") + b",",
        base64.b64encode(b"{not json") + b",",
        base64.b64encode(b'{"message_id": 3, "payload": {"type": "GetFiles"}}') + b",",
        base64.b64encode(b"\xff\xfe") + b",",
        b"abc,",  # not a whole base64 quantum
        b",",
    ],
)
def test_answers_menteo_cannot_read_are_refused(
    pieces: Callable[[bytes, int], Any], data: bytes
) -> None:
    with pieces(data, 3), pytest.raises((ValueError, KeyError, TypeError, AttributeError)):
        search._answer(_Stream(), 3)  # type: ignore[arg-type]


def test_a_pagefind_error_is_one_clear_error(pieces: Callable[[bytes, int], Any]) -> None:
    data = _message(0, {"type": "Error", "message": "bad config"}) + b","
    with pieces(data, 4), pytest.raises(search.SearchIndexError, match="bad config"):
        search._answer(_Stream(), 3)  # type: ignore[arg-type]


def test_the_bundle_answer_is_held_about_once(pieces: Callable[[bytes, int], Any]) -> None:
    """A bundle's answer (its files' base64 in JSON, 16 MiB; in base64, 21 MiB): reading it
    holds about its JSON text and the parsed answer at once, twice the JSON's size (the joined
    pieces, their split, the decoded bytes and the parsed answer were held together: over three
    times)."""
    content = base64.b64encode(os.urandom(12 << 20)).decode()  # 16 MiB of base64
    files = [{"path": f"fragment/{n}.pf_fragment", "content": content[n::2]} for n in range(2)]
    data = _answers(files, 2)
    json_size = len(json.dumps({"message_id": 2, "payload": {"type": "GetFiles", "files": files}}))
    with pieces(data, 1 << 20):
        tracemalloc.start()
        try:
            answer = search._answer(_Stream(), 2)  # type: ignore[arg-type]
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert answer == files
    assert peak < 2.2 * json_size, (peak, json_size)


# ---------------------------------------------------------------- share-card workers


def test_share_card_workers_end_when_the_cards_are_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cards are drawn while pages render; their workers then stopped only when the writing
    stage asked for the cards, idle (13 MiB each at 10,000 entries) through the whole
    rendering, the peak of a build without search. Now each ends once no card is left."""
    workers: list[int] = []
    real = share.process_pool

    @contextlib.contextmanager
    def kept(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with real(*args, **kwargs) as pool:
            queue = pool.map

            def watched(*args: Any, **kwargs: Any) -> Any:
                results = queue(*args, **kwargs)
                workers.extend(pool._processes)  # started as the work was queued
                return results

            pool.map = watched
            yield pool

    monkeypatch.setattr(share, "process_pool", kept)
    cards = {f"share/{n}.png": ShareCard(f"Card {n}", "A card", "Site") for n in range(30)}
    with share._drawing(cards, ImageCache(None), 2) as finish:
        assert workers
        for _ in range(1200):  # the cards take a few seconds; an idle worker never ends
            if not any(_running(pid) for pid in workers):
                break
            time.sleep(0.1)
        assert not any(_running(pid) for pid in workers)
        drawn = finish()
    assert sorted(drawn) == sorted(cards)
    assert all(png.startswith(b"\x89PNG") for png in drawn.values())


def _running(pid: int) -> bool:
    """Whether the worker `pid` (a child of the fork server, which reaps it) still exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
