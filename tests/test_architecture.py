"""The package's shape: the import graph has no cycle and no pipeline stage imports a later one;
the helpers that replaced copy-paste twins behave as every call site did; skips count what they
skip.

The layering rule, as `layering_problems` enforces it:
- stages, in pipeline order: content → recognition → ledger → program → credentials → site. A
  module of a stage imports its own stage, earlier stages and shared modules, nothing else.
- shared modules (`SHARED`) are leaves every stage may use: they import only each other.
- every other module (cli, commands, build, serve, newsletter, the report formatters...) is the
  application on top and may import anything; no stage or shared module imports it.
Every import counts: at module level, inside functions, and under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
import graphlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner

from menteo.cli import main
from menteo.content.loader import load_community
from menteo.ledger.store import read_ledger
from menteo.program.figures import program_figures
from menteo.suggest import did_you_mean, in_parentheses

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator" / "menteo"
STAGES = ("content", "recognition", "ledger", "program", "credentials", "site")
SHARED = frozenset(
    {
        "errors",
        "sealed",
        "escaping",
        "i18n",
        "git",
        "suggest",
        "private_state",
        "atomic_output",
        "workers",
        "code_identity",
    }
)
"""Top-level modules any stage may import. `atomic_output` is here because the ledger, the keys
and the caches write through it too; `workers` because signing, share cards and rendering share
one process pool; `code_identity` because every cache's key names the menteo that made it; `sealed` because
every cache file is framed and checked the same way."""

Graph = Mapping[str, frozenset[str]]


def module_files(package: Path = PACKAGE) -> dict[str, Path]:
    """Dotted module name → file, for every module of the package."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, modules: Mapping[str, Path]) -> frozenset[str]:
    """The package's modules that `name` imports: `from a.b import c` is an edge to a.b.c when c
    is a module, else to a.b."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".")
                keep = len(here) - node.level + (1 if is_package else 0)
                base = ".".join([*here[:keep], *([node.module] if node.module else [])])
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return frozenset(found)


def import_graph(package: Path = PACKAGE) -> dict[str, frozenset[str]]:
    modules = module_files(package)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def layer(module: str) -> tuple[str, int | None]:
    """("stage", rank), ("shared", None) or ("application", None)."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else ""
    if top in STAGES:
        return "stage", STAGES.index(top)
    if top in SHARED and len(parts) == 2:
        return "shared", None
    return "application", None


def layering_problems(graph: Graph) -> list[str]:
    problems = []
    for module, targets in sorted(graph.items()):
        kind, rank = layer(module)
        if kind == "application":
            continue
        for target in sorted(targets):
            target_kind, target_rank = layer(target)
            if target_kind == "shared":
                continue
            if kind == "shared":
                problems.append(f"{module} is shared but imports {target}")
            elif target_kind == "application":
                problems.append(f"{module} imports {target}, which is not part of the pipeline")
            elif target_rank is not None and rank is not None and target_rank > rank:
                problems.append(f"{module} imports {target}, a later stage")
    return problems


def cycle(graph: Graph) -> list[str] | None:
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return None


# --- the real package ------------------------------------------------------------------------


def test_the_import_graph_has_no_cycle() -> None:
    assert cycle(import_graph()) is None


def test_no_stage_imports_a_later_stage_or_the_application() -> None:
    assert layering_problems(import_graph()) == []


def test_the_graph_sees_every_kind_of_import() -> None:
    """Function-local imports (the commands import lazily) are edges too; otherwise the rules
    above would pass for want of edges."""
    graph = import_graph()
    assert "menteo.site.dashboard" in graph["menteo.commands.report"]  # imported inside `report`
    assert "menteo.recognition.results" in graph["menteo.recognition.wording"]
    assert "menteo.content.loader" in graph["menteo.build"]


def private_imports(package: Path = PACKAGE) -> list[str]:
    """`from menteo.x import _y`: a module reaching into another's private helpers."""
    found = []
    for name, path in module_files(package).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("menteo"):
                found += [
                    f"{name} imports {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name.startswith("_")
                ]
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    assert private_imports() == []


# --- the checks catch what they are for -------------------------------------------------------


def _package(tmp_path: Path, files: Mapping[str, str]) -> Path:
    package = tmp_path / "menteo"
    for name, text in {"__init__.py": "", **files}.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(package).parents:
            (package / parent / "__init__.py").touch()
        path.write_text(text, encoding="utf-8")
    return package


def test_content_importing_the_site_is_refused(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "content/loader.py": "from menteo.site.render import render\n",
            "site/render.py": "from menteo.content import loader\n",
        },
    )
    graph = import_graph(package)
    assert layering_problems(graph) == [
        "menteo.content.loader imports menteo.site.render, a later stage"
    ]
    assert cycle(graph) is not None


def test_a_private_import_is_found(tmp_path: Path) -> None:
    package = _package(tmp_path, {"newsletter.py": "from menteo.site.awards import _unsigned\n"})
    assert private_imports(package) == ["menteo.newsletter imports menteo.site.awards._unsigned"]


def test_type_checking_and_relative_imports_count(tmp_path: Path) -> None:
    package = _package(
        tmp_path,
        {
            "recognition/evaluate.py": "from .wording import Wording\n",
            "recognition/wording.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from menteo.recognition.evaluate import Result\n"
            ),
        },
    )
    assert set(cycle(import_graph(package)) or []) == {
        "menteo.recognition.evaluate",
        "menteo.recognition.wording",
    }


def test_shared_modules_stay_leaves_and_stages_stay_out_of_the_application(
    tmp_path: Path,
) -> None:
    package = _package(
        tmp_path,
        {
            "errors.py": "from menteo.content import models\n",
            "content/models.py": "from menteo import errors\nfrom menteo.build import build\n",
            "build.py": "from menteo.site import pages\nfrom menteo.content import models\n",
            "site/pages.py": "from menteo.errors import Problem\n",
        },
    )
    assert layering_problems(import_graph(package)) == [
        "menteo.content.models imports menteo.build, which is not part of the pipeline",
        "menteo.errors is shared but imports menteo.content.models",
    ]


# --- one helper where there were seven --------------------------------------------------------


def test_did_you_mean_quotes_like_every_call_site_did() -> None:
    assert did_you_mean("amara-okafr", ["amara-okafor", "ben"]) == "did you mean 'amara-okafor'?"
    assert did_you_mean("urn:uuid:1234", ["urn:uuid:1235"], quote=False) == (
        "did you mean urn:uuid:1235?"
    )
    assert did_you_mean("zzz", ["amara-okafor"]) is None
    assert in_parentheses(did_you_mean("rising-sta", {"rising-star"})) == (
        " (did you mean 'rising-star'?)"
    )
    assert in_parentheses(None) == ""


def test_did_you_mean_does_not_depend_on_the_order_of_choices() -> None:
    """Call sites passed sets, dict keys and sorted lists: the answer must not depend on which."""
    choices = ["mentor-b", "mentor-a"]
    assert did_you_mean("mentor-", choices) == did_you_mean("mentor-", reversed(choices))


# --- skips count what they skip ---------------------------------------------------------------


def _browser_tests(extra: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update({"MENTEO_TEST_CHROMIUM": str(ROOT / "no-such-chromium"), **extra})
    return subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_browser.py", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _defined_tests() -> int:
    """How many test items test_browser.py defines, counting parametrised cases."""
    listed = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "tests/test_browser.py"),
            *("--collect-only", "-q", "-p", "no:cacheprovider"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return sum(1 for line in listed.stdout.splitlines() if "::" in line)


def test_without_chromium_each_browser_test_is_skipped_with_its_reason() -> None:
    done = _browser_tests({})
    assert done.returncode == 0, done.stdout + done.stderr
    total = _defined_tests()
    assert total > 20
    assert re.search(rf"\b{total} skipped\b", done.stdout), done.stdout
    assert "Chromium is not installed (apt-get install chromium)" in done.stdout


def test_without_chromium_in_ci_the_browser_tests_are_an_error() -> None:
    done = _browser_tests({"CI": "true"})
    assert done.returncode != 0
    assert "Chromium is required in CI" in done.stdout


# --- one source of program figures ------------------------------------------------------------

MINI = ROOT / "tests" / "fixtures" / "mini"


def _home_number(home: str, label: str) -> int:
    found = re.search(rf"<dt>{label}</dt>\s*<dd>(\d+)</dd>", home)
    assert found, label
    return int(found.group(1))


def test_home_numbers_are_the_program_figures_and_say_who_the_directory_leaves_out(
    tmp_path: Path,
) -> None:
    """The home page counts everyone; the directory lists those who consented. The note on the
    home page accounts for the difference, so the two pages never silently disagree."""
    out = tmp_path / "site"
    done = CliRunner().invoke(main, ["build", str(MINI), "--out", str(out)])
    assert done.exit_code == 0, done.output
    home = (out / "index.html").read_text(encoding="utf-8")
    community = load_community(MINI)
    figures = program_figures(community, read_ledger(MINI))
    for label, value in [
        ("Mentors", figures.mentors),
        ("Mentees", figures.mentees),
        ("Active pairs", figures.active_pairs),
        ("Sessions", figures.sessions),
        ("Outcomes", figures.outcomes),
        ("Months of mentoring", figures.months),
    ]:
        assert _home_number(home, label) == value, label
    listed = sum(
        (out / role / "index.html").read_text(encoding="utf-8").count('class="card person-card"')
        for role in ("mentors", "mentees")
    )
    note = re.search(r"including (\d+) (?:person|people) not listed in the directory", home)
    assert note, "the home page must say that it counts people the directory does not list"
    assert listed + int(note.group(1)) == figures.mentors + figures.mentees


def test_report_says_why_its_date_differs_from_the_dashboards() -> None:
    """The report is as of today (or --as-of); the site, which never reads the clock, as of its
    most recent entry: the report says so rather than list other pairs unexplained."""
    later = CliRunner().invoke(main, ["report", str(MINI), "--as-of", "2025-12-01"])
    assert later.exit_code == 0, later.output
    assert (
        "The site's dashboard is as of the most recent entry (2025-05-20), so the pairs it "
        "lists as needing a check-in or feedback can differ."
    ) in later.output
    same = CliRunner().invoke(main, ["report", str(MINI), "--as-of", "2025-05-20"])
    assert "The site's dashboard is as of" not in same.output
    data = json.loads(
        CliRunner()
        .invoke(main, ["report", str(MINI), "--as-of", "2025-12-01", "--format", "json"])
        .output
    )
    assert (data["as_of"], data["latest_entry"]) == ("2025-12-01", "2025-05-20")
