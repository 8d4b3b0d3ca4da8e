"""The scikit-learn estimator: sklearn's own conformance checks plus label/medoid consistency."""

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from numkern.cluster import KMedoids, pam, pairwise_dissimilarity  # noqa: E402


def _expected_failures(estimator):
    failures = {}
    if estimator.metric == "precomputed":
        # check_clustering feeds raw 50 x 2 data, not a dissimilarity matrix, to every clusterer.
        reason = "check_clustering passes non-square raw data to a metric='precomputed' estimator"
        failures["check_clustering"] = reason
        failures["check_clustering(readonly_memmap=True)"] = reason
    if estimator.method == "fasterpam":
        # Random choices depend on n, which differs between weighted and repeated data; the deterministic
        # methods (pam/fastpam1 with BUILD) pass this check, and test_weights.py tests the equivalence.
        failures["check_sample_weight_equivalence_on_dense_data"] = "randomised method: draws depend on n"
    return failures


@parametrize_with_checks(
    [
        KMedoids(n_clusters=3, random_state=0),
        KMedoids(n_clusters=3, method="pam"),
        KMedoids(n_clusters=3, metric="precomputed", method="fastpam1"),
        KMedoids(n_clusters=2, method="fastclara", random_state=0),
    ],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _blobs(seed=0, n=60):
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]])
    return np.concatenate([c + rng.normal(size=(n // 3, 2)) for c in centers])


@pytest.mark.parametrize("method", ["fasterpam", "pam", "fastpam2", "alternating", "fastclara", "fastclarans"])
@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine", "sqeuclidean"])
def test_predict_matches_labels_and_medoids(method, metric):
    X = _blobs(1) + 20.0  # shifted so that cosine separates something
    model = KMedoids(3, metric=metric, method=method, random_state=3).fit(X)
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    np.testing.assert_array_equal(model.labels_[model.medoid_indices_], np.arange(3))
    np.testing.assert_array_equal(model.cluster_centers_, X[model.medoid_indices_])
    D = pairwise_dissimilarity(X, metric=metric)
    np.testing.assert_allclose(model.inertia_, D[model.medoid_indices_].min(axis=0).sum(), rtol=1e-12)
    np.testing.assert_allclose(model.transform(X), D[:, model.medoid_indices_], rtol=1e-12, atol=1e-12)


def test_precomputed_equals_raw_and_function():
    X = _blobs(2)
    D = pairwise_dissimilarity(X)
    raw = KMedoids(3, method="pam").fit(X)
    pre = KMedoids(3, metric="precomputed", method="pam").fit(D)
    np.testing.assert_array_equal(raw.medoid_indices_, pre.medoid_indices_)
    np.testing.assert_array_equal(pre.predict(D), pre.labels_)
    assert pre.cluster_centers_ is None
    assert pre.inertia_ == pam(D, 3).loss


def test_callable_metric_matches_builtin():
    X = _blobs(3, n=30)
    a = KMedoids(3, metric=lambda x, y: float(np.abs(x - y).sum()), method="pam").fit(X)
    b = KMedoids(3, metric="manhattan", method="pam").fit(X)
    np.testing.assert_array_equal(a.medoid_indices_, b.medoid_indices_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def test_estimator_errors():
    X = _blobs(4, n=30)
    with pytest.raises(ValueError, match="n_clusters"):
        KMedoids(0).fit(X)
    with pytest.raises(ValueError, match="n_clusters"):
        KMedoids(31).fit(X)
    with pytest.raises(ValueError, match="method"):
        KMedoids(2, method="kmeans").fit(X)
    with pytest.raises(ValueError, match="square"):
        KMedoids(2, metric="precomputed").fit(X)
    with pytest.raises(ValueError, match="metric"):
        KMedoids(2, metric="mahalanobis").fit(X)  # hamming became a metric name (issue 22)


@pytest.mark.parametrize("method", ["predict", "transform"])
def test_methods_before_fit_raise_not_fitted(method):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="This KMedoids instance is not fitted yet"):
        getattr(KMedoids(2), method)(np.zeros((3, 2)))


# ------------------------------------------------------------------------- verbose and ConvergenceWarning (issue 19)

def _summary(line):
    """(n_iter, n_swap, loss) from 'method: N iterations, S swaps, loss L'."""
    _, rest = line.split(": ")
    parts = rest.split(", ")
    return int(parts[0].split()[0]), int(parts[1].split()[0]), float(parts[2].split()[1])


@pytest.mark.parametrize("method", ["pam", "fasterpam", "alternating", "fastclara"])
def test_verbose_prints_the_final_summary_and_changes_nothing(method, capsys):
    X = _blobs(4)
    quiet = KMedoids(3, method=method, random_state=1).fit(X)
    assert capsys.readouterr().out == ""
    loud = KMedoids(3, method=method, random_state=1, verbose=1).fit(X)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{method}: ")
    n_iter, n_swap, loss = _summary(lines[0])
    assert n_iter == loud.n_iter_ and loss == pytest.approx(loud.inertia_, rel=1e-5)
    np.testing.assert_array_equal(loud.medoid_indices_, quiet.medoid_indices_)
    assert loud.inertia_ == quiet.inertia_ and loud.n_iter_ == quiet.n_iter_


def test_pam_function_verbose_reports_swaps(capsys):
    D = pairwise_dissimilarity(_blobs(5))
    res = pam(D, 3, verbose=True)
    assert _summary(capsys.readouterr().out.strip())[:2] == (res.n_iter, res.n_swap)
    with pytest.raises(TypeError, match="verbose"):
        pam(D, 3, verbose=1.5)
    with pytest.raises(ValueError, match="verbose"):
        pam(D, 3, verbose=-1)


def test_max_iter_that_stops_the_swaps_warns():
    from sklearn.exceptions import ConvergenceWarning

    D = pairwise_dissimilarity(_blobs(5))
    full = pam(D, 3, init="first")
    assert full.n_swap >= 2  # from the first three points (one blob) PAM needs several swaps
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        one = pam(D, 3, init="first", max_iter=1)
    assert (one.n_iter, one.n_swap) == (1, 1) and one.loss > full.loss
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        KMedoids(3, method="fastpam1", init="first", max_iter=1).fit(_blobs(5))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pam(D, 3, init="first", max_iter=full.n_iter)  # the last iteration found no swap: converged
        pam(D, 3, init="first", max_iter=full.n_iter + 5)
        pam(D, 3, init="first", max_iter=0)


# ------------------------------------------------- score, feature names, set_output, check_estimator (issue 19)


def test_score_is_negative_loss():
    X = _blobs(5)
    model = KMedoids(3, method="pam").fit(X)
    np.testing.assert_allclose(model.score(X), -model.inertia_, rtol=1e-13)
    new = _blobs(6, n=30) + 0.5
    D = pairwise_dissimilarity(new, X[model.medoid_indices_])
    np.testing.assert_allclose(model.score(new), -D.min(axis=1).sum(), rtol=1e-13)
    w = np.random.default_rng(7).integers(0, 4, size=len(X)).astype(float)
    weighted = KMedoids(3, method="pam").fit(X, sample_weight=w)
    np.testing.assert_allclose(weighted.score(X, sample_weight=w), -weighted.inertia_, rtol=1e-13)
    # integer weights = repeated samples, also when scoring
    repeated = np.repeat(X, w.astype(int), axis=0)
    np.testing.assert_allclose(weighted.score(X, sample_weight=w), weighted.score(repeated), rtol=1e-13)
    # precomputed: rows = new samples, columns = training samples
    Dtrain = pairwise_dissimilarity(X)
    pre = KMedoids(3, metric="precomputed", method="pam").fit(Dtrain)
    assert pre.score(Dtrain) == -Dtrain[:, pre.medoid_indices_].min(axis=1).sum()
    np.testing.assert_allclose(pre.score(Dtrain), -pre.inertia_, rtol=1e-13)
    with pytest.raises(ValueError, match="sample_weight"):
        model.score(X, sample_weight=np.ones(3))


def test_grid_search_picks_by_score():
    from sklearn.model_selection import GridSearchCV, KFold

    X = _blobs(8, n=90)
    cv = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(KMedoids(method="pam"), {"n_clusters": [1, 2, 3]}, cv=cv).fit(X)
    expected = []
    for k in (1, 2, 3):
        losses = []
        for train, test in cv.split(X):
            medoids = X[train][pam(pairwise_dissimilarity(X[train]), k).medoids]
            losses.append(pairwise_dissimilarity(X[test], medoids).min(axis=1).sum())
        expected.append(-np.mean(losses))
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], expected, rtol=1e-12)
    assert search.best_params_ == {"n_clusters": 3}
    assert search.best_score_ == max(search.cv_results_["mean_test_score"])


@pytest.mark.parametrize("metric", ["euclidean", "precomputed"])
def test_feature_names_out(metric):
    X = _blobs(9)
    model = KMedoids(3, metric=metric, method="pam").fit(pairwise_dissimilarity(X) if metric == "precomputed" else X)
    names = model.get_feature_names_out()
    assert names.tolist() == ["kmedoids0", "kmedoids1", "kmedoids2"]
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        KMedoids(3).get_feature_names_out()


def test_set_output_pandas():
    pd = pytest.importorskip("pandas")
    X = _blobs(10)
    plain = KMedoids(3, method="pam").fit(X).transform(X)
    model = KMedoids(3, method="pam").set_output(transform="pandas")
    frame = model.fit_transform(X)
    assert isinstance(frame, pd.DataFrame)
    assert frame.columns.tolist() == ["kmedoids0", "kmedoids1", "kmedoids2"]
    np.testing.assert_array_equal(frame.to_numpy(), plain)
    assert isinstance(model.transform(X[:5]), pd.DataFrame)
    np.testing.assert_array_equal(model.predict(X), KMedoids(3, method="pam").fit(X).labels_)


def test_n_threads_minus_one_means_all_cores():
    X = _blobs(11, n=90)
    one = KMedoids(3, random_state=0, n_threads=1).fit(X)
    every = KMedoids(3, random_state=0, n_threads=-1).fit(X)
    np.testing.assert_array_equal(every.medoid_indices_, one.medoid_indices_)
    assert every.inertia_ == one.inertia_
    np.testing.assert_array_equal(every.transform(X), one.transform(X))
    with pytest.raises(ValueError, match="n_threads"):
        KMedoids(3, n_threads=-2).fit(X)


def test_check_estimator_as_users_run_it():
    # check_estimator(KMedoids(...)) as a user calls it, without expected_failed_checks. scikit-learn >= 1.6 has no
    # tag that marks a check as an expected failure, so with the randomised default (fasterpam, random init)
    # exactly one check fails: weighted and repeated data have different n, so the random draws differ.
    from sklearn.utils.estimator_checks import check_estimator

    check_estimator(KMedoids(method="pam"))  # deterministic: passes as is
    results = check_estimator(KMedoids(), on_fail=None, on_skip=None)
    failed = {r["check_name"] for r in results if r["status"] == "failed"}
    assert failed == {"check_sample_weight_equivalence_on_dense_data"}
    assert sum(r["status"] == "passed" for r in results) > 40
