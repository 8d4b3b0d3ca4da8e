// numkern/special/log_bessel_batch.hpp: block evaluation of log I_v(x), log K_v(x) and their scaled forms for
// the CPU ufunc loops, classified by region and run as tight loops that the compiler vectorises.
//
// A block of up to kBlock elements is classified first (branch-free vectorised passes give each element a class
// code, then one scalar pass appends its index to that class's list): elements in the Debye region (s = hypot(v, x) >= 23.5,
// v >= 0 (|v| for K), 0 < x, v, x < 1e150, v < 1e300 x) are sorted into lists by the number of Debye terms
// they need (bins with a compile-time term count: s >= 2100, 310, 84, 39, 23.5 -> 5, 7, 10, 14, 21 terms, each at
// least what debye_terms(s) asks for) and by the region of x/v (below, in or above the band of debye_band_core,
// each with its own form of v eta: a log, the band polynomial, or the atanh series without a log); each list is
// gathered, evaluated by one branch-free `#pragma omp simd` loop and scattered back. A block whose elements all
// lie in one region is evaluated in place instead (no lists, no gather or scatter), each element with its own
// term count (debye_u_sum_lanes: the same bits as its bin's loop). K with s < 23.5 goes to
// k_small_loop for x >= 0.25 (fixed-node quadrature for K_mu, K_{mu+1}, five bins of x) or k_temme_loop for
// 1e-10 <= x < 0.25 (Temme's series with a fixed number of terms), both followed by a double-double recurrence;
// I with s < 23.5 and x >= 1e-100 to i_series_loop (the power series with a fixed number of terms per bin of x,
// lgamma and logs in double-double). Every other element (tinier x, negative order, special values) is returned
// to the caller in `rest`, which
// evaluates it with the scalar kernels of log_bessel.hpp. The formulas are those of log_bessel_debye (same
// band polynomial, same Debye coefficients); the logarithm is fast_log below (vectorisable, < 1 ulp) instead of
// libm's, so results may differ from the scalar kernels in the last bits (both within the accuracy budget).
// Each element's value depends on its (v, x) only: not on the block, its position, or the thread count.
//
// Instruction sets: a translation unit defines NK_BATCH_NS (a namespace name of its own) and includes this
// header with its own -m flags (baseline x86-64, AVX2 + FMA, AVX-512); the binding picks one at import by cpuid.
// Everything the loops call is inlined into them (flatten), so no out-of-line copy of a shared inline function
// compiled for a newer instruction set can be picked by the linker for the baseline code. FMA is used where the
// target has it (`__FMA__`) through exact_prod (the same bits either way) and madd in the polynomials (so the
// baseline variant may differ in the last bit); the TUs are compiled with -ffp-contract=off, so the vector body
// and the scalar remainder agree bit for bit.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "numkern/special/k_quadrature_nodes.hpp"
#include "numkern/special/log_bessel.hpp"

namespace numkern::special::batch {

// Function ids of the block kernels.
enum : int { kLogIv = 0, kLogIve = 1, kLogKv = 2, kLogKve = 3 };
constexpr int kBlock = 512;

// Evaluates function `fn` on v[0..n), x[0..n) (n <= kBlock) into out for the elements of the vectorised
// regions; writes the indices of the other elements to rest and returns their count.
using BlockFunction = int (*)(int fn, const double* v, const double* x, double* out, int n, int* rest);

// The compiled variants (cpp/bindings/special/batch_*.cpp; avx2 and avx512 on x86-64 only).
namespace baseline { int log_bessel_block(int fn, const double* v, const double* x, double* out, int n, int* rest); }
namespace avx2 { int log_bessel_block(int fn, const double* v, const double* x, double* out, int n, int* rest); }
namespace avx512 { int log_bessel_block(int fn, const double* v, const double* x, double* out, int n, int* rest); }

}  // namespace numkern::special::batch

#if defined(NK_BATCH_NS)
#if defined(__GNUC__)
#define NK_BATCH_FLATTEN __attribute__((flatten))
#else
#define NK_BATCH_FLATTEN
#endif

namespace numkern::special::batch::NK_BATCH_NS {
namespace {

using numkern::special::detail::madd;

using numkern::special::detail::atanh_series;
using numkern::special::detail::fast_log;
using numkern::special::detail::fast_log_dd;
using numkern::special::detail::from_bits;
using numkern::special::detail::kLn2Hi;
using numkern::special::detail::kLn2Lo;
using numkern::special::detail::to_bits;

// exp(a), < 1 ulp, for a <= 709; 0 for a < -708 (only used for terms far below a sum). a = n log 2 + r,
// |r| <= 0.35, n rounded through the 1.5 * 2^52 bias (vectorisable), e^r by its Taylor polynomial of degree 13
// (truncation < 5e-18), 2^n from the bits.
inline double fast_exp(double a) {
  constexpr double log2e = 1.4426950408889634, bias = 6755399441055744.0;
  const double ac = a < -708.0 ? -708.0 : (a > 709.0 ? 709.0 : a);
  const double biased = ac * log2e + bias;
  const double nd = biased - bias;
  const double r = (ac - nd * kLn2Hi) - nd * kLn2Lo;
  const double p = madd(r, madd(r, madd(r, madd(r, madd(r, madd(r, madd(r, madd(r, madd(r, madd(r, madd(r,
      madd(r, madd(r, 1.6059043836821613e-10, 2.08767569878681e-09), 2.505210838544172e-08),
      2.755731922398589e-07), 2.7557319223985893e-06), 2.48015873015873e-05), 0.0001984126984126984),
      0.001388888888888889), 0.008333333333333333), 0.041666666666666664), 0.16666666666666666), 0.5),
      1.0), 1.0);
  const std::uint64_t n = to_bits(biased) - to_bits(bias);  // two's complement n, |n| <= 1023
  const double scale = from_bits((n + 1023) << 52);
  return a < -708.0 ? 0.0 : p * scale;
}

// Steps 3-4 of the small-argument K (log_kv_fixed), for k_small_loop and k_temme_loop: from r_0 = K_{mu+1}/K_mu
// (r_hi + r_lo) and K0 = k_hi + k_lo (K_mu e^x if KmuScaled, else K_mu, either in [0.1875, 2^1000)), the forward
// recurrence r_k = 2(mu+k)/x + 1/r_{k-1} for k < n and P = r_0 ... r_{n-1} = K_v/K_mu in double-double, then
// log K_v (+ x when Scaled) = log K0 + log P (-+ x), each log as hi + lo. Overwrites r_hi, r_lo (with r_{n_max-1}).
template <bool Scaled, bool KmuScaled>
void k_recurrence_and_log(const double* __restrict mu, const double* __restrict nd, double n_max,
                          const double* __restrict x, double* __restrict r_hi, double* __restrict r_lo,
                          const double* __restrict k_hi, const double* __restrict k_lo, double* __restrict out,
                          int m) {
  using namespace numkern::special::detail;
  double p_hi[kBlock], p_lo[kBlock], ix_hi[kBlock], ix_lo[kBlock];
#pragma omp simd
  for (int j = 0; j < m; ++j) {
    p_hi[j] = nd[j] >= 1.0 ? r_hi[j] : 1.0;
    p_lo[j] = nd[j] >= 1.0 ? r_lo[j] : 0.0;
    const DoubleDouble ix = dd_reciprocal(x[j]);
    ix_hi[j] = ix.hi;
    ix_lo[j] = ix.lo;
  }
  for (int k = 1; k < static_cast<int>(n_max); ++k) {
#pragma omp simd
    for (int j = 0; j < m; ++j) {
      const DoubleDouble rn = k_ratio_next(2.0 * (mu[j] + k), ix_hi[j], ix_lo[j], r_hi[j], r_lo[j]);
      // Elements already at k = n multiply P by 1 (their P may be near the top of the range: no overflow). Their
      // r runs on (bounded, < 5e11): were it kept, GCC would load r only for the active lanes (masked loads give
      // 0 elsewhere) and divide by 0 in the others, raising FE_DIVBYZERO for a result that is not used.
      const bool active = k < nd[j];
      const DoubleDouble pn = dd_mul({p_hi[j], p_lo[j]}, active ? rn.hi : 1.0, active ? rn.lo : 0.0);
      r_hi[j] = rn.hi;
      r_lo[j] = rn.lo;
      p_hi[j] = pn.hi;
      p_lo[j] = pn.lo;
    }
  }
#pragma omp simd
  for (int j = 0; j < m; ++j) {
    double l0_lo, lp_lo;
    const double l0 = fast_log_dd(k_hi[j], &l0_lo);
    const double lp = fast_log_dd(p_hi[j], &lp_lo);
    const double small = (l0_lo + k_lo[j] / k_hi[j]) + (lp_lo + p_lo[j] / p_hi[j]);
    const DoubleDouble a = two_sum(l0, lp);
    if constexpr (Scaled == KmuScaled) {
      out[j] = a.hi + (a.lo + small);
    } else {
      const DoubleDouble b = two_sum(a.hi, Scaled ? x[j] : -x[j]);
      out[j] = b.hi + ((a.lo + b.lo) + small);
    }
  }
}

// Small-argument K (log_kv_fixed in log_bessel.hpp, steps 1-4), vectorised: x >= 0.25, hypot(v, x) < 23.5, the
// elements of quadrature bin `bin` (k_quadrature_nodes.hpp: the nodes' cosh t - 1, cosh t, sinh t are tabulated,
// so a node costs two fast_exp). Nodes / recurrence steps outside, elements inside, so the element loops vectorise.
template <bool Scaled>
void k_small_loop(const double* __restrict v, const double* __restrict x, double* __restrict out, int m, int bin) {
  using namespace numkern::special::detail;
  const int nodes = kKQuadNodes[bin];
  const double h = kKQuadStep[bin];
  const double* tk = kKQuadT[bin];
  const double* cm1 = kKQuadCoshM1[bin];
  const double* cosh_t = kKQuadCosh[bin];
  const double* sinh_t = kKQuadSinh[bin];
  double mu[kBlock], nd[kBlock], s0[kBlock], s0_lo[kBlock], s1[kBlock], s1_lo[kBlock];
  double n_max = 0.0;
#pragma omp simd reduction(max : n_max)
  for (int j = 0; j < m; ++j) {
    nd[j] = std::floor(v[j] + 0.5);
    mu[j] = v[j] - nd[j];  // exact
    n_max = nd[j] > n_max ? nd[j] : n_max;
    s0[j] = 0.5;  // the k = 0 node, weight 1/2
    s1[j] = 0.5;
    s0_lo[j] = 0.0;
    s1_lo[j] = 0.0;
  }
  for (int k = 1; k < nodes; ++k) {
    const double t = tk[k], c = cm1[k], ct = cosh_t[k], st = sinh_t[k];
#pragma omp simd
    for (int j = 0; j < m; ++j) {
      double a0, a1;
      k_node_terms(fast_exp(-x[j] * c), fast_exp(mu[j] * t), ct, st, &a0, &a1);
      dd_accumulate(&s0[j], &s0_lo[j], a0);
      dd_accumulate(&s1[j], &s1_lo[j], a1);
    }
  }
  double r_hi[kBlock], r_lo[kBlock], k_hi[kBlock], k_lo[kBlock];
#pragma omp simd
  for (int j = 0; j < m; ++j) {
    const DoubleDouble a = fast_two_sum(s0[j], s0_lo[j]);
    const DoubleDouble b = fast_two_sum(s1[j], s1_lo[j]);
    const DoubleDouble r = dd_quotient(b.hi, b.lo, a.hi, a.lo);  // r_0 = K_{mu+1}/K_mu
    r_hi[j] = r.hi;
    r_lo[j] = r.lo;
    const DoubleDouble k0 = exact_prod(h, a.hi);  // K_mu e^x = h (s0 + s0_lo), in [0.25, 2.6]
    k_hi[j] = k0.hi;
    k_lo[j] = madd(h, a.lo, k0.lo);
  }
  k_recurrence_and_log<Scaled, true>(mu, nd, n_max, x, r_hi, r_lo, k_hi, k_lo, out, m);
}

// Small-argument K for x in [kKFixedMinX, 0.25), hypot(v, x) < 23.5 (log_kv_fixed, Temme branch), vectorised:
// log(2/x) by fast_log_dd, exp by fast_exp.
template <bool Scaled>
void k_temme_loop(const double* __restrict v, const double* __restrict x, double* __restrict out, int m) {
  using namespace numkern::special::detail;
  double mu[kBlock], nd[kBlock], ff[kBlock], p[kBlock], q[kBlock], c[kBlock];
  double s0[kBlock], s0_lo[kBlock], s1[kBlock], s1_lo[kBlock];
  double n_max = 0.0;
#pragma omp simd reduction(max : n_max)
  for (int j = 0; j < m; ++j) {
    nd[j] = std::floor(v[j] + 0.5);
    const double mj = v[j] - nd[j];  // exact
    mu[j] = mj;
    n_max = nd[j] > n_max ? nd[j] : n_max;
    double d_lo;
    const double d_hi = fast_log_dd<40>(0.5 * x[j], &d_lo);
    const double d = -(d_hi + d_lo);  // log(2/x)
    double f0, p0, q0;
    temme_start(mj, d, fast_exp(mj * d), &f0, &p0, &q0);
    ff[j] = f0;
    p[j] = p0;
    q[j] = q0;
    c[j] = 1.0;
    s0[j] = f0;
    s1[j] = p0;
    s0_lo[j] = 0.0;
    s1_lo[j] = 0.0;
  }
  for (int i = 1; i < kTemmeTerms; ++i) {
    const double di = i;
#pragma omp simd
    for (int j = 0; j < m; ++j) {
      const double h = 0.5 * x[j];
      double t0, t1;
      temme_term(di, mu[j], h * h, &ff[j], &p[j], &q[j], &c[j], &t0, &t1);
      dd_accumulate(&s0[j], &s0_lo[j], t0);
      dd_accumulate(&s1[j], &s1_lo[j], t1);
    }
  }
  double r_hi[kBlock], r_lo[kBlock], k_hi[kBlock], k_lo[kBlock];
#pragma omp simd
  for (int j = 0; j < m; ++j) {
    const DoubleDouble a = fast_two_sum(s0[j], s0_lo[j]);  // K_mu
    const DoubleDouble b = fast_two_sum(s1[j], s1_lo[j]);
    const DoubleDouble rho = dd_quotient(b.hi, b.lo, a.hi, a.lo);  // (x/2) K_{mu+1}/K_mu
    // r_0 = rho / (x/2), x/2 exact
    const DoubleDouble r = dd_quotient(rho.hi, rho.lo, 0.5 * x[j], 0.0);
    r_hi[j] = r.hi;
    r_lo[j] = r.lo;
    k_hi[j] = a.hi;
    k_lo[j] = a.lo;
  }
  k_recurrence_and_log<Scaled, false>(mu, nd, n_max, x, r_hi, r_lo, k_hi, k_lo, out, m);
}

// log Gamma(z) = hi + lo for z = z_hi + z_lo in [1, 25]: Stirling's series at w = z + m >= 8 (m = 0..7, w and
// the shift product z (z+1) ... (z+m-1) in double-double), lgamma(z) = (w - 1/2) log w - w + log(2 pi)/2 +
// omega(w) - log(product). Absolute error ~eps/10 (the I series needs it absolute: log I_v(x) ~ 0 can be a
// difference v log(x/2) - lgamma(v+1) of terms up to ~50).
inline numkern::special::detail::DoubleDouble lgamma_dd(double z_hi, double z_lo) {
  using namespace numkern::special::detail;
  double pr_hi = 1.0, pr_lo = 0.0, w_hi = z_hi, w_lo = z_lo;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 7
#endif
  for (int k = 0; k < 7; ++k) {  // unrolled, so that the element loop calling this vectorises
    const bool shift = w_hi < 8.0;
    const DoubleDouble pn = dd_mul({pr_hi, pr_lo}, shift ? w_hi : 1.0, shift ? w_lo : 0.0);
    const DoubleDouble w1 = two_sum(w_hi, 1.0);
    const DoubleDouble wn = fast_two_sum(w1.hi, w1.lo + w_lo);
    pr_hi = pn.hi;
    pr_lo = pn.lo;
    w_hi = shift ? wn.hi : w_hi;
    w_lo = shift ? wn.lo : w_lo;
  }
  double lw_lo, lp_lo;
  const double lw = fast_log_dd(w_hi, &lw_lo);
  lw_lo += w_lo / w_hi;
  const double lp = fast_log_dd(pr_hi, &lp_lo);
  lp_lo += pr_lo / pr_hi;
  const DoubleDouble wm = two_sum(w_hi, -0.5);  // w - 1/2, exact with wm.lo + w_lo
  const DoubleDouble t = exact_prod(wm.hi, lw);
  const double t_lo = t.lo + (wm.hi * lw_lo + (wm.lo + w_lo) * lw);
  const DoubleDouble a = two_sum(t.hi, -w_hi);
  const DoubleDouble b = two_sum(a.hi, kHalfLog2Pi);
  const DoubleDouble c = two_sum(b.hi, -lp);
  const double lo = ((t_lo + a.lo) - w_lo) + (b.lo + kHalfLog2PiLo) + stirling_omega(w_hi) + (c.lo - lp_lo);
  return fast_two_sum(c.hi, lo);
}

// The power series of I (log_iv_series: log I_v(x) = v log(x/2) - lgamma(v+1) + log1p(sum_k t_k),
// t_k = t_{k-1} (x/2)^2 / (k (k + v))) for v >= 0, kISeriesMinX <= x, hypot(v, x) < 23.5, with Terms terms
// (enough for every v at the bin's largest x: the first omitted term is below 2^-62 of the sum), the three logs
// as hi + lo and summed without intermediate rounding (they cancel where I_v(x) ~ 1). Scaled: minus x, exact in
// the same sum (log I_v(x) - x = O(1) at x up to 23.5: the series' relative error ~2 eps stays absolute, measured
// <= 2.7 ulp against mpmath, where the scalar kernels use Steed's CF2 and the Wronskian).
constexpr double kISeriesMinX = 1e-100;
constexpr int kISeriesBins = 4;
constexpr double kISeriesXHi[kISeriesBins] = {2.0, 8.0, 16.0, 23.5};

template <bool Scaled, int Terms>
void i_series_loop(const double* __restrict v, const double* __restrict x, double* __restrict out, int m) {
  using namespace numkern::special::detail;
  // 1 + sum_{k=1..Terms} t_k by Horner from the last term, S_k = 1 + ((x/2)^2 / d_k) S_{k+1}, d_k = k (k + v),
  // kept as a fraction S_k = A_k / B_k (A_k = d_k B_{k+1} + (x/2)^2 A_{k+1}, B_k = d_k B_{k+1}) so that no term
  // needs a division (B < 1e113 here); (x/2)^2 enters as its exact hi + lo. Then sum_k t_k = S_1 - 1 =
  // (x/2)^2 A_2 / (d_1 B_2), without cancellation.
  double num[kBlock], den[kBlock], h2[kBlock], h2_lo[kBlock], rest[kBlock];
#pragma omp simd
  for (int j = 0; j < m; ++j) {
    const double h = 0.5 * x[j];
    const DoubleDouble hh = exact_prod(h, h);
    h2[j] = hh.hi;
    h2_lo[j] = hh.lo;
    num[j] = 1.0;
    den[j] = 1.0;
  }
  for (int k = Terms; k >= 2; --k) {
    const double dk = k;
#pragma omp simd
    for (int j = 0; j < m; ++j) {
      const double d = dk * (dk + v[j]);
      const double db = d * den[j];
      num[j] = madd(h2[j], num[j], madd(h2_lo[j], num[j], db));
      den[j] = db;
    }
  }
#pragma omp simd
  for (int j = 0; j < m; ++j) rest[j] = madd(h2[j], num[j], h2_lo[j] * num[j]) / ((1.0 + v[j]) * den[j]);
#pragma omp simd
  for (int j = 0; j < m; ++j) {
    const double vj = v[j], xj = x[j];
    double lh_lo, l1_lo;
    const double lh = fast_log_dd<400>(0.5 * xj, &lh_lo);  // log(x/2), x/2 >= 5e-101
    const DoubleDouble vl = exact_prod(vj, lh);             // v log(x/2)
    const double vl_lo = madd(vj, lh_lo, vl.lo);
    const DoubleDouble z = two_sum(vj, 1.0);
    const DoubleDouble lg = lgamma_dd(z.hi, z.lo);
    const double u = 1.0 + rest[j];
    const double l1 = fast_log_dd(u, &l1_lo);  // log1p(rest) = log(u) + (rest - (u - 1))/u
    l1_lo += (rest[j] - (u - 1.0)) / u;
    const DoubleDouble a = two_sum(vl.hi, -lg.hi);
    const DoubleDouble b = two_sum(a.hi, l1);
    const double lo = (vl_lo - lg.lo) + (a.lo + b.lo) + l1_lo;
    if constexpr (Scaled) {
      const DoubleDouble c = two_sum(b.hi, -xj);
      out[j] = c.hi + (lo + c.lo);
    } else {
      out[j] = b.hi + lo;
    }
  }
}

// The Debye forms (see log_bessel_debye) for elements known to be in the region, N Debye terms, by the region of
// z = x/v: kLow (x < kBandLo v), kBand (x/v in [kBandLo, kBandHi], debye_band_core), kHigh (x > kBandHi v). Each
// list holds one region only, so each loop computes one form of v eta (no discarded divisions).
enum : int { kLow = 0, kBand = 1, kHigh = 2, kRegions = 3 };

// x < kBandLo v: v asinh(v/x) = v log((v + s)/x) (argument > 1 + sqrt 2); s, or s - x = v^2/(s + x).
template <bool Scaled>
inline double core_low(double v, double x, double s, double t, double* lo) {
  const double base = Scaled ? v * (t * v / (1.0 + x * t)) : s;
  *lo = 0.0;
  return base - v * fast_log((v + s) / x, 0.0);
}

template <bool KindI, bool Scaled, int Region, int NMax, bool PerElement>
void debye_loop_body(const double* __restrict v, const double* __restrict x, const double* __restrict nterms,
                     double* __restrict out, int n) {
  using namespace numkern::special::detail;
#pragma omp simd
  for (int j = 0; j < n; ++j) {
    const double vj = v[j], xj = x[j];
    const double s = std::sqrt(vj * vj + xj * xj);
    const double t = 1.0 / s;
    const double p = vj * t;
    const double q = p * p;
    double core, core_lo, s_lo = 0.0;  // s_lo: hypot(v, x) - s where known (above the band)
    if constexpr (Region == kBand) {
      core = debye_core_band(vj, xj, Scaled, &core_lo);
    } else if constexpr (Region == kHigh) {
      core = debye_core_high(vj, xj, s, t, Scaled, &core_lo, &s_lo);
    } else {
      core = core_low<Scaled>(vj, xj, s, t, &core_lo);
    }
    const double tail = debye_u_sum_lanes<NMax>(q, KindI ? t : -t, PerElement ? nterms[j] : double{NMax});
    double log_s_lo;
    const double log_s = fast_log_dd(s, &log_s_lo);
    out[j] = debye_sum(core, core_lo, log_s, log_s_lo, s_lo, t, debye_log1p_tail(tail), KindI);
  }
}

// nterms: the term count of each element (<= NMax), or nullptr: NMax for every element.
template <bool KindI, bool Scaled, int Region, int NMax>
void debye_loop(const double* __restrict v, const double* __restrict x, const double* __restrict nterms,
                double* __restrict out, int n) {
  if (nterms == nullptr) {
    debye_loop_body<KindI, Scaled, Region, NMax, false>(v, x, nterms, out, n);
  } else {
    debye_loop_body<KindI, Scaled, Region, NMax, true>(v, x, nterms, out, n);
  }
}

// The Debye term counts of the bins of s = hypot(v, x) (each at least what debye_terms(s) asks for in its bin):
// s >= 2100, 310, 84, 39, 23.5 -> 5, 7, 10, 14, 21 terms.
constexpr int kDebyeBins = 5;
constexpr double kDebyeBinS[kDebyeBins - 1] = {2100.0, 310.0, 84.0, 39.0};
constexpr double kDebyeBinTerms[kDebyeBins] = {5.0, 7.0, 10.0, 14.0, 21.0};

// The Debye loop of region Region for m elements whose largest term count is n_max (one of kDebyeBinTerms).
template <bool KindI, bool Scaled, int Region>
void debye_dispatch(const double* v, const double* x, const double* nterms, double* out, int m, double n_max) {
  if (n_max <= 5.0) {
    debye_loop<KindI, Scaled, Region, 5>(v, x, nterms, out, m);
  } else if (n_max <= 7.0) {
    debye_loop<KindI, Scaled, Region, 7>(v, x, nterms, out, m);
  } else if (n_max <= 10.0) {
    debye_loop<KindI, Scaled, Region, 10>(v, x, nterms, out, m);
  } else if (n_max <= 14.0) {
    debye_loop<KindI, Scaled, Region, 14>(v, x, nterms, out, m);
  } else {
    debye_loop<KindI, Scaled, Region, 21>(v, x, nterms, out, m);
  }
}

// One region's list of a block: its m elements (indices idx) gathered from v, x into the contiguous vb, xb,
// evaluated by loop(vb, xb, ob, m), and ob scattered back into out.
template <class Loop>
void run_list(const double* v, const double* x, double* out, const std::int16_t* idx, int m, double* vb,
              double* xb, double* ob, Loop loop) {
  if (m == 0) return;
  for (int j = 0; j < m; ++j) {
    vb[j] = v[idx[j]];
    xb[j] = x[idx[j]];
  }
  loop(vb, xb, ob, m);
  for (int j = 0; j < m; ++j) out[idx[j]] = ob[j];
}

// Classes of a block's elements (the index of the list each goes to): kRegions bin + region (kLow, kBand, kHigh)
// for the Debye elements (bin: of s, kDebyeBinS), then kSmallCode + bin for the I series bins (I) or the K quadrature bins (K), kTemmeCode for the K Temme series,
// kRestCode for the scalar kernels.
constexpr int kSmallCode = kRegions * kDebyeBins;
constexpr int kTemmeCode = kSmallCode + numkern::special::detail::kKQuadBins;
constexpr int kRestCode = kTemmeCode + 1;
constexpr int kCodes = kRestCode + 1;
static_assert(kSmallCode + kISeriesBins <= kTemmeCode, "I series bins overlap the Temme code");

template <bool KindI, bool Scaled>
int block(const double* v_in, const double* x_in, double* out, int n, int* rest) {
  using numkern::special::detail::kBandHi;
  using numkern::special::detail::kBandLo;
  using numkern::special::detail::kKQuadBins;
  using numkern::special::detail::kKQuadXLo;
  // The orders and arguments the loops see: K_{-v} = K_v; I_{-n} = I_n and I_n(-x) = I_n(x) for even n (the
  // same symmetries as the scalar kernels, so that mirrored inputs give the same bits).
  double v[kBlock], x[kBlock];
  std::int64_t code[kBlock];
  // Classification without branches, so that it vectorises, in two passes. First NaN and inf are replaced by
  // harmless values (v = 0, x = 1/2) and marked for the scalar kernels, on the bits only: an ordered comparison
  // with NaN would raise FE_INVALID, and GCC may evaluate a comparison of a select as a select of comparisons
  // (no trapping math), so the sanitised values go through memory before any floating-point comparison.
#pragma omp simd
  for (int i = 0; i < n; ++i) {
    constexpr std::uint64_t abs_mask = 0x7fffffffffffffffULL, inf_bits = 0x7ff0000000000000ULL;
    const std::uint64_t vbits = to_bits(v_in[i]), xbits = to_bits(x_in[i]);
    const std::uint64_t va = vbits & abs_mask, xa = xbits & abs_mask;
    const bool bad = (va > xa ? va : xa) >= inf_bits;
    v[i] = from_bits(bad ? std::uint64_t{0} : vbits);
    x[i] = from_bits(bad ? std::uint64_t{0x3fe0000000000000ULL} : xbits);
    code[i] = bad ? std::int64_t{kRestCode} : std::int64_t{0};
  }
#pragma omp simd
  for (int i = 0; i < n; ++i) {
    double vi = v[i], xi = x[i];
    if constexpr (KindI) {
      vi = std::floor(vi) == vi ? std::fabs(vi) : vi;  // (-0 becomes +0: the same values on every path)
      const double half = 0.5 * vi;                     // exact for integers; even: fmod(vi, 2) == 0
      xi = std::floor(half) == half ? std::fabs(xi) : xi;
    } else {
      vi = std::fabs(vi);
    }
    const double s2 = vi * vi + xi * xi;
    v[i] = vi;
    x[i] = xi;
    // Integer codes by one comparison per select (GCC 12 vectorises no select on a combination of comparisons
    // here), 64 bits wide like the double lanes.
    const bool small = s2 < 23.5 * 23.5;
    std::int64_t other = (s2 < kDebyeBinS[0] * kDebyeBinS[0] ? kRegions : 0) +
                         (s2 < kDebyeBinS[1] * kDebyeBinS[1] ? kRegions : 0) +
                         (s2 < kDebyeBinS[2] * kDebyeBinS[2] ? kRegions : 0) +
                         (s2 < kDebyeBinS[3] * kDebyeBinS[3] ? kRegions : 0) +
                         (xi >= kBandLo * vi ? kBand : kLow) + (xi > kBandHi * vi ? kHigh - kBand : 0);
    other = vi >= 0.0 ? other : kRestCode;  // the Debye loops: 0 <= v, 0 < x, v, x < 1e150, v < 1e300 x
    other = xi > 0.0 ? other : kRestCode;
    other = vi < 1e150 ? other : kRestCode;
    other = xi < 1e150 ? other : kRestCode;
    other = vi < xi * 1e300 ? other : kRestCode;
    other = small ? kRestCode : other;  // and s >= 23.5
    std::int64_t c;
    if constexpr (KindI) {  // the I series: v >= 0, x >= kISeriesMinX
      std::int64_t bin = kSmallCode;
      for (int b = 0; b < kISeriesBins - 1; ++b) bin += xi >= kISeriesXHi[b] ? 1 : 0;
      bin = vi >= 0.0 ? bin : other;
      c = small ? (xi >= kISeriesMinX ? bin : other) : other;
    } else {  // the K quadrature for x >= kKQuadXLo[0], Temme's series for x >= kKFixedMinX
      std::int64_t bin = kSmallCode;
      for (int b = 1; b < kKQuadBins; ++b) bin += xi >= kKQuadXLo[b] ? 1 : 0;
      bin = xi >= kKQuadXLo[0] ? bin : (xi >= numkern::special::detail::kKFixedMinX ? std::int64_t{kTemmeCode} : other);
      c = small ? bin : other;
    }
    code[i] = code[i] == kRestCode ? std::int64_t{kRestCode} : c;
  }
  // A block of Debye elements only that all lie in one region (the common case on arrays of large orders or
  // arguments) is evaluated in place, each element with its own term count: no lists, no gather or scatter.
  std::int64_t code_max = 0;
#pragma omp simd reduction(max : code_max)
  for (int i = 0; i < n; ++i) code_max = code[i] > code_max ? code[i] : code_max;
  if (code_max < kSmallCode) {
    double nterms[kBlock], n_max = 0.0;
    std::int64_t region_min = kRegions, region_max = 0;
#pragma omp simd reduction(max : n_max) reduction(min : region_min) reduction(max : region_max)
    for (int i = 0; i < n; ++i) {
      const double vi = v[i], xi = x[i];
      const double s2 = vi * vi + xi * xi;  // as in the classification
      double terms = kDebyeBinTerms[0];
      for (int b = 0; b < kDebyeBins - 1; ++b) terms = s2 < kDebyeBinS[b] * kDebyeBinS[b] ? kDebyeBinTerms[b + 1] : terms;
      nterms[i] = terms;
      n_max = terms > n_max ? terms : n_max;
      const std::int64_t region = (xi >= kBandLo * vi ? kBand : kLow) + (xi > kBandHi * vi ? kHigh - kBand : 0);
      region_min = region < region_min ? region : region_min;
      region_max = region > region_max ? region : region_max;
    }
    if (region_min == region_max) {
      switch (region_max) {
        case kLow: debye_dispatch<KindI, Scaled, kLow>(v, x, nterms, out, n, n_max); break;
        case kBand: debye_dispatch<KindI, Scaled, kBand>(v, x, nterms, out, n, n_max); break;
        default: debye_dispatch<KindI, Scaled, kHigh>(v, x, nterms, out, n, n_max); break;
      }
      return 0;
    }
  }
  // The lists: even and odd elements into two sets with their own counters (two independent store-to-load chains
  // through the counters instead of one), then the odd set appended to the even one. The order within a list does
  // not change any value.
  std::int16_t lists[kCodes][kBlock], odd[kCodes][kBlock / 2];
  int counts[kCodes] = {}, odd_counts[kCodes] = {};
  int i = 0;
  for (; i + 1 < n; i += 2) {
    const int c0 = static_cast<int>(code[i]), c1 = static_cast<int>(code[i + 1]);
    lists[c0][counts[c0]++] = static_cast<std::int16_t>(i);
    odd[c1][odd_counts[c1]++] = static_cast<std::int16_t>(i + 1);
  }
  if (i < n) {
    const int c = static_cast<int>(code[i]);
    lists[c][counts[c]++] = static_cast<std::int16_t>(i);
  }
  for (int c = 0; c < kCodes; ++c) {
    for (int j = 0; j < odd_counts[c]; ++j) lists[c][counts[c] + j] = odd[c][j];
    counts[c] += odd_counts[c];
  }
  const int n_rest = counts[kRestCode];
  for (int j = 0; j < n_rest; ++j) rest[j] = lists[kRestCode][j];
  // The Debye lists, one per region and bin of s (one term count each, so no element pays for more terms).
  double vb[kBlock], xb[kBlock], ob[kBlock];
  for (int list = 0; list < kSmallCode; ++list) {
    const std::int16_t* idx = lists[list];
    const int m = counts[list];
    if (m == 0) continue;
    for (int j = 0; j < m; ++j) {
      vb[j] = v[idx[j]];
      xb[j] = x[idx[j]];
    }
    const double terms = kDebyeBinTerms[list / kRegions];
    switch (list % kRegions) {
      case kLow: debye_dispatch<KindI, Scaled, kLow>(vb, xb, nullptr, ob, m, terms); break;
      case kBand: debye_dispatch<KindI, Scaled, kBand>(vb, xb, nullptr, ob, m, terms); break;
      default: debye_dispatch<KindI, Scaled, kHigh>(vb, xb, nullptr, ob, m, terms); break;
    }
    for (int j = 0; j < m; ++j) out[idx[j]] = ob[j];
  }
  if constexpr (KindI) {
    for (int bin = 0; bin < kISeriesBins; ++bin) {
      run_list(v, x, out, lists[kSmallCode + bin], counts[kSmallCode + bin], vb, xb, ob,
               [bin](const double* a, const double* b, double* o, int m) {
                 switch (bin) {  // terms for x up to kISeriesXHi[bin]: 13, 23, 32, 40 needed
                   case 0: i_series_loop<Scaled, 14>(a, b, o, m); break;
                   case 1: i_series_loop<Scaled, 24>(a, b, o, m); break;
                   case 2: i_series_loop<Scaled, 33>(a, b, o, m); break;
                   default: i_series_loop<Scaled, 41>(a, b, o, m); break;
                 }
               });
    }
  } else {
    for (int bin = 0; bin < kKQuadBins; ++bin) {
      run_list(v, x, out, lists[kSmallCode + bin], counts[kSmallCode + bin], vb, xb, ob,
               [bin](const double* a, const double* b, double* o, int m) { k_small_loop<Scaled>(a, b, o, m, bin); });
    }
    run_list(v, x, out, lists[kTemmeCode], counts[kTemmeCode], vb, xb, ob,
             [](const double* a, const double* b, double* o, int m) { k_temme_loop<Scaled>(a, b, o, m); });
  }
  return n_rest;
}

}  // namespace

NK_BATCH_FLATTEN int log_bessel_block(int fn, const double* v, const double* x, double* out, int n, int* rest) {
  switch (fn) {
    case kLogIv: return block<true, false>(v, x, out, n, rest);
    case kLogIve: return block<true, true>(v, x, out, n, rest);
    case kLogKv: return block<false, false>(v, x, out, n, rest);
    default: return block<false, true>(v, x, out, n, rest);
  }
}

}  // namespace numkern::special::batch::NK_BATCH_NS
#endif  // NK_BATCH_NS
