"""Static full-text search: Pagefind indexes the rendered site into `pagefind/`, in bundles that
are kept between builds.

Pagefind reads only the HTML the build wrote, so only published pages can ever be found; templates
narrow it further with `data-pagefind-body` (the main content) and `data-pagefind-ignore`. A theme
that marks no page is indexed whole, page by page, as Pagefind itself would.

Pagefind runs as a service (`pagefind --service`: requests on its standard input): it is handed
each page's bytes (less the head's tags it would not read: `pagefind_input`) and path, in sorted
order, so no folder of the pages is made for it (on a disk that discards freed blocks, removing
such a folder cost more than indexing), and the order of its pages, hence its index, does not
depend on how a file system lists a folder. It runs in a
fresh private folder with no `PAGEFIND_*` variable, so no configuration file or variable of the
repository or the environment changes what it writes.

Each page goes to a bundle chosen by a hash of its path, so adding, editing or removing one page
changes one bundle; a bundle's Pagefind output is kept in the private cache under a digest of
everything Pagefind reads for it (its pages' exact bytes and paths, Pagefind's binary and
options), and a later build with the same digest copies it instead of running Pagefind again,
only the files whose digest (recorded in the cached bundle) differs from what the site being
updated already holds (`menteo.site.previous_site`).
"""

from __future__ import annotations

import base64
import codecs
import contextlib
import functools
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO

from menteo.atomic_output import remove_leftovers
from menteo.private_state import make_private_folder
from menteo.site.previous_site import SiteWriter, Stamp, plain_path, stamp_of
from menteo.site.search_order import order_filters
from menteo.workers import thread_pool

SEARCH_DIR = "pagefind"
"""Where the search bundle (index, `pagefind.js`, `pagefind-ui.js`/`.css`) goes, under the site."""
SHARDS_FILE = "shards.json"
"""In the first bundle: the other bundles' folders, relative to it, for `search.js` to merge."""
SEARCH_MARKER = "data-pagefind-body"
"""The attribute templates put on the main content of a page worth finding."""
LEFTOVER_VIEW = re.compile(r"\.search-(?P<pid>\d{1,9})-\w+")
"""A bundle being written (into the cache, or beside the site where there is none) is a temporary
folder named for the build's process, so that the next build can remove those a killed build
left."""
OPTIONS = ("--service",)
"""How Pagefind is run: part of every cached bundle's digest."""
MANIFEST = ".files.json"
"""In a cached bundle: its files and their stamps, so that a damaged entry is noticed and indexed
again, and a file the site already holds is not copied."""
CACHE_FORMAT = "menteo-search-3"
INDEXERS = 2
"""Pagefind runs at once (never more than the cores): one run keeps about one core busy. They
parse their pages together but build their indexes one at a time (`PEAK`)."""
PEAK = threading.Lock()
"""Held by a Pagefind run from the moment it is asked for its bundle (when it builds its index:
its memory grows from ~40 MiB to ~150-220 MiB at 1,000 pages) until it has answered and ended
(its files are written out after: holding the turn for that cost wall time), so that the
`INDEXERS` runs of a build never peak together: the others keep parsing their pages meanwhile,
which takes about as long, so runs mostly stagger (the queueing costs ~5 % of a cold build's
wall time). `menteo.build` holds it too while the build process itself is at its largest."""
KEEP_SPARE = 8
"""Cached bundles kept beyond the current build's: a preview that undoes an edit finds the bundle
it had before."""

_SPACE = rb"[ \t\n\f\r]"
"""HTML's white space (not Unicode's: a tag name or attribute runs through a no-break space)."""
_NAME = rb"""[^ \t\n\f\r"'<>/=\x00]+"""
_VALUE = rb"""(?:"[^"<>]*"|'[^'<>]*'|[^ \t\n\f\r"'=<>`]+)"""
_ATTRIBUTE = rb"(?>%s++%s(?:%s*+=%s*+%s)?+)" % (_SPACE, _NAME, _SPACE, _SPACE, _VALUE)
_ATTRIBUTES = _ATTRIBUTE + rb"*+" + _SPACE + rb"*+"
_HEAD = re.compile(
    rb"(?:%s+|<!(?:doctype|DOCTYPE)[^<>]*>|<(?:html|head)%s>|<title%s>[^<]*</title%s*>"
    rb"|<(?:meta|link)%s/?>)*" % (_SPACE, _ATTRIBUTES, _ATTRIBUTES, _SPACE, _ATTRIBUTES)
)
"""What a page starts with, up to its head's first token that is none of these (a comment, a
script, `</head>`, an upper-case tag, a tag with `<` or `>` in an attribute, a title holding
`<`): each is a whole tag in HTML's data state, as its tokenizer reads it, and holds no `<` or
`>` but its own, so every `<meta` or `<link` in it starts a tag."""
_VOID = re.compile(rb"<(?:meta|link)[^>]*>")
_ID = re.compile(rb"id\b(?<=[ \t\n\f\r]id)")
"""An attribute named `id` (in lower case): Pagefind numbers anchors by the ids it meets."""


class SearchIndexError(RuntimeError):
    """The indexer is missing or failed: a problem with the installation, not the content."""


def _executable() -> Path:
    from pagefind.service import get_executable  # the `pagefind[bin]` dependency

    binary = get_executable()
    if binary is None:
        raise SearchIndexError(
            "the Pagefind binary was not found: install menteo's dependencies "
            "(pip install 'pagefind[bin]') or set PAGEFIND_BINARY_PATH"
        )
    return binary


def shard_dirs(count: int) -> list[str]:
    """Where each of `count` bundles goes: the first is the search page's, the rest are merged
    into its results by `search.js`."""
    return [SEARCH_DIR, *(f"{SEARCH_DIR}/shard-{n}" for n in range(2, count + 1))]


def assign_bundles(pages: list[str], shard_pages: int) -> list[list[str]]:
    """The pages, sorted, in bundles of about `shard_pages` (on average at most that many).

    A page's bundle depends only on its first two folders (a mentorship room and its entries
    share one: an entry's edit also changes the room's timeline) and the bundle count, a power of
    two that changes only when the site doubles or halves: one added, edited or removed page
    changes one bundle, where runs of consecutive pages would shift every later bundle. Empty
    bundles are dropped."""
    count = 1 << max(0, math.ceil(len(pages) / shard_pages) - 1).bit_length()
    bundles: list[list[str]] = [[] for _ in range(count)]
    for page in sorted(pages):
        group = "/".join(page.split("/")[:2])
        digest = hashlib.sha256(group.encode("utf-8")).digest()
        bundles[int.from_bytes(digest[:8], "big") % count].append(page)
    return [bundle for bundle in bundles if bundle] or [[]]


def index_site(
    site: Path,
    searchable: list[str],
    shard_pages: int,
    cache: Path | None = None,
    files: SiteWriter | None = None,
) -> list[str]:
    """Index the `searchable` pages (paths relative to `site`, the ones templates mark with
    `SEARCH_MARKER`) in bundles of about `shard_pages` pages; return the files written, relative
    to the site, sorted. `cache` (a private folder, see `menteo.private_state`) keeps each
    bundle's output for the next build; `files` writes into the site (and knows the stamps of the
    pages it wrote).

    Pagefind holds a whole index in memory until it writes it, about 200 KB a page (measured:
    8,000 entry pages, 1.6 GB): bundles bound that. One run keeps about one core busy, so
    bundles that are not in the cache are indexed `INDEXERS` at a time (at most one per core);
    each run is given its pages' paths relative to the site, so every result keeps its URL.
    """
    binary = _executable()
    files = files if files is not None else SiteWriter(site)
    pages = searchable or _every_page(site, files)
    bundles = assign_bundles(pages, shard_pages)
    targets = shard_dirs(len(bundles))
    remove_leftovers(site.parent, LEFTOVER_VIEW)
    identity = _indexer_identity(binary)
    keys = [bundle_digest(site, bundle, identity, files.files) for bundle in bundles]
    used: list[Path] = []
    # Stale bundles are removed while Pagefind runs (removing is waiting for the disk).
    current = {cache / key for key in keys} if cache is not None else set()
    pruning = threading.Thread(target=_prune, args=(cache, current))
    if cache is not None:
        pruning.start()
    try:
        hits: list[tuple[list[str], str, str, dict[str, Stamp]]] = []
        misses: list[tuple[list[str], str, str]] = []
        for bundle, target, key in zip(bundles, targets, keys, strict=True):
            listing = None if cache is None else _listing(cache / key)
            if listing is None:
                misses.append((bundle, target, key))
            else:
                hits.append((bundle, target, key, listing))
        damaged: list[tuple[list[str], str, str]] = []

        def copy_hits() -> None:
            """Put the cached bundles in the site while Pagefind indexes the others."""
            for bundle, target, key, listing in hits:
                assert cache is not None  # there are hits only where there is a cache
                try:
                    _copy_tree(cache / key, listing, target, files)
                    used.append(cache / key)
                except _Damaged:  # indexed again: the same files, each now as it should be
                    damaged.append((bundle, target, key))

        used += _index_bundles(binary, site, misses, cache, files, copy_hits)
        if damaged:
            used += _index_bundles(binary, site, damaged, cache, files)
    finally:
        if pruning.is_alive():
            pruning.join()
    _touch(used)
    if f"{SEARCH_DIR}/pagefind.js" not in files.files:
        raise SearchIndexError(f"Pagefind did not write {SEARCH_DIR}/pagefind.js")
    others = [t.removeprefix(f"{SEARCH_DIR}/") + "/" for t in targets[1:]]
    files.put_bytes(f"{SEARCH_DIR}/{SHARDS_FILE}", json.dumps(others).encode("utf-8"))
    return sorted(p for p in files.files if p.startswith(f"{SEARCH_DIR}/"))


def _every_page(site: Path, files: SiteWriter) -> list[str]:
    """Every page of the site but the index's own: the theme marks none for search."""
    written = files.files or {p.relative_to(site).as_posix(): ("", 0) for p in site.rglob("*")}
    return sorted(p for p in written if p.endswith(".html") and not p.startswith(f"{SEARCH_DIR}/"))


def bundle_digest(
    site: Path, pages: list[str], identity: str, known: Mapping[str, Stamp] | None = None
) -> str:
    """What decides a bundle's Pagefind output: the indexer and every page's path and bytes (the
    SHA-256 `known` for the page, else read)."""
    known = known or {}
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{identity}\0".encode())
    for page in pages:
        if page in known:
            content = known[page][0]
        else:
            with (site / page).open("rb") as file:
                content = hashlib.file_digest(file, "sha256").hexdigest()
        digest.update(f"{page}\0{content}\0".encode())
    return digest.hexdigest()


def _indexer_identity(binary: Path) -> str:
    """The binary (path, size, time, its own version) and options: a different Pagefind must not
    be answered from the cache."""
    try:
        stat = binary.stat()
        shown = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, check=False, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return f"{binary} unknown"
    return f"{binary} {stat.st_size} {stat.st_mtime_ns} {shown} {' '.join(OPTIONS)}"


def _listing(entry: Path) -> dict[str, Stamp] | None:
    """The files of the cached bundle `entry` and their stamps, as its manifest lists them (each
    at a plain path), else None. Only the manifest is read here: a file is read, and checked
    (`_checked`: a missing or damaged one has the bundle indexed again), only when the site
    does not already hold it, which after a rebuild's edit is none of the thousands listed."""
    try:
        listed = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(listed, dict):
        return None
    found: dict[str, Stamp] = {}
    for name, value in listed.items():
        if not (
            plain_path(name)
            and isinstance(value, list)
            and len(value) == 2
            and isinstance(value[0], str)
            and type(value[1]) is int
        ):
            return None
        found[name] = (value[0], value[1])
    return found


def _index_bundles(
    binary: Path,
    site: Path,
    bundles: list[tuple[list[str], str, str]],
    cache: Path | None,
    files: SiteWriter,
    meanwhile: Callable[[], None] | None = None,
) -> list[Path]:
    """Run Pagefind over each bundle's pages, `INDEXERS` runs at a time, and put each output at
    its target in the site with `files`, in bundle order, calling `meanwhile` once the runs are
    started; return the cache entries that keep them (none where there is no usable cache)."""
    if cache is not None:
        try:
            make_private_folder(cache)
            remove_leftovers(cache, LEFTOVER_VIEW)
        except OSError:  # no usable cache: it only costs time
            cache = None
    folder = cache if cache is not None else site.parent
    kept: list[Path] = []
    with thread_pool(min(INDEXERS, len(bundles))) as pool:
        runs = [pool.submit(_indexed, binary, site, pages, folder) for pages, _, _ in bundles]
        try:
            if meanwhile is not None:
                meanwhile()
            for run, (_, target, key) in zip(runs, bundles, strict=True):
                written, listing = run.result()
                _copy_tree(written, listing, target, files)
                entry = None if cache is None else _keep(written, cache / key)
                if entry is not None:
                    kept.append(entry)
                shutil.rmtree(written, ignore_errors=True)  # not kept
        finally:
            for run in runs:  # after a failure, what the other runs made
                if not run.cancel() and run.exception() is None:
                    shutil.rmtree(run.result()[0], ignore_errors=True)
    return kept


def _indexed(
    binary: Path, site: Path, pages: list[str], folder: Path
) -> tuple[Path, dict[str, Stamp]]:
    """Pagefind's bundle for `pages`, in a new folder in `folder` (named for this process, see
    `LEFTOVER_VIEW`), with its manifest; and the listing of its files."""
    written = Path(tempfile.mkdtemp(dir=folder, prefix=f".search-{os.getpid()}-"))
    try:
        _run(binary, site, pages, written)
        listing = {
            p.relative_to(written).as_posix(): stamp_of(p.read_bytes())
            for p in sorted(_files(written))
        }
        (written / MANIFEST).write_text(json.dumps(listing), encoding="utf-8")
    except BaseException:
        shutil.rmtree(written, ignore_errors=True)
        raise
    return written, listing


def _keep(written: Path, entry: Path) -> Path | None:
    """Move the bundle `written` into the cache as `entry`; None if it cannot be."""
    shutil.rmtree(entry, ignore_errors=True)  # a damaged entry
    try:
        os.rename(written, entry)
    except OSError:  # another build put it there first, or the cache is read-only
        return None
    return entry


def _files(folder: Path) -> Iterator[Path]:
    return (p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


class _Damaged(Exception):
    """A cached bundle's file is not the one its listing names."""


def _copy_tree(entry: Path, listing: dict[str, Stamp], target: str, files: SiteWriter) -> None:
    """Put the bundle `entry` (its `listing`) at `target` in the site: only the files the site
    does not already hold are read, checked against their digest, and written."""

    for name, (digest, _) in sorted(listing.items()):
        files.put(f"{target}/{name}", digest, functools.partial(_checked, entry / name, digest))


def _checked(path: Path, digest: str) -> bytes:
    """The bytes of the cached file `path`, which must have the SHA-256 `digest`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _Damaged(path) from exc
    if hashlib.sha256(data).hexdigest() != digest:
        raise _Damaged(path)
    return data


def _prune(cache: Path, current: set[Path]) -> None:
    """Drop the cached bundles but the `current` build's and the `KEEP_SPARE` newest others."""
    try:
        others = [p for p in cache.iterdir() if p not in current and not p.name.startswith(".")]
        others.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
    except OSError:  # no cache could be written (a read-only community): nothing to prune
        return
    for stale in others[KEEP_SPARE:]:
        shutil.rmtree(stale, ignore_errors=True)


def _touch(used: list[Path]) -> None:
    """Mark the bundles this build used as the newest: the last to be pruned."""
    try:
        for entry in used:
            os.utime(entry)
    except OSError:  # a read-only cache
        return


def pagefind_input(page: bytes) -> bytes:
    """The `page` as Pagefind is handed it: without the `<meta>` and `<link>` tags at the start
    of its head that carry nothing Pagefind reads (a third of an entry page's bytes).

    Pagefind ignores the head but for `data-pagefind-*` attributes, `<title>` (a fallback title),
    an old bundle's `<link>` and ids (anchors): a void tag without them adds no text, no node and
    no attribute it reads, so the index is the one the whole page gives. Only tags met before
    anything else are left out (`_HEAD`); all that follows is handed as it is."""
    start = _HEAD.match(page)
    end = start.end() if start else 0
    head = page[:end]
    lowered = head.lower()
    if b"pagefind" in lowered or _ID.search(lowered):
        head = _VOID.sub(_unread, head)
    else:
        head = _VOID.sub(b"", head)
    return head + page[end:]


def _unread(tag: re.Match[bytes]) -> bytes:
    """The `<meta>` or `<link>` tag if Pagefind reads it, else nothing."""
    lowered = tag.group().lower()
    return tag.group() if b"pagefind" in lowered or _ID.search(lowered) else b""


def _request(number: int, payload: dict[str, object]) -> bytes:
    """One request to Pagefind's service: base64 of its JSON, then a comma."""
    message = json.dumps({"message_id": number, "payload": payload}).encode("utf-8")
    return base64.b64encode(message) + b","


def _run(binary: Path, site: Path, pages: list[str], output: Path) -> None:
    """Index `pages` (paths relative to `site`, in this order) with Pagefind's service and write
    the bundle into the empty folder `output` (Pagefind runs in it: a fresh, private folder).

    The bundle comes back in Pagefind's answer, not through files it writes: its service answers
    before its writes are done, and stops without finishing them when its input ends. It is
    asked for it only under `PEAK`."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    last = len(pages) + 1
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(
                [str(binary), *OPTIONS],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                cwd=output,
                env=environment,
            )
        except OSError as exc:
            raise SearchIndexError(f"could not run Pagefind ({binary}): {exc}") from exc
        assert process.stdin is not None and process.stdout is not None
        try:
            with contextlib.suppress(BrokenPipeError):  # it stopped: its exit status says why
                # Pagefind reads requests while it answers: its answers wait in the pipe.
                process.stdin.write(_request(0, {"type": "NewIndex", "config": None}))
                for number, page in enumerate(pages, 1):
                    fed = pagefind_input((site / page).read_bytes())
                    text = fed.decode("utf-8", errors="replace")
                    add = {"type": "AddFile", "index_id": 0, "file_path": page, "url": None}
                    process.stdin.write(_request(number, {**add, "file_contents": text}))
                process.stdin.flush()
            with PEAK:  # given back once the run has ended: its memory is freed
                try:
                    with contextlib.suppress(BrokenPipeError):
                        process.stdin.write(_request(last, {"type": "GetFiles", "index_id": 0}))
                        process.stdin.flush()
                    bundle = _answer(process.stdout, last)
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    message = f"Pagefind answered what menteo cannot read: {exc}"
                    raise SearchIndexError(message) from exc
                finally:
                    _end(process)
        finally:
            code = _end(process)  # a run that failed before its turn, too
        errors.seek(0)
        said = errors.read().decode("utf-8", errors="replace").strip()
    if bundle is None:
        raise SearchIndexError(f"Pagefind failed to index the site (exit {code}): {said}")
    _write_bundle(bundle, output)


def _end(process: subprocess.Popen[bytes]) -> int:
    """End Pagefind's input, so that it stops, and wait for it; its exit status. Ending it again
    changes nothing."""
    assert process.stdin is not None
    with contextlib.suppress(BrokenPipeError):
        process.stdin.close()
    return process.wait()


def _write_bundle(bundle: list[dict[str, str]], output: Path) -> None:
    """Write Pagefind's answer, the bundle's files, into `output`."""
    try:
        for file in bundle:
            name, content = file["path"], base64.b64decode(file["content"], validate=True)
            if not (isinstance(name, str) and plain_path(name)):
                raise ValueError(f"a file outside the bundle: {name!r}")
            (output / name).parent.mkdir(parents=True, exist_ok=True)
            with (output / name).open("xb") as new:  # never one of its own: a name given twice
                new.write(content)
        order_filters(output)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SearchIndexError(f"Pagefind wrote a bundle menteo cannot read: {exc}") from exc


def _answer(stream: IO[bytes], last: int) -> list[dict[str, str]] | None:
    """Read Pagefind's answers until the one to request `last`: the bundle's files (path and
    base64 content), or None if it stopped first. A page it cannot read is left out, as its
    command line does.

    Each answer is base64 of JSON, ended by a comma; it is decoded as it arrives, four
    characters at a time, so that the last one (the whole bundle) is held as its JSON text and
    then parsed, never as its base64 pieces, their join and the split of that besides."""
    text: list[str] = []  # the current answer's JSON, decoded so far
    utf8 = codecs.getincrementaldecoder("utf-8")()
    undecoded = b""  # the current answer's last base64 characters, fewer than four
    while chunk := os.read(stream.fileno(), 1 << 20):
        *complete, rest = chunk.split(b",")
        for piece in complete:
            text.append(utf8.decode(base64.b64decode(undecoded + piece, validate=True), True))
            whole, undecoded = "".join(text), b""
            text.clear()
            answer = json.loads(whole)
            del whole
            payload, number = answer.get("payload") or {}, answer.get("message_id")
            if payload.get("type") == "Error" and number in (0, last, None):
                raise SearchIndexError(f"Pagefind failed to index the site: {payload}")
            if number == last:
                files: list[dict[str, str]] = payload["files"]
                return files
        rest = undecoded + rest
        cut = len(rest) - len(rest) % 4
        text.append(utf8.decode(base64.b64decode(rest[:cut], validate=True)))
        undecoded = rest[cut:]
    return None
