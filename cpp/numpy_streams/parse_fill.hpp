// Parallel fills of methods whose values take a variable number of units: NumPy's ziggurat
// normals and exponentials (one unit ~98% of the time, more on the wedge and tail paths) and
// its bounded integers (Lemire's method: a rejected candidate is followed by another).
//
// The stream is a sequence of samples, each a run of units; where one ends depends only on the
// units in it. So a parse started at a guessed boundary meets the true parse as soon as one of
// its boundaries is a true one, usually at once. The units are cut into segments of equal size,
// which threads claim in order. A thread parses its segment from the segment's start as if it
// were a boundary, into a buffer of its own (the values, and the few samples longer than one
// unit); waits for the segment before to pass on its true end and value count; looks up that
// true start among its guessed boundaries and, if it is not one, parses from it until the two
// parses meet; passes on its own end and count; and copies its values to their place in the
// output. A thread waits only for the segment just before its own, which is being worked on.
// Work goes in regions of a few million values (between them, Ctrl-C is looked for); the last
// stops at exactly the n-th sample, and the state is then the state after the units up to its end.
//
// A Sampler provides: Unit (what it consumes), Value (what a sample is), fast(unit, value)
// (true and the value if the sample is that one unit; most are), sample(first, src, length)
// (the whole sample starting with unit `first`, taking further units from src and counting all
// it took in length), mean_units() (expected units per sample, to size the work), and kFilter:
// true if a sample is a run of rejected units ended by an accepted one (Lemire's method). Then
// every parse meets the true one at its first boundary and only the accepted values are kept.
#pragma once

#include "../isa_namespace.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <type_traits>

#include "../parallel.hpp"
#include "fixed_fill.hpp"
#include "unit_source.hpp"

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {
namespace numpy_streams {

// Units per segment unless a test asks for another size: a segment's values (256 KiB of
// doubles) stay in the core's L2 cache between the parse and the copy.
inline constexpr std::uint64_t kSegmentUnits = std::uint64_t{1} << 15;

// A sample of more than one unit: its index among the segment's samples, and its units.
struct LongSample {
  std::uint64_t index, length;
};

// A thread's buffer: the guessed parse of the segment it works on. Each thread keeps one per
// value type for its lifetime (thread_buffer): allocating it per fill made the allocator map
// fresh memory whose zeroing cost ~10 % of a large fill. Never initialized (a parse writes
// before it reads).
template <class Value>
struct Segment {
  std::unique_ptr<Value[]> values;        // values[i]: sample i of the guessed parse
  std::unique_ptr<LongSample[]> longs;    // the samples longer than one unit, by index (not for filters)
  std::size_t capacity = 0;               // units a segment may have
  std::size_t long_capacity = 0;          // units whose long samples `longs` has room for
  std::size_t long_count = 0;
  std::uint64_t start = 0;                // the guessed boundary the parse started from
  std::uint64_t stop = 0;                 // samples starting in [start, stop) belong to this segment
  std::uint64_t count = 0;                // how many there are
  std::uint64_t end = 0;                  // where the last of them ends (>= stop)

  // Room for a segment of `units` units (and its long samples, for a non-filter).
  void reserve(std::uint64_t units, bool with_longs) {
    if (capacity < units) {
      values.reset(new Value[units + 1]);  // + the value a filter's last open sample ends with
      longs.reset();
      long_capacity = 0;
      capacity = units;
    }
    if (with_longs && long_capacity < capacity) {
      longs.reset(new LongSample[capacity / 2 + 2]);  // a long sample has two units or more
      long_capacity = capacity;
    }
  }
};

// The calling thread's buffer for values of type Value (a pool worker's lives as long as it).
template <class Value>
Segment<Value>& thread_buffer() {
  static thread_local Segment<Value> buffer;
  return buffer;
}

// Segment s's true start and the number of values before it, passed on by segment s - 1.
struct alignas(64) Link {
  std::atomic<std::uint64_t> region{0};  // set (last) to the region the fields are for
  std::uint64_t end = 0;
  std::uint64_t count = 0;
};

inline void wait_for_region(const std::atomic<std::uint64_t>& flag, std::uint64_t region) {
  for (int spins = 0; flag.load(std::memory_order_acquire) != region; ++spins) {
    if (spins < 256) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      std::this_thread::yield();  // the segment before may be waiting for this very core
    }
  }
}

// Walks a segment's guessed parse sample by sample: at() is where sample index() starts.
template <class Value>
class GuessedBoundaries {
 public:
  explicit GuessedBoundaries(const Segment<Value>& sg) : sg_(sg), at_(sg.start) {}
  std::uint64_t at() const { return at_; }
  std::uint64_t index() const { return i_; }
  bool done() const { return i_ == sg_.count; }
  void next() {
    std::uint64_t length = 1;
    if (l_ < sg_.long_count && sg_.longs[l_].index == i_) length = sg_.longs[l_++].length;
    at_ += length;
    ++i_;
  }
  // Moves on to the first boundary at or after p (or to the end of the parse).
  void reach(std::uint64_t p) {
    while (at_ < p && !done()) next();
  }
  // Where the sample m samples on ends, i.e. the start of sample index() + m.
  std::uint64_t end_after(std::uint64_t m) const {
    std::uint64_t end = at_ + m;
    for (std::size_t l = l_; l < sg_.long_count && sg_.longs[l].index < i_ + m; ++l) end += sg_.longs[l].length - 1;
    return end;
  }

 private:
  const Segment<Value>& sg_;
  std::uint64_t at_;
  std::uint64_t i_ = 0;
  std::size_t l_ = 0;
};

// The number of trailing zero bits of x != 0.
inline int trailing_zeros(std::uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_ctzll(x);
#else
  int k = 0;
  for (; (x & 1) == 0; x >>= 1) ++k;
  return k;
#endif
}

// A sampler's block kernel if it has one (a non-null member fast_block, as
// StandardExponentialF64's: which units of a block of up to 64 are each a one-unit sample, and
// their values), else null.
template <class Sampler>
using FastBlock = std::uint64_t (*)(const typename Sampler::Unit*, std::size_t, typename Sampler::Value*);
template <class Sampler, class = void>
struct HasFastBlock : std::false_type {};
template <class Sampler>
struct HasFastBlock<Sampler, std::void_t<decltype(&Sampler::fast_block)>> : std::true_type {};
template <class Sampler>
FastBlock<Sampler> fast_block_of(const Sampler& sampler) {
  if constexpr (HasFastBlock<Sampler>::value) {
    return sampler.fast_block;
  } else {
    (void)sampler;
    return nullptr;
  }
}

template <class Sampler, class Engine, class Out, class Finish>
class ParseFill {
  using Unit = typename Sampler::Unit;
  using Value = typename Sampler::Value;

 public:
  ParseFill(const BitGenState<Engine>& st, const Sampler& sampler, Out* out, std::uint64_t n, Finish finish,
            std::uint64_t segment_units)
      : st_(st), sampler_(sampler), out_(out), n_(n), finish_(finish),
        segment_units_(segment_units > 0 ? segment_units : kSegmentUnits) {}

  // Fills out[0, n) and returns the number of units the n samples took.
  template <class KeepGoing>
  std::uint64_t run(KeepGoing& keep_going) {
    const int threads = std::max(1, fill_threads());
    // Segments no larger than a thread's share of the whole fill (small fills, small buffers).
    const double share = (static_cast<double>(n_) * sampler_.mean_units()) / threads + 1024.0;
    segment_units_ = std::min<std::uint64_t>(segment_units_, static_cast<std::uint64_t>(share));
    std::uint64_t pos = 0, done = 0;
    for (std::uint64_t region = 1;; ++region) {
      // A region ends with the segment that brings the count to `target`, or with its last:
      // enough for the values up to target with near certainty, and those threads parse ahead.
      target_ = std::min(n_, done + kChunkValues);
      const double rest = static_cast<double>(target_ - done), mean = sampler_.mean_units();
      const double units = rest * mean + 8.0 * mean * std::sqrt(rest) + 16.0;
      const std::uint64_t segments = static_cast<std::uint64_t>(units / static_cast<double>(segment_units_)) + 1;
      max_segments_ = segments + 2 * static_cast<std::uint64_t>(threads);
      if (links_size_ < max_segments_ + 1) {
        links_.reset(new Link[max_segments_ + 1]);
        links_size_ = max_segments_ + 1;
      }
      region_ = region;
      region_start_ = pos;
      next_segment_.store(0, std::memory_order_relaxed);
      limit_.store(max_segments_, std::memory_order_relaxed);
      links_[0].end = pos;
      links_[0].count = done;
      links_[0].region.store(region, std::memory_order_release);
      const std::uint64_t unit_cost = std::min(units, static_cast<double>(segments * segment_units_)) / threads + 1;
      parallel_for(threads, 1, static_cast<std::int64_t>(unit_cost), [&](std::int64_t b, std::int64_t) {
        (void)b;
        work(thread_buffer<Value>());
      });
      if (final_end_ > 0) return final_end_;
      pos = region_end_;
      done = region_count_;
      check_keep_going(keep_going);
    }
  }

 private:
  // Claims segments in order and works on them until the region needs no more. Every segment
  // claimed passes on its end and count, so whoever waits for it is never left waiting.
  void work(Segment<Value>& sg) {
    sg.reserve(segment_units_, !Sampler::kFilter);
    for (;;) {
      std::uint64_t s = next_segment_.load(std::memory_order_relaxed);
      do {
        if (s >= limit_.load(std::memory_order_acquire)) return;
      } while (!next_segment_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel));
      sg.start = region_start_ + s * segment_units_;
      sg.stop = sg.start + segment_units_;
      parse_guessed(sg);
      wait_for_region(links_[s].region, region_);
      process(sg, s, links_[s].end, links_[s].count);
    }
  }

  // Segment s's part once its true start p and the count c of values before it are known.
  void process(Segment<Value>& sg, std::uint64_t s, std::uint64_t p, std::uint64_t c) {
    Link& next = links_[s + 1];
    if (c >= target_) {  // a segment parsed ahead of the region's end: nothing of it is needed
      pass_on(next, p, c);
      return;
    }
    std::uint64_t first = 0, adopted = 0, fresh = 0;  // fresh: samples parsed from the true start
    std::uint64_t end;
    GuessedBoundaries<Value> guess(sg);
    if constexpr (Sampler::kFilter) {
      // p is sg.start, or the end of the guessed sample 0 (the sample before ended with it).
      first = p == sg.start ? 0 : 1;
      adopted = p < sg.stop ? sg.count - first : 0;
      end = sg.end;
    } else {
      // Find p among the guessed boundaries; if it is not one, parse from it until it is.
      if (p < sg.stop) {
        guess.reach(p);
        if (guess.at() != p) {
          UnitSource<Engine, Unit> src(st_, p);
          do {
            std::uint64_t length = 1;
            const Value v = sampler_.sample(src.take(), src, length);
            put(c + fresh, v, p + length);
            ++fresh;
            p += length;
            guess.reach(p);
          } while (guess.at() != p && p < sg.stop);
        }
      }
      const bool met = p < sg.stop || guess.at() == p;
      first = guess.index();
      adopted = met ? sg.count - first : 0;
      end = met ? sg.end : p;
    }
    const std::uint64_t count = c + fresh + adopted;
    if (count >= target_ || s + 1 == max_segments_) {  // this segment ends the region
      region_end_ = end;
      region_count_ = count;
      limit_.store(s + 1, std::memory_order_release);
    }
    pass_on(next, end, count);

    const std::uint64_t base = c + fresh;
    if (adopted == 0 || base >= n_) return;
    const std::uint64_t m = std::min(adopted, n_ - base);
    const Value* v = sg.values.get() + first;
    Out* o = out_ + base;
    for (std::uint64_t j = 0; j < m; ++j) o[j] = finish_(v[j]);
    if (base + m == n_) {
      if constexpr (Sampler::kFilter) {
        final_end_ = end_of_accepted(sg, first + m - 1);
      } else {
        final_end_ = guess.end_after(m);
      }
    }
  }

  void pass_on(Link& next, std::uint64_t end, std::uint64_t count) {
    next.end = end;
    next.count = count;
    next.region.store(region_, std::memory_order_release);
  }

  // The parse of sg from sg.start, taken to be a boundary.
  void parse_guessed(Segment<Value>& sg) {
    // A copy the compiler can keep in registers: the values' stores could alias sampler_'s
    // members as far as it knows (8- and 16-bit units are read through aliasing types).
    const Sampler sampler = sampler_;
    UnitSource<Engine, Unit> src(st_, sg.start);
    Value* values = sg.values.get();
    std::uint64_t pos = sg.start, count = 0;
    if constexpr (Sampler::kFilter) {
      // Every unit is a candidate: keep the accepted ones.
      bool open = true;  // the last sample has not ended yet
      while (pos < sg.stop) {
        const auto* d = src.data();
        const std::size_t lim = static_cast<std::size_t>(std::min<std::uint64_t>(src.available(), sg.stop - pos));
        bool accepted = false;
        count += sampler.accepted(reinterpret_cast<const Unit*>(d), lim, values + count, accepted);
        open = !accepted;
        src.skip(lim);
        pos += lim;
      }
      while (open) {  // the segment's last sample ends beyond it
        open = !sampler.fast(src.take(), values[count]);
        ++pos;
        if (!open) ++count;
      }
    } else {
      sg.long_count = 0;
      // The sample starting at pos, whole, whatever its length.
      const auto any_sample = [&] {
        std::uint64_t length = 1;
        values[count] = sampler.sample(src.take(), src, length);
        if (length > 1) sg.longs[sg.long_count++] = {count, length};
        ++count;
        pos += length;
      };
      const FastBlock<Sampler> block = fast_block_of(sampler);
      while (pos < sg.stop) {
        const auto* d = src.data();
        const std::size_t lim = static_cast<std::size_t>(std::min<std::uint64_t>(src.available(), sg.stop - pos));
        if (block != nullptr) {
          // Up to 64 units at once: unit i's value lands in values[c0 + i]; a run of one-unit
          // samples after a longer sample moves down over the units that sample took.
          const std::size_t m = std::min<std::size_t>(lim, 64);
          const std::uint64_t c0 = count, p0 = pos;
          const std::uint64_t ok = block(reinterpret_cast<const Unit*>(d), m, values + c0);
          while (pos - p0 < m) {
            const std::size_t i = static_cast<std::size_t>(pos - p0);
            const std::uint64_t rest = ~(ok >> i);  // bit k: unit i + k is not known to be one
            const std::size_t run = rest == 0 ? 64 : static_cast<std::size_t>(trailing_zeros(rest));
            if (count != c0 + i) std::memmove(values + count, values + c0 + i, run * sizeof(Value));
            count += run;
            pos += run;
            src.skip(run);
            if (pos - p0 < m) any_sample();
          }
          continue;
        }
        std::size_t j = 0;
        for (; j < lim; ++j) {
          Value x;
          if (!sampler.fast(d[j], x)) break;
          values[count + j] = x;
        }
        count += j;
        src.skip(j);
        pos += j;
        if (j < lim) any_sample();
      }
    }
    sg.count = count;
    sg.end = pos;
  }

  // A filter's guessed value `index` of segment sg: where its accepted unit ends.
  std::uint64_t end_of_accepted(const Segment<Value>& sg, std::uint64_t index) const {
    UnitSource<Engine, Unit> src(st_, sg.start);
    std::uint64_t pos = sg.start, seen = 0;
    for (;;) {
      Value v;
      const bool accepted = sampler_.fast(src.take(), v);
      ++pos;
      if (accepted && seen++ == index) return pos;
    }
  }

  // A value parsed from the true start: the sample before index i ends at `end`.
  void put(std::uint64_t i, const Value& v, std::uint64_t end) {
    if (i >= n_) return;
    out_[i] = finish_(v);
    if (i + 1 == n_) final_end_ = end;
  }

  const BitGenState<Engine>& st_;
  const Sampler& sampler_;
  Out* out_;
  std::uint64_t n_;
  Finish finish_;
  std::uint64_t segment_units_;
  std::unique_ptr<Link[]> links_;
  std::uint64_t links_size_ = 0;
  // The region in progress, set before its threads start.
  std::uint64_t region_ = 0, region_start_ = 0, target_ = 0, max_segments_ = 0;
  std::atomic<std::uint64_t> next_segment_{0}, limit_{0};
  // Set by the segment that ends the region (read once all its threads are done).
  std::uint64_t region_end_ = 0, region_count_ = 0;
  std::uint64_t final_end_ = 0;  // set by the segment holding the n-th sample
};

// out[i] = finish(sample i) for i < n; returns the state after the n samples.
template <class Sampler, class Engine, class Out, class Finish, class KeepGoing>
BitGenState<Engine> parse_fill(const BitGenState<Engine>& st, const Sampler& sampler, Out* out, std::uint64_t n,
                               Finish finish, std::uint64_t segment_units, KeepGoing&& keep_going) {
  if (n == 0) return st;
  ParseFill<Sampler, Engine, Out, Finish> fill(st, sampler, out, n, finish, segment_units);
  return state_after_units<typename Sampler::Unit>(st, fill.run(keep_going));
}

}  // namespace numpy_streams
}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
