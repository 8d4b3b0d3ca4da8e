"""1-D kernels: closed-form lag derivatives and parameter gradients vs mpmath and finite differences."""

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numkern.kron.kernels import RBF, Matern, SpectralMixture, uniform_spacing

LW, LS, MU = [0.1, -0.5, 0.3], [0.3, -1.0, 1.2], [1.3, 2.0, 0.0]


def all_kernels():
    return [
        SpectralMixture(LW, LS, MU),
        SpectralMixture(LW, LS, MU, envelope="matern52"),
        RBF(0.7, 1.3),
        Matern(0.6, 1.2, 2.5),
        Matern(0.6, 1.2, 1.5),
        Matern(0.6, 1.2, 0.5),
    ]


def mp_lag(kernel, theta, r):
    """The lag function kappa(r) in mpmath for the given parameters (independent implementation)."""
    if isinstance(kernel, SpectralMixture):
        q = kernel.n_components
        total = mp.mpf(0)
        for i in range(q):
            w, a, mu = mp.e ** theta[i], mp.e ** theta[q + i], theta[2 * q + i]
            if kernel.envelope == "gaussian":
                env = mp.e ** (-a * r * r)
            else:
                c = mp.sqrt(5) * a
                env = (1 + c * abs(r) + c * c * r * r / 3) * mp.e ** (-c * abs(r))
            total += w * env * mp.cos(2 * mp.pi * mu * r)
        return total
    ell, var = mp.e ** theta[0], mp.e ** theta[1]
    if isinstance(kernel, RBF):
        return var * mp.e ** (-r * r / (2 * ell * ell))
    t = mp.sqrt(2 * mp.mpf(kernel.nu)) * abs(r) / ell
    poly = {0.5: 1, 1.5: 1 + t, 2.5: 1 + t + t * t / 3}[kernel.nu]
    return var * poly * mp.e ** (-t)


@pytest.mark.parametrize("kernel", all_kernels(), ids=lambda k: f"{type(k).__name__}-{getattr(k, 'envelope', getattr(k, 'nu', ''))}")
def test_lag_derivatives_vs_mpmath(kernel):
    mp.mp.dps = 40
    theta = [mp.mpf(float(t)) for t in kernel.theta]
    lags = [-0.83, -0.21, 0.037, 0.44, 1.3]
    for order in range(kernel.max_order + 1):
        ours = kernel.lag(np.array(lags), order)
        for r, val in zip(lags, ours):
            ref = mp.diff(lambda s: mp_lag(kernel, theta, s), mp.mpf(r), order)
            assert abs(val - float(ref)) <= 1e-13 * max(1.0, abs(float(ref))), (order, r, val, ref)


@pytest.mark.parametrize("kernel", all_kernels(), ids=lambda k: f"{type(k).__name__}-{getattr(k, 'envelope', getattr(k, 'nu', ''))}")
def test_parameter_gradients_vs_mpmath(kernel):
    mp.mp.dps = 40
    theta0 = [mp.mpf(float(t)) for t in kernel.theta]
    lags = [-0.61, 0.0, 0.29, 0.9]
    # orders up to 4 (what the PDE solver uses) for all kernels; RBF also at its top order 8
    orders = list(range(min(kernel.max_order, 4) + 1)) + ([8] if isinstance(kernel, RBF) else [])
    for order in orders:
        grad = kernel.lag_gradient(np.array(lags), order)
        assert grad.shape == (kernel.n_params, len(lags))
        for p in range(kernel.n_params):
            for i, r in enumerate(lags):
                def f(t):
                    th = list(theta0)
                    th[p] = t
                    return mp.diff(lambda s: mp_lag(kernel, th, s), mp.mpf(r), order) if order else mp_lag(kernel, th, mp.mpf(r))
                ref = float(mp.diff(f, theta0[p]))
                assert abs(grad[p, i] - ref) <= 1e-12 * max(1.0, abs(ref)), (order, p, r, grad[p, i], ref)


def test_argument_derivatives_matrix_and_finite_differences():
    k = SpectralMixture.initial(5, 3.0, envelope="matern52")
    x = np.linspace(-0.3, 0.8, 7)
    y = np.array([-0.5, 0.1, 0.35, 0.9])
    h = 1e-5
    for dx, dy in [(1, 0), (0, 1), (1, 1), (2, 0), (2, 1), (2, 2)]:
        base_x = k(x, y, dx - 1 if dx else 0, dy) if dx else None
        if dx:
            fd = (k(x + h, y, dx - 1, dy) - k(x - h, y, dx - 1, dy)) / (2 * h)
        else:
            fd = (k(x, y + h, dx, dy - 1) - k(x, y - h, dx, dy - 1)) / (2 * h)
        got = k(x, y, dx, dy)
        scale = max(1.0, np.abs(got).max())
        assert np.max(np.abs(got - fd)) < 1e-6 * scale, (dx, dy)
        del base_x
    # symmetry of the mixed second derivative matrix d2k/dx dx'
    K11 = k(x, x, 1, 1)
    np.testing.assert_allclose(K11, K11.T, atol=1e-12)


@pytest.mark.parametrize("kernel", all_kernels(), ids=lambda k: type(k).__name__)
def test_toeplitz_equals_pairwise(kernel):
    x = np.linspace(-1.0, 2.0, 33)
    for dx in range(min(kernel.max_order, 2) + 1):
        for dy in range(min(kernel.max_order - dx, 2) + 1):
            T, dT = kernel.toeplitz(x, dx, dy, gradient=True)
            np.testing.assert_allclose(T, kernel(x, x, dx, dy), atol=1e-11 * max(1, np.abs(T).max()))
            np.testing.assert_allclose(dT, kernel.gradient(x, x, dx, dy), atol=1e-10 * max(1, np.abs(dT).max()))


def test_spectral_mixture_matches_gphm_formulas():
    k = SpectralMixture.initial(4, 30.0)
    assert np.allclose(k.log_weights, -math.log(4)) and np.allclose(k.log_scales, 0)
    r = np.linspace(-1, 1, 11)
    ref = sum(0.25 * np.exp(-r * r) * np.cos(2 * np.pi * mu * r) for mu in [0, 10, 20, 30])
    np.testing.assert_allclose(k.lag(r), ref, atol=1e-15)
    km = SpectralMixture.initial(2, 5.0, envelope="matern52")
    c = math.sqrt(5)
    ref = sum(0.5 * (1 + c * abs(r) + c * c * r * r / 3) * np.exp(-c * abs(r)) * np.cos(2 * np.pi * mu * r) for mu in [0, 5])
    np.testing.assert_allclose(km.lag(r), ref, atol=1e-15)


def test_high_frequency_is_accurate():
    """mu = 100 (GP-HM's range): derivatives of order 4 scale like (2 pi mu)^4 ~ 1.6e11; relative accuracy kept."""
    k = SpectralMixture([0.0], [0.0], [100.0])
    mp.mp.dps = 40
    for r in [0.0, 0.0123, 0.5]:
        ref = mp.diff(lambda s: mp.e ** (-s * s) * mp.cos(2 * mp.pi * 100 * s), mp.mpf(r), 4)
        got = k.lag(np.array(r), 4)
        assert abs(got - float(ref)) <= 1e-12 * abs(float(ref)) + 1e-3


def test_bad_input():
    k = RBF()
    with pytest.raises(ValueError, match="not a uniform grid"):
        k.toeplitz(np.array([0.0, 0.1, 0.3, 0.4]))
    with pytest.raises(ValueError, match="at least 2"):
        uniform_spacing(np.array([1.0]))
    with pytest.raises(ValueError, match="finite"):
        k(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match="order <= 4"):
        Matern(nu=2.5).lag(0.0, order=5)
    with pytest.raises(ValueError, match="order <= 4"):
        SpectralMixture([0.0], [0.0], [1.0], envelope="matern52")(np.zeros(2), dx=3, dy=2)
    with pytest.raises(ValueError, match="non-negative"):
        k.lag(0.0, order=-1)
    with pytest.raises(ValueError, match="same non-zero length"):
        SpectralMixture([0.0, 1.0], [0.0], [1.0])
    with pytest.raises(ValueError, match="envelope"):
        SpectralMixture([0.0], [0.0], [1.0], envelope="cauchy")
    with pytest.raises(ValueError, match="nu"):
        Matern(nu=3.5)
    with pytest.raises(ValueError, match="lengthscale"):
        RBF(lengthscale=-1.0)
    with pytest.raises(ValueError, match="entries"):
        k.with_theta([1.0])


@given(r=st.floats(-3, 3), order=st.integers(0, 4), envelope=st.sampled_from(["gaussian", "matern52"]))
def test_property_parity(r, order, envelope):
    """kappa^{(m)}(-r) = (-1)^m kappa^{(m)}(r) for these even kernels."""
    k = SpectralMixture([0.2, -0.1], [0.5, -0.3], [0.7, 2.5], envelope=envelope)
    a, b = k.lag(np.array(r), order), k.lag(np.array(-r), order)
    assert abs(a - (-1) ** order * b) <= 1e-12 * max(1.0, abs(a))


@given(n=st.integers(2, 12), seed=st.integers(0, 1000))
def test_property_kernel_matrices_psd(n, seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1, 1, n))
    k = SpectralMixture(rng.normal(size=3), rng.normal(size=3), rng.uniform(0, 3, 3))
    K = k(x)
    np.testing.assert_allclose(K, K.T, atol=1e-15)
    assert np.linalg.eigvalsh(K).min() > -1e-10 * np.abs(K).max()
    # derivative process covariance d2k/dxdx' is PSD too
    K11 = k(x, x, 1, 1)
    assert np.linalg.eigvalsh((K11 + K11.T) / 2).min() > -1e-9 * max(1.0, np.abs(K11).max())


def test_differentiation_matrix():
    from numkern.kron.kernels import differentiation_matrix

    x = np.linspace(0, 1, 30)
    k = SpectralMixture([0.0, -1.0], [1.0, 0.5], [0.5, 2.0])
    for order in (1, 2):
        D = differentiation_matrix(k, x, order, jitter=1e-6)
        K = k(x) + 1e-6 * np.eye(30)
        np.testing.assert_allclose(D @ K, k(x, x, order), atol=1e-8 * np.abs(k(x, x, order)).max())
    # non-uniform points take the pairwise path and agree with the dense formula
    xs = np.sort(np.random.default_rng(0).uniform(0, 1, 25))
    D = differentiation_matrix(RBF(0.3), xs, 2, jitter=1e-8)
    ref = np.linalg.solve(RBF(0.3)(xs) + 1e-8 * np.eye(25), RBF(0.3)(xs, xs, 2).T).T
    np.testing.assert_allclose(D, ref, rtol=1e-6, atol=1e-6 * np.abs(ref).max())
    # the GP derivative of a smooth function converges to the true derivative
    xf = np.linspace(0, 1, 60)
    D2 = differentiation_matrix(RBF(0.15), xf, 2, jitter=1e-12)
    err = np.abs(D2 @ np.sin(4 * xf) + 16 * np.sin(4 * xf))[10:-10]
    assert err.max() < 1e-3
    with pytest.raises(ValueError, match="jitter"):
        differentiation_matrix(RBF(), xf, 1, jitter=-1.0)
    with pytest.raises(np.linalg.LinAlgError, match="increase jitter"):
        differentiation_matrix(RBF(1.0), xf, 1, jitter=0.0)
