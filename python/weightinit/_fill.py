"""The one path from Python to the core: shape, index and out= become a strided fill.

Every public sampling function ends here: it validates its parameters, then calls
:func:`fill_distribution`, which checks the shape, dtype, ``index=`` and ``out=``, draws the key
last (so a failed call never advances a generator) and lets the core write the output directly.
"""

from __future__ import annotations

import functools
import math
import numbers
import operator
import os
from typing import Any, Sequence

import numpy as np

from . import _core
from ._dtypes import CORE_NAME, resolve_dtype
from ._seed import key_from_seed

__all__ = ["c_strides", "fill_distribution", "new_array", "normalize_shape", "positions_of_index", "resolve_out"]

_MAX_ELEMENTS = 2**63 - 1


def normalize_shape(shape: Any) -> tuple[int, ...]:
    """A shape as a tuple of non-negative ints (an int is a 1-d shape)."""
    if type(shape) is tuple and all(type(d) is int and d >= 0 for d in shape):  # the common case
        if math.prod(shape) > _MAX_ELEMENTS:
            raise ValueError(f"shape {shape} has {math.prod(shape)} elements, more than 2**63 - 1")
        return shape
    if isinstance(shape, (numbers.Integral, np.integer)) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    if isinstance(shape, (str, bytes)):
        raise TypeError(f"shape must be an int or a sequence of ints, got {shape!r}")
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"shape must be an int or a sequence of ints, got {shape!r}") from None
    out = []
    for d in dims:
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, (numbers.Integral, np.integer)):
            raise TypeError(f"shape must contain only ints, got {d!r} in {shape!r}")
        d = operator.index(d)
        if d < 0:
            raise ValueError(f"negative dimensions are not allowed, got shape {dims!r}")
        out.append(d)
    total = 1
    for d in out:
        total *= d
    if total > _MAX_ELEMENTS:
        raise ValueError(f"shape {tuple(out)} has {total} elements, more than 2**63 - 1")
    return tuple(out)


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


def _is_basic_index_part(part: Any) -> bool:
    return (
        part is None
        or part is Ellipsis
        or isinstance(part, slice)
        or (isinstance(part, (numbers.Integral, np.integer)) and not isinstance(part, (bool, np.bool_)))
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


def _torch_numpy_view(tensor: Any) -> np.ndarray:
    """The NumPy array sharing a CPU torch tensor's memory (bfloat16 through an int16 view)."""
    import torch  # only reached for torch tensors

    if tensor.device.type != "cpu":
        raise ValueError(f"out= must be a CPU tensor, got one on {tensor.device}")
    t = tensor.detach()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(resolve_dtype("bfloat16"))
    if t.dtype not in (torch.float32, torch.float64, torch.float16):
        raise TypeError(f"out= tensor has dtype {t.dtype}; use float32, float64, float16 or bfloat16")
    return t.numpy()


def _is_torch_tensor(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "torch" and hasattr(obj, "detach") and hasattr(obj, "numpy")


def resolve_out(out: Any, dtype: Any) -> tuple[Any, np.ndarray | None, np.dtype]:
    """Validate ``out=``; return (what to hand back, the ndarray to write, the dtype)."""
    if out is None:
        return None, None, resolve_dtype(np.float32 if dtype is None else dtype)
    if _is_torch_tensor(out):
        target = _torch_numpy_view(out)
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


def fill_distribution(
    distribution: str,
    params: Sequence[float],
    shape: Any,
    *,
    dtype: Any = None,
    seed: Any = None,
    out: Any = None,
    index: Any = None,
) -> Any:
    """Fill ``out`` (or a new array) with ``distribution(params)`` at the positions of ``index``.

    The value at each position of the full tensor ``shape`` depends only on the key and the
    position, so ``index=`` returns exactly ``full[index]`` at the cost of the part asked for.
    """
    full_shape = normalize_shape(shape)
    result, target, dt = resolve_out(out, dtype)
    view_shape, pos_offset, pos_strides = positions_of_index(full_shape, index)
    if target is None:
        target = new_array(view_shape, dt)
        result = target
    elif target.shape != view_shape:
        what = "shape" if index is None else "shape[index]"
        raise ValueError(f"out= has shape {target.shape} but {what} is {view_shape}")
    if distribution != "constant":
        key = key_from_seed(seed)
    else:
        key = (0, 0)
    if target.size:
        _core.fill(distribution, target, CORE_NAME[dt], [float(p) for p in params], key, pos_offset, pos_strides)
    return result

