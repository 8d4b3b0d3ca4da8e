"""Shared cases and assertions of the SpGEMM tests (test_spgemm_*.py): operand generators (messy CSR inputs,
stencils, R-MAT) and comparisons against scipy's SMMP product.

Structure is compared exactly (indptr, indices after sorting scipy's rows, index dtype, family); values to
rounding (the accumulation order equals scipy's, so in practice they agree bitwise).
"""

import numpy as np
import scipy.sparse as sp
from hypothesis import strategies as st

from numkern.sparse import matmul


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


def masked_reference(A, B, M):
    D = sorted_copy(A @ B)
    S = M.tocsr().copy()
    S.sum_duplicates()
    S.data = np.ones_like(S.data, dtype=D.dtype)
    R = D.multiply(S).tocsr()
    R.eliminate_zeros()
    R.sort_indices()
    return type(D)(R)


def reverse_rows_in_place(M):
    """Reverse every row of M's storage in place (same matrix): scipy's cached canonical flags stay True."""
    for i in range(M.shape[0]):
        lo, hi = M.indptr[i], M.indptr[i + 1]
        M.indices[lo:hi] = M.indices[lo:hi][::-1].copy()
        M.data[lo:hi] = M.data[lo:hi][::-1].copy()
