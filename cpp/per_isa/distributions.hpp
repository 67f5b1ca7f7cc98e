// Distributions: how Philox4x32 blocks become samples.
//
// Blocks come in groups of kLanes = 16 consecutive blocks (block 16g + i is lane i of group g).
// A group of 64 32-bit words makes 64 samples at 32-bit precision (float32, float16, bfloat16:
// sample r of the group is word r / 16 of lane r % 16) or 32 samples at 64-bit precision
// (float64: sample r is 64-bit word r / 16, i.e. words 2(r/16) and 2(r/16)+1 low first, of lane
// r % 16). So the sample at stream position p is a function of one block and a slot in it
// (never of threads, chunks or SIMD width), and a whole group is 4 (or 2) contiguous vectors of
// 16 lanes: SIMD-friendly.
//
// Box-Muller pairs slots (0, 1) and (2, 3) of a lane (float64: its two 64-bit words): the
// cosine goes to the even slot's sample, the sine to the odd slot's.
// Low-precision outputs are sampled in float32 and rounded once (round-to-nearest-even).
#pragma once

#include "../isa_namespace.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
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
  // Slot k's value from its word(s): float one word, double the low and high words of a 64-bit
  // word (converted without joining them, unit_interval.hpp). single() and group() both use it.
  Real value(std::uint32_t w_lo, std::uint32_t w_hi) const {
    if constexpr (sizeof(Real) == 4) {
      (void)w_hi;
      return low + range * unit_closed_open(w_lo);
    } else {
      return low + range * unit_closed_open(w_lo, w_hi);
    }
  }
  static constexpr int kWords = static_cast<int>(sizeof(Real) / 4);  // words per value
  Real single(const Block& b, int slot) const {
    return value(b[kWords * slot], b[kWords * slot + kWords - 1]);
  }
  void group(const std::uint32_t (&x)[4][kLanes], Real* out) const {
    if constexpr (sizeof(Real) == 4) {
      // range * (k 2^-24) = (range 2^-24) * k, k = w >> 8 < 2^24: the same exact product, so
      // the same rounding, wherever range 2^-24 is exact, which the test checks (it holds for
      // 0, infinities and |range| >= 2^-102, and for some smaller ranges); one multiply a
      // vector fewer.
      const Real scaled = range * 0x1p-24f;
      if (scaled * 0x1p24f == range) {
        for (int k = 0; k < slots; ++k)
          for (int i = 0; i < kLanes; ++i) out[k * kLanes + i] = low + scaled * to_float_exact(x[k][i] >> 8);
        return;
      }
    }
    for (int k = 0; k < slots; ++k)
      for (int i = 0; i < kLanes; ++i) out[k * kLanes + i] = value(x[kWords * k][i], x[kWords * k + kWords - 1][i]);
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

// Normal(mean, std) restricted to [low, high]: mean + std * z, z the standard normal restricted
// to the standardized bounds, from one uniform per sample (32 or 53 bits). The 32-bit fast path
// is within a few float32 ulps (tested against mpmath: at most 5 of max(|z|, 1)) and all in
// float, mean + std * z too (where mean and std are normal floats, the values cannot overflow
// and mean's float is exact to 2^-20 std: float_fast); float64's fast path is AS 241 in double.
// The exact paths compute in double.
template <class Real>
struct TruncatedNormal {
  using value_type = Real;
  using P = Precision<Real>;
  static constexpr int slots = P::slots;
  double mean, std;
  ValueBounds bounds;  // [low, high], absolute, and how values are kept inside them (low_precision.hpp)
  StandardTruncatedNormal standard;
  float mean_f, std_f;  // for the float fast path
  bool float_fast;      // 32-bit fast path with mean + std * z in float

  TruncatedNormal(double mean_, double std_, double low, double high)
      : mean(mean_), std(std_), bounds(low, high),
        standard((low - mean) / std, (high - mean) / std, (high - low) / std),
        mean_f(static_cast<float>(mean_)), std_f(static_cast<float>(std_)) {
    // Both normal floats (or a zero mean), |mean| + 4.75 std, the most a fast-path value can
    // reach, finite in float, and mean's rounding to float at most 2^-20 std: else mean + std * z
    // in double (a subnormal std_f would lose digits, an infinite one make every value a bound,
    // and mean_f's rounding error, the same for every sample, would shift the whole distribution:
    // by 0.5 std for mean 1 + 0.49 2^-23, std 2^-23).
    float_fast = sizeof(Real) == 4 && standard.fast && std::isnormal(std_f) &&
                 (mean_f == 0.0f || std::isnormal(mean_f)) &&
                 std::fabs(mean) + 4.75 * std <= 0.5 * static_cast<double>(std::numeric_limits<float>::max()) &&
                 std::fabs(mean - static_cast<double>(mean_f)) <= std * 0x1p-20;
  }

  // Narrow and far intervals: from the bound nearest the mean (high after a flip) by the offset.
  double exact_value(typename P::Word w) const {
    const double u = unit_open_f64(w);
    if (standard.offset_based()) {
      const double t = standard.offset_sample(u);
      return standard.flip ? bounds.hi - std * t : bounds.lo + std * t;
    }
    return mean + std * standard.exact_sample(u);
  }
  // The fast path in double: float64's, and 32-bit outputs' where float_fast is false.
  double fast_value(typename P::Word w) const {
    if constexpr (std::is_same_v<Real, double>) {
      return mean + std * standard.fast_sample_double(unit_open_f64(w));
    } else {
      return mean + std * static_cast<double>(standard.fast_sample_float(w));
    }
  }
  // The 32-bit fast path all in float (float_fast): two roundings, no FMA.
  template <bool kNear = false>
  float fast_value_float(std::uint32_t w) const {
    return mean_f + std_f * standard.template fast_sample_float<kNear>(w);
  }

  // A value computed in double, in Real: where a bound's float is +-0 it is kept inside in double
  // first (see ValueBounds; float values need not be: convert's clamp in float is exact for them).
  Real from_double(double v) const { return static_cast<Real>(bounds.zero ? bounds.keep_inside(v) : v); }

  Real single(const Block& b, int slot) const {
    const auto w = P::word(b, slot);
    if constexpr (!std::is_same_v<Real, double>) {
      if (float_fast) return fast_value_float(w);
    }
    return from_double(standard.fast ? fast_value(w) : exact_value(w));
  }
  void group(const std::uint32_t (&x)[4][kLanes], Real* out) const {
    if constexpr (!std::is_same_v<Real, double>) {
      if (float_fast) {
        if (standard.fast_near) {  // +-2 sigma and narrower: one polynomial of Giles' two
          for (int k = 0; k < slots; ++k)
            for (int i = 0; i < kLanes; ++i) out[k * kLanes + i] = fast_value_float<true>(x[k][i]);
        } else {
          for (int k = 0; k < slots; ++k)
            for (int i = 0; i < kLanes; ++i) out[k * kLanes + i] = fast_value_float(x[k][i]);
        }
        return;
      }
      // The paths in double, a group of doubles at a time, each value kept inside and rounded.
      alignas(64) double v[slots * kLanes];
      group_doubles(x, v);
      for (int r = 0; r < slots * kLanes; ++r) out[r] = from_double(v[r]);
    } else {
      group_doubles(x, out);
      if (bounds.zero) {
        for (int r = 0; r < slots * kLanes; ++r) out[r] = bounds.keep_inside(out[r]);
      }
    }
  }
  void group_doubles(const std::uint32_t (&x)[4][kLanes], double* out) const {
    if (standard.fast) {
      for (int k = 0; k < slots; ++k)
        for (int i = 0; i < kLanes; ++i) out[k * kLanes + i] = fast_value(P::lane_word(x, k, i));
    } else {
      for (int k = 0; k < slots; ++k)
        for (int i = 0; i < kLanes; ++i) out[k * kLanes + i] = exact_value(P::lane_word(x, k, i));
    }
  }
  template <class Out> Out convert(Real v) const { return bounds.template convert<Out>(v); }
};

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
