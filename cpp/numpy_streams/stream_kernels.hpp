// The NumPy streams' hot loops, compiled once per instruction set (stream_kernels.cpp; in
// CMakeLists.txt the numpy_stream_kernels_<isa> objects), each copy in its own namespace like
// kernels.cpp, and picked for the ISA the kernels use (weightinit.set_isa), so every path is
// tested for the same bits:
//   philox4x64_blocks(counter, key, blocks, out): blocks counter+1 .. counter+blocks (NumPy
//     increments the counter before each block), 4 words each;
//   lemire_*(units, n, off, rng + 1, threshold, values, last): the values of the accepted
//     candidates among units[0, n), packed, how many, and whether units[n - 1] was accepted;
//   pcg_fill(dxsm, t, inc, out, n) (null where the ISA has no fast path: then the engine's own
//     loop): out[j] = the PCG64 (dxsm: PCG64DXSM) output of LCG state T_j, j < n, where T_0 = t
//     and T_{j+1} = M T_j + inc mod 2^128 with the generator's multiplier M (128-bit numbers as
//     hi, lo); n a multiple of kPcgFillWords;
//   exponential_f64_block(units, n, values) (and _f32_, and normal_f64/f32_block), n <= 64:
//     which of units[0, n) are each a whole sample of NumPy's standard_exponential (standard_normal)
//     by its ziggurat's one-unit path (StandardExponentialF64::fast ...; bit j for units[j]; a
//     unit left out may still be one: the sampler's own code decides), and every unit's value as
//     such a sample in values[j]. Null where the ISA has no such loop.
#pragma once

#include "../isa_namespace.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "../dispatch.hpp"

namespace weightinit {

inline constexpr std::size_t kPcgFillWords = 32;

struct StreamKernels {
  const char* isa;
  void (*philox4x64_blocks)(const std::array<std::uint64_t, 4>& counter, const std::array<std::uint64_t, 2>& key,
                            std::uint64_t blocks, std::uint64_t* out);
  std::size_t (*lemire_u64)(const std::uint64_t* units, std::size_t n, std::uint64_t off, std::uint64_t rng_excl,
                            std::uint64_t threshold, std::uint64_t* values, bool* last_accepted);
  std::size_t (*lemire_u32)(const std::uint32_t* units, std::size_t n, std::uint32_t off, std::uint32_t rng_excl,
                            std::uint32_t threshold, std::uint32_t* values, bool* last_accepted);
  std::size_t (*lemire_u32_to_u64)(const std::uint32_t* units, std::size_t n, std::uint64_t off, std::uint32_t rng_excl,
                                   std::uint32_t threshold, std::uint64_t* values, bool* last_accepted);
  std::size_t (*lemire_u16)(const std::uint16_t* units, std::size_t n, std::uint16_t off, std::uint16_t rng_excl,
                            std::uint16_t threshold, std::uint16_t* values, bool* last_accepted);
  std::size_t (*lemire_u8)(const std::uint8_t* units, std::size_t n, std::uint8_t off, std::uint8_t rng_excl,
                           std::uint8_t threshold, std::uint8_t* values, bool* last_accepted);
  void (*pcg_fill)(bool dxsm, std::uint64_t t_hi, std::uint64_t t_lo, std::uint64_t inc_hi, std::uint64_t inc_lo,
                   std::uint64_t* out, std::size_t n);
  std::uint64_t (*exponential_f64_block)(const std::uint64_t* units, std::size_t n, double* values);
  std::uint64_t (*exponential_f32_block)(const std::uint32_t* units, std::size_t n, float* values);
  std::uint64_t (*normal_f64_block)(const std::uint64_t* units, std::size_t n, double* values);
  std::uint64_t (*normal_f32_block)(const std::uint32_t* units, std::size_t n, float* values);
};

// A translation unit compiled for one ISA defines its copy in that ISA's namespace, which must
// be declared inline before the plain declarations below name it.
inline namespace WEIGHTINIT_ISA_NS {}

#define WEIGHTINIT_DECLARE_STREAM_KERNELS(ns) \
  namespace ns {                              \
  namespace numpy_streams {                   \
  const StreamKernels& stream_kernels();      \
  }                                           \
  }
WEIGHTINIT_DECLARE_STREAM_KERNELS(isa_scalar)
WEIGHTINIT_DECLARE_STREAM_KERNELS(isa_avx2)
WEIGHTINIT_DECLARE_STREAM_KERNELS(isa_avx512)
#undef WEIGHTINIT_DECLARE_STREAM_KERNELS

inline namespace WEIGHTINIT_ISA_NS {
namespace numpy_streams {

inline const StreamKernels& active_stream_kernels() {
#if defined(WEIGHTINIT_HAVE_AVX512) || defined(WEIGHTINIT_HAVE_AVX2)
  const char* isa = active_kernels().isa;
#endif
#if defined(WEIGHTINIT_HAVE_AVX512)
  if (std::strcmp(isa, "avx512") == 0) return isa_avx512::numpy_streams::stream_kernels();
#endif
#if defined(WEIGHTINIT_HAVE_AVX2)
  if (std::strcmp(isa, "avx2") == 0) return isa_avx2::numpy_streams::stream_kernels();
#endif
  return isa_scalar::numpy_streams::stream_kernels();
}

}  // namespace numpy_streams
}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
