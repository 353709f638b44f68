"""`menteo serve`: a resident local preview that rewrites what each change touches."""

from __future__ import annotations

import threading
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from menteo.commands.common import DIRECTORY
from menteo.reporters import TextReporter

if TYPE_CHECKING:
    from menteo.serve import Preview


@click.command()
@DIRECTORY
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
def serve(directory: Path, host: str, port: int) -> None:
    """Preview the site locally; on every save, rewrite the pages it changes and reload.

    The preview has no search index (`menteo build` makes it).

    \b
    Examples:
      menteo serve                  then open http://127.0.0.1:8000/
      menteo serve --port 8080
    """
    from menteo.serve import Preview, make_server, start_workers

    preview = Preview(directory)
    try:
        server = make_server(preview, host, port)
    except OSError as exc:
        raise click.BadParameter(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    preview.base_url = f"http://{host}:{server.server_address[1]}/"
    start_workers()
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: serving on {host}, reachable from other machines.", err=True)
    click.echo(f"Serving {preview.base_url} (rebuilds on every change; Ctrl-C to stop)")
    stop = threading.Event()
    first = partial(_first_build, preview)
    threading.Thread(target=preview.watch, args=(stop, click.echo, first), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        stop.set()
        preview.close()
        server.server_close()


def _first_build(preview: Preview) -> None:
    """The first build, while the server already answers (with a page that reloads when the
    build is done)."""
    started = time.perf_counter()
    if preview.rebuild():
        click.echo(f"Built the preview in {time.perf_counter() - started:.1f} s.")
    else:
        TextReporter().problems(preview.problems, "fix them; the preview rebuilds on save")
