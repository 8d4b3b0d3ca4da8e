"""Exact GP regression on a full tensor grid with a product kernel and spherical noise (Kronecker eigenbasis)."""

from __future__ import annotations

import copy
import math

import numpy as np
from scipy.optimize import minimize

from numkern._validation import (as_numeric_array, check_integer, check_real, check_verbose, not_fitted_error,
                                 warn_not_converged)

from ._operator import KroneckerEigh, KroneckerOperator, _sequence_of_arrays, apply_along
from .kernels import Kernel1D, uniform_spacing

__all__ = ["GridGP"]

_LOG_2PI = math.log(2.0 * math.pi)


def _real(value, name):
    return as_numeric_array(value, name, allow_complex=False, dtype=np.float64)


def _factor_matrix(kernel, grid, gradient):
    """``k(grid, grid)`` (and its parameter gradient), Toeplitz from the lags when the grid is uniform."""
    try:
        uniform_spacing(grid)
        uniform = True
    except ValueError:
        uniform = False
    if uniform:
        return kernel.toeplitz(grid, gradient=gradient) if gradient else (kernel.toeplitz(grid), None)
    mat = kernel(grid)
    return (mat, kernel.gradient(grid)) if gradient else (mat, None)


def _contract_points(tensor, point_factors):
    """``out[p] = Σ_i tensor[i_1, ..., i_d] Π_j F_j[p, i_j]`` for per-axis point factors ``F_j`` (P, n_j)."""
    d = len(point_factors)
    t = np.tensordot(tensor, point_factors[-1], axes=([d - 1], [1]))  # (n_1, ..., n_{d-1}, P)
    for j in range(d - 2, -1, -1):
        t = np.einsum("...ip,pi->...p", t, point_factors[j])
    return t


class GridGP:
    """Gaussian-process regression on a full tensor grid: ``y = f + eps``, ``f ~ GP(0, Π_j k_j)``, ``eps ~ N(0, s I)``.

    With observations on the grid ``X_1 × ... × X_d`` the covariance is ``K + s I`` with ``K = ⊗_j K_j``; the
    marginal likelihood, its gradient, and the posterior use the per-factor eigendecompositions
    (:class:`KroneckerEigh`, Saatci 2012): ``O(Σ n_j^3 + N Σ n_j)`` time and ``O(N)`` memory for ``N = Π n_j``
    observations.

    Parameters
    ----------
    kernels : sequence of :class:`numkern.kron.kernels.Kernel1D`
        One 1-D kernel per grid axis (the product kernel). Their parameters are the initial values.
    noise : float, optional
        Initial noise variance ``s`` (> 0).
    optimize : bool, optional
        Maximise the log marginal likelihood over all kernel parameters (and the noise) in :meth:`fit`
        with L-BFGS-B and analytic gradients (default True).
    fit_noise : bool, optional
        Include ``log s`` in the optimisation (default True).
    noise_bounds : (float, float), optional
        Bounds for ``s`` during optimisation.
    max_iter : int, optional
        L-BFGS-B iteration limit. A fit stopped by it warns with ``sklearn.exceptions.ConvergenceWarning``
        (:class:`numkern._validation.ConvergenceWarning` without scikit-learn).
    normalize_y : bool, optional
        Subtract the mean and divide by the standard deviation of ``y`` before fitting (undone in predictions).
    n_threads : int, optional
        Threads for the Kronecker products.
    verbose : int or bool, optional
        0 (default) prints nothing; >= 1 prints to stdout one line per L-BFGS-B iteration of :meth:`fit`
        (e.g. ``Iteration 3: log marginal likelihood -12.345``, of the normalised ``y`` with ``normalize_y``)
        and a final line with the optimiser's message.

    Attributes
    ----------
    kernels_ : list of Kernel1D
        Fitted kernels.
    noise_ : float
        Fitted noise variance.
    theta_ : ndarray
        Fitted parameter vector: the kernels' ``theta`` concatenated, then ``log(noise)``.
    log_marginal_likelihood_value_ : float
    alpha_ : ndarray, shape grid_shape
        ``(K + s I)^{-1} y``.
    optimize_result_ : scipy.optimize.OptimizeResult or None

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.kron import GridGP
    >>> from numkern.kron.kernels import RBF
    >>> g1, g2 = np.linspace(0, 1, 20), np.linspace(0, 2, 25)
    >>> Y = np.sin(3 * g1)[:, None] * np.cos(2 * g2)[None, :]
    >>> gp = GridGP([RBF(0.3), RBF(0.5)], noise=1e-4).fit([g1, g2], Y)
    >>> mean, std = gp.predict(np.array([[0.5, 1.0]]), return_std=True)
    >>> bool(abs(mean[0] - np.sin(1.5) * np.cos(2.0)) < 1e-3)
    True
    """

    def __init__(self, kernels, noise=1e-2, *, optimize=True, fit_noise=True, noise_bounds=(1e-10, 1e4),
                 max_iter=200, normalize_y=False, n_threads=None, verbose=0):
        self.kernels = list(kernels)
        self.noise = noise
        self.optimize = optimize
        self.fit_noise = fit_noise
        self.noise_bounds = noise_bounds
        self.max_iter = max_iter
        self.normalize_y = normalize_y
        self.n_threads = n_threads
        self.verbose = verbose

    # -- parameters -----------------------------------------------------------------------------
    def _validate_params(self):
        if len(self.kernels) == 0:
            raise ValueError("kernels must contain one 1-D kernel per grid axis")
        for j, k in enumerate(self.kernels):
            if not isinstance(k, Kernel1D):
                raise TypeError(f"kernels[{j}] must be a numkern.kron.kernels.Kernel1D, got {type(k).__name__}")
        check_real(self.noise, "noise", positive=True)
        if isinstance(self.noise_bounds, (str, bytes)) or not hasattr(self.noise_bounds, "__len__"):
            raise TypeError(f"noise_bounds must be a pair (low, high), got {self.noise_bounds!r}")
        if len(self.noise_bounds) != 2:
            raise ValueError(f"noise_bounds must be a pair (low, high), got {self.noise_bounds!r}")
        lo, hi = (check_real(v, f"noise_bounds[{i}]", positive=True) for i, v in enumerate(self.noise_bounds))
        if not lo <= hi:
            raise ValueError(f"noise_bounds must satisfy 0 < low <= high, got {self.noise_bounds!r}")
        check_integer(self.max_iter, "max_iter", min_value=0)
        check_verbose(self.verbose)

    def _split(self, theta, kernels):
        out, start = [], 0
        for k in kernels:
            out.append(k.with_theta(theta[start : start + k.n_params]))
            start += k.n_params
        return out, math.exp(theta[start])

    @staticmethod
    def _pack(kernels, noise):
        return np.concatenate([k.theta for k in kernels] + [[math.log(noise)]])

    # -- likelihood -------------------------------------------------------------------------------
    def _lml(self, theta, grids, y, kernels, eval_gradient):
        ks, noise = self._split(theta, kernels)
        mats, grads = [], []
        for k, g in zip(ks, grids):
            m, dm = _factor_matrix(k, g, eval_gradient)
            mats.append(m)
            grads.append(dm)
        eig = KroneckerEigh(mats, n_threads=self.n_threads)
        alpha = eig.solve(y, shift=noise)
        n_total = y.size
        lml = -0.5 * float(np.dot(y.ravel(), alpha.ravel())) - 0.5 * eig.logdet(shift=noise) - 0.5 * n_total * _LOG_2PI
        if not eval_gradient:
            return lml, None, eig, alpha
        d = len(mats)
        grad_parts = []
        for j in range(d):
            # α^T (K_1 ⊗ … dK … ⊗ K_d) α = Σ_ab dK[a, b] C[a, b], C = <α, (⊗_{k≠j} K_k) α> over the other axes
            b = alpha
            for k in range(d):
                if k != j:
                    b = apply_along(k, mats[k], b, n_threads=self.n_threads)
            others = [k for k in range(d) if k != j]
            c = np.tensordot(alpha, b, axes=(others, others))
            quad = np.einsum("pab,ab->p", grads[j], c)
            trace = eig.trace_inv_times(j, grads[j], shift=noise)
            grad_parts.append(0.5 * quad - 0.5 * np.atleast_1d(trace))
        a2 = float(np.dot(alpha.ravel(), alpha.ravel()))
        grad_parts.append([0.5 * noise * a2 - 0.5 * noise * eig.trace_inv(shift=noise)])
        return lml, np.concatenate(grad_parts), eig, alpha

    def _prepare(self, grids, y):
        grids = [_real(g, f"grids[{j}]") for j, g in enumerate(_sequence_of_arrays(grids, "grids"))]
        if len(grids) != len(self.kernels):
            raise ValueError(f"got {len(grids)} grids for {len(self.kernels)} kernels")
        for j, g in enumerate(grids):
            if g.ndim != 1 or g.size < 1:
                raise ValueError(f"grids[{j}] must be a non-empty 1-D array")
            if not np.all(np.isfinite(g)):
                raise ValueError(f"grids[{j}] contains NaN or inf")
        shape = tuple(g.size for g in grids)
        y = _real(y, "y")
        if y.shape != shape:
            if y.size == math.prod(shape) and y.ndim == 1:
                y = y.reshape(shape)
            else:
                raise ValueError(f"y has shape {y.shape}; the grid has shape {shape} (or pass ({math.prod(shape)},))")
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or inf")
        return grids, y

    def fit(self, grids, y):
        """Fit the GP to grid observations.

        Parameters
        ----------
        grids : sequence of 1-D arrays
            Grid coordinates per axis (length ``n_j``; uniform grids use the Toeplitz fast path).
        y : array_like, shape (n_1, ..., n_d) or (N,)
            Observations, row-major over the grid.

        Returns
        -------
        self : GridGP
        """
        self._validate_params()
        grids, y = self._prepare(grids, y)
        if self.normalize_y:
            self._y_mean, self._y_std = float(y.mean()), float(y.std()) or 1.0
        else:
            self._y_mean, self._y_std = 0.0, 1.0
        yn = (y - self._y_mean) / self._y_std
        kernels = [copy.deepcopy(k) for k in self.kernels]
        theta0 = self._pack(kernels, self.noise)
        self.optimize_result_ = None
        if self.optimize:
            lo, hi = self.noise_bounds
            bounds = [(None, None)] * (theta0.size - 1) + [(math.log(lo), math.log(hi))]
            if not self.fit_noise:
                bounds[-1] = (theta0[-1], theta0[-1])
            theta0[-1] = min(max(theta0[-1], math.log(lo)), math.log(hi)) if self.fit_noise else theta0[-1]

            def objective(theta):
                try:
                    lml, grad, _, _ = self._lml(theta, grids, yn, kernels, True)
                except ValueError:  # K + s I numerically indefinite for these parameters: reject the step
                    return np.inf, np.zeros_like(theta)
                if not self.fit_noise:
                    grad[-1] = 0.0
                return -lml, -grad

            verbose = check_verbose(self.verbose)
            progress, count = None, [0]
            if verbose:
                def progress(intermediate_result):  # scipy's callback with the iterate's objective
                    count[0] += 1
                    print(f"Iteration {count[0]}: log marginal likelihood {-intermediate_result.fun:.6g}", flush=True)

            res = minimize(objective, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
                           options={"maxiter": int(self.max_iter)}, callback=progress)
            self.optimize_result_ = res
            if verbose:
                print(f"L-BFGS-B stopped after {res.nit} iterations: {res.message}", flush=True)
            if res.status == 1 and self.max_iter > 0:
                warn_not_converged(f"L-BFGS-B stopped at max_iter={self.max_iter} iterations before converging "
                                   f"({res.message}); increase max_iter")
            theta0 = res.x
        lml, _, eig, alpha = self._lml(theta0, grids, yn, kernels, False)
        self.kernels_, self.noise_ = self._split(theta0, kernels)
        self.theta_ = theta0
        self.log_marginal_likelihood_value_ = lml
        self.grids_ = grids
        self.eig_ = eig
        self.alpha_ = alpha
        self._y_norm = yn
        return self

    def log_marginal_likelihood(self, theta=None, eval_gradient=False):
        """Log marginal likelihood ``log N(y | 0, K + s I)`` of the fitted data, and its gradient.

        Parameters
        ----------
        theta : array_like, optional
            Parameter vector (kernels' ``theta`` then ``log(noise)``); default: the fitted ``theta_``.
        eval_gradient : bool, optional
            Also return the gradient with respect to ``theta``.

        Returns
        -------
        lml : float
        grad : ndarray
            Only when ``eval_gradient`` is True.
        """
        self._check_fitted()
        theta = self.theta_ if theta is None else _real(theta, "theta")
        if theta.shape != self.theta_.shape:
            raise ValueError(f"theta must have shape {self.theta_.shape}, got {theta.shape}")
        lml, grad, _, _ = self._lml(theta, self.grids_, self._y_norm, self.kernels_, eval_gradient)
        return (lml, grad) if eval_gradient else lml

    # -- prediction -------------------------------------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "alpha_"):
            raise not_fitted_error(self, "fit(grids, y)")

    def predict(self, X, return_std=False):
        """Posterior mean (and standard deviation of the latent ``f``) at arbitrary points.

        Parameters
        ----------
        X : array_like, shape (P, d)
            Query points (on or off the grid).
        return_std : bool, optional

        Returns
        -------
        mean : ndarray, shape (P,)
        std : ndarray, shape (P,)
            Posterior standard deviation of ``f`` (without the observation noise); only if ``return_std``.

        Notes
        -----
        Cost ``O(P N)`` for ``P`` scattered points; for query points forming a grid use :meth:`predict_grid`.
        """
        self._check_fitted()
        X = _real(X, "X")
        d = len(self.grids_)
        if X.ndim != 2 or X.shape[1] != d:
            raise ValueError(f"X must have shape (P, {d}), got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or inf")
        # points in chunks so the first contraction's (N / n_d) x chunk temporary stays ~32 MB
        chunk = max(1, (1 << 22) // max(1, self.alpha_.size // self.alpha_.shape[-1]))
        inv = 1.0 / (self.eig_.eigenvalues() + self.noise_) if return_std else None
        prior = math.prod(float(k.lag(0.0)) for k in self.kernels_)
        mean = np.empty(X.shape[0])
        var = np.empty(X.shape[0]) if return_std else None
        for start in range(0, X.shape[0], chunk):
            rows = slice(start, start + chunk)
            cross = [k(X[rows, j], g) for j, (k, g) in enumerate(zip(self.kernels_, self.grids_))]
            mean[rows] = _contract_points(self.alpha_, cross)
            if return_std:
                proj = [c @ q for c, q in zip(cross, self.eig_.eigenvector_factors)]
                var[rows] = prior - _contract_points(inv, [p * p for p in proj])
        mean = mean * self._y_std + self._y_mean
        if not return_std:
            return mean
        return mean, np.sqrt(np.maximum(var, 0.0)) * self._y_std

    def predict_grid(self, grids, return_std=False):
        """Posterior mean (and std of ``f``) on a tensor grid of query points, by Kronecker products.

        Parameters
        ----------
        grids : sequence of 1-D arrays
            Query coordinates per axis (lengths ``m_j``).
        return_std : bool, optional

        Returns
        -------
        mean : ndarray, shape (m_1, ..., m_d)
        std : ndarray, shape (m_1, ..., m_d)
            Only if ``return_std``.
        """
        self._check_fitted()
        grids = [_real(g, f"grids[{j}]") for j, g in enumerate(_sequence_of_arrays(grids, "grids"))]
        if len(grids) != len(self.grids_) or any(g.ndim != 1 for g in grids):
            raise ValueError(f"grids must be {len(self.grids_)} 1-D arrays")
        cross = [k(g, g0) for k, g, g0 in zip(self.kernels_, grids, self.grids_)]
        mean = KroneckerOperator(*cross, n_threads=self.n_threads).apply(self.alpha_) * self._y_std + self._y_mean
        if not return_std:
            return mean
        proj = [c @ q for c, q in zip(cross, self.eig_.eigenvector_factors)]
        inv = 1.0 / (self.eig_.eigenvalues() + self.noise_)
        explained = KroneckerOperator(*[p * p for p in proj], n_threads=self.n_threads).apply(inv)
        prior = math.prod(float(k.lag(0.0)) for k in self.kernels_)
        return mean, np.sqrt(np.maximum(prior - explained, 0.0)) * self._y_std
