// The truncated normal's math: the standard normal's upper tail Q(x) = P(Z > x), its inverse,
// and the standard normal restricted to an interval, sampled by inversion.
// The exact path uses FDLIBM's erfc/exp/log/log1p/expm1 (portable_math.hpp: within an ulp, and
// the same bits on every machine, unlike the C library's) in double and is not on a SIMD path;
// the fast path is selects only and vectorizes. Nothing here calls the C library's math.
#pragma once

#include "../isa_namespace.hpp"

#include <cmath>

#include "log.hpp"
#include "portable_math.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

inline constexpr double kSqrt1_2 = 0.70710678118654752440;
inline constexpr double kLogSqrt2Pi = 0.91893853320467274178;  // log(sqrt(2*pi))

// Mills ratio M(x) = Q(x) / phi(x) for x >= 0.
inline double mills_ratio(double x) {
  if (x < 5.0) {
    return 0.5 * portable::erfc(x * kSqrt1_2) * portable::exp(0.5 * x * x + kLogSqrt2Pi);
  }
  // Laplace's continued fraction 1/(x+ 1/(x+ 2/(x+ 3/(x+ ...)))), converged to double
  // precision by 60 terms for x >= 5.
  double t = x;
  for (int k = 60; k >= 1; --k) t = x + k / t;
  return 1.0 / t;
}

// log Q(x) for x >= 0, accurate to a few ulp in absolute terms even where Q underflows.
inline double log_normal_tail(double x) {
  if (x < 5.0) return portable::log(0.5 * portable::erfc(x * kSqrt1_2));
  return -0.5 * x * x - kLogSqrt2Pi + portable::log(mills_ratio(x));
}

// The x >= 0 with log Q(x) = target (target <= log 1/2), by Newton's method on log Q, which is
// concave: started at or right of the root, every step stays right of it and moves left.
inline double normal_tail_inverse_log(double target, double upper) {
  constexpr double kLn2 = 0.69314718055994530942;
  // Q(x) <= exp(-x^2/2)/2 bounds the root from above.
  double x = std::sqrt(std::fmax(0.0, -2.0 * (target + kLn2)));
  if (upper < x) x = upper;
  for (int it = 0; it < 100; ++it) {
    const double step = (log_normal_tail(x) - target) * mills_ratio(x);  // <= 0 right of root
    const double next = x + step;
    if (!(next < x) || next < 0.0) break;
    x = next;
    if (-step <= 1e-16 * x) break;
  }
  return x;
}

// Q^-1(q) = -Phi^-1(q) for q in [1e-6, 1/2], in float: M. Giles' single-precision erfinv
// ("Approximating the erfinv function", GPU Computing Gems, 2011), x = sqrt(2) erfinv(1 - 2q),
// with w = -log((1 - y)(1 + y)) formed from q directly (no cancellation). Measured against
// scipy.special.ndtri: relative error <= 1.3e-7 (1.1 to 2.2 float ulps, by where x lies in its
// binade) over that range.
// kBothBranches false: for callers that know w < 5 (q >= 0.0017) for every q they pass, the
// second polynomial (and its square root) is skipped; the result is the same, bit for bit.
template <bool kBothBranches = true>
inline float normal_tail_inverse_fast(float q) {
  const float w = -log_positive(4.0f * q * (1.0f - q));
  const float a = w - 2.5f;
  float p1 = 2.81022636e-08f;
  p1 = fused_multiply_add(p1, a, 3.43273939e-07f);
  p1 = fused_multiply_add(p1, a, -3.5233877e-06f);
  p1 = fused_multiply_add(p1, a, -4.39150654e-06f);
  p1 = fused_multiply_add(p1, a, 0.00021858087f);
  p1 = fused_multiply_add(p1, a, -0.00125372503f);
  p1 = fused_multiply_add(p1, a, -0.00417768164f);
  p1 = fused_multiply_add(p1, a, 0.246640727f);
  p1 = fused_multiply_add(p1, a, 1.50140941f);
  const float y = fused_multiply_add(-2.0f, q, 1.0f);  // 1 - 2q rounded once (2q is exact)
  if constexpr (!kBothBranches) return 1.41421356f * (p1 * y);
  const float b = std::sqrt(w) - 3.0f;
  float p2 = -0.000200214257f;
  p2 = fused_multiply_add(p2, b, 0.000100950558f);
  p2 = fused_multiply_add(p2, b, 0.00134934322f);
  p2 = fused_multiply_add(p2, b, -0.00367342844f);
  p2 = fused_multiply_add(p2, b, 0.00573950773f);
  p2 = fused_multiply_add(p2, b, -0.0076224613f);
  p2 = fused_multiply_add(p2, b, 0.00943887047f);
  p2 = fused_multiply_add(p2, b, 1.00167406f);
  p2 = fused_multiply_add(p2, b, 2.83297682f);
  const float p = w < 5.0f ? p1 : p2;
  return 1.41421356f * (p * y);
}

// Q^-1(q) = -Phi^-1(q) for q in [1e-11, 1/2], in double: M. J. Wichura's PPND16 ("Algorithm
// AS 241: The percentage points of the normal distribution", Applied Statistics 37(3), 1988,
// 477-484), relative error about 1e-16 by its author's account. A rational function of
// r = 0.180625 - (1/2 - q)^2 for q >= 0.075, else of r = sqrt(-log q) - 1.6 (AS 241's third
// branch, r > 5, starts below q = 1.4e-11). The branch picks the coefficients (selects), so one
// evaluation serves every lane, with no C library call: vectorizes, the same bits everywhere.
inline double normal_tail_inverse_double(double q) {
  const double d = 0.5 - q;  // >= 0
  const bool central = d <= 0.425;
  const double r = central ? 0.180625 - d * d : std::sqrt(-log_positive(q)) - 1.6;
  double num = central ? 2.5090809287301226727e+3 : 7.74545014278341407640e-4;
  num = num * r + (central ? 3.3430575583588128105e+4 : 2.27238449892691845833e-2);
  num = num * r + (central ? 6.7265770927008700853e+4 : 2.41780725177450611770e-1);
  num = num * r + (central ? 4.5921953931549871457e+4 : 1.27045825245236838258e+0);
  num = num * r + (central ? 1.3731693765509461125e+4 : 3.64784832476320460504e+0);
  num = num * r + (central ? 1.9715909503065514427e+3 : 5.76949722146069140550e+0);
  num = num * r + (central ? 1.3314166789178437745e+2 : 4.63033784615654529590e+0);
  num = num * r + (central ? 3.3871328727963666080e+0 : 1.42343711074968357734e+0);
  double den = central ? 5.2264952788528545610e+3 : 1.05075007164441684324e-9;
  den = den * r + (central ? 2.8729085735721942674e+4 : 5.47593808499534494600e-4);
  den = den * r + (central ? 3.9307895800092710610e+4 : 1.51986665636164571966e-2);
  den = den * r + (central ? 2.1213794301586595867e+4 : 1.48103976427480074590e-1);
  den = den * r + (central ? 5.3941960214247511077e+3 : 6.89767334985100004550e-1);
  den = den * r + (central ? 6.8718700749205790830e+2 : 1.67638483018380384940e+0);
  den = den * r + (central ? 4.2313330701600911252e+1 : 2.05319162663775882187e+0);
  den = den * r + 1.0;
  return (central ? d * num : num) / den;
}

// The standard normal restricted to [a, b], by inversion of its distribution function from a
// u in (0, 1): one uniform per sample, no rejection, no clipping.
//   Exact path (any bounds): Newton on log Q; for an interval so narrow that differences of
//   tail probabilities cancel, the density integrated directly.
//   Fast path (bounds in [-4.75, 4.75], at least 0.25 apart, which covers initializers' +-2
//   and +-3 sigma; the sample's own tail probability is never below 1e-6 there): all in float
//   with Giles' inverse for 32-bit outputs, AS 241 in double for float64.
struct StandardTruncatedNormal {
  double alpha, beta;           // bounds, after the flip below
  double width;                 // beta - alpha, computed from the unstandardized bounds (exact)
  bool flip;                    // sample -Z on [-beta, -alpha] when the interval lies left of 0
  bool straddle;
  bool fast;
  bool fast_near;               // fast, and every sample's tail probability >= 0.002 (|z| < 2.88)
  bool narrow;                  // bounds so close that the density is nearly flat between them
  bool far;                     // the interval lies so far out that the tail is exponential there
  double log_q_alpha, expm1_d;  // tail case: log Q(alpha), expm1(log Q(beta) - log Q(alpha))
  double q_below, q_above, mass;  // P(Z < alpha), P(Z > beta), P(alpha < Z < beta)
  float q_below_f, q_above_f, mass_f;  // the same rounded to float, for the float fast path

  // Standardized bounds a < b, and their distance `w` computed from the bounds themselves: when
  // the mean is far from the interval, a and b are large and close, and b - a has lost the
  // interval's width (mean 1e30, bounds 0.5 and 4: a == b in double).
  StandardTruncatedNormal(double a, double b, double w) {
    fast = a >= -4.75 && b <= 4.75 && b - a >= 0.25;
    flip = !fast && b <= 0.0;
    if (flip) { const double t = a; a = -b; b = -t; }
    alpha = a;
    beta = b;
    width = w;
    straddle = a < 0.0;
    // Differences of tail probabilities cancel when the interval is narrow against the
    // density's scale there; integrate the density directly instead (see narrow_sample).
    narrow = !fast && w * (std::fmax(std::fabs(a), std::fabs(b)) + w) <= 1e-2;
    far = !fast && !narrow && !straddle && a >= kFarTail;
    log_q_alpha = expm1_d = q_below = q_above = mass = 0.0;
    fast_near = false;
    q_below_f = q_above_f = mass_f = 0.0f;
    if (narrow) {
      // nothing to precompute
    } else if (far) {
      expm1_d = std::isinf(w) ? -1.0 : portable::expm1(far_log_ratio(w));
    } else if (straddle || fast) {
      q_below = 0.5 * portable::erfc(-a * kSqrt1_2);
      q_above = 0.5 * portable::erfc(b * kSqrt1_2);
      mass = (1.0 - q_below) - q_above;
      q_below_f = static_cast<float>(q_below);
      q_above_f = static_cast<float>(q_above);
      mass_f = static_cast<float>(mass);
      // p_below >= q_below and p_above >= q_above hold after rounding too, so every q is at
      // least 0.002 and Giles' w = -log(4 q (1 - q)) at most 4.83: its first branch (w < 5).
      fast_near = fast && std::fmin(q_below, q_above) >= 0.002;
    } else {
      log_q_alpha = log_normal_tail(a);
      const double log_q_beta = std::isinf(b) ? -INFINITY : log_normal_tail(b);
      expm1_d = portable::expm1(log_q_beta - log_q_alpha);
    }
  }

  // From this distance of the interval's near end (in standard deviations) on, samples are
  // computed as an offset t from that end (the value is then bound + std * t): alpha + t
  // cannot hold t's precision there (alpha 1e30, t 1e-30), and mean + std * z would cancel.
  static constexpr double kFarTail = 16.0;

  // log Q(alpha + t) - log Q(alpha) = -(alpha t + t^2 / 2) + log(M(alpha + t) / M(alpha)), with
  // M the Mills ratio: every term keeps its precision however large alpha is.
  double far_log_ratio(double t) const {
    return -(alpha * t + 0.5 * t * t) + portable::log(mills_ratio(alpha + t) / mills_ratio(alpha));
  }

  // t in [0, width] with far_log_ratio(t) = log1p(u * expm1_d), by Newton's method (the ratio's
  // slope is -1 / M(alpha + t)); log Q is concave, so starting right of the root (at the tangent
  // at 0's answer) every step stays right of it and moves left.
  double far_offset(double u) const {
    const double target = portable::log1p(u * expm1_d);
    double t = std::fmin(-target * mills_ratio(alpha), width);
    for (int it = 0; it < 100; ++it) {
      const double step = (far_log_ratio(t) - target) * mills_ratio(alpha + t);  // <= 0 right of root
      const double next = t + step;
      if (!(next < t) || next < 0.0) break;
      t = next;
      if (-step <= 1e-17 * t) break;
    }
    return t;
  }

  // The offset-based paths return t, the distance in standard deviations from the interval's
  // end nearest the mean (after the flip) towards the other end: the caller then computes the
  // value from that bound, not from the mean, so nothing cancels.
  bool offset_based() const { return narrow || far; }
  double offset_sample(double u) const { return narrow ? narrow_offset(u) : far_offset(u); }

  // Integral of exp(-alpha s - s^2 / 2) over [0, t], by 8-point Gauss-Legendre quadrature: the
  // integrand varies by at most ~1% on a narrow interval, so this is exact to rounding.
  double narrow_mass(double t) const {
    static constexpr double kNode[8] = {0.019855071751231912, 0.10166676129318664, 0.2372337950418355,
                                        0.4082826787521751,   0.5917173212478248,  0.7627662049581645,
                                        0.8983332387068134,   0.9801449282487681};
    static constexpr double kWeight[8] = {0.05061426814518853, 0.11119051722668721, 0.15685332293894344,
                                          0.18134189168918083, 0.18134189168918083, 0.15685332293894344,
                                          0.11119051722668721, 0.05061426814518853};
    double sum = 0.0;
    for (int i = 0; i < 8; ++i) {
      const double s = t * kNode[i];
      sum += kWeight[i] * portable::exp(-alpha * s - 0.5 * s * s);
    }
    return t * sum;
  }

  // t solving narrow_mass(t) = u * narrow_mass(width), by Newton's method.
  double narrow_offset(double u) const {
    const double target = u * narrow_mass(width);
    double t = u * width;
    for (int it = 0; it < 6; ++it) {
      t -= (narrow_mass(t) - target) / portable::exp(-alpha * t - 0.5 * t * t);
      t = std::fmin(std::fmax(t, 0.0), width);
    }
    return t;
  }

  // Paths that are not offset-based.
  double exact_sample_before_flip(double u) const {
    if (straddle) {
      const double p_below = q_below + u * mass;          // P(Z < x)
      const double p_above = q_above + (1.0 - u) * mass;  // P(Z > x)
      if (p_below <= p_above) return -normal_tail_inverse_log(portable::log(p_below), -alpha);
      return normal_tail_inverse_log(portable::log(p_above), beta);
    }
    const double target = log_q_alpha + portable::log1p(u * expm1_d);
    return normal_tail_inverse_log(target, beta);
  }

  double exact_sample(double u) const {
    const double z = exact_sample_before_flip(u);
    return flip ? -z : z;
  }

  // Selects only, no branches: vectorizes. float64: AS 241 in double from the 53-bit u.
  double fast_sample_double(double u) const {
    const double p_below = q_below + u * mass;
    const double p_above = q_above + (1.0 - u) * mass;
    const bool upper = p_above < p_below;
    const double x = normal_tail_inverse_double(upper ? p_above : p_below);
    return upper ? x : -x;
  }

  // 32-bit outputs: all in float, from the word w's u = (w + 1/2) 2^-32 in (0, 1), rounded to
  // float once, and 1 - u = (~w + 1/2) 2^-32 likewise (each exact to a float ulp of itself, so
  // both ends of the interval are resolved to 2^-33, not 2^-24): the tail probabilities in one
  // fused multiply-add each (so p >= the float bound), Giles' inverse. Sixteen lanes a vector
  // where the double version had eight, and about a third of the operations. kNear: the caller
  // has checked fast_near (the same bits as without, fewer operations). Selects only: vectorizes.
  template <bool kNear = false>
  float fast_sample_float(std::uint32_t w) const {
    const float u = unit_open_float(w);
    const float v = unit_open_float(~w);
    const float p_below = fused_multiply_add(u, mass_f, q_below_f);  // P(Z < x)
    const float p_above = fused_multiply_add(v, mass_f, q_above_f);  // P(Z > x)
    const bool upper = p_above < p_below;
    const float x = normal_tail_inverse_fast<!kNear>(upper ? p_above : p_below);
    return upper ? x : -x;
  }

  // (w + 1/2) 2^-32 rounded once to float: (w >> 8) 2^-24 (exact) plus ((w & 255) + 1/2) 2^-32
  // (exact), added in the fused multiply-add's one rounding.
  static float unit_open_float(std::uint32_t w) {
    return fused_multiply_add(to_float_exact(w >> 8), 0x1p-24f, (to_float_exact(w & 255u) + 0.5f) * 0x1p-32f);
  }
};

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
