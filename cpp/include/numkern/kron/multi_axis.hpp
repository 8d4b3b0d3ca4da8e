// numkern/kron/multi_axis.hpp: products of a Kronecker operator (M_1 ⊗ ... ⊗ M_d) with vectors, one GEMM per axis.
//
// Algorithm (the "shuffle" or rotation algorithm of Davio 1981 and Fackler 2019, "Algorithm 993: efficient
// computation with Kronecker products", ACM TOMS 45(2)): store x (length N = Π n_j, row-major over the grid,
// optionally with a trailing batch axis of length B) as the row-major matrix A of shape (n_1, R), R = N B / n_1.
// One GEMM C = A^T M_1^T gives the row-major (R, m_1) matrix, i.e. the tensor with axes (n_2, ..., n_d, B, m_1):
// axis 1 has been multiplied and rotated to the back. After d such steps the tensor has axes (B, m_1, ..., m_d),
// which is the transposed batch result (for B = 1 exactly y = (⊗ M_j) x). No transposes, no N×N array, and
// the intermediate tensors alternate between the output array and one work buffer (two when factors are
// rectangular and the output is smaller than an intermediate).
//
// The GEMMs are either the cache-blocked kernel below (OpenMP over row panels, results independent of the
// thread count because every output entry sums over k in the same order) or a caller-supplied BLAS ?gemm
// (Fortran interface, obtained from scipy.linalg.cython_blas by the bindings), called once per axis or once per
// thread panel.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "numkern/config.hpp"
#include "numkern/parallel.hpp"

namespace numkern {
namespace kron {

using index_t = std::int64_t;

// Fortran BLAS ?gemm: C := alpha op(A) op(B) + beta C, column-major, 32-bit integers (scipy's cython_blas ABI).
template <class T>
using fortran_gemm_t = void (*)(char*, char*, int*, int*, int*, T*, T*, int*, T*, int*, T*, T*, int*);

// Row-major general matrix product C (rows × cols, leading dimension ldc) = P (rows × inner) · Q (inner × cols).
// P is addressed with arbitrary strides (P[r, k] = p[r * p_rs + k * p_cs]) so transposed views need no copy;
// Q rows are contiguous (Q[k, c] = q[k * ldq + c]), which is what the vectorised inner loop streams over.
template <class T>
struct GemmArgs {
  index_t rows, cols, inner;
  const T* p;
  index_t p_rs, p_cs;
  const T* q;
  index_t ldq;
  T* c;
  index_t ldc;
  // BLAS path only: Q given transposed (Q[k, c] = q[c * ldq + k]), e.g. a factor M read as M^T without a copy.
  bool q_trans = false;
};

// Cache-blocked kernel for rows [r_begin, r_end): column tiles of kColTile (C tile in L1, Q tile in L2), inner
// blocks of kInnerTile, four output rows at a time so each loaded Q value feeds four multiply-adds.
template <class T>
void gemm_blocked_rows(const GemmArgs<T>& g, index_t r_begin, index_t r_end) {
  constexpr index_t kColTile = 256;
  constexpr index_t kInnerTile = 128;
  for (index_t r = r_begin; r < r_end; ++r) std::fill(g.c + r * g.ldc, g.c + r * g.ldc + g.cols, T(0));
  for (index_t c0 = 0; c0 < g.cols; c0 += kColTile) {
    const index_t c1 = std::min(g.cols, c0 + kColTile);
    const index_t width = c1 - c0;
    for (index_t k0 = 0; k0 < g.inner; k0 += kInnerTile) {
      const index_t k1 = std::min(g.inner, k0 + kInnerTile);
      index_t r = r_begin;
      for (; r + 4 <= r_end; r += 4) {
        T* c_0 = g.c + (r + 0) * g.ldc + c0;
        T* c_1 = g.c + (r + 1) * g.ldc + c0;
        T* c_2 = g.c + (r + 2) * g.ldc + c0;
        T* c_3 = g.c + (r + 3) * g.ldc + c0;
        for (index_t k = k0; k < k1; ++k) {
          const T a0 = g.p[(r + 0) * g.p_rs + k * g.p_cs];
          const T a1 = g.p[(r + 1) * g.p_rs + k * g.p_cs];
          const T a2 = g.p[(r + 2) * g.p_rs + k * g.p_cs];
          const T a3 = g.p[(r + 3) * g.p_rs + k * g.p_cs];
          const T* qk = g.q + k * g.ldq + c0;
#pragma omp simd
          for (index_t j = 0; j < width; ++j) {
            const T qv = qk[j];
            c_0[j] += a0 * qv;
            c_1[j] += a1 * qv;
            c_2[j] += a2 * qv;
            c_3[j] += a3 * qv;
          }
        }
      }
      for (; r < r_end; ++r) {
        T* c_r = g.c + r * g.ldc + c0;
        for (index_t k = k0; k < k1; ++k) {
          const T a = g.p[r * g.p_rs + k * g.p_cs];
          const T* qk = g.q + k * g.ldq + c0;
#pragma omp simd
          for (index_t j = 0; j < width; ++j) c_r[j] += a * qk[j];
        }
      }
    }
  }
}

// The same product through Fortran BLAS for rows [r_begin, r_end). Row-major C = P Q is column-major
// C^T = Q^T P^T: Q (row-major, ld ldq) is the column-major Q^T as stored; P^T is P as stored when P's columns
// are contiguous (p_cs == 1), else P is column-major (p_rs == 1) and BLAS transposes it.
template <class T>
void gemm_blas_rows(const GemmArgs<T>& g, index_t r_begin, index_t r_end, fortran_gemm_t<T> gemm) {
  if (r_end <= r_begin) return;
  char trans_q = g.q_trans ? 'T' : 'N';
  // P's rows contiguous (row-major, usable as the column-major P^T when its row stride covers `inner`; a
  // single row has no stride constraint) or else P's columns contiguous (p_rs == 1: column-major P, transposed).
  const index_t rows = r_end - r_begin;
  const bool rows_contiguous = g.p_cs == 1 && (g.p_rs >= g.inner || rows <= 1);
  char trans_p = rows_contiguous ? 'N' : 'T';
  int m = static_cast<int>(g.cols), n = static_cast<int>(rows), k = static_cast<int>(g.inner);
  int ldq = static_cast<int>(std::max<index_t>({1, g.ldq, g.q_trans ? g.inner : g.cols}));
  int ldp = static_cast<int>(rows_contiguous ? std::max<index_t>({1, g.p_rs, g.inner})
                                             : std::max<index_t>({1, g.p_cs, rows}));
  int ldc = static_cast<int>(std::max<index_t>(1, g.ldc));
  T alpha = T(1), beta = T(0);
  if (k == 0) {
    for (index_t r = r_begin; r < r_end; ++r) std::fill(g.c + r * g.ldc, g.c + r * g.ldc + g.cols, T(0));
    return;
  }
  gemm(&trans_q, &trans_p, &m, &n, &k, &alpha, const_cast<T*>(g.q), &ldq,
       const_cast<T*>(g.p + r_begin * g.p_rs), &ldp, &beta, g.c + r_begin * g.ldc, &ldc);
}

// C = P Q with `n_threads` OpenMP threads, each owning a contiguous panel of rows. With a BLAS pointer each
// thread makes one ?gemm call on its panel (BLAS itself should then run single-threaded); with n_threads == 1
// the whole product is one ?gemm call, whose internal threading BLAS controls.
template <class T>
void gemm(const GemmArgs<T>& g, int n_threads, fortran_gemm_t<T> blas) {
  if (g.rows <= 0 || g.cols <= 0) return;
  const int nt = static_cast<int>(std::max<index_t>(1, std::min<index_t>(resolve_num_threads(n_threads), g.rows / 4)));
  if (nt <= 1) {
    if (blas) gemm_blas_rows(g, 0, g.rows, blas);
    else gemm_blocked_rows(g, 0, g.rows);
    return;
  }
#if defined(_OPENMP)
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num();
    // Panels are multiples of 4 rows so the blocked kernel's register blocking is the same for any nt.
    const index_t quads = (g.rows + 3) / 4;
    const index_t q0 = quads * t / nt, q1 = quads * (t + 1) / nt;
    const index_t r0 = std::min(g.rows, 4 * q0), r1 = std::min(g.rows, 4 * q1);
    if (blas) gemm_blas_rows(g, r0, r1, blas);
    else gemm_blocked_rows(g, r0, r1);
  }
#else
  if (blas) gemm_blas_rows(g, 0, g.rows, blas);
  else gemm_blocked_rows(g, 0, g.rows);
#endif
}

// Size (in elements) of the intermediate tensor after the first `step` axes were multiplied.
inline index_t intermediate_size(const std::vector<index_t>& m, const std::vector<index_t>& n, index_t batch,
                                 std::size_t step) {
  index_t s = batch;
  for (std::size_t j = 0; j < m.size(); ++j) s *= (j < step ? m[j] : n[j]);
  return s;
}

// Step s (1-based) of kron_matmat writes the output array when d - s is even and the work buffer otherwise;
// these are the capacities that makes necessary (the output may be smaller than an intermediate when factors
// are rectangular; with square factors both equal N·batch).
inline index_t output_capacity(const std::vector<index_t>& m, const std::vector<index_t>& n, index_t batch) {
  index_t cap = 0;
  for (long s = static_cast<long>(m.size()); s >= 1; s -= 2)
    cap = std::max(cap, intermediate_size(m, n, batch, static_cast<std::size_t>(s)));
  return cap;
}

inline index_t work_capacity(const std::vector<index_t>& m, const std::vector<index_t>& n, index_t batch) {
  index_t cap = 0;
  for (long s = static_cast<long>(m.size()) - 1; s >= 1; s -= 2)
    cap = std::max(cap, intermediate_size(m, n, batch, static_cast<std::size_t>(s)));
  return cap;
}

// y = (M_1 ⊗ ... ⊗ M_d) x for `batch` right-hand sides.
//   factors[j]: row-major m[j] × n[j], contiguous.
//   x: row-major tensor (n_1, ..., n_d, batch) (the (N, batch) matrix a LinearOperator's matmat receives).
//   out: capacity output_capacity(...); on return its first M·batch entries hold the row-major (batch, M) result.
//   work: capacity work_capacity(...).
// Step s (1-based) writes the output array when d - s is even, the work buffer otherwise, so the last step
// lands in `out` and the input is never modified. The step before the first one in `out` reads x directly.
template <class T>
void kron_matmat(const std::vector<const T*>& factors, const std::vector<index_t>& m, const std::vector<index_t>& n,
                 const T* x, index_t batch, T* out, T* work, int n_threads, fortran_gemm_t<T> blas) {
  const std::size_t d = factors.size();
  const T* src = x;
  for (std::size_t s = 1; s <= d; ++s) {
    const std::size_t j = s - 1;
    T* dst = ((d - s) % 2 == 0) ? out : work;
    const index_t in_size = intermediate_size(m, n, batch, j);
    const index_t rest = in_size / std::max<index_t>(1, n[j]);
    // src is the row-major (n_j, rest) matrix A; dst is the row-major (rest, m_j) matrix A^T M_j^T.
    // P = A^T (P[r, k] = A[k, r]: strides (1, rest)); Q = M_j^T: BLAS reads the factor transposed in place,
    // the blocked kernel reads a transposed copy so its rows are contiguous (factors are small: m_j n_j entries).
    std::vector<T> mt;
    GemmArgs<T> g{rest, m[j], n[j], src, 1, rest, factors[j], n[j], dst, m[j], true};
    if (!blas) {
      mt.resize(static_cast<std::size_t>(n[j] * m[j]));
      for (index_t a = 0; a < m[j]; ++a)
        for (index_t b = 0; b < n[j]; ++b) mt[static_cast<std::size_t>(b * m[j] + a)] = factors[j][a * n[j] + b];
      g.q = mt.data();
      g.ldq = m[j];
      g.q_trans = false;
    }
    if (n[j] == 0) g.p_cs = 1;  // empty inner dimension: keep strides valid for BLAS
    gemm(g, n_threads, blas);
    src = dst;
  }
}

// Y (a, m, b) = M (m × n) applied along the middle axis of X (a, n, b); all row-major contiguous.
// b == 1: one product Y = X M^T over all a rows; otherwise a products Y_p = M X_p, parallel over p when a is
// large and over rows of each product otherwise.
template <class T>
void apply_along(const T* mat, index_t m, index_t n, const T* x, index_t a, index_t b, T* y, int n_threads,
                 fortran_gemm_t<T> blas) {
  if (a == 0 || m == 0 || b == 0) return;
  if (b == 1) {
    GemmArgs<T> g{a, m, n, x, n, 1, mat, n, y, m, true};  // Q = M^T read in place by BLAS
    std::vector<T> mt;
    if (!blas) {
      mt.resize(static_cast<std::size_t>(n * m));
      for (index_t i = 0; i < m; ++i)
        for (index_t k = 0; k < n; ++k) mt[static_cast<std::size_t>(k * m + i)] = mat[i * n + k];
      g.q = mt.data();
      g.ldq = m;
      g.q_trans = false;
    }
    gemm(g, n_threads, blas);
    return;
  }
  const int nt = resolve_num_threads(n_threads);
  if (a >= nt && nt > 1) {
#if defined(_OPENMP)
#pragma omp parallel for num_threads(nt) schedule(static)
#endif
    for (index_t p = 0; p < a; ++p) {
      GemmArgs<T> g{m, b, n, mat, n, 1, x + p * n * b, b, y + p * m * b, b};
      gemm(g, 1, blas);
    }
    return;
  }
  for (index_t p = 0; p < a; ++p) {
    GemmArgs<T> g{m, b, n, mat, n, 1, x + p * n * b, b, y + p * m * b, b};
    gemm(g, n_threads, blas);
  }
}

}  // namespace kron
}  // namespace numkern
