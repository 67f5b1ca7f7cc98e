"""The one path from Python to the core: shape, index and out= become a strided fill.

Every public sampling function ends here: it validates its parameters, then calls
:func:`fill_distribution`, which checks the shape, dtype, ``index=`` and ``out=``, draws the key
last (so a failed call never advances a generator) and lets the core write the output directly.
"""

from __future__ import annotations

from typing import Any, Sequence

from . import _core
from ._arrays import new_array, normalize_shape, positions_of_index, resolve_out
from ._dtypes import CORE_NAME
from ._seed import key_from_seed

__all__ = ["fill_distribution"]


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

