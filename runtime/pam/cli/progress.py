"""Showing a run's progress: a live bar on a terminal, plain lines anywhere else."""

from __future__ import annotations

from typing import TextIO

from pam.cli.run import Progress

WIDTH = 24


class ProgressDisplay:
    """Called with each ``Progress``; redraws one line on a terminal, prints a line per change elsewhere."""

    def __init__(self, stream: TextIO, live: bool | None = None) -> None:
        self.stream = stream
        self.live = stream.isatty() if live is None else live
        self._last: tuple[int, int] | None = None

    def __call__(self, progress: Progress) -> None:
        text = (
            f"pages {progress.pages_done}/{progress.pages_total} | rows in {progress.rows_in:,} | "
            f"rows uploaded {progress.rows_out:,} | uploads {progress.uploads} | {progress.seconds:.1f} s"
        )
        if self.live:
            done = WIDTH * progress.pages_done // max(progress.pages_total, 1)
            self.stream.write(f"\r[{'#' * done}{'-' * (WIDTH - done)}] {text}")
            self.stream.flush()
        elif (progress.pages_done, progress.uploads) != self._last:
            self._last = (progress.pages_done, progress.uploads)
            self.stream.write(text + "\n")

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
