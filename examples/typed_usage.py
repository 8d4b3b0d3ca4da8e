"""A small, fully annotated tour of numkern's public API, checked by mypy in the tests (tests/test_typing.py).

numkern ships a ``py.typed`` marker and stubs (``.pyi``) for its compiled modules, so a type checker resolves
``numkern`` as a typed library: ``numkern.special.log_iv`` is a :class:`numpy.ufunc`, misspelt names and wrong
keyword arguments are reported. Run it:  python examples/typed_usage.py   Check it:  mypy examples/typed_usage.py
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from numkern.cluster import KMedoids, KMedoidsResult, fasterpam
from numkern.integrate import trapezoid
from numkern.kron import KroneckerOperator
from numkern.sparse import matmul
from numkern.special import log_iv
from numkern.stats import vonmises_fisher

FloatArray = npt.NDArray[np.float64]


def log_bessel(v: float, x: FloatArray) -> FloatArray:
    """log I_v(x) elementwise (a NumPy ufunc: broadcasting and ``out=`` work as usual)."""
    ufunc: np.ufunc = log_iv
    out: FloatArray = np.empty_like(x)
    ufunc(v, x, out=out)
    return out


def fit_directions(x: FloatArray) -> tuple[FloatArray, float]:
    """Maximum-likelihood von Mises-Fisher fit of unit rows ``x``: (mean direction, concentration)."""
    mu, kappa = vonmises_fisher.fit(x)
    return np.asarray(mu, dtype=np.float64), float(kappa)


def area(y: FloatArray, x: FloatArray) -> float:
    """Trapezoidal integral of samples ``y`` at abscissae ``x``."""
    return float(trapezoid(y, x))


def medoids_of(points: FloatArray, k: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Medoid indices from FasterPAM on the distance matrix and labels from the scikit-learn estimator."""
    diss: FloatArray = np.abs(points[:, None] - points[None, :]).sum(axis=-1)
    result: KMedoidsResult = fasterpam(diss, k, random_state=0)
    labels = KMedoids(n_clusters=k, random_state=0).fit(points).labels_
    return np.asarray(result.medoids, dtype=np.intp), np.asarray(labels, dtype=np.intp)


def sparse_square(a: sp.csr_array) -> sp.csr_array:
    """A @ A with numkern's multithreaded SpGEMM (a scipy sparse array in, one out)."""
    return sp.csr_array(matmul(a, a))


def kron_apply(a1: FloatArray, a2: FloatArray, v: FloatArray) -> FloatArray:
    """(A1 ⊗ A2) v without forming the Kronecker product."""
    op = KroneckerOperator(a1, a2)
    return np.asarray(op @ v, dtype=np.float64)


def main() -> None:
    rng = np.random.default_rng(0)
    x = np.linspace(0.0, 10.0, 11)
    print("log I_1(x):", np.round(log_bessel(1.0, x), 4))
    print("integral of x^2 on [0, 10]:", area(x**2, x))
    u = rng.standard_normal((200, 3)) + np.array([5.0, 0.0, 0.0])
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    mu, kappa = fit_directions(u)
    print("vMF fit: mu =", np.round(mu, 3), "kappa =", round(kappa, 2))
    pts = np.concatenate([rng.normal(0.0, 1.0, (20, 2)), rng.normal(8.0, 1.0, (20, 2))])
    medoids, labels = medoids_of(pts, 2)
    print("medoids:", medoids, "cluster sizes:", np.bincount(labels))
    a = sp.csr_array(sp.random(50, 50, density=0.1, random_state=0))
    print("nnz(A @ A):", sparse_square(a).nnz)
    a1, a2 = np.eye(3) * 2.0, np.eye(4) * 3.0
    print("(2I ⊗ 3I) 1:", kron_apply(a1, a2, np.ones(12))[:3])


if __name__ == "__main__":
    main()
