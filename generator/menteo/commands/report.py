"""`menteo report`: the program-health figures, as Markdown or JSON."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from menteo.commands.common import DATE, DIRECTORY, load_reviewed
from menteo.reporters import TextReporter


@click.command()
@DIRECTORY
@click.option("--since", type=DATE, help="Only entries and awards from DATE.")
@click.option("--as-of", type=DATE, help="The report date.  [default: today]")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
def report(directory: Path, since: dt.datetime | None, as_of: dt.datetime | None, fmt: str) -> None:
    """Program-health figures of DIRECTORY, with the pairs needing a check-in or feedback.

    \b
    Examples:
      menteo report
      menteo report --since 2025-01-01 --format json
    """
    from menteo.program.figures import program_figures
    from menteo.program_report import to_json, to_markdown
    from menteo.site.dashboard import dashboard_view

    community, reviewed = load_reviewed(directory, TextReporter(), "fix them first")
    day = as_of.date() if as_of else dt.date.today()
    figures = program_figures(community, reviewed.ledger, day, since.date() if since else None)
    shown = dashboard_view(figures)
    click.echo(to_json(shown) if fmt == "json" else to_markdown(shown), nl=False)
