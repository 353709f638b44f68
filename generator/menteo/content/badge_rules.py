"""Checks on badge definitions that need more than one file: references to other badges, tiers,
cycles, measures that fit the badge's audience, and artwork paths.

Also fixes the order badges are evaluated in (a badge after every badge it needs), so the
evaluator never meets a badge it cannot decide yet.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path as FsPath

from menteo.content.artwork import artwork_problems
from menteo.content.community import Record
from menteo.content.crossrefs import unknown
from menteo.content.files import read_regular
from menteo.content.models import Audience, Badge, Criterion
from menteo.content.safe_yaml import field_label
from menteo.errors import ContentError, Problem

Loc = tuple[str | int, ...]
ARTWORK_FOLDER = "badges/images/"
MAX_ARTWORK_BYTES = 256 * 1024
PARTNER_MEASURE = {Audience.MENTOR: "mentees", Audience.MENTEE: "mentors"}
"""The partner count that makes sense for each audience (a mentor's mentees, a mentee's mentors)."""


def walk(criterion: Criterion, loc: Loc = ("criteria",)) -> Iterator[tuple[Criterion, Loc]]:
    """Every rule in a criteria tree, with its location in the badge file."""
    yield criterion, loc
    if criterion.all is not None or criterion.any is not None:
        for index, child in enumerate(criterion.all or criterion.any or []):
            yield from walk(child, (*loc, criterion.kind, index))
    elif criterion.at_least is not None:
        for index, child in enumerate(criterion.at_least.of):
            yield from walk(child, (*loc, "at_least", "of", index))


def requirements(badge: Badge) -> list[tuple[str, Loc]]:
    """The badges this one needs, with where each is named."""
    needed: list[tuple[str, Loc]] = [(badge.builds_on, ("builds_on",))] if badge.builds_on else []
    needed += [(c.badge, (*loc, "badge")) for c, loc in walk(badge.criteria) if c.badge]
    return needed


class _BadgeChecker:
    def __init__(self, root: FsPath, badges: Mapping[str, Record[Badge]], known: set[str]):
        self.root = root
        self.badges = badges
        self.known = known
        self.problems: list[Problem] = []

    def add(self, record: Record[Badge], loc: Loc, message: str, hint: str) -> None:
        self.problems.append(
            Problem(record.path, record.line(*loc), field_label(loc), message, hint)
        )

    def check(self, record: Record[Badge]) -> None:
        badge = record.model
        for slug, loc in requirements(badge):
            other = self.badges.get(slug)
            if slug not in self.known:
                self.add(record, loc, *unknown("badge", slug, self.known))
            elif other is not None and other.model.audience != badge.audience:
                self.add(
                    record,
                    loc,
                    f"{slug!r} is a {other.model.audience} badge and this one is for "
                    f"{badge.audience}s",
                    f"name a badge for {badge.audience}s",
                )
        lower = self.badges.get(badge.builds_on) if badge.builds_on else None
        if lower is not None and lower.model.tier >= badge.tier:
            self.add(
                record,
                ("tier",),
                f"tier {badge.tier} is not above {badge.builds_on!r} (tier {lower.model.tier})",
                f"use tier: {lower.model.tier + 1} or more",
            )
        for criterion, loc in walk(badge.criteria):
            self.rule(record, criterion, loc)
        if badge.image is not None:
            self.artwork(record, badge.image)

    def rule(self, record: Record[Badge], criterion: Criterion, loc: Loc) -> None:
        audience = record.model.audience
        kind = criterion.kind
        if kind in PARTNER_MEASURE.values() and kind != PARTNER_MEASURE[audience]:
            self.add(
                record,
                (*loc, kind),
                f"{kind} cannot be counted for {audience}s",
                f"use {PARTNER_MEASURE[audience]}: to count a {audience}'s partners",
            )
        if kind == "at_least" and criterion.at_least is not None:
            count, of = criterion.at_least.count, len(criterion.at_least.of)
            if count > of:
                self.add(
                    record,
                    (*loc, kind, "count"),
                    f"at least {count} of {of} rules can never be met",
                    f"use a count from 1 to {of}",
                )

    def artwork(self, record: Record[Badge], value: str) -> None:
        path = self.root / ARTWORK_FOLDER / value
        hint = f"put an SVG file of at most {MAX_ARTWORK_BYTES // 1024} KiB in {ARTWORK_FOLDER} and give its file name"
        if "/" in value or "\\" in value or not value.endswith(".svg") or value.startswith("."):
            self.add(record, ("image",), f"{value!r} is not an SVG file name", hint)
        elif path.is_symlink() or path.parent.is_symlink() or not os.path.lexists(path):
            message = f"{ARTWORK_FOLDER}{value} does not exist (or is a symbolic link)"
            self.add(record, ("image",), message, hint)
        elif path.stat().st_size > MAX_ARTWORK_BYTES:
            self.add(record, ("image",), f"{ARTWORK_FOLDER}{value} is too large", hint)
        else:
            try:
                data = read_regular(path, ARTWORK_FOLDER + value, MAX_ARTWORK_BYTES, hint)
            except ContentError as exc:
                self.problems += exc.problems
                return
            self.problems += artwork_problems(data, ARTWORK_FOLDER + value)


def _cycles(badges: Mapping[str, Record[Badge]]) -> list[Problem]:
    """A badge that needs itself, directly or through others, could never be awarded."""
    problems: list[Problem] = []
    state: dict[str, int] = {}

    def visit(slug: str, trail: list[str]) -> None:
        state[slug] = 1
        record = badges[slug]
        for needed, loc in requirements(record.model):
            if needed not in badges:
                continue
            if state.get(needed) == 1:
                # `needed` is on the path: in `trail`, or `slug` itself (a badge needing itself)
                start = trail.index(needed) if needed in trail else len(trail)
                cycle = " → ".join([*trail[start:], slug, needed])
                problems.append(
                    Problem(
                        record.path,
                        record.line(*loc),
                        field_label(loc),
                        f"badges need each other in a cycle: {cycle}",
                        "a tier builds on a lower one; remove one of these links",
                    )
                )
            elif needed not in state:
                visit(needed, [*trail, slug])
        state[slug] = 2

    for slug in sorted(badges):
        if slug not in state:
            visit(slug, [])
    return problems


def check_badges(
    root: FsPath, badges: Mapping[str, Record[Badge]], known: set[str]
) -> list[Problem]:
    """Every cross-file problem in the badge definitions."""
    checker = _BadgeChecker(root, badges, known)
    for record in badges.values():
        checker.check(record)
    return checker.problems + _cycles(badges)


def evaluation_order(badges: Mapping[str, Record[Badge]]) -> list[str]:
    """Badge slugs, each after everything it needs; otherwise by audience, tier and slug."""
    order: list[str] = []
    placed: set[str] = set()

    def place(slug: str) -> None:
        if slug in placed:
            return
        placed.add(slug)
        for needed, _ in requirements(badges[slug].model):
            if needed in badges:
                place(needed)
        order.append(slug)

    for slug in sorted(badges, key=lambda s: (badges[s].model.audience, badges[s].model.tier, s)):
        place(slug)
    return order
