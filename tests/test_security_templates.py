"""Templates are data, not code: a pull request's template can neither run anything, read a file,
nor change state; it fails `check`, `build`, `serve` and `newsletter` cleanly at its file:line.

Every attack goes through the real command on a copy of the mini community, with the template
placed where a pull request would put it (`overrides/templates/`, `themes/<theme>/templates/`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from jinja2.exceptions import SecurityError, UndefinedError

import menteo.build
from menteo.cli import main
from menteo.content.community import Body, CommunityData
from menteo.content.loader import load_community
from menteo.content.publication import Publication, Urls
from menteo.errors import Problem
from menteo.ledger.review import review
from menteo.ledger.store import read_ledger
from menteo.newsletter import digest
from menteo.serve import PREVIEW_DIR, Preview
from menteo.site.awards import AwardView, RecognitionViews
from menteo.site.dashboard import Dashboard
from menteo.site.pages import Page, PageHead
from menteo.site.render import Rendered, RenderSettings, make_environment
from menteo.site.templating import PLAIN_TYPES, TemplateSandbox, is_view_type
from menteo.site.theme_folders import PACKAGE_THEMES, theme_dirs
from menteo.site.views import EntryView, PersonView, SiteViews

MINI = Path(__file__).parent / "fixtures" / "mini"
ENTRY_URL = "threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/index.html"
MARKER = "MARKER"
"""Replaced in each payload by a file the payload would create if it ran."""

ESCAPES = {
    "cycler-globals": "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "self-init": "{{ self.__init__.__globals__.__builtins__.open('MARKER', 'w') }}",
    "str-mro": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "lipsum-globals": "{{ lipsum.__globals__['os'].popen('touch MARKER') }}",
    "method-self-subclasses": "{{ ''.join.__self__.__class__.__base__.__subclasses__() }}",
    "method-self": "{{ urls.page.__self__.__class__ }}",
    "format-escape": "{{ '{0.__init__.__globals__[os]}'.format(cycler) }}",
    "attr-filter": "{{ (cycler | attr('__init__')).__globals__ }}",
    "item-dunder": "{{ cycler['__init__'] }}",
    "call-dunder": "{{ urls.page.__call__('x') }}",
}
"""Sandbox escapes: each reaches for an attribute starting with `_`."""
REFUSED = {
    "namespace": ("{% set ns = namespace(x=1) %}{% set ns.x = 2 %}", "'namespace' is undefined"),
    "dict-update": (
        "{% set d = {'a': 1} %}{{ d.update({'a': 2}) }}{{ d.a }}",
        "access to attribute 'update' of 'dict' object is unsafe",
    ),
    "list-append": ("{% set l = [] %}{{ l.append(1) }}", "attribute 'append' of 'list'"),
    "include-absolute": ("{% include '/etc/passwd' %}", "template '/etc/passwd' not found"),
    "include-parent": (
        "{% include '../../content/mentees/quiet-one.yaml' %}",
        "template '../../content/mentees/quiet-one.yaml' not found",
    ),
    "division": ("{{ 1 // 0 }}", "ZeroDivisionError: "),
    "runaway-macro": (
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        "RecursionError: maximum recursion depth exceeded",
    ),
}
"""No `_` anywhere, refused or failing when rendered (mutation, path escapes, exceptions), and
what the problem says."""
FILE_ACCESS = {
    "body-path": "{{ entry.body.path }}",
    "body-file": "{{ entry.body.root }}",
    "body-text": "{{ entry.body.text() }}",
    "body-read-text": "{{ (entry.body.root / entry.body.path).read_text() }}",
    "body-attr-filter": "{{ entry.body | attr('root') }}",
    "body-digest": "{{ entry.body.digest }}",
}
"""What an entry page's template received before: a `Body` with a path and a reader."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "mini"
    shutil.copytree(MINI, copy)
    return copy


def override(project: Path, name: str, text: str, folder: str = "overrides") -> Path:
    """Put template `name` where a pull request can: `overrides/` or a theme of the project.
    The payload comes after a first line, so its line number is 2."""
    path = project / folder / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    marker = project.parent / MARKER
    path.write_text("first line\n" + text.replace(MARKER, str(marker)) + "\n", encoding="utf-8")
    return marker


def assert_refused(result: Result, where: str) -> None:
    """Exit 1 on a located problem: no traceback, no crash."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert f"{where}: template: " in result.output, result.output


@pytest.mark.parametrize(
    ("payload", "message"),
    [*((p, " is unsafe") for p in ESCAPES.values()), *REFUSED.values()],
    ids=[*ESCAPES, *REFUSED],
)
def test_build_refuses_hostile_override(
    project: Path, tmp_path: Path, payload: str, message: str
) -> None:
    marker = override(project, "robots.txt", payload)
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", str(project), "--out", str(out)])
    assert_refused(result, "overrides/templates/robots.txt:2")
    assert message in result.output
    assert not marker.exists(), "the payload ran"
    assert not out.exists(), "a failed build writes no site"


@pytest.mark.parametrize(
    ("payload", "message"),
    [("{% if %}", "Expected an expression"), ("{{ no_such_name }}", "'no_such_name' is undefined")],
)
def test_build_locates_syntax_errors_and_undefined_names(
    project: Path, tmp_path: Path, payload: str, message: str
) -> None:
    override(project, "robots.txt", payload)
    result = CliRunner().invoke(main, ["build", str(project), "--out", str(tmp_path / "site")])
    assert_refused(result, "overrides/templates/robots.txt:2")
    assert message in result.output


@pytest.mark.parametrize("payload", FILE_ACCESS.values(), ids=FILE_ACCESS)
def test_build_refuses_reading_files_through_entry_bodies(
    project: Path, tmp_path: Path, payload: str
) -> None:
    override(project, "entry.html", payload)
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", str(project), "--out", str(out)])
    assert_refused(result, "overrides/templates/entry.html:2")
    assert "ana-lukasiewicz--quiet-one" not in result.output
    assert not out.exists()


def test_entry_body_is_opaque_to_templates_and_still_rendered(
    project: Path, tmp_path: Path
) -> None:
    """The body reaches a template only to be given to the `markdown` filter: printed as it is,
    it says nothing about its file."""
    override(project, "entry.html", "[{{ entry.body }}]{{ entry.body | markdown }}")
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", str(project), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / ENTRY_URL).read_text(encoding="utf-8")
    assert page.startswith("first line\n[Body()]<p>")
    assert "content/" not in page and "kickoff.md" not in page


def test_refused_in_render_workers_too(project: Path, tmp_path: Path) -> None:
    marker = override(project, "robots.txt", ESCAPES["cycler-globals"])
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", str(project), "--out", str(out), "--jobs", "2"])
    assert_refused(result, "overrides/templates/robots.txt:2")
    assert not marker.exists() and not out.exists()


def test_refused_in_a_project_theme(project: Path, tmp_path: Path) -> None:
    marker = override(project, "robots.txt", ESCAPES["lipsum-globals"], "themes/default")
    result = CliRunner().invoke(main, ["build", str(project), "--out", str(tmp_path / "site")])
    assert_refused(result, "themes/default/templates/robots.txt:2")
    assert not marker.exists()


def test_a_failing_base_template_is_reported_not_hidden_by_search(
    project: Path, tmp_path: Path
) -> None:
    """When every page fails, the problem is the template's, not "Pagefind found no pages"."""
    template = PACKAGE_THEMES / "default/templates/base.html"
    text = template.read_text(encoding="utf-8")
    override(project, "base.html", text.replace("<main", "{{ site.issuer.__class__ }}<main", 1))
    result = CliRunner().invoke(main, ["build", str(project), "--out", str(tmp_path / "site")])
    assert result.exit_code == 1
    assert "overrides/templates/base.html:" in result.output
    assert "Pagefind" not in result.output


@pytest.mark.parametrize("payload", ESCAPES.values(), ids=ESCAPES)
def test_check_flags_underscore_attributes(project: Path, payload: str) -> None:
    marker = override(project, "robots.txt", payload)
    result = CliRunner().invoke(main, ["check", str(project)])
    assert_refused(result, "overrides/templates/robots.txt:2")
    assert "templates may not use names starting with '_'" in result.output
    assert not marker.exists()


def test_check_reports_template_syntax_errors_at_their_line(project: Path) -> None:
    override(project, "thread.html", "{% if x %}\n{% endfor %}", "themes/default")
    result = CliRunner().invoke(main, ["check", str(project), "--format", "json"])
    assert result.exit_code == 1
    assert '"path": "themes/default/templates/thread.html"' in result.output
    assert '"line": 3' in result.output


def test_check_accepts_good_templates(project: Path) -> None:
    override(
        project,
        "404.html",
        '{% extends "base.html" %}{% block main %}{{ _("Lost?") }}'
        "{{ x.y | attr('z') }}{% endblock %}",
    )
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 0, result.output


def test_newsletter_refuses_hostile_template(project: Path, tmp_path: Path) -> None:
    marker = override(project, "newsletter.md", ESCAPES["cycler-globals"])
    out = tmp_path / "news"
    args = ["newsletter", str(project), "--since", "2025-01-01", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert_refused(result, "overrides/templates/newsletter.md:2")
    assert not marker.exists() and not out.exists()


def test_newsletter_refuses_file_access_and_exceptions(project: Path, tmp_path: Path) -> None:
    override(project, "newsletter.html", "{{ digest.site.__class__ }}{{ 1 // 0 }}")
    args = ["newsletter", str(project), "--since", "2025-01-01", "--out", str(tmp_path / "n")]
    assert_refused(CliRunner().invoke(main, args), "overrides/templates/newsletter.html:2")


def test_serve_shows_the_problem_and_keeps_the_last_good_site(project: Path) -> None:
    preview = Preview(project)
    preview.base_url = "http://127.0.0.1:8000/"
    assert preview.rebuild(), preview.problems
    robots = project / PREVIEW_DIR / "robots.txt"
    before = robots.read_bytes()
    marker = override(project, "robots.txt", ESCAPES["cycler-globals"])
    assert not preview.rebuild()
    assert [p.path for p in preview.problems] == ["overrides/templates/robots.txt"]
    assert preview.problems[0].line == 2
    assert str(preview.problems[0]).startswith("overrides/templates/robots.txt:2: template: ")
    assert not marker.exists()
    assert robots.read_bytes() == before


# ---------------------------------------------------------------- the policy, unit by unit


@pytest.fixture(scope="module")
def env() -> TemplateSandbox:
    return make_environment(theme_dirs(MINI, "default"), "/", "en")


def render(env: TemplateSandbox, source: str, **context: object) -> str:
    return env.from_string(source).render(**context)


def test_unregistered_callables_in_the_context_are_refused(env: TemplateSandbox) -> None:
    for function in (os.getcwd, print, Path.cwd, lambda: "x"):
        with pytest.raises(SecurityError):
            render(env, "{{ f() }}", f=function)


def test_non_view_objects_show_no_attributes(env: TemplateSandbox, tmp_path: Path) -> None:
    body = Body.of(tmp_path, "content/x/entry.md", "text")
    for obj, attr in ((tmp_path, "name"), (body, "path"), (body, "text"), (os, "environ")):
        with pytest.raises((SecurityError, UndefinedError)):
            render(env, "{{ obj[attr] }}{{ obj | attr(attr) }}", obj=obj, attr=attr)


def test_plain_data_views_and_registered_functions_work(env: TemplateSandbox) -> None:
    head = PageHead("/a/", "Title", "", "website", None)
    source = (
        "{{ page.title | upper }} {{ urls.page('x') }} {{ d.items() | list | length }} "
        "{{ s.rstrip('/').split('/')[-1] }} {{ _('Mentors') }} {{ n | format_number }}"
        "{% for i in range(2) %}{{ loop.index }}{% endfor %}"
        '{% import "macros.html" as m %} {{ m.person.name }} {{ "{}-{}".format(1, s) }}'
    )
    text = render(env, source, page=head, urls=Urls("https://e.org/c/"), d={"k": 1}, s="a/b/", n=3)
    assert text == "TITLE /c/x/ 1 b Mentors 312 person 1-a/b/"


def test_view_types_are_the_published_views_only() -> None:
    assert all(map(is_view_type, (EntryView, PersonView, AwardView, Dashboard, PageHead, Urls)))
    records = (Page, Body, Publication, SiteViews, RecognitionViews, CommunityData, Problem)
    assert not any(map(is_view_type, records))


def walk(obj: object, seen: set[int]) -> Iterator[object]:
    if id(obj) in seen:
        return
    seen.add(id(obj))
    yield obj
    children: list[object] = []
    if isinstance(obj, dict):
        children = [*obj.keys(), *obj.values()]
    elif isinstance(obj, (list, tuple)):
        children = list(obj)
    elif dataclasses.is_dataclass(obj) and is_view_type(type(obj)):
        children = [getattr(obj, f.name) for f in dataclasses.fields(obj)]
    for child in children:
        yield from walk(child, seen)


def test_templates_receive_only_plain_data_and_views(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Everything a page hands its template, followed to the leaves, is plain data, a view
    model, or an entry's opaque `Body` (only the `markdown` filter reads it)."""
    captured: list[tuple[RenderSettings, list[Page]]] = []
    original = menteo.build.render_pages

    def capture(settings: RenderSettings, pages: list[Page], *rest: Any) -> Rendered:
        captured.append((settings, pages))
        return original(settings, pages, *rest)

    monkeypatch.setattr(menteo.build, "render_pages", capture)
    menteo.build.build_site(MINI, tmp_path / "site", workers=1)
    settings, pages = captured[0]
    seen: set[int] = set()
    found = {
        type(obj)
        for page in pages
        for root in (settings.globals, page.head, page.context)
        for obj in walk(root, seen)
    }
    assert Body in found
    assert {
        t for t in found if t not in PLAIN_TYPES and not is_view_type(t) and t is not Body
    } == set()


def test_the_newsletter_receives_only_plain_data_and_views() -> None:
    community = load_community(MINI)
    news = digest(community, review(community, read_ledger(community.root)), dt.date(2025, 1, 1))
    found = {type(obj) for obj in walk(news, set())}
    assert news.awards and news.outcomes, "the digest has something to walk"
    assert {t for t in found if t not in PLAIN_TYPES and not is_view_type(t)} == set()
