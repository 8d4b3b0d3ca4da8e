"""Tests for numkern.stats.VonMisesFisherMixture (EM for mixtures of vMFs)."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
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
        "check_sample_weight_equivalence_on_sparse_data": "the same, for sparse input",
        # scikit-learn's sparse check reads classifier_tags.multi_class whenever predict_proba exists; a density
        # estimator has no classifier tags (None): AttributeError inside the check. Sparse fit / predict /
        # predict_proba are tested against the dense results below.
        "check_estimator_sparse_array": "the check assumes predict_proba means a classifier",
        "check_estimator_sparse_matrix": "the check assumes predict_proba means a classifier",
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


# ------------------------------------------- sparse input, warm_start, weights_init / means_init (issue 19)

def make_tfidf(n=300, d=400, k=3, words=25, seed=0):
    """tf-idf rows of documents drawn from k overlapping topics (CSR, ~6 % non-zero)."""
    rng = np.random.default_rng(seed)
    topics = rng.dirichlet(np.full(d, 0.1), size=k)
    labels = rng.integers(0, k, n)
    counts = np.array([rng.multinomial(words, 0.6 * topics[lab] + 0.4 / d) for lab in labels], dtype=float)
    idf = np.log(n / (1.0 + (counts > 0).sum(axis=0)))
    return sp.csr_matrix(counts * idf)


@pytest.mark.parametrize("container", [sp.csr_matrix, sp.csr_array, sp.csc_matrix, sp.coo_array])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("init_params", ["k-means++", "random"])
def test_sparse_input_gives_the_dense_result(container, dtype, init_params):
    Xs = make_tfidf().astype(dtype)
    Xd = Xs.toarray()
    kw = dict(n_components=3, init_params=init_params, random_state=0, tol=1e-10, max_iter=300)
    dense = VonMisesFisherMixture(**kw).fit(Xd)
    sparse = VonMisesFisherMixture(**kw).fit(container(Xs))
    assert dense.n_iter_ == sparse.n_iter_ > 3  # a real EM run, not an immediate stop
    np.testing.assert_allclose(sparse.means_, dense.means_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(sparse.concentrations_, dense.concentrations_, rtol=1e-12)
    np.testing.assert_allclose(sparse.weights_, dense.weights_, rtol=1e-12)
    assert sparse.lower_bound_ == pytest.approx(dense.lower_bound_, rel=1e-12)
    np.testing.assert_allclose(sparse.score_samples(container(Xs)), dense.score_samples(Xd), rtol=1e-12)
    np.testing.assert_allclose(sparse.predict_proba(Xs), dense.predict_proba(Xd), rtol=1e-10, atol=1e-13)
    assert np.array_equal(sparse.predict(Xs), dense.predict(Xd))
    assert sparse.bic(Xs) == pytest.approx(dense.bic(Xd), rel=1e-12)


def test_sparse_unit_rows_with_normalize_false_and_duplicate_entries():
    Xs = make_tfidf(n=120, seed=2)
    unit = sp.csr_matrix(Xs.multiply(1.0 / np.sqrt(Xs.multiply(Xs).sum(axis=1))))
    # the same matrix with every stored entry split in two duplicates, (a/2) + (a/2) at one position (CSR built
    # from (data, indices, indptr) keeps them: a norm from the stored entries would be 1/sqrt(2))
    dup = sp.csr_matrix((np.repeat(unit.data / 2, 2), np.repeat(unit.indices, 2), 2 * unit.indptr), shape=unit.shape)
    assert not dup.has_canonical_format and dup.nnz == 2 * unit.nnz
    ref = VonMisesFisherMixture(2, normalize=False, random_state=1).fit(unit.toarray())
    for X in (unit, dup):
        m = VonMisesFisherMixture(2, normalize=False, random_state=1).fit(X)
        np.testing.assert_allclose(m.means_, ref.means_, atol=1e-12)
    with pytest.raises(ValueError, match="'X' must have rows of norm 1"):
        VonMisesFisherMixture(2, normalize=False).fit(2 * unit)


def test_sparse_input_is_never_densified():
    # 1000 x 300 000 with 20 entries a row: densely 2.4 GB, sparse 0.3 MB; the fit's peak stays near the means' size.
    import tracemalloc

    rng = np.random.default_rng(0)
    n, d = 1000, 300_000
    X = sp.csr_array((rng.random(n * 20), (np.repeat(np.arange(n), 20), rng.integers(0, d, n * 20))), shape=(n, d))
    tracemalloc.start()
    try:
        model = VonMisesFisherMixture(3, random_state=0).fit(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100e6  # ~36 MB: a few (3, d) float64 arrays
    np.testing.assert_allclose(np.linalg.norm(model.means_, axis=1), 1.0, rtol=1e-13)


def test_sparse_input_without_scikit_learn():
    import subprocess
    import sys

    code = """
import sys
sys.modules["sklearn"] = None
import numpy as np, scipy.sparse as sp
from numkern.stats import VonMisesFisherMixture
rng = np.random.default_rng(0)
X = sp.random(200, 50, density=0.1, random_state=1, format="csr") + sp.eye(200, 50)
a = VonMisesFisherMixture(2, random_state=0).fit(X)
b = VonMisesFisherMixture(2, random_state=0).fit(X.toarray())
assert np.allclose(a.means_, b.means_, rtol=0, atol=1e-12) and a.n_iter_ == b.n_iter_
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def _overlapping_mixture():
    X, labels, means = make_mixture(10, [5.0, 8.0, 12.0], [200, 150, 250], seed=0)
    return X, labels, means


def test_warm_start_continues_where_the_previous_fit_stopped():
    X, _, _ = _overlapping_mixture()
    with pytest.warns(Warning, match="did not converge"):
        six = VonMisesFisherMixture(3, random_state=0, max_iter=6).fit(X)
    warm = VonMisesFisherMixture(3, random_state=0, max_iter=5, warm_start=True)
    with pytest.warns(Warning, match="did not converge"):
        warm.fit(X)
    first = warm.means_.copy()
    with pytest.warns(Warning, match="did not converge"):
        warm.set_params(max_iter=1).fit(X)
    assert warm.n_iter_ == 1 and not np.array_equal(warm.means_, first)
    for attr in ("weights_", "means_", "concentrations_", "lower_bound_", "converged_"):
        assert np.array_equal(getattr(warm, attr), getattr(six, attr)), attr
    # without warm_start the second fit starts over (max_iter=1 from the seeding)
    cold = VonMisesFisherMixture(3, random_state=0, max_iter=5)
    with pytest.warns(Warning, match="did not converge"):
        cold.fit(X)
    with pytest.warns(Warning, match="did not converge"):
        cold.set_params(max_iter=1).fit(X)
    assert not np.allclose(cold.means_, six.means_)
    # run to convergence in warm steps: the same fit as in one go
    full = VonMisesFisherMixture(3, random_state=0, max_iter=500).fit(X)
    steps = VonMisesFisherMixture(3, random_state=0, max_iter=1, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(full.n_iter_):
            steps.fit(X)
    assert steps.converged_ and np.array_equal(steps.means_, full.means_)
    with pytest.raises(ValueError, match="warm_start=True continues from means_ of shape"):
        steps.fit(X[:, :5])


def test_means_init_at_the_true_means_converges_to_them_in_order():
    X, labels, means = make_mixture(16, [40.0, 60.0, 90.0], [300, 250, 350], seed=7)
    model = VonMisesFisherMixture(3, means_init=means, random_state=0).fit(X)
    assert model.converged_
    assert np.all(np.sum(model.means_ * means, axis=1) > 0.99)  # component k is true component k
    assert np.mean(model.predict(X) == labels) > 0.99
    # the same optimum as the seeded fit, up to the component order
    seeded = VonMisesFisherMixture(3, n_init=3, random_state=0).fit(X)
    order = match(seeded.means_, model.means_)
    np.testing.assert_allclose(seeded.means_, model.means_[order], atol=1e-6)
    np.testing.assert_allclose(seeded.concentrations_, model.concentrations_[order], rtol=1e-5)
    # the given means are used as given: scaled rows give the same fit, and no random draw is made
    other = VonMisesFisherMixture(3, means_init=5 * means, random_state=123).fit(X)
    assert np.array_equal(other.means_, model.means_)


def test_weights_init_and_means_init_are_the_starting_point():
    X, _, means = _overlapping_mixture()
    labels = np.argmax(X @ means.T, axis=1)
    own = np.bincount(labels, minlength=3) / len(X)  # what the hard assignment gives anyway
    a = VonMisesFisherMixture(3, means_init=means, max_iter=1)
    b = VonMisesFisherMixture(3, means_init=means, weights_init=own, max_iter=1)
    c = VonMisesFisherMixture(3, means_init=means, weights_init=[0.8, 0.1, 0.1], max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a.fit(X), b.fit(X), c.fit(X)
    np.testing.assert_allclose(b.weights_, a.weights_, rtol=1e-14)
    np.testing.assert_allclose(b.means_, a.means_, rtol=1e-14)
    assert c.weights_[0] > a.weights_[0] + 0.05  # one EM step from weights 0.8 / 0.1 / 0.1


@pytest.mark.parametrize("kwargs, match_", [
    (dict(weights_init=[0.5, 0.5]), r"'weights_init' must have shape \(3,\)"),
    (dict(weights_init=[0.5, 0.6, -0.1]), "'weights_init' must be finite and non-negative"),
    (dict(weights_init=[0.5, 0.2, 0.2]), r"'weights_init' must sum to 1 \(within 1e-6\), got sum 0\.9"),
    (dict(weights_init=[np.nan, 0.5, 0.5]), "'weights_init' must be finite"),
    (dict(means_init=np.eye(3, 10)[:2]), r"'means_init' must have shape \(3, 10\)"),
    (dict(means_init=np.eye(3, 4)), r"'means_init' must have shape \(3, 10\)"),
    (dict(means_init=np.zeros((3, 10))), "'means_init' has a zero row"),
    (dict(means_init=np.full((3, 10), np.inf)), "'means_init' contains NaN"),
    (dict(means_init=2 * np.eye(3, 10), normalize=False), "'means_init' must have rows of norm 1"),
])
def test_bad_inits(kwargs, match_):
    X, _, _ = _overlapping_mixture()
    with pytest.raises(ValueError, match=match_):
        VonMisesFisherMixture(3, **kwargs).fit(X)


def test_bad_init_types():
    X, _, _ = _overlapping_mixture()
    with pytest.raises(TypeError, match="weights_init"):
        VonMisesFisherMixture(3, weights_init=["a", "b", "c"]).fit(X)
    with pytest.raises(TypeError, match="means_init"):
        VonMisesFisherMixture(3, means_init="north").fit(X)
    # within tolerance: accepted and divided by the sum
    m = VonMisesFisherMixture(3, weights_init=[0.5, 0.25, 0.25 + 5e-7], means_init=np.eye(3, 10), max_iter=1,
                              normalize=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(X)
    np.testing.assert_allclose(m.weights_.sum(), 1.0, rtol=1e-15)
