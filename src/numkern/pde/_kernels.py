"""Adapter from the GP-HM solver to :mod:`numkern.kron.kernels` (the kernel maths lives there, once).

The solver needs, per axis, the spectral-mixture kernel's derivatives in the first argument (orders 0 to 2) at the
2n - 1 signed lags of a uniform grid and their gradients with respect to (log-weights, log-scales, frequencies).
"""

from __future__ import annotations

import numpy as np

from numkern.kron.kernels import SpectralMixture

#: accepted envelope names -> numkern.kron.kernels names ("student_t" is GP-HM's name for the Matérn-5/2 envelope)
_ENVELOPE_NAMES = {"gaussian": "gaussian", "student_t": "matern52", "matern52": "matern52"}
ENVELOPES = tuple(_ENVELOPE_NAMES)


def spectral_mixture_lags(lags, log_weights, log_scales, frequencies, order=0, envelope="gaussian", gradient=False):
    """Values (and parameter gradient, shape (L, 3Q)) of the ``order``-th lag derivative of a spectral mixture."""
    kernel = SpectralMixture(log_weights, log_scales, frequencies, envelope=_ENVELOPE_NAMES[envelope])
    lags = np.asarray(lags, dtype=np.float64)
    if not gradient:
        return kernel.lag(lags, order)
    return kernel.lag(lags, order), kernel.lag_gradient(lags, order).T
