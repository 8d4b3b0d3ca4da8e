"""CLARA / FastCLARA on dask arrays: samples solved locally, candidates scored over all chunks; others refused."""

import numpy as np
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
pytest.importorskip("distributed")
pytest.importorskip("sklearn")

from numkern.cluster import KMedoids, clara, fastclara, fasterpam, pam  # noqa: E402


def _blobs(n_per=2000, seed=0):
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(c, 1.0, (n_per, 4)) for c in (0.0, 6.0, 12.0, 18.0)])
    rng.shuffle(X)
    return X, rng.uniform(0.0, 2.0, X.shape[0])


def _total_deviation(X, medoids, w=None):
    d = np.linalg.norm(X[:, None, :] - X[medoids][None], axis=2)
    return (d.min(axis=1) if w is None else w * d.min(axis=1)).sum(), d.argmin(axis=1)


@pytest.mark.parametrize("fn", [clara, fastclara])
def test_loss_labels_and_same_seed_loss(client, no_client_gather, fn):
    X, w = _blobs()
    Xd = da.from_array(X, chunks=(1500, 4))
    with no_client_gather():
        res = fn(Xd, 4, metric="euclidean", random_state=1)
        again = fn(Xd, 4, metric="euclidean", random_state=1)
    np.testing.assert_array_equal(res.medoids, again.medoids)  # reproducible from random_state
    loss, labels = _total_deviation(X, res.medoids)
    assert res.loss == pytest.approx(loss, rel=1e-12)  # the distributed evaluation is the exact total deviation
    assert isinstance(res.labels, da.Array)
    np.testing.assert_array_equal(res.labels.compute(), labels)
    # Independent samples instead of the in-memory chain: within 3% of the same-seed in-memory loss here.
    assert res.loss <= 1.03 * fn(X, 4, metric="euclidean", random_state=1).loss
    weighted = fn(Xd, 4, metric="euclidean", random_state=1, sample_weight=w)
    assert weighted.loss == pytest.approx(_total_deviation(X, weighted.medoids, w)[0], rel=1e-12)


def test_estimator_lazy_labels_predict_transform(client, no_client_gather):
    X, _ = _blobs(1000, seed=3)
    Xd = da.from_array(X, chunks=(700, 2))  # column chunks are merged to whole rows
    with no_client_gather():
        km = KMedoids(4, method="fastclara", random_state=0).fit(Xd)
        pred, dist = km.predict(Xd), km.transform(Xd)
    assert isinstance(km.labels_, da.Array) and isinstance(pred, da.Array)
    np.testing.assert_array_equal(km.labels_.compute(), pred.compute())
    np.testing.assert_allclose(dist.compute(), np.linalg.norm(X[:, None] - km.cluster_centers_[None], axis=2),
                               rtol=1e-12)
    assert km.inertia_ == pytest.approx(_total_deviation(X, km.medoid_indices_)[0], rel=1e-12)
    np.testing.assert_array_equal(km.cluster_centers_, X[km.medoid_indices_])


def test_big_clara_within_worker_memory(fresh_workers, no_client_gather, big_normal):
    # 300 MB of points (4.6875e6 x 8) on the workers; only the samples and per-chunk sums reach the client.
    X = big_normal((4_687_500, 8), chunks=(125_000, 8), seed=9)
    with no_client_gather():
        res = fastclara(X, 3, metric="sqeuclidean", random_state=0, samples=2)
    # Each point's squared distance to its nearest of 3 medoids is below its squared distance to any one of them.
    m0 = X[int(res.medoids[0])].compute()
    upper = ((X - m0) ** 2).sum().compute()
    assert 0 < res.loss < upper


def test_non_distributable_methods_are_refused():
    Xd = da.ones((100, 3), chunks=50)
    for call in (lambda: pam(Xd, 3, metric="euclidean"), lambda: fasterpam(Xd, 3, metric="euclidean"),
                 lambda: KMedoids(3).fit(Xd), lambda: KMedoids(3, method="pam").fit(Xd)):
        with pytest.raises(TypeError, match="Use method='clara' or 'fastclara'"):
            call()
    with pytest.raises(ValueError, match="metric: a dask X must be raw points"):
        fastclara(Xd, 3)
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        fastclara(Xd[Xd[:, 0] > 0], 3, metric="euclidean")
    with pytest.raises(TypeError, match="pass X as a dask array"):
        clara(np.ones((100, 3)), 3, metric="euclidean", sample_weight=da.ones(100))
    with pytest.raises(ValueError, match="medoids must be an int"):
        clara(Xd, [0, 1], metric="euclidean")
