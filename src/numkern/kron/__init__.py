"""Kronecker-structured linear algebra and Gaussian-process regression on tensor grids.

The covariance of a product kernel on a full tensor grid is ``K = K_1 ⊗ … ⊗ K_d``. This module never forms
it: products use one GEMM per factor (:class:`KroneckerOperator`, :func:`apply_along`), and solves,
log-determinants and the trace terms of GP gradients use per-factor factorisations:

* :meth:`KroneckerOperator.cholesky` -> :class:`KroneckerCholesky`: the *unshifted* product of (jittered)
  factors, exact ``log|K| = Σ_j (N / n_j) log|K_j|`` (GP-HM's prior);
* :meth:`KroneckerOperator.eigh` -> :class:`KroneckerEigh`: ``K + s I`` for a spherical shift ``s``
  (Saatci's method: solve, log-det, traces).

1-D kernels with closed-form argument derivatives, parameter gradients and Toeplitz construction on uniform
grids live in :mod:`numkern.kron.kernels`; :class:`GridGP` is exact GP regression on a grid.
"""

from . import kernels
from ._operator import (
    KroneckerCholesky,
    KroneckerEigh,
    KroneckerOperator,
    apply_along,
    kron_matmat_numpy,  # deprecated alias of kron_matmul
    kron_matmul,
)

__all__ = [
    "KroneckerOperator",
    "KroneckerCholesky",
    "KroneckerEigh",
    "apply_along",
    "kron_matmul",
    "GridGP",
    "kernels",
]


def __getattr__(name: str):
    # GridGP is a scikit-learn estimator when scikit-learn is installed (importing it takes most of a second):
    # load it only when asked for, as numkern.stats does with VonMisesFisherMixture.
    if name == "GridGP":
        from ._gridgp import GridGP

        return GridGP
    raise AttributeError(f"module 'numkern.kron' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
