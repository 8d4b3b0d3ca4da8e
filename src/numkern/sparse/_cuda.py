"""GPU path of numkern.sparse.matmul: CuPy sparse matrices in, CuPy CSR out (cuda/sparse.cu).

The C++ handle ``numkern._cuda.SpgemmGpu`` counts the flop of every row, bins the rows (shared-memory hash tables
for short, medium and long rows; global-memory tables, in batches, for the longest), sizes C exactly in the
symbolic phase and fills it in the numeric phase; this module only checks the operands and allocates C with CuPy.
Exact zeros are dropped and rows sorted (cuSPARSE csrsort through CuPy) afterwards, as asked.
"""

from __future__ import annotations

import sys

import numpy as np

from .._backend import cuda_module, current_stream_ptr

_INT32_MAX = np.iinfo(np.int32).max


def is_cupy_sparse(x) -> bool:
    """True when ``x`` is a cupyx.scipy.sparse matrix (without importing CuPy when it is not loaded)."""
    csp = sys.modules.get("cupyx.scipy.sparse")
    return csp is not None and csp.issparse(x)


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
    gpu = mod.SpgemmGpu(m, A.shape[1], n, Ap.data.ptr, Aj.data.ptr, Bp.data.ptr, Bj.data.ptr, stream)
    Cp = cp.empty(m + 1, dtype=cp.int32)
    nnz = gpu.symbolic(Cp.data.ptr)
    if nnz > _INT32_MAX:
        raise ValueError(f"the product has {nnz} entries; CuPy's sparse matrices are limited to int32 indices")
    Cj = cp.empty(nnz, dtype=cp.int32)
    Cx = cp.empty(nnz, dtype=dtype)
    value_type = mod.SpgemmValueType.float64 if dtype == np.float64 else mod.SpgemmValueType.float32
    gpu.numeric(value_type, Ax.data.ptr, Bx.data.ptr, Cp.data.ptr, Cj.data.ptr, Cx.data.ptr)
    C = csp.csr_matrix((Cx, Cj, Cp), shape=(m, n))
    if not keep_zeros:
        C.eliminate_zeros()
    if sort_indices:
        C.sort_indices()
    else:
        C.has_sorted_indices = False
    return C
