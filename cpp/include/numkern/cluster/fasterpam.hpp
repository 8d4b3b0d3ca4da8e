// numkern/cluster/fasterpam.hpp: FasterPAM, the eager swap loop (Schubert & Rousseeuw 2021, Alg. 3).
//
// Candidates o = 0, 1, ..., n-1 are visited cyclically; each is evaluated for all slots by the shared O(n)
// pass and swapped into its best slot AT ONCE if dTD < -1e-12 TD. The loop ends when n consecutive visits
// brought no swap (a full cycle back to the last swapped candidate), when TD = 0, or after max_iter passes
// over the data. Meant for a random start; reaches a 1-swap local optimum like PAM, usually a different one.
//
// Threads: the eager rule is sequential, so threads evaluate a batch of the NEXT candidates speculatively
// against the current medoids; the first candidate of the batch (in visiting order) that improves is applied
// and the rest of the batch is discarded. Every accepted swap is therefore exactly the one the sequential loop
// would make: the result does not depend on the thread count. The batch grows while nothing improves (late
// passes, where almost every candidate fails) and shrinks back after a swap.
#pragma once

#include <vector>

#include "numkern/cluster/swap_pass.hpp"

namespace numkern::cluster {

// With an MscCache (msc.hpp) the same loop is FasterMSC: eager swaps on the medoid silhouette.
template <class Dis, class Cache>
void fasterpam_swap(const Dis& dis, Cache& c, const double* w, index_t max_iter, int n_threads, Result& out) {
  using T = typename Dis::value_type;
  const index_t n = c.n, k = c.k;
  if (k >= n) return;
  // Below ~1000 objects a candidate pass takes about a microsecond: a parallel region would cost more.
  const bool speculate = n_threads > 1 && n >= 1000;
  const index_t min_batch = speculate ? 2 * n_threads : 1;
  const index_t max_batch = speculate ? 64 * n_threads : 1;
  std::vector<T> buffer(Dis::rows_are_computed ? static_cast<std::size_t>(n) * static_cast<std::size_t>(n_threads) : 0);
  std::vector<double> deltas(static_cast<std::size_t>(max_batch * k));
  std::vector<index_t> batch;
  batch.reserve(static_cast<std::size_t>(max_batch));
  index_t batch_size = min_batch;
  index_t last_swap = -1;
  bool converged = false;
  Cancellation& cancel = current_cancellation();
  for (index_t iter = 0; iter < max_iter && !converged && !cancel.requested(); ++iter) {
    ++out.n_iter;
    index_t o = 0;
    while (o < n) {
      if (o == last_swap || c.loss <= 0.0) {
        converged = true;
        break;
      }
      if (cancel.requested()) break;  // a batch is at most 64 x n_threads O(nk) passes
      batch.clear();
      index_t p = o;
      while (p < n && p != last_swap && static_cast<index_t>(batch.size()) < batch_size) {
        if (!c.is_medoid[p]) batch.push_back(p);
        ++p;
      }
      const index_t b = static_cast<index_t>(batch.size());
      if (b == 0) {
        o = p;
        continue;
      }
      if (b == 1 || !speculate) {
        for (index_t t = 0; t < b; ++t)
          candidate_deltas(dis.row(batch[t], buffer.data()), c, w, deltas.data() + t * k);
      } else {
#pragma omp parallel for schedule(static, 1) num_threads(n_threads)
        for (index_t t = 0; t < b; ++t) {
          T* local = Dis::rows_are_computed ? buffer.data() + static_cast<std::size_t>(omp_thread_id()) * n : nullptr;
          candidate_deltas(dis.row(batch[t], local), c, w, deltas.data() + t * k);
        }
      }
      index_t accepted = -1;
      SwapChoice choice;
      const double threshold = swap_threshold(c.loss);
      for (index_t t = 0; t < b && accepted < 0; ++t) {
        choice = best_slot(deltas.data() + t * k, k, batch[t], tie_tolerance(c.loss));
        if (choice.delta < threshold) accepted = t;
      }
      if (accepted < 0) {
        o = p;
        batch_size = std::min(max_batch, 2 * batch_size);
        continue;
      }
      const T* row = row_parallel(dis, choice.candidate, buffer.data(), n_threads);
      apply_swap(dis, c, choice.candidate, choice.slot, row, w);
      ++out.n_swap;
      last_swap = choice.candidate;
      o = choice.candidate + 1;
      batch_size = min_batch;
    }
    if (!converged && last_swap < 0) converged = true;  // a whole first pass without any swap
  }
}

}  // namespace numkern::cluster
