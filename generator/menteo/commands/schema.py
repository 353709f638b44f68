"""`menteo schema`: the JSON Schema of each kind of content file."""

from __future__ import annotations

from pathlib import Path

import click

from menteo.commands.common import checked_base_url
from menteo.content.schema import KINDS, schema_text


@click.command()
@click.argument("kind", required=False, type=click.Choice(sorted(KINDS)))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every schema into this folder as <kind>.schema.json.",
)
@click.option(
    "--base-url",
    callback=checked_base_url,
    help="The site's address: each schema gets the $id the built site publishes it at "
    "(<base-url>schemas/<kind>.schema.json). Without it there is no $id.",
)
def schema(kind: str | None, out: Path | None, base_url: str | None) -> None:
    """Print the JSON Schema of one kind of content file, or write them all with --out.

    \b
    Examples:
      menteo schema badge
      menteo schema --out schemas/ --base-url https://example.org/community/
    """
    if (kind is None) == (out is None):
        raise click.UsageError("give a KIND to print, or --out DIR to write them all")
    if kind is not None:
        click.echo(schema_text(kind, base_url), nl=False)
        return
    assert out is not None
    out.mkdir(parents=True, exist_ok=True)
    for name in sorted(KINDS):
        (out / f"{name}.schema.json").write_text(schema_text(name, base_url), encoding="utf-8")
    click.echo(f"Wrote {len(KINDS)} schemas into {out}.")
