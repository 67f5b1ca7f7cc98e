"""A torch tensor's memory as a NumPy array, for the core to fill in place (imports torch).

One function serves both front ends: ``out=`` of the plain API (``strict=True``: a tensor that
cannot be filled is an error saying why) and ``weightinit.torch`` (``strict=False``: such a
tensor is handed back, ``None``, and torch's own function fills it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ._dtypes import bfloat16

__all__ = ["NP_DTYPE", "numpy_view"]

#: The torch dtypes weightinit writes, and their NumPy dtypes (bfloat16 from ml_dtypes).
NP_DTYPE = {
    torch.float32: np.dtype(np.float32),
    torch.float64: np.dtype(np.float64),
    torch.float16: np.dtype(np.float16),
    torch.bfloat16: bfloat16,
}
_PLAIN_TYPES = (torch.Tensor, torch.nn.Parameter)

try:  # the mode checks use torch internals; without them, any mode means "not here"
    from torch.overrides import _get_current_function_mode_stack
    from torch.utils._device import DeviceContext as _DeviceContext
    from torch.utils._python_dispatch import _get_current_dispatch_mode
except ImportError:  # pragma: no cover - other torch versions
    _get_current_function_mode_stack = None  # type: ignore[assignment]


def _modes_allow_direct_writes() -> bool:
    """False while a mode that watches tensor ops is active (a direct write would bypass it)."""
    try:
        if torch._C._is_torch_function_mode_enabled():
            if _get_current_function_mode_stack is None:
                return False
            if any(type(m) is not _DeviceContext for m in _get_current_function_mode_stack()):
                return False
        return _get_current_dispatch_mode() is None
    except Exception:  # noqa: BLE001  # pragma: no cover - internals changed: be conservative
        return False


def non_overlapping(shape: Any, strides: tuple[int, ...]) -> bool:
    """True when no two elements share memory (sufficient test: sorted strides clear the span)."""
    span = 0
    for stride, size in sorted((s, n) for n, s in zip(shape, strides) if n > 1):
        if stride <= span:
            return False
        span += stride * (size - 1)
    return True


def numpy_view(tensor: Any, *, strict: bool) -> np.ndarray | None:
    """The writable NumPy array sharing ``tensor``'s memory.

    With ``strict``, a tensor that cannot be filled in place raises ``TypeError`` (a sparse or
    other non-strided layout, an unsupported dtype) or ``ValueError`` (not on the CPU,
    read-only); without, it gives ``None`` for those and for everything else torch should do
    itself: tensor subclasses, empty or overlapping tensors, inference tensors outside inference
    mode, and calls made while a torch function or dispatch mode is active.
    """

    def refuse(exc: type[Exception], message: str) -> None:
        if strict:
            raise exc(message)
        return None

    if tensor.layout is not torch.strided:
        return refuse(TypeError, f"out= must be a dense (strided) CPU tensor, got layout {tensor.layout}")
    if tensor.device.type != "cpu":
        return refuse(ValueError, f"out= must be a CPU tensor, got one on {tensor.device}")
    np_dtype = NP_DTYPE.get(tensor.dtype)
    if np_dtype is None:
        return refuse(TypeError, f"out= tensor has dtype {tensor.dtype}; use float32, float64, float16 or bfloat16")
    if not strict:
        if type(tensor) not in _PLAIN_TYPES or tensor.numel() == 0:
            return None
        if tensor.is_inference() and not torch.is_inference_mode_enabled():
            return None  # torch raises for an in-place update of an inference tensor
        if not _modes_allow_direct_writes():
            return None
        if not (tensor.is_contiguous() or non_overlapping(tensor.shape, tensor.stride())):
            return None
    try:
        t = tensor.detach()
        arr = t.view(torch.int16).numpy().view(np_dtype) if tensor.dtype is torch.bfloat16 else t.numpy()
    except (RuntimeError, TypeError, ValueError) as exc:  # e.g. functorch-wrapped tensors
        return refuse(TypeError, f"out= tensor has no NumPy view: {exc}")
    if not arr.flags.writeable:
        return refuse(ValueError, "out= is read-only; pass a writable tensor")
    return arr
