// NumPy's bounded integers for Generator (Lemire's method, use_masked=False), as a Sampler for
// parse_fill.hpp (numpy/random/src/distributions/distributions.c: bounded_lemire_uint64,
// buffered_bounded_lemire_uint32/16/8 and the random_bounded_*_fill functions).
//
// A value is off + (candidate * (rng + 1)) >> W for the first candidate whose low W bits of
// that product reach the threshold 2^W mod (rng + 1); NumPy computes the threshold only after
// a cheap pre-test, which never changes the outcome. A candidate is a W-bit unit: a word
// (W = 64), a half-word (W = 32; also 64-bit dtypes whose range fits in 32 bits), or a 16- or
// 8-bit slice of a half-word. rng == 0 (no draws) and the whole range (raw units) are
// fixed-size fills, not this.
#pragma once

#include "../isa_namespace.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../per_isa/philox.hpp"
#include "stream_kernels.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {
namespace numpy_streams {

template <class CandidateUnit, class Out>
class LemireSampler {
 public:
  using Unit = CandidateUnit;
  using Value = Out;
  static constexpr bool kFilter = true;  // a value is the first accepted candidate

  // Values off + [0, rng], 0 < rng < 2^W - 1; kernels: the ISA's hot loops (or none).
  LemireSampler(Out off, Unit rng, const StreamKernels* kernels = nullptr)
      : kernels_(kernels), off_(off), rng_excl_(static_cast<Unit>(rng + 1)),
        threshold_(static_cast<Unit>(static_cast<Unit>(std::numeric_limits<Unit>::max() - rng) % rng_excl_)) {}

  // Candidates per value: a candidate is rejected with probability threshold / 2^W (< 1/2).
  double mean_units() const { return 1.0 / (1.0 - std::ldexp(static_cast<double>(threshold_), -kBits)); }

  bool fast(Unit u, Out& v) const {
    Unit hi, lo;
    multiply(u, hi, lo);
    v = static_cast<Out>(off_ + static_cast<Out>(hi));
    return lo >= threshold_;
  }

  // The values of the accepted candidates among units[0, n), packed; how many; and whether
  // units[n - 1] was accepted.
  std::size_t accepted(const Unit* units, std::size_t n, Out* values, bool& last_accepted) const {
    if constexpr (sizeof(Unit) == 8) {
      return kernels_->lemire_u64(units, n, off_, rng_excl_, threshold_, values, &last_accepted);
    } else if constexpr (sizeof(Unit) == 4 && sizeof(Out) == 4) {
      return kernels_->lemire_u32(units, n, off_, rng_excl_, threshold_, values, &last_accepted);
    } else if constexpr (sizeof(Unit) == 4) {
      return kernels_->lemire_u32_to_u64(units, n, off_, rng_excl_, threshold_, values, &last_accepted);
    } else if constexpr (sizeof(Unit) == 2) {
      return kernels_->lemire_u16(units, n, off_, rng_excl_, threshold_, values, &last_accepted);
    } else {
      return kernels_->lemire_u8(units, n, off_, rng_excl_, threshold_, values, &last_accepted);
    }
  }

  template <class Src>
  Out sample(Unit u, Src& src, std::uint64_t& length) const {
    Out v;
    while (!fast(u, v)) {
      u = src.take();
      ++length;
    }
    return v;
  }

 private:
  static constexpr int kBits = 8 * static_cast<int>(sizeof(Unit));

  // (hi, lo) = u * rng_excl as a 2W-bit product.
  void multiply(Unit u, Unit& hi, Unit& lo) const {
    if constexpr (kBits == 64) {
      mulhilo64(u, rng_excl_, hi, lo);
    } else {
      const std::uint64_t m = static_cast<std::uint64_t>(u) * rng_excl_;
      hi = static_cast<Unit>(m >> kBits);
      lo = static_cast<Unit>(m);
    }
  }

  const StreamKernels* kernels_;
  Out off_;
  Unit rng_excl_;
  Unit threshold_;
};

}  // namespace numpy_streams
}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
