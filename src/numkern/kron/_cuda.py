"""CuPy input for the Kronecker products: device buffers from CuPy, the rest in C++.

The rotation plan and its driver are numkern/kron/multi_axis.hpp, shared with the CPU path;
``numkern._cuda.kron_matmat`` walks it and launches one strided product per axis (cuda/kron.cu). The tests run
the same plan on the CPU with the reference engine (``numkern._kron.Engine.reference``).
"""

from __future__ import annotations

import math

from .. import _kron
from .._backend import cuda_module, current_stream_ptr


def kron_matmat_cupy(factors_dev, X):
    """(⊗ factors) @ X for a CuPy X of shape (N,) or (N, B); factors already on the device, same dtype."""
    import cupy as cp

    vec = X.ndim == 1
    X2 = cp.ascontiguousarray(X.reshape(-1, 1) if vec else X)
    batch = X2.shape[1]
    rows = [f.shape[0] for f in factors_dev]
    cols = [f.shape[1] for f in factors_dev]
    out_cap, work_cap = _kron.buffer_sizes(rows, cols, batch)
    out = cp.empty(out_cap, dtype=X2.dtype)
    work = cp.empty(max(work_cap, 1), dtype=X2.dtype)
    cuda_module().kron_matmat(X2.dtype == cp.float32, [f.data.ptr for f in factors_dev], rows, cols, X2.data.ptr,
                              batch, out.data.ptr, out_cap, work.data.ptr, work_cap, current_stream_ptr())
    m_total = math.prod(rows)
    res = out[: m_total * batch].reshape(batch, m_total)
    return res[0] if vec else res.T


def apply_along_cupy(axis, M, X):
    import cupy as cp

    M = cp.ascontiguousarray(cp.asarray(M, dtype=X.dtype))
    a = math.prod(X.shape[:axis])
    b = math.prod(X.shape[axis + 1:])
    n, m = X.shape[axis], M.shape[0]
    Xc = cp.ascontiguousarray(X)
    Y = cp.empty(X.shape[:axis] + (m,) + X.shape[axis + 1:], dtype=X.dtype)
    cuda_module().kron_apply_along(X.dtype == cp.float32, M.data.ptr, m, n, Xc.data.ptr, a, b, Y.data.ptr,
                                   current_stream_ptr())
    return Y
