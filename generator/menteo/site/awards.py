"""Published views of recognition: badges, awards, progress, opportunities and the ledger as a
transparency log.

Consent applies here as everywhere: a person who has not consented to publication is counted
("and 2 more") but never named, and a ledger line that names them, or a thread they are in, is
published as its hash only, so anyone can still recompute the chain.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from menteo.content.community import CommunityData
from menteo.content.models import Audience, Badge, Reward, Visibility
from menteo.content.publication import NEUTRAL_LABEL, Publication, Urls
from menteo.credentials import ob2, ob3
from menteo.credentials.did import did_document_path
from menteo.credentials.issue import IssuedAward
from menteo.i18n import N_
from menteo.ledger.records import Award, line_hash
from menteo.ledger.review import Review
from menteo.ledger.transparency import ledger_document
from menteo.recognition.evaluate import evaluate, top_level
from menteo.recognition.results import Eligibility, Evaluation
from menteo.recognition.wording import ENGLISH, Wording


@dataclass(frozen=True)
class Ref:
    """A person or a badge as a page may show them: a label and, if published, a URL."""

    label: str
    url: str | None


@dataclass(frozen=True)
class RewardView:
    title: str
    description: str
    how_to_claim: str
    url: str | None


@dataclass(frozen=True)
class AwardView:
    id: str
    anchor: str
    slug: str
    """The badge's slug."""
    badge: Ref
    recipient: Ref
    public: bool
    awarded: dt.date
    recorded: str
    evidence: tuple[Ref, ...]
    """Only entries whose pages are published."""
    revoked: str | None = None
    """The reason, once revoked."""
    revoked_recorded: str | None = None
    url: str | None = None
    """The award's verification page, for awards whose credentials are published."""


@dataclass(frozen=True)
class RuleView:
    text: str
    met: bool
    value: str
    missing: str


@dataclass(frozen=True)
class ProgressView:
    badge: Ref
    met: int
    total: int
    rules: tuple[RuleView, ...]
    earned: bool
    """All criteria met, not yet recorded by `menteo award`."""


@dataclass(frozen=True)
class BadgeView:
    slug: str
    url: str
    name: str
    description: str
    audience: str
    tier: int
    image: str
    criteria: tuple[str, ...]
    narrative: str
    rewards: tuple[RewardView, ...]
    skills: tuple[str, ...]
    tags: tuple[str, ...]
    agreed_in: str | None
    builds_on: Ref | None
    leads_to: tuple[Ref, ...]
    holders: tuple[AwardView, ...]
    hidden_holders: int
    revoked: tuple[AwardView, ...]
    documents: tuple[str, ...]
    """The badge as JSON (OB 3.0 Achievement, OB 2.0 BadgeClass), linked from its page."""


@dataclass(frozen=True)
class LedgerRow:
    seq: int
    event: str
    hash: str
    award: AwardView | None
    """The award the line records or revokes, when the line is published."""
    recorded: str


@dataclass(frozen=True)
class Download:
    label: str
    url: str
    note: str


@dataclass(frozen=True)
class AwardPage:
    """The human verification page of one award: what, why, by whom, when, its status, every
    format to download, and ways to share it."""

    url: str
    absolute_url: str
    award: AwardView
    badge: BadgeView
    issuer_name: str
    issuer_url: str
    evidence_note: str
    """A summary of evidence that is not public (counted, not shown)."""
    downloads: tuple[Download, ...]
    linkedin: str | None
    """"Add to LinkedIn profile", None once revoked: nothing invites sharing a revoked award."""
    embed: str | None
    """The embed snippet, None once revoked."""
    did_document: str


@dataclass
class RecognitionViews:
    badges: list[BadgeView] = field(default_factory=list)
    awards: list[AwardView] = field(default_factory=list)
    """Active awards to public people, newest first."""
    by_person: dict[tuple[str, str], tuple[AwardView, ...]] = field(default_factory=dict)
    """Active awards of each public person."""
    progress: dict[tuple[str, str], tuple[ProgressView, ...]] = field(default_factory=dict)
    opportunities: list[tuple[Ref, tuple[tuple[Ref, RewardView], ...]]] = field(
        default_factory=list
    )
    ledger: list[LedgerRow] = field(default_factory=list)
    ledger_json: str = ""
    pages: list[AwardPage] = field(default_factory=list)


class _Recognition:
    def __init__(
        self,
        community: CommunityData,
        review: Review,
        urls: Urls,
        issued: Sequence[IssuedAward],
        words: Wording,
        evaluation: Evaluation | None = None,
    ) -> None:
        self.c = community
        self.review = review
        self.words = words
        if evaluation is None:
            evaluation = review.evaluation if words is ENGLISH else evaluate(community, words)
        self.evaluation: Evaluation = evaluation
        """The review's evaluation, explained in the site's language."""
        self.urls = urls
        self.pub = Publication(community)
        self.issued = {a.facts.uuid: a for a in issued}

    def badge_ref(self, slug: str) -> Ref:
        return Ref(self.c.badges[slug].model.name, self.urls.page("badges", slug))

    def role(self, badge: str) -> str:
        return self.c.badges[badge].model.audience.value

    def visible(self, award: Award) -> bool:
        """Whether a ledger line about `award` may be published in full: everyone it names has
        consented, and every thread it cites is published under its own name."""
        if not self.pub.is_public(self.role(award.badge), award.recipient):
            return False
        for ref in award.evidence:
            thread = self.c.threads.get(ref.split("/")[1])
            if thread is None or thread.visibility is Visibility.PRIVATE:
                return False
            if self.pub.thread_id(thread) != thread.slug:
                return False
        return True

    def award(self, award: Award) -> AwardView:
        role = self.role(award.badge)
        public = self.pub.is_public(role, award.recipient)
        recipient = Ref(
            self.pub.label(role, award.recipient) if public else NEUTRAL_LABEL[role],
            self.urls.page(f"{role}s", award.recipient) if public else None,
        )
        evidence = []
        for ref in award.evidence if public else ():
            found = self.pub.published_evidence(ref)
            if found is not None:
                evidence.append(Ref(found[0], self.urls.file(found[1])))
        revocation = self.review.ledger.revocations.get(award.id)
        uuid = award.id.rsplit(":", 1)[-1]
        return AwardView(
            id=award.id,
            anchor="award-" + uuid,
            slug=award.badge,
            badge=self.badge_ref(award.badge),
            recipient=recipient,
            public=public,
            awarded=award.awarded,
            recorded=award.recorded,
            evidence=tuple(evidence),
            revoked=revocation.reason if revocation else None,
            revoked_recorded=revocation.recorded if revocation else None,
            url=self.urls.page("awards", uuid) if uuid in self.issued else None,
        )

    def progress(self, found: dict[str, Eligibility], held: set[str]) -> tuple[ProgressView, ...]:
        """The next step on each ladder: unmet or unrecorded badges whose lower tier is held."""
        shown = []
        for slug, eligibility in found.items():
            badge = self.c.badges[slug].model
            if slug in held or (badge.builds_on and badge.builds_on not in held):
                continue
            rules = eligibility.rules[1:] if badge.builds_on else eligibility.rules
            shown.append(
                ProgressView(
                    self.badge_ref(slug),
                    sum(r.met for r in rules),
                    len(rules),
                    tuple(RuleView(r.text, r.met, r.value, r.missing) for r in rules),
                    eligibility.met,
                )
            )
        return tuple(shown)

    def page(
        self, issued: IssuedAward, award: AwardView, badges: dict[str, BadgeView]
    ) -> AwardPage:
        facts = issued.facts
        absolute = self.urls.absolute
        files = self.urls.file
        downloads = (
            Download(
                N_("Open Badges 3.0 credential"),
                files(issued.ob3_json),
                N_("JSON with a Data Integrity proof (eddsa-rdfc-2022)"),
            ),
            Download(
                N_("Open Badges 3.0 VC-JWT"),
                files(issued.ob3_jwt),
                N_("the same credential as a signed JWT (RS256)"),
            ),
            Download(
                N_("Baked badge image (OB 3.0, PNG)"),
                files(issued.ob3_png),
                N_("the credential inside the image"),
            ),
            Download(
                N_("Baked badge image (OB 3.0, SVG)"),
                files(issued.ob3_svg),
                N_("the credential inside the image"),
            ),
            Download(
                N_("Open Badges 2.0 assertion"), files(issued.ob2_json), N_("hosted assertion")
            ),
            Download(
                N_("Baked badge image (OB 2.0 hosted, PNG)"),
                files(issued.ob2_hosted_png),
                N_("the hosted assertion inside the image"),
            ),
            Download(
                N_("Open Badges 2.0 signed assertion"), files(issued.ob2_jws), N_("JWS (RS256)")
            ),
            Download(
                N_("Baked badge image (OB 2.0, PNG)"),
                files(issued.ob2_png),
                N_("the signed assertion inside the image"),
            ),
            Download(
                N_("Baked badge image (OB 2.0, SVG)"),
                files(issued.ob2_svg),
                N_("the signed assertion inside the image"),
            ),
        )
        issuer_name = self.c.config.issuer.name
        linkedin = "https://www.linkedin.com/profile/add?" + urlencode(
            {
                "startTask": "CERTIFICATION_NAME",
                "name": facts.badge.name,
                "organizationName": issuer_name,
                "issueYear": facts.awarded.year,
                "issueMonth": facts.awarded.month,
                "certUrl": facts.page_url,
                "certId": facts.id,
            }
        )
        image = absolute(files(issued.ob3_png))
        embed = (
            f'<a href="{escape(facts.page_url)}"><img src="{escape(image)}" width="120" '
            f'height="120" alt="{escape(facts.badge.name)} badge awarded to '
            f'{escape(facts.recipient_name)} by {escape(issuer_name)}"></a>'
        )
        hidden = [e.narrative for e in facts.evidence if e.url is None]
        return AwardPage(
            url=self.urls.page("awards", facts.uuid),
            absolute_url=facts.page_url,
            award=award,
            badge=badges[facts.badge.slug],
            issuer_name=issuer_name,
            issuer_url=self.c.config.issuer.url,
            evidence_note=" ".join(hidden),
            downloads=downloads,
            linkedin=None if award.revoked else linkedin,
            embed=None if award.revoked else embed,
            did_document=files(did_document_path(self.c.config.base_url)),
        )

    def badge(self, slug: str, badge: Badge, awards: list[AwardView]) -> BadgeView:
        active = [a for a in awards if a.slug == slug]
        holders = tuple(a for a in active if a.public and a.revoked is None)
        hidden = sum(1 for a in active if not a.public and a.revoked is None)
        image = self.urls.file(f"badges/images/{slug}.svg")
        rules = top_level(self.c.badges[slug])
        names = {s: r.model.name for s, r in self.c.badges.items()}
        return BadgeView(
            slug=slug,
            url=self.urls.page("badges", slug),
            name=badge.name,
            description=badge.description,
            audience=badge.audience.value,
            tier=badge.tier,
            image=image,
            criteria=tuple(self.words.describe(r, badge.audience, names) for r in rules),
            narrative=self.words.narrative(rules, badge.audience, names),
            rewards=tuple(_reward(r) for r in badge.rewards),
            skills=tuple(badge.skills),
            tags=tuple(badge.tags),
            agreed_in=badge.agreed_in,
            builds_on=self.badge_ref(badge.builds_on) if badge.builds_on else None,
            leads_to=tuple(
                self.badge_ref(s) for s, r in self.c.badges.items() if r.model.builds_on == slug
            ),
            holders=tuple(sorted(holders, key=lambda a: (a.awarded, a.recipient.label))),
            hidden_holders=hidden,
            revoked=tuple(a for a in active if a.public and a.revoked is not None),
            documents=(
                self.urls.file(ob3.Ob3Paths.achievement(slug)),
                self.urls.file(ob2.Ob2Paths.badge(slug)),
            ),
        )


def build_recognition(
    community: CommunityData,
    review: Review,
    urls: Urls,
    issued: Sequence[IssuedAward],
    words: Wording = ENGLISH,
) -> RecognitionViews:
    """Every recognition view of the site, from the evaluation, the ledger and the issued
    credentials (each gets an award page; none, for views that link no award page);
    criteria and progress in `words`."""
    r = _Recognition(community, review, urls, issued, words)
    views = RecognitionViews()
    every = [r.award(a) for a in review.ledger.awards.values()]
    views.awards = sorted(
        (a for a in every if a.public and a.revoked is None),
        key=lambda a: (a.awarded, a.recorded, a.id),
        reverse=True,
    )
    _per_person(r, views, every)
    for slug, record in community.badges.items():
        views.badges.append(r.badge(slug, record.model, every))
    badges = {b.slug: b for b in views.badges}
    by_id = {a.id: a for a in every}
    views.pages = [
        r.page(issued_award, by_id[issued_award.facts.id], badges) for issued_award in issued
    ]
    views.ledger, shown = _ledger_rows(r, by_id)
    views.ledger_json = ledger_document(shown)
    return views


def progress_of(
    community: CommunityData,
    review: Review,
    urls: Urls,
    evaluation: Evaluation,
    people: Collection[tuple[str, str]],
    words: Wording = ENGLISH,
) -> dict[tuple[str, str], tuple[ProgressView, ...]]:
    """`RecognitionViews.progress` of `people` (role, slug) alone, from `evaluation` (theirs at
    least, in `words`): `menteo serve` shows an edit's new award state with it first."""
    r = _Recognition(community, review, urls, (), words, evaluation)
    held = _held(r)
    return {
        (role, slug): r.progress(dict(evaluation.of(Audience(role), slug)), held[(role, slug)])
        for role, slug in people
    }


def _held(r: _Recognition) -> dict[tuple[str, str], set[str]]:
    """(role, slug) → the badges the ledger says they hold (not revoked)."""
    ledger = r.review.ledger
    held: dict[tuple[str, str], set[str]] = defaultdict(set)
    for award in ledger.awards.values():
        if award.id not in ledger.revocations:
            held[(r.role(award.badge), award.recipient)].add(award.badge)
    return held


def _per_person(r: _Recognition, views: RecognitionViews, every: list[AwardView]) -> None:
    """Each public person's awards, next-tier progress and unlocked opportunities."""
    ledger = r.review.ledger
    by_id = {a.id: a for a in every}
    held = _held(r)
    mine: dict[tuple[str, str], list[AwardView]] = defaultdict(list)
    for award in ledger.awards.values():
        if award.id not in ledger.revocations and by_id[award.id].public:
            mine[(r.role(award.badge), award.recipient)].append(by_id[award.id])
    for role in ("mentor", "mentee"):
        for slug, person in r.c.people(role).items():
            if not person.public:
                continue
            key = (role, slug)
            views.by_person[key] = tuple(sorted(mine[key], key=lambda a: a.awarded))
            found = dict(r.evaluation.of(Audience(role), slug))
            views.progress[key] = r.progress(found, held[key])
            rewards = tuple(
                (a.badge, _reward(reward))
                for a in views.by_person[key]
                for reward in r.c.badges[a.slug].model.rewards
            )
            if rewards:
                url = r.urls.page(f"{role}s", slug)
                views.opportunities.append((Ref(person.model.name, url), rewards))
    views.opportunities.sort(key=lambda item: item[0].label.casefold())


def _ledger_rows(
    r: _Recognition, by_id: dict[str, AwardView]
) -> tuple[list[LedgerRow], list[tuple[str, bool]]]:
    """One row per ledger line, and each line's text with whether it may be published."""
    ledger = r.review.ledger
    revocations = {rev.seq: rev for rev in ledger.revocations.values()}
    awards = {a.seq: a for a in ledger.awards.values()}
    rows, shown = [], []
    for seq, text in enumerate(ledger.lines, start=1):
        award = awards.get(seq)
        revocation = revocations.get(seq)
        target = award or (ledger.awards[revocation.award] if revocation else None)
        visible = target is not None and r.visible(target)
        shown.append((text, visible))
        recorded = award.recorded if award else revocation.recorded if revocation else ""
        view = by_id[target.id] if target is not None and visible else None
        rows.append(LedgerRow(seq, "award" if award else "revoke", line_hash(text), view, recorded))
    return rows, shown


def _reward(reward: Reward) -> RewardView:
    return RewardView(reward.title, reward.description, reward.how_to_claim, reward.url)
