"""Open Badges "baking": the credential travels inside its own image, so a recipient who only
keeps the picture can still prove the award.

OB 2.0 PNGs are baked byte for byte as openbadges-bakery bakes them, and unbaked by it. Its SVG
baker is not used: it adds a second element when re-baking, cannot write a `]]>` into its
CDATA, copies a JWS into the body although the spec's signed form is self-closing, and its
`unbake` answers the hosted URL instead of the baked JSON. OB 3.0 is not in the bakery at all.
So SVGs of both versions, and OB 3.0 PNGs, are baked here, to the same rules: one element or
chunk, replaced on re-baking, no timestamps, and extraction returns exactly the text that was
baked.
"""

from __future__ import annotations

import functools
import io
import json
import re
import zlib
from dataclasses import dataclass
from xml.dom.minidom import Document, Element

import png as pypng
from defusedxml.minidom import parseString

SVG_NS = "http://www.w3.org/2000/svg"
_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")
_CDATA_END = re.compile(r"(?<=\]\])(?=>)")
_SLOT = "menteo: the baked element goes here"


class NotBaked(ValueError):
    """The image carries no Open Badges data of the version asked for."""


@dataclass(frozen=True)
class _SvgTag:
    namespace: str
    local: str
    url_for_hosted: bool
    """OB 2.0 points `verify` at a hosted assertion's URL; OB 3.0 sets it only for a JWS."""


_OB2_SVG = _SvgTag("http://openbadges.org", "assertion", url_for_hosted=True)
_OB3_SVG = _SvgTag("https://purl.imsglobal.org/ob/v3p0", "credential", url_for_hosted=False)
_OB3_KEYWORD = b"openbadgecredential"


def _json_object(payload: str) -> dict[str, object] | None:
    """The payload as a JSON object, None for a compact JWS, and an error for anything else."""
    if _JWS.fullmatch(payload):
        return None
    try:
        document = json.loads(payload)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise ValueError("a baked payload must be a compact JWS or a JSON object")
    return document


# OB 2.0 PNG: openbadges-bakery's bytes


_OB2_KEYWORD = b"openbadges"


def bake_ob2_png(png: bytes, payload: str) -> bytes:
    """The PNG with one `openbadges` iTXt chunk after IHDR, replacing any earlier one: byte for
    byte what openbadges-bakery's `bake` writes (tests/test_rebuild_middle.py), without reading
    the image's chunks again for every award."""
    _json_object(payload)
    return _bake_png(png, _OB2_KEYWORD, payload)


@functools.lru_cache(maxsize=64)
def _png_around(png: bytes, keyword: bytes) -> tuple[bytes, bytes]:
    """The baked PNG's bytes before and after its baked chunk, which are all the payload does
    not change: the signature and IHDR, then every other chunk but an earlier one with this
    keyword. Every award of a badge bakes the same PNG, and reading its chunks was most of a
    bake."""
    header, *rest = pypng.Reader(bytes=png).chunks()
    before, after = io.BytesIO(), io.BytesIO()
    pypng.write_chunks(before, [header])
    for kind, data in rest:
        if not data.startswith(keyword + b"\0"):
            pypng.write_chunk(after, kind, data)
    return before.getvalue(), after.getvalue()


def _bake_png(png: bytes, keyword: bytes, payload: str) -> bytes:
    """`png` with an uncompressed iTXt chunk (empty language tag and translated keyword) of
    `payload` after IHDR, replacing any chunk with the same keyword."""
    before, after = _png_around(png, keyword)
    chunk = io.BytesIO()
    pypng.write_chunk(chunk, b"iTXt", keyword + b"\0\0\0\0\0" + payload.encode("utf-8"))
    return before + chunk.getvalue() + after


def extract_ob2_png(png: bytes) -> str:
    """The text baked by `bake_ob2_png` (or another OB 2.0 baker)."""
    from openbadges_bakery import png_bakery  # ~40 ms with rfc3986; only verifying reads a bake

    payload: str | None = png_bakery.unbake(io.BytesIO(png))
    if payload is None:
        raise NotBaked("no OB 2.0 'openbadges' chunk in this PNG")
    return payload


# OB 3.0 PNG: an iTXt chunk, uncompressed, empty language tag and translated keyword


def _is_ob3_chunk(data: bytes) -> bool:
    return data.startswith(_OB3_KEYWORD + b"\0")


def bake_ob3_png(png: bytes, payload: str) -> bytes:
    """The PNG with one `openbadgecredential` iTXt chunk after IHDR, replacing any earlier one."""
    _json_object(payload)
    return _bake_png(png, _OB3_KEYWORD, payload)


def extract_ob3_png(png: bytes) -> str:
    """The text of the first `openbadgecredential` iTXt chunk (decompressed if a baker did)."""
    for kind, data in pypng.Reader(bytes=png).chunks():
        if kind == b"iTXt" and _is_ob3_chunk(data):
            flag = data[len(_OB3_KEYWORD) + 1]
            _language, _translated, text = data[len(_OB3_KEYWORD) + 3 :].split(b"\0", 2)
            return (zlib.decompress(text) if flag else text).decode("utf-8")
    raise NotBaked("no OB 3.0 'openbadgecredential' chunk in this PNG")


# SVG, both versions: the namespace on the root, the element as its first child


def _cdata_sections(text: str) -> list[str]:
    """`]]>` cannot appear inside one CDATA section, so each one is split between two."""
    return _CDATA_END.split(text)


def _svg_root(svg: str) -> tuple[Document, Element]:
    document = parseString(svg)
    root = document.documentElement
    if root is None or (root.namespaceURI, root.localName) != (SVG_NS, "svg"):
        raise ValueError("not an SVG document (its root must be an SVG <svg>)")
    return document, root


def _prepared_svg(svg: str, tag: _SvgTag) -> tuple[Document, Element]:
    """The SVG with the namespace bound and any element of this version removed."""
    document, root = _svg_root(svg)
    bound = root.getAttribute("xmlns:openbadges")
    if bound not in ("", tag.namespace):
        raise ValueError(f"this SVG already binds the openbadges prefix to {bound}")
    for old in list(document.getElementsByTagNameNS(tag.namespace, tag.local)):
        assert old.parentNode is not None  # found under the document, so it has a parent
        old.parentNode.removeChild(old)
    if bound:  # re-added last, as on a first bake, so re-baking gives the same bytes
        root.removeAttribute("xmlns:openbadges")
    root.setAttribute("xmlns:openbadges", tag.namespace)
    return document, root


def _baked_element(
    document: Document, payload: str, document_json: dict[str, object] | None, tag: _SvgTag
) -> Element:
    element = document.createElementNS(tag.namespace, f"openbadges:{tag.local}")
    if document_json is None:
        element.setAttribute("verify", payload)
    else:
        hosted = str(document_json.get("id", ""))
        if tag.url_for_hosted and hosted.startswith(("https://", "http://")):
            element.setAttribute("verify", hosted)
        for section in _cdata_sections(payload):
            element.appendChild(document.createCDATASection(section))
    return element


@functools.lru_cache(maxsize=256)
def _svg_around(svg: str, tag: _SvgTag) -> tuple[str, str] | None:
    """The baked SVG's text before and after the baked element, which is all the payload
    changes: every award of a badge bakes the same SVG, and parsing and serialising it was
    most of a bake. None if the slot comment is not unique in the text (then bake in full)."""
    document, root = _prepared_svg(svg, tag)
    slot = document.createComment(_SLOT)
    root.insertBefore(slot, root.firstChild)
    text, marker = document.toxml(), slot.toxml()
    if text.count(marker) != 1:
        return None
    before, _marker, after = text.partition(marker)
    return before, after


def _bake_svg(svg: str, payload: str, tag: _SvgTag) -> str:
    document_json = _json_object(payload)
    around = _svg_around(svg, tag)
    if around is None:
        document, root = _prepared_svg(svg, tag)
        element = _baked_element(document, payload, document_json, tag)
        root.insertBefore(element, root.firstChild)
        return document.toxml()
    # minidom writes an element the same way alone and inside a document (no indentation).
    element = _baked_element(Document(), payload, document_json, tag)
    return around[0] + element.toxml() + around[1]


def _extract_svg(svg: str, tag: _SvgTag) -> str:
    _document, root = _svg_root(svg)
    found = root.getElementsByTagNameNS(tag.namespace, tag.local)
    if not found:
        raise NotBaked(f"no openbadges:{tag.local} element in this SVG")
    element = found[0]
    body = "".join(
        node.data
        for node in element.childNodes
        if node.nodeType in (node.CDATA_SECTION_NODE, node.TEXT_NODE)
    )
    return body if body.strip() else element.getAttribute("verify")


def bake_ob2_svg(svg: str, payload: str) -> str:
    """`<openbadges:assertion>` first in the SVG: a JWS in `verify`; hosted JSON in CDATA, its URL
    in `verify`."""
    return _bake_svg(svg, payload, _OB2_SVG)


def extract_ob2_svg(svg: str) -> str:
    """The JWS or assertion JSON baked by `bake_ob2_svg` (the body wins over the `verify` URL)."""
    return _extract_svg(svg, _OB2_SVG)


def bake_ob3_svg(svg: str, payload: str) -> str:
    """`<openbadges:credential>` first in the SVG: a VC-JWT in `verify`, a credential in CDATA."""
    return _bake_svg(svg, payload, _OB3_SVG)


def extract_ob3_svg(svg: str) -> str:
    """The VC-JWT or credential JSON baked by `bake_ob3_svg`."""
    return _extract_svg(svg, _OB3_SVG)
