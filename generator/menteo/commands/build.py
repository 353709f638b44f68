"""`menteo build`: validate the community and write its site, all or nothing."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from menteo.atomic_output import unsafe_target
from menteo.commands.common import DIRECTORY, FORMAT, QUIET, checked_base_url
from menteo.errors import ContentError
from menteo.progress import progress_for
from menteo.reporters import reporter_for


@click.command()
@DIRECTORY
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the site.  [default: DIRECTORY/_site]",
)
@click.option(
    "--base-url",
    callback=checked_base_url,
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
    from menteo.workers import WorkerDied

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
    except WorkerDied as exc:
        raise click.ClickException(f"{exc}; nothing was written") from None
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
