"""Badge images and Open Badges baking: valid, deterministic PNGs and exact bake/extract round
trips, checked against independent readers (pypng, openbadges-bakery, a chunk parser below)."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable

import openbadges_bakery
import png
import pytest
from defusedxml import ElementTree

from menteo.credentials import baking
from menteo.credentials.images import FONT, ShareCard, badge_svg, png_from_svg

SVG = "{http://www.w3.org/2000/svg}"
OB2_NS = "http://openbadges.org"
OB3_NS = "https://purl.imsglobal.org/ob/v3p0"
JWS = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIn0.eyJpZCI6InVybjp1dWlkOjEifQ.c2lnbmF0dXJlLV9fMDE"
DOCUMENT = json.dumps(
    {
        "id": "https://example.org/ob2/assertions/1.json",
        "name": "Łódź mentoring — 日本語 ✓",
        "narrative": "A tricky ]]> and ]]]>> inside <b>text</b> & more",
    },
    ensure_ascii=False,
)
PAYLOADS = pytest.mark.parametrize("payload", [DOCUMENT, JWS], ids=["json", "jws"])
COMMUNITY_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 80">
  <title>Community artwork</title>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#1f8a55"/>
  <stop offset="1" stop-color="#0a3f24"/></linearGradient></defs>
  <rect width="120" height="80" rx="10" fill="url(#g)"/>
  <text x="60" y="50" font-size="24" text-anchor="middle" fill="#fff">Hi</text>
</svg>"""
SNAPSHOT = """
import hashlib, json, sys
from menteo.credentials.images import ShareCard, badge_svg, png_from_svg
svg = badge_svg("Rising Star", 3, "mentee")
card = ShareCard("Rising Star — Ana Łukasiewicz", "Awarded", "Circle", svg)
outputs = [png_from_svg(svg, 96), card.png()]
json.dump([hashlib.sha256(o).hexdigest() for o in outputs], sys.stdout)
"""


def pixels(data: bytes) -> tuple[int, int]:
    """Decode every row with pypng (so the PNG is valid) and return its size."""
    width, height, rows, _info = png.Reader(bytes=data).asRGBA8()
    assert sum(1 for _ in rows) == height
    return width, height


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """A minimal PNG chunk reader that checks every CRC, independent of pypng and the bakery."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    found, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body), f"bad CRC on {kind!r}"
        found.append((kind, body))
        offset += 12 + length
    assert found[0][0] == b"IHDR" and found[-1][0] == b"IEND"
    return found


def itxt(data: bytes, keyword: bytes) -> list[tuple[int, str]]:
    """(chunk index, text) of every iTXt chunk with this keyword, asserting the baking rules."""
    hits = []
    for index, (kind, body) in enumerate(chunks(data)):
        if kind == b"iTXt" and body.split(b"\0", 1)[0] == keyword:
            rest = body[len(keyword) + 1 :]
            assert rest[:2] == b"\0\0", "compression flag and method must be 0"
            language, translated, text = rest[2:].split(b"\0", 2)
            assert (language, translated) == (b"", b"")
            hits.append((index, text.decode("utf-8")))
    return hits


@pytest.fixture(scope="module")
def badge_png() -> bytes:
    return png_from_svg(badge_svg("First Talk", 1, "mentee"), 64)


# Images


def test_badge_svg_is_well_formed_titled_and_escaped() -> None:
    svg = badge_svg("Tom & Jerry <3", 2, "mentor")
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("viewBox") == "0 0 512 512"
    assert root.find(f"{SVG}title").text == "Tom & Jerry <3"
    assert [t.text for t in root.iter(f"{SVG}text")] == ["T&", "TIER 2"]
    assert svg == badge_svg("Tom & Jerry <3", 2, "mentor")


def test_badge_images_differ_per_tier_and_audience() -> None:
    svgs = {(t, a): badge_svg("Mentor", t, a) for t in (1, 2, 3, 4) for a in ("mentor", "mentee")}
    pngs = {key: png_from_svg(svg, 48) for key, svg in svgs.items()}
    assert len(set(svgs.values())) == len(set(pngs.values())) == len(svgs)
    assert "<circle" in svgs[1, "mentor"] and "<path" in svgs[2, "mentor"]
    assert "<polygon" in svgs[4, "mentee"] and "#0b5cad" in svgs[1, "mentor"]
    assert "#11643a" in svgs[1, "mentee"]


def test_png_sizes_and_community_artwork() -> None:
    assert pixels(png_from_svg(badge_svg("Champion", 5, "mentor"), 256)) == (256, 256)
    # a non-square community drawing is centred on a square canvas, its text in the bundled font
    assert pixels(png_from_svg(COMMUNITY_SVG, 100)) == (100, 100)
    card = ShareCard("A very long title " * 12, "Awarded to Zoë " * 20, "Circle", COMMUNITY_SVG)
    assert pixels(card.png()) == (1200, 627)


def test_text_never_uses_system_fonts() -> None:
    def text(family: str) -> bytes:
        return png_from_svg(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40"><text x="2" y="30"'
            f' font-size="24" font-family="{family}">Ab</text></svg>',
            100,
        )

    assert FONT.is_file() and FONT.with_name("OFL.txt").is_file()
    assert text("Noto Sans") == text("DejaVu Sans") == text("monospace")
    assert text("Noto Sans") != png_from_svg('<svg xmlns="http://www.w3.org/2000/svg"/>', 100)


def test_images_are_deterministic_in_process_and_across_processes() -> None:
    svg = badge_svg("Rising Star", 3, "mentee")
    card = ShareCard("Rising Star — Ana Łukasiewicz", "Awarded", "Circle", svg)
    local = [png_from_svg(svg, 96), card.png()]
    again = [png_from_svg(svg, 96), card.png()]
    assert local == again
    digests = [hashlib.sha256(data).hexdigest() for data in local]
    for _ in range(2):
        run = subprocess.run(
            [sys.executable, "-c", SNAPSHOT], capture_output=True, text=True, check=True
        )
        assert json.loads(run.stdout) == digests


# Baking

Bake = Callable[[bytes, str], bytes]
Extract = Callable[[bytes], str]
PNG_BAKERS = pytest.mark.parametrize(
    ("bake", "extract", "keyword"),
    [
        (baking.bake_ob2_png, baking.extract_ob2_png, b"openbadges"),
        (baking.bake_ob3_png, baking.extract_ob3_png, b"openbadgecredential"),
    ],
    ids=["ob2", "ob3"],
)
SVG_BAKERS = pytest.mark.parametrize(
    ("bake", "extract", "namespace", "local"),
    [
        (baking.bake_ob2_svg, baking.extract_ob2_svg, OB2_NS, "assertion"),
        (baking.bake_ob3_svg, baking.extract_ob3_svg, OB3_NS, "credential"),
    ],
    ids=["ob2", "ob3"],
)


@PNG_BAKERS
@PAYLOADS
def test_png_round_trip_rebake_and_chunk_layout(
    badge_png: bytes, bake: Bake, extract: Extract, keyword: bytes, payload: str
) -> None:
    baked = bake(badge_png, "eyJ0.eyJ1.c2ln")
    rebaked = bake(baked, payload)
    assert extract(rebaked) == payload
    assert itxt(rebaked, keyword) == [(1, payload)]
    assert rebaked == bake(badge_png, payload)
    assert pixels(rebaked) == (64, 64)


@PAYLOADS
def test_ob2_png_is_read_by_openbadges_bakery(badge_png: bytes, payload: str) -> None:
    assert openbadges_bakery.unbake(io.BytesIO(baking.bake_ob2_png(badge_png, payload))) == payload


def test_ob3_png_from_a_baker_that_compresses(badge_png: bytes) -> None:
    header, *rest = png.Reader(bytes=badge_png).chunks()
    text = b"openbadgecredential\0\1\0en\0\0" + zlib.compress(DOCUMENT.encode())
    out = io.BytesIO()
    png.write_chunks(out, [header, (b"iTXt", text), *rest])
    assert baking.extract_ob3_png(out.getvalue()) == DOCUMENT


def test_ob2_and_ob3_chunks_live_side_by_side(badge_png: bytes) -> None:
    both = baking.bake_ob3_png(baking.bake_ob2_png(badge_png, JWS), DOCUMENT)
    assert (baking.extract_ob2_png(both), baking.extract_ob3_png(both)) == (JWS, DOCUMENT)


@SVG_BAKERS
@PAYLOADS
def test_svg_round_trip_rebake_and_layout(
    bake: Callable[[str, str], str],
    extract: Callable[[str], str],
    namespace: str,
    local: str,
    payload: str,
) -> None:
    svg = badge_svg("Reflective Learner", 2, "mentee")
    rebaked = bake(bake(svg, JWS), payload)
    assert extract(rebaked) == payload
    assert rebaked == bake(svg, payload)
    root = ElementTree.fromstring(rebaked)
    assert root[0].tag == f"{{{namespace}}}{local}"
    assert len(root.findall(f".//{{{namespace}}}{local}")) == 1
    assert f'xmlns:openbadges="{namespace}"' in rebaked.split(">", 2)[1]
    assert root.find(f"{SVG}title").text == "Reflective Learner"
    if payload == JWS:
        assert f'<openbadges:{local} verify="{JWS}"/>' in rebaked
    else:
        assert root[0].text == DOCUMENT and "<![CDATA[" in rebaked
        hosted = "https://example.org/ob2/assertions/1.json" if namespace == OB2_NS else None
        assert root[0].get("verify") == hosted


@PAYLOADS
def test_ob2_svg_is_read_by_openbadges_bakery(payload: str) -> None:
    baked = baking.bake_ob2_svg(badge_svg("Mentor", 1, "mentor"), payload)
    found = openbadges_bakery.unbake(io.BytesIO(baked.encode("utf-8")))
    # the bakery answers `verify` first: the JWS, or a hosted assertion's URL
    assert found == (JWS if payload == JWS else json.loads(DOCUMENT)["id"])


def test_community_svg_bakes_and_renders() -> None:
    baked = baking.bake_ob3_svg(COMMUNITY_SVG, DOCUMENT)
    assert baking.extract_ob3_svg(baked) == DOCUMENT
    assert png_from_svg(baked, 64) == png_from_svg(COMMUNITY_SVG, 64)


def test_refusals(badge_png: bytes) -> None:
    with pytest.raises(baking.NotBaked):
        baking.extract_ob3_png(badge_png)
    with pytest.raises(baking.NotBaked):
        baking.extract_ob2_png(baking.bake_ob3_png(badge_png, JWS))
    with pytest.raises(baking.NotBaked):
        baking.extract_ob3_svg(baking.bake_ob2_svg(COMMUNITY_SVG, JWS))
    with pytest.raises(ValueError, match="compact JWS or a JSON object"):
        baking.bake_ob3_png(badge_png, "https://example.org/not-a-payload")
    with pytest.raises(ValueError, match="not an SVG"):
        baking.bake_ob3_svg("<html/>", JWS)
