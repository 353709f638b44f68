"""Page keys cover everything a page's bytes depend on (`site.page_cache`, `site.views.view_inputs`).

A page found in the page cache is written from it without rendering, so its key must change
whenever anything its bytes depend on changes: the entry files, profiles, badges and ledger
lines its views are made from (keyed by the digests of those files, `view_inputs`, not by a walk
of the view), the config, templates, language and signing keys (the build key). One change of
each kind to a built community, then a rebuild through the CLI into the same output: the pages
rendered again are exactly those that show what changed, and the site equals a cold build of
the changed community, so no page keeps stale bytes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from menteo.cli import main
from menteo.site import render
from menteo.site.page_cache import Fingerprint, PageCache
from menteo.site.pages import PageHead, PageImage
from test_incremental import KICKOFF, MINI, cold_build, no_pagefind, tree

__all__ = ["no_pagefind"]  # its autouse fixture: Pagefind replaced by a stand-in here too

BASE = "/mini/"
KICKOFF_URL = f"{BASE}threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/"
JONAS_URL = f"{BASE}mentees/jonas-berg/"
STARTER_OF_ANA = "urn:uuid:d9ea9982-894d-5e2e-9061-294baa6eb751"


def _replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _cli(*args: str) -> None:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output


def edit_entry(root: Path) -> None:
    with (root / KICKOFF).open("a", encoding="utf-8") as file:
        file.write("\nOne more line, written after the first build.\n")


def edit_profile(root: Path) -> None:
    _replace(root, "content/mentees/jonas-berg.yaml", "Backend developer", "Platform engineer")


def edit_badge(root: Path) -> None:
    _replace(root, "badges/guide.yaml", "**more than one** mentee", "**two or more** mentees")


def revoke_award(root: Path) -> None:
    _cli("revoke", STARTER_OF_ANA, str(root), "--reason", "Logged twice.")


def edit_config(root: Path) -> None:
    _replace(root, "menteo.yml", "A tiny community", "A small community")


def edit_template(root: Path) -> None:
    target = root / "overrides/templates/tag.html"
    target.parent.mkdir(parents=True)
    source = Path(render.__file__).resolve().parent.parent / "themes/default/templates/tag.html"
    text = source.read_text(encoding="utf-8")
    target.write_text(text.replace("{% block main %}", "{% block main %}<!-- v2 -->", 1))


def edit_language(root: Path) -> None:
    _replace(root, "menteo.yml", "language: en", "language: es")


def new_keys(root: Path) -> None:
    _cli("keys", "generate", str(root), "--force")


THREAD_URL = f"{BASE}threads/ana-lukasiewicz--jonas-berg/"
JONAS_THREAD = {THREAD_URL + e for e in ("", "2025-03-04-kickoff/", "2025-05-10-promoted/")}
MENTOR_LISTS = {f"{BASE}{p}/" for p in ("mentors", "match/kubernetes", "match/observability")}
CHANGES: dict[str, tuple[Callable[[Path], None], set[str] | None]] = {
    # Its page, its thread's, its neighbour's (which names it), its tag's, the home page's
    # recent entries and the feed; not the award pages that link to it as evidence.
    "entry text": (
        edit_entry,
        {*JONAS_THREAD, f"{BASE}", f"{BASE}feed.xml", f"{BASE}tags/oncall/"},
    ),
    # A thread's views are keyed by the files of its people (a name shows on every entry): the
    # thread's pages and its entries' lists, the mentee's pages, and the mentor's (her page and
    # the lists of mentors show her mentorships).
    "person profile": (
        edit_profile,
        {
            *JONAS_THREAD,
            *MENTOR_LISTS,
            THREAD_URL + "2025-05-20-feedback/",
            f"{BASE}",
            f"{BASE}feed.xml",
            f"{BASE}mentees/",
            JONAS_URL,
            f"{BASE}mentors/ana-lukasiewicz/",
            f"{BASE}tags/career/",
            f"{BASE}tags/oncall/",
            f"{BASE}threads/",
        },
    ),
    # The badge's page and list, its award's page and holder's page, the opportunities.
    "badge criteria": (
        edit_badge,
        {
            f"{BASE}awards/df9bd69f-ec70-5fef-97b2-cc50b0a5d4fb/",
            f"{BASE}badges/",
            f"{BASE}badges/guide/",
            f"{BASE}mentors/ana-lukasiewicz/",
            f"{BASE}opportunities/",
        },
    ),
    # The award's page (revoked), the ledger, its badge's page and list, its holder's page and
    # the lists that show her badges, the awards feed, the dashboard's counts, the opportunities,
    # and the sitemap (a revoked award's page leaves it).
    "ledger line": (
        revoke_award,
        {
            *MENTOR_LISTS,
            f"{BASE}",
            f"{BASE}awards/d9ea9982-894d-5e2e-9061-294baa6eb751/",
            f"{BASE}awards/feed.xml",
            f"{BASE}badges/",
            f"{BASE}badges/starter/",
            f"{BASE}dashboard/",
            f"{BASE}ledger/",
            f"{BASE}mentors/ana-lukasiewicz/",
            f"{BASE}opportunities/",
            f"{BASE}sitemap.xml",
        },
    ),
    # In the build key: every page.
    "config field": (edit_config, None),
    "template": (edit_template, None),
    "language": (edit_language, None),
    "signing keys": (new_keys, None),
}
"""Each kind of change, and the pages (URLs) it renders again (None: every page)."""


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_renders_the_pages_that_show_it_and_builds_like_cold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    root, out = tmp_path / "mini", tmp_path / "_site"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    _cli("build", str(root), "--out", str(out))
    before = tree(out)
    rendered: list[str] = []
    every: list[str] = []
    original_chunk, original_lookup = render._render_chunk, PageCache.lookup

    def chunk(pages: list[tuple[render.Page, str | None]]) -> render.Rendered:
        rendered.extend(page.url for page, _ in pages)
        return original_chunk(pages)

    def lookup(cache: PageCache, pages: list[render.Page]) -> object:
        every.extend(page.url for page in pages)
        return original_lookup(cache, pages)

    monkeypatch.setattr(render, "_render_chunk", chunk)
    monkeypatch.setattr(PageCache, "lookup", lookup)
    apply, expected = CHANGES[change]
    apply(root)
    _cli("build", str(root), "--out", str(out))
    after, again, planned = tree(out), set(rendered), set(every)  # before the cold build's
    assert after == cold_build(root, tmp_path / "cold")
    changed = {
        BASE + name.removesuffix("index.html")
        for name in after
        if name.endswith((".html", ".xml", ".txt")) and before.get(name) != after[name]
    }
    if change != "signing keys":  # a page shows no key: all are checked for leaks again
        assert changed
    assert changed <= again
    assert again == (planned if expected is None else expected)


# ---------------------------------------------------------------- keys, unit


def _head(title: str = "Kick-off", image: PageImage | None = None) -> PageHead:
    return PageHead(KICKOFF_URL, title, "We met.", "article", image)


def test_a_page_key_covers_template_head_context_and_build_key() -> None:
    image = PageImage("https://example.org/mini/share/site.png", "Mini Circle", 1200, 630)
    context = {"entry": "kickoff", "next": None}
    base = PageCache(None, b"build").key("entry.html", _head(image=image), context)
    variants = {
        "build key": PageCache(None, b"other").key("entry.html", _head(image=image), context),
        "template": PageCache(None, b"build").key("thread.html", _head(image=image), context),
        "head title": PageCache(None, b"build").key("entry.html", _head("Kick", image), context),
        "head image": PageCache(None, b"build").key(
            "entry.html", _head(image=PageImage(image.url, "Other", 1200, 630)), context
        ),
        "no image": PageCache(None, b"build").key("entry.html", _head(), context),
        "context value": PageCache(None, b"build").key(
            "entry.html", _head(image=image), {"entry": "kickoff", "next": "promoted"}
        ),
        "context name": PageCache(None, b"build").key(
            "entry.html", _head(image=image), {"entry": "kickoff", "previous": None}
        ),
    }
    assert base is not None and None not in variants.values()
    assert len({base, *variants.values()}) == len(variants) + 1
    again = PageCache(None, b"build").key("entry.html", _head(image=image), dict(context))
    assert again == base


def test_an_adopted_view_is_keyed_by_its_inputs_not_its_fields() -> None:
    """A view made from known inputs is written as their digest (`Fingerprint.adopt`): two
    equal views made from different inputs key their pages apart, and a view's fields are not
    walked for its page key."""
    first, second = PageImage("u", "same", 1, 1), PageImage("u", "same", 1, 1)
    keys = []
    for view, inputs in ((first, b"a" * 32), (second, b"b" * 32)):
        cache = PageCache(None, b"build")
        cache.fingerprint.adopt([(view, inputs)])
        keys.append(cache.key("t.html", None, {"view": view}))
    assert None not in keys and keys[0] != keys[1]


def test_a_head_is_not_kept_between_pages() -> None:
    """Each page's head is made for it alone: keying a page does not keep it alive (10,000
    pages would otherwise each leave one behind in the fingerprint)."""
    fingerprint = Fingerprint()
    for title in ("a", "b", "c"):
        fingerprint.page(b"build", "t.html", _head(title), {})
    assert fingerprint._kept == []


def test_keys_are_the_same_in_another_process() -> None:
    """No object identity or hash seed leaks into a key (see test_page_index for contexts)."""
    script = (
        "from menteo.site.page_cache import PageCache\n"
        "from menteo.site.pages import PageHead, PageImage\n"
        "image = PageImage('https://e/x.png', 'x', 1, 2)\n"
        "head = PageHead('/a/', 'A', 'd', 'website', image)\n"
        "print(PageCache(None, b'k').key('t.html', head, {'x': (1, 'y'), 'z': {'a': None}}))\n"
    )
    keys = set()
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script], env=environment, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        keys.add(done.stdout.strip())
    assert len(keys) == 1 and re.fullmatch(r"[0-9a-f]{40}", keys.pop())
