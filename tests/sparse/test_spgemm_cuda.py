"""GPU SpGEMM (CuPy sparse in, CuPy CSR out) against cupyx.scipy.sparse (cuSPARSE) and scipy."""

import numpy as np
import pytest
import scipy.sparse as sp

from numkern.sparse import matmul
from numkern.sparse._cuda import is_cupy_sparse


def test_scipy_inputs_stay_on_the_cpu_path():
    A = sp.random_array((20, 20), density=0.2, format="csr", rng=0)
    assert not is_cupy_sparse(A)
    assert not is_cupy_sparse(A.toarray())
    assert isinstance(matmul(A, A), sp.csr_array)


def _cases():
    rng = np.random.default_rng(0)
    n = 3000
    yield "random", sp.random_array((n, n), density=0.003, format="csr", rng=rng)
    # hub rows exercise the block bin and the global-memory bin
    H = sp.random_array((n, n), density=0.001, format="lil", rng=rng)
    H[5, :] = 1.0
    H[6, rng.choice(n, 600, replace=False)] = 2.0
    yield "hubs", H.tocsr()
    side = 60
    L = sp.diags_array([-np.ones(side - 1), 2 * np.ones(side), -np.ones(side - 1)], offsets=[-1, 0, 1])
    I = sp.eye_array(side)
    yield "stencil", (sp.kron(L, I) + sp.kron(I, L)).tocsr()


@pytest.mark.cuda
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", list(range(3)))
def test_gpu_matches_cusparse_and_scipy(case, dtype):
    import cupy as cp
    import cupyx.scipy.sparse as csp

    name, A = list(_cases())[case]
    A = A.astype(dtype)
    Ag = csp.csr_matrix(A)
    C = matmul(Ag, Ag)
    assert isinstance(C, csp.csr_matrix) and C.has_sorted_indices
    ref = (A @ A).tocsr()
    ref.sort_indices()
    np.testing.assert_array_equal(cp.asnumpy(C.indptr), ref.indptr)
    np.testing.assert_array_equal(cp.asnumpy(C.indices), ref.indices)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(cp.asnumpy(C.data), ref.data, rtol=rtol, atol=rtol * abs(ref.data).max())
    D = Ag @ Ag  # cuSPARSE
    np.testing.assert_allclose(C.toarray().get(), D.toarray().get(), rtol=rtol, atol=rtol * abs(ref.data).max())


@pytest.mark.cuda
def test_gpu_cancellation_and_errors():
    import cupyx.scipy.sparse as csp

    A = csp.csr_matrix(sp.csr_array(np.array([[1.0, 1.0], [0.0, 0.0]])))
    B = csp.csr_matrix(sp.csr_array(np.array([[1.0], [-1.0]])))
    C = matmul(A, B)
    assert C.nnz == 0
    assert matmul(A, B, keep_zeros=True).nnz == 1
    with pytest.raises(ValueError, match="shape"):
        matmul(A, A.T)
    with pytest.raises(TypeError):
        matmul(A.astype(np.complex128), A)
