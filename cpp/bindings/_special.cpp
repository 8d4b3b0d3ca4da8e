// numkern._special: the log-Bessel kernels of numkern/special/log_bessel.hpp as real NumPy ufuncs.
//
// Each ufunc has two loops, 'ff->f' (computed in double, rounded once) and 'dd->d'. Loops honour arbitrary
// strides; long loops are split across OpenMP threads (OMP_NUM_THREADS / threadpoolctl decide how many). The
// kernels are elementwise, so results do not depend on the thread count. NumPy releases the GIL around loops
// of ufuncs without object loops.
//
// Floating-point flags: the kernels never produce NaN by invalid arithmetic (domain errors return a quiet NaN
// constant). Some intermediate terms that are far below eps may underflow to 0 (e.g. (x/2)^2 for tiny x); that
// underflow does not affect the result. A result beyond the range of the output type is returned as +-inf
// (log K_v(x) ~ v log(2v/x) exceeds the float32 range for v ~ 1e38, the double range for v ~ 1e308), and
// hypot(v, x) or v + s overflow internally for max(v, x) > ~9e307 before the kernels switch to halves. The loop
// therefore restores the caller's underflow and overflow flags: numpy's errstate(under=..., over=...) stays quiet
// and the functions raise no floating-point warnings, as documented (float64 results are unaffected).
#include <pybind11/pybind11.h>

#include <cfenv>
#include <deque>
#include <string>

#define PY_ARRAY_UNIQUE_SYMBOL numkern_special_ARRAY_API
#define PY_UFUNC_UNIQUE_SYMBOL numkern_special_UFUNC_API
#include <numpy/arrayobject.h>
#include <numpy/ufuncobject.h>

#include "numkern/parallel.hpp"
#include "numkern/special/log_bessel.hpp"

namespace py = pybind11;
namespace nks = numkern::special;

namespace {

// Below this many elements a loop runs on the calling thread (thread start-up would cost more than it saves).
constexpr npy_intp kParallelMinElements = 2048;

template <class T, double (*Kernel)(double, double)>
void binary_loop(char** args, npy_intp const* dimensions, npy_intp const* steps, void* /*data*/) {
  const npy_intp n = dimensions[0];
  const char* in0 = args[0];
  const char* in1 = args[1];
  char* out = args[2];
  const npy_intp s0 = steps[0], s1 = steps[1], s2 = steps[2];
  fexcept_t saved_flags;
  std::fegetexceptflag(&saved_flags, FE_UNDERFLOW | FE_OVERFLOW);
#if defined(_OPENMP)
  const int threads = n >= kParallelMinElements ? numkern::default_num_threads() : 1;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
#endif
  for (npy_intp i = 0; i < n; ++i) {
    const double v = static_cast<double>(*reinterpret_cast<const T*>(in0 + i * s0));
    const double x = static_cast<double>(*reinterpret_cast<const T*>(in1 + i * s1));
    *reinterpret_cast<T*>(out + i * s2) = static_cast<T>(Kernel(v, x));
  }
  std::fesetexceptflag(&saved_flags, FE_UNDERFLOW | FE_OVERFLOW);
}

template <double (*Kernel)(double, double)>
struct UfuncTables {
  static inline PyUFuncGenericFunction functions[2] = {&binary_loop<float, Kernel>, &binary_loop<double, Kernel>};
  static inline void* data[2] = {nullptr, nullptr};
  static inline char types[6] = {NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE};
};

// Ufuncs keep raw pointers to their name and docstring: the strings live as long as the module.
std::deque<std::string>& string_storage() {
  static std::deque<std::string> storage;
  return storage;
}

template <double (*Kernel)(double, double)>
py::object make_binary_ufunc(const std::string& name, const std::string& doc) {
  auto& storage = string_storage();
  storage.push_back(name);
  const char* name_ptr = storage.back().c_str();
  storage.push_back(doc);
  const char* doc_ptr = storage.back().c_str();
  using Tables = UfuncTables<Kernel>;
  PyObject* ufunc = PyUFunc_FromFuncAndData(Tables::functions, Tables::data, Tables::types, 2, 2, 1,
                                            PyUFunc_None, name_ptr, doc_ptr, 0);
  if (ufunc == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(ufunc);
}

}  // namespace

PYBIND11_MODULE(_special, m) {
  m.doc() = "numkern log-Bessel ufuncs (use numkern.special)";
  if (PyArray_ImportNumPyAPI() < 0) throw py::error_already_set();
  if (PyUFunc_ImportUFuncAPI() < 0) throw py::error_already_set();

  m.def(
      "make_ufunc",
      [](const std::string& name, const std::string& doc) -> py::object {
        if (name == "log_iv") return make_binary_ufunc<&nks::log_iv>(name, doc);
        if (name == "log_ive") return make_binary_ufunc<&nks::log_ive>(name, doc);
        if (name == "log_kv") return make_binary_ufunc<&nks::log_kv>(name, doc);
        if (name == "log_kve") return make_binary_ufunc<&nks::log_kve>(name, doc);
        if (name == "iv_ratio") return make_binary_ufunc<&nks::iv_ratio>(name, doc);
        throw py::value_error("unknown special ufunc name: " + name);
      },
      py::arg("name"), py::arg("doc"),
      "Create the ufunc `name` (log_iv, log_ive, log_kv, log_kve, iv_ratio) with docstring `doc`.");
}
