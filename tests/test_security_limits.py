"""Hostile input costs what normal input costs, and every file-system oddity is a clean error.

Every file of a pull request is written by an attacker; each test here attacks through the real
CLI and fails on the code as it was before these limits.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.factory import FILES, KICKOFF, THREAD, THREAD_FILE, edit, make_community

from menteo.cli import main
from menteo.content import artwork
from menteo.content.artwork import artwork_problems
from menteo.credentials import images

BADGE = "badges/star.yaml"
ARTWORK = "badges/images/star.svg"
STAR = (
    "name: Star\ndescription: d\naudience: mentor\nimage: star.svg\n"
    "criteria:\n  sessions: {min: 1}\n"
)
HEAD = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' viewBox="0 0 100 100">\n'
)
ART_HINT = "keep to shapes, text and gradients; export it as plain SVG without scripts or links"
SIMPLER = "simplify the drawing, or export it flattened (without reused groups)"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def with_artwork(tmp_path: Path, svg: str | bytes) -> Path:
    root = make_community(tmp_path, {BADGE: STAR})
    (root / "badges/images").mkdir()
    data = svg.encode() if isinstance(svg, str) else svg
    (root / ARTWORK).write_bytes(data)
    return root


def nested_uses(levels: int, fan: int) -> str:
    """Billion laughs in SVG: each group uses the previous one `fan` times."""
    groups = ['<g id="l0"><circle cx="5" cy="5" r="4"/></g>']
    for level in range(1, levels + 1):
        uses = f'<use xlink:href="#l{level - 1}"/>' * fan
        groups.append(f'<g id="l{level}">{uses}</g>')
    return HEAD + "<defs>" + "\n".join(groups) + f'</defs>\n<use href="#l{levels}"/>\n</svg>\n'


# ---------------------------------------------------------------- artwork


def test_nested_use_artwork_is_refused_at_load_by_check_and_build(tmp_path: Path) -> None:
    bomb = nested_uses(10, 10)
    assert len(bomb) < 14_000
    root = with_artwork(tmp_path, bomb)
    for command in ("check", "build"):
        result = run(command, root)
        assert result.exit_code == 1, result.output
        # The innermost group over budget, on its own line: level 4 draws 11,111 circles.
        assert (
            f"{ARTWORK}:6: <g> costs too much to draw: it adds up to more than 10,000 units"
        ) in result.output
        assert SIMPLER in result.output
    assert not (root / "_site").exists()


@pytest.mark.parametrize(
    ("drawing", "line", "message"),
    [
        (
            '<?xml-stylesheet href="https://evil.example/x.css"?>\n' + HEAD + "</svg>",
            1,
            "a processing instruction <?xml-stylesheet ...?> is not allowed in badge artwork",
        ),
        (
            HEAD + '<rect style="fill: u\\72l(https://evil.example/t)"/>\n</svg>',
            2,
            "a backslash (CSS escape) in attribute 'style' is not allowed in badge artwork",
        ),
        (
            HEAD + "<rect fill=\"image-set('https://evil.example/t.png' 1x)\"/>\n</svg>",
            2,
            "attribute 'fill' uses a CSS image function is not allowed in badge artwork",
        ),
        (
            HEAD + '<rect style="fill: -webkit-cross-fade(#a, #b, 50%)"/>\n</svg>',
            2,
            "attribute 'style' uses a CSS image function is not allowed in badge artwork",
        ),
        (
            HEAD + '<rect style="fill: element(#a)"/>\n</svg>',
            2,
            "attribute 'style' uses a CSS image function is not allowed in badge artwork",
        ),
        (
            HEAD + "<rect style=\"fill: URL( '//evil.example/t')\"/>\n</svg>",
            2,
            "attribute 'style' refers to something outside the file is not allowed in badge "
            "artwork",
        ),
        (
            HEAD + '<g id="a"/>\n<g id="a"><circle r="1"/></g>\n</svg>',
            3,
            "the id 'a' is used twice (give each element its own id)",
        ),
        (
            HEAD + "<g>" * 40 + "</g>" * 40 + "\n</svg>",
            2,
            f"elements nested more than 32 deep ({SIMPLER})",
        ),
        (
            HEAD + "<circle/>" * 5_001 + "\n</svg>",
            2,
            f"more than 5,000 elements ({SIMPLER})",
        ),
    ],
)
def test_artwork_tricks_are_refused(tmp_path: Path, drawing: str, line: int, message: str) -> None:
    result = run("check", with_artwork(tmp_path, drawing))
    assert result.exit_code == 1, result.output
    hinted = message if message.endswith(")") else f"{message} ({ART_HINT})"
    assert f"{ARTWORK}:{line}: {hinted}" in result.output


@pytest.mark.parametrize(
    ("drawing", "line", "culprit"),
    [
        (HEAD + '<use id="a" href="#a"/>\n</svg>', 2, "<use> refers to itself or a loop"),
        (
            HEAD + '<g id="a">\n<g><use href="#b"/></g></g>\n<g id="b"><use href="#a"/></g></svg>',
            3,
            "<use> refers to itself or a loop",
        ),
        (
            HEAD + '<mask id="m">\n<rect mask="url(#m)"/></mask></svg>',
            3,
            "<rect> refers to itself or a loop",
        ),
    ],
)
def test_reference_loops_are_refused(tmp_path: Path, drawing: str, line: int, culprit: str) -> None:
    result = run("check", with_artwork(tmp_path, drawing))
    assert result.exit_code == 1, result.output
    assert f"{ARTWORK}:{line}: {culprit} ({SIMPLER})" in result.output


def test_layers_and_letters_count_towards_the_cost() -> None:
    layered = '<rect width="100" height="100" opacity=".5"/>\n'
    assert artwork_problems((HEAD + layered * 99 + "</svg>").encode(), "a.svg") == []
    [problem] = artwork_problems((HEAD + layered * 100 + "</svg>").encode(), "a.svg")
    assert (problem.line, problem.message.split(":")[0]) == (1, "<svg> costs too much to draw")
    # Inkscape writes opacity:1 on everything: that is no layer. A style beats an attribute.
    plain = '<rect style="opacity:1;fill:#f00" opacity="1"/>\n'
    assert artwork_problems((HEAD + plain * 4_000 + "</svg>").encode(), "a.svg") == []
    hidden = '<rect opacity="1" style="fill:#f00; opacity : 0.5"/>\n'
    assert artwork_problems((HEAD + hidden * 100 + "</svg>").encode(), "a.svg")
    letters = "<text>" + "W" * 2_400 + "</text>\n"
    assert artwork_problems((HEAD + letters + "</svg>").encode(), "a.svg") == []
    assert artwork_problems((HEAD + letters * 2 + "</svg>").encode(), "a.svg")
    gradient = '<linearGradient id="g"><stop offset="0"/></linearGradient>\n'
    painted = HEAD + gradient + '<rect fill="url(#g)"/>\n' * 4_000 + "</svg>"
    assert artwork_problems(painted.encode(), "a.svg") == [], "a paint is not drawn again"


def test_a_long_chain_of_references_is_measured_without_exhausting_the_stack() -> None:
    """Each `<use>` draws every one after it: 4,000 of them draw eight million shapes."""
    chain = "".join(f'<use id="u{n}" href="#u{n + 1}"/>' for n in range(4_000))
    data = (HEAD + chain + '<circle id="u4000"/></svg>').encode()
    [problem] = artwork_problems(data, "a.svg")
    assert problem.message.startswith("<svg> costs too much to draw: it adds up to more than")


def test_oversized_artwork_is_refused_before_it_is_parsed() -> None:
    data = (HEAD + "<!--" + "x" * artwork.MAX_BYTES + "--></svg>").encode()
    [problem] = artwork_problems(data, "a.svg")
    assert (problem.line, problem.message) == (0, "larger than 256 KiB")


def test_a_drawing_that_rasterises_too_slowly_fails_the_build_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backstop behind the load-time bounds: community artwork is rasterised in a child
    process that is killed at the deadline (here made tiny, so any drawing is too slow)."""
    root = with_artwork(tmp_path, HEAD + '<circle cx="50" cy="50" r="40"/>\n</svg>\n')
    monkeypatch.setattr(images, "DRAW_SECONDS", 0.000_1)
    images.png_from_svg.cache_clear()
    result = run("build", root, "--out", tmp_path / "site")
    assert result.exit_code == 1, result.output
    assert f"{ARTWORK}: it takes more than 0.0001 s to draw (simplify the drawing)" in (
        result.output
    )
    assert not (tmp_path / "site").exists()


def test_our_own_badges_are_drawn_in_process_and_community_artwork_in_a_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    children: list[str] = []
    bounded = images._bounded_render

    def counted(svg: str, width: int, height: int) -> bytes:
        children.append(svg)
        return bounded(svg, width, height)

    monkeypatch.setattr(images, "_bounded_render", counted)
    ours = images.badge_svg("Guide", 2, "mentor")
    theirs = HEAD + '<circle cx="50" cy="50" r="40"/>\n</svg>\n'
    images.png_from_svg.cache_clear()
    assert images.png_from_svg(theirs, 64) == images._render(theirs, 64, 64)
    images.png_from_svg(ours, 64)
    assert children == [theirs]
    with pytest.raises(images.DrawingError, match="cannot be drawn"):
        images.png_from_svg("<svg", 64)


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1989-12-31", "2101-01-01"])
def test_an_entry_dated_out_of_range_is_a_content_error(tmp_path: Path, day: str) -> None:
    moved = f"{THREAD}/{day}-kickoff.md"
    text = FILES[KICKOFF].replace("date: 2025-01-10", f"date: {day}")
    root = make_community(tmp_path, {KICKOFF: None, moved: text})
    for command in ("check", "build"):
        result = run(command, root)
        assert result.exit_code == 1, result.output
        assert (
            f"{moved}:3: date: {day} is not between 1990-01-01 and 2100-12-31 (check the year)"
        ) in result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        (
            edit(THREAD_FILE, "started: 2025-01-10", "started: 0001-01-01"),
            f"{THREAD_FILE}:3: started",
        ),
        (
            edit(THREAD_FILE, "status: in-progress", "status: in-progress\n    due: 9999-12-31"),
            f"{THREAD_FILE}:10: goals[0].due",
        ),
        (
            {
                BADGE: STAR.replace("image: star.svg\n", "").replace(
                    "{min: 1}", "{min: 1, since: 0001-01-01}"
                )
            },
            f"{BADGE}:5: criteria.sessions.since",
        ),
    ],
)
def test_every_date_field_has_the_range(
    tmp_path: Path, changes: dict[str, str | None], where: str
) -> None:
    result = run("check", make_community(tmp_path, changes))
    assert result.exit_code == 1, result.output
    assert f"{where}: " in result.output and "is not between 1990-01-01 and 2100-12-31" in (
        result.output
    )
