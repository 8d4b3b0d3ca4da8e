"""
numkern log-Bessel ufuncs (use numkern.special)
"""
from __future__ import annotations
import numpy
import typing
__all__: list[str] = ['make_ufunc']
def make_ufunc(name: str, doc: str) -> numpy.ufunc:
    """
    Create the ufunc `name` (log_iv, log_ive, log_kv, log_kve, iv_ratio) with docstring `doc`.
    """
