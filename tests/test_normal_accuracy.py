"""Box-Muller normals against a reference computed independently with Python's math module.

The reference rebuilds every sample from the raw Philox words (weightinit.philox4x32_10, itself
pinned by the Random123 vectors) with exact rational uniforms and math.log/log1p/cos/sin, and
the test bounds the error in units of the radius' ulp: a wrong layout, a wrong quadrant or a
sloppy polynomial gives errors of thousands of ulps or more; the implementation measures < 3
(float32) and < 9 (float64, where the reference's own rounding of the angle dominates).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import weightinit as wi

SEED = 7


def _blocks(n_blocks: int) -> np.ndarray:
    key = np.random.SeedSequence(SEED).generate_state(2, np.uint32)
    ctr = np.zeros((n_blocks, 4), np.uint32)
    ctr[:, 0] = np.arange(n_blocks, dtype=np.uint32)
    return wi.philox4x32_10(ctr, key)


def _radius(word: int, bits: int) -> float:
    # u = (w + 1/2) 2^-bits; log u from the lower or (via log1p) the upper half, as documented.
    if word < 2 ** (bits - 1):
        log_u = math.log(float(Fraction(2 * word + 1, 2 ** (bits + 1))))
    else:
        log_u = math.log1p(-float(Fraction(2 * (2**bits - 1 - word) + 1, 2 ** (bits + 1))))
    return math.sqrt(-2.0 * log_u)


def _reference(dtype: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Reference samples and radii in stream order (groups of 16 blocks)."""
    if dtype == "float32":
        per_group, bits = 64, 32
    else:
        per_group, bits = 32, 64
    blocks = _blocks(n // per_group * 16).astype(object)
    ref = np.empty(n)
    rad = np.empty(n)
    for p in range(n):
        g, r = divmod(p, per_group)
        slot, lane = divmod(r, 16)
        w = blocks[16 * g + lane]
        if bits == 32:
            words = [int(x) for x in w]
        else:
            words = [int(w[0]) | int(w[1]) << 32, int(w[2]) | int(w[3]) << 32]
        even = slot & ~1
        radius = _radius(words[even], bits)
        angle = 2 * math.pi * float(Fraction(words[even + 1], 2**bits))
        ref[p] = radius * (math.sin(angle) if slot & 1 else math.cos(angle))
        rad[p] = radius
    return ref, rad


@pytest.mark.parametrize("dtype, max_ulps", [("float32", 3.0), ("float64", 9.0)])
def test_normal_matches_math_module_box_muller_within_a_few_ulps_of_the_radius(dtype, max_ulps):
    n = 1 << 14
    ref, rad = _reference(dtype, n)
    got = wi.normal((n,), seed=SEED, dtype=dtype).astype(np.float64)
    ulp = np.spacing(rad.astype(dtype)).astype(np.float64)
    err = np.abs(got - ref) / ulp
    assert err.max() <= max_ulps, f"max error {err.max():.1f} ulps at position {err.argmax()}"
