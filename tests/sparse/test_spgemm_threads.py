"""numkern.sparse SpGEMM, thread counts and determinism: every n_threads and chunking gives bitwise the same result."""

import importlib.util
import pathlib

import numpy as np
import pytest
import scipy.sparse as sp

from numkern.sparse import matmul

_spec = importlib.util.spec_from_file_location("spgemm_cases", pathlib.Path(__file__).with_name("spgemm_cases.py"))
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)
assert_bitwise = cases.assert_bitwise
assert_same = cases.assert_same
cancelling_stencil = cases.cancelling_stencil
messy_product_operand = cases.messy_product_operand
near_stencil = cases.near_stencil
rmat = cases.rmat
sorted_copy = cases.sorted_copy


def test_thread_count_does_not_change_the_result():
    rng = np.random.default_rng(6)
    A = sp.random_array((3000, 3000), density=0.004, format="csr", rng=rng)
    ref = matmul(A, A, n_threads=1)
    for nt in (2, 3, 4):
        C = matmul(A, A, n_threads=nt)
        np.testing.assert_array_equal(C.indptr, ref.indptr)
        np.testing.assert_array_equal(C.indices, ref.indices)
        np.testing.assert_array_equal(C.data, ref.data)  # bitwise: one thread per row, fixed order


@pytest.mark.parametrize("keep_zeros", [False, True])
@pytest.mark.parametrize("sort_indices", [True, False])
def test_multi_thread_single_pass_equals_one_thread_bitwise(keep_zeros, sort_indices):
    # Several threads: many chunks (about 262144 multiplications each, at least 8 per thread), all but the first
    # staged and copied to their offsets. Each row is still computed by one thread in the same order, so the
    # arrays must equal the one-thread result bit for bit, for every thread count (more chunks than threads).
    A = cancelling_stencil(250, seed=11)  # 1.6e6 multiplications: 16 chunks on 2 threads
    one = matmul(A, A, n_threads=1, keep_zeros=keep_zeros, sort_indices=sort_indices)
    assert (np.count_nonzero(one.data == 0) > 1000) == keep_zeros
    for nt in (2, 3, 5):
        assert_bitwise(matmul(A, A, n_threads=nt, keep_zeros=keep_zeros, sort_indices=sort_indices), one)
    # The two-pass kernel (symbolic + numeric, used by plans and for int32 flop overflow) agrees too.
    two = matmul(A, A, n_threads=2, keep_zeros=keep_zeros, sort_indices=sort_indices, _force_int64=True)
    np.testing.assert_array_equal(two.indptr, one.indptr)
    np.testing.assert_array_equal(two.indices, one.indices)
    np.testing.assert_array_equal(two.data, one.data)
    if not keep_zeros:
        ref = A @ A
        ref.eliminate_zeros()
        assert_same(sorted_copy(one), ref)


@pytest.mark.parametrize("keep_zeros", [False, True])
@pytest.mark.parametrize("sort_indices", [True, False])
@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("pattern", ["stencil", "band", "ruler"])
def test_stencil_row_templates_equal_the_accumulator_bitwise(keep_zeros, sort_indices, n_threads, pattern):
    # Window rows whose structure repeats are replayed from a recorded template (no accumulator, no sort); rows
    # differing only inside (same length, same end columns) must be detected and accumulated. Reference: the
    # same product with B flagged non-canonical, which sends every row through the hash accumulator (same
    # storage-order sums, no templates): arrays must agree to the last bit, signed zeros included.
    A = near_stencil(40000, seed=3, band=pattern == "band", ruler=pattern == "ruler")
    B_hash = sp.csr_array((A.data, A.indices, A.indptr), shape=A.shape)
    B_hash.has_sorted_indices = False
    kw = dict(n_threads=n_threads, keep_zeros=keep_zeros, sort_indices=sort_indices)
    C = matmul(A, A, **kw)
    ref = matmul(A, B_hash, **kw)
    assert_bitwise(C, ref)
    # A's rows stored in reverse (unsorted A, canonical B): templates are relative to the first stored column.
    A_rev = A.copy()
    for i in range(A.shape[0]):
        lo, hi = A.indptr[i], A.indptr[i + 1]
        A_rev.indices[lo:hi] = A.indices[lo:hi][::-1]
        A_rev.data[lo:hi] = A.data[lo:hi][::-1]
    A_rev.has_sorted_indices = False
    assert_bitwise(matmul(A_rev, A, **kw), matmul(A_rev, B_hash, **kw))
    if keep_zeros:
        assert np.count_nonzero(np.signbit(C.data) & (C.data == 0)) > 0  # signed zeros were exercised
    else:
        D = A @ A
        D.eliminate_zeros()
        assert_same(sorted_copy(C), D)


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("keep_zeros", [False, True])
def test_multi_thread_single_pass_on_messy_inputs(index_dtype, keep_zeros):
    # Unsorted rows, duplicates, explicit zeros, cancellations and empty blocks of rows, with hash rows (random
    # columns) and dense-window rows (a stencil): equal to scipy, and to one thread bit for bit.
    rng = np.random.default_rng(21)
    S = cancelling_stencil(200, seed=3)
    S = sp.csr_array((S.data, S.indices.astype(index_dtype), S.indptr.astype(index_dtype)), shape=S.shape)
    for A in (messy_product_operand(rng, 40_000, 8, index_dtype), S):
        one = matmul(A, A, n_threads=1, keep_zeros=keep_zeros)
        assert one.indices.dtype == index_dtype and one.indptr.dtype == index_dtype
        for nt in (2, 4):
            assert_bitwise(matmul(A, A, n_threads=nt, keep_zeros=keep_zeros), one)
        if not keep_zeros:
            assert_same(one, A @ A)


def test_multi_thread_single_pass_hub_rows_and_empty_chunks():
    # Power-law rows: a chunk can be a single hub row far above the chunk size (its staging buffer grows and is
    # reused by later chunks), while rows 1000..5000 select only an empty row of B: whole chunks of empty output.
    A = rmat(13, 8, seed=5)
    Z = A.tolil()
    Z[1000:5000, :] = 0
    Z[1000:5000, 0] = 1.0
    Z = Z.tocsr()
    Bz = A.tolil()
    Bz[0, :] = 0
    Bz = Bz.tocsr()
    Bz.eliminate_zeros()
    for L, R in ((A, A), (Z, Bz)):
        one = matmul(L, R, n_threads=1)
        assert_same(one, L @ R)
        for nt in (2, 3):
            assert_bitwise(matmul(L, R, n_threads=nt), one)
