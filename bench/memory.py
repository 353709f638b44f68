"""Where a cold `menteo build`'s memory goes: the target is the peak PSS of the whole process tree
(issue 14: at most half of Hugo's), and this says which process, and which stage, holds it.

    python bench/memory.py COMMUNITY [--runs 3] [--stages] [-- MENTEO-BUILD-ARGS...]

Each run is a fresh `python -m menteo build COMMUNITY --out <new folder>`, with the community's
`.menteo/` removed first (a cold build), sampled as run.py samples it (summed PSS of every
descendant, this script their subreaper), but every 50 ms and keeping, at the tree's peak, each
process's share: the build, its render and share-card workers, Pagefind runs. The medians of the
runs' peaks are printed last. `--stages` instead builds once in this process (menteo imported
from this checkout) and prints the peak PSS of this process and of the tree during each stage
the build reports, which is where to look when the build itself grows. `--timeline` prints,
for each run, the tree and each process every half second: which processes overlap (render and
share-card workers, Pagefind runs) and when each peaks.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from run import KEYS_DIR_ENV, MIB, become_subreaper, bench_keys, build_env, descendants, pss_bytes

INTERVAL = 0.05


def _command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode("utf-8", "replace")[:90]
    except OSError:
        return "?"


class PeakSampler(threading.Thread):
    """Samples the PSS of `root`'s descendants (and of `root` itself if `include_root`) until
    stopped; keeps the largest sum, each process's share at that moment, and per `label()`
    the largest sum and the largest share of `root`."""

    def __init__(self, include_root: bool = False, label: Callable[[], str] = str) -> None:
        super().__init__(daemon=True)
        self.root = os.getpid()
        self.include_root = include_root
        self.label = label
        self.halt = threading.Event()
        self.peak: tuple[int, list[tuple[int, str]]] = (0, [])
        self.stages: dict[str, tuple[int, int]] = {}
        self.timeline: list[tuple[float, int, list[tuple[int, str]]]] = []

    def run(self) -> None:
        while not self.halt.is_set():
            pids = descendants(self.root)
            shares = [(pss_bytes(p), _command_line(p)) for p in pids]
            own = pss_bytes(self.root) if self.include_root else 0
            total = own + sum(share for share, _ in shares)
            if total > self.peak[0]:
                self.peak = (total, sorted(shares, reverse=True))
            self.timeline.append((time.monotonic(), total, sorted(shares, reverse=True)))
            stage = self.label()
            before = self.stages.get(stage, (0, 0))
            self.stages[stage] = (max(before[0], own), max(before[1], total))
            self.halt.wait(INTERVAL)


def one_run(
    community: Path, extra: list[str], timeline: bool = False
) -> tuple[float, list[tuple[int, str]]]:
    """A cold build's peak tree PSS (MiB) and each process's share (bytes) at that moment;
    `timeline` prints the tree every half second first."""
    shutil.rmtree(community / ".menteo", ignore_errors=True)
    out = Path(tempfile.mkdtemp(prefix="menteo-memory-"))
    sampler = PeakSampler()
    sampler.start()
    try:
        command = [sys.executable, "-m", "menteo", "build", str(community), "--out", str(out)]
        done = subprocess.run([*command, *extra], env=build_env(), capture_output=True, text=True)
    finally:
        sampler.halt.set()
        sampler.join()
        shutil.rmtree(out, ignore_errors=True)
    if done.returncode != 0:
        raise SystemExit(f"the build failed:\n{done.stderr[-3000:]}")
    if timeline:
        _print_timeline(sampler.timeline)
    return sampler.peak[0] / MIB, sampler.peak[1]


def _print_timeline(samples: list[tuple[float, int, list[tuple[int, str]]]]) -> None:
    """Every half second: seconds since the start, the tree's PSS, each process's (MiB)."""
    start = samples[0][0] if samples else 0.0
    shown = -1.0
    for when, total, shares in samples:
        if when - shown < 0.5:
            continue
        shown = when
        parts = "  ".join(f"{share / MIB:.0f} {_short(command)}" for share, command in shares)
        print(f"  {when - start:6.1f} s {total / MIB:5.0f} MiB = {parts}")


def _short(command: str) -> str:
    """A process's name for the timeline: its program, or what Python runs."""
    words = command.split()
    if not words:
        return "?"
    if "forkserver" in command or "resource_tracker" in command:
        return "forked" if "forkserver" in command else "tracker"  # workers: their server's line
    if "pagefind" in words[0]:
        return "pagefind"
    return "build" if "menteo" in command else Path(words[0]).name


def by_stage(community: Path, extra: list[str]) -> None:
    """One build in this process: the peak of this process and of the tree in each stage."""
    from menteo.build import build_site
    from menteo.progress import Progress

    current = ["start"]

    class Stages(Progress):
        def stage(self, label: str, total: int | None = None) -> None:
            current[0] = label

    shutil.rmtree(community / ".menteo", ignore_errors=True)
    out = Path(tempfile.mkdtemp(prefix="menteo-memory-"))
    sampler = PeakSampler(include_root=True, label=lambda: current[0])
    sampler.start()
    try:
        environ = {**os.environ, KEYS_DIR_ENV: str(bench_keys())}
        build_site(
            community, out, progress=Stages(), search="--no-search" not in extra, environ=environ
        )
        time.sleep(2 * INTERVAL)
    finally:
        sampler.halt.set()
        sampler.join()
        shutil.rmtree(out, ignore_errors=True)
    print("  this process    tree  stage (peak PSS, MiB)")
    for stage, (own, total) in sampler.stages.items():
        print(f"  {own / MIB:12.0f} {total / MIB:7.0f}  {stage}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("community", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stages", action="store_true")
    parser.add_argument("--timeline", action="store_true")
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    community = args.community.resolve()
    if args.stages:
        by_stage(community, extra)
        return 0
    become_subreaper()
    peaks = []
    for number in range(args.runs):
        peak, shares = one_run(community, extra, args.timeline)
        peaks.append(peak)
        print(f"run {number + 1}: peak PSS of the tree {peak:.0f} MiB")
        for share, command in shares:
            print(f"  {share / MIB:6.0f} MiB  {command}")
    print(f"median peak PSS {statistics.median(peaks):.0f} MiB over {len(peaks)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
