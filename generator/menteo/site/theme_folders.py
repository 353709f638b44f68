"""Where a site's theme folders are: apart from `menteo.site.templating`, so that a build whose
pages are all cached finds its static files without importing Jinja (~30 ms)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_THEMES = Path(__file__).resolve().parent.parent / "themes"


def theme_dirs(root: Path, theme: str) -> list[Path]:
    """Theme folders in lookup order (first wins)."""
    candidates = [root / "overrides", root / "themes" / theme, PACKAGE_THEMES / theme]
    return [d for d in candidates if d.is_dir()]
