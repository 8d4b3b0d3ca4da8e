// numkern/sparse/spgemm/row_product.hpp: the numeric product of one output row (RowProduct): its operands and
// options, the partial-product stream every accumulator reads, and the choice of accumulator by row kind (single
// product, one B row copied, hash table, dense window, row template, full-width dense row). The accumulators are in
// rows_dense.hpp and rows_template.hpp. Part of the SpGEMM kernel (numkern/sparse/spgemm.hpp: the umbrella header,
// with the design notes and references).
#pragma once

#include <cstdint>

#include "numkern/config.hpp"
#include "numkern/sparse/spgemm/accumulators.hpp"
#include "numkern/sparse/spgemm/csr.hpp"
#include "numkern/sparse/spgemm/hash.hpp"
#include "numkern/sparse/spgemm/row_sort.hpp"
#include "numkern/sparse/spgemm/rows_dense.hpp"
#include "numkern/sparse/spgemm/rows_template.hpp"
#include "numkern/sparse/spgemm/schedule.hpp"

namespace numkern::sparse {

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
        const int64_t size = hash_table_size(cap);
        const uint64_t mask = static_cast<uint64_t>(size - 1);
        I* table = ws.table_of_size(size);
        if (static_cast<int64_t>(ws.table_pos.size()) < size) ws.table_pos.resize(size);
        I* slot_pos = ws.table_pos.data();
        for_each_product(a_lo, a_hi, pf, true, [&](I j, const V& v) {
          const uint64_t h = find_slot(table, j, mask, I(-1));
          if (table[h] == j) {
            vals[slot_pos[h]] += v;
          } else {
            table[h] = j;
            slot_pos[h] = static_cast<I>(n);
            cols[n] = j;
            vals[n] = v;
            ++n;
          }
        });
        break;
      }
      case RowKind::dense:
        // classify_row's long rows (a window row has fewer products: flop * kDenseRatio <= ncols)
        if (flop[i] * kDenseRatio > B.ncols) return full_dense_row(*this, a_lo, a_hi, pf, ws, cols, vals);
        // window rows (classify_row forms them only with B canonical) narrower than B
        if (plan.width != B.ncols && b_run != nullptr && flop[i] <= kMaxTemplateFlop)
          return template_row(*this, i, a_lo, a_hi, plan, pf, ws, cols, vals);
        return dense_row(*this, a_lo, a_hi, plan, pf, ws, cols, vals);
    }
    if (sort_indices && !sorted && n > 1) return sort_row(cols, vals, n, ws, plan.lo, plan.width, !keep_zeros);
    return keep_zeros ? n : drop_zeros(cols, vals, n);
  }
};

}  // namespace numkern::sparse
