// Natural logarithms whose every operation is written out (the build sets -ffp-contract=off, so
// the compiler fuses nothing on its own), so every code path and every machine evaluates them
// the same way and gets the same bits. float: a minimax polynomial of this project's own fit, no
// division, in explicit fused multiply-adds (std::fma: one instruction with AVX2, AVX-512 and
// on aarch64, the C library's correctly rounded fmaf on x86-64 CPUs without FMA, the same bits
// everywhere); double: FDLIBM's minimax coefficients in plain multiplies and adds.
#pragma once

#include "../isa_namespace.hpp"

#include <cmath>
#include <cstdint>

#include "bits.hpp"
#include "portable_math.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

// Natural log of a positive normal float; exact reduction x = 2^k * m, m in [sqrt(2)/2, sqrt(2)),
// f = m - 1 (exact), then ln m = log1p(f) = f - f^2/2 + f^3 P(f), P of degree 7 minimax for the
// relative error of log1p on f in [-0.2929, 0.4142] (fitted by Lawson's iteration in double,
// coefficients rounded to float: 2^-27.4 before rounding). Evaluated in float it is within 0.87
// ulp of log1p(f) for every float f there (checked against double on all of them), where the
// atanh series with its division, used before, was within 1.97 ulp. The fused multiply-adds
// (with sincos_quarter's) make the float32 normal kernel 10 % (AVX-512) and 15 % (AVX2) faster
// than the same polynomials in separate multiplies and adds; dropping the division alone gained
// nothing measurable: the kernel is bound by its count of vector operations.
inline float log_positive(float x) {
  std::uint32_t ix = bit_cast<std::uint32_t>(x);
  ix += 0x3F800000u - 0x3F3504F3u;
  const int k = static_cast<int>(ix >> 23) - 0x7F;
  ix = (ix & 0x007FFFFFu) + 0x3F3504F3u;
  const float f = bit_cast<float>(ix) - 1.0f;
  const float z = f * f;
  float p = -0x1.38b5b0p-4f;  // -7.634514570e-02
  p = fused_multiply_add(p, f, 0x1.055b8cp-3f);  //  1.276160181e-01
  p = fused_multiply_add(p, f, -0x1.0d8548p-3f);  // -1.316018701e-01
  p = fused_multiply_add(p, f, 0x1.22da1ap-3f);  //  1.420175582e-01
  p = fused_multiply_add(p, f, -0x1.547244p-3f);  // -1.662335694e-01
  p = fused_multiply_add(p, f, 0x1.99a008p-3f);  //  2.000122666e-01
  p = fused_multiply_add(p, f, -0x1.000228p-2f);  // -2.500082254e-01
  p = fused_multiply_add(p, f, 0x1.555554p-2f);  //  3.333333135e-01
  const float log_m = f + fused_multiply_add(z, f * p, -0.5f * z);
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
  const double w = z * z;
  // ln m = 2 s + s R(z), R FDLIBM's minimax polynomial (e_log.c's Lg1..Lg7, error below 2^-58.45
  // on this range; seven terms where the atanh series needs ten), in two chains in w = z^2.
  using namespace portable::fdlibm;
  const double t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const double t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  const double log_m = 2.0 * s + s * (t2 + t1);
  const double dk = static_cast<double>(static_cast<std::int32_t>(k));
  return dk * kLn2Hi + (dk * kLn2Lo + log_m);
}

// log(u) for u = (w + 1/2) * 2^-32 (float) or ((w >> 11) + (w & 0x7FF) / 2^11 + 2^-12) * 2^-53
// (double), in (0, 1), accurate relative to log(u) everywhere, also where u is close to 1 (the
// small radii of Box-Muller, which a plain log(u) would put on a coarse grid). The lower half
// takes log(t) directly; the upper half writes u = 1 - t with t = complement of the word, exact,
// and takes log1p(-t) = log(y) + (the correction for y = 1 - t rounded; below).
template <class Real, class Word>
inline Real log_unit_open(Word w) {
  constexpr int kBits = static_cast<int>(sizeof(Word) * 8);
  const bool upper = (w >> (kBits - 1)) != 0;
  const Word t_bits = upper ? static_cast<Word>(~w) : w;  // < 2^(kBits - 1)
  Real t;
  if constexpr (sizeof(Word) == 4) {
    t = to_float_exact(t_bits >> 8) * 0x1p-24f + (to_float_exact(t_bits & 0xFFu) + 0.5f) * 0x1p-32f;
  } else {
    t = u53_to_double(t_bits >> 11) * 0x1p-53 +
        (u32_to_double(static_cast<std::uint32_t>(t_bits & 0x7FFu)) + 0.5) * 0x1p-64;
  }
  // Every floating-point operation is evaluated unconditionally and only its result selected:
  // compilers will not speculate an operation that might trap, so arithmetic under a condition
  // would stop the loop vectorizing on instruction sets without masked operations (AVX2).
  const Real one_minus_t = Real(1) - t;
  const Real y = upper ? one_minus_t : t;
  const Real log_y = log_positive(y);
  // Upper half: y = 1 - t rounded, e = (1 - y) - t its rounding error (exact: 1 - y is exact
  // for y in [1/2, 1] and then close to t), and log(1 - t) = log(y) + log(1 + e / y), whose
  // second term is e / y to within (e / y)^2 / 2; e * (2 - y) is e / y to within a relative
  // (1 - y)^2, where e is at most half an ulp of y. In float that is at most 2^-26 absolute
  // (at y = 1/2: 2^-25.5 of log(y), a quarter of an ulp; far less for y near 1; double alike
  // at its precision), and
  // exact where y rounds to 1 (then the result is -t). No division.
  const Real e = (Real(1) - y) - t;
  const Real log1p_neg_t = log_y + e * (Real(2) - y);
  return upper ? log1p_neg_t : log_y;
}

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
