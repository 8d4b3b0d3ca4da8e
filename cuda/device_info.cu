// Device queries for numkern.show_config(); never throws, reports errors as strings.
#include <cuda_runtime.h>

#include "numkern_cuda.hpp"

namespace numkern::cuda {

int device_count(std::string* error) {
  int n = 0;
  cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) {
    if (error) *error = cudaGetErrorString(err);
    cudaGetLastError();  // clear the sticky-free error so later calls start clean
    return 0;
  }
  return n;
}

std::string device_name(int device) {
  cudaDeviceProp prop;
  if (cudaGetDeviceProperties(&prop, device) != cudaSuccess) {
    cudaGetLastError();
    return "unknown";
  }
  return std::string(prop.name) + " (sm_" + std::to_string(prop.major) + std::to_string(prop.minor) + ", " +
         std::to_string(prop.totalGlobalMem >> 20) + " MiB)";
}

int runtime_version() {
  int v = 0;
  cudaRuntimeGetVersion(&v);
  return v;
}

int driver_version() {
  int v = 0;
  if (cudaDriverGetVersion(&v) != cudaSuccess) v = 0;  // documented to give 0 without a driver
  cudaGetLastError();
  return v;
}

}  // namespace numkern::cuda

// Memory for host-side drivers (cpp/bindings/cuda/*.cpp never include the CUDA headers).
namespace numkern::cuda {

namespace {
std::string text(cudaError_t err) { return err == cudaSuccess ? std::string() : std::string(cudaGetErrorString(err)); }
}  // namespace

std::string device_alloc(void** ptr, std::size_t bytes) { return text(cudaMalloc(ptr, bytes > 0 ? bytes : 1)); }

void device_free(void* ptr) {
  if (ptr) cudaFree(ptr);
}

std::string copy_to_device(void* dst, const void* src, std::size_t bytes, std::uintptr_t stream) {
  return text(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, reinterpret_cast<cudaStream_t>(stream)));
}

std::string copy_to_host(void* dst, const void* src, std::size_t bytes, std::uintptr_t stream) {
  auto s = reinterpret_cast<cudaStream_t>(stream);
  cudaError_t err = cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, s);
  if (err == cudaSuccess) err = cudaStreamSynchronize(s);
  return text(err);
}

}  // namespace numkern::cuda
