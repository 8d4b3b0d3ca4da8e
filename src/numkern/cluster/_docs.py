"""Docstrings of numkern.cluster: the module's conventions and the parameter template of the k-medoids functions."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

# The text of ``help(numkern.cluster)`` after its first line (the conventions every function follows).
CONVENTIONS = """Every function takes a square dissimilarity matrix (``metric="precomputed"``, the default) or raw data ``X``
(n_samples x n_features) with a metric, plus ``medoids`` = the number of clusters k or an array of initial
medoid indices, and returns a :class:`KMedoidsResult`.

Conventions (Schubert & Rousseeuw, "Fast and eager k-medoids clustering", Information Systems 101 (2021)):

* The loss is TD = sum_j w_j d(j, nearest medoid); ``labels`` are 0..k-1 in medoid slot order. The silhouette
  optimisers (fastmsc, fastermsc, pammedsil, pamsil, dynmsc; Lenssen & Schubert 2024) report the average
  medoid silhouette (pamsil: the silhouette) as their loss instead, higher being better.
* A 1-D ``diss`` is scipy's condensed form (``pdist`` output, length n (n - 1) / 2), expanded once.
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

F = TypeVar("F", bound=Callable[..., Any])

_COMMON = """
    Parameters
    ----------
    X : array_like
        Square dissimilarity matrix (n x n) or scipy's condensed vector (``pdist`` output, length
        n (n - 1) / 2) when ``metric="precomputed"``, else data (n_samples x n_features). float32 and float64
        are used as given.
    medoids : int or array_like of int
        The number of clusters k ({k_range}) or the initial medoid indices (then ``init`` must be None).
    metric : str or callable, default "precomputed"
        "precomputed", a name of :func:`pairwise_dissimilarity` ("euclidean"/"l2", "sqeuclidean",
        "manhattan"/"cityblock"/"l1", "cosine", "chebyshev", "minkowski", "hamming", "jaccard", "canberra";
        computed in C++ in double precision) or a callable ``metric(x, y) -> float`` (assumed symmetric,
        evaluated by ``scipy.spatial.distance.cdist`` on blocks of rows).{metric_note}
    p : float, default 2
        Exponent of ``metric="minkowski"`` (> 0).
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


def doc(summary: str, default_init: str | None = "build", metric_note: str = "", extra: str = "",
         example: str = "") -> Callable[[F], F]:
    init = _INIT.format(default=default_init) if default_init else ""

    def decorate(func: F) -> F:
        func.__doc__ = summary + _COMMON.format(metric_note=metric_note, init=init, extra=extra,
                                                k_range="1 <= k <= n") + example
        return func

    return decorate


# The silhouette optimisers share the first parameters of _COMMON, then their own returns and notes.
_MSC_TAIL = """    max_iter : int or None, default None
        Limit on the swap iterations (FasterMSC, DynMSC: passes over the data, per k); None runs to convergence.
    random_state : None, int, numpy.random.SeedSequence, Generator or RandomState, default None
        Seed of the random initialisation (see :ref:`random-state`); results do not depend on ``n_threads``.
    n_threads : int or None, default None
        OpenMP threads; None uses OpenMP's default (``OMP_NUM_THREADS``).
    verbose : int or bool, default 0
        >= 1 prints one summary line when the run ends.

    Returns
    -------
    {returns}

    Raises
    ------
    ValueError
        k outside 2..n-1 (the medoid silhouette needs a second medoid and a non-medoid object), ``minimum_k``
        outside 2..k_max (dynmsc), bad input as for :func:`pam`, naming the argument.
    TypeError
        An integer argument given as bool, float or other non-integer.

    Notes
    -----
    Loss, ties and acceptance as in the ``kmedoids`` package (the same medoids from the same start, up to
    rounding-level ties): the result's ``loss`` is the average medoid silhouette AMS = mean of 1 - d1/d2
    (:func:`medoid_silhouette`){loss_note}; higher is better. Internally sum_j d1(j)/d2(j) = n (1 - AMS) is
    minimised: a swap is accepted when it lowers that sum by more than 1e-12 of it, ties (within 1e-12) go to
    the lowest candidate, then the lowest slot, as for PAM. Labels are the nearest medoid's slot.
{references}"""

MSC_REFERENCES = """
    References
    ----------
    L. Lenssen, E. Schubert, "Medoid silhouette clustering with automatic cluster number selection",
    Information Systems 120 (2024) 102290, arXiv:2309.03751. L. Lenssen, E. Schubert, "Clustering by direct
    optimization of the medoid silhouette", SISAP 2022, LNCS 13590, 190-204.
"""

PAMSIL_REFERENCES = """
    References
    ----------
    M. Van der Laan, K. Pollard, J. Bryan, "A new partitioning around medoids algorithm", J. Stat. Comput. Simul.
    73 (2003) 575-584. L. Lenssen, E. Schubert, "Clustering by direct optimization of the medoid silhouette",
    SISAP 2022.
"""


def msc_doc(summary: str, default_init: str, example: str, *, returns: str = "KMedoidsResult\n        ``loss`` "
            "(the average medoid silhouette), ``labels``, ``medoids``, ``n_iter``, ``n_swap``.",
            loss_note: str = "", extra: str = "", references: str = MSC_REFERENCES) -> Callable[[F], F]:
    """Docstring of a silhouette optimiser: _COMMON's data/medoids/metric/p/init, then _MSC_TAIL."""
    head = _COMMON.split("    max_iter :")[0].format(metric_note="", init=_INIT.format(default=default_init),
                                                        extra="", k_range="2 <= k <= n - 1")
    tail = _MSC_TAIL.format(returns=returns, loss_note=loss_note, references=references)

    def decorate(func: F) -> F:
        func.__doc__ = summary + head + extra + tail + example
        return func

    return decorate


MATRIX_NOTE = "\n        Raw data is turned into the n x n matrix first (this algorithm revisits it)."

CLARA_EXTRA = """
    samples : int, default 5
        Number of random samples (each contains the best medoids found so far).
    sample_size : int or None, default None
        Objects per sample, at least k (values above n mean n); None means {size}."""

CLARANS_EXTRA = """
    numlocal : int, default 2
        Random restarts.
    maxneighbor : int or None, default None
        Consecutive non-improving draws that end a restart; None means {default}."""

ONLINE_NOTE = "\n        Raw data is never turned into an n x n matrix (O(n) memory)."
