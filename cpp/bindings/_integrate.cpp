// numkern._integrate: thin pybind11 layer over numkern/integrate/*.hpp (array plumbing + GIL release).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "numkern/integrate/bayes_quad.hpp"
#include "numkern/integrate/rules.hpp"
#include "interrupt.hpp"

namespace py = pybind11;
namespace ni = numkern::integrate;

namespace {

// Batch layout of y (all dims but `axis`) and of a freshly allocated C-ordered output.
ni::BatchLayout make_layout(const py::array& y, int axis, const std::vector<py::ssize_t>& out_shape,
                            std::vector<py::ssize_t>& out_strides_elems) {
  const int nd = static_cast<int>(y.ndim());
  const auto itemsize = y.itemsize();
  ni::BatchLayout L;
  // C-order element strides of the output.
  out_strides_elems.assign(out_shape.size(), 1);
  for (int d = static_cast<int>(out_shape.size()) - 2; d >= 0; --d)
    out_strides_elems[d] = out_strides_elems[d + 1] * std::max<py::ssize_t>(out_shape[d + 1], 1);
  for (int d = 0; d < nd; ++d) {
    if (y.strides(d) % itemsize != 0) throw std::invalid_argument("y strides must be multiples of the itemsize");
    const std::int64_t ys = y.strides(d) / itemsize;
    if (d == axis) {
      L.n = y.shape(d);
      L.y_axis_stride = ys;
      if (out_shape.size() == static_cast<size_t>(nd)) L.o_axis_stride = out_strides_elems[d];
      continue;
    }
    L.shape.push_back(y.shape(d));
    L.y_stride.push_back(ys);
    const int od = (out_shape.size() == static_cast<size_t>(nd)) ? d : (d < axis ? d : d - 1);
    L.o_stride.push_back(out_strides_elems[od]);
  }
  return L;
}

template <class Tin, class Tout>
py::array reduce_impl(const py::array& y, const py::array_t<double, py::array::c_style>& w, int axis, int n_threads) {
  std::vector<py::ssize_t> out_shape;
  for (int d = 0; d < y.ndim(); ++d)
    if (d != axis) out_shape.push_back(y.shape(d));
  std::vector<py::ssize_t> os;
  ni::BatchLayout L = make_layout(y, axis, out_shape, os);
  if (w.size() != L.n) throw std::invalid_argument("weights length must equal y.shape[axis]");
  py::array_t<Tout> out(out_shape);
  const Tin* yp = static_cast<const Tin*>(y.data());
  const double* wp = w.data();
  Tout* op = out.mutable_data();
  {
    py::gil_scoped_release release;
    ni::weighted_reduce<Tin, Tout>(yp, wp, op, L, n_threads);
  }
  return out;
}

template <class Tin, class Tout>
py::array cumulative_impl(const py::array& y, const py::array_t<double, py::array::c_style>& coef,
                          const py::array_t<std::int64_t, py::array::c_style>& start, int taps, int axis, int shift,
                          double initial, int n_threads) {
  std::vector<py::ssize_t> out_shape;
  for (int d = 0; d < y.ndim(); ++d) out_shape.push_back(d == axis ? y.shape(d) - 1 + shift : y.shape(d));
  std::vector<py::ssize_t> os;
  ni::BatchLayout L = make_layout(y, axis, out_shape, os);
  if (L.n < 1) throw std::invalid_argument("at least one point is required along axis");
  if (coef.size() != 3 * (L.n - 1) || start.size() != L.n - 1)
    throw std::invalid_argument("stencil arrays do not match y.shape[axis]");
  py::array_t<Tout> out(out_shape);
  const Tin* yp = static_cast<const Tin*>(y.data());
  Tout* op = out.mutable_data();
  const double* cp = coef.data();
  const std::int64_t* sp = start.data();
  {
    py::gil_scoped_release release;
    ni::cumulative_stencil<Tin, Tout>(yp, cp, sp, taps, op, L, shift, initial, n_threads);
  }
  return out;
}

bool is_f64(const py::dtype& dt) { return dt.is(py::dtype::of<double>()); }
bool is_f32(const py::dtype& dt) { return dt.is(py::dtype::of<float>()); }

py::array weighted_reduce(const py::array& y, const py::array_t<double, py::array::c_style>& w, int axis,
                          const py::dtype& out_dtype, int n_threads) {
  const bool o64 = is_f64(out_dtype);
  if (!o64 && !is_f32(out_dtype)) throw std::invalid_argument("out_dtype must be float32 or float64");
  if (is_f64(y.dtype()))
    return o64 ? reduce_impl<double, double>(y, w, axis, n_threads) : reduce_impl<double, float>(y, w, axis, n_threads);
  if (is_f32(y.dtype()))
    return o64 ? reduce_impl<float, double>(y, w, axis, n_threads) : reduce_impl<float, float>(y, w, axis, n_threads);
  throw std::invalid_argument("y must be float32 or float64");
}

py::array cumulative(const py::array& y, const py::array_t<double, py::array::c_style>& coef,
                     const py::array_t<std::int64_t, py::array::c_style>& start, int taps, int axis, int shift,
                     double initial, const py::dtype& out_dtype, int n_threads) {
  const bool o64 = is_f64(out_dtype);
  if (!o64 && !is_f32(out_dtype)) throw std::invalid_argument("out_dtype must be float32 or float64");
  if (is_f64(y.dtype()))
    return o64 ? cumulative_impl<double, double>(y, coef, start, taps, axis, shift, initial, n_threads)
               : cumulative_impl<double, float>(y, coef, start, taps, axis, shift, initial, n_threads);
  if (is_f32(y.dtype()))
    return o64 ? cumulative_impl<float, double>(y, coef, start, taps, axis, shift, initial, n_threads)
               : cumulative_impl<float, float>(y, coef, start, taps, axis, shift, initial, n_threads);
  throw std::invalid_argument("y must be float32 or float64");
}

// BQ weights, posterior variance (sigma^2 = 1), log-determinant term sum(log S_k), and optionally the
// innovation quadratic forms sum(v_k^2 / S_k) of the rows of Y (R x N, C order).
py::tuple bq_solve(const py::array_t<double, py::array::c_style>& x, ni::Prior kind, int p, double lengthscale,
                   double a, double b, py::object Y_obj) {
  const std::int64_t N = x.size();
  if (kind == ni::Prior::matern && (p < 0 || p > ni::kMaxMaternOrder)) throw std::invalid_argument("Matern order out of range");
  py::array_t<double> w(N);
  double variance = 0.0, logdet = 0.0;
  py::array_t<double, py::array::c_style> Y;
  std::int64_t R = 0;
  if (!Y_obj.is_none()) {
    Y = Y_obj.cast<py::array_t<double, py::array::c_style>>();
    if (Y.ndim() != 2 || Y.shape(1) != N) throw std::invalid_argument("Y must have shape (R, N)");
    R = Y.shape(0);
  }
  py::array_t<double> q(R);
  bool ok;
  {
    py::gil_scoped_release release;
    ni::StateSpaceKernel ker(kind, p, lengthscale);
    ok = ni::bq_solve(ker, x.data(), N, a, b, R > 0 ? Y.data() : nullptr, R, w.mutable_data(), variance, logdet,
                      q.mutable_data());
  }
  if (!ok)
    throw std::invalid_argument("x: the prior variance at a node is not positive (nodes too close together "
                                "for this lengthscale, or not strictly increasing)");
  return py::make_tuple(w, variance, logdet, q);
}

// 1-D rule weights from spacings d (n - 1 entries).
py::array_t<double> rule_weights(const py::array_t<double, py::array::c_style | py::array::forcecast>& d, ni::Rule kind) {
  const std::int64_t n = d.size() + 1;
  py::array_t<double> w(n);
  const double* dp = d.data();
  double* wp = w.mutable_data();
  {
    py::gil_scoped_release release;
    ni::rule_weights(kind, dp, n, wp);
  }
  return w;
}

// Discretised augmented system (Phi(h), Q(h), prior covariance at a) for tests.
py::tuple state_space(ni::Prior kind, int p, double lengthscale, double h) {
  ni::StateSpaceKernel ker(kind, p, lengthscale);
  const int D = ker.dim();
  std::vector<ni::Real> buf(3 * D * D);
  ker.transition(h, buf.data());
  ker.noise(h, buf.data() + D * D);
  ker.initial_cov(buf.data() + 2 * D * D);
  py::array_t<double> out({3, D, D});
  for (int i = 0; i < 3 * D * D; ++i) out.mutable_data()[i] = static_cast<double>(buf[i]);
  return py::make_tuple(out[py::int_(0)], out[py::int_(1)], out[py::int_(2)]);
}

}  // namespace

PYBIND11_MODULE(_integrate, m) {
  numkern::bindings::install_interrupt_hook();  // Ctrl-C stops long kernels (cpp/bindings/interrupt.hpp)
  m.doc() = "numkern integrate kernels: fused quadrature passes and state-space Bayesian quadrature";
  py::enum_<ni::Prior>(m, "Prior", "Bayesian-quadrature prior: half-integer Matern or Wiener.")
      .value("matern", ni::Prior::matern)
      .value("wiener", ni::Prior::wiener);
  py::enum_<ni::Rule>(m, "Rule", "Newton-Cotes rule of rule_weights.")
      .value("trapezoid", ni::Rule::trapezoid)
      .value("simpson", ni::Rule::simpson);
  m.def("weighted_reduce", &weighted_reduce, py::arg("y"), py::arg("w"), py::arg("axis"), py::arg("out_dtype"),
        py::arg("n_threads") = 0, "out = sum_n w[n] * y[..., n, ...] along axis (one pass, any strides).");
  m.def("cumulative", &cumulative, py::arg("y"), py::arg("coef"), py::arg("start"), py::arg("taps"),
        py::arg("axis"), py::arg("shift"), py::arg("initial"), py::arg("out_dtype"), py::arg("n_threads") = 0,
        "Cumulative sums of per-interval 3-point stencils along axis.");
  m.def("rule_weights", &rule_weights, py::arg("d"), py::arg("kind"),
        "Trapezoid or scipy-Simpson weights (Rule) from the 1-D spacings d.");
  m.def("bq_solve", &bq_solve, py::arg("x"), py::arg("kind"), py::arg("p"), py::arg("lengthscale"), py::arg("a"),
        py::arg("b"), py::arg("Y") = py::none(),
        "State-space Bayesian quadrature: (weights, variance, sum log S, innovation quadratic forms).");
  m.def("state_space", &state_space, py::arg("kind"), py::arg("p"), py::arg("lengthscale"), py::arg("h"),
        "Exact discretisation (Phi(h), Q(h), prior covariance) of the integral-augmented state-space model.");
}
