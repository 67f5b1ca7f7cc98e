"""weightinit: fast, reproducible weight initialization.

A C++ core fills NumPy arrays in parallel with Philox4x32-10 samples, each a pure function of
(seed, position), so the same seed gives the same weights on any thread count, slice or machine.
"""

from __future__ import annotations

from numpy.random import Philox as Philox4x64  # NumPy's Philox4x64-10: a real NumPy bit generator

from . import initializers
from ._dtypes import SUPPORTED_DTYPES, bfloat16
from ._runtime import get_isa, get_num_threads, info, set_isa, set_num_threads, show_info
from ._version import __version__
from .generator import Generator, default_rng
from .initializers import *  # noqa: F403  # every initializer, fans and gains: initializers.__all__
from .philox import philox4x32_10, philox4x64_10

__all__ = sorted(
    [
        "SUPPORTED_DTYPES",
        "Generator",
        "Philox4x64",
        "bfloat16",
        "default_rng",
        "get_isa",
        "get_num_threads",
        "info",
        "philox4x32_10",
        "philox4x64_10",
        "set_isa",
        "set_num_threads",
        "show_info",
        *initializers.__all__,
    ]
)
