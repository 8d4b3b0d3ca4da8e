// numkern/sparse/spgemm/numeric.hpp: the two-pass numeric phase over RowProduct (row_product.hpp) and the closing of
// the gaps that rows shorter than their capacity leave.
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
#include "numkern/sparse/spgemm/row_product.hpp"
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
