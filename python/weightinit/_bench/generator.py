"""The benchmark's Generator section: each method weightinit's core accelerates, against NumPy's
own call on the same bit generator, in the same run, on 1 thread and on all threads.

Both sides make the same numbers (the weightinit Generator *is* NumPy's with a faster path), so
the ratio is the whole story: how much faster the same call is.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable

import numpy as np

from .. import generator as _generator
from .._runtime import get_num_threads, set_num_threads
from .cases import format_n
from .timing import Timing, measure

#: How each accelerated method is called (as a user would), by (method, variant label).
CALLS: dict[tuple[str, str], Callable[[np.random.Generator, int], Any]] = {
    ("random", "float64"): lambda g, n: g.random(n),
    ("random", "float32"): lambda g, n: g.random(n, dtype=np.float32),
    ("uniform", "float64"): lambda g, n: g.uniform(-1.0, 2.0, n),
    ("integers", "int64 [0, 1000)"): lambda g, n: g.integers(0, 1000, n),
    ("integers", "uint8 [0, 200]"): lambda g, n: g.integers(0, 200, n, dtype=np.uint8, endpoint=True),
    ("integers", "bool"): lambda g, n: g.integers(0, 2, n, dtype=bool),
    ("standard_normal", "float64"): lambda g, n: g.standard_normal(n),
    ("standard_normal", "float32"): lambda g, n: g.standard_normal(n, dtype=np.float32),
    ("normal", "float64"): lambda g, n: g.normal(0.5, 2.0, n),
    ("standard_exponential", "float64"): lambda g, n: g.standard_exponential(n),
    ("standard_exponential", "float32"): lambda g, n: g.standard_exponential(n, dtype=np.float32),
    ("exponential", "float64"): lambda g, n: g.exponential(2.0, n),
}

BIT_GENERATORS = {"Philox": np.random.Philox, "PCG64": np.random.PCG64, "PCG64DXSM": np.random.PCG64DXSM}
QUICK_BIT_GENERATORS = ("Philox", "PCG64")


def plan(sizes: list[int], thread_counts: list[int], bit_generators: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every (method, variant, bit generator, n, threads) the core accelerates."""
    rows = []
    for bg in bit_generators:
        for (method, variant) in CALLS:
            if bg not in _generator.ACCELERATED.get(method, ()):
                continue
            for n in sizes:
                for threads in thread_counts:
                    rows.append({"method": method, "variant": variant, "bit_generator": bg, "n": n, "threads": threads})
    return rows


def run(rows: list[dict[str, Any]], timing: Timing, on_row: Callable[[str], None] = lambda _: None,
        rounds: int = 5) -> list[dict[str, Any]]:
    """Time NumPy's call and weightinit's on the same bit generator; fill in the rates and ratio.
    The two are measured in alternation, ``rounds`` times each, and each keeps its best, so a
    moment when the machine was busy does not land on one side only. Small calls (below the
    parallel threshold: microseconds each) alternate four times as often, each side's share of
    a round a quarter as long (``min_time``): the same time, and a busy moment spoils fewer of
    their best times."""
    before = get_num_threads()
    small_timing = dataclasses.replace(timing, min_time=timing.min_time / 4)
    try:
        for row in rows:
            small = row["n"] < _generator.parallel_threshold
            row_timing, row_rounds = (small_timing, 4 * rounds) if small else (timing, rounds)
            on_row(f"Generator.{row['method']} {row['variant']} {row['bit_generator']} {format_n(row['n'])} threads={row['threads']}")
            call = CALLS[(row["method"], row["variant"])]
            make = BIT_GENERATORS[row["bit_generator"]]
            theirs, ours = np.random.Generator(make(0)), _generator.Generator(make(0))
            t_numpy = t_ours = math.inf
            for _ in range(row_rounds):
                set_num_threads(1)  # NumPy's call is single-threaded; the setting only matters to ours
                t_numpy = min(t_numpy, measure(lambda: call(theirs, row["n"]), row_timing)["seconds"])
                set_num_threads(row["threads"])
                t_ours = min(t_ours, measure(lambda: call(ours, row["n"]), row_timing)["seconds"])
            row["numpy_mvalues_per_s"] = row["n"] / t_numpy / 1e6
            row["weightinit_mvalues_per_s"] = row["n"] / t_ours / 1e6
            row["speedup"] = t_numpy / t_ours
    finally:
        set_num_threads(before)
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    """One line per measurement: M values/s of NumPy and weightinit, and the ratio."""
    header = ["method", "variant", "bit generator", "n", "threads", "NumPy M/s", "weightinit M/s", "x NumPy"]
    cells = [
        [
            f"Generator.{r['method']}", r["variant"], r["bit_generator"], format_n(r["n"]), str(r["threads"]),
            f"{r['numpy_mvalues_per_s']:,.0f}", f"{r['weightinit_mvalues_per_s']:,.0f}", f"{r['speedup']:.2f}x",
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(header)]
    def line(c: list[str]) -> str:
        return "  ".join(v.ljust(w) if i < 3 else v.rjust(w) for i, (v, w) in enumerate(zip(c, widths)))
    return "\n".join([line(header)] + [line(c) for c in cells])


def format_compact(rows: list[dict[str, Any]]) -> str:
    """The README's Markdown table: one line per call, its speedup over NumPy at the largest
    size on each bit generator with 1 and with all threads, and the slowest ratio at the
    smallest size (any bit generator or thread count)."""
    if not rows:
        return ""
    large, small = max(r["n"] for r in rows), min(r["n"] for r in rows)
    bgs = [bg for bg in BIT_GENERATORS if any(r["bit_generator"] == bg for r in rows)]
    threads = sorted({r["threads"] for r in rows})
    one, most = threads[0], threads[-1]
    by = {(r["method"], r["variant"], r["bit_generator"], r["n"], r["threads"]): r["speedup"] for r in rows}
    header = ["call"]
    for bg in bgs:
        header += [f"{bg} {format_n(large)}, {one} thread"] + ([f"{bg} {format_n(large)}, {most} threads"] if most != one else [])
    if small != large:
        header.append(f"{format_n(small)} elements, slowest")
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 1)]
    for method, variant in CALLS:
        if not any((method, variant, bg, large, one) in by for bg in bgs):
            continue
        cells = [f"`{method}` {variant}"]
        for bg in bgs:
            for t in ([one, most] if most != one else [one]):
                v = by.get((method, variant, bg, large, t))
                cells.append("" if v is None else f"{v:.2f}x")
        if small != large:
            smalls = [v for (m, var, _, n, _), v in by.items() if (m, var, n) == (method, variant, small)]
            cells.append(f"{min(smalls):.2f}x" if smalls else "")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
