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
    "weightinit.bit_generator",
    "weightinit.philox",
    "weightinit._runtime",
]
README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run_as_written(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctest examples failed in {name}"


def test_module_docstrings_have_examples():
    # The public initializers and generators each show a runnable example.
    examples = sum(doctest.testmod(importlib.import_module(n), verbose=False).attempted for n in MODULES)
    assert examples >= 20


def test_readme_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no python example"
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})
