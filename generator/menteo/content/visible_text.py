"""What a reader sees of a text, so that privacy checks judge that and not the spelling.

A pull request can hide an email address or a name behind markup the page will not show:
`a&#64;b.org`, `a<!-- -->@b.org`, `a<span>@</span>b.org`, `a\\@b.org`, a full-width `＠`. The checks
run on the Markdown source (so `check`, which renders nothing, refuses what `build` would
publish), after undoing every such spelling. Line breaks are kept, so a finding still points at
the line of the source it came from.
"""

from __future__ import annotations

import html
import re
import unicodedata

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
USERINFO_RE = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*:/*[^\s/?#@<>()\[\]\"'`]+@")
"""A URL with user information (`https://user@host`, `mailto:x@y`): often an email address,
and an address's local part is enough to find a person."""

_COMMENT_OR_TAG_RE = re.compile(r"<!--[^\x00]*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:[\s/][^>\x00]*)?>")
"""Never across a NUL, which separates texts judged together (see `consent_text`)."""
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_INVISIBLE_RE = re.compile("[\u00ad\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_MAYBE_EMAIL = re.compile("[\uff20\ufe6b]")
"""With @, & and %40: text without any of these has no email address in any spelling."""


def _newlines_only(match: re.Match[str]) -> str:
    return "\n" * match.group().count("\n")


def visible_text(text: str) -> str:
    """`text` as a reader sees it, NFKC-normalised: HTML comments and tags removed, entities
    decoded, Markdown escapes and emphasis markers dropped, percent-encoded `@` and invisible
    characters undone. The number of lines is kept (bar a decoded `&#10;`)."""
    if "<" in text:
        text = _COMMENT_OR_TAG_RE.sub(_newlines_only, text)
    if "&" in text:
        text = html.unescape(text)
    if "\\" in text:
        text = _ESCAPE_RE.sub(r"\1", text)
    text = text.replace("*", "").replace("`", "").replace("~", "").replace("%40", "@")
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", _INVISIBLE_RE.sub("", text))


_SPELLED_AT = re.compile(rb"&(?:#0*64|#[xX]0*40|commat)")
"""A rendered page always has entities (`&amp;`): only these can spell an `@`."""
_WIDE_AT = ("\uff20".encode(), "\ufe6b".encode())
"""The other characters NFKC makes an `@` of, in UTF-8 (both start with the byte EF)."""


def shows_email(page: bytes) -> bool:
    """Whether a rendered page (its UTF-8 bytes) shows an email address or links to a URL with
    user information: the last guard, for what no content check sees (a template in a pull
    request's overrides). Only a page with an `@` in some spelling is decoded and judged: that
    is looked for with a few searches for bytes (each a quick C loop, together a fifth of the
    cost of one regular expression looking for any of them)."""
    spelled = (
        b"@" in page
        or (b"%" in page and b"%40" in page)
        or (b"\xef" in page and any(wide in page for wide in _WIDE_AT))
        or _SPELLED_AT.search(page) is not None
    )
    if not spelled:
        return False
    text = page.decode("utf-8", "replace")
    return bool(EMAIL_RE.search(text) or USERINFO_RE.search(text)) or email_line(text) is not None


def email_line(text: str) -> int | None:
    """The 0-based line of `text` on which an email address (or a URL's `user@`) shows, in any
    spelling, or None."""
    quiet = "@" not in text and "&" not in text and "%40" not in text
    if quiet and (text.isascii() or not _MAYBE_EMAIL.search(text)):
        return None
    seen = visible_text(text)
    found = EMAIL_RE.search(seen) or USERINFO_RE.search(seen)
    return None if found is None else seen.count("\n", 0, found.start())
