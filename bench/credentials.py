"""Time credential issuing: every form of 2,000 awards from cold, and the rebuild after one new
award with the signature cache in place.

    python bench/credentials.py [--runs 3] [--awards 2000] [--jobs N] [--json] [--regenerate]
                                [--profile FILE]

Targets (from the issue, on a 2-core machine): 2,000 awards issued in every form (OB 2.0 hosted
assertion + JWS, OB 3.0 Data Integrity + VC-JWT, baked PNG and SVG of both, and their
verification pages) in under 10 s cold, and `issue_credentials` after one new award in under 2 s.

Preparation, once (bench/out/credentials.stamp.json records it): generate.py writes a community
into bench/out/credentials/ (2,000 mentors, 20,000 entries) with mentees public by default; a
fixed key pair made once by `menteo keys generate` lives in bench/out/credentials-keys/;
`menteo award` at a fixed SOURCE_DATE_EPOCH fills the ledger, which is then cut after the line of
the 2,000th award to someone who consented to publication (only those are issued).

Each run starts three fresh processes, so no in-process cache helps, and gives each the ledger
file and the signature cache file to use (in a temporary folder; the community is not touched):

1. cold, no cache file: load, review and keys are timed but not counted; `issue_credentials`
   is counted, and so are the award verification pages: the recognition views, then only the
   `award.html` pages rendered by `render_pages` into a temporary folder. The site-wide views
   and page plan those pages come from are timed but not counted (they are the site build's).
2. warm-up: the ledger without its last line and the cold run's cache, which is then cut down
   to the signatures this build used, so that it lacks the last award's.
3. warm: the whole ledger (one new award); `issue_credentials` is timed and the signatures it
   computed are counted (one Data Integrity proof and two RS256 JWS are expected).

The summary also shows where `issue_credentials` spends its time, cold and warm, per form in ms
per award, from timers around the functions that make each form (they cost under 20 µs per
award). `--profile FILE` adds one more, uncounted cold run with cProfile around
`issue_credentials`, and prints its top functions.

Exit status: 0 PASS, 1 a step failed, 3 a target was missed.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import json
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(REPO / "generator"), str(BENCH)]  # this checkout's menteo; bench/ scripts

from generate import AWARDS_EPOCH, generate, menteo_env, record_awards  # noqa: E402
from menteo.build import batch_gc, render_settings  # noqa: E402
from menteo.content.community import CommunityData  # noqa: E402
from menteo.content.loader import load_community  # noqa: E402
from menteo.content.publication import Urls  # noqa: E402
from menteo.credentials import baking, images, issue, ob2, ob3, proofs  # noqa: E402
from menteo.credentials.cache import ImageCache, SignatureCache  # noqa: E402
from menteo.credentials.facts import award_facts  # noqa: E402
from menteo.credentials.issue import Issued, issue_credentials  # noqa: E402
from menteo.credentials.key_chain import (  # noqa: E402
    new_entry,
    read_key_chain,
    write_key_chain,
)
from menteo.credentials.keys import (  # noqa: E402
    KEYS_DIR_ENV,
    PublicKeys,
    SigningKeys,
    load_keys,
    read_key_directory,
)
from menteo.ledger.records import EMPTY, LEDGER_FILE, parse_ledger  # noqa: E402
from menteo.ledger.review import Review, review  # noqa: E402
from menteo.ledger.store import read_ledger  # noqa: E402
from menteo.site.awards import build_recognition  # noqa: E402
from menteo.site.pages import plan_pages  # noqa: E402
from menteo.site.render import render_pages  # noqa: E402
from menteo.site.theme_folders import theme_dirs  # noqa: E402
from menteo.site.views import build_views  # noqa: E402
from run import _tree_sha256, bench_keys, tree_stats  # noqa: E402

OUT = BENCH / "out"
COMMUNITY = OUT / "credentials"
KEYS = OUT / "credentials-keys"
STAMP = OUT / "credentials.stamp.json"
MENTORS, ENTRIES, SEED = 2_000, 20_000, 1
AWARDS = 2_000
KEYS_SINCE = "2025-07-01"
PRIVATE_MENTEES = "  mentees_public: false\n"
PUBLIC_MENTEES = "  mentees_public: true\n"
"""generate.py leaves mentees private by default; then 2,000 mentors give only ~1,870 awards to
people who consented to publication. Public by default, they give ~2,580."""
COLD_TARGET_S = 10.0
WARM_TARGET_S = 2.0
NEW_AWARD_SIGNATURES = {"eddsa-rdfc-2022": 1, "RS256": 2}
"""What one new award costs: its Data Integrity proof, its OB 2.0 JWS and its VC-JWT."""
SETTLE_SECONDS = 1.0
STDERR_TAIL = 40
PROFILE_LINES = 25
RESULT_PREFIX = "RESULT "
CHILD = "--child"
MIB = 2**20
EXIT_FAILED = 1
EXIT_TARGET_MISSED = 3


# ---------------------------------------------------------------- preparation


def ensure_keys(keys_dir: Path) -> SigningKeys:
    """The bench's fixed key pair, made once (`record_keys` writes the community's key chain)."""
    return read_key_directory(bench_keys(keys_dir))


def record_keys(root: Path, keys: SigningKeys) -> None:
    """keys/public.json, a key chain of only this pair, with a fixed date."""
    write_key_chain(root, [new_entry(keys, KEYS_SINCE)])


def published_lines(root: Path) -> tuple[list[int], int]:
    """The ledger lines (1-based) of awards to people who consented to publication, the awards
    `issue_credentials` issues; and the number of lines."""
    community = load_community(root)
    ledger = read_ledger(root)
    issued = {f.id for f in award_facts(community, ledger, Urls(community.config.base_url))}
    return [a.seq for a in ledger.awards.values() if a.id in issued], len(ledger.lines)


def fill_ledger(root: Path, awards: int | None) -> dict[str, int]:
    """`menteo award` at AWARDS_EPOCH (`generate.record_awards`), then keep the ledger up to the
    line of the `awards`-th published award (the last one when None). A prefix of the hash chain is a valid
    ledger, and ending on a published award lets the warm run add exactly one."""
    (root / LEDGER_FILE).unlink(missing_ok=True)
    record_awards(root)
    lines, recorded = published_lines(root)
    wanted = len(lines) if awards is None else awards
    if wanted < 1 or len(lines) < wanted:
        raise RuntimeError(
            f"the ledger holds {len(lines):,} awards to people who consented to publication "
            f"({recorded:,} in all) and {wanted:,} are needed: generate more mentors"
        )
    keep = lines[wanted - 1]
    text = (root / LEDGER_FILE).read_text("utf-8").splitlines(keepends=True)
    (root / LEDGER_FILE).write_text("".join(text[:keep]), "utf-8")
    return {"awards_recorded": recorded, "awards_published": len(lines), "ledger_lines": keep}


def prepare(
    root: Path,
    keys_dir: Path,
    mentors: int,
    entries: int,
    awards: int | None,
    seed: int = SEED,
    stamp_path: Path | None = None,
    force: bool = False,
) -> tuple[dict[str, Any], bool]:
    """Generate the community, record the keys and fill the ledger, unless `stamp_path` says
    an identical one is already there. Returns the stamp and whether it was prepared now."""
    keys = ensure_keys(keys_dir)
    wanted = {
        "mentors": mentors,
        "entries": entries,
        "seed": seed,
        "mentees_public": True,
        "awards": awards,
        "source_date_epoch": AWARDS_EPOCH,
        "generator_sha256": hashlib.sha256((BENCH / "generate.py").read_bytes()).hexdigest(),
        "badges_sha256": _tree_sha256(REPO / "badges"),
        "ed25519": keys.ed25519_multikey,
        "rsa_kid": keys.rsa_kid,
    }
    if not force and stamp_path is not None and stamp_path.is_file():
        stamp = json.loads(stamp_path.read_text("utf-8"))
        if {k: stamp.get(k) for k in wanted} == wanted and (root / LEDGER_FILE).is_file():
            return stamp, False
    if stamp_path is not None:
        stamp_path.unlink(missing_ok=True)  # an interrupted preparation must not look complete
    if root.exists():
        shutil.rmtree(root)
    start = time.perf_counter()
    files, size = generate(root, mentors, entries, seed, awards=False)
    config = root / "menteo.yml"
    text = config.read_text("utf-8")
    if text.count(PRIVATE_MENTEES) != 1:
        raise RuntimeError(f"{config}: no {PRIVATE_MENTEES.strip()!r} line to make mentees public")
    config.write_text(text.replace(PRIVATE_MENTEES, PUBLIC_MENTEES), "utf-8")
    generated = time.perf_counter()
    record_keys(root, keys)
    stamp = {
        **wanted,
        **fill_ledger(root, awards),
        "files": files,
        "bytes": size,
        "generate_seconds": round(generated - start, 2),
        "ledger_seconds": round(time.perf_counter() - generated, 2),
    }
    if stamp_path is not None:
        stamp_path.write_text(json.dumps(stamp, indent=2) + "\n", "utf-8")
    return stamp, True


def without_last_line(ledger_file: Path, target: Path) -> None:
    """A copy of the ledger without its last line (the last award)."""
    lines = ledger_file.read_text("utf-8").splitlines(keepends=True)
    target.write_text("".join(lines[:-1]), "utf-8")


# ---------------------------------------------------------------- the measured stages


class CountingCache(SignatureCache):
    """A SignatureCache that counts, by kind, the signatures it had to compute."""

    def __init__(self, path: Path | None) -> None:
        super().__init__(path)
        self.computed: Counter[str] = Counter()

    def signature(
        self, kind: str, key_id: str, signed: bytes, sign: Callable[[], str], *args: Any
    ) -> str:
        def counted() -> str:
            self.computed[kind] += 1
            return sign()

        return super().signature(kind, key_id, signed, counted, *args)

    def remember(self, kind: str, key_id: str, signed: bytes, signature: str) -> None:
        """Signatures the parallel signer computed count too."""
        self.computed[kind] += 1
        super().remember(kind, key_id, signed, signature)

    def keep_only_used(self) -> None:
        """Forget every signature this build did not use, and save."""
        self.entries = {k: v for k, v in self.entries.items() if k in self.used}
        self.changed = True
        self.save()


@dataclass
class Loaded:
    """What the build holds when its issue stage starts."""

    community: CommunityData
    reviewed: Review
    urls: Urls
    keys: SigningKeys
    registry: PublicKeys
    seconds: dict[str, float]


def load(root: Path, ledger_file: Path, keys_dir: Path) -> Loaded:
    """As `menteo build` does before issuing, but with the ledger read from `ledger_file`."""
    start = time.perf_counter()
    community = load_community(root)
    loaded = time.perf_counter()
    text = ledger_file.read_text("utf-8")
    reviewed = review(community, parse_ledger(text) if text else EMPTY)
    reviewed_at = time.perf_counter()
    keys = load_keys(community.root, {KEYS_DIR_ENV: str(keys_dir)}, strict=True)
    chain = read_key_chain(community.root)
    registry = chain.published() if chain else PublicKeys()
    seconds = {
        "load": loaded - start,
        "review": reviewed_at - loaded,
        "keys": time.perf_counter() - reviewed_at,
    }
    urls = Urls(community.config.base_url)
    return Loaded(community, reviewed, urls, keys, registry, seconds)


def issue_stage(loaded: Loaded, cache_path: Path) -> tuple[Issued, CountingCache, float]:
    """`issue_credentials` as the build calls it (the cache file is read within the stage)."""
    start = time.perf_counter()
    cache = CountingCache(cache_path)
    issued = issue_credentials(
        loaded.community,
        loaded.reviewed.ledger,
        loaded.urls,
        loaded.keys,
        loaded.registry,
        cache,
        ImageCache(cache_path.parent / "images"),  # beside the signatures, as in the build
    )
    return issued, cache, time.perf_counter() - start


def award_pages(loaded: Loaded, issued: Issued, out: Path, jobs: int | None) -> dict[str, Any]:
    """The award verification pages, as the build makes them, and nothing else rendered."""
    community, urls = loaded.community, loaded.urls
    start = time.perf_counter()
    recognition = build_recognition(community, loaded.reviewed, urls, issued.awards)
    recognised = time.perf_counter()
    views = build_views(community, urls, recognition)
    pages = [
        p for p in plan_pages(views, community.config.feed_size, str) if p.template == "award.html"
    ]
    planned = time.perf_counter()
    dirs = theme_dirs(community.root, community.config.theme)
    settings = render_settings(community, urls, dirs, out)
    problems = render_pages(settings, pages, jobs).problems
    rendered = time.perf_counter()
    if problems:
        raise RuntimeError("award pages: " + "; ".join(str(p) for p in problems[:5]))
    files, size = tree_stats(out)
    return {
        "recognition_s": recognised - start,
        "views_s": planned - recognised,
        "render_s": rendered - planned,
        "pages": len(pages),
        "files": files,
        "bytes": size,
    }


# ---------------------------------------------------------------- where the time goes

FORMS: list[tuple[object, str, str | Callable[[tuple[Any, ...], dict[str, Any]], str]]] = [
    (ob2, "hosted_assertion", "OB 2.0 hosted and signed assertion documents"),
    (ob2, "signed_assertion", "OB 2.0 hosted and signed assertion documents"),
    (
        issue,
        "sign_jws",
        lambda args, kwargs: (
            "OB 3.0 VC-JWT: RS256 signature"
            if (args[2] if len(args) > 2 else kwargs.get("header", {})).get("typ") == "JWT"
            else "OB 2.0 JWS: RS256 signature"
        ),
    ),
    (baking, "bake_ob2_png", "OB 2.0 baked PNG"),
    (baking, "bake_ob2_svg", "OB 2.0 baked SVG"),
    (ob3, "credential", "OB 3.0 credential and JWT claims documents"),
    (ob3, "jwt_claims", "OB 3.0 credential and JWT claims documents"),
    (proofs, "canonical_nquads", "OB 3.0 Data Integrity: RDFC-1.0 canonicalisation (pyld)"),
    (issue, "sign_data_integrity", "OB 3.0 Data Integrity: Ed25519 signature and the rest"),
    (baking, "bake_ob3_png", "OB 3.0 baked PNG"),
    (baking, "bake_ob3_svg", "OB 3.0 baked SVG"),
    (issue, "dumps", "JSON of the published documents (indent=2)"),
    (issue, "compact", "compact JSON (signing inputs, cache keys)"),
    (SignatureCache, "__init__", "signature cache: load, look-ups, save"),
    (SignatureCache, "signature", "signature cache: load, look-ups, save"),
    (SignatureCache, "save", "signature cache: load, look-ups, save"),
    (issue, "verify_jws", "signature cache: RS256 check of remembered JWS"),
    (images, "png_from_svg", "badge PNGs (resvg; per badge)"),
    (issue, "award_facts", "award facts"),
]
OTHER = "other (loop, file map, profiles, status lists)"
GC = "garbage collection, generation"
ROWS = [
    "OB 2.0 hosted and signed assertion documents",
    "OB 2.0 JWS: RS256 signature",
    "OB 2.0 baked PNG",
    "OB 2.0 baked SVG",
    "OB 3.0 credential and JWT claims documents",
    "OB 3.0 Data Integrity: RDFC-1.0 canonicalisation (pyld)",
    "OB 3.0 Data Integrity: Ed25519 signature and the rest",
    "OB 3.0 VC-JWT: RS256 signature",
    "OB 3.0 baked PNG",
    "OB 3.0 baked SVG",
    "JSON of the published documents (indent=2)",
    "compact JSON (signing inputs, cache keys)",
    "signature cache: load, look-ups, save",
    "signature cache: RS256 check of remembered JWS",
    "badge PNGs (resvg; per badge)",
    "award facts",
    f"{GC} 0",
    f"{GC} 1",
    f"{GC} 2",
    OTHER,
]
"""The order of the breakdown's rows."""


class FormTimes:
    """Exclusive time (minus the time of nested timed calls) of each function in FORMS, so the
    rows add up to the stage's time; the rest goes to OTHER. Garbage collections get a row of
    their own, whichever function's allocation set them off."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self._nested: list[float] = []
        self._originals: list[tuple[object, str, Any]] = []
        self._collecting = 0.0

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._collecting = time.perf_counter()
            return
        elapsed = time.perf_counter() - self._collecting
        self.seconds[f"{GC} {info['generation']}"] += elapsed
        self.calls[f"{GC} {info['generation']}"] += 1
        if self._nested:
            self._nested[-1] += elapsed

    def _wrap(self, owner: object, name: str, label: str | Callable[..., str]) -> None:
        original = getattr(owner, name)
        nested, seconds, calls = self._nested, self.seconds, self.calls
        clock = time.perf_counter

        def timed(*args: Any, **kwargs: Any) -> Any:
            nested.append(0.0)
            start = clock()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = clock() - start
                key = label if isinstance(label, str) else label(args, kwargs)
                seconds[key] += elapsed - nested.pop()
                calls[key] += 1
                if nested:
                    nested[-1] += elapsed

        self._originals.append((owner, name, original))
        setattr(owner, name, timed)

    def __enter__(self) -> FormTimes:
        for owner, name, label in FORMS:
            self._wrap(owner, name, label)
        gc.callbacks.append(self._gc)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._gc)
        for owner, name, original in reversed(self._originals):
            setattr(owner, name, original)
        self._originals.clear()

    def rows(self, total: float) -> dict[str, float]:
        """Seconds per row, OTHER included."""
        rows = dict(self.seconds)
        rows[OTHER] = total - sum(rows.values())
        return rows


# ---------------------------------------------------------------- one measured process


def child_main(argv: list[str]) -> int:
    """One measured process: load, then issue (and, cold, the award pages); prints a JSON line."""
    parser = argparse.ArgumentParser(prog="credentials.py --child")
    parser.add_argument("mode", choices=["cold", "warm-up", "warm"])
    parser.add_argument("--community", type=Path, required=True)
    parser.add_argument("--ledger", type=Path, required=True)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--keys", type=Path, required=True)
    parser.add_argument("--out", type=Path, help="where the cold run renders the award pages")
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--cprofile", type=Path, help="profile the issue stage into this file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with batch_gc():
        loaded = load(args.community, args.ledger, args.keys)
        gc.freeze()  # as the build does once the community is loaded
        forms = FormTimes()
        if args.cprofile:  # without the breakdown's timers, which would clutter the profile
            profiler = cProfile.Profile()
            profiler.enable()
            issued, cache, seconds = issue_stage(loaded, args.cache)
            profiler.disable()
            profiler.dump_stats(str(args.cprofile))
        else:
            with forms:
                issued, cache, seconds = issue_stage(loaded, args.cache)
        if args.mode == "warm-up":
            cache.keep_only_used()
        result: dict[str, Any] = {
            "mode": args.mode,
            "setup_s": loaded.seconds,
            "issue_s": seconds,
            "awards": len(issued.awards),
            "files": len(issued.files),
            "bytes": sum(len(data) for data in issued.files.values()),
            "computed": dict(cache.computed),
            "forms_s": forms.rows(seconds),
        }
        if args.mode == "cold" and args.out is not None:
            result["pages"] = award_pages(loaded, issued, args.out, args.jobs)
    result["process_s"] = time.perf_counter() - started
    result["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


class StepFailed(RuntimeError):
    """A measured process exited non-zero; the message ends with its stderr."""


def run_child(mode: str, ledger: Path, cache: Path, **options: Any) -> dict[str, Any]:
    """Run one measured process and return its result (with its wall time from outside)."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        CHILD,
        mode,
        "--community",
        str(options.pop("community", COMMUNITY)),
        "--ledger",
        str(ledger),
        "--cache",
        str(cache),
        "--keys",
        str(options.pop("keys", KEYS)),
    ]
    for name, value in options.items():
        if value is not None:
            cmd += [f"--{name}", str(value)]
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=menteo_env(), cwd=REPO, check=False
    )
    wall = time.perf_counter() - start
    results = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if proc.returncode != 0 or not results:
        tail = "\n".join(proc.stderr.splitlines()[-STDERR_TAIL:])
        raise StepFailed(f"{mode} run exited with {proc.returncode}:\n{tail}")
    return {**json.loads(results[-1].removeprefix(RESULT_PREFIX)), "wall_s": wall}


# ---------------------------------------------------------------- runs and summary


def cold_counted(cold: dict[str, Any]) -> float:
    """What the cold target covers: issuing, recognition views and rendering the award pages."""
    pages = cold["pages"]
    return cold["issue_s"] + pages["recognition_s"] + pages["render_s"]


def one_run(jobs: int | None) -> dict[str, Any]:
    """Cold, warm-up and warm processes, each in a fresh temporary folder's files."""
    work = Path(tempfile.mkdtemp(prefix="menteo-credbench-"))
    try:
        ledger = COMMUNITY / LEDGER_FILE
        shorter = work / "awards-without-last.jsonl"
        without_last_line(ledger, shorter)
        cache = work / "signatures.json"
        cold = run_child("cold", ledger, cache, out=work / "pages", jobs=jobs)
        shutil.rmtree(work / "pages", ignore_errors=True)
        warm_up = run_child("warm-up", shorter, cache)
        warm = run_child("warm", ledger, cache)
        return {"cold": cold, "warm_up": warm_up, "warm": warm}
    finally:
        shutil.rmtree(work, ignore_errors=True)
        os.sync()  # let the deletions reach the disk before the next run starts
        time.sleep(SETTLE_SECONDS)


def profile_run(path: Path) -> None:
    """One more cold issue stage, under cProfile (about twice as slow; not counted)."""
    work = Path(tempfile.mkdtemp(prefix="menteo-credbench-"))
    try:
        run_child("cold", COMMUNITY / LEDGER_FILE, work / "signatures.json", cprofile=path)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def profile_text(path: Path) -> str:
    stream = io.StringIO()
    stats = pstats.Stats(str(path), stream=stream)
    stats.sort_stats("cumulative").print_stats(PROFILE_LINES)
    stats.sort_stats("tottime").print_stats(PROFILE_LINES)
    return stream.getvalue()


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def ordinal_suffix(number: int) -> str:
    if number % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def computed_text(computed: dict[str, int]) -> str:
    total = sum(computed.values())
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(computed.items()))
    return f"{plural(total, 'signature')}" + (f" ({kinds})" if kinds else "")


def per_award_rows(results: list[dict[str, Any]], awards: int) -> dict[str, float]:
    """Median over runs of each breakdown row, in ms per award."""
    found = {k for r in results for k in r["forms_s"]}
    labels = [label for label in ROWS if label in found] + sorted(found - set(ROWS))
    return {
        label: round(
            statistics.median(r["forms_s"].get(label, 0.0) for r in results) / awards * 1e3, 3
        )
        for label in labels
    }


def summarise(runs: list[dict[str, Any]], stamp: dict[str, Any], args: argparse.Namespace) -> dict:
    colds = [r["cold"] for r in runs]
    warms = [r["warm"] for r in runs]
    counted = [cold_counted(c) for c in colds]
    awards = colds[-1]["awards"]
    forms = {
        "cold": per_award_rows(colds, awards),
        "warm": per_award_rows(warms, warms[-1]["awards"]),
    }
    outputs = {
        (c["awards"], c["files"], c["bytes"], c["pages"]["files"], c["pages"]["bytes"])
        for c in colds
    }
    unexpected = [w["computed"] for w in warms if w["computed"] != NEW_AWARD_SIGNATURES]
    cold_median = statistics.median(counted)
    warm_median = statistics.median(w["issue_s"] for w in warms)
    return {
        "runs": len(runs),
        "jobs": args.jobs,
        "community": {"path": str(COMMUNITY), **stamp},
        "awards": awards,
        "issued_files": colds[-1]["files"],
        "issued_bytes": colds[-1]["bytes"],
        "award_pages": colds[-1]["pages"]["pages"],
        "award_page_files": colds[-1]["pages"]["files"],
        "award_page_bytes": colds[-1]["pages"]["bytes"],
        "output_consistent": len(outputs) == 1,
        "cold_s": spread(counted),
        "cold_issue_s": spread([c["issue_s"] for c in colds]),
        "cold_award_pages_s": spread([cold_counted(c) - c["issue_s"] for c in colds]),
        "cold_recognition_s": spread([c["pages"]["recognition_s"] for c in colds]),
        "cold_render_s": spread([c["pages"]["render_s"] for c in colds]),
        "not_counted_s": {
            "load": spread([c["setup_s"]["load"] for c in colds]),
            "review": spread([c["setup_s"]["review"] for c in colds]),
            "keys": spread([c["setup_s"]["keys"] for c in colds]),
            "views_and_page_plan": spread([c["pages"]["views_s"] for c in colds]),
        },
        "cold_issue_ms_per_award": round(
            statistics.median(c["issue_s"] for c in colds) / awards * 1e3, 3
        ),
        "issue_ms_per_award_by_form": forms,
        "warm_up_issue_s": spread([r["warm_up"]["issue_s"] for r in runs]),
        "warm_issue_s": spread([w["issue_s"] for w in warms]),
        "warm_computed": warms[-1]["computed"],
        "warm_computed_as_expected": not unexpected,
        "targets": {"awards": AWARDS, "cold_s": COLD_TARGET_S, "warm_s": WARM_TARGET_S},
        "cold_pass": cold_median < COLD_TARGET_S,
        "warm_pass": warm_median < WARM_TARGET_S,
        "pass": cold_median < COLD_TARGET_S and warm_median < WARM_TARGET_S,
        "host": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "machine": platform.machine(),
        },
        "results": runs,
    }


def run_line(number: int, total: int, run: dict[str, Any]) -> str:
    cold, warm, pages = run["cold"], run["warm"], run["cold"]["pages"]
    setup = cold["setup_s"]
    return (
        f"run {number}/{total}: cold {cold_counted(cold):6.2f} s = issue {cold['issue_s']:.2f} s "
        f"+ award pages {pages['recognition_s'] + pages['render_s']:.2f} s "
        f"(recognition {pages['recognition_s']:.2f}, render {pages['render_s']:.2f}); "
        f"not counted: load + review {setup['load'] + setup['review']:.2f} s, "
        f"views {pages['views_s']:.2f} s | warm-up {run['warm_up']['issue_s']:.2f} s | "
        f"warm + 1 award {warm['issue_s']:.2f} s, {computed_text(warm['computed'])}"
    )


def report(summary: dict[str, Any]) -> str:
    s = summary
    awards = s["awards"]

    def med(d: dict[str, float]) -> str:
        return f"median {d['median']:.2f} s (min {d['min']:.2f}, max {d['max']:.2f})"

    lines = [
        f"issued: {plural(awards, 'award')}, {s['issued_files']:,} files, "
        f"{s['issued_bytes'] / MIB:.1f} MiB; award pages: {s['award_pages']:,} pages, "
        f"{s['award_page_files']:,} files, {s['award_page_bytes'] / MIB:.1f} MiB",
        f"cold, issue + award pages: {med(s['cold_s'])}",
        f"  issue_credentials:  {med(s['cold_issue_s'])}, "
        f"{s['cold_issue_ms_per_award']:.2f} ms per award",
        f"  award pages:        {med(s['cold_award_pages_s'])} "
        f"(recognition median {s['cold_recognition_s']['median']:.2f} s, "
        f"render median {s['cold_render_s']['median']:.2f} s)",
        "  not counted:        "
        + ", ".join(
            f"{k.replace('_', ' ')} {v['median']:.2f} s" for k, v in s["not_counted_s"].items()
        ),
        f"warm-up (ledger without its last award): issue_credentials {med(s['warm_up_issue_s'])}",
        f"warm + 1 new award: issue_credentials {med(s['warm_issue_s'])}; computed "
        f"{computed_text(s['warm_computed'])}",
        "",
        f"where issue_credentials goes (median of runs, ms per award, {plural(awards, 'award')}):",
    ]
    cold, warm = s["issue_ms_per_award_by_form"]["cold"], s["issue_ms_per_award_by_form"]["warm"]
    found = {*cold, *warm}
    labels = [label for label in ROWS if label in found] + sorted(found - set(ROWS))
    width = max(len(label) for label in labels)
    lines.append(f"  {'':<{width}}  {'cold':>7}  {'warm':>7}")
    lines += [
        f"  {label:<{width}}  {cold.get(label, 0.0):7.3f}  {warm.get(label, 0.0):7.3f}"
        for label in labels
    ]
    lines.append(f"  {'total':<{width}}  {sum(cold.values()):7.3f}  {sum(warm.values()):7.3f}")
    if not s["warm_computed_as_expected"]:
        lines.append(
            "warning: the warm run did not compute exactly one award's signatures "
            f"({computed_text(NEW_AWARD_SIGNATURES)})"
        )
    if not s["output_consistent"]:
        lines.append("warning: the issued files or award pages differ between runs")
    if awards != AWARDS:
        lines.append(
            f"note: the targets are stated for {AWARDS:,} awards; this run issued {awards:,}"
        )
    verdict = "PASS" if s["pass"] else "FAIL"
    lines.append(
        f"{verdict}: cold {s['cold_s']['median']:.2f} s "
        f"({'pass' if s['cold_pass'] else 'FAIL'}, target < {COLD_TARGET_S:g} s for "
        f"{AWARDS:,} awards); warm + 1 award {s['warm_issue_s']['median']:.2f} s "
        f"({'pass' if s['warm_pass'] else 'FAIL'}, target < {WARM_TARGET_S:g} s)"
    )
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time issuing every credential form cold, and after one new award warm."
    )
    parser.add_argument("--runs", type=int, default=3, help="runs to time (default 3)")
    parser.add_argument(
        "--awards", type=int, default=AWARDS, help=f"published awards to issue (default {AWARDS})"
    )
    parser.add_argument("--mentors", type=int, default=MENTORS, help=argparse.SUPPRESS)
    parser.add_argument("--entries", type=int, default=ENTRIES, help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, help="workers rendering the award pages")
    parser.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    parser.add_argument(
        "--regenerate", action="store_true", help="prepare the community again even if stamped"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="also run one cold issue stage under cProfile, save the stats to FILE and print them",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.awards < 1:
        parser.error("--awards must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [CHILD]:
        return child_main(argv[1:])
    args = parse_args(argv)

    def say(message: str) -> None:
        """Progress: to stderr in --json mode, so stdout carries only the JSON document."""
        print(message, file=sys.stderr if args.json else sys.stdout, flush=True)

    try:
        stamp, fresh = prepare(
            COMMUNITY, KEYS, args.mentors, args.entries, args.awards, SEED, STAMP, args.regenerate
        )
    except RuntimeError as exc:
        print(f"preparation failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    how = (
        f"prepared in {stamp['generate_seconds'] + stamp['ledger_seconds']:.1f} s"
        if fresh
        else "reused"
    )
    say(
        f"community: {COMMUNITY.relative_to(REPO)} ({stamp['mentors']:,} mentors, "
        f"{stamp['entries']:,} entries; {stamp['awards_recorded']:,} awards recorded, "
        f"{stamp['awards_published']:,} to people who consented; ledger cut after the "
        f"{args.awards:,}{ordinal_suffix(args.awards)} of those: "
        f"{stamp['ledger_lines']:,} lines; {how})"
    )
    runs = []
    try:
        for number in range(1, args.runs + 1):
            runs.append(one_run(args.jobs))
            say(run_line(number, args.runs, runs[-1]))
        if args.profile:
            say(f"profiling one more cold issue stage into {args.profile} ...")
            profile_run(args.profile.resolve())
    except StepFailed as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    summary = summarise(runs, stamp, args)
    if args.profile:
        summary["profile"] = str(args.profile)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        if args.profile:
            print(profile_text(args.profile))
        print(report(summary))
    return 0 if summary["pass"] else EXIT_TARGET_MISSED


if __name__ == "__main__":
    sys.exit(main())
