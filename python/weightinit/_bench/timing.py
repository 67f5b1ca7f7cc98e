"""How a case is timed: the best of several repetitions, each a loop long enough to measure."""

from __future__ import annotations

import gc
import math
import time
from dataclasses import dataclass
from typing import Any, Callable


@dataclass
class Timing:
    min_time: float = 0.2  # seconds of measurements per case (at least)
    rep_time: float = 0.02  # a measurement loops calls until it lasts this long
    min_reps: int = 3
    max_reps: int = 50
    fixed_reps: int | None = None  # exactly this many single-call repetitions (smoke tests)


def _run_once(fn: Callable[[], Any], inner: int) -> float:
    if inner == 1:
        t0 = time.perf_counter()
        r = fn()
        t1 = time.perf_counter()
        del r  # freeing a big result is not part of the fill
        return t1 - t0
    t0 = time.perf_counter()
    for _ in range(inner):
        fn()
    return time.perf_counter() - t0


def measure(fn: Callable[[], Any], timing: Timing) -> dict[str, Any]:
    """Best time per call of ``fn`` (after a warm-up) with the loop and repetition counts."""
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        inner, t = 1, _run_once(fn, 1)  # warm-up: first-call costs (imports, JIT, allocator)
        if timing.fixed_reps is None:
            steps = (1, 2, 5)
            k = 0
            while t < timing.rep_time and inner < 10**7:  # autorange, as timeit does
                k += 1
                inner = steps[k % 3] * 10 ** (k // 3)
                t = _run_once(fn, inner)
            reps = max(timing.min_reps, math.ceil(timing.min_time / max(t, 1e-9)))
            reps = min(reps, max(timing.max_reps, timing.min_reps))
        else:
            reps = timing.fixed_reps
        times = [_run_once(fn, inner) / inner for _ in range(reps)]
    finally:
        if gc_was_on:
            gc.enable()
    times.sort()
    return {"seconds": times[0], "median_seconds": times[len(times) // 2], "reps": reps, "inner": inner}
