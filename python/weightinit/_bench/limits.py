"""What this machine can do at most: the compute limit per core, and the additive limit of fresh arrays.

Every sample is made from Philox4x32-10 words (one 32-bit word for a float32, float16 or bfloat16
sample, two for float64), so the rate at which one core makes the words alone
(``_core.philox4x32_words``: the active ISA's Philox kernel, into a buffer in cache, no
transform) bounds every kernel on that core. Each kernel is timed the same way: 2^16 elements
into a preallocated buffer (in cache), one thread, through the core's own entry
(``_core.fill_whole``, the one a whole-tensor ``out=`` call takes, without the Python argument
handling), and reported as a fraction of that bound: samples/s times words per sample over
words/s.

Fresh arrays cost more than the kernel: the operating system clears each new page before the
kernel writes it (the ``ceiling zeros`` rows), on the same cores, so the two times add. The
additive limit of a fresh weightinit row is the rate of zeroing plus computing:
n / (zeroing time + n / (threads x the kernel's per-core rate)).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .. import _core
from .._runtime import get_isa, get_num_threads, set_num_threads
from .timing import Timing, measure

#: Elements per in-cache measurement (256 KiB in float32).
N = 2**16
WORD_ROW = "philox4x32-10 words"
#: The kernels measured, as the core's distribution names and parameters.
KERNELS = {
    "uniform": ("uniform", [-1.0, 1.0]),
    "normal": ("normal", [0.0, 1.0]),
    "truncated_normal": ("truncated_normal", [0.0, 1.0, -2.0, 2.0]),
}
KERNEL_NOTE = {"truncated_normal": "N(0, 1) on [-2, 2]"}
WORDS_PER_VALUE = {"float32": 1, "float16": 1, "bfloat16": 1, "float64": 2}
#: The main table's weightinit cases and the kernel each one runs.
CASE_KERNEL = {
    "weightinit glorot_uniform": "uniform",
    "weightinit he_normal": "normal",
    "weightinit truncated_normal": "truncated_normal",
}


def _out_array(dtype: str) -> np.ndarray:
    if dtype == "bfloat16":
        import ml_dtypes

        return np.zeros(N, dtype=ml_dtypes.bfloat16)
    return np.zeros(N, dtype=dtype)


def _kernel_call(kernel: str, dtype: str) -> Callable[[], None]:
    distribution, params = KERNELS[kernel]
    out = _out_array(dtype)
    return lambda: _core.fill_whole(distribution, out, dtype, params, (1, 2))


def measure_kernels(dtypes: list[str], timing: Timing) -> list[dict[str, Any]]:
    """The Philox word rate and each kernel's rate, per core and in cache, and their ratio."""
    before = get_num_threads()
    set_num_threads(1)
    try:
        isa = get_isa()
        words = np.zeros(N, dtype=np.uint32)
        m = measure(lambda: _core.philox4x32_words(words, (1, 2)), timing)
        word_rate = N / m["seconds"] / 1e6
        rows = [{
            "kernel": WORD_ROW, "dtype": "uint32", "n": N, "threads": 1, "isa": isa, **m,
            "mvalues_per_s": word_rate, "words_per_value": 1, "fraction_of_philox": 1.0,
            "note": "Philox4x32-10 words alone, into a buffer in cache",
        }]
        for dtype in dtypes:
            for kernel in KERNELS:
                m = measure(_kernel_call(kernel, dtype), timing)
                rate = N / m["seconds"] / 1e6
                rows.append({
                    "kernel": kernel, "dtype": dtype, "n": N, "threads": 1, "isa": isa, **m,
                    "mvalues_per_s": rate, "words_per_value": WORDS_PER_VALUE[dtype],
                    "fraction_of_philox": rate * WORDS_PER_VALUE[dtype] / word_rate,
                    "note": KERNEL_NOTE.get(kernel, ""),
                })
    finally:
        set_num_threads(before)
    return rows


def kernel_rate(kernels: list[dict[str, Any]], case: str, dtype: str) -> float | None:
    """The per-core in-cache rate (M values/s) of the kernel a main-table case runs, if measured."""
    kernel = CASE_KERNEL.get(case)
    for row in kernels:
        if row["kernel"] == kernel and row["dtype"] == dtype:
            return row["mvalues_per_s"]
    return None


def additive_limit(zeroing_rate: float, per_core_rate: float, threads: int) -> float:
    """M values/s of zeroing fresh pages and then computing into them, the times added."""
    return 1.0 / (1.0 / zeroing_rate + 1.0 / (per_core_rate * threads))


def _rate(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 else f"{v:.1f}"


def format_kernels(kernels: list[dict[str, Any]], markdown: bool = False) -> str:
    """The per-core table: the Philox word rate, then each kernel's rate and fraction of it."""
    if not kernels:
        return ""
    words = kernels[0]
    title = (f"Per core, in cache ({N:,} elements into a preallocated buffer, 1 thread, {words['isa']} kernels): "
             f"the compute limit is Philox4x32-10's word rate, {_rate(words['mvalues_per_s'])} M words/s; "
             "of Philox limit = values/s x words per value / words/s")
    header = ["kernel", "dtype", "M values/s", "words/value", "of Philox limit"]
    rows = [[r["kernel"], r["dtype"], _rate(r["mvalues_per_s"]), str(r["words_per_value"]),
             f"{100 * r['fraction_of_philox']:.0f}%"] for r in kernels]
    if markdown:
        lines = [title + ":", "", "| " + " | ".join(header) + " |", "|---|---|---:|---:|---:|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([title, "", line(header), line(["-" * w for w in widths])] + [line(row) for row in rows])
