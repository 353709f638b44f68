"""The `menteo` command: parse options, run the pipeline, report, map outcomes to exit codes.

Exit codes: 0 success, 1 content problems, 2 usage errors (click's convention).
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import click
from pydantic import TypeAdapter, ValidationError

from menteo.content.community import CommunityData
from menteo.content.loader import load_community
from menteo.content.models import BaseUrl
from menteo.content.schema import KINDS, schema_text
from menteo.credentials.key_chain import check_key_chain
from menteo.credentials.keys_command import keys
from menteo.errors import ContentError, Problem
from menteo.escaping import visible
from menteo.explain import explain as explain_person
from menteo.hash_email import hash_email
from menteo.intake_command import intake
from menteo.ledger.changes import maintainer_changes
from menteo.ledger.records import LEDGER_FILE, MAX_REASON, Ledger, reason_problem
from menteo.ledger.review import (
    Pending,
    Review,
    named_without_consent,
    record_lines,
    review,
    revocation_line,
    unearned_awards,
)
from menteo.ledger.store import UsageError, append, locked, read_base, read_ledger, recorded_now
from menteo.new import new
from menteo.output import unsafe_target
from menteo.private_state import PrivateStateError
from menteo.progress import progress_for
from menteo.report import Checked, PendingAward, Reporter, TextReporter, noun, reporter_for
from menteo.site.templates_check import template_problems

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output for people (text) or machines (json).",
)
QUIET = click.option(
    "-q", "--quiet", is_flag=True, help="Print only errors: no warnings, no success line."
)
DATE = click.DateTime(["%Y-%m-%d"])
"""A calendar day (YYYY-MM-DD); anything else is a usage error (exit 2)."""
DIRECTORY = click.argument(
    "directory",
    required=False,
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)


def _base_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """The same rule as base_url in menteo.yml, reported as the option it came from."""
    if value is None:
        return None
    try:
        return TypeAdapter(BaseUrl).validate_python(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise click.BadParameter(f"{error['msg']} ({error['ctx']['hint']})") from None


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


@main.command()
@DIRECTORY
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the site.  [default: DIRECTORY/_site]",
)
@click.option(
    "--base-url",
    callback=_base_url,
    help="Override base_url from menteo.yml (e.g. for previews).",
)
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes.")
@click.option(
    "--strict",
    is_flag=True,
    help="Refuse to build without configured signing keys (for deploy workflows).",
)
@click.option(
    "--no-search",
    is_flag=True,
    help="Leave the search index out (faster previews and pull-request checks).",
)
@FORMAT
@QUIET
@click.option("-v", "--verbose", is_flag=True, help="Also print how long each stage took.")
def build(
    directory: Path,
    out: Path | None,
    base_url: str | None,
    jobs: int | None,
    strict: bool,
    no_search: bool,
    fmt: str,
    quiet: bool,
    verbose: bool,
) -> None:
    """Validate the community in DIRECTORY and build its site, all or nothing.

    On a terminal, a line shows each stage as it runs (stages with counts).

    \b
    Examples:
      menteo build
      menteo build --out /tmp/preview --base-url http://localhost:8000/
      menteo build --strict         in a deploy workflow, with keys from secrets
      menteo build --no-search      a quicker preview, without the search index
    """
    from menteo.build import build_site  # the renderer's imports cost check and award 0.15 s
    from menteo.credentials.images import DrawingError
    from menteo.credentials.keys import KeysError
    from menteo.site.search import SearchIndexError

    reporter = reporter_for(fmt, quiet)
    out = out if out is not None else directory / "_site"
    reason = unsafe_target(out, directory)
    if reason is not None:
        raise click.BadParameter(f"{out}: {reason}", param_hint="'--out'")
    started = time.perf_counter()
    try:
        result = build_site(
            directory,
            out,
            base_url=base_url,
            workers=jobs,
            strict=strict,
            progress=progress_for(sys.stderr, quiet, verbose),
            search=not no_search,
        )
    except ContentError as exc:
        reporter.problems(exc.problems, "nothing was written")
        raise SystemExit(1) from None
    except SearchIndexError as exc:
        raise click.ClickException(f"{exc}; nothing was written") from None
    except OSError as exc:
        raise click.ClickException(_not_built(exc, out)) from None
    except KeysError as exc:  # keys/public.json that cannot be read
        raise click.ClickException(f"{exc}; nothing was written") from None
    except DrawingError as exc:  # badge artwork on a share card (the badge image passed)
        raise click.ClickException(f"a badge's artwork: {exc}; nothing was written") from None
    seconds = time.perf_counter() - started
    if fmt == "text" and not quiet:
        for warning in result.warnings:
            click.echo(f"Warning: {warning}", err=True)
    reporter.success(
        f"Built {result.pages} pages ({result.files} files) into {out} in {seconds:.2f} s.",
        {
            "out": str(out),
            "pages": result.pages,
            "files": result.files,
            "warnings": [w.as_dict() for w in result.warnings],
        },
    )


def _not_built(exc: OSError, out: Path) -> str:
    """A full disk, a read-only folder or a file that cannot be read, in one line: the build is
    all or nothing, so the previous site is untouched either way."""
    reason = exc.strerror or str(exc)
    site = out.resolve()
    try:
        written = Path(os.path.abspath(exc.filename)).relative_to(site.parent).parts[0]
    except (TypeError, ValueError, IndexError):  # no file name: a write that ran out of space
        written = site.name if exc.filename is None else ""
    if written == site.name or written.startswith((f".{site.name}.", ".search-")):
        return f"cannot write the site: {reason}; the previous site is unchanged"
    return f"cannot read {exc.filename}: {reason}; nothing was written"


def _reviewed(directory: Path, reporter: Reporter, action: str) -> tuple[CommunityData, Review]:
    """Load, evaluate and relate to the ledger, or report every problem and exit 1."""
    try:
        community = load_community(directory)
        ledger = read_ledger(community.root)
        return community, review(community, ledger)
    except ContentError as exc:
        reporter.problems(exc.problems, action)
        raise SystemExit(1) from None
    except OSError as exc:  # e.g. a file that vanished or became unreadable while being read
        raise click.ClickException(f"cannot read {exc.filename}: {exc.strerror or exc}") from None


def _compared(
    community: CommunityData, reviewed: Review, against: str, reporter: Reporter
) -> tuple[Problem, ...]:
    """The ledger lines and maintainer-only files a pull request changed since `against`:
    an error for anything but award lines `menteo award` would write, else what the reviewer
    should look at."""
    try:
        base = read_base(community.root, against, reviewed.ledger)
        problems = unearned_awards(
            community, reviewed.evaluation, base.ledger, reviewed.ledger, _now()
        )
        if problems:
            raise ContentError(problems)
    except ContentError as exc:
        reporter.problems(exc.problems, "fix them and run menteo check again")
        raise SystemExit(1) from None
    except UsageError as exc:
        raise click.BadParameter(str(exc), param_hint="'--against'") from None
    return tuple(
        maintainer_changes(
            community, base.ledger, reviewed.ledger, base.changed, base.people_before
        )
    )


def _now() -> str:
    try:
        return recorded_now()
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None


@contextmanager
def _ledger_lock(directory: Path) -> Iterator[None]:
    """The ledger's lock, or one line saying why `.menteo/` cannot be trusted to hold it."""
    with ExitStack() as stack:
        try:
            stack.enter_context(locked(directory.resolve()))
        except PrivateStateError as exc:
            raise click.ClickException(f"{exc}; nothing was recorded") from None
        yield


def _append(root: Path, ledger: Ledger, lines: list[str]) -> None:
    """Write, or say why not in one line (a full disk is not a bug to show a traceback for)."""
    try:
        append(root, ledger, lines)
    except OSError as exc:
        raise click.ClickException(
            f"cannot write {LEDGER_FILE}: {exc.strerror or exc}; nothing was recorded"
        ) from None


def _pending_report(community: CommunityData, pending: Pending) -> PendingAward:
    eligibility = pending.eligibility
    return PendingAward(
        id=pending.id,
        badge=pending.badge,
        name=community.badges[pending.badge].model.name,
        recipient=pending.recipient,
        role=eligibility.role.value,
        awarded=pending.awarded,
        reasons=tuple(f"{r.text}: {r.value}" if r.value else r.text for r in eligibility.rules),
        evidence=tuple(e.path for e in eligibility.evidence),
    )


@main.command()
@DIRECTORY
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="For people (text), machines (json) or GitHub Actions (annotations + step summary).",
)
@click.option(
    "--against",
    metavar="REF",
    help="Also check that the ledger only adds lines `menteo award` would write, and the key "
    "chain (keys/public.json) only entries, to those at this git revision, and list changes "
    "only maintainers should make.",
)
@QUIET
def check(directory: Path, fmt: str, against: str | None, quiet: bool) -> None:
    """Validate content and ledger in DIRECTORY and explain the awards pending (no writes).

    \b
    Examples:
      menteo check
      menteo check -q               only errors (for pre-commit hooks and scripts)
      menteo check --format github --against origin/main    in a pull request's CI
    """
    reporter = reporter_for(fmt, quiet)
    action = "fix them and run menteo check again"
    community, reviewed = _reviewed(directory, reporter, action)
    maintainer = () if against is None else _compared(community, reviewed, against, reporter)
    problems = template_problems(community.root, community.config.theme)
    try:
        check_key_chain(community.root, against)  # a pull request may edit who can sign
    except ContentError as exc:
        problems = [*problems, *exc.problems]
    if problems:
        reporter.problems(tuple(sorted(problems)), action)
        raise SystemExit(1)
    counts = {
        "mentors": len(community.mentors),
        "mentees": len(community.mentees),
        "threads": len(community.threads),
        "entries": sum(len(t.entries) for t in community.threads.values()),
        "roadmaps": len(community.roadmaps),
        "communities": len(community.communities),
        "badges": len(community.badges),
        "awards": len(reviewed.ledger.awards),
        "revoked": len(reviewed.ledger.revocations),
    }
    pending = tuple(_pending_report(community, p) for p in reviewed.pending)
    reporter.checked(Checked(counts, pending, reviewed.warnings, maintainer))


@main.command()
@DIRECTORY
def award(directory: Path) -> None:
    """Record every pending award of DIRECTORY in ledger/awards.jsonl.

    \b
    Examples:
      menteo check && menteo award  see what is pending, then record it
    """
    reporter = TextReporter()
    with _ledger_lock(directory):
        community, reviewed = _reviewed(directory, reporter, "nothing was recorded")
        recorded = _now()
        # An award dated after the day it is recorded would make the ledger invalid: it waits.
        due = [p for p in reviewed.pending if p.awarded.isoformat() <= recorded[:10]]
        lines = record_lines(reviewed.ledger, due, recorded)
        if lines:
            _append(community.root, reviewed.ledger, lines)
    for pending in reviewed.pending:
        name = community.badges[pending.badge].model.name
        if pending in due:
            click.echo(
                visible(f"Awarded {name} to {pending.recipient} ({pending.awarded}): {pending.id}")
            )
        else:
            click.echo(
                visible(
                    f"Not yet recorded: {name} to {pending.recipient} is dated {pending.awarded}, "
                    f"after {recorded[:10]}; it stays pending."
                )
            )
    count = len(lines)
    click.echo(
        f"Recorded {count} {noun('awards', count)} in {LEDGER_FILE}."
        if count
        else "No pending awards; nothing recorded."
        if not reviewed.pending
        else "Nothing recorded."
    )


@main.command()
@click.argument("award_id", metavar="AWARD_ID")
@DIRECTORY
@click.option("--reason", required=True, help="Why, in one line; it is published.")
def revoke(award_id: str, directory: Path, reason: str) -> None:
    """Record that the award AWARD_ID is revoked, with a public reason.

    \b
    Examples:
      menteo revoke urn:uuid:… --reason "Sessions were logged twice."
      (the award's id is in ledger/awards.jsonl and on its page)
    """
    reason = " ".join(reason.split())
    if reason_problem(reason):
        raise click.BadParameter(
            f"give one line of at most {MAX_REASON} characters, without an email address "
            "or control characters",
            param_hint="'--reason'",
        )
    with _ledger_lock(directory):
        try:
            named = named_without_consent(load_community(directory), reason)
            if named is not None:
                raise click.BadParameter(
                    f"names {named}, who has not consented to publication; it is published",
                    param_hint="'--reason'",
                )
            ledger = read_ledger(directory.resolve())
        except ContentError as exc:
            TextReporter().problems(exc.problems, "nothing was recorded")
            raise SystemExit(1) from None
        if award_id not in ledger.awards:
            close = difflib.get_close_matches(award_id, list(ledger.awards), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise click.BadParameter(
                f"no award {award_id} in {LEDGER_FILE}{hint}", param_hint="'AWARD_ID'"
            )
        previous = ledger.revocations.get(award_id)
        if previous is not None:
            raise click.BadParameter(
                f"{award_id} was already revoked on line {previous.seq}", param_hint="'AWARD_ID'"
            )
        _append(directory.resolve(), ledger, [revocation_line(ledger, award_id, reason, _now())])
    award = ledger.awards[award_id]
    click.echo(
        f"Revoked {award.badge} for {award.recipient} ({award_id}); the next build publishes it."
    )


@main.command()
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
    community, reviewed = _reviewed(directory, TextReporter(), "fix them first")
    roles = [role for role in ("mentor", "mentee") if person in community.people(role)]
    if not roles:
        everyone = [*community.mentors, *community.mentees]
        close = difflib.get_close_matches(person, everyone, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise click.BadParameter(f"no mentor or mentee {person!r}{hint}", param_hint="'PERSON'")
    if badge is not None and badge not in community.badges:
        close = difflib.get_close_matches(badge, list(community.badges), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise click.BadParameter(f"no badge {badge!r}{hint}", param_hint="'--badge'")
    for index, role in enumerate(roles):
        if index:
            click.echo()
        click.echo(
            "\n".join(map(visible, explain_person(community, reviewed, role, person, badge)))
        )


@main.command()
@DIRECTORY
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
def serve(directory: Path, host: str, port: int) -> None:
    """Preview the site locally; rebuild and reload the browser on every change.

    \b
    Examples:
      menteo serve                  then open http://127.0.0.1:8000/
      menteo serve --port 8080
    """
    from menteo.serve import Preview, make_server

    preview = Preview(directory)
    try:
        server = make_server(preview, host, port)
    except OSError as exc:
        raise click.BadParameter(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    preview.base_url = f"http://{host}:{server.server_address[1]}/"
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: serving on {host}, reachable from other machines.", err=True)
    if not preview.rebuild():
        TextReporter().problems(preview.problems, "fix them; the preview rebuilds on save")
    stop = threading.Event()
    threading.Thread(target=preview.watch, args=(stop, click.echo), daemon=True).start()
    click.echo(f"Serving {preview.base_url} (rebuilds on every change; Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        stop.set()
        server.server_close()


@main.command()
@click.argument("kind", required=False, type=click.Choice(sorted(KINDS)))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every schema into this folder as <kind>.schema.json.",
)
@click.option(
    "--base-url",
    callback=_base_url,
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


@main.command()
@click.argument(
    "site",
    required=False,
    default="_site",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--extends",
    "earlier",
    metavar="EARLIER",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Also check that the site's signed ledger extends the one in EARLIER (an earlier "
    "build, or a copy of its ledger/awards.json and ledger/checkpoint.json).",
)
def verify(site: Path, earlier: Path | None) -> None:
    """Verify every credential and baked image in a built SITE (default _site), offline.

    \b
    Examples:
      menteo build && menteo verify
      menteo verify _site --extends previous-site/
    """
    from menteo.credentials.verify import verify_extends, verify_site

    if not (site / "ob2/issuer.json").is_file():
        raise click.BadParameter(f"{site} is not a site built by menteo", param_hint="'SITE'")
    counts: dict[str, int] = {"ok": 0, "revoked": 0, "failed": 0}
    extended = [] if earlier is None else [verify_extends(site, earlier)]
    for outcome in [*verify_site(site), *extended]:
        counts[outcome.status] += 1
        detail = f": {outcome.detail}" if outcome.detail else ""
        click.echo(visible(f"{outcome.status:8} {outcome.path}{detail}"))
    summary = f"{counts['ok']} valid, {counts['revoked']} revoked, {counts['failed']} failed."
    if counts["failed"]:
        click.echo(f"Error: {summary}", err=True)
        raise SystemExit(1)
    click.echo(summary)


@main.command()
@DIRECTORY
@click.option("--since", type=DATE, help="Only entries and awards from DATE.")
@click.option("--as-of", type=DATE, help="The report date.  [default: today]")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
def report(directory: Path, since: dt.datetime | None, as_of: dt.datetime | None, fmt: str) -> None:
    """Program-health figures of DIRECTORY, with the pairs needing a check-in or feedback.

    \b
    Examples:
      menteo report
      menteo report --since 2025-01-01 --format json
    """
    from menteo.reporting import to_json, to_markdown
    from menteo.site.dashboard import program_dashboard

    community, reviewed = _reviewed(directory, TextReporter(), "fix them first")
    day = as_of.date() if as_of else dt.date.today()
    figures = program_dashboard(community, reviewed.ledger, day, since.date() if since else None)
    click.echo(to_json(figures) if fmt == "json" else to_markdown(figures), nl=False)


@main.command()
@DIRECTORY
@click.option("--since", type=DATE, required=True, help="The first day of the period.")
@click.option(
    "--as-of", type=DATE, help="The last day.  [default: the latest published entry or award]"
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the digest.  [default: DIRECTORY/_newsletter]",
)
def newsletter(
    directory: Path, since: dt.datetime, as_of: dt.datetime | None, out: Path | None
) -> None:
    """A digest of the new awards, milestones and outcomes, as Markdown and as email HTML.

    \b
    Examples:
      menteo newsletter --since 2025-09-01
      menteo newsletter --since 2025-09-01 --as-of 2025-09-30 --out digest/
    """
    from menteo.newsletter import digest, write_newsletter

    if as_of is not None and as_of < since:
        raise click.BadParameter("is before --since", param_hint="'--as-of'")
    community, reviewed = _reviewed(directory, TextReporter(), "nothing was written")
    news = digest(community, reviewed, since.date(), as_of.date() if as_of else None)
    try:
        paths = write_newsletter(community, news, out or directory / "_newsletter")
    except ContentError as exc:
        TextReporter().problems(exc.problems, "nothing was written")
        raise SystemExit(1) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write the digest: {exc.strerror or exc}") from None
    for path in paths:
        click.echo(path)
    click.echo(news.summary)


main.add_command(keys)
main.add_command(intake)
main.add_command(new)
main.add_command(hash_email)
