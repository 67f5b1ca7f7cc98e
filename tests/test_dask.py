"""weightinit.dask: the initializers as lazy dask arrays, bit-identical to the in-memory calls.

For every initializer and dtype, and several chunkings, the computed dask array equals the
in-memory array bit for bit, on the synchronous and threaded schedulers and on a local
``dask.distributed`` cluster of two worker processes. The graph holds only a small spec (no
arrays), the array is lazy (2**40 elements cost nothing until a piece is computed), seeds are
resolved at construction (seed=None included), names are deterministic, and bad arguments raise
at construction with the in-memory call's exception.
"""

from __future__ import annotations

import doctest
import inspect
import io
import logging
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
import weightinit as wi
from conftest import DTYPES
import weightinit.dask as wid
from bits import as_bits, assert_same_bits


#: Every public initializer (aliases included) with parameters away from the defaults, as
#: (name, positional args, keyword args); all take the 3-d test shape.
CASES = [
    ("uniform", (-0.5, 2.0), {}),
    ("normal", (0.1, 0.7), {}),
    ("truncated_normal", (0.1, 0.7, -0.5, 1.2), {}),
    ("constant", (0.3,), {}),
    ("zeros", (), {}),
    ("ones", (), {}),
    ("variance_scaling", (2.0, "fan_avg", "truncated_normal"), {"layout": "jax"}),
    ("variance_scaling", (0.5, "fan_geo_avg", "normal"), {}),
    ("variance_scaling", (3.0, "fan_out", "uniform"), {"in_axis": 0, "out_axis": [1]}),
    ("glorot_uniform", (), {"gain": 1.5}),
    ("glorot_normal", (), {"layout": "jax"}),
    ("he_uniform", (), {"nonlinearity": "relu"}),
    ("he_normal", (), {"a": 0.2, "mode": "fan_out"}),
    ("lecun_uniform", (), {}),
    ("lecun_normal", (), {"layout": "keras"}),
    ("xavier_uniform", (), {}),
    ("xavier_normal", (), {"gain": 0.5}),
    ("kaiming_uniform", (), {"mode": "fan_out"}),
    ("kaiming_normal", (), {"nonlinearity": "tanh"}),
]
CASE_IDS = [f"{name}{i}" for i, (name, _, _) in enumerate(CASES)]

SHAPE = (13, 10, 3)
#: Single chunk, uneven chunks (never on a 64-element group boundary), chunks of 1 along an
#: axis, dask's "auto", a plain int.
CHUNKINGS = {
    "single": -1,
    "uneven": ((5, 8), (3, 3, 4), (2, 1)),
    "ones_axis0": {0: 1, 1: -1, 2: -1},
    "auto": "auto",
    "int": 4,
}
SCHEDULERS = ["sync", "threads"]
SEED = 1234


def inmemory(name, args, kw, shape=SHAPE, **extra):
    return getattr(wi, name)(shape, *args, **kw, **extra)


def lazy(name, args, kw, shape=SHAPE, **extra):
    return getattr(wid, name)(shape, *args, **kw, **extra)


# ---------------------------------------------------------------------------------------------
# The API mirrors the in-memory one
# ---------------------------------------------------------------------------------------------


def test_every_initializer_is_there():
    sampling = {n for n in wi.initializers.__all__ if n not in ("calculate_gain", "compute_fans")}
    assert set(wid.__all__) == sampling
    assert {name for name, _, _ in CASES} == sampling
    assert wid.xavier_uniform is wid.glorot_uniform and wid.kaiming_normal is wid.he_normal


@pytest.mark.parametrize("name", wid.__all__)
def test_signature_is_the_in_memory_one_without_out_index_plus_chunks(name):
    ours = inspect.signature(getattr(wid, name)).parameters
    theirs = inspect.signature(getattr(wi, name)).parameters
    expected = [(p.name, p.kind, p.default) for p in theirs.values() if p.name not in ("out", "index")]
    expected.append(("chunks", inspect.Parameter.KEYWORD_ONLY, "auto"))
    assert [(p.name, p.kind, p.default) for p in ours.values()] == expected


def test_every_lazy_function_is_derived_from_its_in_memory_function():
    for name in wid.__all__:
        assert getattr(wid, name).__wrapped_eager__ is getattr(wi, name)
        assert f":func:`weightinit.{getattr(wi, name).__name__}`" in getattr(wid, name).__doc__
        assert inspect.cleandoc(getattr(wi, name).__doc__) in getattr(wid, name).__doc__


def test_a_new_initializer_needs_no_dask_code():
    # One function in the eager module is all a new initializer takes: lazy() derives the rest.
    def centered_uniform(
        shape, width: float = 2.0, *, dtype=None, seed=None, out=None, index=None, layout: str = "torch"
    ):
        """U[-width/2, width/2)."""
        return wi.uniform(shape, -width / 2, width / 2, dtype=dtype, seed=seed, out=out, index=index)

    made = wid.lazy(centered_uniform)
    assert list(inspect.signature(made).parameters) == ["shape", "width", "dtype", "seed", "layout", "chunks"]
    assert made.__doc__.endswith("U[-width/2, width/2).")
    x = made((7, 5), 0.5, seed=4, chunks=(3, 2))
    assert x.chunks == ((3, 3, 1), (2, 2, 1))
    assert_same_bits(x.compute(), centered_uniform((7, 5), 0.5, seed=4))


def test_docstring_examples_run():
    result = doctest.testmod(wid, verbose=False, report=True)
    assert result.failed == 0
    assert result.attempted >= 13


# ---------------------------------------------------------------------------------------------
# Bit-identical to the in-memory call
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_bit_identical_for_every_chunking_and_scheduler(case, dtype):
    name, args, kw = case
    expected = inmemory(name, args, kw, dtype=dtype, seed=SEED)
    for label, chunks in CHUNKINGS.items():
        x = lazy(name, args, kw, dtype=dtype, seed=SEED, chunks=chunks)
        assert x.dtype == expected.dtype and x.shape == expected.shape, label
        for scheduler in SCHEDULERS:
            assert_same_bits(x.compute(scheduler=scheduler), expected)
    # the chunkings above really are what they say
    assert lazy(name, args, kw, seed=SEED, chunks=CHUNKINGS["ones_axis0"]).chunks[0] == (1,) * SHAPE[0]
    assert lazy(name, args, kw, seed=SEED, chunks=-1).numblocks == (1, 1, 1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bit_identical_on_a_large_tensor_in_many_chunks(dtype):
    # Chunks that cut through the 64-element groups of the stream, in a tensor of 2**20 elements.
    shape = (1024, 1024)
    expected = wi.he_normal(shape, seed=5, dtype=dtype)
    x = wid.he_normal(shape, seed=5, dtype=dtype, chunks=(333, 257))
    assert_same_bits(x.compute(scheduler="threads"), expected)
    t = wid.truncated_normal(shape, 0.0, 1.0, -3.0, 0.5, seed=5, dtype=dtype, chunks=(1024, 100))
    assert_same_bits(t.compute(scheduler="threads"), wi.truncated_normal(shape, 0.0, 1.0, -3.0, 0.5, seed=5, dtype=dtype))


@pytest.mark.parametrize("shape", [(), (7,), (0, 5), (4, 0, 3)])
def test_odd_shapes(shape):
    assert_same_bits(wid.normal(shape, seed=3, chunks=2).compute(), wi.normal(shape, seed=3))
    if len(shape) >= 2:
        assert_same_bits(wid.glorot_uniform(shape, seed=3, chunks=2).compute(), wi.glorot_uniform(shape, seed=3))


def test_slicing_the_dask_array_equals_index():
    shape = (300, 200)
    x = wid.glorot_normal(shape, seed=9, chunks=(64, 50))
    for index in [np.s_[10:250:7, ::-3], np.s_[-1], np.s_[5:6, 199], np.s_[::-1, 17:18]]:
        assert_same_bits(x[index].compute(), wi.glorot_normal(shape, seed=9, index=index))


def test_composes_with_dask_operations():
    x = wid.uniform((100, 50), -1.0, 1.0, seed=4, chunks=(30, 20), dtype="float64")
    y = wi.uniform((100, 50), -1.0, 1.0, seed=4, dtype="float64")
    assert_same_bits((2 * x).T.compute(), (2 * y).T)
    assert float(x.sum().compute()) == pytest.approx(float(y.sum()), rel=1e-12)


def test_shape_and_dtype_spellings():
    for shape in [12, (12,), [12], np.int64(12)]:
        assert_same_bits(wid.normal(shape, seed=1, chunks=5).compute(), wi.normal(12, seed=1))
    for dtype in [np.float16, np.dtype("float64"), wi.bfloat16, "bfloat16"]:
        assert_same_bits(wid.normal((3, 4), seed=1, dtype=dtype, chunks=2).compute(), wi.normal((3, 4), seed=1, dtype=dtype))


# ---------------------------------------------------------------------------------------------
# The graph is small and the array lazy
# ---------------------------------------------------------------------------------------------


class _NoArrayPickler(pickle.Pickler):
    """Pickles anything but a NumPy array (the graph must not carry any)."""

    def reducer_override(self, obj):
        if isinstance(obj, np.ndarray):
            pytest.fail(f"the graph holds a NumPy array of shape {obj.shape}")
        return NotImplemented


def pickled_size(obj) -> int:
    buf = io.BytesIO()
    _NoArrayPickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return len(buf.getvalue())


@pytest.mark.parametrize("case", CASES[:4] + CASES[6:7] + CASES[12:13], ids=lambda c: c[0])
def test_graph_of_a_billion_elements_is_a_few_kilobytes(case):
    name, args, kw = case
    x = lazy(name, args, kw, shape=(1000, 1000, 1000), seed=SEED)  # 10**9 elements, "auto" chunks
    assert x.npartitions > 1
    graph = x.__dask_graph__()
    tasks = dict(graph)  # every task, materialized
    assert len(tasks) == x.npartitions
    assert pickled_size(tasks) < 2048 + 200 * len(tasks)
    assert pickled_size(graph) < 16384  # the lazy high-level graph, as dask ships it
    for task in tasks.values():
        assert pickled_size(task) < 600


def test_graph_holds_the_key_not_the_seed_object():
    g = wi.default_rng(11)
    x = wid.normal((4, 4), seed=g, chunks=2)
    assert pickled_size(dict(x.__dask_graph__())) < 2048  # the Generator itself is not in it


def test_a_2_to_the_40_element_array_is_lazy(monkeypatch):
    shape = (2**20, 2**20)  # 4 TiB of float32
    x = wid.he_normal(shape, seed=7, chunks=(1024, 1024))  # a million chunks
    y = wid.truncated_normal(shape, seed=7, dtype="bfloat16")  # "auto" chunks (of 128 MiB)
    z = wid.truncated_normal(shape, seed=7, dtype="bfloat16", chunks=(300, 7000))  # 3.5 billion
    assert x.size == 2**40 and x.numblocks == (1024, 1024) and y.npartitions > 10000
    for arr in (x, y, z):  # nothing is made, not even the list of tasks, until asked for
        graph = arr.__dask_graph__()
        assert not any(layer.is_materialized() for layer in graph.layers.values())
        assert pickled_size(graph) < 65536
    # Computing a piece makes only the chunks under it, each by the in-memory call with index=.
    made = []
    for name in ("he_normal", "truncated_normal"):
        real = getattr(wi.initializers, name)  # what each chunk's task calls, looked up by name
        monkeypatch.setattr(wi.initializers, name, lambda *a, _real=real, **kw: made.append(kw["index"]) or _real(*a, **kw))
    n, last_z = 2**20, 2**20 - 2**20 % 7000
    for arr, index, chunks_under_it in [
        (x, np.s_[3000:3005, 10:20], [(2048, 3072, 0, 1024)]),
        (x, np.s_[-3:, n // 2 - 2 : n // 2 + 4], [(n - 1024, n, n // 2 - 1024, n // 2), (n - 1024, n, n // 2, n // 2 + 1024)]),
        (z, np.s_[299:301, -5:], [(0, 300, last_z, n), (300, 600, last_z, n)]),
    ]:
        made.clear()
        got = arr[index].compute(scheduler="sync")
        assert sorted((s0.start, s0.stop, s1.start, s1.stop) for s0, s1 in made) == chunks_under_it
        fn = wi.he_normal if arr is x else wi.truncated_normal  # the package's own, not patched
        assert_same_bits(got, fn(shape, seed=7, dtype=arr.dtype, index=index))


# ---------------------------------------------------------------------------------------------
# Seeds are resolved at construction
# ---------------------------------------------------------------------------------------------


def test_seed_none_is_a_fixed_array_once_built():
    x = wid.normal((50, 9), chunks=(20, 4))
    a = x.compute(scheduler="threads")
    b = x.compute(scheduler="sync")
    assert_same_bits(a, b)
    assert_same_bits(x.compute(), a)
    y = wid.normal((50, 9), chunks=(20, 4))  # fresh entropy: another tensor, another name
    assert y.name != x.name
    assert not np.array_equal(as_bits(y.compute()), as_bits(a))


@pytest.mark.parametrize("make", [wi.default_rng, lambda s: wi.Generator(np.random.Philox(s)), np.random.default_rng])
def test_generator_seed_draws_one_key_at_construction(make):
    g, twin = make(21), make(21)
    x = wid.he_uniform((40, 30), seed=g, chunks=(7, 11))
    expected = wi.he_uniform((40, 30), seed=twin)  # the in-memory call draws its key the same way
    state = repr(g.bit_generator.state)
    assert state == repr(twin.bit_generator.state)  # advanced exactly as the in-memory call
    assert_same_bits(x.compute(), expected)
    assert_same_bits(x.compute(scheduler="sync"), expected)
    assert repr(g.bit_generator.state) == state  # computing draws nothing more


def test_int_sequence_and_seedsequence_seeds():
    for seed in [0, 2**64 + 5, [1, 2, 3], np.random.SeedSequence(99), np.random.SeedSequence(99).spawn(2)[1]]:
        assert_same_bits(wid.uniform((9, 9), seed=seed, chunks=4).compute(), wi.uniform((9, 9), seed=seed))


def test_constants_ignore_the_seed_and_draw_nothing():
    g = wi.default_rng(3)
    state = repr(g.bit_generator.state)
    assert_same_bits(wid.zeros((4, 4), seed=g).compute(), np.zeros((4, 4), np.float32))
    assert_same_bits(wid.constant((4,), 2.5, seed="ignored").compute(), np.full(4, 2.5, np.float32))
    assert repr(g.bit_generator.state) == state
    # as in memory: a fan-based initializer of an empty tensor is all zeros and draws no key
    wid.glorot_uniform((0, 4), seed=g)
    assert repr(g.bit_generator.state) == state


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


def test_names_are_deterministic():
    def make(**kw):
        return wid.variance_scaling((64, 32), 2.0, "fan_in", "uniform", seed=3, chunks=16, **kw).name

    assert make() == make()
    assert make().startswith("weightinit-variance_scaling-")
    spelled = wid.variance_scaling((64, 32), scale=2.0, distribution="uniform", mode="fan_in", seed=3, chunks=(16, 16))
    assert spelled.name == make()
    assert wid.variance_scaling([64, 32], 2.0, "fan_in", "uniform", seed=np.random.SeedSequence(3), chunks=16).name == make()
    assert wid.xavier_uniform((4, 4), seed=1).name == wid.glorot_uniform((4, 4), seed=1).name
    # anything that changes the values or the blocks changes the name
    base = wid.normal((64, 32), 0.0, 1.0, seed=3, chunks=16).name
    others = [
        wid.normal((64, 32), 0.0, 2.0, seed=3, chunks=16),
        wid.normal((64, 32), 0.0, 1.0, seed=4, chunks=16),
        wid.normal((64, 32), 0.0, 1.0, seed=3, chunks=8),
        wid.normal((64, 33), 0.0, 1.0, seed=3, chunks=16),
        wid.normal((64, 32), 0.0, 1.0, seed=3, chunks=16, dtype="float64"),
        wid.uniform((64, 32), 0.0, 1.0, seed=3, chunks=16),
    ]
    assert len({base} | {o.name for o in others}) == 1 + len(others)
    # a computation shared by two identical calls is one set of tasks
    x, y = wid.normal((64, 32), seed=3, chunks=16), wid.normal((64, 32), seed=3, chunks=16)
    assert set(dict(x.__dask_graph__())) == set(dict(y.__dask_graph__()))
    assert len(dict((x + y).__dask_graph__())) == 2 * x.npartitions  # x's tasks, once, and the sums


def test_names_are_the_same_in_another_process():
    code = "import weightinit.dask as w; print(w.he_normal((64, 32), seed=3, chunks=16, dtype='bfloat16').name)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == wid.he_normal((64, 32), seed=3, chunks=16, dtype="bfloat16").name


# ---------------------------------------------------------------------------------------------
# Errors at construction, not at compute
# ---------------------------------------------------------------------------------------------

BAD_CALLS = [
    ("normal", ((-1, 3),), {}),
    ("normal", ((2.5, 3),), {}),
    ("normal", ("abc",), {}),
    ("normal", ((2**40, 2**40),), {}),  # over 2**63 - 1 elements
    ("normal", ((4, 4),), {"dtype": "int32"}),
    ("normal", ((4, 4),), {"dtype": ">f4"}),
    ("uniform", ((4, 4), 1.0, 0.0), {}),
    ("uniform", ((4, 4), 0.0, float("inf")), {}),
    ("normal", ((4, 4), 0.0, -1.0), {}),
    ("normal", ((4, 4), "0"), {}),
    ("truncated_normal", ((4, 4), 0.0, 1.0, 2.0, 1.0), {}),
    ("truncated_normal", ((4, 4), 0.0, 1.0, 1e6, 2e6), {"dtype": "float16"}),
    ("constant", ((4, 4), "x"), {}),
    ("variance_scaling", ((4, 4), 1.0, "fan_sum"), {}),
    ("variance_scaling", ((4, 4), 1.0, "fan_in", "laplace"), {}),
    ("variance_scaling", ((4, 4), -1.0), {}),
    ("variance_scaling", ((4, 4, 4),), {"in_axis": 0, "out_axis": 0}),
    ("glorot_uniform", ((16,),), {}),
    ("glorot_normal", ((4, 4),), {"layout": "tf"}),
    ("he_uniform", ((4, 4),), {"nonlinearity": "swish"}),
    ("he_normal", ((4, 4),), {"mode": "fan_avg"}),
    ("lecun_uniform", ((),), {}),
    ("normal", ((4, 4),), {"seed": -1}),
    ("normal", ((4, 4),), {"seed": "abc"}),
    ("normal", ((4, 4),), {"seed": 1.5}),
]


@pytest.mark.parametrize("name, args, kw", BAD_CALLS, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(BAD_CALLS)])
def test_bad_arguments_raise_at_construction_as_in_memory(name, args, kw):
    with pytest.raises((TypeError, ValueError, IndexError)) as in_memory:
        getattr(wi, name)(*args, **kw)
    with pytest.raises(type(in_memory.value)):
        getattr(wid, name)(*args, **kw)


@pytest.mark.parametrize("chunks", [-2, 0, (0, 5), (-3, 5), ((4, 3), (9,)), ((5, 5), (9,)), (2.5, 5)])
def test_chunks_that_do_not_tile_the_shape_raise_value_error(chunks):
    # chunks=-2 once silently gave a smaller array, and chunks=0 a
    # ZeroDivisionError.
    with pytest.raises(ValueError, match="chunks"):
        wid.uniform((8, 9), seed=1, chunks=chunks)
    with pytest.raises(ValueError, match="chunks"):
        wid.glorot_uniform((5, 9, 9, 1), seed=50, chunks=chunks)


def test_bad_chunks_and_removed_arguments_raise_at_construction():
    with pytest.raises(ValueError):
        wid.normal((10, 10), seed=0, chunks=(3,))
    with pytest.raises(TypeError):
        wid.normal((10, 10), seed=0, out=np.empty((10, 10), np.float32))
    with pytest.raises(TypeError):
        wid.normal((10, 10), seed=0, index=np.s_[:2])


def test_failed_construction_leaves_a_generator_untouched():
    g = wi.default_rng(8)
    state = repr(g.bit_generator.state)
    with pytest.raises(ValueError):
        wid.uniform((4, 4), 1.0, 0.0, seed=g)
    with pytest.raises(ValueError):
        wid.uniform((4, 4), seed=g, chunks=(1, 2, 3))
    with pytest.raises(TypeError):
        wid.he_normal((4, 4), seed=g, dtype="int8")
    assert repr(g.bit_generator.state) == state


# ---------------------------------------------------------------------------------------------
# A distributed cluster of several worker processes
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    # The worker processes import weightinit as this process does: through the environment
    # (PYTHONPATH in a source checkout, the installed package otherwise), which they inherit.
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def test_distributed_cluster_has_two_worker_processes(client):
    pids = client.run(os.getpid)
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()


def test_bit_identical_on_a_distributed_cluster(client):
    arrays, expected = [], []
    for dtype in DTYPES:
        for name, args, kw in CASES:
            # uneven chunks (4 per tensor, to keep the task count, and so the time, small), and
            # chunks of 1 along an axis for float32
            for chunks in [((5, 8), (3, 7), 3)] + ([CHUNKINGS["ones_axis0"]] if dtype == "float32" else []):
                arrays.append(lazy(name, args, kw, dtype=dtype, seed=SEED, chunks=chunks))
                expected.append(inmemory(name, args, kw, dtype=dtype, seed=SEED))
    results = client.gather(client.compute(arrays))
    for got, want in zip(results, expected):
        assert_same_bits(got, want)


def test_each_worker_process_makes_the_same_chunks(client):
    shape = (400, 300)
    x = wid.truncated_normal(shape, 0.0, 1.0, -1.0, 2.0, seed=2, chunks=(90, 70), dtype="bfloat16")
    expected = wi.truncated_normal(shape, 0.0, 1.0, -1.0, 2.0, seed=2, dtype="bfloat16")
    for worker in client.scheduler_info()["workers"]:
        assert_same_bits(client.compute(x, workers=[worker]).result(), expected)
    y = wid.he_normal(shape, seed=None, chunks=50)  # seed=None: fixed at construction, everywhere
    assert_same_bits(client.compute(y).result(), y.compute(scheduler="sync"))


def test_names_agree_on_the_workers(client):
    names = client.run(lambda: wid.glorot_uniform((64, 32), seed=3, chunks=16).name)
    assert set(names.values()) == {wid.glorot_uniform((64, 32), seed=3, chunks=16).name}


# ---------------------------------------------------------------------------------------------
# dask's array query planning (experimental in dask; a fresh process, since it is set at import)
# ---------------------------------------------------------------------------------------------


def test_with_array_query_planning():
    code = (
        "import dask.array as da, numpy as np, weightinit as wi, weightinit.dask as w\n"
        "assert da.array_expr_enabled()\n"
        "x = w.he_normal((50, 40), seed=3, chunks=(16, 9), dtype='bfloat16')\n"
        "ref = wi.he_normal((50, 40), seed=3, dtype='bfloat16')\n"
        "assert (x.compute().view(np.uint16) == ref.view(np.uint16)).all()\n"
        "assert (x[3:40:5, ::-2].compute().view(np.uint16) == ref[3:40:5, ::-2].view(np.uint16)).all()\n"
        "assert x.name == w.he_normal((50, 40), seed=3, chunks=(16, 9), dtype='bfloat16').name\n"
        "print('ok')\n"
    )
    env = dict(os.environ, DASK_ARRAY__QUERY_PLANNING="True")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=False)
    if out.returncode != 0 and "array_expr_enabled" in out.stderr and "AttributeError" in out.stderr:
        pytest.skip("this dask has no array query planning")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
