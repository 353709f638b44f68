"""Markdown as GitHub renders it, made safe for pages that strangers' pull requests fill.

markdown-it-py follows CommonMark + GFM (lists, indentation, tables, task lists, autolinks), so a
pull-request preview shows what the site will show. Its HTML, raw HTML included, then passes an
allow-list sanitizer (nh3/ammonia): scripts, event handlers, styles, frames and any URL scheme but
http(s) are removed. Site-absolute links (`/roadmaps/x/`) are resolved under the site's base path,
and images must be local: a page never makes a visitor's browser call another host.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

_TAGS = (nh3.ALLOWED_TAGS - {"area", "map", "center", "acronym", "strike", "tt"}) | {
    "input",
    "section",
}
_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"id", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "code": {"class"},
    "li": {"class"},
    "ul": {"class"},
    "ol": {"start", "class"},
    "section": {"class"},
    "sup": {"class"},
    "input": {"checked", "disabled"},
}
_TEXT_RE = re.compile(r"</?[A-Za-z][^>]*>")
_URL_NOISE_RE = re.compile(r"[\x00-\x20\x7f]")
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)
_LINE_MARKUP_RE = re.compile(
    r"^(?:\s*\|?[-:| ]{3,}|-{3,}\s*|\s{0,3}(?:#{1,6}\s|>\s?|(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s*)?))"
    r"|\s\|(?=\s|$)|^\|",
    re.M,
)
_EMPHASIS_RE = re.compile(r"[*_~`]+")
_WS_RE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.use(gfm_autolink_plugin).use(tasklists_plugin).use(footnote_plugin)
    return md.use(anchors_plugin, min_level=2, max_level=4)


def _url_filter(base_path: str) -> Callable[[str, str, str], str | None]:
    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute not in ("href", "src"):
            return value
        # Browsers drop ASCII whitespace and controls in URLs and read "\" as "/": judge the
        # URL they will actually follow, not the text as written.
        url = _URL_NOISE_RE.sub("", value).replace("\\", "/")
        if url.startswith("//"):
            return None
        scheme = _SCHEME_RE.match(url)
        if scheme and (attribute == "src" or scheme.group(1).lower() not in ("http", "https")):
            return None
        if url.startswith("/") and not url.startswith(base_path):
            url = base_path + url[1:]
        return url

    return keep


@lru_cache(maxsize=4)
def _cleaner(base_path: str) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=_TAGS,
        clean_content_tags={"script", "style", "textarea", "select", "iframe", "object", "embed"},
        attributes=_ATTRIBUTES,
        attribute_filter=_url_filter(base_path),
        tag_attribute_values={"input": {"type": {"checkbox"}}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str, base_path: str = "/") -> str:
    """Sanitised HTML for one Markdown document."""
    if not text.strip():
        return ""
    return _cleaner(base_path).clean(_parser().render(text))


def _emphasis(match: re.Match[str]) -> str:
    """Drop emphasis markers, but keep `_` and `*` inside words (snake_case, 2*3)."""
    text, start, end = match.string, match.start(), match.end()
    inside = start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()
    return match.group() if inside else ""


def plain_excerpt(text: str, limit: int = 220) -> str:
    """A short plain-text preview of Markdown (for lists and meta descriptions), cheaply: the
    full renderer runs once per entry, in the page workers, not here."""
    text = text[: limit * 3]
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", _TEXT_RE.sub(" ", text))
    text = _EMPHASIS_RE.sub(_emphasis, _LINE_MARKUP_RE.sub(" ", text))
    words = html.unescape(_WS_RE.sub(" ", text)).strip()
    if len(words) <= limit:
        return words
    cut = words[: limit - 1]
    if words[limit - 1] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"
