"""Argument checks, each written once and named by what it checks (after NumPy's ``_common.pyx``).

Every public function validates its arguments with these before anything is drawn or written,
so the same bad value gets the same exception and message everywhere. A check returns the
value in the form the caller uses (a Python ``float``, ``int`` or tuple), or raises:

- ``TypeError`` when the value is of the wrong kind (a string for a number, a float for an int);
- ``ValueError`` when it is of the right kind but outside what is allowed (NaN, a negative
  size, a number too large for a float64, an unknown name).

This module imports nothing from the package: everything else may import it.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any, Sequence

import numpy as np

__all__ = [
    "MAX_ELEMENTS",
    "axes",
    "choice",
    "finite_real",
    "int_seed",
    "is_int",
    "nonnegative_int",
    "not_nan_real",
    "positive_int",
    "real",
    "shape",
]

#: The most elements a tensor may have (positions are signed 64-bit integers in the core).
MAX_ELEMENTS = 2**63 - 1


def is_int(value: Any) -> bool:
    """An integer, Python's or NumPy's, and not a bool."""
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_))


def real(value: Any, name: str) -> float:
    """A real number (int or float, Python's or NumPy's; not a bool) as a Python float.

    An int too large for a float64 (``10**400``) is a ``ValueError`` naming ``name``.
    """
    if type(value) is float:  # the common case first
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    try:
        return float(value)
    except OverflowError:
        digits = len(str(abs(int(value))))
        raise ValueError(f"{name} is an int of {digits} digits, too large for a float64") from None


def not_nan_real(value: Any, name: str) -> float:
    """A real number that is not NaN (infinities allowed)."""
    v = real(value, name)
    if math.isnan(v):
        raise ValueError(f"{name} must not be NaN")
    return v


def finite_real(value: Any, name: str, *, minimum: float | None = None, positive: bool = False) -> float:
    """A finite real number; with ``minimum``, at least that; with ``positive``, greater than 0."""
    v = real(value, name)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    if positive and not v > 0:
        raise ValueError(f"{name} must be > 0, got {v}")
    if minimum is not None and v < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {v}")
    return v


def nonnegative_int(value: Any, name: str) -> int:
    """An int >= 0 (Python's or NumPy's; not a bool)."""
    if not is_int(value):
        raise TypeError(f"{name} must be an int, got {value!r}")
    v = int(value)
    if v < 0:
        raise ValueError(f"{name} must be non-negative, got {v}")
    return v


def positive_int(value: Any, name: str, *, maximum: int | None = None) -> int:
    """An int >= 1, and at most ``maximum`` if given."""
    if not is_int(value):
        raise TypeError(f"{name} must be an int, got {value!r}")
    v = int(value)
    if v < 1:
        raise ValueError(f"{name} must be >= 1, got {v}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {v}")
    return v


def int_seed(value: Any) -> int:
    """A seed that is an int: non-negative, any size (as ``numpy.random.SeedSequence`` takes)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"seed must be None, a non-negative int or a numpy.random.SeedSequence, got {value!r}")
    v = int(value)
    if v < 0:
        raise ValueError(f"seed must be non-negative, got {v}")
    return v


def choice(value: Any, name: str, options: Sequence[str]) -> str:
    """One of the strings ``options``."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


#: Tuples of ints already found to be valid shapes, each its own value (a lookup is cheaper than
#: the check).
_VALID_SHAPES: dict[tuple[int, ...], tuple[int, ...]] = {}


def shape(value: Any) -> tuple[int, ...]:
    """A shape as a tuple of non-negative ints (an int is a 1-d shape), at most
    :data:`MAX_ELEMENTS` elements."""
    if type(value) is tuple:
        # The common case: this very tuple validated before (a shape literal is one object).
        # Identity, not equality: (2.0, 3) == (2, 3), and an equal tuple may hold floats.
        if _VALID_SHAPES.get(value) is value:
            return value
        if all(type(d) is int and d >= 0 for d in value) and math.prod(value) <= MAX_ELEMENTS:
            if len(_VALID_SHAPES) >= 4096:
                _VALID_SHAPES.clear()
            _VALID_SHAPES[value] = value
            return value
    if is_int(value):
        value = (value,)
    if isinstance(value, (str, bytes)):
        raise TypeError(f"shape must be an int or a sequence of ints, got {value!r}")
    try:
        dims = tuple(value)
    except TypeError:
        raise TypeError(f"shape must be an int or a sequence of ints, got {value!r}") from None
    out = []
    for d in dims:
        if not is_int(d):
            raise TypeError(f"shape must contain only ints, got {d!r} in {value!r}")
        d = operator.index(d)
        if d < 0:
            raise ValueError(f"negative dimensions are not allowed, got shape {dims!r}")
        out.append(d)
    total = math.prod(out)
    if total > MAX_ELEMENTS:
        raise ValueError(f"shape {tuple(out)} has {total} elements, more than 2**63 - 1")
    return tuple(out)


def axes(value: Any, ndim: int, name: str) -> tuple[int, ...]:
    """An axis or a sequence of distinct axes of an ``ndim``-d tensor, as non-negative ints."""
    if type(value) is int and -ndim <= value < ndim:
        return (value % ndim,)
    items = (value,) if is_int(value) else value
    try:
        items = tuple(items)
    except TypeError:
        raise TypeError(f"{name} must be an int or a sequence of ints, got {value!r}") from None
    out: list[int] = []
    for a in items:
        if not is_int(a):
            raise TypeError(f"{name} must be an int or a sequence of ints, got {value!r}")
        a = int(a)
        if not -ndim <= a < ndim:
            raise ValueError(f"{name}={a} is out of range for a {ndim}-d shape")
        if a % ndim in out:
            raise ValueError(f"{name} names axis {a % ndim} twice: {value!r}")
        out.append(a % ndim)
    return tuple(out)
