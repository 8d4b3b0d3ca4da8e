"""The k-medoids functions: PAM family, alternating, CLARA and CLARANS on a matrix or on raw data."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import _cluster
from .._validation import check_allocation, check_integer, check_verbose, seed_from, warn_not_converged
from .._backend import any_dask, is_cupy_array
from . import _validation as v
from ._metrics import callable_matrix

# Algorithm names -> the binding's nc::Algorithm values (cpp/include/numkern/cluster/kmedoids.hpp).
_ALGORITHMS = dict(_cluster.Algorithm.__members__)
# Algorithms that revisit every dissimilarity many times: raw data is turned into an n x n matrix first.
_NEEDS_MATRIX = {"pam", "fastpam1", "fastpam2", "alternating", "build", "fastmsc", "pammedsil", "pamsil"}
# Eager swap loops: on raw data they keep the matrix while it fits in FASTERPAM_MATRIX_BYTES, else rows on the fly.
_EAGER = {"fasterpam", "fastermsc", "dynmsc"}
# Distances bounded whatever the data (no overflow guard needed): cosine <= 2, hamming and jaccard <= 1.
_BOUNDED = {"cosine", "hamming", "jaccard"}
# FasterPAM on raw data keeps the n x n matrix while it fits in this many bytes, else computes rows on the fly.
FASTERPAM_MATRIX_BYTES = 1 << 30


@dataclass(frozen=True)
class KMedoidsResult:
    """Result of a k-medoids clustering.

    Attributes
    ----------
    loss : float
        Total deviation: sum over objects of (weight times) the dissimilarity to the nearest medoid; ``inf``
        only where that true total exceeds the double range. For the silhouette optimisers (fastmsc, fastermsc,
        pammedsil, dynmsc) the average medoid silhouette, for pamsil the silhouette (higher is better there), as
        the ``kmedoids`` package reports them.
    labels : numpy.ndarray
        Cluster of every object, ``0 .. k-1`` (the slot of its nearest medoid, lowest slot on ties).
    medoids : numpy.ndarray
        Object index of the medoid of every slot (``labels == s`` is the cluster of ``medoids[s]``).
    n_iter : int
        Iterations: SWAP iterations (PAM, FastPAM1/2), passes over the data (FasterPAM), assignment rounds
        (alternating), samples (CLARA) or candidates drawn (CLARANS); 0 for ``build``/``lab``.
    n_swap : int
        Medoid replacements performed.
    """

    loss: float
    labels: np.ndarray
    medoids: np.ndarray
    n_iter: int
    n_swap: int


_LARGE_N_ALTERNATIVES = ("use fasterpam (on raw data it computes the distances on the fly when the n x n matrix "
                         "would exceed 1 GiB), clara/fastclara or clarans/fastclarans, which never store it")

# Overflow guard (see `run`): dissimilarities and their intermediate sums of squares stay below 2^_D_LOG2_MAX in
# double precision, below 2^_F32_LOG2_MAX when stored as float32; weighted sums below 2^_SUM_LOG2_MAX
# (every sum the algorithms form is at most 3 n max(w) max(d) in magnitude, DBL_MAX is about 2^1024).
_D_LOG2_MAX = 1020
_F32_LOG2_MAX = 126
_SUM_LOG2_MAX = 1018
_SQUARES_LOG2_MIN = -960  # sums of squares below this have lost bits in the subnormal range


def _points_exponent(big: float, dim: int, dtype, code: _cluster.Metric, p: float = 2.0):
    """(e, p, log2 of a bound on the dissimilarities after scaling): data with max |x| = big, dim features and
    metric `code` scaled by 2^-e has no overflowing dissimilarity, sum of squares or stored value; its
    dissimilarities are 2^-(p e) times the true ones (p = 1 euclidean and manhattan, 2 sqeuclidean)."""
    if code in {v.METRICS[name] for name in _BOUNDED}:  # scale invariant, at most 2
        return 0, 0, 1.0
    if big == 0.0:
        return 0, 1, -math.inf
    stored_max = _F32_LOG2_MAX if dtype == np.float32 else _D_LOG2_MAX
    log_diff = math.log2(big) + 1.0  # |x_t - y_t| <= 2 max|x|
    log_dim = math.log2(dim)
    if code == v.METRICS["canberra"]:  # scale invariant, at most dim; |x| + |y| must not overflow
        e = max(0, math.ceil(log_diff - _D_LOG2_MAX))
        return e, 0, log_dim
    if code in (v.METRICS["manhattan"], v.METRICS["chebyshev"], v.METRICS["minkowski"]):
        # homogeneous of degree 1 and at most the manhattan distance for p >= 1 (below 1: dim^(1/p) max diff)
        power, log_d = 1, log_diff + log_dim * max(1.0, 1.0 / p)
        e = max(0, math.ceil(log_d - min(_D_LOG2_MAX, stored_max)))
    else:  # euclidean / sqeuclidean: the sum of squares must fit in double, the result in the stored type
        log_squares = 2.0 * log_diff + log_dim
        power = 2 if code == v.METRICS["sqeuclidean"] else 1
        log_d = log_squares if power == 2 else 0.5 * log_squares
        e = max(0, math.ceil(max((log_squares - _D_LOG2_MAX) / 2.0, (log_d - stored_max) / power)))
        if log_squares < _SQUARES_LOG2_MIN or (dtype == np.float32 and log_d < -stored_max):
            # Tiny data: squares (or float32 results) would underflow; scale up to max |x| in [1, 2) (exact).
            e = math.floor(math.log2(big))
    return e, power, log_d - power * e


def _scale_points(A: np.ndarray, code: _cluster.Metric, p: float = 2.0):
    """Scale raw data by 2^-e (exact) where its dissimilarities would overflow.

    Returns (data, bound on every dissimilarity of the returned data, p e): the true dissimilarities are 2^(p e)
    times those of the returned data. Data whose dissimilarities fit is returned as it is (e = 0).
    """
    e, power, log_d = _points_exponent(float(np.abs(A).max()), A.shape[1], A.dtype, code, p)
    if e == 0:
        return A, 2.0**log_d, 0
    return np.ldexp(A, -e).astype(A.dtype, copy=False), 2.0**log_d, power * e


def scale_together(A: np.ndarray, B: np.ndarray, code: _cluster.Metric, p: float = 2.0):
    """A and B scaled by the same power of two where their mutual dissimilarities would overflow (`predict`)."""
    big = max(float(np.abs(A).max(initial=0.0)), float(np.abs(B).max(initial=0.0)))
    e = _points_exponent(big, A.shape[1], A.dtype, code, p)[0]
    if e == 0:
        return A, B
    return np.ldexp(A, -e).astype(A.dtype, copy=False), np.ldexp(B, -e).astype(B.dtype, copy=False)


def _matrix_bytes(n: int, itemsize: int, what: str) -> None:
    """Refuse an n x n matrix that cannot fit in memory, before numpy or C++ try to allocate it."""
    check_allocation(n * n * itemsize, f"{what} of n = {n} objects into an n x n dissimilarity matrix, which",
                     _LARGE_N_ALTERNATIVES)


def _prepare(algorithm: str, X, metric, n_threads: int, p: float = 2.0):
    """Return (data array, metric code, largest dissimilarity or a bound on it, loss exponent) for the C++ core.

    Metric None means `data` is the dissimilarity matrix; the loss of `data` times 2^(loss exponent) is the loss of
    the caller's data (raw data is scaled by a power of two where its distances would overflow).
    """
    code = v.check_metric(metric)
    if code is None:
        return _matrix_result(v.check_matrix(X, n_threads))
    A = v.check_points(X)
    n = A.shape[0]
    if callable(code):
        _matrix_bytes(n, 8, "X: a callable metric turns the raw data")
        return _matrix_result(v.check_matrix(callable_matrix(A, code), n_threads))
    A, largest, loss_exponent = _scale_points(A, code, p)
    if algorithm in _NEEDS_MATRIX or (algorithm in _EAGER and n * n * A.itemsize <= FASTERPAM_MATRIX_BYTES):
        _matrix_bytes(n, A.itemsize, f"X: {algorithm} turns the raw data")
        return _cluster.pairwise(A, code, n_threads, p), None, largest, loss_exponent
    return A, code, largest, loss_exponent


def _matrix_result(checked):
    D, largest = checked
    return D, None, largest, 0


def _weight_exponent(n: int, weights, largest: float) -> int:
    """e such that the weighted sums of the algorithms stay finite with weights 2^-e w (0 when they already do)."""
    if largest == 0.0:
        return 0
    log_total = math.log2(n) + math.log2(largest) + (0.0 if weights is None else math.log2(float(weights.max())))
    return max(0, math.ceil(log_total - _SUM_LOG2_MAX))


def _scaled_weights(n: int, weights, e: int):
    """Weights times 2^-e (exact); refused where positive weights would lose bits in the subnormal range."""
    if e == 0:
        return weights
    scaled = np.full(n, 2.0**-e) if weights is None else np.ldexp(weights, -e)
    positive = scaled if weights is None else scaled[weights > 0]
    if positive.size and positive.min() < np.finfo(np.float64).tiny:
        raise ValueError(
            "sample_weight: the weighted sums reach 2^{:.0f} and must be scaled by 2^-{} to stay finite, which "
            "would push the smallest positive weights below the normal double range; cluster with weights of a "
            "narrower range (max/min) or smaller dissimilarities".format(e + _SUM_LOG2_MAX, e))
    return scaled


def _unscaled_loss(loss: float, e: int) -> float:
    """loss * 2^e, inf where the true total deviation exceeds the double range."""
    if e == 0:
        return float(loss)
    try:
        return math.ldexp(float(loss), e)
    except OverflowError:
        return math.inf


def run(algorithm: str, X, medoids, *, metric="precomputed", init=None, default_init="build", max_iter=None,
        random_state=None, sample_weight=None, n_threads=None, samples=5, sample_size=None, numlocal=2,
        maxneighbor=None, verbose=0, p=2.0, minimum_k=2) -> KMedoidsResult:
    """Validate the arguments, run ``algorithm`` and wrap the result (shared by all public functions).

    ``verbose`` >= 1 prints a summary line; a swap run stopped by ``max_iter`` warns (see the module notes).
    """
    if any_dask(X, sample_weight):  # clara/fastclara distributed, the rest refused (numkern.cluster._dask)
        from ._dask import run as dask_run
        return dask_run(algorithm, X, medoids, metric=metric, init=init, max_iter=max_iter, random_state=random_state,
                        sample_weight=sample_weight, n_threads=n_threads, samples=samples, sample_size=sample_size,
                        verbose=verbose)[0]
    verbose = check_verbose(verbose)
    res = _run(algorithm, X, medoids, metric=metric, init=init, default_init=default_init, max_iter=max_iter,
               random_state=random_state, sample_weight=sample_weight, n_threads=n_threads, samples=samples,
               sample_size=sample_size, numlocal=numlocal, maxneighbor=maxneighbor, p=p, minimum_k=minimum_k)
    if verbose:
        print(f"{algorithm}: {res.n_iter} iterations, {res.n_swap} swaps, loss {res.loss:.6g}", flush=True)
    if max_iter is not None and _stopped_by_max_iter(algorithm, res, max_iter):
        warn_not_converged(f"{algorithm} stopped at max_iter={max_iter} iterations while still swapping "
                           f"({res.n_swap} swaps, loss {res.loss:.6g}); increase max_iter to converge", stacklevel=4)
    return res


# Swap/alternating methods whose iterations stop at max_iter (CLARA's n_iter counts samples, CLARANS' steps).
_ITERATIVE = ("pam", "fastpam1", "fastpam2", "fasterpam", "alternating", "fastmsc", "fastermsc", "pammedsil", "pamsil")
# One swap per iteration (best improvement): max_iter stopped them exactly when n_swap == n_iter == max_iter.
_BEST_IMPROVEMENT = ("pam", "fastpam1", "fastmsc", "pammedsil", "pamsil")
# Silhouette optimisers (C++ msc.hpp): result loss = average medoid silhouette (pamsil: silhouette), k >= 2.
SILHOUETTE_METHODS = ("fastmsc", "fastermsc", "pammedsil", "pamsil", "dynmsc")


def _stopped_by_max_iter(algorithm: str, res: KMedoidsResult, max_iter) -> bool:
    """Whether ``max_iter`` (already validated) ended a run that was still improving.

    pam/fastpam1 make exactly one swap per iteration and end with an iteration without one when they converge, so
    n_swap == n_iter == max_iter means the limit stopped them. The other methods may swap several times per
    iteration; there any swap in a run that used all max_iter iterations counts (the last one may have converged).
    """
    if algorithm not in _ITERATIVE or max_iter <= 0 or res.n_iter < max_iter:
        return False
    if algorithm in _BEST_IMPROVEMENT:
        return res.n_swap == res.n_iter
    return res.n_swap > 0


def _run(algorithm, X, medoids, *, metric, init, default_init, max_iter, random_state, sample_weight, n_threads,
         samples, sample_size, numlocal, maxneighbor, p=2.0, minimum_k=2) -> KMedoidsResult:
    threads = v.check_n_threads(n_threads)
    if is_cupy_array(X):
        if metric != "precomputed":
            raise ValueError("CuPy input needs metric='precomputed' (a square dissimilarity matrix on the GPU)")
        if algorithm in SILHOUETTE_METHODS:
            raise ValueError(f"{algorithm} runs on the CPU: pass a numpy array (cupy.asnumpy(X))")
        from ._cuda import run_cupy

        med, labels, loss, n_iter, n_swap = run_cupy(algorithm, X, medoids, init, max_iter, sample_weight)
        return KMedoidsResult(loss, labels, med, n_iter, n_swap)
    p = v.check_p(p)
    data, code, largest, loss_exponent = _prepare(algorithm, X, metric, threads, p)
    n = data.shape[0]
    k, initial = v.check_medoids(medoids, n)
    if initial is not None:
        if algorithm in ("build", "lab", "clara", "fastclara", "clarans", "fastclarans"):
            raise ValueError(f"medoids must be an int (the number of clusters) for {algorithm}")
        if init is not None:
            raise ValueError("init must be None when medoids is an array of initial medoids")
        init_code = _cluster.Init.given
    else:
        init_code = v.check_init(init, default_init)
        initial = np.zeros(0, dtype=np.int64)
    if algorithm in SILHOUETTE_METHODS:
        if sample_weight is not None:
            raise ValueError(f"sample_weight: {algorithm} optimises the unweighted (medoid) silhouette; pass None")
        return _run_silhouette(algorithm, data, code, p, k, minimum_k, init_code, initial, max_iter, random_state,
                               threads)
    samples = check_integer(samples, "samples", min_value=1, max_value=v.NO_LIMIT)
    numlocal = check_integer(numlocal, "numlocal", min_value=1, max_value=v.NO_LIMIT)
    maxneighbor = check_integer(maxneighbor, "maxneighbor", min_value=1, max_value=v.NO_LIMIT, allow_none=True)
    sample_size = check_integer(sample_size, "sample_size", min_value=1, max_value=v.NO_LIMIT, allow_none=True)
    if algorithm in ("clara", "fastclara"):
        if sample_size is not None and sample_size < k:
            raise ValueError(f"sample_size must be >= k = {k} (a sample must hold the medoids), got {sample_size}")
        size = min(n, sample_size if sample_size is not None else (80 + 4 * k if algorithm == "fastclara" else 40 + 2 * k))
        check_allocation(size * size * data.itemsize, f"sample_size: the {size} x {size} sample matrix",
                         "use a smaller sample_size")
    weights = v.check_weights(sample_weight, n)
    # Overflow guard: where n max(w) max(d) could exceed the double range, every weight (unit weights
    # included) is multiplied by the same power of two -- exact, so every comparison and choice is that of
    # the unscaled problem -- and the loss scaled back (inf only where the true total exceeds DBL_MAX).
    weight_exponent = _weight_exponent(n, weights, largest)
    loss_exponent += weight_exponent
    run_weights = _scaled_weights(n, weights, weight_exponent)
    args = (v.check_max_iter(max_iter), seed_from(random_state), threads)
    extra = (samples, sample_size or 0, numlocal, maxneighbor or 0)
    if weights is not None and not weights.all():
        res = _run_without_zero_weights(algorithm, data, code, k, init_code, initial, run_weights, args, extra, p)
    else:
        med, labels, loss, n_iter, n_swap = _cluster.run(
            _ALGORITHMS[algorithm], data, code, k, init_code, initial, *args, run_weights, *extra, p=p)
        res = KMedoidsResult(float(loss), labels, med, int(n_iter), int(n_swap))
    if loss_exponent:
        res = KMedoidsResult(_unscaled_loss(res.loss, loss_exponent), res.labels, res.medoids, res.n_iter, res.n_swap)
    return res


def _run_without_zero_weights(algorithm, data, code, k, init_code, initial, weights, args, extra, p):
    """A zero weight means "not there": cluster the positive-weight objects only, then label the rest.

    This keeps weight 0 equivalent to deleting the object (it can never become a medoid).
    """
    keep = np.flatnonzero(weights > 0)
    if k > keep.size:
        raise ValueError(f"medoids: k = {k} exceeds the {keep.size} objects with positive sample_weight")
    if initial.size:
        position = np.full(weights.size, -1, dtype=np.int64)
        position[keep] = np.arange(keep.size)
        initial = position[initial]
        if (initial < 0).any():
            raise ValueError("medoids: initial medoids must have positive sample_weight")
    if code is None:
        check_allocation(keep.size * keep.size * data.itemsize,
                         f"sample_weight: the {keep.size} x {keep.size} matrix of the positive-weight objects")
    sub = np.ascontiguousarray(data[np.ix_(keep, keep)] if code is None else data[keep])
    med, _, loss, n_iter, n_swap = _cluster.run(
        _ALGORITHMS[algorithm], sub, code, k, init_code, initial, *args, weights[keep], *extra, p=p)
    medoids = keep[med]
    threads = args[2]
    if code is None:
        to_medoids = data[medoids]  # rows = medoids, row-major: d(j, m) = data[m, j]
    else:
        to_medoids = _cluster.cdist(np.ascontiguousarray(data[medoids]), data, code, threads, p)
    labels = np.argmin(to_medoids, axis=0).astype(np.int64)
    return KMedoidsResult(float(loss), labels, medoids, int(n_iter), int(n_swap))


@dataclass(frozen=True)
class DynMSCResult(KMedoidsResult):
    """Result of :func:`numkern.cluster.dynmsc`: the best clustering and the scan over k.

    Attributes
    ----------
    loss, labels, medoids, n_iter, n_swap
        As in :class:`KMedoidsResult` for the chosen k (``loss``: its average medoid silhouette; ``n_iter`` and
        ``n_swap`` add up the FasterMSC runs of every k).
    bestk : int
        The number of clusters with the highest average medoid silhouette.
    losses : numpy.ndarray
        The average medoid silhouette reached at every k of ``rangek``.
    rangek : range
        ``range(minimum_k, k_max + 1)``.

    The attribute names are those of ``kmedoids.DynkResult``.
    """

    bestk: int = 0
    losses: np.ndarray = None
    rangek: range = range(0)


def _run_silhouette(algorithm, data, code, p, k, minimum_k, init_code, initial, max_iter, random_state, threads):
    """The silhouette optimisers: validate k against n (and minimum_k for dynmsc), run, wrap the result."""
    n = data.shape[0]
    what = "the maximum number of clusters k_max" if algorithm == "dynmsc" else "the number of clusters k"
    if not 2 <= k <= n - 1:
        raise ValueError(f"medoids: {what} must be in 2..n-1 = 2..{n - 1} for {algorithm} (the medoid silhouette "
                         f"needs a second-nearest medoid and a non-medoid object), got {k}")
    if algorithm == "dynmsc":
        minimum_k = check_integer(minimum_k, "minimum_k", min_value=2)
        if minimum_k > k:
            raise ValueError(f"minimum_k must be <= k_max = {k} (the medoids argument), got {minimum_k}")
    else:
        minimum_k = k
    med, labels, loss, n_iter, n_swap, losses = _cluster.msc(
        _ALGORITHMS[algorithm], data, code, p, k, minimum_k, init_code, initial, v.check_max_iter(max_iter),
        seed_from(random_state), threads)
    if algorithm != "dynmsc":
        return KMedoidsResult(float(loss), labels, med, int(n_iter), int(n_swap))
    rangek = range(minimum_k, k + 1)
    return DynMSCResult(float(loss), labels, med, int(n_iter), int(n_swap), bestk=int(med.size), losses=losses,
                        rangek=rangek)
