"""The credential benchmark prepares a valid community and measures what it says: a cold issue
that signs every award, and a warm one after one new award that signs that award only. A
benchmark whose warm run re-signed everything, or nothing, would pass or fail for the wrong
reason."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from menteo.credentials import baking
from menteo.ledger.records import LEDGER_FILE

BENCH = Path(__file__).resolve().parent.parent / "bench"
_spec = importlib.util.spec_from_file_location("bench_credentials", BENCH / "credentials.py")
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = bench  # dataclasses look their module up
_spec.loader.exec_module(bench)


def test_cold_issue_signs_every_award_and_warm_only_the_new_one(tmp_path: Path) -> None:
    root, keys, stamp_path = tmp_path / "community", tmp_path / "keys", tmp_path / "stamp.json"
    stamp, fresh = bench.prepare(root, keys, 12, 150, None, seed=3, stamp_path=stamp_path)
    assert fresh
    assert bench.prepare(root, keys, 12, 150, None, seed=3, stamp_path=stamp_path) == (
        stamp,
        False,
    )
    published = stamp["awards_published"]
    assert published > 0
    assert stamp["ledger_lines"] <= stamp["awards_recorded"]

    ledger = root / LEDGER_FILE
    shorter = tmp_path / "without-last.jsonl"
    bench.without_last_line(ledger, shorter)
    cache = tmp_path / "signatures.json"

    loaded = bench.load(root, ledger, keys)
    plain_bake = baking.bake_ob2_svg
    with bench.FormTimes() as forms:
        issued, cold, seconds = bench.issue_stage(loaded, cache)
    assert baking.bake_ob2_svg is plain_bake  # the timers are gone again
    assert len(issued.awards) == published
    # Every award's proof and two JWS, and the status list's proof and VC-JWT.
    assert cold.computed == {"eddsa-rdfc-2022": published + 1, "RS256": 2 * published + 1}
    rows = forms.rows(seconds)
    assert rows["OB 3.0 Data Integrity: RDFC-1.0 canonicalisation (pyld)"] > 0
    assert rows[bench.OTHER] >= 0

    pages = bench.award_pages(loaded, issued, tmp_path / "pages", jobs=1)
    assert pages["pages"] == pages["files"] == published

    _, warm_up, _ = bench.issue_stage(bench.load(root, shorter, keys), cache)
    assert warm_up.computed == {}
    warm_up.keep_only_used()

    issued, warm, _ = bench.issue_stage(bench.load(root, ledger, keys), cache)
    assert len(issued.awards) == published
    assert warm.computed == bench.NEW_AWARD_SIGNATURES == {"eddsa-rdfc-2022": 1, "RS256": 2}
