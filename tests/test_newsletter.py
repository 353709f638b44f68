"""`menteo newsletter`: the period's boundaries, consent, the email-safe HTML, the CLI contract."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from factory import FILES, THREAD, THREAD_FILE, make_community
from menteo.cli import main
from menteo.content.loader import load_community
from menteo.content.models import EntryKind
from menteo.content.publication import Publication
from menteo.escaping import markdown_text as markdown_escape
from menteo.ledger.review import review
from menteo.ledger.store import read_ledger
from menteo.newsletter import Digest, digest, write_newsletter
from menteo.site.markdown import render_markdown

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "fixtures" / "mini"
D = dt.date
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
VOID = {"meta", "br", "img", "hr", "input", "link", "col", "area", "base", "source", "wbr"}


def news(root: Path, since: dt.date, as_of: dt.date | None = None) -> Digest:
    community = load_community(root)
    return digest(community, review(community, read_ledger(community.root)), since, as_of)


def written(root: Path, since: dt.date, out: Path, as_of: dt.date | None = None) -> list[str]:
    """The Markdown and the HTML of the digest, as written."""
    paths = write_newsletter(load_community(root), news(root, since, as_of), out)
    return [p.read_text(encoding="utf-8") for p in paths]


def entry(kind: str, day: str, author: str, title: str, extra: str = "") -> str:
    return f"---\nkind: {kind}\ndate: {day}\nauthor: {author}\ntitle: {title}\n{extra}---\nThe body text stays on the site.\n"


MILESTONE = f"{THREAD}/2025-03-01-first-page.md"
OUTCOME = f"{THREAD}/2025-03-02-hired.md"
GROWTH = {
    MILESTONE: entry("milestone", "2025-03-01", "bo-chen", "First page online"),
    OUTCOME: entry("outcome", "2025-03-02", "bo-chen", "Hired at Acme", "outcome: new-role\n"),
}
MENTEE_FILE = "content/mentees/bo-chen.yaml"


@pytest.mark.parametrize(
    ("since", "as_of", "awards", "outcomes"),
    [
        # the outcome and the Guide award are both dated 2025-05-10: both ends are included
        (D(2025, 5, 10), D(2025, 5, 10), [("Ana Łukasiewicz", "Guide")], ["Promoted to SRE II"]),
        (D(2025, 5, 11), D(2025, 5, 20), [], []),
        (D(2025, 3, 1), D(2025, 5, 9), [("Ana Łukasiewicz", "Starter")], []),
        (D(2025, 3, 5), D(2025, 5, 9), [], []),
    ],
)
def test_period_includes_both_ends(
    since: dt.date, as_of: dt.date, awards: list[tuple[str, str]], outcomes: list[str]
) -> None:
    d = news(MINI, since, as_of)
    assert [(a.recipient.label, a.badge.label) for a in d.awards] == awards
    assert [o.title.label for o in d.outcomes] == outcomes
    assert d.milestones == ()


def test_revoked_and_unpublished_awards_are_left_out() -> None:
    # 2025-03-04: Jonas's First Session, revoked; 2025-04-02: the non-consenting mentee's
    d = news(MINI, D(2025, 1, 1))
    assert [(a.date, a.badge.label) for a in d.awards] == [
        (D(2025, 3, 4), "Starter"),
        (D(2025, 5, 10), "Guide"),
    ]


def test_as_of_defaults_to_the_latest_published_date_not_the_clock() -> None:
    assert news(MINI, D(2025, 1, 1)).as_of == D(2025, 5, 20)  # the feedback entry
    assert news(MINI, D(2030, 1, 1)).as_of == D(2030, 1, 1)  # nothing after since


def test_links_are_absolute_and_point_at_published_pages() -> None:
    d = news(MINI, D(2025, 5, 10), D(2025, 5, 10))
    (award,) = d.awards
    assert award.badge.url == "https://example.org/mini/badges/guide/"
    assert award.recipient.url == "https://example.org/mini/mentors/ana-lukasiewicz/"
    (outcome,) = d.outcomes
    thread = "https://example.org/mini/threads/ana-lukasiewicz--jonas-berg/"
    assert outcome.title.url == thread + "2025-05-10-promoted/"
    assert outcome.mentorship.url == thread


def test_non_consenting_mentee_and_unshared_outcome_never_appear(tmp_path: Path) -> None:
    root = make_community(tmp_path / "c", GROWTH)
    d = news(root, D(2025, 1, 1))
    assert [m.title.label for m in d.milestones] == ["First page online"]
    assert d.outcomes == ()
    for text in written(root, D(2025, 1, 1), tmp_path / "out"):
        assert "First page online" in text and "a mentee" in text
        for secret in ("Bo Chen", "bo-chen", "Hired at Acme", "body text"):
            assert secret not in text
        assert not EMAIL.search(text)


def test_shared_outcome_of_an_unnamed_mentee(tmp_path: Path) -> None:
    changes = {**GROWTH, MENTEE_FILE: FILES[MENTEE_FILE] + "consent: {share_outcomes: true}\n"}
    root = make_community(tmp_path / "c", changes)
    (outcome,) = news(root, D(2025, 1, 1)).outcomes
    assert outcome.title.label == "Hired at Acme"
    assert outcome.mentorship.label == "Ana Lima & a mentee"
    for text in written(root, D(2025, 1, 1), tmp_path / "out"):
        assert "Hired at Acme" in text and "Bo Chen" not in text


def test_private_thread_never_appears(tmp_path: Path) -> None:
    changes = {**GROWTH, THREAD_FILE: FILES[THREAD_FILE] + "visibility: private\n"}
    root = make_community(tmp_path / "c", changes)
    d = news(root, D(2025, 1, 1), D(2025, 12, 31))
    assert (d.awards, d.milestones, d.outcomes) == ((), (), ())
    for text in written(root, D(2025, 1, 1), tmp_path / "out", D(2025, 12, 31)):
        assert "First page online" not in text and "Ana Lima" not in text
        assert "Nothing new happened in this period." in text


def test_summary_thread_shows_titles_without_entry_links(tmp_path: Path) -> None:
    changes = {**GROWTH, THREAD_FILE: FILES[THREAD_FILE] + "visibility: summary\n"}
    root = make_community(tmp_path / "c", changes)
    (milestone,) = news(root, D(2025, 1, 1)).milestones
    assert milestone.title.label == "First page online" and milestone.title.url is None
    assert milestone.mentorship.url is not None


def test_markdown_names_and_titles_stay_plain_text(tmp_path: Path) -> None:
    title = "Ship [it](https://evil.example) <img src=x> *now* https://evil.example www.evil.example @team #12"
    changes = {MILESTONE: entry("milestone", "2025-03-01", "ana-lima", f"'{title}'")}
    root = make_community(tmp_path / "c", changes)
    markdown, html = written(root, D(2025, 1, 1), tmp_path / "out")
    rendered = render_markdown(markdown, "/circle/")
    hrefs = re.findall(r'href="([^"]*)"', rendered)
    assert hrefs and all(h.startswith("https://example.org/circle/") for h in hrefs)
    assert "<img" not in rendered and "<em>" not in rendered
    shown = rendered.replace("&lt;", "<").replace("&gt;", ">")
    # GitHub links @mentions and #12 after rendering: a zero-width space after @ and # stops it.
    assert "@team" not in shown and "#12" not in shown
    assert title in shown.replace("\u200b", "")
    assert "<img" not in html and "&lt;img src=x&gt;" in html


def test_markdown_escape() -> None:
    assert markdown_escape("Ana  Lima\n# 1") == "Ana Lima \\# 1"
    assert markdown_escape("a_b*c`d[e]f<g>h|i~j\\k") == "a\\_b\\*c\\`d\\[e\\]f\\<g\\>h\\|i\\~j\\\\k"
    assert markdown_escape("Tom & Jerry &amp; x") == "Tom & Jerry \\&amp; x"
    assert markdown_escape("see https://x.org or WWW.x.org") == "see https\\://x.org or WWW\\.x.org"
    assert markdown_escape("Jean-Luc (J.L.) ok!") == "Jean-Luc (J.L.) ok!"


class _Document(HTMLParser):
    """Every tag with its attributes, and whether every element was closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.balanced = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.balanced = False


def test_html_is_one_email_safe_document(tmp_path: Path) -> None:
    _, html = written(MINI, D(2025, 1, 1), tmp_path)
    for forbidden in ("<script", "<link", "class=", "<form", "<style", "@import", "@font-face"):
        assert forbidden not in html.lower()
    document = _Document()
    document.feed(html)
    document.close()
    assert document.balanced and document.open == []
    tags = dict(document.tags)
    assert tags["html"]["lang"] == "en"
    assert ("meta", {"charset": "utf-8"}) in document.tags
    assert "table" in tags and "max-width:600px" in html
    urls = [a[k] for _, a in document.tags for k in ("href", "src") if k in a]
    assert urls and all(u and u.startswith("https://example.org/mini/") for u in urls)
    for _, attrs in document.tags:
        assert set(attrs) <= {
            "href",
            "style",
            "dir",
            "lang",
            "charset",
            "name",
            "content",
            "role",
            "width",
            "cellpadding",
            "cellspacing",
            "border",
            "align",
        }


def test_empty_period_says_so(tmp_path: Path) -> None:
    for text in written(MINI, D(2025, 5, 21), tmp_path, D(2025, 6, 30)):
        assert "Nothing new happened in this period." in text
        assert "New badges" not in text


def test_a_community_can_override_the_templates(tmp_path: Path) -> None:
    override = "overrides/templates/newsletter.md"
    root = make_community(
        tmp_path / "c", {override: "{{ digest.site.label }}: {{ digest.stem }}\n"}
    )
    markdown, _ = written(root, D(2025, 1, 1), tmp_path / "out")
    assert markdown == "Test Circle: newsletter-2025-01-01--2025-02-10\n"


def test_a_broken_override_is_a_content_problem(tmp_path: Path) -> None:
    root = make_community(tmp_path / "c", {"overrides/templates/newsletter.html": "{{ nope }}"})
    result = CliRunner().invoke(main, ["newsletter", str(root), "--since", "2025-01-01"])
    assert result.exit_code == 1
    assert "templates/newsletter.html" in result.output and "nope" in result.output
    assert not (root / "_newsletter").exists()


def test_cli_writes_into_the_default_folder(tmp_path: Path) -> None:
    root = make_community(tmp_path, GROWTH)
    result = CliRunner().invoke(main, ["newsletter", str(root), "--since", "2025-03-01"])
    assert result.exit_code == 0, result.output
    stem = root / "_newsletter" / "newsletter-2025-03-01--2025-03-01"
    assert result.output == (
        f"{stem}.md\n{stem}.html\n0 new awards, 1 milestone, 0 outcomes from 2025-03-01 to "
        "2025-03-01.\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--since", "2025-13-01"],
        ["--since", "yesterday"],
        [],
        ["--since", "2025-02-01", "--as-of", "2025-01-31"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = CliRunner().invoke(main, ["newsletter", str(MINI), *args])
    assert result.exit_code == 2, result.output
    assert not (MINI / "_newsletter").exists()


@pytest.mark.slow
def test_demo_end_to_end_is_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    outputs = []
    for run in ("one", "two"):
        out = tmp_path / run
        result = CliRunner().invoke(
            main, ["newsletter", ".", "--since", "2025-01-01", "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        files = sorted(out.iterdir())
        assert [f.suffix for f in files] == [".html", ".md"]
        assert result.output.splitlines()[:2] == [str(files[1]), str(files[0])]
        assert re.fullmatch(
            r"\d+ new awards, \d+ milestones, \d+ outcomes from 2025-01-01 to \d{4}-\d\d-\d\d\.",
            result.output.splitlines()[2],
        )
        outputs.append([f.read_bytes() for f in files])
    assert outputs[0] == outputs[1]
    community = load_community(ROOT)
    hidden = [p for p in (*community.mentors.values(), *community.mentees.values()) if not p.public]
    unshared = [
        e.model.title
        for t in community.threads.values()
        for e in t.entries
        if e.kind is EntryKind.OUTCOME and not Publication(community).outcome_shared(t, e)
    ]
    assert hidden and unshared
    for data in outputs[0]:
        text = data.decode("utf-8")
        assert not EMAIL.search(text)
        for person in hidden:
            assert person.model.name not in text and person.slug not in text
        for title in unshared:
            assert title not in text
