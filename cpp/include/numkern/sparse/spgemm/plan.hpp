// numkern/sparse/spgemm/plan.hpp: a reusable plan of A B for new values on fixed structures (the handle of
// KokkosKernels' spgemm_symbolic / spgemm_numeric, cuSPARSE's reuse API).
//
// The plan owns copies of the validated structures of A and B (so later in-place edits of the caller's arrays
// cannot reach the kernels), the flop counts, the sorted pattern of the product and, unless it would be too large,
// a scatter map that tells every partial product A[i,k] B[k,j] (in storage order of A's row then B's rows) its
// local position in pattern row i. multiply() then only computes values: a pure gather-FMA stream into an array of
// nnz() values in pattern order, with no hashing, no sorting and no column writes (results share the plan's
// pattern; multiply() reports whether a sum came out exactly zero, and only then does compact_zeros() write the
// pattern without those entries). Each row keeps the cheapest of three encodings (RowMap):
//   * runs: (first slot, length) of every run of products that land in consecutive slots, cut at B-row ends;
//     taken when runs average >= kMinRunLength products (bands, stencils): a run multiplies as a vector loop;
//   * columns: no map at all; products are added into a dense row of width ncols indexed by column, then
//     gathered in pattern order; taken for rows whose pattern is dense (len * kDenseRatio > ncols) or when
//     ncols <= kColumnModeWidth (the dense row stays in L2, and B's column indices, reused across rows, are read
//     instead of a streamed map: R-MAT-like products);
//   * slots: one local position per product.
// Codes are local to the row, so they are stored in the narrowest unsigned type that holds the row's length (one
// byte below 256 entries, two below 65536, else the index type), and a row whose codes equal those of one of the
// last kRecentCodes distinct rows of its chunk points at them instead of storing them again: the interior rows of
// a stencil or a band share one code sequence, which stays in L1, so their products stream only values.
// Every encoding adds the products into a slot preset to +0.0 in the same order as spgemm_on_pattern, so the values
// are bitwise those of the hash path it replaces.
// Memory of the map: at most 2 * flop codes of at most sizeof(I) bytes, plus 9 bytes per row; ScatterMap::automatic
// builds it when its widest slot encoding (flop indices) would take at most kMaxMapRatio times the output (float64
// values), else the plan multiplies through spgemm_on_pattern (hash lookups into the pattern).
#pragma once

#include <algorithm>
#include <array>
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
// A row's codes are looked up among those of this many recent distinct rows of its chunk before being stored.
inline constexpr int kRecentCodes = 8;

// Encoding of one row of the map and the width of its codes (8, 16 bits or the index type).
enum class RowMap : unsigned char { columns, slots8, slots16, slots, runs8, runs16, runs };

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
    return static_cast<int64_t>(codes_.size() * sizeof(uint64_t) + map_off_.size() * sizeof(int64_t) +
                                row_map_.size());
  }
  // Everything the plan holds (structures, flop counts, pattern, map).
  int64_t nbytes() const {
    const size_t idx = Ap_.size() + Aj_.size() + Bp_.size() + Bj_.size() + b_run_.size() + Cp_.size() + Cj_.size();
    return static_cast<int64_t>(idx * sizeof(I) + flop_.size() * sizeof(int64_t)) + map_bytes();
  }

  // The values of A B for Ax, Bx (in the CSR order of the planned structures) at every position of the pattern,
  // in pattern order, into Cx (nnz() entries; it must not overlap Ax or Bx). Returns whether some value is exactly
  // zero (compact_zeros() then drops them).
  template <class V>
  bool multiply(const V* Ax, const V* Bx, V* Cx) const {
    CancellationScope scope;
    if (!has_map_) {
      // Every position of the pattern receives a product: nothing is dropped with keep_zeros, no gap is closed.
      std::vector<I> Cp(Cp_), Cj(Cj_);
      spgemm_on_pattern(A(), Ax, B(), Bx, flop_.data(), total_flop_, Cp.data(), Cj.data(), Cx, true, n_threads_);
      scope.throw_if_requested();
      return any_exact_zero(Cx, nnz());
    }
    const int nt = threads_for(total_flop_ + nnz(), n_threads_);
    const std::vector<int64_t> chunks = thread_chunks(flop_.data(), m_, total_flop_, nt);
    const int64_t n_chunks = static_cast<int64_t>(chunks.size()) - 1;
    Cancellation& cancel = current_cancellation();
    std::vector<unsigned char> zero_in_chunk(n_chunks, 0);
    const unsigned char* pool = reinterpret_cast<const unsigned char*>(codes_.data());
    for_each_chunk<std::vector<V>>(nt, n_chunks, [&](int64_t c, std::vector<V>& dense) {
      CancelPoll poll(cancel);
      bool zero = false;
      for (int64_t i = chunks[c]; i < chunks[c + 1]; ++i) {
        if (poll.stop(flop_[i])) break;
        const int64_t off = Cp_[i], len = static_cast<int64_t>(Cp_[i + 1]) - off;
        if (len == 0) continue;
        V* vals = Cx + off;
        const unsigned char* code = pool + map_off_[i];
        const RowMap kind = row_map_[i];
        if (kind == RowMap::columns) {
          column_row(i, Ax, Bx, dense, vals);
        } else {
          std::fill(vals, vals + len, V(0));
          switch (kind) {
            case RowMap::slots8: slot_row(i, reinterpret_cast<const uint8_t*>(code), Ax, Bx, vals); break;
            case RowMap::slots16: slot_row(i, reinterpret_cast<const uint16_t*>(code), Ax, Bx, vals); break;
            case RowMap::slots: slot_row(i, reinterpret_cast<const I*>(code), Ax, Bx, vals); break;
            case RowMap::runs8: run_row(i, reinterpret_cast<const uint8_t*>(code), Ax, Bx, vals); break;
            case RowMap::runs16: run_row(i, reinterpret_cast<const uint16_t*>(code), Ax, Bx, vals); break;
            default: run_row(i, reinterpret_cast<const I*>(code), Ax, Bx, vals); break;
          }
        }
        zero |= any_exact_zero(vals, len);
      }
      zero_in_chunk[c] = zero;
    });
    scope.throw_if_requested();
    return std::find(zero_in_chunk.begin(), zero_in_chunk.end(), 1) != zero_in_chunk.end();
  }

  // The product without its exact zeros, from multiply()'s values `vals` (nnz() entries): sorted rows into Cp
  // (nrows + 1), Cj and Cx (room for nnz() entries; Cx may be vals itself, compacted in place). Returns the nnz.
  template <class V>
  int64_t compact_zeros(const V* vals, I* Cp, I* Cj, V* Cx) const {
    int64_t w = 0;
    Cp[0] = 0;
    for (int64_t i = 0; i < m_; ++i) {
      for (int64_t t = Cp_[i], t_end = Cp_[i + 1]; t < t_end; ++t) {
        const V v = vals[t];  // read before the write: Cx may be vals, and w <= t
        Cj[w] = Cj_[t];
        Cx[w] = v;
        w += v != V(0);
      }
      Cp[i + 1] = static_cast<I>(w);
    }
    return w;
  }

 private:
  Csr<I> A() const { return {m_, k_, Ap_.data(), Aj_.data()}; }
  Csr<I> B() const { return {k_, n_, Bp_.data(), Bj_.data()}; }

  // Row i by slots: the products of A's entry p add into vals[code[e]], one code per product.
  template <class C, class V>
  NK_INLINE void slot_row(int64_t i, const C* code, const V* Ax, const V* Bx, V* __restrict vals) const {
    for (int64_t p = Ap_[i], p_end = Ap_[i + 1]; p < p_end; ++p) {
      const int64_t k = Aj_[p], q_lo = Bp_[k], q_len = static_cast<int64_t>(Bp_[k + 1]) - q_lo;
      const V a = Ax[p];
      const V* bx = Bx + q_lo;
      for (int64_t e = 0; e < q_len; ++e) vals[code[e]] += mul(a, bx[e]);
      code += q_len;
    }
  }

  // Row i by runs: (first slot, length) pairs, each a vector loop over consecutive slots.
  template <class C, class V>
  NK_INLINE void run_row(int64_t i, const C* code, const V* Ax, const V* Bx, V* vals) const {
    for (int64_t p = Ap_[i], p_end = Ap_[i + 1]; p < p_end; ++p) {
      const int64_t k = Aj_[p], q_lo = Bp_[k], q_len = static_cast<int64_t>(Bp_[k + 1]) - q_lo;
      const V a = Ax[p];
      const V* __restrict bx = Bx + q_lo;
      for (int64_t e = 0; e < q_len; code += 2) {
        V* __restrict out = vals + code[0];
        const int64_t run = code[1];
        // The vector loop's stores start on a 16-byte boundary, so a run shifted by one slot from the previous
        // one (bands) reloads exactly the pairs that run stored (a load that spans two pending stores cannot
        // take its value from the store buffer and waits for both to reach the cache).
        int64_t t = 0;
        for (; t < run && (reinterpret_cast<uintptr_t>(out + t) & 15) != 0; ++t) out[t] += mul(a, bx[e + t]);
        for (; t < run; ++t) out[t] += mul(a, bx[e + t]);
        e += run;
      }
    }
  }

  // Row i by columns: products into a dense row indexed by column (kept zero between rows), then gathered in
  // pattern order.
  template <class V>
  void column_row(int64_t i, const V* Ax, const V* Bx, std::vector<V>& dense, V* vals) const {
    if (static_cast<int64_t>(dense.size()) < n_) dense.resize(n_, V(0));
    V* acc = dense.data();
    for (int64_t p = Ap_[i], p_end = Ap_[i + 1]; p < p_end; ++p) {
      const int64_t k = Aj_[p];
      const V a = Ax[p];
      for (int64_t q = Bp_[k], q_end = Bp_[k + 1]; q < q_end; ++q) acc[Bj_[q]] += mul(a, Bx[q]);
    }
    const I* cols = Cj_.data() + Cp_[i];
    for (int64_t t = 0, len = static_cast<int64_t>(Cp_[i + 1]) - Cp_[i]; t < len; ++t) {
      const I j = cols[t];
      vals[t] = acc[j];
      acc[j] = V(0);
    }
  }

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

  // The codes of one chunk's rows, 8-byte aligned per row, with the recent distinct code sequences for sharing.
  class ChunkCodes {
   public:
    std::vector<uint64_t> words;
    // Byte offset in `words` of `n` codes (values < 2**bits of C) stored as C, shared with a recent equal sequence.
    template <class C>
    int64_t add(RowMap kind, const I* codes, int64_t n) {
      narrow_.resize((n * sizeof(C) + 7) / 8);
      C* c = reinterpret_cast<C*>(narrow_.data());
      for (int64_t e = 0; e < n; ++e) c[e] = static_cast<C>(codes[e]);
      const int64_t n_bytes = n * static_cast<int64_t>(sizeof(C));
      uint64_t h = 1469598103934665603ull ^ static_cast<uint64_t>(kind);
      for (int64_t b = 0; b < n_bytes; ++b) h = (h ^ reinterpret_cast<const unsigned char*>(c)[b]) * 1099511628211ull;
      for (const Recent& r : recent_)
        if (r.n_bytes == n_bytes && r.hash == h && r.kind == kind &&
            std::memcmp(reinterpret_cast<const unsigned char*>(words.data()) + r.offset, c, n_bytes) == 0)
          return r.offset;
      const int64_t offset = static_cast<int64_t>(words.size() * sizeof(uint64_t));
      words.insert(words.end(), narrow_.begin(), narrow_.end());
      recent_[next_++ % kRecentCodes] = {h, offset, n_bytes, kind};
      return offset;
    }

   private:
    struct Recent {
      uint64_t hash = 0;
      int64_t offset = 0, n_bytes = -1;
      RowMap kind = RowMap::columns;
    };
    std::vector<uint64_t> narrow_;
    std::array<Recent, kRecentCodes> recent_{};
    int64_t next_ = 0;
  };

  // Row i's codes (slots or runs) stored in the narrowest type that holds its length; returns the row's kind.
  static RowMap add_codes(ChunkCodes& out, bool runs, int64_t len, const I* codes, int64_t n, int64_t& offset) {
    if (len < 256) {
      offset = out.template add<uint8_t>(runs ? RowMap::runs8 : RowMap::slots8, codes, n);
      return runs ? RowMap::runs8 : RowMap::slots8;
    }
    if (len < 65536) {
      offset = out.template add<uint16_t>(runs ? RowMap::runs16 : RowMap::slots16, codes, n);
      return runs ? RowMap::runs16 : RowMap::slots16;
    }
    offset = out.template add<I>(runs ? RowMap::runs : RowMap::slots, codes, n);
    return runs ? RowMap::runs : RowMap::slots;
  }

  // The encoding of every row (see the header notes) and the map. Rows are encoded in chunks on the threads into
  // per-chunk buffers, then concatenated.
  void build_map() {
    row_map_.assign(m_, RowMap::columns);
    map_off_.assign(m_, 0);
    const int nt = threads_for(total_flop_ + nnz(), n_threads_);
    const std::vector<int64_t> chunks = thread_chunks(flop_.data(), m_, total_flop_, nt);
    const int64_t n_chunks = static_cast<int64_t>(chunks.size()) - 1;
    std::vector<ChunkCodes> codes(n_chunks);
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
        if (n_codes * kMinRunLength <= 2 * f)
          row_map_[i] = add_codes(codes[c], true, len, runs.data(), n_codes, map_off_[i]);
        else if (!(len * kDenseRatio > n_ || n_ <= kColumnModeWidth))
          row_map_[i] = add_codes(codes[c], false, len, slot.data(), f, map_off_[i]);
      }
    });
    std::vector<int64_t> base(n_chunks + 1, 0);
    for (int64_t c = 0; c < n_chunks; ++c) base[c + 1] = base[c] + static_cast<int64_t>(codes[c].words.size());
    codes_.resize(base[n_chunks]);
    for (int64_t c = 0; c < n_chunks; ++c) {
      std::copy(codes[c].words.begin(), codes[c].words.end(), codes_.begin() + base[c]);
      for (int64_t i = chunks[c]; i < chunks[c + 1]; ++i)
        if (row_map_[i] != RowMap::columns) map_off_[i] += base[c] * static_cast<int64_t>(sizeof(uint64_t));
    }
    has_map_ = true;
  }

  int64_t m_, k_, n_, total_flop_;
  bool b_canonical_;
  int64_t band_;
  int n_threads_;
  bool has_map_ = false;
  std::vector<I> Ap_, Aj_, Bp_, Bj_, b_run_, Cp_, Cj_;
  std::vector<int64_t> flop_, map_off_;  // map_off_: byte offset of every row's codes in codes_
  std::vector<uint64_t> codes_;
  std::vector<RowMap> row_map_;
};

}  // namespace numkern::sparse
