"""Render the page plan into a directory with Jinja2, on every core, and collect internal links.

Templates come from the project's `overrides/`, then `themes/<theme>/` in the project, then the
theme shipped with menteo: a project overrides one file at a time. Every one runs in a sandbox
(`menteo.site.templating`). Autoescaping is on and undefined variables are errors, so a template
mistake fails the build instead of printing blanks.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import shutil
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from menteo.content.community import Body
from menteo.content.visible_text import shows_email
from menteo.credentials.leaks import PrivateMaterial, leak_problem
from menteo.errors import ContentError, Problem
from menteo.escaping import xml_invalid
from menteo.i18n import Formats, NullTranslations, translations
from menteo.site.markdown import render_markdown
from menteo.site.page_cache import PageCache, Remembered, StaleEntry
from menteo.site.page_index import IndexEntry
from menteo.site.page_store import PackWriter
from menteo.site.pages import Page
from menteo.site.previous_site import SiteWriter, Stamp
from menteo.site.search import SEARCH_MARKER
from menteo.site.theme_folders import PACKAGE_THEMES
from menteo.workers import cores, process_pool

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.nodes import EvalContext

    from menteo.site.templating import TemplateSandbox

_LINK_RE = re.compile(r'(?:href|src)="([^"#?]*)(?:\?[^"#]*)?(#[^"]*)?"')
CHUNKS_PER_WORKER = 16
SERIAL_BELOW = 300
"""Below this many pages (and unless told otherwise), starting workers costs more than it saves."""


def linked_theme_files(dirs: list[Path], root: Path) -> list[Problem]:
    """Symbolic links in the project's theme folders: a template or static file must not bring
    anything from outside the repository into the site."""
    problems = []
    for directory in dirs:
        if directory.is_relative_to(PACKAGE_THEMES):
            continue
        for path in [directory, *sorted(directory.rglob("*"))]:
            if path.is_symlink():
                rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
                problems.append(
                    Problem(rel, 0, "", "symbolic links are not allowed", "use a real file")
                )
    return problems


def make_environment(
    dirs: list[Path], base_path: str, language: str, shared: Mapping[str, object] | None = None
) -> TemplateSandbox:
    """The theme's sandboxed environment (see `menteo.site.templating`), speaking `language`
    (see `menteo.i18n`). `shared`, what every page sees (`site`, `urls`), become globals too: a
    template imported without context (the theme's `frame.html`) then runs once, not per page."""
    from menteo.site.templating import template_environment  # Jinja: only a build that renders

    env = template_environment(dirs)
    env.globals.update(shared or {})

    def markdown(source: str | Body | None) -> Markup:
        text = source.text() if isinstance(source, Body) else source or ""
        return Markup(render_markdown(text, base_path))

    env.filters["markdown"] = markdown
    env.globals["entry_items"] = _entry_items(env)
    catalog = translations(language)
    env.globals.update(_gettext_functions(catalog))
    # `_()` marks its result safe (a msgid may hold markup); text stored as data (a neutral
    # "a mentee" label, a download's name) goes through this filter instead, and is escaped.
    env.filters["translated"] = catalog.gettext
    formats = Formats(language)
    # Pages show the same few thousand dates tens of thousands of times; Babel takes 4 µs each.
    env.filters["format_date"] = functools.cache(formats.date)
    env.filters["format_number"] = formats.number
    env.filters["format_percent"] = formats.percent
    env.filters["language_name"] = formats.language_name
    return env


LIST_MACROS = "macros.html"
"""The template whose `entry_item` macro `entry_items` renders."""


def _entry_items(env: TemplateSandbox) -> Callable[..., Markup]:
    """`entry_items(entries, with_thread=...)`: what `{% for e in entries %}{{ entry_item(e,
    with_thread=...) }}{% endfor %}` shows, each item rendered once per environment (one language,
    one URL prefix) and reused: an entry is listed on its thread's page, on each of its tags'
    pages, its author's page and the home page (75,000 macro calls at 10,000 entries).

    The macro is the active theme's (`macros.html` as an override or theme has it), run in the
    sandbox like any macro, from the template imported without context: it sees its arguments and
    the site's globals, never a page. So an item is keyed by exactly what it is made of: the entry's
    whole view (its links, labels and consent-dependent names are in it, by value, so a `serve`
    rebuild with an edited entry does not find the old one) and the argument; it is remembered
    until the loaded `macros.html` is another (never, in one environment)."""
    from jinja2 import TemplateRuntimeError  # Jinja: only a build that renders
    from jinja2.runtime import Macro

    done: dict[tuple[type, object, bool | None], Markup] = {}
    made_by: list[Template] = []

    def entry_items(entries: Iterable[object], with_thread: object = None) -> Markup:
        template = env.get_template(LIST_MACROS)
        if not made_by or made_by[0] is not template:
            done.clear()
            made_by[:] = [template]
        macro = getattr(template.module, "entry_item", None)
        if not isinstance(macro, Macro):
            raise TemplateRuntimeError(f"{LIST_MACROS} defines no macro entry_item")
        option = None if with_thread is None else bool(with_thread)
        items = []
        for entry in entries:
            key = (type(entry), entry, option)
            item = done.get(key)
            if item is None:
                shown = macro(entry) if option is None else macro(entry, with_thread=option)
                item = done[key] = escape(shown)
            items.append(item)
        return Markup("".join(items))

    return entry_items


def _gettext_functions(catalog: NullTranslations) -> dict[str, Callable[..., str]]:
    """`_`, `gettext` and `ngettext` with the meaning of Jinja's "newstyle" gettext (the result
    is markup where autoescaping is on, and always a %-format string), but a tenth of its cost:
    Jinja's own go through three context calls per string, 10 µs, and a page shows a hundred.
    A message without variables is looked up and formatted once per build."""
    from jinja2 import pass_eval_context  # Jinja: only a build that renders

    done: dict[tuple[str, bool], str] = {}

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, message: str, /, **variables: object) -> str:
        if not variables:
            key = (message, eval_ctx.autoescape)
            if key not in done:
                text = catalog.gettext(message)
                done[key] = (Markup(text) if eval_ctx.autoescape else text) % {}
            return done[key]
        text = catalog.gettext(message)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    @pass_eval_context
    def ngettext(
        eval_ctx: EvalContext, singular: str, plural: str, n: int, /, **variables: object
    ) -> str:
        text = catalog.ngettext(singular, plural, n)
        return (Markup(text) if eval_ctx.autoescape else text) % {"num": n, **variables}

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


@dataclass(frozen=True)
class RenderSettings:
    """What every page worker needs besides its pages; sent to each worker once."""

    dirs: list[Path]
    language: str
    globals: dict[str, Any]
    out: Path
    base_path: str
    root: Path
    private: PrivateMaterial | None = None
    """The signing keys' private material: a page that holds any is not written."""
    page_cache: Path | None = None
    """The folder of packs rendered pages are remembered in (`menteo.site.page_store`, set by
    `render_pages` from its page cache); None: nowhere."""


@dataclass(frozen=True)
class _Renderer:
    settings: RenderSettings
    env: TemplateSandbox
    site: SiteWriter
    """Writes the pages rendered here into `settings.out`."""


_RENDERER: _Renderer | None = None


def _start_renderer(settings: RenderSettings, env: TemplateSandbox | None = None) -> None:
    global _RENDERER
    _RENDERER = _Renderer(
        settings,
        env
        or make_environment(settings.dirs, settings.base_path, settings.language, settings.globals),
        SiteWriter(settings.out),
    )


Links = dict[str, tuple[str, str | None]]


@dataclass
class Rendered:
    links: Links = field(default_factory=dict)
    """Every internal link → the page it is on and that page's content file."""
    problems: list[Problem] = field(default_factory=list)
    searchable: list[str] = field(default_factory=list)
    """The files written (relative to the site) whose main content the search index takes."""
    digests: dict[str, Stamp] = field(default_factory=dict)
    """Each page written (relative to the site) → its SHA-256 and size (the site's manifest)."""
    stored: dict[str, IndexEntry] = field(default_factory=dict)
    """Each page rendered and remembered (by URL) → what the page cache's index keeps of it."""

    def add(self, other: Rendered) -> None:
        self.problems += other.problems
        self.searchable += other.searchable
        self.digests.update(other.digests)
        self.stored.update(other.stored)
        for link, where in other.links.items():
            self.links.setdefault(link, where)


def template_problem(exc: Exception, page: Page, root: Path) -> Problem:
    """Locate a template error: Jinja puts template files and lines into the traceback. Any
    exception a template raises is one (`{{ 1 // 0 }}`, a refused call, a runaway macro): a
    template is a file in a pull request, never a reason for a traceback."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError  # only on a failure

    name = getattr(exc, "filename", None) or page.template
    line = getattr(exc, "lineno", 0) or 0
    if not isinstance(exc, TemplateSyntaxError):
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.endswith(".py")
        ]
        if frames:
            name, line = frames[-1].filename, frames[-1].lineno or 0
    if isinstance(exc, TemplateNotFound):
        text = f"template {exc.name!r} not found"
    elif isinstance(exc, TemplateError):
        text = exc.message or ""
    else:
        text = f"{type(exc).__name__}: {exc}"
    message = f"{text or exc} (rendering {page.url})"
    return Problem(_shown_path(name, root), line, "template", message, "fix the template")


def _shown_path(name: str, root: Path) -> str:
    """A template's file as a problem names it: relative to the project, if it is in it."""
    path = Path(name)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else name


def _character_problem(template: str, char: str, output: str, carrier: str, root: Path) -> Problem:
    """Content is refused such characters when it is read; a template can still write one
    (`{{ "\\ud800" }}`), that the output's `carrier` (XML 1.0, UTF-8) cannot carry."""
    message = f"{output} would contain U+{ord(char):04X}, which {carrier} cannot carry"
    hint = "remove the character from the template"
    return Problem(_shown_path(template, root), 0, "template", message, hint)


_EMAIL = "remove it; link to a profile or contact page instead"
_MARKER = SEARCH_MARKER.encode("utf-8")


def _render_chunk(pages: list[tuple[Page, str | None]]) -> Rendered:
    """Render and write `pages` (with their cache keys); say what they link to, which are
    searchable, and any problems. A page written without a problem is remembered by its key,
    with what its checks found."""
    assert _RENDERER is not None
    settings, env, site = _RENDERER.settings, _RENDERER.env, _RENDERER.site
    packs = PackWriter(settings.page_cache)
    rendered = Rendered()
    for page, key in pages:
        try:
            template = env.get_template(page.template)
            text = template.render(**settings.globals, page=page.head, **page.context)
        except ContentError as exc:
            rendered.problems += exc.problems
            continue
        except Exception as exc:  # whatever a template raises is its problem
            rendered.problems.append(template_problem(exc, page, settings.root))
            continue
        where = template.filename or page.template
        checked = _checked(page, text, where, settings, rendered, site)
        if checked is not None and key:
            packs.add(
                page.url, key, checked.data, checked.digest, checked.searchable, checked.links
            )
    packs.flush()
    rendered.stored = packs.stored
    return rendered


def _checked(
    page: Page,
    text: str,
    template: str,
    settings: RenderSettings,
    into: Rendered,
    site: SiteWriter,
) -> Remembered | None:
    """Check one freshly rendered page's text and write it with `site`, into `into`; what its
    checks found, or None if it has a problem (then it is not remembered)."""
    problems = into.problems
    output = page.output_path(settings.base_path)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate
        char = text[exc.start]
        problems.append(_character_problem(template, char, output, "UTF-8", settings.root))
        return None
    if shows_email(data):
        where = f"the page {page.url} (from its content file or a template)"
        problems.append(
            Problem(page.source or page.url, 0, "", f"{where} shows an email address", _EMAIL)
        )
        return None
    clean = True
    if output.endswith(".xml") and (index := xml_invalid(text)) is not None:
        char = text[index]
        problems.append(_character_problem(template, char, output, "XML 1.0", settings.root))
        clean = False
    if settings.private is not None and settings.private.leaked_in_utf8(data):
        problems.append(leak_problem(output))
        return None
    # Interned: the same few thousand links are on every page, and each page's list is kept
    # until the build ends (the index, the link check); sent from a worker, each once a chunk.
    links = dict.fromkeys(map(sys.intern, page_links(text, settings.base_path)))
    digest = hashlib.sha256(data).hexdigest()
    checked = Remembered(data, tuple(links), _MARKER in data, digest)
    _emit(page, checked, settings, into, site)
    return checked if clean else None


def _emit(
    page: Page, checked: Remembered, settings: RenderSettings, into: Rendered, site: SiteWriter
) -> None:
    """Put one checked page (freshly rendered, or remembered with its checks' findings) into the
    site with `site`, which reads its text only if the page is not already there unchanged
    (`checked.data`: StaleEntry if it is gone, before anything is recorded in `into`)."""
    output = page.output_path(settings.base_path)
    site.put(output, checked.digest, lambda: checked.data)
    into.digests[output] = site.files[output]
    if checked.searchable:
        into.searchable.append(output)
    links = into.links
    new = set(checked.links).difference(links)  # in C: most links are on every page
    if new:
        where = (page.url, page.source)
        links.update((link, where) for link in checked.links if link in new)


def page_links(text: str, base_path: str) -> list[str]:
    """The internal links (path and #anchor, without query) on a page, in order."""
    return [
        path + fragment for path, fragment in _LINK_RE.findall(text) if path.startswith(base_path)
    ]


def _chunks(
    pages: list[tuple[Page, str | None]], count: int
) -> list[list[tuple[Page, str | None]]]:
    """About `count` runs of consecutive pages of about equal weight (a tag page listing 2,000
    entries is not one page of work: sent with many others, it would make one worker hold most
    of the site's views at once)."""
    target = max(1, sum(p.weight for p, _ in pages) // count)
    chunks: list[list[tuple[Page, str | None]]] = [[]]
    weight = 0
    for item in pages:
        if weight + item[0].weight > target and chunks[-1]:
            chunks.append([])
            weight = 0
        chunks[-1].append(item)
        weight += item[0].weight
    return chunks


def render_pages(
    settings: RenderSettings,
    pages: list[Page],
    workers: int | None = None,
    advance: Callable[[int], None] | None = None,
    cache: PageCache | None = None,
    site: SiteWriter | None = None,
    env: TemplateSandbox | None = None,
) -> Rendered:
    """Render all pages into `settings.out`; return every internal link found and where, the
    searchable pages, and any problems (template errors, entries changed since they were
    validated). `advance` hears how many pages each finished chunk held (progress). Pages that
    `cache` remembers (see `menteo.site.page_cache`) are put in the site from it, not rendered,
    with `site` (`menteo.site.previous_site`: left alone or linked where they are unchanged).
    `env` (`make_environment` of the settings, templates unchanged since it compiled them) is
    used when rendering serially: `menteo serve` keeps one, not compiling every template again."""
    site = site if site is not None else SiteWriter(settings.out)
    settings = dataclasses.replace(settings, page_cache=cache.pack_folder if cache else None)
    remembered = Rendered()
    misses: list[tuple[Page, str | None]] = []
    for page, key, known in cache.lookup(pages) if cache else ((p, None, None) for p in pages):
        if known is not None:
            try:
                _emit(page, known, settings, remembered, site)
                continue
            except StaleEntry:  # its text is gone or changed: render it again
                pass
        misses.append((page, key))
    if advance is not None and len(misses) < len(pages):
        advance(len(pages) - len(misses))
    fresh = _render(settings, misses, workers, advance, env)
    if cache is not None:
        cache.save(fresh.stored)
    if not misses:
        return remembered
    if len(misses) == len(pages):
        return fresh
    return _merged(remembered, fresh, pages)


def _merged(first: Rendered, second: Rendered, pages: list[Page]) -> Rendered:
    """Two renderings of disjoint parts of `pages` as one rendering of all would say it: a link
    found on several pages is placed on the first of them in the plan."""
    order = {page.url: index for index, page in enumerate(pages)}
    merged = Rendered(dict(first.links), first.problems + second.problems)
    merged.searchable = first.searchable + second.searchable
    merged.digests = {**first.digests, **second.digests}
    merged.stored = {**first.stored, **second.stored}
    for link, where in second.links.items():
        known = merged.links.get(link)
        if known is None or order[where[0]] < order[known[0]]:
            merged.links[link] = where
    return merged


def _render(
    settings: RenderSettings,
    pages: list[tuple[Page, str | None]],
    workers: int | None,
    advance: Callable[[int], None] | None,
    env: TemplateSandbox | None = None,
) -> Rendered:
    """Render `pages` here (with `env`, if given: `menteo serve` keeps one), and on `workers - 1`
    more processes if there are several."""
    global _RENDERER
    if not pages:
        return Rendered()
    if workers is None:
        workers = 1 if len(pages) < SERIAL_BELOW else cores()
    _start_renderer(settings, env)
    try:
        if workers == 1:
            return _render_chunk(pages)
        return _render_shared(settings, pages, workers, advance)
    finally:
        _RENDERER = None


def _render_shared(
    settings: RenderSettings,
    pages: list[tuple[Page, str | None]],
    workers: int,
    advance: Callable[[int], None] | None,
) -> Rendered:
    """Render `pages` in chunks, taken from the front by `workers - 1` worker processes and
    from the back by this one: this process would otherwise only wait, and the chunks it
    renders are never pickled (a worker fewer to start, half the pages to send).

    Workers come from a fork server started before any content was loaded, and receive their
    pages pickled: forked from this process instead, each would copy, page by page as it
    touched reference counts, most of the community held here (measured: 270 MB per worker on
    a 50,000-entry community). Contiguous chunks, handed out as workers free up, keep heavy
    pages (tags, long threads) spread out. Results are merged in plan order, whoever made them."""
    chunks = _chunks(pages, workers * CHUNKS_PER_WORKER)
    results: list[Rendered | None] = [None] * len(chunks)
    first, last = 0, len(chunks)  # chunks[first:last] are not taken yet
    queued = 2 * (workers - 1)
    """Chunks waiting for each worker, so that none is idle while this process renders one."""
    with process_pool(workers - 1, _start_renderer, (settings,), preload=[__name__]) as pool:
        sent: dict[Future[Rendered], int] = {}
        while first < last or sent:
            while first < last and len(sent) < queued:
                sent[pool.submit(_render_chunk, chunks[first])] = first
                first += 1
            if first < last:
                last -= 1
                results[last] = _render_chunk(chunks[last])
                done = [future for future in sent if future.done()]
                if advance is not None:
                    advance(len(chunks[last]))
            else:
                done = list(wait(sent, return_when=FIRST_COMPLETED).done)
            for future in done:
                number = sent.pop(future)
                results[number] = future.result()
                if advance is not None:
                    advance(len(chunks[number]))
    merged = Rendered()
    for rendered in results:
        assert rendered is not None
        merged.add(rendered)
    return merged


def static_files(dirs: list[Path]) -> Iterator[tuple[str, Path]]:
    """The theme's static files: each one's path in the site and its source (earlier folders
    shadow later ones)."""
    seen: set[str] = set()
    for directory in dirs:
        static = directory / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            rel = path.relative_to(static).as_posix()
            if path.is_symlink() or not path.is_file() or rel in seen:
                continue
            seen.add(rel)
            yield f"static/{rel}", path


def copy_static(dirs: list[Path], out: Path) -> Iterator[Path]:
    """Copy theme static files into `out`; yield each written file."""
    for rel, path in static_files(dirs):
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        yield target
