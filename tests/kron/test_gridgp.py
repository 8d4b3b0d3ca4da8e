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
    gp = GridGP(kernels, noise=noise, optimize=False).fit_grid(grids, y)
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
    gp = GridGP(kernels, noise=noise, optimize=False).fit_grid(grids, y)
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
    gp0 = GridGP([RBF(1.0), RBF(1.0)], noise=1.0, optimize=False).fit_grid([g1, g2], y)
    gp = GridGP([RBF(1.0), RBF(1.0)], noise=1.0).fit_grid([g1, g2], y)
    assert gp.optimize_result_ is not None
    assert gp.log_marginal_likelihood_value_ > gp0.log_marginal_likelihood_value_ + 50
    assert 1e-4 < gp.noise_ < 1e-2  # true noise variance 2.5e-3
    xq = np.array([[0.33, 0.71], [0.5, 0.5]])
    truth = np.sin(6 * xq[:, 0]) * np.cos(4 * xq[:, 1])
    mean, std = gp.predict(xq, return_std=True)
    assert np.all(np.abs(mean - truth) < 0.05)
    assert np.all(std < 0.1)
    # normalize_y gives the same posterior mean shape of fit
    gpn = GridGP([RBF(1.0), RBF(1.0)], noise=1.0, normalize_y=True).fit_grid([g1, g2], y + 3.0)
    assert np.all(np.abs(gpn.predict(xq) - truth - 3.0) < 0.05)


def test_fixed_noise():
    g = [np.linspace(0, 1, 8), np.linspace(0, 1, 9)]
    y = np.random.default_rng(0).standard_normal((8, 9))
    gp = GridGP([RBF(0.5), RBF(0.5)], noise=0.3, fit_noise=False, max_iter=20).fit_grid(g, y)
    assert math.isclose(gp.noise_, 0.3, rel_tol=1e-12)


def test_bad_input():
    g = [np.linspace(0, 1, 4), np.linspace(0, 1, 5)]
    y = np.zeros((4, 5))
    with pytest.raises(ValueError, match="shape"):
        GridGP([RBF(), RBF()], optimize=False).fit_grid(g, np.zeros((5, 4)))
    with pytest.raises(ValueError, match="NaN"):
        GridGP([RBF(), RBF()], optimize=False).fit_grid(g, np.full((4, 5), np.nan))
    with pytest.raises(ValueError, match="grids"):
        GridGP([RBF()], optimize=False).fit_grid(g, y)
    with pytest.raises(ValueError, match="noise"):
        GridGP([RBF(), RBF()], noise=-1.0).fit_grid(g, y)
    with pytest.raises(TypeError, match="Kernel1D"):
        GridGP([RBF(), "rbf"]).fit_grid(g, y)
    gp = GridGP([RBF(), RBF()], optimize=False).fit_grid(g, y)
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
    a = GridGP([k1, k2], noise=noise, optimize=False).fit_grid([g1, g2], y)
    b = GridGP([k2, k1], noise=noise, optimize=False).fit_grid([g2, g1], y.T)
    la, ga = a.log_marginal_likelihood(eval_gradient=True)
    lb, gb = b.log_marginal_likelihood(eval_gradient=True)
    assert math.isclose(la, lb, rel_tol=1e-12, abs_tol=1e-12)
    # components are sums of terms up to |g|_max in size: their rounding is relative to that, not to themselves
    # (seed 352, noise 1e-3: a 0.097 component beside 2470 differed by 2e-11)
    np.testing.assert_allclose(ga, np.concatenate([gb[2:4], gb[0:2], gb[4:]]), rtol=1e-10,
                               atol=1e-12 * np.abs(gb).max())
    np.testing.assert_allclose(a.predict_grid([g1, g2]), b.predict_grid([g2, g1]).T, atol=1e-12)


@pytest.mark.parametrize("method, args", [("predict", (np.zeros((1, 2)),)),
                                          ("predict_grid", ([np.zeros(2), np.zeros(3)],)),
                                          ("log_marginal_likelihood", ())])
def test_methods_before_fit_raise_sklearns_not_fitted_error(method, args):
    # was RuntimeError; scikit-learn's NotFittedError is a ValueError and an AttributeError (issue 19)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match=r"This GridGP instance is not fitted yet; call fit\(X, y\) first"):
        getattr(GridGP([RBF(), RBF()]), method)(*args)


# ------------------------------------------------------------------------- verbose and ConvergenceWarning (issue 19)

def _noisy_grid():
    g1, g2 = np.linspace(0, 1, 12), np.linspace(0, 1, 10)
    y = np.sin(6 * g1)[:, None] * np.cos(4 * g2)[None, :] + 0.05 * np.random.default_rng(4).standard_normal((12, 10))
    return [g1, g2], y


def test_verbose_prints_every_lbfgsb_iteration_and_changes_nothing(capsys):
    grids, y = _noisy_grid()
    quiet = GridGP([RBF(1.0), RBF(1.0)], noise=1.0).fit_grid(grids, y)
    assert capsys.readouterr().out == ""
    loud = GridGP([RBF(1.0), RBF(1.0)], noise=1.0, verbose=1).fit_grid(grids, y)
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
        gp = GridGP([RBF(1.0), RBF(1.0)], noise=1.0, max_iter=2).fit_grid(grids, y)
    assert gp.optimize_result_.nit == 2
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GridGP([RBF(1.0), RBF(1.0)], noise=1.0).fit_grid(grids, y)  # converges well within 200 iterations
        GridGP([RBF(1.0), RBF(1.0)], noise=1.0, max_iter=0).fit_grid(grids, y)  # no optimisation asked for


def test_bad_verbose():
    grids, y = _noisy_grid()
    with pytest.raises(TypeError, match="verbose must be an integer"):
        GridGP([RBF(), RBF()], verbose=0.5).fit_grid(grids, y)
    with pytest.raises(ValueError, match="verbose must be >= 0"):
        GridGP([RBF(), RBF()], verbose=-1).fit_grid(grids, y)


# ------------------------------------------------------------------------------- scikit-learn estimator API (issue 19)

def _grid_points(grids, y, seed=None):
    """The (N, d) points of a tensor grid and y (N,), rows shuffled when seed is given."""
    X = np.stack(np.meshgrid(*grids, indexing="ij"), axis=-1).reshape(-1, len(grids))
    yf = np.asarray(y).ravel()
    if seed is not None:
        perm = np.random.default_rng(seed).permutation(len(X))
        X, yf = X[perm], yf[perm]
    return X, yf


def _fitted_state(gp):
    return [gp.theta_, gp.alpha_, np.array([gp.noise_, gp.log_marginal_likelihood_value_]), *gp.grids_]


@pytest.mark.parametrize("kwargs", [dict(), dict(normalize_y=True), dict(optimize=False)])
def test_fit_on_shuffled_grid_points_equals_fit_grid_bit_for_bit(kwargs):
    (g1, g2), y = _noisy_grid()
    ref = GridGP([RBF(0.5), Matern(0.4, nu=1.5)], noise=0.1, **kwargs).fit_grid([g1, g2], y)
    X, yf = _grid_points([g1, g2], y, seed=3)
    gp = GridGP([RBF(0.5), Matern(0.4, nu=1.5)], noise=0.1, **kwargs).fit(X, yf)
    for a, b in zip(_fitted_state(gp), _fitted_state(ref)):
        assert np.array_equal(a, b)
    Xq = np.random.default_rng(1).random((6, 2))
    for a, b in zip(gp.predict(Xq, return_std=True), ref.predict(Xq, return_std=True)):
        assert np.array_equal(a, b)
    assert gp.n_features_in_ == 2


def test_old_call_style_warns_and_gives_the_same_result():
    grids, y = _noisy_grid()
    ref = GridGP([RBF(1.0), RBF(1.0)], noise=1.0).fit_grid(grids, y)
    with pytest.warns(FutureWarning, match=r"fit\(grids, y\) with a sequence of 1-D grids is deprecated.*fit_grid"):
        old = GridGP([RBF(1.0), RBF(1.0)], noise=1.0).fit(grids, y)
    for a, b in zip(_fitted_state(old), _fitted_state(ref)):
        assert np.array_equal(a, b)
    with pytest.warns(FutureWarning):  # flat y and tuple of grids, as before
        old = GridGP([RBF(1.0), RBF(1.0)], noise=1.0).fit(tuple(grids), y.ravel())
    assert np.array_equal(old.alpha_, ref.alpha_)


def test_points_that_are_not_a_full_grid_are_refused():
    X, y = _grid_points([np.linspace(0, 1, 4), np.linspace(0, 1, 3)], np.arange(12.0))
    gp = GridGP(optimize=False)
    with pytest.raises(ValueError, match=r"does not form a full tensor grid: its columns take 4 x 3"):
        gp.fit(X[:-1], y[:-1])  # one grid point missing
    with pytest.raises(ValueError, match="does not form a full tensor grid"):
        gp.fit(np.vstack([X[:-1], X[:1]]), y)  # one point twice, one missing: right count, not a grid
    with pytest.raises(ValueError, match="does not form a full tensor grid"):
        gp.fit(np.random.default_rng(0).random((12, 2)), y)  # scattered points
    with pytest.raises(ValueError, match=r"y must have shape \(12,\)"):
        gp.fit(X, y.reshape(4, 3))
    with pytest.raises(ValueError, match="2 features .* for 3 kernels"):
        GridGP([RBF(), RBF(), RBF()]).fit(X, y)
    with pytest.raises(ValueError, match="2-D array"):
        gp.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="requires y"):
        gp.fit(X, None)
    gp.fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but GridGP is expecting 2 features"):
        gp.predict(np.zeros((2, 3)))


def test_default_kernels_are_one_rbf_per_axis():
    grids, y = _noisy_grid()
    X, yf = _grid_points(grids, y)
    a = GridGP(noise=0.5).fit(X, yf)
    b = GridGP([RBF(1.0), RBF(1.0)], noise=0.5).fit(X, yf)
    assert [type(k) for k in a.kernels_] == [RBF, RBF]
    assert np.array_equal(a.theta_, b.theta_) and np.array_equal(a.alpha_, b.alpha_)
    assert a.kernels is None  # the parameter itself is left alone


def test_score_is_r2_like_gaussian_process_regressor():
    from sklearn.metrics import r2_score

    grids, y = _noisy_grid()
    X, yf = _grid_points(grids, y)
    gp = GridGP(noise=0.1).fit(X, yf)
    rng = np.random.default_rng(2)
    Xt = rng.random((40, 2))
    yt = np.sin(6 * Xt[:, 0]) * np.cos(4 * Xt[:, 1])
    w = rng.random(40)
    assert math.isclose(gp.score(Xt, yt), r2_score(yt, gp.predict(Xt)), rel_tol=1e-13)
    assert math.isclose(gp.score(Xt, yt, sample_weight=w), r2_score(yt, gp.predict(Xt), sample_weight=w),
                        rel_tol=1e-13)
    assert gp.score(Xt, yt) > 0.95  # the field is smooth: a good fit
    assert gp.score(Xt, np.full(40, 2.0)) == r2_score(np.full(40, 2.0), gp.predict(Xt)) == 0.0


def test_params_clone_and_set_params():
    from sklearn.base import clone

    kernels = [RBF(0.3), Matern(0.5)]
    gp = GridGP(kernels, 0.2, max_iter=7)
    assert gp.kernels is kernels  # stored as given (clone checks identity)
    params = gp.get_params()
    assert params["kernels"] is kernels and params["noise"] == 0.2 and params["max_iter"] == 7
    assert set(params) == {"kernels", "noise", "optimize", "fit_noise", "noise_bounds", "max_iter", "normalize_y",
                           "n_threads", "verbose"}
    twin = clone(gp)
    assert twin.kernels is not kernels and [repr(k) for k in twin.kernels] == [repr(k) for k in kernels]
    assert twin.set_params(noise=0.5).noise == 0.5 and gp.noise == 0.2


def test_gridsearchcv_with_slice_folds():
    from sklearn.model_selection import GridSearchCV, GroupKFold

    g1, g2 = np.linspace(0, 1, 9), np.linspace(0, 1, 6)
    y = np.sin(5 * g1)[:, None] * np.cos(3 * g2)[None, :] + 0.1 * np.random.default_rng(5).standard_normal((9, 6))
    X, yf = _grid_points([g1, g2], y, seed=0)
    noises = [1e-3, 1e-1, 10.0]
    cv = GroupKFold(n_splits=3)  # leaves out whole slices x_1 = const: every training set is a grid
    search = GridSearchCV(GridGP([RBF(0.3), RBF(0.4)], optimize=False), {"noise": noises}, cv=cv)
    search.fit(X, yf, groups=X[:, 0])
    expected = []
    for noise in noises:
        scores = []
        for train, test in cv.split(X, yf, groups=X[:, 0]):
            gp = GridGP([RBF(0.3), RBF(0.4)], noise=noise, optimize=False).fit(X[train], yf[train])
            scores.append(gp.score(X[test], yf[test]))
        expected.append(np.mean(scores))
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], expected, rtol=1e-12)
    assert search.best_params_ == {"noise": noises[int(np.argmax(expected))]}
    assert np.array_equal(search.best_estimator_.predict(X[:5]),
                          GridGP([RBF(0.3), RBF(0.4)], noise=search.best_params_["noise"], optimize=False)
                          .fit(X, yf).predict(X[:5]))


def test_check_estimator_passes_with_the_declared_inapplicable_checks():
    from sklearn.utils.estimator_checks import check_estimator

    with np.errstate(all="ignore"):
        results = check_estimator(GridGP(), expected_failed_checks=GridGP.GRID_INAPPLICABLE_CHECKS, on_fail=None,
                                  on_skip=None)
    status = {}
    for r in results:
        status.setdefault(r["check_name"], set()).add(r["status"])
    failed = {name for name, s in status.items() if "failed" in s}
    assert not failed
    # every declared check really is inapplicable (fails without the declaration), and the rest pass
    declared = [name for name in GridGP.GRID_INAPPLICABLE_CHECKS if name in status]  # as this sklearn names them
    assert len(declared) >= 20 and all(status[name] == {"xfail"} for name in declared)
    assert {"check_get_params_invariance", "check_set_params", "check_estimator_repr", "check_no_attributes_set_in_init",
            "check_parameters_default_constructible", "check_estimators_unfitted",
            "check_estimators_empty_data_messages", "check_requires_y_none"} <= {
        name for name, s in status.items() if s == {"passed"}}


def test_grid_versions_of_the_inapplicable_checks():
    # What the scattered-data checks test, on grid data: pickling, idempotent fit, parameters untouched,
    # row-order invariance of predict, fit returns self.
    import pickle

    grids, y = _noisy_grid()
    X, yf = _grid_points(grids, y, seed=1)
    gp = GridGP(noise=0.3, max_iter=30)
    before = repr(gp.get_params())
    assert gp.fit(X, yf) is gp
    assert repr(gp.get_params()) == before
    Xq = np.random.default_rng(7).random((9, 2))
    mean, std = gp.predict(Xq, return_std=True)
    loaded = pickle.loads(pickle.dumps(gp))
    assert all(np.array_equal(a, b) for a, b in zip(loaded.predict(Xq, return_std=True), (mean, std)))
    again = gp.fit(X, yf).predict(Xq)
    assert np.array_equal(again, mean)
    perm = np.arange(9)[::-1]
    assert np.array_equal(gp.predict(Xq[perm]), mean[perm])
    assert np.array_equal(gp.predict(Xq[:4]), mean[:4])


def test_import_numkern_kron_does_not_load_sklearn():
    import subprocess
    import sys

    code = ("import sys, numkern.kron; assert 'sklearn' not in sys.modules; "
            "from numkern.kron import GridGP; from sklearn.base import BaseEstimator, RegressorMixin; "
            "assert issubclass(GridGP, BaseEstimator) and issubclass(GridGP, RegressorMixin); print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_without_sklearn_gridgp_is_a_plain_estimator(monkeypatch):
    import importlib
    import sys

    monkeypatch.setitem(sys.modules, "sklearn", None)  # any import of scikit-learn now fails
    monkeypatch.delitem(sys.modules, "numkern.kron._gridgp", raising=False)
    module = importlib.import_module("numkern.kron._gridgp")
    assert not module._HAVE_SKLEARN
    gp = module.GridGP([RBF(1.0), RBF(1.0)], noise=1.0, max_iter=5)
    assert gp.get_params()["max_iter"] == 5 and gp.set_params(max_iter=3) is gp and gp.max_iter == 3
    with pytest.raises(ValueError, match="invalid parameter 'maxiter'"):
        gp.set_params(maxiter=3)
    grids, y = _noisy_grid()
    X, yf = _grid_points(grids, y)
    with pytest.warns(Warning, match="max_iter=3"):  # numkern's ConvergenceWarning without scikit-learn
        gp.fit(X, yf)
    ref = GridGP([RBF(1.0), RBF(1.0)], noise=1.0, max_iter=3)
    with pytest.warns(Warning, match="max_iter=3"):
        ref.fit_grid(grids, y)
    assert np.array_equal(gp.alpha_, ref.alpha_)
    assert math.isclose(gp.score(X, yf), 1 - np.sum((yf - gp.predict(X)) ** 2) / np.sum((yf - yf.mean()) ** 2),
                        rel_tol=1e-14)
