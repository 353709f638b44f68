"""`render_markdown`: GitHub-flavoured Markdown in, allow-listed HTML out; `plain_excerpt`."""

from __future__ import annotations

import pytest

from menteo.content.excerpt import plain_excerpt
from menteo.site.markdown import render_markdown

REL = 'rel="noopener noreferrer nofollow"'


def test_empty_text_renders_nothing() -> None:
    assert render_markdown("  \n\n") == ""


# ---------------------------------------------------------------- GitHub-flavoured Markdown


def test_table() -> None:
    assert render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n") == (
        "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n"
    )


def test_task_list() -> None:
    assert render_markdown("- [ ] todo\n- [x] done\n") == (
        '<ul class="contains-task-list">\n'
        '<li class="task-list-item"><input disabled="disabled" type="checkbox"> todo</li>\n'
        '<li class="task-list-item"><input checked="checked" disabled="disabled" type="checkbox">'
        " done</li>\n</ul>\n"
    )


def test_strikethrough() -> None:
    assert render_markdown("~~old~~ new") == "<p><s>old</s> new</p>\n"


def test_autolinks() -> None:
    assert render_markdown("see www.example.org and https://example.org/x") == (
        f'<p>see <a href="http://www.example.org" {REL}>www.example.org</a> and '
        f'<a href="https://example.org/x" {REL}>https://example.org/x</a></p>\n'
    )


def test_footnotes() -> None:
    assert render_markdown("Text[^1].\n\n[^1]: Note.\n") == (
        f'<p>Text<sup class="footnote-ref"><a href="#fn1" id="fnref1" {REL}>[1]</a></sup>.</p>\n'
        '<hr>\n<section class="footnotes">\n<ol class="footnotes-list">\n'
        f'<li id="fn1" class="footnote-item">\n<p>Note. <a href="#fnref1" {REL}>↩︎</a></p>\n'
        "</li>\n</ol>\n</section>\n"
    )


def test_heading_anchors_from_level_two_to_four() -> None:
    text = "# Title\n\n## Getting started\n\n### Next step\n\n#### Deep\n\n##### Deeper\n"
    assert render_markdown(text) == (
        "<h1>Title</h1>\n"
        '<h2 id="getting-started">Getting started</h2>\n'
        '<h3 id="next-step">Next step</h3>\n'
        '<h4 id="deep">Deep</h4>\n'
        "<h5>Deeper</h5>\n"
    )


def test_code_is_escaped() -> None:
    assert render_markdown("`<b>`\n\n```html\n<script>x</script>\n```\n") == (
        "<p><code>&lt;b&gt;</code></p>\n"
        '<pre><code class="language-html">&lt;script&gt;x&lt;/script&gt;\n</code></pre>\n'
    )


# ---------------------------------------------------------------- sanitising


def test_script_is_removed_with_its_content() -> None:
    assert render_markdown("<script>alert(1)</script>after") == "after\n"
    assert render_markdown("Hi <script>alert(1)</script> there") == "<p>Hi  there</p>\n"


def test_event_handlers_are_removed() -> None:
    text = '<img src="x.png" onerror="alert(1)"><a href="/x" onclick="go()">x</a>'
    assert render_markdown(text) == f'<p><img src="x.png"><a href="/x" {REL}>x</a></p>\n'


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<b>hi</b>", "vbscript:x"],
)
def test_dangerous_hrefs_in_html_are_removed(href: str) -> None:
    assert render_markdown(f'<a href="{href}">x</a>') == f"<p><a {REL}>x</a></p>\n"


@pytest.mark.parametrize(
    "text", ["[x](javascript:alert(1))", "[x](data:text/html;base64,PHNjcmlwdD4=)"]
)
def test_dangerous_markdown_links_stay_text(text: str) -> None:
    assert render_markdown(text) == f"<p>{text}</p>\n"


def test_iframe_and_style_are_removed() -> None:
    text = '<iframe src="https://evil.example"></iframe><style>body{}</style>ok'
    assert render_markdown(text) == "ok\n"


def test_style_and_class_attributes_are_removed() -> None:
    assert render_markdown('<div style="color:red" class="x">s</div>') == "<div>s</div>\n"


def test_remote_images_lose_their_source() -> None:
    text = '<img src="https://evil.example/x.png"> ![alt](https://evil.example/y.png)'
    assert render_markdown(text) == '<p><img> <img alt="alt"></p>\n'


@pytest.mark.parametrize(
    "text",
    [
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        '<img srcset="https://evil.example/x.png 1x">',
        '<img src="//evil.example/x.png">',
    ],
    ids=["data", "srcset", "protocol-relative"],
)
def test_other_remote_image_sources_are_dropped(text: str) -> None:
    assert render_markdown(text) == "<img>\n"


def test_media_elements_are_removed() -> None:
    text = (
        '<video src="https://evil.example/v.mp4"></video><audio src="https://e.example/a"></audio>'
    )
    assert render_markdown(text) == "<p></p>\n"


@pytest.mark.parametrize(
    ("src", "base"),
    [
        (" https://evil.example/x.png", "/base/"),
        ("\nhttps://evil.example/x.png", "/base/"),
        (" //evil.example/x.png", "/base/"),
        ("\\\\evil.example/x.png", "/base/"),
        ("/\\evil.example/x.png", "/"),
        ("/&#9;/evil.example/x.png", "/"),
    ],
    ids=["space-https", "newline-https", "space-slashes", "backslashes", "slash-backslash", "tab"],
)
def test_disguised_remote_images_lose_their_source(src: str, base: str) -> None:
    assert "evil.example" not in render_markdown(f'<img src="{src}">', base)


def test_local_image_is_kept_under_the_base_path() -> None:
    assert render_markdown("![local](/img/a.png)", "/base/") == (
        '<p><img src="/base/img/a.png" alt="local"></p>\n'
    )


def test_site_absolute_links_get_the_base_path_once() -> None:
    text = "[r](/roadmaps/x/) [b](/base/roadmaps/x/) [rel](../x/) [top](#top)"
    assert render_markdown(text, "/base/") == (
        f'<p><a href="/base/roadmaps/x/" {REL}>r</a> '
        f'<a href="/base/roadmaps/x/" {REL}>b</a> '
        f'<a href="../x/" {REL}>rel</a> '
        f'<a href="#top" {REL}>top</a></p>\n'
    )


def test_site_absolute_links_are_unchanged_at_the_root() -> None:
    assert render_markdown("[r](/roadmaps/x/)") == f'<p><a href="/roadmaps/x/" {REL}>r</a></p>\n'


def test_raw_html_links_get_the_base_path() -> None:
    assert render_markdown('<a href="/mentors/">m</a>', "/base/") == (
        f'<p><a href="/base/mentors/" {REL}>m</a></p>\n'
    )


@pytest.mark.parametrize("base", ["/", "/base/"])
def test_protocol_relative_links_are_removed(base: str) -> None:
    text = '[p](//evil.example/) <a href="//evil.example">e</a>'
    assert render_markdown(text, base) == f"<p><a {REL}>p</a> <a {REL}>e</a></p>\n"


def test_external_links_get_rel_and_lose_target() -> None:
    assert render_markdown('<a href="https://example.org" target="_blank">t</a>') == (
        f'<p><a href="https://example.org" {REL}>t</a></p>\n'
    )


def test_only_checkbox_inputs_keep_a_type() -> None:
    assert render_markdown('<input type="text" value="x"><input type="checkbox" checked>') == (
        '<p><input><input type="checkbox" checked=""></p>\n'
    )


# ---------------------------------------------------------------- plain excerpts


def test_excerpt_strips_markup() -> None:
    text = (
        "## Hello **world**\n\nSee [the docs](https://example.org) and ![pic](/a.png).\n\n"
        "- [x] done\n- item\n1. first\n\n> quoted `code` ~~old~~\n\n---\n\n<b>bold</b> &amp; more"
    )
    assert plain_excerpt(text) == (
        "Hello world See the docs and pic. done item first quoted code old bold & more"
    )


def test_excerpt_keeps_short_text_whole() -> None:
    assert plain_excerpt("one two three", limit=13) == "one two three"


def test_excerpt_truncates_on_a_word_boundary() -> None:
    assert plain_excerpt("one two three four five six", limit=12) == "one two…"
    long = plain_excerpt("alpha beta gamma delta " * 20)
    assert long == "alpha beta gamma delta " * 9 + "alpha beta…"
    assert len(long) <= 220


def test_excerpt_of_one_long_word_is_cut() -> None:
    assert plain_excerpt("onetwothreefourfive six", limit=10) == "onetwothr…"


def test_excerpt_keeps_a_word_that_ends_at_the_cut() -> None:
    assert plain_excerpt("one two three four", limit=14) == "one two three…"
