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
_TEXT_RE = re.compile(r"<[^>]+>")
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
        if value.startswith("//"):
            return None
        if value.startswith("/") and not value.startswith(base_path):
            value = base_path + value[1:]
        if attribute == "src" and re.match(r"^[a-z][a-z0-9+.-]*:", value, re.I):
            return None
        return value

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


def plain_excerpt(text: str, limit: int = 220) -> str:
    """A short plain-text preview of Markdown (for lists and meta descriptions)."""
    text = _TEXT_RE.sub(" ", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    words = _WS_RE.sub(
        " ",
        re.sub(r"^\s*(?:[-*+]|\d+\.)\s+(?:\[[ xX]\]\s*)?|[#*_`>|~]|-{3,}", " ", text, flags=re.M),
    )
    words = html.unescape(words).strip()
    if len(words) <= limit:
        return words
    return words[: limit - 1].rsplit(" ", 1)[0] + "…"
