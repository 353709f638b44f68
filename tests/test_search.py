"""Static search: the build runs Pagefind over the staged site, and only what is published (and
only the main content of pages worth finding) ends up in the index."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from menteo.build import build_site
from menteo.errors import ContentError
from menteo.site import search

MINI = Path(__file__).parent / "fixtures" / "mini"


def fragments(site: Path) -> dict[str, dict[str, object]]:
    """Every indexed page as Pagefind stores it (gzip, a `pagefind_dcd` signature, JSON), by URL,
    from every bundle."""
    pages = {}
    for path in sorted(site.glob("pagefind/**/fragment/*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        fragment = json.loads(data.removeprefix(b"pagefind_dcd"))
        pages[fragment["url"]] = fragment
    return pages


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search") / "_site"
    build_site(MINI, out, workers=1)
    return out


def test_build_writes_the_search_bundle_and_an_index(site: Path) -> None:
    bundle = site / "pagefind"
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json"):
        assert (bundle / name).is_file(), name
    assert list((bundle / "index").glob("*.pf_index"))
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == len(fragments(site))


def test_a_large_site_is_indexed_in_bundles_that_the_search_page_merges(
    site: Path, tmp_path: Path
) -> None:
    """Bundles of about `search_bundle_pages` pages bound Pagefind's memory; together they
    index exactly what one bundle would, each page once, and the first lists the others."""
    mini = shutil.copytree(MINI, tmp_path / "mini", ignore=shutil.ignore_patterns(".menteo"))
    config = mini / "menteo.yml"
    config.write_text(config.read_text() + "search_bundle_pages: 10\n")
    out = tmp_path / "_site"
    build_site(mini, out, workers=1)
    shards = json.loads((out / "pagefind" / "shards.json").read_text())
    single = fragments(site)
    assert shards == [f"shard-{n}/" for n in range(2, len(shards) + 2)]
    counts = [
        json.loads((out / "pagefind" / shard / "pagefind-entry.json").read_text())["languages"][
            "en"
        ]["page_count"]
        for shard in ["", *shards]
    ]
    assert len(counts) >= 2 and max(counts) < len(single) and sum(counts) == len(single)
    assert fragments(out).keys() == single.keys()
    assert json.loads((site / "pagefind" / "shards.json").read_text()) == []
    assert not list(tmp_path.glob(".search-*"))


def test_published_content_is_indexed_by_its_page(site: Path) -> None:
    pages = fragments(site)
    entry = pages["/threads/ana-lukasiewicz--jonas-berg/2025-03-04-kickoff/"]
    assert "We agreed on goals" in str(entry["content"])
    assert "/mentors/ana-lukasiewicz/" in pages
    assert "/mentees/jonas-berg/" in pages


def test_private_and_unlisted_content_is_not_indexed(site: Path) -> None:
    pages = fragments(site)
    everything = json.dumps(pages)
    for secret in ("Quietname", "quiet-one", "Private planning", "Nothing here may be published"):
        assert secret not in everything
    # The ledger, the 404 page and the search page itself are left out of results.
    assert not {"/ledger/", "/404.html", "/404", "/search/"} & set(pages)
    # Only <main> is indexed: the navigation and footer are not part of any page's text.
    assert not any("Skip to content" in str(p["content"]) for p in pages.values())
    # Credential download lists on award pages are noise.
    awards = [p for url, p in pages.items() if url.startswith("/awards/")]
    assert awards and not any("Download the credential" in str(p["content"]) for p in awards)


def test_search_page_works_without_javascript_and_loads_only_local_files(site: Path) -> None:
    html = (site / "search/index.html").read_text()
    assert '<script src="/mini/static/search.js" defer></script>' in html  # it loads the UI
    assert 'data-bundle="/mini/pagefind/"' in html
    assert '<link rel="stylesheet" href="/mini/pagefind/pagefind-ui.css">' in html
    assert "needs JavaScript" in html
    for link in ("/mini/mentors/", "/mini/badges/", "/mini/roadmaps/"):
        assert f'href="{link}"' in html
    assert 'data-base="/mini/"' in html
    home = (site / "index.html").read_text()
    assert '<a href="/mini/search/">Search</a>' in home
    assert "data-pagefind-body" in (site / "mentors/ana-lukasiewicz/index.html").read_text()


def test_failing_indexer_fails_the_build_and_keeps_the_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "_site"
    build_site(MINI, out, workers=1)
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    with pytest.raises(RuntimeError, match="Pagefind failed") as caught:
        build_site(MINI, out, workers=1)
    assert not isinstance(caught.value, ContentError)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before


def test_failing_indexer_is_one_clear_error_line_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from menteo.cli import main

    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    result = CliRunner().invoke(main, ["build", str(MINI), "--out", str(tmp_path / "site")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: Pagefind failed to index the site (exit 1)")
    assert result.output.rstrip().endswith("; nothing was written")
    assert not (tmp_path / "site").exists()


def test_a_theme_that_marks_no_page_is_indexed_whole(tmp_path: Path) -> None:
    site = tmp_path / "_site"
    pages = {"index.html": "Welcome home", "about/index.html": "About the circle"}
    pages |= {f"notes/{n}/index.html": f"Note {n}" for n in range(6)}
    for name, text in pages.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(f"<html><body><main>{text}</main></body></html>")
    written = search.index_site(site, [], shard_pages=1)
    assert "pagefind/shard-2/pagefind.js" in written
    urls = sorted("/" + name.removesuffix("index.html") for name in pages)
    assert sorted(fragments(site)) == urls
