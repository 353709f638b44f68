"""One signing key pair for the whole test session, given to every build through MENTEO_KEYS
(subprocesses inherit it): no test writes a development key into a fixture, and every build in
a session signs with the same keys."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from menteo.credentials import issue, parallel
from menteo.credentials.keys import generate_keys, write_keys
from menteo.site import render, search


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


@pytest.fixture
def signatures(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many Data Integrity proofs and JWSs the issue stage computes."""
    counts = {"data_integrity": 0, "jws": 0}

    def counting(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return original(*args, **kwargs)

        return wrapper

    for module in (issue, parallel):  # credentials are presigned (in parallel when many)
        monkeypatch.setattr(
            module, "sign_data_integrity", counting("data_integrity", module.sign_data_integrity)
        )
    monkeypatch.setattr(issue, "sign_jws", counting("jws", issue.sign_jws))
    return counts


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs of the pages the build renders (not taken from the cache)."""
    urls: list[str] = []
    original = render._render_chunk

    def counting(pages: list[tuple[object, str | None]]) -> render.Rendered:
        urls.extend(page.url for page, _ in pages)  # type: ignore[attr-defined]
        return original(pages)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "_render_chunk", counting)
    return urls


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every Pagefind run of the test, by the pages it read."""
    seen: list[list[str]] = []
    real = search._run

    def counted(binary: Path, site: Path, pages: list[str], output: Path) -> None:
        seen.append(pages)
        real(binary, site, pages, output)

    monkeypatch.setattr(search, "_run", counted)
    return seen
