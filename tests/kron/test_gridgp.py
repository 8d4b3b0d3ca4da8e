"""GridGP: likelihood, gradient and posterior against a dense GP on small grids."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numkern.kron import GridGP
from numkern.kron.kernels import RBF, Matern, SpectralMixture


def dense_gp(kernels, grids, y, noise, Xs):
    """Dense reference: K = Π_j k_j on all grid pairs."""
    pts = np.stack(np.meshgrid(*grids, indexing="ij"), axis=-1).reshape(-1, len(grids))
    K = np.ones((len(pts), len(pts)))
    Ks = np.ones((len(Xs), len(pts)))
    for j, k in enumerate(kernels):
        K *= k(pts[:, j], pts[:, j])
        Ks *= k(Xs[:, j], pts[:, j])
    C = K + noise * np.eye(len(pts))
    L = np.linalg.cholesky(C)
    alpha = np.linalg.solve(C, y.ravel())
    lml = -0.5 * y.ravel() @ alpha - np.sum(np.log(np.diag(L))) - 0.5 * len(pts) * math.log(2 * math.pi)
    mean = Ks @ alpha
    prior = math.prod(float(k.lag(0.0)) for k in kernels)
    var = prior - np.einsum("pi,ip->p", Ks, np.linalg.solve(C, Ks.T))
    return lml, mean, var, K, pts


def make_problem(d, seed=0):
    rng = np.random.default_rng(seed)
    sizes = [7, 6, 5][:d]
    grids = [np.linspace(0, 1, n) for n in sizes]
    grids[-1] = np.sort(rng.uniform(0, 1, sizes[-1]))  # one non-uniform axis: pairwise construction path
    kernels = [SpectralMixture([0.0, -1.0], [1.0, 0.5], [0.5, 1.5]), RBF(0.4, 1.5), Matern(0.5, 0.8, 2.5)][:d]
    y = rng.standard_normal(sizes)
    return kernels, grids, y


@pytest.mark.parametrize("d", [1, 2, 3])
def test_lml_gradient_and_posterior_vs_dense(d):
    kernels, grids, y = make_problem(d)
    noise = 0.05
    gp = GridGP(kernels, noise=noise, optimize=False).fit(grids, y)
    rng = np.random.default_rng(1)
    Xs = rng.uniform(-0.1, 1.1, (9, d))
    lml, mean, var, K, pts = dense_gp(kernels, grids, y, noise, Xs)
    assert math.isclose(gp.log_marginal_likelihood_value_, lml, rel_tol=1e-11)
    m, s = gp.predict(Xs, return_std=True)
    np.testing.assert_allclose(m, mean, atol=1e-11)
    np.testing.assert_allclose(s**2, var, atol=1e-11)
    # on-grid and grid predictions
    m_grid, s_grid = gp.predict_grid(grids, return_std=True)
    _, mean_g, var_g, _, _ = dense_gp(kernels, grids, y, noise, pts)
    np.testing.assert_allclose(m_grid.ravel(), mean_g, atol=1e-11)
    np.testing.assert_allclose(s_grid.ravel() ** 2, var_g, atol=1e-11)
    # gradient vs central finite differences of the (verified) likelihood
    theta = gp.theta_
    _, grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
    h = 1e-6
    for p in range(theta.size):
        tp, tm = theta.copy(), theta.copy()
        tp[p] += h
        tm[p] -= h
        fd = (gp.log_marginal_likelihood(tp) - gp.log_marginal_likelihood(tm)) / (2 * h)
        assert abs(grad[p] - fd) <= 1e-6 * max(1.0, abs(fd)), (p, grad[p], fd)


def test_gradient_matches_dense_formula():
    """Analytic gradient vs the dense formula 0.5 tr((aa^T - C^{-1}) dC) for every parameter."""
    kernels, grids, y = make_problem(2, seed=3)
    noise = 0.1
    gp = GridGP(kernels, noise=noise, optimize=False).fit(grids, y)
    _, grad = gp.log_marginal_likelihood(eval_gradient=True)
    pts = np.stack(np.meshgrid(*grids, indexing="ij"), axis=-1).reshape(-1, 2)
    mats = [k(pts[:, j], pts[:, j]) for j, k in enumerate(kernels)]
    C = mats[0] * mats[1] + noise * np.eye(len(pts))
    Cinv = np.linalg.inv(C)
    a = Cinv @ y.ravel()
    W = np.outer(a, a) - Cinv
    expected = []
    for j, k in enumerate(kernels):
        dk = k.gradient(pts[:, j], pts[:, j])
        for p in range(k.n_params):
            expected.append(0.5 * np.sum(W * (dk[p] * mats[1 - j])))
    expected.append(0.5 * noise * np.trace(W))
    np.testing.assert_allclose(grad, expected, rtol=1e-9, atol=1e-10)


def test_fit_improves_likelihood_and_predicts():
    g1, g2 = np.linspace(0, 1, 16), np.linspace(0, 1, 12)
    rng = np.random.default_rng(4)
    f = np.sin(6 * g1)[:, None] * np.cos(4 * g2)[None, :]
    y = f + 0.05 * rng.standard_normal(f.shape)
    gp0 = GridGP([RBF(1.0), RBF(1.0)], noise=1.0, optimize=False).fit([g1, g2], y)
    gp = GridGP([RBF(1.0), RBF(1.0)], noise=1.0).fit([g1, g2], y)
    assert gp.optimize_result_ is not None
    assert gp.log_marginal_likelihood_value_ > gp0.log_marginal_likelihood_value_ + 50
    assert 1e-4 < gp.noise_ < 1e-2  # true noise variance 2.5e-3
    xq = np.array([[0.33, 0.71], [0.5, 0.5]])
    truth = np.sin(6 * xq[:, 0]) * np.cos(4 * xq[:, 1])
    mean, std = gp.predict(xq, return_std=True)
    assert np.all(np.abs(mean - truth) < 0.05)
    assert np.all(std < 0.1)
    # normalize_y gives the same posterior mean shape of fit
    gpn = GridGP([RBF(1.0), RBF(1.0)], noise=1.0, normalize_y=True).fit([g1, g2], y + 3.0)
    assert np.all(np.abs(gpn.predict(xq) - truth - 3.0) < 0.05)


def test_fixed_noise():
    g = [np.linspace(0, 1, 8), np.linspace(0, 1, 9)]
    y = np.random.default_rng(0).standard_normal((8, 9))
    gp = GridGP([RBF(0.5), RBF(0.5)], noise=0.3, fit_noise=False, max_iter=20).fit(g, y)
    assert math.isclose(gp.noise_, 0.3, rel_tol=1e-12)


def test_bad_input():
    g = [np.linspace(0, 1, 4), np.linspace(0, 1, 5)]
    y = np.zeros((4, 5))
    with pytest.raises(ValueError, match="shape"):
        GridGP([RBF(), RBF()], optimize=False).fit(g, np.zeros((5, 4)))
    with pytest.raises(ValueError, match="NaN"):
        GridGP([RBF(), RBF()], optimize=False).fit(g, np.full((4, 5), np.nan))
    with pytest.raises(ValueError, match="grids"):
        GridGP([RBF()], optimize=False).fit(g, y)
    with pytest.raises(ValueError, match="noise"):
        GridGP([RBF(), RBF()], noise=-1.0).fit(g, y)
    with pytest.raises(TypeError, match="Kernel1D"):
        GridGP([RBF(), "rbf"]).fit(g, y)
    gp = GridGP([RBF(), RBF()], optimize=False).fit(g, y)
    with pytest.raises(ValueError, match=r"\(P, 2\)"):
        gp.predict(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="theta"):
        gp.log_marginal_likelihood(np.zeros(2))


@given(seed=st.integers(0, 10_000), noise=st.floats(1e-3, 1.0), ell=st.floats(0.1, 2.0))
def test_property_axis_permutation_invariance(seed, noise, ell):
    """Swapping the grid axes (and the kernels with them) leaves the likelihood unchanged and permutes the
    gradient blocks."""
    rng = np.random.default_rng(seed)
    g1, g2 = np.linspace(0, 1, 5), np.linspace(-1, 1, 4)
    y = rng.standard_normal((5, 4))
    k1, k2 = RBF(ell, 1.3), Matern(0.7, 0.9, 1.5)
    a = GridGP([k1, k2], noise=noise, optimize=False).fit([g1, g2], y)
    b = GridGP([k2, k1], noise=noise, optimize=False).fit([g2, g1], y.T)
    la, ga = a.log_marginal_likelihood(eval_gradient=True)
    lb, gb = b.log_marginal_likelihood(eval_gradient=True)
    assert math.isclose(la, lb, rel_tol=1e-12, abs_tol=1e-12)
    np.testing.assert_allclose(ga, np.concatenate([gb[2:4], gb[0:2], gb[4:]]), rtol=1e-10, atol=1e-11)
    np.testing.assert_allclose(a.predict_grid([g1, g2]), b.predict_grid([g2, g1]).T, atol=1e-12)


@pytest.mark.parametrize("method, args", [("predict", (np.zeros((1, 2)),)),
                                          ("predict_grid", ([np.zeros(2), np.zeros(3)],)),
                                          ("log_marginal_likelihood", ())])
def test_methods_before_fit_raise_sklearns_not_fitted_error(method, args):
    # was RuntimeError; scikit-learn's NotFittedError is a ValueError and an AttributeError (issue 19)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match=r"This GridGP instance is not fitted yet; call fit\(grids, y\) first"):
        getattr(GridGP([RBF(), RBF()]), method)(*args)


# ------------------------------------------------------------------------- verbose and ConvergenceWarning (issue 19)

def _noisy_grid():
    g1, g2 = np.linspace(0, 1, 12), np.linspace(0, 1, 10)
    y = np.sin(6 * g1)[:, None] * np.cos(4 * g2)[None, :] + 0.05 * np.random.default_rng(4).standard_normal((12, 10))
    return [g1, g2], y


def test_verbose_prints_every_lbfgsb_iteration_and_changes_nothing(capsys):
    grids, y = _noisy_grid()
    quiet = GridGP([RBF(1.0), RBF(1.0)], noise=1.0).fit(grids, y)
    assert capsys.readouterr().out == ""
    loud = GridGP([RBF(1.0), RBF(1.0)], noise=1.0, verbose=1).fit(grids, y)
    lines = capsys.readouterr().out.splitlines()
    its = [line for line in lines if line.startswith("Iteration ")]
    assert len(its) == loud.optimize_result_.nit > 2
    assert [int(line.split(":")[0].split()[1]) for line in its] == list(range(1, len(its) + 1))
    last = float(its[-1].split("likelihood ")[1])
    assert last == pytest.approx(loud.log_marginal_likelihood_value_, rel=1e-5)  # the final iterate's value
    assert lines[-1].startswith(f"L-BFGS-B stopped after {loud.optimize_result_.nit} iterations")
    np.testing.assert_array_equal(loud.theta_, quiet.theta_)
    np.testing.assert_array_equal(loud.alpha_, quiet.alpha_)


def test_max_iter_that_stops_the_optimiser_warns():
    from sklearn.exceptions import ConvergenceWarning

    grids, y = _noisy_grid()
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        gp = GridGP([RBF(1.0), RBF(1.0)], noise=1.0, max_iter=2).fit(grids, y)
    assert gp.optimize_result_.nit == 2
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GridGP([RBF(1.0), RBF(1.0)], noise=1.0).fit(grids, y)  # converges well within 200 iterations
        GridGP([RBF(1.0), RBF(1.0)], noise=1.0, max_iter=0).fit(grids, y)  # no optimisation asked for


def test_bad_verbose():
    grids, y = _noisy_grid()
    with pytest.raises(TypeError, match="verbose must be an integer"):
        GridGP([RBF(), RBF()], verbose=0.5).fit(grids, y)
    with pytest.raises(ValueError, match="verbose must be >= 0"):
        GridGP([RBF(), RBF()], verbose=-1).fit(grids, y)
