"""Demo for numkern.sparse: C = A @ A on a 2-D Laplacian and a random graph, numkern vs scipy."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._demo_util import compare


def _laplacian_2d(side: int):
    L = sp.diags_array([-np.ones(side - 1), 2.0 * np.ones(side), -np.ones(side - 1)], offsets=[-1, 0, 1])
    eye = sp.eye_array(side)
    return (sp.kron(L, eye) + sp.kron(eye, L)).tocsr()


def _uniform(n: int, per_row: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(n), per_row)
    A = sp.csr_array((rng.standard_normal(n * per_row), (rows, rng.integers(0, n, n * per_row))), shape=(n, n))
    A.sum_duplicates()
    return A


def run() -> None:
    from . import masked_matmul, matmul, spgemm_plan

    A = _laplacian_2d(200)
    R = _uniform(30_000, 8)
    for label, M in (("2-D Laplacian n=4e4, A @ A", A), ("uniform n=3e4, 8/row, A @ A", R)):
        C = matmul(M, M, n_threads=1)
        D = M @ M
        D.sort_indices()
        same = np.array_equal(C.indices, D.indices) and np.allclose(C.data, D.data, rtol=1e-14, atol=0)
        print(f"  {label}: nnz(C) = {C.nnz}, structure and values equal scipy: {same}")
        compare(f"{label} (1 thread)", lambda: matmul(M, M, n_threads=1), lambda: M @ M)
    compare("uniform, 2 threads", lambda: matmul(R, R, n_threads=2), lambda: R @ R)
    plan = spgemm_plan(R, R, n_threads=1)
    compare("plan.multiply (values only, 1 thread)", lambda: plan.multiply(R.data, R.data), lambda: R @ R)
    L = sp.tril(((R + R.T) != 0).astype(np.float64), k=-1, format="csr")
    triangles = masked_matmul(L, L, L, n_threads=1).sum()
    reference = (L @ L).multiply(L).sum()
    print(f"  triangles of the symmetrised uniform graph: {int(triangles)} (scipy: {int(reference)})")
    compare("triangle count: masked_matmul(L, L, L)", lambda: masked_matmul(L, L, L), lambda: (L @ L).multiply(L))
