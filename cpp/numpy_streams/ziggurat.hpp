// NumPy's ziggurat samplers, step for step (numpy/random/src/distributions/distributions.c:
// random_standard_normal, random_standard_normal_f, random_standard_exponential,
// random_standard_exponential_f), as Samplers for parse_fill.hpp.
//
// Bit-exactness rests on doing each operation in NumPy's precision and order, with no FMA
// contraction (the build uses -ffp-contract=off), and on calling the C library's exp, expf,
// log1p and log1pf where NumPy calls them. Note where NumPy mixes precisions: the float32 normal
// compares a float left side with a double exp() of the widened x; the float32 exponential
// stays in float (expf, log1pf); the normal's tail sign comes from bit 8 of rabs, not `sign`.
#pragma once

#include "../isa_namespace.hpp"

#include <math.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "stream_kernels.hpp"

namespace weightinit {
namespace numpy_ziggurat {
using std::uint32_t;
using std::uint64_t;
#include "ziggurat_constants.h"
}  // namespace numpy_ziggurat

inline namespace WEIGHTINIT_ISA_NS {
namespace numpy_streams {

// -x if `negate` (bit 0 of it), else x: NumPy's `if (sign) x = -x;` without a branch (the sign is
// a coin flip, so a branch would be mispredicted half the time). Negation flips the sign bit.
inline double negate_if(double x, std::uint64_t negate) {
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  bits ^= (negate & 1) << 63;
  std::memcpy(&x, &bits, sizeof bits);
  return x;
}
inline float negate_if(float x, std::uint32_t negate) {
  std::uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  bits ^= (negate & 1) << 31;
  std::memcpy(&x, &bits, sizeof bits);
  return x;
}

// A sampler's `fast_block`: the ISA's kernel for blocks of up to 64 units (StreamKernels::*Field:
// which are one-unit samples, and their values; parse_fill.hpp), or null where it has none.
template <auto Field>
struct FastBlockOf {
  explicit FastBlockOf(const StreamKernels* kernels = nullptr) : fast_block(kernels != nullptr ? kernels->*Field : nullptr) {}
  std::remove_reference_t<decltype(std::declval<StreamKernels>().*Field)> fast_block;
};

// NumPy's next_double and next_float of a unit.
inline double unit_double(std::uint64_t w) { return static_cast<double>(static_cast<std::int64_t>(w >> 11)) * (1.0 / 9007199254740992.0); }
inline float unit_float(std::uint32_t w) { return static_cast<float>(static_cast<std::int32_t>(w >> 8)) * (1.0f / 16777216.0f); }

struct StandardNormalF64 : FastBlockOf<&StreamKernels::normal_f64_block> {
  using Unit = std::uint64_t;
  using Value = double;
  static constexpr bool kFilter = false;
  static double mean_units() { return 1.03; }

  using FastBlockOf::FastBlockOf;

  static bool fast(std::uint64_t r, double& x) {
    namespace z = numpy_ziggurat;
    const int idx = static_cast<int>(r & 0xff);
    r >>= 8;
    const std::uint64_t rabs = (r >> 1) & 0x000fffffffffffffull;
    x = negate_if(static_cast<double>(static_cast<std::int64_t>(rabs)) * z::wi_double[idx], r);
    return rabs < z::ki_double[idx];
  }

  template <class Src>
  static double sample(std::uint64_t r, Src& src, std::uint64_t& length) {
    namespace z = numpy_ziggurat;
    for (;;) {
      const int idx = static_cast<int>(r & 0xff);
      r >>= 8;
      const int sign = static_cast<int>(r & 0x1);
      const std::uint64_t rabs = (r >> 1) & 0x000fffffffffffffull;
      double x = static_cast<double>(static_cast<std::int64_t>(rabs)) * z::wi_double[idx];
      if (sign & 0x1) x = -x;
      if (rabs < z::ki_double[idx]) return x;
      if (idx == 0) {
        for (;;) {
          const double xx = -z::ziggurat_nor_inv_r * ::log1p(-unit_double(src.take()));
          const double yy = -::log1p(-unit_double(src.take()));
          length += 2;
          if (yy + yy > xx * xx) return ((rabs >> 8) & 0x1) ? -(z::ziggurat_nor_r + xx) : z::ziggurat_nor_r + xx;
        }
      }
      const double u = unit_double(src.take());
      ++length;
      if (((z::fi_double[idx - 1] - z::fi_double[idx]) * u + z::fi_double[idx]) < ::exp(-0.5 * x * x)) return x;
      r = src.take();
      ++length;
    }
  }
};

struct StandardNormalF32 : FastBlockOf<&StreamKernels::normal_f32_block> {
  using Unit = std::uint32_t;
  using Value = float;
  static constexpr bool kFilter = false;
  static double mean_units() { return 1.03; }

  using FastBlockOf::FastBlockOf;

  static bool fast(std::uint32_t r, float& x) {
    namespace z = numpy_ziggurat;
    const int idx = static_cast<int>(r & 0xff);
    const std::uint32_t rabs = (r >> 9) & 0x0007fffff;
    x = negate_if(static_cast<float>(static_cast<std::int32_t>(rabs)) * z::wi_float[idx], r >> 8);
    return rabs < z::ki_float[idx];
  }

  template <class Src>
  static float sample(std::uint32_t r, Src& src, std::uint64_t& length) {
    namespace z = numpy_ziggurat;
    for (;;) {
      const int idx = static_cast<int>(r & 0xff);
      const int sign = static_cast<int>((r >> 8) & 0x1);
      const std::uint32_t rabs = (r >> 9) & 0x0007fffff;
      float x = static_cast<float>(static_cast<std::int32_t>(rabs)) * z::wi_float[idx];
      if (sign & 0x1) x = -x;
      if (rabs < z::ki_float[idx]) return x;
      if (idx == 0) {
        for (;;) {
          const float xx = -z::ziggurat_nor_inv_r_f * ::log1pf(-unit_float(src.take()));
          const float yy = -::log1pf(-unit_float(src.take()));
          length += 2;
          if (yy + yy > xx * xx) return ((rabs >> 8) & 0x1) ? -(z::ziggurat_nor_r_f + xx) : z::ziggurat_nor_r_f + xx;
        }
      }
      const float u = unit_float(src.take());
      ++length;
      // A float left side against a double exp() (NumPy's -0.5 is a double literal).
      const float lhs = (z::fi_float[idx - 1] - z::fi_float[idx]) * u + z::fi_float[idx];
      if (static_cast<double>(lhs) < ::exp(-0.5 * static_cast<double>(x) * static_cast<double>(x))) return x;
      r = src.take();
      ++length;
    }
  }
};

struct StandardExponentialF64 : FastBlockOf<&StreamKernels::exponential_f64_block> {
  using Unit = std::uint64_t;
  using Value = double;
  static constexpr bool kFilter = false;
  static double mean_units() { return 1.04; }

  using FastBlockOf::FastBlockOf;

  static bool fast(std::uint64_t ri, double& x) {
    namespace z = numpy_ziggurat;
    ri >>= 3;
    const std::uint8_t idx = static_cast<std::uint8_t>(ri & 0xFF);
    ri >>= 8;
    x = static_cast<double>(static_cast<std::int64_t>(ri)) * z::we_double[idx];
    return ri < z::ke_double[idx];
  }

  template <class Src>
  static double sample(std::uint64_t ri, Src& src, std::uint64_t& length) {
    namespace z = numpy_ziggurat;
    for (;;) {
      double x;
      if (fast(ri, x)) return x;
      const std::uint8_t idx = static_cast<std::uint8_t>((ri >> 3) & 0xFF);
      const double u = unit_double(src.take());
      ++length;
      if (idx == 0) return z::ziggurat_exp_r - ::log1p(-u);
      if ((z::fe_double[idx - 1] - z::fe_double[idx]) * u + z::fe_double[idx] < ::exp(-x)) return x;
      ri = src.take();  // NumPy starts over (its tail call)
      ++length;
    }
  }
};

struct StandardExponentialF32 : FastBlockOf<&StreamKernels::exponential_f32_block> {
  using Unit = std::uint32_t;
  using Value = float;
  static constexpr bool kFilter = false;
  static double mean_units() { return 1.04; }

  using FastBlockOf::FastBlockOf;

  static bool fast(std::uint32_t ri, float& x) {
    namespace z = numpy_ziggurat;
    ri >>= 1;
    const std::uint8_t idx = static_cast<std::uint8_t>(ri & 0xFF);
    ri >>= 8;
    x = static_cast<float>(static_cast<std::int32_t>(ri)) * z::we_float[idx];
    return ri < z::ke_float[idx];
  }

  template <class Src>
  static float sample(std::uint32_t ri, Src& src, std::uint64_t& length) {
    namespace z = numpy_ziggurat;
    for (;;) {
      float x;
      if (fast(ri, x)) return x;
      const std::uint8_t idx = static_cast<std::uint8_t>((ri >> 1) & 0xFF);
      const float u = unit_float(src.take());
      ++length;
      if (idx == 0) return z::ziggurat_exp_r_f - ::log1pf(-u);
      if ((z::fe_float[idx - 1] - z::fe_float[idx]) * u + z::fe_float[idx] < ::expf(-x)) return x;
      ri = src.take();
      ++length;
    }
  }
};

}  // namespace numpy_streams
}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
