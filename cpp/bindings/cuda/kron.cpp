// numkern._cuda Kronecker entry points: strided (batched) device GEMM used by numkern.kron for CuPy input.
#include <pybind11/pybind11.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "cuda_module.hpp"
#include "numkern_cuda_kron.hpp"

namespace py = pybind11;

void numkern_cuda_register_kron(py::module_& m) {
  m.def(
      "kron_strided_gemm",
      [](const std::string& dtype, std::int64_t rows, std::int64_t cols, std::int64_t inner, std::int64_t batch,
         std::uintptr_t p, std::int64_t p_rs, std::int64_t p_cs, std::int64_t p_batch, std::uintptr_t q,
         std::int64_t q_rs, std::int64_t q_cs, std::int64_t q_batch, std::uintptr_t c, std::int64_t ldc,
         std::int64_t c_batch, std::uintptr_t stream) {
        std::string err;
        {
          py::gil_scoped_release release;
          if (dtype == "float64")
            err = numkern::cuda::strided_batched_gemm_f64(rows, cols, inner, batch, p, p_rs, p_cs, p_batch, q, q_rs,
                                                          q_cs, q_batch, c, ldc, c_batch, stream);
          else if (dtype == "float32")
            err = numkern::cuda::strided_batched_gemm_f32(rows, cols, inner, batch, p, p_rs, p_cs, p_batch, q, q_rs,
                                                          q_cs, q_batch, c, ldc, c_batch, stream);
          else
            err = "unsupported dtype " + dtype;
        }
        if (!err.empty()) throw std::runtime_error("numkern kron CUDA launch failed: " + err);
      },
      "C_b = P_b Q_b with element strides (device pointers; see cuda/numkern_cuda_kron.hpp).");
}
