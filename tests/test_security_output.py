"""Every output channel is escaped for its reader, and invisible characters are refused at load.

A pull request writes file names, badge names, titles and bodies. None of it may become a GitHub
workflow command (a log line starting with `::`), a terminal escape sequence, markup in a step
summary or a pasted report (HTML, headings, links, images, @team mentions), or a character that
makes a feed unreadable XML; and none of it may make a command crash with a traceback.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from markdown_it import MarkdownIt

from factory import FILES, KICKOFF, MENTEE, MENTOR, THREAD, THREAD_FILE, edit, make_community
from menteo.cli import main
from menteo.content.characters import character_problem, describe, refused_character
from menteo.errors import Problem
from menteo.escaping import (
    markdown_code,
    markdown_text,
    visible,
    workflow_data,
    workflow_property,
    xml_invalid,
)
from test_check_github import ANNOTATION, THANKED, pending_community
from test_ledger import BADGES, EPOCH

ROOT = Path(__file__).resolve().parent.parent
BADGE = "badges/star.yaml"
STAR = """\
name: {name}
audience: mentor
description: A first session held.
criteria:
  sessions: {{min: 1}}
"""
GITHUB_MARKDOWN = MarkdownIt("commonmark").enable("table").enable("strikethrough")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": EPOCH, **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def log_lines(result: Result) -> list[str]:
    """Lines as strictly as anything may split them (also at \\v, \\x85, U+2028), after checking
    that no line holds a control, bidi or other invisible character."""
    for text in (result.stdout, result.stderr):
        for line in text.removesuffix("\n").split("\n"):
            assert line.isprintable(), repr(line)
    return [*result.stdout.splitlines(), *result.stderr.splitlines()]


def assert_no_workflow_command(result: Result) -> None:
    """No line a GitHub runner reads (stdout or stderr) starts with `::`, and no terminal
    control character reaches it."""
    for line in log_lines(result):
        assert not line.startswith("::"), line


def assert_only_our_annotations(result: Result) -> None:
    """In github format the only `::` lines are our annotations, each well formed and escaped."""
    for line in log_lines(result):
        if line.startswith("::"):
            assert ANNOTATION.match(line), line


def check_github(root: Path, tmp_path: Path) -> tuple[Result, str]:
    summary = tmp_path / "step-summary.md"
    summary.write_text("", encoding="utf-8")
    result = run(
        "check", str(root), "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    return result, summary.read_text(encoding="utf-8")


# ---------------------------------------------------------------- file names


def test_file_name_with_a_workflow_command_is_refused_and_printed_escaped(tmp_path: Path) -> None:
    root = make_community(tmp_path / "c", {"content/mentors/x\n::warning::x.yaml": "name: X\n"})
    for command in ("check", "build"):
        result = run(command, str(root))
        assert result.exit_code == 1
        assert_no_workflow_command(result)
        assert "content/mentors/x\\n::warning::x.yaml: 'x\\n::warning::x' is not a valid slug" in (
            result.stderr
        )
    result, summary = check_github(root, tmp_path)
    assert result.exit_code == 1
    assert_only_our_annotations(result)
    assert [line for line in result.stdout.splitlines() if line.startswith("::")] == [
        "::error file=content/mentors/x%0A%3A%3Awarning%3A%3Ax.yaml,title=menteo::"
        "'x\\n::warning::x' is not a valid slug for a file name "
        "(rename it using lowercase letters, digits and single hyphens)"
    ]
    assert "| `content/mentors/x\\n::warning::x.yaml` |" in summary
    assert not any(line.startswith("::") for line in summary.splitlines())
    printed = run("check", str(root), "--format", "github")  # the summary on stdout, off CI
    assert "| `content/mentors/x\\n::warning::x.yaml` |" in printed.stdout
    assert_only_our_annotations(printed)


def test_a_line_break_ending_a_file_name_is_not_part_of_a_slug(tmp_path: Path) -> None:
    """`re.match` lets `$` match before a final line break: 'cy\\n' passed as a slug."""
    root = make_community(
        tmp_path / "c", {"content/mentees/cy\n.yaml": "name: Cy\n", f"{THREAD}x\n/a.md": "x"}
    )
    result = run("check", str(root))
    assert result.exit_code == 1
    assert_no_workflow_command(result)
    assert (
        "content/mentees/cy\\n.yaml: 'cy\\n' is not a valid slug for a file name" in result.stderr
    )
    assert "content/threads/ana-lima--bo-chenx\\n: 'ana-lima--bo-chenx\\n' is not a valid slug" in (
        result.stderr
    )


def test_terminal_escape_sequences_in_paths_are_not_printed_raw(tmp_path: Path) -> None:
    root = make_community(tmp_path / "c", {"content/mentors/\x1b]0;pwned\x07\x1b[2J.yaml": "x"})
    result = run("check", str(root))
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "content/mentors/\\x1b]0;pwned\\x07\\x1b[2J.yaml:" in result.stderr


def test_an_undecodable_file_name_is_reported_escaped_and_as_valid_utf8(tmp_path: Path) -> None:
    root = make_community(tmp_path / "c")
    (root / "content/mentors").joinpath(
        b"\xff\xfe.yaml".decode("utf-8", "surrogateescape")
    ).write_text("name: X\n", encoding="utf-8")
    result = run("check", str(root))
    assert result.exit_code == 1
    assert "content/mentors/\\udcff\\udcfe.yaml:" in result.stderr
    result = run("check", str(root), "--format", "json")
    document = json.loads(result.stdout_bytes.decode("utf-8"))  # UTF-8 cannot carry surrogates
    assert document["problems"][0]["path"] == "content/mentors/\udcff\udcfe.yaml"


# ---------------------------------------------------------------- names and other one-line text


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        (r'"Star\n::set-output name=x::y"', "a line break in one-line text"),
        (r'"Star\0"', "contains the control character U+0000"),
        (r'"Star\v"', "contains the control character U+000B"),
        (r'"Star\e[31m"', "contains the control character U+001B"),
        (r'"Star\x85"', "contains the control character U+0085"),
        ("Star\u202eraw", "contains the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("Sta\u200br", "contains the invisible character U+200B (ZERO WIDTH SPACE)"),
        ("Sta\u2066r", "contains the invisible character U+2066 (LEFT-TO-RIGHT ISOLATE)"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["build"],
        ["award"],
        ["report"],
        ["explain", "ana-lima"],
        ["newsletter", "--since", "2025-01-01"],
    ],
)
def test_an_invisible_character_in_a_badge_name_is_refused_at_its_line(
    tmp_path: Path, written: str, shown: str, command: list[str]
) -> None:
    root = make_community(tmp_path / "c", {BADGE: STAR.format(name=written)})
    result = run(*command, str(root))
    assert result.exit_code == 1
    assert_no_workflow_command(result)
    assert f"badges/star.yaml:1: name: {shown}" in result.stderr
    assert not (root / "ledger/awards.jsonl").exists() and not (root / "_site").exists()


def test_github_format_annotates_a_set_output_badge_name_on_one_line(tmp_path: Path) -> None:
    root = make_community(
        tmp_path / "c", {BADGE: STAR.format(name=r'"Star\n::set-output name=x::y"')}
    )
    result, summary = check_github(root, tmp_path)
    assert result.exit_code == 1
    assert_only_our_annotations(result)
    assert result.stdout.splitlines() == [
        "::error file=badges/star.yaml,line=1,title=menteo%3A name::"
        "a line break in one-line text (write it on one line, without tabs)"
    ]
    assert "| `badges/star.yaml` | 1 | name | a line break in one-line text |" in summary


def test_a_refused_character_names_its_field_line_and_fix(tmp_path: Path) -> None:
    changes = {
        **edit(MENTOR, "headline: Frontend engineer", 'headline: "Front\\u202eend"'),
        **edit(MENTEE, "name: Bo Chen", "name: Bo Chen\nbio: |\n  fine\n  not \u202efine"),
    }
    result = run("check", str(make_community(tmp_path / "c", changes)))
    assert result.exit_code == 1
    assert (
        "content/mentors/ana-lima.yaml:2: headline: contains the invisible character U+202E "
        "(RIGHT-TO-LEFT OVERRIDE) (remove the invisible character U+202E)"
    ) in result.stderr
    assert "content/mentees/bo-chen.yaml:4: bio: contains the invisible character U+202E" in (
        result.stderr
    )


def test_raw_controls_and_bidi_in_yaml_comments_are_refused_on_their_line(tmp_path: Path) -> None:
    changes = {
        MENTEE: "name: Bo Chen\n# a comment \u2067hidden\u2069\nskills: [css]\n",
        MENTOR: "name: Ana Lima\nheadline: Frontend\x1b[8m engineer\n",
    }
    result = run("check", str(make_community(tmp_path / "c", changes)))
    assert result.exit_code == 1
    assert "content/mentees/bo-chen.yaml:2: contains the invisible character U+2067" in (
        result.stderr
    )
    assert "content/mentors/ana-lima.yaml:2: contains the control character U+001B" in (
        result.stderr
    )


def test_a_key_is_one_line_text(tmp_path: Path) -> None:
    changes = edit(MENTEE, "skills: [css]", 'skills: [css]\n"x\\n::warning::y": 1')
    result = run("check", str(make_community(tmp_path / "c", changes)))
    assert result.exit_code == 1
    assert_no_workflow_command(result)
    assert "content/mentees/bo-chen.yaml:3: a line break in one-line text" in result.stderr


def test_urls_and_image_paths_are_one_line(tmp_path: Path) -> None:
    changes = {
        **edit(MENTOR, "availability: open", 'links: {website: "https://ana.example/\\n"}'),
        BADGE: STAR.format(name="Star") + 'image: "star\\u200b.svg"\n',
    }
    result = run("check", str(make_community(tmp_path / "c", changes)))
    assert result.exit_code == 1
    assert "content/mentors/ana-lima.yaml:5: links.website: a line break in one-line text" in (
        result.stderr
    )
    assert "badges/star.yaml:6: image: contains the invisible character U+200B" in result.stderr


# ---------------------------------------------------------------- Markdown bodies


def test_controls_and_bidi_overrides_in_a_body_are_refused_at_their_line(tmp_path: Path) -> None:
    body = "All good.\n\nThen \x1b[31mred\x1b[0m.\n"
    changes = {
        KICKOFF: f"---\nkind: session\ndate: 2025-01-10\nauthor: ana-lima\ntitle: Kickoff\n---\n{body}",
        "content/communities/web-circle.md": "---\nname: Web Circle\nsummary: Web.\n---\n"
        "We meet \u202eon Thursdays.\n",
    }
    result = run("check", str(make_community(tmp_path / "c", changes)))
    assert result.exit_code == 1
    assert f"{KICKOFF}:9: body: contains the control character U+001B" in result.stderr
    assert "content/communities/web-circle.md:5: body: contains the invisible character U+202E" in (
        result.stderr
    )


def test_a_body_keeps_tabs_emoji_joiners_and_persian_non_joiners(tmp_path: Path) -> None:
    body = "Code:\n\n\tindented\n\nFamily: 👩\u200d👩\u200d👧, می\u200cخواهم, ok\r\n"
    changes = {
        KICKOFF: f"---\nkind: session\ndate: 2025-01-10\nauthor: ana-lima\ntitle: Kickoff\n---\n{body}"
    }
    result = run("check", str(make_community(tmp_path / "c", changes)))
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- GitHub step summary


def test_step_summary_shows_a_hostile_badge_name_as_text(tmp_path: Path) -> None:
    name = "<img src=x onerror=alert(1)> # Heading [link](http://evil) @team ![i](http://x)"
    root = pending_community(tmp_path / "c")
    (root / "badges/thanked.yaml").write_text(
        THANKED.replace('"100% Thanked, truly: yes"', f"'{name}'"), encoding="utf-8"
    )
    result, summary = check_github(root, tmp_path)
    assert result.exit_code == 0
    assert_only_our_annotations(result)
    escaped = (
        "\\<img src=x onerror=alert(1)\\> \\# Heading \\[link\\](http\\://evil) @&#8203;team "
        "!\\[i\\](http\\://x)"
    )
    assert f"| {escaped} | ana-lima (mentor) |" in summary
    html = GITHUB_MARKDOWN.render(summary)
    assert "<img" not in html and "<a " not in html and "<h1" not in html
    assert "@team" not in html and "@\u200bteam" in html
    assert html.count("<tr>") == 3  # the header and two pending awards: no row was added


def test_step_summary_code_spans_cannot_be_closed_by_a_file_name(tmp_path: Path) -> None:
    root = make_community(tmp_path / "c", {"content/mentors/a`<b>`|c.yaml": "name: X\n"})
    result, summary = check_github(root, tmp_path)
    assert result.exit_code == 1
    assert "| ``content/mentors/a`<b>`\\|c.yaml`` |" in summary
    html = GITHUB_MARKDOWN.render(summary)
    assert "<b>" not in html and "<code>content/mentors/a`&lt;b&gt;`|c.yaml</code>" in html


# ---------------------------------------------------------------- menteo report and newsletter


def test_report_shows_hostile_names_as_text(tmp_path: Path) -> None:
    changes = {
        **edit(MENTOR, "name: Ana Lima", "name: '@org/team ![x](http://evil) <b>'"),
        **edit(MENTEE, "name: Bo Chen", "name: '- [ ] | #12'\nconsent: {public: true}"),
    }
    root = make_community(tmp_path / "c", {**BADGES, **changes})
    result = run("report", str(root), "--as-of", "2026-01-01")
    assert result.exit_code == 0, result.output
    assert (
        "| @&#8203;org/team !\\[x\\](http\\://evil) \\<b\\> | \\- \\[ \\] \\| \\#&#8203;12 |"
        in (result.stdout)
    )
    html = GITHUB_MARKDOWN.render(result.stdout)
    assert "<img" not in html and "<a " not in html and "<b>" not in html
    assert "@org" not in html and "#12" not in html


def test_newsletter_markdown_breaks_mentions(tmp_path: Path) -> None:
    changes = {
        **BADGES,
        "badges/starter.yaml": BADGES["badges/starter.yaml"].replace(  # type: ignore[union-attr]
            "name: Starter", "name: 'Starter @org/team'"
        ),
    }
    root = make_community(tmp_path / "c", changes)
    assert run("award", str(root)).exit_code == 0
    out = tmp_path / "news"
    result = run("newsletter", str(root), "--since", "2025-01-01", "--out", str(out))
    assert result.exit_code == 0, result.output
    (markdown,) = out.glob("*.md")
    text = markdown.read_text(encoding="utf-8")
    assert "Starter @&#8203;org/team" in text and "@org" not in GITHUB_MARKDOWN.render(text)


# ---------------------------------------------------------------- XML


def parse_every_xml(site: Path) -> list[str]:
    found = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.xml"))
    for name in found:
        ET.parse(site / name)  # raises on any character XML 1.0 cannot carry
    return found


def test_character_references_in_a_body_do_not_break_the_feed(tmp_path: Path) -> None:
    body = "Null &#0; vertical tab &#11; &#x1b; escape, DEL &#127;, bad &#xFFFE; &#xD800;.\n"
    changes = {
        KICKOFF: f"---\nkind: session\ndate: 2025-01-10\nauthor: ana-lima\ntitle: Kickoff\n---\n{body}",
        THREAD_FILE: FILES[THREAD_FILE] + "visibility: public\n",
    }
    root = make_community(tmp_path / "c", changes)
    result = run("build", str(root), "--out", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    assert "feed.xml" in parse_every_xml(tmp_path / "site")
    assert "Null" in (tmp_path / "site/feed.xml").read_text(encoding="utf-8")


def test_a_template_writing_a_control_character_into_xml_fails_the_build(tmp_path: Path) -> None:
    root = make_community(tmp_path / "c")
    sitemap = ROOT / "generator/menteo/themes/default/templates/sitemap.xml"
    text = sitemap.read_text(encoding="utf-8").replace("<urlset", "\x0b<urlset")
    (root / "overrides/templates").mkdir(parents=True)
    (root / "overrides/templates/sitemap.xml").write_text(text, encoding="utf-8")
    result = run("build", str(root), "--out", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert (
        "overrides/templates/sitemap.xml: template: sitemap.xml would contain U+000B, "
        "which XML 1.0 cannot carry"
    ) in result.stderr
    assert not (tmp_path / "site").exists()


@pytest.mark.slow
def test_every_xml_file_of_the_demo_parses(tmp_path: Path) -> None:
    result = run("build", str(ROOT), "--out", str(tmp_path / "site"))
    assert result.exit_code == 0, result.output
    found = parse_every_xml(tmp_path / "site")
    assert {"feed.xml", "sitemap.xml", "awards/feed.xml"} <= set(found)


# ---------------------------------------------------------------- the helpers themselves


def test_visible_is_one_printable_line() -> None:
    assert visible("a\nb\r\tc\x1b[2J\x00\x7f\x85\u202e\u200b\u2028\udcff😀") == (
        "a\\nb\\r\\tc\\x1b[2J\\x00\\x7f\\x85\\u202e\\u200b\\u2028\\udcff😀"
    )
    assert visible("::warning::x") == "\\x3a:warning::x"
    assert visible("Ana Lima: café, 東京 – ok") == "Ana Lima: café, 東京 – ok"


def test_problems_print_as_one_safe_line() -> None:
    problem = Problem("content/x\n::error::y.md", 2, "name", "bad \x1b[31m", "fix\u202e")
    assert str(problem) == "content/x\\n::error::y.md:2: name: bad \\x1b[31m (fix\\u202e)"
    assert str(Problem("::x", 0, "", "m")) == "\\x3a:x: m"


def test_workflow_command_escaping() -> None:
    assert workflow_data("100%\r\nnext\x1b\u2028") == "100%25%0D%0Anext\\x1b\\u2028"
    assert workflow_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_markdown_text_escapes_markup_and_keeps_words_readable() -> None:
    assert markdown_text("Jean-Luc (J.L.) ok! 3.5 x-y") == "Jean-Luc (J.L.) ok! 3.5 x-y"
    assert markdown_text("a_b*c`d[e]f<g>h|i~j\\k") == "a\\_b\\*c\\`d\\[e\\]f\\<g\\>h\\|i\\~j\\\\k"
    assert markdown_text("@team #12 C# x") == "@&#8203;team \\#&#8203;12 C\\# x"
    assert markdown_text("see https://x.org or WWW.x.org &amp; A&B") == (
        "see https\\://x.org or WWW\\.x.org \\&amp; A&B"
    )
    assert markdown_text("- item") == "\\- item"
    assert markdown_text("> quote") == "\\> quote"
    assert markdown_text("12. item") == "12\\. item"
    assert markdown_text("Ana\n\nLima\x1b") == "Ana Lima\\\\x1b"


def test_markdown_code_fence_outlasts_every_backtick_run() -> None:
    assert markdown_code("a.md") == "`a.md`"
    assert markdown_code("a``b") == "```a``b```"
    assert markdown_code("`x`") == "`` `x` ``"
    assert markdown_code("a|b", in_table=True) == "`a\\|b`"
    assert markdown_code("a\nb") == "`a\\nb`"


def test_refused_characters_by_kind_of_text() -> None:
    for char in "\x00\x08\x0b\x0c\x1b\x7f\x85\x9f\u202a\u202e\u2066\u2069\ufffe":
        assert refused_character(f"a{char}", one_line=False) == 1, repr(char)
    for char in "\t\n\r\u200b\u200c\u200d\u2060\ufeff\u200e\u061c\u2028":
        assert refused_character(f"a{char}", one_line=False) is None, repr(char)
        assert refused_character(f"a{char}", one_line=True) == 1, repr(char)
    assert refused_character("Zoë 東京 😀 ok", one_line=True) is None
    assert describe("\u202e") == (
        "contains the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)",
        "remove the invisible character U+202E",
    )


def test_character_problem_is_located_on_the_characters_own_line() -> None:
    problem = character_problem("one\ntwo\nthr\x00ee", "ledger/awards.jsonl", 7, "reason", False)
    assert problem == Problem(
        "ledger/awards.jsonl",
        9,
        "reason",
        "contains the control character U+0000",
        "remove the control character U+0000",
    )
    assert character_problem("fine", "x", 1, "", True) is None


def test_xml_invalid() -> None:
    assert xml_invalid("a\tb\nc\u202e\x85") is None
    assert xml_invalid("a\x0bb") == 1
