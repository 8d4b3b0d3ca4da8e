"""Quadrature of sampled data: scipy-compatible rules at memory speed, and Bayesian quadrature.

Rules (same signatures and results as :mod:`scipy.integrate`, one fused C++ pass over ``y``)
    trapezoid, simpson, cumulative_trapezoid, cumulative_simpson
Bayesian quadrature (half-integer Matern / Wiener priors, exact O(N) state-space solves)
    bayes_quad, bq_weights, BQRule, BayesQuadResult, kernel_mean, kernel_integral
"""

from ._bq import BayesQuadResult, BQRule, bayes_quad, bq_weights, kernel_integral, kernel_mean
from ._rules import cumulative_simpson, cumulative_trapezoid, simpson, trapezoid

__all__ = [
    "trapezoid",
    "simpson",
    "cumulative_trapezoid",
    "cumulative_simpson",
    "bayes_quad",
    "bq_weights",
    "BQRule",
    "BayesQuadResult",
    "kernel_mean",
    "kernel_integral",
]
