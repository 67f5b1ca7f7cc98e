"""weightinit.Generator is a numpy.random.Generator: every method, NumPy's numbers and state.

Each method is called on a weightinit Generator and on NumPy's, both on the same kind of bit
generator with the same seed; values (bit for bit) and the bit generator's state afterwards
must be equal. Libraries that take a numpy Generator take a weightinit one.
"""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest

import weightinit as wi

BIT_GENERATORS = [np.random.PCG64, np.random.PCG64DXSM, np.random.Philox, np.random.SFC64, np.random.MT19937]

#: Every public method of numpy.random.Generator with arguments, as (name, args, kwargs);
#: methods that work in place get a fresh array each time (see ``_call``).
CALLS = [
    ("beta", (2.0, 3.0, 7), {}),
    ("binomial", (10, 0.3, 7), {}),
    ("bytes", (13,), {}),
    ("chisquare", (3.0, 7), {}),
    ("choice", (10, 5), {}),
    ("choice", ([1.5, 2.5, 3.5], (2, 2)), {"replace": True, "p": [0.2, 0.3, 0.5]}),
    ("dirichlet", ([1.0, 2.0, 3.0], 4), {}),
    ("exponential", (2.0, 7), {}),
    ("exponential", (np.array([1.0, 2.0]), (3, 2)), {}),
    ("f", (3.0, 4.0, 7), {}),
    ("gamma", (2.0, 1.5, 7), {}),
    ("geometric", (0.3, 7), {}),
    ("gumbel", (0.5, 2.0, 7), {}),
    ("hypergeometric", (10, 5, 3, 7), {}),
    ("integers", (0, 10, 7), {}),
    ("integers", (-5, 5, (3, 3)), {"dtype": np.int8, "endpoint": True}),
    ("integers", (2**40,), {"size": 5, "dtype": np.uint64}),
    ("integers", (0, 2, 9), {"dtype": bool}),
    ("laplace", (0.0, 1.0, 7), {}),
    ("logistic", (0.0, 1.0, 7), {}),
    ("lognormal", (0.0, 1.0, 7), {}),
    ("logseries", (0.5, 7), {}),
    ("multinomial", (10, [0.2, 0.8], 3), {}),
    ("multivariate_hypergeometric", ([3, 4, 5], 6, 2), {}),
    ("multivariate_normal", ([0.0, 1.0], [[1.0, 0.2], [0.2, 1.0]], 3), {}),
    ("negative_binomial", (5, 0.5, 7), {}),
    ("noncentral_chisquare", (3.0, 1.0, 7), {}),
    ("noncentral_f", (3.0, 4.0, 1.0, 7), {}),
    ("normal", (), {}),
    ("normal", (1.0, 2.0, (2, 3)), {}),
    ("normal", (np.arange(3.0), 1.0), {}),
    ("pareto", (3.0, 7), {}),
    ("permutation", (10,), {}),
    ("permuted", ("ARRAY",), {"axis": 1}),
    ("poisson", (3.0, 7), {}),
    ("power", (3.0, 7), {}),
    ("random", (7,), {}),
    ("random", (), {"dtype": np.float32}),
    ("rayleigh", (1.0, 7), {}),
    ("shuffle", ("ARRAY",), {}),
    ("standard_cauchy", (7,), {}),
    ("standard_exponential", (7,), {}),
    ("standard_exponential", (7,), {"method": "inv", "dtype": np.float32}),
    ("standard_gamma", (2.0, 7), {}),
    ("standard_normal", (7,), {}),
    ("standard_normal", (7,), {"dtype": np.float32}),
    ("standard_t", (3.0, 7), {}),
    ("triangular", (0.0, 1.0, 2.0, 7), {}),
    ("uniform", (), {}),
    ("uniform", (-1.0, np.array([1.0, 2.0, 3.0])), {}),
    ("vonmises", (0.0, 1.0, 7), {}),
    ("wald", (1.0, 1.0, 7), {}),
    ("weibull", (2.0, 7), {}),
    ("zipf", (2.0, 7), {}),
]


def _call(gen, name, args, kwargs):
    args = tuple(np.arange(12.0).reshape(3, 4) if isinstance(a, str) and a == "ARRAY" else a for a in args)
    result = getattr(gen, name)(*args, **kwargs)
    if name == "shuffle":
        return args[0]
    return result


def _plain(state):
    if isinstance(state, dict):
        return {k: _plain(v) for k, v in state.items()}
    return state.tolist() if isinstance(state, np.ndarray) else state


def test_every_public_method_of_numpys_generator_is_tested_here():
    public = {m for m in dir(np.random.Generator) if not m.startswith("_")} - {"bit_generator", "spawn"}
    assert public == {name for name, _, _ in CALLS}


@pytest.mark.parametrize("bit_generator", BIT_GENERATORS, ids=lambda c: c.__name__)
def test_every_method_gives_numpys_values_and_state(bit_generator):
    ours, theirs = wi.Generator(bit_generator(11)), np.random.Generator(bit_generator(11))
    for name, args, kwargs in CALLS:
        a, b = _call(ours, name, args, kwargs), _call(theirs, name, args, kwargs)
        assert type(a) is type(b), name
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and a.shape == b.shape, name
            assert a.tobytes() == b.tobytes(), name
        else:
            assert a == b, name
        assert _plain(ours.bit_generator.state) == _plain(theirs.bit_generator.state), name


def test_a_weightinit_generator_is_a_numpy_generator():
    g = wi.default_rng(1)
    assert isinstance(g, np.random.Generator) and isinstance(g.bit_generator, np.random.PCG64)
    assert str(g) == str(np.random.default_rng(1)) == "Generator(PCG64)"
    assert repr(g).startswith("Generator(PCG64) at 0x")


@pytest.mark.parametrize("seed", [None, 0, 3, 2**70, [1, 2], np.random.SeedSequence(5)])
def test_default_rng_is_numpys_default_rng(seed):
    if seed is None:
        assert isinstance(wi.default_rng().bit_generator, np.random.PCG64)
        return
    ours, theirs = wi.default_rng(seed), np.random.default_rng(seed)
    assert _plain(ours.bit_generator.state) == _plain(theirs.bit_generator.state)
    assert ours.random(5).tolist() == theirs.random(5).tolist()


def test_default_rng_of_a_generator_or_bit_generator_shares_its_stream():
    g = wi.default_rng(4)
    assert wi.default_rng(g) is g
    numpy_gen = np.random.default_rng(4)
    wrapped = wi.default_rng(numpy_gen)
    assert isinstance(wrapped, wi.Generator) and wrapped.bit_generator is numpy_gen.bit_generator
    bg = np.random.Philox(4)
    assert wi.default_rng(bg).bit_generator is bg


def test_default_rng_of_a_random_state_wraps_its_bit_generator():
    # Regression (found by NumPy's vendored test_direct.py): this raised TypeError.
    rs = np.random.RandomState(1234)
    g = wi.default_rng(rs)
    assert type(g) is wi.Generator and g.bit_generator is np.random.default_rng(rs).bit_generator


@pytest.mark.parametrize("seed", ["abc", -1, 1.5, np.random.Generator])
def test_default_rng_of_a_bad_seed_is_numpys_error(seed):
    with pytest.raises(Exception) as theirs:
        np.random.default_rng(seed)
    with pytest.raises(type(theirs.value), match=re.escape(str(theirs.value))):
        wi.default_rng(seed)


def test_a_bad_bit_generator_is_numpys_error():
    with pytest.raises(Exception) as theirs:
        np.random.Generator(3)
    with pytest.raises(type(theirs.value), match=str(theirs.value)):
        wi.Generator(3)


@pytest.mark.parametrize("bit_generator", BIT_GENERATORS, ids=lambda c: c.__name__)
def test_pickle_keeps_the_class_and_the_stream(bit_generator):
    g = wi.Generator(bit_generator(21))
    g.random(3)
    clone = pickle.loads(pickle.dumps(g))
    assert type(clone) is wi.Generator and clone.bit_generator is not g.bit_generator
    assert clone.random(5).tolist() == g.random(5).tolist()


def test_reduce_is_numpys_form_and_its_ctor_takes_a_name():
    # Regression (found by NumPy's vendored test_generator_ctor_old_style_pickle): __reduce__
    # was (Generator, (bit_generator,)); NumPy's is (ctor, (bit_generator,), None), and its ctor
    # also takes a bit generator's name (old pickles).
    g = wi.Generator(np.random.PCG64DXSM(0))
    ctor, (bit_generator,), state = g.__reduce__()
    theirs_ctor, _, theirs_state = np.random.Generator(np.random.PCG64DXSM(0)).__reduce__()
    assert bit_generator is g.bit_generator and state is theirs_state is None
    assert type(ctor(bit_generator)) is wi.Generator and ctor(bit_generator).bit_generator is bit_generator
    named = ctor("Philox")
    assert type(named) is wi.Generator and type(named.bit_generator) is np.random.Philox
    assert type(ctor()) is wi.Generator and type(ctor().bit_generator) is type(theirs_ctor().bit_generator)
    with pytest.raises(Exception) as theirs:
        theirs_ctor("NoSuchBitGenerator")
    with pytest.raises(type(theirs.value), match=str(theirs.value)):
        ctor("NoSuchBitGenerator")


def test_spawn_gives_weightinit_generators_with_numpys_streams():
    ours, theirs = wi.default_rng(8).spawn(3), np.random.default_rng(8).spawn(3)
    for a, b in zip(ours, theirs):
        assert type(a) is wi.Generator
        assert a.random(4).tolist() == b.random(4).tolist()


def test_scipy_takes_it_where_it_takes_a_numpy_generator():
    stats = pytest.importorskip("scipy.stats")
    ours = stats.norm.rvs(size=6, random_state=wi.default_rng(12))
    theirs = stats.norm.rvs(size=6, random_state=np.random.default_rng(12))
    assert ours.tolist() == theirs.tolist()
    from scipy._lib._util import check_random_state  # what scipy's rng=/random_state= use

    g = wi.default_rng(12)
    assert check_random_state(g) is g


def test_used_as_an_initializer_seed_it_advances_by_one_draw():
    g = wi.default_rng(30)
    twin = np.random.default_rng(30)
    w = int(twin.bit_generator.random_raw())
    assert g.philox_key() == (w & 0xFFFFFFFF, w >> 32)
    assert _plain(g.bit_generator.state) == _plain(twin.bit_generator.state)
