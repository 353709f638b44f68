"""An entry's list item is rendered once per build environment and reused on every page that
lists the entry (`entry_items`): reused items equal fresh ones in every language and URL prefix,
an override of the `entry_item` macro still shows on every listing, and a hostile template can
use the helper neither to see another page nor to leave the sandbox.

Attacks go through the real command on a copy of the mini community, with the template placed
where a pull request would put it (`overrides/templates/`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from menteo.cli import main
from menteo.i18n import shipped_languages
from menteo.site.render import make_environment
from menteo.site.templating import TemplateSandbox
from menteo.site.theme_folders import PACKAGE_THEMES
from menteo.site.views import EntryView, Link, PersonRef

MINI = Path(__file__).parent / "fixtures" / "mini"
MACROS = PACKAGE_THEMES / "default" / "templates" / "macros.html"
ITEM_START = '<li class="entry-item">'
FRESH = (
    '{% from "macros.html" import entry_item %}{% for e in entries %}'
    "{% if w is none %}{{ entry_item(e) }}{% else %}{{ entry_item(e, with_thread=w) }}{% endif %}"
    "{% endfor %}"
)
"""What the theme's listings did before `entry_items`: one macro call per entry and page."""


def listed(prefix: str) -> list[EntryView]:
    """Entries as listings show them: published or not, by a named or an unnamed author."""
    named = PersonRef("Ana Lima", f"{prefix}mentors/ana-lima/", "mentor")
    unnamed = PersonRef("a mentee", None, "mentee")
    thread = f"{prefix}threads/ana-lima--bo-chen/"
    first = EntryView(
        slug="2025-01-10-kickoff",
        title="Kickoff <& friends>",
        kind="session",
        date=dt.date(2025, 1, 10),
        author=named,
        tags=(Link("css", f"{prefix}tags/css/"),),
        url=f"{thread}2025-01-10-kickoff/",
        excerpt="We met & planned.",
        body=None,
        thread_url=thread,
        thread_title="Ana Lima & Bo Chen",
    )
    hidden = dataclasses.replace(
        first, slug="2025-02-01-private", author=unnamed, url=None, excerpt=""
    )
    return [first, hidden, first]


def environment(language: str, prefix: str) -> TemplateSandbox:
    return make_environment([PACKAGE_THEMES / "default"], prefix, language)


def reused(env: TemplateSandbox, entries: list[EntryView], with_thread: bool | None) -> str:
    source = "{{ entry_items(entries) if w is none else entry_items(entries, with_thread=w) }}"
    return env.from_string(source).render(entries=entries, w=with_thread)


def fresh(env: TemplateSandbox, entries: list[EntryView], with_thread: bool | None) -> str:
    return env.from_string(FRESH).render(entries=entries, w=with_thread)


@pytest.mark.parametrize("prefix", ["/", "/circle/"])
@pytest.mark.parametrize("language", shipped_languages())
def test_reused_items_equal_fresh_ones(language: str, prefix: str) -> None:
    env = environment(language, prefix)
    entries = listed(prefix)
    for with_thread in (None, False, True):
        expected = fresh(env, entries, with_thread)
        assert expected.count(ITEM_START) == 3
        assert reused(env, entries, with_thread) == expected
        assert reused(env, entries, with_thread) == expected  # now from what was remembered


def test_each_environment_keeps_its_own_items() -> None:
    """One language's (or URL prefix's) items are never shown in another environment."""
    languages = [language for language in shipped_languages() if language != "en"]
    assert languages, "a shipped catalog besides English"
    english, other = environment("en", "/"), environment(languages[0], "/")
    entries = listed("/")
    assert reused(english, entries, True) == fresh(english, entries, True)
    assert reused(other, entries, True) == fresh(other, entries, True)
    assert reused(other, entries, True) != reused(english, entries, True)
    moved = environment("en", "/circle/")
    assert reused(moved, listed("/circle/"), True) == fresh(moved, listed("/circle/"), True)


def test_an_entry_changed_in_place_is_rendered_again() -> None:
    """Items are remembered by the entry's whole view: `serve` keeps its environment between
    rebuilds, and an edited title, a withdrawn consent or a new URL must show."""
    env = environment("en", "/")
    entries = listed("/")
    before = reused(env, entries, True)
    changed = [
        dataclasses.replace(entries[0], title="Renamed"),
        dataclasses.replace(entries[0], author=entries[1].author),
    ]
    after = reused(env, changed, True)
    assert after == fresh(env, changed, True) != before
    assert "Renamed" in after and "a mentee" in after


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "mini"
    shutil.copytree(MINI, copy)
    return copy


def override(project: Path, name: str, text: str) -> None:
    path = project / "overrides" / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def build(project: Path, out: Path, *options: str) -> Result:
    return CliRunner().invoke(main, ["build", str(project), "--out", str(out), *options])


def pages(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(out.rglob("*.html"))
    }


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_override_of_the_item_macro_shows_on_every_listing(
    project: Path, tmp_path: Path, jobs: str
) -> None:
    plain = tmp_path / "plain"
    assert build(project, plain, "--no-search", "--jobs", jobs).exit_code == 0
    marked = '<li class="entry-item" data-theme="override">'
    text = MACROS.read_text(encoding="utf-8")
    assert text.count(ITEM_START) == 1
    override(project, "macros.html", text.replace(ITEM_START, marked))
    out = tmp_path / "site"
    result = build(project, out, "--no-search", "--jobs", jobs)
    assert result.exit_code == 0, result.output
    before, after = pages(plain), pages(out)
    listings = [path for path, page in before.items() if ITEM_START in page]
    assert {path.split("/")[0] for path in listings} >= {"threads", "tags", "mentees", "index.html"}
    for path, page in after.items():
        assert ITEM_START not in page, path
        assert page.replace(marked, ITEM_START) == before[path], path
    assert all(after[path].count(marked) == before[path].count(ITEM_START) for path in listings)


def test_the_item_macro_sees_no_page(project: Path, tmp_path: Path) -> None:
    """The macro comes from `macros.html` imported without context: what a page holds (its own
    view, its entries, its thread) cannot get into an item that other pages reuse."""
    probe = (
        "{% macro entry_item(e, with_thread=false) %}<li>"
        "{{ page is defined }} {{ entries is defined }} {{ thread is defined }} "
        "{{ award is defined }}|{{ e.title }}</li>{% endmacro %}"
    )
    override(project, "macros.html", MACROS.read_text(encoding="utf-8") + probe)
    out = tmp_path / "site"
    result = build(project, out, "--no-search")
    assert result.exit_code == 0, result.output
    items = [
        item
        for page in pages(out).values()
        for item in page.split("<li>")[1:]
        if "|" in item.split("</li>")[0]
    ]
    assert items
    assert {item.split("|")[0] for item in items} == {"False False False False"}


def assert_refused(result: Result, message: str) -> None:
    """Exit 1 on a located template problem: no traceback, no crash."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert ": template: " in result.output and message in result.output, result.output


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("tag.html", "{{ entry_items.__globals__ }}", "is unsafe"),
        ("tag.html", "{{ entry_items.__closure__[0] }}", "is unsafe"),
        ("tag.html", "{{ entry_items([[1]]) }}", "unhashable type"),
        ("tag.html", "{{ entry_items(['text']) }}", "has no attribute 'kind'"),
        (
            "macros.html",
            "{% macro entry_item(e, with_thread=false) %}{{ e.body.root }}{% endmacro %}",
            "is unsafe",
        ),
        (
            "macros.html",
            "{% macro entry_item(e, with_thread=false) %}"
            "{{ cycler.__init__.__globals__ }}{% endmacro %}",
            "is unsafe",
        ),
        ("macros.html", "{% set entry_item = 'not a macro' %}", "defines no macro entry_item"),
    ],
    ids=["globals", "closure", "unhashable", "not-entries", "body-root", "escape", "not-macro"],
)
def test_hostile_templates_cannot_use_the_reused_items(
    project: Path, tmp_path: Path, name: str, payload: str, message: str
) -> None:
    if name == "macros.html":
        # The rest of the theme's macros stay, so that only the item is hostile.
        payload = (
            MACROS.read_text(encoding="utf-8").replace(
                "{% macro entry_item(", "{% macro replaced_item("
            )
            + payload
        )
    override(project, name, payload)
    out = tmp_path / "site"
    assert_refused(build(project, out), message)
    assert not out.exists()
