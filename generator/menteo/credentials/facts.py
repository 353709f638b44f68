"""What every credential format says about one award, gathered once from the community, the
ledger and the site's addresses, so the OB 2.0 and OB 3.0 documents cannot disagree.

Only awards to people who consented to publication are issued as public files: a credential
names its recipient, and the site is public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from menteo.content.community import CommunityData
from menteo.content.publication import Publication, Urls
from menteo.i18n import plural
from menteo.ledger.records import Award, Ledger
from menteo.recognition.evaluate import top_level
from menteo.recognition.wording import narrative


@dataclass(frozen=True)
class Issuer:
    did: str
    name: str
    url: str
    description: str
    email: str | None


@dataclass(frozen=True)
class BadgeFacts:
    slug: str
    name: str
    description: str
    criteria_url: str
    """The badge page: criteria in words, rewards, holders."""
    criteria: str
    """The criteria narrative, generated from the rules."""
    image_png: str
    image_svg: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class EvidenceFacts:
    url: str | None
    """A published entry's page; None for a summary of entries that are not public."""
    name: str
    narrative: str = ""


@dataclass(frozen=True)
class EmailHash:
    """The recipient's opt-in email identity, as their file stores it: never the address."""

    identity: str
    """`sha256$<hex>`."""
    salt: str


@dataclass(frozen=True)
class AwardFacts:
    id: str
    """`urn:uuid:…` from the ledger."""
    uuid: str
    badge: BadgeFacts
    recipient_name: str
    recipient_url: str
    recipient_email: EmailHash | None
    """Set when the recipient opted in; then it is the OB 2.0 recipient, and OB 3.0 adds it."""
    awarded: dt.date
    recorded: str
    status_index: int
    evidence: tuple[EvidenceFacts, ...]
    page_url: str
    """The human verification page."""
    revoked: str | None
    """The reason, once revoked."""


def plain_text(markdown: str) -> str:
    """Markdown as the plain text Open Badges descriptions are (wallets show them verbatim):
    the words of each block, blocks separated by a blank line."""
    prose = _plain_prose(markdown)
    return prose if prose is not None else _parsed_text(markdown)


def _parsed_text(markdown: str) -> str:
    """`plain_text` of any Markdown, as markdown-it (CommonMark) parses it."""
    from markdown_it import MarkdownIt  # ~38 ms at start-up, which prose without markup skips

    blocks: list[str] = []
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "inline" and token.children is not None:
            words = [
                " " if child.type in ("softbreak", "hardbreak") else child.content
                for child in token.children
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            ]
            blocks.append("".join(words).strip())
    return "\n\n".join(block for block in blocks if block)


_MARKUP = frozenset("\\`*_[]<>&~|#=!")
"""Characters that may start Markdown syntax inside a line (entities, escapes, emphasis, code,
links, HTML; `=` and `#` for headings, `!` for images): text without them and without a
block-starting line is only paragraphs of words."""


def _plain_prose(markdown: str) -> str | None:
    """`plain_text` of Markdown that is only paragraphs of plain words (every line blank or
    starting with a letter, no markup character, no whitespace but spaces), as markdown-it
    parses it (tests/test_lazy_imports.py compares them); None for anything else. An issuer's
    description is such prose, and every build describes its issuer."""
    blocks: list[list[str]] = [[]]
    for line in markdown.split("\n"):
        if not line:
            blocks.append([])
        elif line[0].isalpha() and all(
            ch == " " or (ch.isprintable() and not ch.isspace() and ch not in _MARKUP)
            for ch in line
        ):
            blocks[-1].append(line.rstrip(" "))
        else:
            return None
    return "\n\n".join(" ".join(lines) for lines in blocks if lines)


def issuer_facts(community: CommunityData, did: str) -> Issuer:
    issuer = community.config.issuer
    return Issuer(did, issuer.name, issuer.url, plain_text(issuer.description), issuer.email)


def badge_facts(community: CommunityData, urls: Urls, slug: str) -> BadgeFacts:
    record = community.badges[slug]
    badge = record.model
    names = {s: r.model.name for s, r in community.badges.items()}
    return BadgeFacts(
        slug=slug,
        name=badge.name,
        description=plain_text(badge.description),
        criteria_url=urls.absolute(urls.page("badges", slug)),
        criteria=narrative(top_level(record), badge.audience, names),
        image_png=urls.absolute(urls.file(f"badges/images/{slug}.png")),
        image_svg=urls.absolute(urls.file(f"badges/images/{slug}.svg")),
        tags=tuple(dict.fromkeys((*badge.skills, *badge.tags))),
    )


def _evidence(community: CommunityData, urls: Urls, award: Award) -> tuple[EvidenceFacts, ...]:
    """Links to the published entries that completed the criteria; the rest summarised."""
    pub = Publication(community)
    shown: list[EvidenceFacts] = []
    hidden = 0
    for ref in award.evidence:
        found = pub.published_evidence(ref)
        if found is not None:
            shown.append(EvidenceFacts(urls.absolute(urls.file(found[1])), found[0]))
        else:
            hidden += 1
    if hidden:
        counted = f"{hidden} {plural(hidden, 'growth-thread entry', 'growth-thread entries')}"
        verb = plural(hidden, "counts", "count")
        shown.append(
            EvidenceFacts(
                None,
                "Entries in mentorships that are not public",
                f"{counted} in mentorships that are not public also {verb} toward this award; "
                "they are recorded in the community's repository.",
            )
        )
    room = _room_note(community, award)
    if room is not None:
        shown.append(room)
    return tuple(shown)


def _room_note(community: CommunityData, award: Award) -> EvidenceFacts | None:
    """Says how much of the evidence comes from group rooms, and how large they were ("Of the
    12 entries counted toward this award, 4 are from a group room of 1 mentor and 4 mentees"):
    a session in a room counted once for each of its people. Sizes name nobody."""
    rooms: dict[tuple[int, int], int] = {}
    for ref in award.evidence:
        thread = community.threads.get(ref.split("/")[1])
        if thread is not None and thread.model.is_room:
            size = (len(thread.model.mentor_slugs), len(thread.model.mentee_slugs))
            rooms[size] = rooms.get(size, 0) + 1
    if not rooms:
        return None
    where = {
        size: f"from a group room of {_people(size[0], 'mentor')} and {_people(size[1], 'mentee')}"
        for size in rooms
    }
    total = len(award.evidence)
    if total == 1:
        text = f"The entry counted toward this award is {next(iter(where.values()))}."
    elif len(rooms) == 1 and sum(rooms.values()) == total:
        text = f"All {total} entries counted toward this award are {next(iter(where.values()))}."
    else:
        parts = [f"{n} {plural(n, 'is', 'are')} {where[size]}" for size, n in sorted(rooms.items())]
        text = f"Of the {total} entries counted toward this award, {'; '.join(parts)}."
    return EvidenceFacts(None, "Group mentoring", text)


def _people(count: int, noun: str) -> str:
    return f"{count} {plural(count, noun, noun + 's')}"


def award_facts(community: CommunityData, ledger: Ledger, urls: Urls) -> list[AwardFacts]:
    """Every recorded award to a person who consented to publication, in ledger order."""
    badges = {slug: badge_facts(community, urls, slug) for slug in community.badges}
    facts = []
    for award in ledger.awards.values():
        record = community.badges[award.badge]
        role = record.model.audience.value
        person = community.person(role, award.recipient)
        if not person.public:
            continue
        profile = urls.absolute(urls.page(f"{role}s", award.recipient))
        identity = person.model.identity
        email = None
        if identity is not None and identity.email_sha256 and identity.salt:
            email = EmailHash(identity.email_sha256, identity.salt)
        uuid = award.id.rsplit(":", 1)[-1]
        revocation = ledger.revocations.get(award.id)
        facts.append(
            AwardFacts(
                id=award.id,
                uuid=uuid,
                badge=badges[award.badge],
                recipient_name=person.model.name,
                recipient_url=identity.url if identity and identity.url else profile,
                recipient_email=email,
                awarded=award.awarded,
                recorded=award.recorded,
                status_index=award.status_index,
                evidence=_evidence(community, urls, award),
                page_url=urls.absolute(urls.page("awards", uuid)),
                revoked=revocation.reason if revocation else None,
            )
        )
    return facts
