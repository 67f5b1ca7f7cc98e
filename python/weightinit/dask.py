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
from ._seed import RecordingKey, key_from_seed

__all__ = sorted(_initializers.INITIALIZERS)  # one lazy function per initializer, made below by lazy()

Chunks = Any  # dask's chunks argument: "auto", int, tuple, dict, ...


# ---------------------------------------------------------------------------------------------
# The machinery: a spec per array, a slice per chunk
# ---------------------------------------------------------------------------------------------


def _make_block(spec: tuple, index: tuple[slice, ...]) -> np.ndarray:
    """One chunk: the in-memory initializer at ``index`` of the full tensor (a dask task)."""
    fn, params, key, shape, dtype = spec
    seed = None if key is None else RecordingKey(key)
    if isinstance(fn, str):  # an initializer of weightinit, by name: the graph holds no function
        fn = getattr(_initializers, fn)
    return fn(shape, dtype=dtype, seed=seed, index=index, **dict(params))


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
    probe = RecordingKey((0, 0))
    fn(dims, dtype=dtype_name, seed=probe, index=None if 0 in dims else (0,) * len(dims), **dict(frozen))
    block_chunks = _checked_chunks(chunks, dims, dt)
    key = key_from_seed(seed) if probe.used else None  # last: a failed call never advances a Generator
    # weightinit's own initializers travel by name (small, and the same name in every process);
    # any other function (lazy() of a user's initializer) travels as itself.
    spec = (name if getattr(_initializers, name, None) is fn else fn, frozen, key, dims, dtype_name)
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


def _checked_chunks(chunks: Chunks, dims: tuple[int, ...], dt: np.dtype) -> tuple[tuple[int, ...], ...]:
    """dask's normalized chunks, refused unless they tile ``dims`` exactly with positive sizes.

    dask's ``normalize_chunks`` accepts some nonsense silently (``chunks=-2`` gives chunks that
    cover less than the shape) and fails on other (``chunks=0``) with ``ZeroDivisionError``.
    """
    try:
        block_chunks = normalize_chunks(chunks, dims, dtype=dt)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError) as exc:
        raise ValueError(f"chunks={chunks!r} is not a chunking of shape {dims}: {exc}") from None
    ok = len(block_chunks) == len(dims) and all(
        sum(c) == d and all(isinstance(n, (int, np.integer)) and (n > 0 or d == 0) for n in c)
        for c, d in zip(block_chunks, dims)
    )
    if not ok:
        raise ValueError(
            f"chunks={chunks!r} is not a chunking of shape {dims} (chunk sizes must be positive and add up "
            f"to each dimension; -1 means one chunk along an axis)"
        )
    return tuple(tuple(int(n) for n in c) for c in block_chunks)


def _array_expr_enabled() -> bool:
    enabled = getattr(da, "array_expr_enabled", None)
    return bool(enabled()) if enabled is not None else False


# ---------------------------------------------------------------------------------------------
# The lazy functions, derived from the in-memory ones
# ---------------------------------------------------------------------------------------------

_EAGER_ONLY = ("out", "index")
_CALL_ARGS = ("shape", "dtype", "seed")


def _lazy_docstring(name: str, eager_doc: str) -> str:
    head = (
        f"Lazy :func:`weightinit.{name}`: the same arguments less ``out=`` and ``index=``, plus "
        "``chunks=`` (dask's); a dask array equal, bit for bit, to the in-memory call.\n\n"
        f"The documentation of :func:`weightinit.{name}` follows; its examples run here on the "
        "lazy array.\n\n"
    )
    return head + inspect.cleandoc(eager_doc)


def lazy(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The lazy (dask) version of the in-memory initializer ``fn``.

    Its signature is ``fn``'s without ``out`` and ``index``, plus ``chunks="auto"``; its
    docstring is ``fn``'s after a line saying so. Every function of this module is made by it.

    Examples
    --------
    >>> import weightinit
    >>> lazy_uniform = lazy(weightinit.uniform)
    >>> x = lazy_uniform((6, 5), -1.0, 1.0, seed=0, chunks=(4, 2))
    >>> x.chunks
    ((4, 2), (2, 2, 1))
    >>> bool((x.compute() == weightinit.uniform((6, 5), -1.0, 1.0, seed=0)).all())
    True
    """
    eager = inspect.signature(fn)
    params = [p for p in eager.parameters.values() if p.name not in _EAGER_ONLY]
    params.append(inspect.Parameter("chunks", inspect.Parameter.KEYWORD_ONLY, default="auto", annotation="Chunks"))
    signature = eager.replace(parameters=params, return_annotation="dask.array.Array")

    def lazy_initializer(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{fn.__name__}(): {exc}") from None
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        shape, dtype, seed, chunks = (arguments.pop(k) for k in (*_CALL_ARGS, "chunks"))
        return _lazy(fn, shape, arguments, dtype, seed, chunks)

    lazy_initializer.__name__ = lazy_initializer.__qualname__ = fn.__name__
    lazy_initializer.__module__ = __name__
    lazy_initializer.__doc__ = _lazy_docstring(fn.__name__, fn.__doc__ or "")
    lazy_initializer.__signature__ = signature  # type: ignore[attr-defined]
    lazy_initializer.__wrapped_eager__ = fn  # type: ignore[attr-defined]
    return lazy_initializer


_LAZY: dict[Any, Callable[..., Any]] = {}  # one lazy function per in-memory one (aliases share it)
for _name, _fn in _initializers.INITIALIZERS.items():
    if _fn not in _LAZY:
        _LAZY[_fn] = lazy(_fn)
    globals()[_name] = _LAZY[_fn]
del _name, _fn
