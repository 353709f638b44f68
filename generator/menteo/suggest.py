""" "Did you mean …?": the one way a mistyped name is answered with the closest known one.

A shared leaf: content validation, cross-references and the commands all suggest through it, so
the similarity threshold and the sentence are the same everywhere.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.6
"""How alike (difflib's ratio, 0 to 1) a known name must be to be suggested."""


def did_you_mean(word: str, known: Iterable[str], *, quote: bool = True) -> str | None:
    """ "did you mean 'closest'?" for the known name most like `word`, or None if none is close.
    `quote=False` leaves the name bare (an award id, which is never quoted)."""
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=CUTOFF)
    if not close:
        return None
    return f"did you mean {close[0]!r}?" if quote else f"did you mean {close[0]}?"


def in_parentheses(hint: str | None) -> str:
    """ " (hint)" to append to a message, or nothing without a hint."""
    return f" ({hint})" if hint else ""
