"""Badge images and share cards as PNG, the same bytes on every machine.

Baked credentials and Open Graph previews are published files, so a rebuild elsewhere must not
change them. resvg rasterises without system fonts: the only font it sees is the bundled Noto Sans
(`fonts/`, OFL-1.1, the unmodified upstream variable font from the fontpkg-noto-sans 2.15 wheel).
Scripts it lacks (CJK, Arabic, emoji…) render as missing glyphs rather than borrowing a local font.
"""

from __future__ import annotations

import base64
import functools
import struct
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import resvg_py

FONT = Path(__file__).with_name("fonts") / "NotoSans-Variable.ttf"
FAMILY = "Noto Sans"
SHARE_SIZE = (1200, 627)
"""LinkedIn and Open Graph previews use 1.91:1."""

DRAW_SECONDS = 5
"""How long rasterising one community drawing may take (a typical one takes 0.1 s, in a child
process). Artwork is bounded when it is loaded (`content.artwork`), but per pixel some shapes cost
a hundred times others: within those bounds, 5,000 full-size shapes with gradients took minutes.
A drawing this slow fails the build instead, naming the file; ours are drawn in-process."""

_COLOURS = {"mentor": ("#0b5cad", "#073b70"), "mentee": ("#11643a", "#0a3f24")}
"""Fill and rim per audience: the emblem colours of the default theme (white text ≥ 6.5:1)."""
_GOLD = "#8a5a00"
_ACCENT = _COLOURS["mentor"][0]
"""The theme's link colour: the bar along the top of share cards and the site's name."""
_SHAPES = {
    1: '<circle cx="50" cy="50" r="45"/>',
    2: '<path d="M50 4 L92 22 V52 C92 74 74 90 50 97 C26 90 8 74 8 52 V22 Z"/>',
    3: '<polygon points="50,3 61,36 96,36 68,57 79,91 50,70 21,91 32,57 4,36 39,36"/>',
}
"""The theme's emblem outlines (viewBox 100): circle, shield, then a star from tier 3 on."""
_TEXT = f'font-family="{FAMILY}, sans-serif" font-weight="700" text-anchor="middle" fill="#ffffff"'


_OURS: set[str] = set()
"""Drawings `badge_svg` made in this process (or its parent): only these are rasterised in it."""


def _initials(name: str) -> str:
    """Up to two capitals, as the theme's emblem shows them."""
    words = unicodedata.normalize("NFC", name).split()
    return "".join(word[0] for word in words).upper()[:2]


def badge_svg(name: str, tier: int, audience: str) -> str:
    """A 512×512 SVG whose shape tells the tier and colour the audience, titled for screen readers."""
    fill, rim = _COLOURS[audience]
    star = tier >= 3
    label_y, label_size, name_y, name_size = (347, 34, 290, 112) if star else (385, 40, 290, 150)
    drawing = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512"'
        ' role="img">\n'
        f"<title>{escape(name)}</title>\n"
        f"<desc>A tier {tier} badge for {audience}s.</desc>\n"
        f'<g transform="scale(5.12)" fill="{fill}" stroke="{_GOLD if star else rim}"'
        f' stroke-width="4" stroke-linejoin="round">{_SHAPES[min(tier, 3)]}</g>\n'
        f'<text x="256" y="{name_y}" font-size="{name_size}" {_TEXT}>{escape(_initials(name))}</text>\n'
        f'<text x="256" y="{label_y}" font-size="{label_size}" letter-spacing="3" {_TEXT}>'
        f"TIER {tier}</text>\n"
        "</svg>\n"
    )
    _OURS.add(drawing)
    return drawing


def _render(svg: str, width: int, height: int) -> bytes:
    """Every generic family maps to the bundled font, so community artwork cannot reach system
    ones."""
    return resvg_py.svg_to_bytes(
        svg_string=svg,
        width=width,
        height=height,
        skip_system_fonts=True,
        font_files=[str(FONT)],
        font_family=FAMILY,
        sans_serif_family=FAMILY,
        serif_family=FAMILY,
        monospace_family=FAMILY,
        cursive_family=FAMILY,
        fantasy_family=FAMILY,
    )


class DrawingError(RuntimeError):
    """A badge drawing could not be rasterised in time, or at all: the artwork's fault."""


def _bounded_render(svg: str, width: int, height: int) -> bytes:
    """`_render` in a child process killed after `DRAW_SECONDS`: resvg cannot be interrupted,
    and a pull request's artwork must not hold a build for minutes."""
    command = [sys.executable, "-m", __name__, str(width), str(height)]
    try:
        done = subprocess.run(
            command, input=svg.encode("utf-8"), capture_output=True, timeout=DRAW_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise DrawingError(f"it takes more than {DRAW_SECONDS} s to draw") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no reason"]
        raise DrawingError(f"it cannot be drawn ({reason[-1][:200]})")
    return done.stdout


def _size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which always comes first."""
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _png_href(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@functools.lru_cache(maxsize=256)
def png_from_svg(svg: str, size: int) -> bytes:
    """A size×size PNG of any badge SVG, ours or a community's; other shapes are centred.
    Cached: every award of a badge, and its share card, rasterises the same SVG. Raises
    `DrawingError`."""
    png = _render(svg, size, size) if svg in _OURS else _bounded_render(svg, size, size)
    width, height = _size(png)
    if (width, height) == (size, size):
        return png
    # resvg fits the drawing inside the box; the second pass pads it to a square. The drawing goes
    # in as pixels because resvg does not give nested SVG images any fonts.
    return _render(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}">'
        f'<image x="{(size - width) // 2}" y="{(size - height) // 2}" width="{width}"'
        f' height="{height}" href="{_png_href(png)}"/></svg>',
        size,
        size,
    )


def _em(char: str) -> float:
    """A generous advance width in em for Noto Sans Bold, so estimated lines never overflow."""
    if unicodedata.combining(char):
        return 0.0
    if unicodedata.east_asian_width(char) in "WF" or char in "mwMW@%…":
        return 1.0
    if char == " ":
        return 0.3
    if char in "fijlrtI.,:;'!|()[]":
        return 0.45
    return 0.82 if char.isupper() else 0.66


def _width(text: str, font_size: int) -> float:
    return sum(_em(char) for char in text) * font_size


def _wrap(text: str, font_size: int, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap by estimated width; long words break anywhere, overflow ends in '…'."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if _width(candidate, font_size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if _width(line + char, font_size) > width:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]
    while last and _width(last + "…", font_size) > width:
        last = last[:-1]
    return [*lines[: max_lines - 1], last.rstrip() + "…"]


def _text_line(text: str, x: int, y: int, size: int, weight: int, colour: str) -> str:
    return (
        f'<text x="{x}" y="{y}" font-family="{FAMILY}" font-size="{size}" font-weight="{weight}"'
        f' fill="{colour}">{escape(text)}</text>\n'
    )


@functools.cache
def _glyphs() -> frozenset[int]:
    """Every code point the bundled font draws, from its format 12 `cmap` subtable."""
    data = FONT.read_bytes()
    (count,) = struct.unpack(">H", data[4:6])
    records = (struct.unpack(">4s4xI4x", data[12 + 16 * i : 28 + 16 * i]) for i in range(count))
    cmap = dict(records)[b"cmap"]
    (subtables,) = struct.unpack(">H", data[cmap + 2 : cmap + 4])
    for i in range(subtables):
        (offset,) = struct.unpack(">I", data[cmap + 8 + 8 * i : cmap + 12 + 8 * i])
        table = cmap + offset
        if data[table : table + 2] == b"\x00\x0c":
            (groups,) = struct.unpack(">I", data[table + 12 : table + 16])
            ranges = struct.iter_unpack(">III", data[table + 16 : table + 16 + 12 * groups])
            return frozenset(c for first, last, _ in ranges for c in range(first, last + 1))
    raise ValueError(f"{FONT.name} has no format 12 cmap")


def drawable(text: str) -> bool:
    """Whether the bundled font has every character of `text`: a card leaves out what it would
    draw as empty boxes (CJK, Arabic, Hebrew…); the page's own tags still carry the text."""
    glyphs = _glyphs()
    return all(ord(char) in glyphs or char.isspace() for char in text)


@dataclass(frozen=True)
class ShareCard:
    """What an Open Graph/LinkedIn card shows: a title, a subtitle, the site's name and, on the
    left, a badge (any SVG). Only text the font draws is shown."""

    title: str
    subtitle: str
    site: str
    emblem: str | None = None
    """A badge's SVG, drawn as pixels (community artwork gets no fonts nested in a card)."""

    def texts(self) -> tuple[str, str, str]:
        """Title, subtitle and footer as drawn: undrawable ones left out, the site's name not
        repeated."""
        title, subtitle = (text if drawable(text) else "" for text in (self.title, self.subtitle))
        site = self.site if drawable(self.site) and self.site != self.title else ""
        return title, subtitle, site

    @property
    def alt(self) -> str:
        """The card's text alternative: exactly what it shows."""
        return " · ".join(t for t in self.texts() if t)

    @property
    def key(self) -> tuple[str, ...]:
        """Everything that decides the card's pixels, for the image cache."""
        return ("share", *self.texts(), self.emblem or "")

    def png(self) -> bytes:
        return share_image(self)


def share_image(card: ShareCard) -> bytes:
    """A 1200×627 PNG of `card`: an accent bar, the emblem, the title and subtitle wrapped
    beside it, and the site's name along the bottom."""
    width, height = SHARE_SIZE
    title, subtitle, site = card.texts()
    footer, title_size, subtitle_size, site_size = 80, 52, 32, 28
    emblem, left = 420, 70
    top = (height - footer - emblem) // 2 + footer // 4
    text_x = left + emblem + 60 if card.emblem else left
    text_width = width - text_x - left
    title_lines = _wrap(title, title_size, text_width, 3)
    subtitle_lines = _wrap(subtitle, subtitle_size, text_width, 4)
    title_step, subtitle_step = round(title_size * 1.2), round(subtitle_size * 1.35)
    gap = 24 if title_lines and subtitle_lines else 0
    block = len(title_lines) * title_step + len(subtitle_lines) * subtitle_step + gap
    y = (height - footer - block) // 2 + footer // 4
    texts = []
    for line in title_lines:
        y += title_step
        texts.append(_text_line(line, text_x, y - title_step // 4, title_size, 700, "#1a1a1a"))
    y += gap
    for line in subtitle_lines:
        y += subtitle_step
        texts.append(
            _text_line(line, text_x, y - subtitle_step // 4, subtitle_size, 400, "#444444")
        )
    texts += [
        _text_line(line, left, height - 44, site_size, 700, _ACCENT)
        for line in _wrap(site, site_size, width - 2 * left, 1)
    ]
    image = ""
    if card.emblem:
        image = (
            f'<image x="{left}" y="{top}" width="{emblem}" height="{emblem}"'
            f' href="{_png_href(png_from_svg(card.emblem, emblem))}"/>\n'
        )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">\n'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>\n'
        f'<rect width="{width}" height="12" fill="{_ACCENT}"/>\n'
        f"{image}{''.join(texts)}</svg>\n"
    )
    return _render(svg, width, height)


if __name__ == "__main__":  # `_bounded_render`'s child: SVG on stdin, PNG on stdout
    sys.stdout.buffer.write(_render(sys.stdin.read(), int(sys.argv[1]), int(sys.argv[2])))
