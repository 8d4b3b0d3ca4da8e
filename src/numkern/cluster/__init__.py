"""k-medoids clustering: PAM, FastPAM1/2, FasterPAM, alternating, CLARA, CLARANS and a scikit-learn estimator.

Every function takes a square dissimilarity matrix (``metric="precomputed"``, the default) or raw data ``X``
(n_samples x n_features) with a metric, plus ``medoids`` = the number of clusters k or an array of initial
medoid indices, and returns a :class:`KMedoidsResult`.

Conventions (Schubert & Rousseeuw, "Fast and eager k-medoids clustering", Information Systems 101 (2021)):

* The loss is TD = sum_j w_j d(j, nearest medoid); ``labels`` are 0..k-1 in medoid slot order.
* A matrix entry ``diss[m, j]`` is the dissimilarity charged to object ``j`` when ``m`` is its medoid (row =
  medoid). Symmetric matrices are the normal case; asymmetric ones are accepted with that meaning.
  Entries must be finite and non-negative (NaN, inf and negative values raise ValueError); any diagonal is
  allowed. Integer matrices are converted to float64; a non-C-contiguous matrix is copied once.
* A swap is accepted only if it lowers TD by more than 1e-12 TD (so rounding noise, e.g. swaps between
  duplicate points, never counts as an improvement); nothing is tried once TD = 0.
* Ties pick the lowest object index, then the lowest slot; values within 1e-12 TD of the best count as tied,
  so rounding in differently ordered sums never decides between choices that are equal in exact arithmetic. ``pam`` and ``fastpam1`` therefore return the same
  medoids, and every result is independent of ``n_threads`` for a given ``random_state``.
* k distinct medoids are always returned, even when there are fewer than k distinct points.
* ``sample_weight`` multiplies each object's term in the loss: integer weights are equivalent to repeating
  objects.
* Any finite input is clustered correctly, however large: where the weighted sums could leave the double range (n
  max(w) max(d) > DBL_MAX / 4, e.g. entries or weights near 1e308) the weights are multiplied by a power of two, and
  raw data whose distances (or squared differences, or float32 results) would overflow -- or, for
  euclidean/sqeuclidean, underflow -- is multiplied by a power of two first. Both are exact, so medoids, labels and
  counts are those of the unscaled problem in exact-range arithmetic; the loss is scaled back and is ``inf`` only when
  the true total exceeds DBL_MAX. If that scaling would push positive weights into the subnormal range (weights
  spanning more than ~1e300 together with such dissimilarities), ValueError naming ``sample_weight`` is raised
  instead. The result always holds k distinct valid medoids.
* ``metric="cosine"`` is scale invariant: rows whose squared norm over- or underflows (``|x| > ~1e154`` or
  ``< ~1e-145``) are compared after exact power-of-two scaling; zero rows are at distance 1.
* Raw data that must become an n x n matrix (pam, fastpam1, fastpam2, alternating, build, callable metrics)
  is refused before allocating with :class:`numkern._validation.InsufficientMemoryError` (a MemoryError and
  a ValueError) naming ``X``, n and the GiB needed when that exceeds the available memory; ``fasterpam``
  (rows on the fly), ``clara``/``fastclara`` and ``clarans``/``fastclarans`` do not store it.
* Byte-swapped (big-endian) arrays are converted to native byte order (same results as native input).
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from ._kmedoids import KMedoidsResult, run as _run
from . import _validation
from .. import _cluster

__all__ = [
    "KMedoids", "KMedoidsResult", "pam", "fastpam1", "fastpam2", "fasterpam", "alternating", "build", "lab",
    "clara", "fastclara", "clarans", "fastclarans", "pairwise_dissimilarity",
]

_F = TypeVar("_F", bound=Callable[..., Any])

_COMMON = """
    Parameters
    ----------
    X : array_like
        Square dissimilarity matrix (n x n) when ``metric="precomputed"``, else data (n_samples x
        n_features). float32 and float64 are used as given.
    medoids : int or array_like of int
        The number of clusters k (1 <= k <= n) or the initial medoid indices (then ``init`` must be None).
    metric : str or callable, default "precomputed"
        "precomputed", "euclidean", "sqeuclidean", "manhattan", "cosine" (computed in C++ in double
        precision) or a callable ``metric(x, y) -> float`` (evaluated in Python for all pairs).{metric_note}
{init}    max_iter : int or None, default None
        Limit on the iterations (see ``n_iter`` of the result); None runs to convergence.
    random_state : None, int, numpy.random.SeedSequence, Generator or RandomState, default None
        Seed of every random choice (see :ref:`random-state`); results do not depend on ``n_threads``.
    sample_weight : array_like, optional
        Non-negative weight of each object's term in the loss.
    n_threads : int or None, default None
        OpenMP threads; None uses OpenMP's default (``OMP_NUM_THREADS``).{extra}
    verbose : int or bool, default 0
        0 prints nothing; >= 1 prints one summary line to stdout when the run ends (iterations, swaps, loss),
        e.g. ``pam: 3 iterations, 2 swaps, loss 12.5``. The iterations run in C++, so there is no per-iteration
        output for k-medoids.

    Warns
    -----
    sklearn.exceptions.ConvergenceWarning
        (:class:`numkern._validation.ConvergenceWarning` without scikit-learn) when ``max_iter`` stopped a swap or
        alternating run (pam, fastpam1, fastpam2, fasterpam, alternating) that was still improving: ``n_iter ==
        max_iter`` and the run swapped in every iteration (pam, fastpam1) or swapped at all (the others, whose last
        iteration may then have been the converged one). CLARA/CLARANS and BUILD/LAB do not warn.

    Returns
    -------
    KMedoidsResult
        ``loss``, ``labels``, ``medoids``, ``n_iter``, ``n_swap``.

    Raises
    ------
    TypeError
        An integer argument (``medoids`` as k, ``max_iter``, ...) given as bool, float or other non-integer.
    ValueError
        Bad values (NaN/inf/negative input, k out of range, ...), naming the argument.
    numkern._validation.InsufficientMemoryError
        The n x n matrix of raw data would not fit in the available memory (see the module notes).
"""

_INIT = """    init : {{"build", "lab", "random", "first"}} or None, default None
        Initial medoids when ``medoids`` is an int; None means "{default}".
"""


def _doc(summary: str, default_init: str | None = "build", metric_note: str = "", extra: str = "",
         example: str = "") -> Callable[[_F], _F]:
    init = _INIT.format(default=default_init) if default_init else ""

    def decorate(func: _F) -> _F:
        func.__doc__ = summary + _COMMON.format(metric_note=metric_note, init=init, extra=extra) + example
        return func

    return decorate


_MATRIX_NOTE = "\n        Raw data is turned into the n x n matrix first (this algorithm revisits it)."


@_doc(
    """Exact PAM: BUILD (or the given start) followed by best-improvement SWAP.

    Each SWAP iteration applies the single best (slot, candidate) swap over all pairs, exactly as in
    Kaufman & Rousseeuw's PAM, but every candidate is evaluated for all k slots in one O(n) pass (FastPAM1),
    so an iteration costs O(n^2) instead of O(k n^2). Same result as :func:`fastpam1`.
""",
    metric_note=_MATRIX_NOTE,
    example="""
    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import pam
    >>> x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    >>> result = pam(np.abs(x[:, None] - x[None, :]), 2)
    >>> result.medoids, result.loss
    (array([1, 4]), 4.0)
    >>> result.labels
    array([0, 0, 0, 1, 1, 1])
""",
)
def pam(X, medoids, *, metric="precomputed", init=None, max_iter=None, random_state=None, sample_weight=None,
        n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("pam", X, medoids, metric=metric, init=init, default_init="build", max_iter=max_iter,
                random_state=random_state, sample_weight=sample_weight, n_threads=n_threads, verbose=verbose)


@_doc(
    """FastPAM1: PAM's best-improvement SWAP with the O(k) faster candidate pass.

    Returns the same medoids, loss and swap count as :func:`pam` from the same start (default: BUILD).
""",
    metric_note=_MATRIX_NOTE,
    example="""
    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import fastpam1
    >>> x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    >>> fastpam1(np.abs(x[:, None] - x[None, :]), 2).loss
    4.0
""",
)
def fastpam1(X, medoids, *, metric="precomputed", init=None, max_iter=None, random_state=None, sample_weight=None,
             n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("fastpam1", X, medoids, metric=metric, init=init, default_init="build", max_iter=max_iter,
                random_state=random_state, sample_weight=sample_weight, n_threads=n_threads, verbose=verbose)


@_doc(
    """FastPAM2: up to k swaps per O(n^2) sweep (the best candidate of every slot, re-checked eagerly).

    Converges to a 1-swap local optimum, usually with fewer sweeps than PAM; not always PAM's result.
""",
    metric_note=_MATRIX_NOTE,
    example="""
    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import fastpam2
    >>> x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    >>> fastpam2(np.abs(x[:, None] - x[None, :]), 2).loss
    4.0
""",
)
def fastpam2(X, medoids, *, metric="precomputed", init=None, max_iter=None, random_state=None, sample_weight=None,
             n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("fastpam2", X, medoids, metric=metric, init=init, default_init="build", max_iter=max_iter,
                random_state=random_state, sample_weight=sample_weight, n_threads=n_threads, verbose=verbose)


@_doc(
    """FasterPAM: eager swaps, each candidate applied as soon as it improves the loss.

    Candidates are visited cyclically and the loop stops after a full cycle without a swap. Threads
    evaluate upcoming candidates speculatively, so the result equals the sequential one for any thread count.
""",
    default_init="random",
    metric_note="""
        Raw data is turned into the n x n matrix while it needs at most 1 GiB, else rows are computed on the
        fly (O(n) memory, O(n^2 d) work per pass).""",
    example="""
    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import fasterpam
    >>> x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    >>> fasterpam(np.abs(x[:, None] - x[None, :]), 2, random_state=0).loss
    4.0
""",
)
def fasterpam(X, medoids, *, metric="precomputed", init=None, max_iter=None, random_state=None, sample_weight=None,
              n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("fasterpam", X, medoids, metric=metric, init=init, default_init="random", max_iter=max_iter,
                random_state=random_state, sample_weight=sample_weight, n_threads=n_threads, verbose=verbose)


@_doc(
    """Alternating (k-means style) k-medoids: assign to the nearest medoid, re-centre every cluster, repeat.

    Cheap per iteration but usually a worse local optimum than the swap methods.
""",
    metric_note=_MATRIX_NOTE,
    example="""
    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import alternating
    >>> x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    >>> alternating(np.abs(x[:, None] - x[None, :]), np.array([0, 5])).medoids
    array([1, 4])
""",
)
def alternating(X, medoids, *, metric="precomputed", init=None, max_iter=None, random_state=None,
                sample_weight=None, n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("alternating", X, medoids, metric=metric, init=init, default_init="build", max_iter=max_iter,
                random_state=random_state, sample_weight=sample_weight, n_threads=n_threads, verbose=verbose)


@_doc(
    """PAM's BUILD initialisation alone: greedy additions of the medoid that lowers the loss most.
""",
    default_init=None,
    metric_note=_MATRIX_NOTE,
    example="""
    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import build
    >>> x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    >>> build(np.abs(x[:, None] - x[None, :]), 2).medoids
    array([2, 4])
""",
)
def build(X, medoids, *, metric="precomputed", max_iter=None, random_state=None, sample_weight=None,
          n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("build", X, medoids, metric=metric, max_iter=max_iter, random_state=random_state,
                sample_weight=sample_weight, n_threads=n_threads, verbose=verbose)


@_doc(
    """LAB initialisation: BUILD on a fresh random subsample of 10 + sqrt(n) objects per step, O(n k).
""",
    default_init=None,
    example="""
    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import lab
    >>> x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    >>> sorted(lab(np.abs(x[:, None] - x[None, :]), 2, random_state=0).labels.tolist())
    [0, 0, 0, 1, 1, 1]
""",
)
def lab(X, medoids, *, metric="precomputed", max_iter=None, random_state=None, sample_weight=None,
        n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("lab", X, medoids, metric=metric, max_iter=max_iter, random_state=random_state,
                sample_weight=sample_weight, n_threads=n_threads, verbose=verbose)


_CLARA_EXTRA = """
    samples : int, default 5
        Number of random samples (each contains the best medoids found so far).
    sample_size : int or None, default None
        Objects per sample, at least k (values above n mean n); None means {size}."""

_CLARANS_EXTRA = """
    numlocal : int, default 2
        Random restarts.
    maxneighbor : int or None, default None
        Consecutive non-improving draws that end a restart; None means {default}."""

_ONLINE_NOTE = "\n        Raw data is never turned into an n x n matrix (O(n) memory)."


@_doc(
    """CLARA: PAM on random samples, each evaluated on all objects; the best medoids are kept.

    Stores only a sample_size x sample_size matrix, so it scales to n where n x n does not fit.
""",
    default_init=None,
    metric_note=_ONLINE_NOTE,
    extra=_CLARA_EXTRA.format(size="40 + 2k"),
    example="""
    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import clara
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(0, 1, (500, 2)), rng.normal(20, 1, (500, 2))])
    >>> result = clara(X, 2, metric="euclidean", random_state=0)
    >>> np.bincount(result.labels).tolist()
    [500, 500]
""",
)
def clara(X, medoids, *, metric="precomputed", max_iter=None, random_state=None, sample_weight=None,
          n_threads=None, samples=5, sample_size=None, verbose=0) -> KMedoidsResult:
    return _run("clara", X, medoids, metric=metric, max_iter=max_iter, random_state=random_state,
                sample_weight=sample_weight, n_threads=n_threads, samples=samples, sample_size=sample_size,
                verbose=verbose)


@_doc(
    """FastCLARA: CLARA with FastPAM2 on larger samples (80 + 4k objects by default).
""",
    default_init=None,
    metric_note=_ONLINE_NOTE,
    extra=_CLARA_EXTRA.format(size="80 + 4k"),
    example="""
    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import fastclara
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(0, 1, (500, 2)), rng.normal(20, 1, (500, 2))])
    >>> np.bincount(fastclara(X, 2, metric="euclidean", random_state=0).labels).tolist()
    [500, 500]
""",
)
def fastclara(X, medoids, *, metric="precomputed", max_iter=None, random_state=None, sample_weight=None,
              n_threads=None, samples=5, sample_size=None, verbose=0) -> KMedoidsResult:
    return _run("fastclara", X, medoids, metric=metric, max_iter=max_iter, random_state=random_state,
                sample_weight=sample_weight, n_threads=n_threads, samples=samples, sample_size=sample_size,
                verbose=verbose)


@_doc(
    """CLARANS: randomized search over (slot, candidate) swaps with restarts (Ng & Han 2002).

    Each draw costs one O(n) pass; a restart ends after ``maxneighbor`` consecutive failures.
""",
    default_init=None,
    metric_note=_ONLINE_NOTE,
    extra=_CLARANS_EXTRA.format(default="max(250, 1.25% of k (n - k))"),
    example="""
    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import clarans
    >>> x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    >>> clarans(np.abs(x[:, None] - x[None, :]), 2, random_state=0).loss
    4.0
""",
)
def clarans(X, medoids, *, metric="precomputed", max_iter=None, random_state=None, sample_weight=None,
            n_threads=None, numlocal=2, maxneighbor=None, verbose=0) -> KMedoidsResult:
    return _run("clarans", X, medoids, metric=metric, max_iter=max_iter, random_state=random_state,
                sample_weight=sample_weight, n_threads=n_threads, numlocal=numlocal, maxneighbor=maxneighbor,
                verbose=verbose)


@_doc(
    """FastCLARANS: CLARANS drawing only the candidate and trying it in all k slots in one O(n) pass.
""",
    default_init=None,
    metric_note=_ONLINE_NOTE,
    extra=_CLARANS_EXTRA.format(default="max(250, 2.5% of n - k)"),
    example="""
    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import fastclarans
    >>> x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0])
    >>> fastclarans(np.abs(x[:, None] - x[None, :]), 2, random_state=0).loss
    4.0
""",
)
def fastclarans(X, medoids, *, metric="precomputed", max_iter=None, random_state=None, sample_weight=None,
                n_threads=None, numlocal=2, maxneighbor=None, verbose=0) -> KMedoidsResult:
    return _run("fastclarans", X, medoids, metric=metric, max_iter=max_iter, random_state=random_state,
                sample_weight=sample_weight, n_threads=n_threads, numlocal=numlocal, maxneighbor=maxneighbor,
                verbose=verbose)


def pairwise_dissimilarity(X, Y=None, *, metric="euclidean", n_threads=None):
    """Dissimilarity matrix between the rows of ``X`` (and ``Y``), computed in C++ in double precision.

    Parameters
    ----------
    X : array_like
        Data, n_samples x n_features (float32 stays float32 in the output).
    Y : array_like, optional
        Second data set with the same number of features; None means ``X``.
    metric : {"euclidean", "sqeuclidean", "manhattan", "cosine"}, default "euclidean"
        The dissimilarity (cosine: 1 - cos, clipped to [0, 2], scale invariant for every finite row; a zero
        vector is at distance 1; euclidean is finite whenever the true distance is, even where the squared
        differences over- or underflow).
    n_threads : int or None, default None
        OpenMP threads; None uses OpenMP's default.

    Returns
    -------
    numpy.ndarray
        ``D[i, j] = d(X[i], Y[j])``.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import pairwise_dissimilarity
    >>> pairwise_dissimilarity(np.array([[0.0, 0.0], [3.0, 4.0]]))
    array([[0., 5.],
           [5., 0.]])
    """
    code = _validation.check_metric(metric)
    if callable(code) or code < 0:
        raise ValueError(f"metric must be one of {sorted(_validation.METRICS)}, got {metric!r}")
    threads = _validation.check_n_threads(n_threads)
    A = _validation.check_points(X)
    if Y is None:
        return _cluster.pairwise(A, code, threads)
    B = _validation.check_points(Y).astype(A.dtype, copy=False)
    if B.shape[1] != A.shape[1]:
        raise ValueError(f"X and Y must have the same number of features, got {A.shape[1]} and {B.shape[1]}")
    return _cluster.cdist(A, B, code, threads)


def __getattr__(name: str):
    # The estimator needs scikit-learn (a test/optional dependency): import it only when asked for.
    if name == "KMedoids":
        from ._estimator import KMedoids

        return KMedoids
    raise AttributeError(f"module 'numkern.cluster' has no attribute {name!r}")
