"""Output dtypes: float32, float64, float16 and bfloat16 (``ml_dtypes.bfloat16``)."""

from __future__ import annotations

import functools
from typing import Any

import ml_dtypes
import numpy as np

__all__ = ["CORE_NAME", "SUPPORTED_DTYPES", "bfloat16", "has_finite_value_between", "resolve_dtype"]

bfloat16 = np.dtype(ml_dtypes.bfloat16)

#: Names of the dtypes every initializer can write.
SUPPORTED_DTYPES: tuple[str, ...] = ("float32", "float64", "float16", "bfloat16")


_RESOLVED: dict[Any, np.dtype] = {}

#: The core's name for each supported dtype (``dtype.name`` is slow to compute in NumPy).
CORE_NAME: dict[np.dtype, str] = {}
for _name in SUPPORTED_DTYPES:
    _dt = bfloat16 if _name == "bfloat16" else np.dtype(_name)
    CORE_NAME[_dt] = _name


def resolve_dtype(dtype: Any, allowed: tuple[str, ...] = SUPPORTED_DTYPES) -> np.dtype:
    """Return ``dtype`` as a NumPy dtype, or raise ``TypeError`` naming what is allowed."""
    try:
        dt = _RESOLVED[dtype]
    except (KeyError, TypeError):  # not seen yet, or unhashable
        try:
            dt = bfloat16 if isinstance(dtype, str) and dtype == "bfloat16" else np.dtype(dtype)
        except TypeError:
            dt = None
        if dt is not None and dt in CORE_NAME and dt.isnative:
            try:
                _RESOLVED[dtype] = dt
            except TypeError:
                pass
    if dt is None or CORE_NAME.get(dt) not in allowed or not dt.isnative:
        raise TypeError(f"unsupported dtype {dtype!r}; use one of: {', '.join(allowed)}")
    return dt


def has_finite_value_between(dt: np.dtype, lo: float, hi: float) -> bool:
    """Whether some finite value of the (supported) dtype ``dt`` lies in [lo, hi]."""
    if lo <= 0.0 <= hi:  # the common case: zero is in every dtype
        return True
    if dt.itemsize == 2:  # float16, bfloat16: look the neighbours up among all 65536 values
        table = _sorted_finite_values(CORE_NAME[dt])
        i = int(np.searchsorted(table, lo, side="left"))
        return i < table.size and table[i] <= hi
    ftype = np.float32 if dt.itemsize == 4 else np.float64
    info = np.finfo(ftype)
    first = max(lo, -float(info.max))
    if first > float(info.max):
        return False
    with np.errstate(over="ignore"):
        c = ftype(first)
    if float(c) < first:
        c = np.nextafter(c, ftype(np.inf))
    return bool(np.isfinite(c)) and float(c) <= hi


@functools.lru_cache(maxsize=None)
def _sorted_finite_values(name: str) -> np.ndarray:
    with np.errstate(invalid="ignore"):  # NaN bit patterns
        values = np.arange(65536, dtype=np.uint16).view(resolve_dtype(name)).astype(np.float64)
    return np.unique(values[np.isfinite(values)])
