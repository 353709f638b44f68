"""`menteo report`: the dashboard's figures as Markdown (to paste into an issue) or JSON.

Formatting only: the figures come from `program.figures`, worded by `site.dashboard`. Names and labels
come from content, so each is escaped as literal Markdown text: a pasted report must not mention
teams, show images or links, or break its tables.
"""

from __future__ import annotations

import json
from typing import Any

from menteo.escaping import markdown_text
from menteo.program.figures import Pair
from menteo.site.dashboard import Dashboard, Series


def _series_md(series: Series) -> list[str]:
    lines = [f"### {series.title}", ""]
    if not series.bars:
        return [*lines, series.summary, ""]
    lines += [f"| {series.category} | {series.unit} |", "|---|---:|"]
    lines += [f"| {markdown_text(b.label)} | {b.value} |" for b in series.bars]
    return [*lines, f"| **Total** | **{series.total}** |", ""]


def _pairs_md(pairs: tuple[Pair, ...], last: str) -> list[str]:
    lines = [f"| Mentor | Mentee | {last} | Days since |", "|---|---|---|---:|"]
    for p in pairs:
        when = p.last.isoformat() if p.last else "none yet"
        lines.append(
            f"| {markdown_text(p.mentor)} | {markdown_text(p.mentee)} | {when} | {p.days} |"
        )
    return lines


def _reference_note(d: Dashboard) -> list[str]:
    """Why the site's dashboard can list other pairs: it is as of its most recent entry (a build
    never reads the clock), the report as of the day asked for (today by default)."""
    if d.as_of is None or d.latest_entry is None or d.as_of == d.latest_entry:
        return []
    return [
        f"The site's dashboard is as of the most recent entry ({d.latest_entry.isoformat()}), "
        "so the pairs it lists as needing a check-in or feedback can differ.",
        "",
    ]


def to_markdown(d: Dashboard) -> str:
    as_of = d.as_of.isoformat() if d.as_of else "no entries yet"
    period = f" (entries and awards from {d.since.isoformat()})" if d.since else ""
    lines = [
        f"## Program report, as of {as_of}{period}",
        "",
        *_reference_note(d),
        f"- Active pairs: {d.active_pairs}",
        f"- Sessions: {d.sessions.total}",
        f"- Outcomes: {d.outcomes.total}",
        f"- Badges awarded: {d.badges.total}",
        f"- Feedback coverage: {d.coverage_text}",
        f"- Average rating: {d.rating_text}",
        "",
    ]
    for series in (d.sessions, d.outcomes, d.badges):
        lines += _series_md(series)
    lines += ["### Needs a check-in", ""]
    if d.check_in:
        lines += [f"No session in the {d.check_in_days} days before the report date.", ""]
        lines += [*_pairs_md(d.check_in, "Last session"), ""]
    else:
        lines += [
            f"Every published, active mentorship had a session in the last {d.check_in_days} days.",
            "",
        ]
    lines += ["### Feedback due", ""]
    if d.feedback_due:
        lines += [f"No feedback in the last {d.feedback_interval_days} days.", ""]
        lines += _pairs_md(d.feedback_due, "Last feedback")
    else:
        lines += [
            f"Every published, active mentorship had feedback in the last "
            f"{d.feedback_interval_days} days."
        ]
    return "\n".join(lines) + "\n"


def _series_json(series: Series) -> dict[str, Any]:
    return {
        "total": series.total,
        "values": [{"label": b.label, "value": b.value} for b in series.bars],
    }


def _pair_json(pair: Pair) -> dict[str, Any]:
    return {
        "thread": pair.thread,
        "mentor": pair.mentor,
        "mentee": pair.mentee,
        "last": pair.last.isoformat() if pair.last else None,
        "days": pair.days,
    }


def to_json(d: Dashboard) -> str:
    data = {
        "as_of": d.as_of.isoformat() if d.as_of else None,
        "since": d.since.isoformat() if d.since else None,
        "latest_entry": d.latest_entry.isoformat() if d.latest_entry else None,
        "threads": d.threads,
        "active_pairs": d.active_pairs,
        "sessions_per_month": _series_json(d.sessions),
        "outcomes_by_type": _series_json(d.outcomes),
        "badges_per_month": _series_json(d.badges),
        "feedback": {
            "threads_with_feedback": d.with_feedback,
            "coverage": round(d.feedback_coverage, 4) if d.feedback_coverage is not None else None,
            "ratings": d.ratings,
            "average_rating": round(d.average_rating, 2) if d.average_rating is not None else None,
        },
        "check_in": [_pair_json(p) for p in d.check_in],
        "feedback_interval_days": d.feedback_interval_days,
        "feedback_due": [_pair_json(p) for p in d.feedback_due],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
