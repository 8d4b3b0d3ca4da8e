// numkern._cuda k-medoids entry points: device pointers (integers from __cuda_array_interface__) in.
#include <pybind11/pybind11.h>

#include <cstdint>
#include <stdexcept>

#include "cuda_module.hpp"
#include "numkern_cuda_cluster.hpp"

namespace py = pybind11;

namespace {

template <class T>
T* ptr(std::uintptr_t p) {
  return reinterpret_cast<T*>(p);
}

void check(const std::string& error) {
  if (!error.empty()) throw std::runtime_error("numkern CUDA k-medoids kernel failed: " + error);
}

}  // namespace

void numkern_cuda_register_cluster(py::module_& m) {
  m.def(
      "cluster_swap_deltas",
      [](std::uintptr_t D, bool is_float32, std::int64_t n, std::int64_t k, std::uintptr_t near, std::uintptr_t dn,
         std::uintptr_t ds, std::uintptr_t removal, std::uintptr_t is_medoid, std::uintptr_t w, std::uintptr_t delta,
         std::intptr_t stream) {
        check(numkern::cuda::cluster_swap_deltas(ptr<const void>(D), is_float32, n, k, ptr<const std::int32_t>(near),
                                                 ptr<const double>(dn), ptr<const double>(ds), ptr<const double>(removal),
                                                 ptr<const std::uint8_t>(is_medoid), ptr<const double>(w),
                                                 ptr<double>(delta), stream));
      },
      py::arg("D"), py::arg("is_float32"), py::arg("n"), py::arg("k"), py::arg("near"), py::arg("dn"), py::arg("ds"),
      py::arg("removal"), py::arg("is_medoid"), py::arg("w"), py::arg("delta"), py::arg("stream"),
      "FastPAM1 candidate pass: delta[o, m] = dTD of swapping o into slot m (n x k, float64).");
  m.def(
      "cluster_build_gain",
      [](std::uintptr_t D, bool is_float32, std::int64_t n, std::uintptr_t dn, std::uintptr_t is_medoid, std::uintptr_t w,
         std::uintptr_t gain, std::intptr_t stream) {
        check(numkern::cuda::cluster_build_gain(ptr<const void>(D), is_float32, n, ptr<const double>(dn),
                                                ptr<const std::uint8_t>(is_medoid), ptr<const double>(w),
                                                ptr<double>(gain), stream));
      },
      py::arg("D"), py::arg("is_float32"), py::arg("n"), py::arg("dn"), py::arg("is_medoid"), py::arg("w"),
      py::arg("gain"), py::arg("stream"), "BUILD gains sum_j w_j min(D[i, j] - dn[j], 0) (dn = 0 pointer: row sums).");
}
