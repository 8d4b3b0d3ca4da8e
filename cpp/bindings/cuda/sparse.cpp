// numkern._cuda sparse entry points: the GPU SpGEMM handle (cuda/sparse.cu). Device pointers and streams arrive as
// integers from CuPy (numkern.sparse._cuda), which allocates C; binning and batching happen in C++.
#include <pybind11/pybind11.h>

#include <cstdint>

#include "numkern_cuda_sparse.hpp"

namespace py = pybind11;
namespace nkcs = numkern::cuda::sparse;

namespace {

nkcs::DeviceCsr device_csr(int64_t nrows, int64_t ncols, std::uintptr_t indptr, std::uintptr_t indices) {
  nkcs::DeviceCsr m;
  m.nrows = nrows;
  m.ncols = ncols;
  m.indptr = reinterpret_cast<const int*>(indptr);
  m.indices = reinterpret_cast<const int*>(indices);
  return m;
}

}  // namespace

void numkern_cuda_register_sparse(py::module_& m) {
  py::enum_<nkcs::ValueType>(m, "SpgemmValueType")
      .value("float32", nkcs::ValueType::float32)
      .value("float64", nkcs::ValueType::float64);
  py::class_<nkcs::SpgemmGpu>(m, "SpgemmGpu",
                              "C = A B on the GPU: flop count and row bins at construction, then symbolic(Cp) -> nnz "
                              "and numeric(value_type, Ax, Bx, Cp, Cj, Cx).")
      .def(py::init([](int64_t m_rows, int64_t k, int64_t n, std::uintptr_t Ap, std::uintptr_t Aj, std::uintptr_t Bp,
                       std::uintptr_t Bj, std::uintptr_t stream) {
             return new nkcs::SpgemmGpu(device_csr(m_rows, k, Ap, Aj), device_csr(k, n, Bp, Bj), stream);
           }),
           py::arg("m"), py::arg("k"), py::arg("n"), py::arg("Ap"), py::arg("Aj"), py::arg("Bp"), py::arg("Bj"),
           py::arg("stream"))
      .def("symbolic",
           [](nkcs::SpgemmGpu& self, std::uintptr_t Cp) { return self.symbolic(reinterpret_cast<int*>(Cp)); },
           py::arg("Cp"))
      .def("numeric",
           [](nkcs::SpgemmGpu& self, nkcs::ValueType type, std::uintptr_t Ax, std::uintptr_t Bx, std::uintptr_t Cp,
              std::uintptr_t Cj, std::uintptr_t Cx) {
             self.numeric(type, reinterpret_cast<const void*>(Ax), reinterpret_cast<const void*>(Bx),
                          reinterpret_cast<const int*>(Cp), reinterpret_cast<int*>(Cj), reinterpret_cast<void*>(Cx));
           },
           py::arg("value_type"), py::arg("Ax"), py::arg("Bx"), py::arg("Cp"), py::arg("Cj"), py::arg("Cx"));
}
