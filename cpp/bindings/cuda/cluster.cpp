// numkern._cuda k-medoids entry point: PAM / FastPAM1 / BUILD on a device matrix. The driver is the CPU's
// (numkern/cluster/offload.hpp: every choice and the O(k n) bookkeeping on the host); DevicePasses below runs
// its three O(n^2) passes with the launchers of cuda/cluster.cu. The matrix and the weights are CuPy device
// arrays (pointers from __cuda_array_interface__); the small per-step buffers are allocated here.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "cuda_module.hpp"
#include "numkern/cluster/offload.hpp"
#include "numkern_cuda.hpp"
#include "numkern_cuda_cluster.hpp"

namespace py = pybind11;
namespace nc = numkern::cluster;
namespace cu = numkern::cuda;
using nc::index_t;

namespace {

void check(const std::string& error) {
  if (!error.empty()) throw std::runtime_error("numkern CUDA k-medoids kernel failed: " + error);
}

// A device allocation freed on scope exit.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t bytes) { check(cu::device_alloc(&ptr_, bytes)); }
  ~DeviceBuffer() { cu::device_free(ptr_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  template <class T>
  T* as() const { return static_cast<T*>(ptr_); }

 private:
  void* ptr_ = nullptr;
};

template <class T>
void upload(const DeviceBuffer& dst, const std::vector<T>& src, std::uintptr_t stream) {
  check(cu::copy_to_device(dst.as<void>(), src.data(), src.size() * sizeof(T), stream));
}
template <class T>
void download(std::vector<T>& dst, const void* src, std::uintptr_t stream) {
  check(cu::copy_to_host(dst.data(), src, dst.size() * sizeof(T), stream));
}

// The Passes of offload.hpp on the device (host vectors in and out, one synchronising copy per pass).
struct DevicePasses {
  const void* D;  // n x n device matrix
  bool is_float32;
  index_t n, k;
  const double* w;  // device weights or nullptr
  std::uintptr_t stream;
  std::size_t bytes(std::size_t item, index_t count = -1) const { return item * static_cast<std::size_t>(count < 0 ? n : count); }
  DeviceBuffer dn_dev{bytes(sizeof(double))}, ds_dev{bytes(sizeof(double))};
  DeviceBuffer near_dev{bytes(sizeof(std::int32_t))}, sec_dev{bytes(sizeof(std::int32_t))};
  DeviceBuffer out_dev{bytes(sizeof(double), n * k)};  // gains (n) or dTD (n x k)
  DeviceBuffer medoid_dev{bytes(sizeof(std::int64_t), k)}, removal_dev{bytes(sizeof(double), k)};
  DeviceBuffer is_medoid_dev{bytes(1)};

  void build_gain(const double* dn, const std::vector<char>& is_medoid, std::vector<double>& gain) {
    upload(is_medoid_dev, is_medoid, stream);
    if (dn) check(cu::copy_to_device(dn_dev.as<void>(), dn, bytes(sizeof(double)), stream));
    check(cu::cluster_build_gain(D, is_float32, n, dn ? dn_dev.as<double>() : nullptr,
                                 is_medoid_dev.as<std::uint8_t>(), w, out_dev.as<double>(), stream));
    gain.resize(static_cast<std::size_t>(n));
    download(gain, out_dev.as<void>(), stream);
  }
  void row(index_t i, std::vector<double>& out) {
    out.resize(static_cast<std::size_t>(n));
    const std::size_t item = is_float32 ? sizeof(float) : sizeof(double);
    const char* src = static_cast<const char*>(D) + static_cast<std::size_t>(i * n) * item;
    if (is_float32) {
      std::vector<float> tmp(static_cast<std::size_t>(n));
      download(tmp, src, stream);
      for (index_t j = 0; j < n; ++j) out[j] = static_cast<double>(tmp[j]);
    } else {
      download(out, src, stream);
    }
  }
  void nearest(const std::vector<index_t>& medoids, nc::NearestCache& c) {
    upload(medoid_dev, medoids, stream);
    check(cu::cluster_nearest(D, is_float32, n, k, medoid_dev.as<std::int64_t>(), near_dev.as<std::int32_t>(),
                              dn_dev.as<double>(), sec_dev.as<std::int32_t>(), ds_dev.as<double>(), stream));
    download(c.near, near_dev.as<void>(), stream);
    download(c.sec, sec_dev.as<void>(), stream);
    download(c.dn, dn_dev.as<void>(), stream);
    download(c.ds, ds_dev.as<void>(), stream);
  }
  void swap_deltas(const nc::NearestCache& c, std::vector<double>& delta) {
    // near/dn/ds on the device are those of the last nearest() call, which is the cache c holds.
    upload(is_medoid_dev, c.is_medoid, stream);
    upload(removal_dev, c.removal, stream);
    check(cu::cluster_swap_deltas(D, is_float32, n, k, near_dev.as<std::int32_t>(), dn_dev.as<double>(),
                                  ds_dev.as<double>(), removal_dev.as<double>(), is_medoid_dev.as<std::uint8_t>(), w,
                                  out_dev.as<double>(), stream));
    delta.resize(static_cast<std::size_t>(n * k));
    download(delta, out_dev.as<void>(), stream);
  }
};

template <class T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

}  // namespace

void numkern_cuda_register_cluster(py::module_& m) {
  m.def(
      "cluster_pam",
      [](std::uintptr_t D, bool is_float32, index_t n, index_t k, const std::vector<index_t>& initial,
         std::uintptr_t w_dev, const py::object& w_host, index_t max_iter, bool build_only, std::uintptr_t stream) {
        std::vector<double> weights;
        if (!w_host.is_none()) weights = w_host.cast<std::vector<double>>();
        if (!weights.empty() && static_cast<index_t>(weights.size()) != n)
          throw std::invalid_argument("w_host must have n entries");
        nc::Result r;
        {
          py::gil_scoped_release release;
          DevicePasses passes{reinterpret_cast<const void*>(D), is_float32, n, k,
                              reinterpret_cast<const double*>(w_dev), stream};
          r = nc::pam_offload(passes, n, k, initial, weights.empty() ? nullptr : weights.data(), max_iter, build_only);
        }
        return py::make_tuple(to_numpy(r.medoids), to_numpy(r.labels), r.loss, r.n_iter, r.n_swap);
      },
      py::arg("D"), py::arg("is_float32"), py::arg("n"), py::arg("k"), py::arg("initial"), py::arg("w_dev"),
      py::arg("w_host"), py::arg("max_iter"), py::arg("build_only"), py::arg("stream"),
      "BUILD (unless `initial`) + FastPAM1 SWAP on the n x n device matrix D: (medoids, labels, loss, n_iter, "
      "n_swap) with host arrays; w_dev/w_host: the same weights on the device (0) and host (None) or unit.");
}
