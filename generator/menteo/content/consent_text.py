"""Published prose must not name a person who has not consented to publication.

The site already shows such a person as "a mentee"; this check stops the free text around them
(someone else's bio, an entry, a goal, a badge's reward) from naming them anyway. A name is the
person's full `name`, their slug and their profile handles (GitHub, LinkedIn, Mastodon), matched
as whole words, case-insensitively, after Unicode NFKC normalisation and undoing markup the page
would not show (`visible_text`), with any run of whitespace between words. A single given name
is not matched: it would flag every other person who shares it.

Only text the site publishes is judged, by `Publication`'s rules: a private thread publishes
nothing, a summary thread its goals and entry titles but no text, an unshared outcome neither
title nor text, and a person without consent no profile.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel

from menteo.content.community import CommunityData, Person, Record, ThreadRecord
from menteo.content.models import Entry, Goal, Links
from menteo.content.publication import Publication
from menteo.content.safe_yaml import Located, field_label
from menteo.content.visible_text import visible_text
from menteo.errors import Problem

CONFIG_FILE = "menteo.yml"

HINT = "write 'my mentee' (or 'a mentor'), or ask them to consent"
MIN_ALIAS = 3
"""Slugs and handles shorter than this are not matched: too many ordinary words."""

_ASCII_WORDS = bytes(b if 48 <= b <= 57 or 97 <= b <= 122 else 32 for b in range(256))
"""Maps every byte but a-z and 0-9 to a space: words for the pre-filter, at C speed."""
_WORD = r"[^\W_]"
_START = rf"(?<!{_WORD})(?<!{_WORD}-)"
_END = rf"(?!{_WORD})(?!-{_WORD})"
"""A name is a whole word: not inside a longer word, nor a hyphenated one (`li-wei-2`)."""

_SEPARATOR = "\x00"
"""Joins texts judged together: no name, tag or comment matches across it."""
Loc = tuple[str | int, ...]
Named = tuple[Loc, int, str, str]
"""(data path, line, role, slug) of a name found in a file."""


def fold(text: str) -> str:
    """The form both names and text are compared in."""
    return visible_text(text).casefold()


def handles(links: Links) -> list[str]:
    """The account names in a person's profile links."""
    found = []
    for url, at in ((links.github, 0), (links.linkedin, 1), (links.mastodon, 0)):
        path = url.split("?")[0].split("#")[0].split("/")[3:] if url else []
        parts = [part for part in path if part]
        if len(parts) > at:
            found.append(parts[at].lstrip("@"))
    return found


def names_of(person: Person) -> set[str]:
    """Every folded name `person` goes by, one space between words."""
    full = " ".join(fold(person.model.name).split())
    words = set(full.split())
    names = {full}
    for alias in (person.slug, *handles(person.model.links)):
        alias = fold(alias)
        if len(alias) >= MIN_ALIAS and alias not in words:
            names.add(alias)
    return {name for name in names if re.search(_WORD, name)}


def _pattern(name: str) -> re.Pattern[str]:
    """`name` as a whole word, with any run of whitespace between its words."""
    return re.compile(_START + r"\s+".join(re.escape(word) for word in name.split(" ")) + _END)


class NameMatcher:
    """Finds the names of people who have not consented, in one pass over a text.

    Most texts name nobody, so a pre-filter runs first, at C speed: a name can only be in a text
    whose ASCII words include all of the name's. Only the few names that pass it are searched
    for, each with its own regular expression, compiled once. (One expression of every name is
    slower: Python's engine tries the alternatives at every position, 1 s on 28 MB.)"""

    def __init__(self, owners: Mapping[str, tuple[str, str]]) -> None:
        self.owners = dict(owners)
        """Folded name → (role, slug) of its owner."""
        self.by_word: dict[bytes, list[tuple[str, frozenset[bytes]]]] = {}
        """The longest ASCII word of each name → (name, all its ASCII words)."""
        self.unspelled: list[tuple[str, str]] = []
        """(a word, the name) of names with no ASCII letter or digit: found by substring."""
        self.patterns: dict[str, re.Pattern[str]] = {}
        for name in sorted(self.owners):
            words = name.encode().translate(_ASCII_WORDS).split()
            if words:
                self.by_word.setdefault(max(words, key=len), []).append((name, frozenset(words)))
            else:
                self.unspelled.append((max(name.split(), key=len), name))
        self.keys = frozenset(self.by_word)
        """A set: its `isdisjoint` is three times faster than the dict's keys view's."""

    @classmethod
    def of(cls, mentors: Mapping[str, Person], mentees: Mapping[str, Person]) -> NameMatcher:
        """The names of everyone not public, except names a public person also goes by (the
        site publishes those anyway, so they tell nothing)."""
        people = [*mentors.values(), *mentees.values()]
        published = {name for p in people if p.public for name in names_of(p)}
        owners: dict[str, tuple[str, str]] = {}
        for person in people:
            if not person.public:
                for name in sorted(names_of(person) - published):
                    owners.setdefault(name, (person.role, person.slug))
        return cls(owners)

    def find_all(self, texts: list[str]) -> list[tuple[int, int, str, str]]:
        """(index of the text, line in it, role, slug) of each name in `texts`, judged in one
        pass: a call per short text (titles, tags) would cost more than the search."""
        if not self.owners or not texts:
            return []
        folded = fold(_SEPARATOR.join(text.replace(_SEPARATOR, " ") for text in texts))
        names = [name for word, name in self.unspelled if word in folded]
        tokens = folded.encode().translate(_ASCII_WORDS).split()
        if not names and self.keys.isdisjoint(tokens):
            return []  # the common case, without building a set of every word
        words = set(tokens)
        names += [
            name
            for word in words.intersection(self.by_word)
            for name, needed in self.by_word[word]
            if needed <= words
        ]
        if not names:
            return []
        starts = [0] + [m.end() for m in re.finditer(_SEPARATOR, folded)]
        found = []
        for name in names:
            if name not in self.patterns:
                self.patterns[name] = _pattern(name)
            for match in self.patterns[name].finditer(folded):
                index = bisect.bisect_right(starts, match.start()) - 1
                line = folded.count("\n", starts[index], match.start())
                found.append((index, line, *self.owners[name]))
        return sorted(found)

    def in_entry(
        self, entry: Entry, located: Located, body: str, body_line: int
    ) -> tuple[Named, ...]:
        """The names in an entry's title, tags and body, searched while the body is in memory:
        it is not kept (see `community.Body`); `unconsented_names` decides which are published."""
        found = self.find_all([entry.title, *entry.tags, body])
        if not found:
            return ()
        locs: list[Loc] = [("title",), *(("tags", i) for i in range(len(entry.tags))), ("body",)]
        return tuple(
            (
                locs[i],
                body_line + line if locs[i] == ("body",) else located.line_of(locs[i]),
                role,
                slug,
            )
            for i, line, role, slug in found
        )


def problem(path: str, line: int, field: str, role: str, slug: str) -> Problem:
    return Problem(
        path, line, field, f"names {role} {slug!r}, who has not consented to publication", HINT
    )


def _strings(value: object, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Every string in a model, with its data path."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name, item in vars(value).items():
            if not (isinstance(value, Goal) and name == "mentee"):  # a reference, not prose
                yield from _strings(item, (*loc, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*loc, index))


_NOT_PROSE = {
    "mentor": {"name", "avatar", "consent", "identity"},
    "mentee": {"name", "avatar", "consent", "identity"},
    "community": {"members"},
    "badge": {"criteria", "builds_on", "image"},
}
"""Fields of each kind of file never judged: a public person's own name, their recipient
identity, slug references, file paths and badge rules."""


@dataclass
class Judged:
    """Files the check found naming nobody, each by a digest of all the judgement read: the
    names searched for (`names`, the loader's digest of them), the file's bytes
    (`CommunityData.digests`), its path and the fields judged. A file judged clean before under
    the same digest is not searched again; `now` is what this check found clean (kept for the
    next, so a digest leaves with the file or names it was made from)."""

    names: bytes
    before: frozenset[bytes]
    now: set[bytes] = field(default_factory=set)

    def key(
        self, community: CommunityData, record: Record[BaseModel], skip: Iterable[str]
    ) -> bytes | None:
        """The record's judgement's digest (None: its file has no digest)."""
        digest = community.digests.get(record.path)
        if digest is None:
            return None
        judged = "\x00".join(sorted(skip)).encode()
        return hashlib.sha256(
            b"%s%s%d:%s%s" % (self.names, digest, len(judged), judged, record.path.encode())
        ).digest()


def unconsented_names(
    community: CommunityData, matcher: NameMatcher, judged: Judged | None = None
) -> list[Problem]:
    """A problem for each published text that names someone who has not consented (a file
    `judged` found clean before, under the same digest, is not searched again)."""
    pub = Publication(community)
    problems: list[Problem] = []

    def judge(record: Record[BaseModel] | None, skip: Iterable[str] = ()) -> None:
        """The strings of one file (None: menteo.yml), searched together. A Markdown body's
        line is exact; a YAML field's is the line of its key."""
        key = None if judged is None or record is None else judged.key(community, record, skip)
        if judged is not None and key in judged.before:
            judged.now.add(key)
            return
        found_before = len(problems)
        model = community.config if record is None else record.model
        found = [
            found
            for name, value in vars(model).items()
            if name not in skip
            for found in _strings(value, (name,))
        ]
        for index, offset, role, slug in matcher.find_all([text for _, text in found]):
            loc = found[index][0]
            if record is None:
                path, line = CONFIG_FILE, 0
            else:
                body = loc in (("bio",), ("body",)) and record.path.endswith(".md")
                path, line = record.path, record.line(*loc) + (offset if body else 0)
            problems.append(problem(path, line, field_label(loc), role, slug))
        if key is not None and judged is not None and len(problems) == found_before:
            judged.now.add(key)

    judge(None)
    for person in (*community.mentors.values(), *community.mentees.values()):
        if person.public:
            judge(person, _NOT_PROSE[person.role])
    for kind, records in (
        ("roadmap", community.roadmaps),
        ("badge", community.badges),
        ("community", community.communities),
    ):
        for record in records.values():
            judge(record, _NOT_PROSE.get(kind, ()))
    for thread in community.threads.values():
        if not pub.thread_published(thread):
            continue
        shown = {"cadence", "goals", "summary" if pub.summary_published(thread) else "cadence"}
        judge(thread, set(vars(thread.model)) - shown)
        problems += entry_names(pub, thread)
    return problems


def entry_names(pub: Publication, thread: ThreadRecord) -> list[Problem]:
    """A problem for each name of someone without consent that the entries of a published
    thread would show (found while loading: `EntryRecord.named`)."""
    problems = []
    for entry in thread.entries:
        published = pub.entry_published(thread, entry)
        problems += [
            problem(entry.path, line, field_label(loc), role, slug)
            for loc, line, role, slug in entry.named
            if published or (loc == ("title",) and pub.outcome_shared(thread, entry))
        ]
    return problems
