// Rounding float32 to bfloat16 and float16, round-to-nearest-even, by bit manipulation (so every
// machine gives the same bits; NaN stays NaN, overflow goes to infinity, float16 subnormals kept).
#pragma once

#include "../isa_namespace.hpp"

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "bits.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

struct bfloat16_bits { std::uint16_t bits; };
struct float16_bits { std::uint16_t bits; };

inline std::uint16_t float_to_bfloat16(float f) {
  std::uint32_t u = bit_cast<std::uint32_t>(f);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((u >> 16) | 0x0040u);
  u += 0x7FFFu + ((u >> 16) & 1u);
  return static_cast<std::uint16_t>(u >> 16);
}

inline float bfloat16_to_float(std::uint16_t h) {
  return bit_cast<float>(static_cast<std::uint32_t>(h) << 16);
}

// Branch-free (so it vectorizes), after F. Giesen's float-to-half conversion: normal results
// by rebiasing and rounding the bits; subnormal results by one float addition of a magic
// constant, which rounds to nearest even in hardware. NaN becomes the quiet NaN 0x7E00.
inline std::uint16_t float_to_float16(float f) {
  const std::uint32_t x = bit_cast<std::uint32_t>(f);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const std::uint32_t ax = x & 0x7FFFFFFFu;
  constexpr std::uint32_t kF16Max = (127u + 16u) << 23;                   // 65536: inf from here
  constexpr std::uint32_t kDenormMagic = ((127u - 15u) + (23u - 10u) + 1u) << 23;  // 0.5
  const std::uint32_t inf_nan = ax > 0x7F800000u ? 0x7E00u : 0x7C00u;
  const float sub_f = bit_cast<float>(ax) + bit_cast<float>(kDenormMagic);
  const std::uint32_t subnormal = bit_cast<std::uint32_t>(sub_f) - kDenormMagic;
  const std::uint32_t normal = (ax + ((15u - 127u) << 23) + 0xFFFu + ((ax >> 13) & 1u)) >> 13;
  const std::uint32_t h = ax >= kF16Max ? inf_nan : (ax < (113u << 23) ? subnormal : normal);
  return static_cast<std::uint16_t>(h | sign);
}

inline float float16_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t e = (h >> 10) & 0x1Fu;
  const std::uint32_t m = h & 0x03FFu;
  if (e == 0x1F) return bit_cast<float>(sign | 0x7F800000u | (m << 13));
  if (e != 0) return bit_cast<float>(sign | ((e + 112u) << 23) | (m << 13));
  const float v = static_cast<float>(m) * 5.9604644775390625e-08f;  // m * 2^-24, exact
  return sign ? -v : v;
}

// x rounded to float with round-to-odd: truncate towards zero, and set the last bit if anything
// was cut off. Rounding that float to float16/bfloat16 (13+ fewer bits) then rounds x to nearest
// even exactly once, as a direct conversion would.
inline float double_to_float_round_odd(double x) {
  float f = static_cast<float>(x);
  if (std::isnan(x)) return f;
  if (std::fabs(static_cast<double>(f)) > std::fabs(x)) f = std::nextafter(f, 0.0f);
  if (static_cast<double>(f) != x) f = bit_cast<float>(bit_cast<std::uint32_t>(f) | 1u);
  return f;
}

// std::nextafter(f, -inf) and std::nextafter(f, +inf) for f not NaN (and not -inf resp. +inf, which
// nextafter keeps and these would turn into NaN; never asked for below), as one step
// of its bit pattern: selects only, so a loop of them vectorizes (std::nextafter is a call).
inline float float_step_down(float f) {
  const std::uint32_t b = bit_cast<std::uint32_t>(f);
  const std::uint32_t stepped = (b >> 31) != 0 ? b + 1u : b - 1u;
  return bit_cast<float>((b & 0x7FFFFFFFu) == 0 ? 0x80000001u : stepped);  // +-0 -> -denorm_min
}
inline float float_step_up(float f) {
  const std::uint32_t b = bit_cast<std::uint32_t>(f);
  const std::uint32_t stepped = (b >> 31) != 0 ? b - 1u : b + 1u;
  return bit_cast<float>((b & 0x7FFFFFFFu) == 0 ? 0x00000001u : stepped);  // +-0 -> +denorm_min
}

// Conversion of a working-precision value to an output element.
template <class Out> struct OutputConvert;
template <> struct OutputConvert<float> {
  static float from(float v) { return v; }
  static float to_float(float v) { return v; }
};
template <> struct OutputConvert<double> {
  static double from(double v) { return v; }
};
template <> struct OutputConvert<bfloat16_bits> {
  static bfloat16_bits from(float v) { return {float_to_bfloat16(v)}; }
  static float to_float(bfloat16_bits v) { return bfloat16_to_float(v.bits); }
};
template <> struct OutputConvert<float16_bits> {
  static float16_bits from(float v) { return {float_to_float16(v)}; }
  static float to_float(float16_bits v) { return float16_to_float(v.bits); }
};

// Rounding to Out while keeping values inside [lo, hi]: a value inside rounds to the nearest Out
// value unless that lies past a bound Out cannot represent, and then to the neighbour inside; a
// value outside ends at its bound's nearest Out value inside. The caller guarantees a finite Out
// value inside [lo, hi]. For float: the rounded value clamped to lo_f and hi_f, the floats
// nearest the bounds inside them (a value inside rounds to a float inside unless it rounds past a
// bound, and then the nearest float inside is that bound's float). For 16-bit outputs: that float
// rounded once more and, where the rounding crossed a bound, one step of the bit pattern back
// inside (one step suffices, subnormals included; comparing a float with lo_f and hi_f decides
// the same as with lo and hi). Selects only: a loop of convert() vectorizes.
// One case the float comparisons cannot tell: where a bound's float is +-0 (`zero`), a double
// value that rounds to -0 below a bound of +0 must give +0 (and the mirror at -0). Callers then
// pass values computed in double through keep_inside() first, once for a batch rather than a
// test per element. A float value needs no such step.
// (tests/cpp/truncated_convert.cpp checks all this against the plain definition: keep inside in
// double, round, step back inside with nextafter.)
struct ValueBounds {
  double lo, hi;
  float lo_f, hi_f;
  bool zero;

  ValueBounds(double lo_, double hi_) : lo(lo_), hi(hi_) {
    lo_f = static_cast<float>(lo);
    if (static_cast<double>(lo_f) < lo) lo_f = float_step_up(lo_f);
    hi_f = static_cast<float>(hi);
    if (static_cast<double>(hi_f) > hi) hi_f = float_step_down(hi_f);
    zero = lo_f == 0.0f || hi_f == 0.0f;
  }

  double keep_inside(double v) const { return v < lo ? lo : (v > hi ? hi : v); }

  template <class Out>
  Out convert(double v) const {
    if constexpr (std::is_same_v<Out, double>) {
      return keep_inside(v);
    } else {
      return convert<Out>(static_cast<float>(v));
    }
  }
  // A float value: its clamp to [lo_f, hi_f] decides as keeping it inside [lo, hi] would (zeros'
  // signs included: a float below a bound of +0 is below lo_f too), so it needs no keep_inside().
  template <class Out>
  Out convert(float f0) const {
    static_assert(!std::is_same_v<Out, double>, "float values are for 32- and 16-bit outputs");
    const float f = f0 < lo_f ? lo_f : (f0 > hi_f ? hi_f : f0);
    if constexpr (std::is_same_v<Out, float>) {
      return f;
    } else {
      Out o = OutputConvert<Out>::from(f);
      const float back = OutputConvert<Out>::to_float(o);
      const bool negative = (o.bits & 0x8000u) != 0;
      const std::uint16_t down = static_cast<std::uint16_t>(negative ? o.bits + 1u : o.bits - 1u);
      const std::uint16_t up = static_cast<std::uint16_t>(negative ? o.bits - 1u : o.bits + 1u);
      o.bits = back > hi_f ? down : (back < lo_f ? up : o.bits);
      return o;
    }
  }
};

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
