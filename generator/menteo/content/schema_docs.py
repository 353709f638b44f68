"""The field tables of docs/content-model.md, generated from the JSON Schemas of the models.

A hand-written table drifts the day someone adds a field; these cannot, because a test fails
when the file differs from what this module writes. Regenerate after changing a model with

    python -m menteo.content.schema_docs --write docs/content-model.md
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from menteo.content.models import PERIOD_RE, SLUG_PATTERN, TIMEZONE_PATTERN
from menteo.content.schema import KINDS, json_schema

NOT_EXPANDED = {"Criterion"}
"""Badge criteria nest without end; docs/badges.md describes them."""
_MARKERS = re.compile(r"(<!-- fields:([a-z]+) -->\n).*?(<!-- /fields:\2 -->)", re.DOTALL)
_STRINGS = {
    SLUG_PATTERN: "slug",
    "^https://": "https URL",
    PERIOD_RE.pattern: "period (`6 weeks`)",
    TIMEZONE_PATTERN: "time zone",
}
_PLURALS = {"slug": "slugs", "language code": "language codes", "mapping": "mappings"}

Node = dict[str, Any]


def _resolved(node: Node, defs: dict[str, Node]) -> tuple[str | None, Node]:
    """The definition's name (for `$ref`s) and the node it stands for, without its `null`."""
    options = [o for o in node.get("anyOf", ()) if o.get("type") != "null"]
    if len(options) == 1:
        node = {**node, **options[0]}
    ref = node.get("$ref")
    if ref is None:
        return None, node
    name = ref.rsplit("/", 1)[1]
    return name, defs[name]


def _type(node: Node, defs: dict[str, Node]) -> str:
    name, node = _resolved(node, defs)
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    kind = node.get("type")
    if kind == "object" or name in NOT_EXPANDED:
        return "criterion" if name in NOT_EXPANDED else "mapping"
    if kind == "array":
        least = node.get("minItems")
        more = f", at least {least}" if least else ""
        item = _type(node["items"], defs)
        return f"list of {_PLURALS.get(item, item)}{more}"
    if kind in ("integer", "number"):
        low, high = node.get("minimum"), node.get("maximum")
        word = "whole number" if kind == "integer" else "number"
        return f"{word} {low}–{high}" if low is not None and high is not None else word
    if kind == "boolean":
        return "`true` \\| `false`"
    if node.get("format") == "date":
        return "date"
    if node.get("pattern") in _STRINGS:
        return _STRINGS[node["pattern"]]
    if "@" in node.get("pattern", ""):
        return "email address"
    if node.get("pattern", "").startswith("^[a-z]{2"):
        return "language code"
    return "one line" if node.get("maxLength", 0) <= 200 and node.get("minLength") else "text"


def _default(node: Node) -> str:
    if "default" not in node or node["default"] in (None, []) or isinstance(node["default"], dict):
        return ""  # a mapping's defaults are in its own rows
    return f"`{json.dumps(node['default'], ensure_ascii=False)}`"


def _rows(schema: Node, defs: dict[str, Node], prefix: str, seen: tuple[str, ...]) -> list[str]:
    rows = []
    required = set(schema.get("required", ()))
    for field, node in schema.get("properties", {}).items():
        name = f"{prefix}{field}"
        description = node.get("description", "").replace("|", "\\|")
        need = "yes" if field in required else ""
        rows.append(
            f"| `{name}` | {_type(node, defs)} | {need} | {_default(node)} | {description} |"
        )
        ref, target = _resolved(node, defs)
        suffix = "."
        if target.get("type") == "array":
            ref, target = _resolved(target["items"], defs)
            suffix = "[]."
        if ref and ref not in NOT_EXPANDED and ref not in seen and "properties" in target:
            rows += _rows(target, defs, f"{name}{suffix}", (*seen, ref))
    return rows


def field_table(kind: str) -> str:
    """The Markdown table of one kind's fields; nested mappings as `parent.field` rows."""
    schema = json_schema(kind)
    head = "| field | type | required | default | description |\n|---|---|---|---|---|\n"
    return head + "\n".join(_rows(schema, schema.get("$defs", {}), "", ())) + "\n"


def updated(text: str) -> str:
    """`text` with the table of every kind between its markers (`<!-- fields:mentor -->` …
    `<!-- /fields:mentor -->`) written anew; a kind without markers is an error."""
    missing = sorted(set(KINDS) - {m.group(2) for m in _MARKERS.finditer(text)})
    if missing:
        raise ValueError(f"no <!-- fields:KIND --> markers for: {', '.join(missing)}")
    return _MARKERS.sub(lambda m: m.group(1) + field_table(m.group(2)) + m.group(3), text)


def main(argv: list[str]) -> int:
    """`--write FILE` regenerates the tables in FILE; `--check FILE` exits 1 if they drifted."""
    if len(argv) != 2 or argv[0] not in ("--write", "--check"):
        print("usage: python -m menteo.content.schema_docs --write|--check FILE", file=sys.stderr)
        return 2
    path = Path(argv[1])
    text = path.read_text(encoding="utf-8")
    new = updated(text)
    if argv[0] == "--write":
        path.write_text(new, encoding="utf-8")
        return 0
    if new != text:
        print(f"{path}: field tables differ from the models; run --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
