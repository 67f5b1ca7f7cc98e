"""The documentation runs as written: every docstring example (doctest) and the README's Python
examples."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

MODULES = [
    "weightinit",
    "weightinit.initializers",
    "weightinit.generator",
    "weightinit.philox",
    "weightinit._runtime",
]
OPTIONAL_MODULES = {"weightinit.dask": "dask.array", "weightinit.torch": "torch"}
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("name", MODULES + sorted(OPTIONAL_MODULES))
def test_docstring_examples_run_as_written(name):
    if name in OPTIONAL_MODULES:
        pytest.importorskip(OPTIONAL_MODULES[name])
    module = importlib.import_module(name)
    result = doctest.testmod(module, verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctest examples failed in {name}"


def test_module_docstrings_have_examples():
    # The public initializers and generators each show a runnable example.
    examples = sum(doctest.testmod(importlib.import_module(n), verbose=False).attempted for n in MODULES)
    assert examples >= 20


README_BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
#: A README example that uses an optional integration runs where that package is installed.
NEEDS = {"weightinit.dask": "dask.array", "torch": "torch", "threadpoolctl": "threadpoolctl"}


def test_readme_has_python_examples():
    assert len(README_BLOCKS) >= 3


@pytest.mark.parametrize("block", README_BLOCKS, ids=[f"example{k}" for k in range(len(README_BLOCKS))])
def test_readme_python_examples_run(block):
    for marker, module in NEEDS.items():
        if re.search(rf"^\s*(import|from) {re.escape(marker)}\b", block, flags=re.M):
            pytest.importorskip(module)
    exec(compile(block, str(README), "exec"), {})
