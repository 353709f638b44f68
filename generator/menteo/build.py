"""The pipeline, end to end: load → evaluate → ledger → issue → render → write."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from menteo.cache_eviction import evict_page_cache
from menteo.content.community import CommunityData
from menteo.content.loader import CONFIG_FILE, LoadMemo
from menteo.content.parse_store import PARSE_CACHE, load_remembered
from menteo.content.publication import Urls
from menteo.content.schema import published_schemas
from menteo.credentials.cache import (
    CACHE_PATHS,
    SEARCH_CACHE,
    BakedCache,
    DocumentCache,
    ImageCache,
    SignatureCache,
)
from menteo.credentials.checkpoint import (
    CHECKPOINT_JSON,
    extends_published,
    of_lines,
    signed_document,
)
from menteo.credentials.issue import Issued, issue_credentials
from menteo.credentials.key_chain import publishable_keys, read_key_chain
from menteo.credentials.keys import KeysError, PublicKeys, SigningKeys, load_keys
from menteo.credentials.leaks import PrivateMaterial, leak_problem, private_material
from menteo.errors import ContentError, Problem
from menteo.heap import release_memory
from menteo.i18n import catalog_language, shipped_languages, translated, translations
from menteo.ledger.review import Review, review
from menteo.ledger.store import read_ledger
from menteo.ledger.transparency import LEDGER_JSON
from menteo.private_state import PrivateStateError, check_private_paths
from menteo.program.figures import program_figures
from menteo.progress import Progress
from menteo.recognition.memo_store import EVALUATION_CACHE, read_memo, write_memo
from menteo.recognition.wording import ENGLISH, Wording
from menteo.site.awards import RecognitionViews, build_recognition
from menteo.site.dashboard import dashboard_view
from menteo.site.links import broken_links, links_outside
from menteo.site.page_cache import PAGE_CACHE, PageCache
from menteo.site.pages import plan_pages
from menteo.site.previous_site import SiteWriter, site_output
from menteo.site.render import (
    Links,
    RenderSettings,
    linked_theme_files,
    render_pages,
    static_files,
)
from menteo.site.search import PEAK, SEARCH_DIR, index_site
from menteo.site.share import ShareCards, share_cards
from menteo.site.theme_folders import theme_dirs
from menteo.site.views import SiteViews, build_views
from menteo.workers import thread_pool


@dataclass(frozen=True)
class BuildResult:
    pages: int
    files: int
    warnings: tuple[Problem, ...] = ()


def site_globals(community: CommunityData, urls: Urls, search: bool = True) -> dict[str, object]:
    """What every template sees; `search` says whether the search index is built."""
    config = community.config
    return {
        "site": {
            "name": config.name,
            "description": config.description,
            "language": config.language,
            "issuer": config.issuer.model_dump(),  # plain data: templates see no models
            "base_path": urls.base_path,
            "base_url": config.base_url,
            "search": search,
        },
        "urls": urls,
    }


def render_settings(
    community: CommunityData,
    urls: Urls,
    dirs: list[Path],
    out: Path,
    private: PrivateMaterial | None = None,
    search: bool = True,
) -> RenderSettings:
    config = community.config
    return RenderSettings(
        dirs,
        config.language,
        site_globals(community, urls, search),
        out,
        urls.base_path,
        community.root,
        private,
    )


def criteria_words(language: str) -> Wording:
    """Badge criteria in the site's language; English (the review's own words) without a
    catalog, so the evaluation is not run twice for nothing."""
    return Wording(translations(language), language) if translated(language) else ENGLISH


def language_warnings(language: str) -> list[Problem]:
    """The site's language has no catalog: say so, and that pages fall back to English."""
    if catalog_language(language) is not None:
        return []
    return [
        Problem(
            CONFIG_FILE,
            0,
            "language",
            f"menteo has no {language!r} translation of its theme; pages are shown in English",
            "use one of " + ", ".join(shipped_languages()) + ", or contribute a catalog to menteo",
        )
    ]


@contextmanager
def batch_gc() -> Iterator[None]:
    """Collect garbage rarely while building: a build allocates millions of objects that all live
    until it ends, and the default thresholds rescan them thousands of times (a quarter of the
    load time on a 10,000-entry community). Objects frozen during the build (the loaded
    community) are released for collection at its end: `menteo serve` builds again and again."""
    previous = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*previous)


def build_site(
    root: Path,
    out: Path,
    base_url: str | None = None,
    workers: int | None = None,
    strict: bool = False,
    environ: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    search: bool = True,
) -> BuildResult:
    """Build the site for the community at `root` into `out`, all or nothing. `strict` refuses
    to sign with anything but configured keys (deploy workflows); `progress` hears each stage;
    `search=False` leaves the search index out (previews, pull-request checks)."""
    progress = progress if progress is not None else Progress()
    try:
        with batch_gc():
            return _build(
                root,
                out,
                base_url,
                workers,
                strict,
                os.environ if environ is None else environ,
                progress,
                search,
            )
    finally:
        progress.close()


def _signing_keys(
    root: Path, environ: Mapping[str, str], strict: bool, out: Path
) -> tuple[SigningKeys, PublicKeys, list[Problem]]:
    """The keys, the public keys to publish (a verified key chain's), and a loud warning for a
    development build. Private state in `.menteo/` is checked first, keys from the
    environment or not: the caches live there too."""
    try:
        check_private_paths(root, [*CACHE_PATHS, PAGE_CACHE, PARSE_CACHE, EVALUATION_CACHE])
        keys = load_keys(root, environ, strict, out)
    except (KeysError, PrivateStateError) as exc:
        raise ContentError([Problem("keys", 0, "", str(exc))]) from None
    published, warnings = publishable_keys(read_key_chain(root), keys, strict)
    return keys, published, warnings


@dataclass(frozen=True)
class SitePlan:
    """Everything a site is made of, before anything is written: `build_site` writes it all at
    once, `menteo serve` writes only what changed since its last plan."""

    community: CommunityData
    urls: Urls
    dirs: list[Path]
    reviewed: Review
    keys: SigningKeys
    issued: Issued
    recognition: RecognitionViews
    views: SiteViews
    warnings: tuple[Problem, ...]


def plan_site(
    root: Path,
    out: Path,
    base_url: str | None,
    strict: bool,
    environ: Mapping[str, str],
    progress: Progress,
    memo: LoadMemo | None = None,
) -> SitePlan:
    """Load, evaluate, review the ledger, issue and build the views of the community at `root`
    for a site at `out` (`memo`: see `LoadMemo`; kept in the community's parse store)."""
    progress.stage("Loading content")
    community = load_remembered(root, base_url, memo if memo is not None else LoadMemo())
    gc.freeze()  # the community lives until the build ends: collections need not scan it
    urls = Urls(community.config.base_url)
    dirs = theme_dirs(community.root, community.config.theme)
    if not any((d / "templates").is_dir() for d in dirs):
        theme = community.config.theme
        raise ContentError(
            [
                Problem(
                    CONFIG_FILE,
                    0,
                    "theme",
                    f"theme {theme!r} not found",
                    f"add themes/{theme}/templates/ or use theme: default",
                )
            ]
        )
    linked = linked_theme_files(dirs, community.root)
    if linked:
        raise ContentError(linked)
    entries = sum(len(t.entries) for t in community.threads.values())
    progress.stage("Evaluating badges over entries", entries)
    judged = read_memo(community.root)
    reviewed = review(community, read_ledger(community.root), judged)
    write_memo(community.root, judged)
    replaced = extends_published(out, reviewed.ledger.lines)
    if replaced:
        raise ContentError(replaced)
    keys, published, key_warnings = _signing_keys(community.root, environ, strict, out)
    images = ImageCache.for_community(community.root)
    progress.stage("Issuing credentials", len(reviewed.ledger.awards))
    issued = issue_credentials(
        community,
        reviewed.ledger,
        urls,
        keys,
        published,
        SignatureCache.for_community(community.root),
        images,
        DocumentCache.for_community(community.root),
    )
    progress.stage("Building views")
    language = community.config.language
    catalog = translations(language)
    recognition = build_recognition(
        community, reviewed, urls, issued.awards, criteria_words(language)
    )
    figures = program_figures(community, reviewed.ledger)
    dashboard = dashboard_view(figures, language, catalog)
    views = build_views(community, urls, recognition, dashboard, catalog.gettext, figures)
    warnings = (*language_warnings(language), *key_warnings, *reviewed.warnings)
    return SitePlan(community, urls, dirs, reviewed, keys, issued, recognition, views, warnings)


def generated_files(
    plan: SitePlan,
    cards: ShareCards,
    private: PrivateMaterial,
    unchanged: Callable[[str], bool] | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Site path and bytes of every file the pipeline makes besides pages, static files and
    avatars, in path order, each made as it is taken (the baked credential images, most of the
    bytes, are never all held at once: `IssuedFiles`), but for a baked image `unchanged` says
    the site already holds (see `write_generated`); after the last, a `ContentError` if any
    holds private key material (those are not given)."""
    issued, keys, config = plan.issued, plan.keys, plan.community.config
    made = {
        **cards.files(),
        **published_schemas(config.base_url),
        LEDGER_JSON: plan.recognition.ledger_json.encode("utf-8"),
        CHECKPOINT_JSON: signed_document(
            of_lines(
                plan.reviewed.ledger.lines,
                issued.issuer.did,
                f"{issued.issuer.did}#{keys.ed25519_multikey}",
            ),
            keys.ed25519,
        ),
    }
    leaked = []
    for target in sorted(made.keys() | issued.files.keys()):
        if unchanged is not None and target not in made and unchanged(target):
            continue
        data = made[target] if target in made else issued.files[target]
        if private.leaked_in(data):
            leaked.append(leak_problem(target))
        else:
            yield target, data
    if leaked:
        raise ContentError(leaked)


@dataclass(frozen=True)
class WrittenSite:
    """What the stages after writing (search index, link check, cache eviction) need of a
    written site: nothing that holds the community, its views or its pages, so those are freed
    before Pagefind runs (the build's memory peak)."""

    links: Links
    searchable: list[str]
    pages: int
    build_key: bytes
    indexing: tuple[Future[list[str]], SiteWriter] | None
    """Pagefind's run over the pages, started once they were written, and the writer it puts
    the search bundle in (`SiteWriter.branch`); None without search."""


def _write_site(
    plan: SitePlan,
    site: SiteWriter,
    workers: int | None,
    progress: Progress,
    search: bool,
    background: ThreadPoolExecutor,
) -> WrittenSite:
    """Render every page and write every file of the site `plan` makes into `site`; the search
    index is started in `background` as soon as the pages are written."""
    community, urls, dirs, views, keys = plan.community, plan.urls, plan.dirs, plan.views, plan.keys
    issued = plan.issued
    images = ImageCache.for_community(community.root)
    config = community.config
    language = config.language
    catalog = translations(language)
    with share_cards(
        views, config.name, config.description, issued.badge_svgs, images, workers
    ) as cards:
        staging = site.folder
        pages = cards.attach(plan_pages(views, config.feed_size, catalog.gettext))
        progress.stage("Rendering pages", len(pages))
        private = private_material(keys)
        settings = render_settings(community, urls, dirs, staging, private, search)
        cache = PageCache.for_build(
            community.root, dirs, language, settings.globals, private.identity()
        )
        cache.fingerprint.adopt(views.inputs)
        rendered = render_pages(settings, pages, workers, progress.advance, cache, site)
        site.adopt(rendered.digests)  # the pages render workers wrote
        indexing = None
        if search and not rendered.problems:  # a site of failed pages is not worth indexing
            # Pagefind reads only the pages, all written now: it runs while the rest is written
            # and checked (`_build` joins it).
            indexed = site.branch()
            running = background.submit(
                index_site,
                staging,
                rendered.searchable,
                config.search_bundle_pages,
                community.root / SEARCH_CACHE,
                indexed,
            )
            indexing = running, indexed
        progress.stage("Writing files")
        for path, static in static_files(dirs):
            site.put_bytes(path, static.read_bytes())
        for target, source in sorted(views.avatars.items()):
            site.put_bytes(target, (community.root / source).read_bytes())
        write_generated(plan, cards, private, site)
    if rendered.problems:
        raise ContentError(rendered.problems)
    return WrittenSite(rendered.links, rendered.searchable, len(pages), cache.build_key, indexing)


def write_generated(
    plan: SitePlan, cards: ShareCards, private: PrivateMaterial, site: SiteWriter
) -> None:
    """Write `generated_files` into `site`; a baked image whose stamp the `BakedCache`
    remembers under its key is neither baked nor checked again when the previous site holds
    that very file (`SiteWriter.keep`), and every image baked is remembered."""
    issued = plan.issued.files
    baked = BakedCache.for_build(plan.community.root, private.identity())

    def unchanged(target: str) -> bool:
        key = issued.baked_key(target)
        stamp = None if key is None else baked.get(key)
        return stamp is not None and site.keep(target, stamp[0])

    for target, data in generated_files(plan, cards, private, unchanged):
        site.put_bytes(target, data)
        key = issued.baked_key(target)
        if key is not None:
            baked.put(key, site.files[target])
    baked.save()


def _build(
    root: Path,
    out: Path,
    base_url: str | None,
    workers: int | None,
    strict: bool,
    environ: Mapping[str, str],
    progress: Progress,
    search: bool,
) -> BuildResult:
    plan = plan_site(root, out, base_url, strict, environ, progress)
    root, warnings, base_path = plan.community.root, plan.warnings, plan.urls.base_path
    # Leaving the pool (a failed build) waits for Pagefind, so it never reads a site being
    # removed; its failure fails the build before the site is put in place.
    with site_output(out) as site, thread_pool(1) as background:
        staging = site.folder
        with PEAK:  # Pagefind's runs parse their pages meanwhile, but peak only after this
            written = _write_site(plan, site, workers, progress, search, background)
            del plan  # with it the community, views and pages: freed before Pagefind's peak
            if written.indexing is not None:  # else nothing is left to peak: 0.1 s for nothing
                release_memory()
        links, search_links = links_outside(written.links, SEARCH_DIR, base_path)
        progress.stage("Checking links", len(links))
        problems = broken_links(links, list(site.files), staging, base_path)
        if written.indexing is not None:
            progress.stage("Building the search index", len(written.searchable))
            running, indexed = written.indexing
            running.result()
            site.adopt(indexed.files)
        problems += broken_links(search_links, list(site.files), staging, base_path)
        if problems:
            raise ContentError(problems)
        files = len(site.files)
    evict_page_cache(root, written.build_key)  # the site is in place: old keys go
    return BuildResult(pages=written.pages, files=files, warnings=warnings)
