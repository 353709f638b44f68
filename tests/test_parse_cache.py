"""The parse store (`menteo.content.parse_store`): a build or check after a one-line edit parses
that one file, and whatever the store holds, the result is a cold load's.

Parses are counted by wrapping the loader's YAML parser (every file's fields go through it
once per parse). The store is attacked the ways a restored CI cache or a pull request could:
damaged, truncated, from another menteo, forged to run code, committed to git, behind a link.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from tests.factory import FILES, KICKOFF, MENTEE, THREAD_FILE, edit, make_community

from menteo.cli import main
from menteo.content import loader
from menteo.content.loader import LoadMemo, load_community
from menteo.content.parse_store import PARSE_CACHE, SHARDS, load_remembered

PUBLIC_THREAD = edit(
    THREAD_FILE, "started: 2025-01-10\n", "started: 2025-01-10\nvisibility: public\n"
)
KICKOFF_BODY_LINE = 9
FILE_COUNT = len(FILES) - 1
"""Files parsed through the store (all but menteo.yml, which is parsed on every load)."""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def build(root: Path) -> Result:
    """A build, which keeps the store up to date (`check` only reads it)."""
    return run("build", root, "--out", root.parent / f"{root.name}-site", "--no-search")


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files parsed, in order (menteo.yml left out)."""
    seen: list[str] = []
    original = loader.load_yaml

    def counting(text: str, path: str, line_offset: int = 0) -> object:
        if path != "menteo.yml":
            seen.append(path)
        return original(text, path, line_offset)

    monkeypatch.setattr(loader, "load_yaml", counting)
    return seen


def shards(root: Path) -> list[Path]:
    return sorted(p for p in (root / PARSE_CACHE).iterdir() if not p.name.startswith("."))


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def append_line(path: Path) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write("One more line.\n")


# ------------------------------------------------------------------------------ hits


def test_check_after_a_one_line_edit_parses_exactly_that_file_and_writes_nothing(
    tmp_path: Path, parses: list[str]
) -> None:
    root = make_community(tmp_path / "c")
    assert build(root).exit_code == 0
    assert len(parses) == FILE_COUNT
    assert 0 < len(shards(root)) <= SHARDS
    parses.clear()
    append_line(root / KICKOFF)
    before = tree(root)
    for _ in range(2):
        result = run("check", root)
        assert result.exit_code == 0, result.output
        assert parses == [KICKOFF]
        parses.clear()
    assert tree(root) == before
    assert build(root).exit_code == 0
    parses.clear()
    assert run("check", root).exit_code == 0
    assert parses == []


def test_build_after_a_one_line_edit_parses_exactly_that_file(
    tmp_path: Path, parses: list[str]
) -> None:
    root = make_community(tmp_path / "c", PUBLIC_THREAD)
    out = tmp_path / "site"
    assert run("build", root, "--out", out, "--no-search").exit_code == 0
    parses.clear()
    append_line(root / KICKOFF)
    result = run("build", root, "--out", out, "--no-search")
    assert result.exit_code == 0, result.output
    assert parses == [KICKOFF]
    assert any(b"One more line." in data for data in tree(out).values())


def test_a_moved_community_still_hits_and_reads_its_own_files(
    tmp_path: Path, parses: list[str]
) -> None:
    """A restored CI cache: another folder, new inodes and times; digests still match, and
    entry bodies are read from the new place."""
    first = make_community(tmp_path / "first", PUBLIC_THREAD)
    assert build(first).exit_code == 0
    moved = tmp_path / "moved"
    shutil.copytree(first, moved)
    shutil.rmtree(first)
    parses.clear()
    out = tmp_path / "site"
    result = run("build", moved, "--out", out, "--no-search")
    assert result.exit_code == 0, result.output
    assert parses == []
    assert any(b"We agreed on a plan." in data for data in tree(out).values())


def test_output_is_byte_identical_with_and_without_the_store(
    tmp_path: Path, parses: list[str]
) -> None:
    root = make_community(tmp_path / "c", PUBLIC_THREAD)
    assert run("build", root, "--out", tmp_path / "cold", "--no-search").exit_code == 0
    for folder in (root / ".menteo" / "cache").iterdir():
        if folder.name != PARSE_CACHE.name:  # rendered pages must come from the loaded data
            shutil.rmtree(folder) if folder.is_dir() else folder.unlink()
    parses.clear()
    assert run("build", root, "--out", tmp_path / "warm", "--no-search").exit_code == 0
    assert parses == []
    assert tree(tmp_path / "warm") == tree(tmp_path / "cold")


def test_loaded_community_equals_a_cold_load(tmp_path: Path) -> None:
    root = make_community(tmp_path / "c", PUBLIC_THREAD)
    load_remembered(root, None, LoadMemo())
    warm = load_remembered(root, None, LoadMemo())
    cold = load_community(root)
    assert warm == cold
    assert warm.warnings == cold.warnings
    entry = warm.threads["ana-lima--bo-chen"].entries[0]
    assert entry.body is not None and entry.body.text() == "We agreed on a plan."


# ----------------------------------------------------------- same problems, warm or cold


def test_problems_are_reported_identically_with_a_warm_store(
    tmp_path: Path, parses: list[str]
) -> None:
    """A file with a problem is not remembered: it is parsed, and reported, every time."""
    root = make_community(tmp_path / "c", edit(MENTEE, "skills: [css]", "skills: 42"))
    cold = run("check", root)
    assert cold.exit_code == 1
    assert f"{MENTEE}:2: skills" in cold.output
    assert build(root).exit_code == 1  # what loaded is remembered all the same
    parses.clear()
    warm = run("check", root)
    assert warm.exit_code == 1
    assert warm.output == cold.output
    assert parses == [MENTEE]


def test_warnings_of_remembered_files_are_reported_again(tmp_path: Path, parses: list[str]) -> None:
    warned = {KICKOFF: FILES[KICKOFF].replace("title: Kickoff", "title: Week #2 plan")}
    root = make_community(tmp_path / "c", warned)
    cold = run("check", root)
    assert cold.exit_code == 0, cold.output
    assert f"{KICKOFF}:5: title: quote the value: the rest was read as a comment" in cold.output
    assert build(root).exit_code == 0
    parses.clear()
    warm = run("check", root)
    assert warm.output == cold.output
    assert parses == []


def test_a_new_person_without_consent_rechecks_remembered_entries(tmp_path: Path) -> None:
    """An entry's prose was searched for the names of people without consent when it was
    parsed; once those names change, a remembered entry is searched again."""
    consented = edit(MENTEE, "skills: [css]\n", "skills: [css]\nconsent: {public: true}\n")
    body = {KICKOFF: FILES[KICKOFF].replace("We agreed on a plan.", "Bo Chen agreed on a plan.")}
    root = make_community(tmp_path / "c", {**PUBLIC_THREAD, **consented, **body})
    assert build(root).exit_code == 0
    make_community(root, {**PUBLIC_THREAD, **body})  # Bo Chen withdraws consent
    result = run("check", root)
    assert result.exit_code == 1, result.output
    assert (
        f"{KICKOFF}:{KICKOFF_BODY_LINE}: body: names mentee 'bo-chen', who has not consented"
        in result.output
    )


# --------------------------------------------------------------------- damaged stores

FORGED_MARKER = "forged-store-ran"


class _Payload:
    """Unpickled naively, runs a shell command."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[Callable[[str], int], tuple[str]]:
        return os.system, (self.command,)


def _sealed(header: bytes, payload: bytes) -> bytes:
    """A shard as menteo writes one: header, SHA-256 of the payload, the payload."""
    return header + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload


def _header(data: bytes) -> bytes:
    """The format line and the code key line of a real shard."""
    first = data.index(b"\n") + 1
    return data[: data.index(b"\n", first) + 1]


DAMAGE: dict[str, Callable[[bytes, Path], bytes]] = {
    "truncated": lambda data, _: data[: len(data) // 2],
    "flipped-byte": lambda data, _: data[:-10] + bytes([data[-10] ^ 1]) + data[-9:],
    "empty": lambda data, _: b"",
    "foreign-format": lambda data, _: data.replace(b"menteo-parse-cache", b"menteo-parse-cachf", 1),
    "other-menteo": lambda data, _: data[:30] + (b"0" if data[30:31] != b"0" else b"1") + data[31:],
    "not-a-pickle": lambda data, _: _sealed(_header(data), b"\x80\x05garbage"),
    "wrong-shape": lambda data, _: _sealed(_header(data), pickle.dumps({"a": 1})),
    "forged-os-system": lambda data, marker: _sealed(
        _header(data), pickle.dumps(_Payload(f"touch {marker}"), protocol=5)
    ),
    "forged-inside-a-shard": lambda data, marker: _sealed(
        _header(data),
        pickle.dumps((b"", {("x", None): _Payload(f"touch {marker}")}, {}), protocol=5),
    ),
    "forged-builtin": lambda data, _: _sealed(_header(data), pickle.dumps(eval, protocol=5)),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE)
def test_a_damaged_foreign_or_forged_store_is_a_miss(
    tmp_path: Path, parses: list[str], damage: Callable[[bytes, Path], bytes]
) -> None:
    root = make_community(tmp_path / "c", PUBLIC_THREAD)
    cold = run("check", root)
    assert cold.exit_code == 0, cold.output
    assert build(root).exit_code == 0
    marker = tmp_path / FORGED_MARKER
    for shard in shards(root):
        shard.write_bytes(damage(shard.read_bytes(), marker))
    parses.clear()
    result = run("check", root)
    assert result.exit_code == 0, result.output
    assert result.output == cold.output
    assert "Traceback" not in result.output
    assert sorted(parses) == sorted(set(parses)) and len(parses) == FILE_COUNT
    assert not marker.exists()
    assert build(root).exit_code == 0  # the store is written again
    parses.clear()
    assert run("check", root).exit_code == 0
    assert parses == []


def test_a_forged_shard_builds_nothing_but_its_allowlist(tmp_path: Path) -> None:
    """Refused before anything named is called: not even a harmless-looking builtin."""
    root = make_community(tmp_path / "c")
    load_remembered(root, None, LoadMemo())
    marker = tmp_path / FORGED_MARKER
    shard = shards(root)[0]
    shard.write_bytes(DAMAGE["forged-os-system"](shard.read_bytes(), marker))
    memo = LoadMemo()
    load_remembered(root, None, memo)
    assert not marker.exists()
    assert memo.files or memo.entries  # written again, from a cold parse


# ------------------------------------------------------------------ refused like other caches


def _git(root: Path, *args: str) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(root)]
    subprocess.run([*git, *args], check=True, capture_output=True)


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_store_tracked_by_git_is_refused(tmp_path: Path, command: str) -> None:
    root = make_community(tmp_path / "c")
    assert build(root).exit_code == 0
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    _git(root, "add", ".")
    _git(root, "add", "-f", PARSE_CACHE.as_posix())
    _git(root, "commit", "-qm", "planted")
    extra = ["--out", str(tmp_path / "site")] if command == "build" else []
    result = run(command, root, *extra)
    assert result.exit_code == 1, result.output
    assert "tracked by git" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_store_behind_a_symlink_is_refused(tmp_path: Path, command: str) -> None:
    """A committed link could point the store at files someone else wrote."""
    elsewhere = make_community(tmp_path / "elsewhere")
    assert build(elsewhere).exit_code == 0
    root = make_community(tmp_path / "c")
    (root / PARSE_CACHE).parent.mkdir(parents=True)
    (root / PARSE_CACHE).symlink_to(elsewhere / PARSE_CACHE)
    extra = ["--out", str(tmp_path / "site")] if command == "build" else []
    result = run(command, root, *extra)
    assert result.exit_code == 1, result.output
    assert "symbolic link" in result.output
    assert "Traceback" not in result.output
