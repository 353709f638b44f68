"""An entry's plain-text excerpt (lists, feeds, meta descriptions), made when the entry is read:
it is remembered with the entry (`parse_store`), so a rebuild excerpts only the entries that
changed, and the remembered entry keeps 220 characters instead of the 700 they are made from."""

from __future__ import annotations

import html
import re

TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
"""An HTML tag, opening or closing (its text is what a reader sees)."""
_LINE_START = (
    r"^(?:\s*\|?[-:| ]{3,}|-{3,}\s*|\s{0,3}(?:#{1,6}\s|>\s?|(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s*)?))"
)
_LINE_MARKUP_RE = re.compile(_LINE_START + r"|\s\|(?=\s|$)|^\|", re.M)
_LINE_START_RE = re.compile(_LINE_START, re.M)
"""`_LINE_MARKUP_RE` for text without a `|`, where only its first branch can match: tried at
every character, the others made it four times slower."""
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS_RE = re.compile(r"[*_~`]+")


def _emphasis(match: re.Match[str]) -> str:
    """Drop emphasis markers, but keep `_` and `*` inside words (snake_case, 2*3)."""
    text, start, end = match.string, match.start(), match.end()
    inside = start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()
    return match.group() if inside else ""


def plain_excerpt(text: str, limit: int = 220) -> str:
    """A short plain-text preview of Markdown (for lists and meta descriptions), cheaply: the
    full renderer runs once per entry, in the page workers, not here."""
    text = text[: limit * 3]
    # Each pass only where its pattern can match at all (a tag needs "<", a link "["): an
    # entry is excerpted when it is read.
    if "<" in text:
        text = TAG_RE.sub(" ", text)
    if "[" in text:
        text = _LINK_RE.sub(r"\1", text)
    text = (_LINE_MARKUP_RE if "|" in text else _LINE_START_RE).sub(" ", text)
    text = _EMPHASIS_RE.sub(_emphasis, text)
    # Runs of whitespace as one space (`split` and `\s` agree on what whitespace is); the
    # ends are stripped below either way.
    words = html.unescape(" ".join(text.split())).strip()
    if len(words) <= limit:
        return words
    cut = words[: limit - 1]
    if words[limit - 1] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"
