"""What a rebuild remembers of the stages before rendering (issue 14): each person's evaluation
(`menteo.recognition.memo`, kept by `memo_store` in `.menteo/cache/evaluation/`).

A remembered judgement must be exactly what judging afresh gives, after every kind of edit;
an edit re-judges exactly the people whose inputs it touched (a table of edits that must and
must not invalidate); the store is attacked the ways a restored CI cache could be (damaged,
truncated, foreign, forged into shapes it never has, behind a link) through the real CLI, and
a rebuild is byte-identical to a cold build.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from menteo import code_identity
from menteo.cli import main
from menteo.content.loader import LoadMemo
from menteo.content.models import Audience
from menteo.content.parse_store import load_remembered
from menteo.ledger.review import review
from menteo.ledger.store import read_ledger
from menteo.recognition import memo_store
from menteo.recognition.evaluate import evaluate
from menteo.recognition.memo import EvaluationMemo
from menteo.recognition.memo_store import EVALUATION_CACHE, read_memo, write_memo
from menteo.sealed import seal
from test_incremental import MINI, tree

THREAD = "content/threads/ana-lukasiewicz--jonas-berg"
FEEDBACK = f"{THREAD}/2025-05-20-feedback.md"
PROMOTED = f"{THREAD}/2025-05-10-promoted.md"
MENTOR = "content/mentors/ana-lukasiewicz.md"
ANA = (Audience.MENTOR, "ana-lukasiewicz")
JONAS = (Audience.MENTEE, "jonas-berg")
QUIET = (Audience.MENTEE, "quiet-one")
EVERYONE = {ANA, JONAS, QUIET}


def community_copy(tmp_path: Path) -> Path:
    root = tmp_path / "community"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    return root


def replace(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_entry(root: Path) -> None:
    (root / THREAD / "2025-06-01-more.md").write_text(
        "---\nkind: session\ndate: 2025-06-01\nauthor: ana-lukasiewicz\ntitle: More\n---\nHi.\n",
        encoding="utf-8",
    )


def drop_ledger_line(root: Path) -> None:
    path = root / "ledger/awards.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")


def load(root: Path):  # type: ignore[no-untyped-def]
    return load_remembered(root, None, LoadMemo(), keep=False)


def judged_afresh(root: Path) -> set[tuple[Audience, str]]:
    """Evaluate `root` with its stored memo, check the result is a fresh evaluation's, store
    the memo; return the people the stored memo did not hold (judged afresh)."""
    community = load(root)
    memo = read_memo(root)
    found = dict(memo.found)
    with_memo = evaluate(community, memo=memo)
    assert with_memo == evaluate(community)
    write_memo(root, memo)
    rejudged = set()
    for who in with_memo.results:
        probe = EvaluationMemo(found=dict(found))
        evaluate(community, only={who}, memo=probe)
        if probe.fresh:
            rejudged.add(who)
    return rejudged


EDITS = {
    # must re-judge the edited thread's people (Ana and Jonas), not Quiet One
    "entry text": (lambda r: replace(r, FEEDBACK, "Clear, kind", "Clear, warm"), {ANA, JONAS}),
    "feedback rating": (lambda r: replace(r, FEEDBACK, "rating: 5", "rating: 2"), {ANA, JONAS}),
    "entry added": (add_entry, {ANA, JONAS}),
    "entry deleted": (lambda r: (r / PROMOTED).unlink(), {ANA, JONAS}),
    "thread goals": (
        lambda r: replace(r, f"{THREAD}/thread.yaml", "status: achieved", "status: dropped"),
        {ANA, JONAS},
    ),
    # must re-judge everyone: what every judgement reads
    "badge criteria": (
        lambda r: replace(r, "badges/guide.yaml", "mentees: {min: 2}", "mentees: {min: 1}"),
        EVERYONE,
    ),
    "badge name": (
        lambda r: replace(r, "badges/starter.yaml", "name: Starter", "name: Beginner"),
        EVERYONE,
    ),
    "badge added": (
        lambda r: (r / "badges/second.yaml").write_text(
            "name: Second\naudience: mentee\ndescription: Two.\ncriteria:\n  sessions: {min: 2}\n",
            encoding="utf-8",
        ),
        EVERYONE,
    ),
    "roadmap": (
        lambda r: replace(
            r, "content/roadmaps/sre.yaml", "{id: incident-response", "{id: incidents"
        ),
        EVERYONE,
    ),
    "config": (lambda r: replace(r, "menteo.yml", "name: Mini Circle", "name: Midi"), EVERYONE),
    # must re-judge nobody: not read by an evaluation
    "mentor's bio": (lambda r: replace(r, MENTOR, "I help engineers", "I help people"), set()),
    "ledger": (drop_ledger_line, set()),
    "nothing": (lambda r: None, set()),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_edit_rejudges_exactly_whom_it_touches_and_memo_equals_fresh(
    tmp_path: Path, name: str
) -> None:
    root = community_copy(tmp_path)
    assert judged_afresh(root) == EVERYONE  # an empty store: everyone
    change, expected = EDITS[name]
    change(root)
    assert judged_afresh(root) == expected
    assert judged_afresh(root) == set()  # and then remembered


def test_the_review_with_a_memo_decides_as_without(tmp_path: Path) -> None:
    """Pending awards and stale-award warnings are the ledger's decisions: the same with
    remembered judgements, after a ledger change and a badge-changing edit."""
    root = community_copy(tmp_path)
    judged_afresh(root)
    drop_ledger_line(root)
    replace(root, FEEDBACK, "rating: 5", "rating: 1")
    community, ledger = load(root), read_ledger(root)
    memo = read_memo(root)
    assert memo.found
    with_memo, without = review(community, ledger, memo), review(community, ledger)
    assert with_memo.pending == without.pending
    assert with_memo.warnings == without.warnings
    assert with_memo.evaluation == without.evaluation


def test_another_menteo_finds_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = community_copy(tmp_path)
    judged_afresh(root)
    assert read_memo(root).found
    other = lambda form, libraries: b"another menteo"  # noqa: E731
    monkeypatch.setattr(memo_store, "code_key", other)
    assert not read_memo(root).found  # the file's header names another code
    monkeypatch.undo()
    monkeypatch.setattr(code_identity, "code_key", other)
    memo = read_memo(root)
    evaluate(load(root), memo=memo)
    assert not set(memo.made) & set(memo.found)  # and every key holds the code


def test_a_community_without_digests_remembers_nothing(tmp_path: Path) -> None:
    from menteo.content.loader import load_community

    root = community_copy(tmp_path)
    memo = EvaluationMemo()
    evaluate(load_community(root), memo=memo)
    assert not memo.made and not memo.fresh


# ------------------------------------------------------------------ through the real CLI


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def build(root: Path, out: Path) -> Result:
    return run("build", root, "--out", out, "--no-search")


def shards(root: Path) -> list[Path]:
    return sorted((root / EVALUATION_CACHE).glob("*.json"))


def resealed(path: Path, change) -> bytes:  # type: ignore[no-untyped-def]
    """The shard with its JSON changed by `change`, sealed as menteo seals it: well framed, so
    only its content can make it a miss."""
    header = memo_store._header()
    data = json.loads(path.read_bytes()[len(header) + 65 :])
    return seal(header, json.dumps(change(data)).encode())


def _each(data: dict, change) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return {key: change(value) for key, value in data.items()}


def _far_evidence(value: list) -> list:  # type: ignore[type-arg]
    for badge in value:
        badge[1][0][3] = [10**6]
    return value


def _bad_day(value: list) -> list:  # type: ignore[type-arg]
    for badge in value:
        badge[2] = [[10**12, None, []]]
    return value


def _negative(value: list) -> list:  # type: ignore[type-arg]
    for badge in value:
        badge[1][0][3] = [-1]
    return value


DAMAGE = {
    "truncated": lambda path: path.read_bytes()[:-40],
    "garbage": lambda path: b"\x00\xff" * 100,
    "empty": lambda path: b"",
    "a flipped byte": lambda path: (lambda b: b[:-5] + bytes([b[-5] ^ 1]) + b[-4:])(
        path.read_bytes()
    ),
    "not JSON": lambda path: seal(memo_store._header(), b"{not json"),
    "deep JSON": lambda path: seal(memo_store._header(), b"[" * 100_000 + b"]" * 100_000),
    "a list": lambda path: resealed(path, lambda data: list(data)),
    "keys not hex": lambda path: resealed(path, lambda d: {"zz" + k: v for k, v in d.items()}),
    "keys in another shard": lambda path: resealed(
        path, lambda d: {f"{(int(k[:2], 16) + 1) % 256:02x}{k[2:]}": v for k, v in d.items()}
    ),
    "evidence out of range": lambda path: resealed(path, lambda d: _each(d, _far_evidence)),
    "negative evidence": lambda path: resealed(path, lambda d: _each(d, _negative)),
    "a date out of range": lambda path: resealed(path, lambda d: _each(d, _bad_day)),
    "texts as numbers": lambda path: resealed(
        path, lambda d: _each(d, lambda v: [[b[0], [[1, *r[1:]] for r in b[1]], b[2]] for b in v])
    ),
    "a badge missing": lambda path: resealed(path, lambda d: _each(d, lambda v: v[1:])),
}


def test_a_mentors_value_for_a_mentee_is_a_miss(tmp_path: Path) -> None:
    """Values are bound to nothing but their key: one moved under another person's key must
    not fit (a mentor is judged on other badges than a mentee)."""
    root = community_copy(tmp_path)
    judged_afresh(root)
    memo = read_memo(root)
    longest = max(memo.found.values(), key=len)
    memo.found = {key: longest for key in memo.found}
    community = load(root)
    assert evaluate(community, memo=memo) == evaluate(community)
    assert len(memo.fresh) == 2  # both mentees


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_a_damaged_or_forged_store_is_a_miss(tmp_path: Path, name: str) -> None:
    root = community_copy(tmp_path)
    assert build(root, tmp_path / "cold").exit_code == 0
    assert shards(root)
    for path in shards(root):
        path.write_bytes(DAMAGE[name](path))
    result = build(root, tmp_path / "site")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert tree(tmp_path / "site") == tree(tmp_path / "cold")
    assert judged_afresh(root) == set()  # the store is whole again


def test_a_store_behind_a_symlink_is_refused(tmp_path: Path) -> None:
    """A committed link could point the store at a file someone else wrote."""
    elsewhere = community_copy(tmp_path / "elsewhere")
    assert build(elsewhere, tmp_path / "elsewhere-site").exit_code == 0
    root = community_copy(tmp_path)
    (root / EVALUATION_CACHE).parent.mkdir(parents=True)
    (root / EVALUATION_CACHE).symlink_to(elsewhere / EVALUATION_CACHE)
    result = build(root, tmp_path / "site")
    assert result.exit_code == 1, result.output
    assert "symbolic link" in result.output
    assert "Traceback" not in result.output


def test_a_rebuild_after_a_badge_changing_edit_is_a_cold_build(tmp_path: Path) -> None:
    """A feedback rating that takes Ana's Beacon progress down, rebuilt with the memo, then the
    same input built cold (a copy with no cache at all)."""
    root = community_copy(tmp_path)
    assert build(root, tmp_path / "site").exit_code == 0
    replace(root, FEEDBACK, "rating: 5", "rating: 1")
    assert build(root, tmp_path / "site").exit_code == 0
    cold = tmp_path / "cold"
    shutil.copytree(root, cold, ignore=shutil.ignore_patterns("evaluation", "pages", "parsed"))
    assert not (cold / EVALUATION_CACHE).exists()
    assert build(cold, tmp_path / "cold-site").exit_code == 0
    assert tree(tmp_path / "site") == tree(tmp_path / "cold-site")
