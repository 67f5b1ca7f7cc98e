"""Where a tensor's memory lies in the full tensor it is part of: a plain tensor is its own full
tensor; a ``DTensor``'s local shard is a region of its global tensor (imports torch).

The region is given per dimension, as the global index of each local position, computed from the
placements the way DTensor itself composes them (mesh dimensions from left to right, each
``Shard`` splitting what the previous ones left, with ``torch.chunk``'s rule for uneven sizes).
A ``Shard`` leaves one contiguous run per dimension; a ``_StridedShard`` (FSDP2 on top of tensor
parallelism on the same dimension) leaves several, so the shard is a product of runs: the blocks
a fill with ``index=`` makes one at a time.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from ._torch_view import NP_DTYPE, numpy_view

__all__ = ["Region", "dtensor_class", "is_dtensor", "region_of", "runs"]


@dataclass
class Region:
    """A tensor's memory as part of a full tensor.

    ``shape``: the full tensor's shape (the global shape of a DTensor); ``dtype``: the NumPy dtype;
    ``local``: the writable NumPy view of the memory (None when it holds no element);
    ``indices``: per dimension, the full tensor's index of each local position;
    ``blocks``: (local basic index, full tensor's basic index) pairs that together cover ``local``
    (for a plain tensor one pair, ``((), None)``: all of it, the whole full tensor).
    """

    shape: tuple[int, ...]
    dtype: np.dtype
    local: np.ndarray | None
    indices: list[np.ndarray]
    blocks: list[tuple[tuple[slice, ...], tuple[slice, ...] | None]]

    def parts(self) -> list[tuple[np.ndarray, tuple[slice, ...] | None]]:
        """(output array, ``index=`` of the full tensor) for each block."""
        if self.local is None:
            return []
        return [(self.local[local] if local else self.local, index) for local, index in self.blocks]


_DTENSOR: list[Any] = []  # [DTensor class] once torch.distributed.tensor has been imported


def dtensor_class() -> Any:
    """``torch.distributed.tensor.DTensor``, or None where torch has no distributed support."""
    if not _DTENSOR:
        cls = None
        if torch.distributed.is_available():
            try:
                from torch.distributed.tensor import DTensor as cls
            except ImportError:  # pragma: no cover - torch without DTensor
                cls = None
        _DTENSOR.append(cls)
    return _DTENSOR[0]


def is_dtensor(tensor: Any) -> bool:
    """Whether ``tensor`` is a ``DTensor`` (without importing torch.distributed for anything else)."""
    # Only tensor subclasses from torch.distributed can be DTensors: no import for anything else.
    if not type(tensor).__module__.startswith("torch.distributed"):
        return False
    cls = dtensor_class()
    return cls is not None and isinstance(tensor, cls)


def region_of(tensor: Any) -> Region | None:
    """The region ``tensor`` fills, or None when weightinit cannot write it (torch should).

    A plain CPU tensor that :func:`numpy_view` accepts is the whole of its full tensor. A DTensor
    qualifies when its local tensor is a CPU tensor of a supported dtype (possibly holding no
    element), its global tensor has elements, and every placement is ``Shard``, ``_StridedShard``
    or ``Replicate``: a ``Partial`` DTensor's local tensors are addends, not regions.
    """
    if type(tensor) in (torch.Tensor, torch.nn.Parameter):
        arr = numpy_view(tensor, strict=False)
        if arr is None:
            return None
        shape = tuple(arr.shape)
        return Region(shape, arr.dtype, arr, [np.arange(n) for n in shape], [((), None)])
    if not is_dtensor(tensor):
        return None
    return _dtensor_region(tensor)


def _dtensor_region(dt: Any) -> Region | None:
    shape = tuple(int(n) for n in dt.shape)
    if NP_DTYPE.get(dt.dtype) is None or 0 in shape:
        return None
    with torch.no_grad():
        local = dt.to_local()
    if local.device.type != "cpu" or type(local) not in (torch.Tensor, torch.nn.Parameter):
        return None
    indices = _global_indices(shape, dt.device_mesh, dt.placements)
    if indices is None or tuple(len(ix) for ix in indices) != tuple(local.shape):
        return None
    if local.numel() == 0:
        return Region(shape, NP_DTYPE[dt.dtype], None, indices, [])
    arr = numpy_view(local, strict=False)
    if arr is None:
        return None
    per_dim = [runs(ix) for ix in indices]
    blocks = []
    for combo in itertools.product(*per_dim):
        local_index = tuple(slice(lo, lo + n) for lo, _, n in combo)
        global_index = tuple(slice(g, g + n) for _, g, n in combo)
        blocks.append((local_index, global_index))
    return Region(shape, arr.dtype, arr, indices, blocks)


def runs(index: np.ndarray) -> list[tuple[int, int, int]]:
    """(local start, global start, length) of each maximal run of consecutive global indices."""
    if index.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(index) != 1) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [index.size]))
    return [(int(s), int(index[s]), int(e - s)) for s, e in zip(starts, ends)]


def _chunk(size: int, parts: int, rank: int) -> tuple[int, int]:
    """(start, length) of chunk ``rank`` when ``size`` items are cut into ``parts`` as
    ``torch.chunk`` does: chunks of ceil(size / parts), the last ones shorter or empty."""
    step = -(-size // parts)
    start = min(step * rank, size)
    return start, min(start + step, size) - start


def _global_indices(shape: tuple[int, ...], mesh: Any, placements: Any) -> list[np.ndarray] | None:
    """Per dimension, the global index of each local position on this rank; None for placements
    weightinit does not place (its caller then leaves the tensor to torch)."""
    from torch.distributed.tensor import Replicate, Shard

    try:
        from torch.distributed.tensor.placement_types import _StridedShard, _StridedShardOffsetMode
    except ImportError:  # pragma: no cover - other torch versions
        _StridedShard = _StridedShardOffsetMode = None  # type: ignore[assignment,misc]

    indices = [np.arange(n) for n in shape]
    coordinate = mesh.get_coordinate()
    if coordinate is None:  # this rank is not in the mesh: it holds nothing
        return [np.arange(0) for _ in shape]
    for mesh_dim, placement in enumerate(placements):
        if isinstance(placement, Replicate):
            continue
        strided = _StridedShard is not None and isinstance(placement, _StridedShard)
        if not (strided or type(placement) is Shard):
            return None  # Partial (addends) and anything newer
        d = placement.dim
        current = indices[d]
        parts, rank = mesh.size(mesh_dim), coordinate[mesh_dim]
        if strided:
            try:
                _, offsets = placement.local_shard_size_and_offset(
                    len(current), parts, rank, offset_mode=_StridedShardOffsetMode.ALL
                )
            except (AttributeError, TypeError):  # pragma: no cover - torch internals changed
                return None
            indices[d] = current[np.asarray(offsets, dtype=np.int64)]
        else:
            start, length = _chunk(len(current), parts, rank)
            indices[d] = current[start:start + length]
    return indices
