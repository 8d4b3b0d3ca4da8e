// numkern._cluster: thin pybind11 layer over numkern/cluster/*.hpp. Python (numkern.cluster) validates the
// arguments and passes C-contiguous float32/float64 arrays; everything long runs without the GIL.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <stdexcept>

#include "numkern/cluster/kmedoids.hpp"
#include "numkern/cluster/offload.hpp"
#include "interrupt.hpp"

namespace py = pybind11;
namespace nc = numkern::cluster;
using nc::index_t;

template <class T>
using carray = py::array_t<T, py::array::c_style>;

namespace {

py::array_t<std::int64_t> to_numpy(const std::vector<index_t>& v) {
  py::array_t<std::int64_t> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

// A metric of None: `data` is a precomputed n x n dissimilarity matrix; otherwise n x dim points.
using OptionalMetric = std::optional<nc::Metric>;

// Run opt.algorithm on a precomputed n x n matrix (no metric) or n x dim points with a nc::Metric.
template <class T>
nc::Result dispatch(const carray<T>& data, OptionalMetric metric, double p, const nc::Options& opt) {
  if (data.ndim() != 2) throw std::invalid_argument("data must be 2-D");
  const index_t n = data.shape(0);
  py::gil_scoped_release release;
  if (!metric) {
    nc::MatrixDissimilarity<T> dis{data.data(), n};
    return nc::run_kmedoids(dis, opt);
  }
  nc::PointsDissimilarity<T> dis(data.data(), n, data.shape(1), *metric, p);
  return nc::run_kmedoids(dis, opt);
}

template <class T>
py::tuple run(nc::Algorithm algorithm, const carray<T>& data, OptionalMetric metric, index_t k, nc::Init init,
              const carray<std::int64_t>& initial, index_t max_iter, std::uint64_t seed, int n_threads,
              std::optional<carray<double>> weights, index_t samples, index_t sample_size, index_t numlocal,
              index_t maxneighbor, double p) {
  nc::Options opt;
  opt.algorithm = algorithm;
  opt.init = init;
  opt.k = k;
  opt.initial.assign(initial.data(), initial.data() + initial.size());
  opt.max_iter = max_iter;
  opt.seed = seed;
  opt.n_threads = numkern::resolve_num_threads(n_threads);
  opt.weights = weights ? weights->data() : nullptr;
  opt.samples = samples;
  opt.sample_size = sample_size;
  opt.numlocal = numlocal;
  opt.maxneighbor = maxneighbor;
  const nc::Result r = dispatch(data, metric, p, opt);
  return py::make_tuple(to_numpy(r.medoids), to_numpy(r.labels), r.loss, r.n_iter, r.n_swap);
}

// The silhouette optimisers (nc::Algorithm::fastmsc ..): (medoids, labels, loss, n_iter, n_swap, losses), where
// loss is the average medoid silhouette (pamsil: the silhouette) and losses DynMSC's AMS for k = min_k .. k.
template <class T>
py::tuple msc(nc::Algorithm algorithm, const carray<T>& data, OptionalMetric metric, double p, index_t k,
              index_t min_k, nc::Init init, const carray<std::int64_t>& initial, index_t max_iter, std::uint64_t seed,
              int n_threads) {
  if (k < 2 || min_k < 2 || min_k > k || k >= data.shape(0)) throw std::invalid_argument("need 2 <= min_k <= k < n");
  nc::Options opt;
  opt.algorithm = algorithm;
  if (!nc::optimises_silhouette(opt.algorithm)) throw std::invalid_argument("not a silhouette algorithm");
  opt.init = init;
  opt.k = k;
  opt.min_k = min_k;
  opt.initial.assign(initial.data(), initial.data() + initial.size());
  opt.max_iter = max_iter;
  opt.seed = seed;
  opt.n_threads = numkern::resolve_num_threads(n_threads);
  const nc::Result r = dispatch(data, metric, p, opt);
  py::array_t<double> losses(static_cast<py::ssize_t>(r.losses.size()));
  std::copy(r.losses.begin(), r.losses.end(), losses.mutable_data());
  return py::make_tuple(to_numpy(r.medoids), to_numpy(r.labels), r.loss, r.n_iter, r.n_swap, losses);
}

// Classic silhouette of labels 0..k-1 on an n x n matrix (row i = d(i, .)): (mean, samples, valid), valid false
// when an off-diagonal entry is NaN, infinite or negative (checked in the same pass; Python reports it).
template <class T>
py::tuple silhouette(const carray<T>& D, const carray<std::int64_t>& labels, index_t k, int n_threads) {
  const index_t n = D.shape(0);
  if (D.ndim() != 2 || D.shape(1) != n || labels.size() != n) throw std::invalid_argument("need an n x n D, n labels");
  py::array_t<double> samples(static_cast<py::ssize_t>(n));
  double* out = samples.mutable_data();
  const int threads = numkern::resolve_num_threads(n_threads);
  double mean;
  bool valid = true;
  {
    py::gil_scoped_release release;
    nc::MatrixDissimilarity<T> dis{D.data(), n};
    mean = nc::silhouette(dis, labels.data(), k, out, threads, &valid);
  }
  return py::make_tuple(mean, samples, valid);
}

// Medoid silhouette of the medoids (row = medoid): (mean, samples).
template <class T>
py::tuple medoid_silhouette(const carray<T>& D, const carray<std::int64_t>& medoids) {
  const index_t n = D.shape(0);
  if (D.ndim() != 2 || D.shape(1) != n) throw std::invalid_argument("need an n x n D");
  py::array_t<double> samples(static_cast<py::ssize_t>(n));
  double* out = samples.mutable_data();
  const std::vector<index_t> med(medoids.data(), medoids.data() + medoids.size());
  double mean;
  {
    py::gil_scoped_release release;
    nc::MatrixDissimilarity<T> dis{D.data(), n};
    mean = nc::medoid_silhouette(dis, med, out);
  }
  return py::make_tuple(mean, samples);
}

// (flat index of the first entry that is not finite and >= 0, or -1; the largest entry) in one pass.
template <class T>
py::tuple first_invalid(const carray<T>& data, int n_threads) {
  const int threads = numkern::resolve_num_threads(n_threads);
  double largest = 0.0;
  index_t first;
  {
    py::gil_scoped_release release;
    first = nc::first_invalid_entry(data.data(), static_cast<index_t>(data.size()), threads, &largest);
  }
  return py::make_tuple(first, largest);
}

// Dissimilarities between the rows of A (na x dim) and of B (nb x dim): out[i, j] = d(A_i, B_j).
template <class T>
carray<T> cdist(const carray<T>& A, const carray<T>& B, nc::Metric metric, int n_threads, double p) {
  if (A.ndim() != 2 || B.ndim() != 2 || A.shape(1) != B.shape(1)) throw std::invalid_argument("A and B must be 2-D with equal columns");
  const index_t na = A.shape(0), nb = B.shape(0), dim = A.shape(1);
  carray<T> out({na, nb});
  T* o = out.mutable_data();
  const int threads = numkern::resolve_num_threads(n_threads);
  {
    py::gil_scoped_release release;
    nc::cross_dissimilarities(A.data(), na, B.data(), nb, dim, metric, o, threads, p);
  }
  return out;
}

template <class T>
carray<T> pairwise(const carray<T>& X, nc::Metric metric, int n_threads, double p) {
  if (X.ndim() != 2) throw std::invalid_argument("X must be 2-D");
  const index_t n = X.shape(0);
  carray<T> out({n, n});
  const int threads = numkern::resolve_num_threads(n_threads);
  {
    py::gil_scoped_release release;
    nc::PointsDissimilarity<T> dis(X.data(), n, X.shape(1), metric, p);
    nc::materialise(dis, out.mutable_data(), threads);
  }
  return out;
}

// The GPU path's driver (offload.hpp) with its passes on the CPU (ReferencePasses), for the tests.
template <class T>
py::tuple pam_offload_reference(const carray<T>& D, index_t k, const std::vector<index_t>& initial,
                                const py::object& weights, index_t max_iter, bool build_only) {
  if (D.ndim() != 2 || D.shape(0) != D.shape(1)) throw std::invalid_argument("D must be square");
  const index_t n = D.shape(0);
  std::vector<double> w;
  if (!weights.is_none()) w = weights.cast<std::vector<double>>();
  nc::Result r;
  {
    py::gil_scoped_release release;
    nc::ReferencePasses<T> passes{D.data(), n, w.empty() ? nullptr : w.data()};
    r = nc::pam_offload(passes, n, k, initial, w.empty() ? nullptr : w.data(), max_iter, build_only);
  }
  return py::make_tuple(to_numpy(r.medoids), to_numpy(r.labels), r.loss, r.n_iter, r.n_swap);
}

template <class T>
void define(py::module_& m) {
  m.def("run", &run<T>, py::arg("algorithm"), py::arg("data"), py::arg("metric"), py::arg("k"), py::arg("init"),
        py::arg("initial"), py::arg("max_iter"), py::arg("seed"), py::arg("n_threads"), py::arg("weights"),
        py::arg("samples"), py::arg("sample_size"), py::arg("numlocal"), py::arg("maxneighbor"), py::arg("p") = 2.0);
  m.def("msc", &msc<T>, py::arg("algorithm"), py::arg("data"), py::arg("metric"), py::arg("p"), py::arg("k"),
        py::arg("min_k"), py::arg("init"), py::arg("initial"), py::arg("max_iter"), py::arg("seed"), py::arg("n_threads"));
  m.def("silhouette", &silhouette<T>, py::arg("D"), py::arg("labels"), py::arg("k"), py::arg("n_threads"));
  m.def("medoid_silhouette", &medoid_silhouette<T>, py::arg("D"), py::arg("medoids"));
  m.def("first_invalid", &first_invalid<T>, py::arg("data"), py::arg("n_threads"));
  m.def("cdist", &cdist<T>, py::arg("A"), py::arg("B"), py::arg("metric"), py::arg("n_threads"), py::arg("p") = 2.0);
  m.def("pairwise", &pairwise<T>, py::arg("X"), py::arg("metric"), py::arg("n_threads"), py::arg("p") = 2.0);
  m.def("pam_offload_reference", &pam_offload_reference<T>, py::arg("D"), py::arg("k"), py::arg("initial"),
        py::arg("weights"), py::arg("max_iter"), py::arg("build_only"));
}

}  // namespace

PYBIND11_MODULE(_cluster, m) {
  numkern::bindings::install_interrupt_hook();  // Ctrl-C stops long kernels (cpp/bindings/interrupt.hpp)
  m.doc() = "numkern k-medoids kernels (PAM family, CLARA, CLARANS, silhouettes and their optimisers)";
  py::enum_<nc::Algorithm>(m, "Algorithm", "k-medoids algorithm of run and msc (numkern/cluster/kmedoids.hpp).")
      .value("pam", nc::Algorithm::pam)
      .value("fastpam1", nc::Algorithm::fastpam1)
      .value("fastpam2", nc::Algorithm::fastpam2)
      .value("fasterpam", nc::Algorithm::fasterpam)
      .value("alternating", nc::Algorithm::alternating)
      .value("build", nc::Algorithm::build)
      .value("lab", nc::Algorithm::lab)
      .value("clara", nc::Algorithm::clara)
      .value("fastclara", nc::Algorithm::fastclara)
      .value("clarans", nc::Algorithm::clarans)
      .value("fastclarans", nc::Algorithm::fastclarans)
      .value("fastmsc", nc::Algorithm::fastmsc)
      .value("fastermsc", nc::Algorithm::fastermsc)
      .value("pammedsil", nc::Algorithm::pammedsil)
      .value("pamsil", nc::Algorithm::pamsil)
      .value("dynmsc", nc::Algorithm::dynmsc);
  py::enum_<nc::Metric>(m, "Metric", "Dissimilarity of raw points (numkern/cluster/common.hpp); None: precomputed.")
      .value("euclidean", nc::Metric::euclidean)
      .value("sqeuclidean", nc::Metric::sqeuclidean)
      .value("manhattan", nc::Metric::manhattan)
      .value("cosine", nc::Metric::cosine)
      .value("chebyshev", nc::Metric::chebyshev)
      .value("minkowski", nc::Metric::minkowski)
      .value("hamming", nc::Metric::hamming)
      .value("jaccard", nc::Metric::jaccard)
      .value("canberra", nc::Metric::canberra);
  py::enum_<nc::Init>(m, "Init", "Initial medoids of run and msc; given: the `initial` indices.")
      .value("build", nc::Init::build)
      .value("lab", nc::Init::lab)
      .value("random", nc::Init::random)
      .value("first", nc::Init::first)
      .value("given", nc::Init::given);
  define<double>(m);
  define<float>(m);
}
