// numkern/sparse/spgemm/rows_dense.hpp: the dense accumulators of one output row: a window of columns with stamps
// (dense_row) and the full width of B with a column bitmap (full_dense_row). Called by RowProduct::row
// (row_product.hpp). Part of the SpGEMM kernel (numkern/sparse/spgemm.hpp: the umbrella header, with the design
// notes and references).
#pragma once

#include <cstdint>

#include "numkern/config.hpp"
#include "numkern/sparse/spgemm/accumulators.hpp"
#include "numkern/sparse/spgemm/csr.hpp"
#include "numkern/sparse/spgemm/row_sort.hpp"
#include "numkern/sparse/spgemm/schedule.hpp"

namespace numkern::sparse {

template <class V, class I>
struct RowProduct;  // row_product.hpp

// Row over all of B's columns with many partial products per column (flop * kDenseRatio > ncols: hubs of
// power-law graphs). Every partial product is added, without a branch, into a column sum preset to the additive
// identity (so the first addition stores the product bit for bit, as dense_row's assignment does) and marks its
// column in a bitmap; the row is then read back from the bitmap in column order (sorted at no extra cost) and
// the sums reset. dense_row's first-touch test mispredicts on about half of these rows' products (half of them
// open a column), and its sort pass is saved. The bitmap scan, ncols / 64 words, is under a quarter of the flop.
template <class V, class I>
int64_t full_dense_row(const RowProduct<V, I>& P, int64_t a_lo, int64_t a_hi, const BRowPrefetcher<I, V>& pf,
                       Workspace<I, V>& ws, I* cols, V* vals) {
  const bool keep_zeros = P.keep_zeros;
  V* sum = ws.sums_of_width(P.B.ncols);
  uint64_t* bits = ws.col_bits.data();
  P.for_each_product(a_lo, a_hi, pf, true, [&](I col, const V& v) {
    const uint64_t j = static_cast<uint64_t>(static_cast<int64_t>(col));
    sum[j] += v;
    bits[j >> 6] |= uint64_t(1) << (j & 63);
  });
  const V identity = AdditiveIdentity<V>::value();
  const int64_t n_words = (P.B.ncols + 63) >> 6;
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
template <class V, class I>
int64_t dense_row(const RowProduct<V, I>& P, int64_t a_lo, int64_t a_hi, const RowPlan& plan,
                  const BRowPrefetcher<I, V>& pf, Workspace<I, V>& ws, I* cols, V* vals) {
  const uint32_t s = ws.next_stamp(plan.width, true);
  uint32_t* st = ws.stamp_of.data() - plan.lo;
  V* acc = ws.dense_val.data() - plan.lo;
  const bool far = plan.width == P.B.ncols;  // window rows read nearby B rows: no prefetch needed
  int64_t n = 0;
  P.for_each_product(a_lo, a_hi, pf, far, [&](I j, const V& v) {
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
  if (P.sort_indices && n > 1) {
    if (n <= kInsertionSortMax)
      insertion_sort_row<false>(cols, static_cast<V*>(nullptr), n);
    else
      bitmap_sort_cols(cols, n, plan.lo, plan.width, ws);
  }
  if (P.keep_zeros) {
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
}  // namespace numkern::sparse
