// Checks the AVX-512 VBMI block kernels of NumPy's ziggurats (exponential_f64_block,
// exponential_f32_block, normal_f64_block, normal_f32_block in
// cpp/numpy_streams/stream_kernels.cpp) against the scalar one-unit paths they stand for
// (StandardExponentialF64::fast ... StandardNormalF32::fast in cpp/numpy_streams/ziggurat.hpp),
// bit for bit, for every block length 0..64: random units, units of every table index, and units
// whose top bits tie with the acceptance threshold's (the kernels decide on 16 bits only). For
// each unit: a set bit only where fast() accepts, a clear bit where it accepts only on a tie,
// the value fast() gives, and nothing written or set past the block. Prints one line per kernel;
// exits 1 on any difference. Needs a CPU with AVX-512 VBMI (the test checks first). Built and
// run by tests/test_ziggurat_blocks.py.
#define WEIGHTINIT_ISA_NS isa_avx512
#define WEIGHTINIT_ISA_NAME "avx512"
#include "numpy_streams/stream_kernels.cpp"
#include "numpy_streams/ziggurat.hpp"

#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

using weightinit::StreamKernels;
using namespace weightinit::isa_avx512::numpy_streams;
namespace z = weightinit::numpy_ziggurat;

namespace {

template <class Value>
bool same_bits(Value a, Value b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// Where each ziggurat keeps its table index, and a unit with index idx (other bits from
// `random`) whose compared top 16 bits are the threshold's: a tie.
struct ExponentialF64Units {
  static int index(std::uint64_t u) { return static_cast<int>((u >> 3) & 0xFF); }
  static std::uint64_t tie(std::uint64_t random, int idx) {  // ri = u >> 11: its top 16 are u >> 48
    return ((z::ke_double[idx] >> 37) << 48) | (random & 0x0000FFFFFFFFF807ull) | (static_cast<std::uint64_t>(idx) << 3);
  }
};
struct NormalF64Units {
  static int index(std::uint64_t u) { return static_cast<int>(u & 0xFF); }
  static std::uint64_t tie(std::uint64_t random, int idx) {  // rabs = bits 9 .. 60: its top 16 are bits 45 .. 60
    return ((z::ki_double[idx] >> 36) << 45) | (random & 0xE0001FFFFFFFFF00ull) | static_cast<std::uint64_t>(idx);
  }
};
struct ExponentialF32Units {
  static int index(std::uint32_t u) { return static_cast<int>((u >> 1) & 0xFF); }
  static std::uint32_t tie(std::uint32_t random, int idx) {  // ri = u >> 9: its top 16 are u >> 16
    return ((z::ke_float[idx] >> 7) << 16) | (random & 0xFE01u) | (static_cast<std::uint32_t>(idx) << 1);
  }
};
struct NormalF32Units {
  static int index(std::uint32_t u) { return static_cast<int>(u & 0xFF); }
  static std::uint32_t tie(std::uint32_t random, int idx) {  // rabs = u >> 9: its top 16 are u >> 16
    return ((z::ki_float[idx] >> 7) << 16) | (random & 0xFF00u) | static_cast<std::uint32_t>(idx);
  }
};

template <class Sampler, class Units>
long check(std::uint64_t (*block)(const typename Sampler::Unit*, std::size_t, typename Sampler::Value*), const char* name) {
  using Unit = typename Sampler::Unit;
  using Value = typename Sampler::Value;
  std::mt19937_64 gen(20261129);
  long differences = 0, units_checked = 0, accepted = 0, ties = 0;
  std::vector<Unit> units(64);
  for (int trial = 0; trial < 40000; ++trial) {
    for (int j = 0; j < 64; ++j) {
      const Unit r = static_cast<Unit>(gen());
      switch (trial % 4) {
        case 0: units[j] = r; break;                                                    // random
        case 1: units[j] = Units::tie(r, (trial / 4 * 64 + j) % 256); break;            // ties, every index
        case 2: units[j] = gen() % 3 == 0 ? Units::tie(r, Units::index(r)) : r; break;  // mixed
        default: units[j] = static_cast<Unit>(r >> (gen() % (8 * sizeof(Unit)))); break;  // small values
      }
    }
    const std::size_t n = static_cast<std::size_t>(trial % 65);
    Value values[65];
    const Value canary = static_cast<Value>(-12345.0);
    for (Value& v : values) v = canary;
    const std::uint64_t ok = block(units.data(), n, values);
    for (std::size_t j = 0; j < 64; ++j) {
      const bool bit = (ok >> j) & 1;
      if (j >= n) {
        if (bit || !same_bits(values[j], canary)) ++differences;
        continue;
      }
      ++units_checked;
      Value x;
      const bool fast = Sampler::fast(units[j], x);
      accepted += fast ? 1 : 0;
      if (bit && !fast) ++differences;  // a rejected unit taken as a sample
      if (fast && !bit) {               // left to the scalar code: allowed on a tie only
        ++ties;
        if (Units::tie(units[j], Units::index(units[j])) != units[j]) ++differences;
      }
      if (fast && !same_bits(values[j], x)) ++differences;
    }
    if (!same_bits(values[64], canary)) ++differences;
  }
  std::printf("%s: %ld units, %ld one-unit samples, %ld ties left to the scalar code, %ld differences\n", name,
              units_checked, accepted, ties, differences);
  return differences;
}

}  // namespace

int main() {
  const StreamKernels& k = stream_kernels();
  if (k.exponential_f64_block == nullptr || k.exponential_f32_block == nullptr || k.normal_f64_block == nullptr ||
      k.normal_f32_block == nullptr) {
    std::printf("the VBMI kernels are not selected on a CPU that has VBMI\n");
    return 1;
  }
  long d = check<StandardExponentialF64, ExponentialF64Units>(k.exponential_f64_block, "exponential float64");
  d += check<StandardExponentialF32, ExponentialF32Units>(k.exponential_f32_block, "exponential float32");
  d += check<StandardNormalF64, NormalF64Units>(k.normal_f64_block, "normal float64");
  d += check<StandardNormalF32, NormalF32Units>(k.normal_f32_block, "normal float32");
  return d == 0 ? 0 : 1;
}
