// numkern/sparse/spgemm/numeric.hpp: the numeric product of one row (RowProduct) and the two-pass numeric phase.
// Part of the SpGEMM kernel (numkern/sparse/spgemm.hpp: the umbrella header, with the design notes and references).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "numkern/interrupt.hpp"
#include "numkern/parallel.hpp"
#include "numkern/sparse/spgemm/accumulators.hpp"
#include "numkern/sparse/spgemm/hash.hpp"
#include "numkern/sparse/spgemm/row_sort.hpp"
#include "numkern/sparse/spgemm/schedule.hpp"

namespace numkern::sparse {

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
    // Exact-zero sums: rare, removed by a second pass when present.
    return any_exact_zero(vals, t.n_out) ? drop_zeros(cols, vals, t.n_out) : t.n_out;
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
  CancellationScope scope;
  Cancellation& cancel = current_cancellation();
  const int nt = threads_for(total_flop, n_threads);
  const std::vector<int64_t> chunks = thread_chunks(P.flop, P.A.nrows, total_flop, nt);
  const int64_t n_chunks = static_cast<int64_t>(chunks.size()) - 1;
  ShortRows short_rows(nt);
  for_each_chunk<Workspace<I, V>>(nt, n_chunks, [&](int64_t c, Workspace<I, V>& ws) {
    const BRowPrefetcher<I, V> pf = P.prefetcher(chunks[c + 1]);
    CancelPoll poll(cancel);
    for (int64_t i = chunks[c]; i < chunks[c + 1]; ++i) {
      if (poll.stop(P.flop[i])) break;
      const int64_t off = Cp[i], cap = static_cast<int64_t>(Cp[i + 1]) - off;
      const int64_t n = P.row(i, cap, pf, ws, Cj + off, Cx + off);
      if (n < cap) short_rows.add(i, n);
    }
  });
  scope.throw_if_requested();
  return close_gaps(P.A.nrows, Cp, short_rows, Cj, Cx);
}

}  // namespace numkern::sparse
