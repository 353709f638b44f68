"""`menteo revoke`: record that an award is revoked, with a public reason."""

from __future__ import annotations

from pathlib import Path

import click

from menteo.commands.common import DIRECTORY, append_lines, ledger_lock, now
from menteo.content.loader import load_community
from menteo.errors import ContentError
from menteo.ledger.records import LEDGER_FILE, MAX_REASON, reason_problem
from menteo.ledger.review import named_without_consent, revocation_line
from menteo.ledger.store import read_ledger
from menteo.reporters import TextReporter
from menteo.suggest import did_you_mean, in_parentheses


@click.command()
@click.argument("award_id", metavar="AWARD_ID")
@DIRECTORY
@click.option("--reason", required=True, help="Why, in one line; it is published.")
def revoke(award_id: str, directory: Path, reason: str) -> None:
    """Record that the award AWARD_ID is revoked, with a public reason.

    \b
    Examples:
      menteo revoke urn:uuid:… --reason "Sessions were logged twice."
      (the award's id is in ledger/awards.jsonl and on its page)
    """
    reason = " ".join(reason.split())
    if reason_problem(reason):
        raise click.BadParameter(
            f"give one line of at most {MAX_REASON} characters, without an email address "
            "or control characters",
            param_hint="'--reason'",
        )
    with ledger_lock(directory):
        try:
            named = named_without_consent(load_community(directory), reason)
            if named is not None:
                raise click.BadParameter(
                    f"names {named}, who has not consented to publication; it is published",
                    param_hint="'--reason'",
                )
            ledger = read_ledger(directory.resolve())
        except ContentError as exc:
            TextReporter().problems(exc.problems, "nothing was recorded")
            raise SystemExit(1) from None
        if award_id not in ledger.awards:
            hint = in_parentheses(did_you_mean(award_id, ledger.awards, quote=False))
            raise click.BadParameter(
                f"no award {award_id} in {LEDGER_FILE}{hint}", param_hint="'AWARD_ID'"
            )
        previous = ledger.revocations.get(award_id)
        if previous is not None:
            raise click.BadParameter(
                f"{award_id} was already revoked on line {previous.seq}", param_hint="'AWARD_ID'"
            )
        append_lines(
            directory.resolve(), ledger, [revocation_line(ledger, award_id, reason, now())]
        )
    award = ledger.awards[award_id]
    click.echo(
        f"Revoked {award.badge} for {award.recipient} ({award_id}); the next build publishes it."
    )
