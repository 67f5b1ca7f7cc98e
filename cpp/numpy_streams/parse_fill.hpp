// Parallel fills of methods whose values take a variable number of units: NumPy's ziggurat
// normals and exponentials (one unit ~98% of the time, more on the wedge and tail paths) and
// its bounded integers (Lemire's method: a rejected candidate is followed by another).
//
// The stream is a sequence of samples, each a run of units; where one ends depends only on the
// units in it. So a parse started at a guessed boundary meets the true parse as soon as one of
// its boundaries is a true one, usually at once. The units are cut into segments; each thread
// parses its segment from the segment's start as if it were a boundary, into a buffer of its
// own (the values, and the few samples longer than one unit). Then segment by segment, in
// order, the true start (where the previous segment's true parse ended) is looked up among the
// guessed boundaries; if it is not one, samples are parsed from it until the two parses meet.
// A segment passes its true end and count to the next as soon as it has them (a thread waits
// only for the segment before its own), then copies its values to their place in the output.
// Work goes in rounds of a few segments per thread, small enough that the buffers stay in
// cache; the last round stops at exactly the n-th sample, and the state is then the state
// after the units up to its end.
//
// A Sampler provides: Unit (what it consumes), Value (what a sample is), fast(unit, value)
// (true and the value if the sample is that one unit; most are), sample(first, src, length)
// (the whole sample starting with unit `first`, taking further units from src and counting all
// it took in length), and mean_units() (expected units per sample, to size the last round).
#pragma once

#include "../isa_namespace.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

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

// One segment's guessed parse.
template <class Value>
struct Segment {
  std::vector<Value> values;       // values[i]: sample i of the guessed parse
  std::vector<LongSample> longs;   // the samples longer than one unit, by index
  std::uint64_t start = 0;         // the guessed boundary the parse started from
  std::uint64_t stop = 0;          // samples starting in [start, stop) belong to this segment
  std::uint64_t count = 0;         // how many there are
  std::uint64_t end = 0;           // where the last of them ends (>= stop)

  void reserve(std::uint64_t units) {
    values.resize(units);
    longs.reserve(units / 2 + 2);  // a long sample has two units or more
  }
};

// Segment k's true start and the number of values before it, passed on by segment k - 1.
struct alignas(64) Link {
  std::atomic<std::uint64_t> round{0};
  std::uint64_t end = 0;
  std::uint64_t count = 0;
};

inline void wait_for_round(const std::atomic<std::uint64_t>& flag, std::uint64_t round) {
  for (int spins = 0; flag.load(std::memory_order_acquire) != round; ++spins) {
    if (spins < 4096) {
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
    if (l_ < sg_.longs.size() && sg_.longs[l_].index == i_) length = sg_.longs[l_++].length;
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
    for (std::size_t l = l_; l < sg_.longs.size() && sg_.longs[l].index < i_ + m; ++l) end += sg_.longs[l].length - 1;
    return end;
  }

 private:
  const Segment<Value>& sg_;
  std::uint64_t at_;
  std::uint64_t i_ = 0;
  std::size_t l_ = 0;
};

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
    const int threads = std::max(1, std::min(get_num_threads(), max_useful_threads()));
    const std::uint64_t max_segments = 2 * static_cast<std::uint64_t>(threads);
    links_.reset(new Link[max_segments + 1]);
    segments_.resize(max_segments);
    std::uint64_t pos = 0, done = 0;
    for (std::uint64_t round = 1;; ++round) {
      // Enough units for the rest with near certainty, in at most max_segments segments.
      const double rest = static_cast<double>(n_ - done);
      const double mean = sampler_.mean_units();
      const double want = rest * mean + 8.0 * mean * std::sqrt(rest) + 16.0;
      const double cap = static_cast<double>(max_segments * segment_units_);
      const std::uint64_t units = static_cast<std::uint64_t>(std::min(want, cap));
      const std::uint64_t k = std::min<std::uint64_t>(max_segments, (units + segment_units_ - 1) / segment_units_);
      const std::uint64_t size = (units + k - 1) / k;
      for (std::uint64_t s = 0; s < k; ++s) {
        Segment<Value>& sg = segments_[s];
        if (sg.values.size() < size) sg.reserve(std::max(size, std::min(segment_units_, 2 * size)));
        sg.start = pos + s * size;
        sg.stop = sg.start + size;
      }
      links_[0].end = pos;
      links_[0].count = done;
      links_[0].round.store(round, std::memory_order_release);
      round_ = round;
      parallel_for(static_cast<std::int64_t>(k), 1, static_cast<std::int64_t>(size), [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t s = b; s < e; ++s) process(static_cast<std::size_t>(s));
      });
      if (final_end_ > 0) return final_end_;
      pos = links_[k].end;
      const std::uint64_t before = done;
      done = links_[k].count;
      // Ctrl-C is looked for about as often as in the fixed-size fills (it takes the GIL).
      if (done / kChunkValues != before / kChunkValues) check_keep_going(keep_going);
    }
  }

 private:
  void process(std::size_t s) {
    Segment<Value>& sg = segments_[s];
    parse_guessed(sg);
    wait_for_round(links_[s].round, round_);
    std::uint64_t p = links_[s].end;         // the true start of this segment's first sample
    const std::uint64_t c = links_[s].count;  // values before it

    // Find p among the guessed boundaries; if it is not one, parse from it until it is.
    GuessedBoundaries<Value> guess(sg);
    std::uint64_t fresh = 0;  // samples parsed from the true start before the parses meet
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
    const std::uint64_t adopted = met ? sg.count - guess.index() : 0;
    links_[s + 1].end = met ? sg.end : p;
    links_[s + 1].count = c + fresh + adopted;
    links_[s + 1].round.store(round_, std::memory_order_release);

    const std::uint64_t base = c + fresh;
    if (adopted == 0 || base >= n_) return;
    const std::uint64_t m = std::min(adopted, n_ - base);
    const Value* v = sg.values.data() + guess.index();
    Out* o = out_ + base;
    for (std::uint64_t j = 0; j < m; ++j) o[j] = finish_(v[j]);
    if (base + m == n_) final_end_ = guess.end_after(m);
  }

  // The parse of sg from sg.start, taken to be a boundary.
  void parse_guessed(Segment<Value>& sg) {
    UnitSource<Engine, Unit> src(st_, sg.start);
    Value* values = sg.values.data();
    sg.longs.clear();
    std::uint64_t pos = sg.start, count = 0;
    while (pos < sg.stop) {
      const auto* d = src.data();
      const std::size_t lim = static_cast<std::size_t>(std::min<std::uint64_t>(src.available(), sg.stop - pos));
      std::size_t j = 0;
      while (j < lim && sampler_.fast(d[j], values[count])) {
        ++j;
        ++count;
      }
      src.skip(j);
      pos += j;
      if (j < lim) {
        std::uint64_t length = 1;
        values[count] = sampler_.sample(src.take(), src, length);
        if (length > 1) sg.longs.push_back({count, length});
        ++count;
        pos += length;
      }
    }
    sg.count = count;
    sg.end = pos;
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
  std::vector<Segment<Value>> segments_;
  std::unique_ptr<Link[]> links_;
  std::uint64_t round_ = 0;
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
