"""The command layout: `menteo.cli` only wires commands, each defined in its own module of
`menteo.commands`, and `menteo --help` shows every one of them."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from types import ModuleType

import click
from click.testing import CliRunner

import menteo.commands
from menteo.cli import main

HELPERS = {"common"}
"""Modules of `menteo.commands` that hold what several commands share, and no command."""


def _modules() -> dict[str, ModuleType]:
    names = [m.name for m in pkgutil.iter_modules(menteo.commands.__path__)]
    return {name: importlib.import_module(f"menteo.commands.{name}") for name in names}


def _top_level_commands(module: ModuleType) -> list[click.Command]:
    """The commands a module defines that are not a subcommand of a group it also defines."""
    defined = [
        value
        for value in vars(module).values()
        if isinstance(value, click.Command)
        and getattr(value.callback, "__module__", None) == module.__name__
    ]
    nested = {
        id(sub)
        for group in defined
        if isinstance(group, click.Group)
        for sub in group.commands.values()
    }
    return [command for command in defined if id(command) not in nested]


def _listed(help_text: str) -> list[str]:
    """The command names in the Commands section of a group's help."""
    section = help_text.split("\nCommands:\n", 1)[1]
    return [line.split()[0] for line in section.splitlines() if line.startswith("  ")]


COMMAND_NAMES = main.list_commands(click.Context(main))
"""The group loads a command's module when it runs (tests/test_lazy_imports.py): its names."""


def test_every_command_module_registers_exactly_one_command() -> None:
    modules = _modules()
    assert modules.keys() >= HELPERS
    registered = []
    for name, module in sorted(modules.items()):
        commands = _top_level_commands(module)
        if name in HELPERS:
            assert commands == [], name
            continue
        assert len(commands) == 1, (name, [c.name for c in commands])
        (command,) = commands
        assert main.get_command(click.Context(main), command.name or "") is command, name
        registered.append(command.name)
    # ...and every command of `menteo` comes from such a module, none from cli.py itself.
    assert sorted(registered) == COMMAND_NAMES


def test_help_lists_every_command_in_order() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert _listed(result.output) == COMMAND_NAMES
    assert len(COMMAND_NAMES) == len(_modules()) - len(HELPERS)


def test_python_dash_m_runs_the_same_group() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "menteo", "--help"], capture_output=True, text=True, check=True
    )
    assert _listed(result.stdout) == COMMAND_NAMES
