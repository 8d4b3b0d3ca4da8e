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
#include "numkern/interrupt.hpp"
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
// blocks of kInnerTile, four output rows at a time so each loaded Q value feeds four multiply-adds. Leaves the
// rows unfinished once `cancel` fires (asked per four rows of a tile).
template <class T>
void gemm_blocked_rows(const GemmArgs<T>& g, index_t r_begin, index_t r_end, Cancellation& cancel) {
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
        if (cancel.requested()) return;
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

// The whole product C = P Q on the calling thread.
template <class T>
void gemm_one_thread(const GemmArgs<T>& g, fortran_gemm_t<T> blas, Cancellation& cancel) {
  if (g.rows <= 0 || g.cols <= 0) return;
  if (blas) gemm_blas_rows(g, 0, g.rows, blas);
  else gemm_blocked_rows(g, 0, g.rows, cancel);
}

// C = P Q with `n_threads` OpenMP threads, each owning a contiguous panel of rows. With a BLAS pointer each
// thread makes one ?gemm call on its panel (BLAS itself should then run single-threaded); with n_threads == 1
// the whole product is one ?gemm call, whose internal threading BLAS controls (and which Ctrl-C cannot stop:
// a cancellation is seen before the next call).
template <class T>
void gemm(const GemmArgs<T>& g, int n_threads, fortran_gemm_t<T> blas) {
  if (g.rows <= 0 || g.cols <= 0) return;
  const int nt = static_cast<int>(std::max<index_t>(1, std::min<index_t>(resolve_num_threads(n_threads), g.rows / 4)));
  Cancellation& cancel = current_cancellation();
  if (nt <= 1) return gemm_one_thread(g, blas, cancel);
#if defined(_OPENMP)
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num();
    // Panels are multiples of 4 rows so the blocked kernel's register blocking is the same for any nt.
    const index_t quads = (g.rows + 3) / 4;
    const index_t q0 = quads * t / nt, q1 = quads * (t + 1) / nt;
    const index_t r0 = std::min(g.rows, 4 * q0), r1 = std::min(g.rows, 4 * q1);
    if (blas) gemm_blas_rows(g, r0, r1, blas);
    else gemm_blocked_rows(g, r0, r1, cancel);
  }
#else
  gemm_one_thread(g, blas, cancel);
#endif
}

// ------------------------------------------------------------------------------------------- the plan
// Everything below up to kron_matmat is shared by the CPU products and the CUDA launcher (cuda/kron.cu,
// driven by cpp/bindings/cuda/kron.cpp): the buffer sizes, the strided product of every rotation step and of
// apply_along, and the rotation driver itself. Only the engine that multiplies one StridedProduct differs.

// One (batched) strided matrix product, for every b < batch:
//   C_b[r * ldc + c] = Σ_k P_b[r * p_rs + k * p_cs] · Q_b[k * q_rs + c * q_cs],   X_b = X + b * x_batch,
// with every output entry summed over k in increasing order.
struct StridedProduct {
  index_t rows, cols, inner, batch;
  index_t p_rs, p_cs, p_batch;
  index_t q_rs, q_cs, q_batch;
  index_t ldc, c_batch;
  NK_HOST_DEVICE NK_INLINE index_t p_at(index_t b, index_t r, index_t k) const { return b * p_batch + r * p_rs + k * p_cs; }
  NK_HOST_DEVICE NK_INLINE index_t q_at(index_t b, index_t k, index_t c) const { return b * q_batch + k * q_rs + c * q_cs; }
  NK_HOST_DEVICE NK_INLINE index_t c_at(index_t b, index_t r, index_t c) const { return b * c_batch + r * ldc + c; }
};

// Entry (b, r, c) of a StridedProduct, the reference every engine agrees with up to rounding.
template <class T>
NK_HOST_DEVICE NK_INLINE T strided_entry(const StridedProduct& g, const T* p, const T* q, index_t b, index_t r,
                                         index_t c) {
  T acc = T(0);
  for (index_t k = 0; k < g.inner; ++k) acc += p[g.p_at(b, r, k)] * q[g.q_at(b, k, c)];
  return acc;
}

// Size (in elements) of the intermediate tensor after the first `step` of the d axes were multiplied.
NK_HOST_DEVICE inline index_t intermediate_size(const index_t* m, const index_t* n, std::size_t d, index_t batch,
                                                std::size_t step) {
  index_t s = batch;
  for (std::size_t j = 0; j < d; ++j) s *= (j < step ? m[j] : n[j]);
  return s;
}

// Step s (1-based) of the rotation writes the output array when d - s is even and the work buffer otherwise,
// so the last step lands in the output and the input is never modified; these are the capacities that makes
// necessary (the output may be smaller than an intermediate when factors are rectangular; with square factors
// both equal N·batch).
NK_HOST_DEVICE inline bool step_writes_output(std::size_t d, std::size_t s) { return (d - s) % 2 == 0; }

NK_HOST_DEVICE inline index_t output_capacity(const index_t* m, const index_t* n, std::size_t d, index_t batch) {
  index_t cap = 0;
  for (long s = static_cast<long>(d); s >= 1; s -= 2) {
    const index_t size = intermediate_size(m, n, d, batch, static_cast<std::size_t>(s));
    cap = cap > size ? cap : size;
  }
  return cap;
}

NK_HOST_DEVICE inline index_t work_capacity(const index_t* m, const index_t* n, std::size_t d, index_t batch) {
  index_t cap = 0;
  for (long s = static_cast<long>(d) - 1; s >= 1; s -= 2) {
    const index_t size = intermediate_size(m, n, d, batch, static_cast<std::size_t>(s));
    cap = cap > size ? cap : size;
  }
  return cap;
}

inline index_t output_capacity(const std::vector<index_t>& m, const std::vector<index_t>& n, index_t batch) {
  return output_capacity(m.data(), n.data(), m.size(), batch);
}
inline index_t work_capacity(const std::vector<index_t>& m, const std::vector<index_t>& n, index_t batch) {
  return work_capacity(m.data(), n.data(), m.size(), batch);
}

// Rotation step s (1-based): the source is the row-major (n_j, rest) matrix A (j = s - 1, rest = in_size /
// n_j, in_size = intermediate_size(step j)); the destination is the row-major (rest, m_j) matrix A^T M_j^T,
// i.e. P = A^T (P[r, k] = A[k, r]: strides (1, rest)) and Q = M_j^T read in place (Q[k, c] = M_j[c, k]).
NK_HOST_DEVICE inline StridedProduct rotation_step(const index_t* m, const index_t* n, std::size_t d, index_t batch,
                                                   std::size_t s) {
  const std::size_t j = s - 1;
  const index_t in_size = intermediate_size(m, n, d, batch, j);
  const index_t rest = in_size / (n[j] > 1 ? n[j] : 1);
  // (an empty inner dimension keeps P's column stride valid for BLAS)
  return StridedProduct{rest, m[j], n[j], 1, 1, n[j] == 0 ? 1 : rest, 0, 1, n[j], 0, m[j], 0};
}

// Y (a, m, b) = M (m × n) along the middle axis of X (a, n, b) as one batched product: P = M, Q_p = X_p.
NK_HOST_DEVICE inline StridedProduct apply_along_product(index_t m, index_t n, index_t a, index_t b) {
  return StridedProduct{m, b, n, a, n, 1, 0, b, 1, n * b, b, m * b};
}

// The rotation driver: y = (M_1 ⊗ ... ⊗ M_d) x by d calls engine(step, P, Q, C) of StridedProducts, where P is
// the current tensor (x, out or work), Q factor j and C the next tensor (out or work; see step_writes_output).
//   factors[j]: row-major m[j] × n[j], contiguous (host or device pointers: the driver never dereferences).
//   x: row-major tensor (n_1, ..., n_d, batch) (the (N, batch) matrix a LinearOperator's matmat receives).
//   out: capacity output_capacity(...); on return its first M·batch entries hold the row-major (batch, M) result.
//   work: capacity work_capacity(...).
// Host only (the engine may launch device work); stops early when cancel.requested().
template <class T, class Engine>
void rotate_axes(const T* const* factors, const index_t* m, const index_t* n, std::size_t d, const T* x,
                 index_t batch, T* out, T* work, Engine&& engine) {
  Cancellation& cancel = current_cancellation();
  const T* src = x;
  for (std::size_t s = 1; s <= d; ++s) {
    if (cancel.requested()) return;
    T* dst = step_writes_output(d, s) ? out : work;
    engine(rotation_step(m, n, d, batch, s), src, factors[s - 1], dst);
    src = dst;
  }
}

// A rotation step or apply_along product as GemmArgs for the CPU engines: BLAS reads Q = M^T in place
// (q_trans); the blocked kernel reads a transposed copy `mt` so its rows are contiguous (factors are small).
template <class T>
GemmArgs<T> gemm_args(const StridedProduct& sp, const T* p, const T* mat, T* c, bool use_blas, std::vector<T>& mt) {
  GemmArgs<T> g{sp.rows, sp.cols, sp.inner, p, sp.p_rs, sp.p_cs, mat, sp.q_cs, c, sp.ldc, true};
  if (!use_blas) {
    const index_t rows_m = sp.cols, cols_m = sp.inner;  // mat is rows_m × cols_m
    mt.resize(static_cast<std::size_t>(rows_m * cols_m));
    for (index_t a = 0; a < rows_m; ++a)
      for (index_t b = 0; b < cols_m; ++b) mt[static_cast<std::size_t>(b * rows_m + a)] = mat[a * cols_m + b];
    g.q = mt.data();
    g.ldq = rows_m;
    g.q_trans = false;
  }
  return g;
}

// The reference engine: plain loops over strided_entry, i.e. what the CUDA kernel computes, on the CPU (the
// tests run the GPU's plan with it).
template <class T>
void strided_product_reference(const StridedProduct& g, const T* p, const T* q, T* c) {
  Cancellation& cancel = current_cancellation();
  for (index_t b = 0; b < g.batch; ++b)
    for (index_t r = 0; r < g.rows && !cancel.requested(); ++r)
      for (index_t col = 0; col < g.cols; ++col) c[g.c_at(b, r, col)] = strided_entry(g, p, q, b, r, col);
}

// How the CPU multiplies one product: a BLAS ?gemm, numkern's cache-blocked kernel, or the reference engine.
enum class Engine : int { blas = 0, blocked = 1, reference = 2 };

// y = (M_1 ⊗ ... ⊗ M_d) x for `batch` right-hand sides on the CPU (see rotate_axes for the layout); `blas` is
// used only by Engine::blas. Entry point: throws numkern::Interrupted when the host asked to stop.
template <class T>
void kron_matmat(const std::vector<const T*>& factors, const std::vector<index_t>& m, const std::vector<index_t>& n,
                 const T* x, index_t batch, T* out, T* work, int n_threads, Engine engine, fortran_gemm_t<T> blas) {
  CancellationScope scope;
  std::vector<T> mt;
  if (engine != Engine::blas) blas = nullptr;
  rotate_axes<T>(factors.data(), m.data(), n.data(), factors.size(), x, batch, out, work,
                 [&](const StridedProduct& sp, const T* p, const T* mat, T* c) {
                   if (engine == Engine::reference) strided_product_reference(sp, p, mat, c);
                   else gemm(gemm_args(sp, p, mat, c, blas != nullptr, mt), n_threads, blas);
                 });
  scope.throw_if_requested();
}

// Y (a, m, b) = M (m × n) applied along the middle axis of X (a, n, b); all row-major contiguous.
// b == 1: one product Y = X M^T over all a rows; otherwise a products Y_p = M X_p, parallel over p when a is
// large and over rows of each product otherwise. Engine::reference: the GPU's one batched apply_along_product.
// Entry point (throws numkern::Interrupted on a stop request).
template <class T>
void apply_along(const T* mat, index_t m, index_t n, const T* x, index_t a, index_t b, T* y, int n_threads,
                 Engine engine, fortran_gemm_t<T> blas) {
  if (a == 0 || m == 0 || b == 0) return;
  CancellationScope scope;
  Cancellation& cancel = scope.cancellation();
  if (engine != Engine::blas) blas = nullptr;
  if (engine == Engine::reference) {
    strided_product_reference(apply_along_product(m, n, a, b), mat, x, y);
    scope.throw_if_requested();
    return;
  }
  if (b == 1) {  // one product Y = X M^T over all a rows: P = X (a × n), Q = M^T
    std::vector<T> mt;
    const StridedProduct sp{a, m, n, 1, n, 1, 0, 1, n, 0, m, 0};
    gemm(gemm_args(sp, x, mat, y, blas != nullptr, mt), n_threads, blas);
    scope.throw_if_requested();
    return;
  }
  const int nt = resolve_num_threads(n_threads);
  if (a >= nt && nt > 1) {
#if defined(_OPENMP)
#pragma omp parallel for num_threads(nt) schedule(static)
#endif
    for (index_t p = 0; p < a; ++p) {
      if (cancel.requested()) continue;
      GemmArgs<T> g{m, b, n, mat, n, 1, x + p * n * b, b, y + p * m * b, b};
      gemm_one_thread(g, blas, cancel);
    }
  } else {
    for (index_t p = 0; p < a && !cancel.requested(); ++p) {
      GemmArgs<T> g{m, b, n, mat, n, 1, x + p * n * b, b, y + p * m * b, b};
      gemm(g, n_threads, blas);
    }
  }
  scope.throw_if_requested();
}

}  // namespace kron
}  // namespace numkern
