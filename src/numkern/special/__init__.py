"""Logarithms of modified Bessel functions as NumPy ufuncs (``numkern.special``).

``log_iv``, ``log_ive``, ``log_kv``, ``log_kve`` and ``iv_ratio`` are real :class:`numpy.ufunc` objects with
float32 and float64 loops, so broadcasting, ``out=``, ``where=``, ``dtype=`` and Dask arrays work as for any
NumPy ufunc. For CuPy arrays use :mod:`numkern.special.cuda`, which has the same names.
"""

from __future__ import annotations

from ._ufuncs import iv_ratio, log_iv, log_ive, log_kv, log_kve

__all__ = ["log_iv", "log_ive", "log_kv", "log_kve", "iv_ratio"]
