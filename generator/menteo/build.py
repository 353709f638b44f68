"""The pipeline, end to end: load → evaluate → ledger → (issue, in a later stage) → render → write."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from menteo.content.community import CommunityData
from menteo.content.loader import CONFIG_FILE, load_community
from menteo.content.publication import Urls
from menteo.errors import ContentError, Problem
from menteo.ledger.review import review
from menteo.ledger.store import read_ledger
from menteo.output import atomic_directory
from menteo.site.awards import build_recognition
from menteo.site.links import broken_links
from menteo.site.pages import plan_pages
from menteo.site.render import (
    RenderSettings,
    copy_static,
    linked_theme_files,
    render_pages,
    theme_dirs,
)
from menteo.site.views import build_views

LEDGER_JSON = "ledger/awards.json"
"""The published transparency log (see `site.awards.ledger_document`)."""


@dataclass(frozen=True)
class BuildResult:
    pages: int
    files: int
    warnings: tuple[Problem, ...] = ()


def site_globals(community: CommunityData, urls: Urls) -> dict[str, object]:
    config = community.config
    return {
        "site": {
            "name": config.name,
            "description": config.description,
            "language": config.language,
            "issuer": config.issuer,
            "base_path": urls.base_path,
            "base_url": config.base_url,
        },
        "urls": urls,
    }


@contextmanager
def batch_gc() -> Iterator[None]:
    """Collect garbage rarely while building: a build allocates millions of objects that all live
    until it ends, and the default thresholds rescan them thousands of times (a quarter of the
    load time on a 10,000-entry community)."""
    previous = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def build_site(
    root: Path, out: Path, base_url: str | None = None, workers: int | None = None
) -> BuildResult:
    """Build the site for the community at `root` into `out`, all or nothing."""
    with batch_gc():
        return _build(root, out, base_url, workers)


def _build(root: Path, out: Path, base_url: str | None, workers: int | None) -> BuildResult:
    community = load_community(root, base_url)
    urls = Urls(community.config.base_url)
    dirs = theme_dirs(community.root, community.config.theme)
    if not any((d / "templates").is_dir() for d in dirs):
        theme = community.config.theme
        raise ContentError(
            [
                Problem(
                    CONFIG_FILE,
                    0,
                    "theme",
                    f"theme {theme!r} not found",
                    f"add themes/{theme}/templates/ or use theme: default",
                )
            ]
        )
    linked = linked_theme_files(dirs, community.root)
    if linked:
        raise ContentError(linked)
    reviewed = review(community, read_ledger(community.root))
    recognition = build_recognition(community, reviewed, urls)
    views = build_views(community, urls, recognition)
    pages = plan_pages(views, community.config.feed_size)
    with atomic_directory(out) as staging:
        settings = RenderSettings(
            dirs, site_globals(community, urls), staging, urls.base_path, community.root
        )
        links, problems = render_pages(settings, pages, workers)
        written = [p.output_path(urls.base_path) for p in pages]
        written += [f.relative_to(staging).as_posix() for f in copy_static(dirs, staging)]
        for target, source in sorted({**views.avatars, **recognition.images}.items()):
            (staging / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(community.root / source, staging / target)
            written.append(target)
        (staging / LEDGER_JSON).parent.mkdir(parents=True, exist_ok=True)
        (staging / LEDGER_JSON).write_text(recognition.ledger_json, encoding="utf-8")
        written.append(LEDGER_JSON)
        problems += broken_links(links, written, staging, urls.base_path)
        if problems:
            raise ContentError(problems)
    return BuildResult(pages=len(pages), files=len(written), warnings=reviewed.warnings)
