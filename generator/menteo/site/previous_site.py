"""Reuse the previous site's unchanged pages: hard-linked into the new one instead of written.

A build is all or nothing (`menteo.atomic_output.atomic_directory`): it fills a fresh folder and
swaps it in. After a one-line edit nearly every page is the same bytes as in the site it
replaces, so writing it again is most of the cost of a rebuild. Every build leaves a manifest
(`MANIFEST`: each page's path → the SHA-256 of its bytes) in its output; the next build links a
page from there when the manifest gives the digest the page has now.

What is trusted, and why that is enough:
- Only our manifest, read from a regular file (never through a link), is consulted; a path in it
  counts only if it is a plain relative path (no `..`, no absolute path) inside the output.
- A page is linked only from a regular file (checked with `lstat`, so never a symlink) reached
  through real folders (no link on the way), and only with the size the new page has.
- Nothing ever writes into a file of the new site after creating it (every file is new in a
  fresh folder), so a file shared with the previous site by hard link is never modified: the
  previous site stays exactly as it was until the swap, and so a failed build leaves it intact.
- A link that cannot be made (another file system, no permission) falls back to writing.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

MANIFEST = ".menteo-manifest.json"
FORMAT = 1
_DIGEST = re.compile(r"[0-9a-f]{64}")


def write_manifest(site: Path, digests: dict[str, str]) -> None:
    """Write the manifest of `site`'s pages (path → SHA-256), sorted: deterministic output."""
    document = {"format": FORMAT, "pages": dict(sorted(digests.items()))}
    (site / MANIFEST).write_text(json.dumps(document, indent=0) + "\n", encoding="utf-8")


def _plain(path: str) -> bool:
    parts = path.split("/")
    return not path.startswith("/") and all(p not in ("", ".", "..") for p in parts)


class PreviousSite:
    """The pages of the site at `out` that a new build may link instead of writing."""

    def __init__(self, out: Path, digests: dict[str, str]) -> None:
        self.out = out
        self.digests = digests
        self._folders: dict[str, bool] = {"": True}

    @classmethod
    def read(cls, out: Path) -> PreviousSite | None:
        """The previous site at `out`, if it carries a readable manifest of ours."""
        out = out.resolve()
        try:
            if not stat.S_ISREG(os.lstat(out / MANIFEST).st_mode):
                return None
            document = json.loads((out / MANIFEST).read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            return None
        pages = document.get("pages")
        if not isinstance(pages, dict):
            return None
        digests = {
            path: digest
            for path, digest in pages.items()
            if isinstance(digest, str) and _DIGEST.fullmatch(digest) and _plain(path)
        }
        return cls(out, digests)

    def _real_folder(self, folder: str) -> bool:
        """Whether `folder` (relative to out) is reached through real folders only."""
        known = self._folders.get(folder)
        if known is None:
            parent, _, _ = folder.rpartition("/")
            try:
                mode = os.lstat(self.out / folder).st_mode
            except OSError:
                mode = 0
            known = self._folders[folder] = self._real_folder(parent) and stat.S_ISDIR(mode)
        return known

    def link(self, path: str, digest: str, size: int, target: Path) -> bool:
        """Hard-link the previous site's `path` to `target` if it is the page with `digest` and
        `size` bytes; False (nothing done) otherwise: then write the page."""
        if self.digests.get(path) != digest or not self._real_folder(path.rpartition("/")[0]):
            return False
        source = self.out / path
        try:
            found = os.lstat(source)
            if not stat.S_ISREG(found.st_mode) or found.st_size != size:
                return False
            os.link(source, target, follow_symlinks=False)
        except OSError:
            return False
        return True
