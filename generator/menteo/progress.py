"""What a long build is doing, while it does it: stages with counts on a terminal, and each
stage's time with `--verbose`.

The pipeline only announces stages (`stage`) and work done within one (`advance`); whether that
shows, and how, is decided here. The default, `Progress`, shows nothing: tests, CI logs and
pipes see exactly what they saw before. A terminal line is redrawn at most ten times a second,
so a 10,000-page build spends nothing noticeable on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

REDRAW_EVERY = 0.1
"""Seconds between two redraws of the terminal line."""


class Progress:
    """Announcements nobody sees: the pipeline's default."""

    def stage(self, label: str, total: int | None = None) -> None:
        """A new stage begins (the previous one ends); `total` items if known."""

    def advance(self, done: int = 1) -> None:
        """`done` more items of the current stage are finished."""

    def close(self) -> None:
        """The build ended (finished or failed): end the last stage, clear the line."""


class StageReport(Progress):
    """A live line on a terminal (`live`) and/or one timing line per finished stage (`timings`),
    both on `stream` (stderr: stdout stays the command's result)."""

    def __init__(
        self,
        stream: TextIO,
        live: bool,
        timings: bool,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.stream = stream
        self.live = live
        self.timings = timings
        self.clock = clock
        self.label = ""
        self.total: int | None = None
        self.done = 0
        self.number = 0
        self.started = 0.0
        self.drawn = float("-inf")
        self.shown = False

    def stage(self, label: str, total: int | None = None) -> None:
        self._end()
        self.label, self.total, self.done = label, total, 0
        self.number += 1
        self.started = self.clock()
        self._draw(force=True)

    def advance(self, done: int = 1) -> None:
        self.done += done
        self._draw(force=False)

    def close(self) -> None:
        self._end()
        self.label = ""

    def _end(self) -> None:
        if not self.label:
            return
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.shown = False
        if self.timings:
            self.stream.write(f"  {self._text()}: {self.clock() - self.started:.2f} s\n")
        self.stream.flush()

    def _text(self) -> str:
        if self.total is None:
            return self.label
        if self.done and self.done < self.total:
            return f"{self.label} ({self.done:,}/{self.total:,})"
        return f"{self.label} ({self.total:,})"

    def _draw(self, force: bool) -> None:
        if not self.live:
            return
        now = self.clock()
        if not force and now - self.drawn < REDRAW_EVERY:
            return
        self.drawn = now
        self.stream.write(f"\r\x1b[K{self._text()}...")
        self.stream.flush()
        self.shown = True


def progress_for(stream: TextIO, quiet: bool, verbose: bool) -> Progress:
    """A live line only on a terminal and not when asked to be quiet; timings when verbose."""
    live = not quiet and stream.isatty()
    if not live and not verbose:
        return Progress()
    return StageReport(stream, live, verbose)
