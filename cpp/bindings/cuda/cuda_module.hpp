// Registration hooks for the CUDA Python module: one function per domain, defined in that domain's
// cpp/bindings/cuda/<domain>.cpp. register_all calls those that exist (weak symbols keep a domain optional).
#pragma once

#include <pybind11/pybind11.h>

#define NUMKERN_CUDA_DOMAINS(X) X(special) X(cluster) X(sparse) X(kron)

#define NUMKERN_DECLARE_CUDA_DOMAIN(name) \
  __attribute__((weak)) void numkern_cuda_register_##name(pybind11::module_& m);
NUMKERN_CUDA_DOMAINS(NUMKERN_DECLARE_CUDA_DOMAIN)
#undef NUMKERN_DECLARE_CUDA_DOMAIN

inline void numkern_cuda_register_all(pybind11::module_& m) {
#define NUMKERN_CALL_CUDA_DOMAIN(name) \
  if (numkern_cuda_register_##name) numkern_cuda_register_##name(m);
  NUMKERN_CUDA_DOMAINS(NUMKERN_CALL_CUDA_DOMAIN)
#undef NUMKERN_CALL_CUDA_DOMAIN
}
