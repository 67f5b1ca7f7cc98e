"""Threads, and the facts a bug report needs (``python -m weightinit info``)."""

from __future__ import annotations

import platform
import sys
from typing import Any

import numpy as np

from . import _core
from ._checks import positive_int

__all__ = ["get_isa", "get_num_threads", "info", "set_isa", "set_num_threads", "show_info"]


def get_num_threads() -> int:
    """Threads a large fill uses: OpenMP's ``omp_get_max_threads()`` (respects OMP_NUM_THREADS).

    >>> get_num_threads() >= 1
    True
    """
    return int(_core.get_num_threads())


def set_num_threads(n: int) -> None:
    """Set the threads large fills use, through ``omp_set_num_threads`` (so ``threadpoolctl``
    limits weightinit too). Like OpenMP's setting, it applies to the calling Python thread.

    >>> before = get_num_threads()
    >>> set_num_threads(1); get_num_threads()
    1
    >>> set_num_threads(before)
    """
    _core.set_num_threads(positive_int(n, "number of threads", maximum=2**31 - 1))


def get_isa() -> str:
    """The instruction set of the kernels in use: "scalar", "avx2" or "avx512".

    Chosen at import from the CPU's features, or forced with the environment variable
    ``WEIGHTINIT_ISA``. Every path gives the same bits; only the speed differs.

    >>> get_isa() in ("scalar", "avx2", "avx512")
    True
    """
    return str(_core.get_isa())


def set_isa(isa: str) -> None:
    """Use the kernels for ``isa`` ("scalar", "avx2", "avx512"); ValueError if unavailable.

    >>> before = get_isa()
    >>> set_isa("scalar"); get_isa()
    'scalar'
    >>> set_isa(before)
    """
    if not isinstance(isa, str):
        raise TypeError(f"isa must be a str, got {isa!r}")
    _core.set_isa(isa)


def info() -> dict[str, Any]:
    """Version, build and runtime facts: compiler, OpenMP, threads, CPU features.

    ``threads`` is how many threads a large fill uses; ``pool_workers`` how many of weightinit's
    worker threads this process has started so far (they start at the first large fill);
    ``forked_child`` whether this process is the child of a ``fork()`` made after weightinit was
    imported (its pool then started anew: fills in a forked child still use all threads).

    >>> facts = info()
    >>> facts["threads"] >= 1 and facts["simd"] in facts["simd_compiled"]
    True
    """
    from ._version import __version__

    build = dict(_core.build_info())
    pool = dict(_core.pool_stats())
    return {
        "weightinit": __version__,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "platform": platform.platform(),
        "compiler": build["compiler"],
        "openmp": build["openmp"],
        "openmp_version": build["openmp_version"],
        "threads": get_num_threads(),
        "pool_workers": int(pool["workers"]),
        "forked_child": int(pool["forks"]) > 0,
        "architecture": build["architecture"],
        "cpu_features": list(build["cpu_features"]),
        "simd": _core.get_isa(),
        "simd_compiled": list(_core.compiled_isas()),
        "simd_note": _core.isa_note(),
    }


def show_info() -> None:
    """Print :func:`info` in the form of ``numpy.show_config()``.

    >>> show_info()  # doctest: +ELLIPSIS
    weightinit ...
    """
    d = info()
    width = max(len(k) for k in d)
    for k, v in d.items():
        if k == "openmp":
            v = f"on (OpenMP {d['openmp_version']})" if v else "off: single-threaded build"
        elif k == "openmp_version":
            continue
        elif k == "threads":
            if d["openmp"]:
                v = f"{v} (OpenMP's setting; run on weightinit's own fork-safe pool, {d['pool_workers']} worker(s) started)"
            else:
                v = f"{v} (a build without OpenMP fills on the calling thread)"
        elif k == "forked_child":
            v = (
                "yes: this process was forked after weightinit was imported; its pool started anew"
                if v
                else "no"
            )
        elif k == "pool_workers":
            continue
        elif k == "cpu_features":
            v = " ".join(v) or "(none detected)"
        elif k == "simd":
            available = [isa for isa in d["simd_compiled"] if _core.isa_supported(isa)]
            v = f"{v} (compiled: {', '.join(d['simd_compiled'])}; this CPU can run: {', '.join(available)})"
            if d["simd_note"]:
                v += f"; {d['simd_note']}"
        elif k in ("simd_compiled", "simd_note"):
            continue
        print(f"{k:<{width}}  {v}")
