// weightinit's worker threads: a small pool of its own that survives fork().
//
// GNU OpenMP's thread team does not survive fork(): a forked child whose parent ran a parallel
// region hangs in its next one (the team's threads are gone, the runtime waits for them). Large
// fills therefore run on this pool instead. A pthread_atfork child handler forgets the parent's
// pool (its threads do not exist in the child, its locks may be held by them) and the child
// starts a new one at its first large fill, so a fill in a forked child runs on all its threads
// and gives the parent's bits. OpenMP still decides *how many* threads (omp_get_max_threads(),
// see parallel.hpp), so OMP_NUM_THREADS, omp_set_num_threads and threadpoolctl keep working.
//
// A job is split into parts (a few per thread) that the caller and the workers claim one at a
// time, so a worker that wakes late finds the work done and the caller never waits for it.
// One job runs at a time. A caller that finds the pool busy (another Python thread's fill, or a
// job inside a job) runs its whole job on its own thread: same bits, no waiting, no deadlock.
// Workers start with every signal blocked, so signals (Ctrl-C) reach Python's main thread.
#pragma once

#include <cstdint>

namespace weightinit {

// One part of a job: part `part` of `parts`, computed by whichever thread claims it.
using PoolTask = void (*)(void* context, int part, int parts);

// Runs task(context, t, parts) for t = 0 .. parts-1 on the calling thread and up to threads - 1
// pool workers, and returns when all have finished; rethrows the first exception a part threw.
// If the pool is busy or no thread can be started, runs task(context, 0, 1) on the caller alone
// (the task must then do the whole job). Returns the number of parts it ran.
int pool_run(int threads, int parts, PoolTask task, void* context);

// Facts for `python -m weightinit info` and the tests.
struct PoolStats {
  int workers;          // threads started by this process's pool (0 until the first large fill)
  std::int64_t forks;   // fork() calls this process is the child of, since weightinit loaded
  std::int64_t jobs;    // jobs run on the pool
  std::int64_t solo;    // jobs run alone because the pool was busy or could not start threads
};
PoolStats pool_stats();

// Registers the fork handler; called once when the module loads (before any thread can fork).
void pool_install_fork_handler();

}  // namespace weightinit
