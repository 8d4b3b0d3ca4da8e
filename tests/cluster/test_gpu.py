"""GPU path: its C++ driver (numkern/cluster/offload.hpp) with the passes on the CPU (runs everywhere) and the
real CUDA kernels (@pytest.mark.cuda, compared with the CPU)."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from numkern import cluster
from numkern import _cluster


def _problems():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    g = np.array([(i, j) for i in range(6) for j in range(6)], dtype=float)
    return {"gauss": cdist(X, X), "grid": cdist(g, g, "cityblock")}


@pytest.mark.parametrize("name", ["gauss", "grid"])
@pytest.mark.parametrize("k", [1, 2, 5])
@pytest.mark.parametrize("weighted", [False, True])
def test_driver_with_reference_passes_equals_cpu_pam(name, k, weighted):
    D = _problems()[name]
    n = D.shape[0]
    w = np.random.default_rng(k).integers(1, 4, size=n).astype(float) if weighted else None
    med, labels, loss, n_iter, n_swap = _cluster.pam_offload_reference(D, k, [], w, 10**9, False)
    ref = cluster.pam(D, k, sample_weight=w)
    assert med.tolist() == ref.medoids.tolist()
    np.testing.assert_array_equal(labels, ref.labels)
    assert loss == pytest.approx(ref.loss, rel=1e-12)
    assert (n_iter, n_swap) == (ref.n_iter, ref.n_swap)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_driver_build_only_and_initial_medoids(dtype):
    D = _problems()["gauss"].astype(dtype)
    med, labels, loss, n_iter, n_swap = _cluster.pam_offload_reference(D, 4, [], None, 10**9, True)
    ref = cluster.build(D, 4)
    assert med.tolist() == ref.medoids.tolist() and (n_iter, n_swap) == (0, 0)
    np.testing.assert_array_equal(labels, ref.labels)
    assert loss == pytest.approx(ref.loss, rel=1e-6)
    med, labels, loss, n_iter, n_swap = _cluster.pam_offload_reference(D, 3, [0, 1, 2], None, 10**9, False)
    ref = cluster.fastpam1(D, np.array([0, 1, 2]))
    assert med.tolist() == ref.medoids.tolist() and (n_iter, n_swap) == (ref.n_iter, ref.n_swap)
    np.testing.assert_array_equal(labels, ref.labels)


def test_cupy_dispatch_is_not_triggered_for_numpy():
    # NumPy input never imports CuPy or the CUDA module.
    import sys

    D = _problems()["gauss"]
    had_cupy = "cupy" in sys.modules
    cluster.pam(D, 2)
    assert ("cupy" in sys.modules) == had_cupy


@pytest.mark.cuda
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", [1, 3, 10])
def test_cuda_pam_matches_cpu(dtype, k):
    import cupy as cp

    rng = np.random.default_rng(1)
    X = np.concatenate([rng.normal(c, 1.0, size=(100, 5)) for c in (0.0, 6.0, 12.0)])
    D = cdist(X, X).astype(dtype)
    ref = cluster.pam(D, k)
    res = cluster.pam(cp.asarray(D), k)
    assert isinstance(res.medoids, cp.ndarray) and isinstance(res.labels, cp.ndarray)
    assert res.medoids.get().tolist() == ref.medoids.tolist()
    np.testing.assert_array_equal(res.labels.get(), ref.labels)
    assert res.loss == pytest.approx(ref.loss, rel=1e-6 if dtype == np.float32 else 1e-12)
    b = cluster.build(cp.asarray(D), k)
    assert b.medoids.get().tolist() == cluster.build(D, k).medoids.tolist()


@pytest.mark.cuda
def test_cuda_integer_grid_exact_and_weighted():
    import cupy as cp

    g = np.array([(i, j) for i in range(8) for j in range(8)], dtype=float)
    D = cdist(g, g, "cityblock")
    w = np.random.default_rng(0).integers(1, 5, size=D.shape[0]).astype(float)
    for k in (2, 4, 7):
        ref = cluster.fastpam1(D, k, sample_weight=w)
        res = cluster.fastpam1(cp.asarray(D), k, sample_weight=w)
        assert res.medoids.get().tolist() == ref.medoids.tolist()
        assert res.loss == ref.loss
