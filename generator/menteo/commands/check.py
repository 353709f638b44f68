"""`menteo check`: validate content and ledger, explain what is pending, and in a pull request list
what only maintainers should change (no writes)."""

from __future__ import annotations

from pathlib import Path

import click

from menteo.commands.common import DIRECTORY, QUIET, load_reviewed, now
from menteo.content.community import CommunityData
from menteo.credentials.key_chain import check_key_chain
from menteo.errors import ContentError, Problem
from menteo.git import UsageError
from menteo.ledger.changes import maintainer_changes
from menteo.ledger.review import Pending, Review, unearned_awards
from menteo.ledger.store import read_base
from menteo.reporters import Checked, PendingAward, Reporter, reporter_for
from menteo.site.templates_check import template_problems


@click.command()
@DIRECTORY
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="For people (text), machines (json) or GitHub Actions (annotations + step summary).",
)
@click.option(
    "--against",
    metavar="REF",
    help="Also check that the ledger only adds lines `menteo award` would write, and the key "
    "chain (keys/public.json) only entries, to those at this git revision, and list changes "
    "only maintainers should make.",
)
@QUIET
def check(directory: Path, fmt: str, against: str | None, quiet: bool) -> None:
    """Validate content and ledger in DIRECTORY and explain the awards pending (no writes).

    \b
    Examples:
      menteo check
      menteo check -q               only errors (for pre-commit hooks and scripts)
      menteo check --format github --against origin/main    in a pull request's CI
    """
    reporter = reporter_for(fmt, quiet)
    action = "fix them and run menteo check again"
    community, reviewed = load_reviewed(directory, reporter, action)
    maintainer = () if against is None else _compared(community, reviewed, against, reporter)
    problems = template_problems(community.root, community.config.theme)
    try:
        check_key_chain(community.root, against)  # a pull request may edit who can sign
    except ContentError as exc:
        problems = [*problems, *exc.problems]
    if problems:
        reporter.problems(tuple(sorted(problems)), action)
        raise SystemExit(1)
    counts = {
        "mentors": len(community.mentors),
        "mentees": len(community.mentees),
        "threads": len(community.threads),
        "entries": sum(len(t.entries) for t in community.threads.values()),
        "roadmaps": len(community.roadmaps),
        "communities": len(community.communities),
        "badges": len(community.badges),
        "awards": len(reviewed.ledger.awards),
        "revoked": len(reviewed.ledger.revocations),
    }
    pending = tuple(_pending_report(community, p) for p in reviewed.pending)
    reporter.checked(Checked(counts, pending, reviewed.warnings, maintainer))


def _compared(
    community: CommunityData, reviewed: Review, against: str, reporter: Reporter
) -> tuple[Problem, ...]:
    """The ledger lines and maintainer-only files a pull request changed since `against`:
    an error for anything but award lines `menteo award` would write, else what the reviewer
    should look at."""
    try:
        base = read_base(community.root, against, reviewed.ledger)
        problems = unearned_awards(
            community, reviewed.evaluation, base.ledger, reviewed.ledger, now()
        )
        if problems:
            raise ContentError(problems)
    except ContentError as exc:
        reporter.problems(exc.problems, "fix them and run menteo check again")
        raise SystemExit(1) from None
    except UsageError as exc:
        raise click.BadParameter(str(exc), param_hint="'--against'") from None
    return tuple(
        maintainer_changes(
            community, base.ledger, reviewed.ledger, base.changed, base.people_before
        )
    )


def _pending_report(community: CommunityData, pending: Pending) -> PendingAward:
    eligibility = pending.eligibility
    return PendingAward(
        id=pending.id,
        badge=pending.badge,
        name=community.badges[pending.badge].model.name,
        recipient=pending.recipient,
        role=eligibility.role.value,
        awarded=pending.awarded,
        reasons=tuple(f"{r.text}: {r.value}" if r.value else r.text for r in eligibility.rules),
        evidence=tuple(e.path for e in eligibility.evidence),
    )
