"""Stationary 1-D kernels with closed-form derivatives, parameter gradients and Toeplitz grid construction.

Every kernel here is stationary, ``k(x, x') = kappa(x - x')``, and is written as a sum of components
``w * envelope(x - x') * cos(2 pi mu (x - x'))``. Hence

* derivatives in the arguments reduce to derivatives of ``kappa`` in the lag ``r = x - x'``:
  ``d^p/dx^p d^q/dx'^q k(x, x') = (-1)^q kappa^{(p+q)}(x - x')``;
* on a uniform grid the matrix ``k(X, X)`` (and every derivative matrix) is Toeplitz, so it is built from the
  ``n`` distinct lags instead of ``n^2`` pairs (:meth:`Kernel1D.toeplitz`);
* gradients with respect to the (log-scale) parameters are closed form (:meth:`Kernel1D.gradient`).

Kernels
-------
``SpectralMixture(log_weights, log_scales, freqs, envelope="gaussian")``
    ``kappa(r) = sum_q w_q exp(-a_q r^2) cos(2 pi mu_q r)``, ``w_q = exp(log_weights)``,
    ``a_q = exp(log_scales)`` (Gaussian-mixture spectrum, any derivative order).
``SpectralMixture(..., envelope="matern52")``
    ``kappa(r) = sum_q w_q (1 + sqrt5 a_q |r| + 5/3 a_q^2 r^2) exp(-sqrt5 a_q |r|) cos(2 pi mu_q r)``
    (Student-t-mixture spectrum, GP-HM's "StM"); derivatives up to total order 4 (the fifth jumps at 0).
``RBF(lengthscale, variance)``
    ``variance * exp(-r^2 / (2 lengthscale^2))``.
    Lengthscales (and the spectral mixture's scales ``exp(log_scales)``) must lie in [1e-30, 1e30]: the closed-form
    derivatives scale like ``lengthscale**-10`` (order 8 plus the two of the parameter gradient) and would overflow.
``Matern(lengthscale, variance, nu)``, ``nu`` in {0.5, 1.5, 2.5}
    derivatives up to total order 0, 2, 4 respectively.

Parameters are stored in ``theta`` (a 1-D float64 array; names in ``param_names``), in the coordinates the
optimisers use: log-weights, log-scales, frequencies for the spectral mixture; log-lengthscale and
log-variance for RBF and Matérn. ``kernel.with_theta(theta)`` returns a copy with new parameters.

References
----------
Wilson & Adams, "Gaussian process kernels for pattern discovery and extrapolation", ICML 2013.
Fang et al., "Solving high frequency and multi-scale PDEs with Gaussian processes", ICLR 2024.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg as _sla
from scipy.linalg import toeplitz as _scipy_toeplitz

from numkern._validation import as_numeric_array, check_integer, check_real

__all__ = ["Kernel1D", "SpectralMixture", "RBF", "Matern", "uniform_spacing", "differentiation_matrix"]

_SQRT5 = math.sqrt(5.0)

# Supported range of lengthscales (and of the spectral-mixture envelope scales a = exp(l), which play the role of
# 1 / lengthscale): the closed forms multiply exp(-(r / l)^2)-type factors by up to (1 / l)^10 (order 8 plus the
# two orders of the parameter gradient), which overflows to inf (and inf * 0 = NaN) for l < ~2e-31. Beyond 1e30
# the kernel is constant to double precision on any grid that itself is representable.
_SCALE_MIN, _SCALE_MAX = 1e-30, 1e30
_LOG_SCALE_MAX = math.log(_SCALE_MAX)  # 69.08
_LOG_WEIGHT_MAX = 690.0  # exp(690) = 1e299: w times a kernel value stays finite


# ----------------------------------------------------------------------------------------------- helpers
def _as_float_array(name, x):
    """x as a float64 array; strings, bool, complex and other non-numbers raise TypeError naming ``name``."""
    arr = as_numeric_array(x, name, allow_complex=False, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def _check_lengthscale(lengthscale, name="lengthscale"):
    """A positive finite real scalar in [1e-30, 1e30] (these kernels are 1-D: one lengthscale per kernel)."""
    if isinstance(lengthscale, np.ndarray) and lengthscale.ndim > 0:
        raise TypeError(f"{name} must be a real scalar (a 1-D kernel has one lengthscale; use one kernel per "
                        f"grid axis), got an array of shape {lengthscale.shape}")
    value = check_real(lengthscale[()] if isinstance(lengthscale, np.ndarray) else lengthscale, name,
                       positive=True)
    if not _SCALE_MIN <= value <= _SCALE_MAX:
        raise ValueError(f"{name} must lie in [{_SCALE_MIN:g}, {_SCALE_MAX:g}], got {value!r} (the closed-form "
                         f"derivatives scale like {name}**-10 and overflow outside it)")
    return value


def _check_variance(variance):
    if isinstance(variance, np.ndarray) and variance.ndim > 0:
        raise TypeError(f"variance must be a real scalar, got an array of shape {variance.shape}")
    return check_real(variance[()] if isinstance(variance, np.ndarray) else variance, "variance", positive=True)


def uniform_spacing(x, rtol=1e-9):
    """Return the spacing ``h`` of a uniform 1-D grid, or raise ``ValueError`` if ``x`` is not uniform.

    Parameters
    ----------
    x : array_like, shape (n,)
        Grid points, increasing or decreasing, ``n >= 2``.
    rtol : float, optional
        Allowed deviation of any point from ``x[0] + i h``, relative to the grid span.

    Returns
    -------
    h : float
        ``(x[-1] - x[0]) / (n - 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.kron.kernels import uniform_spacing
    >>> float(uniform_spacing(np.linspace(0.0, 1.0, 5)))
    0.25
    """
    x = _as_float_array("x", x)
    rtol = check_real(rtol, "rtol", nonnegative=True)
    if x.ndim != 1 or x.size < 2:
        raise ValueError("x must be a 1-D grid with at least 2 points")
    n = x.size
    h = (x[-1] - x[0]) / (n - 1)
    span = abs(x[-1] - x[0])
    if h == 0.0 or np.max(np.abs(x - (x[0] + h * np.arange(n)))) > rtol * max(span, np.max(np.abs(x))):
        raise ValueError("x is not a uniform grid; use kernel(x, x) (pairwise construction) instead of toeplitz")
    return h


# Intermediate inf * 0 where the exponential underflows is cleaned by _underflow_to_zero: no warnings for it.
@np.errstate(over="ignore", invalid="ignore")
def _gaussian_cos_derivatives(r, a, b, order):
    """Complex derivatives ``g^{(k)}(r)``, k = 0..order, of ``g(r) = exp(-a r^2 + i b r)``.

    ``g^{(k)}(r) = (-sqrt a)^k H_k(z) g(r)`` with ``z = sqrt(a) r - i b / (2 sqrt a)`` and the physicists'
    Hermite polynomials (three-term recurrence; no cancellation because the leading term dominates for large
    ``|z|``). Writing ``g = exp(-a r^2) (cos br + i sin br)`` avoids the overflow of the completed square.
    ``a``, ``b`` are scalars; the result has shape ``(order + 1,) + r.shape``.
    """
    sa = np.sqrt(a)
    z = sa * r - 0.5j * b / sa
    g = np.exp(-a * r * r) * np.exp(1j * b * r)
    out = np.empty((order + 1,) + np.broadcast(z, g).shape, dtype=np.complex128)
    h_prev = np.ones_like(z)
    h_cur = 2.0 * z
    for k in range(order + 1):
        if k == 0:
            hk = h_prev
        elif k == 1:
            hk = h_cur
        else:
            h_prev, h_cur = h_cur, 2.0 * z * h_cur - 2.0 * (k - 1) * h_prev
            hk = h_cur
        # (-sqrt a)^k with a^(k/2) for the even part so even orders carry no sqrt rounding
        scale = a ** (k // 2) * (-sa if k % 2 else 1.0)
        out[k] = _underflow_to_zero(scale * hk * g, g)
    return out


def _underflow_to_zero(value, factor):
    """``value`` with 0 where the exponential ``factor`` underflowed to 0 but the polynomial part overflowed.

    There ``value`` = (lag scale)^k poly(z) exp(-z^2) with z^2 > 745, whose magnitude is below
    ``|r|^-k 745^k e^-745`` (about 1e-195 for |r| >= 1e-10, order 10): 0 instead of the NaN of inf * 0. Finite
    products are left as they are, so results that were finite do not change.
    """
    bad = np.isnan(value) & (factor == 0)
    if bad.any():
        value = np.where(bad, 0.0, value)
    return value


def _envelope_polys(poly0, order):
    """Polynomials ``q_k`` with ``d^k/dt^k [poly0(t) e^{-t}] = q_k(t) e^{-t}`` (``q_{k+1} = q_k' - q_k``)."""
    polys = [np.polynomial.Polynomial(poly0)]
    for _ in range(order):
        q = polys[-1]
        polys.append(q.deriv() - q)
    return polys


# Intermediate inf * 0 where the exponential underflows is cleaned by _underflow_to_zero: no warnings for it.
@np.errstate(over="ignore", invalid="ignore")
def _matern_envelope_derivatives(r, c, poly0, order):
    """Derivatives ``e^{(k)}(r)``, k = 0..order, of ``e(r) = E(c |r|)``, ``E(t) = poly0(t) e^{-t}``.

    ``e^{(k)}(r) = sign(r)^k c^k q_k(c |r|) e^{-c |r|}``; even ``k`` need no sign, odd ``k`` vanish at 0 for the
    orders this envelope supports. ``c`` is a scalar; the result has shape ``(order + 1,) + r.shape``.
    """
    t = c * np.abs(r)
    sgn = np.sign(r)
    et = np.exp(-t)
    polys = _envelope_polys(poly0, order)
    out = np.empty((order + 1,) + np.broadcast(t, sgn).shape)
    ck = np.ones_like(c)
    for k, q in enumerate(polys):
        val = _underflow_to_zero(ck * q(t) * et, et)
        out[k] = val * sgn if k % 2 else val
        ck = ck * c
    return out


def _binomial_row(m):
    return [math.comb(m, k) for k in range(m + 1)]


class Kernel1D:
    """Base class of the stationary 1-D kernels (see the module docstring for the conventions).

    Subclasses implement ``_lag_terms(r, order, with_grad)``; everything else (pairwise and Toeplitz
    construction, argument derivatives, parameter gradients) is shared.
    """

    #: highest total derivative order ``p + q`` the kernel supports
    max_order = 8
    param_names: tuple = ()

    def __init__(self, theta):
        theta = _as_float_array("theta", theta).ravel().copy()
        self._check_theta(theta)
        self._theta = theta

    def _theta_limits(self):
        """Per-parameter (lo, hi) bounds of theta (log-parameters whose exp must stay in range); None: free."""
        return [None] * len(self.param_names)

    def _check_theta(self, theta):
        for name, limits, value in zip(self.param_names, self._theta_limits(), theta):
            if limits is not None and not limits[0] <= value <= limits[1]:
                raise ValueError(f"theta: {name} = {float(value)!r} is outside [{limits[0]:.6g}, {limits[1]:.6g}] (its exp "
                                 f"would overflow or leave the supported scale range [{_SCALE_MIN:g}, "
                                 f"{_SCALE_MAX:g}])")

    # -- parameters ----------------------------------------------------------------------------
    @property
    def theta(self):
        """Parameter vector (a copy), in optimiser coordinates; see ``param_names``."""
        return self._theta.copy()

    @property
    def n_params(self):
        """Number of parameters, ``len(theta)``."""
        return self._theta.size

    def with_theta(self, theta):
        """Return a copy of this kernel with parameter vector ``theta`` (same length as :attr:`theta`)."""
        theta = _as_float_array("theta", theta).ravel()
        if theta.size != self.n_params:
            raise ValueError(f"theta must have {self.n_params} entries, got {theta.size}")
        self._check_theta(theta)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._theta = theta.copy()
        return new

    def __repr__(self):
        return f"{type(self).__name__}(theta={np.array2string(self._theta, precision=4)})"

    # -- lag functions ---------------------------------------------------------------------------
    def _check_order(self, order, name="order"):
        try:
            order = check_integer(order, name)
        except TypeError:
            raise TypeError(f"derivative {name} must be a non-negative integer, got {order!r} of type "
                            f"{type(order).__name__}") from None
        if order < 0:
            raise ValueError(f"derivative {name} must be a non-negative integer, got {order!r}")
        if order > self.max_order:
            raise ValueError(
                f"{type(self).__name__} supports derivatives of total order <= {self.max_order}, got {order}"
            )
        return order

    def _check_orders(self, dx, dy):
        """(dx, dy) as non-negative ints (bool and floats raise TypeError) with dx + dy <= max_order."""
        dx = self._check_order(dx, "dx")
        dy = self._check_order(dy, "dy")
        self._check_order(dx + dy)
        return dx, dy

    def lag(self, r, order=0):
        """``kappa^{(order)}(r)``: the ``order``-th derivative of the kernel in the lag ``r = x - x'``.

        Parameters
        ----------
        r : array_like
            Lags.
        order : int, optional
            Derivative order, ``0 <= order <= max_order``.

        Returns
        -------
        ndarray
            Same shape as ``r``.

        Examples
        --------
        >>> from numkern.kron.kernels import RBF
        >>> round(float(RBF(lengthscale=1.0).lag(0.0, order=2)), 12)
        -1.0
        """
        order = self._check_order(order)
        r = _as_float_array("r", r)
        return self._lag_terms(r, order, with_grad=False)[0]

    def lag_gradient(self, r, order=0):
        """Gradient of ``kappa^{(order)}(r)`` with respect to ``theta``: shape ``(n_params,) + r.shape``.

        Examples
        --------
        >>> import numpy as np
        >>> from numkern.kron.kernels import RBF
        >>> k = RBF(lengthscale=2.0, variance=3.0)
        >>> g = k.lag_gradient(np.array([0.0]))      # d/dlog_lengthscale, d/dlog_variance at r = 0
        >>> np.round(g.ravel(), 12).tolist()
        [0.0, 3.0]
        """
        order = self._check_order(order)
        r = _as_float_array("r", r)
        return self._lag_terms(r, order, with_grad=True)[1]

    # -- matrices ------------------------------------------------------------------------------
    def __call__(self, x, y=None, dx=0, dy=0):
        """Kernel (derivative) matrix ``d^dx/dx^dx d^dy/dy^dy k(x_i, y_j)`` by pairwise lags.

        Parameters
        ----------
        x : array_like, shape (n,)
        y : array_like, shape (m,), optional
            Defaults to ``x``.
        dx, dy : int, optional
            Derivative orders in the first and second argument (``dx + dy <= max_order``).

        Returns
        -------
        ndarray, shape (n, m)
            ``(-1)^dy kappa^{(dx+dy)}(x_i - y_j)``.

        Examples
        --------
        >>> import numpy as np
        >>> from numkern.kron.kernels import SpectralMixture
        >>> k = SpectralMixture.initial(n_components=3, max_frequency=4.0)
        >>> x = np.linspace(0, 1, 4)
        >>> k(x).shape
        (4, 4)
        """
        x, y = self._pair(x, y)
        dx, dy = self._check_orders(dx, dy)
        sign = -1.0 if dy % 2 else 1.0
        out = np.empty((x.size, y.size))
        for rows in self._row_blocks(x.size, y.size):
            out[rows] = sign * self._lag_terms(x[rows, None] - y[None, :], dx + dy, with_grad=False)[0]
        return out

    @staticmethod
    def _row_blocks(n, m, budget=1 << 18):
        """Row slices with about ``budget`` lags each, bounding the temporaries of pairwise construction."""
        step = max(1, budget // max(1, m))
        return [slice(i, min(n, i + step)) for i in range(0, n, step)]

    def gradient(self, x, y=None, dx=0, dy=0):
        """Parameter gradient of :meth:`__call__`: shape ``(n_params, n, m)``."""
        x, y = self._pair(x, y)
        dx, dy = self._check_orders(dx, dy)
        sign = -1.0 if dy % 2 else 1.0
        out = np.empty((self.n_params, x.size, y.size))
        for rows in self._row_blocks(x.size, y.size):
            out[:, rows] = sign * self._lag_terms(x[rows, None] - y[None, :], dx + dy, with_grad=True)[1]
        return out

    def toeplitz(self, x, dx=0, dy=0, gradient=False):
        """Kernel (derivative) matrix on a uniform grid from its ``n`` distinct lags.

        ``k(x_i, x_j)`` depends on ``i - j`` only, so the matrix is Toeplitz: the lag function is evaluated at
        ``r = k h``, ``k = 0..n-1``, and reflected with the parity ``(-1)^(dx+dy)`` of the derivative.

        Parameters
        ----------
        x : array_like, shape (n,)
            Uniform grid (checked; a non-uniform grid raises ``ValueError``).
        dx, dy : int, optional
            Derivative orders in the first and second argument.
        gradient : bool, optional
            Also return the parameter gradient, shape ``(n_params, n, n)``.

        Returns
        -------
        K : ndarray, shape (n, n)
        dK : ndarray, shape (n_params, n, n)
            Only when ``gradient=True``.

        Examples
        --------
        >>> import numpy as np
        >>> from numkern.kron.kernels import Matern
        >>> x = np.linspace(0.0, 1.0, 50)
        >>> k = Matern(lengthscale=0.3, nu=2.5)
        >>> bool(np.allclose(k.toeplitz(x, dx=2), k(x, x, dx=2), atol=1e-12))
        True
        """
        x = _as_float_array("x", x)
        h = uniform_spacing(x)
        n = x.size
        dx, dy = self._check_orders(dx, dy)
        order = dx + dy
        lags = h * np.arange(n)
        vals, grads = self._lag_terms(lags, order, with_grad=gradient)
        sign = -1.0 if dy % 2 else 1.0
        parity = -1.0 if order % 2 else 1.0
        # first column: i - j = k >= 0 -> lag k h; first row: i - j = -k -> lag -k h = parity * value
        mat = _scipy_toeplitz(sign * vals, sign * parity * vals)
        if not gradient:
            return mat
        dmat = np.stack([_scipy_toeplitz(sign * g, sign * parity * g) for g in grads])
        return mat, dmat

    @staticmethod
    def _pair(x, y):
        x = _as_float_array("x", x)
        y = x if y is None else _as_float_array("y", y)
        if x.ndim != 1 or y.ndim != 1:
            raise ValueError("x and y must be 1-D arrays of points")
        return x, y

    def _lag_terms(self, r, order, with_grad):  # pragma: no cover - abstract
        raise NotImplementedError


class SpectralMixture(Kernel1D):
    """Spectral-mixture kernel ``sum_q w_q envelope_q(r) cos(2 pi mu_q r)`` (Gaussian or Matérn-5/2 envelope).

    Parameters
    ----------
    log_weights : array_like, shape (Q,)
        ``log w_q``.
    log_scales : array_like, shape (Q,)
        ``l_q``; the envelope scale is ``a_q = exp(l_q)``: ``exp(-a_q r^2)`` (Gaussian) or
        ``(1 + sqrt5 a_q |r| + 5/3 a_q^2 r^2) exp(-sqrt5 a_q |r|)`` (Matérn-5/2, "Student-t mixture").
    freqs : array_like, shape (Q,)
        ``mu_q`` (cycles per unit length).
    envelope : {"gaussian", "matern52"}, optional

    Notes
    -----
    ``theta = concatenate([log_weights, log_scales, freqs])``. Argument derivatives of any order for the
    Gaussian envelope; total order <= 4 for Matérn-5/2 (its fifth lag derivative jumps at 0).

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.kron.kernels import SpectralMixture
    >>> k = SpectralMixture([0.0], [0.0], [1.0])
    >>> float(k.lag(0.5))                        # exp(-0.25) cos(pi)
    -0.7788007830714049
    """

    def __init__(self, log_weights, log_scales, freqs, envelope="gaussian"):
        lw = _as_float_array("log_weights", log_weights).ravel()
        ls = _as_float_array("log_scales", log_scales).ravel()
        mu = _as_float_array("freqs", freqs).ravel()
        if not (lw.size == ls.size == mu.size) or lw.size == 0:
            raise ValueError("log_weights, log_scales and freqs must have the same non-zero length")
        if not isinstance(envelope, str):
            raise TypeError(f"envelope must be 'gaussian' or 'matern52', got {envelope!r} of type "
                            f"{type(envelope).__name__}")
        if envelope not in ("gaussian", "matern52"):
            raise ValueError(f"envelope must be 'gaussian' or 'matern52', got {envelope!r}")
        self.envelope = envelope
        self.n_components = lw.size
        self.max_order = 8 if envelope == "gaussian" else 4
        q = lw.size
        self.param_names = tuple(
            [f"log_weight_{i}" for i in range(q)] + [f"log_scale_{i}" for i in range(q)]
            + [f"freq_{i}" for i in range(q)]
        )
        super().__init__(np.concatenate([lw, ls, mu]))

    @classmethod
    def initial(cls, n_components=30, max_frequency=20.0, envelope="gaussian"):
        """GP-HM's initialisation: ``w_q = 1/Q``, ``l_q = 0``, ``mu_q = linspace(0, 1, Q) * max_frequency``.

        Examples
        --------
        >>> from numkern.kron.kernels import SpectralMixture
        >>> SpectralMixture.initial(4, 30.0).freqs.tolist()
        [0.0, 10.0, 20.0, 30.0]
        """
        q = check_integer(n_components, "n_components", min_value=1)
        max_frequency = check_real(max_frequency, "max_frequency")
        return cls(np.full(q, -math.log(q)), np.zeros(q), np.linspace(0.0, 1.0, q) * max_frequency, envelope)

    def _theta_limits(self):
        q = self.n_components
        return ([(-math.inf, _LOG_WEIGHT_MAX)] * q + [(-_LOG_SCALE_MAX, _LOG_SCALE_MAX)] * q + [None] * q)

    @property
    def log_weights(self):
        """``log w_q``, shape (Q,)."""
        return self._theta[: self.n_components].copy()

    @property
    def log_scales(self):
        """``l_q`` (envelope scale ``a_q = exp(l_q)``), shape (Q,)."""
        return self._theta[self.n_components : 2 * self.n_components].copy()

    @property
    def freqs(self):
        """``mu_q``, shape (Q,)."""
        return self._theta[2 * self.n_components :].copy()

    def _lag_terms(self, r, order, with_grad):
        # One component at a time so temporaries stay O(order * r.size), not O(Q * order * r.size).
        q = self.n_components
        value = np.zeros(r.shape)
        grad = np.empty((3 * q,) + r.shape) if with_grad else None
        for i in range(q):
            terms = self._component_terms(r, order, with_grad, self._theta[i], self._theta[q + i],
                                          self._theta[2 * q + i])
            value += terms[0]
            if with_grad:
                grad[i], grad[q + i], grad[2 * q + i] = terms
        return value, grad

    def _component_terms(self, r, order, with_grad, log_w, log_a, mu):
        """``w h^{(order)}(r)`` and (with_grad) its derivatives in ``log w``, ``l`` and ``mu``."""
        w, a, b = math.exp(log_w), math.exp(log_a), 2.0 * math.pi * mu
        if self.envelope == "gaussian":
            # g(r) = exp(-a r^2 + i b r): d/da g^{(m)} = -(r^2 g)^{(m)}, d/db g^{(m)} = i (r g)^{(m)} (Leibniz).
            top = order + 2 if with_grad else order
            gk = _gaussian_cos_derivatives(r, np.float64(a), np.float64(b), top)
            comp = w * gk[order].real
            if not with_grad:
                return (comp,)
            m = order
            d_a = -(r * r * gk[m])
            d_b = 1j * r * gk[m]
            if m >= 1:
                d_a -= 2.0 * m * r * gk[m - 1]
                d_b += 1j * m * gk[m - 1]
            if m >= 2:
                d_a -= m * (m - 1) * gk[m - 2]
            return comp, w * a * d_a.real, w * 2.0 * np.pi * d_b.real  # d/dl = a d/da
        # h(r) = e(r) e^{i b r}; h^{(m)} = sum_k C(m,k) e^{(k)} (i b)^{m-k} e^{i b r};
        # c d/dc e^{(k)} = k e^{(k)} + r e^{(k+1)} because e(r) = E(c r), and d/db h^{(m)} = i (r h)^{(m)}.
        c = _SQRT5 * a
        top = order + 1 if with_grad else order
        env = _matern_envelope_derivatives(r, np.float64(c), [1.0, 1.0, 1.0 / 3.0], top)
        phase = np.exp(1j * b * r)
        ib = 1j * b

        def h_deriv(m, env_terms):
            acc = np.zeros(r.shape, dtype=np.complex128)
            for k, cmk in enumerate(_binomial_row(m)):
                acc += cmk * env_terms[k] * ib ** (m - k)
            return acc * phase

        comp = w * h_deriv(order, env).real
        if not with_grad:
            return (comp,)
        env_c = [k * env[k] + r * env[k + 1] for k in range(order + 1)]
        grad_ls = w * h_deriv(order, env_c).real  # d/dl = c d/dc
        d_b = 1j * r * h_deriv(order, env)
        if order >= 1:
            d_b += 1j * order * h_deriv(order - 1, env)
        return comp, grad_ls, w * 2.0 * np.pi * d_b.real


class RBF(Kernel1D):
    """Squared-exponential kernel ``variance * exp(-r^2 / (2 lengthscale^2))``.

    ``theta = [log(lengthscale), log(variance)]``; argument derivatives of total order <= 8.

    Examples
    --------
    >>> from numkern.kron.kernels import RBF
    >>> float(RBF(lengthscale=1.0).lag(1.0))
    0.6065306597126334
    """

    param_names = ("log_lengthscale", "log_variance")

    def __init__(self, lengthscale=1.0, variance=1.0):
        lengthscale = _check_lengthscale(lengthscale)
        variance = _check_variance(variance)
        super().__init__([math.log(lengthscale), math.log(variance)])

    def _theta_limits(self):
        return [(math.log(_SCALE_MIN), _LOG_SCALE_MAX), None]

    def _lag_terms(self, r, order, with_grad):
        ell2 = math.exp(2.0 * self._theta[0])
        var = math.exp(self._theta[1])
        a = 0.5 / ell2
        top = order + 2 if with_grad else order
        gk = _gaussian_cos_derivatives(r, np.float64(a), np.float64(0.0), top)
        value = var * gk[order].real
        if not with_grad:
            return value, None
        m = order
        d_a = -(r * r * gk[m])
        if m >= 1:
            d_a = d_a - 2.0 * m * r * gk[m - 1]
        if m >= 2:
            d_a = d_a - m * (m - 1) * gk[m - 2]
        # a = exp(-2 log ell) / 2 -> d/dlog ell = -2 a d/da
        grad_ell = var * (-2.0 * a) * d_a.real
        return value, np.stack([grad_ell, value])


class Matern(Kernel1D):
    """Matérn kernel with ``nu`` in {0.5, 1.5, 2.5}: ``variance * E_nu(sqrt(2 nu) |r| / lengthscale)``.

    ``E_{1/2}(t) = e^{-t}``, ``E_{3/2}(t) = (1 + t) e^{-t}``, ``E_{5/2}(t) = (1 + t + t^2/3) e^{-t}``.
    ``theta = [log(lengthscale), log(variance)]``. Argument derivatives of total order up to 0, 2 and 4 for
    ``nu`` = 0.5, 1.5 and 2.5 (the next lag derivative is discontinuous at 0).

    Examples
    --------
    >>> from numkern.kron.kernels import Matern
    >>> float(Matern(lengthscale=1.0, nu=0.5).lag(1.0))
    0.36787944117144233
    """

    param_names = ("log_lengthscale", "log_variance")
    _POLYS = {0.5: [1.0], 1.5: [1.0, 1.0], 2.5: [1.0, 1.0, 1.0 / 3.0]}

    def __init__(self, lengthscale=1.0, variance=1.0, nu=2.5):
        if check_real(nu, "nu") not in self._POLYS:
            raise ValueError(f"nu must be 0.5, 1.5 or 2.5, got {nu!r}")
        lengthscale = _check_lengthscale(lengthscale)
        variance = _check_variance(variance)
        self.nu = float(nu)
        self.max_order = {0.5: 0, 1.5: 2, 2.5: 4}[self.nu]
        super().__init__([math.log(lengthscale), math.log(variance)])

    _theta_limits = RBF._theta_limits

    def _lag_terms(self, r, order, with_grad):
        c = math.sqrt(2.0 * self.nu) * math.exp(-self._theta[0])
        var = math.exp(self._theta[1])
        top = order + 1 if with_grad else order
        env = _matern_envelope_derivatives(r, np.float64(c), self._POLYS[self.nu], top)
        value = var * env[order]
        if not with_grad:
            return value, None
        # c = sqrt(2 nu) / ell -> d/dlog ell = -c d/dc = -(order e^{(order)} + r e^{(order+1)})
        grad_ell = -var * (order * env[order] + r * env[order + 1])
        return value, np.stack([grad_ell, value])


def differentiation_matrix(kernel, x, order=1, jitter=1e-6):
    """GP differentiation matrix ``D = K^{(order)} (K + jitter I)^{-1}`` on the points ``x``.

    For grid values ``u`` the GP conditional mean of ``d^order u / dx^order`` at the same points is ``D @ u``
    (GP-HM's ``D_j^{(m)}``; apply it along one grid axis with :func:`numkern.kron.apply_along`). ``K`` and
    ``K^{(order)} = d^order/dx^order k(x_i, x_j)`` are built from the lags (Toeplitz) on uniform grids;
    ``D`` is computed as ``(K + jitter I)^{-1} K^{(order)T}`` transposed, by Cholesky (no explicit inverse).

    Parameters
    ----------
    kernel : Kernel1D
    x : array_like, shape (n,)
        Points (uniform grids use the Toeplitz fast path).
    order : int, optional
        Derivative order (``<= kernel.max_order``).
    jitter : float, optional
        Nugget added to ``K``'s diagonal (default 1e-6, as in GP-HM).

    Returns
    -------
    D : ndarray, shape (n, n)

    Raises
    ------
    numpy.linalg.LinAlgError
        If ``K + jitter I`` is not numerically positive definite (increase ``jitter``).

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.kron.kernels import RBF, differentiation_matrix
    >>> x = np.linspace(0, 1, 40)
    >>> D = differentiation_matrix(RBF(0.2), x, order=1, jitter=1e-10)
    >>> bool(np.max(np.abs(D @ np.sin(3 * x) - 3 * np.cos(3 * x))[5:-5]) < 1e-4)
    True
    """
    if not isinstance(kernel, Kernel1D):
        raise TypeError(f"kernel must be a numkern.kron.kernels.Kernel1D (RBF, Matern, SpectralMixture), got "
                        f"{type(kernel).__name__}")
    x = _as_float_array("x", x)
    if x.ndim != 1 or x.size < 1:
        raise ValueError("x must be a non-empty 1-D array")
    jitter = check_real(jitter, "jitter", nonnegative=True)
    try:
        uniform_spacing(x)
        uniform = True
    except ValueError:
        uniform = False
    k0 = kernel.toeplitz(x) if uniform else kernel(x)
    km = kernel.toeplitz(x, dx=order) if uniform else kernel(x, x, dx=order)
    try:
        factor = _sla.cho_factor(k0 + jitter * np.eye(x.size), lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        raise np.linalg.LinAlgError(
            f"K + {jitter:g} I is not positive definite on these points; increase jitter"
        ) from None
    return _sla.cho_solve(factor, km.T, check_finite=False).T
