"""scipy-compatible sampled-data rules: trapezoid, simpson, cumulative_trapezoid, cumulative_simpson.

Each rule is turned into weights (or a per-interval stencil) computed from ``x`` alone, followed by one fused
C++ pass over ``y`` in its own memory layout (:mod:`numkern._integrate`).  Inputs the kernels do not cover
(N-D ``x``, array ``dx``, complex or exotic dtypes) go through the same weights with numpy.

Complex ``x`` or ``dx`` give the integral along the polyline through the nodes (a contour integral), in every
rule: scipy's cumulative rules and ``numpy.trapezoid`` do the same, while ``scipy.integrate.trapezoid`` and
``simpson`` drop the imaginary part of ``x`` (``trapezoid(y, dx=1j)`` is 0.0 there).  ``dx``, ``x``, ``y`` and
``initial`` must be numbers (TypeError naming the argument otherwise); NaN and inf follow scipy.

Masked arrays (:mod:`numpy.ma`): ``trapezoid`` gives scipy's result, which honours the mask (an interval with a
masked end is left out); the other rules raise TypeError for masked entries, which scipy silently integrates.
"""

from __future__ import annotations

import numbers

import numpy as np

from numkern._backend import any_dask
from numkern._validation import as_numeric_array, check_integer, check_n_threads

from .. import _integrate
from . import _dask
from ._weights import (
    apply_stencil,
    simpson_stencil,
    simpson_weights,
    trapezoid_stencil,
    trapezoid_weights,
)

_KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))




def _float_dtype(dtype: np.dtype) -> np.dtype:
    """scipy's force_floating promotion: integers and booleans become float64."""
    if dtype.kind in "fc":
        return dtype
    if dtype.kind in "biu":
        return np.dtype(np.float64)
    raise TypeError(f"y: unsupported dtype {dtype}")


def _norm_axis(axis, ndim: int) -> int:
    axis = check_integer(axis, "axis")
    if not -ndim <= axis < ndim:  # checked here: numpy's own check overflows on integers beyond int64
        raise np.exceptions.AxisError(axis, ndim)
    return axis % ndim


def _numeric(value, name: str, *, allow_bool: bool = False) -> np.ndarray:
    """``value`` (``y``, a spacing ``dx``, the nodes ``x``) as an integer, real or complex array; TypeError else."""
    return as_numeric_array(value, name, allow_bool=allow_bool)


def _special_dx(dxa: np.ndarray) -> bool:
    """A scalar spacing the fused real kernels cannot take: complex, NaN or inf.

    Every uniform rule is homogeneous of degree one in ``dx``, so such integrals are ``dx`` times the unit-spacing
    result: exact for complex ``dx`` (scipy's value, where scipy keeps the imaginary part), and for ``inf`` the
    signed infinity scipy returns instead of the ``0 * inf = nan`` that folding ``dx`` into the weights gives.
    """
    return dxa.ndim == 0 and (dxa.dtype.kind == "c" or not np.isfinite(dxa))


def _scalar_value(dx, dxa: np.ndarray):
    """The scalar dx itself (a Python number stays weakly typed in numpy's promotion) or its array value."""
    return dx if isinstance(dx, numbers.Number) else dxa[()]


def _times_dx(unit, dx, dxa: np.ndarray, n: int):
    """The integral for the special scalar ``dx`` from the unit-spacing one (an empty sum stays 0)."""
    res = np.multiply(unit, _scalar_value(dx, dxa))
    return (np.zeros_like(res) if n < 2 else res)[()]


def _builtin(dtype: np.dtype) -> np.dtype:
    """numpy's own float32/float64 dtype object: the bindings compare by identity, and an unpickled array (a
    Dask task's block, a multiprocessing argument) carries an equal dtype that is a different object."""
    return np.dtype(dtype.char)


def _kernel_ready(y: np.ndarray) -> np.ndarray:
    """y as float32/float64 with element-aligned strides (copies only when it must)."""
    if y.dtype not in _KERNEL_DTYPES:
        y = y.astype(np.float64)
    elif y.dtype is not _builtin(y.dtype):
        y = y.view(_builtin(y.dtype))
    if any(s % y.itemsize for s in y.strides):
        y = np.ascontiguousarray(y)
    return y


def _fast_path(result_dtype: np.dtype) -> bool:
    return result_dtype in _KERNEL_DTYPES


def _reduce(y: np.ndarray, w: np.ndarray, axis: int, result_dtype: np.dtype, n_threads) -> np.ndarray:
    """sum_n w[n] y[..., n, ...] along axis with the fused kernel (w 1-D) or numpy (w broadcast N-D)."""
    if w.ndim == 1 and _fast_path(result_dtype) and y.dtype.kind in "fbiu":
        out = _integrate.weighted_reduce(_kernel_ready(y), np.ascontiguousarray(w, dtype=np.float64), axis,
                                         _builtin(result_dtype), check_n_threads(n_threads))
        return out[()] if out.ndim == 0 else out
    if w.ndim == 1:
        shape = [1] * y.ndim
        shape[axis] = -1
        w = w.reshape(shape)
    res = np.sum(w * y, axis=axis)
    return np.asarray(res).astype(result_dtype, copy=False)[()]


def _fix_infinities(res, y, axis, x, dx, termwise):
    """Where the fused result is +-inf, recompute with scipy's term structure.

    Combining all coefficients of a sample into one weight turns scipy's ``inf - inf = nan`` (an infinite
    sample entering two terms with opposite signs) into ``+-inf``; the few affected integrals are re-evaluated
    term by term with numpy so that NaN/inf follow scipy exactly.
    """
    res_arr = np.asarray(res)
    bad = np.isinf(res_arr)
    if not bad.any():
        return res
    y_last = np.moveaxis(y, axis, -1).astype(np.result_type(res_arr.dtype, np.float64))
    if x is None:
        d = np.full(y_last.shape[-1] - 1, float(dx))
    elif np.ndim(x) == 1:
        d = _spacings_1d(np.asarray(x))
    else:
        d = np.diff(np.moveaxis(np.broadcast_to(x, y.shape), axis, -1), axis=-1).astype(_spacing_dtype(x))
    d = np.broadcast_to(d, y_last.shape[:-1] + d.shape[-1:])
    fixed = termwise(y_last[bad], d[bad])
    out = res_arr.copy()
    out[bad] = fixed
    return out[()]


def _trapezoid_termwise(y, d):
    return np.sum(d * (y[..., 1:] + y[..., :-1]) / 2.0, axis=-1)


def _simpson_termwise(y, d):
    from ._weights import _safe_divide

    n = y.shape[-1]
    if n < 3:
        return _trapezoid_termwise(y, d)
    stop = n - 2 if n % 2 else n - 3
    h0, h1 = d[..., 0:stop:2], d[..., 1:stop + 1:2]
    hsum, hprod = h0 + h1, h0 * h1
    r = _safe_divide(h0, h1)
    m = h0.shape[-1]
    y0, y1, y2 = y[..., 0:2 * m:2], y[..., 1:2 * m:2], y[..., 2:2 * m + 1:2]
    total = np.sum(hsum / 6.0 * (y0 * (2.0 - _safe_divide(1.0, r)) + y1 * (hsum * _safe_divide(hsum, hprod))
                                 + y2 * (2.0 - r)), axis=-1)
    if n % 2 == 0:
        a, b = d[..., -2], d[..., -1]
        alpha = _safe_divide(2 * b**2 + 3 * a * b, 6 * (b + a))
        beta = _safe_divide(b**2 + 3.0 * a * b, 6 * a)
        eta = _safe_divide(b**3, 6 * a * (a + b))
        total = total + (alpha * y[..., -1] + beta * y[..., -2] - eta * y[..., -3])
    return total


def _interval_slices(ndim: int, axis: int):
    hi = [slice(None)] * ndim
    lo = [slice(None)] * ndim
    hi[axis] = slice(1, None)
    lo[axis] = slice(None, -1)
    return tuple(hi), tuple(lo)


def _spacing_dtype(x: np.ndarray) -> np.dtype:
    """float64 spacings for real nodes, complex128 for complex ones (a contour integral along the polyline)."""
    return np.dtype(np.complex128) if x.dtype.kind == "c" else np.dtype(np.float64)


def _spacings_1d(x: np.ndarray) -> np.ndarray:
    # Differences in x's own dtype (as scipy), then widened: float32 nodes give scipy's float32 spacings.
    return np.diff(x).astype(_spacing_dtype(x))


def _refuse_masked(rule: str, **arrays) -> None:
    """TypeError for a masked array with masked entries: ``rule`` has no answer for it that scipy defines.

    scipy's ``simpson`` and ``cumulative_trapezoid`` integrate the data under the mask as if it were not there,
    and ``cumulative_simpson`` mixes masked and unmasked arithmetic into values that are neither; silently doing
    the same would be garbage, so numkern refuses. A masked array with nothing masked is its data (as in scipy).
    """
    for name, value in arrays.items():
        if np.ma.is_masked(value):
            raise TypeError(f"{name} is a masked array with masked entries, which {rule} cannot honour "
                            f"(scipy.integrate.{rule} does not honour the mask); pass "
                            f"{name}.filled(value) or only the unmasked samples")


def _masked_trapezoid(y, x, dx, axis, n_threads):
    """scipy's trapezoid of masked input, which honours the mask: numpy.ma arithmetic leaves out every interval
    with a masked end or spacing (and returns ``numpy.ma.masked`` where all are). Not a fast path: scipy computes
    it, after numkern's argument checks."""
    from scipy.integrate import trapezoid as scipy_trapezoid

    yv = _numeric(y, "y", allow_bool=True)
    if yv.ndim == 0:
        raise ValueError("y: need at least one dimension to integrate along")
    axis = _norm_axis(axis, yv.ndim)
    _numeric(dx, "dx")
    if x is not None:
        _numeric(x, "x")
    check_n_threads(n_threads)
    return scipy_trapezoid(y, x=x, dx=dx, axis=axis)


def trapezoid(y, x=None, dx=1.0, axis=-1, *, n_threads=None):
    r"""Integrate along the given axis using the composite trapezoidal rule.

    Same signature, broadcasting and results as :func:`scipy.integrate.trapezoid`, computed in one fused pass
    over ``y`` (any memory layout, float32/float64, OpenMP threads on large batches, GIL released).

    Parameters
    ----------
    y : array_like
        Input array to integrate.
    x : array_like, optional
        Sample points corresponding to the ``y`` values: 1-D with ``y.shape[axis]`` entries, or N-D and
        broadcastable to ``y``. If None, the points are spaced ``dx`` apart.
    dx : scalar, optional
        Spacing between sample points when ``x`` is None. Default 1.
    axis : int, optional
        Axis along which to integrate. Default -1.
    n_threads : int, optional
        OpenMP threads (default: OpenMP's setting, e.g. ``OMP_NUM_THREADS``). Results do not depend on it.

    Returns
    -------
    trapezoid : float or ndarray
        Definite integral approximated by the trapezoidal rule, in ``y``'s floating dtype (as scipy).

    See Also
    --------
    simpson, cumulative_trapezoid, bayes_quad

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.integrate import trapezoid
    >>> float(trapezoid([1, 2, 3]))
    4.0
    >>> x = np.linspace(0, np.pi, 201)
    >>> round(float(trapezoid(np.sin(x), x)), 4)
    2.0
    """
    if any_dask(y, x):  # distributed: lazy, never gathered (numkern.integrate._dask)
        return _dask.trapezoid(y, x, dx, axis, n_threads)
    if any(isinstance(a, np.ma.MaskedArray) for a in (y, x, dx)):
        return _masked_trapezoid(y, x, dx, axis, n_threads)
    y = _numeric(y, "y", allow_bool=True)
    result_dtype = _float_dtype(y.dtype)
    if y.ndim == 0:
        raise ValueError("y: need at least one dimension to integrate along")
    axis = _norm_axis(axis, y.ndim)
    n = y.shape[axis]
    dxa = _numeric(dx, "dx")  # checked even when x is given (and dx unused), as in every rule
    if x is not None:
        x = _numeric(x, "x")
        result_dtype = np.result_type(result_dtype, x.dtype) if x.dtype.kind == "c" else result_dtype
    if n == 0:  # scipy: an empty sum
        return np.zeros(y.shape[:axis] + y.shape[axis + 1:], dtype=result_dtype)[()]
    if x is None:
        if dxa.ndim != 0:
            # Array dx broadcast against the interval terms, exactly as scipy does (numpy path).
            hi, lo = _interval_slices(y.ndim, axis)
            if dxa.dtype.kind == "c":  # summing in y's real dtype would drop the imaginary part
                result_dtype = np.result_type(result_dtype, dxa.dtype)
            return np.sum(dxa * (y[hi] + y[lo]) / 2.0, axis=axis, dtype=result_dtype)[()]
        if _special_dx(dxa):
            return _times_dx(trapezoid(y, dx=1.0, axis=axis, n_threads=n_threads), dx, dxa, n)
        w = trapezoid_weights(np.full(max(n - 1, 0), float(dx)))
        res = _reduce(y, w, axis, result_dtype, n_threads)
        return _fix_infinities(res, y, axis, None, dx, _trapezoid_termwise)
    if x.ndim == 1:
        if x.shape[0] != n:
            raise ValueError(f"x: length {x.shape[0]} does not match y.shape[axis] = {n}")
        res = _reduce(y, trapezoid_weights(_spacings_1d(x)), axis, result_dtype, n_threads)
        return _fix_infinities(res, y, axis, x, dx, _trapezoid_termwise)
    try:
        xb = np.broadcast_to(x, y.shape)
    except ValueError as exc:
        raise ValueError(f"x: shape {x.shape} is not broadcastable to y's shape {y.shape}") from exc
    d = np.diff(np.moveaxis(xb, axis, -1), axis=-1).astype(_spacing_dtype(x))
    w = np.moveaxis(trapezoid_weights(d), -1, axis)
    return _reduce(y, w, axis, result_dtype, n_threads)


def _check_x_shape(x: np.ndarray, y: np.ndarray, axis: int) -> None:
    """scipy's checks for simpson / cumulative_trapezoid."""
    if x.ndim != 1 and x.ndim != y.ndim:
        raise ValueError("If given, shape of x must be 1-D or the same as y.")
    length = x.shape[0] if x.ndim == 1 else x.shape[axis]
    if length != y.shape[axis]:
        raise ValueError("If given, length of x along axis must be the same as y.")


def simpson(y, x=None, *, dx=1.0, axis=-1, n_threads=None):
    r"""Integrate along the given axis using the composite Simpson's rule.

    Same semantics as :func:`scipy.integrate.simpson` (scipy >= 1.11): for an odd number of samples the
    composite rule over pairs of intervals; for an even number, Simpson on the first ``N - 1`` samples plus
    Cartwright's quadratic correction on the last interval; two samples give the trapezoid.
    Computed as weights from ``x`` followed by one fused pass over ``y``.

    Parameters
    ----------
    y : array_like
        Array to be integrated.
    x : array_like, optional
        Sample points: 1-D of length ``y.shape[axis]`` or the same number of dimensions as ``y``.
    dx : float, optional
        Spacing of the samples when ``x`` is None. Default 1.
    axis : int, optional
        Axis along which to integrate. Default -1.
    n_threads : int, optional
        OpenMP threads (default: OpenMP's setting). Results do not depend on it.

    Returns
    -------
    float or ndarray
        The estimated integral. dtype: float64 when ``x`` is given, else ``y``'s floating dtype.
        (scipy returns float64 for 1-D float32 input with an even number of samples; numkern does not
        reproduce that 0-d promotion quirk.)

    See Also
    --------
    trapezoid, cumulative_simpson

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.integrate import simpson
    >>> x = np.arange(0, 10)
    >>> float(simpson(x**2, x=x))    # exact for quadratics, also with even N
    243.0
    """
    if any_dask(y, x):
        return _dask.simpson(y, x, dx, axis, n_threads)
    _refuse_masked("simpson", y=y, x=x, dx=dx)
    y = _numeric(y, "y", allow_bool=True)
    if y.ndim == 0:
        raise ValueError("y: need at least one dimension to integrate along")
    axis = _norm_axis(axis, y.ndim)
    n = y.shape[axis]
    if n == 0:
        raise ValueError("y: simpson needs at least one sample along axis")
    yf = _float_dtype(y.dtype)
    dxa = _numeric(dx, "dx")
    if x is None:
        if dxa.ndim != 0:
            raise ValueError("dx: must be a scalar (pass x= for non-uniform or batched spacings)")
        if _special_dx(dxa):
            return _times_dx(simpson(y, dx=1.0, axis=axis, n_threads=n_threads), dx, dxa, n)
        result_dtype = np.result_type(yf, _scalar_value(dx, dxa))
        w = simpson_weights(np.full(max(n - 1, 0), float(dx)))
        res = _reduce(y, w, axis, _float_dtype(np.dtype(result_dtype)), n_threads)
        return _fix_infinities(res, y, axis, None, dx, _simpson_termwise)
    x = _numeric(x, "x")
    _check_x_shape(x, y, axis)
    result_dtype = np.result_type(yf, x.dtype) if n == 2 else np.result_type(yf, _spacing_dtype(x))
    result_dtype = _float_dtype(np.dtype(result_dtype))
    if x.ndim == 1:
        res = _reduce(y, simpson_weights(_spacings_1d(x)), axis, result_dtype, n_threads)
        return _fix_infinities(res, y, axis, x, dx, _simpson_termwise)
    d = np.diff(np.moveaxis(x, axis, -1), axis=-1).astype(_spacing_dtype(x))
    w = np.moveaxis(simpson_weights(d), -1, axis)
    return _reduce(y, w, axis, result_dtype, n_threads)


def _cumulative(y, coef, start, taps, axis, result_dtype, initial, n_threads):
    """Prefix sums of the stencil along axis; ``initial`` (scalar or None) is prepended and added."""
    shift = 0 if initial is None else 1
    init = 0.0 if initial is None else float(initial)
    if coef.ndim == 2 and _fast_path(result_dtype) and y.dtype.kind in "fbiu":
        return _integrate.cumulative(_kernel_ready(y), np.ascontiguousarray(coef, dtype=np.float64),
                                     np.ascontiguousarray(start, dtype=np.int64), taps, axis, shift, init,
                                     _builtin(result_dtype), check_n_threads(n_threads))
    y_last = np.moveaxis(y, axis, -1)
    res = np.cumsum(apply_stencil(y_last, coef, start), axis=-1)
    if initial is not None:
        res = np.concatenate([np.zeros(res.shape[:-1] + (1,), dtype=res.dtype), res], axis=-1) + init
    return np.moveaxis(res.astype(result_dtype, copy=False), -1, axis)


def _check_zero_initial(initial) -> None:
    """scipy's rule for cumulative_trapezoid: ``initial`` is None or the scalar 0.

    Checked in this order (scipy compares first, so an array ``initial`` fails there with numpy's "truth value
    of an array" error); a bool or string is a TypeError, as for every numeric argument.
    """
    if initial is None:
        return
    if not np.isscalar(initial):
        raise ValueError("`initial` parameter should be a scalar.")
    if isinstance(initial, (bool, np.bool_)) or not isinstance(initial, numbers.Number):
        raise TypeError(f"initial must be None or the number 0, got {initial!r} of type {type(initial).__name__}")
    if initial != 0:
        raise ValueError("`initial` must be `None` or `0`.")


def cumulative_trapezoid(y, x=None, dx=1.0, axis=-1, initial=None, *, n_threads=None):
    r"""Cumulatively integrate y(x) using the composite trapezoidal rule.

    Same signature and results as :func:`scipy.integrate.cumulative_trapezoid`, in one fused pass.

    Parameters
    ----------
    y : array_like
        Values to integrate.
    x : array_like, optional
        Sample points: 1-D of length ``y.shape[axis]`` or the same shape as ``y``. If None, spacing ``dx``.
    dx : float, optional
        Spacing between elements of ``y`` when ``x`` is None.
    axis : int, optional
        Axis along which to integrate. Default -1.
    initial : scalar, optional
        If given (only 0 is allowed, as in scipy), insert this value at the beginning of the result.
    n_threads : int, optional
        OpenMP threads (default: OpenMP's setting).

    Returns
    -------
    ndarray
        Cumulative integral along ``axis``; one element shorter than ``y`` unless ``initial`` is given.

    See Also
    --------
    trapezoid, cumulative_simpson

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.integrate import cumulative_trapezoid
    >>> x = np.linspace(-2, 2, 5)
    >>> cumulative_trapezoid(x, x, initial=0)
    array([ 0. , -1.5, -2. , -1.5,  0. ])
    """
    if any_dask(y, x):
        return _dask.cumulative_trapezoid(y, x, dx, axis, initial, n_threads)
    _refuse_masked("cumulative_trapezoid", y=y, x=x, dx=dx)
    y = _numeric(y, "y", allow_bool=True)
    if y.ndim == 0:
        raise ValueError("y: need at least one dimension to integrate along")
    axis = _norm_axis(axis, y.ndim)
    n = y.shape[axis]
    if n == 0:
        raise ValueError("At least one point is required along `axis`.")
    yf = _float_dtype(y.dtype)
    _check_zero_initial(initial)
    dxa = _numeric(dx, "dx")
    if x is None:
        result_dtype = _float_dtype(np.dtype(np.result_type(yf, _scalar_value(dx, dxa) if dxa.ndim == 0 else dxa)))
        if _special_dx(dxa):
            res = _times_dx(cumulative_trapezoid(y, dx=1.0, axis=axis, n_threads=n_threads), dx, dxa, n)
            return res if initial is None else _prepend_initial(res, axis, np.zeros((), dtype=res.dtype))
        if dxa.ndim != 0:
            # Array dx broadcast against the interval terms, exactly as scipy does (numpy path).
            hi, lo = _interval_slices(y.ndim, axis)
            res = np.cumsum(dxa * (y[hi] + y[lo]) / 2.0, axis=axis)
            if initial is not None:
                shape = list(res.shape)
                shape[axis] = 1
                res = np.concatenate([np.zeros(shape, dtype=res.dtype), res], axis=axis)
            return res
        coef, start = trapezoid_stencil(np.full(n - 1, float(dx)))
        return _cumulative(y, coef, start, 2, axis, result_dtype, initial, n_threads)
    x = _numeric(x, "x")
    _check_x_shape(x, y, axis)
    result_dtype = _float_dtype(np.dtype(np.result_type(yf, x.dtype)))
    if x.ndim == 1:
        coef, start = trapezoid_stencil(_spacings_1d(x))
        return _cumulative(y, coef, start, 2, axis, result_dtype, initial, n_threads)
    d = np.diff(np.moveaxis(x, axis, -1), axis=-1).astype(_spacing_dtype(x))
    coef, start = trapezoid_stencil(d)
    return _cumulative(y, coef, start, 2, axis, result_dtype, initial, n_threads)


def cumulative_simpson(y, *, x=None, dx=1.0, axis=-1, initial=None, n_threads=None):
    r"""Cumulatively integrate y(x) using the composite Simpson's 1/3 rule.

    Same semantics as :func:`scipy.integrate.cumulative_simpson`: the integral over each interval uses the
    quadratic through that interval and a neighbour (alternating so that every interval but the last uses
    the forward neighbour when possible); fewer than 3 samples fall back to the trapezoid rule.

    Parameters
    ----------
    y : array_like
        Values to integrate (at least one point along ``axis``).
    x : array_like, optional
        Strictly increasing sample points: 1-D of length ``y.shape[axis]`` or the same shape as ``y``.
    dx : scalar or array_like, optional
        Spacing when ``x`` is None: a scalar or an array shaped like ``y`` with one point along ``axis``.
    axis : int, optional
        Axis along which to integrate. Default -1.
    initial : scalar or array_like, optional
        Inserted at the beginning of the result and added to every other element (scipy's convention).
    n_threads : int, optional
        OpenMP threads (default: OpenMP's setting).

    Returns
    -------
    ndarray
        Cumulative integral; one element shorter than ``y`` along ``axis`` unless ``initial`` is given.

    See Also
    --------
    cumulative_trapezoid, simpson

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.integrate import cumulative_simpson
    >>> x = np.linspace(0, 2, 5)
    >>> cumulative_simpson(x**2, x=x, initial=0)    # exact for quadratics
    array([0.        , 0.04166667, 0.33333333, 1.125     , 2.66666667])
    """
    if any_dask(y, x):
        return _dask.cumulative_simpson(y, x, dx, axis, initial, n_threads)
    _refuse_masked("cumulative_simpson", y=y, x=x, dx=dx)
    y = _numeric(y, "y", allow_bool=True)
    y = y.astype(_float_dtype(y.dtype), copy=False)
    if y.ndim == 0:
        raise ValueError("`axis={}` is not valid for `y` with `y.ndim=0`.".format(axis))
    axis = check_integer(axis, "axis")
    try:
        axis = _norm_axis(axis, y.ndim)
    except ValueError as exc:
        raise ValueError(f"`axis={axis}` is not valid for `y` with `y.ndim={y.ndim}`.") from exc
    n = y.shape[axis]
    _numeric(dx, "dx")  # checked even when x is given (and dx unused), as in every rule
    init_arr = None
    if initial is not None:
        init_arr = _numeric(initial, "initial")
        init_arr = init_arr.astype(_float_dtype(init_arr.dtype), copy=False)
        alt = tuple(1 if k == axis else s for k, s in enumerate(y.shape))
        if not (init_arr.ndim == 0 or init_arr.shape == alt):
            raise ValueError("If provided, `initial` must either be a scalar or have the same shape as `y` but "
                             "with only 1 point along `axis`.")

    if n < 3:
        res = cumulative_trapezoid(y, x, dx=dx, axis=axis, initial=None, n_threads=n_threads)
    elif x is not None:
        x = _numeric(x, "x")
        x = x.astype(_float_dtype(x.dtype), copy=False)
        if not (x.shape == y.shape or (x.ndim == 1 and x.shape[0] == n)):
            raise ValueError("If given, shape of `x` must be the same as `y` or 1-D with the same length as `y` "
                             "along `axis`.")
        d = np.diff(x if x.ndim == 1 else np.moveaxis(x, axis, -1), axis=-1)
        if np.any(d <= 0):
            raise ValueError("Input x must be strictly increasing.")
        result_dtype = np.result_type(y.dtype, x.dtype)
        coef, start = simpson_stencil(d, equal=False)
        res = _cumulative(y, coef, start, 3, axis, result_dtype, None, n_threads)
    else:
        dxa = _numeric(dx, "dx")
        dxa = dxa.astype(_float_dtype(dxa.dtype), copy=False)
        alt = tuple(1 if k == axis else s for k, s in enumerate(y.shape))
        if not (dxa.ndim == 0 or dxa.shape == alt):
            raise ValueError("If provided, `dx` must either be a scalar or have the same shape as `y` but with "
                             "only 1 point along `axis`.")
        result_dtype = np.result_type(y.dtype, dxa.dtype)
        if _special_dx(dxa):
            res = _times_dx(cumulative_simpson(y, dx=1.0, axis=axis, n_threads=n_threads), dx, dxa, n)
        else:
            if dxa.ndim == 0:
                coef, start = simpson_stencil(np.full(n - 1, dxa, dtype=dxa.dtype), equal=True)
            else:
                d = np.repeat(np.moveaxis(dxa, axis, -1), n - 1, axis=-1)
                coef, start = simpson_stencil(d, equal=True)
            res = _cumulative(y, coef, start, 3, axis, result_dtype, None, n_threads)

    if init_arr is not None:
        alt = tuple(1 if k == axis else s for k, s in enumerate(y.shape))
        init_b = np.broadcast_to(init_arr, alt)
        res = _prepend_initial(res + init_b, axis, init_b)
    return res


def _prepend_initial(res: np.ndarray, axis: int, init) -> np.ndarray:
    """``init`` (broadcast to one point along axis) followed by ``res`` along axis."""
    shape = list(res.shape)
    shape[axis] = 1
    return np.concatenate([np.broadcast_to(init, shape).astype(res.dtype), res], axis=axis)
