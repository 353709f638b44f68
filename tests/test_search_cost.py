"""What Pagefind is handed costs it CPU in proportion to its bytes: each page goes to it without
the `<meta>` and `<link>` tags at the start of its head that carry nothing Pagefind reads (a third
of an entry page), and the bundle it writes is byte for byte the one the whole pages give."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from menteo.cli import main
from menteo.site import search
from test_incremental import MINI, tree

CACHE = ".menteo/cache/search"
ENTRY = "threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/index.html"


def build(root: Path, out: Path) -> Result:
    return CliRunner().invoke(main, ["build", str(root), "--out", str(out), "--quiet"])


def whole(page: bytes) -> bytes:
    return page


# ---------------------------------------------------------------- what is left out


def test_plain_meta_and_link_tags_at_the_head_are_left_out() -> None:
    page = (
        b'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        b'<meta name="description" content="a, \'quoted\' \xc2\xb7 caf\xc3\xa9">\n'
        b"<title>T &lt; U</title>\n<link rel=stylesheet href=/static/style.css/>\n"
        b"<meta property='og:title' content=x >\n"
        b"</head><body><main data-pagefind-body><h1>T</h1></main></body></html>"
    )
    assert search.pagefind_input(page) == (
        b'<!DOCTYPE html>\n<html lang="en">\n<head>\n\n\n<title>T &lt; U</title>\n\n\n'
        b"</head><body><main data-pagefind-body><h1>T</h1></main></body></html>"
    )


@pytest.mark.parametrize(
    "tag",
    [
        b'<meta data-pagefind-meta="image[content]" content="/a.png">',
        b'<meta property="og:image" content="/a.png" DATA-PAGEFIND-FILTER="k">',
        b'<link rel="stylesheet" href="/_pagefind/pagefind-ui.css">',
        b'<meta id="top" name="x">',
        b"<link\nID=top rel=x>",
    ],
)
def test_a_tag_pagefind_reads_is_kept(tag: bytes) -> None:
    """Its `data-pagefind-*` attributes, an old bundle's link (a warning) and an `id` (it numbers
    the anchors after it) are read even in the head."""
    page = b'<html lang="en"><head>%s<meta name="a" content="b"></head><body></body></html>' % tag
    assert search.pagefind_input(page) == page.replace(b'<meta name="a" content="b">', b"")


@pytest.mark.parametrize(
    "page",
    [
        b'<html><head><script>"<meta name=x>"</script><meta name="x"></head></html>',
        b"<html><head><!-- --><meta name=x></head></html>",
        b"<html><head><title>a <meta name=x> b</title><meta name=y></head></html>",
        b'<html><head><meta name="x" content="unclosed></head><body>"<p>text</p></body></html>',
        b'<html><head><meta name="x" content="a > b"><meta name=y></head></html>',
        b"<html><head></head><body><meta name=x><p>text</p></body></html>",
        b"\xef\xbb\xbf<html><head><meta name=x></head></html>",
        b"<html><head><meta name=x content=a'b></head></html>",
        b"<html><head><meta name=a=b><meta name=y></head></html>",
        b"<html><head><META name=x><meta name=y></head></html>",
        b"<html><head><meta\xc2\xa0name=x><meta name=y></head></html>",
        b"<html><head>\xe2\x80\x83<meta name=x></head></html>",
        b"<html><head><meta\x0bname=x></head></html>",
    ],
)
def test_the_cut_ends_at_the_first_token_it_does_not_read_whole(page: bytes) -> None:
    """A script, a comment, a title holding markup, an attribute left open or holding `<`/`>`,
    the body, a byte order mark, an upper-case tag, a space HTML does not take for one
    (`<meta\u00a0name>` is another element, not a void one): from there on the page is handed as
    it is (here: all of it)."""
    assert search.pagefind_input(page) == page


def test_a_tag_inside_an_attribute_value_is_not_a_tag() -> None:
    page = b'<html data-x="<meta name=b>" lang="en"><head><meta name=c></head></html>'
    assert search.pagefind_input(page) == page
    page = b'<html lang="en"><head><meta name=c><link rel=x title="<meta name=b>"></head></html>'
    assert search.pagefind_input(page) == page.replace(b"<meta name=c>", b"")


# ---------------------------------------------------------------- the same index


def test_tricky_heads_index_as_the_whole_pages_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages that lean on what Pagefind reads in the head (a meta from a `<meta>`, the `<title>`
    as the fallback title, ids before the body, no body marker at all) give the same bundle."""
    heads = [
        '<meta charset="utf-8"><meta data-pagefind-meta="image[content]" content="/i.png">',
        '<title>Only a title</title><meta name="description" content="skip me">',
        '<link rel="icon" href="/f.svg"><meta id="early" name="x"><link rel=canonical href=/>',
    ]
    bodies = [
        '<main data-pagefind-body><h1>Quokka</h1><h2 id="more">More</h2><p>Text</p></main>',
        "<main data-pagefind-body><p>No heading, only text about wombats.</p></main>",
        "<p>No marker: the whole body.</p><h2 id=x>Numbat</h2>",
    ]
    site = tmp_path / "_site"
    pages = []
    for n, (head, body) in enumerate((h, b) for h in heads for b in bodies):
        pages.append(f"p{n}/index.html")
        (site / pages[-1]).parent.mkdir(parents=True)
        html = f'<!doctype html><html lang="en"><head>{head}</head><body>{body}</body></html>'
        (site / pages[-1]).write_text(html, encoding="utf-8")
    search.index_site(site, pages, shard_pages=100)
    cut = tree(site / search.SEARCH_DIR)
    shutil.rmtree(site / search.SEARCH_DIR)
    monkeypatch.setattr(search, "pagefind_input", whole)
    search.index_site(site, pages, shard_pages=100)
    assert tree(site / search.SEARCH_DIR) == cut


def recording_pagefind(tmp_path: Path) -> tuple[Path, Path]:
    """A Pagefind that keeps a copy of every request it reads; the real one answers."""
    log = tmp_path / "requests.log"
    script = tmp_path / "recording-pagefind"
    script.write_text(
        f'#!/bin/sh\ntee -a "{log}" | "{search._executable()}" "$@"\n', encoding="utf-8"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log


def handed(log: Path) -> dict[str, str]:
    """The page texts Pagefind was handed, by path."""
    texts = {}
    for message in log.read_bytes().split(b","):
        if message.strip():
            payload = json.loads(base64.b64decode(message))["payload"]
            if payload["type"] == "AddFile":
                texts[payload["file_path"]] = payload["file_contents"]
    return texts


def test_a_build_hands_pagefind_less_and_publishes_the_same_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the CLI: every page reaches Pagefind without its head's social and link tags
    (which the site keeps), and the published bundle equals the one whole pages give."""
    mini = shutil.copytree(MINI, tmp_path / "mini", ignore=shutil.ignore_patterns(".menteo"))
    script, log = recording_pagefind(tmp_path)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(script))
    out = tmp_path / "_site"
    result = build(mini, out)
    assert result.exit_code == 0, result.output
    texts = handed(log)
    page = (out / ENTRY).read_text(encoding="utf-8")
    assert '<meta property="og:title"' in page and '<link rel="stylesheet"' in page
    assert texts[ENTRY] == search.pagefind_input(page.encode("utf-8")).decode("utf-8")
    assert all('property="og:' not in text and "<link " not in text for text in texts.values())
    assert sum(map(len, texts.values())) < 0.8 * sum(
        len((out / path).read_text(encoding="utf-8")) for path in texts
    )
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    monkeypatch.setattr(search, "pagefind_input", whole)
    shutil.rmtree(mini / CACHE)
    reference = tmp_path / "_whole"
    assert build(mini, reference).exit_code == 0
    assert tree(out / search.SEARCH_DIR) == tree(reference / search.SEARCH_DIR)
    assert os.listdir(out / search.SEARCH_DIR)
