// numkern/sparse/spgemm.hpp: sparse x sparse matrix product C = A B in CSR form (host, OpenMP).
//
// Row-wise (Gustavson) product C[i,:] = sum_k A[i,k] B[k,:]. matmul runs a single pass (spgemm_single_pass):
// rows are written back to back into arrays reserved at the flop bound (the number of partial products, an upper
// bound of nnz), which the caller shrinks in place; only the written prefix is ever touched, so resident memory
// stays the output. On several threads, a chunk of rows whose offset is not known yet (an earlier chunk is still
// running) stages its rows in a small reused buffer until the chunk before it finishes, then moves them to its
// offset and goes on in place (see spgemm_single_pass for why and for the memory bound). The two-phase scheme of Nagasaka et al. [1] and KokkosKernels (a symbolic phase counts the distinct
// columns of every row, then a numeric phase fills rows at the prefix sums of those counts) remains for plans
// (spgemm_plan needs the exact pattern) and for int32 outputs whose flop bound overflows int32.
//
// Accumulator chosen per row from its flop count and the output width, as spECK [2] does:
//   * flop == 0: empty row; flop == 1: the single partial product is written straight out (NeuraChip [3]);
//   * A row with one entry and B canonical: the row is a scaled copy of one B row ("direct");
//   * flop * 16 > ncols: a dense accumulator of width ncols, like SuiteSparse's Gustavson tasks [4]: long rows
//     whose hash table would be as large as the row itself; sums preset to the additive identity -0.0 take every
//     product without a first-touch branch, and a column bitmap gives the row back sorted (full_dense_row);
//   * B sorted and the row's output columns within a window of <= 2^16 columns (stencils, bands): the same dense
//     accumulator over that window only (scipy's SMMP accumulator [5], but O(window) memory and cache resident);
//     a window row with the same structure as the thread's last recorded one (relative to its first A column:
//     rows of stencil and band products away from the edges; matched through run labels of B's rows from the
//     validation pass) is replayed from that recording instead, with no accumulator, sort or gather
//     (RowTemplate);
//   * otherwise a per-thread open-addressing hash table (linear probing, hash (col * 107) & (size - 1)), size the
//     next power of two >= 2 * (flop or nnz), so the load factor stays <= 1/2 and the table of a typical row
//     lives in L1; only the first `size` slots are reset per row (cheap clearing).
// The numeric hash table stores the local output position of a key; the key itself lives in the output row
// (C.indices), so the table is one small integer array and no extra output pass is needed.
//
// Determinism: each row is computed by one thread, always accumulating partial products in storage order of A's
// row then B's rows — the same order as scipy's SMMP [5] — so values do not depend on the thread count.
// Rows are split into chunks of equal flop (prefix sum of flop + 1) and handed to OpenMP threads dynamically;
// chunk boundaries never change a row's result.
// Exact-zero sums are dropped unless keep_zeros (scipy drops them); rows are then shifted left once.
// Counts and prefix sums are int64, so int32 index output can be checked for overflow before it is written.
//
// References:
// [1] Y. Nagasaka, S. Matsuoka, A. Azad, A. Buluc, "High-performance sparse matrix-matrix products on Intel KNL
//     and multicore architectures", ICPP Workshops 2018.
// [2] M. Parger, M. Winter, D. Mlakar, M. Steinberger, "spECK: accelerating GPU sparse matrix-matrix
//     multiplication through lightweight analysis", PPoPP 2020.
// [3] K. Shivdikar et al., "NeuraChip: accelerating GNN computations with a hash-based decoupled spatial
//     accelerator", arXiv 2404.15510 (2024); SMASH: K. Shivdikar, arXiv 2105.14156 (2021).
// [4] T. A. Davis, "Algorithm 1000: SuiteSparse:GraphBLAS", ACM TOMS 45(4), 2019 (saxpy3).
// [5] R. E. Bank, C. C. Douglas, "Sparse matrix multiplication package (SMMP)", Adv. Comput. Math. 1, 1993.
#pragma once

#include <algorithm>
#include <atomic>
#include <complex>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "numkern/config.hpp"
#include "numkern/parallel.hpp"

namespace numkern::sparse {

// Products below this many partial products run on one thread: thread start-up would cost more than it saves.
inline constexpr int64_t kSerialFlopCutoff = 1 << 16;
// Rows with flop * kDenseRatio > ncols use the dense accumulator (SuiteSparse switches near ncols / 16).
inline constexpr int64_t kDenseRatio = 16;
// Rows whose output columns span at most this many columns use a dense accumulator over that window.
inline constexpr int64_t kDenseWindow = int64_t(1) << 16;
// Nearly sorted rows (dense-accumulator rows of stencils) up to this length, and buckets of the bucket sort up
// to this length, are sorted by insertion sort; longer buckets with std::sort.
inline constexpr int64_t kInsertionSortMax = 32;
// Row templates replay by segments when these are on average at least this long (see RowTemplate).
inline constexpr int64_t kMinSegmentLength = 4;
// Rows with more partial products are never templated (they are accumulated): a template holds ~8 bytes per
// product per thread, and repeating stencil and band rows have far fewer (2-D Laplacian squared: 25).
inline constexpr int64_t kMaxTemplateFlop = int64_t(1) << 16;
// Hash rows up to this length are sorted by insertion sort in place, longer ones through buckets (sort_row):
// measured on random columns, insertion wins below ~12 entries, buckets above.
inline constexpr int64_t kBucketSortMin = 12;

// Read-only view of a CSR matrix.
template <class I>
struct Csr {
  int64_t nrows = 0, ncols = 0;
  const I* indptr = nullptr;
  const I* indices = nullptr;
};

// Complex product without the C99 Annex G NaN recovery of std::complex operator* (scipy's complex_wrapper
// uses the same textbook formula, so results agree with scipy to the last bit).
template <class V>
NK_INLINE V mul(const V& a, const V& b) {
  return a * b;
}
template <class T>
NK_INLINE std::complex<T> mul(const std::complex<T>& a, const std::complex<T>& b) {
  return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

// The x with x + v == v bit for bit for every v: -0.0 for IEEE floats (+0.0 + -0.0 would give +0.0), componentwise
// for complex, 0 for integers. A sum preset to it and added into equals one assigned its first term.
template <class V>
struct AdditiveIdentity {
  static V value() {
    if constexpr (std::is_floating_point_v<V>) {
      return -V(0);
    } else {
      return V(0);
    }
  }
};
template <class T>
struct AdditiveIdentity<std::complex<T>> {
  static std::complex<T> value() { return {-T(0), -T(0)}; }
};

#if defined(__GNUC__) || defined(__clang__)
#define NK_PREFETCH(addr) __builtin_prefetch(addr)
#else
#define NK_PREFETCH(addr) ((void)0)
#endif

// Software prefetch of the B rows that upcoming A entries will read. Gathering B rows in A's column order is
// latency bound when B does not fit in cache (random graphs): while entry p is processed, B.indptr of entry
// p + 16 and the first lines of B's row for entry p + 8 are requested, across row boundaries of A (scipy's SMMP
// waits for each of these misses).
template <class I, class V>
struct BRowPrefetcher {
  const I* Aj;
  const I* Bp;
  const I* Bj;
  const V* Bx;
  int64_t end;  // one past the last A entry of the current chunk
  NK_INLINE void at(int64_t p) const {
    if (p + 16 < end) NK_PREFETCH(Bp + Aj[p + 16]);
    if (p + 8 < end) {
      const int64_t q = Bp[Aj[p + 8]];
      NK_PREFETCH(Bj + q);
      if (Bx != nullptr) NK_PREFETCH(Bx + q);
    }
  }
};

NK_INLINE int64_t next_pow2(int64_t x) {
  int64_t p = 1;
  while (p < x) p <<= 1;
  return p;
}

NK_INLINE uint64_t hash_slot(int64_t col, uint64_t mask) { return (static_cast<uint64_t>(col) * 107u) & mask; }

// One row of csr_validate_band: the partial products of the row (with B's row pointers), whether any index lies
// outside [0, ncols), and either (kShiftCheck) whether every column is one more than the column `back` entries
// earlier (the previous row's at the same position, for a row of the previous row's length) or the row's band
// and whether its columns strictly increase.
struct ValidatedRow {
  int64_t flop;
  int64_t band;       // max |j - row| (kShiftCheck: only when the row is not shifted)
  bool out_of_range;
  bool shifted;
  bool increasing;    // strictly increasing columns (kShiftCheck: only when the row is not shifted)
};

template <bool kFlops, bool kShiftCheck, class I>
NK_INLINE ValidatedRow validate_row(const I* indices, int64_t lo, int64_t hi, int64_t row, int64_t back,
                                    uint64_t n_cols, const I* b_indptr) {
  // One branch-free loop. A row that repeats the previous row shifted by one column has its band and its order,
  // so rows of the previous row's length check the shift instead (and scan themselves once more if not shifted).
  uint64_t out = 0;
  int64_t f = 0, differs = 0, j_min = std::numeric_limits<int64_t>::max(), j_max = -1, last = -1;
  bool increasing = true;
  for (int64_t p = lo; p < hi; ++p) {
    const int64_t j = indices[p];
    const bool outside = static_cast<uint64_t>(j) >= n_cols;
    out |= outside;
    if (kFlops) {
      const int64_t jc = outside ? 0 : j;  // B is only read through indices in range
      f += static_cast<int64_t>(b_indptr[jc + 1]) - static_cast<int64_t>(b_indptr[jc]);
    }
    if (kShiftCheck) {
      differs |= (j - 1) ^ static_cast<int64_t>(indices[p - back]);
    } else {
      j_min = std::min(j_min, j);
      j_max = std::max(j_max, j);
      increasing &= j > last;
      last = j;
    }
  }
  const bool shifted = kShiftCheck && differs == 0;
  int64_t band = 0;
  if (kShiftCheck && !shifted) {
    for (int64_t p = lo; p < hi; ++p) {
      const int64_t j = indices[p], offset = j - row;
      band = std::max(band, offset < 0 ? -offset : offset);
      increasing &= j > last;
      last = j;
    }
  } else if (!kShiftCheck && hi > lo) {
    band = std::max(row - j_min, j_max - row);
  }
  return {f, band, out != 0, shifted, increasing};
}

template <bool kFlops, class I>
int64_t csr_validate_band_impl(const I* indptr, const I* indices, int64_t nrows, int64_t ncols, int64_t nnz_stored,
                               int nt, const I* b_indptr, int64_t* flop, int64_t* total_flop, I* run_id,
                               bool* canonical) {
  bool ok = true, increasing = true;
  int64_t band = 0, total = 0;
  const uint64_t n_cols = static_cast<uint64_t>(ncols);
#pragma omp parallel num_threads(nt) reduction(&& : ok, increasing) reduction(max : band) reduction(+ : total)
  {
    int64_t prev = -2, prev_lo = 0;  // last row this thread checked and found valid, and its first entry
#pragma omp for schedule(static)
    for (int64_t i = 0; i < nrows; ++i) {
      const int64_t lo = indptr[i], hi = indptr[i + 1];
      // An invalid row counts no products and starts no run (the whole structure is rejected anyway).
      const auto reject = [&]() {
        ok = false;
        if (flop != nullptr) flop[i] = 0;
        if (run_id != nullptr) run_id[i] = static_cast<I>(i);
      };
      if (lo < 0 || hi < lo || hi > nnz_stored) {  // checked before the row is read
        reject();
        continue;
      }
      // Row i continues a run when it has the previous row's length and every column one more than the
      // previous row's column at the same position (rows of equal length are adjacent in indices).
      const bool same_length = prev == i - 1 && lo - prev_lo == hi - lo;
      const ValidatedRow row =
          same_length ? validate_row<kFlops, true>(indices, lo, hi, i, hi - lo, n_cols, b_indptr)
                      : validate_row<kFlops, false>(indices, lo, hi, i, 0, n_cols, b_indptr);
      if (row.out_of_range) {
        reject();
        continue;
      }
      if (kFlops) {
        flop[i] = row.flop;
        total += row.flop;
      }
      const bool continues = same_length && row.shifted;  // empty after empty continues too
      if (run_id != nullptr) run_id[i] = continues ? run_id[i - 1] : static_cast<I>(i);
      band = std::max(band, row.band);
      increasing = increasing && (continues || row.increasing);  // a shifted row keeps the previous row's order
      prev = i;
      prev_lo = lo;
    }
  }
  if (total_flop != nullptr) *total_flop = total;
  if (canonical != nullptr) *canonical = ok && increasing;
  return ok ? band : -1;
}

// Validates a CSR structure and measures its bandwidth in one pass over the indices. Returns -1 unless
// indptr[0] == 0, 0 <= indptr[i] <= indptr[i + 1] <= nnz_stored for every row and every index lies in [0, ncols)
// (checked before any kernel touches memory through the indices: a row pointer is checked before its row is read);
// else the bandwidth max |j - i| over the stored entries (0 when empty). With band(A) + band(B) small, every
// output row of A B lies in the window [i - band, i + band], so no per-row span computation is needed (stencils,
// bands).
// With b_indptr (the ncols + 1 row pointers of B), the same pass also fills flop[i], the partial products of row
// i of A B (sum over A[i,k] of nnz(B[k,:])), and *total_flop, saving a second pass over A's indices; B is only
// read through indices in range (others count as column 0, and their row gets flop 0), and the counts are only
// meaningful when both structures are valid.
// With run_id (nrows entries), the pass also labels rows by relative structure: run_id[i] == run_id[i'] only when
// rows i and i' have the same length and the same offsets j - row, entry by entry (a run of consecutive rows that
// each repeat the previous row shifted by one column shares the id of its first row). Runs are cut where OpenMP's
// static schedule splits the rows, so ids depend on the thread count; they only decide whether a row template can
// be replayed (RowTemplate), never a value.
// With canonical, the pass also tells whether every row's columns strictly increase (sorted, no duplicates): the
// kernels' B-row shortcuts (a row copied from one B row, windows from the ends of B rows, sort ranges) rely on
// it, so it is measured here rather than taken from scipy's cached flag, which in-place edits of the indices
// leave stale.
template <class I>
int64_t csr_validate_band(const I* indptr, const I* indices, int64_t nrows, int64_t ncols, int64_t nnz_stored,
                          int n_threads, const I* b_indptr = nullptr, int64_t* flop = nullptr,
                          int64_t* total_flop = nullptr, I* run_id = nullptr, bool* canonical = nullptr) {
  if (canonical != nullptr) *canonical = false;
  if (indptr[0] != 0) return -1;
  const int nt = nnz_stored < kSerialFlopCutoff ? 1 : resolve_num_threads(n_threads);
  // ncols == 0: no index is in range and B has no row to read
  if (b_indptr != nullptr && flop != nullptr && ncols > 0)
    return csr_validate_band_impl<true>(indptr, indices, nrows, ncols, nnz_stored, nt, b_indptr, flop, total_flop,
                                        run_id, canonical);
  if (flop != nullptr) std::fill(flop, flop + nrows, int64_t(0));
  if (total_flop != nullptr) *total_flop = 0;
  return csr_validate_band_impl<false>(indptr, indices, nrows, ncols, nnz_stored, nt, b_indptr, nullptr, nullptr,
                                       run_id, canonical);
}

// Split rows into `n_chunks` contiguous chunks of about equal work (flop + 1 per row) for dynamic scheduling
// (fewer when rows are few or one row carries the work of several chunks).
inline std::vector<int64_t> flop_chunks(const int64_t* flop, int64_t nrows, int64_t total_flop, int64_t n_chunks) {
  std::vector<int64_t> bounds{0};
  n_chunks = std::min<int64_t>(nrows, n_chunks);
  if (n_chunks <= 1) {
    bounds.push_back(nrows);
    return bounds;
  }
  const int64_t work = total_flop + nrows;
  int64_t acc = 0, next = 1;
  for (int64_t i = 0; i < nrows; ++i) {
    acc += flop[i] + 1;
    if (acc * n_chunks >= next * work && i + 1 < nrows) {
      bounds.push_back(i + 1);
      while (acc * n_chunks >= next * work) ++next;
    }
  }
  bounds.push_back(nrows);
  return bounds;
}

// Eight chunks per thread: enough for dynamic scheduling to balance skewed (power-law) rows.
inline std::vector<int64_t> thread_chunks(const int64_t* flop, int64_t nrows, int64_t total_flop, int nt) {
  return flop_chunks(flop, nrows, total_flop, nt <= 1 ? 1 : 8 * static_cast<int64_t>(nt));
}

struct NoEpilogue {
  void operator()() const {}
};

// body(c, ws) for every chunk c in [0, n_chunks), handed to nt OpenMP threads dynamically in increasing order;
// each thread owns one workspace WS, reused by all its chunks, and runs epilogue() once it finds no chunk left.
template <class WS, class F, class E = NoEpilogue>
void for_each_chunk(int nt, int64_t n_chunks, const F& body, const E& epilogue = E()) {
#pragma omp parallel num_threads(nt)
  {
    WS ws;
#pragma omp for schedule(dynamic, 1) nowait
    for (int64_t c = 0; c < n_chunks; ++c) body(c, ws);
    epilogue();
  }
}

inline int threads_for(int64_t total_flop, int n_threads) {
  return total_flop < kSerialFlopCutoff ? 1 : resolve_num_threads(n_threads);
}

enum class RowKind { empty, single, direct, hash, dense };

// How row i of A B is accumulated. Dense rows use columns [lo, lo + width) of a per-thread dense accumulator:
// the whole width when the row is long (flop * kDenseRatio > ncols), else the row's column span when B's rows
// are sorted and the span is at most kDenseWindow (stencils, bands, local graphs: the accumulator stays in cache
// and beats hashing; this is scipy's SMMP accumulator restricted to a window so memory stays O(window)).
struct RowPlan {
  RowKind kind = RowKind::empty;
  int64_t lo = 0, width = 0;  // the row's columns lie in [lo, lo + width) (width 0: not known, hash rows only)
};

// `band` = band(A) + band(B) when known (>= 0): rows then take the window [i - band, i + band] without reading
// the first/last columns of their B rows.
template <class I>
NK_INLINE RowPlan classify_row(const Csr<I>& A, const Csr<I>& B, int64_t i, int64_t flop, bool b_canonical,
                               int64_t band) {
  RowPlan r;
  const int64_t a_lo = A.indptr[i], a_hi = A.indptr[i + 1];
  if (flop == 0) return r;
  if (flop == 1) {
    r.kind = RowKind::single;
    return r;
  }
  if (a_hi - a_lo == 1 && b_canonical) {
    r.kind = RowKind::direct;
    return r;
  }
  if (flop * kDenseRatio > B.ncols) {
    r.kind = RowKind::dense;
    r.width = B.ncols;
    return r;
  }
  r.kind = RowKind::hash;
  if (b_canonical && band >= 0 && 2 * band + 1 <= kDenseWindow) {
    r.kind = RowKind::dense;
    r.lo = std::max<int64_t>(0, i - band);
    r.width = std::min<int64_t>(B.ncols - 1, i + band) - r.lo + 1;
    return r;
  }
  if (b_canonical) {
    // The scan reads the ends of all B rows of the row even once the span exceeds the window: these independent
    // loads bring the B rows into cache in parallel for the accumulation that follows. Stopping early was
    // measured 30% slower on uniform n=1e6 (the misses then come one by one in the accumulation).
    int64_t lo = B.ncols, hi = -1;
    for (int64_t p = a_lo; p < a_hi; ++p) {
      const int64_t k = A.indices[p];
      const int64_t b_lo = B.indptr[k], b_hi = B.indptr[k + 1];
      if (b_hi > b_lo) {
        lo = std::min<int64_t>(lo, B.indices[b_lo]);
        hi = std::max<int64_t>(hi, B.indices[b_hi - 1]);
      }
    }
    // Hash rows keep the span too: it bounds their columns for the sort (no min/max pass there).
    r.lo = lo;
    r.width = hi - lo + 1;
    if (r.width <= kDenseWindow) r.kind = RowKind::dense;
  }
  return r;
}

// Structure of one window-accumulated output row relative to the first column of its A row (every offset then
// fits the index type), recorded so that later rows with the same relative structure skip the accumulator, the
// sort and the gather. Rows of stencil and band products
// (Laplacians, banded matrices) repeat one structure, shifted by one column per row, except near the edges.
// A later row matches when its A row has the recorded offsets and each of its B rows lies in the same run of
// identically structured B rows (run ids from csr_validate_band) as the recorded one: a check per A entry, none
// per partial product, and exact. Each B row of the recording is cut into segments: runs of consecutive entries
// that land in consecutive output slots, the slots that a partial product opens (its first) after those it adds
// into; a segment multiplies as a short vector loop (bands: one segment per B row; 5-point stencil: 1, 3 and 1
// entries; short segments replay product by product instead).
// Partial products are added into each output slot in the accumulator's order (A's row, then
// B's rows), so replayed rows are bitwise equal to accumulated ones.
template <class I>
struct RowTemplate {
  struct Segment {
    int32_t pos;            // position of the first entry in its B row
    int32_t slot;           // output slot of the first entry
    int32_t len;            // entries
    int32_t n_add;          // the first n_add entries add into open slots, the rest open theirs
  };
  int64_t a_len = -1;              // entries of A's row; -1: nothing recorded
  int64_t flop = 0;                // partial products
  int64_t n_out = 0;               // structural length of the output row
  std::vector<I> a_off;            // A column - base, per A entry (base: the row's first A column)
  std::vector<int64_t> b_len;      // length of the B row, per A entry
  std::vector<I> b_run;            // run id of the B row, per A entry
  std::vector<int64_t> seg_begin;  // segments of A entry r: [seg_begin[r], seg_begin[r + 1])
  std::vector<Segment> segments;
  std::vector<I> out_off;          // output column - base, per slot, in output order
  bool by_segments = false;        // replay by segments (long ones: bands), else product by product
  std::vector<I> b_off;            // recording scratch: B column - A column, per partial product
  std::vector<int32_t> slot;       // output slot per partial product, ~slot when the product opens it
  std::vector<int32_t> slot_of;    // recording scratch: window column -> slot
  int64_t hits = 0;              // rows replayed since the last recording
  int64_t backoff = 0, skip = 0;  // after recordings that were never replayed: rows to accumulate before the next
};

// A template's per-product slot code: the slot, or ~slot for the product that opens it.
NK_INLINE int32_t slot_of_code(int32_t code) { return code < 0 ? ~code : code; }

// Per-thread scratch space: hash slots, dense stamps/values, a sort buffer. Sized on first use, reused by rows.
template <class I, class V>
struct Workspace {
  std::vector<I> table;            // hash slot -> column key; -1 empty
  std::vector<I> table_pos;        // numeric: hash slot -> local output position of its key
  std::vector<uint32_t> stamp_of;  // dense accumulator: column -> stamp of the last row that touched it
  std::vector<V> dense_val;        // dense accumulator values
  std::vector<I> dense_pos;        // dense column -> position + 1 (pattern kernel)
  std::vector<std::pair<I, V>> sort_buf;
  std::vector<I> sort_cols;
  std::vector<V> sort_vals;
  std::vector<int64_t> bucket_start;
  std::vector<unsigned char> hit;  // pattern kernel: slot received a partial product
  std::vector<uint64_t> col_bits;  // bitmap sort of dense rows: one bit per window column (all zero between rows)
  std::vector<uint64_t> word_bits;  // one bit per non-zero word of col_bits (all zero between rows)
  std::vector<V> sums;              // full-width dense rows: column sums, the additive identity between rows
  RowTemplate<I> row_template;      // last recorded window-row structure (RowProduct::template_row)
  uint32_t stamp = 0;

  // Column sums and the column bitmap of full-width dense rows (RowProduct::full_dense_row), grown on demand.
  V* sums_of_width(int64_t width) {
    if (static_cast<int64_t>(sums.size()) < width) sums.resize(width, AdditiveIdentity<V>::value());
    const int64_t n_words = (width + 63) >> 6;
    if (static_cast<int64_t>(col_bits.size()) < n_words) col_bits.resize(n_words, 0u);
    return sums.data();
  }

  I* table_of_size(int64_t size) {
    if (static_cast<int64_t>(table.size()) < size) table.resize(size);
    std::fill(table.begin(), table.begin() + size, I(-1));
    return table.data();
  }
  // Advance the dense stamp (growing the arrays to `width` on demand: new stamps are 0, never current); on
  // wrap-around clear the stamps.
  uint32_t next_stamp(int64_t width, bool with_values) {
    if (static_cast<int64_t>(stamp_of.size()) < width) stamp_of.resize(width, 0u);
    if (with_values && static_cast<int64_t>(dense_val.size()) < width) dense_val.resize(width);
    if (++stamp == 0) {
      std::fill(stamp_of.begin(), stamp_of.end(), 0u);
      stamp = 1;
    }
    return stamp;
  }
};

// ------------------------------------------------------------------------------------------------ symbolic
// row_nnz[i] = number of distinct columns of row i of A B (structural: exact cancellation is not detected here).
// Returns the total (int64).
template <class I>
int64_t spgemm_symbolic(const Csr<I>& A, const Csr<I>& B, const int64_t* flop, int64_t total_flop,
                        bool b_canonical, int64_t band, int64_t* row_nnz, int n_threads) {
  const int nt = threads_for(total_flop, n_threads);
  const std::vector<int64_t> chunks = thread_chunks(flop, A.nrows, total_flop, nt);
  const int64_t n_chunks = static_cast<int64_t>(chunks.size()) - 1;
  std::vector<int64_t> chunk_total(n_chunks, 0);
  for_each_chunk<Workspace<I, char>>(nt, n_chunks, [&](int64_t c, Workspace<I, char>& ws) {
    const BRowPrefetcher<I, char> pf{A.indices, B.indptr, B.indices, nullptr, A.indptr[chunks[c + 1]]};
    int64_t sum = 0;
    for (int64_t i = chunks[c]; i < chunks[c + 1]; ++i) {
      const int64_t a_lo = A.indptr[i], a_hi = A.indptr[i + 1];
      int64_t count = 0;
      const RowPlan plan = classify_row(A, B, i, flop[i], b_canonical, band);
      switch (plan.kind) {
        case RowKind::empty:
          break;
        case RowKind::single:
          count = 1;
          break;
        case RowKind::direct:
          count = flop[i];
          break;
        case RowKind::dense: {
          const uint32_t s = ws.next_stamp(plan.width, false);
          uint32_t* st = ws.stamp_of.data() - plan.lo;
          const bool far = plan.width == B.ncols;  // window rows read nearby B rows: no prefetch needed
          for (int64_t p = a_lo; p < a_hi; ++p) {
            if (far) pf.at(p);
            const int64_t k = A.indices[p];
            for (int64_t q = B.indptr[k], q_end = B.indptr[k + 1]; q < q_end; ++q) {
              const int64_t j = B.indices[q];
              if (st[j] != s) {
                st[j] = s;
                ++count;
              }
            }
          }
          break;
        }
        case RowKind::hash: {
          const int64_t size = next_pow2(2 * flop[i]);
          const uint64_t mask = static_cast<uint64_t>(size - 1);
          I* table = ws.table_of_size(size);
          for (int64_t p = a_lo; p < a_hi; ++p) {
            pf.at(p);
            const int64_t k = A.indices[p];
            for (int64_t q = B.indptr[k], q_end = B.indptr[k + 1]; q < q_end; ++q) {
              const I j = B.indices[q];
              uint64_t h = hash_slot(j, mask);
              while (true) {
                const I key = table[h];
                if (key == j) break;
                if (key == I(-1)) {
                  table[h] = j;
                  ++count;
                  break;
                }
                h = (h + 1) & mask;
              }
            }
          }
          break;
        }
      }
      row_nnz[i] = count;
      sum += count;
    }
    chunk_total[c] = sum;
  });
  int64_t total = 0;
  for (const int64_t t : chunk_total) total += t;
  return total;
}

// ------------------------------------------------------------------------------------------------ row helpers
// Insert (src_cols, src_vals)[0..n) one by one, in order, into the sorted prefix of (cols, vals) (cols only when
// !WITH_VALUES); with DROP_ZEROS, entries whose value is exactly zero are skipped (scipy drops them). Returns the
// number of entries kept. src may be cols/vals themselves when nothing is dropped (an in-place insertion sort:
// entry a is read before the prefix grows over it). Cheap for short rows and for nearly sorted sources.
template <bool WITH_VALUES, bool DROP_ZEROS = false, class I, class V>
NK_INLINE int64_t insertion_sort_into(const I* src_cols, const V* src_vals, I* cols, V* vals, int64_t n) {
  static_assert(WITH_VALUES || !DROP_ZEROS, "zeros are found through the values");
  int64_t kept = 0;
  for (int64_t a = 0; a < n; ++a) {
    V v{};
    if constexpr (WITH_VALUES) v = src_vals[a];
    if constexpr (DROP_ZEROS) {
      if (v == V(0)) continue;  // rare: a predictable branch
    }
    const I c = src_cols[a];
    int64_t b = kept - 1;
    while (b >= 0 && cols[b] > c) {
      cols[b + 1] = cols[b];
      if constexpr (WITH_VALUES) vals[b + 1] = vals[b];
      --b;
    }
    cols[b + 1] = c;
    if constexpr (WITH_VALUES) vals[b + 1] = v;
    ++kept;
  }
  return kept;
}

// Insertion sort of (cols, vals)[0..n) by column in place.
template <bool WITH_VALUES, class I, class V>
NK_INLINE void insertion_sort_row(I* cols, V* vals, int64_t n) {
  insertion_sort_into<WITH_VALUES>(cols, vals, cols, vals, n);
}

// Remove exact zeros from a row in place (order kept); returns the new length.
template <class I, class V>
int64_t drop_zeros(I* cols, V* vals, int64_t n) {
  int64_t w = 0;
  for (int64_t a = 0; a < n; ++a) {
    if (vals[a] != V(0)) {
      cols[w] = cols[a];
      vals[w] = vals[a];
      ++w;
    }
  }
  return w;
}

// Sort the row (cols, vals)[0..n) by column and, with drop, remove the entries whose value is exactly zero;
// returns the row's new length. The columns lie in [lo, lo + width) when width > 0 (the span of the row's B rows),
// else their range is measured first. Short rows (<= kBucketSortMin): insertion sort in place. Longer rows: one
// counting-sort pass into next_pow2(n) buckets by the high bits of (col - lo) into the sort buffers, then, when
// no bucket holds more than kInsertionSortMax entries, a single insertion pass back into cols/vals that also
// skips the zeros (the buffer is sorted but for a few entries per bucket, so its inner loop is short); otherwise
// each bucket is sorted on its own, std::sort for a bucket that skew made long.
// Comparison sorts of hash-ordered rows are dominated by branch mispredictions; this is O(n) mostly
// predictable work for typical rows (64 random columns: ~7.6 ns per entry, against ~14 ns for n/2 buckets with
// a sort per bucket and ~27 ns for std::sort of pairs).
template <class I, class V, class WS>
int64_t sort_row(I* cols, V* vals, int64_t n, WS& ws, int64_t lo, int64_t width, bool drop) {
  if (n <= kBucketSortMin) {
    if (drop) n = drop_zeros(cols, vals, n);
    insertion_sort_row<true>(cols, vals, n);
    return n;
  }
  int64_t hi = lo + width - 1;
  if (width <= 0) {
    lo = hi = cols[0];
    for (int64_t a = 1; a < n; ++a) {
      lo = std::min<int64_t>(lo, cols[a]);
      hi = std::max<int64_t>(hi, cols[a]);
    }
  }
  const int64_t n_buckets = next_pow2(n);
  int shift = 0;
  while (((static_cast<uint64_t>(hi - lo)) >> shift) >= static_cast<uint64_t>(n_buckets)) ++shift;
  auto& start = ws.bucket_start;
  if (static_cast<int64_t>(start.size()) < n_buckets + 1) start.resize(n_buckets + 1);
  std::fill(start.begin(), start.begin() + n_buckets + 1, int64_t(0));
  for (int64_t a = 0; a < n; ++a) ++start[((static_cast<int64_t>(cols[a]) - lo) >> shift) + 1];
  int64_t longest = 0;
  for (int64_t b = 0; b < n_buckets; ++b) {
    longest = std::max(longest, start[b + 1]);
    start[b + 1] += start[b];
  }
  if (static_cast<int64_t>(ws.sort_cols.size()) < n) ws.sort_cols.resize(n);
  if (static_cast<int64_t>(ws.sort_vals.size()) < n) ws.sort_vals.resize(n);
  I* tc = ws.sort_cols.data();
  V* tv = ws.sort_vals.data();
  for (int64_t a = 0; a < n; ++a) {
    const int64_t pos = start[(static_cast<int64_t>(cols[a]) - lo) >> shift]++;
    tc[pos] = cols[a];
    tv[pos] = vals[a];
  }
  if (longest <= kInsertionSortMax) {  // entries only move within their bucket
    return drop ? insertion_sort_into<true, true>(tc, tv, cols, vals, n)
                : insertion_sort_into<true>(tc, tv, cols, vals, n);
  }
  // start[b] is now the end of bucket b.
  int64_t b_lo = 0;
  for (int64_t b = 0; b < n_buckets; ++b) {
    const int64_t b_hi = start[b], len = b_hi - b_lo;
    if (len > kInsertionSortMax) {
      auto& buf = ws.sort_buf;
      buf.resize(len);
      for (int64_t a = 0; a < len; ++a) buf[a] = {tc[b_lo + a], tv[b_lo + a]};
      std::sort(buf.begin(), buf.begin() + len, [](const auto& x, const auto& y) { return x.first < y.first; });
      for (int64_t a = 0; a < len; ++a) {
        tc[b_lo + a] = buf[a].first;
        tv[b_lo + a] = buf[a].second;
      }
    } else if (len > 1) {
      insertion_sort_row<true>(tc + b_lo, tv + b_lo, len);
    }
    b_lo = b_hi;
  }
  std::memcpy(cols, tc, sizeof(I) * n);
  std::memcpy(vals, tv, sizeof(V) * n);
  return drop ? drop_zeros(cols, vals, n) : n;
}

NK_INLINE int count_trailing_zeros(uint64_t x) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_ctzll(x);
#else
  int c = 0;
  while (!(x & 1u)) {
    x >>= 1;
    ++c;
  }
  return c;
#endif
}

// Sort the distinct columns cols[0..n) of a dense-accumulator row, all in [lo, lo + width), without comparisons:
// set one bit per column in a bitmap of the window and one bit per touched 64-bit word in a summary bitmap, then
// read both back in order with count-trailing-zeros, clearing as it goes. O(n + width / 4096) and branch
// predictable, where a comparison sort of randomly ordered columns mispredicts about once per comparison.
template <class I, class WS>
void bitmap_sort_cols(I* cols, int64_t n, int64_t lo, int64_t width, WS& ws) {
  const int64_t n_words = (width + 63) >> 6, n_summary = (n_words + 63) >> 6;
  if (static_cast<int64_t>(ws.col_bits.size()) < n_words) ws.col_bits.resize(n_words, 0u);
  if (static_cast<int64_t>(ws.word_bits.size()) < n_summary) ws.word_bits.resize(n_summary, 0u);
  uint64_t* bits = ws.col_bits.data();
  uint64_t* summary = ws.word_bits.data();
  for (int64_t a = 0; a < n; ++a) {
    const uint64_t j = static_cast<uint64_t>(static_cast<int64_t>(cols[a]) - lo);
    bits[j >> 6] |= uint64_t(1) << (j & 63);
    summary[j >> 12] |= uint64_t(1) << ((j >> 6) & 63);
  }
  int64_t out = 0;
  for (int64_t s = 0; s < n_summary; ++s) {
    uint64_t sw = summary[s];
    summary[s] = 0;
    while (sw != 0) {
      const int64_t w = (s << 6) + count_trailing_zeros(sw);
      sw &= sw - 1;
      uint64_t bw = bits[w];
      bits[w] = 0;
      while (bw != 0) {
        cols[out++] = static_cast<I>(lo + (w << 6) + count_trailing_zeros(bw));
        bw &= bw - 1;
      }
    }
  }
}


// Rows left shorter than their capacity (dropped zeros, masked-out slots), logged per thread as (row, length).
struct ShortRows {
  std::vector<std::vector<std::pair<int64_t, int64_t>>> per_thread;
  explicit ShortRows(int nt) : per_thread(nt) {}
  void add(int64_t i, int64_t n) { per_thread[omp_thread_id()].emplace_back(i, n); }
};

// Rows were written at their capacity offsets Cp[i]; the rows logged in `short_rows` hold fewer entries than
// their capacity. Shift all rows left so the arrays are contiguous and rewrite Cp. Returns the final nnz. One
// serial pass, run only when some row is short.
template <class I, class V>
int64_t close_gaps(int64_t nrows, I* Cp, const ShortRows& short_rows, I* Cj, V* Cx) {
  std::vector<std::pair<int64_t, int64_t>> shorts;
  for (const auto& v : short_rows.per_thread) shorts.insert(shorts.end(), v.begin(), v.end());
  if (shorts.empty()) return Cp[nrows];
  std::sort(shorts.begin(), shorts.end());
  int64_t w = Cp[shorts.front().first];
  size_t next = 0;
  for (int64_t i = shorts.front().first; i < nrows; ++i) {
    const int64_t lo = Cp[i];
    int64_t n = static_cast<int64_t>(Cp[i + 1]) - lo;
    if (next < shorts.size() && shorts[next].first == i) n = shorts[next++].second;
    if (lo != w && n > 0) {
      std::memmove(Cj + w, Cj + lo, sizeof(I) * n);
      std::memmove(Cx + w, Cx + lo, sizeof(V) * n);
    }
    Cp[i] = static_cast<I>(w);
    w += n;
  }
  Cp[nrows] = static_cast<I>(w);
  return w;
}

// ------------------------------------------------------------------------------------------------ numeric
// The numeric product, row by row: operands, options and the accumulation of one output row.
template <class V, class I>
struct RowProduct {
  Csr<I> A;
  const V* Ax;
  Csr<I> B;
  const V* Bx;
  const int64_t* flop;
  bool b_canonical;
  int64_t band;
  bool sort_indices;
  bool keep_zeros;
  // Run ids of B's rows by relative structure (csr_validate_band); nullptr: no row templates.
  const I* b_run = nullptr;

  // Prefetcher for the rows of a chunk ending (exclusive) at row `row_end`.
  BRowPrefetcher<I, V> prefetcher(int64_t row_end) const {
    return {A.indices, B.indptr, B.indices, Bx, static_cast<int64_t>(A.indptr[row_end])};
  }

  // fn(j, v) for every partial product v = A[i,k] B[k,j] of A's entries [a_lo, a_hi), in storage order of A's row
  // then B's rows (the order every accumulator keeps, so all row kinds give the same sums); `prefetch` requests
  // upcoming B rows (far rows; window rows read nearby B rows).
  template <class F>
  NK_INLINE void for_each_product(int64_t a_lo, int64_t a_hi, const BRowPrefetcher<I, V>& pf, bool prefetch,
                                  F&& fn) const {
    for (int64_t p = a_lo; p < a_hi; ++p) {
      if (prefetch) pf.at(p);
      const int64_t k = A.indices[p];
      const V a = Ax[p];
      for (int64_t q = B.indptr[k], q_end = B.indptr[k + 1]; q < q_end; ++q) fn(B.indices[q], mul(a, Bx[q]));
    }
  }

  // Row i of A B into cols/vals, which have room for `cap` entries, cap >= the row's structural count (its
  // symbolic count or its flop bound; hash tables are sized from it). Sorted when sort_indices, exact-zero sums
  // dropped unless keep_zeros. Returns the row's length.
  int64_t row(int64_t i, int64_t cap, const BRowPrefetcher<I, V>& pf, Workspace<I, V>& ws, I* cols, V* vals) const {
    const int64_t a_lo = A.indptr[i], a_hi = A.indptr[i + 1];
    int64_t n = 0;
    bool sorted = false;
    const RowPlan plan = classify_row(A, B, i, flop[i], b_canonical, band);
    switch (plan.kind) {
      case RowKind::empty:
        return 0;
      case RowKind::single: {
        for (int64_t p = a_lo; p < a_hi; ++p) {
          const int64_t k = A.indices[p];
          if (B.indptr[k + 1] > B.indptr[k]) {
            const int64_t q = B.indptr[k];
            cols[0] = B.indices[q];
            vals[0] = mul(Ax[p], Bx[q]);
            n = 1;
            break;
          }
        }
        sorted = true;
        break;
      }
      case RowKind::direct: {
        const V a = Ax[a_lo];
        const int64_t k = A.indices[a_lo];
        for (int64_t q = B.indptr[k], q_end = B.indptr[k + 1]; q < q_end; ++q, ++n) {
          cols[n] = B.indices[q];
          vals[n] = mul(a, Bx[q]);
        }
        sorted = true;  // B canonical: rows sorted, no duplicates
        break;
      }
      case RowKind::hash: {
        const int64_t size = next_pow2(2 * cap);
        const uint64_t mask = static_cast<uint64_t>(size - 1);
        I* table = ws.table_of_size(size);
        if (static_cast<int64_t>(ws.table_pos.size()) < size) ws.table_pos.resize(size);
        I* slot_pos = ws.table_pos.data();
        for_each_product(a_lo, a_hi, pf, true, [&](I j, const V& v) {
          for (uint64_t h = hash_slot(j, mask);; h = (h + 1) & mask) {
            const I key = table[h];
            if (key == j) {
              vals[slot_pos[h]] += v;
              return;
            }
            if (key == I(-1)) {
              table[h] = j;
              slot_pos[h] = static_cast<I>(n);
              cols[n] = j;
              vals[n] = v;
              ++n;
              return;
            }
          }
        });
        break;
      }
      case RowKind::dense:
        // classify_row's long rows (a window row has fewer products: flop * kDenseRatio <= ncols)
        if (flop[i] * kDenseRatio > B.ncols) return full_dense_row(a_lo, a_hi, pf, ws, cols, vals);
        // window rows (classify_row forms them only with B canonical) narrower than B
        if (plan.width != B.ncols && b_run != nullptr && flop[i] <= kMaxTemplateFlop)
          return template_row(i, a_lo, a_hi, plan, pf, ws, cols, vals);
        return dense_row(a_lo, a_hi, plan, pf, ws, cols, vals);
    }
    if (sort_indices && !sorted && n > 1) return sort_row(cols, vals, n, ws, plan.lo, plan.width, !keep_zeros);
    return keep_zeros ? n : drop_zeros(cols, vals, n);
  }

  // Window row i through the thread's row template: replayed when the row has the recorded relative structure,
  // else recorded from this row (unless recent recordings were never replayed: then rows are accumulated for a
  // doubling number of rows first, so rows that never repeat, such as small random matrices, pay ~nothing).
  int64_t template_row(int64_t i, int64_t a_lo, int64_t a_hi, const RowPlan& plan, const BRowPrefetcher<I, V>& pf,
                       Workspace<I, V>& ws, I* cols, V* vals) const {
    RowTemplate<I>& t = ws.row_template;
    int64_t n = replay_row(i, a_lo, a_hi, t, cols, vals);
    if (n >= 0) {
      ++t.hits;
      return n;
    }
    if (t.skip > 0) {
      --t.skip;
      return dense_row(a_lo, a_hi, plan, pf, ws, cols, vals);
    }
    if (t.a_len >= 0 && t.hits == 0) {
      t.backoff = std::min<int64_t>(2 * t.backoff + 1, 1024);
      t.skip = t.backoff;
    } else {
      t.backoff = 0;
    }
    record_row(i, a_lo, a_hi, plan, ws);
    return replay_row(i, a_lo, a_hi, t, cols, vals);  // matches: recorded from this row
  }

  // One recorded partial product into its slot: assigned when it opens the slot (code ~slot), else added.
  static NK_INLINE void add_product(const V& v, int32_t code, V* vals) {
    if (code >= 0)
      vals[code] += v;
    else
      vals[~code] = v;
  }
  template <int LEN>
  static NK_INLINE void replay_products(const V a, const V* bx, const int32_t* slot, V* vals) {
    for (int e = 0; e < LEN; ++e) add_product(mul(a, bx[e]), slot[e], vals);
  }

  // Row i by the template: -1 (cols/vals partly overwritten) when its structure differs from the recording, else
  // its length after dropping exact zeros (unless keep_zeros).
  NK_INLINE int64_t replay_row(int64_t i, int64_t a_lo, int64_t a_hi, const RowTemplate<I>& t, I* cols, V* vals) const {
    return t.by_segments ? replay_row<true>(i, a_lo, a_hi, t, cols, vals)
                         : replay_row<false>(i, a_lo, a_hi, t, cols, vals);
  }
  template <bool BY_SEGMENTS>
  NK_INLINE int64_t replay_row(int64_t i, int64_t a_lo, int64_t a_hi, const RowTemplate<I>& t, I* cols, V* vals) const {
    if (a_hi - a_lo != t.a_len || flop[i] != t.flop) return -1;
    const I base = A.indices[a_lo];
    // the span of A's row first: rows that do not repeat (random patterns) fail here, before any product
    if (A.indices[a_hi - 1] - base != t.a_off[a_hi - a_lo - 1]) return -1;
    const typename RowTemplate<I>::Segment* seg = t.segments.data();
    const int32_t* slot = t.slot.data();
    int64_t r = 0;
    for (int64_t p = a_lo; p < a_hi; ++p, ++r) {
      const I k = A.indices[p];
      if (k - base != t.a_off[r] || b_run[k] != t.b_run[r]) return -1;
      const int64_t q_lo = B.indptr[k];
      const V a = Ax[p];
      if constexpr (BY_SEGMENTS) {
        for (const auto* seg_end = seg + (t.seg_begin[r + 1] - t.seg_begin[r]); seg < seg_end; ++seg) {
          const V* bx = Bx + q_lo + seg->pos;
          V* out = vals + seg->slot;
          for (int32_t e = 0; e < seg->n_add; ++e) out[e] += mul(a, bx[e]);
          for (int32_t e = seg->n_add; e < seg->len; ++e) out[e] = mul(a, bx[e]);
        }
      } else {
        // B rows of up to 8 entries (stencils) through a fully unrolled loop: no loop control per product.
        const int64_t len = t.b_len[r];  // the recorded B row's length: same run, same structure
        const V* bx = Bx + q_lo;
        switch (len) {
          case 1: replay_products<1>(a, bx, slot, vals); break;
          case 2: replay_products<2>(a, bx, slot, vals); break;
          case 3: replay_products<3>(a, bx, slot, vals); break;
          case 4: replay_products<4>(a, bx, slot, vals); break;
          case 5: replay_products<5>(a, bx, slot, vals); break;
          case 6: replay_products<6>(a, bx, slot, vals); break;
          case 7: replay_products<7>(a, bx, slot, vals); break;
          case 8: replay_products<8>(a, bx, slot, vals); break;
          default:
            for (int64_t e = 0; e < len; ++e) add_product(mul(a, bx[e]), slot[e], vals);
        }
        slot += len;
      }
    }
    const I* out_off = t.out_off.data();
    // Two loops, each vectorised (one mixed loop is not).
    for (int64_t c = 0; c < t.n_out; ++c) cols[c] = base + out_off[c];
    if (keep_zeros) return t.n_out;
    // Exact-zero sums: rare, removed by a second pass when present. Four compares per step, combined without
    // branches (the compiler does not vectorise a compare-and-or over doubles).
    bool any_zero = false;
    int64_t c = 0;
    for (; c + 4 <= t.n_out; c += 4)
      any_zero |= (vals[c] == V(0)) | (vals[c + 1] == V(0)) | (vals[c + 2] == V(0)) | (vals[c + 3] == V(0));
    for (; c < t.n_out; ++c) any_zero |= vals[c] == V(0);
    return any_zero ? drop_zeros(cols, vals, t.n_out) : t.n_out;
  }

  // Record row i's structure into the thread's template: its distinct columns in dense_row's output order (first
  // occurrence, sorted when sort_indices) and the slot every partial product adds into.
  void record_row(int64_t i, int64_t a_lo, int64_t a_hi, const RowPlan& plan, Workspace<I, V>& ws) const {
    RowTemplate<I>& t = ws.row_template;
    const I base = A.indices[a_lo];
    t.a_len = a_hi - a_lo;
    t.flop = flop[i];
    t.hits = 0;
    t.a_off.clear();
    t.b_len.clear();
    t.b_run.clear();
    t.b_off.clear();
    t.out_off.clear();
    const uint32_t s = ws.next_stamp(plan.width, false);
    uint32_t* st = ws.stamp_of.data() - plan.lo;
    for (int64_t p = a_lo; p < a_hi; ++p) {
      const int64_t k = A.indices[p];
      t.a_off.push_back(static_cast<I>(k) - base);
      t.b_len.push_back(static_cast<int64_t>(B.indptr[k + 1]) - B.indptr[k]);
      t.b_run.push_back(b_run[k]);
      for (int64_t q = B.indptr[k], q_end = B.indptr[k + 1]; q < q_end; ++q) {
        const int64_t j = B.indices[q];
        t.b_off.push_back(static_cast<I>(j - k));
        if (st[j] != s) {
          st[j] = s;
          t.out_off.push_back(static_cast<I>(j) - base);
        }
      }
    }
    if (sort_indices) std::sort(t.out_off.begin(), t.out_off.end());
    t.n_out = static_cast<int64_t>(t.out_off.size());
    if (static_cast<int64_t>(t.slot_of.size()) < plan.width) t.slot_of.resize(plan.width);
    int32_t* slot_of = t.slot_of.data() - (plan.lo - base);  // indexed by output column - base
    for (int64_t c = 0; c < t.n_out; ++c) slot_of[t.out_off[c]] = static_cast<int32_t>(c);
    t.slot.resize(t.b_off.size());
    const uint32_t first = ws.next_stamp(plan.width, false);  // marks slots whose first product was seen
    int64_t x = 0;
    for (int64_t r = 0; r < t.a_len; ++r) {
      const int64_t k_off = t.a_off[r];  // k - base
      for (int64_t e = 0; e < t.b_len[r]; ++e, ++x) {
        const int64_t j_off = k_off + t.b_off[x];
        const int32_t c = slot_of[j_off];
        if (st[base + j_off] != first) {
          st[base + j_off] = first;
          t.slot[x] = ~c;
        } else {
          t.slot[x] = c;
        }
      }
    }
    // Cut every B row into segments (see RowTemplate).
    t.segments.clear();
    t.seg_begin.assign(1, 0);
    x = 0;
    for (int64_t r = 0; r < t.a_len; ++r) {
      for (int64_t e = 0; e < t.b_len[r];) {
        const int64_t x0 = x;
        const bool opens0 = t.slot[x0] < 0;
        int64_t n_add = opens0 ? 0 : 1;
        ++e;
        ++x;
        for (; e < t.b_len[r]; ++e, ++x) {
          const bool opens = t.slot[x] < 0;
          if (t.b_off[x] != t.b_off[x - 1] + 1 || slot_of_code(t.slot[x]) != slot_of_code(t.slot[x - 1]) + 1) break;
          if (!opens && n_add != x - x0) break;  // an add after an opening entry: new segment
          if (!opens) ++n_add;
        }
        typename RowTemplate<I>::Segment sg;
        sg.pos = static_cast<int32_t>(x0 - (x - e));
        sg.slot = slot_of_code(t.slot[x0]);
        sg.len = static_cast<int32_t>(x - x0);
        sg.n_add = static_cast<int32_t>(n_add);
        t.segments.push_back(sg);
      }
      t.seg_begin.push_back(static_cast<int64_t>(t.segments.size()));
    }
    // A segment costs about as much as three single products: short segments (the 5-point stencil's 1-3-1)
    // replay product by product, checking each column.
    t.by_segments = t.flop >= kMinSegmentLength * static_cast<int64_t>(t.segments.size());
  }

  // Row over all of B's columns with many partial products per column (flop * kDenseRatio > ncols: hubs of
  // power-law graphs). Every partial product is added, without a branch, into a column sum preset to the additive
  // identity (so the first addition stores the product bit for bit, as dense_row's assignment does) and marks its
  // column in a bitmap; the row is then read back from the bitmap in column order (sorted at no extra cost) and
  // the sums reset. dense_row's first-touch test mispredicts on about half of these rows' products (half of them
  // open a column), and its sort pass is saved. The bitmap scan, ncols / 64 words, is under a quarter of the flop.
  int64_t full_dense_row(int64_t a_lo, int64_t a_hi, const BRowPrefetcher<I, V>& pf, Workspace<I, V>& ws, I* cols,
                         V* vals) const {
    V* sum = ws.sums_of_width(B.ncols);
    uint64_t* bits = ws.col_bits.data();
    for_each_product(a_lo, a_hi, pf, true, [&](I col, const V& v) {
      const uint64_t j = static_cast<uint64_t>(static_cast<int64_t>(col));
      sum[j] += v;
      bits[j >> 6] |= uint64_t(1) << (j & 63);
    });
    const V identity = AdditiveIdentity<V>::value();
    const int64_t n_words = (B.ncols + 63) >> 6;
    int64_t n = 0;
    for (int64_t w = 0; w < n_words; ++w) {
      uint64_t word = bits[w];
      if (word == 0) continue;
      bits[w] = 0;
      do {
        const int64_t j = (w << 6) + count_trailing_zeros(word);
        word &= word - 1;
        const V v = sum[j];
        sum[j] = identity;
        cols[n] = static_cast<I>(j);
        vals[n] = v;
        n += keep_zeros || v != V(0);
      } while (word != 0);
    }
    return n;
  }

  // Dense accumulator over the columns [plan.lo, plan.lo + plan.width) (stamps: no clearing between rows).
  int64_t dense_row(int64_t a_lo, int64_t a_hi, const RowPlan& plan, const BRowPrefetcher<I, V>& pf, Workspace<I, V>& ws,
                    I* cols, V* vals) const {
    const uint32_t s = ws.next_stamp(plan.width, true);
    uint32_t* st = ws.stamp_of.data() - plan.lo;
    V* acc = ws.dense_val.data() - plan.lo;
    const bool far = plan.width == B.ncols;  // window rows read nearby B rows: no prefetch needed
    int64_t n = 0;
    for_each_product(a_lo, a_hi, pf, far, [&](I j, const V& v) {
      if (st[j] != s) {
        st[j] = s;
        acc[j] = v;
        cols[n++] = j;
      } else {
        acc[j] += v;
      }
    });
    // Columns only need sorting here: short rows by insertion (stencil rows arrive nearly sorted), longer ones
    // through the window bitmap, then the values are gathered in that order.
    if (sort_indices && n > 1) {
      if (n <= kInsertionSortMax)
        insertion_sort_row<false>(cols, static_cast<V*>(nullptr), n);
      else
        bitmap_sort_cols(cols, n, plan.lo, plan.width, ws);
    }
    if (keep_zeros) {
      for (int64_t a = 0; a < n; ++a) vals[a] = acc[cols[a]];
      return n;
    }
    int64_t w = 0;  // gather and drop exact zeros in one pass
    for (int64_t a = 0; a < n; ++a) {
      const I j = cols[a];
      const V v = acc[j];
      cols[w] = j;
      vals[w] = v;
      w += (v != V(0));
    }
    return w;
  }
};

// Two-pass numeric phase: fill C = A B given Cp = exclusive prefix sum of the symbolic row counts (capacity
// offsets); Cj/Cx have room for Cp[nrows] entries. Returns the final nnz (Cp is rewritten when rows came out
// shorter than their structural count). Used by spgemm_plan and when the flop bound does not fit the index type.
template <class V, class I>
int64_t spgemm_numeric(const RowProduct<V, I>& P, int64_t total_flop, I* Cp, I* Cj, V* Cx, int n_threads) {
  const int nt = threads_for(total_flop, n_threads);
  const std::vector<int64_t> chunks = thread_chunks(P.flop, P.A.nrows, total_flop, nt);
  const int64_t n_chunks = static_cast<int64_t>(chunks.size()) - 1;
  ShortRows short_rows(nt);
  for_each_chunk<Workspace<I, V>>(nt, n_chunks, [&](int64_t c, Workspace<I, V>& ws) {
    const BRowPrefetcher<I, V> pf = P.prefetcher(chunks[c + 1]);
    for (int64_t i = chunks[c]; i < chunks[c + 1]; ++i) {
      const int64_t off = Cp[i], cap = static_cast<int64_t>(Cp[i + 1]) - off;
      const int64_t n = P.row(i, cap, pf, ws, Cj + off, Cx + off);
      if (n < cap) short_rows.add(i, n);
    }
  });
  return close_gaps(P.A.nrows, Cp, short_rows, Cj, Cx);
}

// ------------------------------------------------------------------------------------------------ single pass
// Work (flop) per chunk of the single-pass product on several threads: a chunk's output (<= its flop) then stays
// in a staging buffer of at most ~3 MB (float64, int32) that is reused, so it is copied out of cache. Measured on
// the squared 2-D/3-D Laplacians and the band on 2 threads, 2^18 beats 2^16 by 10-17% (minimum times): two threads
// writing chunks of a few hundred KB side by side keep faulting the same 2 MB huge page of the fresh output
// (one waits while the other zeroes it); 2^19 and 2^20 were slower again (staging buffers out of L2).
inline constexpr int64_t kStreamChunkFlop = int64_t(1) << 18;

// Staging buffer of one chunk: uninitialised storage (only the written prefix is ever touched), grown on demand.
template <class I, class V>
struct ChunkBuffer {
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  std::unique_ptr<I, Free> cols;
  std::unique_ptr<V, Free> vals;
  int64_t cap = 0;
  void reserve(int64_t n) {
    if (n <= cap) return;
    cols.reset(static_cast<I*>(std::malloc(sizeof(I) * n)));
    vals.reset(static_cast<V*>(std::malloc(sizeof(V) * n)));
    if (!cols || !vals) throw std::bad_alloc();
    cap = n;
  }
};

// Single-pass product, no symbolic phase. Cj/Cx have room for total_flop entries (the flop bound of nnz), of
// which only the first nnz are written; Cp is filled here. Returns nnz; the caller shrinks Cj/Cx in place.
//
// One thread: rows are written back to back straight into Cj/Cx.
// Several threads: rows are split into chunks of ~kStreamChunkFlop work, handed out dynamically in row order.
// A chunk's offset in Cj/Cx (the sum of the counts of all earlier chunks) is published as soon as every earlier
// chunk is finished. A chunk whose offset is known writes its rows straight into Cj/Cx; one whose offset is not
// known yet writes them back to back into a staging buffer from a shared pool (Cp then holds offsets local to the
// chunk) and, after every row, checks whether its offset has been published: if so it copies what it staged to
// its offset, returns the buffer and writes the rest of its rows in place. A chunk finished before its offset is
// known stays staged; whichever thread completes the prefix of finished chunks queues it, and free threads copy
// queued chunks to their offsets, add the offset to their Cp entries and return the buffers. With two threads
// in step, a chunk is staged until the chunk before it ends: about half of the output is copied once, from
// cache. Rows are computed exactly as on one thread (one thread per row, same order), so the result is bitwise
// the same for every thread count and chunking.
// Why not one contiguous range per thread, staged and copied at the end: every staged entry would be written to
// fresh memory twice; first touches of pages cost here about as much as the symbolic pass saves (~45 ms per
// 150 MB), the staging would double the resident output, and static ranges balance badly on a shared machine.
// Memory: output (written prefix of Cj/Cx) + pool buffers. The pool holds the chunks in flight that do not know
// their offset (at most one per thread) plus those finished ahead of an unfinished predecessor; each buffer is
// sized to the largest chunk flop bound it served but only its written prefix (<= the chunk's structural nnz)
// is resident. Balanced chunks keep this at about one buffer (< 4 MB) per thread; in the worst case (one chunk
// much slower than all later ones) it reaches the output of the later chunks, i.e. at most the output size.
template <class V, class I>
int64_t spgemm_single_pass(const RowProduct<V, I>& P, int64_t total_flop, I* Cp, I* Cj, V* Cx, int n_threads) {
  const int64_t m = P.A.nrows;
  const int nt = threads_for(total_flop, n_threads);
  Cp[0] = 0;
  // At most 2^20 chunks: keeps flop_chunks' products (work * n_chunks) far from int64 overflow.
  const int64_t wanted =
      nt == 1 ? 1
              : std::min<int64_t>(int64_t(1) << 20,
                                  std::max<int64_t>(8 * static_cast<int64_t>(nt), total_flop / kStreamChunkFlop));
  const std::vector<int64_t> chunks = flop_chunks(P.flop, m, total_flop, wanted);
  const int64_t n_chunks = static_cast<int64_t>(chunks.size()) - 1;
  using Buffer = ChunkBuffer<I, V>;
  struct Finished {
    Buffer* buf = nullptr;  // staged rows still to copy; nullptr: written in place
    int64_t nnz = -1;       // -1: not finished
  };
  struct Placed {
    int64_t chunk, offset;
    Buffer* buf;
    int64_t nnz;
  };
  // offset[c] of chunk c in Cj/Cx, -1 until every earlier chunk is finished (then written once, under mu).
  std::unique_ptr<std::atomic<int64_t>[]> offset(new std::atomic<int64_t>[n_chunks]);
  for (int64_t c = 0; c < n_chunks; ++c) offset[c].store(c == 0 ? 0 : -1, std::memory_order_relaxed);
  std::mutex mu;  // guards everything below
  std::condition_variable wake;  // copies queued, or every chunk in place
  std::vector<Finished> finished(n_chunks);
  int64_t next_to_place = 0, placed_nnz = 0, n_done = 0;  // n_done: chunks whose rows are all in Cj/Cx
  std::vector<Placed> to_copy;  // finished staged chunks whose offset is known, copied by whichever thread is free
  size_t copy_head = 0;
  std::vector<std::unique_ptr<Buffer>> pool;
  std::vector<Buffer*> idle;

  auto acquire = [&]() {
    std::lock_guard<std::mutex> lock(mu);
    if (idle.empty()) {
      pool.push_back(std::make_unique<Buffer>());
      return pool.back().get();
    }
    Buffer* b = idle.back();
    idle.pop_back();
    return b;
  };
  auto release = [&](Buffer* b) {
    std::lock_guard<std::mutex> lock(mu);
    idle.push_back(b);
  };
  // Staged rows [r_lo, r_end) of a chunk, `n` entries, to their offset `off`.
  auto unstage = [&](const Buffer* b, int64_t r_lo, int64_t r_end, int64_t n, int64_t off) {
    std::memcpy(Cj + off, b->cols.get(), sizeof(I) * n);
    std::memcpy(Cx + off, b->vals.get(), sizeof(V) * n);
    for (int64_t i = r_lo; i < r_end; ++i) Cp[i + 1] += static_cast<I>(off);
  };
  // Copy queued chunks until none is waiting (every thread helps, so a thread that the OS has descheduled does
  // not hold up the copies of the chunks that finished while it was away).
  auto drain = [&]() {
    while (true) {
      Placed r;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (copy_head == to_copy.size()) return;
        r = to_copy[copy_head++];
      }
      unstage(r.buf, chunks[r.chunk], chunks[r.chunk + 1], r.nnz, r.offset);
      std::lock_guard<std::mutex> lock(mu);
      idle.push_back(r.buf);
      if (++n_done == n_chunks) wake.notify_all();
    }
  };
  auto finish = [&](int64_t c, Buffer* staged, int64_t nnz) {
    {
      std::lock_guard<std::mutex> lock(mu);
      finished[c] = {staged, nnz};
      if (next_to_place == c) {
        for (; next_to_place < n_chunks && finished[next_to_place].nnz >= 0; ++next_to_place) {
          const Finished& f = finished[next_to_place];
          if (f.buf != nullptr)
            to_copy.push_back({next_to_place, placed_nnz, f.buf, f.nnz});
          else
            ++n_done;
          placed_nnz += f.nnz;
        }
        if (next_to_place < n_chunks) offset[next_to_place].store(placed_nnz, std::memory_order_release);
        if (copy_head < to_copy.size() || n_done == n_chunks) wake.notify_all();
      }
    }
    drain();
  };
  // No chunk left to start: help with the copies until every chunk is in place (sleeping, not spinning, while
  // another thread finishes its last chunk: on a shared machine a spinning thread takes the core from others).
  auto epilogue = [&]() {
    while (true) {
      drain();
      std::unique_lock<std::mutex> lock(mu);
      wake.wait(lock, [&] { return copy_head < to_copy.size() || n_done == n_chunks; });
      if (n_done == n_chunks) return;
    }
  };

  for_each_chunk<Workspace<I, V>>(
      nt, n_chunks,
      [&](int64_t c, Workspace<I, V>& ws) {
        const int64_t r_lo = chunks[c], r_hi = chunks[c + 1];
        int64_t base = offset[c].load(std::memory_order_acquire);  // -1: staged
        Buffer* buf = nullptr;
        I* cols = Cj + std::max<int64_t>(base, 0);
        V* vals = Cx + std::max<int64_t>(base, 0);
        if (base < 0) {
          int64_t bound = 0;
          for (int64_t i = r_lo; i < r_hi; ++i) bound += P.flop[i];
          buf = acquire();
          buf->reserve(bound);
          cols = buf->cols.get();
          vals = buf->vals.get();
        }
        const BRowPrefetcher<I, V> pf = P.prefetcher(r_hi);
        int64_t w = 0;  // entries of this chunk so far
        for (int64_t i = r_lo; i < r_hi; ++i) {
          w += P.row(i, P.flop[i], pf, ws, cols + w, vals + w);
          Cp[i + 1] = static_cast<I>(std::max<int64_t>(base, 0) + w);
          if (buf != nullptr && i + 1 < r_hi) {
            const int64_t off = offset[c].load(std::memory_order_acquire);
            if (off >= 0) {  // the chunk before has finished: move what is staged, continue in place
              unstage(buf, r_lo, i + 1, w, off);
              release(buf);
              buf = nullptr;
              base = off;
              cols = Cj + off;
              vals = Cx + off;
            }
          }
        }
        finish(c, buf, w);
      },
      epilogue);
  return placed_nnz;
}

// ------------------------------------------------------------------------------------------------ on a pattern
// Values of A B on a given sorted, duplicate-free pattern (Cp, Cj): used to re-run the numeric phase of a plan
// when only values change, and for the masked product C = (A B) .* pattern(M). Every partial product whose
// column is in the pattern row is accumulated into that slot; other partial products are skipped (the mask).
// Slots that received no partial product are removed, as are exact zeros unless keep_zeros; Cp/Cj are rewritten
// in place (they must be the caller's private copies). Returns the final nnz.
template <class V, class I>
int64_t spgemm_on_pattern(const Csr<I>& A, const V* Ax, const Csr<I>& B, const V* Bx, const int64_t* flop,
                          int64_t total_flop, I* Cp, I* Cj, V* Cx, bool keep_zeros, int n_threads) {
  const int64_t work = total_flop + static_cast<int64_t>(Cp[A.nrows]);
  const int nt = threads_for(work, n_threads);
  const std::vector<int64_t> chunks = thread_chunks(flop, A.nrows, total_flop, nt);
  const int64_t n_chunks = static_cast<int64_t>(chunks.size()) - 1;
  const int64_t ncols = B.ncols;
  ShortRows short_rows(nt);
  for_each_chunk<Workspace<I, V>>(nt, n_chunks, [&](int64_t c, Workspace<I, V>& ws) {
    for (int64_t i = chunks[c]; i < chunks[c + 1]; ++i) {
      const int64_t off = Cp[i], len = static_cast<int64_t>(Cp[i + 1]) - off;
      I* cols = Cj + off;
      V* vals = Cx + off;
      int64_t n = 0;
      if (len > 0 && flop[i] > 0) {
        if (static_cast<int64_t>(ws.hit.size()) < len) ws.hit.resize(len);
        unsigned char* hit = ws.hit.data();
        std::fill(hit, hit + len, 0);
        std::fill(vals, vals + len, V(0));
        const bool dense = len * kDenseRatio > ncols;
        I* table = nullptr;
        I* pos_of = nullptr;
        uint64_t mask = 0;
        if (dense) {
          if (static_cast<int64_t>(ws.dense_pos.size()) < ncols) ws.dense_pos.assign(ncols, I(0));
          pos_of = ws.dense_pos.data();
          for (int64_t a = 0; a < len; ++a) pos_of[cols[a]] = static_cast<I>(a + 1);
        } else {
          const int64_t size = next_pow2(2 * len);
          mask = static_cast<uint64_t>(size - 1);
          table = ws.table_of_size(size);
          for (int64_t a = 0; a < len; ++a) {
            uint64_t h = hash_slot(cols[a], mask);
            while (table[h] != I(-1)) h = (h + 1) & mask;
            table[h] = static_cast<I>(a);
          }
        }
        for (int64_t p = A.indptr[i], p_end = A.indptr[i + 1]; p < p_end; ++p) {
          const int64_t k = A.indices[p];
          const V a = Ax[p];
          for (int64_t q = B.indptr[k], q_end = B.indptr[k + 1]; q < q_end; ++q) {
            const I j = B.indices[q];
            int64_t slot = -1;
            if (dense) {
              slot = static_cast<int64_t>(pos_of[j]) - 1;
            } else {
              uint64_t h = hash_slot(j, mask);
              while (true) {
                const I pos = table[h];
                if (pos == I(-1)) break;
                if (cols[pos] == j) {
                  slot = pos;
                  break;
                }
                h = (h + 1) & mask;
              }
            }
            if (slot >= 0) {
              vals[slot] += mul(a, Bx[q]);
              hit[slot] = 1;
            }
          }
        }
        if (dense)
          for (int64_t a = 0; a < len; ++a) pos_of[cols[a]] = I(0);
        for (int64_t a = 0; a < len; ++a) {
          if (hit[a] && (keep_zeros || vals[a] != V(0))) {
            cols[n] = cols[a];
            vals[n] = vals[a];
            ++n;
          }
        }
      }
      if (n < len) short_rows.add(i, n);
    }
  });
  return close_gaps(A.nrows, Cp, short_rows, Cj, Cx);
}

}  // namespace numkern::sparse
