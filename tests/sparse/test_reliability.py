"""Reliability of numkern.sparse on unusual but legal inputs and on wrongly typed flags (issue 18).

References: scipy's ``A @ B`` restricted to the mask pattern (dense algebra on small matrices), and matmul's own
handling of the same inputs.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from numkern.sparse import masked_matmul, matmul, spgemm_plan


def _operands(seed=0):
    A = sp.random_array((30, 20), density=0.3, format="csr", rng=seed)
    B = sp.random_array((20, 25), density=0.3, format="csr", rng=seed + 1)
    M = sp.random_array((30, 25), density=0.4, format="csr", rng=seed + 2)
    return A, B, M


def _masked_reference(A, B, M):
    """(A @ B) at the stored positions of M, as a dense array (structural mask: values ignored)."""
    pattern = sp.csr_array((np.ones(M.nnz), M.indices.reshape(-1), M.indptr), shape=M.shape).toarray() != 0
    return np.where(pattern, (A @ B).toarray(), 0.0)


def _with_indices(X, indices):
    """A copy of the CSR ``X`` whose ``indices`` attribute is replaced (scipy's constructor refuses 2-D ones)."""
    Y = X.copy()
    Y.indices = indices
    return Y


def _assert_same_csr(C, D):
    assert type(C) is type(D) and C.shape == D.shape and C.dtype == D.dtype
    assert C.indices.dtype == D.indices.dtype and C.indices.ndim == 1
    np.testing.assert_array_equal(C.indptr, D.indptr)
    np.testing.assert_array_equal(C.indices, D.indices)
    np.testing.assert_array_equal(C.data, D.data)


@pytest.mark.parametrize("shape", [(-1, 1), (1, -1)])
@pytest.mark.parametrize("canonical", [True, False])
def test_masked_matmul_reads_2d_mask_indices_flat_like_matmul(shape, canonical):
    # Used to fail with "output arrays too short" ((1, nnz)) or scipy's "data, indices, and indptr should be
    # 1-D" ((nnz, 1)); matmul reads 2-D index arrays of its operands flat.
    A, B, M = _operands()
    if not canonical:  # every entry twice, rows unsorted: the mask goes through the merge path
        coo = M.tocoo()
        M = sp.coo_array(
            (np.r_[coo.data, coo.data][::-1], (np.r_[coo.row, coo.row][::-1], np.r_[coo.col, coo.col][::-1])),
            shape=M.shape,
        ).tocsr()
        M.has_canonical_format = False
    flat = masked_matmul(A, B, M)
    np.testing.assert_allclose(flat.toarray(), _masked_reference(A, B, M), rtol=1e-14, atol=0)
    M2 = _with_indices(M, M.indices.reshape(shape))
    _assert_same_csr(masked_matmul(A, B, M2), flat)
    # matmul's behaviour on the same kind of operand, which masked_matmul now matches.
    A2 = _with_indices(A, A.indices.reshape(shape))
    _assert_same_csr(matmul(A2, B), matmul(A, B))
    _assert_same_csr(masked_matmul(A2, B, M2), flat)


def test_mask_with_2d_indptr_is_refused_naming_the_mask_like_matmul():
    A, B, M = _operands()
    M2 = M.copy()
    M2.indptr = M.indptr.reshape(-1, 1)
    with pytest.raises(ValueError, match="mask has an inconsistent CSR structure"):
        masked_matmul(A, B, M2)
    A2 = A.copy()
    A2.indptr = A.indptr.reshape(-1, 1)
    with pytest.raises(ValueError, match="A has an inconsistent CSR structure"):
        matmul(A2, B)


def test_mask_with_many_duplicates_keeps_the_position():
    # The merge sums a private bool copy of the structure: 300 duplicates of one position stay one position.
    A, B, _ = _operands(3)
    product = (A @ B).tocoo()
    i, j = int(product.row[0]), int(product.col[0])
    indptr = np.r_[np.zeros(i + 1, dtype=np.int32), np.full(30 - i, 300, dtype=np.int32)]
    M = sp.csr_array((np.ones(300), np.full(300, j, dtype=np.int32), indptr), shape=(30, 25))
    M.has_canonical_format = False
    C = masked_matmul(A, B, M)
    assert C.nnz == 1 and C.indices[0] == j
    assert C[i, j] == pytest.approx((A @ B)[i, j], rel=1e-15)
    assert M.nnz == 300  # the caller's mask is untouched


@pytest.mark.parametrize("value", ["no", 1, 0, None, np.array([True, False]), 1.0])
def test_flags_must_be_bools(value):
    A, B, M = _operands()
    with pytest.raises(TypeError, match="keep_zeros must be True or False"):
        matmul(A, B, keep_zeros=value)
    with pytest.raises(TypeError, match="sort_indices must be True or False"):
        matmul(A, B, sort_indices=value)
    with pytest.raises(TypeError, match="keep_zeros must be True or False"):
        masked_matmul(A, B, M, keep_zeros=value)
    with pytest.raises(TypeError, match="keep_zeros must be True or False"):
        spgemm_plan(A, B).multiply(A.data, B.data, keep_zeros=value)


def test_numpy_bools_are_accepted_as_flags():
    A, B, M = _operands()
    _assert_same_csr(matmul(A, B, keep_zeros=np.bool_(True), sort_indices=np.True_), matmul(A, B, keep_zeros=True))
    _assert_same_csr(masked_matmul(A, B, M, keep_zeros=np.False_), masked_matmul(A, B, M))
