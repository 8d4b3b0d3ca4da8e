"""GPU path of numkern.sparse.matmul: CuPy sparse matrices in, CuPy CSR out (cuda/sparse_spgemm.cu).

Rows are binned by flop on the device (CuPy), each bin is launched with its own kernel (shared-memory hash
tables for short, medium and long rows; global-memory tables, in batches, for the longest), the symbolic phase
sizes C exactly, the numeric phase fills it. Exact zeros are dropped and rows sorted (cuSPARSE csrsort through
CuPy) afterwards, as asked.
"""

from __future__ import annotations

import sys

import numpy as np

from .._backend import cuda_module, current_stream_ptr

_INT32_MAX = np.iinfo(np.int32).max
# Entries of global-memory hash tables allocated at once (keys + values); longer bins run in batches.
_GLOBAL_TABLE_BATCH = 1 << 26


def is_cupy_sparse(x) -> bool:
    """True when ``x`` is a cupyx.scipy.sparse matrix (without importing CuPy when it is not loaded)."""
    csp = sys.modules.get("cupyx.scipy.sparse")
    return csp is not None and csp.issparse(x)


def _next_pow2(x):
    import cupy as cp

    return cp.left_shift(1, cp.ceil(cp.log2(cp.maximum(x, 1).astype(cp.float64))).astype(cp.int64))


def _global_batches(flop_or_nnz, rows, ncols):
    """Split the rows of the global bin into batches whose tables (2 x next pow2 of the row's bound) fit."""
    import cupy as cp

    bound = cp.minimum(flop_or_nnz[rows], ncols)
    sizes = _next_pow2(2 * bound)
    sizes_host = cp.asnumpy(sizes)
    start = 0
    while start < len(rows):
        csum = np.cumsum(sizes_host[start:])
        stop = start + max(1, int(np.searchsorted(csum, _GLOBAL_TABLE_BATCH, side="right")))
        s = sizes[start:stop]
        offsets = cp.concatenate((cp.zeros(1, cp.int64), cp.cumsum(s)[:-1]))
        yield rows[start:stop], offsets, s, int(csum[stop - start - 1])
        start = stop


def matmul_cupy(A, B, *, sort_indices=True, keep_zeros=False):
    import cupy as cp
    import cupyx.scipy.sparse as csp

    mod = cuda_module()
    for name, x in (("A", A), ("B", B)):
        if not csp.issparse(x):
            raise TypeError(f"{name} must be a cupyx.scipy.sparse matrix when the other operand is one")
    if A.shape[1] != B.shape[0]:
        raise ValueError(f"shape mismatch: A is {A.shape} and B is {B.shape} (A.shape[1] != B.shape[0])")
    dtype = np.result_type(A.dtype, B.dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"the GPU SpGEMM supports float32 and float64 values, got {dtype}")
    A = A.tocsr().astype(dtype, copy=False) if A.format != "csr" or A.dtype != dtype else A
    B = B.tocsr().astype(dtype, copy=False) if B.format != "csr" or B.dtype != dtype else B
    m, n = A.shape[0], B.shape[1]
    stream = current_stream_ptr()
    Ap, Aj, Ax = A.indptr, A.indices, A.data
    Bp, Bj, Bx = B.indptr, B.indices, B.data
    if m == 0 or n == 0 or A.nnz == 0 or B.nnz == 0:
        return csp.csr_matrix((m, n), dtype=dtype)
    flop = cp.empty(m, dtype=cp.int64)
    mod.spgemm_row_flops(m, Ap.data.ptr, Aj.data.ptr, Bp.data.ptr, flop.data.ptr, stream)
    thresholds = cp.asarray(np.asarray(mod.spgemm_bin_max_flop, dtype=np.int64))
    bins = cp.searchsorted(thresholds, flop, side="left")  # bin b: flop <= thresholds[b]; 3: the longest
    rows_of = [cp.nonzero(bins == b)[0].astype(cp.int32) for b in range(4)]
    null = 0

    row_nnz = cp.zeros(m, dtype=cp.int32)
    for b in range(3):
        r = rows_of[b]
        if len(r):
            mod.spgemm_symbolic_bin(b, len(r), r.data.ptr, Ap.data.ptr, Aj.data.ptr, Bp.data.ptr, Bj.data.ptr,
                                    row_nnz.data.ptr, null, null, null, stream)  # fmt: skip
    if len(rows_of[3]):
        for r, offsets, sizes, total in _global_batches(flop, rows_of[3], n):
            table = cp.empty(total, dtype=cp.int32)
            mod.spgemm_symbolic_bin(3, len(r), r.data.ptr, Ap.data.ptr, Aj.data.ptr, Bp.data.ptr, Bj.data.ptr,
                                    row_nnz.data.ptr, table.data.ptr, offsets.data.ptr, sizes.data.ptr, stream)  # fmt: skip
            del table
    nnz = int(row_nnz.sum(dtype=cp.int64))
    if nnz > _INT32_MAX:
        raise ValueError(f"the product has {nnz} entries; CuPy's sparse matrices are limited to int32 indices")
    Cp = cp.zeros(m + 1, dtype=cp.int32)
    cp.cumsum(row_nnz, out=Cp[1:])
    Cj = cp.empty(nnz, dtype=cp.int32)
    Cx = cp.empty(nnz, dtype=dtype)
    is_double = dtype == np.float64
    for b in range(3):
        r = rows_of[b]
        if len(r):
            mod.spgemm_numeric_bin(b, is_double, len(r), r.data.ptr, Ap.data.ptr, Aj.data.ptr, Ax.data.ptr,
                                   Bp.data.ptr, Bj.data.ptr, Bx.data.ptr, Cp.data.ptr, Cj.data.ptr, Cx.data.ptr,
                                   null, null, null, null, stream)  # fmt: skip
    if len(rows_of[3]):
        for r, offsets, sizes, total in _global_batches(row_nnz.astype(cp.int64), rows_of[3], n):
            table = cp.empty(total, dtype=cp.int32)
            table_values = cp.empty(total, dtype=dtype)
            mod.spgemm_numeric_bin(3, is_double, len(r), r.data.ptr, Ap.data.ptr, Aj.data.ptr, Ax.data.ptr,
                                   Bp.data.ptr, Bj.data.ptr, Bx.data.ptr, Cp.data.ptr, Cj.data.ptr, Cx.data.ptr,
                                   table.data.ptr, table_values.data.ptr, offsets.data.ptr, sizes.data.ptr,
                                   stream)  # fmt: skip
            del table, table_values
    C = csp.csr_matrix((Cx, Cj, Cp), shape=(m, n))
    if not keep_zeros:
        C.eliminate_zeros()
    if sort_indices:
        C.sort_indices()
    else:
        C.has_sorted_indices = False
    return C
