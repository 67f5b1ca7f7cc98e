"""weightinit's threads are OpenMP's: threadpoolctl sees and limits them like any OpenMP library."""

from __future__ import annotations

import pytest

import weightinit as wi
from conftest import OPENMP
from bits import assert_same_bits

threadpoolctl = pytest.importorskip("threadpoolctl")


@pytest.mark.skipif(not OPENMP, reason="a build without OpenMP has no thread pool to limit")
def test_threadpool_limits_limits_weightinit_and_restores_it():
    before = wi.get_num_threads()
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        assert wi.get_num_threads() == 1
        limited = wi.he_normal((2048, 1024), seed=4)
    assert wi.get_num_threads() == before
    assert_same_bits(limited, wi.he_normal((2048, 1024), seed=4))


@pytest.mark.skipif(not OPENMP, reason="a build without OpenMP has no thread pool to limit")
def test_threadpoolctl_lists_the_openmp_runtime_weightinit_uses():
    info = threadpoolctl.threadpool_info()
    assert any(lib["user_api"] == "openmp" for lib in info), info
