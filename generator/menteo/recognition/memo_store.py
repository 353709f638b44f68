"""The `EvaluationMemo` kept in `.menteo/cache/evaluation/` between builds (`build` and
`serve` keep it; other commands judge afresh).

`SHARDS` sealed files (`sealed`): a header naming the format and menteo's code
(`code_identity`), the SHA-256 of the rest, and JSON of key (hex) → value. Read back only as JSON and then only
through `memo.decode`, which builds nothing but this build's own criteria, entries, dates and
text: a missing, damaged, truncated, foreign or ill-formed file or value is a miss, never an
error. A shard is rewritten only when one of its judgements was made afresh or dropped.
"""

from __future__ import annotations

import json
from pathlib import Path

from menteo.atomic_output import atomic_write
from menteo.code_identity import code_key
from menteo.errors import ContentError, Problem
from menteo.private_state import PrivateStateError, check_private_paths, make_private_folder
from menteo.recognition.memo import FORMAT, KEY_SIZE, EvaluationMemo, Plain
from menteo.sealed import seal, unseal

EVALUATION_CACHE = Path(".menteo/cache/evaluation")
SHARDS = 16
"""Files of the store, each holding the keys whose first byte falls to it: an edit rewrites the
one or two holding the people it touched, not all of them."""


def _header() -> bytes:
    return FORMAT + code_key(FORMAT, ()).hex().encode() + b"\n"


def shard_path(root: Path, index: int) -> Path:
    return root / EVALUATION_CACHE / f"{index:02d}.json"


def _shard(key: bytes) -> int:
    return key[0] % SHARDS


def read_memo(root: Path) -> EvaluationMemo:
    """The memo stored under `root` (what can be used of it); `ContentError` if git tracks the
    store or a link leads to it."""
    try:
        check_private_paths(root, [EVALUATION_CACHE])
    except PrivateStateError as exc:
        raise ContentError([Problem("keys", 0, "", str(exc))]) from None
    memo = EvaluationMemo()
    header = _header()
    for index in range(SHARDS):
        try:
            body = unseal(header, shard_path(root, index).read_bytes())
            stored = json.loads(body) if body is not None else None
        except (OSError, ValueError, RecursionError):
            continue
        if type(stored) is not dict:
            continue
        for key, value in stored.items():
            try:
                found = bytes.fromhex(key)
            except ValueError:
                continue
            if len(found) == KEY_SIZE and _shard(found) == index:
                memo.found[found] = value
    return memo


def write_memo(root: Path, memo: EvaluationMemo) -> None:
    """Keep what this evaluation judged (`memo.made`): the shards that gained, lost or changed
    a value. A store that cannot be written costs time next build, nothing else."""
    shards: dict[int, dict[str, Plain]] = {}
    for key, value in sorted(memo.made.items()):
        shards.setdefault(_shard(key), {})[key.hex()] = value
    dropped = memo.found.keys() - memo.made.keys()
    changed = {_shard(key) for key in (*dropped, *memo.fresh)}
    if not changed:
        return
    header = _header()
    try:
        make_private_folder(root / EVALUATION_CACHE)
        for index in sorted(changed):
            body = json.dumps(shards.get(index, {}), ensure_ascii=False, separators=(",", ":"))
            atomic_write(shard_path(root, index), seal(header, body.encode()), durable=False)
    except OSError:
        return
    memo.found, memo.fresh = dict(memo.made), set()
