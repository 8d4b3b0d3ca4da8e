// numkern/cluster/fastpam2.hpp: FastPAM2 (Schubert & Rousseeuw 2021, Sec. 3.2): several swaps per iteration.
//
// One O(n^2) sweep evaluates every candidate for all k slots (the shared pass) and remembers, per slot, the
// best candidate. The overall best swap is applied; then the other slots' best candidates are re-evaluated
// against the updated medoids in order of their recorded dTD (lowest slot on ties) and applied while they
// still satisfy dTD < -1e-12 TD. Up to k swaps per sweep; converges to a local optimum (not necessarily the
// PAM result). Thread-count independent: per-slot bests are reduced with the lowest-index tie rule.
#pragma once

#include <algorithm>
#include <numeric>
#include <vector>

#include "numkern/cluster/swap_pass.hpp"

namespace numkern::cluster {

template <class Dis>
void fastpam2_swap(const Dis& dis, NearestCache& c, const double* w, index_t max_iter, int n_threads, Result& out) {
  using T = typename Dis::value_type;
  const index_t n = c.n, k = c.k;
  std::vector<T> buffer(Dis::rows_are_computed ? static_cast<std::size_t>(n) : 0);
  std::vector<double> delta(static_cast<std::size_t>(k));
  for (index_t iter = 0; iter < max_iter; ++iter) {
    if (c.loss <= 0.0 || k >= n) break;
    ++out.n_iter;
    std::vector<SwapChoice> per_slot(static_cast<std::size_t>(k));
    Cancellation& cancel = current_cancellation();
#pragma omp parallel num_threads(n_threads)
    {
      std::vector<double> local_delta(static_cast<std::size_t>(k));
      std::vector<T> local_buffer(Dis::rows_are_computed ? static_cast<std::size_t>(n) : 0);
      std::vector<SwapChoice> local(static_cast<std::size_t>(k));
#pragma omp for schedule(dynamic, 16) nowait
      for (index_t o = 0; o < n; ++o) {
        if (c.is_medoid[o] || cancel.requested()) continue;
        const T* row = dis.row(o, local_buffer.data());
        candidate_deltas(row, c, w, local_delta.data());
        for (index_t m = 0; m < k; ++m) {
          SwapChoice cand{local_delta[m], o, m};
          if (cand.better_than(local[m])) local[m] = cand;
        }
      }
#pragma omp critical(numkern_cluster_fastpam2)
      for (index_t m = 0; m < k; ++m)
        if (local[m].better_than(per_slot[m])) per_slot[m] = local[m];
    }
    if (cancel.was_requested()) break;  // the entry point throws
    std::vector<index_t> order(static_cast<std::size_t>(k));
    std::iota(order.begin(), order.end(), index_t(0));
    // NaN sorts as +inf (a strict weak order even for non-finite sums; such slots are never applied).
    auto key = [&](index_t m) { const double d = per_slot[m].delta; return d < kInf ? d : kInf; };
    std::stable_sort(order.begin(), order.end(), [&](index_t a, index_t b) { return key(a) < key(b); });
    index_t swaps = 0;
    for (index_t idx = 0; idx < k; ++idx) {
      const index_t m = order[idx];
      const SwapChoice& cand = per_slot[m];
      if (cand.candidate < 0 || c.is_medoid[cand.candidate]) continue;
      double d = cand.delta;
      const T* row = row_parallel(dis, cand.candidate, buffer.data(), n_threads);
      if (swaps > 0) {  // medoids changed since the sweep: re-evaluate against the current state
        candidate_deltas(row, c, w, delta.data());
        d = delta[m];
      }
      if (!(d < swap_threshold(c.loss))) {
        if (swaps == 0) break;  // the best swap of the sweep does not improve: converged
        continue;
      }
      apply_swap(dis, c, cand.candidate, m, row, w);
      ++swaps;
      if (c.loss <= 0.0) break;
    }
    out.n_swap += swaps;
    if (swaps == 0) break;
  }
}

}  // namespace numkern::cluster
