"""The fast path for flat front matter must read every file exactly as the full YAML parser
does: same data, same types, same lines, or it must step aside (return None).

Compared on every YAML and front-matter file of the demo and test communities, and on seeded
random near-misses built from the constructs the fast path accepts and the ones it must not.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from menteo.content import safe_yaml
from menteo.content.markdown_file import normalise, split

REPO = Path(__file__).resolve().parent.parent
TREES = [REPO / "content", REPO / "badges", REPO / "menteo.yml", Path(__file__).parent / "fixtures"]

VALUES = [
    "x",
    "Some title",
    "achieved",
    "2025-01-01",
    "2025-02-30",
    "yes",
    "No",
    "on",
    "~",
    "null",
    "12",
    "1_000",
    "0x1f",
    "1:30",
    "3.5",
    ".inf",
    "[a, b]",
    "[]",
    "[2025-01-01, yes]",
    "['a']",
    '"q: x"',
    "'s'",
    '"with \\\\ backslash"',
    "'it''s'",
    "http://a.b/c",
    "a: b",
    "a #c",
    "a#b",
    "x:",
    "",
    "|",
    ">",
    "-dash",
    "*alias",
    "&anchor x",
    "!tag x",
    "{a: 1}",
    "Ünïcode",
    "美咲",
    "tab\there",
    "x [y] z",
    "%pct",
    "a  ",
]
INDENTS = ["  ", "  - ", "    ", "   ", "  -  ", "    - ", "\t", ""]
BLOCK = ["  text", "  more: text # x", "", "   extra", "  ", "      ", "    code", "  - item"]
KEYS = ["id", "title", "status", "yes", "on", "true", "links", "goals", "id"]


def full(text: str, offset: int) -> tuple[object, dict[object, int], list[object]] | None:
    try:
        node = yaml.compose(text, Loader=safe_yaml._Loader)
        builder = safe_yaml._Builder(offset, "f.yaml", text.split("\n"))
        return builder.build(node, (), 0), builder.lines, builder.warnings
    except (yaml.YAMLError, safe_yaml._Limit):
        return None


def assert_same(text: str, offset: int = 0) -> bool:
    """True if the fast path took `text` (and then agreed with the full parser)."""
    fast = safe_yaml._flat(text, offset)
    if fast is None:
        return False
    expected = full(text, offset)
    assert expected is not None, f"fast path accepted what YAML rejects: {text!r}"
    data, lines, warnings = expected
    assert repr(fast.data) == repr(data), text
    assert fast.lines == lines, text
    assert list(fast.warnings) == warnings, text  # a value cut by ` #` is never taken fast
    return True


def files() -> list[Path]:
    found = []
    for tree in TREES:
        paths = [tree] if tree.is_file() else sorted(tree.rglob("*"))
        found += [p for p in paths if p.suffix in (".md", ".yaml", ".yml") and p.is_file()]
    return found


def test_every_repository_file_reads_the_same() -> None:
    taken = 0
    for path in files():
        text = normalise(path.read_bytes())
        offset = 0
        if path.suffix == ".md":
            markdown = split(text)
            if markdown is None:
                continue
            text, offset = markdown.front_matter, 1
        taken += assert_same(text, offset)
    assert taken > 150  # the fast path is actually used on real content


@pytest.mark.parametrize("seed", range(4))
def test_random_near_misses_read_the_same(seed: int) -> None:
    rng = random.Random(seed)
    taken = 0
    for _ in range(2_500):
        lines = []
        for _ in range(rng.randint(1, 4)):
            value = rng.choice(VALUES)
            lines.append(f"{rng.choice(KEYS)}: {value}".rstrip())
            for _ in range(rng.randint(0, 4) if value in ("", "|") else 0):
                if value == "|":
                    lines.append(rng.choice(BLOCK))
                elif rng.random() < 0.7:
                    lines.append(f"{rng.choice(INDENTS)}{rng.choice(KEYS)}: {rng.choice(VALUES)}")
                else:
                    lines.append(f"{rng.choice(INDENTS)}{rng.choice(VALUES)}".rstrip() or "# c")
        text = "\n".join(lines) + rng.choice(["", "\n", "\n\n"])
        taken += assert_same(text)
    assert taken > 300


def test_examples_of_each_shape() -> None:
    assert assert_same("kind: session\ndate: 2025-01-02\ntags: [a, b]\n")
    assert assert_same("name: Ana\nlinks:\n  github: https://github.com/ana\n")
    assert assert_same("goals:\n  - id: a\n    title: A goal\n    status: achieved\n  - id: b\n")
    assert assert_same("bio: |\n  One.\n\n  Two: with a colon # and a hash\nname: x")
    assert assert_same('title: "Session 2: the plan"\n')
    assert not assert_same("title: Kick-off: goals\n")  # YAML's error, from the full parser
    assert assert_same("date: 2025-02-30\n")  # not a real date: both leave it as written
    assert not assert_same('title: "a \\" b"\n')  # escapes
    assert not assert_same("title: x # comment\n")


@pytest.mark.parametrize(
    "text",
    [
        "how_to_claim: Ask in the #mentoring channel.\n",
        "---\ntitle: Session #3\n---\n",
        "rewards:\n  - title: x\n    how_to_claim: Ping #help\n",
        "tags:\n  - a #b\n",
    ],
)
def test_values_cut_by_a_comment_are_left_to_the_full_parser(text: str) -> None:
    """Only the full parser sees comments, so only it can warn; the fast path steps aside."""
    assert safe_yaml._flat(text, 0) is None
    parsed = full(text.removeprefix("---\n").removesuffix("---\n"), 0)
    assert parsed is not None and len(parsed[2]) == 1
