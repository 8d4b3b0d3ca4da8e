// CUDA launchers for the Kronecker multi-axis products (see cpp/include/numkern/kron/multi_axis.hpp for the
// rotation algorithm). One launch per axis: a shared-memory tiled GEMM with arbitrary operand strides, so the
// transposed views of the rotation step (P = A^T, Q = M_j^T) need no copies, and a batch index for
// apply_along's leading slices. Each output entry sums over k in a fixed order (deterministic).
#include <cuda_runtime.h>

#include <cstdint>

#include "numkern_cuda_kron.hpp"

namespace numkern::cuda {
namespace {

constexpr int kTile = 16;

template <class T>
__global__ void strided_batched_gemm_kernel(std::int64_t rows, std::int64_t cols, std::int64_t inner,
                                            std::int64_t batch, const T* __restrict__ p, std::int64_t p_rs,
                                            std::int64_t p_cs, std::int64_t p_batch, const T* __restrict__ q,
                                            std::int64_t q_rs, std::int64_t q_cs, std::int64_t q_batch,
                                            T* __restrict__ c, std::int64_t ldc, std::int64_t c_batch) {
  __shared__ T p_tile[kTile][kTile + 1];
  __shared__ T q_tile[kTile][kTile + 1];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const std::int64_t row = static_cast<std::int64_t>(blockIdx.x) * kTile + ty;  // rows on x: up to 2^31 blocks
  const std::int64_t col = static_cast<std::int64_t>(blockIdx.y) * kTile + tx;
  for (std::int64_t b = blockIdx.z; b < batch; b += gridDim.z) {
    const T* pb = p + b * p_batch;
    const T* qb = q + b * q_batch;
    T acc = T(0);
    for (std::int64_t k0 = 0; k0 < inner; k0 += kTile) {
      const std::int64_t kp = k0 + tx, kq = k0 + ty;
      p_tile[ty][tx] = (row < rows && kp < inner) ? pb[row * p_rs + kp * p_cs] : T(0);
      q_tile[ty][tx] = (kq < inner && col < cols) ? qb[kq * q_rs + col * q_cs] : T(0);
      __syncthreads();
#pragma unroll
      for (int k = 0; k < kTile; ++k) acc += p_tile[ty][k] * q_tile[k][tx];
      __syncthreads();
    }
    if (row < rows && col < cols) c[b * c_batch + row * ldc + col] = acc;
  }
}

template <class T>
std::string launch(std::int64_t rows, std::int64_t cols, std::int64_t inner, std::int64_t batch, std::uintptr_t p,
                   std::int64_t p_rs, std::int64_t p_cs, std::int64_t p_batch, std::uintptr_t q, std::int64_t q_rs,
                   std::int64_t q_cs, std::int64_t q_batch, std::uintptr_t c, std::int64_t ldc, std::int64_t c_batch,
                   std::uintptr_t stream) {
  if (rows <= 0 || cols <= 0 || batch <= 0) return "";
  const std::int64_t gx = (rows + kTile - 1) / kTile, gy = (cols + kTile - 1) / kTile;
  if (gx > 2147483647LL || gy > 65535) return "kron: product too large for one launch (columns > 65535*16)";
  dim3 block(kTile, kTile);
  dim3 grid(static_cast<unsigned>(gx), static_cast<unsigned>(gy),
            static_cast<unsigned>(batch < 65535 ? batch : 65535));
  strided_batched_gemm_kernel<T><<<grid, block, 0, reinterpret_cast<cudaStream_t>(stream)>>>(
      rows, cols, inner, batch, reinterpret_cast<const T*>(p), p_rs, p_cs, p_batch, reinterpret_cast<const T*>(q),
      q_rs, q_cs, q_batch, reinterpret_cast<T*>(c), ldc, c_batch);
  cudaError_t err = cudaGetLastError();
  return err == cudaSuccess ? std::string() : std::string(cudaGetErrorString(err));
}

}  // namespace

std::string strided_batched_gemm_f64(std::int64_t rows, std::int64_t cols, std::int64_t inner, std::int64_t batch,
                                     std::uintptr_t p, std::int64_t p_rs, std::int64_t p_cs, std::int64_t p_batch,
                                     std::uintptr_t q, std::int64_t q_rs, std::int64_t q_cs, std::int64_t q_batch,
                                     std::uintptr_t c, std::int64_t ldc, std::int64_t c_batch, std::uintptr_t stream) {
  return launch<double>(rows, cols, inner, batch, p, p_rs, p_cs, p_batch, q, q_rs, q_cs, q_batch, c, ldc, c_batch,
                        stream);
}

std::string strided_batched_gemm_f32(std::int64_t rows, std::int64_t cols, std::int64_t inner, std::int64_t batch,
                                     std::uintptr_t p, std::int64_t p_rs, std::int64_t p_cs, std::int64_t p_batch,
                                     std::uintptr_t q, std::int64_t q_rs, std::int64_t q_cs, std::int64_t q_batch,
                                     std::uintptr_t c, std::int64_t ldc, std::int64_t c_batch, std::uintptr_t stream) {
  return launch<float>(rows, cols, inner, batch, p, p_rs, p_cs, p_batch, q, q_rs, q_cs, q_batch, c, ldc, c_batch,
                       stream);
}

}  // namespace numkern::cuda
