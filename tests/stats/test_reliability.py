"""Reliability of numkern.stats at extreme parameters and on hostile arguments (issue 18).

References: mpmath at 60 + log10(kappa) digits for the vMF log density and entropy, scipy.stats.vonmises_fisher
where it is accurate (moderate kappa), and the argument rules of numkern._validation (wrong type: TypeError,
bad value: ValueError, the message names the argument).
"""

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import scipy.stats as ss

from numkern.stats import (
    VonMisesFisherMixture,
    inverse_mean_resultant_length,
    log_normalizer,
    mean_resultant_length,
    vonmises_fisher,
)

DIMS = [2, 3, 10, 1000]
KAPPAS = [1e-8, 1.0, 1e3, 1e8, 1e16, 1e300]


def _mp_log_c_plus_kappa_and_entropy(d, kappa):
    """(log C_d(kappa) + kappa, entropy) in mpmath, with enough digits to resolve kappa (1 - A) at kappa = 1e300."""
    with mpmath.workdps(60 + int(max(0.0, np.log10(kappa)))):
        nu = mpmath.mpf(d) / 2 - 1
        k = mpmath.mpf(kappa)
        i_nu = mpmath.besseli(nu, k)
        i_next = mpmath.besseli(nu + 1, k)
        log_c_plus_kappa = nu * mpmath.log(k) - mpmath.mpf(d) / 2 * mpmath.log(2 * mpmath.pi) - mpmath.log(i_nu) + k
        entropy = -log_c_plus_kappa + k * (1 - i_next / i_nu)
        return log_c_plus_kappa, entropy


def _rel_err(got, ref):
    return float(abs((mpmath.mpf(float(got)) - ref) / ref))


@pytest.mark.parametrize("kappa", KAPPAS)
@pytest.mark.parametrize("d", DIMS)
def test_logpdf_pdf_entropy_match_mpmath_for_any_kappa(d, kappa):
    # log C_d + kappa mu^T x used to cancel: at kappa = 1e16 (d = 3) the mode gave 36.0, at 1e300 it gave 0.0.
    log_c_plus_kappa, entropy = _mp_log_c_plus_kappa_and_entropy(d, kappa)
    mu = np.zeros(d)
    mu[-1] = 1.0
    dist = vonmises_fisher(mu, kappa)
    # Measured: at most 3e-15 over this grid (the d = 10, kappa = 1e-8 value carries the cancellation of
    # nu log kappa against log I_nu(kappa), both ~ 77, in the log normaliser itself).
    assert _rel_err(dist.logpdf(mu), log_c_plus_kappa) < 1e-14
    assert _rel_err(vonmises_fisher.logpdf(mu, mu, kappa), log_c_plus_kappa) < 1e-14
    assert _rel_err(dist.entropy(), entropy) < 1e-14
    # A point away from the mode: mu^T x - 1 = -1.8 exactly for these floats (|x| is 1 only to rounding).
    x = np.zeros(d)
    x[0], x[-1] = 0.6, -0.8
    ref_x = log_c_plus_kappa + mpmath.mpf(kappa) * (mpmath.mpf(-0.8) - 1)
    assert _rel_err(dist.logpdf(x), ref_x) < 1e-14
    if float(log_c_plus_kappa) < 700:
        with mpmath.workdps(40):
            assert _rel_err(dist.pdf(mu), mpmath.exp(log_c_plus_kappa)) < 1e-12


def test_issue_values_at_the_mode():
    mu = np.array([0.0, 0.0, 1.0])
    assert vonmises_fisher.logpdf(mu, mu, 1e16) == pytest.approx(35.00348442149539, rel=1e-15)
    assert vonmises_fisher.logpdf(mu, mu, 1e300) == pytest.approx(688.9376508318044, rel=1e-15)
    # The largest kappa the distribution accepts: kappa (1 - A) = (d - 1) / 2 must not overflow or vanish.
    h = vonmises_fisher.entropy([1.0, 0.0], 1e308)
    _, ref = _mp_log_c_plus_kappa_and_entropy(2, 1e308)
    assert _rel_err(h, ref) < 1e-14


@pytest.mark.parametrize("kappa", [0.5, 5.0, 50.0, 500.0])
@pytest.mark.parametrize("d", [2, 3, 10])
def test_logpdf_entropy_match_scipy_at_moderate_kappa(d, kappa):
    mu = np.random.default_rng(d).standard_normal(d)
    mu /= np.linalg.norm(mu)
    x = vonmises_fisher.rvs(mu, kappa, size=200, random_state=0)
    ref = ss.vonmises_fisher(mu, kappa)
    # scipy forms log C + kappa mu^T x directly: its own error is an absolute ~eps kappa.
    np.testing.assert_allclose(vonmises_fisher.logpdf(x, mu, kappa), ref.logpdf(x), rtol=1e-13, atol=8 * kappa * 2e-16)
    assert vonmises_fisher.entropy(mu, kappa) == pytest.approx(ref.entropy(), rel=1e-13, abs=8 * kappa * 2e-16)


def test_logpdf_keeps_scipys_formula_for_rows_off_the_sphere():
    # Rows within the 1e-5 tolerance of the sphere: the value stays log C + kappa mu^T x (scipy's), not the value
    # at the projected point.
    d, kappa = 4, 10.0
    mu = np.array([0.5, 0.5, 0.5, 0.5])
    x = np.array([[0.7, 0.1, -0.1, 0.700005], [0.5, 0.5, 0.5, 0.500004]])
    assert np.all(np.abs(np.linalg.norm(x, axis=1) - 1) < 1e-5)
    log_c_plus_kappa, _ = _mp_log_c_plus_kappa_and_entropy(d, kappa)
    with mpmath.workdps(50):
        for row, got in zip(x, vonmises_fisher.logpdf(x, mu, kappa)):
            dot = mpmath.fsum(mpmath.mpf(float(a)) * mpmath.mpf(float(b)) for a, b in zip(row, mu))
            assert _rel_err(got, log_c_plus_kappa + kappa * (dot - 1)) < 1e-14


def test_logpdf_dtype_and_layout_variants_agree():
    mu = np.array([0.0, 0.6, 0.8])
    x = vonmises_fisher.rvs(mu, 40.0, size=20, random_state=1)
    ref = vonmises_fisher.logpdf(x, mu, 40.0)
    np.testing.assert_array_equal(vonmises_fisher.logpdf(x.astype(">f8"), mu, 40.0), ref)
    np.testing.assert_array_equal(vonmises_fisher.logpdf(x[::-1], mu, 40.0), ref[::-1])
    np.testing.assert_array_equal(vonmises_fisher.logpdf(np.asfortranarray(x), mu, 40.0), ref)
    ro = x.copy()
    ro.flags.writeable = False
    np.testing.assert_array_equal(vonmises_fisher.logpdf(ro, mu, 40.0), ref)
    x16 = np.array([0.0, 0.0, 1.0], dtype=np.float16)
    assert vonmises_fisher.logpdf(x16, mu, 40.0) == vonmises_fisher.logpdf(x16.astype(np.float64), mu, 40.0)
    assert vonmises_fisher.logpdf(np.zeros((0, 3)), mu, 40.0).shape == (0,)


# --- argument types ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2.5, 2.0, "3", b"3", True, (2, 1.5), [2, "1"], np.float64(3.0)])
def test_rvs_size_of_wrong_type_raises_type_error(size):
    with pytest.raises(TypeError, match="'size' must be an integer"):
        vonmises_fisher.rvs([1.0, 0.0], 1.0, size=size, random_state=0)
    with pytest.raises(TypeError, match="'size' must be an integer"):
        vonmises_fisher([1.0, 0.0], 1.0).rvs(size=size, random_state=0)


@pytest.mark.parametrize("size", [-1, (3, -2), np.array([[2]])])
def test_rvs_negative_or_malformed_size_raises_value_error(size):
    with pytest.raises(ValueError, match="'size'"):
        vonmises_fisher.rvs([1.0, 0.0], 1.0, size=size, random_state=0)


@pytest.mark.parametrize(
    "size, shape",
    [(None, (2,)), (3, (3, 2)), (np.int64(3), (3, 2)), ((2, 3), (2, 3, 2)), ([2, 3], (2, 3, 2)), ((), (2,)),
     (0, (0, 2)), (np.array([2, 1]), (2, 1, 2))],
)
def test_rvs_accepts_the_sizes_scipy_accepts(size, shape):
    x = vonmises_fisher.rvs([1.0, 0.0], 5.0, size=size, random_state=0)
    assert x.shape == shape
    np.testing.assert_allclose(np.linalg.norm(x, axis=-1), 1.0, rtol=1e-15)


@pytest.mark.parametrize("kappa", ["3", 1 + 2j, True, None, np.bool_(True), object()])
def test_kappa_of_wrong_type_raises_type_error(kappa):
    with pytest.raises(TypeError, match="'kappa'"):
        vonmises_fisher([1.0, 0.0], kappa)
    with pytest.raises(TypeError, match="'kappa'"):
        vonmises_fisher.logpdf([1.0, 0.0], [1.0, 0.0], kappa)


def test_real_numbers_of_python_types_are_accepted():
    assert vonmises_fisher.entropy([1.0, 0.0], Fraction(1, 2)) == vonmises_fisher.entropy([1.0, 0.0], 0.5)
    assert log_normalizer(np.array([3, 2**70], dtype=object), 1.0)[0] == log_normalizer(3, 1.0)
    assert mean_resultant_length(3, Fraction(1, 2)) == mean_resultant_length(3, 0.5)


def test_overflowing_vectors_are_named():
    with pytest.raises(ValueError, match="'x'.*overflows"):
        vonmises_fisher.logpdf([1e300, 0.0], [1.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="'mu' must be a unit vector.*1e\\+300"):
        vonmises_fisher([1e300, 0.0], 1.0)


@pytest.mark.parametrize(
    "params, exc, name",
    [({"n_components": 2.5}, TypeError, "n_components"), ({"n_components": True}, TypeError, "n_components"),
     ({"max_iter": 10.0}, TypeError, "max_iter"), ({"n_init": "2"}, TypeError, "n_init"),
     ({"tol": "1e-3"}, TypeError, "tol"), ({"tol": -1.0}, ValueError, "tol"), ({"tol": np.nan}, ValueError, "tol"),
     ({"max_concentration": 0.0}, ValueError, "max_concentration"),
     ({"max_concentration": None}, TypeError, "max_concentration"), ({"init_params": ["random"]}, ValueError,
                                                                     "init_params")],
)
def test_mixture_parameter_types(params, exc, name):
    x = vonmises_fisher.rvs([1.0, 0.0, 0.0], 20.0, size=20, random_state=0)
    with pytest.raises(exc, match=f"'{name}'"):
        VonMisesFisherMixture(2, **params).fit(x)


def test_mixture_sample_size_type():
    x = vonmises_fisher.rvs([1.0, 0.0, 0.0], 20.0, size=20, random_state=0)
    model = VonMisesFisherMixture(1, random_state=0).fit(x)
    with pytest.raises(TypeError, match="'n_samples'"):
        model.sample(2.0)
    with pytest.raises(ValueError, match="'n_samples'"):
        model.sample(0)
    assert model.sample(np.int64(3))[0].shape == (3, 3)


def test_broadcast_errors_name_the_arguments():
    with pytest.raises(ValueError, match=r"'d' \(shape \(2,\)\) and 'kappa' \(shape \(3,\)\)"):
        log_normalizer([3, 4], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"'d' \(shape \(2,\)\) and 'kappa'"):
        mean_resultant_length([3, 4], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"'d' \(shape \(2,\)\) and 'r'"):
        inverse_mean_resultant_length([3, 4], [0.1, 0.2, 0.3])
    np.testing.assert_array_equal(log_normalizer([[3], [4]], [1.0, 2.0]).shape, (2, 2))


def test_log_normalizer_at_infinite_kappa_is_its_limit():
    # log C_d(kappa) ~ -kappa + (d - 1)/2 log kappa: -inf in the limit (was nan: inf - inf).
    np.testing.assert_array_equal(log_normalizer([2, 3, 1000], np.inf), -np.inf)
    assert np.isnan(log_normalizer(3, np.nan))


# ------------------------------------------------------------------------------- rvs at kappa near DBL_MAX
@pytest.mark.parametrize("d", [2, 3, 5, 50])
@pytest.mark.parametrize("kappa", [4.6e307, 1e308, 1.7976931348623157e308])
def test_rvs_at_kappa_near_dbl_max(d, kappa):
    # 2 kappa + sqrt(4 kappa^2 + (d-1)^2) overflowed for kappa > ~4.5e307, so Wood's b was 0 and log(g) raised
    # "math domain error". In the limit u = kappa (1 - mu^T x) ~ Gamma((d-1)/2, 1), and Wood's sampler with the
    # same seed accepts the same draws as at kappa = 4e307 (no overflow, the old formula): the scaled tangent
    # parts agree, and their law is the Gamma limit. (mu = e_1: no Householder reflection, whose
    # absolute rounding error of ~1e-16 would swamp tangent parts of size 1/sqrt(kappa).)
    mu = np.eye(d)[0]
    x = vonmises_fisher.rvs(mu, kappa, size=2000, random_state=5)
    ref = vonmises_fisher.rvs(mu, 4e307, size=2000, random_state=5)
    assert x.shape == (2000, d) and np.all(x[:, 0] == 1.0)
    scaled = x[:, 1:] * np.sqrt(kappa)
    # (1 - w ~ 1e-308 is subnormal here, so the tiniest tangent parts keep fewer digits: rtol + atol 1e-6)
    np.testing.assert_allclose(scaled, ref[:, 1:] * np.sqrt(4e307), rtol=1e-6, atol=1e-6)
    u = 0.5 * np.einsum("ij,ij->i", scaled, scaled)  # kappa |x - (mu^T x) mu|^2 / 2 = kappa (1 - w)(1 + w) / 2
    assert ss.kstest(u, ss.gamma((d - 1) / 2).cdf).pvalue > 1e-3


def test_rvs_at_kappa_1e308_with_a_reflected_mean_is_the_mean():
    # The fuzz reproducer: mu = e_3 goes through the Householder reflection; the samples are mu to rounding.
    x = vonmises_fisher.rvs([0.0, 0.0, 1.0], 1e308, size=5, random_state=0)
    np.testing.assert_allclose(x, np.tile([0.0, 0.0, 1.0], (5, 1)), rtol=0, atol=1e-15)


# --------------------------------------------------------------- VonMisesFisherMixture on oversized / bad input
def _zero_stride(shape, value=1.0):
    return np.lib.stride_tricks.as_strided(np.full(1, value), shape=shape, strides=(0, 0), writeable=False)


def test_mixture_refuses_a_normalised_copy_larger_than_memory():
    # A zero-stride view declaring 2^20 x 2^20 entries (8 TiB) used to be read in full by the input validation
    # and the row norms (hours: the fuzz harness's hang); the unit-norm copy fit makes cannot exist, so the
    # estimator now refuses it up front, naming X and the size.
    model = VonMisesFisherMixture(2, random_state=0)
    with pytest.raises(MemoryError, match=r"'X': the unit-norm copy of its 1048576 x 1048576 entries needs 8192\.0 GiB"):
        model.fit_predict(_zero_stride((2**20, 2**20)))


def test_mixture_memory_guard_counts_the_copy(monkeypatch):
    import numkern._validation as nkv

    x = vonmises_fisher.rvs([1.0, 0.0, 0.0], 20.0, size=40, random_state=0)
    ref = VonMisesFisherMixture(2, random_state=0).fit(x)
    monkeypatch.setattr(nkv, "available_memory", lambda: 40 * 3 * 8 - 1)  # one byte short of the float64 copy
    with pytest.raises(ValueError, match=r"'X': the unit-norm copy of its 40 x 3 entries"):
        VonMisesFisherMixture(2, random_state=0).fit(x)
    model = VonMisesFisherMixture(2, random_state=0).fit(x.astype(np.float32))  # float32: half the bytes, fits
    assert model.means_.shape == (2, 3)
    model = VonMisesFisherMixture(2, normalize=False, random_state=0).fit(x)  # no copy: no guard
    np.testing.assert_allclose(model.means_, ref.means_, rtol=1e-12, atol=1e-12)  # rows unit to rounding
    monkeypatch.setattr(nkv, "available_memory", lambda: 40 * 3 * 8)
    np.testing.assert_array_equal(VonMisesFisherMixture(2, random_state=0).fit(x).means_, ref.means_)


def test_mixture_checks_its_parameters_before_reading_x():
    # The hypothesis finding: a bad n_init with a huge X hung in the validation of X. The hyper-parameters are
    # now checked first (scikit-learn's order), so the parameter error comes even when X is also bad.
    x = np.full((4, 3), np.nan)
    with pytest.raises(TypeError, match="'n_init' must be an integer, got the bool True"):
        VonMisesFisherMixture(2, n_init=True).fit(x)
    with pytest.raises(ValueError, match="'max_concentration' must be > 0"):
        VonMisesFisherMixture(2, max_concentration=-1.0).fit(_zero_stride((3, 2**33), 0.5))
    with pytest.raises(ValueError, match=r"'n_components'=5 must be <= n_samples=4"):
        VonMisesFisherMixture(5).fit(np.eye(4))
