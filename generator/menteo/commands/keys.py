"""`menteo keys generate|rotate|show|migrate`: make, replace and inspect the signing keys and
the key chain in keys/public.json that says which of them may sign.

Only public halves are ever printed; private keys are written owner-only and never echoed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import click

from menteo.commands.common import DIRECTORY
from menteo.credentials.key_chain import KeyChain, new_entry, read_key_chain, write_key_chain
from menteo.credentials.keys import (
    ED25519_ENV,
    ED25519_FILE,
    REGISTRY,
    RSA_ENV,
    RSA_FILE,
    KeysError,
    PublicKeys,
    SigningKeys,
    checked_key_directory,
    generate_keys,
    load_keys,
    read_flat_registry,
    read_key_directory,
    write_keys,
)
from menteo.errors import ContentError


def _today() -> str:
    """Key management is the one place the clock is allowed: `since` records a human act."""
    return dt.date.today().isoformat()


def _describe(keys: SigningKeys) -> list[str]:
    return [
        f"  Ed25519 (OB 3.0 Data Integrity): {keys.ed25519_multikey}",
        f"  RSA-{keys.rsa.key_size} (OB 2.0 JWS, VC-JWT) kid: {keys.rsa_kid}",
    ]


def _chain(directory: Path) -> KeyChain | None:
    try:
        return read_key_chain(directory)
    except ContentError as exc:
        raise click.ClickException("\n".join(str(p) for p in exc.problems)) from None


def _target(directory: Path) -> Path:
    try:
        return checked_key_directory(directory, os.environ, None)
    except KeysError as exc:
        raise click.ClickException(str(exc)) from None


def _env_keys_note() -> None:
    if os.environ.get(ED25519_ENV) or os.environ.get(RSA_ENV):
        click.echo(f"Note: {ED25519_ENV}/{RSA_ENV} are set and take precedence over key files.")


@click.group()
def keys() -> None:
    """Manage the signing keys: Ed25519 (Open Badges 3.0) and RSA (Open Badges 2.0, VC-JWT).

    \b
    Examples:
      menteo keys generate          once, for a new community
      menteo keys show
      menteo keys rotate            where the current keys are
    """


@keys.command()
@DIRECTORY
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing key pair and start a new key chain (credentials issued so far "
    "stop verifying).",
)
def generate(directory: Path, force: bool) -> None:
    """Write a new key pair to $MENTEO_KEYS or DIRECTORY/.menteo/keys/ and start the key chain
    DIRECTORY/keys/public.json with it.

    \b
    Examples:
      menteo keys generate
      MENTEO_KEYS=~/secrets/community menteo keys generate
    """
    target = _target(directory)
    existing = [name for name in (ED25519_FILE, RSA_FILE) if (target / name).exists()]
    registry = directory / REGISTRY
    if (existing or registry.exists()) and not force:
        what = f"{target} already holds a key pair" if existing else f"{REGISTRY} already exists"
        raise click.ClickException(
            f"{what}; run `menteo keys rotate` to add a key to the chain, or pass --force to "
            "start over (credentials issued so far would stop verifying)"
        )
    keys = generate_keys(str(target))
    try:
        write_keys(target, keys)
        write_key_chain(directory, [new_entry(keys, _today())])
    except (OSError, KeysError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote a new key pair to {target} (keep it private; never commit it):")
    click.echo("\n".join(_describe(keys)))
    if registry.exists() and force:
        click.echo(
            f"Started a NEW key chain in {REGISTRY}: once published, credentials signed with "
            "earlier keys no longer verify."
        )
    click.echo(
        f"Wrote {REGISTRY}, a key chain rooted at these keys: commit it (its root decides who "
        "may sign, so only maintainers should ever change it)."
    )
    click.echo(
        f"For CI, store the contents of {ED25519_FILE} and {RSA_FILE} as the secrets "
        f"{ED25519_ENV} and {RSA_ENV}."
    )
    _env_keys_note()


@keys.command()
@DIRECTORY
def rotate(directory: Path) -> None:
    """Replace the key pair with a new one, endorsed by the old one in the key chain: the old
    public keys stay published so credentials already issued keep verifying.

    \b
    Examples:
      menteo keys rotate            then commit keys/public.json and update the CI secrets
    """
    if os.environ.get(ED25519_ENV) or os.environ.get(RSA_ENV):
        raise click.ClickException(
            f"the keys come from {ED25519_ENV}/{RSA_ENV}: rotate where the key files are, "
            "then update those secrets"
        )
    target = _target(directory)
    try:
        old = read_key_directory(target)
    except KeysError as exc:
        raise click.ClickException(
            f"{exc} (nothing to rotate? run `menteo keys generate`)"
        ) from None
    chain = _chain(directory)
    if chain is None:
        raise click.ClickException(
            f"{REGISTRY} does not exist: run `menteo keys migrate` to start a key chain with "
            "the current keys, or `menteo keys generate` for new ones"
        )
    if chain.holds(old) != len(chain.entries) - 1:
        raise click.ClickException(
            f"the keys in {target} are not the head of the key chain in {REGISTRY}: only its "
            "holder can add the next key"
        )
    keys = generate_keys(str(target))
    entry = new_entry(keys, _today(), (chain.head, old))
    try:
        write_keys(target, keys)
        write_key_chain(directory, [*chain.entries, entry])
    except (OSError, KeysError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Replaced the key pair in {target}. Retired (still published):")
    click.echo("\n".join(_describe(old)))
    click.echo("Now signing with (endorsed by the retired pair in the key chain):")
    click.echo("\n".join(_describe(keys)))
    click.echo(f"Commit {REGISTRY}; update the CI secrets {ED25519_ENV} and {RSA_ENV}.")


def _chain_lines(chain: KeyChain, current: SigningKeys | None) -> list[str]:
    position = chain.holds(current) if current else None
    lines = [f"Key chain {REGISTRY} (verifies):"]
    retired = chain.retired()
    count = len(chain.entries)
    lines += [f"  retired ed25519 {e.multikey} since {e.since}" for e in retired.ed25519]
    lines += [f"  retired rsa {e.kid} since {e.since}" for e in retired.rsa]
    for index, entry in enumerate(chain.entries):
        role = "root" if index == 0 else f"endorsed by [{index - 1}]"
        marks = (" (head)" if index == count - 1 else "") + (
            " (current)" if index == position else ""
        )
        lines.append(
            f"  [{index}] since {entry['since']}, {role}: ed25519 {entry['ed25519']}, "
            f"rsa {entry['rsa']['kid']}{marks}"
        )
    return lines


@keys.command()
@DIRECTORY
def show(directory: Path) -> None:
    """Print the current public keys, where they come from, the key chain, whether it verifies
    and whether the current keys are its head.

    \b
    Examples:
      menteo keys show
    """
    try:
        current: SigningKeys | None = load_keys(directory, os.environ, strict=True)
        problem: str | None = None
    except KeysError as exc:
        current, problem = None, str(exc)
    if current:
        kind = " (development pair)" if current.development else ""
        click.echo(f"Signing keys from {current.source}{kind}:")
        click.echo("\n".join(_describe(current)))
    try:
        chain = read_key_chain(directory)
    except ContentError as exc:
        click.echo(f"Key chain {REGISTRY} does NOT verify:")
        click.echo("\n".join(f"  {p}" for p in exc.problems))
        raise click.ClickException(problem or f"{REGISTRY} does not verify") from None
    if chain is None:
        click.echo(f"No key chain ({REGISTRY}): builds are development builds.")
    else:
        click.echo("\n".join(_chain_lines(chain, current)))
        if current and chain.holds(current) == len(chain.entries) - 1:
            click.echo("The current keys are the chain's head: builds may sign with them.")
        elif current:
            click.echo("Warning: the current keys are NOT the chain's head: builds refuse them.")
    if problem:
        raise click.ClickException(problem)


def _old_registry(directory: Path) -> PublicKeys:
    """The keys of an old flat keys/public.json, none when there is none; a chain already
    there is an error."""
    path = directory / REGISTRY
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return PublicKeys()
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{REGISTRY}: cannot read: {exc}") from None
    if isinstance(data, dict) and "chain" in data:
        raise click.ClickException(f"{REGISTRY} is already a key chain; nothing to migrate")
    try:
        return read_flat_registry(data)
    except ValueError as exc:
        raise click.ClickException(f"{REGISTRY}: {exc}") from None


@keys.command()
@DIRECTORY
def migrate(directory: Path) -> None:
    """Turn the old flat keys/public.json (or none) into a key chain rooted at the current keys;
    the keys it listed stay published as the root's retired keys.

    \b
    Examples:
      MENTEO_KEYS=~/secrets/community menteo keys migrate
    """
    old = _old_registry(directory)
    try:
        current = load_keys(directory, os.environ, strict=True)
    except KeysError as exc:
        raise click.ClickException(str(exc)) from None
    if current.development:
        raise click.ClickException(
            f"{current.source} holds a development pair: run `menteo keys generate --force` "
            "for real keys"
        )
    retired = PublicKeys(
        tuple(e for e in old.ed25519 if e.multikey != current.ed25519_multikey),
        tuple(e for e in old.rsa if e.kid != current.rsa_kid),
    )
    try:
        write_key_chain(directory, [new_entry(current, _today(), retired=retired)])
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {REGISTRY}, a key chain rooted at the keys from {current.source}:")
    click.echo("\n".join(_describe(current)))
    count = len(retired.ed25519) + len(retired.rsa)
    click.echo(f"{count} earlier public key(s) stay published as retired keys of the root.")
    click.echo("Commit it (its root decides who may sign, so only maintainers should change it).")
    _env_keys_note()
