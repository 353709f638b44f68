"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, fully offline.

Contexts come only from the bundled copies listed in `contexts/index.json`: a build never
fetches, so what a signature covers cannot change with the network, and an unknown context is
an error rather than a silent download.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

CONTEXTS = resources.files("menteo.credentials") / "contexts"

UNSAFE_CHARACTERS = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")
"""C0 controls and DEL, except LF and CR: pyld, jsonld.js and RDFC-1.0 escape LF and CR alike
but disagree on the others (TAB, BS, FF, …), so a proof over them would not verify everywhere."""


class UnknownContextError(ValueError):
    """A document names a context that is not bundled."""


@cache
def _contexts() -> dict[str, str]:
    """URL → bundled file name, for every primary entry and its aliases."""
    index = json.loads((CONTEXTS / "index.json").read_text(encoding="utf-8"))
    files: dict[str, str] = {}
    for entry in index["entries"]:
        if entry.get("primary"):
            for url in [entry["url"], *entry.get("alias_urls", [])]:
                files[url] = entry["file"]
    return files


@cache
def _context_json(file: str) -> str:
    return (CONTEXTS / file).read_text(encoding="utf-8")


def load_document(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader that serves bundled contexts and refuses everything else.

    Each call parses a fresh copy because pyld may modify the documents it is given. The
    "static" tag lets pyld keep the processed context for the rest of the process (it is the
    same bundled file every time): context processing was four fifths of each signature."""
    file = _contexts().get(url)
    if file is None:
        raise UnknownContextError(f"JSON-LD context {url} is not bundled with menteo")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(_context_json(file)),
        "tag": "static",
    }


def check_characters(value: Any, field: str = "") -> None:
    """Refuse control characters anywhere in the document, keys included, naming the field."""
    if isinstance(value, str):
        if match := UNSAFE_CHARACTERS.search(value):
            raise ValueError(
                f"{field or 'value'}: control character U+{ord(match.group()):04X} "
                "cannot be signed portably; remove it"
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            path = f"{field}.{key}" if field else str(key)
            check_characters(key, path)
            check_characters(item, path)
    elif isinstance(value, list):
        for number, item in enumerate(value):
            check_characters(item, f"{field}[{number}]")


def canonical_nquads(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads. pyld calls the algorithm URDNA2015 and defaults to the
    obsolete URGNA2012, hence the explicit option. pyld is imported here, not with the module:
    it costs a tenth of a second, and a rebuild whose documents are all cached never needs it."""
    from pyld import jsonld

    check_characters(document)
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": load_document,
    }
    nquads: str = jsonld.normalize(document, options)
    return nquads
