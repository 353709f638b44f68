"""The middle of a rebuild (issue 14): the key-leak check in one pass over each file, each award's
documents remembered whole, PNG baking and excerpts made cheaper, and none of it changes a byte
or weakens a check.

- The leak check (`credentials.leaks`) probes a file's words instead of searching it once per
  needle: every needle is still found wherever it is (start, end, every offset, across lines,
  after multi-byte characters), it answers exactly as a plain search on random data, and clean
  files pass.
- Award documents (`credentials.cache.DocumentCache`) are reused only under the digest of what
  they are made from: a changed badge text, issuer name, key or revocation makes them again,
  and a warm rebuild is byte-identical to a cold build of the same input; a damaged entry is
  made again; a committed or symlinked cache is refused before anything is read from it.
- Baking and excerpts: the same bytes as openbadges-bakery and as the regular expressions
  they replace.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import io
import random
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import png as pypng
import pytest
from click.testing import CliRunner, Result
from openbadges_bakery import png_bakery

from menteo.build import build_site
from menteo.cli import main
from menteo.content.excerpt import plain_excerpt
from menteo.credentials import baking, facts
from menteo.credentials.cache import DOCUMENT_CACHE, DocumentCache
from menteo.credentials.images import png_from_svg
from menteo.credentials.keys import (
    SigningKeys,
    generate_keys,
    read_key_directory,
    write_keys,
)
from menteo.credentials.leaks import SAMPLED, PrivateMaterial, private_material

MINI = Path(__file__).parent / "fixtures" / "mini"
STARTER = "d9ea9982-894d-5e2e-9061-294baa6eb751"  # Starter to Ana
GUIDE = "df9bd69f-ec70-5fef-97b2-cc50b0a5d4fb"  # Guide to Ana
GIT = shutil.which("git")


# ------------------------------------------------------------------ helpers


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def copy_mini(target: Path) -> Path:
    shutil.copytree(MINI, target, ignore=shutil.ignore_patterns(".menteo"))
    return target


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def cold(project: Path, tmp_path: Path, name: str) -> dict[str, str]:
    """The site a build with no cache at all makes of `project` as it is now."""
    copy = tmp_path / f"cold-{name}" / "mini"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns(".menteo"))
    build_site(copy, tmp_path / f"cold-{name}" / "site", workers=1)
    return tree_digest(tmp_path / f"cold-{name}" / "site")


@pytest.fixture(scope="module")
def keys(signing_keys: Path) -> SigningKeys:
    return read_key_directory(signing_keys)


@pytest.fixture(scope="module")
def material(keys: SigningKeys) -> PrivateMaterial:
    return private_material(keys)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_mini(tmp_path / "mini")


# ------------------------------------------------------------------ 1. the leak check


FILLERS = {
    "dots": ".",
    "lines": "line of text\n",
    "json": '{"a": "b"},\r\n',
    "accents": "é€",  # multi-byte UTF-8 moves where the needle's bytes fall
    "alphabet": "+/_-~",  # base64 punctuation next to the needle
}


POSITIONS = [(0, 0), (0, 7), (7, 0), *((before, 3) for before in range(1, 2 * SAMPLED))]
"""(filler units before, after): the start, the end, and every alignment to the probes."""


def test_every_text_needle_is_found_wherever_it_is(material: PrivateMaterial) -> None:
    for needle in material.text:
        for name, filler in FILLERS.items():
            for before, after in POSITIONS:
                text = filler * before + needle + filler * after
                assert material.leaked_in_text(text), (name, before, after, len(needle))
                assert material.leaked_in(text.encode("utf-8")), (name, before, after)


def test_every_binary_needle_is_found_wherever_it_is(material: PrivateMaterial) -> None:
    junk = bytes(range(256))
    for needle in material.raw:
        for before in range(0, 2 * SAMPLED + 1):
            for prefix in (junk[:before], junk[-before:] if before else b"", b"\n" * before):
                assert material.leaked_in(prefix + needle), before
                assert material.leaked_in(prefix + needle + junk[:5]), before
        assert material.leaked_in(b"\x89PNG\r\n\x1a\n" + junk * 40 + needle + junk * 40)


def test_a_needle_written_across_lines_is_found_in_the_pem_windows(
    keys: SigningKeys, material: PrivateMaterial
) -> None:
    """The reason for the DER windows: the key's base64 wrapped at any usual width."""
    import base64
    import textwrap

    from cryptography.hazmat.primitives import serialization

    der = keys.rsa.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    body = base64.b64encode(der).decode("ascii")
    for width in (60, 63, 64, 76, 100, len(body)):
        for indent in ("", " ", "    ", "\t"):
            wrapped = "\n".join(indent + line for line in textwrap.wrap(body, width))
            assert material.leaked_in_text(f"<pre>{wrapped}</pre>"), (width, indent)


def test_the_check_answers_exactly_as_a_plain_search(material: PrivateMaterial) -> None:
    """On random data with whole needles, cut needles and needles with one byte changed
    planted anywhere, the one-pass check and `any(needle in data)` always agree."""
    rng = random.Random(14)
    needles = list(material.raw)
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-\n"
    found = 0
    for _ in range(3000):
        size = rng.randint(0, 3000)
        if rng.random() < 0.5:
            data = bytearray(rng.randbytes(size))
        else:
            data = bytearray(rng.choice(alphabet) for _ in range(size))
        for _ in range(rng.randint(0, 3)):
            needle = bytearray(rng.choice(needles))
            kind = rng.randrange(4)
            if kind == 1:
                needle = needle[: rng.randrange(len(needle))]
            elif kind == 2:
                needle = needle[rng.randrange(1, len(needle)) :]
            elif kind == 3:
                needle[rng.randrange(len(needle))] ^= 1 << rng.randrange(8)
            where = rng.randint(0, len(data))
            data[where:where] = needle
        data_bytes = bytes(data)
        expected = any(needle in data_bytes for needle in needles)
        found += expected
        assert material.leaked_in(data_bytes) is expected
        text = data_bytes.decode("latin-1")
        assert material.leaked_in_text(text) is any(n in text for n in material.text)
    assert found > 500  # the planted needles were there often enough to prove something


def test_files_without_needles_pass(material: PrivateMaterial, tmp_path: Path) -> None:
    for data in (b"", b"1234567", b"x" * 31, bytes(range(256)) * 100):
        assert not material.leaked_in(data)
        assert not material.leaked_in_text(data.decode("latin-1"))
    site = tmp_path / "site"
    build_site(copy_mini(tmp_path / "mini"), site, workers=1)
    files = [p for p in site.rglob("*") if p.is_file()]
    assert any(p.suffix == ".png" for p in files)
    for path in files:
        assert not material.leaked_in(path.read_bytes()), path


def test_a_key_in_badge_artwork_at_any_offset_stops_the_build(
    project: Path, keys: SigningKeys
) -> None:
    """Through the CLI: the generated badge images carry the seed wherever the artwork puts it."""
    seed = keys.ed25519.private_bytes_raw().hex()
    (project / "badges/images").mkdir()
    badge = project / "badges/starter.yaml"
    badge.write_text(badge.read_text() + "image: starter.svg\n")
    for pad in (0, 5, 13, 24):
        (project / "badges/images/starter.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
            f"<desc>{'x' * pad}{seed}</desc><circle cx='5' cy='5' r='4'/></svg>",
            encoding="utf-8",
        )
        out = project.parent / f"site-{pad}"
        result = run("build", str(project), "--out", str(out))
        assert result.exit_code == 1, result.output
        assert "contains the signing keys' private material" in result.output
        assert seed not in result.output
        assert not out.exists()


# ------------------------------------------------------------------ 2. award documents


def test_a_rebuild_signs_nothing_and_is_byte_identical_to_a_cold_build(
    project: Path, tmp_path: Path, signatures: dict[str, int]
) -> None:
    build_site(project, tmp_path / "first", workers=1)
    assert signatures == {"data_integrity": 4, "jws": 7}
    assert len(list((project / DOCUMENT_CACHE).iterdir())) == 3  # one per published award
    (project / ".menteo/cache/signatures.json").unlink()  # documents alone are enough
    build_site(project, tmp_path / "second", workers=1)
    # Only the status list is signed again (it is not an award's document).
    assert signatures == {"data_integrity": 5, "jws": 8}
    assert tree_digest(tmp_path / "second") == tree_digest(tmp_path / "first")
    assert tree_digest(tmp_path / "second") == cold(project, tmp_path, "same")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


CHANGES: dict[str, tuple[Callable[[Path], None], tuple[str, ...], int]] = {
    # the change, the credentials whose text it changes, how many awards' documents it remakes
    "badge text": (
        lambda root: _edit(
            root / "badges/starter.yaml", "held a first session.", "held their first session."
        ),
        (STARTER,),
        1,
    ),
    "issuer name": (
        lambda root: _edit(root / "menteo.yml", "Mini Circle Org", "Mini Circle Trust"),
        (STARTER, GUIDE),
        3,
    ),
    "revocation": (
        lambda root: _check(
            run(
                "revoke",
                f"urn:uuid:{STARTER}",
                str(root),
                "--reason",
                "Recorded twice.",
                env={"SOURCE_DATE_EPOCH": "1750000000"},
            )
        ),
        (),  # the credential does not change (its status list does), but it is made again
        1,
    ),
}


def _check(result: Result) -> None:
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_changed_inputs_make_the_documents_again(
    project: Path, tmp_path: Path, signatures: dict[str, int], change: str
) -> None:
    build_site(project, tmp_path / "before", workers=1)
    before = tree_digest(tmp_path / "before")
    entries = set((project / DOCUMENT_CACHE).iterdir())
    edit, changed, remade = CHANGES[change]
    edit(project)
    signed = dict(signatures)
    build_site(project, tmp_path / "after", workers=1)
    after = tree_digest(tmp_path / "after")
    assert after == cold(project, tmp_path, change)
    for uuid in changed:
        assert after[f"ob3/credentials/{uuid}.json"] != before[f"ob3/credentials/{uuid}.json"]
    assert len(set((project / DOCUMENT_CACHE).iterdir()) - entries) == remade
    # Each remade award: its OB 2.0 JWS and its VC-JWT (the signature cache holds the old).
    assert signatures["jws"] >= signed["jws"] + 2 * len(changed)


def test_rotated_keys_make_every_document_again(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site(project, tmp_path / "before", workers=1)
    before = tree_digest(tmp_path / "before")
    folder = tmp_path / "new-keys"
    write_keys(folder, generate_keys(str(folder)))
    monkeypatch.setenv("MENTEO_KEYS", str(folder))
    build_site(project, tmp_path / "after", workers=1)
    after = tree_digest(tmp_path / "after")
    assert after == cold(project, tmp_path, "keys")
    for uuid in (STARTER, GUIDE):
        for path in (f"ob3/credentials/{uuid}.json", f"ob2/assertions/{uuid}.jws"):
            assert after[path] != before[path], path


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "truncated": lambda data: data[: len(data) // 2],
    "a byte changed": lambda data: data[:-3] + bytes([data[-3] ^ 1]) + data[-2:],
    "empty": lambda data: b"",
    "another format": lambda data: data.replace(b"documents 1\n", b"documents 9\n", 1),
}


def _resealed(texts: list[bytes]) -> bytes:
    """An entry whose SHA-256 matches: as a buggy or older menteo might have written it."""
    rest = b" ".join(b"%d" % len(t) for t in texts) + b"\n" + b"".join(texts)
    return (
        b"menteo-credential-documents 1\n"
        + hashlib.sha256(rest).hexdigest().encode()
        + b"\n"
        + rest
    )


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_document_entry_is_made_again(
    project: Path, tmp_path: Path, signatures: dict[str, int], damage: str
) -> None:
    build_site(project, tmp_path / "first", workers=1)
    (project / ".menteo/cache/signatures.json").unlink()
    entries = sorted((project / DOCUMENT_CACHE).iterdir())
    for entry in entries:
        entry.write_bytes(DAMAGE[damage](entry.read_bytes()))
    build_site(project, tmp_path / "second", workers=1)
    assert signatures == {"data_integrity": 4 + 4, "jws": 7 + 7}  # everything signed again
    assert tree_digest(tmp_path / "second") == tree_digest(tmp_path / "first")
    assert DocumentCache(project / DOCUMENT_CACHE).get(entries[0].name) is not None


def test_an_entry_of_the_wrong_shape_is_not_used(project: Path, tmp_path: Path) -> None:
    build_site(project, tmp_path / "first", workers=1)
    for entry in sorted((project / DOCUMENT_CACHE).iterdir()):
        entry.write_bytes(_resealed([b"only", b"three", b"texts"]))
    build_site(project, tmp_path / "second", workers=1)
    assert tree_digest(tmp_path / "second") == tree_digest(tmp_path / "first")
    lengths = DocumentCache(project / DOCUMENT_CACHE)
    assert lengths.get("0" * 64) is None
    (project / DOCUMENT_CACHE / ("0" * 64)).write_bytes(_resealed([b"\xff\xfe", b"", b"", b""]))
    assert lengths.get("0" * 64) is None  # not UTF-8


def test_document_keys_cover_every_fact() -> None:
    """The key digests the facts' `repr`: every field of every fact class must show in it."""
    for kind in (facts.AwardFacts, facts.BadgeFacts, facts.EvidenceFacts, facts.EmailHash):
        assert all(field.repr for field in dataclasses.fields(kind)), kind
    assert all(field.repr for field in dataclasses.fields(facts.Issuer))


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_a_committed_document_entry_is_refused(project: Path, tmp_path: Path) -> None:
    """A pull request can compute an entry's name (everything in it is public) and commit
    forged documents under it: the build refuses the tracked cache before reading it."""
    first = run("build", str(project), "--out", str(tmp_path / "first"))
    assert first.exit_code == 0, first.output
    entry = sorted((project / DOCUMENT_CACHE).iterdir())[0]
    entry.write_bytes(_resealed([b"{}", b"forged.jws.x", b"{}", b"forged.jwt.x"]))
    _git(project, "init", "-q")
    _git(project, "add", "-A", "-f", "--", f".menteo/cache/credentials/{entry.name}")
    _git(project, "-c", "user.name=pr", "-c", "user.email=pr@example.org", "commit", "-qm", "pr")
    out = tmp_path / "second"
    result = run("build", str(project), "--out", str(out))
    assert result.exit_code == 1
    assert "tracked by git (.menteo/cache/credentials/" in result.output
    assert not out.exists()


def test_a_symlinked_document_cache_is_refused(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project / ".menteo/cache").mkdir(parents=True)
    (project / DOCUMENT_CACHE).symlink_to(elsewhere, target_is_directory=True)
    out = tmp_path / "site"
    result = run("build", str(project), "--out", str(out))
    assert result.exit_code == 1
    assert "is a symbolic link" in result.output
    assert list(elsewhere.iterdir()) == []
    assert not out.exists()


# ------------------------------------------------------------------ 3. baking and excerpts


@pytest.fixture(scope="module")
def badge_png() -> bytes:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4"/></svg>'
    return png_from_svg(svg, 64)


PAYLOADS = ['{"id": "https://example.org/a.json", "name": "Ünïcode ✓"}', "a.b.c", "{}"]


def _ob3_by_pypng(png: bytes, payload: str) -> bytes:
    """OB 3.0 baking as it was written before the chunks were reused."""
    header, *rest = pypng.Reader(bytes=png).chunks()
    keyword = b"openbadgecredential"
    credential = (b"iTXt", keyword + b"\0\0\0\0\0" + payload.encode("utf-8"))
    out = io.BytesIO()
    kept = [c for c in rest if not c[1].startswith(keyword + b"\0")]
    pypng.write_chunks(out, [header, credential, *kept])
    return out.getvalue()


def test_png_baking_writes_the_bakerys_bytes(badge_png: bytes) -> None:
    for payload in PAYLOADS:
        by_bakery = png_bakery.bake(io.BytesIO(badge_png), payload, io.BytesIO()).getvalue()
        assert baking.bake_ob2_png(badge_png, payload) == by_bakery
        assert baking.bake_ob3_png(badge_png, payload) == _ob3_by_pypng(badge_png, payload)
        # Baking a baked image again replaces its chunk, in both versions.
        again = baking.bake_ob2_png(baking.bake_ob2_png(badge_png, "{}"), payload)
        assert again == by_bakery
        twice = baking.bake_ob3_png(baking.bake_ob3_png(badge_png, "{}"), payload)
        assert twice == _ob3_by_pypng(badge_png, payload)
        assert baking.extract_ob2_png(by_bakery) == payload
        assert baking.extract_ob3_png(twice) == payload


_TEXT_RE = re.compile(r"</?[A-Za-z][^>]*>")
_LINE_MARKUP_RE = re.compile(
    r"^(?:\s*\|?[-:| ]{3,}|-{3,}\s*|\s{0,3}(?:#{1,6}\s|>\s?|(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s*)?))"
    r"|\s\|(?=\s|$)|^\|",
    re.M,
)
_EMPHASIS_RE = re.compile(r"[*_~`]+")


def _emphasis(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    inside = start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()
    return match.group() if inside else ""


def _excerpt_before(text: str, limit: int = 220) -> str:
    """`plain_excerpt` as it was: every pass on every text."""
    text = text[: limit * 3]
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", _TEXT_RE.sub(" ", text))
    text = _EMPHASIS_RE.sub(_emphasis, _LINE_MARKUP_RE.sub(" ", text))
    words = html.unescape(re.sub(r"\s+", " ", text)).strip()
    if len(words) <= limit:
        return words
    cut = words[: limit - 1]
    if words[limit - 1] != " ":
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


PIECES = [
    *("a", "Z", "9", "é", "ß", "٣", "word", "snake_case", "2*3", ":", ";", "-", "&"),
    *("_", "*", "**", "~", "`", "|", " | ", "#", "## ", "> ", "- ", "1. ", "2) ", "---"),
    *("[x] ", "[ ] ", "[", "]", "(", ")", "![", "](", "<b>", "</i>", "<", ">"),
    *("&amp;", "&#32;", "&nbsp;", "&#10;"),
    *("\n", "\n\n", " ", "   ", "\t", "\r", "\x0b", "\u00a0", "\u2003", "\u2028"),
]


def test_excerpts_are_those_of_every_pass_on_every_text() -> None:
    rng = random.Random(14)
    for _ in range(30_000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 80)))
        limit = rng.choice([5, 40, 220])
        assert plain_excerpt(text, limit) == _excerpt_before(text, limit), (text, limit)
