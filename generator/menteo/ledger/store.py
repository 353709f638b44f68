"""Reading and writing `ledger/awards.jsonl`: under a lock, verified again before every write,
replaced atomically, so concurrent or interrupted runs never lose or damage a line."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from menteo.atomic_output import atomic_write
from menteo.content.files import read_regular
from menteo.errors import ContentError, Problem
from menteo.git import Change, UsageError, changed_files, refuse_option, repository
from menteo.ledger.records import EMPTY, LEDGER_FILE, Ledger, extends, parse_ledger
from menteo.private_state import check_private_paths

LOCK_FILE = ".menteo/ledger.lock"
PEOPLE = ("content/mentors/", "content/mentees/")


MAX_LEDGER_BYTES = 64 * 1024 * 1024
"""Far above real use (10,000 awards take about 4 MB), low enough that a hostile file cannot
exhaust a CI runner's memory."""


def _unreadable(message: str) -> ContentError:
    return ContentError([Problem(LEDGER_FILE, 0, "", message, "restore it from git")])


def read_text(root: Path) -> str:
    """The ledger's text; a `ContentError` for anything but a regular UTF-8 file of at most
    `MAX_LEDGER_BYTES` inside the community (a pull request may commit a symbolic link, a folder
    or a huge file in its place)."""
    path = root / LEDGER_FILE
    if path.parent.is_symlink() or path.is_symlink():
        raise _unreadable("is a symbolic link")
    if not path.exists():
        return ""
    data = read_regular(path, LEDGER_FILE, MAX_LEDGER_BYTES, "restore it from git")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _unreadable(f"not valid UTF-8 (byte {exc.start})") from None


def read_ledger(root: Path) -> Ledger:
    """The verified ledger."""
    text = read_text(root)
    return parse_ledger(text) if text else EMPTY


@dataclass(frozen=True)
class Base:
    """What a pull request is compared with: the ledger and files at a git revision."""

    ref: str
    ledger: Ledger
    changed: tuple[Change, ...]
    people_before: dict[str, str] = field(default_factory=dict)
    """The text at `ref` of each person file changed in place (path → text)."""


def read_base(root: Path, ref: str, current: Ledger) -> Base:
    """The ledger committed at `ref`, verified to be a prefix of `current` (the one way to
    notice removed trailing lines, which the chain alone cannot show), and every file changed
    since `ref`; `UsageError` for a bad revision."""
    refuse_option(ref)
    repo = repository(root)
    commit = repo.commit(ref)
    shown = repo.run("cat-file", "blob", f"{commit}:./{LEDGER_FILE}")
    text = shown.stdout.decode("utf-8", errors="replace") if shown.returncode == 0 else ""
    problems = extends(text, current.lines, ref)
    if problems:
        raise ContentError(problems)
    changed = changed_files(repo, commit)
    before = {}
    for change in changed:
        if change.status == "modified" and change.path.startswith(PEOPLE):
            blob = repo.run("cat-file", "blob", f"{commit}:./{change.path}")
            if blob.returncode == 0:
                before[change.path] = blob.stdout.decode("utf-8", errors="replace")
    return Base(ref, parse_ledger(text) if text else EMPTY, changed, before)


def recorded_now() -> str:
    """When a line is recorded: now, or `SOURCE_DATE_EPOCH` for reproducible runs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and not epoch.isdigit():
        raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the ledger's lock: a second `menteo award` waits, then sees the first one's lines.
    `PrivateStateError` if `.menteo` is a link or tracked (a pull request could have put it)."""
    lock = root / LOCK_FILE
    check_private_paths(root, [Path(LOCK_FILE)])  # a committed `.menteo` link must not be followed
    if not lock.parent.exists():
        lock.parent.mkdir(parents=True, exist_ok=True)  # two runs may start at once
        # Local state, never committed: not a change for `check --against` to list.
        (lock.parent / ".gitignore").write_text("*\n", encoding="utf-8")
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def append(root: Path, ledger: Ledger, lines: Sequence[str]) -> None:
    """Write `ledger` plus `lines` to a temporary file, flush it to disk, then rename it over the
    ledger: a crash leaves either the old file or the new one, never half a line."""
    path = root / LEDGER_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(line + "\n" for line in (*ledger.lines, *lines))
    atomic_write(path, text.encode("utf-8"))
