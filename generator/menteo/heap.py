"""Giving a finished stage's memory back to the system, so that the process holds only what the
stages still to come need while its children (Pagefind) are at their largest."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable


def release_memory() -> None:
    """Free what nothing refers to any longer, cycles and frozen objects included (`gc.freeze`
    keeps the loaded community out of collections until its build ends), then hand the C heap's
    free pages back to the system: CPython's allocator returns only whole empty arenas, and
    glibc's `free` keeps the rest of what a build freed mapped in the process."""
    gc.unfreeze()
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`; None where the C library has none (musl, macOS, Windows).
    `ctypes` is imported here, by the first build that gets this far, not at start-up."""
    import ctypes

    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, TypeError, AttributeError):
        return None
    return trim
