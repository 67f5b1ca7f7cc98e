// The standard normal's upper tail Q(x) = P(Z > x) and its inverse, for the truncated normal.
// These use the C library's erfc/exp/log/log1p/expm1 (correctly rounded or within an ulp on
// glibc); the truncated normal is computed in double and is not on a SIMD path.
#pragma once

#include "../isa_namespace.hpp"

#include <cmath>

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

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
