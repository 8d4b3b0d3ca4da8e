// numkern/special/fast_log.hpp: a logarithm without a libm call, from the bits (the same code vectorises in the
// CPU block kernels and runs per element in the scalar and CUDA kernels), plain (fast_log, < 1 ulp) or as hi + lo
// (fast_log_dd, ~0.05 ulp), for the log-Bessel kernels.
#pragma once

#include <cstdint>
#include <cstring>

#include "numkern/config.hpp"
#include "numkern/special/double_double.hpp"
#include "numkern/special/madd.hpp"

namespace numkern::special::detail {

NK_HOST_DEVICE NK_INLINE double from_bits(std::uint64_t i) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(i));
#else
  double d;
  std::memcpy(&d, &i, sizeof d);
  return d;
#endif
}

NK_HOST_DEVICE NK_INLINE std::uint64_t to_bits(double d) {
#if defined(__CUDA_ARCH__)
  return static_cast<std::uint64_t>(__double_as_longlong(d));
#else
  std::uint64_t i;
  std::memcpy(&i, &d, sizeof i);
  return i;
#endif
}

// R(z) = sum_{j=1..11} 2 z^j/(2j + 1), z = s^2 <= 0.0295: 2 atanh(s) = 2s + s R(s^2), truncation < 1e-19 relative.
NK_HOST_DEVICE NK_INLINE double atanh_series(double z) {
  return z * madd(z, madd(z, madd(z, madd(z, madd(z, madd(z, madd(z, madd(z, madd(z, madd(z,
      0.08695652173913043, 0.09523809523809523), 0.10526315789473684), 0.11764705882352941),
      0.13333333333333333), 0.15384615384615385), 0.18181818181818182), 0.2222222222222222),
      0.2857142857142857), 0.4), 0.6666666666666666);
}

constexpr double kLn2Hi = 0.693147180559663;  // 40 bits: k kLn2Hi is exact for |k| < 2^13
constexpr double kLn2Lo = 2.8235290563031577e-13;

// a = 2^k (1 + f) with 1 + f in [sqrt(1/2), sqrt 2), for finite a >= 0.75 (so k >= 0): returns f (exact) and k
// as a double. From the bits: k >= 0 keeps the integer shift logical and k converts to double through the
// 1.5 * 2^52 bias, both vectorisable without AVX-512.
NK_HOST_DEVICE NK_INLINE double reduce_log_arg(double a, double* kd) {
  constexpr std::uint64_t sqrt_half_bits = 0x3fe6a09e667f3bcdULL;
  const std::uint64_t i = to_bits(a);
  const std::uint64_t k = (i - sqrt_half_bits) >> 52;
  *kd = from_bits(0x4338000000000000ULL + k) - 6755399441055744.0;
  return from_bits(i - (k << 52)) - 1.0;
}

// log(a) + c for finite a >= 0.75 and a small correction c (|c| <= ~ulp(1)), error < 1 ulp:
// log(1 + f) = 2 atanh(s), s = f/(2 + f), written as f - (f^2/2 - s (f^2/2 + R(s^2))), plus k log 2 with
// log 2 split so that k kLn2Hi is exact.
NK_HOST_DEVICE NK_INLINE double fast_log(double a, double c) {
  double kd;
  const double f = reduce_log_arg(a, &kd);
  const double s = f / (2.0 + f);
  const double hfsq = 0.5 * f * f;
  return kd * kLn2Hi + (f - (hfsq - (s * (hfsq + atanh_series(s * s)) + (kd * kLn2Lo + c))));
}

// log(a) = hi + lo for finite a in [0.75 * 2^-Shift, 2^(1024 - Shift)) with an error ~0.05 ulp: as fast_log, with k kLn2Hi + f (exact
// terms) summed by two_sum and the small rest (|rest| < 0.09) in lo. Where log(s) nearly cancels against v eta, its
// rounding would otherwise be the largest error of the Debye forms. a 2^Shift is exact and has the k of a plus
// Shift, so the bits do not depend on Shift.
constexpr double pow2(int n) {
  double p = 1.0;
  for (int i = 0; i < n; ++i) p *= 2.0;
  return p;
}

template <int Shift = 2>
NK_HOST_DEVICE NK_INLINE double fast_log_dd(double a, double* lo) {
  double kd;
  constexpr double scale = pow2(Shift);
  const double f = reduce_log_arg(a * scale, &kd);
  kd -= Shift;
  const double s = f / (2.0 + f);
  const double hfsq = 0.5 * f * f;
  const DoubleDouble head = two_sum(kd * kLn2Hi, f);
  *lo = head.lo + (kd * kLn2Lo - (hfsq - s * (hfsq + atanh_series(s * s))));
  return head.hi;
}

}  // namespace numkern::special::detail
