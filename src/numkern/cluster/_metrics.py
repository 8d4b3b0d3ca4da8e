"""Dissimilarities for numkern.cluster: the public matrix function and the callable-metric matrix."""

from __future__ import annotations

import numpy as np

from .. import _cluster
from . import _validation


def pairwise_dissimilarity(X, Y=None, *, metric="euclidean", p=2.0, n_threads=None):
    """Dissimilarity matrix between the rows of ``X`` (and ``Y``), computed in C++ in double precision.

    Parameters
    ----------
    X : array_like
        Data, n_samples x n_features (float32 stays float32 in the output).
    Y : array_like, optional
        Second data set with the same number of features; None means ``X``.
    metric : str, default "euclidean"
        The dissimilarity: "euclidean" (alias "l2"), "sqeuclidean", "manhattan" (aliases "cityblock", "l1"),
        "cosine" (1 - cos, clipped to [0, 2], scale invariant for every finite row; a zero vector is at distance
        1), "chebyshev", "minkowski" (with ``p``), "hamming", "jaccard", "canberra" (the last five as in
        ``scipy.spatial.distance``; jaccard on the booleans ``x != 0``).
        Euclidean and minkowski are finite whenever the true distance is, even where powers of the differences
        over- or underflow.
    p : float, default 2
        Exponent of "minkowski" (> 0).
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
    p = _validation.check_p(p)
    if callable(code) or code is None:
        raise ValueError(f"metric must be one of {sorted(_validation.METRICS)}, got {metric!r}")
    threads = _validation.check_n_threads(n_threads)
    A = _validation.check_points(X)
    if Y is None:
        return _cluster.pairwise(A, code, threads, p)
    B = _validation.check_points(Y).astype(A.dtype, copy=False)
    if B.shape[1] != A.shape[1]:
        raise ValueError(f"X and Y must have the same number of features, got {A.shape[1]} and {B.shape[1]}")
    return _cluster.cdist(A, B, code, threads, p)


# Rows per scipy cdist call of a callable metric: blocks of ~2^22 entries bound the temporary memory.
_BLOCK_ENTRIES = 1 << 22


def callable_matrix(X: np.ndarray, metric) -> np.ndarray:
    """Dense matrix of a Python metric callable, assumed symmetric with d(x, x) = 0 (diagonal set to 0).

    Evaluated by ``scipy.spatial.distance.cdist`` on blocks of rows against the rows from the block's first one
    on (the upper triangle and the block's diagonal square, about n^2 / 2 calls, each in scipy's C loop rather
    than a Python double loop), then mirrored.
    """
    from scipy.spatial.distance import cdist

    n = X.shape[0]
    D = np.zeros((n, n), dtype=np.float64)
    rows = max(1, _BLOCK_ENTRIES // max(n, 1))
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        D[start:stop, start:] = cdist(X[start:stop], X[start:], metric)
    for start in range(0, n, rows):  # mirror: d(j, i) = d(i, j) for i < j, blockwise in place
        stop = min(n, start + rows)
        D[start:stop, :start] = D[:start, start:stop].T
        square = D[start:stop, start:stop]
        lower = np.tril_indices(stop - start, -1)
        square[lower] = square.T[lower]
        np.fill_diagonal(square, 0.0)
    return D
