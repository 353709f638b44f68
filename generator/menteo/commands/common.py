"""What several commands share: their options, and loading the community or writing the ledger
with every failure turned into a report and an exit code (1 content problems, 2 usage errors)
instead of a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click
from pydantic import TypeAdapter, ValidationError

from menteo.content.community import CommunityData
from menteo.content.loader import LoadMemo
from menteo.content.models import BaseUrl
from menteo.content.parse_store import load_remembered
from menteo.errors import ContentError
from menteo.git import UsageError
from menteo.ledger.records import LEDGER_FILE, Ledger
from menteo.ledger.review import Review, review
from menteo.ledger.store import append, locked, read_ledger, recorded_now
from menteo.private_state import PrivateStateError
from menteo.reporters import Reporter

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output for people (text) or machines (json).",
)
QUIET = click.option(
    "-q", "--quiet", is_flag=True, help="Print only errors: no warnings, no success line."
)
DATE = click.DateTime(["%Y-%m-%d"])
"""A calendar day (YYYY-MM-DD); anything else is a usage error (exit 2)."""
DIRECTORY = click.argument(
    "directory",
    required=False,
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)


def checked_base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """The same rule as base_url in menteo.yml, reported as the option it came from."""
    if value is None:
        return None
    try:
        return TypeAdapter(BaseUrl).validate_python(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise click.BadParameter(f"{error['msg']} ({error['ctx']['hint']})") from None


def load_reviewed(directory: Path, reporter: Reporter, action: str) -> tuple[CommunityData, Review]:
    """Load, evaluate and relate to the ledger, or report every problem and exit 1."""
    try:
        community = load_remembered(directory, None, LoadMemo(), keep=False)  # writes nothing
        ledger = read_ledger(community.root)
        return community, review(community, ledger)
    except ContentError as exc:
        reporter.problems(exc.problems, action)
        raise SystemExit(1) from None
    except OSError as exc:  # e.g. a file that vanished or became unreadable while being read
        raise click.ClickException(f"cannot read {exc.filename}: {exc.strerror or exc}") from None


def now() -> str:
    try:
        return recorded_now()
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None


@contextmanager
def ledger_lock(directory: Path) -> Iterator[None]:
    """The ledger's lock, or one line saying why `.menteo/` cannot be trusted to hold it."""
    with ExitStack() as stack:
        try:
            stack.enter_context(locked(directory.resolve()))
        except PrivateStateError as exc:
            raise click.ClickException(f"{exc}; nothing was recorded") from None
        yield


def append_lines(root: Path, ledger: Ledger, lines: list[str]) -> None:
    """Write, or say why not in one line (a full disk is not a bug to show a traceback for)."""
    try:
        append(root, ledger, lines)
    except OSError as exc:
        raise click.ClickException(
            f"cannot write {LEDGER_FILE}: {exc.strerror or exc}; nothing was recorded"
        ) from None
