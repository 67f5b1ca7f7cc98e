"""The report as a picture: M values/s against size, one panel per thread count and dtype."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from .cases import SINGLE_THREADED


def write_plot(report: dict[str, Any], path: str) -> str | None:
    """M values/s against size, log-log: one panel per (threads, dtype). None if no matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception:
        return None
    results = [r for r in report["results"] if r.get("ok")]
    dtypes = list(dict.fromkeys(r["dtype"] for r in report["results"]))
    threads = sorted({r["threads"] for r in report["results"] if r["library"] in ("weightinit", "ceiling")})
    if not dtypes or not threads:
        return None
    names = list(dict.fromkeys(r["case"] for r in report["results"]))
    library = {r["case"]: r["library"] for r in report["results"]}
    kind = {r["case"]: r["kind"] for r in report["results"]}
    # Colour family per library, shade per case; marker per distribution; dashes for out=.
    families = {"weightinit": "Reds", "numpy": "Blues", "torch": "Greens", "jax": "Purples", "mkl_random": "Oranges", "ceiling": "Greys", "reference": "YlOrBr"}
    colors: dict[str, Any] = {}
    for lib, cmap_name in families.items():
        members = [nm for nm in names if library[nm] == lib]
        cmap = plt.get_cmap(cmap_name)
        for k, nm in enumerate(members):
            colors[nm] = cmap(0.55 + 0.4 * k / max(1, len(members) - 1)) if len(members) > 1 else cmap(0.8)
    markers = {"uniform": "o", "normal": "s", "truncated_normal": "^", "constant": "D"}
    fig, axes = plt.subplots(len(threads), len(dtypes), figsize=(5.4 * len(dtypes), 4.3 * len(threads)),
                             squeeze=False, sharex=True, sharey=True)
    for i, t in enumerate(threads):
        for j, d in enumerate(dtypes):
            ax = axes[i][j]
            for name in names:
                pts = sorted((r["n"], r["mvalues_per_s"]) for r in results if r["case"] == name and r["dtype"] == d
                             and (r["threads"] == t or r["library"] in SINGLE_THREADED))
                if not pts:
                    continue
                lib = library[name]
                style = "--" if "out=" in name else {"ceiling": ":", "reference": ":", "numpy": "-.", "mkl_random": "-."}.get(lib, "-")
                ax.plot([p[0] for p in pts], [p[1] for p in pts], style, marker=markers.get(kind[name], "o"), ms=4,
                        lw=2.2 if lib == "weightinit" else 1.5, color=colors.get(name, "grey"), label=name)
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.grid(True, which="both", alpha=0.3)
            ax.set_title(f"{d}, {t} thread{'s' if t > 1 else ''} (NumPy: 1)")
            if i == len(threads) - 1:
                ax.set_xlabel("elements per call")
            if j == 0:
                ax.set_ylabel("M values/s (output)")
    handles, labels = {}, []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in handles:
                handles[lab] = h
                labels.append(lab)
    fig.legend([handles[lab] for lab in labels], labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8, frameon=False)
    m = report["machine"]
    fig.suptitle(f"weightinit vs peers, output values per second (higher is better): {m['cpu_model']}, "
                 f"{m['logical_cpus']} CPUs, {m['date'][:10]}\nweightinit solid (out= dashed), NumPy dash-dot "
                 "(1 thread), ceiling = weightinit.zeros dotted; o uniform, s normal, ^ truncated normal", fontsize=10)
    rows_of_legend = math.ceil(len(labels) / 4)
    fig.tight_layout(rect=(0, (0.1 + 0.16 * rows_of_legend) / fig.get_figheight(), 1, 0.95))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
