// NumPy's Philox, PCG64 and PCG64DXSM as word streams with random access.
//
// Each engine has a plain-data State (exactly what NumPy's state dict holds, less the 32-bit
// half-word buffer, which is the same for all three: see unit_source.hpp), and:
//   Cursor(state, j)    the stream from its word j on (word 0 is what next_uint64 returns next);
//   cursor.next()       one word; cursor.fill(dst, m) the next m words, fast;
//   advanced(state, m)  the state after m calls of NumPy's next_uint64.
// Philox reaches word j by counter arithmetic, the PCGs by jumping the LCG (Brown's algorithm,
// NumPy's pcg_advance_lcg_128), so any thread can start anywhere in O(log j).
#pragma once

#include "../isa_namespace.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

#include "../per_isa/philox.hpp"
#include "stream_kernels.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {
namespace numpy_streams {

// 128-bit unsigned arithmetic modulo 2^128, from 64-bit halves (portable; GCC and Clang make
// the same three multiplications of it as of unsigned __int128).
struct U128 {
  std::uint64_t hi, lo;
};
inline bool operator==(U128 a, U128 b) { return a.hi == b.hi && a.lo == b.lo; }
inline U128 add(U128 a, U128 b) {
  const std::uint64_t lo = a.lo + b.lo;
  return {a.hi + b.hi + (lo < a.lo ? 1u : 0u), lo};
}
inline U128 mul(U128 a, U128 b) {
  std::uint64_t hi, lo;
  mulhilo64(a.lo, b.lo, hi, lo);
  return {hi + a.lo * b.hi + a.hi * b.lo, lo};
}

// x -> mult * x + plus (mod 2^128): a number of LCG steps.
struct Affine {
  U128 mult, plus;
  U128 operator()(U128 x) const { return add(mul(mult, x), plus); }
};

// `delta` steps of x -> mult * x + inc, as one affine map (Brown, "Random number generation
// with arbitrary strides", 1994; NumPy's pcg_advance_lcg_128).
inline Affine lcg_jump(U128 mult, U128 inc, std::uint64_t delta) {
  Affine acc{{0, 1}, {0, 0}};
  U128 cur_mult = mult, cur_plus = inc;
  while (delta > 0) {
    if (delta & 1) {
      acc.mult = mul(acc.mult, cur_mult);
      acc.plus = add(mul(acc.plus, cur_mult), cur_plus);
    }
    cur_plus = mul(add(cur_mult, {0, 1}), cur_plus);
    cur_mult = mul(cur_mult, cur_mult);
    delta >>= 1;
  }
  return acc;
}

inline std::uint64_t rotr64(std::uint64_t v, unsigned r) {
  return (v >> (r & 63)) | (v << ((64 - r) & 63));  // one ror; no branch for r == 0
}

// ---------------------------------------------------------------------------------------------
// PCG64 (XSL-RR 128/64) and PCG64DXSM (CM-DXSM 128/64), numpy/random/src/pcg64/pcg64.h.
// With S_j the LCG state before word j (S_0 = the state NumPy shows), S_{j+1} = M * S_j + inc;
// PCG64 outputs XSL-RR of S_{j+1} (step, then output), PCG64DXSM outputs DXSM of S_j (output,
// then step with the 64-bit "cheap multiplier").
struct Pcg64Output {
  static constexpr bool kDxsm = false;
  static constexpr U128 kMult = {0x2360ED051FC65DA4ull, 0x4385DF649FCCF645ull};
  static std::uint64_t output(U128 /*old_state*/, U128 new_state) {
    return rotr64(new_state.hi ^ new_state.lo, static_cast<unsigned>(new_state.hi >> 58));
  }
};
struct Pcg64DxsmOutput {
  static constexpr bool kDxsm = true;
  static constexpr std::uint64_t kCheap = 0xDA942042E4DD58B5ull;
  static constexpr U128 kMult = {0, kCheap};
  static std::uint64_t output(U128 old_state, U128 /*new_state*/) {
    std::uint64_t hi = old_state.hi;
    const std::uint64_t lo = old_state.lo | 1;
    hi ^= hi >> 32;
    hi *= kCheap;
    hi ^= hi >> 48;
    hi *= lo;
    return hi;
  }
};

template <class Output>
struct PcgEngine {
  struct State {
    U128 state, inc;
  };

  static U128 step(U128 s, U128 inc) { return add(mul(Output::kMult, s), inc); }
  static State advanced(const State& st, std::uint64_t words) {
    return {lcg_jump(Output::kMult, st.inc, words)(st.state), st.inc};
  }

  class Cursor {
   public:
    Cursor(const State& st, std::uint64_t j) : s_(advanced(st, j).state), inc_(st.inc) {}

    std::uint64_t next() {
      const U128 n = step(s_, inc_);
      const std::uint64_t w = Output::output(s_, n);
      s_ = n;
      return w;
    }

    // The next m words. One LCG chain is a chain of dependent multiplications (the latency of
    // a 128-bit multiply-add per word); four chains, each making a quarter of the words from
    // its own jumped-ahead state, keep the multiplier busy. Everything in locals, so the
    // compiler keeps it in registers (dst could alias the members, as far as it knows).
    void fill(std::uint64_t* dst, std::size_t m) {
      // The ISA's vector path for the whole multiples of kPcgFillWords (AVX-512), given the
      // state the first word is the output of: PCG64's after its step, PCG64DXSM's before.
      const auto lanes = active_stream_kernels().pcg_fill;
      if (lanes != nullptr && m >= 2 * kPcgFillWords) {
        const std::size_t q = m - m % kPcgFillWords;
        const U128 t = Output::kDxsm ? s_ : step(s_, inc_);
        lanes(Output::kDxsm, t.hi, t.lo, inc_.hi, inc_.lo, dst, q);
        s_ = jump_of(lanes_jump_, q)(s_);
        dst += q;
        m -= q;
      }
      const std::size_t c = m / 4;
      if (c < 8) {
        for (std::size_t i = 0; i < m; ++i) dst[i] = next();
        return;
      }
      const U128 inc = inc_;
      const Affine jump = jump_of(chains_jump_, c);
      U128 x0 = s_, x1 = jump(x0), x2 = jump(x1), x3 = jump(x2);
      std::uint64_t *d0 = dst, *d1 = dst + c, *d2 = dst + 2 * c, *d3 = dst + 3 * c;
      for (std::size_t t = 0; t < c; ++t) {
        const U128 n0 = step(x0, inc), n1 = step(x1, inc), n2 = step(x2, inc), n3 = step(x3, inc);
        d0[t] = Output::output(x0, n0);
        d1[t] = Output::output(x1, n1);
        d2[t] = Output::output(x2, n2);
        d3[t] = Output::output(x3, n3);
        x0 = n0;
        x1 = n1;
        x2 = n2;
        x3 = n3;
      }
      s_ = x3;
      for (std::size_t i = 4 * c; i < m; ++i) dst[i] = next();
    }

   private:
    // A jump of `words` steps, kept for the next fill of the same size (refills repeat one size).
    struct CachedJump {
      Affine jump{};
      std::size_t words = 0;
    };
    const Affine& jump_of(CachedJump& cached, std::size_t words) const {
      if (cached.words != words) {
        cached.jump = lcg_jump(Output::kMult, inc_, words);
        cached.words = words;
      }
      return cached.jump;
    }

    U128 s_, inc_;
    CachedJump lanes_jump_;   // over the vector path's words
    CachedJump chains_jump_;  // from one of the four chains to the next
  };
};

using Pcg64Engine = PcgEngine<Pcg64Output>;
using Pcg64DxsmEngine = PcgEngine<Pcg64DxsmOutput>;

// ---------------------------------------------------------------------------------------------
// Philox4x64-10 as NumPy buffers it (numpy/random/src/philox/philox.h): the 256-bit counter is
// incremented before each block, words leave a block as v[0..3], and buffer[buffer_pos..3]
// are the words still to come from the current block.
struct PhiloxEngine {
  struct State {
    Ctr4x64 counter;
    Key2x64 key;
    std::array<std::uint64_t, 4> buffer;
    int buffer_pos;  // 0..4; 4 = no buffered word
  };

  static State advanced(const State& st, std::uint64_t words) {
    State out = st;
    const std::uint64_t buffered = static_cast<std::uint64_t>(4 - st.buffer_pos);
    if (words <= buffered) {
      out.buffer_pos = st.buffer_pos + static_cast<int>(words);
      return out;
    }
    const std::uint64_t q = words - buffered;
    const std::uint64_t blocks = (q - 1) / 4 + 1;
    out.counter = counter_add(st.counter, blocks);
    out.buffer = philox_block<std::uint64_t>(out.counter, st.key);
    out.buffer_pos = static_cast<int>(q - 4 * (blocks - 1));
    return out;
  }

  class Cursor {
   public:
    Cursor(const State& st, std::uint64_t j) : key_(st.key) {
      const std::uint64_t buffered = static_cast<std::uint64_t>(4 - st.buffer_pos);
      if (j < buffered) {
        counter_ = st.counter;
        block_ = st.buffer;
        pos_ = st.buffer_pos + static_cast<int>(j);
      } else {
        const std::uint64_t q = j - buffered;
        counter_ = counter_add(st.counter, q / 4 + 1);
        block_ = philox_block<std::uint64_t>(counter_, key_);
        pos_ = static_cast<int>(q % 4);
      }
    }

    std::uint64_t next() {
      if (pos_ == 4) {
        counter_ = counter_add(counter_, 1);
        block_ = philox_block<std::uint64_t>(counter_, key_);
        pos_ = 0;
      }
      return block_[static_cast<std::size_t>(pos_++)];
    }

    void fill(std::uint64_t* dst, std::size_t m) {
      std::size_t i = 0;
      while (i < m && pos_ < 4) dst[i++] = block_[static_cast<std::size_t>(pos_++)];
      const std::uint64_t blocks = (m - i) / 4;  // whole blocks straight into dst, on the ISA in use
      if (blocks > 0) {
        active_stream_kernels().philox4x64_blocks(counter_, key_, blocks, dst + i);
        counter_ = counter_add(counter_, blocks);
        i += 4 * blocks;
      }
      while (i < m) dst[i++] = next();
    }

   private:
    Key2x64 key_;
    Ctr4x64 counter_;  // the counter block_ was made from
    Ctr4x64 block_;
    int pos_;  // next word of block_ (4: none left)
  };
};

}  // namespace numpy_streams
}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
