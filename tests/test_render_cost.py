"""The template sandbox's cheaper paths (`menteo.site.templating`: `SandboxTemplate`,
`output_escape`, `getattr`'s format check, the theme's navigation) print what Jinja's own paths
print, and stop what they stopped.

Sites are compared byte for byte with a build through plain Jinja (its `Template` class,
markupsafe's `escape` filters and the theme's navigation as it was written before), of the mini
community and of a generated one. Hostile templates are placed where a pull request would put
them (`overrides/templates/`) and built through the real command.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import jinja2
import markupsafe
import pytest
from click.testing import CliRunner, Result
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup
from tests.test_build import tree_digest

from menteo.cli import main
from menteo.site import templating
from menteo.site.page_cache import PAGE_CACHE
from menteo.site.templating import SandboxTemplate, TemplateSandbox, output_escape
from menteo.site.theme_folders import PACKAGE_THEMES

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from generate import generate

MINI = Path(__file__).parent / "fixtures" / "mini"
THEME = PACKAGE_THEMES / "default" / "templates"
NAV_NOW = "{% if here[:href | length] == href %}"
NAV_BEFORE = "{% if page.url.startswith(href) %}"
"""How `base.html` marked the current navigation link: a sandboxed call per link and page."""


class Shown:
    """Anything else a template may print: markupsafe calls its `__html__`."""

    def __html__(self) -> str:
        return "<i>shown</i>"


class Tagged(Markup):
    """A `Markup` subclass with its own idea of `__html__`."""

    def __html__(self) -> Markup:
        return Markup("<tagged>")


class Text(str):
    """A `str` subclass: escaped as text, never trusted."""


@pytest.mark.parametrize(
    "value",
    [
        "",
        "plain",
        "<script>alert('x') & \"y\"</script>",
        Markup("<b>kept</b> &amp;"),
        Tagged("ignored"),
        Text("<u>text</u>"),
        0,
        -3,
        2.5,
        True,
        None,
        Shown(),
        ["<li>"],
    ],
    ids=lambda value: type(value).__name__,
)
def test_output_escape_is_markupsafes_escape(value: object) -> None:
    expected = markupsafe.escape(value)
    actual = output_escape(value)
    assert type(actual) is Markup
    assert actual == expected


def test_output_escape_raises_as_escape_does_on_an_undefined_value() -> None:
    value = jinja2.StrictUndefined(name="missing")
    with pytest.raises(jinja2.UndefinedError):
        markupsafe.escape(value)
    with pytest.raises(jinja2.UndefinedError):
        output_escape(value)


def sandbox(tmp_path: Path, templates: dict[str, str]) -> TemplateSandbox:
    folder = tmp_path / "theme" / "templates"
    folder.mkdir(parents=True)
    for name, text in templates.items():
        (folder / name).write_text(text, encoding="utf-8")
    return templating.template_environment([tmp_path / "theme"])


def test_templates_print_through_output_escape_and_the_escape_filters(tmp_path: Path) -> None:
    env = sandbox(tmp_path, {"page.html": "{{ text }}|{{ text | e }}|{{ text | escape }}"})
    template = env.get_template("page.html")
    assert isinstance(template, SandboxTemplate)
    assert template.root_render_func.__globals__["escape"] is output_escape
    shown = template.render(text="<a href='x'>&</a>")
    assert shown == "|".join(["&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;"] * 3)
    assert template.render(text=Markup("<b>ok</b>")) == "<b>ok</b>|<b>ok</b>|<b>ok</b>"


def test_an_import_still_sees_the_importers_own_globals(tmp_path: Path) -> None:
    """Jinja makes an imported module anew when the importing template has globals the imported
    one lacks; else the module made once is reused."""
    env = sandbox(
        tmp_path,
        {
            "page.html": '{% import "parts.html" as parts %}{{ parts.shown }}',
            "parts.html": "{% set shown = extra if extra is defined else 'none' %}",
        },
    )
    assert env.get_template("page.html").render() == "none"
    page = env.get_template("page.html", globals={"extra": "own <global>"})
    assert page.render() == "own &lt;global&gt;"
    parts = env.get_template("parts.html")
    context = page.new_context({})
    assert parts._get_default_module(context).shown == "own <global>"
    plain = env.get_template("parts.html").new_context({})
    assert parts._get_default_module(plain) is parts._get_default_module(plain)


def test_a_global_set_after_a_template_loaded_is_seen(tmp_path: Path) -> None:
    """A template's globals are the environment's as they are when it renders, as Jinja's
    `ChainMap` shows them."""
    env = sandbox(tmp_path, {"page.html": "{{ late if late is defined else 'unset' }}"})
    template = env.get_template("page.html")
    assert template.render() == "unset"
    env.globals["late"] = "set"
    assert template.render() == "set"
    assert template.render(late="passed") == "passed"


def build(project: Path, out: Path) -> Result:
    """A serial build (so that this process renders every page), without the search index."""
    args = ["build", str(project), "--out", str(out), "--no-search", "--jobs", "1"]
    return CliRunner().invoke(main, args)


def override(project: Path, name: str, text: str) -> None:
    path = project / "overrides" / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def plain_jinja(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render as before `SandboxTemplate`: Jinja's own template class and escape filters."""
    made = templating.template_environment

    def environment(dirs: list[Path]) -> TemplateSandbox:
        env = made(dirs)
        env.filters["e"] = env.filters["escape"] = markupsafe.escape
        return env

    monkeypatch.setattr(TemplateSandbox, "template_class", jinja2.Template)
    monkeypatch.setattr(templating, "template_environment", environment)


@pytest.fixture(params=["mini", "generated"])
def community(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    project = tmp_path / "community"
    if request.param == "mini":
        shutil.copytree(MINI, project)
    else:
        generate(project, mentors=12, entries=150, seed=5)
    return project


def test_the_site_is_byte_identical_to_plain_jinjas(
    community: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = (THEME / "base.html").read_text(encoding="utf-8")
    assert base.count(NAV_NOW) == 1
    with monkeypatch.context() as patched:
        plain_jinja(patched)
        override(community, "base.html", base.replace(NAV_NOW, NAV_BEFORE))
        before = build(community, tmp_path / "before")
        assert before.exit_code == 0, before.output
    shutil.rmtree(community / "overrides")
    shutil.rmtree(community / PAGE_CACHE)
    now = build(community, tmp_path / "now")
    assert now.exit_code == 0, now.output
    expected, actual = tree_digest(tmp_path / "before"), tree_digest(tmp_path / "now")
    assert len(actual) > 40
    assert actual == expected
    assert 'aria-current="page"' in (tmp_path / "now" / "badges" / "index.html").read_text("utf-8")


def assert_refused(result: Result, message: str, where: str = "overrides/templates/") -> None:
    """Exit 1 on a problem located in a template (`where`): no traceback, nothing run."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert where in result.output and ": template: " in result.output
    assert message in result.output, result.output


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "mini"
    shutil.copytree(MINI, copy)
    return copy


HOSTILE = {
    "mro": ("{{ page.url.__class__.__mro__ }}", "is unsafe"),
    "format-class": ('{{ "{0.__class__.__mro__}".format(page.url) }}', "is unsafe"),
    "format-kept": ('{% set f = "{0.__class__.__mro__}".format %}{{ f(page) }}', "is unsafe"),
    "format-map": ('{{ "{c.__init__.__globals__}".format_map({"c": cycler}) }}', "is unsafe"),
    "markup-format": ('{{ ("{0.__class__}" | e).format(page) }}', "is unsafe"),
    "cycler-globals": ("{{ cycler.__init__.__globals__ }}", "is unsafe"),
    "joiner-call": ("{{ joiner().__call__.__globals__ }}", "is unsafe"),
    "cycler-next": ("{% set c = cycler(1, 2) %}{{ c.next.__func__ }}", "is unsafe"),
    "escape-html": ('{{ ("<b>" | e).__html__() }}', "is unsafe"),
    "escape-attr": ('{{ page | attr("__class__") }}', "is unsafe"),
    "macro-func": (
        '{% import "macros.html" as m %}{{ m.person.__call__.__globals__ }}',
        "is unsafe",
    ),
    "macro-module": ('{% import "macros.html" as m %}{{ m.date._func }}', "is unsafe"),
    "view-method": ("{{ urls.absolute.__func__.__globals__ }}", "is unsafe"),
    "callable-view": ("{{ page.__init__() }}", "is unsafe"),
    "self-block": ("{{ self.__init__.__globals__ }}", "is unsafe"),
}


@pytest.mark.parametrize("payload", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_entry_templates_are_still_stopped(
    project: Path, tmp_path: Path, payload: tuple[str, str]
) -> None:
    text, message = payload
    entry = (THEME / "entry.html").read_text(encoding="utf-8")
    override(project, "entry.html", entry.replace("{% block main %}", "{% block main %}" + text))
    assert_refused(build(project, tmp_path / "site"), message)


def test_an_overridden_macro_is_still_stopped(project: Path, tmp_path: Path) -> None:
    """A theme's `macros.html` (imported once per build, without a page) runs in the sandbox."""
    macros = (THEME / "macros.html").read_text(encoding="utf-8")
    hostile = "{% macro date(d) -%}{{ d.__class__.__subclasses__() }}{%- endmacro %}"
    start = macros.index("{% macro date(d) -%}")
    end = macros.index("{%- endmacro %}", start) + len("{%- endmacro %}")
    override(project, "macros.html", macros[:start] + hostile + macros[end:])
    assert_refused(build(project, tmp_path / "site"), "is unsafe")


def test_an_overridden_frame_is_still_stopped(project: Path, tmp_path: Path) -> None:
    """`frame.html` is imported without context once per build: still in the sandbox (what it
    was refused is an undefined value, which stops the page that prints it)."""
    frame = (THEME / "frame.html").read_text(encoding="utf-8")
    override(project, "frame.html", frame + "{% set footer = urls.page.__globals__ %}")
    assert_refused(build(project, tmp_path / "site"), "'__globals__'", "base.html:")


def test_hostile_text_is_escaped_on_every_page(project: Path, tmp_path: Path) -> None:
    """Content prints through `output_escape`: a title that tries to close an attribute or open
    a script is shown as text wherever it appears."""
    entry = (
        project / "content" / "threads" / "ana-lukasiewicz--jonas-berg" / "2025-03-04-kickoff.md"
    )
    text = entry.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    title = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[title] = "title: 'Kickoff \"><script>alert(1)</script>'\n"
    entry.write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "site"
    result = build(project, out)
    assert result.exit_code == 0, result.output
    pages = [p.read_text(encoding="utf-8") for p in out.rglob("*.html")]
    assert sum("Kickoff &#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in p for p in pages) >= 2
    assert not any("<script>alert(1)" in p for p in pages)


@pytest.mark.parametrize(
    "name", ["name", "items", "get", "missing", "_private", "__class__", "__len__", "keys"]
)
def test_a_dicts_attributes_and_items_are_read_as_jinjas_sandbox_reads_them(
    tmp_path: Path, name: str
) -> None:
    """`site.name` is an item, `site.items` a method, `site.__class__` refused: whichever the
    dict holds."""
    ours = sandbox(tmp_path, {})
    jinjas = ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    data = {"name": "Circle", "items": "shadowed", "_private": "kept", "__class__": "key"}
    for environment in (ours, jinjas):
        assert environment.getattr({}, "keys")() == {}.keys()
    mine, theirs = ours.getattr(data, name), jinjas.getattr(data, name)
    assert type(mine) is type(theirs)
    if isinstance(theirs, jinja2.Undefined):
        assert mine._undefined_message == theirs._undefined_message
        with pytest.raises(jinja2.TemplateError, match=name):
            str(mine)
    else:
        assert mine == theirs
