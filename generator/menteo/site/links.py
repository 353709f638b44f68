"""Every internal link must land on a file the build wrote; a broken one fails the build."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote

from menteo.errors import Problem


def target_file(link: str, base_path: str) -> str:
    """The output file a root-relative link is served from (clean URLs end in index.html)."""
    rel = unquote(link.removeprefix(base_path))
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


def links_outside(
    links: Mapping[str, tuple[str, str | None]], folder: str, base_path: str
) -> tuple[dict[str, tuple[str, str | None]], dict[str, tuple[str, str | None]]]:
    """The `links` split in two: those landing outside the site's `folder`, and those into it.
    The build checks the first while another thread still writes that folder (the search
    index), the second once it is written."""
    outside: dict[str, tuple[str, str | None]] = {}
    inside: dict[str, tuple[str, str | None]] = {}
    for link, found in links.items():
        into = target_file(link.partition("#")[0], base_path).startswith(f"{folder}/")
        (inside if into else outside)[link] = found
    return outside, inside


def _has_anchor(html: str, fragment: str) -> bool:
    escaped = re.escape(fragment)
    return re.search(rf'\s(?:id|name)="{escaped}"', html) is not None


def broken_links(
    links: Mapping[str, tuple[str, str | None]], written: Iterable[str], out: Path, base_path: str
) -> list[Problem]:
    """A problem for each link whose page was not written, or whose #anchor is not on that page;
    blamed on the content file that holds the link."""
    files = set(written)
    pages: dict[str, str] = {}
    problems = []
    for link, (page, source) in sorted(links.items()):
        path, _, fragment = link.partition("#")
        target = target_file(path, base_path)
        if target not in files:
            reason = "broken internal link"
        elif fragment and target.endswith(".html"):
            if target not in pages:
                pages[target] = (out / target).read_text(encoding="utf-8")
            if _has_anchor(pages[target], unquote(fragment)):
                continue
            reason = "link to a missing anchor"
        else:
            continue
        problems.append(
            Problem(
                source or page,
                0,
                "link",
                f"{reason} {link!r} on page {page}",
                "point it at an existing page (e.g. /roadmaps/<slug>/) or remove it",
            )
        )
    return problems
