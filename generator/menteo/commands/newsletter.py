"""`menteo newsletter`: a digest of a period's awards, milestones and outcomes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from menteo.commands.common import DATE, DIRECTORY, load_reviewed
from menteo.errors import ContentError
from menteo.reporters import TextReporter


@click.command()
@DIRECTORY
@click.option("--since", type=DATE, required=True, help="The first day of the period.")
@click.option(
    "--as-of", type=DATE, help="The last day.  [default: the latest published entry or award]"
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the digest.  [default: DIRECTORY/_newsletter]",
)
def newsletter(
    directory: Path, since: dt.datetime, as_of: dt.datetime | None, out: Path | None
) -> None:
    """A digest of the new awards, milestones and outcomes, as Markdown and as email HTML.

    \b
    Examples:
      menteo newsletter --since 2025-09-01
      menteo newsletter --since 2025-09-01 --as-of 2025-09-30 --out digest/
    """
    from menteo.newsletter import digest, write_newsletter

    if as_of is not None and as_of < since:
        raise click.BadParameter("is before --since", param_hint="'--as-of'")
    community, reviewed = load_reviewed(directory, TextReporter(), "nothing was written")
    news = digest(community, reviewed, since.date(), as_of.date() if as_of else None)
    try:
        paths = write_newsletter(community, news, out or directory / "_newsletter")
    except ContentError as exc:
        TextReporter().problems(exc.problems, "nothing was written")
        raise SystemExit(1) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write the digest: {exc.strerror or exc}") from None
    for path in paths:
        click.echo(path)
    click.echo(news.summary)
