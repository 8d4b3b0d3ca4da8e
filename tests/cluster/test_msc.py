"""Medoid-silhouette clustering (fastmsc, fastermsc, pammedsil, pamsil, dynmsc): brute-force oracles, the kmedoids
package, thread independence, the estimator and bad input (Ctrl-C: tests/test_interrupt.py)."""

import importlib.util
import pathlib

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from numkern import cluster

_spec = importlib.util.spec_from_file_location("cluster_oracle", pathlib.Path(__file__).with_name("oracle.py"))
oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(oracle)


def _tiny_problems():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(12, 2))
    g = np.array([(i, j) for i in range(3) for j in range(4)], dtype=float)
    dup = rng.integers(0, 3, size=(11, 2)).astype(float)
    A = rng.integers(1, 9, size=(10, 10)).astype(float)
    return {
        "gauss": cdist(X, X),
        "grid-manhattan": cdist(g, g, "cityblock"),  # many exact ties
        "duplicates": cdist(dup, dup, "cityblock"),  # objects on two medoids (d2 = 0)
        "nonmetric": np.triu(A, 1) + np.triu(A, 1).T,
    }


PROBLEMS = _tiny_problems()


@pytest.mark.parametrize("name", sorted(PROBLEMS))
@pytest.mark.parametrize("k", [2, 3, 4])
def test_pammedsil_and_fastmsc_equal_the_oracle(name, k):
    D = PROBLEMS[name]
    start = oracle.naive_build(D, k)
    want, n_swap = oracle.naive_swap_search(D, start, oracle.medoid_silhouette_loss)
    for method in (cluster.pammedsil, cluster.fastmsc):
        res = method(D, np.array(start))
        assert res.medoids.tolist() == want, (method.__name__, res.medoids, want)
        assert res.n_swap == n_swap
        assert res.loss == pytest.approx(1 - oracle.medoid_silhouette_loss(D, want) / D.shape[0], abs=1e-14)
    assert cluster.pammedsil(D, k).medoids.tolist() == want  # default init: BUILD, as the oracle


@pytest.mark.parametrize("name", sorted(PROBLEMS))
@pytest.mark.parametrize("k", [2, 3])
def test_pamsil_equals_the_oracle(name, k):
    D = PROBLEMS[name]
    want, n_swap = oracle.naive_swap_search(D, oracle.naive_build(D, k), oracle.silhouette_loss)
    res = cluster.pamsil(D, k)
    assert res.medoids.tolist() == want
    assert res.n_swap == n_swap
    labels = np.argmin(D[want], axis=0)
    assert res.labels.tolist() == labels.tolist()
    assert res.loss == pytest.approx(oracle.naive_silhouette(D, labels).mean(), abs=1e-14)


def _random_case(seed):
    r = np.random.default_rng(seed)
    n, k = int(r.integers(20, 120)), int(r.integers(2, 8))
    Y = r.normal(size=(n, 2))
    return cdist(Y, Y), r.choice(n, k, replace=False)


@pytest.mark.parametrize("method", ["fastmsc", "fastermsc", "pammedsil"])
def test_same_result_as_the_kmedoids_package(method):
    kmedoids = pytest.importorskip("kmedoids")
    for seed in range(20):
        D, init = _random_case(seed)
        ours = getattr(cluster, method)(D, init.copy())
        ref = getattr(kmedoids, method)(D, init.copy(), max_iter=10**6)
        assert ours.medoids.tolist() == ref.medoids.tolist(), seed
        assert (ours.n_iter, ours.n_swap) == (ref.n_iter, ref.n_swap), seed
        assert abs(ours.loss - ref.loss) <= 1e-12, seed
        assert ours.labels.tolist() == ref.labels.tolist(), seed


def test_pamsil_same_loss_as_the_kmedoids_package():
    """Many swaps tie exactly under the silhouette (same labels): the package breaks those ties by rounding, we
    by the lowest index (within 1e-12), so the medoids may differ; the silhouette reached is the same."""
    kmedoids = pytest.importorskip("kmedoids")
    for seed in range(12):
        D, init = _random_case(seed)
        D, init = D[:40, :40], np.arange(len(init))
        ours, ref = cluster.pamsil(D, init.copy()), kmedoids.pamsil(D, init.copy(), max_iter=10**6)
        assert abs(ours.loss - ref.loss) <= 1e-12, seed


def test_dynmsc_against_the_kmedoids_package():
    """k_max stage always identical; the full scan identical on most problems (see DynMSCResult notes)."""
    kmedoids = pytest.importorskip("kmedoids")
    same = 0
    for seed in range(40):
        r = np.random.default_rng(seed)
        n, k = int(r.integers(30, 150)), int(r.integers(3, 9))
        Y = r.normal(size=(n, 2))
        D, init = cdist(Y, Y), r.choice(n, k, replace=False)
        mk = int(r.integers(2, k))
        ours = cluster.dynmsc(D, init.copy(), minimum_k=mk)
        ref = kmedoids.dynmsc(D, init.copy(), minimum_k=mk, max_iter=10**6)
        assert list(ours.rangek) == list(ref.rangek)
        assert abs(ours.losses[-1] - ref.losses[-1]) <= 1e-12
        same += ours.medoids.tolist() == ref.medoids.tolist() and np.allclose(ours.losses, ref.losses, rtol=0, atol=1e-12)
    assert same >= 34, same


def test_dynmsc_result_is_consistent():
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(c, 0.3, size=(30, 2)) for c in ([0, 0], [5, 0], [0, 5], [5, 5])])
    res = cluster.dynmsc(X, 8, metric="euclidean", random_state=0)
    assert res.bestk == 4 and res.medoids.size == 4 and list(res.rangek) == list(range(2, 9))
    assert res.loss == res.losses.max() == res.losses[res.bestk - 2]
    assert res.loss == pytest.approx(cluster.medoid_silhouette(cdist(X, X), res.medoids), abs=1e-14)
    assert np.bincount(res.labels).tolist() == [30, 30, 30, 30]


@pytest.mark.parametrize("method", ["fastmsc", "fastermsc", "dynmsc"])
def test_threads_and_random_state(method):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(1200, 3))  # above FasterMSC's speculation threshold (1000)
    f = getattr(cluster, method)
    one = f(X, 6, metric="euclidean", random_state=11, n_threads=1)
    two = f(X, 6, metric="euclidean", random_state=11, n_threads=2)
    assert one.medoids.tolist() == two.medoids.tolist() and one.loss == two.loss
    assert (one.n_iter, one.n_swap) == (two.n_iter, two.n_swap)
    other = f(X, 6, metric="euclidean", random_state=12, n_threads=1)
    assert other.medoids.tolist() != one.medoids.tolist()


def test_fastermsc_reaches_a_local_optimum_of_pammedsil():
    D, init = _random_case(2)
    res = cluster.fastermsc(D, init)
    again = cluster.pammedsil(D, res.medoids)  # no single swap improves the AMS any more
    assert again.n_swap == 0 and again.medoids.tolist() == res.medoids.tolist()


def test_estimator_methods():
    pytest.importorskip("sklearn")
    from numkern.cluster import KMedoids

    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(c, 0.3, size=(25, 2)) for c in ([0, 0], [6, 0], [0, 6])])
    for method in ("fastermsc", "fastmsc", "pamsil", "pammedsil"):
        model = KMedoids(3, method=method, random_state=0).fit(X)
        assert sorted(np.bincount(model.labels_).tolist()) == [25, 25, 25], method
        D = cdist(X, X)
        assert model.inertia_ == pytest.approx(D[model.medoid_indices_].min(axis=0).sum(), rel=1e-12)
        assert model.predict(X).tolist() == model.labels_.tolist()
    model = KMedoids(6, method="dynmsc", random_state=0).fit(X)
    assert model.n_clusters_ == 3 and model.medoid_indices_.size == 3
    assert model.medoid_silhouette_ == pytest.approx(cluster.medoid_silhouette(cdist(X, X), model.medoid_indices_))


@pytest.mark.parametrize("call, match", [
    (lambda D: cluster.fastmsc(D, 1), r"medoids: the number of clusters k must be in 2\.\.n-1 = 2\.\.9 .* got 1"),
    (lambda D: cluster.fastermsc(D, 10), r"must be in 2\.\.n-1 = 2\.\.9 .* got 10"),
    (lambda D: cluster.dynmsc(D, 10), r"medoids: the maximum number of clusters k_max must be in 2\.\.n-1"),
    (lambda D: cluster.dynmsc(D, 4, minimum_k=5), r"minimum_k must be <= k_max = 4 .* got 5"),
    (lambda D: cluster.dynmsc(D, 4, minimum_k=1), "minimum_k must be >= 2"),
    (lambda D: cluster.pamsil(D, np.array([0, 0, 1])), "medoids indices must be distinct"),
    (lambda D: cluster.fastmsc(D[:9], 3), "diss must be a square dissimilarity matrix"),
])
def test_bad_input(call, match):
    x = np.arange(10.0)
    with pytest.raises(ValueError, match=match):
        call(np.abs(x[:, None] - x[None, :]))


def test_bad_input_types_and_weights():
    x = np.arange(10.0)
    D = np.abs(x[:, None] - x[None, :])
    with pytest.raises(TypeError, match="minimum_k"):
        cluster.dynmsc(D, 4, minimum_k=2.0)
    with pytest.raises(ValueError, match="sample_weight: fastermsc optimises the unweighted"):
        cluster._kmedoids.run("fastermsc", D, 3, sample_weight=np.ones(10), default_init="random")
    bad = D.copy()
    bad[2, 3] = np.inf
    with pytest.raises(ValueError, match=r"diss contains inf .*diss\[2, 3\]"):
        cluster.fastermsc(bad, 3)
