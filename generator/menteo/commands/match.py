"""`menteo match`: mentors suggested for each waiting mentee, and the best assignment of them all.

For organisers, on their own terminal: it names mentees who have not consented to be published
(an organiser pairs them), so it writes nothing and nothing of it reaches the site. Names come
from content, so the Markdown escapes each one like `menteo report` does.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import click

from menteo.content.community import CommunityData
from menteo.content.loader import load_community
from menteo.errors import ContentError
from menteo.escaping import markdown_code, markdown_text
from menteo.i18n import Formats
from menteo.program.matching import REASON_WORDS, Fit, Matches, reason_text, waiting_mentees
from menteo.program.matching import match as find_matches
from menteo.reporters import TextReporter


def _reasons(community: CommunityData, found: Fit) -> list[str]:
    names = Formats("en")
    return [
        reason_text(
            r, REASON_WORDS, names.language_name, lambda c: community.communities[c].model.name
        )
        for r in found.reasons
    ]


def _asked(community: CommunityData, mentee: str) -> str:
    """What the mentee wrote under `seeking:`, in one line, for the organiser who pairs them."""
    seeking = getattr(community.mentees[mentee].model, "seeking", None)
    if seeking is None:
        return ""
    names = Formats("en")
    parts = [
        ", ".join(seeking.skills),
        ", ".join(names.language_name(code) for code in seeking.languages),
        f"time zone {seeking.timezone}" if seeking.timezone else "",
        seeking.availability or "",
        seeking.cadence or "",
    ]
    return "; ".join(part for part in parts if part)


def to_json(community: CommunityData, matches: Matches) -> str:
    data: dict[str, Any] = {
        "suggestions": [
            {
                "mentee": mentee,
                "mentors": [
                    {"mentor": f.mentor, "score": f.score, "reasons": _reasons(community, f)}
                    for f in fits
                ],
            }
            for mentee, fits in matches.suggestions
        ],
        "assignment": [{"mentee": a, "mentor": b} for a, b in matches.assignment],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_markdown(community: CommunityData, matches: Matches, waiting: int) -> str:
    def who(role: str, slug: str) -> str:
        person = community.person(role, slug)
        return f"{markdown_text(person.model.name)} ({markdown_code(slug, in_table=True)})"

    lines = [f"## Mentor matches: {waiting} waiting", ""]
    for mentee, fits in matches.suggestions:
        lines += [f"### {who('mentee', mentee)}", ""]
        asked = _asked(community, mentee)
        if asked:
            lines += [f"Seeks: {markdown_text(asked)}", ""]
        if not fits:
            lines += ["No mentor with a free place fits yet.", ""]
            continue
        lines += ["| Mentor | Score | Why |", "|---|---:|---|"]
        for f in fits:
            why = "; ".join(markdown_text(r) for r in _reasons(community, f))
            lines.append(f"| {who('mentor', f.mentor)} | {f.score} | {why} |")
        lines.append("")
    lines += ["### Suggested assignment", ""]
    if matches.assignment:
        lines += [
            "The pairs with the highest total fit that every mentor's free places allow.",
            "",
            "| Mentee | Mentor |",
            "|---|---|",
            *(f"| {who('mentee', a)} | {who('mentor', b)} |" for a, b in matches.assignment),
        ]
    else:
        lines.append("Nobody to assign: no waiting mentee fits a mentor with a free place.")
    return "\n".join(lines) + "\n"


@click.command()
@click.argument(
    "directory",
    required=False,
    default=".",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option("--mentee", metavar="SLUG", help="Only this mentee (waiting or not).")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True)
def match(directory: Path, mentee: str | None, fmt: str) -> None:
    """Suggest mentors for every mentee without an active mentor, and assign them all.

    The assignment respects each mentor's free places (capacity minus active mentees) and
    maximises the total fit (an exact solver: SciPy's linear_sum_assignment). It names mentees
    who are not public: it is for organisers, and writes nothing.

    \b
    Examples:
      menteo match
      menteo match --mentee kwame-mensah --format json
    """
    try:
        community = load_community(directory)
    except ContentError as exc:
        TextReporter().problems(exc.problems, "fix them first")
        raise SystemExit(1) from None
    except OSError as exc:
        raise click.ClickException(f"cannot read {exc.filename}: {exc.strerror or exc}") from None
    if mentee is not None and mentee not in community.mentees:
        close = difflib.get_close_matches(mentee, list(community.mentees), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise click.BadParameter(f"no mentee {mentee!r}{hint}", param_hint="'--mentee'")
    matches = find_matches(community, mentee)
    if fmt == "json":
        click.echo(to_json(community, matches), nl=False)
    else:
        waiting = len(waiting_mentees(community))
        click.echo(to_markdown(community, matches, waiting), nl=False)
