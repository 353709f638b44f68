"""The award ledger and the commands that read and write it: `check`, `award`, `revoke`.

The ledger's format is checked here independently of `menteo.ledger.records` (ids, status-list
indexes and the hash chain are recomputed from their definitions), so a change to the format
cannot pass by changing the writer and the reader together.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factory import make_community
from menteo.cli import main
from menteo.errors import ContentError
from menteo.ledger import store
from menteo.ledger.records import parse_ledger

LEDGER = "ledger/awards.jsonl"
EPOCH = "1750000000"
RECORDED = "2025-06-15T15:06:40Z"
GENESIS = "sha256:" + "0" * 64
KEYS = [
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
]
RESTORE = "(the ledger is written only by menteo award and menteo revoke; restore it from git)"
CHECK_FAILED = "fix them and run menteo check again"

STARTER = """\
name: Starter
audience: mentor
description: A first session held.
criteria:
  sessions: {min: 1}
"""
BADGES: dict[str, str | None] = {
    "badges/starter.yaml": STARTER,
    "badges/steady.yaml": """\
name: Steady
audience: mentor
tier: 2
builds_on: starter
description: Mentoring someone.
criteria:
  mentees: {min: 1}
""",
    "badges/grateful.yaml": """\
name: Grateful
audience: mentee
description: Said thank you.
criteria:
  feedback_responses: {min: 1}
""",
}
KICKOFF = "threads/ana-lima--bo-chen/2025-01-10-kickoff"
THANKS = "threads/ana-lima--bo-chen/2025-02-10-thanks"


def uuid5_urn(badge: str, recipient: str, awarded: str) -> str:
    name = f"https://example.org/circle/badges/{badge}/#{recipient}/{awarded}"
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


def index_of(award: str) -> int:
    return int.from_bytes(hashlib.sha256(award.encode()).digest()[:8], "big") % 131_072


def sha(line: str) -> str:
    return "sha256:" + hashlib.sha256(line.encode("utf-8")).hexdigest()


def dump(fields: dict[str, Any]) -> str:
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def chained(lines: list[str], **fields: Any) -> str:
    """A line written the way menteo writes one, after `lines`."""
    return dump({"seq": len(lines) + 1, **fields, "prev": sha(lines[-1]) if lines else GENESIS})


STARTER_ID = uuid5_urn("starter", "ana-lima", "2025-01-10")
STEADY_ID = uuid5_urn("steady", "ana-lima", "2025-01-10")
GRATEFUL_ID = uuid5_urn("grateful", "bo-chen", "2025-02-10")


def _expected_lines() -> list[str]:
    lines: list[str] = []
    for badge, recipient, awarded, evidence, award in (
        ("starter", "ana-lima", "2025-01-10", KICKOFF, STARTER_ID),
        ("steady", "ana-lima", "2025-01-10", KICKOFF, STEADY_ID),
        ("grateful", "bo-chen", "2025-02-10", THANKS, GRATEFUL_ID),
    ):
        lines.append(
            chained(
                lines,
                event="award",
                id=award,
                badge=badge,
                recipient=recipient,
                awarded=awarded,
                recorded=RECORDED,
                evidence=[evidence],
                status_index=index_of(award),
            )
        )
    return lines


LINES = _expected_lines()
"""What `menteo award` records for the community of `community()` at `EPOCH`."""


def community(root: Path, changes: dict[str, str | None] | None = None) -> Path:
    return make_community(root, {**BADGES, **(changes or {})})


def write_ledger(root: Path, text: str | list[str]) -> None:
    path = root / LEDGER
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        ("".join(f"{line}\n" for line in text) if isinstance(text, list) else text).encode()
    )


def ledger_bytes(root: Path) -> bytes:
    return (root / LEDGER).read_bytes()


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return CliRunner()


def run(runner: CliRunner, *args: str | Path) -> tuple[int, str]:
    result = runner.invoke(main, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def usage_error(output: str) -> str:
    """The last line of a click usage error."""
    return output.rstrip("\n").rsplit("\n", 1)[-1]


# ------------------------------------------------------------------ round trip


def test_ids_and_indexes_are_stable() -> None:
    """Recorded ids and indexes are published in credentials: they may never change."""
    assert STARTER_ID == "urn:uuid:541ed367-b377-522c-8bec-40dc0eeb0e1f"
    assert index_of(STARTER_ID) == 103551
    assert LINES[0] == (
        '{"seq":1,"event":"award","id":"urn:uuid:541ed367-b377-522c-8bec-40dc0eeb0e1f",'
        '"badge":"starter","recipient":"ana-lima","awarded":"2025-01-10",'
        '"recorded":"2025-06-15T15:06:40Z",'
        '"evidence":["threads/ana-lima--bo-chen/2025-01-10-kickoff"],"status_index":103551,'
        '"prev":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}'
    )


def test_award_records_pending_awards_once(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    code, output = run(runner, "award", root)
    assert code == 0
    assert output == (
        f"Awarded Starter to ana-lima (2025-01-10): {STARTER_ID}\n"
        f"Awarded Steady to ana-lima (2025-01-10): {STEADY_ID}\n"
        f"Awarded Grateful to bo-chen (2025-02-10): {GRATEFUL_ID}\n"
        "Recorded 3 awards in ledger/awards.jsonl.\n"
    )
    text = ledger_bytes(root).decode()
    assert text == "".join(f"{line}\n" for line in LINES)
    prev = GENESIS
    for number, line in enumerate(text.splitlines(), start=1):
        data = json.loads(line)
        assert list(data) == KEYS
        assert (data["seq"], data["prev"]) == (number, prev)
        assert data["status_index"] == index_of(data["id"])
        prev = sha(line)
    ledger = parse_ledger(text)
    assert list(ledger.awards) == [STARTER_ID, STEADY_ID, GRATEFUL_ID]
    assert not ledger.revocations

    assert run(runner, "award", root) == (0, "No pending awards; nothing recorded.\n")
    assert ledger_bytes(root).decode() == text
    code, output = run(runner, "check", root)
    assert (code, output) == (
        0,
        "All good: 1 mentor, 1 mentee, 1 thread, 2 entries, 1 roadmap, 1 community, 3 badges, "
        "3 awards, 0 revoked.\nNo pending awards.\n",
    )


def test_award_appends_to_an_existing_ledger(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    write_ledger(root, LINES[:1])
    code, output = run(runner, "award", root)
    assert code == 0
    assert output.endswith("Recorded 2 awards in ledger/awards.jsonl.\n")
    assert ledger_bytes(root).decode() == "".join(f"{line}\n" for line in LINES)


def test_source_date_epoch_makes_the_ledger_reproducible(tmp_path: Path, runner: CliRunner) -> None:
    first = community(tmp_path / "a")
    second = community(tmp_path / "b")
    assert run(runner, "award", first)[0] == 0
    assert run(runner, "award", second)[0] == 0
    assert ledger_bytes(first) == ledger_bytes(second)
    assert json.loads(ledger_bytes(first).splitlines()[0])["recorded"] == RECORDED


def test_award_dated_after_today_waits(tmp_path: Path, runner: CliRunner) -> None:
    """An entry dated after the recording day (a clock behind, another time zone) must not make
    `award` write a line the ledger check then rejects."""
    root = community(tmp_path)
    runner.env["SOURCE_DATE_EPOCH"] = "1738000000"  # 2025-01-27: before the feedback entry
    code, output = run(runner, "award", root)
    assert code == 0
    assert output == (
        f"Awarded Starter to ana-lima (2025-01-10): {STARTER_ID}\n"
        f"Awarded Steady to ana-lima (2025-01-10): {STEADY_ID}\n"
        "Not yet recorded: Grateful to bo-chen is dated 2025-02-10, after 2025-01-27; "
        "it stays pending.\n"
        "Recorded 2 awards in ledger/awards.jsonl.\n"
    )
    assert len(parse_ledger(ledger_bytes(root).decode()).awards) == 2
    runner.env["SOURCE_DATE_EPOCH"] = "1700000000"
    assert run(runner, "award", root) == (
        0,
        "Not yet recorded: Grateful to bo-chen is dated 2025-02-10, after 2023-11-14; "
        "it stays pending.\nNothing recorded.\n",
    )
    code, output = run(runner, "check", root)
    assert code == 0
    assert "1 pending award (menteo award records them):" in output


def test_no_badges_writes_no_ledger(tmp_path: Path, runner: CliRunner) -> None:
    root = make_community(tmp_path)
    assert run(runner, "award", root) == (0, "No pending awards; nothing recorded.\n")
    assert not (root / LEDGER).exists()


# ------------------------------------------------------------------ tampering


def edit(line: str, **changes: Any) -> str:
    """`line` with fields changed, still written the way menteo writes lines."""
    data = json.loads(line)
    data.update(changes)
    return dump(data)


def without(line: str, key: str) -> str:
    data = json.loads(line)
    del data[key]
    return dump(data)


def revoke(lines: list[str], award: str) -> list[str]:
    revocation = chained(lines, event="revoke", award=award, reason="A mistake", recorded=RECORDED)
    return [*lines, revocation]


def text_of(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


OTHER = GRATEFUL_ID[:-1] + ("0" if GRATEFUL_ID[-1] != "0" else "1")
UNKNOWN = uuid5_urn("grateful", "nobody", "2025-02-10")
FORMAT = ", ".join(KEYS)


def _prev(line: int) -> str:
    return (
        f"ledger/awards.jsonl:{line}: prev: does not match the line before: an earlier line was "
        f"edited, removed or moved {RESTORE}"
    )


def _gap(line: int) -> str:
    return (
        f"ledger/awards.jsonl:{line}: line {line} is missing or was removed: this line is number "
        f"{line + 1} and its prev does not match the line before {RESTORE}"
    )


def _seq(line: int, was: int) -> str:
    return f"ledger/awards.jsonl:{line}: seq: is {was} on line {line}: lines were removed or moved {RESTORE}"


TAMPERED: dict[str, tuple[Callable[[list[str]], str], list[str]]] = {
    "earlier line's recipient edited": (
        lambda lines: text_of([edit(lines[0], recipient="bo-chen"), *lines[1:]]),
        [_prev(2)],
    ),
    "last line's status_index edited": (
        lambda lines: text_of([*lines[:2], edit(lines[2], status_index=100378)]),
        [f"ledger/awards.jsonl:3: status_index: should be 100377, the next free index {RESTORE}"],
    ),
    "last line's id edited": (
        lambda lines: text_of([*lines[:2], edit(lines[2], id=OTHER)]),
        [
            f"ledger/awards.jsonl:3: status_index: should be {index_of(OTHER)}, "
            f"the next free index {RESTORE}"
        ],
    ),
    "last line's id not a uuid5": (
        lambda lines: text_of([*lines[:2], edit(lines[2], id=str(uuid.UUID(int=7).urn))]),
        [
            f"ledger/awards.jsonl:3: id: 'urn:uuid:00000000-0000-0000-0000-000000000007' is not "
            f"a valid id {RESTORE}",
        ],
    ),
    "middle line deleted": (
        lambda lines: text_of([lines[0], lines[2]]),
        [_gap(2)],
    ),
    "two lines swapped": (
        lambda lines: text_of([lines[0], lines[2], lines[1]]),
        [_gap(2), _prev(3), _seq(3, 2)],
    ),
    "whitespace reformatted": (
        lambda lines: text_of([lines[0], json.dumps(json.loads(lines[1])), lines[2]]),
        [
            f"ledger/awards.jsonl:2: is not written the way menteo writes lines (edited by hand?) "
            f"{RESTORE}",
            _prev(3),
        ],
    ),
    "keys reordered": (
        lambda lines: text_of(
            [*lines[:2], dump(dict(sorted(json.loads(lines[2]).items(), reverse=True)))]
        ),
        [f"ledger/awards.jsonl:3: fields differ from the ledger format: {FORMAT} {RESTORE}"],
    ),
    "no newline after the last line": (
        lambda lines: text_of(lines)[:-1],
        [
            "ledger/awards.jsonl:3: the last line is incomplete (cut off by an interrupted write "
            f"or an edit) {RESTORE}"
        ],
    ),
    "half a last line": (
        lambda lines: text_of(lines[:2]) + lines[2][:100],
        [
            "ledger/awards.jsonl:3: the last line is incomplete (cut off by an interrupted write "
            f"or an edit) {RESTORE}"
        ],
    ),
    "a line that is not JSON": (
        lambda lines: text_of([lines[0], "award starter to ana-lima", lines[2]]),
        [f"ledger/awards.jsonl:2: not valid JSON (Expecting value) {RESTORE}", _prev(3)],
    ),
    "an empty line": (
        lambda lines: text_of([*lines, ""]),
        [f"ledger/awards.jsonl:4: not valid JSON (Expecting value) {RESTORE}"],
    ),
    "a line that is not an object": (
        lambda lines: text_of([*lines, "[1,2]"]),
        [f"ledger/awards.jsonl:4: not a JSON object {RESTORE}"],
    ),
    "unknown event": (
        lambda lines: text_of([*lines[:2], edit(lines[2], event="grant")]),
        [f"ledger/awards.jsonl:3: event: unknown event 'grant' {RESTORE}"],
    ),
    "extra key": (
        lambda lines: text_of([*lines[:2], edit(lines[2], note="by hand")]),
        [f"ledger/awards.jsonl:3: fields differ from the ledger format: {FORMAT} {RESTORE}"],
    ),
    "missing key": (
        lambda lines: text_of([*lines[:2], without(lines[2], "evidence")]),
        [f"ledger/awards.jsonl:3: fields differ from the ledger format: {FORMAT} {RESTORE}"],
    ),
    "revoke line with a missing key": (
        lambda lines: text_of([*lines, without(revoke(lines, GRATEFUL_ID)[-1], "reason")]),
        [
            "ledger/awards.jsonl:4: fields differ from the ledger format: "
            f"seq, event, award, reason, recorded, prev {RESTORE}"
        ],
    ),
    "revoking an unknown award": (
        lambda lines: text_of(revoke(lines, UNKNOWN)),
        [f"ledger/awards.jsonl:4: award: {UNKNOWN} is not an earlier award {RESTORE}"],
    ),
    "revoking before the award": (
        lambda lines: text_of(revoke(lines[:2], GRATEFUL_ID)),
        [f"ledger/awards.jsonl:3: award: {GRATEFUL_ID} is not an earlier award {RESTORE}"],
    ),
    "revoking twice": (
        lambda lines: text_of(revoke(revoke(lines, GRATEFUL_ID), GRATEFUL_ID)),
        [f"ledger/awards.jsonl:5: award: {GRATEFUL_ID} was already revoked on line 4 {RESTORE}"],
    ),
    "revoking with an empty reason": (
        lambda lines: text_of([*lines, edit(revoke(lines, GRATEFUL_ID)[-1], reason=" ")]),
        [f"ledger/awards.jsonl:4: reason: needs a reason of at most 500 characters {RESTORE}"],
    ),
    "an award recorded twice": (
        lambda lines: text_of(
            [*lines, chained(lines, **{**json.loads(lines[2]), "seq": 4, "status_index": 100378})]
        ),
        [
            f"ledger/awards.jsonl:4: badge: 'grateful' was already awarded to 'bo-chen' {RESTORE}",
            f"ledger/awards.jsonl:4: id: {GRATEFUL_ID} is recorded twice {RESTORE}",
        ],
    ),
    "a badge awarded twice to the same person": (
        lambda lines: text_of(
            [
                *lines,
                chained(
                    lines,
                    **{
                        **json.loads(lines[0]),
                        "seq": 4,
                        "id": uuid5_urn("starter", "ana-lima", "2025-01-11"),
                        "awarded": "2025-01-11",
                        "status_index": index_of(uuid5_urn("starter", "ana-lima", "2025-01-11")),
                    },
                ),
            ]
        ),
        [f"ledger/awards.jsonl:4: badge: 'starter' was already awarded to 'ana-lima' {RESTORE}"],
    ),
    "awarded after it was recorded": (
        lambda lines: text_of([*lines[:2], edit(lines[2], recorded="2025-02-09T23:59:59Z")]),
        [f"ledger/awards.jsonl:3: awarded: 2025-02-10 is after the day it was recorded {RESTORE}"],
    ),
    "recorded is not a real moment": (
        lambda lines: text_of([*lines[:2], edit(lines[2], recorded="2025-13-01T15:06:40Z")]),
        [
            "ledger/awards.jsonl:3: recorded: '2025-13-01T15:06:40Z' is not a valid recorded "
            f"{RESTORE}"
        ],
    ),
    "unknown evidence": (
        lambda lines: text_of([*lines[:2], edit(lines[2], evidence=["../../etc/passwd"])]),
        [f"ledger/awards.jsonl:3: evidence: is not a list of entry references {RESTORE}"],
    ),
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_tampering_is_found_by_parsing(case: str) -> None:
    tamper, expected = TAMPERED[case]
    with pytest.raises(ContentError) as caught:
        parse_ledger(tamper(LINES))
    assert [str(p) for p in caught.value.problems] == expected


def _failed(expected: list[str], action: str) -> str:
    noun = "problem" if len(expected) == 1 else "problems"
    return (
        "".join(f"{p}\n" for p in expected)
        + f"Error: {len(expected)} {noun} in 1 file; {action}.\n"
    )


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_tampering_stops_check_build_and_award(
    tmp_path: Path, runner: CliRunner, case: str
) -> None:
    tamper, expected = TAMPERED[case]
    root = community(tmp_path / "c")
    write_ledger(root, tamper(LINES))
    before = ledger_bytes(root)
    assert run(runner, "check", root) == (1, _failed(expected, CHECK_FAILED))
    out = tmp_path / "site"
    assert run(runner, "build", root, "--out", out) == (1, _failed(expected, "nothing was written"))
    assert not out.exists()
    assert run(runner, "award", root) == (1, _failed(expected, "nothing was recorded"))
    assert ledger_bytes(root) == before


def test_tampered_ledger_refuses_revoke(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    write_ledger(root, [edit(LINES[0], recipient="bo-chen"), *LINES[1:]])
    before = ledger_bytes(root)
    code, output = run(runner, "revoke", GRATEFUL_ID, root, "--reason", "A mistake")
    assert (code, output) == (1, _failed([_prev(2)], "nothing was recorded"))
    assert ledger_bytes(root) == before


def test_ledger_that_is_not_utf8_or_a_symlink(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path / "c")
    text = text_of(LINES).encode()
    byte = text.index(b"ana-lima") + 5
    write_ledger(root, LINES)
    (root / LEDGER).write_bytes(text[:byte] + b"\xef" + text[byte + 1 :])
    assert run(runner, "check", root) == (
        1,
        _failed(
            [f"ledger/awards.jsonl: not valid UTF-8 (byte {byte}) (restore it from git)"],
            CHECK_FAILED,
        ),
    )
    (tmp_path / "elsewhere.jsonl").write_text(text_of(LINES))
    (root / LEDGER).unlink()
    (root / LEDGER).symlink_to(tmp_path / "elsewhere.jsonl")
    assert run(runner, "check", root) == (
        1,
        _failed(["ledger/awards.jsonl: is a symbolic link (restore it from git)"], CHECK_FAILED),
    )


# ------------------------------------------------------------------ --against (git)


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def committed(repo: Path) -> None:
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "test@example.org")
    git(repo, "config", "user.name", "Test")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Awards")


REMOVED = (
    "ledger/awards.jsonl:3: line 3 of the ledger in HEAD was removed "
    "(restore it: git checkout HEAD -- ledger/awards.jsonl)"
)


@pytest.mark.parametrize("folder", ["", "community"])
def test_removed_trailing_line_is_found_against_git(
    tmp_path: Path, runner: CliRunner, folder: str
) -> None:
    """The chain cannot show that trailing lines were removed; the committed ledger can (also
    when the community is a folder of a larger repository)."""
    root = community(tmp_path / folder)
    write_ledger(root, LINES)
    committed(tmp_path)
    assert run(runner, "check", root, "--against", "HEAD")[0] == 0
    write_ledger(root, LINES[:2])
    assert run(runner, "check", root)[0] == 0
    assert run(runner, "check", root, "--against", "HEAD") == (1, _failed([REMOVED], CHECK_FAILED))
    (root / LEDGER).unlink()
    assert run(runner, "check", root, "--against", "HEAD") == (
        1,
        _failed(
            [
                "ledger/awards.jsonl:1: line 1 of the ledger in HEAD was removed "
                "(restore it: git checkout HEAD -- ledger/awards.jsonl)"
            ],
            CHECK_FAILED,
        ),
    )


def test_rewritten_line_is_found_against_git(tmp_path: Path, runner: CliRunner) -> None:
    """A removed last line recorded again (a valid chain, another timestamp) is still a change."""
    root = community(tmp_path)
    write_ledger(root, LINES)
    committed(tmp_path)
    write_ledger(root, LINES[:2])
    runner.env["SOURCE_DATE_EPOCH"] = str(int(EPOCH) + 1)
    assert run(runner, "award", root)[0] == 0
    assert run(runner, "check", root)[0] == 0
    assert run(runner, "check", root, "--against", "HEAD") == (
        1,
        _failed(
            [
                "ledger/awards.jsonl:3: differs from line 3 of the ledger in HEAD; recorded lines "
                "never change (restore it: git checkout HEAD -- ledger/awards.jsonl)"
            ],
            CHECK_FAILED,
        ),
    )


def test_last_line_edit_is_only_found_against_git(tmp_path: Path, runner: CliRunner) -> None:
    """No later line chains to the last one, and its id cannot be recomputed (the site's address
    may have changed since): an edit of its date passes the chain and is found only against the
    committed ledger."""
    root = community(tmp_path)
    write_ledger(root, LINES)
    committed(tmp_path)
    write_ledger(root, [*LINES[:2], edit(LINES[2], awarded="2025-02-09")])
    assert run(runner, "check", root)[0] == 0
    assert run(runner, "check", root, "--against", "HEAD") == (
        1,
        _failed(
            [
                "ledger/awards.jsonl:3: differs from line 3 of the ledger in HEAD; recorded lines "
                "never change (restore it: git checkout HEAD -- ledger/awards.jsonl)"
            ],
            CHECK_FAILED,
        ),
    )


def test_unchanged_or_appended_ledger_passes_against_git(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    write_ledger(root, LINES[:2])
    committed(tmp_path)
    assert run(runner, "check", root, "--against", "HEAD")[0] == 0
    assert run(runner, "award", root)[0] == 0
    assert run(runner, "revoke", STARTER_ID, root, "--reason", "A mistake")[0] == 0
    assert len(ledger_bytes(root).splitlines()) == 4
    assert run(runner, "check", root, "--against", "HEAD")[0] == 0


def test_ledger_new_since_the_revision_passes(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    committed(tmp_path)
    write_ledger(root, LINES)
    assert run(runner, "check", root, "--against", "HEAD")[0] == 0


def test_unknown_revision_is_a_usage_error(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    write_ledger(root, LINES)
    committed(tmp_path)
    code, output = run(runner, "check", root, "--against", "nosuchref")
    assert code == 2
    assert usage_error(output) == (
        f"Error: Invalid value for '--against': 'nosuchref' is not a git revision of "
        f"{root.resolve()}"
    )


# ------------------------------------------------------------------ atomic writes


def _boom(*args: object, **kwargs: object) -> None:
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("step", ["fsync", "replace"])
@pytest.mark.parametrize("existing", [0, 1])
def test_failed_write_leaves_the_ledger_as_it_was(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, step: str, existing: int
) -> None:
    root = community(tmp_path)
    if existing:
        write_ledger(root, LINES[:existing])
    else:
        (root / "ledger").mkdir()
    before = sorted((p.name, p.read_bytes()) for p in (root / "ledger").iterdir())
    with monkeypatch.context() as patched:
        patched.setattr(store.os, step, _boom)
        result = runner.invoke(main, ["award", str(root)])
    assert result.exit_code == 1
    assert result.output.endswith(
        "Error: cannot write ledger/awards.jsonl: No space left on device; nothing was recorded\n"
    )
    assert sorted((p.name, p.read_bytes()) for p in (root / "ledger").iterdir()) == before
    assert run(runner, "award", root)[0] == 0
    assert ledger_bytes(root).decode() == text_of(LINES)


def test_failed_revoke_leaves_the_ledger_as_it_was(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = community(tmp_path)
    write_ledger(root, LINES)
    monkeypatch.setattr(store.os, "replace", _boom)
    result = runner.invoke(main, ["revoke", STARTER_ID, str(root), "--reason", "A mistake"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: cannot write ledger/awards.jsonl: No space left on device; nothing was recorded\n",
    )
    assert os.listdir(root / "ledger") == ["awards.jsonl"]
    assert ledger_bytes(root).decode() == text_of(LINES)


# ------------------------------------------------------------------ concurrency


def _award_process(root: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.Popen(
        [sys.executable, "-m", "menteo", "award", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_concurrent_awards_record_each_award_once(tmp_path: Path) -> None:
    root = community(tmp_path)
    processes = [_award_process(root) for _ in range(3)]
    outputs = sorted(p.communicate(timeout=60) for p in processes)
    assert [p.returncode for p in processes] == [0, 0, 0]
    assert [err for _, err in outputs] == ["", "", ""]
    assert sorted(out.splitlines()[-1] for out, _ in outputs) == [
        "No pending awards; nothing recorded.",
        "No pending awards; nothing recorded.",
        "Recorded 3 awards in ledger/awards.jsonl.",
    ]
    assert ledger_bytes(root).decode() == text_of(LINES)
    assert os.listdir(root / "ledger") == ["awards.jsonl"]


def _waiting_for_lock(pid: int) -> bool:
    return any(
        line.split()[1] == "->" and str(pid) in line.split()
        for line in Path("/proc/locks").read_text().splitlines()
    )


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks")
def test_award_waits_for_the_lock_and_then_sees_the_new_lines(tmp_path: Path) -> None:
    root = community(tmp_path)
    lock = root / ".menteo/ledger.lock"
    lock.parent.mkdir()
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        process = _award_process(root)
        deadline = time.monotonic() + 30
        while not _waiting_for_lock(process.pid):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "menteo award never asked for the lock"
            time.sleep(0.02)
        write_ledger(root, LINES)  # what another `menteo award` holding the lock would write
        fcntl.flock(handle, fcntl.LOCK_UN)
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out, err) == (0, "No pending awards; nothing recorded.\n", "")
    assert ledger_bytes(root).decode() == text_of(LINES)


# ------------------------------------------------------------------ revoke


def test_revoke_appends_a_line(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    write_ledger(root, LINES)
    reason = "  Awarded\n by   mistake \t(désolé, “Bo”) "
    code, output = run(runner, "revoke", GRATEFUL_ID, root, "--reason", reason)
    assert (code, output) == (
        0,
        f"Revoked grateful for bo-chen ({GRATEFUL_ID}); the next build publishes it.\n",
    )
    revocation = (
        f'{{"seq":4,"event":"revoke","award":"{GRATEFUL_ID}",'
        f'"reason":"Awarded by mistake (désolé, “Bo”)",'
        f'"recorded":"{RECORDED}","prev":"{sha(LINES[2])}"}}'
    )
    assert ledger_bytes(root) == text_of([*LINES, revocation]).encode("utf-8")
    assert run(runner, "revoke", STEADY_ID, root, "--reason", "Also a mistake")[0] == 0
    last = json.loads(ledger_bytes(root).decode().splitlines()[-1])
    assert (last["seq"], last["prev"]) == (5, sha(revocation))
    ledger = parse_ledger(ledger_bytes(root).decode())
    assert ledger.revocations[GRATEFUL_ID].seq == 4
    assert ledger.revocations[GRATEFUL_ID].reason == "Awarded by mistake (désolé, “Bo”)"
    assert run(runner, "check", root) == (
        0,
        "All good: 1 mentor, 1 mentee, 1 thread, 2 entries, 1 roadmap, 1 community, 3 badges, "
        "3 awards, 2 revoked.\nNo pending awards.\n",
    )
    assert run(runner, "award", root) == (0, "No pending awards; nothing recorded.\n")


def test_revoke_unknown_award_suggests_the_closest(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    write_ledger(root, LINES)
    typo = GRATEFUL_ID[:-1] + "f"
    code, output = run(runner, "revoke", typo, root, "--reason", "A mistake")
    assert code == 2
    assert usage_error(output) == (
        f"Error: Invalid value for 'AWARD_ID': no award {typo} in ledger/awards.jsonl "
        f"(did you mean {GRATEFUL_ID}?)"
    )
    code, output = run(runner, "revoke", "grateful", root, "--reason", "A mistake")
    assert code == 2
    assert usage_error(output) == (
        "Error: Invalid value for 'AWARD_ID': no award grateful in ledger/awards.jsonl"
    )
    assert ledger_bytes(root).decode() == text_of(LINES)


def test_revoke_twice_is_refused(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    write_ledger(root, LINES)
    assert run(runner, "revoke", STEADY_ID, root, "--reason", "A mistake")[0] == 0
    before = ledger_bytes(root)
    code, output = run(runner, "revoke", STEADY_ID, root, "--reason", "Again")
    assert code == 2
    assert usage_error(output) == (
        f"Error: Invalid value for 'AWARD_ID': {STEADY_ID} was already revoked on line 4"
    )
    assert ledger_bytes(root) == before


@pytest.mark.parametrize("reason", ["", "  \n ", "Ask me at ana@example.org", "x" * 501], ids=repr)
def test_revoke_needs_a_public_reason(tmp_path: Path, runner: CliRunner, reason: str) -> None:
    root = community(tmp_path)
    write_ledger(root, LINES)
    code, output = run(runner, "revoke", STEADY_ID, root, "--reason", reason)
    assert code == 2
    assert usage_error(output) == (
        "Error: Invalid value for '--reason': give one line of at most 500 characters, "
        "without an email address or control characters"
    )
    assert ledger_bytes(root).decode() == text_of(LINES)
    assert not (root / ".menteo").exists()


def test_revoked_award_and_tiers_above_it_are_not_pending(
    tmp_path: Path, runner: CliRunner
) -> None:
    root = community(tmp_path)
    write_ledger(root, LINES[:1])
    assert run(runner, "revoke", STARTER_ID, root, "--reason", "Not a real session")[0] == 0
    code, output = run(runner, "check", root)
    assert (code, output) == (
        0,
        "All good: 1 mentor, 1 mentee, 1 thread, 2 entries, 1 roadmap, 1 community, 3 badges, "
        "1 award, 1 revoked.\n"
        "\n"
        "1 pending award (menteo award records them):\n"
        "  + Grateful for bo-chen, first met 2025-02-10\n"
        "      ✓ At least 1 feedback response given: 1 feedback response\n"
        "      completed by content/threads/ana-lima--bo-chen/2025-02-10-thanks.md\n",
    )
    assert run(runner, "award", root) == (
        0,
        f"Awarded Grateful to bo-chen (2025-02-10): {GRATEFUL_ID}\n"
        "Recorded 1 award in ledger/awards.jsonl.\n",
    )
    ledger = parse_ledger(ledger_bytes(root).decode())
    assert list(ledger.awards) == [STARTER_ID, GRATEFUL_ID]
    assert ledger.awards[GRATEFUL_ID].seq == 3
    assert run(runner, "award", root) == (0, "No pending awards; nothing recorded.\n")


# ------------------------------------------------------------------ check: warnings, pending


def test_pending_awards_are_information_not_failure(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    assert run(runner, "check", root) == (
        0,
        "All good: 1 mentor, 1 mentee, 1 thread, 2 entries, 1 roadmap, 1 community, 3 badges, "
        "0 awards, 0 revoked.\n"
        "\n"
        "3 pending awards (menteo award records them):\n"
        "  + Starter for ana-lima, first met 2025-01-10\n"
        "      ✓ At least 1 session: 1 session\n"
        "      completed by content/threads/ana-lima--bo-chen/2025-01-10-kickoff.md\n"
        "  + Steady for ana-lima, first met 2025-01-10\n"
        "      ✓ Holds the Starter badge: holds Starter\n"
        "      ✓ At least 1 mentee with a session: 1 mentee\n"
        "      completed by content/threads/ana-lima--bo-chen/2025-01-10-kickoff.md\n"
        "  + Grateful for bo-chen, first met 2025-02-10\n"
        "      ✓ At least 1 feedback response given: 1 feedback response\n"
        "      completed by content/threads/ana-lima--bo-chen/2025-02-10-thanks.md\n",
    )
    assert not (root / "ledger").exists()
    assert not (root / ".menteo").exists()


def test_award_no_longer_met_stays_and_warns(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path, {"badges/starter.yaml": STARTER.replace("{min: 1}", "{min: 2}")})
    write_ledger(root, LINES)
    code, output = run(runner, "check", root)
    assert (code, output) == (
        0,
        "All good: 1 mentor, 1 mentee, 1 thread, 2 entries, 1 roadmap, 1 community, 3 badges, "
        "3 awards, 0 revoked.\n"
        "No pending awards.\n"
        "\n"
        "Warnings (2):\n"
        "  ledger/awards.jsonl:1: starter for ana-lima no longer meets today's criteria "
        "(At least 2 sessions) (it stays awarded; if it was a mistake: "
        f"menteo revoke {STARTER_ID} --reason …)\n"
        "  ledger/awards.jsonl:2: steady for ana-lima no longer meets today's criteria "
        "(Holds the Starter badge) (it stays awarded; if it was a mistake: "
        f"menteo revoke {STEADY_ID} --reason …)\n",
    )
    assert run(runner, "award", root) == (0, "No pending awards; nothing recorded.\n")
    assert ledger_bytes(root).decode() == text_of(LINES)
    assert run(runner, "revoke", STEADY_ID, root, "--reason", "Criteria changed")[0] == 0
    code, output = run(runner, "check", root)
    assert code == 0
    assert "Warnings (1):\n  ledger/awards.jsonl:1: starter for ana-lima" in output


def test_award_of_a_deleted_badge_fails_until_restored_or_revoked(
    tmp_path: Path, runner: CliRunner
) -> None:
    root = community(tmp_path, {"badges/grateful.yaml": None})
    write_ledger(root, LINES)
    expected = [
        "ledger/awards.jsonl:3: badge: awards 'grateful', which is no longer defined "
        "(restore badges/grateful.yaml, or revoke the award: "
        f"menteo revoke {GRATEFUL_ID} --reason …)"
    ]
    assert run(runner, "check", root) == (1, _failed(expected, CHECK_FAILED))
    assert run(runner, "award", root) == (1, _failed(expected, "nothing was recorded"))
    assert run(runner, "revoke", GRATEFUL_ID, root, "--reason", "Badge retired")[0] == 0
    code, output = run(runner, "check", root)
    assert code == 0
    assert output.startswith("All good: ") and "2 badges, 3 awards, 1 revoked." in output


def test_check_writes_nothing(tmp_path: Path, runner: CliRunner) -> None:
    root = community(tmp_path)
    write_ledger(root, LINES[:1])
    before = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
    assert run(runner, "check", root, "--format", "json")[0] == 0
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*")) == before


def test_bad_source_date_epoch_and_option_like_revision_are_usage_errors(
    tmp_path: Path, runner: CliRunner
) -> None:
    root = community(tmp_path)
    result = runner.invoke(main, ["award", str(root)], env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH='yesterday' is not a whole number of seconds" in result.output
    result = runner.invoke(main, ["check", str(root), "--against", "--output=/tmp/x"])
    assert result.exit_code == 2
    assert "is not a git revision (it would be read as an option)" in result.output
