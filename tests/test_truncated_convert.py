"""The truncated normal's conversion to float32/float16/bfloat16 inside its bounds (ValueBounds in
cpp/per_isa/low_precision.hpp: a clamp to the floats inside the bounds) against the plain
definition (keep inside in double, round, step back inside), bit for bit, in C++
(tests/cpp/truncated_convert.cpp, built here with the host's C++ compiler from cpp/ alone)."""

from __future__ import annotations

from bits import run_cpp_check


def test_truncated_normal_convert_equals_the_plain_definition(tmp_path):
    result = run_cpp_check(tmp_path, ["tests/cpp/truncated_convert.cpp"])
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["float32", "float16", "bfloat16"], result.stdout
    assert all(line.endswith(" 0 differences") for line in lines), result.stdout
