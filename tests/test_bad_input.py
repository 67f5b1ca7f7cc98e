"""Bad input gets one of the promised exceptions, before anything is written, and a finite
request never gives a non-finite value (README, "Guarantees"). Each reproducer found by fuzzing
the public API is a test here."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

import weightinit as wi
from weightinit import _arrays
from conftest import DTYPES

# -- a finite request never yields inf ---------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: wi.uniform((8,), 1e200, 1e200),
        lambda: wi.uniform((8,), -4e38, 0.0),
        lambda: wi.uniform((8,), -3e38, 3e38),  # each bound fits, high - low does not
        lambda: wi.uniform((8,), -3e38, 3e38, dtype="bfloat16"),
        lambda: wi.xavier_uniform((2, 2), gain=3.5e38),
        lambda: wi.uniform((3,), -1e308, -1e308, dtype="bfloat16"),
        lambda: wi.uniform((3,), 0.0, 70000.0, dtype="float16"),
        lambda: wi.normal((3,), 0.0, 1e4, dtype="float16"),
        lambda: wi.normal((3,), 3e38, 1e37, dtype="float32"),
        lambda: wi.normal((3,), 0.0, 1e308, dtype="float64"),
        lambda: wi.normal((4, 4), 65000.0, 100.0, dtype="float16"),
        lambda: wi.constant((2,), 70000.0, dtype="float16"),
        lambda: wi.constant((2,), 1e39, dtype="float32"),
        lambda: wi.truncated_normal((3,), 0.0, 1e4, -math.inf, 0.0, dtype="float16"),
        lambda: wi.truncated_normal((3,), 0.0, 1e38, 0.0, math.inf, dtype="float32"),
    ],
)
def test_a_request_whose_values_the_dtype_cannot_hold_is_a_value_error_naming_it(call):
    with pytest.raises(ValueError, match="largest finite value|overflows"):
        call()


@pytest.mark.parametrize("dtype", DTYPES)
def test_requests_at_the_edge_of_the_range_are_finite(dtype):
    top = float(np.finfo(np.float16).max) if dtype == "float16" else 3.0e38
    if dtype == "float64":
        top = 1e300
    assert np.isfinite(wi.uniform((10_000,), -top / 2, top / 2, dtype=dtype, seed=1).astype(np.float64)).all()
    assert np.isfinite(wi.uniform((10_000,), top / 2, top, dtype=dtype, seed=1).astype(np.float64)).all()
    std = top / 10.0  # mean +- 6.77 std stays inside
    assert np.isfinite(wi.normal((10_000,), 0.0, std, dtype=dtype, seed=1).astype(np.float64)).all()


def test_infinite_and_nan_constants_are_given_as_asked():
    assert np.isinf(wi.constant((2,), math.inf, dtype="float16")).all()
    assert np.isnan(wi.constant((2,), math.nan, dtype="bfloat16").astype(np.float32)).all()


# -- no OverflowError: the promised types, naming the argument ----------------------------------


def test_an_int_too_large_for_a_float_is_a_value_error_naming_the_argument():
    with pytest.raises(ValueError, match="mean is an int of 401 digits"):
        wi.normal((6, 6), 10**400, 1.0)
    with pytest.raises(ValueError, match="high"):
        wi.uniform((2,), 0, 10**309)


def test_a_float_in_a_shape_equal_to_a_valid_one_is_still_a_type_error():
    # Found by tests/test_fuzz.py: (2.0, 3) == (2, 3) and hashes the same, so a cache of valid
    # shapes once let it through after (2, 3) had been used; the call then drew its key and failed
    # in the core (advancing a generator passed as seed). Refused up front, nothing drawn.
    wi.lecun_normal((2, 3), seed=0)
    g = wi.default_rng(5)
    state = g.bit_generator.state
    for shape in [(2.0, 3), (np.float64(2.0), 3), (2, 3.0)]:
        with pytest.raises(TypeError, match="shape must contain only ints"):
            wi.lecun_normal(shape, seed=g)
        with pytest.raises(TypeError, match="shape must contain only ints"):
            wi.uniform(shape, seed=0)
    assert g.bit_generator.state == state


def test_an_empty_shape_too_large_to_allocate_fails_before_a_generator_moves():
    # Found in review: the product of (0, 2**64) is 0, so the shape passes; NumPy cannot make
    # the array. The error must come before the key is drawn from a Generator passed as seed.
    g = wi.default_rng(5)
    state = g.bit_generator.state
    for shape in [(0, 2**64), (0, 2**62, 2**62)]:
        with pytest.raises((ValueError, TypeError, OverflowError, MemoryError)):
            wi.uniform(shape, seed=g)
    assert g.bit_generator.state == state
    assert wi.uniform((0, 5), seed=g).shape == (0, 5)  # an allocatable empty shape is fine


@pytest.mark.parametrize("dt, name", [(np.dtype(object), "float64"), (np.dtype(">f4"), "float32"),
                                      (np.dtype("f2"), "bfloat16"), (np.dtype("i4"), "float32"),
                                      (np.dtype("f8"), "float32")])
def test_the_core_refuses_an_array_whose_dtype_is_not_the_one_it_writes(dt, name):
    # The core writes raw floats: an object array would be overwritten pointers (a crash), a
    # swapped or different type silent garbage. Public calls never get there (dtype= is
    # checked first); the core entries check too.
    from weightinit import _core

    with pytest.raises(ValueError, match="not native"):
        _core.fill_new("uniform", dt, name, (3,), (0.0, 1.0), (1, 2))
    with pytest.raises(ValueError, match="not native"):
        _core.fill("uniform", np.zeros(3, dt), name, (0.0, 1.0), (1, 2), 0, (1,))


def test_an_index_beyond_int64_is_an_index_error():
    with pytest.raises(IndexError, match="out of bounds"):
        wi.uniform((8,), index=2**63)
    with pytest.raises(IndexError):
        wi.uniform((8, 8), index=(0, -(2**70)))


def test_a_negative_slope_whose_square_overflows_is_a_value_error():
    with pytest.raises(ValueError, match="negative_slope"):
        wi.kaiming_normal((4, 4), a=-1e308)
    with pytest.raises(ValueError, match="negative_slope"):
        wi.calculate_gain("leaky_relu", 1e200)


# -- fans ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("in_axis, out_axis", [((0, 0), 1), (0, (1, -2)), ((0, 3), 1), (0, 5), (-4, 1)])
def test_a_repeated_or_out_of_range_axis_is_a_value_error(in_axis, out_axis):
    with pytest.raises(ValueError, match="axis"):
        wi.compute_fans((3, 4, 5), in_axis=in_axis, out_axis=out_axis)


# -- out= whose elements share memory ------------------------------------------------------------


def test_an_out_whose_elements_overlap_is_refused_before_anything_is_written():
    base = np.full(16, 7.0, dtype=np.float32)
    overlapping = as_strided(base, shape=(4, 4), strides=(4, 4))
    with pytest.raises(ValueError, match="share memory"):
        wi.he_uniform((4, 4), seed=1, out=overlapping)
    assert (base == 7.0).all()
    with pytest.raises(ValueError, match="share memory"):
        wi.uniform((5,), seed=1, out=as_strided(base, shape=(5,), strides=(2,)))  # half-element steps


@pytest.mark.parametrize(
    "shape, strides",
    [((4, 4), (4, 4)), ((3, 3), (8, 8)), ((2, 3), (4, 4)), ((6,), (0,)), ((2, 2, 2), (16, 4, 8))],
)
def test_self_overlap_is_found_exactly(shape, strides):
    a = as_strided(np.zeros(64, np.float32), shape=shape, strides=strides)
    offsets = {sum(i * s for i, s in zip(idx, strides)) for idx in np.ndindex(*shape)}
    assert _arrays.has_self_overlap(a) == (len(offsets) < math.prod(shape))


@pytest.mark.parametrize(
    "make",
    [
        lambda b: b[::2],
        lambda b: b.reshape(8, 8).T,
        lambda b: b.reshape(4, 16)[:, ::-3],
        lambda b: as_strided(b, shape=(3, 3), strides=(12, 8)),  # interleaved, yet disjoint
    ],
)
def test_views_without_shared_elements_are_accepted_and_filled(make):
    a = make(np.zeros(64, np.float32))
    assert not _arrays.has_self_overlap(a)
    wi.uniform(a.shape, 1.0, 2.0, seed=3, out=a)
    assert ((a >= 1.0) & (a < 2.0)).all()


# -- memory ----------------------------------------------------------------------------------


def test_an_array_larger_than_the_memory_available_now_is_a_memory_error(monkeypatch):
    monkeypatch.setattr(_arrays, "available_memory", lambda: (300 * 2**20, "MemAvailable"))
    with pytest.raises(MemoryError, match=r"0\.29 GiB is available now \(MemAvailable\)"):
        wi.uniform((100 * 2**20,), seed=1)  # 400 MiB of float32
    wi.uniform((50 * 2**20,), seed=1, dtype="float16")  # 100 MiB: below the checked size


def test_available_memory_is_the_smaller_of_meminfo_and_the_cgroup(monkeypatch):
    monkeypatch.setattr(_arrays, "_meminfo_available", lambda: 8 * 2**30)
    monkeypatch.setattr(_arrays, "_cgroup_available", lambda: 2 * 2**30)
    assert _arrays.available_memory() == (2 * 2**30, "cgroup limit")
    monkeypatch.setattr(_arrays, "_cgroup_available", lambda: None)
    assert _arrays.available_memory() == (8 * 2**30, "MemAvailable")


def test_available_memory_reads_this_machine():
    available, source = _arrays.available_memory()
    assert source in ("MemAvailable", "cgroup limit")
    assert 0 < available <= _arrays._physical_memory() * 2


# -- torch out= ------------------------------------------------------------------------------


def test_a_sparse_torch_tensor_as_out_is_a_type_error():
    torch = pytest.importorskip("torch")
    sparse = torch.zeros(4, 4).to_sparse()
    with pytest.raises(TypeError, match="dense"):
        wi.uniform((4, 4), seed=1, out=sparse)


@pytest.mark.parametrize("std, a, b", [(-1e-300, -2.0, 3.0), (-1.0, -2.0, 2.0), (math.nan, -2.0, 2.0), (math.inf, -2.0, 2.0)])
def test_torch_trunc_normal_refuses_what_makes_torch_hang(std, a, b):
    # torch.nn.init.trunc_normal_ never returns with a negative std: the drop-in must raise
    # first. Run in a child process, so that a regression fails in seconds instead of hanging.
    pytest.importorskip("torch")
    code = (
        "import torch, weightinit.torch as wit\n"
        f"try:\n    wit.trunc_normal_(torch.empty(16), 0.0, {std!r}, {a!r}, {b!r})\n"
        "except ValueError as e:\n    print('ValueError', e)\n"
    ).replace("nan", "float('nan')").replace("inf", "float('inf')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout.startswith("ValueError trunc_normal_ needs"), (proc.stdout, proc.stderr)


def test_a_generator_does_not_move_when_a_call_fails_on_its_arguments():
    # Bounds whose shapes do not broadcast with size: checked before anything is drawn (NumPy's
    # own order, which weightinit.Generator keeps).
    g = wi.Generator(np.random.Philox(914))
    before = str(g.bit_generator.state)
    with pytest.raises(ValueError):
        g.uniform(0.001, np.array([7.4, 2.5]), size=39)
    assert str(g.bit_generator.state) == before
