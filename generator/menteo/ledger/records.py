"""The award ledger's format: one JSON object per line, each chained to the line before by the
SHA-256 of that line's exact bytes.

Parsing verifies everything a line can prove on its own or with the lines before it, so an edit,
deletion, reordering or cut-off line stops the build with the number of the line to look at. No
I/O here: `store` reads and writes the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from menteo.content.characters import describe, refused_character
from menteo.content.visible_text import email_line
from menteo.errors import ContentError, Problem

LEDGER_FILE = "ledger/awards.jsonl"
GENESIS = "sha256:" + "0" * 64
"""The `prev` of the first line."""
STATUS_LIST_SIZE = 131_072
"""Status-list indexes are drawn from this many (the minimum a Bitstring Status List may have,
so that a revocation cannot be linked to one award by the list's size)."""
AWARD_KEYS = (
    "seq",
    "event",
    "id",
    "badge",
    "recipient",
    "awarded",
    "recorded",
    "evidence",
    "status_index",
    "prev",
)
REVOKE_KEYS = ("seq", "event", "award", "reason", "recorded", "prev")
_ID = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RECORDED = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_EVIDENCE = re.compile(r"^threads/[a-z0-9]+(?:--?[a-z0-9]+)*/\d{4}-\d{2}-\d{2}-[a-z0-9-]+$")
MAX_REASON = 500
MAX_LINE_BYTES = 64 * 1024
"""A line is about 400 bytes; anything near this bound is not one menteo wrote."""


@dataclass(frozen=True)
class Award:
    seq: int
    id: str
    badge: str
    recipient: str
    awarded: dt.date
    recorded: str
    evidence: tuple[str, ...]
    status_index: int


@dataclass(frozen=True)
class Revocation:
    seq: int
    award: str
    reason: str
    recorded: str


@dataclass(frozen=True)
class Ledger:
    lines: tuple[str, ...]
    """Each line's exact text, without its newline."""
    awards: Mapping[str, Award]
    """By id, in ledger order."""
    revocations: Mapping[str, Revocation]
    """By the id of the award revoked."""

    @property
    def head(self) -> str:
        """The hash the next line must name as `prev`."""
        return line_hash(self.lines[-1]) if self.lines else GENESIS

    @cached_property
    def _by_pair(self) -> dict[tuple[str, str], Award]:
        return {(a.badge, a.recipient): a for a in self.awards.values()}

    def recorded(self, badge: str, recipient: str) -> Award | None:
        """The award of `badge` to `recipient`, revoked or not (there is at most one)."""
        return self._by_pair.get((badge, recipient))


EMPTY = Ledger((), {}, {})


def line_hash(line: str) -> str:
    return "sha256:" + hashlib.sha256(line.encode("utf-8")).hexdigest()


def serialise(fields: Mapping[str, Any]) -> str:
    """The one spelling of a line: keys in format order, no spaces, UTF-8 kept as is."""
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def award_id(base_url: str, badge: str, recipient: str, awarded: dt.date) -> str:
    """Deterministic and unique across communities (the site's address is part of it)."""
    name = f"{base_url}badges/{badge}/#{recipient}/{awarded.isoformat()}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def status_index(award: str, taken: set[int]) -> int:
    """A pseudo-random index from the award id (so neighbours in the list are unrelated awards),
    moved on to the next free one on a collision; stable once recorded."""
    index = int.from_bytes(hashlib.sha256(award.encode()).digest()[:8], "big") % STATUS_LIST_SIZE
    while index in taken:
        index = (index + 1) % STATUS_LIST_SIZE
    return index


def award_line(ledger: Ledger, award: Award) -> str:
    return serialise(
        {
            "seq": award.seq,
            "event": "award",
            "id": award.id,
            "badge": award.badge,
            "recipient": award.recipient,
            "awarded": award.awarded.isoformat(),
            "recorded": award.recorded,
            "evidence": list(award.evidence),
            "status_index": award.status_index,
            "prev": ledger.head,
        }
    )


def revoke_line(ledger: Ledger, revocation: Revocation) -> str:
    return serialise(
        {
            "seq": revocation.seq,
            "event": "revoke",
            "award": revocation.award,
            "reason": revocation.reason,
            "recorded": revocation.recorded,
            "prev": ledger.head,
        }
    )


class _Line:
    """Checks one parsed line, collecting what is wrong with it."""

    def __init__(self, number: int, data: dict[str, Any]) -> None:
        self.number = number
        self.data = data
        self.problems: list[Problem] = []

    def add(self, field: str, message: str, hint: str) -> None:
        self.problems.append(Problem(LEDGER_FILE, self.number, field, message, hint))

    def text(self, key: str, pattern: re.Pattern[str] | None = None) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or (pattern is not None and not pattern.fullmatch(value)):
            self.add(key, f"{value!r} is not a valid {key}", _RESTORE)
            return ""
        return value

    def day(self, key: str) -> dt.date:
        text = self.text(key, _DAY)
        if not text:
            return dt.date.min
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.add(key, f"{self.data.get(key)!r} is not a date", _RESTORE)
            return dt.date.min


_RESTORE = "the ledger is written only by menteo award and menteo revoke; restore it from git"


def _json_line(number: int, line: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    if len(line.encode("utf-8")) > MAX_LINE_BYTES:
        message = f"is longer than {MAX_LINE_BYTES // 1024} KiB"
        return None, [Problem(LEDGER_FILE, number, "", message, _RESTORE)]
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, [Problem(LEDGER_FILE, number, "", f"not valid JSON ({exc.msg})", _RESTORE)]
    except RecursionError:
        return None, [
            Problem(LEDGER_FILE, number, "", "not valid JSON (nested too deep)", _RESTORE)
        ]
    if not isinstance(data, dict):
        return None, [Problem(LEDGER_FILE, number, "", "not a JSON object", _RESTORE)]
    return data, []


def parse_ledger(text: str) -> Ledger:
    """The ledger in `text`, or a `ContentError` naming every line that was tampered with."""
    problems: list[Problem] = []
    if text and not text.endswith("\n"):
        count = text.count("\n") + 1
        problems.append(
            Problem(
                LEDGER_FILE,
                count,
                "",
                "the last line is incomplete (cut off by an interrupted write or an edit)",
                _RESTORE,
            )
        )
    lines = tuple(text.split("\n")[:-1]) if text else ()
    awards: dict[str, Award] = {}
    revocations: dict[str, Revocation] = {}
    taken: set[int] = set()
    pairs: set[tuple[str, str]] = set()
    prev = GENESIS
    removed = 0
    for number, line in enumerate(lines, start=1):
        data, found = _json_line(number, line)
        problems += found
        if data is not None:
            gap = _removed_before(number, removed, data, prev)
            if gap is not None:
                # One problem for the gap; the lines after it are checked against their own
                # chain, so a deleted line is not reported again on every line below it.
                problems.append(gap)
                removed, prev = data["seq"] - number, data["prev"]
            seq = number + removed
            problems += _check_line(
                seq, number, line, data, prev, awards, revocations, taken, pairs
            )
        prev = line_hash(line)
    if problems:
        raise ContentError(problems)
    return Ledger(lines, awards, revocations)


def _removed_before(number: int, removed: int, data: dict[str, Any], prev: str) -> Problem | None:
    """Lines missing just before line `number`: its seq jumps ahead and its prev is not the line
    above's hash (what deleting lines from the file looks like)."""
    seq = data.get("seq")
    if type(seq) is not int or seq <= number + removed or data.get("prev") == prev:
        return None
    first, last = number + removed, seq - 1
    missing = (
        f"line {first} is missing or was removed"
        if first == last
        else f"lines {first}-{last} are missing or were removed"
    )
    return Problem(
        LEDGER_FILE,
        number,
        "",
        f"{missing}: this line is number {seq} and its prev does not match the line before",
        _RESTORE,
    )


def _check_line(
    seq: int,
    number: int,
    line: str,
    data: dict[str, Any],
    prev: str,
    awards: dict[str, Award],
    revocations: dict[str, Revocation],
    taken: set[int],
    pairs: set[tuple[str, str]],
) -> list[Problem]:
    checker = _Line(number, data)
    event = data.get("event")
    keys = AWARD_KEYS if event == "award" else REVOKE_KEYS if event == "revoke" else None
    if keys is None:
        checker.add("event", f"unknown event {event!r}", _RESTORE)
        return checker.problems
    if tuple(data) != keys:
        checker.add("", "fields differ from the ledger format: " + ", ".join(keys), _RESTORE)
        return checker.problems
    if type(data["seq"]) is not int or data["seq"] != seq:
        checker.add(
            "seq", f"is {data['seq']!r} on line {number}: lines were removed or moved", _RESTORE
        )
    if data["prev"] != prev:
        checker.add(
            "prev",
            "does not match the line before: an earlier line was edited, removed or moved",
            _RESTORE,
        )
    if serialise(data) != line:
        checker.add("", "is not written the way menteo writes lines (edited by hand?)", _RESTORE)
    recorded = checker.text("recorded", _RECORDED)
    try:
        dt.datetime.strptime(recorded or "1970-01-01T00:00:00Z", "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        checker.add("recorded", f"{recorded!r} is not a valid recorded", _RESTORE)
        recorded = ""
    if event == "award":
        award = _award(checker, recorded, awards, taken, pairs)
        if award is not None:
            awards[award.id] = award
            taken.add(award.status_index)
            pairs.add((award.badge, award.recipient))
    else:
        revocation = _revocation(checker, recorded, awards, revocations)
        if revocation is not None:
            revocations[revocation.award] = revocation
    return checker.problems


def _award(
    checker: _Line,
    recorded: str,
    awards: Mapping[str, Award],
    taken: set[int],
    pairs: set[tuple[str, str]],
) -> Award | None:
    data = checker.data
    award_id = checker.text("id", _ID)
    badge = checker.text("badge", _SLUG)
    recipient = checker.text("recipient", _SLUG)
    awarded = checker.day("awarded")
    evidence = data["evidence"]
    if not isinstance(evidence, list) or not all(
        isinstance(e, str) and _EVIDENCE.fullmatch(e) for e in evidence
    ):
        checker.add("evidence", "is not a list of entry references", _RESTORE)
    if award_id in awards:
        checker.add("id", f"{award_id} is recorded twice", _RESTORE)
    if (badge, recipient) in pairs:
        checker.add("badge", f"{badge!r} was already awarded to {recipient!r}", _RESTORE)
    if recorded and awarded > dt.date.fromisoformat(recorded[:10]):
        checker.add("awarded", f"{awarded} is after the day it was recorded", _RESTORE)
    expected = status_index(award_id, taken)
    given = data["status_index"]
    if award_id and (type(given) is not int or given != expected):
        checker.add("status_index", f"should be {expected}, the next free index", _RESTORE)
    if checker.problems:
        return None
    return Award(
        checker.number, award_id, badge, recipient, awarded, recorded, tuple(evidence), expected
    )


def reason_problem(reason: str) -> str | None:
    """What makes a revocation's reason unfit to publish, if anything; consent to be named is
    checked where the community is known (`review.ledger_problems`)."""
    if not reason.strip() or len(reason) > MAX_REASON:
        return f"needs a reason of at most {MAX_REASON} characters"
    index = refused_character(reason, one_line=True)
    if index is not None:
        return describe(reason[index])[0]
    if email_line(reason) is not None:
        return "contains an email address, and plain email addresses are never published"
    return None


def _revocation(
    checker: _Line,
    recorded: str,
    awards: Mapping[str, Award],
    revocations: Mapping[str, Revocation],
) -> Revocation | None:
    award = checker.text("award", _ID)
    reason = checker.text("reason")
    if award and award not in awards:
        checker.add("award", f"{award} is not an earlier award", _RESTORE)
    elif award in revocations:
        checker.add(
            "award", f"{award} was already revoked on line {revocations[award].seq}", _RESTORE
        )
    wrong = reason_problem(reason)
    if wrong:
        checker.add("reason", wrong, _RESTORE)
    if checker.problems:
        return None
    return Revocation(checker.number, award, reason, recorded)


def extends(base: str, current: Sequence[str], base_name: str) -> list[Problem]:
    """Problems if `current` lines are not `base`'s lines with new ones after them: the one way
    to notice that trailing lines were removed, which the chain alone cannot show."""
    old = base.split("\n")[:-1] if base else []
    for number, line in enumerate(old, start=1):
        if number > len(current):
            return [
                Problem(
                    LEDGER_FILE,
                    number,
                    "",
                    f"line {number} of the ledger in {base_name} was removed",
                    f"restore it: git checkout {base_name} -- {LEDGER_FILE}",
                )
            ]
        if current[number - 1] != line:
            return [
                Problem(
                    LEDGER_FILE,
                    number,
                    "",
                    f"differs from line {number} of the ledger in {base_name}; recorded lines never change",
                    f"restore it: git checkout {base_name} -- {LEDGER_FILE}",
                )
            ]
    return []
