"""Arrays: the output's shape and memory, ``index=`` as stream positions, and ``out=``.

Nothing here draws random numbers or knows a seed; :mod:`._fill` puts these together.
"""

from __future__ import annotations

import functools
import math
import os
from typing import Any

import numpy as np

from ._checks import is_int
from ._checks import shape as normalize_shape
from ._dtypes import resolve_dtype

__all__ = [
    "available_memory",
    "c_strides",
    "has_self_overlap",
    "is_torch_tensor",
    "new_array",
    "normalize_shape",
    "positions_of_index",
    "resolve_out",
]


@functools.lru_cache(maxsize=1024)
@functools.lru_cache(maxsize=1024)
def c_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Strides, in elements, of a C-ordered array of ``shape``."""
    strides = [0] * len(shape)
    step = 1
    for k in range(len(shape) - 1, -1, -1):
        strides[k] = step
        step *= max(shape[k], 1)
    return tuple(strides)


@functools.lru_cache(maxsize=1)
def _physical_memory() -> int | None:
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def _read_int(path: str) -> int | None:
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # "max" (no limit) and garbage give None


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _cgroup_available() -> int | None:
    """What this process's cgroup still allows (v2, then v1), or None without a limit."""
    v2_max, v2_now = _read_int("/sys/fs/cgroup/memory.max"), _read_int("/sys/fs/cgroup/memory.current")
    if v2_max is not None and v2_now is not None:
        return max(v2_max - v2_now, 0)
    v1_max = _read_int("/sys/fs/cgroup/memory/memory.limit_in_bytes")
    v1_now = _read_int("/sys/fs/cgroup/memory/memory.usage_in_bytes")
    if v1_max is not None and v1_now is not None and v1_max < 2**60:  # v1 says "no limit" with a huge number
        return max(v1_max - v1_now, 0)
    return None


def available_memory() -> tuple[int | None, str]:
    """Bytes a new array can take now, and where the figure comes from: the smaller of the
    kernel's MemAvailable and the cgroup's remaining limit (None where neither is known)."""
    figures = [(v, what) for v, what in ((_meminfo_available(), "MemAvailable"), (_cgroup_available(), "cgroup limit")) if v is not None]
    if not figures:
        return None, "unknown"
    return min(figures)


#: Arrays from this size on are compared with the memory available now (reading it costs tens of
#: microseconds, nothing next to filling such an array); smaller ones only with physical memory.
_CHECK_AVAILABLE_FROM = 256 * 2**20
#: Smaller arrays are not checked at all.
_CHECK_PHYSICAL_FROM = 2**20
#: New arrays below this size need no memory check (fill_distribution's fast path makes them in C++).
SMALL_ARRAY_BYTES = _CHECK_PHYSICAL_FROM


def new_array(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """An uninitialized array for the core to write (first touched by the filling threads).

    Raises MemoryError before allocating when the array cannot fit: larger than the machine's
    physical memory, or (from 256 MiB) than the memory available now (MemAvailable, or what the
    process's cgroup still allows). With overcommit the allocation itself would succeed and the
    process be killed while the fill touches the pages.
    """
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < _CHECK_PHYSICAL_FROM:  # fits any machine: no check (small calls stay fast)
        return np.empty(shape, dtype=dtype)
    limit = _physical_memory()
    if limit is not None and nbytes > limit:
        raise MemoryError(
            f"an array of shape {shape} and dtype {dtype.name} needs {nbytes / 2**30:.1f} GiB, "
            f"more than this machine's {limit / 2**30:.1f} GiB of memory; use index= to make it in parts"
        )
    if nbytes >= _CHECK_AVAILABLE_FROM:
        available, source = available_memory()
        if available is not None and nbytes > available:
            raise MemoryError(
                f"an array of shape {shape} and dtype {dtype.name} needs {nbytes / 2**30:.2f} GiB, but only "
                f"{available / 2**30:.2f} GiB is available now ({source}); free memory, or use index= to make it in parts"
            )
    return np.empty(shape, dtype=dtype)


def is_torch_tensor(obj: Any) -> bool:
    """A torch tensor, recognized without importing torch."""
    return type(obj).__module__.split(".")[0] == "torch" and hasattr(obj, "detach") and hasattr(obj, "numpy")


def _is_basic_index_part(part: Any) -> bool:
    return (
        part is None
        or part is Ellipsis
        or isinstance(part, slice)
        or is_int(part)
    )


def positions_of_index(shape: tuple[int, ...], index: Any) -> tuple[tuple[int, ...], int, tuple[int, ...]]:
    """Shape, first stream position and position strides of ``full_tensor[index]``.

    ``index`` is any NumPy basic index: ints, slices (any step), ``Ellipsis`` and ``None``.
    NumPy itself interprets it, on a zero-byte strided view standing in for the tensor, so the
    semantics (negative indices, IndexError for out-of-range ints) are NumPy's exactly.
    """
    strides = c_strides(shape)
    if index is None:
        return shape, 0, strides
    parts = index if isinstance(index, tuple) else (index,)
    if not all(_is_basic_index_part(p) for p in parts):
        raise TypeError(
            "index= takes a NumPy basic index (ints, slices, Ellipsis, None, or a tuple of them); "
            f"got {index!r}"
        )
    if not any(p is Ellipsis for p in parts):
        parts = parts + (Ellipsis,)  # so that NumPy returns a (0-d) view, never a scalar
    stand_in = np.lib.stride_tricks.as_strided(np.zeros(1, np.uint8), shape=shape, strides=strides)
    try:
        view = stand_in[parts]
    except OverflowError:  # an int index beyond int64: certainly out of bounds
        raise IndexError(f"index={index!r} is out of bounds for shape {shape}") from None
    offset = view.__array_interface__["data"][0] - stand_in.__array_interface__["data"][0]
    return view.shape, int(offset), tuple(int(s) for s in view.strides)


def resolve_out(out: Any, dtype: Any) -> tuple[Any, np.ndarray | None, np.dtype]:
    """Validate ``out=``; return (what to hand back, the ndarray to write, the dtype)."""
    if out is None:
        return None, None, resolve_dtype(np.float32 if dtype is None else dtype)
    if isinstance(out, np.ndarray):  # first: the common case, and no tensor is an ndarray
        target = out
    elif is_torch_tensor(out):
        from ._torch_view import numpy_view  # imports torch: only reached for torch tensors

        target = numpy_view(out, strict=True)
    else:
        raise TypeError(f"out= must be a NumPy array or a CPU torch tensor, got {type(out).__name__}")
    dt = resolve_dtype(target.dtype if dtype is None else dtype)
    if target.dtype != dt:
        raise TypeError(f"out= has dtype {target.dtype} but dtype={dt.name} was asked for")
    flags = target.flags  # a new object each time it is asked for
    if not flags.writeable:
        raise ValueError("out= is read-only; pass a writable array")
    if not target.dtype.isnative:
        raise ValueError("out= must be in the machine's byte order")
    if not flags.c_contiguous and not flags.f_contiguous and has_self_overlap(target):
        raise ValueError(
            "out= has elements that share memory (a zero or interleaved stride, e.g. from as_strided); "
            "pass an array in which every element has memory of its own"
        )
    return out, target, dt


#: Up to this many elements, an out= whose strides do not prove it free of self-overlap has its
#: element offsets listed and compared; beyond, it is refused (a clear error, never a race).
_EXACT_OVERLAP_LIMIT = 1 << 22


def has_self_overlap(a: np.ndarray) -> bool:
    """Whether two elements of ``a`` share memory (which a parallel fill would race on).

    First the sufficient test: with dimensions sorted by |stride|, each stride exceeds the span
    of all smaller ones (every array made by slicing, transposing or reshaping passes it).
    Otherwise the element offsets are compared exactly, up to 2**22 elements; a larger array
    that fails the quick test counts as overlapping.
    """
    dims = [(abs(st), n) for st, n in zip(a.strides, a.shape) if n > 1]
    if not dims:
        return False
    dims.sort()
    span = 0
    for stride, n in dims:
        if stride < span + a.itemsize:  # this dimension's next element may land on an earlier one
            break
        span += stride * (n - 1)
    else:
        return False
    if a.size > _EXACT_OVERLAP_LIMIT:
        return True
    offsets = np.zeros(1, dtype=np.int64)
    for stride, n in dims:
        offsets = (offsets[:, None] + np.arange(n, dtype=np.int64) * stride).reshape(-1)
    offsets.sort()
    return bool(np.any(np.diff(offsets) < a.itemsize))
