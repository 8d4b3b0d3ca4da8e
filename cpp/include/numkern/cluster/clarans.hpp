// numkern/cluster/clarans.hpp: CLARANS (Ng & Han 2002) and FastCLARANS (Schubert & Rousseeuw 2021, Sec. 4.2).
//
// `numlocal` restarts from k random medoids. Each step draws a random non-medoid o and evaluates it with the
// shared O(n) pass; CLARANS considers one random slot for it, FastCLARANS all k slots at once (taking the
// best). An improving swap (dTD < -1e-12 TD) is applied at once and the failure counter reset; a restart ends
// after `maxneighbor` consecutive failures. The best restart is returned (the first on ties). Memory is O(n):
// with raw data the rows are computed on the fly, so n is limited by time, not by an n x n matrix.
// Sequential by design (each step depends on the previous one); the result depends only on the seed.
#pragma once

#include <vector>

#include "numkern/cluster/swap_pass.hpp"

namespace numkern::cluster {

template <class Dis>
Result clarans(const Dis& dis, index_t k, const double* w, index_t numlocal, index_t maxneighbor, bool fast,
               SplitMix64& rng, int n_threads) {
  using T = typename Dis::value_type;
  const index_t n = dis.size();
  std::vector<index_t> perm = identity_permutation(n);
  std::vector<T> buffer(static_cast<std::size_t>(n));
  std::vector<double> delta(static_cast<std::size_t>(k));
  Result best;
  best.loss = kInf;
  for (index_t restart = 0; restart < numlocal; ++restart) {
    partial_shuffle(perm, k, rng);
    std::vector<index_t> start(perm.begin(), perm.begin() + k);
    NearestCache c;
    init_cache(dis, start, w, c, n_threads);
    index_t failures = 0, swaps = 0, steps = 0;
    Cancellation& cancel = current_cancellation();
    while (failures < maxneighbor && c.loss > 0.0 && k < n && !cancel.requested()) {
      index_t o;
      do {
        o = rng.below(n);
      } while (c.is_medoid[o]);
      const index_t random_slot = fast ? 0 : rng.below(k);
      const T* row = row_parallel(dis, o, buffer.data(), n_threads);
      candidate_deltas(row, c, w, delta.data());
      ++steps;
      SwapChoice choice = fast ? best_slot(delta.data(), k, o, tie_tolerance(c.loss)) : SwapChoice{delta[random_slot], o, random_slot};
      if (choice.delta < swap_threshold(c.loss)) {
        apply_swap(dis, c, o, choice.slot, row, w);
        ++swaps;
        failures = 0;
      } else {
        ++failures;
      }
    }
    best.n_iter += steps;
    best.n_swap += swaps;
    if (best.medoids.empty() || c.loss < best.loss) {  // the first restart always counts (even if loss is inf)
      best.loss = c.loss;
      best.medoids = c.medoids;
    }
  }
  return best;
}

}  // namespace numkern::cluster
