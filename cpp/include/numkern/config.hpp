// numkern/config.hpp: the one place for portability macros shared by every header-only kernel.
//
// Every function meant to run on both the CPU and a CUDA GPU is marked NK_HOST_DEVICE, so the same header
// compiles under g++/clang (host only) and nvcc (host and device). Kernels report problems through return
// values (NaN or a Status code), never exceptions: exceptions do not exist in device code.
#pragma once

#if defined(__CUDACC__)
#define NK_HOST_DEVICE __host__ __device__
#define NK_DEVICE __device__
#define NK_INLINE __forceinline__
#else
#define NK_HOST_DEVICE
#define NK_DEVICE
#define NK_INLINE inline
#endif

namespace numkern {

// Status codes for kernels that can fail without throwing (bindings turn them into Python exceptions).
enum class Status : int {
  ok = 0,
  invalid_argument = 1,
  not_converged = 2,
  out_of_memory = 3,
  index_overflow = 4,
};

}  // namespace numkern
