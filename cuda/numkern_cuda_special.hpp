// Host-side declarations of the log-Bessel CUDA launchers (defined in cuda/special.cu, bound in
// cpp/bindings/cuda/special.cpp). Pointers are device pointers to contiguous arrays of n elements (the Python
// side broadcasts and casts first); `stream` is a cudaStream_t passed as an integer. Returns "" on success,
// else the CUDA error text.
#pragma once

#include <cstdint>
#include <string>

namespace numkern::cuda {

// Which kernel of numkern/special/log_bessel.hpp to run; the same numbering is used by numkern.special.cuda.
enum class SpecialFunction : int { log_iv = 0, log_ive = 1, log_kv = 2, log_kve = 3, iv_ratio = 4 };

std::string special_binary(int function, bool float32, std::uintptr_t v, std::uintptr_t x, std::uintptr_t out,
                           std::int64_t n, std::uintptr_t stream);

}  // namespace numkern::cuda
