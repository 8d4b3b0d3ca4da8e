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
        KMedoids(2, metric="hamming").fit(X)


@pytest.mark.parametrize("method", ["predict", "transform"])
def test_methods_before_fit_raise_not_fitted(method):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="This KMedoids instance is not fitted yet"):
        getattr(KMedoids(2), method)(np.zeros((3, 2)))
