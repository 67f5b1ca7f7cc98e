// The definition of numpy_fill(), instantiated once per engine (numpy_fill_<engine>.cpp), so
// the three engines compile in parallel.
#pragma once

#include "../isa_namespace.hpp"

#include <math.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "bounded.hpp"
#include "fixed_fill.hpp"
#include "numpy_fill.hpp"
#include "parse_fill.hpp"
#include "ziggurat.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {
namespace numpy_streams {

// Rough costs of a value relative to a uniform double, for parallel_for's serial threshold.
inline constexpr std::int64_t kCostUniform = 1;
inline constexpr std::int64_t kCostLog = 8;

struct Identity {
  template <class T>
  T operator()(T v) const {
    return v;
  }
};

[[noreturn]] inline void unsupported(const char* what) {
  throw std::invalid_argument(std::string("numpy_fill: unsupported element type for ") + what);
}

// integers() with NumPy's (off, rng) for an unsigned element type Out of the dtype's width.
template <class Out, class Engine>
void fill_integers(BitGenState<Engine>& st, Out* out, const FillRequest& req, KeepGoing keep_going) {
  constexpr std::uint64_t kMax = std::numeric_limits<Out>::max();
  if (req.rng > kMax || req.off > kMax) throw std::invalid_argument("numpy_fill: off and rng must fit the dtype");
  const Out off = static_cast<Out>(req.off);
  if (req.rng == 0) {  // NumPy makes no draw at all
    std::fill_n(out, req.n, off);
    return;
  }
  const auto plus_off = [off](auto u) { return static_cast<Out>(off + static_cast<Out>(u)); };
  if constexpr (sizeof(Out) == 8) {
    if (req.rng <= 0xFFFFFFFFull) {  // NumPy draws 32-bit halves for a range that fits them
      if (req.rng == 0xFFFFFFFFull) {
        st = fixed_fill<std::uint32_t>(st, out, req.n, kCostUniform, plus_off, keep_going);
      } else {
        const LemireSampler<std::uint32_t, Out> s(off, static_cast<std::uint32_t>(req.rng), &active_stream_kernels());
        st = parse_fill(st, s, out, req.n, Identity{}, req.segment_units, keep_going);
      }
      return;
    }
  }
  if (req.rng == kMax) {
    st = fixed_fill<Out>(st, out, req.n, kCostUniform, plus_off, keep_going);
  } else {
    const LemireSampler<Out, Out> s(off, static_cast<Out>(req.rng), &active_stream_kernels());
    st = parse_fill(st, s, out, req.n, Identity{}, req.segment_units, keep_going);
  }
}

template <class Engine>
void fill_bools(BitGenState<Engine>& st, std::uint8_t* out, const FillRequest& req, KeepGoing keep_going) {
  if (req.rng > 1 || req.off > 1) throw std::invalid_argument("numpy_fill: off and rng must fit the dtype");
  if (req.rng == 0) {
    std::fill_n(out, req.n, static_cast<std::uint8_t>(req.off));
    return;
  }
  st = bit_fill(st, out, req.n, keep_going);  // NumPy ignores off here (it can only be 0)
}

template <class Engine>
void numpy_fill(BitGenState<Engine>& st, const FillRequest& req, KeepGoing keep_going) {
  const std::uint64_t n = req.n;
  const Element e = req.element;
  const bool f64 = e == Element::kFloat64, f32 = e == Element::kFloat32;
  switch (req.method) {
    case Method::kRaw:
      if (e != Element::kUInt64) unsupported("raw");
      st = fixed_fill<std::uint64_t>(st, static_cast<std::uint64_t*>(req.out), n, kCostUniform, Identity{}, keep_going);
      return;
    case Method::kRandom:
      if (f64) {
        st = fixed_fill<std::uint64_t>(st, static_cast<double*>(req.out), n, kCostUniform,
                                       [](std::uint64_t w) { return unit_double(w); }, keep_going);
      } else if (f32) {
        st = fixed_fill<std::uint32_t>(st, static_cast<float*>(req.out), n, kCostUniform,
                                       [](std::uint32_t w) { return unit_float(w); }, keep_going);
      } else {
        unsupported("random");
      }
      return;
    case Method::kUniform: {
      if (!f64) unsupported("uniform");
      const double low = req.a, range = req.b;
      st = fixed_fill<std::uint64_t>(st, static_cast<double*>(req.out), n, kCostUniform,
                                     [low, range](std::uint64_t w) { return low + range * unit_double(w); }, keep_going);
      return;
    }
    case Method::kStandardExponentialInv:
      if (f64) {
        st = fixed_fill<std::uint64_t>(st, static_cast<double*>(req.out), n, kCostLog,
                                       [](std::uint64_t w) { return -::log1p(-unit_double(w)); }, keep_going);
      } else if (f32) {
        // NumPy: the float uniform's log1p in double, rounded to float when stored.
        st = fixed_fill<std::uint32_t>(
            st, static_cast<float*>(req.out), n, kCostLog,
            [](std::uint32_t w) { return static_cast<float>(-::log1p(static_cast<double>(-unit_float(w)))); }, keep_going);
      } else {
        unsupported("standard_exponential");
      }
      return;
    case Method::kStandardNormal:
      if (f64) {
        st = parse_fill(st, StandardNormalF64(&active_stream_kernels()), static_cast<double*>(req.out), n, Identity{}, req.segment_units, keep_going);
      } else if (f32) {
        st = parse_fill(st, StandardNormalF32(&active_stream_kernels()), static_cast<float*>(req.out), n, Identity{}, req.segment_units, keep_going);
      } else {
        unsupported("standard_normal");
      }
      return;
    case Method::kNormal: {
      if (!f64) unsupported("normal");
      const double loc = req.a, scale = req.b;
      st = parse_fill(st, StandardNormalF64(&active_stream_kernels()), static_cast<double*>(req.out), n,
                      [loc, scale](double z) { return loc + scale * z; }, req.segment_units, keep_going);
      return;
    }
    case Method::kStandardExponential:
      if (f64) {
        st = parse_fill(st, StandardExponentialF64(&active_stream_kernels()), static_cast<double*>(req.out), n, Identity{}, req.segment_units,
                        keep_going);
      } else if (f32) {
        st = parse_fill(st, StandardExponentialF32(&active_stream_kernels()), static_cast<float*>(req.out), n, Identity{}, req.segment_units,
                        keep_going);
      } else {
        unsupported("standard_exponential");
      }
      return;
    case Method::kExponential: {
      if (!f64) unsupported("exponential");
      const double scale = req.a;
      st = parse_fill(st, StandardExponentialF64(&active_stream_kernels()), static_cast<double*>(req.out), n,
                      [scale](double x) { return scale * x; }, req.segment_units, keep_going);
      return;
    }
    case Method::kIntegers:
      switch (e) {
        case Element::kUInt64: fill_integers(st, static_cast<std::uint64_t*>(req.out), req, keep_going); return;
        case Element::kUInt32: fill_integers(st, static_cast<std::uint32_t*>(req.out), req, keep_going); return;
        case Element::kUInt16: fill_integers(st, static_cast<std::uint16_t*>(req.out), req, keep_going); return;
        case Element::kUInt8: fill_integers(st, static_cast<std::uint8_t*>(req.out), req, keep_going); return;
        case Element::kBool: fill_bools(st, static_cast<std::uint8_t*>(req.out), req, keep_going); return;
        default: unsupported("integers");
      }
  }
  throw std::invalid_argument("numpy_fill: unknown method");
}

}  // namespace numpy_streams
}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
