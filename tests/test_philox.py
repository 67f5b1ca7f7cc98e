"""Philox4x32-10 and Philox4x64-10 block functions against Random123's known answers.

The vectors are every 10-round philox4x32/philox4x64 line of Random123's tests/kat_vectors
(KAT_LINES) and tests/old_kat_vectors (OLD_KAT_LINES), commit
9545ff6413f258be2f04c1d319d99aaef7521150, in tests/data/philox_kat_vectors.txt and
tests/data/philox_old_kat_vectors.txt (the files, verbatim, with their source line).
Columns: name rounds CTR[0..3] KEY[0..1] EXPECTED[0..3]; words in hex, word 0 first.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

import weightinit as wi
from conftest import OPENMP


DATA = Path(__file__).resolve().parent / "data"


def _philox_4xw_10_round_lines(filename: str) -> tuple[str, ...]:
    """Every 10-round philox4x32/philox4x64 line of one of Random123's vector files (verbatim)."""
    lines = (DATA / filename).read_text().splitlines()
    return tuple(
        line for line in lines
        if line.split()[:1] in (["philox4x32"], ["philox4x64"]) and line.split()[1] == "10"
    )


KAT_LINES = _philox_4xw_10_round_lines("philox_kat_vectors.txt")
OLD_KAT_LINES = _philox_4xw_10_round_lines("philox_old_kat_vectors.txt")

WIDTHS = {
    "philox4x32": (wi.philox4x32_10, np.uint32, 32),
    "philox4x64": (wi.philox4x64_10, np.uint64, 64),
}


def parse_kat(line: str) -> tuple[str, list[int], list[int], list[int]]:
    fields = line.split()
    name, rounds, words = fields[0], int(fields[1]), [int(w, 16) for w in fields[2:]]
    assert rounds == 10 and len(words) == 10, line
    return name, words[0:4], words[4:6], words[6:10]


ALL_LINES = [("kat", i, line) for i, line in enumerate(KAT_LINES)] + [
    ("old_kat", i, line) for i, line in enumerate(OLD_KAT_LINES)
]
KAT_PARAMS = [pytest.param(line, id=f"{src}{i}-{line.split()[0]}") for src, i, line in ALL_LINES]


def kat_groups(name: str) -> dict[tuple[int, int], list[tuple[list[int], list[int]]]]:
    """The KAT vectors of one width, grouped by key: {key: [(counter, expected), ...]}."""
    groups: dict[tuple[int, int], list[tuple[list[int], list[int]]]] = defaultdict(list)
    for _, _, line in ALL_LINES:
        n, ctr, key, expected = parse_kat(line)
        if n == name:
            groups[tuple(key)].append((ctr, expected))
    return groups


# --- an independent pure-Python Philox, written from the paper's description ------------------

REFERENCE_CONSTANTS = {
    32: (0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85),
    64: (0xD2E7470EE14C6C93, 0xCA5A826395121157, 0x9E3779B97F4A7C15, 0xBB67AE8584CAA73B),
}


def reference_philox(counter, key, bits: int, rounds: int = 10) -> list[int]:
    m0, m1, w0, w1 = REFERENCE_CONSTANTS[bits]
    mask = (1 << bits) - 1
    x = [int(c) for c in counter]
    k0, k1 = (int(k) for k in key)
    for r in range(rounds):
        if r:
            k0, k1 = (k0 + w0) & mask, (k1 + w1) & mask
        p0, p1 = m0 * x[0], m1 * x[2]
        x = [(p1 >> bits) ^ x[1] ^ k0, p1 & mask, (p0 >> bits) ^ x[3] ^ k1, p0 & mask]
    return x


def random_words(rng: np.random.Generator, shape, bits: int) -> np.ndarray:
    dtype = np.uint32 if bits == 32 else np.uint64
    return rng.integers(0, 2**bits - 1, size=shape, dtype=dtype, endpoint=True)


# --- known answers ------------------------------------------------------------------------------


def test_kat_tables_hold_every_10_round_4xW_line():
    names = [parse_kat(line)[0] for _, _, line in ALL_LINES]
    assert names.count("philox4x32") == 3 + 52
    assert names.count("philox4x64") == 3 + 44
    assert len(set(KAT_LINES + OLD_KAT_LINES)) == len(KAT_LINES) + len(OLD_KAT_LINES)


@pytest.mark.parametrize("line", KAT_PARAMS)
def test_block_function_matches_random123_known_answer(line):
    name, ctr, key, expected = parse_kat(line)
    fn, dtype, _ = WIDTHS[name]
    got = fn(np.array([ctr], dtype=dtype), np.array(key, dtype=dtype))
    assert got.dtype == dtype and got.shape == (1, 4)
    assert [int(w) for w in got[0]] == expected
    # A single (4,) counter gives a (4,) block.
    single = fn(np.array(ctr, dtype=dtype), np.array(key, dtype=dtype))
    assert single.dtype == dtype and single.shape == (4,)
    assert [int(w) for w in single] == expected


@pytest.mark.parametrize("line", KAT_PARAMS)
def test_reference_implementation_matches_random123_known_answer(line):
    # Proves the pure-Python reference used below is itself right.
    name, ctr, key, expected = parse_kat(line)
    assert reference_philox(ctr, key, WIDTHS[name][2]) == expected


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_all_kat_counters_in_one_batch_per_key_match_known_answers(name):
    fn, dtype, _ = WIDTHS[name]
    groups = kat_groups(name)
    assert len(groups) >= 4
    for key, cases in groups.items():
        ctrs = np.array([c for c, _ in cases], dtype=dtype)
        got = fn(ctrs, np.array(key, dtype=dtype))
        assert got.shape == (len(cases), 4)
        assert got.tolist() == [e for _, e in cases], f"key {key}"


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_kat_vectors_hold_in_a_large_shuffled_batch_split_across_threads(name, restore_threads):
    # Big enough for the parallel path (several chunks), rows in a random order.
    fn, dtype, _ = WIDTHS[name]
    rng = np.random.default_rng(2024)
    wi.set_num_threads(2)
    for key, cases in kat_groups(name).items():
        rows = rng.integers(0, len(cases), size=40_001)
        ctrs = np.array([c for c, _ in cases], dtype=dtype)[rows]
        expected = np.array([e for _, e in cases], dtype=dtype)[rows]
        got = fn(ctrs, np.array(key, dtype=dtype))
        assert np.array_equal(got, expected), f"key {key}"


# --- against the independent reference ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_block_function_matches_pure_python_reference_on_random_counters_and_keys(name):
    fn, dtype, bits = WIDTHS[name]
    rng = np.random.default_rng(7 + bits)
    top = 2**bits - 1
    for trial in range(12):
        key = random_words(rng, 2, bits)
        ctrs = random_words(rng, (17, 4), bits)
        ctrs[0] = [top, top, top, top]
        ctrs[1] = [0, 0, 0, 0]
        ctrs[2] = [top, 0, top, 0]
        got = fn(ctrs, key)
        expected = [reference_philox(row, key, bits) for row in ctrs]
        assert got.tolist() == expected, f"trial {trial}, key {key.tolist()}"
    for key in ([0, 0], [top, top], [top, 0]):
        ctrs = random_words(rng, (5, 4), bits)
        got = fn(ctrs, np.array(key, dtype=dtype))
        assert got.tolist() == [reference_philox(row, key, bits) for row in ctrs]


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_large_batch_is_identical_on_one_two_and_three_threads(name, restore_threads):
    fn, dtype, bits = WIDTHS[name]
    rng = np.random.default_rng(99)
    n = 100_003
    ctrs = random_words(rng, (n, 4), bits)
    key = random_words(rng, 2, bits)
    results = {}
    for threads in (1, 2, 3):
        wi.set_num_threads(threads)
        assert wi.get_num_threads() == (threads if OPENMP else 1)
        results[threads] = fn(ctrs, key)
    assert np.array_equal(results[1], results[2])
    assert np.array_equal(results[1], results[3])
    # And the common answer is Philox: rows at both ends and around every chunk boundary.
    rows = {0, 1, n - 2, n - 1}
    for parts in (2, 3):
        for p in range(1, parts):
            mid = n * p // parts
            rows.update(range(mid - 20, mid + 20))
    rows.update(int(r) for r in rng.integers(0, n, size=40))
    for r in sorted(rows):
        assert results[2][r].tolist() == reference_philox(ctrs[r], key, bits), f"row {r}"


# --- input handling ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_non_contiguous_and_other_integer_inputs_give_the_same_blocks(name):
    fn, dtype, bits = WIDTHS[name]
    rng = np.random.default_rng(5)
    ctrs = random_words(rng, (10, 4), bits)
    key = random_words(rng, 2, bits)
    expected = fn(ctrs, key)
    # A strided view of every second row.
    wide = np.zeros((20, 4), dtype=dtype)
    wide[::2] = ctrs
    assert np.array_equal(fn(wide[::2], key), expected)
    # A Fortran-ordered copy.
    assert np.array_equal(fn(np.asfortranarray(ctrs), key), expected)
    # Big-endian words.
    swapped = np.dtype(dtype).newbyteorder(">")
    assert np.array_equal(fn(ctrs.astype(swapped), key.astype(swapped)), expected)
    # Smaller signed integers holding non-negative values, and Python ints.
    small = rng.integers(0, 2**31 - 1, size=(3, 4), dtype=np.int64)
    small_key = [12345, 678]
    assert fn(small, small_key).tolist() == [reference_philox(r, small_key, bits) for r in small]
    assert fn(small.tolist(), small_key).tolist() == fn(small, small_key).tolist()


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_block_function_does_not_modify_its_inputs(name):
    fn, dtype, bits = WIDTHS[name]
    rng = np.random.default_rng(6)
    ctrs = random_words(rng, (50, 4), bits)
    key = random_words(rng, 2, bits)
    ctrs_copy, key_copy = ctrs.copy(), key.copy()
    out = fn(ctrs, key)
    assert np.array_equal(ctrs, ctrs_copy) and np.array_equal(key, key_copy)
    assert not np.shares_memory(out, ctrs)


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_empty_batch_gives_empty_result(name):
    fn, dtype, _ = WIDTHS[name]
    got = fn(np.zeros((0, 4), dtype=dtype), np.zeros(2, dtype=dtype))
    assert got.shape == (0, 4) and got.dtype == dtype


@pytest.mark.parametrize("name", sorted(WIDTHS))
@pytest.mark.parametrize("shape", [(), (3,), (5,), (2, 3), (2, 5), (4, 1), (2, 4, 1), (1, 2, 4)])
def test_wrong_counter_shape_raises_value_error(name, shape):
    fn, dtype, _ = WIDTHS[name]
    with pytest.raises(ValueError, match="counter"):
        fn(np.zeros(shape, dtype=dtype), np.zeros(2, dtype=dtype))


@pytest.mark.parametrize("name", sorted(WIDTHS))
@pytest.mark.parametrize("shape", [(), (1,), (3,), (4,), (1, 2), (2, 1), (2, 2)])
def test_wrong_key_shape_raises_value_error(name, shape):
    fn, dtype, _ = WIDTHS[name]
    with pytest.raises(ValueError, match="key"):
        fn(np.zeros((1, 4), dtype=dtype), np.zeros(shape, dtype=dtype))


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_negative_counter_or_key_raises_value_error(name):
    fn, _, _ = WIDTHS[name]
    with pytest.raises(ValueError, match="counter"):
        fn(np.array([[0, 0, 0, -1]], dtype=np.int64), [0, 0])
    with pytest.raises(ValueError, match="counter"):
        fn([[-(2**31), 1, 2, 3]], [0, 0])
    with pytest.raises(ValueError, match="key"):
        fn(np.zeros((1, 4), dtype=np.int64), np.array([1, -1], dtype=np.int8))


def test_counter_or_key_word_too_large_for_32_bits_raises_value_error():
    with pytest.raises(ValueError, match="counter"):
        wi.philox4x32_10(np.array([[2**32, 0, 0, 0]], dtype=np.int64), [0, 0])
    with pytest.raises(ValueError, match="key"):
        wi.philox4x32_10([[0, 0, 0, 0]], np.array([0, 2**32], dtype=np.uint64))


def test_counter_or_key_word_too_large_for_64_bits_is_rejected():
    with pytest.raises((ValueError, TypeError), match="counter"):
        wi.philox4x64_10([[2**64, 0, 0, 0]], [0, 0])
    with pytest.raises((ValueError, TypeError), match="key"):
        wi.philox4x64_10([[0, 0, 0, 0]], [0, 2**70])


@pytest.mark.parametrize("name", sorted(WIDTHS))
@pytest.mark.parametrize("float_dtype", [np.float16, np.float32, np.float64])
def test_float_counter_or_key_raises_type_error_even_when_integral(name, float_dtype):
    fn, dtype, _ = WIDTHS[name]
    with pytest.raises(TypeError, match="counter"):
        fn(np.ones((2, 4), dtype=float_dtype), np.zeros(2, dtype=dtype))
    with pytest.raises(TypeError, match="key"):
        fn(np.ones((2, 4), dtype=dtype), np.ones(2, dtype=float_dtype))


@pytest.mark.parametrize("name", sorted(WIDTHS))
@pytest.mark.parametrize(
    "counter, key",
    [
        ("abcd", [0, 0]),
        ([["a", "b", "c", "d"]], [0, 0]),
        ([[0, 0, 0, 0]], ["a", "b"]),
        ([[0, 0, 0, 0]], [1 + 2j, 0]),
        ([[0, 0, 0, 0]], None),
        (None, [0, 0]),
    ],
)
def test_non_integer_counter_or_key_raises_type_error(name, counter, key):
    fn, _, _ = WIDTHS[name]
    with pytest.raises(TypeError):
        fn(counter, key)
