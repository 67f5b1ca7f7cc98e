// Cosine and sine of a fraction of a turn given as a word (Box-Muller's angle). As for log.hpp's
// logarithms: every operation written out, so every code path and every machine gets the same
// bits. float: minimax coefficients of this project's own fit, in explicit fused multiply-adds
// (std::fma; see log.hpp); double: Taylor series terms (checkable by eye) in multiplies and adds.
#pragma once

#include "../isa_namespace.hpp"

#include <cmath>
#include <cstdint>

#include "bits.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

// sin and cos of x, |x| <= pi/4: sin x = x + x z S(z), cos x = 1 + z C(z), z = x^2, S and C
// of degree 2 and 3 minimax for the relative error (fitted by Lawson's iteration in double:
// 2^-28 and 2^-33; the coefficients agree with Cephes' sinf/cosf to their printed digits).
// Evaluated in float, for every x sincos_turn passes: sin within 0.81 ulp, cos within 1.12 ulp
// (the Taylor polynomials used before, each one term longer: 0.72 and 1.12).
inline void sincos_quarter(float x, float& s, float& c) {
  const float z = x * x;
  float ps = -0x1.9943e6p-13f;  // -1.951528684e-04
  ps = fused_multiply_add(ps, z, 0x1.11073cp-7f);  //  8.332161233e-03
  ps = fused_multiply_add(ps, z, -0x1.555546p-3f);  // -1.666665524e-01
  s = fused_multiply_add(x, z * ps, x);
  float pc = 0x1.99eb9cp-16f;    //  2.443315680e-05
  pc = fused_multiply_add(pc, z, -0x1.6c0c34p-10f);  // -1.388731645e-03
  pc = fused_multiply_add(pc, z, 0x1.55554ap-5f);   //  4.166664556e-02
  pc = fused_multiply_add(pc, z, -0.5f);
  c = fused_multiply_add(z, pc, 1.0f);
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

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
