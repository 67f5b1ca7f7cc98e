// The bulk kernels: whole groups of 16 Philox blocks, computed as 16-lane loops the compiler
// vectorizes. This one source is compiled once per instruction set (CMake sets
// WEIGHTINIT_ISA_NS and the -m flags); IEEE arithmetic with no FMA contraction makes every
// build give the same bits as the scalar per-element path.
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "../dispatch.hpp"
#include "distributions.hpp"
#include "kinds_to_types.hpp"
#include "philox.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {
namespace {


// Copies `bytes` (a multiple of 64) from src to the 64-byte aligned dst with non-temporal stores.
inline void copy_nontemporal(void* dst, const void* src, std::size_t bytes) {
#if defined(__AVX512F__)
  for (std::size_t i = 0; i < bytes; i += 64) {
    _mm512_stream_si512(reinterpret_cast<__m512i*>(static_cast<char*>(dst) + i),
                        _mm512_load_si512(static_cast<const char*>(src) + i));
  }
#elif defined(__AVX2__)
  for (std::size_t i = 0; i < bytes; i += 32) {
    _mm256_stream_si256(reinterpret_cast<__m256i*>(static_cast<char*>(dst) + i),
                        _mm256_load_si256(reinterpret_cast<const __m256i*>(static_cast<const char*>(src) + i)));
  }
#elif defined(__SSE2__)
  for (std::size_t i = 0; i < bytes; i += 16) {
    _mm_stream_si128(reinterpret_cast<__m128i*>(static_cast<char*>(dst) + i),
                     _mm_load_si128(reinterpret_cast<const __m128i*>(static_cast<const char*>(src) + i)));
  }
#else
  std::memcpy(dst, src, bytes);
#endif
}

inline void fence_nontemporal() {
#if defined(__SSE2__)
  _mm_sfence();
#endif
}

// The Philox4x32-10 blocks of group g, counters g * kLanes + i (low word, then high word, then
// two zero words): x[k][i] is word k of block i.
inline void group_blocks(std::uint64_t g, const Key2x32& key, std::uint32_t (&x)[4][kLanes]) {
  philox4x32_10_counters(g * kLanes, key, x);
}

template <class Dist, class Out>
void fill_groups(const DistParams& params, std::uint32_t key0, std::uint32_t key1, std::uint64_t g0,
                 std::uint64_t ng, void* out_ptr, bool nontemporal) {
  const Dist dist = make_distribution<Dist>(params);
  constexpr int E = kLanes * Dist::slots;
  Out* out = static_cast<Out*>(out_ptr);
  alignas(64) std::uint32_t x[4][kLanes];
  alignas(64) typename Dist::value_type vals[E];
  for (std::uint64_t g = g0; g < g0 + ng; ++g) {
    group_blocks(g, Key2x32{key0, key1}, x);
    dist.group(x, vals);
    Out* o = out + (g - g0) * E;
    if (nontemporal && reinterpret_cast<std::uintptr_t>(o) % 64 == 0) {
      alignas(64) Out staged[E];
      for (int j = 0; j < E; ++j) staged[j] = dist.template convert<Out>(vals[j]);
      copy_nontemporal(o, staged, sizeof(staged));
    } else {
      for (int j = 0; j < E; ++j) o[j] = dist.template convert<Out>(vals[j]);
    }
  }
  if (nontemporal) fence_nontemporal();
}

void word_groups(std::uint32_t key0, std::uint32_t key1, std::uint64_t g0, std::uint64_t ng, std::uint32_t* out) {
  alignas(64) std::uint32_t x[4][kLanes];
  for (std::uint64_t g = g0; g < g0 + ng; ++g) {
    group_blocks(g, Key2x32{key0, key1}, x);
    std::memcpy(out + (g - g0) * 4 * kLanes, x, sizeof(x));  // x[k][i] is word 16 k + i of the group
  }
}

KernelTable build_table() {
  KernelTable t{};
  t.isa = WEIGHTINIT_ISA_NAME;
  t.words = &word_groups;
  for (int d = 0; d < kDistKinds; ++d) {
    for (int o = 0; o < kOutKinds; ++o) {
      visit_kinds(static_cast<DistKind>(d), static_cast<OutKind>(o), [&](auto types) {
        using T = decltype(types);
        t.fill[d][o] = &fill_groups<typename T::Dist, typename T::Out>;
      });
    }
  }
  return t;
}

}  // namespace

const KernelTable& kernel_table() {
  static const KernelTable table = build_table();
  return table;
}

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
