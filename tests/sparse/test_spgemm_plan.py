"""numkern.sparse SpGEMM, spgemm_plan: reuse with new values, scatter-map encodings, ownership of the planned structure."""

import importlib.util
import pathlib

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from numkern.sparse import SpgemmPlan, spgemm_plan

_spec = importlib.util.spec_from_file_location("spgemm_cases", pathlib.Path(__file__).with_name("spgemm_cases.py"))
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)
assert_same = cases.assert_same
operand_pairs = cases.operand_pairs
sorted_copy = cases.sorted_copy


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


def _bits(C):
    return (C.indptr.tobytes(), C.indices.tobytes(), C.data.tobytes(), C.data.dtype)


def _plan_cases():
    rng = np.random.default_rng(7)
    side = 40
    L = sp.diags_array([-np.ones(side - 1), 2 * np.ones(side), -np.ones(side - 1)], offsets=[-1, 0, 1])
    eye = sp.eye_array(side)
    # runs: stencil and band rows land in consecutive output slots
    yield "stencil", (sp.kron(L, eye) + sp.kron(eye, L)).tocsr()
    yield "band", sp.diags_array([rng.standard_normal(3000 - abs(o)) for o in range(-4, 5)], offsets=range(-4, 5),
                                 format="csr")
    # columns: few columns (a dense row indexed by column), with a dense hub row
    H = sp.random_array((2000, 2000), density=0.004, format="lil", rng=rng)
    H[3, :] = 1.0
    yield "columns", H.tocsr()
    # slots: more columns than kColumnModeWidth (2**15) and random rows
    yield "slots", sp.random_array((40000, 40000), density=6 / 40000, format="csr", rng=rng)


@pytest.mark.parametrize("case", ["stencil", "band", "columns", "slots"])
@pytest.mark.parametrize("n_threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float64, np.complex64, np.int64])
def test_scatter_map_equals_the_pattern_lookup_bitwise(case, n_threads, dtype):
    # The scatter map (runs, columns or slots per row) must add every partial product into its slot in the
    # order of the lookup path (scatter_map=False, the plan's only path before), so products are bitwise equal,
    # exact zeros and -0.0 included.
    A = dict(_plan_cases())[case]
    with_map = spgemm_plan(A, A, n_threads=n_threads, scatter_map=True)
    lookup = spgemm_plan(A, A, n_threads=n_threads, scatter_map=False)
    assert with_map.scatter_map and not lookup.scatter_map
    assert lookup.map_nbytes == 0 and with_map.nbytes > lookup.nbytes
    rng = np.random.default_rng(1)
    a = rng.integers(-2, 3, A.nnz).astype(dtype)  # small integers: exact cancellations
    b = rng.integers(-2, 3, A.nnz).astype(dtype)
    a[::7] = -0.0 if dtype != np.int64 else 0
    for keep_zeros in (False, True):
        C = with_map.multiply(a, b, keep_zeros=keep_zeros)
        assert _bits(C) == _bits(lookup.multiply(a, b, keep_zeros=keep_zeros))
        A2 = A.copy()
        A2.data = a
        B2 = A.copy()
        B2.data = b
        if not keep_zeros:
            assert_same(C, A2 @ B2)
        else:
            assert C.nnz == with_map.nnz


def test_scatter_map_memory_and_policy():
    A = dict(_plan_cases())["slots"]
    plan = spgemm_plan(A, A)  # default: the map when it is at most 4x the output
    assert plan.scatter_map
    # slots encoding (nearly every row of a random product, all shorter than 256 entries): one byte per
    # multiplication, each row's codes padded to 8 bytes, plus one int64 offset and one byte per row
    row_bytes = 9 * A.shape[0]
    assert plan.flops < plan.map_nbytes - row_bytes <= plan.flops + 7 * A.shape[0]
    # index copies of A and B, run ids of B's rows, the pattern, flop per row
    n = A.shape[0]
    index_bytes = 4 * (2 * (n + 1) + 2 * A.nnz + n + (n + 1) + plan.nnz) + 8 * n
    assert plan.nbytes == index_bytes + plan.map_nbytes
    # runs of consecutive slots: the interior rows of a band or a stencil repeat one code sequence, stored once
    # (so the map is its 9 bytes per row plus the few distinct sequences of the boundary rows)
    for case in ("band", "stencil"):
        M = dict(_plan_cases())[case]
        runs = spgemm_plan(M, M)
        assert runs.scatter_map and runs.map_nbytes - 9 * M.shape[0] < 0.05 * runs.flops
    with pytest.raises(TypeError, match="scatter_map"):
        spgemm_plan(A, A, scatter_map=1)
    assert "scatter_map=True" in repr(plan)


def test_scatter_map_code_widths():
    # Codes are stored in one byte for rows under 256 entries, two under 65536, else as indices. A product with
    # rows of each width, as slots (random columns, no runs; B has more than 16 times as many columns as any
    # row, so no row is accumulated by column), gives the values of the lookup path bitwise, zeros included.
    rng = np.random.default_rng(5)
    n, n_cols = 40, 2_000_000
    lengths = {2: 70_000, 3: 1_000, 4: 300}  # rows of B whose products make the long rows of A @ B
    rows, cols = [], []
    for r in range(n):
        c = rng.choice(n_cols, lengths.get(r, 6), replace=False)
        rows += [r] * len(c)
        cols += list(c)
    B = sp.csr_array((rng.integers(-2, 3, len(rows)).astype(np.float64), (rows, cols)), shape=(n, n_cols))
    A = sp.random_array((n, n), density=0.1, format="lil", rng=rng)
    A[:, 2:5] = 0.0
    A[0, 2], A[1, 3], A[5, 4] = 1.0, 1.0, 1.0  # rows 0, 1, 5 of A @ B: wide, 16-bit and 16-bit codes
    A = A.tocsr()
    A.data = rng.integers(-2, 3, A.nnz).astype(np.float64)
    with_map = spgemm_plan(A, B, scatter_map=True)
    lookup = spgemm_plan(A, B, scatter_map=False)
    lengths_c = np.diff(with_map._handle.indptr)
    assert lengths_c.max() >= 65536 and ((lengths_c >= 256) & (lengths_c < 65536)).any() and lengths_c.min() < 256
    for keep_zeros in (False, True):
        C = with_map.multiply(A.data, B.data, keep_zeros=keep_zeros)
        assert _bits(C) == _bits(lookup.multiply(A.data, B.data, keep_zeros=keep_zeros))
    assert_same(with_map.multiply(A.data, B.data), A @ B)


def _stencil_plan():
    A = dict(_plan_cases())["stencil"]
    return A, spgemm_plan(A, A)


def test_result_shares_the_plan_pattern_read_only():
    # A product computes only values: its index arrays are the plan's pattern itself, read-only (numpy refuses
    # to make them writeable again), unless exact zeros were dropped.
    A, plan = _stencil_plan()
    C = plan.multiply(A.data, A.data)
    D = plan.multiply(2.0 * A.data, A.data)
    assert np.shares_memory(C.indices, D.indices) and np.shares_memory(C.indptr, D.indptr)
    assert not C.indices.flags.writeable and not C.indptr.flags.writeable
    with pytest.raises(ValueError):
        C.indices.setflags(write=True)
    assert C.data.flags.writeable and not np.shares_memory(C.data, D.data)
    np.testing.assert_array_equal(D.data, 2.0 * C.data)
    # exact zeros: the result gets its own pattern without them (kept zeros: the plan's)
    a = A.data.copy()
    a[A.indptr[5] : A.indptr[6]] = 0.0  # row 5 of A, hence of A @ A, is zero
    Z = plan.multiply(a, A.data)
    assert Z.nnz < plan.nnz and Z.indices.flags.writeable and not np.shares_memory(Z.indices, C.indices)
    assert Z.indptr[6] == Z.indptr[5]
    A2 = A.copy()
    A2.data = a
    assert_same(Z, A2 @ A)
    K = plan.multiply(a, A.data, keep_zeros=True)
    assert K.nnz == plan.nnz and np.shares_memory(K.indices, C.indices)
    with pytest.raises(ValueError):  # in-place structural edits need a copy of their own (documented)
        K.eliminate_zeros()
    K = K.copy()
    K.eliminate_zeros()
    assert_same(K, A2 @ A)


@pytest.mark.parametrize("case", ["stencil", "columns", "slots"])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128, np.int8, np.int64, np.bool_])
def test_multiply_into_out_writes_values_in_place(case, dtype):
    A = dict(_plan_cases())[case]
    plan = spgemm_plan(A, A)
    rng = np.random.default_rng(3)
    a = rng.integers(-3, 4, A.nnz).astype(dtype)
    b = rng.integers(-3, 4, A.nnz).astype(dtype)
    out = plan.multiply(a, b, keep_zeros=True)
    data = out.data
    expected = _bits(plan.multiply(b, a, keep_zeros=True))
    assert plan.multiply(b, a, keep_zeros=True, out=out) is out
    assert out.data is data and _bits(out) == expected
    copied = out.copy()  # its own index arrays, equal to the plan's: accepted (compared entry by entry)
    assert _bits(plan.multiply(a, b, keep_zeros=True, out=copied)) == _bits(plan.multiply(a, b, keep_zeros=True))


def test_multiply_into_out_validation():
    A, plan = _stencil_plan()
    out = plan.multiply(A.data, A.data, keep_zeros=True)
    with pytest.raises(ValueError, match="keep_zeros"):
        plan.multiply(A.data, A.data, out=out)  # keep_zeros defaults to False
    with pytest.raises(TypeError, match="out"):
        plan.multiply(A.data, A.data, keep_zeros=True, out=out.toarray())
    with pytest.raises(TypeError, match="out"):
        plan.multiply(A.data, A.data, keep_zeros=True, out=out.tocoo())
    with pytest.raises(ValueError, match="out"):
        plan.multiply(A.data, A.data, keep_zeros=True, out=out[:-1])  # another shape
    a = A.data.copy()
    a[A.indptr[5] : A.indptr[6]] = 0.0
    dropped = plan.multiply(a, A.data)  # zeros dropped: not the planned pattern
    with pytest.raises(ValueError, match="out does not hold the planned pattern"):
        plan.multiply(A.data, A.data, keep_zeros=True, out=dropped)
    with pytest.raises(ValueError, match="out has dtype float32"):
        plan.multiply(A.data, A.data, keep_zeros=True, out=out.astype(np.float32))
    with pytest.raises(ValueError, match="out shares memory with A_data or B_data"):
        plan.multiply(out.data[: A.nnz], A.data, keep_zeros=True, out=out)
    frozen = out.copy()
    frozen.data.setflags(write=False)
    with pytest.raises(ValueError, match="out.data must be a writeable"):
        plan.multiply(A.data, A.data, keep_zeros=True, out=frozen)
    # nothing was written by the refused calls
    assert _bits(out) == _bits(plan.multiply(A.data, A.data, keep_zeros=True))
