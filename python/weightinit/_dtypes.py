"""Output dtypes: float32, float64, float16 and bfloat16 (``ml_dtypes.bfloat16``)."""

from __future__ import annotations

from typing import Any

import ml_dtypes
import numpy as np

__all__ = ["CORE_NAME", "SUPPORTED_DTYPES", "bfloat16", "resolve_dtype"]

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
