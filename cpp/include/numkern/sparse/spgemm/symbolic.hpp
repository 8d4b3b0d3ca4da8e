// numkern/sparse/spgemm/symbolic.hpp: the symbolic phase (distinct columns per output row).
// Part of the SpGEMM kernel (numkern/sparse/spgemm.hpp: the umbrella header, with the design notes and references).
#pragma once

#include <cstdint>
#include <vector>

#include "numkern/interrupt.hpp"
#include "numkern/sparse/spgemm/accumulators.hpp"
#include "numkern/sparse/spgemm/hash.hpp"
#include "numkern/sparse/spgemm/schedule.hpp"

namespace numkern::sparse {

// row_nnz[i] = number of distinct columns of row i of A B (structural: exact cancellation is not detected here).
// Returns the total (int64).
template <class I>
int64_t spgemm_symbolic(const Csr<I>& A, const Csr<I>& B, const int64_t* flop, int64_t total_flop,
                        bool b_canonical, int64_t band, int64_t* row_nnz, int n_threads) {
  CancellationScope scope;
  Cancellation& cancel = current_cancellation();
  const int nt = threads_for(total_flop, n_threads);
  const std::vector<int64_t> chunks = thread_chunks(flop, A.nrows, total_flop, nt);
  const int64_t n_chunks = static_cast<int64_t>(chunks.size()) - 1;
  std::vector<int64_t> chunk_total(n_chunks, 0);
  for_each_chunk<Workspace<I, char>>(nt, n_chunks, [&](int64_t c, Workspace<I, char>& ws) {
    const BRowPrefetcher<I, char> pf{A.indices, B.indptr, B.indices, nullptr, A.indptr[chunks[c + 1]]};
    int64_t sum = 0;
    CancelPoll poll(cancel);
    for (int64_t i = chunks[c]; i < chunks[c + 1]; ++i) {
      if (poll.stop(flop[i])) break;
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
          const int64_t size = hash_table_size(flop[i]);
          const uint64_t mask = static_cast<uint64_t>(size - 1);
          I* table = ws.table_of_size(size);
          for (int64_t p = a_lo; p < a_hi; ++p) {
            pf.at(p);
            const int64_t k = A.indices[p];
            for (int64_t q = B.indptr[k], q_end = B.indptr[k + 1]; q < q_end; ++q) {
              const I j = B.indices[q];
              const uint64_t h = find_slot(table, j, mask, I(-1));
              if (table[h] == I(-1)) {
                table[h] = j;
                ++count;
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
  scope.throw_if_requested();
  return total;
}

// The symbolic phase as row offsets of the output: prefix[0..nrows] = exclusive prefix sum of the structural row
// counts (prefix[nrows] = nnz). Returns nnz.
template <class I>
int64_t spgemm_symbolic_offsets(const Csr<I>& A, const Csr<I>& B, const int64_t* flop, int64_t total_flop,
                                bool b_canonical, int64_t band, int64_t* prefix, int n_threads) {
  spgemm_symbolic(A, B, flop, total_flop, b_canonical, band, prefix + 1, n_threads);
  prefix[0] = 0;
  for (int64_t i = 0; i < A.nrows; ++i) prefix[i + 1] += prefix[i];
  return prefix[A.nrows];
}

}  // namespace numkern::sparse
