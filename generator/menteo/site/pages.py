"""The page plan: every output file as (path, template, context), decided before any rendering.

Knowing every page first is what lets the build check every internal link, and lets rendering be
split across processes with no coordination.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from menteo.site.awards import AwardPage
from menteo.site.views import SiteViews, ThreadSummary, ThreadView

HOME_RECENT = 8
HOME_AWARDS = 12


@dataclass(frozen=True)
class PageImage:
    """The picture a link to the page shows when shared (Open Graph, Twitter/X, LinkedIn)."""

    url: str
    """Absolute: link previews are fetched from elsewhere."""
    alt: str
    width: int
    height: int


@dataclass(frozen=True)
class PageHead:
    """What templates see as `page`; where a page comes from is for the build only."""

    url: str
    title: str
    description: str
    og_type: str
    image: PageImage | None


@dataclass(frozen=True)
class Page:
    url: str
    """Root-relative URL (`/base/mentors/ana/`); the output file is derived from it."""
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    source: str | None = None
    """The content file this page shows: broken links on it are reported against that file."""
    in_sitemap: bool = True
    weight: int = 1
    """Roughly how many entries the page shows, to share rendering work out evenly."""
    og_type: str = "website"
    image: PageImage | None = None
    """Its share card (see `site.share`)."""

    @property
    def head(self) -> PageHead:
        return PageHead(self.url, self.title, self.description, self.og_type, self.image)

    def output_path(self, base_path: str) -> str:
        rel = self.url.removeprefix(base_path)
        return rel + "index.html" if rel == "" or rel.endswith("/") else rel


Gettext = Callable[[str], str]


def plan_pages(views: SiteViews, feed_size: int, _: Gettext) -> list[Page]:
    """Every page of the site, in a stable order, titled in the site's language (`_`)."""
    u = views.urls
    pages = [
        Page(
            u.page(),
            "home.html",
            "",
            {
                "spotlight": [m for m in views.mentors if m.spotlight],
                "recent": views.entries[:HOME_RECENT],
                "roadmaps": views.roadmaps,
                "communities": views.communities,
                "stats": views.stats,
                "awards": views.recognition.awards[:HOME_AWARDS],
            },
        ),
        Page(
            u.page("mentors"),
            "mentors.html",
            _("Mentors"),
            {
                "people": views.mentors,
                "match_words": views.match_words,
                "match_skills": list(views.skill_matches),
            },
            weight=len(views.mentors),
        ),
        Page(
            u.page("mentees"),
            "mentees.html",
            _("Mentees"),
            {"people": views.mentees},
            weight=len(views.mentees),
        ),
        *(
            Page(
                u.page("match", skill),
                "match.html",
                _("Mentors for %(skill)s") % {"skill": skill},
                {"skill": skill, "matches": matches},
                _("Mentors who help with %(skill)s, best fit first, and why.") % {"skill": skill},
                weight=len(matches),
            )
            for skill, matches in views.skill_matches.items()
        ),
        Page(
            u.page("threads"),
            "threads.html",
            _("Mentorships"),
            {"threads": list(views.summaries.values())},
            weight=len(views.summaries),
        ),
        Page(u.page("roadmaps"), "roadmaps.html", _("Roadmaps"), {"roadmaps": views.roadmaps}),
        Page(
            u.page("communities"),
            "communities.html",
            _("Communities"),
            {"communities": views.communities},
        ),
        Page(
            u.page("tags"),
            "tags.html",
            _("Tags"),
            {"tags": {tag: len(entries) for tag, entries in views.tags.items()}},
        ),
        Page(
            u.page("search"),
            "search.html",
            _("Search"),
            description=_("Search mentors, mentees, mentorship entries, roadmaps and badges."),
        ),
    ]
    pages += _recognition_pages(views, feed_size, _)
    pages += _dashboard_pages(views, _)
    for person in (*views.mentors, *views.mentees):
        pages.append(
            Page(
                person.ref.url or "",
                "person.html",
                person.name,
                {"person": person},
                person.headline or "",
                views.sources[person.ref.url or ""],
                og_type="profile",
            )
        )
    for thread in views.threads:
        pages += thread_pages(thread, views.summaries[thread.url], views.sources)
    for roadmap in views.roadmaps:
        pages.append(
            Page(
                roadmap.url,
                "roadmap.html",
                roadmap.title,
                {"roadmap": roadmap},
                roadmap.summary,
                views.sources[roadmap.url],
            )
        )
    for community in views.communities:
        pages.append(
            Page(
                community.url,
                "community.html",
                community.name,
                {"community": community},
                community.summary,
                views.sources[community.url],
            )
        )
    for tag, entries in views.tags.items():
        pages.append(
            Page(
                u.page("tags", tag),
                "tag.html",
                f"#{tag}",
                {"tag": tag, "entries": entries},
                weight=len(entries),
            )
        )
    pages += [
        Page(u.file("404.html"), "404.html", _("Page not found"), in_sitemap=False),
        Page(
            u.file("feed.xml"),
            "feed.xml",
            _("Recent entries"),
            {"entries": views.entries[:feed_size]},
            in_sitemap=False,
            weight=feed_size,
        ),
        Page(u.file("robots.txt"), "robots.txt", "", in_sitemap=False),
    ]
    pages.append(
        Page(
            u.file("sitemap.xml"),
            "sitemap.xml",
            "",
            {"pages": [p.url for p in pages if p.in_sitemap]},
            in_sitemap=False,
        )
    )
    return pages


def thread_pages(
    thread: ThreadView, summary: ThreadSummary, sources: Mapping[str, str]
) -> list[Page]:
    """A published thread's page, then the page of each of its published entries."""
    pages = [
        Page(
            thread.url,
            "thread.html",
            thread.title,
            {"thread": thread},
            "",
            sources[thread.url],
            weight=len(thread.entries),
        )
    ]
    published = [e for e in thread.entries if e.url]
    for index, entry in enumerate(published):
        neighbours = {
            "previous": published[index - 1] if index else None,
            "next": published[index + 1] if index + 1 < len(published) else None,
        }
        pages.append(
            Page(
                entry.url or "",
                "entry.html",
                entry.title,
                {"entry": entry, "thread": summary, **neighbours},
                entry.excerpt,
                sources[entry.url or ""],
                og_type="article",
            )
        )
    return pages


def _recognition_pages(views: SiteViews, feed_size: int, _: Gettext) -> list[Page]:
    u = views.urls
    recognition = views.recognition
    badges = recognition.badges
    pages = [
        Page(u.page("badges"), "badges.html", _("Badges"), {"badges": badges}, weight=len(badges)),
        Page(
            u.page("opportunities"),
            "opportunities.html",
            _("Opportunities unlocked"),
            {"people": recognition.opportunities, "badges": badges},
            _("Development opportunities that badges unlock, and who has unlocked them."),
        ),
        Page(
            u.page("ledger"),
            "ledger.html",
            _("Award ledger"),
            {"rows": recognition.ledger},
            _("Every award and revocation, in order, hash-chained so anyone can check it."),
            weight=len(recognition.ledger) // 10 + 1,
        ),
        Page(
            u.file("awards/feed.xml"),
            "awards.xml",
            _("Recent awards"),
            {"awards": recognition.awards[:feed_size]},
            in_sitemap=False,
        ),
    ]
    for award in recognition.pages:
        pages.append(
            Page(
                award.url,
                "award.html",
                _award_title(award, _),
                {"award": award},
                _award_description(award, _),
                in_sitemap=award.award.revoked is None,
            )
        )
    for badge in badges:
        pages.append(
            Page(
                badge.url,
                "badge.html",
                badge.name,
                {"badge": badge},
                badge.narrative,
                views.sources.get(badge.url),
                weight=len(badge.holders) // 10 + 1,
            )
        )
    return pages


def _award_title(award: AwardPage, _: Gettext) -> str:
    names = {"badge": award.badge.name, "recipient": _(award.award.recipient.label)}
    if award.award.revoked is not None:
        return _("%(badge)s awarded to %(recipient)s (revoked)") % names
    return _("%(badge)s awarded to %(recipient)s") % names


def _award_description(award: AwardPage, _: Gettext) -> str:
    """What a link preview says: a revoked award's says so, and why, instead of its criteria."""
    facts = {
        "badge": award.badge.name,
        "issuer": award.issuer_name,
        "date": award.award.awarded.isoformat(),
    }
    if award.award.revoked is not None:
        return _(
            "%(badge)s, awarded by %(issuer)s on %(date)s, revoked on %(revoked)s: %(reason)s"
        ) % {
            **facts,
            "revoked": (award.award.revoked_recorded or "")[:10],
            "reason": award.award.revoked,
        }
    return _("%(badge)s, awarded by %(issuer)s on %(date)s: %(criteria)s") % {
        **facts,
        "criteria": award.badge.narrative,
    }


def _dashboard_pages(views: SiteViews, _: Gettext) -> list[Page]:
    if views.dashboard is None:
        return []
    return [
        Page(
            views.urls.page("dashboard"),
            "dashboard.html",
            _("Program dashboard"),
            {"dashboard": views.dashboard},
            _("How the mentorship program is doing: pairs, sessions, outcomes, badges, feedback."),
        )
    ]
