"""Dissimilarities for numkern.cluster: the public matrix function and the callable-metric matrix."""

from __future__ import annotations

import numpy as np

from .. import _cluster
from . import _validation


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


def callable_matrix(X: np.ndarray, metric) -> np.ndarray:
    """Dense matrix of a Python metric callable (assumed symmetric; n (n - 1) / 2 calls)."""
    n = X.shape[0]
    D = np.zeros((n, n), dtype=np.float64)
    for i in range(n):
        for j in range(i + 1, n):
            D[i, j] = D[j, i] = float(metric(X[i], X[j]))
    return D
