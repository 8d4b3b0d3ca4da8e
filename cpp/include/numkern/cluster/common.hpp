// numkern/cluster/common.hpp: shared pieces of the k-medoids algorithms (host only).
//
// Conventions used by every algorithm in this folder (Schubert & Rousseeuw, "Fast and eager k-medoids
// clustering", Information Systems 101 (2021), arXiv:2008.05171):
//   * n objects, k medoid slots; medoids[s] is the object in slot s (slot order is the output order).
//   * A dissimilarity provider `dis` gives d(j, m) as dis(m, j): the ROW is the medoid (or candidate medoid),
//     the column is the object. For a symmetric matrix this is the usual d(j, m); for an asymmetric matrix
//     it fixes the meaning (object j is charged D[m, j]). Rows are contiguous, so the O(n) candidate passes
//     stream one row.
//   * Total deviation TD = sum_j w_j d(j, nearest medoid of j) (w_j = 1 without sample weights).
//   * Sums are accumulated in double for both float and double input, in a fixed order that does not depend
//     on the number of threads; threads only split independent candidates.
//   * Ties: values within kTieRelTol * TD of the best count as tied (so that rounding in differently ordered
//     sums cannot decide between candidates that are equal in exact arithmetic, e.g. the two objects of an
//     isolated pair); among tied choices the lowest object index wins, then the lowest slot index.
//   * A swap is accepted only if dTD < -kSwapRelTol * TD (rounding in the removal-loss bookkeeping can
//     produce tiny negative dTD for swaps that do not change TD, e.g. between duplicates); nothing is
//     attempted once TD == 0.
//   * Overflow: every sum is bounded by 3 n max(w) max(d); the Python layer (numkern.cluster._kmedoids)
//     keeps that below DBL_MAX by exact power-of-two scaling of the weights or the points. Should sums still
//     become inf or NaN (direct C++ use), no choice derived from them yields index -1: every argmin falls
//     back to a valid lowest-index choice, and every algorithm returns k distinct valid medoids.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "numkern/config.hpp"
#include "numkern/interrupt.hpp"
#include "numkern/parallel.hpp"

namespace numkern::cluster {

using index_t = std::int64_t;

// Relative acceptance threshold for a swap (dTD < -kSwapRelTol * TD).
inline constexpr double kSwapRelTol = 1e-12;
inline constexpr double kInf = std::numeric_limits<double>::infinity();

inline double swap_threshold(double td) { return -kSwapRelTol * td; }

// Relative width of a tie (see above).
inline constexpr double kTieRelTol = 1e-12;
inline double tie_tolerance(double td) { return kTieRelTol * td; }

// ---------------------------------------------------------------------------------------------------- RNG
// splitmix64 (Steele, Lea & Flood 2014): tiny, portable and deterministic across platforms, which is what
// reproducible `random_state` needs (std::uniform_int_distribution is implementation defined).
struct SplitMix64 {
  std::uint64_t state;
  explicit SplitMix64(std::uint64_t seed) : state(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform integer in [0, bound) by rejection (no modulo bias).
  index_t below(index_t bound) {
    const std::uint64_t b = static_cast<std::uint64_t>(bound);
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % b;
    std::uint64_t x;
    do {
      x = next();
    } while (x >= limit);
    return static_cast<index_t>(x % b);
  }
};

// Draw `count` distinct values of [0, n) into the front of `perm` (a permutation of 0..n-1 that stays a
// permutation): a partial Fisher-Yates shuffle, O(count) per call after the O(n) set-up.
inline void partial_shuffle(std::vector<index_t>& perm, index_t count, SplitMix64& rng) {
  const index_t n = static_cast<index_t>(perm.size());
  for (index_t i = 0; i < count && i < n; ++i) {
    index_t j = i + rng.below(n - i);
    std::swap(perm[i], perm[j]);
  }
}

inline std::vector<index_t> identity_permutation(index_t n) {
  std::vector<index_t> p(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) p[i] = i;
  return p;
}

// ------------------------------------------------------------------------------------ dissimilarities
// Precomputed dense matrix, C-contiguous, n x n. row(i) is d(., i) for every object.
template <class T>
struct MatrixDissimilarity {
  using value_type = T;
  const T* data;
  index_t n;
  static constexpr bool rows_are_computed = false;
  index_t size() const { return n; }
  double operator()(index_t medoid, index_t object) const { return static_cast<double>(data[medoid * n + object]); }
  // Pointer to the n dissimilarities of row i; `buffer` (n values) is unused for a stored matrix.
  const T* row(index_t i, T* /*buffer*/) const { return data + i * n; }
};

// Codes shared with numkern.cluster._validation.METRICS. The last five follow scipy.spatial.distance:
// chebyshev max |x-y|; minkowski (sum |x-y|^p)^(1/p) (p > 0, evaluated as M (sum (|x-y|/M)^p)^(1/p) with
// M = max |x-y|, so it never overflows where the distance itself is finite); hamming = fraction of unequal
// coordinates; jaccard on the booleans x != 0 = (coordinates where exactly one is non-zero) / (coordinates
// where either is), 0 when both rows are zero;
// canberra = sum |x-y| / (|x| + |y|) with 0/0 terms counted as 0.
enum class Metric : int {
  euclidean = 0, sqeuclidean = 1, manhattan = 2, cosine = 3,
  chebyshev = 4, minkowski = 5, hamming = 6, jaccard = 7, canberra = 8,
};

// Dissimilarities computed on the fly from points X (n x dim, C-contiguous) in double precision:
// euclidean sqrt(sum (x-y)^2) (direct differences, no |x|^2 + |y|^2 - 2xy cancellation; scaled by the largest
// difference where the squares over- or underflow), squared euclidean,
// manhattan sum |x-y|, cosine 1 - x.y / (|x| |y|) clipped to [0, 2], with d(i, i) = 0 and a zero vector at
// distance 1 from everything else (scikit-learn's convention). Cosine is scale invariant for every finite
// row: a row whose plain sum of squares overflows or falls below kCosinePlainMin (|x| > ~1e154 or
// |x| < ~1e-145) is compared through its copy scaled by a power of two to max |x_t| in [1, 2) (exact), so
// only pairs involving such rows leave the plain formula (ordinary rows give bitwise the same values).
template <class T>
struct PointsDissimilarity {
  using value_type = T;
  const T* X;
  index_t n;
  index_t dim;
  Metric metric;
  double p = 2.0;  // minkowski's exponent
  // Cosine only: the plain norm of every row, and of the row scaled by 2^-e (e = exponent of max |x_t|) for
  // the pairs that need it; rescaled[i]: the plain sum of squares of row i over- or underflowed.
  std::vector<double> norms, scaled_norms;
  std::vector<int> exponents;
  std::vector<char> rescaled;
  static constexpr bool rows_are_computed = true;
  static constexpr double kCosinePlainMin = 0x1p-960;  // sum of squares below this: squares lost precision

  PointsDissimilarity(const T* X_, index_t n_, index_t dim_, Metric metric_, double p_ = 2.0)
      : X(X_), n(n_), dim(dim_), metric(metric_), p(p_) {
    if (metric != Metric::cosine) return;
    norms.assign(static_cast<std::size_t>(n), 0.0);
    scaled_norms.assign(static_cast<std::size_t>(n), 0.0);
    exponents.assign(static_cast<std::size_t>(n), 0);
    rescaled.assign(static_cast<std::size_t>(n), 0);
    for (index_t i = 0; i < n; ++i) {
      double s = 0.0, big = 0.0;
      const T* x = X + i * dim;
      for (index_t t = 0; t < dim; ++t) {
        s += static_cast<double>(x[t]) * static_cast<double>(x[t]);
        big = std::max(big, std::fabs(static_cast<double>(x[t])));
      }
      if (big == 0.0) continue;  // zero vector: norm 0
      norms[i] = std::sqrt(s);
      exponents[i] = std::ilogb(big);
      rescaled[i] = !(s >= kCosinePlainMin && s <= std::numeric_limits<double>::max());
      if (rescaled[i]) {
        double q = 0.0;
        for (index_t t = 0; t < dim; ++t) {
          const double v = std::ldexp(static_cast<double>(x[t]), -exponents[i]);
          q += v * v;
        }
        scaled_norms[i] = std::sqrt(q);
        norms[i] = 1.0;  // only marks "not a zero vector"; the scaled path never reads it
      } else {
        scaled_norms[i] = std::ldexp(norms[i], -exponents[i]);  // exact: a power-of-two scaling of a normal value
      }
    }
  }

  // Euclidean distance without overflow or underflow of the squares: m sqrt(sum ((x_t - y_t) / m)^2) with
  // m = max |x_t - y_t| (inf only when a difference itself exceeds DBL_MAX).
  double euclidean_scaled(const T* x, const T* y) const {
    double m = 0.0;
    for (index_t t = 0; t < dim; ++t) m = std::max(m, std::fabs(static_cast<double>(x[t]) - static_cast<double>(y[t])));
    if (m == 0.0 || !(m <= std::numeric_limits<double>::max())) return m;
    double q = 0.0;
    for (index_t t = 0; t < dim; ++t) {
      const double r = (static_cast<double>(x[t]) - static_cast<double>(y[t])) / m;
      q += r * r;
    }
    return m * std::sqrt(q);
  }

  // x.y / (|x| |y|) of two non-zero rows, at least one of them rescaled: both rows scaled to max |x_t| in [1, 2).
  double cosine_scaled(index_t a, index_t b) const {
    const T* x = X + a * dim;
    const T* y = X + b * dim;
    const int ea = exponents[a], eb = exponents[b];
    double s = 0.0;
    for (index_t t = 0; t < dim; ++t)
      s += std::ldexp(static_cast<double>(x[t]), -ea) * std::ldexp(static_cast<double>(y[t]), -eb);
    return s / (scaled_norms[a] * scaled_norms[b]);
  }
  index_t size() const { return n; }

  double operator()(index_t a, index_t b) const {
    const T* x = X + a * dim;
    const T* y = X + b * dim;
    switch (metric) {
      case Metric::euclidean:
      case Metric::sqeuclidean: {
        double s = 0.0;
        for (index_t t = 0; t < dim; ++t) {
          const double diff = static_cast<double>(x[t]) - static_cast<double>(y[t]);
          s += diff * diff;
        }
        if (metric == Metric::sqeuclidean) return s;
        // Squares beyond DBL_MAX or in the subnormal range: the euclidean distance itself may still be an
        // ordinary number, so recompute it scaled by the largest |difference| (hypot style). Other pairs
        // (s in [2^-960, DBL_MAX]) keep the plain formula.
        if (s > std::numeric_limits<double>::max() || s < 0x1p-960) return euclidean_scaled(x, y);
        return std::sqrt(s);
      }
      case Metric::manhattan: {
        double s = 0.0;
        for (index_t t = 0; t < dim; ++t) s += std::fabs(static_cast<double>(x[t]) - static_cast<double>(y[t]));
        return s;
      }
      case Metric::cosine: {
        if (a == b) return 0.0;
        const double na = norms[a], nb = norms[b];
        if (na == 0.0 || nb == 0.0) return 1.0;
        if (rescaled[a] || rescaled[b]) return std::min(2.0, std::max(0.0, 1.0 - cosine_scaled(a, b)));
        double s = 0.0;
        for (index_t t = 0; t < dim; ++t) s += static_cast<double>(x[t]) * static_cast<double>(y[t]);
        return std::min(2.0, std::max(0.0, 1.0 - s / (na * nb)));
      }
      default: return other_metric(x, y);
    }
    return 0.0;
  }

  // chebyshev, minkowski, hamming, jaccard, canberra (see Metric).
  double other_metric(const T* x, const T* y) const {
    double s = 0.0, m = 0.0;
    index_t count = 0;
    for (index_t t = 0; t < dim; ++t) {
      const double u = static_cast<double>(x[t]), v = static_cast<double>(y[t]);
      switch (metric) {
        case Metric::chebyshev:
        case Metric::minkowski: m = std::max(m, std::fabs(u - v)); break;
        case Metric::hamming: s += u != v; break;
        case Metric::jaccard: {
          const bool a = u != 0.0, b = v != 0.0;
          if (a || b) {
            ++count;
            s += a != b;
          }
          break;
        }
        default: {  // canberra
          const double den = std::fabs(u) + std::fabs(v);
          if (den > 0.0) s += std::fabs(u - v) / den;
        }
      }
    }
    switch (metric) {
      case Metric::chebyshev: return m;
      case Metric::minkowski: {
        if (m == 0.0 || !(m <= std::numeric_limits<double>::max())) return m;
        for (index_t t = 0; t < dim; ++t)
          s += std::pow(std::fabs(static_cast<double>(x[t]) - static_cast<double>(y[t])) / m, p);
        return m * std::pow(s, 1.0 / p);
      }
      case Metric::hamming: return s / static_cast<double>(dim);
      case Metric::jaccard: return count > 0 ? s / static_cast<double>(count) : 0.0;
      default: return s;
    }
  }
  const T* row(index_t i, T* buffer) const {
    for (index_t j = 0; j < n; ++j) buffer[j] = static_cast<T>((*this)(i, j));
    return buffer;
  }
};

// Row i of a provider with the work split across threads (for use outside parallel regions): a stored
// matrix returns its row, computed rows fill `buffer` in parallel.
template <class Dis>
const typename Dis::value_type* row_parallel(const Dis& dis, index_t i, typename Dis::value_type* buffer, int n_threads) {
  using T = typename Dis::value_type;
  if constexpr (!Dis::rows_are_computed) {
    return dis.row(i, buffer);
  } else {
    const index_t n = dis.size();
#pragma omp parallel for schedule(static) num_threads(n_threads) if (n > 2048)
    for (index_t j = 0; j < n; ++j) buffer[j] = static_cast<T>(dis(i, j));
    return buffer;
  }
}

// Stream the row d(., medoids[s]) of every slot s, in slot order, through f(s, row) (rows of points are
// computed across threads). Used to fill the nearest-medoid caches.
template <class Dis, class F>
void for_each_medoid_row(const Dis& dis, const std::vector<index_t>& medoids, int n_threads, F&& f) {
  using T = typename Dis::value_type;
  std::vector<T> buffer(Dis::rows_are_computed ? static_cast<std::size_t>(dis.size()) : 0);
  for (std::size_t s = 0; s < medoids.size(); ++s)
    f(static_cast<index_t>(s), row_parallel(dis, medoids[s], buffer.data(), n_threads));
}

// Materialise the full matrix of a provider (row i = d(., i)), rows split across threads.
// Entry point: throws Interrupted on Ctrl-C (out is then unspecified).
template <class Dis, class T>
void materialise(const Dis& dis, T* out, int n_threads) {
  const index_t n = dis.size();
  CancellationScope scope;
  Cancellation& cancel = scope.cancellation();
#pragma omp parallel for schedule(dynamic, 16) num_threads(n_threads)
  for (index_t i = 0; i < n; ++i) {
    if (cancel.requested()) continue;
    for (index_t j = 0; j < n; ++j) out[i * n + j] = static_cast<T>(dis(i, j));
  }
  scope.throw_if_requested();
}

// out[i, j] = d(A_i, B_j) for the rows of A (na x dim) and of B (nb x dim), row-major na x nb, rows split
// across threads. Entry point: throws Interrupted on Ctrl-C.
template <class T>
void cross_dissimilarities(const T* A, index_t na, const T* B, index_t nb, index_t dim, Metric metric, T* out,
                           int n_threads, double p = 2.0) {
  // Stack A and B behind one provider so cosine norms and metric code are shared: rows 0..na-1 are A.
  std::vector<T> stacked(static_cast<std::size_t>((na + nb) * dim));
  std::copy(A, A + na * dim, stacked.begin());
  std::copy(B, B + nb * dim, stacked.begin() + na * dim);
  PointsDissimilarity<T> dis(stacked.data(), na + nb, dim, metric, p);
  CancellationScope scope;
  Cancellation& cancel = scope.cancellation();
#pragma omp parallel for schedule(dynamic, 16) num_threads(n_threads)
  for (index_t i = 0; i < na; ++i) {
    if (cancel.requested()) continue;
    for (index_t j = 0; j < nb; ++j) out[i * nb + j] = static_cast<T>(dis(i, na + j));
  }
  scope.throw_if_requested();
}

// Checks of a precomputed matrix: every entry finite and >= 0. Returns -1 when fine, else the flat index
// of the first offending entry (lowest index, independent of the thread count). `largest` (optional) receives
// the largest entry, found in the same pass (meaningful only when the matrix is fine).
template <class T>
index_t first_invalid_entry(const T* data, index_t count, int n_threads, double* largest = nullptr) {
  index_t first = count;
  T top = T(0);
  const index_t block = 1 << 16;
  const index_t nblocks = (count + block - 1) / block;
#pragma omp parallel for schedule(static) num_threads(n_threads) reduction(min : first) reduction(max : top)
  for (index_t b = 0; b < nblocks; ++b) {
    const index_t lo = b * block, hi = std::min(count, lo + block);
    bool bad = false;
    T block_top = T(0);
    for (index_t i = lo; i < hi; ++i) {
      bad |= !(data[i] >= T(0) && data[i] <= std::numeric_limits<T>::max());
      block_top = data[i] > block_top ? data[i] : block_top;
    }
    top = std::max(top, block_top);
    if (bad) {
      for (index_t i = lo; i < hi; ++i)
        if (!(data[i] >= T(0) && data[i] <= std::numeric_limits<T>::max())) {
          first = std::min(first, i);
          break;
        }
    }
  }
  if (largest) *largest = static_cast<double>(top);
  return first == count ? -1 : first;
}

// Weight accessor: w == nullptr means unit weights, resolved at compile time in the hot loops.
template <bool Weighted>
NK_INLINE double weight_of(const double* w, index_t j) {
  if constexpr (Weighted) return w[j];
  else return 1.0;
}

// --------------------------------------------------------------------------------------------- result
struct Result {
  std::vector<index_t> medoids;  // slot order
  std::vector<index_t> labels;   // slot of the nearest medoid (lowest slot on ties)
  double loss = 0.0;
  index_t n_iter = 0;
  index_t n_swap = 0;
  std::vector<double> losses;    // DynMSC: the average medoid silhouette reached at k = min_k, ..., k_max
};

// Assign every object to its nearest medoid (lowest slot on ties); returns TD. O(nk), rows of the medoids.
template <class Dis>
double assign_labels(const Dis& dis, const std::vector<index_t>& medoids, const double* w, std::vector<index_t>& labels,
                     int n_threads) {
  using T = typename Dis::value_type;
  const index_t n = dis.size();
  const index_t k = static_cast<index_t>(medoids.size());
  std::vector<double> best(static_cast<std::size_t>(n), kInf);
  labels.assign(static_cast<std::size_t>(n), 0);
  std::vector<T> buffer(Dis::rows_are_computed ? static_cast<std::size_t>(n) : 0);
  for (index_t s = 0; s < k; ++s) {
    const T* row = row_parallel(dis, medoids[s], buffer.data(), n_threads);
    for (index_t j = 0; j < n; ++j) {
      const double d = static_cast<double>(row[j]);
      if (d < best[j]) {
        best[j] = d;
        labels[j] = s;
      }
    }
  }
  double td = 0.0;
  for (index_t j = 0; j < n; ++j) td += (w ? w[j] : 1.0) * best[j];
  return td;
}

}  // namespace numkern::cluster
