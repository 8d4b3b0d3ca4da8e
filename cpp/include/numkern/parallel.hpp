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

// Threads OpenMP would use for the next parallel region.
inline int default_num_threads() {
#if defined(_OPENMP)
  return omp_get_max_threads();
#else
  return 1;
#endif
}

// n_threads <= 0 means "OpenMP's default"; the result is always >= 1 (and 1 without OpenMP).
inline int resolve_num_threads(int n_threads) {
#if defined(_OPENMP)
  return n_threads > 0 ? n_threads : omp_get_max_threads();
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
