"""NumPy compatibility of the core's Philox path: weightinit.Generator against
numpy.random.Generator, both on numpy.random.Philox.

Every comparison is exact: values with np.array_equal and the whole bit-generator state
(counter, key, buffer, buffer_pos, has_uint32, uinteger) after every call. The parallel
threshold is 0 here, so every call that the core can make, even of one element, is the core's.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import weightinit as wi
import weightinit.generator

ODD_SIZES = [None, 0, 1, 2, 3, 5, 7, 1000, 100003, (3, 5), (2, 0), (1, 7, 1)]
BIG = 2**20 + 3
U64 = 2**64


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def core_path_for_every_size(monkeypatch):
    monkeypatch.setattr(weightinit.generator, "parallel_threshold", 0)


def normalized_state(bit_generator) -> dict:
    s = bit_generator.state
    return {
        "counter": [int(x) for x in s["state"]["counter"]],
        "key": [int(x) for x in s["state"]["key"]],
        "buffer": [int(x) for x in s["buffer"]],
        "buffer_pos": int(s["buffer_pos"]),
        "has_uint32": int(s["has_uint32"]),
        "uinteger": int(s["uinteger"]),
    }


def assert_same_state(ours, theirs, context="") -> None:
    """Full state equality of two numpy Philox bit generators."""
    ours_state, theirs_state = ours.state, theirs.state
    assert theirs_state["bit_generator"] == ours_state["bit_generator"] == "Philox"
    assert normalized_state(ours) == normalized_state(theirs), context
    assert ours_state["state"]["counter"].dtype == np.uint64
    assert ours_state["buffer"].dtype == np.uint64


def assert_same_values(ours, theirs, size, dtype, context="") -> None:
    if size is None:
        assert not isinstance(ours, np.ndarray) and np.ndim(ours) == 0, context
        assert float(ours) == float(theirs), context
    else:
        assert isinstance(ours, np.ndarray), context
        assert ours.dtype == np.dtype(dtype) and ours.shape == np.shape(theirs), context
        assert np.array_equal(ours, theirs), context


def numpy_pair(seed, counter=None):
    """Two identical numpy Philox bit generators: one for weightinit, one for NumPy."""
    kw = {} if counter is None else {"counter": counter}
    return np.random.Philox(seed, **kw), np.random.Philox(seed, **kw)


def apply(gen, op):
    kind = op[0]
    if kind == "random":
        _, size, dtype = op
        return gen.random(size, dtype=dtype)
    if kind == "uniform":
        _, size, low, high = op
        return gen.uniform(low, high, size)
    if kind == "random_out":
        _, size, dtype = op
        out = np.full(() if size is None else size, -1.0, dtype=dtype)
        result = gen.random(dtype=dtype, out=out)
        assert result is out
        return out
    raise AssertionError(op)


def op_dtype(op):
    return np.float64 if op[0] == "uniform" else op[2]


def op_size(op):
    return op[1] if op[0] != "random_out" else (op[1] if op[1] is not None else ())


def run_and_compare(ours_bg, theirs_bg, ops) -> None:
    ours, theirs = wi.Generator(ours_bg), np.random.Generator(theirs_bg)
    for i, op in enumerate(ops):
        a, b = apply(ours, op), apply(theirs, op)
        context = f"call {i}: {op}"
        assert_same_values(a, b, op_size(op), op_dtype(op), context)
        assert_same_state(ours_bg, theirs_bg, context)


# --- Generator on numpy.random.Philox -------------------------------------------------------------


def interleaved_ops(seed: int) -> list[tuple]:
    ops = []
    for size in ODD_SIZES:
        ops.append(("random", size, np.float64))
        ops.append(("random", size, np.float32))
        ops.append(("uniform", size, -2.5, 7.25))
        ops.append(("random_out", size if size is not None else 4, np.float32))
        ops.append(("random_out", size if size is not None else (), np.float64))
    order = np.random.default_rng(seed).permutation(len(ops))
    return [ops[i] for i in order]


@pytest.mark.parametrize("seed", [0, 1, 12345, 2**63 + 11])
def test_random_and_uniform_match_numpy_philox_after_interleaved_odd_sizes(seed):
    ours_bg, theirs_bg = numpy_pair(seed)
    run_and_compare(ours_bg, theirs_bg, interleaved_ops(seed))


def test_float32_draws_keep_and_use_the_high_half_word_like_numpy():
    # Odd float32 counts leave has_uint32 set; the next float32 draw starts with the kept half,
    # a float64 draw in between neither uses nor clears it.
    ours_bg, theirs_bg = numpy_pair(8)
    ops = [
        ("random", 1, np.float32),
        ("random", None, np.float64),
        ("random", 3, np.float64),
        ("random", 1, np.float32),
        ("random", 5, np.float32),
        ("uniform", 7, 0.0, 1.0),
        ("random", None, np.float32),
        ("random", None, np.float32),
        ("random", 2, np.float32),
    ]
    run_and_compare(ours_bg, theirs_bg, ops)
    assert theirs_bg.state["has_uint32"] == 1  # the sequence ends holding a kept half-word
    run_and_compare(ours_bg, theirs_bg, [("random", 1, np.float32), ("random", None, np.float64)])
    assert theirs_bg.state["has_uint32"] == 0


@pytest.mark.parametrize("pre_float32", [0, 1])
@pytest.mark.parametrize("n", [2, 4, 1000])
def test_float32_draw_ending_on_a_high_half_leaves_uinteger_as_numpy_does(pre_float32, n):
    # NumPy's next_uint32 stores the high half of every fresh word in `uinteger`, also when the
    # same call then consumes it (has_uint32 back to 0): the state dict shows that last half.
    ours_bg, theirs_bg = numpy_pair(0)
    ops = [("random", pre_float32, np.float32), ("random", n + pre_float32, np.float32)]
    run_and_compare(ours_bg, theirs_bg, ops)
    assert theirs_bg.state["has_uint32"] == 0
    last_word = int(np.random.Philox(0).random_raw((n + 2 * pre_float32) // 2)[-1])
    assert normalized_state(ours_bg)["uinteger"] == last_word >> 32


sizes_strategy = st.one_of(
    st.sampled_from([None, 0, 1, 2, 3, 5, 7, 1000]),
    st.integers(0, 70),
    st.sampled_from([100003, (3, 5), (4, 0, 2)]),
)
finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
op_strategy = st.one_of(
    st.tuples(st.just("random"), sizes_strategy, st.sampled_from([np.float64, np.float32])),
    st.builds(lambda size, a, b: ("uniform", size, min(a, b), max(a, b)), sizes_strategy, finite, finite),
    st.tuples(st.just("random_out"), sizes_strategy.filter(lambda s: s is not None), st.sampled_from([np.float64, np.float32])),
)
start_counter = st.one_of(
    st.sampled_from([0, U64 - 3, 2**128 - 2, 2**192 - 1, 2**256 - 5, 2**256 - 1]),
    st.integers(0, 2**256 - 1),
)


@settings(derandomize=True, max_examples=60, deadline=None, database=None)
@given(seed=st.integers(0, 2**64), counter=start_counter, ops=st.lists(op_strategy, min_size=1, max_size=10))
def test_random_call_sequences_match_numpy_philox_values_and_state(seed, counter, ops):
    ours_bg, theirs_bg = numpy_pair(seed, counter=counter)
    run_and_compare(ours_bg, theirs_bg, ops)


@pytest.mark.parametrize("counter", [U64 - 3, U64 - 1, 2**128 - 2, 2**192 - 1, 2**256 - 5, 2**256 - 1])
def test_counter_wraps_and_carries_like_numpy_when_set_through_constructor(counter):
    ours_bg, theirs_bg = numpy_pair(31, counter=counter)
    ops = [
        ("random", 7, np.float64),
        ("random", 3, np.float32),
        ("uniform", 5, -1.0, 1.0),
        ("random", 100003, np.float64),
        ("random", 9, np.float32),
    ]
    run_and_compare(ours_bg, theirs_bg, ops)


@pytest.mark.parametrize("counter", [U64 - 3, 2**128 - 2, 2**256 - 5, 2**256 - 1])
@pytest.mark.parametrize("buffer_pos, has_uint32", [(4, 0), (1, 1), (3, 0), (0, 1)])
def test_counter_wraps_like_numpy_when_set_through_state(counter, buffer_pos, has_uint32):
    ours_bg, theirs_bg = numpy_pair(77)
    words = np.array([(counter >> (64 * i)) & (U64 - 1) for i in range(4)], dtype=np.uint64)
    state = theirs_bg.state
    state["state"]["counter"] = words
    state["buffer"] = np.array([11, 2**63 + 5, U64 - 1, 123456789], dtype=np.uint64)
    state["buffer_pos"] = buffer_pos
    state["has_uint32"] = has_uint32
    state["uinteger"] = 0xDEADBEEF
    ours_bg.state = state
    theirs_bg.state = state
    ops = [
        ("random", 3, np.float32),
        ("random", 2, np.float64),
        ("random", 1001, np.float32),
        ("uniform", 7, 3.0, 4.0),
        ("random", 5, np.float64),
    ]
    run_and_compare(ours_bg, theirs_bg, ops)


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("counter", [0, U64 - 200_000, 2**128 - 200_000, 2**256 - 200_000])
def test_large_draws_match_numpy_on_any_thread_count(threads, counter, restore_threads):
    # 2**20 + 3 values span ~2**18 blocks; counters put the carry or the 2**256 wrap inside a
    # later thread's chunk rather than the first.
    wi.set_num_threads(threads)
    ours_bg, theirs_bg = numpy_pair(2024, counter=counter)
    ops = [
        ("random", 3, np.float32),
        ("random", BIG, np.float64),
        ("random", BIG, np.float32),
        ("uniform", BIG, -0.5, 0.25),
        ("random_out", BIG, np.float64),
    ]
    run_and_compare(ours_bg, theirs_bg, ops)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(), (1,), (7,), (3, 5), (2, 0), (1000, 3)])
def test_random_out_fills_in_place_with_numpys_values(dtype, shape):
    ours_bg, theirs_bg = numpy_pair(5)
    ours, theirs = wi.Generator(ours_bg), np.random.Generator(theirs_bg)
    for _ in range(3):  # successive calls from odd buffer positions
        a = np.full(shape, 7.0, dtype=dtype)
        b = np.full(shape, 7.0, dtype=dtype)
        address = a.__array_interface__["data"][0]
        assert ours.random(dtype=dtype, out=a) is a
        theirs.random(dtype=dtype, out=b)
        assert a.__array_interface__["data"][0] == address
        assert np.array_equal(a, b)
        assert_same_state(ours_bg, theirs_bg)
        # size may be given with out= when it matches
        a2, b2 = np.empty(shape, dtype), np.empty(shape, dtype)
        assert ours.random(shape, dtype=dtype, out=a2) is a2
        theirs.random(shape, dtype=dtype, out=b2)
        assert np.array_equal(a2, b2)
        assert_same_state(ours_bg, theirs_bg)


@pytest.mark.parametrize(
    "low, high", [(0.0, 1.0), (-0.3, 0.7), (1e-300, 2e-300), (-1e300, 1e300), (5.0, 5.0), (0, 10), (np.float32(0.1), 3)]
)
def test_float64_uniform_matches_numpy_for_assorted_ranges(low, high):
    ours_bg, theirs_bg = numpy_pair(9)
    ours, theirs = wi.Generator(ours_bg), np.random.Generator(theirs_bg)
    for size in (None, 3, 1000, 5):
        assert_same_values(ours.uniform(low, high, size), theirs.uniform(low, high, size), size, np.float64)
        assert_same_state(ours_bg, theirs_bg)


@pytest.mark.parametrize(
    "low, high, size",
    [
        (np.array([0.0, 1.0, 2.0]), 5.0, None),
        (np.array([0.0, 1.0, 2.0]), 5.0, (2, 3)),
        (-1.0, np.array([[1.0], [2.0]]), None),
        (np.zeros((2, 1)), np.arange(1.0, 4.0), (5, 2, 3)),
    ],
)
def test_array_low_high_uniform_broadcasts_like_numpy(low, high, size):
    ours_bg, theirs_bg = numpy_pair(17)
    ours, theirs = wi.Generator(ours_bg), np.random.Generator(theirs_bg)
    ours.random(1)
    theirs.random(1)
    a, b = ours.uniform(low, high, size), theirs.uniform(low, high, size)
    assert a.shape == b.shape and a.dtype == b.dtype == np.float64
    assert np.array_equal(a, b)
    assert_same_state(ours_bg, theirs_bg)


def test_uniform_with_high_below_low_raises_value_error_like_numpy():
    with pytest.raises(ValueError):
        np.random.Generator(np.random.Philox(1)).uniform(2.0, 1.0, 3)
    ours_bg = np.random.Philox(1)
    before = normalized_state(ours_bg)
    with pytest.raises(ValueError):
        wi.Generator(ours_bg).uniform(2.0, 1.0, 3)
    assert normalized_state(ours_bg) == before


# --- weightinit.Philox4x64 is numpy.random.Philox; default_rng is NumPy's ---------------------


def test_philox4x64_is_numpys_philox():
    assert wi.Philox4x64 is np.random.Philox


@pytest.mark.parametrize("seed", [3, 2**64 + 1, [5, 6]])
def test_generator_on_philox4x64_equals_numpys_generator_on_philox(seed):
    ours_bg, theirs_bg = wi.Philox4x64(seed), np.random.Philox(seed)
    run_and_compare(ours_bg, theirs_bg, interleaved_ops(len(str(seed))))


@pytest.mark.parametrize("pre_draw", [0, 1, 5])
def test_a_pickled_generator_continues_the_same_stream(pre_draw):
    gen = wi.Generator(np.random.Philox(2021))
    gen.bit_generator.random_raw(pre_draw)
    gen.random(1, dtype=np.float32)  # mid-buffer, with a kept half-word
    clone = pickle.loads(pickle.dumps(gen))
    assert type(clone) is wi.Generator and clone is not gen
    assert normalized_state(clone.bit_generator) == normalized_state(gen.bit_generator)
    assert clone.random(3, dtype=np.float32).tolist() == gen.random(3, dtype=np.float32).tolist()
    assert np.array_equal(clone.random(1001), gen.random(1001))
