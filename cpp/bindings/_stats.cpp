// numkern._stats: thin pybind11 wrappers over numkern/stats/vmf.hpp (fused passes over unit-vector data).
// Python (numkern.stats._vmf) checks shapes and dtypes and passes C-contiguous float32/float64 arrays.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <stdexcept>

#include "numkern/stats/vmf.hpp"
#include "interrupt.hpp"

namespace py = pybind11;

namespace {

template <class T>
using carray = py::array_t<T, py::array::c_style>;

template <class T>
void check_2d(const carray<T>& x) {
  if (x.ndim() != 2) throw std::invalid_argument("x must be a 2-D array");
}

const double* optional_vector(const py::object& obj, std::int64_t size, const char* name, carray<double>& keep) {
  if (obj.is_none()) return nullptr;
  keep = carray<double>::ensure(obj);
  if (!keep || keep.ndim() != 1 || keep.shape(0) != size)
    throw std::invalid_argument(std::string(name) + " must be a float64 vector of length " + std::to_string(size));
  return keep.data();
}

template <class T>
py::tuple row_dot_sqnorm(const carray<T>& x, const py::object& mu, int n_threads) {
  check_2d(x);
  const std::int64_t n = x.shape(0), d = x.shape(1);
  carray<double> mu_keep;
  const double* mu_ptr = optional_vector(mu, d, "mu", mu_keep);
  carray<double> sqnorm(n);
  py::object dot_obj = py::none();
  double* dot_ptr = nullptr;
  if (mu_ptr != nullptr) {
    carray<double> dot(n);
    dot_ptr = dot.mutable_data();
    dot_obj = dot;
  }
  double* sq_ptr = sqnorm.mutable_data();
  {
    py::gil_scoped_release release;
    numkern::stats::row_dot_sqnorm(x.data(), n, d, mu_ptr, dot_ptr, sq_ptr, n_threads);
  }
  return py::make_tuple(dot_obj, sqnorm);
}

template <class T>
py::tuple row_sq_distance(const carray<T>& x, const carray<double>& center, int n_threads) {
  check_2d(x);
  const std::int64_t n = x.shape(0), d = x.shape(1);
  if (center.ndim() != 1 || center.shape(0) != d) throw std::invalid_argument("center must have length d");
  carray<double> sqdist(n), sqnorm(n);
  double* dist_ptr = sqdist.mutable_data();
  double* sq_ptr = sqnorm.mutable_data();
  {
    py::gil_scoped_release release;
    numkern::stats::row_sq_distance(x.data(), n, d, center.data(), dist_ptr, sq_ptr, n_threads);
  }
  return py::make_tuple(sqdist, sqnorm);
}

template <class T>
py::tuple weighted_column_sum(const carray<T>& x, const py::object& weights, int n_threads) {
  check_2d(x);
  const std::int64_t n = x.shape(0), d = x.shape(1);
  carray<double> w_keep;
  const double* w_ptr = optional_vector(weights, n, "weights", w_keep);
  carray<double> out(d), sqnorm(n);
  double* out_ptr = out.mutable_data();
  double* sq_ptr = sqnorm.mutable_data();
  {
    py::gil_scoped_release release;
    numkern::stats::weighted_column_sum(x.data(), n, d, w_ptr, out_ptr, sq_ptr, n_threads);
  }
  return py::make_tuple(out, sqnorm);
}

template <class T>
double weighted_sq_deviation(const carray<T>& x, const carray<double>& center, const py::object& weights,
                             int n_threads) {
  check_2d(x);
  const std::int64_t n = x.shape(0), d = x.shape(1);
  if (center.ndim() != 1 || center.shape(0) != d) throw std::invalid_argument("center must have length d");
  carray<double> w_keep;
  const double* w_ptr = optional_vector(weights, n, "weights", w_keep);
  py::gil_scoped_release release;
  return numkern::stats::weighted_sq_deviation(x.data(), n, d, center.data(), w_ptr, n_threads);
}

template <class T>
void reflect_rows(carray<T> x, const carray<double>& v, int n_threads) {
  check_2d(x);
  const std::int64_t n = x.shape(0), d = x.shape(1);
  if (v.ndim() != 1 || v.shape(0) != d) throw std::invalid_argument("v must have length d");
  T* ptr = x.mutable_data();
  py::gil_scoped_release release;
  numkern::stats::reflect_rows(ptr, n, d, v.data(), n_threads);
}

template <class T>
void define_for(py::module_& m) {
  // py::arg().noconvert(): float32 stays float32 (no silent float64 copy); the other dtype's overload matches.
  m.def("row_dot_sqnorm", &row_dot_sqnorm<T>, py::arg("x").noconvert(), py::arg("mu"), py::arg("n_threads") = 0,
        "(x @ mu or None, squared row norms) in one pass, accumulated in float64.");
  m.def("row_sq_distance", &row_sq_distance<T>, py::arg("x").noconvert(), py::arg("center"),
        py::arg("n_threads") = 0, "(||x_i - center||^2, ||x_i||^2) per row in one pass, in float64.");
  m.def("weighted_column_sum", &weighted_column_sum<T>, py::arg("x").noconvert(), py::arg("weights"),
        py::arg("n_threads") = 0, "(sum_i w_i x_i, squared row norms) in one pass, accumulated in float64.");
  m.def("weighted_sq_deviation", &weighted_sq_deviation<T>, py::arg("x").noconvert(), py::arg("center"),
        py::arg("weights"), py::arg("n_threads") = 0, "sum_i w_i ||x_i - center||^2 in float64.");
  m.def("reflect_rows", &reflect_rows<T>, py::arg("x").noconvert(), py::arg("v"), py::arg("n_threads") = 0,
        "In place: every row x_i <- (I - 2 v v^T / v^T v) x_i (Householder reflection).");
}

}  // namespace

PYBIND11_MODULE(_stats, m) {
  numkern::bindings::install_interrupt_hook();  // Ctrl-C stops long kernels (cpp/bindings/interrupt.hpp)
  m.doc() = "numkern.stats kernels: fused passes over unit-vector data (OpenMP, GIL released)";
  define_for<double>(m);
  define_for<float>(m);
}
