// numkern/cluster/build.hpp: PAM's BUILD initialisation (Kaufman & Rousseeuw 1990, ch. 2; Schubert &
// Rousseeuw 2021, Alg. 1).
//
//   first medoid  = argmin_i sum_j w_j d(j, i)                         (the 1-medoid solution)
//   then k-1 times: add argmin_i sum_j w_j min(d(j, i) - dn(j), 0)      (largest TD decrease)
// where dn(j) is the distance of j to its nearest chosen medoid. O(n^2 k); every step streams each
// candidate's row once, with a 4-lane accumulator (vectorisable, fixed summation order) and candidates split
// across threads. Ties (within 1e-12 TD) pick the lowest object index; medoids are never re-picked, so BUILD always returns k
// distinct objects even on duplicate data (when no candidate decreases TD, the lowest-index non-medoid).
#pragma once

#include <vector>

#include "numkern/cluster/common.hpp"

namespace numkern::cluster {

// sum_j w_j min(row[j] - dn[j], 0) (dn = nullptr: sum_j w_j row[j]) in a fixed 4-lane order.
template <bool Weighted, bool First, class T>
double build_gain(const T* row, const double* dn, const double* w, index_t n) {
  double acc0 = 0.0, acc1 = 0.0, acc2 = 0.0, acc3 = 0.0;
  auto term = [&](index_t j) {
    double v;
    if constexpr (First) v = static_cast<double>(row[j]);
    else v = std::min(static_cast<double>(row[j]) - dn[j], 0.0);
    return weight_of<Weighted>(w, j) * v;
  };
  index_t j = 0;
  for (; j + 4 <= n; j += 4) {
    acc0 += term(j);
    acc1 += term(j + 1);
    acc2 += term(j + 2);
    acc3 += term(j + 3);
  }
  for (; j < n; ++j) acc0 += term(j);
  return (acc0 + acc1) + (acc2 + acc3);
}

template <bool First, class T>
double build_gain_dispatch(const T* row, const double* dn, const double* w, index_t n) {
  return w ? build_gain<true, First>(row, dn, w, n) : build_gain<false, First>(row, dn, w, n);
}

// The BUILD choice from the gains of every object (ignored for medoids): the lowest index among the gains within
// the tie tolerance of the best (relative to the current TD = sum_j w_j dn(j), or to the best row sum in the
// first step). Also the choice of the GPU driver (offload.hpp).
inline index_t build_pick(const double* gain, const char* is_medoid, const double* dn, const double* w, index_t n,
                          bool first) {
  double best = kInf, td = 0.0;
  for (index_t i = 0; i < n; ++i)
    if (!is_medoid[i]) best = std::min(best, gain[i]);
  if (first) td = std::fabs(best);
  else
    for (index_t j = 0; j < n; ++j) td += (w ? w[j] : 1.0) * dn[j];
  index_t pick = -1;
  for (index_t i = 0; i < n && pick < 0; ++i)
    if (!is_medoid[i] && gain[i] <= best + tie_tolerance(td)) pick = i;
  // Non-finite gains or TD (sums beyond DBL_MAX; the Python layer rescales so that this cannot happen)
  // leave no candidate inside the tie window: fall back to a best gain, else the lowest non-medoid, so the
  // pick is always a valid, new object.
  for (index_t i = 0; i < n && pick < 0; ++i)
    if (!is_medoid[i] && gain[i] == best) pick = i;
  for (index_t i = 0; i < n && pick < 0; ++i)
    if (!is_medoid[i]) pick = i;
  return pick;
}

// BUILD on the first k slots. Returns the medoids in the order they were chosen.
template <class Dis>
std::vector<index_t> build(const Dis& dis, index_t k, const double* w, int n_threads) {
  using T = typename Dis::value_type;
  const index_t n = dis.size();
  std::vector<index_t> medoids;
  medoids.reserve(static_cast<std::size_t>(k));
  std::vector<char> is_medoid(static_cast<std::size_t>(n), 0);
  std::vector<double> dn(static_cast<std::size_t>(n), kInf);
  std::vector<double> gain(static_cast<std::size_t>(n), kInf);
  std::vector<T> buffer(Dis::rows_are_computed ? static_cast<std::size_t>(n) : 0);
  Cancellation& cancel = current_cancellation();
  for (index_t step = 0; step < k; ++step) {
    const bool first = step == 0;
#pragma omp parallel num_threads(n_threads)
    {
      std::vector<T> local(Dis::rows_are_computed ? static_cast<std::size_t>(n) : 0);
#pragma omp for schedule(dynamic, 8)
      for (index_t i = 0; i < n; ++i) {
        if (is_medoid[i] || cancel.requested()) continue;
        const T* row = dis.row(i, local.data());
        gain[i] = first ? build_gain_dispatch<true>(row, nullptr, w, n) : build_gain_dispatch<false>(row, dn.data(), w, n);
      }
    }
    if (cancel.was_requested()) break;  // the entry point throws; the partial set is never used
    const index_t pick = build_pick(gain.data(), is_medoid.data(), dn.data(), w, n, first);
    medoids.push_back(pick);
    is_medoid[pick] = 1;
    gain[pick] = kInf;
    if (step + 1 < k) {
      const T* row = row_parallel(dis, pick, buffer.data(), n_threads);
      for (index_t j = 0; j < n; ++j) dn[j] = std::min(dn[j], static_cast<double>(row[j]));
    }
  }
  return medoids;
}

}  // namespace numkern::cluster
