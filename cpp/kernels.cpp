// The bulk kernels: whole groups of 16 Philox blocks, computed as 16-lane loops the compiler
// vectorizes. This one source is compiled once per instruction set (CMake sets
// WEIGHTINIT_ISA_NS and the -m flags); IEEE arithmetic with no FMA contraction makes every
// build give the same bits as the scalar per-element path.
#include <cstring>

#include "distributions.hpp"
#include "kernel_api.hpp"
#include "philox.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {
namespace {

template <class Dist> Dist make(const DistParams& p);
template <> Uniform<float> make(const DistParams& p) {
  return {static_cast<float>(p.p[0]), static_cast<float>(p.p[1] - p.p[0])};
}
template <> Uniform<double> make(const DistParams& p) { return {p.p[0], p.p[1] - p.p[0]}; }
template <> Normal<float> make(const DistParams& p) {
  return {static_cast<float>(p.p[0]), static_cast<float>(p.p[1])};
}
template <> Normal<double> make(const DistParams& p) { return {p.p[0], p.p[1]}; }
template <> TruncatedNormal<float> make(const DistParams& p) { return {p.p[0], p.p[1], p.p[2], p.p[3]}; }
template <> TruncatedNormal<double> make(const DistParams& p) { return {p.p[0], p.p[1], p.p[2], p.p[3]}; }

template <class Dist, class Out>
void fill_groups(const DistParams& params, std::uint32_t key0, std::uint32_t key1, std::uint64_t g0,
                 std::uint64_t ng, void* out_ptr) {
  const Dist dist = make<Dist>(params);
  constexpr int E = kLanes * Dist::slots;
  Out* out = static_cast<Out*>(out_ptr);
  alignas(64) std::uint32_t x[4][kLanes];
  alignas(64) typename Dist::value_type vals[E];
  for (std::uint64_t g = g0; g < g0 + ng; ++g) {
    const std::uint64_t b0 = g * kLanes;
    for (int i = 0; i < kLanes; ++i) {
      x[0][i] = static_cast<std::uint32_t>(b0) + static_cast<std::uint32_t>(i);
      x[1][i] = static_cast<std::uint32_t>(b0 >> 32);
      x[2][i] = 0;
      x[3][i] = 0;
    }
    philox4x32_10_lanes(x, Key2x32{key0, key1});
    dist.group(x, vals);
    Out* o = out + (g - g0) * E;
    for (int j = 0; j < E; ++j) o[j] = dist.template convert<Out>(vals[j]);
  }
}

template <template <class> class D>
constexpr void set_row(GroupKernel (&row)[kOutKinds]) {
  row[static_cast<int>(OutKind::kFloat32)] = &fill_groups<D<float>, float>;
  row[static_cast<int>(OutKind::kFloat64)] = &fill_groups<D<double>, double>;
  row[static_cast<int>(OutKind::kFloat16)] = &fill_groups<D<float>, float16_bits>;
  row[static_cast<int>(OutKind::kBFloat16)] = &fill_groups<D<float>, bfloat16_bits>;
}

KernelTable build_table() {
  KernelTable t{};
  t.isa = WEIGHTINIT_ISA_NAME;
  set_row<Uniform>(t.fill[static_cast<int>(DistKind::kUniform)]);
  set_row<Normal>(t.fill[static_cast<int>(DistKind::kNormal)]);
  set_row<TruncatedNormal>(t.fill[static_cast<int>(DistKind::kTruncatedNormal)]);
  return t;
}

}  // namespace

const KernelTable& kernel_table() {
  static const KernelTable table = build_table();
  return table;
}

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
