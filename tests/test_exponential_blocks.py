"""The AVX-512 VBMI block kernels of Generator.standard_exponential (cpp/numpy_streams/
stream_kernels.cpp: 64 units at a time, table lookups by byte permutes, the acceptance test on
the top 16 bits) against the scalar one-unit path of NumPy's ziggurat they stand for, bit for
bit, for every block length and on units that tie with the threshold's top bits
(tests/cpp/exponential_blocks.cpp, built here with the host's C++ compiler from cpp/ alone).
The whole path is also compared with NumPy's own output in test_numpy_streams.py."""

from __future__ import annotations

import platform

import pytest
from bits import run_cpp_check


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="AVX-512 kernels are x86-64 only")
def test_exponential_block_kernels_equal_the_scalar_ziggurat(tmp_path):
    result = run_cpp_check(
        tmp_path,
        ["tests/cpp/exponential_blocks.cpp", "cpp/numpy_streams/ziggurat_planes.cpp", "cpp/thread_pool.cpp"],
        ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mfma", "-w", "-pthread"],  # -w: GCC 12 warns inside its intrinsics
    )
    assert result.returncode == 0, result.stdout + result.stderr
    if result.stdout.startswith("skipped:"):
        pytest.skip(result.stdout.strip())
    lines = result.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["float64", "float32"], result.stdout
    assert all(line.endswith(" 0 differences") for line in lines), result.stdout
