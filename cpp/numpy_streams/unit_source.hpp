// The units NumPy's samplers consume, read from any position of a word stream.
//
// A unit is a 64-bit word (next_uint64), a 32-bit half-word (next_uint32), or a 16- or 8-bit
// slice of a half-word (the buffered draws of integers() for 16- and 8-bit dtypes, taken least
// significant first, with the buffer local to one call, so a call's slices start at a fresh
// half-word). NumPy's next_uint32 is the same for all three engines: it returns the kept half
// (`uinteger`) if `has_uint32`, else the low half of a fresh word, keeping its high half. So the
// half-word stream is [uinteger if has_uint32] low(w0) high(w0) low(w1) high(w1) ..., and on a
// little-endian machine the halves (and slices) of a run of words are just its bytes in order.
//
// UnitSource<Engine, Unit> reads that stream from any unit index in batches of whole words, and
// state_after_units() is the bit generator's state after a call consumed a number of units.
#pragma once

#include "../isa_namespace.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engines.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {
namespace numpy_streams {

// A NumPy bit generator's whole state: the engine's, and the 32-bit half-word buffer.
template <class Engine>
struct BitGenState {
  typename Engine::State engine;
  int has_uint32 = 0;
  std::uint32_t uinteger = 0;
};

// The units of a batch are read through these types: a run of words is read as halves or
// slices of them, which C++'s aliasing rules allow only for types declared to alias.
#if defined(__GNUC__)
typedef std::uint16_t __attribute__((__may_alias__)) aliasing_u16;
typedef std::uint32_t __attribute__((__may_alias__)) aliasing_u32;
typedef std::uint64_t __attribute__((__may_alias__)) aliasing_u64;
#else
typedef std::uint16_t aliasing_u16;
typedef std::uint32_t aliasing_u32;
typedef std::uint64_t aliasing_u64;
#endif
template <class Unit> struct Aliasing;
template <> struct Aliasing<std::uint8_t> { using type = std::uint8_t; };
template <> struct Aliasing<std::uint16_t> { using type = aliasing_u16; };
template <> struct Aliasing<std::uint32_t> { using type = aliasing_u32; };
template <> struct Aliasing<std::uint64_t> { using type = aliasing_u64; };

template <class Unit>
inline constexpr std::uint64_t kUnitsPerWord = 8 / sizeof(Unit);
// Units per half-word (sub-word units only).
template <class Unit>
inline constexpr std::uint64_t kUnitsPerHalf = 4 / sizeof(Unit);

template <class Engine, class Unit>
class UnitSource {
  static_assert(sizeof(Unit) <= 8, "a unit is at most a word");
  // Words made per refill (4 KiB): Philox's vector steps take 22 blocks (AVX-512) at a time, and
  // 128 blocks leave fewer to the slower paths than 64 did (one thread, 2^24 values: random 10 %
  // faster, standard_exponential and standard_normal 5 %; 1,024 words gained nothing more).
  static constexpr std::size_t kBatchWords = 512;
  static constexpr std::uint64_t kPerWord = kUnitsPerWord<Unit>;
  using UnitRef = typename Aliasing<Unit>::type;

 public:
  // The stream of units from unit index `first` on (unit 0 is the first the call consumes).
  UnitSource(const BitGenState<Engine>& st, std::uint64_t first) : UnitSource(st, virtual_unit(st, first), 0) {}
  UnitSource(const UnitSource&) = delete;
  UnitSource& operator=(const UnitSource&) = delete;

  Unit take() {
    if (cur_ == end_) refill();
    return *cur_++;
  }
  // For hot loops: the units read but not yet taken (at least one), and taking k of them.
  const UnitRef* data() {
    if (cur_ == end_) refill();
    return cur_;
  }
  std::size_t available() const { return static_cast<std::size_t>(end_ - cur_); }
  void skip(std::size_t k) { cur_ += k; }

 private:
  // Virtual word 0 holds the kept half-word in its high half; virtual word 1 + j is word j.
  // A call's unit u is virtual unit u + skip, skipping virtual word 0 unless a half is kept.
  static std::uint64_t virtual_unit(const BitGenState<Engine>& st, std::uint64_t first) {
    const bool kept = sizeof(Unit) < 8 && st.has_uint32 != 0;
    return first + (kept ? kPerWord / 2 : kPerWord);
  }
  UnitSource(const BitGenState<Engine>& st, std::uint64_t v, int)
      : cursor_(st.engine, v / kPerWord == 0 ? 0 : v / kPerWord - 1) {
    if (v / kPerWord == 0) {
      words_[0] = static_cast<std::uint64_t>(st.uinteger) << 32;
      cursor_.fill(words_ + 1, kBatchWords - 1);
    } else {
      cursor_.fill(words_, kBatchWords);
    }
    cur_ = units() + v % kPerWord;
    end_ = units() + kBatchWords * kPerWord;
  }

  const UnitRef* units() const { return reinterpret_cast<const UnitRef*>(words_); }
  void refill() {
    cursor_.fill(words_, kBatchWords);
    cur_ = units();
  }

  alignas(64) std::uint64_t words_[kBatchWords];
  typename Engine::Cursor cursor_;
  const UnitRef* cur_;
  const UnitRef* end_;
};

// The state after next_uint64 was called `words` times.
template <class Engine>
BitGenState<Engine> state_after_words(const BitGenState<Engine>& st, std::uint64_t words) {
  BitGenState<Engine> out = st;
  out.engine = Engine::advanced(st.engine, words);
  return out;
}

// The state after next_uint32 was called `halves` times. Each fresh word's high half is stored
// in uinteger even when it is then consumed (has_uint32 says whether it is still to come).
template <class Engine>
BitGenState<Engine> state_after_halves(const BitGenState<Engine>& st, std::uint64_t halves) {
  BitGenState<Engine> out = st;
  if (halves == 0) return out;
  if (st.has_uint32) {
    out.has_uint32 = 0;
    --halves;
    if (halves == 0) return out;
  }
  const std::uint64_t words = (halves + 1) / 2;
  out.engine = Engine::advanced(st.engine, words);
  out.uinteger = static_cast<std::uint32_t>(typename Engine::Cursor(st.engine, words - 1).next() >> 32);
  out.has_uint32 = static_cast<int>(halves & 1);
  return out;
}

// The state after a call consumed `units` units of type Unit (for sub-word units, the call
// draws whole half-words: ceil(units / units-per-half) of them).
template <class Unit, class Engine>
BitGenState<Engine> state_after_units(const BitGenState<Engine>& st, std::uint64_t units) {
  if constexpr (sizeof(Unit) == 8) {
    return state_after_words(st, units);
  } else {
    constexpr std::uint64_t per_half = kUnitsPerHalf<Unit>;
    return state_after_halves(st, (units + per_half - 1) / per_half);
  }
}

}  // namespace numpy_streams
}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
