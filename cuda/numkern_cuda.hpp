// Host-side declarations of the CUDA launchers (defined in cuda/*.cu, called from cpp/bindings/cuda/*.cpp).
// Pointers are device pointers; `stream` is a cudaStream_t passed as an integer so that the host compiler
// never needs the CUDA headers. Each launcher returns an empty string on success, else the CUDA error text.
#pragma once

#include <cstdint>
#include <string>

namespace numkern::cuda {

int device_count(std::string* error);
std::string device_name(int device);
int runtime_version();
// CUDA version the installed driver supports (e.g. 12040), 0 when no driver is installed.
int driver_version();

}  // namespace numkern::cuda
