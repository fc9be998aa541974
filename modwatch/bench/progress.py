"""A progress bar on stderr, one line per phase; stdout stays the JSON object alone."""

import time
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class PhaseProgress:
    def __init__(self, progress: Progress | None):
        self._progress = progress
        self._starts: list[tuple[str, float]] = []

    def seconds(self) -> dict[str, float]:
        """Seconds spent in each phase so far (a phase lasts until the next one starts)."""
        marks = [*self._starts, ("", time.perf_counter())]
        return {name: round(marks[i + 1][1] - start, 1) for i, (name, start) in enumerate(marks[:-1])}

    def phase(self, description: str, total: int):
        """Start a phase of `total` steps; returns the function that advances it by one."""
        self._starts.append((description, time.perf_counter()))
        if self._progress is None:
            return lambda: None
        task = self._progress.add_task(description, total=total)
        return lambda: self._progress.advance(task)


@contextmanager
def phase_progress(enabled: bool = True):
    if not enabled:
        yield PhaseProgress(None)
        return
    columns = (TextColumn("{task.description:<36}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        yield PhaseProgress(progress)
