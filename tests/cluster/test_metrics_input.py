"""Input forms of issue 22: scipy condensed vectors, scikit-learn/scipy metric names computed in C++, callable
metrics through scipy's cdist, and the memory guard for the new methods."""

import numpy as np
import pytest
from scipy.spatial import distance

import numkern._validation as nkv
from numkern import cluster
from numkern.cluster import _metrics

RNG = np.random.default_rng(42)
X = RNG.normal(size=(40, 5))
B = RNG.integers(0, 3, size=(40, 6)).astype(float)  # many equal and zero coordinates (hamming, jaccard)


@pytest.mark.parametrize("name, scipy_name, kwargs", [
    ("l1", "cityblock", {}), ("cityblock", "cityblock", {}), ("l2", "euclidean", {}),
    ("chebyshev", "chebyshev", {}), ("minkowski", "minkowski", {"p": 3.0}), ("minkowski", "minkowski", {"p": 1.5}),
    ("minkowski", "minkowski", {"p": 0.5}), ("hamming", "hamming", {}), ("jaccard", "jaccard", {}),
    ("canberra", "canberra", {}),
])
@pytest.mark.parametrize("data", ["gauss", "integers"])
def test_metric_names_match_scipy(name, scipy_name, kwargs, data):
    A = X if data == "gauss" else B
    ours = cluster.pairwise_dissimilarity(A, metric=name, **kwargs)
    ref = distance.cdist(A, A, scipy_name, **kwargs)
    np.testing.assert_allclose(ours, ref, rtol=1e-13, atol=1e-15)
    cross = cluster.pairwise_dissimilarity(A[:7], A[7:], metric=name, **kwargs)
    np.testing.assert_allclose(cross, distance.cdist(A[:7], A[7:], scipy_name, **kwargs), rtol=1e-13, atol=1e-15)


def test_jaccard_on_booleans_matches_sklearn():
    metrics = pytest.importorskip("sklearn.metrics")
    Z = RNG.random((30, 8)) < 0.4
    Z[0] = False  # an all-zero row: distance 0 to another all-zero row, 1 to the rest (scipy's rule)
    Z[1] = False
    ours = cluster.pairwise_dissimilarity(Z.astype(float), metric="jaccard")
    np.testing.assert_allclose(ours, metrics.pairwise_distances(Z, metric="jaccard"), rtol=1e-15, atol=0)


@pytest.mark.parametrize("name, kwargs", [("chebyshev", {}), ("minkowski", {"p": 3.0}), ("canberra", {}),
                                          ("hamming", {})])
def test_clustering_with_metric_names_equals_the_matrix(name, kwargs):
    D = distance.cdist(B if name == "hamming" else X, B if name == "hamming" else X,
                       name, **kwargs)
    A = B if name == "hamming" else X
    for method in (cluster.pam, cluster.fasterpam, cluster.fastermsc):
        raw = method(A, 4, metric=name, random_state=0, **kwargs)
        pre = method(D, 4, random_state=0)
        assert raw.medoids.tolist() == pre.medoids.tolist(), method.__name__
        assert raw.loss == pytest.approx(pre.loss, rel=1e-12)


def test_minkowski_never_overflows_and_p_is_checked():
    big = np.array([[1e300, 0.0], [-1e300, 0.0]])
    assert cluster.pairwise_dissimilarity(big, metric="minkowski", p=3.0)[0, 1] == pytest.approx(2e300, rel=1e-15)
    assert cluster.pam(big, 1, metric="minkowski", p=3.0).loss == pytest.approx(2e300, rel=1e-15)
    with pytest.raises(ValueError, match="p must be"):
        cluster.pairwise_dissimilarity(X, metric="minkowski", p=0.0)
    with pytest.raises(TypeError, match="p must be"):
        cluster.pam(X, 2, metric="minkowski", p="3")


@pytest.mark.parametrize("method", ["pam", "fastpam2", "fasterpam", "alternating", "fastmsc", "fastermsc", "dynmsc"])
def test_condensed_input_equals_square(method):
    f = getattr(cluster, method)
    condensed = distance.pdist(X)
    a = f(condensed, 5, random_state=3)
    b = f(distance.squareform(condensed), 5, random_state=3)
    assert a.medoids.tolist() == b.medoids.tolist() and a.labels.tolist() == b.labels.tolist() and a.loss == b.loss
    f32 = f(condensed.astype(np.float32), 5, random_state=3)
    assert f32.medoids.tolist() == f(distance.squareform(condensed.astype(np.float32)), 5, random_state=3).medoids.tolist()


def test_condensed_bad_input():
    with pytest.raises(ValueError, match=r"diss: a condensed distance vector .* got length 5"):
        cluster.fasterpam(np.ones(5), 2)
    bad = distance.pdist(X[:6])
    bad[7] = np.nan
    with pytest.raises(ValueError, match="diss contains nan at condensed position 7"):
        cluster.pam(bad, 2)
    bad[7] = -1.0
    with pytest.raises(ValueError, match="diss contains -1.0 at condensed position 7"):
        cluster.silhouette(bad, np.array([0, 0, 0, 1, 1, 1]))


def test_condensed_too_large_refused_before_allocating(monkeypatch):
    monkeypatch.setattr(nkv, "available_memory", lambda: 2**30)
    n = 20_000  # 3.2 GB as a square matrix
    condensed = np.zeros(n * (n - 1) // 2, dtype=np.float32)
    with pytest.raises(nkv.InsufficientMemoryError, match="diss: the condensed vector of n = 20000"):
        cluster.pam(condensed, 3)


def test_silhouette_methods_on_large_raw_data_refused(monkeypatch):
    monkeypatch.setattr(nkv, "available_memory", lambda: 64 * 2**30)
    X_big = np.zeros((120_000, 2))
    for method in (cluster.fastmsc, cluster.pamsil, cluster.pammedsil):
        with pytest.raises(nkv.InsufficientMemoryError, match="fasterpam"):
            method(X_big, 5, metric="euclidean")


def test_callable_metric_goes_through_cdist_in_blocks(monkeypatch):
    calls = []
    real = distance.cdist

    def spy(XA, XB, metric):
        calls.append((XA.shape[0], XB.shape[0]))
        return real(XA, XB, metric)

    monkeypatch.setattr(distance, "cdist", spy)
    monkeypatch.setattr(_metrics, "_BLOCK_ENTRIES", 40 * 8)  # 8 rows per block on 40 objects

    def metric(a, b):
        return float(np.abs(a - b).sum() ** 0.5 + (a[0] > b[0]))  # asymmetric: the upper triangle is used

    D = _metrics.callable_matrix(X, metric)
    want = np.zeros((40, 40))
    for i in range(40):
        for j in range(i + 1, 40):
            want[i, j] = want[j, i] = metric(X[i], X[j])
    assert np.array_equal(D, want)  # the former double loop, bitwise
    assert calls == [(8, 40), (8, 32), (8, 24), (8, 16), (8, 8)]
    res = cluster.pam(X, 3, metric=metric)
    assert res.medoids.tolist() == cluster.pam(want, 3).medoids.tolist()
