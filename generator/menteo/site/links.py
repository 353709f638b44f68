"""Every internal link must land on a file the build wrote; a broken one fails the build."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import unquote

from menteo.errors import Problem


def target_file(link: str, base_path: str) -> str:
    """The output file a root-relative link is served from (clean URLs end in index.html)."""
    rel = unquote(link.removeprefix(base_path))
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


def broken_links(
    links: Mapping[str, tuple[str, str | None]], written: Iterable[str], base_path: str
) -> list[Problem]:
    """A problem for each link whose target was not written, blamed on the content file."""
    files = set(written)
    problems = []
    for link, (page, source) in sorted(links.items()):
        if target_file(link, base_path) not in files:
            problems.append(
                Problem(
                    source or page,
                    0,
                    "link",
                    f"broken internal link {link!r} on page {page}",
                    "point it at an existing page (e.g. /roadmaps/<slug>/) or remove it",
                )
            )
    return problems
