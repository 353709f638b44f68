"""Markdown as GitHub renders it, made safe for pages that strangers' pull requests fill.

markdown-it-pyrs (compiled; a tenth of markdown-it-py's cost, the heaviest stage of a large build
after search) follows CommonMark + GFM (lists, indentation, tables, task lists, autolinks,
footnotes), so a pull-request preview shows what the site will show. Its HTML, raw HTML included,
gains what the engine leaves out (heading ids, disabled task boxes), then passes an
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
from markdown_it_pyrs import MarkdownIt

from menteo.content.excerpt import TAG_RE

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
_URL_NOISE_RE = re.compile(r"[\x00-\x20\x7f]")
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)
_HEADING_RE = re.compile(r"<h([2-4])>(.*?)</h\1>", re.S)
_NOT_SLUG_RE = re.compile(r"[^\w\u4e00-\u9fff\- ]")
_TASK_BOX = '<input class="task-list-item-checkbox" type="checkbox"'
_TASK_BOXES = {
    f"{_TASK_BOX} />": '<input disabled="disabled" type="checkbox" />',
    f'{_TASK_BOX} checked="" />': '<input checked="checked" disabled="disabled" type="checkbox" />',
}
_TASK_BOX_RE = re.compile("(" + "|".join(re.escape(box) for box in _TASK_BOXES) + ")(\n<p>)?")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable_many(
        ["table", "strikethrough", "autolink_ext", "tasklist", "footnote"]
    )


def _heading_ids(html_text: str) -> str:
    """Give each h2-h4 an id from its text, as GitHub does (lower case, spaces to hyphens,
    punctuation dropped, "-1", "-2"... on repeats), so a link to `#getting-started` works.
    The engine's own anchors add an icon link to every level instead."""
    seen: set[str] = set()

    def with_id(match: re.Match[str]) -> str:
        level, inner = match.groups()
        title = html.unescape(TAG_RE.sub("", inner))
        slug = base = _NOT_SLUG_RE.sub("", title.lower().replace(" ", "-"))
        repeat = 0
        while slug in seen:
            repeat += 1
            slug = f"{base}-{repeat}"
        seen.add(slug)
        return f'<h{level} id="{html.escape(slug)}">{inner}</h{level}>'

    return _HEADING_RE.sub(with_id, html_text)


def _disabled_task_boxes(html_text: str) -> str:
    """A task list's boxes show the author's ticks: a visitor cannot change them. In a loose
    list, the box goes inside the item's paragraph, on the line of its text (as on GitHub)."""

    def disabled(match: re.Match[str]) -> str:
        box, paragraph = match.groups()
        return (paragraph or "") + _TASK_BOXES[box]

    return _TASK_BOX_RE.sub(disabled, html_text)


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
    rendered = _disabled_task_boxes(_heading_ids(_parser().render(text)))
    return _cleaner(base_path).clean(rendered)
