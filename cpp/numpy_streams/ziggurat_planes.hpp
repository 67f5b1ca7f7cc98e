// NumPy's ziggurat tables as byte planes, for SIMD table lookups by byte permutes
// (stream_kernels.cpp): plane k of a table holds byte k of each of its 256 entries, so one
// 64-byte vector of indices looks up 64 entries' byte k with two two-source permutes and a blend.
// The acceptance thresholds keep their top 16 bits only (a sample whose top bits tie with the
// threshold's is left to the exact scalar test).
#pragma once

#include <cstdint>

namespace weightinit {
namespace numpy_ziggurat {

// A ziggurat's x-scale table (we, wi) of Bytes-byte entries and its threshold (ke, ki).
template <int Bytes>
struct TablePlanes {
  alignas(64) std::uint8_t entry[Bytes][256];  // byte k of entry i at [k][i]
  alignas(64) std::uint8_t top[2][256];        // low, high byte of the threshold's top 16 bits
};

struct ZigguratPlanes {
  TablePlanes<8> exponential_f64;  // we_double; ke_double >> 37 (53-bit thresholds)
  TablePlanes<8> normal_f64;       // wi_double; ki_double >> 36 (52 bits)
  TablePlanes<4> exponential_f32;  // we_float; ke_float >> 7 (23 bits)
  TablePlanes<4> normal_f32;       // wi_float; ki_float >> 7 (23 bits)
};

// Built when the module is loaded (cpp/numpy_streams/ziggurat_planes.cpp, baseline flags).
const ZigguratPlanes& ziggurat_planes();

}  // namespace numpy_ziggurat
}  // namespace weightinit
