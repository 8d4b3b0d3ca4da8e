"""GP-HM: a Gaussian-process solver for high-frequency and multi-scale PDEs on rectangular tensor grids.

See :class:`GPHMSolver` and :class:`PDE`; the method is Fang et al., "Solving High Frequency and Multi-Scale PDEs
with Gaussian Processes", ICLR 2024, with the fit reorganised as exact inner solves for the grid values and an
L-BFGS-B outer loop over the kernel parameters.
"""

from ._pde import PDE
from ._solver import FitResult, GPHMSolver
from ._plot import plot_solution

__all__ = ["PDE", "GPHMSolver", "FitResult", "plot_solution"]
