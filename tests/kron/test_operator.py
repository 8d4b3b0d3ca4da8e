"""KroneckerOperator, apply_along and the Cholesky/eigen views against dense numpy/scipy."""

import math

import numpy as np
import pytest
import scipy.linalg as sla
from hypothesis import given
from hypothesis import strategies as st
from scipy.sparse.linalg import cg

from numkern.kron import KroneckerEigh, KroneckerOperator, apply_along, kron_matmul
from numkern.kron.kernels import SpectralMixture

METHODS = ["blas", "blocked", "numpy"]
SHAPES = [
    [(3, 3), (4, 4)],
    [(5, 2), (3, 7)],
    [(2, 3), (4, 4), (3, 5)],
    [(3, 3), (2, 2), (4, 4), (2, 2)],
    [(2, 5), (3, 2), (1, 4), (3, 3)],
]


def dense_kron(factors):
    out = factors[0]
    for f in factors[1:]:
        out = np.kron(out, f)
    return out


def spd(rng, n, cond=10.0):
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return (q * np.geomspace(1.0, 1.0 / cond, n)) @ q.T


@pytest.mark.parametrize("shapes", SHAPES)
@pytest.mark.parametrize("method", METHODS)
def test_matvec_matmat_vs_dense(shapes, method):
    rng = np.random.default_rng(len(shapes))
    factors = [rng.standard_normal(s) for s in shapes]
    op = KroneckerOperator(*factors, method=method)
    dense = dense_kron(factors)
    assert op.shape == dense.shape
    x = rng.standard_normal(dense.shape[1])
    X = rng.standard_normal((dense.shape[1], 3))
    scale = np.abs(dense) @ np.abs(X)
    np.testing.assert_allclose(op @ x, dense @ x, rtol=0, atol=1e-14 * scale.max())
    assert np.max(np.abs(op.matmat(X) - dense @ X) / scale) < 1e-14
    z = rng.standard_normal(dense.shape[0])
    np.testing.assert_allclose(op.T @ z, dense.T @ z, rtol=0, atol=1e-14 * (np.abs(dense.T) @ np.abs(z)).max())
    np.testing.assert_allclose(op.rmatvec(z), dense.T @ z, rtol=0, atol=1e-13)
    np.testing.assert_array_equal(op.todense(), dense)


@pytest.mark.parametrize("method", ["blas", "blocked"])
def test_results_independent_of_thread_count(method):
    rng = np.random.default_rng(5)
    factors = [rng.standard_normal((9, 9)), rng.standard_normal((7, 11)), rng.standard_normal((13, 6))]
    X = rng.standard_normal((9 * 11 * 6, 4))
    y1 = KroneckerOperator(*factors, method=method, n_threads=1).matmat(X)
    y2 = KroneckerOperator(*factors, method=method, n_threads=2).matmat(X)
    if method == "blocked":
        np.testing.assert_array_equal(y1, y2)
    else:
        np.testing.assert_allclose(y1, y2, rtol=1e-14, atol=1e-13)


def test_float32_and_tensor_apply():
    rng = np.random.default_rng(1)
    f32 = [rng.standard_normal((4, 3)).astype(np.float32), rng.standard_normal((2, 5)).astype(np.float32)]
    op = KroneckerOperator(*f32)
    assert op.dtype == np.float32
    x = rng.standard_normal(15).astype(np.float32)
    y = op @ x
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, dense_kron([f.astype(np.float64) for f in f32]) @ x, rtol=1e-5, atol=1e-5)
    # grid tensors in, grid tensors out; batches trail
    T = rng.standard_normal((3, 5, 2))
    out = op.apply(T)
    assert out.shape == (4, 2, 2)
    ref = np.einsum("ai,bj,ijk->abk", *[f.astype(np.float64) for f in f32], T)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    # complex vectors on a real operator
    z = rng.standard_normal(15) + 1j * rng.standard_normal(15)
    np.testing.assert_allclose(op @ z, dense_kron(f32) @ z, rtol=1e-5, atol=1e-5)


def test_kron_matmul_reference():
    rng = np.random.default_rng(2)
    factors = [rng.standard_normal((3, 4)), rng.standard_normal((5, 2))]
    X = rng.standard_normal((8, 3))
    np.testing.assert_allclose(kron_matmul(factors, X), dense_kron(factors) @ X, atol=1e-14)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_apply_along_vs_tensordot(method, axis):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((4, 5, 6))
    n = X.shape[axis]
    M = rng.standard_normal((3, n))
    ref = np.moveaxis(np.tensordot(M, X, axes=(1, axis)), 0, axis)
    np.testing.assert_allclose(apply_along(axis, M, X, method=method), ref, rtol=0, atol=1e-14 * np.abs(ref).max() * 10)
    # non-contiguous input
    Xt = X.transpose(2, 0, 1)
    ref_t = np.moveaxis(np.tensordot(M if Xt.shape[axis] == n else rng.standard_normal((3, Xt.shape[axis])),
                                     Xt, axes=(1, axis)), 0, axis) if Xt.shape[axis] == n else None
    if ref_t is not None:
        np.testing.assert_allclose(apply_along(axis, M, Xt, method=method), ref_t, atol=1e-13)


def test_apply_along_bad_input():
    X = np.ones((3, 4))
    with pytest.raises(ValueError, match="columns"):
        apply_along(0, np.ones((2, 4)), X)
    with pytest.raises(ValueError, match="axis"):
        apply_along(2, np.ones((2, 3)), X)
    with pytest.raises(ValueError, match="2-D"):
        apply_along(0, np.ones(3), X)
    with pytest.raises(ValueError, match="n_threads"):
        apply_along(0, np.ones((2, 3)), X, n_threads=0)
    with pytest.raises(ValueError, match="method"):
        apply_along(0, np.ones((2, 3)), X, method="magic")


def test_operator_bad_input():
    with pytest.raises(ValueError, match="NaN or inf"):
        KroneckerOperator(np.eye(2), np.array([[1.0, np.nan], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="2-D"):
        KroneckerOperator(np.ones(3))
    with pytest.raises(TypeError, match="complex"):
        KroneckerOperator(np.eye(2) * 1j)
    with pytest.raises(ValueError, match="at least one"):
        KroneckerOperator()
    op = KroneckerOperator(np.eye(2), np.ones((3, 4)))
    with pytest.raises(ValueError):
        op @ np.ones(7)
    with pytest.raises(ValueError, match="square"):
        op.cholesky()
    with pytest.raises(ValueError, match="square"):
        op.eigh()
    with pytest.raises(ValueError, match="square"):
        op.diag()
    with pytest.raises(ValueError, match="shape"):
        op.apply(np.ones((2, 3)))
    with pytest.raises(ValueError, match="too large"):
        KroneckerOperator(np.eye(200), np.eye(200)).todense()


def test_diag_trace_and_scipy_cg():
    rng = np.random.default_rng(4)
    factors = [spd(rng, 4), spd(rng, 3), spd(rng, 5)]
    op = KroneckerOperator(*factors)
    dense = dense_kron(factors)
    np.testing.assert_allclose(op.diag(), np.diag(dense), rtol=1e-15)
    assert math.isclose(op.trace(), np.trace(dense), rel_tol=1e-13)
    b = rng.standard_normal(60)
    x, info = cg(op, b, rtol=1e-12, maxiter=500)
    assert info == 0
    np.testing.assert_allclose(dense @ x, b, atol=1e-9)


@pytest.mark.parametrize("shapes", [[4, 5], [3, 4, 5], [2, 3, 2, 3]])
def test_cholesky_solve_logdet_well_conditioned(shapes):
    rng = np.random.default_rng(sum(shapes))
    factors = [spd(rng, n, cond=20.0) for n in shapes]
    dense = dense_kron(factors)
    chol = KroneckerOperator(*factors).cholesky()
    y = rng.standard_normal(dense.shape[0])
    ref = np.linalg.solve(dense, y)
    np.testing.assert_allclose(chol.solve(y), ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
    Y = rng.standard_normal((dense.shape[0], 2))
    np.testing.assert_allclose(chol.solve(Y), np.linalg.solve(dense, Y), atol=1e-11)
    assert math.isclose(chol.logdet(), np.linalg.slogdet(dense)[1], rel_tol=1e-12, abs_tol=1e-11)
    assert math.isclose(chol.inv_quad(y), y @ ref, rel_tol=1e-12)
    # whitening: L L^T = K and L^{-1}
    z = chol.solve_lower(y)
    np.testing.assert_allclose(chol.L @ z, y, atol=1e-12)
    np.testing.assert_allclose(chol.solve_lower(chol.L.T @ y, trans=True), y, atol=1e-12)
    # grid-shaped input keeps its shape
    T = y.reshape(shapes)
    np.testing.assert_allclose(chol.solve(T), ref.reshape(shapes), atol=1e-12 * np.abs(ref).max())


@pytest.mark.parametrize("shapes", [[4, 5], [3, 4, 5], [2, 3, 2, 3]])
@pytest.mark.parametrize("shift", [1e-2, 0.5])
def test_eigh_shifted_solve_logdet_traces(shapes, shift):
    rng = np.random.default_rng(10 + sum(shapes))
    factors = [spd(rng, n, cond=50.0) for n in shapes]
    dense = dense_kron(factors) + shift * np.eye(math.prod(shapes))
    eig = KroneckerOperator(*factors).eigh()
    y = rng.standard_normal(dense.shape[0])
    ref = np.linalg.solve(dense, y)
    np.testing.assert_allclose(eig.solve(y, shift=shift), ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
    assert math.isclose(eig.logdet(shift=shift), np.linalg.slogdet(dense)[1], rel_tol=1e-12, abs_tol=1e-11)
    inv = np.linalg.inv(dense)
    assert math.isclose(eig.trace_inv(shift=shift), np.trace(inv), rel_tol=1e-12)
    np.testing.assert_allclose(eig.diag_inv(shift=shift), np.diag(inv), rtol=1e-11)
    for axis in range(len(shapes)):
        dks = np.stack([spd(rng, shapes[axis]) for _ in range(2)])
        for p in range(2):
            parts = [dks[p] if k == axis else factors[k] for k in range(len(shapes))]
            expected = np.trace(inv @ dense_kron(parts))
            got = eig.trace_inv_times(axis, dks, shift=shift)[p]
            assert math.isclose(got, expected, rel_tol=1e-11, abs_tol=1e-12)
    # unshifted log-det is the exact per-factor sum
    assert math.isclose(eig.logdet(), sum(math.prod(shapes) / n * np.linalg.slogdet(f)[1]
                                           for n, f in zip(shapes, factors)), rel_tol=1e-12)


def test_negative_shift_and_bad_vectors_raise():
    rng = np.random.default_rng(6)
    factors = [spd(rng, 3, cond=10), spd(rng, 4, cond=10)]
    eig = KroneckerOperator(*factors).eigh()
    lam_min = eig.eigenvalues().min()
    with pytest.raises(ValueError, match="not positive definite"):
        eig.solve(np.ones(12), shift=-2 * lam_min)
    with pytest.raises(ValueError, match="not positive definite"):
        eig.logdet(shift=-2 * lam_min)
    # a small negative shift that keeps K + sI positive definite is fine
    assert np.isfinite(eig.logdet(shift=-0.5 * lam_min))
    with pytest.raises(ValueError, match="shape"):
        eig.solve(np.ones(13), shift=0.1)
    chol = KroneckerOperator(*factors).cholesky()
    with pytest.raises(ValueError, match="NaN"):
        chol.solve(np.full(12, np.nan))
    with pytest.raises(np.linalg.LinAlgError, match="factor 1"):
        KroneckerOperator(np.eye(2), -np.eye(3)).cholesky()
    with pytest.raises(ValueError, match="jitter"):
        KroneckerOperator(np.eye(2)).cholesky(jitter=-1.0)
    with pytest.raises(ValueError, match="axis"):
        eig.trace_inv_times(5, np.eye(3))


def gphm_factor(n, freq=8.0, q=10):
    """Badly conditioned spectral-mixture factor like GP-HM's (jitter 1e-6)."""
    x = np.linspace(0.0, 1.0, n)
    return SpectralMixture.initial(q, freq).toeplitz(x) + 1e-6 * np.eye(n)


def test_cholesky_on_badly_conditioned_gphm_factors():
    f1, f2 = gphm_factor(30), gphm_factor(25, freq=5.0)
    assert np.linalg.cond(f1) > 1e6 and np.linalg.cond(f2) > 1e6
    dense = np.kron(f1, f2)
    rng = np.random.default_rng(7)
    y = rng.standard_normal(dense.shape[0])
    chol = KroneckerOperator(f1, f2).cholesky()
    x_kron = chol.solve(y)
    x_dense = sla.cho_solve(sla.cho_factor(dense, lower=True), y)
    res_kron = np.linalg.norm(dense @ x_kron - y) / (np.linalg.norm(dense, 2) * np.linalg.norm(x_kron))
    res_dense = np.linalg.norm(dense @ x_dense - y) / (np.linalg.norm(dense, 2) * np.linalg.norm(x_dense))
    assert res_kron <= 10 * max(res_dense, 1e-16)
    assert res_kron < 1e-14
    # exact unshifted log-det: the per-factor formula (no clamping); the dense Cholesky of the product
    # (cond ~ cond(f1) cond(f2)) agrees only to its own accuracy
    ld_dense = 2 * np.sum(np.log(np.diag(np.linalg.cholesky(dense))))
    assert math.isclose(chol.logdet(), ld_dense, rel_tol=1e-6)
    ld_factors = 25 * 2 * np.sum(np.log(np.diag(np.linalg.cholesky(f1)))) + 30 * 2 * np.sum(
        np.log(np.diag(np.linalg.cholesky(f2))))
    assert math.isclose(chol.logdet(), ld_factors, rel_tol=1e-11)


@given(
    n1=st.integers(1, 5), n2=st.integers(1, 5), m1=st.integers(1, 5), m2=st.integers(1, 5),
    seed=st.integers(0, 2**31 - 1), method=st.sampled_from(METHODS), n_threads=st.sampled_from([1, 2]),
)
def test_property_mixed_product_and_transpose(n1, n2, m1, m2, seed, method, n_threads):
    """(A ⊗ B)(x ⊗ y) = (A x) ⊗ (B y) and <A z, w> = <z, A^T w>, including unit dimensions."""
    rng = np.random.default_rng(seed)
    A, B = rng.standard_normal((m1, n1)), rng.standard_normal((m2, n2))
    x, y = rng.standard_normal(n1), rng.standard_normal(n2)
    op = KroneckerOperator(A, B, method=method, n_threads=n_threads)
    np.testing.assert_allclose(op @ np.kron(x, y), np.kron(A @ x, B @ y), atol=1e-12)
    z, w = rng.standard_normal(n1 * n2), rng.standard_normal(m1 * m2)
    assert math.isclose(np.dot(op @ z, w), np.dot(z, op.T @ w), rel_tol=1e-12, abs_tol=1e-12)


@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), m=st.integers(1, 4), data=st.data(),
    method=st.sampled_from(METHODS), n_threads=st.sampled_from([1, 2]),
)
def test_property_apply_along_matches_tensordot(shape, m, data, method, n_threads):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    rng = np.random.default_rng(len(shape) * 7 + m)
    X = rng.standard_normal(shape)
    M = rng.standard_normal((m, shape[axis]))
    ref = np.moveaxis(np.tensordot(M, X, axes=(1, axis)), 0, axis)
    np.testing.assert_allclose(apply_along(axis, M, X, method=method, n_threads=n_threads), ref, atol=1e-13)


@given(seed=st.integers(0, 2**31 - 1), shift=st.floats(1e-3, 10.0))
def test_property_eigh_solve_inverts(seed, shift):
    rng = np.random.default_rng(seed)
    factors = [spd(rng, 3, cond=100), spd(rng, 4, cond=100)]
    op = KroneckerOperator(*factors)
    eig = op.eigh()
    y = rng.standard_normal(12)
    x = eig.solve(y, shift=shift)
    np.testing.assert_allclose(op @ x + shift * x, y, atol=1e-10 * (1 + 1 / shift))


def test_eigh_class_direct():
    rng = np.random.default_rng(8)
    f = spd(rng, 4)
    eig = KroneckerEigh([f])
    np.testing.assert_allclose(np.sort(eig.eigenvalues()), np.linalg.eigvalsh(f), rtol=1e-13)


def test_unshifted_logdet_vs_mpmath_on_ill_conditioned_factor():
    """log|K_j ⊗ K_j ⊗ K_j| for cond(K_j) ~ 3e9 against a 60-digit determinant of the same float64 matrix."""
    import mpmath as mp

    x = np.linspace(0.0, 1.0, 16)
    K = SpectralMixture.initial(10, 3.0).toeplitz(x) + 1e-9 * np.eye(16)
    assert np.linalg.cond(K) > 1e9
    with mp.workdps(60):
        ref = float(3 * 256 * mp.log(mp.det(mp.matrix(K.tolist()))))
    chol = KroneckerOperator(K, K, K).cholesky()
    err_chol = abs(chol.logdet() - ref)
    assert err_chol < 1e-8 * abs(ref)
    # the eigenvalue route (no clamping, but eigenvalues of an ill-conditioned matrix lose relative accuracy)
    err_eig = abs(KroneckerOperator(K, K, K).eigh().logdet() - ref)
    assert err_chol <= err_eig


def test_cholesky_logdet_gradient_vs_finite_differences():
    rng = np.random.default_rng(11)
    f1, f2 = spd(rng, 4, cond=30), spd(rng, 5, cond=30)
    dks = np.stack([spd(rng, 5), rng.standard_normal((5, 5))])
    dks[1] = dks[1] + dks[1].T
    grad = KroneckerOperator(f1, f2).cholesky().logdet_gradient(1, dks)
    h = 1e-6
    for p in range(2):
        fd = (KroneckerOperator(f1, f2 + h * dks[p]).cholesky().logdet()
              - KroneckerOperator(f1, f2 - h * dks[p]).cholesky().logdet()) / (2 * h)
        assert math.isclose(grad[p], fd, rel_tol=1e-7, abs_tol=1e-7)
    with pytest.raises(ValueError, match="dfactors"):
        KroneckerOperator(f1, f2).cholesky().logdet_gradient(0, dks)


def test_kron_matmat_numpy_is_a_deprecated_alias_of_kron_matmul():
    import numkern.kron as K

    factors = [np.array([[1.0, 2.0], [3.0, 4.0]]), np.eye(2)]
    with pytest.warns(DeprecationWarning, match="kron_matmul"):
        old = K.kron_matmat_numpy(factors, np.arange(4.0))
    np.testing.assert_array_equal(old, K.kron_matmul(factors, np.arange(4.0)))
    assert old.tolist() == [4.0, 7.0, 8.0, 15.0]
    assert "kron_matmat_numpy" not in K.__all__
