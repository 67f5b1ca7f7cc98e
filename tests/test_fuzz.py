"""Fuzzing the public API with mixes of valid and invalid arguments (hypothesis, fixed seed).

Every call must either succeed with a correct result (the same bits as the matching slice of
the whole tensor, finite for a finite request, inside the distribution's bounds) or raise one
of the promised exceptions (TypeError, ValueError, IndexError, MemoryError) before writing
anything: an ``out=`` keeps its contents and a generator passed as ``seed=`` keeps its state.
The ``Generator`` must behave exactly as NumPy's (same values and state, or the same exception
type), and the ``init`` command must exit 0 or 2, never with a traceback.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import as_strided

import weightinit as wi
from bits import as_bits, np_dtype

PROMISED = (TypeError, ValueError, IndexError, MemoryError)
FUZZ = settings(derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def cases(n: int) -> settings:
    """The fuzz settings with ``n`` examples (fixed seed, so the same cases on every run)."""
    return settings(FUZZ, max_examples=n)

# -- the values arguments take ------------------------------------------------------------------

reals = st.one_of(
    st.sampled_from([0.0, 1.0, -1.0, 0.02, 2.0, 1e-300, -1e-300, 1e30, -1e30, 3.5e38, 1e200, 1e308, -1e308]),
    st.floats(-10, 10, allow_nan=False),
    st.integers(-5, 5),
)
weird = st.sampled_from([math.inf, -math.inf, math.nan, 10**400, -(10**400), True, "1.0", None, [1.0], np.float32(0.5), np.int64(3), 1j])
numbers = st.one_of(reals, reals, reals, weird)
good_shapes = st.lists(st.integers(0, 7), min_size=0, max_size=3).map(tuple)
shapes = st.one_of(good_shapes, good_shapes, good_shapes, st.sampled_from([-1, (2, -3), (2.0, 3), "8", None, (2**40, 2**40), (0, 2**64), (0, 2**62, 2**62), 5, np.int32(4)]))
dtypes = st.one_of(st.sampled_from(["float32", "float64", "float16", "bfloat16", None]), st.sampled_from(["int32", np.int8, "bogus", float, 3]))
seeds = st.one_of(st.integers(0, 2**70), st.sampled_from([-1, 1.5, "seed", True, np.random.SeedSequence(3), [1, 2]]))


def _index_for(shape: tuple[int, ...]):
    parts = []
    for d in shape:
        parts.append(
            st.one_of(
                st.builds(slice, st.integers(-8, 8) | st.none(), st.integers(-8, 8) | st.none(), st.sampled_from([None, 1, 2, 3, -1, -2])),
                st.integers(-d, d - 1) if d > 0 else st.just(slice(None)),
            )
        )
    return st.one_of(st.none(), st.tuples(*parts), st.sampled_from([2**63, 1.5, "x", (0, 0, 0, 0, 0)]))


#: Each initializer's distribution parameters, by name (positional, keyword).
PARAMS = {
    "uniform": lambda: st.tuples(numbers, numbers).map(lambda t: (t, {})),
    "normal": lambda: st.tuples(numbers, numbers).map(lambda t: (t, {})),
    "truncated_normal": lambda: st.tuples(numbers, numbers, numbers, numbers).map(lambda t: (t, {})),
    "constant": lambda: numbers.map(lambda v: ((v,), {})),
    "zeros": lambda: st.just(((), {})),
    "ones": lambda: st.just(((), {})),
    "glorot_uniform": lambda: numbers.map(lambda g: ((), {"gain": g})),
    "glorot_normal": lambda: st.tuples(numbers, st.sampled_from(["torch", "jax", "bogus"])).map(lambda t: ((), {"gain": t[0], "layout": t[1]})),
    "he_uniform": lambda: st.tuples(numbers, st.sampled_from(["fan_in", "fan_out", "FAN_IN", "fan_avg", 3]), st.sampled_from(["relu", "leaky_relu", "tanh", "gelu"])).map(lambda t: ((), {"a": t[0], "mode": t[1], "nonlinearity": t[2]})),
    "he_normal": lambda: st.tuples(numbers, st.sampled_from(["fan_in", "fan_out"])).map(lambda t: ((), {"a": t[0], "mode": t[1]})),
    "lecun_uniform": lambda: st.just(((), {})),
    "lecun_normal": lambda: st.sampled_from(["torch", "keras"]).map(lambda lay: ((), {"layout": lay})),
    "variance_scaling": lambda: st.tuples(numbers, st.sampled_from(["fan_in", "fan_out", "fan_avg", "fan_geo_avg", "x"]), st.sampled_from(["uniform", "normal", "truncated_normal", "gamma"])).map(lambda t: (t, {})),
}


def _out_for(shape, dtype):
    """An out= candidate for ``shape``: a fresh array, or one that should be refused."""
    try:
        dt = np_dtype(dtype or "float32")
        full = np.full(shape, 7, dtype=dt)
    except (TypeError, ValueError):
        return st.none()
    base = np.full(64, 7, dtype=np.float32)
    candidates = []
    if math.prod(shape) > 1 and dt.itemsize <= 8:  # every element on the same memory: overlapping
        candidates.append(as_strided(np.full(8, 7, dtype=dt), shape=shape, strides=(0,) * len(shape)))
    return st.sampled_from(candidates + 
        [None, None, full, np.full(shape + (1,), 7, dtype=dt), np.full(shape, 7, dtype=np.float64 if dt != np.float64 else np.float32),
         np.full(shape, 7, dtype=dt)[()] if shape == () else full[..., ::-1] if full.ndim else full,
         as_strided(base, shape=(4, 4), strides=(4, 4)), "not an array"]
    )


def _read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a


@st.composite
def initializer_calls(draw):
    name = draw(st.sampled_from(sorted(PARAMS)))
    args, kwargs = draw(PARAMS[name]())
    shape = draw(shapes)
    kwargs = dict(kwargs)
    if draw(st.booleans()):
        kwargs["dtype"] = draw(dtypes)
    kwargs["seed"] = draw(seeds)
    dims = shape if isinstance(shape, tuple) and all(isinstance(d, int) and 0 <= d < 8 for d in shape) else None
    if dims is not None and draw(st.booleans()):
        kwargs["index"] = draw(_index_for(dims))
    if dims is not None and draw(st.integers(0, 3)) == 0 and "index" not in kwargs:
        out = draw(_out_for(dims, kwargs.get("dtype")))
        if isinstance(out, np.ndarray) and draw(st.integers(0, 5)) == 0:
            out = _read_only(out)
        if out is not None:
            kwargs["out"] = out
    return name, shape, args, kwargs


def _rounded(v: float, dt: np.dtype) -> float:
    with np.errstate(over="ignore"):
        via = np.float32 if dt.itemsize <= 4 else np.float64
        return float(np.asarray(v).astype(via).astype(dt).astype(np.float64))


def _finite_request(args, kwargs) -> bool:
    values = list(args) + [kwargs.get(k) for k in ("gain", "a") if k in kwargs]
    return all(isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool) and math.isfinite(float(v)) for v in values)


@cases(2000)
@given(call=initializer_calls())
def test_initializers_succeed_correctly_or_raise_a_promised_error_before_writing(call):
    name, shape, args, kwargs = call
    fn = getattr(wi, name)
    out = kwargs.get("out")
    before = out.copy() if isinstance(out, np.ndarray) else None
    try:
        result = fn(shape, *args, **kwargs)
    except PROMISED:
        if isinstance(out, np.ndarray):
            assert out.tobytes() == before.tobytes(), "a failed call wrote into out="
        return
    assert isinstance(result, np.ndarray)
    values = result.astype(np.float64)
    if name not in ("constant",) and _finite_request(args, kwargs):
        assert np.isfinite(values).all(), "a finite request gave a non-finite value"
    if name == "uniform" and values.size:
        lo, hi = (_rounded(float(a), result.dtype) for a in args)  # the bounds as the dtype holds them
        assert ((values >= lo) & (values <= hi)).all(), "a uniform left [low, high]"
    if name == "truncated_normal" and values.size:
        assert ((values >= float(args[2])) & (values <= float(args[3]))).all(), "a truncated normal left [a, b]"
    index = kwargs.get("index")
    seed = kwargs.get("seed")
    if index is not None and isinstance(seed, int) and not isinstance(seed, bool):
        whole = fn(shape, *args, **{k: v for k, v in kwargs.items() if k != "index"})
        assert as_bits(result).tobytes() == as_bits(np.ascontiguousarray(whole[index])).tobytes(), "index= differs from the slice"


@cases(500)
@given(call=initializer_calls())
def test_a_generator_passed_as_seed_does_not_move_when_the_call_fails(call):
    name, shape, args, kwargs = call
    g = wi.default_rng(5)
    kwargs = {**kwargs, "seed": g}
    state = g.bit_generator.state
    try:
        getattr(wi, name)(shape, *args, **kwargs)
    except PROMISED:
        assert g.bit_generator.state == state, "a failed call advanced the generator"


# -- the Generator against NumPy's --------------------------------------------------------------

sizes = st.one_of(st.none(), st.integers(0, 70), st.sampled_from([(3, 4), (2, 0), -1, 2.5, (3, -1), 100_003]))
gen_calls = st.one_of(
    st.tuples(st.just("random"), st.tuples(sizes), st.fixed_dictionaries({}, optional={"dtype": st.sampled_from([np.float32, np.float64, np.float16, "f4", int])})),
    st.tuples(st.just("uniform"), st.tuples(numbers | st.just(np.array([0.0, 1.0])), numbers | st.just(np.array([7.4, 2.5])), sizes), st.just({})),
    st.tuples(st.just("normal"), st.tuples(numbers, numbers, sizes), st.just({})),
    st.tuples(st.just("standard_normal"), st.tuples(sizes), st.fixed_dictionaries({}, optional={"dtype": st.sampled_from([np.float32, np.float64, "bogus"])})),
    st.tuples(st.just("exponential"), st.tuples(numbers, sizes), st.just({})),
    st.tuples(st.just("standard_exponential"), st.tuples(sizes), st.fixed_dictionaries({}, optional={"method": st.sampled_from(["zig", "inv"]), "dtype": st.sampled_from([np.float32, np.float64])})),
    st.tuples(st.just("integers"), st.tuples(st.integers(-300, 300) | numbers, st.integers(-300, 300) | st.none(), sizes),
              st.fixed_dictionaries({}, optional={"dtype": st.sampled_from([np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64, bool, np.float32]), "endpoint": st.booleans()})),
)
bit_generators = st.sampled_from([np.random.PCG64, np.random.Philox, np.random.PCG64DXSM, np.random.SFC64])


def _plain(state):
    if isinstance(state, dict):
        return {k: _plain(v) for k, v in state.items()}
    return state.tolist() if isinstance(state, np.ndarray) else state


@cases(600)
@given(make=bit_generators, seed=st.integers(0, 2**64), calls=st.lists(gen_calls, min_size=1, max_size=6), parallel=st.booleans())
def test_the_generator_does_what_numpys_does(monkeypatch, make, seed, calls, parallel):
    if parallel:  # every call the core can make, even of one element, goes to the core
        monkeypatch.setattr(wi.generator, "parallel_threshold", 0)
    ours, theirs = wi.Generator(make(seed)), np.random.Generator(make(seed))
    for name, args, kwargs in calls:
        outcome = []
        for g in (ours, theirs):
            try:
                with np.errstate(all="ignore"):
                    outcome.append(("ok", getattr(g, name)(*args, **kwargs)))
            except Exception as exc:  # noqa: BLE001 - NumPy's exception, whatever it is, must be ours too
                outcome.append(("raised", type(exc)))
        (kind_a, a), (kind_b, b) = outcome
        assert kind_a == kind_b, (name, args, kwargs, a, b)
        if kind_a == "ok":
            assert type(a) is type(b) and np.shape(a) == np.shape(b)
            assert np.asarray(a).tobytes() == np.asarray(b).tobytes(), (name, args, kwargs)
        else:
            assert a is b, (name, args, kwargs)
        assert _plain(ours.bit_generator.state) == _plain(theirs.bit_generator.state), (name, args, kwargs)


# -- dask --------------------------------------------------------------------------------------


@pytest.mark.skipif(importlib.util.find_spec("dask") is None, reason="dask is not installed")
@cases(300)
@given(call=initializer_calls(), chunks=st.sampled_from(["auto", 1, 2, 3, -1, -2, 0, (2,), ((1, 1),), 2.5, "x", {0: 2}]))
def test_dask_functions_equal_the_in_memory_call_or_raise_at_construction(call, chunks):
    import weightinit.dask as wid
    name, shape, args, kwargs = call
    kwargs = {k: v for k, v in kwargs.items() if k not in ("out", "index")}
    if not isinstance(kwargs.get("seed"), int) or isinstance(kwargs.get("seed"), bool):
        kwargs["seed"] = 1
    try:
        lazy = getattr(wid, name)(shape, *args, chunks=chunks, **kwargs)
    except PROMISED:
        return
    eager = getattr(wi, name)(shape, *args, **kwargs)
    got = lazy.compute(scheduler="sync")
    assert got.shape == eager.shape
    assert as_bits(got).tobytes() == as_bits(eager).tobytes()


# -- the init command --------------------------------------------------------------------------

cli_words = st.lists(
    st.sampled_from(
        ["--init", "he_normal", "uniform", "truncated_normal", "constant", "bogus", "--shape", "3", "4", "-2", "0", "x",
         "--dtype", "bfloat16", "float64", "int8", "--seed", "-1", "7", "--low", "--high", "1e400", "nan", "--value",
         "--a", "--b", "--mode", "fan_out", "fan_avg", "--gain", "--layout", "jax", "--in-axis", "--out-axis", "--quiet",
         "--force", "--name", "w", "--threads", "1"]
    ),
    max_size=14,
)


@settings(derandomize=True, deadline=None, database=None, max_examples=150, suppress_health_check=list(HealthCheck))
@given(words=cli_words, suffix=st.sampled_from([".npy", ".safetensors", ".txt"]))
def test_the_init_command_exits_0_or_2_never_with_a_traceback(tmp_path_factory, words, suffix):
    from weightinit._cli_init import main

    out = tmp_path_factory.mktemp("init") / f"w{suffix}"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(list(words) + ["--output", str(out), "--quiet"])
        except SystemExit as exc:
            code = exc.code
    assert code in (0, 2), (words, err.getvalue())
    assert "Traceback" not in err.getvalue()
