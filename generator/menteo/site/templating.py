"""Where templates come from, and the sandbox every one of them runs in.

Templates are data, not code: a pull request may add or change any of them (`overrides/`,
`themes/<name>/`), so all of them, the packaged theme included (they share one loader), render in
an immutable Jinja sandbox whose policy is an allow-list. A template may read attributes of plain
data (str, numbers, dates, lists, tuples, mappings) and of the published view models, and call
only what the environment registered, macros, and methods of such data; it may not reach a
module, a class, a function's globals, a path or a file. Kept free of the renderer's imports, so
`menteo check` can parse templates without loading it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping
from functools import cache
from pathlib import Path
from typing import Any
from weakref import WeakValueDictionary

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    Template,
    Undefined,
    select_autoescape,
)
from jinja2.environment import Environment, TemplateModule
from jinja2.exceptions import SecurityError
from jinja2.runtime import (
    BlockReference,
    Context,
    LoopContext,
    Macro,
    TemplateReference,
    new_context,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner, _PassArg
from markupsafe import Markup, escape

try:  # as markupsafe itself finds it
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover (markupsafe without its compiled part)
    from markupsafe._native import _escape_inner

PLAIN_TYPES: frozenset[type] = frozenset(
    {str, Markup, int, float, bool, type(None), dt.date, dt.datetime, list, tuple, dict}
)
"""Published data as it is: its public, non-mutating attributes and methods are the template's."""
JINJA_TYPES: frozenset[type] = frozenset(
    {LoopContext, Macro, BlockReference, TemplateReference, TemplateModule, Cycler, Joiner}
)
"""What Jinja itself hands a template (`loop`, macros and `caller`, `super()`, `self`, an
`{% import %}`ed template)."""
FIXED_JINJA_TYPES: frozenset[type] = JINJA_TYPES - {TemplateModule}
"""Those whose attributes no template sets, so that what a call asks of them (`unsafe_callable`,
`jinja_pass_arg`) is the same for every one of a type: an imported module holds what its
template exports."""
VIEW_MODULES: frozenset[str] = frozenset(
    {
        "menteo.site.views",
        "menteo.site.awards",
        "menteo.site.dashboard",
        "menteo.program.figures",
        "menteo.newsletter",
    }
)
"""Modules of the view models: their frozen dataclasses hold only published data."""
VIEW_CLASSES: frozenset[str] = frozenset(
    {
        "menteo.content.publication.Urls",
        "menteo.site.pages.PageHead",
        "menteo.site.pages.PageImage",
    }
)
"""View classes elsewhere, by name: `urls` (pure functions from names to URLs) and `page` (not
the plan's `Page`, which names the content file a page shows)."""


@cache
def is_view_type(cls: type) -> bool:
    """A frozen dataclass of the view modules (a record such as an entry's `Body`, or the
    `Publication` holding the whole community, is not one)."""
    if f"{cls.__module__}.{cls.__qualname__}" in VIEW_CLASSES:
        return True
    params = getattr(cls, "__dataclass_params__", None)
    return (
        dataclasses.is_dataclass(cls)
        and params is not None
        and params.frozen
        and cls.__module__ in VIEW_MODULES
        and not cls.__name__.startswith("_")
    )


def _readable_type(cls: type) -> bool:
    return cls in PLAIN_TYPES or cls in JINJA_TYPES or is_view_type(cls)


STR_FORMATTERS = frozenset({"format", "format_map"})
"""The names of the methods Jinja's `wrap_str_format` replaces (it asks each method's name)."""


DICT_ATTRIBUTES = frozenset(dir(dict))
"""Every attribute a plain dict has (it has no attributes of its own)."""


class Refused(enum.Enum):
    """A call decision: not callable from a template."""

    REFUSED = enum.auto()


CallDecision = _PassArg | Refused | None
"""Refused, or how Jinja calls what a template may call: what it passes first (`_PassArg`), or
nothing (None)."""
CallKey = type | tuple[type, types.FunctionType] | tuple[type, str]


_new_str = str.__new__


def output_escape(value: object, /) -> Markup:
    """markupsafe's `escape`, which a template applies to everything it prints (a hundred values
    a page), without its two Python calls for the common cases: a plain string is escaped by
    markupsafe's own C function, and `Markup` is already what escaping it gives. A subclass of
    either, or anything else, goes through `escape` itself."""
    kind = type(value)
    if kind is str:
        return _new_str(Markup, _escape_inner(value))  # type: ignore[arg-type]
    if kind is Markup:
        return value  # type: ignore[return-value]
    return escape(value)


def _flat(globals: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A `ChainMap` as the dict `dict(chain_map)` makes, copied map by map in C."""
    if type(globals) is not ChainMap:
        return globals
    flat: dict[str, Any] = {}
    for mapping in reversed(globals.maps):
        flat.update(mapping)
    return flat


class SandboxTemplate(Template):
    """Jinja's template, printing and importing a little more cheaply: its compiled code escapes
    output with `output_escape`, and every page imports two templates (`base.html` its
    `frame.html`, a page its `macros.html`)."""

    @classmethod
    def _from_namespace(
        cls,
        environment: Environment,
        namespace: MutableMapping[str, Any],
        globals: MutableMapping[str, Any],
    ) -> Template:
        """Jinja's, over the namespace its compiled code ran in, whose `escape` (imported from
        Jinja's runtime) the template's functions look up when they run."""
        namespace["escape"] = output_escape
        return super()._from_namespace(environment, namespace, globals)

    def new_context(
        self,
        vars: dict[str, Any] | None = None,
        shared: bool = False,
        locals: Mapping[str, Any] | None = None,
    ) -> Context:
        """Jinja's, with the template's globals passed as one dict: Jinja copies them into each
        page's context twice (`dict(globals, **vars)`, `set(globals)`), which through the
        `ChainMap` (the template's over the environment's) is a Python call per name and 15 µs
        a page. The dict holds what the `ChainMap` holds, in its order, made anew each time so
        that it shows the globals as they are now."""
        return new_context(
            self.environment, self.name, self.blocks, vars, shared, _flat(self.globals), locals
        )

    def _get_default_module(self, ctx: Context | None = None) -> TemplateModule:
        """Jinja's: the imported template's module, made anew with the importer's globals that
        it lacks, if any. Jinja finds those as `ctx.globals_keys - self.globals.keys()`, where
        `self.globals` is a `ChainMap` (the template's over the environment's): a set minus a
        `ChainMap`'s keys view tests each name in each map in Python, 20 µs, twice a page. The
        same set, taken from each map in C."""
        if ctx is not None:
            maps = self.globals.maps if isinstance(self.globals, ChainMap) else (self.globals,)
            keys = ctx.globals_keys.difference(*maps)
            if keys:
                return self.make_module({k: ctx.parent[k] for k in keys})
        return super()._get_default_module()


class TemplateSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with an allow-list: refused unless known to be harmless.

    An attribute is decided by the object's type and the attribute's name alone (Jinja's own
    rules, internal attributes and mutating methods, are by type too), so each decision is made
    once per environment: a page reads thousands of attributes. A call is decided once per kind
    of callable too (a page makes a hundred calls), by keys that hold what they name, so that no
    key can come to mean another object: a Jinja object by its type, a method by its object's
    type and its function (or, built in, its name), a global by itself while it is still the
    global of its name. Anything else (a formatter, an undefined value, whatever a context holds)
    goes through `is_safe_callable` on every call."""

    template_class = SandboxTemplate

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.attributes: dict[tuple[type, str], bool] = {}
        self.formatters: WeakValueDictionary[int, Callable[..., str]] = WeakValueDictionary()
        self.calls: dict[CallKey, CallDecision] = {}
        self.global_calls: dict[int, tuple[object, str, CallDecision]] = {}
        """`id` of a global → the global (held, so that the id stays its), its name, decision."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        allowed = self.attributes.get(key)
        if allowed is None:
            allowed = self.attributes[key] = (
                not attr.startswith("_")
                and _readable_type(key[0])
                and super().is_safe_attribute(obj, attr, value)
            )
        return allowed

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Jinja's `getattr` (an attribute, else an item, else undefined) without asking about
        `str.format` for values that are no methods of its names (what `wrap_str_format` asks
        first), and with `is_safe_attribute`'s remembered answer looked up in place. A dict's
        item (`site.name`) is looked up first when no attribute of a dict has its name: an
        `AttributeError` raised and caught costs more than the lookup."""
        if type(obj) is dict and attribute not in DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        kind = type(value)
        if (
            kind is types.MethodType or kind is types.BuiltinMethodType
        ) and value.__name__ in STR_FORMATTERS:
            formatter = self.wrap_str_format(value)
            if formatter is not None:
                return formatter
        allowed = self.attributes.get((type(obj), attribute))
        if allowed is None:
            allowed = self.is_safe_attribute(obj, attribute, value)
        return value if allowed else self.unsafe_undefined(obj, attribute)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """Jinja hands templates `str.format` as a function of its own that formats in the
        sandbox: marked here, so that it can be called."""
        wrapper = super().wrap_str_format(value)
        if wrapper is not None:
            self.formatters[id(wrapper)] = wrapper
        return wrapper

    def is_safe_callable(self, obj: Any) -> bool:
        """Macros, the environment's globals (filters and tests are never called through here),
        and public methods of what a template may read. Calling an undefined value is let
        through: it only raises, saying which name was undefined or which access refused."""
        cls = type(obj)
        if cls is types.MethodType or cls is types.BuiltinMethodType:
            allowed = _readable_type(type(obj.__self__)) and not obj.__name__.startswith("_")
        else:
            allowed = (
                cls in JINJA_TYPES
                or isinstance(obj, Undefined)
                or self.formatters.get(id(obj)) is obj
                or any(obj is g for g in self.globals.values())
            )
        return allowed and super().is_safe_callable(obj)

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        """Call `obj` from a template if `call_decision` allows it, as `Context.call` would
        (positional-only: a template may pass a keyword argument named `obj`)."""
        decision = self.call_decision(obj)
        if decision is Refused.REFUSED:
            raise SecurityError(f"{obj!r} is not safely callable")
        if decision is not None and decision is not _PassArg.eval_context:
            return context.call(obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        if decision is _PassArg.eval_context:
            args = (context.eval_ctx, *args)
        try:
            return obj(*args, **kwargs)
        except StopIteration:
            message = "value was undefined because a callable raised a StopIteration exception"
            return context.environment.undefined(message)

    def call_decision(self, obj: Any) -> CallDecision:
        """`is_safe_callable`'s answer (Refused, or what Jinja passes the callable), remembered
        where it cannot change: see the class."""
        cls = type(obj)
        key: CallKey | None = None
        if cls is types.MethodType:
            function = obj.__func__
            if type(function) is types.FunctionType:
                key = (type(obj.__self__), function)
        elif cls is types.BuiltinMethodType:
            key = (type(obj.__self__), obj.__name__)
        elif cls in FIXED_JINJA_TYPES:
            key = cls
        else:
            known = self.global_calls.get(id(obj))
            if known is not None and known[0] is obj and self.globals.get(known[1]) is obj:
                return known[2]
        if key is not None:
            try:
                return self.calls[key]
            except KeyError:
                pass
        decision = _pass_arg(obj) if self.is_safe_callable(obj) else Refused.REFUSED
        if key is not None:
            self.calls[key] = decision
        else:
            for name, value in self.globals.items():
                if value is obj:
                    self.global_calls[id(obj)] = (obj, name, decision)
                    break
        return decision


def _pass_arg(obj: Any) -> _PassArg | None:
    """What `Context.call` passes `obj` first: the mark on its `__call__`, else on itself."""
    if hasattr(obj, "__call__"):  # noqa: B004 (as Jinja asks it)
        marked = _PassArg.from_obj(obj.__call__)
        if marked is not None:
            return marked
    return _PassArg.from_obj(obj)


def template_environment(dirs: list[Path]) -> TemplateSandbox:
    """The sandboxed environment over the theme folders `dirs` (templates in `<dir>/templates`),
    with the syntax every menteo template is written in. `namespace` is left out: it is the one
    object a template could change. Templates are not checked for changes on disk once loaded
    (a page imports three, and each check stats every theme folder): an environment lives for
    one build, and `menteo serve` makes a new one when a template changes."""
    env = TemplateSandbox(
        loader=ChoiceLoader([FileSystemLoader(str(d / "templates")) for d in dirs]),
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    del env.globals["namespace"]
    env.filters["e"] = env.filters["escape"] = output_escape
    env.policies["ext.i18n.trimmed"] = True
    # The i18n extension adds this attribute when it loads; Environment does not declare it.
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    return env
