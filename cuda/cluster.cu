// k-medoids launchers: the FastPAM1 candidate pass, the BUILD gains and the nearest-medoid cache
// (Schubert & Rousseeuw 2021, Alg. 1-2), the three O(n^2)-per-step passes of numkern/cluster/offload.hpp, whose
// host driver makes every choice. The per-object terms are numkern/cluster/swap_term.hpp (add_swap_term,
// single_medoid_term, offer_medoid), the functions the CPU pass calls. The passes over candidates use one
// thread block per candidate streaming that candidate's matrix row (coalesced) and reducing in shared memory;
// the per-slot accumulators of the swap pass live in shared memory (k doubles) and are updated with
// shared-memory atomics, so the summation order -- and the last bits of dTD -- may differ from the CPU's fixed
// order; ties are still broken on the host within the CPU's tolerance.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "numkern/cluster/swap_term.hpp"
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

// add_swap_term's slot accumulator on the GPU: a shared-memory atomic add.
struct AtomicSlot {
  double* slot;
  __device__ void operator+=(double v) const { atomicAdd(slot, v); }
};

template <bool Weighted, class T>
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
  namespace nc = numkern::cluster;
  for (std::int64_t j = threadIdx.x; j < n; j += blockDim.x) {
    const double d = static_cast<double>(row[j]);
    if (k == 1) shared += nc::single_medoid_term<Weighted>(d, dn[j], w, j);
    else nc::add_swap_term<Weighted>(d, dn[j], ds[j], w, j, shared, AtomicSlot{&acc[near[j]]});
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

// One thread per object j: offer the k medoids in slot order (offer_medoid, as the CPU's cache does).
template <class T>
__global__ void nearest_kernel(const T* __restrict__ D, std::int64_t n, std::int64_t k,
                               const std::int64_t* __restrict__ medoids, std::int32_t* __restrict__ near,
                               double* __restrict__ dn, std::int32_t* __restrict__ sec, double* __restrict__ ds) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t j = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < n; j += stride) {
    std::int32_t s1 = -1, s2 = -1;
    double d1 = INFINITY, d2 = INFINITY;
    for (std::int64_t s = 0; s < k; ++s)
      numkern::cluster::offer_medoid(static_cast<double>(D[medoids[s] * n + j]), static_cast<std::int32_t>(s), s1, d1,
                                     s2, d2);
    near[j] = s1;
    dn[j] = d1;
    sec[j] = s2;
    ds[j] = d2;
  }
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
  const unsigned grid = static_cast<unsigned>(n);
  if (is_float32 && w)
    swap_deltas_kernel<true><<<grid, kThreads, shmem, s>>>(static_cast<const float*>(D), n, k, near, dn, ds, removal,
                                                           is_medoid, w, delta);
  else if (is_float32)
    swap_deltas_kernel<false><<<grid, kThreads, shmem, s>>>(static_cast<const float*>(D), n, k, near, dn, ds, removal,
                                                            is_medoid, w, delta);
  else if (w)
    swap_deltas_kernel<true><<<grid, kThreads, shmem, s>>>(static_cast<const double*>(D), n, k, near, dn, ds, removal,
                                                           is_medoid, w, delta);
  else
    swap_deltas_kernel<false><<<grid, kThreads, shmem, s>>>(static_cast<const double*>(D), n, k, near, dn, ds, removal,
                                                            is_medoid, w, delta);
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

std::string cluster_nearest(const void* D, bool is_float32, std::int64_t n, std::int64_t k, const std::int64_t* medoids,
                            std::int32_t* near, double* dn, std::int32_t* sec, double* ds, std::intptr_t stream) {
  if (n <= 0) return "";
  auto s = reinterpret_cast<cudaStream_t>(stream);
  const std::int64_t blocks = (n + kThreads - 1) / kThreads;
  const unsigned grid = static_cast<unsigned>(blocks < 65535 * 8 ? blocks : 65535 * 8);
  if (is_float32)
    nearest_kernel<float><<<grid, kThreads, 0, s>>>(static_cast<const float*>(D), n, k, medoids, near, dn, sec, ds);
  else
    nearest_kernel<double><<<grid, kThreads, 0, s>>>(static_cast<const double*>(D), n, k, medoids, near, dn, sec, ds);
  return last_error();
}

}  // namespace numkern::cuda
