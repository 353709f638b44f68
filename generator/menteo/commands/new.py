"""`menteo new`: start a community, or add one file of a kind that `menteo check` accepts as it is.

On a terminal it asks for the few values a file needs; anywhere else (CI, scripts, pipes) they are
options, and a missing one is a usage error that names it, so nothing ever waits for input.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import click
import yaml
from click.shell_completion import CompletionItem
from pydantic import TypeAdapter, ValidationError

from menteo.commands.common import DIRECTORY
from menteo.content.models import BaseUrl, EntryKind, Line, OutcomeType, Slug
from menteo.content.safe_yaml import load_yaml
from menteo.errors import ContentError
from menteo.scaffold import (
    ACTION_REPO,
    SAMPLE_BASE_URL,
    SAMPLE_NAME,
    IncompleteScaffold,
    SiteValues,
    site_files,
    write_new,
)
from menteo.suggest import did_you_mean, in_parentheses

REPO_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}")
REF_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")
"""A tag, branch or commit: nothing a workflow's `uses:` line could read as more than a ref."""


def _validated(kind: Any, hint: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """An option callback that applies the content model's own rule for the value."""

    def check(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        try:
            return TypeAdapter(kind).validate_python(value)
        except ValidationError:
            raise click.BadParameter(f"{value!r}: {hint}") from None

    return check


def _slugs(ctx: click.Context, param: click.Parameter, value: str | None) -> list[str] | None:
    """A comma-separated list of slugs (`--mentee bo-chen,cy-dahl`), each checked, each once."""
    if value is None:
        return None
    slugs = [_validated(Slug, SLUG_HINT)(ctx, param, part.strip()) for part in value.split(",")]
    if len(set(slugs)) < len(slugs):
        raise click.BadParameter(f"{value!r}: name each mentee once")
    return slugs


def _matching(pattern: re.Pattern[str], hint: str) -> Callable[..., str | None]:
    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is not None and not pattern.fullmatch(value):
            raise click.BadParameter(f"{value!r}: {hint}")
        return value

    return check


SLUG_HINT = "lowercase letters, digits and single hyphens, e.g. ana-lima"
LINE_HINT = "one line of text"


@click.group()
def new() -> None:
    """Start a community (new site DIR), or add a file of one kind to a community.

    \b
    Examples:
      menteo new site my-circle --name "My Circle" --repo my-org/my-circle
      menteo new mentor --slug ana-lima --name "Ana Lima"
      menteo new entry --thread ana-lima--bo-chen --kind session --title "Kickoff"
    """


# ---------------------------------------------------------------- new site


@new.command("site")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--name",
    default=SAMPLE_NAME,
    show_default=True,
    callback=_validated(Line, LINE_HINT),
    help="The community's name.",
)
@click.option(
    "--repo",
    metavar="OWNER/NAME",
    callback=_matching(REPO_RE, "write the GitHub repository as owner/name"),
    help="The community's GitHub repository: the issue forms' links, CODEOWNERS' team and, "
    "unless --base-url is given, https://OWNER.github.io/NAME/.",
)
@click.option(
    "--base-url",
    callback=_validated(BaseUrl, "write e.g. https://org.github.io/community/"),
    help="Where the site will be published.",
)
@click.option(
    "--action-repo",
    metavar="OWNER/NAME",
    default=ACTION_REPO,
    show_default=True,
    callback=_matching(REPO_RE, "write the repository of menteo's action as owner/name"),
    help="The repository whose action.yml installs menteo in the workflows.",
)
@click.option(
    "--action-ref",
    metavar="REF",
    callback=_matching(REF_RE, "write a tag, branch or commit"),
    help="The tag or (safer) full commit SHA of that action.  [default: v<menteo version>]",
)
def site(
    directory: Path,
    name: str,
    repo: str | None,
    base_url: str | None,
    action_repo: str,
    action_ref: str | None,
) -> None:
    """Write a small, working community into DIRECTORY (new or empty).

    \b
    Examples:
      menteo new site my-circle --name "My Circle" --repo my-org/my-circle
    """
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise click.BadParameter(
            f"{directory} is not empty; give a new or empty folder", param_hint="'DIRECTORY'"
        )
    if base_url is None:
        base_url = _pages_url(repo) if repo else SAMPLE_BASE_URL
    values = SiteValues(name, base_url, repo, action_repo, action_ref or f"v{version('menteo')}")
    try:
        files = site_files(values)
    except IncompleteScaffold as exc:
        raise click.ClickException(
            f"this installation of menteo lacks scaffold files ({exc}); reinstall menteo from "
            "its repository"
        ) from None
    written = write_new(directory, files)
    click.echo(f"Wrote {len(written)} files into {directory}:")
    for path in written:
        click.echo(f"  {path.relative_to(directory).as_posix()}")
    click.echo("\nNext:")
    click.echo(f"  cd {directory} && menteo check && menteo serve   # look at the preview")
    if repo is None:
        click.echo(f"  set base_url in menteo.yml (it is {base_url}), or run again with --repo")
    if action_repo == ACTION_REPO:
        click.echo(
            f"  replace {ACTION_REPO} in .github/workflows/ with the repository you take menteo's "
            "action from (or run again with --action-repo)"
        )
    click.echo("  then follow README.md: keys, repository secrets, Pages, CODEOWNERS team")


def _pages_url(repo: str) -> str:
    owner, name = repo.lower().split("/")
    if name == f"{owner}.github.io":
        return f"https://{owner}.github.io/"
    return f"https://{owner}.github.io/{name}/"


# ---------------------------------------------------------------- new <kind>


PROMPT = click.option(
    "--prompt/--no-prompt",
    default=None,
    help="Ask for missing values.  [default: when stdin is a terminal]",
)


def _ask(ctx: click.Context, prompt: bool | None, values: dict[str, Any], *names: str) -> None:
    """Fill each missing required value in `values`, by prompting or as a usage error."""
    if prompt is None:
        prompt = sys.stdin.isatty()
    params = {p.name: p for p in ctx.command.params}
    for name in names:
        if values.get(name) is not None:
            continue
        default = None
        if name == "slug":  # from the name or title given
            default = slug_of(values.get("name") or values.get("title") or "") or None
        param = params[name]
        assert isinstance(param, click.Option)
        if not prompt and default is None:
            raise click.MissingParameter(ctx=ctx, param=param)
        if not prompt:
            values[name] = default
            continue
        while True:
            answer = click.prompt(param.help or name, type=param.type, default=default)
            try:
                values[name] = param.process_value(ctx, answer)
                break
            except click.BadParameter as exc:
                click.echo(f"Error: {exc.format_message()}", err=True)


def _base_url_of(directory: Path) -> str:
    """The community's base_url, for the schema modeline (published at <base_url>/schemas/)."""
    path = directory / "menteo.yml"
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), "menteo.yml").data
        return TypeAdapter(BaseUrl).validate_python(data.get("base_url"))
    except (OSError, UnicodeDecodeError, ContentError, ValidationError, AttributeError):
        raise click.UsageError(
            f"{directory} has no menteo.yml with a valid base_url: run menteo new site, "
            "or menteo check to see what is wrong"
        ) from None


def _yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _write(directory: Path, rel: str, kind: str, data: dict[str, Any], body: str | None) -> Path:
    """Write one file with its schema modeline; front matter + body when there is a body."""
    url = f"{_base_url_of(directory)}schemas/{kind}.schema.json"
    header = f"# yaml-language-server: $schema={url}\n{_yaml(data)}"
    text = header if body is None else f"---\n{header}---\n{body}"
    try:
        (path,) = write_new(directory, {rel: text})
    except FileExistsError as exc:
        if exc.args and isinstance(exc.args[0], str):  # a linked folder on the way
            raise click.UsageError(f"{exc.args[0]}; nothing was written") from None
        raise click.UsageError(f"{rel} exists; menteo new never replaces a file") from None
    click.echo(f"Wrote {rel}.")
    click.echo("Next: fill it in, run menteo check, then open a pull request.")
    return path


def _existing(directory: Path, folder: str, slug: str, what: str, option: str) -> None:
    """Stop when `slug` names no file in `folder` (a thread folder or a person's file)."""
    base = directory / folder
    names = sorted(
        p.stem if p.is_file() else p.name for p in (base.iterdir() if base.is_dir() else [])
    )
    if slug not in names:
        hint = in_parentheses(did_you_mean(slug, names))
        raise click.BadParameter(f"no {what} {slug!r} in {folder}/{hint}", param_hint=option)


def _refuse_either(directory: Path, folder: str, slug: str) -> None:
    """A person is one file, .yaml or .md: refuse the other form too."""
    for suffix in (".yaml", ".md"):
        if (directory / folder / f"{slug}{suffix}").exists():
            raise click.UsageError(
                f"{folder}/{slug}{suffix} exists; menteo new never replaces a file"
            )


def slug_of(text: str) -> str:
    """An ASCII slug for a title ("Café & code!" → cafe-code); empty when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)[:60].strip("-")


SLUG = click.option(
    "--slug",
    callback=_validated(Slug, SLUG_HINT),
    help="File name (slug)",
)
NAME = click.option("--name", callback=_validated(Line, LINE_HINT), help="Name")


def _person(kind: str, directory: Path, values: dict[str, Any]) -> None:
    folder = f"content/{kind}s"
    _refuse_either(directory, folder, values["slug"])
    data: dict[str, Any] = {"name": values["name"], "skills": [], "languages": []}
    if kind == "mentor":  # public or not by menteo.yml's privacy defaults, until they say
        data["availability"] = "open"
    else:  # mentees are private until they say yes
        data["consent"] = {"public": False, "share_outcomes": False}
    _write(directory, f"{folder}/{values['slug']}.yaml", kind, data, None)


@new.command()
@DIRECTORY
@SLUG
@NAME
@PROMPT
@click.pass_context
def mentor(ctx: click.Context, /, directory: Path, prompt: bool | None, **values: Any) -> None:
    """Add a mentor profile (content/mentors/SLUG.yaml).

    \b
    Examples:
      menteo new mentor --slug ana-lima --name "Ana Lima"
    """
    _ask(ctx, prompt, values, "name", "slug")
    _person("mentor", directory, values)


@new.command()
@DIRECTORY
@SLUG
@NAME
@PROMPT
@click.pass_context
def mentee(ctx: click.Context, /, directory: Path, prompt: bool | None, **values: Any) -> None:
    """Add a mentee profile (content/mentees/SLUG.yaml), private until they consent.

    \b
    Examples:
      menteo new mentee --slug bo-chen --name "Bo Chen"
    """
    _ask(ctx, prompt, values, "name", "slug")
    _person("mentee", directory, values)


@new.command()
@DIRECTORY
@click.option("--mentor", callback=_validated(Slug, SLUG_HINT), help="The mentor's slug")
@click.option(
    "--mentee",
    callback=_slugs,
    help="The mentee's slug; several, comma-separated, make a group room",
)
@click.option("--slug", help="Folder name  [default: MENTOR--MENTEE; a room: MENTOR--ROOM-NAME]")
@PROMPT
@click.pass_context
def thread(ctx: click.Context, /, directory: Path, prompt: bool | None, **values: Any) -> None:
    """Start a mentorship (content/threads/MENTOR--MENTEE/thread.yaml), from today.

    \b
    Examples:
      menteo new thread --mentor ana-lima --mentee bo-chen
      menteo new thread --mentor ana-lima --mentee bo-chen,cy-dahl --slug ana-lima--circle
    """
    _ask(ctx, prompt, values, "mentor", "mentee")
    mentor, mentees = values["mentor"], values["mentee"]
    _existing(directory, "content/mentors", mentor, "mentor", "'--mentor'")
    for mentee in mentees:
        _existing(directory, "content/mentees", mentee, "mentee", "'--mentee'")
    room = len(mentees) > 1
    if room and not (values["slug"] or "").startswith(f"{mentor}--"):
        raise click.BadParameter(
            f"a group room's folder is {mentor}--<room-name>, e.g. {mentor}--circle",
            param_hint="'--slug'",
        )
    slug = values["slug"] or f"{mentor}--{mentees[0]}"
    if not re.match(r"^[a-z0-9]+(?:--?[a-z0-9]+)*$", slug):
        raise click.BadParameter(f"{slug!r}: {SLUG_HINT} (or two)", param_hint="'--slug'")
    data = {
        "mentor": mentor,
        **({"mentees": mentees} if room else {"mentee": mentees[0]}),
        "started": dt.date.today(),
        "goals": [{"id": "first-goal", "title": "Agree on a first goal", "status": "open"}],
    }
    _write(directory, f"content/threads/{slug}/thread.yaml", "thread", data, None)


def _author(rel: str, thread: object, wanted: str, feedback: bool) -> str:
    """The entry's author from `--author`: the thread's one mentee or mentor, or in a group room
    the person named (a room has several, so a role alone does not say who)."""
    data = thread if isinstance(thread, dict) else {}
    side = {
        role: [data[role]] if isinstance(data.get(role), str) else data.get(role + "s") or []
        for role in ("mentor", "mentee")
    }
    people = [p for role in ("mentor", "mentee") for p in side[role] if isinstance(p, str)]
    role = "mentee" if feedback and wanted == "mentor" else wanted
    if role in side:
        found = side[role]
        if len(found) == 1 and isinstance(found[0], str):
            return found[0]
        if not found:
            raise click.UsageError(f"{rel} has no {role}: run menteo check")
        raise click.UsageError(
            f"{rel} is a group room: pass --author with one of {', '.join(people)}"
        )
    if feedback and wanted in people and wanted not in side["mentee"]:
        raise click.BadParameter(
            f"feedback is written by a mentee; use one of {', '.join(side['mentee'])}",
            param_hint="'--author'",
        )
    if wanted not in people:
        raise click.BadParameter(
            f"{wanted!r} is not in this thread; use mentee, mentor or one of {', '.join(people)}",
            param_hint="'--author'",
        )
    return wanted


@new.command()
@DIRECTORY
@click.option("--thread", "thread_", help="The thread (folder under content/threads/)")
@click.option("--kind", type=click.Choice([k.value for k in EntryKind]), help="Kind of entry")
@click.option("--title", callback=_validated(Line, LINE_HINT), help="Title")
@click.option(
    "--slug", callback=_validated(Slug, SLUG_HINT), help="File name  [default: from the title]"
)
@click.option(
    "--author",
    default="mentee",
    show_default=True,
    shell_complete=lambda *_: [CompletionItem(role) for role in ("mentee", "mentor")],
    help="Who writes it: mentee or mentor, or in a group room one of its people's slugs "
    "(feedback is always a mentee's).",
)
@click.option("--rating", type=click.IntRange(1, 5), help="Rating 1-5 (feedback)")
@click.option("--outcome", type=click.Choice([o.value for o in OutcomeType]), help="Outcome type")
@PROMPT
@click.pass_context
def entry(ctx: click.Context, /, directory: Path, prompt: bool | None, **values: Any) -> None:
    """Add an entry dated today to a thread (content/threads/THREAD/YYYY-MM-DD-SLUG.md).

    \b
    Examples:
      menteo new entry --thread ana-lima--bo-chen --kind session --title "Kickoff"
    """
    _ask(ctx, prompt, values, "thread_", "kind", "title")
    folder = "content/threads"
    _existing(directory, folder, values["thread_"], "thread", "'--thread'")
    rel = f"{folder}/{values['thread_']}/thread.yaml"
    try:
        people = load_yaml((directory / rel).read_text(encoding="utf-8"), rel).data
    except (OSError, UnicodeDecodeError, ContentError):
        raise click.UsageError(f"{rel} cannot be read: run menteo check") from None
    author = _author(rel, people, values["author"], values["kind"] == "feedback")
    extra = {"feedback": "rating", "outcome": "outcome"}.get(values["kind"])
    if extra:
        _ask(ctx, prompt, values, extra)
    slug = values["slug"] or slug_of(values["title"])
    if not slug:
        raise click.MissingParameter(
            "the title has no letters a file name can use", ctx=ctx, param_hint="'--slug'"
        )
    today = dt.date.today()
    data: dict[str, Any] = {
        "kind": values["kind"],
        "date": today,
        "author": author,
        "title": values["title"],
    }
    if extra:
        data[extra] = values[extra]
    body = "What happened, what you learned, what comes next.\n"
    _write(directory, f"{folder}/{values['thread_']}/{today}-{slug}.md", "entry", data, body)


@new.command()
@DIRECTORY
@SLUG
@NAME
@click.option("--audience", type=click.Choice(["mentor", "mentee"]), help="Who earns it")
@PROMPT
@click.pass_context
def badge(ctx: click.Context, /, directory: Path, prompt: bool | None, **values: Any) -> None:
    """Add a badge definition (badges/SLUG.yaml) with one rule to start from.

    \b
    Examples:
      menteo new badge --slug first-steps --name "First Steps" --audience mentee
    """
    _ask(ctx, prompt, values, "name", "slug", "audience")
    data = {
        "name": values["name"],
        "audience": values["audience"],
        "tier": 1,
        "description": "Who earns this badge, and why it matters.",
        "criteria": {"sessions": {"min": 3}},
        "rewards": [],
    }
    _write(directory, f"badges/{values['slug']}.yaml", "badge", data, None)


@new.command()
@DIRECTORY
@SLUG
@click.option("--title", callback=_validated(Line, LINE_HINT), help="Title")
@click.option("--summary", callback=_validated(Line, LINE_HINT), help="One-line summary")
@PROMPT
@click.pass_context
def roadmap(ctx: click.Context, /, directory: Path, prompt: bool | None, **values: Any) -> None:
    """Add a learning roadmap (content/roadmaps/SLUG.yaml) with a first step.

    \b
    Examples:
      menteo new roadmap --slug web-basics --title "Web basics" --summary "From HTML up."
    """
    _ask(ctx, prompt, values, "title", "slug", "summary")
    data = {
        "title": values["title"],
        "summary": values["summary"],
        "level": "beginner",
        "steps": [{"id": "first-step", "title": "First step", "skills": [], "resources": []}],
    }
    _write(directory, f"content/roadmaps/{values['slug']}.yaml", "roadmap", data, None)


@new.command()
@DIRECTORY
@SLUG
@NAME
@click.option("--summary", callback=_validated(Line, LINE_HINT), help="One-line summary")
@PROMPT
@click.pass_context
def community(ctx: click.Context, /, directory: Path, prompt: bool | None, **values: Any) -> None:
    """Add a circle within the community (content/communities/SLUG.md).

    \b
    Examples:
      menteo new community --slug web-circle --name "Web Circle" --summary "We build for the web."
    """
    _ask(ctx, prompt, values, "name", "slug", "summary")
    data = {"name": values["name"], "summary": values["summary"], "members": []}
    body = "What the circle does, and when it meets.\n"
    _write(directory, f"content/communities/{values['slug']}.md", "community", data, body)
