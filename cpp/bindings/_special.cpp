// numkern._special: the log-Bessel kernels of numkern/special/log_bessel.hpp as real NumPy ufuncs.
//
// log I / log K are evaluated by blocks (numkern/special/log_bessel_batch.hpp): the vectorised Debye regions run
// in the block kernel compiled for this CPU (baseline x86-64, AVX2 + FMA or AVX-512, chosen by cpuid at import,
// cpp/bindings/special/batch_*.cpp), every other element in the scalar kernels.
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

#include <deque>
#include <string>

#define PY_ARRAY_UNIQUE_SYMBOL numkern_special_ARRAY_API
#define PY_UFUNC_UNIQUE_SYMBOL numkern_special_UFUNC_API
#include <numpy/arrayobject.h>
#include <numpy/ufuncobject.h>

#include "numkern/special/block_driver.hpp"
#include "numkern/special/log_bessel.hpp"
#include "numkern/special/log_bessel_batch.hpp"

namespace py = pybind11;
namespace nks = numkern::special;

namespace {

// The block kernels (log_bessel_batch.hpp) for this CPU: chosen once at import (cpu_dispatch), or by set_isa.
namespace nkb = numkern::special::batch;
nkb::BlockFunction g_block = &nkb::baseline::log_bessel_block;
const char* g_isa = "baseline";

bool select_isa(const std::string& isa) {
  if (isa == "scalar") {
    g_block = nullptr;  // every element through the scalar kernels: exactly what cuda/special.cu evaluates
  } else if (isa == "baseline") {
    g_block = &nkb::baseline::log_bessel_block;
#if defined(NUMKERN_SPECIAL_X86_DISPATCH)
  } else if (isa == "avx2" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    g_block = &nkb::avx2::log_bessel_block;
  } else if (isa == "avx512" && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    g_block = &nkb::avx512::log_bessel_block;
#endif
  } else {
    return false;
  }
  g_isa = isa == "avx512" ? "avx512" : isa == "avx2" ? "avx2" : isa == "scalar" ? "scalar" : "baseline";
  return true;
}

void cpu_dispatch() {
#if defined(NUMKERN_SPECIAL_X86_DISPATCH)
  __builtin_cpu_init();
#endif
  if (!select_isa("avx512") && !select_isa("avx2")) select_isa("baseline");
}

// The ufunc loops: numkern/special/block_driver.hpp (blocks through the block kernel chosen above, the rest
// through the scalar Kernel, OpenMP across blocks, FP flags restored); Function < 0: no block kernel (iv_ratio).
template <class T, int Function, double (*Kernel)(double, double)>
void block_loop(char** args, npy_intp const* dimensions, npy_intp const* steps, void* /*data*/) {
  nkb::run_blocks<T>(args[0], args[1], args[2], dimensions[0], steps[0], steps[1], steps[2],
                     Function >= 0 ? g_block : nullptr, Function, Kernel);
}

template <int Function, double (*Kernel)(double, double)>
struct BlockUfuncTables {
  static inline PyUFuncGenericFunction functions[2] = {&block_loop<float, Function, Kernel>,
                                                       &block_loop<double, Function, Kernel>};
  static inline void* data[2] = {nullptr, nullptr};
  static inline char types[6] = {NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE};
};

// Ufuncs keep raw pointers to their name and docstring: the strings live as long as the module.
std::deque<std::string>& string_storage() {
  static std::deque<std::string> storage;
  return storage;
}

template <class Tables>
py::object make_binary_ufunc(const std::string& name, const std::string& doc) {
  auto& storage = string_storage();
  storage.push_back(name);
  const char* name_ptr = storage.back().c_str();
  storage.push_back(doc);
  const char* doc_ptr = storage.back().c_str();
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
  cpu_dispatch();
  m.def("_isa", []() { return std::string(g_isa); }, "The instruction set of the log-Bessel block kernels in use.");
  m.def(
      "_set_isa", [](const std::string& isa) { return select_isa(isa); }, py::arg("isa"),
      "Use the block kernels for `isa` (baseline, avx2, avx512) if this CPU and build have them, or none at all "
      "(scalar: the per-element kernels the CUDA module shares); returns whether it did (for tests and "
      "benchmarks; the ufuncs read the choice at each call).");

  m.def(
      "make_ufunc",
      [](const std::string& name, const std::string& doc) -> py::object {
        if (name == "log_iv") return make_binary_ufunc<BlockUfuncTables<nkb::kLogIv, &nks::log_iv>>(name, doc);
        if (name == "log_ive") return make_binary_ufunc<BlockUfuncTables<nkb::kLogIve, &nks::log_ive>>(name, doc);
        if (name == "log_kv") return make_binary_ufunc<BlockUfuncTables<nkb::kLogKv, &nks::log_kv>>(name, doc);
        if (name == "log_kve") return make_binary_ufunc<BlockUfuncTables<nkb::kLogKve, &nks::log_kve>>(name, doc);
        if (name == "iv_ratio") return make_binary_ufunc<BlockUfuncTables<-1, &nks::iv_ratio>>(name, doc);
        throw py::value_error("unknown special ufunc name: " + name);
      },
      py::arg("name"), py::arg("doc"),
      "Create the ufunc `name` (log_iv, log_ive, log_kv, log_kve, iv_ratio) with docstring `doc`.");
}
