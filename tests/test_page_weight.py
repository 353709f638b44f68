"""The page weight budget: a typical page (its HTML and every stylesheet and script it loads,
images aside) is under 60 KB gzip-compressed, and no JavaScript framework ships with the theme.

Sizes are gzip level 6, what a typical server sends; the largest page of each type is measured,
so a type passes for every page of it."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from tests import test_demo

BUDGET = 60 * 1024
PAGE_TYPES = {
    "home": "index.html",
    "directory": "mentors/index.html",
    "mentor": "mentors/*/index.html",
    "mentee": "mentees/*/index.html",
    "thread": "threads/*/index.html",
    "entry": "threads/*/*/index.html",
    "roadmap": "roadmaps/*/index.html",
    "community": "communities/*/index.html",
    "badges": "badges/index.html",
    "badge": "badges/*/index.html",
    "award": "awards/*/index.html",
    "dashboard": "dashboard/index.html",
    "search": "search/index.html",
    "ledger": "ledger/index.html",
    "tags": "tags/index.html",
}
RUNTIME = {"static/search.js": ["pagefind/pagefind-ui.js", "pagefind/pagefind.js"]}
"""Scripts a script loads itself: the search page's script loads Pagefind's UI once the page has
painted, which imports its search API."""
FRAMEWORKS = re.compile(r"react|vue|jquery|angular", re.IGNORECASE)

pytestmark = pytest.mark.slow
built_demo = test_demo.demo_site
"""test_demo's `demo_site` fixture under this name: the demo built by the real command."""


class _Assets(HTMLParser):
    """The stylesheets and scripts a page references."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "stylesheet" and found.get("href"):
            self.found.append(found["href"] or "")
        elif tag == "script" and found.get("src"):
            self.found.append(found["src"] or "")


def compressed(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def base_path(site: Path) -> str:
    html = (site / "index.html").read_text(encoding="utf-8")
    match = re.search(r'<link rel="stylesheet" href="([^"]*)static/style\.css"', html)
    assert match, "the home page loads the theme's stylesheet"
    return match.group(1)


def page_weight(site: Path, page: Path, base: str) -> tuple[int, list[str]]:
    """The page's compressed bytes with everything it loads, and what it loads."""
    html = page.read_bytes()
    parser = _Assets()
    parser.feed(html.decode("utf-8"))
    assets = [href.removeprefix(base) for href in parser.found]
    assert all(not a.startswith(("http:", "https:", "//")) for a in assets), assets
    assets += [extra for asset in assets for extra in RUNTIME.get(asset, [])]
    return compressed(html) + sum(compressed((site / a).read_bytes()) for a in assets), assets


def test_every_page_type_is_within_the_budget(built_demo: Path) -> None:
    base = base_path(built_demo)
    weights = {}
    for kind, pattern in PAGE_TYPES.items():
        pages = sorted(built_demo.glob(pattern))
        assert pages, f"no {kind} page"
        heaviest = max(pages, key=lambda p: p.stat().st_size)
        weights[kind] = (
            heaviest.relative_to(built_demo).as_posix(),
            *page_weight(built_demo, heaviest, base),
        )
    for kind, (page, weight, assets) in weights.items():
        print(f"{kind:10} {weight / 1024:5.1f} KB  {page} + {', '.join(assets)}")
    over = {kind: weight for kind, (_, weight, _) in weights.items() if weight >= BUDGET}
    assert not over, f"over {BUDGET // 1024} KB compressed: {over}"


def test_no_javascript_framework_is_shipped(built_demo: Path) -> None:
    scripts = sorted((built_demo / "static").rglob("*"))
    assert any(p.suffix == ".js" for p in scripts)
    for path in scripts:
        assert not FRAMEWORKS.search(path.name), path
        if path.suffix == ".js":
            assert not FRAMEWORKS.search(path.read_text(encoding="utf-8")), path
