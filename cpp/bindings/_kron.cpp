// numkern._kron: thin bindings for the Kronecker multi-axis products (numkern/kron/multi_axis.hpp).
// Argument checking (shapes, dtypes, finiteness) is done in numkern.kron; here only the plumbing: contiguous
// arrays in, a fresh array out, the GIL released around the products.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "numkern/kron/multi_axis.hpp"
#include "interrupt.hpp"

namespace py = pybind11;
namespace nk = numkern::kron;
using nk::index_t;

namespace {

// BLAS ?gemm pointers taken from scipy.linalg.cython_blas capsules (set once from Python at import).
nk::fortran_gemm_t<double> g_dgemm = nullptr;
nk::fortran_gemm_t<float> g_sgemm = nullptr;

template <class T>
nk::fortran_gemm_t<T> registered_blas();
template <>
nk::fortran_gemm_t<double> registered_blas<double>() { return g_dgemm; }
template <>
nk::fortran_gemm_t<float> registered_blas<float>() { return g_sgemm; }

void* capsule_pointer(const py::object& obj) {
  PyObject* cap = obj.ptr();
  if (!PyCapsule_CheckExact(cap)) throw std::invalid_argument("expected a PyCapsule holding a BLAS function");
  void* ptr = PyCapsule_GetPointer(cap, PyCapsule_GetName(cap));
  if (!ptr) throw py::error_already_set();
  return ptr;
}

void set_blas(const py::object& dgemm, const py::object& sgemm) {
  g_dgemm = reinterpret_cast<nk::fortran_gemm_t<double>>(capsule_pointer(dgemm));
  g_sgemm = reinterpret_cast<nk::fortran_gemm_t<float>>(capsule_pointer(sgemm));
}

template <class T>
using carray = py::array_t<T, py::array::c_style | py::array::forcecast>;

// x: (N, batch) C-contiguous with N = Π n_j; returns the (batch, M) C-contiguous product (M = Π m_j).
template <class T>
py::array_t<T> kron_matmat(const std::vector<carray<T>>& factors, const carray<T>& x, int n_threads, nk::Engine engine) {
  if (factors.empty()) throw std::invalid_argument("at least one factor is needed");
  if (x.ndim() != 2) throw std::invalid_argument("x must be 2-D (N, batch)");
  std::vector<const T*> ptrs;
  std::vector<index_t> m, n;
  index_t n_total = 1, m_total = 1;
  for (const auto& f : factors) {
    if (f.ndim() != 2) throw std::invalid_argument("factors must be 2-D");
    ptrs.push_back(f.data());
    m.push_back(f.shape(0));
    n.push_back(f.shape(1));
    n_total *= f.shape(1);
    m_total *= f.shape(0);
  }
  if (x.shape(0) != n_total) throw std::invalid_argument("x has " + std::to_string(x.shape(0)) +
                                                         " rows, the operator has " + std::to_string(n_total) + " columns");
  const index_t batch = x.shape(1);
  const index_t out_cap = nk::output_capacity(m, n, batch);
  const index_t work_cap = nk::work_capacity(m, n, batch);
  py::array_t<T> out(std::vector<py::ssize_t>{static_cast<py::ssize_t>(out_cap)});
  T* out_ptr = out.mutable_data();
  const T* x_ptr = x.data();
  auto blas = registered_blas<T>();
  {
    py::gil_scoped_release release;
    // uninitialised work buffer (every entry is written before it is read)
    std::unique_ptr<T[]> work(work_cap > 0 ? new T[static_cast<std::size_t>(work_cap)] : nullptr);
    nk::kron_matmat<T>(ptrs, m, n, x_ptr, batch, out_ptr, work.get(), n_threads, engine, blas);
  }
  py::object view = out[py::slice(0, static_cast<py::ssize_t>(m_total * batch), 1)];
  return py::array_t<T>(view.attr("reshape")(batch, m_total));
}

// x: (a, n, b) C-contiguous; returns (a, m, b) = mat applied along the middle axis.
template <class T>
py::array_t<T> apply_along(const carray<T>& mat, const carray<T>& x, int n_threads, nk::Engine engine) {
  if (mat.ndim() != 2 || x.ndim() != 3) throw std::invalid_argument("mat must be 2-D and x 3-D");
  const index_t m = mat.shape(0), n = mat.shape(1), a = x.shape(0), b = x.shape(2);
  if (x.shape(1) != n) throw std::invalid_argument("mat's columns do not match the axis length");
  py::array_t<T> y(std::vector<py::ssize_t>{static_cast<py::ssize_t>(a), static_cast<py::ssize_t>(m),
                                            static_cast<py::ssize_t>(b)});
  T* y_ptr = y.mutable_data();
  const T* m_ptr = mat.data();
  const T* x_ptr = x.data();
  auto blas = registered_blas<T>();
  {
    py::gil_scoped_release release;
    nk::apply_along<T>(m_ptr, m, n, x_ptr, a, b, y_ptr, n_threads, engine, blas);
  }
  return y;
}

// (output, work) capacities in elements of the rotation for factor shapes (m_j, n_j) and `batch` columns.
py::tuple buffer_sizes(const std::vector<index_t>& m, const std::vector<index_t>& n, index_t batch) {
  if (m.size() != n.size()) throw std::invalid_argument("m and n must have the same length");
  return py::make_tuple(nk::output_capacity(m, n, batch), nk::work_capacity(m, n, batch));
}

}  // namespace

PYBIND11_MODULE(_kron, mod) {
  numkern::bindings::install_interrupt_hook();  // Ctrl-C stops long kernels (cpp/bindings/interrupt.hpp)
  mod.doc() = "Kronecker multi-axis products (one GEMM per axis); use numkern.kron instead";
  mod.def("set_blas", &set_blas, py::arg("dgemm"), py::arg("sgemm"),
          "Register scipy.linalg.cython_blas dgemm/sgemm capsules for the BLAS-backed products.");
  mod.def("have_blas", []() { return g_dgemm != nullptr && g_sgemm != nullptr; });
  py::enum_<nk::Engine>(mod, "Engine", "How one product of the rotation is multiplied (numkern/kron/multi_axis.hpp).")
      .value("blas", nk::Engine::blas)
      .value("blocked", nk::Engine::blocked)
      .value("reference", nk::Engine::reference);
  mod.def("kron_matmat", &kron_matmat<double>, py::arg("factors"), py::arg("x"), py::arg("n_threads"),
          py::arg("engine"));
  mod.def("kron_matmat", &kron_matmat<float>, py::arg("factors"), py::arg("x"), py::arg("n_threads"),
          py::arg("engine"));
  mod.def("apply_along", &apply_along<double>, py::arg("mat"), py::arg("x"), py::arg("n_threads"),
          py::arg("engine"));
  mod.def("apply_along", &apply_along<float>, py::arg("mat"), py::arg("x"), py::arg("n_threads"),
          py::arg("engine"));
  mod.def("buffer_sizes", &buffer_sizes, py::arg("m"), py::arg("n"), py::arg("batch"),
          "(output, work) capacities of the rotation, in elements (the CUDA path allocates them).");
}
