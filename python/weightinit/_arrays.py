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

__all__ = ["c_strides", "is_torch_tensor", "new_array", "normalize_shape", "positions_of_index", "resolve_out"]


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


def new_array(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """An uninitialized array for the core to write (first touched by the filling threads).

    Raises MemoryError before allocating when the array is larger than the machine's physical
    memory: with overcommit the allocation itself would succeed and the fill be killed later.
    """
    nbytes = math.prod(shape) * dtype.itemsize
    limit = _physical_memory()
    if limit is not None and nbytes > limit:
        raise MemoryError(
            f"an array of shape {shape} and dtype {dtype.name} needs {nbytes / 2**30:.1f} GiB, "
            f"more than this machine's {limit / 2**30:.1f} GiB of memory; use index= to make it in parts"
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
    view = stand_in[parts]
    offset = view.__array_interface__["data"][0] - stand_in.__array_interface__["data"][0]
    return view.shape, int(offset), tuple(int(s) for s in view.strides)


def resolve_out(out: Any, dtype: Any) -> tuple[Any, np.ndarray | None, np.dtype]:
    """Validate ``out=``; return (what to hand back, the ndarray to write, the dtype)."""
    if out is None:
        return None, None, resolve_dtype(np.float32 if dtype is None else dtype)
    if is_torch_tensor(out):
        from ._torch_view import numpy_view  # imports torch: only reached for torch tensors

        target = numpy_view(out, strict=True)
    elif isinstance(out, np.ndarray):
        target = out
    else:
        raise TypeError(f"out= must be a NumPy array or a CPU torch tensor, got {type(out).__name__}")
    dt = resolve_dtype(target.dtype if dtype is None else dtype)
    if target.dtype != dt:
        raise TypeError(f"out= has dtype {target.dtype} but dtype={dt.name} was asked for")
    if not target.flags.writeable:
        raise ValueError("out= is read-only; pass a writable array")
    if not target.dtype.isnative:
        raise ValueError("out= must be in the machine's byte order")
    if any(s == 0 and n > 1 for s, n in zip(target.strides, target.shape)):
        raise ValueError("out= has overlapping elements (a zero stride); pass an array that owns each element")
    return out, target, dt
