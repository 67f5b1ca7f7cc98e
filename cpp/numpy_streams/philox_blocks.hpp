// Consecutive Philox4x64-10 blocks for NumPy's Philox stream, on the instruction set in use.
//
// philox4x64_blocks(counter, key, blocks, out) writes blocks counter+1 .. counter+blocks (NumPy
// increments the counter before each block), 4 words each, to out. philox_blocks.cpp is
// compiled once per instruction set; philox4x64_blocks_dispatch picks the copy of the ISA the
// kernels use (weightinit.set_isa), so every path is tested for the same bits.
#pragma once

#include "../isa_namespace.hpp"

#include <cstdint>
#include <cstring>

#include "../kernel_api.hpp"
#include "../philox.hpp"

namespace weightinit {

#define WEIGHTINIT_DECLARE_PHILOX_BLOCKS(ns)                                                          \
  namespace ns {                                                                                      \
  namespace numpy_streams {                                                                           \
  void philox4x64_blocks(const Ctr4x64& counter, const Key2x64& key, std::uint64_t blocks, std::uint64_t* out); \
  }                                                                                                   \
  }
WEIGHTINIT_DECLARE_PHILOX_BLOCKS(isa_scalar)
WEIGHTINIT_DECLARE_PHILOX_BLOCKS(isa_avx2)
WEIGHTINIT_DECLARE_PHILOX_BLOCKS(isa_avx512)
#undef WEIGHTINIT_DECLARE_PHILOX_BLOCKS

inline namespace WEIGHTINIT_ISA_NS {
namespace numpy_streams {

inline void philox4x64_blocks_dispatch(const Ctr4x64& counter, const Key2x64& key, std::uint64_t blocks,
                                       std::uint64_t* out) {
#if defined(WEIGHTINIT_HAVE_AVX512) || defined(WEIGHTINIT_HAVE_AVX2)
  const char* isa = active_kernels().isa;
#endif
#if defined(WEIGHTINIT_HAVE_AVX512)
  if (std::strcmp(isa, "avx512") == 0) return isa_avx512::numpy_streams::philox4x64_blocks(counter, key, blocks, out);
#endif
#if defined(WEIGHTINIT_HAVE_AVX2)
  if (std::strcmp(isa, "avx2") == 0) return isa_avx2::numpy_streams::philox4x64_blocks(counter, key, blocks, out);
#endif
  isa_scalar::numpy_streams::philox4x64_blocks(counter, key, blocks, out);
}

}  // namespace numpy_streams
}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
