// numkern._cuda Kronecker entry points. The orchestration is the CPU's: numkern/kron/multi_axis.hpp's
// rotate_axes walks the plan and this file hands each StridedProduct to the launcher of cuda/kron.cu. CuPy
// (numkern.kron._cuda) only allocates the buffers, sized by numkern._kron.buffer_sizes.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "cuda_module.hpp"
#include "numkern_cuda_kron.hpp"

namespace py = pybind11;
namespace nk = numkern::kron;
using nk::index_t;

namespace {

void check(const std::string& err) {
  if (!err.empty()) throw std::runtime_error("numkern kron CUDA launch failed: " + err);
}

// y = (⊗ M_j) x on the device: one launch per axis, asynchronously on `stream`. The device pointers are typed
// only so that the shared driver can be used; it never dereferences them.
template <class T>
std::string kron_matmat(const std::vector<std::uintptr_t>& factors, const std::vector<index_t>& m,
                        const std::vector<index_t>& n, std::uintptr_t x, index_t batch, std::uintptr_t out,
                        std::uintptr_t work, std::uintptr_t stream) {
  std::vector<const T*> ptrs;
  for (std::uintptr_t f : factors) ptrs.push_back(reinterpret_cast<const T*>(f));
  std::string err;
  nk::rotate_axes<T>(ptrs.data(), m.data(), n.data(), ptrs.size(), reinterpret_cast<const T*>(x), batch,
                     reinterpret_cast<T*>(out), reinterpret_cast<T*>(work),
                     [&](const nk::StridedProduct& sp, const T* p, const T* mat, T* c) {
                       if (err.empty())
                         err = numkern::cuda::kron_strided_product(
                             sp, sizeof(T) == 4, reinterpret_cast<std::uintptr_t>(p),
                             reinterpret_cast<std::uintptr_t>(mat), reinterpret_cast<std::uintptr_t>(c), stream);
                     });
  return err;
}

}  // namespace

void numkern_cuda_register_kron(py::module_& m) {
  m.def(
      "kron_matmat",
      [](bool float32, const std::vector<std::uintptr_t>& factors, const std::vector<index_t>& rows,
         const std::vector<index_t>& cols, std::uintptr_t x, index_t batch, std::uintptr_t out, index_t out_size,
         std::uintptr_t work, index_t work_size, std::uintptr_t stream) {
        if (factors.empty() || rows.size() != factors.size() || cols.size() != factors.size())
          throw std::invalid_argument("one (rows, cols) pair per factor is needed");
        if (out_size < nk::output_capacity(rows, cols, batch) || work_size < nk::work_capacity(rows, cols, batch))
          throw std::invalid_argument("the output or work buffer is smaller than the rotation needs");
        std::string err;
        {
          py::gil_scoped_release release;
          err = float32 ? kron_matmat<float>(factors, rows, cols, x, batch, out, work, stream)
                        : kron_matmat<double>(factors, rows, cols, x, batch, out, work, stream);
        }
        check(err);
      },
      py::arg("float32"), py::arg("factors"), py::arg("rows"), py::arg("cols"), py::arg("x"), py::arg("batch"),
      py::arg("out"), py::arg("out_size"), py::arg("work"), py::arg("work_size"), py::arg("stream"),
      "(⊗ M_j) x on the device; the row-major (batch, M) result is at the start of `out` (see multi_axis.hpp).");
  m.def(
      "kron_apply_along",
      [](bool float32, std::uintptr_t mat, index_t rows, index_t cols, std::uintptr_t x, index_t a, index_t b,
         std::uintptr_t y, std::uintptr_t stream) {
        std::string err;
        {
          py::gil_scoped_release release;
          err = numkern::cuda::kron_strided_product(nk::apply_along_product(rows, cols, a, b), float32, mat, x, y,
                                                    stream);
        }
        check(err);
      },
      py::arg("float32"), py::arg("mat"), py::arg("rows"), py::arg("cols"), py::arg("x"), py::arg("a"), py::arg("b"),
      py::arg("y"), py::arg("stream"), "Y (a, rows, b) = M (rows, cols) along the middle axis of X (a, cols, b).");
}
