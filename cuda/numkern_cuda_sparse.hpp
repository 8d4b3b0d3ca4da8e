// Host-side declarations of the CUDA SpGEMM (cuda/sparse.cu). Pointers are device pointers of CSR arrays with
// int32 indices (CuPy's sparse format); `stream` is a cudaStream_t passed as an integer. Errors are thrown as
// std::runtime_error with the CUDA error text.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace numkern::cuda::sparse {

// Read-only device view of a CSR structure (int32 indices).
struct DeviceCsr {
  int64_t nrows = 0, ncols = 0;
  const int* indptr = nullptr;
  const int* indices = nullptr;
};

enum class ValueType { float32, float64 };

// C = A B on the GPU in two phases on one stream. The constructor counts the partial products of every row and
// bins the rows by flop (numkern::sparse::gpu_bin_of, host side: bins 0..2 use shared-memory hash tables with 4
// threads, a warp or a block per row, bin 3 a global-memory table per row, allocated in batches); the bins are
// kept for both phases.
class SpgemmGpu {
 public:
  SpgemmGpu(const DeviceCsr& A, const DeviceCsr& B, std::uintptr_t stream);
  ~SpgemmGpu();
  SpgemmGpu(const SpgemmGpu&) = delete;
  SpgemmGpu& operator=(const SpgemmGpu&) = delete;

  // Structural count of C. When it fits int32, Cp (nrows + 1 device ints) receives the row offsets (exclusive
  // prefix sum of the distinct columns per row); otherwise Cp is left as is and the caller refuses the product.
  int64_t symbolic(int* Cp);
  // Fill C (rows unsorted, exact zeros kept) at the offsets Cp of symbolic(): Cj/Cx have room for nnz entries.
  void numeric(ValueType type, const void* Ax, const void* Bx, const int* Cp, int* Cj, void* Cx);

  struct Impl;  // bins, flop and row counts (defined in cuda/sparse.cu)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace numkern::cuda::sparse
