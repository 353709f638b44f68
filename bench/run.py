"""Time cold `menteo build` (or `menteo check`) runs on a generated community and check them
against the targets.

    python bench/run.py [--size small|large] [--command build|check] [--runs 5] [--jobs N]
                        [--json] [-- MENTEO-ARGS...]

The community is generated once into bench/out/<size>/ (a stamp file next to it records the
parameters and hashes of generate.py and badges/, so it is regenerated only when those change). Each run is a
fresh `python -m menteo build` process writing into a new empty directory, with any
`<community>/.menteo` folder (a serve preview) removed first.

Memory is the peak, over the run, of the summed PSS (proportional set size) of every process in
the build's tree: the build forks a process pool, so the parent's figure alone would miss the
workers, while a plain RSS sum counts every page a worker inherited from the parent once per
process. Both are printed; the target applies to PSS, the physical memory the build holds. A
sampler thread polls /proc every ~20 ms (PSS, which costs the kernel a page-table walk, every ~0.25 s); this script makes itself a child subreaper, so workers
whose parent exits first are still found. Exit status: 0 PASS, 1 the build failed, 3 a target was missed.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
KEYS = OUT / "keys"
KEYS_DIR_ENV = "MENTEO_KEYS"
KEY_FILES = ("ed25519.pem", "rsa.pem")
sys.path.insert(0, str(BENCH))  # bench/ is not a package
from generate import SIZES, generate, menteo_env, recorded_awards  # noqa: E402

SEED = 1
TARGET_SECONDS = {
    ("build", "small"): 8.0,
    ("build", "large"): 40.0,
    ("check", "small"): 3.0,
    ("check", "large"): 15.0,
}
"""The issues' targets; check on large has none of its own, so it gets five times small's
(the community is five times larger)."""
MEMORY_LIMIT_MIB = 1024.0
POLL_SECONDS = 0.02
SETTLE_SECONDS = 2.0
PSS_EVERY = 12
"""Read PSS on every 12th sample (~0.25 s): the kernel walks every page table to compute it, and
doing that every 20 ms slowed the measured build by half."""
STDERR_TAIL = 40
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
PR_SET_CHILD_SUBREAPER = 36
MIB = 2**20
EXIT_BUILD_FAILED = 1
EXIT_TARGET_MISSED = 3


# ---------------------------------------------------------------- the community


def tree_stats(root: Path) -> tuple[int, int]:
    """(files, bytes) under `root`, without following symlinks."""
    files = size = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            files += 1
            size += os.lstat(os.path.join(dirpath, name)).st_size
    return files, size


def _tree_sha256(root: Path, pattern: str = "*") -> str:
    """One hash of the path and bytes of every file under `root` matching `pattern` (the copied
    badge definitions; menteo's code, which records the ledger)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob(pattern) if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def menteo_command(args: list[str], env: dict[str, str] | None = None) -> str:
    """`python -m menteo ARGS` on this checkout; its stdout, or RuntimeError with its stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "menteo", *args],
        capture_output=True,
        text=True,
        env=menteo_env(env),
        cwd=REPO,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"menteo {' '.join(args)} exited with {proc.returncode}:\n{proc.stderr}")
    return proc.stdout


def bench_keys(directory: Path = KEYS) -> Path:
    """A fixed signing key pair for every benchmark build, made once by `menteo keys generate`
    (in a scratch community, since the command also writes a key chain). Builds then sign with
    configured keys, as a deployment does, instead of each cold run making a development pair."""
    if not all((directory / name).is_file() for name in KEY_FILES):
        force = ["--force"] if directory.is_dir() and any(directory.iterdir()) else []
        with tempfile.TemporaryDirectory(prefix="menteo-keys-") as scratch:
            menteo_command(["keys", "generate", scratch, *force], {KEYS_DIR_ENV: str(directory)})
    return directory


def ensure_community(size: str, force: bool) -> tuple[Path, dict[str, Any], bool]:
    """Generate bench/out/<size>/ unless the stamp says an identical one is already there.

    Returns the path, the stamp (parameters, file count, generation time) and whether it was
    generated now. The stamp lives beside the community so the build never sees it.
    """
    mentors, entries = SIZES[size]
    target = OUT / size
    stamp_path = OUT / f"{size}.stamp.json"
    wanted = {
        "mentors": mentors,
        "entries": entries,
        "seed": SEED,
        "generator_sha256": hashlib.sha256((BENCH / "generate.py").read_bytes()).hexdigest(),
        "badges_sha256": _tree_sha256(REPO / "badges"),
        "menteo_sha256": _tree_sha256(REPO / "generator" / "menteo", "*.py"),
    }
    if not force and (target / "menteo.yml").is_file() and stamp_path.is_file():
        stamp = json.loads(stamp_path.read_text("utf-8"))
        if {k: stamp.get(k) for k in wanted} == wanted:
            return target, stamp, False
    stamp_path.unlink(missing_ok=True)  # an interrupted generation must not look complete
    if target.exists():
        shutil.rmtree(target)
    start = time.perf_counter()
    files, size_bytes = generate(target, mentors, entries, SEED)
    stamp = {
        **wanted,
        "files": files,
        "bytes": size_bytes,
        "awards": recorded_awards(target),
        "generate_seconds": round(time.perf_counter() - start, 2),
    }
    stamp_path.write_text(json.dumps(stamp, indent=2) + "\n", "utf-8")
    return target, stamp, True


# ---------------------------------------------------------------- process-tree memory


def become_subreaper() -> bool:
    """Adopt orphaned descendants (prctl PR_SET_CHILD_SUBREAPER) so none escape the count."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _children_via_task(pid: int) -> list[int]:
    """Children of every thread of `pid` (needs CONFIG_PROC_CHILDREN)."""
    kids: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return kids
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                kids.extend(int(k) for k in fh.read().split())
        except OSError:
            continue
    return kids


def _parent_map() -> dict[int, list[int]]:
    """parent pid -> child pids, from the ppid field of every /proc/<pid>/stat."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                data = fh.read()
        except OSError:  # the process exited while we looked
            continue
        # The command name may contain spaces and parentheses: fields resume after the last ")".
        ppid = int(data[data.rindex(b")") + 2 :].split(maxsplit=2)[1])
        children.setdefault(ppid, []).append(int(name))
    return children


HAVE_PROC_CHILDREN = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def descendants(root: int) -> list[int]:
    """Every live descendant of `root` (not `root` itself)."""
    if HAVE_PROC_CHILDREN:
        lookup = _children_via_task
    else:
        tree = _parent_map()

        def lookup(pid: int) -> list[int]:
            """Children from the one /proc scan (cheaper than rescanning per process)."""
            return tree.get(pid, [])

    found: list[int] = []
    stack = [root]
    while stack:
        for child in lookup(stack.pop()):
            found.append(child)
            stack.append(child)
    return found


def rss_bytes(pid: int) -> int:
    """VmRSS of one process (the resident field of /proc/<pid>/statm, the same counter)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return 0  # gone, or a zombie


def pss_bytes(pid: int) -> int:
    """Proportional set size: private pages plus each shared page divided by its sharers, so the
    sum over a forked tree is the physical memory the tree holds (an RSS sum counts every page
    the workers inherited once per process)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Polls the summed RSS of all our descendants until stopped; keeps the peak."""

    def __init__(self, root: int, interval: float = POLL_SECONDS) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.halt = threading.Event()
        self.peak_bytes = 0
        self.peak_pss_bytes = 0
        self.max_processes = 0
        self.samples = 0

    def sample(self) -> None:
        """One pass over the tree."""
        pids = descendants(self.root)
        self.peak_bytes = max(self.peak_bytes, sum(rss_bytes(p) for p in pids))
        if self.samples % PSS_EVERY == 0:
            pss = sum(pss_bytes(p) for p in pids)
            self.peak_pss_bytes = max(self.peak_pss_bytes, pss)
        self.max_processes = max(self.max_processes, len(pids))
        self.samples += 1

    def run(self) -> None:
        """Sample until `halt` is set."""
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(self.interval)


def reap_orphans(timeout: float = 5.0) -> int:
    """Wait for adopted descendants left behind by the build, and reap them (their CPU time is
    the build's: see `run_once`); returns how many still run. A descendant that has exited but
    is not reaped yet (a zombie, no memory) is waited for too, or its time would count for the
    next run."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
        left = descendants(os.getpid())
        if not left or time.monotonic() > deadline:
            return len([p for p in left if rss_bytes(p) > 0])
        time.sleep(POLL_SECONDS)


# ---------------------------------------------------------------- one run


@dataclass
class RunResult:
    """One timed build. `peak_pss_mib` is the physical memory of the tree (the target);
    `peak_rss_mib`, the larger of the sampled RSS sum and ru_maxrss, errs high. `cpu_s` is user
    plus system time of the build and of every process it started: its own children through
    wait4, and those it did not wait for (a fork server's render workers, which outlive it) once
    this script, their subreaper, reaps them."""

    wall_s: float
    cpu_s: float
    peak_pss_mib: float
    peak_rss_mib: float
    sampled_tree_rss_mib: float
    largest_process_maxrss_mib: float
    processes: int
    samples: int
    returncode: int
    files: int
    bytes: int
    stderr_tail: str


def run_once(cmd: list[str], out_dir: Path, env: dict[str, str], cwd: Path = REPO) -> RunResult:
    """Run the build once, timing it and sampling its process tree's memory."""
    sampler = TreeSampler(os.getpid())
    reap_orphans()  # what earlier commands left (untimed set-up runs) is not this run's
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as out_log, tempfile.TemporaryFile() as err_log:
        sampler.start()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out_log, stderr=err_log, env=env, cwd=cwd)
        # wait4 (not Popen.wait) returns the rusage, whose ru_maxrss is the largest single
        # process's high-water mark: it catches spikes shorter than the polling interval.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.halt.set()
        sampler.join()
        leftover = reap_orphans()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if leftover:
            print(f"warning: {leftover} build process(es) outlived the build", file=sys.stderr)
        err_log.seek(0)
        stderr = err_log.read().decode("utf-8", "replace")
    files, size = tree_stats(out_dir) if proc.returncode == 0 else (0, 0)
    sampled = sampler.peak_bytes / MIB
    largest = usage.ru_maxrss / 1024  # KiB on Linux
    return RunResult(
        wall_s=round(wall, 3),
        cpu_s=round(
            after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 3
        ),  # the build's own wait4 usage is in the difference too
        peak_pss_mib=round(sampler.peak_pss_bytes / MIB, 1),
        peak_rss_mib=round(max(sampled, largest), 1),
        sampled_tree_rss_mib=round(sampled, 1),
        largest_process_maxrss_mib=round(largest, 1),
        processes=sampler.max_processes,
        samples=sampler.samples,
        returncode=proc.returncode,
        files=files,
        bytes=size,
        stderr_tail="\n".join(stderr.splitlines()[-STDERR_TAIL:]),
    )


def build_command(
    command: str, src: Path, out: Path, jobs: int | None, extra: list[str]
) -> list[str]:
    """The real CLI, as a user runs it: `menteo build`, or `menteo check` (which loads,
    validates and explains every badge for every person, writing nothing)."""
    if command == "check":
        return [sys.executable, "-m", "menteo", "check", str(src), *extra]
    cmd = [sys.executable, "-m", "menteo", "build", str(src), "--out", str(out)]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    return cmd + extra


def build_env() -> dict[str, str]:
    """Benchmark this checkout's package even when another menteo is installed, signing with
    the bench's fixed keys."""
    return menteo_env({KEYS_DIR_ENV: str(bench_keys())})


# ---------------------------------------------------------------- main


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Options before `--`; everything after it goes to `menteo build` untouched."""
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    parser = argparse.ArgumentParser(
        description="Time cold `menteo build` or `menteo check` runs on a generated community.",
        epilog="Arguments after `--` are passed to the menteo command.",
    )
    parser.add_argument("--size", choices=["small", "large"], default="small")
    parser.add_argument(
        "--command", choices=["build", "check"], default="build", help="what to time"
    )
    parser.add_argument("--runs", type=int, default=5, help="cold builds to time (default 5)")
    parser.add_argument("--jobs", type=int, help="passed to `menteo build` as --jobs N")
    parser.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    parser.add_argument(
        "--regenerate", action="store_true", help="regenerate the community even if stamped"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args, extra


def main(argv: list[str] | None = None) -> int:
    """Generate (once), build --runs times, report, and compare with the targets."""
    args, extra = parse_args(sys.argv[1:] if argv is None else argv)

    def say(message: str) -> None:
        """Progress: to stderr in --json mode, so stdout carries only the JSON document."""
        print(message, file=sys.stderr if args.json else sys.stdout, flush=True)

    src, stamp, fresh = ensure_community(args.size, args.regenerate)
    how = f"generated in {stamp['generate_seconds']} s" if fresh else "reused"
    say(
        f"community: {src.relative_to(REPO)} ({stamp['mentors']:,} mentors, "
        f"{stamp['entries']:,} entries, {stamp['awards']:,} awards; {stamp['files']:,} files, "
        f"{stamp['bytes'] / MIB:.1f} MiB; {how})"
    )
    subreaper = become_subreaper()
    env = build_env()
    results: list[RunResult] = []
    command: list[str] = []
    for i in range(1, args.runs + 1):
        shutil.rmtree(src / ".menteo", ignore_errors=True)  # nothing left by serve or earlier runs
        out_dir = Path(tempfile.mkdtemp(prefix="menteo-bench-"))
        try:
            command = build_command(args.command, src, out_dir, args.jobs, extra)
            result = run_once(command, out_dir, env)
        finally:
            shutil.rmtree(out_dir, ignore_errors=True)
            # Let the deletion reach the disk before the next run, so no run pays for the last.
            os.sync()
            time.sleep(SETTLE_SECONDS)
        if result.returncode != 0:
            print(
                f"run {i}/{args.runs}: {args.command} exited with {result.returncode}: "
                f"{shlex.join(command)}\n--- last {STDERR_TAIL} lines of stderr ---\n"
                f"{result.stderr_tail}",
                file=sys.stderr,
            )
            return EXIT_BUILD_FAILED
        results.append(result)
        say(
            f"run {i}/{args.runs}: {result.wall_s:7.2f} s ({result.cpu_s:.1f} CPU-s)  "
            f"peak PSS {result.peak_pss_mib:7.1f} MiB "
            f"(RSS sum {result.peak_rss_mib:.1f})  "
            f"({result.processes} processes, {result.samples} samples)  "
            f"{result.files:,} files, {result.bytes / MIB:.1f} MiB"
        )

    walls = [r.wall_s for r in results]
    peaks = [r.peak_pss_mib for r in results]
    rss_peaks = [r.peak_rss_mib for r in results]
    target = TARGET_SECONDS[(args.command, args.size)]
    median_wall = statistics.median(walls)
    max_peak = max(peaks)
    passed = median_wall < target and max_peak < MEMORY_LIMIT_MIB
    outputs = {(r.files, r.bytes) for r in results}
    if len(outputs) > 1:
        say(f"warning: output differs between runs (files, bytes): {sorted(outputs)}")
    last = results[-1]

    summary = {
        "size": args.size,
        "command_name": args.command,
        "runs": args.runs,
        "jobs": args.jobs,
        "command": command,
        "community": {"path": str(src), **stamp},
        "median_wall_s": round(median_wall, 3),
        "min_wall_s": min(walls),
        "max_wall_s": max(walls),
        "median_peak_pss_mib": round(statistics.median(peaks), 1),
        "max_peak_pss_mib": max_peak,
        "max_peak_rss_sum_mib": max(rss_peaks),
        "output_files": last.files,
        "output_bytes": last.bytes,
        "output_consistent": len(outputs) == 1,
        "targets": {"wall_s": target, "peak_pss_mib": MEMORY_LIMIT_MIB},
        "pass": passed,
        "memory_method": {
            "poll_interval_s": POLL_SECONDS,
            "proc_children": HAVE_PROC_CHILDREN,
            "subreaper": subreaper,
        },
        "host": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
        },
        "results": [{k: v for k, v in asdict(r).items() if k != "stderr_tail"} for r in results],
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(
            f"median wall {median_wall:.2f} s (min {min(walls):.2f}, max {max(walls):.2f})\n"
            f"median peak memory (PSS) {statistics.median(peaks):.1f} MiB (max {max_peak:.1f}; "
            f"RSS sum, which counts inherited pages per process, max {max(rss_peaks):.1f})\n"
            f"output: {last.files:,} files, {last.bytes / MIB:.1f} MiB"
        )
        verdict = "PASS" if passed else "FAIL"
        print(
            f"{verdict}: median wall {median_wall:.2f} s (target < {target:g} s), "
            f"peak memory (PSS) {max_peak:.1f} MiB (max over runs; target < {MEMORY_LIMIT_MIB:g} MiB)"
        )
    return 0 if passed else EXIT_TARGET_MISSED


if __name__ == "__main__":
    sys.exit(main())
