"""The report as text: the table printed after a run, and a compact Markdown pivot for the README."""

from __future__ import annotations

from typing import Any

from .cases import HUGE_SIZE, SINGLE_THREADED, format_n
from .machine import CONTENDED_CPUS

COLUMNS = ["case", "dtype", "n", "threads", "M values/s", "GB/s", "x NumPy", "x NumPy Philox", "of ceiling", "of limit"]


def _fmt(v: float | None, spec: str, suffix: str = "") -> str:
    return "-" if v is None else format(v, spec) + suffix


def _rate(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 else f"{v:.2f}" if v < 1 else f"{v:.1f}"


def _row_cells(r: dict[str, Any]) -> list[str]:
    head = [r["case"], r["dtype"], format_n(r["n"]), str(r["threads"])]
    if not r.get("ok"):
        return head + ["n/a"] * 6
    return head + [
        _rate(r["mvalues_per_s"]) + ("!" if r.get("contended") else ""),
        _fmt(r["gb_per_s"], ".2f"),
        _fmt(r["speedup_vs_numpy"], ".2f", "x"),
        _fmt(r["speedup_vs_numpy_philox"], ".2f", "x"),
        _fmt(None if r["fraction_of_ceiling"] is None else 100 * r["fraction_of_ceiling"], ".0f", "%"),
        _fmt(None if r.get("fraction_of_limit") is None else 100 * r["fraction_of_limit"], ".0f", "%"),
    ]


def format_table(report: dict[str, Any]) -> str:
    results = report["results"]
    rows = [_row_cells(r) for r in results]
    widths = [max(len(c), *(len(row[i]) for row in rows)) if rows else len(c) for i, c in enumerate(COLUMNS)]
    left = {0, 1}

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    m = report["machine"]
    out = [
        f"weightinit {m['weightinit_info']['weightinit']} on {m['cpu_model']} ({m['logical_cpus']} logical CPUs), "
        f"NumPy {m['numpy']}" + (f", torch {m['torch']}" if m["torch"] else "") + (f", jax {m['jax']}" if m["jax"] else ""),
        "M values/s and GB/s of output, best of reps; x NumPy: speedup over the same run's NumPy "
        "default_rng (PCG64) recipe, uniform vs uniform, normal/truncated vs normal; "
        "of ceiling: fraction of weightinit.zeros of the same size, dtype and threads (into out= for out= rows); "
        "of limit (fresh weightinit rows): fraction of the additive limit, the rate of zeroing the fresh pages "
        "(ceiling zeros) plus computing at the per-core in-cache kernel rate (table below) x threads; "
        "(reference) rows: NumPy's own 1-thread constant fill, to show how close that ceiling is to the memory; "
        "NumPy rows run on 1 thread.",
        "",
        line(COLUMNS),
        line(["-" * w for w in widths]),
    ]
    previous = None
    for r, cells in zip(results, rows):
        group = (r["dtype"], r["n"])
        if previous is not None and group != previous:
            out.append("")
        previous = group
        out.append(line(cells))
    failures = [r for r in results if not r.get("ok")]
    if failures:
        out += ["", "n/a:"] + [f"  {r['case']} {r['dtype']} {format_n(r['n'])} threads={r['threads']}: {r['error']}" for r in failures]
    contended = [r for r in results if r.get("contended")]
    if contended:
        out += ["", f"! {len(contended)} of {len(results)} cases ran while other processes kept >= {CONTENDED_CPUS} CPUs "
                "busy on average: their numbers are unreliable (rerun on a quiet machine)."]
    missing = {k: v for k, v in report["peers"].items() if not v.startswith("ok") and k != "threadpoolctl"}
    if missing:
        out += ["", "skipped peers: " + "; ".join(f"{k}: {v}" for k, v in missing.items())]
    torch_threads = sorted({r["torch_threads"] for r in results if "torch_threads" in r})
    if torch_threads:
        out.append(f"torch intra-op threads used (torch.get_num_threads()): {', '.join(map(str, torch_threads))}")
    return "\n".join(out)


def format_markdown(report: dict[str, Any]) -> str:
    """A compact pivot for the README: one row per case (all-threads rows and single-threaded
    peers), one column per dtype at the smallest and largest measured size (below ``--huge``)."""
    results = [r for r in report["results"]]
    if not results:
        return ""
    sizes = sorted({r["n"] for r in results})
    big = [n for n in sizes if n < HUGE_SIZE] or sizes
    keep_sizes = sorted({sizes[0], big[-1]})
    dtypes = list(dict.fromkeys(r["dtype"] for r in results))
    top = max(r["threads"] for r in results)
    rows = [r for r in results if r["n"] in keep_sizes and (r["threads"] == top or r["library"] in SINGLE_THREADED)]
    cases = list(dict.fromkeys((r["case"], r["threads"]) for r in rows))
    cell = {(r["case"], r["threads"], r["dtype"], r["n"]): r for r in rows}
    cols = [(d, n) for d in dtypes for n in keep_sizes]
    m = report["machine"]
    lines = [
        f"M values/s (speedup over NumPy `default_rng()` of the same kind), {m['cpu_model']}, "
        f"{top} threads for weightinit and torch, NumPy {m['numpy']}" + (f", torch {m['torch']}" if m["torch"] else "") + ":",
        "",
        "| case | threads | " + " | ".join(f"{d} {format_n(n)}" for d, n in cols) + " |",
        "|---|---:|" + "---:|" * len(cols),
    ]
    for name, t in cases:
        cells = []
        for d, n in cols:
            r = cell.get((name, t, d, n))
            if r is None:
                cells.append("")
            elif not r.get("ok"):
                cells.append("n/a")
            else:
                s = r["speedup_vs_numpy"]
                extra = f" ({s:.1f}x)" if s is not None and r["library"] != "numpy" else ""
                if r["library"] in ("ceiling", "reference"):
                    extra = f" ({r['gb_per_s']:.1f} GB/s)"
                cells.append(f"{_rate(r['mvalues_per_s'])}{'!' if r.get('contended') else ''}{extra}")
        lines.append(f"| {name} | {t} | " + " | ".join(cells) + " |")
    if any(r["library"] == "reference" for r in rows):
        lines += ["", "(reference): NumPy's own single-threaded constant fill, for scale."]
    if any(r.get("contended") for r in rows):
        lines += ["", "! other processes were busy during this measurement."]
    return "\n".join(lines)
