"""numkern.sparse.matmul / spgemm_plan / masked_matmul against scipy's SMMP product and dense algebra.

Structure is compared exactly (indptr, indices after sorting scipy's rows, index dtype, family); values to
rounding (the accumulation order equals scipy's, so in practice they agree bitwise).
"""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from numkern import _sparse
from numkern.sparse import SpgemmPlan, masked_matmul, matmul, spgemm_plan
from numkern.sparse._spgemm import _Operands

ALL_DTYPES = [
    np.float32,
    np.float64,
    np.complex64,
    np.complex128,
    np.int8,
    np.int16,
    np.int32,
    np.int64,
    np.uint8,
    np.uint32,
    np.uint64,
    np.bool_,
]


def sorted_copy(D):
    D = D.copy()
    D.sort_indices()
    return D


def assert_same(C, D):
    """C (ours) equals D (scipy's A @ B): family, shape, dtypes, exact structure, values to rounding."""
    D = sorted_copy(D)
    assert type(C) is type(D)
    assert C.shape == D.shape
    assert C.dtype == D.dtype
    assert C.indptr.dtype == D.indptr.dtype and C.indices.dtype == D.indices.dtype
    np.testing.assert_array_equal(C.indptr, D.indptr)
    np.testing.assert_array_equal(C.indices, D.indices)
    if C.dtype.kind in "fc":
        eps = np.finfo(C.dtype).eps
        scale = max(1.0, float(np.abs(D.data).max(initial=0.0)))
        np.testing.assert_allclose(C.data, D.data, rtol=8 * eps, atol=8 * eps * scale)
    else:
        np.testing.assert_array_equal(C.data, D.data)
    assert C.has_sorted_indices
    assert np.all(np.diff(C.indices.astype(np.int64)) > 0) or _rows_strictly_sorted(C)


def _rows_strictly_sorted(C):
    for i in range(C.shape[0]):
        row = C.indices[C.indptr[i] : C.indptr[i + 1]]
        if np.any(np.diff(row) <= 0):
            return False
    return True


def messy_csr(rng, shape, nnz, values="small", dtype=np.float64, index_dtype=np.int32, cls=sp.csr_array):
    """CSR with duplicates, unsorted rows and explicit zeros (the constructor keeps all three)."""
    m, n = shape
    if m == 0 or n == 0:
        nnz = 0
    rows = np.sort(rng.integers(0, max(m, 1), nnz))
    cols = rng.integers(0, max(n, 1), nnz)
    if values == "small":
        data = rng.integers(-2, 3, nnz).astype(np.float64)  # zeros and exact cancellations are common
    else:
        data = rng.standard_normal(nnz)
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=m)))).astype(index_dtype)
    A = cls((data.astype(dtype), cols.astype(index_dtype), indptr), shape=shape)
    return A


@st.composite
def operand_pairs(draw):
    m = draw(st.integers(0, 30))
    k = draw(st.integers(0, 30))
    n = draw(st.integers(0, 30))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    da = draw(st.floats(0.0, 1.5))
    db = draw(st.floats(0.0, 1.5))
    values = draw(st.sampled_from(["small", "normal"]))
    A = messy_csr(rng, (m, k), int(da * m * k / 2 + rng.integers(0, 3)), values)
    B = messy_csr(rng, (k, n), int(db * k * n / 2 + rng.integers(0, 3)), values)
    return A, B


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


def rmat(scale, edge_factor, seed):
    """Small R-MAT power-law graph (Graph500 parameters): hub rows of every size mix all accumulator kinds."""
    rng = np.random.default_rng(seed)
    n_edges = edge_factor << scale
    rows = np.zeros(n_edges, dtype=np.int64)
    cols = np.zeros(n_edges, dtype=np.int64)
    for bit in range(scale):
        u = rng.random(n_edges)
        rows |= (u >= 0.76).astype(np.int64) << bit
        cols |= (((u >= 0.57) & (u < 0.76)) | (u >= 0.95)).astype(np.int64) << bit
    A = sp.csr_array((rng.standard_normal(n_edges), (rows, cols)), shape=(1 << scale, 1 << scale))
    A.sum_duplicates()
    return A


@pytest.mark.parametrize("n_threads", [1, 2])
def test_power_law_graph(n_threads):
    A = rmat(10, 8, seed=14)
    assert_same(matmul(A, A, n_threads=n_threads), A @ A)
    assert_same(matmul(A, A.T.tocsr(), n_threads=n_threads), A @ A.T.tocsr())


def test_thread_count_does_not_change_the_result():
    rng = np.random.default_rng(6)
    A = sp.random_array((3000, 3000), density=0.004, format="csr", rng=rng)
    ref = matmul(A, A, n_threads=1)
    for nt in (2, 3, 4):
        C = matmul(A, A, n_threads=nt)
        np.testing.assert_array_equal(C.indptr, ref.indptr)
        np.testing.assert_array_equal(C.indices, ref.indices)
        np.testing.assert_array_equal(C.data, ref.data)  # bitwise: one thread per row, fixed order


def assert_bitwise(C, D):
    """Same arrays to the last bit (indptr, indices, data, their dtypes) and the same flags."""
    for name in ("indptr", "indices", "data"):
        x, y = getattr(C, name), getattr(D, name)
        assert x.dtype == y.dtype, name
        np.testing.assert_array_equal(x, y, err_msg=name)
        if x.dtype.kind in "fc":  # also the bits (signed zeros, NaN payloads)
            np.testing.assert_array_equal(x.view(np.uint8), y.view(np.uint8), err_msg=name)
    assert C.has_sorted_indices == D.has_sorted_indices


def cancelling_stencil(side, seed):
    """2-D 5-point pattern with random +-1 weights: the two paths to each diagonal neighbour (i -> i+1 -> i+1+s
    and i -> i+s -> i+s+1) cancel exactly half the time, so many rows come out shorter than their structure."""
    T = sp.diags_array([-1.0, 2.0, -1.0], offsets=[-1, 0, 1], shape=(side, side))
    A = (sp.kron(sp.eye_array(side), T) + sp.kron(T, sp.eye_array(side))).tocsr()
    A.data = np.random.default_rng(seed).choice([-1.0, 1.0], size=A.nnz)
    return A


def messy_product_operand(rng, n, per_row, index_dtype=np.int32):
    """Square CSR with duplicates, unsorted rows, explicit zeros, exact cancellations and blocks of empty rows
    (whole chunks of the multi-thread single pass produce nothing)."""
    A = messy_csr(rng, (n, n), n * per_row, "small", index_dtype=index_dtype)
    counts = np.diff(A.indptr)
    empty = np.zeros(n, dtype=bool)
    for lo in range(n // 10, n, n // 4):
        empty[lo : lo + n // 20] = True
    keep = np.repeat(~empty, counts)
    indptr = np.concatenate(([0], np.cumsum(np.where(empty, 0, counts)))).astype(index_dtype)
    A = sp.csr_array((A.data[keep], A.indices[keep], indptr), shape=(n, n))
    assert not A.has_sorted_indices
    return A


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


# Offsets with distinct differences (a Golomb ruler): consecutive entries of a B row land in non-adjacent output
# slots, so templates of these rows replay product by product whatever the row length.
RULER = [0, 1, 4, 9, 15, 22, 32, 34, 47, 50, 62]


def near_stencil(n, seed, band=False, ruler=False):
    """Rows that mostly repeat one structure, with perturbations that keep the row length.

    Stencil pattern {-3, -1, 0, 1, 3} (short segments: templates replay product by product): in some rows offset
    +1 moves to +2 (only the interior of the row differs from its neighbours), some rows lose offset -1. Band
    pattern -4..4 (one long segment per row: replayed by segments): in some rows offset 0 is replaced by +5 (a gap
    inside the row, same length and first column) or the whole row shifts by one. Ruler pattern: blocks of 400
    rows with the first L = 1..11 marks of RULER (B rows of every length through the product-by-product replay,
    whose rows of up to 8 entries are unrolled), some rows with their last mark moved by one. Values include
    exact zeros, -0.0 and +-1 so that sums cancel exactly."""
    rng = np.random.default_rng(seed)
    rows, cols = [], []
    for i in range(n):
        u = rng.random()
        if ruler:
            length = 1 + (i // 400) % len(RULER)
            offsets = [m - RULER[length - 1] // 2 for m in RULER[:length]]
            if u < 0.03 and length > 1:
                offsets[-1] += 1
        elif band:
            offsets = list(range(-4, 5))
            if u < 0.03:
                offsets = [o for o in offsets if o != 0] + [5]
            elif u < 0.05:
                offsets = [o + 1 for o in offsets]
        else:
            offsets = [-3, -1, 0, 1, 3]
            if u < 0.03:
                offsets[3] = 2
            elif u < 0.05:
                offsets.remove(-1)
        for o in offsets:
            if 0 <= i + o < n:
                rows.append(i)
                cols.append(i + o)
    values = rng.choice([-1.0, 1.0, 0.0, -0.0, 0.5], p=[0.35, 0.35, 0.1, 0.1, 0.1], size=len(rows))
    return sp.csr_array((values, (rows, cols)), shape=(n, n))


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


@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_run_ids_label_rows_by_relative_structure(n_threads, index_dtype):
    # The validation pass labels rows so that equal ids mean equal relative structure (offsets j - i in storage
    # order); templates trust these labels instead of checking B's columns. Exact check against the structures.
    n = 20000  # 10^5 entries: above the serial cutoff, so several threads split the rows
    A = near_stencil(n, seed=5)
    A.data[:] = 1.0
    lo, hi = A.indptr[100], A.indptr[101]
    A.indices[lo:hi] = A.indices[lo:hi][::-1]  # an unsorted row: its neighbours' offsets in another order
    indptr, indices = A.indptr.astype(index_dtype), A.indices.astype(index_dtype)
    band, run, canonical = _sparse.validate_band(indptr, indices, n, n, n_threads, True)
    assert band == 3 and run.dtype == index_dtype and run.shape == (n,)
    assert not canonical  # row 100 is reversed
    relative = [tuple(indices[indptr[i] : indptr[i + 1]] - i) for i in range(n)]
    changes = sum(relative[i] != relative[i - 1] for i in range(1, n))
    assert changes > 1000  # the perturbations are there
    assert np.all(run <= np.arange(n))
    for i in range(n):
        assert relative[i] == relative[run[i]], i
    starts = int(np.count_nonzero(run == np.arange(n)))
    assert changes + 1 <= starts <= changes + n_threads  # runs are maximal, cut only at thread boundaries
    # Same labels from the pass that also counts flops; no labels unless asked.
    band2, flop, total, run2, canonical2 = _sparse.validate_band_flops(indptr, indices, n, n, indptr, n_threads, True)
    assert band2 == band and np.array_equal(run2, run) and total == int(flop.sum()) and not canonical2
    row_len = np.diff(indptr)
    np.testing.assert_array_equal(flop, [row_len[indices[indptr[i] : indptr[i + 1]]].sum() for i in range(n)])
    assert _sparse.validate_band(indptr, indices, n, n, n_threads, False)[1] is None


@given(
    st.lists(st.sampled_from(["shift", "copy", "new", "sorted", "empty", "far"]), min_size=1, max_size=60),
    st.integers(0, 2**31 - 1),
    st.sampled_from([1, 2]),
)
def test_validation_band_flops_and_runs_on_run_heavy_structures(steps, seed, n_threads):
    # Rows that repeat the previous row shifted by one column skip the band and order scans (their offsets are
    # the previous row's): band, flop counts, run labels and the canonical flag must still equal their definitions
    # on any mix of shifted rows, unshifted copies (same columns: not a run), fresh rows (sorted or not), empty
    # rows and rows with one distant entry.
    rng = np.random.default_rng(seed)
    n_cols = 400
    rows, previous = [], np.array([5, 7, 9])
    for step in steps:
        if step == "shift":
            row = previous + 1
        elif step == "copy":
            row = previous.copy()
        elif step == "new":
            row = rng.choice(n_cols, size=rng.integers(1, 6), replace=False)
        elif step == "sorted":
            row = np.sort(rng.choice(n_cols, size=rng.integers(1, 6), replace=False))
        elif step == "far":
            row = np.append(previous + 1, rng.integers(0, n_cols))
        else:
            row = np.array([], dtype=np.int64)
        row = row[(row >= 0) & (row < n_cols)]
        rows.append(row)
        previous = row if len(row) else previous
    # Repeat the pattern above the serial cutoff so that two threads split the rows.
    reps = 1 + 70000 // max(1, sum(len(r) for r in rows))
    rows = rows * reps
    n = len(rows)
    indptr = np.concatenate(([0], np.cumsum([len(r) for r in rows]))).astype(np.int32)
    indices = np.concatenate([np.asarray(r, dtype=np.int32) for r in rows] + [np.zeros(0, np.int32)])
    band, flop, total, run, canonical = _sparse.validate_band_flops(
        indptr, indices, n, n_cols, np.arange(n_cols + 1, dtype=np.int32) * 2, n_threads, True
    )
    lens = np.diff(indptr).astype(np.int64)
    entry_row = np.repeat(np.arange(n), lens)
    offsets = indices - entry_row  # j - i, entry by entry
    assert band == (int(np.abs(offsets).max()) if len(offsets) else 0)
    np.testing.assert_array_equal(flop, 2 * lens)  # every B row has 2 entries
    assert total == 2 * len(indices)
    # Equal labels mean equal lengths and equal offsets at every position.
    assert np.all(run <= np.arange(n))
    np.testing.assert_array_equal(lens[run], lens)
    position = np.arange(len(indices)) - indptr[entry_row]
    np.testing.assert_array_equal(offsets[indptr[run[entry_row]] + position], offsets)
    # Runs are maximal, cut only at thread boundaries: a row starts a run only where its structure changes.
    same_len = np.concatenate(([False], lens[1:] == lens[:-1]))
    mismatch = np.zeros(len(indices), dtype=np.int64)
    check = same_len[entry_row]
    back = np.flatnonzero(check)
    mismatch[back] = offsets[back] != offsets[back - lens[entry_row[back]]]
    differs = np.bincount(entry_row, weights=mismatch, minlength=n) > 0
    changes = int(np.count_nonzero(~same_len[1:] | differs[1:]))
    starts = int(np.count_nonzero(run == np.arange(n)))
    assert changes + 1 <= starts <= changes + n_threads
    increasing = np.diff(indices.astype(np.int64)) > 0
    within_row = np.diff(entry_row) == 0
    assert canonical == bool(np.all(increasing[within_row]))  # every row strictly increasing
    assert _sparse.validate_band(indptr, indices, n, n_cols, n_threads, False)[::2] == (band, canonical)


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


# ------------------------------------------------------------------------------------------------ plan


@given(operand_pairs(), st.integers(0, 2**32 - 1))
def test_plan_reuse_with_new_values(pair, seed):
    A, B = pair
    plan = spgemm_plan(A, B)
    assert isinstance(plan, SpgemmPlan)
    rng = np.random.default_rng(seed)
    A2, B2 = A.copy(), B.copy()
    A2.data = rng.integers(-2, 3, len(A.data)).astype(np.float64)
    B2.data = rng.standard_normal(len(B.data))
    assert_same(plan.multiply(A2.data, B2.data), A2 @ B2)
    assert_same(plan.multiply(A2, B2), A2 @ B2)


def test_plan_dtype_change_and_errors():
    A = sp.random_array((40, 40), density=0.1, format="csr", rng=10)
    plan = spgemm_plan(A, A)
    assert plan.nnz == (A @ A).nnz and plan.shape == (40, 40)
    assert plan.flops == int(sum((A.indptr[1:] - A.indptr[:-1])[A.indices]))
    C = plan.multiply(A.data.astype(np.complex128) * 1j, A.data)
    assert_same(C, (A * 1j) @ A)
    with pytest.raises(ValueError, match="A_data"):
        plan.multiply(A.data[:-1], A.data)
    with pytest.raises(ValueError, match="structure"):
        plan.multiply(sp.random_array((40, 40), density=0.1, format="csr", rng=11), A)
    with pytest.raises(TypeError):
        plan.multiply(A.data.astype(object), A.data)
    with pytest.raises(TypeError):
        plan.multiply(A.data.astype(str), A.data)


@pytest.mark.parametrize("edited", ["A", "B", "both"])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_plan_owns_its_structure(edited, index_dtype):
    # Products on a plan read B through A's indices: an in-place edit of the caller's index arrays after planning
    # (here an index far out of range) used to reach the kernel and crash. The plan keeps its own copies.
    n = 3000
    A = sp.random_array((n, n), density=0.01, format="csr", rng=1)
    B = sp.random_array((n, n), density=0.01, format="csr", rng=2)
    for M in (A, B):
        M.indptr, M.indices = M.indptr.astype(index_dtype), M.indices.astype(index_dtype)
    expected = sorted_copy(A @ B)
    plan = spgemm_plan(A, B)
    if edited in ("A", "both"):
        A.indices[3] = 10**8
    if edited in ("B", "both"):
        B.indices[3] = 10**8
        B.indptr[n // 2] = 10**8
    assert_same(plan.multiply(A.data, B.data), expected)  # the planned structures, the callers' values
    with pytest.raises(ValueError, match="structure"):  # an edited matrix no longer has the planned structure
        plan.multiply(A, B)


# ------------------------------------------------------------------------------------------------ mask


def masked_reference(A, B, M):
    D = sorted_copy(A @ B)
    S = M.tocsr().copy()
    S.sum_duplicates()
    S.data = np.ones_like(S.data, dtype=D.dtype)
    R = D.multiply(S).tocsr()
    R.eliminate_zeros()
    R.sort_indices()
    return type(D)(R)


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


def reverse_rows_in_place(M):
    """Reverse every row of M's storage in place (same matrix): scipy's cached canonical flags stay True."""
    for i in range(M.shape[0]):
        lo, hi = M.indptr[i], M.indptr[i + 1]
        M.indices[lo:hi] = M.indices[lo:hi][::-1].copy()
        M.data[lo:hi] = M.data[lo:hi][::-1].copy()


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


def stale_canonical_operand(n, seed):
    """A near-banded matrix (one far entry: a large band) whose rows are then reversed in place, so that scipy's
    cached has_canonical_format still says True."""
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(n), 5)
    cols = (rows + rng.integers(-3, 4, rows.size)) % n
    cols[0] = n - 1
    B = sp.csr_array((rng.standard_normal(rows.size), (rows, cols)), shape=(n, n))
    B.sum_duplicates()
    ref = B.copy()
    assert B.has_canonical_format
    reverse_rows_in_place(B)
    assert B.has_canonical_format  # stale: the rows are now decreasing
    return B, ref


@pytest.mark.parametrize("n_threads", [1, 2])
def test_stale_canonical_flags_of_B_are_not_trusted(n_threads):
    # The B-row shortcuts (rows of A with one entry copy a B row, windows and sort ranges from the ends of B
    # rows) need B's rows sorted; they used to trust scipy's cached flag, and a stale one sent columns outside
    # the window accumulators (a crash). The validation pass now measures it.
    n = 20000
    B, ref_B = stale_canonical_operand(n, seed=3)
    rows = np.repeat(np.arange(n), 2)
    cols = (rows + np.tile([0, 1], n)) % n
    A = sp.csr_array((np.ones(rows.size), (rows, cols)), shape=(n, n))
    A = sp.vstack([A[: n // 2], sp.eye_array(n, format="csr")[n // 2 :]], format="csr")  # one-entry rows too
    expected = sorted_copy(A @ ref_B)
    assert_same(matmul(A, B, n_threads=n_threads), expected)
    plan = spgemm_plan(A, B, n_threads=n_threads)
    assert_same(plan.multiply(A.data, B.data), expected)
    assert_same(masked_matmul(A, B, expected, n_threads=n_threads), expected)
    assert_same(matmul(B, B, n_threads=n_threads), sorted_copy(ref_B @ ref_B))  # A @ A: one validation pass


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int32, np.int64, np.uint16])
def test_byte_swapped_operands_are_converted(dtype):
    # Data read from big-endian files: scipy multiplies it, so do we (values are converted to native order,
    # never reinterpreted); the result is native like scipy's.
    A = sp.random_array((200, 150), density=0.05, format="csr", rng=0, dtype=np.float64)
    B = sp.random_array((150, 120), density=0.05, format="csr", rng=1, dtype=np.float64)
    A.data, B.data = (A.data * 100).astype(dtype), (B.data * 100).astype(dtype)
    swapped = np.dtype(dtype).newbyteorder("S")

    def byte_swapped(M):
        return sp.csr_array(
            (M.data.astype(swapped), M.indices.astype(M.indices.dtype.newbyteorder("S")), M.indptr), shape=M.shape
        )

    As, Bs = byte_swapped(A), byte_swapped(B)
    assert not As.data.dtype.isnative
    expected = sorted_copy(A @ B)
    assert_same(matmul(As, Bs), expected)
    assert_same(spgemm_plan(As, Bs).multiply(As.data, Bs.data), expected)
    assert_same(masked_matmul(As, Bs, expected), masked_reference(A, B, expected))


# ------------------------------------------------------------------------------------------------ bad input


def test_bad_input_errors():
    A = sp.random_array((10, 8), density=0.3, format="csr", rng=0)
    with pytest.raises(ValueError, match="shape mismatch"):
        matmul(A, A)
    with pytest.raises(TypeError, match="scipy.sparse"):
        matmul(A.toarray(), A.T)
    with pytest.raises(TypeError, match="scipy.sparse"):
        matmul(A, [[1.0]])
    X = A.copy()
    X.data = X.data.astype(object)
    with pytest.raises(TypeError, match="dtype"):
        matmul(X, A.T)
    with pytest.raises(TypeError, match="dtype"):
        matmul(A.astype(np.longdouble), A.T)
    with pytest.raises(ValueError, match="n_threads"):
        matmul(A, A.T, n_threads=0)
    with pytest.raises(TypeError, match="n_threads"):
        matmul(A, A.T, n_threads=1.5)
    with pytest.raises(TypeError, match="n_threads"):  # a bool is an int to Python, not a thread count
        matmul(A, A.T, n_threads=True)
    with pytest.raises(ValueError, match="2-D"):
        matmul(sp.coo_array(np.ones(3)), sp.coo_array(np.ones(3)))


def test_corrupt_structure_is_rejected_not_crashing():
    A = sp.random_array((10, 10), density=0.3, format="csr", rng=0)
    bad = A.copy()
    bad.indices = bad.indices.copy()
    bad.indices[0] = 1000  # out of range column
    with pytest.raises(ValueError, match="invalid CSR"):
        matmul(A, bad)
    with pytest.raises(ValueError, match="invalid CSR"):
        matmul(bad, A)
    bad.indices[0] = -1  # negative column (row minimum checked, not only the maximum)
    with pytest.raises(ValueError, match="invalid CSR"):
        matmul(A, bad)
    bad2 = A.copy()
    bad2.indptr = bad2.indptr.copy()
    bad2.indptr[3], bad2.indptr[4] = bad2.indptr[4] + 1, bad2.indptr[3]  # decreasing
    with pytest.raises(ValueError, match="invalid CSR"):
        matmul(bad2, A)
    # A row pointer far past len(indices) (or negative) in the middle: rejected before its row is read (scipy's
    # constructor only checks the last pointer). Large enough to crash if the row were read.
    for pointer in (10**8, -(10**8)):
        for n_threads in (1, 2):
            bad3 = sp.csr_array((np.ones(5), np.zeros(5, np.int32), np.array([0, pointer, 5], np.int32)), shape=(2, 3))
            good = sp.csr_array(np.ones((3, 3)))
            with pytest.raises(ValueError, match="invalid CSR"):
                matmul(bad3, good, n_threads=n_threads)
            with pytest.raises(ValueError, match="invalid CSR"):
                matmul(sp.csr_array(np.ones((3, 2))), bad3, n_threads=n_threads)
            with pytest.raises(ValueError, match="invalid CSR"):
                spgemm_plan(bad3, good)
            with pytest.raises(ValueError, match="invalid CSR"):
                masked_matmul(bad3, good, sp.csr_array(np.ones((2, 3))))
