// numkern/integrate/bayes_quad.hpp: Bayesian quadrature in O(N) through the state-space form of the prior.
//
// Prior f ~ GP(0, sigma^2 k). For a half-integer Matern kernel, nu = p + 1/2, c = sqrt(2 nu) / lengthscale,
//   k(r) = exp(-c r) sum_{j<=p} a_j (c r)^j,
// f is the first component of the linear SDE  ds = F s dt + e_p dW  (spectral density q) with state
// s = (f, f', ..., f^(p)) and F the companion matrix of (D + c)^(p+1)  [Hartikainen & Sarkka 2010; Sarkka &
// Solin, "Applied SDEs", ch. 12].  Augmenting the state with the running integral I(t) = int_a^t f gives the
// linear system  z = (I, s),  dI = f dt.  The BQ posterior of I(b) given noise-free samples f(x_i) is then a
// Kalman filter with exact discretisation over each gap h:
//   Phi(h) = expm(F_a h),     Q(h) = q int_0^h u(s) u(s)^T ds,   u(s) = Phi(s) e_last (impulse response).
// Closed forms used (no matrix exponential, no cancellation for small h):
//   * F + cI is nilpotent, so Phi_ss(h) = exp(-c h) sum_{m<=p} (F + cI)^m h^m / m!  (finite sum);
//   * the integral row: Phi_I,k(h) = sum_m [(F+cI)^m]_{0k} / m! * gamma(m+1, c h) / c^(m+1), and
//     u_I(s) = gamma(p+1, c s) / (c^(p+1) p!), with the lower incomplete gamma function evaluated by its
//     positive series (relative accuracy for every argument);
//   * Q(h) by Gauss-Legendre on panels of width <= 1/(2c) (integrand = exp(-2cs) * polynomial), with the
//     exact tail for very long gaps.
// q is chosen so that the stationary covariance has k(0) = 1 (sigma^2 is applied by the caller).
// The Wiener kernel  k(s,t) = 1 + min(s-a, t-a)  is the same construction with s = f, F = 0, q = 1, and gives
// the trapezoid weights exactly.
//
// Weights: the filtered mean is linear in y, m_k = A_k Phi_k m_{k-1} + K_k y_k (A_k = I - K_k e_f^T), and
// E[I(b)] = e_I^T Phi_end m_N, so w_k = lambda_k . K_k with the adjoint recursion
// lambda_{k-1} = Phi_k^T A_k^T lambda_k.  The variance is the (I, I) entry of the filtered covariance, a sum of
// non-negative increments computed in covariance form (no K^-1 z cancellation), clamped at 0 against rounding.
// The innovations v_k = y_k - E[f(x_k) | y_<k], S_k give the log marginal likelihood in O(N).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "numkern/config.hpp"
#include "numkern/interrupt.hpp"

namespace numkern {
namespace integrate {

// Working precision of the state-space recursions: the noise-free updates cancel a prior variance of order
// c^(2p) down to the steady-state posterior variance, so the extra bits of x87 long double (where available)
// buy several digits of weight accuracy at small cost (the recursion is O(N) scalar work anyway).
using Real = long double;

constexpr int kMaxMaternOrder = 10;  // nu up to 10.5
constexpr int kMaxState = kMaxMaternOrder + 3;

// Lower incomplete gamma function gamma(n, x) for integer n >= 1 and x >= 0.
inline Real lower_gamma_int(int n, Real x) {
  if (x <= 0.0) return 0.0;
  Real fact = 1.0;  // (n-1)!
  for (int i = 2; i < n; ++i) fact *= i;
  if (x > n + 40.0) {
    // gamma(n, x) = (n-1)! [1 - exp(-x) sum_{i<n} x^i / i!]; the subtracted part is tiny here.
    Real term = 1.0, sum = 1.0;
    for (int i = 1; i < n; ++i) {
      term *= x / i;
      sum += term;
    }
    return fact * (1.0 - std::exp(-x) * sum);
  }
  // gamma(n, x) = x^n exp(-x) sum_k x^k / (n (n+1) ... (n+k)): positive terms.
  Real term = Real(1) / n, sum = term;
  for (int k = 1; k < 1000; ++k) {
    term *= x / (n + k);
    sum += term;
    if (term < Real(1e-20) * sum) break;
  }
  Real xn = x;
  for (int i = 1; i < n; ++i) xn *= x;
  return xn * std::exp(-x) * sum;
}

// 12-point Gauss-Legendre rule on [-1, 1] in working precision (Newton on P_12, computed once).
struct GaussLegendre12 {
  Real x[12];
  Real w[12];
};
inline const GaussLegendre12& gauss_legendre12() {
  static const GaussLegendre12 rule = [] {
    GaussLegendre12 r{};
    const int n = 12;
    const Real pi = 3.141592653589793238462643383279502884L;
    for (int i = 0; i < n; ++i) {
      Real t = std::cos(pi * (i + 0.75L) / (n + 0.5L));
      Real dp = 1.0;
      for (int it = 0; it < 100; ++it) {
        Real p0 = 1.0, p1 = t;
        for (int k = 2; k <= n; ++k) {
          const Real p2 = ((2 * k - 1) * t * p1 - (k - 1) * p0) / k;
          p0 = p1;
          p1 = p2;
        }
        dp = n * (t * p1 - p0) / (t * t - 1);
        const Real dt = p1 / dp;
        t -= dt;
        if (std::fabs(dt) < 1e-19L) break;
      }
      r.x[i] = t;
      r.w[i] = 2 / ((1 - t * t) * dp * dp);
    }
    return r;
  }();
  return rule;
}

// The prior: a half-integer Matern kernel nu = p + 1/2 (lengthscale > 0) or the Wiener kernel.
enum class Prior : int { matern = 0, wiener = 1 };

// Exact discretisation of the augmented (integral + state) system of one kernel.
class StateSpaceKernel {
 public:
  StateSpaceKernel(Prior kind, int p, Real lengthscale) : kind_(kind), p_(p) {
    if (kind_ == Prior::wiener) {
      dim_ = 2;
      q_ = 1.0;
      return;
    }
    dim_ = p_ + 2;
    c_ = std::sqrt(2.0 * p_ + 1.0) / lengthscale;
    const int n = p_ + 1;
    // F + cI with F the companion matrix of (D + c)^(p+1).
    std::vector<Real> Nm(n * n, 0.0);
    for (int i = 0; i + 1 < n; ++i) {
      Nm[i * n + i + 1] = 1.0;
      Nm[i * n + i] = c_;
    }
    Real binom = 1.0;  // binom(p+1, k)
    for (int k = 0; k < n; ++k) {
      Nm[(n - 1) * n + k] += -binom * std::pow(c_, n - k);
      binom = binom * (n - k) / (k + 1);
    }
    Nm[(n - 1) * n + (n - 1)] += c_;
    npow_.assign(n * n * n, 0.0);  // npow_[m][i][j] / m!
    std::vector<Real> cur(n * n, 0.0), nxt(n * n);
    for (int i = 0; i < n; ++i) cur[i * n + i] = 1.0;
    Real mfact = 1.0;
    for (int m = 0; m < n; ++m) {
      if (m > 0) mfact *= m;
      for (int i = 0; i < n * n; ++i) npow_[m * n * n + i] = cur[i] / mfact;
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
          Real s = 0.0;
          for (int k = 0; k < n; ++k) s += cur[i * n + k] * Nm[k * n + j];
          nxt[i * n + j] = s;
        }
      cur.swap(nxt);
    }
    // Stationary covariance with q = 1: int_0^inf u u^T, u_j(s) = exp(-cs) sum_m npow[m][j][p] s^m.
    q_ = 1.0;
    std::vector<Real> pinf(n * n, 0.0);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        Real s = 0.0;
        for (int a = 0; a < n; ++a)
          for (int b = 0; b < n; ++b) {
            const Real ca = npow_[a * n * n + i * n + (n - 1)], cb = npow_[b * n * n + j * n + (n - 1)];
            if (ca == 0.0 || cb == 0.0) continue;
            Real f = 1.0;  // (a+b)! / (2c)^(a+b+1)
            for (int t = 1; t <= a + b; ++t) f *= t / (2.0 * c_);
            s += ca * cb * f / (2.0 * c_);
          }
        pinf[i * n + j] = s;
      }
    q_ = 1.0 / pinf[0];
    Real pf = 1;
    for (int i = 2; i <= p_; ++i) pf *= i;
    inv_cp1_pfact_ = 1 / (std::pow(c_, p_ + 1) * pf);
    pinf_.resize(n * n);
    for (int i = 0; i < n * n; ++i) pinf_[i] = pinf[i] * q_;
  }

  int dim() const { return dim_; }

  // Prior covariance of z(a) = (I = 0, s(a)).
  void initial_cov(Real* P) const {
    std::fill(P, P + dim_ * dim_, 0.0);
    if (kind_ == Prior::wiener) {
      P[1 * dim_ + 1] = 1.0;
      return;
    }
    const int n = p_ + 1;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) P[(i + 1) * dim_ + j + 1] = pinf_[i * n + j];
  }

  // Impulse response u(s) = Phi(s) e_last of the augmented system.
  void impulse(Real s, Real* u) const {
    if (kind_ == Prior::wiener) {
      u[0] = s;
      u[1] = 1.0;
      return;
    }
    const int n = p_ + 1;
    const Real e = std::exp(-c_ * s);
    for (int j = 0; j < n; ++j) {
      Real acc = 0.0, sm = 1.0;
      for (int m = 0; m < n; ++m) {
        acc += npow_[m * n * n + j * n + (n - 1)] * sm;
        sm *= s;
      }
      u[j + 1] = e * acc;
    }
    u[0] = lower_gamma_int(p_ + 1, c_ * s) * inv_cp1_pfact_;
  }

  // Transition matrix Phi(h) (row-major dim x dim).
  void transition(Real h, Real* Phi) const {
    std::fill(Phi, Phi + dim_ * dim_, 0.0);
    if (kind_ == Prior::wiener) {
      Phi[0] = 1.0;
      Phi[1] = h;
      Phi[3] = 1.0;
      return;
    }
    const int n = p_ + 1, D = dim_;
    const Real e = std::exp(-c_ * h);
    Phi[0] = 1.0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        Real acc = 0.0, hm = 1.0;
        for (int m = 0; m < n; ++m) {
          acc += npow_[m * n * n + i * n + j] * hm;
          hm *= h;
        }
        Phi[(i + 1) * D + j + 1] = e * acc;
      }
    // Integral row: int_0^h Phi_0k(s) ds = sum_m [(F+cI)^m / m!]_{0k} gamma(m+1, ch) / c^(m+1).
    Real gam[kMaxState];  // gamma(m+1, ch) / c^(m+1), shared by every column
    Real cpow = c_;
    for (int m = 0; m < n; ++m) {
      gam[m] = lower_gamma_int(m + 1, c_ * h) / cpow;
      cpow *= c_;
    }
    for (int k = 0; k < n; ++k) {
      Real acc = 0.0;
      for (int m = 0; m < n; ++m) {
        const Real coef = npow_[m * n * n + k];
        if (coef != 0.0) acc += coef * gam[m];
      }
      Phi[0 * D + k + 1] = acc;
    }
  }

  // Process noise Q(h) = q int_0^h u u^T ds (row-major dim x dim).
  void noise(Real h, Real* Q) const {
    const int D = dim_;
    std::fill(Q, Q + D * D, 0.0);
    if (kind_ == Prior::wiener) {
      Q[0] = h * h * h / 3.0;
      Q[1] = Q[2] = h * h / 2.0;
      Q[3] = h;
      return;
    }
    const GaussLegendre12& gl = gauss_legendre12();
    const Real tail_start = 60.0 / c_;
    const Real hq = std::min(h, tail_start);
    const int panels = std::max(1, static_cast<int>(std::ceil(2.0 * c_ * hq)));
    const Real width = hq / panels;
    Real u[kMaxState];
    for (int pnl = 0; pnl < panels; ++pnl) {
      const Real mid = (pnl + 0.5) * width, half = 0.5 * width;
      for (int g = 0; g < 12; ++g) {
        const Real s = mid + gl.x[g] * half;
        const Real wt = gl.w[g] * half;
        impulse(s, u);
        for (int i = 0; i < D; ++i)
          for (int j = 0; j <= i; ++j) Q[i * D + j] += wt * u[i] * u[j];
      }
    }
    if (h > hq) {
      // Beyond 60/c the state has forgotten the impulse; only I keeps growing at rate u_I(inf) = 1/c^(p+1).
      const Real uinf = 1.0 / std::pow(c_, p_ + 1);
      Q[0] += uinf * uinf * (h - hq);
    }
    for (int i = 0; i < D; ++i)
      for (int j = 0; j <= i; ++j) {
        Q[i * D + j] *= q_;
        Q[j * D + i] = Q[i * D + j];
      }
  }

 private:
  Prior kind_;
  int p_;
  int dim_ = 0;
  Real c_ = 0.0;
  Real q_ = 1.0;
  Real inv_cp1_pfact_ = 1.0;  // 1 / (c^(p+1) p!)
  std::vector<Real> npow_;
  std::vector<Real> pinf_;
};

namespace detail {
inline void propagate(int D, const Real* Phi, const Real* Q, Real* P) {
  Real T[kMaxState * kMaxState];
  for (int i = 0; i < D; ++i)
    for (int j = 0; j < D; ++j) {
      Real s = 0.0;
      for (int k = 0; k < D; ++k) s += Phi[i * D + k] * P[k * D + j];
      T[i * D + j] = s;
    }
  for (int i = 0; i < D; ++i)
    for (int j = 0; j <= i; ++j) {
      Real s = Q[i * D + j];
      for (int k = 0; k < D; ++k) s += T[i * D + k] * Phi[j * D + k];
      P[i * D + j] = s;
      P[j * D + i] = s;
    }
}
}  // namespace detail

// Result of the covariance pass: gains K_k (N x D), innovation variances S_k, transitions for the adjoint.
struct BQFilter {
  int D = 0;
  std::int64_t N = 0;
  std::vector<Real> gain;       // N x D
  std::vector<Real> innov_var;  // N
  std::vector<Real> phi;        // (N + 1) x D x D: Phi into point k (k < N), and to b (k = N)
  Real variance = 0.0;          // Var[I(b) | y] for sigma^2 = 1
  bool ok = true;               // false: a prior variance S_k <= 0 (nodes too close or not increasing)
};

// Forward covariance pass over nodes x[0..N) (strictly increasing, a <= x[0], x[N-1] <= b).
inline BQFilter bq_filter(const StateSpaceKernel& ker, const double* x, std::int64_t N, double a, double b) {
  BQFilter out;
  const int D = ker.dim();
  out.D = D;
  out.N = N;
  out.gain.assign(N * D, 0.0);
  out.innov_var.assign(N, 0.0);
  out.phi.assign((N + 1) * D * D, 0.0);
  Real P[kMaxState * kMaxState], Q[kMaxState * kMaxState];
  ker.initial_cov(P);
  Real prev_h = -1.0;
  Real t_prev = a;
  Cancellation& cancel = current_cancellation();
  for (std::int64_t k = 0; k <= N; ++k) {
    if (k % 1024 == 0 && cancel.requested()) return out;  // outputs unspecified: the entry point throws
    const Real t = k < N ? x[k] : b;
    const Real h = t - t_prev;
    Real* Phi = out.phi.data() + k * D * D;
    // Reuse the discretisation when the gap repeats up to the rounding of the stored nodes (linspace grids):
    // that is a node perturbation of a few ulps of |t|, below what the double nodes can resolve anyway.
    const Real node_ulps = 4 * std::numeric_limits<double>::epsilon() * std::max(std::fabs(t), std::fabs(t_prev));
    if (k > 0 && std::fabs(h - prev_h) <= node_ulps) {
      std::copy(Phi - D * D, Phi, Phi);
    } else {
      ker.transition(h, Phi);
      ker.noise(h, Q);
      prev_h = h;
    }
    if (h > 0.0) detail::propagate(D, Phi, Q, P);
    t_prev = t;
    if (k == N) break;
    const Real S = P[1 * D + 1];
    if (!(S > 0.0)) {
      out.ok = false;
      return out;
    }
    out.innov_var[k] = S;
    Real* K = out.gain.data() + k * D;
    Real row[kMaxState];  // P[1][:] before the update
    for (int i = 0; i < D; ++i) {
      row[i] = P[1 * D + i];
      K[i] = row[i] / S;
    }
    for (int i = 0; i < D; ++i)
      for (int j = 0; j <= i; ++j) {
        const Real v = P[i * D + j] - K[i] * row[j];
        P[i * D + j] = v;
        P[j * D + i] = v;
      }
    for (int i = 0; i < D; ++i) P[i * D + 1] = P[1 * D + i] = 0.0;
  }
  out.variance = std::max(Real(0), P[0]);
  return out;
}

// BQ weights from the adjoint recursion.
inline void bq_weights_from_filter(const BQFilter& F, double* w) {
  Cancellation& cancel = current_cancellation();
  const int D = F.D;
  Real lam[kMaxState], tmp[kMaxState];
  const Real* PhiEnd = F.phi.data() + F.N * D * D;
  for (int j = 0; j < D; ++j) lam[j] = PhiEnd[0 * D + j];  // Phi_end^T e_I
  for (std::int64_t k = F.N - 1; k >= 0; --k) {
    if (k % 1024 == 0 && cancel.requested()) return;
    const Real* K = F.gain.data() + k * D;
    Real wk = 0.0;
    for (int i = 0; i < D; ++i) wk += lam[i] * K[i];
    w[k] = wk;
    lam[1] -= wk;  // A_k^T lambda
    const Real* Phi = F.phi.data() + k * D * D;
    for (int j = 0; j < D; ++j) {
      Real s = 0.0;
      for (int i = 0; i < D; ++i) s += Phi[i * D + j] * lam[i];
      tmp[j] = s;
    }
    for (int j = 0; j < D; ++j) lam[j] = tmp[j];
  }
}

// Innovation sums for one data row y (length N, stride): quad = sum v_k^2 / S_k (sigma^2 = 1).
inline double bq_innovation_quad(const BQFilter& F, const double* y, std::int64_t stride) {
  const int D = F.D;
  Real m[kMaxState] = {0.0}, mp[kMaxState];
  Real quad = 0.0;
  for (std::int64_t k = 0; k < F.N; ++k) {
    const Real* Phi = F.phi.data() + k * D * D;
    for (int i = 0; i < D; ++i) {
      Real s = 0.0;
      for (int j = 0; j < D; ++j) s += Phi[i * D + j] * m[j];
      mp[i] = s;
    }
    const Real v = y[k * stride] - mp[1];
    quad += v * v / F.innov_var[k];
    const Real* K = F.gain.data() + k * D;
    for (int i = 0; i < D; ++i) m[i] = mp[i] + K[i] * v;
  }
  return quad;
}

// Everything a BQ fit needs from one filter pass over nodes x[0..N) of [a, b]: weights w (N), the posterior
// variance and sum_k log S_k (sigma^2 = 1), and for each of the R rows of Y (R x N, C order; may be null when
// R = 0) the innovation quadratic form quad[r] = sum_k v_k^2 / S_k (rows in parallel when R N is large).
// Returns false when a prior variance S_k is not positive (nodes too close together for the lengthscale, or
// not strictly increasing). Entry point: throws numkern::Interrupted when the host asked to stop.
inline bool bq_solve(const StateSpaceKernel& ker, const double* x, std::int64_t N, double a, double b,
                     const double* Y, std::int64_t R, double* w, double& variance, double& logdet, double* quad) {
  CancellationScope scope;
  Cancellation& cancel = scope.cancellation();
  const BQFilter F = bq_filter(ker, x, N, a, b);
  scope.throw_if_requested();
  if (!F.ok) return false;
  bq_weights_from_filter(F, w);
  variance = static_cast<double>(F.variance);
  logdet = 0.0;
  for (std::int64_t k = 0; k < N; ++k) logdet += static_cast<double>(std::log(F.innov_var[k]));
#pragma omp parallel for schedule(static) if (R * N > 100000)
  for (std::int64_t r = 0; r < R; ++r)
    if (!cancel.requested()) quad[r] = bq_innovation_quad(F, Y + r * N, 1);
  scope.throw_if_requested();
  return true;
}

}  // namespace integrate
}  // namespace numkern
