// weightinit's fork-safe worker pool (see thread_pool.hpp for why it exists).
#include "thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#include <signal.h>
#define WEIGHTINIT_POSIX_THREADS 1
#endif

namespace weightinit {
namespace {

std::atomic<std::int64_t> g_forks{0}, g_jobs{0}, g_solo{0};

int run_alone(PoolTask task, void* context) {
  g_solo.fetch_add(1, std::memory_order_relaxed);
  task(context, 0, 1);
  return 1;
}

// Starts a thread with every asynchronous signal blocked, so that SIGINT and friends are
// delivered to a thread that runs Python (only synchronous faults stay deliverable, so a crash
// in a worker is still reported where it happens).
template <class F>
std::thread start_thread_without_signals(F&& f) {
#if defined(WEIGHTINIT_POSIX_THREADS)
  sigset_t blocked, previous;
  sigfillset(&blocked);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS}) sigdelset(&blocked, sig);
  pthread_sigmask(SIG_SETMASK, &blocked, &previous);
  struct Restore {
    sigset_t* mask;
    ~Restore() { pthread_sigmask(SIG_SETMASK, mask, nullptr); }
  } restore{&previous};
#endif
  return std::thread(std::forward<F>(f));  // may throw std::system_error
}

// How long a thread that waits for work (a worker) or for the end of a job (the caller) keeps
// checking before it sleeps in the kernel. Waking a sleeping thread costs 50-100 us on the
// project's 2-core VM, and the scheduler tends to put the woken worker on the waker's core for
// the first milliseconds, so back-to-back fills (building a model) would run at one thread's
// speed. Measured there: without spinning a 2^20-element normal fill took 1.8 ms (one
// thread's time), with it 0.9 ms.
constexpr auto kSpin = std::chrono::microseconds(5000);
constexpr auto kPauseOnly = std::chrono::microseconds(20);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Waits until ready() or kSpin has passed, without sleeping in the kernel; returns ready()'s
// last value. Pauses first, then yields the processor: the thread being waited for may be
// queued on this very core (the scheduler often puts a woken worker on its waker's core), and
// a plain spin would keep it off for the whole kSpin.
template <class Ready>
bool spin_until(Ready&& ready) {
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0;; ++round) {
    for (int i = 0; i < 64; ++i) {
      if (ready()) return true;
      cpu_relax();
    }
    const auto waited = std::chrono::steady_clock::now() - start;
    if (waited >= kSpin) return ready();
    if (waited >= kPauseOnly) std::this_thread::yield();
  }
}

// A worker's mailbox: the job (by number) it is asked to help with. One cache line each.
struct alignas(64) Slot {
  std::atomic<std::uint64_t> wanted{0};
  std::mutex mutex;
  std::condition_variable wake;
  bool sleeping = false;  // under mutex
};

// Jobs are split into parts that threads claim one at a time from a shared ticket (job number
// in the high 32 bits, next part in the low 32). The caller claims parts too, so a worker that
// wakes late finds nothing left and the caller never waits for it; the caller waits only for
// parts other threads have claimed. A stale worker's claim fails on the job number, so job
// fields are only read by threads holding a claimed part of the current job.
class Pool {
 public:
  int run(int threads, int parts, PoolTask task, void* context) {
    // One job at a time. An atomic flag, not a mutex: a part that itself calls run() (from any
    // thread, the caller's included) just finds the pool busy and runs alone.
    if (busy_.exchange(true, std::memory_order_acquire)) return run_alone(task, context);
    struct Release {
      std::atomic<bool>& flag;
      ~Release() { flag.store(false, std::memory_order_release); }
    } release{busy_};

    const int helpers = std::min(threads - 1, grow(threads - 1));
    if (helpers <= 0) return run_alone(task, context);
    const std::uint64_t job = ++jobs_;
    task_.store(task, std::memory_order_relaxed);
    context_.store(context, std::memory_order_relaxed);
    parts_.store(parts, std::memory_order_relaxed);
    done_parts_.store(0, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(done_mutex_);
      error_ = nullptr;
    }
    ticket_.store(job << 32, std::memory_order_release);  // publishes the fields above
    for (int k = 0; k < helpers; ++k) {
      Slot& slot = *slots_[static_cast<std::size_t>(k)];
      slot.wanted.store(job, std::memory_order_release);
      std::lock_guard<std::mutex> lock(slot.mutex);
      if (slot.sleeping) slot.wake.notify_one();
    }
    work_on(job);
    const auto finished = [&] { return done_parts_.load(std::memory_order_acquire) == parts; };
    if (!spin_until(finished)) {
      std::unique_lock<std::mutex> lock(done_mutex_);
      done_.wait(lock, finished);
    }
    g_jobs.fetch_add(1, std::memory_order_relaxed);
    std::exception_ptr error;
    {
      std::lock_guard<std::mutex> lock(done_mutex_);
      std::swap(error, error_);
    }
    if (error) std::rethrow_exception(error);
    return parts;
  }

  int workers() {
    std::lock_guard<std::mutex> lock(grow_mutex_);
    return static_cast<int>(threads_.size());
  }

 private:
  // Claims and runs parts of job `job` until none are left (or a newer job has begun).
  void work_on(std::uint64_t job) {
    for (;;) {
      std::uint64_t ticket = ticket_.load(std::memory_order_acquire);
      int part;
      do {
        if ((ticket >> 32) != job) return;
        part = static_cast<int>(ticket & 0xFFFFFFFFu);
        if (part >= parts_.load(std::memory_order_relaxed)) return;
      } while (!ticket_.compare_exchange_weak(ticket, ticket + 1, std::memory_order_acq_rel));
      // This part is ours, so the job cannot end before we report it: its fields are stable.
      const int parts = parts_.load(std::memory_order_relaxed);
      try {
        task_.load(std::memory_order_relaxed)(context_.load(std::memory_order_relaxed), part, parts);
      } catch (...) {
        std::lock_guard<std::mutex> lock(done_mutex_);
        if (!error_) error_ = std::current_exception();
      }
      if (done_parts_.fetch_add(1, std::memory_order_acq_rel) + 1 == parts) {
        std::lock_guard<std::mutex> lock(done_mutex_);
        done_.notify_one();
      }
    }
  }

  // Makes sure `wanted` workers exist (only the job's owner calls this); returns how many do.
  int grow(int wanted) {
    std::lock_guard<std::mutex> lock(grow_mutex_);
    while (static_cast<int>(threads_.size()) < wanted) {
      slots_.push_back(std::make_unique<Slot>());
      Slot* slot = slots_.back().get();
      try {
        threads_.push_back(start_thread_without_signals([this, slot] { work(*slot); }));
      } catch (const std::system_error&) {
        slots_.pop_back();
        break;  // the system will not give more threads: use those there are
      }
    }
    return static_cast<int>(threads_.size());
  }

  [[noreturn]] void work(Slot& slot) {
#if defined(__linux__)
    pthread_setname_np(pthread_self(), "weightinit-pool");  // as ps, top and gdb show it
#endif
    std::uint64_t seen = 0;
    const auto asked = [&] { return slot.wanted.load(std::memory_order_acquire) != seen; };
    for (;;) {
      if (!spin_until(asked)) {
        std::unique_lock<std::mutex> lock(slot.mutex);
        slot.sleeping = true;
        slot.wake.wait(lock, asked);
        slot.sleeping = false;
      }
      seen = slot.wanted.load(std::memory_order_acquire);
      work_on(seen);
    }
  }

  std::atomic<bool> busy_{false};
  std::uint64_t jobs_ = 0;  // under busy_
  std::atomic<std::uint64_t> ticket_{0};
  std::atomic<PoolTask> task_{nullptr};
  std::atomic<void*> context_{nullptr};
  std::atomic<int> parts_{0};
  std::atomic<int> done_parts_{0};
  std::mutex done_mutex_;  // guards error_; done_ waits on it
  std::condition_variable done_;
  std::exception_ptr error_;
  std::mutex grow_mutex_;
  std::vector<std::unique_ptr<Slot>> slots_;  // grown only by the job's owner
  std::vector<std::thread> threads_;          // never joined: the pool lives as long as the process
};

// The process's pool, made at the first large fill. Never deleted: worker threads block in it
// until the process ends, and destroying joinable threads at exit would terminate.
std::atomic<Pool*> g_pool{nullptr};

Pool& pool() {
  Pool* p = g_pool.load(std::memory_order_acquire);
  if (p != nullptr) return *p;
  Pool* fresh = new Pool;
  if (g_pool.compare_exchange_strong(p, fresh, std::memory_order_acq_rel)) return *fresh;
  delete fresh;  // another thread installed one first (it has no threads yet)
  return *p;
}

#if defined(WEIGHTINIT_POSIX_THREADS)
// In the child of fork() only the forking thread exists. The parent's pool is abandoned, not
// destroyed: its workers are gone and its mutex may be held by one of them. Its memory leaks,
// a few hundred bytes per fork. Only async-signal-safe work here (atomic stores).
void forget_pool_in_child() {
  g_pool.store(nullptr, std::memory_order_relaxed);
  g_forks.fetch_add(1, std::memory_order_relaxed);
}
#endif

}  // namespace

int pool_run(int threads, int parts, PoolTask task, void* context) {
  if (threads <= 1 || parts <= 1) return run_alone(task, context);
  return pool().run(threads, parts, task, context);
}

PoolStats pool_stats() {
  Pool* p = g_pool.load(std::memory_order_acquire);
  return {p == nullptr ? 0 : p->workers(), g_forks.load(), g_jobs.load(), g_solo.load()};
}

void pool_install_fork_handler() {
#if defined(WEIGHTINIT_POSIX_THREADS)
  static std::once_flag once;
  std::call_once(once, [] { pthread_atfork(nullptr, nullptr, &forget_pool_in_child); });
#endif
}

}  // namespace weightinit
