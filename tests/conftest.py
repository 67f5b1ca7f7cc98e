"""What the tests share: the dtype table, whether this build has threads, and fixtures.

Test modules import the tables (``from conftest import DTYPES, OPENMP``); pytest finds the
fixtures by name.
"""

from __future__ import annotations

import pytest

import weightinit as wi

#: Every output dtype, by name.
DTYPES: list[str] = list(wi.SUPPORTED_DTYPES)

#: A build without OpenMP runs every fill on one thread (and get_num_threads() says 1).
OPENMP: bool = bool(wi.info()["openmp"])


@pytest.fixture
def restore_threads():
    """Leave weightinit's thread count as the test found it."""
    before = wi.get_num_threads()
    yield
    wi.set_num_threads(before)
