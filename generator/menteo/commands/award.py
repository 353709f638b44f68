"""`menteo award`: record every pending award in the ledger."""

from __future__ import annotations

from pathlib import Path

import click

from menteo.commands.common import DIRECTORY, append_lines, ledger_lock, load_reviewed, now
from menteo.escaping import visible
from menteo.ledger.records import LEDGER_FILE
from menteo.ledger.review import record_lines
from menteo.reporters import TextReporter, noun


@click.command()
@DIRECTORY
def award(directory: Path) -> None:
    """Record every pending award of DIRECTORY in ledger/awards.jsonl.

    \b
    Examples:
      menteo check && menteo award  see what is pending, then record it
    """
    reporter = TextReporter()
    with ledger_lock(directory):
        community, reviewed = load_reviewed(directory, reporter, "nothing was recorded")
        recorded = now()
        # An award dated after the day it is recorded would make the ledger invalid: it waits.
        due = [p for p in reviewed.pending if p.awarded.isoformat() <= recorded[:10]]
        lines = record_lines(reviewed.ledger, due, recorded)
        if lines:
            append_lines(community.root, reviewed.ledger, lines)
    for pending in reviewed.pending:
        name = community.badges[pending.badge].model.name
        if pending in due:
            click.echo(
                visible(f"Awarded {name} to {pending.recipient} ({pending.awarded}): {pending.id}")
            )
        else:
            click.echo(
                visible(
                    f"Not yet recorded: {name} to {pending.recipient} is dated {pending.awarded}, "
                    f"after {recorded[:10]}; it stays pending."
                )
            )
    count = len(lines)
    click.echo(
        f"Recorded {count} {noun('awards', count)} in {LEDGER_FILE}."
        if count
        else "No pending awards; nothing recorded."
        if not reviewed.pending
        else "Nothing recorded."
    )
