// numkern._cuda registration for the log-Bessel launchers (numkern.special.cuda calls these).
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "cuda_module.hpp"
#include "numkern_cuda_special.hpp"

namespace py = pybind11;

void numkern_cuda_register_special(py::module_& m) {
  m.def(
      "special_binary",
      [](int function, bool float32, std::uintptr_t v, std::uintptr_t x, std::uintptr_t out, std::int64_t n,
         std::uintptr_t stream) {
        std::string err;
        {
          py::gil_scoped_release release;
          err = numkern::cuda::special_binary(function, float32, v, x, out, n, stream);
        }
        if (!err.empty()) throw std::runtime_error("numkern CUDA special kernel: " + err);
      },
      py::arg("function"), py::arg("float32"), py::arg("v"), py::arg("x"), py::arg("out"), py::arg("n"),
      py::arg("stream"),
      "Evaluate log_iv/log_ive/log_kv/log_kve/iv_ratio (function 0..4) elementwise on contiguous device "
      "arrays of n float32 or float64 values, asynchronously on `stream`.");
}
