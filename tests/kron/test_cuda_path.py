"""The CUDA path's launch plans, executed by a numpy emulation of the strided GEMM (no GPU needed), and the
real GPU path (marked cuda: skipped without a GPU, CuPy and the CUDA module)."""

import numpy as np
import pytest

from numkern.kron import KroneckerOperator, apply_along
from numkern.kron._cuda_path import (
    apply_along_launch,
    buffer_sizes,
    numpy_strided_gemm,
    rotation_plan,
    run_plan,
)


@pytest.mark.parametrize("shapes", [[(3, 4)], [(3, 4), (5, 2)], [(2, 3), (4, 4), (3, 5)], [(1, 2), (3, 1), (2, 2), (2, 3)]])
@pytest.mark.parametrize("batch", [1, 3])
def test_rotation_plan_emulated(shapes, batch):
    rng = np.random.default_rng(0)
    factors = [rng.standard_normal(s) for s in shapes]
    N = int(np.prod([n for _, n in shapes]))
    M = int(np.prod([m for m, _ in shapes]))
    X = rng.standard_normal((N, batch))
    out_cap, work_cap = buffer_sizes(shapes, batch)
    out, work = np.full(out_cap, np.nan), np.full(max(work_cap, 1), np.nan)
    run_plan(rotation_plan(shapes, batch), factors, X.reshape(-1), out, work, numpy_strided_gemm)
    res = out[: M * batch].reshape(batch, M).T
    np.testing.assert_allclose(res, KroneckerOperator(*factors).matmat(X), atol=1e-13)


def test_apply_along_launch_emulated():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 4, 5))
    M = rng.standard_normal((2, 4))
    Y = np.full((3, 2, 5), np.nan)
    numpy_strided_gemm(apply_along_launch(2, 4, 3, 5), M.reshape(-1), X.reshape(-1), Y)
    np.testing.assert_allclose(Y, apply_along(1, M, X), atol=1e-14)


@pytest.mark.cuda
def test_gpu_products_match_cpu():
    import cupy as cp

    rng = np.random.default_rng(2)
    factors = [rng.standard_normal((5, 4)), rng.standard_normal((3, 6)), rng.standard_normal((7, 7))]
    op = KroneckerOperator(*factors)
    X = rng.standard_normal((op.shape[1], 3))
    got = op @ cp.asarray(X)
    assert isinstance(got, cp.ndarray)
    np.testing.assert_allclose(cp.asnumpy(got), op @ X, atol=1e-12)
    np.testing.assert_allclose(cp.asnumpy(op @ cp.asarray(X[:, 0])), op @ X[:, 0], atol=1e-12)
    T = rng.standard_normal((4, 6, 7))
    Mx = rng.standard_normal((2, 6))
    np.testing.assert_allclose(cp.asnumpy(apply_along(1, Mx, cp.asarray(T))), apply_along(1, Mx, T), atol=1e-12)
