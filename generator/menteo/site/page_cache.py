"""Rendered pages remembered between builds, so a rebuild after a one-line edit renders one page.

Design (issue 14):

- Key. A page's key is a digest WE compute over everything its rendering can read: menteo's own
  code and packaged theme and catalogs, the versions of the libraries that shape HTML (Jinja2,
  MarkupSafe, markdown-it-py and its plugins, nh3, Babel), every template file of every theme
  folder in use (the project's `overrides/` and `themes/<name>/` included, byte for byte), the
  language, the site globals (config, base URL), the page's template name, head and context.
  The context is digested structurally (`Fingerprint`): plain data by type and value, view
  models by class and fields (each object once per build), an entry's Markdown by the digest of
  its validated text. A value of any other type makes the page uncacheable: it is rendered,
  never guessed. Keys depend on nothing of the process (no `hash`, no object identity in what
  is digested), so every build computes the same ones. Nothing from the
  repository names a cache entry: a file's name is our digest, so a changed input can only miss.
- Dependency record. The key IS the dependency record: a page must be rendered again exactly
  when its key has no entry (`PageCache.lookup` gives each page of a plan with its remembered
  text, if any). `menteo serve` calls the same build, or `lookup` on a reloaded plan.
- Store. Texts in packs (`menteo.site.page_store`: one file per render chunk, sealed tables,
  each text under its SHA-256) under the community's private `.menteo/cache/pages/` (refused by
  the build when git tracks it or a symlink leads to it, as every cache there), with the
  results of each page's checks (its internal links, whether search takes it). A damaged,
  truncated or foreign pack is a miss; packs are written atomically (temporary file, then
  rename), so a killed build leaves no half pack.
- Index (`menteo.site.page_index`): what a rebuild needs of each page without its text (digest,
  size, links, searchable, where its text is), by URL with its key, so that `lookup` reads no
  text for a page the index knows under its current key; the text is read when it has to be
  written, and believed only if its SHA-256 is the index's (`StaleEntry` otherwise: the page is
  rendered). A page the index does not know is looked up in the packs' tables, and recorded by
  `save`.
- Checks travel with the text. A page's text was checked when it was stored (email addresses,
  XML characters, leaked key material; only a page without a problem is stored), and those
  checks read nothing but the text, its output path (from the head, in the key) and, for key
  material, the signing keys. So the build key holds that one input beyond the page's own key:
  a digest of the leak check's needles (`PrivateMaterial.identity`): a page stored under
  other keys is a miss, and is rendered and checked again. The needles rather than the public
  keys: a public RSA key does not pin every private spelling the check looks for (any valid
  private exponent serves), the needles are exactly what the check reads. The digest is
  one-way over 256-bit secrets and only ever feeds another digest (the page key).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import marshal
import time
from collections.abc import Callable, Iterator
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any

from markupsafe import Markup

from menteo import code_identity
from menteo.content.community import Body
from menteo.site.page_index import IndexEntry, PageIndex
from menteo.site.page_store import PACKS_FOLDER, Packs
from menteo.site.pages import Page

PAGE_CACHE = Path(".menteo/cache/pages")
INDEX_FOLDER = "index"
"""Under `PAGE_CACHE`, beside the packs' folder: `menteo.site.page_index`."""
FORMAT = b"menteo-page-cache 5\n"
_LIBRARIES = ("jinja2", "markupsafe", "markdown-it-pyrs", "nh3", "babel")


class StaleEntry(LookupError):
    """A remembered page whose text is gone, or is not the text its index entry describes: the
    page must be rendered again (never written from what the cache holds now)."""


class Remembered:
    """A page's text (UTF-8) and what its checks found in it. A page known from the index
    (`menteo.site.page_index`) reads its text only when `data` is first asked for."""

    __slots__ = ("_data", "_read", "digest", "links", "searchable", "size")

    def __init__(
        self,
        data: bytes | None,
        links: tuple[str, ...],
        searchable: bool,
        digest: str,
        size: int | None = None,
        read: Callable[[], bytes | None] | None = None,
    ) -> None:
        self._data = data
        self._read = read
        self.links = links
        """The internal links on it (path and fragment), each once, in order of appearance."""
        self.searchable = searchable
        """Whether the search index takes it (it carries the search marker)."""
        self.digest = digest
        """The SHA-256 of `data`, hex: the site's manifest lists it (`site.previous_site`)."""
        self.size = len(data) if data is not None else size or 0
        """The length of `data`, in bytes."""

    @property
    def data(self) -> bytes:
        """The text; StaleEntry if it has to be read and its entry is missing, damaged or holds
        another text than the index said."""
        if self._data is None:
            self._data = self._read() if self._read is not None else None
            if self._data is None:
                raise StaleEntry(self.digest)
        return self._data


class Uncacheable(TypeError):
    """A context value the fingerprint cannot vouch for: the page is rendered every time."""


class Fingerprint:
    """Structural digests of page contexts. View models are shared by many pages (an entry is on
    its thread's, its author's and each of its tags' pages), so each object is digested once per
    build; the objects are kept alive meanwhile, so an id is never reused for another.

    How a value is written: text, numbers, booleans and None, and tuples, lists and dicts of
    them, exactly as they are (the exact type of each is checked first, in C); any other value
    we vouch for is replaced by a tagged byte string (a view model by the digest of its class and
    fields, an entry's Markdown by the digest of its text, a date by its ISO form); the result
    goes through `marshal` (version 0: no sharing of equal objects, which would depend on this
    process's history), which frames every value with its type and length. Bytes in the result
    are always such replacements: a bytes value of a context is replaced too."""

    def __init__(self) -> None:
        self._objects: dict[int, bytes | tuple[Any, ...]] = {}
        self._kept: list[object] = []

    def digest(self, *values: object) -> bytes:
        return _hash(marshal.dumps(self.plain(values), 0))

    def page(self, build_key: bytes, template: str, head: object, context: dict[str, Any]) -> bytes:
        """A page's digest: what `digest(build_key, template, head, context)` covers, written
        without its per-page overhead (a cached page costs this and a dict lookup). The head is
        made for this one page, so it is written in place (its layout and fields), not digested
        and kept; each context value is written as its digest when it is an object met before
        (a view adopted or digested for another page), else as `plain` writes it."""
        names = self.plain(tuple(context))
        values = context.values()
        written = list(map(self._objects.get, map(id, values)))
        if None in written:  # plain values, and views no page has shown yet
            pairs = zip(written, values, strict=True)
            written = [self.plain(v) if w is None else w for w, v in pairs]
        page = (b"page", build_key, template, self._in_place(head), names, written)
        return _hash(marshal.dumps(page, 0))

    def _in_place(self, value: object) -> Any:
        """A value made for one page (its head), written as `plain` writes it, but a record's
        fields in place rather than digested and kept for pages to come."""
        kind = type(value)
        if kind in _PLAIN:
            return value
        header, getter = _LAYOUTS.get(kind) or _layout(kind)
        return (header, [f if type(f) in _PLAIN else self.plain(f) for f in getter(value)])

    def adopt(self, made: list[tuple[object, bytes]]) -> None:
        """Digest each of these objects as the digest of what it was made from, computed by
        the stage that made it (`SiteViews.inputs`: from the digests of the files it read,
        never from anything stored), rather than field by field: equal inputs make equal
        objects, so a page's key still changes exactly when what it shows may. Tagged apart
        from every structural digest. Before any `digest` of a value holding one of them."""
        for value, inputs in made:
            self._objects[id(value)] = b"i" + inputs
            self._kept.append(value)

    def plain(self, value: Any) -> Any:
        """`value` with every part that is not plain data replaced by its tagged digest or form;
        Uncacheable if it holds a type we do not know."""
        objects = self._objects
        found = objects.get(id(value))
        if found is not None:  # only kept objects are in it, so this is the same object
            return found
        kind = type(value)
        layout = _LAYOUTS.get(kind)
        if layout is None:
            if kind in _PLAIN:
                return value
            if kind is tuple or kind is list:
                if _PLAIN.issuperset(map(type, value)):
                    return value
                known = list(map(objects.get, map(id, value)))  # views met before
                return kind(known if None not in known else map(self.plain, value))
            if kind is dict:
                if not _PLAIN.issuperset(map(type, value)):  # keys that are not plain: pairs
                    pairs = [(self.plain(key), self.plain(item)) for key, item in value.items()]
                    return b"D" + marshal.dumps(pairs, 0)
                if _PLAIN.issuperset(map(type, value.values())):
                    return value
                return dict(zip(value, map(self.plain, value.values()), strict=True))
            encoder = _REPLACEMENTS.get(kind)
            if encoder is not None:
                return encoder(self, value)
            layout = _layout(kind)
        header, getter = layout
        fields = getter(value)
        if _PLAIN.issuperset(map(type, fields)):  # a small record (a link, a person's name):
            found = (header, *fields)  # written in its holder
        else:
            types = tuple(map(type, fields))
            deep = _DEEP.get(types)
            if deep is None:
                deep = _DEEP[types] = tuple(i for i, t in enumerate(types) if t not in _PLAIN)
            parts = [header, *fields]
            for index in deep:
                item = fields[index]
                found = objects.get(id(item))
                if found is None:
                    plain = type(item) is tuple and _PLAIN.issuperset(map(type, item))
                    found = item if plain else self.plain(item)
                parts[index + 1] = found
            found = b"o" + _hash(marshal.dumps(parts, 0))
        objects[id(value)] = found
        self._kept.append(value)
        return found


def _hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=20).digest()


_PLAIN = frozenset({str, int, bool, float, type(None)})
"""Types written as they are (by exact type: a subclass, such as Markup, may behave otherwise)."""
_REPLACEMENTS: dict[type, Callable[[Fingerprint, Any], bytes]] = {
    Markup: lambda _, value: b"m" + str(value).encode("utf-8", "surrogatepass"),
    bytes: lambda _, value: b"y" + value,
    dt.date: lambda _, value: b"t" + value.isoformat().encode(),
    dt.datetime: lambda _, value: b"T%s|%s" % (value.isoformat().encode(), _text(value.tzinfo)),
    Body: lambda fingerprint, value: b"B" + marshal.dumps((value.digest, value.path), 0),
}
"""The other types we vouch for, each as a byte string with its own tag."""
_DEEP: dict[tuple[type, ...], tuple[int, ...]] = {}
"""The types of a record's fields → where those that are not plain data are."""
_LAYOUTS: dict[type, tuple[bytes, Callable[[Any], tuple[Any, ...]]]] = {}


def _text(value: object) -> bytes:
    return str(value).encode("utf-8", "surrogatepass")


def _layout(kind: type) -> tuple[bytes, Callable[[Any], tuple[Any, ...]]]:
    """A dataclass's name and field names, tagged, and a function giving its field values."""
    if not dataclasses.is_dataclass(kind):
        raise Uncacheable(f"{kind.__module__}.{kind.__qualname__}")
    names = tuple(item.name for item in dataclasses.fields(kind))
    label = (f"{kind.__module__}.{kind.__qualname__}", names)
    getter: Callable[[Any], tuple[Any, ...]]
    if len(names) > 1:
        getter = attrgetter(*names)
    else:
        getter = lambda value: tuple(getattr(value, name) for name in names)  # noqa: E731
    found = _LAYOUTS[kind] = (b"c" + marshal.dumps(label, 0), getter)
    return found


def code_key() -> bytes:
    """menteo's version, code, packaged themes and catalogs, and the HTML-shaping libraries'
    versions: another menteo (or an edited one, in development) never reuses a page."""
    return code_identity.code_key(FORMAT, _LIBRARIES)


def templates_key(dirs: list[Path], root: Path) -> bytes:
    """Every template of every theme folder in use, in lookup order: any page may include any
    of them. Folders are named relative to the community (or as menteo's own), so a copy of the
    community in another place keeps its cache."""
    hasher = hashlib.sha256()
    for directory in dirs:
        label = (
            directory.relative_to(root).as_posix()
            if directory.is_relative_to(root)
            else f"menteo:{directory.relative_to(code_identity.PACKAGE).as_posix()}"
        )
        hasher.update(f"dir {label}\n".encode("utf-8", "surrogateescape"))
        templates = directory / "templates"
        if templates.is_dir():
            files = [p for p in templates.rglob("*") if p.is_file() and not p.is_symlink()]
            code_identity.feed_files(hasher, templates, sorted(files))
    return hasher.digest()


class PageCache:
    """Rendered page texts by key, in a private folder (None: remember nothing)."""

    def __init__(self, directory: Path | None, build_key: bytes = b"") -> None:
        self.directory = directory
        self.build_key = build_key
        self.fingerprint = Fingerprint()
        self.started = time.time()
        """Packs older than this that no page uses may be cleared (`Packs.clear`)."""
        self._found: dict[str, IndexEntry] = {}
        self._index: PageIndex | None = None
        self._packs: Packs | None = None

    @property
    def index(self) -> PageIndex | None:
        """The index of this build key's pages (None without a folder or a build key)."""
        if self.directory is None or not self.build_key:
            return None
        if self._index is None or self._index.build_key != self.build_key.hex():
            self._index = PageIndex(self.directory / INDEX_FOLDER, self.build_key)
        return self._index

    @property
    def pack_folder(self) -> Path | None:
        """Where this build key's packs are (`menteo.site.page_store`); None: nowhere."""
        if self.directory is None or not self.build_key:
            return None
        return self.directory / PACKS_FOLDER / self.build_key.hex()

    @property
    def packs(self) -> Packs | None:
        folder = self.pack_folder
        if folder is None:
            return None
        if self._packs is None or self._packs.folder != folder:
            self._packs = Packs(folder)
        return self._packs

    @classmethod
    def for_build(
        cls,
        root: Path,
        dirs: list[Path],
        language: str,
        site_globals: dict[str, Any],
        keys: bytes,
    ) -> PageCache:
        """The cache of the community at `root` for a build with these templates, language,
        site globals (config, URLs) and signing keys (`PrivateMaterial.identity`)."""
        made = cls(root / PAGE_CACHE)
        made.build_key = made.fingerprint.digest(
            code_key(), templates_key(dirs, root), language, site_globals, keys
        )
        return made

    def key(self, template: str, head: object, context: dict[str, Any]) -> str | None:
        """The page's key, or None if its context holds something the fingerprint cannot
        digest (then it is always rendered)."""
        try:
            return self.fingerprint.page(self.build_key, template, head, context).hex()
        except Uncacheable:
            return None

    def lookup(self, pages: list[Page]) -> Iterator[tuple[Page, str | None, Remembered | None]]:
        """Each page of the plan, in order, with its key (None if uncacheable) and what is
        remembered of it (None: render it), without its text (read from its pack if
        `Remembered.data` is asked for). A page the index does not know at all (its index file
        lost or damaged) is looked up in the packs' tables, read once, and `save` records in the
        index what was found that way; one it knows under another key has changed, and is
        rendered without a look (it could be back to an older text, but reading every table on
        every rebuild for that costs more than rendering it)."""
        index, packs = self.index, self.packs
        for page in pages:
            key = self.key(page.template, page.head, page.context)
            known: Remembered | None = None
            if key is not None and index is not None and packs is not None:
                entry = index.get(page.url)
                if entry is None:
                    entry = packs.find(key)
                    if entry is not None:
                        self._found[page.url] = entry
                if entry is not None and entry.key == key:
                    known = Remembered(
                        None,
                        entry.links,
                        entry.searchable,
                        entry.digest,
                        entry.size,
                        partial(packs.text, entry),
                    )
            yield page, key, known

    def save(self, stored: dict[str, IndexEntry]) -> None:
        """Record in the index the pages just `stored` in packs (by URL) and those `lookup`
        found only in the packs' tables; clear packs no page uses any more."""
        entries = {**self._found, **stored}
        self._found = {}
        packs = self.packs
        if packs is not None:
            packs.close()
        if self.index is None or packs is None or not entries:
            return
        self.index.save(entries)
        if stored:
            packs.clear(self.index.packs, self.started)
