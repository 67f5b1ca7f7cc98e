"""weightinit.torch: a drop-in for torch.nn.init on CPU tensors, and patch_nn_init.

What is checked, against the installed torch itself:

- signatures: torch.nn.init's parameters (names, kinds, defaults) in order, then only
  keyword-only extras with defaults (``seed=``);
- every function fills in place (same tensor, same data_ptr) in float32, float64, float16 and
  bfloat16 on weightinit's path (torch's own function is never called), non-contiguous views too;
- the parameters handed to the sampler are bit-identical to the ones torch computes (bounds,
  stds, fans in torch's layout, gains, mode lowercasing, kaiming defaults);
- the distributions: bounds, and a Kolmogorov-Smirnov test (float32/float64) and moment checks
  (all dtypes) with fixed seeds. Each statistical assertion fails with probability <= 1e-6 for a
  correct sampler (KS: p-value threshold 1e-6; moments: 6 standard errors, two-sided
  Gaussian tail 2e-9, plus a stated rounding allowance for float16/bfloat16);
- seeds: seed=, generator= (torch.Generator advances), torch.manual_seed;
- fallback to torch.nn.init's own function (spied) for what weightinit cannot fill, with
  torch's results, warnings and exceptions;
- patch_nn_init: what it patches, restoring on exit, after exceptions, when nested; models built
  twice with a seed are identical, with another seed different; requires_grad parameters.
"""

from __future__ import annotations

import doctest
import inspect
import math
import sys
import threading
import types
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import weightinit as wi
import weightinit.torch as wt

ALPHA = 1e-6  # KS p-value threshold: false-failure rate per test
Z = 6.0  # standard errors allowed for moment checks (two-sided Gaussian tail 2e-9)

DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16]
DTYPE_IDS = ["float32", "float64", "float16", "bfloat16"]
#: Relative rounding allowance of one conversion to each dtype (the std of 16-bit outputs
#: differs from the float32 sample's by at most about this much).
ROUNDING = {torch.float32: 0.0, torch.float64: 0.0, torch.float16: 2.0**-10, torch.bfloat16: 2.0**-7}

RANDOM_FNS = ["uniform_", "normal_", "trunc_normal_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
              "orthogonal_", "sparse_"]
ALL_FNS = RANDOM_FNS + ["constant_", "zeros_", "ones_", "eye_", "dirac_"]
EXTRA_ARGS = {"constant_": (0.25,), "sparse_": (0.2,)}
#: torch's deprecated names (``nn.init.uniform`` for ``nn.init.uniform_``, ...).
DEPRECATED = ["uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal", "kaiming_uniform",
              "kaiming_normal", "orthogonal", "sparse"]


def call(name, tensor, **kwargs):
    return getattr(wt, name)(tensor, *EXTRA_ARGS.get(name, ()), **kwargs)


def shape_for(name, shape):
    """``shape``, with a kernel dimension for dirac_ (3 to 5 dimensions) when it has 2."""
    return (*shape, 3) if name == "dirac_" and len(shape) == 2 else shape


@pytest.fixture
def torch_calls(monkeypatch):
    """Spy on the torch.nn.init functions weightinit.torch falls back to."""
    calls = []
    for name in wt._NAMES:
        original = wt._TORCH[name]

        def spy(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setitem(wt._TORCH, name, spy)
    return calls


@pytest.fixture
def sampler_calls(monkeypatch):
    """Record what weightinit.torch asks weightinit's sampler for: (kind, params)."""
    calls = []
    for kind in ("uniform", "normal", "truncated_normal", "constant"):
        real = getattr(wt._wi, kind)

        def spy(shape, *params, _kind=kind, _real=real, **kwargs):
            calls.append((_kind, tuple(float(p) for p in params)))
            return _real(shape, *params, **kwargs)

        monkeypatch.setattr(wt._wi, kind, spy)
    return calls


def bits(t):
    """A tensor's elements as integers (bit patterns), for exact comparisons."""
    int_type = {2: torch.int16, 4: torch.int32, 8: torch.int64}[t.element_size()]
    return t.detach().contiguous().view(int_type)


def as_f64(t):
    return t.detach().to(torch.float64).numpy().ravel()


# ---------------------------------------------------------------------------------------------
# Signatures
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_FNS + ["calculate_gain"])
def test_signature_is_torchs_plus_keyword_only_extras(name):
    theirs = list(inspect.signature(getattr(torch.nn.init, name)).parameters.values())
    ours = list(inspect.signature(getattr(wt, name)).parameters.values())
    assert [(p.name, p.kind, p.default) for p in ours[: len(theirs)]] == [(p.name, p.kind, p.default) for p in theirs]
    for extra in ours[len(theirs):]:
        assert extra.kind is inspect.Parameter.KEYWORD_ONLY and extra.default is None
    if name in RANDOM_FNS:
        assert [p.name for p in ours[len(theirs):]] == ["seed"]


def test_module_exports_the_drop_in_names():
    assert set(ALL_FNS) | set(DEPRECATED) | {"calculate_gain"} == set(torch.nn.init.__all__)
    assert set(wt.__all__) == set(torch.nn.init.__all__) | {"patch_nn_init", "init_module"}
    for name in ALL_FNS + DEPRECATED:
        assert getattr(wt, name).__doc__ and ">>>" in getattr(wt, name).__doc__


@pytest.mark.parametrize("name", DEPRECATED)
def test_deprecated_names_take_what_torchs_take(name):
    theirs = list(inspect.signature(getattr(torch.nn.init, name)).parameters.values())
    ours = list(inspect.signature(getattr(wt, name)).parameters.values())
    assert [(p.name, p.kind) for p in ours] == [(p.name, p.kind) for p in theirs]


# ---------------------------------------------------------------------------------------------
# In place, every dtype, weightinit's path
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", ALL_FNS)
def test_fills_in_place_and_returns_the_tensor(name, dtype, torch_calls):
    t = torch.full(shape_for(name, (33, 17)), float("nan"), dtype=dtype)
    ptr = t.data_ptr()
    kwargs = {"seed": 5} if name in RANDOM_FNS else {}
    out = call(name, t, **kwargs)
    assert out is t and t.data_ptr() == ptr and t.dtype == dtype and t.shape == shape_for(name, (33, 17))
    assert not torch.isnan(t).any()
    assert torch_calls == []  # weightinit filled it, not torch
    if name in RANDOM_FNS:
        assert len(torch.unique(t.float())) > 100


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, args, make", [
    ("uniform_", (-0.5, 2.0), lambda shape, dt: wi.uniform(shape, -0.5, 2.0, seed=11, dtype=dt)),
    ("normal_", (0.5, 3.0), lambda shape, dt: wi.normal(shape, 0.5, 3.0, seed=11, dtype=dt)),
    ("trunc_normal_", (0.0, 1.0, -1.0, 0.5), lambda shape, dt: wi.truncated_normal(shape, 0.0, 1.0, -1.0, 0.5, seed=11, dtype=dt)),
    ("xavier_uniform_", (), lambda shape, dt: wi.glorot_uniform(shape, seed=11, dtype=dt)),
    ("kaiming_normal_", (), lambda shape, dt: wi.he_normal(shape, seed=11, dtype=dt)),
])
def test_values_are_weightinits_own_samples(name, args, make, dtype):
    # The tensor holds exactly what weightinit's NumPy API makes for the same seed.
    t = torch.empty(40, 24, dtype=dtype)
    getattr(wt, name)(t, *args, seed=11)
    ref = make((40, 24), DTYPE_IDS[DTYPES.index(dtype)])
    int_type = {2: np.int16, 4: np.int32, 8: np.int64}[ref.itemsize]
    np.testing.assert_array_equal(bits(t).numpy(), ref.view(int_type))


@pytest.mark.parametrize("view", ["transposed", "strided slice", "column block", "0-d"])
def test_non_contiguous_views_are_filled_in_place(view, torch_calls):
    base = torch.full((16, 40), 7.0)
    t = {"transposed": lambda: base.T, "strided slice": lambda: base[:, ::2], "column block": lambda: base[2:10, 5:30],
         "0-d": lambda: base[3, 4]}[view]()
    before = base.clone()
    wt.normal_(t, 1.0, 0.5, seed=2)
    ref = wi.normal(tuple(t.shape), 1.0, 0.5, seed=2)
    np.testing.assert_array_equal(t.numpy(), ref)
    untouched = torch.ones_like(base, dtype=torch.bool)
    untouched[{"transposed": (slice(None),), "strided slice": (slice(None), slice(None, None, 2)),
               "column block": (slice(2, 10), slice(5, 30)), "0-d": (3, 4)}[view]] = False
    assert torch.equal(base[untouched], before[untouched])
    assert torch_calls == []


def test_version_counter_is_bumped_like_an_in_place_op():
    t = torch.empty(8, 8)
    v = t._version
    wt.kaiming_uniform_(t, seed=0)
    assert t._version > v


# ---------------------------------------------------------------------------------------------
# Same parameters as torch, bit for bit
# ---------------------------------------------------------------------------------------------

PARAM_CASES = [
    ("uniform_", (7, 5), {"a": -0.3, "b": 0.7}),
    ("normal_", (7, 5), {"mean": 0.1, "std": 0.02}),
    ("xavier_uniform_", (64, 32), {}),
    ("xavier_uniform_", (16, 8, 3, 3), {"gain": 5.0 / 3}),
    ("xavier_normal_", (64, 32, 5), {"gain": 0.5}),
    ("kaiming_uniform_", (64, 32), {}),
    ("kaiming_uniform_", (64, 32), {"a": math.sqrt(5)}),  # nn.Linear's
    ("kaiming_uniform_", (16, 8, 3, 3), {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_uniform_", (16, 8, 3, 3), {"mode": "FAN_OUT", "nonlinearity": "tanh"}),
    ("kaiming_uniform_", (16, 8, 3), {"a": 0.2, "mode": "Fan_In", "nonlinearity": "leaky_relu"}),
    ("kaiming_normal_", (64, 32), {}),
    ("kaiming_normal_", (16, 8, 3, 3), {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", (9, 4, 2, 2, 2), {"nonlinearity": "selu"}),
]


@pytest.mark.parametrize("name, shape, kwargs", PARAM_CASES)
def test_sampler_parameters_equal_torchs(name, shape, kwargs, sampler_calls, monkeypatch):
    torch_params = []
    for method in ("uniform_", "normal_"):
        real = getattr(torch.Tensor, method)

        def spy(self, *args, _method=method, _real=real, **kw):
            torch_params.append((_method.rstrip("_"), tuple(float(a) for a in args)))
            return _real(self, *args, **kw)

        monkeypatch.setattr(torch.Tensor, method, spy)
    getattr(torch.nn.init, name)(torch.empty(shape), **kwargs)
    getattr(wt, name)(torch.empty(shape), **kwargs, seed=0)
    assert sampler_calls == torch_params


def test_trunc_normal_uses_absolute_bounds(sampler_calls):
    wt.trunc_normal_(torch.empty(100), mean=1.0, std=3.0, a=-0.5, b=0.25, seed=0)
    assert sampler_calls == [("truncated_normal", (1.0, 3.0, -0.5, 0.25))]


def test_kaiming_defaults_are_torchs():
    for fn in (wt.kaiming_uniform_, wt.kaiming_normal_):
        p = inspect.signature(fn).parameters
        assert (p["a"].default, p["mode"].default, p["nonlinearity"].default) == (0, "fan_in", "leaky_relu")


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv2d", None), ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None),
    ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None),
])
def test_calculate_gain_is_torchs(nonlinearity, param):
    assert wt.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize("args", [("gelu",), ("leaky_relu", "x"), ("leaky_relu", True), ("leaky_relu", np.float32(0.1))])
def test_calculate_gain_rejects_what_torch_rejects(args):
    with pytest.raises(ValueError) as theirs:
        torch.nn.init.calculate_gain(*args)
    with pytest.raises(ValueError) as ours:
        wt.calculate_gain(*args)
    assert str(ours.value) == str(theirs.value)


# ---------------------------------------------------------------------------------------------
# Distributions
# ---------------------------------------------------------------------------------------------

N_ROWS, N_COLS = 512, 512  # 262144 samples


def _phi(x):
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _Phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _truncnorm_moments(mean, std, a, b):
    al, be = (a - mean) / std, (b - mean) / std
    z = _Phi(be) - _Phi(al)
    d = (_phi(al) - _phi(be)) / z
    var = 1 + (al * _phi(al) - be * _phi(be)) / z - d * d
    return mean + std * d, std * math.sqrt(var)


def _expected(name, shape, kwargs):
    """(kind, params, mean, std) from torch's formulas, computed here."""
    fan_in = shape[1] * math.prod(shape[2:])
    fan_out = shape[0] * math.prod(shape[2:])
    if name == "uniform_":
        a, b = kwargs["a"], kwargs["b"]
        return "uniform", (a, b), (a + b) / 2, (b - a) / math.sqrt(12)
    if name == "normal_":
        return "normal", None, kwargs["mean"], kwargs["std"]
    if name == "trunc_normal_":
        m, s = _truncnorm_moments(kwargs["mean"], kwargs["std"], kwargs["a"], kwargs["b"])
        return "truncnorm", (kwargs["a"], kwargs["b"]), m, s
    if name.startswith("xavier"):
        std = kwargs.get("gain", 1.0) * math.sqrt(2.0 / (fan_in + fan_out))
    else:
        fan = fan_in if kwargs.get("mode", "fan_in").lower() == "fan_in" else fan_out
        std = torch.nn.init.calculate_gain(kwargs.get("nonlinearity", "leaky_relu"), kwargs.get("a", 0)) / math.sqrt(fan)
    if name.endswith("uniform_"):
        bound = math.sqrt(3.0) * std
        return "uniform", (-bound, bound), 0.0, std
    return "normal", None, 0.0, std


DIST_CASES = [
    ("uniform_", (N_ROWS, N_COLS), {"a": -2.0, "b": 3.0}),
    ("normal_", (N_ROWS, N_COLS), {"mean": 0.5, "std": 0.02}),
    ("trunc_normal_", (N_ROWS, N_COLS), {"mean": 0.0, "std": 1.0, "a": -2.0, "b": 2.0}),
    ("trunc_normal_", (N_ROWS, N_COLS), {"mean": 0.1, "std": 0.5, "a": 0.0, "b": 0.4}),
    ("xavier_uniform_", (N_ROWS, N_COLS // 4, 2, 2), {"gain": 2.0}),
    ("xavier_normal_", (N_ROWS, N_COLS), {}),
    ("kaiming_uniform_", (N_ROWS, N_COLS), {}),
    ("kaiming_uniform_", (N_ROWS // 8, N_COLS, 2, 2, 2), {"mode": "FAN_OUT", "nonlinearity": "relu"}),
    ("kaiming_normal_", (N_ROWS, N_COLS // 4, 4), {"mode": "fan_out", "nonlinearity": "tanh"}),
]


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name, shape, kwargs", DIST_CASES)
def test_distribution_matches_torchs_formula(name, shape, kwargs, dtype):
    t = torch.empty(shape, dtype=dtype)
    getattr(wt, name)(t, **kwargs, seed=20240601)
    x = as_f64(t)
    n = x.size
    kind, bounds, mean, std = _expected(name, shape, kwargs)
    if bounds is not None:
        lo, hi = bounds
        # Rounding to the dtype is monotonic: samples in [lo, hi] land in [round(lo), round(hi)].
        assert x.min() >= torch.tensor(lo, dtype=dtype).item() and x.max() <= torch.tensor(hi, dtype=dtype).item()
        # Both ends are reached: P(no sample in the outer 0.5% at one end) <= 0.995**n ~ e^-1300.
        width = hi - lo
        assert x.min() < lo + 0.005 * width + abs(lo) * ROUNDING[dtype]
        assert x.max() > hi - 0.005 * width - abs(hi) * ROUNDING[dtype]
    # Moments: the sample mean has standard error std/sqrt(n); the sample std's relative
    # standard error is at most sqrt(1/(2n)) * sqrt(kurtosis excess + 2)/sqrt(2) <= 1/sqrt(n)
    # for these (light-tailed) distributions.
    assert abs(x.mean() - mean) <= Z * std / math.sqrt(n) + abs(mean) * ROUNDING[dtype]
    assert abs(x.std() / std - 1) <= Z / math.sqrt(n) + ROUNDING[dtype]
    if dtype in (torch.float32, torch.float64):
        st = pytest.importorskip("scipy.stats")
        if kind == "uniform":
            dist = st.uniform(bounds[0], bounds[1] - bounds[0])
        elif kind == "normal":
            dist = st.norm(mean, std)
        else:
            m, s = kwargs["mean"], kwargs["std"]
            dist = st.truncnorm((kwargs["a"] - m) / s, (kwargs["b"] - m) / s, loc=m, scale=s)
        assert st.kstest(x, dist.cdf).pvalue > ALPHA


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_kaiming_mode_is_lowercased_and_changes_the_fan(name):
    # (out=64, in=8): fan_out is 8x fan_in, so the scale differs by sqrt(8).
    a, b, c = (torch.empty(64, 8, 3, dtype=torch.float64) for _ in range(3))
    getattr(wt, name)(a, mode="fan_in", seed=1)
    getattr(wt, name)(b, mode="FAN_OUT", seed=1)
    getattr(wt, name)(c, mode="fan_out", seed=1)
    assert torch.equal(b, c)
    np.testing.assert_allclose(a.numpy(), b.numpy() * math.sqrt(8), rtol=1e-12, atol=1e-12)


def test_constant_converts_like_torch():
    # float16/bfloat16 from a float, as torch: a double just above a float16 half-way point
    # first rounds to float32 (onto the half-way point), then to even.
    values = [0.0, -0.0, 1.0, 0.1, -3.3, 1e-8, 65504.0, float("inf"), -float("inf"),
              1 + 2**-11 + 2**-40, 1 + 2**-8 + 2**-40, 1 + 2**-24 + 2**-50, 7, np.float32(0.3), np.int64(-2)]
    for dtype in DTYPES:
        for v in values:
            if dtype is torch.bfloat16 and v == 65504.0:
                continue
            ours = wt.constant_(torch.empty(5, dtype=dtype), v)
            theirs = torch.nn.init.constant_(torch.empty(5, dtype=dtype), v)
            assert torch.equal(bits(ours), bits(theirs)), (dtype, v)
    nan = wt.constant_(torch.empty(3, dtype=torch.bfloat16), float("nan"))
    assert torch.isnan(nan).all()


# ---------------------------------------------------------------------------------------------
# orthogonal_, sparse_, eye_, dirac_ and the deprecated names
# ---------------------------------------------------------------------------------------------

ORTHOGONAL_SHAPES = [(3, 4), (4, 3), (20, 2, 3, 4), (2, 3, 4, 5), (64, 48), (48, 64), (128, 128)]


def _orthogonality_error(t, gain):
    """max |W W^T - gain^2 I| over the smaller side of t flattened to (rows, cols), in float64."""
    w = t.detach().reshape(t.shape[0], -1).double()
    g = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    return float((g - gain**2 * torch.eye(g.shape[0], dtype=torch.float64)).abs().max())


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("shape", ORTHOGONAL_SHAPES, ids=str)
@pytest.mark.parametrize("gain", [1.0, 0.7])
def test_orthogonal_is_orthogonal_to_the_precision_torchs_is(shape, dtype, gain, torch_calls):
    ours = wt.orthogonal_(torch.empty(shape, dtype=dtype), gain=gain, seed=4)
    theirs = torch.nn.init.orthogonal_(torch.empty(shape, dtype=dtype), gain=gain)
    eps = torch.finfo(dtype).eps
    n = min(shape[0], math.prod(shape[1:]))
    assert _orthogonality_error(ours, gain) <= 4 * max(_orthogonality_error(theirs, gain), n * eps)
    assert torch_calls == []


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=["float16", "bfloat16"])
def test_orthogonal_low_precision_is_orthogonal_to_its_rounding(dtype):
    # torch's CPU QR does not take these dtypes; weightinit factors in float32 and rounds once.
    w = wt.orthogonal_(torch.empty(32, 24, dtype=dtype), seed=1)
    assert _orthogonality_error(w, 1.0) <= 4 * 24 * torch.finfo(dtype).eps


@pytest.mark.parametrize("rows, cols", [(6, 4), (4, 6), (5, 5)])
def test_orthogonal_is_torchs_steps_on_a_weightinit_normal_matrix(rows, cols):
    # QR of wi.normal((rows, cols)) (transposed when rows < cols), Q times sign(diag(R)), times gain.
    a = torch.from_numpy(wi.normal((rows, cols), seed=9, dtype="float64"))
    q, r = torch.linalg.qr(a.T if rows < cols else a)
    q = q * torch.diag(r).sign()
    want = (q.T if rows < cols else q) * 1.5
    got = wt.orthogonal_(torch.empty(rows, cols, dtype=torch.float64), gain=1.5, seed=9)
    assert torch.equal(got, want)


def test_orthogonal_is_haar_distributed():
    # Haar: entry (0, 0) of an n x n orthogonal matrix has mean 0 and E[q^2] = 1/n,
    # Var(q^2) = 3/(n(n+2)) - 1/n^2. Without torch's sign correction, LAPACK's Householder QR
    # makes Q[0, 0] <= 0 always. Each check allows 6 standard errors (false failure 2e-9).
    n, trials = 8, 2000
    g = wi.default_rng(0)
    q00 = np.array([float(wt.orthogonal_(torch.empty(n, n, dtype=torch.float64), seed=g)[0, 0]) for _ in range(trials)])
    assert abs(q00.mean()) <= Z * math.sqrt(1 / n / trials)
    var_q2 = 3 / (n * (n + 2)) - 1 / n**2
    assert abs((q00**2).mean() - 1 / n) <= Z * math.sqrt(var_q2 / trials)


@pytest.mark.parametrize("shape, sparsity", [((33, 7), 0.15), ((10, 40), 0.3), ((8, 5), 0.0), ((8, 5), 1.0), ((1, 3), 0.5)])
def test_sparse_zeroes_torchs_count_in_every_column(shape, sparsity):
    ours = wt.sparse_(torch.empty(shape), sparsity, seed=1)
    torch.manual_seed(0)
    theirs = torch.nn.init.sparse_(torch.empty(shape), sparsity)
    zeros = math.ceil(sparsity * shape[0])
    assert (ours == 0).sum(dim=0).tolist() == [zeros] * shape[1] == (theirs == 0).sum(dim=0).tolist()


def test_sparse_chooses_every_set_of_zero_rows_alike():
    # 10 rows, 3 zeros per column: each of the C(10, 3) = 120 row sets is equally likely (a
    # uniformly random choice, as torch's randperm). Chi-square over 12000 columns, p > 1e-6.
    st = pytest.importorskip("scipy.stats")
    rows, cols = 10, 12000
    w = wt.sparse_(torch.empty(rows, cols, dtype=torch.float64), 0.3, seed=3)
    weights = 2 ** torch.arange(rows, dtype=torch.int64)
    codes = ((w == 0).long() * weights[:, None]).sum(dim=0)
    counts = np.bincount(codes.numpy(), minlength=2**rows)
    counts = counts[[c for c in range(2**rows) if bin(c).count("1") == 3]]
    assert counts.size == math.comb(rows, 3) and counts.sum() == cols
    assert st.chisquare(counts).pvalue > ALPHA


def test_sparse_nonzeros_are_normal_with_std():
    st = pytest.importorskip("scipy.stats")
    w = wt.sparse_(torch.empty(300, 200, dtype=torch.float64), 0.25, std=0.05, seed=2)
    x = w[w != 0].numpy()
    assert x.size == 300 * 200 - 75 * 200
    assert st.kstest(x, st.norm(0.0, 0.05).cdf).pvalue > ALPHA


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (5, 3), (4, 4)])
def test_eye_is_torchs(shape, dtype, torch_calls):
    ours = wt.eye_(torch.full(shape, 7.0, dtype=dtype))
    assert torch.equal(bits(ours), bits(torch.nn.init.eye_(torch.full(shape, 7.0, dtype=dtype))))
    assert torch_calls == []


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("shape, groups", [
    ((4, 4, 3), 1), ((6, 3, 5), 1), ((3, 6, 4), 1), ((6, 2, 3), 3), ((6, 4, 3, 3), 2), ((4, 2, 3, 4), 1),
    ((6, 3, 3, 2, 5), 3), ((5, 5, 1, 1), 5),
])
def test_dirac_is_torchs(shape, groups, dtype, torch_calls):
    ours = wt.dirac_(torch.full(shape, 7.0, dtype=dtype), groups)
    assert torch.equal(bits(ours), bits(torch.nn.init.dirac_(torch.full(shape, 7.0, dtype=dtype), groups)))
    assert torch_calls == []


def test_eye_and_dirac_fill_non_contiguous_views():
    base = torch.full((5, 8), 7.0)
    wt.eye_(base.T)
    assert torch.equal(base, torch.eye(8, 5).T.contiguous())
    k = torch.full((3, 3, 4), 7.0).transpose(0, 1)
    assert torch.equal(wt.dirac_(k), torch.nn.init.dirac_(torch.empty(3, 3, 4)))


@pytest.mark.parametrize("name", DEPRECATED)
def test_deprecated_names_warn_as_torchs_and_call_weightinit(name, torch_calls):
    shape = {"dirac": (4, 4, 3)}.get(name, (4, 4))
    args = {"constant": (0.5,), "sparse": (0.5,)}.get(name, ())
    with pytest.warns(FutureWarning) as ours:
        a = getattr(wt, name)(torch.empty(shape), *args)
    with pytest.warns(FutureWarning) as theirs:
        getattr(torch.nn.init, name)(torch.empty(shape), *args)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    assert ours[0].filename == __file__
    assert torch_calls == []
    if name in [n.rstrip("_") for n in RANDOM_FNS]:  # the same numbers as the underscored function
        with pytest.warns(FutureWarning):
            b = getattr(wt, name)(torch.empty(shape), *args, seed=5)
        assert torch.equal(b, getattr(wt, name + "_")(torch.empty(shape), *args, seed=5))
    else:
        assert torch.equal(a, getattr(wt, name + "_")(torch.empty(shape), *args))


def test_deprecated_names_inside_the_patch_warn_at_the_caller():
    with wt.patch_nn_init(seed=0), pytest.warns(FutureWarning) as record:
        torch.nn.init.xavier_uniform(torch.empty(4, 4))
    assert record[0].filename == __file__


def test_inside_the_patch_no_initializer_uses_torchs_random_stream(torch_calls):
    # Every function of torch.nn.init, called on CPU tensors inside the patch: weightinit fills
    # them all, and torch's default generator (which torch's own sparse_ uses for randperm even
    # with generator=) does not move.
    state = torch.default_generator.get_state()
    with wt.patch_nn_init(seed=0):
        for name in torch.nn.init.__all__:
            if name == "calculate_gain":
                continue
            assert getattr(torch.nn.init, name) is wt._PATCHED[name]
            base = name if name.endswith("_") else name + "_"
            t = torch.empty(shape_for(base, (6, 5)))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                getattr(torch.nn.init, name)(t, *EXTRA_ARGS.get(base, ()))
            assert not torch.isnan(t).any()
    assert torch_calls == []
    assert torch.equal(torch.default_generator.get_state(), state)


# ---------------------------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", RANDOM_FNS)
def test_seed_gives_the_same_weights_and_another_seed_others(name):
    a, b, c = (torch.empty(32, 24) for _ in range(3))
    call(name, a, seed=3)
    call(name, b, seed=3)
    call(name, c, seed=4)
    assert torch.equal(a, b) and not torch.equal(a, c)


@pytest.mark.parametrize("name", RANDOM_FNS)
def test_torch_generator_is_a_seed_source_and_advances(name):
    g1, g2 = torch.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    a, b, c = (torch.empty(32, 24) for _ in range(3))
    call(name, a, generator=g1)
    call(name, b, generator=g2)
    assert torch.equal(a, b)
    state = g1.get_state()
    call(name, c, generator=g1)
    assert not torch.equal(g1.get_state(), state)  # the generator advanced
    assert not torch.equal(a, c)
    d = torch.empty(32, 24)
    call(name, d, seed=torch.Generator().manual_seed(7))  # a torch.Generator as seed= too
    assert torch.equal(a, d)


def test_torch_manual_seed_makes_calls_without_a_seed_reproducible():
    torch.manual_seed(123)
    a = wt.xavier_uniform_(torch.empty(16, 16))
    b = wt.xavier_uniform_(torch.empty(16, 16))
    torch.manual_seed(123)
    c = wt.xavier_uniform_(torch.empty(16, 16))
    d = wt.xavier_uniform_(torch.empty(16, 16))
    assert torch.equal(a, c) and torch.equal(b, d) and not torch.equal(a, b)


def test_weightinit_and_numpy_generators_as_seed_advance():
    for make in (lambda: wi.default_rng(5), lambda: np.random.default_rng(5)):
        g, h = make(), make()
        a1, a2 = wt.normal_(torch.empty(100), seed=g), wt.normal_(torch.empty(100), seed=g)
        b1, b2 = wt.normal_(torch.empty(100), seed=h), wt.normal_(torch.empty(100), seed=h)
        assert torch.equal(a1, b1) and torch.equal(a2, b2) and not torch.equal(a1, a2)


def test_generator_and_seed_together_are_rejected():
    with pytest.raises(TypeError, match="not both"):
        wt.uniform_(torch.empty(3), generator=torch.Generator(), seed=1)


def test_bad_seed_raises_and_leaves_the_tensor_untouched():
    t = torch.zeros(4)
    with pytest.raises(ValueError):
        wt.uniform_(t, seed=-1)
    with pytest.raises(TypeError):
        wt.normal_(t, seed="abc")
    assert torch.equal(t, torch.zeros(4))


# ---------------------------------------------------------------------------------------------
# Fallback to torch.nn.init
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_FNS)
def test_meta_tensors_go_to_torch(name, torch_calls):
    t = torch.empty(shape_for(name, (8, 4)), device="meta")
    assert call(name, t) is t
    assert torch_calls == [name]


def test_integer_tensor_constant_goes_to_torch(torch_calls):
    t = torch.zeros(3, 4, dtype=torch.int32)
    assert wt.constant_(t, 3) is t and (t == 3).all()
    assert wt.ones_(t) is t and (t == 1).all()
    assert torch_calls == ["constant_", "ones_"]


def test_integer_tensor_uniform_raises_torchs_error(torch_calls):
    with pytest.raises(NotImplementedError, match="not implemented for 'Int'"):
        wt.uniform_(torch.zeros(3, dtype=torch.int32), 0, 10)
    assert torch_calls == ["uniform_"]


def test_complex_sparse_and_subclass_tensors_go_to_torch(torch_calls):
    c = torch.empty(10, dtype=torch.complex64)
    assert wt.normal_(c) is c and torch.isfinite(torch.view_as_real(c)).all()
    with pytest.raises(NotImplementedError):
        wt.normal_(torch.eye(3).to_sparse())

    class Sub(torch.Tensor):
        pass

    s = torch.empty(3, 3).as_subclass(Sub)
    assert wt.uniform_(s) is s
    assert torch_calls == ["normal_", "normal_", "uniform_"]


def test_seeded_fallbacks_are_reproducible():
    a = wt.normal_(torch.empty(10, dtype=torch.complex64), seed=3)
    b = wt.normal_(torch.empty(10, dtype=torch.complex64), seed=3)
    assert torch.equal(a, b)


def test_expanded_tensor_raises_torchs_overlap_error(torch_calls):
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        wt.uniform_(torch.empty(4, 1).expand(4, 4))
    assert torch_calls == ["uniform_"]


def test_inference_tensor_outside_inference_mode_raises_like_torch(torch_calls):
    with torch.inference_mode():
        t = torch.empty(4)
    with pytest.raises(RuntimeError, match="[Ii]nference"):
        torch.nn.init.ones_(t)
    with pytest.raises(RuntimeError, match="[Ii]nference"):
        wt.ones_(t)
    assert torch_calls == ["ones_"]
    with torch.inference_mode():  # inside inference mode it is an ordinary fill
        wt.normal_(t, seed=0)
    assert torch_calls == ["ones_"]


def test_torch_function_modes_other_than_device_go_to_torch(torch_calls):
    from torch.overrides import TorchFunctionMode

    class Watch(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            return func(*args, **(kwargs or {}))

    with torch.device("cpu"):  # the default-device mode still takes the fast path
        wt.zeros_(torch.empty(3))
    assert torch_calls == []
    with Watch():
        wt.zeros_(torch.empty(3))
    assert torch_calls == ["zeros_"]


def _torch_outcome(fn, *args, **kwargs):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            fn(*args, **kwargs)
            return None, [str(x.message) for x in w]
        except Exception as e:  # noqa: BLE001
            return (type(e), str(e)), [str(x.message) for x in w]


BAD_ARGUMENTS = [
    ("uniform_", (4, 4), (1.0, 0.0)),
    ("uniform_", (4, 4), (0.0, math.inf)),
    ("uniform_", (4, 4), (math.nan, 1.0)),
    ("uniform_", (4, 4), ("a", 1.0)),
    ("normal_", (4, 4), (0.0, -1.0)),
    ("trunc_normal_", (4, 4), (0.0, 0.0)),
    ("trunc_normal_", (4, 4), (0.0, 1.0, 2.0, -2.0)),
    ("xavier_uniform_", (4,), ()),
    ("xavier_uniform_", (), ()),
    ("xavier_normal_", (5,), ()),
    ("xavier_uniform_", (0, 0), ()),
    ("xavier_uniform_", (4, 4), (-1.0,)),
    ("xavier_normal_", (4, 4), (-1.0,)),
    ("kaiming_uniform_", (4,), ()),
    ("kaiming_normal_", (), ()),
    ("kaiming_uniform_", (4, 4), (0, "fan_avg")),
    ("kaiming_normal_", (4, 4), (0, 3)),
    ("kaiming_uniform_", (4, 4), (0, "fan_in", "gelu")),
    ("kaiming_normal_", (4, 4), (np.float32(0.1),)),
    ("kaiming_uniform_", (4, 4), (math.nan,)),
    ("constant_", (4, 4), (1e300,)),
    ("constant_", (4, 4), (1j,)),
    ("orthogonal_", (4,), ()),
    ("orthogonal_", (), ()),
    ("orthogonal_", (4, 4), ("x",)),
    ("sparse_", (4, 4, 4), (0.1,)),
    ("sparse_", (4,), (0.1,)),
    ("sparse_", (4, 4), (0.1, -1.0)),
    ("eye_", (3,), ()),
    ("eye_", (2, 3, 4), ()),
    ("dirac_", (4, 4), ()),
    ("dirac_", (2, 2, 2, 2, 2, 2), ()),
    ("dirac_", (5, 4, 3), (2,)),
    ("dirac_", (4, 4, 3), (0,)),
]


@pytest.mark.parametrize("name, shape, args", BAD_ARGUMENTS)
def test_bad_arguments_raise_like_torch(name, shape, args):
    theirs, _ = _torch_outcome(getattr(torch.nn.init, name), torch.empty(shape), *args)
    assert theirs is not None, "the case should be one torch rejects"
    with pytest.raises(theirs[0]) as ours:
        getattr(wt, name)(torch.empty(shape), *args)
    assert str(ours.value) == theirs[1]


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=["float16", "bfloat16"])
def test_dtype_range_limits_are_torchs(dtype):
    for name, args in [("uniform_", (-1e5, 1e5)), ("uniform_", (-65504.0, 65504.0)), ("constant_", (1e6,)),
                       ("constant_", (65520.0,)), ("constant_", (3.4e38,))]:
        theirs, _ = _torch_outcome(getattr(torch.nn.init, name), torch.empty(3, dtype=dtype), *args)
        ours, _ = _torch_outcome(getattr(wt, name), torch.empty(3, dtype=dtype), *args)
        assert ours == theirs, (name, args)


@pytest.mark.parametrize("name", ALL_FNS)
def test_zero_element_tensors_behave_like_torch(name):
    for shape in [(0,), (0, 5), (5, 0, 3)]:
        theirs = _torch_outcome(getattr(torch.nn.init, name), torch.empty(shape), *EXTRA_ARGS.get(name, ()))
        ours = _torch_outcome(getattr(wt, name), torch.empty(shape), *EXTRA_ARGS.get(name, ()))
        assert ours == theirs, (name, shape)


def test_kaiming_zero_element_warning_points_at_the_caller():
    t = torch.empty(0, 3)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op") as record:
        out = wt.kaiming_uniform_(t)
    assert out is t
    assert record[0].filename == __file__


def test_accepted_odd_arguments_do_what_torch_does():
    # Arguments torch accepts but weightinit's sampler would not: handed to torch.
    t = wt.uniform_(torch.empty(5), 1.0, 1.0)
    assert (t == 1).all()
    assert torch.isinf(wt.normal_(torch.empty(50), 0.0, math.inf)).all()
    assert torch.isnan(wt.normal_(torch.empty(5), math.nan, 1.0)).all()
    assert (wt.trunc_normal_(torch.empty(5), 0.0, 1.0, 1.0, 1.0) == 1).all()
    t = wt.uniform_(torch.empty(200), torch.tensor(0.5), torch.tensor(1.0))
    assert ((t >= 0.5) & (t < 1)).all()


# ---------------------------------------------------------------------------------------------
# requires_grad
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_FNS)
def test_parameters_requiring_grad_are_filled_and_stay_leaves(name, torch_calls):
    p = torch.nn.Parameter(torch.full(shape_for(name, (8, 6)), float("nan")))
    kwargs = {"seed": 1} if name in RANDOM_FNS else {}
    assert call(name, p, **kwargs) is p
    assert p.requires_grad and p.is_leaf and p.grad_fn is None and not torch.isnan(p).any()
    assert torch_calls == []
    (p * 2).sum().backward()
    assert torch.equal(p.grad, torch.full_like(p, 2.0))


def test_views_of_parameters_in_grad_mode():
    p = torch.nn.Parameter(torch.zeros(6, 4))
    wt.uniform_(p[:3], 1.0, 2.0, seed=0)  # a non-leaf view requiring grad: no autograd error
    assert (p[:3] >= 1).all() and (p[3:] == 0).all() and p.requires_grad


# ---------------------------------------------------------------------------------------------
# patch_nn_init
# ---------------------------------------------------------------------------------------------


def _init_attributes():
    activation = sys.modules["torch.nn.modules.activation"]
    transformer = sys.modules["torch.nn.modules.transformer"]
    return (
        {name: getattr(torch.nn.init, name) for name in wt._NAMES},
        (activation.xavier_uniform_, activation.xavier_normal_, activation.constant_, transformer.xavier_uniform_),
    )


def _assert_originals():
    init_attrs, module_attrs = _init_attributes()
    assert init_attrs == {name: wt._ORIGINALS[name] for name in wt._NAMES}
    assert module_attrs == (wt._ORIGINALS["xavier_uniform_"], wt._ORIGINALS["xavier_normal_"],
                            wt._ORIGINALS["constant_"], wt._ORIGINALS["xavier_uniform_"])
    assert wt._PATCH._active == 0


def _assert_patched():
    init_attrs, module_attrs = _init_attributes()
    assert init_attrs == wt._PATCHED
    assert module_attrs == (wt._PATCHED["xavier_uniform_"], wt._PATCHED["xavier_normal_"],
                            wt._PATCHED["constant_"], wt._PATCHED["xavier_uniform_"])


def test_patch_replaces_and_restores():
    _assert_originals()
    with wt.patch_nn_init(seed=0):
        _assert_patched()
    _assert_originals()


def test_patch_restores_after_an_exception():
    with pytest.raises(KeyError), wt.patch_nn_init(seed=0):
        _assert_patched()
        raise KeyError("boom")
    _assert_originals()


def test_patch_nests():
    with wt.patch_nn_init(seed=0):
        with wt.patch_nn_init(seed=1):
            _assert_patched()
        _assert_patched()
        with pytest.raises(RuntimeError), wt.patch_nn_init():
            raise RuntimeError
        _assert_patched()
    _assert_originals()


def test_patched_functions_keep_torchs_signatures():
    with wt.patch_nn_init():
        for name in wt._NAMES:
            theirs = inspect.signature(wt._ORIGINALS[name]).parameters
            ours = inspect.signature(getattr(torch.nn.init, name)).parameters
            assert list(ours)[: len(theirs)] == list(theirs)


def test_modules_imported_inside_the_block_are_restored_too():
    name = "_weightinit_test_late_module"
    with wt.patch_nn_init(seed=0):
        late = types.ModuleType(name)
        late.xavier_uniform_ = torch.nn.init.xavier_uniform_  # as `from torch.nn.init import ...`
        sys.modules[name] = late
    try:
        assert late.xavier_uniform_ is wt._ORIGINALS["xavier_uniform_"]
    finally:
        del sys.modules[name]


def test_patch_draws_one_key_per_call_from_the_seed():
    # nn.Linear: kaiming_uniform_(weight, a=sqrt(5)), then uniform_(bias, -1/sqrt(in), 1/sqrt(in)).
    with wt.patch_nn_init(seed=42):
        layer = torch.nn.Linear(20, 10)
    g = wi.default_rng(42)
    w = wt.kaiming_uniform_(torch.empty(10, 20), a=math.sqrt(5), seed=g)
    b = wt.uniform_(torch.empty(10), -1 / math.sqrt(20), 1 / math.sqrt(20), seed=g)
    assert torch.equal(layer.weight, w) and torch.equal(layer.bias, b)


def test_patch_keeps_an_explicit_generator():
    with wt.patch_nn_init(seed=0):
        a = torch.nn.init.normal_(torch.empty(50), generator=torch.Generator().manual_seed(9))
        a2 = torch.nn.init.normal_(torch.empty(50), 0.0, 1.0, torch.Generator().manual_seed(9))
    b = wt.normal_(torch.empty(50), generator=torch.Generator().manual_seed(9))
    assert torch.equal(a, b) and torch.equal(a2, b)


MODULES = {
    "Linear": lambda: torch.nn.Linear(24, 12),
    "Conv2d": lambda: torch.nn.Conv2d(3, 8, 3),
    "Embedding": lambda: torch.nn.Embedding(30, 8),
    "LayerNorm": lambda: torch.nn.LayerNorm(16),
    "MultiheadAttention": lambda: torch.nn.MultiheadAttention(16, 4, add_bias_kv=True),
    "TransformerEncoderLayer": lambda: torch.nn.TransformerEncoderLayer(16, 4, 32),
    "TransformerEncoder": lambda: torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(16, 4, 32), 2, enable_nested_tensor=False),
}
#: The weightinit samplers each module's reset_parameters reaches through torch.nn.init.
EXPECTED_KINDS = {
    "Linear": {"uniform"},
    "Conv2d": {"uniform"},
    "Embedding": {"normal"},
    "LayerNorm": {"constant"},
    "MultiheadAttention": {"uniform", "normal", "constant"},
    "TransformerEncoderLayer": {"uniform", "constant"},
    "TransformerEncoder": {"uniform", "constant"},
}


@pytest.mark.parametrize("name", list(MODULES))
def test_modules_built_inside_use_weightinit_and_are_reproducible(name, torch_calls, sampler_calls):
    with wt.patch_nn_init(seed=0):
        a = MODULES[name]()
    assert torch_calls == []  # no torch.nn.init function did the work
    assert {kind for kind, _ in sampler_calls} == EXPECTED_KINDS[name]
    with wt.patch_nn_init(seed=0):
        b = MODULES[name]()
    with wt.patch_nn_init(seed=1):
        c = MODULES[name]()
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)
    random_keys = [k for k in sa if len(torch.unique(sa[k])) > 1]
    assert bool(random_keys) == (name != "LayerNorm")  # LayerNorm is all ones and zeros
    assert all(not torch.equal(sa[k], sc[k]) for k in random_keys)
    for p in a.parameters():
        assert p.requires_grad and p.is_leaf


def test_models_built_inside_train():
    with wt.patch_nn_init(seed=0):
        model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.LayerNorm(16), torch.nn.Linear(16, 1))
    loss = model(torch.randn(4, 8)).pow(2).mean()
    loss.backward()
    assert all(p.grad is not None and p.requires_grad for p in model.parameters())


def test_patch_without_seed_follows_torch_manual_seed():
    torch.manual_seed(5)
    with wt.patch_nn_init():
        a = torch.nn.Linear(10, 10)
    torch.manual_seed(5)
    with wt.patch_nn_init():
        b = torch.nn.Linear(10, 10)
    assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)


def test_patch_seed_is_per_thread():
    # Another thread's init calls during the block do not draw from the block's seed.
    with wt.patch_nn_init(seed=3):
        alone = torch.nn.Linear(6, 6)
    with wt.patch_nn_init(seed=3):
        worker = threading.Thread(target=lambda: torch.nn.Linear(6, 6))
        worker.start()
        worker.join()
        crowded = torch.nn.Linear(6, 6)
    assert torch.equal(alone.weight, crowded.weight) and torch.equal(alone.bias, crowded.bias)


# ---------------------------------------------------------------------------------------------
# init_module, and keys by name
# ---------------------------------------------------------------------------------------------


def _equal_states(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(bits(sa[k]), bits(sb[k])) for k in sa)


#: Modules whose construction resets children before parents (TransformerEncoder deep-copies an
#: initialized layer instead, so resetting its copies gives each its own weights).
REBUILDABLE = {name: make for name, make in MODULES.items() if name != "TransformerEncoder"}
REBUILDABLE["Embedding with padding"] = lambda: torch.nn.Embedding(30, 8, padding_idx=3)
REBUILDABLE["GRU"] = lambda: torch.nn.GRU(6, 5, num_layers=2)


@pytest.mark.parametrize("name", list(REBUILDABLE))
def test_init_module_on_a_meta_built_module_equals_building_inside_the_patch(name):
    with wt.patch_nn_init(seed=11):
        built = REBUILDABLE[name]()
    with torch.device("meta"):
        empty = REBUILDABLE[name]()
    assert wt.init_module(empty.to_empty(device="cpu"), seed=11) is empty
    assert _equal_states(empty, built)


def test_init_module_calls_init_instead_of_the_resets_when_given():
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Linear(4, 2))
    seen = []
    wt.init_module(model, seed=0, init=lambda m: seen.append(m) or torch.nn.init.zeros_(m[0].weight))
    assert seen == [model] and (model[0].weight == 0).all()


class _Gpt(torch.nn.Module):
    """Initialization code outside reset methods: self.apply in __init__, as GPT-style models do."""

    def __init__(self, layers):
        super().__init__()
        self.embed = torch.nn.Embedding(20, 8)
        self.layers = torch.nn.ModuleList(torch.nn.Linear(8, 8) for _ in range(layers))
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.normal_(m.weight, 0.0, 0.02)
            torch.nn.init.zeros_(m.bias)


@pytest.mark.parametrize("make", [
    lambda n: torch.nn.Sequential(*(torch.nn.Linear(6, 6) for _ in range(n))),
    lambda n: torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16), n, enable_nested_tensor=False),
    _Gpt,
], ids=["Sequential", "TransformerEncoder", "init code outside resets"])
def test_by_name_a_layer_added_at_the_end_leaves_the_others(make):
    with wt.patch_nn_init(seed=5, by_name=True):
        small = make(2)
    with wt.patch_nn_init(seed=5, by_name=True):
        large = make(3)
    with wt.patch_nn_init(seed=6, by_name=True):
        other = make(2)
    s, l, o = small.state_dict(), large.state_dict(), other.state_dict()
    assert s.keys() < l.keys()
    assert all(torch.equal(s[k], l[k]) for k in s)
    random = [k for k in s if len(torch.unique(s[k])) > 1]
    assert random and all(not torch.equal(s[k], o[k]) for k in random)


def test_by_name_init_code_outside_resets_is_replayed_after_them():
    with wt.patch_nn_init(seed=0, by_name=True):
        model = _Gpt(2)
    for layer in model.layers:  # _init_weights, not nn.Linear's reset, has the last word
        assert (layer.bias == 0).all() and 0.01 < float(layer.weight.detach().std()) < 0.03  # 64 samples: > 5 sigma


def test_by_name_weights_do_not_depend_on_the_order_of_the_calls():
    with torch.device("meta"):
        model = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.Conv1d(5, 4, 3), torch.nn.Embedding(9, 4))
    model.to_empty(device="cpu")
    forward = _equal_copy(wt.init_module(model, seed=3, by_name=True))
    wt.init_module(model, seed=3, by_name=True, init=lambda m: [c.reset_parameters() for c in reversed(list(m))])
    assert _equal_states(model, forward)
    with wt.patch_nn_init(seed=3, by_name=True):
        built = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.Conv1d(5, 4, 3), torch.nn.Embedding(9, 4))
    assert _equal_states(built, forward)


def _equal_copy(module):
    import copy

    return copy.deepcopy(module)


def test_by_name_keys_views_by_their_place_in_the_parameter():
    class Gates(torch.nn.Module):  # LSTM-style: one orthogonal block per gate
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.empty(8, 4))
            self.reset_parameters()

        def reset_parameters(self):
            for gate in self.w.detach().split(4):
                torch.nn.init.orthogonal_(gate)

    with wt.patch_nn_init(seed=1, by_name=True):
        a = torch.nn.Sequential(Gates())
    with wt.patch_nn_init(seed=1, by_name=True):
        b = torch.nn.Sequential(Gates(), Gates())
    assert torch.equal(a[0].w, b[0].w) and not torch.equal(a[0].w[:4], a[0].w[4:])
    assert not torch.equal(b[0].w, b[1].w)


def test_by_name_tensors_without_a_name_are_filled_when_called():
    with wt.patch_nn_init(seed=2, by_name=True):
        free = torch.nn.init.normal_(torch.zeros(50))
        assert not (free == 0).any()
    with wt.patch_nn_init(seed=2, by_name=True):
        again = torch.nn.init.normal_(torch.zeros(50))
    assert torch.equal(free, again)


def test_by_name_without_a_seed_follows_torch_manual_seed():
    torch.manual_seed(4)
    with wt.patch_nn_init(by_name=True):
        a = torch.nn.Linear(5, 5)
    torch.manual_seed(4)
    with wt.patch_nn_init(by_name=True):
        b = torch.nn.Linear(5, 5)
    assert _equal_states(a, b)


def test_module_init_is_wrapped_only_inside_by_name_blocks():
    original = torch.nn.Module.__dict__["__init__"]
    with wt.patch_nn_init(seed=0):
        assert torch.nn.Module.__dict__["__init__"] is original
        with wt.patch_nn_init(seed=0, by_name=True):
            assert torch.nn.Module.__dict__["__init__"] is not original
            torch.nn.Linear(2, 2)
        assert torch.nn.Module.__dict__["__init__"] is original
    with pytest.raises(KeyError), wt.patch_nn_init(seed=0, by_name=True):
        torch.nn.Linear(2, 2)
        raise KeyError("boom")
    assert torch.nn.Module.__dict__["__init__"] is original
    _assert_originals()


def test_by_name_models_gone_before_the_exit_are_skipped():
    with wt.patch_nn_init(seed=0, by_name=True):
        torch.nn.Linear(3, 3)  # built and dropped
        kept = torch.nn.Linear(3, 3)
    with wt.patch_nn_init(seed=0, by_name=True):
        alone = torch.nn.Linear(3, 3)
    assert _equal_states(kept, alone)


# ---------------------------------------------------------------------------------------------
# Documentation
# ---------------------------------------------------------------------------------------------


def test_docstring_examples_run():
    result = doctest.testmod(wt, verbose=False, report=True)
    assert result.failed == 0 and result.attempted >= 2 * len(ALL_FNS) + len(DEPRECATED)
