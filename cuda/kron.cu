// CUDA launcher for the Kronecker products. The plan -- buffer sizes, the StridedProduct of every rotation step
// and of apply_along, the driver loop -- is numkern/kron/multi_axis.hpp, shared with the CPU; this file only
// multiplies one StridedProduct: a shared-memory tiled GEMM addressing its operands through the product's
// NK_HOST_DEVICE accessors (p_at, q_at, c_at), so transposed views need no copies. Each output entry sums over
// k in increasing order, as strided_entry (the CPU reference) does.
#include <cuda_runtime.h>

#include <cstdint>

#include "numkern/kron/multi_axis.hpp"
#include "numkern_cuda_kron.hpp"

namespace {

using numkern::kron::StridedProduct;
constexpr int kTile = 16;

template <class T>
__global__ void strided_product_kernel(StridedProduct g, const T* __restrict__ p, const T* __restrict__ q,
                                       T* __restrict__ c) {
  __shared__ T p_tile[kTile][kTile + 1];
  __shared__ T q_tile[kTile][kTile + 1];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const std::int64_t row = static_cast<std::int64_t>(blockIdx.x) * kTile + ty;  // rows on x: up to 2^31 blocks
  const std::int64_t col = static_cast<std::int64_t>(blockIdx.y) * kTile + tx;
  for (std::int64_t b = blockIdx.z; b < g.batch; b += gridDim.z) {
    T acc = T(0);
    for (std::int64_t k0 = 0; k0 < g.inner; k0 += kTile) {
      const std::int64_t kp = k0 + tx, kq = k0 + ty;
      p_tile[ty][tx] = (row < g.rows && kp < g.inner) ? p[g.p_at(b, row, kp)] : T(0);
      q_tile[ty][tx] = (kq < g.inner && col < g.cols) ? q[g.q_at(b, kq, col)] : T(0);
      __syncthreads();
#pragma unroll
      for (int k = 0; k < kTile; ++k) acc += p_tile[ty][k] * q_tile[k][tx];
      __syncthreads();
    }
    if (row < g.rows && col < g.cols) c[g.c_at(b, row, col)] = acc;
  }
}

template <class T>
std::string launch(const StridedProduct& g, std::uintptr_t p, std::uintptr_t q, std::uintptr_t c,
                   std::uintptr_t stream) {
  if (g.rows <= 0 || g.cols <= 0 || g.batch <= 0) return "";
  const std::int64_t gx = (g.rows + kTile - 1) / kTile, gy = (g.cols + kTile - 1) / kTile;
  if (gx > 2147483647LL || gy > 65535) return "kron: product too large for one launch (columns > 65535*16)";
  dim3 block(kTile, kTile);
  dim3 grid(static_cast<unsigned>(gx), static_cast<unsigned>(gy),
            static_cast<unsigned>(g.batch < 65535 ? g.batch : 65535));
  strided_product_kernel<T><<<grid, block, 0, reinterpret_cast<cudaStream_t>(stream)>>>(
      g, reinterpret_cast<const T*>(p), reinterpret_cast<const T*>(q), reinterpret_cast<T*>(c));
  cudaError_t err = cudaGetLastError();
  return err == cudaSuccess ? std::string() : std::string(cudaGetErrorString(err));
}

}  // namespace

namespace numkern::cuda {

std::string kron_strided_product(const kron::StridedProduct& g, bool float32, std::uintptr_t p, std::uintptr_t q,
                                 std::uintptr_t c, std::uintptr_t stream) {
  return float32 ? launch<float>(g, p, q, c, stream) : launch<double>(g, p, q, c, stream);
}

}  // namespace numkern::cuda
