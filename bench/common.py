"""What every benchmark shares: the result row, timing and a scratch folder."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


@dataclass
class Row:
    """One target: what was measured, as a ratio, against the limit MISSION.md sets."""

    target: str
    measured: float
    limit: float
    unit: str = "×"
    note: str = ""
    # True when higher is better (e.g. "import runs at ≥ 80 % of bare speed").
    at_least: bool = False

    @property
    def ok(self) -> bool:
        return self.measured >= self.limit if self.at_least else self.measured <= self.limit


def scratch(name: str) -> Path:
    """A fresh folder under bench/out/ for one benchmark's generated data."""
    path = OUT / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of `repeat` runs in seconds (the least disturbed by the rest of the machine)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def alternating(a: Callable[[], object], b: Callable[[], object], rounds: int = 5) -> tuple[float, float]:
    """Median seconds of a and b, run in turns so drift in machine speed hits both alike."""
    ta, tb = [], []
    for _ in range(rounds):
        for fn, times in ((a, ta), (b, tb)):
            gc.collect()
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(ta), statistics.median(tb)
