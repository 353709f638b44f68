"""Static full-text search: Pagefind indexes the rendered site into `pagefind/`.

Pagefind reads only the HTML the build wrote, so only published pages can ever be found; templates
narrow it further with `data-pagefind-body` (the main content) and `data-pagefind-ignore`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

SEARCH_DIR = "pagefind"
"""Where the search bundle (index, `pagefind.js`, `pagefind-ui.js`/`.css`) goes, under the site."""


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


def index_site(site: Path) -> list[str]:
    """Index the site at `site` and return the files written, relative to it, sorted."""
    binary = _executable()
    command = [str(binary), "--site", str(site), "--output-subdir", SEARCH_DIR, "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise SearchIndexError(f"could not run Pagefind ({binary}): {exc}") from exc
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()
        raise SearchIndexError(
            f"Pagefind failed to index the site (exit {result.returncode}): {output}"
        )
    bundle = site / SEARCH_DIR
    if not (bundle / "pagefind.js").is_file():
        raise SearchIndexError(f"Pagefind did not write {SEARCH_DIR}/pagefind.js")
    return sorted(p.relative_to(site).as_posix() for p in bundle.rglob("*") if p.is_file())
