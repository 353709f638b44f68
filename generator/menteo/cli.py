"""The `menteo` command: the group and its commands, one module each in `menteo.commands`.

Exit codes: 0 success, 1 content problems, 2 usage errors (click's convention).
"""

from __future__ import annotations

import importlib

import click

COMMANDS = {
    "build": "build",
    "check": "check",
    "award": "award",
    "revoke": "revoke",
    "explain": "explain",
    "serve": "serve",
    "schema": "schema",
    "verify": "verify",
    "report": "report",
    "newsletter": "newsletter",
    "keys": "keys",
    "intake": "intake",
    "new": "new",
    "hash-email": "hash_email",
    "match": "match",
}
"""Command name → its module in `menteo.commands`, whose attribute of the same name is the command."""


class LazyGroup(click.Group):
    """A group that imports a command's module only when that command runs (or help lists it):
    the modules pull in most of the package and its libraries, ~0.3 s of every start-up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        command = getattr(importlib.import_module(f"menteo.commands.{module}"), module)
        assert isinstance(command, click.Command)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except (
            click.exceptions.NoSuchCommand
        ) as exc:  # suggest among every name, not the loaded ones
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=list(COMMANDS), ctx=ctx
            ) from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="menteo")
def main() -> None:
    """Build a mentorship community's recognition site from its git repository.

    \b
    Examples:
      menteo check                  validate the community in this folder
      menteo award && menteo build  record new awards, then build _site/
      menteo build --help           every command has its own help and examples
    """
