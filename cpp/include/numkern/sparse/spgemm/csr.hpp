// numkern/sparse/spgemm/csr.hpp: CSR views, scalar helpers and the validation pass (bandwidth, flop counts, run ids,
// canonical form).
// Part of the SpGEMM kernel (numkern/sparse/spgemm.hpp: the umbrella header, with the design notes and references).
#pragma once

#include <algorithm>
#include <complex>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "numkern/config.hpp"
#include "numkern/parallel.hpp"

namespace numkern::sparse {

// Products below this many partial products run on one thread: thread start-up would cost more than it saves.
inline constexpr int64_t kSerialFlopCutoff = 1 << 16;

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

}  // namespace numkern::sparse
