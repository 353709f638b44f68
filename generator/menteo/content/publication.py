"""What may be published: the one place that applies consent and thread visibility.

A person without consent to a public profile gets no page and is named by a neutral label. A
`private` thread is not published at all; a `summary` thread shows goals and entry titles but no
text. Outcome text needs the mentee's `share_outcomes`. Threads whose people are not all public
are published under an opaque id, so the URL does not reveal who is in them.

In a group room each mentee's consent is their own: consenting mentees are named, the others
are each "a mentee", listed after the named ones in one fixed order that says nothing about who
they are (see `room_people`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from menteo.content.community import CommunityData, EntryRecord, Person, ThreadRecord
from menteo.content.models import EntryKind, Visibility
from menteo.i18n import N_

NEUTRAL_LABEL = {"mentor": N_("a mentor"), "mentee": N_("a mentee")}
"""How a person who has not consented is named; themes translate it when they show it."""
UNSHARED_OUTCOME = N_("An outcome (not shared)")


@dataclass(frozen=True)
class Urls:
    """Every page's URL, as a root-relative path under the site's base path."""

    base_url: str

    @property
    def base_path(self) -> str:
        return urlsplit(self.base_url).path or "/"

    def page(self, *parts: str) -> str:
        return self.base_path + "".join(f"{part}/" for part in parts)

    def file(self, name: str) -> str:
        return self.base_path + name

    def absolute(self, path: str) -> str:
        """The full URL of a root-relative path (for canonical links, feeds, the sitemap)."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}{path}"


@dataclass(frozen=True)
class Publication:
    community: CommunityData

    def person(self, role: str, slug: str) -> Person:
        return self.community.person(role, slug)

    def is_public(self, role: str, slug: str) -> bool:
        return self.person(role, slug).public

    def label(self, role: str, slug: str) -> str:
        person = self.person(role, slug)
        return person.model.name if person.public else NEUTRAL_LABEL[role]

    def thread_published(self, thread: ThreadRecord) -> bool:
        return thread.visibility is not Visibility.PRIVATE

    def summary_published(self, thread: ThreadRecord) -> bool:
        """Whether a thread's summary text is shown: a summary thread shows goals and titles."""
        return thread.visibility is Visibility.PUBLIC

    def room_people(self, thread: ThreadRecord, role: str) -> tuple[str, ...]:
        """The room's mentors or mentees in the order pages list them: people with a page by
        name, then those without one (who are all shown alike, so their order is not theirs:
        it is the order of their slugs' hashes, not of names a reader could guess)."""
        model = thread.model
        slugs = model.mentor_slugs if role == "mentor" else model.mentee_slugs
        named = sorted(
            (s for s in slugs if self.is_public(role, s)),
            key=lambda s: (self.person(role, s).model.name.casefold(), s),
        )
        if len(slugs) == 1:
            return slugs
        hidden = sorted(
            (s for s in slugs if not self.is_public(role, s)),
            key=lambda s: hashlib.sha256(f"menteo-room:{thread.slug}:{s}".encode()).digest(),
        )
        return (*named, *hidden)

    def role_in(self, thread: ThreadRecord, slug: str) -> str:
        """Whether `slug` is a mentor or a mentee of the thread (validated: it is one)."""
        return "mentor" if slug in thread.model.mentor_slugs else "mentee"

    def thread_id(self, thread: ThreadRecord) -> str:
        """The thread's public id: its slug when everyone in it is public, else an opaque hash."""
        model = thread.model
        if all(self.is_public("mentor", s) for s in model.mentor_slugs) and all(
            self.is_public("mentee", s) for s in model.mentee_slugs
        ):
            return thread.slug
        return "t-" + hashlib.sha256(f"menteo-thread:{thread.slug}".encode()).hexdigest()[:12]

    def outcome_owner(self, thread: ThreadRecord, entry: EntryRecord) -> str:
        """The mentee an outcome belongs to: the pair's mentee, or in a room of several its
        author (`crossrefs` makes a room's outcomes written by a mentee)."""
        mentees = thread.model.mentee_slugs
        return mentees[0] if len(mentees) == 1 else entry.model.author

    def outcome_shared(self, thread: ThreadRecord, entry: EntryRecord) -> bool:
        """Whether what an entry says may be shown: an outcome is the mentee's to share."""
        if entry.kind is not EntryKind.OUTCOME:
            return True
        owner = self.person("mentee", self.outcome_owner(thread, entry))
        return owner.model.consent.share_outcomes

    def entry_published(self, thread: ThreadRecord, entry: EntryRecord) -> bool:
        """Whether an entry's text gets a page (its title may still show in a summary)."""
        return thread.visibility is Visibility.PUBLIC and self.outcome_shared(thread, entry)

    def entry_title(self, thread: ThreadRecord, entry: EntryRecord) -> str:
        """The title, unless it would tell an outcome the mentee has not chosen to share."""
        if self.outcome_shared(thread, entry):
            return entry.model.title
        return UNSHARED_OUTCOME

    def published_evidence(self, ref: str) -> tuple[str, str] | None:
        """The title and site path (under the base path, `threads/<id>/<entry>/`) of the entry
        a ledger evidence reference (`threads/<thread>/<entry>`) names, if it still exists and
        its page is published."""
        _, thread_slug, entry_slug = ref.split("/")
        thread = self.community.threads.get(thread_slug)
        entry = next((e for e in thread.entries if e.slug == entry_slug), None) if thread else None
        if thread is None or entry is None or not self.entry_published(thread, entry):
            return None
        return self.entry_title(thread, entry), f"threads/{self.thread_id(thread)}/{entry.slug}/"
