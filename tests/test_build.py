"""The build as a user runs it: golden pages, determinism, atomicity, links and the CLI contract."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.test_search import fragments as search_fragments

from menteo import build as build_module
from menteo.build import build_site
from menteo.cli import main
from menteo.errors import ContentError
from menteo.site.page_cache import PAGE_CACHE

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
GOLDEN = Path(__file__).parent / "golden" / "mini"
UPDATE = os.environ.get("MENTEO_UPDATE_GOLDEN") == "1"
TEXT_SUFFIXES = {".html", ".xml", ".json", ".txt", ".css", ".js", ".svg"}

GOLDEN_PAGES = {
    "home": "index.html",
    "dashboard": "dashboard/index.html",
    "directory": "mentors/index.html",
    "mentees": "mentees/index.html",
    "roadmaps": "roadmaps/index.html",
    "communities": "communities/index.html",
    "tags": "tags/index.html",
    "mentor": "mentors/ana-lukasiewicz/index.html",
    "mentee": "mentees/jonas-berg/index.html",
    "threads": "threads/index.html",
    "thread": "threads/ana-lukasiewicz--jonas-berg/index.html",
    "entry": "threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/index.html",
    "roadmap": "roadmaps/sre/index.html",
    "community": "communities/platform/index.html",
    "tag": "tags/oncall/index.html",
    "feed": "feed.xml",
    "sitemap": "sitemap.xml",
    "robots": "robots.txt",
    "not-found": "404.html",
    "badges": "badges/index.html",
    "badge": "badges/guide/index.html",
    "badge-revoked": "badges/first-session/index.html",
    "opportunities": "opportunities/index.html",
    "ledger": "ledger/index.html",
    "ledger-json": "ledger/awards.json",
    "awards-feed": "awards/feed.xml",
    "award": "awards/df9bd69f-ec70-5fef-97b2-cc50b0a5d4fb/index.html",
    "award-revoked": "awards/16b59542-1e5e-58c8-b3db-7cf00bf630b7/index.html",
    "ob2-badge-class": "ob2/badges/guide.json",
    "ob2-revocations": "ob2/revocations.json",
    "ob2-hosted-revoked": "ob2/assertions/16b59542-1e5e-58c8-b3db-7cf00bf630b7.json",
}


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the mini community that a test may change."""
    copy = tmp_path / "mini"
    shutil.copytree(MINI, copy)
    return copy


@pytest.fixture(scope="module")
def mini_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mini") / "_site"
    build_site(MINI, out, workers=1)
    return out


@pytest.mark.parametrize("name", sorted(GOLDEN_PAGES))
def test_golden_page(mini_site: Path, name: str) -> None:
    actual = (mini_site / GOLDEN_PAGES[name]).read_text(encoding="utf-8")
    golden = GOLDEN / (GOLDEN_PAGES[name].replace("/", "__"))
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8"), (
        f"{name} page changed; if intended, regenerate with MENTEO_UPDATE_GOLDEN=1 pytest"
    )


def test_every_page_of_the_plan_is_written(mini_site: Path) -> None:
    files = set(tree_digest(mini_site))
    assert {*GOLDEN_PAGES.values(), "static/style.css"} <= files
    assert not any("quiet" in f or "secret" in f for f in files)


def test_private_thread_and_unconsented_mentee_never_published(mini_site: Path) -> None:
    for path in mini_site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()  # images too: baked ones carry credentials
            assert b"Quietname" not in data, path
            assert b"quiet-one" not in data, path
            assert b"Private planning" not in data, path
            assert b"Nothing here may be published" not in data, path
            assert b"<script>" not in data, path


def test_unshared_outcome_text_is_not_published(project: Path, tmp_path: Path) -> None:
    mentee = project / "content/mentees/jonas-berg.yaml"
    mentee.write_text(mentee.read_text().replace("share_outcomes: true", "share_outcomes: false"))
    build_site(project, tmp_path / "out", workers=1)
    thread = tmp_path / "out/threads/ana-lukasiewicz--jonas-berg"
    assert not (thread / "2025-05-10-promoted").exists()
    assert "An outcome (not shared)" in (thread / "index.html").read_text()
    site = "".join(
        p.read_text() for p in (tmp_path / "out").rglob("*.*") if p.suffix in TEXT_SUFFIXES
    )
    site += json.dumps(search_fragments(tmp_path / "out"))  # the search index too
    assert "It happened" not in site
    assert "Promoted to SRE II" not in site


def test_build_is_byte_identical_serial_and_parallel(tmp_path: Path) -> None:
    build_site(MINI, tmp_path / "a", workers=1)
    build_site(MINI, tmp_path / "b", workers=2)
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def _break_content(project: Path) -> None:
    (project / "content/mentees/bad.yaml").write_text("name: Bad\nskils: [x]\n")


def test_failed_build_leaves_previous_site_untouched(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "_site"
    build_site(project, out, workers=1)
    before = tree_digest(out)
    _break_content(project)
    with pytest.raises(ContentError):
        build_site(project, out, workers=1)
    assert tree_digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["_site", "mini"]


@pytest.mark.parametrize("exception", [KeyboardInterrupt, RuntimeError])
def test_interrupted_or_crashed_build_leaves_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exception: type[BaseException]
) -> None:
    out = tmp_path / "_site"
    build_site(MINI, out, workers=1)
    before = tree_digest(out)

    def explode(*args: object, **kwargs: object) -> None:
        raise exception()

    monkeypatch.setattr(build_module, "broken_links", explode)
    with pytest.raises(exception):
        build_site(MINI, out, workers=1)
    assert tree_digest(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["_site"]


def test_entry_edited_after_validation_is_never_published(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = project / "content/threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff.md"
    original = build_module.build_views
    # A remembered page of the validated text would be published instead (correctly): the
    # race is between validating and rendering, so render.
    shutil.rmtree(project / PAGE_CACHE, ignore_errors=True)

    def edit_then_build_views(*args: object, **kwargs: object) -> object:
        entry.write_text(entry.read_text() + "\nWrite to me at someone@example.org\n")
        return original(*args, **kwargs)

    monkeypatch.setattr(build_module, "build_views", edit_then_build_views)
    with pytest.raises(ContentError) as caught:
        build_site(project, tmp_path / "out", workers=1)
    assert [str(p) for p in caught.value.problems] == [
        "content/threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff.md: "
        "changed while the site was built (build again)"
    ]
    assert not (tmp_path / "out").exists()


def test_broken_internal_link_in_content_fails_the_build(project: Path, tmp_path: Path) -> None:
    community = project / "content/communities/platform.md"
    community.write_text(community.read_text() + "\nSee [the guide](/roadmaps/nope/).\n")
    with pytest.raises(ContentError) as caught:
        build_site(project, tmp_path / "out", workers=1)
    assert [str(p) for p in caught.value.problems] == [
        "content/communities/platform.md: link: broken internal link '/mini/roadmaps/nope/' "
        "on page /mini/communities/platform/ (point it at an existing page "
        "(e.g. /roadmaps/<slug>/) or remove it)"
    ]
    assert not (tmp_path / "out").exists()


def test_link_to_a_missing_anchor_fails_the_build(project: Path, tmp_path: Path) -> None:
    community = project / "content/communities/platform.md"
    community.write_text(
        community.read_text()
        + "\nStart at [monitoring](/roadmaps/sre/#step-monitoring), "
        + "not [here](/roadmaps/sre/#step-nope).\n"
    )
    with pytest.raises(ContentError) as caught:
        build_site(project, tmp_path / "out", workers=1)
    assert [str(p) for p in caught.value.problems] == [
        "content/communities/platform.md: link: link to a missing anchor "
        "'/mini/roadmaps/sre/#step-nope' on page /mini/communities/platform/ (point it at an "
        "existing page (e.g. /roadmaps/<slug>/) or remove it)"
    ]


def test_template_override_shadows_theme_and_errors_are_located(
    project: Path, tmp_path: Path
) -> None:
    templates = project / "overrides/templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Lost?</h1>{% endblock %}'
    )
    build_site(project, tmp_path / "out", workers=1)
    assert "<h1>Lost?</h1>" in (tmp_path / "out/404.html").read_text()
    (templates / "404.html").write_text("{{ no_such_variable }}\n")
    with pytest.raises(ContentError) as caught:
        build_site(project, tmp_path / "out2", workers=1)
    assert [str(p) for p in caught.value.problems] == [
        "overrides/templates/404.html:1: template: 'no_such_variable' is undefined "
        "(rendering /mini/404.html) (fix the template)"
    ]


def test_symlinked_theme_file_is_refused(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    static = project / "overrides/static"
    static.mkdir(parents=True)
    (static / "leak.txt").symlink_to(secret)
    with pytest.raises(ContentError) as caught:
        build_site(project, tmp_path / "out", workers=1)
    assert [str(p) for p in caught.value.problems] == [
        "overrides/static/leak.txt: symbolic links are not allowed (use a real file)"
    ]


def test_base_url_override_moves_every_link(tmp_path: Path) -> None:
    build_site(MINI, tmp_path / "out", base_url="http://127.0.0.1:8000/", workers=1)
    home = (tmp_path / "out/index.html").read_text()
    assert '<link rel="canonical" href="http://127.0.0.1:8000/">' in home
    assert 'href="/mentors/"' in home
    assert "/mini/" not in home


# ------------------------------------------------------------------ CLI contract


def test_cli_check_ok_text_and_json() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["check", str(MINI)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "All good: 1 mentor, 2 mentees, 2 threads, 4 entries, 1 roadmap, 1 community, "
        "4 badges, 4 awards, 1 revoked.\nNo pending awards.\n"
    )
    result = runner.invoke(main, ["check", str(MINI), "--format", "json"])
    document = json.loads(result.output)
    assert document["ok"] is True and document["counts"]["entries"] == 4


def test_cli_reports_every_problem_and_exits_1(project: Path) -> None:
    _break_content(project)
    (project / "content/mentors/ana-lukasiewicz.md").write_text(
        "---\nname: Ana\navailability: sometimes\n---\n"
    )
    result = CliRunner().invoke(main, ["check", str(project)])
    assert result.exit_code == 1
    assert result.output == (
        "content/mentees/bad.yaml:2: skils: unknown field (did you mean 'skills'?)\n"
        "content/mentors/ana-lukasiewicz.md:3: availability: 'sometimes' is not allowed "
        "(use one of: open, waitlist, closed)\n"
        "Error: 2 problems in 2 files; fix them and run menteo check again.\n"
    )
    result = CliRunner().invoke(main, ["build", str(project), "--format", "json"])
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    assert [(p["path"], p["line"], p["field"]) for p in problems] == [
        ("content/mentees/bad.yaml", 2, "skils"),
        ("content/mentors/ana-lukasiewicz.md", 3, "availability"),
    ]
    assert not (project / "_site").exists()


def test_cli_build_writes_site_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", str(MINI), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Built 36 pages (141 files) into {out} in ")
    # The session's keys have no key chain in the fixture: a development build, said so.
    assert result.stderr.startswith("Warning: keys/public.json: there is no key chain")
    assert (out / "index.html").is_file()


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(tmp_path / "missing")]).exit_code == 2
    assert runner.invoke(main, ["build", "--no-such-option"]).exit_code == 2
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    result = runner.invoke(main, ["build", str(MINI), "--out", str(precious)])
    assert result.exit_code == 2
    assert "is a non-empty folder that is not a menteo site" in result.output
    assert (precious / "thesis.tex").read_text() == "years of work"
    result = runner.invoke(main, ["build", str(MINI), "--base-url", "ftp://example.org/"])
    assert result.exit_code == 2
    assert "Invalid value for '--base-url': 'ftp://example.org/' is not an http(s) URL" in (
        result.output
    )
    result = runner.invoke(main, ["build", str(MINI), "--out", str(MINI)])
    assert result.exit_code == 2
    assert "would replace the community itself" in result.output
    result = runner.invoke(main, ["build", str(MINI), "--out", str(MINI / "content/site")])
    assert result.exit_code == 2
    assert "it is inside content/" in result.output
