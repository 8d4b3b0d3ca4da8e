"""CuPy input for the Kronecker products: the rotation algorithm as a plan of strided GEMM launches.

The plan (pure Python, also testable without a GPU) lists, for each launch, the sizes and element strides of
``C_b = P_b Q_b`` (see cuda/numkern_cuda_kron.hpp); :func:`run_plan` executes it with any strided-GEMM backend:
numkern's CUDA launcher for CuPy arrays, or a numpy emulation in the tests.
"""

from __future__ import annotations

import math

import numpy as np

from .._backend import cuda_module, current_stream_ptr


def buffer_sizes(shapes, batch):
    """(output capacity, work capacity) in elements, as in multi_axis.hpp (steps alternate out/work)."""
    d = len(shapes)

    def size_after(step):
        return batch * math.prod(m if j < step else n for j, (m, n) in enumerate(shapes))

    out_cap = max(size_after(s) for s in range(d, 0, -2))
    work_cap = max([size_after(s) for s in range(d - 1, 0, -2)], default=0)
    return out_cap, work_cap


def rotation_plan(shapes, batch):
    """Launches for ``y = (⊗ M_j) x`` with x the row-major (n_1, ..., n_d, batch) tensor.

    Each entry is a dict with keys src ("x", "out" or "work"), dst ("out" or "work"), factor (index j), rows,
    cols, inner and the strides of P = A^T and Q = M_j^T. The result is the row-major (batch, M) matrix at the
    start of "out".
    """
    d = len(shapes)
    plan, src = [], "x"
    in_size = batch * math.prod(n for _, n in shapes)
    for s in range(1, d + 1):
        m, n = shapes[s - 1]
        rest = in_size // n
        dst = "out" if (d - s) % 2 == 0 else "work"
        plan.append(dict(src=src, dst=dst, factor=s - 1, rows=rest, cols=m, inner=n, batch=1,
                         p_rs=1, p_cs=rest, p_batch=0, q_rs=1, q_cs=n, q_batch=0, ldc=m, c_batch=0))
        in_size = rest * m
        src = dst
    return plan


def apply_along_launch(m, n, a, b):
    """One batched launch for Y (a, m, b) = M (m, n) along the middle axis of X (a, n, b)."""
    return dict(rows=m, cols=b, inner=n, batch=a, p_rs=n, p_cs=1, p_batch=0, q_rs=b, q_cs=1, q_batch=n * b,
                ldc=b, c_batch=m * b)


def _cupy_gemm(launch, p, q, c):
    mod = cuda_module()
    mod.kron_strided_gemm(
        str(c.dtype), launch["rows"], launch["cols"], launch["inner"], launch["batch"],
        p.data.ptr, launch["p_rs"], launch["p_cs"], launch["p_batch"],
        q.data.ptr, launch["q_rs"], launch["q_cs"], launch["q_batch"],
        c.data.ptr, launch["ldc"], launch["c_batch"], current_stream_ptr(),
    )


def run_plan(plan, factors, x, out, work, gemm):
    """Execute a rotation plan; ``gemm(launch, P, Q, C)`` is the strided-GEMM backend."""
    buffers = {"x": x, "out": out, "work": work}
    for launch in plan:
        gemm(launch, buffers[launch["src"]], factors[launch["factor"]], buffers[launch["dst"]])
    return out


def kron_matmat_cupy(factors_dev, X):
    """(⊗ factors) @ X for a CuPy X of shape (N,) or (N, B); factors already on the device, same dtype."""
    import cupy as cp

    vec = X.ndim == 1
    X2 = cp.ascontiguousarray(X.reshape(-1, 1) if vec else X)
    batch = X2.shape[1]
    shapes = [f.shape for f in factors_dev]
    out_cap, work_cap = buffer_sizes(shapes, batch)
    out = cp.empty(out_cap, dtype=X2.dtype)
    work = cp.empty(max(work_cap, 1), dtype=X2.dtype)
    run_plan(rotation_plan(shapes, batch), factors_dev, X2, out, work, _cupy_gemm)
    m_total = math.prod(m for m, _ in shapes)
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
    _cupy_gemm(apply_along_launch(m, n, a, b), M, Xc, Y)
    return Y


def numpy_strided_gemm(launch, p, q, c):
    """Reference executor of one launch on flat numpy buffers (for testing the plans without a GPU)."""
    item = p.itemsize
    for b in range(launch["batch"]):
        P = np.lib.stride_tricks.as_strided(p[b * launch["p_batch"]:], (launch["rows"], launch["inner"]),
                                            (launch["p_rs"] * item, launch["p_cs"] * item))
        Q = np.lib.stride_tricks.as_strided(q.reshape(-1)[b * launch["q_batch"]:], (launch["inner"], launch["cols"]),
                                            (launch["q_rs"] * item, launch["q_cs"] * item))
        C = P @ Q
        base = b * launch["c_batch"]
        for r in range(launch["rows"]):
            c.reshape(-1)[base + r * launch["ldc"]: base + r * launch["ldc"] + launch["cols"]] = C[r]
