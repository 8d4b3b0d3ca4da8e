"""
Sparse x sparse products with ``numkern.sparse.matmul``
=======================================================

:func:`numkern.sparse.matmul` computes ``A @ B`` for scipy sparse matrices with OpenMP threads, giving the same
structure and values as scipy, bitwise, for every thread count, with sorted column indices (scipy's product
leaves them unsorted). Here the square of a 2-D Laplacian (the 13-point stencil of the biharmonic operator) and a
product with a random sparse matrix, checked against scipy on one and two threads, and a plan that reuses the
structure of a product when only the values change.
"""

import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp

from numkern.sparse import matmul, spgemm_plan


def laplacian_2d(m):
    T = sp.diags_array([-np.ones(m - 1), 2 * np.ones(m), -np.ones(m - 1)], offsets=[-1, 0, 1])
    eye = sp.eye_array(m)
    return (sp.kron(T, eye) + sp.kron(eye, T)).tocsr()


def identical(C, D):
    return (C.shape == D.shape and np.array_equal(C.indptr, D.indptr) and np.array_equal(C.indices, D.indices)
            and np.array_equal(C.data, D.data))


small = laplacian_2d(12)
square = matmul(small, small)
assert (square != small @ small).nnz == 0  # the same matrix as scipy's product

A = laplacian_2d(200)
R = sp.random_array((A.shape[0], A.shape[0]), density=5.0 / A.shape[0], format="csr", rng=0)
for name, (L, Rt) in {"L @ L": (A, A), "L @ random": (A, R)}.items():
    reference = L @ Rt
    reference.sort_indices()
    one, two = matmul(L, Rt, n_threads=1), matmul(L, Rt, n_threads=2)
    print(f"{name:11s} n = {A.shape[0]}: nnz(C) = {one.nnz}, sorted {one.has_sorted_indices}, "
          f"bitwise equal to scipy: {identical(one, reference)}, 1 thread == 2 threads: {identical(one, two)}")

# Same sparsity pattern, new values (e.g. a time-dependent coefficient): plan once, multiply many times.
plan = spgemm_plan(A, R)
for scale in [0.5, 2.0]:
    C = plan.multiply(scale * A.data, R.data)
    print(f"plan.multiply with A scaled by {scale}: max |C - scale * A @ R| = "
          f"{abs(C - scale * (A @ R)).max():.1e}")

fig, axes = plt.subplots(1, 2, figsize=(9, 4.5))
axes[0].spy(small, markersize=2)
axes[0].set_title(f"2-D Laplacian, 12 x 12 grid (nnz {small.nnz})")
axes[1].spy(square, markersize=2)
axes[1].set_title(f"matmul(L, L): biharmonic stencil (nnz {square.nnz})")
fig.tight_layout()
plt.show()
