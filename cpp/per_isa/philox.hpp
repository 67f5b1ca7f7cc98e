// Philox4x32 and Philox4x64 block functions (Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC'11).
//
// Pure functions of (counter, key): no state, no Python, no allocation. Names follow the
// paper's operations: mulhilo, bumpkey, round, block.
#pragma once

#include "../isa_namespace.hpp"

#include <array>
#include <cstdint>

#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

using Ctr4x32 = std::array<std::uint32_t, 4>;
using Key2x32 = std::array<std::uint32_t, 2>;
using Ctr4x64 = std::array<std::uint64_t, 4>;
using Key2x64 = std::array<std::uint64_t, 2>;

inline constexpr std::uint32_t kPhilox4x32M0 = 0xD2511F53u;
inline constexpr std::uint32_t kPhilox4x32M1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kPhilox4x32W0 = 0x9E3779B9u;
inline constexpr std::uint32_t kPhilox4x32W1 = 0xBB67AE85u;

inline constexpr std::uint64_t kPhilox4x64M0 = 0xD2E7470EE14C6C93ull;
inline constexpr std::uint64_t kPhilox4x64M1 = 0xCA5A826395121157ull;
inline constexpr std::uint64_t kPhilox4x64W0 = 0x9E3779B97F4A7C15ull;
inline constexpr std::uint64_t kPhilox4x64W1 = 0xBB67AE8584CAA73Bull;

inline constexpr int kPhiloxRounds = 10;

inline void mulhilo32(std::uint32_t a, std::uint32_t b, std::uint32_t& hi, std::uint32_t& lo) {
  const std::uint64_t p = static_cast<std::uint64_t>(a) * b;
  hi = static_cast<std::uint32_t>(p >> 32);
  lo = static_cast<std::uint32_t>(p);
}

inline void mulhilo64(std::uint64_t a, std::uint64_t b, std::uint64_t& hi, std::uint64_t& lo) {
#if defined(__SIZEOF_INT128__)
  const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  hi = static_cast<std::uint64_t>(p >> 64);
  lo = static_cast<std::uint64_t>(p);
#else
  // Portable 64x64 -> 128 multiply from four 32x32 products.
  const std::uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32;
  const std::uint64_t b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
  const std::uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
  const std::uint64_t mid = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);
  lo = (mid << 32) | (ll & 0xFFFFFFFFu);
  hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
}

template <class Word>
struct PhiloxTraits;

template <>
struct PhiloxTraits<std::uint32_t> {
  static constexpr std::uint32_t M0 = kPhilox4x32M0, M1 = kPhilox4x32M1;
  static constexpr std::uint32_t W0 = kPhilox4x32W0, W1 = kPhilox4x32W1;
  static void mulhilo(std::uint32_t a, std::uint32_t b, std::uint32_t& hi, std::uint32_t& lo) {
    mulhilo32(a, b, hi, lo);
  }
};

template <>
struct PhiloxTraits<std::uint64_t> {
  static constexpr std::uint64_t M0 = kPhilox4x64M0, M1 = kPhilox4x64M1;
  static constexpr std::uint64_t W0 = kPhilox4x64W0, W1 = kPhilox4x64W1;
  static void mulhilo(std::uint64_t a, std::uint64_t b, std::uint64_t& hi, std::uint64_t& lo) {
    mulhilo64(a, b, hi, lo);
  }
};

// One Philox round: (hi0, lo0) = M0*x0, (hi1, lo1) = M1*x2; x = (hi1^x1^k0, lo1, hi0^x3^k1, lo0).
template <class Word>
inline void philox_round(std::array<Word, 4>& x, const std::array<Word, 2>& k) {
  using T = PhiloxTraits<Word>;
  Word hi0, lo0, hi1, lo1;
  T::mulhilo(T::M0, x[0], hi0, lo0);
  T::mulhilo(T::M1, x[2], hi1, lo1);
  x = {static_cast<Word>(hi1 ^ x[1] ^ k[0]), lo1, static_cast<Word>(hi0 ^ x[3] ^ k[1]), lo0};
}

template <class Word>
inline void philox_bumpkey(std::array<Word, 2>& k) {
  using T = PhiloxTraits<Word>;
  k[0] = static_cast<Word>(k[0] + T::W0);
  k[1] = static_cast<Word>(k[1] + T::W1);
}

// Philox4xW-R: round 1 uses the key as given; the key is bumped before each later round.
template <class Word, int Rounds = kPhiloxRounds>
inline std::array<Word, 4> philox_block(std::array<Word, 4> ctr, std::array<Word, 2> key) {
  philox_round(ctr, key);
  for (int r = 1; r < Rounds; ++r) {
    philox_bumpkey(key);
    philox_round(ctr, key);
  }
  return ctr;
}

inline Ctr4x32 philox4x32_10(const Ctr4x32& ctr, const Key2x32& key) {
  return philox_block<std::uint32_t>(ctr, key);
}
inline Ctr4x64 philox4x64_10(const Ctr4x64& ctr, const Key2x64& key) {
  return philox_block<std::uint64_t>(ctr, key);
}

// Philox4x32-10 on L blocks at once, structure-of-arrays: x[w][i] is word w of block i.
// The arithmetic per lane is exactly philox_block's. Where the translation unit targets AVX2
// or AVX-512, each 32-bit word lives in the low half of a 64-bit lane through all ten rounds:
// vpmuludq then gives the whole 64-bit product in place (low word where it belongs, high word
// one shift away), and whatever collects in the upper halves is never read by a multiply and
// is dropped when the words are packed back. 6 instructions a round for 8 (4) blocks, no
// shuffles. Elsewhere the plain loop serves (compilers vectorize it with SSE2).
#if defined(__AVX512F__)
// Two sets of 8 blocks go through the rounds together (16 independent multiplies in flight), and
// their words are stored as whole 16-lane vectors: a 512-bit load of a row right after two 256-bit
// stores into it cannot be forwarded from the store buffer and waits for them to retire, which
// cost the kernels that read the rows back as vectors (all of them) about a tenth of their time.
using WideLanes = __m512i;  // 8 blocks' words, each in the low half of a 64-bit lane
inline constexpr int kWideSet = 8;
inline WideLanes wide_load(const std::uint32_t* p) {
  return _mm512_cvtepu32_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
inline WideLanes wide_set1(std::uint64_t v) { return _mm512_set1_epi64(static_cast<long long>(v)); }
// A round key in both halves of each lane (only the low one matters): the same bits as
// wide_set1, but GCC placed the normal kernel's constants 10 % worse with the 64-bit broadcast.
inline WideLanes wide_key(std::uint32_t k) { return _mm512_set1_epi32(static_cast<int>(k)); }
inline WideLanes wide_add(WideLanes a, WideLanes b) { return _mm512_add_epi64(a, b); }
inline WideLanes wide_lane_index() { return _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7); }
inline WideLanes wide_mul(WideLanes a, WideLanes b) { return _mm512_mul_epu32(a, b); }
inline WideLanes wide_high(WideLanes a) { return _mm512_srli_epi64(a, 32); }
// 0x96: a ^ b ^ c in one instruction.
inline WideLanes wide_xor3(WideLanes a, WideLanes b, WideLanes c) { return _mm512_ternarylogic_epi32(a, b, c, 0x96); }
inline void wide_store_row(WideLanes lo, WideLanes hi, std::uint32_t* row) {
  const __m512i packed = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(lo)), _mm512_cvtepi64_epi32(hi), 1);
  _mm512_storeu_si512(row, packed);
}
#elif defined(__AVX2__)
// As above: two sets of 4 blocks together, rows stored as whole 8-lane vectors.
using WideLanes = __m256i;
inline constexpr int kWideSet = 4;
inline WideLanes wide_load(const std::uint32_t* p) {
  return _mm256_cvtepu32_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
inline WideLanes wide_set1(std::uint64_t v) { return _mm256_set1_epi64x(static_cast<long long>(v)); }
inline WideLanes wide_key(std::uint32_t k) { return _mm256_set1_epi32(static_cast<int>(k)); }
inline WideLanes wide_add(WideLanes a, WideLanes b) { return _mm256_add_epi64(a, b); }
inline WideLanes wide_lane_index() { return _mm256_setr_epi64x(0, 1, 2, 3); }
inline WideLanes wide_mul(WideLanes a, WideLanes b) { return _mm256_mul_epu32(a, b); }
inline WideLanes wide_high(WideLanes a) { return _mm256_srli_epi64(a, 32); }
inline WideLanes wide_xor3(WideLanes a, WideLanes b, WideLanes c) {
  return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
}
inline void wide_store_row(WideLanes lo, WideLanes hi, std::uint32_t* row) {
  // The low halves of each set's 64-bit lanes to lanes 0..3, the two sets side by side.
  const __m256i pack = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
  const __m128i l = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(lo, pack));
  const __m128i h = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(hi, pack));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(row), _mm256_set_m128i(h, l));
}
#endif

#if defined(__AVX512F__) || defined(__AVX2__)
// Counters first + kWideSet * set + 0 .. kWideSet - 1 (low words; the caller keeps them from wrapping).
inline WideLanes wide_first_counters(std::uint32_t first, int set) {
  return wide_add(wide_set1(first + static_cast<std::uint32_t>(kWideSet * set)), wide_lane_index());
}
// Ten rounds on two sets of blocks, word w of set h in v[h][w]. Keys and products fill only the
// low halves that matter: a multiply reads the low half alone, and the rows are packed from them.
inline void philox4x32_10_rounds(WideLanes (&v)[2][4], const Key2x32& key) {
  const WideLanes m0 = wide_set1(kPhilox4x32M0), m1 = wide_set1(kPhilox4x32M1);
  Key2x32 k = key;
  for (int r = 0; r < kPhiloxRounds; ++r) {
    if (r > 0) philox_bumpkey(k);
    const WideLanes k0 = wide_key(k[0]), k1 = wide_key(k[1]);
    for (int h = 0; h < 2; ++h) {
      const WideLanes p0 = wide_mul(v[h][0], m0);
      const WideLanes p1 = wide_mul(v[h][2], m1);
      v[h][0] = wide_xor3(wide_high(p1), v[h][1], k0);
      v[h][2] = wide_xor3(wide_high(p0), v[h][3], k1);
      v[h][1] = p1;
      v[h][3] = p0;
    }
  }
}
#endif

#if defined(__AVX512F__) || defined(__AVX2__)
template <int L>
inline void philox4x32_10_wide(std::uint32_t (&x)[4][L], const Key2x32& key) {
  static_assert(L % (2 * kWideSet) == 0, "whole rows");
  for (int base = 0; base < L; base += 2 * kWideSet) {
    WideLanes v[2][4];
    for (int h = 0; h < 2; ++h)
      for (int w = 0; w < 4; ++w) v[h][w] = wide_load(&x[w][base + kWideSet * h]);
    philox4x32_10_rounds(v, key);
    for (int w = 0; w < 4; ++w) wide_store_row(v[0][w], v[1][w], &x[w][base]);
  }
}
#endif

template <int L>
inline void philox4x32_10_lanes(std::uint32_t (&x)[4][L], Key2x32 key) {
#if defined(__AVX512F__)
  if constexpr (L % 16 == 0) {
    philox4x32_10_wide(x, key);
    return;
  }
#elif defined(__AVX2__)
  if constexpr (L % 8 == 0) {
    philox4x32_10_wide(x, key);
    return;
  }
#endif
  for (int r = 0; r < kPhiloxRounds; ++r) {
    if (r > 0) philox_bumpkey(key);
    const std::uint32_t k0 = key[0], k1 = key[1];
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 1  // a loop, not 16 unrolled copies: lets SSE2 vectorize it
#endif
    for (int i = 0; i < L; ++i) {
      const std::uint64_t p0 = static_cast<std::uint64_t>(kPhilox4x32M0) * x[0][i];
      const std::uint64_t p1 = static_cast<std::uint64_t>(kPhilox4x32M1) * x[2][i];
      const std::uint32_t y0 = static_cast<std::uint32_t>(p1 >> 32) ^ x[1][i] ^ k0;
      const std::uint32_t y2 = static_cast<std::uint32_t>(p0 >> 32) ^ x[3][i] ^ k1;
      x[1][i] = static_cast<std::uint32_t>(p1);
      x[3][i] = static_cast<std::uint32_t>(p0);
      x[0][i] = y0;
      x[2][i] = y2;
    }
  }
}

// x[w][i] = word w of block first + i, i < L (counter: low word, high word, two zero words), for
// `first` a multiple of L. The same as setting the counters and calling philox4x32_10_lanes, with
// the wide paths making the counter rows in registers (a compiler builds a row of first + i out
// of scalar inserts: about a tenth of the uniform kernel's instructions).
template <int L>
inline void philox4x32_10_counters(std::uint64_t first, const Key2x32& key, std::uint32_t (&x)[4][L]) {
#if defined(__AVX512F__) || defined(__AVX2__)
  if constexpr (L % (2 * kWideSet) == 0) {
    for (int base = 0; base < L; base += 2 * kWideSet) {
      const std::uint64_t b = first + static_cast<std::uint64_t>(base);  // the low word does not wrap within L
      WideLanes v[2][4];
      for (int h = 0; h < 2; ++h) {
        v[h][0] = wide_first_counters(static_cast<std::uint32_t>(b), h);
        v[h][1] = wide_set1(static_cast<std::uint32_t>(b >> 32));
        v[h][2] = wide_set1(0);
        v[h][3] = wide_set1(0);
      }
      philox4x32_10_rounds(v, key);
      for (int w = 0; w < 4; ++w) wide_store_row(v[0][w], v[1][w], &x[w][base]);
    }
    return;
  }
#endif
  for (int i = 0; i < L; ++i) {
    x[0][i] = static_cast<std::uint32_t>(first) + static_cast<std::uint32_t>(i);
    x[1][i] = static_cast<std::uint32_t>(first >> 32);
    x[2][i] = 0;
    x[3][i] = 0;
  }
  philox4x32_10_lanes(x, key);
}

// Multi-word counter arithmetic, least significant word first, wrapping modulo 2^(4W).
template <class Word>
inline std::array<Word, 4> counter_add(std::array<Word, 4> c, std::uint64_t delta_lo,
                                       std::uint64_t delta_hi = 0) {
  if constexpr (sizeof(Word) == 8) {
    Word d[2] = {delta_lo, delta_hi};
    Word carry = 0;
    for (int i = 0; i < 4; ++i) {
      const Word add = (i < 2 ? d[i] : Word{0});
      const Word s1 = c[i] + add;
      const Word c1 = s1 < add;
      const Word s2 = s1 + carry;
      const Word c2 = s2 < carry;
      c[i] = s2;
      carry = c1 | c2;
    }
  } else {
    std::uint32_t d[4] = {static_cast<std::uint32_t>(delta_lo),
                          static_cast<std::uint32_t>(delta_lo >> 32),
                          static_cast<std::uint32_t>(delta_hi),
                          static_cast<std::uint32_t>(delta_hi >> 32)};
    std::uint64_t carry = 0;
    for (int i = 0; i < 4; ++i) {
      const std::uint64_t s = static_cast<std::uint64_t>(c[i]) + d[i] + carry;
      c[i] = static_cast<std::uint32_t>(s);
      carry = s >> 32;
    }
  }
  return c;
}

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
