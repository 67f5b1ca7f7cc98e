"""Time building PyTorch models with torch's own ``nn.init`` and inside
``weightinit.torch.patch_nn_init(seed=0)``.

Cases (CPU, float32):

- ``8 x Linear(4096, 4096)``: 134 M weights, kaiming_uniform_ + uniform_ per layer;
- ``8 x TransformerEncoderLayer(1024, 16, 4096)``: eight separately constructed layers
  (``nn.Sequential``; ``nn.TransformerEncoder`` would deep-copy one layer instead of
  initializing eight), 101 M weights: xavier_uniform_ and constant_ (attention),
  kaiming_uniform_ and uniform_ (linears), ones_ and zeros_ (layer norms).

Each build is timed end to end (allocation, page faults and initialization), best of
``--repeat`` (default 3), with torch on 2 threads (``torch.set_num_threads(2)``) and weightinit
on its default thread count, and every build in fresh memory (see
``fix_malloc_to_fresh_memory``; ``--malloc-default`` keeps glibc's reuse). The last column is the floor no initializer can beat: allocating
the same parameters and zeroing them with torch (first touch of fresh memory).

    PYTHONPATH=... python benchmarks/model_build.py [--repeat 3] [--threads 2]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
from pathlib import Path

try:  # run from a checkout without installing: python benchmarks/model_build.py
    import weightinit
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

import torch
import weightinit
import weightinit.torch as wt
from torch import nn


def build_linears() -> nn.Module:
    return nn.Sequential(*[nn.Linear(4096, 4096) for _ in range(8)])


def build_transformer() -> nn.Module:
    return nn.Sequential(
        *[nn.TransformerEncoderLayer(d_model=1024, nhead=16, dim_feedforward=4096) for _ in range(8)]
    )


CASES = {
    "8 x Linear(4096, 4096)": build_linears,
    "8 x TransformerEncoderLayer(1024, 16, 4096)": build_transformer,
}


def best_time(build, patched: bool, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        if patched:
            with wt.patch_nn_init(seed=0):
                model = build()
        else:
            model = build()
        dt = time.perf_counter() - t0
        best = min(best, dt)
        del model
    return best


def best_floor(build, repeat: int) -> float:
    """Allocating and zeroing the model's parameters with torch (no model, no init): what fresh
    memory costs (the kernel's page faults) before any random number is made."""
    shapes = [(p.shape, p.dtype) for p in build().parameters()]
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        tensors = [torch.empty(shape, dtype=dtype).zero_() for shape, dtype in shapes]
        best = min(best, time.perf_counter() - t0)
        del tensors
    return best


def fix_malloc_to_fresh_memory() -> bool:
    """Make glibc serve every allocation of 1 MiB or more with a fresh mmap.

    glibc's default mmap threshold moves up (to 32 MiB) as large blocks are freed, after which
    freed tensors' memory is reused without page faults: successive builds then alternate
    between fresh and reused memory and their times by 2-3x. A fixed threshold makes every
    build start from fresh memory, as a process's first model build does.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        m_mmap_threshold = -3
        return bool(libc.mallopt(m_mmap_threshold, 1 << 20))
    except (OSError, AttributeError):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="builds per case and library; the best counts")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (weightinit: its default)")
    parser.add_argument("--malloc-default", action="store_true",
                        help="keep glibc's adaptive mmap threshold (builds may reuse freed memory)")
    args = parser.parse_args(argv)
    fresh = False if args.malloc_default else fix_malloc_to_fresh_memory()

    torch.set_num_threads(args.threads)
    cpu = platform.processor() or platform.machine()
    print(f"torch {torch.__version__}, weightinit {weightinit.__version__}, {os.cpu_count()} logical CPUs ({cpu})")
    print(f"torch threads: {torch.get_num_threads()}, weightinit threads: {weightinit.get_num_threads()}, "
          f"best of {args.repeat}, "
          + ("fresh memory for every build (glibc mmap threshold fixed at 1 MiB)" if fresh else "malloc defaults"))
    params = {name: sum(p.numel() for p in build().parameters()) for name, build in CASES.items()}
    rows = []
    for name, build in CASES.items():
        best_time(build, True, 1)  # warm up both paths (first-touch of the allocator's pools)
        best_time(build, False, 1)
        t_torch = best_time(build, False, args.repeat)
        t_wi = best_time(build, True, args.repeat)
        t_floor = best_floor(build, args.repeat)
        rows.append((name, params[name], t_torch, t_wi, t_floor))

    print()
    print("| model | parameters | torch nn.init (s) | weightinit patch_nn_init (s) | speedup | alloc + zero_ only (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, n, t_torch, t_wi, t_floor in rows:
        print(f"| {name} | {n / 1e6:.0f} M | {t_torch:.3f} | {t_wi:.3f} | {t_torch / t_wi:.1f}x | {t_floor:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
