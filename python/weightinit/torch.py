"""A drop-in for ``torch.nn.init`` on CPU tensors, filled by weightinit's parallel core.

``weightinit.torch`` has the functions of ``torch.nn.init`` (torch 2.x) under the same names and
with the same signatures: :func:`uniform_`, :func:`normal_`, :func:`trunc_normal_`,
:func:`constant_`, :func:`zeros_`, :func:`ones_`, :func:`xavier_uniform_`, :func:`xavier_normal_`,
:func:`kaiming_uniform_`, :func:`kaiming_normal_` and :func:`calculate_gain`. Each computes its
parameters with torch's own arithmetic (fans in torch's (out, in, *kernel) layout, torch's gain
table, ``trunc_normal_``'s **absolute** bounds ``a``, ``b``), fills the tensor in place through its
NumPy view with weightinit's sampler (``out=``), and returns the tensor. The distribution is
torch's; the numbers are weightinit's (Philox, see the README), not the numbers torch would draw.

Which tensors take the fast path
--------------------------------
Plain ``torch.Tensor`` and ``nn.Parameter`` objects on the CPU, strided (dense or any
non-overlapping strides: slices and transposes included), of dtype float32, float64, float16 or
bfloat16, with at least one element, and the usual parameter values. ``requires_grad`` is no
obstacle: the write goes around autograd, as torch's own ``no_grad`` fill does, the tensor stays
``requires_grad``, and its version counter is bumped as an in-place op would.

Everything else is handed to ``torch.nn.init``'s own function, unchanged: CUDA, meta and sparse
tensors, other dtypes, tensor subclasses, zero-element tensors, overlapping (expanded) tensors,
inference tensors outside inference mode, calls made while a ``TorchFunctionMode`` (other than
``torch.device(...)``) or a ``TorchDispatchMode`` is active, and arguments that are not plain
real numbers or that torch rejects (``uniform_`` with ``a > b``, ``normal_`` with ``std < 0``,
bounds outside the dtype's range, ``constant_`` values that overflow it, ...). So bad arguments
raise torch's exceptions with torch's messages, and odd-but-accepted ones do what torch does.

Seeds
-----
``generator=`` takes a ``torch.Generator`` (CPU), as in torch: two 32-bit words are drawn from it
with ``torch.randint`` (so it advances) and seed weightinit's Philox key. Without a generator the
key is drawn from torch's default generator, so ``torch.manual_seed(s)`` makes these functions
reproducible just as it does torch's. The random functions also take a weightinit-only keyword
``seed=``: an int, a ``numpy.random.SeedSequence``, a weightinit or NumPy ``Generator`` (which
advances; each call then gets a fresh key), or a ``torch.Generator``. An int gives the same
numbers on every call, as weightinit's own functions do. When a seeded call falls back to torch,
torch draws from a ``torch.Generator`` seeded from the same seed, so it stays reproducible.

Patching ``torch.nn.init``
--------------------------
:func:`patch_nn_init` routes ``torch.nn.init``'s functions to these while a model is built, so
``nn.Linear``, ``nn.Conv*d``, ``nn.Embedding``, ``nn.LayerNorm``, ``nn.MultiheadAttention``,
``nn.TransformerEncoderLayer``, ... use them in their own ``reset_parameters``. It patches the
attributes of ``torch.nn.init`` and every loaded module that imported one of them by name (torch's
``nn.modules.activation`` does ``from torch.nn.init import xavier_uniform_``), and restores them on
exit. **The patch is process-global**: while one thread is inside the block, every thread's calls
of ``torch.nn.init`` functions go to weightinit. The seed is per thread: only the thread that
entered ``patch_nn_init(seed=...)`` draws its keys from that seed, so its model is reproducible
whatever other threads do; other threads draw from ``torch``'s generators as outside the block.
"""

from __future__ import annotations

import contextlib
import functools
import math
import numbers
import sys
import threading
import types
import warnings
from collections.abc import Iterator
from typing import Any, Literal, Union

import numpy as np
import torch
from torch import Tensor

from . import _fork
from . import initializers as _wi
from ._checks import is_int
from ._dtypes import has_finite_value_between
from ._seed import key_from_seed
from ._torch_view import NP_DTYPE, numpy_view
from .generator import Generator as _WIGenerator
from .generator import default_rng

__all__ = [
    "calculate_gain",
    "constant_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "patch_nn_init",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

_NonlinearityType = Literal[
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
]
_FanMode = Literal["fan_in", "fan_out"]
SeedLike = Union[None, int, np.random.SeedSequence, _WIGenerator, np.random.Generator, torch.Generator]

#: The functions this module replaces, with the position of their ``generator`` parameter
#: (None: not random).
_GENERATOR_POSITION = {
    "uniform_": 3,
    "normal_": 3,
    "trunc_normal_": 5,
    "constant_": None,
    "zeros_": None,
    "ones_": None,
    "xavier_uniform_": 2,
    "xavier_normal_": 2,
    "kaiming_uniform_": 4,
    "kaiming_normal_": 4,
}
_NAMES = tuple(_GENERATOR_POSITION)
_NAME_SET = frozenset(_NAMES)

#: torch.nn.init's own functions, as they were when this module was imported: the fallback.
_TORCH = {name: getattr(torch.nn.init, name) for name in _NAMES + ("calculate_gain",)}
#: The same functions, for patch_nn_init to recognize them in other modules (never replaced).
_ORIGINALS = dict(_TORCH)

#: Largest finite value of each dtype: torch rejects bounds and fill values beyond it.
_DTYPE_MAX = {dt: float(torch.finfo(dt).max) for dt in NP_DTYPE}
_PLAIN_TYPES = (torch.Tensor, torch.nn.Parameter)
_INT53 = 2**53

def _numpy_view(tensor: Any) -> np.ndarray | None:
    """The writable NumPy view of a tensor weightinit can fill, or None (then torch does it)."""
    if not isinstance(tensor, torch.Tensor):
        return None
    return numpy_view(tensor, strict=False)


def _real(value: Any) -> float | None:
    """A plain real number (int, float, NumPy scalar; not bool) as a float, else None."""
    if type(value) is float:
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.integer, np.floating)):
        return None
    if is_int(value) and abs(int(value)) > _INT53:
        return None  # torch converts big ints to the dtype in one rounding; float() would round twice
    try:
        return float(value)
    except (OverflowError, TypeError, ValueError):
        return None


def _uniform_ok(lo: float, hi: float, dtype: torch.dtype) -> bool:
    """torch's checks for ``uniform_(lo, hi)``: in range for the dtype, ordered, width finite."""
    m = _DTYPE_MAX[dtype]
    return -m <= lo <= hi <= m and hi - lo <= m


# ---------------------------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------------------------


def _split_seed(generator: Any, seed: Any) -> tuple[Any, Any]:
    """(torch generator, weightinit seed) with at most one set; a torch.Generator seed moves over."""
    if seed is not None:
        if generator is not None:
            raise TypeError("pass either generator= (a torch.Generator) or seed=, not both")
        if isinstance(seed, torch.Generator):
            return seed, None
    return generator, seed


def _cpu_generator(generator: Any) -> bool:
    return generator is None or (isinstance(generator, torch.Generator) and generator.device.type == "cpu")


def _wi_seed(generator: torch.Generator | None, seed: Any) -> Any:
    """The weightinit seed of a fast-path call (drawn from torch's generator when there is no seed)."""
    if seed is not None:
        return seed
    if generator is None:
        generator = torch.default_generator
    return torch.randint(0, 2**32, (2,), dtype=torch.int64, generator=generator).tolist()


def _fallback_generator(tensor: Any, generator: Any, seed: Any) -> Any:
    """The generator to hand torch: the caller's, or one seeded from ``seed=`` on the tensor's device."""
    if seed is None or generator is not None:
        return generator
    try:
        device = tensor.device
        if device.type == "meta":
            return None
        k0, k1 = key_from_seed(seed)
        g = torch.Generator(device=device)
        g.manual_seed(k0 | (k1 << 32))
        return g
    except (AttributeError, RuntimeError):
        return None


def _done(tensor: Tensor) -> Tensor:
    torch.autograd.graph.increment_version(tensor)  # as an in-place op would: autograd sees the write
    return tensor


# ---------------------------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------------------------


def calculate_gain(nonlinearity: _NonlinearityType, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity: ``torch.nn.init.calculate_gain`` itself.

    ================= ====================================
    nonlinearity      gain
    ================= ====================================
    linear, conv*, sigmoid  1
    tanh              5/3
    relu              sqrt(2)
    leaky_relu        sqrt(2 / (1 + negative_slope**2)), ``negative_slope = param`` (default 0.01)
    selu              3/4
    ================= ====================================

    Examples
    --------
    >>> calculate_gain("relu")
    1.4142135623730951
    >>> calculate_gain("leaky_relu", 0.2)
    1.3867504905630728
    """
    return _TORCH["calculate_gain"](nonlinearity, param)


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: torch.Generator | None = None, *, seed: SeedLike = None
) -> Tensor:
    """Fill ``tensor`` in place with U(a, b): ``a + (b - a) * u``, ``u`` in [0, 1) with 24 (float32,
    float16, bfloat16) or 53 (float64) random bits; float16 and bfloat16 round once from float32
    (so a value may round up to ``b``). Returns ``tensor``.

    Examples
    --------
    >>> w = torch.empty(3, 5)
    >>> uniform_(w, -1.0, 1.0, seed=0) is w
    True
    >>> bool(((w >= -1) & (w < 1)).all())
    True
    """
    generator, seed = _split_seed(generator, seed)
    arr = _numpy_view(tensor)
    lo, hi = _real(a), _real(b)
    if arr is None or lo is None or hi is None or not _uniform_ok(lo, hi, tensor.dtype) or not _cpu_generator(generator):
        return _TORCH["uniform_"](tensor, a, b, _fallback_generator(tensor, generator, seed))
    _wi.uniform(arr.shape, lo, hi, out=arr, seed=_wi_seed(generator, seed))
    return _done(tensor)


def normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: torch.Generator | None = None, *, seed: SeedLike = None
) -> Tensor:
    """Fill ``tensor`` in place with N(mean, std**2), untruncated: ``mean + std * z``, ``z`` a
    standard normal from Box-Muller. Returns ``tensor``.

    Examples
    --------
    >>> w = torch.empty(1000)
    >>> normal_(w, 0.0, 0.02, seed=1) is w
    True
    >>> round(float(w.std()), 2)
    0.02
    """
    generator, seed = _split_seed(generator, seed)
    arr = _numpy_view(tensor)
    m, s = _real(mean), _real(std)
    if (
        arr is None or m is None or s is None or not (math.isfinite(m) and math.isfinite(s) and s >= 0)
        or not _cpu_generator(generator)
    ):
        return _TORCH["normal_"](tensor, mean, std, _fallback_generator(tensor, generator, seed))
    _wi.normal(arr.shape, m, s, out=arr, seed=_wi_seed(generator, seed))
    return _done(tensor)


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: torch.Generator | None = None,
    *,
    seed: SeedLike = None,
) -> Tensor:
    """Fill ``tensor`` in place with N(mean, std**2) conditioned on [a, b]; ``a`` and ``b`` are
    **absolute** bounds, as in torch (not multiples of ``std``). Returns ``tensor``.

    Exact inversion of the normal distribution function (no rejection, no clipping), valid
    for bounds anywhere, far tails included; torch's warning for a mean more than 2 std from
    [a, b] is not given, since the result is exact there too.

    Examples
    --------
    >>> w = torch.empty(1000)
    >>> trunc_normal_(w, 0.0, 1.0, a=-0.5, b=0.5, seed=0) is w
    True
    >>> bool(((w >= -0.5) & (w <= 0.5)).all())
    True
    """
    generator, seed = _split_seed(generator, seed)
    arr = _numpy_view(tensor)
    m, s, lo, hi = _real(mean), _real(std), _real(a), _real(b)
    if (
        arr is None or m is None or s is None or lo is None or hi is None
        or not (math.isfinite(m) and math.isfinite(s) and s > 0 and lo < hi)
        or not has_finite_value_between(arr.dtype, lo, hi)
        or not _cpu_generator(generator)
    ):
        return _TORCH["trunc_normal_"](tensor, mean, std, a, b, _fallback_generator(tensor, generator, seed))
    _wi.truncated_normal(arr.shape, m, s, lo, hi, out=arr, seed=_wi_seed(generator, seed))
    return _done(tensor)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` in place with ``val``, converted as torch converts it (float16 and
    bfloat16 through float32). Returns ``tensor``.

    Examples
    --------
    >>> w = torch.empty(2, 3)
    >>> constant_(w, 0.5) is w
    True
    >>> w.tolist()
    [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]
    """
    arr = _numpy_view(tensor)
    v = _real(val)
    if arr is None or v is None or (math.isfinite(v) and abs(v) > _DTYPE_MAX[tensor.dtype]):
        return _TORCH["constant_"](tensor, val)
    if arr.dtype.itemsize == 2:
        v = float(np.float32(v))  # torch's Half/BFloat16 are made from a float
    _wi.constant(arr.shape, v, out=arr)
    return _done(tensor)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` in place with 0. Returns ``tensor``.

    Examples
    --------
    >>> zeros_(torch.empty(2, dtype=torch.bfloat16)).tolist()
    [0.0, 0.0]
    """
    arr = _numpy_view(tensor)
    if arr is None:
        return _TORCH["zeros_"](tensor)
    _wi.constant(arr.shape, 0.0, out=arr)
    return _done(tensor)


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` in place with 1. Returns ``tensor``.

    Examples
    --------
    >>> ones_(torch.empty(2, dtype=torch.float16)).tolist()
    [1.0, 1.0]
    """
    arr = _numpy_view(tensor)
    if arr is None:
        return _TORCH["ones_"](tensor)
    _wi.constant(arr.shape, 1.0, out=arr)
    return _done(tensor)


def _fans(shape: torch.Size) -> tuple[int, int]:
    """torch's ``_calculate_fan_in_and_fan_out`` for a shape of 2 or more dims."""
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: torch.Generator | None = None, *, seed: SeedLike = None
) -> Tensor:
    """Glorot/Xavier uniform, in place: U(-a, a) with

    ``a = gain * sqrt(6 / (fan_in + fan_out))`` (computed as torch does:
    ``std = gain * sqrt(2 / (fan_in + fan_out))``, ``a = sqrt(3) * std``), fans from torch's
    (out, in, *kernel) layout. Returns ``tensor``.

    Examples
    --------
    >>> w = torch.empty(64, 32)
    >>> xavier_uniform_(w, seed=0) is w
    True
    >>> bool((w.abs() <= (6 / (64 + 32)) ** 0.5).all())
    True
    """
    generator, seed = _split_seed(generator, seed)
    arr = _numpy_view(tensor)
    g = _real(gain)
    if arr is None or g is None or tensor.dim() < 2 or not _cpu_generator(generator):
        return _TORCH["xavier_uniform_"](tensor, gain, _fallback_generator(tensor, generator, seed))
    fan_in, fan_out = _fans(tensor.shape)
    std = g * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    if not _uniform_ok(-bound, bound, tensor.dtype):
        return _TORCH["xavier_uniform_"](tensor, gain, _fallback_generator(tensor, generator, seed))
    _wi.uniform(arr.shape, -bound, bound, out=arr, seed=_wi_seed(generator, seed))
    return _done(tensor)


def xavier_normal_(
    tensor: Tensor, gain: float = 1.0, generator: torch.Generator | None = None, *, seed: SeedLike = None
) -> Tensor:
    """Glorot/Xavier normal, in place: N(0, std**2), untruncated, with

    ``std = gain * sqrt(2 / (fan_in + fan_out))``, fans from torch's (out, in, *kernel) layout.
    Returns ``tensor``.

    Examples
    --------
    >>> w = torch.empty(512, 512)
    >>> xavier_normal_(w, seed=0) is w
    True
    >>> bool(abs(float(w.std()) / (2 / (512 + 512)) ** 0.5 - 1) < 0.01)
    True
    """
    generator, seed = _split_seed(generator, seed)
    arr = _numpy_view(tensor)
    g = _real(gain)
    if arr is None or g is None or tensor.dim() < 2 or not _cpu_generator(generator):
        return _TORCH["xavier_normal_"](tensor, gain, _fallback_generator(tensor, generator, seed))
    fan_in, fan_out = _fans(tensor.shape)
    std = g * math.sqrt(2.0 / float(fan_in + fan_out))
    if not (math.isfinite(std) and std >= 0):
        return _TORCH["xavier_normal_"](tensor, gain, _fallback_generator(tensor, generator, seed))
    _wi.normal(arr.shape, 0.0, std, out=arr, seed=_wi_seed(generator, seed))
    return _done(tensor)


def _kaiming_std(tensor: Tensor, a: Any, mode: Any, nonlinearity: Any) -> float | None:
    """torch's ``gain / sqrt(fan)``, or None where torch itself should take over."""
    if not isinstance(mode, str) or mode.lower() not in ("fan_in", "fan_out") or tensor.dim() < 2:
        return None  # torch raises its own AttributeError / ValueError
    fan_in, fan_out = _fans(tensor.shape)
    fan = fan_in if mode.lower() == "fan_in" else fan_out
    gain = _TORCH["calculate_gain"](nonlinearity, a)  # torch's errors for bad nonlinearity / a
    return gain / math.sqrt(fan)


def _zero_element(tensor: Any) -> bool:
    """torch's zero-element no-op for the kaiming functions (plain tensors on any device)."""
    if type(tensor) in _PLAIN_TYPES and 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: _FanMode = "fan_in",
    nonlinearity: _NonlinearityType = "leaky_relu",
    generator: torch.Generator | None = None,
    *,
    seed: SeedLike = None,
) -> Tensor:
    """He/Kaiming uniform, in place: U(-bound, bound) with

    ``bound = gain * sqrt(3 / fan_mode)`` (as torch: ``std = gain / sqrt(fan_mode)``,
    ``bound = sqrt(3) * std``), ``gain = calculate_gain(nonlinearity, a)``, ``fan_mode`` the
    fan_in or fan_out (``mode``, case-insensitive) of torch's (out, in, *kernel) layout.
    Defaults as torch: ``a=0``, ``mode="fan_in"``, ``nonlinearity="leaky_relu"`` (gain ~ sqrt(2)).
    Zero-element tensors: warns "Initializing zero-element tensors is a no-op" and returns.

    Examples
    --------
    >>> w = torch.empty(128, 64)
    >>> kaiming_uniform_(w, nonlinearity="relu", seed=0) is w
    True
    >>> bool((w.abs() <= (6 / 64) ** 0.5).all())
    True
    """
    generator, seed = _split_seed(generator, seed)
    if _zero_element(tensor):
        return tensor
    arr = _numpy_view(tensor)
    std = None if arr is None or not _cpu_generator(generator) else _kaiming_std(tensor, a, mode, nonlinearity)
    bound = None if std is None else math.sqrt(3.0) * std
    if bound is None or not _uniform_ok(-bound, bound, tensor.dtype):
        return _TORCH["kaiming_uniform_"](tensor, a, mode, nonlinearity, _fallback_generator(tensor, generator, seed))
    _wi.uniform(arr.shape, -bound, bound, out=arr, seed=_wi_seed(generator, seed))
    return _done(tensor)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: _FanMode = "fan_in",
    nonlinearity: _NonlinearityType = "leaky_relu",
    generator: torch.Generator | None = None,
    *,
    seed: SeedLike = None,
) -> Tensor:
    """He/Kaiming normal, in place: N(0, std**2), untruncated, with

    ``std = gain / sqrt(fan_mode)``, ``gain = calculate_gain(nonlinearity, a)``, ``fan_mode``
    the fan_in or fan_out (``mode``, case-insensitive) of torch's (out, in, *kernel) layout.
    Defaults as torch: ``a=0``, ``mode="fan_in"``, ``nonlinearity="leaky_relu"``.
    Zero-element tensors: warns "Initializing zero-element tensors is a no-op" and returns.

    Examples
    --------
    >>> w = torch.empty(1024, 512)
    >>> kaiming_normal_(w, mode="fan_out", nonlinearity="relu", seed=0) is w
    True
    >>> bool(abs(float(w.std()) / (2 / 1024) ** 0.5 - 1) < 0.01)
    True
    """
    generator, seed = _split_seed(generator, seed)
    if _zero_element(tensor):
        return tensor
    arr = _numpy_view(tensor)
    std = None if arr is None or not _cpu_generator(generator) else _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None or not (math.isfinite(std) and std >= 0):
        return _TORCH["kaiming_normal_"](tensor, a, mode, nonlinearity, _fallback_generator(tensor, generator, seed))
    _wi.normal(arr.shape, 0.0, std, out=arr, seed=_wi_seed(generator, seed))
    return _done(tensor)


_PUBLIC = {name: globals()[name] for name in _NAMES}


# ---------------------------------------------------------------------------------------------
# patch_nn_init
# ---------------------------------------------------------------------------------------------

_local = threading.local()  # .sources: this thread's stack of patch_nn_init seed sources
_lock = threading.RLock()
_active = 0  # patch_nn_init blocks open, all threads


def _new_lock_in_child() -> None:
    # A thread of the parent may have held _lock when another forked; the child gets a free one.
    global _lock
    _lock = threading.RLock()


_fork.run_in_child(_new_lock_in_child)
_records: list[tuple[dict, str, Any]] = []  # (module dict, name, value before the patch)


def _make_patched(name: str) -> Any:
    fn = _PUBLIC[name]
    position = _GENERATOR_POSITION[name]
    if position is None:

        def patched(*args: Any, **kwargs: Any) -> Any:
            return fn(*args, **kwargs)

    else:

        def patched(*args: Any, **kwargs: Any) -> Any:
            sources = getattr(_local, "sources", None)
            if sources and sources[-1] is not None and kwargs.get("seed") is None:
                gen = args[position] if len(args) > position else kwargs.get("generator")
                if gen is None:
                    kwargs["seed"] = sources[-1]
            return fn(*args, **kwargs)

    functools.update_wrapper(patched, fn)
    patched.__qualname__ = f"patch_nn_init.<patched {name}>"
    return patched


#: What patch_nn_init installs: thin wrappers (distinct objects, so they can be found and undone)
#: that add the block's seed to calls without a generator.
_PATCHED = {name: _make_patched(name) for name in _NAMES}


def _module_dicts() -> Iterator[dict]:
    for module in list(sys.modules.values()):
        if isinstance(module, types.ModuleType):
            d = getattr(module, "__dict__", None)
            if isinstance(d, dict):
                yield d


def _install() -> None:
    init_dict = vars(torch.nn.init)
    for name in _NAMES:
        _records.append((init_dict, name, init_dict[name]))
        init_dict[name] = _PATCHED[name]
    for d in _module_dicts():
        if d is init_dict:
            continue
        for name in d.keys() & _NAME_SET:
            value = d[name]
            if value is _ORIGINALS[name]:
                _records.append((d, name, value))
                d[name] = _PATCHED[name]


def _uninstall() -> None:
    while _records:
        d, name, value = _records.pop()
        if d.get(name) is _PATCHED[name]:
            d[name] = value
    # Modules imported inside the block may have bound a patched function by name: undo those too.
    init_dict = vars(torch.nn.init)
    for d in _module_dicts():
        for name in d.keys() & _NAME_SET:
            if d[name] is _PATCHED[name]:
                d[name] = init_dict[name] if init_dict[name] is not _PATCHED[name] else _ORIGINALS[name]


def _context_source(seed: Any) -> Any:
    if seed is None or isinstance(seed, (torch.Generator, _WIGenerator, np.random.Generator)):
        return seed
    return default_rng(seed)  # ints, sequences of ints, SeedSequences, bit generators


@contextlib.contextmanager
def patch_nn_init(seed: SeedLike = None) -> Iterator[None]:
    """Route ``torch.nn.init``'s functions to weightinit's inside a ``with`` block.

    Replaces ``uniform_``, ``normal_``, ``trunc_normal_``, ``constant_``, ``zeros_``, ``ones_``,
    ``xavier_uniform_``, ``xavier_normal_``, ``kaiming_uniform_`` and ``kaiming_normal_`` on
    ``torch.nn.init`` and in every loaded module that bound them by name (torch's own
    ``nn.modules.activation`` and ``nn.modules.transformer`` do), so modules' own
    ``reset_parameters`` use weightinit. Everything is restored on exit, exceptions included;
    blocks nest (the outermost exit restores).

    ``seed``: None draws each call's key from torch's default generator (``torch.manual_seed``
    applies); an int, a sequence of ints or a ``SeedSequence`` starts a weightinit
    ``Generator`` from which each call draws a fresh key, so building the same model in the same
    order gives the same weights; a weightinit or NumPy ``Generator`` or a ``torch.Generator`` is
    drawn from directly (and advances). Calls that pass their own ``generator=`` keep it.

    **Process-global**: the patch applies to every thread while any thread is inside a block;
    the seed applies only to calls made by the thread that entered the block. Don't build
    models in other threads while relying on them *not* being patched.

    Examples
    --------
    >>> with patch_nn_init(seed=0):
    ...     a = torch.nn.Linear(8, 4)
    ...     print(torch.nn.init.kaiming_uniform_.__module__)
    weightinit.torch
    >>> with patch_nn_init(seed=0):
    ...     b = torch.nn.Linear(8, 4)
    >>> torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)
    True
    >>> torch.nn.init.kaiming_uniform_.__module__
    'torch.nn.init'
    """
    global _active
    source = _context_source(seed)
    with _lock:
        if _active == 0:
            _install()
        _active += 1
    sources = getattr(_local, "sources", None)
    if sources is None:
        sources = _local.sources = []
    sources.append(source)
    try:
        yield
    finally:
        sources.pop()
        with _lock:
            _active -= 1
            if _active == 0:
                _uninstall()
