"""numkern: accurate, fast numerical kernels with scipy-compatible APIs.

Subpackages
-----------
special
    Logarithms of modified Bessel functions as numpy ufuncs (``log_iv``, ``log_kv``, ...).
stats
    von Mises-Fisher distribution that works in very high dimension.
integrate
    scipy-compatible trapezoid/Simpson rules and Bayesian quadrature.
cluster
    k-medoids: PAM, FastPAM1/2, FasterPAM, CLARA, CLARANS and a scikit-learn estimator.
sparse
    Multithreaded sparse x sparse products (SpGEMM) for scipy.sparse.
kron
    Kronecker-structured linear algebra and GP regression on grids.
pde
    Gaussian-process solver for high-frequency and multi-scale PDEs.

Subpackages are imported lazily: ``import numkern`` is cheap and ``numkern.special`` loads on first use.
"""

from __future__ import annotations

import importlib

from ._config import show_config

__version__ = "0.1.0"

_SUBPACKAGES = ("special", "stats", "integrate", "cluster", "sparse", "kron", "pde")

__all__ = ["show_config", "__version__", *_SUBPACKAGES]


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'numkern' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBPACKAGES))
