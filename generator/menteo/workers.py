"""Worker processes for the build's parallel stages (pages, share cards, credential proofs), and
threads for calls that wait on another program (search indexing).

One helper, so that every stage sizes its pool, starts its workers and fails the same way:

- Workers come from a fork server (or spawn where there is none), never a plain fork of the
  build: they inherit no half-held lock from a threaded parent (`menteo serve`), nor a copy of
  the loaded community, and they get what they need pickled through the pool's pipe, in memory
  (a private key never goes through a file or the environment).
- A worker that dies (killed, out of memory) fails the build at once with `WorkerDied`:
  `concurrent.futures` notices a vanished process, where `multiprocessing.Pool` waits forever
  for the result it will never send.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from typing import Any


class WorkerDied(Exception):
    """A worker process ended without finishing its work; the build cannot be complete."""


def cores() -> int:
    """The CPUs this process may run on: its affinity where the system has one (Linux, so a
    container or `taskset` limit is honoured), otherwise every CPU of the machine."""
    affinity = getattr(os, "sched_getaffinity", None)
    if affinity is not None:
        return len(affinity(0))
    return os.cpu_count() or 1


@contextmanager
def process_pool(
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    preload: Sequence[str] = (),
) -> Iterator[ProcessPoolExecutor]:
    """A pool of `workers` processes, each started by `initializer(*initargs)`. `preload`
    names modules the fork server imports once, before it forks the first worker, so that
    each worker does not import them again. Work still queued when the block is left (by an
    error elsewhere in the build) is cancelled, and a worker's death is `WorkerDied`."""
    context: BaseContext = multiprocessing.get_context("spawn")
    if "forkserver" in multiprocessing.get_all_start_methods():
        forkserver = multiprocessing.get_context("forkserver")
        if preload:
            forkserver.set_forkserver_preload(list(preload))
        context = forkserver
    pool = ProcessPoolExecutor(workers, context, initializer, initargs)
    try:
        yield pool
    except BrokenProcessPool:
        raise WorkerDied(
            "a worker process stopped before finishing (killed, or out of memory?)"
        ) from None
    finally:
        pool.shutdown(cancel_futures=True)


@contextmanager
def thread_pool(most: int) -> Iterator[ThreadPoolExecutor]:
    """Up to `most` threads, never more than the cores, for calls that mostly wait on another
    program (a Pagefind run: one keeps about one core busy). Leaving the block waits for every
    call submitted, so none outlives the stage."""
    with ThreadPoolExecutor(max(1, min(most, cores()))) as pool:
        yield pool
