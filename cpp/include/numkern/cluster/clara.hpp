// numkern/cluster/clara.hpp: CLARA and FastCLARA (Kaufman & Rousseeuw 1990, ch. 3; Schubert & Rousseeuw
// 2021, Sec. 4.1).
//
// For `samples` rounds: draw a sample of `sample_size` objects that contains the best medoids found so far,
// cluster the sample's own dissimilarity matrix (CLARA: BUILD + PAM SWAP; FastCLARA: BUILD + FastPAM2, with
// the larger default sample 80 + 4k), evaluate those medoids on ALL n objects and keep the best (the first on
// ties). Only sample_size^2 dissimilarities are stored, so n is limited by O(n k) work, not by an n x n
// matrix. Sample weights are carried into the sample subproblem and the full evaluation.
#pragma once

#include <algorithm>
#include <vector>

#include "numkern/cluster/build.hpp"
#include "numkern/cluster/fastpam1.hpp"
#include "numkern/cluster/fastpam2.hpp"

namespace numkern::cluster {

template <class Dis>
Result clara(const Dis& dis, index_t k, const double* w, index_t samples, index_t sample_size, bool fast, index_t max_iter,
             SplitMix64& rng, int n_threads) {
  using T = typename Dis::value_type;
  const index_t n = dis.size();
  const index_t s = std::max(k, std::min(n, sample_size));
  if (s >= n) samples = 1;  // every sample would be the whole data set
  std::vector<index_t> perm = identity_permutation(n);
  std::vector<char> in_sample(static_cast<std::size_t>(n), 0);
  Result best;
  best.loss = kInf;
  std::vector<index_t> best_medoids;
  std::vector<T> sub(static_cast<std::size_t>(s) * static_cast<std::size_t>(s));
  std::vector<double> sub_w(w ? static_cast<std::size_t>(s) : 0);
  index_t total_swaps = 0;
  Cancellation& cancel = current_cancellation();
  for (index_t round = 0; round < samples && !cancel.requested(); ++round) {
    std::vector<index_t> sample(best_medoids);
    for (index_t m : sample) in_sample[m] = 1;
    partial_shuffle(perm, n, rng);  // cheap relative to the O(n k) evaluation below
    for (index_t t = 0; t < n && static_cast<index_t>(sample.size()) < s; ++t)
      if (!in_sample[perm[t]]) {
        in_sample[perm[t]] = 1;
        sample.push_back(perm[t]);
      }
    std::sort(sample.begin(), sample.end());
    for (index_t m : sample) in_sample[m] = 0;
#pragma omp parallel for schedule(static) num_threads(n_threads)
    for (index_t a = 0; a < s; ++a)
      for (index_t b = 0; b < s; ++b) sub[a * s + b] = static_cast<T>(dis(sample[a], sample[b]));
    for (index_t a = 0; a < s && w; ++a) sub_w[a] = w[sample[a]];
    const double* sw = w ? sub_w.data() : nullptr;
    MatrixDissimilarity<T> subdis{sub.data(), s};
    NearestCache cache;
    init_cache(subdis, build(subdis, k, sw, n_threads), sw, cache, n_threads);
    Result sub_result;
    if (fast) fastpam2_swap(subdis, cache, sw, max_iter, n_threads, sub_result);
    else fastpam1_swap(subdis, cache, sw, max_iter, n_threads, sub_result);
    total_swaps += sub_result.n_swap;
    std::vector<index_t> medoids(static_cast<std::size_t>(k));
    for (index_t m = 0; m < k; ++m) medoids[m] = sample[cache.medoids[m]];
    std::vector<index_t> labels;
    const double loss = assign_labels(dis, medoids, w, labels, n_threads);
    if (best.medoids.empty() || loss < best.loss) {  // the first round always counts (even if loss is inf)
      best.loss = loss;
      best.medoids = medoids;
      best.labels = std::move(labels);
      best_medoids = medoids;
    }
  }
  best.n_iter = samples;
  best.n_swap = total_swaps;
  return best;
}

}  // namespace numkern::cluster
