// Consecutive Philox4x64-10 blocks, compiled once per instruction set (CMakeLists.txt: the
// numpy_philox_<isa> objects), each copy in its own namespace like kernels.cpp. Same bits on
// every path: the per-lane arithmetic is philox_block's.
//
// A 64 x 64 -> 128-bit product has no vector instruction; it is made of four 32 x 32 -> 64
// products (vpmuludq) and their sums. With AVX-512 (8 blocks a vector) that is still about 1.8
// times the scalar rate, with AVX2 (4 blocks) about 1.2 times; two groups of blocks are
// interleaved so one group's multiplications overlap the other's additions.
#include "philox_blocks.hpp"

#include <cstdint>

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {
namespace numpy_streams {
namespace {

// Blocks first+1 .. first+blocks, scalar, two at a time.
void blocks_scalar(Ctr4x64 counter, const Key2x64& key, std::uint64_t blocks, std::uint64_t* out) {
  std::uint64_t b = 0;
  for (; b + 2 <= blocks; b += 2) {
    const Ctr4x64 c0 = counter_add(counter, 1), c1 = counter_add(counter, 2);
    const Ctr4x64 v0 = philox_block<std::uint64_t>(c0, key), v1 = philox_block<std::uint64_t>(c1, key);
    for (int k = 0; k < 4; ++k) out[4 * b + k] = v0[k];
    for (int k = 0; k < 4; ++k) out[4 * b + 4 + k] = v1[k];
    counter = c1;
  }
  for (; b < blocks; ++b) {
    counter = counter_add(counter, 1);
    const Ctr4x64 v = philox_block<std::uint64_t>(counter, key);
    for (int k = 0; k < 4; ++k) out[4 * b + k] = v[k];
  }
}

#if defined(__AVX512F__) || defined(__AVX2__)
#if defined(__AVX512F__)
using V = __m512i;
constexpr int kLanes = 8;
inline V set1(std::uint64_t v) { return _mm512_set1_epi64(static_cast<long long>(v)); }
inline V add(V a, V b) { return _mm512_add_epi64(a, b); }
inline V and_(V a, V b) { return _mm512_and_si512(a, b); }
inline V srl32(V a) { return _mm512_srli_epi64(a, 32); }
inline V sll32(V a) { return _mm512_slli_epi64(a, 32); }
inline V mul32(V a, V b) { return _mm512_mul_epu32(a, b); }
inline V xor3(V a, V b, V c) { return _mm512_ternarylogic_epi64(a, b, c, 0x96); }
inline V or_and(V a, V b, V m) { return _mm512_ternarylogic_epi64(a, b, m, 0xF8); }  // a | (b & m)
inline V lane_index() { return _mm512_setr_epi64(1, 2, 3, 4, 5, 6, 7, 8); }
#else
using V = __m256i;
constexpr int kLanes = 4;
inline V set1(std::uint64_t v) { return _mm256_set1_epi64x(static_cast<long long>(v)); }
inline V add(V a, V b) { return _mm256_add_epi64(a, b); }
inline V and_(V a, V b) { return _mm256_and_si256(a, b); }
inline V srl32(V a) { return _mm256_srli_epi64(a, 32); }
inline V sll32(V a) { return _mm256_slli_epi64(a, 32); }
inline V mul32(V a, V b) { return _mm256_mul_epu32(a, b); }
inline V xor3(V a, V b, V c) { return _mm256_xor_si256(_mm256_xor_si256(a, b), c); }
inline V or_and(V a, V b, V m) { return _mm256_or_si256(a, _mm256_and_si256(b, m)); }
inline V lane_index() { return _mm256_setr_epi64x(1, 2, 3, 4); }
#endif

// (hi, lo) = a * x per lane, a = aH:aL a constant, from four 32 x 32 -> 64 products.
inline void mulhilo_lanes(V x, V a_lo, V a_hi, V& hi, V& lo) {
  const V m32 = set1(0xFFFFFFFFu);
  const V x_hi = srl32(x);
  const V ll = mul32(x, a_lo), lh = mul32(x, a_hi), hl = mul32(x_hi, a_lo), hh = mul32(x_hi, a_hi);
  const V mid = add(add(srl32(ll), and_(lh, m32)), and_(hl, m32));  // < 3 * 2^32: no overflow
  hi = add(add(hh, srl32(lh)), add(srl32(hl), srl32(mid)));
  lo = or_and(sll32(mid), ll, m32);
}

constexpr int kGroups = 2;

// x[g][w]: word w of kLanes blocks, for kGroups groups; ten rounds on all of them.
inline void rounds(V (&x)[kGroups][4], Key2x64 key) {
  const V m0_lo = set1(kPhilox4x64M0 & 0xFFFFFFFFu), m0_hi = set1(kPhilox4x64M0 >> 32);
  const V m1_lo = set1(kPhilox4x64M1 & 0xFFFFFFFFu), m1_hi = set1(kPhilox4x64M1 >> 32);
  for (int r = 0; r < kPhiloxRounds; ++r) {
    if (r > 0) philox_bumpkey(key);
    const V k0 = set1(key[0]), k1 = set1(key[1]);
    for (int g = 0; g < kGroups; ++g) {
      V hi0, lo0, hi1, lo1;
      mulhilo_lanes(x[g][0], m0_lo, m0_hi, hi0, lo0);
      mulhilo_lanes(x[g][2], m1_lo, m1_hi, hi1, lo1);
      const V y0 = xor3(hi1, x[g][1], k0);
      const V y2 = xor3(hi0, x[g][3], k1);
      x[g][0] = y0;
      x[g][1] = lo1;
      x[g][2] = y2;
      x[g][3] = lo0;
    }
  }
}

// Word-major lanes to block-major memory: out gets block 0's four words, then block 1's, ...
inline void store_blocks(const V (&x)[4], std::uint64_t* out) {
  alignas(64) std::uint64_t w[4][kLanes];
  for (int k = 0; k < 4; ++k) std::memcpy(w[k], &x[k], sizeof(V));
  for (int l = 0; l < kLanes; ++l) {
    for (int k = 0; k < 4; ++k) out[4 * l + k] = w[k][l];
  }
}

void blocks_vector(Ctr4x64 counter, const Key2x64& key, std::uint64_t blocks, std::uint64_t* out) {
  constexpr std::uint64_t kStep = kLanes * kGroups;
  // Lanes count with the counter's low word only; a carry into the next word goes the scalar way.
  std::uint64_t b = 0;
  if (counter[0] <= ~std::uint64_t{0} - blocks) {
    const V c1 = set1(counter[1]), c2 = set1(counter[2]), c3 = set1(counter[3]);
    for (; b + kStep <= blocks; b += kStep) {
      V x[kGroups][4];
      for (int g = 0; g < kGroups; ++g) {
        x[g][0] = add(set1(counter[0] + b + static_cast<std::uint64_t>(g * kLanes)), lane_index());
        x[g][1] = c1;
        x[g][2] = c2;
        x[g][3] = c3;
      }
      rounds(x, key);
      for (int g = 0; g < kGroups; ++g) store_blocks(x[g], out + 4 * (b + static_cast<std::uint64_t>(g * kLanes)));
    }
  }
  blocks_scalar(counter_add(counter, b), key, blocks - b, out + 4 * b);
}
#endif

}  // namespace

void philox4x64_blocks(const Ctr4x64& counter, const Key2x64& key, std::uint64_t blocks, std::uint64_t* out) {
#if defined(__AVX512F__) || defined(__AVX2__)
  blocks_vector(counter, key, blocks, out);
#else
  blocks_scalar(counter, key, blocks, out);
#endif
}

}  // namespace numpy_streams
}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
