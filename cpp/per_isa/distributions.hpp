// Distributions: how Philox4x32 blocks become samples.
//
// Blocks come in groups of kLanes = 16 consecutive blocks (block 16g + i is lane i of group g).
// A group of 64 32-bit words makes 64 samples at 32-bit precision (float32, float16, bfloat16:
// sample r of the group is word r / 16 of lane r % 16) or 32 samples at 64-bit precision
// (float64: sample r is 64-bit word r / 16, i.e. words 2(r/16) and 2(r/16)+1 low first, of lane
// r % 16). So the sample at stream position p is a function of one block and a slot in it
// (invariant 1), and a whole group is 4 (or 2) contiguous vectors of 16 lanes: SIMD-friendly.
//
// Box-Muller pairs slots (0, 1) and (2, 3) of a lane (float64: its two 64-bit words): the
// cosine goes to the even slot's sample, the sine to the odd slot's.
// Low-precision outputs are sampled in float32 and rounded once (round-to-nearest-even).
#pragma once

#include "../isa_namespace.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "bits.hpp"
#include "log.hpp"
#include "low_precision.hpp"
#include "sincos.hpp"
#include "truncated_normal_math.hpp"
#include "unit_interval.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

using Block = std::array<std::uint32_t, 4>;

// Box-Muller: one (0,1) word for the radius, one word for the angle, two independent normals.
template <class Real, class Word>
inline void box_muller(Word w_radius, Word w_angle, Real& z0, Real& z1) {
  const Real r = std::sqrt(Real(-2) * log_unit_open<Real>(w_radius));
  Real c, s;
  sincos_turn(w_angle, c, s);
  z0 = r * c;
  z1 = r * s;
}

inline constexpr int kLanes = 16;

template <class Real> struct Precision;
template <> struct Precision<float> {
  using Word = std::uint32_t;
  static constexpr int slots = 4;  // samples per block
  static Word word(const Block& b, int slot) { return b[slot]; }
  static Word lane_word(const std::uint32_t (&x)[4][kLanes], int slot, int i) { return x[slot][i]; }
};
template <> struct Precision<double> {
  using Word = std::uint64_t;
  static constexpr int slots = 2;
  static Word word(const Block& b, int slot) { return join64(b[2 * slot], b[2 * slot + 1]); }
  static Word lane_word(const std::uint32_t (&x)[4][kLanes], int slot, int i) {
    return join64(x[2 * slot][i], x[2 * slot + 1][i]);
  }
};

// Every distribution provides, for its working precision Real:
//   single(block, slot)  the sample of one slot of one block (strided and sliced fills);
//   group(x, vals)       the kLanes * slots samples of a group, in group order (bulk fills),
// both from the same inline per-word code, so they agree bit for bit.

// low + (high - low) * u, two roundings, in the working precision Real.
template <class Real>
struct Uniform {
  using value_type = Real;
  using P = Precision<Real>;
  static constexpr int slots = P::slots;
  Real low, range;
  Real value(typename P::Word w) const { return low + range * unit_closed_open(w); }
  Real single(const Block& b, int slot) const { return value(P::word(b, slot)); }
  void group(const std::uint32_t (&x)[4][kLanes], Real* out) const {
    for (int k = 0; k < slots; ++k)
      for (int i = 0; i < kLanes; ++i) out[k * kLanes + i] = value(P::lane_word(x, k, i));
  }
  template <class Out> Out convert(Real v) const { return OutputConvert<Out>::from(v); }
};

// mean + std * z, z from Box-Muller on slot pairs (0, 1) and (2, 3) (float64: (0, 1)).
template <class Real>
struct Normal {
  using value_type = Real;
  using P = Precision<Real>;
  static constexpr int slots = P::slots;
  Real mean, std;
  Real single(const Block& b, int slot) const {
    const int even = slot & ~1;
    Real z0, z1;
    box_muller<Real>(P::word(b, even), P::word(b, even + 1), z0, z1);
    return mean + std * ((slot & 1) ? z1 : z0);
  }
  void group(const std::uint32_t (&x)[4][kLanes], Real* out) const {
    for (int k = 0; k < slots; k += 2)
      for (int i = 0; i < kLanes; ++i) {
        Real z0, z1;
        box_muller<Real>(P::lane_word(x, k, i), P::lane_word(x, k + 1, i), z0, z1);
        out[k * kLanes + i] = mean + std * z0;
        out[(k + 1) * kLanes + i] = mean + std * z1;
      }
  }
  template <class Out> Out convert(Real v) const { return OutputConvert<Out>::from(v); }
};

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

// Normal(mean, std) restricted to [low, high], by inversion of the normal distribution function:
// one uniform per sample (32 or 53 bits), no rejection, no clipping.
//   Exact path (any bounds, any dtype; double): Newton on log Q, see truncated_normal_math.hpp.
//   Fast path (standardized bounds in [-4.75, 4.75], at least 0.25 apart, which covers
//   initializers' +-2 and +-3 sigma; the sample's own tail probability is never below 1e-6
//   there): the float inverse above, about one float32 ulp, for 32-bit outputs; for float64,
//   refined to double precision by one Halley step.
template <class Real>
struct TruncatedNormal {
  using value_type = double;
  using P = Precision<Real>;
  static constexpr int slots = P::slots;
  double mean, std, low, high;  // bounds absolute
  double alpha, beta;           // bounds standardized, after the flip below
  bool flip;                    // sample -Z on [-beta, -alpha] when the interval lies left of 0
  bool straddle;
  bool fast;
  bool narrow;                  // bounds so close that the density is nearly flat between them
  double log_q_alpha, expm1_d;  // tail case: log Q(alpha), expm1(log Q(beta) - log Q(alpha))
  double q_below, q_above, mass;  // P(Z < alpha), P(Z > beta), P(alpha < Z < beta)

  TruncatedNormal(double mean_, double std_, double low_, double high_)
      : mean(mean_), std(std_), low(low_), high(high_) {
    double a = (low - mean) / std, b = (high - mean) / std;
    fast = a >= -4.75 && b <= 4.75 && b - a >= 0.25;
    flip = !fast && b <= 0.0;
    if (flip) { const double t = a; a = -b; b = -t; }
    alpha = a;
    beta = b;
    straddle = a < 0.0;
    // Differences of tail probabilities cancel when the interval is narrow against the
    // density's scale there; integrate the density directly instead (see narrow_sample).
    narrow = !fast && (b - a) * (std::fmax(std::fabs(a), std::fabs(b)) + (b - a)) <= 1e-2;
    log_q_alpha = expm1_d = q_below = q_above = mass = 0.0;
    if (narrow) {
      // nothing to precompute
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

  // alpha + t with t solving narrow_mass(t) = u * narrow_mass(beta - alpha), by Newton's method.
  double narrow_sample(double u) const {
    const double width = beta - alpha;
    const double target = u * narrow_mass(width);
    double t = u * width;
    for (int it = 0; it < 6; ++it) {
      t -= (narrow_mass(t) - target) / std::exp(-alpha * t - 0.5 * t * t);
      t = std::fmin(std::fmax(t, 0.0), width);
    }
    return alpha + t;
  }

  double exact_standard_sample(double u) const {
    if (narrow) return narrow_sample(u);
    if (straddle) {
      const double p_below = q_below + u * mass;          // P(Z < x)
      const double p_above = q_above + (1.0 - u) * mass;  // P(Z > x)
      if (p_below <= p_above) return -normal_tail_inverse_log(std::log(p_below), -alpha);
      return normal_tail_inverse_log(std::log(p_above), beta);
    }
    const double target = log_q_alpha + std::log1p(u * expm1_d);
    return normal_tail_inverse_log(target, beta);
  }

  double exact_value(typename P::Word w) const {
    const double z = exact_standard_sample(unit_open_f64(w));
    return mean + std * (flip ? -z : z);
  }

  // Selects only, no branches: vectorizes.
  double fast_value(typename P::Word w) const {
    const double u = unit_open_f64(w);
    const double p_below = q_below + u * mass;
    const double p_above = q_above + (1.0 - u) * mass;
    const bool upper = p_above < p_below;
    const double q = upper ? p_above : p_below;
    double x = static_cast<double>(normal_tail_inverse_fast(static_cast<float>(q)));
    if constexpr (std::is_same_v<Real, double>) {
      // One Halley step on Q(x) = q from the float estimate (relative error ~1e-7; the step
      // cubes it) gives x to double precision: with r = (Q(x) - q) / Q'(x), Q' = -phi,
      // Q'' = x phi, Halley's x - r / (1 - r Q'' / (2 Q')) is x - r / (1 + r x / 2).
      const double phi = std::exp(-0.5 * x * x - kLogSqrt2Pi);
      const double r = (0.5 * std::erfc(x * kSqrt1_2) - q) / -phi;
      x = x - r / (1.0 + 0.5 * r * x);
    }
    const double z = upper ? x : -x;
    return mean + std * z;
  }

  double single(const Block& b, int slot) const {
    return fast ? fast_value(P::word(b, slot)) : exact_value(P::word(b, slot));
  }
  void group(const std::uint32_t (&x)[4][kLanes], double* out) const {
    if (fast) {
      for (int k = 0; k < slots; ++k)
        for (int i = 0; i < kLanes; ++i) out[k * kLanes + i] = fast_value(P::lane_word(x, k, i));
    } else {
      for (int k = 0; k < slots; ++k)
        for (int i = 0; i < kLanes; ++i) out[k * kLanes + i] = exact_value(P::lane_word(x, k, i));
    }
  }
  template <class Out> Out convert(double v) const { return convert_within<Out>(v, low, high); }
};

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
