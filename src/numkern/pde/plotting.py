"""Figures of GP-HM solutions (needs matplotlib), kept apart from the numerics of :mod:`numkern.pde`."""

from ._plot import plot_solution

__all__ = ["plot_solution"]
