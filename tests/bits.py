"""Shared test helpers: comparing arrays bit for bit, and the dtypes by name."""

from __future__ import annotations

import ml_dtypes
import numpy as np

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
