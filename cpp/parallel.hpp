// The parallel driver: splits [0, n) into one contiguous, aligned chunk per thread.
//
// Callers compute every element from its position, so the split never changes the bits; it
// only decides who does the work. Small ranges run on the calling thread. The thread count
// comes from OpenMP's own setting (omp_get_max_threads), so OMP_NUM_THREADS,
// omp_set_num_threads and threadpoolctl all act on it; the work itself runs on weightinit's own
// fork-safe pool (thread_pool.hpp), never in an OpenMP parallel region.
#pragma once

#include "isa_namespace.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <thread>
#include <type_traits>

#include "thread_pool.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace weightinit {
inline namespace WEIGHTINIT_ISA_NS {

inline bool openmp_enabled() {
#if defined(_OPENMP)
  return true;
#else
  return false;
#endif
}

inline int get_num_threads() {
#if defined(_OPENMP)
  return omp_get_max_threads();
#else
  return 1;
#endif
}

// Sets OpenMP's nthreads-var for the calling thread (as omp_set_num_threads does).
inline void set_num_threads(int n) {
#if defined(_OPENMP)
  omp_set_num_threads(n);
#else
  (void)n;
#endif
}

// Below this much work (in elements, times a per-element cost weight) one thread does it all:
// waking the pool costs more than it saves. Settable for measurement.
inline std::atomic<std::int64_t>& serial_threshold() {
  static std::atomic<std::int64_t> value{std::int64_t{1} << 13};
  return value;
}

// The most threads a fill will ask the pool for, whatever the setting says: at most 4 per
// processor, and at least 64 allowed (beyond that, threads only cost memory and switches).
inline int max_useful_threads() {
#if defined(_OPENMP)
  const int procs = omp_get_num_procs();
#else
  const int procs = static_cast<int>(std::thread::hardware_concurrency());
#endif
  return std::max(64, 4 * procs);
}

// The threads a fill may use: OpenMP's setting, capped by max_useful_threads(). The cap is asked
// for only above 64 (it is never lower): it costs a system call (libgomp's omp_get_num_procs
// asks the kernel for the affinity mask), measured 0.3-0.5 us of a fill call from Python.
inline int fill_threads() {
  const int threads = get_num_threads();
  return threads > 64 ? std::min(threads, max_useful_threads()) : threads;
}

// Calls body(begin, end) over a partition of [0, n); chunk boundaries are multiples of `align`.
template <class Body>
void parallel_for(std::int64_t n, std::int64_t align, std::int64_t cost_per_item, Body&& body) {
  if (n <= 0) return;
  const std::int64_t work = n * std::max<std::int64_t>(cost_per_item, 1);
  // Small work first: it needs no thread count.
  int threads = 1;
  if (work >= serial_threshold().load(std::memory_order_relaxed)) {
    threads = fill_threads();
    threads = static_cast<int>(std::min<std::int64_t>(threads, (n + align - 1) / align));
  }
  if (threads <= 1) {
    body(std::int64_t{0}, n);
    return;
  }
  struct Job {
    std::remove_reference_t<Body>* body;
    std::int64_t n, align;
  } job{&body, n, align};
  // A few parts per thread, so a thread that starts late or is descheduled delays nobody.
  const std::int64_t units = (n + align - 1) / align;
  const int parts = static_cast<int>(std::min<std::int64_t>(units, std::int64_t{4} * threads));
  pool_run(threads, parts, [](void* context, int part, int parts) {
    const Job& j = *static_cast<const Job*>(context);
    const std::int64_t units = (j.n + j.align - 1) / j.align;
    const std::int64_t begin = std::min(j.n, (units * part / parts) * j.align);
    const std::int64_t end = std::min(j.n, (units * (part + 1) / parts) * j.align);
    if (begin < end) (*j.body)(begin, end);
  }, &job);
}

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
