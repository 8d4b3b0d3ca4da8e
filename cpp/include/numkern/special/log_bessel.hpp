// numkern/special/log_bessel.hpp: logarithms of the modified Bessel functions I_v(x), K_v(x), their
// exponentially scaled forms, and the ratio I_{v+1}(x) / I_v(x), in double precision without overflow.
//
// Everything is computed in log space, so no intermediate quantity grows like e^x or (2/x)^v:
//   * Uniform (Debye) expansion, DLMF 10.41.3-4, for s = sqrt(v^2 + x^2) >= kDebyeMinS. Written in s instead
//     of v (p = v/s, U_k(p)/v^k = P_k(p^2)/s^k) it has no singularity at v -> 0 and becomes Hankel's
//     large-argument expansion (DLMF 10.40) there, so one formula serves large v and large x:
//       log I_v(x) = -1/2 log(2 pi s) + s - v asinh(v/x) + log(1 + sum_{k>=1} P_k(p^2) / s^k),
//       log K_v(x) = +1/2 log(pi/(2 s)) - s + v asinh(v/x) + log(1 + sum_{k>=1} (-1)^k P_k(p^2) / s^k).
//     The number of terms is chosen from s so that the first omitted term is below 1.5e-17
//     (tools/gen_debye_coefficients.py prints the thresholds from max |P_k| on [0, 1]).
//   * Power series for I (DLMF 10.25.2) when s is small: log I = v log(x/2) - lgamma(v+1) + log sum_k t_k.
//   * K for s < 23.5 (log_kv_fixed, at a fixed cost): K_mu, K_{mu+1} with |mu| <= 1/2 by a trapezoidal rule on
//     fixed nodes (x >= 0.25) or Temme's series with a fixed number of terms (Temme 1975, J. Comput. Phys. 19),
//     then the forward recurrence K_{n+1} = (2n/x) K_n + K_{n-1} (stable for K) on the ratios, in
//     double-double. Steed's continued fraction CF2 (Thompson & Barnett 1987, Comput. Phys. Commun. 47) serves
//     the scaled I at 2 < x through the Wronskian.
//   * The ratio I_{v+1}/I_v from Gauss's continued fraction (DLMF 10.33.1) when s is small, and from the
//     Debye expansions of I_v and I_v' (DLMF 10.41.3, 10.41.5) otherwise:
//       I_{v+1}/I_v = x/(s + v) + (x/s) sum_k R_k(p^2)/s^k / (1 + sum_k P_k(p^2)/s^k),  V_k - U_k = p^k (1-p^2) R_k.
//     Neither form divides two large numbers.
//   * Negative order: K_{-v} = K_v; I_{-v} = I_v + (2/pi) sin(v pi) K_v (DLMF 10.27.2), NaN where negative.
//     Negative x: I_n(-x) = (-1)^n I_n(x) for integer n (so odd n gives the log of a negative number: NaN).
//
// Every function is NK_HOST_DEVICE: the CPU ufuncs and the CUDA kernels instantiate this same code.
// Results are NaN (a quiet constant, no FP exception) outside the real domain.
#pragma once

#include <cmath>
#include <limits>

#include "numkern/config.hpp"
#include "numkern/special/debye_coefficients.hpp"
#include "numkern/special/double_double.hpp"
#include "numkern/special/fast_log.hpp"
#include "numkern/special/madd.hpp"
#include "numkern/special/k_quadrature_nodes.hpp"

namespace numkern::special {
namespace detail {

constexpr double kPi = 3.14159265358979323846;
constexpr double kLn2 = 0.69314718055994530942;
constexpr double kHalfLog2Pi = 0.91893853320467274178;     // 1/2 log(2 pi)
constexpr double kHalfLogPiOver2 = 0.22579135264472743236;  // 1/2 log(pi / 2)
constexpr double kHalfLog2PiLo = -3.8782941580672414e-17;   // 1/2 log(2 pi) - kHalfLog2Pi
constexpr double kHalfLogPiOver2Lo = -6.4622584878775846e-18;  // 1/2 log(pi / 2) - kHalfLogPiOver2
constexpr double kEps = 2.220446049250313e-16;
// Below this s = hypot(v, x) the series / Temme / Steed methods are used; at and above it the Debye sum with
// 21 terms (k = 0..20) keeps the first omitted term under 1.5e-17 (threshold 23.26, see the generator).
constexpr double kDebyeMinS = 23.5;

NK_HOST_DEVICE NK_INLINE double nan_value() { return std::numeric_limits<double>::quiet_NaN(); }
NK_HOST_DEVICE NK_INLINE double inf_value() { return std::numeric_limits<double>::infinity(); }

// Terms of the Debye sum (k = 0..n-1) needed at this s; thresholds from tools/gen_debye_coefficients.py.
NK_HOST_DEVICE NK_INLINE int debye_terms(double s) {
  if (s >= 1.9e8) return s >= 1e17 ? 1 : 2;
  if (s >= 3.4e5) return 3;
  if (s >= 1.4e4) return 4;
  if (s >= 2100.0) return 5;
  if (s >= 670.0) return 6;
  if (s >= 310.0) return 7;
  if (s >= 176.0) return 8;
  if (s >= 116.0) return 9;
  if (s >= 84.0) return 10;
  if (s >= 65.0) return 11;
  if (s >= 53.0) return 12;
  if (s >= 45.0) return 13;
  if (s >= 39.0) return 14;
  if (s >= 35.0) return 15;
  if (s >= 32.0) return 16;
  if (s >= 29.0) return 17;
  if (s >= 27.1) return 18;
  if (s >= 25.5) return 19;
  if (s >= 24.3) return 20;
  return 21;
}

// sqrt(v^2 + x^2) for v, x >= 0 without overflow.
NK_HOST_DEVICE NK_INLINE double hypot_nonneg(double v, double x) {
  const double big = v > x ? v : x;
  const double small = v > x ? x : v;
  if (big < 1e150) return std::sqrt(std::fma(v, v, x * x));
  const double r = small / big;
  return big * std::sqrt(1.0 + r * r);
}

// log(x / 2), also for subnormal x where x / 2 would lose bits.
NK_HOST_DEVICE NK_INLINE double log_half(double x) {
  return x > 1e-300 ? std::log(0.5 * x) : std::log(x) - kLn2;
}

// (x/2)^2, returned as 0 when it would underflow (it then only multiplies terms far below eps).
NK_HOST_DEVICE NK_INLINE double half_square(double x) {
  const double h = 0.5 * x;
  return h > 1e-150 ? h * h : 0.0;
}

// log(1 + tail) for the Debye tail, |tail| <= 0.125/23.5 < 5.4e-3 (s >= 23.5): 8 terms of the log1p series,
// truncation below tail^9/9 < 6e-22 absolute (cheaper than the libm call and vectorisable).
NK_HOST_DEVICE NK_INLINE double debye_log1p_tail(double tail) {
  const double c[8] = {1.0, -0.5, 1.0 / 3.0, -0.25, 0.2, -1.0 / 6.0, 1.0 / 7.0, -0.125};
  return tail * estrin(c, tail);
}

// The Debye expansion where s = hypot(v, x) or v + s is beyond the double range (max(v, x) above ~9e307). The
// U_k sum is 1 to within 1/s < 1e-307 there, so log I = s - v asinh(v/x) - 1/2 log(2 pi s) and
// log K = 1/2 log(pi/(2s)) - (s - v asinh(v/x)) (scaled: s - x = v^2/(s + x) in place of s), formed with
// hs = s/2 so that nothing overflows unless the result itself is beyond the double range (then +-inf).
NK_HOST_DEVICE NK_INLINE double log_bessel_huge(double v, double x, bool kind_i, bool scaled) {
  const double hs = hypot_nonneg(0.5 * v, 0.5 * x);
  // asinh(v/x); where v/x overflows (x < 1), log((v + s)/x) = log(v/4 + hs/2) - log(x) + 2 log 2 (no cancellation).
  const double ratio = v / x;
  const double a = !std::isinf(ratio) ? std::asinh(ratio) : (std::log(0.25 * v + 0.5 * hs) - std::log(x)) + 2.0 * kLn2;
  const double half_va = 0.5 * v * a;
  const double half_base = scaled ? 0.5 * v * ((0.25 * v) / (0.5 * hs + 0.25 * x)) : hs;  // (s - x)/2 or s/2
  const double core = 2.0 * (half_base - half_va);
  const double half_log_s = 0.5 * (std::log(hs) + kLn2);
  if (kind_i) return (core - kHalfLog2Pi) - half_log_s;
  return (kHalfLogPiOver2 - half_log_s) - core;
}

// a * b = hi + lo exactly (|a|, |b| < 1e150): FMA where the target has one, else Veltkamp/Dekker splitting, which
// is exact as well, so both give the same bits (and the baseline x86-64 build makes no libm fma call).
NK_HOST_DEVICE NK_INLINE DoubleDouble exact_prod(double a, double b) {
#if defined(NK_SPECIAL_HAS_FMA)
  return two_prod(a, b);
#else
  constexpr double split = 134217729.0;  // 2^27 + 1
  const double ca = split * a, cb = split * b;
  const double a_hi = ca - (ca - a), a_lo = a - a_hi;
  const double b_hi = cb - (cb - b), b_lo = b - b_hi;
  const double p = a * b;
  return {p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo};
#endif
}

// 2 atanh(b) - b = b (1 + atanh_terms(b^2)), atanh_terms(z) = sum_{j=1..22} 2 z^j / (2j + 1), for z <= 0.151
// (truncation < 1e-19 relative). The scaled Debye core for x >= kBandHi v: with b = v/(x + s),
// asinh(v/x) = 2 atanh(b) and s - x = v b, so v eta - x = (s - x) - v asinh(v/x) = -v b (1 + atanh_terms(b^2)),
// a sum of positive terms (the form (s - x) - v asinh(v/x) cancels by a factor ~2 and amplifies the log's
// rounding by v).
NK_HOST_DEVICE NK_INLINE double atanh_terms(double z) {
  const double c[22] = {0.6666666666666666, 0.4, 0.2857142857142857, 0.2222222222222222, 0.18181818181818182,
                        0.15384615384615385, 0.13333333333333333, 0.11764705882352941, 0.10526315789473684,
                        0.09523809523809523, 0.08695652173913043, 0.08, 0.07407407407407407, 0.06896551724137931,
                        0.06451612903225806, 0.06060606060606061, 0.05714285714285714, 0.05405405405405406,
                        0.05128205128205128, 0.04878048780487805, 0.046511627906976744, 0.044444444444444446};
  return z * estrin(c, z);
}

// The band of the unscaled Debye forms where v eta = s - v asinh(v/x) is a small difference of two large terms:
// v eta(z), z = x/v, vanishes at z0 = 0.66274..., and rounding s and asinh in double would cost ~v eps absolute.
// There v eta is formed from d = x - z0 v, exact to ~eps^2 v (z0 as a double-double, x - z0_hi v exact by
// Sterbenz's lemma), as v eta = d (g0 + w h(w)), w = d/v = z - z0, g0 = eta'(z0) (double-double), and h a
// polynomial fit (Chebyshev interpolation of (eta(z0 + w)/w - g0)/w at 80 digits, degree 29, |error| < 2e-17) in
// u = (w - c)/hw over z in [kBandLo, kBandHi]. The result is hi + lo with an error ~eps |d w h| + eps^2 v, so it
// stays accurate to the last bit where v eta is ~0. Outside the band the plain-double form loses < 2 ulp. The
// scaled forms use it too: v eta - x has no cancellation there, while (s - x) - v asinh(v/x) loses ~2 ulp.
constexpr double kBandLo = 0.34;
constexpr double kBandHi = 1.10;

NK_HOST_DEVICE NK_INLINE double debye_band_core(double v, double x, double* lo) {
  constexpr double z0_hi = 0.6627434193491816, z0_lo = 8.155323790501267e-18;
  constexpr double g0_hi = 1.8101705806989772, g0_lo = 9.153657887938339e-17;
  constexpr double inv_hw = 2.6315789473684212, c_over_hw = 0.15067521223899583;
  const DoubleDouble p = exact_prod(z0_hi, v);
  const double d_hi = x - p.hi;  // exact: x / p.hi is in [0.51, 1.66]
  const double d_lo = -(p.lo + z0_lo * v);
  const double d = d_hi + d_lo;
  const double w = d / v;
  const double u = w * inv_hw - c_over_hw;
  const double hc[30] = {-0.8898665686706779, 0.36705166758548485, -0.15304083009880165, 0.06543140683004171,
                         -0.02882079791858772, 0.013045001132209005, -0.006033315410690138, 0.0028359196639520783,
                         -0.0013494282036601727, 0.0006483547322667834, -0.0003140141433990506,
                         0.0001531196083540018, -7.51052875854649e-05, 3.702434580827747e-05,
                         -1.830907993069371e-05, 9.093226733236962e-06, -4.598568173017928e-06,
                         2.315159834442011e-06, -1.0271479296712122e-06, 4.925043894708288e-07,
                         -4.5148674216839504e-07, 2.554110478629257e-07, 9.077763993683676e-08,
                         -6.768802988101406e-08, -1.3143194802791448e-07, 7.80914612917734e-08,
                         4.288670591347565e-08, -2.532986502171579e-08, -1.1559493938373294e-08,
                         6.3840069796522015e-09};
  const double h = estrin(hc, u);
  const DoubleDouble head = exact_prod(d_hi, g0_hi);
  *lo = head.lo + ((d_hi * g0_lo + d_lo * g0_hi) + d * (w * h));
  return head.hi;
}

// Above the band (x > kBandHi v): w = v b (1 + atanh_terms(b^2)), b = v/(x + s), as hi + lo, with s's rounding
// error (from the residual of s^2) and the remainder of the division carried, so that |error| ~ eps w/10 (a's own
// rounding only, a < 0.11): v eta - x = -w and v eta = x - w (see atanh_terms). log K_v(x) + x = w - log(2s/pi)/2
// + ... cancels where w ~ 3 ... 8 (x ~ v^2/10, e.g. v = 1023, x ~ 7e4), which a w rounded to ~2.5 eps turned
// into 9-14 ulp. Also returns s_lo = hypot(v, x) - s. v, x < 1e150.
NK_HOST_DEVICE NK_INLINE double debye_high_w(double v, double x, double s, double t, double* lo, double* s_lo) {
  const DoubleDouble vv = exact_prod(v, v), xx = exact_prod(x, x), ss = exact_prod(s, s);
  const DoubleDouble sum = two_sum(vv.hi, xx.hi);
  const double resid = ((sum.hi - ss.hi) - ss.lo) + ((sum.lo + vv.lo) + xx.lo);  // sum.hi - ss.hi exact
  const double sl = 0.5 * resid * t;
  *s_lo = sl;
  const DoubleDouble big = two_sum(x, s);  // x + s + sl = big.hi + big_lo
  const double big_lo = big.lo + sl;
  const double b = v / big.hi;
  const DoubleDouble pb = exact_prod(b, big.hi);
  const double b_lo = (((v - pb.hi) - pb.lo) - b * big_lo) / big.hi;  // v - pb.hi exact
  const DoubleDouble vb = exact_prod(v, b);
  const double vb_lo = madd(v, b_lo, vb.lo);
  const double a = atanh_terms(b * b);
  const DoubleDouble w = fast_two_sum(vb.hi, vb.hi * a);
  *lo = w.lo + madd(vb_lo, a, vb_lo);
  return w.hi;
}

// The pieces of the Debye forms shared by log_bessel_debye and the block kernels (log_bessel_batch.hpp), so that
// both evaluate the same arithmetic. core = v eta (unscaled) or v eta - x (scaled), as core + lo:
// in the band, from debye_band_core (scaled: v eta - x has no cancellation there; the sum's error is kept) ...
NK_HOST_DEVICE NK_INLINE double debye_core_band(double v, double x, bool scaled, double* lo) {
  double core_lo;
  const double core = debye_band_core(v, x, &core_lo);
  if (!scaled) {
    *lo = core_lo;
    return core;
  }
  const DoubleDouble c = two_sum(core, -x);
  *lo = core_lo + c.lo;
  return c.hi;
}

// ... and above it: v eta - x = -w, v eta = x - w (debye_high_w; s - v asinh(v/x) with s rounded loses up to 3 ulp
// here). Also returns s_lo = hypot(v, x) - s.
NK_HOST_DEVICE NK_INLINE double debye_core_high(double v, double x, double s, double t, bool scaled, double* lo,
                                                double* s_lo) {
  double w_lo;
  const double w = debye_high_w(v, x, s, t, &w_lo, s_lo);
  if (scaled) {
    *lo = -w_lo;
    return -w;
  }
  const DoubleDouble c = two_sum(x, -w);
  *lo = c.lo - w_lo;
  return c.hi;
}

// The result from core + core_lo, log(s) = log_s + log_s_lo, s's rounding s_lo (t = 1/s) and log_sum = log(1 +
// Debye tail): core + c0 - log(s)/2 + (core_lo + log_sum), the three large terms summed without rounding error
// (they cancel where the result is ~0; a rounded log(s) alone cost 5 ulp there), c0 = -log(2 pi)/2 (I) or
// log(pi/2)/2 (K, with -core).
NK_HOST_DEVICE NK_INLINE double debye_sum(double core, double core_lo, double log_s, double log_s_lo, double s_lo,
                                          double t, double log_sum, bool kind_i) {
  const double c0 = kind_i ? -kHalfLog2Pi : kHalfLogPiOver2;
  const double c0_lo = kind_i ? -kHalfLog2PiLo : kHalfLogPiOver2Lo;
  const DoubleDouble a = two_sum(kind_i ? core : -core, -0.5 * log_s);  // log_s / 2 is exact
  const DoubleDouble b = two_sum(a.hi, c0);
  const double small = (kind_i ? core_lo : -core_lo) + log_sum - 0.5 * (log_s_lo + s_lo * t) + c0_lo;
  return b.hi + ((a.lo + b.lo) + small);
}

// Debye / Hankel expansion (see the file comment). kind_i selects I (true) or K (false); scaled subtracts |x|
// (for I) or adds x (for K) analytically, without forming s - x by cancellation. v >= 0, x > 0, s >= 23.5.
NK_HOST_DEVICE NK_INLINE double log_bessel_debye(double v, double x, double s, bool kind_i, bool scaled) {
  if (std::isinf(s) || (x < v && std::isinf(v + s))) return log_bessel_huge(v, x, kind_i, scaled);
  const double t = 1.0 / s;
  const double p = v * t;
  const double q = p > 1e-150 ? p * p : 0.0;
  // core = v eta = s - v asinh(v/x) (unscaled) or v eta - x = (s - x) - v asinh(v/x) (scaled), as core + core_lo.
  double core, core_lo = 0.0, s_lo = 0.0;  // s_lo: hypot(v, x) - s where known (above the band)
  if (x >= kBandLo * v && x <= kBandHi * v && s < 1e150) {
    core = debye_core_band(v, x, scaled, &core_lo);
  } else if (x > kBandHi * v && s < 1e150) {
    core = debye_core_high(v, x, s, t, scaled, &core_lo, &s_lo);
  } else {
    // v asinh(v/x): for x >= v asinh = log1p(y), y = r + r^2/(1 + sqrt(1 + r^2)) = r (1 + v/(x + s)), r = v/x
    // (relative accuracy for small r, which the scaled form needs); for x < v, log((v + s)/x) (argument
    // > 1 + sqrt 2), or log(v + s) - log(x) where (v + s)/x would overflow.
    double va = 0.0;
    if (v > 0.0) {
      double a;
      if (x >= v) {
        const double r = v / x;
        a = std::log1p(r + r * (v / (x + s)));
      } else if (x >= 1.0 || v < x * 1e300) {
        a = std::log((v + s) / x);
      } else {
        a = std::log(v + s) - std::log(x);
      }
      va = v * a;
    }
    // s (unscaled) or s - x = v^2 / (s + x) (scaled).
    const double base = scaled ? (v > 1e-150 ? v * (t * v / (1.0 + x * t)) : 0.0) : s;  // s+x may overflow
    core = base - va;
  }
  const int n = debye_terms(s);
  const double tail = detail::debye_u_sum(q, kind_i ? t : -t, n);
  double log_s_lo = 0.0;
  const double log_s = s < 1e300 ? fast_log_dd(s, &log_s_lo) : std::log(s);
  return debye_sum(core, core_lo, log_s, log_s_lo, s_lo, t, debye_log1p_tail(tail), kind_i);
}

// omega(z) = log Gamma(z) - ((z - 1/2) log z - z + 1/2 log(2 pi)) by Stirling's series (DLMF 5.11.1), z >= 8,
// 10 terms: error < 1e-17.
NK_HOST_DEVICE NK_INLINE double stirling_omega(double z) {
  const double iz = 1.0 / z, iz2 = iz * iz;
  return iz * (0.08333333333333333 +
               iz2 * (-0.002777777777777778 +
                      iz2 * (0.0007936507936507937 +
                             iz2 * (-0.0005952380952380953 +
                                    iz2 * (0.0008417508417508417 +
                                           iz2 * (-0.0019175269175269176 +
                                                  iz2 * (0.00641025641025641 +
                                                         iz2 * (-0.029550653594771242 +
                                                                iz2 * (0.17964437236883057 +
                                                                       iz2 * -1.3924322169059011)))))))));
}

// log((x/2)^v / Gamma(v+1)), the leading factor of the I series. For v >= 7 the two logs nearly cancel where
// I_v(x) ~ 1, so Stirling's formula (DLMF 5.11.1, z = v + 1 >= 8, 10 terms: error < 1e-17) is folded in:
//   v log(x/2) - lgamma(z) = v log(e x / (2 z)) + 1 - 1/2 log(2 pi z) - omega(z),
// with log(e x/(2z)) = log1p((e x/2 - z)/z) and e x/2 - z formed with FMA and double-double e and z, so the
// only large term v log(e x / 2z) carries a relative (not an absolute ~v eps) error.
NK_HOST_DEVICE NK_INLINE double log_power_over_gamma(double v, double x) {
  constexpr double e_hi = 2.718281828459045, e_lo = 1.4456468917292502e-16;
  const double h = 0.5 * x;
  // Outside e h / z in [1/4, 4] the two logs do not cancel badly and the direct form is accurate.
  if (v < 7.0 || e_hi * h < 0.25 * (v + 1.0) || e_hi * h > 4.0 * (v + 1.0))
    return v * log_half(x) - std::lgamma(v + 1.0);
  const DoubleDouble z = two_sum(v, 1.0);
  const double num = std::fma(e_hi, h, -z.hi) + (e_lo * h - z.lo);
  const double log_ratio = std::log1p(num / z.hi);
  const double omega = stirling_omega(z.hi);
  return v * log_ratio + ((1.0 - kHalfLog2Pi) - 0.5 * std::log(z.hi) - omega);
}

// Power series DLMF 10.25.2 for log I_v(x), v >= 0, 0 < x, used when hypot(v, x) < 23.5 (at most ~60 terms).
NK_HOST_DEVICE NK_INLINE double log_iv_series(double v, double x) {
  const double h2 = half_square(x);
  double term = 1.0, rest = 0.0;
  if (h2 > 0.0) {
    for (int k = 1; k < 200; ++k) {
      term *= h2 / (k * (k + v));
      rest += term;
      if (term <= 0.5 * kEps * (1.0 + rest)) break;
    }
  }
  return log_power_over_gamma(v, x) + std::log1p(rest);
}

// 1/Gamma(1 + mu) and Temme's gamma1 = (1/Gamma(1-mu) - 1/Gamma(1+mu)) / (2 mu),
// gamma2 = (1/Gamma(1-mu) + 1/Gamma(1+mu)) / 2, for |mu| <= 1/2, from the Taylor series
// 1/Gamma(z) = sum_k c_k z^k (DLMF 5.7.1; c_k computed with mpmath at 60 digits, truncated below 1e-24 * 2^k).
NK_HOST_DEVICE NK_INLINE void temme_gammas(double mu, double* gam1, double* gam2, double* gampl, double* gammi) {
  const double m2 = mu * mu;
  const double even_part =  // sum_j c_{2j+1} mu^{2j}
      ((((((((((((((-2.29874568443537e-19) * m2 + 1.1866922547516004e-18) * m2 + 1.2267786282382608e-15) * m2 +
                 -2.0583260535665066e-14) * m2 + -3.696805618642206e-12) * m2 + 1.0434267116911005e-10) * m2 +
              5.002007644469223e-09) * m2 + -2.056338416977607e-07) * m2 + -1.2504934821426706e-06) * m2 +
           0.0001280502823881162) * m2 + -0.0011651675918590652) * m2 + -0.009621971527876973) * m2 +
        0.16653861138229148) * m2 + -0.6558780715202539) * m2 + 1.0;
  const double odd_over_mu =  // sum_j c_{2j+2} mu^{2j}
      ((((((((((((((1.7144063219273374e-20) * m2 + 1.4123806553180319e-18) * m2 + -1.1812593016974588e-16) * m2 +
                 -5.348122539423018e-15) * m2 + 5.100370287454476e-13) * m2 + 7.782263439905071e-12) * m2 +
              -1.18127457048702e-09) * m2 + 6.116095104481416e-09) * m2 + 1.133027231981696e-06) * m2 +
           -2.013485478078824e-05) * m2 + -0.00021524167411495098) * m2 + 0.0072189432466631) * m2 +
        -0.04219773455554433) * m2 + -0.04200263503409524) * m2 + 0.5772156649015329;
  *gam2 = even_part;
  *gam1 = -odd_over_mu;
  *gampl = even_part + mu * odd_over_mu;  // 1/Gamma(1+mu)
  *gammi = even_part - mu * odd_over_mu;  // 1/Gamma(1-mu)
}

// Temme's series for K_mu(x) and rho_0 = (x/2) K_{mu+1}(x)/K_mu(x), |mu| <= 1/2, 0 < x <= 1.
// Returns log K_mu(x). Every quantity stays below ~(2/x)^{1/2} <= 1e162, so subnormal x is fine.
NK_HOST_DEVICE NK_INLINE double log_k_temme(double mu, double x, double* rho0) {
  double gam1, gam2, gampl, gammi;
  temme_gammas(mu, &gam1, &gam2, &gampl, &gammi);
  const double d = -log_half(x);  // log(2/x)
  const double e = mu * d;
  const double pimu = kPi * mu;
  const double fact = std::fabs(pimu) < 1e-5 ? 1.0 + pimu * pimu / 6.0 : pimu / std::sin(pimu);
  const double fact2 = std::fabs(e) < 1e-5 ? 1.0 + e * e / 6.0 : std::sinh(e) / e;
  double ff = fact * (gam1 * std::cosh(e) + gam2 * fact2 * d);
  double sum = ff;
  const double ee = std::exp(e);
  double p = 0.5 * ee / gampl;     // (1/2) (x/2)^{-mu} Gamma(1+mu)
  double q = 0.5 / (ee * gammi);   // (1/2) (x/2)^{mu} Gamma(1-mu)
  double sum1 = p;
  const double h2 = half_square(x);
  if (h2 > 0.0) {
    double c = 1.0;
    for (int i = 1; i < 200; ++i) {
      const double di = i;
      ff = (di * ff + p + q) / (di * di - mu * mu);
      c *= h2 / di;
      p /= di - mu;
      q /= di + mu;
      const double del = c * ff;
      sum += del;
      sum1 += c * (p - di * ff);
      if (std::fabs(del) < 0.5 * kEps * std::fabs(sum)) break;
    }
  }
  *rho0 = sum1 / sum;
  return std::log(sum);
}

// Steed's CF2 for K_mu(x) e^x and rho_0 = (x/2) K_{mu+1}/K_mu, |mu| <= 1/2, x > 1. Returns log(K_mu(x) e^x).
NK_HOST_DEVICE NK_INLINE double log_k_steed_scaled(double mu, double x, double* rho0) {
  double b = 2.0 * (1.0 + x);
  double d = 1.0 / b;
  double h = d, delh = d;
  double q1 = 0.0, q2 = 1.0;
  const double a1 = 0.25 - mu * mu;
  double q = a1, c = a1, a = -a1;
  double s = 1.0 + q * delh;
  for (int i = 1; i < 1000; ++i) {
    a -= 2 * i;
    c = -a * c / (i + 1.0);
    const double qnew = (q1 - b * q2) / a;
    q1 = q2;
    q2 = qnew;
    q += c * qnew;
    b += 2.0;
    d = 1.0 / (b + a * d);
    delh = (b * d - 1.0) * delh;
    h += delh;
    const double dels = q * delh;
    s += dels;
    if (std::fabs(dels) < 0.5 * kEps * std::fabs(s)) break;
  }
  *rho0 = 0.5 * (mu + x + 0.5 - a1 * h);
  return 0.5 * std::log(kPi / (2.0 * x)) - std::log(s);
}

// log(K_v(x) e^x) and K_{v+1}/K_v for 2 < x, hypot(v, x) < 23.5 (Steed + forward recurrence on the ratios).
NK_HOST_DEVICE NK_INLINE double log_kve_steed(double v, double x, double* k_ratio) {
  const int n = static_cast<int>(v + 0.5);
  const double mu = v - n;
  double rho;
  const double log_kmu = log_k_steed_scaled(mu, x, &rho);
  const double h2 = half_square(x);
  double prod = 1.0;
  for (int k = 0; k < n; ++k) {
    prod *= 2.0 * rho / x;
    rho = (mu + k + 1) + h2 / rho;
  }
  *k_ratio = 2.0 * rho / x;
  return log_kmu + std::log(prod);
}

// Gauss continued fraction (DLMF 10.33.1) I_{v+1}/I_v = x / (2(v+1) + x^2 / (2(v+2) + x^2 / ...)),
// v >= 0, 0 < x < 23.5. The depth is found with a cheap forward (modified Lentz) pass; the value is then
// recomputed backward from that depth, where rounding errors are damped at each level (1-2 ulp in total
// instead of one rounding per Lentz step).
NK_HOST_DEVICE NK_INLINE double iv_ratio_cf(double v, double x) {
  const double x2 = x > 1e-150 ? x * x : 0.0;
  double c = 2.0 * (v + 1.0), d = 0.0;
  int depth = 1;
  for (int k = 2; k < 500; ++k) {
    const double b = 2.0 * (v + k);
    d = 1.0 / (b + x2 * d);
    c = b + x2 / c;
    depth = k;
    if (std::fabs(c * d - 1.0) < 0.25 * kEps) break;
  }
  double tail = 0.0;  // x I_{v+k+1}/I_{v+k} = x^2 / (2(v+k+1) + ...), started at 0 a few levels deeper
  for (int k = depth + 4; k >= 2; --k) tail = x2 / (2.0 * (v + k) + tail);
  return x / (2.0 * (v + 1.0) + tail);
}

// ---- Small-argument K at a fixed cost: hypot(v, x) < 23.5, kKFixedMinX <= x ----------------------------------
// log_kv_fixed below (scalar, host and device) and the block kernels' k_small_loop / k_temme_loop (vectorised,
// tabulated nodes, own exp/log) share these steps:
//   1. v = mu + n, n = round(v), |mu| <= 1/2;
//   2. K_mu and r_0 = K_{mu+1}/K_mu: for x >= kKQuadMinX by the trapezoidal rule on
//      K_nu(x) e^x = int_0^inf exp(-x (cosh t - 1)) cosh(nu t) dt (DLMF 10.32.9) with the fixed steps and node
//      counts of k_quadrature_nodes.hpp (positive terms; two exponentials per node, as
//      cosh((mu + 1) t) = cosh(mu t) cosh t + sinh(mu t) sinh t); below, Temme's series (log_k_temme) with
//      kTemmeTerms terms (term ratio < (x/2)^2 / i^2 <= 1/(64 i^2)); sums in double-double;
//   3. the forward recurrence K_{m+1} = (2m/x) K_m + K_{m-1} (stable for K) on r_k = K_{mu+k+1}/K_{mu+k} =
//      2(mu+k)/x + 1/r_{k-1} and P = r_0 ... r_{n-1} = K_v/K_mu, all in double-double (1/x as hi + lo), so the
//      n <= 23 steps add no rounding error of their own (down to x = 1e-10, P < Gamma(23.5) (2/x)^23.5 < 1e265);
//   4. log K_v = log K_mu + log P, each log as hi + lo, -+ x (exact) for the other scaling: where K_v(x) ~ 1 the
//      terms cancel and only the relative error of K_mu (~1-2 eps) remains, not the ~n eps of the old
//      Temme/Steed/Wronskian combination (4.25 ulp at v ~ 20, x ~ 12) or the ~eps v asinh(v/x) of a quadrature of
//      K_v itself.
constexpr double kKFixedMinX = 1e-10;
constexpr double kKQuadMinX = 0.25;  // kKQuadXLo[0]
constexpr int kTemmeTerms = 9;

// b / a for double-doubles (a > 0): the quotient's residual b - r a exactly, then one correction (~eps^2).
NK_HOST_DEVICE NK_INLINE DoubleDouble dd_quotient(double b_hi, double b_lo, double a_hi, double a_lo) {
  const double r = b_hi / a_hi;
  const DoubleDouble ra = exact_prod(r, a_hi);
  return fast_two_sum(r, (((b_hi - ra.hi) - ra.lo) + (b_lo - r * a_lo)) / a_hi);
}

// s + s_lo += a: the running sum s and its accumulated rounding errors s_lo (Kahan-Babuska with two_sum).
NK_HOST_DEVICE NK_INLINE void dd_accumulate(double* s, double* s_lo, double a) {
  const DoubleDouble u = two_sum(*s, a);
  *s = u.hi;
  *s_lo += u.lo;
}

// 1/x as hi + lo.
NK_HOST_DEVICE NK_INLINE DoubleDouble dd_reciprocal(double x) {
  const double ix = 1.0 / x;
  const DoubleDouble p = exact_prod(ix, x);
  return {ix, ((1.0 - p.hi) - p.lo) * ix};
}

// p * (f_hi + f_lo) in double-double.
NK_HOST_DEVICE NK_INLINE DoubleDouble dd_mul(DoubleDouble p, double f_hi, double f_lo) {
  const DoubleDouble pp = exact_prod(p.hi, f_hi);
  return fast_two_sum(pp.hi, pp.lo + madd(p.hi, f_lo, p.lo * f_hi));
}

// One step of the ratio recurrence: r_k = b / x + 1 / r_{k-1}, b = 2(mu + k) (exact), 1/x = ix, in double-double.
NK_HOST_DEVICE NK_INLINE DoubleDouble k_ratio_next(double b, double ix_hi, double ix_lo, double r_hi, double r_lo) {
  const DoubleDouble a = exact_prod(b, ix_hi);
  const double a_lo = madd(b, ix_lo, a.lo);
  const double y = 1.0 / r_hi;
  const DoubleDouble yr = exact_prod(y, r_hi);
  const double y_lo = (((1.0 - yr.hi) - yr.lo) - y * r_lo) * y;
  const DoubleDouble sum = two_sum(a.hi, y);
  return fast_two_sum(sum.hi, sum.lo + (a_lo + y_lo));
}

// The terms of one quadrature node for K_mu e^x and K_{mu+1} e^x: e = exp(-x (cosh t - 1)), em = exp(mu t).
NK_HOST_DEVICE NK_INLINE void k_node_terms(double e, double em, double cosh_t, double sinh_t, double* a0, double* a1) {
  const double ie = 1.0 / em;
  const double ch = 0.5 * (em + ie), sh = 0.5 * (em - ie);
  *a0 = e * ch;
  *a1 = e * madd(ch, cosh_t, sh * sinh_t);
}

// Temme's first terms f_0, p_0, q_0 (see log_k_temme) from mu, d = log(2/x) and ee = exp(mu d), without branches:
// sin(pi mu)/(pi mu) by its Taylor series to z^24 (|z| <= pi/2, truncation < 1e-20), sinh(e)/e by its series for
// |e| < 1/2 (truncation < 1e-20), else (ee - 1/ee) / 2e.
NK_HOST_DEVICE NK_INLINE void temme_start(double mu, double d, double ee, double* f0, double* p0, double* q0) {
  double gam1, gam2, gampl, gammi;
  temme_gammas(mu, &gam1, &gam2, &gampl, &gammi);
  const double e = mu * d;
  const double z = kPi * mu, z2 = z * z;
  const double sinc = madd(z2, madd(z2, madd(z2, madd(z2, madd(z2, madd(z2, madd(z2, madd(z2, madd(z2, madd(z2,
      madd(z2, madd(z2, 6.446950284384474e-26, -3.868170170630684e-23), 1.9572941063391263e-20),
      -8.220635246624329e-18), 2.8114572543455206e-15), -7.647163731819816e-13), 1.6059043836821613e-10),
      -2.505210838544172e-08), 2.7557319223985893e-06), -0.0001984126984126984), 0.008333333333333333),
      -0.16666666666666666), 1.0);
  const double iee = 1.0 / ee;
  const double ae = e < 0.0 ? -e : e;
  const double e2 = e * e;
  const double sinhc_small = madd(e2, madd(e2, madd(e2, madd(e2, madd(e2, madd(e2, madd(e2,
      2.8114572543455206e-15, 7.647163731819816e-13), 1.6059043836821613e-10), 2.505210838544172e-08),
      2.7557319223985893e-06), 0.0001984126984126984), 0.008333333333333333), 0.16666666666666666);
  // The divisor is made nonzero by a test of its own: with the branch's test, GCC folds it to e in vectorised
  // code and divides 0 by 0 in lanes with e = 0 (integer v), raising FE_INVALID for a discarded value.
  const double e_nonzero = e == 0.0 ? 1.0 : e;
  const double sinhc = ae < 0.5 ? madd(e2, sinhc_small, 1.0) : 0.5 * (ee - iee) / e_nonzero;
  *f0 = (gam1 * (0.5 * (ee + iee)) + gam2 * sinhc * d) / sinc;
  *p0 = 0.5 * ee / gampl;   // (1/2) (x/2)^{-mu} Gamma(1+mu)
  *q0 = 0.5 * iee / gammi;  // (1/2) (x/2)^{mu} Gamma(1-mu)
}

// Term i >= 1 of Temme's sums: updates f, p, q, c = (x/2)^{2i}/i! (h2 = (x/2)^2) and returns the terms of
// K_mu (c f) and of rho_0 K_mu (c (p - i f)).
NK_HOST_DEVICE NK_INLINE void temme_term(double di, double mu, double h2, double* f, double* p, double* q, double* c,
                                         double* t0, double* t1) {
  const double fn = (di * *f + *p + *q) / (di * di - mu * mu);
  *f = fn;
  *c *= h2 / di;
  *p /= di - mu;
  *q /= di + mu;
  *t0 = *c * fn;
  *t1 = *c * (*p - di * fn);
}

// log(a) as hi + lo for normal a > 0: libm's log, corrected by (a - e^l)/e^l (error ~eps absolute instead of half
// an ulp of log(a)).
NK_HOST_DEVICE NK_INLINE DoubleDouble log_dd(double a) {
  const double l = std::log(a);
  const double e = std::exp(l);
  return two_sum(l, (a - e) / e);
}

// log K_v(x) (+ x when scaled) for v >= 0, kKFixedMinX <= x, hypot(v, x) < 23.5 (steps 1-4 above).
NK_HOST_DEVICE NK_INLINE double log_kv_fixed(double v, double x, bool scaled) {
  const double nd = std::floor(v + 0.5);
  const double mu = v - nd;  // exact
  DoubleDouble k0, r;        // K0 = K_mu e^x (quadrature) or K_mu (Temme); r = r_0
  const bool k0_scaled = x >= kKQuadMinX;
  double s0 = 0.5, s0_lo = 0.0, s1 = 0.5, s1_lo = 0.0;  // the t = 0 node, weight 1/2
  if (k0_scaled) {
    double h;
    int nodes;
    k_quad_bin(x, &h, &nodes);
    for (int k = 1; k < nodes; ++k) {
      const double t = k * h;
      const double sh = std::sinh(0.5 * t);
      const double c = 2.0 * sh * sh;  // cosh t - 1
      double a0, a1;
      k_node_terms(std::exp(-x * c), std::exp(mu * t), 1.0 + c, std::sinh(t), &a0, &a1);
      dd_accumulate(&s0, &s0_lo, a0);
      dd_accumulate(&s1, &s1_lo, a1);
    }
    const DoubleDouble a = fast_two_sum(s0, s0_lo), b = fast_two_sum(s1, s1_lo);
    r = dd_quotient(b.hi, b.lo, a.hi, a.lo);
    const DoubleDouble kh = exact_prod(h, a.hi);
    k0 = {kh.hi, madd(h, a.lo, kh.lo)};
  } else {
    const double d = -log_half(x);
    double f, p, q, c = 1.0;
    temme_start(mu, d, std::exp(mu * d), &f, &p, &q);
    s0 = f;
    s1 = p;
    const double h2 = half_square(x);
    for (int i = 1; i < kTemmeTerms; ++i) {
      double t0, t1;
      temme_term(i, mu, h2, &f, &p, &q, &c, &t0, &t1);
      dd_accumulate(&s0, &s0_lo, t0);
      dd_accumulate(&s1, &s1_lo, t1);
    }
    const DoubleDouble a = fast_two_sum(s0, s0_lo), b = fast_two_sum(s1, s1_lo);
    const DoubleDouble rho = dd_quotient(b.hi, b.lo, a.hi, a.lo);  // (x/2) K_{mu+1}/K_mu
    r = dd_quotient(rho.hi, rho.lo, 0.5 * x, 0.0);
    k0 = a;
  }
  DoubleDouble prod = nd >= 1.0 ? r : DoubleDouble{1.0, 0.0};
  const DoubleDouble ix = dd_reciprocal(x);
  for (int k = 1; k < nd; ++k) {
    r = k_ratio_next(2.0 * (mu + k), ix.hi, ix.lo, r.hi, r.lo);
    prod = dd_mul(prod, r.hi, r.lo);
  }
  const DoubleDouble l0 = log_dd(k0.hi), lp = log_dd(prod.hi);
  const double small = (l0.lo + k0.lo / k0.hi) + (lp.lo + prod.lo / prod.hi);
  const DoubleDouble a = two_sum(l0.hi, lp.hi);
  if (scaled == k0_scaled) return a.hi + (a.lo + small);
  const DoubleDouble b = two_sum(a.hi, scaled ? x : -x);
  return b.hi + ((a.lo + b.lo) + small);
}

// log K_v(x) (+ x when scaled) for 0 <= v, 0 < x, hypot(v, x) < 23.5: log_kv_fixed for x >= 1e-10; below, where
// its product K_v/K_mu ~ (2/x)^n could overflow, Temme's series for K_mu and the Wronskian with the I series.
NK_HOST_DEVICE NK_INLINE double log_kv_small(double v, double x, bool scaled) {
  if (x >= kKFixedMinX) return log_kv_fixed(v, x, scaled);
  // x < 1e-10: log K_v >= log K_0(1e-10) ~ 3.1, and ~ v log(2/x) >= 23 for v >= 1.
  const int n = static_cast<int>(v + 0.5);
  const double mu = v - n;
  double rho;
  const double log_kmu = log_k_temme(mu, x, &rho);  // every quantity stays below ~(2/x)^{1/2}: subnormal x is fine
  if (n == 0) return scaled ? log_kmu + x : log_kmu;
  // log K_v from the Wronskian I_v K_{v+1} + I_{v+1} K_v = 1/x (DLMF 10.28.2):
  //   log K_v = -log x - log I_v - log(K_{v+1}/K_v + I_{v+1}/I_v),
  // with K_{v+1}/K_v = (2/x) rho_n from the recurrence rho_k = (mu + k) + (x/2)^2 / rho_{k-1} (which would
  // overflow as a product here).
  const double h2 = half_square(x);
  for (int k = 1; k <= n; ++k) rho = (mu + k) + h2 / rho;
  const double r = iv_ratio_cf(v, x);
  const double log_ratio_sum = std::log(2.0 * rho + r * x) - std::log(x);
  const DoubleDouble a = two_sum(-std::log(x), -log_iv_series(v, x));
  const DoubleDouble b = two_sum(a.hi, -log_ratio_sum);
  if (scaled) {
    const DoubleDouble c = two_sum(b.hi, x);
    return c.hi + ((a.lo + b.lo) + c.lo);
  }
  return b.hi + (a.lo + b.lo);
}

// --- positive-argument cores: v >= 0 finite, x > 0 finite -------------------------------------------------
NK_HOST_DEVICE NK_INLINE double log_iv_pos(double v, double x, bool scaled) {
  const double s = hypot_nonneg(v, x);
  if (s >= kDebyeMinS) return log_bessel_debye(v, x, s, true, scaled);
  if (scaled && x > 2.0) {
    // log I_v - x = O(1) here; series minus x would carry an absolute error ~eps x. The Wronskian
    // I_v K_{v+1} + I_{v+1} K_v = 1/x with the scaled K gives it directly.
    double k_ratio;
    const double lkve = log_kve_steed(v, x, &k_ratio);
    return -std::log(x) - lkve - std::log(k_ratio + iv_ratio_cf(v, x));
  }
  const double r = log_iv_series(v, x);
  return scaled ? r - x : r;
}

NK_HOST_DEVICE NK_INLINE double log_kv_pos(double v, double x, bool scaled) {
  const double s = hypot_nonneg(v, x);
  if (s >= kDebyeMinS) return log_bessel_debye(v, x, s, false, scaled);
  return log_kv_small(v, x, scaled);
}

NK_HOST_DEVICE NK_INLINE double iv_ratio_pos(double v, double x) {
  const double s = hypot_nonneg(v, x);
  if (s < kDebyeMinS) return iv_ratio_cf(v, x);
  // s + v beyond the double range: x/(s + v) from (s + v)/4, the Debye correction (relative 1/s < 1e-307) dropped.
  if (std::isinf(s + v)) return 0.25 * (x / (0.5 * hypot_nonneg(0.5 * v, 0.5 * x) + 0.25 * v));
  const double t = 1.0 / s;
  const double p = v * t;
  const double q = p > 1e-150 ? p * p : 0.0;
  const int n = debye_terms(s);
  const double su = detail::debye_u_sum(q, t, n);
  const double sr = detail::debye_r_sum(q, t, n);
  return x / (s + v) + (x * t) * (sr / (1.0 + su));
}

NK_HOST_DEVICE NK_INLINE bool is_integer(double v) { return std::floor(v) == v; }

// sin(pi v) with exact argument reduction (v mod 2 is exact in binary floating point).
NK_HOST_DEVICE NK_INLINE double sin_pi(double v) {
  double r = std::fmod(v, 2.0);  // (-2, 2), exact
  if (r > 1.0) r -= 2.0;
  else if (r < -1.0) r += 2.0;   // now in [-1, 1]
  if (r > 0.5) r = 1.0 - r;
  else if (r < -0.5) r = -1.0 - r;  // sin(pi r) unchanged, r in [-1/2, 1/2]
  return std::sin(kPi * r);
}

// log I_{-nu}(x) for non-integer nu > 0, finite x > 0: I_{-nu} = I_nu + (2/pi) sin(nu pi) K_nu, NaN where < 0.
NK_HOST_DEVICE NK_INLINE double log_iv_reflected(double nu, double x, bool scaled) {
  const double c = (2.0 / kPi) * sin_pi(nu);
  const double li = log_iv_pos(nu, x, true);   // log I_nu - x
  if (x > 1e3 && li > -1e3) return scaled ? li : li + x;  // K/I < e^{-2x} e^{2000}: below eps, skip (no 2x overflow)
  const double lk = log_kv_pos(nu, x, true);   // log K_nu + x
  const double d = ((lk - li) - x) - x;        // log(K_nu / I_nu); 2x could overflow
  // c < 0 needs nu mod 2 in (1, 2), so |c| > 1e-16 and |c| K / I > 1 once d > 700.
  if (d > 0.0 && c < 0.0 && d > 700.0) return nan_value();
  if (c > 0.0) {
    // log(I + c K): factor out the larger of the two terms; c may be subnormal (nu ~ 1e-320), so work with logs.
    const double lc = std::log(c);
    const double e = lc + d;  // log(c K / I)
    if (e > 0.0) {
      const double lk_out = scaled ? (lk - x) - x : lk - x;  // log K_nu - x  or  log K_nu
      return lc + lk_out + std::log1p(std::exp(-e));
    }
    return (scaled ? li : li + x) + std::log1p(std::exp(e));
  }
  const double w = c * std::exp(d);
  if (w <= -1.0) return w == -1.0 ? -inf_value() : nan_value();
  return (scaled ? li : li + x) + std::log1p(w);
}

// log |I_v(x)| - x and the sign of I_v(x), any real non-integer or non-negative v, finite x > 0.
NK_HOST_DEVICE NK_INLINE double signed_log_ive(double v, double x, double* sgn) {
  *sgn = 1.0;
  if (v >= 0.0) return log_iv_pos(v, x, true);
  const double nu = -v;
  const double c = (2.0 / kPi) * sin_pi(nu);
  const double li = log_iv_pos(nu, x, true);
  if (x > 1e3 && li > -1e3) return li;  // the K term is below eps relative (and 2x could overflow)
  const double lk = (log_kv_pos(nu, x, true) - x) - x;  // log K_nu - x, on the same scale as li
  double lead, u;  // I_{-nu} = exp(lead) * (1 + u); c may be subnormal, so compare in logs
  const double e = std::log(std::fabs(c)) + (lk - li);  // log |c K / I|
  const double sc = c < 0.0 ? -1.0 : 1.0;
  if (e > 0.0) {
    lead = std::log(std::fabs(c)) + lk;
    u = sc * std::exp(-e);  // I / (c K)
    *sgn = sc;
  } else {
    lead = li;
    u = sc * std::exp(e);
  }
  if (1.0 + u < 0.0) *sgn = -*sgn;
  return lead + std::log(std::fabs(1.0 + u));
}

}  // namespace detail

// ------------------------------------------------------------------------------------------- public kernels
// log I_v(x) (scaled = false) or log(I_v(x) e^{-|x|}) (scaled = true) for all real v, x.
NK_HOST_DEVICE NK_INLINE double log_iv_any(double v, double x, bool scaled) {
  using namespace detail;
  if (std::isnan(v) || std::isnan(x)) return nan_value();
  if (x < 0.0) {
    // I_v(-x) = (-1)^v I_v(x) for integer v; otherwise complex.
    if (std::isinf(v) || !is_integer(v)) return nan_value();
    if (std::fmod(v, 2.0) != 0.0) return nan_value();  // odd order: I_v(x) < 0
    x = -x;
  }
  if (v < 0.0) {
    if (std::isinf(v)) return nan_value();
    if (is_integer(v)) {
      v = -v;  // I_{-n} = I_n
    } else {
      const double nu = -v;
      const double c = sin_pi(nu);
      if (x == 0.0) return c > 0.0 ? inf_value() : nan_value();  // sign of Gamma(1 - nu) (x/2)^{-nu}
      if (std::isinf(x)) return scaled ? -inf_value() : inf_value();
      return log_iv_reflected(nu, x, scaled);
    }
  }
  if (x == 0.0) return v == 0.0 ? 0.0 : -inf_value();
  if (std::isinf(v)) return std::isinf(x) ? nan_value() : -inf_value();
  if (std::isinf(x)) return scaled ? -inf_value() : inf_value();
  return log_iv_pos(v, x, scaled);
}

// log K_v(x) (scaled = false) or log(K_v(x) e^{x}) (scaled = true); K_{-v} = K_v, NaN for x < 0.
NK_HOST_DEVICE NK_INLINE double log_kv_any(double v, double x, bool scaled) {
  using namespace detail;
  if (std::isnan(v) || std::isnan(x) || x < 0.0) return nan_value();
  v = std::fabs(v);
  if (x == 0.0) return inf_value();
  if (std::isinf(v)) return std::isinf(x) ? nan_value() : inf_value();
  if (std::isinf(x)) return -inf_value();  // K_v(x) ~ sqrt(pi/2x) e^{-x}: both forms tend to -inf
  return log_kv_pos(v, x, scaled);
}

NK_HOST_DEVICE NK_INLINE double log_iv(double v, double x) { return log_iv_any(v, x, false); }
NK_HOST_DEVICE NK_INLINE double log_ive(double v, double x) { return log_iv_any(v, x, true); }
NK_HOST_DEVICE NK_INLINE double log_kv(double v, double x) { return log_kv_any(v, x, false); }
NK_HOST_DEVICE NK_INLINE double log_kve(double v, double x) { return log_kv_any(v, x, true); }

// I_{v+1}(x) / I_v(x). v >= 0: continued fraction or Debye ratio (accurate to a few ulp, never 0/0).
// Integer v < 0: I_{-n+1}/I_{-n} = I_{n-1}/I_n. Non-integer v < 0: from the signed reflected logs (absolute
// accuracy ~ eps * |log I|). x < 0: integer v only (odd/even parity gives a sign flip), else NaN.
NK_HOST_DEVICE NK_INLINE double iv_ratio(double v, double x) {
  using namespace detail;
  if (std::isnan(v) || std::isnan(x)) return nan_value();
  double sign = 1.0;
  if (x < 0.0) {
    if (std::isinf(v) || !is_integer(v)) return nan_value();
    x = -x;
    sign = -1.0;  // (-1)^{v+1} / (-1)^v
  }
  if (std::isinf(v)) return v > 0.0 && !std::isinf(x) ? 0.0 : nan_value();
  if (v < 0.0 && is_integer(v)) {
    if (x == 0.0) return sign * inf_value();
    if (std::isinf(x)) return sign;
    const double r = iv_ratio_pos(-v - 1.0, x);
    return r < 5.6e-309 ? sign * inf_value() : sign / r;  // 2n/x beyond the double range: inf, no FP flag
  }
  if (x == 0.0) return 0.0 * sign;
  if (std::isinf(x)) return sign;
  if (v >= 0.0) return sign * iv_ratio_pos(v, x);
  // Non-integer v < 0: I_{v+1} / I_v from signed logs of the reflected functions.
  double s1, s0;
  const double l1 = signed_log_ive(v + 1.0, x, &s1);
  const double l0 = signed_log_ive(v, x, &s0);
  return sign * s1 * s0 * std::exp(l1 - l0);
}

}  // namespace numkern::special
