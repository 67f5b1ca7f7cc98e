"""Reproducibility across versions: every pinned case still gives its recorded bits.

tests/golden/v1.json was written by tests/golden_cases.py. A failure here means a seed now gives
different weights: that is a breaking change, allowed only with a new major version (README,
"Guarantees"), never to make a test pass.
"""

from __future__ import annotations

import pytest

from golden_cases import all_cases, fingerprint, golden

GOLDEN = golden()
CASES = all_cases()


def test_every_golden_case_is_still_generated():
    assert sorted(GOLDEN) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_seed_gives_the_same_values_as_the_golden_file(name):
    assert fingerprint(CASES[name]()) == GOLDEN[name]
