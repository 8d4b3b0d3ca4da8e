"""Silhouettes of a clustering: the classic silhouette (threaded C++) and the O(n k) medoid silhouette.

``silhouette`` and ``medoid_silhouette`` follow the ``kmedoids`` package (labels 0..k-1, a square or condensed
dissimilarity matrix); ``silhouette_score`` and ``silhouette_samples`` follow scikit-learn (any label values, raw
data with a metric or ``metric="precomputed"``).
"""

from __future__ import annotations

import numpy as np

from .. import _cluster
from . import _validation as v

__all__ = ["silhouette", "medoid_silhouette", "silhouette_score", "silhouette_samples"]


def _labels(labels, n: int) -> tuple[np.ndarray, int]:
    """Labels 0..k-1 with every cluster present: (int64 array, k); wrong length or gaps raise ValueError."""
    arr = np.asarray(labels)
    if arr.dtype.kind not in "iu" and not (arr.dtype.kind == "b" and arr.size == 0):
        raise TypeError(f"labels must be an integer array (0..k-1), got dtype {arr.dtype}")
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"labels must have shape ({n},) (one label per object of diss), got {arr.shape}")
    if arr.min() < 0:
        raise ValueError(f"labels must be 0..k-1, got the negative label {int(arr.min())}")
    k = int(arr.max()) + 1
    present = np.bincount(arr, minlength=k) > 0
    if not present.all():
        missing = np.flatnonzero(~present)
        raise ValueError(f"labels must use every value 0..k-1 = 0..{k - 1} (no gaps); missing: {missing[:10].tolist()}"
                         "; relabel with numpy.unique(labels, return_inverse=True)[1]")
    return np.ascontiguousarray(arr, dtype=np.int64), k


def silhouette(diss, labels, samples=False, *, n_threads=None):
    """Silhouette of a clustering on a dissimilarity matrix (Rousseeuw 1987), computed in C++ with threads.

    For object i of cluster A: a = mean dissimilarity to the other members of A, b = smallest mean dissimilarity
    to the members of another cluster, s(i) = (b - a) / max(a, b). s(i) = 0 for a singleton cluster, for
    a = b = 0 and when all objects share one label (as the ``kmedoids`` package; scikit-learn refuses one label).

    Parameters
    ----------
    diss : array_like
        Square n x n dissimilarity matrix, or scipy's condensed vector of length n (n - 1) / 2 (``pdist``
        output). Finite and non-negative. ``diss[i, j]`` is d(i, j) (row i = object i, as in scikit-learn); the
        diagonal is never read.
    labels : array_like of int
        Cluster of every object, using every value 0..k-1 (gaps raise ValueError).
    samples : bool, default False
        Also return every object's silhouette.
    n_threads : int or None, default None
        OpenMP threads (None: OpenMP's default). The result does not depend on it.

    Returns
    -------
    float or (float, numpy.ndarray)
        The mean silhouette, and with ``samples=True`` the n values s(i). (``kmedoids.silhouette`` always
        returns a pair.)

    Raises
    ------
    ValueError
        ``labels`` of the wrong length, negative or with gaps; a condensed vector of a length that is not
        n (n - 1) / 2; NaN, infinite or negative dissimilarities.

    Notes
    -----
    Equal to ``sklearn.metrics.silhouette_score``/``silhouette_samples(diss, labels, metric="precomputed")`` to
    rounding (1e-12 tested) wherever scikit-learn accepts the input (2 to n - 1 labels, zero diagonal). O(n^2).

    References
    ----------
    P. J. Rousseeuw, "Silhouettes: a graphical aid to the interpretation and validation of cluster analysis",
    J. Comput. Appl. Math. 20 (1987) 53-65.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import silhouette
    >>> x = np.array([0.0, 1.0, 10.0, 11.0])
    >>> silhouette(np.abs(x[:, None] - x[None, :]), np.array([0, 0, 1, 1]))  # a = 1, b = 10.5 or 9.5
    0.899749373433584
    """
    threads = v.check_n_threads(n_threads)
    D = v.square_matrix(diss, threads)
    lab, k = _labels(labels, D.shape[0])
    mean, values = _checked_silhouette(D, lab, k, threads)
    return (float(mean), values) if samples else float(mean)


def _checked_silhouette(D, labels, k, threads):
    """The C++ silhouette, whose one pass over D also checks the off-diagonal values (the diagonal is checked
    here); any NaN, infinity or negative value raises check_matrix's error naming its position."""
    diagonal = np.diagonal(D)
    mean, values, valid = _cluster.silhouette(D, labels, k, threads)
    if not valid or not (np.isfinite(diagonal).all() and (diagonal >= 0).all()):
        v.check_matrix(D, threads)
    return mean, values


def medoid_silhouette(diss, medoids, samples=False):
    """Medoid silhouette of a set of medoids: the O(n k) simplified silhouette of Van der Laan et al. (2003).

    Every object j is taken to belong to its nearest medoid; with d1 <= d2 its dissimilarities to the nearest
    and second-nearest medoid, s(j) = 1 - d1 / d2 (= (d2 - d1) / max(d1, d2)), and s(j) = 1 where d2 = 0 (an
    object on two medoids) or there is one medoid (the ``kmedoids`` package's conventions). The mean is the
    average medoid silhouette (AMS) that :func:`fastmsc`, :func:`fastermsc`, :func:`pammedsil` and
    :func:`dynmsc` maximise.

    Parameters
    ----------
    diss : array_like
        Square n x n dissimilarity matrix or scipy's condensed vector; ``diss[m, j]`` is d(j, m) (row =
        medoid, as in the k-medoids functions; ``kmedoids.medoid_silhouette`` reads ``diss[j, m]``, the same for a
        symmetric matrix).
    medoids : array_like of int
        Distinct medoid indices in 0..n-1. Only their k rows of ``diss`` are read (and checked: NaN, infinite or
        negative values there raise ValueError), so the cost is O(n k).
    samples : bool, default False
        Also return every object's value.

    Returns
    -------
    float or (float, numpy.ndarray)
        The average medoid silhouette, and with ``samples=True`` the n values.

    References
    ----------
    M. Van der Laan, K. Pollard, J. Bryan, "A new partitioning around medoids algorithm", J. Stat. Comput. Simul.
    73 (2003) 575-584. L. Lenssen, E. Schubert, "Medoid silhouette clustering with automatic cluster number
    selection", Information Systems 120 (2024) 102290, arXiv:2309.03751.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import medoid_silhouette
    >>> x = np.array([0.0, 1.0, 10.0, 11.0])
    >>> medoid_silhouette(np.abs(x[:, None] - x[None, :]), [0, 2], samples=True)
    (0.9494949494949495, array([1.        , 0.88888889, 1.        , 0.90909091]))
    """
    D = v.square_matrix(diss, 1)
    n = D.shape[0]
    med = np.asarray(medoids)
    if med.ndim != 1 or med.size == 0 or med.dtype.kind not in "iu":
        raise ValueError("medoids must be a non-empty 1-D integer array of medoid indices")
    if med.min() < 0 or med.max() >= n:
        raise ValueError(f"medoids indices must lie in 0..{n - 1}")
    if np.unique(med).size != med.size:
        raise ValueError("medoids indices must be distinct")
    rows = D[med]  # only the k medoid rows are read: O(n k), checked here
    bad = ~((rows >= 0) & (rows <= np.finfo(rows.dtype).max))
    if bad.any():
        s, j = np.argwhere(bad)[0]
        raise ValueError(f"diss contains {rows[s, j]} at diss[{int(med[s])}, {int(j)}]; dissimilarities must be "
                         "finite and non-negative")
    mean, values = _cluster.medoid_silhouette(D, np.ascontiguousarray(med, dtype=np.int64))
    return (float(mean), values) if samples else float(mean)


def _sklearn_style(X, labels, metric, p, n_threads):
    threads = v.check_n_threads(n_threads)
    if isinstance(metric, str) and metric == "precomputed":
        D = v.square_matrix(X, threads)
    else:
        from ._metrics import pairwise_dissimilarity

        D = pairwise_dissimilarity(X, metric=metric, p=p, n_threads=n_threads)
    arr = np.asarray(labels)
    if arr.ndim != 1 or arr.shape[0] != D.shape[0]:
        raise ValueError(f"labels must have shape ({D.shape[0]},) (one label per sample of X), got {arr.shape}")
    _, codes = np.unique(arr, return_inverse=True)
    k = int(codes.max()) + 1
    if not 2 <= k <= D.shape[0] - 1:
        raise ValueError(f"Number of labels is {k}. Valid values are 2 to n_samples - 1 (inclusive)")
    return _checked_silhouette(D, np.ascontiguousarray(codes.reshape(-1), dtype=np.int64), k, threads)


def silhouette_score(X, labels, *, metric="euclidean", p=2.0, n_threads=None):
    """Mean silhouette of a labelling, as ``sklearn.metrics.silhouette_score``, computed in C++ with threads.

    Parameters
    ----------
    X : array_like
        Data (n_samples x n_features), or with ``metric="precomputed"`` a square or condensed dissimilarity
        matrix (row i = sample i).
    labels : array_like
        Any label values (relabelled internally); 2 to n_samples - 1 distinct values, as scikit-learn requires.
    metric : str or callable, default "euclidean"
        "precomputed", a metric name of :func:`pairwise_dissimilarity` (computed in C++) or a callable.
    p : float, default 2
        Exponent of ``metric="minkowski"``.
    n_threads : int or None, default None
        OpenMP threads.

    Returns
    -------
    float
        The mean silhouette coefficient (see :func:`silhouette`; scikit-learn's ``sample_size`` subsampling is
        not offered).

    References
    ----------
    P. J. Rousseeuw, "Silhouettes: a graphical aid to the interpretation and validation of cluster analysis",
    J. Comput. Appl. Math. 20 (1987) 53-65.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import silhouette_score
    >>> X = np.array([[0.0], [1.0], [10.0], [11.0]])
    >>> silhouette_score(X, ["a", "a", "b", "b"])
    0.899749373433584
    """
    return float(_sklearn_style(X, labels, metric, p, n_threads)[0])


def silhouette_samples(X, labels, *, metric="euclidean", p=2.0, n_threads=None):
    """Silhouette of every sample, as ``sklearn.metrics.silhouette_samples`` (arguments as :func:`silhouette_score`).

    Returns
    -------
    numpy.ndarray
        s(i) for every sample (0 for samples of singleton clusters).

    References
    ----------
    P. J. Rousseeuw, "Silhouettes: a graphical aid to the interpretation and validation of cluster analysis",
    J. Comput. Appl. Math. 20 (1987) 53-65.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.cluster import silhouette_samples
    >>> silhouette_samples(np.array([[0.0], [1.0], [10.0], [11.0]]), [0, 0, 1, 1])
    array([0.9047619 , 0.89473684, 0.89473684, 0.9047619 ])
    """
    return _sklearn_style(X, labels, metric, p, n_threads)[1]
