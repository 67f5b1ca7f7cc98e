"""Threads, and the facts a bug report needs (``python -m weightinit info``)."""

from __future__ import annotations

import numbers
import platform
import sys
from typing import Any

import numpy as np

from . import _core

__all__ = ["get_num_threads", "info", "set_num_threads", "show_info"]


def get_num_threads() -> int:
    """Threads a large fill uses: OpenMP's ``omp_get_max_threads()`` (respects OMP_NUM_THREADS)."""
    return int(_core.get_num_threads())


def set_num_threads(n: int) -> None:
    """Set the threads large fills use, through ``omp_set_num_threads`` (so ``threadpoolctl``
    limits weightinit too). Like OpenMP's setting, it applies to the calling Python thread."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (numbers.Integral, np.integer)):
        raise TypeError(f"number of threads must be an int, got {n!r}")
    if int(n) < 1:
        raise ValueError(f"number of threads must be >= 1, got {n}")
    _core.set_num_threads(int(n))


def info() -> dict[str, Any]:
    """Version, build and runtime facts: compiler, OpenMP, threads, CPU features."""
    from . import __version__

    build = dict(_core.build_info())
    return {
        "weightinit": __version__,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "platform": platform.platform(),
        "compiler": build["compiler"],
        "openmp": build["openmp"],
        "openmp_version": build["openmp_version"],
        "threads": get_num_threads(),
        "architecture": build["architecture"],
        "cpu_features": list(build["cpu_features"]),
    }


def show_info() -> None:
    """Print :func:`info` in the form of ``numpy.show_config()``."""
    d = info()
    width = max(len(k) for k in d)
    for k, v in d.items():
        if k == "openmp":
            v = f"on (OpenMP {d['openmp_version']})" if v else "off: single-threaded build"
        elif k == "openmp_version":
            continue
        elif k == "cpu_features":
            v = " ".join(v) or "(none detected)"
        print(f"{k:<{width}}  {v}")
