// numkern/cluster/silhouette.hpp: the classic silhouette and the medoid silhouette of a clustering.
//
// Silhouette (Rousseeuw, "Silhouettes: a graphical aid to the interpretation and validation of cluster
// analysis", J. Comput. Appl. Math. 20 (1987)): for object i in cluster A,
//     a(i) = mean of d(i, j) over j in A, j != i,   b(i) = min over clusters C != A of the mean of d(i, j), j in C,
//     s(i) = (b(i) - a(i)) / max(a(i), b(i)),
// with s(i) = 0 for a singleton cluster, when a(i) = b(i) = 0, and when there is no other cluster (k = 1).
// d(i, j) is read from ROW i of the provider (D[i * n + j] for a matrix), as scikit-learn's
// silhouette_samples(metric="precomputed") does; j = i is skipped, so the diagonal is never read. O(n^2 + n k),
// rows split across threads; every sum runs in index order, so the values do not depend on the thread count.
//
// Medoid silhouette (Van der Laan, Pollard & Bryan 2003; Lenssen & Schubert, "Medoid silhouette clustering with
// automatic cluster number selection", Information Systems 120 (2024)): with d1(j) <= d2(j) the distances of
// object j to its nearest and second-nearest medoid, s(j) = 1 - d1(j) / d2(j), where d1/d2 counts as 0 when
// d2 = 0 (a point on two medoids, as the kmedoids package defines it) or d2 = inf (k = 1). The medoid row is
// read, d(j, m) = D[m * n + j], as everywhere in this folder. O(n k).
#pragma once

#include <vector>

#include "numkern/cluster/common.hpp"

namespace numkern::cluster {

// a / b of the medoid silhouette: 0 where b is 0 (then a is 0 too) or infinite.
NK_INLINE double msil_ratio(double a, double b) { return (b > 0.0 && b < kInf) ? a / b : 0.0; }

// sums[c] = sum of row[j] over j != i with labels[j] = c (index order; two loops, so no branch on j == i).
// Returns false if an entry read is NaN, infinite or negative (the caller reports it; the diagonal is not read).
template <class T>
bool cluster_sums(const T* row, index_t i, index_t n, const index_t* labels, index_t k, double* sums) {
  std::fill(sums, sums + k, 0.0);
  bool ok = true;
  for (index_t j = 0; j < i; ++j) {
    const double d = static_cast<double>(row[j]);
    ok &= d >= 0.0 && d <= std::numeric_limits<double>::max();
    sums[labels[j]] += d;
  }
  for (index_t j = i + 1; j < n; ++j) {
    const double d = static_cast<double>(row[j]);
    ok &= d >= 0.0 && d <= std::numeric_limits<double>::max();
    sums[labels[j]] += d;
  }
  return ok;
}

// s(i) from the cluster sums of its row (cluster_sums) and the cluster sizes.
inline double silhouette_from_sums(const double* sums, index_t own, index_t k, const double* size) {
  if (size[own] <= 1.0 || k == 1) return 0.0;
  const double a = sums[own] / (size[own] - 1.0);
  double b = kInf;
  for (index_t c = 0; c < k; ++c)
    if (c != own && size[c] > 0.0) b = std::min(b, sums[c] / size[c]);
  if (!(b < kInf)) return 0.0;  // no other non-empty cluster
  const double top = std::max(a, b);
  return top > 0.0 ? (b - a) / top : 0.0;
}

// s(i) of one object from its row d(i, .): `size` holds the cluster sizes, `sums` is k values of scratch.
template <class T>
double silhouette_of(const T* row, index_t i, index_t n, const index_t* labels, index_t k, const double* size,
                     double* sums) {
  cluster_sums(row, i, n, labels, k, sums);
  return silhouette_from_sums(sums, labels[i], k, size);
}

inline std::vector<double> cluster_sizes(const index_t* labels, index_t n, index_t k) {
  std::vector<double> size(static_cast<std::size_t>(k), 0.0);
  for (index_t j = 0; j < n; ++j) size[labels[j]] += 1.0;
  return size;
}

// s(i) for every object into `samples` (n values); returns their mean. labels in 0..k-1. The one pass over the
// rows also checks every off-diagonal entry: `valid` (optional) becomes false if one is NaN, infinite or
// negative (the values are then meaningless). Entry point: throws Interrupted on Ctrl-C.
template <class Dis>
double silhouette(const Dis& dis, const index_t* labels, index_t k, double* samples, int n_threads,
                  bool* valid = nullptr) {
  using T = typename Dis::value_type;
  const index_t n = dis.size();
  const std::vector<double> size = cluster_sizes(labels, n, k);
  CancellationScope scope;
  Cancellation& cancel = scope.cancellation();
  bool all_ok = true;
#pragma omp parallel num_threads(n_threads) reduction(&& : all_ok)
  {
    std::vector<double> sums(static_cast<std::size_t>(k));
    std::vector<T> buffer(Dis::rows_are_computed ? static_cast<std::size_t>(n) : 0);
#pragma omp for schedule(dynamic, 16)
    for (index_t i = 0; i < n; ++i) {
      if (cancel.requested()) continue;
      all_ok = cluster_sums(dis.row(i, buffer.data()), i, n, labels, k, sums.data()) && all_ok;
      samples[i] = silhouette_from_sums(sums.data(), labels[i], k, size.data());
    }
  }
  scope.throw_if_requested();
  if (valid) *valid = all_ok;
  double total = 0.0;
  for (index_t i = 0; i < n; ++i) total += samples[i];
  return total / static_cast<double>(n);
}

// Medoid silhouette of every object into `samples` (n values, may be null); returns their mean (the AMS).
template <class Dis>
double medoid_silhouette(const Dis& dis, const std::vector<index_t>& medoids, double* samples) {
  using T = typename Dis::value_type;
  const index_t n = dis.size();
  std::vector<double> d1(static_cast<std::size_t>(n), kInf), d2(static_cast<std::size_t>(n), kInf);
  std::vector<T> buffer(Dis::rows_are_computed ? static_cast<std::size_t>(n) : 0);
  for (index_t m : medoids) {
    const T* row = dis.row(m, buffer.data());
    for (index_t j = 0; j < n; ++j) {
      const double d = static_cast<double>(row[j]);
      if (d < d1[j]) {
        d2[j] = d1[j];
        d1[j] = d;
      } else if (d < d2[j]) {
        d2[j] = d;
      }
    }
  }
  double total = 0.0;
  for (index_t j = 0; j < n; ++j) {
    const double s = 1.0 - msil_ratio(d1[j], d2[j]);
    if (samples) samples[j] = s;
    total += s;
  }
  return total / static_cast<double>(n);
}

}  // namespace numkern::cluster
