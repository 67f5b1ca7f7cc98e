"""Seeds: what a user may pass as ``seed=``, and how it becomes a Philox key."""

from __future__ import annotations

import functools
import numbers
from typing import TYPE_CHECKING, Any, Union

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .generator import Generator

    SeedLike = Union[None, int, np.random.SeedSequence, Generator, np.random.Generator]

__all__ = ["PhiloxKey", "as_seed_sequence", "key_from_seed"]


def _check_int_seed(seed: Any) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be None, a non-negative int or a numpy.random.SeedSequence, got {seed!r}")
    value = int(seed)
    if value < 0:
        raise ValueError(f"seed must be non-negative, got {value}")
    return value


def as_seed_sequence(seed: Any) -> np.random.SeedSequence:
    """``None`` (fresh OS entropy), a non-negative int, a sequence of them, or a SeedSequence."""
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, (list, tuple, np.ndarray)):
        if len(seed) == 0:
            raise ValueError("seed sequence must not be empty")
        return np.random.SeedSequence([_check_int_seed(s) for s in np.asarray(seed, dtype=object).ravel()])
    return np.random.SeedSequence(_check_int_seed(seed))


class PhiloxKey:
    """A seed that already is a Philox4x32 key (two uint32 words): used as it is.

    For code that draws a key once and fills many pieces from it (weightinit.dask's chunks).
    """

    __slots__ = ("words",)

    def __init__(self, words: tuple[int, int]) -> None:
        k0, k1 = (int(w) for w in words)
        if not (0 <= k0 < 2**32 and 0 <= k1 < 2**32):
            raise ValueError(f"a Philox4x32 key is two uint32 words, got {words!r}")
        self.words = (k0, k1)

    def key(self) -> tuple[int, int]:
        return self.words

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.words})"


def key_from_seed(seed: Any) -> tuple[int, int]:
    """The Philox4x32 key (two uint32) an initializer uses for ``seed``.

    An int, a sequence of ints or a SeedSequence gives ``SeedSequence(seed).generate_state(2, uint32)``; a weightinit
    or NumPy ``Generator`` gives a key drawn from it (so the generator advances).
    """
    if type(seed) is int and seed >= 0:
        return _key_from_int(seed)
    from .generator import Generator  # circular at import time

    if isinstance(seed, Generator):
        return seed._derive_key()
    if isinstance(seed, PhiloxKey):
        return seed.key()
    if isinstance(seed, np.random.Generator):
        k = seed.integers(0, 2**32, size=2, dtype=np.uint64)
        return int(k[0]), int(k[1])
    words = as_seed_sequence(seed).generate_state(2, np.uint32)
    return int(words[0]), int(words[1])


@functools.lru_cache(maxsize=4096)
def _key_from_int(seed: int) -> tuple[int, int]:
    words = np.random.SeedSequence(seed).generate_state(2, np.uint32)
    return int(words[0]), int(words[1])
