// numkern/integrate/rules.hpp: fused one-pass kernels for fixed-node quadrature over a strided batch.
//
// Every sampled-data rule with fixed nodes (trapezoid, Simpson with Cartwright's even-N correction, Bayesian
// quadrature with precomputed weights) is a linear functional  I[b] = sum_n w[n] * y[b, n]  along one axis.
// Cumulative rules (cumulative trapezoid / Simpson) are prefix sums of per-interval 3-point stencils
//   S[b, j] = sum_{i<=j} (c0[i] y[b, s_i] + c1[i] y[b, s_i + 1] + c2[i] y[b, s_i + 2]).
// The weights/stencils depend on x only and are computed once by the caller; the kernels below read y exactly
// once, in whatever memory layout it has, accumulating in double (float32 input is widened, the result is
// rounded once).
//
// Layout: y is an N-d array described by element strides. The integration axis has length N and stride yn; the
// remaining "batch" dimensions are given by (shape, y stride, out stride). Two traversal orders:
//   * line mode: one batch element at a time, walking along the axis (best when the axis is the fastest one);
//   * column mode: a block of the fastest batch dimension is updated row by row (best when the axis is slow,
//     e.g. axis=0 of a C-ordered matrix), so memory is streamed in order.
// Threads: OpenMP over batch lines / column blocks. When the batch is too small to feed the threads the axis is
// cut into fixed-size chunks whose partial sums are combined in chunk order; the chunking depends on the sizes
// only, never on the thread count, so results are identical for any number of threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "numkern/config.hpp"
#include "numkern/parallel.hpp"

namespace numkern {
namespace integrate {

// Strided description of the batch (all dimensions except the integration axis), element strides.
struct BatchLayout {
  std::vector<std::int64_t> shape;     // batch shape
  std::vector<std::int64_t> y_stride;  // y strides of the batch dims
  std::vector<std::int64_t> o_stride;  // output strides of the batch dims
  std::int64_t n = 0;                  // length along the integration axis
  std::int64_t y_axis_stride = 0;      // y stride along the axis
  std::int64_t o_axis_stride = 0;      // output stride along the axis (cumulative rules only)

  std::int64_t batch_size() const {
    std::int64_t s = 1;
    for (auto v : shape) s *= v;
    return s;
  }
};

namespace detail {

// Offsets (y, out) of batch element `linear` (C order over `dims`).
inline void batch_offsets(const BatchLayout& L, const std::vector<int>& dims, std::int64_t linear,
                          std::int64_t& yoff, std::int64_t& ooff) {
  yoff = 0;
  ooff = 0;
  for (int k = static_cast<int>(dims.size()) - 1; k >= 0; --k) {
    const int d = dims[k];
    const std::int64_t idx = linear % L.shape[d];
    linear /= L.shape[d];
    yoff += idx * L.y_stride[d];
    ooff += idx * L.o_stride[d];
  }
}

// Column mode pays off when some batch dimension is faster in memory than the integration axis.
inline int pick_column_dim(const BatchLayout& L) {
  int best = -1;
  std::int64_t best_stride = std::llabs(L.y_axis_stride);
  for (int d = 0; d < static_cast<int>(L.shape.size()); ++d) {
    if (L.shape[d] < 2) continue;
    const std::int64_t s = std::llabs(L.y_stride[d]);
    if (s < best_stride) {
      best_stride = s;
      best = d;
    }
  }
  return best;
}

// sum_{n in [n0, n1)} w[n] y[n * stride], four independent accumulators (pipelining; fixed order).
template <class T>
inline double dot_line(const T* y, std::int64_t stride, const double* w, std::int64_t n0, std::int64_t n1) {
  double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
  std::int64_t n = n0;
  if (stride == 1) {
    for (; n + 4 <= n1; n += 4) {
      a0 += w[n] * static_cast<double>(y[n]);
      a1 += w[n + 1] * static_cast<double>(y[n + 1]);
      a2 += w[n + 2] * static_cast<double>(y[n + 2]);
      a3 += w[n + 3] * static_cast<double>(y[n + 3]);
    }
  } else {
    for (; n + 4 <= n1; n += 4) {
      a0 += w[n] * static_cast<double>(y[n * stride]);
      a1 += w[n + 1] * static_cast<double>(y[(n + 1) * stride]);
      a2 += w[n + 2] * static_cast<double>(y[(n + 2) * stride]);
      a3 += w[n + 3] * static_cast<double>(y[(n + 3) * stride]);
    }
  }
  for (; n < n1; ++n) a0 += w[n] * static_cast<double>(y[n * stride]);
  return (a0 + a1) + (a2 + a3);
}

constexpr std::int64_t kColumnBlock = 256;   // batch elements updated together in column mode
constexpr std::int64_t kAxisChunk = 4096;    // axis chunk when the batch alone cannot feed the threads
constexpr std::int64_t kMinParallelWork = 1 << 15;  // below this many multiply-adds stay single-threaded

}  // namespace detail

// out[b] = sum_n w[n] * y[b, n] for every batch element b.
template <class Tin, class Tout>
void weighted_reduce(const Tin* y, const double* w, Tout* out, const BatchLayout& L, int n_threads) {
  const std::int64_t N = L.n;
  const std::int64_t B = L.batch_size();
  if (B == 0) return;
  const int threads = resolve_num_threads(n_threads);
  const bool parallel = threads > 1 && N * B >= detail::kMinParallelWork;
  const int col = detail::pick_column_dim(L);
  (void)parallel;

  if (col < 0) {
    // Line mode: each batch element reduces a (possibly strided) line.
    std::vector<int> dims(L.shape.size());
    for (int d = 0; d < static_cast<int>(dims.size()); ++d) dims[d] = d;
    const bool chunk_axis = B < 64 && N >= 4 * detail::kAxisChunk;
    if (!chunk_axis) {
#pragma omp parallel for schedule(static) num_threads(threads) if (parallel)
      for (std::int64_t b = 0; b < B; ++b) {
        std::int64_t yo, oo;
        detail::batch_offsets(L, dims, b, yo, oo);
        out[oo] = static_cast<Tout>(detail::dot_line(y + yo, L.y_axis_stride, w, 0, N));
      }
      return;
    }
    const std::int64_t nchunk = (N + detail::kAxisChunk - 1) / detail::kAxisChunk;
    std::vector<double> partial(static_cast<size_t>(nchunk * B));
#pragma omp parallel for schedule(static) num_threads(threads) if (parallel)
    for (std::int64_t t = 0; t < nchunk * B; ++t) {
      const std::int64_t b = t / nchunk, c = t % nchunk;
      std::int64_t yo, oo;
      detail::batch_offsets(L, dims, b, yo, oo);
      const std::int64_t n0 = c * detail::kAxisChunk, n1 = std::min(N, n0 + detail::kAxisChunk);
      partial[t] = detail::dot_line(y + yo, L.y_axis_stride, w, n0, n1);
    }
    for (std::int64_t b = 0; b < B; ++b) {
      std::int64_t yo, oo;
      detail::batch_offsets(L, dims, b, yo, oo);
      double s = 0.0;
      for (std::int64_t c = 0; c < nchunk; ++c) s += partial[b * nchunk + c];
      out[oo] = static_cast<Tout>(s);
    }
    return;
  }

  // Column mode: blocks of the fastest batch dimension `col`, streamed row by row along the axis.
  std::vector<int> outer;
  for (int d = 0; d < static_cast<int>(L.shape.size()); ++d)
    if (d != col) outer.push_back(d);
  std::int64_t n_outer = 1;
  for (int d : outer) n_outer *= L.shape[d];
  const std::int64_t C = L.shape[col], cs = L.y_stride[col], os = L.o_stride[col];
  const std::int64_t nblk = (C + detail::kColumnBlock - 1) / detail::kColumnBlock;
  const std::int64_t items = n_outer * nblk;
  const bool chunk_axis = items < 64 && N >= 4 * detail::kAxisChunk;
  const std::int64_t nchunk = chunk_axis ? (N + detail::kAxisChunk - 1) / detail::kAxisChunk : 1;
  const std::int64_t chunk_len = chunk_axis ? detail::kAxisChunk : N;
  // partial[(item * nchunk + chunk) * kColumnBlock + i]
  std::vector<double> partial(chunk_axis ? static_cast<size_t>(items * nchunk * detail::kColumnBlock) : 0);

#pragma omp parallel for schedule(static) num_threads(threads) if (parallel)
  for (std::int64_t t = 0; t < items * nchunk; ++t) {
    const std::int64_t item = t / nchunk, c = t % nchunk;
    const std::int64_t o = item / nblk, blk = item % nblk;
    std::int64_t yo, oo;
    detail::batch_offsets(L, outer, o, yo, oo);
    const std::int64_t i0 = blk * detail::kColumnBlock, i1 = std::min(C, i0 + detail::kColumnBlock);
    const std::int64_t m = i1 - i0;
    double acc[detail::kColumnBlock];
    for (std::int64_t i = 0; i < m; ++i) acc[i] = 0.0;
    const std::int64_t n0 = c * chunk_len, n1 = std::min(N, n0 + chunk_len);
    const Tin* base = y + yo + i0 * cs;
    for (std::int64_t n = n0; n < n1; ++n) {
      const Tin* row = base + n * L.y_axis_stride;
      const double wn = w[n];
      if (cs == 1) {
        for (std::int64_t i = 0; i < m; ++i) acc[i] += wn * static_cast<double>(row[i]);
      } else {
        for (std::int64_t i = 0; i < m; ++i) acc[i] += wn * static_cast<double>(row[i * cs]);
      }
    }
    if (chunk_axis) {
      double* p = partial.data() + t * detail::kColumnBlock;
      for (std::int64_t i = 0; i < m; ++i) p[i] = acc[i];
    } else {
      Tout* ob = out + oo + i0 * os;
      for (std::int64_t i = 0; i < m; ++i) ob[i * os] = static_cast<Tout>(acc[i]);
    }
  }
  if (chunk_axis) {
    for (std::int64_t item = 0; item < items; ++item) {
      const std::int64_t o = item / nblk, blk = item % nblk;
      std::int64_t yo, oo;
      detail::batch_offsets(L, outer, o, yo, oo);
      const std::int64_t i0 = blk * detail::kColumnBlock, i1 = std::min(C, i0 + detail::kColumnBlock);
      for (std::int64_t i = 0; i < i1 - i0; ++i) {
        double s = 0.0;
        for (std::int64_t c = 0; c < nchunk; ++c) s += partial[(item * nchunk + c) * detail::kColumnBlock + i];
        out[oo + (i0 + i) * os] = static_cast<Tout>(s);
      }
    }
  }
}

// Cumulative 3-point-stencil sums.  Interval j (j = 0..N-2) contributes
//   v_j = c[3j] y[s_j] + c[3j+1] y[s_j+1] + c[3j+2] y[s_j+2]
// and out[b, j + shift] = (v_0 + ... + v_j) + initial  (sequential sum, the order of np.cumsum).
// With shift = 1, out[b, 0] = initial.  taps = 2 skips the third tap (trapezoid).
template <class Tin, class Tout>
void cumulative_stencil(const Tin* y, const double* c, const std::int64_t* start, int taps, Tout* out,
                        const BatchLayout& L, int shift, double initial, int n_threads) {
  const std::int64_t N = L.n;
  const std::int64_t B = L.batch_size();
  if (B == 0 || N < 1) return;
  const std::int64_t M = N - 1;  // number of intervals
  const int threads = resolve_num_threads(n_threads);
  const bool parallel = threads > 1 && N * B >= detail::kMinParallelWork;
  const std::int64_t yn = L.y_axis_stride, on = L.o_axis_stride;
  const int col = detail::pick_column_dim(L);

  auto interval = [&](const Tin* line, std::int64_t stride, std::int64_t j) -> double {
    const Tin* p = line + start[j] * stride;
    double v = c[3 * j] * static_cast<double>(p[0]) + c[3 * j + 1] * static_cast<double>(p[stride]);
    if (taps == 3) v += c[3 * j + 2] * static_cast<double>(p[2 * stride]);
    return v;
  };

  if (col < 0) {
    std::vector<int> dims(L.shape.size());
    for (int d = 0; d < static_cast<int>(dims.size()); ++d) dims[d] = d;
#pragma omp parallel for schedule(static) num_threads(threads) if (parallel)
    for (std::int64_t b = 0; b < B; ++b) {
      std::int64_t yo, oo;
      detail::batch_offsets(L, dims, b, yo, oo);
      Tout* o = out + oo;
      if (shift) o[0] = static_cast<Tout>(initial);
      double acc = 0.0;
      for (std::int64_t j = 0; j < M; ++j) {
        acc += interval(y + yo, yn, j);
        o[(j + shift) * on] = static_cast<Tout>(acc + initial);
      }
    }
    return;
  }

  std::vector<int> outer;
  for (int d = 0; d < static_cast<int>(L.shape.size()); ++d)
    if (d != col) outer.push_back(d);
  std::int64_t n_outer = 1;
  for (int d : outer) n_outer *= L.shape[d];
  const std::int64_t C = L.shape[col], cs = L.y_stride[col], os = L.o_stride[col];
  constexpr std::int64_t blk_size = 16;  // a couple of cache lines per row: enough blocks for every thread
  const std::int64_t nblk = (C + blk_size - 1) / blk_size;
#pragma omp parallel for schedule(static) num_threads(threads) if (parallel)
  for (std::int64_t item = 0; item < n_outer * nblk; ++item) {
    const std::int64_t o = item / nblk, blk = item % nblk;
    std::int64_t yo, oo;
    detail::batch_offsets(L, outer, o, yo, oo);
    const std::int64_t i0 = blk * blk_size, i1 = std::min(C, i0 + blk_size);
    const std::int64_t m = i1 - i0;
    double acc[blk_size];
    for (std::int64_t i = 0; i < m; ++i) acc[i] = 0.0;
    const Tin* base = y + yo + i0 * cs;
    Tout* obase = out + oo + i0 * os;
    if (shift)
      for (std::int64_t i = 0; i < m; ++i) obase[i * os] = static_cast<Tout>(initial);
    for (std::int64_t j = 0; j < M; ++j) {
      const Tin* p = base + start[j] * yn;
      const double c0 = c[3 * j], c1 = c[3 * j + 1], c2 = c[3 * j + 2];
      Tout* orow = obase + (j + shift) * on;
      for (std::int64_t i = 0; i < m; ++i) {
        const Tin* q = p + i * cs;
        double v = c0 * static_cast<double>(q[0]) + c1 * static_cast<double>(q[yn]);
        if (taps == 3) v += c2 * static_cast<double>(q[2 * yn]);
        acc[i] += v;
        orow[i * os] = static_cast<Tout>(acc[i] + initial);
      }
    }
  }
}

// Trapezoid weights from spacings d[0..n-2]: w_i = d_{i-1}/2 + d_i/2 (ends: one half-spacing).
inline void trapezoid_weights(const double* d, std::int64_t n, double* w) {
  for (std::int64_t i = 0; i < n; ++i) w[i] = 0.0;
  for (std::int64_t i = 0; i + 1 < n; ++i) {
    w[i] += d[i] / 2.0;
    w[i + 1] += d[i] / 2.0;
  }
}

// Weights of scipy.integrate.simpson (>= 1.11) from spacings d[0..n-2], term by term as scipy forms them:
// composite Simpson on pairs (h0, h1) with coefficients hsum/6 (2 - h1/h0, hsum^2/(h0 h1), 2 - h0/h1) (zero
// where a spacing vanishes), and for even n Cartwright's correction on the last interval
// (alpha, beta, -eta) [Cartwright 2017, eq. 8].  n == 2 is the trapezoid.
inline void simpson_weights(const double* d, std::int64_t n, double* w) {
  for (std::int64_t i = 0; i < n; ++i) w[i] = 0.0;
  if (n < 2) return;
  if (n == 2) {
    w[0] += 0.5 * d[0];
    w[1] += 0.5 * d[0];
    return;
  }
  const std::int64_t stop = (n % 2 == 1) ? n - 2 : n - 3;
  for (std::int64_t i = 0; i < stop; i += 2) {
    const double h0 = d[i], h1 = d[i + 1];
    const double hsum = h0 + h1, hprod = h0 * h1;
    const double r = h1 != 0.0 ? h0 / h1 : 0.0;
    const double scale = hsum / 6.0;
    w[i] += scale * (2.0 - (r != 0.0 ? 1.0 / r : 0.0));
    w[i + 1] += scale * (hsum * (hprod != 0.0 ? hsum / hprod : 0.0));
    w[i + 2] += scale * (2.0 - r);
  }
  if (n % 2 == 0) {
    const double h0 = d[n - 3], h1 = d[n - 2];
    const double den_a = 6 * (h1 + h0), den_b = 6 * h0, den_e = 6 * h0 * (h0 + h1);
    const double alpha = den_a != 0.0 ? (2 * h1 * h1 + 3 * h0 * h1) / den_a : 0.0;
    const double beta = den_b != 0.0 ? (h1 * h1 + 3.0 * h0 * h1) / den_b : 0.0;
    const double eta = den_e != 0.0 ? (1 * h1 * h1 * h1) / den_e : 0.0;
    w[n - 1] += alpha;
    w[n - 2] += beta;
    w[n - 3] -= eta;
  }
}

// The 1-D weights of a rule from the n - 1 spacings d.
enum class Rule : int { trapezoid = 0, simpson = 1 };

inline void rule_weights(Rule rule, const double* d, std::int64_t n, double* w) {
  if (rule == Rule::trapezoid) trapezoid_weights(d, n, w);
  else simpson_weights(d, n, w);
}

}  // namespace integrate
}  // namespace numkern
