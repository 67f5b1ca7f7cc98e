// Filling an N-d strided buffer with samples of a distribution at given stream positions.
//
// Output element with multi-index (i_0, ..., i_{d-1}) lives at byte offset sum(i_k * out_stride_k)
// and takes the sample at stream position pos_offset + sum(i_k * pos_stride_k). That one rule
// serves a new array (positions = C order), out= views of any strides, and index= slices of a
// larger tensor (positions of the slice in the full tensor).
#pragma once

#include "isa_namespace.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "dispatch.hpp"
#include "parallel.hpp"
#include "per_isa/distributions.hpp"
#include "per_isa/kinds_to_types.hpp"
#include "per_isa/philox.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

// The sample stream of one fill: Philox4x32-10 under `key`, block b at counter (b_lo, b_hi, 0, 0);
// the distribution both as an object (for single samples here) and as parameters for the
// per-ISA bulk kernel.
template <class Dist>
struct SampleStream {
  Dist dist;
  Key2x32 key;
  DistParams params;
  GroupKernel kernel;
  bool nontemporal;  // non-temporal stores for the bulk

  static constexpr std::int64_t kGroup = kLanes * Dist::slots;  // samples per group

  typename Dist::value_type at(std::uint64_t p) const {
    const std::uint64_t g = p / kGroup;
    const int r = static_cast<int>(p % kGroup);
    const std::uint64_t b = g * kLanes + static_cast<std::uint64_t>(r % kLanes);
    const Block words = philox4x32_10(
        {static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(b >> 32), 0u, 0u}, key);
    return dist.single(words, r / kLanes);
  }
};

struct StridedDim {
  std::int64_t size, out_stride, pos_stride;
};

struct StridedLayout {
  char* data;
  std::int64_t pos_offset;
  std::vector<StridedDim> dims;  // outermost first

  // Merge neighbouring dimensions that are one run in both memory and stream position.
  void simplify() {
    std::vector<StridedDim> merged;
    for (const StridedDim& d : dims) {
      if (d.size == 1) continue;
      if (!merged.empty()) {
        StridedDim& m = merged.back();
        if (m.out_stride == d.out_stride * d.size && m.pos_stride == d.pos_stride * d.size) {
          m.size *= d.size;
          m.out_stride = d.out_stride;
          m.pos_stride = d.pos_stride;
          continue;
        }
      }
      merged.push_back(d);
    }
    if (merged.empty()) merged.push_back({1, 0, 0});
    dims = std::move(merged);
  }

  std::int64_t size() const {
    std::int64_t n = 1;
    for (const StridedDim& d : dims) n *= d.size;
    return n;
  }
};

template <class Out>
inline void store(char* p, Out v) { std::memcpy(p, &v, sizeof(Out)); }

// Rough cost of one sample relative to a uniform: how much goes between two looks at Ctrl-C and how
// soon a fill goes parallel. A truncated normal on its vectorized fast path costs about four
// uniforms; on the exact path (deep tails) hundreds.
template <class Dist> inline std::int64_t cost_per_sample(const Dist&) { return 1; }
template <class R> inline std::int64_t cost_per_sample(const TruncatedNormal<R>& d) {
  return d.standard.fast ? 4 : 64;
}

// n samples at positions p0, p0 + pstride, ... into out, out + ostride, ...
// Runs of consecutive positions go through the bulk kernel a group at a time (straight into
// the output where it is contiguous); everything else is computed sample by sample.
template <class Out, class Dist>
void fill_run(const SampleStream<Dist>& s, std::int64_t p0, std::int64_t pstride, std::int64_t n, char* out,
              std::int64_t ostride) {
  constexpr std::int64_t E = SampleStream<Dist>::kGroup;
  constexpr std::int64_t kOut = static_cast<std::int64_t>(sizeof(Out));
  if (pstride == 1) {
    alignas(64) Out tmp[E];
    std::int64_t j = 0;
    while (j < n) {
      const std::uint64_t p = static_cast<std::uint64_t>(p0 + j);
      const std::uint64_t g = p / E;
      const std::int64_t lane = static_cast<std::int64_t>(p % E);
      if (lane == 0 && n - j >= E && ostride == kOut) {
        const std::uint64_t groups = static_cast<std::uint64_t>((n - j) / E);
        s.kernel(s.params, s.key[0], s.key[1], g, groups, out + j * ostride, s.nontemporal);
        j += static_cast<std::int64_t>(groups) * E;
        continue;
      }
      const std::int64_t count = std::min(E - lane, n - j);
      // A sixteenth of a group or more (a quarter for the costly truncated normal): make the group
      // whole with the vector kernel and keep the part asked for; a sample alone costs a scalar
      // Philox block (and a scalar transform), more than a sixteenth of a vector group. (The tail
      // of a 1,000-element float64 fill, 8 of a group's 32, took 0.3 us sample by sample.)
      if ((cost_per_sample(s.dist) > 1 ? 4 : 16) * count >= E) {
        s.kernel(s.params, s.key[0], s.key[1], g, 1, tmp, false);
        for (std::int64_t k = 0; k < count; ++k) store(out + (j + k) * ostride, tmp[lane + k]);
      } else {
        for (std::int64_t k = 0; k < count; ++k) {
          store(out + (j + k) * ostride, s.dist.template convert<Out>(s.at(p + static_cast<std::uint64_t>(k))));
        }
      }
      j += count;
    }
    return;
  }
  for (std::int64_t j = 0; j < n; ++j) {
    const std::uint64_t p = static_cast<std::uint64_t>(p0 + j * pstride);
    store(out + j * ostride, s.dist.template convert<Out>(s.at(p)));
  }
}

// Calls run(pos, pos_stride, count, out_ptr, out_stride) over the innermost runs of flat
// elements [first, last) of a simplified layout, split between threads by flat element index.
template <class Run>
void for_each_run(const StridedLayout& layout, std::int64_t first, std::int64_t last, std::int64_t cost_per_item,
                  Run&& run) {
  const auto& dims = layout.dims;
  const int nd = static_cast<int>(dims.size());
  const StridedDim inner = dims.back();
  parallel_for(last - first, 64, cost_per_item, [&](std::int64_t b, std::int64_t e) {
    const std::int64_t begin = first + b, end = first + e;
    // Decompose the flat start into a multi-index; then walk run by run.
    std::vector<std::int64_t> idx(nd, 0);
    std::int64_t rest = begin;
    for (int k = nd - 1; k >= 0; --k) {
      idx[k] = rest % dims[k].size;
      rest /= dims[k].size;
    }
    std::int64_t f = begin;
    while (f < end) {
      std::int64_t pos = layout.pos_offset, off = 0;
      for (int k = 0; k < nd; ++k) {
        pos += idx[k] * dims[k].pos_stride;
        off += idx[k] * dims[k].out_stride;
      }
      const std::int64_t count = std::min(inner.size - idx[nd - 1], end - f);
      run(pos, inner.pos_stride, count, layout.data + off, inner.out_stride);
      f += count;
      idx[nd - 1] += count;
      for (int k = nd - 1; k > 0 && idx[k] == dims[k].size; --k) {
        idx[k] = 0;
        ++idx[k - 1];
      }
    }
  });
}

// Large fills go in chunks of about this much work (tens of milliseconds), and between chunks
// `keep_going()` is asked whether to continue: that is where Ctrl-C is noticed.
inline constexpr std::int64_t kChunkWork = std::int64_t{1} << 24;

template <class Run, class KeepGoing>
void for_each_run_in_chunks(StridedLayout layout, std::int64_t cost_per_item, KeepGoing&& keep_going, Run&& run) {
  layout.simplify();
  const std::int64_t total = layout.size();
  const std::int64_t chunk = std::max<std::int64_t>(kChunkWork / std::max<std::int64_t>(cost_per_item, 1), 4096);
  for (std::int64_t first = 0; first < total; first += chunk) {
    if (first > 0 && !keep_going()) return;
    for_each_run(layout, first, std::min(total, first + chunk), cost_per_item, run);
  }
}

template <class Out, class Dist, class KeepGoing>
void fill_strided(const SampleStream<Dist>& s, const StridedLayout& layout, KeepGoing&& keep_going) {
  for_each_run_in_chunks(layout, cost_per_sample(s.dist), keep_going,
                         [&](std::int64_t pos, std::int64_t pstride, std::int64_t n, char* out, std::int64_t ostride) {
                           fill_run<Out>(s, pos, pstride, n, out, ostride);
                         });
}

// Fills the layout with distribution d (params) as dtype o; whole groups go through the active
// ISA's kernel.
template <class KeepGoing>
void fill_distribution(DistKind d, OutKind o, const DistParams& params, const Key2x32& key,
                       const StridedLayout& layout, KeepGoing&& keep_going) {
  visit_kinds(d, o, [&](auto types) {
    using Dist = typename decltype(types)::Dist;
    using Out = typename decltype(types)::Out;
    const std::int64_t bytes = layout.size() * static_cast<std::int64_t>(sizeof(Out));
    const SampleStream<Dist> s{make_distribution<Dist>(params), key, params,
                               active_kernels().fill[static_cast<int>(d)][static_cast<int>(o)],
                               bytes >= nontemporal_threshold()};
    fill_strided<Out>(s, layout, keep_going);
  });
}

// Every element set to the same value.
template <class Out, class KeepGoing>
void fill_constant(Out value, const StridedLayout& layout, KeepGoing&& keep_going) {
  for_each_run_in_chunks(layout, 1, keep_going,
                         [&](std::int64_t, std::int64_t, std::int64_t n, char* out, std::int64_t ostride) {
                           if (ostride == static_cast<std::int64_t>(sizeof(Out)) &&
                               reinterpret_cast<std::uintptr_t>(out) % alignof(Out) == 0) {
                             std::fill_n(reinterpret_cast<Out*>(out), n, value);  // vectorized stores
                             return;
                           }
                           for (std::int64_t j = 0; j < n; ++j) store(out + j * ostride, value);
                         });
}

// Every element set to `value`, as dtype o: one rounding from the double (to 16 bits through a
// round-to-odd float, which makes the two roundings one).
template <class KeepGoing>
void fill_constant_value(OutKind o, double value, const StridedLayout& layout, KeepGoing&& keep_going) {
  const float f = double_to_float_round_odd(value);
  switch (o) {
    case OutKind::kFloat32: fill_constant<float>(static_cast<float>(value), layout, keep_going); break;
    case OutKind::kFloat64: fill_constant<double>(value, layout, keep_going); break;
    case OutKind::kFloat16: fill_constant<float16_bits>({float_to_float16(f)}, layout, keep_going); break;
    case OutKind::kBFloat16: fill_constant<bfloat16_bits>({float_to_bfloat16(f)}, layout, keep_going); break;
  }
}

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
