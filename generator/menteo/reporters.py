"""How results reach people and machines: one reporter per output format.

The CLI decides what happened; a reporter only decides how it looks, so tests can check the
wording of each format without running a build.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from menteo.errors import Problem
from menteo.escaping import markdown_code, markdown_text, visible, workflow_data, workflow_property
from menteo.i18n import plural


@dataclass(frozen=True)
class PendingAward:
    """An award `menteo award` would record, with the reasons in words."""

    id: str
    badge: str
    name: str
    recipient: str
    role: str
    awarded: dt.date
    reasons: tuple[str, ...]
    evidence: tuple[str, ...]
    """Files of the entries that completed the criteria, the last one completing them."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "badge": self.badge,
            "name": self.name,
            "recipient": self.recipient,
            "role": self.role,
            "awarded": self.awarded.isoformat(),
            "reasons": list(self.reasons),
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class Checked:
    """What `menteo check` found in valid content: counts, pending awards, warnings."""

    counts: dict[str, int]
    pending: tuple[PendingAward, ...]
    warnings: tuple[Problem, ...]
    maintainer: tuple[Problem, ...] = ()
    """With `--against`: changes to maintainer-only paths and revocations, for the reviewer."""

    def summary(self) -> str:
        return ", ".join(f"{n} {noun(k, n)}" for k, n in self.counts.items())


SINGULAR = {
    "mentors": "mentor",
    "mentees": "mentee",
    "threads": "thread",
    "entries": "entry",
    "roadmaps": "roadmap",
    "communities": "community",
    "badges": "badge",
    "awards": "award",
    "revoked": "revoked",
}


def noun(key: str, n: int) -> str:
    return plural(n, SINGULAR[key], key)


class Reporter(Protocol):
    def problems(self, problems: tuple[Problem, ...], action: str) -> None: ...

    def success(self, summary: str, data: dict[str, Any]) -> None: ...

    def checked(self, result: Checked) -> None: ...


class TextReporter:
    """`path:line: field: message (hint)` per problem on stderr, like compilers and linters.
    `quiet` (`-q`) keeps only the problems: scripts and hooks print nothing on success."""

    def __init__(
        self, out: TextIO | None = None, err: TextIO | None = None, quiet: bool = False
    ) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.quiet = quiet

    def problems(self, problems: tuple[Problem, ...], action: str) -> None:
        for problem in problems:
            print(problem, file=self.err)
        files = len({p.path for p in problems})
        noun = plural(len(problems), "problem", "problems")
        where = plural(files, "file", "files")
        print(f"Error: {len(problems)} {noun} in {files} {where}; {action}.", file=self.err)

    def success(self, summary: str, data: dict[str, Any]) -> None:
        if not self.quiet:
            print(summary, file=self.out)

    def checked(self, result: Checked) -> None:
        if self.quiet:
            return
        print(f"All good: {result.summary()}.", file=self.out)
        if result.pending:
            count = len(result.pending)
            print(
                f"\n{count} pending {noun('awards', count)} (menteo award records them):",
                file=self.out,
            )
            for award in result.pending:
                print(
                    visible(f"  + {award.name} for {award.recipient}, first met {award.awarded}"),
                    file=self.out,
                )
                for reason in award.reasons:
                    print(visible(f"      ✓ {reason}"), file=self.out)
                print(visible(f"      completed by {award.evidence[-1]}"), file=self.out)
        else:
            print("No pending awards.", file=self.out)
        if result.warnings:
            print(f"\nWarnings ({len(result.warnings)}):", file=self.out)
            for warning in result.warnings:
                print(f"  {warning}", file=self.out)
        if result.maintainer:
            print(f"\nMaintainer-only changes ({len(result.maintainer)}):", file=self.out)
            for change in result.maintainer:
                print(f"  {change}", file=self.out)


def _json(document: dict[str, Any]) -> str:
    """Readable UTF-8 JSON; all ASCII escapes when a file name was not UTF-8 (its undecodable
    bytes are lone surrogates, which UTF-8 cannot carry)."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(document, indent=2)
    return text


class JsonReporter:
    """One JSON document on stdout, whatever happened."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout

    def problems(self, problems: tuple[Problem, ...], action: str) -> None:
        document = {"ok": False, "problems": [p.as_dict() for p in problems]}
        print(_json(document), file=self.out)

    def success(self, summary: str, data: dict[str, Any]) -> None:
        document = {"ok": True, "problems": [], **data}
        print(_json(document), file=self.out)

    def checked(self, result: Checked) -> None:
        self.success(
            "",
            {
                "counts": result.counts,
                "pending": [p.as_dict() for p in result.pending],
                "warnings": [w.as_dict() for w in result.warnings],
                "maintainer_changes": [c.as_dict() for c in result.maintainer],
            },
        )


def _escape(text: str, property_value: bool = False) -> str:
    """GitHub workflow commands' escaping (data and property values differ), on one line."""
    return workflow_property(text) if property_value else workflow_data(text)


def _cell(text: str) -> str:
    """A value in a Markdown table cell (or anywhere in a line), shown as literal text."""
    return markdown_text(text)


class GithubReporter:
    """Annotations on the offending file and line (workflow commands on stdout), and a Markdown
    summary appended to `$GITHUB_STEP_SUMMARY` (or printed, outside GitHub Actions)."""

    def __init__(self, out: TextIO | None = None, summary_path: str | None = None) -> None:
        self.out = out or sys.stdout
        self.summary_path = summary_path or os.environ.get("GITHUB_STEP_SUMMARY")

    def annotate(self, level: str, problem: Problem, title: str) -> None:
        where = f"file={_escape(problem.path, True)}"
        if problem.line:
            where += f",line={problem.line}"
        message = f"{problem.message} ({problem.hint})" if problem.hint else problem.message
        label = f"{title}: {problem.field}" if problem.field else title
        print(f"::{level} {where},title={_escape(label, True)}::{_escape(message)}", file=self.out)

    def write_summary(self, lines: list[str]) -> None:
        text = "\n".join(lines) + "\n"
        if self.summary_path:
            with open(self.summary_path, "a", encoding="utf-8") as handle:
                handle.write(text)
        else:
            print(text, end="", file=self.out)

    def problems(self, problems: tuple[Problem, ...], action: str) -> None:
        for problem in problems:
            self.annotate("error", problem, "menteo")
        noun_ = plural(len(problems), "problem", "problems")
        lines = ["## menteo check", "", f"❌ {len(problems)} {noun_}; {action}.", ""]
        lines += ["| File | Line | Field | Problem | How to fix |", "|---|---|---|---|---|"]
        lines += [
            f"| {markdown_code(p.path, in_table=True)} | {p.line or ''} | {_cell(p.field)} "
            f"| {_cell(p.message)} | {_cell(p.hint)} |"
            for p in problems
        ]
        self.write_summary(lines)

    def success(self, summary: str, data: dict[str, Any]) -> None:
        print(summary, file=self.out)

    def checked(self, result: Checked) -> None:
        for warning in result.warnings:
            self.annotate("warning", warning, "menteo")
        for change in result.maintainer:
            self.annotate("warning", change, "Maintainer-only change")
        for award in result.pending:
            problem = Problem(award.evidence[-1], 0, "", f"{award.name} for {award.recipient}")
            self.annotate("notice", problem, "Pending award")
        lines = ["## menteo check", "", f"✅ Content and ledger are valid: {result.summary()}.", ""]
        count = len(result.pending)
        if count:
            lines += [
                f"### {count} pending {noun('awards', count)}",
                "",
                "After merging, `menteo award` records:",
                "",
                "| Badge | Recipient | First met | Why | Completed by |",
                "|---|---|---|---|---|",
            ]
            lines += [
                f"| {_cell(a.name)} | {_cell(a.recipient)} ({a.role}) | {a.awarded} | "
                f"{_cell('; '.join(a.reasons))} | {markdown_code(a.evidence[-1], in_table=True)} |"
                for a in result.pending
            ]
        else:
            lines += ["No pending awards: this change awards nothing new."]
        if result.warnings:
            lines += ["", f"### Warnings ({len(result.warnings)})", ""]
            lines += [
                f"- {markdown_code(f'{w.path}:{w.line}')}: {_cell(w.message)} ({_cell(w.hint)})"
                for w in result.warnings
            ]
        if result.maintainer:
            lines += ["", f"### Maintainer-only changes ({len(result.maintainer)})", ""]
            lines += ["| File | Line | Change |", "|---|---|---|"]
            lines += [
                f"| {markdown_code(c.path, in_table=True)} | {c.line or ''} | {_cell(c.message)} |"
                for c in result.maintainer
            ]
        self.write_summary(lines)


def reporter_for(name: str, quiet: bool = False) -> Reporter:
    """The reporter of an output format; `quiet` only changes text (machines read the rest)."""
    if name == "github":
        return GithubReporter()
    return JsonReporter() if name == "json" else TextReporter(quiet=quiet)
