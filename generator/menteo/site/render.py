"""Render the page plan into a directory with Jinja2, on every core, and collect internal links.

Templates come from the project's `overrides/`, then `themes/<theme>/` in the project, then the
theme shipped with menteo: a project overrides one file at a time. Autoescaping is on and undefined
variables are errors, so a template mistake fails the build instead of printing blanks.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
import shutil
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    select_autoescape,
)
from markupsafe import Markup

from menteo.content.community import Body
from menteo.errors import ContentError, Problem
from menteo.site.markdown import render_markdown
from menteo.site.pages import Page

PACKAGE_THEMES = Path(__file__).resolve().parent.parent / "themes"
_LINK_RE = re.compile(r'(?:href|src)="([^"#?]*)(?:\?[^"#]*)?(#[^"]*)?"')
CHUNKS_PER_WORKER = 16
SERIAL_BELOW = 300
"""Below this many pages (and unless told otherwise), forking costs more than it saves."""


def theme_dirs(root: Path, theme: str) -> list[Path]:
    """Theme folders in lookup order (first wins)."""
    candidates = [root / "overrides", root / "themes" / theme, PACKAGE_THEMES / theme]
    return [d for d in candidates if d.is_dir()]


def make_environment(dirs: list[Path], base_path: str) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d / "templates")) for d in dirs]),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    def markdown(source: str | Body | None) -> Markup:
        text = source.text() if isinstance(source, Body) else source or ""
        return Markup(render_markdown(text, base_path))

    env.filters["markdown"] = markdown
    return env


@dataclass(frozen=True)
class RenderJob:
    env: Environment
    pages: list[Page]
    globals: dict[str, Any]
    out: Path
    base_path: str
    root: Path


_JOB: RenderJob | None = None


Links = dict[str, tuple[str, str | None]]


def _template_problem(exc: TemplateError, page: Page, root: Path) -> Problem:
    """Locate a template error: Jinja puts template files and lines into the traceback."""
    name = getattr(exc, "filename", None) or page.template
    line = getattr(exc, "lineno", 0) or 0
    if not isinstance(exc, TemplateSyntaxError):
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.endswith(".py")
        ]
        if frames:
            name, line = frames[-1].filename, frames[-1].lineno or 0
    path = Path(name)
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(name)
    message = f"{exc.message or exc} (rendering {page.url})"
    return Problem(shown, line, "template", message, "fix the template")


def _render_chunk(bounds: tuple[int, int]) -> tuple[Links, list[Problem]]:
    """Render pages[start:end]; return internal link → (page, source), and template problems."""
    job = _JOB
    assert job is not None
    start, end = bounds
    links: Links = {}
    problems: list[Problem] = []
    for page in job.pages[start:end]:
        try:
            template = job.env.get_template(page.template)
            text = template.render(**job.globals, page=page, **page.context)
        except TemplateError as exc:
            problems.append(_template_problem(exc, page, job.root))
            continue
        except ContentError as exc:
            problems += exc.problems
            continue
        target = job.out / page.output_path(job.base_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        for path, fragment in _LINK_RE.findall(text):
            if path.startswith(job.base_path):
                links.setdefault(path + fragment, (page.url, page.source))
    return links, problems


def render_pages(job: RenderJob, workers: int | None = None) -> tuple[Links, list[Problem]]:
    """Render all pages into `job.out`; return every internal link found and where, and any
    template problems."""
    global _JOB
    _JOB = job
    # The views are long-lived: keep the collector from rescanning them in every worker (which
    # also copies each forked page that its bookkeeping writes to).
    gc.collect()
    gc.freeze()
    if workers is None:
        workers = 1 if len(job.pages) < SERIAL_BELOW else (os.cpu_count() or 1)
    count = workers
    try:
        if count == 1:
            return _render_chunk((0, len(job.pages)))
        # Contiguous chunks, handed out as workers free up: pages next to each other in the plan
        # share objects in memory, so each worker copies fewer of the parent's pages on write,
        # and heavy pages (tags, long threads) still spread across workers.
        size = max(1, len(job.pages) // (count * CHUNKS_PER_WORKER))
        chunks = [(i, i + size) for i in range(0, len(job.pages), size)]
        with multiprocessing.get_context("fork").Pool(count) as pool:
            results = pool.map(_render_chunk, chunks, chunksize=1)
    finally:
        _JOB = None
    merged: Links = {}
    problems: list[Problem] = []
    for links, found in results:
        problems += found
        for link, where in links.items():
            merged.setdefault(link, where)
    return merged, problems


def copy_static(dirs: list[Path], out: Path) -> Iterator[Path]:
    """Copy theme static files (earlier folders shadow later ones); yield each written file."""
    seen: set[str] = set()
    for directory in dirs:
        static = directory / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            rel = path.relative_to(static).as_posix()
            if path.is_symlink() or not path.is_file() or rel in seen:
                continue
            seen.add(rel)
            target = out / "static" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            yield target
