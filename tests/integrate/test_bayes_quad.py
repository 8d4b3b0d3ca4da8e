"""Bayesian quadrature: weights/variance vs extended-precision dense solves, kernel means vs quad,
convergence rates, marginal likelihood vs the dense Gaussian density, bad input."""

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate as si

import numkern.integrate as ni
from numkern import _integrate

KERNELS = {"matern12": 0, "matern32": 1, "matern52": 2, "matern72": 3, "matern92": 4}


def _mp_matern(p, ell, r):
    c = mp.sqrt(2 * p + 1) / ell
    r = abs(r)
    s = mp.mpf(0)
    for j in range(p + 1):
        a = mp.factorial(p) * mp.factorial(2 * p - j) * 2**j / (mp.factorial(2 * p) * mp.factorial(p - j) * mp.factorial(j))
        s += a * (c * r) ** j
    return mp.exp(-c * r) * s


def _mp_lower_gamma(n, t):
    return mp.gammainc(n, 0, t)


def _mp_dense(x, p, ell, a, b):
    """Dense BQ in 50-digit arithmetic: weights K^-1 z and variance int int k - z.K^-1 z."""
    with mp.workdps(50):
        x = [mp.mpf(float(v)) for v in x]
        a, b, ell = mp.mpf(a), mp.mpf(b), mp.mpf(ell)
        n = len(x)
        c = mp.sqrt(2 * p + 1) / ell
        coef = [mp.factorial(p) * mp.factorial(2 * p - j) * 2**j / (mp.factorial(2 * p) * mp.factorial(p - j) * mp.factorial(j)) for j in range(p + 1)]
        G = lambda t: sum(coef[j] * _mp_lower_gamma(j + 1, t) for j in range(p + 1))  # noqa: E731
        K = mp.matrix(n, n)
        for i in range(n):
            for j in range(n):
                K[i, j] = _mp_matern(p, ell, x[i] - x[j])
        z = mp.matrix([(G(c * (xi - a)) + G(c * (b - xi))) / c for xi in x])
        w = mp.lu_solve(K, z)
        D = c * (b - a)
        kk = 2 / c**2 * sum(coef[j] * (D * _mp_lower_gamma(j + 1, D) - _mp_lower_gamma(j + 2, D)) for j in range(p + 1))
        var = kk - sum(z[i] * w[i] for i in range(n))
        return np.array([float(v) for v in w]), float(var)


@pytest.mark.parametrize("kernel,ell,n,span", [
    ("matern12", 0.5, 7, 1.0), ("matern32", 0.3, 9, 1.0), ("matern52", 0.3, 10, 1.0),
    ("matern72", 0.3, 12, 1.0), ("matern72", 0.3, 15, 0.1), ("matern92", 0.5, 12, 1.0),
])
def test_weights_and_variance_match_extended_precision(kernel, ell, n, span):
    rng = np.random.default_rng(n)
    x = np.sort(rng.uniform(0, span, n))
    bounds = (x[0] - 0.05 * span, x[-1] + 0.1 * span)
    rule = ni.bq_weights(x, kernel=kernel, lengthscale=ell, bounds=bounds)
    w_ref, var_ref = _mp_dense(x, KERNELS[kernel], ell, *bounds)
    # The (15 nodes on [0, 0.1], nu = 7/2) case has cond(K) ~ 1e12: a double dense solve loses ~12 digits.
    assert np.max(np.abs(rule.weights - w_ref)) <= 1e-12 * np.max(np.abs(w_ref))
    assert rule.variance >= 0
    assert abs(rule.variance - var_ref) <= 1e-9 * var_ref + 1e-300


def test_uniform_grid_default_bounds_vs_dense():
    x = np.linspace(0, 0.1, 15)
    rule = ni.bq_weights(x, kernel="matern72", lengthscale=0.3)
    w_ref, var_ref = _mp_dense(x, 3, 0.3, 0.0, 0.1)
    assert np.max(np.abs(rule.weights - w_ref)) <= 1e-12 * np.max(np.abs(w_ref))
    assert math.isclose(rule.variance, var_ref, rel_tol=1e-7)


@pytest.mark.parametrize("kernel", list(KERNELS))
def test_kernel_mean_and_integral_vs_quad(kernel):
    p = KERNELS[kernel]
    ell, a, b = 0.37, -0.2, 0.9
    for x0 in (-0.2, 0.1, 0.5, 0.9, 1.3):
        k = lambda t: float(_mp_matern(p, ell, t - x0))  # noqa: E731
        ref, _ = si.quad(k, a, b, points=[x0] if a < x0 < b else None, epsabs=1e-14, epsrel=1e-13)
        assert math.isclose(float(ni.kernel_mean(x0, a, b, kernel, ell)), ref, rel_tol=1e-11)
    ref = si.quad(lambda s: si.quad(lambda t: float(_mp_matern(p, ell, t - s)), a, b, points=[s],
                                    epsabs=1e-14, epsrel=1e-13)[0], a, b, epsabs=1e-13, epsrel=1e-12)[0]
    assert math.isclose(ni.kernel_integral(a, b, kernel, ell), ref, rel_tol=1e-9)


def test_wiener_kernel_mean_and_integral_vs_quad():
    a, b = 0.5, 2.0
    k = lambda s, t: 1.0 + min(s - a, t - a)  # noqa: E731
    for x0 in (0.5, 1.0, 2.0):
        assert math.isclose(ni.kernel_mean(x0, a, b, "wiener"), si.quad(lambda t: k(t, x0), a, b, points=[x0])[0],
                            rel_tol=1e-12)
    ref = si.quad(lambda s: si.quad(lambda t: k(s, t), a, b, points=[s])[0], a, b)[0]
    assert math.isclose(ni.kernel_integral(a, b, "wiener"), ref, rel_tol=1e-12)


@settings(max_examples=30)
@given(st.integers(2, 60), st.integers(0, 2**31 - 1))
def test_wiener_reproduces_trapezoid_weights(n, seed):
    x = np.cumsum(np.random.default_rng(seed).uniform(0.01, 1.0, n))
    rule = ni.bq_weights(x, kernel="wiener")
    d = np.diff(x)
    w_trap = np.r_[d / 2, 0] + np.r_[0, d / 2]
    np.testing.assert_allclose(rule.weights, w_trap, rtol=1e-13, atol=1e-15 * x[-1])
    y = np.sin(x)
    assert math.isclose(float(rule(y)), float(ni.trapezoid(y, x)), rel_tol=1e-12, abs_tol=1e-13 * x[-1])


def test_many_nodes_stay_accurate():
    """N = 2000, nu = 7/2: cond(K) is astronomically large, yet interior weights equal h to ~1e-10."""
    x = np.linspace(0, 1, 2001)
    h = x[1]
    rule = ni.bq_weights(x, kernel="matern72", lengthscale=0.02)
    mid = rule.weights[600:1400]
    assert np.max(np.abs(mid / h - 1)) < 1e-9
    assert rule.variance >= 0
    rule = ni.bq_weights(x, kernel="matern72", lengthscale=0.3)
    assert abs(rule(np.exp(x)) - (math.e - 1)) < 1e-13


def _slope(ns, errs):
    return np.polyfit(np.log(np.asarray(ns) - 1.0), np.log(errs), 1)[0]


def test_convergence_rates_classical_rules():
    ns = [17, 33, 65, 129]  # N - 1 = 16 ... 128, odd N for Simpson
    f, exact = np.exp, math.e - 1
    err_t = [abs(ni.trapezoid(f(np.linspace(0, 1, n)), np.linspace(0, 1, n)) - exact) for n in ns]
    err_s = [abs(ni.simpson(f(np.linspace(0, 1, n)), x=np.linspace(0, 1, n)) - exact) for n in ns]
    assert abs(_slope(ns, err_t) + 2) < 0.05
    assert abs(_slope(ns, err_s) + 4) < 0.1


@pytest.mark.parametrize("kernel,nu", [("matern12", 0.5), ("matern32", 1.5), ("matern52", 2.5), ("matern72", 3.5)])
def test_convergence_rates_bq(kernel, nu):
    """Window N - 1 = 16..128 on [0, 1], lengthscale 0.2: std slope ~ -(nu + 1/2), error at least as fast."""
    ns = [17, 33, 65, 129]
    stds, errs = [], []
    for n in ns:
        x = np.linspace(0, 1, n)
        res = ni.bayes_quad(np.exp(x), x, kernel=kernel, lengthscale=0.2)
        stds.append(float(res.std))
        errs.append(abs(float(res.integral) - (math.e - 1)))
    assert abs(_slope(ns, stds) + (nu + 0.5)) < 0.25
    assert _slope(ns, errs) <= -(nu + 0.5) + 0.1


def _mp_gauss_terms(K, y):
    """(log det K, y^T K^-1 y) in 50-digit arithmetic."""
    with mp.workdps(50):
        Km = mp.matrix(K.tolist())
        return float(mp.log(mp.det(Km))), float((mp.matrix(y.tolist()).T * mp.lu_solve(Km, mp.matrix(y.tolist())))[0])


def test_log_marginal_likelihood_matches_dense_density():
    rng = np.random.default_rng(5)
    x = np.sort(rng.uniform(0, 1, 12))
    y = np.sin(3 * x[None, :] + rng.uniform(0, 3, (3, 1))) + 0.01 * rng.standard_normal((3, 12))
    for kernel, p in [("matern32", 1), ("matern52", 2)]:
        ell, s = 0.4, 2.5
        res = ni.bayes_quad(y, x, kernel=kernel, lengthscale=ell, scale=s)
        with mp.workdps(50):
            K1 = np.array([[_mp_matern(p, mp.mpf(ell), mp.mpf(float(a)) - mp.mpf(float(b))) for b in x] for a in x])
        terms = [_mp_gauss_terms(K1, row) for row in y]
        ref = [-0.5 * (q / s + ld + 12 * math.log(s) + 12 * math.log(2 * math.pi)) for ld, q in terms]
        np.testing.assert_allclose(res.log_marginal_likelihood, ref, rtol=1e-10)
        fit = ni.bayes_quad(y, x, kernel=kernel, lengthscale=ell, scale="mle")
        s_ref = np.array([q for _, q in terms]) / 12
        np.testing.assert_allclose(fit.scale, s_ref, rtol=1e-10)
        np.testing.assert_allclose(fit.variance, s_ref * ni.bq_weights(x, kernel, ell).variance, rtol=1e-10)


def test_lengthscale_mle_recovers_generating_value():
    rng = np.random.default_rng(7)
    x = np.linspace(0, 1, 200)
    ell_true = 0.1
    r = np.sqrt(3) * np.abs(x[:, None] - x[None, :]) / ell_true
    K = (1 + r) * np.exp(-r)  # Matern-3/2
    L = np.linalg.cholesky(K + 1e-12 * np.eye(200))
    y = (L @ rng.standard_normal((200, 8))).T * 3.0
    res = ni.bayes_quad(y, x, kernel="matern32", lengthscale="mle", scale="mle")
    assert 0.06 < res.lengthscale < 0.16
    assert np.all((res.scale > 3) & (res.scale < 20))
    assert np.all(res.variance > 0)


def test_batched_axes_agree_with_single_rule():
    rng = np.random.default_rng(9)
    x = np.sort(rng.uniform(0, 2, 9))
    y = rng.standard_normal((4, 9, 3))
    rule = ni.bq_weights(x, kernel="matern52", lengthscale=0.7)
    res = ni.bayes_quad(y, x, axis=1, kernel="matern52", lengthscale=0.7)
    np.testing.assert_allclose(res.integral, np.einsum("ajb,j->ab", y, rule.weights), rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(rule(np.moveaxis(y, 1, -1)), res.integral, rtol=1e-13, atol=1e-14)
    assert res.variance == rule.variance
    r32 = ni.bayes_quad(y.astype(np.float32), x, axis=1, kernel="matern52", lengthscale=0.7)
    assert r32.integral.dtype == np.float32


def test_dx_and_bounds():
    y = np.cos(np.linspace(0, 1, 11))
    a = ni.bayes_quad(y, dx=0.1, kernel="matern32", lengthscale=0.5)
    b = ni.bayes_quad(y, np.linspace(0, 1, 11), kernel="matern32", lengthscale=0.5)
    assert math.isclose(a.integral, b.integral, rel_tol=1e-14)
    wide = ni.bq_weights(np.linspace(0, 1, 11), "matern32", 0.5, bounds=(-0.5, 1.5))
    assert wide.variance > b.variance


def test_state_space_discretisation_matches_van_loan():
    from scipy.linalg import expm, solve_continuous_lyapunov

    for p, ell, h in [(1, 0.3, 0.07), (3, 0.3, 0.01), (2, 1.0, 2.0)]:
        n = p + 1
        c = math.sqrt(2 * p + 1) / ell
        F = np.zeros((n, n))
        F[np.arange(n - 1), np.arange(1, n)] = 1
        F[-1] = [-math.comb(n, k) * c ** (n - k) for k in range(n)]
        Lc = np.zeros((n, 1))
        Lc[-1] = 1
        Pinf = solve_continuous_lyapunov(F, -Lc @ Lc.T)
        q = 1 / Pinf[0, 0]
        Fa = np.zeros((n + 1, n + 1))
        Fa[1:, 1:] = F
        Fa[0, 1] = 1
        La = np.zeros((n + 1, 1))
        La[-1] = 1
        M = np.block([[-Fa, q * La @ La.T], [np.zeros_like(Fa), Fa.T]]) * h
        E = expm(M)
        Phi_ref = E[n + 1:, n + 1:].T
        Q_ref = Phi_ref @ E[: n + 1, n + 1:]
        Phi, Q, P0 = _integrate.state_space(_integrate.Prior.matern, p, ell, h)
        np.testing.assert_allclose(Phi, Phi_ref, rtol=1e-9, atol=1e-12 * np.abs(Phi_ref).max())
        np.testing.assert_allclose(Q, Q_ref, rtol=1e-6, atol=1e-10 * np.abs(Q_ref).max())
        np.testing.assert_allclose(P0[1:, 1:], Pinf * q, rtol=1e-9, atol=1e-9 * np.abs(Pinf * q).max())


def test_bad_input():
    x = np.linspace(0, 1, 5)
    y = np.ones(5)
    with pytest.raises(ValueError, match="x: nodes must be strictly increasing"):
        ni.bq_weights(x[::-1])
    with pytest.raises(ValueError, match="strictly increasing"):
        ni.bayes_quad(y, np.array([0, 0.5, 0.5, 0.7, 1.0]))
    with pytest.raises(ValueError, match="x: length"):
        ni.bayes_quad(y, np.linspace(0, 1, 6))
    with pytest.raises(ValueError, match="x: need at least 2"):
        ni.bq_weights([0.5])
    with pytest.raises(ValueError, match="y: samples must be finite"):
        ni.bayes_quad(np.array([1.0, np.nan, 1, 1, 1]), x)
    with pytest.raises(ValueError, match="y: samples must be finite"):
        ni.bayes_quad(np.array([1.0, np.inf, 1, 1, 1]), x)
    with pytest.raises(ValueError, match="x: nodes must be finite"):
        ni.bq_weights(np.array([0.0, np.nan, 1.0]))
    for bad in (0.0, -1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match="lengthscale"):
            ni.bq_weights(x, lengthscale=bad)
    with pytest.raises(ValueError, match="lengthscale"):
        ni.bayes_quad(y, x, lengthscale="best")
    with pytest.raises(ValueError, match="kernel: unknown kernel 'rbf'"):
        ni.bq_weights(x, kernel="rbf")
    with pytest.raises(ValueError, match="kernel"):
        ni.bq_weights(x, kernel="matern42")
    with pytest.raises(TypeError, match="kernel"):
        ni.bq_weights(x, kernel=2.5)
    with pytest.raises(ValueError, match="scale"):
        ni.bq_weights(x, scale=-1.0)
    with pytest.raises(ValueError, match="scale"):
        ni.bayes_quad(y, x, scale="fit")
    with pytest.raises(ValueError, match="bounds"):
        ni.bq_weights(x, bounds=(0.2, 1.0))
    with pytest.raises(ValueError, match="y: length"):
        ni.bq_weights(x)(np.ones(4))
