"""Parameters of the GP-HM solver: argument checks, the initial kernel parameters, the flat kernel-parameter vector
theta (per axis [log w (Q), l (Q), mu (Q)]), the fixed-amplitude map and its chain rule, the L-BFGS-B box, the
initial frequencies from the source term's spectrum, and the learned spectrum."""

from __future__ import annotations

import warnings

import numpy as np

from numkern._validation import as_numeric_array, check_real

from ._algebra import unfold
from ._defaults import default_max_frequency
from ._precond import is_kronecker_sum


def _per_axis(value, dim, name, check):
    """A scalar or one value per axis, each passed through ``check(v, name)``; a tuple of ``dim`` values."""
    values = np.asarray(value, dtype=object)
    if values.ndim > 1 or (values.ndim == 1 and values.size != dim):
        raise ValueError(f"{name} must be a number or one per axis ({dim}), got {value!r}")
    items = [values[()]] * dim if values.ndim == 0 else list(values)
    return tuple(check(v, f"{name}[{j}]" if values.ndim else name) for j, v in enumerate(items))


def _choice(value, name, options):
    """``value`` if it is one of the string ``options``; TypeError for non-strings (arrays, None), else ValueError."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {options}, got {value!r} of type {type(value).__name__}")
    if value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def _points(value, name):
    """Evaluation points: a real float array with finite entries (TypeError/ValueError naming ``name``)."""
    pts = as_numeric_array(value, name, allow_complex=False, dtype=float)
    if not np.all(np.isfinite(pts)):
        raise ValueError(f"{name} must be finite (found NaN or inf)")
    return pts


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r} of type {type(value).__name__}")
    return bool(value)


def resolve_preconditioner(preconditioner, dim, terms):
    """The ``preconditioner`` argument checked, with ``"auto"`` resolved: the collocation preconditioner where it
    applies (2-D and 3-D operators whose terms each differentiate along one axis at most), else Jacobi."""
    _choice(preconditioner, "preconditioner", ("auto", "collocation", "jacobi"))
    kron_sum = is_kronecker_sum(dim, terms)
    if preconditioner == "collocation" and not kron_sum:
        raise ValueError(
            "preconditioner='collocation' needs a 2-D or 3-D PDE whose terms each differentiate along one axis "
            "at most"
        )
    if preconditioner == "auto":
        preconditioner = "collocation" if kron_sum else "jacobi"
    return preconditioner


def check_tau(tau):
    """The (tau_1, tau_2) pair as a float array; default (1e6, 1e6)."""
    if tau is None:
        # the objective's data/prior balance is invariant to rescaling u, so absolute taus are meaningful;
        # 1e6 (a strong pull towards the data, i.e. near-collocation) was best on the V1-V4 benchmarks
        tau = (1e6, 1e6)
    tau = as_numeric_array(tau, "tau", allow_complex=False, dtype=float)
    if tau.shape != (2,) or not np.all(np.isfinite(tau) & (tau > 0)):
        raise ValueError(f"tau must be a pair of positive finite numbers, got {tau!r}")
    return tau


def initial_params(domain, n_points, Q, max_frequency, init, source_grid, boundary_grid):
    """Sampling rates (n - 1) / length per axis and the initial per-axis [log w, l, mu]: weights 1/Q, unit
    log-scales 0, frequencies linspace(0, F_j, Q) with F_j = ``max_frequency`` (default: twice the highest frequency
    of the data along the axis, at most a third of the rate; :func:`numkern.pde._defaults.default_max_frequency`),
    with ``init="fft"`` moved onto the source's spectral peaks (:func:`fft_frequencies`). ``boundary_grid``: the
    Dirichlet data on the grid's faces (anything inside)."""
    dim = len(domain)
    rates = [(n - 1) / (hi - lo) for (lo, hi), n in zip(domain, n_points)]
    if max_frequency is None:
        tops = default_max_frequency(source_grid, boundary_grid, rates)
    else:
        tops = _per_axis(max_frequency, dim, "max_frequency",
                         lambda v, name: check_real(v, name, positive=True))
        for j, (top, r) in enumerate(zip(tops, rates)):
            if r / top < 3.0:
                warnings.warn(
                    f"axis {j}: grid has {r / top:.2f} < 3 points per period of the initial top frequency "
                    f"{top:g}; the solution will be under-resolved (aliasing)",
                    RuntimeWarning,
                    stacklevel=3,  # the caller of GPHMSolver(...)
                )
    params = []
    for j in range(dim):
        mu = np.linspace(0.0, tops[j], Q)
        if init == "fft" and Q >= 2:
            mu = fft_frequencies(unfold(source_grid, j), mu, rates[j])
        params.append([np.full(Q, -np.log(Q)), np.zeros(Q), mu])
    return rates, params


def flat_theta(params):
    """The flat theta of per-axis [log w, l, mu] lists (the inverse of :func:`split_theta`)."""
    return np.concatenate([np.concatenate(p) for p in params])


def split_theta(theta, Q, dim):
    """Per axis [log-weights, log-scales, frequencies] as views of the flat ``theta``."""
    return [
        [theta[3 * Q * j : 3 * Q * j + Q], theta[3 * Q * j + Q : 3 * Q * j + 2 * Q], theta[3 * Q * j + 2 * Q : 3 * Q * (j + 1)]]
        for j in range(dim)
    ]


def amplitude_fixed(theta, Q, dim):
    """theta with each axis's log-weights shifted so that sum_q w_q = 1."""
    theta = np.array(theta, dtype=float)
    for j in range(dim):
        lw = theta[3 * Q * j : 3 * Q * j + Q]
        top = lw.max()
        lw -= top + np.log(np.sum(np.exp(lw - top)))
    return theta


def amplitude_fixed_gradient(theta, g, Q, dim):
    """Chain rule through :func:`amplitude_fixed` at its output theta: dJ/dlw_q = g_q - w_q sum_r g_r."""
    g = np.array(g, dtype=float)
    for j in range(dim):
        sl = slice(3 * Q * j, 3 * Q * j + Q)
        g[sl] -= np.exp(theta[sl]) * np.sum(g[sl])
    return g


def lbfgs_bounds(rates, Q, learn_tau, x):
    """Box for L-BFGS-B: frequencies in [0, rate / 3] (3 points per period; nearer the Nyquist frequency the
    objective prefers aliased kernels that fit the grid but not the solution), sane log-scales and weights; widened
    to contain the current point ``x``."""
    bounds = []
    for rate in rates:
        bounds += [(-40.0, 20.0)] * Q
        bounds += [(-20.0, 2.0 * np.log(rate) + 2.0)] * Q
        bounds += [(0.0, rate / 3.0)] * Q
    if learn_tau:
        bounds += [(-20.0, 40.0)] * 2
    return [(min(lo, v), max(hi, v)) for (lo, hi), v in zip(bounds, x)]


def fft_frequencies(f, mu, rate):
    """Move the uniform components ``mu`` nearest to the strongest peaks of the spectrum of ``f`` (the source term
    unfolded along one axis, shape (n, rest)) onto those peaks; ``rate`` is the axis's sampling rate."""
    n = f.shape[0]
    if not np.any(f):
        return mu
    power = np.mean(np.abs(np.fft.rfft(f - f.mean(axis=0), axis=0)) ** 2, axis=1)
    interior = (power[1:-1] > power[:-2]) & (power[1:-1] >= power[2:])
    peaks = np.nonzero(interior)[0] + 1
    peaks = peaks[power[peaks] > 1e-3 * power.max()]
    peaks = peaks[np.argsort(power[peaks])[::-1]][: max(1, len(mu) // 3)]
    mu = mu.copy()
    taken = np.zeros(len(mu), dtype=bool)
    taken[0] = True  # keep the zero-frequency component
    for p in peaks:
        # refine the peak by a parabola through the three bins (log power)
        lp = np.log(power[p - 1 : p + 2] + 1e-300)
        denom = lp[0] - 2 * lp[1] + lp[2]
        shift = 0.5 * (lp[0] - lp[2]) / denom if denom < 0 else 0.0
        peak = (p + np.clip(shift, -0.5, 0.5)) * rate / n
        free = np.nonzero(~taken)[0]
        if free.size == 0:
            break
        q = free[np.argmin(np.abs(mu[free] - peak))]
        mu[q] = peak
        taken[q] = True
    return mu


def spectrum(params):
    """Per axis a dict with ``weights``, ``frequencies``, ``scales``, sorted by frequency."""
    out = []
    for logw, l, mu in params:
        order = np.argsort(mu)
        out.append({"weights": np.exp(logw[order]), "frequencies": mu[order], "scales": np.exp(l[order])})
    return out
