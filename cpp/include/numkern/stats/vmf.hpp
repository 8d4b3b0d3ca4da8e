// numkern/stats/vmf.hpp: streaming passes over unit-vector data for the von Mises-Fisher distribution. Host only.
//
// The vMF log density, fit and EM only ever need, per row x_i of an n x d array, the dot product with a
// direction mu and the squared norm (to check that the row lies on the sphere), and, over all rows, the
// (weighted) resultant sum_i w_i x_i and the spread sum_i w_i ||x_i - m||^2. numpy needs one memory pass per
// quantity (plus float32 -> float64 copies); these kernels fuse them into one pass, accumulate in double for
// float and double input, and run rows in parallel with OpenMP.
//
// Determinism: results do not depend on the thread count. Per-row quantities are computed by one thread each;
// the column sums use a fixed partition of the rows into blocks that depends only on (n, d), and the per-block
// partial sums are added in block order. No -ffast-math: `omp simd` reductions are fixed at compile time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "numkern/parallel.hpp"

namespace numkern {
namespace stats {

// Below this many elements a pass runs on one thread: waking a team costs more than it saves (and much more on
// an oversubscribed machine).
constexpr std::int64_t kParallelMinElements = std::int64_t(1) << 20;

// One pass per row of x, rows in parallel: term_out[i] = sum_j term(x[i, j], j) (skipped when term_out ==
// nullptr) and sqnorm[i] = sum_j x[i, j]^2 (skipped when sqnorm == nullptr), in double. Each output is summed by
// the same `omp simd` reduction whether or not the other one is computed beside it.
template <class T, class Term>
void row_pass(const T* x, std::int64_t n, std::int64_t d, Term term, double* term_out, double* sqnorm,
              int n_threads) {
  const int nt = resolve_num_threads(n_threads);
#if defined(_OPENMP)
#pragma omp parallel for schedule(static) num_threads(nt) if (n * d > kParallelMinElements)
#endif
  for (std::int64_t i = 0; i < n; ++i) {
    const T* row = x + i * d;
    double s = 0.0, q = 0.0;
    if (term_out != nullptr && sqnorm != nullptr) {
#if defined(_OPENMP)
#pragma omp simd reduction(+ : s, q)
#endif
      for (std::int64_t j = 0; j < d; ++j) {
        const double v = static_cast<double>(row[j]);
        s += term(v, j);
        q += v * v;
      }
    } else if (term_out != nullptr) {
#if defined(_OPENMP)
#pragma omp simd reduction(+ : s)
#endif
      for (std::int64_t j = 0; j < d; ++j) s += term(static_cast<double>(row[j]), j);
    } else {
#if defined(_OPENMP)
#pragma omp simd reduction(+ : q)
#endif
      for (std::int64_t j = 0; j < d; ++j) {
        const double v = static_cast<double>(row[j]);
        q += v * v;
      }
    }
    if (term_out != nullptr) term_out[i] = s;
    if (sqnorm != nullptr) sqnorm[i] = q;
  }
}

// dot[i] = sum_j x[i, j] mu[j] (skipped when dot == nullptr) and sqnorm[i] = sum_j x[i, j]^2, in double.
template <class T>
void row_dot_sqnorm(const T* x, std::int64_t n, std::int64_t d, const double* mu, double* dot, double* sqnorm,
                    int n_threads) {
  row_pass(x, n, d, [mu](double v, std::int64_t j) { return v * mu[j]; }, dot, sqnorm, n_threads);
}

// Number of row blocks for the column sums: about 512 rows each, at most 256 blocks and at most ~32 MB of
// partial sums. Depends only on (n, d), never on the thread count.
inline std::int64_t column_sum_blocks(std::int64_t n, std::int64_t d) {
  const std::int64_t by_rows = (n + 511) / 512;
  const std::int64_t by_memory = std::max<std::int64_t>(1, (std::int64_t(1) << 22) / std::max<std::int64_t>(1, d));
  return std::max<std::int64_t>(1, std::min<std::int64_t>({by_rows, std::int64_t(256), by_memory}));
}

// out[j] = sum_i w[i] x[i, j] (w == nullptr: all ones) and sqnorm[i] = ||x_i||^2, in one pass over x.
template <class T>
void weighted_column_sum(const T* x, std::int64_t n, std::int64_t d, const double* w, double* out, double* sqnorm,
                         int n_threads) {
  const int nt = resolve_num_threads(n_threads);
  const std::int64_t nb = column_sum_blocks(n, d);
  const std::int64_t rows_per_block = (n + nb - 1) / nb;
  std::vector<double> partial(static_cast<std::size_t>(nb * d), 0.0);
#if defined(_OPENMP)
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (nb > 1 && n * d > kParallelMinElements)
#endif
  for (std::int64_t b = 0; b < nb; ++b) {
    double* acc = partial.data() + b * d;
    const std::int64_t stop = std::min(n, (b + 1) * rows_per_block);
    for (std::int64_t i = b * rows_per_block; i < stop; ++i) {
      const T* row = x + i * d;
      const double wi = (w != nullptr) ? w[i] : 1.0;
      double q = 0.0;
#if defined(_OPENMP)
#pragma omp simd reduction(+ : q)
#endif
      for (std::int64_t j = 0; j < d; ++j) {
        const double v = static_cast<double>(row[j]);
        acc[j] += wi * v;
        q += v * v;
      }
      sqnorm[i] = q;
    }
  }
#if defined(_OPENMP)
#pragma omp parallel for schedule(static) num_threads(nt) if (d * nb > kParallelMinElements)
#endif
  for (std::int64_t j = 0; j < d; ++j) {
    double s = 0.0;
    for (std::int64_t b = 0; b < nb; ++b) s += partial[static_cast<std::size_t>(b * d + j)];
    out[j] = s;
  }
}

// sqdist[i] = ||x_i - c||^2 and, unless sqnorm == nullptr, sqnorm[i] = ||x_i||^2, in double, rows in parallel.
// For unit x_i and c, c^T x_i - 1 = -(sqdist[i] - (sqnorm[i] - 1)) / 2 without the cancellation of c^T x_i - 1
// near c (the vMF log density at large kappa needs it).
template <class T>
void row_sq_distance(const T* x, std::int64_t n, std::int64_t d, const double* c, double* sqdist, double* sqnorm,
                     int n_threads) {
  row_pass(
      x, n, d,
      [c](double v, std::int64_t j) {
        const double e = v - c[j];
        return e * e;
      },
      sqdist, sqnorm, n_threads);
}

// sum_i w[i] ||x_i - c||^2 (w == nullptr: all ones). For unit rows this is n (1 - ||m||^2) when c is the mean m,
// without the cancellation of 1 - ||m||^2 as ||m|| -> 1. Per-row terms in parallel, summed in row order.
template <class T>
double weighted_sq_deviation(const T* x, std::int64_t n, std::int64_t d, const double* c, const double* w,
                             int n_threads) {
  std::vector<double> per_row(static_cast<std::size_t>(n));
  row_sq_distance(x, n, d, c, per_row.data(), nullptr, n_threads);
  double total = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double q = per_row[static_cast<std::size_t>(i)];
    total += (w != nullptr) ? w[i] * q : q;
  }
  return total;
}

// In place x_i <- H x_i with the Householder reflection H = I - 2 v v^T / (v^T v), for every row: one pass over
// the rows (each row is read twice while it sits in cache). O(n d) time and no d x d matrix; rows in parallel.
template <class T>
void reflect_rows(T* x, std::int64_t n, std::int64_t d, const double* v, int n_threads) {
  const int nt = resolve_num_threads(n_threads);
  double vv = 0.0;
  for (std::int64_t j = 0; j < d; ++j) vv += v[j] * v[j];
  if (vv == 0.0) return;
  const double scale = 2.0 / vv;
#if defined(_OPENMP)
#pragma omp parallel for schedule(static) num_threads(nt) if (n * d > kParallelMinElements)
#endif
  for (std::int64_t i = 0; i < n; ++i) {
    T* row = x + i * d;
    double s = 0.0;
#if defined(_OPENMP)
#pragma omp simd reduction(+ : s)
#endif
    for (std::int64_t j = 0; j < d; ++j) s += static_cast<double>(row[j]) * v[j];
    const double c = scale * s;
#if defined(_OPENMP)
#pragma omp simd
#endif
    for (std::int64_t j = 0; j < d; ++j) row[j] = static_cast<T>(static_cast<double>(row[j]) - c * v[j]);
  }
}

}  // namespace stats
}  // namespace numkern
