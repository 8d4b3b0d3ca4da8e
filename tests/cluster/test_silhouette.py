"""silhouette / medoid_silhouette / silhouette_score / silhouette_samples against scikit-learn, the kmedoids package
and the definition (oracle.naive_silhouette)."""

import importlib.util
import pathlib

import numpy as np
import pytest
from scipy.spatial.distance import cdist, pdist

from numkern import cluster

_spec = importlib.util.spec_from_file_location("cluster_oracle", pathlib.Path(__file__).with_name("oracle.py"))
oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(oracle)

sk_metrics = pytest.importorskip("sklearn.metrics")


def _case(seed, n=60, k=4, d=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + rng.integers(0, k, n)[:, None] * 2.0
    labels = rng.integers(0, k, n)
    labels[:k] = np.arange(k)  # every cluster present
    return X, cdist(X, X), labels


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("threads", [1, 2])
def test_silhouette_matches_sklearn(seed, threads):
    X, D, labels = _case(seed)
    mean, samples = cluster.silhouette(D, labels, samples=True, n_threads=threads)
    ref = sk_metrics.silhouette_samples(D, labels, metric="precomputed")
    np.testing.assert_allclose(samples, ref, rtol=0, atol=1e-12)
    assert abs(mean - sk_metrics.silhouette_score(D, labels, metric="precomputed")) <= 1e-12
    assert cluster.silhouette(D, labels) == mean
    assert abs(cluster.silhouette_score(X, labels) - sk_metrics.silhouette_score(X, labels)) <= 1e-12
    np.testing.assert_allclose(cluster.silhouette_samples(X, labels, n_threads=threads),
                               sk_metrics.silhouette_samples(X, labels), rtol=0, atol=1e-12)


def test_silhouette_definition_edge_cases():
    """Singletons, a = b = 0 (duplicates), one cluster and an asymmetric matrix (row i = d(i, .))."""
    x = np.array([0.0, 0.0, 0.0, 5.0, 5.0, 30.0])
    D = np.abs(x[:, None] - x[None, :])
    for labels in ([0, 0, 1, 1, 1, 2], [0, 0, 0, 1, 1, 2], [0, 0, 0, 0, 0, 0], [0, 1, 0, 1, 2, 2]):
        labels = np.array(labels)
        mean, samples = cluster.silhouette(D, labels, samples=True)
        np.testing.assert_allclose(samples, oracle.naive_silhouette(D, labels), rtol=0, atol=1e-15)
    assert cluster.silhouette(D, np.zeros(6, dtype=int), samples=True)[1].tolist() == [0.0] * 6
    A = np.random.default_rng(1).random((7, 7))
    np.fill_diagonal(A, 0.0)
    labels = np.array([0, 0, 0, 1, 1, 1, 1])
    np.testing.assert_allclose(cluster.silhouette(A, labels, samples=True)[1],
                               sk_metrics.silhouette_samples(A, labels, metric="precomputed"), rtol=0, atol=1e-15)


def test_silhouette_matches_kmedoids_package():
    kmedoids = pytest.importorskip("kmedoids")
    x = np.array([0.0, 0.0, 0.0, 5.0, 5.0, 30.0, 31.0, 2.0])
    D = np.abs(x[:, None] - x[None, :])
    for labels in ([0, 0, 1, 1, 1, 2, 2, 0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 1, 2, 3, 4, 5, 6, 7]):
        labels = np.array(labels)
        ref_mean, ref = kmedoids.silhouette(D, labels, samples=True)
        mean, samples = cluster.silhouette(D, labels, samples=True)
        np.testing.assert_allclose(samples, ref, rtol=0, atol=1e-15)
        assert abs(mean - ref_mean) <= 1e-15
    for medoids in ([0, 3], [0, 1], [0, 1, 3], [0], [5, 6, 7]):  # [0, 1]: objects on two medoids (d2 = 0)
        ref_mean, ref = kmedoids.medoid_silhouette(D, np.array(medoids), samples=True)
        mean, samples = cluster.medoid_silhouette(D, medoids, samples=True)
        np.testing.assert_allclose(samples, ref, rtol=0, atol=1e-15)
        assert abs(mean - ref_mean) <= 1e-15


def test_medoid_silhouette_closed_form():
    x = np.array([0.0, 1.0, 10.0, 11.0])
    D = np.abs(x[:, None] - x[None, :])
    mean, samples = cluster.medoid_silhouette(D, [0, 2], samples=True)
    np.testing.assert_allclose(samples, [1.0, 1 - 1 / 9, 1.0, 1 - 1 / 11], rtol=1e-15)
    assert mean == pytest.approx((2 + 8 / 9 + 10 / 11) / 4, rel=1e-15)
    assert cluster.medoid_silhouette(D, [1]) == 1.0  # one medoid: no second distance, s = 1


def test_condensed_input_equals_square():
    X, D, labels = _case(3, n=30)
    assert cluster.silhouette(pdist(X), labels) == cluster.silhouette(D, labels)
    assert cluster.medoid_silhouette(pdist(X), [0, 5, 9]) == cluster.medoid_silhouette(D, [0, 5, 9])
    assert cluster.silhouette_score(pdist(X), labels, metric="precomputed") == cluster.silhouette(D, labels)


def test_silhouette_score_arbitrary_labels_and_errors():
    X, D, labels = _case(4, n=20)
    names = np.array(["a", "b", "c", "d"])[labels]
    assert cluster.silhouette_score(X, names) == cluster.silhouette(D, labels)
    with pytest.raises(ValueError, match="Number of labels is 1"):
        cluster.silhouette_score(X, np.zeros(20))
    with pytest.raises(ValueError, match="labels must have shape"):
        cluster.silhouette_score(X, labels[:-1])


@pytest.mark.parametrize("labels, match", [
    (np.array([0, 0, 2, 2]), r"no gaps\); missing: \[1\]"),
    (np.array([0, 1, 1]), r"labels must have shape \(4,\)"),
    (np.array([0, -1, 1, 1]), "negative label -1"),
])
def test_silhouette_bad_labels(labels, match):
    D = np.abs(np.arange(4.0)[:, None] - np.arange(4.0)[None, :])
    with pytest.raises(ValueError, match=match):
        cluster.silhouette(D, labels)


def test_silhouette_bad_labels_type_and_matrix():
    D = np.abs(np.arange(4.0)[:, None] - np.arange(4.0)[None, :])
    with pytest.raises(TypeError, match="labels must be an integer array"):
        cluster.silhouette(D, np.array([0.0, 0.0, 1.0, 1.0]))
    bad = D.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"diss contains nan .*diss\[1, 2\]"):
        cluster.silhouette(bad, np.array([0, 0, 1, 1]))
    with pytest.raises(ValueError, match="diss: a condensed distance vector .* got length 4"):
        cluster.silhouette(np.ones(4), np.array([0, 0, 1, 1]))
    with pytest.raises(ValueError, match="medoids indices must be distinct"):
        cluster.medoid_silhouette(D, [1, 1])


def test_non_finite_values_are_reported_by_position():
    x = np.arange(6.0)
    D = np.abs(x[:, None] - x[None, :])
    labels = np.array([0, 0, 0, 1, 1, 1])
    for i, j, value in ((4, 1, np.inf), (2, 2, np.nan), (0, 5, -1.0)):  # (2, 2): the diagonal, checked apart
        bad = D.copy()
        bad[i, j] = value
        with pytest.raises(ValueError, match=rf"diss\[{i}, {j}\]"):
            cluster.silhouette(bad, labels)
        with pytest.raises(ValueError, match=rf"diss\[{i}, {j}\]"):
            cluster.silhouette_score(bad, labels, metric="precomputed")
    bad = D.copy()
    bad[3, 4] = np.nan
    with pytest.raises(ValueError, match=r"diss contains nan at diss\[3, 4\]"):
        cluster.medoid_silhouette(bad, [0, 3])
    # only the medoid rows are read (O(n k)): a value elsewhere does not enter the result
    assert cluster.medoid_silhouette(bad, [0, 5]) == cluster.medoid_silhouette(D, [0, 5])
