"""pam / fastpam1 / build / fasterpam / alternating against the naive oracles in oracle.py."""

import importlib.util
import pathlib

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from numkern import cluster

_spec = importlib.util.spec_from_file_location("cluster_oracle", pathlib.Path(__file__).with_name("oracle.py"))
oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(oracle)


def _problems():
    rng = np.random.default_rng(12345)
    out = {}
    X = rng.normal(size=(24, 3))
    out["gauss-euclidean"] = cdist(X, X)
    g = np.array([(i, j) for i in range(5) for j in range(5)], dtype=float)
    out["grid-manhattan"] = cdist(g, g, "cityblock")  # integer distances, many exact ties
    out["grid-sqeuclidean"] = cdist(g, g, "sqeuclidean")
    base = rng.integers(0, 4, size=(6, 2)).astype(float)
    dup = base[rng.integers(0, 6, size=20)]  # duplicates: at most 6 distinct points among 20
    out["duplicates"] = cdist(dup, dup, "cityblock")
    A = rng.integers(0, 10, size=(18, 18)).astype(float)
    out["nonmetric-symmetric"] = np.triu(A, 1) + np.triu(A, 1).T  # violates the triangle inequality
    out["asymmetric"] = rng.integers(0, 10, size=(16, 16)).astype(float)  # row = medoid convention
    out["nonzero-diagonal"] = out["nonmetric-symmetric"] + np.diag(rng.integers(0, 3, size=18))
    line = np.array([0, 1, 2, 3, 10, 11, 12, 13], dtype=float)
    out["two-groups"] = np.abs(line[:, None] - line[None, :])
    out["all-equal"] = np.zeros((7, 7))
    return out


PROBLEMS = _problems()
CASES = [(name, k) for name, D in PROBLEMS.items() for k in sorted({1, 2, 3, 5, D.shape[0] - 1, D.shape[0]})]


@pytest.mark.parametrize("name,k", CASES)
def test_pam_and_fastpam1_equal_naive_pam(name, k):
    D = PROBLEMS[name]
    ref_medoids, ref_loss, ref_swaps = oracle.naive_pam(D, k)
    for func in (cluster.pam, cluster.fastpam1):
        res = func(D, k)
        assert res.medoids.tolist() == ref_medoids, func.__name__
        assert res.loss == pytest.approx(ref_loss, rel=1e-12, abs=1e-12)
        assert res.n_swap == ref_swaps
        assert len(set(res.medoids.tolist())) == k  # k distinct medoids even with duplicates
        np.testing.assert_array_equal(res.labels, np.argmin(D[res.medoids], axis=0))


@pytest.mark.parametrize("name,k", CASES)
def test_build_equals_naive_build(name, k):
    D = PROBLEMS[name]
    res = cluster.build(D, k)
    assert res.medoids.tolist() == oracle.naive_build(D, k)
    assert res.n_swap == 0 and res.n_iter == 0


@pytest.mark.parametrize("name,k", [c for c in CASES if c[1] < PROBLEMS[c[0]].shape[0]])
def test_swap_from_given_start(name, k):
    D = PROBLEMS[name]
    start = np.random.default_rng(k).choice(D.shape[0], size=k, replace=False)
    ref, ref_loss, _ = oracle.naive_pam(D, medoids=start.tolist())
    res = cluster.fastpam1(D, start)
    assert res.medoids.tolist() == ref
    assert res.loss == pytest.approx(ref_loss, rel=1e-12, abs=1e-12)
    eager = cluster.fasterpam(D, start)
    assert eager.medoids.tolist() == oracle.naive_eager(D, start.tolist())
    alt = cluster.alternating(D, start)
    assert alt.medoids.tolist() == oracle.naive_alternating(D, start.tolist())


@pytest.mark.parametrize("method", ["fastpam2", "fasterpam"])
@pytest.mark.parametrize("name,k", CASES)
def test_swap_methods_reach_a_local_optimum(method, name, k):
    D = PROBLEMS[name]
    res = getattr(cluster, method)(D, k, random_state=7)
    assert len(set(res.medoids.tolist())) == k
    delta, td = oracle.swap_deltas(D, res.medoids.tolist())
    assert res.loss == pytest.approx(td, rel=1e-12, abs=1e-12)
    assert delta.min() >= -1e-9 * max(td, 1.0)  # no single swap improves TD


def test_k_equal_1_is_the_row_sum_argmin():
    D = PROBLEMS["gauss-euclidean"]
    res = cluster.pam(D, 1)
    assert res.medoids.tolist() == [int(np.argmin(D.sum(axis=1)))]
    assert res.loss == pytest.approx(D.sum(axis=1).min(), rel=1e-13)
    assert (res.labels == 0).all()


def test_max_iter_truncates_swaps():
    D = PROBLEMS["gauss-euclidean"]
    start = np.arange(4)
    full = cluster.pam(D, start)
    assert full.n_swap >= 2
    one = cluster.pam(D, start, max_iter=1)
    assert one.n_swap == 1 and one.n_iter == 1
    ref, _, _ = oracle.naive_pam(D, medoids=[0, 1, 2, 3], max_iter=1)
    assert one.medoids.tolist() == ref


def test_larger_gaussian_problem_matches_naive_pam():
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(c, 1.0, size=(15, 2)) for c in (0.0, 4.0, 8.0)])
    D = cdist(X, X)
    ref, ref_loss, ref_swaps = oracle.naive_pam(D, 4)
    res = cluster.pam(D, 4)
    assert res.medoids.tolist() == ref and res.n_swap == ref_swaps
    assert res.loss == pytest.approx(ref_loss, rel=1e-12)
