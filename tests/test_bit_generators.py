"""Philox4x32 stream semantics, seeding, state, thread safety and Generator argument checks.

Philox4x32's stream is defined through the raw block function (itself KAT-tested): block b of a
generator with key k started at counter c is philox4x32_10(c + b, k), b = 1, 2, ... (the 128-bit
counter is incremented before each block), and words leave a block as v[0..3].
"""

from __future__ import annotations

import pickle
import threading

import numpy as np
import pytest

import weightinit as wi

U128 = 2**128
BIG = 2**20 + 3


# --- the expected stream, from the raw block function -------------------------------------------


def counter_words(start: int, blocks: int) -> np.ndarray:
    """(blocks, 4) uint32 words of the 128-bit counters start, start+1, ... (mod 2**128)."""
    lo0 = np.uint64(start & (2**64 - 1))
    hi0 = np.uint64((start >> 64) & (2**64 - 1))
    step = np.arange(blocks, dtype=np.uint64)
    lo = lo0 + step  # wraps mod 2**64
    hi = hi0 + (lo < lo0).astype(np.uint64)
    out = np.empty((blocks, 4), dtype=np.uint32)
    out[:, 0] = lo & np.uint64(0xFFFFFFFF)
    out[:, 1] = lo >> np.uint64(32)
    out[:, 2] = hi & np.uint64(0xFFFFFFFF)
    out[:, 3] = hi >> np.uint64(32)
    return out


def expected_words(key, n_words: int, counter: int = 0) -> np.ndarray:
    """The first n_words raw words of a Philox4x32 stream whose counter starts at ``counter``."""
    blocks = -(-n_words // 4)
    ctrs = counter_words((counter + 1) % U128, blocks)
    return wi.philox4x32_10(ctrs, np.asarray(key, dtype=np.uint32)).reshape(-1)[:n_words]


def seed_key(seed) -> np.ndarray:
    return np.random.SeedSequence(seed).generate_state(2, np.uint32)


def as_float32(words: np.ndarray) -> np.ndarray:
    return ((words >> np.uint32(8)).astype(np.float32) * np.float32(2.0**-24)).astype(np.float32)


def as_float64(words: np.ndarray) -> np.ndarray:
    lo = words[0::2].astype(np.uint64)
    hi = words[1::2].astype(np.uint64)
    return ((lo | (hi << np.uint64(32))) >> np.uint64(11)).astype(np.float64) * 2.0**-53


def state_of(bg) -> dict:
    s = bg.state
    return {
        "bit_generator": s["bit_generator"],
        "counter": [int(x) for x in s["state"]["counter"]],
        "key": [int(x) for x in s["state"]["key"]],
        "buffer": [int(x) for x in s["buffer"]],
        "buffer_pos": int(s["buffer_pos"]),
        "has_uint32": int(s["has_uint32"]),
        "uinteger": int(s["uinteger"]),
    }


def split_words(value: int) -> list[int]:
    return [(value >> (32 * i)) & 0xFFFFFFFF for i in range(4)]


def expected_state_after(key, consumed: int, counter: int = 0) -> dict:
    """Philox4x32's state after ``consumed`` words from a fresh generator at ``counter``."""
    key = [int(k) for k in key]
    if consumed == 0:
        return {"bit_generator": "Philox4x32", "counter": split_words(counter), "key": key,
                "buffer": [0, 0, 0, 0], "buffer_pos": 4, "has_uint32": 0, "uinteger": 0}
    blocks = -(-consumed // 4)
    last = (counter + blocks) % U128
    buffer = wi.philox4x32_10(np.array(split_words(last), dtype=np.uint32), np.array(key, dtype=np.uint32))
    return {"bit_generator": "Philox4x32", "counter": split_words(last), "key": key,
            "buffer": [int(w) for w in buffer], "buffer_pos": consumed - 4 * (blocks - 1),
            "has_uint32": 0, "uinteger": 0}


# --- Philox4x32 stream ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2**40 + 17, [3, 1, 4, 1, 5]])
def test_philox4x32_random_raw_is_philox4x32_10_of_counters_1_2_3_under_the_seed_key(seed):
    bg = wi.Philox4x32(seed)
    key = seed_key(seed)
    assert state_of(bg)["key"] == [int(k) for k in key]
    got = bg.random_raw(4 * 37 + 3)
    assert got.dtype == np.uint32
    assert np.array_equal(got, expected_words(key, 4 * 37 + 3))
    # Block by block, from the raw function directly.
    blocks = wi.philox4x32_10(np.array([[1, 0, 0, 0], [2, 0, 0, 0], [3, 0, 0, 0]], dtype=np.uint32), key)
    assert np.array_equal(got[:12], blocks.reshape(-1))


@pytest.mark.parametrize("sizes", [[1, 2, 3, 5, 7, 0, 1000, None, 4, 13], [None, None, None, None, None, 3, 1], [0, 4, 8, 1, 3]])
def test_philox4x32_buffer_carries_words_across_odd_sized_calls(sizes):
    bg = wi.Philox4x32(99)
    key = seed_key(99)
    pieces, consumed = [], 0
    for size in sizes:
        got = bg.random_raw(size)
        if size is None:
            assert isinstance(got, int)
            got = np.array([got], dtype=np.uint32)
        pieces.append(got.reshape(-1))
        consumed += got.size
        assert state_of(bg) == expected_state_after(key, consumed), f"after {consumed} words"
    assert np.array_equal(np.concatenate(pieces), expected_words(key, consumed))


def test_philox4x32_random_raw_keeps_shape_and_output_false_still_consumes_words():
    bg = wi.Philox4x32(5)
    key = seed_key(5)
    a = bg.random_raw((2, 3))
    assert a.shape == (2, 3) and a.dtype == np.uint32
    assert bg.random_raw(3, output=False) is None
    b = bg.random_raw(2)
    assert np.array_equal(np.concatenate([a.reshape(-1), b]), np.delete(expected_words(key, 11), [6, 7, 8]))


def test_philox4x32_floats_are_built_from_consecutive_words():
    bg = wi.Philox4x32(21)
    gen = wi.Generator(bg)
    key = seed_key(21)
    calls = [("f32", 3), ("f64", 5), ("f32", None), ("f64", 2), ("raw", 1), ("f64", None), ("f32", 7),
             ("u64", 3), ("u32", 5), ("f64", 0), ("f32", 1000), ("f64", 1001)]
    words_needed = {"f32": 1, "f64": 2, "raw": 1, "u64": 2, "u32": 1}
    total = sum(words_needed[k] * (1 if n is None else n) for k, n in calls)
    stream = expected_words(key, total)
    pos = 0
    for kind, n in calls:
        count = 1 if n is None else n
        w = stream[pos: pos + words_needed[kind] * count]
        pos += w.size
        if kind == "f32":
            got, expected = gen.random(n, dtype=np.float32), as_float32(w)
        elif kind == "f64":
            got, expected = gen.random(n), as_float64(w)
        elif kind == "raw":
            got, expected = bg.random_raw(n), w
        elif kind == "u64":  # float64 uniform: low + (high - low) * u, two float64 roundings
            got, expected = gen.uniform(-3.0, 4.5, n), np.float64(-3.0) + np.float64(7.5) * as_float64(w)
        else:  # float32 uniform: float32(low) + float32(high - low) * u32
            got = gen.uniform(0.1, 0.9, n, dtype=np.float32)
            expected = np.float32(0.1) + np.float32(0.9 - 0.1) * as_float32(w)
        if n is None:
            assert not isinstance(got, np.ndarray)
            assert float(got) == float(expected[0]), kind
        else:
            assert got.dtype == expected.dtype and np.array_equal(got, expected), f"{kind} {n}"
        assert state_of(bg) == expected_state_after(key, pos), f"{kind} {n}"


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("counter", [0, 2**32 - 100_000, 2**64 - 300_000, U128 - 200_000])
def test_philox4x32_large_draws_equal_the_block_function_on_any_thread_count(threads, counter, restore_threads):
    # 2**20 + 3 floats from an odd buffer position; carries and the 2**128 wrap fall inside a
    # later thread's chunk.
    wi.set_num_threads(threads)
    bg = wi.Philox4x32(8, counter=counter)
    gen = wi.Generator(bg)
    key = seed_key(8)
    first = bg.random_raw(3)
    f64 = gen.random(BIG)
    f32 = gen.random(BIG, dtype=np.float32)
    u32 = gen.uniform(-2.0, 2.0, BIG, dtype=np.float32)
    total = 3 + 2 * BIG + 2 * BIG
    stream = expected_words(key, total, counter)
    assert np.array_equal(first, stream[:3])
    assert np.array_equal(f64, as_float64(stream[3: 3 + 2 * BIG]))
    assert np.array_equal(f32, as_float32(stream[3 + 2 * BIG: 3 + 3 * BIG]))
    assert np.array_equal(u32, np.float32(-2.0) + np.float32(4.0) * as_float32(stream[3 + 3 * BIG:]))
    assert state_of(bg) == expected_state_after(key, total, counter)


def test_philox4x32_counter_wraps_at_2_to_the_128():
    key = seed_key(3)
    bg = wi.Philox4x32(3, counter=U128 - 3)
    got = bg.random_raw(4 * 6)
    counters = np.array([split_words(c % U128) for c in range(U128 - 2, U128 + 4)], dtype=np.uint32)
    assert np.array_equal(got, wi.philox4x32_10(counters, key).reshape(-1))
    assert state_of(bg)["counter"] == [3, 0, 0, 0]


@pytest.mark.parametrize("pre_draw", [0, 1, 4, 6])
@pytest.mark.parametrize("delta", [0, 1, 5, 2**32 + 1, 2**64 - 1, 2**100 + 3, U128 - 1, U128 + 2])
def test_philox4x32_advance_skips_blocks_and_resets_the_buffer(pre_draw, delta):
    bg = wi.Philox4x32(4)
    key = seed_key(4)
    bg.random_raw(pre_draw)
    start = -(-pre_draw // 4)  # the counter after pre_draw words
    assert bg.advance(delta) is bg
    target = (start + delta) % U128
    assert state_of(bg) == expected_state_after(key, 0, target)
    assert np.array_equal(bg.random_raw(9), expected_words(key, 9, target))


def test_philox4x32_advance_by_negative_delta_wraps_modulo_2_128_like_numpy():
    bg = wi.Philox4x32(4)
    key = seed_key(4)
    bg.advance(-3)
    assert state_of(bg) == expected_state_after(key, 0, U128 - 3)
    assert np.array_equal(bg.random_raw(9), expected_words(key, 9, U128 - 3))


def test_philox4x32_advance_rejects_non_int_delta():
    bg = wi.Philox4x32(4)
    before = state_of(bg)
    for bad in (1.5, "3", None, True):
        with pytest.raises(TypeError):
            bg.advance(bad)
    assert state_of(bg) == before


@pytest.mark.parametrize("jumps", [0, 1, 2, 2**64 - 1, 2**64 + 3])
def test_philox4x32_jumped_moves_2_to_the_64_blocks_and_leaves_the_original_alone(jumps):
    bg = wi.Philox4x32(6, counter=2**64 - 2)
    key = seed_key(6)
    bg.random_raw(5)
    before = state_of(bg)
    start = 2**64 - 2 + 2
    j = bg.jumped(jumps)
    assert type(j) is wi.Philox4x32 and j is not bg
    target = (start + jumps * 2**64) % U128
    assert state_of(j) == expected_state_after(key, 0, target)
    assert np.array_equal(j.random_raw(7), expected_words(key, 7, target))
    assert state_of(bg) == before
    default = bg.jumped()
    assert state_of(default)["counter"] == split_words((start + 2**64) % U128)


def test_philox4x32_spawn_gives_distinct_streams_equal_to_philox4x32_of_child_seed_sequences():
    bg = wi.Philox4x32(1234)
    children = bg.spawn(3)
    reference = np.random.SeedSequence(1234).spawn(3)
    streams = []
    for child, ss in zip(children, reference):
        assert type(child) is wi.Philox4x32
        assert child.seed_seq.spawn_key == ss.spawn_key and child.seed_seq.entropy == ss.entropy
        words = child.random_raw(64)
        assert np.array_equal(words, wi.Philox4x32(ss).random_raw(64))
        assert np.array_equal(words, expected_words(ss.generate_state(2, np.uint32), 64))
        streams.append(words.tobytes())
    streams.append(bg.random_raw(64).tobytes())
    assert len(set(streams)) == 4
    # A second spawn continues the numbering instead of repeating the first children.
    again = bg.spawn(1)[0]
    assert again.seed_seq.spawn_key == (3,)
    assert again.random_raw(64).tobytes() not in streams


def test_generator_spawn_wraps_spawned_bit_generators():
    gen = wi.Generator(wi.Philox4x32(77))
    kids = gen.spawn(2)
    ref = np.random.SeedSequence(77).spawn(2)
    for kid, ss in zip(kids, ref):
        assert isinstance(kid, wi.Generator) and type(kid.bit_generator) is wi.Philox4x32
        assert np.array_equal(kid.random(5), wi.Generator(wi.Philox4x32(ss)).random(5))


def test_spawn_from_an_explicit_key_raises():
    with pytest.raises((TypeError, ValueError)):
        wi.Philox4x32(key=[1, 2]).spawn(1)
    with pytest.raises((TypeError, ValueError)):
        wi.Philox4x32(1).spawn(-1)


# --- state -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls, word", [(wi.Philox4x32, np.uint32), (wi.Philox4x64, np.uint64)])
def test_state_round_trip_restores_the_stream(cls, word):
    bg = cls(31)
    gen = wi.Generator(bg)
    bg.random_raw(3)
    gen.random(1, dtype=np.float32)
    saved = bg.state
    assert saved["bit_generator"] == cls.__name__
    assert saved["state"]["counter"].dtype == word and saved["state"]["counter"].shape == (4,)
    assert saved["state"]["key"].dtype == word and saved["state"]["key"].shape == (2,)
    assert saved["buffer"].dtype == word and saved["buffer"].shape == (4,)
    assert set(saved) == {"bit_generator", "state", "buffer", "buffer_pos", "has_uint32", "uinteger"}
    first = (gen.random(7, dtype=np.float32), bg.random_raw(5), gen.random(1001))
    bg.state = saved
    second = (gen.random(7, dtype=np.float32), bg.random_raw(5), gen.random(1001))
    for a, b in zip(first, second):
        assert np.array_equal(a, b)
    # The state moves a stream to another generator (different seed) too.
    other = cls(999)
    other.state = saved
    assert np.array_equal(wi.Generator(other).random(7, dtype=np.float32), first[0])
    # The dict handed out is a copy: changing it does not change the generator.
    before = state_of(bg)
    snapshot = bg.state
    snapshot["state"]["counter"][0] += 1
    snapshot["state"]["key"][0] += 1
    snapshot["buffer"][0] += 1
    assert state_of(bg) == before


def test_pickled_philox4x32_continues_the_same_stream():
    bg = wi.Philox4x32(808)
    bg.random_raw(5)
    clone = pickle.loads(pickle.dumps(bg))
    assert type(clone) is wi.Philox4x32 and state_of(clone) == state_of(bg)
    assert np.array_equal(wi.Generator(clone).random(9), wi.Generator(bg).random(9))
    assert np.array_equal(clone.random_raw(7), bg.random_raw(7))
    assert state_of(clone) == state_of(bg)


def _bad_states(name: str, bits: int):
    good = {
        "bit_generator": name,
        "state": {"counter": [1, 2, 3, 4], "key": [5, 6]},
        "buffer": [0, 0, 0, 0],
        "buffer_pos": 4,
        "has_uint32": 0,
        "uinteger": 0,
    }

    def with_(**changes):
        s = {**good, "state": dict(good["state"])}
        for k, v in changes.items():
            if k in ("counter", "key"):
                s["state"][k] = v
            else:
                s[k] = v
        return s

    other = "Philox4x64" if name == "Philox4x32" else "Philox4x32"
    missing_key = {k: v for k, v in good.items() if k != "buffer_pos"}
    return good, [
        pytest.param("not a dict", id="not-a-dict"),
        pytest.param(with_(bit_generator="Philox"), id="numpy-name"),
        pytest.param(with_(bit_generator=other), id="other-width-name"),
        pytest.param(missing_key, id="missing-buffer_pos"),
        pytest.param({**good, "state": {"counter": [1, 2, 3, 4]}}, id="missing-key"),
        pytest.param(with_(counter=[1, 2, 3]), id="counter-3-words"),
        pytest.param(with_(counter=[1, 2, 3, 4, 5]), id="counter-5-words"),
        pytest.param(with_(counter=[1, 2, 3, -4]), id="counter-negative"),
        pytest.param(with_(counter=np.array([1.0, 2.0, 3.0, 4.0])), id="counter-float"),
        pytest.param(with_(counter=2 ** (4 * bits)), id="counter-int-too-large"),
        pytest.param(with_(key=[1, 2, 3]), id="key-3-words"),
        pytest.param(with_(key=[1, 2**bits]), id="key-word-too-large"),
        pytest.param(with_(buffer=[0, 0, 0]), id="buffer-3-words"),
        pytest.param(with_(buffer_pos=5), id="buffer_pos-5"),
        pytest.param(with_(buffer_pos=-1), id="buffer_pos-negative"),
        pytest.param(with_(has_uint32=2), id="has_uint32-2"),
        pytest.param(with_(uinteger=2**32), id="uinteger-too-large"),
        pytest.param(with_(uinteger=-1), id="uinteger-negative"),
    ]


@pytest.mark.parametrize("cls, bits", [(wi.Philox4x32, 32), (wi.Philox4x64, 64)])
def test_good_state_dict_is_accepted(cls, bits):
    good, _ = _bad_states(cls.__name__, bits)
    bg = cls(1)
    bg.state = good
    st = state_of(bg)
    assert st["counter"] == [1, 2, 3, 4] and st["key"] == [5, 6] and st["buffer_pos"] == 4


@pytest.mark.parametrize("bad", _bad_states("Philox4x32", 32)[1])
def test_bad_philox4x32_state_raises_value_error_and_keeps_the_old_state(bad):
    bg = wi.Philox4x32(1)
    bg.random_raw(3)
    before = state_of(bg)
    with pytest.raises(ValueError):
        bg.state = bad
    assert state_of(bg) == before


@pytest.mark.parametrize("bad", _bad_states("Philox4x64", 64)[1])
def test_bad_philox4x64_state_raises_value_error_and_keeps_the_old_state(bad):
    bg = wi.Philox4x64(1)
    bg.random_raw(3)
    before = state_of(bg)
    with pytest.raises(ValueError):
        bg.state = bad
    assert state_of(bg) == before


# --- seeds -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [wi.Philox4x32, wi.Philox4x64])
def test_seed_none_draws_fresh_entropy(cls):
    a, b = cls(), cls()
    assert state_of(a)["key"] != state_of(b)["key"]
    assert not np.array_equal(a.random_raw(8), b.random_raw(8))
    assert isinstance(a.seed_seq, np.random.SeedSequence)


@pytest.mark.parametrize("cls, word", [(wi.Philox4x32, np.uint32), (wi.Philox4x64, np.uint64)])
@pytest.mark.parametrize("seed", [0, 7, 2**64 + 5, np.uint64(2**63), np.int32(9), [1, 2, 3], (4, 5), np.array([6, 7])])
def test_int_sequence_and_seed_sequence_seeds_give_the_seed_sequence_key(cls, word, seed):
    expected = np.random.SeedSequence(seed).generate_state(2, word)
    bg = cls(seed)
    assert state_of(bg)["key"] == [int(k) for k in expected]
    assert state_of(cls(np.random.SeedSequence(seed)))["key"] == [int(k) for k in expected]
    assert np.array_equal(bg.random_raw(9), cls(seed).random_raw(9))


def test_seed_sequence_is_used_as_given():
    ss = np.random.SeedSequence(11, spawn_key=(2, 3))
    bg = wi.Philox4x32(ss)
    assert bg.seed_seq is ss
    assert state_of(bg)["key"] == [int(k) for k in ss.generate_state(2, np.uint32)]


@pytest.mark.parametrize("cls", [wi.Philox4x32, wi.Philox4x64])
@pytest.mark.parametrize(
    "bad, error",
    [
        (-1, ValueError),
        (1.5, TypeError),
        ("a", TypeError),
        (True, TypeError),
        (np.bool_(False), TypeError),
        ([1, -1], ValueError),
        ([1, 2.5], TypeError),
        ([], ValueError),
        (object(), TypeError),
    ],
)
def test_bad_seeds_raise(cls, bad, error):
    with pytest.raises(error):
        cls(bad)


@pytest.mark.parametrize("cls", [wi.Philox4x32, wi.Philox4x64])
def test_seed_and_key_together_raise(cls):
    with pytest.raises(ValueError):
        cls(1, key=[1, 2])


# --- threads -----------------------------------------------------------------------------------


def _bit_generator(kind: str, seed: int):
    return {"Philox4x32": wi.Philox4x32, "Philox4x64": wi.Philox4x64, "numpy": np.random.Philox}[kind](seed)


@pytest.mark.parametrize("kind", ["Philox4x32", "Philox4x64", "numpy"])
@pytest.mark.parametrize("dtype, size", [(np.float64, 1000), (np.float32, 1001), (np.float64, 1001)])
def test_python_threads_sharing_a_generator_take_disjoint_consecutive_chunks(kind, dtype, size):
    n_threads, calls = 8, 40
    shared = wi.Generator(_bit_generator(kind, 555))
    results: list[list[np.ndarray]] = [[] for _ in range(n_threads)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(n_threads)

    def work(t: int) -> None:
        try:
            barrier.wait()
            for _ in range(calls):
                results[t].append(shared.random(size, dtype=dtype))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    got = sorted(chunk.tobytes() for r in results for chunk in r)
    sequential = wi.Generator(_bit_generator(kind, 555)).random(n_threads * calls * size, dtype=dtype)
    expected = sorted(chunk.tobytes() for chunk in sequential.reshape(n_threads * calls, size))
    assert got == expected
    # Nothing drawn twice, nothing skipped: the shared generator ends where the sequential one does.
    follow = wi.Generator(_bit_generator(kind, 555))
    follow.random(n_threads * calls * size, dtype=dtype)
    assert np.array_equal(shared.random(17), follow.random(17))


# --- Generator argument errors -----------------------------------------------------------------


GEN_KINDS = ["Philox4x32", "Philox4x64", "numpy"]


def _gen_state(gen) -> dict:
    return state_of(gen.bit_generator)


@pytest.mark.parametrize("kind", GEN_KINDS)
@pytest.mark.parametrize("dtype", [np.float16, "bfloat16", np.int32, np.uint64, np.complex128, "float128", np.dtype(">f8")])
def test_random_with_unsupported_dtype_raises_type_error(kind, dtype):
    gen = wi.Generator(_bit_generator(kind, 1))
    before = _gen_state(gen)
    with pytest.raises(TypeError):
        gen.random(3, dtype=dtype)
    with pytest.raises(TypeError):
        gen.uniform(0.0, 1.0, 3, dtype=dtype)
    assert _gen_state(gen) == before


@pytest.mark.parametrize("kind", GEN_KINDS)
@pytest.mark.parametrize("size", [-1, (2, -1), (-3,)])
def test_negative_size_raises_value_error(kind, size):
    gen = wi.Generator(_bit_generator(kind, 1))
    before = _gen_state(gen)
    with pytest.raises(ValueError):
        gen.random(size)
    with pytest.raises(ValueError):
        gen.random(size, dtype=np.float32)
    with pytest.raises(ValueError):
        gen.uniform(0.0, 1.0, size)
    assert _gen_state(gen) == before


@pytest.mark.parametrize("kind", GEN_KINDS)
@pytest.mark.parametrize("size", [1.5, "3", (2, 1.0), True])
def test_non_integer_size_raises_type_error(kind, size):
    gen = wi.Generator(_bit_generator(kind, 1))
    with pytest.raises(TypeError):
        gen.random(size)


def _bad_outs():
    readonly = np.zeros(6)
    readonly.flags.writeable = False
    strided = np.zeros(12)[::2]
    fortran = np.zeros((3, 4), order="F")
    swapped = np.zeros(6, dtype=">f8")
    return [
        pytest.param(np.zeros(5), 6, np.float64, ValueError, id="shape-vs-size"),
        pytest.param(np.zeros((2, 3)), (3, 2), np.float64, ValueError, id="2d-shape-vs-size"),
        pytest.param(np.zeros(6, dtype=np.float32), None, np.float64, TypeError, id="float32-out-float64-dtype"),
        pytest.param(np.zeros(6), None, np.float32, TypeError, id="float64-out-float32-dtype"),
        pytest.param(strided, None, np.float64, ValueError, id="non-contiguous"),
        pytest.param(fortran, None, np.float64, ValueError, id="fortran-order"),
        pytest.param(readonly, None, np.float64, ValueError, id="read-only"),
        pytest.param(swapped, None, ">f8", (TypeError, ValueError), id="byte-swapped"),
        pytest.param([0.0] * 6, None, np.float64, TypeError, id="list"),
        pytest.param(np.zeros(6, dtype=np.float16), None, np.float16, TypeError, id="float16"),
    ]


@pytest.mark.parametrize("kind", GEN_KINDS)
@pytest.mark.parametrize("out, size, dtype, error", _bad_outs())
def test_bad_out_raises_and_leaves_out_and_generator_untouched(kind, out, size, dtype, error):
    gen = wi.Generator(_bit_generator(kind, 1))
    before = _gen_state(gen)
    original = np.array(out, copy=True)
    with pytest.raises(error):
        gen.random(size, dtype=dtype, out=out)
    assert _gen_state(gen) == before
    assert np.array_equal(np.asarray(out), original)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("kind", GEN_KINDS)
@pytest.mark.parametrize("low, high", [(-1e308, 1e308), (0.0, np.inf), (-np.inf, 0.0), (-np.inf, np.inf), (-1.5e308, 0.5e308)])
def test_uniform_with_infinite_range_raises_overflow_error(kind, low, high):
    gen = wi.Generator(_bit_generator(kind, 1))
    before = _gen_state(gen)
    for size in (None, 3):
        for dtype in (np.float64, np.float32):
            with pytest.raises(OverflowError):
                gen.uniform(low, high, size, dtype=dtype)
    with pytest.raises(OverflowError):
        gen.uniform(np.array([0.0, low]), high)
    assert _gen_state(gen) == before


@pytest.mark.parametrize("kind", GEN_KINDS)
@pytest.mark.parametrize("low, high", [("a", 1.0), (0.0, None), (True, 2.0), (0.0, 1 + 2j)])
def test_uniform_with_non_real_bounds_raises_type_error(kind, low, high):
    gen = wi.Generator(_bit_generator(kind, 1))
    with pytest.raises(TypeError):
        gen.uniform(low, high, 3)


def test_generator_rejects_non_bit_generators():
    for bad in (None, 3, np.random.default_rng(1), "Philox"):
        with pytest.raises(TypeError):
            wi.Generator(bad)
