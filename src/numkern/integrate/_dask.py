"""The sampled-data rules on dask arrays: lazy, chunk by chunk, never gathering ``y``.

Every rule is linear in ``y``: a weighted sum ``sum_n w_n y_n`` (trapezoid, simpson) or prefix sums of
per-interval 3-point stencils (the cumulative rules), with weights and stencils computed from the spacings alone.
The global weight of a sample depends only on a few neighbouring spacings and on the sample's global index, so
each chunk of the integration axis gets its exact slice of the global weights from a small window of ``x``
(computed in its own task, with the same code as the in-memory rule) -- the seams between chunks are in those
weights. Each task then runs numkern's fused C++ pass on its block:

* ``trapezoid`` / ``simpson``: per block the partial sum ``sum_{n in block} w_n y_n`` (float64), then dask's tree
  sum over the blocks of the axis and the cast to the in-memory result dtype.
* ``cumulative_*``: per chunk of intervals the local prefix sums of the stencil values (the block plus the 1-2
  neighbouring samples its stencils read), then a blocked prefix scan adding the running totals of the previous
  chunks (:func:`dask.array.reductions.cumreduction`, as ``da.cumsum``).

Simpson's panels pair samples (0, 1, 2), (2, 3, 4), ... from the start of the whole axis, with Cartwright's
correction on the last interval for an even count; a chunk boundary may fall inside a panel, and each chunk's
window is aligned to the global (even) panel starts, so no rechunking is needed and the pairing is exactly the
in-memory one. Results equal the in-memory rules to rounding (the order of the additions differs).

Supported: real (bool, integer, float) ``y`` chunked along any axes; ``x`` None with a scalar ``dx`` or 1-D ``x``
(NumPy or dask). Not supported on dask (a clear error): N-D ``x``, array ``dx``, complex data, masked chunks.
For inputs holding ``inf`` the combined weights may give ``+-inf`` where scipy's term-by-term sums give NaN.
"""

from __future__ import annotations

import numpy as np

from .._backend import is_dask_array
from .._dask_util import block_bounds, require_dense, require_known_chunks
from .._validation import check_n_threads
from .. import _integrate
from ._weights import simpson_stencil, simpson_weights, trapezoid_stencil, trapezoid_weights


def _check_inputs(rule: str, y, x, dx):
    """Common checks: y a dense dask array with known chunks, x None / 1-D, dx a scalar."""
    if not is_dask_array(y):
        raise TypeError(f"{rule}: x is a dask array but y is not; pass y as a dask array too "
                        "(dask.array.from_array(y)) or x as a NumPy array")
    require_known_chunks(y, "y")
    require_dense(y, "y")
    if y.ndim == 0:
        raise ValueError("y: need at least one dimension to integrate along")
    if x is not None:
        if is_dask_array(x):
            require_known_chunks(x, "x")
            require_dense(x, "x", kinds="biuf")
        else:
            x = np.asarray(x)
            if x.dtype.kind not in "biuf":
                raise TypeError(f"x: dtype {x.dtype} is not supported with a dask y (need real numbers)")
        if x.ndim != 1:
            raise ValueError(f"{rule}: with a dask y, x must be 1-D (got {x.ndim}-D); N-D x is not distributed")
    if np.ndim(dx) != 0 or is_dask_array(dx):
        raise ValueError(f"dx: {rule} on a dask y needs a scalar dx (pass a 1-D x for non-uniform spacings)")
    return x


def _proxy(rule_fn, y, x, axis, **kwargs):
    """The in-memory rule on a tiny array of y's dtype: argument checks and the result dtype, as in memory."""
    from . import _rules

    ax = _rules._norm_axis(axis, y.ndim)
    n = y.shape[ax]
    m = min(n, 4) if n % 2 == 0 else min(n, 3)  # parity kept: simpson's dtype rules see the same case
    shape = tuple(m if k == ax else 1 for k in range(y.ndim))
    xp = None if x is None else np.arange(m, dtype=x.dtype)
    if x is not None and x.shape[0] != n:
        raise ValueError(f"x: length {x.shape[0]} does not match y.shape[axis] = {n}")
    res = rule_fn(np.ones(shape, dtype=y.dtype), x=xp, axis=ax, **kwargs)
    return ax, n, np.asarray(res).dtype


def _spacings(xw, dx, nodes: int) -> np.ndarray:
    """Spacings of a window of ``nodes`` samples: diff of the window of x (as the in-memory rules), or dx."""
    if xw is None:
        return np.full(max(nodes - 1, 0), float(dx))
    from ._rules import _spacings_1d

    return _spacings_1d(np.asarray(xw))


def _window_weights(rule: str, xw, dx, nodes: int, i0: int, i1: int) -> np.ndarray:
    """Weights of samples i0..i1-1 of a window (global weights: the window is aligned by the caller)."""
    d = _spacings(xw, dx, nodes)
    w = trapezoid_weights(d) if rule == "trapezoid" else simpson_weights(d)
    return np.ascontiguousarray(np.asarray(w, dtype=np.float64)[i0:i1])


def _weight_window(rule: str, a: int, b: int, n: int):
    """Samples [lo, hi) whose spacings determine the global weights of samples [a, b).

    Trapezoid: one neighbour each side. Simpson: the window starts at an even global index (a panel start) at or
    before the first panel touching ``a``, and has an odd number of samples (whole panels) unless it reaches the
    end of the axis, where it takes the global tail rule (Cartwright's correction for an even count).
    """
    if rule == "trapezoid":
        return max(a - 1, 0), min(b + 1, n)
    if n < 3:
        return 0, n
    lo = max(0, a - 2 + (a % 2))
    hi = b + 2
    if (hi - lo) % 2 == 0:
        hi += 1
    if hi >= n:
        hi = n
        lo = min(lo, n - 4 if n % 2 == 0 else n - 3)  # the tail rule needs its 3 (odd) or 4 (even) samples
    return lo, hi


def _slice_axis(arr, axis: int, lo: int, hi: int):
    return arr[(slice(None),) * axis + (slice(lo, hi),)]


def _delayed_window(x, lo: int, hi: int):
    """x[lo:hi] for a task: a NumPy slice (small, stored in the graph) or a lazy dask slice."""
    return None if x is None else x[lo:hi]


def _partial_sum(yb, wb, *, axis, n_threads):
    """sum_n w_n y_n over the block's part of the axis, kept as a length-1 axis (float64)."""
    if yb.shape[axis] == 0:
        shape = list(yb.shape)
        shape[axis] = 1
        return np.zeros(shape)
    from ._rules import _kernel_ready

    out = _integrate.weighted_reduce(_kernel_ready(yb), np.ascontiguousarray(wb, dtype=np.float64), axis,
                                     np.dtype(np.float64), n_threads)
    return np.expand_dims(np.asarray(out), axis)


def _weighted_sum(rule: str, y, x, dx, axis: int, n: int, result_dtype, n_threads):
    import dask
    import dask.array as da

    bounds = block_bounds(y.chunks[axis])
    pieces = []
    for k in range(len(y.chunks[axis])):
        a, b = int(bounds[k]), int(bounds[k + 1])
        lo, hi = _weight_window(rule, a, b, n)
        task = dask.delayed(_window_weights, pure=True)(rule, _delayed_window(x, lo, hi), dx, hi - lo, a - lo, b - lo)
        pieces.append(da.from_delayed(task, shape=(b - a,), dtype=np.float64))
    w = da.concatenate(pieces) if len(pieces) > 1 else pieces[0]
    w = w.rechunk((y.chunks[axis],))
    ind = tuple(range(y.ndim))
    partial = da.blockwise(_partial_sum, ind, y, ind, w, (axis,), dtype=np.float64,
                           adjust_chunks={axis: lambda c: 1}, axis=axis, n_threads=n_threads)
    return partial.sum(axis=axis).astype(result_dtype)


def trapezoid(y, x=None, dx=1.0, axis=-1, n_threads=None):
    """:func:`numkern.integrate.trapezoid` of a dask ``y``: a lazy 0-d or (N-1)-d dask array."""
    from . import _rules

    x = _check_inputs("trapezoid", y, x, dx)
    threads = check_n_threads(n_threads)
    axis, n, result_dtype = _proxy(_rules.trapezoid, y, x, axis, dx=dx)
    dxa = np.asarray(dx)
    if x is None and _rules._special_dx(dxa):  # complex / inf / nan spacing: dx times the unit-spacing integral
        return trapezoid(y, dx=1.0, axis=axis, n_threads=n_threads) * _rules._scalar_value(dx, dxa)
    if n < 2:
        return _empty_sum(y, axis, result_dtype)
    return _weighted_sum("trapezoid", y, x, dx, axis, n, result_dtype, threads)


def _empty_sum(y, axis, dtype):
    import dask.array as da

    shape = y.shape[:axis] + y.shape[axis + 1:]
    return da.zeros(shape, dtype=dtype, chunks=y.chunks[:axis] + y.chunks[axis + 1:])


def simpson(y, x=None, dx=1.0, axis=-1, n_threads=None):
    """:func:`numkern.integrate.simpson` of a dask ``y`` (scipy's even/odd rules, panels aligned globally)."""
    from . import _rules

    x = _check_inputs("simpson", y, x, dx)
    threads = check_n_threads(n_threads)
    axis, n, result_dtype = _proxy(_rules.simpson, y, x, axis, dx=dx)
    dxa = np.asarray(dx)
    if x is None and _rules._special_dx(dxa):
        return simpson(y, dx=1.0, axis=axis, n_threads=n_threads) * _rules._scalar_value(dx, dxa)
    if n < 2:
        return _empty_sum(y, axis, result_dtype)
    return _weighted_sum("simpson", y, x, dx, axis, n, result_dtype, threads)


# --- cumulative rules ---------------------------------------------------------------------------------------

def _interval_chunks(y, axis: int, n: int):
    """Chunks of the n - 1 intervals: interval j goes with sample j's chunk (empty chunks dropped)."""
    bounds = block_bounds(y.chunks[axis])
    out = []
    for k in range(len(y.chunks[axis])):
        ja, jb = int(bounds[k]), min(int(bounds[k + 1]), n - 1)
        if jb > ja:
            out.append((ja, jb))
    return out


def _stencil_window(rule: str, ja: int, jb: int, m: int):
    """Samples [lo, hi) holding every sample and spacing that the stencils of intervals [ja, jb) use."""
    if rule == "trapezoid":
        return ja, jb + 1
    lo = max(0, ja - 1)
    lo -= lo % 2  # an even global start keeps the forward / backward alternation of the intervals
    return lo, min(m, jb + 2) + 1


def _window_stencil(rule: str, xw, dx, nodes: int, r0: int, r1: int, n_total_rows: int) -> np.ndarray:
    """Stencil rows r0..r1-1 of a window, as (rows padded to n_total_rows, 4): 3 coefficients and the start."""
    if rule == "trapezoid":
        coef, start = trapezoid_stencil(_spacings(xw, dx, nodes))
    elif xw is None:
        dxa = np.asarray(dx)
        dxa = dxa.astype(dxa.dtype if dxa.dtype.kind == "f" else np.float64)
        coef, start = simpson_stencil(np.full(nodes - 1, dxa, dtype=dxa.dtype), equal=True)
    else:
        xa = np.asarray(xw)
        xa = xa.astype(xa.dtype if xa.dtype.kind == "f" else np.float64)
        d = np.diff(xa)
        if np.any(d <= 0):
            raise ValueError("Input x must be strictly increasing.")
        coef, start = simpson_stencil(d, equal=False)
    out = np.zeros((n_total_rows, 4))
    out[: r1 - r0, :3] = np.asarray(coef, dtype=np.float64)[r0:r1]
    out[: r1 - r0, 3] = start[r0:r1]
    return out


def _local_prefix(yb, st, *, axis, taps, rows, n_threads):
    """Prefix sums (float64) of the first ``rows`` stencil values of the slab ``yb`` (the C++ cumulative pass)."""
    from ._rules import _kernel_ready

    coef = np.ascontiguousarray(st[:, :3])
    start = np.ascontiguousarray(st[:, 3].astype(np.int64))
    out = _integrate.cumulative(_kernel_ready(yb), coef, start, taps, axis, 0, 0.0, np.dtype(np.float64), n_threads)
    return np.ascontiguousarray(out[(slice(None),) * axis + (slice(0, rows),)])


def _identity_scan(block, axis=None, dtype=None):
    return block


def _cumulative(rule: str, y, x, dx, axis: int, n: int, result_dtype, n_threads):
    import dask
    import dask.array as da
    from dask.array.reductions import cumreduction

    taps = 2 if rule == "trapezoid" else 3
    ind = tuple(range(y.ndim))
    pieces = []
    for ja, jb in _interval_chunks(y, axis, n):
        lo, hi = _stencil_window(rule, ja, jb, n - 1)
        nodes = hi - lo
        task = dask.delayed(_window_stencil, pure=True)(rule, _delayed_window(x, lo, hi), dx, nodes, ja - lo,
                                                        jb - lo, nodes - 1)
        st = da.from_delayed(task, shape=(nodes - 1, 4), dtype=np.float64)
        slab = _slice_axis(y, axis, lo, hi).rechunk({axis: nodes})
        pieces.append(da.blockwise(_local_prefix, ind, slab, ind, st, (y.ndim, y.ndim + 1), dtype=np.float64,
                                   adjust_chunks={axis: jb - ja}, concatenate=True, axis=axis, taps=taps,
                                   rows=jb - ja, n_threads=n_threads))
    local = da.concatenate(pieces, axis=axis) if len(pieces) > 1 else pieces[0]
    return cumreduction(_identity_scan, np.add, 0.0, local, axis=axis, dtype=np.float64).astype(result_dtype)


def _prepend(res, init, axis: int):
    """``init`` (broadcast to one sample along axis) followed by ``res`` along axis (lazy)."""
    import dask.array as da

    shape = list(res.shape)
    shape[axis] = 1
    head = da.broadcast_to(da.asarray(init, dtype=res.dtype), shape)
    head = head.rechunk(tuple(c if k != axis else (1,) for k, c in enumerate(res.chunks)))
    return da.concatenate([head, res], axis=axis)


def cumulative_trapezoid(y, x=None, dx=1.0, axis=-1, initial=None, n_threads=None):
    """:func:`numkern.integrate.cumulative_trapezoid` of a dask ``y``: a lazy dask array."""
    from . import _rules

    x = _check_inputs("cumulative_trapezoid", y, x, dx)
    threads = check_n_threads(n_threads)
    axis, n, result_dtype = _proxy(_rules.cumulative_trapezoid, y, x, axis, dx=dx, initial=initial)
    dxa = np.asarray(dx)
    if x is None and _rules._special_dx(dxa):
        res = cumulative_trapezoid(y, dx=1.0, axis=axis, n_threads=n_threads) * _rules._scalar_value(dx, dxa)
    elif n < 2:
        res = _slice_axis(y, axis, 0, 0).astype(result_dtype)
    else:
        res = _cumulative("trapezoid", y, x, dx, axis, n, result_dtype, threads)
    return res if initial is None else _prepend(res, 0, axis)


def cumulative_simpson(y, x=None, dx=1.0, axis=-1, initial=None, n_threads=None):
    """:func:`numkern.integrate.cumulative_simpson` of a dask ``y``: a lazy dask array."""
    from . import _rules

    x = _check_inputs("cumulative_simpson", y, x, dx)
    threads = check_n_threads(n_threads)
    if is_dask_array(initial):
        raise TypeError("initial: pass a scalar or a NumPy array (it is small: one sample along axis)")
    axis, n, result_dtype = _proxy(_rules.cumulative_simpson, y, x, axis, dx=dx, initial=None)
    init = None
    if initial is not None:
        init = np.asarray(initial)
        alt = tuple(1 if k == axis else s for k, s in enumerate(y.shape))
        if not (init.ndim == 0 or init.shape == alt):
            raise ValueError("If provided, `initial` must either be a scalar or have the same shape as `y` but "
                             "with only 1 point along `axis`.")
        _rules._numeric(initial, "initial")
    dxa = np.asarray(dx)
    if n < 3:
        res = cumulative_trapezoid(y, x, dx=dx, axis=axis, n_threads=n_threads)
    elif x is None and _rules._special_dx(dxa):
        res = cumulative_simpson(y, dx=1.0, axis=axis, n_threads=n_threads) * _rules._scalar_value(dx, dxa)
    else:
        res = _cumulative("simpson", y, x, dx, axis, n, result_dtype, threads)
    if init is None:
        return res
    init = init.astype(np.result_type(res.dtype, init.dtype if init.dtype.kind == "f" else np.float64))
    res = res + init
    return _prepend(res, init, axis)
