// The byte planes of ziggurat_planes.hpp, built once when the module is loaded: a namespace-scope
// object (not a function-local static, which a fork() could catch half-made), in a translation
// unit compiled with the baseline flags, since it runs on every CPU.
#include "ziggurat_planes.hpp"

#include <cstring>

namespace weightinit {
namespace numpy_ziggurat {
using std::uint32_t;
using std::uint64_t;
#include "ziggurat_constants.h"

namespace {

template <class T>
void split_bytes(const T (&table)[256], std::uint8_t (*planes)[256]) {
  for (int i = 0; i < 256; ++i) {
    unsigned char bytes[sizeof(T)];
    std::memcpy(bytes, &table[i], sizeof(T));  // little-endian: byte k is bits 8k .. 8k + 7
    for (std::size_t k = 0; k < sizeof(T); ++k) planes[k][i] = bytes[k];
  }
}

template <class T>
void split_top16(const T (&table)[256], int shift, std::uint8_t (*planes)[256]) {
  for (int i = 0; i < 256; ++i) {
    const std::uint64_t top = static_cast<std::uint64_t>(table[i]) >> shift;  // < 2^16 for these tables
    planes[0][i] = static_cast<std::uint8_t>(top & 0xFF);
    planes[1][i] = static_cast<std::uint8_t>(top >> 8);
  }
}

ExponentialPlanes make_planes() {
  ExponentialPlanes p{};
  split_bytes(we_double, p.we_double);
  split_top16(ke_double, 37, p.ke_double_top);
  split_bytes(we_float, p.we_float);
  split_top16(ke_float, 7, p.ke_float_top);
  return p;
}

const ExponentialPlanes kPlanes = make_planes();

}  // namespace

const ExponentialPlanes& exponential_planes() { return kPlanes; }

}  // namespace numpy_ziggurat
}  // namespace weightinit
