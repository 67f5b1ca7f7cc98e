// Elementary functions for turning random bits into samples: log on (0, 1], sin/cos on a
// quarter turn, and the standard-normal tail function for the truncated normal.
//
// log and sincos are this project's own polynomials, written as plain multiplies and adds
// (the build sets -ffp-contract=off), so every code path and every machine evaluates them
// the same way and gets the same bits. Coefficients are the Taylor/atanh series terms,
// which need no fitting and can be checked by eye.
#pragma once

#include "../isa_namespace.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

template <class To, class From>
inline To bit_cast(const From& from) {
  static_assert(sizeof(To) == sizeof(From));
  To to;
  std::memcpy(&to, &from, sizeof(To));
  return to;
}

// Exact integer-to-floating conversions written with 32-bit conversions and exponent-field
// tricks only, so every instruction set vectorizes them (AVX2 has no 64-bit int -> double).
inline float to_float_exact(std::uint32_t x_below_2_24) {
  return static_cast<float>(static_cast<std::int32_t>(x_below_2_24));
}
inline double u32_to_double(std::uint32_t x) {  // 2^52 + x, minus 2^52: exact
  return bit_cast<double>(0x4330000000000000ull | x) - 4503599627370496.0;
}
inline double u53_to_double(std::uint64_t x) {  // x < 2^53
  return static_cast<double>(static_cast<std::int32_t>(x >> 32)) * 4294967296.0 +
         u32_to_double(static_cast<std::uint32_t>(x));
}
inline double i54_to_double(std::int64_t x) {  // -2^53 <= x < 2^53
  return static_cast<double>(static_cast<std::int32_t>(x >> 32)) * 4294967296.0 +
         u32_to_double(static_cast<std::uint32_t>(x));
}

// Natural log of a positive normal float; exact reduction x = 2^k * m, m in [sqrt(2)/2, sqrt(2)),
// then ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716.
inline float log_positive(float x) {
  std::uint32_t ix = bit_cast<std::uint32_t>(x);
  ix += 0x3F800000u - 0x3F3504F3u;
  const int k = static_cast<int>(ix >> 23) - 0x7F;
  ix = (ix & 0x007FFFFFu) + 0x3F3504F3u;
  const float f = bit_cast<float>(ix) - 1.0f;
  const float s = f / (2.0f + f);
  const float z = s * s;
  float p = 1.0f / 9.0f;
  p = p * z + 1.0f / 7.0f;
  p = p * z + 1.0f / 5.0f;
  p = p * z + 1.0f / 3.0f;
  const float log_m = 2.0f * s + 2.0f * s * (z * p);
  const float fk = static_cast<float>(static_cast<std::int32_t>(k));
  // ln 2 split so that fk * kLn2Hi is exact for |k| < 2^8.
  constexpr float kLn2Hi = 0.693145751953125f;
  constexpr float kLn2Lo = 1.428606765330187045e-06f;
  return fk * kLn2Hi + (fk * kLn2Lo + log_m);
}

inline double log_positive(double x) {
  std::uint64_t ix = bit_cast<std::uint64_t>(x);
  ix += 0x3FF0000000000000ull - 0x3FE6A09E667F3BCDull;
  const int k = static_cast<int>(ix >> 52) - 0x3FF;
  ix = (ix & 0x000FFFFFFFFFFFFFull) + 0x3FE6A09E667F3BCDull;
  const double f = bit_cast<double>(ix) - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  double p = 1.0 / 21.0;
  p = p * z + 1.0 / 19.0;
  p = p * z + 1.0 / 17.0;
  p = p * z + 1.0 / 15.0;
  p = p * z + 1.0 / 13.0;
  p = p * z + 1.0 / 11.0;
  p = p * z + 1.0 / 9.0;
  p = p * z + 1.0 / 7.0;
  p = p * z + 1.0 / 5.0;
  p = p * z + 1.0 / 3.0;
  const double log_m = 2.0 * s + 2.0 * s * (z * p);
  const double dk = static_cast<double>(static_cast<std::int32_t>(k));
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 0x3FE62E42FEE00000
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  return dk * kLn2Hi + (dk * kLn2Lo + log_m);
}

// sin and cos of x, |x| <= pi/4, by their Taylor series (truncation error below half an ulp).
inline void sincos_quarter(float x, float& s, float& c) {
  const float z = x * x;
  float ps = 1.0f / 362880.0f;
  ps = ps * z - 1.0f / 5040.0f;
  ps = ps * z + 1.0f / 120.0f;
  ps = ps * z - 1.0f / 6.0f;
  s = x + x * (z * ps);
  float pc = -1.0f / 3628800.0f;
  pc = pc * z + 1.0f / 40320.0f;
  pc = pc * z - 1.0f / 720.0f;
  pc = pc * z + 1.0f / 24.0f;
  pc = pc * z - 0.5f;
  c = 1.0f + z * pc;
}

inline void sincos_quarter(double x, double& s, double& c) {
  const double z = x * x;
  double ps = 1.0 / 355687428096000.0;  // 1/17!
  ps = ps * z - 1.0 / 1307674368000.0;  // 1/15!
  ps = ps * z + 1.0 / 6227020800.0;     // 1/13!
  ps = ps * z - 1.0 / 39916800.0;       // 1/11!
  ps = ps * z + 1.0 / 362880.0;
  ps = ps * z - 1.0 / 5040.0;
  ps = ps * z + 1.0 / 120.0;
  ps = ps * z - 1.0 / 6.0;
  s = x + x * (z * ps);
  double pc = 1.0 / 20922789888000.0;  // 1/16!
  pc = pc * z - 1.0 / 87178291200.0;   // 1/14!
  pc = pc * z + 1.0 / 479001600.0;     // 1/12!
  pc = pc * z - 1.0 / 3628800.0;
  pc = pc * z + 1.0 / 40320.0;
  pc = pc * z - 1.0 / 720.0;
  pc = pc * z + 1.0 / 24.0;
  pc = pc * z - 0.5;
  c = 1.0 + z * pc;
}

// cos and sin of 2*pi*w/2^32 (float) or 2*pi*w/2^64 (double). The quadrant comes from the
// top bits of w exactly, so only a quarter turn is ever evaluated by polynomial; the quadrant's
// swaps and sign flips are selects (exact), so vectorized loops compute the same bits.
template <class Real, class Word>
inline void rotate_quadrant(Word q, Real sx, Real cx, Real& c, Real& s) {
  const bool odd = (q & 1u) != 0;
  const Real cc = odd ? sx : cx;
  const Real ss = odd ? cx : sx;
  const bool neg_c = ((q + 1u) & 2u) != 0;  // quadrants 1 and 2
  const bool neg_s = (q & 2u) != 0;         // quadrants 2 and 3
  c = neg_c ? -cc : cc;
  s = neg_s ? -ss : ss;
}

inline void sincos_turn(std::uint32_t w, float& c, float& s) {
  const std::uint32_t q = (w + 0x20000000u) >> 30;
  const std::int32_t r = static_cast<std::int32_t>(w - (q << 30));  // [-2^29, 2^29)
  const float x = static_cast<float>(r >> 6) * static_cast<float>(6.283185307179586 / 67108864.0);
  float sx, cx;
  sincos_quarter(x, sx, cx);
  rotate_quadrant(q, sx, cx, c, s);
}

inline void sincos_turn(std::uint64_t w, double& c, double& s) {
  const std::uint64_t q = (w + (1ull << 61)) >> 62;
  const std::int64_t r = static_cast<std::int64_t>(w - (q << 62));  // [-2^61, 2^61)
  const double x = i54_to_double(r >> 8) * (6.283185307179586 / 72057594037927936.0);
  double sx, cx;
  sincos_quarter(x, sx, cx);
  rotate_quadrant(q, sx, cx, c, s);
}

// ---- The standard normal's upper tail Q(x) = P(Z > x), for the truncated normal. ----
// These use the C library's erfc/exp/log/log1p/expm1 (correctly rounded or within an ulp on
// glibc); the truncated normal is computed in double and is not on a SIMD path.

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
