"""Weights and stencils of the fixed-node rules, computed from the node spacings only.

Every function takes the spacings ``d = diff(x)`` with shape ``(..., N-1)`` (float64, or complex128 for complex
nodes: a contour integral along the polyline through ``x``) and returns arrays that broadcast over the leading
dimensions, so one code path serves 1-D real ``x`` (weights computed in C++, fed to the fused C++ pass) and
N-D or complex ``x`` (evaluated with numpy).  The arithmetic mirrors scipy.integrate's formulas term by term so the
results agree to rounding.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _integrate


def _weight_dtype(d: np.ndarray) -> np.dtype:
    """float64 for real spacings, complex128 for complex ones."""
    return np.dtype(np.complex128) if d.dtype.kind == "c" else np.dtype(np.float64)


def trapezoid_weights(d: np.ndarray) -> np.ndarray:
    """w with sum_n w_n y_n = sum_i d_i (y_i + y_{i+1}) / 2."""
    if d.ndim == 1 and d.dtype.kind != "c":
        return _integrate.rule_weights(d, _integrate.Rule.trapezoid)
    shape = d.shape[:-1] + (d.shape[-1] + 1,)
    w = np.zeros(shape, dtype=_weight_dtype(d))
    w[..., :-1] += d / 2.0
    w[..., 1:] += d / 2.0
    return w


def _safe_divide(a, b):
    """a / b with 0 where b == 0 (scipy's convention for repeated nodes); float64, or complex128 if either is."""
    a, b = np.asarray(a), np.asarray(b)
    dtype = np.result_type(a.dtype, b.dtype, np.float64) if "c" in (a.dtype.kind, b.dtype.kind) else float
    a, b = np.broadcast_arrays(a.astype(dtype, copy=False), b.astype(dtype, copy=False))
    return np.true_divide(a, b, out=np.zeros_like(a), where=b != 0)


def _add_simpson_pairs(w: np.ndarray, d: np.ndarray, stop: int) -> None:
    """Composite Simpson on the point pairs starting at 0, 2, ..., < stop (non-uniform form)."""
    h0 = d[..., 0:stop:2]
    h1 = d[..., 1 : stop + 1 : 2]
    hsum = h0 + h1
    hprod = h0 * h1
    h0divh1 = _safe_divide(h0, h1)
    scale = hsum / 6.0
    m = h0.shape[-1]
    w[..., 0 : 2 * m : 2] += scale * (2.0 - _safe_divide(1.0, h0divh1))
    w[..., 1 : 2 * m : 2] += scale * (hsum * _safe_divide(hsum, hprod))
    w[..., 2 : 2 * m + 1 : 2] += scale * (2.0 - h0divh1)


def _ldexp(a: np.ndarray, e: int) -> np.ndarray:
    """a * 2**e, exactly (also for complex a and subnormal results)."""
    if a.dtype.kind == "c":
        return np.ldexp(a.real, e) + 1j * np.ldexp(a.imag, e)
    return np.ldexp(a, e)


def simpson_weights(d: np.ndarray) -> np.ndarray:
    """Weights of scipy.integrate.simpson (>= 1.11): composite Simpson, Cartwright's correction for even N."""
    n = d.shape[-1] + 1
    # The weights are homogeneous of degree one in d but form products of up to three spacings: rescale extreme
    # spacings by a power of two (exact) so that d**3 neither overflows (1e300 -> inf, then 0 weights) nor
    # underflows.  Spacings in the usual range take the unscaled path, bit for bit.
    big = float(np.max(np.abs(d), initial=0.0))
    if math.isfinite(big) and (big > 2.0**300 or 0.0 < big < 2.0**-300):
        e = math.frexp(big)[1]
        return _ldexp(simpson_weights(_ldexp(d, -e)), e)
    if d.ndim == 1 and d.dtype.kind != "c":
        return _integrate.rule_weights(d, _integrate.Rule.simpson)  # same arithmetic, in C++ (long axes)
    w = np.zeros(d.shape[:-1] + (n,), dtype=_weight_dtype(d))
    if n < 2:
        return w
    if n == 2:
        w[..., 0] += 0.5 * d[..., 0]
        w[..., 1] += 0.5 * d[..., 0]
        return w
    if n % 2 == 1:
        _add_simpson_pairs(w, d, n - 2)
        return w
    _add_simpson_pairs(w, d, n - 3)
    h0, h1 = d[..., -2], d[..., -1]
    alpha = _safe_divide(2 * h1**2 + 3 * h0 * h1, 6 * (h1 + h0))
    beta = _safe_divide(h1**2 + 3.0 * h0 * h1, 6 * h0)
    eta = _safe_divide(1 * h1**3, 6 * h0 * (h0 + h1))
    w[..., -1] += alpha
    w[..., -2] += beta
    w[..., -3] -= eta
    return w


def trapezoid_stencil(d: np.ndarray):
    """Per-interval stencil (coef (..., N-1, 3), start (N-1,)) of the cumulative trapezoid rule."""
    m = d.shape[-1]
    coef = np.zeros(d.shape + (3,), dtype=_weight_dtype(d))
    coef[..., 0] = d / 2.0
    coef[..., 1] = d / 2.0
    return coef, np.arange(m, dtype=np.int64)


def simpson_stencil(d: np.ndarray, equal: bool):
    """Per-interval stencil of scipy's cumulative_simpson (N >= 3).

    Interval j (nodes j, j+1) is integrated with the quadratic through nodes (j, j+1, j+2) when j is even and
    j <= N-3, otherwise through (j-1, j, j+1) (the formula scipy obtains by flipping the data).  With equal
    spacing it is d/3 (5/4 f1 + 2 f2 - 1/4 f3); otherwise eqn (8) of Cartwright's note as in scipy.
    """
    m = d.shape[-1]  # intervals, N - 1
    n = m + 1
    j = np.arange(m)
    forward = (j % 2 == 0) & (j <= n - 3)
    # x21: the interval itself; x32: the neighbouring interval of the parabola.
    nb = np.where(forward, j + 1, j - 1)
    x21 = d
    x32 = d[..., nb]
    # Factors are formed in d's own dtype (float32 nodes round like scipy's), then multiplied in float64
    # (complex128 for complex spacings: dropping the imaginary part would silently integrate along the wrong path).
    wd = _weight_dtype(d)
    if equal:
        scale = (x21 / 3).astype(wd)
        c1, c2, c3 = scale * (5 / 4), scale * 2, scale * (-1 / 4)
    else:
        x31 = x21 + x32
        x21_x31 = x21 / x31
        x21_x32 = x21 / x32
        q = x21_x31 * x21_x32
        scale = (x21 / 6).astype(wd)
        c1 = scale * (3 - x21_x31).astype(wd)
        c2 = scale * (3 + q + x21_x31).astype(wd)
        c3 = scale * (-q).astype(wd)
    coef = np.empty(d.shape + (3,), dtype=wd)
    # forward: (f1, f2, f3) = (y_j, y_j+1, y_j+2); backward: (f3, f2, f1) = (y_j-1, y_j, y_j+1).
    coef[..., 0] = np.where(forward, c1, c3)
    coef[..., 1] = c2
    coef[..., 2] = np.where(forward, c3, c1)
    start = np.where(forward, j, j - 1).astype(np.int64)
    return coef, start


def apply_stencil(y_last: np.ndarray, coef: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Per-interval values sum_k coef[..., j, k] * y[..., start_j + k] (numpy path, y along the last axis)."""
    last = y_last.shape[-1] - 1
    out = 0
    for k in range(3):
        # The trapezoid stencil has a zero third tap that may point one past the end: clip the index.
        out = out + coef[..., k] * y_last[..., np.minimum(start + k, last)]
    return out
