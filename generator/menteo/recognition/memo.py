"""Each person's evaluation remembered between builds, by a digest of exactly what it reads, so
a rebuild after a one-line edit judges only the people of the edited thread (issue 14).

A person's judgement (`evaluate._Judge` over their `Scope`) reads their threads and every entry
in them, the badge definitions (their criteria, audiences, order and names), the roadmaps, the
wording's language and menteo's code; nothing else (no clock, no ledger, no other person's
threads). The key is a digest of those: files by the digest of their bytes
(`CommunityData.digests`, a superset of the fields read), and the configuration as loaded
(it is not read, but it shapes how files load). A community loaded without digests remembers
nothing.

A value is plain data (JSON: text, numbers, lists), never objects: criteria are given back as
the badge's own (walking the rule tree the value mirrors), entries as indexes into the person's
threads' entries, dates as ordinals. Whatever does not fit exactly is a miss, judged afresh.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import marshal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from menteo import code_identity
from menteo.content.community import CommunityData, EntryRecord, ThreadRecord
from menteo.content.models import Audience, Criterion
from menteo.recognition.results import Eligibility, Result
from menteo.recognition.spans import Span

FORMAT = b"menteo-evaluation-memo 1\n"
Plain = Any
"""A JSON value as `encode` makes it."""
KEY_SIZE = 32
"""Bytes of a key (SHA-256)."""


class _Miss(Exception):
    """A remembered value that does not fit: judged afresh."""


@dataclass
class EvaluationMemo:
    """`found`: values remembered by earlier builds, by key; `made`: this evaluation's (hits and
    new values alike: the store keeps only these); `fresh`: the keys judged afresh."""

    found: dict[bytes, Plain] = field(default_factory=dict)
    made: dict[bytes, Plain] = field(default_factory=dict)
    fresh: set[bytes] = field(default_factory=set)


def shared_inputs(community: CommunityData, language: str) -> bytes | None:
    """What every person's judgement reads besides their threads: the badges (in evaluation
    order), the roadmaps and the language, and the configuration; None if a file has no
    digest."""
    digests = community.digests
    badges = [(slug, record.path) for slug, record in community.badges.items()]
    roadmaps = [(slug, record.path) for slug, record in sorted(community.roadmaps.items())]
    if not all(path in digests for _, path in (*badges, *roadmaps)):
        return None
    data = marshal.dumps(
        (
            language,
            [(slug, path, digests[path]) for slug, path in badges],
            [(slug, path, digests[path]) for slug, path in roadmaps],
            community.config.model_dump_json(),
        ),
        0,
    )
    return hashlib.sha256(code_identity.code_key(FORMAT, ()) + data).digest()


def subject_key(
    community: CommunityData,
    shared: bytes,
    role: Audience,
    slug: str,
    threads: Sequence[ThreadRecord],
) -> bytes | None:
    """The key of one person's judgement: `shared_inputs`, who they are, and their threads with
    every entry in them, in order; None if a file has no digest."""
    digests = community.digests
    parts: list[object] = [role.value, slug]
    for thread in threads:
        entries = [e.path for e in thread.entries]
        if thread.path not in digests or not all(path in digests for path in entries):
            return None
        parts.append((thread.slug, thread.path, digests[thread.path]))
        parts.append([(path, digests[path]) for path in entries])
    return hashlib.sha256(shared + marshal.dumps(parts, 0)).digest()


def pool_of(threads: Sequence[ThreadRecord]) -> list[EntryRecord]:
    """The entries a value's evidence indexes: every entry of the person's threads, in order."""
    return [entry for thread in threads for entry in thread.entries]


def encode(judged: dict[str, Eligibility], pool: list[EntryRecord]) -> Plain | None:
    """One person's judgement as plain data; None if evidence is not in `pool`."""
    where = {id(entry): index for index, entry in enumerate(pool)}

    def spans(found: tuple[Span, ...]) -> list[Plain]:
        return [
            [s.start.toordinal(), s.end.toordinal() if s.end else None, entries(s.evidence)]
            for s in found
        ]

    def entries(found: tuple[EntryRecord, ...]) -> list[int]:
        return [where[id(entry)] for entry in found]

    def result(r: Result) -> Plain:
        children = [result(child) for child in r.children]
        return [r.text, spans(r.spans), r.value, entries(r.counted), r.missing, children]

    try:
        return [
            [slug, [result(rule) for rule in e.rules], spans(e.spans)] for slug, e in judged.items()
        ]
    except KeyError:
        return None


def decode(
    value: Plain,
    role: Audience,
    slug: str,
    badges: list[tuple[str, list[Criterion]]],
    rules_of: Callable[[Criterion], Sequence[Criterion]],
    pool: list[EntryRecord],
) -> dict[str, Eligibility] | None:
    """The judgement `encode` wrote, made of this build's criteria (`badges`: each badge of the
    person's audience with its top-level rules, in order; `rules_of`: a combinator's rules) and
    entries; None if anything does not fit exactly."""
    try:
        if type(value) is not list or len(value) != len(badges):
            raise _Miss
        judged: dict[str, Eligibility] = {}
        for item, (badge, tops) in zip(value, badges, strict=True):
            found, rules, held = _fields(item, 3)
            if found != badge or type(rules) is not list or len(rules) != len(tops):
                raise _Miss
            made = tuple(_result(r, c, rules_of, pool) for r, c in zip(rules, tops, strict=True))
            judged[badge] = Eligibility(badge, role, slug, made, _spans(held, pool))
        return judged
    except (_Miss, ValueError, OverflowError, RecursionError):
        return None


def _fields(value: Plain, count: int) -> list[Plain]:
    if type(value) is not list or len(value) != count:
        raise _Miss
    return value


def _text(value: Plain) -> str:
    if type(value) is not str:
        raise _Miss
    return value


def _entries(value: Plain, pool: list[EntryRecord]) -> tuple[EntryRecord, ...]:
    if type(value) is not list:
        raise _Miss
    try:
        found = tuple([pool[i] for i in value])  # not a number, or past the end: a miss
    except (TypeError, IndexError):
        raise _Miss from None
    if value and min(value) < 0:
        raise _Miss
    return found


def _day(value: Plain) -> dt.date:
    if type(value) is not int:
        raise _Miss
    return _ordinal_day(value)


@functools.lru_cache(maxsize=4096)
def _ordinal_day(value: int) -> dt.date:
    """A few hundred distinct days stand for every date of a community; out of range, a
    ValueError or OverflowError (a miss)."""
    return dt.date.fromordinal(value)


def _spans(value: Plain, pool: list[EntryRecord]) -> tuple[Span, ...]:
    if type(value) is not list:
        raise _Miss
    spans = []
    for item in value:
        start, end, evidence = _fields(item, 3)
        spans.append(
            Span(_day(start), None if end is None else _day(end), _entries(evidence, pool))
        )
    return tuple(spans)


def _result(
    value: Plain,
    criterion: Criterion,
    rules_of: Callable[[Criterion], Sequence[Criterion]],
    pool: list[EntryRecord],
) -> Result:
    text, spans, measured, counted, missing, children = _fields(value, 6)
    rules = rules_of(criterion)
    if type(children) is not list or len(children) != len(rules):
        raise _Miss
    return Result(
        criterion,
        _text(text),
        _spans(spans, pool),
        _text(measured),
        _entries(counted, pool),
        _text(missing),
        tuple(_result(v, c, rules_of, pool) for v, c in zip(children, rules, strict=True)),
    )
