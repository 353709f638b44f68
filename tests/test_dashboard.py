"""The program dashboard and `menteo report`: figures, boundaries, privacy, charts, outputs."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from factory import FEEDBACK, FILES, KICKOFF, THREAD, THREAD_FILE, make_community
from menteo.build import build_site
from menteo.cli import main
from menteo.content.loader import load_community
from menteo.ledger.records import EMPTY
from menteo.ledger.store import read_ledger
from menteo.program.figures import program_figures
from menteo.site.dashboard import dashboard_view

MINI = Path(__file__).parent / "fixtures" / "mini"
D = dt.date


def figures(root: Path, **kwargs):  # type: ignore[no-untyped-def]
    community = load_community(root)
    return dashboard_view(program_figures(community, read_ledger(community.root), **kwargs))


def feedback(day: str, rating: int) -> str:
    return (
        f"---\nkind: feedback\ndate: {day}\nauthor: bo-chen\ntitle: Notes {day}\n"
        f"rating: {rating}\n---\nThanks.\n"
    )


def test_mini_figures() -> None:
    d = figures(MINI)
    assert d.as_of == D(2025, 5, 20)  # the most recent entry, not the clock
    assert d.threads == 2 and d.active_pairs == 2
    # the private thread's session is counted
    assert [(b.label, b.value) for b in d.sessions.bars] == [("2025-03", 1), ("2025-04", 1)]
    assert [(b.label, b.value) for b in d.outcomes.bars] == [("promotion", 1)]
    # the revoked first-session award of 2025-03 is not counted
    assert [(b.label, b.value) for b in d.badges.bars] == [
        ("2025-03", 1),
        ("2025-04", 1),
        ("2025-05", 1),
    ]
    assert (d.with_feedback, d.threads) == (1, 2)
    assert d.coverage_text == "50% (1 of 2 mentorships)"
    assert d.average_rating is None and d.rating_text == "not enough responses"
    # 2025-03-04 → 2025-05-20 is 77 days; the private thread is never listed
    assert [(p.thread, p.days) for p in d.check_in] == [("ana-lukasiewicz--jonas-berg", 77)]


def test_months_without_sessions_are_shown_as_zero(tmp_path: Path) -> None:
    later = KICKOFF.replace("2025-01-10-kickoff", "2025-04-01-again")
    text = "---\nkind: session\ndate: 2025-04-01\nauthor: ana-lima\ntitle: Again\n---\nHi.\n"
    d = figures(make_community(tmp_path, {later: text}))
    assert [(b.label, b.value) for b in d.sessions.bars] == [
        ("2025-01", 1),
        ("2025-02", 0),
        ("2025-03", 0),
        ("2025-04", 1),
    ]


@pytest.mark.parametrize(("as_of", "flagged"), [(D(2025, 2, 24), False), (D(2025, 2, 25), True)])
def test_check_in_boundary(tmp_path: Path, as_of: dt.date, flagged: bool) -> None:
    # the only session is on 2025-01-10: 45 days later is fine, 46 is not
    d = figures(make_community(tmp_path), as_of=as_of)
    assert bool(d.check_in) is flagged
    if flagged:
        assert d.check_in[0].days == 46 and d.check_in[0].last == D(2025, 1, 10)


def test_ended_pairs_need_no_check_in(tmp_path: Path) -> None:
    thread = make_community(tmp_path, {THREAD_FILE: open_thread() + "ended: 2025-02-10\n"})
    d = figures(thread, as_of=D(2025, 12, 1))
    assert d.active_pairs == 0 and d.check_in == () and d.feedback_due == ()


def open_thread() -> str:
    return FILES[THREAD_FILE]


def test_average_needs_three_ratings(tmp_path: Path) -> None:
    two = figures(
        make_community(tmp_path / "a", {f"{THREAD}/2025-02-11-more.md": feedback("2025-02-11", 3)})
    )
    assert two.ratings == 2 and two.average_rating is None
    assert two.rating_text == "not enough responses"
    three = figures(
        make_community(
            tmp_path / "b",
            {
                f"{THREAD}/2025-02-11-more.md": feedback("2025-02-11", 3),
                f"{THREAD}/2025-02-12-again.md": feedback("2025-02-12", 4),
            },
        )
    )
    assert three.ratings == 3 and three.average_rating == 4.0
    assert three.rating_text == "4.0 of 5 (3 responses)"
    assert three.with_feedback == 1 and three.coverage_text == "100% (1 of 1 mentorship)"


def test_private_thread_is_counted_not_listed(tmp_path: Path) -> None:
    root = make_community(tmp_path, {THREAD_FILE: open_thread() + "visibility: private\n"})
    d = figures(root, as_of=D(2026, 1, 1))
    assert d.sessions.total == 1 and d.active_pairs == 1
    assert d.check_in == () and d.feedback_due == ()


def test_non_consenting_mentee_is_a_mentee(tmp_path: Path) -> None:
    d = figures(make_community(tmp_path), as_of=D(2025, 12, 1))
    (pair,) = d.check_in
    assert (pair.mentor, pair.mentee) == ("Ana Lima", "a mentee")
    assert pair.thread.startswith("t-") and "bo" not in pair.thread
    (due,) = d.feedback_due
    assert due.mentee == "a mentee" and due.last == D(2025, 2, 10)


def test_unshared_outcome_type_is_not_shown(tmp_path: Path) -> None:
    outcome = "---\nkind: outcome\ndate: 2025-03-01\nauthor: bo-chen\ntitle: Hired\noutcome: new-role\n---\nYes.\n"
    d = figures(make_community(tmp_path, {f"{THREAD}/2025-03-01-hired.md": outcome}))
    assert [(b.label, b.value) for b in d.outcomes.bars] == [("not shared", 1)]


def test_feedback_due_boundary(tmp_path: Path) -> None:
    # last feedback 2025-02-10; the default interval is 90 days
    root = make_community(tmp_path)
    assert figures(root, as_of=D(2025, 5, 11)).feedback_due == ()  # 90 days
    (due,) = figures(root, as_of=D(2025, 5, 12)).feedback_due  # 91 days
    assert due.days == 91


def test_feedback_due_from_start_without_feedback(tmp_path: Path) -> None:
    root = make_community(tmp_path, {FEEDBACK: None, "menteo.yml": config(30)})
    (due,) = figures(root, as_of=D(2025, 2, 10)).feedback_due
    assert due.last is None and due.days == 31


def config(interval: int) -> str:
    return FILES["menteo.yml"] + f"feedback_interval_days: {interval}\n"


def test_feedback_interval_is_validated(tmp_path: Path) -> None:
    from menteo.errors import ContentError

    with pytest.raises(ContentError):
        load_community(make_community(tmp_path, {"menteo.yml": config(366)}))


def test_empty_community(tmp_path: Path) -> None:
    root = make_community(tmp_path, {KICKOFF: None, FEEDBACK: None})
    community = load_community(root)
    d = dashboard_view(program_figures(community, EMPTY))
    assert d.as_of is None and d.sessions.bars == () and d.check_in == ()
    assert d.sessions.summary == "Sessions per month: none yet."


def test_since_filters_entries_and_awards() -> None:
    d = figures(MINI, since=D(2025, 4, 1))
    assert [(b.label, b.value) for b in d.sessions.bars] == [("2025-04", 1)]
    assert d.badges.total == 2
    assert d.since == D(2025, 4, 1)


@pytest.fixture(scope="module")
def dashboard_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("dash") / "_site"
    build_site(MINI, out, workers=1)
    return (out / "dashboard/index.html").read_text(encoding="utf-8")


def test_page_says_as_of(dashboard_html: str) -> None:
    assert 'as of <time datetime="2025-05-20">May 20, 2025</time>' in dashboard_html
    assert "Wen Quietname" not in dashboard_html and "quiet-one" not in dashboard_html


def test_charts_are_accessible_and_match_their_tables(dashboard_html: str) -> None:
    svgs = re.findall(r"<svg class=\"bar-chart\"(.*?)</svg>", dashboard_html, re.S)
    tables = re.findall(r"<table class=\"chart-data\">(.*?)</table>", dashboard_html, re.S)
    assert len(svgs) == len(tables) == 3
    for svg, table in zip(svgs, tables, strict=True):
        assert 'role="img"' in svg
        ident = re.search(r'aria-labelledby="(\S+)-title \1-desc"', svg)
        assert ident is not None
        assert f'<title id="{ident[1]}-title">' in svg and f'<desc id="{ident[1]}-desc">' in svg
        assert "<caption>" in table and 'scope="col"' in table and 'scope="row"' in table
        bars = re.findall(r'<text class="value"[^>]*>(\d+)</text>', svg)
        labels = re.findall(r'<text class="label"[^>]*>([^<]+)</text>', svg)
        body = table.split("<tbody>")[1].split("</tbody>")[0]
        rows = re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', body)
        assert rows == list(zip(labels, bars, strict=True))
    assert "<script" not in dashboard_html.split("<main")[1]


REPORT_MD = """\
## Program report, as of 2025-08-01

The site's dashboard is as of the most recent entry (2025-05-20), so the pairs it lists as \
needing a check-in or feedback can differ.

- Active pairs: 2
- Sessions: 2
- Outcomes: 1
- Badges awarded: 3
- Feedback coverage: 50% (1 of 2 mentorships)
- Average rating: not enough responses

### Sessions per month

| Month | Sessions |
|---|---:|
| 2025-03 | 1 |
| 2025-04 | 1 |
| **Total** | **2** |

### Outcomes by type

| Type | Outcomes |
|---|---:|
| promotion | 1 |
| **Total** | **1** |

### Badges awarded per month

| Month | Badges |
|---|---:|
| 2025-03 | 1 |
| 2025-04 | 1 |
| 2025-05 | 1 |
| **Total** | **3** |

### Needs a check-in

No session in the 45 days before the report date.

| Mentor | Mentee | Last session | Days since |
|---|---|---|---:|
| Ana Łukasiewicz | Jonas Berg | 2025-03-04 | 150 |

### Feedback due

Every published, active mentorship had feedback in the last 90 days.
"""


def run(*args: str) -> str:
    result = CliRunner().invoke(main, ["report", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_report_markdown() -> None:
    assert run(str(MINI), "--as-of", "2025-08-01") == REPORT_MD


def test_report_feedback_due_markdown(tmp_path: Path) -> None:
    out = run(str(make_community(tmp_path)), "--as-of", "2025-06-01")
    assert out.endswith(
        "### Feedback due\n\nNo feedback in the last 90 days.\n\n"
        "| Mentor | Mentee | Last feedback | Days since |\n|---|---|---|---:|\n"
        "| Ana Lima | a mentee | 2025-02-10 | 111 |\n"
    )


def test_report_json_since() -> None:
    data = json.loads(
        run(str(MINI), "--as-of", "2025-08-01", "--since", "2025-04-01", "--format", "json")
    )
    assert data["as_of"] == "2025-08-01" and data["since"] == "2025-04-01"
    assert data["sessions_per_month"] == {"total": 1, "values": [{"label": "2025-04", "value": 1}]}
    assert data["badges_per_month"]["total"] == 2
    assert data["feedback"] == {
        "threads_with_feedback": 1,
        "coverage": 0.5,
        "ratings": 1,
        "average_rating": None,
    }
    assert data["check_in"] == [
        {
            "thread": "ana-lukasiewicz--jonas-berg",
            "mentor": "Ana Łukasiewicz",
            "mentee": "Jonas Berg",
            "last": "2025-03-04",
            "days": 150,
        }
    ]
    assert data["feedback_interval_days"] == 90 and data["feedback_due"] == []


def test_report_rejects_bad_dates() -> None:
    result = CliRunner().invoke(main, ["report", str(MINI), "--as-of", "tomorrow"])
    assert result.exit_code == 2
