"""Characters content may not contain, refused when a file is read.

Control characters cannot be carried by XML 1.0 (feeds, sitemaps) and drive terminals; bidi
overrides reorder what a reviewer sees (so a name or a line of Markdown reads differently from
what it is); zero-width characters make two names look the same. Text of many lines (bodies,
descriptions) may keep tabs, line ends and the zero-width joiners that emoji and Persian need;
one-line text (names, titles, slugs, URLs, the ledger's reasons) may contain none of them.
"""

from __future__ import annotations

import re
import unicodedata

from menteo.errors import Problem

_EVERYWHERE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 but tab and line ends, DEL, C1
    "\u202a-\u202e\u2066-\u2069"  # bidi embeddings, overrides and isolates
    "\ud800-\udfff\ufffe\uffff"  # what XML 1.0 cannot carry either
)
_ONE_LINE = (
    _EVERYWHERE + "\t\n\r"
    "\u061c\u200e\u200f"  # the other bidi controls (marks)
    "\u200b-\u200d\u2060\ufeff"  # zero-width space, (non-)joiner, word joiner, BOM
    "\u2028\u2029"  # line and paragraph separators
)
_REFUSED = {False: re.compile(f"[{_EVERYWHERE}]"), True: re.compile(f"[{_ONE_LINE}]")}


def refused_character(text: str, one_line: bool) -> int | None:
    """The index of the first character `text` may not contain, or None. `one_line` is for
    names, titles, slugs, URLs and reasons; otherwise the looser rule of Markdown bodies."""
    found = _REFUSED[one_line].search(text)
    return found.start() if found else None


def describe(char: str) -> tuple[str, str]:
    """(message, hint) for a refused character, naming it by code point: it is invisible."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    if char in "\t\n\r":
        what = {"\t": "a tab", "\n": "a line break", "\r": "a carriage return"}[char]
        return f"{what} in one-line text", "write it on one line, without tabs"
    kind = "invisible character" if name else "control character"
    named = f" ({name})" if name else ""
    return f"contains the {kind} {code}{named}", f"remove the {kind} {code}"


def character_problem(
    text: str, path: str, line: int, field: str, one_line: bool
) -> Problem | None:
    """The problem with the first refused character of `text`, which starts on `line` of `path`
    (0: the whole file), located on its own line; None if there is none."""
    index = refused_character(text, one_line)
    if index is None:
        return None
    message, hint = describe(text[index])
    at = line + text.count("\n", 0, index) if line else 0
    return Problem(path, at, field, message, hint)
