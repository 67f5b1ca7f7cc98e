"""``python -m weightinit bench``: weightinit against NumPy, PyTorch, JAX and mkl_random.

Every peer is called the way a user would call it, into fresh memory:

- NumPy, ``default_rng()`` (PCG64) and ``Generator(Philox())``: uniform = ``random(shape,
  dtype)`` then ``x *= 2 * a; x -= a``; normal = ``standard_normal(shape, dtype)`` then
  ``x *= std``; bfloat16 = the float32 recipe, then ``.astype(ml_dtypes.bfloat16)``;
- weightinit ``glorot_uniform``, ``he_normal``, ``truncated_normal`` (fresh output, ``seed=0``),
  and ``glorot_uniform``/``he_normal`` with ``out=`` a preallocated buffer;
- where installed: PyTorch ``xavier_uniform_``, ``kaiming_normal_``, ``trunc_normal_`` on a
  fresh ``torch.empty``; JAX ``glorot_uniform()``, ``he_normal()``, ``truncated_normal()`` with
  ``block_until_ready()``; mkl_random ``standard_normal``;
- the memory ceiling: ``weightinit.zeros`` into a fresh array (and into ``out=``);
- the compute limit, per core and in cache: Philox4x32-10's word rate and each kernel's fraction
  of it, and for fresh arrays the additive limit (page zeroing plus kernel time), :mod:`.limits`.

Each case reports the best of several repetitions (small sizes time a loop of many calls), the
output rate (M values/s, GB/s of output), the speedup over the matching NumPy recipe of the same
run (uniform against NumPy's uniform, normal and truncated normal against NumPy's normal) and the
fraction of the memory ceiling of the same size, dtype and thread count. A peer that is missing
is skipped; a peer that fails is reported as n/a. Timings are never asserted anywhere.

One module per part: :mod:`.cases` (what is measured), :mod:`.machine` (facts about the machine
and the peers), :mod:`.limits` (the compute limit and the additive limit), :mod:`.timing` (how a
case is timed), :mod:`.run` (the run), :mod:`.report`
(table and Markdown), :mod:`.plot` (the picture) and :mod:`.cli` (the command line).
"""

from __future__ import annotations

from .cases import Case, build_plan, format_n, shape_for
from .cli import build_parser, main
from .limits import additive_limit, format_kernels, measure_kernels
from .machine import machine_info
from .plot import write_plot
from .report import COLUMNS, format_markdown, format_table
from .run import run, run_case
from .timing import Timing, measure

__all__ = [
    "COLUMNS",
    "Case",
    "Timing",
    "additive_limit",
    "format_kernels",
    "measure_kernels",
    "build_parser",
    "build_plan",
    "format_markdown",
    "format_n",
    "format_table",
    "machine_info",
    "main",
    "measure",
    "run",
    "run_case",
    "shape_for",
    "write_plot",
]
