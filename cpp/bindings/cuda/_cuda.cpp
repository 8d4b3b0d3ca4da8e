// numkern._cuda: Python entry points for the CUDA launchers. Built only when a CUDA compiler was found.
// Domain launchers register themselves in further files of this folder via the functions declared in
// cuda_module.hpp, so each domain adds a file and does not edit this one.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "../interrupt.hpp"
#include "cuda_module.hpp"
#include "numkern_cuda.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_cuda, m) {
  numkern::bindings::install_interrupt_hook();  // Ctrl-C stops the host-side GPU drivers between passes
  m.doc() = "numkern CUDA kernels (device pointers in, device pointers out)";
  m.attr("version") = NUMKERN_VERSION;
  m.attr("architectures") = NUMKERN_CUDA_ARCHITECTURES;  // CMAKE_CUDA_ARCHITECTURES, comma-separated
  m.def("runtime_version", &numkern::cuda::runtime_version);
  m.def("driver_version", &numkern::cuda::driver_version,
        "CUDA version the installed driver supports (e.g. 12040), 0 when there is no driver.");
  m.def("devices", []() {
    std::string error;
    int n = numkern::cuda::device_count(&error);
    py::list names;
    for (int i = 0; i < n; ++i) names.append(numkern::cuda::device_name(i));
    return py::make_tuple(names, error);
  }, "Return (list of device descriptions, error text or '').");
  numkern_cuda_register_all(m);
}
