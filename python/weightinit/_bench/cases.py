"""The benchmark's cases: each peer called the way a user would call it, and the plan of a run."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..initializers import compute_fans, glorot_uniform, he_normal, truncated_normal, zeros

#: The size ``--huge`` adds (1 GiB in float32).
HUGE_SIZE = 2**28
ITEMSIZE = {"float32": 4, "float64": 8, "bfloat16": 2, "float16": 2}

#: NumPy recipe each kind of distribution is compared against.
BASELINE_KIND = {"uniform": "uniform", "normal": "normal", "truncated_normal": "normal"}
NUMPY_BASELINE = "numpy default_rng"
NUMPY_PHILOX = "numpy Philox"
#: Libraries measured once, on one thread, whatever the thread setting.
SINGLE_THREADED = ("numpy", "mkl_random", "reference")


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
