// numkern/sparse/spgemm/masked.hpp: values of A B on a given pattern (plans, masked products).
// Part of the SpGEMM kernel (numkern/sparse/spgemm.hpp: the umbrella header, with the design notes and references).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "numkern/interrupt.hpp"
#include "numkern/sparse/spgemm/hash.hpp"
#include "numkern/sparse/spgemm/numeric.hpp"

namespace numkern::sparse {

// Position of a column in one row of a given pattern (cols[0..len), distinct columns): a dense map of width
// ncols for long rows (len * kDenseRatio > ncols), else a hash table of local positions (the key lives in cols).
// Used by the masked product and to build a plan's scatter map.
template <class I>
struct PatternRowIndex {
  const I* cols = nullptr;
  int64_t len = 0;
  bool dense = false;
  I* table = nullptr;   // hash: slot -> local position, -1 empty
  I* pos_of = nullptr;  // dense: column -> local position + 1 (0: absent)
  uint64_t mask = 0;

  template <class V>
  PatternRowIndex(const I* row_cols, int64_t row_len, int64_t ncols, Workspace<I, V>& ws)
      : cols(row_cols), len(row_len), dense(row_len * kDenseRatio > ncols) {
    if (dense) {
      if (static_cast<int64_t>(ws.dense_pos.size()) < ncols) ws.dense_pos.assign(ncols, I(0));
      pos_of = ws.dense_pos.data();
      for (int64_t a = 0; a < len; ++a) pos_of[cols[a]] = static_cast<I>(a + 1);
    } else {
      const int64_t size = hash_table_size(len);
      mask = static_cast<uint64_t>(size - 1);
      table = ws.table_of_size(size);
      for (int64_t a = 0; a < len; ++a) {
        uint64_t h = hash_slot(cols[a], mask);
        while (table[h] != I(-1)) h = next_slot(h, mask);
        table[h] = static_cast<I>(a);
      }
    }
  }
  // The dense map is shared by the thread's rows: cleared again (only this row's columns, which must not have
  // changed since construction).
  ~PatternRowIndex() {
    if (dense)
      for (int64_t a = 0; a < len; ++a) pos_of[cols[a]] = I(0);
  }
  PatternRowIndex(const PatternRowIndex&) = delete;
  PatternRowIndex& operator=(const PatternRowIndex&) = delete;

  // Local position of column j in the row, -1 when it is not there.
  NK_INLINE int64_t find(I j) const {
    if (dense) return static_cast<int64_t>(pos_of[j]) - 1;
    for (uint64_t h = hash_slot(j, mask);; h = next_slot(h, mask)) {
      const I pos = table[h];
      if (pos == I(-1)) return -1;
      if (cols[pos] == j) return pos;
    }
  }
};

// Values of A B on a given sorted, duplicate-free pattern (Cp, Cj): the masked product C = (A B) .* pattern(M),
// and the numeric phase of a plan without a scatter map. Every partial product whose column is in the pattern row
// is accumulated into that slot; other partial products are skipped (the mask). Slots that received no partial
// product are removed, as are exact zeros unless keep_zeros; Cp/Cj are rewritten in place (they must be the
// caller's private copies). Returns the final nnz.
template <class V, class I>
int64_t spgemm_on_pattern(const Csr<I>& A, const V* Ax, const Csr<I>& B, const V* Bx, const int64_t* flop,
                          int64_t total_flop, I* Cp, I* Cj, V* Cx, bool keep_zeros, int n_threads) {
  const int64_t work = total_flop + static_cast<int64_t>(Cp[A.nrows]);
  CancellationScope scope;
  const int nt = threads_for(work, n_threads);
  const std::vector<int64_t> chunks = thread_chunks(flop, A.nrows, total_flop, nt);
  const int64_t n_chunks = static_cast<int64_t>(chunks.size()) - 1;
  Cancellation& cancel = current_cancellation();
  ShortRows short_rows(nt);
  for_each_chunk<Workspace<I, V>>(nt, n_chunks, [&](int64_t c, Workspace<I, V>& ws) {
    CancelPoll poll(cancel);
    for (int64_t i = chunks[c]; i < chunks[c + 1]; ++i) {
      if (poll.stop(flop[i])) return;
      const int64_t off = Cp[i], len = static_cast<int64_t>(Cp[i + 1]) - off;
      I* cols = Cj + off;
      V* vals = Cx + off;
      int64_t n = 0;
      if (len > 0 && flop[i] > 0) {
        if (static_cast<int64_t>(ws.hit.size()) < len) ws.hit.resize(len);
        unsigned char* hit = ws.hit.data();
        std::fill(hit, hit + len, 0);
        std::fill(vals, vals + len, V(0));
        {
          // The index reads (and, dense, finally clears) the row's columns: it ends before they are compacted.
          const PatternRowIndex<I> index(cols, len, B.ncols, ws);
          for (int64_t p = A.indptr[i], p_end = A.indptr[i + 1]; p < p_end; ++p) {
            const int64_t k = A.indices[p];
            const V a = Ax[p];
            for (int64_t q = B.indptr[k], q_end = B.indptr[k + 1]; q < q_end; ++q) {
              const int64_t slot = index.find(B.indices[q]);
              if (slot >= 0) {
                vals[slot] += mul(a, Bx[q]);
                hit[slot] = 1;
              }
            }
          }
        }
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
  scope.throw_if_requested();
  return close_gaps(A.nrows, Cp, short_rows, Cj, Cx);
}

}  // namespace numkern::sparse
