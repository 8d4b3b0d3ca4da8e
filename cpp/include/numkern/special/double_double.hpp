// numkern/special/double_double.hpp: the error-free transformations (value = hi + lo exactly) used where a
// result is a small difference of large terms, e.g. v eta(x/v) near eta = 0 in the Debye expansion or
// v log(e x / 2z) in the power series: Knuth's two_sum, fast_two_sum and the FMA two_prod (Dekker 1971;
// Shewchuk 1997).
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

}  // namespace numkern::special::detail
