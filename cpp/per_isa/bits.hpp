// Bit-level conversions: reinterpreting bits, joining two 32-bit words, and exact
// integer-to-floating conversions.
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

// a * b + c rounded once to float: the float transforms' fused multiply-add, the same bits on
// every path. One instruction with FMA hardware (the avx2 and avx512 builds, aarch64); on x86-64
// without FMA (the baseline build) the C library's correctly rounded fmaf, a call per operation:
// that build's float32 normals run at about a quarter of their former speed (244 -> 57 M/s per
// core here), the price of one set of bits for CPUs made before 2013. (An inline emulation by
// rounding to odd in double measured slower still: it does not vectorize with SSE2 alone.)
inline float fused_multiply_add(float a, float b, float c) { return std::fma(a, b, c); }

inline std::uint64_t join64(std::uint32_t lo, std::uint32_t hi) {
  return static_cast<std::uint64_t>(lo) | (static_cast<std::uint64_t>(hi) << 32);
}

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
