"""Sparse matrix products: multithreaded row-wise SpGEMM with scipy-compatible inputs and outputs.

``matmul`` (C = A @ B, single pass), ``spgemm_plan`` (symbolic phase reused for new values) and ``masked_matmul``
(A @ B restricted to a mask pattern); CuPy sparse operands run on the GPU.
"""

from ._spgemm import SpgemmPlan, masked_matmul, matmul, spgemm_plan

__all__ = ["matmul", "masked_matmul", "spgemm_plan", "SpgemmPlan"]
