// The NumPy streams' hot loops (see stream_kernels.hpp), compiled once per instruction set.
// Same bits on every path: each lane does the scalar code's integer arithmetic.
//
// Philox: a 64 x 64 -> 128-bit product has no vector instruction; it is made of four
// 32 x 32 -> 64 products (vpmuludq) and their sums, 14 vector operations in all (AVX-512; one
// more with AVX2), while the scalar unit makes a few more blocks beside them. Per word in cache
// on the project's machine: scalar 2.85 ns, AVX2 1.53, AVX-512 1.27.
// Lemire (AVX-512): 8 (8- and 16-bit: 16) candidates a vector, the accepted values packed
// with a compress.
// The ziggurats' one-unit samples (AVX-512 with VBMI): 64 a block, the tables looked up by byte
// permutes (with gathers for the tables it was no faster than the scalar loop on the project's
// machine).
#include "stream_kernels.hpp"

#include <algorithm>
#include <cstdint>

#include "../per_isa/philox.hpp"
#include "bounded.hpp"
#include "engines.hpp"
#include "ziggurat_planes.hpp"

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {
namespace numpy_streams {
namespace {

// ------------------------------------------------------------------------------------ Philox

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
#if defined(__GNUC__)
#define WEIGHTINIT_NOINLINE __attribute__((noinline))
#else
#define WEIGHTINIT_NOINLINE
#endif
#if defined(__AVX512F__)
using V = __m512i;
constexpr int kLanes = 8;
inline V set1(std::uint64_t v) { return _mm512_set1_epi64(static_cast<long long>(v)); }
inline V add(V a, V b) { return _mm512_add_epi64(a, b); }
inline V low32(V a) { return _mm512_and_si512(a, _mm512_set1_epi64(0xFFFFFFFF)); }
// (h << 32) | (l & 0xFFFFFFFF): h's even 32-bit halves moved up over l's odd ones, in one shuffle.
inline V join32(V h, V l) { return _mm512_mask_shuffle_epi32(l, 0xAAAA, h, _MM_PERM_CDAB); }
inline V srl32(V a) { return _mm512_srli_epi64(a, 32); }
inline V mul32(V a, V b) { return _mm512_mul_epu32(a, b); }
inline V xor3(V a, V b, V c) { return _mm512_ternarylogic_epi64(a, b, c, 0x96); }
inline V lane_index() { return _mm512_setr_epi64(1, 2, 3, 4, 5, 6, 7, 8); }
#else
using V = __m256i;
constexpr int kLanes = 4;
inline V set1(std::uint64_t v) { return _mm256_set1_epi64x(static_cast<long long>(v)); }
inline V add(V a, V b) { return _mm256_add_epi64(a, b); }
inline V low32(V a) { return _mm256_and_si256(a, _mm256_set1_epi64x(0xFFFFFFFF)); }
inline V join32(V h, V l) { return _mm256_blend_epi32(l, _mm256_slli_epi64(h, 32), 0xAA); }
inline V srl32(V a) { return _mm256_srli_epi64(a, 32); }
inline V mul32(V a, V b) { return _mm256_mul_epu32(a, b); }
inline V xor3(V a, V b, V c) { return _mm256_xor_si256(_mm256_xor_si256(a, b), c); }
inline V lane_index() { return _mm256_setr_epi64x(1, 2, 3, 4); }
#endif

// (hi, lo) = a * x per lane, a = aH:aL a constant, from four 32 x 32 -> 64 products
// (xL aL, xL aH, xH aL, xH aH). The middle sums cannot overflow: a product is at most
// (2^32 - 1)^2 = 2^64 - 2^33 + 1, and each adds a number below 2^32 to one.
inline void mulhilo_lanes(V x, V a_lo, V a_hi, V& hi, V& lo) {
  const V x_hi = srl32(x);
  const V ll = mul32(x, a_lo), lh = mul32(x, a_hi), hl = mul32(x_hi, a_lo), hh = mul32(x_hi, a_hi);
  const V t = add(hl, srl32(ll));           // xH aL + high half of xL aL
  const V w = add(lh, low32(t));            // xL aH + low half of t: bits 32.. of the product
  hi = add(add(hh, srl32(t)), srl32(w));
  lo = join32(w, ll);                       // low half of w above the low half of ll
}

// Groups of vector blocks interleaved (one group's products overlap another's sums), and blocks
// done by the scalar unit (64 x 64 -> 128-bit mul) in the same round loop: its integer
// multiplier runs beside the vector units. Measured best on the project's machine (per word,
// in cache): AVX-512 2 groups and 6 scalar blocks (1.27 ns; 4 scalar: 1.31, none: 1.60),
// AVX2 3 groups and 2 scalar blocks (1.53 ns; 2 and 4: 1.69).
#if defined(__AVX512F__)
constexpr int kGroups = 2;
constexpr int kScalarBlocks = 6;
#else
constexpr int kGroups = 3;
constexpr int kScalarBlocks = 2;
#endif

// x[g][w]: word w of kLanes blocks, for G groups, and s[j] S more blocks (none where s is null);
// ten rounds on all of them.
template <int G, int S>
inline void rounds(V (&x)[G][4], Ctr4x64* s, Key2x64 key) {
  const V m0_lo = set1(kPhilox4x64M0 & 0xFFFFFFFFu), m0_hi = set1(kPhilox4x64M0 >> 32);
  const V m1_lo = set1(kPhilox4x64M1 & 0xFFFFFFFFu), m1_hi = set1(kPhilox4x64M1 >> 32);
  for (int r = 0; r < kPhiloxRounds; ++r) {
    if (r > 0) philox_bumpkey(key);
    const V k0 = set1(key[0]), k1 = set1(key[1]);
    for (int g = 0; g < G; ++g) {
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
    for (int j = 0; j < S; ++j) philox_round(s[j], key);
  }
}

// Word-major lanes to block-major memory: out gets block 0's four words, then block 1's, ...
#if defined(__AVX512F__)
// A 4 x 8 transpose in registers: 4 unpacks, 4 two-source permutes and 4 128-bit shuffles
// instead of 32 scalar moves (about 10 % of a Philox word's cost on AVX-512, more on AVX2).
inline void store_blocks(const V (&x)[4], std::uint64_t* out) {
  const V t0 = _mm512_unpacklo_epi64(x[0], x[1]);  // 128-bit lane j: x0[2j],   x1[2j]
  const V t1 = _mm512_unpackhi_epi64(x[0], x[1]);  //                 x0[2j+1], x1[2j+1]
  const V t2 = _mm512_unpacklo_epi64(x[2], x[3]);  //                 x2[2j],   x3[2j]
  const V t3 = _mm512_unpackhi_epi64(x[2], x[3]);  //                 x2[2j+1], x3[2j+1]
  // Lanes 0, 1 of the first source interleaved with those of the second (and lanes 2, 3).
  const V lo_lanes = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11);
  const V hi_lanes = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
  const V u0 = _mm512_permutex2var_epi64(t0, lo_lanes, t2);  // t0.L0 t2.L0 t0.L1 t2.L1
  const V v0 = _mm512_permutex2var_epi64(t1, lo_lanes, t3);  // t1.L0 t3.L0 t1.L1 t3.L1
  const V u1 = _mm512_permutex2var_epi64(t0, hi_lanes, t2);  // t0.L2 t2.L2 t0.L3 t2.L3
  const V v1 = _mm512_permutex2var_epi64(t1, hi_lanes, t3);  // t1.L2 t3.L2 t1.L3 t3.L3
  _mm512_storeu_si512(out + 0, _mm512_shuffle_i64x2(u0, v0, 0x44));   // blocks 0, 1
  _mm512_storeu_si512(out + 8, _mm512_shuffle_i64x2(u0, v0, 0xEE));   // blocks 2, 3
  _mm512_storeu_si512(out + 16, _mm512_shuffle_i64x2(u1, v1, 0x44));  // blocks 4, 5
  _mm512_storeu_si512(out + 24, _mm512_shuffle_i64x2(u1, v1, 0xEE));  // blocks 6, 7
}
#else
// The 4 x 4 transpose, in registers too.
inline void store_blocks(const V (&x)[4], std::uint64_t* out) {
  const V t0 = _mm256_unpacklo_epi64(x[0], x[1]);  // x0[0] x1[0] x0[2] x1[2]
  const V t1 = _mm256_unpackhi_epi64(x[0], x[1]);  // x0[1] x1[1] x0[3] x1[3]
  const V t2 = _mm256_unpacklo_epi64(x[2], x[3]);  // x2[0] x3[0] x2[2] x3[2]
  const V t3 = _mm256_unpackhi_epi64(x[2], x[3]);  // x2[1] x3[1] x2[3] x3[3]
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 0), _mm256_permute2x128_si256(t0, t2, 0x20));   // block 0
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 4), _mm256_permute2x128_si256(t1, t3, 0x20));   // block 1
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8), _mm256_permute2x128_si256(t0, t2, 0x31));   // block 2
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 12), _mm256_permute2x128_si256(t1, t3, 0x31));  // block 3
}
#endif

// Blocks counter + 1 + b ... a vector (kLanes blocks) at a time while whole vectors fit before
// `blocks`; returns where it stopped. Kept out of line: inlined, it made the main loop's register
// allocation worse (AVX2 words 1.54 -> 1.72 ns).
WEIGHTINIT_NOINLINE std::uint64_t vector_blocks(const Ctr4x64& counter, const Key2x64& key, std::uint64_t b,
                                                std::uint64_t blocks, std::uint64_t* out) {
  for (; b + kLanes <= blocks; b += kLanes) {
    V x[1][4] = {{add(set1(counter[0] + b), lane_index()), set1(counter[1]), set1(counter[2]), set1(counter[3])}};
    rounds<1, 0>(x, nullptr, key);
    store_blocks(x[0], out + 4 * b);
  }
  return b;
}

void philox4x64_blocks(const Ctr4x64& counter, const Key2x64& key, std::uint64_t blocks, std::uint64_t* out) {
  constexpr std::uint64_t kVectorStep = kLanes * kGroups;
  constexpr std::uint64_t kStep = kVectorStep + kScalarBlocks;
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
      Ctr4x64 s[kScalarBlocks];
      for (int j = 0; j < kScalarBlocks; ++j) {
        s[j] = {counter[0] + b + kVectorStep + static_cast<std::uint64_t>(j) + 1, counter[1], counter[2], counter[3]};
      }
      rounds<kGroups, kScalarBlocks>(x, s, key);
      for (int g = 0; g < kGroups; ++g) store_blocks(x[g], out + 4 * (b + static_cast<std::uint64_t>(g * kLanes)));
      for (int j = 0; j < kScalarBlocks; ++j) {
        for (int k = 0; k < 4; ++k) out[4 * (b + kVectorStep + static_cast<std::uint64_t>(j)) + static_cast<std::uint64_t>(k)] = s[j][k];
      }
    }
    // The rest a vector at a time (a NumPy stream's batch of 64 blocks leaves 20 here with AVX-512).
    b = vector_blocks(counter, key, b, blocks, out);
  }
  blocks_scalar(counter_add(counter, b), key, blocks - b, out + 4 * b);
}
#else
void philox4x64_blocks(const Ctr4x64& counter, const Key2x64& key, std::uint64_t blocks, std::uint64_t* out) {
  blocks_scalar(counter, key, blocks, out);
}
#endif

// ----------------------------------------------------------------------------------- Lemire

template <class Unit, class Out>
std::size_t lemire_scalar(const Unit* units, std::size_t n, Out off, Unit rng_excl, Unit threshold, Out* values,
                          bool* last_accepted) {
  const LemireSampler<Unit, Out> s(off, static_cast<Unit>(rng_excl - 1));
  (void)threshold;  // the sampler's own, the same
  std::size_t count = 0;
  bool accepted = false;
  for (std::size_t j = 0; j < n; ++j) {
    accepted = s.fast(units[j], values[count]);
    count += accepted ? 1 : 0;
  }
  *last_accepted = accepted;
  return count;
}

#if defined(__AVX512F__)

// Accepted candidates, 8 at a time: values packed with a compress, stored whole (the store may
// reach past the packed values, never past values + n).
std::size_t lemire_u64(const std::uint64_t* units, std::size_t n, std::uint64_t off, std::uint64_t rng_excl,
                       std::uint64_t threshold, std::uint64_t* values, bool* last_accepted) {
  const V r_lo = set1(rng_excl & 0xFFFFFFFFu), r_hi = set1(rng_excl >> 32), vthreshold = set1(threshold), voff = set1(off);
  std::size_t j = 0, count = 0;
  bool last = false;
  for (; j + 8 <= n; j += 8) {
    V hi, lo;
    mulhilo_lanes(_mm512_loadu_si512(units + j), r_lo, r_hi, hi, lo);
    const __mmask8 accepted = _mm512_cmpge_epu64_mask(lo, vthreshold);
    _mm512_storeu_si512(values + count, _mm512_maskz_compress_epi64(accepted, add(voff, hi)));
    count += static_cast<std::size_t>(__builtin_popcount(accepted));
    last = (accepted >> 7) & 1;
  }
  if (j == n) {
    *last_accepted = last;
    return count;
  }
  return count + lemire_scalar<std::uint64_t, std::uint64_t>(units + j, n - j, off, rng_excl, threshold, values + count,
                                                             last_accepted);
}

// 32-bit candidates, 8 at a time in 64-bit lanes (one vpmuludq gives the whole product).
template <class Out>
std::size_t lemire_u32_lanes(const std::uint32_t* units, std::size_t n, Out off, std::uint32_t rng_excl,
                             std::uint32_t threshold, Out* values, bool* last_accepted) {
  const V vr = set1(rng_excl), vthreshold = set1(threshold), voff = set1(off);
  std::size_t j = 0, count = 0;
  bool last = false;
  for (; j + 8 <= n; j += 8) {
    const V u = _mm512_cvtepu32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(units + j)));
    const V m = mul32(u, vr);
    const __mmask8 accepted = _mm512_cmpge_epu64_mask(low32(m), vthreshold);
    const V v = _mm512_maskz_compress_epi64(accepted, add(voff, srl32(m)));
    if constexpr (sizeof(Out) == 8) {
      _mm512_storeu_si512(values + count, v);
    } else {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(values + count), _mm512_cvtepi64_epi32(v));  // mod 2^32
    }
    count += static_cast<std::size_t>(__builtin_popcount(accepted));
    last = (accepted >> 7) & 1;
  }
  if (j == n) {
    *last_accepted = last;
    return count;
  }
  return count + lemire_scalar<std::uint32_t, Out>(units + j, n - j, off, rng_excl, threshold, values + count, last_accepted);
}

std::size_t lemire_u32(const std::uint32_t* units, std::size_t n, std::uint32_t off, std::uint32_t rng_excl,
                       std::uint32_t threshold, std::uint32_t* values, bool* last_accepted) {
  return lemire_u32_lanes<std::uint32_t>(units, n, off, rng_excl, threshold, values, last_accepted);
}

// 8- and 16-bit candidates, 16 at a time in 32-bit lanes (the product fits 32 bits).
template <class Unit>
std::size_t lemire_narrow(const Unit* units, std::size_t n, Unit off, Unit rng_excl, Unit threshold, Unit* values,
                          bool* last_accepted) {
  constexpr int kBits = 8 * static_cast<int>(sizeof(Unit));
  const __m512i vr = _mm512_set1_epi32(rng_excl), vthreshold = _mm512_set1_epi32(threshold), voff = _mm512_set1_epi32(off);
  const __m512i mask = _mm512_set1_epi32((1 << kBits) - 1);
  std::size_t j = 0, count = 0;
  bool last = false;
  for (; j + 16 <= n; j += 16) {
    __m512i u;
    if constexpr (kBits == 8) {
      u = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(units + j)));
    } else {
      u = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(units + j)));
    }
    const __m512i m = _mm512_mullo_epi32(u, vr);
    const __mmask16 accepted = _mm512_cmpge_epu32_mask(_mm512_and_si512(m, mask), vthreshold);
    const __m512i v = _mm512_maskz_compress_epi32(accepted, _mm512_add_epi32(voff, _mm512_srli_epi32(m, kBits)));
    if constexpr (kBits == 8) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(values + count), _mm512_cvtepi32_epi8(v));  // mod 2^8
    } else {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(values + count), _mm512_cvtepi32_epi16(v));  // mod 2^16
    }
    count += static_cast<std::size_t>(__builtin_popcount(accepted));
    last = (accepted >> 15) & 1;
  }
  if (j == n) {
    *last_accepted = last;
    return count;
  }
  return count + lemire_scalar<Unit, Unit>(units + j, n - j, off, rng_excl, threshold, values + count, last_accepted);
}

std::size_t lemire_u16(const std::uint16_t* units, std::size_t n, std::uint16_t off, std::uint16_t rng_excl,
                       std::uint16_t threshold, std::uint16_t* values, bool* last_accepted) {
  return lemire_narrow<std::uint16_t>(units, n, off, rng_excl, threshold, values, last_accepted);
}
std::size_t lemire_u8(const std::uint8_t* units, std::size_t n, std::uint8_t off, std::uint8_t rng_excl,
                      std::uint8_t threshold, std::uint8_t* values, bool* last_accepted) {
  return lemire_narrow<std::uint8_t>(units, n, off, rng_excl, threshold, values, last_accepted);
}
std::size_t lemire_u32_to_u64(const std::uint32_t* units, std::size_t n, std::uint64_t off, std::uint32_t rng_excl,
                              std::uint32_t threshold, std::uint64_t* values, bool* last_accepted) {
  return lemire_u32_lanes<std::uint64_t>(units, n, off, rng_excl, threshold, values, last_accepted);
}
#else
std::size_t lemire_u64(const std::uint64_t* units, std::size_t n, std::uint64_t off, std::uint64_t rng_excl,
                       std::uint64_t threshold, std::uint64_t* values, bool* last_accepted) {
  return lemire_scalar<std::uint64_t, std::uint64_t>(units, n, off, rng_excl, threshold, values, last_accepted);
}
std::size_t lemire_u32(const std::uint32_t* units, std::size_t n, std::uint32_t off, std::uint32_t rng_excl,
                       std::uint32_t threshold, std::uint32_t* values, bool* last_accepted) {
  return lemire_scalar<std::uint32_t, std::uint32_t>(units, n, off, rng_excl, threshold, values, last_accepted);
}
std::size_t lemire_u32_to_u64(const std::uint32_t* units, std::size_t n, std::uint64_t off, std::uint32_t rng_excl,
                              std::uint32_t threshold, std::uint64_t* values, bool* last_accepted) {
  return lemire_scalar<std::uint32_t, std::uint64_t>(units, n, off, rng_excl, threshold, values, last_accepted);
}
std::size_t lemire_u16(const std::uint16_t* units, std::size_t n, std::uint16_t off, std::uint16_t rng_excl,
                       std::uint16_t threshold, std::uint16_t* values, bool* last_accepted) {
  return lemire_scalar<std::uint16_t, std::uint16_t>(units, n, off, rng_excl, threshold, values, last_accepted);
}
std::size_t lemire_u8(const std::uint8_t* units, std::size_t n, std::uint8_t off, std::uint8_t rng_excl,
                      std::uint8_t threshold, std::uint8_t* values, bool* last_accepted) {
  return lemire_scalar<std::uint8_t, std::uint8_t>(units, n, off, rng_excl, threshold, values, last_accepted);
}
#endif

// ----------------------------------------------------------------------------------- ziggurats

#if defined(__AVX512F__) && defined(__GNUC__)
// NumPy's ziggurat samples that take one unit (about 99 %), 64 at a time (exponential and
// normal, float64 and float32): the 256-entry tables are looked up a byte plane at a time
// (ziggurat_planes.hpp) with VBMI's two-source byte permutes instead of gathers (which were no
// faster than the scalar loop here). The 64 units' index bytes go into one vector in an order
// (below) that makes the byte transpose of the looked-up planes land each unit's table entry in
// the lane of the unit itself, so a value is the scalar code's product, one rounding. The
// acceptance test compares the top 16 bits of each side; a tie (2^-16 of units) ends the run
// there, and the caller's scalar code decides that sample exactly.
#define WEIGHTINIT_VBMI_TARGET __attribute__((target("avx512vbmi,avx512dq")))
// GCC 12 warns inside its own intrinsics (their _mm512_undefined_epi32()) when they are inlined
// into a function with a target attribute.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"

struct alignas(64) Bytes64 {
  std::uint8_t b[64];
};
template <class F>
constexpr Bytes64 bytes_of(F f) {
  Bytes64 r{};
  for (int i = 0; i < 64; ++i) r.b[i] = static_cast<std::uint8_t>(f(i));
  return r;
}

// float64: unit s = 8 r + 2 l + t (vector r of 8 words, lane 2 l + t) sits at plane byte
// b = 16 l + 2 r + t, because after the three unpack levels of the 8 x 8 byte transpose, vector
// r holds in its 128-bit lane l the entries of plane bytes 16 l + 2 r and 16 l + 2 r + 1.
// The permute index of byte 0 of unit s, within its pair of vectors (2q, 2q + 1):
constexpr Bytes64 kPairBytesF64 = bytes_of([](int b) { return (((b & 15) >> 1) & 1) * 64 + 8 * (2 * (b >> 4) + (b & 1)); });
// Where unit s's byte is (b, for the mask's way back to unit order).
constexpr Bytes64 kPlaneByteF64 = bytes_of([](int s) { return 16 * ((s >> 1) & 3) + 2 * (s >> 3) + (s & 1); });
// float32: unit s = 16 r + 4 l + i (vector r of 16 half-words, lane 4 l + i) at b = 16 l + 4 r + i.
constexpr Bytes64 kPairBytesF32 = bytes_of([](int b) { return (((b & 15) >> 2) & 1) * 64 + 4 * (4 * (b >> 4) + (b & 3)); });
constexpr Bytes64 kPlaneByteF32 = bytes_of([](int s) { return 16 * ((s >> 2) & 3) + 4 * (s >> 4) + (s & 3); });

WEIGHTINIT_VBMI_TARGET inline __m512i load(const Bytes64& b) { return _mm512_load_si512(b.b); }

// Byte b of the result: entry idx[b] of a 256-entry byte plane (two permutes by the low 7 bits,
// a blend by bit 7, `high`).
WEIGHTINIT_VBMI_TARGET inline __m512i lookup256(const std::uint8_t* plane, __m512i idx, __mmask64 high) {
  const __m512i lo = _mm512_permutex2var_epi8(_mm512_load_si512(plane), idx, _mm512_load_si512(plane + 64));
  const __m512i hi = _mm512_permutex2var_epi8(_mm512_load_si512(plane + 128), idx, _mm512_load_si512(plane + 192));
  return _mm512_mask_blend_epi8(high, lo, hi);
}

// The plane of the units' byte c: from vector pair q where pairs[q - 1] selects its bytes.
template <int Pairs>
WEIGHTINIT_VBMI_TARGET inline __m512i gather_plane(const __m512i* m, __m512i pair_bytes, int c, const __mmask64* pairs) {
  const __m512i index = _mm512_add_epi8(pair_bytes, _mm512_set1_epi8(static_cast<char>(c)));
  __m512i p = _mm512_permutex2var_epi8(m[0], index, m[1]);
  for (int q = 1; q < Pairs; ++q) p = _mm512_mask_mov_epi8(p, pairs[q - 1], _mm512_permutex2var_epi8(m[2 * q], index, m[2 * q + 1]));
  return p;
}

// ri < threshold[idx] decided on the top 16 bits (bytes lo, hi of each side, in plane order);
// false on a tie.
WEIGHTINIT_VBMI_TARGET inline __mmask64 surely_below(const std::uint8_t (*top)[256], __m512i idx, __mmask64 high,
                                                     __m512i lo, __m512i hi) {
  const __m512i kl = lookup256(top[0], idx, high), kh = lookup256(top[1], idx, high);
  return _kor_mask64(_mm512_cmplt_epu8_mask(hi, kh), _kand_mask64(_mm512_cmpeq_epi8_mask(hi, kh), _mm512_cmplt_epu8_mask(lo, kl)));
}

// A plane-order mask (bit b) in unit order (bit s, where plane_byte[s] = b).
WEIGHTINIT_VBMI_TARGET inline std::uint64_t unit_order(__mmask64 m, const Bytes64& plane_byte) {
  return _cvtmask64_u64(_mm512_movepi8_mask(_mm512_permutexvar_epi8(load(plane_byte), _mm512_movm_epi8(m))));
}

// The one-unit paths (NumPy's distributions.c), as the block kernels see them: where the table
// index is (kFields: a multishift control that puts it in byte 0 of each unit and the bits
// the threshold is compared with in the unit's top two bytes), the planes, and the value of a
// unit w from its table entry.
//   exponential float64: idx = bits 3 .. 10, ri = w >> 11 (53 bits): ri * we[idx], if ri < ke[idx]
//   normal float64: idx = bits 0 .. 7, sign = bit 8, rabs = bits 9 .. 60: +-rabs * wi[idx], if rabs < ki[idx]
//   exponential float32: idx = bits 1 .. 8, ri = w >> 9 (23 bits); normal float32: idx = bits
//   0 .. 7, sign = bit 8, rabs = w >> 9. A sign is applied after the product (a flip of its sign
//   bit, as the scalar negate_if).
struct ExponentialF64Block {
  static constexpr long long kFields = 0x3830282018100803ll;  // byte 0 <- bits 3 .. 10; 6, 7 <- 48 .. 63
  static const numpy_ziggurat::TablePlanes<8>& planes() { return numpy_ziggurat::ziggurat_planes().exponential_f64; }
  WEIGHTINIT_VBMI_TARGET static __m512d value(__m512i w, __m512i entry) {
    return _mm512_mul_pd(_mm512_cvtepi64_pd(_mm512_srli_epi64(w, 11)), _mm512_castsi512_pd(entry));
  }
};
struct NormalF64Block {
  static constexpr long long kFields = 0x352D282018100800ll;  // byte 0 <- bits 0 .. 7; 6, 7 <- 45 .. 60
  static const numpy_ziggurat::TablePlanes<8>& planes() { return numpy_ziggurat::ziggurat_planes().normal_f64; }
  WEIGHTINIT_VBMI_TARGET static __m512d value(__m512i w, __m512i entry) {
    const __m512i rabs = _mm512_and_si512(_mm512_srli_epi64(w, 9), _mm512_set1_epi64(0x000FFFFFFFFFFFFFll));
    const __m512d x = _mm512_mul_pd(_mm512_cvtepi64_pd(rabs), _mm512_castsi512_pd(entry));
    const __m512i sign = _mm512_and_si512(_mm512_slli_epi64(w, 55), _mm512_set1_epi64(static_cast<long long>(1ull << 63)));
    return _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(x), sign));
  }
};
struct ExponentialF32Block {
  static constexpr long long kFields = 0x3830282118100801ll;  // each half-word's byte 0 <- its bits 1 .. 8
  static const numpy_ziggurat::TablePlanes<4>& planes() { return numpy_ziggurat::ziggurat_planes().exponential_f32; }
  WEIGHTINIT_VBMI_TARGET static __m512 value(__m512i w, __m512i entry) {
    return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(w, 9)), _mm512_castsi512_ps(entry));
  }
};
struct NormalF32Block {
  static constexpr long long kFields = 0x3830282018100800ll;  // the bytes as they are
  static const numpy_ziggurat::TablePlanes<4>& planes() { return numpy_ziggurat::ziggurat_planes().normal_f32; }
  WEIGHTINIT_VBMI_TARGET static __m512 value(__m512i w, __m512i entry) {
    const __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(w, 9)), _mm512_castsi512_ps(entry));
    const __m512i sign = _mm512_and_si512(_mm512_slli_epi32(w, 23), _mm512_set1_epi32(static_cast<int>(0x80000000u)));
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), sign));
  }
};

// The units of a block of up to 64 that are each a whole sample (bit j for units[j]); every
// unit's value (as if it were one) in values[0, n). float64: 8 vectors of 8 words.
template <class Z>
WEIGHTINIT_VBMI_TARGET std::uint64_t block_f64(const std::uint64_t* units, std::size_t n, double* values) {
  const numpy_ziggurat::TablePlanes<8>& tb = Z::planes();
  const __mmask64 pairs[3] = {0x00F000F000F000F0ull, 0x0F000F000F000F00ull, 0xF000F000F000F000ull};  // (b & 15) >> 2 == q
  const __m512i fields = _mm512_set1_epi64(Z::kFields);
  const __m512i pair_bytes = load(kPairBytesF64);
  const std::uint64_t valid = n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
  __m512i w[8], m[8];
  for (int r = 0; r < 8; ++r) {
    w[r] = _mm512_maskz_loadu_epi64(static_cast<__mmask8>(valid >> (8 * r)), units + std::min<std::size_t>(8 * r, n));
    m[r] = _mm512_multishift_epi64_epi8(fields, w[r]);
  }
  const __m512i idx = gather_plane<4>(m, pair_bytes, 0, pairs);
  const __mmask64 high = _mm512_movepi8_mask(idx);
  const __mmask64 accept = surely_below(tb.top, idx, high, gather_plane<4>(m, pair_bytes, 6, pairs),
                                        gather_plane<4>(m, pair_bytes, 7, pairs));
  __m512i p[8], a[8], c[8];
  for (int k = 0; k < 8; ++k) p[k] = lookup256(tb.entry[k], idx, high);
  for (int k = 0; k < 4; ++k) {  // 16-bit elements: bytes of planes 2k, 2k + 1
    a[2 * k] = _mm512_unpacklo_epi8(p[2 * k], p[2 * k + 1]);
    a[2 * k + 1] = _mm512_unpackhi_epi8(p[2 * k], p[2 * k + 1]);
  }
  for (int h = 0; h < 8; h += 4) {  // 32-bit elements: planes 0-3, 4-7; b % 16 in 0-3, 4-7, 8-11, 12-15
    c[h + 0] = _mm512_unpacklo_epi16(a[h + 0], a[h + 2]);
    c[h + 1] = _mm512_unpackhi_epi16(a[h + 0], a[h + 2]);
    c[h + 2] = _mm512_unpacklo_epi16(a[h + 1], a[h + 3]);
    c[h + 3] = _mm512_unpackhi_epi16(a[h + 1], a[h + 3]);
  }
  for (int k = 0; k < 4; ++k) {  // whole entries: b % 16 in {4k, 4k + 1} (vector 2k), {4k + 2, 4k + 3}
    for (int e = 0; e < 2; ++e) {
      const int r = 2 * k + e;
      const __m512i entry = e == 0 ? _mm512_unpacklo_epi32(c[k], c[4 + k]) : _mm512_unpackhi_epi32(c[k], c[4 + k]);
      _mm512_mask_storeu_pd(values + std::min<std::size_t>(8 * r, n), static_cast<__mmask8>(valid >> (8 * r)),
                            Z::value(w[r], entry));
    }
  }
  return unit_order(accept, kPlaneByteF64) & valid;
}

// float32: 4 vectors of 16 half-words.
template <class Z>
WEIGHTINIT_VBMI_TARGET std::uint64_t block_f32(const std::uint32_t* units, std::size_t n, float* values) {
  const numpy_ziggurat::TablePlanes<4>& tb = Z::planes();
  const __mmask64 pairs[1] = {0xFF00FF00FF00FF00ull};  // (b & 15) >> 3 == 1
  const __m512i fields = _mm512_set1_epi64(Z::kFields);
  const __m512i pair_bytes = load(kPairBytesF32);
  const std::uint64_t valid = n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
  __m512i w[4], m[4];
  for (int r = 0; r < 4; ++r) {
    w[r] = _mm512_maskz_loadu_epi32(static_cast<__mmask16>(valid >> (16 * r)), units + std::min<std::size_t>(16 * r, n));
    m[r] = _mm512_multishift_epi64_epi8(fields, w[r]);
  }
  const __m512i idx = gather_plane<2>(m, pair_bytes, 0, pairs);
  const __mmask64 high = _mm512_movepi8_mask(idx);
  const __mmask64 accept = surely_below(tb.top, idx, high, gather_plane<2>(m, pair_bytes, 2, pairs),
                                        gather_plane<2>(m, pair_bytes, 3, pairs));
  __m512i p[4];
  for (int k = 0; k < 4; ++k) p[k] = lookup256(tb.entry[k], idx, high);
  const __m512i a0 = _mm512_unpacklo_epi8(p[0], p[1]), a1 = _mm512_unpackhi_epi8(p[0], p[1]);
  const __m512i a2 = _mm512_unpacklo_epi8(p[2], p[3]), a3 = _mm512_unpackhi_epi8(p[2], p[3]);
  const __m512i entry[4] = {_mm512_unpacklo_epi16(a0, a2), _mm512_unpackhi_epi16(a0, a2),   // b % 16 in 0-3, 4-7
                            _mm512_unpacklo_epi16(a1, a3), _mm512_unpackhi_epi16(a1, a3)};  // 8-11, 12-15
  for (int r = 0; r < 4; ++r) {
    _mm512_mask_storeu_ps(values + std::min<std::size_t>(16 * r, n), static_cast<__mmask16>(valid >> (16 * r)),
                          Z::value(w[r], entry[r]));
  }
  return unit_order(accept, kPlaneByteF32) & valid;
}

constexpr auto kExponentialF64Block = &block_f64<ExponentialF64Block>;
constexpr auto kNormalF64Block = &block_f64<NormalF64Block>;
constexpr auto kExponentialF32Block = &block_f32<ExponentialF32Block>;
constexpr auto kNormalF32Block = &block_f32<NormalF32Block>;
#pragma GCC diagnostic pop
#endif

// ------------------------------------------------------------------------------------- PCG64

#if (defined(__AVX512F__) || defined(__AVX2__)) && defined(__GNUC__)
// kPcgFillWords consecutive words at a time, kLanes a vector: lane j of vector v holds LCG state
// T_{kLanes v + j}, and every step jumps each lane 32 states ahead (A T + C, the 32-step affine
// map). The 128-bit product by a constant: low halves times A's low half in full
// (mulhilo_lanes), the two cross products low words only: one vpmullq each with AVX512DQ (in
// these functions only; the dispatcher picks the avx512 kernels only where the CPU reports DQ),
// three 32-bit products each with AVX2. On the project's machine, one thread, 2^24 doubles into
// out=: Generator(PCG64).random 19.4-21.6 ms with AVX-512 and 27.5-28.1 with AVX2, against 33 with
// the scalar loop's four interleaved chains (the scalar ISA's path) and NumPy's 37 (PCG64DXSM:
// 22, 32, 40 and 37).
#if defined(__AVX512F__)
#define WEIGHTINIT_PCG_TARGET __attribute__((target("avx512dq")))
WEIGHTINIT_PCG_TARGET inline V mullo64(V a, V b) { return _mm512_mullo_epi64(a, b); }
inline V loadu(const std::uint64_t* p) { return _mm512_loadu_si512(p); }
inline void storeu(std::uint64_t* p, V v) { _mm512_storeu_si512(p, v); }
inline V xor_(V a, V b) { return _mm512_xor_si512(a, b); }
inline V or_(V a, V b) { return _mm512_or_si512(a, b); }
inline V srl(V a, unsigned k) { return _mm512_srli_epi64(a, k); }
inline V rotr(V a, V r) { return _mm512_rorv_epi64(a, r); }
// a + carry, carry = (sum < addend) unsigned: the carry out of the low word's addition.
inline V add_carry(V a, V sum, V addend) {
  return _mm512_mask_add_epi64(a, _mm512_cmplt_epu64_mask(sum, addend), a, set1(1));
}
#else
#define WEIGHTINIT_PCG_TARGET
// The low 64 bits of a * b from three 32 x 32 -> 64 products.
inline V mullo64(V a, V b) {
  const V cross = add(mul32(srl32(a), b), mul32(a, srl32(b)));
  return add(mul32(a, b), _mm256_slli_epi64(cross, 32));
}
inline V loadu(const std::uint64_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
inline void storeu(std::uint64_t* p, V v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
inline V xor_(V a, V b) { return _mm256_xor_si256(a, b); }
inline V or_(V a, V b) { return _mm256_or_si256(a, b); }
inline V srl(V a, int k) { return _mm256_srli_epi64(a, k); }
inline V rotr(V a, V r) { return _mm256_or_si256(_mm256_srlv_epi64(a, r), _mm256_sllv_epi64(a, _mm256_sub_epi64(set1(64), r))); }
inline V add_carry(V a, V sum, V addend) {  // unsigned compare as signed, both sign bits flipped
  const V flip = set1(0x8000000000000000ull);
  const V less = _mm256_cmpgt_epi64(_mm256_xor_si256(addend, flip), _mm256_xor_si256(sum, flip));
  return _mm256_sub_epi64(a, less);  // less is -1 where the carry is 1
}
#endif

template <class Output>
WEIGHTINIT_PCG_TARGET void pcg_fill_lanes(std::uint64_t t_hi, std::uint64_t t_lo, std::uint64_t inc_hi,
                                          std::uint64_t inc_lo, std::uint64_t* out, std::size_t n) {
  constexpr bool kDxsm = Output::kDxsm;
  constexpr int kVectors = static_cast<int>(kPcgFillWords) / kLanes;
  const U128 inc{inc_hi, inc_lo};
  std::uint64_t hi0[kPcgFillWords], lo0[kPcgFillWords];
  U128 t{t_hi, t_lo};
  for (std::size_t j = 0; j < kPcgFillWords; ++j) {
    hi0[j] = t.hi;
    lo0[j] = t.lo;
    t = PcgEngine<Output>::step(t, inc);
  }
  const Affine jump = lcg_jump(Output::kMult, inc, kPcgFillWords);
  const V a_lo = set1(jump.mult.lo), a_hi = set1(jump.mult.hi);
  const V a_lo32 = set1(jump.mult.lo & 0xFFFFFFFFu), a_hi32 = set1(jump.mult.lo >> 32);
  const V c_lo = set1(jump.plus.lo), c_hi = set1(jump.plus.hi), one = set1(1);
  const V cheap = set1(Pcg64DxsmOutput::kCheap);
  V h[kVectors], l[kVectors];
  for (int v = 0; v < kVectors; ++v) {
    h[v] = loadu(hi0 + kLanes * v);
    l[v] = loadu(lo0 + kLanes * v);
  }
  for (std::size_t w = 0; w < n; w += kPcgFillWords) {
    for (int v = 0; v < kVectors; ++v) {
      V word;
      if constexpr (kDxsm) {  // Pcg64DxsmOutput::output, lane by lane
        V x = xor_(h[v], srl(h[v], 32));
        x = mullo64(x, cheap);
        x = xor_(x, srl(x, 48));
        word = mullo64(x, or_(l[v], one));
      } else {  // Pcg64Output::output: (hi ^ lo) rotated right by hi >> 58
        word = rotr(xor_(h[v], l[v]), srl(h[v], 58));
      }
      storeu(out + w + static_cast<std::size_t>(kLanes * v), word);
    }
    for (int v = 0; v < kVectors; ++v) {
      V p_hi, p_lo;
      mulhilo_lanes(l[v], a_lo32, a_hi32, p_hi, p_lo);  // l * A.lo, all 128 bits
      const V nl = add(p_lo, c_lo);
      const V nh = add(add(mullo64(h[v], a_lo), mullo64(l[v], a_hi)), add(p_hi, c_hi));
      h[v] = add_carry(nh, nl, c_lo);
      l[v] = nl;
    }
  }
}
#undef WEIGHTINIT_PCG_TARGET

void pcg_fill(bool dxsm, std::uint64_t t_hi, std::uint64_t t_lo, std::uint64_t inc_hi, std::uint64_t inc_lo,
              std::uint64_t* out, std::size_t n) {
  if (dxsm) {
    pcg_fill_lanes<Pcg64DxsmOutput>(t_hi, t_lo, inc_hi, inc_lo, out, n);
  } else {
    pcg_fill_lanes<Pcg64Output>(t_hi, t_lo, inc_hi, inc_lo, out, n);
  }
}
constexpr auto kPcgFill = &pcg_fill;
#else
constexpr decltype(StreamKernels::pcg_fill) kPcgFill = nullptr;  // the engine's own loop
#endif

// Constant-initialized (no lazy static for a fork to catch half-made).
constexpr StreamKernels kStreamKernels = {
    WEIGHTINIT_ISA_NAME,
    &philox4x64_blocks,
    &lemire_u64,
    &lemire_u32,
    &lemire_u32_to_u64,
    &lemire_u16,
    &lemire_u8,
    kPcgFill,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

#if defined(__AVX512F__) && defined(__GNUC__)
// The same with the ziggurats' VBMI blocks, for CPUs that have VBMI (Ice Lake, Zen 4 and later).
constexpr StreamKernels with_ziggurat_blocks(StreamKernels k) {
  k.exponential_f64_block = kExponentialF64Block;
  k.exponential_f32_block = kExponentialF32Block;
  k.normal_f64_block = kNormalF64Block;
  k.normal_f32_block = kNormalF32Block;
  return k;
}
constexpr StreamKernels kStreamKernelsVbmi = with_ziggurat_blocks(kStreamKernels);
#endif

}  // namespace

const StreamKernels& stream_kernels() {
#if defined(__AVX512F__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx512vbmi")) return kStreamKernelsVbmi;
#endif
  return kStreamKernels;
}

}  // namespace numpy_streams
}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
