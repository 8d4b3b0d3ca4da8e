// numkern/cluster/lab.hpp: LAB ("linear approximative BUILD", Schubert & Rousseeuw 2021, Sec. 3.4).
//
// BUILD where every step looks only at a fresh random subsample S of 10 + ceil(sqrt(n)) objects: the next
// medoid is the non-medoid i in S minimising sum_{j in S} w_j min(d(j, i) - dn(j), 0) (first step: the
// plain sum), with dn(j) the distance to the nearest medoid so far. O(k |S|^2) = O(k n) dissimilarities.
// Ties pick the lowest object index; when S holds no non-medoid, the lowest-index non-medoid is taken, so
// the result is always k distinct objects.
#pragma once

#include <cmath>
#include <vector>

#include "numkern/cluster/common.hpp"

namespace numkern::cluster {

template <class Dis>
std::vector<index_t> lab(const Dis& dis, index_t k, const double* w, SplitMix64& rng) {
  const index_t n = dis.size();
  const index_t s = std::min<index_t>(n, 10 + static_cast<index_t>(std::ceil(std::sqrt(static_cast<double>(n)))));
  std::vector<index_t> perm = identity_permutation(n);
  std::vector<index_t> medoids;
  std::vector<char> is_medoid(static_cast<std::size_t>(n), 0);
  std::vector<double> dn(static_cast<std::size_t>(s));
  for (index_t step = 0; step < k; ++step) {
    partial_shuffle(perm, s, rng);
    for (index_t a = 0; a < s; ++a) {
      double best = kInf;
      for (index_t m : medoids) best = std::min(best, dis(m, perm[a]));
      dn[a] = best;
    }
    index_t pick = -1;
    double pick_gain = kInf;
    for (index_t b = 0; b < s; ++b) {
      const index_t i = perm[b];
      if (is_medoid[i]) continue;
      double g = 0.0;
      for (index_t a = 0; a < s; ++a) {
        const double d = dis(i, perm[a]);
        const double wa = w ? w[perm[a]] : 1.0;
        g += wa * (step == 0 ? d : std::min(d - dn[a], 0.0));
      }
      if (pick < 0 || g < pick_gain || (g == pick_gain && i < pick)) {
        pick = i;
        pick_gain = g;
      }
    }
    if (pick < 0)
      for (index_t i = 0; i < n && pick < 0; ++i)
        if (!is_medoid[i]) pick = i;
    medoids.push_back(pick);
    is_medoid[pick] = 1;
  }
  return medoids;
}

}  // namespace numkern::cluster
