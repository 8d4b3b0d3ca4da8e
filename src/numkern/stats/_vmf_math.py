"""Scalar functions of the von Mises-Fisher family: log normaliser, mean resultant length and its inverse.

All Bessel function values come from :mod:`numkern.special` (``log_ive``, ``iv_ratio``), which never overflow;
this module only combines them. Notation: ``d`` is the dimension of the ambient space (the sphere is
S^{d-1}), ``nu = d/2 - 1`` the Bessel order, ``kappa >= 0`` the concentration.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy.special import gammaln

from numkern.special import iv_ratio, log_ive

_LOG_2PI = math.log(2.0 * math.pi)
_LOG_PI = math.log(math.pi)
_EPS = np.finfo(np.float64).eps

__all__ = ["log_normalizer", "mean_resultant_length", "inverse_mean_resultant_length"]


def _is_real(arr: np.ndarray) -> bool:
    """True for integer or floating arrays (not bool, complex or strings), and for object arrays of real numbers
    (Python ints beyond int64, fractions)."""
    if arr.dtype == object:
        return arr.size > 0 and all(
            isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in arr.flat
        )
    return np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)


def _as_dimension(d, name: str = "d") -> np.ndarray:
    """``d`` as a float64 array of whole numbers >= 2 (the sphere S^{d-1} needs d >= 2)."""
    d_arr = np.asarray(d)
    if not _is_real(d_arr):
        raise TypeError(f"'{name}' must be an integer dimension (>= 2), got {d!r}")
    d_arr = d_arr.astype(np.float64)
    if not np.all(np.isfinite(d_arr)) or np.any(d_arr < 2) or np.any(d_arr != np.floor(d_arr)):
        raise ValueError(f"'{name}' must be an integer dimension >= 2, got {d!r}")
    return d_arr


def _as_kappa(kappa, name: str = "kappa") -> np.ndarray:
    k = np.asarray(kappa)
    if not _is_real(k):
        raise TypeError(f"'{name}' must be a real number >= 0, got {kappa!r}")
    k = k.astype(np.float64)
    if np.any(k < 0):  # NaN passes (propagates like a ufunc); negative values are an error.
        raise ValueError(f"'{name}' must be >= 0, got {kappa!r}")
    return k


def _check_broadcast(d: np.ndarray, other: np.ndarray, name: str) -> None:
    """Raise a ValueError naming both arguments when 'd' and ``name`` cannot be broadcast together."""
    try:
        np.broadcast_shapes(d.shape, other.shape)
    except ValueError:
        raise ValueError(
            f"'d' (shape {d.shape}) and '{name}' (shape {other.shape}) cannot be broadcast together"
        ) from None


def _scalar_or_array(a: np.ndarray):
    return a[()] if a.ndim == 0 else a


def _log_normalizer_plus_kappa(d: np.ndarray, kappa: np.ndarray) -> np.ndarray:
    """log C_d(kappa) + kappa (the log density at the mode) for validated float64 arrays (broadcast).

    log C + kappa = nu log k - (d/2) log 2pi - log_ive(nu, k), with log_ive = log I_nu(k) - k finite for every d
    and k: no overflow, and no cancellation of two terms of size kappa (log C alone is about -kappa, so adding
    kappa back to it loses every digit once kappa >= 1e16).
    """
    nu = 0.5 * d - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        out = nu * np.log(kappa) - 0.5 * d * _LOG_2PI - log_ive(nu, kappa)
        # kappa = 0: the uniform density, 1 / |S^{d-1}| = Gamma(d/2) / (2 pi^{d/2}) (the limit of the formula).
        uniform = gammaln(0.5 * d) - math.log(2.0) - 0.5 * d * _LOG_PI
    return np.where(kappa == 0, uniform, out)


def _log_normalizer(d: np.ndarray, kappa: np.ndarray) -> np.ndarray:
    """log C_d(kappa) for validated float64 arrays (broadcast); -inf at kappa = inf (the limit)."""
    with np.errstate(invalid="ignore"):
        out = _log_normalizer_plus_kappa(d, kappa) - kappa
    return np.where(np.isposinf(kappa), -np.inf, out)


def log_normalizer(d, kappa):
    r"""Logarithm of the von Mises-Fisher normalising constant.

    .. math::

        \log C_d(\kappa) = (d/2 - 1)\log\kappa - (d/2)\log(2\pi) - \log I_{d/2-1}(\kappa),

    so that the density on the unit sphere :math:`S^{d-1}` is :math:`C_d(\kappa)\exp(\kappa\,\mu^T x)`. Computed
    with :func:`numkern.special.log_ive`, it is finite and accurate for every dimension and concentration
    (scipy's ``ive`` underflows for ``d`` above about 100 at moderate ``kappa``).

    Parameters
    ----------
    d : int or array_like of int
        Dimension of the ambient space (the sphere is :math:`S^{d-1}`), ``d >= 2``.
    kappa : float or array_like
        Concentration, ``kappa >= 0``; ``kappa = 0`` gives the uniform density ``1 / |S^{d-1}|``, ``inf`` gives
        ``-inf`` (the limit); NaN propagates.

    Returns
    -------
    float or ndarray
        :math:`\log C_d(\kappa)`, broadcast over ``d`` and ``kappa`` (float64).

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.stats import log_normalizer
    >>> bool(log_normalizer(3, 0.0) == -np.log(4 * np.pi))  # uniform on the 2-sphere
    True
    >>> bool(np.isfinite(log_normalizer(32768, 1e5)))
    True
    """
    d_arr = _as_dimension(d)
    k_arr = _as_kappa(kappa)
    _check_broadcast(d_arr, k_arr, "kappa")
    return _scalar_or_array(_log_normalizer(d_arr, k_arr))


def _mean_resultant_length(d: np.ndarray, kappa: np.ndarray) -> np.ndarray:
    nu = 0.5 * d - 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        a = iv_ratio(nu, kappa)
    a = np.where(kappa == 0, 0.0, a)
    return np.where(np.isposinf(kappa), 1.0, a)


def mean_resultant_length(d, kappa):
    r"""Mean resultant length :math:`A_d(\kappa) = E[\mu^T x] = I_{d/2}(\kappa) / I_{d/2-1}(\kappa)`.

    The expected cosine between a von Mises-Fisher sample and its mean direction; the maximum likelihood
    estimate of ``kappa`` solves :math:`A_d(\kappa) = \bar r`. Computed with
    :func:`numkern.special.iv_ratio` (no overflow, full precision).

    Parameters
    ----------
    d : int or array_like of int
        Dimension of the ambient space, ``d >= 2``.
    kappa : float or array_like
        Concentration, ``kappa >= 0`` (``A_d(0) = 0``, ``A_d(inf) = 1``).

    Returns
    -------
    float or ndarray
        :math:`A_d(\kappa)` in ``[0, 1)``, broadcast over ``d`` and ``kappa``.

    See Also
    --------
    inverse_mean_resultant_length : solves :math:`A_d(\kappa) = \bar r` for ``kappa``.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.stats import mean_resultant_length
    >>> k = 2.0  # in 3 dimensions A_3(k) = coth(k) - 1/k
    >>> bool(np.isclose(mean_resultant_length(3, k), 1 / np.tanh(k) - 1 / k, rtol=1e-14))
    True
    """
    d_arr = _as_dimension(d)
    k_arr = _as_kappa(kappa)
    _check_broadcast(d_arr, k_arr, "kappa")
    return _scalar_or_array(_mean_resultant_length(d_arr, k_arr))


def _kappa_one_minus_mrl(d: np.ndarray, kappa: np.ndarray) -> np.ndarray:
    """kappa (1 - A_d(kappa)) for validated float64 arrays, with full relative precision also where A_d -> 1.

    Where 1 - A ~ (d - 1) / (2 kappa) is small, 1 - A formed from A keeps only an absolute eps, i.e. loses
    log10(kappa / d) digits. There Hankel's expansion (DLMF 10.40.1) I_nu(k) ~ e^k (2 pi k)^(-1/2) S_nu(k),
    S_nu = sum_j (-1)^j a_j(nu) / kappa^j, gives 1 - A = (S_nu - S_{nu+1}) / S_nu, and the difference of the two
    series is summed term by term without cancellation: with p_j = a_j(nu) / kappa^j and
    e_j = kappa (a_j(nu+1) / kappa^j - p_j) (scaled by kappa so that nothing overflows or turns subnormal),
    e_j = (B_j e_{j-1} / kappa + (B_j - A_j) p_{j-1}) / (8 j), where A_j = 4 nu^2 - (2j-1)^2,
    B_j = 4 (nu+1)^2 - (2j-1)^2 and B_j - A_j = 4 (2 nu + 1) exactly. For kappa >= max(64, 2 nu^2) successive
    terms shrink at least 4 j-fold, so 30 terms are ample (the last below 1e-50) and the omitted exponentially
    small part is below e^-128.
    """
    d_b, k_b = np.broadcast_arrays(np.asarray(d, dtype=np.float64), np.asarray(kappa, dtype=np.float64))
    nu = 0.5 * d_b - 1.0
    with np.errstate(invalid="ignore"):
        out = np.array(k_b * (1.0 - _mean_resultant_length(d_b, k_b)), dtype=np.float64)
    hankel = np.isfinite(k_b) & (k_b >= np.maximum(64.0, 2.0 * nu * nu))
    if np.any(hankel):
        nu_h, k_h = nu[hankel], k_b[hankel]
        mu4 = 4.0 * nu_h * nu_h
        mu4_next = 4.0 * (nu_h + 1.0) ** 2
        gap = 4.0 * (2.0 * nu_h + 1.0)
        p = np.ones_like(k_h)  # p_0 = 1
        e = np.zeros_like(k_h)  # e_0 = 0
        s_nu = np.ones_like(k_h)  # S_nu
        diff = np.zeros_like(k_h)  # kappa (S_nu - S_{nu+1}) = -sum_j (-1)^j e_j
        for j in range(1, 31):
            odd_sq = (2.0 * j - 1.0) ** 2
            e = ((mu4_next - odd_sq) * e / k_h + gap * p) / (8.0 * j)
            p = (mu4 - odd_sq) * p / (8.0 * j) / k_h
            sign = -1.0 if j % 2 else 1.0
            s_nu += sign * p
            diff -= sign * e
            if np.all(np.abs(e) <= 1e-17 * np.abs(diff)) and np.all(np.abs(p) <= 1e-17 * np.abs(s_nu)):
                break
        out[hankel] = diff / s_nu
    return out


def _logit_a(nu: np.ndarray, kappa: np.ndarray):
    """(logit A, A, 1 - A) at ``kappa`` for Bessel order ``nu``."""
    a = iv_ratio(nu, kappa)
    one_minus_a = 1.0 - a
    with np.errstate(divide="ignore"):
        return np.log(a) - np.log(one_minus_a), a, one_minus_a


def _solve_kappa(d: np.ndarray, r: np.ndarray, one_minus_r: np.ndarray, max_iter: int = 60) -> np.ndarray:
    r"""kappa with A_d(kappa) = r for 1-D float64 arrays with 0 < r < 1 (same shape).

    Newton's method in the coordinates s = log(kappa), F(s) = logit A_d(e^s) = log A - log(1 - A). There F is
    increasing with slope -> 1 at both ends (A ~ kappa/d for small kappa, 1 - A ~ (d-1)/(2 kappa) for large
    kappa), so Newton converges in a handful of steps from the Banerjee et al. (2005) start
    kappa0 = r (d - r^2) / (1 - r^2), which is exact in both limits. The slope
    dF/ds = kappa A'(kappa) / (A (1 - A)) uses A' = 1 - A^2 - (d-1) A / kappa (Bessel recurrence); where that
    difference cancels (kappa >> d) the slope is replaced by its limit 1, which is then accurate to O(d/kappa).
    Steps are applied to kappa itself (kappa <- kappa + kappa expm1(step)), so kappa keeps full relative precision,
    and stay inside a bracket [lo, hi] (bisection in log kappa otherwise), so the iteration cannot diverge. The
    residual uses the exact ratio, hence the root is the solution to full precision, not the approximation:
    measured on 4e5 random (d, kappa) with d in [2, 1e6], kappa in [1e-4, 1e8], kappa -> A -> kappa is exact to
    16 eps times the condition number 1 + 2 kappa / (d - 1), and r -> kappa -> A to 12 eps.
    ``one_minus_r`` carries 1 - r computed without cancellation when r is close to 1.
    """
    nu = 0.5 * d - 1.0
    target = np.log(r) - np.log(one_minus_r)
    # Banerjee et al. start, r (d - r^2) / (1 - r^2), formed in logs (no overflow as r -> 1).
    kap = np.exp(np.log(r) + np.log(d - r * r) - np.log(one_minus_r) - np.log1p(r))
    lo = np.zeros_like(kap)
    hi = np.full_like(kap, np.inf)
    prev_change = np.full_like(kap, np.inf)
    active = np.ones(kap.shape, dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        k_a, nu_a, d_a = kap[idx], nu[idx], d[idx]
        f, a, one_minus_a = _logit_a(nu_a, k_a)
        resid = f - target[idx]
        # Bracket update: F is increasing in kappa.
        lo[idx] = np.where(resid < 0, k_a, lo[idx])
        hi[idx] = np.where(resid > 0, k_a, hi[idx])
        kappa_aprime = k_a * one_minus_a * (1.0 + a) - (d_a - 1.0) * a
        scale = k_a * one_minus_a * (1.0 + a)
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = kappa_aprime / (a * one_minus_a)
        good = (np.abs(kappa_aprime) > 1e-6 * scale) & np.isfinite(slope) & (slope > 0)
        slope = np.where(good, slope, 1.0)
        # Newton step in s = log kappa, applied as kappa * exp(step) = kappa + kappa * expm1(step): kappa keeps
        # its full relative precision (exp(log kappa) would lose |log kappa| ulps).
        step = np.clip(-resid / slope, -4.0, 4.0)
        k_new = k_a + k_a * np.expm1(step)
        lo_a, hi_a = lo[idx], hi[idx]
        # Newton may land on a bracket end (a step below one ulp), never beyond it; beyond it, bisect.
        bisect = ((k_new < lo_a) | (k_new > hi_a)) & (lo_a > 0) & np.isfinite(hi_a)
        with np.errstate(invalid="ignore"):
            k_new = np.where(bisect, np.sqrt(lo_a) * np.sqrt(hi_a), k_new)  # bisection in log kappa
        change = np.abs(k_new - k_a) / k_a
        # Stop at an exact root, once the change is at the rounding level of kappa, or when rounding noise in
        # the residual stops Newton's changes from shrinking (quadratic convergence would halve them at least).
        done = (
            (resid == 0)
            | (change <= 2 * _EPS)
            | (~bisect & (change < 1e-10) & (change >= 0.5 * prev_change[idx]))
            | ~np.isfinite(resid)
        )
        kap[idx] = np.where(resid == 0, k_a, k_new)
        prev_change[idx] = change
        active[idx[done]] = False
    return kap


def inverse_mean_resultant_length(d, r):
    r"""Concentration ``kappa`` with :math:`A_d(\kappa) = r`: the maximum likelihood ``kappa`` for mean resultant
    length ``r``.

    Solved to full precision by safeguarded Newton iteration on the exact ratio
    :math:`A_d(\kappa) = I_{d/2}(\kappa)/I_{d/2-1}(\kappa)` (:func:`numkern.special.iv_ratio`), started from the
    Banerjee et al. (2005) approximation :math:`r(d - r^2)/(1 - r^2)`. Works for ``d`` from 2 to beyond
    ``1e6`` and ``kappa`` from 0 to beyond ``1e8``.

    Parameters
    ----------
    d : int or array_like of int
        Dimension of the ambient space, ``d >= 2``.
    r : float or array_like
        Mean resultant length in ``[0, 1]``; ``r = 0`` gives ``kappa = 0`` and ``r = 1`` gives ``inf``. NaN
        propagates.

    Returns
    -------
    float or ndarray
        ``kappa >= 0``, broadcast over ``d`` and ``r``.

    Notes
    -----
    The conditioning of the problem is :math:`A/(\kappa A')`; near ``r = 1`` the input ``r`` itself carries
    the error: ``1 - r`` is known only to an absolute ``eps``, so ``kappa`` is known to a relative
    ``eps * kappa / d`` at best. :meth:`vonmises_fisher.fit <numkern.stats.vonmises_fisher_gen.fit>` computes
    ``1 - r`` from the data without that cancellation.

    References
    ----------
    .. [1] A. Banerjee, I. S. Dhillon, J. Ghosh, S. Sra, "Clustering on the unit hypersphere using von
           Mises-Fisher distributions", JMLR 6 (2005), 1345-1382.
    .. [2] S. Sra, "A short note on parameter approximation for von Mises-Fisher distributions", Computational
           Statistics 27 (2012), 177-190.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.stats import inverse_mean_resultant_length, mean_resultant_length
    >>> kappa = inverse_mean_resultant_length(32768, 0.5)
    >>> bool(np.isclose(mean_resultant_length(32768, kappa), 0.5, rtol=1e-14, atol=0))
    True
    """
    d_arr = _as_dimension(d)
    r_arr = np.asarray(r)
    if not _is_real(r_arr):
        raise TypeError(f"'r' must be a real number in [0, 1], got {r!r}")
    r_arr = r_arr.astype(np.float64)
    if np.any((r_arr < 0) | (r_arr > 1)):
        raise ValueError(f"'r' must lie in [0, 1], got {r!r}")
    _check_broadcast(d_arr, r_arr, "r")
    return _scalar_or_array(_inverse_mrl(d_arr, r_arr, 1.0 - r_arr))


def _inverse_mrl(d: np.ndarray, r: np.ndarray, one_minus_r: np.ndarray) -> np.ndarray:
    d_b, r_b, omr_b = np.broadcast_arrays(d, r, one_minus_r)
    out = np.full(r_b.shape, np.nan)
    out[r_b == 0] = 0.0
    out[(r_b == 1) | (omr_b == 0)] = np.inf
    interior = (r_b > 0) & (omr_b > 0) & np.isfinite(r_b)
    if np.any(interior):
        out[interior] = _solve_kappa(
            d_b[interior].astype(np.float64), r_b[interior].astype(np.float64), omr_b[interior].astype(np.float64)
        )
    return out
