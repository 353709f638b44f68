"""The sandbox decides each kind of callable once (`TemplateSandbox.call_decision`): what it
remembers must never let through a call that `is_safe_callable`, asked afresh, refuses.

Refusals are attacked through the real command with a template where a pull request puts it;
the remembered decisions are compared with the full check over a table of callables, asked in
several orders, and calls are compared with what Jinja's own `Context.call` does.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner
from jinja2 import (
    Environment,
    StrictUndefined,
    pass_context,
    pass_environment,
    pass_eval_context,
)
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner
from markupsafe import Markup

from menteo.cli import main
from menteo.content.community import Body
from menteo.content.publication import Urls
from menteo.site.pages import PageHead, PageImage
from menteo.site.render import make_environment
from menteo.site.templating import Refused, TemplateSandbox
from menteo.site.theme_folders import PACKAGE_THEMES, theme_dirs
from test_security_templates import (  # noqa: F401 (`project` is a fixture)
    ENTRY_URL,
    MINI,
    assert_refused,
    override,
    project,
)

ENTRY = "entry.html"
"""An entry page's template: its context holds an entry's opaque `Body`, not a view."""
CALLS = {
    "body-method": ("{{ entry.body.text() }}", "is unsafe"),
    "body-item-method": ("{{ entry.body['text']() }}", "is unsafe"),
    "view-private-method": ("{{ urls.__init__('https://x.org/') }}", "is unsafe"),
    "str-private-method": ("{{ 'a'.__add__('b') }}", "is unsafe"),
    "format-dunder": ("{{ '{0.__class__.__mro__}'.format(urls) }}", "is unsafe"),
    "format-map-dunder": ("{{ '{u.page.__globals__}'.format_map({'u': urls}) }}", "is unsafe"),
    "markup-format-dunder": ("{{ _('{0.__init__}').format(urls) }}", "is unsafe"),
    "mapping-as-macro": (
        "{{ {'name': 'person', 'arguments': [], 'caller': false}('x') }}",
        "is not safely callable",
    ),
    "view-as-function": ("{{ page.image() }}", "is not safely callable"),
    "data-as-function": ("{{ site.issuer() }}", "is not safely callable"),
}
"""Each payload follows calls the sandbox has already decided to allow (a macro, a global, a
view's method, a string's method), so a remembered decision is asked before the refusal."""
ALLOWED_FIRST = (
    "{% import 'macros.html' as m %}{{ m.kind('session') }}{{ _('Mentors') }}"
    "{{ urls.page('x') }}{{ 'a,b'.split(',') }}{{ '{}'.format(1) }}\n"
)


@pytest.mark.parametrize(("payload", "message"), CALLS.values(), ids=CALLS)
def test_build_refuses_calls_after_allowing_others(
    project: Path,  # noqa: F811
    tmp_path: Path,
    payload: str,
    message: str,
) -> None:
    override(project, ENTRY, ALLOWED_FIRST + payload)
    out = tmp_path / "site"
    for jobs in ("1", "2"):
        result = CliRunner().invoke(
            main, ["build", str(project), "--out", str(out), "--jobs", jobs]
        )
        assert_refused(result, f"overrides/templates/{ENTRY}:3")
        assert message in result.output
        assert not out.exists()


def test_allowed_calls_still_render_through_the_cli(
    project: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The same calls a refused page makes first, on their own: they work, and a `caller`
    block, a macro given keyword arguments named like `call`'s own, and `loop` work too."""
    source = (
        ALLOWED_FIRST
        + "{% macro wrap(obj, context) %}[{{ caller() }}|{{ obj }}|{{ context }}]{% endmacro %}"
        "{% call wrap(obj=1, context=2) %}in{% endcall %}"
        "{% for i in [1, 2] recursive %}{{ loop.cycle('a', 'b') }}{% endfor %}"
    )
    override(project, ENTRY, source)
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", str(project), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    page = (out / ENTRY_URL).read_text(encoding="utf-8")
    kind = '<span class="kind kind-session">session</span>'
    assert page == f"first line\n{kind}Mentors/mini/x/[&#39;a&#39;, &#39;b&#39;]1\n[in|1|2]ab"


# ---------------------------------------------------------------- decisions, one by one


@pytest.fixture
def env() -> TemplateSandbox:
    return make_environment(theme_dirs(MINI, "default"), "/", "en")


def evil() -> str:
    return "ran"


evil.unsafe_callable = True  # type: ignore[attr-defined]


class Macroish:
    """Looks like a macro (name, arguments, a `__call__`), and is not one."""

    name = "person"
    arguments: ClassVar[list[str]] = []

    def __call__(self, *args: object) -> str:
        return "ran"


class SubMacro(Macro):
    """A `Macro` by inheritance only: Jinja makes exact `Macro`s."""


def callables(env: TemplateSandbox) -> Iterator[tuple[str, object]]:
    """Callables of every kind a template could hold, allowed and refused."""
    macros = env.get_template("macros.html").module
    urls = Urls("https://example.org/c/")
    head = PageHead("/a/", "Title", "", "website", PageImage("/i.png", 1, 1, "alt"))
    body = Body.of(Path("/tmp"), "content/x/entry.md", "text")
    yield "macro", macros.person  # type: ignore[attr-defined]
    yield "another macro", macros.date  # type: ignore[attr-defined]
    yield "a Macro subclass", SubMacro(env, lambda: "", "x", [], False, False, False)
    yield "a macro lookalike", Macroish()
    yield "template module", macros
    yield (
        "template module exporting marks",
        env.from_string("{% set unsafe_callable = true %}{% set jinja_pass_arg = 1 %}").module,
    )
    yield "template module again", env.from_string("{% set x = 1 %}").module
    yield "cycler instance", Cycler(1, 2)
    yield "joiner instance", Joiner()
    yield "cycler method", Cycler(1, 2).next
    yield "undefined", env.undefined(name="missing")
    yield "strict undefined", StrictUndefined(name="missing")
    for name in sorted(env.globals):
        yield f"global {name}", env.globals[name]
    yield "view method", urls.page
    yield "view method of another view", urls.absolute
    yield "view private method", urls.__init__
    yield "view dunder", urls.__repr__
    yield "view head method", head.__eq__
    yield "page view", head
    yield "non-view method", body.text
    yield "non-view method, same name", types.MethodType(Body.text, urls)
    yield "foreign function bound to a view", types.MethodType(evil, urls)
    yield "foreign function named like a view method", types.MethodType(named(evil, "page"), urls)
    yield "builtin bound to a view", types.MethodType(print, urls)
    yield "str method", "a".split
    yield "str method, other string", "b".split
    yield "str private method", "a".__add__
    yield "str format", "{}".format
    yield "str format, sandboxed", env.getattr("{}", "format")
    yield "markup format, sandboxed", env.getattr(Markup("{}"), "format")
    yield "markup method", Markup("a").striptags
    yield "list append", [].append
    yield "dict get", {}.get
    yield "dict update", {}.update
    yield "date method", dt.date(2025, 1, 1).isoformat
    yield "path method", Path("/").exists
    yield "module function", os.getcwd
    yield "builtin function", print
    yield "os.system", os.system
    yield "class method of a non-view", Path.cwd
    yield "lambda", lambda: "x"
    yield "partial of a global", functools.partial(env.globals["lipsum"], 1)
    yield "marked unsafe", evil
    yield "a class", Path
    yield "a builtin type", str
    yield "a mapping", {"name": "person"}


def named(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    copy = types.FunctionType(function.__code__, function.__globals__, name)
    copy.__dict__.update(function.__dict__)
    return copy


def table(env: TemplateSandbox) -> list[tuple[str, object]]:
    return list(callables(env))


@pytest.mark.parametrize("order", ["forward", "backward", "twice"])
def test_remembered_decisions_are_the_full_checks(env: TemplateSandbox, order: str) -> None:
    rows = table(env)
    if order == "backward":
        rows.reverse()
    elif order == "twice":
        rows += rows
    for label, obj in rows:
        assert answer(allowed_now(env), obj) == answer(env.is_safe_callable, obj), label


def allowed_now(env: TemplateSandbox) -> Callable[[object], bool]:
    return lambda obj: env.call_decision(obj) is not Refused.REFUSED


def answer(question: Callable[[object], bool], obj: object) -> bool | type[Exception]:
    """The answer, or the kind of error asking raised (asking about a strict undefined value
    raises, saying which name is undefined)."""
    try:
        return question(obj)
    except Exception as exc:
        return type(exc)


def test_the_table_covers_both_answers(env: TemplateSandbox) -> None:
    """A table of only allowed (or only refused) callables would prove nothing."""
    answers = {label: answer(allowed_now(env), obj) for label, obj in table(env)}
    allowed = {"macro", "global _", "global lipsum", "view method", "str method", "date method"}
    # A raw `str.format` is a public method of a string to both checks: a template never holds
    # one, as the sandbox's getattr and getitem hand out its sandboxed formatter instead.
    refused = {
        "a Macro subclass",
        "a macro lookalike",
        "view private method",
        "non-view method",
        "foreign function bound to a view",
        "foreign function named like a view method",
        "str private method",
        "path method",
        "module function",
        "os.system",
        "lambda",
        "partial of a global",
        "marked unsafe",
        "a class",
        "a mapping",
    }
    assert {label for label in allowed | refused if answers[label] != (label in allowed)} == set()


def test_a_same_named_method_of_another_function_is_decided_apart(env: TemplateSandbox) -> None:
    urls = Urls("https://example.org/c/")
    assert env.call_decision(urls.page) is None
    impostor = types.MethodType(named(evil, "page"), urls)
    assert env.call_decision(impostor) is Refused.REFUSED
    with pytest.raises(SecurityError):
        env.from_string("{{ f() }}").render(f=impostor)


def test_a_global_is_allowed_only_while_it_is_one(env: TemplateSandbox) -> None:
    lipsum = env.globals["lipsum"]
    assert env.call_decision(lipsum) is not Refused.REFUSED
    del env.globals["lipsum"]
    assert env.call_decision(lipsum) is Refused.REFUSED
    env.globals["other"] = lipsum
    assert env.call_decision(lipsum) is not Refused.REFUSED
    env.globals["other"] = evil
    assert env.call_decision(lipsum) is Refused.REFUSED
    assert env.call_decision(evil) is Refused.REFUSED  # a global, but marked unsafe


def test_functions_that_die_leave_no_decision_behind(env: TemplateSandbox) -> None:
    """Only globals (kept alive by the decision) are remembered by `id`: a refused function's id,
    reused by a new function, does not carry an answer."""
    for _ in range(200):
        function = eval("lambda: 1")  # a new function each time; ids get reused
        assert env.call_decision(function) is Refused.REFUSED
    assert all(obj in env.globals.values() for obj, _, _ in env.global_calls.values())


# ---------------------------------------------------------------- calls, as Jinja makes them


@pass_context
def context_name(context: Context, suffix: str = "") -> str:
    return f"{context.get('who')}{suffix}"


@pass_eval_context
def escaping(eval_ctx: Any, text: str) -> str:
    return f"{eval_ctx.autoescape}:{text}"


@pass_environment
def environment_kind(environment: Environment) -> str:
    return "env" if isinstance(environment, ImmutableSandboxedEnvironment) else "?"


def stop() -> str:
    raise StopIteration


SOURCE = (
    "{% macro m(a, b=2) %}{{ a }}{{ b }}{{ caller() if caller else '' }}{% endmacro %}"
    "{{ m(1) }}{{ m(1, b=3) }}{% call m(0) %}c{% endcall %}"
    "{{ ctx() }}{% for who in ['x', 'y'] %}{{ ctx('!') }}{% set who = 'z' %}{{ ctx() }}"
    "{% endfor %}"
    "{% block b %}{% set who = 'w' %}{{ ctx() }}{% endblock %}"
    "{{ esc('<') }}{{ envk() }}{{ stop() is defined }}{{ '{}|{}'.format('<', 1) }}"
    "{{ 'a b'.split() }}{{ range(3) | list }}{{ cycler(1, 2).next() }}"
)


def test_calls_behave_as_jinjas_own() -> None:
    """The fast path passes what `Context.call` passes (context with loop and block variables,
    evaluation context, environment), drops its private keywords and turns StopIteration into
    an undefined value, exactly as the stock sandbox does."""
    results = []
    for cls in (TemplateSandbox, ImmutableSandboxedEnvironment):
        environment = cls(autoescape=True)
        environment.globals.update(ctx=context_name, esc=escaping, envk=environment_kind, stop=stop)
        results.append(environment.from_string(SOURCE).render(who="v"))
    assert results[0] == results[1]
    assert results[0].startswith("121302cvv!zv!zwTrue:&lt;envFalse&lt;|1")


# ---------------------------------------------------------------- the frame, rendered once


def build(community: Path, out: Path, jobs: str = "1") -> Any:
    arguments = ["build", str(community), "--out", str(out), "--jobs", jobs, "--no-search"]
    return CliRunner().invoke(main, arguments)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_hostile_frame_is_refused_at_its_line(
    project: Path,  # noqa: F811
    tmp_path: Path,
    jobs: str,
) -> None:
    """`frame.html` renders once per build, outside any page, in the same sandbox."""
    marker = override(
        project, "frame.html", "{{ cycler.__init__.__globals__.os.popen('touch MARKER') }}"
    )
    result = build(project, tmp_path / "site", jobs)
    assert_refused(result, "overrides/templates/frame.html:2")
    assert not marker.exists() and not (tmp_path / "site").exists()


def test_the_frame_sees_the_site_and_no_page(project: Path, tmp_path: Path) -> None:  # noqa: F811
    override(project, "frame.html", "{% set footer = page.url %}")
    result = build(project, tmp_path / "site")
    assert_refused(result, "overrides/templates/frame.html:2")
    assert "'page' is undefined" in result.output


def test_an_overridden_frame_frames_every_page(project: Path, tmp_path: Path) -> None:  # noqa: F811
    frame = (PACKAGE_THEMES / "default/templates/frame.html").read_text(encoding="utf-8")
    footer = "<footer>{{ site.name }}: {{ urls.page('ledger') }}</footer>"
    override(project, "frame.html", frame + "{% set footer %}" + footer + "{% endset %}")
    out = tmp_path / "site"
    result = build(project, out, "2")
    assert result.exit_code == 0, result.output
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        if page.name != "index.html" or page.parent.name in ("share", "static"):
            continue
        text = page.read_text(encoding="utf-8")
        assert "<footer>Mini Circle: /mini/ledger/</footer>\n</body>" in text, page


def test_a_base_without_the_frame_still_renders(project: Path, tmp_path: Path) -> None:  # noqa: F811
    """A community's own base.html from before the frame existed sees `site` and `urls` as it
    did: they are still handed to every page."""
    base = "<title>{{ site.name }} {{ urls.page('x') }}</title>{% block main %}{% endblock %}"
    override(project, "base.html", base)
    out = tmp_path / "site"
    result = build(project, out)
    assert result.exit_code == 0, result.output
    assert (
        (out / ENTRY_URL)
        .read_text(encoding="utf-8")
        .startswith("first line\n<title>Mini Circle /mini/x/</title>")
    )
