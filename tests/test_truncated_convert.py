"""The truncated normal's conversion to float32/float16/bfloat16 inside its bounds (ValueBounds in
cpp/per_isa/low_precision.hpp: a clamp to the floats inside the bounds) against the plain
definition (keep inside in double, round, step back inside), bit for bit, in C++
(tests/cpp/truncated_convert.cpp, built here with the host's C++ compiler from cpp/ alone)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_truncated_normal_convert_equals_the_plain_definition(tmp_path):
    cxx = os.environ.get("CXX") or shutil.which("g++") or shutil.which("clang++")
    if cxx is None:
        pytest.skip("needs a C++ compiler (g++ or clang++)")
    exe = tmp_path / "truncated_convert"
    subprocess.run(
        [cxx, "-O2", "-std=c++17", "-ffp-contract=off", f"-I{ROOT / 'cpp'}",
         str(ROOT / "tests" / "cpp" / "truncated_convert.cpp"), "-o", str(exe)],
        check=True, timeout=300,
    )
    result = subprocess.run([str(exe)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["float32", "float16", "bfloat16"], result.stdout
    assert all(line.endswith(" 0 differences") for line in lines), result.stdout
