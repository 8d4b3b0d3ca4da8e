// numkern/sparse/spgemm/plan.hpp: a reusable plan of A B for new values on fixed structures (the handle of
// KokkosKernels' spgemm_symbolic / spgemm_numeric, cuSPARSE's reuse API).
//
// The plan owns copies of the validated structures of A and B (so later in-place edits of the caller's arrays
// cannot reach the kernels), the flop counts, the sorted pattern of the product and, unless it would be too large,
// a scatter map that tells every partial product A[i,k] B[k,j] (in storage order of A's row then B's rows) its
// local position in pattern row i. multiply() is then a pure gather-FMA stream, with no hashing, no sorting and no
// column writes (the pattern is copied). Each row keeps the cheapest of three encodings (RowMap):
//   * runs: (first slot, length) of every run of products that land in consecutive slots, cut at B-row ends;
//     taken when runs average >= kMinRunLength products (bands, stencils): a run multiplies as a vector loop;
//   * columns: no map at all; products are added into a dense row of width ncols indexed by column, then
//     gathered in pattern order; taken for rows whose pattern is dense (len * kDenseRatio > ncols) or when
//     ncols <= kColumnModeWidth (the dense row stays in L2, and B's column indices, reused across rows, are read
//     instead of a streamed map: R-MAT-like products);
//   * slots: one local position per product.
// Every encoding adds the products into a slot preset to +0.0 in the same order as spgemm_on_pattern, so the values
// are bitwise those of the hash path it replaces.
// Memory of the map: at most flop indices + one byte and 8 bytes per row (4 bytes per product with int32 indices),
// against nnz(C) * (index + value bytes) for the output; ScatterMap::automatic builds it when its slot encoding
// would take at most kMaxMapRatio times the output (float64 values), else the plan multiplies through
// spgemm_on_pattern (hash lookups into the pattern).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "numkern/interrupt.hpp"
#include "numkern/sparse/spgemm/masked.hpp"
#include "numkern/sparse/spgemm/numeric.hpp"
#include "numkern/sparse/spgemm/schedule.hpp"

namespace numkern::sparse {

enum class ScatterMap { automatic, always, never };

// ScatterMap::automatic builds the map when its bytes are at most this many times the output's (float64 values).
inline constexpr int64_t kMaxMapRatio = 4;
// Rows whose runs of consecutive slots average at least this many products are encoded as runs.
inline constexpr int64_t kMinRunLength = 4;
// Up to this many output columns, rows are accumulated by column (a dense row of 256 KB of float64 values).
inline constexpr int64_t kColumnModeWidth = int64_t(1) << 15;

enum class RowMap : unsigned char { slots, runs, columns };

// The validated structures of one product A B (views; the plan copies what it keeps).
template <class I>
struct ProductStructure {
  Csr<I> A, B;
  int64_t a_nnz = 0, b_nnz = 0;  // lengths of A's and B's index arrays
  const int64_t* flop = nullptr;  // partial products per row of A B
  int64_t total_flop = 0;
  bool b_canonical = false;
  int64_t band = -1;
  const I* b_run = nullptr;  // run ids of B's rows (nullptr: no row templates)
};

template <class I>
class SpgemmPlan {
 public:
  // `offsets` (nrows + 1, int64): the symbolic phase's row offsets (spgemm_symbolic_offsets), whose total must fit
  // I. Computes the sorted pattern (numeric phase on unit values, keeping every structural entry) and the map.
  SpgemmPlan(const ProductStructure<I>& s, const int64_t* offsets, ScatterMap policy, int n_threads)
      : m_(s.A.nrows), k_(s.A.ncols), n_(s.B.ncols), total_flop_(s.total_flop), b_canonical_(s.b_canonical),
        band_(s.band), n_threads_(n_threads) {
    CancellationScope scope;
    Ap_.assign(s.A.indptr, s.A.indptr + m_ + 1);
    Aj_.assign(s.A.indices, s.A.indices + s.a_nnz);
    Bp_.assign(s.B.indptr, s.B.indptr + k_ + 1);
    Bj_.assign(s.B.indices, s.B.indices + s.b_nnz);
    flop_.assign(s.flop, s.flop + m_);
    if (s.b_run != nullptr) b_run_.assign(s.b_run, s.b_run + k_);
    Cp_.resize(m_ + 1);
    for (int64_t i = 0; i <= m_; ++i) Cp_[i] = static_cast<I>(offsets[i]);
    const int64_t nnz = offsets[m_];
    Cj_.resize(nnz);
    {
      std::vector<uint32_t> ones_a(Aj_.size(), 1u), ones_b(Bj_.size(), 1u), scratch(nnz);
      std::vector<I> Cp(Cp_);
      const RowProduct<uint32_t, I> P{A(), ones_a.data(), B(), ones_b.data(), flop_.data(), b_canonical_, band_,
                                      true, true, b_run_.empty() ? nullptr : b_run_.data()};
      spgemm_numeric(P, total_flop_, Cp.data(), Cj_.data(), scratch.data(), n_threads_);
    }
    const int64_t out_bytes = nnz * static_cast<int64_t>(sizeof(I) + sizeof(double));
    const bool build = policy == ScatterMap::always ||
                       (policy == ScatterMap::automatic &&
                        total_flop_ * static_cast<int64_t>(sizeof(I)) <= kMaxMapRatio * out_bytes);
    if (build) build_map();
    scope.throw_if_requested();
  }

  int64_t nrows() const { return m_; }
  int64_t nnz() const { return static_cast<int64_t>(Cj_.size()); }
  int64_t total_flop() const { return total_flop_; }
  bool has_map() const { return has_map_; }
  int n_threads() const { return n_threads_; }
  const std::vector<I>& a_indptr() const { return Ap_; }
  const std::vector<I>& a_indices() const { return Aj_; }
  const std::vector<I>& b_indptr() const { return Bp_; }
  const std::vector<I>& b_indices() const { return Bj_; }
  const std::vector<I>& indptr() const { return Cp_; }
  const std::vector<I>& indices() const { return Cj_; }
  int64_t map_bytes() const {
    return static_cast<int64_t>(map_.size() * sizeof(I) + map_start_.size() * sizeof(int64_t) + row_map_.size());
  }
  // Everything the plan holds (structures, flop counts, pattern, map).
  int64_t nbytes() const {
    const size_t idx = Ap_.size() + Aj_.size() + Bp_.size() + Bj_.size() + b_run_.size() + Cp_.size() + Cj_.size();
    return static_cast<int64_t>(idx * sizeof(I) + flop_.size() * sizeof(int64_t)) + map_bytes();
  }

  // A B for the values Ax, Bx (in the CSR order of the planned structures) into Cp (nrows + 1), Cj and Cx (room
  // for nnz() entries): sorted rows, exact zeros dropped unless keep_zeros. Returns the final nnz.
  template <class V>
  int64_t multiply(const V* Ax, const V* Bx, I* Cp, I* Cj, V* Cx, bool keep_zeros) const {
    CancellationScope scope;
    std::copy(Cp_.begin(), Cp_.end(), Cp);
    if (!has_map_) {
      std::copy(Cj_.begin(), Cj_.end(), Cj);
      return spgemm_on_pattern(A(), Ax, B(), Bx, flop_.data(), total_flop_, Cp, Cj, Cx, keep_zeros, n_threads_);
    }
    const int nt = threads_for(total_flop_ + nnz(), n_threads_);
    const std::vector<int64_t> chunks = thread_chunks(flop_.data(), m_, total_flop_, nt);
    const int64_t n_chunks = static_cast<int64_t>(chunks.size()) - 1;
    Cancellation& cancel = current_cancellation();
    ShortRows short_rows(nt);
    for_each_chunk<std::vector<V>>(nt, n_chunks, [&](int64_t c, std::vector<V>& dense) {
      CancelPoll poll(cancel);
      for (int64_t i = chunks[c]; i < chunks[c + 1]; ++i) {
        if (poll.stop(flop_[i])) return;
        const int64_t off = Cp_[i], len = static_cast<int64_t>(Cp_[i + 1]) - off;
        if (len == 0) continue;
        I* cols = Cj + off;
        V* vals = Cx + off;
        std::memcpy(cols, Cj_.data() + off, sizeof(I) * len);
        const int64_t a_lo = Ap_[i], a_hi = Ap_[i + 1];
        const I* code = map_.data() + map_start_[i];
        switch (row_map_[i]) {
          case RowMap::slots:
            std::fill(vals, vals + len, V(0));
            for (int64_t p = a_lo; p < a_hi; ++p) {
              const int64_t k = Aj_[p], q_lo = Bp_[k], q_len = static_cast<int64_t>(Bp_[k + 1]) - q_lo;
              const V a = Ax[p];
              const V* bx = Bx + q_lo;
              for (int64_t e = 0; e < q_len; ++e) vals[code[e]] += mul(a, bx[e]);
              code += q_len;
            }
            break;
          case RowMap::runs:
            std::fill(vals, vals + len, V(0));
            for (int64_t p = a_lo; p < a_hi; ++p) {
              const int64_t k = Aj_[p], q_lo = Bp_[k], q_len = static_cast<int64_t>(Bp_[k + 1]) - q_lo;
              const V a = Ax[p];
              const V* bx = Bx + q_lo;
              for (int64_t e = 0; e < q_len; code += 2) {
                V* out = vals + code[0];
                const int64_t run = code[1];
                for (int64_t t = 0; t < run; ++t) out[t] += mul(a, bx[e + t]);
                e += run;
              }
            }
            break;
          case RowMap::columns: {
            if (static_cast<int64_t>(dense.size()) < n_) dense.resize(n_, V(0));
            V* acc = dense.data();
            for (int64_t p = a_lo; p < a_hi; ++p) {
              const int64_t k = Aj_[p];
              const V a = Ax[p];
              for (int64_t q = Bp_[k], q_end = Bp_[k + 1]; q < q_end; ++q) acc[Bj_[q]] += mul(a, Bx[q]);
            }
            // gather in pattern order, dropping exact zeros on the way (branch free)
            int64_t n = 0;
            for (int64_t t = 0; t < len; ++t) {
              const I j = cols[t];
              const V v = acc[j];
              acc[j] = V(0);
              cols[n] = j;
              vals[n] = v;
              n += keep_zeros || v != V(0);
            }
            if (n < len) short_rows.add(i, n);
            continue;
          }
        }
        if (!keep_zeros) {
          const int64_t n = drop_zeros(cols, vals, len);
          if (n < len) short_rows.add(i, n);
        }
      }
    });
    scope.throw_if_requested();
    return close_gaps(m_, Cp, short_rows, Cj, Cx);
  }

 private:
  Csr<I> A() const { return {m_, k_, Ap_.data(), Aj_.data()}; }
  Csr<I> B() const { return {k_, n_, Bp_.data(), Bj_.data()}; }

  // Local position in pattern row i of every partial product of row i, into slot[0..flop[i]).
  void row_slots(int64_t i, I* slot, Workspace<I, char>& ws) const {
    const int64_t off = Cp_[i];
    const PatternRowIndex<I> index(Cj_.data() + off, static_cast<int64_t>(Cp_[i + 1]) - off, n_, ws);
    for (int64_t p = Ap_[i], p_end = Ap_[i + 1]; p < p_end; ++p) {
      const int64_t k = Aj_[p];
      for (int64_t q = Bp_[k], q_end = Bp_[k + 1]; q < q_end; ++q) *slot++ = static_cast<I>(index.find(Bj_[q]));
    }
  }

  // Runs of consecutive slots of row i, cut at B-row ends, as (first slot, length) pairs into runs (room for
  // 2 * flop[i]); returns the number of codes written.
  int64_t row_runs(int64_t i, const I* slot, I* runs) const {
    int64_t w = 0;
    for (int64_t p = Ap_[i], p_end = Ap_[i + 1]; p < p_end; ++p) {
      const int64_t k = Aj_[p], q_len = static_cast<int64_t>(Bp_[k + 1]) - Bp_[k];
      for (int64_t e = 0; e < q_len;) {
        int64_t run = 1;
        while (e + run < q_len && slot[e + run] == slot[e] + run) ++run;
        runs[w++] = slot[e];
        runs[w++] = static_cast<I>(run);
        e += run;
      }
      slot += q_len;
    }
    return w;
  }

  // The encoding of every row (see the header notes) and the map. Rows are encoded in chunks on the threads into
  // per-chunk buffers, then concatenated (map_start_ is known only once every row's encoding is).
  void build_map() {
    row_map_.assign(m_, RowMap::columns);
    map_start_.assign(m_ + 1, 0);
    const int nt = threads_for(total_flop_ + nnz(), n_threads_);
    const std::vector<int64_t> chunks = thread_chunks(flop_.data(), m_, total_flop_, nt);
    const int64_t n_chunks = static_cast<int64_t>(chunks.size()) - 1;
    std::vector<std::vector<I>> codes(n_chunks);
    Cancellation& cancel = current_cancellation();
    for_each_chunk<Workspace<I, char>>(nt, n_chunks, [&](int64_t c, Workspace<I, char>& ws) {
      std::vector<I> slot, runs;
      CancelPoll poll(cancel);
      for (int64_t i = chunks[c]; i < chunks[c + 1]; ++i) {
        if (poll.stop(flop_[i])) return;
        const int64_t len = static_cast<int64_t>(Cp_[i + 1]) - Cp_[i], f = flop_[i];
        if (f == 0) continue;
        slot.resize(f);
        runs.resize(2 * f);
        row_slots(i, slot.data(), ws);
        const int64_t n_codes = row_runs(i, slot.data(), runs.data());
        std::vector<I>& out = codes[c];
        if (n_codes * kMinRunLength <= 2 * f) {
          row_map_[i] = RowMap::runs;
          out.insert(out.end(), runs.begin(), runs.begin() + n_codes);
          map_start_[i + 1] = n_codes;
        } else if (len * kDenseRatio > n_ || n_ <= kColumnModeWidth) {
          row_map_[i] = RowMap::columns;
        } else {
          row_map_[i] = RowMap::slots;
          out.insert(out.end(), slot.begin(), slot.end());
          map_start_[i + 1] = f;
        }
      }
    });
    for (int64_t i = 0; i < m_; ++i) map_start_[i + 1] += map_start_[i];
    map_.resize(map_start_[m_]);
    for (int64_t c = 0; c < n_chunks; ++c)
      std::copy(codes[c].begin(), codes[c].end(), map_.begin() + map_start_[chunks[c]]);
    has_map_ = true;
  }

  int64_t m_, k_, n_, total_flop_;
  bool b_canonical_;
  int64_t band_;
  int n_threads_;
  bool has_map_ = false;
  std::vector<I> Ap_, Aj_, Bp_, Bj_, b_run_, Cp_, Cj_, map_;
  std::vector<int64_t> flop_, map_start_;
  std::vector<RowMap> row_map_;
};

}  // namespace numkern::sparse
