"""`load_yaml`: small hostile files stay cheap, nothing is constructed, every key has a line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from menteo.content.safe_yaml import MAX_ALIASES, MAX_BYTES, MAX_NODES, MAX_SCALAR, load_yaml
from menteo.errors import ContentError, Problem

TAG_HINT = "(remove the tag; only plain text, numbers, booleans, dates, lists and mappings)"
KEY_HINT = "(quote the key; YAML reads yes/no/on/off as booleans and digits as numbers)"
ALIASES = f"more than {MAX_ALIASES} YAML aliases"


def problem(text: str, line_offset: int = 0) -> Problem:
    with pytest.raises(ContentError) as caught:
        load_yaml(text, "f.yaml", line_offset)
    [only] = caught.value.problems
    return only


def message(text: str, line_offset: int = 0) -> str:
    return str(problem(text, line_offset))


def nested_mappings(levels: int) -> str:
    """`k0:` holding `k1:` … holding a text leaf, one key per line."""
    return "".join("  " * i + f"k{i}:\n" for i in range(levels)) + "  " * levels + "leaf\n"


def aliases(count: int) -> str:
    return "a: &x [1]\n" + "".join(f"k{i}: *x\n" for i in range(count))


# ---------------------------------------------------------------- bounds


def test_billion_laughs_is_rejected_by_the_alias_limit() -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    found = problem("\n".join(lines) + "\n")
    # The line is left out on purpose: it is the anchor's line, not the alias's (see below).
    assert (found.path, found.field, found.message, found.hint) == (
        "f.yaml",
        "",
        ALIASES,
        "write the values out",
    )


def test_aliases_up_to_the_limit_are_fine() -> None:
    data = load_yaml(aliases(MAX_ALIASES), "f.yaml").data
    assert data["k0"] == data[f"k{MAX_ALIASES - 1}"] == [1]


def test_one_alias_too_many_is_rejected() -> None:
    found = problem(aliases(MAX_ALIASES + 1))
    assert (found.message, found.hint) == (ALIASES, "write the values out")


def test_too_many_aliases_points_at_the_alias_over_the_limit() -> None:
    assert message(aliases(MAX_ALIASES + 1)) == f"f.yaml:52: {ALIASES} (write the values out)"


def test_recursive_alias() -> None:
    found = problem("a: &x\n  b: *x\n")
    assert (found.message, found.hint) == (
        "a YAML alias refers to itself",
        "remove the recursive alias",
    )


def test_recursive_alias_in_a_flow_list() -> None:
    assert (
        message("&x [*x]\n")
        == "f.yaml:1: a YAML alias refers to itself (remove the recursive alias)"
    )


def test_depth_limit() -> None:
    assert load_yaml(nested_mappings(32), "f.yaml").lines[tuple(f"k{i}" for i in range(32))] == 32
    assert message(nested_mappings(33)) == (
        "f.yaml:33: nested deeper than 32 levels (flatten the structure)"
    )


def test_node_count_limit() -> None:
    assert len(load_yaml("[" + ", ".join(["1"] * (MAX_NODES - 1)) + "]", "f.yaml").data) == (
        MAX_NODES - 1
    )
    assert message("[" + ", ".join(["1"] * MAX_NODES) + "]") == (
        f"f.yaml:1: more than {MAX_NODES} YAML values (split the file or remove aliases)"
    )


def test_node_count_limit_counts_aliased_values() -> None:
    big = "a: &x [" + ", ".join(["1"] * 2_000) + "]\n"
    text = big + "".join(f"k{i}: *x\n" for i in range(30))
    assert message(text).startswith(f"f.yaml:1: more than {MAX_NODES} YAML values")


def test_oversize_value() -> None:
    assert load_yaml("a: " + "x" * MAX_SCALAR, "f.yaml").data == {"a": "x" * MAX_SCALAR}
    assert message("a: " + "x" * (MAX_SCALAR + 1)) == (
        f"f.yaml:1: a value longer than {MAX_SCALAR} characters (shorten it)"
    )


def test_oversize_file() -> None:
    assert message("#" * (MAX_BYTES + 1)) == "f.yaml: file is larger than 1024 KiB (split it up)"


# ---------------------------------------------------------------- no objects, plain keys


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        (
            "a: !!python/object/apply:os.system ['echo hacked']\n",
            "tag:yaml.org,2002:python/object/apply:os.system",
        ),
        ("a: !!python/name:os.system\n", "tag:yaml.org,2002:python/name:os.system"),
        ("a: !foo bar\n", "!foo"),
        ("a: !foo [1, 2]\n", "!foo"),
        ("a: !!binary aGk=\n", "tag:yaml.org,2002:binary"),
        ("a: !!set {x}\n", "tag:yaml.org,2002:set"),
    ],
    ids=["python-object-apply", "python-name", "custom-scalar", "custom-list", "binary", "set"],
)
def test_tags_are_refused(text: str, tag: str) -> None:
    assert message(text) == f"f.yaml:1: YAML tag {tag!r} is not allowed {TAG_HINT}"


def test_duplicate_keys_point_at_the_second() -> None:
    assert message("a: 1\nb: 2\na: 3\n") == "f.yaml:3: duplicate key 'a' (keep only one of them)"


def test_duplicate_nested_keys() -> None:
    text = "links:\n  github: https://a.example\n  github: https://b.example\n"
    assert message(text) == "f.yaml:3: duplicate key 'github' (keep only one of them)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes: 1\n", "f.yaml:1: key 'yes' is not plain text"),
        ("name: x\n1: 2\n", "f.yaml:2: key '1' is not plain text"),
        ("2025-01-01: x\n", "f.yaml:1: key '2025-01-01' is not plain text"),
        ("null: x\n", "f.yaml:1: key 'null' is not plain text"),
    ],
    ids=["yes", "number", "date", "null"],
)
def test_keys_must_be_text(text: str, expected: str) -> None:
    assert message(text) == f"{expected} {KEY_HINT}"


def test_quoted_keys_are_text() -> None:
    assert load_yaml("'yes': 1\n'1': 2\n", "f.yaml").data == {"yes": 1, "1": 2}


def test_list_key_message_does_not_show_internals() -> None:
    assert "ScalarNode" not in message("? [a]\n: 1\n")


# ---------------------------------------------------------------- values and lines


def test_plain_values_are_built() -> None:
    text = "text: hi\nnumber: 3\nflag: true\nday: 2025-01-10\nnothing: null\nlist: [a, b]\n"
    data = load_yaml(text, "f.yaml").data
    assert data == {
        "text": "hi",
        "number": 3,
        "flag": True,
        "day": dt.date(2025, 1, 10),
        "nothing": None,
        "list": ["a", "b"],
    }


def test_empty_document_is_an_empty_mapping() -> None:
    assert load_yaml("# only a comment\n", "f.yaml").data == {}


def test_impossible_date_is_left_as_written_for_validation() -> None:
    """Validation then says "not a real date" at its field, with the file's other problems
    (tests/test_cli_ux.py); a parse error here would hide them."""
    assert load_yaml("a: 1\nb: 2025-02-30\n", "f.yaml").data == {"a": 1, "b": "2025-02-30"}


def test_unclosed_list_points_where_it_opens() -> None:
    assert message("a: 1\nb: [x, y\nc: 2\n") == (
        "f.yaml:2: invalid YAML: a [list] is never closed (add the closing ])"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "kind: session\ntitle: Kick-off: goals\n",
            "f.yaml:2: invalid YAML: a ': ' inside a value "
            '(quote the value, e.g. title: "Kick-off: goals")',
        ),
        (
            "a: 1\n  b: 2\n",
            "f.yaml:2: invalid YAML: unexpected indentation (line it up with the fields above)",
        ),
        ("a:\n\tb: 2\n", "f.yaml:2: invalid YAML: a tab in the indentation (indent with spaces)"),
        (
            "a: 1\nb: 'open\nc: 2\n",
            "f.yaml:2: invalid YAML: a quoted value is never closed (add the closing quote)",
        ),
        (
            "a: {x: 1\nb: 2\n",
            "f.yaml:1: invalid YAML: a {mapping} is never closed (add the closing })",
        ),
        (
            "title: - first\n",
            "f.yaml:1: invalid YAML: a value starts with '- ' "
            "(quote it, or put the list items on the lines below)",
        ),
        (
            "a: 1\nb: @x\n",
            "f.yaml:2: invalid YAML: while scanning for the next token, found "
            "character that cannot start any token (check indentation and quoting)",
        ),
    ],
)
def test_common_syntax_mistakes_are_explained(text: str, expected: str) -> None:
    assert message(text) == expected


def test_second_document_message_says_what_was_expected() -> None:
    assert "single document" in message("a: 1\n---\nb: 2\n")


def test_lines_of_nested_keys_and_list_items() -> None:
    text = "a:\n  b:\n    - x\n    - y: 1\n\n      z: 2\nc: [p,\n  q]\n"
    located = load_yaml(text, "f.yaml")
    assert located.lines == {
        ("a",): 1,
        ("a", "b"): 2,
        ("a", "b", 0): 3,
        ("a", "b", 1): 4,
        ("a", "b", 1, "y"): 4,
        ("a", "b", 1, "z"): 6,
        ("c",): 7,
        ("c", 0): 7,
        ("c", 1): 8,
    }
    assert located.line_of(("a", "b", 1, "z", "missing")) == 6
    assert located.line_of(("nowhere",)) == 1


def test_front_matter_offset_shifts_every_line() -> None:
    located = load_yaml("kind: session\ngoals:\n  - one\n", "e.md", line_offset=1)
    assert located.lines == {("kind",): 2, ("goals",): 3, ("goals", 0): 4}


def test_front_matter_offset_shifts_problem_lines() -> None:
    assert message("a: 1\nb: 2\na: 3\n", line_offset=1) == (
        "f.yaml:4: duplicate key 'a' (keep only one of them)"
    )
    assert message("a: 1\n  b: 2\n", line_offset=1) == (
        "f.yaml:3: invalid YAML: unexpected indentation (line it up with the fields above)"
    )


@pytest.mark.parametrize(
    ("text", "line", "field", "written"),
    [
        ("a: 1\nhow_to_claim: Ask in the #mentoring channel.\n", 2, "how_to_claim", None),
        ("tags:\n  - ok\n  - Ask #x\n", 3, "tags[1]", '"Ask #x"'),
        ("title: Sesión número #3 ✓\n", 1, "title", '"Sesión número #3 ✓"'),
        ("note: two spaces  #but no space after\n", 1, "note", None),
    ],
)
def test_a_text_value_cut_by_a_comment_is_a_warning_at_its_line(
    text: str, line: int, field: str, written: str | None
) -> None:
    located = load_yaml(text, "f.yaml", line_offset=1)
    (warning,) = located.warnings
    assert (warning.path, warning.line, warning.field) == ("f.yaml", line + 1, field)
    assert warning.message == "quote the value: the rest was read as a comment"
    if written is not None:
        assert warning.hint.endswith(written)
    fixed = load_yaml(warning.hint.removeprefix("write ") + "\n", "g.yaml")
    (value,) = fixed.data.values() if isinstance(fixed.data, dict) else fixed.data
    assert " #" in value and not fixed.warnings  # the suggested fix reads the whole text


@pytest.mark.parametrize(
    "text",
    [
        "theme: default  # the built-in theme\n",  # a meant comment: two spaces, then '# '
        "# a comment line\nname: x\n",
        'how_to_claim: "Ask in the #mentoring channel."\n',
        "bio: |\n  Ask in the #mentoring channel.\n",
        "tags: [a, b] # c\n",
        "count: 3 # not text\n",
        "empty: # nothing\n",
    ],
)
def test_meant_comments_and_quoted_values_are_not_warned(text: str) -> None:
    assert load_yaml(text, "f.yaml").warnings == ()


def test_a_flow_mapping_cut_by_a_comment_says_so() -> None:
    """The README's old example: the comment hid the closing brace."""
    text = "rewards:\n  - {title: Seat, how_to_claim: Ask in #mentoring.}\nname: x\n"
    assert message(text) == (
        "f.yaml:2: invalid YAML: a ' #' inside this {mapping} starts a comment, cutting it "
        'short (quote the value that holds the #, e.g. how_to_claim: "Ask in #mentoring.")'
    )


def test_every_yaml_example_in_the_docs_loads_whole() -> None:
    """README.md's and docs/*.md's YAML examples parse, and no comment cuts a value."""
    root = Path(__file__).resolve().parent.parent
    pages = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    blocks = [
        (page.name, block)
        for page in pages
        for block in re.findall(r"^```yaml\n(.*?)^```", page.read_text("utf-8"), re.M | re.S)
    ]
    assert len(blocks) >= 3
    for name, block in blocks:
        assert load_yaml(block, name).warnings == (), (name, block)
