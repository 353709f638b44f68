"""Pages measured in Debian's Chromium: the dashboard's chart labels do not overlap at phone or
desktop width, the mentor directory does not shift when its script runs, and Lighthouse 12
scores one page of every page type 100 in performance, accessibility, best practices and SEO.

Lighthouse runs with its default, mobile settings: a phone's screen (412x823) and simulated slow
4G (150 ms round trip, 1.6 Mbit/s), the stricter of its two presets and the one that found the
directory's layout shift (84) and the search page's late largest paint; the desktop preset
(40 ms, 10 Mbit/s) scored both 100. The one change: no CPU slowdown (Lighthouse's mobile
default is 4x), because on a test machine's shared cores a 4x slowdown measures how busy the
machine is, not the pages (total blocking time went from 0 to 2 s and back between two runs of
the same page here). Every page type runs in one Chrome, started once with a DevTools port: one
Lighthouse run per page type, and two more for a page that does not score 100 at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGE_TYPES,
    ROOT,
    WIDTHS,
    built_and_served,
    pytestmark,  # noqa: F401 (browser/slow marks, and each test skipped without Chromium)
)

INTEROP = ROOT / "tests" / "interop"
LIGHTHOUSE_MODULES = Path(os.environ.get("MENTEO_LIGHTHOUSE_MODULES") or INTEROP / "node_modules")
"""The node_modules holding Lighthouse: tests/interop's (`npm ci` there) unless set."""
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CPU_SLOWDOWN = 1
"""Lighthouse's simulated CPU slowdown (see the module's docstring)."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with built_and_served(ROOT, tmp_path_factory.mktemp("pages") / "_site") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


OVERLAPS = """svg => {
  const boxes = [...svg.querySelectorAll('text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  });
  const clash = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
    if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
      clash.push(`${a.text} / ${b.text}`);
  }));
  return {count: boxes.length, clash};
}"""
"""Every pair of texts in a chart (labels and values) whose drawn boxes intersect."""


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_dashboard_chart_labels_do_not_overlap(
    server: str, browser: Browser, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(server + PAGE_TYPES["dashboard"])
    charts = page.locator("svg.bar-chart")
    assert charts.count() == 3
    for index in range(3):
        found = charts.nth(index).evaluate(OVERLAPS)
        assert found["count"] > 4, found
        assert found["clash"] == [], (width, index, found["clash"])
    # The latest month is named under its bar.
    last = page.locator("#sessions-heading ~ .chart-pair tbody tr th").last.text_content()
    assert last in charts.first.locator("text.label").all_text_contents()
    context.close()


SHIFTS = """() => new Promise(done => {
  const shifts = [];
  new PerformanceObserver(list => list.getEntries().forEach(e => shifts.push(
    {value: e.value, moved: e.sources.map(s => s.node ? s.node.nodeName + '.' + s.node.className : '?')}
  ))).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => done(shifts), 500);
})"""
"""Every layout shift since the page started loading, with what moved."""


@pytest.mark.parametrize("name", ["directory", "search"])
@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_nothing_moves_when_the_page_script_runs(
    server: str, browser: Browser, name: str, width: int, height: int
) -> None:
    """The directory's filters and the search box are laid out before their scripts run."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(server + PAGE_TYPES[name])
    page.wait_for_load_state("networkidle")
    if name == "search":
        expect(page.get_by_role("searchbox", name="Search the site")).to_be_visible()
    else:
        expect(page.get_by_role("status")).not_to_be_empty()
    assert page.evaluate(SHIFTS) == []
    context.close()


# --- Lighthouse ---------------------------------------------------------------------------------


def _lighthouse_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return "Chromium is not installed (apt-get install chromium)"
    if shutil.which("node") is None:
        return "Node.js is not installed (apt-get install nodejs npm)"
    if not (LIGHTHOUSE_MODULES / "lighthouse" / "package.json").is_file():
        return f"Lighthouse is not installed in {LIGHTHOUSE_MODULES} (run tests/interop/setup.sh)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _chrome_with_devtools() -> Iterator[int]:
    """Debian's Chromium, headless with a DevTools port for Lighthouse; yields the port."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as profile:
        command = [CHROMIUM, "--headless=new", *CHROMIUM_ARGS, f"--user-data-dir={profile}"]
        chrome = subprocess.Popen(
            [*command, f"--remote-debugging-port={port}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                assert chrome.poll() is None and time.monotonic() < deadline, (
                    "Chromium did not start"
                )
                time.sleep(0.2)
            yield port
        finally:
            chrome.terminate()
            chrome.wait(timeout=30)


def _run_lighthouse(port: int, urls: list[str]) -> dict[str, dict[str, Any]]:
    done = subprocess.run(
        ["node", str(INTEROP / "lighthouse.mjs"), str(port), str(CPU_SLOWDOWN), *urls],
        env={**os.environ, "MENTEO_LIGHTHOUSE_MODULES": str(LIGHTHOUSE_MODULES)},
        capture_output=True,
        text=True,
        timeout=60 * len(urls) + 60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, dict[str, Any]] = json.loads(done.stdout)
    return report


def _total(result: dict[str, Any]) -> int:
    return sum(result.get("scores", {}).values())


@pytest.fixture(scope="module")
def lighthouse(server: str) -> dict[str, dict[str, Any]]:
    """Lighthouse's report on one page of every page type: page type → scores, failing audits,
    metrics. A page that scores below 100 on the first run is run twice more and its median
    run kept, as Lighthouse's documentation advises against variance: a busy machine slows one
    run, a real regression slows all three. Skipped, test by test, without Node or Lighthouse;
    in CI that is a failure."""
    missing = _lighthouse_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} (required in CI: run tests/interop/setup.sh)", pytrace=False)
        pytest.skip(missing)
    urls = {name: server + path for name, path in PAGE_TYPES.items()}
    with _chrome_with_devtools() as port:
        report = _run_lighthouse(port, list(urls.values()))
        unsure = [url for url in urls.values() if _total(report[url]) < 100 * len(CATEGORIES)]
        if unsure:
            again = [_run_lighthouse(port, unsure) for _ in range(2)]
            for url in unsure:
                runs = sorted((report[url], *(run[url] for run in again)), key=_total)
                report[url] = runs[1]
    return {name: report[url] for name, url in urls.items()}


@pytest.mark.parametrize("name", sorted(PAGE_TYPES))
def test_lighthouse_scores_every_page_type_100(
    lighthouse: dict[str, dict[str, Any]], name: str
) -> None:
    result = lighthouse[name]
    assert "error" not in result, result
    assert result["scores"] == dict.fromkeys(CATEGORIES, 100), (name, result)
