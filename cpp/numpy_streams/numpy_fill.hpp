// numpy_fill(): what numpy.random.Generator's bulk methods write, and the bit generator's state
// after them, for NumPy's Philox, PCG64 and PCG64DXSM, computed on all threads. The caller (the
// Python layer) checks the arguments as NumPy would and passes what NumPy's C code receives.
#pragma once

#include "../isa_namespace.hpp"

#include <cstdint>

#include "engines.hpp"
#include "unit_source.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {
namespace numpy_streams {

enum class Method {
  kRaw,                     // next_uint64 words (uint64 out)
  kRandom,                  // random(): next_double / next_float
  kUniform,                 // uniform(low, high): a = low, b = high - low
  kStandardNormal,          // standard_normal()
  kNormal,                  // normal(loc, scale): a = loc, b = scale
  kStandardExponential,     // standard_exponential(method="zig")
  kExponential,             // exponential(scale): a = scale
  kStandardExponentialInv,  // standard_exponential(method="inv")
  kIntegers,                // integers(): off, rng as NumPy's random_bounded_*_fill gets them
};

enum class Element { kFloat64, kFloat32, kUInt64, kUInt32, kUInt16, kUInt8, kBool };

struct FillRequest {
  Method method;
  Element element;  // integers: the dtype's unsigned twin (int8 -> kUInt8), or kBool
  void* out;        // n elements, contiguous
  std::uint64_t n;
  double a = 0.0, b = 0.0;
  std::uint64_t off = 0, rng = 0;  // integers: values off + [0, rng], in the dtype's width
  std::uint64_t segment_units = 0;  // variable-size methods: units per segment (0: the default)
};

// Returns true or throws (a pending Ctrl-C); asked between large chunks of work.
using KeepGoing = bool (*)();

// Fills req.out and advances st as NumPy's Generator would. Throws std::invalid_argument for a
// method and element NumPy does not have.
template <class Engine>
void numpy_fill(BitGenState<Engine>& st, const FillRequest& req, KeepGoing keep_going);

extern template void numpy_fill<PhiloxEngine>(BitGenState<PhiloxEngine>&, const FillRequest&, KeepGoing);
extern template void numpy_fill<Pcg64Engine>(BitGenState<Pcg64Engine>&, const FillRequest&, KeepGoing);
extern template void numpy_fill<Pcg64DxsmEngine>(BitGenState<Pcg64DxsmEngine>&, const FillRequest&, KeepGoing);

}  // namespace numpy_streams
}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
