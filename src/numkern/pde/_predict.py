"""The posterior mean off the grid: cross-covariances, predictions with the conditional std, the residual of the
mean function and the a posteriori error estimate of a ``GPHMSolver`` (whose public methods document them)."""

from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from ._algebra import apply_along
from ._kernels import spectral_mixture_lags
from ._params import _points


def cross_factors(solver, j, points, order=0):
    """k_j^(order)(points, X_j): derivative in the first argument of the axis-j kernel, (len(points), n_j)."""
    d = (points[:, None] - solver.axes[j][None, :]).ravel()
    vals = spectral_mixture_lags(d, *solver.params[j], order=order, envelope=solver.envelope)
    return vals.reshape(points.size, -1)


def residual_off_grid(solver, points):
    """R(u) - f of the posterior mean u on the tensor grid of the 1-D point arrays ``points``."""
    pde = solver.pde
    factors = solver._build_factors()
    alpha = solver._kchol.solve(solver.U)
    cross = [{m: cross_factors(solver, j, points[j], m) for m in f.orders} for j, f in enumerate(factors)]
    shape = tuple(p.size for p in points)
    R = np.zeros(shape)
    for orders, c in pde.terms.items():
        t = alpha
        for j, m in enumerate(orders):
            t = apply_along(j, cross[j][m], t)
        R += c * t
    if pde.nonlinearity is not None:
        u = alpha
        for j in range(len(factors)):
            u = apply_along(j, cross[j][0], u)
        R += pde.nonlinearity_coefficient * pde.nonlinearity[0](u)
    coords = np.meshgrid(*points, indexing="ij", sparse=True)
    return R - pde.evaluate("source", pde.source, coords, shape)


def error_estimate(solver):
    """See :meth:`GPHMSolver.error_estimate`: the midpoint residual in the operator's dual norm (DST-II divided by
    the symbol) plus the misfit of the mean function to the Dirichlet data on the boundary."""
    pde = solver.pde
    mids = [0.5 * (x[1:] + x[:-1]) for x in solver.axes]
    R = residual_off_grid(solver, mids)
    symbol = np.zeros(R.shape, dtype=complex)
    omegas = [np.pi * np.arange(1, m.size + 1) / (x[-1] - x[0]) for m, x in zip(mids, solver.axes)]
    grids = np.meshgrid(*omegas, indexing="ij", sparse=True)
    for orders, c in pde.terms.items():
        term = complex(c)
        for w, m in zip(grids, orders):
            term = term * (1j * w) ** m
        symbol = symbol + term
    if pde.nonlinearity is not None:
        symbol = symbol + pde.nonlinearity_coefficient * float(np.mean(pde.nonlinearity[1](solver.U)))
    size = np.abs(symbol)
    size = np.maximum(size, 1e-3 * size.max())
    interior = np.sqrt(np.mean((sfft.dstn(R, type=2, norm="ortho") / size) ** 2))
    misfits = []
    # every axis's nodes and midpoints (each face spans the other axes' own ranges)
    both = [np.sort(np.concatenate([x, m])) for x, m in zip(solver.axes, mids)]
    for j, x in enumerate(solver.axes):
        for end in (x[:1], x[-1:]):
            face = list(both)
            face[j] = end
            u = solver.predict_grid(*face)
            coords = np.meshgrid(*face, indexing="ij", sparse=True)
            g = np.broadcast_to(np.asarray(pde.boundary(*coords), dtype=float), u.shape)
            misfits.append((u - g).ravel())
    boundary = np.sqrt(np.mean(np.concatenate(misfits) ** 2))
    return float(interior + boundary)


def predict_grid(solver, axes_points, return_std=False):
    """Posterior mean (and conditional std given U) on the tensor grid of the 1-D point arrays ``axes_points``."""
    if len(axes_points) != solver.pde.dim:
        raise ValueError(f"need {solver.pde.dim} point arrays, got {len(axes_points)}")
    factors = solver._build_factors()
    alpha = solver._kchol.solve(solver.U)
    out = alpha
    crosses = []
    for j, pts in enumerate(axes_points):
        pts = _points(pts, f"axes_points[{j}]").ravel()
        if pts.size == 0:
            raise ValueError(f"axes_points[{j}] is empty: need at least one point per axis")
        Kx = cross_factors(solver, j, pts)
        crosses.append(Kx)
        out = apply_along(j, Kx, out)
    if not return_std:
        return out
    # var = prod_j k_j(x*, x*) - prod_j k*_j^T K_j^{-1} k*_j  (the kernel and K^{-1} factorise)
    var = np.ones(())
    prior = np.ones(())
    for j, Kx in enumerate(crosses):
        q = np.sum(Kx * factors[j].solve(Kx.T).T, axis=1)
        k0 = np.sum(np.exp(solver.params[j][0])) * np.ones_like(q)
        var = np.multiply.outer(var, q)
        prior = np.multiply.outer(prior, k0)
    return out, np.sqrt(np.maximum(prior - var, 0.0))


def predict(solver, points, return_std=False):
    """Posterior mean at points of shape (M, d) (or (M,) in 1-D); optionally the conditional std."""
    dim = solver.pde.dim
    pts = _points(points, "points")
    if dim == 1 and pts.ndim == 1:
        pts = pts[:, None]
    if pts.ndim != 2 or pts.shape[1] != dim:
        raise ValueError(f"points must have shape (M, {dim})")
    if pts.shape[0] == 0:
        raise ValueError("points is empty: need at least one point")
    factors = solver._build_factors()
    alpha = solver._kchol.solve(solver.U)
    crosses = [cross_factors(solver, j, pts[:, j]) for j in range(dim)]
    # contract the last axes first: t[m, i_0..i_k] accumulates per point
    t = np.einsum("mi,i...->m...", crosses[0], alpha)
    for j in range(1, dim):
        t = np.einsum("mi,mi...->m...", crosses[j], t)
    if not return_std:
        return t
    var = np.ones(len(pts))
    prior = np.ones(len(pts))
    for j, Kx in enumerate(crosses):
        var *= np.sum(Kx * factors[j].solve(Kx.T).T, axis=1)
        prior *= np.sum(np.exp(solver.params[j][0]))
    return t, np.sqrt(np.maximum(prior - var, 0.0))
