"""Read a community repository into one validated `CommunityData`, or report every problem.

Files are read with bounded, safe parsers; each is validated on its own first, then the links
between them are checked (`crossrefs`). Nothing here renders or writes: a `LoadMemo` remembers
what earlier loads parsed, `parse_store` keeps it between processes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import stat
import sys
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path as FsPath
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from menteo.content import crossrefs
from menteo.content.badge_rules import check_badges, evaluation_order
from menteo.content.characters import character_problem
from menteo.content.community import (
    Body,
    CommunityData,
    EntryRecord,
    Person,
    Record,
    ThreadRecord,
)
from menteo.content.consent_text import (
    Judged,
    NameMatcher,
    entry_names,
    unconsented_names,
)
from menteo.content.excerpt import plain_excerpt
from menteo.content.files import os_problem, read_regular
from menteo.content.markdown_file import MarkdownFile, normalise, split
from menteo.content.models import (
    SLUG_PATTERN,
    Badge,
    Community,
    Entry,
    EntryBody,
    Mentee,
    Mentor,
    Roadmap,
    SiteConfig,
    Thread,
    Visibility,
)
from menteo.content.publication import Publication
from menteo.content.safe_yaml import MAX_BYTES, Located, load_yaml
from menteo.content.validation import problems_from
from menteo.errors import ContentError, Problem

CONFIG_FILE = "menteo.yml"
THREAD_SLUG = re.compile(r"^[a-z0-9]+(?:--?[a-z0-9]+)*$")
ENTRY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
_SLUG = re.compile(SLUG_PATTERN)

M = TypeVar("M", bound=BaseModel)


FileSignature = tuple[int, int, int, int]
"""A regular file's size, modification and change times (ns) and inode: any write changes it."""

FileKey = tuple[str, str | None]
"""A file relative to the community, and the field its Markdown body is parsed into."""


@dataclass(frozen=True, slots=True)
class Known:
    """A file that loaded without a problem, as a `LoadMemo` remembers it."""

    signature: FileSignature | None
    """Its stat signature when it was read; None when it was too recent to vouch for it."""
    digest: bytes
    """The SHA-256 of its bytes: what a remembered file is recognised by everywhere."""
    value: Any
    """A non-entry file: its `Parsed` form with the model validated (`_Collector.validated`);
    an entry: its `EntryRecord`."""
    warnings: tuple[Problem, ...]
    names: bytes = b""
    """An entry: the digest of the names its prose was searched for (`_Collector.names_digest`)."""


@dataclass(frozen=True, slots=True)
class Parsed:
    located: Located
    data: dict[str, Any]
    markdown: MarkdownFile | None
    model: BaseModel | None = None
    """The model, when the file comes from a `LoadMemo` (then `data` is empty and `located`
    holds lines only: the model was validated when the file was read)."""
    origin: tuple[FileKey, Known] | None = field(default=None, compare=False)
    """What to remember the file by once its model is valid (a `Known` still without a value)."""


_SETTLED_NS = 2_000_000_000
"""A signature vouches for a file only once its times are this much older than the load that
took it: a file written again within the file system's clock tick keeps its signature."""


@dataclass
class LoadMemo:
    """What earlier loads parsed and validated: a load parses only the files whose bytes
    changed since. A resident process (`menteo serve`) keeps one in memory; `parse_store`
    keeps it in `.menteo/cache/` for the next build. A file is remembered only if it loaded
    without a problem, with its digest and (a fast path on this machine, in front of the
    digest: `parse_store` drops signatures taken elsewhere) its stat signature."""

    files: dict[FileKey, Known] = field(default_factory=dict)
    """Every file but entries and the configuration → what it gave."""
    entries: dict[str, Known] = field(default_factory=dict)
    """Entry file → its record, valid while the names to find have the digest it was kept with."""
    changed: set[str] = field(default_factory=set)
    """Files whose remembered value changed (or went) since the memo was last stored."""
    opened: bool = False
    """Whether it was filled from (or is kept in) the store already."""
    judged: frozenset[bytes] = frozenset()
    """What the last load's consent check found naming nobody (`consent_text.Judged`)."""
    judged_kept: frozenset[bytes] | None = None
    """`judged` as the store holds it (None: unknown), so it is written only when it changed."""


def _signature(path: FsPath | str) -> FileSignature | None:
    """The signature of a regular file (never through a link: those are read, and refused)."""
    try:
        found = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return (found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino)


class _Collector:
    """Gathers problems from every file so they are all reported at once."""

    def __init__(self, root: FsPath, memo: LoadMemo | None = None) -> None:
        self.root = root
        self.memo = memo
        self.files: dict[FileKey, Known] = {}
        self.entries: dict[str, Known] = {}
        """What this load remembers: only the files it found, so a deleted file is forgotten."""
        self.started = time.time_ns()
        self.names_digest = b""
        """Of the names entries are searched for, once the people are loaded."""
        self.prefix = os.path.join(os.fspath(root), "")
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.known: dict[str, set[str]] = {k: set() for k in crossrefs.KINDS}
        """Slugs whose file exists, loaded or not: references to them are not reported twice."""
        self.names = NameMatcher({})
        """Finds people without consent in entry bodies, which are not kept after loading."""

    def rel(self, path: FsPath | str) -> str:
        """`path` relative to the root, by slicing: every path here is built from the root, and
        pathlib's relative_to was a fifth of the load time."""
        text = os.fspath(path)
        if not text.startswith(self.prefix):
            return FsPath(path).relative_to(self.root).as_posix()
        return text[len(self.prefix) :].replace(os.sep, "/")

    def add(self, path: str, line: int, field: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(path, line, field, message, hint))

    def raw(self, path: FsPath) -> bytes | None:
        """The bytes of a regular file inside the repository, or None after reporting why not."""
        try:
            return read_regular(path, self.rel(path), MAX_BYTES, "split it up")
        except ContentError as exc:
            self.problems.extend(exc.problems)
            return None

    def read(self, path: FsPath, data: bytes | None = None) -> str | None:
        """The text of a regular file (`data`: its bytes, already read), or None after
        reporting why not."""
        data = self.raw(path) if data is None else data
        if data is None:
            return None
        try:
            return normalise(data)
        except UnicodeDecodeError as exc:
            rel = self.rel(path)
            self.add(rel, 0, "", f"not valid UTF-8 (byte {exc.start})", "save the file as UTF-8")
            return None

    def recall(self, known: Known | None, path: FsPath | str) -> tuple[Known | None, Known | None]:
        """(`known`, None) while the file has the bytes it was remembered with; else (None, a
        `Known` without a value for the file as it is now, its bytes in `value`), or (None,
        None) after reporting why it cannot be read. The digest decides; an unchanged stat
        signature only spares reading the file."""
        signature = _signature(path)
        if known is not None and signature is not None and known.signature == signature:
            return known, None
        data = self.raw(FsPath(path))
        if data is None:
            return None, None
        digest = hashlib.sha256(data).digest()
        if signature is not None and self.started - max(signature[1], signature[2]) < _SETTLED_NS:
            signature = None
        if known is not None and known.digest == digest:
            same = known.signature == signature
            return known if same else dataclasses.replace(known, signature=signature), None
        return None, Known(signature, digest, data, ())

    def parse(self, path: FsPath, body_field: str | None) -> Parsed | None:
        """A YAML file, or a Markdown file's front matter; a non-empty Markdown body goes into
        `body_field` when one is given, and is returned as `Parsed.markdown` either way. A file
        the memo (if any) holds with its current bytes is not parsed again: it comes with its
        model, for `validated`."""
        if self.memo is None:
            return self.parse_now(path, body_field)
        key = (self.rel(path), body_field)
        known, read = self.recall(self.memo.files.get(key), path)
        if known is not None:
            self.files[key] = known
            self.warnings.extend(known.warnings)
            parsed: Parsed = known.value
            return parsed
        if read is None:
            return None
        warned = len(self.warnings)
        parsed_now = self.parse_now(path, body_field, read.value)
        if parsed_now is None:
            return None
        origin = dataclasses.replace(read, value=None, warnings=tuple(self.warnings[warned:]))
        return dataclasses.replace(parsed_now, origin=(key, origin))

    def validated(self, cls: type[M], parsed: Parsed, rel: str) -> M | None:
        """The file's model (remembered, or validated now and remembered with the file)."""
        if type(parsed.model) is cls:
            return parsed.model
        model = self.model(cls, parsed.located, parsed.data, rel)
        if model is not None and parsed.origin is not None:
            key, origin = parsed.origin
            kept = Parsed(parsed.located.lines_only(), {}, None, model)
            self.files[key] = dataclasses.replace(origin, value=kept)
        return model

    def parse_now(
        self, path: FsPath, body_field: str | None, raw: bytes | None = None
    ) -> Parsed | None:
        """`parse` without the memo (`raw`: the bytes, if they were read already)."""
        text = self.read(path, raw)
        if text is None:
            return None
        rel = self.rel(path)
        markdown = None
        try:
            if path.suffix != ".md":
                located = load_yaml(text, rel)
            else:
                markdown = split(text)
                if markdown is None:
                    opened = text.startswith("---")
                    self.add(
                        rel,
                        1,
                        "",
                        "front matter is not closed" if opened else "missing YAML front matter",
                        "end the fields with a line of three hyphens: ---"
                        if opened
                        else "start the file with a '---' line, the fields, then another '---' line",
                    )
                    return None
                located = load_yaml(markdown.front_matter, rel, line_offset=1)
        except ContentError as exc:
            self.problems.extend(exc.problems)
            return None
        self.warnings.extend(located.warnings)
        if markdown is not None:
            refused = character_problem(
                markdown.body, rel, markdown.body_line, body_field or "body", one_line=False
            )
            if refused is not None:
                self.problems.append(refused)
                return None
        data = located.data
        if not isinstance(data, dict):
            self.add(rel, 1, "", "expected a mapping of fields", "write 'field: value' lines")
            return None
        if markdown is not None and body_field is not None and markdown.body:
            if body_field in data:
                self.add(
                    rel,
                    located.line_of((body_field,)),
                    body_field,
                    "set twice: in the front matter and as the Markdown body",
                    "keep the text below the front matter and remove this field",
                )
                return None
            data = {**data, body_field: markdown.body}
            located = Located(data, {**located.lines, (body_field,): markdown.body_line})
        return Parsed(located, data, markdown)

    def model(self, cls: type[M], located: Located, data: dict[str, Any], rel: str) -> M | None:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            self.problems.extend(problems_from(exc, cls, located, rel))
            return None

    def slug_of(self, path: FsPath, folder: bool = False) -> str | None:
        pattern = THREAD_SLUG if folder else _SLUG
        slug = path.name if folder else path.stem
        if not pattern.fullmatch(slug):  # match's `$` would accept a trailing line break
            hyphens = "single or double hyphens" if pattern is THREAD_SLUG else "single hyphens"
            self.add(
                self.rel(path),
                0,
                "",
                f"{slug!r} is not a valid slug for a {'folder' if folder else 'file'} name",
                f"rename it using lowercase letters, digits and {hyphens}",
            )
            return None
        return slug


def _folder(col: _Collector, name: str) -> FsPath | None:
    """The folder `name` (relative to the root), unless it is missing or leads out of the repository (a symlinked folder
    would let a pull request make the build read any file on the machine)."""
    directory = col.root / name
    if not directory.is_dir():
        if os.path.lexists(directory):
            col.add(name, 0, "", "is a file where a folder belongs", "replace it with a folder")
        return None
    if directory.resolve() != directory or not directory.resolve().is_relative_to(col.root):
        col.add(
            name,
            0,
            "",
            "is a symbolic link (or inside one); content must live in the repository",
            "replace the link with a real folder",
        )
        return None
    return directory


def _files(col: _Collector, directory: FsPath | None, suffixes: tuple[str, ...]) -> Iterator[str]:
    """Candidate files in `directory`, by name, whatever they are (a folder, a link, a pipe), so
    that reading them reports what is wrong. Paths are text: a pathlib object for each of
    10,000 entries took longer than recalling them from the memo."""
    if directory is not None:
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            col.problems.append(os_problem(col.rel(directory), exc))
            return
        for entry in entries:
            if not entry.name.startswith(".") and os.path.splitext(entry.name)[1] in suffixes:
                yield entry.path


def _load_people(
    col: _Collector, role: str, cls: type[Mentor] | type[Mentee], default_public: bool
) -> dict[str, Person]:
    people: dict[str, Person] = {}
    for name in _files(col, _folder(col, crossrefs.FOLDERS[role]), (".yaml", ".yml", ".md")):
        path = FsPath(name)
        slug = col.slug_of(path)
        if slug is not None:
            col.known[role].add(slug)
        parsed = col.parse(path, "bio") if slug else None
        if slug is None or parsed is None:
            continue
        rel = col.rel(path)
        if slug in people:
            col.add(
                rel,
                0,
                "",
                f"{role} {slug!r} is defined twice",
                f"keep one of {people[slug].path} and {rel}",
            )
            continue
        model = col.validated(cls, parsed, rel)
        if model is not None:
            public = model.consent.public if model.consent.public is not None else default_public
            lines = parsed.located.lines_only()
            people[slug] = Person(slug, rel, model, lines, role=role, public=public)
    return people


def _load_simple(
    col: _Collector, kind: str, cls: type[M], body: str | None
) -> dict[str, Record[M]]:
    records: dict[str, Record[M]] = {}
    suffixes = (".md",) if body else (".yaml", ".yml")
    for name in _files(col, _folder(col, crossrefs.FOLDERS[kind]), suffixes):
        path = FsPath(name)
        slug = col.slug_of(path)
        if slug is not None:
            col.known[kind].add(slug)
        parsed = col.parse(path, body) if slug else None
        if slug is None or parsed is None:
            continue
        rel = col.rel(path)
        model = col.validated(cls, parsed, rel)
        if model is not None:
            records[slug] = Record(slug, rel, model, parsed.located.lines_only())
    return records


def _load_thread(col: _Collector, folder: FsPath, default: Visibility) -> ThreadRecord | None:
    if folder.is_symlink() or not folder.is_dir():
        col.add(
            col.rel(folder),
            0,
            "",
            "expected a thread folder",
            "put each thread in its own folder with a thread.yaml",
        )
        return None
    slug = col.slug_of(folder, folder=True)
    thread_file = folder / "thread.yaml"
    if slug is None:
        return None
    if not os.path.lexists(thread_file):
        col.add(
            col.rel(folder),
            0,
            "",
            "thread folder has no thread.yaml",
            "add thread.yaml with mentor, mentee and started",
        )
        return None
    parsed = col.parse(thread_file, None)
    if parsed is None:
        return None
    thread = col.validated(Thread, parsed, col.rel(thread_file))
    entries = [e for e in (_entry(col, p, slug) for p in _files(col, folder, (".md",))) if e]
    if thread is None:
        return None
    entries.sort(key=lambda e: (e.date, e.slug))
    visibility = thread.visibility or default
    return ThreadRecord(
        slug,
        col.rel(thread_file),
        thread,
        parsed.located.lines_only(),
        visibility=visibility,
        entries=tuple(entries),
    )


def _load_threads(col: _Collector, config: SiteConfig | None) -> dict[str, ThreadRecord]:
    directory = _folder(col, "content/threads")
    if directory is None:
        return {}
    default = config.privacy.thread_visibility if config else Visibility.SUMMARY
    try:
        folders = sorted(p for p in directory.iterdir() if not p.name.startswith("."))
    except OSError as exc:
        col.problems.append(os_problem("content/threads", exc))
        return {}
    records = (_load_thread(col, folder, default) for folder in folders)
    return {r.slug: r for r in records if r is not None}


def _entry(col: _Collector, path: str, thread: str) -> EntryRecord | None:
    """An entry, from the memo when its bytes and the names searched for are unchanged."""
    if col.memo is None or ENTRY_FILE.match(os.path.basename(path)) is None:
        return _load_entry(col, FsPath(path), thread)
    rel = col.rel(path)
    known = col.memo.entries.get(rel)
    if known is not None and known.names != col.names_digest:
        known = None
    known, read = col.recall(known, path)
    if known is not None:
        col.entries[rel] = known
        col.warnings.extend(known.warnings)
        record: EntryRecord = known.value
        return record
    if read is None:
        return None
    reported, warned = len(col.problems), len(col.warnings)
    loaded = _load_entry(col, FsPath(path), thread, read.value)
    if loaded is not None and len(col.problems) == reported:
        warnings = tuple(col.warnings[warned:])
        col.entries[rel] = Known(read.signature, read.digest, loaded, warnings, col.names_digest)
    return loaded


def _slugs_shared(data: dict[str, Any]) -> dict[str, Any]:
    """An entry's fields with each slug-shaped text (author, tags, goals: a few thousand values
    across 10,000 entries) one interned string; pydantic keeps the very strings it is given."""

    def shared(value: Any) -> Any:
        if type(value) is str and len(value) <= 80 and _SLUG.fullmatch(value):
            return sys.intern(value)
        return [shared(item) for item in value] if type(value) is list else value

    return {key: shared(value) for key, value in data.items()}


def _load_entry(
    col: _Collector, path: FsPath, thread: str, raw: bytes | None = None
) -> EntryRecord | None:
    """An entry (`raw`: its bytes, if they were read already)."""
    rel = col.rel(path)
    match = ENTRY_FILE.match(path.name)
    if match is None:
        col.add(
            rel, 0, "", "entry file names look like YYYY-MM-DD-short-title.md", "rename the file"
        )
        return None
    parsed = col.parse_now(path, None, raw)
    if parsed is None or parsed.markdown is None:
        return None
    located, data = parsed.located, _slugs_shared(parsed.data)
    entry = col.model(Entry, located, data, rel)
    markdown = parsed.markdown
    body_lines = Located(None, {("body",): markdown.body_line})
    body_ok = col.model(EntryBody, body_lines, {"body": markdown.body}, rel) is not None
    if entry is None or not body_ok:
        return None
    if entry.date.isoformat() != match.group(1):
        col.add(
            rel,
            located.line_of(("date",)),
            "date",
            f"{entry.date.isoformat()} differs from the file name's date {match.group(1)}",
            "fix the date or rename the file",
        )
    return EntryRecord(
        path.stem,
        rel,
        entry,
        located.lines_only(),
        thread=thread,
        body=Body.of(col.root, rel, markdown.body),
        excerpt=plain_excerpt(markdown.body),
        named=col.names.in_entry(entry, located, markdown.body, markdown.body_line),
    )


def _load_config(col: _Collector, root: FsPath, base_url: str | None) -> SiteConfig | None:
    path = root / CONFIG_FILE
    if not os.path.lexists(path):
        col.add(
            CONFIG_FILE,
            0,
            "",
            "not found",
            f"run menteo in the community's folder or pass that folder as DIR; looked in {root}",
        )
        return None
    parsed = col.parse_now(path, None)  # one file, validated with the base URL: never remembered
    if parsed is None:
        return None
    located, data = parsed.located, parsed.data
    if base_url is not None:
        data = {**data, "base_url": base_url}
    return col.model(SiteConfig, located, data, CONFIG_FILE)


def _names_digest(names: NameMatcher) -> bytes:
    """What an entry's prose was searched for: a remembered entry is valid only under it."""
    return hashlib.sha256(repr(sorted(names.owners.items())).encode()).digest()


def _remember(memo: LoadMemo, col: _Collector) -> None:
    """Keep what this load found (and only that: a deleted file is forgotten), noting which
    files' remembered values changed."""
    memo.changed.update(
        key[0]
        for key in memo.files.keys() | col.files.keys()
        if memo.files.get(key) is not col.files.get(key)
    )
    memo.changed.update(
        key
        for key in memo.entries.keys() | col.entries.keys()
        if memo.entries.get(key) is not col.entries.get(key)
    )
    memo.files, memo.entries = col.files, col.entries


def _digests(col: _Collector) -> dict[str, bytes]:
    """Each file this load made a record of → the digest of the bytes it was made from (the
    `Known` it came with: read now, or remembered with exactly that value)."""
    digests = {key[0]: known.digest for key, known in col.files.items()}
    digests.update((rel, known.digest) for rel, known in col.entries.items())
    return digests


def load_community(
    root: FsPath, base_url: str | None = None, memo: LoadMemo | None = None
) -> CommunityData:
    """Load and check everything under `root`; raise `ContentError` listing every problem.
    `memo` (see `LoadMemo`) is filled and reused across loads by a resident process."""
    root = root.resolve()
    col = _Collector(root, memo)
    config = _load_config(col, root, base_url)
    privacy = config.privacy if config else None
    mentors = _load_people(col, "mentor", Mentor, privacy.mentors_public if privacy else True)
    mentees = _load_people(col, "mentee", Mentee, privacy.mentees_public if privacy else False)
    col.names = NameMatcher.of(mentors, mentees)
    col.names_digest = _names_digest(col.names)
    roadmaps = _load_simple(col, "roadmap", Roadmap, None)
    communities = _load_simple(col, "community", Community, "body")
    threads = _load_threads(col, config)
    badges = _load_simple(col, "badge", Badge, None)
    if memo is not None:
        _remember(memo, col)
    if config is not None:
        col.problems += crossrefs.check(
            root, col.known, mentors, mentees, threads, roadmaps, communities
        )
        col.problems += check_badges(root, badges, col.known["badge"])
    if config is None or col.problems:
        raise ContentError(col.problems)
    community = CommunityData(
        root=root,
        config=config,
        mentors=MappingProxyType(mentors),
        mentees=MappingProxyType(mentees),
        threads=MappingProxyType(threads),
        roadmaps=MappingProxyType(roadmaps),
        communities=MappingProxyType(communities),
        badges=MappingProxyType({slug: badges[slug] for slug in evaluation_order(badges)}),
        members=MappingProxyType(crossrefs.community_members(mentors, mentees, communities)),
        warnings=tuple(col.warnings),
        digests=MappingProxyType(_digests(col)) if memo is not None else MappingProxyType({}),
    )
    judged = Judged(col.names_digest, memo.judged) if memo is not None else None
    named = unconsented_names(community, col.names, judged)
    if memo is not None and judged is not None:
        memo.judged = frozenset(judged.now)
    if named:
        raise ContentError(named)
    return community


def reload_entries(
    community: CommunityData,
    paths: Collection[str],
    memo: LoadMemo,
    names: NameMatcher | None = None,
) -> CommunityData:
    """`community` with its entries at `paths` (files it loaded, edited since) read and checked
    again as `load_community` checks them: each file on its own, its thread's cross-references
    and the names of people without consent its thread would publish. Nothing else is read, so
    it is only as current as `community` is besides those files: `menteo serve` shows an edited
    entry with it, then loads everything again. A `ContentError` if anything is wrong.
    `names`: `NameMatcher.of` the community's people, if made already (it takes a while)."""
    col = _Collector(community.root, memo)
    col.names = names if names is not None else NameMatcher.of(community.mentors, community.mentees)
    col.names_digest = _names_digest(col.names)
    if any(known.names != col.names_digest for known in memo.entries.values()):
        raise ContentError([Problem(CONFIG_FILE, 0, "", "the people changed", "load again")])
    by_thread: dict[str, dict[str, EntryRecord]] = {}
    for path in paths:
        slug = path.removeprefix("content/threads/").partition("/")[0]
        thread = community.threads.get(slug)
        if thread is None or path not in {e.path for e in thread.entries}:
            raise ContentError([Problem(path, 0, "", "not an entry loaded before", "load again")])
        record = _entry(col, os.path.join(col.root, path), slug)
        if record is not None:
            by_thread.setdefault(slug, {})[path] = record
    threads = dict(community.threads)
    for slug, records in by_thread.items():
        entries = [records.get(e.path, e) for e in threads[slug].entries]
        entries.sort(key=lambda e: (e.date, e.slug))
        threads[slug] = replace(threads[slug], entries=tuple(entries))
    known = {
        "mentor": set(community.mentors),
        "mentee": set(community.mentees),
        "roadmap": set(community.roadmaps),
        "community": set(community.communities),
        "badge": set(community.badges),
    }
    changed = {slug: threads[slug] for slug in by_thread}
    col.problems += crossrefs.check(col.root, known, {}, {}, changed, community.roadmaps, {})
    digests = {**community.digests, **{rel: known.digest for rel, known in col.entries.items()}}
    reloaded = replace(
        community, threads=MappingProxyType(threads), digests=MappingProxyType(digests)
    )
    pub = Publication(reloaded)
    for thread in changed.values():
        if pub.thread_published(thread):
            col.problems += entry_names(pub, thread)
    if col.problems:
        raise ContentError(col.problems)
    return reloaded
