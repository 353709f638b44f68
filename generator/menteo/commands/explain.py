"""`menteo explain`: why each badge is or is not earned by one person."""

from __future__ import annotations

from pathlib import Path

import click

from menteo.commands.common import DIRECTORY, load_reviewed
from menteo.escaping import visible
from menteo.ledger.explanation import explain as explain_person
from menteo.reporters import TextReporter
from menteo.suggest import did_you_mean, in_parentheses


@click.command()
@click.argument("person")
@DIRECTORY
@click.option("--badge", metavar="SLUG", help="Only this badge.")
def explain(person: str, directory: Path, badge: str | None) -> None:
    """Why each badge is or is not earned by PERSON (a mentor or mentee slug).

    \b
    Examples:
      menteo explain amara-okafor
      menteo explain amara-okafor --badge rising-star
    """
    community, reviewed = load_reviewed(directory, TextReporter(), "fix them first")
    roles = [role for role in ("mentor", "mentee") if person in community.people(role)]
    if not roles:
        everyone = [*community.mentors, *community.mentees]
        hint = in_parentheses(did_you_mean(person, everyone))
        raise click.BadParameter(f"no mentor or mentee {person!r}{hint}", param_hint="'PERSON'")
    if badge is not None and badge not in community.badges:
        hint = in_parentheses(did_you_mean(badge, community.badges))
        raise click.BadParameter(f"no badge {badge!r}{hint}", param_hint="'--badge'")
    for index, role in enumerate(roles):
        if index:
            click.echo()
        click.echo(
            "\n".join(map(visible, explain_person(community, reviewed, role, person, badge)))
        )
