"""`menteo serve`: a resident preview that rewrites only the pages a change touches.

Only requests addressed to the server itself are answered (by the `Host` header): a web page
whose name an attacker points at 127.0.0.1 (DNS rebinding) would otherwise read the preview.

The preview is built into `.menteo/preview/` (git-ignored), never into `_site/`, with the local
address as its base URL. The process stays resident: `watchfiles` reports which files were
saved, the loader re-parses only those (`LoadMemo`), the whole plan (evaluation, ledger, views)
is made again (see the report of issue 14 for its cost), and a page is rendered and written only
when its page-cache key (`menteo.site.page_cache`, the build's one dependency record) differs from
the one already in the preview. Changed pages are rendered into a scratch folder, checked the way
a build checks them (page problems, links), and only then moved into the preview, so a failed
rebuild keeps the last good site on screen and shows the problems over it, the way a contributor
fixes them: one save at a time. Browsers hear of each rebuild over server-sent events.

An edit of entries alone is shown before all that (`Preview.show_first`): the edited files are
checked as a build checks an entry (`reload_entries`: the file, its thread's references, names
without consent), and their thread's page, their own pages and the pages of the thread's people
whose award state changed (their badges judged again for them alone) are made from the last
plan's views with the entries put in, checked like every page, moved in and announced. The full
re-plan follows (every other page that shows the entries) and leaves exactly what it would have
left anyway, or the last good site if it fails. It runs on its own thread: a save while it runs
is shown at once the same way (against the last good plan, with every entry saved since), and
abandons it between two stages (`Abandoned`); a fresh re-plan then covers every change. Until
the first build is good, every request gets a page that reloads when it is: the server listens
at once. The first build shows its pages before it draws the share cards (`_draw_cards`: the
slowest part of a never-built demo's first build, and a card is only read when a link is
posted), and the fork server of the render workers starts with the server (`start_workers`), so
that it imports while the first build plans.

Search is left out of the preview: indexing 10,000 pages takes seconds, and a preview is for
reading what a change looks like. The search page says the index is missing; `menteo build`
makes it. The reload script is added to pages as they are served, so nothing of it ever reaches
a real build.
"""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import json
import multiprocessing
import multiprocessing.forkserver
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import watchfiles

from menteo.build import (
    SitePlan,
    batch_gc,
    criteria_words,
    generated_files,
    plan_site,
    render_settings,
)
from menteo.content.community import CommunityData, ThreadRecord
from menteo.content.consent_text import NameMatcher
from menteo.content.loader import LoadMemo, reload_entries
from menteo.content.models import Audience
from menteo.content.publication import Publication
from menteo.credentials.cache import ImageCache
from menteo.credentials.images import DrawingError
from menteo.credentials.leaks import PrivateMaterial, leak_problem, private_material
from menteo.errors import ContentError, Problem
from menteo.i18n import plural, translations
from menteo.progress import Progress
from menteo.recognition.evaluate import evaluate
from menteo.site.awards import progress_of
from menteo.site.links import broken_links, target_file
from menteo.site.page_cache import PageCache
from menteo.site.pages import Page, plan_pages, thread_pages
from menteo.site.render import (
    Links,
    RenderSettings,
    copy_static,
    make_environment,
    page_links,
    render_pages,
)
from menteo.site.search import SEARCH_DIR
from menteo.site.share import ShareCards, share_cards
from menteo.site.templating import TemplateSandbox
from menteo.site.views import PersonView, ThreadView, shared_outcomes, summary_of, thread_view

PREVIEW_DIR = Path(".menteo") / "preview"
SCRATCH_DIR = Path(".menteo") / "preview-next"
"""Where changed files are made and checked before they replace the preview's."""
FIRST_DIR = Path(".menteo") / "preview-first"
"""The same for the pages an entry edit shows first: a folder of a few files, quick to empty."""
STATUS_PATH = "/__menteo/status"
EVENTS_PATH = "/__menteo/events"
KEEP_ALIVE_SECONDS = 15.0
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD = frozenset({"", "0.0.0.0", "::"})
SKIPPED = {"_site", "__pycache__", "node_modules"}
"""Besides hidden files and folders (.git, .menteo, a build's staging folder), which the loader
never reads either."""
ENTRY_FILE = re.compile(r"content/threads/[^/]+/[^/]+\.md")
"""A change to such files alone may be shown before the full rebuild (see `Preview.show_first`)."""

_RELOAD_SCRIPT = """<script>
(() => {
  let seen = VERSION;
  const show = (problems) => {
    let box = document.getElementById("menteo-problems");
    if (!problems.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "menteo-problems";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:50vh;overflow:auto;" +
        "margin:0;padding:1rem;background:#5c0011;color:#fff;font:14px/1.4 monospace;z-index:9999";
      document.body.append(box);
    }
    box.textContent = "menteo: the last change did not build; showing the last good site.\\n\\n" +
      problems.join("\\n");
  };
  new EventSource("EVENTS_PATH").onmessage = (event) => {
    const status = JSON.parse(event.data);
    if (status.version !== seen) { location.reload(); return; }
    show(status.problems);
  };
})();
</script>
""".replace("EVENTS_PATH", EVENTS_PATH)
"""Added to pages as they are served, with the version they were served at (`VERSION`): a
page that missed a rebuild while its event stream was connecting reloads all the same."""
CHECK_EVERY = 500
"""Pages whose cache key a re-plan computes between two looks at `Preview.abandon`."""
_RENDERING = threading.Lock()
"""Held while pages are rendered: a serial rendering keeps its settings in a global of the
render module, so `show_first` and a re-plan must not render at the same time."""
_BUILDING_PAGE = """<!doctype html><html lang=en><meta charset=utf-8><title>menteo preview</title>
<body><p>Building the preview… this page reloads when it is ready.</p></body></html>
"""


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=20).digest()


@dataclass
class _Shown:
    """What the preview folder holds, as the last good rebuild left it."""

    pages: dict[str, str | None] = field(default_factory=dict)
    """Page file → its page-cache key (None: uncacheable, rendered on every rebuild)."""
    links: dict[str, list[str]] = field(default_factory=dict)
    """Page file → the internal links on it, in order."""
    texts: dict[str, bytes] = field(default_factory=dict)
    """Page file → the digest of its text (a page whose key changed may read the same)."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Every other file (static, avatars, credentials, cards) → the digest of its bytes."""


@dataclass(frozen=True)
class _Planned:
    """The last good rebuild's plan, from which the next entry edit's pages are made first."""

    plan: SitePlan
    pages: dict[str, Page]
    """URL → page, as planned (with its share card)."""
    settings: RenderSettings
    """Rendering into the scratch folder."""
    cache: PageCache
    env: TemplateSandbox
    """The templates, compiled once for every rendering under the same build key."""
    names: NameMatcher
    """The people whose names an entry may not show without consent (`reload_entries`)."""


@dataclass(frozen=True)
class _Change:
    """A checked rebuild, not yet in the preview: the files to move in, and the new record."""

    shown: _Shown
    moved: list[str]
    """Files in the scratch folder, changed pages first."""
    written: dict[str, bytes]
    """Other files whose bytes changed."""
    planned: _Planned
    cards: ShareCards | None = None
    """The first build's share cards, drawn once its pages are shown (`_draw_cards`)."""
    private: PrivateMaterial | None = None
    """What no card may contain."""


@dataclass(frozen=True)
class _First:
    """Pages an entry edit put into the preview before the full rebuild, and what to put back
    if that rebuild fails: the record and each page's earlier bytes (None: it had none)."""

    shown: _Shown
    earlier: dict[str, bytes | None]


class Abandoned(Exception):
    """A re-plan stopped because a newer save made its work stale."""


class _Watched(Progress):
    """The re-plan's stages: none begins once `abandon` is set (the cooperative cancel)."""

    def __init__(self, abandon: threading.Event) -> None:
        self.abandon = abandon

    def stage(self, label: str, total: int | None = None) -> None:
        self.check()

    def check(self) -> None:
        """Also between parts of a long stage."""
        if self.abandon.is_set():
            raise Abandoned()


def _problems(exc: ContentError | OSError, out: Path) -> tuple[Problem, ...]:
    """What a failed re-plan tells the browser (a full disk or an unreadable file too)."""
    if isinstance(exc, ContentError):
        return tuple(exc.problems)
    return (Problem(str(exc.filename or out), 0, "", exc.strerror or str(exc)),)


def _ignored(root: str) -> Callable[[watchfiles.Change, str], bool]:
    """The `watchfiles` filter: every file a build could read."""
    prefix = os.path.join(root, "")

    def wanted(change: watchfiles.Change, path: str) -> bool:
        parts = path.removeprefix(prefix).split(os.sep)
        return not any(part in SKIPPED or part.startswith(".") for part in parts)

    return wanted


class Preview:
    """The resident build, and the state browsers hear of: a version and the problems."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.out = self.root / PREVIEW_DIR
        self.scratch = self.root / SCRATCH_DIR
        self.first = self.root / FIRST_DIR
        self.base_url = ""
        """Set once the server knows its port."""
        self.version = 0
        self.problems: tuple[Problem, ...] = ()
        self.changed = threading.Condition()
        """Notified after every rebuild, good or not (the event stream waits on it)."""
        self.generation = 0
        """Rebuilds so far, failed ones included."""
        self.memo = LoadMemo()
        self.shown: _Shown | None = None
        """None until the first good rebuild (which replaces any earlier session's preview)."""
        self.planned: _Planned | None = None
        """The last good rebuild's plan (kept while the next is made: edits are shown with it)."""
        self.lock = threading.Lock()
        """Held while the preview folder and the records of it change, and by `notice`."""
        self.wake = threading.Condition(self.lock)
        """Notified when a save asks for a re-plan (`requested`)."""
        self.requested = False
        self.unplanned: set[str] = set()
        """Files saved since the last good re-plan began: what the next one must cover, and the
        entries `show_first` puts into the last good plan."""
        self.abandon = threading.Event()
        """Set by a save: the re-plan under way stops at its next stage (`Abandoned`)."""
        self.shown_first: _First | None = None
        """What `show_first` replaced since the last good re-plan (put back if the next fails)."""
        self.warmed: TemplateSandbox | None = None
        """The environment whose templates are all compiled (`_compile_templates`)."""
        self.last_written = 0
        """Files the last good rebuild wrote or removed."""
        self.first_seconds: float | None = None
        """How long the last rebuild took to show its edited entries (None: it did not)."""
        self.closed = threading.Event()
        """Set when the server stops: event streams end."""

    def close(self) -> None:
        self.closed.set()
        with self.changed:
            self.changed.notify_all()

    def rebuild(self, changed: Collection[str] = ()) -> bool:
        """Bring the preview up to date with the files (`changed`: the ones saved since the last
        rebuild, relative to the root: their pages are shown first). False, with the problems
        kept for the browser, if the community does not build. A re-plan abandoned for a newer
        save (see `notice`) starts again at once, covering it."""
        if changed:
            self.notice(changed)
        while (done := self._replan()) is None:
            pass
        return done

    def notice(self, changed: Collection[str]) -> None:
        """Files were saved: abandon the re-plan under way (its work is stale), show edited
        entries first (`show_first`) and ask for a re-plan covering every change."""
        with self.lock:
            self.unplanned |= set(changed)
            if self.planned is not None:  # else the first build goes on: it is mostly caching
                self.abandon.set()
            self.first_seconds = None
            self.show_first(set(self.unplanned))
            self.requested = True
            self.wake.notify_all()

    def _replan(self) -> bool | None:
        """Plan the whole site again and move what changed into the preview; None if a save
        abandoned it (the preview and its records are then as they were)."""
        with self.lock:
            self.abandon.clear()
            self.requested = False
            taken = set(self.unplanned)
        with ExitStack() as drawing:  # the share cards' workers, if they draw many
            try:
                with batch_gc():
                    change = self._prepare(taken, drawing)
                with self.lock:
                    if self.abandon.is_set():
                        return None
                    self._apply(change)
                    self.unplanned -= taken
                    first, self.shown_first = self.shown_first, None
            except Abandoned:
                return None
            except (ContentError, OSError) as exc:
                with self.lock:
                    if self.abandon.is_set():  # a newer save may have mended it: plan that first
                        return None
                    first, self.shown_first = self.shown_first, None
                    self._undo(first)
                    self._announce(_problems(exc, self.out), reload=first is not None)
                return False
            self._announce((), reload=first is None or self.last_written > 0)
            return change.cards is None or self._draw_cards(change.cards, change.private)

    def _draw_cards(self, cards: ShareCards, private: PrivateMaterial | None) -> bool:
        """Draw the first build's share cards and put them in, after its pages are shown: a
        page's card is only read when a link to it is posted, and drawing them all takes longer
        than the rest of a demo's first build. False, with the problems shown over the site,
        if one cannot be drawn or would publish private key material."""
        try:
            drawn = cards.files()
            leaked = [leak_problem(t) for t, d in drawn.items() if private and private.leaked_in(d)]
            if leaked:
                raise ContentError(leaked)
        except (ContentError, OSError, DrawingError) as exc:
            problems = (
                (Problem("share", 0, "", str(exc)),)
                if isinstance(exc, DrawingError)
                else _problems(exc, self.out)
            )
            self._announce(problems, reload=False)
            return False
        with self.lock:
            assert self.shown is not None
            for target, data in sorted(drawn.items()):
                (self.out / target).parent.mkdir(parents=True, exist_ok=True)
                (self.out / target).write_bytes(data)
                self.shown.files[target] = _digest(data)
        return True

    def _compile_templates(self) -> None:
        """Compile every template of the last plan's environment once, after a re-plan is
        shown, so that an edit shown first does not wait for it (a third of a second at its
        first render); a save that arrives meanwhile stops it. A template that does not compile
        is reported when a page renders it."""
        planned = self.planned
        if planned is None or planned.env is self.warmed:
            return
        for name in planned.env.list_templates():
            if self.requested:
                return
            with suppress(Exception):
                planned.env.get_template(name)
        self.warmed = planned.env

    def _announce(self, problems: tuple[Problem, ...], reload: bool) -> None:
        """Tell browsers the problems, and to reload if the preview's files changed."""
        with self.changed:
            self.problems = problems
            self.version += reload
            self.generation += 1
            self.changed.notify_all()

    def show_first(self, changed: set[str]) -> None:
        """When only entries changed since the last good re-plan began (`changed`: all of them,
        also those an abandoned re-plan did not finish) and they load without a problem (see
        `reload_entries`), their thread's page and their own pages, made from the last plan's
        views with the entries as they are now and checked as a rebuild checks pages, are moved
        into the preview and announced before anything else is planned. Any other change, or
        any problem, shows nothing first: the full re-plan shows or reports it. The full
        re-plan then replaces those pages with its own if they differ, or puts the earlier ones
        back if it fails (`_undo`, with what `shown_first` kept). Called with `lock` held."""
        planned, shown = self.planned, self.shown
        if planned is None or shown is None or self.problems or not changed:
            return None
        if not all(ENTRY_FILE.fullmatch(path) for path in changed):
            return None
        started = time.perf_counter()
        try:
            community = reload_entries(planned.plan.community, changed, self.memo, planned.names)
        except ContentError:
            return
        pages = _first_pages(planned, community, changed)
        shutil.rmtree(self.first, ignore_errors=True)
        self.first.mkdir(parents=True)
        settings = dataclasses.replace(planned.settings, out=self.first, page_cache=None)
        with _RENDERING:  # not kept in the page cache: the re-plan may be using it
            rendered = render_pages(settings, pages, 1, env=planned.env)
        base_path = planned.plan.urls.base_path
        paths = [page.output_path(base_path) for page in pages]
        if not pages or rendered.problems:
            return
        written = [*shown.pages, *shown.files]
        try:
            self._check_links(rendered.links, written, set(paths), base_path, self.first)
        except ContentError:
            return
        first = self.shown_first or _First(shown, {})
        keys, links, texts = dict(shown.pages), dict(shown.links), dict(shown.texts)
        self.shown = shown = _Shown(keys, links, texts, shown.files)
        moved = False
        for page, path in zip(pages, paths, strict=True):
            data = (self.first / path).read_bytes()
            if shown.texts.get(path) == (digest := _digest(data)):
                continue
            target = self.out / path
            if path not in first.earlier:
                first.earlier[path] = target.read_bytes() if target.is_file() else None
            os.replace(self.first / path, target)
            shown.pages[path] = planned.cache.key(page.template, page.head, page.context)
            shown.texts[path] = digest
            shown.links[path] = page_links(data.decode("utf-8"), base_path)
            moved = True
        if not moved:
            return
        self.shown_first = first
        self.first_seconds = time.perf_counter() - started
        self._announce((), reload=True)

    def _undo(self, first: _First | None) -> None:
        """Put back the pages `show_first` replaced: the rebuild that was to vouch for them
        failed, and the preview shows the last good site."""
        if first is None:
            return
        for path, data in first.earlier.items():
            if data is None:
                (self.out / path).unlink(missing_ok=True)
            else:
                (self.out / path).write_bytes(data)
        self.shown = first.shown

    def _prepare(self, changed: set[str], drawing: ExitStack) -> _Change:
        """Plan the whole site, render the pages whose key changed into the scratch folder and
        check them; nothing in the preview is touched. `Abandoned` between stages once a save
        asks for it (`abandon`). The first build leaves its share cards to be drawn once its
        pages are shown (`_Change.cards`), by workers `drawing` keeps until then."""
        watched = _Watched(self.abandon)
        plan = plan_site(self.root, self.out, self.base_url, False, os.environ, watched, self.memo)
        watched.stage("Rendering pages")
        community, urls, config = plan.community, plan.urls, plan.community.config
        catalog = translations(config.language)
        shown = self.shown or _Shown()
        if self.shown is None:  # files left in it later are harmless: only fresh ones are read
            shutil.rmtree(self.scratch, ignore_errors=True)  # (a second a rebuild, at 10,000
        self.scratch.mkdir(parents=True, exist_ok=True)  # entries: a folder per page)
        images = ImageCache.for_community(community.root)
        cards = drawing.enter_context(
            share_cards(plan.views, config.name, config.description, plan.issued.badge_svgs, images)
        )
        later = cards if self.shown is None else None
        pages = cards.attach(plan_pages(plan.views, config.feed_size, catalog.gettext))
        watched.check()
        private = private_material(plan.keys)
        settings = render_settings(community, urls, plan.dirs, self.scratch, private, search=False)
        cache = PageCache.for_build(
            community.root, plan.dirs, config.language, settings.globals, private.identity()
        )
        cache.fingerprint.adopt(plan.views.inputs)
        last = self.planned
        if last is not None and last.cache.build_key == cache.build_key:
            env = last.env
        else:
            env = make_environment(plan.dirs, urls.base_path, config.language, settings.globals)
        keys: dict[str, str | None] = {}
        for n, p in enumerate(pages):
            if n % CHECK_EVERY == 0:
                watched.check()
            keys[p.output_path(urls.base_path)] = cache.key(p.template, p.head, p.context)
        stale = [
            p
            for p in pages
            if keys[path := p.output_path(urls.base_path)] is None
            or shown.pages.get(path, "") != keys[path]
        ]
        stale.sort(key=lambda page: page.source not in changed)
        watched.stage("Rendering pages")
        with _RENDERING:
            rendered = render_pages(settings, stale, None, None, cache, env=env)
        watched.stage("Writing files")
        if rendered.problems:
            raise ContentError(rendered.problems)
        watched.check()
        files = {
            f.relative_to(self.scratch).as_posix(): f.read_bytes()
            for f in copy_static(plan.dirs, self.scratch)
        }
        for target, source in plan.views.avatars.items():
            files[target] = (community.root / source).read_bytes()
        if later is not None:
            cards = dataclasses.replace(cards, files=dict)  # the pages come first
        files.update(generated_files(plan, cards, private))
        links, texts, moved = dict(shown.links), dict(shown.texts), []
        for path in (p.output_path(urls.base_path) for p in stale):
            data = (self.scratch / path).read_bytes()
            if texts.get(path) == (digest := _digest(data)):
                continue
            moved.append(path)
            texts[path] = digest
            links[path] = page_links(data.decode("utf-8"), urls.base_path)
        new = _Shown(
            keys,
            {path: links[path] for path in keys},
            {path: texts[path] for path in keys},
            {t: _digest(d) for t, d in files.items()},
        )
        if later is not None:  # drawn once the pages are shown, then recorded (`_draw_cards`)
            new.files.update(dict.fromkeys(later.paths, b""))
        found: Links = {}
        for page in pages:
            for link in new.links[page.output_path(urls.base_path)]:
                found.setdefault(link, (page.url, page.source))
        written = [*new.pages, *new.files]
        watched.stage("Checking links")
        self._check_links(found, written, set(moved), urls.base_path, self.scratch)
        changed_files = {t: d for t, d in files.items() if shown.files.get(t) != new.files[t]}
        names = NameMatcher.of(community.mentors, community.mentees)
        planned = _Planned(plan, {p.url: p for p in pages}, settings, cache, env, names)
        return _Change(new, moved, changed_files, planned, later, private)

    def _check_links(
        self, found: Links, written: list[str], moved: set[str], base_path: str, scratch: Path
    ) -> None:
        """The build's link check: each internal link `found` (a link found on several pages is
        blamed on the first in the plan) must land on a `written` file; an #anchor is looked for
        in the page as it will be shown (in `scratch` if it is to be `moved` from there)."""
        search = f"{base_path}{SEARCH_DIR}/"  # the preview has no index (see above)
        found = {k: v for k, v in found.items() if not k.startswith(search)}
        fresh = {
            k: v for k, v in found.items() if target_file(k.partition("#")[0], base_path) in moved
        }
        kept = {k: v for k, v in found.items() if k not in fresh}
        problems = broken_links(kept, written, self.out, base_path)
        problems += broken_links(fresh, written, scratch, base_path)
        if problems:
            raise ContentError(problems)

    def _apply(self, change: _Change) -> None:
        """Move the checked files into the preview; remove those the site no longer has."""
        if self.shown is None:
            shutil.rmtree(self.out, ignore_errors=True)
        for path in change.moved:
            (self.out / path).parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.scratch / path, self.out / path)
        for target, data in change.written.items():
            (self.out / target).parent.mkdir(parents=True, exist_ok=True)
            (self.out / target).write_bytes(data)
        old = self.shown or _Shown()
        gone = [
            p
            for p in (*old.pages, *old.files)
            if p not in change.shown.pages and p not in change.shown.files
        ]
        for path in gone:
            (self.out / path).unlink(missing_ok=True)
        self.shown = change.shown
        self.planned = change.planned
        self.last_written = len(change.moved) + len(change.written) + len(gone)

    def status(self) -> dict[str, object]:
        with self.changed:
            return {"version": self.version, "problems": [str(p) for p in self.problems]}

    def events(self) -> Iterator[dict[str, object] | None]:
        """The status now and after every rebuild; None when nothing happened for a while (a
        keep-alive, which also finds out that the browser has gone)."""
        seen = -1
        while not self.closed.is_set():
            with self.changed:
                if self.generation == seen:
                    self.changed.wait(KEEP_ALIVE_SECONDS)
                if self.generation == seen:
                    status = None
                else:
                    seen = self.generation
                    status = {"version": self.version, "problems": [str(p) for p in self.problems]}
            yield status

    def watch(
        self,
        stop: threading.Event,
        report: Callable[[str], None],
        first: Callable[[], None] | None = None,
    ) -> None:
        """Notice each change once the files have stopped changing for a moment, while another
        thread re-plans (`_replan_when_asked`). `first` (the first build) starts once the files
        are watched: a file saved while it runs is rebuilt after it, not missed."""
        root = str(self.root)
        planner = threading.Thread(
            target=self._replan_when_asked, args=(stop, report, first), daemon=True
        )
        try:
            for changes in watchfiles.watch(
                root,
                watch_filter=_ignored(root),
                stop_event=stop,
                debounce=400,
                step=30,
                rust_timeout=100,
                yield_on_timeout=True,  # an empty set: the watcher is ready (see `first`)
            ):
                if planner.ident is None:
                    planner.start()
                if changes:
                    self.notice({os.path.relpath(p, root).replace(os.sep, "/") for _, p in changes})
        finally:
            stop.set()
            with self.wake:
                self.wake.notify_all()
            if planner.ident is not None:
                planner.join()

    def _replan_when_asked(
        self,
        stop: threading.Event,
        report: Callable[[str], None],
        first: Callable[[], None] | None,
    ) -> None:
        """Run `first`, then a re-plan whenever a save asks for one, until `stop`."""
        if first is not None:
            first()
        while True:
            self._compile_templates()
            with self.wake:
                self.wake.wait_for(lambda: self.requested or stop.is_set())
            if stop.is_set():
                return
            started = time.perf_counter()
            if self.rebuild():
                seconds = time.perf_counter() - started
                quick = self.first_seconds
                shown = "" if quick is None else f"; the edited pages showed after {quick:.2f} s"
                report(f"Rebuilt in {seconds:.2f} s ({self.last_written} files written{shown}).")
            else:
                count = len(self.problems)
                noun = plural(count, "problem", "problems")
                report(f"Build failed ({count} {noun}); serving the last good site:")
                for problem in self.problems:
                    report(f"  {problem}")


def _first_pages(planned: _Planned, community: CommunityData, changed: set[str]) -> list[Page]:
    """The pages of the threads of the `changed` entries of `community`, those entries' own
    pages, and the pages of those threads' people whose award state (or shared outcomes) the
    entries changed (`_person_pages`), as `planned` (the last plan) has them but with the
    entries as they are now; none for a thread whose published entries are not the same (a
    page new or gone: the full rebuild makes that change)."""
    plan = planned.plan
    gettext = translations(community.config.language).gettext
    publication = Publication(community)
    pages: list[Page] = []
    views: dict[str, ThreadView] = {}
    slugs = sorted({path.split("/")[2] for path in changed})
    for slug in slugs:
        thread = community.threads[slug]
        if not publication.thread_published(thread):
            continue
        view = thread_view(community, plan.urls, plan.recognition, gettext, thread)
        before = planned.pages.get(view.url)
        if before is None:
            return []
        urls = [e.url for e in view.entries if e.url]
        if urls != [e.url for e in before.context["thread"].entries if e.url]:
            return []
        views[view.url] = view
        edited = {view.url} | {
            f"{view.url}{path.rpartition('/')[2].removesuffix('.md')}/"
            for path in changed
            if path.split("/")[2] == slug
        }
        pages += [
            dataclasses.replace(page, image=planned.pages[page.url].image)
            for page in thread_pages(view, summary_of(view), plan.views.sources)
            if page.url in edited
        ]
    return pages + _person_pages(planned, community, slugs, views)


def _person_pages(
    planned: _Planned, community: CommunityData, slugs: list[str], views: dict[str, ThreadView]
) -> list[Page]:
    """The pages of the people of the threads `slugs` whose view differs with the entries as
    they are in `community` (`views`: those threads' new views, by URL): their badges judged
    again, for them alone (`evaluate(only=...)`), and their shared outcomes. An entry edit
    changes nothing else a person's page shows (`_first_pages` refuses a change of the
    published entries)."""
    plan = planned.plan
    people = sorted(
        {(role, person) for slug in slugs for role, person in _people(community.threads[slug])}
    )
    words = criteria_words(community.config.language)
    evaluation = evaluate(community, words, {(Audience(role), slug) for role, slug in people})
    progress = progress_of(community, plan.reviewed, plan.urls, evaluation, people, words)
    pages = []
    for role, slug in people:
        before = planned.pages.get(plan.urls.page(f"{role}s", slug))
        if before is None:  # not published
            continue
        old: PersonView = before.context["person"]
        threads = [views.get(t.url) or planned.pages[t.url].context["thread"] for t in old.threads]
        person = community.mentors[slug] if role == "mentor" else community.mentees[slug]
        outcomes = shared_outcomes(person, threads)
        view = dataclasses.replace(old, progress=progress[(role, slug)], outcomes=outcomes)
        if view != old:
            pages.append(dataclasses.replace(before, context={**before.context, "person": view}))
    return pages


def _people(thread: ThreadRecord) -> Iterator[tuple[str, str]]:
    """(role, slug) of everyone in a thread."""
    yield from (("mentor", slug) for slug in thread.model.mentor_slugs)
    yield from (("mentee", slug) for slug in thread.model.mentee_slugs)


def start_workers() -> None:
    """Start the fork server that page-rendering workers come from (`menteo.workers`), with the
    render module it preloads, now: it imports that while the first build loads and plans (it
    is another process), rather than after, when a first build of a few hundred pages waits
    for it (0.4 s of the demo's first preview)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        multiprocessing.get_context("forkserver").set_forkserver_preload([render_pages.__module__])
        multiprocessing.forkserver.ensure_running()


def addressed_to(host_header: str | None, bound: str, port: int) -> bool:
    """Whether a request's `Host` names this server: its own address and port; any loopback
    name when it listens on loopback; any IP address (never a DNS name, which an attacker can
    point anywhere) when it listens on every interface."""
    if host_header is None:
        return False
    try:
        parts = urlsplit(f"//{host_header}")
        name, given = (parts.hostname or ""), parts.port
    except ValueError:
        return False
    if given != port:
        return False
    bound = bound.strip("[]").casefold()
    if name == bound or (bound in LOOPBACK and name in LOOPBACK):
        return True
    if bound not in WILDCARD:
        return False
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return name == "localhost"
    return True


class _Handler(SimpleHTTPRequestHandler):
    preview: Preview
    bound: tuple[str, int]
    """The address the server listens on, for `addressed_to`."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def parse_request(self) -> bool:
        """Every method (GET, HEAD, the status poll) passes here first."""
        if not super().parse_request():
            return False
        if addressed_to(self.headers.get("Host"), *self.bound):
            return True
        self.send_error(HTTPStatus.MISDIRECTED_REQUEST, "this server answers only to its address")
        return False

    def do_GET(self) -> None:
        if self.path == STATUS_PATH:
            self._send(200, "application/json", json.dumps(self.preview.status()).encode())
            return
        if self.path == EVENTS_PATH:
            self._stream()
            return
        version = self.preview.version  # before the page is read: see _RELOAD_SCRIPT
        if self.preview.shown is None:  # nothing built yet; an earlier session's files wait
            self._send(503, "text/html; charset=utf-8", _with_script(_BUILDING_PAGE, version))
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir() or self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if path.suffix == ".html":
            if not path.is_file():
                path = self.preview.out / "404.html"
                status = 404
            else:
                status = 200
            page = path.read_text(encoding="utf-8") if path.is_file() else _empty_page()
            self._send(status, "text/html; charset=utf-8", _with_script(page, version))
            return
        super().do_GET()

    def _stream(self) -> None:
        """Server-sent events: the status after every rebuild, until the browser leaves."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            for status in self.preview.events():
                message = (
                    ": keep-alive\n\n" if status is None else f"data: {json.dumps(status)}\n\n"
                )
                self.wfile.write(message.encode("utf-8"))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        with suppress(BrokenPipeError, ConnectionResetError):  # the browser left (a reload)
            self.wfile.write(body)


def _with_script(page: str, version: int) -> bytes:
    script = _RELOAD_SCRIPT.replace("VERSION", str(version))
    return page.replace("</body>", script + "</body>", 1).encode("utf-8")


def _empty_page() -> str:
    return "<!doctype html><html lang=en><title>menteo preview</title><body></body></html>"


def make_server(preview: Preview, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(_Handler):
        """A class per server, so the attributes below belong to this server alone."""

    Handler.preview = preview
    server = ThreadingHTTPServer((host, port), partial(Handler, directory=str(preview.out)))
    Handler.bound = (host, server.server_address[1])
    return server
