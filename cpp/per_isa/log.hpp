// Natural logarithms, polynomials written as plain multiplies and adds (the build sets
// -ffp-contract=off), so every code path and every machine evaluates them the same way and gets
// the same bits. float: the atanh series' terms, which need no fitting and can be checked by eye;
// double: FDLIBM's minimax coefficients (fewer terms for the same accuracy).
#pragma once

#include "../isa_namespace.hpp"

#include <cstdint>

#include "bits.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

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
  const double w = z * z;
  // ln m = 2 s + s R(z), R FDLIBM's minimax polynomial (e_log.c's Lg1..Lg7, error below 2^-58.45
  // on this range; seven terms where the atanh series needs ten), in two chains in w = z^2.
  const double t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
  const double t2 = z * (6.666666666666735130e-01 + w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
  const double log_m = 2.0 * s + s * (t2 + t1);
  const double dk = static_cast<double>(static_cast<std::int32_t>(k));
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 0x3FE62E42FEE00000
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  return dk * kLn2Hi + (dk * kLn2Lo + log_m);
}

// log(u) for u = (w + 1/2) * 2^-32 (float) or ((w >> 11) + (w & 0x7FF) / 2^11 + 2^-12) * 2^-53
// (double), in (0, 1), accurate relative to log(u) everywhere, also where u is close to 1 (the
// small radii of Box-Muller, which a plain log(u) would put on a coarse grid). The lower half
// takes log(t) directly; the upper half writes u = 1 - t with t = complement of the word, exact,
// and takes log1p(-t) = log(y) * (-t / (y - 1)), y = 1 - t rounded (Goldberg's log1p).
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
  const Real d = y - Real(1);  // exact; 0 only where 1 - t rounds to 1
  const Real ratio = log_y / (d == Real(0) ? Real(1) : d);
  const Real log1p_neg_t_rounded = -t * ratio;
  const Real log1p_neg_t = d == Real(0) ? -t : log1p_neg_t_rounded;
  return upper ? log1p_neg_t : log_y;
}

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
