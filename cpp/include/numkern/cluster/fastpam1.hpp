// numkern/cluster/fastpam1.hpp: PAM's best-improvement SWAP phase, evaluated the FastPAM1 way
// (Schubert & Rousseeuw 2021, Alg. 2).
//
// Each iteration finds the swap (slot m, non-medoid o) with the smallest dTD over ALL pairs and applies it
// if dTD < -1e-12 TD; it stops when no swap qualifies, when TD = 0 or after max_iter iterations. This is
// exactly PAM's SWAP (Kaufman & Rousseeuw 1990) -- same candidates, same choice with the lowest-index tie
// rule (smallest candidate, then smallest slot) -- but each candidate costs one O(n) pass
// (swap_pass.hpp) instead of k, so an iteration is O(n^2) instead of O(k n^2). `pam` is BUILD followed by
// this loop, so pam and fastpam1 return the same medoids.
#pragma once

#include <vector>

#include "numkern/cluster/swap_pass.hpp"

namespace numkern::cluster {

// Runs the SWAP loop on an initialised cache, adding its iterations and swaps to `out`. With an MscCache the
// same loop is FastMSC (msc.hpp): best-improvement swaps on the medoid silhouette.
template <class Dis, class Cache>
void fastpam1_swap(const Dis& dis, Cache& c, const double* w, index_t max_iter, int n_threads, Result& out) {
  using T = typename Dis::value_type;
  std::vector<T> buffer(Dis::rows_are_computed ? static_cast<std::size_t>(c.n) : 0);
  for (index_t iter = 0; iter < max_iter; ++iter) {
    if (c.loss <= 0.0 || c.k >= c.n) break;
    ++out.n_iter;
    const SwapChoice best = best_swap(dis, c, w, n_threads);
    if (best.candidate < 0 || !(best.delta < swap_threshold(c.loss))) break;
    const T* row = row_parallel(dis, best.candidate, buffer.data(), n_threads);
    apply_swap(dis, c, best.candidate, best.slot, row, w);
    ++out.n_swap;
  }
}

}  // namespace numkern::cluster
