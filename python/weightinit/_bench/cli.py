"""``python -m weightinit bench``'s command line: options, the run, the table, the JSON and the plot."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .._runtime import get_num_threads
from . import generator as generator_section
from .cases import HUGE_SIZE
from .._progress import progress
from .machine import package_version
from .limits import format_kernels
from .plot import write_plot
from .report import format_markdown, format_table
from .run import run
from .timing import Timing

DEFAULT_JSON = os.path.join("benchmarks", "results", "bench.json")
FULL_SIZES = [1000, 2**16, 2**20, 2**26]
QUICK_SIZES = [1000, 2**24]
FULL_DTYPES = ["float32", "float64", "bfloat16"]
QUICK_DTYPES = ["float32", "bfloat16"]

def _size(text: str) -> int:
    t = text.replace("**", "^").replace(",", "").replace("_", "")
    try:
        if "^" in t:
            b, e = t.split("^")
            v = int(b) ** int(e)
        else:
            v = int(float(t))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use e.g. 1000, 65536 or 2^20)") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"size must be >= 1, got {text!r}")
    return v


def build_parser(prog: str = "python -m weightinit bench") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Benchmark weightinit against NumPy (and PyTorch, JAX, mkl_random where installed): "
        "M values/s, GB/s, speedup over NumPy and fraction of the memory ceiling.",
    )
    p.add_argument("--quick", action="store_true", help="sizes 1,000 and 2^24, float32 and bfloat16, all threads only (< 1 min)")
    p.add_argument("--huge", action="store_true", help="also 2^28 elements (1 GiB in float32, 2 GiB in float64)")
    p.add_argument("--dtypes", nargs="+", choices=["float32", "float64", "bfloat16"], help="dtypes to run (default: all three; --quick: float32 bfloat16)")
    p.add_argument("--json", default=DEFAULT_JSON, metavar="PATH", help=f"where to write the results (default {DEFAULT_JSON})")
    p.add_argument("--plot", default=None, metavar="PATH", help="PNG plot path (default: next to the JSON; needs matplotlib)")
    p.add_argument("--no-plot", action="store_true", help="do not draw the plot")
    p.add_argument("--no-out", action="store_true", help="skip the out= (preallocated buffer) cases")
    p.add_argument("--markdown", action="store_true", help="also print a compact Markdown table for the README")
    p.add_argument("--no-generator", action="store_true", help="skip the Generator section (weightinit.Generator against NumPy's own calls)")
    p.add_argument("--generator-only", action="store_true", help="run only the Generator section")
    p.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    # Hidden: for smoke tests and special runs.
    p.add_argument("--sizes", nargs="+", type=_size, help=argparse.SUPPRESS)
    p.add_argument("--threads", nargs="+", type=int, help=argparse.SUPPRESS)
    p.add_argument("--reps", type=int, help=argparse.SUPPRESS)
    p.add_argument("--min-time", type=float, help=argparse.SUPPRESS)
    p.add_argument("--skip", nargs="+", default=[], choices=["torch", "jax", "mkl_random", "threadpoolctl"], help=argparse.SUPPRESS)
    return p


def _generator_section(args: argparse.Namespace, all_threads: int, timing: Timing) -> list[dict]:
    """Sizes 1,000 and 2^24 (or --sizes); 1 thread and all (--quick: all threads, Philox and PCG64,
    one variant per method)."""
    sizes = sorted(set(args.sizes)) if args.sizes else [1000, 2**24]
    threads = sorted(set(args.threads)) if args.threads else ([all_threads] if args.quick else sorted({1, all_threads}))
    bit_generators = generator_section.QUICK_BIT_GENERATORS if args.quick else tuple(generator_section.BIT_GENERATORS)
    rows = generator_section.plan(sizes, threads, bit_generators)
    if args.quick:  # the first variant of each method only
        first: dict[str, str] = {}
        for method, variant in generator_section.CALLS:
            first.setdefault(method, variant)
        rows = [r for r in rows if first[r["method"]] == r["variant"]]
    bar = progress(len(rows), "bench: Generator", unit="cases", quiet=args.quiet)
    try:
        # Five alternations a row (two with --quick): on a shared VM two threads' speed swings by
        # up to 1.5x between phases of a minute or so, and each side keeps its best.
        return generator_section.run(rows, timing, on_row=lambda label: (bar.note(label), bar.update(1)),
                                     rounds=2 if args.quick else 5)
    finally:
        bar.close()


def main(argv: list[str] | None = None, prog: str = "python -m weightinit bench") -> int:
    args = build_parser(prog).parse_args(argv)
    all_threads = get_num_threads()
    if args.sizes:
        sizes = sorted(set(args.sizes))
    else:
        sizes = list(QUICK_SIZES if args.quick else FULL_SIZES)
    if args.huge and HUGE_SIZE not in sizes:
        sizes.append(HUGE_SIZE)
    dtypes = args.dtypes or (QUICK_DTYPES if args.quick else FULL_DTYPES)
    if args.threads:
        if any(t < 1 for t in args.threads):
            build_parser(prog).error("--threads must be >= 1")
        threads = sorted(set(args.threads))
    else:
        threads = [all_threads] if args.quick else sorted({1, all_threads})
    timing = Timing(min_time=0.1, rep_time=0.01, min_reps=2, max_reps=20) if args.quick else Timing()
    if args.min_time is not None:
        timing.min_time = args.min_time
    if args.reps is not None:
        if args.reps < 1:
            build_parser(prog).error("--reps must be >= 1")
        timing.fixed_reps = args.reps

    if args.generator_only:
        report = {"schema": 1, "settings": {}, "results": []}
    else:
        report = run(sizes, dtypes, threads, timing, with_out=not args.no_out, quiet=args.quiet, skip_peers=tuple(args.skip))
        print(format_table(report))
        print()
        print(format_kernels(report["kernels"]))
        if args.markdown:
            print()
            print(format_markdown(report))
            print()
            print(format_kernels(report["kernels"], markdown=True))
    report["settings"]["mode"] = "quick" if args.quick else "full"
    report["settings"]["argv"] = list(sys.argv[1:] if argv is None else argv)

    if not args.no_generator:
        report["generator"] = _generator_section(args, all_threads, timing)
        print()
        print("Generator: each accelerated method against NumPy's own call on the same bit generator (same numbers)")
        print(generator_section.format_table(report["generator"]))
        if args.markdown:
            print()
            print(generator_section.format_compact(report["generator"]))

    status = 0
    json_path = args.json
    try:
        Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        with open(json_path, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1, default=str)
            f.write("\n")
        if not args.quiet:
            print(f"results: {json_path}", file=sys.stderr)
    except OSError as e:
        print(f"could not write {json_path}: {e}", file=sys.stderr)
        status = 1
    if not args.no_plot and report["results"]:
        plot_path = args.plot or str(Path(json_path).with_suffix(".png"))
        try:
            done = write_plot(report, plot_path)
        except Exception as e:  # a plot is a convenience, never a failure
            done = None
            print(f"plot failed: {e.__class__.__name__}: {e}", file=sys.stderr)
        if not args.quiet:
            if done:
                print(f"plot: {done}", file=sys.stderr)
            elif not package_version("matplotlib"):
                print("plot: skipped (matplotlib not installed)", file=sys.stderr)
    return status

