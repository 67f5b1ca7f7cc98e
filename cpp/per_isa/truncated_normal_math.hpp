// The truncated normal's math: the standard normal's upper tail Q(x) = P(Z > x), its inverse,
// and the standard normal restricted to an interval, sampled by inversion.
// The exact path uses the C library's erfc/exp/log/log1p/expm1 (correctly rounded or within an
// ulp on glibc) in double and is not on a SIMD path; the fast path is selects only and vectorizes.
#pragma once

#include "../isa_namespace.hpp"

#include <cmath>

#include "log.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

inline constexpr double kSqrt1_2 = 0.70710678118654752440;
inline constexpr double kLogSqrt2Pi = 0.91893853320467274178;  // log(sqrt(2*pi))

// Mills ratio M(x) = Q(x) / phi(x) for x >= 0.
inline double mills_ratio(double x) {
  if (x < 5.0) {
    return 0.5 * std::erfc(x * kSqrt1_2) * std::exp(0.5 * x * x + kLogSqrt2Pi);
  }
  // Laplace's continued fraction 1/(x+ 1/(x+ 2/(x+ 3/(x+ ...)))), converged to double
  // precision by 60 terms for x >= 5.
  double t = x;
  for (int k = 60; k >= 1; --k) t = x + k / t;
  return 1.0 / t;
}

// log Q(x) for x >= 0, accurate to a few ulp in absolute terms even where Q underflows.
inline double log_normal_tail(double x) {
  if (x < 5.0) return std::log(0.5 * std::erfc(x * kSqrt1_2));
  return -0.5 * x * x - kLogSqrt2Pi + std::log(mills_ratio(x));
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
// scipy.special.ndtri: relative error <= 1.3e-7 (about one float ulp) over that range.
inline float normal_tail_inverse_fast(float q) {
  const float w = -log_positive(4.0f * q * (1.0f - q));
  const float a = w - 2.5f;
  float p1 = 2.81022636e-08f;
  p1 = 3.43273939e-07f + p1 * a;
  p1 = -3.5233877e-06f + p1 * a;
  p1 = -4.39150654e-06f + p1 * a;
  p1 = 0.00021858087f + p1 * a;
  p1 = -0.00125372503f + p1 * a;
  p1 = -0.00417768164f + p1 * a;
  p1 = 0.246640727f + p1 * a;
  p1 = 1.50140941f + p1 * a;
  const float b = std::sqrt(w) - 3.0f;
  float p2 = -0.000200214257f;
  p2 = 0.000100950558f + p2 * b;
  p2 = 0.00134934322f + p2 * b;
  p2 = -0.00367342844f + p2 * b;
  p2 = 0.00573950773f + p2 * b;
  p2 = -0.0076224613f + p2 * b;
  p2 = 0.00943887047f + p2 * b;
  p2 = 1.00167406f + p2 * b;
  p2 = 2.83297682f + p2 * b;
  const float p = w < 5.0f ? p1 : p2;
  return 1.41421356f * (p * (1.0f - 2.0f * q));
}

// One Halley step on Q(x) = q from an estimate x with relative error ~1e-7 (the step cubes it):
// with r = (Q(x) - q) / Q'(x), Q' = -phi, Q'' = x phi, Halley's x - r / (1 - r Q'' / (2 Q')) is
// x - r / (1 + r x / 2).
inline double normal_tail_inverse_refine(double x, double q) {
  const double phi = std::exp(-0.5 * x * x - kLogSqrt2Pi);
  const double r = (0.5 * std::erfc(x * kSqrt1_2) - q) / -phi;
  return x - r / (1.0 + 0.5 * r * x);
}

// The standard normal restricted to [a, b], by inversion of its distribution function from a
// u in (0, 1): one uniform per sample, no rejection, no clipping.
//   Exact path (any bounds): Newton on log Q; for an interval so narrow that differences of
//   tail probabilities cancel, the density integrated directly.
//   Fast path (bounds in [-4.75, 4.75], at least 0.25 apart, which covers initializers' +-2
//   and +-3 sigma; the sample's own tail probability is never below 1e-6 there): the float
//   inverse, optionally refined to double precision.
struct StandardTruncatedNormal {
  double alpha, beta;           // bounds, after the flip below
  double width;                 // beta - alpha, computed from the unstandardized bounds (exact)
  bool flip;                    // sample -Z on [-beta, -alpha] when the interval lies left of 0
  bool straddle;
  bool fast;
  bool narrow;                  // bounds so close that the density is nearly flat between them
  bool far;                     // the interval lies so far out that the tail is exponential there
  double log_q_alpha, expm1_d;  // tail case: log Q(alpha), expm1(log Q(beta) - log Q(alpha))
  double q_below, q_above, mass;  // P(Z < alpha), P(Z > beta), P(alpha < Z < beta)

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
    if (narrow) {
      // nothing to precompute
    } else if (far) {
      expm1_d = std::isinf(w) ? -1.0 : std::expm1(far_log_ratio(w));
    } else if (straddle || fast) {
      q_below = 0.5 * std::erfc(-a * kSqrt1_2);
      q_above = 0.5 * std::erfc(b * kSqrt1_2);
      mass = (1.0 - q_below) - q_above;
    } else {
      log_q_alpha = log_normal_tail(a);
      const double log_q_beta = std::isinf(b) ? -INFINITY : log_normal_tail(b);
      expm1_d = std::expm1(log_q_beta - log_q_alpha);
    }
  }

  // From this distance of the interval's near end (in standard deviations) on, samples are
  // computed as an offset t from that end (the value is then bound + std * t): alpha + t
  // cannot hold t's precision there (alpha 1e30, t 1e-30), and mean + std * z would cancel.
  static constexpr double kFarTail = 16.0;

  // log Q(alpha + t) - log Q(alpha) = -(alpha t + t^2 / 2) + log(M(alpha + t) / M(alpha)), with
  // M the Mills ratio: every term keeps its precision however large alpha is.
  double far_log_ratio(double t) const {
    return -(alpha * t + 0.5 * t * t) + std::log(mills_ratio(alpha + t) / mills_ratio(alpha));
  }

  // t in [0, width] with far_log_ratio(t) = log1p(u * expm1_d), by Newton's method (the ratio's
  // slope is -1 / M(alpha + t)); log Q is concave, so starting right of the root (at the tangent
  // at 0's answer) every step stays right of it and moves left.
  double far_offset(double u) const {
    const double target = std::log1p(u * expm1_d);
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
      sum += kWeight[i] * std::exp(-alpha * s - 0.5 * s * s);
    }
    return t * sum;
  }

  // t solving narrow_mass(t) = u * narrow_mass(width), by Newton's method.
  double narrow_offset(double u) const {
    const double target = u * narrow_mass(width);
    double t = u * width;
    for (int it = 0; it < 6; ++it) {
      t -= (narrow_mass(t) - target) / std::exp(-alpha * t - 0.5 * t * t);
      t = std::fmin(std::fmax(t, 0.0), width);
    }
    return t;
  }

  // Paths that are not offset-based.
  double exact_sample_before_flip(double u) const {
    if (straddle) {
      const double p_below = q_below + u * mass;          // P(Z < x)
      const double p_above = q_above + (1.0 - u) * mass;  // P(Z > x)
      if (p_below <= p_above) return -normal_tail_inverse_log(std::log(p_below), -alpha);
      return normal_tail_inverse_log(std::log(p_above), beta);
    }
    const double target = log_q_alpha + std::log1p(u * expm1_d);
    return normal_tail_inverse_log(target, beta);
  }

  double exact_sample(double u) const {
    const double z = exact_sample_before_flip(u);
    return flip ? -z : z;
  }

  // Selects only, no branches: vectorizes.
  template <bool kDoublePrecision>
  double fast_sample(double u) const {
    const double p_below = q_below + u * mass;
    const double p_above = q_above + (1.0 - u) * mass;
    const bool upper = p_above < p_below;
    const double q = upper ? p_above : p_below;
    double x = static_cast<double>(normal_tail_inverse_fast(static_cast<float>(q)));
    if constexpr (kDoublePrecision) x = normal_tail_inverse_refine(x, q);
    return upper ? x : -x;
  }
};

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
