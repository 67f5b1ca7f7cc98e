"""Benchmark weightinit against NumPy, PyTorch, JAX and mkl_random (those installed).

The same benchmark as ``python -m weightinit bench``; run from the repository root once
weightinit is installed::

    python benchmarks/bench.py --quick            # < 1 minute
    python benchmarks/bench.py --markdown         # full run, plus a table for the README
    python benchmarks/bench.py --help

Results go to benchmarks/results/bench.json (and bench.png with matplotlib).
"""

import sys

from weightinit._bench import main

if __name__ == "__main__":
    sys.exit(main(prog="benchmarks/bench.py"))
