"""The CUDA path's plan run on the CPU with the reference engine (no GPU needed): the driver, buffer sizes and
strided products of numkern/kron/multi_axis.hpp are the ones numkern._cuda walks, only the engine multiplying
one product differs. Then the real GPU path (marked cuda: skipped without a GPU, CuPy and the CUDA module)."""

import numpy as np
import pytest

from numkern import _kron
from numkern.kron import KroneckerOperator, apply_along, kron_matmul


@pytest.mark.parametrize("shapes", [[(3, 4)], [(3, 4), (5, 2)], [(2, 3), (4, 4), (3, 5)], [(1, 2), (3, 1), (2, 2), (2, 3)]])
@pytest.mark.parametrize("batch", [1, 3])
def test_rotation_plan_with_the_reference_engine(shapes, batch):
    rng = np.random.default_rng(0)
    factors = [rng.standard_normal(s) for s in shapes]
    N = int(np.prod([n for _, n in shapes]))
    X = rng.standard_normal((N, batch))
    got = _kron.kron_matmat(factors, X, 1, _kron.Engine.reference).T
    np.testing.assert_allclose(got, kron_matmul(factors, X), atol=1e-13)
    np.testing.assert_allclose(got, KroneckerOperator(*factors).matmat(X), atol=1e-13)


@pytest.mark.parametrize("shapes, batch, sizes", [
    ([(3, 4)], 1, (3, 0)),                      # one step, straight into the output: no work buffer
    ([(3, 4), (5, 2)], 2, (30, 12)),            # step 1 -> work (3*2 * 2), step 2 -> out (3*5 * 2)
    ([(2, 3), (4, 4), (3, 5)], 1, (40, 40)),    # out after steps 1 and 3: max(2*4*5, 2*4*3); work: 2*4*5
    ([(5, 1), (5, 1)], 1, (25, 5)),             # rectangular: the output must hold the larger last tensor
])
def test_buffer_sizes(shapes, batch, sizes):
    assert _kron.buffer_sizes([s[0] for s in shapes], [s[1] for s in shapes], batch) == sizes


def test_apply_along_reference_engine_is_the_gpus_batched_product():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 4, 5))
    M = rng.standard_normal((2, 4))
    got = _kron.apply_along(M, X, 1, _kron.Engine.reference)
    np.testing.assert_allclose(got, np.einsum("ik,akb->aib", M, X), atol=1e-14)
    np.testing.assert_allclose(got, apply_along(1, M, X), atol=1e-14)


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
