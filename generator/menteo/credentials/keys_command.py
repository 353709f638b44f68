"""`menteo keys generate|rotate|show`: make, replace and inspect the signing keys.

Only public halves are ever printed; private keys are written owner-only and never echoed.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from menteo.credentials.keys import (
    ED25519_ENV,
    ED25519_FILE,
    REGISTRY,
    RSA_ENV,
    RSA_FILE,
    KeysError,
    PublicKeys,
    SigningKeys,
    generate_keys,
    key_directory,
    load_keys,
    read_key_directory,
    read_public_keys,
    record_public_keys,
    write_keys,
)

DIRECTORY = click.argument(
    "directory",
    required=False,
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)


def _today() -> str:
    """Key management is the one place the clock is allowed: `since` records a human act."""
    return dt.date.today().isoformat()


def _describe(keys: SigningKeys) -> list[str]:
    return [
        f"  Ed25519 (OB 3.0 Data Integrity): {keys.ed25519_multikey}",
        f"  RSA-{keys.rsa.key_size} (OB 2.0 JWS, VC-JWT) kid: {keys.rsa_kid}",
    ]


def _new_pair(directory: Path, target: Path) -> SigningKeys:
    keys = generate_keys(str(target))
    try:
        write_keys(target, keys)
        record_public_keys(directory, keys, _today())
    except (OSError, KeysError) as exc:
        raise click.ClickException(str(exc)) from None
    return keys


def _env_keys_note() -> None:
    if os.environ.get(ED25519_ENV) or os.environ.get(RSA_ENV):
        click.echo(f"Note: {ED25519_ENV}/{RSA_ENV} are set and take precedence over key files.")


@click.group()
def keys() -> None:
    """Manage the signing keys: Ed25519 (Open Badges 3.0) and RSA (Open Badges 2.0, VC-JWT)."""


@keys.command()
@DIRECTORY
@click.option("--force", is_flag=True, help="Replace an existing key pair.")
def generate(directory: Path, force: bool) -> None:
    """Write a new key pair to $MENTEO_KEYS or DIRECTORY/.menteo/keys/ and record its public
    keys in DIRECTORY/keys/public.json."""
    target = key_directory(directory, os.environ)
    existing = [name for name in (ED25519_FILE, RSA_FILE) if (target / name).exists()]
    if existing and not force:
        raise click.ClickException(
            f"{target} already holds a key pair; pass --force to replace it, "
            "or `menteo keys rotate` to keep its public keys listed"
        )
    keys = _new_pair(directory, target)
    click.echo(f"Wrote a new key pair to {target} (keep it private; never commit it):")
    click.echo("\n".join(_describe(keys)))
    click.echo(f"Recorded the public keys in {REGISTRY}: commit that file.")
    click.echo(
        f"For CI, store the contents of {ED25519_FILE} and {RSA_FILE} as the secrets "
        f"{ED25519_ENV} and {RSA_ENV}."
    )
    _env_keys_note()


@keys.command()
@DIRECTORY
def rotate(directory: Path) -> None:
    """Replace the key pair with a new one; the old public keys stay in keys/public.json so
    credentials already issued keep verifying."""
    if os.environ.get(ED25519_ENV) or os.environ.get(RSA_ENV):
        raise click.ClickException(
            f"the keys come from {ED25519_ENV}/{RSA_ENV}: rotate where the key files are, "
            "then update those secrets"
        )
    target = key_directory(directory, os.environ)
    try:
        old = read_key_directory(target)
        record_public_keys(directory, old, _today())
    except KeysError as exc:
        raise click.ClickException(
            f"{exc} (nothing to rotate? run `menteo keys generate`)"
        ) from None
    keys = _new_pair(directory, target)
    click.echo(f"Replaced the key pair in {target}. Retired (still listed in {REGISTRY}):")
    click.echo("\n".join(_describe(old)))
    click.echo("Now signing with:")
    click.echo("\n".join(_describe(keys)))
    click.echo(f"Commit {REGISTRY}; update the CI secrets {ED25519_ENV} and {RSA_ENV}.")


def _registry_lines(registry: PublicKeys, current: SigningKeys | None) -> list[str]:
    multikey = current.ed25519_multikey if current else None
    kid = current.rsa_kid if current else None
    lines = [f"Public key registry {REGISTRY}:"]
    lines += [
        f"  ed25519 {e.multikey} since {e.since}" + (" (current)" if e.multikey == multikey else "")
        for e in registry.ed25519
    ]
    lines += [
        f"  rsa {e.kid} since {e.since}" + (" (current)" if e.kid == kid else "")
        for e in registry.rsa
    ]
    if not registry.ed25519 and not registry.rsa:
        lines.append("  (empty)")
    return lines


@keys.command()
@DIRECTORY
def show(directory: Path) -> None:
    """Print the current public keys, where they come from, and the registry."""
    try:
        registry = read_public_keys(directory)
    except KeysError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        current: SigningKeys | None = load_keys(directory, os.environ, strict=True)
        problem = None
    except KeysError as exc:
        current, problem = None, exc
    if current:
        kind = " (development pair)" if current.development else ""
        click.echo(f"Signing keys from {current.source}{kind}:")
        click.echo("\n".join(_describe(current)))
    click.echo("\n".join(_registry_lines(registry, current)))
    if current and not {current.ed25519_multikey, current.rsa_kid} <= _recorded(registry):
        click.echo(f"Warning: the current public keys are not all recorded in {REGISTRY}.")
    if problem:
        raise click.ClickException(str(problem))


def _recorded(registry: PublicKeys) -> set[str]:
    return {e.multikey for e in registry.ed25519} | {e.kid for e in registry.rsa}
