"""Directional statistics that work in very high dimension: the von Mises-Fisher distribution.

``vonmises_fisher`` has the interface of ``scipy.stats.vonmises_fisher`` (swap the import) but its normaliser,
fit and sampler stay finite and accurate for any dimension ``d`` and concentration ``kappa``: the Bessel
functions come from :mod:`numkern.special` in log form.

Functions
---------
vonmises_fisher
    The distribution (frozen with ``vonmises_fisher(mu, kappa)``): pdf, logpdf, rvs, entropy, fit.
log_normalizer
    log C_d(kappa).
mean_resultant_length
    A_d(kappa) = I_{d/2}(kappa) / I_{d/2-1}(kappa).
inverse_mean_resultant_length
    kappa with A_d(kappa) = r, to full precision.
VonMisesFisherMixture
    Mixture of vMFs fitted by EM (scikit-learn style estimator).
"""

from ._vmf import vonmises_fisher, vonmises_fisher_frozen, vonmises_fisher_gen
from ._vmf_math import inverse_mean_resultant_length, log_normalizer, mean_resultant_length

__all__ = [
    "vonmises_fisher",
    "vonmises_fisher_gen",
    "vonmises_fisher_frozen",
    "log_normalizer",
    "mean_resultant_length",
    "inverse_mean_resultant_length",
    "VonMisesFisherMixture",
]


def __getattr__(name: str):
    # The estimator imports scikit-learn (most of the time of importing this package, and an ImportError where it
    # is older than 1.6): load it only when asked for.
    if name == "VonMisesFisherMixture":
        from ._vmf_mixture import VonMisesFisherMixture

        return VonMisesFisherMixture
    raise AttributeError(f"module 'numkern.stats' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
