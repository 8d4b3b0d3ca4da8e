"""Tests for numkern.stats.vonmises_fisher and the vMF scalar functions.

References: closed forms (d = 2, 3), scipy.stats.vonmises_fisher where it is finite, numerical quadrature on
the sphere, exact distributions of mu^T x, and statistical error bounds for the fits.
"""

import math
import warnings

import numpy as np
import pytest
import scipy.stats as ss
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import i0e

from numkern.stats import (
    inverse_mean_resultant_length,
    log_normalizer,
    mean_resultant_length,
    vonmises_fisher,
)

EPS = np.finfo(np.float64).eps


def unit(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


def random_unit(d, seed):
    return unit(np.random.default_rng(seed).standard_normal(d))


def log_c3(kappa):
    # d = 3: C = kappa / (4 pi sinh kappa) = kappa / (2 pi e^kappa (1 - e^{-2 kappa})).
    return math.log(kappa) - math.log(2 * math.pi) - kappa - math.log(-math.expm1(-2 * kappa))


# --- normaliser, A_d, entropy: closed forms and scipy -------------------------------------------------------


@pytest.mark.parametrize("kappa", [1e-8, 1e-3, 0.5, 1.0, 30.0, 700.0, 1e5, 1e8])
def test_log_normalizer_closed_forms(kappa):
    assert log_normalizer(3, kappa) == pytest.approx(log_c3(kappa), rel=4 * EPS, abs=4 * EPS)
    # d = 2: C = 1 / (2 pi I_0(kappa)).
    expected2 = -math.log(2 * math.pi) - math.log(i0e(kappa)) - kappa
    assert log_normalizer(2, kappa) == pytest.approx(expected2, rel=4 * EPS, abs=4 * EPS)


@pytest.mark.parametrize("d", [2, 3, 7, 100, 32768, 10**6])
def test_log_normalizer_kappa_zero_is_uniform(d):
    # 1 / |S^{d-1}| = Gamma(d/2) / (2 pi^{d/2}).
    expected = math.lgamma(d / 2) - math.log(2) - d / 2 * math.log(math.pi)
    assert log_normalizer(d, 0.0) == pytest.approx(expected, rel=1e-15)
    # ... and the kappa -> 0 limit of the general formula agrees (continuity at 0).
    assert log_normalizer(d, 1e-10) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_log_normalizer_broadcasts_and_stays_finite():
    d = np.array([[2], [67], [2048], [32768], [10**6]])
    kappa = np.array([0.0, 1e-6, 1.0, 1e3, 1e5, 1e8])
    out = log_normalizer(d, kappa)
    assert out.shape == (5, 6)
    assert np.all(np.isfinite(out))
    # The log density at the mode, log C + kappa, increases with kappa (its derivative is 1 - A_d > 0).
    assert np.all(np.diff(out + kappa, axis=1) > 0)


@pytest.mark.parametrize("kappa", [1e-6, 0.1, 2.0, 50.0, 1e4, 1e8])
def test_mean_resultant_length_closed_form_d3(kappa):
    # A_3(k) = coth(k) - 1/k; written without cancellation for small k via the series k/3 - k^3/45.
    expected = kappa / 3 - kappa**3 / 45 if kappa < 1e-3 else 1 / math.tanh(kappa) - 1 / kappa
    assert mean_resultant_length(3, kappa) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("d", [2, 3, 5, 10, 50])
@pytest.mark.parametrize("kappa", [0.01, 1.0, 10.0, 100.0, 1000.0])
def test_logpdf_and_entropy_match_scipy(d, kappa):
    mu = random_unit(d, d)
    x = ss.vonmises_fisher(mu, kappa).rvs(20, random_state=d)
    ours = vonmises_fisher.logpdf(x, mu, kappa)
    ref = ss.vonmises_fisher.logpdf(x, mu, kappa)
    assert np.all(np.isfinite(ref))
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12 * max(1.0, kappa))
    np.testing.assert_allclose(vonmises_fisher(mu, kappa).pdf(x), ss.vonmises_fisher(mu, kappa).pdf(x), rtol=1e-11)
    h_ref = ss.vonmises_fisher.entropy(mu, kappa)
    assert vonmises_fisher.entropy(mu, kappa) == pytest.approx(h_ref, rel=1e-11, abs=1e-11 * max(1.0, kappa))
    assert vonmises_fisher(mu, kappa).entropy() == vonmises_fisher.entropy(mu, kappa)


@pytest.mark.parametrize("d, kappa", [(100, 60.0), (500, 400.0), (2048, 1500.0), (8192, 20000.0)])
def test_logpdf_and_entropy_match_scipy_high_dimension_where_finite(d, kappa):
    # Here ive(d/2 - 1, kappa) does not underflow yet, so scipy's values are finite and accurate.
    mu = random_unit(d, 3)
    x = vonmises_fisher(mu, kappa).rvs(20, random_state=1)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ss.vonmises_fisher.logpdf(x, mu, kappa)
        h_ref = ss.vonmises_fisher.entropy(mu, kappa)
    assert np.all(np.isfinite(ref)) and np.isfinite(h_ref)
    np.testing.assert_allclose(vonmises_fisher.logpdf(x, mu, kappa), ref, rtol=1e-12)
    assert vonmises_fisher.entropy(mu, kappa) == pytest.approx(h_ref, rel=1e-11)


def test_extreme_dimension_and_concentration():
    # d = 1e6, kappa = 1e8: normaliser, entropy and sampler stay finite and consistent.
    d, kappa = 10**6, 1e8
    mu = np.zeros(d)
    mu[-1] = 1.0
    assert np.isfinite(log_normalizer(d, kappa)) and np.isfinite(vonmises_fisher.entropy(mu, kappa))
    x = vonmises_fisher(mu, kappa).rvs(4, random_state=np.random.default_rng(0))
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, rtol=1e-13)
    a = mean_resultant_length(d, kappa)
    var = 1 - a * a - (d - 1) * a / kappa  # Var(mu^T x) = A'(kappa), ~ (d - 1) / (2 kappa^2) here
    assert var == pytest.approx((d - 1) / (2 * kappa**2), rel=0.05)
    t = x[:, -1]
    assert np.all(np.abs(t - a) <= 8 * math.sqrt(var))
    assert inverse_mean_resultant_length(d, a) == pytest.approx(kappa, rel=1e-12)


def test_entropy_of_uniform_and_large_dimension():
    d = 32768
    mu = np.zeros(d)
    mu[0] = 1.0
    # kappa = 0: the entropy of the uniform distribution, log |S^{d-1}|.
    assert vonmises_fisher.entropy(mu, 0.0) == pytest.approx(-log_normalizer(d, 0.0), rel=1e-15)
    # Entropy decreases with concentration and stays finite where scipy's is not.
    h = [vonmises_fisher.entropy(mu, k) for k in (1.0, 1e3, 1e5, 1e7)]
    assert np.all(np.isfinite(h)) and np.all(np.diff(h) < 0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Measured (scipy 1.17): ive underflows to 0, so scipy's entropy is inf / nan here.
        assert not np.isfinite(ss.vonmises_fisher.entropy(mu, 1e3))


# --- the density integrates to 1 -------------------------------------------------------------------------


@pytest.mark.parametrize("kappa", [0.0, 0.3, 4.0, 60.0])
def test_pdf_integrates_to_one_d2(kappa):
    mu = unit([0.3, -1.0])

    def f(theta):
        return vonmises_fisher.pdf(np.array([math.cos(theta), math.sin(theta)]), mu, kappa)

    # Split at the mode so quad sees the peak.
    theta0 = math.atan2(mu[1], mu[0])
    total = quad(f, theta0 - math.pi, theta0, limit=200)[0] + quad(f, theta0, theta0 + math.pi, limit=200)[0]
    assert total == pytest.approx(1.0, rel=1e-10)


@pytest.mark.parametrize("kappa", [0.0, 1.0, 25.0])
def test_pdf_integrates_to_one_d3_full_grid(kappa):
    # Full 2-D quadrature in (cos(theta), phi) about an arbitrary axis: Gauss-Legendre x trapezoid (periodic).
    mu = random_unit(3, 7)
    t, wt = np.polynomial.legendre.leggauss(400)
    phi = np.linspace(0, 2 * np.pi, 256, endpoint=False)
    tt, pp = np.meshgrid(t, phi, indexing="ij")
    s = np.sqrt(1 - tt**2)
    pts = np.stack([s * np.cos(pp), s * np.sin(pp), tt], axis=-1)
    vals = vonmises_fisher(mu, kappa).pdf(pts)
    total = (vals * wt[:, None]).sum() * (2 * np.pi / phi.size)
    assert total == pytest.approx(1.0, rel=1e-9)


@pytest.mark.parametrize("d", [3, 4])
@pytest.mark.parametrize("kappa", [0.0, 2.0, 80.0])
def test_pdf_integrates_to_one_by_symmetry(d, kappa):
    # int_{S^{d-1}} g(mu^T x) dx = |S^{d-2}| int_{-1}^{1} g(t) (1 - t^2)^{(d-3)/2} dt.
    mu = random_unit(d, 11)
    nu = random_unit(d, 12)
    nu = unit(nu - (nu @ mu) * mu)
    area = 2 * math.pi ** ((d - 1) / 2) / math.gamma((d - 1) / 2)

    def integrand(t):
        x = t * mu + math.sqrt(max(0.0, 1 - t * t)) * nu
        x = x / np.linalg.norm(x)
        return vonmises_fisher.pdf(x, mu, kappa) * (1 - t * t) ** ((d - 3) / 2)

    total = area * quad(integrand, -1, 1, points=[1 - 1 / (1 + kappa)], limit=200, epsabs=0, epsrel=1e-12)[0]
    assert total == pytest.approx(1.0, rel=1e-9)


# --- inverse of A_d --------------------------------------------------------------------------------------


@given(
    d=st.integers(min_value=2, max_value=10**6),
    log10_kappa=st.floats(min_value=-4, max_value=8),
)
def test_inverse_round_trip_kappa(d, log10_kappa):
    kappa = 10.0**log10_kappa
    r = mean_resultant_length(d, kappa)
    back = inverse_mean_resultant_length(d, r)
    # Condition number of kappa(r) is A / (kappa A'), <= ~1 + 2 kappa / (d - 1): the rounding of r alone moves
    # kappa by that many eps.
    cond = 1.0 + 2.0 * kappa / (d - 1)
    assert abs(back / kappa - 1) <= 32 * EPS * cond  # measured max 16 eps * cond over 4e5 random points


@given(
    d=st.integers(min_value=2, max_value=10**6),
    r=st.floats(min_value=1e-12, max_value=1 - 1e-9),
)
def test_inverse_round_trip_r(d, r):
    kappa = inverse_mean_resultant_length(d, r)
    assert np.isfinite(kappa) and kappa > 0
    assert mean_resultant_length(d, kappa) == pytest.approx(r, rel=24 * EPS)  # measured max 12 eps


def test_inverse_edges_and_vectorisation():
    assert inverse_mean_resultant_length(5, 0.0) == 0.0
    assert inverse_mean_resultant_length(5, 1.0) == np.inf
    assert np.isnan(inverse_mean_resultant_length(5, np.nan))
    d = np.array([2, 3, 2048, 32768, 10**6])
    r = np.array([0.1, 0.5, 0.9, 0.99, 1 - 1e-6])
    k = inverse_mean_resultant_length(d[:, None], r[None, :])
    assert k.shape == (5, 5)
    np.testing.assert_allclose(mean_resultant_length(d[:, None], k), np.broadcast_to(r, (5, 5)), rtol=1e-14)
    # Not merely the Banerjee et al. approximation r (d - r^2) / (1 - r^2): in the middle they differ.
    approx = 0.5 * (3 - 0.25) / (1 - 0.25)
    assert abs(inverse_mean_resultant_length(3, 0.5) / approx - 1) > 1e-3


# --- sampling ----------------------------------------------------------------------------------------------


def test_rvs_shapes_and_reproducibility():
    mu = random_unit(5, 0)
    dist = vonmises_fisher(mu, 3.0)
    assert dist.rvs(random_state=1).shape == (1, 5)
    assert dist.rvs(size=None, random_state=1).shape == (5,)
    assert dist.rvs(size=(2, 3), random_state=1).shape == (2, 3, 5)
    assert dist.rvs(size=0, random_state=1).shape == (0, 5)
    np.testing.assert_array_equal(dist.rvs(50, random_state=7), dist.rvs(50, random_state=7))
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(dist.rvs(50, random_state=g1), dist.rvs(50, random_state=g2))
    assert not np.array_equal(dist.rvs(50, random_state=7), dist.rvs(50, random_state=8))
    seeded = vonmises_fisher(mu, 3.0, seed=42)
    np.testing.assert_array_equal(seeded.rvs(10), vonmises_fisher(mu, 3.0, seed=42).rvs(10))
    np.testing.assert_array_equal(vonmises_fisher.rvs(mu, 3.0, 10, random_state=5), dist.rvs(10, random_state=5))


@pytest.mark.parametrize(
    "d, kappa",
    [(2, 0.0), (2, 5.0), (3, 0.1), (3, 1e8), (5, 20.0), (100, 1.0), (1000, 1e4), (32768, 1e5), (32768, 0.0)],
)
def test_rvs_moments(d, kappa):
    n = 2000 if d <= 1000 else 100
    mu = random_unit(d, d + 1)
    x = vonmises_fisher(mu, kappa).rvs(n, random_state=d)
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, rtol=1e-13)
    t = x @ mu
    a = mean_resultant_length(d, kappa)
    # Var(mu^T x) = A'(kappa) = 1 - A^2 - (d-1) A / kappa (by the uniform formula 1/d at kappa = 0).
    var = 1.0 / d if kappa == 0 else 1 - a * a - (d - 1) * a / kappa
    if kappa == 1e8:
        var = (d - 1) / (2 * kappa**2)  # the asymptotic value; the formula above cancels completely here
    sd = math.sqrt(max(var, 0.0) / n)
    assert abs(t.mean() - a) <= 5 * sd + 1e-15
    assert t.var() == pytest.approx(var, rel=0.25)
    # Isotropy about mu: the tangent parts average to ~0 with E||mean||^2 = (1 - E t^2) / n.
    tangent = x - np.outer(t, mu)
    perp2 = float(np.sum(tangent.mean(axis=0) ** 2))
    assert perp2 <= 6 * (1 - a * a - var) / n + 1e-30


@pytest.mark.parametrize("kappa", [0.5, 8.0, 300.0])
def test_rvs_distribution_of_cosine_d3_exact(kappa):
    # In d = 3, t = mu^T x has CDF (e^{k t} - e^{-k}) / (e^{k} - e^{-k}).
    mu = random_unit(3, 5)
    t = vonmises_fisher(mu, kappa).rvs(4000, random_state=9) @ mu

    def cdf_exact(u):
        return (np.exp(kappa * (u - 1)) - np.exp(-2 * kappa)) / (1 - np.exp(-2 * kappa))

    assert ss.kstest(t, cdf_exact).pvalue > 1e-3


@pytest.mark.parametrize("d", [4, 6, 17])
def test_rvs_matches_scipy_distribution(d):
    mu = random_unit(d, 21)
    ours = vonmises_fisher(mu, 7.0).rvs(3000, random_state=1) @ mu
    ref = ss.vonmises_fisher(mu, 7.0).rvs(3000, random_state=2) @ mu
    assert ss.ks_2samp(ours, ref).pvalue > 1e-3


@pytest.mark.parametrize("mu0", [[1.0, 0, 0, 0], [-1.0, 0, 0, 0], [0, 0, 0, 1.0], [1 - 1e-12, 1.4e-6, 0, 0]])
def test_rvs_householder_edge_directions(mu0):
    mu = unit(mu0)
    x = vonmises_fisher(mu, 1e6).rvs(200, random_state=0)
    # kappa = 1e6: every sample within ~ 3 sqrt(d / kappa) of mu.
    assert np.all(x @ mu > 1 - 1e-4)
    # The tangent parts (size ~ sqrt(d / kappa) = 2e-3) average out: mean direction within ~5 / sqrt(n) of that.
    np.testing.assert_allclose(unit(x.mean(axis=0)), mu, atol=1e-3)


# --- fitting -----------------------------------------------------------------------------------------------


def kappa_interval(d, kappa, n, z=6.0):
    """Range of the MLE of kappa from n samples: E r^2 = A^2 + (1 - A^2)/n, fluctuation ~ 2 A sqrt(A'/n)."""
    a = mean_resultant_length(d, kappa)
    var = 1 - a * a - (d - 1) * a / kappa
    var = max(var, (d - 1) / (2 * kappa**2) * 0.5)
    mean_r2 = a * a + (1 - a * a) / n
    spread = 2 * a * math.sqrt(var / n) + (1 - a * a) / n * math.sqrt(2 / (d - 1)) * 2
    lo = math.sqrt(max(mean_r2 - z * spread, 0.0))
    hi = math.sqrt(min(mean_r2 + z * spread, 1.0))
    return inverse_mean_resultant_length(d, lo), inverse_mean_resultant_length(d, hi), a, var


@pytest.mark.parametrize(
    "d, kappa, n",
    [
        (3, 1.0, 2000),
        (3, 100.0, 2000),
        (3, 1e5, 2000),
        (100, 10.0, 2000),
        (100, 1e3, 1000),
        (2048, 1e3, 400),
        (2048, 1e5, 200),
        (8192, 1e4, 200),
        (32768, 1e4, 120),
        (32768, 1e5, 120),
    ],
)
def test_fit_recovers_parameters(d, kappa, n):
    mu = random_unit(d, d * 3 + 1)
    x = vonmises_fisher(mu, kappa).rvs(n, random_state=int(kappa) % 1000 + d)
    mu_hat, kappa_hat = vonmises_fisher.fit(x)
    lo, hi, a, var = kappa_interval(d, kappa, n)
    assert lo <= kappa_hat <= hi, (lo, kappa_hat, hi)
    assert isinstance(kappa_hat, float)
    # Alignment: 1 - cos(angle) ~ ||tangent mean||^2 / (2 A^2) with E||tangent mean||^2 = (1 - A^2 - A')/n.
    expected_gap = (1 - a * a - var) / n / (2 * a * a)
    assert 1 - mu_hat @ mu <= 12 * expected_gap
    assert np.linalg.norm(mu_hat) == pytest.approx(1.0, rel=1e-15)
    if d == 32768:
        # scipy's fit, measured with scipy 1.17.1 on these very samples: it returns kappa = 1e-8 (the lower end
        # of its brentq bracket) with only "RuntimeWarning: invalid value encountered in scalar divide",
        # because ive(d/2 - 1, kappa) underflows to 0 and its ratio is 0/0. The same happens for every d >= 67.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _, kappa_scipy = ss.vonmises_fisher.fit(x)
        assert kappa_scipy == pytest.approx(1e-8)  # documents the failure (update if scipy gets fixed)
        assert any(issubclass(w.category, RuntimeWarning) for w in caught)


@pytest.mark.parametrize("d, kappa", [(3, 5.0), (10, 40.0), (50, 200.0)])
def test_fit_agrees_with_scipy_where_scipy_works(d, kappa):
    x = ss.vonmises_fisher(random_unit(d, 2), kappa).rvs(500, random_state=4)
    mu_s, k_s = ss.vonmises_fisher.fit(x)
    mu_o, k_o = vonmises_fisher.fit(x)
    np.testing.assert_allclose(mu_o, mu_s, rtol=1e-12, atol=1e-14)
    assert k_o == pytest.approx(k_s, rel=1e-9)


def test_fit_extreme_concentration_uses_cancellation_free_one_minus_r():
    # kappa = 1e8 in d = 3: 1 - r ~ 1e-8, so r itself has only ~8 correct digits after 1 - r; the fit computes
    # 1 - r^2 as the mean squared deviation from the mean and recovers kappa within the statistical error.
    d, kappa, n = 3, 1e8, 4000
    mu = random_unit(d, 1)
    x = vonmises_fisher(mu, kappa).rvs(n, random_state=3)
    _, kappa_hat = vonmises_fisher.fit(x)
    # For large kappa, 2 kappa (1 - r) ~ chi^2_{n (d-1)} / n: relative sd sqrt(2 / (n (d - 1))) = 1.6 %.
    assert kappa_hat == pytest.approx(kappa, rel=6 * math.sqrt(2 / (n * (d - 1))))


def test_weighted_fit_equals_repeated_rows():
    x = vonmises_fisher(random_unit(6, 3), 4.0).rvs(40, random_state=2)
    counts = np.random.default_rng(0).integers(0, 4, size=40)
    mu_w, k_w = vonmises_fisher.fit(x, weights=counts)
    mu_r, k_r = vonmises_fisher.fit(np.repeat(x, counts, axis=0))
    np.testing.assert_allclose(mu_w, mu_r, rtol=1e-13, atol=1e-15)
    assert k_w == pytest.approx(k_r, rel=1e-12)
    # Scaling the weights changes nothing.
    mu_s, k_s = vonmises_fisher.fit(x, weights=counts * 0.37)
    np.testing.assert_allclose(mu_s, mu_w, rtol=1e-13, atol=1e-15)
    assert k_s == pytest.approx(k_w, rel=1e-12)


def test_float32_input():
    d = 2048
    mu = random_unit(d, 4)
    x64 = vonmises_fisher(mu, 2000.0).rvs(300, random_state=8)
    x32 = (x64 / np.linalg.norm(x64, axis=1, keepdims=True)).astype(np.float32)
    mu32, k32 = vonmises_fisher.fit(x32)
    mu64, k64 = vonmises_fisher.fit(x32.astype(np.float64))
    # float32 data are accumulated in float64: same result as the float64 copy to rounding.
    np.testing.assert_allclose(mu32, mu64, rtol=1e-12, atol=1e-14)
    assert k32 == pytest.approx(k64, rel=1e-12)
    lp32 = vonmises_fisher.logpdf(x32, mu, 2000.0)
    lp64 = vonmises_fisher.logpdf(x32.astype(np.float64), mu, 2000.0)
    assert lp32.dtype == np.float64
    np.testing.assert_allclose(lp32, lp64, rtol=1e-13)


def test_logpdf_shapes():
    mu = unit([1.0, 2.0, 2.0])
    dist = vonmises_fisher(mu, 2.0)
    x = dist.rvs((4, 5), random_state=0)
    assert dist.logpdf(x).shape == (4, 5)
    scalar = dist.logpdf(x[0, 0])
    assert np.ndim(scalar) == 0
    assert scalar == pytest.approx(dist.logpdf(x)[0, 0], rel=1e-15)


# --- bad input ---------------------------------------------------------------------------------------------


def test_bad_parameters_name_the_argument():
    with pytest.raises(ValueError, match="'mu'.*unit vector"):
        vonmises_fisher([1.0, 1.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="'mu'"):
        vonmises_fisher([[1.0, 0.0]], 1.0)
    with pytest.raises(ValueError, match="'mu'"):
        vonmises_fisher([1.0], 1.0)
    with pytest.raises(ValueError, match="'mu'"):
        vonmises_fisher([np.nan, 1.0], 1.0)
    with pytest.raises(ValueError, match="'mu'"):
        vonmises_fisher(None, 1.0)
    with pytest.raises(ValueError, match="'kappa'"):
        vonmises_fisher([1.0, 0.0], -1.0)
    with pytest.raises(ValueError, match="'kappa'"):
        vonmises_fisher([1.0, 0.0], np.nan)
    with pytest.raises(ValueError, match="'kappa'"):
        vonmises_fisher([1.0, 0.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="'kappa'"):
        vonmises_fisher.logpdf([1.0, 0.0], [1.0, 0.0], -0.5)
    with pytest.raises(ValueError, match="'d'"):
        log_normalizer(1, 1.0)
    with pytest.raises(ValueError, match="'d'"):
        mean_resultant_length(2.5, 1.0)
    with pytest.raises(ValueError, match="'kappa'"):
        log_normalizer(3, -1.0)
    with pytest.raises(ValueError, match="'r'"):
        inverse_mean_resultant_length(3, 1.5)
    with pytest.raises(TypeError, match="random_state"):
        vonmises_fisher([1.0, 0.0], 1.0).rvs(3, random_state="seed")


def test_bad_data_name_the_argument():
    mu = unit([1.0, 0.0, 0.0])
    dist = vonmises_fisher(mu, 2.0)
    with pytest.raises(ValueError, match=r"'x' must be unit vectors.*x\[1\] has norm 2"):
        dist.logpdf([[1.0, 0.0, 0.0], [2.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="last axis of 'x' must have length 3"):
        dist.logpdf([[1.0, 0.0]])
    with pytest.raises(ValueError, match="'x' contains NaN"):
        dist.pdf([[np.nan, 0.0, 0.0]])
    with pytest.raises(ValueError, match="'x' must be two dimensional"):
        vonmises_fisher.fit(mu)
    with pytest.raises(ValueError, match="'x' must be unit vectors"):
        vonmises_fisher.fit([[1.0, 0.0], [0.5, 0.0]])
    with pytest.raises(ValueError, match="'x' contains NaN"):
        vonmises_fisher.fit([[1.0, 0.0], [np.nan, 0.0]])
    with pytest.raises(ValueError, match="'weights'"):
        vonmises_fisher.fit([[1.0, 0.0], [0.0, 1.0]], weights=[1.0])
    with pytest.raises(ValueError, match="'weights'"):
        vonmises_fisher.fit([[1.0, 0.0], [0.0, 1.0]], weights=[1.0, -1.0])
    with pytest.raises(ValueError, match="'weights'"):
        vonmises_fisher.fit([[1.0, 0.0], [0.0, 1.0]], weights=[np.nan, 1.0])
    with pytest.raises(ValueError, match="resultant of 'x' is zero"):
        vonmises_fisher.fit([[1.0, 0.0], [-1.0, 0.0]])
    # Within scipy's tolerance (1e-5) a row is accepted.
    assert np.isfinite(dist.logpdf([1.0 + 5e-6, 0.0, 0.0]))


def test_kappa_zero_is_uniform():
    # scipy rejects kappa = 0; numkern accepts it as the uniform distribution on the sphere.
    d = 6
    mu = random_unit(d, 0)
    x = vonmises_fisher(mu, 0.0).rvs(3000, random_state=1)
    np.testing.assert_allclose(vonmises_fisher.logpdf(x, mu, 0.0), log_normalizer(d, 0.0), rtol=1e-15)
    assert abs((x @ mu).mean()) < 5 / math.sqrt(d * 3000)


# --- the fused C++ passes (numkern._stats) -------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 2), (7, 3), (1500, 37), (600, 4099)])
def test_kernels_match_numpy_and_ignore_thread_count(dtype, shape):
    from numkern import _stats

    rng = np.random.default_rng(shape[0])
    x = rng.standard_normal(shape).astype(dtype)
    mu = rng.standard_normal(shape[1])
    w = rng.random(shape[0])
    x64 = x.astype(np.float64)
    dot, sq = _stats.row_dot_sqnorm(x, mu, 1)
    assert np.all(np.abs(dot - x64 @ mu) <= 1e-13 * (np.abs(x64) @ np.abs(mu)))
    np.testing.assert_allclose(sq, np.sum(x64 * x64, axis=1), rtol=1e-13)
    none_dot, sq2 = _stats.row_dot_sqnorm(x, None, 1)
    assert none_dot is None
    np.testing.assert_array_equal(sq2, sq)
    for weights, ref in ((None, x64.sum(axis=0)), (w, w @ x64)):
        total, sq3 = _stats.weighted_column_sum(x, weights, 1)
        np.testing.assert_allclose(total, ref, rtol=1e-11, atol=1e-11 * np.sqrt(shape[0]))
        np.testing.assert_array_equal(sq3, sq)
        dev = _stats.weighted_sq_deviation(x, mu, weights, 1)
        ones = np.ones(shape[0]) if weights is None else weights
        assert dev == pytest.approx(float(ones @ np.sum((x64 - mu) ** 2, axis=1)), rel=1e-12)
        # Thread count does not change a single bit.
        for threads in (2, 3):
            total_t, _ = _stats.weighted_column_sum(x, weights, threads)
            np.testing.assert_array_equal(total_t, total)
            assert _stats.weighted_sq_deviation(x, mu, weights, threads) == dev
    np.testing.assert_array_equal(_stats.row_dot_sqnorm(x, mu, 2)[0], dot)
    # Householder reflection of every row, against the dense matrix I - 2 v v^T / v^T v.
    reflected = x.copy()
    _stats.reflect_rows(reflected, mu, 1)
    dense = np.eye(shape[1]) - 2 * np.outer(mu, mu) / (mu @ mu)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(reflected, x64 @ dense.T, rtol=tol, atol=tol * np.abs(x64).max())
    again = x.copy()
    _stats.reflect_rows(again, mu, 3)
    np.testing.assert_array_equal(again, reflected)


def test_fit_and_logpdf_do_not_depend_on_threads_or_layout():
    mu = random_unit(400, 1)  # 3000 x 400 = 1.2e6 elements: above the kernels' serial cut-off (2^20)
    x = vonmises_fisher(mu, 500.0).rvs(3000, random_state=0)
    one = vonmises_fisher.fit(x, n_threads=1)
    two = vonmises_fisher.fit(x, n_threads=2)
    np.testing.assert_array_equal(one[0], two[0])
    assert one[1] == two[1]
    np.testing.assert_array_equal(
        vonmises_fisher.logpdf(x, mu, 500.0, n_threads=1), vonmises_fisher(mu, 500.0).logpdf(x, n_threads=2)
    )
    # A strided (non-contiguous) view gives the same answer as its contiguous copy.
    wide = np.zeros((3000, 800))
    wide[:, ::2] = x
    np.testing.assert_array_equal(vonmises_fisher.logpdf(wide[:, ::2], mu, 500.0), vonmises_fisher.logpdf(x, mu, 500.0))
    with pytest.raises(ValueError, match="n_threads"):
        vonmises_fisher.fit(x, n_threads=0)
