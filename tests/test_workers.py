"""`menteo.workers`: a worker process that dies fails the build at once, in one line, with the
previous site untouched (`multiprocessing.Pool` waited forever for its result); the worker
count does not need `os.sched_getaffinity`."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from menteo import workers
from menteo.workers import WorkerDied, cores, process_pool

MINI = Path(__file__).parent / "fixtures" / "mini"
GENERATOR = Path(workers.__file__).parents[1]

# Runs at the start of every Python process of the build (the fork server included, so its
# workers inherit it): the named task kills the worker process that runs it (the build's own
# process runs it unharmed: it renders pages too). It keeps the task's module and name, so the
# build still sends it to workers by reference.
SITECUSTOMIZE = """\
import multiprocessing
import signal


def dying(task):
    def die(*args, **kwargs):
        if multiprocessing.parent_process() is None:
            return task(*args, **kwargs)
        signal.raise_signal(signal.SIGKILL)

    die.__module__, die.__qualname__ = task.__module__, task.__qualname__
    return die


"""
TASKS = {
    "pages": """\
import menteo.site.render as render
render._render_chunk = dying(render._render_chunk)
""",
    "share cards": """\
import menteo.credentials.images as images
import menteo.site.share as share
images.share_image = share.share_image = dying(images.share_image)
share.PARALLEL_FROM = 1
""",
    "proofs": """\
import menteo.credentials.parallel as parallel
parallel._sign = dying(parallel._sign)
parallel.PARALLEL_FROM = 1
parallel.cores = lambda: 2
""",
}


def build(root: Path, out: Path, hook: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`menteo build` on two workers in a fresh process, with `hook` on its path."""
    paths = [str(GENERATOR)] if hook is None else [str(hook), str(GENERATOR)]
    return subprocess.run(
        [sys.executable, "-m", "menteo", "build", str(root), "--out", str(out), "--jobs", "2"],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
        capture_output=True,
        text=True,
        timeout=120,  # a hang (the old pool) fails the test instead of stalling the suite
    )


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def community(folder: Path) -> Path:
    """A copy of the mini community without its caches: every card and proof is made anew."""
    root = folder / "community"
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns(".menteo"))
    return root


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site the failed builds must leave as it is."""
    folder = tmp_path_factory.mktemp("previous")
    out = folder / "site"
    result = build(community(folder), out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("task", list(TASKS))
def test_a_killed_worker_fails_the_build_cleanly(tmp_path: Path, previous: Path, task: str) -> None:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE + TASKS[task], encoding="utf-8")
    root = community(tmp_path)
    sites = tmp_path / "sites"
    out = sites / "site"
    shutil.copytree(previous, out)
    result = build(root, out, hook)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[-1] == (
        "Error: a worker process stopped before finishing (killed, or out of memory?); "
        "nothing was written"
    )
    assert "Traceback" not in result.stderr
    assert [p.name for p in sites.iterdir()] == ["site"]
    assert files(out) == files(previous)


def test_the_pool_says_a_worker_died() -> None:
    with pytest.raises(WorkerDied), process_pool(2) as pool:
        list(pool.map(signal.raise_signal, [signal.SIGKILL]))


def test_the_pool_returns_results_in_order() -> None:
    with process_pool(2) as pool:
        assert list(pool.map(abs, range(-20, 0), chunksize=3)) == list(range(20, 0, -1))


def test_cores_without_affinity_counts_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert cores() == 3
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert cores() == 1


def test_cores_follows_the_affinity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 5}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert cores() == 2


def test_no_build_module_makes_its_own_pool() -> None:
    """One helper decides how workers start and fail; a second pool would hang again."""
    package = GENERATOR / "menteo"
    for path in package.rglob("*.py"):
        if path.name != "workers.py":
            text = path.read_text(encoding="utf-8")
            assert "Pool(" not in text and "PoolExecutor(" not in text, path
            assert "sched_getaffinity" not in text, path
