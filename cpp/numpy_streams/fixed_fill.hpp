// Parallel fills of methods that consume a fixed number of units per value (random, uniform,
// standard_exponential(method="inv"), integers over a dtype's whole range, raw words, bools):
// value i is a function of unit i alone, so each thread starts its part of the output at its
// own position of the stream.
#pragma once

#include "../isa_namespace.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "../parallel.hpp"
#include "unit_source.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {
namespace numpy_streams {

// Large fills go in chunks of this many values; between chunks keep_going() is asked (where a
// Ctrl-C is noticed: it returns true or throws).
inline constexpr std::uint64_t kChunkValues = std::uint64_t{1} << 22;

template <class KeepGoing>
void check_keep_going(KeepGoing& keep_going) {
  if (!keep_going()) throw std::runtime_error("fill interrupted");
}

// out[i] = f(unit i) for i < n; returns the state after n units.
template <class Unit, class Engine, class Out, class F, class KeepGoing>
BitGenState<Engine> fixed_fill(const BitGenState<Engine>& st, Out* out, std::uint64_t n, std::int64_t cost, F f,
                               KeepGoing&& keep_going) {
  for (std::uint64_t first = 0; first < n; first += kChunkValues) {
    if (first > 0) check_keep_going(keep_going);
    const std::uint64_t count = std::min(kChunkValues, n - first);
    parallel_for(static_cast<std::int64_t>(count), 64, cost, [&](std::int64_t b, std::int64_t e) {
      const F fn = f;  // in registers: the stores to out could alias f's parameters, for the compiler
      UnitSource<Engine, Unit> src(st, first + static_cast<std::uint64_t>(b));
      Out* o = out + first + static_cast<std::uint64_t>(b);
      std::uint64_t left = static_cast<std::uint64_t>(e - b);
      while (left > 0) {
        const auto* d = src.data();
        const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(src.available(), left));
        for (std::size_t j = 0; j < k; ++j) o[j] = fn(d[j]);
        src.skip(k);
        o += k;
        left -= k;
      }
    });
  }
  return state_after_units<Unit>(st, n);
}

// The eight bytes 0 or 1 of the eight bits of b, least significant bit first (little-endian).
struct BitBytes {
  std::uint64_t bytes[256];
  constexpr BitBytes() : bytes() {
    for (int b = 0; b < 256; ++b) {
      for (int k = 0; k < 8; ++k) bytes[b] |= static_cast<std::uint64_t>((b >> k) & 1) << (8 * k);
    }
  }
};
inline constexpr BitBytes kBitBytes{};

// integers(dtype=bool) over {0, 1}: value i is bit i % 32 of half-word i / 32 (NumPy's
// buffered_bounded_bool, least significant bit first, the buffer local to the call).
template <class Engine, class KeepGoing>
BitGenState<Engine> bit_fill(const BitGenState<Engine>& st, std::uint8_t* out, std::uint64_t n, KeepGoing&& keep_going) {
  const std::uint64_t halves = (n + 31) / 32;
  for (std::uint64_t first = 0; first < halves; first += kChunkValues / 32) {
    if (first > 0) check_keep_going(keep_going);
    const std::uint64_t count = std::min(kChunkValues / 32, halves - first);
    parallel_for(static_cast<std::int64_t>(count), 4, 32, [&](std::int64_t b, std::int64_t e) {
      UnitSource<Engine, std::uint32_t> src(st, first + static_cast<std::uint64_t>(b));
      for (std::uint64_t h = first + static_cast<std::uint64_t>(b); h < first + static_cast<std::uint64_t>(e); ++h) {
        const std::uint32_t bits = src.take();
        const std::uint64_t i0 = 32 * h;
        if (i0 + 32 <= n) {
          for (int k = 0; k < 4; ++k) {
            const std::uint64_t bytes = kBitBytes.bytes[(bits >> (8 * k)) & 0xFF];
            std::memcpy(out + i0 + 8 * static_cast<std::uint64_t>(k), &bytes, 8);
          }
        } else {
          for (std::uint64_t i = i0; i < n; ++i) out[i] = static_cast<std::uint8_t>((bits >> (i - i0)) & 1u);
        }
      }
    });
  }
  return state_after_halves(st, halves);
}

}  // namespace numpy_streams
}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
