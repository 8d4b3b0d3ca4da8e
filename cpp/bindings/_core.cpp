// numkern._core: build information for numkern.show_config(). Kernels live in the per-domain modules.
#include <pybind11/pybind11.h>

#include <string>

#include "numkern/parallel.hpp"

namespace py = pybind11;

static std::string compiler_string() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("gcc ") + __VERSION__;
#elif defined(_MSC_VER)
  return "msvc " + std::to_string(_MSC_VER);
#else
  return "unknown";
#endif
}

PYBIND11_MODULE(_core, m) {
  m.doc() = "numkern build information";
  m.attr("version") = NUMKERN_VERSION;
  m.attr("compiler") = compiler_string();
  m.attr("cplusplus") = static_cast<long>(__cplusplus);
  m.attr("openmp") = numkern::have_openmp();
#if defined(_OPENMP)
  m.attr("openmp_version") = static_cast<int>(_OPENMP);
#else
  m.attr("openmp_version") = py::none();
#endif
  m.def("max_threads", &numkern::default_num_threads,
        "Threads an OpenMP region would use now (honours OMP_NUM_THREADS and threadpoolctl).");
  m.def("thread_cap", &numkern::max_num_threads, "The most threads a numkern region starts (larger requests are capped).");
}
