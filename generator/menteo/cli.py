"""The `menteo` command: the group and its commands, one module each in `menteo.commands`.

Exit codes: 0 success, 1 content problems, 2 usage errors (click's convention).
"""

from __future__ import annotations

import click

from menteo.commands.award import award
from menteo.commands.build import build
from menteo.commands.check import check
from menteo.commands.explain import explain
from menteo.commands.hash_email import hash_email
from menteo.commands.intake import intake
from menteo.commands.keys import keys
from menteo.commands.match import match
from menteo.commands.new import new
from menteo.commands.newsletter import newsletter
from menteo.commands.report import report
from menteo.commands.revoke import revoke
from menteo.commands.schema import schema
from menteo.commands.serve import serve
from menteo.commands.verify import verify


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="menteo")
def main() -> None:
    """Build a mentorship community's recognition site from its git repository.

    \b
    Examples:
      menteo check                  validate the community in this folder
      menteo award && menteo build  record new awards, then build _site/
      menteo build --help           every command has its own help and examples
    """


main.add_command(build)
main.add_command(check)
main.add_command(award)
main.add_command(revoke)
main.add_command(explain)
main.add_command(serve)
main.add_command(schema)
main.add_command(verify)
main.add_command(report)
main.add_command(newsletter)
main.add_command(keys)
main.add_command(intake)
main.add_command(new)
main.add_command(hash_email)
main.add_command(match)
