"""The k-medoids functions: PAM family, alternating, CLARA and CLARANS on a matrix or on raw data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _cluster
from .._backend import is_cupy_array
from . import _validation as v

_ALGORITHMS = {
    "pam": 0, "fastpam1": 1, "fastpam2": 2, "fasterpam": 3, "alternating": 4, "build": 5, "lab": 6,
    "clara": 7, "fastclara": 8, "clarans": 9, "fastclarans": 10,
}
# Algorithms that revisit every dissimilarity many times: raw data is turned into an n x n matrix first.
_NEEDS_MATRIX = {"pam", "fastpam1", "fastpam2", "alternating", "build"}
# FasterPAM on raw data keeps the n x n matrix while it fits in this many bytes, else computes rows on the fly.
FASTERPAM_MATRIX_BYTES = 1 << 30


@dataclass(frozen=True)
class KMedoidsResult:
    """Result of a k-medoids clustering.

    Attributes
    ----------
    loss : float
        Total deviation: sum over objects of (weight times) the dissimilarity to the nearest medoid.
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


def _callable_matrix(X: np.ndarray, metric) -> np.ndarray:
    """Dense matrix of a Python metric callable (assumed symmetric; n (n - 1) / 2 calls)."""
    n = X.shape[0]
    D = np.zeros((n, n), dtype=np.float64)
    for i in range(n):
        for j in range(i + 1, n):
            D[i, j] = D[j, i] = float(metric(X[i], X[j]))
    return D


def _prepare(algorithm: str, X, metric, n_threads: int):
    """Return (data array, metric code) for the C++ core; -1 means `data` is the dissimilarity matrix."""
    code = v.check_metric(metric)
    if isinstance(code, int) and code < 0:
        return v.check_matrix(X, n_threads), -1
    A = v.check_points(X)
    if callable(code):
        return v.check_matrix(_callable_matrix(A, code), n_threads), -1
    n = A.shape[0]
    if algorithm in _NEEDS_MATRIX or (algorithm == "fasterpam" and n * n * A.itemsize <= FASTERPAM_MATRIX_BYTES):
        return _cluster.pairwise(A, code, n_threads), -1
    return A, code


def run(algorithm: str, X, medoids, *, metric="precomputed", init=None, default_init="build", max_iter=None,
        random_state=None, sample_weight=None, n_threads=None, samples=5, sample_size=None, numlocal=2,
        maxneighbor=None) -> KMedoidsResult:
    """Validate the arguments, run ``algorithm`` in C++ and wrap the result (shared by all public functions)."""
    threads = v.check_n_threads(n_threads)
    if is_cupy_array(X):
        if metric != "precomputed":
            raise ValueError("CuPy input needs metric='precomputed' (a square dissimilarity matrix on the GPU)")
        from ._gpu import run_cupy

        med, labels, loss, n_iter, n_swap = run_cupy(algorithm, X, medoids, init, max_iter, sample_weight)
        return KMedoidsResult(loss, labels, med, n_iter, n_swap)
    data, code = _prepare(algorithm, X, metric, threads)
    n = data.shape[0]
    k, initial = v.check_medoids(medoids, n)
    if initial is not None:
        if algorithm in ("build", "lab", "clara", "fastclara", "clarans", "fastclarans"):
            raise ValueError(f"medoids must be an int (the number of clusters) for {algorithm}")
        if init is not None:
            raise ValueError("init must be None when medoids is an array of initial medoids")
        init_code = 4
    else:
        init_code = v.check_init(init, default_init)
        initial = np.zeros(0, dtype=np.int64)
    for name, value in (("samples", samples), ("numlocal", numlocal)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    for name, value in (("sample_size", sample_size), ("maxneighbor", maxneighbor)):
        if value is not None and (not isinstance(value, (int, np.integer)) or value < 1):
            raise ValueError(f"{name} must be None or a positive integer, got {value!r}")
    weights = v.check_weights(sample_weight, n)
    args = (v.check_max_iter(max_iter), v.seed_from(random_state), threads)
    extra = (int(samples), int(sample_size or 0), int(numlocal), int(maxneighbor or 0))
    if weights is not None and not weights.all():
        return _run_without_zero_weights(algorithm, data, code, k, init_code, initial, weights, args, extra)
    med, labels, loss, n_iter, n_swap = _cluster.run(
        _ALGORITHMS[algorithm], data, code, k, init_code, initial, *args, weights, *extra)
    return KMedoidsResult(float(loss), labels, med, int(n_iter), int(n_swap))


def _run_without_zero_weights(algorithm, data, code, k, init_code, initial, weights, args, extra):
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
    sub = np.ascontiguousarray(data[np.ix_(keep, keep)] if code < 0 else data[keep])
    med, _, loss, n_iter, n_swap = _cluster.run(
        _ALGORITHMS[algorithm], sub, code, k, init_code, initial, *args, weights[keep], *extra)
    medoids = keep[med]
    threads = args[2]
    if code < 0:
        to_medoids = data[medoids]  # rows = medoids, row-major: d(j, m) = data[m, j]
    else:
        to_medoids = _cluster.cdist(np.ascontiguousarray(data[medoids]), data, code, threads)
    labels = np.argmin(to_medoids, axis=0).astype(np.int64)
    return KMedoidsResult(float(loss), labels, medoids, int(n_iter), int(n_swap))
