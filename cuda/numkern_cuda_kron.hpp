// Host declarations of the Kronecker CUDA launchers (cuda/kron.cu). Device pointers and the stream are passed
// as integers; each launcher returns "" on success, else the CUDA error text.
#pragma once

#include <cstdint>
#include <string>

namespace numkern::cuda {

// Batched strided product on the device, for every b < batch:
//   C_b[r * ldc + c] = Σ_k P_b[r * p_rs + k * p_cs] · Q_b[k * q_rs + c * q_cs],
//   X_b = X + b * x_batch. One call is one rotation step of the Kronecker product (P = A^T, Q = M_j^T) or one
// apply_along (P = M, Q = X_p per leading index p).
std::string strided_batched_gemm_f64(std::int64_t rows, std::int64_t cols, std::int64_t inner, std::int64_t batch,
                                     std::uintptr_t p, std::int64_t p_rs, std::int64_t p_cs, std::int64_t p_batch,
                                     std::uintptr_t q, std::int64_t q_rs, std::int64_t q_cs, std::int64_t q_batch,
                                     std::uintptr_t c, std::int64_t ldc, std::int64_t c_batch, std::uintptr_t stream);
std::string strided_batched_gemm_f32(std::int64_t rows, std::int64_t cols, std::int64_t inner, std::int64_t batch,
                                     std::uintptr_t p, std::int64_t p_rs, std::int64_t p_cs, std::int64_t p_batch,
                                     std::uintptr_t q, std::int64_t q_rs, std::int64_t q_cs, std::int64_t q_batch,
                                     std::uintptr_t c, std::int64_t ldc, std::int64_t c_batch, std::uintptr_t stream);

}  // namespace numkern::cuda
