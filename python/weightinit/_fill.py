"""The one path from Python to the core: shape, index and out= become a strided fill.

Every public sampling function ends here: it validates its parameters, then calls
:func:`fill_distribution`, which checks the shape, dtype, ``index=`` and ``out=``, draws the key
last (so a failed call never advances a generator) and lets the core write the output directly.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import ml_dtypes
import numpy as np

from . import _core
from ._arrays import SMALL_ARRAY_BYTES as _SMALL_NEW_BYTES
from ._arrays import new_array, normalize_shape, positions_of_index, resolve_out
from ._dtypes import CORE_NAME, resolve_dtype
from ._seed import key_from_seed

__all__ = ["check_finite_result", "fill_distribution"]

#: The largest |z| the normal sampler can return (README, "How samples are made": radius from
#: u = 2**-33 resp. 2**-65), rounded up: samples are computed in float32 for 4- and 2-byte outputs.
_NORMAL_Z_MAX = {4: 6.77, 2: 6.77, 8: 9.50}
#: How far beyond the finite bound (or the mean) a truncated normal with an infinite bound can
#: reach, in standard deviations, with room to spare.
_TRUNCATED_REACH = 12.0
_LARGEST: dict[np.dtype, float] = {}
#: The largest finite value of the precision samples are computed in, by output item size.
_WORKING_MAX = {2: float(np.finfo(np.float32).max), 4: float(np.finfo(np.float32).max), 8: float(np.finfo(np.float64).max)}


def _largest_finite(dt: np.dtype) -> float:
    try:
        return _LARGEST[dt]
    except KeyError:
        info = np.finfo(dt) if dt.kind == "f" else ml_dtypes.finfo(dt)  # bfloat16 is ml_dtypes'
        _LARGEST[dt] = value = float(info.max)
        return value


def _rounded(value: float, dt: np.dtype) -> float:
    """``value`` as the core writes it into ``dt`` (2-byte types through float32)."""
    with np.errstate(over="ignore"):
        if dt.itemsize == 2:
            return float(np.asarray(value, dtype=np.float64).astype(np.float32).astype(dt))
        return float(np.asarray(value, dtype=np.float64).astype(dt))


def check_finite_result(distribution: str, params: Sequence[float], dt: np.dtype) -> None:
    """ValueError unless every value the request can give is finite in ``dt``: a finite request
    never yields inf. The rule (README, "Guarantees"): uniform bounds at most the dtype's largest
    finite value, and ``high - low`` finite in the working precision (float32 for 4- and 2-byte
    outputs); a finite constant must not round to inf (an infinite or NaN
    constant is given as asked); a normal's ``|mean| + z_max * std`` too (z_max = 6.77 for
    float32, float16 and bfloat16, 9.50 for float64); a truncated normal with an infinite bound,
    the mean or finite bound plus 12 std on that side."""
    top = _LARGEST.get(dt) or _largest_finite(dt)
    if distribution == "uniform":
        lo, hi = params
        if -top <= lo and hi <= top and hi - lo <= _WORKING_MAX[dt.itemsize]:  # the common case, quickly
            return
        if not hi - lo <= _WORKING_MAX[dt.itemsize]:
            raise ValueError(
                f"uniform's high - low = {hi - lo:.6g} overflows the {'float64' if dt.itemsize == 8 else 'float32'} "
                f"the samples are computed in; the result would hold inf"
            )
        worst = max(abs(lo), abs(hi))
        what = "bounds"
    elif distribution == "normal":
        mean, std = params
        worst = abs(mean) + std * _NORMAL_Z_MAX[dt.itemsize]
        if worst <= top:
            return
        what = f"mean +- {_NORMAL_Z_MAX[dt.itemsize]} std (the sampler's reach)"
    elif distribution == "constant":
        (value,) = params  # inf and NaN are asked for, and given; a finite value must stay finite
        if -top <= value <= top or not math.isfinite(value):
            return
        if not math.isfinite(_rounded(value, dt)):
            raise ValueError(f"constant {value!r} rounds to inf in {dt.name} (largest finite value {top:.6g})")
        return
    else:  # truncated_normal
        mean, std, lo, hi = params
        if not (math.isinf(lo) or math.isinf(hi)):
            return  # every value lies in [a, b], rounded inside it
        worst = max(abs(lo) if math.isfinite(lo) else 0.0, abs(hi) if math.isfinite(hi) else 0.0)
        if math.isinf(hi):
            worst = max(worst, abs(max(lo, mean) + _TRUNCATED_REACH * std))
        if math.isinf(lo):
            worst = max(worst, abs(min(hi, mean) - _TRUNCATED_REACH * std))
        what = f"the reach of the tail on the infinite side ({_TRUNCATED_REACH:g} std)"
    if not worst <= top:
        raise ValueError(
            f"{distribution} with {what} up to {worst:.6g} exceeds {dt.name}'s largest finite value {top:.6g}: "
            f"the result would hold inf; use a wider dtype or smaller parameters"
        )


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
    if out is None and index is None:  # a new whole tensor: small ones skip the array handling below
        dt = resolve_dtype(np.float32 if dtype is None else dtype)
        check_finite_result(distribution, params, dt)
        # Not empty and under 1 MiB: every dimension is then below 2**20, so nothing can fail
        # after the key is drawn (a failed call never advances a generator). Empty shapes such
        # as (0, 2**64) go the general way, which refuses what NumPy cannot allocate first.
        if 0 < math.prod(full_shape) * dt.itemsize < _SMALL_NEW_BYTES:
            key = key_from_seed(seed) if distribution != "constant" else (0, 0)
            return _core.fill_new(distribution, dt, CORE_NAME[dt], full_shape, params, key)
    result, target, dt = resolve_out(out, dtype)
    check_finite_result(distribution, params, dt)
    if index is None:  # the whole tensor: the core knows its positions (C order)
        view_shape, pos_offset, pos_strides = full_shape, 0, None
    else:
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
    if target.size and pos_strides is None:
        _core.fill_whole(distribution, target, CORE_NAME[dt], params, key)
    elif target.size:
        _core.fill(distribution, target, CORE_NAME[dt], params, key, pos_offset, pos_strides)
    return result

