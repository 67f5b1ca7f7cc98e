// Random words as numbers in the unit interval.
#pragma once

#include "../isa_namespace.hpp"

#include <cstdint>

#include "bits.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

// [0, 1) with NumPy's conversions: 24 bits for float, 53 bits for double.
inline float unit_closed_open(std::uint32_t w) { return to_float_exact(w >> 8) * 0x1p-24f; }
inline double unit_closed_open(std::uint64_t w) { return u53_to_double(w >> 11) * 0x1p-53; }
// The same number from the two 32-bit halves of w = lo | hi << 32, without forming w: w >> 11 is
// hi * 2^21 + (lo >> 11), so the value is hi * 2^-32 + (lo >> 11) * 2^-53, a sum of two exact
// doubles with no bits in common, exact. Vectorizes on 32-bit lanes (no 64-bit join and no
// 64-bit integer conversion): the float64 uniform kernel's transform.
inline double unit_closed_open(std::uint32_t lo, std::uint32_t hi) {
  return static_cast<double>(hi) * 0x1p-32 + static_cast<double>(static_cast<std::int32_t>(lo >> 11)) * 0x1p-53;
}

// Open (0, 1) in double, exactly (w + 1/2) * 2^-32 or ((w >> 11) + 1/2) * 2^-53.
inline double unit_open_f64(std::uint32_t w) { return (u32_to_double(w) + 0.5) * 0x1p-32; }
inline double unit_open_f64(std::uint64_t w) { return (u53_to_double(w >> 11) + 0.5) * 0x1p-53; }

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
