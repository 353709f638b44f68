"""Checks that need more than one file: every slug reference, entry rules, avatar files.

References are checked against `known` (slugs whose file exists), so a file that failed to load
is reported once, for its own mistake, not again by everything that mentions it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path as FsPath
from typing import Any

from menteo.content.community import EntryRecord, Person, Record, ThreadRecord
from menteo.content.files import check_regular
from menteo.content.models import Community, EntryKind, OutcomeType, Roadmap
from menteo.content.safe_yaml import field_label
from menteo.errors import ContentError, Problem
from menteo.suggest import did_you_mean

FOLDERS = {
    "mentor": "content/mentors",
    "mentee": "content/mentees",
    "roadmap": "content/roadmaps",
    "community": "content/communities",
    "badge": "badges",
}
"""Each kind of referenced file → its folder in the repository; the loader reads from these."""
KINDS = tuple(FOLDERS)
NEW_FILE = {
    "mentor": ".yaml",
    "mentee": ".yaml",
    "roadmap": ".yaml",
    "community": ".md",
    "badge": ".yaml",
}
AVATAR_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
MAX_AVATAR_BYTES = 1024 * 1024


def unknown(kind: str, slug: str, known: Iterable[str]) -> tuple[str, str]:
    hint = (
        did_you_mean(slug, known) or f"add {FOLDERS[kind]}/{slug}{NEW_FILE[kind]} or fix the slug"
    )
    return f"unknown {kind} {slug!r}", hint


def _or(choices: list[str]) -> str:
    """ "a, b or c": the people an entry's author may be."""
    return ", ".join(choices[:-1]) + " or " + choices[-1] if len(choices) > 1 else choices[0]


class _Checker:
    def __init__(self, root: FsPath, known: Mapping[str, set[str]]) -> None:
        self.root = root
        self.known = known
        self.problems: list[Problem] = []

    def add(self, record: Record[Any], loc: tuple[str | int, ...], message: str, hint: str) -> None:
        self.problems.append(
            Problem(record.path, record.line(*loc), field_label(loc), message, hint)
        )

    def ref(
        self, record: Record[Any], loc: tuple[str | int, ...], kind: str, slug: str | None
    ) -> None:
        if slug is not None and slug not in self.known[kind]:
            self.add(record, loc, *unknown(kind, slug, self.known[kind]))

    def person(self, person: Person) -> None:
        for index, community in enumerate(person.model.communities):
            self.ref(person, ("communities", index), "community", community)
        if person.model.avatar is not None:
            self.avatar(person, person.model.avatar)

    def avatar(self, person: Person, value: str) -> None:
        hint = f"put a PNG, JPEG or WebP file of at most 1 MiB in the repository, e.g. content/{person.role}s/avatars/{person.slug}.png"
        if "://" in value or value.startswith(("/", "\\")) or ".." in FsPath(value).parts:
            self.add(person, ("avatar",), f"{value!r} is not a path inside the repository", hint)
            return
        path = self.root / value
        if FsPath(value).suffix.lower() not in AVATAR_SUFFIXES:
            self.add(person, ("avatar",), f"{value!r} is not a PNG, JPEG or WebP image", hint)
        elif (
            not any(p.is_symlink() for p in (path, *path.parents) if p.is_relative_to(self.root))
            and path.exists()
        ):
            if path.stat().st_size > MAX_AVATAR_BYTES:
                self.add(person, ("avatar",), f"{value!r} is larger than 1 MiB", hint)
            try:
                check_regular(path, value)  # the build copies it: a folder or pipe is refused
            except ContentError as exc:
                self.problems += exc.problems
        else:
            self.add(person, ("avatar",), f"{value!r} does not exist (or is a symbolic link)", hint)

    def unique_ids(self, record: Record[Any], field: str, ids: list[str]) -> set[str]:
        """The ids of a list of steps or goals, reporting each one used twice."""
        noun = field.removesuffix("s")
        seen: set[str] = set()
        for index, item in enumerate(ids):
            if item in seen:
                self.add(
                    record,
                    (field, index, "id"),
                    f"duplicate {noun} id {item!r}",
                    f"give each {noun} its own id",
                )
            seen.add(item)
        return seen

    def roadmap(self, roadmap: Record[Roadmap]) -> None:
        seen = self.unique_ids(roadmap, "steps", [step.id for step in roadmap.model.steps])
        for index, checkpoint in enumerate(roadmap.model.checkpoints):
            if checkpoint.after not in seen:
                self.add(
                    roadmap,
                    ("checkpoints", index, "after"),
                    f"unknown step {checkpoint.after!r}",
                    "use one of: " + ", ".join(s.id for s in roadmap.model.steps),
                )

    def community(self, community: Record[Community]) -> None:
        people = self.known["mentor"] | self.known["mentee"]
        for index, member in enumerate(community.model.members):
            if member not in people:
                hint = did_you_mean(member, people) or "use the slug of a mentor or mentee"
                self.add(community, ("members", index), f"unknown person {member!r}", hint)

    def people(self, thread: ThreadRecord) -> bool:
        """Exactly one of `mentor:`/`mentors:` and of `mentee:`/`mentees:`, each list non-empty,
        each person known and named once; True when every slug is a known person."""
        model = thread.model
        known = True
        seen: dict[str, str] = {}
        for role, one, many in (
            ("mentor", model.mentor, model.mentors),
            ("mentee", model.mentee, model.mentees),
        ):
            plural = role + "s"
            if one is not None and many is not None:
                self.add(
                    thread,
                    (plural,),
                    f"both {role}: and {plural}: are set",
                    f"keep one: {role}: for one person, {plural}: [...] for a group room",
                )
            elif one is None and many is None:
                self.add(
                    thread,
                    (role,),
                    "is missing",
                    f"add {role}: <slug> (or {plural}: [...] for a group room)",
                )
                known = False
                continue
            elif many is not None and not many:
                self.add(thread, (plural,), "is empty", f"name at least one {role}")
                known = False
            named: list[tuple[tuple[str | int, ...], str]] = []
            if one is not None and many is None:
                named.append(((role,), one))
            named += [((plural, i), slug) for i, slug in enumerate(many or ())]
            for loc, slug in named:
                if slug not in self.known[role]:
                    self.add(thread, loc, *unknown(role, slug, self.known[role]))
                    known = False
                elif slug in seen:
                    again = "again" if seen[slug] == role else f"and as a {seen[slug]}"
                    self.add(
                        thread,
                        loc,
                        f"{slug!r} is named {again}",
                        "name each person once in a room",
                    )
                seen.setdefault(slug, role)
        return known

    def room_folder(self, thread: ThreadRecord) -> None:
        """A group room's folder is `<one of its mentors>--<room name>`, so that the
        repository stays browsable by mentor; a pair's folder name is free (by convention
        `<mentor>--<mentee>`), as it always was."""
        model = thread.model
        prefix, _, name = thread.slug.partition("--")
        if model.is_room and (prefix not in model.mentor_slugs or not name):
            self.problems.append(
                Problem(
                    thread.path,
                    0,
                    "",
                    f"a group room's folder {thread.slug!r} does not start with one of its mentors",
                    f"rename the folder {model.mentor_slugs[0]}--<room-name>, e.g. "
                    f"{model.mentor_slugs[0]}--{model.community or 'circle'}",
                )
            )

    def thread(self, thread: ThreadRecord, roadmaps: Mapping[str, Record[Roadmap]]) -> None:
        model = thread.model
        pair_known = self.people(thread)
        if pair_known:
            self.room_folder(thread)
        self.ref(thread, ("roadmap",), "roadmap", model.roadmap)
        self.ref(thread, ("community",), "community", model.community)
        if model.ended is not None and model.ended < model.started:
            self.add(
                thread,
                ("ended",),
                f"{model.ended} is before started ({model.started})",
                "fix one of the dates",
            )
        goal_ids = self.unique_ids(thread, "goals", [goal.id for goal in model.goals])
        for index, goal in enumerate(model.goals):
            if pair_known and goal.mentee is not None and goal.mentee not in model.mentee_slugs:
                self.add(
                    thread,
                    ("goals", index, "mentee"),
                    f"{goal.mentee!r} is not a mentee of this room",
                    "use one of: " + ", ".join(model.mentee_slugs),
                )
        roadmap = roadmaps.get(model.roadmap) if model.roadmap else None
        steps = [s.id for s in roadmap.model.steps] if roadmap else []
        for entry in thread.entries:
            self.entry(thread, entry, goal_ids, steps, pair_known)

    def entry(
        self,
        thread: ThreadRecord,
        entry: EntryRecord,
        goals: set[str],
        steps: list[str],
        pair_known: bool,
    ) -> None:
        model = entry.model
        mentors, mentees = thread.model.mentor_slugs, thread.model.mentee_slugs
        if pair_known and model.author not in (*mentors, *mentees):
            self.add(
                entry,
                ("author",),
                f"{model.author!r} is not in this thread",
                "use "
                + _or([f"{m!r} (mentor)" for m in mentors] + [f"{m!r} (mentee)" for m in mentees]),
            )
        if model.date < thread.model.started:
            self.add(
                entry,
                ("date",),
                f"{model.date} is before the thread started ({thread.model.started})",
                "fix the date, or the thread's started date",
            )
        if model.kind is EntryKind.OUTCOME and model.outcome is None:
            self.add(
                entry,
                ("kind",),
                "an outcome entry needs 'outcome:'",
                "add outcome: one of " + ", ".join(t.value for t in OutcomeType),
            )
        if model.kind is not EntryKind.OUTCOME and model.outcome is not None:
            self.add(
                entry,
                ("outcome",),
                "only entries of kind outcome have an outcome",
                "remove it, or set kind: outcome",
            )
        if model.kind is EntryKind.FEEDBACK and model.rating is None:
            self.add(
                entry,
                ("kind",),
                "a feedback entry needs 'rating:'",
                "add rating: a whole number from 1 to 5",
            )
        if model.kind is not EntryKind.FEEDBACK and model.rating is not None:
            self.add(
                entry,
                ("rating",),
                "only entries of kind feedback have a rating",
                "remove it, or set kind: feedback",
            )
        if pair_known and model.kind is EntryKind.FEEDBACK and model.author not in mentees:
            self.add(
                entry,
                ("author",),
                "feedback is written by the mentee",
                f"set author: {mentees[0]}"
                if len(mentees) == 1
                else "set author: the mentee it comes from, one of " + ", ".join(mentees),
            )
        if (
            pair_known
            and len(mentees) > 1
            and model.kind is EntryKind.OUTCOME
            and model.author not in mentees
        ):
            self.add(
                entry,
                ("author",),
                "in a room of several mentees, an outcome is written by the mentee it belongs to",
                "set author: one of " + ", ".join(mentees),
            )
        for index, goal in enumerate(model.goals):
            if goal not in goals:
                hint = (
                    "use one of: " + ", ".join(sorted(goals))
                    if goals
                    else "add the goal to thread.yaml first"
                )
                self.add(entry, ("goals", index), f"unknown goal {goal!r} in this thread", hint)
        if model.roadmap_step is not None:
            if thread.model.roadmap is None:
                self.add(
                    entry,
                    ("roadmap_step",),
                    "this thread follows no roadmap",
                    "add roadmap: to thread.yaml or remove roadmap_step",
                )
            elif steps and model.roadmap_step not in steps:
                self.add(
                    entry,
                    ("roadmap_step",),
                    f"unknown step {model.roadmap_step!r} of roadmap {thread.model.roadmap!r}",
                    "use one of: " + ", ".join(steps),
                )


def check(
    root: FsPath,
    known: Mapping[str, set[str]],
    mentors: Mapping[str, Person],
    mentees: Mapping[str, Person],
    threads: Mapping[str, ThreadRecord],
    roadmaps: Mapping[str, Record[Roadmap]],
    communities: Mapping[str, Record[Community]],
) -> list[Problem]:
    """Every cross-file problem in the loaded records."""
    checker = _Checker(root, known)
    for person in (*mentors.values(), *mentees.values()):
        checker.person(person)
    for roadmap in roadmaps.values():
        checker.roadmap(roadmap)
    for community in communities.values():
        checker.community(community)
    for thread in threads.values():
        checker.thread(thread, roadmaps)
    return checker.problems


def community_members(
    mentors: Mapping[str, Person],
    mentees: Mapping[str, Person],
    communities: Mapping[str, Record[Community]],
) -> dict[str, tuple[str, ...]]:
    """Community slug → member slugs: listed by the community or listing it themselves."""
    members: dict[str, set[str]] = {slug: set(c.model.members) for slug, c in communities.items()}
    for person in (*mentors.values(), *mentees.values()):
        for community in person.model.communities:
            members.setdefault(community, set()).add(person.slug)
    return {
        slug: tuple(sorted(found)) for slug, found in sorted(members.items()) if slug in communities
    }
