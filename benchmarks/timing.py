"""The one timer the benchmarks share: the median of several runs (the machine is noisy)."""
from __future__ import annotations

import statistics
import time


def median_time(fn, runs: int) -> tuple[float, object]:
    """Median seconds of `runs` calls of fn, and the last call's result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result
