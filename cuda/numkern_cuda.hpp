// Host-side declarations of the CUDA launchers (defined in cuda/*.cu, called from cpp/bindings/cuda/*.cpp).
// Pointers are device pointers; `stream` is a cudaStream_t passed as an integer so that the host compiler
// never needs the CUDA headers. Each launcher returns an empty string on success, else the CUDA error text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace numkern::cuda {

int device_count(std::string* error);
std::string device_name(int device);
int runtime_version();
// CUDA version the installed driver supports (e.g. 12040), 0 when no driver is installed.
int driver_version();

// Device memory for the host-side drivers (cuda/device_info.cu). copy_to_host waits for `stream`.
std::string device_alloc(void** ptr, std::size_t bytes);
void device_free(void* ptr);
std::string copy_to_device(void* dst, const void* src, std::size_t bytes, std::uintptr_t stream);
std::string copy_to_host(void* dst, const void* src, std::size_t bytes, std::uintptr_t stream);

}  // namespace numkern::cuda
