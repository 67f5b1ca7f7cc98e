"""Property-based tests of the fill paths (hypothesis, derandomized so they are repeatable):
random shapes, slices, dtypes, thread counts and output strides; every result must equal the
same positions of the whole tensor made in one call on one thread."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import weightinit as wi
from conftest import DTYPES
from bits import assert_same_bits, np_dtype

MAKERS = {
    "uniform": lambda shape, **kw: wi.uniform(shape, -2.0, 3.0, **kw),
    "normal": lambda shape, **kw: wi.normal(shape, 1.0, 0.5, **kw),
    "truncated_normal": lambda shape, **kw: wi.truncated_normal(shape, 0.0, 1.0, -1.5, 2.5, **kw),
}
PROPERTY = settings(derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


pytestmark = pytest.mark.usefixtures("restore_threads")  # every test sets thread counts


@st.composite
def sliced_case(draw):
    ndim = draw(st.integers(1, 3))
    sides = [draw(st.integers(1, 400 if ndim > 1 else 200_000)) for _ in range(ndim)]
    while np.prod(sides) > 300_000:
        sides[int(np.argmax(sides))] //= 2
    index = []
    for n in sides:
        start = draw(st.integers(-n, n - 1))
        stop = draw(st.one_of(st.none(), st.integers(-n, n)))
        step = draw(st.sampled_from([1, 1, 1, 2, 3, 7, 64, -1, -5]))
        index.append(slice(start, stop, step))
    return tuple(sides), tuple(index)


@PROPERTY
@given(case=sliced_case(), name=st.sampled_from(sorted(MAKERS)), dtype=st.sampled_from(DTYPES), threads=st.integers(1, 3))
def test_any_slice_on_any_thread_count_equals_the_whole_tensors_positions(case, name, dtype, threads):
    shape, index = case
    make = MAKERS[name]
    wi.set_num_threads(1)
    full = make(shape, dtype=dtype, seed=21)
    wi.set_num_threads(threads)
    assert_same_bits(make(shape, dtype=dtype, seed=21, index=index), full[index])


@PROPERTY
@given(
    rows=st.integers(1, 300),
    cols=st.integers(1, 300),
    row_step=st.integers(1, 3),
    col_step=st.integers(1, 3),
    transpose=st.booleans(),
    name=st.sampled_from(sorted(MAKERS)),
    dtype=st.sampled_from(DTYPES),
    threads=st.integers(1, 3),
)
def test_out_views_of_any_strides_get_their_logical_positions(rows, cols, row_step, col_step, transpose, name, dtype, threads):
    make = MAKERS[name]
    wi.set_num_threads(threads)
    base = np.zeros((rows * row_step, cols * col_step), dtype=np_dtype(dtype))
    view = base[::row_step, ::col_step]
    if transpose:
        view = view.T
    before = base.copy()
    returned = make(view.shape, dtype=dtype, seed=22, out=view)
    assert returned is view
    wi.set_num_threads(1)
    assert_same_bits(view, make(view.shape, dtype=dtype, seed=22))
    # Elements outside the view are untouched.
    mask = np.ones(base.shape, dtype=bool)
    mask[::row_step, ::col_step] = False
    assert_same_bits(base[mask], before[mask])
