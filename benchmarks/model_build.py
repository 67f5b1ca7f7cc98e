"""Time building PyTorch models with torch's own ``nn.init`` and inside
``weightinit.torch.patch_nn_init(seed=0)``, in one process and sharded over 2 processes.

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

The sharded build (``--world-size``, default 2; ``--no-sharded`` skips it, ``--sharded-only``
runs only it) is the recipe for large models: each rank builds the model on the meta device,
shards every layer and the whole with FSDP2's ``fully_shard`` (gloo, CPU, one thread per rank),
materializes its shards with ``to_empty(device="cpu")`` and initializes them: with torch's own
``nn.init`` (every module's ``reset_parameters()``, children first: DTensor's random operators)
or with ``weightinit.torch.init_module(model, seed=0)`` (the same calls, routed to weightinit).
A build's time is the slowest rank's, end to end (meta build, sharding, allocation, init); the
floor is the same build with the shards zeroed instead of initialized. The last column says
whether the first layer's gathered weights equal that layer built by one process with the same
seed (``torch.manual_seed(0)`` for torch, ``patch_nn_init(seed=0)`` for weightinit): torch's
sharded random numbers depend on the sharding (pytorch/pytorch#168058), weightinit's do not.

``--tiny`` builds small models (a test runs the script that way).

    PYTHONPATH=... python benchmarks/model_build.py [--repeat 3] [--threads 2] [--world-size 2]
"""

from __future__ import annotations

import argparse
import faulthandler
import gc
import json
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Callable

try:  # run from a checkout without installing: python benchmarks/model_build.py
    import weightinit
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

import torch
import weightinit
import weightinit.torch as wt
from torch import nn


#: (layers, Linear width) and (layers, d_model, heads, feed-forward width) of the two models;
#: --tiny makes them small.
SIZES = {False: ((8, 4096), (8, 1024, 16, 4096)), True: ((2, 64), (2, 32, 4, 64))}


def cases(tiny: bool = False) -> dict[str, Callable[[], nn.Module]]:
    """The models, by name: each an ``nn.Sequential`` of separately constructed layers."""
    (n_lin, width), (n_tr, d_model, heads, ff) = SIZES[tiny]

    def build_linears() -> nn.Module:
        return nn.Sequential(*[nn.Linear(width, width) for _ in range(n_lin)])

    def build_transformer() -> nn.Module:
        return nn.Sequential(
            *[nn.TransformerEncoderLayer(d_model=d_model, nhead=heads, dim_feedforward=ff) for _ in range(n_tr)]
        )

    return {
        f"{n_lin} x Linear({width}, {width})": build_linears,
        f"{n_tr} x TransformerEncoderLayer({d_model}, {heads}, {ff})": build_transformer,
    }


CASES = cases()


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


# ---------------------------------------------------------------------------------------------
# Sharded builds
# ---------------------------------------------------------------------------------------------

SHARDED_WAYS = ("torch", "weightinit", "floor")


def _build_sharded(build: Callable[[], nn.Module], mesh) -> nn.Module:
    """``build()`` on the meta device, every layer and the whole sharded with FSDP2, then
    materialized (uninitialized) on the CPU."""
    from torch.distributed.fsdp import fully_shard

    with torch.device("meta"):
        model = build()
    for layer in model:
        fully_shard(layer, mesh=mesh)
    fully_shard(model, mesh=mesh)
    return model.to_empty(device="cpu")


def _initialize(model: nn.Module, way: str) -> None:
    """Initialize the sharded ``model`` one way: torch's own ``nn.init``, weightinit's, or zeros (the floor)."""
    from weightinit._torch_keys import reset_walk

    if way == "torch":
        reset_walk(model)  # init_module's order: every reset_parameters(), children first
    elif way == "weightinit":
        wt.init_module(model, seed=0)
    else:
        with torch.no_grad():
            for p in model.parameters():
                p.to_local().zero_()


def _first_layer_matches(model: nn.Module, build: Callable[[], nn.Module], way: str) -> bool:
    """Whether the sharded model's first layer, gathered, equals that layer built by one process
    with the same seed (the first layer draws first in both)."""
    if way == "torch":
        torch.manual_seed(0)
        single = build()[0]
    else:
        with wt.patch_nn_init(seed=0):
            single = build()[0]
    want = single.state_dict()
    got = {k: v.full_tensor() if hasattr(v, "full_tensor") else v for k, v in model[0].state_dict().items()}
    return got.keys() == want.keys() and all(torch.equal(got[k], want[k]) for k in want)


def _sharded_rank(rank: int, world: int, directory: str, tiny: bool, repeat: int, threads: int) -> None:
    """One rank: every case, every way, ``repeat`` timed builds after one untimed (which also
    checks the first layer); rank 0 writes the slowest rank's best times to ``result.json``."""
    import torch.distributed as dist
    from torch.distributed.device_mesh import init_device_mesh

    # torch's own init on a CPU mesh warns that DTensor's random operators "may not have complete
    # support" there; it works (and is what this compares against).
    warnings.filterwarnings("ignore", message="DTensor random operators may not have complete support")
    faulthandler.enable()  # a crash in a rank prints where each thread was
    fix_malloc_to_fresh_memory()
    torch.set_num_threads(threads)
    weightinit.set_num_threads(threads)
    dist.init_process_group("gloo", init_method=f"file://{directory}/store", rank=rank, world_size=world)
    try:
        mesh = init_device_mesh("cpu", (world,))
        result = {}
        for name, build in cases(tiny).items():
            row: dict[str, object] = {}
            for way in SHARDED_WAYS:
                best = float("inf")
                for attempt in range(repeat + 1):
                    gc.collect()
                    dist.barrier()
                    t0 = time.perf_counter()
                    model = _build_sharded(build, mesh)
                    _initialize(model, way)
                    elapsed = torch.tensor([time.perf_counter() - t0], dtype=torch.float64)
                    dist.all_reduce(elapsed, op=dist.ReduceOp.MAX)  # the build ends with the slowest rank
                    if attempt == 0 and way != "floor":
                        row[f"{way} equals one process"] = _first_layer_matches(model, build, way)
                    elif attempt > 0:
                        best = min(best, float(elapsed))
                    del model
                row[way] = best
            result[name] = row
        if rank == 0:
            Path(directory, "result.json").write_text(json.dumps(result))
        dist.barrier()
    finally:
        dist.destroy_process_group()
    end_rank_without_finalization()


def end_rank_without_finalization() -> None:
    """End a spawned rank that has finished its work, skipping the interpreter's finalization.

    After ``destroy_process_group`` the device mesh still holds the gloo backend, whose threads
    (``gloo_tcp_loop``, ``pt_gloo_runloop``) are still running when a spawned process exits;
    finalization racing them aborted a rank with "terminate called without an active
    exception" (once in CI; not in 60 runs on the development VM). Nothing is left to clean up,
    so the rank ends here, with exit status 0.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def sharded_builds(world: int, tiny: bool, repeat: int, threads: int) -> dict[str, dict[str, object]]:
    """Run the sharded builds on ``world`` spawned ranks (gloo on the loopback interface)."""
    import torch.multiprocessing as mp

    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    with tempfile.TemporaryDirectory() as directory:
        mp.spawn(_sharded_rank, args=(world, directory, tiny, repeat, threads), nprocs=world, join=True)
        return json.loads(Path(directory, "result.json").read_text())


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def _count(n: int) -> str:
    return f"{n / 1e6:.0f} M" if n >= 10**6 else f"{n:,}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="builds per case and library; the best counts")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (weightinit: its default)")
    parser.add_argument("--malloc-default", action="store_true",
                        help="keep glibc's adaptive mmap threshold (builds may reuse freed memory)")
    parser.add_argument("--world-size", type=int, default=2, help="ranks of the sharded build (default 2)")
    parser.add_argument("--rank-threads", type=int, default=1, help="torch and weightinit threads per rank (default 1)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--no-sharded", action="store_true", help="only the single-process builds")
    which.add_argument("--sharded-only", action="store_true", help="only the sharded builds")
    parser.add_argument("--tiny", action="store_true", help="small models (for tests)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.threads < 1 or args.world_size < 1 or args.rank_threads < 1:
        parser.error("--repeat, --threads, --world-size and --rank-threads must be at least 1")
    fresh = False if args.malloc_default else fix_malloc_to_fresh_memory()
    build_cases = cases(args.tiny)

    torch.set_num_threads(args.threads)
    cpu = platform.processor() or platform.machine()
    print(f"torch {torch.__version__}, weightinit {weightinit.__version__}, {os.cpu_count()} logical CPUs ({cpu})")
    params = {name: sum(p.numel() for p in build().parameters()) for name, build in build_cases.items()}
    if not args.sharded_only:
        print(f"torch threads: {torch.get_num_threads()}, weightinit threads: {weightinit.get_num_threads()}, "
              f"best of {args.repeat}, "
              + ("fresh memory for every build (glibc mmap threshold fixed at 1 MiB)" if fresh else "malloc defaults"))
        rows = []
        for name, build in build_cases.items():
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
            print(f"| {name} | {_count(n)} | {t_torch:.3f} | {t_wi:.3f} | {t_torch / t_wi:.1f}x | {t_floor:.3f} |")
    if not args.no_sharded:
        print()
        print(f"Sharded: FSDP2 over {args.world_size} ranks (gloo, CPU), {args.rank_threads} thread(s) per rank, "
              f"best of {args.repeat}, the slowest rank's time: meta build, fully_shard, to_empty, initialization")
        results = sharded_builds(args.world_size, args.tiny, args.repeat, args.rank_threads)
        print()
        print("| model | parameters | torch nn.init, sharded (s) | weightinit init_module, sharded (s) | speedup "
              "| to_empty + zero_ only (s) | equals one process's weights: torch / weightinit |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for name, row in results.items():
            same = " / ".join("yes" if row[f"{way} equals one process"] else "no" for way in ("torch", "weightinit"))
            print(f"| {name} | {_count(params[name])} | {row['torch']:.3f} | {row['weightinit']:.3f} "
                  f"| {row['torch'] / row['weightinit']:.1f}x | {row['floor']:.3f} | {same} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
