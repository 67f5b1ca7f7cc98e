"""Facts about the machine and the peers a benchmark report records, and how busy the machine was."""

from __future__ import annotations

import datetime
import importlib
import os
import platform
import sys
import time
from typing import Any

import numpy as np

from .._runtime import info


def import_peer(name: str) -> tuple[Any, str | None]:
    """(module, None), or (None, why) when it is missing or fails to import."""
    try:
        module = importlib.import_module(name)
    except ImportError as e:
        return None, f"not installed ({e.__class__.__name__})"
    except Exception as e:  # a broken install must not stop the benchmark
        return None, f"import failed: {e.__class__.__name__}: {e}"
    if name == "jax":
        try:
            module.config.update("jax_enable_x64", True)
        except Exception:
            pass
    return module, None


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return None


def meminfo(key: str) -> int | None:
    text = _read_text("/proc/meminfo")
    for line in (text or "").splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return None


def package_version(module_name: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(module_name)
    except Exception:
        return None


def machine_info(peers: dict[str, Any]) -> dict[str, Any]:
    torch = peers.get("torch")
    try:
        affinity = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        affinity = None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "cpus_available": affinity,
        "memory_bytes": meminfo("MemTotal"),
        "transparent_hugepage": _read_text("/sys/kernel/mm/transparent_hugepage/enabled"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "weightinit_info": info(),
        "numpy": np.__version__,
        "ml_dtypes": package_version("ml_dtypes"),
        "torch": getattr(torch, "__version__", None),
        "torch_default_threads": torch.get_num_threads() if torch is not None else None,
        "jax": getattr(peers.get("jax"), "__version__", None),
        "mkl_random": package_version("mkl_random") if peers.get("mkl_random") is not None else None,
        "threadpoolctl": package_version("threadpoolctl") if peers.get("threadpoolctl") is not None else None,
        "matplotlib": package_version("matplotlib"),
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "env": {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OMP_PROC_BIND", "OMP_WAIT_POLICY", "MKL_NUM_THREADS") if k in os.environ},
    }


#: Other processes busier than this many CPUs on average during a case mark it as contended.
CONTENDED_CPUS = 0.3


def cpu_snapshot() -> tuple[float, float, float] | None:
    """(busy CPU-seconds of the whole machine, CPU-seconds of this process, wall time), or None
    where /proc/stat is not available. Steal time counts as busy: it is contention too."""
    try:
        import resource

        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(v) for v in f.readline().split()[1:9]]
        busy = (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
        ru = resource.getrusage(resource.RUSAGE_SELF)
    except Exception:
        return None
    return busy, ru.ru_utime + ru.ru_stime, time.perf_counter()


def other_load(before: tuple[float, float, float] | None, after: tuple[float, float, float] | None) -> float | None:
    """Average CPUs that other processes kept busy between two snapshots."""
    if before is None or after is None or after[2] - before[2] < 0.05:
        return None
    return max(0.0, ((after[0] - before[0]) - (after[1] - before[1])) / (after[2] - before[2]))
