"""Badge artwork is published on the site's origin: only drawing features get through."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.factory import make_community

from menteo.content.artwork import artwork_problems
from menteo.content.loader import load_community
from menteo.errors import ContentError

GOOD = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'viewBox="0 0 10 10">\n'
    "  <title>Star</title>\n"
    '  <defs><linearGradient id="g"><stop offset="0" stop-color="#fc0"/></linearGradient></defs>\n'
    '  <circle cx="5" cy="5" r="4" fill="url(#g)" style="stroke: #000"/>\n'
    '  <use xlink:href="#g"/>\n'
    "</svg>\n"
)
HINT = "keep to shapes, text and gradients; export it as plain SVG without scripts or links"


def test_plain_drawing_is_accepted() -> None:
    assert artwork_problems(GOOD.encode(), "badges/images/star.svg") == []


@pytest.mark.parametrize(
    ("insert", "message"),
    [
        ("<script>alert(1)</script>", "element 'script' is not allowed in badge artwork"),
        (
            '<circle onload="alert(1)"/>',
            "event handler attribute 'onload' is not allowed in badge artwork",
        ),
        (
            '<a href="https://evil.example/"><circle/></a>',
            "element 'a' is not allowed in badge artwork",
        ),
        (
            '<use href="https://evil.example/x.svg#a"/>',
            "a link to 'https://evil.example/x.svg#a' (only #fragment references inside the file) is not allowed in badge artwork",
        ),
        (
            '<image href="https://evil.example/t.png"/>',
            "element 'image' is not allowed in badge artwork",
        ),
        (
            "<style>@import url(https://evil.example/x.css);</style>",
            "element 'style' is not allowed in badge artwork",
        ),
        (
            '<rect style="fill: url(https://evil.example/t)"/>',
            "attribute 'style' refers to something outside the file is not allowed in badge artwork",
        ),
        (
            '<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">hi</p></foreignObject>',
            "element 'foreignObject' is not allowed in badge artwork",
        ),
        (
            '<circle xmlns:x="urn:x" x:onclick="y"/>',
            "event handler attribute 'onclick' is not allowed in badge artwork",
        ),
    ],
)
def test_active_or_external_content_is_refused(insert: str, message: str) -> None:
    data = GOOD.replace("  <title>", insert + "\n  <title>").encode()
    [problem] = artwork_problems(data, "badges/images/star.svg")
    assert (problem.path, problem.line, problem.message, problem.hint) == (
        "badges/images/star.svg",
        2,
        message,
        HINT,
    )


def test_doctype_and_entities_are_refused() -> None:
    data = b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaa">]>\n<svg xmlns="http://www.w3.org/2000/svg"/>'
    [problem] = artwork_problems(data, "x.svg")
    assert (problem.line, problem.message) == (2, "a DOCTYPE is not allowed in badge artwork")


def test_not_svg_and_not_xml() -> None:
    [problem] = artwork_problems(b"<html><body/></html>", "x.svg")
    assert problem.message == (
        "the file is not an SVG image (its first element must be an SVG <svg>)"
    )
    [problem] = artwork_problems(b"<svg", "x.svg")
    assert problem.message.startswith("not well-formed SVG (")


def test_a_badge_with_unsafe_artwork_does_not_load(tmp_path: Path) -> None:
    badge = (
        "name: Star\ndescription: d\naudience: mentor\nimage: star.svg\n"
        "criteria:\n  sessions: {min: 1}\n"
    )
    root = make_community(tmp_path, {"badges/star.yaml": badge})
    (root / "badges/images").mkdir()
    (root / "badges/images/star.svg").write_text(GOOD.replace("<title>", "<script/><title>"))
    with pytest.raises(ContentError) as caught:
        load_community(root)
    assert [str(p) for p in caught.value.problems] == [
        f"badges/images/star.svg:2: element 'script' is not allowed in badge artwork ({HINT})"
    ]
    (root / "badges/images/star.svg").write_text(GOOD)
    assert load_community(root).badges["star"].model.image == "star.svg"
