"""Badge artwork from a pull request is published on the site's own origin, where an SVG can run
scripts or load other sites' resources if it is opened directly. So an SVG is only accepted if
every element and attribute is on a short list of drawing features: no scripts, no event
handlers, no styles that import or fetch, no links out, no DTD (so no entity tricks).
"""

from __future__ import annotations

import re
import xml.parsers.expat

from menteo.errors import Problem

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ELEMENTS = {
    "svg", "g", "defs", "title", "desc", "path", "circle", "ellipse", "rect", "line",
    "polyline", "polygon", "text", "tspan", "linearGradient", "radialGradient", "stop",
    "clipPath", "mask", "use", "symbol",
}  # fmt: skip
_HINT = "keep to shapes, text and gradients; export it as plain SVG without scripts or links"
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)


class _Refused(Exception):
    pass


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
    if "javascript:" in lowered or "@import" in lowered or _EXTERNAL_URL.search(value):
        return f"attribute {local!r} refers to something outside the file"
    return None


def artwork_problems(data: bytes, path: str) -> list[Problem]:
    """Every reason (at most one, with its line) not to publish `data` as badge artwork."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")

    def refuse(message: str) -> None:
        raise _Refused(message)

    opened: list[str] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if not opened and (namespace, local) != (SVG, "svg"):
            refuse("the file is not an SVG image (its first element must be an SVG <svg>)")
        opened.append(local)
        if namespace != SVG or local not in ELEMENTS:
            refuse(f"element {local!r} is not allowed in badge artwork")
        for attribute, value in attributes.items():
            problem = _attribute_problem(attribute, value)
            if problem:
                refuse(problem + " is not allowed in badge artwork")

    def doctype(*_: object) -> None:
        refuse("a DOCTYPE is not allowed in badge artwork")

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        return [Problem(path, parser.CurrentLineNumber, "", str(exc), _HINT)]
    except xml.parsers.expat.ExpatError as exc:
        message = f"not well-formed SVG ({xml.parsers.expat.errors.messages[exc.code]})"
        return [Problem(path, exc.lineno, "", message, "open and save it again in an SVG editor")]
    return []
