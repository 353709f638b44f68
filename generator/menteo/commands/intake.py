"""`menteo intake`: a submitted issue form in, a validated content file (or a comment) out.

The file is checked by loading the whole community with it in place, exactly as `menteo check`
would: crossrefs, invisible characters, email addresses and consent all apply, and nothing
here re-implements them. A file that fails is removed again before the command exits.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from menteo.commands.common import DIRECTORY
from menteo.content.community import CommunityData
from menteo.content.files import read_regular
from menteo.content.loader import load_community
from menteo.errors import ContentError, Problem
from menteo.intake import FORMS, LOGIN, MAPPERS, MAX_BODY, SOURCE, Draft, comment, parse_form


def _login(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not LOGIN.fullmatch(value):
        raise click.BadParameter(f"{value!r} is not a GitHub user name")
    return value


def _validate_in_place(root: Path, draft: Draft, keep: bool) -> None:
    """Write `draft` at its path under `root` (never over a file, never through a link) and load
    the community with it; remove it again, with any folder made for it, unless it is valid and
    `keep` is set."""
    target = root / draft.path
    made = [p for p in reversed(target.relative_to(root).parents) if not (root / p).exists()]
    for folder in made:
        (root / folder).mkdir()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    valid = False
    try:
        try:
            fd = os.open(target, flags, 0o644)
        except FileExistsError:
            raise ContentError(
                [Problem(draft.path, 0, "", "already exists", "a maintainer will look at it")]
            ) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(draft.text)
            load_community(root)
            valid = True
        finally:
            if not (valid and keep):
                target.unlink()
    finally:
        if not (valid and keep):
            for folder in reversed(made):
                (root / folder).rmdir()


def draft_for(form: str, body: str, root: Path, login: str | None) -> Draft:
    """The file the issue asks for, validated with the community around it; or `ContentError`."""
    values = parse_form(form, body)
    community: CommunityData = load_community(root)
    return MAPPERS[form](values, community, login)


@click.command()
@click.argument("form", type=click.Choice(FORMS))
@click.argument("issue_body", type=click.Path(dir_okay=False, path_type=Path))
@DIRECTORY
@click.option(
    "--issue-author",
    metavar="LOGIN",
    callback=_login,
    help="Who opened the issue: their GitHub profile becomes a new mentee's link, and must "
    "match the profile in the file of whoever an entry is written for.",
)
@click.option(
    "--out",
    metavar="PATH",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the file here instead of into DIRECTORY (- prints it).",
)
def intake(
    form: str, issue_body: Path, directory: Path, issue_author: str | None, out: Path | None
) -> None:
    """Turn a submitted issue FORM (its Markdown body, saved in ISSUE_BODY) into a content file
    of DIRECTORY, checked like `menteo check`. Prints the file's path; on a problem, prints a
    Markdown comment for the issue and exits 1.

    \b
    Examples:
      menteo intake log-entry issue.md . --issue-author bo-chen
    """
    root = directory.resolve()
    draft = None
    try:
        raw = read_regular(issue_body, SOURCE, MAX_BODY, "shorten it")
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ContentError([Problem(SOURCE, 0, "", "is not UTF-8 text")]) from None
        draft = draft_for(form, body, root, issue_author)
        _validate_in_place(root, draft, keep=out is None)
    except ContentError as exc:
        click.echo(comment(form, exc.problems, draft), nl=False)
        sys.exit(1)
    if out is None:
        click.echo(draft.path)
    elif str(out) == "-":
        click.echo(draft.text, nl=False)
    else:
        out.write_text(draft.text, encoding="utf-8")
        click.echo(out)
