"""The raw Philox4x32-10 and Philox4x64-10 block functions (Random123's known-answer tested)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _core

__all__ = ["philox4x32_10", "philox4x64_10"]


def _words(value: Any, dtype: type, name: str, shape_desc: str) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        # Python ints >= 2**63 would make NumPy guess float64; keep them exact as objects.
        obj = np.asarray(value, dtype=object)
        if obj.size and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in obj.ravel()):
            value = obj
    arr = np.asarray(value)
    if arr.dtype == object:
        info = np.iinfo(dtype)
        if any(int(v) < 0 or int(v) > info.max for v in arr.ravel()):
            raise ValueError(f"{name} values must fit in {np.dtype(dtype).name}")
        return np.ascontiguousarray(arr.astype(dtype))
    if arr.dtype.kind not in "ui" and arr.size:
        raise TypeError(f"{name} must hold unsigned integers ({np.dtype(dtype).name}), got dtype {arr.dtype}")
    if arr.dtype != dtype:
        info = np.iinfo(dtype)
        if arr.size and (arr.min() < 0 or int(arr.max()) > info.max):
            raise ValueError(f"{name} values must fit in {np.dtype(dtype).name}")
        arr = arr.astype(dtype)
    return np.ascontiguousarray(arr)


def _blocks(fn: Any, counter: Any, key: Any, dtype: type) -> np.ndarray:
    ctr = _words(counter, dtype, "counter", "(n, 4)")
    k = _words(key, dtype, "key", "(2,)")
    if k.shape != (2,):
        raise ValueError(f"key must have shape (2,), got {k.shape}")
    if ctr.ndim == 1 and ctr.shape == (4,):
        return fn(ctr.reshape(1, 4), k).reshape(4)
    if ctr.ndim != 2 or ctr.shape[1] != 4:
        raise ValueError(f"counter must have shape (n, 4), got {ctr.shape}")
    return fn(ctr, k)


def philox4x32_10(counter: Any, key: Any) -> np.ndarray:
    """Philox4x32-10 of each counter row: ``counter`` (n, 4) uint32, ``key`` (2,) uint32 -> (n, 4).

    Words are in Random123's order (word 0 first). A single (4,) counter gives a (4,) result.

    Examples
    --------
    >>> philox4x32_10([[0, 0, 0, 0]], [0, 0])
    array([[1713891541, 3781805453, 3159862348, 2600524760]], dtype=uint32)
    """
    return _blocks(_core.philox4x32_10, counter, key, np.uint32)


def philox4x64_10(counter: Any, key: Any) -> np.ndarray:
    """Philox4x64-10 of each counter row: ``counter`` (n, 4) uint64, ``key`` (2,) uint64 -> (n, 4).

    Examples
    --------
    >>> hex(int(philox4x64_10([[0, 0, 0, 0]], [0, 0])[0, 0]))  # Random123's known answer
    '0x16554d9eca36314c'
    """
    return _blocks(_core.philox4x64_10, counter, key, np.uint64)
