// Host declaration of the Kronecker CUDA launcher (cuda/kron.cu). Device pointers and the stream are passed
// as integers; the launcher returns "" on success, else the CUDA error text.
#pragma once

#include <cstdint>
#include <string>

#include "numkern/kron/multi_axis.hpp"

namespace numkern::cuda {

// C = P Q for one StridedProduct of numkern/kron/multi_axis.hpp (a rotation step or an apply_along), float32
// or float64, asynchronously on `stream`.
std::string kron_strided_product(const kron::StridedProduct& g, bool float32, std::uintptr_t p, std::uintptr_t q,
                                 std::uintptr_t c, std::uintptr_t stream);

}  // namespace numkern::cuda
