"""Shared test helpers: comparing arrays bit for bit, the dtypes by name, and C++ checks built
from cpp/ alone."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

BF16 = np.dtype(ml_dtypes.bfloat16)


def np_dtype(dtype: str) -> np.dtype:
    return BF16 if dtype == "bfloat16" else np.dtype(dtype)


def as_bits(a) -> np.ndarray:
    """The array's raw bits as unsigned integers of its width (so NaNs and -0.0 compare exactly)."""
    a = np.asarray(a)
    return a.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[a.dtype.itemsize])


def assert_same_bits(got, expected) -> None:
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    diff = np.flatnonzero(as_bits(got) != as_bits(expected))
    assert diff.size == 0, (
        f"{diff.size} of {got.size} elements differ; first at flat index {diff[0]}: "
        f"{got.reshape(-1)[diff[0]]!r} != {expected.reshape(-1)[diff[0]]!r}"
    )


def run_cpp_check(tmp_path: Path, sources: list[str], flags: list[str] = ()) -> subprocess.CompletedProcess:
    """Builds a check program from ``sources`` (paths relative to the repository) with the host's
    C++ compiler and cpp/ on the include path, runs it, and returns the run (skips the test where
    there is no compiler)."""
    cxx = os.environ.get("CXX") or shutil.which("g++") or shutil.which("clang++")
    if cxx is None:
        pytest.skip("needs a C++ compiler (g++ or clang++)")
    exe = tmp_path / Path(sources[0]).stem
    subprocess.run([cxx, "-O2", "-std=c++17", "-ffp-contract=off", *flags, f"-I{ROOT / 'cpp'}",
                    *(str(ROOT / s) for s in sources), "-o", str(exe)], check=True, timeout=300)
    return subprocess.run([str(exe)], capture_output=True, text=True, timeout=300)
