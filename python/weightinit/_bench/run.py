"""Running the plan: each case under its thread count, its failures kept as results, and the
speedups and fractions of the ceiling worked out from rows of the same run."""

from __future__ import annotations

import gc
import os
import time
import traceback
from typing import Any

from .._progress import progress
from .._runtime import get_num_threads, set_num_threads
from .cases import BASELINE_KIND, ITEMSIZE, NUMPY_BASELINE, NUMPY_PHILOX, Case, build_plan
from .limits import additive_limit, kernel_rate, measure_kernels
from .machine import CONTENDED_CPUS, cpu_snapshot, import_peer, machine_info, meminfo, other_load, package_version
from .timing import Timing, measure


class _ThreadScope:
    """Thread count for one case: weightinit's OpenMP setting, and torch's (through threadpoolctl
    when it is installed, plus ``torch.set_num_threads``)."""

    def __init__(self, case: Case, peers: dict[str, Any]):
        self.case, self.peers, self.limiter = case, peers, None

    def __enter__(self) -> _ThreadScope:
        t = self.case.threads
        set_num_threads(t)
        if self.case.library == "torch":
            tpc = self.peers.get("threadpoolctl")
            if tpc is not None:
                self.limiter = tpc.threadpool_limits(limits=t)
            try:
                self.peers["torch"].set_num_threads(t)
            except BaseException:
                self.__exit__()
                raise
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.limiter is not None:
            self.limiter.restore_original_limits()


def _memory_check(case: Case) -> str | None:
    """Why a case is skipped for lack of memory (peers may hold a few temporaries), or None."""
    avail = meminfo("MemAvailable")
    need = 4 * case.n * ITEMSIZE.get(case.dtype, 8)
    if avail is not None and need > avail:
        return f"skipped: needs ~{need / 2**30:.1f} GiB, {avail / 2**30:.1f} GiB available"
    return None


def run_case(case: Case, peers: dict[str, Any], timing: Timing) -> None:
    base = {
        "case": case.name, "library": case.library, "kind": case.kind, "variant": case.variant,
        "dtype": case.dtype, "n": case.n, "shape": list(case.shape), "threads": case.threads,
        "bytes": case.n * ITEMSIZE.get(case.dtype, 0), "note": case.note,
    }
    skip = _memory_check(case)
    if skip:
        case.result = {**base, "ok": False, "error": skip}
        return
    fn = None
    try:
        with _ThreadScope(case, peers):
            if case.library == "torch":
                base["torch_threads"] = peers["torch"].get_num_threads()
            fn = case.setup()
            before = cpu_snapshot()
            m = measure(fn, timing)
            load = other_load(before, cpu_snapshot())
        sec = m["seconds"]
        case.result = {
            **base, "ok": True, "error": None, **m,
            "mvalues_per_s": case.n / sec / 1e6, "gb_per_s": base["bytes"] / sec / 1e9,
            "other_cpu_load": load, "contended": load is not None and load >= CONTENDED_CPUS,
        }
    except Exception as e:  # a failing peer is reported, never fatal
        msg = f"{e.__class__.__name__}: {e}".splitlines()[0][:200]
        case.result = {**base, "ok": False, "error": msg, "traceback": traceback.format_exc(limit=3)}
    finally:
        del fn
        if base["bytes"] >= 2**24:  # big arrays are freed by refcount; collect cycles only here
            gc.collect()  # (a full collection costs ~0.1 s once torch is imported)


def _annotate(results: list[dict[str, Any]], kernels: list[dict[str, Any]]) -> None:
    """Speedups over NumPy, fractions of the ceiling and, for fresh weightinit rows, of the
    additive limit (zeroing plus per-core kernel time, see .limits), from the same run."""
    rate: dict[tuple, float] = {}
    for r in results:
        if r.get("ok"):
            rate[(r["case"], r["dtype"], r["n"], r["threads"])] = r["mvalues_per_s"]
    ceil_threads: dict[tuple, list[int]] = {}
    for (name, dtype, n, t) in rate:
        if name.startswith("ceiling zeros"):
            ceil_threads.setdefault((name, dtype, n), []).append(t)
    for r in results:
        r["speedup_vs_numpy"] = r["speedup_vs_numpy_philox"] = r["fraction_of_ceiling"] = None
        r["ceiling_threads"] = None
        r["additive_limit_mvalues_per_s"] = r["fraction_of_limit"] = None
        if not r.get("ok"):
            continue
        per_core = kernel_rate(kernels, r["case"], r["dtype"]) if r["variant"] == "fresh" else None
        zeroing = rate.get(("ceiling zeros", r["dtype"], r["n"], r["threads"]))
        if per_core and zeroing:
            limit = additive_limit(zeroing, per_core, r["threads"])
            r["additive_limit_mvalues_per_s"] = limit
            r["fraction_of_limit"] = r["mvalues_per_s"] / limit
        kind = BASELINE_KIND.get(r["kind"])
        if kind is not None:
            for key, base in (("speedup_vs_numpy", NUMPY_BASELINE), ("speedup_vs_numpy_philox", NUMPY_PHILOX)):
                ref = rate.get((f"{base} {kind}", r["dtype"], r["n"], 1))
                r[key] = r["mvalues_per_s"] / ref if ref else None
        if r["library"] == "ceiling" and r["variant"] == "fresh":
            r["fraction_of_ceiling"] = 1.0
            r["ceiling_threads"] = r["threads"]
            continue
        ceil_name = "ceiling zeros out=" if r["variant"] == "out" else "ceiling zeros"
        measured = ceil_threads.get((ceil_name, r["dtype"], r["n"]), [])
        if not measured:
            continue
        t = r["threads"] if r["threads"] in measured else max(measured)
        r["ceiling_threads"] = t
        r["fraction_of_ceiling"] = r["mvalues_per_s"] / rate[(ceil_name, r["dtype"], r["n"], t)]


def run(
    sizes: list[int],
    dtypes: list[str],
    thread_counts: list[int],
    timing: Timing,
    *,
    with_out: bool = True,
    quiet: bool = False,
    skip_peers: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Run every case; return the report (machine, settings, peers, results)."""
    peers: dict[str, Any] = {}
    peer_status: dict[str, str] = {}
    for name in ("torch", "jax", "mkl_random", "threadpoolctl"):
        if name in skip_peers:
            peers[name], why = None, "skipped (--skip)"
        else:
            peers[name], why = import_peer(name)
        peer_status[name] = why or f"ok ({getattr(peers[name], '__version__', None) or package_version(name) or '?'})"
    original_threads = get_num_threads()
    torch = peers.get("torch")
    original_torch_threads = torch.get_num_threads() if torch is not None else None
    report: dict[str, Any] = {
        "schema": 1,
        "machine": machine_info(peers),
        "settings": {
            "sizes": sizes, "dtypes": dtypes, "threads": thread_counts,
            "min_time": timing.min_time, "rep_time": timing.rep_time, "min_reps": timing.min_reps,
            "max_reps": timing.max_reps, "fixed_reps": timing.fixed_reps, "with_out": with_out,
            "seed": "weightinit: seed=0 (an int, turned into a key on every call); NumPy: one Generator per case",
            "time": "best of reps; each rep times `inner` calls (perf_counter) and reports the time per call",
        },
        "peers": peer_status,
    }
    # The per-core compute limit first, on a quiet machine state (no big arrays around yet).
    report["kernels"] = measure_kernels(dtypes, timing)
    plan = build_plan(sizes, dtypes, thread_counts, peers, with_out)
    bar = progress(len(plan), "bench", unit="cases", quiet=quiet)
    t0 = time.perf_counter()
    try:
        for case in plan:
            bar.note(case.label)
            run_case(case, peers, timing)
            bar.update(1)
    finally:
        bar.close()
        set_num_threads(original_threads)
        if torch is not None:
            torch.set_num_threads(original_torch_threads)
    results = [c.result for c in plan]
    _annotate(results, report["kernels"])
    report["results"] = results
    report["elapsed_seconds"] = time.perf_counter() - t0
    report["machine"]["load_average_at_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    return report
