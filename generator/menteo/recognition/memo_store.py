"""The `EvaluationMemo` kept in `.menteo/cache/evaluation/` between builds (`build` and
`serve` keep it; other commands judge afresh).

One sealed file (`sealed`): a header naming the format and menteo's code (`code_identity`),
the SHA-256 of the rest, and JSON of key (hex) → value. Read back only as JSON and then only
through `memo.decode`, which builds nothing but this build's own criteria, entries, dates and
text: a missing, damaged, truncated, foreign or ill-formed file or value is a miss, never an
error. Rewritten only when a judgement was made afresh or one was dropped.
"""

from __future__ import annotations

import json
from pathlib import Path

from menteo.atomic_output import atomic_write
from menteo.code_identity import code_key
from menteo.errors import ContentError, Problem
from menteo.private_state import PrivateStateError, check_private_paths, make_private_folder
from menteo.recognition.memo import FORMAT, EvaluationMemo
from menteo.sealed import seal, unseal

EVALUATION_CACHE = Path(".menteo/cache/evaluation")
FILE = "memo.json"


def _header() -> bytes:
    return FORMAT + code_key(FORMAT, ()).hex().encode() + b"\n"


def read_memo(root: Path) -> EvaluationMemo:
    """The memo stored under `root` (empty if there is none that can be used); `ContentError`
    if git tracks the store or a link leads to it."""
    try:
        check_private_paths(root, [EVALUATION_CACHE])
    except PrivateStateError as exc:
        raise ContentError([Problem("keys", 0, "", str(exc))]) from None
    memo = EvaluationMemo()
    try:
        body = unseal(_header(), (root / EVALUATION_CACHE / FILE).read_bytes())
        stored = json.loads(body) if body is not None else None
    except (OSError, ValueError, RecursionError):
        return memo
    if type(stored) is dict:
        for key, value in stored.items():
            try:
                found = bytes.fromhex(key)
            except ValueError:
                continue
            memo.found[found] = value
    return memo


def write_memo(root: Path, memo: EvaluationMemo) -> None:
    """Keep what this evaluation judged (`memo.made`), if it differs from what was read; a store
    that cannot be written costs time next build, nothing else."""
    if not memo.changed and memo.made.keys() == memo.found.keys():
        return
    stored = {key.hex(): value for key, value in sorted(memo.made.items())}
    body = json.dumps(stored, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    try:
        make_private_folder(root / EVALUATION_CACHE)
        atomic_write(root / EVALUATION_CACHE / FILE, seal(_header(), body), durable=False)
    except OSError:
        return
    memo.found, memo.changed = dict(memo.made), False
