"""Seeds: what a user may pass as ``seed=``, and how it becomes a Philox key.

A *key source* is any object with a ``philox_key()`` method returning two uint32 words: a
weightinit ``Generator`` (which draws a fresh key from its stream each time) and
:class:`PhiloxKey` (a fixed key) are the two in the package. That one method is all this module
knows of them, so it imports nothing that fills arrays.
"""

from __future__ import annotations

import functools
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ._checks import int_seed

__all__ = ["KeySource", "PhiloxKey", "RecordingKey", "as_seed_sequence", "key_from_seed"]


@runtime_checkable
class KeySource(Protocol):
    """An object that gives the Philox4x32 key for a fill: ``philox_key() -> (k0, k1)``."""

    def philox_key(self) -> tuple[int, int]: ...


def as_seed_sequence(seed: Any) -> np.random.SeedSequence:
    """``None`` (fresh OS entropy), a non-negative int, a sequence of them, or a SeedSequence."""
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, (list, tuple, np.ndarray)):
        if len(seed) == 0:
            raise ValueError("seed sequence must not be empty")
        return np.random.SeedSequence([int_seed(s) for s in np.asarray(seed, dtype=object).ravel()])
    return np.random.SeedSequence(int_seed(seed))


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

    def philox_key(self) -> tuple[int, int]:
        return self.words

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.words})"


class RecordingKey(PhiloxKey):
    """A fixed key that records whether it was asked for: passed as ``seed=`` it tells whether
    a call draws a key at all (constants, and fan-based initializers of empty tensors, do not).
    weightinit.dask hands one to each chunk; the ``init`` command probes initializers with one."""

    __slots__ = ("used",)

    def __init__(self, words: tuple[int, int] = (0, 0)) -> None:
        super().__init__(words)
        self.used = False

    def philox_key(self) -> tuple[int, int]:
        self.used = True
        return self.words


def key_from_seed(seed: Any) -> tuple[int, int]:
    """The Philox4x32 key (two uint32) an initializer uses for ``seed``.

    An int, a sequence of ints or a SeedSequence gives ``SeedSequence(seed).generate_state(2, uint32)``; a key
    source (a weightinit ``Generator``, a :class:`PhiloxKey`) gives its ``philox_key()``; a NumPy ``Generator``
    gives a key drawn from it (so the generator advances).
    """
    if type(seed) is int and seed >= 0:
        return _key_from_int(seed)
    philox_key = getattr(seed, "philox_key", None)
    if philox_key is not None:
        return philox_key()
    if isinstance(seed, np.random.Generator):
        k = seed.integers(0, 2**32, size=2, dtype=np.uint64)
        return int(k[0]), int(k[1])
    words = as_seed_sequence(seed).generate_state(2, np.uint32)
    return int(words[0]), int(words[1])


@functools.lru_cache(maxsize=4096)
def _key_from_int(seed: int) -> tuple[int, int]:
    words = np.random.SeedSequence(seed).generate_state(2, np.uint32)
    return int(words[0]), int(words[1])
