// CUDA kernels for numkern.special: one thread per element, evaluating the same NK_HOST_DEVICE functions of
// numkern/special/log_bessel.hpp as the CPU ufuncs (float32 computed in double and rounded once).
#include <cuda_runtime.h>

#include "numkern/special/log_bessel.hpp"
#include "numkern_cuda_special.hpp"

namespace {

template <class T>
__global__ void special_binary_kernel(int function, const T* __restrict__ v, const T* __restrict__ x,
                                      T* __restrict__ out, long long n) {
  namespace nks = numkern::special;
  const long long stride = static_cast<long long>(gridDim.x) * blockDim.x;
  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    const double a = static_cast<double>(v[i]);
    const double b = static_cast<double>(x[i]);
    double r;
    switch (function) {
      case 0: r = nks::log_iv(a, b); break;
      case 1: r = nks::log_ive(a, b); break;
      case 2: r = nks::log_kv(a, b); break;
      case 3: r = nks::log_kve(a, b); break;
      default: r = nks::iv_ratio(a, b); break;
    }
    out[i] = static_cast<T>(r);
  }
}

template <class T>
std::string launch(int function, std::uintptr_t v, std::uintptr_t x, std::uintptr_t out, std::int64_t n,
                   std::uintptr_t stream) {
  if (n <= 0) return "";
  const int block = 256;
  const long long blocks_needed = (n + block - 1) / block;
  const int grid = static_cast<int>(blocks_needed < 65535 * 8 ? blocks_needed : 65535 * 8);
  special_binary_kernel<T><<<grid, block, 0, reinterpret_cast<cudaStream_t>(stream)>>>(
      function, reinterpret_cast<const T*>(v), reinterpret_cast<const T*>(x), reinterpret_cast<T*>(out), n);
  const cudaError_t err = cudaGetLastError();
  return err == cudaSuccess ? std::string() : std::string(cudaGetErrorString(err));
}

}  // namespace

namespace numkern::cuda {

std::string special_binary(int function, bool float32, std::uintptr_t v, std::uintptr_t x, std::uintptr_t out,
                           std::int64_t n, std::uintptr_t stream) {
  if (function < 0 || function > 4) return "invalid special function id";
  return float32 ? launch<float>(function, v, x, out, n, stream) : launch<double>(function, v, x, out, n, stream);
}

}  // namespace numkern::cuda
