"""weightinit on x86-64 CPUs older than the one running the tests: Haswell (AVX2, no AVX-512)
and Nehalem (neither), emulated by qemu-x86_64 (user mode) around this Python. The module must
import (building the kernel tables runs code compiled for each ISA, so only the CPU's own may be
built: an AVX-512 table built at import once killed the process with SIGILL on any CPU without
AVX-512), pick the best ISA the CPU has, and still give NumPy's numbers and the same initializer
bits as the native run. Skipped where qemu-x86_64 is not installed (.ci/run installs qemu-user
and runs this file again)."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys

import numpy as np
import pytest

import weightinit as wi

QEMU = shutil.which("qemu-x86_64") or shutil.which("qemu-x86_64-static")

SCRIPT = r"""
import json, sys
import numpy as np
import weightinit as wi
wi.set_num_threads(2)
same = {}
for bg in (np.random.Philox, np.random.PCG64):
    for name, call in [
        ("standard_exponential", lambda g: g.standard_exponential(70001)),
        ("standard_exponential_f32", lambda g: g.standard_exponential(70001, dtype=np.float32)),
        ("standard_normal", lambda g: g.standard_normal(70001)),
        ("integers", lambda g: g.integers(0, 1000, 70001)),
        ("random", lambda g: g.random(70001)),
    ]:
        a, b = wi.Generator(bg(3)), np.random.Generator(bg(3))
        x, y = call(a), call(b)
        same[f"{bg.__name__}.{name}"] = (x.tobytes() == y.tobytes()
                                         and repr(a.bit_generator.state) == repr(b.bit_generator.state))
init = wi.glorot_normal((300, 257), seed=5, dtype="float32")
print(json.dumps({"isa": wi.get_isa(), "same": same, "init": init.view(np.uint32).sum(dtype=np.uint64).item()}))
"""


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="x86-64 CPU models")
@pytest.mark.skipif(QEMU is None, reason="needs qemu-x86_64 (Debian: qemu-user)")
# .ci/run's sanitizer pass preloads ASan's runtime, whose shadow memory qemu-user cannot host.
@pytest.mark.skipif("libasan" in os.environ.get("LD_PRELOAD", ""), reason="not under AddressSanitizer")
@pytest.mark.parametrize("cpu, isa", [("Haswell", "avx2"), ("Nehalem", "scalar")])
def test_imports_and_gives_numpys_numbers_on_an_older_cpu(cpu, isa):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    env.pop("WEIGHTINIT_ISA", None)
    result = subprocess.run([QEMU, "-cpu", cpu, os.path.realpath(sys.executable), "-c", SCRIPT],
                            capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["isa"] == isa
    assert out["same"] and all(out["same"].values()), out["same"]
    native = wi.glorot_normal((300, 257), seed=5, dtype="float32")
    assert out["init"] == native.view(np.uint32).sum(dtype=np.uint64).item()
