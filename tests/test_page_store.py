"""The page cache's texts in packs (`menteo.site.page_store`), and the checks every rendered page
goes through before it is written or stored (`menteo.site.render`).

Packs: what is stored reads back (from the index's place, and from the packs' own tables); a
build writes a pack per render chunk, not a file per page; a damaged, truncated, forged, linked
or renamed pack is a miss and the site is rebuilt exactly as a cold build makes it; two builds
at once leave a sound cache; packs no page uses are cleared. Checks: a page that cannot be
written as UTF-8 is a problem, not a traceback; an `@` in any spelling still reaches the email
check.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from menteo.cli import main
from menteo.content.visible_text import shows_email
from menteo.site import page_store
from menteo.site.page_cache import INDEX_FOLDER, PAGE_CACHE
from menteo.site.page_index import IndexEntry, PageIndex
from menteo.site.page_store import PACKS_FOLDER, Packs, PackWriter
from test_incremental import KICKOFF, MINI, cold_build, no_pagefind, tree

__all__ = ["no_pagefind"]  # its autouse fixture: Pagefind replaced by a stand-in here too

TEXTS = {f"/p{n}/": f"<p>page {n} {'é' * n}</p>".encode() for n in range(40)}


def _write(folder: Path, texts: dict[str, bytes] = TEXTS) -> dict[str, IndexEntry]:
    writer = PackWriter(folder)
    for url, data in texts.items():
        links = (url, "/p0/#top")
        writer.add(
            url, f"key{url}", data, hashlib.sha256(data).hexdigest(), len(data) % 2 == 0, links
        )
    writer.flush()
    return writer.stored


def _packs(root: Path) -> list[Path]:
    return sorted(p for p in (root / PAGE_CACHE / PACKS_FOLDER).rglob("*") if p.is_file())


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    return root


def _build(root: Path, out: Path, *options: str) -> None:
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out), *options])
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- round trip


def test_stored_texts_read_back_from_the_index_place_and_from_the_tables(tmp_path: Path) -> None:
    folder = tmp_path / "packs" / "ab12"
    stored = _write(folder)
    assert set(stored) == set(TEXTS)
    (pack,) = folder.iterdir()
    packs = Packs(folder)
    for url, data in TEXTS.items():
        entry = stored[url]
        assert entry.pack == pack.name and entry.size == len(data)
        assert entry.links == (url, "/p0/#top") and entry.searchable is (len(data) % 2 == 0)
        assert packs.text(entry) == data
        assert packs.find(entry.key) == entry  # what the pack's own table says
    assert packs.find("key/nowhere/") is None
    packs.close()


def test_a_serial_build_writes_a_pack_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer never holds more than about `PACK_BYTES` of text."""
    monkeypatch.setattr(page_store, "PACK_BYTES", 100)
    folder = tmp_path / "packs" / "ab12"
    stored = _write(folder)
    names = {p.name for p in folder.iterdir()}
    assert len(names) > 10 and names == {entry.pack for entry in stored.values()}
    packs = Packs(folder)
    assert all(packs.text(stored[url]) == data for url, data in TEXTS.items())
    packs.close()


def test_the_same_texts_make_the_same_pack(tmp_path: Path) -> None:
    """A pack's name is the digest of its table: two builds storing the same pages agree."""
    first = _write(tmp_path / "a" / "ab12")
    second = _write(tmp_path / "b" / "ab12")
    assert first == second
    (one,), (two,) = (tmp_path / "a/ab12").iterdir(), (tmp_path / "b/ab12").iterdir()
    assert one.read_bytes() == two.read_bytes()


def test_a_build_stores_its_pages_in_a_few_packs_not_a_file_each(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _build(root, tmp_path / "out", "--jobs", "1")
    pages = list((tmp_path / "out").rglob("*.html"))
    stored = [p for p in (root / PAGE_CACHE).rglob("*") if p.is_file()]
    index = [p for p in stored if INDEX_FOLDER in p.parts]
    assert len(pages) > 30
    assert len(stored) - len(index) == len(_packs(root)) == 1


def test_a_rebuild_after_an_edit_reads_no_pack_table(
    tmp_path: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edited pages are known to the index under their old keys: they are rendered, and no
    pack's table is read for them (that would parse every table on every rebuild)."""
    root = _copy(tmp_path)
    out = tmp_path / "_site"
    _build(root, out, "--jobs", "1")
    tables: list[str] = []
    original = page_store._table

    def reading(folder: Path, name: str) -> object:
        tables.append(name)
        return original(folder, name)

    monkeypatch.setattr(page_store, "_table", reading)
    with (root / KICKOFF).open("a", encoding="utf-8") as file:
        file.write("\nOne more line.\n")
    rendered.clear()
    _build(root, out, "--jobs", "1")
    assert 0 < len(rendered) < 10 and tables == []
    assert tree(out) == cold_build(root, tmp_path / "cold")


# ---------------------------------------------------------------- damage


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


DAMAGES = {
    "truncated": lambda data: data[: len(data) // 2],
    "empty": lambda data: b"",
    "a text changed": lambda data: _flip(data, len(data) - 10),
    "the table changed": lambda data: data.replace(b'"texts"', b'"textz"', 1),
    "its header changed": lambda data: data.replace(b"menteo-page-pack 1", b"menteo-page-pack 7"),
}
TEXTS_LOST = ("truncated", "empty", "a text changed")
"""The damages that reach a text (the others, only the table the index does without)."""


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_pack_is_a_miss(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "packs" / "ab12"
    stored = _write(folder)
    (pack,) = folder.iterdir()
    pack.write_bytes(DAMAGES[damage](pack.read_bytes()))
    packs = Packs(folder)
    found = {url: packs.text(entry) for url, entry in stored.items()}
    assert all(text in (None, TEXTS[url]) for url, text in found.items())
    assert any(text is None for text in found.values()) or damage.startswith(("the", "its"))
    if damage != "a text changed":  # the table still unseals when only a text changed
        assert all(packs.find(entry.key) is None for entry in stored.values())
    packs.close()


def test_a_pack_under_another_name_or_build_key_is_not_believed(tmp_path: Path) -> None:
    stored = _write(tmp_path / "packs" / "ab12")
    entry = stored["/p3/"]
    (pack,) = (tmp_path / "packs/ab12").iterdir()
    renamed = tmp_path / "packs/ab12" / ("0" * 64)
    pack.rename(renamed)
    assert Packs(tmp_path / "packs/ab12").find(entry.key) is None  # not its table's digest
    renamed.rename(pack)
    other = tmp_path / "packs" / "cd34"
    other.mkdir()
    shutil.copy(pack, other / pack.name)
    assert Packs(other).find(entry.key) is None  # made for another build key
    assert Packs(tmp_path / "packs/ab12").find(entry.key) == entry


def test_an_entry_pointing_past_its_pack_is_a_miss_not_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "packs" / "ab12"
    entry = _write(folder)["/p3/"]
    packs = Packs(folder)
    assert packs.text(entry._replace(size=10**15)) is None
    assert packs.text(entry._replace(offset=10**12)) is None
    assert packs.text(entry._replace(pack="../" + entry.pack)) is None
    assert packs.text(entry) == TEXTS["/p3/"]
    packs.close()


def test_a_sealed_table_with_one_entry_of_another_shape_is_ignored_whole(tmp_path: Path) -> None:
    """Its other entries are not believed either: the table is not one a build wrote."""
    folder = tmp_path / "packs" / "ab12"
    stored = _write(folder)
    (pack,) = folder.iterdir()
    data = pack.read_bytes()
    header, rest = data.split(b"\n", 1)
    length = int(header.rsplit(b" ", 1)[1])
    table = json.loads(rest[65 : 65 + length])
    table["texts"][-1][2] = -1
    body = json.dumps(table, separators=(",", ":")).encode()
    digest = hashlib.sha256(body).hexdigest()
    header = header.rsplit(b" ", 1)[0] + b" %d\n" % len(body)
    (folder / digest).write_bytes(header + digest.encode() + b"\n" + body)
    pack.unlink()
    packs = Packs(folder)
    assert all(packs.find(entry.key) is None for entry in stored.values())


def test_a_link_in_place_of_a_pack_is_not_followed(tmp_path: Path) -> None:
    folder = tmp_path / "packs" / "ab12"
    stored = _write(folder)
    (pack,) = folder.iterdir()
    elsewhere = tmp_path / "elsewhere"
    pack.rename(elsewhere)
    pack.symlink_to(elsewhere)
    packs = Packs(folder)
    assert packs.text(stored["/p3/"]) is None
    assert packs.find(stored["/p3/"].key) is None


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_packs_are_rendered_again_through_the_cli(
    tmp_path: Path, rendered: list[str], damage: str
) -> None:
    """Every pack damaged and the site gone (so every text is read): the pages whose text does
    not read back as the index describes it are rendered, and the site equals a cold build."""
    root = _copy(tmp_path)
    out = tmp_path / "_site"
    _build(root, out)
    for pack in _packs(root):
        pack.write_bytes(DAMAGES[damage](pack.read_bytes()))
    shutil.rmtree(out)
    rendered.clear()
    _build(root, out, "--jobs", "1")
    assert bool(rendered) is (damage in TEXTS_LOST)
    assert tree(out) == cold_build(root, tmp_path / "cold")


def test_a_forged_pack_the_index_points_at_is_never_published(
    tmp_path: Path, rendered: list[str]
) -> None:
    """A pack replaced by one of the same name and size with other texts (a well-formed table
    claiming them): the index's digests do not match, so its pages are rendered again."""
    root = _copy(tmp_path)
    out = tmp_path / "_site"
    _build(root, out, "--jobs", "1")
    (pack,) = _packs(root)
    data = pack.read_bytes()
    forged = data.replace(b"Kick-off", b"Kick-OFF")
    assert forged != data and len(forged) == len(data)
    pack.write_bytes(forged)
    shutil.rmtree(out)
    rendered.clear()
    _build(root, out, "--jobs", "1")
    assert any("kickoff" in url for url in rendered)
    site = tree(out)
    assert not any(b"Kick-OFF" in text for text in site.values())
    assert site == cold_build(root, tmp_path / "cold")


# ---------------------------------------------------------------- builds at once, clearing


def test_two_cold_builds_at_once_leave_a_sound_cache(tmp_path: Path, rendered: list[str]) -> None:
    """Two `menteo build` processes from an empty cache (each storing every page, in packs of
    the same names) both succeed; a third build reads its pages from their packs."""
    root = _copy(tmp_path)
    command = [sys.executable, "-m", "menteo", "build", str(root), "--quiet", "--out"]
    running = [subprocess.Popen([*command, str(tmp_path / name)]) for name in ("a", "b")]
    assert [process.wait(timeout=300) for process in running] == [0, 0]
    assert not [p for p in (root / PAGE_CACHE).rglob("*") if p.name.endswith(".tmp")]
    rendered.clear()
    _build(root, tmp_path / "c", "--jobs", "1")
    assert rendered == []
    assert tree(tmp_path / "c") == cold_build(root, tmp_path / "cold")


def test_packs_no_page_uses_are_cleared(
    tmp_path: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the folder holds more packs than it may keep, a build that stores pages removes the
    packs no index entry points to; every page still reads back (nothing rendered again)."""
    monkeypatch.setattr(page_store, "KEPT_PACKS", 1)
    root = _copy(tmp_path)
    out = tmp_path / "_site"
    _build(root, out, "--jobs", "1")
    first = {p.name for p in _packs(root)}
    for number in range(3):
        for pack in _packs(root):
            os.utime(pack, (1, 1))  # older than the next build
        with (root / KICKOFF).open("a", encoding="utf-8") as file:
            file.write(f"\nLine {number}.\n")
        _build(root, out, "--jobs", "1")
    names = {p.name for p in _packs(root)}
    (folder,) = (root / PAGE_CACHE / INDEX_FOLDER).iterdir()
    used = PageIndex(folder.parent, bytes.fromhex(folder.name)).packs()
    assert names == used and first <= names and len(names) == 2
    shutil.rmtree(out)
    rendered.clear()
    _build(root, out, "--jobs", "1")
    assert rendered == []
    assert tree(out) == cold_build(root, tmp_path / "cold")


# ---------------------------------------------------------------- checks


def _override_404(root: Path, main_block: str) -> None:
    """The 404 page's template, as a pull request can override it."""
    templates = root / "overrides" / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}' + main_block + "{% endblock %}\n",
        encoding="utf-8",
    )


def test_a_character_utf8_cannot_carry_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _override_404(root, '{{ "\\ud800" }}')
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert (
        "overrides/templates/404.html: template: 404.html would contain U+D800, which UTF-8 "
        "cannot carry (remove the character from the template)"
    ) in result.output
    assert not (tmp_path / "out").exists()


SPELLINGS = ["@", "＠", "﹫", "%40", "&#64;", "&#064;", "&#x40;", "&#X040;", "&commat;"]


@pytest.mark.parametrize("at", SPELLINGS)
def test_every_spelling_of_an_at_reaches_the_email_check(at: str) -> None:
    page = f"<html><p>caf\u00e9 \u2014 write to ana{at}example.org</p></html>"
    assert shows_email(page.encode())
    assert not shows_email(page.replace(at, " at ").encode())


@pytest.mark.parametrize("at", SPELLINGS)
def test_an_email_in_any_spelling_from_a_template_fails_the_build(tmp_path: Path, at: str) -> None:
    root = _copy(tmp_path)
    _override_404(root, f"ana{at}example.org")
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "the page /mini/404.html (from its content file or a template) shows an email" in (
        result.output
    )
