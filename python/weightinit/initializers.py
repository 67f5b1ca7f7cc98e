"""Weight initializers: one mechanism (:func:`variance_scaling` and the plain distributions),
many familiar names.

Every function takes ``shape`` and the keyword arguments

``dtype``   float32 (default), float64, float16 or bfloat16 (``ml_dtypes.bfloat16``);
            with ``out=`` the default is ``out``'s dtype.
``seed``    None (fresh entropy), an int, a ``numpy.random.SeedSequence``, or a weightinit /
            NumPy ``Generator`` (a key is drawn from it, so it advances).
``out``     a writable NumPy array (any strides, ``np.memmap`` included) or CPU torch tensor
            of the result's shape, filled in place and returned.
``index``   a NumPy basic index of the full tensor: the result is ``init(shape)[index]`` bit for
            bit, computed at the cost of the part asked for (how a shard makes its piece).
``layout``  "torch" (default): weights are (out, in, *kernel); "jax"/"keras": (*kernel, in, out).

The sample at each position of the full tensor depends only on the seed and the position: the
same seed gives the same weights for any thread count, slicing or machine.
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Callable, Literal, Sequence, Union, get_args

from . import _checks
from ._arrays import resolve_out
from ._dtypes import has_finite_value_between, resolve_dtype
from ._fill import fill_distribution

__all__ = [
    "calculate_gain",
    "compute_fans",
    "constant",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "normal",
    "ones",
    "truncated_normal",
    "uniform",
    "variance_scaling",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

Axis = Union[int, Sequence[int]]
#: Where a weight tensor keeps its input and output axes: "torch" (out, in, *kernel);
#: "jax" and "keras" (*kernel, in, out).
Layout = Literal["torch", "jax", "keras"]
#: The fan that He/Kaiming scale by.
KaimingMode = Literal["fan_in", "fan_out"]
#: The ``n`` of :func:`variance_scaling`.
ScalingMode = Literal["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]
#: What :func:`variance_scaling` samples from.
Distribution = Literal["uniform", "normal", "truncated_normal"]
#: Nonlinearities whose gain is 1 in PyTorch's table.
LinearNonlinearity = Literal[
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"
]
#: Every nonlinearity :func:`calculate_gain` knows.
Nonlinearity = Literal[LinearNonlinearity, "tanh", "relu", "leaky_relu", "selu"]

LAYOUTS: tuple[str, ...] = get_args(Layout)
_LINEAR: tuple[str, ...] = get_args(LinearNonlinearity)
_KAIMING_MODES: tuple[str, ...] = get_args(KaimingMode)
_SCALING_MODES: tuple[str, ...] = get_args(ScalingMode)
_DISTRIBUTIONS: tuple[str, ...] = get_args(Distribution)
NONLINEARITIES: tuple[str, ...] = get_args(LinearNonlinearity) + ("tanh", "relu", "leaky_relu", "selu")

#: Standard deviation of a standard normal truncated to (-2, 2); JAX and Keras divide by it.
TRUNCATED_NORMAL_STD_2SIGMA = 0.87962566103423978

_LAYOUT_AXES = {"torch": (1, 0), "jax": (-2, -1), "keras": (-2, -1)}


# ---------------------------------------------------------------------------------------------
# Fans and gains
# ---------------------------------------------------------------------------------------------


def compute_fans(
    shape: Any, layout: Layout = "torch", *, in_axis: Axis | None = None, out_axis: Axis | None = None
) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight tensor of ``shape``.

    ``layout="torch"``: (out, in, *kernel), as ``torch.nn.init._calculate_fan_in_and_fan_out``:
    ``fan_in = shape[1] * receptive``, ``fan_out = shape[0] * receptive`` with ``receptive`` the
    product of the kernel dims. ``layout="jax"`` (or ``"keras"``): (*kernel, in, out), as JAX's
    ``_compute_fans`` with ``in_axis=-2, out_axis=-1``. Explicit ``in_axis``/``out_axis`` (ints
    or sequences) override the layout; every other axis counts as receptive field.

    Examples
    --------
    >>> compute_fans((64, 32, 3, 3))
    (288, 576)
    >>> compute_fans((3, 3, 32, 64), layout="jax")
    (288, 576)
    """
    dims = _checks.shape(shape)
    if layout == "torch" and in_axis is None and out_axis is None and len(dims) >= 2:  # the common case
        receptive = math.prod(dims[2:])
        return dims[1] * receptive, dims[0] * receptive
    if len(dims) < 2:
        raise ValueError(f"fan in and fan out are undefined for a tensor with fewer than 2 dimensions, got shape {dims}")
    default_in, default_out = _LAYOUT_AXES[_checks.choice(layout, "layout", LAYOUTS)]
    ins = _checks.axes(default_in if in_axis is None else in_axis, len(dims), "in_axis")
    outs = _checks.axes(default_out if out_axis is None else out_axis, len(dims), "out_axis")
    if set(ins) & set(outs):
        raise ValueError(f"in_axis {ins} and out_axis {outs} overlap")
    in_size = math.prod(dims[a] for a in ins)
    out_size = math.prod(dims[a] for a in outs)
    receptive = math.prod(d for k, d in enumerate(dims) if k not in ins and k not in outs)
    return in_size * receptive, out_size * receptive


def calculate_gain(nonlinearity: Nonlinearity, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity, from PyTorch's ``calculate_gain`` table.

    ================= ====================================
    nonlinearity      gain
    ================= ====================================
    linear, conv*, sigmoid  1
    tanh              5/3
    relu              sqrt(2)
    leaky_relu        sqrt(2 / (1 + negative_slope**2)), slope ``param`` (default 0.01)
    selu              3/4
    ================= ====================================

    Examples
    --------
    >>> calculate_gain("relu")
    1.4142135623730951
    >>> calculate_gain("leaky_relu", 0.2)
    1.3867504905630728
    """
    if nonlinearity in _LINEAR:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        else:
            try:
                negative_slope = _checks.real(param, "negative_slope")
            except TypeError:
                raise ValueError(f"negative_slope {param} not a valid number") from None
            if not math.isfinite(negative_slope):
                raise ValueError(f"negative_slope must be finite, got {param}")
        square = negative_slope * negative_slope  # inf, not OverflowError, when it overflows
        if not math.isfinite(square):
            raise ValueError(f"negative_slope={negative_slope!r} is too large: its square overflows a float64")
        return math.sqrt(2.0 / (1 + square))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}; use one of {', '.join(NONLINEARITIES)}")


def _fan_based(
    shape: Any,
    layout: str,
    in_axis: Axis | None,
    out_axis: Axis | None,
    sample: Any,
    kw: dict[str, Any],
) -> Any:
    """Fill with ``sample(fan_in, fan_out) -> (distribution, params)``; a zero-size tensor has
    nothing to scale and is filled (emptily) without drawing a key."""
    dims = _checks.shape(shape)
    if layout == "torch" and in_axis is None and out_axis is None and len(dims) == 2:  # a Linear weight
        fans = dims[1], dims[0]  # compute_fans' result, without its checks and call (small calls)
    else:
        fans = compute_fans(dims, layout, in_axis=in_axis, out_axis=out_axis)
    if 0 in dims:
        return fill_distribution("constant", (0.0,), dims, **kw)
    distribution, params = sample(*fans)
    return fill_distribution(distribution, params, dims, **kw)


# ---------------------------------------------------------------------------------------------
# Plain distributions
# ---------------------------------------------------------------------------------------------


def uniform(
    shape: Any, low: float = 0.0, high: float = 1.0, *, dtype: Any = None, seed: Any = None, out: Any = None, index: Any = None
) -> Any:
    """Samples of U[low, high): ``low + (high - low) * u``, ``u`` with 24 (float32, float16,
    bfloat16) or 53 (float64) random bits. Low precision rounds once from float32, so a value
    may round up to ``high``.

    Examples
    --------
    >>> w = uniform((2, 3), -1.0, 1.0, seed=0)
    >>> w.shape, w.dtype.name, bool(((-1 <= w) & (w < 1)).all())
    ((2, 3), 'float32', True)
    """
    lo, hi = _checks.finite_real(low, "low"), _checks.finite_real(high, "high")
    if not lo <= hi:
        raise ValueError(f"uniform needs low <= high, got low={lo}, high={hi}")
    if not math.isfinite(hi - lo):
        raise ValueError("high - low overflows")
    return fill_distribution("uniform", (lo, hi), shape, dtype=dtype, seed=seed, out=out, index=index)


def normal(
    shape: Any, mean: float = 0.0, std: float = 1.0, *, dtype: Any = None, seed: Any = None, out: Any = None, index: Any = None
) -> Any:
    """Samples of N(mean, std**2), untruncated: ``mean + std * z`` with ``z`` from Box-Muller.

    Examples
    --------
    >>> w = normal((1000,), 0.0, 0.02, seed=1)
    >>> round(float(w.std()), 2)
    0.02
    """
    m, s = _checks.finite_real(mean, "mean"), _checks.finite_real(std, "std", minimum=0.0)
    return fill_distribution("normal", (m, s), shape, dtype=dtype, seed=seed, out=out, index=index)


def truncated_normal(
    shape: Any,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    *,
    dtype: Any = None,
    seed: Any = None,
    out: Any = None,
    index: Any = None,
) -> Any:
    """N(mean, std**2) conditioned on [a, b], with PyTorch's **absolute** bounds (as
    ``torch.nn.init.trunc_normal_``; JAX and Keras give bounds in units of std).

    Exact inversion of the normal tail function, no rejection and no clipping, valid for bounds
    anywhere (deep tails included). Values lie in [a, b] after rounding to ``dtype``.

    Examples
    --------
    >>> w = truncated_normal((1000,), 0.0, 1.0, a=8.0, b=9.0, dtype="float64", seed=0)
    >>> bool(((8 <= w) & (w <= 9)).all())
    True
    """
    m = _checks.finite_real(mean, "mean")
    s = _checks.finite_real(std, "std", positive=True)
    lo, hi = _checks.not_nan_real(a, "a"), _checks.not_nan_real(b, "b")
    if not lo < hi:
        raise ValueError(f"truncated_normal needs a < b, got a={lo}, b={hi}")
    _check_representable_between(lo, hi, dtype, out)
    return fill_distribution("truncated_normal", (m, s, lo, hi), shape, dtype=dtype, seed=seed, out=out, index=index)


def _check_representable_between(lo: float, hi: float, dtype: Any, out: Any) -> None:
    """ValueError unless the output dtype has a finite value in [lo, hi] (else no sample fits)."""
    if dtype is not None:
        dt = resolve_dtype(dtype)
    elif out is not None:
        dt = resolve_out(out, None)[2]
    else:
        dt = resolve_dtype("float32")
    if not has_finite_value_between(dt, lo, hi):
        raise ValueError(f"no finite {dt.name} value lies in [{lo!r}, {hi!r}]; widen the bounds or use a wider dtype")


def constant(shape: Any, value: float, *, dtype: Any = None, out: Any = None, index: Any = None, seed: Any = None) -> Any:
    """Every element ``value`` (rounded once to ``dtype``). ``seed`` is accepted and ignored.

    Examples
    --------
    >>> w = constant((2,), 0.5)
    >>> w.shape, w.dtype.name, float(w[1])
    ((2,), 'float32', 0.5)
    """
    v = _checks.real(value, "value")
    return fill_distribution("constant", (v,), shape, dtype=dtype, seed=None, out=out, index=index)


def zeros(shape: Any, *, dtype: Any = None, out: Any = None, index: Any = None, seed: Any = None) -> Any:
    """All zeros (see :func:`constant`).

    >>> w = zeros((2,), dtype="float16")
    >>> w.dtype.name, float(w[0]), float(w[1])
    ('float16', 0.0, 0.0)
    """
    return constant(shape, 0.0, dtype=dtype, out=out, index=index)


def ones(shape: Any, *, dtype: Any = None, out: Any = None, index: Any = None, seed: Any = None) -> Any:
    """All ones (see :func:`constant`).

    >>> w = ones((2,), dtype="float64")
    >>> w.dtype.name, float(w[0]), float(w[1])
    ('float64', 1.0, 1.0)
    """
    return constant(shape, 1.0, dtype=dtype, out=out, index=index)


# ---------------------------------------------------------------------------------------------
# The variance-scaling family
# ---------------------------------------------------------------------------------------------



def variance_scaling(
    shape: Any,
    scale: float = 1.0,
    mode: ScalingMode = "fan_in",
    distribution: Distribution = "truncated_normal",
    *,
    dtype: Any = None,
    seed: Any = None,
    out: Any = None,
    index: Any = None,
    layout: Layout = "torch",
    in_axis: Axis | None = None,
    out_axis: Axis | None = None,
) -> Any:
    """JAX/Keras ``variance_scaling``: samples with variance ``scale / n``.

    ``n`` is fan_in, fan_out, (fan_in + fan_out) / 2 (``fan_avg``) or sqrt(fan_in * fan_out)
    (``fan_geo_avg``). ``distribution``:

    - ``"truncated_normal"``: N(0, s**2) cut at +-2s, ``s = sqrt(scale / n) / 0.87962566103423978``
      (so the variance after truncation is ``scale / n``), as JAX and Keras;
    - ``"normal"``: N(0, scale / n), untruncated;
    - ``"uniform"``: U[-l, l), ``l = sqrt(3 * scale / n)``.

    Fans follow ``layout`` (default "torch": (out, in, *kernel)); JAX's own default layout is
    ``layout="jax"``.

    Examples
    --------
    >>> w = variance_scaling((3, 3, 64, 128), 2.0, "fan_in", "truncated_normal", layout="jax", seed=0)
    >>> w.shape
    (3, 3, 64, 128)
    """
    sc = _checks.finite_real(scale, "scale", positive=True)
    _checks.choice(mode, "mode", _SCALING_MODES)
    _checks.choice(distribution, "distribution", _DISTRIBUTIONS)

    def sample(fan_in: int, fan_out: int) -> tuple[str, tuple[float, ...]]:
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2, "fan_geo_avg": (fan_in * fan_out) ** 0.5}[mode]
        variance = sc / n
        if distribution == "truncated_normal":
            std = math.sqrt(variance) / TRUNCATED_NORMAL_STD_2SIGMA
            return "truncated_normal", (0.0, std, -2.0 * std, 2.0 * std)
        if distribution == "normal":
            return "normal", (0.0, math.sqrt(variance))
        limit = math.sqrt(3.0 * variance)
        return "uniform", (-limit, limit)

    return _fan_based(shape, layout, in_axis, out_axis, sample, dict(dtype=dtype, seed=seed, out=out, index=index))


def glorot_uniform(
    shape: Any, *, gain: float = 1.0, dtype: Any = None, seed: Any = None, out: Any = None, index: Any = None,
    layout: Layout = "torch",
) -> Any:
    """Glorot/Xavier uniform: U[-a, a), ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    Computed as PyTorch's ``xavier_uniform_``: ``std = gain * sqrt(2 / (fan_in + fan_out))``,
    ``a = sqrt(3) * std``.

    Examples
    --------
    >>> w = glorot_uniform((256, 128), seed=0)
    >>> bound = (6 / (256 + 128)) ** 0.5
    >>> bool((abs(w) <= bound).all())
    True
    """
    g = _checks.finite_real(gain, "gain", minimum=0.0)

    def sample(fan_in: int, fan_out: int) -> tuple[str, tuple[float, ...]]:
        a = math.sqrt(3.0) * (g * math.sqrt(2.0 / float(fan_in + fan_out)))
        return "uniform", (-a, a)

    return _fan_based(shape, layout, None, None, sample, dict(dtype=dtype, seed=seed, out=out, index=index))


def glorot_normal(
    shape: Any, *, gain: float = 1.0, dtype: Any = None, seed: Any = None, out: Any = None, index: Any = None,
    layout: Layout = "torch",
) -> Any:
    """Glorot/Xavier normal (PyTorch's ``xavier_normal_``, untruncated):
    N(0, std**2), ``std = gain * sqrt(2 / (fan_in + fan_out))``. For JAX/Keras ``glorot_normal``
    (truncated) use ``variance_scaling(shape, 1.0, "fan_avg", "truncated_normal")``.

    Examples
    --------
    >>> w = glorot_normal((512, 512), seed=0)
    >>> bool(abs(w.std() / (2 / (512 + 512)) ** 0.5 - 1) < 0.01)
    True
    """
    g = _checks.finite_real(gain, "gain", minimum=0.0)

    def sample(fan_in: int, fan_out: int) -> tuple[str, tuple[float, ...]]:
        return "normal", (0.0, g * math.sqrt(2.0 / float(fan_in + fan_out)))

    return _fan_based(shape, layout, None, None, sample, dict(dtype=dtype, seed=seed, out=out, index=index))


def _kaiming(
    shape: Any, a: float, mode: str, nonlinearity: str, layout: str, distribution: str, kw: dict[str, Any]
) -> Any:
    if isinstance(mode, str):
        mode = mode.lower()  # as torch.nn.init does
    if mode not in _KAIMING_MODES:
        raise ValueError(f"Mode {mode!r} not supported, please use one of fan_in, fan_out")
    gain = calculate_gain(nonlinearity, _checks.finite_real(a, "a"))

    def sample(fan_in: int, fan_out: int) -> tuple[str, tuple[float, ...]]:
        std = gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)
        if distribution == "uniform":
            bound = math.sqrt(3.0) * std
            return "uniform", (-bound, bound)
        return "normal", (0.0, std)

    return _fan_based(shape, layout, None, None, sample, kw)


def he_uniform(
    shape: Any, *, a: float = 0.0, mode: KaimingMode = "fan_in", nonlinearity: Nonlinearity = "leaky_relu",
    dtype: Any = None, seed: Any = None, out: Any = None, index: Any = None, layout: Layout = "torch",
) -> Any:
    """He/Kaiming uniform, as PyTorch's ``kaiming_uniform_``: U[-bound, bound),
    ``bound = sqrt(3) * gain / sqrt(fan)``, ``gain = calculate_gain(nonlinearity, a)``,
    ``fan`` = fan_in or fan_out (``mode``).

    Examples
    --------
    >>> w = he_uniform((128, 64), nonlinearity="relu", seed=0)
    >>> bool((abs(w) <= (6 / 64) ** 0.5).all())
    True
    """
    return _kaiming(shape, a, mode, nonlinearity, layout, "uniform", dict(dtype=dtype, seed=seed, out=out, index=index))


def he_normal(
    shape: Any, *, a: float = 0.0, mode: KaimingMode = "fan_in", nonlinearity: Nonlinearity = "leaky_relu",
    dtype: Any = None, seed: Any = None, out: Any = None, index: Any = None, layout: Layout = "torch",
) -> Any:
    """He/Kaiming normal, as PyTorch's ``kaiming_normal_`` (untruncated):
    N(0, std**2), ``std = gain / sqrt(fan)``. For JAX/Keras ``he_normal`` (truncated) use
    ``variance_scaling(shape, 2.0, "fan_in", "truncated_normal")``.

    Examples
    --------
    >>> w = he_normal((1024, 512), nonlinearity="relu", seed=0)
    >>> bool(abs(w.std() / (2 / 512) ** 0.5 - 1) < 0.01)
    True
    """
    return _kaiming(shape, a, mode, nonlinearity, layout, "normal", dict(dtype=dtype, seed=seed, out=out, index=index))


def lecun_uniform(shape: Any, *, dtype: Any = None, seed: Any = None, out: Any = None, index: Any = None, layout: Layout = "torch") -> Any:
    """LeCun uniform: U[-l, l), ``l = sqrt(3 / fan_in)`` (``variance_scaling(1, "fan_in", "uniform")``).

    >>> w = lecun_uniform((64, 48), seed=0)
    >>> bool((abs(w) <= (3 / 48) ** 0.5).all())
    True
    """
    return variance_scaling(shape, 1.0, "fan_in", "uniform", dtype=dtype, seed=seed, out=out, index=index, layout=layout)


def lecun_normal(shape: Any, *, dtype: Any = None, seed: Any = None, out: Any = None, index: Any = None, layout: Layout = "torch") -> Any:
    """LeCun normal, untruncated: N(0, 1 / fan_in). (JAX's ``lecun_normal`` is truncated:
    ``variance_scaling(shape, 1.0, "fan_in", "truncated_normal")``.)

    >>> w = lecun_normal((1024, 256), seed=0)
    >>> bool(abs(w.std() * 256 ** 0.5 - 1) < 0.01)
    True
    """
    return variance_scaling(shape, 1.0, "fan_in", "normal", dtype=dtype, seed=seed, out=out, index=index, layout=layout)


xavier_uniform = glorot_uniform
xavier_normal = glorot_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal


def _is_initializer(fn: Any) -> bool:
    """A function of this module's ``__all__`` that fills a tensor: it takes shape, out and index."""
    return callable(fn) and {"shape", "out", "index"} <= set(inspect.signature(fn).parameters)


#: Every initializer by its public name (aliases included): what weightinit.dask and the
#: ``init`` command are derived from. Adding an initializer is one function here and its name
#: in ``__all__`` (the package exports this module's ``__all__``).
INITIALIZERS: dict[str, Callable[..., Any]] = {name: globals()[name] for name in __all__ if _is_initializer(globals()[name])}
