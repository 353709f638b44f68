"""Static full-text search: Pagefind indexes the rendered site into `pagefind/`.

Pagefind reads only the HTML the build wrote, so only published pages can ever be found; templates
narrow it further with `data-pagefind-body` (the main content) and `data-pagefind-ignore`. A theme
that marks no page is indexed whole, page by page, as Pagefind itself would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from menteo.atomic_output import remove_leftovers

SEARCH_DIR = "pagefind"
"""Where the search bundle (index, `pagefind.js`, `pagefind-ui.js`/`.css`) goes, under the site."""
SHARDS_FILE = "shards.json"
"""In the first bundle: the other bundles' folders, relative to it, for `search.js` to merge."""
SEARCH_MARKER = "data-pagefind-body"
"""The attribute templates put on the main content of a page worth finding."""
LEFTOVER_VIEW = re.compile(r"\.search-(?P<pid>\d{1,9})-\w+")
"""Each bundle's view of the site is a temporary folder beside it, named for the build's process so
that the next build can remove those a killed build left."""


class SearchIndexError(RuntimeError):
    """The indexer is missing or failed: a problem with the installation, not the content."""


def _executable() -> Path:
    from pagefind.service import get_executable  # the `pagefind[bin]` dependency

    binary = get_executable()
    if binary is None:
        raise SearchIndexError(
            "the Pagefind binary was not found: install menteo's dependencies "
            "(pip install 'pagefind[bin]') or set PAGEFIND_BINARY_PATH"
        )
    return binary


def shard_dirs(count: int) -> list[str]:
    """Where each of `count` bundles goes: the first is the search page's, the rest are merged
    into its results by `search.js`."""
    return [SEARCH_DIR, *(f"{SEARCH_DIR}/shard-{n}" for n in range(2, count + 1))]


def index_site(site: Path, searchable: list[str], shard_pages: int) -> list[str]:
    """Index the `searchable` pages (paths relative to `site`, the ones templates mark with
    `SEARCH_MARKER`) in bundles of at most `shard_pages` pages; return the files written,
    relative to the site, sorted.

    Pagefind holds a whole index in memory until it writes it, about 200 KB a page (measured:
    8,000 entry pages, 1.6 GB): bundles bound that, one Pagefind run after another. Each run sees
    its pages through hard links in a folder beside the site, at the same relative paths, so
    every result keeps its URL.
    """
    binary = _executable()
    every = (p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    pages = sorted(searchable) or sorted(p for p in every if not p.startswith(f"{SEARCH_DIR}/"))
    shards = [pages[i : i + shard_pages] for i in range(0, len(pages), shard_pages)] or [[]]
    targets = shard_dirs(len(shards))
    remove_leftovers(site.parent, LEFTOVER_VIEW)
    for shard, target in zip(shards, targets, strict=True):
        with tempfile.TemporaryDirectory(dir=site.parent, prefix=f".search-{os.getpid()}-") as view:
            for page in shard:
                _mirror(site / page, Path(view) / page)
            _run(binary, Path(view), site / target)
    bundle = site / SEARCH_DIR
    if not (bundle / "pagefind.js").is_file():
        raise SearchIndexError(f"Pagefind did not write {SEARCH_DIR}/pagefind.js")
    others = [t.removeprefix(f"{SEARCH_DIR}/") + "/" for t in targets[1:]]
    (bundle / SHARDS_FILE).write_text(json.dumps(others))
    return sorted(p.relative_to(site).as_posix() for p in bundle.rglob("*") if p.is_file())


def _mirror(page: Path, view: Path) -> None:
    """`page` seen at `view`: a hard link, or a copy where the file system has none."""
    view.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(page, view)
    except OSError:
        shutil.copyfile(page, view)


def _run(binary: Path, view: Path, output: Path) -> None:
    command = [str(binary), "--site", str(view), "--output-path", str(output), "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise SearchIndexError(f"could not run Pagefind ({binary}): {exc}") from exc
    if result.returncode != 0:
        output_text = (result.stderr or result.stdout).strip()
        raise SearchIndexError(
            f"Pagefind failed to index the site (exit {result.returncode}): {output_text}"
        )
