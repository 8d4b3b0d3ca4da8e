// numkern/cluster/alternating.hpp: the alternating ("k-means style", Park & Jun 2009) k-medoids heuristic.
//
// Repeat: assign every object to its nearest medoid (lowest slot on ties); in every cluster C make the member
// i minimising sum_{j in C} w_j d(j, i) the new medoid if it is strictly better than the current one (lowest
// index among equals; medoids of other slots are never taken). Stop when no medoid changes or
// after max_iter iterations. O(sum_C |C|^2) per iteration; usually a weaker optimum than the swap methods.
#pragma once

#include <vector>

#include "numkern/cluster/swap_pass.hpp"

namespace numkern::cluster {

template <class Dis>
void alternating_loop(const Dis& dis, NearestCache& c, const double* w, index_t max_iter, int n_threads, Result& out) {
  const index_t n = c.n, k = c.k;
  std::vector<index_t> labels;
  Cancellation& cancel = current_cancellation();
  for (index_t iter = 0; iter < max_iter && !cancel.requested(); ++iter) {
    ++out.n_iter;
    labels_from_cache(dis, c, labels);
    std::vector<std::vector<index_t>> members(static_cast<std::size_t>(k));
    for (index_t j = 0; j < n; ++j) members[labels[j]].push_back(j);
    std::vector<index_t> medoids = c.medoids;
    bool changed = false;
    for (index_t s = 0; s < k; ++s) {
      const std::vector<index_t>& mem = members[s];
      const index_t size = static_cast<index_t>(mem.size());
      if (size == 0) continue;
      std::vector<double> cost(static_cast<std::size_t>(size));
#pragma omp parallel for schedule(dynamic, 8) num_threads(n_threads)
      for (index_t a = 0; a < size; ++a) {
        if (cancel.requested()) continue;
        const index_t i = mem[a];
        double sum = 0.0;
        for (index_t b = 0; b < size; ++b) sum += (w ? w[mem[b]] : 1.0) * dis(i, mem[b]);
        cost[a] = sum;
      }
      // Start from the current medoid's own cost (it may lie outside its cluster when d(m, m) > 0 or with
      // asymmetric input), so a replacement always lowers TD strictly and the loop terminates.
      const index_t current = c.medoids[s];
      double best_cost = 0.0;
      for (index_t b = 0; b < size; ++b) best_cost += (w ? w[mem[b]] : 1.0) * dis(current, mem[b]);
      index_t best = current;
      for (index_t a = 0; a < size; ++a) {
        const index_t i = mem[a];
        if (c.is_medoid[i]) continue;
        if (cost[a] < best_cost) {
          best_cost = cost[a];
          best = i;
        }
      }
      if (best >= 0 && best != current) {
        medoids[s] = best;
        changed = true;
      }
    }
    if (!changed) break;
    // Swap counts: number of slots whose medoid moved.
    for (index_t s = 0; s < k; ++s) out.n_swap += medoids[s] != c.medoids[s];
    init_cache(dis, medoids, w, c, n_threads);
  }
}

}  // namespace numkern::cluster
