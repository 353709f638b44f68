"""`menteo newsletter`: what happened in a period (new awards, milestones, outcomes) as a digest
to paste into an issue (Markdown) or send to a mailing list (email-safe HTML).

The digest is made from the site's published-only views, so it names, links and tells exactly
what the site does and nothing more. Its period ends on a date taken from the content, never the
clock, so the same repository gives the same digest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from menteo.content.community import CommunityData
from menteo.content.models import EntryKind
from menteo.content.publication import Publication, Urls
from menteo.errors import ContentError
from menteo.escaping import markdown_text
from menteo.i18n import plural, translations
from menteo.ledger.review import Review
from menteo.site.awards import Ref, build_recognition
from menteo.site.pages import Page
from menteo.site.render import linked_theme_files, make_environment, template_problem
from menteo.site.theme_folders import theme_dirs
from menteo.site.views import EntryView, SiteViews, build_views

FORMATS = ("md", "html")


@dataclass(frozen=True)
class AwardItem:
    date: dt.date
    badge: Ref
    recipient: Ref


@dataclass(frozen=True)
class EntryItem:
    date: dt.date
    title: Ref
    """Linked to the entry's page when it has one (not in a `summary` mentorship)."""
    mentorship: Ref


@dataclass(frozen=True)
class Digest:
    site: Ref
    """The site's name and home page."""
    language: str
    since: dt.date
    as_of: dt.date
    awards: tuple[AwardItem, ...]
    milestones: tuple[EntryItem, ...]
    outcomes: tuple[EntryItem, ...]

    @property
    def stem(self) -> str:
        return f"newsletter-{self.since.isoformat()}--{self.as_of.isoformat()}"

    @property
    def summary(self) -> str:
        counts = (
            _count(len(self.awards), "new award", "new awards"),
            _count(len(self.milestones), "milestone", "milestones"),
            _count(len(self.outcomes), "outcome", "outcomes"),
        )
        return f"{', '.join(counts)} from {self.since} to {self.as_of}."


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {plural(n, one, many)}"


def _shared(community: CommunityData, views: SiteViews) -> list[EntryView]:
    """Published entries the digest may tell: titles of unshared outcomes stay on the thread
    page as "not shared" and are left out here."""
    pub = Publication(community)
    records = {pub.thread_id(t): t for t in community.threads.values()}
    shown = []
    for thread in views.threads:
        record = records[thread.id]
        by_slug = {e.slug: e for e in record.entries}
        shown += [e for e in thread.entries if pub.outcome_shared(record, by_slug[e.slug])]
    return shown


def digest(
    community: CommunityData, reviewed: Review, since: dt.date, as_of: dt.date | None = None
) -> Digest:
    """What happened from `since` to `as_of`, both included. `as_of` defaults to the latest
    published entry or award (or `since`, if that is later)."""
    urls = Urls(community.config.base_url)
    # No issued credentials: they give award pages, which a digest does not link (it links the
    # badge and the person), so no key is needed or used.
    recognition = build_recognition(community, reviewed, urls, issued=())
    views = build_views(
        community, urls, recognition, gettext=translations(community.config.language).gettext
    )
    entries = _shared(community, views)
    if as_of is None:
        dates = [e.date for e in entries] + [a.awarded for a in recognition.awards]
        as_of = max([since, *dates])

    def ref(label: str, url: str | None) -> Ref:
        return Ref(label, urls.absolute(url) if url else None)

    def items(kind: EntryKind) -> tuple[EntryItem, ...]:
        found = [e for e in entries if e.kind == kind.value and since <= e.date <= as_of]
        found.sort(key=lambda e: (e.date, e.thread_url, e.slug))
        return tuple(
            EntryItem(e.date, ref(e.title, e.url), ref(e.thread_title, e.thread_url)) for e in found
        )

    awards = tuple(
        AwardItem(
            a.awarded, ref(a.badge.label, a.badge.url), ref(a.recipient.label, a.recipient.url)
        )
        for a in reversed(recognition.awards)  # oldest first, like the rest of the digest
        if since <= a.awarded <= as_of
    )
    return Digest(
        site=Ref(community.config.name, community.config.base_url),
        language=community.config.language,
        since=since,
        as_of=as_of,
        awards=awards,
        milestones=items(EntryKind.MILESTONE),
        outcomes=items(EntryKind.OUTCOME),
    )


def write_newsletter(community: CommunityData, news: Digest, folder: Path) -> list[Path]:
    """Render the theme's `newsletter.md` and `newsletter.html` (a community may override
    either) into `folder`; nothing is written unless both render."""
    dirs = theme_dirs(community.root, community.config.theme)
    linked = linked_theme_files(dirs, community.root)
    if linked:
        raise ContentError(linked)
    env = make_environment(dirs, Urls(community.config.base_url).base_path, news.language)
    env.filters["markdown_escape"] = markdown_text
    texts = {}
    for suffix in FORMATS:
        # Described as a page, so a template mistake is located like one in a site build.
        page = Page(url=f"{news.stem}.{suffix}", template=f"newsletter.{suffix}", title="")
        try:
            texts[suffix] = env.get_template(page.template).render(digest=news)
        except Exception as exc:  # whatever a template raises is its problem
            raise ContentError([template_problem(exc, page, community.root)]) from None
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for suffix, text in texts.items():
        path = folder / f"{news.stem}.{suffix}"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
