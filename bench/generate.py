"""Generate a deterministic synthetic mentorship community for benchmarking `menteo build`.

The tree follows docs/content-model.md exactly, so the benchmark exercises the real loader,
validator and renderer rather than an error path. Everything comes from one `random.Random(seed)`
and only integer-exact draws (no gauss/lognormal, whose libm results may differ between
platforms), no clock and no set or directory-order iteration, so the same seed and arguments give
a byte-identical tree.

The community also carries its recorded awards, as a real one does: after writing the content,
`menteo award` (this checkout's, run with the same Python) evaluates the badges and appends every
due award to ledger/awards.jsonl, with its clock pinned by SOURCE_DATE_EPOCH to the day after the
last entry, so the ledger is as deterministic as the content. `--no-awards` leaves it empty and
needs only the standard library.

    python bench/generate.py OUTDIR --size small            # 1,000 mentors / 10,000 entries
    python bench/generate.py OUTDIR --mentors 50 --entries 500 --seed 7
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

SIZES: dict[str, tuple[int, int]] = {"small": (1_000, 10_000), "large": (5_000, 50_000)}
BADGES = Path(__file__).resolve().parent.parent / "badges"
"""The demo community's badge definitions (and artwork), evaluated for every generated person."""
BASE_URL = "https://bench.example.org/"
WINDOW_END = dt.date(2025, 6, 30)
WINDOW_START = dt.date(2023, 7, 1)  # 24 months: every thread start and entry date lies in here
AWARDS_EPOCH = 1_751_328_000
"""2025-07-01T00:00:00Z, the day after WINDOW_END: `menteo award`'s clock, so every award is due
and every recorded line is the same on every run."""
GENERATOR = Path(__file__).resolve().parent.parent / "generator"
LEDGER = "ledger/awards.jsonl"
MENTEES_PER_MENTOR = 1.3
N_ROADMAPS = 20
N_COMMUNITIES = 15
N_AVATARS = 24

# ---------------------------------------------------------------- vocabulary


def _split(text: str) -> list[str]:
    """Whitespace-separated words: keeps the long vocabularies compact and easy to edit."""
    return text.split()


WORDS = _split("""
ability access adoption agenda alignment analysis approach architecture assumption attention
audit autonomy backlog balance baseline behaviour benchmark boundary branch budget bug build
cache cadence calendar candidate capacity career change checklist clarity client code cohort
commit communication community compiler confidence config conflict context contract contributor
conversation coverage craft culture customer cycle dashboard data deadline debt debugging
decision delegation delivery demo dependency deploy design detail diagram discipline discovery
docs draft editor effort energy error estimate event evidence example experiment exposure
feature feedback focus follow-up framework friction function goal growth guidance habit handoff
hiring hypothesis idea impact incident influence input insight interface interview iteration
journal kickoff knowledge latency lead learning leverage library limit load log loop maintainer
manager map meeting memory mentor metric migration milestone mindset model module momentum
network note objective onboarding openness opportunity outcome owner pairing pattern peer
performance pipeline plan platform portfolio practice presentation priority problem process
product profile progress project prototype question queue rationale reader readiness refactor
reflection release reliability request research resource retro review risk roadmap role rollout
routine runbook scale schedule scope script service session signal skill slide snapshot source
speaker sponsor sprint stakeholder standard story strategy strength structure style support
system talk target task team template test ticket timeline tool trade-off training trust
tutorial upgrade user value version vision walkthrough weekly workflow workshop writing
a about after again all also and another around as at because before better but by clearly
during each early every for from gently honest into just later less more most next not now of
often on only or our over quickly really since slowly small so some still that the their then
this through to together toward under until very was we well what when while with without
calm careful concrete curious deliberate different easier explicit focused fresh gradual harder
helpful important larger narrow new obvious open practical quiet realistic simple stable steady
strong useful visible
""")

CODE_TOKENS = [
    "git rebase -i",
    "kubectl get pods",
    "pytest -k slow",
    "make lint",
    "SELECT count(*)",
    "async def",
    "docker compose up",
    "--dry-run",
    "O(n log n)",
    "git bisect",
    "terraform plan",
    "npm run build",
    "self.assertEqual",
    "Optional[str]",
    "HTTP 429",
    "EXPLAIN ANALYZE",
    "ruff check",
    "cargo test",
    "go vet ./...",
    "README.md",
]
LINK_SECTIONS = ["guides", "talks", "books", "courses", "docs", "blog", "papers", "videos"]
LANGUAGES_CODE = ["python", "bash", "yaml", "sql", "javascript", "go", "text"]

FIRST_NAMES: list[tuple[str, str]] = [
    (n, n.lower())
    for n in _split("""Ada Amara Ana Aiko Beatriz Bilal Carmen Chidi Chloe Daniel Dara Diego Elena
    Emeka Farah Felix Gabriel Hana Hugo Ines Isaac Ivan Jamal Jin Julia Kai Kamala Kofi Laila Leon
    Lucia Malik Maria Mateo Maya Mina Nadia Naveen Nia Noah Olga Omar Priya Rafael Ravi Rosa Sami
    Sara Sofia Tariq Tomas Uma Vera Wei Yara Yusuf Zainab""")
] + [
    ("José", "jose"),
    ("Zoë", "zoe"),
    ("Björn", "bjorn"),
    ("Łukasz", "lukasz"),
    ("Renée", "renee"),
    ("Ñusta", "nusta"),
    ("Dương", "duong"),
    ("Søren", "soren"),
    ("美咲", "misaki"),
    ("Дмитрий", "dmitriy"),
    ("أمينة", "amina"),
    ("प्रिया", "priya-d"),
]
LAST_NAMES: list[tuple[str, str]] = [
    (n, n.lower())
    for n in _split("""Okafor Silva Tanaka Haddad Novak Mensah Costa Rossi Nakamura Kowalski Adeyemi
    Fernandes Ibrahim Jensen Khan Larsen Moreau Nguyen Osei Patel Quispe Ramos Schmidt Singh
    Torres Ueda Varga Wanjiru Xu Yilmaz Zhang Abebe Bauer Castillo Dubois Eriksson Fischer Garcia
    Hoffmann Iyer Jovanovic Kim Lopez Mwangi Nair Ortiz Petrov Reyes Santos Tshabalala Vasquez
    Walker Yamamoto Ahmed Banda Chen Diallo Ekwueme Fofana""")
] + [
    ("Müller", "muller"),
    ("Gonçalves", "goncalves"),
    ("Øvergaard", "overgaard"),
    ("Đorđević", "dordevic"),
    ("Sánchez", "sanchez"),
    ("Şahin", "sahin"),
    ("山田", "yamada"),
    ("Иванова", "ivanova"),
]
PRONOUNS = ["she/her", "he/him", "they/them", "she/they", "he/they"]
ROLES = [
    "Staff engineer",
    "Engineering manager",
    "Data scientist",
    "Site reliability engineer",
    "Product designer",
    "Developer advocate",
    "Security engineer",
    "Frontend engineer",
    "Backend engineer",
    "Technical writer",
    "Machine learning engineer",
    "Open source maintainer",
    "Principal engineer",
    "Platform engineer",
]
FOCI = [
    "platform reliability",
    "career growth",
    "distributed systems",
    "accessible interfaces",
    "data pipelines",
    "open source onboarding",
    "technical writing",
    "incident response",
    "public speaking",
    "system design interviews",
    "API design",
    "testing culture",
    "cloud cost",
    "first-time managers",
]
SKILLS = _split("""kubernetes career-growth python rust go typescript react accessibility
system-design public-speaking technical-writing data-engineering machine-learning security
observability incident-response databases sql testing code-review open-source leadership
product-thinking ux-research devops ci-cd cloud-architecture networking performance
interviewing negotiation mentoring frontend backend mobile android ios embedded
compilers linux git documentation api-design distributed-systems statistics
visualization community-building project-management remote-work""")
TAGS = _split("""onboarding retro pairing code-review career interview promotion first-pr
debugging testing architecture design-doc deploy incident on-call documentation talk
conference open-source reading-list burnout focus feedback negotiation portfolio
side-project certification migration refactoring performance security accessibility
python rust go typescript kubernetes sql data ml leadership management writing
public-speaking networking hiring goal-setting planning habits""")
SITE_LANGS = ["en"] * 12 + ["pt-BR", "es", "de", "fr", "hi", "ja", "zh-Hans", "sw", "ar", "pl"]
CADENCES = [
    "every two weeks, 45 minutes",
    "weekly, 30 minutes",
    "monthly, one hour",
    "every Tuesday morning",
    "fortnightly video call",
    "async in the thread, call once a month",
    "weekly pairing, 90 minutes",
]
ROADMAP_TOPICS = [
    ("kubernetes-foundations", "Kubernetes foundations", "beginner"),
    ("python-for-data", "Python for data work", "beginner"),
    ("first-open-source-contribution", "Your first open source contribution", "beginner"),
    ("system-design-basics", "System design basics", "intermediate"),
    ("becoming-a-tech-lead", "Becoming a tech lead", "advanced"),
    ("public-speaking-101", "Public speaking 101", "beginner"),
    ("technical-writing", "Technical writing that gets read", "intermediate"),
    ("observability-in-practice", "Observability in practice", "intermediate"),
    ("rust-from-scratch", "Rust from scratch", "intermediate"),
    ("frontend-accessibility", "Accessible frontends", "intermediate"),
    ("interview-preparation", "Interview preparation", "beginner"),
    ("incident-response", "Incident response and on-call", "intermediate"),
    ("sql-and-databases", "SQL and databases", "beginner"),
    ("ml-engineering", "Machine learning engineering", "advanced"),
    ("security-mindset", "A security mindset", "intermediate"),
    ("first-time-manager", "The first-time manager", "advanced"),
    ("ci-cd-pipelines", "CI/CD pipelines", "intermediate"),
    ("distributed-systems", "Distributed systems", "advanced"),
    ("career-negotiation", "Negotiating your career", "intermediate"),
    ("maintainer-track", "From contributor to maintainer", "advanced"),
]
STEP_TOPICS = _split("""orientation setup fundamentals tooling first-project testing debugging
review deployment monitoring scaling design documentation presentation feedback-loop
practice-round capstone retrospective next-steps""")
RESOURCE_KINDS = ["article", "book", "course", "video", "tool", "docs", "exercise"]
COMMUNITY_NAMES = [
    "Women in Infrastructure",
    "Lisbon Circle",
    "Lagos Builders",
    "Rustaceans Mentoring Ring",
    "Data Folks",
    "First-Time Managers",
    "Accessibility Guild",
    "Speakers Club",
    "Open Source Newcomers",
    "Career Changers",
    "Security Circle",
    "Frontend Friends",
    "Night Owls (APAC)",
    "Platform Engineers",
    "Writers Room",
]
ENTRY_KINDS = ["session", "reflection", "milestone", "outcome", "feedback"]
ENTRY_KIND_WEIGHTS = [55, 20, 11, 4, 10]
MENTEE_SHARE = {"session": 0.25, "milestone": 0.6, "outcome": 0.6}
OUTCOMES = ["promotion", "project-shipped", "skill-attained", "new-role", "talk-given", "other"]
OUTCOME_TITLES = {
    "promotion": "Promoted to {role}",
    "project-shipped": "Shipped a project on {topic}",
    "skill-attained": "Comfortable with {topic} now",
    "new-role": "Started a new role as {role}",
    "talk-given": "Gave a talk on {topic}",
    "other": "Something good happened around {topic}",
}
TITLE_TEMPLATES = {
    "session": [
        "Pairing on {topic}",
        "Session {n}: {topic}",
        "Reviewing the plan for {topic}",
        "Working through {topic}",
        "Deep dive into {topic}",
        "Check-in on {topic}",
        "Mock interview about {topic}",
    ],
    "reflection": [
        "What I learned about {topic}",
        "Thinking about {topic}",
        "Notes to self on {topic}",
        "Why {topic} felt hard this week",
    ],
    "milestone": [
        "Finished the module on {topic}",
        "First real result on {topic}",
        "Halfway through {topic}",
        "Demo of {topic} done",
    ],
    "feedback": [
        "Feedback after {n} sessions",
        "How the mentorship is going",
        "Feedback on our sessions about {topic}",
    ],
}
TOPICS = [
    "the deploy pipeline",
    "code review habits",
    "system design",
    "a conference talk",
    "the promotion packet",
    "test coverage",
    "incident retros",
    "the migration plan",
    "writing design docs",
    "salary negotiation",
    "the first open source PR",
    "on-call anxiety",
    "Kubernetes networking",
    "SQL query tuning",
    "the portfolio site",
    "stakeholder updates",
    "estimating work",
    "the reading list",
    "accessibility audits",
    "the team roadmap",
    "async communication",
    "Rust lifetimes",
    "data modelling",
    "observability dashboards",
]
GOAL_TITLES = [
    "Ship a side project",
    "Give a lightning talk",
    "Pass the system design interview",
    "Get the first PR merged upstream",
    "Lead an incident retro",
    "Write a design doc",
    "Earn the promotion",
    "Build a portfolio",
    "Learn Kubernetes basics",
    "Mentor someone else",
    "Publish a blog post",
    "Improve test coverage",
    "Negotiate the offer",
    "Run a workshop",
]
GOAL_STATUSES = ["open", "in-progress", "achieved", "dropped"]


# ---------------------------------------------------------------- YAML / Markdown writing

_RESERVED = {"yes", "no", "true", "false", "on", "off", "null", "y", "n", "~"}
_PLAIN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9 ,.'()/-]*[A-Za-z0-9.)]")
_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_PLAIN_URL = re.compile(r"https://[A-Za-z0-9./_-]+")
_URL_RE = re.compile(r"https://[^\s)>]+")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'-]*")


def count_words(text: str) -> int:
    """Prose words in a Markdown block: markup and link targets do not count."""
    return len(_WORD_RE.findall(_URL_RE.sub("", text)))


def yaml_scalar(value: Any, flow: bool = False) -> str:
    """Render one scalar so PyYAML reads back exactly the same value and type.

    Plain style is used where it is unambiguous (as people write by hand); anything else is a
    JSON string, which is always a valid YAML double-quoted scalar.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | dt.date):
        return str(value)
    text = str(value)
    if text.lower() not in _RESERVED:
        if _PLAIN_WORD.fullmatch(text):
            return text
        if not flow and (_PLAIN_TEXT.fullmatch(text) or _PLAIN_URL.fullmatch(text)):
            return text
    return json.dumps(text, ensure_ascii=False)


def yaml_lines(data: Any, indent: int = 0) -> Iterator[str]:
    """Emit block-style YAML for the nested dicts/lists the generator builds (insertion order)."""
    pad = " " * indent
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict):
                yield f"{pad}{key}:"
                yield from yaml_lines(value, indent + 2)
            elif isinstance(value, list):
                if all(isinstance(v, str) and "\n" not in v for v in value):
                    yield f"{pad}{key}: [{', '.join(yaml_scalar(v, flow=True) for v in value)}]"
                else:
                    yield f"{pad}{key}:"
                    yield from yaml_lines(value, indent + 2)
            elif isinstance(value, str) and "\n" in value:
                yield f"{pad}{key}: |"
                for line in value.rstrip("\n").split("\n"):
                    yield f"{pad}  {line}" if line else ""
            else:
                yield f"{pad}{key}: {yaml_scalar(value)}"
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict):
                inner = list(yaml_lines(item, indent + 2))
                yield f"{pad}- {inner[0][indent + 2 :]}"
                yield from inner[1:]
            else:
                yield f"{pad}- {yaml_scalar(item)}"
    else:
        raise TypeError(f"unsupported YAML node {type(data).__name__}")


def yaml_doc(data: dict[str, Any]) -> str:
    """A whole YAML file."""
    return "\n".join(yaml_lines(data)) + "\n"


def front_matter_doc(data: dict[str, Any], body: str) -> str:
    """A Markdown file with YAML front matter, the form entries, communities and .md people use."""
    return f"---\n{yaml_doc(data)}---\n\n{body.rstrip()}\n"


def words_phrase(rng: Random, n: int) -> str:
    """A short lowercase phrase (list items, headings, link text)."""
    return " ".join(rng.choices(WORDS, k=n))


def link_url(rng: Random) -> str:
    """A resource URL under https://example.org/ (never fetched)."""
    a, b = rng.choices(WORDS[:180], k=2)
    return f"https://example.org/{rng.choice(LINK_SECTIONS)}/{a}-{b}"


def sentence(rng: Random, footnotes: list[str] | None = None) -> str:
    """One sentence with the occasional inline construct, so inline parsing gets exercised too.

    This is the hot path of the generator, so it draws floats directly instead of calling
    randint/randrange (several times slower per call).
    """
    rand = rng.random
    n = 6 + int(rand() * 13)
    ws = rng.choices(WORDS, k=n)
    ws[0] = ws[0].capitalize()
    r = rand()
    i = int(rand() * (n - 1))
    if r < 0.08:
        ws[i] = f"*{ws[i]}*"
    elif r < 0.13:
        ws[i] = f"**{ws[i]} {ws.pop(i + 1)}**"
    elif r < 0.20:
        ws[i] = f"`{rng.choice(CODE_TOKENS)}`"
    elif r < 0.26:
        ws[i] = f"[{ws[i]} {ws.pop(i + 1)}]({link_url(rng)})"
    elif r < 0.275:
        ws[i] = f"~~{ws[i]}~~"
    elif r < 0.285:
        ws[i] = f"<{link_url(rng)}>"
    elif r < 0.29 and footnotes is not None:
        footnotes.append(sentence(rng))
        ws[-1] = f"{ws[-1]}[^{len(footnotes)}]"
    return " ".join(ws) + ".....?!"[int(rand() * 7)]


def plain_sentence(rng: Random) -> str:
    """A short sentence without markup, for one-line fields (`summary`, titles)."""
    return " ".join(rng.choices(WORDS, k=rng.randint(5, 12))).capitalize() + "."


def paragraph(rng: Random, sentences: int, footnotes: list[str] | None = None) -> str:
    """A paragraph of generated sentences."""
    return " ".join(sentence(rng, footnotes) for _ in range(sentences))


def code_block(rng: Random) -> str:
    """A fenced code block in one of a few languages (for the highlighter, if any)."""
    lang = rng.choice(LANGUAGES_CODE)
    a, b, c = (w.replace("-", "_") for w in rng.sample(WORDS[:180], 3))
    n = rng.randint(2, 40)
    bodies = {
        "python": [
            f"def {a}_{b}({c}, limit={n}):",
            f'    """Return the {a} for each {c}."""',
            f"    return [x for x in {c} if x.{b} < limit]",
        ],
        "bash": [f"git switch -c {a}-{b}", f"make {c} JOBS={n}", f"./scripts/{a}.sh --dry-run"],
        "yaml": [f"{a}:", f"  {b}: {n}", f"  {c}: true"],
        "sql": [f"SELECT {a}, count(*) FROM {b}", f"WHERE {c} > {n}", f"GROUP BY {a};"],
        "javascript": [f"const {a} = await fetch{b.title()}({n});", f"console.log({a}.{c});"],
        "go": [f"func {a}{b.title()}({c} int) int {{", f"\treturn {c} * {n}", "}"],
        "text": [f"{a} -> {b} -> {c}", f"({n} steps)"],
    }
    return "\n".join([f"```{lang}", *bodies[lang], "```"])


def table(rng: Random) -> str:
    """A small GFM table (its cells do not count towards a body's word target)."""
    rows = ["| Week | Focus | Status |", "|---|---|---|"]
    for week in range(1, rng.randint(3, 6)):
        focus = words_phrase(rng, rng.randint(2, 4))
        rows.append(f"| {week} | {focus} | {rng.choice(['done', 'in progress', 'next'])} |")
    return "\n".join(rows)


def markdown_body(rng: Random, target: int, headings: bool = True) -> str:
    """A varied GitHub-flavoured Markdown body of at least `target` prose words.

    Tables and code blocks come on top of the target; the last block overshoots it by at most a
    few dozen words.
    """
    blocks: list[str] = []
    footnotes: list[str] = []
    words = 0
    while words < target:
        remaining = target - words
        if not blocks or remaining < 25:
            kind = "p"
        else:
            kind = rng.choices(
                ["p", "h", "ul", "ol", "task", "table", "code", "quote"],
                [50, 10 if headings else 0, 10, 6, 5, 2, 4, 3],
            )[0]
        if kind == "p":
            text = paragraph(rng, max(1, min(rng.randint(2, 5), remaining // 12)), footnotes)
        elif kind == "h":
            level = "##" if rng.random() < 0.6 else "###"
            text = f"{level} {words_phrase(rng, rng.randint(2, 5)).capitalize()}"
        elif kind in ("ul", "ol", "task"):
            items = []
            for k in range(1, rng.randint(2, 6) + 1):
                item = words_phrase(rng, rng.randint(3, 10))
                if kind == "ul":
                    items.append(f"- {item}")
                    if rng.random() < 0.1:
                        items.append(f"  - {words_phrase(rng, rng.randint(2, 6))}")
                elif kind == "ol":
                    items.append(f"{k}. {item}")
                else:
                    items.append(f"- [{'x' if rng.random() < 0.5 else ' '}] {item}")
            text = "\n".join(items)
        elif kind == "table":
            text = table(rng)
        elif kind == "code":
            text = code_block(rng)
        else:
            text = "> " + paragraph(rng, rng.randint(1, 2))
        if kind not in ("table", "code"):
            words += count_words(text)
        blocks.append(text)
    blocks.extend(f"[^{k}]: {note}" for k, note in enumerate(footnotes, 1))
    return "\n\n".join(blocks) + "\n"


# ---------------------------------------------------------------- avatars


def png_bytes(rng: Random, size: int = 48) -> bytes:
    """A real RGB PNG built by hand with stored (uncompressed) deflate blocks.

    zlib's compressed output can differ between zlib builds; stored blocks cannot, which keeps
    the tree byte-identical across machines.
    """
    fg = bytes(rng.randrange(40, 220) for _ in range(3))
    bg = bytes(rng.randrange(200, 256) for _ in range(3))
    cell = rng.choice([4, 6, 8, 12])
    raw = bytearray()
    for y in range(size):
        raw.append(0)
        for x in range(size):
            raw += fg if ((x // cell) + (y // cell)) % 2 else bg
    stored = bytearray(b"\x78\x01")
    for start in range(0, len(raw), 65535):
        chunk = raw[start : start + 65535]
        final = 1 if start + 65535 >= len(raw) else 0
        stored += struct.pack("<BHH", final, len(chunk), len(chunk) ^ 0xFFFF) + chunk
    stored += struct.pack(">I", zlib.adler32(bytes(raw)))

    def chunk(tag: bytes, data: bytes) -> bytes:
        """Length, tag, data, CRC: the PNG chunk layout."""
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", bytes(stored))
        + chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------- the community model


@dataclass
class Person:
    """A planned mentor or mentee; `data` is the file's fields in the order they are written."""

    slug: str
    name: str
    mentor: bool
    md_form: bool
    data: dict[str, Any] = field(default_factory=dict)
    bio_words: int = 0


@dataclass
class ThreadPlan:
    """A planned thread: the ids entries may reference, decided before any text is drawn."""

    slug: str
    mentor: Person
    mentee: Person
    started: dt.date
    ended: dt.date | None
    roadmap: str | None
    steps: list[str]
    entries: int = 0


def unique_slug(base: str, taken: dict[str, int]) -> str:
    """`base`, or `base-2`, `base-3`… when taken (the dict is only looked up, never iterated)."""
    count = taken.get(base, 0) + 1
    taken[base] = count
    return base if count == 1 else f"{base}-{count}"


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by single hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` proportionally to integer `weights` (largest remainder, exact integers)."""
    wsum = sum(weights)
    if not weights or wsum == 0:
        return [0] * len(weights)
    counts = [total * w // wsum for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % wsum), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def random_date(rng: Random, start: dt.date, end: dt.date) -> dt.date:
    """Uniform date in [start, end]."""
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


class Generator:
    """Plans the whole community first, then writes it file by file in sorted path order."""

    def __init__(self, out: Path, mentors: int, entries: int, seed: int) -> None:
        self.out = out
        self.rng = Random(seed)
        self.n_mentors = mentors
        self.n_entries = entries
        self.n_mentees = round(mentors * MENTEES_PER_MENTOR)
        self.files = 0
        self.bytes = 0
        self.taken: dict[str, int] = {}
        self.made_dirs: set[str] = set()
        self.roadmaps: list[dict[str, Any]] = []
        self.communities: list[tuple[str, str]] = []
        self.mentors: list[Person] = []
        self.mentees: list[Person] = []
        self.threads: list[ThreadPlan] = []

    # -------------------------------------------------------- planning

    def plan(self) -> None:
        """Decide every id and cross-reference before any text is written."""
        rng = self.rng
        self.roadmaps = [self.plan_roadmap(*topic) for topic in ROADMAP_TOPICS[:N_ROADMAPS]]
        self.communities = [(slugify(n), n) for n in COMMUNITY_NAMES[:N_COMMUNITIES]]
        self.mentors = [self.plan_person(mentor=True) for _ in range(self.n_mentors)]
        self.mentees = [self.plan_person(mentor=False) for _ in range(self.n_mentees)]
        # Mentor popularity is skewed: a few mentors carry many mentees, some have none.
        popularity = [rng.choice([1, 1, 1, 2, 2, 3, 5, 8]) for _ in self.mentors]
        pairs: dict[str, ThreadPlan] = {}
        for mentee in self.mentees:
            for _ in range(1 if rng.random() < 0.85 else 2):
                mentor = rng.choices(self.mentors, popularity)[0]
                slug = f"{mentor.slug}--{mentee.slug}"
                if slug in pairs:
                    continue
                roadmap = rng.choice(self.roadmaps) if rng.random() < 0.6 else None
                started = random_date(rng, WINDOW_START, WINDOW_END - dt.timedelta(days=14))
                ended = None
                if rng.random() < 0.3 and (WINDOW_END - started).days > 60:
                    ended = random_date(rng, started + dt.timedelta(days=45), WINDOW_END)
                pairs[slug] = ThreadPlan(
                    slug=slug,
                    mentor=mentor,
                    mentee=mentee,
                    started=started,
                    ended=ended,
                    roadmap=roadmap["slug"] if roadmap else None,
                    steps=[s["id"] for s in roadmap["data"]["steps"]] if roadmap else [],
                )
        self.threads = sorted(pairs.values(), key=lambda t: t.slug)
        # Entries per thread vary a lot (up to ~4x the mean, a few threads get none when there
        # are fewer entries than threads), as in real communities.
        weights = [rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 12, 20]) for _ in self.threads]
        for thread, count in zip(self.threads, allocate(self.n_entries, weights), strict=True):
            thread.entries = count

    def plan_roadmap(self, slug: str, title: str, level: str) -> dict[str, Any]:
        """A roadmap with 4–10 ordered steps and a couple of checkpoints."""
        rng = self.rng
        step_names = rng.sample(STEP_TOPICS, rng.randint(4, 10))
        steps = []
        for name in step_names:
            steps.append(
                {
                    "id": name,
                    "title": f"{name.replace('-', ' ').capitalize()} for {title.lower()}",
                    "summary": markdown_body(rng, rng.randint(30, 80), headings=False),
                    "skills": rng.sample(SKILLS, rng.randint(1, 3)),
                    "resources": [
                        {
                            "title": words_phrase(rng, rng.randint(2, 5)).capitalize(),
                            "url": link_url(rng),
                            "kind": rng.choice(RESOURCE_KINDS),
                        }
                        for _ in range(rng.randint(1, 4))
                    ],
                }
            )
        checkpoints = [
            {
                "after": steps[i]["id"],
                "title": f"Checkpoint: {words_phrase(rng, 3)}",
                "description": paragraph(rng, 2),
            }
            for i in sorted(rng.sample(range(len(steps)), 2))
        ]
        data = {
            "title": title,
            "summary": plain_sentence(rng),
            "level": level,
            "description": markdown_body(rng, rng.randint(60, 160)),
            "steps": steps,
            "checkpoints": checkpoints,
        }
        return {"slug": slug, "data": data}

    def plan_person(self, mentor: bool) -> Person:
        """A mentor or mentee with varied optional fields and consent."""
        rng = self.rng
        first, first_slug = rng.choice(FIRST_NAMES)
        last, last_slug = rng.choice(LAST_NAMES)
        slug = unique_slug(f"{first_slug}-{last_slug}", self.taken)
        md_form = rng.random() < (0.5 if mentor else 0.3)
        data: dict[str, Any] = {"name": f"{first} {last}"}
        if rng.random() < 0.6:
            data["pronouns"] = rng.choice(PRONOUNS)
        if mentor or rng.random() < 0.5:
            prefix = "" if mentor else "Aspiring "
            role = rng.choice(ROLES)
            data["headline"] = f"{prefix}{role.lower() if prefix else role}, {rng.choice(FOCI)}"
        data["skills"] = rng.sample(SKILLS, rng.randint(1, 6))
        data["languages"] = sorted(set(rng.sample(SITE_LANGS, rng.randint(1, 3))))
        if rng.random() < 0.35:
            data["communities"] = sorted(
                c[0] for c in rng.sample(self.communities, rng.randint(1, 2))
            )
        if mentor:
            data["availability"] = rng.choices(["open", "waitlist", "closed"], [70, 20, 10])[0]
        links = {}
        if rng.random() < 0.7:
            links["github"] = f"https://github.com/{slug}"
        if rng.random() < 0.4:
            links["linkedin"] = f"https://www.linkedin.com/in/{slug}"
        if rng.random() < 0.2:
            links["website"] = f"https://{slug}.example.net/"
        if rng.random() < 0.1:
            links["mastodon"] = f"https://mastodon.example/@{slug}"
        if links:
            data["links"] = links
        if rng.random() < (0.15 if mentor else 0.05):
            data["avatar"] = f"assets/avatars/avatar-{rng.randrange(N_AVATARS):02d}.png"
        if "github" in links and rng.random() < 0.5:
            data["identity"] = {"url": links["github"]}
        consent: dict[str, bool] = {}
        if mentor:
            if rng.random() < 0.05:
                consent["public"] = False
            if rng.random() < 0.1:
                consent["spotlight"] = True
        else:
            r = rng.random()
            if r < 0.2:
                consent["public"] = True
                if rng.random() < 0.15:
                    consent["spotlight"] = True
            elif r < 0.45:
                consent["public"] = False
        if rng.random() < (0.5 if mentor else 0.4):
            consent["share_outcomes"] = True
        if consent:
            data["consent"] = consent
        bio_words = rng.randint(40, 220) if (mentor or rng.random() < 0.7) else 0
        return Person(slug, data["name"], mentor, md_form, data, bio_words)

    # -------------------------------------------------------- writing

    def write(self, rel: str, content: str | bytes) -> None:
        """Write one file (UTF-8, LF) and count it.

        Plain os.open/os.write: with ~70,000 files, pathlib's extra syscalls and objects add up.
        """
        path = os.path.join(self.out, rel)
        parent = os.path.dirname(path)
        if parent not in self.made_dirs:  # only looked up, never iterated
            os.makedirs(parent, exist_ok=True)
            self.made_dirs.add(parent)
        data = content.encode("utf-8") if isinstance(content, str) else content
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:  # os.write may write less than asked
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        self.files += 1
        self.bytes += len(data)

    def run(self) -> None:
        """Plan, then write every file in sorted path order."""
        self.plan()
        rng = self.rng
        for i in range(N_AVATARS):
            self.write(f"assets/avatars/avatar-{i:02d}.png", png_bytes(rng))
        self.write_communities()
        for people in (self.mentees, self.mentors):
            for person in sorted(people, key=lambda p: p.slug):
                self.write_person(person)
        for roadmap in sorted(self.roadmaps, key=lambda r: r["slug"]):
            self.write(f"content/roadmaps/{roadmap['slug']}.yaml", yaml_doc(roadmap["data"]))
        for thread in self.threads:
            self.write_thread(thread)
        for badge in sorted(p for p in BADGES.rglob("*") if p.is_file()):
            self.write(f"badges/{badge.relative_to(BADGES).as_posix()}", badge.read_bytes())
        self.write("menteo.yml", yaml_doc(self.site_config()))

    def site_config(self) -> dict[str, Any]:
        """menteo.yml."""
        return {
            "name": "Menteo Bench Community",
            "base_url": BASE_URL,
            "language": "en",
            "description": paragraph(self.rng, 2),
            "theme": "default",
            "issuer": {
                "name": "Menteo Bench Foundation",
                "url": "https://bench.example.org/about/",
                "description": paragraph(self.rng, 1),
            },
            "privacy": {
                "mentors_public": True,
                "mentees_public": False,
                "thread_visibility": "summary",
            },
            "request_mentorship_url": "https://bench.example.org/request?mentor={mentor}",
            "feed_size": 30,
        }

    def write_communities(self) -> None:
        """content/communities/<slug>.md with members drawn from both mentors and mentees."""
        rng = self.rng
        people = self.mentors + self.mentees
        for slug, name in sorted(self.communities):
            members = rng.sample(people, min(len(people), rng.randint(5, 40)))
            data = {
                "name": name,
                "summary": plain_sentence(rng),
                "members": sorted(p.slug for p in members),
            }
            body = markdown_body(rng, rng.randint(150, 400))
            self.write(f"content/communities/{slug}.md", front_matter_doc(data, body))

    def write_person(self, person: Person) -> None:
        """A mentor or mentee in .yaml (bio field) or .md (bio as body) form."""
        folder = "mentors" if person.mentor else "mentees"
        bio = markdown_body(self.rng, person.bio_words) if person.bio_words else ""
        if person.md_form:
            self.write(f"content/{folder}/{person.slug}.md", front_matter_doc(person.data, bio))
        else:
            data = dict(person.data)
            if bio:
                data["bio"] = bio
            self.write(f"content/{folder}/{person.slug}.yaml", yaml_doc(data))

    def write_thread(self, thread: ThreadPlan) -> None:
        """thread.yaml plus its entries (entry files sort before thread.yaml)."""
        rng = self.rng
        goals = []
        goal_ids: dict[str, int] = {}
        for title in rng.sample(GOAL_TITLES, rng.randint(1, 4)):
            goal: dict[str, Any] = {"id": unique_slug(slugify(title), goal_ids), "title": title}
            statuses = [5, 30, 45, 20] if thread.ended else [35, 45, 15, 5]
            goal["status"] = rng.choices(GOAL_STATUSES, statuses)[0]
            if rng.random() < 0.4:
                goal["due"] = random_date(rng, thread.started, WINDOW_END + dt.timedelta(days=120))
            goals.append(goal)
        data: dict[str, Any] = {
            "mentor": thread.mentor.slug,
            "mentee": thread.mentee.slug,
            "started": thread.started,
        }
        if thread.ended:
            data["ended"] = thread.ended
        if rng.random() < 0.7:
            data["cadence"] = rng.choice(CADENCES)
        if thread.roadmap:
            data["roadmap"] = thread.roadmap
        if rng.random() < 0.3:
            data["community"] = rng.choice(self.communities)[0]
        r = rng.random()
        if r < 0.05:
            data["visibility"] = "private"
        elif r < 0.12:
            data["visibility"] = "summary"
        elif r >= 0.20:
            data["visibility"] = "public"
        # else: unset, so the site default (summary) applies: ~15% summary in total
        data["summary"] = markdown_body(rng, rng.randint(40, 120), headings=False)
        data["goals"] = goals
        entries = self.plan_entries(thread, [g["id"] for g in goals])
        for name, meta in entries:
            body = markdown_body(rng, rng.randrange(150, 521, 10))
            self.write(f"content/threads/{thread.slug}/{name}", front_matter_doc(meta, body))
        self.write(f"content/threads/{thread.slug}/thread.yaml", yaml_doc(data))

    def plan_entries(
        self, thread: ThreadPlan, goal_ids: list[str]
    ) -> list[tuple[str, dict[str, Any]]]:
        """Front matter for a thread's entries, sorted by file name."""
        rng = self.rng
        last = thread.ended or WINDOW_END
        span = max(1, (last - thread.started).days)
        slugs: dict[str, int] = {}
        entries: list[tuple[str, dict[str, Any]]] = []
        for k in range(thread.entries):
            kind = "session" if k == 0 else rng.choices(ENTRY_KINDS, ENTRY_KIND_WEIGHTS)[0]
            if k == 0:
                date = thread.started
            elif kind == "outcome":  # outcomes come late in a mentorship
                date = random_date(rng, thread.started + dt.timedelta(days=span // 2), last)
            else:
                date = random_date(rng, thread.started, last)
            # Feedback and reflections are the mentee's; sessions are mostly written up by the
            # mentor; milestones and outcomes by either.
            by_mentee = kind in ("feedback", "reflection") or rng.random() < MENTEE_SHARE[kind]
            author = thread.mentee.slug if by_mentee else thread.mentor.slug
            topic = rng.choice(TOPICS)
            meta: dict[str, Any] = {"kind": kind, "date": date, "author": author}
            if kind == "outcome":
                outcome = rng.choices(OUTCOMES, [15, 30, 25, 12, 12, 6])[0]
                role = rng.choice(ROLES).lower()
                title = OUTCOME_TITLES[outcome].format(topic=topic, role=role)
            else:
                template = rng.choice(TITLE_TEMPLATES[kind])
                title = template.format(topic=topic, n=k + 1)
            meta["title"] = title
            if rng.random() < 0.8:
                meta["tags"] = sorted(rng.sample(TAGS, rng.randint(1, 4)))
            if thread.steps and kind != "feedback" and rng.random() < 0.6:
                progress = (date - thread.started).days * len(thread.steps) * 5 // (span * 4)
                meta["roadmap_step"] = thread.steps[min(len(thread.steps) - 1, progress)]
            if goal_ids and rng.random() < 0.5:
                picked = set(rng.sample(goal_ids, rng.randint(1, min(2, len(goal_ids)))))
                meta["goals"] = [g for g in goal_ids if g in picked]
            if kind == "outcome":
                meta["outcome"] = outcome
            if kind == "feedback":
                meta["rating"] = rng.choices([1, 2, 3, 4, 5], [2, 4, 12, 40, 42])[0]
            slug = unique_slug("-".join(slugify(title).split("-")[:7]), slugs)
            entries.append((f"{date.isoformat()}-{slug}.md", meta))
        entries.sort(key=lambda e: e[0])
        return entries


def generate(
    out: Path, mentors: int, entries: int, seed: int = 1, awards: bool = True
) -> tuple[int, int]:
    """Write a community into `out` (which must not hold one yet), with its awards recorded
    unless `awards` is false; returns (files, bytes)."""
    gen = Generator(out, mentors, entries, seed)
    gen.run()
    files, size = gen.files, gen.bytes
    if awards:
        record_awards(out)
        if (out / LEDGER).exists():  # `menteo award` writes nothing when nothing is due
            files, size = files + 1, size + (out / LEDGER).stat().st_size
    return files, size


def menteo_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for running this checkout's menteo, whatever else is installed."""
    env = {**os.environ, **(extra or {})}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(GENERATOR), env.get("PYTHONPATH")) if p)
    return env


def record_awards(out: Path) -> None:
    """Append every due award to the ledger the way a community does (`menteo award`, with
    menteo's own evaluation), at the fixed clock AWARDS_EPOCH.

    A subprocess keeps this script's own imports to the standard library. The command's lock
    folder (`.menteo/`) is removed again if it was not there before, so the tree holds only what
    a clone of a community holds."""
    had_state = (out / ".menteo").exists()
    proc = subprocess.run(
        [sys.executable, "-m", "menteo", "award", str(out)],
        capture_output=True,
        text=True,
        env=menteo_env({"SOURCE_DATE_EPOCH": str(AWARDS_EPOCH)}),
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"menteo award {out} exited with {proc.returncode}:\n{proc.stderr}")
    if not had_state:
        shutil.rmtree(out / ".menteo", ignore_errors=True)


def recorded_awards(out: Path) -> int:
    """How many awards the community's ledger holds (one line each)."""
    ledger = out / LEDGER
    return len(ledger.read_bytes().splitlines()) if ledger.exists() else 0


def clear_community(out: Path) -> None:
    """Remove only what `generate` writes, so --force never deletes unrelated files."""
    for name in ("assets", "badges", "content", "ledger"):
        if (out / name).is_dir():
            shutil.rmtree(out / name)
    (out / "menteo.yml").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--size", choices=sorted(SIZES), help="preset (overrides counts)")
    parser.add_argument("--mentors", type=int, default=SIZES["small"][0])
    parser.add_argument("--entries", type=int, default=SIZES["small"][1])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--force", action="store_true", help="replace a community already in OUTDIR"
    )
    parser.add_argument(
        "--no-awards",
        dest="awards",
        action="store_false",
        help="leave the ledger empty (no `menteo award`; only the standard library is needed)",
    )
    args = parser.parse_args(argv)
    mentors, entries = SIZES[args.size] if args.size else (args.mentors, args.entries)
    if mentors < 1 or entries < 0:
        parser.error("need at least one mentor and a non-negative number of entries")
    out: Path = args.outdir
    existing = [
        n for n in ("assets", "badges", "content", "ledger", "menteo.yml") if (out / n).exists()
    ]
    if existing:
        if not args.force:
            parser.error(f"{out} already holds {', '.join(existing)}; pass --force to replace")
        clear_community(out)
    start = time.perf_counter()
    files, size = generate(out, mentors, entries, args.seed, args.awards)
    elapsed = time.perf_counter() - start
    awarded = recorded_awards(out)
    print(
        f"generated {files:,} files, {size / 2**20:.1f} MiB "
        f"({mentors:,} mentors, {entries:,} entries, seed {args.seed}, {awarded:,} awards) "
        f"in {out} in {elapsed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
