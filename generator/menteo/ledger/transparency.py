"""The published transparency log (`ledger/awards.json`): the award ledger as a site shows it.

Its format belongs with the ledger's own: the chain it lets anyone recompute is the chain
`records` verifies. Which lines may be shown in full is the caller's decision (consent is a
publication rule); this module only writes what it is given.
"""

from __future__ import annotations

import json

from menteo.ledger.records import GENESIS, line_hash

LEDGER_JSON = "ledger/awards.json"
"""Where a site publishes the log."""


def ledger_document(rows: list[tuple[str, bool]]) -> str:
    """The transparency log: every line's text if it may be published, else only its hash.
    Recomputing the chain needs nothing else: each line's `prev` is the previous `sha256`."""
    lines = [
        {"seq": n, "sha256": line_hash(text), **({"text": text} if shown else {})}
        for n, (text, shown) in enumerate(rows, start=1)
    ]
    document = {
        "format": "menteo award ledger: JSON Lines, each line's prev = sha256 of the previous "
        "line's UTF-8 bytes",
        "genesis": GENESIS,
        "head": lines[-1]["sha256"] if lines else GENESIS,
        "withheld": "lines without text name someone who has not consented to publication",
        "lines": lines,
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
