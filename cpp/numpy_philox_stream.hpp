// Buffered Philox streams that give NumPy's Philox bit generator's numbers exactly: the
// counter is incremented before each block; words leave a block as v[0..3]; for the 4x64 stream
// a 32-bit draw takes the low half of a fresh 64-bit word and keeps the high half in `uinteger`
// for the next 32-bit draw. Consuming m words is planned once and the blocks are then computed
// in parallel, each from its own counter, so the result never depends on threads.
#pragma once

#include "isa_namespace.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#include "parallel.hpp"
#include "per_isa/bits.hpp"
#include "per_isa/philox.hpp"
#include "per_isa/unit_interval.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

template <class Word>
struct NumpyPhiloxState {
  std::array<Word, 4> counter{};
  std::array<Word, 2> key{};
  std::array<Word, 4> buffer{};
  int buffer_pos = 4;
  int has_uint32 = 0;
  std::uint32_t uinteger = 0;
};

// Hands the next m words of the stream to emit(j, word), j = 0..m-1 (in parallel, any order),
// and leaves `st` as m calls of NumPy's next_uint64 (or next word, for 4x32) would.
template <class Word, class Emit>
void consume_words(NumpyPhiloxState<Word>& st, std::uint64_t m, Emit&& emit) {
  std::uint64_t j = 0;
  while (j < m && st.buffer_pos < 4) emit(j++, st.buffer[st.buffer_pos++]);
  const std::uint64_t rest = m - j;
  if (rest == 0) return;
  const std::uint64_t blocks = (rest + 3) / 4;
  const std::array<Word, 4> base = st.counter;
  const std::array<Word, 2> key = st.key;
  const std::uint64_t j0 = j;
  parallel_for(static_cast<std::int64_t>(blocks), 16, 4, [&](std::int64_t b0, std::int64_t b1) {
    std::array<Word, 4> ctr = counter_add(base, static_cast<std::uint64_t>(b0) + 1);
    for (std::int64_t b = b0; b < b1; ++b) {
      const std::array<Word, 4> v = philox_block<Word>(ctr, key);
      const std::uint64_t first = j0 + 4 * static_cast<std::uint64_t>(b);
      for (int k = 0; k < 4; ++k) {
        if (first + k < m) emit(first + k, v[k]);
      }
      ctr = counter_add(ctr, 1);
    }
  });
  st.counter = counter_add(base, blocks);
  st.buffer = philox_block<Word>(st.counter, key);
  st.buffer_pos = static_cast<int>(rest - 4 * (blocks - 1));
}

// What a draw of one value is made of.
enum class Draw { kRaw, kRandom, kUniform };

inline float transform_f32(std::uint32_t w, Draw d, float low, float range) {
  const float u = unit_closed_open(w);
  return d == Draw::kUniform ? low + range * u : u;
}
inline double transform_f64(std::uint64_t w, Draw d, double low, double range) {
  const double u = unit_closed_open(w);
  return d == Draw::kUniform ? low + range * u : u;
}

// 4x64 stream, 64-bit values: one word each (NumPy's next_uint64 / next_double).
inline void draw_f64(NumpyPhiloxState<std::uint64_t>& st, double* out, std::uint64_t n, Draw d,
                     double low, double range) {
  consume_words(st, n, [&](std::uint64_t j, std::uint64_t w) { out[j] = transform_f64(w, d, low, range); });
}
inline void draw_raw(NumpyPhiloxState<std::uint64_t>& st, std::uint64_t* out, std::uint64_t n) {
  consume_words(st, n, [&](std::uint64_t j, std::uint64_t w) { out[j] = w; });
}

// 4x64 stream, 32-bit values: NumPy's next_uint32 (low half first, high half kept).
inline void draw_f32(NumpyPhiloxState<std::uint64_t>& st, float* out, std::uint64_t n, Draw d, float low,
                     float range) {
  if (n == 0) return;
  std::uint64_t i = 0;
  if (st.has_uint32) {
    out[0] = transform_f32(st.uinteger, d, low, range);
    st.has_uint32 = 0;
    i = 1;
  }
  const std::uint64_t rest = n - i;
  std::uint32_t kept = 0;
  consume_words(st, (rest + 1) / 2, [&](std::uint64_t j, std::uint64_t w) {
    const std::uint64_t e = i + 2 * j;
    out[e] = transform_f32(static_cast<std::uint32_t>(w), d, low, range);
    if (e + 1 < n) out[e + 1] = transform_f32(static_cast<std::uint32_t>(w >> 32), d, low, range);
    if (e + 2 >= n) kept = static_cast<std::uint32_t>(w >> 32);  // the last word
  });
  // NumPy stores every fresh word's high half in uinteger; has_uint32 says if it is unused.
  if (rest > 0) {
    st.uinteger = kept;
    st.has_uint32 = static_cast<int>(rest % 2);
  }
}

// 4x32 stream: 32-bit values take one word, 64-bit values two (low word first).
inline void draw_f32(NumpyPhiloxState<std::uint32_t>& st, float* out, std::uint64_t n, Draw d, float low,
                     float range) {
  consume_words(st, n, [&](std::uint64_t j, std::uint32_t w) { out[j] = transform_f32(w, d, low, range); });
}
inline void draw_raw(NumpyPhiloxState<std::uint32_t>& st, std::uint32_t* out, std::uint64_t n) {
  consume_words(st, n, [&](std::uint64_t j, std::uint32_t w) { out[j] = w; });
}
inline void draw_f64(NumpyPhiloxState<std::uint32_t>& st, double* out, std::uint64_t n, Draw d,
                     double low, double range) {
  // The 2n words go straight into the output's own memory, then each pair becomes its double.
  char* bytes = reinterpret_cast<char*>(out);
  consume_words(st, 2 * n, [&](std::uint64_t j, std::uint32_t w) { std::memcpy(bytes + 4 * j, &w, 4); });
  parallel_for(static_cast<std::int64_t>(n), 64, 1, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t k = b; k < e; ++k) {
      std::uint32_t lo, hi;
      std::memcpy(&lo, bytes + 8 * k, 4);
      std::memcpy(&hi, bytes + 8 * k + 4, 4);
      out[k] = transform_f64(join64(lo, hi), d, low, range);
    }
  });
}

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
