// From the dispatch interface's run-time kinds and parameters (DistKind, OutKind, DistParams) to
// the distribution and output types that the kernels and the fill driver are instantiated with.
#pragma once

#include "../isa_namespace.hpp"

#include "../dispatch.hpp"
#include "distributions.hpp"
#include "low_precision.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

// Each output dtype: the element type written and the working precision it is sampled in
// (float16 and bfloat16 are sampled in float32 and rounded once).
template <OutKind K> struct OutputType;
template <> struct OutputType<OutKind::kFloat32> { using Real = float; using Out = float; };
template <> struct OutputType<OutKind::kFloat64> { using Real = double; using Out = double; };
template <> struct OutputType<OutKind::kFloat16> { using Real = float; using Out = float16_bits; };
template <> struct OutputType<OutKind::kBFloat16> { using Real = float; using Out = bfloat16_bits; };

// Calls f(OutputType<o>{}) for the run-time dtype o.
template <class F>
void visit_output(OutKind o, F&& f) {
  switch (o) {
    case OutKind::kFloat32: f(OutputType<OutKind::kFloat32>{}); break;
    case OutKind::kFloat64: f(OutputType<OutKind::kFloat64>{}); break;
    case OutKind::kFloat16: f(OutputType<OutKind::kFloat16>{}); break;
    case OutKind::kBFloat16: f(OutputType<OutKind::kBFloat16>{}); break;
  }
}

template <class Dist_, class Out_>
struct KernelTypes {
  using Dist = Dist_;
  using Out = Out_;
};

// Calls f(KernelTypes<Dist, Out>{}) for the run-time distribution d and dtype o.
template <class F>
void visit_kinds(DistKind d, OutKind o, F&& f) {
  visit_output(o, [&](auto t) {
    using Real = typename decltype(t)::Real;
    using Out = typename decltype(t)::Out;
    switch (d) {
      case DistKind::kUniform: f(KernelTypes<Uniform<Real>, Out>{}); break;
      case DistKind::kNormal: f(KernelTypes<Normal<Real>, Out>{}); break;
      case DistKind::kTruncatedNormal: f(KernelTypes<TruncatedNormal<Real>, Out>{}); break;
    }
  });
}

// A distribution from the user's parameters.
template <class Dist> Dist make_distribution(const DistParams& p);
template <> inline Uniform<float> make_distribution(const DistParams& p) {
  return {static_cast<float>(p.p[0]), static_cast<float>(p.p[1] - p.p[0])};
}
template <> inline Uniform<double> make_distribution(const DistParams& p) { return {p.p[0], p.p[1] - p.p[0]}; }
template <> inline Normal<float> make_distribution(const DistParams& p) {
  return {static_cast<float>(p.p[0]), static_cast<float>(p.p[1])};
}
template <> inline Normal<double> make_distribution(const DistParams& p) { return {p.p[0], p.p[1]}; }
template <> inline TruncatedNormal<float> make_distribution(const DistParams& p) {
  return {p.p[0], p.p[1], p.p[2], p.p[3]};
}
template <> inline TruncatedNormal<double> make_distribution(const DistParams& p) {
  return {p.p[0], p.p[1], p.p[2], p.p[3]};
}

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
