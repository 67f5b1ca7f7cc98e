"""A drop-in for ``torch.nn.init`` on CPU tensors and sharded DTensors, filled by weightinit's
parallel core.

``weightinit.torch`` has every function of ``torch.nn.init`` (torch 2.x) under the same name and
with the same signature: :func:`uniform_`, :func:`normal_`, :func:`trunc_normal_`,
:func:`constant_`, :func:`zeros_`, :func:`ones_`, :func:`eye_`, :func:`dirac_`,
:func:`xavier_uniform_`, :func:`xavier_normal_`, :func:`kaiming_uniform_`, :func:`kaiming_normal_`,
:func:`orthogonal_`, :func:`sparse_`, :func:`calculate_gain`, and torch's deprecated aliases
without the underscore (``uniform``, ``normal``, ..., which warn ``FutureWarning`` as torch's do).
Each computes its parameters with torch's own arithmetic (fans in torch's (out, in, *kernel)
layout, torch's gain table, ``trunc_normal_``'s **absolute** bounds ``a``, ``b``), fills the
tensor in place through its NumPy view with weightinit's sampler (``out=``), and returns the
tensor. The distribution is torch's; the numbers are weightinit's (Philox, see the README), not
the numbers torch would draw.

Which tensors take the fast path
--------------------------------
Plain ``torch.Tensor`` and ``nn.Parameter`` objects on the CPU, strided (dense or any
non-overlapping strides: slices and transposes included), of dtype float32, float64, float16 or
bfloat16, with at least one element, and the usual parameter values. ``requires_grad`` is no
obstacle: the write goes around autograd, as torch's own ``no_grad`` fill does, the tensor stays
``requires_grad``, and its version counter is bumped as an in-place op would.

Sharded tensors
---------------
A ``torch.distributed.tensor.DTensor`` whose local shard is such a CPU tensor and whose placements
are ``Shard(d)`` (any dimension, uneven sizes split as ``torch.chunk`` splits them), ``Replicate``
or FSDP2's ``_StridedShard``, on a mesh of any shape: every rank fills its local shard with
exactly the values of that region of the tensor one process fills (the same seed, the global
shape), computing only its shard, without communication. Fans and gains come from the global
shape. The deterministic functions write the local part of the global result (``eye_`` and
``dirac_`` place their ones by global position). Two functions need more than their shard:
:func:`orthogonal_` (a QR factorization of the whole matrix, which every rank computes itself)
and :func:`sparse_` on a tensor split by rows (which rows of a column are zero is decided over the
whole column). ``Partial`` DTensors, and DTensors on other devices, go to torch.

The key must be the same on every rank: with ``seed=`` an int, or :func:`patch_nn_init` /
:func:`init_module` with an int seed, it is. With a generator as seed source (a
``torch.Generator``, torch's default generator, a weightinit or NumPy ``Generator``), every rank
draws the same keys only if every rank seeds it alike and makes the same calls in the same order.

Everything else is handed to ``torch.nn.init``'s own function, unchanged: CUDA, meta and sparse
tensors, other dtypes, other tensor subclasses, zero-element tensors, overlapping (expanded)
tensors, inference tensors outside inference mode, calls made while a ``TorchFunctionMode``
(other than ``torch.device(...)``) or a ``TorchDispatchMode`` is active, and arguments that are not
plain real numbers or that torch rejects (``uniform_`` with ``a > b``, ``normal_`` with
``std < 0``, bounds outside the dtype's range, ``constant_`` values that overflow it, parameters
whose samples would overflow the dtype, ``sparse_`` with a sparsity outside [0, 1], ...). So bad
arguments raise torch's exceptions with torch's messages, and odd-but-accepted ones do what torch
does. One exception: ``trunc_normal_`` with a negative or non-finite ``std`` raises ``ValueError``
(torch 2.13 loops forever on a tiny negative one).

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
:func:`init_module` initializes a module that exists already (a model built on the meta device,
sharded, then ``to_empty``) the way building it does; the README shows the recipe.
"""

from __future__ import annotations

import contextlib
import math
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable, Literal, Union

import numpy as np
import torch
from torch import Tensor

from . import initializers as _wi
from ._checks import is_int, real
from ._dtypes import has_finite_value_between
from ._fill import check_finite_result
from ._seed import PhiloxKey, as_seed_sequence, key_from_seed
from ._torch_dtensor import Region, is_dtensor, region_of, runs
from ._torch_keys import DeferredNameKeys, NameKeys, StreamKeys, TensorNames, reset_walk, unnamed_stream
from ._torch_patch import NnInitPatch
from ._torch_view import NP_DTYPE, numpy_view
from .generator import Generator as _WIGenerator
from .generator import default_rng
from .philox import philox4x32_10

__all__ = [
    "calculate_gain",
    "constant",
    "constant_",
    "dirac",
    "dirac_",
    "eye",
    "eye_",
    "init_module",
    "kaiming_normal",
    "kaiming_normal_",
    "kaiming_uniform",
    "kaiming_uniform_",
    "normal",
    "normal_",
    "ones_",
    "orthogonal",
    "orthogonal_",
    "patch_nn_init",
    "sparse",
    "sparse_",
    "trunc_normal_",
    "uniform",
    "uniform_",
    "xavier_normal",
    "xavier_normal_",
    "xavier_uniform",
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
    "eye_": None,
    "dirac_": None,
    "xavier_uniform_": 2,
    "xavier_normal_": 2,
    "kaiming_uniform_": 4,
    "kaiming_normal_": 4,
    "orthogonal_": 2,
    "sparse_": 3,
}
#: torch's deprecated aliases (``nn.init.uniform`` for ``nn.init.uniform_``, ...): they call
#: torch's own function, so the patch replaces them too.
_DEPRECATED = ("uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
               "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse")
_GENERATOR_POSITION.update({old: _GENERATOR_POSITION[old + "_"] for old in _DEPRECATED})

#: torch.nn.init's own functions, as they were when this module was imported: the fallback.
_TORCH = {name: getattr(torch.nn.init, name) for name in (*_GENERATOR_POSITION, "calculate_gain")}

#: Largest finite value of each dtype: torch rejects bounds and fill values beyond it.
_DTYPE_MAX = {dt: float(torch.finfo(dt).max) for dt in NP_DTYPE}
_PLAIN_TYPES = (torch.Tensor, torch.nn.Parameter)
_INT53 = 2**53
#: Frames in this package are skipped when a warning names its caller.
_PACKAGE_DIR = str(Path(__file__).resolve().parent)


def _warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` attributed to the first caller outside weightinit (as torch's
    ``stacklevel=2``, whether the call came directly or through the patch)."""
    level, frame = 2, sys._getframe(1)
    while frame is not None and str(Path(frame.f_code.co_filename).resolve().parent) == _PACKAGE_DIR:
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)


def _real(value: Any) -> float | None:
    """A plain real number (int, float, NumPy scalar; not bool) as a float, else None."""
    if type(value) is float:
        return value
    if is_int(value) and abs(int(value)) > _INT53:
        return None  # torch converts big ints to the dtype in one rounding; float() would round twice
    try:
        return real(value, "value")
    except (TypeError, ValueError):
        return None


def _fits(distribution: str, params: tuple[float, ...], dtype: np.dtype) -> bool:
    """Whether weightinit's finite-result rule accepts the call (else torch does what it does,
    infinities included)."""
    try:
        check_finite_result(distribution, params, dtype)
    except ValueError:
        return False
    return True


def _check_truncation(std: Any) -> None:
    """A std torch 2.13's trunc_normal_ accepts but then loops on forever (a tiny negative one) or
    turns into garbage (inf, NaN, any negative one): ValueError, as weightinit's own functions.
    (torch itself rejects a > b, with its own message, so that is left to it.)"""
    sd = _real(std)
    if sd is not None and not (sd >= 0 and math.isfinite(sd)):
        raise ValueError(f"trunc_normal_ needs a finite std >= 0, got std={std!r}")


def _uniform_ok(lo: float, hi: float, dtype: torch.dtype) -> bool:
    """torch's checks for ``uniform_(lo, hi)``: in range for the dtype, ordered, width finite."""
    m = _DTYPE_MAX[dtype]
    return -m <= lo <= hi <= m and hi - lo <= m


def _region(tensor: Any) -> Region | None:
    """The memory weightinit fills for ``tensor`` (a CPU tensor, or a DTensor's CPU shard as a
    region of its global tensor), or None: torch fills it."""
    return region_of(tensor) if isinstance(tensor, torch.Tensor) else None


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


def _derived_key(key: PhiloxKey, tag: int) -> PhiloxKey:
    """A second key from a call's key, for a second stream of the same call (``sparse_``'s zeros)."""
    words = philox4x32_10([tag, 0, 0, 0], key.words)
    return PhiloxKey((int(words[0]), int(words[1])))


def _done(tensor: Tensor) -> Tensor:
    torch.autograd.graph.increment_version(tensor)  # as an in-place op would: autograd sees the write
    return tensor


#: How a random function fills a region from a key, or None when torch should do the call.
Fill = Callable[[Region, PhiloxKey], None]


def _random_fill(
    name: str, tensor: Any, args: tuple, generator: Any, seed: Any, plan: Callable[[Region], Fill | None]
) -> Tensor:
    """The one path of every random function: weightinit fills ``tensor`` when it can (a region
    it can write, a CPU generator, and ``plan(region)`` accepting the arguments), with one key
    drawn for the call whatever the region; otherwise torch's own ``name(tensor, *args, generator)``
    does, with the caller's generator or one seeded from ``seed=``."""
    generator, seed = _split_seed(generator, seed)
    region = _region(tensor) if _cpu_generator(generator) else None
    fill = None if region is None else plan(region)
    if fill is None:
        return _TORCH[name](tensor, *args, _fallback_generator(tensor, generator, seed))
    fill(region, PhiloxKey(key_from_seed(_wi_seed(generator, seed))))
    return _done(tensor)


def _sampler(sample: Callable[..., Any], *params: float) -> Fill:
    """The fill of an element-wise distribution: ``sample(full shape, *params)`` at each block."""

    def fill(region: Region, key: PhiloxKey) -> None:
        for out, index in region.parts():
            sample(region.shape, *params, out=out, index=index, seed=key)

    return fill


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """torch's ``_calculate_fan_in_and_fan_out``: (out, in, *kernel), for 2 or more dims."""
    return _wi.compute_fans(shape, "torch")


def _write(region: Region, values: Callable[[list[np.ndarray]], np.ndarray]) -> None:
    """Write the local part of a deterministic result: ``values(indices)`` gives the values at
    the global positions ``indices`` (per dimension) of the local memory."""
    if region.local is not None:
        region.local[...] = values(region.indices).astype(region.dtype)


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

    def plan(region: Region) -> Fill | None:
        lo, hi = _real(a), _real(b)
        if lo is None or hi is None or not _uniform_ok(lo, hi, tensor.dtype) or not _fits("uniform", (lo, hi), region.dtype):
            return None
        return _sampler(_wi.uniform, lo, hi)

    return _random_fill("uniform_", tensor, (a, b), generator, seed, plan)


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

    def plan(region: Region) -> Fill | None:
        m, sd = _real(mean), _real(std)
        if m is None or sd is None or not (math.isfinite(m) and math.isfinite(sd) and sd >= 0):
            return None
        if not _fits("normal", (m, sd), region.dtype):
            return None
        return _sampler(_wi.normal, m, sd)

    return _random_fill("normal_", tensor, (mean, std), generator, seed, plan)


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
    _check_truncation(std)

    def plan(region: Region) -> Fill | None:
        m, sd, lo, hi = _real(mean), _real(std), _real(a), _real(b)
        if m is None or sd is None or lo is None or hi is None:
            return None
        if not (math.isfinite(m) and math.isfinite(sd) and sd > 0 and lo < hi) or not has_finite_value_between(region.dtype, lo, hi):
            return None
        if not _fits("truncated_normal", (m, sd, lo, hi), region.dtype):
            return None
        return _sampler(_wi.truncated_normal, m, sd, lo, hi)

    return _random_fill("trunc_normal_", tensor, (mean, std, a, b), generator, seed, plan)


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
    region = _region(tensor)
    v = _real(val)
    if region is None or v is None or (math.isfinite(v) and abs(v) > _DTYPE_MAX[tensor.dtype]):
        return _TORCH["constant_"](tensor, val)
    if region.dtype.itemsize == 2:
        v = float(np.float32(v))  # torch's Half/BFloat16 are made from a float
    return _fill_constant(tensor, region, v)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` in place with 0. Returns ``tensor``.

    Examples
    --------
    >>> zeros_(torch.empty(2, dtype=torch.bfloat16)).tolist()
    [0.0, 0.0]
    """
    region = _region(tensor)
    return _TORCH["zeros_"](tensor) if region is None else _fill_constant(tensor, region, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` in place with 1. Returns ``tensor``.

    Examples
    --------
    >>> ones_(torch.empty(2, dtype=torch.float16)).tolist()
    [1.0, 1.0]
    """
    region = _region(tensor)
    return _TORCH["ones_"](tensor) if region is None else _fill_constant(tensor, region, 1.0)


def _fill_constant(tensor: Tensor, region: Region, value: float) -> Tensor:
    """constant_, zeros_ and ones_: every element of the local memory is ``value``."""
    if region.local is not None:
        _wi.constant(region.local.shape, value, out=region.local)
    return _done(tensor)


def eye_(tensor: Tensor) -> Tensor:
    """Fill the 2-dimensional ``tensor`` in place with the identity matrix (ones where the row
    index equals the column index, zeros elsewhere; rectangular shapes too), as torch's ``eye_``.
    A sharded tensor gets the ones of its region of the global matrix. Returns ``tensor``.

    Examples
    --------
    >>> eye_(torch.empty(2, 3)).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    region = _region(tensor) if isinstance(tensor, torch.Tensor) and tensor.dim() == 2 else None
    if region is None:
        return _TORCH["eye_"](tensor)  # torch's ValueError for other dimensions, and the rest
    _write(region, lambda ix: ix[0][:, None] == ix[1][None, :])
    return _done(tensor)


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill the {3, 4, 5}-dimensional ``tensor`` in place with the Dirac delta, as torch's
    ``dirac_``: for each of the ``groups`` groups of ``out_channels // groups`` output channels,
    output channel ``d`` of the group passes input channel ``d`` through (a one at the kernel's
    centre, ``size // 2`` in each spatial dimension) for ``d < min(out_channels // groups,
    in_channels)``; zeros elsewhere. A sharded tensor gets the ones of its region. Returns ``tensor``.

    Examples
    --------
    >>> w = dirac_(torch.empty(2, 2, 3))
    >>> w[:, :, 1].tolist(), float(w.sum())
    ([[1.0, 0.0], [0.0, 1.0]], 2.0)
    """
    region = None
    if isinstance(tensor, torch.Tensor) and tensor.dim() in (3, 4, 5) and is_int(groups) and groups >= 1:
        if tensor.shape[0] % groups == 0:
            region = _region(tensor)
    if region is None:
        return _TORCH["dirac_"](tensor, groups)  # torch's errors for other shapes and groups
    shape = region.shape
    per_group = shape[0] // groups
    diagonal = min(per_group, shape[1])

    def values(ix: list[np.ndarray]) -> np.ndarray:
        out_channel, in_channel, *spatial = ix
        ones = ((out_channel % per_group)[:, None] == in_channel[None, :]) & (in_channel < diagonal)[None, :]
        for k, positions in enumerate(spatial):
            ones = ones[..., None] & (positions == shape[2 + k] // 2)
        return ones

    _write(region, values)
    return _done(tensor)


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

    def plan(region: Region) -> Fill | None:
        g = _real(gain)
        if g is None or len(region.shape) < 2:
            return None
        fan_in, fan_out = _fans(region.shape)
        bound = math.sqrt(3.0) * (g * math.sqrt(2.0 / float(fan_in + fan_out)))
        if not _uniform_ok(-bound, bound, tensor.dtype) or not _fits("uniform", (-bound, bound), region.dtype):
            return None
        return _sampler(_wi.uniform, -bound, bound)

    return _random_fill("xavier_uniform_", tensor, (gain,), generator, seed, plan)


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

    def plan(region: Region) -> Fill | None:
        g = _real(gain)
        if g is None or len(region.shape) < 2:
            return None
        fan_in, fan_out = _fans(region.shape)
        std = g * math.sqrt(2.0 / float(fan_in + fan_out))
        if not (math.isfinite(std) and std >= 0) or not _fits("normal", (0.0, std), region.dtype):
            return None
        return _sampler(_wi.normal, 0.0, std)

    return _random_fill("xavier_normal_", tensor, (gain,), generator, seed, plan)


def _kaiming_std(shape: tuple[int, ...], a: Any, mode: Any, nonlinearity: Any) -> float | None:
    """torch's ``gain / sqrt(fan)``, or None where torch itself should take over."""
    if not isinstance(mode, str) or mode.lower() not in ("fan_in", "fan_out") or len(shape) < 2:
        return None  # torch raises its own AttributeError / ValueError
    fan_in, fan_out = _fans(shape)
    fan = fan_in if mode.lower() == "fan_in" else fan_out
    gain = _TORCH["calculate_gain"](nonlinearity, a)  # torch's errors for bad nonlinearity / a
    return gain / math.sqrt(fan)


def _zero_element(tensor: Any) -> bool:
    """torch's zero-element no-op for the kaiming functions (plain tensors on any device, and
    DTensors whose global tensor is empty)."""
    if (type(tensor) in _PLAIN_TYPES or is_dtensor(tensor)) and 0 in tensor.shape:
        _warn("Initializing zero-element tensors is a no-op", UserWarning)
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
    _split_seed(generator, seed)  # both given is an error before anything else
    if _zero_element(tensor):
        return tensor

    def plan(region: Region) -> Fill | None:
        std = _kaiming_std(region.shape, a, mode, nonlinearity)
        bound = None if std is None else math.sqrt(3.0) * std
        if bound is None or not _uniform_ok(-bound, bound, tensor.dtype) or not _fits("uniform", (-bound, bound), region.dtype):
            return None
        return _sampler(_wi.uniform, -bound, bound)

    return _random_fill("kaiming_uniform_", tensor, (a, mode, nonlinearity), generator, seed, plan)


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
    _split_seed(generator, seed)  # both given is an error before anything else
    if _zero_element(tensor):
        return tensor

    def plan(region: Region) -> Fill | None:
        std = _kaiming_std(region.shape, a, mode, nonlinearity)
        if std is None or not (math.isfinite(std) and std >= 0) or not _fits("normal", (0.0, std), region.dtype):
            return None
        return _sampler(_wi.normal, 0.0, std)

    return _random_fill("kaiming_normal_", tensor, (a, mode, nonlinearity), generator, seed, plan)


def orthogonal_(
    tensor: Tensor, gain: float = 1, generator: torch.Generator | None = None, *, seed: SeedLike = None
) -> Tensor:
    """A (semi-)orthogonal matrix, in place, as torch's ``orthogonal_`` (Saxe et al. 2013): the
    tensor, flattened to (rows, cols) = (shape[0], product of the rest), gets the Q factor of the
    QR factorization of a weightinit N(0, 1) matrix of that shape (of its transpose when
    rows < cols), each column times the sign of R's diagonal entry (so Q is Haar-distributed),
    then times ``gain``. Computed in the tensor's precision for float32 and float64 (as torch),
    in float32 for float16 and bfloat16 (which torch's CPU QR does not support). Returns ``tensor``.

    The QR factorization needs the whole matrix: on a sharded ``DTensor`` every rank draws the
    whole N(0, 1) matrix (the same on every rank: one key, position-keyed samples) and factors it
    itself, without communication, then keeps its shard: each rank pays the whole matrix's
    memory and the whole factorization. Shards equal the single-process result as long as every
    process runs the same LAPACK with the same ``torch.get_num_threads()`` (the factorization's
    last bits depend on both, as torch's own do).

    Examples
    --------
    >>> w = orthogonal_(torch.empty(6, 4, dtype=torch.float64), seed=0)
    >>> torch.allclose(w.T @ w, torch.eye(4, dtype=torch.float64))
    True
    """

    def plan(region: Region) -> Fill | None:
        g = _real(gain)
        if g is None or not math.isfinite(g) or len(region.shape) < 2:
            return None
        rows = region.shape[0]
        cols = math.prod(region.shape[1:])

        def fill(region: Region, key: PhiloxKey) -> None:
            parts = region.parts()
            if not parts:
                return
            q = _orthogonal_matrix(rows, cols, torch.float64 if tensor.dtype is torch.float64 else torch.float32, key)
            result = q.to(tensor.dtype).mul_(g).reshape(region.shape)  # torch: copy, then mul_ in the dtype
            full = numpy_view(result, strict=True)
            for out, index in parts:
                out[...] = full if index is None else full[index]

        return fill

    return _random_fill("orthogonal_", tensor, (gain,), generator, seed, plan)


def _orthogonal_matrix(rows: int, cols: int, dtype: torch.dtype, key: PhiloxKey) -> Tensor:
    """torch's orthogonal_ steps on a weightinit normal matrix: QR, Q times sign(diag(R))."""
    flat = torch.from_numpy(_wi.normal((rows, cols), 0.0, 1.0, dtype="float64" if dtype is torch.float64 else "float32", seed=key))
    if rows < cols:
        flat = flat.T
    q, r = torch.linalg.qr(flat)
    q *= torch.diag(r, 0).sign()
    return q.T if rows < cols else q


def sparse_(
    tensor: Tensor, sparsity: float, std: float = 0.01, generator: torch.Generator | None = None, *, seed: SeedLike = None
) -> Tensor:
    """A sparse 2-dimensional matrix, in place, as torch's ``sparse_`` (Martens 2010): N(0, std**2)
    samples, then in every column ``ceil(sparsity * rows)`` of the rows set to zero, a uniformly
    random choice of them (torch: a ``randperm`` per column). Returns ``tensor``.

    The zeros of column ``c`` are the rows of the ``ceil(sparsity * rows)`` smallest of ``rows``
    uniforms from a second position-keyed stream of the call's key. A sharded ``DTensor``
    computes its own columns only; split by rows, a rank draws those uniforms for the whole of its
    columns (one float64 per element of them), since which rows are zero is decided per column.

    Examples
    --------
    >>> w = sparse_(torch.empty(10, 4), sparsity=0.3, seed=0)
    >>> (w == 0).sum(dim=0).tolist()
    [3, 3, 3, 3]
    """

    def plan(region: Region) -> Fill | None:
        s, sd = _real(sparsity), _real(std)
        if s is None or sd is None or len(region.shape) != 2 or not 0 <= s <= 1:
            return None  # torch's ValueError for other dimensions; its own meaning for odd sparsities
        if not (math.isfinite(sd) and sd >= 0) or not _fits("normal", (0.0, sd), region.dtype):
            return None
        rows, cols = region.shape
        zeros = min(math.ceil(s * rows), rows)
        values = _sampler(_wi.normal, 0.0, sd)

        def fill(region: Region, key: PhiloxKey) -> None:
            values(region, key)
            if zeros and region.local is not None:
                _zero_rows(region, zeros, _derived_key(key, 1))

        return fill

    return _random_fill("sparse_", tensor, (sparsity, std), generator, seed, plan)


def _zero_rows(region: Region, zeros: int, key: PhiloxKey) -> None:
    """Zero ``zeros`` rows of each column of ``region``: the rows of the smallest of the column's
    uniforms, which lie at (column, row) of a (cols, rows) stream, so a column's are contiguous."""
    rows, cols = region.shape
    row_index, col_index = region.indices
    for local, first, n in runs(col_index):
        if zeros < rows:
            u = _wi.uniform((cols, rows), dtype="float64", seed=key, index=np.s_[first:first + n])
            chosen = np.argpartition(u, zeros - 1, axis=1)[:, :zeros]
            zero = np.zeros((n, rows), dtype=bool)
            np.put_along_axis(zero, chosen, True, axis=1)
        else:
            zero = np.ones((n, rows), dtype=bool)
        block = region.local[:, local:local + n]
        block[zero[:, row_index].T] = 0


# ---------------------------------------------------------------------------------------------
# torch's deprecated aliases
# ---------------------------------------------------------------------------------------------


_ALIAS_EXAMPLE_ARGS = {"constant": "torch.empty(3, 3), 0.5", "sparse": "torch.empty(3, 3), 0.5", "dirac": "torch.empty(3, 3, 3)"}


def _deprecated(new: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """``nn.init.<name>`` without the underscore: warns as torch's does, then calls ``new``."""
    new_name = new.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args: Any, **kwargs: Any) -> Tensor:
        _warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.", FutureWarning)
        return new(*args, **kwargs)

    deprecated_init.__name__ = deprecated_init.__qualname__ = old_name
    deprecated_init.__doc__ = f"""{old_name}(...): torch's deprecated name of :func:`{new_name}`;
    warns ``FutureWarning`` as torch does, then calls :func:`{new_name}`.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = {old_name}({_ALIAS_EXAMPLE_ARGS.get(old_name, "torch.empty(3, 3)")})
    >>> caught[0].category.__name__
    'FutureWarning'
    """
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)


# ---------------------------------------------------------------------------------------------
# patch_nn_init and init_module
# ---------------------------------------------------------------------------------------------

_PATCH = NnInitPatch({name: (globals()[name], position) for name, position in _GENERATOR_POSITION.items()})
_NAMES = tuple(_GENERATOR_POSITION)  # the functions patch_nn_init replaces
_ORIGINALS = _PATCH.originals  # torch's own, to recognize them in other modules (never replaced)
_PATCHED = _PATCH.patched  # what the patch installs


def _context_source(seed: Any) -> Any:
    if seed is None or isinstance(seed, (torch.Generator, _WIGenerator, np.random.Generator)):
        return seed
    return default_rng(seed)  # ints, sequences of ints, SeedSequences, bit generators


def _root_seed(seed: Any) -> np.random.SeedSequence:
    """The root of the keys by name: the seed itself when it is fixed (an int, a sequence of
    them, a SeedSequence), else 64 bits drawn once from the generator (torch's default for None)."""
    if seed is None or isinstance(seed, torch.Generator):
        words = key_from_seed(_wi_seed(seed, None))
    elif isinstance(seed, (_WIGenerator, np.random.Generator)):
        words = key_from_seed(seed)
    else:
        return as_seed_sequence(seed)
    return np.random.SeedSequence(list(words))


def _after_reset(module: torch.nn.Module) -> None:
    """What a module's own reset cannot do on a DTensor: ``nn.Embedding`` and ``nn.EmbeddingBag``
    zero their padding row with ``weight[padding_idx].fill_(0)``, which on a sharded weight fills
    a copy (torch 2.13); the row is zeroed here, in whichever shard holds it."""
    padding = getattr(module, "padding_idx", None)
    weight = getattr(module, "weight", None)
    if padding is None or not isinstance(module, (torch.nn.Embedding, torch.nn.EmbeddingBag)) or not is_dtensor(weight):
        return
    region = region_of(weight)
    if region is not None and region.local is not None:
        region.local[region.indices[0] == padding] = 0
        _done(weight)


def _walk(module: torch.nn.Module) -> None:
    reset_walk(module, _after_reset)


def _name_keys(module: torch.nn.Module, seed: Any) -> NameKeys:
    root = _root_seed(seed)
    return NameKeys(root, TensorNames([module]), default_rng(unnamed_stream(root)))


@contextlib.contextmanager
def patch_nn_init(seed: SeedLike = None, *, by_name: bool = False) -> Iterator[None]:
    """Route ``torch.nn.init``'s functions to weightinit's inside a ``with`` block.

    Replaces every function of ``torch.nn.init`` (``uniform_``, ``normal_``, ``trunc_normal_``,
    ``constant_``, ``zeros_``, ``ones_``, ``eye_``, ``dirac_``, ``xavier_uniform_``,
    ``xavier_normal_``, ``kaiming_uniform_``, ``kaiming_normal_``, ``orthogonal_``, ``sparse_``
    and the deprecated names without the underscore) on ``torch.nn.init`` and in every loaded
    module that bound them by name (torch's own ``nn.modules.activation`` and
    ``nn.modules.transformer`` do), so modules' own ``reset_parameters`` use weightinit.
    Everything is restored on exit, exceptions included; blocks nest (the outermost exit restores).

    ``seed``: None draws each call's key from torch's default generator (``torch.manual_seed``
    applies); an int, a sequence of ints or a ``SeedSequence`` starts a weightinit
    ``Generator`` from which each call draws a fresh key, so building the same model in the same
    order gives the same weights; a weightinit or NumPy ``Generator`` or a ``torch.Generator`` is
    drawn from directly (and advances). Calls that pass their own ``generator=`` keep it.

    ``by_name=True`` keys each parameter by its qualified name in the model instead of by the
    order of the calls: the key of ``"blocks.3.mlp.fc1.weight"`` is a function of (``seed``, that
    name) alone (with ``seed`` a generator or None: of 64 bits drawn from it once, on entry). So
    the weights do not depend on the order in which parameters are initialized, and adding or
    removing layers leaves every parameter whose name stays the same as it was (in an
    ``nn.Sequential`` or ``nn.ModuleList`` names are positions: a layer added at the end renames
    nothing, one inserted in front renames those after it). The trade-offs:

    - A name is known only once the model is built (a layer is built before it is attached to
      its parent), so the weights are written when the block **exits**, and the models must
      still exist then. Calls inside a ``reset_parameters`` (or ``_reset_parameters``) of a
      module built in the block do nothing when made: at the exit each model built in the block
      (a module built in it that is no other built module's descendant) has its modules' reset
      methods called again, children before parents (:func:`init_module`'s order), keyed by
      name. Inside the block those parameters hold what ``torch.empty`` left.
    - Other calls (a model's own init code outside reset methods, calls after the model is
      built) run when made, from a stream of the seed, and are made again at the exit, after all
      the resets, in their order, keyed by name when their tensor has one. Writes that code makes
      without ``torch.nn.init`` are not repeated; calls with their own ``generator=`` are repeated
      with it (it advances again).
    - Names are relative to each model: two models built in one block have equal weights under
      equal names (build them in separate blocks with different seeds). A layer copied at
      construction (``nn.TransformerEncoder`` deep-copies its layer) gets weights of its own per
      copy. Tensors with no name in the models (views of a parameter are named after it, with
      their offset, shape and strides) draw from a stream of the seed, in call order.

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
    >>> with patch_nn_init(seed=0, by_name=True):  # a layer added at the end changes no other
    ...     c = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Linear(8, 4))
    >>> with patch_nn_init(seed=0, by_name=True):
    ...     d = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.Linear(8, 4), torch.nn.Linear(4, 4))
    >>> torch.equal(c[1].weight, d[1].weight)
    True
    """
    if not by_name:
        _PATCH.enter(StreamKeys(_context_source(seed)))
        try:
            yield
        finally:
            _PATCH.leave()
        return
    root = _root_seed(seed)
    block = DeferredNameKeys(root, default_rng(unnamed_stream(root)), _walk)
    _PATCH.enter(block)
    try:
        yield
        block.finish(_PATCH.enter, _PATCH.leave)
    finally:
        _PATCH.leave()


def init_module(
    module: torch.nn.Module,
    seed: SeedLike = None,
    *,
    by_name: bool = False,
    init: Callable[[torch.nn.Module], Any] | None = None,
) -> torch.nn.Module:
    """Initialize an existing ``module`` with ``torch.nn.init`` routed to weightinit, as building
    it inside :func:`patch_nn_init` does. Returns ``module``.

    By default every submodule's ``reset_parameters()`` (or ``_reset_parameters()``, which
    ``nn.MultiheadAttention`` and ``nn.Transformer`` have instead) is called, children before
    parents, in registration order, each module once (``nn.Module.apply``'s order): the order in
    which a model whose modules build their children first and then reset themselves calls them
    while it is built. ``init(module)``, when given, is called instead (a model's own
    ``init_weights``, say). One repair is made on the way: the padding row of an
    ``nn.Embedding`` (or ``nn.EmbeddingBag``) with a sharded weight is zeroed after its reset,
    which on a DTensor zeroes a copy of the row instead (torch 2.13).

    This is the second half of building large models sharded: build on the meta device, shard
    (FSDP2's ``fully_shard``, ``parallelize_module``), ``to_empty(device="cpu")``, then
    ``init_module(model, seed=s)``: every rank's shards hold exactly the weights that
    ``with patch_nn_init(seed=s): model = build()`` gives one process, for any world size, mesh
    and placements, as long as the order of the calls is the same (``seed`` an int: keys in
    call order) or ``by_name=True`` (keys by qualified name, as :func:`patch_nn_init`'s
    ``by_name``, with the names in ``module``). Every rank must make the same calls in the same
    order; with ``seed`` a generator or None, every rank must also seed it alike.

    Examples
    --------
    >>> with torch.device("meta"):
    ...     model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.LayerNorm(8))
    >>> model = init_module(model.to_empty(device="cpu"), seed=0)
    >>> with patch_nn_init(seed=0):
    ...     built = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.LayerNorm(8))
    >>> all(torch.equal(p, q) for p, q in zip(model.parameters(), built.parameters()))
    True
    """
    policy = _name_keys(module, seed) if by_name else StreamKeys(_context_source(seed))
    _PATCH.enter(policy)
    try:
        if init is None:
            _walk(module)
        else:
            init(module)
    finally:
        _PATCH.leave()
    return module
