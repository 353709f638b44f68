"""`menteo hash-email`: the opt-in email identity, computed on the recipient's own machine.

Wallets that sign people in by email (Badgr, Canvas Credentials, Open Educational Badges) accept
a badge whose recipient is the salted SHA-256 of that address. The address itself must never be
published or stored, so it is read from a hidden prompt or stdin (never argv: shell history),
hashed here (`credentials.email_identity`), and only the hash and salt are printed; nothing is
written anywhere.
"""

from __future__ import annotations

import re
import secrets
import sys

import click

from menteo.content.models import SALT_PATTERN
from menteo.content.visible_text import EMAIL_RE
from menteo.credentials.email_identity import identity_yaml, normalised


def _salt(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    if value is None:
        return secrets.token_hex(16)
    if not re.fullmatch(SALT_PATTERN, value):
        raise click.BadParameter("use 8 to 64 letters, digits, - or _")
    return value


def _no_address_here(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        raise click.UsageError(
            "the address is never taken from the command line (it would stay in your shell "
            "history); run `menteo hash-email` and type it at the prompt, or pipe it in"
        )


def _read_address() -> str:
    if sys.stdin.isatty():
        return str(
            click.prompt(
                "Email address (not shown, not stored)",
                hide_input=True,
                confirmation_prompt="Again, to be sure",
                err=True,
            )
        )
    return sys.stdin.readline()


@click.command("hash-email")
@click.option(
    "--salt",
    metavar="SALT",
    callback=_salt,
    help="Salt to hash with (8 to 64 letters, digits, - or _); by default a new random one.",
)
@click.option("--email", hidden=True, expose_value=False, callback=_no_address_here)
@click.argument("address", required=False, expose_value=False, callback=_no_address_here)
def hash_email(salt: str) -> None:
    """Print the lines that let wallets which sign you in by email accept your badges: the
    salted SHA-256 of your address, to paste under your mentor or mentee file's `identity`.
    The address is read from a hidden prompt (or stdin), lowercased, hashed and forgotten:
    it is not printed, written or sent anywhere, and the hash is all the site publishes.

    \b
    Examples:
      menteo hash-email                                  type the address at the prompt
      menteo hash-email --salt k3Qx9vTmWb < address.txt  read it from a file
    """
    address = _read_address()
    if not EMAIL_RE.fullmatch(normalised(address)):
        raise click.UsageError("that is not an email address (it is not shown here)")
    click.echo(identity_yaml(address, salt), nl=False)
    click.echo(
        "Paste these lines into your file under content/ (merge them with an existing "
        "identity: mapping); the address itself was not stored.",
        err=True,
    )
