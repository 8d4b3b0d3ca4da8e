"""Hostile arguments to numkern.kron: clear errors naming the argument, no NaN from overflow (issue 18)."""

import math

import numpy as np
import pytest

from numkern.kron import GridGP, KroneckerOperator, apply_along
from numkern.kron.kernels import RBF, Matern, SpectralMixture, differentiation_matrix, uniform_spacing

KERNELS = [lambda **kw: RBF(**kw), lambda **kw: Matern(nu=0.5, **kw), lambda **kw: Matern(nu=1.5, **kw),
           lambda **kw: Matern(nu=2.5, **kw)]


# ------------------------------------------------------------------------------------------------- operator
@pytest.fixture
def op():
    return KroneckerOperator(np.array([[1.0, 2.0], [3.0, 4.0]]), np.ones((3, 3)))


@pytest.mark.parametrize("bad", ["abcdef", None, list("abcdef"), np.array(list("abcdef")), b"ab"])
def test_operator_products_reject_non_numbers(op, bad):
    with pytest.raises(TypeError):
        op @ bad
    for method in (op.matvec, op.dot, op.rmatvec):
        with pytest.raises(TypeError, match="x"):
            method(bad)
    with pytest.raises(TypeError, match="X"):
        op.matmat(bad)
    with pytest.raises(TypeError, match="X"):
        op.apply(bad)


def test_operator_matmul_string_is_a_typeerror_naming_the_operand(op):
    with pytest.raises(TypeError, match="operand"):
        op @ "abcdef"
    with pytest.raises(TypeError, match="operand"):
        "abcdef" @ op


def test_operator_numeric_inputs_still_work(op):
    dense = np.kron(op.factors[0], op.factors[1])
    v = np.arange(6.0)
    np.testing.assert_allclose(op @ v.astype(object), dense @ v, rtol=1e-15)
    np.testing.assert_allclose(op @ np.ones(6, bool), dense @ np.ones(6), rtol=1e-15)
    np.testing.assert_allclose(op @ v.astype(">f8")[::-1], dense @ v[::-1], rtol=1e-15)
    np.testing.assert_allclose(op @ (v + 2j * v), dense @ v + 2j * (dense @ v), rtol=1e-15)
    assert isinstance(op.dot(2.0) @ v, np.ndarray)  # scipy's scalar scaling passes through


def test_operator_argument_types(op):
    with pytest.raises(TypeError, match="max_size"):
        op.todense(max_size="big")
    square = KroneckerOperator(2 * np.eye(2), np.eye(3))
    with pytest.raises(TypeError, match="jitter"):
        square.cholesky(jitter="1")
    eig = square.eigh()
    for bad in ["1", 1j, np.ones(2)]:
        with pytest.raises(TypeError, match="shift"):
            eig.solve(np.ones(6), bad)
        with pytest.raises(TypeError, match="shift"):
            eig.logdet(bad)
    with pytest.raises(TypeError, match="axis"):
        square.cholesky().logdet_gradient("0", np.eye(2))
    with pytest.raises(TypeError, match="axis"):
        eig.trace_inv_times(1.0, np.eye(3))
    with pytest.raises(TypeError, match="y"):
        eig.solve("abcdef")


def test_factorised_solves_keep_the_imaginary_part():
    # The complex right-hand side was cast to float64 (imaginary part dropped, ComplexWarning).
    k1 = np.array([[2.0, 0.5], [0.5, 1.0]])
    k2 = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.5]])
    dense = np.kron(k1, k2)
    y = np.arange(6.0) + 1j * np.cos(np.arange(6.0))
    square = KroneckerOperator(k1, k2)
    np.testing.assert_allclose(square.cholesky().solve(y), np.linalg.solve(dense, y), rtol=1e-13)
    np.testing.assert_allclose(square.eigh().solve(y, 0.5), np.linalg.solve(dense + 0.5 * np.eye(6), y),
                               rtol=1e-13)
    with pytest.raises(TypeError, match="real"):
        square.cholesky().inv_quad(y)


def test_apply_along_argument_types():
    X = np.ones((2, 3))
    with pytest.raises(TypeError, match="axis"):
        apply_along("0", np.eye(2), X)
    with pytest.raises(TypeError, match="axis"):
        apply_along(1.0, np.eye(3), X)
    with pytest.raises(TypeError, match="M"):
        apply_along(0, "ab", X)
    with pytest.raises(TypeError, match="X"):
        apply_along(0, np.eye(2), "ab")


# -------------------------------------------------------------------------------------------------- kernels
@pytest.mark.parametrize("make", KERNELS)
@pytest.mark.parametrize("bad, exc", [("1", TypeError), (True, TypeError), (1j, TypeError), (None, TypeError),
                                      (np.array([1.0, 2.0]), TypeError), (0.0, ValueError), (-1.0, ValueError),
                                      (np.nan, ValueError), (np.inf, ValueError)])
def test_lengthscale_and_variance(make, bad, exc):
    # Arrays gave numpy's "truth value is ambiguous", strings a comparison TypeError, True was accepted.
    for name in ("lengthscale", "variance"):
        with pytest.raises(exc, match=name):
            make(**{name: bad})


@pytest.mark.parametrize("make", KERNELS)
@pytest.mark.parametrize("ell", [1e-300, 1e-160, 1e-31, 1e31, 1e300])
def test_lengthscale_outside_the_supported_range(make, ell):
    # 1e-300 was accepted and then died with ZeroDivisionError (RBF) or gave NaN matrices (Matern).
    with pytest.raises(ValueError, match="lengthscale"):
        make(lengthscale=ell)


@pytest.mark.parametrize("make", KERNELS)
@pytest.mark.parametrize("ell", [1e-30, 1e30])
@pytest.mark.parametrize("h", [1e-30, 1e-10, 1.0, 1e10, 1e30])
def test_range_ends_give_no_nan(make, ell, h):
    k = make(lengthscale=ell)
    x = np.arange(6) * h
    for order in range(k.max_order + 1):
        K, dK = k.toeplitz(x, dx=order, gradient=True)
        assert not np.isnan(K).any() and not np.isnan(dK).any()


def test_tiny_lengthscale_values():
    # exp(-(r / l)^2 / 2) at r = 0 is the variance; all other lags vanish; the 2nd derivative at 0 is -var / l^2.
    k = RBF(lengthscale=1e-30, variance=2.0)
    x = np.linspace(0.0, 1.0, 4)
    np.testing.assert_array_equal(k.toeplitz(x), 2.0 * np.eye(4))
    d2 = k.toeplitz(x, dx=2)
    assert d2[0, 0] == pytest.approx(-2.0 / 1e-60, rel=1e-14)
    np.testing.assert_array_equal(d2 - np.diag(np.diag(d2)), 0.0)  # was NaN (inf * 0) off the diagonal
    np.testing.assert_array_equal(k.toeplitz(x, dx=8) - np.diag(np.diag(k.toeplitz(x, dx=8))), 0.0)
    # Huge lengthscale: constant kernel.
    np.testing.assert_allclose(Matern(lengthscale=1e30, variance=3.0).toeplitz(x), 3.0, rtol=1e-15)


def test_zero_d_array_lengthscale_is_a_scalar():
    assert RBF(np.array(0.5)).theta[0] == pytest.approx(math.log(0.5), rel=1e-15)


def test_matern_nu_and_spectral_mixture_arguments():
    with pytest.raises(TypeError, match="nu"):
        Matern(nu="2.5")
    with pytest.raises(TypeError, match="nu"):
        Matern(nu=np.array([2.5]))
    with pytest.raises(TypeError, match="envelope"):
        SpectralMixture([0.0], [0.0], [1.0], envelope=np.array(["gaussian"]))
    with pytest.raises(TypeError, match="envelope"):
        SpectralMixture([0.0], [0.0], [1.0], envelope=None)
    with pytest.raises(TypeError, match="log_weights"):
        SpectralMixture(["a"], [0.0], [1.0])
    with pytest.raises(TypeError, match="log_weights"):
        SpectralMixture([1j], [0.0], [1.0])
    with pytest.raises(TypeError, match="n_components"):
        SpectralMixture.initial(2.5)
    with pytest.raises(TypeError, match="max_frequency"):
        SpectralMixture.initial(3, "4")


@pytest.mark.parametrize("theta, name", [([800.0], "log_weight_0"), ([0.0], None)])
def test_spectral_mixture_log_parameters_out_of_range(theta, name):
    if name is None:
        assert SpectralMixture(theta, [0.0], [1.0]).lag(0.0) == pytest.approx(1.0, rel=1e-15)
        return
    with pytest.raises(ValueError, match=name):  # was OverflowError from math.exp
        SpectralMixture(theta, [0.0], [1.0])


@pytest.mark.parametrize("log_scale", [800.0, -800.0, 70.0, -70.0])
def test_spectral_mixture_log_scale_out_of_range(log_scale):
    # 800: OverflowError; -800: ZeroDivisionError (complex division by zero) when evaluated.
    for envelope in ("gaussian", "matern52"):
        with pytest.raises(ValueError, match="log_scale_0"):
            SpectralMixture([0.0], [log_scale], [1.0], envelope=envelope)


def test_with_theta_checks_the_range():
    k = RBF(0.5)
    with pytest.raises(ValueError, match="log_lengthscale"):
        k.with_theta([-800.0, 0.0])  # was ZeroDivisionError on first use
    with pytest.raises(TypeError, match="theta"):
        k.with_theta(["a", "b"])
    assert k.with_theta([math.log(0.25), 0.0]).lag(0.25) == pytest.approx(math.exp(-0.5), rel=1e-15)


@pytest.mark.parametrize("bad", [1.0, True, "1", 1.5])
def test_derivative_orders_must_be_integers(bad):
    k = RBF(0.3)
    with pytest.raises(TypeError, match="order"):
        k.lag(0.5, bad)
    with pytest.raises(TypeError, match="dx"):
        k(np.ones(3), None, bad)
    with pytest.raises(TypeError, match="dy"):
        k.toeplitz(np.linspace(0, 1, 3), dy=bad)


def test_bool_order_was_garbage():
    # lag(0.5, True) indexed the derivative stack with a boolean mask and returned a (1, 2) array.
    with pytest.raises(TypeError):
        RBF(0.3).lag(0.5, True)
    assert RBF(0.3).lag(0.5, 1) == pytest.approx(-0.5 / 0.09 * math.exp(-0.125 / 0.09), rel=1e-14)


def test_points_must_be_real_numbers():
    k = Matern(0.3)
    with pytest.raises(TypeError, match="x"):
        k("abc")
    with pytest.raises(TypeError, match="r"):
        k.lag(1j)
    with pytest.raises(TypeError, match="x"):
        k(np.ones(3, bool))
    with pytest.raises(TypeError, match="rtol"):
        uniform_spacing(np.linspace(0, 1, 5), "a")


def test_differentiation_matrix_arguments():
    x = np.linspace(0, 1, 5)
    with pytest.raises(TypeError, match="jitter"):
        differentiation_matrix(RBF(0.3), x, 1, "1e-6")
    with pytest.raises(TypeError, match="kernel"):
        differentiation_matrix(None, x)
    with pytest.raises(TypeError, match="dx"):
        differentiation_matrix(RBF(0.3), x, 1.5)


# ---------------------------------------------------------------------------------------------------- GridGP
@pytest.mark.parametrize("kwargs, exc, name", [
    (dict(noise="1"), TypeError, "noise"), (dict(noise=np.nan), ValueError, "noise"),
    (dict(noise_bounds="ab"), TypeError, "noise_bounds"), (dict(noise_bounds=(1e-3,)), ValueError, "noise_bounds"),
    (dict(noise_bounds=(None, 1.0)), TypeError, "noise_bounds"), (dict(max_iter=2.5), TypeError, "max_iter"),
])
def test_gridgp_parameters(kwargs, exc, name):
    g = np.linspace(0, 1, 4)
    with pytest.raises(exc, match=name):
        GridGP([RBF(0.3)], **kwargs).fit_grid([g], np.sin(g))


def test_gridgp_data_types():
    g = np.linspace(0, 1, 4)
    with pytest.raises(TypeError, match="y"):
        GridGP([RBF(0.3)], optimize=False).fit_grid([g], np.sin(g) + 1j)
    with pytest.raises(TypeError, match=r"grids\[0\]"):
        GridGP([RBF(0.3)], optimize=False).fit_grid([list("abcd")], np.sin(g))
    gp = GridGP([RBF(0.3)], optimize=False).fit_grid([g], np.sin(g))
    with pytest.raises(TypeError, match="X"):
        gp.predict(np.array([["a"]]))


# ------------------------------------------------------------------------------------------ fuzz findings (issue 24)
F1 = np.array([[2.0, 0.5], [0.5, 1.0]])
F2 = np.array([[1.0, 0.2, 0.0], [0.2, 1.5, 0.1], [0.0, 0.1, 1.0]])
X6 = np.array([1.0, 2.0, 0.0, -1.0, 0.5, 3.0])


@pytest.mark.parametrize("factors", [None, "abc", 3, object(), np.array(1.0)])
def test_kron_matmul_factors_of_the_wrong_type(factors):
    from numkern.kron import kron_matmul

    with pytest.raises(TypeError, match="factors"):
        kron_matmul(factors, X6)


@pytest.mark.parametrize("factors", [[], [np.array([1.0, 2.0])], [np.zeros((0, 0))], [F1, np.ones((3, 3, 1))]])
def test_kron_matmul_factors_of_the_wrong_shape(factors):
    from numkern.kron import kron_matmul

    with pytest.raises(ValueError, match="factors"):
        kron_matmul(factors, X6)


@pytest.mark.parametrize("x,exc", [(None, TypeError), ("abc", TypeError), (np.array(1.0), ValueError),
                                   (np.ones(5), ValueError), (np.ones((2, 3)), ValueError),
                                   (np.ones((6, 1, 1)), ValueError)])
def test_kron_matmul_x_checked(x, exc):
    from numkern.kron import kron_matmul

    with pytest.raises(exc, match="x"):
        kron_matmul([F1, F2], x)


def test_kron_matmul_huge_factor_with_a_short_x():
    from numkern.kron import kron_matmul

    huge = np.broadcast_to(1.0, (1 << 20, 1 << 20))
    with pytest.raises(ValueError, match="x has 6 rows"):
        kron_matmul([huge], X6)


def test_kron_matmul_values_unchanged_and_lists_accepted():
    from numkern.kron import kron_matmul

    dense = np.kron(F1, F2)
    np.testing.assert_allclose(kron_matmul([F1, F2], X6), dense @ X6, rtol=1e-14)
    X = np.arange(12.0).reshape(6, 2)
    np.testing.assert_allclose(kron_matmul((F1.tolist(), F2.tolist()), X), dense @ X, rtol=1e-14)
    empty = kron_matmul([F1, F2[:2]], np.ones((6, 0)))
    assert empty.shape == (4, 0) and empty.dtype == np.float64


@pytest.mark.parametrize("factors", [None, 3, "abc"])
def test_factorisations_reject_a_non_sequence_naming_factors(factors):
    from numkern.kron import KroneckerCholesky, KroneckerEigh

    for cls in (KroneckerCholesky, KroneckerEigh):
        with pytest.raises(TypeError, match="factors"):
            cls(factors)


def test_factorisations_reject_no_factors():
    from numkern.kron import KroneckerCholesky, KroneckerEigh

    for cls in (KroneckerCholesky, KroneckerEigh):
        with pytest.raises(ValueError, match="factors"):
            cls([])


def test_eigh_of_too_many_factors_is_refused_before_computing(monkeypatch):
    # 64 factors of size 2: a 2**64-entry eigenvalue grid; it used to build ever larger outer products (a hang).
    import time

    from numkern.kron import KroneckerEigh

    t0 = time.perf_counter()
    with pytest.raises(MemoryError, match="factors"):
        KroneckerEigh([np.eye(2)] * 64)
    assert time.perf_counter() - t0 < 2.0
    e = KroneckerEigh([F1, F2])  # small grids unchanged
    np.testing.assert_allclose(e.solve(X6, shift=0.1), np.linalg.solve(np.kron(F1, F2) + 0.1 * np.eye(6), X6),
                               rtol=1e-12)


@pytest.mark.parametrize("grids", [None, 3, "ab"])
def test_gridgp_grids_not_a_sequence(grids):
    gp = GridGP([RBF(0.5), RBF(0.5)], noise=0.1, max_iter=2)
    with pytest.raises(TypeError, match="grids"):
        gp.fit(grids, np.zeros((5, 3)))
    fitted = GridGP([RBF(0.5), RBF(0.5)], noise=0.1, max_iter=2).fit_grid(
        [np.linspace(0, 1, 5), np.linspace(0, 1, 3)], np.sin(np.arange(15.0)).reshape(5, 3))
    with pytest.raises(TypeError, match="grids"):
        fitted.predict_grid(grids)


@pytest.mark.parametrize("nu", [True, "1.0", "2.5", None])
def test_matern_nu_of_the_wrong_type(nu):
    with pytest.raises(TypeError, match="nu"):
        Matern(0.5, 1.0, nu=nu)
