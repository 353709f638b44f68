"""`menteo verify`: check every credential and baked image of a built site, offline."""

from __future__ import annotations

from pathlib import Path

import click

from menteo.escaping import visible


@click.command()
@click.argument(
    "site",
    required=False,
    default="_site",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--extends",
    "earlier",
    metavar="EARLIER",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Also check that the site's signed ledger extends the one in EARLIER (an earlier "
    "build, or a copy of its ledger/awards.json and ledger/checkpoint.json).",
)
def verify(site: Path, earlier: Path | None) -> None:
    """Verify every credential and baked image in a built SITE (default _site), offline.

    \b
    Examples:
      menteo build && menteo verify
      menteo verify _site --extends previous-site/
    """
    from menteo.credentials.verify import verify_extends, verify_site

    if not (site / "ob2/issuer.json").is_file():
        raise click.BadParameter(f"{site} is not a site built by menteo", param_hint="'SITE'")
    counts: dict[str, int] = {"ok": 0, "revoked": 0, "failed": 0}
    extended = [] if earlier is None else [verify_extends(site, earlier)]
    for outcome in [*verify_site(site), *extended]:
        counts[outcome.status] += 1
        detail = f": {outcome.detail}" if outcome.detail else ""
        click.echo(visible(f"{outcome.status:8} {outcome.path}{detail}"))
    summary = f"{counts['ok']} valid, {counts['revoked']} revoked, {counts['failed']} failed."
    if counts["failed"]:
        click.echo(f"Error: {summary}", err=True)
        raise SystemExit(1)
    click.echo(summary)
