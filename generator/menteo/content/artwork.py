"""Badge artwork from a pull request is published on the site's own origin, where an SVG can run
scripts or load other sites' resources if it is opened directly. So an SVG is only accepted if
every element and attribute is on a short list of drawing features: no scripts, no event
handlers, no styles that import or fetch, no links out, no DTD (so no entity tricks), no
processing instructions (`<?xml-stylesheet?>` loads CSS).

It is also rasterised by the build, so what it draws is bounded here, at load, where `check`
sees it too: an element costs one unit, a letter of text four, an element drawn on a layer of its
own (opacity, a mask, a clip path) a hundred more, and a reference (`<use>`, `url(#id)`) costs
what it draws, recursively. So 3 KB of groups, each reusing the last ten times, ten deep (ten
billion circles, minutes of drawing) is refused with its line. How long a unit takes depends on
the area it covers (measured at 512 px: a full-size rectangle 0.3 ms, a stroked circle 3.5 ms,
a gradient or a layer 25 ms), so rasterising has a deadline as well
(`credentials.images.DRAW_SECONDS`). Filters, patterns and images are not on the list at all.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from dataclasses import dataclass, field

from menteo.errors import Problem

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "path", "circle", "ellipse", "rect", "line",
    "polyline", "polygon", "text", "tspan", "linearGradient", "radialGradient", "stop",
    "clipPath", "mask", "use", "symbol",
}  # fmt: skip
GRADIENTS = {"linearGradient", "radialGradient"}
"""Paints, not drawings: a reference to one colours pixels without drawing anything again."""
MAX_BYTES = 256 * 1024
MAX_ELEMENTS = 5_000
MAX_DEPTH = 32
MAX_COST = 10_000
"""Units (see above) to draw the whole file: badge artwork has tens to hundreds of elements."""
LAYER_COST = 100
LETTER_COST = 4
_HINT = "keep to shapes, text and gradients; export it as plain SVG without scripts or links"
_SIMPLER = "simplify the drawing, or export it flattened (without reused groups)"
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_FETCHING = re.compile(r"(?<!\w)(image-set|image|element|cross-fade|src)\(", re.IGNORECASE)
"""CSS functions that load or paint other content (with any vendor prefix, `-webkit-image-set(`);
in CSS a name and its parenthesis are never apart, and backslash escapes are refused first."""
_PLAIN = {"opacity": "1", "mask": "none", "clip-path": "none", "mix-blend-mode": "normal",
          "isolation": "auto"}  # fmt: skip
"""Properties that, unless they have these values, make resvg draw an element on a layer of its
own and composite it (Inkscape writes `opacity:1` on every element: that is no layer)."""
_REFERENCE = re.compile(r"url\(\s*['\"]?\s*#([^'\")\s]+)", re.IGNORECASE)


class _Refused(Exception):
    pass


@dataclass
class _Node:
    """One element: where it is, what it contains and what it draws again by reference."""

    line: int
    local: str
    cost: int
    children: list[int] = field(default_factory=list)
    references: list[str] = field(default_factory=list)


def _attribute_problem(name: str, value: str) -> str | None:
    local = name.rsplit(" ", 1)[-1]
    namespace = name.rsplit(" ", 1)[0] if " " in name else ""
    lowered = value.casefold()
    if local.casefold().startswith("on"):
        return f"event handler attribute {local!r}"
    if local == "href" and namespace in ("", XLINK) and not value.startswith("#"):
        return f"a link to {value[:60]!r} (only #fragment references inside the file)"
    if namespace not in ("", XLINK):
        return f"attribute {local!r} from another namespace"
    if "\\" in value:
        # CSS escapes spell `url(` as `u\72l(`: no check could read every spelling.
        return f"a backslash (CSS escape) in attribute {local!r}"
    if "javascript:" in lowered or "@import" in lowered or _EXTERNAL_URL.search(value):
        return f"attribute {local!r} refers to something outside the file"
    if _FETCHING.search(value):
        return f"attribute {local!r} uses a CSS image function"
    return None


def _references(attributes: dict[str, str]) -> list[str]:
    """The ids an element draws or paints with: its href and every `url(#id)`."""
    found = [m.group(1) for value in attributes.values() for m in _REFERENCE.finditer(value)]
    for name in ("href", f"{XLINK} href"):
        value = attributes.get(name, "")
        if value.startswith("#"):
            found.append(value[1:])
    return found


def _layered(name: str, value: str) -> bool:
    plain = _PLAIN.get(name)
    if plain is None:
        return False
    value = value.strip().casefold()
    if name == "opacity":
        try:
            return not float(value) >= 1  # also NaN
        except ValueError:
            return True
    return value != plain


def _own_cost(attributes: dict[str, str]) -> int:
    """What drawing an element costs by itself, in units (see the module's docstring); a
    property counts whether it is an attribute or in `style`, whichever a renderer prefers."""
    declarations = [d.partition(":") for d in attributes.get("style", "").split(";")]
    properties = [*attributes.items(), *((n.strip().casefold(), v) for n, _, v in declarations)]
    return 1 + (LAYER_COST if any(_layered(n, v) for n, v in properties) else 0)


def _cost_problem(nodes: list[_Node], ids: dict[str, int]) -> tuple[int, str] | None:
    """The line and reason of the innermost element whose references loop or that costs more
    than `MAX_COST` to draw, following references recursively (iteratively: a chain of
    thousands of references must not exhaust Python's stack)."""
    size: dict[int, int] = {}
    visiting: set[int] = set()
    for start in range(len(nodes)):
        stack = [start]
        while stack:
            index = stack[-1]
            if index in size:
                stack.pop()
                continue
            node = nodes[index]
            targets = [ids[r] for r in node.references if r in ids]
            pending = [i for i in (*node.children, *targets) if i not in size]
            if index not in visiting:
                visiting.add(index)
                for other in pending:
                    if other in visiting:
                        return nodes[index].line, f"<{node.local}> refers to itself or a loop"
                stack.extend(pending)
                continue
            visiting.discard(index)
            stack.pop()
            drawn = [t for t in targets if nodes[t].local not in GRADIENTS]
            total = node.cost + sum(size[i] for i in (*node.children, *drawn))
            if total > MAX_COST:
                # Children and targets are sized first, so this is the innermost culprit.
                what = "what it draws by reference" if drawn else "it"
                return node.line, (
                    f"<{node.local}> costs too much to draw: {what} adds up to more than "
                    f"{MAX_COST:,} units (a shape is 1, a letter {LETTER_COST}, "
                    f"a shape with opacity, mask or clip-path {LAYER_COST + 1})"
                )
            size[index] = total
    return None


def artwork_problems(data: bytes, path: str) -> list[Problem]:
    """Every reason (at most one, with its line) not to publish `data` as badge artwork."""
    if len(data) > MAX_BYTES:
        message = f"larger than {MAX_BYTES // 1024} KiB"
        return [Problem(path, 0, "", message, _SIMPLER)]
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    nodes: list[_Node] = []
    ids: dict[str, int] = {}
    opened: list[int] = []

    def refuse(message: str, hint: str = _HINT) -> None:
        raise _Refused(message, hint)

    def start(name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if not opened and (namespace, local) != (SVG, "svg"):
            refuse("the file is not an SVG image (its first element must be an SVG <svg>)")
        if namespace != SVG or local not in ELEMENTS:
            refuse(f"element {local!r} is not allowed in badge artwork")
        for attribute, value in attributes.items():
            problem = _attribute_problem(attribute, value)
            if problem:
                refuse(problem + " is not allowed in badge artwork")
        if len(nodes) >= MAX_ELEMENTS:
            refuse(f"more than {MAX_ELEMENTS:,} elements", _SIMPLER)
        if len(opened) >= MAX_DEPTH:
            refuse(f"elements nested more than {MAX_DEPTH} deep", _SIMPLER)
        cost = _own_cost(attributes)
        node = _Node(parser.CurrentLineNumber, local, cost, references=_references(attributes))
        if opened:
            nodes[opened[-1]].children.append(len(nodes))
        identifier = attributes.get("id")
        if identifier is not None:
            if identifier in ids:
                # Which of the two a reference means differs between renderers.
                refuse(f"the id {identifier[:40]!r} is used twice", "give each element its own id")
            ids[identifier] = len(nodes)
        opened.append(len(nodes))
        nodes.append(node)

    def end(_: str) -> None:
        opened.pop()

    def text(data: str) -> None:
        if opened and nodes[opened[-1]].local in ("text", "tspan"):
            nodes[opened[-1]].cost += LETTER_COST * len(data.strip())

    def doctype(*_: object) -> None:
        refuse("a DOCTYPE is not allowed in badge artwork")

    def instruction(target: str, _: str) -> None:
        refuse(f"a processing instruction <?{target[:40]} ...?> is not allowed in badge artwork")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ProcessingInstructionHandler = instruction
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        message, hint = exc.args
        return [Problem(path, parser.CurrentLineNumber, "", message, hint)]
    except xml.parsers.expat.ExpatError as exc:
        message = f"not well-formed SVG ({xml.parsers.expat.errors.messages[exc.code]})"
        return [Problem(path, exc.lineno, "", message, "open and save it again in an SVG editor")]
    expensive = _cost_problem(nodes, ids)
    if expensive is not None:
        line, message = expensive
        return [Problem(path, line, "", message, _SIMPLER)]
    return []
