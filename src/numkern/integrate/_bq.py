"""Bayesian quadrature with half-integer Matern and Wiener priors, solved in O(N) in state-space form.

The dense formulation (weights w = K^-1 z, variance = int int k - z.K^-1 z) is hopeless for smooth kernels:
cond(K) grows like N^(2 nu + 1).  Half-integer Matern kernels are Markov in the state (f, f', ..., f^(p)), so
numkern augments that state with the running integral and runs an exact Kalman filter over the nodes; the
weights come from the adjoint of the (linear) mean recursion, the variance from the covariance recursion, the
marginal likelihood from the innovations.  See ``cpp/include/numkern/integrate/bayes_quad.hpp``.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass

import numpy as np
from scipy.special import gammainc

from numkern._validation import as_numeric_array, check_real

from .. import _integrate
from ._rules import _norm_axis, _numeric, _reduce

_MAX_ORDER = 10  # nu up to 21/2
_KERNEL_RE = re.compile(r"^matern(\d+)2$")


def _parse_kernel(kernel) -> tuple[int, int]:
    """(kind, p): kind 0 = Matern nu = p + 1/2, kind 1 = Wiener."""
    if not isinstance(kernel, str):
        raise TypeError(f"kernel: expected a string such as 'matern52' or 'wiener', got {type(kernel).__name__}")
    name = kernel.lower().replace("_", "").replace("/", "")
    if name in ("wiener", "brownian"):
        return 1, 0
    m = _KERNEL_RE.match(name)
    if m:
        twice_nu = int(m.group(1))
        if twice_nu % 2 == 1 and (twice_nu - 1) // 2 <= _MAX_ORDER:
            return 0, (twice_nu - 1) // 2
    raise ValueError(f"kernel: unknown kernel {kernel!r}; expected 'wiener' or a half-integer Matern "
                     f"'matern12', 'matern32', 'matern52', 'matern72', ... up to 'matern212'")


def _check_lengthscale(lengthscale, kind: int) -> float:
    """A positive finite real lengthscale (Matern); the Wiener kernel ignores it, but it must still be a number."""
    if kind == 1:
        if lengthscale is not None and (isinstance(lengthscale, (bool, np.bool_))
                                        or not isinstance(lengthscale, numbers.Real)):
            raise TypeError(f"lengthscale must be a real number or None, got {lengthscale!r} of type "
                            f"{type(lengthscale).__name__}")
        return float("nan")
    return check_real(lengthscale, "lengthscale", positive=True)


def _real_array(x, name: str) -> np.ndarray:
    """x as a float64 array; strings, bool and complex values raise TypeError naming the argument."""
    return as_numeric_array(x, name, allow_complex=False, dtype=np.float64)


def _check_nodes(x) -> np.ndarray:
    x = _real_array(x, "x")
    if x.ndim != 1:
        raise ValueError(f"x: Bayesian quadrature needs 1-D nodes, got shape {x.shape}")
    if x.size < 2:
        raise ValueError(f"x: need at least 2 nodes, got {x.size}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x: nodes must be finite (found NaN or inf)")
    if np.any(np.diff(x) <= 0):
        raise ValueError("x: nodes must be strictly increasing")
    return np.ascontiguousarray(x)


def _check_bounds(bounds, x: np.ndarray) -> tuple[float, float]:
    if bounds is None:
        return float(x[0]), float(x[-1])
    if isinstance(bounds, (str, bytes)) or not hasattr(bounds, "__len__") and not hasattr(bounds, "__iter__"):
        raise TypeError(f"bounds must be a pair (a, b) of real numbers, got {bounds!r}")
    bounds = tuple(bounds)
    if len(bounds) != 2:
        raise ValueError(f"bounds: expected a pair (a, b), got {bounds!r}")
    a, b = (check_real(v, f"bounds[{k}]") for k, v in enumerate(bounds))
    if a > x[0] or b < x[-1]:
        raise ValueError(f"bounds: need finite a <= x[0] and b >= x[-1], got ({a}, {b})")
    return a, b


def _default_lengthscale(a: float, b: float) -> float:
    return 0.5 * (b - a)


def _matern_coeffs(p: int) -> np.ndarray:
    """a_j of k(r) = exp(-c r) sum_j a_j (c r)^j (half-integer Matern, nu = p + 1/2)."""
    f = math.factorial
    return np.array([f(p) * f(2 * p - j) * 2**j / (f(2 * p) * f(p - j) * f(j)) for j in range(p + 1)])


def _lower_gamma(n: int, t):
    """gamma(n, t) (unregularised lower incomplete gamma) for integer n >= 1."""
    return math.factorial(n - 1) * gammainc(n, t)


def kernel_mean(x, a, b, kernel="matern52", lengthscale=1.0):
    r"""Closed-form kernel mean :math:`z(x) = \int_a^b k(t, x)\,dt` (Lebesgue measure on [a, b]).

    Parameters
    ----------
    x : array_like
        Points (any shape).
    a, b : float
        Integration bounds, ``a < b``.
    kernel : str, optional
        ``'matern12'``, ``'matern32'``, ``'matern52'``, ``'matern72'``, ... or ``'wiener'``
        (:math:`k(s, t) = 1 + \min(s - a, t - a)`).
    lengthscale : float, optional
        Matern lengthscale :math:`\ell` (ignored by the Wiener kernel).

    Returns
    -------
    ndarray
        :math:`z(x)`; for Matern, :math:`z = [G(c u) + G(c v)]/c` with :math:`u = x - a`, :math:`v = b - x`,
        :math:`c = \sqrt{2\nu}/\ell` and :math:`G(D) = \mathrm{sign}(D) \sum_j a_j \gamma(j+1, |D|)`.

    Examples
    --------
    >>> from numkern.integrate import kernel_mean
    >>> round(float(kernel_mean(0.5, 0.0, 1.0, "matern12", 1.0)), 6)   # 2 - 2 exp(-1/2)
    0.786939
    """
    kind, p = _parse_kernel(kernel)
    x = _real_array(x, "x")
    # Matern: any real bounds, a > b with quad's sign convention, and infinite bounds (k is integrable over R).
    a = check_real(a, "a", finite=kind == 1)
    b = check_real(b, "b", finite=kind == 1)
    if kind == 1:
        _check_wiener_order(a, b)
        u = x - a
        return (b - a) + u * (b - a) - 0.5 * u * u
    ell = _check_lengthscale(lengthscale, kind)
    c = math.sqrt(2 * p + 1) / ell
    coef = _matern_coeffs(p)

    def G(t):
        # sign(t) G(|t|): the odd antiderivative of k, so nodes outside [a, b] are handled too.
        return np.sign(t) * sum(coef[j] * _lower_gamma(j + 1, np.abs(t)) for j in range(p + 1))

    if math.isinf(c):
        # lengthscale below sqrt(2 nu) / DBL_MAX (a subnormal): c overflows and c * 0 at a node on a bound is
        # NaN. Scaled by lengthscale instead: z = (lengthscale / sqrt(2 nu)) [G(c u) + G(c v)], which is 0 up to
        # underflow (the kernel's mass is O(lengthscale)).
        s = math.sqrt(2 * p + 1)
        with np.errstate(over="ignore"):  # (x - a) / lengthscale = inf is the intended limit
            return (G(s * ((x - a) / ell)) + G(s * ((b - x) / ell))) * (ell / s)
    return (G(c * (x - a)) + G(c * (b - x))) / c


def kernel_integral(a, b, kernel="matern52", lengthscale=1.0) -> float:
    r"""Closed-form :math:`\int_a^b\int_a^b k(s, t)\,ds\,dt` (the prior variance of the integral, scale 1).

    Parameters
    ----------
    a, b : float
        Integration bounds.
    kernel : str, optional
        Kernel name as in :func:`kernel_mean`.
    lengthscale : float, optional
        Matern lengthscale.

    Returns
    -------
    float
        :math:`(2/c^2) \sum_j a_j [D\gamma(j+1, D) - \gamma(j+2, D)]`, :math:`D = c(b-a)`, for Matern;
        :math:`L^2 + L^3/3` (:math:`L = b - a`) for Wiener.

    Examples
    --------
    >>> from numkern.integrate import kernel_integral
    >>> round(kernel_integral(0.0, 1.0, "wiener"), 6)
    1.333333
    """
    kind, p = _parse_kernel(kernel)
    # The double integral of a stationary kernel over an infinite square diverges: finite bounds only.
    a = check_real(a, "a")
    b = check_real(b, "b")
    L = b - a
    if kind == 1:
        _check_wiener_order(a, b)
        return L * L + L**3 / 3.0
    ell = _check_lengthscale(lengthscale, kind)
    # a > b: both integrals change sign (quad's convention), so the double integral is that over [b, a].
    L = abs(L)
    c = math.sqrt(2 * p + 1) / ell
    D = c * L
    coef = _matern_coeffs(p)
    if D <= 1e-100:
        # lengthscale >> b - a: k = 1 - (c r if nu = 1/2) + O((c r)^2) on the square, 2/c^2 would underflow.
        return L * L * (1.0 - D / 3.0) if p == 0 else L * L
    if D >= 1e100:
        # lengthscale << b - a: gamma(j + 1, D) = j!, and D * gamma(...) may overflow; same formula regrouped.
        s1 = sum(coef[j] * _lower_gamma(j + 1, D) for j in range(p + 1))
        s2 = sum(coef[j] * _lower_gamma(j + 2, D) for j in range(p + 1))
        return float(2.0 * L / c * s1 - 2.0 / c * (s2 / c))
    total = sum(coef[j] * (D * _lower_gamma(j + 1, D) - _lower_gamma(j + 2, D)) for j in range(p + 1))
    if 1e-150 < c < 1e150:
        return float(2.0 / c**2 * total)
    return float(2.0 / c * (total / c))  # c**2 would overflow or underflow


def _check_wiener_order(a: float, b: float) -> None:
    # k(s, t) = 1 + min(s - a, t - a) is a covariance only for s, t >= a: no reversed interval for Wiener.
    if a > b:
        raise ValueError(f"a, b: the Wiener kernel needs a <= b, got a={a!r} > b={b!r}")


@dataclass(frozen=True)
class BQRule:
    """Bayesian-quadrature weights for fixed nodes, reusable across any number of integrands.

    Attributes
    ----------
    nodes : ndarray
        The nodes ``x``.
    weights : ndarray
        BQ weights: the posterior mean of the integral is ``weights @ y``.
    variance : float
        Posterior variance of the integral for the output scale ``scale`` (independent of ``y``).
    kernel : str
        Kernel name.
    lengthscale : float
        Lengthscale (nan for the Wiener kernel).
    scale : float
        Output scale (prior covariance is ``scale * k``).
    bounds : tuple of float
        Integration interval ``(a, b)``.
    """

    nodes: np.ndarray
    weights: np.ndarray
    variance: float
    kernel: str
    lengthscale: float
    scale: float
    bounds: tuple

    @property
    def std(self) -> float:
        """Posterior standard deviation of the integral."""
        return math.sqrt(self.variance)

    def __call__(self, y, axis=-1, *, n_threads=None):
        """Posterior mean of the integral of ``y`` sampled at the nodes along ``axis`` (one fused pass)."""
        y = _numeric(y, "y", allow_bool=True)
        if y.ndim == 0:
            raise ValueError("y: need at least one dimension to integrate along")
        axis = _norm_axis(axis, y.ndim)
        if y.shape[axis] != self.weights.size:
            raise ValueError(f"y: length {y.shape[axis]} along axis does not match the {self.weights.size} nodes")
        if y.dtype.kind == "c":  # the weights are real: the integral of a complex integrand is complex
            dtype = np.result_type(y.dtype, np.complex64)
        else:
            dtype = y.dtype if y.dtype.kind == "f" and y.dtype.itemsize in (4, 8) else np.dtype(np.float64)
        return _reduce(y, self.weights, axis, dtype, n_threads)


_PRIORS = (_integrate.Prior.matern, _integrate.Prior.wiener)  # by the kind of _parse_kernel


def _solve(x, kind, p, ell, a, b, Y=None):
    return _integrate.bq_solve(x, _PRIORS[kind], p, ell if kind == 0 else 1.0, a, b, Y)


def bq_weights(x, kernel="matern52", lengthscale=None, *, scale=1.0, bounds=None) -> BQRule:
    r"""Bayesian-quadrature weights and posterior variance for fixed nodes, in O(N).

    The prior is :math:`f \sim \mathcal{GP}(0, s\,k)` with :math:`s` = ``scale``; the weights
    :math:`w = K^{-1} z` and the variance :math:`s(\int\int k - z^\top K^{-1} z)` are computed exactly through
    the state-space (SDE) form of the kernel with the running integral in the state (Kalman filter plus an
    adjoint pass), never by factorising the Gram matrix ``K``, so they stay accurate when ``K`` is numerically
    singular (thousands of nodes, :math:`\nu = 7/2`).

    Parameters
    ----------
    x : array_like
        Strictly increasing 1-D nodes (at least 2).
    kernel : str, optional
        ``'matern12'``, ``'matern32'``, ``'matern52'`` (default), ``'matern72'``, any half-integer up to
        ``'matern212'``, or ``'wiener'`` (:math:`k(s,t) = 1 + \min(s-a, t-a)`, whose BQ weights are exactly the
        trapezoid weights).
    lengthscale : float, optional
        Matern lengthscale :math:`\ell` (:math:`k(r) = k_\nu(\sqrt{2\nu} r/\ell)`); default: half the
        integration range, ``(b - a) / 2``.  Ignored by the Wiener kernel.
    scale : float, optional
        Output scale :math:`s` of the prior (multiplies the variance only). Default 1.
    bounds : tuple of float, optional
        Integration interval ``(a, b)`` with ``a <= x[0]`` and ``b >= x[-1]``; default ``(x[0], x[-1])``.

    Returns
    -------
    BQRule
        ``weights``, ``variance`` (and ``std``), callable on data: ``rule(y, axis=...)``.

    See Also
    --------
    bayes_quad

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.integrate import bq_weights
    >>> x = np.linspace(0, 1, 2001)
    >>> rule = bq_weights(x, kernel="matern72", lengthscale=0.3)
    >>> round(float(rule(np.exp(x))), 12) == round(np.e - 1, 12)
    True
    """
    kind, p = _parse_kernel(kernel)
    x = _check_nodes(x)
    a, b = _check_bounds(bounds, x)
    if lengthscale is None and kind == 0:
        lengthscale = _default_lengthscale(a, b)
    ell = _check_lengthscale(lengthscale, kind)
    scale = check_real(scale, "scale", positive=True)
    w, var, _, _ = _solve(x, kind, p, ell, a, b)
    return BQRule(x, w, scale * var, kernel, ell, scale, (a, b))


@dataclass(frozen=True)
class BayesQuadResult:
    """Result of :func:`bayes_quad`.

    Attributes
    ----------
    integral : ndarray or float
        Posterior mean of the integral (``y``'s shape without ``axis``).
    variance : ndarray or float
        Posterior variance (per integrand when the output scale is fitted).
    weights : ndarray
        BQ weights along ``axis``.
    kernel : str
        Kernel name.
    lengthscale : float
        Lengthscale used (fitted if ``lengthscale='mle'``).
    scale : ndarray or float
        Output scale used (fitted per integrand if ``scale='mle'``).
    log_marginal_likelihood : ndarray or float
        Log evidence of each integrand's samples under the prior used.
    """

    integral: object
    variance: object
    weights: np.ndarray
    kernel: str
    lengthscale: float
    scale: object
    log_marginal_likelihood: object

    @property
    def std(self):
        """Posterior standard deviation of the integral."""
        return np.sqrt(self.variance)


def _profile_loglik(quad, logdet, n, scale):
    """Log marginal likelihood per row; scale None means the per-row MLE scale quad / n."""
    s = quad / n if scale is None else np.full_like(quad, scale)
    s = np.maximum(s, np.finfo(float).tiny)
    return -0.5 * (quad / s + logdet + n * np.log(s) + n * math.log(2 * math.pi)), s


def bayes_quad(y, x=None, *, dx=1.0, axis=-1, kernel="matern52", lengthscale=None, scale=1.0, bounds=None,
               n_threads=None) -> BayesQuadResult:
    r"""Bayesian quadrature of sampled data: posterior mean and variance of the integral.

    Integrates ``y`` (samples of f at the nodes ``x`` along ``axis``) under the Gaussian-process prior
    :math:`f \sim \mathcal{GP}(0, s\,k)`.  The weights, variance and marginal likelihood are computed in
    O(N) through the exact state-space form of the kernel (see :func:`bq_weights`); the integrals are one
    fused pass over ``y``.

    Parameters
    ----------
    y : array_like
        Samples; any shape, integrated along ``axis``. Must be finite.
    x : array_like, optional
        Strictly increasing 1-D nodes of length ``y.shape[axis]``; default ``dx * arange(N)``.
    dx : float, optional
        Node spacing when ``x`` is None.
    axis : int, optional
        Axis along which to integrate. Default -1.
    kernel : str, optional
        Kernel name (default ``'matern52'``), see :func:`bq_weights`.
    lengthscale : float or 'mle', optional
        Matern lengthscale; default half the integration range.  ``'mle'`` maximises the marginal likelihood
        (summed over all integrands in the batch, with the output scale profiled out unless ``scale`` is a
        number) over :math:`\ell \in [h_{min}/2, 20(b-a)]`.
    scale : float or 'mle', optional
        Output scale :math:`s` (default 1). ``'mle'`` uses each integrand's maximum-likelihood scale
        :math:`\hat s = \frac1N \sum_k v_k^2/S_k` (innovations of the Kalman filter).
    bounds : tuple of float, optional
        Integration interval ``(a, b)``, default ``(x[0], x[-1])``.
    n_threads : int, optional
        OpenMP threads for the pass over ``y``.

    Returns
    -------
    BayesQuadResult
        ``integral``, ``variance``, ``std``, ``weights``, the hyperparameters used and the log marginal
        likelihood.

    Notes
    -----
    The likelihood needs one O(N) filter pass per integrand (threaded over integrands); for very large
    batches with fixed hyperparameters, :func:`bq_weights` followed by ``rule(y)`` is a single memory-speed
    pass.

    See Also
    --------
    bq_weights, trapezoid, simpson

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.integrate import bayes_quad
    >>> x = np.linspace(0, 1, 21)
    >>> res = bayes_quad(np.exp(x), x, kernel="matern52", lengthscale=0.5, scale="mle")
    >>> bool(abs(res.integral - (np.e - 1)) < 3 * res.std)
    True
    """
    y = np.asarray(y)
    if y.ndim == 0:
        raise ValueError("y: need at least one dimension to integrate along")
    axis = _norm_axis(axis, y.ndim)
    n = y.shape[axis]
    if y.dtype.kind not in "fiub":
        raise TypeError(f"y: unsupported dtype {y.dtype} (real floating point expected)")
    if not np.all(np.isfinite(y)):
        raise ValueError("y: samples must be finite (found NaN or inf)")
    kind, p = _parse_kernel(kernel)
    if x is None:
        dx = check_real(dx, "dx", positive=True)
        x = dx * np.arange(n, dtype=np.float64)
    x = _check_nodes(x)
    if x.size != n:
        raise ValueError(f"x: length {x.size} does not match y.shape[axis] = {n}")
    a, b = _check_bounds(bounds, x)
    fit_scale = isinstance(scale, str)
    if fit_scale and scale != "mle":
        raise ValueError(f"scale: expected a positive number or 'mle', got {scale!r}")
    if not fit_scale:
        scale = check_real(scale, "scale", positive=True)
    rows = np.ascontiguousarray(np.moveaxis(y, axis, -1).reshape(-1, n), dtype=np.float64)
    batch_shape = y.shape[:axis] + y.shape[axis + 1:]

    if isinstance(lengthscale, str):
        if lengthscale != "mle":
            raise ValueError(f"lengthscale: expected a positive number, None or 'mle', got {lengthscale!r}")
        if kind == 1:
            raise ValueError("lengthscale: the Wiener kernel has no lengthscale to fit")
        ell = _fit_lengthscale(x, p, a, b, rows, None if fit_scale else scale)
    elif lengthscale is None:
        ell = _default_lengthscale(a, b) if kind == 0 else float("nan")
    else:
        ell = _check_lengthscale(lengthscale, kind)

    w, var1, logdet, quad = _solve(x, kind, p, ell, a, b, rows)
    loglik, s = _profile_loglik(quad, logdet, n, None if fit_scale else scale)
    out_dtype = y.dtype if y.dtype.kind == "f" and y.dtype.itemsize in (4, 8) else np.dtype(np.float64)
    integral = _reduce(y, w, axis, out_dtype, n_threads)
    if fit_scale:
        scale_out = s.reshape(batch_shape)[()]
        variance = (s * var1).reshape(batch_shape)[()]
    else:
        scale_out = scale
        variance = scale * var1
    return BayesQuadResult(integral, variance, w, kernel, ell, scale_out, loglik.reshape(batch_shape)[()])


def _fit_lengthscale(x, p, a, b, rows, scale):
    """Maximise the summed log marginal likelihood over log(lengthscale) (bounded 1-D search)."""
    from scipy.optimize import minimize_scalar

    n = x.size
    lo = 0.5 * float(np.min(np.diff(x)))
    hi = 20.0 * (b - a)

    def negll(log_ell):
        try:
            _, _, logdet, quad = _solve(x, 0, p, math.exp(log_ell), a, b, rows)
        except ValueError:
            return np.inf
        ll, _ = _profile_loglik(quad, logdet, n, scale)
        val = -float(np.sum(ll))
        return val if np.isfinite(val) else np.inf

    grid = np.linspace(math.log(lo), math.log(hi), 25)
    vals = [negll(g) for g in grid]
    k = int(np.argmin(vals))
    left, right = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    if right <= left:
        return math.exp(grid[k])
    res = minimize_scalar(negll, bounds=(left, right), method="bounded", options={"xatol": 1e-4})
    best = res.x if res.fun <= vals[k] else grid[k]
    return math.exp(best)
