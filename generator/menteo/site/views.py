"""Published-only view models: what templates may see.

Templates never receive raw records, so a theme or an override cannot print a name, a private
thread or an unshared outcome by mistake: what is not published is not in these objects.
Markdown stays as source text here; templates render it with the `markdown` filter, which runs in
the parallel page workers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import quote

from menteo import code_identity
from menteo.content.badge_rules import counts_roadmaps
from menteo.content.community import (
    Body,
    CommunityData,
    EntryRecord,
    Person,
    ThreadRecord,
    sees,
)
from menteo.content.models import EntryKind, Mentor, Roadmap
from menteo.content.publication import Publication, Urls
from menteo.i18n import N_, Formats, translations
from menteo.program.figures import ProgramFigures
from menteo.program.matching import REASON_WORDS, Offer, Wish, offers_of, ranked, reason_text
from menteo.site.awards import AwardView, ProgressView, RecognitionViews
from menteo.site.dashboard import Dashboard

_INPUTS_FORMAT = b"menteo-view-inputs 1\n"


@dataclass(frozen=True)
class PersonRef:
    label: str
    url: str | None
    role: str


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class EntryView:
    slug: str
    title: str
    kind: str
    date: dt.date
    author: PersonRef
    tags: tuple[Link, ...]
    url: str | None
    excerpt: str
    body: Body | None
    thread_url: str
    thread_title: str
    outcome: str | None = None
    rating: int | None = None
    goals: tuple[str, ...] = ()
    step: Link | None = None


@dataclass(frozen=True)
class GoalView:
    id: str
    title: str
    status: str
    due: dt.date | None
    entries: int
    mentee: PersonRef | None = None
    """The one mentee of a room whose goal it is; None: the room's (or the pair's) goal."""


@dataclass(frozen=True)
class StepProgress:
    title: str
    url: str
    reached: bool
    current: bool


@dataclass(frozen=True)
class ThreadSummary:
    """What a list of mentorships shows; lists carry this, not the whole timeline."""

    id: str
    url: str
    title: str
    mentor: PersonRef
    """The first of `mentors`: a pair's mentor."""
    mentee: PersonRef
    """The first of `mentees`: a pair's mentee."""
    started: dt.date
    ended: dt.date | None
    roadmap: Link | None
    entry_count: int
    mentors: tuple[PersonRef, ...]
    """Every mentor, named ones first (`Publication.room_people`)."""
    mentees: tuple[PersonRef, ...]
    """Every mentee: named ones first, then each mentee without consent as "a mentee"."""


@dataclass(frozen=True)
class ThreadView(ThreadSummary):
    cadence: str | None
    visibility: str
    summary: str
    goals: tuple[GoalView, ...]
    progress: tuple[StepProgress, ...]
    entries: tuple[EntryView, ...]
    counts: tuple[tuple[str, int], ...]
    community: Link | None = None


@dataclass(frozen=True)
class PersonView:
    ref: PersonRef
    slug: str
    name: str
    pronouns: str | None
    headline: str | None
    bio: str
    skills: tuple[str, ...]
    languages: tuple[str, ...]
    communities: tuple[Link, ...]
    links: tuple[Link, ...]
    avatar: str | None
    availability: str | None
    request_url: str | None
    spotlight: bool
    threads: tuple[ThreadSummary, ...]
    hidden_threads: int
    outcomes: tuple[EntryView, ...]
    awards: tuple[AwardView, ...] = ()
    progress: tuple[ProgressView, ...] = ()
    offset: int | None = None
    """A mentor's time zone as minutes east of UTC (see `timezones`), for "Find my match"."""
    free: int = 0
    """A mentor's free places: a count only, which names none of their mentees."""
    capacity: int | None = None


@dataclass(frozen=True)
class MatchView:
    """A mentor ranked for what a visitor seeks, with the reasons in the site's language."""

    person: PersonView
    text: str
    """"Fit 6: shares go; speaks English", worded as the directory's script words it."""


@dataclass(frozen=True)
class StepView:
    id: str
    title: str
    summary: str
    skills: tuple[str, ...]
    resources: tuple[tuple[str, str, str], ...]
    checkpoints: tuple[tuple[str, str], ...]
    people: tuple[tuple[PersonRef, str | None], ...]
    """(mentee, their thread's URL if published) for each mentee whose furthest step this is."""


@dataclass(frozen=True)
class RoadmapView:
    slug: str
    url: str
    title: str
    summary: str
    level: str
    description: str
    steps: tuple[StepView, ...]
    not_started: tuple[tuple[PersonRef, str | None], ...]
    feeds: tuple[Link, ...] = ()
    """The badges whose criteria count roadmap steps: what following this roadmap leads to."""


@dataclass(frozen=True)
class CommunityView:
    slug: str
    url: str
    name: str
    summary: str
    body: str
    mentors: tuple[PersonRef, ...]
    mentees: tuple[PersonRef, ...]
    unlisted: int


@dataclass
class SiteViews:
    """Every view of the site, computed once in the main process before pages are rendered."""

    urls: Urls
    mentors: list[PersonView] = field(default_factory=list)
    mentees: list[PersonView] = field(default_factory=list)
    threads: list[ThreadView] = field(default_factory=list)
    summaries: dict[str, ThreadSummary] = field(default_factory=dict)
    """Thread URL → its summary."""
    entries: list[EntryView] = field(default_factory=list)
    roadmaps: list[RoadmapView] = field(default_factory=list)
    communities: list[CommunityView] = field(default_factory=list)
    tags: dict[str, list[EntryView]] = field(default_factory=dict)
    stats: ProgramFigures | None = None
    """The home page's numbers."""
    avatars: dict[str, str] = field(default_factory=dict)
    """Output path → repository path of each published avatar image."""
    sources: dict[str, str] = field(default_factory=dict)
    """Page URL → the content file it shows, to blame broken links on. Kept out of the views:
    a file path can name a person who has not consented (thread folders are named after both)."""
    recognition: RecognitionViews = field(default_factory=RecognitionViews)
    dashboard: Dashboard | None = None
    """Program-health figures; no dashboard page without them."""
    match_words: dict[str, str] = field(default_factory=dict)
    """`matching.REASON_WORDS` in the site's language, for the directory's script."""
    skill_matches: dict[str, tuple[MatchView, ...]] = field(default_factory=dict)
    """Skill → the published mentors who teach it, ranked: "Find my match" without JavaScript."""
    inputs: list[tuple[object, bytes]] = field(default_factory=list)
    """Views made from inputs digested when they were read (`_Builder.thread_inputs`), each
    with a digest of those inputs: the page cache keys a page that shows one by that digest
    (`page_cache.Fingerprint.adopt`) instead of digesting the view's every field."""


class _Builder:
    def __init__(
        self,
        community: CommunityData,
        urls: Urls,
        recognition: RecognitionViews,
        gettext: Callable[[str], str],
    ):
        self.c = community
        self.gettext = gettext
        self.pub = Publication(community)
        self.urls = urls
        self.recognition = recognition
        self.sources: dict[str, str] = {}
        self.offers = {offer.slug: offer for offer in offers_of(community)}
        self.refs: dict[tuple[str, str], PersonRef] = {}
        self.tags: dict[str, Link] = {}
        language = community.config.language
        self.language = language if gettext == translations(language).gettext else None
        """The language `gettext` speaks, if it is the site's catalog (else views are made
        without input digests: `thread_inputs` could not vouch for their labels)."""

    def ref(self, role: str, slug: str) -> PersonRef:
        """A person as pages show them, made once per person (views are frozen: one object
        serves every entry they wrote)."""
        found = self.refs.get((role, slug))
        if found is None:
            public = self.pub.is_public(role, slug)
            url = self.urls.page(f"{role}s", slug) if public else None
            found = self.refs[(role, slug)] = PersonRef(self.pub.label(role, slug), url, role)
        return found

    def tag(self, tag: str) -> Link:
        found = self.tags.get(tag)
        if found is None:
            found = self.tags[tag] = Link(tag, self.urls.page("tags", tag))
        return found

    def thread_title(self, thread: ThreadRecord) -> str:
        """ "Ana & Bo"; a person who has not consented is "a mentee" in the site's language. A
        room of several mentees is "Ana & 4 mentees": a count names nobody."""
        mentors = " & ".join(
            self.gettext(self.pub.label("mentor", m))
            for m in self.pub.room_people(thread, "mentor")
        )
        mentees = self.pub.room_people(thread, "mentee")
        if len(mentees) == 1:
            return f"{mentors} & {self.gettext(self.pub.label('mentee', mentees[0]))}"
        return f"{mentors} & " + self.gettext(N_("%(count)s mentees")) % {"count": len(mentees)}

    def entry(
        self,
        thread: ThreadRecord,
        entry: EntryRecord,
        thread_url: str,
        thread_title: str,
        goals: dict[str, str],
        steps: dict[str, Link],
    ) -> EntryView:
        """One entry; its thread's title, `goals` (id → title) and `steps` (id → link) are made
        once per thread."""
        model = entry.model
        published = self.pub.entry_published(thread, entry)
        url = thread_url + entry.slug + "/" if published else None
        if url is not None:
            self.sources[url] = entry.path
        role = self.pub.role_in(thread, model.author)
        step = steps.get(model.roadmap_step) if model.roadmap_step else None
        return EntryView(
            slug=entry.slug,
            title=self.pub.entry_title(thread, entry),
            kind=model.kind.value,
            date=model.date,
            author=self.ref(role, model.author),
            tags=tuple(map(self.tag, model.tags)) if published else (),
            url=url,
            excerpt=entry.excerpt if published else "",
            body=entry.body if published else None,
            thread_url=thread_url,
            thread_title=thread_title,
            outcome=model.outcome.value if model.outcome and published else None,
            rating=model.rating if published else None,
            goals=tuple(map(goals.__getitem__, model.goals)),
            step=step,
        )

    def progress(
        self, thread: ThreadRecord, mentee: str | None = None
    ) -> tuple[int, tuple[StepProgress, ...]]:
        """Index of the furthest roadmap step the thread (or one mentee of a room, as badges
        count it: `sees`) reached (-1: none), and each step."""
        if not thread.model.roadmap:
            return -1, ()
        roadmap = self.c.roadmaps[thread.model.roadmap].model
        ids = [s.id for s in roadmap.steps]
        reached = {
            e.model.roadmap_step
            for e in thread.entries
            if e.model.roadmap_step and (mentee is None or sees(thread, e, mentee))
        }
        furthest = max((ids.index(s) for s in reached), default=-1)
        base = self.urls.page("roadmaps", thread.model.roadmap)
        return furthest, tuple(
            StepProgress(s.title, f"{base}#step-{s.id}", i <= furthest, i == furthest)
            for i, s in enumerate(roadmap.steps)
        )

    def thread_inputs(self, thread: ThreadRecord) -> tuple[bytes, list[tuple[str, bytes]]] | None:
        """What `thread` reads to make a thread's view: a digest of all it reads besides the
        entries, and each entry's file with its digest (in `thread.entries` order); None if a
        file it reads has no digest (loaded without a `LoadMemo`). Files by the digest of their
        bytes (a superset of the fields read), and what the files alone do not decide: the
        thread's visibility, whether each of its people is public, the language (`gettext`:
        menteo's catalogs, in the code's identity) and the URLs. An entry's view reads its own
        file and these, no other entry's (`view_inputs`)."""
        digests, model = self.c.digests, thread.model
        entries = [e.path for e in thread.entries]
        if self.language is None or not all(path in digests for path in entries):
            return None
        files = [thread.path]
        people: list[tuple[str, str, bool]] = []
        mentees = {*model.mentee_slugs, *(g.mentee for g in model.goals if g.mentee)}
        named = {*model.mentor_slugs, *mentees, *(e.model.author for e in thread.entries)}
        for slug in sorted(named):
            for role, found in (("mentor", self.c.mentors), ("mentee", self.c.mentees)):
                person = found.get(slug)
                if person is not None:
                    files.append(person.path)
                    people.append((role, slug, person.public))
        if model.roadmap:
            files.append(self.c.roadmaps[model.roadmap].path)
        if model.community:
            files.append(self.c.communities[model.community].path)
        if not all(path in digests for path in files):
            return None
        around = view_inputs_digest(
            b"thread",
            self.language,
            self.urls.base_url,
            thread.slug,
            thread.visibility.value,
            [(path, digests[path]) for path in files],
            people,
        )
        return around, [(path, digests[path]) for path in entries]

    def thread(self, thread: ThreadRecord) -> ThreadView:
        model = thread.model
        thread_id = self.pub.thread_id(thread)
        url = self.urls.page("threads", thread_id)
        self.sources[url] = thread.path
        goals = {g.id: g.title for g in model.goals}
        steps: dict[str, Link] = {}
        if model.roadmap:
            base = self.urls.page("roadmaps", model.roadmap)
            steps = {
                s.id: Link(s.title, f"{base}#step-{s.id}")
                for s in self.c.roadmaps[model.roadmap].model.steps
            }
        title = self.thread_title(thread)
        entries = tuple(self.entry(thread, e, url, title, goals, steps) for e in thread.entries)
        advanced = Counter(g for e in thread.entries for g in e.model.goals)
        _, progress = self.progress(thread)
        kinds = Counter(e.kind for e in thread.entries)
        community = None
        if model.community:
            c = self.c.communities[model.community]
            community = Link(c.model.name, self.urls.page("communities", c.slug))
        mentors, mentees = (
            tuple(self.ref(role, p) for p in self.pub.room_people(thread, role))
            for role in ("mentor", "mentee")
        )
        return ThreadView(
            id=thread_id,
            url=url,
            title=title,
            mentor=mentors[0],
            mentee=mentees[0],
            mentors=mentors,
            mentees=mentees,
            started=model.started,
            ended=model.ended,
            entry_count=len(entries),
            cadence=model.cadence,
            visibility=thread.visibility.value,
            summary=model.summary if self.pub.summary_published(thread) else "",
            goals=tuple(
                GoalView(
                    g.id,
                    g.title,
                    g.status.value,
                    g.due,
                    advanced[g.id],
                    self.ref("mentee", g.mentee) if g.mentee else None,
                )
                for g in model.goals
            ),
            roadmap=(
                Link(
                    self.c.roadmaps[model.roadmap].model.title,
                    self.urls.page("roadmaps", model.roadmap),
                )
                if model.roadmap
                else None
            ),
            progress=progress,
            entries=entries,
            counts=tuple((k.value, kinds[k]) for k in EntryKind if kinds[k]),
            community=community,
        )

    def person(
        self,
        person: Person,
        threads: list[ThreadView],
        summaries: list[ThreadSummary],
        hidden: int,
    ) -> PersonView:
        model = person.model
        links = tuple(
            Link(label, url)
            for label, url in (
                ("GitHub", model.links.github),
                ("LinkedIn", model.links.linkedin),
                ("Website", model.links.website),
                ("Mastodon", model.links.mastodon),
            )
            if url
        )
        avatar = None
        if model.avatar:
            suffix = model.avatar.rsplit(".", 1)[-1].lower()
            avatar = self.urls.file(f"avatars/{person.role}s/{person.slug}.{suffix}")
        is_mentor = isinstance(model, Mentor)
        self.sources[self.urls.page(f"{person.role}s", person.slug)] = person.path
        outcomes = shared_outcomes(person, threads)
        return PersonView(
            ref=self.ref(person.role, person.slug),
            slug=person.slug,
            name=model.name,
            pronouns=model.pronouns,
            headline=model.headline,
            bio=model.bio,
            skills=tuple(model.skills),
            languages=tuple(model.languages),
            communities=tuple(
                Link(self.c.communities[s].model.name, self.urls.page("communities", s))
                for s in model.communities
            ),
            links=links,
            avatar=avatar,
            availability=model.availability.value if isinstance(model, Mentor) else None,
            request_url=self.request_url(person) if is_mentor else None,
            spotlight=model.consent.spotlight,
            threads=tuple(summaries),
            hidden_threads=hidden,
            outcomes=outcomes,
            awards=self.recognition.by_person.get((person.role, person.slug), ()),
            progress=self.recognition.progress.get((person.role, person.slug), ()),
            **self.match_fields(person),
        )

    def match_fields(self, person: Person) -> dict[str, Any]:
        offer = self.offers.get(person.slug) if person.role == "mentor" else None
        if offer is None:
            return {}
        return {"offset": offer.offset, "free": offer.free, "capacity": offer.capacity}

    def request_url(self, person: Person) -> str | None:
        template = self.c.config.request_mentorship_url
        if template is None or getattr(person.model, "availability", "closed") == "closed":
            return None
        return template.replace("{mentor}", quote(person.slug)).replace(
            "{mentor_name}", quote(person.model.name)
        )

    def roadmap(
        self, slug: str, roadmap: Roadmap, source: str, threads: list[ThreadRecord]
    ) -> RoadmapView:
        self.sources[self.urls.page("roadmaps", slug)] = source
        on_step: dict[int, list[tuple[PersonRef, str | None]]] = defaultdict(list)
        for thread in threads:
            thread_url = self.urls.page("threads", self.pub.thread_id(thread))
            room = thread.model.is_room
            for mentee in self.pub.room_people(thread, "mentee"):
                furthest, _ = self.progress(thread, mentee if room else None)
                on_step[furthest].append((self.ref("mentee", mentee), thread_url))
        checkpoints = defaultdict(list)
        for cp in roadmap.checkpoints:
            checkpoints[cp.after].append((cp.title, cp.description))
        steps = tuple(
            StepView(
                id=s.id,
                title=s.title,
                summary=s.summary,
                skills=tuple(s.skills),
                resources=tuple((r.title, r.url, r.kind) for r in s.resources),
                checkpoints=tuple(checkpoints[s.id]),
                people=tuple(on_step[i]),
            )
            for i, s in enumerate(roadmap.steps)
        )
        return RoadmapView(
            slug=slug,
            url=self.urls.page("roadmaps", slug),
            title=roadmap.title,
            summary=roadmap.summary,
            level=roadmap.level.value,
            description=roadmap.description,
            steps=steps,
            not_started=tuple(on_step[-1]),
            feeds=tuple(
                Link(b.name, b.url)
                for b in self.recognition.badges
                if counts_roadmaps(self.c.badges[b.slug].model)
            ),
        )


def view_inputs_digest(kind: bytes, *inputs: Any) -> bytes:
    """What a view of `kind` is made from (plain data), digested with menteo's code."""
    data = marshal.dumps((kind, inputs), 0)  # version 0: bytes that depend on the values only
    return hashlib.sha256(code_identity.code_key(_INPUTS_FORMAT, ()) + data).digest()


def view_inputs(
    thread: ThreadView, summary: ThreadSummary, around: bytes, entries: list[tuple[str, bytes]]
) -> list[tuple[object, bytes]]:
    """A thread's view, its summary and its entries' views, each with a digest of what it is
    made from (`_Builder.thread_inputs`: `around`, and the entries' files and digests): an
    entry's view reads its own file, a summary only how many entries there are, the thread's
    view all of them. (`around` and a file's digest have fixed lengths: the path that follows
    them ends each entry's input unambiguously.)"""
    made = [
        (view, hashlib.sha256(b"entry " + around + digest + path.encode()).digest())
        for view, (path, digest) in zip(thread.entries, entries, strict=True)
    ]
    return [
        (thread, view_inputs_digest(b"thread view", around, entries)),
        (summary, view_inputs_digest(b"summary", around, len(entries))),
        *made,
    ]


def shared_outcomes(person: Person, threads: Iterable[ThreadView]) -> tuple[EntryView, ...]:
    """The published outcomes of `threads` (a person's, newest first) that their page shows, if
    they consented to sharing outcomes."""
    if not person.model.consent.share_outcomes:
        return ()
    return tuple(e for t in threads for e in t.entries if e.kind == "outcome" and e.url)


def summary_of(thread: ThreadView) -> ThreadSummary:
    """The summary part of a full thread view, as its own (small) object."""
    return ThreadSummary(**{f.name: getattr(thread, f.name) for f in fields(ThreadSummary)})


def thread_view(
    community: CommunityData,
    urls: Urls,
    recognition: RecognitionViews,
    gettext: Callable[[str], str],
    thread: ThreadRecord,
) -> ThreadView:
    """One published thread's view, as `build_views` makes it: `menteo serve` shows an edited
    entry on its thread's page before it makes every view again."""
    return _Builder(community, urls, recognition, gettext).thread(thread)


def _sort_people(people: list[Person]) -> list[Person]:
    return sorted(people, key=lambda p: (p.model.name.casefold(), p.slug))


def build_views(
    community: CommunityData,
    urls: Urls,
    recognition: RecognitionViews,
    dashboard: Dashboard | None = None,
    gettext: Callable[[str], str] = str,
    figures: ProgramFigures | None = None,
) -> SiteViews:
    """All published views of `community`, with neutral labels in the site's language."""
    b = _Builder(community, urls, recognition, gettext)
    pub = b.pub
    views = SiteViews(urls=urls, recognition=recognition, dashboard=dashboard, stats=figures)
    published = [t for t in community.threads.values() if pub.thread_published(t)]
    thread_views = {t.slug: b.thread(t) for t in published}
    views.threads = sorted(
        thread_views.values(), key=lambda t: (-t.started.toordinal(), t.title, t.id)
    )
    views.summaries = {t.url: summary_of(t) for t in views.threads}
    for thread in published:
        inputs = b.thread_inputs(thread)
        if inputs is not None:
            made = thread_views[thread.slug]
            views.inputs += view_inputs(made, views.summaries[made.url], *inputs)
    by_person: dict[tuple[str, str], list[ThreadView]] = defaultdict(list)
    hidden: Counter[tuple[str, str]] = Counter()
    for thread in community.threads.values():
        for role, slugs in (
            ("mentor", thread.model.mentor_slugs),
            ("mentee", thread.model.mentee_slugs),
        ):
            for key in ((role, slug) for slug in slugs):
                if thread.slug in thread_views:
                    by_person[key].append(thread_views[thread.slug])
                else:
                    hidden[key] += 1
    for role, people, target in (
        ("mentor", community.mentors, views.mentors),
        ("mentee", community.mentees, views.mentees),
    ):
        for person in _sort_people([p for p in people.values() if p.public]):
            threads = sorted(by_person[(role, person.slug)], key=lambda t: t.started, reverse=True)
            summaries = [views.summaries[t.url] for t in threads]
            view = b.person(person, threads, summaries, hidden[(role, person.slug)])
            target.append(view)
            if person.model.avatar and view.avatar is not None:  # both set together
                views.avatars[view.avatar.removeprefix(urls.base_path)] = person.model.avatar
    views.entries = sorted(
        (e for t in views.threads for e in t.entries if e.url),
        key=lambda e: (e.date, e.thread_url, e.slug),
        reverse=True,
    )
    tags: dict[str, list[EntryView]] = defaultdict(list)
    for entry in views.entries:
        for tag in entry.tags:
            tags[tag.label].append(entry)
    views.tags = dict(sorted(tags.items()))
    for slug, record in sorted(community.roadmaps.items()):
        following = sorted(
            (t for t in published if t.model.roadmap == slug),
            key=lambda t: (t.model.started, t.slug),
        )
        views.roadmaps.append(b.roadmap(slug, record.model, record.path, following))
    for slug, group in sorted(community.communities.items()):
        b.sources[urls.page("communities", slug)] = group.path
        members = community.members.get(slug, ())
        refs = {
            role: [
                b.ref(role, m)
                for m in members
                if m in getattr(community, f"{role}s") and pub.is_public(role, m)
            ]
            for role in ("mentor", "mentee")
        }
        listed = len(refs["mentor"]) + len(refs["mentee"])
        views.communities.append(
            CommunityView(
                slug=slug,
                url=urls.page("communities", slug),
                name=group.model.name,
                summary=group.model.summary,
                body=group.model.body,
                mentors=tuple(sorted(refs["mentor"], key=lambda r: r.label.casefold())),
                mentees=tuple(sorted(refs["mentee"], key=lambda r: r.label.casefold())),
                unlisted=len(set(members)) - listed,
            )
        )
    for slug, badge in community.badges.items():
        b.sources[urls.page("badges", slug)] = badge.path
    views.sources = b.sources
    views.match_words, views.skill_matches = _skill_matches(community, b, views.mentors)
    return views


FIT_WORDS = N_("Fit {score}: {reasons}")


def _skill_matches(
    community: CommunityData, b: _Builder, mentors: list[PersonView]
) -> tuple[dict[str, str], dict[str, tuple[MatchView, ...]]]:
    """The reason words in the site's language, and for each skill a published mentor teaches,
    those mentors ranked by the same rule as `menteo match` and the directory's script."""
    words = {key: b.gettext(text) for key, text in {**REASON_WORDS, "fit": FIT_WORDS}.items()}
    language_name = Formats(community.config.language).language_name
    by_slug = {m.slug: m for m in mentors}
    teaching: dict[str, list[Offer]] = defaultdict(list)
    for slug in sorted(by_slug):  # a wish of one skill scores only the mentors who teach it
        for skill in dict.fromkeys(b.offers[slug].skills):
            teaching[skill].append(b.offers[slug])

    def community_name(slug: str) -> str:
        return community.communities[slug].model.name

    matches: dict[str, tuple[MatchView, ...]] = {}
    for skill in sorted({s for m in mentors for s in m.skills}):
        fits = ranked(Wish(skills=(skill,)), teaching[skill], free_only=False)
        matches[skill] = tuple(
            MatchView(
                by_slug[f.mentor],
                words["fit"].format(
                    score=f.score,
                    reasons="; ".join(
                        reason_text(r, words, language_name, community_name) for r in f.reasons
                    ),
                ),
            )
            for f in fits
        )
    return words, matches
