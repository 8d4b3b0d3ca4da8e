// numkern/sparse/spgemm.hpp: sparse x sparse matrix product C = A B in CSR form (host, OpenMP). Umbrella header:
// the kernel is split by phase, as SuiteSparse:GraphBLAS splits saxpy3, into numkern/sparse/spgemm/
//   csr.hpp (views, validation), hash.hpp (hash slot, shared with the CUDA kernels), schedule.hpp (chunks, row
//   classification), accumulators.hpp (per-thread workspaces), row_sort.hpp, symbolic.hpp, row_product.hpp (one
//   output row: operands and the accumulator by row kind, with rows_dense.hpp and rows_template.hpp), numeric.hpp,
//   single_pass.hpp, masked.hpp (on a given pattern), plan.hpp (the reusable plan with its scatter map).
//
// Row-wise (Gustavson) product C[i,:] = sum_k A[i,k] B[k,:]. matmul runs a single pass (spgemm_single_pass):
// rows are written back to back into arrays reserved at the flop bound (the number of partial products, an upper
// bound of nnz), which the caller shrinks in place; only the written prefix is ever touched, so resident memory
// stays the output. On several threads, a chunk of rows whose offset is not known yet (an earlier chunk is still
// running) stages its rows in a small reused buffer until the chunk before it finishes, then moves them to its
// offset and goes on in place (see spgemm_single_pass for why and for the memory bound). The two-phase scheme of
// Nagasaka et al. [1] and KokkosKernels (a symbolic phase counts the distinct columns of every row, then a numeric
// phase fills rows at the prefix sums of those counts) remains for plans (spgemm_plan needs the exact pattern) and
// for int32 outputs whose flop bound overflows int32.
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

#include "numkern/sparse/spgemm/csr.hpp"
#include "numkern/sparse/spgemm/hash.hpp"
#include "numkern/sparse/spgemm/schedule.hpp"
#include "numkern/sparse/spgemm/accumulators.hpp"
#include "numkern/sparse/spgemm/row_sort.hpp"
#include "numkern/sparse/spgemm/symbolic.hpp"
#include "numkern/sparse/spgemm/row_product.hpp"
#include "numkern/sparse/spgemm/numeric.hpp"
#include "numkern/sparse/spgemm/single_pass.hpp"
#include "numkern/sparse/spgemm/masked.hpp"
#include "numkern/sparse/spgemm/plan.hpp"
