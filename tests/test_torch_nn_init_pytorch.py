"""PyTorch's own tests of ``torch.nn.init``, run against weightinit.torch.

The tests are PyTorch's ``TestNNInit`` and ``TestNNInitDeviceType`` (CPU) classes, vendored
unchanged in ``tests/pytorch_test_init.py`` (whose first lines name the commit they come from).
They call ``torch.nn.init`` through ``import torch.nn.init as init``; the autouse fixture below
routes it to weightinit.torch for each test by running the test inside
``weightinit.torch.patch_nn_init()``, and fails the test unless

- ``torch.nn.init``'s functions were weightinit's during the test, and
- no call of torch's own function (weightinit's fallback) **returned**: every tensor these tests
  fill is filled by weightinit. torch's own functions may only raise, for the arguments
  weightinit hands to them on purpose so that the errors are torch's (``eye_`` on a 1-D tensor,
  ``xavier_uniform_`` on a 0-d one, ...).

``patch_nn_init()`` has no seed, so every call draws its Philox key from torch's default
generator, which torch's ``TestCase.setUp`` seeds: the numbers are fixed, each run draws the same,
and ``generator=`` keeps its meaning (``test_trunc_normal_generator`` compares a
``torch.Generator`` seeded with 42 against ``torch.manual_seed(42)``). The statistical tests of the
vendored file are Kolmogorov-Smirnov tests at p > 1e-4 (their false-failure rate per test for a
correct sampler, before the seeds are fixed); with fixed seeds each outcome is deterministic.

``test_xavier_uniform`` is marked slow in PyTorch's CI (``slowTest``); it takes about a second
here, so the fixture turns on torch's ``TEST_WITH_SLOW`` to run it instead of skipping it.

torch's test utilities (``torch.testing._internal``) are used from the installed torch; they need
the ``expecttest`` package (.ci/run installs it with torch): without it the module is skipped.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest", reason="torch.testing._internal needs expecttest")
pytest.importorskip("scipy.stats")

import torch.testing._internal.common_utils as torch_test_utils  # noqa: E402

import weightinit.torch as wt  # noqa: E402

import pytorch_test_init as vendored  # noqa: E402

# The classes pytest collects here (unittest.TestCase subclasses; the CPU instance of the
# device-type class is made by the vendored file's instantiate_device_type_tests).
TestNNInit = vendored.TestNNInit
TestNNInitDeviceTypeCPU = vendored.TestNNInitDeviceTypeCPU


@pytest.fixture(autouse=True)
def route_nn_init_to_weightinit(monkeypatch):
    """Run the test with ``torch.nn.init`` routed to weightinit.torch; fail it if torch filled a tensor."""
    filled_by_torch = []
    for name in wt._NAMES:
        original = wt._TORCH[name]

        def spy(*args, _name=name, _original=original, **kwargs):
            result = _original(*args, **kwargs)  # raising is fine: torch's error for torch's case
            filled_by_torch.append(_name)
            return result

        monkeypatch.setitem(wt._TORCH, name, spy)
    monkeypatch.setattr(torch_test_utils, "TEST_WITH_SLOW", True)
    with wt.patch_nn_init():
        for name in wt._NAMES:
            assert getattr(vendored.init, name) is wt._PATCHED[name], name
        yield
    assert filled_by_torch == [], f"torch.nn.init's own functions filled tensors: {filled_by_torch}"
    assert vendored.init.uniform_ is wt._ORIGINALS["uniform_"]  # restored for the other test files


def test_the_vendored_classes_are_all_collected():
    # Both vendored classes run here: TestNNInit's tests of every function, and the CPU instance
    # of the device-type class (6 + 2 + 3 + 4 + 4 parametrized trunc_normal_ tests), which
    # instantiate_device_type_tests makes; a silently empty instance would run nothing.
    names = {n for n in dir(TestNNInit) if n.startswith("test_")}
    assert {"test_uniform", "test_normal", "test_trunc_normal_generator", "test_constant", "test_ones_and_zeros",
            "test_eye", "test_dirac_properties", "test_dirac_identity", "test_xavier_uniform", "test_xavier_normal",
            "test_kaiming_uniform", "test_kaiming_normal", "test_sparse_default_std", "test_orthogonal",
            "test_deprecation"} <= names
    cpu = [n for n in dir(TestNNInitDeviceTypeCPU) if n.startswith("test_trunc_normal_")]
    assert len(cpu) == 19 and all(n.endswith("_cpu_" + n.rsplit("_", 1)[1]) for n in cpu)
