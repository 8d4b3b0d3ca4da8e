"""Hypothesis properties: permutation invariance, labels consistent with medoids, thread-count independence,
weights equivalent to duplication, float32 = float64 of the same values, raw data = precomputed matrix."""

import numpy as np
import pytest
from hypothesis import given, strategies as st
from scipy.spatial.distance import cdist

from numkern import cluster
from numkern.cluster import _kmedoids

METHODS = ["pam", "fastpam1", "fastpam2", "fasterpam", "alternating", "clara", "fastclara", "clarans",
           "fastclarans"]


@st.composite
def problems(draw, max_n=40):
    n = draw(st.integers(3, max_n))
    k = draw(st.integers(1, min(6, n)))
    seed = draw(st.integers(0, 2**32 - 1))
    X = np.random.default_rng(seed).normal(size=(n, 3))
    return cdist(X, X), k, seed


def check_consistent(D, res, k):
    assert res.medoids.shape == (k,) and len(set(res.medoids.tolist())) == k
    np.testing.assert_array_equal(res.labels, np.argmin(D[res.medoids], axis=0))
    assert res.loss == pytest.approx(D[res.medoids].min(axis=0).sum(), rel=1e-12, abs=1e-12)
    assert res.labels.min() >= 0 and res.labels.max() < k


@given(problems(), st.sampled_from(METHODS))
def test_labels_consistent_with_medoids(problem, method):
    D, k, seed = problem
    check_consistent(D, getattr(cluster, method)(D, k, random_state=seed), k)


@given(problems())
def test_loss_and_local_optimality_are_permutation_invariant(problem):
    D, k, seed = problem
    perm = np.random.default_rng(seed).permutation(D.shape[0])
    inverse = np.argsort(perm)
    a = cluster.pam(D, k)
    # The same medoids, relabelled, are a local optimum of the permuted problem with the same loss.
    b = cluster.fastpam1(D[np.ix_(perm, perm)], inverse[a.medoids])
    assert b.n_swap == 0
    assert b.loss == pytest.approx(a.loss, rel=1e-12)
    np.testing.assert_array_equal(perm[b.medoids], a.medoids)
    np.testing.assert_array_equal(b.labels, a.labels[perm])
    # PAM on the permuted problem may reach another local optimum only through exact ties (an isolated pair
    # has two equally good medoids and the lowest-index rule follows the labelling), never a worse 1-swap
    # optimum: its result is again consistent and locally optimal.
    c = cluster.pam(D[np.ix_(perm, perm)], k)
    check_consistent(D[np.ix_(perm, perm)], c, k)


@given(problems(max_n=60), st.sampled_from(METHODS + ["build", "lab"]))
def test_results_do_not_depend_on_thread_count(problem, method):
    D, k, seed = problem
    runs = [getattr(cluster, method)(D, k, random_state=seed, n_threads=t) for t in (1, 2, 3)]
    for r in runs[1:]:
        np.testing.assert_array_equal(r.medoids, runs[0].medoids)
        np.testing.assert_array_equal(r.labels, runs[0].labels)
        assert (r.loss, r.n_iter, r.n_swap) == (runs[0].loss, runs[0].n_iter, runs[0].n_swap)


def test_fasterpam_speculative_batches_match_sequential():
    # n >= 1000 switches on the speculative parallel batches; the eager result must not change.
    rng = np.random.default_rng(5)
    X = rng.normal(size=(1200, 4))
    D = cdist(X, X)
    ref = cluster.fasterpam(D, 12, random_state=1, n_threads=1)
    for t in (2, 4):
        r = cluster.fasterpam(D, 12, random_state=1, n_threads=t)
        np.testing.assert_array_equal(r.medoids, ref.medoids)
        assert (r.loss, r.n_swap, r.n_iter) == (ref.loss, ref.n_swap, ref.n_iter)


@given(st.integers(4, 14), st.integers(0, 2**32 - 1))
def test_integer_weights_equal_duplication(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    w = rng.integers(1, 4, size=n)
    k = int(rng.integers(1, min(4, n) + 1))
    D = cdist(X, X)
    rep = np.repeat(np.arange(n), w)  # duplicated objects, kept in order
    weighted = cluster.pam(D, k, sample_weight=w)
    duplicated = cluster.pam(D[np.ix_(rep, rep)], k)
    assert weighted.loss == pytest.approx(duplicated.loss, rel=1e-12)
    assert rep[duplicated.medoids].tolist() == weighted.medoids.tolist()


def test_zero_weight_means_removed():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(30, 2))
    D = cdist(X, X)
    w = np.ones(30)
    w[::3] = 0.0
    keep = np.flatnonzero(w)
    res = cluster.pam(D, 3, sample_weight=w)
    sub = cluster.pam(D[np.ix_(keep, keep)], 3)
    assert keep[sub.medoids].tolist() == res.medoids.tolist()
    assert res.loss == pytest.approx(sub.loss, rel=1e-12)
    np.testing.assert_array_equal(res.labels, np.argmin(D[res.medoids], axis=0))


@given(problems())
def test_float32_uses_the_float32_values(problem):
    D, k, _ = problem
    D32 = D.astype(np.float32)
    a = cluster.pam(D32, k)
    b = cluster.pam(D32.astype(np.float64), k)
    np.testing.assert_array_equal(a.medoids, b.medoids)
    assert a.loss == b.loss


def test_non_contiguous_input():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(25, 3))
    D = cdist(X, X)
    big = np.zeros((50, 50))
    big[::2, ::2] = D
    ref = cluster.pam(D, 4)
    for view in (np.asfortranarray(D), big[::2, ::2]):
        r = cluster.pam(view, 4)
        np.testing.assert_array_equal(r.medoids, ref.medoids)


@pytest.mark.parametrize("metric", ["euclidean", "sqeuclidean", "manhattan", "cosine"])
def test_pairwise_matches_scipy(metric):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 5))
    Y = rng.normal(size=(7, 5))
    name = "cityblock" if metric == "manhattan" else metric
    np.testing.assert_allclose(cluster.pairwise_dissimilarity(X, metric=metric), cdist(X, X, name), atol=1e-13)
    np.testing.assert_allclose(cluster.pairwise_dissimilarity(X, Y, metric=metric), cdist(X, Y, name), atol=1e-13)
    X32 = X.astype(np.float32)
    assert cluster.pairwise_dissimilarity(X32, metric=metric).dtype == np.float32


@pytest.mark.parametrize("method", METHODS + ["build", "lab"])
def test_raw_data_equals_precomputed(method, monkeypatch):
    # Rows computed on the fly (CLARA, CLARANS, LAB, FasterPAM beyond the memory limit) use the same double
    # precision distance as the materialised matrix, so the results are identical.
    monkeypatch.setattr(_kmedoids, "FASTERPAM_MATRIX_BYTES", 0)
    rng = np.random.default_rng(4)
    X = np.concatenate([rng.normal(c, 1.0, size=(40, 3)) for c in (0.0, 5.0, 10.0)])
    D = cluster.pairwise_dissimilarity(X)
    a = getattr(cluster, method)(X, 3, metric="euclidean", random_state=11)
    b = getattr(cluster, method)(D, 3, random_state=11)
    np.testing.assert_array_equal(a.medoids, b.medoids)
    assert a.loss == pytest.approx(b.loss, rel=1e-12)


def test_clara_and_clarans_find_separated_blobs():
    rng = np.random.default_rng(0)
    centers = rng.normal(scale=30.0, size=(5, 2))
    X = np.concatenate([c + rng.normal(size=(400, 2)) for c in centers])
    exact = cluster.fasterpam(X, 5, metric="euclidean", random_state=0)
    for method in ("clara", "fastclara", "clarans", "fastclarans"):
        res = getattr(cluster, method)(X, 5, metric="euclidean", random_state=0)
        assert np.bincount(res.labels).tolist() == [400] * 5, method
        assert res.loss <= 1.05 * exact.loss, method  # sampling methods: near, not at, the optimum


def test_random_state_reproducible_and_seed_dependent():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(200, 2))
    D = cdist(X, X)
    a = cluster.fasterpam(D, 5, random_state=3)
    b = cluster.fasterpam(D, 5, random_state=3)
    np.testing.assert_array_equal(a.medoids, b.medoids)
    starts = {tuple(cluster.lab(D, 5, random_state=s).medoids) for s in range(5)}
    assert len(starts) > 1
