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
    # slots encoding (nearly every row of a random product): one int32 per multiplication, plus one int64 offset
    # and one byte per row
    row_bytes = 9 * A.shape[0] + 8
    assert 0.95 * 4 * plan.flops < plan.map_nbytes - row_bytes <= 4 * plan.flops
    # index copies of A and B, run ids of B's rows, the pattern, flop per row
    n = A.shape[0]
    index_bytes = 4 * (2 * (n + 1) + 2 * A.nnz + n + (n + 1) + plan.nnz) + 8 * n
    assert plan.nbytes == index_bytes + plan.map_nbytes
    band = dict(_plan_cases())["band"]
    runs = spgemm_plan(band, band)  # runs of up to 9 consecutive slots: 2 codes per run instead of 9 slots
    assert runs.scatter_map and runs.map_nbytes - 9 * band.shape[0] - 8 < 4 * runs.flops / 3
    with pytest.raises(TypeError, match="scatter_map"):
        spgemm_plan(A, A, scatter_map=1)
    assert "scatter_map=True" in repr(plan)
