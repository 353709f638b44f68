"""Reading and writing `ledger/awards.jsonl`: under a lock, verified again before every write,
replaced atomically, so concurrent or interrupted runs never lose or damage a line."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from menteo.errors import ContentError, Problem
from menteo.ledger.records import EMPTY, LEDGER_FILE, Ledger, extends, parse_ledger

LOCK_FILE = ".menteo/ledger.lock"


class UsageError(ValueError):
    """A bad git revision or environment setting: the caller's mistake, not the content's."""


def read_text(root: Path) -> str:
    path = root / LEDGER_FILE
    if path.is_symlink():
        raise ContentError(
            [Problem(LEDGER_FILE, 0, "", "is a symbolic link", "restore it from git")]
        )
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return ""
    except UnicodeDecodeError as exc:
        raise ContentError(
            [
                Problem(
                    LEDGER_FILE, 0, "", f"not valid UTF-8 (byte {exc.start})", "restore it from git"
                )
            ]
        ) from None


def read_ledger(root: Path, against: str | None = None) -> Ledger:
    """The verified ledger; with `against` (a git revision), also verified to extend the
    ledger committed there, which is how removed trailing lines are noticed."""
    text = read_text(root)
    ledger = parse_ledger(text) if text else EMPTY
    if against is not None:
        problems = extends(text_at(root, against), ledger.lines, against)
        if problems:
            raise ContentError(problems)
    return ledger


def recorded_now() -> str:
    """When a line is recorded: now, or `SOURCE_DATE_EPOCH` for reproducible runs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and not epoch.isdigit():
        raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the ledger's lock: a second `menteo award` waits, then sees the first one's lines."""
    lock = root / LOCK_FILE
    lock.parent.mkdir(parents=True, exist_ok=True)
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
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    text = "".join(line + "\n" for line in (*ledger.lines, *lines))
    try:
        with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def text_at(root: Path, ref: str) -> str:
    """The ledger as committed at git `ref` (empty if it did not exist there)."""
    if ref.startswith("-"):
        raise UsageError(f"{ref!r} is not a git revision (it would be read as an option)")
    result = subprocess.run(
        ["git", "-C", str(root), "show", f"{ref}:./{LEDGER_FILE}"],
        capture_output=True,
        check=False,
    )
    if result.returncode == 0:
        return result.stdout.decode("utf-8", errors="replace")
    known = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    if known.returncode != 0:
        raise UsageError(f"{ref!r} is not a git revision of {root}")
    return ""
