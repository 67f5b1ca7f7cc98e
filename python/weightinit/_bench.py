"""``python -m weightinit bench``: weightinit against NumPy, PyTorch, JAX and mkl_random.

Every peer is called the way a user would call it, into fresh memory:

- NumPy, ``default_rng()`` (PCG64) and ``Generator(Philox())``: uniform = ``random(shape,
  dtype)`` then ``x *= 2 * a; x -= a``; normal = ``standard_normal(shape, dtype)`` then
  ``x *= std``; bfloat16 = the float32 recipe, then ``.astype(ml_dtypes.bfloat16)``;
- weightinit ``glorot_uniform``, ``he_normal``, ``truncated_normal`` (fresh output, ``seed=0``),
  and ``glorot_uniform``/``he_normal`` with ``out=`` a preallocated buffer;
- where installed: PyTorch ``xavier_uniform_``, ``kaiming_normal_``, ``trunc_normal_`` on a
  fresh ``torch.empty``; JAX ``glorot_uniform()``, ``he_normal()``, ``truncated_normal()`` with
  ``block_until_ready()``; mkl_random ``standard_normal``;
- the memory ceiling: ``weightinit.zeros`` into a fresh array (and into ``out=``).

Each case reports the best of several repetitions (small sizes time a loop of many calls), the
output rate (M values/s, GB/s of output), the speedup over the matching NumPy recipe of the same
run (uniform against NumPy's uniform, normal and truncated normal against NumPy's normal) and the
fraction of the memory ceiling of the same size, dtype and thread count. A peer that is missing
is skipped; a peer that fails is reported as n/a. Timings are never asserted anywhere.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import importlib
import json
import math
import os
import platform
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ._runtime import get_num_threads, info, set_num_threads
from .initializers import compute_fans, glorot_uniform, he_normal, truncated_normal, zeros

__all__ = ["main", "run"]

DEFAULT_JSON = os.path.join("benchmarks", "results", "bench.json")
FULL_SIZES = [1000, 2**16, 2**20, 2**26]
HUGE_SIZE = 2**28
QUICK_SIZES = [1000, 2**24]
FULL_DTYPES = ["float32", "float64", "bfloat16"]
QUICK_DTYPES = ["float32", "bfloat16"]
ITEMSIZE = {"float32": 4, "float64": 8, "bfloat16": 2, "float16": 2}

#: NumPy recipe each kind of distribution is compared against.
BASELINE_KIND = {"uniform": "uniform", "normal": "normal", "truncated_normal": "normal"}
NUMPY_BASELINE = "numpy default_rng"
NUMPY_PHILOX = "numpy Philox"
#: Libraries measured once, on one thread, whatever the thread setting.
SINGLE_THREADED = ("numpy", "mkl_random", "reference")


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One measurement: a callable made by ``setup`` (which may raise) and timed repeatedly."""

    name: str  # e.g. "weightinit he_normal", "numpy default_rng normal"
    library: str  # weightinit | numpy | torch | jax | mkl_random | ceiling
    kind: str  # uniform | normal | truncated_normal | constant
    variant: str  # fresh | out
    dtype: str
    n: int
    shape: tuple[int, ...]
    threads: int
    setup: Callable[[], Callable[[], Any]]
    note: str = ""
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.name} {self.dtype} {format_n(self.n)} threads={self.threads}"


def format_n(n: int) -> str:
    """2^k for powers of two >= 1024, else the number with thousands separators."""
    if n >= 1024 and n & (n - 1) == 0:
        return f"2^{n.bit_length() - 1}"
    return f"{n:,}"


def shape_for(n: int) -> tuple[int, ...]:
    """A 2-D weight shape of ``n`` elements: (n // 1024, 1024), or the most square factor pair."""
    if n % 1024 == 0:
        return (n // 1024, 1024)
    d = max(k for k in range(1, math.isqrt(n) + 1) if n % k == 0)
    return (d, n // d)


def _scales(shape: tuple[int, ...]) -> tuple[float, float]:
    """Glorot-uniform bound and He-normal std (fan_in, gain sqrt(2)) of ``shape`` (torch layout)."""
    fan_in, fan_out = compute_fans(shape)
    return math.sqrt(6.0 / (fan_in + fan_out)), math.sqrt(2.0) / math.sqrt(fan_in)


def _np_dtype(dtype: str) -> Any:
    if dtype == "bfloat16":
        import ml_dtypes

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(dtype)


def _numpy_cases(bitgen: str, dtype: str, n: int) -> list[Case]:
    shape = shape_for(n)
    bound, std = _scales(shape)
    name = NUMPY_BASELINE if bitgen == "pcg64" else NUMPY_PHILOX
    work = "float64" if dtype == "float64" else "float32"  # bfloat16: float32 recipe + astype

    def rng() -> np.random.Generator:
        return np.random.default_rng(0) if bitgen == "pcg64" else np.random.Generator(np.random.Philox(0))

    def setup_uniform() -> Callable[[], Any]:
        g, wdt, target = rng(), np.dtype(work), _np_dtype(dtype)
        convert = target != wdt

        def fn() -> Any:
            x = g.random(shape, dtype=wdt)
            x *= 2 * bound
            x -= bound
            return x.astype(target) if convert else x

        return fn

    def setup_normal() -> Callable[[], Any]:
        g, wdt, target = rng(), np.dtype(work), _np_dtype(dtype)
        convert = target != wdt

        def fn() -> Any:
            x = g.standard_normal(shape, dtype=wdt)
            x *= std
            return x.astype(target) if convert else x

        return fn

    note = "float32 recipe, then astype(bfloat16)" if dtype == "bfloat16" else ""
    return [
        Case(f"{name} uniform", "numpy", "uniform", "fresh", dtype, n, shape, 1, setup_uniform, note),
        Case(f"{name} normal", "numpy", "normal", "fresh", dtype, n, shape, 1, setup_normal, note),
    ]


def _weightinit_cases(dtype: str, n: int, threads: int, with_out: bool) -> list[Case]:
    shape = shape_for(n)
    _, std = _scales(shape)

    def fresh(f: Callable[..., Any], **kw: Any) -> Callable[[], Callable[[], Any]]:
        return lambda: (lambda: f(shape, dtype=dtype, seed=0, **kw))

    def into(f: Callable[..., Any]) -> Callable[[], Callable[[], Any]]:
        def setup() -> Callable[[], Any]:
            buf = np.empty(shape, dtype=_np_dtype(dtype))
            buf.fill(0)  # touch the pages: out= reuses memory a previous step already holds
            return lambda: f(shape, dtype=dtype, seed=0, out=buf)

        return setup

    cases = [
        Case("weightinit glorot_uniform", "weightinit", "uniform", "fresh", dtype, n, shape, threads, fresh(glorot_uniform)),
        Case("weightinit he_normal", "weightinit", "normal", "fresh", dtype, n, shape, threads, fresh(he_normal)),
        Case(
            "weightinit truncated_normal", "weightinit", "truncated_normal", "fresh", dtype, n, shape, threads,
            lambda: (lambda: truncated_normal(shape, 0.0, std, -2 * std, 2 * std, dtype=dtype, seed=0)),
            "N(0, std^2) on [-2 std, 2 std], std of he_normal",
        ),
    ]
    if with_out:
        cases += [
            Case("weightinit glorot_uniform out=", "weightinit", "uniform", "out", dtype, n, shape, threads, into(glorot_uniform)),
            Case("weightinit he_normal out=", "weightinit", "normal", "out", dtype, n, shape, threads, into(he_normal)),
        ]
    return cases


def _ceiling_cases(dtype: str, n: int, threads: int, with_out: bool) -> list[Case]:
    shape = shape_for(n)

    def setup_out() -> Callable[[], Any]:
        buf = np.empty(shape, dtype=_np_dtype(dtype))
        buf.fill(0)
        return lambda: zeros(shape, dtype=dtype, out=buf)

    cases = [
        Case("ceiling zeros", "ceiling", "constant", "fresh", dtype, n, shape, threads,
             lambda: (lambda: zeros(shape, dtype=dtype)), "weightinit.zeros into a fresh array"),
    ]
    if with_out:
        cases.append(Case("ceiling zeros out=", "ceiling", "constant", "out", dtype, n, shape, threads, setup_out,
                          "weightinit.zeros into a touched out= buffer"))
    return cases


def _reference_cases(dtype: str, n: int, with_out: bool) -> list[Case]:
    """NumPy's own constant fills (single-threaded): how close weightinit.zeros is to the memory."""
    shape = shape_for(n)

    def setup_full() -> Callable[[], Any]:
        dt = _np_dtype(dtype)
        return lambda: np.full(shape, 0.0, dtype=dt)

    def setup_fill() -> Callable[[], Any]:
        buf = np.empty(shape, dtype=_np_dtype(dtype))
        buf.fill(1)

        def fn() -> Any:
            buf.fill(0.0)
            return buf

        return fn

    cases = [Case("numpy full (reference)", "reference", "constant", "fresh", dtype, n, shape, 1, setup_full,
                  "np.full into a fresh array, 1 thread")]
    if with_out:
        cases.append(Case("numpy fill out= (reference)", "reference", "constant", "out", dtype, n, shape, 1, setup_fill,
                          "ndarray.fill of a touched buffer, 1 thread"))
    return cases


def _torch_cases(torch: Any, dtype: str, n: int, threads: int) -> list[Case]:
    shape = shape_for(n)
    _, std = _scales(shape)
    init = torch.nn.init

    def tdt() -> Any:
        return {"float32": torch.float32, "float64": torch.float64, "bfloat16": torch.bfloat16}[dtype]

    def make(f: Callable[[Any], Any]) -> Callable[[], Callable[[], Any]]:
        def setup() -> Callable[[], Any]:
            dt = tdt()
            return lambda: f(torch.empty(shape, dtype=dt))

        return setup

    return [
        Case("torch xavier_uniform_", "torch", "uniform", "fresh", dtype, n, shape, threads, make(init.xavier_uniform_)),
        Case("torch kaiming_normal_", "torch", "normal", "fresh", dtype, n, shape, threads, make(init.kaiming_normal_)),
        Case("torch trunc_normal_", "torch", "truncated_normal", "fresh", dtype, n, shape, threads,
             make(lambda t: init.trunc_normal_(t, 0.0, std, -2 * std, 2 * std)),
             "same std and bounds as weightinit truncated_normal"),
    ]


def _jax_cases(jax: Any, dtype: str, n: int, threads: int) -> list[Case]:
    shape = shape_for(n)
    note = "XLA CPU thread pool (not settable at run time)"

    def make(factory: Callable[[], Any]) -> Callable[[], Callable[[], Any]]:
        def setup() -> Callable[[], Any]:
            import jax.numpy as jnp

            dt = {"float32": jnp.float32, "float64": jnp.float64, "bfloat16": jnp.bfloat16}[dtype]
            key, init = jax.random.PRNGKey(0), factory()

            def fn() -> Any:
                return init(key, shape, dt).block_until_ready()

            got = fn().dtype
            if got != dt:  # float64 without jax_enable_x64 silently gives float32
                raise RuntimeError(f"JAX returned {got}, not {dtype}")
            return fn

        return setup

    inits = jax.nn.initializers
    return [
        Case("jax glorot_uniform", "jax", "uniform", "fresh", dtype, n, shape, threads, make(inits.glorot_uniform), note),
        Case("jax he_normal", "jax", "truncated_normal", "fresh", dtype, n, shape, threads, make(inits.he_normal),
             note + "; JAX's he_normal is truncated"),
        Case("jax truncated_normal", "jax", "truncated_normal", "fresh", dtype, n, shape, threads,
             make(lambda: inits.truncated_normal(stddev=0.02)), note),
    ]


def _mkl_cases(mkl_random: Any, dtype: str, n: int) -> list[Case]:
    shape = shape_for(n)
    _, std = _scales(shape)

    def setup() -> Callable[[], Any]:
        rs, target = mkl_random.RandomState(0), _np_dtype(dtype)

        def fn() -> Any:
            x = rs.standard_normal(size=shape)  # float64 only
            if target != np.float64:
                x = x.astype(target)
            x *= std
            return x

        return fn

    note = "float64 draws" + (f", then astype({dtype})" if dtype != "float64" else "")
    return [Case("mkl_random standard_normal", "mkl_random", "normal", "fresh", dtype, n, shape, 1, setup, note)]


# ---------------------------------------------------------------------------------------------
# Peers and machine facts
# ---------------------------------------------------------------------------------------------


def _import_peer(name: str) -> tuple[Any, str | None]:
    """(module, None), or (None, why) when it is missing or fails to import."""
    try:
        module = importlib.import_module(name)
    except ImportError as e:
        return None, f"not installed ({e.__class__.__name__})"
    except Exception as e:  # a broken install must not stop the benchmark
        return None, f"import failed: {e.__class__.__name__}: {e}"
    if name == "jax":
        try:
            module.config.update("jax_enable_x64", True)
        except Exception:
            pass
    return module, None


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return None


def _meminfo(key: str) -> int | None:
    text = _read_text("/proc/meminfo")
    for line in (text or "").splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return None


def _version(module_name: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(module_name)
    except Exception:
        return None


def machine_info(peers: dict[str, Any]) -> dict[str, Any]:
    torch = peers.get("torch")
    try:
        affinity = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        affinity = None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "cpus_available": affinity,
        "memory_bytes": _meminfo("MemTotal"),
        "transparent_hugepage": _read_text("/sys/kernel/mm/transparent_hugepage/enabled"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "weightinit_info": info(),
        "numpy": np.__version__,
        "ml_dtypes": _version("ml_dtypes"),
        "torch": getattr(torch, "__version__", None),
        "torch_default_threads": torch.get_num_threads() if torch is not None else None,
        "jax": getattr(peers.get("jax"), "__version__", None),
        "mkl_random": _version("mkl_random") if peers.get("mkl_random") is not None else None,
        "threadpoolctl": _version("threadpoolctl") if peers.get("threadpoolctl") is not None else None,
        "matplotlib": _version("matplotlib"),
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "env": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OMP_PROC_BIND", "OMP_WAIT_POLICY", "MKL_NUM_THREADS") if k in os.environ},
    }


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


def build_plan(sizes: list[int], dtypes: list[str], thread_counts: list[int], peers: dict[str, Any], with_out: bool) -> list[Case]:
    plan: list[Case] = []
    top = max(thread_counts)
    for dtype in dtypes:
        for n in sizes:
            plan += _numpy_cases("pcg64", dtype, n) + _numpy_cases("philox", dtype, n)
            plan += _reference_cases(dtype, n, with_out)
            if peers.get("mkl_random") is not None:
                plan += _mkl_cases(peers["mkl_random"], dtype, n)
            for t in thread_counts:
                plan += _weightinit_cases(dtype, n, t, with_out)
                if peers.get("torch") is not None:
                    plan += _torch_cases(peers["torch"], dtype, n, t)
                if peers.get("jax") is not None and t == top:
                    plan += _jax_cases(peers["jax"], dtype, n, t)
                plan += _ceiling_cases(dtype, n, t, with_out)
    return plan


def _memory_check(case: Case) -> str | None:
    """Why a case is skipped for lack of memory (peers may hold a few temporaries), or None."""
    avail = _meminfo("MemAvailable")
    need = 4 * case.n * ITEMSIZE.get(case.dtype, 8)
    if avail is not None and need > avail:
        return f"skipped: needs ~{need / 2**30:.1f} GiB, {avail / 2**30:.1f} GiB available"
    return None


class _Progress:
    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet, self.bar, self.count = total, quiet, None, 0
        if quiet:
            return
        try:
            from tqdm import tqdm

            self.bar = tqdm(total=total, file=sys.stderr, unit="case", leave=False)
        except Exception:
            self.bar = None

    def start(self, case: Case) -> None:
        self.count += 1
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.set_description(case.label)
        else:
            print(f"[{self.count}/{self.total}] {case.label} ...", end="", file=sys.stderr, flush=True)

    def done(self, case: Case) -> None:
        if self.quiet:
            return
        r = case.result
        text = f"{r['mvalues_per_s']:.0f} M values/s" if r.get("ok") else f"n/a ({r.get('error')})"
        if r.get("contended"):
            text += f" (other processes busy: {r['other_cpu_load']:.1f} CPUs)"
        if self.bar is not None:
            self.bar.update(1)
        else:
            print(f" {text}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


#: Other processes busier than this many CPUs on average during a case mark it as contended.
CONTENDED_CPUS = 0.3


def _cpu_snapshot() -> tuple[float, float, float] | None:
    """(busy CPU-seconds of the whole machine, CPU-seconds of this process, wall time), or None
    where /proc/stat is not available. Steal time counts as busy: it is contention too."""
    try:
        import resource

        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(v) for v in f.readline().split()[1:9]]
        busy = (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
        ru = resource.getrusage(resource.RUSAGE_SELF)
    except Exception:
        return None
    return busy, ru.ru_utime + ru.ru_stime, time.perf_counter()


def _other_load(before: tuple[float, float, float] | None, after: tuple[float, float, float] | None) -> float | None:
    """Average CPUs that other processes kept busy between two snapshots."""
    if before is None or after is None or after[2] - before[2] < 0.05:
        return None
    return max(0.0, ((after[0] - before[0]) - (after[1] - before[1])) / (after[2] - before[2]))


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
            before = _cpu_snapshot()
            m = measure(fn, timing)
            load = _other_load(before, _cpu_snapshot())
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


def _annotate(results: list[dict[str, Any]]) -> None:
    """Speedups over NumPy and fractions of the ceiling, from rows of the same run."""
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
        if not r.get("ok"):
            continue
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
            peers[name], why = _import_peer(name)
        peer_status[name] = why or f"ok ({getattr(peers[name], '__version__', None) or _version(name) or '?'})"
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
    plan = build_plan(sizes, dtypes, thread_counts, peers, with_out)
    progress = _Progress(len(plan), quiet)
    t0 = time.perf_counter()
    try:
        for case in plan:
            progress.start(case)
            run_case(case, peers, timing)
            progress.done(case)
    finally:
        progress.close()
        set_num_threads(original_threads)
        if torch is not None:
            torch.set_num_threads(original_torch_threads)
    results = [c.result for c in plan]
    _annotate(results)
    report["results"] = results
    report["elapsed_seconds"] = time.perf_counter() - t0
    report["machine"]["load_average_at_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    return report


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------

COLUMNS = ["case", "dtype", "n", "threads", "M values/s", "GB/s", "x NumPy", "x NumPy Philox", "of ceiling"]


def _fmt(v: float | None, spec: str, suffix: str = "") -> str:
    return "-" if v is None else format(v, spec) + suffix


def _rate(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 else f"{v:.2f}" if v < 1 else f"{v:.1f}"


def _row_cells(r: dict[str, Any]) -> list[str]:
    head = [r["case"], r["dtype"], format_n(r["n"]), str(r["threads"])]
    if not r.get("ok"):
        return head + ["n/a", "n/a", "n/a", "n/a", "n/a"]
    return head + [
        _rate(r["mvalues_per_s"]) + ("!" if r.get("contended") else ""),
        _fmt(r["gb_per_s"], ".2f"),
        _fmt(r["speedup_vs_numpy"], ".2f", "x"),
        _fmt(r["speedup_vs_numpy_philox"], ".2f", "x"),
        _fmt(None if r["fraction_of_ceiling"] is None else 100 * r["fraction_of_ceiling"], ".0f", "%"),
    ]


def format_table(report: dict[str, Any]) -> str:
    results = report["results"]
    rows = [_row_cells(r) for r in results]
    widths = [max(len(c), *(len(row[i]) for row in rows)) if rows else len(c) for i, c in enumerate(COLUMNS)]
    left = {0, 1}

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    m = report["machine"]
    out = [
        f"weightinit {m['weightinit_info']['weightinit']} on {m['cpu_model']} ({m['logical_cpus']} logical CPUs), "
        f"NumPy {m['numpy']}" + (f", torch {m['torch']}" if m["torch"] else "") + (f", jax {m['jax']}" if m["jax"] else ""),
        "M values/s and GB/s of output, best of reps; x NumPy: speedup over the same run's NumPy "
        "default_rng (PCG64) recipe, uniform vs uniform, normal/truncated vs normal; "
        "of ceiling: fraction of weightinit.zeros of the same size, dtype and threads (into out= for out= rows); "
        "(reference) rows: NumPy's own 1-thread constant fill, to show how close that ceiling is to the memory; "
        "NumPy rows run on 1 thread.",
        "",
        line(COLUMNS),
        line(["-" * w for w in widths]),
    ]
    previous = None
    for r, cells in zip(results, rows):
        group = (r["dtype"], r["n"])
        if previous is not None and group != previous:
            out.append("")
        previous = group
        out.append(line(cells))
    failures = [r for r in results if not r.get("ok")]
    if failures:
        out += ["", "n/a:"] + [f"  {r['case']} {r['dtype']} {format_n(r['n'])} threads={r['threads']}: {r['error']}" for r in failures]
    contended = [r for r in results if r.get("contended")]
    if contended:
        out += ["", f"! {len(contended)} of {len(results)} cases ran while other processes kept >= {CONTENDED_CPUS} CPUs "
                "busy on average: their numbers are unreliable (rerun on a quiet machine)."]
    missing = {k: v for k, v in report["peers"].items() if not v.startswith("ok") and k != "threadpoolctl"}
    if missing:
        out += ["", "skipped peers: " + "; ".join(f"{k}: {v}" for k, v in missing.items())]
    torch_threads = sorted({r["torch_threads"] for r in results if "torch_threads" in r})
    if torch_threads:
        out.append(f"torch intra-op threads used (torch.get_num_threads()): {', '.join(map(str, torch_threads))}")
    return "\n".join(out)


def format_markdown(report: dict[str, Any]) -> str:
    """A compact pivot for the README: one row per case (all-threads rows and single-threaded
    peers), one column per dtype at the smallest and largest measured size (below ``--huge``)."""
    results = [r for r in report["results"]]
    if not results:
        return ""
    sizes = sorted({r["n"] for r in results})
    big = [n for n in sizes if n < HUGE_SIZE] or sizes
    keep_sizes = sorted({sizes[0], big[-1]})
    dtypes = list(dict.fromkeys(r["dtype"] for r in results))
    top = max(r["threads"] for r in results)
    rows = [r for r in results if r["n"] in keep_sizes and (r["threads"] == top or r["library"] in SINGLE_THREADED)]
    cases = list(dict.fromkeys((r["case"], r["threads"]) for r in rows))
    cell = {(r["case"], r["threads"], r["dtype"], r["n"]): r for r in rows}
    cols = [(d, n) for d in dtypes for n in keep_sizes]
    m = report["machine"]
    lines = [
        f"M values/s (speedup over NumPy `default_rng()` of the same kind), {m['cpu_model']}, "
        f"{top} threads for weightinit and torch, NumPy {m['numpy']}" + (f", torch {m['torch']}" if m["torch"] else "") + ":",
        "",
        "| case | threads | " + " | ".join(f"{d} {format_n(n)}" for d, n in cols) + " |",
        "|---|---:|" + "---:|" * len(cols),
    ]
    for name, t in cases:
        cells = []
        for d, n in cols:
            r = cell.get((name, t, d, n))
            if r is None:
                cells.append("")
            elif not r.get("ok"):
                cells.append("n/a")
            else:
                s = r["speedup_vs_numpy"]
                extra = f" ({s:.1f}x)" if s is not None and r["library"] != "numpy" else ""
                if r["library"] in ("ceiling", "reference"):
                    extra = f" ({r['gb_per_s']:.1f} GB/s)"
                cells.append(f"{_rate(r['mvalues_per_s'])}{'!' if r.get('contended') else ''}{extra}")
        lines.append(f"| {name} | {t} | " + " | ".join(cells) + " |")
    if any(r["library"] == "reference" for r in rows):
        lines += ["", "(reference): NumPy's own single-threaded constant fill, for scale."]
    if any(r.get("contended") for r in rows):
        lines += ["", "! other processes were busy during this measurement."]
    return "\n".join(lines)


def write_plot(report: dict[str, Any], path: str) -> str | None:
    """M values/s against size, log-log: one panel per (threads, dtype). None if no matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception:
        return None
    results = [r for r in report["results"] if r.get("ok")]
    dtypes = list(dict.fromkeys(r["dtype"] for r in report["results"]))
    threads = sorted({r["threads"] for r in report["results"] if r["library"] in ("weightinit", "ceiling")})
    if not dtypes or not threads:
        return None
    names = list(dict.fromkeys(r["case"] for r in report["results"]))
    library = {r["case"]: r["library"] for r in report["results"]}
    kind = {r["case"]: r["kind"] for r in report["results"]}
    # Colour family per library, shade per case; marker per distribution; dashes for out=.
    families = {"weightinit": "Reds", "numpy": "Blues", "torch": "Greens", "jax": "Purples", "mkl_random": "Oranges", "ceiling": "Greys", "reference": "YlOrBr"}
    colors: dict[str, Any] = {}
    for lib, cmap_name in families.items():
        members = [nm for nm in names if library[nm] == lib]
        cmap = plt.get_cmap(cmap_name)
        for k, nm in enumerate(members):
            colors[nm] = cmap(0.55 + 0.4 * k / max(1, len(members) - 1)) if len(members) > 1 else cmap(0.8)
    markers = {"uniform": "o", "normal": "s", "truncated_normal": "^", "constant": "D"}
    fig, axes = plt.subplots(len(threads), len(dtypes), figsize=(5.4 * len(dtypes), 4.3 * len(threads)),
                             squeeze=False, sharex=True, sharey=True)
    for i, t in enumerate(threads):
        for j, d in enumerate(dtypes):
            ax = axes[i][j]
            for name in names:
                pts = sorted((r["n"], r["mvalues_per_s"]) for r in results if r["case"] == name and r["dtype"] == d
                             and (r["threads"] == t or r["library"] in SINGLE_THREADED))
                if not pts:
                    continue
                lib = library[name]
                style = "--" if "out=" in name else {"ceiling": ":", "reference": ":", "numpy": "-.", "mkl_random": "-."}.get(lib, "-")
                ax.plot([p[0] for p in pts], [p[1] for p in pts], style, marker=markers.get(kind[name], "o"), ms=4,
                        lw=2.2 if lib == "weightinit" else 1.5, color=colors.get(name, "grey"), label=name)
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.grid(True, which="both", alpha=0.3)
            ax.set_title(f"{d}, {t} thread{'s' if t > 1 else ''} (NumPy: 1)")
            if i == len(threads) - 1:
                ax.set_xlabel("elements per call")
            if j == 0:
                ax.set_ylabel("M values/s (output)")
    handles, labels = {}, []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in handles:
                handles[lab] = h
                labels.append(lab)
    fig.legend([handles[lab] for lab in labels], labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8, frameon=False)
    m = report["machine"]
    fig.suptitle(f"weightinit vs peers, output values per second (higher is better): {m['cpu_model']}, "
                 f"{m['logical_cpus']} CPUs, {m['date'][:10]}\nweightinit solid (out= dashed), NumPy dash-dot "
                 "(1 thread), ceiling = weightinit.zeros dotted; o uniform, s normal, ^ truncated normal", fontsize=10)
    rows_of_legend = math.ceil(len(labels) / 4)
    fig.tight_layout(rect=(0, (0.1 + 0.16 * rows_of_legend) / fig.get_figheight(), 1, 0.95))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def _size(text: str) -> int:
    t = text.replace("**", "^").replace(",", "").replace("_", "")
    try:
        if "^" in t:
            b, e = t.split("^")
            v = int(b) ** int(e)
        else:
            v = int(float(t))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use e.g. 1000, 65536 or 2^20)") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"size must be >= 1, got {text!r}")
    return v


def build_parser(prog: str = "python -m weightinit bench") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Benchmark weightinit against NumPy (and PyTorch, JAX, mkl_random where installed): "
        "M values/s, GB/s, speedup over NumPy and fraction of the memory ceiling.",
    )
    p.add_argument("--quick", action="store_true", help="sizes 1,000 and 2^24, float32 and bfloat16, all threads only (< 1 min)")
    p.add_argument("--huge", action="store_true", help="also 2^28 elements (1 GiB in float32, 2 GiB in float64)")
    p.add_argument("--dtypes", nargs="+", choices=["float32", "float64", "bfloat16"], help="dtypes to run (default: all three; --quick: float32 bfloat16)")
    p.add_argument("--json", default=DEFAULT_JSON, metavar="PATH", help=f"where to write the results (default {DEFAULT_JSON})")
    p.add_argument("--plot", default=None, metavar="PATH", help="PNG plot path (default: next to the JSON; needs matplotlib)")
    p.add_argument("--no-plot", action="store_true", help="do not draw the plot")
    p.add_argument("--no-out", action="store_true", help="skip the out= (preallocated buffer) cases")
    p.add_argument("--markdown", action="store_true", help="also print a compact Markdown table for the README")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    # Hidden: for smoke tests and special runs.
    p.add_argument("--sizes", nargs="+", type=_size, help=argparse.SUPPRESS)
    p.add_argument("--threads", nargs="+", type=int, help=argparse.SUPPRESS)
    p.add_argument("--reps", type=int, help=argparse.SUPPRESS)
    p.add_argument("--min-time", type=float, help=argparse.SUPPRESS)
    p.add_argument("--skip", nargs="+", default=[], choices=["torch", "jax", "mkl_random", "threadpoolctl"], help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None, prog: str = "python -m weightinit bench") -> int:
    args = build_parser(prog).parse_args(argv)
    all_threads = get_num_threads()
    if args.sizes:
        sizes = sorted(set(args.sizes))
    else:
        sizes = list(QUICK_SIZES if args.quick else FULL_SIZES)
    if args.huge and HUGE_SIZE not in sizes:
        sizes.append(HUGE_SIZE)
    dtypes = args.dtypes or (QUICK_DTYPES if args.quick else FULL_DTYPES)
    if args.threads:
        if any(t < 1 for t in args.threads):
            build_parser(prog).error("--threads must be >= 1")
        threads = sorted(set(args.threads))
    else:
        threads = [all_threads] if args.quick else sorted({1, all_threads})
    timing = Timing(min_time=0.1, rep_time=0.01, min_reps=2, max_reps=20) if args.quick else Timing()
    if args.min_time is not None:
        timing.min_time = args.min_time
    if args.reps is not None:
        if args.reps < 1:
            build_parser(prog).error("--reps must be >= 1")
        timing.fixed_reps = args.reps

    report = run(sizes, dtypes, threads, timing, with_out=not args.no_out, quiet=args.quiet, skip_peers=tuple(args.skip))
    report["settings"]["mode"] = "quick" if args.quick else "full"
    report["settings"]["argv"] = list(sys.argv[1:] if argv is None else argv)

    print(format_table(report))
    if args.markdown:
        print()
        print(format_markdown(report))

    status = 0
    json_path = args.json
    try:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        with open(json_path, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1, default=str)
            f.write("\n")
        if not args.quiet:
            print(f"results: {json_path}", file=sys.stderr)
    except OSError as e:
        print(f"could not write {json_path}: {e}", file=sys.stderr)
        status = 1
    if not args.no_plot:
        plot_path = args.plot or str(Path(json_path).with_suffix(".png"))
        try:
            done = write_plot(report, plot_path)
        except Exception as e:  # a plot is a convenience, never a failure
            done = None
            print(f"plot failed: {e.__class__.__name__}: {e}", file=sys.stderr)
        if not args.quiet:
            if done:
                print(f"plot: {done}", file=sys.stderr)
            elif not _version("matplotlib"):
                print("plot: skipped (matplotlib not installed)", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
