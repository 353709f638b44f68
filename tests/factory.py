"""A minimal valid community, written as plain files, that each test changes in one place.

    root = make_community(tmp_path, {"content/mentors/ana-lima.yaml": "name: Ana\\n"})

replaces (or adds) one file; a value of None removes a file. Everything else stays valid, so
the test sees exactly the problems its one change causes. `edit` changes one piece of one file:

    root = make_community(tmp_path, edit(MENTEE, "name: Bo Chen", "name: 42"))
"""

from __future__ import annotations

from pathlib import Path

THREAD = "content/threads/ana-lima--bo-chen"
MENTOR = "content/mentors/ana-lima.yaml"
MENTEE = "content/mentees/bo-chen.yaml"
ROADMAP = "content/roadmaps/web-basics.yaml"
COMMUNITY = "content/communities/web-circle.md"
THREAD_FILE = f"{THREAD}/thread.yaml"
KICKOFF = f"{THREAD}/2025-01-10-kickoff.md"
FEEDBACK = f"{THREAD}/2025-02-10-thanks.md"

FILES: dict[str, str] = {
    "menteo.yml": """\
name: Test Circle
base_url: https://example.org/circle/
issuer:
  name: Test Circle
  url: https://example.org/circle/
""",
    MENTOR: """\
name: Ana Lima
headline: Frontend engineer
bio: Ana builds accessible web apps.
skills: [html, css]
availability: open
""",
    MENTEE: """\
name: Bo Chen
skills: [css]
""",
    ROADMAP: """\
title: Web basics
summary: From a blank page to a styled site.
level: beginner
steps:
  - id: html
    title: Structure with HTML
  - id: css
    title: Style with CSS
""",
    COMMUNITY: """\
---
name: Web Circle
summary: People who build for the web.
members: [ana-lima, bo-chen]
---
We meet on Thursdays.
""",
    THREAD_FILE: """\
mentor: ana-lima
mentee: bo-chen
started: 2025-01-10
roadmap: web-basics
community: web-circle
goals:
  - id: first-page
    title: Publish a first page
    status: in-progress
""",
    KICKOFF: """\
---
kind: session
date: 2025-01-10
author: ana-lima
title: Kickoff
roadmap_step: html
goals: [first-page]
---
We agreed on a plan.
""",
    FEEDBACK: """\
---
kind: feedback
date: 2025-02-10
author: bo-chen
title: Thank you
rating: 5
---
Ana was a great mentor.
""",
}


def make_community(root: Path, changes: dict[str, str | None] | None = None) -> Path:
    """Write the minimal community into `root`, with `changes` applied; return `root`."""
    for rel, text in {**FILES, **(changes or {})}.items():
        if text is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def edit(rel: str, old: str, new: str) -> dict[str, str | None]:
    """`{rel: the file's text with old replaced by new}`; fails if `old` is not there."""
    text = FILES[rel]
    assert old in text, f"{old!r} is not in {rel}"
    return {rel: text.replace(old, new, 1)}
