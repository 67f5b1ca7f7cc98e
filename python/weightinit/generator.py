"""A ``Generator`` with NumPy's method names, filled by weightinit's parallel core.

On a ``numpy.random.Philox`` (or weightinit's ``Philox4x64``) ``random`` and ``uniform`` give
NumPy's exact values and leave the bit generator exactly where NumPy's own Generator would.
Normals are weightinit's own (Box-Muller on Philox4x32, see the README): NumPy's ziggurat
rejects samples, so no parallel generator can reproduce it.
"""

from __future__ import annotations

import math
from typing import Any, Union

import numpy as np

from . import _core, _fork
from ._dtypes import resolve_dtype
from ._arrays import new_array, normalize_shape
from ._checks import real
from ._fill import fill_distribution
from .bit_generator import Philox4x32, Philox4x64, _PhiloxBitGenerator

__all__ = ["Generator", "default_rng"]

BitGeneratorLike = Union[_PhiloxBitGenerator, np.random.BitGenerator]


class _NumpyPhiloxStream:
    """Draws on a ``numpy.random.Philox`` through its state, under its own lock."""

    def __init__(self, bit_generator: np.random.Philox) -> None:
        self.bit_generator = bit_generator
        self.numpy_lock = bit_generator.lock
        _fork.track_numpy_lock_user(self)

    def _draw(self, out: np.ndarray, kind: str, low: float = 0.0, range_: float = 1.0) -> None:
        bg = self.bit_generator
        _fork.check_usable_after_fork(self)
        with bg.lock:
            st = bg.state
            state = (
                [int(x) for x in st["state"]["counter"]],
                [int(x) for x in st["state"]["key"]],
                [int(x) for x in st["buffer"]],
                int(st["buffer_pos"]),
                int(st["has_uint32"]),
                int(st["uinteger"]),
            )
            counter, key, buffer, buffer_pos, has_uint32, uinteger = _core.draw_4x64(state, out, kind, low, range_)
            bg.state = {
                "bit_generator": "Philox",
                "state": {"counter": np.array(counter, dtype=np.uint64), "key": np.array(key, dtype=np.uint64)},
                "buffer": np.array(buffer, dtype=np.uint64),
                "buffer_pos": buffer_pos,
                "has_uint32": has_uint32,
                "uinteger": uinteger,
            }


class Generator:
    """NumPy's ``Generator`` API on a Philox bit generator, filled in parallel.

    Parameters
    ----------
    bit_generator : weightinit.Philox4x64, weightinit.Philox4x32 or numpy.random.Philox
        The stream. Any other NumPy BitGenerator is accepted too: ``random``/``uniform`` then
        run through NumPy itself (same values, no speed-up).

    Examples
    --------
    >>> import numpy as np, weightinit
    >>> ours = weightinit.Generator(np.random.Philox(1)).random(5)
    >>> theirs = np.random.Generator(np.random.Philox(1)).random(5)
    >>> bool((ours == theirs).all())
    True
    """

    def __init__(self, bit_generator: BitGeneratorLike) -> None:
        if isinstance(bit_generator, _PhiloxBitGenerator):
            self._stream: Any = bit_generator
        elif isinstance(bit_generator, np.random.Philox):
            self._stream = _NumpyPhiloxStream(bit_generator)
        elif isinstance(bit_generator, np.random.BitGenerator):
            self._stream = None
            self._numpy = np.random.Generator(bit_generator)
        else:
            raise TypeError(
                "bit_generator must be weightinit.Philox4x64, weightinit.Philox4x32 or a "
                f"numpy.random.BitGenerator, got {type(bit_generator).__name__}"
            )
        self._bit_generator = bit_generator

    @property
    def bit_generator(self) -> BitGeneratorLike:
        return self._bit_generator

    def __repr__(self) -> str:
        return f"Generator({type(self._bit_generator).__name__})"

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _output(size: Any, dtype: np.dtype, out: np.ndarray | None) -> np.ndarray:
        if out is None:
            shape = () if size is None else normalize_shape(size)
            return new_array(shape, dtype)
        if not isinstance(out, np.ndarray):
            raise TypeError(f"out must be a numpy.ndarray, got {type(out).__name__}")
        if size is not None and normalize_shape(size) != out.shape:
            raise ValueError("size must match out.shape when used together")
        if out.dtype != dtype:
            raise TypeError(f"out has dtype {out.dtype} but dtype={dtype.name} was asked for")
        if not (out.flags.c_contiguous and out.flags.writeable and out.flags.aligned and out.dtype.isnative):
            raise ValueError("out must be C-contiguous, writable, aligned and in the machine's byte order")
        return out

    @staticmethod
    def _finish(arr: np.ndarray, size: Any, out: np.ndarray | None) -> Any:
        if out is not None:
            return out
        return float(arr[()]) if size is None else arr

    def philox_key(self) -> tuple[int, int]:
        """A fresh Philox4x32 key drawn from this generator (one 64-bit word of its stream)."""
        bg = self._bit_generator
        if isinstance(bg, Philox4x32):
            words = bg.random_raw(2)
            return int(words[0]), int(words[1])
        w = int(bg.random_raw())
        return w & 0xFFFFFFFF, w >> 32

    # -- uniform ------------------------------------------------------------------------
    def random(self, size: Any = None, dtype: Any = np.float64, out: np.ndarray | None = None) -> Any:
        """Floats in [0, 1): NumPy's ``Generator.random``, bit for bit on a Philox stream.

        float64 is ``(next_uint64 >> 11) * 2**-53``; float32 is ``(next_uint32 >> 8) * 2**-24``.
        Returns a Python float when ``size`` is None and ``out`` is not given.

        >>> ours = Generator(np.random.Philox(5)).random(4, dtype=np.float32)
        >>> bool((ours == np.random.Generator(np.random.Philox(5)).random(4, dtype=np.float32)).all())
        True
        """
        dt = resolve_dtype(dtype, ("float32", "float64"))
        arr = self._output(size, dt, out)
        if self._stream is None:
            self._numpy.random(dtype=dt, out=arr)
        else:
            self._stream._draw(arr.reshape(-1), "random")
        return self._finish(arr, size, out)

    def uniform(self, low: Any = 0.0, high: Any = 1.0, size: Any = None, dtype: Any = np.float64) -> Any:
        """Samples of U[low, high): ``low + (high - low) * random()``, two roundings as NumPy.

        float64 matches ``numpy.random.Generator.uniform`` bit for bit on a Philox stream.
        float32 (an extension) computes ``float32(low) + float32(high - low) * u`` with the
        float32 ``u`` of ``random(dtype=float32)``. Array ``low``/``high`` broadcast as in NumPy.

        >>> ours = Generator(np.random.Philox(5)).uniform(-1.0, 1.0, 4)
        >>> bool((ours == np.random.Generator(np.random.Philox(5)).uniform(-1.0, 1.0, 4)).all())
        True
        """
        dt = resolve_dtype(dtype, ("float32", "float64"))
        if np.ndim(low) or np.ndim(high):
            lo = np.asarray(low, dtype=np.float64)
            hi = np.asarray(high, dtype=np.float64)
            with np.errstate(over="ignore", invalid="ignore"):
                rng = hi - lo
            if not np.all(np.isfinite(rng)):
                raise OverflowError("high - low range exceeds valid bounds")
            if np.any(rng < 0):
                raise ValueError("high - low < 0")
            shape = np.broadcast_shapes(lo.shape, hi.shape) if size is None else normalize_shape(size)
            u = self.random(shape, dtype=dt)
            return (lo.astype(dt) + rng.astype(dt) * u).astype(dt, copy=False)
        lo_f, hi_f = real(low, "low"), real(high, "high")
        range_ = hi_f - lo_f
        if not math.isfinite(range_):
            raise OverflowError("high - low range exceeds valid bounds")
        if range_ < 0:
            raise ValueError("high - low < 0")
        arr = self._output(size, dt, None)
        if self._stream is None:
            u = self._numpy.random(arr.shape, dtype=dt)
            np.add(dt.type(lo_f), dt.type(range_) * u, out=arr)
        else:
            self._stream._draw(arr.reshape(-1), "uniform", lo_f, range_)
        return self._finish(arr, size, None)

    # -- normal -------------------------------------------------------------------------
    def standard_normal(self, size: Any = None, dtype: Any = np.float64, out: np.ndarray | None = None) -> Any:
        """Standard normal samples (weightinit's Box-Muller, not NumPy's ziggurat).

        Each call draws one 64-bit word from the stream as a Philox4x32 key and fills the
        output in parallel from it; dtype may be float32, float64, float16 or bfloat16.

        >>> default_rng(1).standard_normal((2, 3), dtype=np.float32).shape
        (2, 3)
        """
        return self.normal(0.0, 1.0, size, dtype, out=out)

    def normal(
        self, loc: Any = 0.0, scale: Any = 1.0, size: Any = None, dtype: Any = np.float64, out: np.ndarray | None = None
    ) -> Any:
        """Normal samples ``loc + scale * z`` (see :meth:`standard_normal`); ``scale >= 0``.

        >>> round(float(default_rng(1).normal(5.0, 0.1, 10_000).mean()), 1)
        5.0
        """
        dt = resolve_dtype(dtype)
        loc_f, scale_f = real(loc, "loc"), real(scale, "scale")
        if not math.isfinite(loc_f) or not math.isfinite(scale_f) or scale_f < 0:
            raise ValueError(f"normal needs a finite loc and a finite scale >= 0, got loc={loc_f}, scale={scale_f}")
        arr = self._output(size, dt, out)
        fill_distribution("normal", (loc_f, scale_f), arr.shape, dtype=dt, seed=self, out=arr)
        return self._finish(arr, size, out)

    def spawn(self, n_children: int) -> list["Generator"]:
        """Independent child generators (through the bit generator's SeedSequence).

        >>> a, b = default_rng(1).spawn(2)
        >>> a.random() != b.random()
        True
        """
        return [Generator(bg) for bg in self._bit_generator.spawn(n_children)]


def default_rng(seed: Any = None) -> Generator:
    """A :class:`Generator` on :class:`Philox4x64` — NumPy's Philox stream for the same seed.

    ``seed`` may be None, an int, a sequence of ints, a SeedSequence, a bit generator (wrapped)
    or a Generator (returned as is).

    Examples
    --------
    >>> import numpy as np, weightinit
    >>> weightinit.default_rng(3).random() == np.random.Generator(np.random.Philox(3)).random()
    True
    """
    if isinstance(seed, Generator):
        return seed
    if isinstance(seed, (_PhiloxBitGenerator, np.random.BitGenerator)):
        return Generator(seed)
    return Generator(Philox4x64(seed))
