"""The slimmed shapes of what a build holds (issue 14, memory) still behave as before.

- Records and bodies are slotted frozen dataclasses: equal by value, immutable (bodies hashable), and
  pickled to workers and into the parse store whole.
- Pydantic models share one `model_fields_set` per distinct set of given fields: it still says
  exactly which fields a file gave, and a copy never changes another instance's.
- A loaded community shares its key paths and slug texts between records.
- The credential files' baked images are baked when read (`IssuedFiles`), byte for byte what
  baking them at once gave; `generated_files` still refuses a file with private key material.
"""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner

from factory import FEEDBACK, KICKOFF, THREAD, make_community
from menteo.cli import main
from menteo.content.community import EntryRecord, Person
from menteo.content.loader import LoadMemo, load_community
from menteo.content.models import Criterion, Entry
from menteo.content.parse_store import PARSE_CACHE, load_remembered
from menteo.credentials import baking, images
from menteo.credentials.issue import IssuedFiles

SECOND = f"{THREAD}/2025-01-20-second.md"
SECOND_TEXT = """\
---
kind: session
date: 2025-01-20
author: ana-lima
title: Second session
tags: [css]
---
More CSS.
"""


def _entries(root: Path) -> dict[str, EntryRecord]:
    community = load_community(root)
    return {e.path: e for t in community.threads.values() for e in t.entries}


def test_records_are_slotted_equal_hashable_and_frozen(tmp_path: Path) -> None:
    root = make_community(tmp_path / "c", {SECOND: SECOND_TEXT})
    first, again = _entries(root), _entries(root)
    kickoff = first[KICKOFF]
    assert not hasattr(kickoff, "__dict__") and not hasattr(kickoff.body, "__dict__")
    assert kickoff == again[KICKOFF] and kickoff is not again[KICKOFF]
    assert hash(kickoff.body) == hash(again[KICKOFF].body)  # records hold lists: unhashable
    assert len({kickoff.body, again[KICKOFF].body, first[SECOND].body}) == 2
    assert kickoff != first[SECOND]
    with pytest.raises(dataclasses.FrozenInstanceError):
        kickoff.slug = "other"  # type: ignore[misc]
    with pytest.raises((AttributeError, TypeError)):  # no `__dict__` to put it in
        kickoff.extra = 1  # type: ignore[attr-defined]
    moved = dataclasses.replace(kickoff, excerpt="changed")
    assert moved.excerpt == "changed" and kickoff.excerpt != "changed"


def test_records_pickle_whole(tmp_path: Path) -> None:
    """What render workers receive (a body to read) and the parse store keeps."""
    root = make_community(tmp_path / "c")
    community = load_community(root)
    kickoff = _entries(root)[KICKOFF]
    back = pickle.loads(pickle.dumps(kickoff))
    assert back == kickoff and back.located.lines == kickoff.located.lines
    assert back.body == kickoff.body and back.body.text() == "We agreed on a plan."
    person = community.mentors["ana-lima"]
    assert isinstance(person, Person)
    copied = pickle.loads(pickle.dumps(person))
    assert (copied.role, copied.public, copied.model) == (person.role, person.public, person.model)


def test_the_parse_store_gives_back_the_same_records(tmp_path: Path) -> None:
    root = make_community(tmp_path / "c", {SECOND: SECOND_TEXT})
    cold = load_remembered(root, None, LoadMemo())
    assert (root / PARSE_CACHE).is_dir()
    memo = LoadMemo()
    warm = load_remembered(root, None, memo)
    assert memo.entries and all(type(k.value) is EntryRecord for k in memo.entries.values())
    assert warm.threads == cold.threads and warm.mentors == cold.mentors


def test_models_share_their_fields_set_and_copies_stay_apart(tmp_path: Path) -> None:
    root = make_community(tmp_path / "c", {SECOND: SECOND_TEXT})
    entries = _entries(root)
    kickoff, second, feedback = entries[KICKOFF], entries[SECOND], entries[FEEDBACK]
    assert kickoff.model.model_fields_set == {
        "kind",
        "date",
        "author",
        "title",
        "roadmap_step",
        "goals",
    }
    assert second.model.model_fields_set == {"kind", "date", "author", "title", "tags"}
    assert feedback.model.model_fields_set == {"kind", "date", "author", "title", "rating"}
    again = _entries(root)[SECOND]
    assert again.model.model_fields_set is second.model.model_fields_set
    copy = second.model.model_copy(update={"rating": 4})
    assert "rating" in copy.model_fields_set
    assert "rating" not in second.model.model_fields_set
    assert copy.model_dump(exclude_unset=True)["rating"] == 4
    assert second.model.model_dump(exclude_unset=True) == {
        "kind": "session",
        "date": second.model.date,
        "author": "ana-lima",
        "title": "Second session",
        "tags": ["css"],
    }
    assert pickle.loads(pickle.dumps(second.model)) == second.model
    with pytest.raises(ValueError):
        second.model.title = "changed"  # type: ignore[misc]


def test_a_criterion_still_knows_its_one_measure() -> None:
    """`Criterion.kind` reads the fields set: shared sets must not blur which rule is which."""
    sessions = Criterion.model_validate({"sessions": {"min": 2}})
    mentees = Criterion.model_validate({"mentees": {"min": 1}})
    again = Criterion.model_validate({"sessions": {"min": 5}})
    assert (sessions.kind, mentees.kind, again.kind) == ("sessions", "mentees", "sessions")
    assert sessions.model_fields_set is again.model_fields_set
    assert sessions != again


def test_records_share_key_paths_and_slugs(tmp_path: Path) -> None:
    root = make_community(tmp_path / "c", {SECOND: SECOND_TEXT})
    entries = _entries(root)
    kickoff, second = entries[KICKOFF], entries[SECOND]
    assert kickoff.model.author is second.model.author  # one "ana-lima", however many entries
    paths = {path: path for path in kickoff.located.lines}
    shared = [path for path in second.located.lines if path in paths]
    assert shared and all(paths[path] is path for path in shared)
    assert second.line("title") == 5 and kickoff.line("goals", 0) == 7
    assert Entry.model_validate(kickoff.model.model_dump()) == kickoff.model


def test_issued_files_bake_when_read_what_baking_at_once_gave() -> None:
    svg = images.badge_svg("Guide", 2, "mentor")
    png = images.png_from_svg(svg, 64)
    payload = '{"id": "urn:uuid:1"}'
    files = IssuedFiles()
    files.add("a.json", payload)
    files.bake("a.png", baking.bake_ob2_png, png, payload)
    files.bake("a.svg", baking.bake_ob3_svg, svg, payload)
    eager = {
        "a.json": payload.encode("utf-8"),
        "a.png": baking.bake_ob2_png(png, payload),
        "a.svg": baking.bake_ob3_svg(svg, payload).encode("utf-8"),
    }
    assert dict(files) == eager and files == eager
    assert len(files) == 3 and list(files) == ["a.json", "a.png", "a.svg"]
    assert files["a.png"] == files["a.png"]
    assert baking.extract_ob2_png(files["a.png"]) == payload


def test_a_build_from_the_store_writes_the_same_site(tmp_path: Path) -> None:
    """Through the CLI: a cold build, then one whose records all come from the parse store
    (unpickled slotted records, shared sets), write byte-identical sites with their baked
    credential images."""
    root = make_community(tmp_path / "c", {SECOND: SECOND_TEXT})
    runner = CliRunner()
    sites = []
    for name in ("cold", "warm"):
        out = tmp_path / name
        result = runner.invoke(main, ["build", str(root), "--out", str(out), "--no-search"])
        assert result.exit_code == 0, result.output
        sites.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert (root / PARSE_CACHE).is_dir()
    assert sites[0] == sites[1]
