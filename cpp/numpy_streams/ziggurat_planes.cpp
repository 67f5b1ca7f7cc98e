// The byte planes of ziggurat_planes.hpp, built once when the module is loaded: a namespace-scope
// object (not a function-local static, which a fork() could catch half-made), in a translation
// unit compiled with the baseline flags, since it runs on every CPU.
#include "ziggurat_planes.hpp"

#include <cstddef>
#include <cstring>

namespace weightinit {
namespace numpy_ziggurat {
using std::uint32_t;
using std::uint64_t;
#include "ziggurat_constants.h"

namespace {

// The planes of `entries` and of the top 16 bits of `thresholds` (threshold >> shift, < 2^16
// for these tables: tests/cpp/ziggurat_blocks.cpp checks the kernels on ties).
template <class Entry, class Threshold>
TablePlanes<sizeof(Entry)> planes_of(const Entry (&entries)[256], const Threshold (&thresholds)[256], int shift) {
  TablePlanes<sizeof(Entry)> p{};
  for (int i = 0; i < 256; ++i) {
    unsigned char bytes[sizeof(Entry)];
    std::memcpy(bytes, &entries[i], sizeof(Entry));  // little-endian: byte k is bits 8k .. 8k + 7
    for (std::size_t k = 0; k < sizeof(Entry); ++k) p.entry[k][i] = bytes[k];
    const std::uint64_t top = static_cast<std::uint64_t>(thresholds[i]) >> shift;
    p.top[0][i] = static_cast<std::uint8_t>(top & 0xFF);
    p.top[1][i] = static_cast<std::uint8_t>(top >> 8);
  }
  return p;
}

ZigguratPlanes make_planes() {
  return {planes_of(we_double, ke_double, 37), planes_of(wi_double, ki_double, 36), planes_of(we_float, ke_float, 7),
          planes_of(wi_float, ki_float, 7)};
}

const ZigguratPlanes kPlanes = make_planes();

}  // namespace

const ZigguratPlanes& ziggurat_planes() { return kPlanes; }

}  // namespace numpy_ziggurat
}  // namespace weightinit
