"""The public k-medoids functions of numkern.cluster: argument lists and docstrings over ``_kmedoids.run``."""

from __future__ import annotations

from ._docs import CLARA_EXTRA, CLARANS_EXTRA, MATRIX_NOTE, ONLINE_NOTE, PAMSIL_REFERENCES, doc, msc_doc
from ._kmedoids import DynMSCResult, KMedoidsResult, run as _run

__all__ = ["pam", "fastpam1", "fastpam2", "fasterpam", "alternating", "build", "lab", "clara", "fastclara",
           "clarans", "fastclarans", "fastmsc", "fastermsc", "pammedsil", "pamsil", "dynmsc"]


@doc(
    """Exact PAM: BUILD (or the given start) followed by best-improvement SWAP.

    Each SWAP iteration applies the single best (slot, candidate) swap over all pairs, exactly as in
    Kaufman & Rousseeuw's PAM, but every candidate is evaluated for all k slots in one O(n) pass (FastPAM1),
    so an iteration costs O(n^2) instead of O(k n^2). Same result as :func:`fastpam1`.
""",
    metric_note=MATRIX_NOTE,
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
def pam(X, medoids, *, metric="precomputed", p=2.0, init=None, max_iter=None, random_state=None, sample_weight=None,
        n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("pam", X, medoids, metric=metric, p=p, init=init, default_init="build", max_iter=max_iter,
                random_state=random_state, sample_weight=sample_weight, n_threads=n_threads, verbose=verbose)


@doc(
    """FastPAM1: PAM's best-improvement SWAP with the O(k) faster candidate pass.

    Returns the same medoids, loss and swap count as :func:`pam` from the same start (default: BUILD).
""",
    metric_note=MATRIX_NOTE,
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
def fastpam1(X, medoids, *, metric="precomputed", p=2.0, init=None, max_iter=None, random_state=None, sample_weight=None,
             n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("fastpam1", X, medoids, metric=metric, p=p, init=init, default_init="build", max_iter=max_iter,
                random_state=random_state, sample_weight=sample_weight, n_threads=n_threads, verbose=verbose)


@doc(
    """FastPAM2: up to k swaps per O(n^2) sweep (the best candidate of every slot, re-checked eagerly).

    Converges to a 1-swap local optimum, usually with fewer sweeps than PAM; not always PAM's result.
""",
    metric_note=MATRIX_NOTE,
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
def fastpam2(X, medoids, *, metric="precomputed", p=2.0, init=None, max_iter=None, random_state=None, sample_weight=None,
             n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("fastpam2", X, medoids, metric=metric, p=p, init=init, default_init="build", max_iter=max_iter,
                random_state=random_state, sample_weight=sample_weight, n_threads=n_threads, verbose=verbose)


@doc(
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
def fasterpam(X, medoids, *, metric="precomputed", p=2.0, init=None, max_iter=None, random_state=None, sample_weight=None,
              n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("fasterpam", X, medoids, metric=metric, p=p, init=init, default_init="random", max_iter=max_iter,
                random_state=random_state, sample_weight=sample_weight, n_threads=n_threads, verbose=verbose)


@doc(
    """Alternating (k-means style) k-medoids: assign to the nearest medoid, re-centre every cluster, repeat.

    Cheap per iteration but usually a worse local optimum than the swap methods.
""",
    metric_note=MATRIX_NOTE,
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
def alternating(X, medoids, *, metric="precomputed", p=2.0, init=None, max_iter=None, random_state=None,
                sample_weight=None, n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("alternating", X, medoids, metric=metric, p=p, init=init, default_init="build", max_iter=max_iter,
                random_state=random_state, sample_weight=sample_weight, n_threads=n_threads, verbose=verbose)


@doc(
    """PAM's BUILD initialisation alone: greedy additions of the medoid that lowers the loss most.
""",
    default_init=None,
    metric_note=MATRIX_NOTE,
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
def build(X, medoids, *, metric="precomputed", p=2.0, max_iter=None, random_state=None, sample_weight=None,
          n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("build", X, medoids, metric=metric, p=p, max_iter=max_iter, random_state=random_state,
                sample_weight=sample_weight, n_threads=n_threads, verbose=verbose)


@doc(
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
def lab(X, medoids, *, metric="precomputed", p=2.0, max_iter=None, random_state=None, sample_weight=None,
        n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("lab", X, medoids, metric=metric, p=p, max_iter=max_iter, random_state=random_state,
                sample_weight=sample_weight, n_threads=n_threads, verbose=verbose)


@doc(
    """CLARA: PAM on random samples, each evaluated on all objects; the best medoids are kept.

    Stores only a sample_size x sample_size matrix, so it scales to n where n x n does not fit.
""",
    default_init=None,
    metric_note=ONLINE_NOTE,
    extra=CLARA_EXTRA.format(size="40 + 2k"),
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
def clara(X, medoids, *, metric="precomputed", p=2.0, max_iter=None, random_state=None, sample_weight=None,
          n_threads=None, samples=5, sample_size=None, verbose=0) -> KMedoidsResult:
    return _run("clara", X, medoids, metric=metric, p=p, max_iter=max_iter, random_state=random_state,
                sample_weight=sample_weight, n_threads=n_threads, samples=samples, sample_size=sample_size,
                verbose=verbose)


@doc(
    """FastCLARA: CLARA with FastPAM2 on larger samples (80 + 4k objects by default).
""",
    default_init=None,
    metric_note=ONLINE_NOTE,
    extra=CLARA_EXTRA.format(size="80 + 4k"),
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
def fastclara(X, medoids, *, metric="precomputed", p=2.0, max_iter=None, random_state=None, sample_weight=None,
              n_threads=None, samples=5, sample_size=None, verbose=0) -> KMedoidsResult:
    return _run("fastclara", X, medoids, metric=metric, p=p, max_iter=max_iter, random_state=random_state,
                sample_weight=sample_weight, n_threads=n_threads, samples=samples, sample_size=sample_size,
                verbose=verbose)


@doc(
    """CLARANS: randomized search over (slot, candidate) swaps with restarts (Ng & Han 2002).

    Each draw costs one O(n) pass; a restart ends after ``maxneighbor`` consecutive failures.
""",
    default_init=None,
    metric_note=ONLINE_NOTE,
    extra=CLARANS_EXTRA.format(default="max(250, 1.25% of k (n - k))"),
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
def clarans(X, medoids, *, metric="precomputed", p=2.0, max_iter=None, random_state=None, sample_weight=None,
            n_threads=None, numlocal=2, maxneighbor=None, verbose=0) -> KMedoidsResult:
    return _run("clarans", X, medoids, metric=metric, p=p, max_iter=max_iter, random_state=random_state,
                sample_weight=sample_weight, n_threads=n_threads, numlocal=numlocal, maxneighbor=maxneighbor,
                verbose=verbose)


@doc(
    """FastCLARANS: CLARANS drawing only the candidate and trying it in all k slots in one O(n) pass.
""",
    default_init=None,
    metric_note=ONLINE_NOTE,
    extra=CLARANS_EXTRA.format(default="max(250, 2.5% of n - k)"),
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
def fastclarans(X, medoids, *, metric="precomputed", p=2.0, max_iter=None, random_state=None, sample_weight=None,
                n_threads=None, numlocal=2, maxneighbor=None, verbose=0) -> KMedoidsResult:
    return _run("fastclarans", X, medoids, metric=metric, p=p, max_iter=max_iter, random_state=random_state,
                sample_weight=sample_weight, n_threads=n_threads, numlocal=numlocal, maxneighbor=maxneighbor,
                verbose=verbose)


_MSC_EXAMPLE = """
    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import {name}
    >>> x = np.array([0.0, 1.0, 2.0, 10.0, 11.0, 12.0, 30.0, 31.0])
    >>> result = {name}(np.abs(x[:, None] - x[None, :]), np.array([0, 1, 2]))
    >>> result.medoids, round(result.loss, 6)
    ({medoids}, {loss})
"""


@msc_doc(
    """FastMSC: best-improvement swaps that maximise the average medoid silhouette (Lenssen & Schubert 2024).

    PAMMEDSIL's swaps (the same ones from the same start) found O(k^2) faster: every candidate is evaluated for
    all k slots in one O(n) pass over each object's three nearest medoids, so an iteration costs O(n^2).
""",
    "random",
    _MSC_EXAMPLE.format(name="fastmsc", medoids="array([6, 1, 4])", loss=0.943245),
)
def fastmsc(X, medoids, *, metric="precomputed", p=2.0, init=None, max_iter=None, random_state=None, n_threads=None,
            verbose=0) -> KMedoidsResult:
    return _run("fastmsc", X, medoids, metric=metric, p=p, init=init, default_init="random", max_iter=max_iter,
                random_state=random_state, n_threads=n_threads, verbose=verbose)


@msc_doc(
    """FasterMSC: eager swaps on the average medoid silhouette (Lenssen & Schubert 2024), as FasterPAM.

    Candidates are visited cyclically and swapped into their best slot as soon as that raises the AMS; the loop
    ends after a full cycle without a swap. Threads evaluate upcoming candidates speculatively, so the result
    equals the sequential one for any thread count.
""",
    "random",
    _MSC_EXAMPLE.format(name="fastermsc", medoids="array([6, 1, 4])", loss=0.943245),
)
def fastermsc(X, medoids, *, metric="precomputed", p=2.0, init=None, max_iter=None, random_state=None,
              n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("fastermsc", X, medoids, metric=metric, p=p, init=init, default_init="random", max_iter=max_iter,
                random_state=random_state, n_threads=n_threads, verbose=verbose)


@msc_doc(
    """PAMMEDSIL: best-improvement swaps on the average medoid silhouette (Van der Laan et al. 2003).

    Every (slot, candidate) pair is re-evaluated from scratch in O(n k): O(k^2 n^2) per iteration. The same swaps
    as :func:`fastmsc` from the same start (use that one; this is the reference).
""",
    "build",
    _MSC_EXAMPLE.format(name="pammedsil", medoids="array([6, 1, 4])", loss=0.943245),
    references=PAMSIL_REFERENCES,
)
def pammedsil(X, medoids, *, metric="precomputed", p=2.0, init=None, max_iter=None, random_state=None,
              n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("pammedsil", X, medoids, metric=metric, p=p, init=init, default_init="build", max_iter=max_iter,
                random_state=random_state, n_threads=n_threads, verbose=verbose)


@msc_doc(
    """PAMSIL: best-improvement swaps on the full silhouette (Van der Laan, Pollard & Bryan 2003).

    Every (slot, candidate) pair is evaluated by assigning all objects to their nearest medoid and computing the
    silhouette (:func:`silhouette`) from scratch, O(n^2) each: O(k n^3) per iteration, for small n only. Many
    swaps tie exactly (they leave every label unchanged): those go to the lowest index here, while the
    ``kmedoids`` package decides them by rounding, so its medoids may differ at the same silhouette.
""",
    "build",
    _MSC_EXAMPLE.format(name="pamsil", medoids="array([6, 3, 2])", loss=0.886413),
    loss_note="; for pamsil it is the silhouette (:func:`silhouette` of ``labels``), the quantity it maximises "
              "as sum_i (1 - s(i))",
    references=PAMSIL_REFERENCES,
)
def pamsil(X, medoids, *, metric="precomputed", p=2.0, init=None, max_iter=None, random_state=None,
           n_threads=None, verbose=0) -> KMedoidsResult:
    return _run("pamsil", X, medoids, metric=metric, p=p, init=init, default_init="build", max_iter=max_iter,
                random_state=random_state, n_threads=n_threads, verbose=verbose)


@msc_doc(
    """DynMSC: FasterMSC with the number of clusters chosen by the medoid silhouette (Lenssen & Schubert 2024).

    Starts with k_max medoids (``medoids``: k_max or k_max initial indices), optimises with FasterMSC, then
    repeatedly drops one medoid and re-optimises, down to ``minimum_k``; returns the clustering with the highest
    AMS (the larger k on exact ties) and the AMS of every k. The medoid dropped is the one whose removal alone
    lowers the AMS most (lowest slot on ties; the last slot takes its place), the rule of the ``kmedoids``
    package: the re-optimisation then reorganises the clustering. On random problems the result equals the
    package's on 34 of 40 (the k_max stage on all); elsewhere the package's re-optimisation after a removal
    ends in another local optimum that its documentation does not let us reproduce.
""",
    "random",
    """
    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import dynmsc
    >>> x = np.array([0.0, 1.0, 2.0, 3.0, 20.0, 21.0, 22.0, 23.0, 50.0, 51.0, 52.0, 53.0])
    >>> result = dynmsc(np.abs(x[:, None] - x[None, :]), 5, random_state=0)
    >>> result.bestk, result.medoids, list(result.rangek)
    (3, array([2, 5, 9]), [2, 3, 4, 5])
    >>> result.losses.round(3)
    array([0.85 , 0.956, 0.889, 0.93 ])
""",
    returns="DynMSCResult\n        The best clustering (``loss`` = its AMS) with ``bestk``, ``losses`` (the AMS of every k) and ``rangek``.",
    extra="""    minimum_k : int, default 2
        Smallest k scanned (2 <= minimum_k <= k_max); the scan covers minimum_k..k_max.
""",
)
def dynmsc(X, medoids, *, minimum_k=2, metric="precomputed", p=2.0, init=None, max_iter=None, random_state=None,
           n_threads=None, verbose=0) -> DynMSCResult:
    return _run("dynmsc", X, medoids, metric=metric, p=p, init=init, default_init="random", max_iter=max_iter,
                random_state=random_state, n_threads=n_threads, verbose=verbose, minimum_k=minimum_k)
