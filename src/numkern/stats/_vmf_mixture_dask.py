"""``VonMisesFisherMixture`` on dask arrays: EM with one distributed pass over the row blocks per iteration.

* Rows are validated and (with ``normalize=True``) scaled to unit norm inside each task, as in memory.
* Initialisation (k-means++ or random responsibilities, the in-memory code) runs on the client on a random sample
  of at most ``max(10000, 20 K)`` rows, followed by the in-memory M-step on that sample.
* Each EM iteration is one pass: every row block computes its log-probabilities (the in-memory E-step code), the
  log-likelihood, the responsibilities and their sums ``n_k`` and weighted resultants ``R_k = sum_i r_ik x_i``;
  the client adds them up and runs the in-memory M-step (exact kappa solves) on those statistics. The bound of
  the returned parameters takes one more pass, as in memory.
* ``predict``, ``predict_proba``, ``score_samples`` of a dask array are lazy dask arrays; ``score`` and ``bic``
  compute one number.

The EM iterates are those of the in-memory EM from the same starting point, up to rounding (sums in another order).
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from .._dask_util import require_dense, require_known_chunks, rows_like
from .._validation import check_verbose, warn_not_converged
from ._vmf import _NORM_TOL, _mixture_log_prob, _process_weights, check_random_state

_SAMPLE_ROWS = 10_000


def _unit_rows(b, normalize: bool):
    """A block checked and, with ``normalize``, scaled to unit rows (zero rows stay zero), as fit does in memory."""
    b = np.asarray(b)
    if b.dtype not in (np.float32, np.float64):
        b = b.astype(np.float64)
    if not np.all(np.isfinite(b)):
        raise ValueError("'X' contains NaN or infinite values.")
    norms = np.sqrt(np.einsum("ij,ij->i", b, b, dtype=np.float64))
    if normalize:
        return b / np.where(norms == 0, 1.0, norms).astype(b.dtype)[:, None]
    if np.any(np.abs(norms - 1) > _NORM_TOL):
        raise ValueError("'X' must have rows of norm 1 (unit vectors) when normalize=False.")
    return b


def _log_prob_block(b, means, kappas, log_weights, normalize):
    """The in-memory E-step (_vmf._mixture_log_prob) on one block."""
    return _mixture_log_prob(_unit_rows(b, normalize), means, kappas, log_weights)


def _em_block(b, wb, means, kappas, log_weights, normalize):
    """(n_k, R_k, weighted log-likelihood) of one block: the E-step and the M-step's sums."""
    x = _unit_rows(b, normalize)
    lp = _log_prob_block(x, means, kappas, log_weights, False)
    ln = logsumexp(lp, axis=1)
    resp = np.exp(lp - ln[:, None])
    w_resp = resp if wb is None else resp * np.asarray(wb, dtype=np.float64)[:, None]
    return w_resp.sum(axis=0), w_resp.T @ x.astype(np.float64, copy=False), float(
        ln.sum() if wb is None else np.asarray(wb, dtype=np.float64) @ ln)


def _checked(est, X, reset: bool):
    require_known_chunks(X, "X")
    require_dense(X, "X")
    if X.ndim != 2:
        raise ValueError(f"'X' must be two dimensional (n_samples, n_features), got shape {X.shape}.")
    if reset:
        if X.shape[1] < 2:
            raise ValueError(f"'X' must have at least 2 features (directions in d >= 2), got {X.shape[1]}.")
        est.n_features_in_ = X.shape[1]
    elif X.shape[1] != est.n_features_in_:
        raise ValueError(f"X has {X.shape[1]} features, but {type(est).__name__} is expecting "
                         f"{est.n_features_in_} features as input.")
    return X.rechunk({1: -1}) if X.numblocks[1] > 1 else X


def _m_step(est, nk, R, d, means, kappas):
    """The in-memory M-step on summed statistics: rows R_k / n_k with weights n_k and unit responsibilities give
    exactly its n_k and (to rounding) its resultants R_k."""
    safe = np.where(nk > 0, nk, 1.0)
    return est._m_step(R / safe[:, None], np.eye(len(nk)), nk, means, kappas)


def fit(est, X, sample_weight=None):
    """VonMisesFisherMixture.fit of a dask X (see the module notes)."""
    import dask
    import dask.array as da

    est._check_params()
    X = _checked(est, X, reset=True)
    est._check_n_samples(X.shape[0])
    verbose = check_verbose(est.verbose)
    n, d, k = X.shape[0], X.shape[1], est.n_components
    w = None
    if sample_weight is not None:
        w = rows_like(sample_weight, X, "sample_weight").astype(np.float64)
        finite, nonneg, total = dask.compute(da.isfinite(w).all(), (w >= 0).all(), w.sum())
        if not finite:
            raise ValueError("'sample_weight' contains NaN or infinite values.")
        if not nonneg:
            raise ValueError("'sample_weight' must be non-negative.")
        if not total > 0:
            raise ValueError("'sample_weight' must not all be zero (their sum must be positive).")
        total_w = float(total)
    else:
        total_w = float(n)
    rng = check_random_state(est.random_state)
    xblocks = list(X.to_delayed().ravel())
    wblocks = [None] * len(xblocks) if w is None else list(w.to_delayed().ravel())

    def e_pass(weights, means, kappas):  # one distributed pass: the bound and the summed (n_k, R_k)
        tasks = [dask.delayed(_em_block, pure=True)(xb, wb, means, kappas, np.log(weights), est.normalize)
                 for xb, wb in zip(xblocks, wblocks)]
        parts = dask.compute(*tasks)
        return sum(p[2] for p in parts) / total_w, (np.sum([p[0] for p in parts], axis=0),
                                                    np.sum([p[1] for p in parts], axis=0))

    def m_step(stats, means, kappas):
        return _m_step(est, *stats, d, means, kappas)

    best = None
    for init in range(est.n_init):
        if verbose and est.n_init > 1:
            print(f"Initialization {init + 1}", flush=True)
        m = min(n, max(_SAMPLE_ROWS, 20 * k))
        rows = np.sort(rng.choice(n, size=m, replace=False)) if m < n else np.arange(n)
        xs, ws = dask.compute(X[rows], None if w is None else w[rows])
        xs = _unit_rows(xs, est.normalize)
        ws = _process_weights(ws, m, name="sample_weight") if ws is not None and ws.sum() > 0 else None
        resp = est._initial_resp(xs, ws, rng)
        params = est._m_step(xs, resp, ws, np.tile(np.eye(1, d), (k, 1)), np.zeros(k))
        result = est._em(e_pass, m_step, params, -np.inf, verbose)[0]
        if best is None or result[0] > best[0]:
            best = result
    est.lower_bound_, est.weights_, est.means_, est.concentrations_, est.converged_, est.n_iter_ = best
    if not est.converged_ and est.max_iter > 0:
        warn_not_converged(f"the best of the {est.n_init} initialisation(s) did not converge within max_iter="
                           f"{est.max_iter} EM iterations (tol={est.tol}); increase max_iter or tol")
    return est


def log_prob(est, X):
    """Lazy (n, K) weighted log-probabilities of a dask X under the fitted mixture."""
    est._check_fitted()
    X = _checked(est, X, reset=False)
    return X.map_blocks(_log_prob_block, est.means_, est.concentrations_, np.log(est.weights_), est.normalize,
                        chunks=(X.chunks[0], (est.n_components,)), dtype=np.float64)


def score_samples(est, X):
    return log_prob(est, X).map_blocks(logsumexp, axis=1, drop_axis=1, dtype=np.float64)


def predict_proba(est, X):
    return log_prob(est, X).map_blocks(lambda lp: np.exp(lp - logsumexp(lp, axis=1, keepdims=True)),
                                       dtype=np.float64)


def predict(est, X):
    return log_prob(est, X).map_blocks(np.argmax, axis=1, drop_axis=1, dtype=np.int64)
