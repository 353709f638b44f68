"""Markdown files with YAML front matter, read the same way wherever they are read.

The loader reads every file once to validate it; entry bodies are read again when their page is
rendered (see `community.Body`). Both go through this one function, so both see the same text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def normalise(raw: bytes) -> str:
    """UTF-8 text without a byte-order mark, with Unix line ends (raises UnicodeDecodeError)."""
    return raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")


@dataclass(frozen=True)
class MarkdownFile:
    front_matter: str
    body: str
    """The Markdown after the front matter, without leading and trailing blank lines."""
    body_line: int
    """The 1-based line on which `body` starts."""


def split(text: str) -> MarkdownFile | None:
    """Front matter and body of `text`, or None when it does not start with front matter."""
    match = _FRONT.match(text)
    if match is None:
        return None
    rest = text[match.end() :]
    body = rest.lstrip("\n")
    line = text.count("\n", 0, match.end()) + 1 + len(rest) - len(body)
    return MarkdownFile(match.group(1) or "", body.rstrip("\n"), line)
