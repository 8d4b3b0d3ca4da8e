// numkern/sparse/spgemm/rows_template.hpp: row templates, the accumulator of repeating window rows (stencils,
// bands): a row's relative structure and the slot of every partial product are recorded once, and later rows with
// the same structure replay them with no column test. Called by RowProduct::row (row_product.hpp). Part of the
// SpGEMM kernel (numkern/sparse/spgemm.hpp: the umbrella header, with the design notes and references).
#pragma once

#include <algorithm>
#include <cstdint>

#include "numkern/config.hpp"
#include "numkern/sparse/spgemm/accumulators.hpp"
#include "numkern/sparse/spgemm/csr.hpp"
#include "numkern/sparse/spgemm/row_sort.hpp"
#include "numkern/sparse/spgemm/rows_dense.hpp"
#include "numkern/sparse/spgemm/schedule.hpp"

namespace numkern::sparse {

template <class V, class I>
struct RowProduct;  // row_product.hpp

// One recorded partial product into its slot: assigned when it opens the slot (code ~slot), else added.
template <class V>
NK_INLINE void add_product(const V& v, int32_t code, V* vals) {
  if (code >= 0)
    vals[code] += v;
  else
    vals[~code] = v;
}
// LEN products of one B row through their recorded slots (unrolled: no loop control per product).
template <int LEN, class V>
NK_INLINE void replay_products(const V a, const V* bx, const int32_t* slot, V* vals) {
  for (int e = 0; e < LEN; ++e) add_product(mul(a, bx[e]), slot[e], vals);
}

// replay_row for one layout of the template: by segments (vector loops over consecutive slots) or product by
// product (short segments: stencil rows).
template <bool BY_SEGMENTS, class V, class I>
NK_INLINE int64_t replay_row_as(const RowProduct<V, I>& P, int64_t i, int64_t a_lo, int64_t a_hi,
                                const RowTemplate<I>& t, I* cols, V* vals) {
  const Csr<I>& A = P.A;
  const Csr<I>& B = P.B;
  const V* Ax = P.Ax;
  const V* Bx = P.Bx;
  const I* b_run = P.b_run;
  if (a_hi - a_lo != t.a_len || P.flop[i] != t.flop) return -1;
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
  if (P.keep_zeros) return t.n_out;
  // Exact-zero sums: rare, removed by a second pass when present.
  return any_exact_zero(vals, t.n_out) ? drop_zeros(cols, vals, t.n_out) : t.n_out;
}

// Row i by the template: -1 (cols/vals partly overwritten) when its structure differs from the recording, else
// its length after dropping exact zeros (unless keep_zeros).
template <class V, class I>
NK_INLINE int64_t replay_row(const RowProduct<V, I>& P, int64_t i, int64_t a_lo, int64_t a_hi, const RowTemplate<I>& t,
                             I* cols, V* vals) {
  return t.by_segments ? replay_row_as<true>(P, i, a_lo, a_hi, t, cols, vals)
                       : replay_row_as<false>(P, i, a_lo, a_hi, t, cols, vals);
}

// Record row i's structure into the thread's template: its distinct columns in dense_row's output order (first
// occurrence, sorted when sort_indices) and the slot every partial product adds into.
template <class V, class I>
void record_row(const RowProduct<V, I>& P, int64_t i, int64_t a_lo, int64_t a_hi, const RowPlan& plan,
                Workspace<I, V>& ws) {
  const Csr<I>& A = P.A;
  const Csr<I>& B = P.B;
  RowTemplate<I>& t = ws.row_template;
  const I base = A.indices[a_lo];
  t.a_len = a_hi - a_lo;
  t.flop = P.flop[i];
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
    t.b_run.push_back(P.b_run[k]);
    for (int64_t q = B.indptr[k], q_end = B.indptr[k + 1]; q < q_end; ++q) {
      const int64_t j = B.indices[q];
      t.b_off.push_back(static_cast<I>(j - k));
      if (st[j] != s) {
        st[j] = s;
        t.out_off.push_back(static_cast<I>(j) - base);
      }
    }
  }
  if (P.sort_indices) std::sort(t.out_off.begin(), t.out_off.end());
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

// Window row i through the thread's row template: replayed when the row has the recorded relative structure,
// else recorded from this row (unless recent recordings were never replayed: then rows are accumulated for a
// doubling number of rows first, so rows that never repeat, such as small random matrices, pay ~nothing).
template <class V, class I>
int64_t template_row(const RowProduct<V, I>& P, int64_t i, int64_t a_lo, int64_t a_hi, const RowPlan& plan,
                     const BRowPrefetcher<I, V>& pf, Workspace<I, V>& ws, I* cols, V* vals) {
  RowTemplate<I>& t = ws.row_template;
  int64_t n = replay_row(P, i, a_lo, a_hi, t, cols, vals);
  if (n >= 0) {
    ++t.hits;
    return n;
  }
  if (t.skip > 0) {
    --t.skip;
    return dense_row(P, a_lo, a_hi, plan, pf, ws, cols, vals);
  }
  if (t.a_len >= 0 && t.hits == 0) {
    t.backoff = std::min<int64_t>(2 * t.backoff + 1, 1024);
    t.skip = t.backoff;
  } else {
    t.backoff = 0;
  }
  record_row(P, i, a_lo, a_hi, plan, ws);
  return replay_row(P, i, a_lo, a_hi, t, cols, vals);  // matches: recorded from this row
}
}  // namespace numkern::sparse
