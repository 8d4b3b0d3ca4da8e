// numkern._sparse: thin pybind11 layer over numkern/sparse/spgemm.hpp. Python (numkern.sparse) checks formats,
// dtypes and shapes, allocates outputs and builds the scipy containers; here we only pass raw pointers and
// release the GIL. One template per phase, one overload per (value, index) type: arrays must already have the
// exact dtype and be C-contiguous (no forcecast, so nothing is silently copied).
#include <pybind11/complex.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <complex>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include "numkern/sparse/spgemm.hpp"
#include "interrupt.hpp"

namespace py = pybind11;
namespace nks = numkern::sparse;

template <class T>
using carray = py::array_t<T, py::array::c_style>;

namespace {

template <class T>
const T* cptr(const carray<T>& a) {
  return a.data();
}

template <class I>
nks::Csr<I> make_csr(const carray<I>& indptr, const carray<I>& indices, int64_t nrows, int64_t ncols) {
  if (indptr.size() != nrows + 1) throw std::invalid_argument("indptr has the wrong length");
  nks::Csr<I> m;
  m.nrows = nrows;
  m.ncols = ncols;
  m.indptr = indptr.data();
  m.indices = indices.data();
  return m;
}

// Run ids of a structure's rows by relative structure (see csr_validate_band), or None.
template <class I>
py::object run_ids_or_none(bool wanted, int64_t nrows, I** out) {
  if (!wanted) return py::none();
  py::array_t<I> ids(nrows);
  *out = ids.mutable_data();
  return std::move(ids);
}

// Returns (bandwidth of a CSR structure or -1 when it is invalid, run ids or None, whether every row strictly
// increases); see csr_validate_band.
template <class I>
py::tuple validate_band(const carray<I>& indptr, const carray<I>& indices, int64_t nrows, int64_t ncols,
                        int n_threads, bool run_ids) {
  if (indptr.size() != nrows + 1) return py::make_tuple(-1, py::none(), false);
  I* run = nullptr;
  py::object ids = run_ids_or_none<I>(run_ids, nrows, &run);
  int64_t band = -1;
  bool canonical = false;
  {
    py::gil_scoped_release release;
    band = nks::csr_validate_band<I>(indptr.data(), indices.data(), nrows, ncols,
                                     static_cast<int64_t>(indices.size()), n_threads, nullptr, nullptr, nullptr, run,
                                     &canonical);
  }
  return py::make_tuple(band, ids, canonical);
}

// Validates A like validate_band and, in the same pass, counts the partial products of A B (B's row pointers Bp,
// length ncols + 1). Returns (band or -1, flop per row, total flop, run ids or None, whether every row strictly
// increases).
template <class I>
py::tuple validate_band_flops(const carray<I>& indptr, const carray<I>& indices, int64_t nrows, int64_t ncols,
                              const carray<I>& Bp, int n_threads, bool run_ids) {
  if (indptr.size() != nrows + 1 || Bp.size() != ncols + 1) throw std::invalid_argument("indptr has the wrong length");
  py::array_t<int64_t> flop(nrows);
  I* run = nullptr;
  py::object ids = run_ids_or_none<I>(run_ids, nrows, &run);
  int64_t total_flop = 0, band = -1;
  bool canonical = false;
  {
    py::gil_scoped_release release;
    band = nks::csr_validate_band(indptr.data(), indices.data(), nrows, ncols, static_cast<int64_t>(indices.size()),
                                  n_threads, Bp.data(), flop.mutable_data(), &total_flop, run, &canonical);
  }
  return py::make_tuple(band, flop, total_flop, ids, canonical);
}

// Returns the exclusive prefix sum of the structural row counts (int64), given the flop counts of
// validate_band_flops.
template <class I>
py::array_t<int64_t> symbolic(const carray<I>& Ap, const carray<I>& Aj, const carray<I>& Bp, const carray<I>& Bj,
                              int64_t m, int64_t k, int64_t n, const carray<int64_t>& flop, int64_t total_flop,
                              bool b_canonical, int64_t band, int n_threads) {
  const auto A = make_csr(Ap, Aj, m, k);
  const auto B = make_csr(Bp, Bj, k, n);
  if (flop.size() != m) throw std::invalid_argument("flop has the wrong length");
  py::array_t<int64_t> prefix(m + 1);
  {
    py::gil_scoped_release release;
    nks::spgemm_symbolic_offsets(A, B, flop.data(), total_flop, b_canonical, band, prefix.mutable_data(),
                                 n_threads);
  }
  return prefix;
}

// The numeric product into Cp/Cj/Cx: single pass (outputs with room for total_flop entries, Cp written) or the
// second pass after spgemm_symbolic_offsets (Cp: its offsets). Returns the final nnz.
template <class V, class I>
int64_t numeric(const carray<I>& Ap, const carray<I>& Aj, const carray<V>& Ax, const carray<I>& Bp,
                const carray<I>& Bj, const carray<V>& Bx, int64_t m, int64_t k, int64_t n,
                const carray<int64_t>& flop, int64_t total_flop, bool b_canonical, int64_t band,
                const std::optional<carray<I>>& b_run, carray<I> Cp, carray<I> Cj, carray<V> Cx, bool sort_indices,
                bool keep_zeros, int n_threads, bool single_pass) {
  const auto A = make_csr(Ap, Aj, m, k);
  const auto B = make_csr(Bp, Bj, k, n);
  if (flop.size() != m || Cp.size() != m + 1) throw std::invalid_argument("flop/indptr have the wrong length");
  if (Ax.size() < Aj.size() || Bx.size() < Bj.size()) throw std::invalid_argument("data shorter than indices");
  I* cp = Cp.mutable_data();
  const int64_t room = single_pass ? total_flop : static_cast<int64_t>(cp[m]);
  if (Cj.size() < room || Cx.size() < room) throw std::invalid_argument("output arrays too short");
  if (b_run && b_run->size() != k) throw std::invalid_argument("b_run has the wrong length");
  const I* run = b_run ? b_run->data() : nullptr;
  const nks::RowProduct<V, I> P{A, Ax.data(), B, Bx.data(), flop.data(), b_canonical, band, sort_indices,
                                keep_zeros, run};
  py::gil_scoped_release release;
  if (single_pass) return nks::spgemm_single_pass(P, total_flop, cp, Cj.mutable_data(), Cx.mutable_data(), n_threads);
  return nks::spgemm_numeric(P, total_flop, cp, Cj.mutable_data(), Cx.mutable_data(), n_threads);
}

// The product restricted to the pattern Cp/Cj (rewritten in place). Returns the final nnz.
template <class V, class I>
int64_t on_pattern(const carray<I>& Ap, const carray<I>& Aj, const carray<V>& Ax, const carray<I>& Bp,
                   const carray<I>& Bj, const carray<V>& Bx, int64_t m, int64_t k, int64_t n,
                   const carray<int64_t>& flop, int64_t total_flop, carray<I> Cp, carray<I> Cj, carray<V> Cx,
                   bool keep_zeros, int n_threads) {
  const auto A = make_csr(Ap, Aj, m, k);
  const auto B = make_csr(Bp, Bj, k, n);
  if (flop.size() != m || Cp.size() != m + 1) throw std::invalid_argument("flop/indptr have the wrong length");
  if (Ax.size() < Aj.size() || Bx.size() < Bj.size()) throw std::invalid_argument("data shorter than indices");
  I* cp = Cp.mutable_data();
  if (Cj.size() < cp[m] || Cx.size() < cp[m]) throw std::invalid_argument("output arrays too short");
  py::gil_scoped_release release;
  return nks::spgemm_on_pattern(A, Ax.data(), B, Bx.data(), flop.data(), total_flop, cp, Cj.mutable_data(),
                                Cx.mutable_data(), keep_zeros, n_threads);
}

// Read-only numpy view of a vector owned by `owner` (the plan): no copy, kept alive with it. Results share the
// plan's pattern through these views, so nothing may write into them (numpy refuses to make them writeable).
template <class T>
py::array_t<T> view_of(const std::vector<T>& v, const py::object& owner) {
  py::array_t<T> a({static_cast<py::ssize_t>(v.size())}, {static_cast<py::ssize_t>(sizeof(T))}, v.data(), owner);
  a.attr("setflags")(py::arg("write") = false);
  return a;
}

// Values of the product on the plan's pattern into Cx (nnz entries); returns whether one is exactly zero.
template <class V, class I>
bool plan_multiply(const nks::SpgemmPlan<I>& plan, const carray<V>& Ax, const carray<V>& Bx, carray<V> Cx) {
  if (Ax.size() < static_cast<py::ssize_t>(plan.a_indices().size()) ||
      Bx.size() < static_cast<py::ssize_t>(plan.b_indices().size()))
    throw std::invalid_argument("data shorter than indices");
  if (Cx.size() != plan.nnz()) throw std::invalid_argument("Cx must have one entry per position of the pattern");
  V* cx = Cx.mutable_data();
  py::gil_scoped_release release;
  return plan.multiply(Ax.data(), Bx.data(), cx);
}

// The product without its exact zeros from multiply's values Cx (compacted in place): returns (indptr, indices
// with room for nnz entries, final nnz).
template <class V, class I>
py::tuple plan_compact_zeros(const nks::SpgemmPlan<I>& plan, carray<V> Cx) {
  if (Cx.size() != plan.nnz()) throw std::invalid_argument("Cx must have one entry per position of the pattern");
  py::array_t<I> Cp(plan.nrows() + 1);
  py::array_t<I> Cj(plan.nnz());
  V* cx = Cx.mutable_data();
  int64_t nnz = 0;
  {
    py::gil_scoped_release release;
    nnz = plan.compact_zeros(cx, Cp.mutable_data(), Cj.mutable_data(), cx);
  }
  return py::make_tuple(Cp, Cj, nnz);
}

template <class V, class I, class Class>
void register_plan_multiply(Class& cls) {
  cls.def("multiply", &plan_multiply<V, I>, py::arg("Ax").noconvert(), py::arg("Bx").noconvert(),
          py::arg("Cx").noconvert());
  cls.def("compact_zeros", &plan_compact_zeros<V, I>, py::arg("Cx").noconvert());
}

// The plan handle (numkern/sparse/spgemm/plan.hpp) for one index type: built from the structures validated by
// Python (numkern.sparse._spgemm._Operands) and the symbolic row offsets; owns copies of everything it reads.
template <class I>
void register_plan(py::module_& m, const char* name) {
  using Plan = nks::SpgemmPlan<I>;
  py::class_<Plan> cls(m, name, "Reusable plan of A @ B: structures, sorted pattern and scatter map (C++ owned).");
  cls.def(py::init([](const carray<I>& Ap, const carray<I>& Aj, const carray<I>& Bp, const carray<I>& Bj, int64_t m,
                      int64_t k, int64_t n, const carray<int64_t>& flop, int64_t total_flop, bool b_canonical,
                      int64_t band, const std::optional<carray<I>>& b_run, const carray<int64_t>& offsets,
                      nks::ScatterMap scatter_map, int n_threads) {
            nks::ProductStructure<I> s;
            s.A = make_csr(Ap, Aj, m, k);
            s.B = make_csr(Bp, Bj, k, n);
            s.a_nnz = Aj.size();
            s.b_nnz = Bj.size();
            if (flop.size() != m || offsets.size() != m + 1) throw std::invalid_argument("flop/offsets have the wrong length");
            if (b_run && b_run->size() != k) throw std::invalid_argument("b_run has the wrong length");
            s.flop = flop.data();
            s.total_flop = total_flop;
            s.b_canonical = b_canonical;
            s.band = band;
            s.b_run = b_run ? b_run->data() : nullptr;
            py::gil_scoped_release release;
            return new Plan(s, offsets.data(), scatter_map, n_threads);
          }),
          py::kw_only(), py::arg("Ap"), py::arg("Aj"), py::arg("Bp"), py::arg("Bj"), py::arg("m"), py::arg("k"),
          py::arg("n"), py::arg("flop"), py::arg("total_flop"), py::arg("b_canonical"), py::arg("band"),
          py::arg("b_run"), py::arg("offsets"), py::arg("scatter_map"), py::arg("n_threads"));
  cls.def_property_readonly("nnz", &Plan::nnz);
  cls.def_property_readonly("total_flop", &Plan::total_flop);
  cls.def_property_readonly("has_map", &Plan::has_map);
  cls.def_property_readonly("map_nbytes", &Plan::map_bytes);
  cls.def_property_readonly("nbytes", &Plan::nbytes);
  cls.def_property_readonly("a_indptr", [](py::object self) { return view_of(self.cast<const Plan&>().a_indptr(), self); });
  cls.def_property_readonly("a_indices", [](py::object self) { return view_of(self.cast<const Plan&>().a_indices(), self); });
  cls.def_property_readonly("b_indptr", [](py::object self) { return view_of(self.cast<const Plan&>().b_indptr(), self); });
  cls.def_property_readonly("b_indices", [](py::object self) { return view_of(self.cast<const Plan&>().b_indices(), self); });
  cls.def_property_readonly("indptr", [](py::object self) { return view_of(self.cast<const Plan&>().indptr(), self); });
  cls.def_property_readonly("indices", [](py::object self) { return view_of(self.cast<const Plan&>().indices(), self); });
  register_plan_multiply<float, I>(cls);
  register_plan_multiply<double, I>(cls);
  register_plan_multiply<std::complex<float>, I>(cls);
  register_plan_multiply<std::complex<double>, I>(cls);
  register_plan_multiply<uint32_t, I>(cls);
  register_plan_multiply<uint64_t, I>(cls);
}

template <class I>
void register_index(py::module_& m) {
  m.def("validate_band", &validate_band<I>, py::arg("indptr"), py::arg("indices"), py::arg("nrows"), py::arg("ncols"),
        py::arg("n_threads"), py::arg("run_ids"));
  m.def("validate_band_flops", &validate_band_flops<I>, py::arg("indptr"), py::arg("indices"), py::arg("nrows"),
        py::arg("ncols"), py::arg("Bp"), py::arg("n_threads"), py::arg("run_ids"));
  m.def("symbolic", &symbolic<I>, py::kw_only(), py::arg("Ap"), py::arg("Aj"), py::arg("Bp"), py::arg("Bj"),
        py::arg("m"), py::arg("k"), py::arg("n"), py::arg("flop"), py::arg("total_flop"), py::arg("b_canonical"),
        py::arg("band"), py::arg("n_threads"));
}

// Keyword-only: Python passes every array and option by name. Outputs are never converted (a converted copy would
// take the results and be dropped), and no argument is for the product arrays, which Python gives their exact
// dtypes (the first overload pass matches them without conversion).
template <class V, class I>
void register_value(py::module_& m) {
  m.def("numeric", &numeric<V, I>, py::kw_only(), py::arg("Ap"), py::arg("Aj"), py::arg("Ax"), py::arg("Bp"),
        py::arg("Bj"), py::arg("Bx"), py::arg("m"), py::arg("k"), py::arg("n"), py::arg("flop"), py::arg("total_flop"),
        py::arg("b_canonical"), py::arg("band"), py::arg("b_run").none(true), py::arg("Cp").noconvert(),
        py::arg("Cj").noconvert(), py::arg("Cx").noconvert(), py::arg("sort_indices"), py::arg("keep_zeros"),
        py::arg("n_threads"), py::arg("single_pass"));
  m.def("on_pattern", &on_pattern<V, I>, py::kw_only(), py::arg("Ap"), py::arg("Aj"), py::arg("Ax"), py::arg("Bp"),
        py::arg("Bj"), py::arg("Bx"), py::arg("m"), py::arg("k"), py::arg("n"), py::arg("flop"),
        py::arg("total_flop"), py::arg("Cp").noconvert(), py::arg("Cj").noconvert(), py::arg("Cx").noconvert(),
        py::arg("keep_zeros"), py::arg("n_threads"));
}

template <class V>
void register_value_all_indices(py::module_& m) {
  register_value<V, int32_t>(m);
  register_value<V, int64_t>(m);
}

}  // namespace

PYBIND11_MODULE(_sparse, m) {
  numkern::bindings::install_interrupt_hook();  // Ctrl-C stops long kernels (cpp/bindings/interrupt.hpp)
  m.doc() = "numkern sparse kernels: row-wise SpGEMM (single pass, or symbolic + numeric) with per-row hash / dense "
            "accumulators";
  register_index<int32_t>(m);
  register_index<int64_t>(m);
  py::enum_<nks::ScatterMap>(m, "ScatterMap", "When a plan builds its scatter map (numkern/sparse/spgemm/plan.hpp).")
      .value("automatic", nks::ScatterMap::automatic)
      .value("always", nks::ScatterMap::always)
      .value("never", nks::ScatterMap::never);
  register_plan<int32_t>(m, "SpgemmPlanInt32");
  register_plan<int64_t>(m, "SpgemmPlanInt64");
  // Integer values run as unsigned (wrap-around arithmetic is well defined and bitwise equal to signed two's
  // complement); Python views/casts them.
  register_value_all_indices<float>(m);
  register_value_all_indices<double>(m);
  register_value_all_indices<std::complex<float>>(m);
  register_value_all_indices<std::complex<double>>(m);
  register_value_all_indices<uint32_t>(m);
  register_value_all_indices<uint64_t>(m);
  m.attr("serial_flop_cutoff") = nks::kSerialFlopCutoff;
  m.attr("dense_ratio") = nks::kDenseRatio;
}
