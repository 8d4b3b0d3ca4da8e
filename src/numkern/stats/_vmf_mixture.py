"""Mixture of von Mises-Fisher distributions fitted by expectation-maximisation (Banerjee et al. 2005, soft-moVMF).

A scikit-learn style estimator: hyper-parameters in ``__init__``, fitted attributes with a trailing underscore,
``fit`` / ``predict`` / ``predict_proba`` / ``score_samples`` / ``score`` / ``sample``. Responsibilities are kept
in log space (log-sum-exp), and every concentration is solved to full precision with
:func:`~numkern.stats.inverse_mean_resultant_length`, so the EM works in thousands of dimensions where the
ratio of exponentially scaled Bessel functions underflows.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.special import logsumexp

from numkern._validation import (check_allocation, check_integer, check_real, check_verbose, not_fitted_error,
                                 warn_not_converged)

from numkern._backend import is_dask_array

from . import _vmf_mixture_dask
from ._vmf import _NORM_TOL, _as_data, _block_rows, _mixture_log_prob, _process_weights, _rvs, check_random_state
from ._vmf_math import _inverse_mrl, _mean_resultant_length

try:  # scikit-learn is optional: with it, the estimator gets clone/get_params/tags and input validation.
    import sklearn  # noqa: F401
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    _HAVE_SKLEARN = False
else:  # installed but older than 1.6 (no validate_data): an ImportError saying so, not a silent non-estimator
    from numkern._sklearn import check_sklearn_version

    check_sklearn_version("numkern.stats.VonMisesFisherMixture")
    from sklearn.base import BaseEstimator, DensityMixin
    from sklearn.utils.validation import check_is_fitted, validate_data

    _HAVE_SKLEARN = True

if not _HAVE_SKLEARN:  # pragma: no cover - exercised only without scikit-learn
    from numkern._sklearn import StandInEstimator as BaseEstimator

    class DensityMixin:
        pass


__all__ = ["VonMisesFisherMixture"]


class VonMisesFisherMixture(DensityMixin, BaseEstimator):
    r"""Mixture of von Mises-Fisher distributions on the unit sphere, fitted by EM.

    The density is :math:`p(x) = \sum_k \pi_k C_d(\kappa_k) \exp(\kappa_k \mu_k^T x)`. The E-step computes
    log-responsibilities with one matrix product and a log-sum-exp; the M-step sets :math:`\mu_k` to the
    responsibility-weighted mean direction and solves :math:`A_d(\kappa_k) = \bar r_k` exactly (soft-moVMF of
    Banerjee et al. 2005), for any dimension.

    Parameters
    ----------
    n_components : int, default: 1
        Number of mixture components.
    max_iter : int, default: 100
        Maximum number of EM iterations per initialisation.
    tol : float, default: 1e-6
        Stop when the mean log-likelihood improves by less than ``tol``.
    n_init : int, default: 1
        Number of initialisations; the one with the best final likelihood is kept.
    init_params : {"k-means++", "random"}, default: "k-means++"
        Initial means: spherical k-means++ seeding (cosine distance) followed by a hard assignment, or
        random responsibilities. Not used for the seeding when ``means_init`` is given.
    weights_init : array_like, shape (n_components,), optional
        Initial mixing proportions (as ``GaussianMixture``): finite, non-negative and summing to 1 within
        ``1e-6`` (then divided by their sum), else ValueError. Default: from the initial responsibilities.
    means_init : array_like, shape (n_components, n_features), optional
        Initial mean directions (as ``GaussianMixture``). Each row is scaled to unit norm when ``normalize=True``
        (like the rows of ``X``); with ``normalize=False`` a row whose norm is off 1 by more than ``1e-5`` is
        refused (one within that is rescaled to norm 1). A zero or non-finite row is always refused (ValueError). The initial responsibilities are then
        the hard assignment of every row of ``X`` to its closest initial mean (no random seeding), which gives
        the initial concentrations.
    normalize : bool, default: True
        Scale every row of ``X`` to unit norm before fitting or scoring (a zero row has no direction and stays
        zero: cosine 0 to every mean). With ``False`` the rows must already be unit vectors (tolerance
        ``1e-5``).
    max_concentration : float, default: 1e10
        Upper bound on each :math:`\kappa_k`, so that a component that collapses onto one point stays finite.
    random_state : None, int, numpy.random.SeedSequence, Generator or RandomState, default: None
        Seed for the initialisation and for :meth:`sample` (see :ref:`random-state`).
    warm_start : bool, default: False
        As ``GaussianMixture``: when True and the model is already fitted, :meth:`fit` continues EM from the
        fitted ``weights_``, ``means_`` and ``concentrations_`` (one run, ``n_init``, ``init_params``,
        ``weights_init`` and ``means_init`` ignored), with the convergence test continuing from the last
        iteration; so ``fit`` with ``max_iter=m`` and then ``max_iter=1`` gives the parameters of one fit with
        ``max_iter=m + 1``.
    verbose : int or bool, default: 0
        0 prints nothing; >= 1 prints to stdout one line per EM iteration (mean log-likelihood and its change,
        e.g. ``Iteration 3: lower bound 1.23456, change 0.0012``), preceded by ``Initialization i`` when
        ``n_init > 1``, and a final line saying whether the run converged.

    Warns
    -----
    sklearn.exceptions.ConvergenceWarning
        (:class:`numkern._validation.ConvergenceWarning` without scikit-learn) from :meth:`fit` when the best
        initialisation stopped at ``max_iter`` without converging (as scikit-learn's ``GaussianMixture``).

    Attributes
    ----------
    weights_ : ndarray, shape (n_components,)
        Mixing proportions :math:`\pi_k`.
    means_ : ndarray, shape (n_components, n_features)
        Mean directions :math:`\mu_k` (unit vectors).
    concentrations_ : ndarray, shape (n_components,)
        Concentrations :math:`\kappa_k`.
    converged_ : bool
        Whether the best run converged within ``max_iter``.
    n_iter_ : int
        EM iterations of the best run.
    lower_bound_ : float
        Mean log-likelihood of the training data under the fitted model.
    n_features_in_ : int
        Dimension ``d`` seen in :meth:`fit`.

    Notes
    -----
    ``X`` may be a ``scipy.sparse`` matrix or array (e.g. tf-idf rows, the textbook use): it is converted to CSR
    and never densified; rows are scaled to unit norm in sparse form, the E-step's ``X @ means.T`` and the
    M-step's ``X.T @ resp`` are sparse products. Results match those for the dense array to rounding.
    (scikit-learn's ``check_estimator_sparse_array`` / ``_matrix`` checks fail for a reason of their own: they
    read the classifier tags of any estimator with ``predict_proba``, and a density estimator has none.)

    References
    ----------
    .. [1] A. Banerjee, I. S. Dhillon, J. Ghosh, S. Sra, "Clustering on the unit hypersphere using von
           Mises-Fisher distributions", JMLR 6 (2005), 1345-1382.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.stats import VonMisesFisherMixture, vonmises_fisher
    >>> d = 64
    >>> mus = np.eye(d)[:2]
    >>> X = np.vstack([vonmises_fisher(m, 200.0).rvs(300, random_state=i) for i, m in enumerate(mus)])
    >>> model = VonMisesFisherMixture(n_components=2, random_state=0).fit(X)
    >>> np.sort(np.round(model.weights_, 2)).tolist()
    [0.5, 0.5]
    >>> bool(np.all(np.abs(model.concentrations_ / 200 - 1) < 0.1))
    True
    """

    def __init__(
        self,
        n_components=1,
        *,
        max_iter=100,
        tol=1e-6,
        n_init=1,
        init_params="k-means++",
        weights_init=None,
        means_init=None,
        normalize=True,
        max_concentration=1e10,
        random_state=None,
        warm_start=False,
        verbose=0,
    ):
        self.n_components = n_components
        self.max_iter = max_iter
        self.tol = tol
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.normalize = normalize
        self.max_concentration = max_concentration
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # CSR rows (tf-idf), never densified
        return tags

    # --- input ----------------------------------------------------------------------------------------------

    def _check_params(self):
        # Wrong types (floats, bool, strings) raise TypeError, values out of range ValueError. Checked before X,
        # whose validation reads all of it (scikit-learn's order too).
        for name in ("n_components", "max_iter", "n_init"):
            check_integer(getattr(self, name), f"'{name}'", min_value=1)
        check_real(self.tol, "'tol'", finite=False, nonnegative=True)
        if not (isinstance(self.init_params, str) and self.init_params in ("k-means++", "random")):
            raise ValueError(f"'init_params' must be 'k-means++' or 'random', got {self.init_params!r}.")
        check_real(self.max_concentration, "'max_concentration'", finite=False, positive=True)

    def _check_n_samples(self, n_samples):
        if n_samples < self.n_components:
            raise ValueError(
                f"'n_components'={self.n_components} must be <= n_samples={n_samples} (the rows of 'X')."
            )

    def _validate_X(self, X, reset):
        if self.normalize and isinstance(X, np.ndarray) and X.ndim == 2:
            # The unit-norm copy below is a full (n_samples, n_features) array: refuse one that cannot fit before
            # reading X (a zero-stride view can declare terabytes; validating it alone would take hours).
            itemsize = 4 if X.dtype == np.float32 else 8
            check_allocation(X.shape[0] * X.shape[1] * itemsize,
                             f"'X': the unit-norm copy of its {X.shape[0]} x {X.shape[1]} entries",
                             "pass fewer rows, or unit rows with normalize=False")
        if _HAVE_SKLEARN:
            min_features = 2 if reset else 1  # at predict time the n_features_in_ check gives the clearer error
            X = validate_data(self, X, reset=reset, accept_sparse="csr", dtype=[np.float64, np.float32],
                              ensure_min_features=min_features)
        else:
            X = _as_sparse_data(X) if sp.issparse(X) else _as_data(X, "X")
            if X.ndim != 2:
                raise ValueError(f"'X' must be two dimensional (n_samples, n_features), got shape {X.shape}.")
            if not np.all(np.isfinite(X.data if sp.issparse(X) else X)):
                raise ValueError("'X' contains NaN or infinite values.")
            if reset:
                self.n_features_in_ = X.shape[1]
            elif X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
                    f"{self.n_features_in_} features as input."
                )
        if sp.issparse(X):  # CSR: row norms and scaling on the stored entries, never densified
            if not X.has_canonical_format:  # duplicate entries would be squared apart
                X = X.copy()
                X.sum_duplicates()
            counts = np.diff(X.indptr)
            data = X.data.astype(np.float64)
            norms = np.sqrt(np.bincount(np.repeat(np.arange(X.shape[0]), counts), weights=data * data,
                                        minlength=X.shape[0]))
        else:
            norms = np.sqrt(np.einsum("ij,ij->i", X, X, dtype=np.float64))
        if self.normalize:
            safe = np.where(norms == 0, 1.0, norms)
            if sp.issparse(X):
                X = type(X)((X.data / np.repeat(safe.astype(X.dtype), counts), X.indices, X.indptr), shape=X.shape)
            else:
                X = X / safe.astype(X.dtype)[:, None]
        elif np.any(np.abs(norms - 1) > _NORM_TOL):
            raise ValueError("'X' must have rows of norm 1 (unit vectors) when normalize=False.")
        return X

    # --- EM pieces ----------------------------------------------------------------------------------------

    def _m_step(self, X, resp, sample_weight, prev_means, prev_kappas):
        w_resp = resp if sample_weight is None else resp * sample_weight[:, None]
        nk = w_resp.sum(axis=0)
        total = nk.sum()
        if sp.issparse(X):
            resultants = np.ascontiguousarray((X.T @ w_resp).T)
        elif X.dtype == np.float64:
            resultants = w_resp.T @ X
        else:
            resultants = np.zeros((resp.shape[1], X.shape[1]))
            step = _block_rows(X.shape[1])
            for start in range(0, X.shape[0], step):
                resultants += w_resp[start : start + step].T @ X[start : start + step].astype(np.float64)
        lengths = np.linalg.norm(resultants, axis=1)
        tiny = 10 * np.finfo(np.float64).tiny
        alive = (nk > 1e-10 * total) & (lengths > tiny)
        means = prev_means.copy()
        kappas = prev_kappas.copy()
        means[alive] = resultants[alive] / lengths[alive, None]
        d = np.float64(X.shape[1])
        # Components at or beyond A_d(max_concentration) (e.g. collapsed onto one point) get the cap directly.
        r_cap = float(_mean_resultant_length(d, np.float64(self.max_concentration)))
        rbar = np.minimum(lengths[alive] / nk[alive], r_cap)
        kappas[alive] = np.where(rbar >= r_cap, self.max_concentration, _inverse_mrl(d, rbar, 1.0 - rbar))
        weights = np.maximum(nk / total, tiny)
        return weights / weights.sum(), means, kappas

    def _initial_resp(self, X, sample_weight, rng, means_init=None):
        n, k = X.shape[0], self.n_components
        if means_init is not None:  # hard assignment to the closest given mean; no random draw
            labels = np.argmax(X @ means_init.T.astype(X.dtype), axis=1)
            resp = np.zeros((n, k))
            resp[np.arange(n), labels] = 1.0
            return resp
        if self.init_params == "random":
            resp = rng.random((n, k)) if isinstance(rng, np.random.Generator) else rng.random_sample((n, k))
            return resp / resp.sum(axis=1, keepdims=True)
        # Spherical k-means++: next centre drawn with probability proportional to weight * (1 - max cosine).
        p = np.ones(n) if sample_weight is None else sample_weight.copy()
        first = _choice(rng, n, p / p.sum())
        centres = [_row(X, first)]
        best_cos = X @ centres[0].astype(X.dtype)
        for _ in range(1, k):
            dist = np.clip(1.0 - best_cos, 0.0, None) * (p if sample_weight is not None else 1.0)
            total = dist.sum()
            idx = _choice(rng, n, dist / total) if total > 0 else _choice(rng, n, p / p.sum())
            centres.append(_row(X, idx))
            best_cos = np.maximum(best_cos, X @ centres[-1].astype(X.dtype))
        labels = np.argmax(X @ np.array(centres).T.astype(X.dtype), axis=1)
        resp = np.zeros((n, k))
        resp[np.arange(n), labels] = 1.0
        return resp

    def _run_em(self, X, sample_weight, rng, verbose=0, inits=(None, None), start=None):
        """One EM run: from ``start`` = (weights, means, kappas, previous bound) (warm start), else initialised
        from ``inits`` = (weights_init, means_init) (validated arrays or None) and the seeding."""
        d = X.shape[1]
        k = self.n_components
        total_w = X.shape[0] if sample_weight is None else sample_weight.sum()
        if start is not None:
            weights, means, kappas, lower = start
        else:
            resp = self._initial_resp(X, sample_weight, rng, inits[1])
            means = np.tile(np.eye(1, d), (k, 1))
            kappas = np.zeros(k)
            weights, means, kappas = self._m_step(X, resp, sample_weight, means, kappas)
            weights = weights if inits[0] is None else inits[0]
            means = means if inits[1] is None else inits[1]
            lower = -np.inf

        def e_pass(weights, means, kappas):  # the bound of these parameters and the responsibilities' pieces
            log_prob = _mixture_log_prob(X, means, kappas, np.log(weights))
            log_norm = logsumexp(log_prob, axis=1)
            bound = float((log_norm.sum() if sample_weight is None else sample_weight @ log_norm) / total_w)
            return bound, (log_prob, log_norm)

        def m_step(stats, means, kappas):
            log_prob, log_norm = stats
            return self._m_step(X, np.exp(log_prob - log_norm[:, None]), sample_weight, means, kappas)

        result, self._em_previous_bound = self._em(e_pass, m_step, (weights, means, kappas), lower, verbose)
        return result

    def _em(self, e_pass, m_step, params, lower, verbose=0):
        """The EM iterations of the in-memory and the dask fit, from ``params`` = (weights, means, kappas) and the
        previous bound ``lower`` (-inf, or a warm start's).

        ``e_pass(weights, means, kappas)`` -> (bound of those parameters, statistics) is one pass over the data (in
        memory, or one distributed pass over the dask blocks); ``m_step(statistics, means, kappas)`` -> the new
        (weights, means, kappas). Returns ((bound, weights, means, kappas, converged, n_iter), the last
        iteration's bound, where a warm start's convergence test continues); the reported bound is that of the
        returned parameters (one more pass).
        """
        weights, means, kappas = params
        converged = False
        n_iter = 0
        while n_iter < self.max_iter:
            n_iter += 1
            new_lower, stats = e_pass(weights, means, kappas)
            weights, means, kappas = m_step(stats, means, kappas)
            if verbose:
                print(f"Iteration {n_iter}: lower bound {new_lower:.6g}, change {new_lower - lower:.3g}", flush=True)
            if abs(new_lower - lower) < self.tol:
                lower = new_lower
                converged = True
                break
            lower = new_lower
        previous = lower
        lower = e_pass(weights, means, kappas)[0]
        if verbose:
            state = "converged" if converged else "did not converge"
            print(f"EM {state} after {n_iter} iterations: lower bound {lower:.6g}", flush=True)
        return (lower, weights, means, kappas, converged, n_iter), previous

    # --- public API ---------------------------------------------------------------------------------------

    def fit(self, X, y=None, sample_weight=None):
        """Estimate the mixture parameters with EM.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Directions (rows scaled to unit norm when ``normalize=True``); float32 or float64.
        y : None
            Ignored (scikit-learn convention).
        sample_weight : array_like, shape (n_samples,), optional
            Non-negative weights of the rows.

        Returns
        -------
        self : VonMisesFisherMixture
            The fitted estimator.
        """
        if is_dask_array(X):  # one pass per EM iteration / lazy (numkern.stats._vmf_mixture_dask)
            return _vmf_mixture_dask.fit(self, X, sample_weight)
        self._check_params()
        X = self._validate_X(X, reset=True)
        self._check_n_samples(X.shape[0])
        sample_weight = _process_weights(sample_weight, X.shape[0], name="sample_weight")
        rng = check_random_state(self.random_state)
        verbose = check_verbose(self.verbose)
        start = None
        if self.warm_start and hasattr(self, "converged_"):  # continue from the fitted parameters
            if self.means_.shape != (self.n_components, X.shape[1]):
                raise ValueError(f"warm_start=True continues from means_ of shape {self.means_.shape}, but "
                                 f"n_components={self.n_components} and X has {X.shape[1]} features; fit with "
                                 f"warm_start=False")
            start = (self.weights_, self.means_, self.concentrations_,
                     getattr(self, "_em_previous_bound", -np.inf))
            inits = (None, None)
        else:
            inits = _check_inits(self.weights_init, self.means_init, self.n_components, X.shape[1], self.normalize)
        best = None
        for init in range(self.n_init if start is None else 1):
            if verbose and self.n_init > 1 and start is None:
                print(f"Initialization {init + 1}", flush=True)
            result = self._run_em(X, sample_weight, rng, verbose, inits, start)
            if best is None or result[0] > best[0]:
                best, previous_bound = result, self._em_previous_bound
        self._em_previous_bound = previous_bound
        self.lower_bound_, self.weights_, self.means_, self.concentrations_, self.converged_, self.n_iter_ = best
        if not self.converged_ and self.max_iter > 0:
            warn_not_converged(f"the best of the {self.n_init} initialisation(s) did not converge within max_iter="
                               f"{self.max_iter} EM iterations (tol={self.tol}); increase max_iter or tol")
        return self

    def _check_fitted(self):
        if _HAVE_SKLEARN:
            check_is_fitted(self, ["weights_", "means_", "concentrations_"])
        elif not hasattr(self, "means_"):
            raise not_fitted_error(self)

    def _log_prob(self, X):
        self._check_fitted()
        X = self._validate_X(X, reset=False)
        return _mixture_log_prob(X, self.means_, self.concentrations_, np.log(self.weights_))

    def score_samples(self, X):
        """Log density of each row under the mixture.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Directions.

        Returns
        -------
        ndarray, shape (n_samples,)
            ``log p(x_i)``.
        """
        if is_dask_array(X):  # one pass per EM iteration / lazy (numkern.stats._vmf_mixture_dask)
            return _vmf_mixture_dask.score_samples(self, X)
        return logsumexp(self._log_prob(X), axis=1)

    def score(self, X, y=None):
        """Mean log-likelihood of the rows of ``X``.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Directions.
        y : None
            Ignored.

        Returns
        -------
        float
            Mean of :meth:`score_samples`.
        """
        return float(self.score_samples(X).mean())

    def predict_proba(self, X):
        """Posterior probability (responsibility) of each component for each row.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Directions.

        Returns
        -------
        ndarray, shape (n_samples, n_components)
            Rows sum to 1.
        """
        if is_dask_array(X):  # one pass per EM iteration / lazy (numkern.stats._vmf_mixture_dask)
            return _vmf_mixture_dask.predict_proba(self, X)
        log_prob = self._log_prob(X)
        return np.exp(log_prob - logsumexp(log_prob, axis=1, keepdims=True))

    def predict(self, X):
        """Most probable component of each row.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Directions.

        Returns
        -------
        ndarray of int, shape (n_samples,)
            Component labels.
        """
        if is_dask_array(X):  # one pass per EM iteration / lazy (numkern.stats._vmf_mixture_dask)
            return _vmf_mixture_dask.predict(self, X)
        return np.argmax(self._log_prob(X), axis=1)

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit the mixture and return the component label of each training row.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Directions.
        y : None
            Ignored.
        sample_weight : array_like, shape (n_samples,), optional
            Non-negative weights of the rows.

        Returns
        -------
        ndarray of int, shape (n_samples,)
            Component labels.
        """
        return self.fit(X, sample_weight=sample_weight).predict(X)

    def bic(self, X):
        """Bayesian information criterion of the fitted model on ``X`` (lower is better).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Directions.

        Returns
        -------
        float
            ``-2 log L + p log n`` with ``p = K d - 1`` free parameters (``K (d - 1)`` directions, ``K``
            concentrations, ``K - 1`` weights).
        """
        shape = X.shape if sp.issparse(X) or is_dask_array(X) else np.shape(X)  # only the shape is used
        n_params = self.n_components * shape[1] - 1
        return -2 * self.score(X) * shape[0] + n_params * np.log(shape[0])

    def sample(self, n_samples=1):
        """Draw samples from the fitted mixture.

        Parameters
        ----------
        n_samples : int, default: 1
            Number of samples.

        Returns
        -------
        X : ndarray, shape (n_samples, n_features)
            Unit vectors.
        labels : ndarray of int, shape (n_samples,)
            Component of each sample.
        """
        self._check_fitted()
        n_samples = check_integer(n_samples, "'n_samples'", min_value=1)
        rng = check_random_state(self.random_state)
        counts = rng.multinomial(n_samples, self.weights_)
        parts = [
            _rvs(self.means_.shape[1], self.means_[k], float(self.concentrations_[k]), int(c), rng)
            for k, c in enumerate(counts)
        ]
        labels = np.repeat(np.arange(self.n_components), counts)
        return np.vstack(parts), labels


def _choice(rng, n, p):
    return int(rng.choice(n, p=p))


def _row(X, i):
    """Row ``i`` of a dense or CSR ``X`` as a dense float64 vector."""
    if sp.issparse(X):
        return X[i : i + 1].toarray().ravel().astype(np.float64)
    return X[i].astype(np.float64)


def _as_sparse_data(X):
    """A scipy.sparse ``X`` as CSR of float32 or float64 (the validation used without scikit-learn)."""
    X = X.tocsr()
    if not (np.issubdtype(X.dtype, np.floating) or np.issubdtype(X.dtype, np.integer)):
        raise TypeError(f"'X' must be a real array, got dtype {X.dtype}")
    return X if X.dtype in (np.float32, np.float64) else X.astype(np.float64)


def _check_inits(weights_init, means_init, n_components, n_features, normalize):
    """Validated ``weights_init`` (divided by its sum) and ``means_init`` (unit rows), or None for each."""
    weights = means = None
    if weights_init is not None:
        weights = _as_data(weights_init, "weights_init").astype(np.float64)
        if weights.shape != (n_components,):
            raise ValueError(f"'weights_init' must have shape ({n_components},) (n_components), got {weights.shape}")
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError("'weights_init' must be finite and non-negative")
        if abs(weights.sum() - 1.0) > 1e-6:
            raise ValueError(f"'weights_init' must sum to 1 (within 1e-6), got sum {weights.sum():.6g}")
        weights = weights / weights.sum()
    if means_init is not None:
        means = _as_data(means_init, "means_init").astype(np.float64)
        if means.shape != (n_components, n_features):
            raise ValueError(f"'means_init' must have shape ({n_components}, {n_features}) (n_components, "
                             f"n_features), got {means.shape}")
        if not np.all(np.isfinite(means)):
            raise ValueError("'means_init' contains NaN or infinite values")
        norms = np.linalg.norm(means, axis=1)
        if np.any(norms == 0):
            raise ValueError("'means_init' has a zero row, which has no direction")
        if not normalize and np.any(np.abs(norms - 1) > _NORM_TOL):
            raise ValueError("'means_init' must have rows of norm 1 (unit vectors) when normalize=False")
        means = means / norms[:, None]
    return weights, means
