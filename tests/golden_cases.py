"""The cases pinned by tests/golden/v1.json: what a seed gives, which must never change within a
major version (README, "Guarantees"). v1 holds the bits of the first release; a change to them
needs a new major version and a new file, ``python tests/golden_cases.py > tests/golden/v2.json``
with GOLDEN_FILE pointing at it (keep v1.json and its test for the old versions' users).

(v0.json, the bits before any release, was replaced by v1.json when the truncated normals became
independent of the C library's math: nothing released ever made v0's bits.)"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np

import weightinit as wi
from conftest import DTYPES

#: The golden file of this major version.
GOLDEN_FILE = Path(__file__).resolve().parent / "golden" / "v1.json"

SEEDS = [0, 2**32 + 5]
SHAPE = (1000, 67)


def _distribution_cases() -> dict[str, Callable[[], Any]]:
    cases: dict[str, Callable[[], Any]] = {}
    dists = {
        "uniform(-1,2)": lambda **kw: wi.uniform(SHAPE, -1.0, 2.0, **kw),
        "normal(0.5,2)": lambda **kw: wi.normal(SHAPE, 0.5, 2.0, **kw),
        "truncated_normal(0,1,-2,2)": lambda **kw: wi.truncated_normal(SHAPE, 0.0, 1.0, -2.0, 2.0, **kw),
        "truncated_normal(0,1,1,9)": lambda **kw: wi.truncated_normal((64, 67), 0.0, 1.0, 1.0, 9.0, **kw),
        # A mean and a std: float32's fast path computes mean + std * z in float.
        "truncated_normal(0.5,0.02,0.46,0.54)": lambda **kw: wi.truncated_normal(
            (64, 67), 0.5, 0.02, 0.46, 0.54, **kw
        ),
        "constant(0.1)": lambda **kw: wi.constant(SHAPE, 0.1, **kw),
    }
    for name, make in dists.items():
        for dtype in DTYPES:
            for seed in SEEDS:
                cases[f"{name}/{dtype}/seed={seed}"] = (lambda m=make, d=dtype, s=seed: m(dtype=d, seed=s))
    return cases


def _initializer_cases() -> dict[str, Callable[[], Any]]:
    return {
        "glorot_uniform((64,32,3,3))": lambda: wi.glorot_uniform((64, 32, 3, 3), seed=1),
        "glorot_normal((300,200),gain=2)": lambda: wi.glorot_normal((300, 200), gain=2.0, seed=1),
        "he_uniform((128,64),relu)": lambda: wi.he_uniform((128, 64), nonlinearity="relu", seed=1),
        "he_normal((128,64,5),fan_out)": lambda: wi.he_normal((128, 64, 5), mode="fan_out", seed=1),
        "lecun_normal((3,3,16,32),jax)": lambda: wi.lecun_normal((3, 3, 16, 32), layout="jax", seed=1),
        "variance_scaling((3,3,16,32),2,fan_in,truncated,jax)": lambda: wi.variance_scaling(
            (3, 3, 16, 32), 2.0, "fan_in", "truncated_normal", layout="jax", seed=1
        ),
        "he_normal((4096,4096))[1000:1003,::512]/bfloat16": lambda: wi.he_normal(
            (4096, 4096), seed=3, dtype="bfloat16", index=np.s_[1000:1003, ::512]
        ),
    }


def _generator_cases() -> dict[str, Callable[[], Any]]:
    def seq(bg_factory, calls):
        def run():
            g = wi.Generator(bg_factory())
            return np.concatenate([np.atleast_1d(np.asarray(c(g), dtype=np.float64)) for c in calls])
        return run

    return {
        "Philox4x64(7).random_raw(10)": lambda: wi.Philox4x64(7).random_raw(10),
        "Generator(Philox4x64(7)).random+uniform": seq(
            lambda: wi.Philox4x64(7),
            [lambda g: g.random(1001), lambda g: g.random(333, dtype=np.float32), lambda g: g.uniform(-2, 3, 77)],
        ),
        "default_rng(7).standard_normal/float32": lambda: wi.default_rng(7).standard_normal(1000, dtype=np.float32),
        "default_rng(7).normal(1,3)/float64": lambda: wi.default_rng(7).normal(1.0, 3.0, 1000),
        "Philox4x64(7) as seed: normal": lambda: wi.normal((500,), seed=wi.Generator(wi.Philox4x64(7))),
    }


def golden() -> dict[str, Any]:
    """The pinned fingerprints, by case name."""
    return json.loads(GOLDEN_FILE.read_text())["cases"]


def all_cases() -> dict[str, Callable[[], Any]]:
    return {**_distribution_cases(), **_initializer_cases(), **_generator_cases()}


def fingerprint(a: Any) -> dict[str, Any]:
    """First eight values as raw bits (hex) and the SHA-256 of all the bytes."""
    arr = np.ascontiguousarray(np.asarray(a))
    bits = arr.view({2: np.uint16, 4: np.uint32, 8: np.uint64}[arr.dtype.itemsize])
    return {
        "dtype": arr.dtype.name,
        "shape": list(arr.shape),
        "first": [f"{int(b):x}" for b in bits.reshape(-1)[:8]],
        "sha256": hashlib.sha256(arr.tobytes()).hexdigest(),
    }


def main() -> None:
    data = {
        "format": 1,
        "about": "weightinit's pinned bits, v1 (from the first release on): the values every seed must keep within its major version (tests/test_golden.py)",
        "cases": {name: fingerprint(make()) for name, make in all_cases().items()},
    }
    json.dump(data, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
