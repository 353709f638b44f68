"""Pages that let people down (issue 16, part 4), built by the real CLI: the dashboard in the main
navigation, a revoked award that says so and invites no sharing, profiles whose badges link to
the person's own award pages, roadmaps that name the badges they count towards, and dashboard
charts whose labels leave room for each other (measured in a browser in test_browser_pages.py).
"""

from __future__ import annotations

import html
import itertools
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from menteo.cli import main
from menteo.site.dashboard import CHART_LEFT, CHART_WIDTH, FONT_SIZE, LABEL_GAP, _bars

MINI = Path(__file__).parent / "fixtures" / "mini"
VALID = "df9bd69f-ec70-5fef-97b2-cc50b0a5d4fb"
REVOKED = "16b59542-1e5e-58c8-b3db-7cf00bf630b7"
PATHFINDER = """\
name: Pathfinder
audience: mentee
description: For mentees who reach two steps of a roadmap.
criteria:
  any:
    - roadmap_steps: {min: 2}
    - at_least: {count: 1, of: [{roadmaps_completed: {min: 1}}, {sessions: {min: 40}}]}
"""
"""A badge whose roadmap measure is nested in combinators: roadmap pages must still find it."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini community, plus a badge counting roadmap steps, built by `menteo build`."""
    community = tmp_path_factory.mktemp("pages") / "mini"
    shutil.copytree(MINI, community)
    (community / "badges" / "pathfinder.yaml").write_text(PATHFINDER, encoding="utf-8")
    out = community.parent / "_site"
    result = CliRunner().invoke(main, ["build", str(community), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def meta(page: str) -> dict[str, str]:
    head = page.partition("</head>")[0]
    found = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', head)
    return {name: html.unescape(content) for name, content in found}


def main_nav(page: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.S)
    assert nav is not None
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav[1])


def test_every_page_has_the_dashboard_in_its_main_navigation(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        nav = main_nav(page.read_text(encoding="utf-8"))
        assert ("/mini/dashboard/", "Dashboard") in nav, page
    dashboard = read(site, "dashboard/index.html")
    assert '<a href="/mini/dashboard/" aria-current="page">Dashboard</a>' in dashboard


def test_revoked_award_says_so_and_offers_no_sharing(site: Path) -> None:
    page = read(site, f"awards/{REVOKED}/index.html")
    assert "Verified award" not in page and '<p class="eyebrow">Revoked award</p>' in page
    assert '<time datetime="2025-06-02T10:00:00Z">Jun 2, 2025</time>' in page
    assert "Recorded for the wrong session &lt;b&gt;by mistake&lt;/b&gt;" in page  # escaped
    for offer in ("linkedin.com", "Add to LinkedIn", "award-embed", "Embed on your site"):
        assert offer not in page, offer
    assert "copy.js" not in page and 'data-copy="' not in page
    # What a link preview shows agrees with the page: revoked, why, and no badge card.
    tags = meta(page)
    assert tags["og:title"] == "First Session awarded to Jonas Berg (revoked)"
    assert tags["og:description"].endswith(
        "revoked on 2025-06-02: Recorded for the wrong session <b>by mistake</b>."
    )
    assert tags["og:image"].endswith("/share/site.png")
    assert "(revoked)" in re.search(r"<title>(.*?)</title>", page)[1]  # type: ignore[index]
    assert f"awards/{REVOKED}/" not in read(site, "sitemap.xml")
    # The credentials say the same: the hosted OB 2.0 assertion and the revocation list.
    hosted = json.loads(read(site, f"ob2/assertions/{REVOKED}.json"))
    assert hosted["revoked"] is True and "wrong session" in hosted["revocationReason"]
    listed = json.loads(read(site, "ob2/revocations.json"))["revokedAssertions"]
    assert any(REVOKED in entry["id"] for entry in listed)


def test_valid_award_keeps_its_share_actions(site: Path) -> None:
    page = read(site, f"awards/{VALID}/index.html")
    assert '<p class="eyebrow">Verified award</p>' in page and "Revoked" not in page
    assert "linkedin.com/profile/add?" in page and 'id="award-embed"' in page
    assert "copy.js" in page
    assert meta(page)["og:image"].endswith("/share/badges/guide.png")


def test_profile_badges_link_to_the_persons_award_pages(site: Path) -> None:
    page = read(site, "mentors/ana-lukasiewicz/index.html")
    held = re.search(r'<ul class="held-badges">(.*?)</ul>', page, re.S)
    assert held is not None
    links = dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', held[1]))
    assert sorted(links.values()) == ["Guide", "Starter"]
    assert f"/mini/awards/{VALID}/" in links
    for href in links:
        assert href.startswith("/mini/awards/")
        assert (site / href.removeprefix("/mini/") / "index.html").is_file()


def test_roadmap_page_lists_the_badges_it_counts_towards(site: Path) -> None:
    page = read(site, "roadmaps/sre/index.html")
    section = re.search(r'<section class="roadmap-badges".*?</section>', page, re.S)
    assert section is not None
    assert "Badges it counts towards" in section[0]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', section[0]) == [
        ("/mini/badges/pathfinder/", "Pathfinder")
    ]


def test_roadmap_page_without_such_badges_lists_none(tmp_path: Path) -> None:
    out = tmp_path / "_site"
    result = CliRunner().invoke(main, ["build", str(MINI), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "roadmap-badges" not in read(out, "roadmaps/sre/index.html")


# --- chart labels: laid out in viewBox units, so they fit at every width ---------------------


def months(count: int) -> list[tuple[str, int]]:
    return [(f"{2000 + n // 12:04d}-{n % 12 + 1:02d}", n % 7) for n in range(count)]


@pytest.mark.parametrize("count", [1, 6, 12, 18, 40, 120])
def test_month_labels_are_thinned_to_leave_room(count: int) -> None:
    bars = _bars(months(count))
    shown = [b for b in bars if b.lines]
    assert shown[-1] is bars[-1]  # the latest month is always named
    room = FONT_SIZE * 0.64 * len("2000-01") + LABEL_GAP
    assert all(b.middle - a.middle >= room - 0.2 for a, b in itertools.pairwise(shown))
    # Thinned, not emptied: labels are as dense as the room allows.
    slot = (CHART_WIDTH - 2 * CHART_LEFT) / count
    assert len(shown) >= count // (int(room / slot) + 1)


def test_category_labels_wrap_under_their_bar() -> None:
    labels = ["promotion", "project shipped", "skill attained", "new role", "talk given"]
    bars = _bars([(label, 1) for label in [*labels, "other", "not shared"]])
    assert [b.lines for b in bars][:3] == [
        ("promotion",),
        ("project", "shipped"),
        ("skill", "attained"),
    ]
    assert all(b.lines for b in bars)


def test_values_above_bars_only_when_every_one_fits() -> None:
    assert all(b.show_value for b in _bars(months(18)))
    assert not any(b.show_value for b in _bars([(m, 1000) for m, _ in months(120)]))
