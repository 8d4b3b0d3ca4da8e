// numkern/special/double_double.hpp: minimal double-double arithmetic (value = hi + lo, |lo| <= ulp(hi)/2)
// for the few places where a result is a small difference of large terms, e.g. v*eta(x/v) = s - v asinh(v/x)
// in the Debye expansion near eta = 0, where double rounding of s and of asinh would cost ~v ulp.
// Error-free transformations: Knuth's two_sum, FMA two_prod (Dekker 1971; Shewchuk 1997). log() is the atanh
// series after reduction to m in [1/sqrt2, sqrt2), relative error ~1e-25, adequate for |v| <= 1e6 * 1e3.
#pragma once

#include <cmath>

#include "numkern/config.hpp"

namespace numkern::special::detail {

struct DoubleDouble {
  double hi;
  double lo;
};

NK_HOST_DEVICE NK_INLINE DoubleDouble two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}

NK_HOST_DEVICE NK_INLINE DoubleDouble fast_two_sum(double a, double b) {  // requires |a| >= |b| or a == 0
  const double s = a + b;
  return {s, b - (s - a)};
}

NK_HOST_DEVICE NK_INLINE DoubleDouble two_prod(double a, double b) {
  const double p = a * b;
  return {p, std::fma(a, b, -p)};
}

NK_HOST_DEVICE NK_INLINE DoubleDouble dd_add(DoubleDouble a, DoubleDouble b) {
  const DoubleDouble s = two_sum(a.hi, b.hi);
  const DoubleDouble t = two_sum(a.lo, b.lo);
  DoubleDouble r = fast_two_sum(s.hi, s.lo + t.hi);
  return fast_two_sum(r.hi, r.lo + t.lo);
}

NK_HOST_DEVICE NK_INLINE DoubleDouble dd_add(DoubleDouble a, double b) {
  const DoubleDouble s = two_sum(a.hi, b);
  return fast_two_sum(s.hi, s.lo + a.lo);
}

NK_HOST_DEVICE NK_INLINE DoubleDouble dd_mul(DoubleDouble a, DoubleDouble b) {
  DoubleDouble p = two_prod(a.hi, b.hi);
  p.lo += a.hi * b.lo + a.lo * b.hi;
  return fast_two_sum(p.hi, p.lo);
}

NK_HOST_DEVICE NK_INLINE DoubleDouble dd_mul(DoubleDouble a, double b) {
  DoubleDouble p = two_prod(a.hi, b);
  p.lo += a.lo * b;
  return fast_two_sum(p.hi, p.lo);
}

NK_HOST_DEVICE NK_INLINE DoubleDouble dd_div(DoubleDouble a, DoubleDouble b) {
  const double q1 = a.hi / b.hi;
  const DoubleDouble r = dd_add(a, dd_mul(b, -q1));
  const double q2 = r.hi / b.hi;
  const DoubleDouble r2 = dd_add(r, dd_mul(b, -q2));
  return dd_add(fast_two_sum(q1, q2), r2.hi / b.hi);
}

NK_HOST_DEVICE NK_INLINE DoubleDouble dd_div(double a, double b) {
  const double q = a / b;
  return fast_two_sum(q, std::fma(-q, b, a) / b);
}

// sqrt(a) for a.hi > 0: one Newton correction of the double square root.
NK_HOST_DEVICE NK_INLINE DoubleDouble dd_sqrt(DoubleDouble a) {
  const double s = std::sqrt(a.hi);
  const double e = (std::fma(-s, s, a.hi) + a.lo) / (2.0 * s);
  return fast_two_sum(s, e);
}

// Natural log of a > 0 (a.hi normal). log a = k log 2 + 2 atanh(u), u = (m - 1)/(m + 1), m in [1/sqrt2, sqrt2):
// |u| <= 0.1716, sum_j u^(2j)/(2j+1): j <= 3 in double-double, j >= 4 (below 8e-8) in double.
NK_HOST_DEVICE NK_INLINE DoubleDouble dd_log(DoubleDouble a) {
  constexpr double ln2_hi = 6.93147180559945286227e-01;
  constexpr double ln2_lo = 2.31904681384629955842e-17;
  int k;
  double m_hi = std::frexp(a.hi, &k);  // [0.5, 1)
  if (m_hi < 0.70710678118654752440) {
    m_hi *= 2.0;
    --k;
  }
  const double scale = std::ldexp(1.0, -k);
  const DoubleDouble m{m_hi, a.lo * scale};
  const DoubleDouble u = dd_div(dd_add(m, -1.0), dd_add(m, 1.0));
  const DoubleDouble u2 = dd_mul(u, u);
  const double w = u2.hi;
  const double tail = ((((((((((1.0 / 29 * w + 1.0 / 27) * w + 1.0 / 25) * w + 1.0 / 23) * w + 1.0 / 21) * w +
                          1.0 / 19) * w + 1.0 / 17) * w + 1.0 / 15) * w + 1.0 / 13) * w + 1.0 / 11) * w + 1.0 / 9);
  // 1/7, 1/5, 1/3 as double-double constants.
  const DoubleDouble c7{1.42857142857142849213e-01, 7.93016446160826264652e-18};
  const DoubleDouble c5{2.00000000000000011102e-01, -1.11022302462515654042e-17};
  const DoubleDouble c3{3.33333333333333314830e-01, 1.85037170770859413132e-17};
  DoubleDouble sum = dd_add(c7, w * tail);
  sum = dd_add(dd_mul(sum, u2), c5);
  sum = dd_add(dd_mul(sum, u2), c3);
  sum = dd_add(dd_mul(sum, u2), 1.0);
  const DoubleDouble log_m = dd_mul(dd_mul(sum, u), 2.0);
  const DoubleDouble k_ln2 = dd_add(two_prod(static_cast<double>(k), ln2_hi), static_cast<double>(k) * ln2_lo);
  return dd_add(k_ln2, log_m);
}

}  // namespace numkern::special::detail
