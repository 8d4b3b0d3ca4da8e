"""
numkern log-Bessel ufuncs (use numkern.special)
"""
from __future__ import annotations
import numpy
import typing
__all__: list[str] = ['make_ufunc']
def _isa() -> str:
    """
    The instruction set of the log-Bessel block kernels in use.
    """
def _set_isa(isa: str) -> bool:
    """
    Use the block kernels for `isa` (baseline, avx2, avx512) if this CPU and build have them, or none at all (scalar: the per-element kernels the CUDA module shares); returns whether it did (for tests and benchmarks; the ufuncs read the choice at each call).
    """
def make_ufunc(name: str, doc: str) -> numpy.ufunc:
    """
    Create the ufunc `name` (log_iv, log_ive, log_kv, log_kve, iv_ratio) with docstring `doc`.
    """
