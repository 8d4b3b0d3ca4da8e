// numkern/config.hpp: the one place for portability macros shared by every header-only kernel.
//
// Every function meant to run on both the CPU and a CUDA GPU is marked NK_HOST_DEVICE, so the same header
// compiles under g++/clang (host only) and nvcc (host and device). Kernels that can fail report it through
// their return value (NaN, a bool, an error text for CUDA launches, or a result field such as BQFilter::ok),
// never through exceptions: exceptions do not exist in device code. The entry points of host-only kernels
// may throw (numkern::Interrupted, numkern/interrupt.hpp); the bindings turn failures into Python exceptions.
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
