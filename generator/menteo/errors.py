"""The one exception type for mistakes a user can fix.

Every problem names the file, the line, the field, what is wrong and how to fix it, so the CLI can
print them all at once as `path:line: field: message (hint)` and exit 1 without a traceback.
A problem may quote what a pull request wrote (a file name with a line break, an escape
sequence), so its text form is one line with every invisible character shown escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from menteo.escaping import visible


@dataclass(frozen=True, order=True)
class Problem:
    """One fixable mistake. `line` is 1-based; 0 means the whole file."""

    path: str
    line: int
    field: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        field = f" {self.field}:" if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return visible(f"{where}:{field} {self.message}{hint}")

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


class ContentError(Exception):
    """Raised with every problem found, sorted, so users fix them in one pass."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems)))
        super().__init__("\n".join(str(p) for p in self.problems))
