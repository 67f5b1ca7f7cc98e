"""The golden cases made by the C++ core alone, natively and for aarch64 under qemu.

Every case of tests/golden_cases.py that is one fill of the position-keyed stream (all but the
NumPy-Generator cases) is replayed through cpp/tools/fill_cases.cpp, a small program built from
cpp/ with no Python: once with the host's g++, once cross-built with aarch64-linux-gnu-g++ and run
under qemu-aarch64. The SHA-256 of each output must be the one tests/golden/v1.json pins. GCC
contracts a*b+c into FMA by default on aarch64; the project's flags (read from CMakeLists.txt, so
this build uses exactly the extension's) forbid it, and this is where a build that loses them
(or a dependence on the C library's math, which differs between platforms) would show.

    python tests/cross_check.py [--require]

Without the cross compiler or qemu (Debian: g++-aarch64-linux-gnu, qemu-user) the aarch64 half is
skipped with a message (an error with --require). Needs weightinit installed (to list the cases).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CPP = ROOT / "cpp"
sys.path.insert(0, str(HERE))



def fp_flags() -> list[str]:
    """The project's floating-point flags for GCC and Clang, as CMakeLists.txt sets them for the
    extension: no FMA contraction, no fast-math."""
    text = (ROOT / "CMakeLists.txt").read_text()
    match = re.search(r"set\(WEIGHTINIT_FP_FLAGS (-[^)]*)\)", text)
    if match is None:
        raise SystemExit("CMakeLists.txt sets no WEIGHTINIT_FP_FLAGS for GCC/Clang")
    flags = match.group(1).split()
    if "-ffp-contract=off" not in flags:
        raise SystemExit(f"WEIGHTINIT_FP_FLAGS {flags} lack -ffp-contract=off")
    return flags


def fill_lines() -> dict[str, str]:
    """Each golden case that is one core fill, as a fill_cases input line."""
    import golden_cases

    from weightinit import _fill

    real_core = _fill._core
    calls: list[tuple] = []

    class Recorder:
        def __getattr__(self, name: str) -> Any:
            return getattr(real_core, name)

        def fill(self, distribution, out, dtype, params, key, pos_offset, pos_strides):  # noqa: ANN001
            calls.append((distribution, dtype, list(params), tuple(key), pos_offset, list(pos_strides), out.shape))
            return real_core.fill(distribution, out, dtype, params, key, pos_offset, pos_strides)

        def fill_whole(self, distribution, out, dtype, params, key):  # noqa: ANN001
            # A whole tensor: fill() at offset 0 with C-order position strides.
            calls.append((distribution, dtype, list(params), tuple(key), 0, list(c_strides(out.shape)), out.shape))
            return real_core.fill_whole(distribution, out, dtype, params, key)

        def fill_new(self, distribution, dt, dtype, shape, params, key):  # noqa: ANN001
            # A new whole tensor: fill() at offset 0 with C-order position strides.
            calls.append((distribution, dtype, list(params), tuple(key), 0, list(c_strides(tuple(shape))), tuple(shape)))
            return real_core.fill_new(distribution, dt, dtype, shape, params, key)

    from weightinit._arrays import c_strides

    generator_cases = set(golden_cases._generator_cases())
    lines = {}
    _fill._core = Recorder()
    try:
        for name, make in golden_cases.all_cases().items():
            calls.clear()
            make()
            if len(calls) != 1:
                if name in generator_cases:
                    continue  # not one fill of the position-keyed stream (a NumPy Generator case)
                raise SystemExit(f"golden case {name!r} made {len(calls)} core fills, not one: this script "
                                 "no longer sees how the package fills (a new path to the core?)")
            dist, dtype, params, key, offset, strides, shape = calls[0]
            fields = [dist, dtype, str(key[0]), str(key[1]), str(offset), str(len(shape))]
            fields += [str(d) for d in shape] + [str(s) for s in strides]
            fields += [str(len(params))] + [float(p).hex() for p in params]
            lines[name] = " ".join(fields)
    finally:
        _fill._core = real_core
    return lines


def build(compiler: str, out_dir: Path, extra: list[str]) -> Path:
    """fill_cases built from cpp/ with ``compiler`` (the portable kernels only), statically."""
    common = ["-std=c++17", "-O2", "-pthread", *fp_flags(), *extra]
    objects = []
    sources = {
        "kernels": (CPP / "per_isa" / "kernels.cpp", ["-DWEIGHTINIT_ISA_NS=isa_scalar", '-DWEIGHTINIT_ISA_NAME="scalar"']),
        "dispatch": (CPP / "dispatch.cpp", []),
        "thread_pool": (CPP / "thread_pool.cpp", []),
        "fill_cases": (CPP / "tools" / "fill_cases.cpp", []),
    }
    for name, (source, defines) in sources.items():
        obj = out_dir / f"{name}.o"
        subprocess.run([compiler, *common, *defines, "-c", str(source), "-o", str(obj)], check=True)
        objects.append(str(obj))
    exe = out_dir / "fill_cases"
    subprocess.run([compiler, *common, *objects, "-static", "-o", str(exe)], check=True)
    return exe


def golden_file_name() -> str:
    import golden_cases

    return golden_cases.GOLDEN_FILE.name


def check(label: str, command: list[str], lines: dict[str, str], golden: dict[str, Any]) -> int:
    """Run the cases through ``command``; return the number of mismatches."""
    import numpy as np

    from bits import np_dtype

    failures = 0
    for name, line in lines.items():
        proc = subprocess.run(command, input=(line + "\n").encode(), capture_output=True, check=False)
        if proc.returncode != 0:
            print(f"{label}: {name}: exit {proc.returncode}: {proc.stderr.decode().strip()}")
            failures += 1
            continue
        digest = hashlib.sha256(proc.stdout).hexdigest()
        want = golden[name]["sha256"]
        n = int(np.prod(golden[name]["shape"]))
        if len(proc.stdout) != n * np_dtype(golden[name]["dtype"]).itemsize or digest != want:
            print(f"{label}: {name}: sha256 {digest[:16]}... != golden {want[:16]}...")
            failures += 1
    print(f"{label}: {len(lines) - failures} of {len(lines)} golden cases equal tests/golden/{golden_file_name()}")
    return failures


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--require", action="store_true", help="fail (instead of skipping) without the aarch64 tools")
    args = p.parse_args(argv)
    import golden_cases

    golden = golden_cases.golden()
    lines = fill_lines()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        native_dir = Path(tmp) / "native"
        native_dir.mkdir()
        failures += check("native (g++)", [str(build("g++", native_dir, []))], lines, golden)
        cross, qemu = shutil.which("aarch64-linux-gnu-g++"), shutil.which("qemu-aarch64")
        if cross is None or qemu is None:
            message = "aarch64: skipped: needs aarch64-linux-gnu-g++ and qemu-aarch64 (Debian: g++-aarch64-linux-gnu qemu-user)"
            print(message)
            return 1 if args.require or failures else 0
        arm_dir = Path(tmp) / "aarch64"
        arm_dir.mkdir()
        exe = build(cross, arm_dir, [])
        failures += check("aarch64 (qemu)", [qemu, str(exe)], lines, golden)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
