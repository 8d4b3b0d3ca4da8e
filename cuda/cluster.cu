// k-medoids kernels: the FastPAM1 candidate pass and the BUILD gains (Schubert & Rousseeuw 2021, Alg. 1-2).
// Both are O(n^2) per call and independent across candidates: one thread block per candidate streams that
// candidate's matrix row (coalesced) and reduces in shared memory. The per-slot accumulators of the swap pass
// live in shared memory (k doubles) and are updated with shared-memory atomics, so the summation order -- and
// the last bits of dTD -- may differ from the CPU's fixed order; ties are still broken on the host by the
// lowest (candidate, slot) index.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "numkern_cuda_cluster.hpp"

namespace {

constexpr int kThreads = 256;

__device__ double block_sum(double v, double* scratch) {
  // Warp shuffle, then one value per warp through shared memory.
  for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = (threadIdx.x < blockDim.x / 32) ? scratch[lane] : 0.0;
  if (warp == 0)
    for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
  return v;  // valid in thread 0
}

template <class T>
__global__ void swap_deltas_kernel(const T* __restrict__ D, std::int64_t n, std::int64_t k, const std::int32_t* __restrict__ near,
                                   const double* __restrict__ dn, const double* __restrict__ ds,
                                   const double* __restrict__ removal, const std::uint8_t* __restrict__ is_medoid,
                                   const double* __restrict__ w, double* __restrict__ delta) {
  extern __shared__ double shared_mem[];
  double* acc = shared_mem;           // k slot accumulators
  double* scratch = shared_mem + k;   // 32 values for the block reduction
  const std::int64_t o = blockIdx.x;
  if (is_medoid[o]) {
    for (std::int64_t m = threadIdx.x; m < k; m += blockDim.x) delta[o * k + m] = INFINITY;
    return;
  }
  for (std::int64_t m = threadIdx.x; m < k; m += blockDim.x) acc[m] = 0.0;
  __syncthreads();
  const T* row = D + o * n;
  double shared = 0.0;
  for (std::int64_t j = threadIdx.x; j < n; j += blockDim.x) {
    const double d = static_cast<double>(row[j]);
    const double wj = w ? w[j] : 1.0;
    if (k == 1) {
      shared += wj * (d - dn[j]);
    } else if (d < ds[j]) {
      if (d < dn[j]) {
        shared += wj * (d - dn[j]);
        atomicAdd(&acc[near[j]], wj * (dn[j] - ds[j]));
      } else {
        atomicAdd(&acc[near[j]], wj * (d - ds[j]));
      }
    }
  }
  const double total = block_sum(shared, scratch);
  __shared__ double broadcast;
  if (threadIdx.x == 0) broadcast = total;
  __syncthreads();
  for (std::int64_t m = threadIdx.x; m < k; m += blockDim.x)
    delta[o * k + m] = (k == 1 ? 0.0 : removal[m]) + acc[m] + broadcast;
}

template <class T>
__global__ void build_gain_kernel(const T* __restrict__ D, std::int64_t n, const double* __restrict__ dn,
                                  const std::uint8_t* __restrict__ is_medoid, const double* __restrict__ w,
                                  double* __restrict__ gain) {
  __shared__ double scratch[32];
  const std::int64_t i = blockIdx.x;
  if (is_medoid[i]) {
    if (threadIdx.x == 0) gain[i] = INFINITY;
    return;
  }
  const T* row = D + i * n;
  double s = 0.0;
  for (std::int64_t j = threadIdx.x; j < n; j += blockDim.x) {
    const double d = static_cast<double>(row[j]);
    const double v = dn ? fmin(d - dn[j], 0.0) : d;
    s += (w ? w[j] : 1.0) * v;
  }
  const double total = block_sum(s, scratch);
  if (threadIdx.x == 0) gain[i] = total;
}

std::string last_error() {
  cudaError_t err = cudaGetLastError();
  return err == cudaSuccess ? std::string() : std::string(cudaGetErrorString(err));
}

}  // namespace

namespace numkern::cuda {

std::string cluster_swap_deltas(const void* D, bool is_float32, std::int64_t n, std::int64_t k, const std::int32_t* near,
                                const double* dn, const double* ds, const double* removal, const std::uint8_t* is_medoid,
                                const double* w, double* delta, std::intptr_t stream) {
  if (n <= 0 || k <= 0) return "";
  const size_t shmem = static_cast<size_t>(k + 32) * sizeof(double);
  if (shmem > 48 * 1024) return "k too large for the GPU swap pass (at most 6112 slots)";
  auto s = reinterpret_cast<cudaStream_t>(stream);
  if (is_float32)
    swap_deltas_kernel<float><<<static_cast<unsigned>(n), kThreads, shmem, s>>>(static_cast<const float*>(D), n, k, near, dn, ds,
                                                                                 removal, is_medoid, w, delta);
  else
    swap_deltas_kernel<double><<<static_cast<unsigned>(n), kThreads, shmem, s>>>(static_cast<const double*>(D), n, k, near, dn,
                                                                                  ds, removal, is_medoid, w, delta);
  return last_error();
}

std::string cluster_build_gain(const void* D, bool is_float32, std::int64_t n, const double* dn,
                               const std::uint8_t* is_medoid, const double* w, double* gain, std::intptr_t stream) {
  if (n <= 0) return "";
  auto s = reinterpret_cast<cudaStream_t>(stream);
  if (is_float32)
    build_gain_kernel<float><<<static_cast<unsigned>(n), kThreads, 0, s>>>(static_cast<const float*>(D), n, dn, is_medoid, w, gain);
  else
    build_gain_kernel<double><<<static_cast<unsigned>(n), kThreads, 0, s>>>(static_cast<const double*>(D), n, dn, is_medoid, w, gain);
  return last_error();
}

}  // namespace numkern::cuda
