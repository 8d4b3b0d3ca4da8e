"""``vonmises_fisher.fit`` on a dask array: one distributed pass for the sufficient statistics, kappa on the client.

Each row block (all columns in one chunk; a dask array chunked along the columns is rechunked to whole rows, which
is cheap for the d <= a few thousand of directional data) yields, in one task with numkern's C++ passes:

* its weighted row sum ``T_c``, total weight ``W_c`` and the weighted squared deviation ``S_c`` of its rows from
  its own mean ``m_c = T_c / W_c``;
* ``sum w (1 - ||x||^2)`` and the validation counts of the in-memory fit (non-finite and non-unit rows with the
  first offender, non-finite / negative weights).

The client combines the blocks in order: ``m = sum T_c / sum W_c`` and, when ``r = ||m|| > 0.99`` (where the
in-memory fit makes a second pass), ``sum w ||x - m||^2 = sum_c (S_c + W_c ||m_c - m||^2)`` (Chan et al.'s exact
pairwise update), so ``1 - r`` keeps its full relative precision without a second pass over the data. The kappa
solve is the in-memory one. Only vectors of length d per block reach the client.

``weights`` may be a NumPy array (small: one float per row; it is split into the row chunks of ``x``) or a dask
array (rechunked to ``x``'s rows). A NumPy ``x`` with dask ``weights`` is refused.
"""

from __future__ import annotations

import math

import numpy as np

from .._backend import is_dask_array
from .._dask_util import require_dense, require_known_chunks, rows_like
from .._validation import check_n_threads
from .. import _stats as _kernels
from ._vmf import _NORM_TOL, _as_data, _check_fit_shape, _check_on_sphere
from ._vmf_math import _inverse_mrl


def _block_stats(xb, wb, n_threads):
    """Sufficient statistics and validation counts of one row block (a dict of small arrays and numbers)."""
    xb = np.ascontiguousarray(_as_data(xb))
    out = {"n": xb.shape[0]}
    if wb is not None:
        wb = np.asarray(wb, dtype=np.float64)
        out["w_nonfinite"] = int(np.count_nonzero(~np.isfinite(wb)))
        out["w_negative"] = int(np.count_nonzero(wb < 0))
        if out["w_nonfinite"] or out["w_negative"]:
            return out
    if xb.shape[0] == 0:
        out.update(total=np.zeros(xb.shape[1]), W=0.0, S=0.0, norm_def=0.0, nonfinite=0, bad=0)
        return out
    total, sq = _kernels.weighted_column_sum(xb, wb, n_threads)
    finite = np.isfinite(sq)
    out["nonfinite"] = int(np.count_nonzero(~finite))
    if out["nonfinite"]:
        return out
    bad = np.abs(np.sqrt(sq) - 1.0) > _NORM_TOL
    out["bad"] = int(np.count_nonzero(bad))
    if out["bad"]:
        first = int(np.flatnonzero(bad)[0])
        out["first_bad"], out["first_norm"] = first, math.sqrt(sq[first])
        return out
    W = float(xb.shape[0] if wb is None else wb.sum())
    out.update(total=total, W=W, norm_def=float((1.0 - sq).sum() if wb is None else wb @ (1.0 - sq)))
    out["S"] = float(_kernels.weighted_sq_deviation(xb, total / W, wb, n_threads)) if W > 0 else 0.0
    return out


def _raise_for(stats, n_rows: int, shape) -> None:
    """The in-memory fit's errors, in its order: weights first, then the rows."""
    if any(s.get("w_nonfinite") for s in stats):
        raise ValueError("'weights' contains NaN or infinite values.")
    if any(s.get("w_negative") for s in stats):
        raise ValueError("'weights' must be non-negative.")
    if any(s.get("nonfinite") for s in stats):
        _check_on_sphere(np.array([np.nan]), "x", shape)
    n_bad = sum(s.get("bad", 0) for s in stats)
    if n_bad:
        offset = 0
        for s in stats:
            if s.get("bad"):
                first, norm = offset + s["first_bad"], s["first_norm"]
                break
            offset += s["n"]
        raise ValueError(
            f"'x' must be unit vectors of norm 1 along the last axis (tolerance {_NORM_TOL:.1e}); "
            f"{n_bad} of {n_rows} are not, e.g. x[{first}] has norm {norm!r}.")


def fit(x, weights=None, n_threads=None):
    """:meth:`numkern.stats.vonmises_fisher.fit` of a dask array: ``(mu, kappa)`` (NumPy, computed)."""
    import dask

    if not is_dask_array(x):
        raise TypeError("fit: weights is a dask array but x is not; pass x as a dask array too "
                        "(dask.array.from_array(x)) or weights as a NumPy array")
    threads = check_n_threads(n_threads)
    require_known_chunks(x, "x")
    if x.dtype.kind not in "biuf":
        raise TypeError(f"'x' must be a real array, got dtype {x.dtype}")
    require_dense(x, "x")
    _check_fit_shape(x.shape)
    if x.numblocks[1] > 1:
        x = x.rechunk({1: -1})  # whole rows per task (documented): d is small next to n
    w = None
    if weights is not None:
        if not is_dask_array(weights) and np.asarray(weights).dtype.kind not in "biuf":
            raise TypeError(f"'weights' must be a real array, got dtype {np.asarray(weights).dtype}")
        w = rows_like(weights, x, "weights")
        if w.dtype.kind not in "biuf":
            raise TypeError(f"'weights' must be a real array, got dtype {w.dtype}")
    xblocks = x.to_delayed().ravel()
    wblocks = [None] * len(xblocks) if w is None else list(w.to_delayed().ravel())
    tasks = [dask.delayed(_block_stats, pure=True)(xb, wb, threads) for xb, wb in zip(xblocks, wblocks)]
    stats = dask.compute(*tasks)
    _raise_for(stats, x.shape[0], x.shape)
    total = np.sum([s["total"] for s in stats], axis=0)
    total_w = float(sum(s["W"] for s in stats))
    if not total_w > 0:
        raise ValueError("'weights' must not all be zero (their sum must be positive).")
    mean = total / total_w
    r = float(np.linalg.norm(mean))
    if r == 0.0:
        raise ValueError("the resultant of 'x' is zero, so its mean direction is undefined.")
    if r > 0.99:
        dev = sum(s["S"] + s["W"] * float(np.sum((s["total"] / s["W"] - mean) ** 2)) for s in stats if s["W"] > 0)
        one_minus_r2 = dev / total_w + sum(s["norm_def"] for s in stats) / total_w
        one_minus_r = one_minus_r2 / (1.0 + r) if one_minus_r2 > 0 else 1.0 - r
    else:
        one_minus_r = 1.0 - r
    kappa = float(_inverse_mrl(np.float64(x.shape[1]), np.float64(min(r, 1.0)), np.float64(one_minus_r)))
    return mean / r, kappa
