"""numkern.sparse SpGEMM, masked_matmul: the product restricted to a mask pattern."""

import importlib.util
import pathlib

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from numkern.sparse import masked_matmul

_spec = importlib.util.spec_from_file_location("spgemm_cases", pathlib.Path(__file__).with_name("spgemm_cases.py"))
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)
_rows_strictly_sorted = cases._rows_strictly_sorted
assert_same = cases.assert_same
masked_reference = cases.masked_reference
messy_csr = cases.messy_csr
operand_pairs = cases.operand_pairs
reverse_rows_in_place = cases.reverse_rows_in_place
sorted_copy = cases.sorted_copy


@given(operand_pairs(), st.integers(0, 2**32 - 1), st.sampled_from([1, 2]))
def test_masked_matches_restricted_product(pair, seed, n_threads):
    A, B = pair
    rng = np.random.default_rng(seed)
    M = messy_csr(rng, (A.shape[0], B.shape[1]), int(rng.integers(0, 200)), "small")
    C = masked_matmul(A, B, M, n_threads=n_threads)
    assert_same(C, masked_reference(A, B, M))


def test_masked_dense_mask_rows_and_triangles():
    rng = np.random.default_rng(12)
    n = 300
    G = sp.random_array((n, n), density=0.05, format="csr", rng=rng)
    G = ((G + G.T) > 0).astype(np.float64)
    G.setdiag(0)
    G.eliminate_zeros()
    G = sp.csr_array(G)
    L = sp.tril(G, k=-1, format="csr")
    triangles = masked_matmul(L, L, L).sum()
    Gd = G.toarray()
    assert triangles == pytest.approx(np.trace(Gd @ Gd @ Gd) / 6, abs=0)
    full = sp.csr_array(np.ones((n, n)))  # dense mask rows take the dense position map
    assert_same(masked_matmul(G, G, full), sorted_copy(G @ G))


def test_masked_errors():
    A = sp.random_array((10, 8), density=0.3, format="csr", rng=0)
    with pytest.raises(ValueError, match="mask"):
        masked_matmul(A, A.T, sp.csr_array((10, 9)))
    with pytest.raises(TypeError, match="mask"):
        masked_matmul(A, A.T, np.ones((10, 10)))


def test_masked_mask_structure_is_validated_and_its_cached_flags_not_trusted():
    n = 300
    A = sp.random_array((n, n), density=0.05, format="csr", rng=1)
    for corrupt in ("index", "pointer"):
        M = sp.random_array((n, n), density=0.05, format="csr", rng=2)
        assert M.has_canonical_format  # cached by scipy before the edit below
        if corrupt == "index":
            M.indices[5] = 10**7
        else:
            M.indptr[n // 2] = 10**8
        with pytest.raises(ValueError, match="mask has an invalid CSR structure"):
            masked_matmul(A, A, M)
    # Rows reversed in place: scipy's cached flags still say canonical; the result must really be sorted.
    M = sp.random_array((n, n), density=0.05, format="csr", rng=2)
    ref = sorted_copy((A @ A).multiply(M.astype(bool)).tocsr())
    assert M.has_canonical_format
    reverse_rows_in_place(M)
    assert M.has_canonical_format and M.has_sorted_indices  # stale
    C = masked_matmul(A, A, M)
    assert C.has_canonical_format and _rows_strictly_sorted(C)
    np.testing.assert_array_equal(C.indptr, ref.indptr)
    np.testing.assert_array_equal(C.indices, ref.indices)
    np.testing.assert_allclose(C.data, ref.data, rtol=1e-13)
