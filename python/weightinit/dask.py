"""weightinit's initializers as lazy dask arrays, for tensors (and clusters) bigger than one machine.

Every function here takes the arguments of its namesake in :mod:`weightinit.initializers`, less
``out=`` and ``index=``, plus ``chunks=`` (dask's: ``"auto"`` (default), an int, a tuple of ints
or of tuples, a dict of axis: chunk, ``-1`` for a single chunk along an axis). It returns a
:class:`dask.array.Array` that is, bit for bit, the array the in-memory call makes:

``weightinit.dask.he_normal(shape, seed=s, chunks=c).compute() == weightinit.he_normal(shape, seed=s)``

for any chunking, on any scheduler: threads, processes, or a ``dask.distributed`` cluster.

How
---
Each chunk is made where it is computed, by the in-memory initializer with ``index=`` set to the
chunk's slices of the full tensor: a sample depends only on the key and its position in the full
tensor, so no chunk needs another, and nothing but a tiny spec travels. The task graph holds, once,
``(initializer, parameters, key, shape, dtype)``, and per chunk its slices: no arrays, no closures
(the graph is a lazy blockwise layer, so a tensor of 2**40 elements costs nothing to describe).

Seeds are resolved when the dask array is made, not when it is computed: an int, a sequence of
ints or a ``numpy.random.SeedSequence`` becomes its Philox key; ``None`` draws fresh entropy
*once*, so the array is a fixed (if unpredictable) tensor that computes to the same values every
time; a weightinit or NumPy ``Generator`` gives one key and advances once, as the in-memory call
does. Arguments are checked at construction too: a bad shape, dtype, parameter, seed or chunking
raises there (the same exception as the in-memory call), never at compute time, and a failed
call leaves a ``Generator`` untouched.

Names are deterministic: the dask name is a hash of (initializer, parameters, key, shape, dtype,
chunks), so two identical calls with the same seed give the same name (and dask shares their
work), and positional and keyword spellings of the same call agree.

Notes
-----
- A chunk is filled by the C++ core on the thread that computes it, with the core's worker
  threads as usual. ``dask.distributed`` workers start with ``OMP_NUM_THREADS=1`` (one core
  thread per worker thread); with the threaded scheduler the core's one pool serves one chunk
  at a time and the other dask threads fill their chunks alone, so the cores are never
  oversubscribed. None of this changes a value.
- On a distributed cluster the scheduler and the workers must be able to import weightinit: they
  unpickle the tasks, which name ``weightinit.dask``'s chunk function.
- Computing part of the array (``x[i:j].compute()``) makes the whole chunks under that part and
  no others: pick chunks about the size of the pieces you will ask for.
- Chunk tasks are marked as data producers, so ``dask.distributed`` schedules them as root tasks
  (queued, made as the workers free up, not all at once).
- With dask's experimental array query planning (``array.query-planning: True``) the array is
  built from the same tasks through ``from_graph``, which lists every chunk's task when built.

Examples
--------
>>> import weightinit, weightinit.dask
>>> w = weightinit.dask.glorot_uniform((1000, 600), seed=0, chunks=(300, 250))
>>> w.numblocks
(4, 3)
>>> bool((w.compute() == weightinit.glorot_uniform((1000, 600), seed=0)).all())
True
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

try:
    import dask.array as da
    from dask.array.core import Array, normalize_chunks
    from dask.base import tokenize
    from dask.blockwise import blockwise as _core_blockwise
    from dask.highlevelgraph import HighLevelGraph
    from dask.layers import ArraySliceDep
except ImportError as exc:  # pragma: no cover - exercised only without dask
    raise ImportError(
        "weightinit.dask needs dask's arrays: pip install 'dask[array]' "
        "(and 'distributed' for a cluster)"
    ) from exc

from . import initializers as _initializers
from ._dtypes import CORE_NAME, resolve_dtype
from ._arrays import normalize_shape
from ._seed import PhiloxKey, key_from_seed
from .initializers import Axis

__all__ = [
    "constant",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "normal",
    "ones",
    "truncated_normal",
    "uniform",
    "variance_scaling",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

Chunks = Any  # dask's chunks argument: "auto", int, tuple, dict, ...


# ---------------------------------------------------------------------------------------------
# The machinery: a spec per array, a slice per chunk
# ---------------------------------------------------------------------------------------------


class _KeySeed(PhiloxKey):
    """The key drawn at construction, as each chunk's ``seed=``; records whether it was asked
    for (whether the initializer draws a key at all). Built inside each chunk's task from the
    key, never stored in the graph."""

    __slots__ = ("used",)

    def __init__(self, key: tuple[int, int]) -> None:
        super().__init__(key)
        self.used = False

    def philox_key(self) -> tuple[int, int]:
        self.used = True
        return self.words


def _make_block(spec: tuple, index: tuple[slice, ...]) -> np.ndarray:
    """One chunk: the in-memory initializer at ``index`` of the full tensor (a dask task)."""
    name, params, key, shape, dtype = spec
    seed = None if key is None else _KeySeed(key)
    return getattr(_initializers, name)(shape, dtype=dtype, seed=seed, index=index, **dict(params))


def _freeze(value: Any) -> Any:
    """Parameters as small immutable Python values (hashable, tokenized by value)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim > 0:
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


_PRODUCER = (
    {"_data_producer": True} if "_data_producer" in inspect.signature(_core_blockwise).parameters else {}
)


def _lazy(fn: Callable[..., Any], shape: Any, params: dict[str, Any], dtype: Any, seed: Any, chunks: Chunks) -> Any:
    """The dask array of ``fn(shape, **params, dtype=dtype, seed=seed)`` in ``chunks``."""
    name = fn.__name__
    dims = normalize_shape(shape)
    dt = resolve_dtype(np.float32 if dtype is None else dtype)
    dtype_name = CORE_NAME[dt]
    frozen = tuple((k, _freeze(v)) for k, v in params.items())
    # Validate every argument now, with the in-memory call itself on one element (or on the
    # empty tensor), under a stand-in key that also tells whether this call draws a key at all
    # (constants, and fan-based initializers of zero-size tensors, do not).
    probe = _KeySeed((0, 0))
    fn(dims, dtype=dtype_name, seed=probe, index=None if 0 in dims else (0,) * len(dims), **dict(frozen))
    block_chunks = normalize_chunks(chunks, dims, dtype=dt)
    key = key_from_seed(seed) if probe.used else None  # last: a failed call never advances a Generator
    spec = (name, frozen, key, dims, dtype_name)
    array_name = f"weightinit-{name}-{tokenize('weightinit.dask', spec, block_chunks)}"
    out_ind = tuple(range(len(dims)))
    layer = _core_blockwise(
        _make_block, array_name, out_ind, spec, None, ArraySliceDep(block_chunks), out_ind, numblocks={}, **_PRODUCER
    )
    meta = np.empty((0,) * len(dims), dtype=dt)
    if _array_expr_enabled():
        from dask.array._array_expr._collection import from_graph

        return from_graph(layer, meta, block_chunks, list(layer.get_output_keys()), array_name)
    return Array(HighLevelGraph.from_collections(array_name, layer), array_name, block_chunks, meta=meta)


def _array_expr_enabled() -> bool:
    enabled = getattr(da, "array_expr_enabled", None)
    return bool(enabled()) if enabled is not None else False


# ---------------------------------------------------------------------------------------------
# Plain distributions
# ---------------------------------------------------------------------------------------------


def uniform(
    shape: Any, low: float = 0.0, high: float = 1.0, *, dtype: Any = None, seed: Any = None, chunks: Chunks = "auto"
) -> Any:
    """Lazy :func:`weightinit.uniform`: U[low, high), ``low + (high - low) * u``, ``u`` with 24
    (float32, float16, bfloat16) or 53 (float64) random bits.

    Examples
    --------
    >>> import weightinit
    >>> x = uniform((6, 5), -1.0, 1.0, seed=0, chunks=(4, 2))
    >>> x.chunks
    ((4, 2), (2, 2, 1))
    >>> bool((x.compute() == weightinit.uniform((6, 5), -1.0, 1.0, seed=0)).all())
    True
    """
    return _lazy(_initializers.uniform, shape, {"low": low, "high": high}, dtype, seed, chunks)


def normal(
    shape: Any, mean: float = 0.0, std: float = 1.0, *, dtype: Any = None, seed: Any = None, chunks: Chunks = "auto"
) -> Any:
    """Lazy :func:`weightinit.normal`: N(mean, std**2), untruncated, ``mean + std * z`` with ``z``
    from Box-Muller.

    Examples
    --------
    >>> import weightinit
    >>> x = normal((8, 8), 0.0, 0.02, seed=1, chunks=3)
    >>> bool((x.compute() == weightinit.normal((8, 8), 0.0, 0.02, seed=1)).all())
    True
    """
    return _lazy(_initializers.normal, shape, {"mean": mean, "std": std}, dtype, seed, chunks)


def truncated_normal(
    shape: Any,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    *,
    dtype: Any = None,
    seed: Any = None,
    chunks: Chunks = "auto",
) -> Any:
    """Lazy :func:`weightinit.truncated_normal`: N(mean, std**2) conditioned on [a, b], with
    PyTorch's **absolute** bounds (JAX and Keras give them in units of std).

    Examples
    --------
    >>> import weightinit
    >>> x = truncated_normal((10, 4), 0.0, 1.0, -1.0, 1.0, seed=2, chunks=(3, 4))
    >>> bool((x.compute() == weightinit.truncated_normal((10, 4), 0.0, 1.0, -1.0, 1.0, seed=2)).all())
    True
    """
    return _lazy(_initializers.truncated_normal, shape, {"mean": mean, "std": std, "a": a, "b": b}, dtype, seed, chunks)


def constant(shape: Any, value: float, *, dtype: Any = None, seed: Any = None, chunks: Chunks = "auto") -> Any:
    """Lazy :func:`weightinit.constant`: every element ``value``, rounded once to ``dtype``.
    ``seed`` is accepted and ignored.

    Examples
    --------
    >>> constant((2, 3), 0.5, chunks=2).compute()
    array([[0.5, 0.5, 0.5],
           [0.5, 0.5, 0.5]], dtype=float32)
    """
    return _lazy(_initializers.constant, shape, {"value": value}, dtype, None, chunks)


def zeros(shape: Any, *, dtype: Any = None, seed: Any = None, chunks: Chunks = "auto") -> Any:
    """Lazy :func:`weightinit.zeros`: all zeros (``seed`` is ignored).

    Examples
    --------
    >>> zeros((2, 2), dtype="float64").compute()
    array([[0., 0.],
           [0., 0.]])
    """
    return _lazy(_initializers.zeros, shape, {}, dtype, None, chunks)


def ones(shape: Any, *, dtype: Any = None, seed: Any = None, chunks: Chunks = "auto") -> Any:
    """Lazy :func:`weightinit.ones`: all ones (``seed`` is ignored).

    Examples
    --------
    >>> ones((3,), chunks=1).compute()
    array([1., 1., 1.], dtype=float32)
    """
    return _lazy(_initializers.ones, shape, {}, dtype, None, chunks)


# ---------------------------------------------------------------------------------------------
# The variance-scaling family (fans always come from the full shape, never a chunk's)
# ---------------------------------------------------------------------------------------------


def variance_scaling(
    shape: Any,
    scale: float = 1.0,
    mode: str = "fan_in",
    distribution: str = "truncated_normal",
    *,
    dtype: Any = None,
    seed: Any = None,
    layout: str = "torch",
    in_axis: Axis | None = None,
    out_axis: Axis | None = None,
    chunks: Chunks = "auto",
) -> Any:
    """Lazy :func:`weightinit.variance_scaling` (JAX/Keras): variance ``scale / n``, ``n`` = fan_in,
    fan_out, (fan_in + fan_out) / 2 or sqrt(fan_in * fan_out); ``"truncated_normal"`` cuts
    N(0, s**2) at +-2s with ``s = sqrt(scale / n) / 0.87962566103423978``, ``"normal"`` is
    N(0, scale / n), ``"uniform"`` is U[-l, l) with ``l = sqrt(3 * scale / n)``.

    Examples
    --------
    >>> import weightinit
    >>> x = variance_scaling((3, 3, 16, 32), 2.0, "fan_in", "truncated_normal", layout="jax", seed=0, chunks={2: 5})
    >>> x.chunks[2]
    (5, 5, 5, 1)
    >>> ref = weightinit.variance_scaling((3, 3, 16, 32), 2.0, "fan_in", "truncated_normal", layout="jax", seed=0)
    >>> bool((x.compute() == ref).all())
    True
    """
    params = {"scale": scale, "mode": mode, "distribution": distribution, "layout": layout, "in_axis": in_axis, "out_axis": out_axis}
    return _lazy(_initializers.variance_scaling, shape, params, dtype, seed, chunks)


def glorot_uniform(
    shape: Any, *, gain: float = 1.0, dtype: Any = None, seed: Any = None, layout: str = "torch", chunks: Chunks = "auto"
) -> Any:
    """Lazy :func:`weightinit.glorot_uniform` (Glorot/Xavier): U[-a, a),
    ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    Examples
    --------
    >>> import weightinit
    >>> x = glorot_uniform((64, 48), seed=0, chunks=16)
    >>> x.numblocks
    (4, 3)
    >>> bool((x.compute() == weightinit.glorot_uniform((64, 48), seed=0)).all())
    True
    """
    return _lazy(_initializers.glorot_uniform, shape, {"gain": gain, "layout": layout}, dtype, seed, chunks)


def glorot_normal(
    shape: Any, *, gain: float = 1.0, dtype: Any = None, seed: Any = None, layout: str = "torch", chunks: Chunks = "auto"
) -> Any:
    """Lazy :func:`weightinit.glorot_normal` (PyTorch's ``xavier_normal_``, untruncated):
    N(0, std**2), ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Examples
    --------
    >>> import weightinit
    >>> x = glorot_normal((64, 48), gain=2.0, seed=0, chunks=(10, 48))
    >>> bool((x.compute() == weightinit.glorot_normal((64, 48), gain=2.0, seed=0)).all())
    True
    """
    return _lazy(_initializers.glorot_normal, shape, {"gain": gain, "layout": layout}, dtype, seed, chunks)


def he_uniform(
    shape: Any,
    *,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    dtype: Any = None,
    seed: Any = None,
    layout: str = "torch",
    chunks: Chunks = "auto",
) -> Any:
    """Lazy :func:`weightinit.he_uniform` (He/Kaiming, PyTorch's ``kaiming_uniform_``):
    U[-bound, bound), ``bound = sqrt(3) * gain / sqrt(fan)``, ``gain = calculate_gain(nonlinearity, a)``.

    Examples
    --------
    >>> import weightinit
    >>> x = he_uniform((32, 16, 3, 3), nonlinearity="relu", seed=0, chunks=(8, 16, 3, 3))
    >>> bool((x.compute() == weightinit.he_uniform((32, 16, 3, 3), nonlinearity="relu", seed=0)).all())
    True
    """
    params = {"a": a, "mode": mode, "nonlinearity": nonlinearity, "layout": layout}
    return _lazy(_initializers.he_uniform, shape, params, dtype, seed, chunks)


def he_normal(
    shape: Any,
    *,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    dtype: Any = None,
    seed: Any = None,
    layout: str = "torch",
    chunks: Chunks = "auto",
) -> Any:
    """Lazy :func:`weightinit.he_normal` (He/Kaiming, PyTorch's ``kaiming_normal_``, untruncated):
    N(0, std**2), ``std = gain / sqrt(fan)``.

    Examples
    --------
    >>> import weightinit
    >>> x = he_normal((40, 30), mode="fan_out", nonlinearity="relu", seed=3, chunks=7)
    >>> bool((x.compute() == weightinit.he_normal((40, 30), mode="fan_out", nonlinearity="relu", seed=3)).all())
    True
    """
    params = {"a": a, "mode": mode, "nonlinearity": nonlinearity, "layout": layout}
    return _lazy(_initializers.he_normal, shape, params, dtype, seed, chunks)


def lecun_uniform(shape: Any, *, dtype: Any = None, seed: Any = None, layout: str = "torch", chunks: Chunks = "auto") -> Any:
    """Lazy :func:`weightinit.lecun_uniform`: U[-l, l), ``l = sqrt(3 / fan_in)``.

    Examples
    --------
    >>> import weightinit
    >>> x = lecun_uniform((20, 12), dtype="bfloat16", seed=0, chunks=5)
    >>> bool((x.compute() == weightinit.lecun_uniform((20, 12), dtype="bfloat16", seed=0)).all())
    True
    """
    return _lazy(_initializers.lecun_uniform, shape, {"layout": layout}, dtype, seed, chunks)


def lecun_normal(shape: Any, *, dtype: Any = None, seed: Any = None, layout: str = "torch", chunks: Chunks = "auto") -> Any:
    """Lazy :func:`weightinit.lecun_normal`: N(0, 1 / fan_in), untruncated.

    Examples
    --------
    >>> import weightinit
    >>> x = lecun_normal((20, 12), dtype="float64", seed=0, chunks=(20, 5))
    >>> bool((x.compute() == weightinit.lecun_normal((20, 12), dtype="float64", seed=0)).all())
    True
    """
    return _lazy(_initializers.lecun_normal, shape, {"layout": layout}, dtype, seed, chunks)


xavier_uniform = glorot_uniform
xavier_normal = glorot_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal
