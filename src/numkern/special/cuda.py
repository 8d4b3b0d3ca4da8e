"""CuPy versions of the numkern.special functions (CuPy array in, CuPy array out).

NumPy ufuncs cannot take CuPy arrays, so this module offers the same names for GPU data:
``log_iv``, ``log_ive``, ``log_kv``, ``log_kve`` and ``iv_ratio``. They broadcast ``v`` against ``x``, keep
float32 when both inputs are float32 (computing in double and rounding once, like the CPU loops) and use
float64 otherwise, and run on CuPy's current device and stream. The kernels are the same C++ functions
(``numkern/special/log_bessel.hpp``) compiled by nvcc, so GPU and CPU results agree to the last ulp or so
(the GPU's libm differs from the host's in the last bit).
"""

from __future__ import annotations

from .._backend import cuda_module, current_stream_ptr

__all__ = ["log_iv", "log_ive", "log_kv", "log_kve", "iv_ratio"]

_FUNCTION_IDS = {"log_iv": 0, "log_ive": 1, "log_kv": 2, "log_kve": 3, "iv_ratio": 4}


def _result_dtype(cp, v, x):
    dtypes = [a.dtype for a in (v, x)]
    if any(dt.kind not in "biuf" for dt in dtypes):
        raise TypeError(f"v and x must be real numbers, got dtypes {dtypes[0]} and {dtypes[1]}")
    if all(dt == cp.float32 or dt == cp.float16 for dt in dtypes):
        return cp.dtype(cp.float32)
    return cp.dtype(cp.float64)


def _apply(name: str, v, x, out=None):
    import cupy as cp

    v = cp.asarray(v)
    x = cp.asarray(x)
    dtype = _result_dtype(cp, v, x)
    vb, xb = cp.broadcast_arrays(v, x)
    shape = vb.shape
    vc = cp.ascontiguousarray(vb, dtype=dtype)
    xc = cp.ascontiguousarray(xb, dtype=dtype)
    if out is None:
        result = cp.empty(shape, dtype=dtype)
    else:
        if not isinstance(out, cp.ndarray) or out.shape != shape or out.dtype != dtype:
            raise ValueError(f"out must be a CuPy array of shape {shape} and dtype {dtype}")
        result = out if out.flags.c_contiguous else cp.empty(shape, dtype=dtype)
    cuda_module().special_binary(
        _FUNCTION_IDS[name], dtype == cp.float32, vc.data.ptr, xc.data.ptr, result.data.ptr, int(result.size),
        current_stream_ptr(),
    )
    if out is not None and result is not out:
        out[...] = result
        return out
    return result


_DOC_TEMPLATE = """{formula} on CuPy arrays; see :data:`numkern.special.{name}`.

    Parameters
    ----------
    v, x : cupy.ndarray or array_like
        Order and argument, broadcast together.
    out : cupy.ndarray, optional
        C-contiguous result array of the broadcast shape and result dtype.

    Returns
    -------
    cupy.ndarray
        float32 when both inputs are float32, else float64.

    Examples
    --------
    >>> import cupy as cp  # doctest: +SKIP
    >>> from numkern.special import cuda
    >>> cuda.{name}(cp.asarray([0.5, 2.0]), 3.0)  # doctest: +SKIP
    """


def _make(name: str, formula: str):
    def func(v, x, out=None):
        return _apply(name, v, x, out)

    func.__name__ = func.__qualname__ = name
    func.__doc__ = _DOC_TEMPLATE.format(formula=formula, name=name)
    return func


log_iv = _make("log_iv", ":math:`\\log I_v(x)`")
log_ive = _make("log_ive", ":math:`\\log I_v(x) - |x|`")
log_kv = _make("log_kv", ":math:`\\log K_v(x)`")
log_kve = _make("log_kve", ":math:`\\log K_v(x) + x`")
iv_ratio = _make("iv_ratio", ":math:`I_{v+1}(x) / I_v(x)`")
