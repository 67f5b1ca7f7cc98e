"""The core's streams of NumPy's Philox, PCG64 and PCG64DXSM, and the Generator methods it fills
in parallel, against NumPy itself.

Every comparison is exact: the values' bytes, and the bit generator's whole state afterwards
(Philox's counter, key, buffer and buffer_pos; the PCGs' 128-bit state and increment; and the
32-bit half-word buffer has_uint32/uinteger of all three). The parallel threshold is 0 here, so
every call the core can make, even of one element, is the core's; thread counts 1, 2 and 3.

The engines' raw words are checked against NumPy's own vector files (tests/data/*-testset-*.csv,
copied from numpy/random/tests/data with their source line).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import weightinit as wi
import weightinit.generator
from weightinit import _core

DATA = Path(__file__).resolve().parent / "data"
BIT_GENERATORS = [np.random.Philox, np.random.PCG64, np.random.PCG64DXSM]
BG_IDS = [c.__name__ for c in BIT_GENERATORS]
THREADS = [1, 2, 3]


@pytest.fixture(autouse=True)
def core_path_for_every_size(monkeypatch):
    monkeypatch.setattr(weightinit.generator, "parallel_threshold", 0)


# --- helpers ------------------------------------------------------------------------------------


def plain_state(bit_generator) -> dict:
    """The state dict with arrays as lists and numbers as ints (comparable with ==)."""

    def plain(v):
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, np.ndarray):
            return [int(x) for x in v]
        return v if isinstance(v, str) else int(v)

    return plain(bit_generator.state)


def assert_identical(got, expected, context="") -> None:
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.dtype == expected.dtype and got.shape == expected.shape, (context, got.dtype, expected.dtype, got.shape)
    a, b = got.reshape(-1).view(np.uint8), expected.reshape(-1).view(np.uint8)
    if not np.array_equal(a, b):
        bad = np.flatnonzero((a != b).reshape(got.size, -1).any(axis=1))
        i = bad[0]
        raise AssertionError(f"{context}: {bad.size} of {got.size} values differ; first at {i}: {got.reshape(-1)[i]!r} != {expected.reshape(-1)[i]!r}")


def pair(cls, seed):
    """Two bit generators in the same state: one for weightinit, one for NumPy."""
    return cls(seed), cls(seed)


def set_threads(n: int) -> None:
    wi.set_num_threads(n)


# Calls that leave the stream in odd places first: a kept half-word, a part-used Philox block.
PRELUDES = {
    "fresh": [],
    "half_kept": [("random", 1, "float32")],
    "block_part_used": [("random", 3, "float64")],
    "both": [("random", 5, "float64"), ("random", 3, "float32")],
}


def run_prelude(gens, name):
    for method, size, dtype in PRELUDES[name]:
        for g in gens:
            getattr(g, method)(size, dtype=dtype)


# (method, args, kwargs) for every accelerated method and dtype; `size` is added by the test.
FLOAT_CASES = [
    ("random", (), {}),
    ("random", (), {"dtype": np.float32}),
    ("uniform", (-2.5, 7.25), {}),
    ("uniform", (3, 3), {}),
    ("standard_normal", (), {}),
    ("standard_normal", (), {"dtype": np.float32}),
    ("normal", (0.25, 3.5), {}),
    ("standard_exponential", (), {}),
    ("standard_exponential", (), {"dtype": np.float32}),
    ("standard_exponential", (), {"method": "inv"}),
    ("standard_exponential", (), {"method": "inv", "dtype": np.float32}),
    ("exponential", (2.5,), {}),
]

INTEGER_DTYPES = ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "bool"]


def integer_ranges(dtype: str) -> list[tuple[int, int]]:
    """Closed ranges [low, high] that take every path of NumPy's bounded integers for dtype: one
    value (no draws), two values, small, rejection-heavy (about half the candidates rejected),
    a dtype's whole range (raw draws), and for 64-bit dtypes the ranges around 2^32 where NumPy
    switches from 32-bit half-words to 64-bit words."""
    if dtype == "bool":
        return [(0, 0), (1, 1), (0, 1)]
    info = np.iinfo(dtype)
    lo, hi, bits = int(info.min), int(info.max), info.bits
    ranges = [(lo, lo), (hi - 1, hi), (lo, lo + 9), (lo, lo + (1 << (bits - 1))), (lo, hi), (lo + 1, hi)]
    if bits == 8:
        ranges += [(0 if lo == 0 else -100, 28)]
    if bits == 64:
        base = 0 if lo == 0 else -(2**31)
        ranges += [(base, base + 2**32 - 1), (base, base + 2**32 - 2), (base, base + 2**32), (base, base + 2**40 + 7)]
    ranges = [(a, min(b, hi)) for a, b in ranges]
    return sorted(set(ranges))


INTEGER_CASES = [(dt, r) for dt in INTEGER_DTYPES for r in integer_ranges(dt)]


def case_id(case) -> str:
    method, args, kwargs = case
    return "-".join([method, *map(str, args), *(f"{k}={getattr(v, '__name__', v)}" for k, v in kwargs.items())])


# --- the engines' words ---------------------------------------------------------------------------


def read_vector_file(name: str) -> tuple[int, list[int]]:
    lines = [ln for ln in (DATA / name).read_text().splitlines() if ln and not ln.startswith("#")]
    seed = int(lines[0].split(",")[1].strip(), 0)
    return seed, [int(ln.split(",")[1].strip(), 0) for ln in lines[1:]]


@pytest.mark.parametrize("cls, stem", [(np.random.Philox, "philox"), (np.random.PCG64, "pcg64"), (np.random.PCG64DXSM, "pcg64dxsm")])
@pytest.mark.parametrize("which", [1, 2])
def test_raw_words_are_numpys_vector_files(cls, stem, which):
    seed, expected = read_vector_file(f"{stem}-testset-{which}.csv")
    assert len(expected) == 1000
    state = cls(seed).state
    words = _core.numpy_words(cls.__name__, state, 0, 1000)
    assert [int(w) for w in words] == expected
    # Any run of words, read directly from its offset.
    for offset, count in [(1, 5), (3, 4), (4, 9), (5, 995), (999, 1), (500, 0)]:
        assert [int(w) for w in _core.numpy_words(cls.__name__, state, offset, count)] == expected[offset : offset + count]
    # The raw fill, from the same state: the words and NumPy's state after random_raw(1000).
    out = np.empty(1000, np.uint64)
    after = _core.numpy_fill(cls.__name__, state, "raw", out)
    assert [int(w) for w in out] == expected
    bg = cls(seed)
    bg.random_raw(1000)
    fresh = cls(seed)
    fresh.state = after
    assert plain_state(fresh) == plain_state(bg)


@pytest.mark.parametrize("cls", BIT_GENERATORS, ids=BG_IDS)
@pytest.mark.parametrize("prelude", list(PRELUDES))
def test_words_at_any_offset_are_numpys_raw_stream(cls, prelude):
    bg = cls(2024)
    run_prelude([np.random.Generator(bg)], prelude)
    state = bg.state
    stream = [int(w) for w in bg.random_raw(40000)]
    for offset in [0, 1, 2, 3, 4, 5, 7, 8, 255, 256, 257, 1023, 12345, 39990]:
        got = _core.numpy_words(cls.__name__, state, offset, 10)
        assert [int(w) for w in got] == stream[offset : offset + 10], offset


@pytest.mark.parametrize("cls", [np.random.PCG64, np.random.PCG64DXSM], ids=["PCG64", "PCG64DXSM"])
def test_pcg_jump_ahead_reaches_far_words_as_numpys_advance_does(cls):
    bg = cls(7)
    state = bg.state
    for offset in [2**20 + 3, 2**40 + 1, 2**63 - 5]:
        far = cls(7)
        far.advance(offset)
        assert [int(w) for w in _core.numpy_words(cls.__name__, state, offset, 3)] == [int(w) for w in far.random_raw(3)]


def test_philox_counter_carries_across_all_four_words_like_numpy():
    for counter in [2**64 - 2, 2**128 - 3, 2**256 - 2]:
        bg = np.random.Philox(5, counter=counter)
        state = bg.state
        assert [int(w) for w in _core.numpy_words("Philox", state, 0, 24)] == [int(w) for w in bg.random_raw(24)]


@pytest.fixture
def restore_isa():
    before = wi.get_isa()
    yield
    wi.set_isa(before)


ISAS = [isa for isa in _core.compiled_isas() if _core.isa_supported(isa)]


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("counter", [0, 2**64 - 7, 2**256 - 9])
def test_philox_words_are_numpys_on_every_instruction_set(isa, counter, restore_isa, restore_threads):
    # Philox blocks are made 8 (AVX-512) or 4 (AVX2) at a time where the CPU can; the low
    # counter word's carry, near 2^64, goes the scalar way.
    wi.set_isa(isa)
    set_threads(2)
    bg = np.random.Philox(9, counter=counter)
    np.random.Generator(bg).random(3)
    state = bg.state
    n = 100_003
    assert np.array_equal(_core.numpy_words("Philox", state, 0, n), bg.random_raw(n))


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("cls", [np.random.PCG64, np.random.PCG64DXSM])
@pytest.mark.parametrize("offset, n", [(0, 63), (0, 64), (3, 65), (0, 100_003), (1_000_003, 4099)])
def test_pcg_words_are_numpys_on_every_instruction_set(isa, cls, offset, n, restore_isa, restore_threads):
    # With AVX-512 whole multiples of 32 words come from 8-lane vectors, each lane 32 LCG steps
    # a step; the rest (and every word on other ISAs) from the scalar chains.
    wi.set_isa(isa)
    set_threads(2)
    bg = cls(2024)
    bg.random_raw(5)
    state = bg.state
    bg.advance(offset)
    assert np.array_equal(_core.numpy_words(cls.__name__, state, offset, n), bg.random_raw(n))


# The methods whose hot loops are compiled per ISA (stream_kernels.cpp), with (method, params).
KERNEL_CASES = [
    ("standard_normal", np.float64, ()),
    ("standard_normal", np.float32, ()),
    ("standard_exponential", np.float64, ()),
    ("standard_exponential", np.float32, ()),
    ("integers", np.uint64, (5, 3 * 2**61)),  # 64-bit candidates, a quarter rejected
    ("integers", np.int64, (2**64 - 7, 2**31)),  # 32-bit candidates to 64-bit values, half rejected
    ("integers", np.int32, (2**32 - 3, 1000)),  # 32-bit candidates and values, off + value wrapping
    ("integers", np.uint16, (7, 40000)),
    ("integers", np.int8, (250, 120)),  # off + value wrapping in 8 bits
]


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("method, dtype, params", KERNEL_CASES, ids=[f"{m}-{np.dtype(d).name}" for m, d, _ in KERNEL_CASES])
@pytest.mark.parametrize("cls", BIT_GENERATORS, ids=BG_IDS)
def test_variable_size_methods_are_numpys_on_every_instruction_set(cls, method, dtype, params, isa, restore_isa, restore_threads):
    wi.set_isa(isa)
    set_threads(2)
    bg = cls(77)
    np.random.Generator(bg).random(1, dtype=np.float32)
    state = bg.state
    n = 200_003
    out = np.empty(n, dtype)
    after = _core.numpy_fill(cls.__name__, state, method, out, params)
    g = np.random.Generator(bg)
    if method == "integers":
        off, rng = params
        bits = 8 * np.dtype(dtype).itemsize
        low = off - (1 << bits) if np.dtype(dtype).kind == "i" and off >> (bits - 1) else off
        expected = g.integers(low, low + rng, n, dtype=dtype, endpoint=True)
    else:
        expected = getattr(g, method)(n, dtype=dtype)
    assert_identical(out, expected)
    ours = cls()
    ours.state = after
    assert plain_state(ours) == plain_state(bg)


# --- every method, dtype and bit generator against NumPy ---------------------------------------------

SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 1001, 65539]


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("case", FLOAT_CASES, ids=case_id)
@pytest.mark.parametrize("cls", BIT_GENERATORS, ids=BG_IDS)
def test_float_methods_give_numpys_values_and_state(cls, case, threads, restore_threads):
    set_threads(threads)
    method, args, kwargs = case
    for prelude in PRELUDES:
        ours_bg, theirs_bg = pair(cls, 99)
        ours, theirs = wi.Generator(ours_bg), np.random.Generator(theirs_bg)
        run_prelude([ours, theirs], prelude)
        for size in SIZES:
            context = f"{prelude}, size {size}"
            assert_identical(getattr(ours, method)(*args, size=size, **kwargs), getattr(theirs, method)(*args, size=size, **kwargs), context)
            assert plain_state(ours_bg) == plain_state(theirs_bg), context


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("dtype, bounds", INTEGER_CASES, ids=[f"{d}-{a}-{b}" for d, (a, b) in INTEGER_CASES])
@pytest.mark.parametrize("cls", BIT_GENERATORS, ids=BG_IDS)
def test_integers_give_numpys_values_and_state(cls, dtype, bounds, threads, restore_threads):
    set_threads(threads)
    low, high = bounds
    for prelude in ["fresh", "half_kept", "both"]:
        ours_bg, theirs_bg = pair(cls, 5)
        ours, theirs = wi.Generator(ours_bg), np.random.Generator(theirs_bg)
        run_prelude([ours, theirs], prelude)
        for size in [1, 2, 3, 5, 9, 33, 1001, 65539]:
            for endpoint in (True, False):
                hi = high if endpoint else high + 1
                context = f"{prelude}, size {size}, endpoint {endpoint}"
                assert_identical(
                    ours.integers(low, hi, size, dtype=dtype, endpoint=endpoint),
                    theirs.integers(low, hi, size, dtype=dtype, endpoint=endpoint),
                    context,
                )
                assert plain_state(ours_bg) == plain_state(theirs_bg), context


@pytest.mark.parametrize("cls", BIT_GENERATORS, ids=BG_IDS)
def test_integers_accept_numpys_ways_of_giving_bounds_and_dtypes(cls):
    calls = [
        ((10,), {"size": 100}),
        ((np.int8(-3), np.uint16(300)), {"size": 100, "dtype": "i2"}),
        ((0, 2**64), {"size": 100, "dtype": np.uint64}),
        ((2**63 - 5, 2**63 - 1), {"size": 100, "dtype": "int64", "endpoint": True}),
        ((5,), {"size": (4, 25), "dtype": int}),
        ((0, 2), {"size": 100, "dtype": np.bool_}),
        ((1, 2), {"size": 100, "dtype": bool}),
        ((0, 1), {"size": 100, "dtype": bool, "endpoint": 1}),
        ((-(2**31), 2**31), {"size": 100, "dtype": np.intc}),
    ]
    ours_bg, theirs_bg = pair(cls, 3)
    ours, theirs = wi.Generator(ours_bg), np.random.Generator(theirs_bg)
    for args, kwargs in calls:
        a, b = ours.integers(*args, **kwargs), theirs.integers(*args, **kwargs)
        assert_identical(a, b, f"{args} {kwargs}")
        assert a.dtype.char == b.dtype.char
        assert plain_state(ours_bg) == plain_state(theirs_bg)


@pytest.mark.parametrize("cls", BIT_GENERATORS, ids=BG_IDS)
def test_bad_arguments_raise_numpys_errors_and_leave_the_state(cls):
    calls = [
        ("integers", (5, 5, 1000), {}),
        ("integers", (0, 300, 1000), {"dtype": np.uint8}),
        ("integers", (-1, 3, 1000), {"dtype": np.uint64}),
        ("integers", (0, 10, 1000), {"dtype": np.float64}),
        ("integers", (0, 10, 1000), {"dtype": ">i8"}),
        ("normal", (0.0, -1.0, 1000), {}),
        ("normal", (0.0, -0.0, 1000), {}),
        ("exponential", (-2.0, 1000), {}),
        ("uniform", (1.0, 0.0, 1000), {}),
        ("uniform", (0.0, -0.0, 1000), {}),
        ("uniform", (0.0, np.inf, 1000), {}),
        ("uniform", (-1e308, 1e308, 1000), {}),
        ("random", (1000,), {"dtype": np.int32}),
        ("standard_normal", (1000,), {"dtype": np.float16}),
        ("standard_exponential", (1000,), {"dtype": ">f8"}),
        ("random", (-1,), {}),
        ("random", (), {"out": np.empty(10, np.float32)}),
        ("standard_normal", (), {"out": np.empty(20)[::2]}),
    ]
    ours_bg, theirs_bg = pair(cls, 4)
    ours, theirs = wi.Generator(ours_bg), np.random.Generator(theirs_bg)
    for method, args, kwargs in calls:
        with pytest.raises(Exception) as theirs_error:
            getattr(theirs, method)(*args, **kwargs)
        with pytest.raises(theirs_error.type) as ours_error:
            getattr(ours, method)(*args, **kwargs)
        assert str(ours_error.value) == str(theirs_error.value)
        assert plain_state(ours_bg) == plain_state(theirs_bg)


@pytest.mark.parametrize("cls", BIT_GENERATORS, ids=BG_IDS)
@pytest.mark.parametrize("scale", [np.nan, np.inf, 0.0, 1e-300])
def test_normal_and_exponential_take_numpys_unusual_scales(cls, scale):
    ours_bg, theirs_bg = pair(cls, 6)
    ours, theirs = wi.Generator(ours_bg), np.random.Generator(theirs_bg)
    assert_identical(ours.normal(1.0, scale, 1000), theirs.normal(1.0, scale, 1000))
    assert_identical(ours.exponential(scale, 1000), theirs.exponential(scale, 1000))
    assert plain_state(ours_bg) == plain_state(theirs_bg)


@pytest.mark.parametrize("cls", BIT_GENERATORS, ids=BG_IDS)
@pytest.mark.parametrize("method", ["random", "standard_normal", "standard_exponential"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("order", ["C", "F"])
def test_out_is_filled_in_memory_order_like_numpy(cls, method, dtype, order):
    ours_bg, theirs_bg = pair(cls, 8)
    ours, theirs = wi.Generator(ours_bg), np.random.Generator(theirs_bg)
    a, b = np.empty((301, 7), dtype, order=order), np.empty((301, 7), dtype, order=order)
    assert getattr(ours, method)(dtype=dtype, out=a) is a
    getattr(theirs, method)(dtype=dtype, out=b)
    assert_identical(a, b)
    assert plain_state(ours_bg) == plain_state(theirs_bg)


# --- the ziggurat in parallel -------------------------------------------------------------------

ZIGGURAT_CASES = [
    ("standard_normal", np.float64),
    ("standard_normal", np.float32),
    ("standard_exponential", np.float64),
    ("standard_exponential", np.float32),
]


def philox_units_consumed(before: dict, after: dict, unit_bits: int) -> int:
    """Units (words or half-words) a call took from a Philox stream that started on a block
    boundary with no kept half-word: read from the counter, buffer_pos and has_uint32."""
    c0 = sum(int(w) << (64 * k) for k, w in enumerate(before["state"]["counter"]))
    c1 = sum(int(w) << (64 * k) for k, w in enumerate(after["state"]["counter"]))
    assert before["buffer_pos"] == 4 and before["has_uint32"] == 0
    words = 4 * (c1 - c0) - (4 - int(after["buffer_pos"]))
    return words if unit_bits == 64 else 2 * words - int(after["has_uint32"])


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("method, dtype", ZIGGURAT_CASES)
@pytest.mark.parametrize("cls", BIT_GENERATORS, ids=BG_IDS)
def test_a_million_ziggurat_samples_with_many_wedge_and_tail_paths_are_numpys(cls, method, dtype, threads, restore_threads):
    # About 2% of samples take the wedge or tail paths (two units or more, exp/log1p): 10^6
    # samples hold ~20000 of them and ~250 tail samples (|x| beyond the ziggurat's r).
    set_threads(threads)
    n = 1_000_000
    ours_bg, theirs_bg = pair(cls, 31415)
    ours, theirs = wi.Generator(ours_bg), np.random.Generator(theirs_bg)
    before = ours_bg.state
    a = getattr(ours, method)(n, dtype=dtype)
    assert_identical(a, getattr(theirs, method)(n, dtype=dtype))
    assert plain_state(ours_bg) == plain_state(theirs_bg)
    tail = 3.6541528853610087 if method == "standard_normal" else 7.69711747013105
    assert np.count_nonzero(np.abs(a) > tail) > 50
    if cls is np.random.Philox:
        extra = philox_units_consumed(before, ours_bg.state, 8 * np.dtype(dtype).itemsize) - n
        assert extra > n // 100  # units beyond one per sample: the rare paths, many times


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("cls", BIT_GENERATORS, ids=BG_IDS)
def test_normal_and_exponential_of_a_million_are_numpys(cls, threads, restore_threads):
    set_threads(threads)
    ours_bg, theirs_bg = pair(cls, 2718)
    ours, theirs = wi.Generator(ours_bg), np.random.Generator(theirs_bg)
    ours.random(3, dtype=np.float32)
    theirs.random(3, dtype=np.float32)
    assert_identical(ours.normal(-1.5, 0.125, 1_000_003), theirs.normal(-1.5, 0.125, 1_000_003))
    assert_identical(ours.exponential(3.0, 999_999), theirs.exponential(3.0, 999_999))
    assert plain_state(ours_bg) == plain_state(theirs_bg)


@pytest.mark.parametrize("segment_units", [1, 2, 3, 5, 8, 1000, 4096])
@pytest.mark.parametrize("method, dtype", ZIGGURAT_CASES)
@pytest.mark.parametrize("cls", BIT_GENERATORS, ids=BG_IDS)
def test_ziggurat_parsed_in_segments_that_start_inside_samples_is_numpys(cls, method, dtype, segment_units):
    # The speculative parallel parse: each segment of the stream is parsed from its own start,
    # a guessed sample boundary, then corrected from the previous segment's true end. With
    # segments of 1, 2, 3 ... units, segment starts land inside every multi-unit sample (a wedge
    # or tail sample), so every correction path runs; the values and state are still NumPy's.
    n = 100_000 if segment_units >= 1000 else 20_000
    bg = cls(161803)
    np.random.Generator(bg).random(1, dtype=np.float32)
    state = bg.state
    out = np.empty(n, dtype)
    after = _core.numpy_fill(cls.__name__, state, method, out, (), segment_units=segment_units)
    expected = getattr(np.random.Generator(bg), method)(n, dtype=dtype)
    assert_identical(out, expected)
    ours = cls()
    ours.state = after
    assert plain_state(ours) == plain_state(bg)


@pytest.mark.parametrize("segment_units", [1, 2, 3, 7, 4096])
@pytest.mark.parametrize(
    "dtype, low, high",
    [("uint8", 0, 129), ("int16", -5, 32768), ("uint32", 0, 2**31 + 1), ("int64", -1, 2**31), ("uint64", 0, 2**63 + 1), ("bool", 0, 2)],
)
@pytest.mark.parametrize("cls", BIT_GENERATORS, ids=BG_IDS)
def test_rejection_heavy_integers_parsed_in_small_segments_are_numpys(cls, dtype, low, high, segment_units):
    # About half the candidates are rejected in these ranges: runs of rejections cross segments.
    n = 20_000
    bg = cls(4)
    np.random.Generator(bg).random(1, dtype=np.float32)
    state = bg.state
    expected = np.random.Generator(bg).integers(low, high, n, dtype=dtype)
    bits = 8 * np.dtype(dtype).itemsize
    out = np.empty(n, dtype)
    after = _core.numpy_fill(cls.__name__, state, "integers", out, (low % 2**bits, high - 1 - low), segment_units=segment_units)
    assert_identical(out, expected)
    ours = cls()
    ours.state = after
    assert plain_state(ours) == plain_state(bg)


# --- random call sequences --------------------------------------------------------------------------

size_strategy = st.one_of(st.integers(1, 40), st.sampled_from([100, 1023, 4096, 70001]), st.just((3, 5)))
float_op = st.tuples(st.sampled_from(range(len(FLOAT_CASES))), size_strategy)
span_strategy = st.one_of(st.integers(0, 300), st.sampled_from([2**15, 2**31, 2**32 - 2, 2**32 - 1, 2**32, 2**63]), st.integers(0, 2**64))
int_op = st.tuples(st.sampled_from(INTEGER_DTYPES), st.integers(0, 2**64), span_strategy, st.booleans(), size_strategy)
op_strategy = st.one_of(float_op.map(lambda t: ("float", *t)), int_op.map(lambda t: ("int", *t)))


def apply(gen, op):
    if op[0] == "float":
        _, k, size = op
        method, args, kwargs = FLOAT_CASES[k]
        return getattr(gen, method)(*args, size=size, **kwargs)
    _, dtype, at, span, endpoint, size = op
    lo, hi = (0, 1) if dtype == "bool" else (int(np.iinfo(dtype).min), int(np.iinfo(dtype).max))
    low = lo + at % (hi - lo + 1)
    high = min(low + span, hi)  # the closed upper bound
    return gen.integers(low, high if endpoint else high + 1, size, dtype=dtype, endpoint=endpoint)


@settings(derandomize=True, max_examples=80, deadline=None, database=None)
@given(
    cls=st.sampled_from(BIT_GENERATORS),
    seed=st.integers(0, 2**64),
    threads=st.sampled_from(THREADS),
    ops=st.lists(op_strategy, min_size=1, max_size=8),
)
def test_random_call_sequences_give_numpys_values_and_state(cls, seed, threads, ops):
    before = wi.get_num_threads()
    set_threads(threads)
    try:
        ours_bg, theirs_bg = pair(cls, seed)
        ours, theirs = wi.Generator(ours_bg), np.random.Generator(theirs_bg)
        for i, op in enumerate(ops):
            assert_identical(apply(ours, op), apply(theirs, op), f"call {i}: {op}")
            assert plain_state(ours_bg) == plain_state(theirs_bg), f"call {i}: {op}"
    finally:
        set_threads(before)
