// NumPy's exponential ziggurat tables as byte planes, for SIMD table lookups by byte permutes
// (stream_kernels.cpp): plane k of a table holds byte k of each of its 256 entries, so one
// 64-byte vector of indices looks up 64 entries' byte k with two two-source permutes and a blend.
// The acceptance thresholds keep their top 16 bits only (a sample whose top bits tie with the
// threshold's is left to the exact scalar test).
#pragma once

#include <cstdint>

namespace weightinit {
namespace numpy_ziggurat {

struct ExponentialPlanes {
  alignas(64) std::uint8_t we_double[8][256];      // the bytes of we_double[i]
  alignas(64) std::uint8_t ke_double_top[2][256];  // low, high byte of ke_double[i] >> 37 (the top 16 of 53 bits)
  alignas(64) std::uint8_t we_float[4][256];       // the bytes of we_float[i]
  alignas(64) std::uint8_t ke_float_top[2][256];   // low, high byte of ke_float[i] >> 7 (the top 16 of 23 bits)
};

// Built when the module is loaded (cpp/numpy_streams/ziggurat_planes.cpp, baseline flags).
const ExponentialPlanes& exponential_planes();

}  // namespace numpy_ziggurat
}  // namespace weightinit
