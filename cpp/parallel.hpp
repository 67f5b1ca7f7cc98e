// The parallel driver: splits [0, n) into one contiguous, aligned chunk per OpenMP thread.
//
// Callers compute every element from its position, so the split never changes the bits; it
// only decides who does the work. Small ranges run on the calling thread, with no OpenMP
// start-up. Thread count comes from OpenMP's own ICV (omp_get_max_threads), so OMP_NUM_THREADS,
// omp_set_num_threads and threadpoolctl all act on it.
#pragma once

#include "isa_namespace.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>

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
// starting the OpenMP team costs more than it saves. Measured on the project's 2-core machine
// (float32 normals into a used buffer): with the team warm, 2 threads already win at 4,096
// elements (8.2 vs 10.1 us); after 2 ms idle (team asleep) they win from 8,192 (74 vs 124 us)
// and lose at 4,096 (110 vs 78 us). Settable for measurement (set_serial_work).
inline std::atomic<std::int64_t>& serial_work() {
  static std::atomic<std::int64_t> value{std::int64_t{1} << 13};
  return value;
}

// Calls body(begin, end) over a partition of [0, n); chunk boundaries are multiples of `align`.
template <class Body>
void parallel_for(std::int64_t n, std::int64_t align, std::int64_t cost_per_item, Body&& body) {
  if (n <= 0) return;
  int threads = get_num_threads();
#if defined(_OPENMP)
  // However many threads were asked for, never try to start absurdly many (a failed thread
  // creation aborts the process in libgomp): at most 4 per processor, and at least 64 allowed.
  threads = std::min(threads, std::max(64, 4 * omp_get_num_procs()));
#endif
  const std::int64_t work = n * std::max<std::int64_t>(cost_per_item, 1);
  if (work < serial_work().load(std::memory_order_relaxed)) threads = 1;
  threads = static_cast<int>(std::min<std::int64_t>(threads, (n + align - 1) / align));
  if (threads <= 1) {
    body(std::int64_t{0}, n);
    return;
  }
#if defined(_OPENMP)
#pragma omp parallel num_threads(threads)
  {
    const std::int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    const std::int64_t units = (n + align - 1) / align;
    const std::int64_t begin = std::min(n, (units * t / nt) * align);
    const std::int64_t end = std::min(n, (units * (t + 1) / nt) * align);
    if (begin < end) body(begin, end);
  }
#else
  body(std::int64_t{0}, n);
#endif
}

}  // namespace WEIGHTINIT_ISA_NS
}  // namespace weightinit
