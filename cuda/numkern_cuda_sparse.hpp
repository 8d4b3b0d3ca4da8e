// Host-side declarations of the CUDA SpGEMM launchers (cuda/sparse_spgemm.cu). Pointers are device pointers of
// CSR arrays with int32 indices (CuPy's sparse format); `stream` is a cudaStream_t passed as an integer. Each
// launcher returns "" on success, else the CUDA error text.
#pragma once

#include <cstdint>
#include <string>

namespace numkern::cuda::sparse {

// Rows are binned by flop (host side, Python): bins 0..2 use shared-memory hash tables (4 threads per row,
// a warp per row, a block per row), bin 3 a global-memory table per row.
inline constexpr int kNumBins = 4;
// Upper flop bound of bins 0..2 (bin 3: the rest).
inline constexpr int64_t kBinMaxFlop[3] = {32, 256, 1024};

// flop[i] = sum over A[i,k] of nnz(B[k,:]) (int64).
std::string row_flops(int64_t m, std::uintptr_t Ap, std::uintptr_t Aj, std::uintptr_t Bp, std::uintptr_t flop,
                      std::uintptr_t stream);

// Symbolic phase for the rows `rows[0..n_rows)` of one bin: row_nnz[row] = distinct columns (int32).
// Bin 3 needs `table` (int32 keys, sum of table sizes) and `table_offset`/`table_size` per listed row (int64).
std::string symbolic_bin(int bin, int64_t n_rows, std::uintptr_t rows, std::uintptr_t Ap, std::uintptr_t Aj,
                         std::uintptr_t Bp, std::uintptr_t Bj, std::uintptr_t row_nnz, std::uintptr_t table,
                         std::uintptr_t table_offset, std::uintptr_t table_size, std::uintptr_t stream);

// Numeric phase for one bin: row `row` is written (unsorted) at Cp[row] .. Cp[row+1]; `is_double` picks
// float64 (else float32) values. Bin 3 tables hold int32 keys plus values (`table_values`).
std::string numeric_bin(int bin, bool is_double, int64_t n_rows, std::uintptr_t rows, std::uintptr_t Ap,
                        std::uintptr_t Aj, std::uintptr_t Ax, std::uintptr_t Bp, std::uintptr_t Bj,
                        std::uintptr_t Bx, std::uintptr_t Cp, std::uintptr_t Cj, std::uintptr_t Cx,
                        std::uintptr_t table, std::uintptr_t table_values, std::uintptr_t table_offset,
                        std::uintptr_t table_size, std::uintptr_t stream);

}  // namespace numkern::cuda::sparse
