"""Exact GP regression on a full tensor grid with a product kernel and spherical noise (Kronecker eigenbasis)."""

from __future__ import annotations

import copy
import math
import numbers
import warnings

import numpy as np
from scipy.optimize import minimize

from numkern._validation import (as_numeric_array, check_integer, check_real, check_verbose, not_fitted_error,
                                 warn_not_converged)

from ._operator import KroneckerEigh, KroneckerOperator, _sequence_of_arrays, apply_along
from .kernels import RBF, Kernel1D, uniform_spacing

try:  # scikit-learn is optional: with it GridGP is a BaseEstimator (clone, get_params, tags, GridSearchCV).
    import sklearn  # noqa: F401
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    _HAVE_SKLEARN = False
else:  # installed but older than 1.6: an ImportError saying so, as for the other estimators
    from numkern._sklearn import check_sklearn_version

    check_sklearn_version("numkern.kron.GridGP")
    from sklearn.base import BaseEstimator, RegressorMixin

    _HAVE_SKLEARN = True

if not _HAVE_SKLEARN:  # pragma: no cover - exercised only without scikit-learn
    from numkern._sklearn import StandInEstimator as BaseEstimator

    class RegressorMixin:
        pass

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


_NO_GRID = "fits on scattered random points, which form no full tensor grid (GridGP refuses them with a ValueError)"


def _is_grid_sequence(X, y):
    """Whether ``fit(X, y)`` is the deprecated call ``fit(grids, y)`` (a list or tuple of per-axis 1-D grids).

    Points are a list of equally long rows with one observation each (``len(y) == len(X)``); anything else
    given as a list or tuple of 1-D sequences is read as grids. The two readings coincide only for one grid of
    one point, where they mean the same data.
    """
    if not isinstance(X, (list, tuple)) or not X or any(np.ndim(g) != 1 for g in X):
        return False
    rows_like = len({np.size(g) for g in X}) == 1 and np.ndim(y) == 1 and np.size(y) == len(X)
    return not rows_like


class GridGP(RegressorMixin, BaseEstimator):
    """Gaussian-process regression on a full tensor grid: ``y = f + eps``, ``f ~ GP(0, Π_j k_j)``, ``eps ~ N(0, s I)``.

    With observations on the grid ``X_1 × ... × X_d`` the covariance is ``K + s I`` with ``K = ⊗_j K_j``; the
    marginal likelihood, its gradient, and the posterior use the per-factor eigendecompositions
    (:class:`KroneckerEigh`, Saatci 2012): ``O(Σ n_j^3 + N Σ n_j)`` time and ``O(N)`` memory for ``N = Π n_j``
    observations.

    A scikit-learn regressor (with scikit-learn >= 1.6 installed it is a ``BaseEstimator``: ``get_params``,
    ``set_params``, ``clone``, ``GridSearchCV``): :meth:`fit` takes the ``(N, d)`` grid points ``X`` and the
    ``(N,)`` observations ``y``, :meth:`predict` has ``return_std`` like ``GaussianProcessRegressor``, and
    :meth:`score` is the coefficient of determination R². :meth:`fit_grid` / :meth:`predict_grid` take the
    per-axis grids instead (no ``(N, d)`` array of points is formed).

    Parameters
    ----------
    kernels : sequence of :class:`numkern.kron.kernels.Kernel1D`, optional
        One 1-D kernel per grid axis (the product kernel). Their parameters are the initial values. None
        (default) means ``RBF(1.0)`` on every axis (``GaussianProcessRegressor``'s default kernel).
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
    grids_ : list of ndarray
        The training grid per axis (from :meth:`fit`: the sorted distinct coordinates of each column of ``X``).
    alpha_ : ndarray, shape grid_shape
        ``(K + s I)^{-1} y``.
    optimize_result_ : scipy.optimize.OptimizeResult or None
    n_features_in_ : int
        Number of grid axes ``d``.

    Notes
    -----
    The training points must form a full tensor grid (every combination of the per-axis coordinates exactly
    once, in any row order); :meth:`fit` refuses other ``X`` with a ValueError saying so. Hence a
    cross-validation split must keep the training part a grid: leave out whole slices of one axis, e.g.
    ``GridSearchCV(GridGP(), grid, cv=GroupKFold(3)).fit(X, y, groups=X[:, 0])``. Prediction points are
    arbitrary.

    For the same reason most of ``sklearn.utils.estimator_checks`` do not apply: they fit on random
    scattered points (``make_blobs``, ``rng.uniform``), which form no grid, and there is no tag for
    "needs grid-structured X". scikit-learn >= 1.6 has no tag that declares an expected failure either
    (the ``_xfail_checks`` tag is gone), so :attr:`GRID_INAPPLICABLE_CHECKS` lists these checks with the
    reason; pass it as ``check_estimator(GridGP(), expected_failed_checks=GridGP.GRID_INAPPLICABLE_CHECKS)``
    (it also names ``check_complex_data``: complex ``X`` is a TypeError, numkern's rule for a wrong type).
    The other checks (cloning, parameters, pickling, fitted-state errors, input validation, ...) pass.

    Up to numkern 0.1, ``fit`` took the grids (``fit([g1, g2], Y)``); that call still works, with a FutureWarning
    pointing to :meth:`fit_grid`, and gives the same result bit for bit.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.kron import GridGP
    >>> from numkern.kron.kernels import RBF
    >>> g1, g2 = np.linspace(0, 1, 20), np.linspace(0, 2, 25)
    >>> Y = np.sin(3 * g1)[:, None] * np.cos(2 * g2)[None, :]
    >>> gp = GridGP([RBF(0.3), RBF(0.5)], noise=1e-4).fit_grid([g1, g2], Y)
    >>> mean, std = gp.predict(np.array([[0.5, 1.0]]), return_std=True)
    >>> bool(abs(mean[0] - np.sin(1.5) * np.cos(2.0)) < 1e-3)
    True
    >>> X = np.stack(np.meshgrid(g1, g2, indexing="ij"), axis=-1).reshape(-1, 2)  # the same data as points
    >>> gp2 = GridGP([RBF(0.3), RBF(0.5)], noise=1e-4).fit(X, Y.ravel())
    >>> bool(np.array_equal(gp2.predict(np.array([[0.5, 1.0]])), mean))
    True
    """

    #: ``sklearn.utils.estimator_checks`` that fit on scattered (non-grid) points and so cannot apply, with the
    #: reason, for ``check_estimator(..., expected_failed_checks=...)`` (see Notes).
    GRID_INAPPLICABLE_CHECKS = {
        "check_dict_unchanged": _NO_GRID,
        "check_dont_overwrite_parameters": _NO_GRID,
        "check_dtype_object": _NO_GRID,
        "check_estimators_dtypes": _NO_GRID,
        "check_estimators_fit_returns_self": _NO_GRID,
        "check_estimators_nan_inf": _NO_GRID,
        "check_estimators_overwrite_params": _NO_GRID,
        "check_estimators_pickle": _NO_GRID,
        "check_f_contiguous_array_estimator": _NO_GRID,
        "check_fit2d_predict1d": _NO_GRID,
        "check_fit_check_is_fitted": _NO_GRID,
        "check_fit_idempotent": _NO_GRID,
        "check_fit_score_takes_y": _NO_GRID,
        "check_methods_sample_order_invariance": _NO_GRID,
        "check_methods_subset_invariance": _NO_GRID,
        "check_n_features_in": _NO_GRID,
        "check_n_features_in_after_fitting": _NO_GRID,
        "check_non_transformer_estimators_n_iter": _NO_GRID,
        "check_pipeline_consistency": _NO_GRID,
        "check_positive_only_tag_during_fit": _NO_GRID,
        "check_readonly_memmap_input": _NO_GRID,
        "check_regressor_data_not_an_array": _NO_GRID,
        "check_regressors_int": _NO_GRID,
        "check_regressors_no_decision_function": _NO_GRID,
        "check_regressors_train": _NO_GRID,
        "check_supervised_y_2d": _NO_GRID,
        "check_complex_data": "complex X is a TypeError (a wrong type, numkern's rule in every subpackage), "
                              "not the ValueError the check expects",
    }

    def __init__(self, kernels=None, noise=1e-2, *, optimize=True, fit_noise=True, noise_bounds=(1e-10, 1e4),
                 max_iter=200, normalize_y=False, n_threads=None, verbose=0):
        self.kernels = kernels
        self.noise = noise
        self.optimize = optimize
        self.fit_noise = fit_noise
        self.noise_bounds = noise_bounds
        self.max_iter = max_iter
        self.normalize_y = normalize_y
        self.n_threads = n_threads
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        tags.target_tags.multi_output = False
        tags.target_tags.single_output = True
        return tags

    # -- parameters -----------------------------------------------------------------------------
    def _kernel_list(self):
        """``kernels`` as a list of Kernel1D (None while the default, one RBF per axis, waits for ``d``)."""
        if self.kernels is None:
            return None
        if isinstance(self.kernels, (str, bytes, Kernel1D)) or not hasattr(self.kernels, "__iter__"):
            raise TypeError(f"kernels must be a sequence of numkern.kron.kernels.Kernel1D (one per grid axis) or "
                            f"None, got {type(self.kernels).__name__}")
        kernels = list(self.kernels)
        if len(kernels) == 0:
            raise ValueError("kernels must contain one 1-D kernel per grid axis")
        for j, k in enumerate(kernels):
            if not isinstance(k, Kernel1D):
                raise TypeError(f"kernels[{j}] must be a numkern.kron.kernels.Kernel1D, got {type(k).__name__}")
        return kernels

    def _validate_params(self):
        kernels = self._kernel_list()
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
        return kernels

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

    def _prepare(self, grids, y, kernels):
        grids = [_real(g, f"grids[{j}]") for j, g in enumerate(_sequence_of_arrays(grids, "grids"))]
        if kernels is not None and len(grids) != len(kernels):
            raise ValueError(f"got {len(grids)} grids for {len(kernels)} kernels")
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

    def _points_to_grid(self, X, y, kernels):
        """The per-axis grids and the grid-shaped ``y`` of points ``X`` (N, d) that form a full tensor grid."""
        if X is None or isinstance(X, (str, bytes, numbers.Number)) or not (
                hasattr(X, "__len__") or hasattr(X, "__array__")):
            raise TypeError(f"X must be an array of shape (N, d): the points of a full tensor grid (or use "
                            f"fit_grid(grids, y)), got {X!r:.80} of type {type(X).__name__}")
        X = _real(X, "X")
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-D array of shape (N, d) (the points of a full tensor grid; reshape a "
                             f"single feature with X.reshape(-1, 1)), got shape {X.shape}")
        n, d = X.shape
        for size, what in ((n, "sample"), (d, "feature")):
            if size == 0:  # scikit-learn's wording (check_array)
                raise ValueError(f"Found array with 0 {what}(s) (shape={X.shape}) while a minimum of 1 is required.")
        if kernels is not None and d != len(kernels):
            raise ValueError(f"X has {d} features (grid axes) for {len(kernels)} kernels")
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or inf")
        if y is None:
            raise ValueError("GridGP requires y to be passed, but the target y is None")
        y = _real(y, "y")
        if y.shape != (n,):
            raise ValueError(f"y must have shape ({n},) (one observation per row of X), got {y.shape}")
        axes = [np.unique(X[:, j], return_inverse=True) for j in range(d)]
        shape = tuple(u.size for u, _ in axes)
        flat = np.ravel_multi_index([inv.ravel() for _, inv in axes], shape) if math.prod(shape) == n else None
        if flat is None or np.unique(flat).size != n:
            raise ValueError(f"X does not form a full tensor grid: its columns take {' x '.join(map(str, shape))} "
                             f"distinct values, and each of these {math.prod(shape)} combinations must be a row of X "
                             f"exactly once (X has {n} rows); GridGP is exact GP regression on grid-structured data "
                             f"only")
        grid_y = np.empty(n)
        grid_y[flat] = y
        return [u for u, _ in axes], grid_y.reshape(shape)

    def fit(self, X, y):
        """Fit the GP to observations on a full tensor grid.

        Parameters
        ----------
        X : array_like, shape (N, d)
            The grid points, in any row order: every combination of the distinct values of the columns exactly
            once (``N = n_1 ... n_d``). The grid of axis ``j`` is the sorted distinct values of ``X[:, j]``
            (uniform grids use the Toeplitz fast path).
        y : array_like, shape (N,)
            Observation at each row of ``X``.

        Returns
        -------
        self : GridGP

        Notes
        -----
        The former call ``fit(grids, y)`` with a sequence of per-axis grids still works but is deprecated
        (FutureWarning): use :meth:`fit_grid`.
        """
        kernels = self._validate_params()
        if _is_grid_sequence(X, y):
            warnings.warn("GridGP.fit(grids, y) with a sequence of 1-D grids is deprecated and will be removed: "
                          "call fit_grid(grids, y) (the same result), or fit(X, y) with the (N, d) grid points X "
                          "and y of shape (N,)", FutureWarning, stacklevel=2)
            return self._fit(*self._prepare(X, y, kernels), kernels)
        return self._fit(*self._points_to_grid(X, y, kernels), kernels)

    def fit_grid(self, grids, y):
        """Fit the GP to grid observations given per axis (no ``(N, d)`` array of points is formed).

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
        kernels = self._validate_params()
        return self._fit(*self._prepare(grids, y, kernels), kernels)

    def _fit(self, grids, y, kernels):
        if kernels is None:
            kernels = [RBF(1.0) for _ in grids]
        if self.normalize_y:
            self._y_mean, self._y_std = float(y.mean()), float(y.std()) or 1.0
        else:
            self._y_mean, self._y_std = 0.0, 1.0
        yn = (y - self._y_mean) / self._y_std
        kernels = [copy.deepcopy(k) for k in kernels]
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
        self.n_features_in_ = len(grids)
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
            raise not_fitted_error(self, "fit(X, y)")

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
        if X.ndim != 2:
            raise ValueError(f"X must have shape (P, {d}), got {X.shape}; reshape a single point with "
                             f"X.reshape(1, -1)")
        if X.shape[1] != d:
            raise ValueError(f"X has {X.shape[1]} features, but GridGP is expecting {d} features as input: X must "
                             f"have shape (P, {d}), got {X.shape}")
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

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R² of :meth:`predict` on ``X`` (as ``GaussianProcessRegressor.score``).

        ``1 - Σ w (y - ŷ)² / Σ w (y - ȳ_w)²``; 1.0 for a perfect prediction. A constant ``y`` gives 1.0 when
        predicted exactly and 0.0 otherwise (scikit-learn's ``r2_score`` with ``force_finite=True``).

        Parameters
        ----------
        X : array_like, shape (P, d)
            Query points (on or off the grid).
        y : array_like, shape (P,)
            True values.
        sample_weight : array_like, shape (P,), optional
            Non-negative weights.

        Returns
        -------
        float
        """
        pred = self.predict(X)
        y = _real(y, "y")
        if y.shape != pred.shape:
            raise ValueError(f"y must have shape {pred.shape} (one value per row of X), got {y.shape}")
        if not np.all(np.isfinite(y)):
            raise ValueError("y contains NaN or inf")
        if sample_weight is None:
            w = np.ones_like(y)
        else:
            w = _real(sample_weight, "sample_weight")
            if w.shape != y.shape:
                raise ValueError(f"sample_weight must have shape {y.shape}, got {w.shape}")
            if not np.all(np.isfinite(w)) or np.any(w < 0) or not w.sum() > 0:
                raise ValueError("sample_weight must be finite, non-negative and not all zero")
        numerator = float(np.sum(w * (y - pred) ** 2))
        denominator = float(np.sum(w * (y - np.average(y, weights=w)) ** 2))
        if denominator == 0.0:
            return 1.0 if numerator == 0.0 else 0.0
        return 1.0 - numerator / denominator

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
