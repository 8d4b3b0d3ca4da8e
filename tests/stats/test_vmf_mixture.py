"""Tests for numkern.stats.VonMisesFisherMixture (EM for mixtures of vMFs)."""

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from numkern.stats import VonMisesFisherMixture, log_normalizer, vonmises_fisher


def make_mixture(d, kappas, counts, seed=0):
    rng = np.random.default_rng(seed)
    means = np.linalg.qr(rng.standard_normal((d, len(kappas))))[0].T  # orthonormal mean directions
    parts = [vonmises_fisher(m, k).rvs(n, random_state=rng) for m, k, n in zip(means, kappas, counts)]
    labels = np.repeat(np.arange(len(kappas)), counts)
    return np.vstack(parts), labels, means


def match(model_means, true_means):
    # Component order is arbitrary: map each fitted component to the closest true mean.
    return np.argmax(model_means @ true_means.T, axis=1)


@pytest.mark.parametrize("d", [3, 256, 4096])
def test_em_recovers_components(d):
    kappas = np.array([30.0, 80.0, 200.0]) * max(1.0, d / 10)
    counts = [150, 250, 400]
    X, labels, means = make_mixture(d, kappas, counts, seed=d)
    model = VonMisesFisherMixture(3, n_init=2, random_state=0).fit(X)
    order = match(model.means_, means)
    assert sorted(order) == [0, 1, 2]
    np.testing.assert_allclose(model.weights_, np.array(counts)[order] / sum(counts), atol=0.03)
    np.testing.assert_allclose(model.concentrations_, kappas[order], rtol=0.15)
    assert np.all(np.sum(model.means_ * means[order], axis=1) > 0.95)
    assert np.mean(order[model.predict(X)] == labels) > 0.97
    assert model.converged_


def test_em_log_likelihood_matches_direct_formula():
    X, _, _ = make_mixture(5, [10.0, 40.0], [100, 100], seed=1)
    model = VonMisesFisherMixture(2, random_state=1).fit(X)
    d = X.shape[1]
    direct = np.log(
        sum(
            w * np.exp(log_normalizer(d, k) + k * X @ m)
            for w, k, m in zip(model.weights_, model.concentrations_, model.means_)
        )
    )
    np.testing.assert_allclose(model.score_samples(X), direct, rtol=1e-12, atol=1e-13)
    assert model.score(X) == pytest.approx(model.lower_bound_, rel=1e-12)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-14)
    # One component: the mixture is the single-distribution MLE.
    single = VonMisesFisherMixture(1).fit(X)
    mu, kappa = vonmises_fisher.fit(X)
    np.testing.assert_allclose(single.means_[0], mu, atol=1e-13)
    assert single.concentrations_[0] == pytest.approx(kappa, rel=1e-12)


def test_em_is_reproducible_and_float32():
    X, _, _ = make_mixture(64, [200.0, 600.0], [120, 80], seed=3)
    a = VonMisesFisherMixture(2, random_state=5).fit(X)
    b = VonMisesFisherMixture(2, random_state=5).fit(X)
    np.testing.assert_array_equal(a.means_, b.means_)
    c = VonMisesFisherMixture(2, random_state=5).fit(X.astype(np.float32))
    order = match(c.means_, a.means_)
    np.testing.assert_allclose(c.concentrations_, a.concentrations_[order], rtol=1e-4)
    samples, lab = a.sample(50)
    assert samples.shape == (50, 64) and lab.shape == (50,)
    np.testing.assert_allclose(np.linalg.norm(samples, axis=1), 1.0, rtol=1e-13)


def test_sample_weight_equals_repetition():
    X, _, _ = make_mixture(8, [20.0, 50.0], [60, 60], seed=4)
    sw = np.random.default_rng(0).integers(1, 4, size=X.shape[0])
    # Random-free initialisation would be needed for exact equality; with well separated clusters EM converges
    # to the same optimum from either start.
    wm = VonMisesFisherMixture(2, random_state=0, tol=1e-12, max_iter=500).fit(X, sample_weight=sw)
    rm = VonMisesFisherMixture(2, random_state=0, tol=1e-12, max_iter=500).fit(np.repeat(X, sw, axis=0))
    order = match(wm.means_, rm.means_)
    np.testing.assert_allclose(wm.concentrations_, rm.concentrations_[order], rtol=1e-7)
    np.testing.assert_allclose(wm.weights_, rm.weights_[order], rtol=1e-7)


def test_bad_parameters():
    X, _, _ = make_mixture(4, [10.0], [20])
    with pytest.raises(ValueError, match="'n_components'"):
        VonMisesFisherMixture(0).fit(X)
    with pytest.raises(ValueError, match="'n_components'"):
        VonMisesFisherMixture(50).fit(X)
    with pytest.raises(ValueError, match="'init_params'"):
        VonMisesFisherMixture(2, init_params="kmeans").fit(X)
    with pytest.raises(ValueError, match="'X' must have rows of norm 1"):
        VonMisesFisherMixture(2, normalize=False).fit(2 * X)
    with pytest.raises(ValueError, match="'sample_weight'"):
        VonMisesFisherMixture(2).fit(X, sample_weight=-np.ones(len(X)))


@parametrize_with_checks(
    [VonMisesFisherMixture(2, random_state=0)],
    expected_failed_checks=lambda est: {
        # k-means++ seeding draws with probabilities proportional to the weights, so weighted and repeated data
        # consume the random stream differently; EM may then stop in a different local optimum.
        "check_sample_weight_equivalence_on_dense_data": "random seeding differs between weighted and repeated data",
    },
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_works_without_scikit_learn():
    # scikit-learn is not a runtime dependency: with it blocked, the estimator falls back to its own validation.
    import subprocess
    import sys

    code = """
import sys
sys.modules["sklearn"] = None  # any import of scikit-learn now fails
import numpy as np
from numkern.stats import VonMisesFisherMixture, vonmises_fisher
X = np.vstack([vonmises_fisher(m, 300.0).rvs(100, random_state=i) for i, m in enumerate(np.eye(16)[:2])])
model = VonMisesFisherMixture(2, random_state=0).fit(X)
assert sorted(np.round(model.weights_, 2).tolist()) == [0.5, 0.5]
assert model.get_params()["n_components"] == 2
try:
    model.predict(X[:, :3])
except ValueError as exc:
    assert "features" in str(exc)
else:
    raise AssertionError("dimension mismatch not detected")
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score_samples", "score", "bic", "sample"])
def test_methods_before_fit_raise_not_fitted(method, monkeypatch):
    # with scikit-learn: its NotFittedError; without it (blocked here): numkern's stand-in with the same bases,
    # where this used to be a plain ValueError (issue 19)
    import sys

    from sklearn.exceptions import NotFittedError

    import numkern._validation
    import numkern.stats._vmf_mixture as mod

    X = np.eye(3)[:2]
    call = (lambda m: m.sample(2)) if method == "sample" else (lambda m: getattr(m, method)(X))
    with pytest.raises(NotFittedError, match="This VonMisesFisherMixture instance is not fitted yet"):
        call(VonMisesFisherMixture(2))
    monkeypatch.setattr(mod, "_HAVE_SKLEARN", False)
    monkeypatch.setitem(sys.modules, "sklearn.exceptions", None)
    with pytest.raises(numkern._validation.NotFittedError,
                       match="This VonMisesFisherMixture instance is not fitted yet; call 'fit' first") as info:
        call(VonMisesFisherMixture(2))
    assert isinstance(info.value, ValueError) and isinstance(info.value, AttributeError)


# ------------------------------------------------------------------------- verbose and ConvergenceWarning (issue 19)

def test_verbose_prints_every_em_iteration_and_changes_nothing(capsys):
    X, _, _ = make_mixture(5, [30.0, 30.0], [80, 80], seed=3)
    quiet = VonMisesFisherMixture(2, n_init=2, random_state=0).fit(X)
    assert capsys.readouterr().out == ""
    loud = VonMisesFisherMixture(2, n_init=2, random_state=0, verbose=1).fit(X)
    lines = capsys.readouterr().out.splitlines()
    assert lines.count("Initialization 1") == 1 and lines.count("Initialization 2") == 1
    iterations = [line for line in lines if line.startswith("Iteration ")]
    finals = [line for line in lines if line.startswith("EM ")]
    assert len(finals) == 2
    # every run numbers its iterations 1..n_iter; one of the two runs is the kept one
    assert loud.n_iter_ in [int(f.split(" after ")[1].split()[0]) for f in finals]
    assert sum(int(f.split(" after ")[1].split()[0]) for f in finals) == len(iterations)
    assert any(float(f.split("lower bound ")[1]) == pytest.approx(loud.lower_bound_, rel=1e-5) for f in finals)
    for name in ("weights_", "means_", "concentrations_", "lower_bound_", "n_iter_", "converged_"):
        np.testing.assert_array_equal(getattr(loud, name), getattr(quiet, name))


def test_verbose_lower_bounds_increase(capsys):
    X, _, _ = make_mixture(4, [20.0, 50.0], [60, 90], seed=1)
    model = VonMisesFisherMixture(2, random_state=2, tol=1e-10, verbose=True).fit(X)
    bounds = [float(line.split("lower bound ")[1].split(",")[0]) for line in capsys.readouterr().out.splitlines()
              if line.startswith("Iteration ")]
    assert len(bounds) == model.n_iter_
    assert np.all(np.diff(bounds) >= -1e-6)  # EM never lowers the likelihood


def test_max_iter_without_convergence_warns():
    from sklearn.exceptions import ConvergenceWarning

    X, _, _ = make_mixture(4, [20.0, 50.0], [60, 90], seed=1)
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        model = VonMisesFisherMixture(2, random_state=2, tol=0.0, max_iter=2).fit(X)
    assert not model.converged_ and model.n_iter_ == 2
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert VonMisesFisherMixture(2, random_state=2).fit(X).converged_


def test_bad_verbose():
    X, _, _ = make_mixture(3, [20.0], [30])
    with pytest.raises(TypeError, match="verbose must be an integer"):
        VonMisesFisherMixture(1, verbose="yes").fit(X)
    with pytest.raises(ValueError, match="verbose"):
        VonMisesFisherMixture(1, verbose=-2).fit(X)


def test_convergence_warning_without_scikit_learn(monkeypatch):
    # scikit-learn blocked: numkern's stand-in (a UserWarning) is warned instead of sklearn's class
    import sys

    from numkern._validation import ConvergenceWarning, convergence_warning

    X, _, _ = make_mixture(4, [20.0, 50.0], [60, 90], seed=1)
    monkeypatch.setitem(sys.modules, "sklearn.exceptions", None)
    assert convergence_warning() is ConvergenceWarning and issubclass(ConvergenceWarning, UserWarning)
    with pytest.warns(ConvergenceWarning, match="did not converge") as record:
        VonMisesFisherMixture(2, random_state=2, tol=0.0, max_iter=3).fit(X)
    assert [type(w.message) for w in record] == [ConvergenceWarning]
