"""The ranks of tests/test_torch_sharded.py: ``python sharded_workers.py SCENARIO WORLD_SIZE DIR``.

This process is the single process of each comparison: it makes the unsharded reference (plain
CPU tensors, no process group) and saves it in DIR; then it starts WORLD_SIZE ranks with
``torch.multiprocessing.spawn`` (gloo over the loopback interface, a file store in DIR), and each
rank makes the same tensors sharded and checks them against the reference, bit for bit: the
gathered global tensor (``full_tensor()``) and its own local shard. Any failed check raises in
its rank, which makes ``spawn`` (and this process) fail with that rank's traceback.

Scenarios:

- ``initializers``: every random and deterministic function of weightinit.torch on DTensors of
  several shapes (uneven ones too) and placements: ``Shard(d)`` for each dimension and
  ``Replicate`` on a 1-D mesh; ``(Shard(0), Shard(1))``, ``(Replicate, Shard(0))``,
  ``(Shard(1), Shard(1))`` and FSDP2-on-TP's ``(_StridedShard(0), Shard(0))`` on a 2-D mesh.
  The element-wise random functions must also sample exactly as many values as the local shard
  holds (only the local shard is computed).
- ``models``: a small transformer (embedding, attention, MLP, layer norms, nn.MultiheadAttention)
  built on the meta device, sharded with FSDP2 ``fully_shard``, with ``parallelize_module``
  (column- and row-wise plans) and with both on a 2-D mesh, materialized with
  ``to_empty(device="cpu")`` and initialized with ``init_module``: equal to the model one process
  builds inside ``patch_nn_init`` with the same seed; the same with ``by_name=True`` for a model
  with one more block, whose other weights are those of the smaller model.
"""

from __future__ import annotations

import faulthandler
import math
import os
import sys
import warnings
from pathlib import Path

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

import weightinit.torch as wt

SEED = 20251129


def mesh_2d(world: int) -> tuple[int, int]:
    """The 2-D mesh shape of a world size: two rows (one for a single rank)."""
    rows = min(2, world)
    return rows, world // rows

# ---------------------------------------------------------------------------------------------
# The initializers
# ---------------------------------------------------------------------------------------------

#: (function, positional arguments after the tensor, shapes, dtype)
INIT_CASES = [
    ("uniform_", (-0.5, 2.0), [(7, 5), (9,), (3, 10)], torch.float32),
    ("normal_", (0.5, 3.0), [(7, 5), (2, 3, 5)], torch.float32),
    ("normal_", (0.0, 0.02), [(7, 6)], torch.bfloat16),
    ("trunc_normal_", (0.0, 1.0, -1.0, 0.5), [(7, 5), (3, 10)], torch.float32),
    ("xavier_uniform_", (), [(7, 5), (6, 4, 3, 3)], torch.float32),
    ("xavier_normal_", (0.7,), [(7, 5)], torch.float64),
    ("kaiming_uniform_", (math.sqrt(5),), [(7, 5), (6, 4, 3, 3)], torch.float32),
    ("kaiming_normal_", (0, "fan_out", "relu"), [(7, 5), (5, 3, 2)], torch.float16),
    ("orthogonal_", (1.3,), [(7, 5), (3, 10), (6, 4, 3)], torch.float32),
    ("sparse_", (0.3, 0.05), [(7, 5), (10, 3)], torch.float32),
    ("constant_", (0.25,), [(7, 5), (9,)], torch.float32),
    ("zeros_", (), [(7, 5)], torch.float32),
    ("ones_", (), [(7, 5)], torch.bfloat16),
    ("eye_", (), [(7, 5), (3, 10)], torch.float32),
    ("dirac_", (), [(6, 4, 3), (5, 3, 3, 3)], torch.float32),
    ("dirac_", (3,), [(6, 3, 3, 2)], torch.float32),
]


def placements_for(ndim: int, mesh_ndim: int, world: int) -> list[tuple]:
    from torch.distributed.tensor import Replicate, Shard
    from torch.distributed.tensor.placement_types import _StridedShard

    if mesh_ndim == 1:
        return [(Shard(d),) for d in range(ndim)] + [(Replicate(),)]
    found = [(Replicate(), Shard(0)), (_StridedShard(0, split_factor=mesh_2d(world)[1]), Shard(0))]
    if ndim >= 2:
        found += [(Shard(0), Shard(1)), (Shard(1), Shard(1))]
    return found


def bits(t: torch.Tensor) -> torch.Tensor:
    return t.detach().contiguous().view({2: torch.int16, 4: torch.int32, 8: torch.int64}[t.element_size()])


def check_equal(got: torch.Tensor, want: torch.Tensor, what: str) -> None:
    if got.shape != want.shape or got.dtype != want.dtype or not torch.equal(bits(got), bits(want)):
        diff = "shapes differ" if got.shape != want.shape else (
            f"{int((bits(got) != bits(want)).sum())} elements differ, the first at {(bits(got) != bits(want)).nonzero()[0].tolist()}")
        raise AssertionError(f"{what}: {diff} (got shape {tuple(got.shape)}, want {tuple(want.shape)})")


def local_region(dt) -> tuple[slice, ...] | None:
    """The local shard's region by DTensor's own arithmetic, where it is one block."""
    from torch.distributed.tensor import Replicate, Shard
    from torch.distributed.tensor._utils import compute_local_shape_and_global_offset

    if not all(type(p) in (Shard, Replicate) for p in dt.placements):
        return None
    shape, offset = compute_local_shape_and_global_offset(dt.shape, dt.device_mesh, dt.placements)
    return tuple(slice(o, o + n) for o, n in zip(offset, shape))


def initializer_reference(directory: Path) -> None:
    torch.set_num_threads(1)  # orthogonal_'s QR: the ranks use the same count
    refs = {}
    for name, args, shapes, dtype in INIT_CASES:
        for shape in shapes:
            refs[(name, args, shape)] = getattr(wt, name)(torch.empty(shape, dtype=dtype), *args, **_seed_kw(name))
    g = torch.Generator().manual_seed(7)
    refs["generator"] = [wt.kaiming_uniform_(torch.empty(7, 5), generator=g) for _ in range(2)]
    torch.save(refs, directory / "initializers.pt")


#: The functions whose every element is one sample: a rank samples exactly its local shard.
#: (orthogonal_ draws the whole matrix on every rank, sparse_ also the zero-choosing uniforms of
#: its columns; the deterministic functions sample nothing.)
ELEMENTWISE = {"uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
               "kaiming_normal_"}


def count_samples() -> list[int]:
    """Wrap weightinit's samplers as weightinit.torch calls them; the list gets the number of
    values each call makes (the size of ``out=``, else of the result)."""
    import numpy as np

    counts: list[int] = []
    for kind in ("uniform", "normal", "truncated_normal"):
        real = getattr(wt._wi, kind)

        def counted(*args, _real=real, **kwargs):
            result = _real(*args, **kwargs)
            counts.append(int(np.size(kwargs["out"] if kwargs.get("out") is not None else result)))
            return result

        setattr(wt._wi, kind, counted)
    return counts


def _seed_kw(name: str) -> dict:
    return {"seed": SEED} if name not in ("constant_", "zeros_", "ones_", "eye_", "dirac_") else {}


def initializer_ranks(rank: int, world: int, directory: Path) -> None:
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import Shard
    from torch.distributed.tensor import empty as dtensor_empty

    torch.set_num_threads(1)
    refs = torch.load(directory / "initializers.pt")
    meshes = [init_device_mesh("cpu", (world,)), init_device_mesh("cpu", mesh_2d(world))]
    sampled = count_samples()
    checked = 0
    for name, args, shapes, dtype in INIT_CASES:
        for shape in shapes:
            ref = refs[(name, args, shape)]
            for mesh in meshes:
                for placements in placements_for(len(shape), mesh.ndim, world):
                    what = f"rank {rank}: {name}{args} on {shape} {dtype}, placements {placements}"
                    dt = dtensor_empty(shape, dtype=dtype, device_mesh=mesh, placements=placements)
                    sampled.clear()
                    assert getattr(wt, name)(dt, *args, **_seed_kw(name)) is dt
                    if name in ELEMENTWISE and sum(sampled) != dt.to_local().numel():
                        raise AssertionError(f"{what}: sampled {sum(sampled)} values for a local shard of {dt.to_local().numel()}")
                    check_equal(dt.full_tensor(), ref, what + " (gathered)")
                    region = local_region(dt)
                    if region is not None:
                        check_equal(dt.to_local(), ref[region], what + " (local shard)")
                    checked += 1
    # A torch.Generator seeded alike on every rank draws the same keys.
    g = torch.Generator().manual_seed(7)
    for want in refs["generator"]:
        dt = dtensor_empty((7, 5), device_mesh=meshes[0], placements=(Shard(1),))
        wt.kaiming_uniform_(dt, generator=g)
        check_equal(dt.full_tensor(), want, f"rank {rank}: generator=")
    print(f"rank {rank}: {checked} sharded initializations equal the single-process tensors")


# ---------------------------------------------------------------------------------------------
# The models
# ---------------------------------------------------------------------------------------------

VOCAB, WIDTH, HEADS = 37, 16, 2


class Attention(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.q = nn.Linear(WIDTH, WIDTH)
        self.k = nn.Linear(WIDTH, WIDTH, bias=False)
        self.v = nn.Linear(WIDTH, WIDTH)
        self.o = nn.Linear(WIDTH, WIDTH)


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(WIDTH)
        self.attn = Attention()
        self.mha = nn.MultiheadAttention(WIDTH, HEADS, batch_first=True)
        self.ln2 = nn.LayerNorm(WIDTH)
        self.fc1 = nn.Linear(WIDTH, 4 * WIDTH)
        self.fc2 = nn.Linear(4 * WIDTH, WIDTH)


class TinyTransformer(nn.Module):
    def __init__(self, blocks: int = 2) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, WIDTH, padding_idx=0)
        self.blocks = nn.ModuleList(Block() for _ in range(blocks))
        self.norm = nn.LayerNorm(WIDTH)
        self.head = nn.Linear(WIDTH, VOCAB)


def tp_plan(model: TinyTransformer) -> dict:
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel

    plan = {"embed": RowwiseParallel(), "head": ColwiseParallel()}
    for i in range(len(model.blocks)):
        plan.update({f"blocks.{i}.attn.q": ColwiseParallel(), f"blocks.{i}.attn.k": ColwiseParallel(),
                     f"blocks.{i}.attn.v": ColwiseParallel(), f"blocks.{i}.attn.o": RowwiseParallel(),
                     f"blocks.{i}.fc1": ColwiseParallel(), f"blocks.{i}.fc2": RowwiseParallel()})
    return plan


def models_reference(directory: Path) -> None:
    refs = {}
    with wt.patch_nn_init(seed=SEED):
        refs["ordered"] = TinyTransformer().state_dict()
    with wt.patch_nn_init(seed=SEED, by_name=True):
        small = TinyTransformer(2)  # by name, the weights are written when the block exits
    with wt.patch_nn_init(seed=SEED, by_name=True):
        larger = TinyTransformer(3)
    small, refs["by_name"] = small.state_dict(), larger.state_dict()
    assert small.keys() < refs["by_name"].keys()
    for k in small:  # a block more: every other weight is unchanged
        check_equal(refs["by_name"][k], small[k], f"by_name, {k} after adding a block")
    torch.save(refs, directory / "models.pt")


def build_sharded(layout: str, world: int, blocks: int) -> nn.Module:
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard
    from torch.distributed.tensor.parallel import parallelize_module

    with torch.device("meta"):
        model = TinyTransformer(blocks)
    if layout == "fsdp":
        mesh = init_device_mesh("cpu", (world,))
        for block in model.blocks:
            fully_shard(block, mesh=mesh)
        fully_shard(model, mesh=mesh)
    elif layout == "tp":
        parallelize_module(model, init_device_mesh("cpu", (world,)), tp_plan(model))
    else:  # "fsdp+tp": tensor parallel inside pairs of ranks, FSDP across them
        mesh = init_device_mesh("cpu", mesh_2d(world), mesh_dim_names=("dp", "tp"))
        parallelize_module(model, mesh["tp"], tp_plan(model))
        for block in model.blocks:
            fully_shard(block, mesh=mesh["dp"])
        fully_shard(model, mesh=mesh["dp"])
    return model.to_empty(device="cpu")


def check_model(model: nn.Module, want: dict, what: str) -> int:
    from torch.distributed.tensor import DTensor

    got = model.state_dict()
    if got.keys() != want.keys():
        raise AssertionError(f"{what}: state_dict keys differ")
    sharded = 0
    for key, value in got.items():
        if isinstance(value, DTensor):
            sharded += 1
            value = value.full_tensor()
        check_equal(value, want[key], f"{what}: {key}")
    return sharded


def models_ranks(rank: int, world: int, directory: Path) -> None:
    refs = torch.load(directory / "models.pt")
    for layout in ("fsdp", "tp", "fsdp+tp"):
        model = wt.init_module(build_sharded(layout, world, 2), seed=SEED)
        sharded = check_model(model, refs["ordered"], f"rank {rank}, {layout}, seed={SEED}")
        assert sharded > 0
        model = wt.init_module(build_sharded(layout, world, 3), seed=SEED, by_name=True)
        check_model(model, refs["by_name"], f"rank {rank}, {layout}, by_name")
    print(f"rank {rank}: FSDP2, tensor-parallel and 2-D builds equal the single-process model")


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------

SCENARIOS = {
    "initializers": (initializer_reference, initializer_ranks),
    "models": (models_reference, models_ranks),
}


def rank_main(rank: int, scenario: str, world: int, directory: str) -> None:
    faulthandler.enable()  # a crash in a rank prints where each thread was
    warnings.filterwarnings("ignore", message=".*sequential all_gather.*")
    dist.init_process_group("gloo", init_method=f"file://{directory}/store", rank=rank, world_size=world)
    try:
        SCENARIOS[scenario][1](rank, world, Path(directory))
        dist.barrier()
    finally:
        dist.destroy_process_group()
    # The device meshes still hold the gloo backend, whose threads outlive destroy_process_group;
    # a spawned process's finalization racing them can abort ("terminate called without an
    # active exception", seen once in CI in benchmarks/model_build.py). The work is done and
    # checked, so the rank ends without finalization.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def main() -> None:
    scenario, world, directory = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")
    SCENARIOS[scenario][0](directory)
    mp.spawn(rank_main, args=(scenario, world, str(directory)), nprocs=world, join=True)


if __name__ == "__main__":
    main()
