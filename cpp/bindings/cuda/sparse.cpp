// numkern._cuda sparse entry points: thin wrappers over the SpGEMM launchers (cuda/sparse_spgemm.cu). Device
// pointers and streams arrive as integers from CuPy (numkern.sparse._cuda); errors come back as exceptions.
#include <pybind11/pybind11.h>

#include <stdexcept>
#include <string>

#include "numkern_cuda_sparse.hpp"

namespace py = pybind11;
namespace nkcs = numkern::cuda::sparse;

namespace {

void check(const std::string& err) {
  if (!err.empty()) throw std::runtime_error("numkern CUDA SpGEMM: " + err);
}

}  // namespace

void numkern_cuda_register_sparse(py::module_& m) {
  py::list bin_max;
  for (int64_t b : nkcs::kBinMaxFlop) bin_max.append(b);
  m.attr("spgemm_bin_max_flop") = bin_max;
  m.def("spgemm_row_flops", [](int64_t rows, std::uintptr_t Ap, std::uintptr_t Aj, std::uintptr_t Bp,
                               std::uintptr_t flop, std::uintptr_t stream) {
    check(nkcs::row_flops(rows, Ap, Aj, Bp, flop, stream));
  });
  m.def("spgemm_symbolic_bin",
        [](int bin, int64_t n_rows, std::uintptr_t rows, std::uintptr_t Ap, std::uintptr_t Aj, std::uintptr_t Bp,
           std::uintptr_t Bj, std::uintptr_t row_nnz, std::uintptr_t table, std::uintptr_t table_offset,
           std::uintptr_t table_size, std::uintptr_t stream) {
          check(nkcs::symbolic_bin(bin, n_rows, rows, Ap, Aj, Bp, Bj, row_nnz, table, table_offset, table_size,
                                   stream));
        });
  m.def("spgemm_numeric_bin",
        [](int bin, bool is_double, int64_t n_rows, std::uintptr_t rows, std::uintptr_t Ap, std::uintptr_t Aj,
           std::uintptr_t Ax, std::uintptr_t Bp, std::uintptr_t Bj, std::uintptr_t Bx, std::uintptr_t Cp,
           std::uintptr_t Cj, std::uintptr_t Cx, std::uintptr_t table, std::uintptr_t table_values,
           std::uintptr_t table_offset, std::uintptr_t table_size, std::uintptr_t stream) {
          check(nkcs::numeric_bin(bin, is_double, n_rows, rows, Ap, Aj, Ax, Bp, Bj, Bx, Cp, Cj, Cx, table,
                                  table_values, table_offset, table_size, stream));
        });
}
