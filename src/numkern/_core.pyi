"""
numkern build information
"""
from __future__ import annotations
__all__: list[str] = ['compiler', 'cplusplus', 'max_threads', 'openmp', 'openmp_version', 'thread_cap', 'version']
def max_threads() -> int:
    """
    Threads an OpenMP region would use now (honours OMP_NUM_THREADS and threadpoolctl).
    """
def thread_cap() -> int:
    """
    The most threads a numkern region starts (larger requests are capped).
    """
compiler: str
cplusplus: int
openmp: bool
openmp_version: int | None
version: str
