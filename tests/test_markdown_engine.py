"""The compiled Markdown engine (markdown-it-pyrs) keeps what the pure-Python one gave pages:
GitHub-style heading ids on h2-h4, task boxes a visitor cannot tick, and everything that
reaches a page still passes the sanitiser."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from factory import FILES, KICKOFF, THREAD_FILE, edit, make_community
from menteo.cli import main
from menteo.site.markdown import render_markdown

REL = 'rel="noopener noreferrer nofollow"'


def test_repeated_headings_get_numbered_ids() -> None:
    text = "## Plan\n\n### Plan\n\n## Plan\n\n##### Plan\n"
    assert render_markdown(text) == (
        '<h2 id="plan">Plan</h2>\n<h3 id="plan-1">Plan</h3>\n<h2 id="plan-2">Plan</h2>\n'
        "<h5>Plan</h5>\n"
    )


def test_heading_ids_keep_letters_of_any_script_and_drop_punctuation() -> None:
    assert render_markdown("## Ça va? `x` *y* & [z](/z/)\n") == (
        f'<h2 id="ça-va-x-y--z">Ça va? <code>x</code> <em>y</em> &amp; <a href="/z/" {REL}>z</a>'
        "</h2>\n"
    )
    assert render_markdown("## 学习 计划\n") == '<h2 id="学习-计划">学习 计划</h2>\n'


def test_setext_heading_gets_an_id() -> None:
    assert render_markdown("Next steps\n----------\n") == '<h2 id="next-steps">Next steps</h2>\n'


def test_an_id_cannot_break_out_of_its_attribute() -> None:
    html = render_markdown("## a\"b<c>'d onmouseover=x\n")
    assert html == '<h2 id="abd-onmouseoverx">a"b\'d onmouseover=x</h2>\n'


def test_task_boxes_in_a_loose_list_sit_in_the_paragraph_and_are_disabled() -> None:
    assert render_markdown("- [ ] todo\n\n- [x] done\n") == (
        '<ul class="contains-task-list">\n<li class="task-list-item">\n'
        '<p><input disabled="disabled" type="checkbox"> todo</p>\n</li>\n'
        '<li class="task-list-item">\n'
        '<p><input checked="checked" disabled="disabled" type="checkbox"> done</p>\n</li>\n</ul>\n'
    )


def test_dangerous_html_inside_a_heading_or_task_is_still_removed() -> None:
    html = render_markdown("## <img src=x onerror=alert(1)>Hi\n\n- [ ] <script>x</script>ok\n")
    assert "onerror" not in html and "script" not in html
    assert html.startswith('<h2 id="hi"><img src="x">Hi</h2>')


def test_a_built_entry_page_has_heading_ids_and_disabled_boxes(tmp_path: Path) -> None:
    body = "## Next steps\n\n- [x] set up\n- [ ] ship\n\n<script>alert(1)</script>\n"
    changes = {
        **edit(KICKOFF, "We agreed on a plan.", body),
        THREAD_FILE: FILES[THREAD_FILE] + "visibility: public\n",
    }
    root = make_community(tmp_path / "c", changes)
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    (page,) = [p for p in out.rglob("*.html") if '<h2 id="next-steps">' in p.read_text()]
    text = page.read_text()
    assert '<input checked="checked" disabled="disabled" type="checkbox"> set up' in text
    assert '<input disabled="disabled" type="checkbox"> ship' in text
    assert "<script" not in text
