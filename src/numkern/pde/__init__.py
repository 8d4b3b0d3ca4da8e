"""GP-HM: a Gaussian-process solver for high-frequency and multi-scale PDEs on rectangular tensor grids.

See :class:`GPHMSolver` and :class:`PDE`; the method is Fang et al., "Solving High Frequency and Multi-Scale PDEs
with Gaussian Processes", ICLR 2024, with the fit reorganised as exact inner solves for the grid values and an
L-BFGS-B outer loop over the kernel parameters.
"""

from ._pde import PDE
from ._solver import FitResult, GPHMSolver
from . import plotting

__all__ = ["PDE", "GPHMSolver", "FitResult", "plotting"]


def __getattr__(name):
    if name == "plot_solution":  # deprecated alias: figures live in numkern.pde.plotting
        import warnings

        warnings.warn("numkern.pde.plot_solution is deprecated; use numkern.pde.plotting.plot_solution",
                      DeprecationWarning, stacklevel=2)
        return plotting.plot_solution
    raise AttributeError(f"module 'numkern.pde' has no attribute {name!r}")
