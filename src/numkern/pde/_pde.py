"""Description of a PDE on a rectangle: linear terms along axes, an optional pointwise nonlinearity, data."""

from __future__ import annotations

import numbers

import numpy as np

from numkern._validation import check_integer, check_real

_NAMED_NONLINEARITIES = {
    # u (u^2 - 1): Allen-Cahn / Ginzburg-Landau reaction term
    "allen_cahn": (lambda u: u * (u * u - 1.0), lambda u: 3.0 * u * u - 1.0),
    # u^3
    "cubic": (lambda u: u**3, lambda u: 3.0 * u * u),
    # u^2 (Fisher-KPP-like reaction, sign through the coefficient)
    "quadratic": (lambda u: u * u, lambda u: 2.0 * u),
}


def _check_domain(domain):
    """A list of (low, high) float pairs; TypeError for non-numbers, ValueError for a wrong pair length."""
    try:
        pairs = list(domain)
    except TypeError:
        raise TypeError(f"domain must be a sequence of (low, high) pairs, got {domain!r}") from None
    out = []
    for j, pair in enumerate(pairs):
        try:
            pair = tuple(pair)
        except TypeError:
            raise TypeError(f"domain[{j}] must be a (low, high) pair, got {pair!r}") from None
        if len(pair) != 2:
            raise ValueError(f"domain[{j}] must be a (low, high) pair, got {pair!r}")
        out.append(tuple(check_real(v, f"domain[{j}][{k}]", finite=False) for k, v in enumerate(pair)))
    return out


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
        domain = _check_domain(domain)
        if not 1 <= len(domain) <= 3:
            raise ValueError(f"domain must have 1 to 3 dimensions, got {len(domain)}")
        for low, high in domain:
            if not (np.isfinite(low) and np.isfinite(high) and high > low):
                raise ValueError(f"domain intervals must be finite with high > low, got {(low, high)}")
        self.domain = domain
        self.dim = len(domain)
        if not isinstance(terms, dict):
            raise TypeError(f"terms must be a dict mapping derivative orders to coefficients, got "
                            f"{type(terms).__name__}")
        if not terms:
            raise ValueError("terms must be a non-empty dict mapping derivative orders to coefficients")
        clean = {}
        for orders, coef in terms.items():
            orders = tuple(check_integer(o, f"derivative order in term {orders!r}") for o in np.atleast_1d(orders))
            if len(orders) != self.dim:
                raise ValueError(f"term {orders} needs one derivative order per axis ({self.dim})")
            if any(o < 0 or o > 2 for o in orders):
                raise ValueError(f"unsupported operator term {orders}: derivative orders 0, 1 or 2 per axis only")
            coef = check_real(coef, f"coefficient of term {orders}")
            clean[orders] = clean.get(orders, 0.0) + coef
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
        self.nonlinearity_coefficient = check_real(nonlinearity_coefficient, "nonlinearity_coefficient")
        if all(c == 0.0 for c in clean.values()) and (self.nonlinearity is None or self.nonlinearity_coefficient == 0):
            # The operator would be identically zero: 0 = f has no solution to approximate, the fit is meaningless.
            raise ValueError(f"the PDE has no nonzero term: every coefficient in terms={terms!r} is 0 (and there is "
                             "no nonlinearity with a nonzero coefficient)")
        if not callable(boundary):
            raise TypeError("boundary must be a callable g(x_1, ..., x_d)")
        if not callable(source):
            source = check_real(source, "source") if isinstance(source, numbers.Number) else source
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


def collocation_grid(pde, n_points, boundary_residual):
    """The uniform tensor grid with ``n_points`` per axis (boundary included) and the PDE's data on it, as the
    solver's attributes: ``axes``, ``shape``, ``N`` (nodes), ``source_grid`` (f at every node), ``boundary_mask``
    (nodes on a face), ``boundary_values`` (g there, in mask order), ``N_B``, ``residual_mask`` (nodes where the
    residual counts: all with ``boundary_residual``, else the interior) and ``N_R``."""
    dim = pde.dim
    axes = [np.linspace(lo, hi, n) for (lo, hi), n in zip(pde.domain, n_points)]
    shape = n_points
    coords = np.meshgrid(*axes, indexing="ij", sparse=True)
    mask = np.zeros(shape, dtype=bool)
    for j in range(dim):
        index = [slice(None)] * dim
        index[j] = 0
        mask[tuple(index)] = True
        index[j] = -1
        mask[tuple(index)] = True
    bcoords = [np.broadcast_to(c, shape)[mask] for c in coords]
    residual_mask = np.ones(shape, dtype=bool) if boundary_residual else ~mask
    return dict(
        axes=axes, shape=shape, N=int(np.prod(shape)), source_grid=pde.evaluate("source", pde.source, coords, shape),
        boundary_mask=mask, boundary_values=pde.evaluate("boundary", pde.boundary, bcoords, (int(mask.sum()),)),
        N_B=int(mask.sum()), residual_mask=residual_mask, N_R=int(residual_mask.sum()),
    )
