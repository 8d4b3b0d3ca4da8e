"""Sparse matrix products: multithreaded two-phase SpGEMM with scipy-compatible inputs and outputs.

.. autosummary::

   matmul
   masked_matmul
   spgemm_plan
   SpgemmPlan
"""

from ._spgemm import SpgemmPlan, masked_matmul, matmul, spgemm_plan

__all__ = ["matmul", "masked_matmul", "spgemm_plan", "SpgemmPlan"]
