// numkern/parallel.hpp: OpenMP helpers. Host only.
//
// Threads follow OpenMP's rules (OMP_NUM_THREADS, omp_set_num_threads, threadpoolctl) unless the caller passes
// an explicit positive count. Without OpenMP every helper degrades to one thread.
#pragma once

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace numkern {

inline bool have_openmp() {
#if defined(_OPENMP)
  return true;
#else
  return false;
#endif
}

// The most threads any numkern region starts: 4 per processor, at least 64. Every result numkern promises to be
// thread-count independent stays so, and a request such as n_threads=200000 (which overflows libgomp's stack
// when passed to num_threads) becomes this many threads instead. numkern._validation applies the same cap.
inline int max_num_threads() {
#if defined(_OPENMP)
  const int procs = omp_get_num_procs();
  return procs > 16 ? 4 * procs : 64;
#else
  return 1;
#endif
}

// Threads OpenMP would use for the next parallel region (OMP_NUM_THREADS, threadpoolctl), capped.
inline int default_num_threads() {
#if defined(_OPENMP)
  const int n = omp_get_max_threads();
  return n < max_num_threads() ? n : max_num_threads();
#else
  return 1;
#endif
}

// n_threads <= 0 means "OpenMP's default"; the result is always in [1, max_num_threads()] (1 without OpenMP).
inline int resolve_num_threads(int n_threads) {
#if defined(_OPENMP)
  if (n_threads <= 0) return default_num_threads();
  return n_threads < max_num_threads() ? n_threads : max_num_threads();
#else
  (void)n_threads;
  return 1;
#endif
}

// Index of the calling OpenMP thread (0 outside parallel regions or without OpenMP).
inline int omp_thread_id() {
#if defined(_OPENMP)
  return omp_get_thread_num();
#else
  return 0;
#endif
}

}  // namespace numkern
