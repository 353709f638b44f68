"""The benchmark's synthetic communities stay valid and deterministic as the content model grows:
a benchmark that silently stops loading measures nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.test_build import tree_digest

from menteo.build import build_site
from menteo.content.loader import load_community

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from generate import generate


def test_generated_community_loads_builds_and_is_reproducible(tmp_path: Path) -> None:
    files, _ = generate(tmp_path / "a", mentors=12, entries=150, seed=3)
    generate(tmp_path / "b", mentors=12, entries=150, seed=3)
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    community = load_community(tmp_path / "a")
    assert len(community.mentors) == 12
    assert sum(len(t.entries) for t in community.threads.values()) == 150
    result = build_site(tmp_path / "a", tmp_path / "site", workers=2)
    assert result.pages > 150 and files > 150
    # The recorded awards are issued, so a benchmark build signs credentials as a real one does.
    first = (tmp_path / "a" / "ledger" / "awards.jsonl").read_text("utf-8").splitlines()[0]
    award = json.loads(first)["id"].removeprefix("urn:uuid:")
    assert (tmp_path / "site" / "ob2" / "assertions" / f"{award}.jws").is_file()
