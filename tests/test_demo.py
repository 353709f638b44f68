"""End to end on the bundled demo community, through the real `menteo` command."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from tests.test_build import tree_digest

from menteo.content.loader import load_community
from menteo.content.models import EntryKind, Visibility
from menteo.content.publication import Publication
from menteo.ledger.store import read_ledger

ROOT = Path(__file__).resolve().parent.parent
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

pytestmark = pytest.mark.slow


def run_menteo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "menteo", *args], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "_site"
    result = run_menteo("build", str(ROOT), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Built ")
    return out


@pytest.fixture(scope="module")
def site_text(demo_site: Path) -> dict[str, str]:
    return {
        p.relative_to(demo_site).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(demo_site.rglob("*"))
        if p.is_file() and p.suffix in (".html", ".xml", ".txt", ".json", ".svg")
    }


def test_demo_is_rich_enough_to_show_every_feature() -> None:
    community = load_community(ROOT)
    entries = community.entries()
    kinds = Counter(e.kind for e in entries)
    assert len(community.mentors) >= 10 and len(community.mentees) >= 14
    assert len(community.threads) >= 16 and len(entries) >= 120
    assert set(kinds) == set(EntryKind)
    assert len(community.roadmaps) >= 4 and len(community.communities) >= 3
    months = {(e.date.year, e.date.month) for e in entries}
    assert len(months) >= 18
    assert len({e.model.outcome for e in entries if e.model.outcome}) >= 4
    visibilities = Counter(t.visibility for t in community.threads.values())
    assert visibilities[Visibility.PRIVATE] >= 1 and visibilities[Visibility.SUMMARY] >= 1
    assert any(not p.public for p in community.mentors.values())
    assert sum(not p.public for p in community.mentees.values()) >= 3
    names = " ".join(
        p.model.name for p in (*community.mentors.values(), *community.mentees.values())
    )
    for script in (
        r"[À-ÿ]",
        r"[\u0370-\u03ff]",
        r"[\u0400-\u04ff]",
        r"[\u4e00-\u9fff]",
        r"[\u0590-\u05ff\u0600-\u06ff]",
    ):
        assert re.search(script, names), script


def test_every_page_type_is_published(demo_site: Path) -> None:
    community = load_community(ROOT)
    for slug, person in community.mentors.items():
        assert (demo_site / "mentors" / slug / "index.html").exists() == person.public
    for slug, person in community.mentees.items():
        assert (demo_site / "mentees" / slug / "index.html").exists() == person.public
    for slug in community.roadmaps:
        assert (demo_site / "roadmaps" / slug / "index.html").exists()
    for slug in community.communities:
        assert (demo_site / "communities" / slug / "index.html").exists()
    threads = [p for p in (demo_site / "threads").iterdir() if p.is_dir()]
    published = [t for t in community.threads.values() if t.visibility is not Visibility.PRIVATE]
    assert len(threads) == len(published)
    for name in ("index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt"):
        assert (demo_site / name).exists()
    for slug in community.badges:
        assert (demo_site / "badges" / slug / "index.html").exists()
    for name in ("badges/index.html", "opportunities/index.html", "ledger/index.html"):
        assert (demo_site / name).exists()
    assert (demo_site / "ledger/awards.json").exists() and (demo_site / "awards/feed.xml").exists()
    assert (demo_site / "badges/images/first-talk.svg").exists()
    assert any((demo_site / "tags").iterdir())


def test_people_without_consent_never_appear(site_text: dict[str, str]) -> None:
    community = load_community(ROOT)
    hidden = [p for p in (*community.mentors.values(), *community.mentees.values()) if not p.public]
    assert hidden
    for path, text in site_text.items():
        for person in hidden:
            assert person.model.name not in text, (person.slug, path)
            assert person.slug not in text, (person.slug, path)
            assert person.slug not in path, (person.slug, path)


def test_private_and_summary_thread_text_is_not_published(site_text: dict[str, str]) -> None:
    community = load_community(ROOT)
    publication = Publication(community)
    everything = "\n".join(site_text.values())
    checked = 0
    for thread in community.threads.values():
        if thread.visibility is Visibility.PUBLIC:
            continue
        thread_id = publication.thread_id(thread)
        assert (f"/threads/{thread_id}/" in everything) == (thread.visibility is Visibility.SUMMARY)
        for entry in thread.entries:
            body = entry.body.text() if entry.body else ""
            lines = [line for line in body.splitlines() if len(line) >= 40]
            for line in lines[:3]:
                assert line not in everything, entry.path
                checked += 1
    assert checked >= 10


def test_unshared_outcomes_never_appear(site_text: dict[str, str]) -> None:
    community = load_community(ROOT)
    everything = "\n".join(site_text.values())
    unshared = [
        entry
        for thread in community.threads.values()
        for entry in thread.entries
        if entry.kind is EntryKind.OUTCOME
        and not Publication(community).outcome_shared(thread, entry)
    ]
    assert unshared
    for entry in unshared:
        assert entry.model.title not in everything, entry.path


def test_no_email_addresses_or_scripts_in_output(site_text: dict[str, str]) -> None:
    """The issuer's contact address, which OB 2.0 requires, is the one email published; the
    award pages' copy button, the mentor directory's filters and the search page are the only
    scripts, from the theme and the site's own Pagefind bundle, each on its own pages."""
    issuer_email = load_community(ROOT).config.issuer.email
    copy_script = re.compile(r'<script src="/mentoring-circle/static/copy\.js" defer></script>')
    directory_script = re.compile(
        r'<script src="/mentoring-circle/static/directory\.js" defer></script>'
    )
    search_scripts = re.compile(
        r'<script src="/mentoring-circle/(?:pagefind/pagefind-ui|static/search)\.js" defer>'
        r"</script>"
    )
    for path, text in site_text.items():
        emails = set(EMAIL.findall(text))
        assert emails <= ({issuer_email} if path == "ob2/issuer.json" else set()), path
        if path == "mentors/index.html":
            assert len(directory_script.findall(text)) == 1, path
            text = directory_script.sub("", text)
        if path == "search/index.html":  # Pagefind's UI and its set-up, all from the site
            assert len(search_scripts.findall(text)) == 2, path
            text = search_scripts.sub("", text)
        assert "<script" not in copy_script.sub("", text), path


def test_demo_build_is_deterministic(demo_site: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    result = run_menteo("build", str(ROOT), "--out", str(again), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert tree_digest(again) == tree_digest(demo_site)


def test_check_passes_on_the_demo_and_explains_nothing_is_written() -> None:
    result = run_menteo("check", str(ROOT))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("All good: ")


def test_the_shipped_ledger_is_current_and_shows_every_tier() -> None:
    """The demo ledger was produced by `menteo award`; a content change that would award
    something new must come with `menteo award` run again."""
    result = run_menteo("check", str(ROOT), "--format", "json")
    report = json.loads(result.stdout)
    assert (result.returncode, report["pending"], report["warnings"]) == (0, [], [])
    ledger = read_ledger(ROOT)
    awarded = Counter(a.badge for a in ledger.awards.values())
    assert set(awarded) == set(load_community(ROOT).badges)
    assert awarded["champion"] >= 1 and awarded["rising-star"] >= 3
    assert len(ledger.revocations) >= 1


def test_the_transparency_log_recomputes_to_the_ledger(demo_site: Path) -> None:
    log = json.loads((demo_site / "ledger/awards.json").read_text(encoding="utf-8"))
    lines = read_ledger(ROOT).lines
    assert [entry["seq"] for entry in log["lines"]] == list(range(1, len(lines) + 1))
    previous = log["genesis"]
    withheld = 0
    for entry, line in zip(log["lines"], lines, strict=True):
        digest = "sha256:" + hashlib.sha256(line.encode()).hexdigest()
        assert entry["sha256"] == digest
        if "text" in entry:
            assert entry["text"] == line
            assert json.loads(entry["text"])["prev"] == previous
        else:
            withheld += 1
        previous = entry["sha256"]
    assert log["head"] == previous
    assert 0 < withheld < len(lines)


def test_templates_cannot_reach_unpublished_names_even_by_dumping_objects(tmp_path: Path) -> None:
    project = tmp_path / "demo"
    project.mkdir()
    shutil.copy(ROOT / "menteo.yml", project)
    shutil.copytree(ROOT / "content", project / "content")
    templates = project / "overrides/templates"
    templates.mkdir(parents=True)
    dump = "{{ page }} {{ entry }} {{ thread }} {{ previous }} {{ next }}"
    (templates / "entry.html").write_text(dump)
    (templates / "thread.html").write_text("{{ page }} {{ thread }}")
    (templates / "person.html").write_text("{{ page }} {{ person }}")
    result = run_menteo("build", str(project), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    community = load_community(project)
    hidden = [p for p in (*community.mentors.values(), *community.mentees.values()) if not p.public]
    dumped = [p for p in (tmp_path / "site").rglob("*.html")]
    assert len(dumped) > 100
    for path in dumped:
        text = path.read_text(encoding="utf-8")
        for person in hidden:
            assert person.slug not in text and person.model.name not in text, (person.slug, path)
    (templates / "entry.html").write_text("{{ page.source }}")
    result = run_menteo("build", str(project), "--out", str(tmp_path / "site"))
    assert result.returncode == 1
    assert "'menteo.site.pages.PageHead object' has no attribute 'source'" in result.stderr
