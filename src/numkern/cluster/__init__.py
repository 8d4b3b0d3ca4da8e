"""k-medoids clustering (PAM family, CLARA, CLARANS), silhouettes and their optimisers, a scikit-learn estimator.

The functions live in ``_api.py`` (docstrings from ``_docs.py``), silhouettes in ``_silhouette.py``,
dissimilarities in ``_metrics.py``, the shared driver in ``_kmedoids.py`` and the C++ kernels in
``cpp/include/numkern/cluster``.
"""

from __future__ import annotations

from ._api import (alternating, build, clara, clarans, dynmsc, fastclara, fastclarans, fastermsc, fasterpam, fastmsc,
                   fastpam1, fastpam2, lab, pam, pammedsil, pamsil)
from ._docs import CONVENTIONS
from ._kmedoids import DynMSCResult, KMedoidsResult
from ._metrics import pairwise_dissimilarity
from ._silhouette import medoid_silhouette, silhouette, silhouette_samples, silhouette_score

__doc__ = __doc__.partition("\n")[0] + "\n\n" + CONVENTIONS  # help(numkern.cluster): the conventions

__all__ = [
    "KMedoids", "KMedoidsResult", "pam", "fastpam1", "fastpam2", "fasterpam", "alternating", "build", "lab",
    "clara", "fastclara", "clarans", "fastclarans", "pairwise_dissimilarity",
    "fastmsc", "fastermsc", "pammedsil", "pamsil", "dynmsc", "DynMSCResult",
    "silhouette", "medoid_silhouette", "silhouette_score", "silhouette_samples",
]


def __getattr__(name: str):
    # The estimator needs scikit-learn (a test/optional dependency): import it only when asked for.
    if name == "KMedoids":
        from ._estimator import KMedoids

        return KMedoids
    raise AttributeError(f"module 'numkern.cluster' has no attribute {name!r}")
