"""The AVX-512 VBMI block kernels of Generator.standard_exponential and standard_normal
(cpp/numpy_streams/stream_kernels.cpp: 64 units at a time, table lookups by byte permutes, the
acceptance test on the top 16 bits) against the scalar one-unit paths of NumPy's ziggurats they
stand for, bit for bit, for every block length and on units that tie with the threshold's top
bits (tests/cpp/ziggurat_blocks.cpp, built here with the host's C++ compiler from cpp/ alone).
The whole path is also compared with NumPy's own output in test_numpy_streams.py."""

from __future__ import annotations

import pytest
from bits import run_cpp_check

import weightinit

# The check program is built for AVX-512 throughout (its static initializers too), so it can
# only start on a CPU with the kernels' instruction sets.
NEEDED = {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512vbmi"}


@pytest.mark.skipif(not NEEDED <= set(weightinit.info()["cpu_features"]), reason="needs an x86-64 CPU with AVX-512 VBMI")
def test_ziggurat_block_kernels_equal_the_scalar_ziggurats(tmp_path):
    result = run_cpp_check(
        tmp_path,
        ["tests/cpp/ziggurat_blocks.cpp", "cpp/numpy_streams/ziggurat_planes.cpp", "cpp/thread_pool.cpp"],
        ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mfma", "-w", "-pthread"],  # -w: GCC 12 warns inside its intrinsics
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "exponential float64", "exponential float32", "normal float64", "normal float32"], result.stdout
    assert all(line.endswith(" 0 differences") for line in lines), result.stdout
