"""sparse.matmul with A a dask array of CSR row blocks: exact structure and values of the in-memory product."""

import numpy as np
import pytest
import scipy.sparse as sp

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
pytest.importorskip("distributed")

from numkern.sparse import matmul  # noqa: E402
from numkern.sparse._dask import laplacian_2d, laplacian_2d_rows  # noqa: E402


def _same(C, D):
    assert C.shape == D.shape and C.dtype == D.dtype and C.format == "csr"
    np.testing.assert_array_equal(C.indptr, D.indptr)
    np.testing.assert_array_equal(C.indices, D.indices)
    np.testing.assert_array_equal(C.data, D.data)


def test_laplacian_generator_is_the_kron_form():
    m = 7
    T = sp.diags([-1.0, 4.0, -1.0], [-1, 0, 1], shape=(m, m))
    S = sp.diags([-1.0, -1.0], [-1, 1], shape=(m, m))
    ref = (sp.kron(sp.identity(m), T) + sp.kron(S, sp.identity(m))).tocsr()
    assert abs(laplacian_2d_rows(m, 0, m * m) - ref).max() == 0


def test_row_blocks_match_in_memory(client, no_client_gather):
    rng = np.random.default_rng(0)
    A = sp.random(400, 300, density=0.03, format="csr", random_state=1)
    B = sp.random(300, 250, density=0.05, format="csr", random_state=2)
    B.data = rng.standard_normal(B.nnz)
    ref = matmul(A, B)
    with no_client_gather():
        Ad = da.from_array(A, chunks=(97, 150), asarray=False)  # column chunks merged to whole rows
        C = matmul(Ad, B)
        C2 = matmul(Ad, da.from_array(B, chunks=(100, -1), asarray=False))  # B as a row-chunked dask array
    assert isinstance(C, da.Array) and sp.issparse(C._meta) and C.chunks[0] == Ad.chunks[0]
    _same(C.compute(), ref)
    _same(C2.compute(), ref)
    _same(matmul(Ad, B, keep_zeros=True, sort_indices=False).compute(), matmul(A, B, keep_zeros=True,
                                                                              sort_indices=False))


def test_big_laplacian_product_within_worker_memory(fresh_workers, no_client_gather):
    # L @ P for the 1500 x 1500 grid Laplacian (n = 2.25e6 rows, ~135 MB, generated on the workers) and a 27 MB
    # B = P (P[i, i % 64] = 1) shipped to both workers: C is ~135 MB more, each worker may hold 250 MB in all.
    m, n = 1500, 1500 * 1500
    L = laplacian_2d(m, 30_000)
    P = sp.csr_matrix((np.ones(n), (np.arange(n), np.arange(n) % 64)), shape=(n, 64))
    with no_client_gather():
        C = matmul(L, P)
    nnz = C.map_blocks(lambda b: np.array([[b.nnz]]), chunks=(1, 1), dtype=np.int64,
                       meta=np.empty((0, 0), np.int64)).sum().compute()
    total = C.map_blocks(lambda b: np.array([[b.sum()]]), chunks=(1, 1), dtype=np.float64,
                         meta=np.empty((0, 0))).sum().compute()
    # sum(L P) = sum(L): 4 per node minus one per neighbour, i.e. the number of boundary edges.
    assert total == 4 * m
    first = matmul(laplacian_2d_rows(m, 0, 30_000), P)
    _same(C.blocks[0].compute(), first)
    assert nnz > first.nnz * (n // 30_000 - 1)


def test_bad_input():
    A = sp.random(20, 10, density=0.2, format="csr", random_state=0)
    Ad = da.from_array(A, chunks=(5, -1), asarray=False)
    with pytest.raises(TypeError, match="pass A as a dask array"):
        matmul(A, da.from_array(A.T.tocsr(), asarray=False))
    with pytest.raises(TypeError, match="not scipy.sparse"):
        matmul(da.ones((20, 10), chunks=5), A.T.tocsr())
    with pytest.raises(ValueError, match="dimension mismatch"):
        matmul(Ad, A)
    with pytest.raises(TypeError, match="B: expected a scipy.sparse"):
        matmul(Ad, np.ones((10, 3)))
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        matmul(da.Array(Ad.dask, Ad.name, ((np.nan,) * 4, (10,)), meta=Ad._meta), A.T.tocsr())
