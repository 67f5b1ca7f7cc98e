"""Initializers: fans, gains and scales from PyTorch's and JAX's definitions, checked by hand.

Expected numbers are computed here from the frameworks' formulas, in the frameworks' order of
operations, never by calling weightinit's own arithmetic:

- torch.nn.init: fans from (out, in, *kernel); xavier_uniform_: std = gain * sqrt(2 / (fan_in +
  fan_out)), a = sqrt(3) * std; xavier_normal_: N(0, std^2); kaiming_uniform_: std = gain /
  sqrt(fan), bound = sqrt(3) * std; kaiming_normal_: N(0, std^2); calculate_gain's table.
- jax.nn.initializers.variance_scaling: n = fan_in, fan_out, (fan_in + fan_out) / 2 or
  (fan_in * fan_out) ** 0.5; variance = scale / n; truncated normal: N(0, s^2) cut at +-2s with
  s = sqrt(variance) / 0.87962566103423978; normal: std sqrt(variance); uniform: limit
  sqrt(3 * variance).

Statistical checks use fixed seeds and state their false-failure rate (<= 1e-6 per test).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as st

import weightinit as wi
from conftest import DTYPES
from bits import BF16, np_dtype, assert_same_bits

ALPHA = 1e-6
TRUNC_STD_2SIGMA = 0.87962566103423978
#: Unit roundoff of each output dtype (relative error of one round-to-nearest).
UNIT_ROUNDOFF = {"float64": 2.0**-53, "float32": 2.0**-24, "float16": 2.0**-11, "bfloat16": 2.0**-8}








def round_to(value: float, dtype: str) -> float:
    """value as the output dtype holds it: float64 as is, others through float32 (one rounding
    from float32 to float16/bfloat16, as the package samples)."""
    if dtype == "float64":
        return value
    return float(np.asarray(np.float32(value)).astype(np_dtype(dtype)).astype(np.float64))


def ulp(value: float, dtype: str) -> float:
    v = np.asarray(round_to(value, dtype)).astype(np_dtype(dtype))
    return float(np.abs(np.nextafter(v, np.asarray(np.inf).astype(v.dtype)).astype(np.float64) - v.astype(np.float64)))


# ---------------------------------------------------------------------------------------------
# Reference definitions (written out from the frameworks' sources)
# ---------------------------------------------------------------------------------------------


def torch_fans(shape):
    """torch.nn.init._calculate_fan_in_and_fan_out: (out, in, *kernel)."""
    receptive = 1
    for s in shape[2:]:
        receptive *= s
    return shape[1] * receptive, shape[0] * receptive


def jax_fans(shape, in_axis=-2, out_axis=-1):
    """jax.nn.initializers._compute_fans, with int or tuple axes."""
    ins = (in_axis,) if isinstance(in_axis, int) else tuple(in_axis)
    outs = (out_axis,) if isinstance(out_axis, int) else tuple(out_axis)
    ins = tuple(i % len(shape) for i in ins)
    outs = tuple(o % len(shape) for o in outs)
    in_size = math.prod(shape[i] for i in ins)
    out_size = math.prod(shape[o] for o in outs)
    receptive = math.prod(shape) // (in_size * out_size) if math.prod(shape) else math.prod(
        s for k, s in enumerate(shape) if k not in ins + outs
    )
    return in_size * receptive, out_size * receptive


def torch_gain(nonlinearity, param=None):
    """torch.nn.init.calculate_gain's table."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                        "conv_transpose3d", "sigmoid"):
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        negative_slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise AssertionError(nonlinearity)


def jax_denominator(fan_in, fan_out, mode):
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2,
            "fan_geo_avg": (fan_in * fan_out) ** 0.5}[mode]


# ---------------------------------------------------------------------------------------------
# compute_fans
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, expected",
    [
        ((10, 20), (20, 10)),
        ((64, 32, 3, 3), (288, 576)),
        ((5, 7, 2), (14, 10)),
        ((4, 6, 3, 5, 2), (180, 120)),
        ((1, 1), (1, 1)),
        ((3, 0, 2), (0, 6)),
    ],
)
def test_compute_fans_torch_layout_is_out_in_kernel(shape, expected):
    assert torch_fans(shape) == expected  # the reference agrees with the literal numbers
    assert wi.compute_fans(shape) == expected
    assert wi.compute_fans(shape, layout="torch") == expected
    assert wi.compute_fans(list(shape)) == expected


@pytest.mark.parametrize("layout", ["jax", "keras"])
@pytest.mark.parametrize(
    "shape, expected",
    [
        ((20, 10), (20, 10)),
        ((3, 3, 32, 64), (288, 576)),
        ((2, 5, 7), (10, 14)),
        ((2, 3, 4, 6, 5), (144, 120)),
    ],
)
def test_compute_fans_jax_layout_is_kernel_in_out(shape, expected, layout):
    assert jax_fans(shape) == expected
    fans = wi.compute_fans(shape, layout=layout)
    assert fans == expected
    assert all(type(f) is int for f in fans)


@pytest.mark.parametrize(
    "shape, layout, in_axis, out_axis",
    [
        ((2, 3, 4, 5), "torch", (0, 1), -1),
        ((2, 3, 4, 5), "jax", 1, 0),
        ((2, 3, 4, 5), "torch", -1, (0, 2)),
        ((3, 4, 5), "jax", 0, None),  # out_axis from the layout: -1
        ((3, 4, 5), "torch", None, 2),  # in_axis from the layout: 1
        ((6, 7), "torch", 0, 1),
    ],
)
def test_compute_fans_explicit_axes_override_the_layout(shape, layout, in_axis, out_axis):
    default_in, default_out = (1, 0) if layout == "torch" else (-2, -1)
    expected = jax_fans(shape, default_in if in_axis is None else in_axis, default_out if out_axis is None else out_axis)
    assert wi.compute_fans(shape, layout, in_axis=in_axis, out_axis=out_axis) == expected


def test_compute_fans_explicit_axes_literal_values():
    assert wi.compute_fans((2, 3, 4, 5), in_axis=(0, 1), out_axis=-1) == (24, 20)
    assert wi.compute_fans((3, 4, 5), layout="jax", in_axis=0) == (12, 20)
    assert wi.compute_fans((2, 3, 4, 5), layout="jax", in_axis=1, out_axis=0) == wi.compute_fans((2, 3, 4, 5))


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(in_axis=1, out_axis=1), ValueError),  # overlap
        (dict(in_axis=(0, 1), out_axis=(1, 2)), ValueError),
        (dict(in_axis=3), ValueError),  # out of range
        (dict(out_axis=-4), ValueError),
        (dict(in_axis=1.0), TypeError),
        (dict(out_axis="0"), TypeError),
        (dict(layout="tensorflow"), ValueError),
        (dict(layout="Torch"), ValueError),
    ],
)
def test_compute_fans_rejects_bad_axes_and_layouts(kwargs, error):
    with pytest.raises(error):
        wi.compute_fans((2, 3, 4), **kwargs)


@pytest.mark.parametrize("shape", [(), (5,), (0,)])
def test_compute_fans_needs_two_dimensions(shape):
    with pytest.raises(ValueError):
        wi.compute_fans(shape)


@pytest.mark.parametrize("shape", [(10, 20), (64, 32, 3, 3), (5, 7, 2), (4, 6, 3, 5, 2)])
def test_compute_fans_matches_torch(shape):
    torch = pytest.importorskip("torch")
    assert wi.compute_fans(shape) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


# ---------------------------------------------------------------------------------------------
# calculate_gain
# ---------------------------------------------------------------------------------------------

_NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                   "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]


@pytest.mark.parametrize("nonlinearity", _NONLINEARITIES)
def test_calculate_gain_follows_torch_table(nonlinearity):
    assert wi.calculate_gain(nonlinearity) == torch_gain(nonlinearity)


def test_calculate_gain_literal_values():
    assert wi.calculate_gain("linear") == 1
    assert wi.calculate_gain("sigmoid") == 1
    assert wi.calculate_gain("tanh") == 5.0 / 3
    assert wi.calculate_gain("relu") == math.sqrt(2.0)
    assert wi.calculate_gain("selu") == 0.75
    assert wi.calculate_gain("leaky_relu") == math.sqrt(2.0 / 1.0001)
    assert wi.calculate_gain("leaky_relu", 0.2) == pytest.approx(1.3867504905630728, rel=1e-15)


@pytest.mark.parametrize("param", [0, 0.0, 0.2, -0.5, 1, 3.0, np.float32(0.1), np.float64(0.3)])
def test_calculate_gain_leaky_relu_uses_negative_slope(param):
    assert wi.calculate_gain("leaky_relu", param) == math.sqrt(2.0 / (1 + float(param) ** 2))


@pytest.mark.parametrize("nonlinearity", ["relu", "tanh", "linear", "selu"])
def test_calculate_gain_ignores_param_for_other_nonlinearities(nonlinearity):
    assert wi.calculate_gain(nonlinearity, 0.7) == torch_gain(nonlinearity)


@pytest.mark.parametrize(
    "nonlinearity, param",
    [("gelu", None), ("Relu", None), ("", None), ("leaky_relu", "0.1"), ("leaky_relu", True),
     ("leaky_relu", math.nan), ("leaky_relu", math.inf), ("leaky_relu", [0.1])],
)
def test_calculate_gain_rejects_unknown_nonlinearity_and_bad_slope(nonlinearity, param):
    with pytest.raises(ValueError):
        wi.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize("nonlinearity, param", [(n, None) for n in _NONLINEARITIES] + [("leaky_relu", 0.2), ("leaky_relu", 0)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    torch = pytest.importorskip("torch")
    assert wi.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


def test_truncated_std_constant_is_std_of_standard_normal_cut_at_2():
    assert math.sqrt(st.truncnorm(-2, 2).var()) == pytest.approx(TRUNC_STD_2SIGMA, rel=1e-14)


# ---------------------------------------------------------------------------------------------
# Bit-exactness: each named initializer is its plain distribution with the framework's scale
# ---------------------------------------------------------------------------------------------

SHAPES_TORCH = [(37, 53), (16, 8, 3, 3), (3, 5, 7)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES_TORCH)
@pytest.mark.parametrize("gain", [1.0, 5.0 / 3, 0.3])
def test_glorot_uniform_is_uniform_with_torch_xavier_bound(shape, gain, dtype):
    fan_in, fan_out = torch_fans(shape)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    assert_same_bits(wi.glorot_uniform(shape, gain=gain, dtype=dtype, seed=11),
                     wi.uniform(shape, -a, a, dtype=dtype, seed=11))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES_TORCH)
@pytest.mark.parametrize("gain", [1.0, math.sqrt(2.0)])
def test_glorot_normal_is_untruncated_normal_with_torch_xavier_std(shape, gain, dtype):
    fan_in, fan_out = torch_fans(shape)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    assert_same_bits(wi.glorot_normal(shape, gain=gain, dtype=dtype, seed=12),
                     wi.normal(shape, 0.0, std, dtype=dtype, seed=12))


_KAIMING_CASES = [
    dict(),  # torch defaults: a=0, mode="fan_in", nonlinearity="leaky_relu"
    dict(nonlinearity="relu"),
    dict(nonlinearity="relu", mode="fan_out"),
    dict(a=math.sqrt(5)),  # what torch.nn.Linear uses
    dict(a=0.2, mode="fan_out"),
    dict(nonlinearity="tanh"),
    dict(nonlinearity="selu", mode="fan_out"),
    dict(nonlinearity="linear"),
]


def kaiming_std(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan_in, fan_out = torch_fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    gain = torch_gain(nonlinearity, a)
    return gain / math.sqrt(fan)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES_TORCH)
@pytest.mark.parametrize("kw", _KAIMING_CASES, ids=lambda kw: ",".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in kw.items()) or "defaults")
def test_he_uniform_is_uniform_with_torch_kaiming_bound(shape, kw, dtype):
    bound = math.sqrt(3.0) * kaiming_std(shape, **kw)
    assert_same_bits(wi.he_uniform(shape, **kw, dtype=dtype, seed=13),
                     wi.uniform(shape, -bound, bound, dtype=dtype, seed=13))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES_TORCH)
@pytest.mark.parametrize("kw", _KAIMING_CASES, ids=lambda kw: ",".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in kw.items()) or "defaults")
def test_he_normal_is_untruncated_normal_with_torch_kaiming_std(shape, kw, dtype):
    std = kaiming_std(shape, **kw)
    assert_same_bits(wi.he_normal(shape, **kw, dtype=dtype, seed=14),
                     wi.normal(shape, 0.0, std, dtype=dtype, seed=14))


def test_he_uniform_with_a_sqrt5_has_torch_linear_bound_one_over_sqrt_fan_in():
    # torch.nn.Linear's default: kaiming_uniform_(a=sqrt(5)) gives bound 1/sqrt(fan_in).
    # P(max |w| < (1 - 1e-4) bound) = (1 - 1e-4)^200000 = e^-20: false-failure rate 2e-9.
    w = wi.he_uniform((500, 400), a=math.sqrt(5), dtype="float64", seed=15)
    bound = 1 / math.sqrt(400)
    assert np.abs(w).max() <= bound * (1 + 1e-15)
    assert np.abs(w).max() >= bound * (1 - 1e-4)


_VS_CASES = [
    (mode, layout)
    for mode in ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
    for layout in ("torch", "jax")
]
SHAPES_ANY = [(23, 127), (3, 3, 16, 24), (7, 11, 5)]  # 23 * 127: pow(x, 0.5) != sqrt(x) there


def vs_variance(shape, scale, mode, layout):
    fan_in, fan_out = torch_fans(shape) if layout == "torch" else jax_fans(shape)
    return scale / jax_denominator(fan_in, fan_out, mode)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES_ANY)
@pytest.mark.parametrize("mode, layout", _VS_CASES)
def test_variance_scaling_truncated_is_truncated_normal_cut_at_two_std(shape, mode, layout, dtype):
    scale = 2.0
    s = math.sqrt(vs_variance(shape, scale, mode, layout)) / TRUNC_STD_2SIGMA
    got = wi.variance_scaling(shape, scale, mode, "truncated_normal", dtype=dtype, seed=16, layout=layout)
    assert_same_bits(got, wi.truncated_normal(shape, 0.0, s, -2 * s, 2 * s, dtype=dtype, seed=16))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES_ANY)
@pytest.mark.parametrize("mode, layout", _VS_CASES)
def test_variance_scaling_normal_is_untruncated_normal(shape, mode, layout, dtype):
    scale = 0.5
    std = math.sqrt(vs_variance(shape, scale, mode, layout))
    got = wi.variance_scaling(shape, scale, mode, "normal", dtype=dtype, seed=17, layout=layout)
    assert_same_bits(got, wi.normal(shape, 0.0, std, dtype=dtype, seed=17))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES_ANY)
@pytest.mark.parametrize("mode, layout", _VS_CASES)
def test_variance_scaling_uniform_has_limit_sqrt_3_variance(shape, mode, layout, dtype):
    scale = 3.0
    limit = math.sqrt(3 * vs_variance(shape, scale, mode, layout))
    got = wi.variance_scaling(shape, scale, mode, "uniform", dtype=dtype, seed=18, layout=layout)
    assert_same_bits(got, wi.uniform(shape, -limit, limit, dtype=dtype, seed=18))


def test_variance_scaling_explicit_axes_set_the_fans():
    shape = (4, 5, 6, 7)
    fan_in, fan_out = jax_fans(shape, (0, 1), 3)
    std = math.sqrt(1.0 / fan_in)
    got = wi.variance_scaling(shape, 1.0, "fan_in", "normal", dtype="float64", seed=19, in_axis=(0, 1), out_axis=3)
    assert_same_bits(got, wi.normal(shape, 0.0, std, dtype="float64", seed=19))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["torch", "jax"])
def test_lecun_initializers_are_variance_scaling_1_fan_in(layout, dtype):
    shape = (3, 3, 16, 24)
    fan_in, _ = torch_fans(shape) if layout == "torch" else jax_fans(shape)
    variance = 1.0 / fan_in
    limit = math.sqrt(3 * variance)
    assert_same_bits(wi.lecun_uniform(shape, dtype=dtype, seed=20, layout=layout),
                     wi.uniform(shape, -limit, limit, dtype=dtype, seed=20))
    assert_same_bits(wi.lecun_normal(shape, dtype=dtype, seed=21, layout=layout),
                     wi.normal(shape, 0.0, math.sqrt(variance), dtype=dtype, seed=21))


@pytest.mark.parametrize("dtype", DTYPES)
def test_layout_selects_which_axes_are_fan_in_and_fan_out(dtype):
    # A torch (out, in, kh, kw) weight and its JAX (kh, kw, in, out) transpose have the same fans.
    torch_shape, jax_shape = (24, 16, 3, 3), (3, 3, 16, 24)
    for init in (wi.glorot_uniform, wi.he_normal, wi.lecun_uniform):
        a = init(torch_shape, dtype=dtype, seed=22)
        b = init(jax_shape, dtype=dtype, seed=22, layout="jax")
        # Same scale, so the same stream positions give the same values.
        assert_same_bits(a.reshape(-1), b.reshape(-1))
    # and a layout that swaps fan_in and fan_out changes a fan_in-scaled initializer
    assert not np.array_equal(wi.he_normal((24, 16), seed=22), wi.he_normal((24, 16), seed=22, layout="jax"))


def test_aliases_are_the_same_functions():
    assert wi.xavier_uniform is wi.glorot_uniform
    assert wi.xavier_normal is wi.glorot_normal
    assert wi.kaiming_uniform is wi.he_uniform
    assert wi.kaiming_normal is wi.he_normal


@pytest.mark.parametrize("dtype", DTYPES)
def test_zeros_ones_constant_fill_every_element(dtype):
    for fn, value in ((wi.zeros, 0.0), (wi.ones, 1.0)):
        x = fn((3, 4), dtype=dtype)
        assert x.dtype == np_dtype(dtype) and x.shape == (3, 4)
        assert (x.astype(np.float64) == value).all()
    x = wi.constant((2, 5), -0.5, dtype=dtype)
    assert (x.astype(np.float64) == -0.5).all()


# ---------------------------------------------------------------------------------------------
# Statistics of the families (every dtype)
# ---------------------------------------------------------------------------------------------

# (initializer, kwargs, bound function(shape) written from the framework definition)
_UNIFORM_FAMILY = {
    "glorot_uniform": (wi.glorot_uniform, dict(), lambda s: math.sqrt(6.0 / sum(torch_fans(s)))),
    "glorot_uniform_gain": (wi.glorot_uniform, dict(gain=5.0 / 3), lambda s: 5.0 / 3 * math.sqrt(6.0 / sum(torch_fans(s)))),
    "he_uniform_relu": (wi.he_uniform, dict(nonlinearity="relu"), lambda s: math.sqrt(6.0 / torch_fans(s)[0])),
    "he_uniform_fan_out": (wi.he_uniform, dict(mode="fan_out", nonlinearity="relu"), lambda s: math.sqrt(6.0 / torch_fans(s)[1])),
    "lecun_uniform": (wi.lecun_uniform, dict(), lambda s: math.sqrt(3.0 / torch_fans(s)[0])),
    "variance_scaling_uniform_geo": (
        lambda shape, **kw: wi.variance_scaling(shape, 2.0, "fan_geo_avg", "uniform", **kw), dict(),
        lambda s: math.sqrt(6.0 / math.sqrt(torch_fans(s)[0] * torch_fans(s)[1])),
    ),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(_UNIFORM_FAMILY))
def test_uniform_family_fills_its_exact_bound(name, dtype):
    # All samples within the bound (as the dtype holds it); the largest and smallest samples
    # within t = 2 ln(2 / ALPHA) / n of the bound (each side misses with probability
    # (1 - t/2)^n <= ALPHA / 2): false-failure rate <= 1e-6.
    fn, kw, bound_of = _UNIFORM_FAMILY[name]
    shape = (500, 2000)  # fan_in 2000, fan_out 500: fan_in and fan_out scalings differ
    bound = bound_of(shape)
    w = fn(shape, **kw, dtype=dtype, seed=31).astype(np.float64)
    # The bound as the dtype holds it (1e-15 relative slack: the formula above is the simplified
    # one, sqrt(6 / ...) rather than torch's sqrt(3) * sqrt(2 / ...)).
    held = round_to(bound * (1 + 1e-15), dtype)
    assert np.abs(w).max() <= held
    n = w.size
    t = 2 * math.log(2 / ALPHA) / n
    slack = ulp(bound, dtype)
    assert w.max() >= bound * (1 - t) - slack
    assert w.min() <= -bound * (1 - t) + slack


def _rms_interval(n: int, dtype: str, alpha: float = ALPHA) -> tuple[float, float]:
    """Interval for rms(x) / std, x n i.i.d. N(0, std^2) samples: n rms^2 / std^2 ~ chi2(n),
    two-sided level alpha, widened by the rounding bound (float32 sampling of 2^-20 relative,
    plus one rounding to dtype)."""
    eps = 2.0**-20 + UNIT_ROUNDOFF[dtype]
    lo = math.sqrt(st.chi2.ppf(alpha / 2, n) / n) * (1 - eps)
    hi = math.sqrt(st.chi2.isf(alpha / 2, n) / n) * (1 + eps)
    return lo, hi


_NORMAL_FAMILY = {
    "glorot_normal": (wi.glorot_normal, dict(), lambda s: math.sqrt(2.0 / sum(torch_fans(s)))),
    "glorot_normal_gain": (wi.glorot_normal, dict(gain=0.5), lambda s: 0.5 * math.sqrt(2.0 / sum(torch_fans(s)))),
    "he_normal_relu": (wi.he_normal, dict(nonlinearity="relu"), lambda s: math.sqrt(2.0 / torch_fans(s)[0])),
    "he_normal_fan_out_tanh": (wi.he_normal, dict(mode="fan_out", nonlinearity="tanh"), lambda s: 5 / 3 / math.sqrt(torch_fans(s)[1])),
    "lecun_normal": (wi.lecun_normal, dict(), lambda s: math.sqrt(1.0 / torch_fans(s)[0])),
    "variance_scaling_normal_avg": (
        lambda shape, **kw: wi.variance_scaling(shape, 2.0, "fan_avg", "normal", **kw), dict(),
        lambda s: math.sqrt(4.0 / sum(torch_fans(s))),
    ),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(_NORMAL_FAMILY))
def test_normal_family_has_its_std(name, dtype):
    # Sample rms about the known mean 0 inside the exact chi-square interval, level 1e-6.
    # (float16 values below 2^-14 are subnormal with absolute error <= 2^-25: their effect on
    # rms^2 is < 1e-10 of std^2 here, far inside the interval.)
    fn, kw, std_of = _NORMAL_FAMILY[name]
    shape = (500, 2000)
    std = std_of(shape)
    w = fn(shape, **kw, dtype=dtype, seed=32).astype(np.float64)
    assert np.isfinite(w).all()
    rms = math.sqrt(np.mean(w**2))
    lo, hi = _rms_interval(w.size, dtype)
    assert lo <= rms / std <= hi, (rms / std, lo, hi)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg", "fan_geo_avg"])
def test_variance_scaling_truncated_normal_has_variance_scale_over_n_and_bound_2s(mode, dtype):
    # JAX semantics: variance after truncation is scale / n, support [-2s, 2s].
    # Y = w^2 / (scale / n) lies in [0, 4 / c^2] (c = 0.8796...), E[Y] = 1; Bernstein's
    # inequality at level 1e-6 bounds mean(Y), widened by the rounding bound (1 +- u)^2.
    shape = (500, 2000)
    scale = 2.0
    fan_in, fan_out = torch_fans(shape)
    variance = scale / jax_denominator(fan_in, fan_out, mode)
    s = math.sqrt(variance) / TRUNC_STD_2SIGMA
    w = wi.variance_scaling(shape, scale, mode, "truncated_normal", dtype=dtype, seed=33).astype(np.float64)
    assert (np.abs(w) <= 2 * s).all()  # inside the bounds after rounding: exact
    assert np.abs(w).max() >= 2 * s * (1 - 1e-3) - ulp(2 * s, dtype)  # the cut is at 2s, not less
    # P(|Z| in [2 - 2e-3, 2] | |Z| <= 2) ~ 1.4e-4 per sample: 200000 samples miss it w.p. e^-28.
    n = w.size
    y = w**2 / variance
    m = 4 / TRUNC_STD_2SIGMA**2  # |Y - 1| <= m
    var_y = st.truncnorm(-2, 2).moment(4) / TRUNC_STD_2SIGMA**4 - 1
    log_term = math.log(2 / ALPHA)
    # Solve n t^2 = log_term (2 var_y + 2 m t / 3) for t.
    b_coef = 2 * m * log_term / 3
    t = (b_coef + math.sqrt(b_coef**2 + 8 * n * var_y * log_term)) / (2 * n)
    u = 2.0**-20 + UNIT_ROUNDOFF[dtype]
    assert (1 - t) * (1 - u) ** 2 <= y.mean() <= (1 + t) * (1 + u) ** 2, (y.mean(), t)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

_FAN_BASED = {
    "glorot_uniform": wi.glorot_uniform,
    "glorot_normal": wi.glorot_normal,
    "he_uniform": wi.he_uniform,
    "he_normal": wi.he_normal,
    "lecun_uniform": wi.lecun_uniform,
    "lecun_normal": wi.lecun_normal,
    "variance_scaling": wi.variance_scaling,
}
_ALL_INITS = {
    **_FAN_BASED,
    "uniform": wi.uniform,
    "normal": wi.normal,
    "truncated_normal": wi.truncated_normal,
    "constant": lambda shape, **kw: wi.constant(shape, 0.25, **kw),
    "zeros": wi.zeros,
    "ones": wi.ones,
}


@pytest.mark.parametrize(
    "call",
    [
        lambda: wi.normal((4,), 0.0, -1.0),
        lambda: wi.normal((4,), 0.0, math.nan),
        lambda: wi.normal((4,), 0.0, math.inf),
        lambda: wi.normal((4,), math.nan, 1.0),
        lambda: wi.normal((4,), -math.inf, 1.0),
        lambda: wi.truncated_normal((4,), 0.0, -1.0),
        lambda: wi.truncated_normal((4,), 0.0, 0.0),
        lambda: wi.truncated_normal((4,), 0.0, math.nan),
        lambda: wi.truncated_normal((4,), 0.0, math.inf),
        lambda: wi.truncated_normal((4,), 0.0, 1.0, 1.0, 1.0),
        lambda: wi.truncated_normal((4,), 0.0, 1.0, 2.0, -2.0),
        lambda: wi.truncated_normal((4,), 0.0, 1.0, math.nan, 1.0),
        lambda: wi.truncated_normal((4,), 0.0, 1.0, -1.0, math.nan),
        lambda: wi.truncated_normal((4,), 0.0, 1.0, math.inf, math.inf),
        lambda: wi.uniform((4,), 1.0, 0.0),
        lambda: wi.uniform((4,), math.nan, 1.0),
        lambda: wi.uniform((4,), 0.0, math.inf),
        lambda: wi.uniform((4,), -1e308, 1e308),
        lambda: wi.glorot_uniform((4, 4), gain=-1.0),
        lambda: wi.glorot_uniform((4, 4), gain=math.nan),
        lambda: wi.glorot_normal((4, 4), gain=math.inf),
        lambda: wi.he_uniform((4, 4), a=math.nan),
        lambda: wi.he_normal((4, 4), a=math.inf),
        lambda: wi.variance_scaling((4, 4), 0.0),
        lambda: wi.variance_scaling((4, 4), -1.0),
        lambda: wi.variance_scaling((4, 4), math.nan),
        lambda: wi.variance_scaling((4, 4), math.inf),
    ],
)
def test_bad_numeric_parameters_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: wi.variance_scaling((4, 4), 1.0, "fan_sum"),
        lambda: wi.variance_scaling((4, 4), 1.0, "FAN_IN"),
        lambda: wi.he_uniform((4, 4), mode="fan_avg"),
        lambda: wi.he_normal((4, 4), mode="in"),
        lambda: wi.he_uniform((4, 4), nonlinearity="gelu"),
        lambda: wi.he_normal((4, 4), nonlinearity="softmax"),
        lambda: wi.variance_scaling((4, 4), 1.0, "fan_in", "laplace"),
        lambda: wi.variance_scaling((4, 4), 1.0, "fan_in", "truncated"),
        lambda: wi.glorot_uniform((4, 4), layout="tf"),
        lambda: wi.glorot_normal((4, 4), layout="flax"),
        lambda: wi.he_uniform((4, 4), layout=""),
        lambda: wi.lecun_normal((4, 4), layout="TORCH"),
        lambda: wi.variance_scaling((4, 4), layout="numpy"),
    ],
)
def test_unknown_mode_nonlinearity_distribution_or_layout_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize("name", sorted(_FAN_BASED))
@pytest.mark.parametrize("shape", [(), (7,), (0,), 5])
def test_fan_based_initializers_reject_shapes_below_two_dimensions(name, shape):
    with pytest.raises(ValueError):
        _FAN_BASED[name](shape, seed=0)


@pytest.mark.parametrize("name", sorted(_ALL_INITS))
@pytest.mark.parametrize("shape", [(3, 2.0), (3, "2"), (3, None), (True, 3), (3, 2.5), "ab", 3.0, None])
def test_non_int_shape_entries_raise_type_error(name, shape):
    with pytest.raises(TypeError):
        _ALL_INITS[name](shape, seed=0)


@pytest.mark.parametrize("name", sorted(_ALL_INITS))
@pytest.mark.parametrize("shape", [(3, -1), (-1, 3), (-2, -2), (2, 3, -4)])
def test_negative_dimensions_raise_value_error(name, shape):
    with pytest.raises(ValueError):
        _ALL_INITS[name](shape, seed=0)


@pytest.mark.parametrize("name", sorted(_ALL_INITS))
@pytest.mark.parametrize("dtype", ["int32", np.int64, np.complex64, "complex128", "str", str, object, "float8", np.uint16, ">f4", "bool"])
def test_unsupported_dtype_raises_type_error(name, dtype):
    with pytest.raises(TypeError):
        _ALL_INITS[name]((4, 4), dtype=dtype, seed=0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(_ALL_INITS))
@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (4, 0, 3), (0, 0)])
def test_zero_size_shapes_give_empty_arrays(name, shape, dtype):
    x = _ALL_INITS[name](shape, dtype=dtype, seed=0)
    assert isinstance(x, np.ndarray)
    assert x.shape == shape and x.size == 0 and x.dtype == np_dtype(dtype)


@pytest.mark.parametrize("name", ["uniform", "normal", "truncated_normal", "constant"])
def test_zero_size_one_dimensional_shape_for_plain_distributions(name):
    x = _ALL_INITS[name]((0,), seed=0)
    assert x.shape == (0,) and x.dtype == np.float32


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_initializer_accepts_every_dtype(dtype):
    for name, fn in _ALL_INITS.items():
        x = fn((6, 7), dtype=dtype, seed=1)
        assert x.dtype == np_dtype(dtype) and x.shape == (6, 7), name
        assert np.isfinite(x.astype(np.float64)).all(), name
    assert wi.uniform((2,), dtype=BF16, seed=1).dtype == BF16
    assert wi.uniform((2,), dtype=np.float16, seed=1).dtype == np.float16


def test_default_dtype_is_float32():
    for name, fn in _ALL_INITS.items():
        assert fn((3, 3), seed=1).dtype == np.float32, name


# ---------------------------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------------------------


def _state(bit_generator):
    return repr(bit_generator.state)


@pytest.mark.parametrize("name", sorted(set(_ALL_INITS) - {"constant", "zeros", "ones"}))
def test_weightinit_generator_seed_advances_between_calls(name):
    fn = _ALL_INITS[name]
    g = wi.default_rng(41)
    before = _state(g.bit_generator)
    a = fn((64, 64), seed=g)
    assert _state(g.bit_generator) != before
    b = fn((64, 64), seed=g)
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("name", sorted(set(_ALL_INITS) - {"constant", "zeros", "ones"}))
def test_same_generator_state_gives_same_weights(name):
    fn = _ALL_INITS[name]
    g1, g2 = wi.default_rng(42), wi.default_rng(42)
    for _ in range(3):
        assert_same_bits(fn((33, 17), seed=g1), fn((33, 17), seed=g2))
    assert _state(g1.bit_generator) == _state(g2.bit_generator)
    # A generator copied mid-stream through its state replays from there.
    g3 = wi.default_rng(0)
    g3.bit_generator.state = g1.bit_generator.state
    assert_same_bits(fn((33, 17), seed=g1), fn((33, 17), seed=g3))


@pytest.mark.parametrize("bit_generator", [lambda s: np.random.SFC64(s), lambda s: np.random.Philox(s), lambda s: np.random.PCG64(s)],
                         ids=["numpy-SFC64", "numpy-Philox", "numpy-PCG64"])
def test_generator_on_other_bit_generators_works_as_seed(bit_generator):
    g1, g2 = wi.Generator(bit_generator(43)), wi.Generator(bit_generator(43))
    a1, b1 = wi.he_normal((20, 30), seed=g1), wi.he_normal((20, 30), seed=g1)
    a2, b2 = wi.he_normal((20, 30), seed=g2), wi.he_normal((20, 30), seed=g2)
    assert_same_bits(a1, a2)
    assert_same_bits(b1, b2)
    assert not np.array_equal(a1, b1)


@pytest.mark.parametrize("name", sorted(set(_ALL_INITS) - {"constant", "zeros", "ones"}))
def test_numpy_generator_seed_works_and_advances(name):
    fn = _ALL_INITS[name]
    r1, r2 = np.random.default_rng(44), np.random.default_rng(44)
    fresh = _state(np.random.default_rng(44).bit_generator)
    a1 = fn((16, 16), seed=r1)
    assert _state(r1.bit_generator) != fresh
    b1 = fn((16, 16), seed=r1)
    a2 = fn((16, 16), seed=r2)
    assert_same_bits(a1, a2)
    assert not np.array_equal(a1, b1)


def test_int_seed_and_seed_sequence_give_the_same_weights():
    for fn in (wi.glorot_uniform, wi.he_normal, wi.variance_scaling):
        assert_same_bits(fn((9, 11), seed=45), fn((9, 11), seed=np.random.SeedSequence(45)))
        assert not np.array_equal(fn((9, 11), seed=45), fn((9, 11), seed=46))


def test_seed_none_draws_fresh_entropy():
    assert not np.array_equal(wi.uniform((64,)), wi.uniform((64,)))


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (1.5, TypeError), (True, TypeError), ("1", TypeError)])
def test_bad_seeds_raise(seed, error):
    with pytest.raises(error):
        wi.glorot_uniform((4, 4), seed=seed)
