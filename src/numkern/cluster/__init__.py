"""k-medoids clustering: PAM, FastPAM1/2, FasterPAM, alternating, CLARA, CLARANS and a scikit-learn estimator.

The functions live in ``_api.py`` (docstrings from ``_docs.py``), dissimilarities in ``_metrics.py``, the shared
driver in ``_kmedoids.py`` and the C++ kernels in ``cpp/include/numkern/cluster``.
"""

from __future__ import annotations

from ._api import alternating, build, clara, clarans, fastclara, fastclarans, fasterpam, fastpam1, fastpam2, lab, pam
from ._docs import CONVENTIONS
from ._kmedoids import KMedoidsResult
from ._metrics import pairwise_dissimilarity

__doc__ = __doc__.partition("\n")[0] + "\n\n" + CONVENTIONS  # help(numkern.cluster): the conventions

__all__ = [
    "KMedoids", "KMedoidsResult", "pam", "fastpam1", "fastpam2", "fasterpam", "alternating", "build", "lab",
    "clara", "fastclara", "clarans", "fastclarans", "pairwise_dissimilarity",
]


def __getattr__(name: str):
    # The estimator needs scikit-learn (a test/optional dependency): import it only when asked for.
    if name == "KMedoids":
        from ._estimator import KMedoids

        return KMedoids
    raise AttributeError(f"module 'numkern.cluster' has no attribute {name!r}")
