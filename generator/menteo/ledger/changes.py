"""What a pull request changes that only maintainers should change: configuration, badge
definitions, themes, overrides, keys, workflows, revocations in the ledger, and the identity
a person's badges are issued to.

None of it is an error (maintainers open pull requests too); `check --against` lists it so that
a reviewer sees it before merging instead of finding it in a diff of hundreds of files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from menteo.content.community import CommunityData
from menteo.errors import Problem
from menteo.escaping import visible
from menteo.git import Change
from menteo.ledger.records import LEDGER_FILE, Ledger

MAINTAINER_ONLY = (
    "menteo.yml",
    "badges/",
    "overrides/",
    "themes/",
    "keys/",
    ".menteo/",
    ".github/",
)
"""Paths that decide who is trusted, what is awarded, or what runs: a file or a folder/."""


def maintainer_only(path: str) -> bool:
    return any(path == p or (p.endswith("/") and path.startswith(p)) for p in MAINTAINER_ONLY)


def identity_changes(community: CommunityData, before: Mapping[str, str]) -> list[Problem]:
    """Each person file changed in place whose badge identity (url, email hash or salt) is not
    in its text at the base: awards follow the identity, and an email hash is opaque, so the
    reviewer cannot tell from the diff whose address it is."""
    found = []
    for role in ("mentor", "mentee"):
        for person in community.people(role).values():
            identity = person.model.identity
            text = before.get(person.path)
            if identity is None or text is None:
                continue
            values = (identity.url, identity.email_sha256, identity.salt)
            if any(value is not None and value not in text for value in values):
                message = (
                    "Changes the badge identity of "
                    f"{visible(person.model.name)}: make sure the person made this change"
                )
                found.append(Problem(person.path, person.line("identity"), "identity", message))
    return found


def maintainer_changes(
    community: CommunityData,
    base: Ledger,
    ledger: Ledger,
    changed: Iterable[Change],
    people_before: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Each change to a maintainer-only path, to a person's badge identity, and each revocation
    recorded since `base`, as a `Problem` locating it (reported as a warning, never as an
    error)."""
    found = identity_changes(community, people_before or {})
    for change in changed:
        paths = [change.path, change.old_path] if change.old_path else [change.path]
        if any(maintainer_only(path) for path in paths):
            moved = f" from {visible(change.old_path)}" if change.old_path else ""
            found.append(Problem(visible(change.path), 0, "", f"{change.status}{moved}"))
    for revocation in ledger.revocations.values():
        if revocation.seq <= len(base.lines):
            continue
        award = ledger.awards[revocation.award]
        record = community.badges.get(award.badge)
        name = record.model.name if record is not None else award.badge
        message = (
            f"Revokes {name} of {award.recipient} (awarded {award.awarded}): {revocation.reason}"
        )
        found.append(Problem(LEDGER_FILE, revocation.seq, "revoke", message))
    return sorted(found)
