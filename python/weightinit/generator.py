"""``weightinit.Generator``: a ``numpy.random.Generator``, with its bulk methods filled on all cores.

A ``weightinit.Generator`` *is* a ``numpy.random.Generator`` (a subclass): every method,
signature, argument check, error message, broadcasting rule and ``out=``/``dtype=`` behaviour is
NumPy's, and for the same bit generator it gives **NumPy's exact numbers** and leaves the bit
generator in NumPy's exact state. Swapping ``numpy.random.default_rng`` for
``weightinit.default_rng`` changes nothing but the speed.

On NumPy's ``Philox``, ``PCG64`` and ``PCG64DXSM`` bit generators, large calls of the bulk
methods are computed by weightinit's core on all threads, from the bit generator's state, which
is then set to where NumPy's own call would have left it; any other call (other bit generators,
small sizes, array parameters, unusual arguments) is NumPy's own code on the same bit generator,
so the stream stays one stream. Which calls are accelerated is listed in :data:`ACCELERATED`.
"""

from __future__ import annotations

import functools
import math
import operator
from typing import Any, Callable

import numpy as np

from . import _core, _fork

__all__ = ["ACCELERATED", "Generator", "default_rng"]

#: The NumPy bit generators whose streams weightinit's core computes.
_ENGINE_NAMES = ("Philox", "PCG64", "PCG64DXSM")

#: Method -> bit generators on which its large calls run in parallel in the core (scalar
#: parameters only: array-valued low/high/loc/scale are NumPy's code).
ACCELERATED: dict[str, tuple[str, ...]] = {
    "random": _ENGINE_NAMES,
    "uniform": _ENGINE_NAMES,
    "integers": _ENGINE_NAMES,
    "standard_normal": _ENGINE_NAMES,
    "normal": _ENGINE_NAMES,
    "standard_exponential": _ENGINE_NAMES,
    "exponential": _ENGINE_NAMES,
}

#: Below this many elements a call is NumPy's own (the same numbers; threads do not pay there).
#: Settable for tests, which force the core's path on small sizes.
parallel_threshold = 1 << 16


def _forked_error(gen: Generator) -> None:
    _fork.check_usable_after_fork(gen)


class Generator(np.random.Generator):
    """NumPy's ``Generator``, bit for bit, with large calls of its bulk methods on all cores.

    Parameters
    ----------
    bit_generator : numpy.random.BitGenerator
        Any NumPy bit generator (``PCG64``, ``Philox``, ``PCG64DXSM``, ``SFC64``, ``MT19937``, ...).

    Examples
    --------
    >>> import numpy as np, weightinit
    >>> g = weightinit.Generator(np.random.PCG64(1))
    >>> isinstance(g, np.random.Generator)
    True
    >>> bool((g.random(5) == np.random.Generator(np.random.PCG64(1)).random(5)).all())
    True
    """

    _forked_while_in_use = False

    def __init__(self, bit_generator: np.random.BitGenerator) -> None:
        super().__init__(bit_generator)  # NumPy's own checks and errors
        self._engine = type(bit_generator).__name__ if type(bit_generator) in _ENGINES else None
        _fork.track_numpy_lock_user(self)

    @property
    def numpy_lock(self) -> Any:
        """The bit generator's lock (NumPy's): held while the stream advances."""
        return self.bit_generator.lock

    def __reduce__(self) -> tuple:
        # NumPy's form, (ctor, (bit_generator,), None), with a ctor that makes a weightinit
        # Generator and, as NumPy's does for old pickles, also takes a bit generator's name.
        return _generator_ctor, (self.bit_generator,), None

    def spawn(self, n_children: int) -> list[Generator]:
        """Independent child generators (NumPy's ``Generator.spawn``), as weightinit Generators.

        >>> a, b = default_rng(1).spawn(2)
        >>> type(a).__module__, bool(a.random() != b.random())
        ('weightinit.generator', True)
        """
        _forked_error(self)
        return [type(self)(bg) for bg in self.bit_generator.spawn(n_children)]

    def philox_key(self) -> tuple[int, int]:
        """A Philox4x32 key for weightinit's initializers (``seed=`` this generator): one
        64-bit word of the stream, so the generator advances by one draw."""
        _forked_error(self)
        w = int(self.bit_generator.random_raw())
        return w & 0xFFFFFFFF, w >> 32

    # -- the parallel paths ------------------------------------------------------------------
    def _output(self, size: Any, dtype: np.dtype, out: Any) -> np.ndarray | None:
        """The array a parallel fill writes, or None when the call is NumPy's to make (small,
        unusual, or invalid: NumPy then raises its own error)."""
        if self._engine is None:
            return None
        if out is None:
            if size is None:
                return None
            try:
                shape = (operator.index(size),) if not isinstance(size, tuple) else tuple(operator.index(d) for d in size)
            except TypeError:
                return None
            if any(d < 0 for d in shape) or math.prod(shape) < max(parallel_threshold, 1):
                return None
            return np.empty(shape, dtype=dtype)
        if not (
            type(out) is np.ndarray
            and out.dtype == dtype
            and (out.flags.c_contiguous or out.flags.f_contiguous)  # NumPy fills either in memory order
            and out.flags.writeable
            and out.flags.aligned
            and (size is None or _same_shape(size, out.shape))
            and out.size >= max(parallel_threshold, 1)
        ):
            return None
        return out

    def _fill(self, arr: np.ndarray, method: str, params: tuple = ()) -> np.ndarray:
        """Fill arr (memory order) as NumPy's ``method`` would, from and into the bit generator's
        state, under its lock (the lock NumPy's own methods take)."""
        bg = self.bit_generator
        with bg.lock:
            bg.state = _core.numpy_fill(self._engine, bg.state, method, arr, params)
        return arr

    # -- the accelerated methods -------------------------------------------------------------
    # Each finds the array a parallel fill would write (None: NumPy's own method makes the call,
    # with its own errors) and the parameters NumPy's C code would receive.
    def random(self, size: Any = None, dtype: Any = np.float64, out: np.ndarray | None = None) -> Any:
        if self._forked_while_in_use:
            _forked_error(self)
        if out is None and (self._engine is None or size is None or (type(size) is int and size < parallel_threshold)):
            return _NP.random(self, size, dtype, out)  # small: NumPy's own code at NumPy's speed
        dt = _float_dtype(dtype)
        arr = None if dt is None else self._output(size, dt, out)
        if arr is None:
            return _NP.random(self, size, dtype, out)
        return self._fill(arr, "random")

    def uniform(self, low: Any = 0.0, high: Any = 1.0, size: Any = None) -> Any:
        if self._forked_while_in_use:
            _forked_error(self)
        if self._engine is None or size is None or (type(size) is int and size < parallel_threshold):
            return _NP.uniform(self, low, high, size)  # small: NumPy's own code at NumPy's speed
        bounds = _scalar_range(low, high)
        arr = None if bounds is None else self._output(size, np.dtype(np.float64), None)
        if arr is None:
            return _NP.uniform(self, low, high, size)
        return self._fill(arr, "uniform", bounds)

    def integers(self, low: Any, high: Any = None, size: Any = None, dtype: Any = np.int64, endpoint: bool = False) -> Any:
        if self._forked_while_in_use:
            _forked_error(self)
        if self._engine is None or size is None or (type(size) is int and size < parallel_threshold):
            return _NP.integers(self, low, high, size, dtype, endpoint)  # small: NumPy's own code at NumPy's speed
        bounds = _integer_bounds(low, high, dtype, endpoint)
        arr = None if bounds is None else self._output(size, bounds[0], None)
        if arr is None:
            return _NP.integers(self, low, high, size, dtype, endpoint)
        return self._fill(arr, "integers", bounds[1:])

    def standard_normal(self, size: Any = None, dtype: Any = np.float64, out: np.ndarray | None = None) -> Any:
        if self._forked_while_in_use:
            _forked_error(self)
        if out is None and (self._engine is None or size is None or (type(size) is int and size < parallel_threshold)):
            return _NP.standard_normal(self, size, dtype, out)  # small: NumPy's own code at NumPy's speed
        dt = _float_dtype(dtype)
        arr = None if dt is None else self._output(size, dt, out)
        if arr is None:
            return _NP.standard_normal(self, size, dtype, out)
        return self._fill(arr, "standard_normal")

    def normal(self, loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Any:
        if self._forked_while_in_use:
            _forked_error(self)
        if self._engine is None or size is None or (type(size) is int and size < parallel_threshold):
            return _NP.normal(self, loc, scale, size)  # small: NumPy's own code at NumPy's speed
        loc_, scale_ = _scalar_float(loc), _non_negative(scale)
        arr = None if loc_ is None or scale_ is None else self._output(size, np.dtype(np.float64), None)
        if arr is None:
            return _NP.normal(self, loc, scale, size)
        return self._fill(arr, "normal", (loc_, scale_))

    def standard_exponential(
        self, size: Any = None, dtype: Any = np.float64, method: str = "zig", out: np.ndarray | None = None
    ) -> Any:
        if self._forked_while_in_use:
            _forked_error(self)
        if out is None and (self._engine is None or size is None or (type(size) is int and size < parallel_threshold)):
            return _NP.standard_exponential(self, size, dtype, method, out)  # small: NumPy's own code at NumPy's speed
        dt = _float_dtype(dtype)
        arr = None if dt is None or type(method) is not str else self._output(size, dt, out)
        if arr is None:
            return _NP.standard_exponential(self, size, dtype, method, out)
        # NumPy: the ziggurat for "zig", the inverse CDF for anything else.
        return self._fill(arr, "standard_exponential" if method == "zig" else "standard_exponential_inv")

    def exponential(self, scale: Any = 1.0, size: Any = None) -> Any:
        if self._forked_while_in_use:
            _forked_error(self)
        if self._engine is None or size is None or (type(size) is int and size < parallel_threshold):
            return _NP.exponential(self, scale, size)  # small: NumPy's own code at NumPy's speed
        scale_ = _non_negative(scale)
        arr = None if scale_ is None else self._output(size, np.dtype(np.float64), None)
        if arr is None:
            return _NP.exponential(self, scale, size)
        return self._fill(arr, "exponential", (scale_,))


#: NumPy's own class, whose methods make every call weightinit does not fill itself.
_NP = np.random.Generator

#: The bit generators whose streams weightinit's core computes (these classes, not subclasses).
_ENGINES = {getattr(np.random, name) for name in _ENGINE_NAMES}


def _float_dtype(dtype: Any) -> np.dtype | None:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        return None
    return dt if dt in (np.dtype(np.float64), np.dtype(np.float32)) else None


def _same_shape(size: Any, shape: tuple[int, ...]) -> bool:
    try:
        want = (operator.index(size),) if not isinstance(size, tuple) else tuple(operator.index(d) for d in size)
    except TypeError:
        return False
    return want == shape


def _scalar_float(x: Any) -> float | None:
    """x as the double NumPy's scalar path reads (PyFloat_AsDouble), for Python and NumPy real
    scalars; None for anything else (arrays, bools, strings, ...: NumPy's code decides)."""
    if type(x) not in (float, int) and not isinstance(x, (np.floating, np.integer)):
        return None
    try:
        return float(x)
    except OverflowError:
        return None


def _non_negative(x: Any) -> float | None:
    """A scale NumPy accepts (CONS_NON_NEGATIVE: no sign bit, or NaN), as a float; else None."""
    v = _scalar_float(x)
    if v is None or (not math.isnan(v) and math.copysign(1.0, v) < 0):
        return None
    return v


def _scalar_range(low: Any, high: Any) -> tuple[float, float] | None:
    """(low, high - low) as NumPy's uniform computes them for Python or NumPy real scalars, when
    the range is finite and has no sign bit; else None (NumPy's code decides, and raises)."""
    lo, hi = _scalar_float(low), _scalar_float(high)
    if lo is None or hi is None:
        return None
    rng = hi - lo
    if not math.isfinite(rng) or math.copysign(1.0, rng) < 0:
        return None
    return lo, rng


#: integers()' dtypes in the order NumPy tries them, with their closed bounds.
_INTEGER_DTYPES = [
    (np.dtype(t), (0, 1) if t is np.bool_ else (int(np.iinfo(t).min), int(np.iinfo(t).max)))
    for t in (np.int32, np.int64, np.int16, np.int8, np.uint64, np.uint32, np.uint16, np.uint8, np.bool_)
]


def _integer_bounds(low: Any, high: Any, dtype: Any, endpoint: Any) -> tuple[np.dtype, int, int] | None:
    """(the result's dtype, off, rng) as NumPy's integers() passes them to its C fill for scalar
    integer bounds (values off + [0, rng], off as the dtype's unsigned bits); None for anything
    else and for bounds NumPy rejects (its code then raises its own error)."""
    if high is None:
        low, high = 0, low
    if not all(type(v) is int or isinstance(v, np.integer) for v in (low, high)):
        return None
    if not isinstance(endpoint, (bool, int, np.bool_)):
        return None
    try:
        requested = np.dtype(dtype)
    except TypeError:
        return None
    for dt, (lb, ub) in _INTEGER_DTYPES:
        if requested == dt:
            break
    else:
        return None
    lo, hi = int(low), int(high) - (0 if endpoint else 1)
    if lo < lb or hi > ub or lo > hi:
        return None
    return dt, lo & ((1 << (8 * dt.itemsize)) - 1), hi - lo


def _with_fork_check(name: str) -> Callable[..., Any]:
    """NumPy's method ``name``, after the after-fork check (NumPy's lock may be held forever)."""
    method = getattr(np.random.Generator, name)

    @functools.wraps(method)
    def checked(self: Generator, *args: Any, **kwargs: Any) -> Any:
        if self._forked_while_in_use:
            _forked_error(self)
        return method(self, *args, **kwargs)

    return checked


for _name in dir(np.random.Generator):
    if not _name.startswith("_") and _name not in vars(Generator) and callable(getattr(np.random.Generator, _name)):
        setattr(Generator, _name, _with_fork_check(_name))
del _name


#: NumPy's unpickling function for its Generator (the one its ``Generator.__reduce__`` names).
_NUMPY_GENERATOR_CTOR = np.random.Generator(np.random.PCG64(0)).__reduce__()[0]


def _generator_ctor(bit_generator: Any = "MT19937", *args: Any) -> Generator:
    """Unpickling (what :meth:`Generator.__reduce__` names): a Generator on the pickled bit
    generator; given a bit generator's name instead (NumPy's old-style pickles), NumPy's own
    unpickling function builds the bit generator (with its errors), and it is wrapped."""
    if isinstance(bit_generator, np.random.BitGenerator):
        return Generator(bit_generator)
    return Generator(_NUMPY_GENERATOR_CTOR(bit_generator, *args).bit_generator)


def default_rng(seed: Any = None) -> Generator:
    """NumPy's ``default_rng``: a :class:`Generator` on ``PCG64(seed)``, the same stream as
    ``numpy.random.default_rng(seed)``.

    ``seed`` may be anything NumPy's takes: None (fresh entropy), an int, a sequence of ints, a
    ``SeedSequence``, a NumPy bit generator (wrapped, not copied), a ``RandomState`` (its bit
    generator is wrapped) or a Generator: a weightinit one is returned as is, a NumPy one is
    wrapped around its bit generator (the two then share one stream). NumPy's ``default_rng``
    reads ``seed`` (so its errors are NumPy's) and weightinit's Generator wraps the bit
    generator it gives.

    Examples
    --------
    >>> import numpy as np, weightinit
    >>> float(weightinit.default_rng(3).random()) == float(np.random.default_rng(3).random())
    True
    """
    if isinstance(seed, Generator):
        return seed
    return Generator(np.random.default_rng(seed).bit_generator)
