// exp, log, log1p, expm1 and erfc in double, the same bits on every machine: FDLIBM 5.3's
// algorithms (by way of FreeBSD msun and OpenLibm: src/e_exp.c, e_log.c, s_log1p.c, s_expm1.c,
// s_erf.c), ported to C++ with their constants and their order of operations unchanged. The C
// library's versions differ between platforms in the last bit (glibc on x86-64 and on aarch64
// do), which made truncated normals differ between machines; these use only IEEE additions,
// multiplications, divisions and bit operations, so with no FMA contraction (the build's
// -ffp-contract=off) every compiler and CPU computes the same results. Each is accurate to
// less than one ulp (FDLIBM's error analysis). The ports differ from the originals only in
// not raising floating-point flags and in writing 2^k with unsigned arithmetic.
//
// The FDLIBM code carries this notice, which must be kept with it:
//
//   ====================================================
//   Copyright (C) 1993, 2004 by Sun Microsystems, Inc. All rights reserved.
//
//   Developed at SunSoft, a Sun Microsystems, Inc. business.
//   Permission to use, copy, modify, and distribute this
//   software is freely granted, provided that this notice
//   is preserved.
//   ====================================================
#pragma once

#include "../isa_namespace.hpp"

#include <cstdint>
#include <limits>

#include "bits.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {
namespace portable {

namespace fdlibm {

inline std::int32_t high_word(double x) {
  return bit_cast<std::int32_t>(static_cast<std::uint32_t>(bit_cast<std::uint64_t>(x) >> 32));
}
inline std::uint32_t low_word(double x) { return static_cast<std::uint32_t>(bit_cast<std::uint64_t>(x)); }
inline double from_words(std::uint32_t hi, std::uint32_t lo) { return bit_cast<double>(join64(lo, hi)); }
inline double with_high_word(double x, std::uint32_t hi) { return from_words(hi, low_word(x)); }
inline double with_low_word(double x, std::uint32_t lo) {
  return from_words(static_cast<std::uint32_t>(high_word(x)), lo);
}
// 2^k for -1022 <= k <= 1023.
inline double two_to(int k) { return from_words(static_cast<std::uint32_t>(0x3ff + k) << 20, 0); }

inline constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 0x3fe62e42 fee00000
inline constexpr double kLn2Lo = 1.90821492927058770002e-10;  // 0x3dea39ef 35793c76
inline constexpr double kInvLn2 = 1.44269504088896338700e+00;  // 0x3ff71547 652b82fe
inline constexpr double kTwo54 = 1.80143985094819840000e+16;  // 0x43500000 00000000
// e_log.c's Lg1..Lg7, the minimax polynomial of log's reduced argument; s_log1p.c's Lp1..Lp7
// are the same numbers (FDLIBM writes them out twice). Also log.hpp's double log_positive.
inline constexpr double kLg1 = 6.666666666666735130e-01;  // 3FE55555 55555593
inline constexpr double kLg2 = 3.999999999940941908e-01;  // 3FD99999 9997FA04
inline constexpr double kLg3 = 2.857142874366239149e-01;  // 3FD24924 94229359
inline constexpr double kLg4 = 2.222219843214978396e-01;  // 3FCC71C5 1D8E78AF
inline constexpr double kLg5 = 1.818357216161805012e-01;  // 3FC74664 96CB03DE
inline constexpr double kLg6 = 1.531383769920937332e-01;  // 3FC39A09 D078C69F
inline constexpr double kLg7 = 1.479819860511658591e-01;  // 3FC2F112 DF3E5244

}  // namespace fdlibm

// e_exp.c
inline double exp(double x) {
  using namespace fdlibm;
  constexpr double kOverflow = 7.09782712893383973096e+02;   // 0x40862E42 FEFA39EF
  constexpr double kUnderflow = -7.45133219101941108420e+02;  // 0xc0874910 D52D3051
  constexpr double kP1 = 1.66666666666666019037e-01;   // 0x3FC55555 5555553E
  constexpr double kP2 = -2.77777777770155933842e-03;  // 0xBF66C16C 16BEBD93
  constexpr double kP3 = 6.61375632143793436117e-05;   // 0x3F11566A AF25DE2C
  constexpr double kP4 = -1.65339022054652515390e-06;  // 0xBEBBBD41 C5D26BF1
  constexpr double kP5 = 4.13813679705723846039e-08;   // 0x3E663769 72BEA4D0
  constexpr double kTwoM1000 = 9.33263618503218878990e-302;  // 2^-1000
  const double ln2_hi[2] = {kLn2Hi, -kLn2Hi};
  const double ln2_lo[2] = {kLn2Lo, -kLn2Lo};
  const double half[2] = {0.5, -0.5};

  std::uint32_t hx = static_cast<std::uint32_t>(high_word(x));
  const int xsb = static_cast<int>((hx >> 31) & 1);
  hx &= 0x7fffffff;
  if (hx >= 0x40862E42) {  // |x| >= 709.78...
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | low_word(x)) != 0) return x + x;  // NaN
      return xsb == 0 ? x : 0.0;                              // exp(+-inf) = {inf, 0}
    }
    if (x > kOverflow) return std::numeric_limits<double>::infinity();
    if (x < kUnderflow) return 0.0;
  }
  // FDLIBM's exp(1.0) would be 2.7182818284590455; msun returns the nearer value.
  if (x == 1.0) return 2.718281828459045235360;

  double hi = 0.0, lo = 0.0;
  int k = 0;
  if (hx > 0x3fd62e42) {    // |x| > 0.5 ln2
    if (hx < 0x3FF0A2B2) {  // and |x| < 1.5 ln2
      hi = x - ln2_hi[xsb];
      lo = ln2_lo[xsb];
      k = 1 - xsb - xsb;
    } else {
      k = static_cast<int>(kInvLn2 * x + half[xsb]);
      const double t = k;
      hi = x - t * ln2_hi[0];  // t * ln2_hi is exact here
      lo = t * ln2_lo[0];
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {  // |x| < 2^-28
    return 1.0 + x;
  }

  const double t = x * x;
  const double c = x - t * (kP1 + t * (kP2 + t * (kP3 + t * (kP4 + t * kP5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * 0x1p1023;
    return y * two_to(k);
  }
  return y * two_to(k + 1000) * kTwoM1000;
}

// e_log.c
inline double log(double x) {
  using namespace fdlibm;
  std::int32_t hx = high_word(x);
  const std::uint32_t lx = low_word(x);
  int k = 0;
  if (hx < 0x00100000) {  // x < 2^-1022
    if (((hx & 0x7fffffff) | lx) == 0) return -std::numeric_limits<double>::infinity();  // log(+-0)
    if (hx < 0) return std::numeric_limits<double>::quiet_NaN();  // log(-#)
    k -= 54;
    x *= kTwo54;  // subnormal: scale up
    hx = high_word(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  std::int32_t i = (hx + 0x95f64) & 0x100000;
  x = with_high_word(x, static_cast<std::uint32_t>(hx | (i ^ 0x3ff00000)));  // normalize x or x/2
  k += (i >> 20);
  const double f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) {  // -2^-20 <= f < 2^-20
    if (f == 0.0) {
      if (k == 0) return 0.0;
      const double dk = k;
      return dk * kLn2Hi + dk * kLn2Lo;
    }
    const double r = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - r;
    const double dk = k;
    return dk * kLn2Hi - ((r - dk * kLn2Lo) - f);
  }
  const double s = f / (2.0 + f);
  const double dk = k;
  const double z = s * s;
  i = hx - 0x6147a;
  const double w = z * z;
  const std::int32_t j = 0x6b851 - hx;
  const double t1 = w * (kLg2 + w * (kLg4 + w * kLg6));
  const double t2 = z * (kLg1 + w * (kLg3 + w * (kLg5 + w * kLg7)));
  i |= j;
  const double r = t2 + t1;
  if (i > 0) {
    const double hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + r));
    return dk * kLn2Hi - ((hfsq - (s * (hfsq + r) + dk * kLn2Lo)) - f);
  }
  if (k == 0) return f - s * (f - r);
  return dk * kLn2Hi - ((s * (f - r) - dk * kLn2Lo) - f);
}

// s_log1p.c
inline double log1p(double x) {
  using namespace fdlibm;
  const std::int32_t hx = high_word(x);
  const std::int32_t ax = hx & 0x7fffffff;
  double f = 0.0, c = 0.0;
  std::int32_t hu = 0;
  int k = 1;
  if (hx < 0x3FDA827A) {      // 1 + x < sqrt(2)+
    if (ax >= 0x3ff00000) {   // x <= -1.0
      if (x == -1.0) return -std::numeric_limits<double>::infinity();
      return std::numeric_limits<double>::quiet_NaN();
    }
    if (ax < 0x3e200000) {             // |x| < 2^-29
      if (ax < 0x3c900000) return x;   // |x| < 2^-54
      return x - x * x * 0.5;
    }
    if (hx > 0 || hx <= bit_cast<std::int32_t>(0xbfd2bec4u)) {  // sqrt(2)/2- <= 1 + x < sqrt(2)+
      k = 0;
      f = x;
      hu = 1;
    }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k != 0) {
    double u;
    if (hx < 0x43400000) {
      u = 1.0 + x;
      hu = high_word(u);
      k = (hu >> 20) - 1023;
      c = (k > 0) ? 1.0 - (u - x) : x - (u - 1.0);  // correction term
      c /= u;
    } else {
      u = x;
      hu = high_word(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    // The approximation to sqrt(2) used in thresholds is not critical. However, the ones used
    // above must give less strict bounds than the one here so that the k == 0 case is never
    // reached from here, since here we have committed to using the correction term but don't
    // use it if k == 0.
    if (hu < 0x6a09e) {  // u ~< sqrt(2)
      u = with_high_word(u, static_cast<std::uint32_t>(hu | 0x3ff00000));  // normalize u
    } else {
      k += 1;
      u = with_high_word(u, static_cast<std::uint32_t>(hu | 0x3fe00000));  // normalize u/2
      hu = (0x00100000 - hu) >> 2;
    }
    f = u - 1.0;
  }
  const double hfsq = 0.5 * f * f;
  const double dk = k;
  if (hu == 0) {  // |f| < 2^-20
    if (f == 0.0) {
      if (k == 0) return 0.0;
      c += dk * kLn2Lo;
      return dk * kLn2Hi + c;
    }
    const double r = hfsq * (1.0 - 0.66666666666666666 * f);
    if (k == 0) return f - r;
    return dk * kLn2Hi - ((r - (dk * kLn2Lo + c)) - f);
  }
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double r = z * (kLg1 + z * (kLg2 + z * (kLg3 + z * (kLg4 + z * (kLg5 + z * (kLg6 + z * kLg7))))));
  if (k == 0) return f - (hfsq - s * (hfsq + r));
  return dk * kLn2Hi - ((hfsq - (s * (hfsq + r) + (dk * kLn2Lo + c))) - f);
}

// s_expm1.c
inline double expm1(double x) {
  using namespace fdlibm;
  constexpr double kOverflow = 7.09782712893383973096e+02;  // 0x40862E42 FEFA39EF
  // Scaled Q's: Qn_here = 2^n * Qn_above, for R(2 z) where z = hxs = x * x / 2.
  constexpr double kQ1 = -3.33333333333331316428e-02;  // BFA11111 111110F4
  constexpr double kQ2 = 1.58730158725481460165e-03;   // 3F5A01A0 19FE5585
  constexpr double kQ3 = -7.93650757867487942473e-05;  // BF14CE19 9EAADBB7
  constexpr double kQ4 = 4.00821782732936239552e-06;   // 3ED0CFCA 86E65239
  constexpr double kQ5 = -2.01099218183624371326e-07;  // BE8AFDB7 6E09C32D

  std::uint32_t hx = static_cast<std::uint32_t>(high_word(x));
  const std::uint32_t xsb = hx & 0x80000000u;
  hx &= 0x7fffffff;
  if (hx >= 0x4043687A) {    // |x| >= 56 ln2
    if (hx >= 0x40862E42) {  // |x| >= 709.78...
      if (hx >= 0x7ff00000) {
        if (((hx & 0xfffff) | low_word(x)) != 0) return x + x;  // NaN
        return xsb == 0 ? x : -1.0;                             // exp(+-inf) - 1 = {inf, -1}
      }
      if (x > kOverflow) return std::numeric_limits<double>::infinity();
    }
    if (xsb != 0) return -1.0;  // x < -56 ln2
  }

  double hi = 0.0, lo = 0.0, c = 0.0;
  int k = 0;
  if (hx > 0x3fd62e42) {    // |x| > 0.5 ln2
    if (hx < 0x3FF0A2B2) {  // and |x| < 1.5 ln2
      if (xsb == 0) {
        hi = x - kLn2Hi;
        lo = kLn2Lo;
        k = 1;
      } else {
        hi = x + kLn2Hi;
        lo = -kLn2Lo;
        k = -1;
      }
    } else {
      k = static_cast<int>(kInvLn2 * x + ((xsb == 0) ? 0.5 : -0.5));
      const double t = k;
      hi = x - t * kLn2Hi;  // t * ln2_hi is exact here
      lo = t * kLn2Lo;
    }
    x = hi - lo;
    c = (hi - x) - lo;
  } else if (hx < 0x3c900000) {  // |x| < 2^-54
    return x;
  }

  const double hfx = 0.5 * x;
  const double hxs = x * hfx;
  const double r1 = 1.0 + hxs * (kQ1 + hxs * (kQ2 + hxs * (kQ3 + hxs * (kQ4 + hxs * kQ5))));
  double t = 3.0 - r1 * hfx;
  double e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k == 0) return x - (x * e - hxs);  // c is 0
  e = (x * (e - c) - c);
  e -= hxs;
  if (k == -1) return 0.5 * (x - e) - 0.5;
  if (k == 1) {
    if (x < -0.25) return -2.0 * (e - (x + 0.5));
    return 1.0 + 2.0 * (x - e);
  }
  double y;
  if (k <= -2 || k > 56) {  // suffice to return exp(x) - 1
    y = 1.0 - (e - x);
    if (k == 1024) {
      y = y * 2.0 * 0x1p1023;
    } else {
      y = y * two_to(k);
    }
    return y - 1.0;
  }
  if (k < 20) {
    t = from_words(0x3ff00000u - (0x200000u >> k), 0);  // 1 - 2^-k
    y = t - (e - x);
    y = y * two_to(k);
  } else {
    t = from_words(static_cast<std::uint32_t>(0x3ff - k) << 20, 0);  // 2^-k
    y = x - (e + t);
    y += 1.0;
    y = y * two_to(k);
  }
  return y;
}

// s_erf.c (erfc only)
inline double erfc(double x) {
  using namespace fdlibm;
  constexpr double kErx = 8.45062911510467529297e-01;  // 0x3FEB0AC1 60000000
  // erf on [0, 0.84375]
  constexpr double kPp0 = 1.28379167095512558561e-01;   // 0x3FC06EBA 8214DB68
  constexpr double kPp1 = -3.25042107247001499370e-01;  // 0xBFD4CD7D 691CB913
  constexpr double kPp2 = -2.84817495755985104766e-02;  // 0xBF9D2A51 DBD7194F
  constexpr double kPp3 = -5.77027029648944159157e-03;  // 0xBF77A291 236668E4
  constexpr double kPp4 = -2.37630166566501626084e-05;  // 0xBEF8EAD6 120016AC
  constexpr double kQq1 = 3.97917223959155352819e-01;   // 0x3FD97779 CDDADC09
  constexpr double kQq2 = 6.50222499887672944485e-02;   // 0x3FB0A54C 5536CEBA
  constexpr double kQq3 = 5.08130628187576562776e-03;   // 0x3F74D022 C4D36B0F
  constexpr double kQq4 = 1.32494738004321644526e-04;   // 0x3F215DC9 221C1A10
  constexpr double kQq5 = -3.96022827877536812320e-06;  // 0xBED09C43 42A26120
  // erf in [0.84375, 1.25]
  constexpr double kPa0 = -2.36211856075265944077e-03;  // 0xBF6359B8 BEF77538
  constexpr double kPa1 = 4.14856118683748331666e-01;   // 0x3FDA8D00 AD92B34D
  constexpr double kPa2 = -3.72207876035701323847e-01;  // 0xBFD7D240 FBB8C3F1
  constexpr double kPa3 = 3.18346619901161753674e-01;   // 0x3FD45FCA 805120E4
  constexpr double kPa4 = -1.10894694282396677476e-01;  // 0xBFBC6398 3D3E28EC
  constexpr double kPa5 = 3.54783043256182359371e-02;   // 0x3FA22A36 599795EB
  constexpr double kPa6 = -2.16637559486879084300e-03;  // 0xBF61BF38 0A96073F
  constexpr double kQa1 = 1.06420880400844228286e-01;   // 0x3FBB3E66 18EEE323
  constexpr double kQa2 = 5.40397917702171048937e-01;   // 0x3FE14AF0 92EB6F33
  constexpr double kQa3 = 7.18286544141962662868e-02;   // 0x3FB2635C D99FE9A7
  constexpr double kQa4 = 1.26171219808761642112e-01;   // 0x3FC02660 E763351F
  constexpr double kQa5 = 1.36370839120290507362e-02;   // 0x3F8BEDC2 6B51DD1C
  constexpr double kQa6 = 1.19844998467991074170e-02;   // 0x3F888B54 5735151D
  // erfc in [1.25, 1/0.35]
  constexpr double kRa0 = -9.86494403484714822705e-03;  // 0xBF843412 600D6435
  constexpr double kRa1 = -6.93858572707181764372e-01;  // 0xBFE63416 E4BA7360
  constexpr double kRa2 = -1.05586262253232909814e+01;  // 0xC0251E04 41B0E726
  constexpr double kRa3 = -6.23753324503260060396e+01;  // 0xC04F300A E4CBA38D
  constexpr double kRa4 = -1.62396669462573470355e+02;  // 0xC0644CB1 84282266
  constexpr double kRa5 = -1.84605092906711035994e+02;  // 0xC067135C EBCCABB2
  constexpr double kRa6 = -8.12874355063065934246e+01;  // 0xC0545265 57E4D2F2
  constexpr double kRa7 = -9.81432934416914548592e+00;  // 0xC023A0EF C69AC25C
  constexpr double kSa1 = 1.96512716674392571292e+01;   // 0x4033A6B9 BD707687
  constexpr double kSa2 = 1.37657754143519042600e+02;   // 0x4061350C 526AE721
  constexpr double kSa3 = 4.34565877475229228821e+02;   // 0x407B290D D58A1A71
  constexpr double kSa4 = 6.45387271733267880336e+02;   // 0x40842B19 21EC2868
  constexpr double kSa5 = 4.29008140027567833386e+02;   // 0x407AD021 57700314
  constexpr double kSa6 = 1.08635005541779435134e+02;   // 0x405B28A3 EE48AE2C
  constexpr double kSa7 = 6.57024977031928170135e+00;   // 0x401A47EF 8E484A93
  constexpr double kSa8 = -6.04244152148580987438e-02;  // 0xBFAEEFF2 EE749A62
  // erfc in [1/0.35, 28]
  constexpr double kRb0 = -9.86494292470009928597e-03;  // 0xBF843412 39E86F4A
  constexpr double kRb1 = -7.99283237680523006574e-01;  // 0xBFE993BA 70C285DE
  constexpr double kRb2 = -1.77579549177547519889e+01;  // 0xC031C209 555F995A
  constexpr double kRb3 = -1.60636384855821916062e+02;  // 0xC064145D 43C5ED98
  constexpr double kRb4 = -6.37566443368389627722e+02;  // 0xC083EC88 1375F228
  constexpr double kRb5 = -1.02509513161107724954e+03;  // 0xC0900461 6A2E5992
  constexpr double kRb6 = -4.83519191608651397019e+02;  // 0xC07E384E 9BDC383F
  constexpr double kSb1 = 3.03380607434824582924e+01;   // 0x403E568B 261D5190
  constexpr double kSb2 = 3.25792512996573918826e+02;   // 0x40745CAE 221B9F0A
  constexpr double kSb3 = 1.53672958608443695994e+03;   // 0x409802EB 189D5118
  constexpr double kSb4 = 3.19985821950859553908e+03;   // 0x40A8FFB7 688C246A
  constexpr double kSb5 = 2.55305040643316442583e+03;   // 0x40A3F219 CEDF3BE6
  constexpr double kSb6 = 4.74528541206955367215e+02;   // 0x407DA874 E79FE763
  constexpr double kSb7 = -2.24409524465858183362e+01;  // 0xC03670E2 42712D62

  const std::int32_t hx = high_word(x);
  const std::int32_t ix = hx & 0x7fffffff;
  if (ix >= 0x7ff00000) {  // erfc(nan) = nan, erfc(+-inf) = 0, 2
    return static_cast<double>((static_cast<std::uint32_t>(hx) >> 31) << 1) + 1.0 / x;
  }
  if (ix < 0x3feb0000) {                // |x| < 0.84375
    if (ix < 0x3c700000) return 1.0 - x;  // |x| < 2^-56
    const double z = x * x;
    const double r = kPp0 + z * (kPp1 + z * (kPp2 + z * (kPp3 + z * kPp4)));
    const double s = 1.0 + z * (kQq1 + z * (kQq2 + z * (kQq3 + z * (kQq4 + z * kQq5))));
    const double y = r / s;
    if (hx < 0x3fd00000) return 1.0 - (x + x * y);  // x < 1/4
    double rr = x * y;
    rr += (x - 0.5);
    return 0.5 - rr;
  }
  if (ix < 0x3ff40000) {  // 0.84375 <= |x| < 1.25
    const double s = (x < 0.0 ? -x : x) - 1.0;
    const double p = kPa0 + s * (kPa1 + s * (kPa2 + s * (kPa3 + s * (kPa4 + s * (kPa5 + s * kPa6)))));
    const double q = 1.0 + s * (kQa1 + s * (kQa2 + s * (kQa3 + s * (kQa4 + s * (kQa5 + s * kQa6)))));
    if (hx >= 0) return (1.0 - kErx) - p / q;
    return 1.0 + (kErx + p / q);
  }
  if (ix < 0x403c0000) {  // |x| < 28
    if (x < 0.0) x = -x;
    const double s = 1.0 / (x * x);
    double r, ss;
    if (ix < 0x4006DB6D) {  // |x| < 1/0.35 ~ 2.857143
      r = kRa0 + s * (kRa1 + s * (kRa2 + s * (kRa3 + s * (kRa4 + s * (kRa5 + s * (kRa6 + s * kRa7))))));
      ss = 1.0 + s * (kSa1 + s * (kSa2 + s * (kSa3 + s * (kSa4 + s * (kSa5 + s * (kSa6 + s * (kSa7 + s * kSa8)))))));
    } else {  // |x| >= 1/0.35 ~ 2.857143
      if (hx < 0 && ix >= 0x40180000) return 2.0;  // x < -6
      r = kRb0 + s * (kRb1 + s * (kRb2 + s * (kRb3 + s * (kRb4 + s * (kRb5 + s * kRb6)))));
      ss = 1.0 + s * (kSb1 + s * (kSb2 + s * (kSb3 + s * (kSb4 + s * (kSb5 + s * (kSb6 + s * kSb7))))));
    }
    const double z = with_low_word(x, 0);
    const double e = exp(-z * z - 0.5625) * exp((z - x) * (z + x) + r / ss);
    if (hx > 0) return e / x;
    return 2.0 - e / x;
  }
  if (hx > 0) return 0.0;  // underflow
  return 2.0;
}

}  // namespace portable
}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
