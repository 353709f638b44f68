"""One signing key pair for the whole test session, given to every build through MENTEO_KEYS
(subprocesses inherit it): no test writes a development key into a fixture, and every build in
a session signs with the same keys."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from menteo.credentials.keys import generate_keys, write_keys


@pytest.fixture(scope="session", autouse=True)
def signing_keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("signing-keys") / "keys"
    write_keys(folder, generate_keys(str(folder)))
    previous = os.environ.get("MENTEO_KEYS")
    os.environ["MENTEO_KEYS"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["MENTEO_KEYS"]
    else:
        os.environ["MENTEO_KEYS"] = previous
