"""Description of a PDE on a rectangle: linear terms along axes, an optional pointwise nonlinearity, data."""

from __future__ import annotations

import numbers

import numpy as np

_NAMED_NONLINEARITIES = {
    # u (u^2 - 1): Allen-Cahn / Ginzburg-Landau reaction term
    "allen_cahn": (lambda u: u * (u * u - 1.0), lambda u: 3.0 * u * u - 1.0),
    # u^3
    "cubic": (lambda u: u**3, lambda u: 3.0 * u * u),
    # u^2 (Fisher-KPP-like reaction, sign through the coefficient)
    "quadratic": (lambda u: u * u, lambda u: 2.0 * u),
}


class PDE:
    """A PDE  sum_t c_t d^{m_t} u / dx^{m_t} + nonlinearity(u) = source  on a rectangle with Dirichlet data.

    Parameters
    ----------
    domain : sequence of (low, high)
        The rectangle, one pair per dimension (1 to 3 dimensions).
    terms : mapping of tuple of int to float
        Linear part: each key holds one derivative order per axis (e.g. ``(2, 0)`` is u_xx in 2-D, ``(0, 0)`` is u
        itself), the value its constant coefficient. Orders up to 2 per axis.
    source : callable or float
        f(x_1, ..., x_d), called with broadcastable coordinate arrays; must return finite values.
    boundary : callable
        g(x_1, ..., x_d): the Dirichlet data, evaluated at the boundary nodes of the grid.
    nonlinearity : None, str or (callable, callable)
        Pointwise term phi(u) added to the operator: ``"allen_cahn"`` (u(u^2 - 1)), ``"cubic"``, ``"quadratic"``, or
        a pair (phi, dphi/du) of vectorised callables.
    nonlinearity_coefficient : float
        Multiplies phi.
    exact : callable, optional
        Exact solution u(x_1, ..., x_d), used only for error reporting.

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.pde import PDE
    >>> pde = PDE([(0, 2 * np.pi)], {(2,): 1.0}, source=lambda x: -np.sin(x),
    ...           boundary=lambda x: np.sin(x), exact=np.sin)
    >>> pde.dim, pde.max_orders
    (1, (2,))
    """

    def __init__(self, domain, terms, source, boundary, nonlinearity=None, nonlinearity_coefficient=1.0, exact=None):
        domain = [tuple(float(v) for v in pair) for pair in domain]
        if not 1 <= len(domain) <= 3:
            raise ValueError(f"domain must have 1 to 3 dimensions, got {len(domain)}")
        for low, high in domain:
            if not (np.isfinite(low) and np.isfinite(high) and high > low):
                raise ValueError(f"domain intervals must be finite with high > low, got {(low, high)}")
        self.domain = domain
        self.dim = len(domain)
        if not isinstance(terms, dict) or not terms:
            raise ValueError("terms must be a non-empty dict mapping derivative orders to coefficients")
        clean = {}
        for orders, coef in terms.items():
            orders = tuple(int(o) for o in np.atleast_1d(orders))
            if len(orders) != self.dim:
                raise ValueError(f"term {orders} needs one derivative order per axis ({self.dim})")
            if any(o < 0 or o > 2 for o in orders):
                raise ValueError(f"unsupported operator term {orders}: derivative orders 0, 1 or 2 per axis only")
            if not isinstance(coef, numbers.Real) or not np.isfinite(coef):
                raise ValueError(f"coefficient of term {orders} must be a finite real number")
            clean[orders] = clean.get(orders, 0.0) + float(coef)
        self.terms = clean
        self.max_orders = tuple(max(o[j] for o in clean) for j in range(self.dim))
        if nonlinearity is None:
            self.nonlinearity = None
        elif isinstance(nonlinearity, str):
            if nonlinearity not in _NAMED_NONLINEARITIES:
                raise ValueError(
                    f"unknown nonlinearity {nonlinearity!r}; use one of {sorted(_NAMED_NONLINEARITIES)} or (phi, dphi)"
                )
            self.nonlinearity = _NAMED_NONLINEARITIES[nonlinearity]
        else:
            try:
                phi, dphi = nonlinearity
            except (TypeError, ValueError):
                raise TypeError("nonlinearity must be None, a name, or a pair (phi, dphi) of callables") from None
            if not (callable(phi) and callable(dphi)):
                raise TypeError("nonlinearity must be a pair (phi, dphi) of callables")
            self.nonlinearity = (phi, dphi)
        self.nonlinearity_coefficient = float(nonlinearity_coefficient)
        if not callable(boundary):
            raise TypeError("boundary must be a callable g(x_1, ..., x_d)")
        if not (callable(source) or isinstance(source, numbers.Real)):
            raise TypeError("source must be a callable f(x_1, ..., x_d) or a number")
        if exact is not None and not callable(exact):
            raise TypeError("exact must be a callable or None")
        self.source = source
        self.boundary = boundary
        self.exact = exact

    def evaluate(self, name, func, coords, shape):
        """Evaluate ``func`` on broadcast coordinate arrays; check shape and finiteness."""
        if isinstance(func, numbers.Real):
            return np.full(shape, float(func))
        values = np.asarray(func(*coords), dtype=np.float64)
        try:
            values = np.broadcast_to(values, shape).copy()
        except ValueError:
            raise ValueError(f"{name} returned shape {values.shape}, expected {shape}") from None
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name} returned non-finite values")
        return values
