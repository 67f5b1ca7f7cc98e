// Checks the AVX-512 VBMI block kernels of NumPy's standard_exponential (exp_f64_block,
// exp_f32_block in cpp/numpy_streams/stream_kernels.cpp) against the scalar one-unit path they
// stand for (StandardExponentialF64::fast, StandardExponentialF32::fast in
// cpp/numpy_streams/ziggurat.hpp), bit for bit, for every block length 0..64: random units,
// units of every table index, and units whose top 16 bits tie with the acceptance threshold's
// (the kernels decide on those bits only). For each unit: a set bit only where fast() accepts,
// a clear bit where it accepts only on a tie, the value fast() gives, and nothing written or
// set past the block. Prints one line per type; exits 1 on any difference. Needs a CPU with
// AVX-512 VBMI (the test checks first). Built and run by tests/test_exponential_blocks.py.
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

// Units with index `idx` whose top 16 bits are those of the threshold (a tie), for each sampler.
std::uint64_t tie_f64(std::uint64_t random, int idx) {
  const std::uint64_t top = z::ke_double[idx] >> 37;  // ri = unit >> 11, its top 16: unit >> 48
  return (top << 48) | (random & 0x0000FFFFFFFFF800ull) | (static_cast<std::uint64_t>(idx) << 3) | (random & 7);
}
std::uint32_t tie_f32(std::uint32_t random, int idx) {
  const std::uint32_t top = z::ke_float[idx] >> 7;  // ri = unit >> 9, its top 16: unit >> 16
  return (top << 16) | (random & 0xFE00u) | (static_cast<std::uint32_t>(idx) << 1) | (random & 1);
}

template <class Sampler, class Unit, class Value>
long check(std::uint64_t (*block)(const Unit*, std::size_t, Value*), Unit (*tie)(Unit, int), const char* name) {
  std::mt19937_64 gen(20261129);
  long differences = 0, units_checked = 0, accepted = 0, ties = 0;
  std::vector<Unit> units(64);
  for (int trial = 0; trial < 40000; ++trial) {
    for (int j = 0; j < 64; ++j) {
      const Unit r = static_cast<Unit>(gen());
      switch (trial % 4) {
        case 0: units[j] = r; break;                                            // random
        case 1: units[j] = tie(r, (trial / 4 * 64 + j) % 256); break;           // ties, every index
        case 2: units[j] = gen() % 3 == 0 ? tie(r, static_cast<int>(r >> 3) % 256) : r; break;  // mixed
        default: units[j] = static_cast<Unit>(r >> (gen() % (8 * sizeof(Unit)))); break;  // small ri
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
      if (bit && !fast) ++differences;               // a rejected unit taken as a sample
      if (fast && !bit) ++ties;                      // left to the scalar code: allowed on a tie only
      if (fast && !bit && tie(units[j], static_cast<int>((units[j] >> (sizeof(Unit) == 8 ? 3 : 1)) & 0xFF)) != units[j]) {
        ++differences;
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
  if (k.exp_f64_block == nullptr || k.exp_f32_block == nullptr) {
    std::printf("the VBMI kernels are not selected on a CPU that has VBMI\n");
    return 1;
  }
  long d = check<StandardExponentialF64>(k.exp_f64_block, &tie_f64, "float64");
  d += check<StandardExponentialF32>(k.exp_f32_block, &tie_f32, "float32");
  return d == 0 ? 0 : 1;
}
