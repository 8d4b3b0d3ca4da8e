"""numkern.sparse SpGEMM, structure and values against scipy: dtypes, shapes, accumulator paths, families, flags."""

import importlib.util
import pathlib

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from numkern.sparse import masked_matmul, matmul, spgemm_plan
from numkern.sparse._spgemm import _Operands

_spec = importlib.util.spec_from_file_location("spgemm_cases", pathlib.Path(__file__).with_name("spgemm_cases.py"))
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)
ALL_DTYPES = cases.ALL_DTYPES
_rows_strictly_sorted = cases._rows_strictly_sorted
assert_bitwise = cases.assert_bitwise
assert_same = cases.assert_same
messy_csr = cases.messy_csr
operand_pairs = cases.operand_pairs
rmat = cases.rmat
sorted_copy = cases.sorted_copy


@given(operand_pairs(), st.sampled_from([1, 2]), st.sampled_from([np.float64, np.float32, np.complex128, np.int64]))
def test_matches_scipy_on_messy_inputs(pair, n_threads, dtype):
    A, B = pair
    A, B = A.astype(dtype), B.astype(dtype)
    C = matmul(A, B, n_threads=n_threads)
    assert_same(C, A @ B)


@given(operand_pairs())
def test_unsorted_output_has_the_same_entries(pair):
    A, B = pair
    C = matmul(A, B, sort_indices=False)
    if (A @ B).nnz:  # an empty product is trivially sorted
        assert not C.has_sorted_indices
    assert_same(sorted_copy(C), A @ B)


@given(operand_pairs())
def test_keep_zeros_keeps_the_structural_product(pair):
    A, B = pair
    C = matmul(A, B, keep_zeros=True)
    # Structure of the product without cancellation: multiply the patterns (all ones, no cancellation).
    Sa, Sb = A.copy(), B.copy()
    Sa.data[:] = 1.0
    Sb.data[:] = 1.0
    S = sorted_copy(Sa @ Sb)
    np.testing.assert_array_equal(C.indptr, S.indptr)
    np.testing.assert_array_equal(C.indices, S.indices)
    np.testing.assert_allclose(C.toarray(), A.toarray() @ B.toarray(), atol=1e-12)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_every_value_dtype(dtype):
    rng = np.random.default_rng(1)
    A = messy_csr(rng, (40, 30), 300, "normal")
    B = messy_csr(rng, (30, 50), 300, "normal")
    A.data = (A.data * 50).astype(dtype) if dtype is not np.bool_ else A.data > 0
    B.data = (B.data * 50).astype(dtype) if dtype is not np.bool_ else B.data > 0
    if np.dtype(dtype).kind == "c":
        A.data = A.data + 1j * rng.standard_normal(len(A.data)).astype(dtype)
    assert_same(matmul(A, B), A @ B)


@pytest.mark.parametrize(
    "da, db",
    [
        (np.float32, np.int64),
        (np.complex64, np.float64),
        (np.int8, np.uint8),
        (np.bool_, np.int32),
        (np.float32, np.complex64),
        (np.int32, np.float32),
    ],
)
def test_mixed_dtypes_promote_like_scipy(da, db):
    rng = np.random.default_rng(2)
    A = sp.random_array((30, 20), density=0.3, format="csr", rng=rng, data_sampler=lambda size: rng.integers(1, 9, size))
    B = sp.random_array((20, 25), density=0.3, format="csr", rng=rng, data_sampler=lambda size: rng.integers(1, 9, size))
    A, B = A.astype(da), B.astype(db)
    C = matmul(A, B)
    D = A @ B
    assert C.dtype == D.dtype
    assert_same(C, D)


def test_narrow_integers_wrap_and_drop_like_scipy():
    # int8: 16 * 16 = 256 wraps to 0 and scipy drops that entry; 100 + 100 wraps to -56.
    A = sp.csr_array(np.array([[16, 10, 10]], dtype=np.int8))
    B = sp.csr_array(np.array([[16, 1], [0, 10], [0, 10]], dtype=np.int8))
    assert_same(matmul(A, B), A @ B)
    assert matmul(A, B).nnz == 1


@pytest.mark.parametrize("shape", [((0, 5), (5, 4)), ((4, 5), (5, 0)), ((4, 0), (0, 6)), ((0, 0), (0, 0))])
def test_empty_shapes(shape):
    A = sp.csr_array(shape[0])
    B = sp.csr_array(shape[1])
    assert_same(matmul(A, B), A @ B)


def test_empty_rows_and_columns():
    rng = np.random.default_rng(3)
    A = sp.random_array((50, 40), density=0.2, format="lil", rng=rng)
    A[5:15, :] = 0
    A[:, 20:30] = 0
    A = A.tocsr()
    A.eliminate_zeros()
    assert_same(matmul(A, A.T.tocsr()), A @ A.T.tocsr())


def test_hub_rows_and_dense_output_rows():
    # A hub row with 3000 entries times a matrix with long rows: dense accumulator (flop * 16 > ncols).
    rng = np.random.default_rng(4)
    n = 4000
    A = sp.random_array((n, n), density=0.0005, format="lil", rng=rng)
    A[7, rng.choice(n, 3000, replace=False)] = rng.standard_normal(3000)
    A[9, :] = rng.standard_normal(n)  # a completely full row
    A = A.tocsr()
    C = matmul(A, A, n_threads=2)
    assert_same(C, A @ A)
    assert C.indptr[10] - C.indptr[9] > n // 2  # very dense output row


def test_hash_window_and_direct_paths():
    # Wide random matrix (hash tables), a stencil (dense window) and a permutation-like A (direct row copies).
    rng = np.random.default_rng(5)
    n = 60000
    rows = np.repeat(np.arange(n), 3)
    R = sp.csr_array((rng.standard_normal(3 * n), (rows, rng.integers(0, n, 3 * n))), shape=(n, n))
    assert_same(matmul(R, R, n_threads=2), R @ R)
    m = 150
    L = sp.diags_array([-np.ones(m - 1), 2 * np.ones(m), -np.ones(m - 1)], offsets=[-1, 0, 1])
    I = sp.eye_array(m)
    S = (sp.kron(L, I) + sp.kron(I, L)).tocsr()
    assert_same(matmul(S, S, n_threads=2), S @ S)
    P = sp.csr_array((np.arange(1.0, n + 1), (np.arange(n), rng.permutation(n))), shape=(n, n))
    assert_same(matmul(P, R), P @ R)
    # Unsorted B disables the direct copy: same answer.
    Ru = R.copy()
    Ru.indices = Ru.indices.copy()
    for i in range(0, n, 7):
        lo, hi = Ru.indptr[i], Ru.indptr[i + 1]
        Ru.indices[lo:hi] = Ru.indices[lo:hi][::-1].copy()
        Ru.data[lo:hi] = Ru.data[lo:hi][::-1].copy()
    Ru.has_sorted_indices = False
    assert_same(matmul(P, Ru), P @ Ru)


@pytest.mark.parametrize("sort_indices", [True, False])
def test_hash_rows_with_skewed_columns(sort_indices):
    # Hash rows whose columns crowd into a few bucket-sort buckets (most in [0, 600), one far outlier stretches
    # the range): buckets longer than the insertion limit take the per-bucket std::sort path.
    rng = np.random.default_rng(17)
    n = 400_000
    rows = np.repeat(np.arange(300), 40)
    cols = rng.integers(0, 600, len(rows))
    A = sp.csr_array((rng.standard_normal(len(rows)), (rows, rng.integers(0, 300, len(rows)))), shape=(300, 300))
    B = sp.csr_array((rng.standard_normal(len(rows)), (rows, cols)), shape=(300, n)).tolil()
    B[:, n - 1] = 1.0
    B = B.tocsr()
    C = matmul(A, B, sort_indices=sort_indices)
    assert_same(sorted_copy(C) if not sort_indices else C, A @ B)


def test_dense_and_hash_rows_share_one_thread_workspace():
    # Regression: a long dense-accumulator row (keys-only sort) followed on the same thread by long hash rows
    # (pair sort) must not reuse a too-small value buffer.
    rng = np.random.default_rng(13)
    n = 200_000
    rows = np.concatenate((np.zeros(3400, dtype=np.int64), np.repeat(np.arange(1, 400), 12)))  # flop 2e4 > n/16
    cols = np.concatenate((rng.choice(n, 3400, replace=False), rng.integers(0, n, 399 * 12)))
    A = sp.csr_array((rng.standard_normal(len(rows)), (rows, cols)), shape=(400, n))
    B = sp.csr_array(
        (rng.standard_normal(n * 6), (np.repeat(np.arange(n), 6), rng.integers(0, n, n * 6))), shape=(n, n)
    )
    assert_same(matmul(A, B, n_threads=1), A @ B)


@pytest.mark.parametrize("n_threads", [1, 2])
def test_power_law_graph(n_threads):
    A = rmat(10, 8, seed=14)
    assert_same(matmul(A, A, n_threads=n_threads), A @ A)
    assert_same(matmul(A, A.T.tocsr(), n_threads=n_threads), A @ A.T.tocsr())


def test_wide_band_rows_beyond_the_template_limit():
    # Rows of more than 65536 products (half-bandwidth 130: 261^2 = 68121) are accumulated, not templated;
    # narrower rows of the same product near the edges still are. Both must equal the hash accumulator bitwise.
    n, hw = 700, 130
    rng = np.random.default_rng(4)
    A = sp.diags_array([rng.choice([-1.0, 1.0, 0.5], size=n - abs(o)) for o in range(-hw, hw + 1)],
                       offsets=list(range(-hw, hw + 1)), format="csr")  # fmt: skip
    flop = np.diff(A.indptr)[A.indices]
    row_flop = np.add.reduceat(flop, A.indptr[:-1])
    assert row_flop.max() > 65536 and row_flop.min() < 65536
    B_hash = sp.csr_array((A.data, A.indices, A.indptr), shape=A.shape)
    B_hash.has_sorted_indices = False
    for n_threads in (1, 2):
        assert_bitwise(matmul(A, A, n_threads=n_threads), matmul(A, B_hash, n_threads=n_threads))
    D = A @ A
    D.eliminate_zeros()
    assert_same(sorted_copy(matmul(A, A)), D)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int64])
@pytest.mark.parametrize("keep_zeros", [False, True])
def test_full_width_dense_rows_equal_the_hash_accumulator_bitwise(dtype, keep_zeros):
    # Rows with flop * 16 > ncols add every product into column sums preset to the additive identity (-0.0) and
    # read the row back from a bitmap. Reference: the same product with B flagged non-canonical and 10^6 empty
    # columns appended, which sends those rows through the hash accumulator (first product assigned, the rest
    # added, in the same order): arrays must agree to the last bit, signed zeros included.
    rng = np.random.default_rng(8)
    n = 512
    hub = rng.random(n) < 0.1  # 200 entries x 8 per B row = 1600 products > 512 / 16: full-width dense rows
    per_row = np.where(hub, 200, 3)
    rows = np.repeat(np.arange(n), per_row)
    cols = np.concatenate([rng.choice(n, size=c, replace=False) for c in per_row])
    levels = [-1.0, 1.0, 0.0, -0.0, 0.5]
    weights = [0.35, 0.35, 0.1, 0.1, 0.1]

    def values(size):
        v = rng.choice(levels, p=weights, size=size)
        if np.dtype(dtype).kind == "c":
            v = v + 1j * rng.choice(levels, p=weights, size=size)
        return v.astype(dtype)

    A = sp.csr_array((values(len(rows)), (rows, cols)), shape=(n, n))
    A.sum_duplicates()
    B = sp.random_array((n, n), density=8 / n, format="csr", rng=9)
    B = sp.csr_array((values(B.nnz), B.indices, B.indptr), shape=B.shape)
    wide = sp.hstack([B, sp.csr_array((n, 10**6), dtype=dtype)], format="csr")
    wide.has_sorted_indices = False
    C = matmul(A, B, keep_zeros=keep_zeros)
    ref = matmul(A, wide, keep_zeros=keep_zeros)[:, :n]  # scipy's column slice keeps the row order
    assert_bitwise(C, sorted_copy(ref))
    dense_rows = np.flatnonzero(hub)
    assert np.diff(C.indptr)[dense_rows].min() > 200  # the hub rows are there and long
    if keep_zeros and np.dtype(dtype).kind in "fc":
        assert np.count_nonzero(np.signbit(C.data.real) & (C.data.real == 0)) > 0  # signed zeros were exercised
    unsorted = matmul(A, B, keep_zeros=keep_zeros, sort_indices=False)
    assert not unsorted.has_sorted_indices
    np.testing.assert_array_equal(sorted_copy(unsorted).indices, C.indices)
    if not keep_zeros:
        D = A @ B
        D.eliminate_zeros()
        assert_same(sorted_copy(C), D)


def test_int64_indices():
    rng = np.random.default_rng(7)
    A = messy_csr(rng, (40, 30), 200, "normal", index_dtype=np.int64)
    B = messy_csr(rng, (30, 20), 200, "normal", index_dtype=np.int64)
    C = matmul(A, B)
    assert C.indices.dtype == np.int64 and C.indptr.dtype == np.int64
    assert_same(C, A @ B)
    # one int64 operand is enough
    B32 = messy_csr(rng, (30, 20), 200, "normal")
    assert_same(matmul(A, B32), A @ B32)
    # int32 inputs whose product would need int64 (simulated): the int64 kernel gives the same structure.
    A32 = messy_csr(rng, (40, 30), 200, "normal")
    C64 = matmul(A32, B32, _force_int64=True)
    D = sorted_copy(A32 @ B32)
    assert C64.indices.dtype == np.int64
    np.testing.assert_array_equal(C64.indptr, D.indptr)
    np.testing.assert_array_equal(C64.indices, D.indices)
    np.testing.assert_allclose(C64.data, D.data, rtol=1e-14)


def test_family_and_formats():
    rng = np.random.default_rng(8)
    A = sp.random_array((30, 40), density=0.2, format="csr", rng=rng)
    B = sp.random_array((40, 20), density=0.2, format="csr", rng=rng)
    Am, Bm = sp.csr_matrix(A), sp.csr_matrix(B)
    assert type(matmul(Am, Bm)) is sp.csr_matrix
    assert type(matmul(Am, B)) is sp.csr_matrix  # left operand decides, as in scipy
    assert type(matmul(A, Bm)) is sp.csr_array
    for fmt in ("coo", "csc", "lil", "dok", "bsr", "dia"):
        # CSR out whatever the input format (scipy returns its own format for some of them)
        assert_same(matmul(A.asformat(fmt), B.asformat(fmt)), sp.csr_array(A.asformat(fmt) @ B.asformat(fmt)))
    assert_same(matmul(Am, Bm), Am @ Bm)


def test_csr_input_is_not_copied():
    A = sp.random_array((30, 30), density=0.2, format="csr", rng=0)
    before = (A.indptr.copy(), A.indices.copy(), A.data.copy())
    ops = _Operands(A, A, None)  # what matmul and masked_matmul multiply
    assert ops.A is A  # CSR in: used as is
    assert ops.Aj is A.indices and ops.Ap is A.indptr
    matmul(A, A)
    plan = spgemm_plan(A, A)
    assert not any(np.may_share_memory(a, b) for a in (plan._ops.Ap, plan._ops.Aj) for b in (A.indptr, A.indices))
    for x, y in zip(before, (A.indptr, A.indices, A.data)):  # inputs are never written
        np.testing.assert_array_equal(x, y)


def test_flags_are_honest():
    A = sp.random_array((50, 50), density=0.1, format="csr", rng=9)
    C = matmul(A, A)
    assert C.has_sorted_indices and C.has_canonical_format
    assert _rows_strictly_sorted(C)
    U = matmul(A, A, sort_indices=False)
    assert not U.has_sorted_indices and not U.has_canonical_format
