// CUDA SpGEMM C = A B (CSR, int32 indices) with atomic hash accumulation: the SMASH V1 merge (atomic
// read-modify-write into a scratchpad hash table; Shivdikar, arXiv 2105.14156) mapped onto the nsparse design
// (Nagasaka, Nukada, Matsuoka, ICPP 2017): rows are binned by flop; each row owns one hash table in shared memory
// (4 threads per row for short rows, a warp for medium rows, a block for long rows) or, for the longest rows, in
// global memory; a partial product is inserted with atomicCAS on the column key (linear probing, hash
// (col * 107) & (size - 1), the same as the CPU kernel) and accumulated with atomicAdd on the value.
// Symbolic phase: count distinct keys per row (exact allocation of C). Numeric phase: accumulate, then the row's
// threads compact the occupied slots to C (unsorted; the Python layer sorts with cuSPARSE when asked and drops
// exact zeros like scipy). Float atomics make the summation order (hence last-bit rounding) run-dependent on the GPU.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "numkern_cuda_sparse.hpp"

namespace numkern::cuda::sparse {
namespace {

constexpr int kEmpty = -1;

__device__ __forceinline__ uint32_t hash_slot(int col, uint32_t mask) {
  return (static_cast<uint32_t>(col) * 107u) & mask;
}

// Insert `col` into keys[0..mask]; returns the slot; `inserted` tells whether the key is new.
__device__ __forceinline__ uint32_t hash_insert(int* keys, uint32_t mask, int col, bool& inserted) {
  uint32_t h = hash_slot(col, mask);
  while (true) {
    const int seen = keys[h];  // cheap check first: most probes of a repeated column hit without an atomic
    if (seen == col) {
      inserted = false;
      return h;
    }
    if (seen == kEmpty) {
      const int old = atomicCAS(&keys[h], kEmpty, col);
      if (old == kEmpty) {
        inserted = true;
        return h;
      }
      if (old == col) {
        inserted = false;
        return h;
      }
    }
    h = (h + 1) & mask;
  }
}

__global__ void row_flops_kernel(int64_t m, const int* __restrict__ Ap, const int* __restrict__ Aj,
                                 const int* __restrict__ Bp, int64_t* __restrict__ flop) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < m;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t f = 0;
    for (int p = Ap[i]; p < Ap[i + 1]; ++p) {
      const int k = Aj[p];
      f += Bp[k + 1] - Bp[k];
    }
    flop[i] = f;
  }
}

// Threads of a row group split the work as (A entry, B entry) pairs: SUB threads walk one B row, GROUP / SUB
// A entries are processed at once.
template <int GROUP>
struct Split {
  static constexpr int SUB = GROUP < 8 ? GROUP : 8;
  static constexpr int PARALLEL_A = GROUP / SUB;
};

// Accumulate the partial products of `row` into one table (keys[0..mask], optional values). Returns nothing;
// `count` (shared) gets +1 per new key when COUNT.
template <int GROUP, bool COUNT, class V>
__device__ __forceinline__ void accumulate_row(int row, int lane, const int* __restrict__ Ap,
                                               const int* __restrict__ Aj, const V* __restrict__ Ax,
                                               const int* __restrict__ Bp, const int* __restrict__ Bj,
                                               const V* __restrict__ Bx, int* keys, V* vals, uint32_t mask,
                                               int* count) {
  using S = Split<GROUP>;
  const int sub_group = lane / S::SUB, sub_lane = lane % S::SUB;
  for (int p = Ap[row] + sub_group; p < Ap[row + 1]; p += S::PARALLEL_A) {
    const int k = Aj[p];
    V a = V(0);
    if (vals != nullptr) a = Ax[p];
    for (int q = Bp[k] + sub_lane; q < Bp[k + 1]; q += S::SUB) {
      bool inserted;
      const uint32_t h = hash_insert(keys, mask, Bj[q], inserted);
      if (COUNT && inserted) atomicAdd(count, 1);
      if (vals != nullptr) atomicAdd(&vals[h], a * Bx[q]);
    }
  }
}

// Shared-memory bins: BLOCK threads, GROUP threads and one TABLE-slot table per row.
template <int GROUP, int TABLE, int BLOCK>
__global__ void symbolic_shared(int64_t n_rows, const int* __restrict__ rows, const int* __restrict__ Ap,
                                const int* __restrict__ Aj, const int* __restrict__ Bp, const int* __restrict__ Bj,
                                int* __restrict__ row_nnz) {
  constexpr int RPB = BLOCK / GROUP;
  __shared__ int keys[RPB * TABLE];
  __shared__ int count[RPB];
  for (int s = threadIdx.x; s < RPB * TABLE; s += BLOCK) keys[s] = kEmpty;
  if (threadIdx.x < RPB) count[threadIdx.x] = 0;
  __syncthreads();
  const int g = threadIdx.x / GROUP, lane = threadIdx.x % GROUP;
  const int64_t r = static_cast<int64_t>(blockIdx.x) * RPB + g;
  if (r < n_rows) {
    accumulate_row<GROUP, true, float>(rows[r], lane, Ap, Aj, nullptr, Bp, Bj, nullptr, keys + g * TABLE, nullptr,
                                       TABLE - 1, &count[g]);
  }
  __syncthreads();
  if (r < n_rows && lane == 0) row_nnz[rows[r]] = count[g];
}

template <int GROUP, int TABLE, int BLOCK, class V>
__global__ void numeric_shared(int64_t n_rows, const int* __restrict__ rows, const int* __restrict__ Ap,
                               const int* __restrict__ Aj, const V* __restrict__ Ax, const int* __restrict__ Bp,
                               const int* __restrict__ Bj, const V* __restrict__ Bx, const int* __restrict__ Cp,
                               int* __restrict__ Cj, V* __restrict__ Cx) {
  constexpr int RPB = BLOCK / GROUP;
  __shared__ int keys[RPB * TABLE];
  __shared__ V vals[RPB * TABLE];
  __shared__ int count[RPB];
  for (int s = threadIdx.x; s < RPB * TABLE; s += BLOCK) {
    keys[s] = kEmpty;
    vals[s] = V(0);
  }
  if (threadIdx.x < RPB) count[threadIdx.x] = 0;
  __syncthreads();
  const int g = threadIdx.x / GROUP, lane = threadIdx.x % GROUP;
  const int64_t r = static_cast<int64_t>(blockIdx.x) * RPB + g;
  int* my_keys = keys + g * TABLE;
  V* my_vals = vals + g * TABLE;
  if (r < n_rows) {
    accumulate_row<GROUP, false, V>(rows[r], lane, Ap, Aj, Ax, Bp, Bj, Bx, my_keys, my_vals, TABLE - 1, nullptr);
  }
  __syncthreads();
  if (r < n_rows) {
    const int row = rows[r];
    const int out = Cp[row];
    for (int s = lane; s < TABLE; s += GROUP) {
      const int key = my_keys[s];
      if (key != kEmpty) {
        const int pos = atomicAdd(&count[g], 1);
        Cj[out + pos] = key;
        Cx[out + pos] = my_vals[s];
      }
    }
  }
}

// Global-memory bin: one block per row; the row's table lives at table[offset[r] .. offset[r] + size[r]).
constexpr int kGlobalBlock = 256;

__global__ void symbolic_global(int64_t n_rows, const int* __restrict__ rows, const int* __restrict__ Ap,
                                const int* __restrict__ Aj, const int* __restrict__ Bp, const int* __restrict__ Bj,
                                int* __restrict__ row_nnz, int* table, const int64_t* __restrict__ offset,
                                const int64_t* __restrict__ size) {
  __shared__ int count;
  const int64_t r = blockIdx.x;
  if (r >= n_rows) return;
  int* keys = table + offset[r];
  const int64_t t_size = size[r];
  for (int64_t s = threadIdx.x; s < t_size; s += kGlobalBlock) keys[s] = kEmpty;
  if (threadIdx.x == 0) count = 0;
  __syncthreads();
  accumulate_row<kGlobalBlock, true, float>(rows[r], threadIdx.x, Ap, Aj, nullptr, Bp, Bj, nullptr, keys, nullptr,
                                            static_cast<uint32_t>(t_size - 1), &count);
  __syncthreads();
  if (threadIdx.x == 0) row_nnz[rows[r]] = count;
}

template <class V>
__global__ void numeric_global(int64_t n_rows, const int* __restrict__ rows, const int* __restrict__ Ap,
                               const int* __restrict__ Aj, const V* __restrict__ Ax, const int* __restrict__ Bp,
                               const int* __restrict__ Bj, const V* __restrict__ Bx, const int* __restrict__ Cp,
                               int* __restrict__ Cj, V* __restrict__ Cx, int* table, V* table_values,
                               const int64_t* __restrict__ offset, const int64_t* __restrict__ size) {
  __shared__ int count;
  const int64_t r = blockIdx.x;
  if (r >= n_rows) return;
  int* keys = table + offset[r];
  V* vals = table_values + offset[r];
  const int64_t t_size = size[r];
  for (int64_t s = threadIdx.x; s < t_size; s += kGlobalBlock) {
    keys[s] = kEmpty;
    vals[s] = V(0);
  }
  if (threadIdx.x == 0) count = 0;
  __syncthreads();
  const int row = rows[r];
  accumulate_row<kGlobalBlock, false, V>(row, threadIdx.x, Ap, Aj, Ax, Bp, Bj, Bx, keys, vals,
                                         static_cast<uint32_t>(t_size - 1), nullptr);
  __syncthreads();
  const int out = Cp[row];
  for (int64_t s = threadIdx.x; s < t_size; s += kGlobalBlock) {
    const int key = keys[s];
    if (key != kEmpty) {
      const int pos = atomicAdd(&count, 1);
      Cj[out + pos] = key;
      Cx[out + pos] = vals[s];
    }
  }
}

// Bin configurations (GROUP, TABLE, BLOCK); TABLE >= 2 * kBinMaxFlop[bin] keeps the load factor <= 1/2.
#define NK_SPGEMM_BIN0 4, 64, 128
#define NK_SPGEMM_BIN1 32, 512, 128
#define NK_SPGEMM_BIN2 256, 2048, 256

template <int GROUP, int TABLE, int BLOCK>
constexpr unsigned blocks_for(int64_t n_rows) {
  return static_cast<unsigned>((n_rows + BLOCK / GROUP - 1) / (BLOCK / GROUP));
}

std::string status() {
  const cudaError_t err = cudaGetLastError();
  return err == cudaSuccess ? std::string() : std::string(cudaGetErrorString(err));
}

template <class V>
std::string numeric_bin_typed(int bin, int64_t n_rows, const int* rows, const int* Ap, const int* Aj, const V* Ax,
                              const int* Bp, const int* Bj, const V* Bx, const int* Cp, int* Cj, V* Cx, int* table,
                              V* table_values, const int64_t* offset, const int64_t* size, cudaStream_t s) {
  if (n_rows <= 0) return {};
  switch (bin) {
    case 0:
      numeric_shared<NK_SPGEMM_BIN0, V><<<blocks_for<NK_SPGEMM_BIN0>(n_rows), 128, 0, s>>>(
          n_rows, rows, Ap, Aj, Ax, Bp, Bj, Bx, Cp, Cj, Cx);
      break;
    case 1:
      numeric_shared<NK_SPGEMM_BIN1, V><<<blocks_for<NK_SPGEMM_BIN1>(n_rows), 128, 0, s>>>(
          n_rows, rows, Ap, Aj, Ax, Bp, Bj, Bx, Cp, Cj, Cx);
      break;
    case 2:
      numeric_shared<NK_SPGEMM_BIN2, V><<<blocks_for<NK_SPGEMM_BIN2>(n_rows), 256, 0, s>>>(
          n_rows, rows, Ap, Aj, Ax, Bp, Bj, Bx, Cp, Cj, Cx);
      break;
    default:
      numeric_global<V><<<static_cast<unsigned>(n_rows), kGlobalBlock, 0, s>>>(
          n_rows, rows, Ap, Aj, Ax, Bp, Bj, Bx, Cp, Cj, Cx, table, table_values, offset, size);
  }
  return status();
}

template <class T>
T* ptr(std::uintptr_t p) {
  return reinterpret_cast<T*>(p);
}

}  // namespace

std::string row_flops(int64_t m, std::uintptr_t Ap, std::uintptr_t Aj, std::uintptr_t Bp, std::uintptr_t flop,
                      std::uintptr_t stream) {
  if (m <= 0) return {};
  const int block = 256;
  const unsigned grid = static_cast<unsigned>(std::min<int64_t>((m + block - 1) / block, 65535));
  row_flops_kernel<<<grid, block, 0, reinterpret_cast<cudaStream_t>(stream)>>>(
      m, ptr<const int>(Ap), ptr<const int>(Aj), ptr<const int>(Bp), ptr<int64_t>(flop));
  return status();
}

std::string symbolic_bin(int bin, int64_t n_rows, std::uintptr_t rows, std::uintptr_t Ap, std::uintptr_t Aj,
                         std::uintptr_t Bp, std::uintptr_t Bj, std::uintptr_t row_nnz, std::uintptr_t table,
                         std::uintptr_t table_offset, std::uintptr_t table_size, std::uintptr_t stream) {
  if (n_rows <= 0) return {};
  auto s = reinterpret_cast<cudaStream_t>(stream);
  const int* r = ptr<const int>(rows);
  const int *ap = ptr<const int>(Ap), *aj = ptr<const int>(Aj), *bp = ptr<const int>(Bp), *bj = ptr<const int>(Bj);
  int* out = ptr<int>(row_nnz);
  switch (bin) {
    case 0:
      symbolic_shared<NK_SPGEMM_BIN0><<<blocks_for<NK_SPGEMM_BIN0>(n_rows), 128, 0, s>>>(n_rows, r, ap, aj, bp, bj,
                                                                                         out);
      break;
    case 1:
      symbolic_shared<NK_SPGEMM_BIN1><<<blocks_for<NK_SPGEMM_BIN1>(n_rows), 128, 0, s>>>(n_rows, r, ap, aj, bp, bj,
                                                                                         out);
      break;
    case 2:
      symbolic_shared<NK_SPGEMM_BIN2><<<blocks_for<NK_SPGEMM_BIN2>(n_rows), 256, 0, s>>>(n_rows, r, ap, aj, bp, bj,
                                                                                         out);
      break;
    default:
      symbolic_global<<<static_cast<unsigned>(n_rows), kGlobalBlock, 0, s>>>(
          n_rows, r, ap, aj, bp, bj, out, ptr<int>(table), ptr<const int64_t>(table_offset),
          ptr<const int64_t>(table_size));
  }
  return status();
}

std::string numeric_bin(int bin, bool is_double, int64_t n_rows, std::uintptr_t rows, std::uintptr_t Ap,
                        std::uintptr_t Aj, std::uintptr_t Ax, std::uintptr_t Bp, std::uintptr_t Bj,
                        std::uintptr_t Bx, std::uintptr_t Cp, std::uintptr_t Cj, std::uintptr_t Cx,
                        std::uintptr_t table, std::uintptr_t table_values, std::uintptr_t table_offset,
                        std::uintptr_t table_size, std::uintptr_t stream) {
  auto s = reinterpret_cast<cudaStream_t>(stream);
  if (is_double) {
    return numeric_bin_typed<double>(bin, n_rows, ptr<const int>(rows), ptr<const int>(Ap), ptr<const int>(Aj),
                                     ptr<const double>(Ax), ptr<const int>(Bp), ptr<const int>(Bj),
                                     ptr<const double>(Bx), ptr<const int>(Cp), ptr<int>(Cj), ptr<double>(Cx),
                                     ptr<int>(table), ptr<double>(table_values), ptr<const int64_t>(table_offset),
                                     ptr<const int64_t>(table_size), s);
  }
  return numeric_bin_typed<float>(bin, n_rows, ptr<const int>(rows), ptr<const int>(Ap), ptr<const int>(Aj),
                                  ptr<const float>(Ax), ptr<const int>(Bp), ptr<const int>(Bj),
                                  ptr<const float>(Bx), ptr<const int>(Cp), ptr<int>(Cj), ptr<float>(Cx),
                                  ptr<int>(table), ptr<float>(table_values), ptr<const int64_t>(table_offset),
                                  ptr<const int64_t>(table_size), s);
}

}  // namespace numkern::cuda::sparse
