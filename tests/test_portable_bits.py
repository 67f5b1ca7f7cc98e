"""Same bits on every machine: what the core must not do, and the core alone against the golden file.

The aarch64 half (a cross build run under qemu) is `tests/cross_check.py`, which `.ci/run` runs;
here: the rules that make it pass (no C library transcendental in the core, no FMA contraction
anywhere the core is compiled; the explicit fma the float32 polynomials use is correctly rounded
by IEEE 754, an instruction where the CPU has FMA, the C library's fmaf elsewhere) and the
Python-free build of the core (cpp/tools/fill_cases.cpp) making the golden cases natively.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CPP = ROOT / "cpp"
NUMPY_STREAMS = CPP / "numpy_streams"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cross_check  # noqa: E402

#: The C library's transcendental functions, whose last bits differ between platforms (glibc's
#: erfc on x86-64 and aarch64 do). sqrt, fabs, fmin/fmax, nextafter and fma are exact (correctly
#: rounded) and allowed.
LIBM = ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "erf", "erfc", "sin", "cos", "tan", "pow",
        "cbrt", "hypot", "atan", "atan2", "asin", "acos", "sinh", "cosh", "tanh", "lgamma", "tgamma")
CALL = re.compile(r"(?<![\w.>:])(?:std::|::)?(" + "|".join(LIBM) + r")f?\s*\(")


def _code(path: Path) -> str:
    """The source without comments and string literals."""
    text = re.sub(r"//[^\n]*|/\*.*?\*/", "", path.read_text(), flags=re.S)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def test_the_core_calls_no_c_library_math():
    # cpp/numpy_streams/ is the exception, on purpose: weightinit.Generator must give NumPy's
    # numbers on each platform, and NumPy's ziggurat calls that platform's exp/log1p.
    sources = sorted(p for p in CPP.rglob("*") if p.suffix in (".hpp", ".cpp") and NUMPY_STREAMS not in p.parents)
    assert len(sources) > 20
    offenders = []
    for path in sources:
        if path.name == "portable_math.hpp":
            # FDLIBM's routines themselves: every call there must be to this namespace's own.
            assert not re.search(r"std::(" + "|".join(LIBM) + r")\b", _code(path))
            continue
        for m in CALL.finditer(_code(path)):
            offenders.append(f"{path.relative_to(ROOT)}: {m.group(0)}")
    assert not offenders, "C library math in the core (use cpp/per_isa/portable_math.hpp):\n" + "\n".join(offenders)


def test_numpys_streams_use_the_c_library_as_numpy_does():
    # The one place the core calls the C library's math, as NumPy's compiled code does.
    found = {m.group(1) for p in NUMPY_STREAMS.glob("*.hpp") for m in CALL.finditer(_code(p))}
    assert {"exp", "log1p"} <= found


def test_the_scan_would_see_a_c_library_call(tmp_path):
    # The regular expression above finds the usual spellings (and not names that merely contain them).
    assert {m.group(1) for m in CALL.finditer("std::erfc(x) + ::log(y) + expm1 (z) + sinf(w)")} == {"erfc", "log", "expm1", "sin"}
    assert not list(CALL.finditer("log_positive(x) + mills_ratio(y) + portable::exp(z) + a.log(q) + p->exp(r)"))


def test_no_fma_contraction_wherever_the_core_is_compiled():
    flags = cross_check.fp_flags()  # what CMakeLists.txt sets, and what the cross build uses
    assert "-ffp-contract=off" in flags and "-fno-fast-math" in flags
    cmake = (ROOT / "CMakeLists.txt").read_text()
    # both the per-ISA kernels and the rest of the module get them
    assert re.search(r"target_compile_options\(kernels_\$\{isa\} PRIVATE \$\{WEIGHTINIT_FP_FLAGS\}", cmake)
    assert re.search(r"target_compile_options\(_core PRIVATE \$\{WEIGHTINIT_FP_FLAGS\}", cmake)


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++ to build cpp/tools/fill_cases.cpp")
def test_the_core_alone_makes_the_golden_cases(tmp_path, capsys):
    lines = cross_check.fill_lines()
    assert len(lines) >= 40  # every golden case that is one fill of the position-keyed stream
    exe = cross_check.build("g++", tmp_path, [])
    import golden_cases

    assert cross_check.check("native (g++)", [str(exe)], lines, golden_cases.golden()) == 0
    assert f"{len(lines)} of {len(lines)} golden cases equal" in capsys.readouterr().out
