"""CLARA / FastCLARA on a dask array of raw points: samples solved locally, candidates evaluated chunk by chunk.

1. ``samples`` random samples of ``sample_size`` rows (default 40 + 2k for clara, 80 + 4k for fastclara, as in
   memory) are drawn on the client from ``random_state`` (one independent draw per sample), and only those rows
   are fetched from the cluster.
2. Each sample is clustered on the client with numkern's PAM (clara) or FastPAM2 (fastclara) -- the in-memory
   C++ solvers, on a sample_size x sample_size problem.
3. Every candidate medoid set is scored on *all* points in one distributed pass: each chunk task computes the
   distances of its rows to all candidates' medoids at once (numkern's C++ ``pairwise_dissimilarity``) and returns
   one (weighted) sum of nearest-medoid distances per candidate; the sums are added over the chunks.
4. The candidate with the lowest total deviation wins (the lowest sample index on ties); ``labels`` is a lazy dask
   array (nearest medoid per chunk, the in-memory tie rule).

Difference from the in-memory CLARA: there each sample also contains the best medoids found so far (the samples
are sequential); here the samples are independent so that all candidates are scored in a single pass over the data.
Methods that need the n x n matrix or every point in one process (pam, fastpam1, fastpam2, fasterpam,
alternating, build, lab, clarans, fastclarans) raise TypeError naming clara / fastclara instead of gathering.
"""

from __future__ import annotations

import numpy as np

from .._backend import is_dask_array
from .._dask_util import require_dense, require_known_chunks, rows_like
from .._validation import check_integer, check_n_threads, check_verbose, seed_from
from ._kmedoids import KMedoidsResult, scale_together
from ._validation import METRICS, NO_LIMIT

DISTRIBUTED = ("clara", "fastclara")
_ROWS_PER_STEP = 16384  # rows of a chunk turned into distances at a time (bounded task memory)


def refuse(algorithm: str) -> TypeError:
    return TypeError(
        f"{algorithm} cannot run on a dask array without gathering all of it: it needs the n x n dissimilarity "
        "matrix or every point in one process. Use method='clara' or 'fastclara' (numkern.cluster.clara / "
        "fastclara), which cluster samples and evaluate the candidates chunk by chunk on the cluster, or compute "
        "X into memory yourself if it fits (X.compute())")


def _check_points(X, metric):
    require_known_chunks(X, "X")
    require_dense(X, "X", kinds="biuf")
    if not isinstance(metric, str) or metric not in METRICS:
        raise ValueError(f"metric: a dask X must be raw points with metric in {sorted(METRICS)} (precomputed "
                         f"matrices and callable metrics are not distributed), got {metric!r}")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples x n_features), got shape {X.shape}")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    return X.rechunk({1: -1}) if X.numblocks[1] > 1 else X


def _nearest_sums(Xc, wc, centers, k, metric, n_threads):
    """For a chunk: per candidate (centers holds C*k rows), sum over rows of w * distance to its nearest medoid."""
    from . import pairwise_dissimilarity

    Xc = np.ascontiguousarray(Xc)
    n_cand = centers.shape[0] // k
    out = np.zeros(n_cand)
    for i in range(0, Xc.shape[0], _ROWS_PER_STEP):
        d = pairwise_dissimilarity(Xc[i:i + _ROWS_PER_STEP], centers, metric=metric, n_threads=n_threads)
        nearest = d.reshape(d.shape[0], n_cand, k).min(axis=2)
        if wc is None:
            out += nearest.sum(axis=0)
        else:
            w = np.asarray(wc[i:i + _ROWS_PER_STEP], dtype=np.float64)
            positive = w > 0  # weight 0 removes the sample (as KMedoids.score)
            out += w[positive] @ nearest[positive]
    return out


def labels_of(Xc, centers, metric, n_threads):
    """Nearest medoid of every row of a chunk (exact power-of-two scaling as KMedoids.predict)."""
    from . import pairwise_dissimilarity

    Xc = np.ascontiguousarray(Xc, dtype=centers.dtype)
    Xs, cs = scale_together(Xc, centers, METRICS[metric])
    return np.argmin(pairwise_dissimilarity(Xs, cs, metric=metric, n_threads=n_threads), axis=1).astype(np.int64)


def lazy_labels(X, centers, metric, n_threads):
    return X.map_blocks(labels_of, np.ascontiguousarray(centers), metric, n_threads, drop_axis=1, dtype=np.int64)


def lazy_distances(X, centers, metric, n_threads):
    from . import pairwise_dissimilarity

    return X.map_blocks(lambda b: pairwise_dissimilarity(np.ascontiguousarray(b), centers, metric=metric,
                                                         n_threads=n_threads),
                        chunks=(X.chunks[0], (centers.shape[0],)), dtype=np.float64)


def run(algorithm, X, medoids, *, metric="precomputed", init=None, max_iter=None, random_state=None,
        sample_weight=None, n_threads=None, samples=5, sample_size=None, verbose=0, **_ignored):
    """CLARA / FastCLARA of a dask X (see the module notes); other algorithms raise."""
    import dask

    from ._kmedoids import run as run_in_memory

    if algorithm not in DISTRIBUTED:
        raise refuse(algorithm)
    if not is_dask_array(X):
        raise TypeError("sample_weight is a dask array but X is not; pass X as a dask array too "
                        "(dask.array.from_array(X)) or sample_weight as a NumPy array")
    check_n_threads(n_threads)
    threads = n_threads  # passed on to the public functions, which take None / -1 / a count
    verbose = check_verbose(verbose)
    X = _check_points(X, metric)
    n = X.shape[0]
    if np.ndim(medoids) != 0:
        raise ValueError(f"medoids must be an int (the number of clusters) for {algorithm}")
    k = check_integer(medoids, "medoids", min_value=1, max_value=max(n, 1))
    if init is not None:
        raise ValueError(f"init must be None for {algorithm}")
    samples = check_integer(samples, "samples", min_value=1, max_value=NO_LIMIT)
    sample_size = check_integer(sample_size, "sample_size", min_value=1, max_value=NO_LIMIT, allow_none=True)
    if sample_size is not None and sample_size < k:
        raise ValueError(f"sample_size must be >= k = {k} (a sample must hold the medoids), got {sample_size}")
    size = min(n, sample_size if sample_size is not None else (80 + 4 * k if algorithm == "fastclara" else 40 + 2 * k))
    w = None if sample_weight is None else rows_like(sample_weight, X, "sample_weight")
    rng = np.random.default_rng(seed_from(random_state))  # one stream for draws and solver seeds
    draws = [np.sort(rng.choice(n, size=size, replace=False)) for _ in range(samples)]
    seeds = [int(rng.integers(0, 2**63)) for _ in range(samples)]
    rows = np.unique(np.concatenate(draws))
    fetched = dask.compute(X[rows], None if w is None else w[rows])  # samples * size rows only
    pts, wts = np.ascontiguousarray(fetched[0]), fetched[1]
    if wts is not None and (not np.all(np.isfinite(wts)) or np.any(wts < 0)):
        raise ValueError("sample_weight: must be finite and non-negative")
    solver = "pam" if algorithm == "clara" else "fastpam2"
    candidates = []
    for draw, seed in zip(draws, seeds):
        local = np.searchsorted(rows, draw)
        res = run_in_memory(solver, pts[local], k, metric=metric, max_iter=max_iter, random_state=seed,
                            sample_weight=None if wts is None else wts[local], n_threads=threads)
        candidates.append(draw[res.medoids])
    centers = np.concatenate([pts[np.searchsorted(rows, c)] for c in candidates])
    xblocks = X.to_delayed().ravel()
    wblocks = [None] * len(xblocks) if w is None else list(w.to_delayed().ravel())
    parts = [dask.delayed(_nearest_sums, pure=True)(xb, wb, centers, k, metric, threads)
             for xb, wb in zip(xblocks, wblocks)]
    losses = np.sum(dask.compute(*parts), axis=0)
    best = int(np.argmin(losses))
    medoid_rows = candidates[best]
    result = KMedoidsResult(float(losses[best]), lazy_labels(X, centers[best * k:(best + 1) * k], metric, threads),
                            medoid_rows.astype(np.int64), samples, 0)
    if verbose:
        print(f"{algorithm} (dask): {samples} samples of {size}, loss {result.loss:.6g}", flush=True)
    return result, centers[best * k:(best + 1) * k]


def fit_estimator(est, X, sample_weight):
    """KMedoids.fit for a dask X (clara / fastclara only): labels_ stays lazy."""
    if est.method not in DISTRIBUTED:
        raise refuse(f"KMedoids(method={est.method!r})")
    k = check_integer(est.n_clusters, "n_clusters")
    if not 1 <= k <= X.shape[0]:
        raise ValueError(f"n_clusters must be an integer in 1..n_samples = 1..{X.shape[0]}, got {k!r}")
    res, centers = run(est.method, X, k, metric=est.metric, init=est.init, max_iter=est.max_iter,
                       random_state=est.random_state, sample_weight=sample_weight, n_threads=est.n_threads,
                       verbose=est.verbose)
    est.n_features_in_ = X.shape[1]
    est.labels_ = res.labels
    est.medoid_indices_ = res.medoids
    est.cluster_centers_ = centers
    est.inertia_ = res.loss
    est.n_iter_ = res.n_iter
    return est


def _fitted_points(est, X):
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(est, "medoid_indices_")
    X = _check_points(X, est.metric)
    if X.shape[1] != est.n_features_in_:
        raise ValueError(f"X has {X.shape[1]} features, but KMedoids is expecting {est.n_features_in_} features "
                         "as input.")
    return X, est.cluster_centers_.astype(X.dtype, copy=False)


def predict(est, X):
    """KMedoids.predict of a dask X: a lazy dask array of labels."""
    X, centers = _fitted_points(est, X)
    return lazy_labels(X, centers, est.metric, est.n_threads)


def transform(est, X):
    """KMedoids.transform of a dask X: lazy n x k distances."""
    X, centers = _fitted_points(est, X)
    return lazy_distances(X, np.ascontiguousarray(centers), est.metric, est.n_threads)
