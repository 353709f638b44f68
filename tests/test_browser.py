"""The demo site in Debian's Chromium: every page type loads cleanly, stays on the site, and is
captured at phone and desktop widths (screenshots land in tests/artifacts/ for people to look at).
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).parent / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("MENTEO_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
"""MENTEO_TEST_CHROMIUM names another binary (tests/test_architecture.py names a missing one to
check how the suite reports that)."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).exists() and os.environ.get("CI"):
    raise RuntimeError("Chromium is required in CI: apt-get install chromium")

# Without Chromium each test is skipped on its own, so the summary counts every test not run.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Chromium is not installed (apt-get install chromium)"
    ),
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def built_and_served(community: Path, out: Path) -> Iterator[str]:
    """`community` built by the real CLI into `out` and served on 127.0.0.1; yields its URL."""
    handler = functools.partial(_QuietHandler, directory=str(out))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    command = [sys.executable, "-m", "menteo", "build", str(community), "--out", str(out)]
    subprocess.run(
        [*command, "--base-url", base],
        check=True,
        capture_output=True,
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        httpd.shutdown()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with built_and_served(ROOT, tmp_path_factory.mktemp("browser") / "_site") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


PAGE_TYPES = {
    "home": "",
    "directory": "mentors/",
    "directory-match": "mentors/?skill=observability&language=en&timezone=120",
    "match": "match/observability/",
    "mentor": "mentors/amara-okafor/",
    "mentor-progress": "mentors/dmitri-volkov/",
    "mentee": "mentees/li-wei/",
    "threads": "threads/",
    "thread": "threads/amara-okafor--li-wei/",
    "roadmaps": "roadmaps/",
    "roadmap": "roadmaps/sre-foundations/",
    "communities": "communities/",
    "community": "communities/platform-circle/",
    "tags": "tags/",
    "not-found": "404.html",
    "badges": "badges/",
    "badge": "badges/champion/",
    "badge-artwork": "badges/first-talk/",
    "opportunities": "opportunities/",
    "ledger": "ledger/",
    "award": "awards/5de835be-d2eb-519c-b917-50057a2fab18/",
    "award-revoked": "awards/f4ea96f9-db96-5e71-aea4-8d08af413a21/",
    "dashboard": "dashboard/",
    "search": "search/",
}


def _visit(page: Page, url: str) -> tuple[list[str], list[str], list[str]]:
    errors: list[str] = []
    failed: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto(url)
    assert response is not None and response.ok, url
    page.wait_for_load_state("networkidle")
    return errors, failed, requests


WIDTHS = ((375, 812), (1280, 900))
"""Phone and desktop viewports every page type is checked and captured at."""


@contextlib.contextmanager
def loaded_cleanly(
    browser: Browser, base: str, name: str, width: int, height: int, prefix: str = ""
) -> Iterator[Page]:
    """Page type `name` of the site at `base`, `width` pixels wide, once it has loaded with no
    console error, no failed request, no request leaving the site and no sideways scroll; its
    screenshot is saved as `<prefix><name>-<width>.png`."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        errors, failed, requests = _visit(page, base + PAGE_TYPES[name])
        assert errors == [] and failed == []
        assert all(r.startswith(base) for r in requests), requests
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"{name} scrolls sideways at {width}px"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{prefix}{name}-{width}.png"), full_page=True)
        yield page
    finally:
        context.close()


@pytest.mark.parametrize("name", sorted(PAGE_TYPES))
def test_page_loads_cleanly_and_stays_local(server: str, browser: Browser, name: str) -> None:
    for width, height in WIDTHS:
        with loaded_cleanly(browser, server, name, width, height):
            pass


def test_entry_page_and_skip_link(server: str, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(server + "threads/amara-okafor--li-wei/")
    page.locator("ol.timeline a.entry-title").first.click()
    page.wait_for_load_state()
    assert "/threads/amara-okafor--li-wei/" in page.url and page.url != server
    assert page.locator("article.entry h1").is_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.close()


def test_everything_essential_works_without_javascript(server: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "mentors/")
    cards = page.locator(".directory .person-card")
    assert cards.count() >= 10
    cards.first.locator("h2 a").click()
    assert page.locator("h1").is_visible()
    context.close()


@pytest.mark.parametrize(
    ("query", "mentor"),
    [("Amara Okafor", "amara-okafor"), ("threat-modeling", "layla-haddad")],
)
def test_search_finds_a_mentor_by_name_or_skill(
    server: str, browser: Browser, query: str, mentor: str
) -> None:
    """Pagefind's UI, loaded from the site itself, finds the mentor's page; the search box is
    labelled and every request (the index, its fragments, the WebAssembly) stays on the site."""
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server + PAGE_TYPES["search"])
    expect(page.get_by_text("needs JavaScript")).to_have_count(0)
    box = page.get_by_role("searchbox", name="Search the site")
    box.fill(query)
    result = page.locator(f'.pagefind-ui__result-link[href="/mentors/{mentor}/"]')
    expect(result.first).to_be_visible(timeout=10_000)
    serious = serious_violations(page, _axe_source())
    assert not serious, serious
    result.first.click()
    page.wait_for_load_state()
    assert page.url == f"{server}mentors/{mentor}/"
    assert requests and all(r.startswith(server) for r in requests), requests
    page.close()


def _results(page: Page) -> list[str]:
    """The result links Pagefind's UI shows, in order, once it has shown some."""
    links = page.locator(".pagefind-ui__result-link")
    expect(links.first).to_be_visible(timeout=10_000)
    return [links.nth(n).get_attribute("href") or "" for n in range(links.count())]


def test_search_ranks_the_mentor_with_a_skill_first(server: str, browser: Browser) -> None:
    """People rank above the entries, roadmaps and rooms that merely mention their skill."""
    page = browser.new_page()
    page.goto(server + PAGE_TYPES["search"])
    page.get_by_role("searchbox", name="Search the site").fill("kubernetes")
    expect(page.locator(".pagefind-ui__result-link").first).to_have_attribute(
        "href", "/mentors/amara-okafor/", timeout=10_000
    )
    titles = page.locator(".pagefind-ui__result-title").all_inner_texts()
    assert not {"Goals", "Timeline"} & {t.strip() for t in titles}
    page.close()


def test_search_filters_results_by_kind(server: str, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(server + PAGE_TYPES["search"])
    page.get_by_role("searchbox", name="Search the site").fill("observability")
    assert any(not url.startswith("/mentors/") for url in _results(page))
    page.get_by_role("checkbox", name=re.compile(r"^Mentors \(\d+\)$")).check()
    expect(page.locator(".pagefind-ui__result-link").first).to_be_visible(timeout=10_000)
    expect(page.locator('.pagefind-ui__result-link:not([href^="/mentors/"])')).to_have_count(
        0, timeout=10_000
    )
    assert "/mentors/amara-okafor/" in _results(page)
    serious = serious_violations(page, _axe_source())
    assert not serious, serious
    page.close()


def test_header_search_box_opens_the_search_page_with_the_query(
    server: str, browser: Browser
) -> None:
    """A plain GET form: it works without JavaScript, and the search page runs its query."""
    for script in (False, True):
        context = browser.new_context(java_script_enabled=script)
        page = context.new_page()
        page.goto(server + PAGE_TYPES["badges"])
        box = page.get_by_role("search").get_by_role("searchbox", name="Search the site")
        box.fill("Amara Okafor")
        box.press("Enter")
        page.wait_for_load_state()
        assert page.url == f"{server}search/?q=Amara+Okafor"
        if script:
            assert "/mentors/amara-okafor/" in _results(page)
            field = page.get_by_role("searchbox", name="Search the site")
            expect(field).to_have_value("Amara Okafor")
        else:
            # A <noscript> paragraph: Playwright's text search skips noscript; find it by class.
            expect(page.locator(".search-fallback")).to_contain_text("needs JavaScript")
        context.close()


def test_search_page_without_javascript_points_to_the_directories(
    server: str, browser: Browser
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + PAGE_TYPES["search"])
    # A <noscript> paragraph: Playwright's text search skips noscript, so find it by its class.
    expect(page.locator(".search-fallback")).to_be_visible()
    expect(page.locator(".search-fallback")).to_contain_text("needs JavaScript")
    for name, path in (
        ("mentor directory", "mentors/"),
        ("badges", "badges/"),
        ("roadmaps", "roadmaps/"),
    ):
        assert (
            page.get_by_role("link", name=name, exact=False)
            .first.get_attribute("href")
            .endswith(path)
        )
    context.close()


def test_award_page_copy_button_and_share_links(server: str, browser: Browser) -> None:
    """The copy buttons appear only with JavaScript and copy the page's link; the LinkedIn link
    carries the certification fields."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(server + PAGE_TYPES["award"])
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator('button[data-copy="award-link"]')).to_have_text("Copied")
    link = page.locator("#award-link").input_value()
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert link.endswith("/awards/5de835be-d2eb-519c-b917-50057a2fab18/")
    linkedin = page.get_by_role("link", name="Add to LinkedIn profile").get_attribute("href")
    assert linkedin is not None and "startTask=CERTIFICATION_NAME" in linkedin
    assert "name=Champion" in linkedin and "certId=urn%3Auuid%3A5de835be" in linkedin
    og_image = page.locator('meta[property="og:image"]').get_attribute("content")
    assert og_image is not None and og_image.endswith("/share/badges/champion.png")
    context.close()


AXE = ROOT / "tests" / "interop" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def _axe_source() -> str:
    """Skip locally; in CI a missing axe-core is a failure, never a silent skip."""
    if not AXE.is_file():
        reason = "axe-core is not installed in tests/interop/node_modules"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (required in CI: run tests/interop/setup.sh)", pytrace=False)
        pytest.skip(f"{reason} (run tests/interop/setup.sh)")
    return AXE.read_text(encoding="utf-8")


def serious_violations(page: Page, axe: str) -> list[str]:
    """What axe-core (WCAG 2.x A/AA and best practices) finds serious or critical on `page`."""
    page.add_script_tag(content=axe)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s), "
        f"e.g. {[node['target'] for node in v['nodes'][:3]]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("name", sorted(PAGE_TYPES))
def test_page_has_no_serious_accessibility_violations(
    server: str, browser: Browser, name: str
) -> None:
    """axe-core (WCAG 2.x A/AA and best practices) finds nothing serious or critical."""
    axe = _axe_source()
    problems: list[str] = []
    for width, height in ((1280, 900), (375, 812)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        response = page.goto(server + PAGE_TYPES[name])
        assert response is not None and response.ok
        page.wait_for_load_state("networkidle")
        problems += [f"{width}px {problem}" for problem in serious_violations(page, axe)]
        context.close()
    assert not problems, f"{name} ({PAGE_TYPES[name] or 'home'}):\n" + "\n".join(problems)


def test_keyboard_reaches_skip_link_then_main_navigation(server: str, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(server + PAGE_TYPES["directory"])
    brand = page.locator("header.site-header a.brand").text_content() or ""
    nav = [
        text.strip() for text in page.locator('header nav[aria-label="Main"] a').all_text_contents()
    ]
    assert "Mentors" in nav and "Badges" in nav
    # The skip link, then the site name (a link home), then the main navigation in order.
    expected = ["Skip to content", brand.strip(), *nav]
    focused = []
    for _ in expected:
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert focused == expected
    page.close()


def _visible_mentors(page: Page) -> list[str]:
    cards = page.locator(".directory .person-card:visible h2 a")
    return [
        href.rstrip("/").rsplit("/", 1)[-1]
        for href in cards.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    ]


def test_directory_filters_by_skill_and_announces_the_count(server: str, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(server + PAGE_TYPES["directory"])
    total = page.locator(".directory .person-card").count()
    status = page.get_by_role("status")
    expect(status).to_have_text(f"{total} of {total} mentors")
    expect(status).to_have_attribute("aria-live", "polite")
    page.get_by_label("Skill", exact=True).select_option("python")
    assert sorted(_visible_mentors(page)) == ["rafael-souza", "zoe-nunez"]
    expect(status).to_have_text(f"2 of {total} mentors")
    assert page.evaluate("location.search") == "?skill=python"
    # Choices combine into a ranking: of the two, the one who speaks Portuguese comes first.
    page.get_by_label("Language", exact=True).select_option("pt-BR")
    assert _visible_mentors(page) == ["rafael-souza", "zoe-nunez"]
    expect(status).to_have_text(f"2 of {total} mentors")
    assert "language=pt-BR" in page.evaluate("location.search")
    page.close()


def test_directory_filter_restored_from_url_and_reset(server: str, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(server + PAGE_TYPES["directory"] + "?skill=observability&availability=open")
    total = page.locator(".directory .person-card").count()
    expect(page.get_by_label("Skill", exact=True)).to_have_value("observability")
    expect(page.get_by_label("Availability", exact=True)).to_have_value("open")
    assert sorted(_visible_mentors(page)) == ["amara-okafor", "eleni-papadopoulou"]
    expect(page.get_by_role("status")).to_have_text(f"2 of {total} mentors")
    page.get_by_role("button", name="Show all").click()
    assert len(_visible_mentors(page)) == total
    expect(page.get_by_role("status")).to_have_text(f"{total} of {total} mentors")
    expect(page.get_by_label("Skill", exact=True)).to_have_value("")
    assert page.evaluate("location.search") == ""
    # A choice no mentor matches says so instead of showing an empty list.
    page.get_by_label("Skill", exact=True).select_option("python")
    page.get_by_label("Availability", exact=True).select_option("closed")
    expect(page.get_by_role("status")).to_have_text(f"0 of {total} mentors")
    expect(page.locator("#filter-empty")).to_be_visible()
    page.close()


def test_directory_keyboard_filtering(server: str, browser: Browser) -> None:
    """Native controls: the skill select takes focus and keyboard choices filter the list."""
    page = browser.new_page()
    page.goto(server + PAGE_TYPES["directory"])
    page.get_by_label("Skill", exact=True).focus()
    page.keyboard.press("ArrowDown")  # the first skill after "Any skill"
    first = page.get_by_label("Skill", exact=True).input_value()
    assert first
    for slug in _visible_mentors(page):
        skills = page.locator(f'.person-card:has(a[href$="/{slug}/"])').get_attribute("data-skills")
        assert skills is not None and first in skills.split()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filter-community"
    page.close()


def test_directory_without_javascript_lists_everyone_and_hides_the_form(
    server: str, browser: Browser
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + PAGE_TYPES["directory"] + "?skill=python")
    cards = page.locator(".directory .person-card")
    assert cards.count() >= 10
    assert len(_visible_mentors(page)) == cards.count()
    expect(page.locator("#directory-filters")).to_be_hidden()
    expect(page.locator("#filter-empty")).to_be_hidden()
    context.close()


LAYOUT_SHIFTS = """
window.__shift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__shift += entry.value;
  }
}).observe({type: "layout-shift", buffered: true});
"""


@pytest.mark.parametrize("width", [1280, 375])
def test_directory_does_not_shift_when_its_script_runs(
    server: str, browser: Browser, width: int
) -> None:
    """The "Find my match" form is laid out from the first paint (CSS hides it only where
    scripts do not run), so the script reveals nothing that pushes the mentors down."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.add_init_script(LAYOUT_SHIFTS)
    page.goto(server + PAGE_TYPES["directory"])
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("status")).not_to_be_empty()  # the script has run
    page.wait_for_timeout(300)
    assert page.evaluate("window.__shift") == 0
    context.close()


MATCH_WISHES = [
    {"skill": "observability", "language": "en", "timezone": "120", "community": "platform-circle"},
    {"skill": "python", "language": "pt-BR", "timezone": "-300"},
    {"language": "ja", "timezone": "540"},
    {"community": "first-timers", "timezone": "-180", "availability": "open"},
]


def _python_ranking(choices: dict[str, str]) -> list[tuple[str, str]]:
    """(mentor, "Fit N: reasons") for the published mentors, by menteo.program.matching in Python."""
    from menteo.content.loader import load_community
    from menteo.i18n import Formats
    from menteo.program.matching import REASON_WORDS, Wish, offers_of, ranked, reason_text

    community = load_community(ROOT)
    public = [slug for slug, person in community.mentors.items() if person.public]
    wish = Wish(
        skills=tuple(filter(None, [choices.get("skill")])),
        languages=tuple(filter(None, [choices.get("language")])),
        communities=tuple(filter(None, [choices.get("community")])),
        offset=int(choices["timezone"]) if "timezone" in choices else None,
    )
    offers = [
        o
        for o in offers_of(community, public)
        if choices.get("availability") in (None, community.mentors[o.slug].model.availability)
    ]

    def community_name(slug: str) -> str:
        return community.communities[slug].model.name

    language_name = Formats("en").language_name
    return [
        (
            f.mentor,
            f"Fit {f.score}: "
            + "; ".join(
                reason_text(r, REASON_WORDS, language_name, community_name) for r in f.reasons
            ),
        )
        for f in ranked(wish, offers, free_only=False)
    ]


@pytest.mark.parametrize("choices", MATCH_WISHES, ids=lambda c: "&".join(c.values()))
def test_find_my_match_ranks_and_explains_as_menteo_matching_does(
    server: str, browser: Browser, choices: dict[str, str]
) -> None:
    """The browser's ranking and reasons equal Python's for the same choices, picked with the
    form; nothing is requested while the visitor picks."""
    expected = _python_ranking(choices)
    assert expected, "a wish that ranks nobody checks nothing"
    page = browser.new_page()
    page.goto(server + PAGE_TYPES["directory"])
    page.wait_for_load_state("networkidle")
    expect(page.locator(".match-reasons:visible")).to_have_count(0)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(f"{r.method} {r.resource_type} {r.url}"))
    for name, value in choices.items():
        page.locator(f"#filter-{name}").select_option(value)
    shown = page.locator(".directory .person-card:visible")
    got = [
        (card.get_attribute("data-slug"), card.locator(".match-reasons").inner_text())
        for card in shown.all()
    ]
    assert got == expected
    total = page.locator(".directory .person-card").count()
    expect(page.get_by_role("status")).to_have_text(f"{len(expected)} of {total} mentors")
    # Chromium asks for the favicon again when the query changes; nothing else may be fetched.
    assert {r for r in requests if not r.endswith("/static/favicon.svg")} == set(), requests
    assert all(r.startswith(f"GET other {server}") for r in requests), requests
    # The same view from a shared link.
    query = page.evaluate("location.search")
    page.goto(server + PAGE_TYPES["directory"] + query)
    assert [c.get_attribute("data-slug") for c in shown.all()] == [slug for slug, _ in expected]
    page.close()


def test_find_my_match_without_javascript_links_to_ranked_skill_pages(
    server: str, browser: Browser
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + PAGE_TYPES["directory"])
    page.get_by_text("Find my match by skill").click()
    page.get_by_role("link", name="observability", exact=True).click()
    expect(page).to_have_url(server + "match/observability/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentors for observability")
    cards = page.locator(".match-list .person-card")
    got = [
        (href.rstrip("/").rsplit("/", 1)[-1], card.locator(".match-reasons").inner_text())
        for card in cards.all()
        for href in [card.locator("h2 a").get_attribute("href") or ""]
    ]
    assert got == _python_ranking({"skill": "observability"})
    context.close()


SPANISH_PAGES = ["home", "directory", "mentor", "thread", "badge", "award", "dashboard", "search"]


SPANISH_BUNDLE_PAGES = 100
"""Small search bundles, so the demo's search runs over three merged ones."""


@pytest.fixture(scope="module")
def spanish_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The demo community with `language: es`, built and served (its URL and folder): the theme
    in Spanish, with Spanish dates and language names (screenshots: es-*.png)."""
    community = tmp_path_factory.mktemp("demo-es")
    for name in ("content", "badges", "ledger"):
        shutil.copytree(ROOT / name, community / name)
    config = (ROOT / "menteo.yml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^language: .*$", "language: es", config)
    config += f"search_bundle_pages: {SPANISH_BUNDLE_PAGES}\n"
    (community / "menteo.yml").write_text(config, encoding="utf-8")
    with built_and_served(community, community / "_site") as base:
        yield base, community / "_site"


@pytest.fixture(scope="module")
def spanish(spanish_site: tuple[str, Path]) -> str:
    return spanish_site[0]


@pytest.mark.parametrize("name", SPANISH_PAGES)
def test_spanish_page_loads_cleanly_and_has_no_serious_violations(
    spanish: str, browser: Browser, name: str
) -> None:
    axe = _axe_source()
    for width, height in WIDTHS:
        with loaded_cleanly(browser, spanish, name, width, height, prefix="es-") as page:
            assert page.evaluate("document.documentElement.lang") == "es"
            assert serious_violations(page, axe) == [], (name, width)


def test_spanish_directory_filters_and_counts_in_spanish(spanish: str, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(spanish + PAGE_TYPES["directory"])
    expect(page.get_by_role("link", name="Saltar al contenido")).to_have_count(1)
    total = page.locator(".directory .person-card").count()
    status = page.get_by_role("status")
    expect(status).to_have_text(f"{total} de {total} personas mentoras")
    page.get_by_label("Habilidad", exact=True).select_option("python")
    expect(status).to_have_text(f"2 de {total} personas mentoras")
    # Language names come from the build, in Spanish, with the code as the value.
    language = page.get_by_label("Idioma", exact=True)
    language.select_option(label="portugués (Brasil)")
    expect(language).to_have_value("pt-BR")
    expect(status).to_have_text(f"2 de {total} personas mentoras")
    # Ranked, with the reasons in Spanish.
    first = page.locator(".directory .person-card:visible").first
    expect(first).to_have_attribute("data-slug", "rafael-souza")
    expect(first.locator(".match-reasons")).to_contain_text("habla portugués (Brasil)")
    page.close()


def test_spanish_search_over_merged_bundles_and_dates(
    spanish_site: tuple[str, Path], browser: Browser
) -> None:
    """A page of the last bundle is found from the search page, through the first one."""
    spanish, out = spanish_site
    shards = json.loads((out / "pagefind" / "shards.json").read_text())
    assert len(shards) >= 2
    last = next((out / "pagefind" / shards[-1] / "fragment").glob("*.pf_fragment"))
    fragment = json.loads(gzip.decompress(last.read_bytes()).removeprefix(b"pagefind_dcd"))
    page = browser.new_page()
    page.goto(spanish + PAGE_TYPES["search"])
    box = page.get_by_role("searchbox", name="Buscar en el sitio")
    box.fill(fragment["meta"]["title"])
    result = page.locator(f'.pagefind-ui__result-link[href="{fragment["url"]}"]')
    more = page.locator(".pagefind-ui__button")  # a common title: its page may come later
    expect(page.locator(".pagefind-ui__result-link").first).to_be_visible(timeout=10_000)
    while not result.count() and more.count():
        more.first.click()
        page.wait_for_timeout(200)
    expect(result.first).to_be_visible(timeout=10_000)
    box.fill("Amara Okafor")
    result = page.locator('.pagefind-ui__result-link[href="/mentors/amara-okafor/"]')
    expect(result.first).to_be_visible(timeout=10_000)
    page.goto(spanish + PAGE_TYPES["mentor"])
    awarded = page.locator(".held-badges time").first
    expect(awarded).to_have_text(re.compile(r"^\d{1,2} [a-z]{3,4} \d{4}$"))
    page.close()
