"""How results reach people and machines: one reporter per output format.

The CLI decides what happened; a reporter only decides how it looks, so tests can check the
wording of each format without running a build.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Protocol, TextIO

from menteo.errors import Problem


class Reporter(Protocol):
    def problems(self, problems: tuple[Problem, ...], action: str) -> None: ...

    def success(self, summary: str, data: dict[str, Any]) -> None: ...


class TextReporter:
    """`path:line: field: message (hint)` per problem on stderr, like compilers and linters."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def problems(self, problems: tuple[Problem, ...], action: str) -> None:
        for problem in problems:
            print(problem, file=self.err)
        files = len({p.path for p in problems})
        noun = "problem" if len(problems) == 1 else "problems"
        where = "file" if files == 1 else "files"
        print(f"Error: {len(problems)} {noun} in {files} {where}; {action}.", file=self.err)

    def success(self, summary: str, data: dict[str, Any]) -> None:
        print(summary, file=self.out)


class JsonReporter:
    """One JSON document on stdout, whatever happened."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout

    def problems(self, problems: tuple[Problem, ...], action: str) -> None:
        document = {"ok": False, "problems": [p.as_dict() for p in problems]}
        print(json.dumps(document, ensure_ascii=False, indent=2), file=self.out)

    def success(self, summary: str, data: dict[str, Any]) -> None:
        document = {"ok": True, "problems": [], **data}
        print(json.dumps(document, ensure_ascii=False, indent=2), file=self.out)


def reporter_for(name: str) -> Reporter:
    return JsonReporter() if name == "json" else TextReporter()
