// numkern/sparse/spgemm/masked.hpp: values of A B on a given pattern (plans, masked products).
// Part of the SpGEMM kernel (numkern/sparse/spgemm.hpp: the umbrella header, with the design notes and references).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "numkern/sparse/spgemm/hash.hpp"
#include "numkern/sparse/spgemm/numeric.hpp"

namespace numkern::sparse {

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
          const int64_t size = hash_table_size(len);
          mask = static_cast<uint64_t>(size - 1);
          table = ws.table_of_size(size);
          for (int64_t a = 0; a < len; ++a) {
            uint64_t h = hash_slot(cols[a], mask);
            while (table[h] != I(-1)) h = next_slot(h, mask);
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
                h = next_slot(h, mask);
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
