"""Bounded, safe YAML that remembers the line of every key.

Content arrives in strangers' pull requests, so parsing must not construct objects and must not
let a small file cost unbounded time or memory. libyaml composes the node graph (aliases stay
shared, so a "billion laughs" file composes cheaply); our own walk then builds plain data while
counting aliases, nodes and depth, and stops at the first limit it crosses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from menteo.content.characters import character_problem, describe, refused_character
from menteo.errors import ContentError, Problem

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_ALIASES = 50
MAX_NODES = 50_000
MAX_SCALAR = 100_000

_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"
_ALIAS_RE = re.compile(r"(?:^|[\s\[{,:])\*[^\s*\]},]")
"""What could be an alias; Markdown **bold** in a bio is not, and needs no second parse."""
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path = tuple[str | int, ...]


_PATHS: dict[Path, Path] = {}
"""Each key path a record keeps the line of, once: a loaded community keeps every entry's
lines, and 10,000 entries' own `("title",)` tuples and strings were a quarter of its memory.
Bounded by the models' fields (records are kept only once their model is valid)."""


@dataclass(frozen=True)
class Located:
    """Parsed data plus the 1-based line of each key (mappings) or item (sequences)."""

    data: Any
    lines: dict[Path, int]
    warnings: tuple[Problem, ...] = ()
    """Text values a comment cut short (see `_Builder.cut_by_comment`)."""

    def lines_only(self) -> Located:
        """The same lines without the parsed data, for records that keep a validated model;
        each path one tuple shared by every record (`_PATHS`)."""
        return Located(None, {_PATHS.setdefault(path, path): n for path, n in self.lines.items()})

    def line_of(self, path: Path) -> int:
        """The line of `path`, or of its nearest located ancestor."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


def field_label(loc: Path) -> str:
    """`goals[1].status` for the data path ('goals', 1, 'status')."""
    label = ""
    for part in loc:
        label += f"[{part}]" if isinstance(part, int) else (f".{part}" if label else str(part))
    return label


class _Limit(Exception):
    def __init__(
        self, node: Node, message: str, hint: str, field: Path = (), below: int = 0
    ) -> None:
        self.node, self.message, self.hint, self.field = node, message, hint, field
        self.below = below
        """Lines below the node's first line, for a character inside a literal block."""


_COMMENT_AFTER = re.compile(r"(\s+)#(.?)")
"""What follows a plain value on its line when a comment starts there."""


class _Builder:
    def __init__(self, offset: int, file: str = "", source: list[str] | None = None) -> None:
        self.offset = offset
        self.file = file
        self.source = source
        """The document's lines, to see what follows a plain value (full parser only)."""
        self.warnings: list[Problem] = []
        self.lines: dict[Path, int] = {}
        self.nodes = 0
        self.aliases = 0
        self.seen: set[int] = set()
        self.active: set[int] = set()
        self.scalars = SafeConstructor()
        self.path: Path = ()
        """Where the walk is, so a problem with a value can name its field."""

    def line(self, node: Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def build(self, node: Node, path: Path, depth: int) -> Any:
        self.path = path
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Limit(
                node, f"more than {MAX_NODES} YAML values", "split the file or remove aliases"
            )
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if depth >= MAX_DEPTH:
            raise _Limit(node, f"nested deeper than {MAX_DEPTH} levels", "flatten the structure")
        if id(node) in self.active:
            raise _Limit(node, "a YAML alias refers to itself", "remove the recursive alias")
        if id(node) in self.seen:
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _Limit(node, f"more than {MAX_ALIASES} YAML aliases", "write the values out")
        self.seen.add(id(node))
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return self.sequence(node, path, depth)
            assert isinstance(node, MappingNode)  # the composer makes only these three kinds
            return self.mapping(node, path, depth)
        finally:
            self.active.discard(id(node))

    def check_tag(self, node: Node, allowed: set[str]) -> None:
        if node.tag not in allowed:
            raise _Limit(
                node,
                f"YAML tag {node.tag!r} is not allowed",
                "remove the tag; only plain text, numbers, booleans, dates, lists and mappings",
            )

    def check_characters(self, node: ScalarNode, field: Path, one_line: bool = False) -> None:
        """Refuse control and bidi characters, also those written as escapes ("\\x1b"); keys
        are field names, so they are one-line text."""
        index = refused_character(node.value, one_line)
        if index is not None:
            below = 1 + node.value.count("\n", 0, index) if node.style == "|" else 0
            raise _Limit(node, *describe(node.value[index]), field, below)

    def scalar(self, node: ScalarNode) -> Any:
        self.check_tag(node, _SCALAR_TAGS)
        if len(node.value) > MAX_SCALAR:
            raise _Limit(node, f"a value longer than {MAX_SCALAR} characters", "shorten it")
        if node.tag == _STR:
            self.check_characters(node, self.path)
            if not node.style and self.source is not None:  # plain: None, or "" from libyaml
                self.cut_by_comment(node)
            return node.value  # what PyYAML's text constructor returns, without its overhead
        try:
            return self.scalars.construct_object(node)
        except (ValueError, ConstructorError) as exc:
            if node.tag == _TAG + "timestamp":
                # 2025-09-31: left as written, so validation says "not a real date" at its
                # field together with the file's other problems instead of hiding them.
                return node.value
            raise _Limit(node, f"cannot read {node.value!r}", "quote the value", self.path) from exc

    def cut_by_comment(self, node: ScalarNode) -> None:
        """Warn when a comment starts right after a plain text value: in `how_to_claim: Ask in
        the #mentoring channel` YAML reads `Ask in the` and drops the rest as a comment. A
        comment set off by two spaces and starting `# ` (`theme: default  # built in`), the
        usual style of a meant comment, is left alone."""
        assert self.source is not None
        rest = self.source[node.end_mark.line][node.end_mark.column :]
        found = _COMMENT_AFTER.match(rest)
        if found is None or (len(found[1]) >= 2 and found[2] in ("", " ")):
            return
        key = self.path[-1] if self.path else ""
        written = json.dumps(node.value + rest.rstrip(), ensure_ascii=False)
        self.warnings.append(
            Problem(
                self.file,
                node.end_mark.line + 1 + self.offset,
                field_label(self.path),
                "quote the value: the rest was read as a comment",
                f"write {key}: {written}" if isinstance(key, str) else f"write - {written}",
            )
        )

    def sequence(self, node: SequenceNode, path: Path, depth: int) -> list[Any]:
        self.check_tag(node, {_TAG + "seq"})
        items = []
        for index, child in enumerate(node.value):
            self.lines[(*path, index)] = self.line(child)
            items.append(self.build(child, (*path, index), depth + 1))
        return items

    def mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        self.check_tag(node, {_TAG + "map"})
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _Limit(
                    key_node,
                    "a key that is a list or mapping is not allowed",
                    "write plain text keys",
                )
            if key_node.value == "<<":
                raise _Limit(
                    key_node, "YAML merge keys (<<) are not supported", "write the fields out"
                )
            if key_node.tag != _TAG + "str":
                shown = key_node.value
                raise _Limit(
                    key_node,
                    f"key {shown!r} is not plain text",
                    "quote the key; YAML reads yes/no/on/off as booleans and digits as numbers",
                )
            key = key_node.value
            self.check_characters(key_node, path, one_line=True)
            if key in result:
                raise _Limit(key_node, f"duplicate key {key!r}", "keep only one of them")
            self.lines[(*path, key)] = self.line(key_node)
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result


_SYNTAX_ADVICE = (
    # (what libyaml says, what to tell a contributor, how to fix it, point at where it opened)
    (
        "mapping values are not allowed",
        "a ': ' inside a value",
        'quote the value, e.g. title: "Kick-off: goals"',
        False,
    ),
    (
        "while scanning a quoted scalar",
        "a quoted value is never closed",
        "add the closing quote",
        True,
    ),
    ("while parsing a flow sequence", "a [list] is never closed", "add the closing ]", True),
    ("while parsing a flow mapping", "a {mapping} is never closed", "add the closing }", True),
    (
        "block sequence entries are not allowed",
        "a value starts with '- '",
        "quote it, or put the list items on the lines below",
        False,
    ),
)


_FLOW_CUT = re.compile(r"[\[{][^#]*\s#")
"""A `[` or `{` opened on a line, then a comment: the closing bracket was commented out."""
_VALUE_WITH_COLON = re.compile(r"""^\s*[^\s:#'"][^:#]*:\s+[^'"\s].*:(\s|$)""")


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, path: str, offset: int) -> Problem:
    """libyaml's error, in words a contributor can act on where we know the usual cause."""
    detail = ", ".join(filter(None, (exc.context, exc.problem))) or "syntax error"
    mark = exc.problem_mark or exc.context_mark
    message, hint = f"invalid YAML: {detail}", "check indentation and quoting"
    for said, meaning, fix, at_start in _SYNTAX_ADVICE:
        if said in detail:
            message, hint = f"invalid YAML: {meaning}", fix
            mark = (exc.context_mark or mark) if at_start else mark
            break
    lines = text.splitlines()
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "\t" in line:
        message, hint = "invalid YAML: a tab in the indentation", "indent with spaces"
    elif message.endswith("is never closed") and "quoted" not in message and _FLOW_CUT.search(line):
        opened = "{mapping}" if "{" in message else "[list]"
        message = f"invalid YAML: a ' #' inside this {opened} starts a comment, cutting it short"
        hint = 'quote the value that holds the #, e.g. how_to_claim: "Ask in #mentoring."'
    elif "mapping values" in detail and not _VALUE_WITH_COLON.match(line):
        message, hint = "invalid YAML: unexpected indentation", "line it up with the fields above"
    return Problem(path, (mark.line + 1 + offset) if mark else 0, "", message, hint)


_FLAT_LINE = re.compile(r"^([a-z_][a-z0-9_]*):(?: +(.*?))? *$")
_FLAT_ITEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_RESOLVER = yaml.resolver.Resolver()
_TAGS: dict[str, str] = {}
"""Plain value → its resolved tag: the same words (kinds, dates, slugs) recur in every file."""
_MAX_TAGS = 100_000


def _tag(value: str) -> str:
    tag = _TAGS.get(value)
    if tag is None:
        if len(_TAGS) >= _MAX_TAGS:
            _TAGS.clear()
        # types-PyYAML leaves Resolver.resolve unannotated; it returns the tag, a str.
        tag = _TAGS[value] = _RESOLVER.resolve(ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    return tag


def _flat_scalar(builder: _Builder, value: str) -> Any:
    """A plain scalar, resolved and built exactly as the full path would."""
    tag = _tag(value)
    return value if tag == _STR else builder.scalar(ScalarNode(tag, value))


def _flat_value(builder: _Builder, value: str) -> tuple[bool, Any]:
    """(True, data) for a one-line value the fast path reads exactly as YAML would."""
    if value.startswith("[") and value.endswith("]"):
        inner = value[1:-1].strip()
        items = [item.strip() for item in inner.split(",")] if inner else []
        if not all(_FLAT_ITEM.match(item) for item in items):
            return False, None
        return True, [_flat_scalar(builder, item) for item in items]
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        quoted = "\\" not in inner and value[0] not in inner and len(inner) < MAX_SCALAR
        return quoted, inner if quoted else None
    plain = value[:1].isalnum() and not (": " in value or " #" in value or value.endswith(":"))
    if value and not (plain and len(value) < MAX_SCALAR):
        return False, None
    return True, _flat_scalar(builder, value)


def _literal(lines: list[str], start: int) -> tuple[str, int] | None:
    """A `|` block indented by two spaces from lines[start:]: (its text, the next line)."""
    end = start
    while end < len(lines) and (lines[end].startswith("  ") or not lines[end].strip()):
        end += 1
    block = lines[start:end]
    content = [line for line in block if line]
    if (
        not content
        or content[0][2:3] == " "
        or any(not line.isprintable() or not line.strip() for line in content)
    ):
        return None  # whitespace-only lines change how YAML finds the indentation
    while not block[-1]:
        block.pop()
    ends_text = start + len(block) == len(lines)
    text = "\n".join(line[2:] for line in block) + ("" if ends_text else "\n")
    return (text, end) if len(text) < MAX_SCALAR else None


class _NotFlat(Exception):
    """The text needs the full parser."""


class _Flat:
    """The fast path's reader: data and lines, or `_NotFlat` at the first thing it does not
    handle exactly as YAML would."""

    def __init__(self, text: str, line_offset: int) -> None:
        self.builder = _Builder(line_offset)
        self.lines = text.split("\n")
        self.offset = line_offset
        self.located: dict[Path, int] = {}
        self.index = 0

    def pair(self, text: str, into: dict[str, Any]) -> tuple[str, str]:
        match = _FLAT_LINE.match(text)
        if match is None:
            raise _NotFlat
        key, value = match.group(1), match.group(2) or ""
        if key in into or _tag(key) != _STR:
            raise _NotFlat
        return key, value

    def value(self, value: str, where: Path, number: int) -> Any:
        ok, parsed = _flat_value(self.builder, value)
        if not ok:
            raise _NotFlat
        self.located[where] = number
        if isinstance(parsed, list):
            self.located.update({(*where, i): number for i in range(len(parsed))})
        return parsed

    def indented(self, prefix: str) -> tuple[str, int] | None:
        """The next line if it starts with `prefix` (consumed), else None."""
        if self.index < len(self.lines) and self.lines[self.index].startswith(prefix):
            line = self.lines[self.index]
            self.index += 1
            if not line.isprintable():
                raise _NotFlat
            return line[len(prefix) :], self.index + self.offset
        return None

    def mapping(self, key: str) -> dict[str, Any]:
        """`key:` followed by `  field: value` lines."""
        result: dict[str, Any] = {}
        while (found := self.indented("  ")) is not None:
            text, number = found
            if text[:1] in (" ", "#", "-", ""):
                raise _NotFlat
            field, value = self.pair(text, result)
            result[field] = self.value(value, (key, field), number)
        return result

    def sequence(self, key: str) -> list[Any]:
        """`key:` followed by `  - field: value` items (with `    field: value` lines) or
        `  - value` items."""
        items: list[Any] = []
        while (found := self.indented("  - ")) is not None:
            text, number = found
            where: Path = (key, len(items))
            self.located[where] = number
            if _FLAT_LINE.match(text) is None:
                item = self.value(text, where, number)
                if isinstance(item, list):
                    raise _NotFlat
                items.append(item)
                continue
            mapping: dict[str, Any] = {}
            while True:
                field, value = self.pair(text, mapping)
                mapping[field] = self.value(value, (*where, field), number)
                more = self.indented("    ")
                if more is None:
                    break
                text, number = more
                if text[:1] in (" ", "#", "-", ""):
                    raise _NotFlat
            items.append(mapping)
        return items

    def document(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        while self.index < len(self.lines):
            line = self.lines[self.index]
            self.index += 1
            number = self.index + self.offset
            if not line or (line.startswith("#") and line.isprintable()):
                continue
            if not line.isprintable():
                raise _NotFlat
            key, value = self.pair(line, data)
            following = self.lines[self.index] if self.index < len(self.lines) else ""
            if value == "|":
                block = _literal(self.lines, self.index)
                if block is None:
                    raise _NotFlat
                data[key], self.index = block
                self.located[(key,)] = number
            elif value == "" and following.startswith("  - "):
                self.located[(key,)] = number
                data[key] = self.sequence(key)
            elif value == "" and following.startswith("  "):
                self.located[(key,)] = number
                data[key] = self.mapping(key)
            else:
                data[key] = self.value(value, (key,), number)
        return data


def _flat(text: str, line_offset: int) -> Located | None:
    """The common case, fast: `key: value` lines whose values are plain words, simply quoted
    text, `|` blocks, `[a, b]` lists of plain words, one level of `  field: value` nesting, or
    a list of such items, as most front matter is. Anything else (escapes, comments after a
    value, deeper nesting, a duplicate key, a value YAML would not read as written) returns
    None, and the full parser decides. Plain values are resolved by PyYAML's own resolver, so
    both paths give the same data and lines (a test compares them on every file of the demo
    and benchmark communities, and on generated near-misses)."""
    reader = _Flat(text, line_offset)
    try:
        data = reader.document()
    except (_NotFlat, _Limit):  # a value the full parser must explain
        return None
    return Located(data, reader.located) if data else None


def load_yaml(text: str, path: str, line_offset: int = 0) -> Located:
    """Parse one YAML document from `text`; `line_offset` shifts lines (front matter)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ContentError(
            [Problem(path, 0, "", f"file is larger than {MAX_BYTES // 1024} KiB", "split it up")]
        )
    flat = _flat(text, line_offset)
    if flat is not None:
        return flat
    # Refused characters the values do not hold (in comments, or ones libyaml's reader stops
    # at) are reported after the values', which name their field.
    refused = character_problem(text, path, 1 + line_offset, "", one_line=False)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise ContentError([refused or _syntax_problem(exc, text, path, line_offset)]) from None
    except yaml.YAMLError as exc:
        raise ContentError(
            [refused or Problem(path, 0, "", f"invalid YAML: {exc}", "check the YAML syntax")]
        ) from None
    if root is not None and _ALIAS_RE.search(text):
        _count_aliases(text, path, line_offset)
    builder = _Builder(line_offset, path, text.split("\n") if " #" in text else None)
    try:
        data = builder.build(root, (), 0) if root is not None else {}
    except _Limit as exc:
        line = builder.line(exc.node) + exc.below
        raise ContentError(
            [Problem(path, line, field_label(exc.field), exc.message, exc.hint)]
        ) from None
    if refused is not None:
        raise ContentError([refused])
    return Located(data, builder.lines, tuple(builder.warnings))


def _count_aliases(text: str, path: str, line_offset: int) -> None:
    """Stop at the alias that crosses the limit, on its own line: composed nodes only know
    where their anchor is."""
    count = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            count += 1
            if count > MAX_ALIASES:
                assert event.start_mark is not None  # the parser marks every event it makes
                line = event.start_mark.line + 1 + line_offset
                message = f"more than {MAX_ALIASES} YAML aliases"
                raise ContentError([Problem(path, line, "", message, "write the values out")])
