"""Argument checking shared by the k-medoids functions and the estimator."""

from __future__ import annotations

import math

import numpy as np

from numkern._validation import check_allocation, check_integer, check_n_threads, check_real

from .. import _cluster

# Metric names (scikit-learn's and scipy's spellings) -> the binding's nc::Metric values
# (cpp/include/numkern/cluster/common.hpp).
_M = _cluster.Metric
METRICS = {**dict(_M.__members__), "cityblock": _M.manhattan, "l2": _M.euclidean, "l1": _M.manhattan}
# init names -> nc::Init values; Init.given (initial medoid indices) comes from the medoids argument instead
INITS = {name: value for name, value in _cluster.Init.__members__.items() if name != "given"}
NO_LIMIT = np.iinfo(np.int64).max


def float_array(x, name: str, ndim: int) -> np.ndarray:
    """``x`` as a C-contiguous float32/float64 array of dimension ``ndim`` (integers become float64)."""
    arr = np.asarray(x)
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind == "f" and not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))  # byte-swapped float32/float64: convert, never reinterpret
    if arr.dtype not in (np.float32, np.float64):
        raise TypeError(f"{name} must be a float32, float64 or integer array, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {arr.shape}")
    return np.ascontiguousarray(arr)


def condensed_size(length: int, name: str = "diss") -> int:
    """n such that n (n - 1) / 2 == length (scipy's condensed form), else ValueError naming ``name``."""
    n = int((1 + math.isqrt(1 + 8 * length)) // 2)
    if n * (n - 1) // 2 != length or length == 0:
        raise ValueError(f"{name}: a condensed distance vector (scipy.spatial.distance.pdist output) must have "
                         f"length n (n - 1) / 2 for some n >= 2, got length {length}")
    return n


def square_from_condensed(diss, n_threads: int) -> np.ndarray:
    """The n x n matrix of a condensed distance vector, checked (finite, non-negative) before it is built."""
    v = float_array(diss, "diss", 1)
    n = condensed_size(v.shape[0])
    bad, _ = _cluster.first_invalid(v.reshape(1, -1), n_threads)
    if bad >= 0:
        raise ValueError(f"diss contains {v[bad]} at condensed position {int(bad)}; dissimilarities must be "
                         "finite and non-negative")
    check_allocation(n * n * v.itemsize, f"diss: the condensed vector of n = {n} objects becomes an n x n matrix, "
                     "which", "cluster raw data with fasterpam, clara or clarans instead")
    from scipy.spatial.distance import squareform

    return np.ascontiguousarray(squareform(v, checks=False))


def square_matrix(diss, n_threads: int) -> np.ndarray:
    """A square float matrix (C-contiguous) whose values are still to be checked; a 1-D array is read as scipy's
    condensed form (``pdist`` output), checked and expanded."""
    if np.ndim(diss) == 1:
        diss = square_from_condensed(diss, n_threads)
    D = float_array(diss, "diss", 2)
    if D.shape[0] != D.shape[1]:
        raise ValueError(f"diss must be a square dissimilarity matrix, got shape {D.shape}")
    if D.shape[0] == 0:
        raise ValueError("diss must not be empty")
    return D


def check_matrix(diss, n_threads: int) -> tuple[np.ndarray, float]:
    """A square, finite, non-negative dissimilarity matrix (C-contiguous; a strided input is copied) and its
    largest entry. A 1-D array is read as scipy's condensed form (``pdist`` output) and expanded."""
    D = square_matrix(diss, n_threads)
    bad, largest = _cluster.first_invalid(D, n_threads)
    if bad >= 0:
        i, j = divmod(int(bad), D.shape[1])
        value = D[i, j]
        rule = "dissimilarities must be finite and non-negative"
        if np.isnan(value) or np.isinf(value):
            raise ValueError(f"diss contains {value} (NaN or infinity) at diss[{i}, {j}]; {rule}")
        raise ValueError(f"Negative values in data passed as diss: diss[{i}, {j}] = {value}; {rule}")
    return D, float(largest)


def check_points(X) -> np.ndarray:
    """Raw data: a finite 2-D float array with at least one row and one column."""
    A = float_array(X, "X", 2)
    if A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError(f"X must have at least one sample and one feature, got shape {A.shape}")
    if not np.isfinite(A).all():
        raise ValueError("X contains NaN or infinity")
    return A


def check_metric(metric):
    """Return the C++ metric (``_cluster.Metric``; None: precomputed) or the callable."""
    if callable(metric):
        return metric
    if not isinstance(metric, str) or (metric != "precomputed" and metric not in METRICS):
        raise ValueError(f"metric must be 'precomputed', one of {sorted(METRICS)} or a callable, got {metric!r}")
    return None if metric == "precomputed" else METRICS[metric]


def check_p(p) -> float:
    """Minkowski's exponent: a finite real > 0 (ignored by the other metrics, but still checked)."""
    return check_real(p, "p", positive=True)




def check_medoids(medoids, n: int):
    """Return (k, initial index array or None)."""
    if np.ndim(medoids) == 0 and not isinstance(medoids, np.ndarray):
        # A scalar is the number of clusters: an integer (bool and floats such as 3.0 raise TypeError).
        k = check_integer(medoids, "medoids (the number of clusters k)")
        if not 1 <= k <= n:
            raise ValueError(f"medoids (the number of clusters k) must be in 1..n = 1..{n}, got {k}")
        return k, None
    arr = np.asarray(medoids)
    if arr.ndim != 1 or arr.dtype.kind not in "iu" or arr.size == 0:
        raise ValueError("medoids must be an int k or a non-empty 1-D integer array of initial medoid indices")
    if arr.min() < 0 or arr.max() >= n:
        raise ValueError(f"medoids indices must lie in 0..{n - 1}")
    if np.unique(arr).size != arr.size:
        raise ValueError("medoids indices must be distinct")
    return int(arr.size), np.ascontiguousarray(arr, dtype=np.int64)


def check_init(init, default: str, *, medoids_hint: bool = True):
    """The C++ ``_cluster.Init`` of ``init`` (None: ``default``). A non-string (e.g. an array of indices) raises TypeError, an
    unknown name ValueError, both naming ``init``; ``medoids_hint`` adds where initial medoid indices go instead
    (the functions' ``medoids`` argument; the estimator has none)."""
    init = default if init is None else init
    rule = f"init must be None or one of {sorted(INITS)}"
    if medoids_hint:
        rule += " (an array of initial medoid indices goes in the medoids argument, with init=None)"
    if not isinstance(init, str):
        raise TypeError(f"{rule}, got an object of type {type(init).__name__}")
    if init not in INITS:
        raise ValueError(f"{rule}, got {init!r}")
    return INITS[init]


def check_max_iter(max_iter) -> int:
    if max_iter is None:
        return NO_LIMIT
    return min(check_integer(max_iter, "max_iter", min_value=0), NO_LIMIT)


def check_weights(sample_weight, n: int):
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight)
    if w.dtype.kind not in "iuf":
        raise TypeError(f"sample_weight must be numeric, got dtype {w.dtype}")
    w = np.ascontiguousarray(w, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"sample_weight must have shape ({n},), got {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("sample_weight must be finite and non-negative")
    if not w.any():
        raise ValueError("sample_weight must not be all zero")
    return w
