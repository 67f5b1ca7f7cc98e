"""Philox bit generators with NumPy's interface: ``Philox4x64`` and ``Philox4x32``.

``Philox4x64(seed)`` is the same stream as ``numpy.random.Philox(seed)``: the key is
``SeedSequence(seed).generate_state(2, uint64)``, the 256-bit counter is incremented before each
block, and the state dictionary has NumPy's layout. ``Philox4x32`` is the 32-bit-word variant
(key from ``generate_state(2, uint32)``, 128-bit counter); its raw words are uint32.
"""

from __future__ import annotations

import threading
from typing import Any, ClassVar

import numpy as np

from . import _core, _fork
from ._arrays import normalize_shape
from ._checks import is_int, nonnegative_int
from ._seed import as_seed_sequence

__all__ = ["Philox4x32", "Philox4x64"]


class _PhiloxBitGenerator:
    """Shared machinery: state as words, a lock, and draws through the core."""

    _word: ClassVar[type]  # np.uint32 or np.uint64
    _bits: ClassVar[int]  # 32 or 64
    _name: ClassVar[str]

    def __init__(self, seed: Any = None, *, counter: Any = None, key: Any = None) -> None:
        self._make_lock()
        if key is not None:
            if seed is not None:
                raise ValueError("seed and key cannot both be given")
            self._seed_seq: np.random.SeedSequence | None = None
            key_words = self._words(key, 2, "key")
        else:
            self._seed_seq = as_seed_sequence(seed)
            key_words = [int(k) for k in self._seed_seq.generate_state(2, self._word)]
        counter_words = [0, 0, 0, 0] if counter is None else self._words(counter, 4, "counter")
        self._state = (counter_words, key_words, [0, 0, 0, 0], 4, 0, 0)

    def _make_lock(self) -> None:
        # Re-made in a forked child, where a draw another thread had begun never ends (_fork.py).
        self.lock = threading.RLock()
        _fork.track_own_lock(self)

    # -- words and counters -------------------------------------------------------------
    @classmethod
    def _words(cls, value: Any, n: int, name: str) -> list[int]:
        """An int (split into n little-endian words) or n words, each in range."""
        mask = (1 << cls._bits) - 1
        if is_int(value):
            v = nonnegative_int(value, name)
            if v >> (cls._bits * n):
                raise ValueError(f"{name} must be < 2**{cls._bits * n}")
            return [(v >> (cls._bits * i)) & mask for i in range(n)]
        arr = np.asarray(value)
        if arr.shape != (n,) or arr.dtype.kind not in "ui":
            raise ValueError(f"{name} must be an int or {n} unsigned {cls._bits}-bit words")
        words = [int(x) for x in arr]
        if any(w < 0 or w > mask for w in words):
            raise ValueError(f"{name} words must be in [0, 2**{cls._bits})")
        return words

    def _counter_int(self, words: list[int]) -> int:
        return sum(w << (self._bits * i) for i, w in enumerate(words))

    # -- draws ----------------------------------------------------------------------------
    def _draw(self, out: np.ndarray, kind: str, low: float = 0.0, range_: float = 1.0) -> None:
        draw = _core.draw_4x64 if self._bits == 64 else _core.draw_4x32
        with self.lock:
            self._state = draw(self._state, out, kind, low, range_)

    def random_raw(self, size: Any = None, output: bool = True) -> Any:
        """Raw words of the stream (uint64 for Philox4x64, uint32 for Philox4x32)."""
        shape = () if size is None else normalize_shape(size)
        out = np.empty(shape, dtype=self._word)
        self._draw(out.reshape(-1), "raw")
        if not output:
            return None
        return int(out[()]) if size is None else out

    def advance(self, delta: int) -> "_PhiloxBitGenerator":
        """Skip ``delta`` blocks: add ``delta`` (mod the counter size) to the counter and empty the
        buffer, as NumPy's ``Philox.advance``."""
        if not is_int(delta):
            raise TypeError(f"delta must be an int, got {delta!r}")
        delta = int(delta)  # negative deltas wrap modulo the counter's size, as in NumPy
        with self.lock:
            counter, key = self._state[0], self._state[1]
            total = (self._counter_int(counter) + delta) % (1 << (4 * self._bits))
            self._state = (self._words(total, 4, "counter"), key, [0, 0, 0, 0], 4, 0, 0)
        return self

    def jumped(self, jumps: int = 1) -> "_PhiloxBitGenerator":
        """A new bit generator whose stream starts ``jumps * 2**(2*bits)`` blocks further on."""
        jumps = nonnegative_int(jumps, "jumps")
        new = type(self).__new__(type(self))
        new._make_lock()
        new._seed_seq = self._seed_seq
        with self.lock:
            new._state = self._state
        return new.advance(jumps << (2 * self._bits))

    def spawn(self, n_children: int) -> list["_PhiloxBitGenerator"]:
        """Independent children from ``SeedSequence.spawn`` (like NumPy's BitGenerator.spawn)."""
        n_children = nonnegative_int(n_children, "n_children")
        if self._seed_seq is None:
            raise TypeError("spawn needs a bit generator made from a seed, not from an explicit key")
        return [type(self)(s) for s in self._seed_seq.spawn(n_children)]

    @property
    def seed_seq(self) -> np.random.SeedSequence | None:
        return self._seed_seq

    @property
    def state(self) -> dict[str, Any]:
        """The state, in the layout of ``numpy.random.Philox.state``."""
        with self.lock:
            counter, key, buffer, buffer_pos, has_uint32, uinteger = self._state
        return {
            "bit_generator": self._name,
            "state": {"counter": np.array(counter, dtype=self._word), "key": np.array(key, dtype=self._word)},
            "buffer": np.array(buffer, dtype=self._word),
            "buffer_pos": int(buffer_pos),
            "has_uint32": int(has_uint32),
            "uinteger": int(uinteger),
        }

    @state.setter
    def state(self, value: dict[str, Any]) -> None:
        if not isinstance(value, dict) or value.get("bit_generator") != self._name:
            raise ValueError(f"state must be a dict with bit_generator == {self._name!r}")
        try:
            counter = self._words(value["state"]["counter"], 4, "counter")
            key = self._words(value["state"]["key"], 2, "key")
            buffer = self._words(value["buffer"], 4, "buffer")
            buffer_pos = int(value["buffer_pos"])
            has_uint32 = int(value["has_uint32"])
            uinteger = int(value["uinteger"])
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed {self._name} state: {exc}") from None
        if not 0 <= buffer_pos <= 4 or has_uint32 not in (0, 1) or not 0 <= uinteger < 2**32:
            raise ValueError("state has buffer_pos outside [0, 4], has_uint32 not 0/1 or uinteger not uint32")
        with self.lock:
            self._state = (counter, key, buffer, buffer_pos, has_uint32, uinteger)

    def __getstate__(self) -> dict[str, Any]:
        return {"state": self.state, "seed_seq": self._seed_seq}

    def __setstate__(self, d: dict[str, Any]) -> None:
        self._make_lock()
        self._seed_seq = d["seed_seq"]
        self._state = ((0,) * 4, (0, 0), (0,) * 4, 4, 0, 0)
        self.state = d["state"]

    def __repr__(self) -> str:
        return f"{type(self).__name__}() at 0x{id(self):X}"


class Philox4x64(_PhiloxBitGenerator):
    """Philox4x64-10, the stream of ``numpy.random.Philox`` (same seeds give the same words).

    Parameters
    ----------
    seed : None, int, sequence of ints or SeedSequence
        Turned into the key by ``SeedSequence(seed).generate_state(2, numpy.uint64)``.
    counter : int or 4 uint64 words, optional
        Starting counter (the first block uses counter + 1, as in NumPy).
    key : int or 2 uint64 words, optional
        Use this key instead of deriving one from ``seed``.

    Examples
    --------
    >>> import numpy as np, weightinit
    >>> int(weightinit.Philox4x64(7).random_raw()) == int(np.random.Philox(7).random_raw())
    True
    """

    _word = np.uint64
    _bits = 64
    _name = "Philox4x64"


class Philox4x32(_PhiloxBitGenerator):
    """Philox4x32-10 with a 128-bit counter and 64-bit key; raw words are uint32.

    The key is ``SeedSequence(seed).generate_state(2, numpy.uint32)``; 32-bit draws take one
    word and 64-bit draws two (low word first). ``jumped`` moves 2**64 blocks.

    Examples
    --------
    >>> Philox4x32(7).random_raw(2).dtype
    dtype('uint32')
    """

    _word = np.uint32
    _bits = 32
    _name = "Philox4x32"
