// numkern/special/madd.hpp: the multiply-add and the polynomial evaluation shared by the log-Bessel kernels (CPU
// scalar, CPU block, CUDA) and the generated coefficient tables.
#pragma once

#include <cmath>

#include "numkern/config.hpp"

// FMA where the target has one (CUDA, x86-64 compiled with -mfma, and every non-x86 target); the baseline x86-64
// build has none (a libm fma call would be slow), so madd rounds twice there and exact_prod splits instead.
#if defined(__CUDACC__) || defined(__FMA__) || !(defined(__x86_64__) || defined(__i386__) || defined(_M_X64))
#define NK_SPECIAL_HAS_FMA 1
#endif

namespace numkern::special::detail {

// a * b + c: one rounding (FMA) where the target has it, else two. Polynomials use it explicitly, so that the
// block kernels can be compiled without contraction (-ffp-contract=off) and still use FMA.
NK_HOST_DEVICE NK_INLINE double madd(double a, double b, double c) {
#if defined(NK_SPECIAL_HAS_FMA)
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// c[0] + c[1] z + ... + c[N-1] z^(N-1) by Estrin's scheme: neighbouring coefficients paired with z, the pairs
// paired with z^2, then z^4, ...: a dependency chain of ~log2(N) multiply-adds instead of Horner's N. The block
// loops of log_bessel_batch.hpp are bound by the latency of their longest chain (a vector iteration is too long
// for the out-of-order window to overlap the next one), so their long polynomials use this form.
template <int N>
struct Estrin {
  NK_HOST_DEVICE static NK_INLINE double eval(const double* c, double z) {
    double pairs[(N + 1) / 2];
#if defined(__CUDACC__)
#pragma unroll
#elif defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 16
#endif
    for (int i = 0; i < N / 2; ++i) pairs[i] = madd(c[2 * i + 1], z, c[2 * i]);
    if (N % 2 != 0) pairs[N / 2] = c[N - 1];
    return Estrin<(N + 1) / 2>::eval(pairs, z * z);
  }
};
template <>
struct Estrin<1> {
  NK_HOST_DEVICE static NK_INLINE double eval(const double* c, double) { return c[0]; }
};

template <int N>
NK_HOST_DEVICE NK_INLINE double estrin(const double (&c)[N], double z) {
  return Estrin<N>::eval(c, z);
}

}  // namespace numkern::special::detail
