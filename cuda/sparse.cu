// CUDA SpGEMM C = A B (CSR, int32 indices) with atomic hash accumulation: the SMASH V1 merge (atomic
// read-modify-write into a scratchpad hash table; Shivdikar, arXiv 2105.14156) mapped onto the nsparse design
// (Nagasaka, Nukada, Matsuoka, ICPP 2017): rows are binned by flop; each row owns one hash table in shared memory
// (4 threads per row for short rows, a warp for medium rows, a block for long rows) or, for the longest rows, in
// global memory; a partial product is inserted with atomicCAS on the column key and accumulated with atomicAdd on
// the value. The hash slot, the probe sequence, the table sizes and the bins are those of the CPU kernels:
// numkern/sparse/spgemm/hash.hpp (NK_HOST_DEVICE), included here.
// Symbolic phase: count distinct keys per row (exact allocation of C). Numeric phase: accumulate, then the row's
// threads compact the occupied slots to C (unsorted; the Python layer sorts with cuSPARSE when asked and drops
// exact zeros like scipy). Float atomics make the summation order (hence last-bit rounding) run-dependent on the GPU.
// The orchestration (flop count, binning, batches of global tables, prefix sum) is the host class SpgemmGpu at the
// end of this file: Python only allocates C.
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "numkern/sparse/spgemm/hash.hpp"
#include "numkern_cuda_sparse.hpp"

namespace numkern::cuda::sparse {
namespace {

namespace nks = numkern::sparse;

constexpr int kEmpty = -1;

// Insert `col` into keys[0..mask]; returns the slot; `inserted` tells whether the key is new. The probe sequence
// of nks::find_slot, with the insertion made atomic.
__device__ __forceinline__ uint32_t hash_insert(int* keys, uint32_t mask, int col, bool& inserted) {
  uint32_t h = nks::hash_slot(col, mask);
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
    h = nks::next_slot(h, mask);
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

// Launch configurations (GROUP threads per row, TABLE slots, BLOCK threads) of the shared-memory bins; the table
// sizes and flop bounds of the bins are nks::kGpuBinTable / nks::kGpuBinMaxFlop.
#define NK_SPGEMM_BIN0 4, nks::kGpuBinTable[0], 128
#define NK_SPGEMM_BIN1 32, nks::kGpuBinTable[1], 128
#define NK_SPGEMM_BIN2 256, nks::kGpuBinTable[2], 256

template <int GROUP, int TABLE, int BLOCK>
constexpr unsigned blocks_for(int64_t n_rows) {
  return static_cast<unsigned>((n_rows + BLOCK / GROUP - 1) / (BLOCK / GROUP));
}

void check(cudaError_t err, const char* what) {
  if (err != cudaSuccess)
    throw std::runtime_error(std::string("numkern CUDA SpGEMM (") + what + "): " + cudaGetErrorString(err));
}
void check_launch(const char* what) { check(cudaGetLastError(), what); }

// Device memory freed on the stream it was allocated on.
template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer(size_t n, cudaStream_t s) : s_(s) {
    if (n > 0) check(cudaMallocAsync(reinterpret_cast<void**>(&p_), n * sizeof(T), s), "allocation");
  }
  ~DeviceBuffer() {
    if (p_ != nullptr) cudaFreeAsync(p_, s_);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  T* get() const { return p_; }

 private:
  T* p_ = nullptr;
  cudaStream_t s_;
};

template <class T>
void to_device(T* dst, const T* src, size_t n, cudaStream_t s) {
  if (n > 0) check(cudaMemcpyAsync(dst, src, n * sizeof(T), cudaMemcpyHostToDevice, s), "copy to device");
}
template <class T>
void to_host(T* dst, const T* src, size_t n, cudaStream_t s) {
  if (n == 0) return;
  check(cudaMemcpyAsync(dst, src, n * sizeof(T), cudaMemcpyDeviceToHost, s), "copy to host");
  check(cudaStreamSynchronize(s), "synchronize");
}

// Entries of global-memory hash tables allocated at once (keys + values); longer bins run in batches.
constexpr int64_t kGlobalTableBatch = int64_t(1) << 26;

}  // namespace

struct SpgemmGpu::Impl {
  DeviceCsr A, B;
  cudaStream_t s;
  std::vector<int64_t> flop;             // partial products per row (host)
  std::vector<int> row_nnz;              // distinct columns per row (host, after symbolic)
  std::vector<int> rows;                 // rows grouped by bin (host copy of rows_dev)
  int64_t bin_start[nks::kGpuNumBins + 1] = {};
  std::unique_ptr<DeviceBuffer<int>> rows_dev;

  int64_t bin_size(int b) const { return bin_start[b + 1] - bin_start[b]; }
  const int* bin_rows(int b) const { return rows_dev->get() + bin_start[b]; }

  // Rows of the global bin in batches whose tables (hash_table_size(min(bound[row], ncols)) slots each) hold at
  // most kGlobalTableBatch entries, at least one row: fn(first row index in the bin, rows, offsets, sizes, total).
  template <class Bound, class F>
  void global_batches(const Bound& bound, const F& fn) const {
    const int b = nks::kGpuSharedBins;
    const int64_t n = bin_size(b);
    for (int64_t start = 0; start < n;) {
      std::vector<int64_t> offsets, sizes;
      int64_t total = 0;
      for (int64_t r = start; r < n; ++r) {
        const int row = rows[bin_start[b] + r];
        const int64_t size = nks::hash_table_size(std::min<int64_t>(bound[row], B.ncols));
        if (r > start && total + size > kGlobalTableBatch) break;
        offsets.push_back(total);
        sizes.push_back(size);
        total += size;
      }
      const int64_t count = static_cast<int64_t>(sizes.size());
      DeviceBuffer<int64_t> offsets_dev(count, s), sizes_dev(count, s);
      to_device(offsets_dev.get(), offsets.data(), count, s);
      to_device(sizes_dev.get(), sizes.data(), count, s);
      fn(bin_rows(b) + start, count, offsets_dev.get(), sizes_dev.get(), total);
      start += count;
    }
  }
};

SpgemmGpu::SpgemmGpu(const DeviceCsr& A, const DeviceCsr& B, std::uintptr_t stream) : impl_(new Impl) {
  Impl& d = *impl_;
  d.A = A;
  d.B = B;
  d.s = reinterpret_cast<cudaStream_t>(stream);
  const int64_t m = A.nrows;
  d.flop.resize(m);
  if (m > 0) {
    DeviceBuffer<int64_t> flop_dev(m, d.s);
    const int block = 256;
    const unsigned grid = static_cast<unsigned>(std::min<int64_t>((m + block - 1) / block, 65535));
    row_flops_kernel<<<grid, block, 0, d.s>>>(m, A.indptr, A.indices, B.indptr, flop_dev.get());
    check_launch("row flops");
    to_host(d.flop.data(), flop_dev.get(), m, d.s);
  }
  // Counting sort of the rows by bin (rows keep their order within a bin).
  for (int64_t i = 0; i < m; ++i) ++d.bin_start[nks::gpu_bin_of(d.flop[i]) + 1];
  for (int b = 0; b < nks::kGpuNumBins; ++b) d.bin_start[b + 1] += d.bin_start[b];
  d.rows.resize(m);
  int64_t next[nks::kGpuNumBins];
  std::copy(d.bin_start, d.bin_start + nks::kGpuNumBins, next);
  for (int64_t i = 0; i < m; ++i) d.rows[next[nks::gpu_bin_of(d.flop[i])]++] = static_cast<int>(i);
  d.rows_dev = std::make_unique<DeviceBuffer<int>>(m, d.s);
  to_device(d.rows_dev->get(), d.rows.data(), m, d.s);
}

SpgemmGpu::~SpgemmGpu() = default;

int64_t SpgemmGpu::symbolic(int* Cp) {
  Impl& d = *impl_;
  const int64_t m = d.A.nrows;
  const int *ap = d.A.indptr, *aj = d.A.indices, *bp = d.B.indptr, *bj = d.B.indices;
  DeviceBuffer<int> row_nnz(m, d.s);
  check(cudaMemsetAsync(row_nnz.get(), 0, sizeof(int) * m, d.s), "memset");
  int* out = row_nnz.get();
  if (const int64_t n = d.bin_size(0))
    symbolic_shared<NK_SPGEMM_BIN0><<<blocks_for<NK_SPGEMM_BIN0>(n), 128, 0, d.s>>>(n, d.bin_rows(0), ap, aj, bp, bj, out);
  if (const int64_t n = d.bin_size(1))
    symbolic_shared<NK_SPGEMM_BIN1><<<blocks_for<NK_SPGEMM_BIN1>(n), 128, 0, d.s>>>(n, d.bin_rows(1), ap, aj, bp, bj, out);
  if (const int64_t n = d.bin_size(2))
    symbolic_shared<NK_SPGEMM_BIN2><<<blocks_for<NK_SPGEMM_BIN2>(n), 256, 0, d.s>>>(n, d.bin_rows(2), ap, aj, bp, bj, out);
  check_launch("symbolic");
  d.global_batches(d.flop, [&](const int* rows, int64_t n, const int64_t* offsets, const int64_t* sizes, int64_t total) {
    DeviceBuffer<int> table(total, d.s);
    symbolic_global<<<static_cast<unsigned>(n), kGlobalBlock, 0, d.s>>>(n, rows, ap, aj, bp, bj, out, table.get(),
                                                                        offsets, sizes);
    check_launch("symbolic, global tables");
  });
  d.row_nnz.resize(m);
  to_host(d.row_nnz.data(), out, m, d.s);
  std::vector<int> offsets(m + 1, 0);
  int64_t nnz = 0;
  for (int64_t i = 0; i < m; ++i) {
    nnz += d.row_nnz[i];
    offsets[i + 1] = static_cast<int>(std::min<int64_t>(nnz, INT32_MAX));
  }
  if (nnz <= INT32_MAX) {
    to_device(Cp, offsets.data(), m + 1, d.s);
    check(cudaStreamSynchronize(d.s), "synchronize");  // `offsets` is freed on return
  }
  return nnz;
}

namespace {

template <class V>
void numeric_typed(const SpgemmGpu::Impl& d, const V* Ax, const V* Bx, const int* Cp, int* Cj, V* Cx) {
  const int *ap = d.A.indptr, *aj = d.A.indices, *bp = d.B.indptr, *bj = d.B.indices;
  if (const int64_t n = d.bin_size(0))
    numeric_shared<NK_SPGEMM_BIN0, V><<<blocks_for<NK_SPGEMM_BIN0>(n), 128, 0, d.s>>>(n, d.bin_rows(0), ap, aj, Ax,
                                                                                     bp, bj, Bx, Cp, Cj, Cx);
  if (const int64_t n = d.bin_size(1))
    numeric_shared<NK_SPGEMM_BIN1, V><<<blocks_for<NK_SPGEMM_BIN1>(n), 128, 0, d.s>>>(n, d.bin_rows(1), ap, aj, Ax,
                                                                                     bp, bj, Bx, Cp, Cj, Cx);
  if (const int64_t n = d.bin_size(2))
    numeric_shared<NK_SPGEMM_BIN2, V><<<blocks_for<NK_SPGEMM_BIN2>(n), 256, 0, d.s>>>(n, d.bin_rows(2), ap, aj, Ax,
                                                                                     bp, bj, Bx, Cp, Cj, Cx);
  check_launch("numeric");
  d.global_batches(d.row_nnz, [&](const int* rows, int64_t n, const int64_t* offsets, const int64_t* sizes,
                                  int64_t total) {
    DeviceBuffer<int> table(total, d.s);
    DeviceBuffer<V> table_values(total, d.s);
    numeric_global<V><<<static_cast<unsigned>(n), kGlobalBlock, 0, d.s>>>(
        n, rows, ap, aj, Ax, bp, bj, Bx, Cp, Cj, Cx, table.get(), table_values.get(), offsets, sizes);
    check_launch("numeric, global tables");
  });
}

}  // namespace

void SpgemmGpu::numeric(ValueType type, const void* Ax, const void* Bx, const int* Cp, int* Cj, void* Cx) {
  const Impl& d = *impl_;
  if (d.row_nnz.size() != static_cast<size_t>(d.A.nrows))
    throw std::logic_error("numkern CUDA SpGEMM: numeric() before symbolic()");
  if (type == ValueType::float64)
    numeric_typed(d, static_cast<const double*>(Ax), static_cast<const double*>(Bx), Cp, Cj, static_cast<double*>(Cx));
  else
    numeric_typed(d, static_cast<const float*>(Ax), static_cast<const float*>(Bx), Cp, Cj, static_cast<float*>(Cx));
}

}  // namespace numkern::cuda::sparse
