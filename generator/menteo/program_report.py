"""`menteo report`: the dashboard's figures as Markdown (to paste into an issue), JSON, or a
short program-health summary (to paste into an issue or a newsletter).

Formatting only: the figures come from `program.figures`, worded by `site.dashboard`. Names and labels
come from content, so each is escaped as literal Markdown text: a pasted report must not mention
teams, show images or links, or break its tables. The health summary names nobody at all.
"""

from __future__ import annotations

import json
from typing import Any

from menteo.content.pairing import STILL_DECIDING_SESSIONS
from menteo.escaping import markdown_text
from menteo.program.figures import Pair, Rematch, SideFeedback, Values
from menteo.site.dashboard import Dashboard, Series

FIT_WORDS = {"good": "a good fit", "deciding": "still deciding", "poor": "not a good fit"}
"""The pairing-fit answers as the question's choices read."""


def _series_md(series: Series) -> list[str]:
    lines = [f"### {series.title}", ""]
    if not series.bars:
        return [*lines, series.summary, ""]
    lines += [f"| {series.category} | {series.unit} |", "|---|---:|"]
    lines += [f"| {markdown_text(b.label)} | {b.value} |" for b in series.bars]
    return [*lines, f"| **Total** | **{series.total}** |", ""]


def _pairs_md(pairs: tuple[Pair, ...], last: str, sides: bool = False) -> list[str]:
    due = " Due from |" if sides else ""
    lines = [
        f"| Mentor | Mentee |{due} {last} | Days since |",
        "|---|---|" + ("---|" if sides else "") + "---|---:|",
    ]
    for p in pairs:
        when = p.last.isoformat() if p.last else "none yet"
        side = f" the {p.side} |" if sides else ""
        lines.append(
            f"| {markdown_text(p.mentor)} | {markdown_text(p.mentee)} |{side} {when} | {p.days} |"
        )
    return lines


def _fit_text(fit: Values) -> str:
    return ", ".join(f"{n} {FIT_WORDS[answer]}" for answer, n in fit) or "no answers yet"


def _sides_md(d: Dashboard) -> list[str]:
    cell = " | ".join
    return [
        "### Feedback from both sides",
        "",
        "| | " + cell(s.title for s in d.sides) + " |",
        "|---|" + "---|" * len(d.sides),
        "| Feedback responses | " + cell(str(s.figures.responses) for s in d.sides) + " |",
        "| Average rating | " + cell(s.rating_text for s in d.sides) + " |",
        f"| {d.rate_title} | " + cell(s.rate_text for s in d.sides) + " |",
        "| Pairing fit (latest answers) | "
        + cell(_fit_text(s.figures.fit) for s in d.sides)
        + " |",
        "",
    ]


def _rematch_md(d: Dashboard) -> list[str]:
    lines = ["### Pairs to re-match", ""]
    if not d.rematch_total:
        return [*lines, "No pair needs re-matching.", ""]
    hidden = d.rematch_total - len(d.rematch)
    lines += [
        f"{_pairs(d.rematch_total)} to re-match: one side said not a good fit, or is still "
        f"deciding after {STILL_DECIDING_SESSIONS} sessions"
        + (f"; {hidden} in private mentorships, not listed." if hidden else "."),
        "`menteo match` suggests new mentors for their mentees.",
        "",
    ]
    if d.rematch:
        lines += [
            "| Mentor | Mentee | Mentee says | Mentor says | Sessions |",
            "|---|---|---|---|---:|",
        ]
        lines += [_rematch_row(r) for r in d.rematch]
        lines.append("")
    return lines


def _rematch_row(r: Rematch) -> str:
    says = [FIT_WORDS.get(a, "no answer") for a in (r.mentee_says, r.mentor_says)]
    return (
        f"| {markdown_text(r.mentor)} | {markdown_text(r.mentee)} | {says[0]} | {says[1]} "
        f"| {r.sessions} |"
    )


def _pairs(n: int) -> str:
    return f"{n} pair" + ("" if n == 1 else "s")


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
        *_sides_md(d),
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
    lines += _rematch_md(d)
    lines += ["### Feedback due", ""]
    if d.feedback_due:
        lines += [
            f"No feedback from the mentee or from the mentor in the last "
            f"{d.feedback_interval_days} days.",
            "",
        ]
        lines += _pairs_md(d.feedback_due, "Last feedback", sides=True)
    else:
        lines += [
            f"Every published, active mentorship had feedback from both sides in the last "
            f"{d.feedback_interval_days} days."
        ]
    return "\n".join(lines) + "\n"


def to_health(d: Dashboard, program: str) -> str:
    """A few lines on how `program` is doing, to paste into an issue or a newsletter: counts
    only (private mentorships included), nobody named, the program's name escaped."""
    as_of = d.as_of.isoformat() if d.as_of else "no entries yet"
    period = f" since {d.since.isoformat()}" if d.since else ""
    mentees, mentors = d.sides
    fit = "; ".join(f"{s.title.lower()}: {_fit_text(s.figures.fit)}" for s in d.sides)
    lines = [
        f"## {markdown_text(program)}: program health, as of {as_of}",
        "",
        f"- **{d.active_pairs} active {'pair' if d.active_pairs == 1 else 'pairs'}**; "
        f"{d.sessions.total} sessions, {d.outcomes.total} outcomes and {d.badges.total} "
        f"badges awarded{period}.",
        f"- **Feedback**: {mentees.figures.responses} from mentees (average rating: "
        f"{mentees.rating_text}), {mentors.figures.responses} from mentors (average rating: "
        f"{mentors.rating_text}).",
        f"- **{d.rate_title}**: mentees {mentees.rate_text}; mentors {mentors.rate_text}.",
        f"- **Pairing fit** (latest answers): {fit}.",
        f"- **Needs attention**: {_pairs(d.rematch_total)} to re-match, "
        f"{_pairs(len(d.check_in))} without a session in {d.check_in_days} days, "
        f"{len(d.feedback_due)} feedback {'response' if len(d.feedback_due) == 1 else 'responses'} due.",
        "",
        "Every mentorship is counted, private ones included; nobody is named. "
        "Details: `menteo report`.",
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


def _side_json(side: SideFeedback) -> dict[str, Any]:
    rate, average = side.response_rate, side.average_rating
    return {
        "responses": side.responses,
        "ratings": side.ratings,
        "average_rating": round(average, 2) if average is not None else None,
        "responding_pairs": side.responding,
        "response_rate": round(rate, 4) if rate is not None else None,
        "fit": dict(side.fit),
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
        "feedback_by_side": {s.figures.side: _side_json(s.figures) for s in d.sides},
        "check_in": [_pair_json(p) for p in d.check_in],
        "feedback_interval_days": d.feedback_interval_days,
        "feedback_due": [{**_pair_json(p), "from": p.side} for p in d.feedback_due],
        "rematch_total": d.rematch_total,
        "rematch": [
            {
                "thread": r.thread,
                "mentor": r.mentor,
                "mentee": r.mentee,
                "mentee_says": r.mentee_says or None,
                "mentor_says": r.mentor_says or None,
                "sessions": r.sessions,
            }
            for r in d.rematch
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
