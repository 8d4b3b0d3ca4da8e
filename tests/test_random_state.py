"""One accepted set for every random_state/seed argument (numkern issue 19).

None, a non-negative int (any size), a numpy SeedSequence, Generator or RandomState work in cluster and stats;
the same bad value raises the same exception type in both, naming the argument. Each subpackage keeps its own
mapping from a seed to a stream (results for values accepted before are unchanged).
"""

import numpy as np
import pytest

from numkern import cluster
from numkern.stats import VonMisesFisherMixture, vonmises_fisher

_rng = np.random.default_rng(20)
X = np.vstack([_rng.normal(c, 0.3, size=(40, 2)) for c in ([0.0, 0.0], [3.0, 0.0], [0.0, 3.0])])
D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
MU = np.array([0.0, 0.6, 0.8])
SPHERE = np.vstack([vonmises_fisher(m, 80.0).rvs(60, random_state=i)
                    for i, m in enumerate([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])])


def _check_clustering(result, diss):
    """labels are the nearest medoids and loss is their total distance (real values, not just 'no error')."""
    medoids = np.asarray(result.medoids)
    assert len(set(medoids.tolist())) == 3
    np.testing.assert_array_equal(diss[:, medoids].min(axis=1), diss[np.arange(len(diss)), medoids[result.labels]])
    assert result.loss == pytest.approx(diss[:, medoids].min(axis=1).sum(), rel=1e-12)


def _same(a, b):
    np.testing.assert_array_equal(a.medoids, b.medoids)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert a.loss == b.loss


def _global_random_state(seed):
    np.random.seed(seed)
    return np.random


ACCEPTED = {
    "None": lambda: None,
    "int": lambda: 7,
    "numpy int": lambda: np.uint64(7),
    "int >= 2**64": lambda: 2**70 + 1,
    "SeedSequence": lambda: np.random.SeedSequence(7),
    "Generator": lambda: np.random.default_rng(7),
    "RandomState": lambda: np.random.RandomState(7),
    "numpy.random": lambda: _global_random_state(7),
}


@pytest.mark.parametrize("method", ["fasterpam", "clarans", "clara"])
def test_cluster_accepts_every_random_state(method):
    for name, make in ACCEPTED.items():
        if method == "clara":
            result = cluster.clara(X, 3, metric="euclidean", random_state=make())
        else:
            result = getattr(cluster, method)(D, 3, random_state=make())
        _check_clustering(result, D)


@pytest.mark.parametrize("method", ["fasterpam", "clarans", "fastclara"])
def test_cluster_seed_sequence_is_the_int_seed(method):
    # cluster's mapping: an int n and SeedSequence(n) give the same 64-bit seed, so the same result.
    def run(rs):
        if method == "fastclara":
            return cluster.fastclara(X, 3, metric="euclidean", random_state=rs)
        return getattr(cluster, method)(D, 3, random_state=rs)

    for n in (0, 12345, 2**40 + 3):
        _same(run(np.random.SeedSequence(n)), run(n))
    child = np.random.SeedSequence(5).spawn(2)[1]
    first = run(child)
    _same(run(np.random.SeedSequence(5, spawn_key=(1,))), first)  # reproducible from its entropy and key
    _check_clustering(first, D)


def test_cluster_global_random_state_module():
    # ``numpy.random`` stands for its global RandomState: one seed drawn from it, as from RandomState(3).
    np.random.seed(3)
    a = cluster.fasterpam(D, 3, random_state=np.random)
    b = cluster.fasterpam(D, 3, random_state=np.random.RandomState(3))
    _same(a, b)


def test_kmedoids_estimator_seed_sequence():
    a = cluster.KMedoids(3, method="fasterpam", random_state=np.random.SeedSequence(11)).fit(D)
    b = cluster.KMedoids(3, method="fasterpam", random_state=11).fit(D)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.medoid_indices_, b.medoid_indices_)


def test_stats_rvs_accepts_every_random_state():
    dist = vonmises_fisher(MU, 30.0)
    for name, make in ACCEPTED.items():
        x = dist.rvs(25, random_state=make())
        assert x.shape == (25, 3)
        np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, rtol=1e-14)
        assert (x @ MU).mean() > 0.9  # concentrated around mu (mean resultant length ~ 0.967 at kappa 30)
        y = vonmises_fisher(MU, 30.0, seed=make()).rvs(25)
        assert y.shape == (25, 3)


def test_stats_seed_sequence_and_big_int_stream():
    # stats' mapping: a SeedSequence or an int >= 2**32 seeds numpy.random.default_rng; ints below 2**32 keep
    # scipy's RandomState(n).
    dist = vonmises_fisher(MU, 30.0)
    ss = np.random.SeedSequence(123)
    a = dist.rvs(40, random_state=ss)
    np.testing.assert_array_equal(a, dist.rvs(40, random_state=np.random.default_rng(np.random.SeedSequence(123))))
    np.testing.assert_array_equal(a, dist.rvs(40, random_state=ss))  # the SeedSequence is not consumed
    np.testing.assert_array_equal(vonmises_fisher.rvs(MU, 30.0, size=5, random_state=2**40),
                                  vonmises_fisher.rvs(MU, 30.0, size=5, random_state=np.random.default_rng(2**40)))
    np.testing.assert_array_equal(dist.rvs(5, random_state=2**32 - 1),
                                  dist.rvs(5, random_state=np.random.RandomState(2**32 - 1)))
    frozen = vonmises_fisher(MU, 30.0, seed=np.random.SeedSequence(9))
    np.testing.assert_array_equal(frozen.rvs(6), vonmises_fisher(MU, 30.0, seed=np.random.default_rng(9)).rvs(6))


def test_mixture_seed_sequence_reproducible():
    fits = [VonMisesFisherMixture(2, random_state=np.random.SeedSequence(4)).fit(SPHERE) for _ in range(2)]
    ref = VonMisesFisherMixture(2, random_state=np.random.default_rng(np.random.SeedSequence(4))).fit(SPHERE)
    for fit in fits:
        np.testing.assert_array_equal(fit.means_, ref.means_)
        np.testing.assert_array_equal(fit.weights_, ref.weights_)
        np.testing.assert_array_equal(fit.predict(SPHERE), ref.predict(SPHERE))
    assert sorted(np.round(ref.weights_, 6).tolist()) == [0.5, 0.5]
    np.testing.assert_array_equal(fits[0].sample(10)[0], fits[1].sample(10)[0])


BAD = [(True, TypeError), (np.bool_(False), TypeError), (1.0, TypeError), (2.5, TypeError), ("seed", TypeError),
       ([1, 2], TypeError), (object(), TypeError), (-1, ValueError), (np.int64(-5), ValueError),
       (-(2**70), ValueError)]


@pytest.mark.parametrize("bad,exc", BAD, ids=[type(b).__name__ + ":" + str(b)[:12] for b, _ in BAD])
def test_bad_random_state_same_error_everywhere(bad, exc):
    calls = {
        "random_state": [
            lambda: cluster.fasterpam(D, 3, random_state=bad),
            lambda: cluster.clara(X, 3, metric="euclidean", random_state=bad),
            lambda: cluster.KMedoids(3, random_state=bad).fit(D),
            lambda: vonmises_fisher(MU, 3.0).rvs(2, random_state=bad),
            lambda: vonmises_fisher.rvs(MU, 3.0, random_state=bad),
            lambda: VonMisesFisherMixture(2, random_state=bad).fit(SPHERE),
        ],
        "seed": [lambda: vonmises_fisher(MU, 3.0, seed=bad)],
    }
    for name, fns in calls.items():
        for fn in fns:
            with pytest.raises(exc, match=rf"^{name} must be None, a non-negative int, or a numpy SeedSequence"):
                fn()
