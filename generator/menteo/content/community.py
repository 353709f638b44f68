"""The loaded, validated, cross-referenced community: the one input of every later stage.

Records keep the file they came from and the line of each key, so later stages (badge criteria,
link checks) can still point a contributor at the exact place to fix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Generic, TypeVar

from menteo.content.markdown_file import normalise, split
from menteo.content.models import (
    Badge,
    Community,
    Entry,
    EntryKind,
    Mentee,
    Mentor,
    Roadmap,
    SiteConfig,
    Thread,
    Visibility,
)
from menteo.content.safe_yaml import Located
from menteo.errors import ContentError, Problem

M = TypeVar("M", covariant=True)
"""Covariant: a record is read-only (frozen), so a `Record[Mentor]` is a `Record[BaseModel]`."""


@dataclass(frozen=True, slots=True)
class Record(Generic[M]):
    """A model plus where it came from (`path` is relative to the community root). Records
    and bodies are slotted: a community holds one of each per file, and their `__dict__`s
    were 3 of the 67 MiB a 10,000-entry community weighed."""

    slug: str
    path: str
    model: M
    located: Located = field(repr=False, compare=False)

    def line(self, *loc: str | int) -> int:
        return self.located.line_of(loc)


@dataclass(frozen=True, slots=True)
class Person(Record[Mentor | Mentee]):
    role: str = "mentor"
    public: bool = False


@dataclass(frozen=True, slots=True)
class Body:
    """An entry's Markdown, left on disk until its page is rendered: on a large community the
    bodies would otherwise be most of the build's memory, copied again into every render worker.
    The digest guarantees the text rendered is the text that was validated. The file is kept as
    the community's folder and a relative path: the folder is one object shared by every body
    (cheap to copy into workers and to remember, see `parse_store`)."""

    root: FsPath = field(repr=False)
    path: str = field(repr=False)
    """The file, relative to `root` (also how messages name it)."""
    digest: str = field(repr=False)

    @classmethod
    def of(cls, root: FsPath, path: str, text: str) -> Body:
        return cls(root, path, _digest(text))

    def text(self) -> str:
        """The validated Markdown, read again; a file edited since it was validated is an error
        (rebuild), never text that skipped validation."""
        try:
            markdown = split(normalise((self.root / self.path).read_bytes()))
        except (OSError, UnicodeDecodeError):
            markdown = None
        if markdown is None or _digest(markdown.body) != self.digest:
            raise ContentError(
                [Problem(self.path, 0, "", "changed while the site was built", "build again")]
            )
        return markdown.body


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class EntryRecord(Record[Entry]):
    thread: str = ""
    body: Body | None = None
    excerpt: str = ""
    """The body's opening as plain text (`content.excerpt`), for lists and feeds."""
    named: tuple[tuple[tuple[str | int, ...], int, str, str], ...] = ()
    """(field, line, role, slug) of each name of a person without consent in the title, tags
    or body, found while the body was read (`consent_text`)."""

    @property
    def kind(self) -> EntryKind:
        return self.model.kind

    @property
    def date(self) -> dt.date:
        return self.model.date


@dataclass(frozen=True, slots=True)
class ThreadRecord(Record[Thread]):
    visibility: Visibility = Visibility.SUMMARY
    entries: tuple[EntryRecord, ...] = ()


def sees(thread: ThreadRecord, entry: EntryRecord, mentee: str) -> bool:
    """Whether an entry is part of one mentee's mentorship: every session of the room (whoever
    wrote it up), and everything else except what another of its mentees wrote (their
    reflection, milestone, outcome or feedback is theirs) and a mentor's feedback about another
    of its mentees."""
    if entry.kind is EntryKind.SESSION:
        return True
    about = feedback_about(thread, entry)
    if about is not None:
        return about == mentee
    return entry.model.author == mentee or entry.model.author not in thread.model.mentee_slugs


def feedback_about(thread: ThreadRecord, entry: EntryRecord) -> str | None:
    """The mentee a feedback entry is about: its author if a mentee wrote it, else the mentee
    a mentor named (`crossrefs` requires the name in a room of several mentees); None for
    other entries."""
    if entry.kind is not EntryKind.FEEDBACK:
        return None
    mentees = thread.model.mentee_slugs
    if entry.model.author in mentees:
        return entry.model.author
    return entry.model.mentee or (mentees[0] if mentees else None)


def by_mentor(thread: ThreadRecord, entry: EntryRecord) -> bool:
    """Written by one of the thread's mentors (feedback has two sides)."""
    return entry.model.author in thread.model.mentor_slugs


@dataclass(frozen=True)
class CommunityData:
    """Everything loaded from one community repository; immutable by convention and by type."""

    root: FsPath
    config: SiteConfig
    mentors: Mapping[str, Person]
    mentees: Mapping[str, Person]
    threads: Mapping[str, ThreadRecord]
    roadmaps: Mapping[str, Record[Roadmap]]
    communities: Mapping[str, Record[Community]]
    badges: Mapping[str, Record[Badge]]
    """In evaluation order: every badge after the badges it needs."""
    members: Mapping[str, tuple[str, ...]]
    """Community slug → sorted slugs of its members (listed there or listing it)."""
    warnings: tuple[Problem, ...] = ()
    """What loading found suspicious but valid (a text value cut by a comment)."""
    digests: Mapping[str, bytes] = field(default_factory=dict, compare=False)
    """File (relative to `root`) → the SHA-256 of the bytes its record was made from, for every
    record a `LoadMemo` load gave (empty without one): what later stages key their own memos
    by, so that what a record is made from is digested once, when it is read."""

    def people(self, role: str) -> Mapping[str, Person]:
        return self.mentors if role == "mentor" else self.mentees

    def person(self, role: str, slug: str) -> Person:
        return self.people(role)[slug]

    def entries(self) -> list[EntryRecord]:
        """All entries of all threads, by date then thread then file."""
        every = [entry for thread in self.threads.values() for entry in thread.entries]
        return sorted(every, key=lambda e: (e.date, e.thread, e.slug))
