"""The sampling distributions: statistics against SciPy, and exact values against their definitions.

Statistical tests use a fixed seed, so each is deterministic. Each states its false-failure rate:
the probability, over the choice of seed, that a correct generator fails it. Unless a test says
otherwise that rate is at most ALPHA = 1e-6 per test (split evenly, Bonferroni, between the
checks of a test that makes several).

Low-precision outputs (float16, bfloat16) are discrete on a coarse grid, so a plain KS test
would see the grid. They are compared with the exact law of "the continuous sample rounded to
nearest": for each representable value v, P(out <= v) = F(midpoint of v and its successor).
The sup distance between the empirical CDF and that step function obeys the
Dvoretzky-Kiefer-Wolfowitz inequality with Massart's constant,
P(sup |F_n - G| > eps) <= 2 exp(-2 n eps^2), for any G, continuous or not.

Exact-value definitions (README "How samples are made" and cpp/distributions.hpp): the stream is Philox4x32-10
under key = SeedSequence(seed).generate_state(2, uint32), block b at counter
(b mod 2**32, b div 2**32, 0, 0), blocks taken in groups of 16. 32-bit outputs: with
g = p // 64, r = p % 64, word r // 16 of block 16 g + r % 16; float64: with g = p // 32,
r = p % 32, the 64-bit word (w[2k] | w[2k+1] << 32), k = r // 16, of block 16 g + r % 16.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.special
import scipy.stats as st

import weightinit as wi
from bits import BF16, assert_same_bits
from conftest import DTYPES

ALPHA = 1e-6
LOW_PRECISION = ["float16", "bfloat16"]
FULL_PRECISION = ["float32", "float64"]
INF = math.inf

#: Bounds of the standard truncated normal exercised everywhere: symmetric, half-lines on
#: either side, a shoulder, a deep tail, and a tail so deep Q(a) ~ 1e-350 underflows a double.
TRUNC_BOUNDS = [(-2.0, 2.0), (0.0, INF), (-INF, -1.0), (1.5, 3.0), (8.0, 9.0), (40.0, 41.0)]


def trunc_sample_size(a: float, b: float, n: int) -> int:
    """Deep-tail samples cost ~20x more (Newton on a continued fraction): take fewer there."""
    return n // 5 if a >= 5 else n


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def key_of(seed: int) -> np.ndarray:
    return np.random.SeedSequence(seed).generate_state(2, np.uint32)


def philox_blocks(key: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    """Philox4x32-10 blocks at counters (b mod 2**32, b div 2**32, 0, 0)."""
    b = np.asarray(blocks, dtype=np.uint64)
    ctr = np.zeros((b.size, 4), dtype=np.uint32)
    ctr[:, 0] = (b & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    ctr[:, 1] = (b >> np.uint64(32)).astype(np.uint32)
    return wi.philox4x32_10(ctr, key)


def words32(seed: int, positions) -> np.ndarray:
    """The 32-bit word a float32/float16/bfloat16 sample at each stream position uses."""
    p = np.asarray(positions, dtype=np.uint64)
    g, r = p // np.uint64(64), p % np.uint64(64)
    blocks = philox_blocks(key_of(seed), np.uint64(16) * g + r % np.uint64(16))
    return blocks[np.arange(p.size), (r // np.uint64(16)).astype(np.intp)]


def words64(seed: int, positions) -> np.ndarray:
    """The 64-bit word (low word first) a float64 sample at each stream position uses."""
    p = np.asarray(positions, dtype=np.uint64)
    g, r = p // np.uint64(32), p % np.uint64(32)
    blocks = philox_blocks(key_of(seed), np.uint64(16) * g + r % np.uint64(16)).astype(np.uint64)
    lane = 2 * (r // np.uint64(16)).astype(np.intp)
    rows = np.arange(p.size)
    return blocks[rows, lane] | (blocks[rows, lane + 1] << np.uint64(32))


def box_muller_partner(positions, per_group: int) -> np.ndarray:
    """Position of the other sample of each sample's Box-Muller pair (slots 0-1 and 2-3)."""
    p = np.asarray(positions, dtype=np.int64)
    slot = (p % per_group) // 16
    return np.where(slot % 2 == 0, p + 16, p - 16)


def uniform_f32_reference(seed: int, positions, low: float, high: float) -> np.ndarray:
    u = (words32(seed, positions) >> np.uint32(8)).astype(np.float32) * np.float32(2.0**-24)
    return np.float32(low) + np.float32(high - low) * u


def uniform_f64_reference(seed: int, positions, low: float, high: float) -> np.ndarray:
    u = (words64(seed, positions) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return low + (high - low) * u






def round_f32_to(values32: np.ndarray, dtype: str) -> np.ndarray:
    """float32 -> float16 (NumPy) or bfloat16 (ml_dtypes), round-to-nearest-even."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(values32, dtype=np.float32).astype(np.float16 if dtype == "float16" else BF16)


_REPRESENTABLE: dict[str, np.ndarray] = {}


def representable(dtype: str) -> np.ndarray:
    """Every finite value of a 16-bit float type, ascending, as float64."""
    if dtype not in _REPRESENTABLE:
        allbits = np.arange(2**16, dtype=np.uint32).astype(np.uint16)
        with np.errstate(invalid="ignore"):
            vals = allbits.view(np.float16 if dtype == "float16" else BF16).astype(np.float64)
        _REPRESENTABLE[dtype] = np.unique(vals[np.isfinite(vals)])
    return _REPRESENTABLE[dtype]


def assert_rounded_law(sample: np.ndarray, cdf, dtype: str, alpha: float = ALPHA) -> None:
    """DKW test of a low-precision sample against "continuous law with CDF cdf, rounded to nearest".

    False-failure rate <= alpha (Massart's DKW bound, valid for discrete laws). The float32
    intermediate adds at most one float32 grid point's mass (~1e-7) to any CDF value: negligible
    next to eps ~ 2.7e-3 at n = 1e6.
    """
    x = np.asarray(sample).astype(np.float64).reshape(-1)
    assert np.isfinite(x).all()
    n = x.size
    values, counts = np.unique(x, return_counts=True)
    table = representable(dtype)
    k = np.searchsorted(table, values)
    assert (table[k] == values).all()
    upper = np.where(k + 1 < table.size, (values + table[np.minimum(k + 1, table.size - 1)]) / 2, INF)
    lower = np.where(k > 0, (values + table[np.maximum(k - 1, 0)]) / 2, -INF)
    ecdf_at = np.cumsum(counts) / n
    ecdf_before = ecdf_at - counts / n
    d = max(np.abs(ecdf_at - cdf(upper)).max(), np.abs(ecdf_before - cdf(lower)).max())
    eps = math.sqrt(math.log(2.0 / alpha) / (2.0 * n))
    assert d <= eps, f"sup |ECDF - rounded CDF| = {d:.3g} > {eps:.3g} (n={n})"


def assert_ks(sample: np.ndarray, cdf, alpha: float = ALPHA) -> None:
    """One-sample KS test; false-failure rate alpha (a float32 grid shifts D by < 1e-6)."""
    res = st.kstest(np.asarray(sample, dtype=np.float64).reshape(-1), cdf)
    assert res.pvalue > alpha, f"KS statistic {res.statistic:.3g}, p = {res.pvalue:.3g}"


# ---------------------------------------------------------------------------------------------
# Uniform
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FULL_PRECISION)
def test_uniform_follows_scipy_uniform_ks(dtype):
    # False-failure rate 1e-6.
    low, high = -0.37, 1.25
    x = wi.uniform((1000, 1000), low, high, dtype=dtype, seed=101)
    assert x.dtype == np.dtype(dtype)
    assert ((low <= x) & (x < high)).all()
    assert_ks(x, st.uniform(low, high - low).cdf)


@pytest.mark.parametrize("dtype", LOW_PRECISION)
def test_uniform_low_precision_follows_rounded_uniform(dtype):
    # False-failure rate 1e-6 (DKW).
    low, high = -0.37, 1.25
    x = wi.uniform((10**6,), low, high, dtype=dtype, seed=102)
    assert x.dtype == np.dtype(BF16 if dtype == "bfloat16" else dtype)
    assert_rounded_law(x, st.uniform(low, high - low).cdf, dtype)


@pytest.mark.parametrize(
    "low, high",
    [
        (0.0, 1.0), (-0.37, 1.25), (-3e-3, 3e-3), (5.0, 5.0), (-1e30, 1e30), (100.0, 100.5),
        # Ranges below 2^-102, where range * 2^-24 is not exact (the bulk path then multiplies by
        # 2^-24 first, as the definition does), and one just above (it scales the range once).
        (1e-35, 1.5e-35), (0.0, 1e-40), (0.0, 2.0**-101),
    ],
)
def test_uniform_float32_equals_definition_bit_for_bit(low, high):
    seed, n = 103, 4099
    got = wi.uniform((n,), low, high, dtype="float32", seed=seed)
    assert_same_bits(got, uniform_f32_reference(seed, np.arange(n), low, high))
    # Same definition away from the start of the stream, at an offset that is not a block edge.
    start = 10**9 + 3
    got = wi.uniform((2**40,), low, high, dtype="float32", seed=seed, index=slice(start, start + n))
    assert_same_bits(got, uniform_f32_reference(seed, np.arange(start, start + n), low, high))


@pytest.mark.parametrize(
    "low, high",
    [(0.0, 1.0), (-0.37, 1.25), (-3e-3, 3e-3), (5.0, 5.0), (-1e300, 1e300), (100.0, 100.5)],
)
def test_uniform_float64_equals_definition_bit_for_bit(low, high):
    seed, n = 104, 4099
    got = wi.uniform((n,), low, high, dtype="float64", seed=seed)
    assert_same_bits(got, uniform_f64_reference(seed, np.arange(n), low, high))
    start = 10**9 + 1
    got = wi.uniform((2**40,), low, high, dtype="float64", seed=seed, index=slice(start, start + n))
    assert_same_bits(got, uniform_f64_reference(seed, np.arange(start, start + n), low, high))


# ---------------------------------------------------------------------------------------------
# Normal
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FULL_PRECISION)
def test_normal_follows_scipy_norm_ks(dtype):
    # False-failure rate 1e-6.
    mean, std = 0.3, 1.7
    x = wi.normal((1000, 1000), mean, std, dtype=dtype, seed=201)
    assert x.dtype == np.dtype(dtype)
    assert_ks(x, st.norm(mean, std).cdf)


@pytest.mark.parametrize("dtype", LOW_PRECISION)
def test_normal_low_precision_follows_rounded_normal(dtype):
    # False-failure rate 1e-6 (DKW).
    mean, std = 0.3, 1.7
    x = wi.normal((10**6,), mean, std, dtype=dtype, seed=202)
    assert_rounded_law(x, st.norm(mean, std).cdf, dtype)


@pytest.mark.parametrize("dtype", FULL_PRECISION)
def test_normal_tail_fractions_beyond_3_4_5_sigma_match_exact_probabilities(dtype):
    # Two-sided exact binomial test of #{|z| > k} for k = 3, 4, 5 with 1e7 samples, each at
    # level ALPHA / 3: false-failure rate <= 1e-6. Expected counts: 27000, 633, 5.7.
    n = 10**7
    z = np.abs(wi.normal((n,), dtype=dtype, seed=203).astype(np.float64))
    for k in (3, 4, 5):
        p = math.erfc(k / math.sqrt(2.0))  # P(|Z| > k)
        count = int(np.count_nonzero(z > k))
        pvalue = st.binomtest(count, n, p).pvalue
        assert pvalue > ALPHA / 3, f"{count} samples beyond {k} sigma, expected {n * p:.1f} (p = {pvalue:.2g})"


@pytest.mark.parametrize("dtype", FULL_PRECISION)
def test_box_muller_outputs_are_pairwise_independent(dtype):
    # Joint uniformity of (Phi(z_i), Phi(z_j)) on a 10 x 10 grid (chi-square, 99 dof) for
    # neighbouring positions: inside one Box-Muller pair, across pairs within a block, and across
    # a block edge. Four checks at ALPHA / 4 each: false-failure rate <= 1e-6.
    n_blocks = 250_000
    per = 4 if dtype == "float32" else 2
    z = wi.normal((n_blocks, per), dtype=dtype, seed=204).astype(np.float64)
    u = scipy.special.ndtr(z)
    flat = u.reshape(-1)
    if per == 4:
        pairs = [(u[:, 0], u[:, 1]), (u[:, 2], u[:, 3]), (u[:, 1], u[:, 2]), (flat[3::4][:-1], flat[4::4])]
    else:
        pairs = [(u[:, 0], u[:, 1]), (flat[1::2][:-1], flat[2::2]), (flat[0::2][:-1], flat[2::2]), (flat[:-2], flat[2:])]
    for a, b in pairs:
        counts, _, _ = np.histogram2d(a, b, bins=10, range=[[0, 1], [0, 1]])
        pvalue = st.chisquare(counts.reshape(-1)).pvalue
        assert pvalue > ALPHA / 4, f"chi-square p = {pvalue:.3g}"


def test_box_muller_radius_and_angle_have_their_laws():
    # z0^2 + z1^2 ~ Exp(mean 2) and atan2(z1, z0) ~ U(-pi, pi) for each Box-Muller pair of the
    # float32 path: two KS tests at ALPHA / 2: false-failure rate <= 1e-6.
    z = wi.normal((500_000, 2), dtype="float32", seed=205).astype(np.float64)
    assert_ks(z[:, 0] ** 2 + z[:, 1] ** 2, st.expon(scale=2.0).cdf, ALPHA / 2)
    assert_ks(np.arctan2(z[:, 1], z[:, 0]), st.uniform(-math.pi, 2 * math.pi).cdf, ALPHA / 2)


@pytest.mark.parametrize("dtype", FULL_PRECISION)
def test_normal_is_box_muller_on_the_documented_words(dtype):
    # z = r cos(theta) for an even slot, r sin(theta) for the odd slot of its pair, with
    # r = sqrt(-2 log u), u = (w + 1/2) 2^-bits from the even slot's word (log1p(-(~w + 1/2)
    # 2^-bits) for its upper half) and theta = 2 pi w' / 2^bits from the odd slot's word.
    # The package uses its own polynomials, so compare within a small multiple of max(r, 1) ulp;
    # a wrong pairing, lane or transform is off by O(1).
    seed, n = 206, 40_960
    got = wi.normal((n,), dtype=dtype, seed=seed).astype(np.float64)
    pos = np.arange(n)
    per_group, bits = (64, 32) if dtype == "float32" else (32, 64)
    words = words32 if dtype == "float32" else words64
    slot = (pos % per_group) // 16
    even = np.where(slot % 2 == 0, pos, box_muller_partner(pos, per_group))
    wr, wa = words(seed, even), words(seed, even + 16)
    wr_f = wr.astype(np.float64)
    upper = wr >= (1 << (bits - 1))
    comp = (~wr).astype(np.float64)  # 2^bits - 1 - w
    log_u = np.where(upper, np.log1p(-(comp + 0.5) * 2.0**-bits), np.log((wr_f + 0.5) * 2.0**-bits))
    r = np.sqrt(-2.0 * log_u)
    theta = 2 * math.pi * (wa.astype(np.float64) * 2.0**-bits)
    expected = np.where(slot % 2 == 0, r * np.cos(theta), r * np.sin(theta))
    tol = 1e-6 if dtype == "float32" else 1e-14
    err = np.abs(got - expected) / np.maximum(r, 1.0)
    assert err.max() <= tol, f"max error {err.max():.3g} r at position {err.argmax()}"


# ---------------------------------------------------------------------------------------------
# Truncated normal
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("a, b", TRUNC_BOUNDS)
def test_truncated_normal_float64_follows_scipy_truncnorm_ks(a, b):
    # False-failure rate 1e-6. SciPy's truncnorm CDF was checked against mpmath to 1e-12 at these
    # bounds, (40, 41) included.
    x = wi.truncated_normal((trunc_sample_size(a, b, 10**6),), 0.0, 1.0, a, b, dtype="float64", seed=301)
    assert np.isfinite(x).all()
    assert ((a <= x) & (x <= b)).all()
    assert_ks(x, st.truncnorm(a, b).cdf)


def test_truncated_normal_float64_with_mean_and_std_uses_absolute_bounds():
    # PyTorch convention: a, b absolute. False-failure rate 1e-6.
    mean, std, a, b = 1.0, 2.0, -3.0, 4.0
    x = wi.truncated_normal((10**6,), mean, std, a, b, dtype="float64", seed=302)
    assert ((a <= x) & (x <= b)).all()
    assert_ks(x, st.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std).cdf)


def test_truncated_normal_deep_tail_matches_exponential_asymptotics():
    # For a = 40, (X - a) * a is Exp(1) (truncated at a (b - a) = 40) up to O(1/a^2) = 6e-4 in
    # the CDF, below the KS resolution at n = 2e5 (eps ~ 4e-3). False-failure rate 1e-6.
    a, b = 40.0, 41.0
    x = wi.truncated_normal((200_000,), 0.0, 1.0, a, b, dtype="float64", seed=303)
    assert_ks((x - a) * a, st.expon.cdf)


@pytest.mark.parametrize(
    "mean, std, a, b",
    [
        (1.0, 2.0, -3.0, 4.0),  # the 32-bit fast path: mean + std * z in float
        (0.5, 0.02, 0.46, 0.54),  # the same, +-2 std (one of Giles' two polynomials)
        (0.0, 1e39, -3e38, 3e38),  # std beyond float32's range: mean + std * z in double
        (0.0, 1e-40, -2e-40, 2e-40),  # a subnormal float32 std: in double too
    ],
)
def test_truncated_normal_float32_with_mean_and_std_follows_truncnorm(mean, std, a, b):
    # False-failure rate 1e-6 (the float32 grid moves the CDF by < 1e-5 in every case).
    x = wi.truncated_normal((300_000,), mean, std, a, b, dtype="float32", seed=312).astype(np.float64)
    assert ((a <= x) & (x <= b)).all()
    assert_ks(x, st.truncnorm((a - mean) / std, (b - mean) / std, loc=mean, scale=std).cdf)


@pytest.mark.parametrize(
    "mean, std",
    [(0.1, 1e-8), (1.0 + 0.49 * 2**-23, 2**-23), (1000.3, 1e-4), (0.1, 0.02)],
)
def test_truncated_normal_float32_is_centred_where_std_is_near_the_means_ulp(mean, std):
    # mean + std * z in float would round the mean to float once for every sample: a shift of up
    # to half an ulp of the mean, 0.12-0.49 std in the first three cases (found by a review); the
    # float path is taken only where that rounding is at most 2^-20 std. On [mean - 2 std,
    # mean + 2 std] the sample mean of 10^6 values has a standard error of 0.00088 std; rounding to
    # the float32 grid (as coarse as std here) shifts it by at most 0.012 std; the bound 0.05 std
    # is 40 standard errors beyond that (false-failure rate below 1e-12; fixed seed).
    a, b = mean - 2 * std, mean + 2 * std
    x = wi.truncated_normal((10**6,), mean, std, a, b, dtype="float32", seed=313).astype(np.float64)
    assert ((a <= x) & (x <= b)).all()
    assert abs(x.mean() - mean) <= 0.05 * std, (x.mean() - mean) / std


@pytest.mark.parametrize("a, b", TRUNC_BOUNDS)
def test_truncated_normal_float32_follows_scipy_truncnorm_ks(a, b):
    # False-failure rate 1e-6; the float32 grid moves the CDF by < 1e-4 even at (40, 41).
    x = wi.truncated_normal((trunc_sample_size(a, b, 300_000),), 0.0, 1.0, a, b, dtype="float32", seed=304)
    assert ((a <= x) & (x <= b)).all()
    assert_ks(x, st.truncnorm(a, b).cdf)


@pytest.mark.parametrize("dtype", LOW_PRECISION)
@pytest.mark.parametrize("a, b", TRUNC_BOUNDS)
def test_truncated_normal_low_precision_follows_rounded_truncnorm(dtype, a, b):
    # Bounds are representable, so rounding to nearest keeps every sample inside. DKW,
    # false-failure rate 1e-6.
    x = wi.truncated_normal((trunc_sample_size(a, b, 300_000),), 0.0, 1.0, a, b, dtype=dtype, seed=305)
    x64 = x.astype(np.float64)
    assert ((a <= x64) & (x64 <= b)).all()
    assert_rounded_law(x, st.truncnorm(a, b).cdf, dtype)


_INSIDE_CASES = [
    (0.0, 1.0, -2.0, 2.0),
    (0.0, 1.0, 8.0, 9.0),
    (0.0, 1.0, 40.0, 41.0),
    (0.0, 1.0, -41.0, -40.0),
    (0.0, 1.0, 1 / 3, 0.34),  # bounds not representable in any output dtype
    (0.0, 0.02, -0.04, 0.04),  # the JAX/Keras initializer case, bounds not representable
    (0.1, 3.0, -0.1, 0.2),
    (0.0, 1.0, 0.0, INF),
    (0.0, 1.0, -INF, -1.0),
    (0.0, 1.0, 1e30, INF),  # beyond float16's range: float16 is in the "must raise" test below
]


@pytest.mark.parametrize(
    "dtype, mean, std, a, b",
    [(dt, *case) for case in _INSIDE_CASES for dt in ("float32", "float64", "float16", "bfloat16")
     if not (dt == "float16" and case[2] > 65504)],
)
def test_truncated_normal_samples_lie_inside_bounds_after_rounding(dtype, mean, std, a, b):
    x = wi.truncated_normal((100_000,), mean, std, a, b, dtype=dtype, seed=306)
    x64 = x.astype(np.float64)
    assert np.isfinite(x64).all()
    assert ((a <= x64) & (x64 <= b)).all(), (x64.min(), x64.max())


@pytest.mark.parametrize(
    "dtype, a, b",
    [
        ("bfloat16", 0.3334, 0.3335),  # neighbours 0.33203125 and 0.333984375
        ("float16", 65520.0, 70000.0),  # float16's largest finite value is 65504
        ("float32", 1 / 3, 1 / 3 + 1e-9),  # between two neighbouring float32 values
        ("float32", 1e39, INF),  # beyond float32's largest finite value: only inf remains
        ("float32", 1e160, INF),
        ("float16", 1e30, INF),
        ("bfloat16", -INF, -1e39),
    ],
)
def test_truncated_normal_bounds_holding_no_representable_value_raise(dtype, a, b):
    # No finite output value lies in [a, b]; the docstring promises values inside [a, b] and
    # invariant 6 forbids a silent wrong answer (inf, or a value outside), so the call must raise.
    with pytest.raises(ValueError):
        wi.truncated_normal((8,), 0.0, 1.0, a, b, dtype=dtype, seed=307)


@pytest.mark.parametrize(
    "std, a, b",
    [(1e8, -1.0, 1.0), (1e14, -1.0, 1.0), (1.0, 5.0, 5.0 + 1e-9), (1.0, 0.0, 1e-300)],
)
def test_truncated_normal_much_narrower_than_std_is_uniform_on_bounds(std, a, b):
    # N(0, std^2) on [a, b] with (b - a) / std <= 1e-8 has a density constant to within 1e-8
    # relative: it is U[a, b] far below the KS resolution (the float64 grid in [a, b] has >= 1e6
    # points, moving D by < 1e-6). False-failure rate 1e-6.
    x = wi.truncated_normal((10**6,), 0.0, std, a, b, dtype="float64", seed=308)
    assert ((a <= x) & (x <= b)).all()
    assert_ks(x, st.uniform(a, b - a).cdf)


@pytest.mark.parametrize(
    "std, a, b",
    [(1e8, -1.0, 1.0), (1e14, -1.0, 1.0), (1.0, 0.0, 1e-13), (1.0, -1e-13, 1e-13), (1.0, 0.0, 1e-300)],
)
def test_truncated_normal_on_narrow_interval_is_not_quantized(std, a, b):
    # A continuous law on [a, b] puts at most (float64 spacing in [a, b]) x (max density)
    # <= 6e-16 on any one float64 value here, so 5e4 samples hold a repeated value with
    # probability <= C(5e4, 2) 6e-16 < 1e-6: all must be distinct. (Exact inversion must not
    # lose the interval to cancellation against P(Z < a) ~ 1/2.)
    n = 50_000
    x = wi.truncated_normal((n,), 0.0, std, a, b, dtype="float64", seed=310)
    assert ((a <= x) & (x <= b)).all()
    assert np.unique(x).size == n, f"only {np.unique(x).size} distinct values in {n} samples"


def _truncnorm_quantile_mp(u: float, a: float, b: float, start: float):
    """x with P(Z <= x | a <= Z <= b) = u, to ~40 digits (mpmath; works where Q(a) underflows)."""
    def q(t):
        return mpmath.erfc(mpmath.mpf(t) / mpmath.sqrt(2)) / 2

    qa, qb = q(a), q(b)
    log_target = mpmath.log(qa - mpmath.mpf(u) * (qa - qb))
    return mpmath.findroot(lambda t: mpmath.log(q(t)) - log_target, mpmath.mpf(start))


@pytest.mark.parametrize("a, b", TRUNC_BOUNDS)
def test_truncated_normal_float64_is_exact_inversion_of_the_cdf(a, b):
    # Sample p takes u = ((w64 >> 11) + 1/2) 2^-53 and returns F^{-1}(u), F the CDF of Z on [a, b];
    # an interval left of 0 (b <= 0) is sampled mirrored: x = -F_mirror^{-1}(u) on [-b, -a]
    # (cpp/distributions.hpp). Compare with a 40-digit inversion: an inexact inversion (or
    # rejection, or a clip) is off by far more than 1e-12.
    seed = 309
    positions = np.concatenate([np.arange(48), np.arange(10**12, 10**12 + 16)])
    x = wi.truncated_normal((2**41,), 0.0, 1.0, a, b, dtype="float64", seed=seed, index=slice(0, 48))
    x = np.concatenate([x, wi.truncated_normal((2**41,), 0.0, 1.0, a, b, dtype="float64", seed=seed,
                                               index=slice(10**12, 10**12 + 16))])
    u = ((words64(seed, positions) >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53
    mirror = b <= 0
    with mpmath.workdps(40):
        for xi, ui in zip(x, u):
            if mirror:
                exact = -_truncnorm_quantile_mp(float(ui), -b, -a, -xi)
            else:
                exact = _truncnorm_quantile_mp(float(ui), a, b, xi)
            assert abs(xi - float(exact)) <= 1e-12 * max(1.0, abs(xi)), (xi, float(exact), ui)


@pytest.mark.parametrize("a, b", [(-2.0, 2.0), (-3.0, 1.0), (0.5, 4.0), (-4.75, 4.75)])
def test_truncated_normal_float32_fast_path_inverts_the_cdf(a, b):
    # The 32-bit fast path (standardized bounds inside +-4.75, at least 0.25 apart) takes
    # u = (w32 + 1/2) 2^-32 (and 1 - u from the complemented word, so both ends are resolved)
    # and returns F^{-1}(u) by Giles' single-precision inverse in float
    # (cpp/per_isa/truncated_normal_math.hpp). Compared with a 30-digit inversion: within
    # 5 float32 ulps of max(|x|, 1), and within 7 ulps of x itself where |x| >= 0.25, on these
    # intervals. Measured over 2^22 words per interval: worst 4.6 ulps of max(|x|, 1) (14 intervals),
    # 6.5 of |x| on these four (7.8 on another fast interval, so that bound is for these only).
    # Giles' polynomial alone is good to 1.3e-7 relative (1.1-2.2 ulps). A wrong u, a wrong bound
    # or a sign slip is off by far more. (Deterministic: fixed seed and positions.)
    seed = 311
    positions = np.concatenate([np.arange(400), np.arange(10**12, 10**12 + 64)])
    x = np.concatenate([
        wi.truncated_normal((2**41,), 0.0, 1.0, a, b, dtype="float32", seed=seed, index=slice(0, 400)),
        wi.truncated_normal((2**41,), 0.0, 1.0, a, b, dtype="float32", seed=seed, index=slice(10**12, 10**12 + 64)),
    ]).astype(np.float64)
    u = (words32(seed, positions).astype(np.float64) + 0.5) * 2.0**-32
    with mpmath.workdps(30):
        for xi, ui in zip(x, u):
            exact = float(_truncnorm_quantile_mp(float(ui), a, b, xi))
            err = abs(xi - exact)
            assert err <= 5 * float(np.spacing(np.float32(max(abs(exact), 1.0)))), (xi, exact, ui)
            if abs(exact) >= 0.25:
                assert err <= 7 * float(np.spacing(np.float32(abs(exact)))), (xi, exact, ui)


def _mills_mp(z):
    """Q(z) / phi(z) for z >= 100, by Laplace's continued fraction (mpmath arithmetic; 200 terms
    are far beyond convergence there)."""
    t = z
    for k in range(200, 0, -1):
        t = z + k / t
    return 1 / t


def _far_offset_mp(u: float, alpha, w):
    """t with P(alpha <= Z <= alpha + t | alpha <= Z <= alpha + w) = u for alpha >= 100, from
    log Q(alpha + t) - log Q(alpha) = -(alpha t + t^2/2) + log(M(alpha + t) / M(alpha)) in mpmath
    at the caller's precision (erfc itself overflows mpmath's float conversions near 1e300)."""
    def log_ratio(t):
        return -(alpha * t + t * t / 2) + mpmath.log(_mills_mp(alpha + t) / _mills_mp(alpha))

    target = mpmath.log1p(-mpmath.mpf(u) * (1 - mpmath.exp(log_ratio(w))))
    start = -target / alpha
    return mpmath.findroot(lambda t: log_ratio(t) - target, start, tol=mpmath.mpf(10) ** (-30))


@pytest.mark.parametrize("mean", [1e3, 1e6, 1e15, 1e30, 1e300, -1e3, -1e6, -1e15, -1e30, -1e300])
@pytest.mark.parametrize("dtype", DTYPES)
def test_truncated_normal_with_the_mean_far_outside_the_interval_has_its_mass_at_the_near_bound(mean, dtype):
    # N(mean, 1) on [0.5, 4] with |mean| huge: all mass against the bound nearest the mean, at
    # offsets ~1/|mean| from it (the exponential tail). Compare each sample, from its own word,
    # with the quantile computed by mpmath at a precision that resolves alpha + t.
    a, b, seed = 0.5, 4.0, 311
    x = wi.truncated_normal((16,), mean, 1.0, a, b, dtype=dtype, seed=seed).astype(np.float64)
    if dtype == "float64":
        u = ((words64(seed, np.arange(16)) >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53
    else:
        u = ((words32(seed, np.arange(16)).astype(np.float64)) + 0.5) * 2.0**-32
    near, sign = (b, -1.0) if mean > b else (a, 1.0)  # the value is near + sign * t
    digits = 40 + 2 * int(math.log10(abs(mean)))
    with mpmath.workdps(digits):
        alpha = abs(mpmath.mpf(near) - mpmath.mpf(mean))
        for xi, ui in zip(x, u):
            t = _far_offset_mp(float(ui), alpha, mpmath.mpf(b - a))
            exact = float(mpmath.mpf(near) + sign * t)
            assert a <= float(xi) <= b
            # within one unit in the last place of the output dtype (the largest in [0.5, 4])
            ulp = {"float64": float(np.spacing(exact)), "float32": float(np.spacing(np.float32(exact))),
                   "float16": 2.0**-9, "bfloat16": 2.0**-6}[dtype]
            assert abs(float(xi) - exact) <= ulp, (mean, float(xi), exact)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_truncated_normal_stays_inside_bounds_when_rounding_meets_a_subnormal(dtype):
    # mean and std 2**64 with bounds [FLT_MIN-ish, 3.9]: the interval is tiny in units of std
    # (the narrow path), its left end sits where float32 turns subnormal.
    a, b = 1.175494351e-38, 3.9463866354033317
    x = wi.truncated_normal((4096,), 2.0**64, 2.0**64, a, b, dtype=dtype, seed=312).astype(np.float64)
    assert ((a <= x) & (x <= b)).all(), (x.min(), x.max())
    assert np.unique(x).size > 100  # spread over the interval, not stuck at one end


# ---------------------------------------------------------------------------------------------
# Low precision: one rounding from float32
# ---------------------------------------------------------------------------------------------

_LOW_PRECISION_CASES = {
    "uniform": lambda **kw: wi.uniform((100_003,), -0.37, 1.25, **kw),
    "uniform_subnormal": lambda **kw: wi.uniform((100_003,), -1e-6, 1e-6, **kw),
    "uniform_near_float16_max": lambda **kw: wi.uniform((100_003,), 65000.0, 65504.0, **kw),
    "uniform_bfloat16_subnormal": lambda **kw: wi.uniform((100_003,), -1e-38, 1e-38, **kw),
    "normal": lambda **kw: wi.normal((100_003,), 0.3, 1.7, **kw),
    "normal_near_float16_max": lambda **kw: wi.normal((100_003,), 0.0, 9600.0, **kw),  # 6.77 std < 65504
    "truncated_normal": lambda **kw: wi.truncated_normal((100_003,), 0.0, 1.0, -2.0, 2.0, **kw),
    "truncated_normal_shifted": lambda **kw: wi.truncated_normal((100_003,), 0.5, 0.25, 0.0, 1.0, **kw),
    "truncated_normal_tail": lambda **kw: wi.truncated_normal((100_003,), 0.0, 1.0, 8.0, 9.0, **kw),
}


@pytest.mark.parametrize("dtype", LOW_PRECISION)
@pytest.mark.parametrize("case", sorted(_LOW_PRECISION_CASES))
def test_low_precision_equals_float32_rounded_once(case, dtype):
    # float16 output == NumPy's float32 -> float16 cast of the float32 output, and bfloat16 ==
    # ml_dtypes' cast: both round to nearest even, with subnormals, overflow to inf, and ties.
    fn = _LOW_PRECISION_CASES[case]
    got = fn(dtype=dtype, seed=401)
    expected = round_f32_to(fn(dtype="float32", seed=401), dtype)
    assert_same_bits(got, expected)


_F16_HARD = [
    0.0, -0.0, 1.0, 0.1, 1 / 3, -2.5,
    1 + 2**-11,  # tie: rounds to even 1.0
    1 + 3 * 2**-11,  # tie: rounds to even 1 + 2**-9
    1 + 2**-11 + 2**-23,  # just above a tie
    2049.0, 2051.0, -2049.0,  # integer ties
    2.0**-24, 2.0**-25, 3 * 2.0**-25, 2.0**-25 + 2.0**-40, 2.0**-26, -(2.0**-25),  # subnormals
    1023.5 * 2.0**-24,  # tie between the largest subnormal and the smallest normal
    2.0**-14, 2.0**-14 - 2.0**-26,
    65504.0, 65519.99, 65520.0, -65520.0, 65536.0, 1e30, 3.4028234663852886e38,
    1e-45,  # float32's smallest subnormal
    INF, -INF, math.nan, -math.nan,
]
_BF16_HARD = [
    0.0, -0.0, 1.0, 0.1, 1 / 3, -2.5,
    1 + 2**-8,  # tie: rounds to even 1.0
    1 + 3 * 2**-8,  # tie: rounds to even 1 + 2**-6
    1 + 2**-8 + 2**-20,
    257.0, 259.0, -257.0,
    1e-40, 2.0**-133, 3 * 2.0**-134, 2.0**-149, 2.0**-126, -(2.0**-126) * 0.75,  # subnormals
    3.3895313892515355e38,  # bfloat16's largest finite value
    3.4028234663852886e38,  # float32's largest: rounds up to inf
    1e30, INF, -INF, math.nan, -math.nan,
]


@pytest.mark.parametrize(
    "dtype, value",
    [("float16", v) for v in _F16_HARD] + [("bfloat16", v) for v in _BF16_HARD],
)
def test_constant_rounds_float32_to_low_precision_like_numpy_and_ml_dtypes(dtype, value):
    with np.errstate(over="ignore"):
        expected = round_f32_to(np.full(3, value, dtype=np.float32), dtype)
    if math.isfinite(value) and not np.isfinite(expected.astype(np.float32)).all():
        # a finite request never yields inf (README, "Guarantees")
        with pytest.raises(ValueError, match="rounds to inf"):
            wi.constant((3,), value, dtype=dtype)
        return
    got = wi.constant((3,), value, dtype=dtype)
    assert_same_bits(got, expected)


@pytest.mark.parametrize("value", [0.1, -0.0, 1e-45, 1e-320, 1e300, INF, math.nan])
@pytest.mark.parametrize("dtype", FULL_PRECISION)
def test_constant_full_precision_equals_numpy_cast(dtype, value):
    with np.errstate(over="ignore"):
        expected = np.full((2, 3), value, dtype=np.float64).astype(dtype)
    if math.isfinite(value) and not np.isfinite(expected).all():
        with pytest.raises(ValueError, match="rounds to inf"):  # a finite request never yields inf
            wi.constant((2, 3), value, dtype=dtype)
        return
    got = wi.constant((2, 3), value, dtype=dtype)
    assert_same_bits(got, expected)


# ---------------------------------------------------------------------------------------------
# Generator.standard_normal / normal: NumPy's, and normal in law
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FULL_PRECISION)
def test_generator_standard_normal_follows_norm_ks(dtype):
    # False-failure rate 1e-6.
    x = wi.default_rng(501).standard_normal(10**6, dtype=dtype)
    assert x.shape == (10**6,) and x.dtype == np.dtype(dtype)
    assert_ks(x, st.norm.cdf)


def test_generator_normal_with_loc_and_scale_follows_norm_ks():
    # False-failure rate 1e-6.
    x = wi.default_rng(502).normal(3.0, 2.0, size=(1000, 1000))
    assert x.shape == (1000, 1000) and x.dtype == np.float64
    assert_ks(x, st.norm(3.0, 2.0).cdf)


@pytest.mark.parametrize("bit_generator", [np.random.Philox, np.random.PCG64, np.random.PCG64DXSM, np.random.SFC64])
@pytest.mark.parametrize("dtype", FULL_PRECISION)
def test_generator_normals_are_numpys_on_every_bit_generator(bit_generator, dtype):
    ours, theirs = wi.Generator(bit_generator(503)), np.random.Generator(bit_generator(503))
    for size in [None, 1, 1000, (300, 700)]:
        assert_same_bits(np.asarray(ours.standard_normal(size, dtype=dtype)), np.asarray(theirs.standard_normal(size, dtype=dtype)))
        assert_same_bits(np.asarray(ours.normal(-1.5, 0.25, size)), np.asarray(theirs.normal(-1.5, 0.25, size)))
    assert _plain(ours.bit_generator.state) == _plain(theirs.bit_generator.state)


def _plain(state):
    """A bit generator's state with its arrays as lists, for ==."""
    if isinstance(state, dict):
        return {k: _plain(v) for k, v in state.items()}
    return state.tolist() if isinstance(state, np.ndarray) else state


@pytest.mark.parametrize("dtype", LOW_PRECISION)
def test_generator_normals_take_numpys_dtypes_only(dtype):
    with pytest.raises(TypeError):
        np.random.default_rng(504).standard_normal(3, dtype=np.float16)
    with pytest.raises(TypeError):
        wi.default_rng(504).standard_normal(3, dtype=BF16 if dtype == "bfloat16" else dtype)


def test_generator_standard_normal_out_fills_in_place():
    out = np.full((40, 25), np.nan)
    res = wi.default_rng(508).standard_normal(out=out)
    assert res is out
    assert_same_bits(out, wi.default_rng(508).standard_normal((40, 25)))


@pytest.mark.parametrize("kwargs", [dict(scale=-1.0), dict(scale=math.nan), dict(loc=math.inf), dict(scale=math.inf)])
def test_generator_normal_raises_exactly_where_numpy_does(kwargs):
    try:
        np.random.default_rng(509).normal(size=3, **kwargs)
    except ValueError as exc:
        with pytest.raises(ValueError, match=str(exc)):
            wi.default_rng(509).normal(size=3, **kwargs)
    else:
        with np.errstate(invalid="ignore"):
            assert_same_bits(wi.default_rng(509).normal(size=3, **kwargs), np.random.default_rng(509).normal(size=3, **kwargs))


@pytest.mark.parametrize(
    "value, dtype, expected",
    [
        # Halfway between two float16 values after rounding to float32 first, but above the
        # midpoint in float64: one rounding goes up, a double rounding would tie to even (1.0).
        (1 + 2**-11 + 2**-40, "float16", 1 + 2**-10),
        (1 + 2**-8 + 2**-40, "bfloat16", 1 + 2**-7),
        (-(1 + 2**-8 + 2**-40), "bfloat16", -(1 + 2**-7)),
        (1 + 2**-11 - 2**-40, "float16", 1.0),
    ],
)
def test_constant_rounds_the_double_value_once(value, dtype, expected):
    got = wi.constant((3,), value, dtype=dtype)
    assert got.astype(np.float64).tolist() == [expected] * 3
    if dtype == "float16":  # NumPy's float64 -> float16 is a single rounding too
        assert_same_bits(got, np.full(3, value).astype(np.float16))
