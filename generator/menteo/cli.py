"""The `menteo` command: parse options, run the pipeline, report, map outcomes to exit codes.

Exit codes: 0 success, 1 content problems, 2 usage errors (click's convention).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import click
from pydantic import TypeAdapter, ValidationError

from menteo.build import build_site
from menteo.content.loader import load_community
from menteo.content.models import BaseUrl
from menteo.content.schema import KINDS, json_schema
from menteo.errors import ContentError
from menteo.output import unsafe_target
from menteo.report import TextReporter, reporter_for
from menteo.serve import Preview, make_server

FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output for people (text) or machines (json).",
)
SINGULAR = {
    "mentors": "mentor",
    "mentees": "mentee",
    "threads": "thread",
    "entries": "entry",
    "roadmaps": "roadmap",
    "communities": "community",
}
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
    """Build a mentorship community's recognition site from its git repository."""


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
@FORMAT
def build(
    directory: Path, out: Path | None, base_url: str | None, jobs: int | None, fmt: str
) -> None:
    """Validate the community in DIRECTORY and build its site, all or nothing."""
    reporter = reporter_for(fmt)
    out = out if out is not None else directory / "_site"
    reason = unsafe_target(out, directory)
    if reason is not None:
        raise click.BadParameter(f"{out}: {reason}", param_hint="'--out'")
    started = time.perf_counter()
    try:
        result = build_site(directory, out, base_url=base_url, workers=jobs)
    except ContentError as exc:
        reporter.problems(exc.problems, "nothing was written")
        raise SystemExit(1) from None
    seconds = time.perf_counter() - started
    reporter.success(
        f"Built {result.pages} pages ({result.files} files) into {out} in {seconds:.2f} s.",
        {"out": str(out), "pages": result.pages, "files": result.files},
    )


@main.command()
@DIRECTORY
@FORMAT
def check(directory: Path, fmt: str) -> None:
    """Validate all content in DIRECTORY without writing anything (links: see build)."""
    reporter = reporter_for(fmt)
    try:
        community = load_community(directory)
    except ContentError as exc:
        reporter.problems(exc.problems, "fix them and run menteo check again")
        raise SystemExit(1) from None
    counts = {
        "mentors": len(community.mentors),
        "mentees": len(community.mentees),
        "threads": len(community.threads),
        "entries": sum(len(t.entries) for t in community.threads.values()),
        "roadmaps": len(community.roadmaps),
        "communities": len(community.communities),
    }
    summary = ", ".join(f"{n} {k if n != 1 else SINGULAR[k]}" for k, n in counts.items())
    reporter.success(f"All good: {summary}.", {"counts": counts})


@main.command()
@DIRECTORY
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
def serve(directory: Path, host: str, port: int) -> None:
    """Preview the site locally; rebuild and reload the browser on every change."""
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
def schema(kind: str | None, out: Path | None) -> None:
    """Print the JSON Schema of one kind of content file, or write them all with --out."""
    if (kind is None) == (out is None):
        raise click.UsageError("give a KIND to print, or --out DIR to write them all")
    if kind is not None:
        click.echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))
        return
    assert out is not None
    out.mkdir(parents=True, exist_ok=True)
    for name in sorted(KINDS):
        text = json.dumps(json_schema(name), indent=2, ensure_ascii=False) + "\n"
        (out / f"{name}.schema.json").write_text(text, encoding="utf-8")
    click.echo(f"Wrote {len(KINDS)} schemas into {out}.")
