"""numkern.sparse SpGEMM, validation: the structure pass (band, flops, run ids, canonical form) and bad or corrupt input."""

import importlib.util
import pathlib

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from numkern import _sparse
from numkern.sparse import masked_matmul, matmul, spgemm_plan

_spec = importlib.util.spec_from_file_location("spgemm_cases", pathlib.Path(__file__).with_name("spgemm_cases.py"))
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)
assert_same = cases.assert_same
masked_reference = cases.masked_reference
near_stencil = cases.near_stencil
reverse_rows_in_place = cases.reverse_rows_in_place
sorted_copy = cases.sorted_copy


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


def test_kernels_take_their_arguments_by_name():
    # The numeric and pattern kernels take about 20 arrays and options: they are keyword-only, so a call that
    # swaps two of them (both int64 scalars or both bools) cannot bind silently; by name they compute A @ B.
    from numkern.sparse._spgemm import _Operands

    A = sp.random_array((50, 60), density=0.1, format="csr", rng=3)
    B = sp.random_array((60, 40), density=0.1, format="csr", rng=4)
    ops = _Operands(A, B, 1)
    Ax, Bx = ops.values()
    prefix = ops.symbolic()
    nnz = int(prefix[-1])
    Cp, Cj, Cx = prefix.astype(np.int32), np.empty(nnz, np.int32), np.empty(nnz)
    args = dict(**ops.structure(), Ax=Ax, Bx=Bx, b_canonical=ops.b_canonical, band=ops.band, b_run=ops.b_run,
                Cp=Cp, Cj=Cj, Cx=Cx, sort_indices=True, keep_zeros=False, n_threads=1, single_pass=False)
    with pytest.raises(TypeError):
        _sparse.numeric(*args.values())
    final = _sparse.numeric(**args)
    assert_same(sp.csr_array((Cx[:final], Cj[:final], Cp), shape=(50, 40)), A @ B)
    with pytest.raises(TypeError):  # outputs of another dtype are never converted (the results would be lost)
        _sparse.numeric(**{**args, "Cx": np.empty(nnz, np.float32)})
    with pytest.raises(TypeError):
        _sparse.symbolic(*ops.structure().values(), ops.b_canonical, ops.band, 1)
