// numkern/cluster/offload.hpp: PAM / FastPAM1 with the O(n^2) passes on an accelerator (host only).
//
// The driver is the CPU algorithm (build.hpp + fastpam1.hpp) with its three O(n^2)-per-step passes handed to
// a `Passes` object: BUILD's gains, the nearest / second-nearest cache of all objects, and the FastPAM1
// candidate pass dTD(m, o) for every (o, m). The O(k n) bookkeeping and every choice stay on the host and are
// the CPU's own functions (refresh_removal_and_loss, build_pick, choose_swap), so the offloaded run makes the
// same decisions as the CPU one up to the rounding of the device's sums. The CUDA binding
// (cpp/bindings/cuda/cluster.cpp) supplies device passes; ReferencePasses below is the same arithmetic on the
// CPU (the shared swap_term.hpp functions), which is how the tests cover the GPU path without a GPU.
//
// Passes interface (all vectors on the host):
//   build_gain(dn or nullptr, is_medoid, gain)  gain[i] = sum_j w_j min(d(j, i) - dn(j), 0) (first step:
//                                               sum_j w_j d(j, i)); entries of medoids are ignored
//   row(i, out)                                 out[j] = d(j, i)
//   nearest(medoids, cache)                     cache.near / dn / sec / ds for every object
//   swap_deltas(cache, delta)                   delta[o * k + m] = dTD(m, o), +inf for medoids o
#pragma once

#include <algorithm>
#include <vector>

#include "numkern/cluster/build.hpp"
#include "numkern/cluster/swap_pass.hpp"

namespace numkern::cluster {

// BUILD (when `initial` is empty) then best-improvement SWAP, as pam / fastpam1. Entry point: throws
// numkern::Interrupted when the host asked to stop (checked between passes).
template <class Passes>
Result pam_offload(Passes& passes, index_t n, index_t k, const std::vector<index_t>& initial, const double* w,
                   index_t max_iter, bool build_only) {
  CancellationScope scope;
  Cancellation& cancel = scope.cancellation();
  Result out;
  std::vector<char> is_medoid(static_cast<std::size_t>(n), 0);
  std::vector<index_t> medoids = initial;
  if (medoids.empty()) {
    std::vector<double> dn(static_cast<std::size_t>(n), kInf), gain(static_cast<std::size_t>(n)), row;
    for (index_t step = 0; step < k && !cancel.requested(); ++step) {
      passes.build_gain(step == 0 ? nullptr : dn.data(), is_medoid, gain);
      const index_t pick = build_pick(gain.data(), is_medoid.data(), dn.data(), w, n, step == 0);
      medoids.push_back(pick);
      is_medoid[pick] = 1;
      if (step + 1 < k) {
        passes.row(pick, row);
        for (index_t j = 0; j < n; ++j) dn[j] = std::min(dn[j], row[j]);
      }
    }
  } else {
    for (index_t m : medoids) is_medoid[m] = 1;
  }
  NearestCache c;
  c.n = n;
  c.k = k;
  c.near.assign(static_cast<std::size_t>(n), -1);
  c.sec.assign(static_cast<std::size_t>(n), -1);
  c.dn.assign(static_cast<std::size_t>(n), kInf);
  c.ds.assign(static_cast<std::size_t>(n), kInf);
  c.removal.assign(static_cast<std::size_t>(k), 0.0);
  std::vector<double> delta, cand(static_cast<std::size_t>(n));
  while (!cancel.requested()) {
    c.medoids = medoids;
    c.is_medoid = is_medoid;
    passes.nearest(medoids, c);
    refresh_removal_and_loss(c, w);
    if (build_only || out.n_iter >= max_iter || k >= n || c.loss <= 0.0) break;
    ++out.n_iter;
    passes.swap_deltas(c, delta);
    for (index_t o = 0; o < n; ++o) cand[o] = *std::min_element(delta.begin() + o * k, delta.begin() + (o + 1) * k);
    const SwapChoice best = choose_swap(cand.data(), delta.data(), n, k, tie_tolerance(c.loss));
    if (best.candidate < 0 || !(best.delta < swap_threshold(c.loss))) break;
    is_medoid[medoids[best.slot]] = 0;
    is_medoid[best.candidate] = 1;
    medoids[best.slot] = best.candidate;
    ++out.n_swap;
  }
  scope.throw_if_requested();
  out.medoids = medoids;
  out.labels.assign(c.near.begin(), c.near.end());  // offer_medoid keeps the lowest slot on ties
  out.loss = c.loss;
  return out;
}

// The passes on the CPU for a dense matrix, one object at a time with the functions the CUDA kernels call.
template <class T>
struct ReferencePasses {
  const T* D;  // n x n, row = medoid (or candidate), as everywhere in this folder
  index_t n;
  const double* w;  // nullptr: unit weights

  double d(index_t medoid, index_t j) const { return static_cast<double>(D[medoid * n + j]); }

  void build_gain(const double* dn, const std::vector<char>& is_medoid, std::vector<double>& gain) const {
    for (index_t i = 0; i < n; ++i) {
      double s = 0.0;
      for (index_t j = 0; j < n; ++j) s += (w ? w[j] : 1.0) * (dn ? std::min(d(i, j) - dn[j], 0.0) : d(i, j));
      gain[i] = is_medoid[i] ? kInf : s;
    }
  }
  void row(index_t i, std::vector<double>& out) const {
    out.resize(static_cast<std::size_t>(n));
    for (index_t j = 0; j < n; ++j) out[j] = d(i, j);
  }
  void nearest(const std::vector<index_t>& medoids, NearestCache& c) const {
    for (index_t j = 0; j < n; ++j) {
      c.near[j] = c.sec[j] = -1;
      c.dn[j] = c.ds[j] = kInf;
      for (std::size_t s = 0; s < medoids.size(); ++s)
        offer_medoid(d(medoids[s], j), static_cast<std::int32_t>(s), c.near[j], c.dn[j], c.sec[j], c.ds[j]);
    }
  }
  void swap_deltas(const NearestCache& c, std::vector<double>& delta) const {
    const index_t k = c.k;
    delta.assign(static_cast<std::size_t>(n * k), kInf);
    for (index_t o = 0; o < n; ++o) {
      if (c.is_medoid[o]) continue;
      double* acc = delta.data() + o * k;
      double shared = 0.0;
      for (index_t m = 0; m < k; ++m) acc[m] = 0.0;
      for (index_t j = 0; j < n; ++j) {
        if (k == 1) shared += w ? single_medoid_term<true>(d(o, j), c.dn[j], w, j)
                                : single_medoid_term<false>(d(o, j), c.dn[j], w, j);
        else if (w) add_swap_term<true>(d(o, j), c.dn[j], c.ds[j], w, j, shared, acc[c.near[j]]);
        else add_swap_term<false>(d(o, j), c.dn[j], c.ds[j], w, j, shared, acc[c.near[j]]);
      }
      for (index_t m = 0; m < k; ++m) acc[m] = (k == 1 ? 0.0 : c.removal[m]) + acc[m] + shared;
    }
  }
};

}  // namespace numkern::cluster
