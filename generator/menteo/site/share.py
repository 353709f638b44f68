"""Share cards: the picture a link to a page shows when it is posted (Open Graph, Twitter/X,
LinkedIn), drawn from published views, so a card never shows what its page does not.

Badges and roadmaps get their own card; an award shows its badge's (the site's once revoked); a
profile shows the card of the highest-tier badge the person holds (what they would share it for);
a mentorship shows its roadmap's; every other page shows the site's card. The number of cards
grows with badges and roadmaps, not with people: a card takes resvg 40-60 ms, and one per person
and mentorship made a cold build of 1,000 mentors spend 150 CPU-seconds and 2.3 GiB on pictures
(bench/run.py).

A card lives at `share/<the page's path>.png` (`share/mentors/ana.png`; the site's is
`share/site.png`). The issue stage's renderer draws it (one bundled font, the same bytes on
every machine), and the image cache keeps it between builds: a card takes resvg 40-60 ms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace

from menteo.credentials.cache import ImageCache
from menteo.credentials.images import SHARE_SIZE, ShareCard, share_image
from menteo.site.pages import Page, PageImage
from menteo.site.views import SiteViews
from menteo.workers import cores, process_pool

PARALLEL_FROM = 24
"""Fewer new cards than this are drawn in-process: starting workers costs more than it saves."""
SITE_CARD = "site"


@dataclass(frozen=True)
class ShareCards:
    files: Callable[[], dict[str, bytes]]
    """Site-relative path → PNG, once every card is drawn."""
    pages: dict[str, PageImage]
    """Page URL → its own card."""
    default: PageImage
    """The site's card, for every other page."""
    paths: frozenset[str]
    """Site-relative path of every card, known before any is drawn (`menteo serve` shows
    pages first and draws the cards after)."""

    def attach(self, pages: list[Page]) -> list[Page]:
        return [replace(page, image=self.pages.get(page.url, self.default)) for page in pages]


def card_path(page_url: str, base_path: str) -> str:
    return f"share/{page_url.removeprefix(base_path).strip('/') or SITE_CARD}.png"


def plan_cards(
    views: SiteViews, site_name: str, description: str, badge_svgs: dict[str, str]
) -> dict[str, ShareCard]:
    """Page URL → its card. Every text comes from a published view: what the page shows."""
    cards = {views.urls.page(): ShareCard(site_name, description, site_name)}
    for badge in views.recognition.badges:
        emblem = badge_svgs[badge.slug]
        cards[badge.url] = ShareCard(badge.name, badge.description, site_name, emblem)
    for roadmap in views.roadmaps:
        cards[roadmap.url] = ShareCard(roadmap.title, roadmap.summary, site_name)
    return cards


@contextmanager
def _drawing(
    cards: dict[str, ShareCard], cache: ImageCache, workers: int | None
) -> Iterator[Callable[[], dict[str, bytes]]]:
    """Each card's PNG, remembered or drawn: many are drawn on every core while the build goes
    on (the pages render meanwhile), and calling what this yields waits for them."""
    pngs: dict[str, bytes] = {}
    missing = []
    for path, card in cards.items():
        png = cache.get(card.key)
        if png is None:
            missing.append(path)
        else:
            pngs[path] = png
    workers = workers or cores()
    with ExitStack() as stack:
        if len(missing) < PARALLEL_FROM or workers < 2:

            def drawn() -> list[bytes]:
                return [cards[path].png() for path in missing]

        else:
            pool = stack.enter_context(process_pool(workers))
            pictures = pool.map(share_image, [cards[path] for path in missing], chunksize=4)
            # Every card is queued: each worker ends when there are none left, instead of
            # waiting idle through the rendering (the build's peak without search).
            pool.shutdown(wait=False)

            def drawn() -> list[bytes]:
                return list(pictures)

        def finish() -> dict[str, bytes]:
            for path, png in zip(missing, drawn(), strict=True):
                cache.put(cards[path].key, png)
                pngs[path] = png
            return pngs

        yield finish


@contextmanager
def share_cards(
    views: SiteViews,
    site_name: str,
    description: str,
    badge_svgs: dict[str, str],
    cache: ImageCache,
    workers: int | None = None,
) -> Iterator[ShareCards]:
    """Every card of the site; an award page shows its badge's card (it names no one, so it is
    drawn once per badge, and stays legible whatever script a recipient's name is in), unless
    the award is revoked: then the site's."""
    urls = views.urls
    cards = plan_cards(views, site_name, description, badge_svgs)
    paths = {url: card_path(url, urls.base_path) for url in cards}
    width, height = SHARE_SIZE
    images = {
        url: PageImage(urls.absolute(urls.file(paths[url])), card.alt, width, height)
        for url, card in cards.items()
    }
    for award in views.recognition.pages:
        if award.award.revoked is None:  # a revoked award's link shows no badge to be proud of
            images[award.url] = images[award.badge.url]
    tiers = {badge.url: badge.tier for badge in views.recognition.badges}
    for person in (*views.mentors, *views.mentees):
        held = [a.badge.url for a in person.awards if a.badge.url in images]
        if held:
            top = max(held, key=lambda url: (tiers[url], url))
            images[person.ref.url or ""] = images[top]
    for thread in views.threads:
        if thread.roadmap is not None:
            images[thread.url] = images[thread.roadmap.url]
    with _drawing({paths[url]: card for url, card in cards.items()}, cache, workers) as files:
        yield ShareCards(files, images, images[urls.page()], frozenset(paths.values()))
