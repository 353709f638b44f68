"""Share cards and the Open Graph / Twitter tags that point at them: every shareable page type
carries complete tags with absolute URLs of files the build wrote, cards are valid 1200-wide
PNGs with the same bytes however they are drawn, never show a name that is not published, and
text the bundled font cannot draw is left out instead of crashing or drawing empty boxes."""

from __future__ import annotations

import html
import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from tests import test_demo
from tests.test_images_baking import chunks

from menteo.build import build_site
from menteo.content.loader import load_community
from menteo.credentials.cache import ImageCache
from menteo.credentials.images import SHARE_SIZE, ShareCard, drawable
from menteo.site import share

ROOT = Path(__file__).resolve().parent.parent
META = re.compile(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">')
REQUIRED = (
    "og:type",
    "og:title",
    "og:description",
    "og:url",
    "og:image",
    "og:image:width",
    "og:image:height",
    "og:image:alt",
    "twitter:card",
    "twitter:title",
    "twitter:description",
    "twitter:image",
)
SHAREABLE = {
    "home": ("index.html", r"share/site\.png"),
    "mentor": ("mentors/*/index.html", r"share/(badges/[a-z0-9-]+|site)\.png"),
    "mentee": ("mentees/*/index.html", r"share/(badges/[a-z0-9-]+|site)\.png"),
    "badge": ("badges/*/index.html", r"share/badges/{slug}\.png"),
    "award": ("awards/*/index.html", r"share/(badges/[a-z0-9-]+|site)\.png"),  # site: revoked
    "thread": ("threads/*/index.html", r"share/(roadmaps/[a-z0-9-]+|site)\.png"),
    "roadmap": ("roadmaps/*/index.html", r"share/roadmaps/{slug}\.png"),
}
"""Page type → (its pages, the card its tags may name; `{slug}` is the page's folder)."""
NO_CACHE = shutil.ignore_patterns(".menteo")

built_demo = test_demo.demo_site
"""test_demo's `demo_site` fixture under this name: the demo built by the real command."""


def head_tags(page: Path) -> dict[str, str]:
    head = page.read_text(encoding="utf-8").partition("</head>")[0]
    return {name: html.unescape(content) for name, content in META.findall(head)}


def png_size(data: bytes) -> tuple[int, int]:
    """The size of a valid 8-bit RGBA PNG: every chunk's CRC checked and every row inflated
    (not decoded with pypng: 50 cards take it 20 s)."""
    found = chunks(data)
    width, height, depth, colour = struct.unpack(">IIBB", found[0][1][:10])
    pixels = zlib.decompress(b"".join(body for kind, body in found if kind == b"IDAT"))
    assert (depth, colour) == (8, 6) and len(pixels) == height * (1 + 4 * width)
    return width, height


@pytest.mark.slow
def test_every_shareable_page_has_complete_tags_and_a_card(built_demo: Path) -> None:
    base_url = head_tags(built_demo / "index.html")["og:url"]
    checked: dict[str, bytes] = {}
    for kind, (pattern, card) in SHAREABLE.items():
        pages = sorted(built_demo.glob(pattern))
        assert pages, kind
        for page in pages:
            tags = head_tags(page)
            where = page.relative_to(built_demo).parent.as_posix()
            assert not [t for t in REQUIRED if not tags.get(t)], (where, tags)
            assert tags["og:url"] == base_url + ("" if where == "." else where + "/")
            assert tags["twitter:card"] == "summary_large_image"
            assert tags["twitter:image"] == tags["og:image"]
            assert tags["twitter:title"] == tags["og:title"]
            image = tags["og:image"].removeprefix(base_url)
            assert tags["og:image"].startswith(base_url) and image != tags["og:image"]
            assert re.fullmatch(card.format(slug=page.parent.name), image), (where, image)
            assert (int(tags["og:image:width"]), int(tags["og:image:height"])) == SHARE_SIZE
            if image not in checked:
                checked[image] = (built_demo / image).read_bytes()
                assert png_size(checked[image]) == SHARE_SIZE, image
    badges, roadmaps = (
        len(list(built_demo.glob(f"{k}/*/index.html"))) for k in ("badges", "roadmaps")
    )
    assert len(checked) == 1 + badges + roadmaps
    assert sorted((built_demo / "share").rglob("*.png")) == sorted(
        built_demo / image for image in checked
    )


@pytest.mark.slow
def test_profiles_show_their_highest_badge_and_mentorships_their_roadmap(built_demo: Path) -> None:
    """Cards grow with badges and roadmaps, not people: a profile shows the card of the highest
    tier it holds, a mentorship its roadmap's."""

    def card(page: str) -> str:
        return head_tags(built_demo / page / "index.html")["og:image"].rsplit("/share/", 1)[1]

    assert card("mentors/amara-okafor") == "badges/champion.png"
    assert card("threads/amara-okafor--li-wei") == "roadmaps/sre-foundations.png"
    unrecognised = [
        page.parent.relative_to(built_demo).as_posix()
        for page in built_demo.glob("ment[oe][re]s/*/index.html")
        if 'class="held-badges"' not in page.read_text(encoding="utf-8")
    ]
    assert unrecognised and all(card(page) == "site.png" for page in unrecognised)


@pytest.mark.slow
def test_every_other_page_shows_the_site_card(built_demo: Path) -> None:
    for page in ["search/index.html", "ledger/index.html", "tags/index.html", "404.html"]:
        tags = head_tags(built_demo / page)
        assert tags["og:image"].endswith("/share/site.png"), page
        assert tags["twitter:card"] == "summary_large_image"
    entry = next(built_demo.glob("threads/*/*/index.html"))
    assert head_tags(entry)["og:type"] == "article"
    assert head_tags(built_demo / "mentors/amara-okafor/index.html")["og:type"] == "profile"


@pytest.mark.slow
def test_cards_never_show_a_name_that_is_not_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned: list[ShareCard] = []
    plan = share.plan_cards

    def spy(*args: object, **kwargs: object) -> dict[str, ShareCard]:
        cards = plan(*args, **kwargs)  # type: ignore[arg-type]
        planned.extend(cards.values())
        return cards

    monkeypatch.setattr(share, "plan_cards", spy)
    build_site(ROOT, tmp_path / "site", workers=1)
    community = load_community(ROOT)
    hidden = [p for p in (*community.mentors.values(), *community.mentees.values()) if not p.public]
    assert hidden and planned
    alts = [
        tags[name]
        for page in (tmp_path / "site").rglob("*.html")
        for tags in [head_tags(page)]
        for name in ("og:image:alt", "twitter:image:alt")
    ]
    for person in hidden:
        for card in planned:
            shown = (card.title, card.subtitle, card.site, card.alt, card.emblem or "")
            assert not [text for text in shown if person.model.name in text], person.slug
        assert not [alt for alt in alts if person.model.name in alt], person.slug


def test_text_the_font_cannot_draw_is_left_out() -> None:
    assert drawable("Zoë Ñúñez, Дмитрий Волков, Ελένη, Łukasiewicz")
    for name in ("김지우", "李伟 (Li Wei)", "佐藤 春樹", "נועה בן דוד", "ليلى حداد"):
        assert not drawable(name)
        card = ShareCard(name, "Design systems engineer", "Circle")
        assert card.texts() == ("", "Design systems engineer", "Circle")
        assert card.alt == "Design systems engineer · Circle"
        assert png_size(card.png()) == SHARE_SIZE
    everything = ShareCard("יעל כהן", "عمر خليل", "王芳")
    assert everything.alt == ""
    assert png_size(everything.png()) == SHARE_SIZE


def test_the_site_name_is_not_repeated_on_its_own_card() -> None:
    card = ShareCard("Circle", "Mentoring, in the open.", "Circle")
    assert card.texts() == ("Circle", "Mentoring, in the open.", "")


def test_cards_are_the_same_bytes_drawn_here_on_every_core_or_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cards = {
        f"share/roadmaps/{n}.png": ShareCard(f"Roadmap {n}", "Steps and checkpoints", "Circle")
        for n in range(share.PARALLEL_FROM)
    }
    cards["share/roadmaps/sre.png"] = ShareCard("SRE foundations", "On-call, SLOs", "Circle")
    with share._drawing(cards, ImageCache(None), workers=1) as drawn:
        here = drawn()
    cache = ImageCache(tmp_path / "cache")
    with share._drawing(cards, cache, workers=2) as drawn:
        assert drawn() == here
    assert len(set(here.values())) == len(cards)

    def no_drawing(*args: object) -> bytes:
        raise AssertionError("drawn again instead of read from the cache")

    monkeypatch.setattr(ShareCard, "png", no_drawing)
    with share._drawing(cards, cache, workers=1) as drawn:
        assert drawn() == here


@pytest.mark.slow
def test_a_cold_rebuild_draws_identical_cards(built_demo: Path, tmp_path: Path) -> None:
    """Drawn again from nothing (no image cache), on every core, the cards are the same bytes."""
    community = tmp_path / "demo"
    community.mkdir()
    for name in ("menteo.yml", "content", "badges", "ledger"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copyfile
        copy(ROOT / name, community / name)
    build_site(community, tmp_path / "site")
    rebuilt = tmp_path / "site"
    cards = sorted(p.relative_to(built_demo) for p in (built_demo / "share").rglob("*.png"))
    assert cards == sorted(p.relative_to(rebuilt) for p in (rebuilt / "share").rglob("*.png"))
    for card in cards:
        assert (rebuilt / card).read_bytes() == (built_demo / card).read_bytes(), card


def test_verify_accepts_a_site_with_share_cards(tmp_path: Path) -> None:
    site = tmp_path / "site"
    mini = shutil.copytree(ROOT / "tests/fixtures/mini", tmp_path / "mini", ignore=NO_CACHE)
    build_site(mini, site, workers=1)
    cards = {p.relative_to(site).as_posix() for p in (site / "share").rglob("*.png")}
    assert {"share/site.png", "share/badges/guide.png", "share/roadmaps/sre.png"} <= cards
    assert test_demo.run_menteo("verify", str(site)).returncode == 0
