"""`menteo check` on a community's own templates: parsed, never rendered.

A pull request that changes `overrides/templates/` or `themes/<name>/templates/` should fail the
check it runs, not only the build after merging: a syntax error is reported at its file and line,
and so is any reach for an attribute starting with `_` (`cycler.__init__`, `x['__class__']`,
`x | attr('_y')`), the first step of every known escape from a Jinja sandbox, which the sandbox
also refuses when the template renders. Parsing a few templates costs milliseconds; the renderer
is not imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from string import Formatter

from jinja2 import TemplateSyntaxError, nodes

from menteo.errors import Problem
from menteo.site.templating import template_environment
from menteo.site.theme_folders import PACKAGE_THEMES, theme_dirs

HINT = "fix the template"


def template_problems(root: Path, theme: str) -> list[Problem]:
    """Problems in the templates of the community at `root` (its overrides and its copy of
    `theme`; the theme shipped with menteo is not the community's to break)."""
    dirs = [d for d in theme_dirs(root, theme) if not d.is_relative_to(PACKAGE_THEMES)]
    env = template_environment(dirs)
    problems: list[Problem] = []
    for directory in dirs:
        folder = directory / "templates"
        files = sorted(folder.rglob("*")) if folder.is_dir() else []
        for path in files:
            if path.is_symlink() or not path.is_file():
                continue  # a link is the build's problem to report (`linked_theme_files`)
            rel = path.relative_to(root).as_posix()
            try:
                source = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                problems.append(Problem(rel, 0, "template", "not readable UTF-8 text", HINT))
                continue
            try:
                tree = env.parse(source, name=rel, filename=rel)
            except TemplateSyntaxError as exc:
                problems.append(Problem(rel, exc.lineno, "template", exc.message or "", HINT))
                continue
            problems += (
                Problem(
                    rel,
                    line,
                    "template",
                    f"attribute {name!r}: templates may not use names starting with '_'",
                    "use the fields of the page's data; the sandbox refuses these",
                )
                for line, name in _private_names(tree)
            )
    return problems


def _private_names(tree: nodes.Template) -> Iterator[tuple[int, str]]:
    """(line, name) of each attribute a template reads, asks for with `attr`, or names in a
    `'{0.x}'.format(...)` field, whose name starts with `_`."""
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        if isinstance(node, nodes.Getattr):
            name: object = node.attr
            if name in ("format", "format_map") and isinstance(node.node, nodes.Const):
                yield from ((node.lineno, field) for field in _private_fields(node.node.value))
        elif isinstance(node, nodes.Getitem):
            name = node.arg.value if isinstance(node.arg, nodes.Const) else None
        elif (
            isinstance(node, nodes.Filter)
            and node.name == "attr"
            and node.args
            and isinstance(node.args[0], nodes.Const)
        ):
            name = node.args[0].value
        else:
            continue
        if isinstance(name, str) and name.startswith("_"):
            yield node.lineno, name


def _private_fields(text: object) -> Iterator[str]:
    """Replacement fields of a format string that reach for a `_` attribute or item."""
    if not isinstance(text, str):
        return
    try:
        fields = [field for _, field, _, _ in Formatter().parse(text) if field]
    except ValueError:
        return  # not a format string: the call fails when rendered
    for field in fields:
        if any(part.startswith("_") for part in re.split(r"[.\[\]]", field)):
            yield field
