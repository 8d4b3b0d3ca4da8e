"""Chebyshev spectral collocation: the classical baseline beside GP-HM in the demo and examples.

Chebyshev points x_j = cos(pi j / n) mapped to each interval, the differentiation matrix of Trefethen, *Spectral
Methods in MATLAB* (SIAM 2000), ch. 6 (negative-sum trick on the diagonal), boundary rows replaced by Dirichlet
data. 1-D: one dense solve (Newton for a nonlinearity). 2-D operators made of pure-axis terms
(c_x d^m/dx^m + c_y d^m/dy^m + c_0): the interior equations are the Sylvester equation A X + X B^T = C, solved by
Bartels-Stewart (scipy.linalg.solve_sylvester), Newton with GMRES preconditioned by that Sylvester solve when there
is a nonlinearity. 3-D linear operators made of pure-axis terms: fast diagonalisation of the interior blocks.
Results are evaluated off the grid by barycentric interpolation (Berrut & Trefethen 2004).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import scipy.sparse.linalg as spla


def cheb_points_and_matrix(n, low, high):
    """n + 1 Chebyshev points on [low, high] (ascending) and the first-derivative matrix."""
    k = np.arange(n + 1)
    x = np.cos(np.pi * k / n)
    c = np.where((k == 0) | (k == n), 2.0, 1.0) * (-1.0) ** k
    X = x[:, None] - x[None, :]
    D = np.outer(c, 1.0 / c) / (X + np.eye(n + 1))
    D -= np.diag(D.sum(axis=1))
    # map [-1, 1] -> [low, high] with ascending order (x -> -x flips D's sign)
    scale = 2.0 / (high - low)
    return low + (high - low) * (1.0 - x) / 2.0, -D * scale


def barycentric_matrix(nodes, points):
    """Interpolation matrix from values at Chebyshev nodes (ascending, 2nd kind) to ``points``."""
    n = nodes.size - 1
    w = (-1.0) ** np.arange(n + 1)
    w[[0, -1]] *= 0.5
    diff = points[:, None] - nodes[None, :]
    exact = diff == 0.0
    diff[exact] = 1.0
    M = w / diff
    M /= M.sum(axis=1, keepdims=True)
    rows = np.nonzero(exact.any(axis=1))[0]
    M[rows] = exact[rows].astype(float)
    return M


class ChebyshevSolution:
    """Chebyshev collocation solution; ``predict_grid(*axes)`` evaluates it on a tensor grid."""

    def __init__(self, nodes, values):
        self.nodes = nodes
        self.values = values

    def predict_grid(self, *axes):
        out = self.values
        for j, pts in enumerate(axes):
            M = barycentric_matrix(self.nodes[j], np.asarray(pts, dtype=float))
            out = np.moveaxis(np.tensordot(M, out, axes=(1, j)), 0, j)
        return out


def chebyshev_solve(pde, n, newton_iter=30):
    """Solve ``pde`` (1-D; 2-D with pure-axis terms; 3-D linear with pure-axis terms) by Chebyshev collocation with
    n + 1 points per axis."""
    grids = [cheb_points_and_matrix(n, lo, hi) for lo, hi in pde.domain]
    nodes = [g[0] for g in grids]
    derivs = [{0: np.eye(n + 1), 1: g[1], 2: g[1] @ g[1]} for g in grids]
    coords = np.meshgrid(*nodes, indexing="ij", sparse=True)
    shape = (n + 1,) * pde.dim
    f = pde.evaluate("source", pde.source, coords, shape)
    g = pde.evaluate("boundary", pde.boundary, coords, shape)
    nl = pde.nonlinearity
    cphi = pde.nonlinearity_coefficient
    if pde.dim == 1:
        L = sum(c * derivs[0][o[0]] for o, c in pde.terms.items())
        u = np.zeros(n + 1)
        for _ in range(newton_iter if nl else 1):
            res = L @ u + (cphi * nl[0](u) if nl else 0.0) - f
            Jac = L + (np.diag(cphi * nl[1](u)) if nl else 0.0)
            res[[0, -1]] = u[[0, -1]] - g[[0, -1]]
            Jac[[0, -1]] = np.eye(n + 1)[[0, -1]]
            du = np.linalg.solve(Jac, -res)
            u = u + du
            if np.linalg.norm(du) <= 1e-14 * np.linalg.norm(u):
                break
        return ChebyshevSolution(nodes, u)
    if pde.dim == 3:
        return _solve_3d(pde, nodes, derivs, f, g)
    A = np.zeros((n + 1, n + 1))
    B = np.zeros((n + 1, n + 1))
    c0 = 0.0
    for (ox, oy), c in pde.terms.items():
        if ox and oy:
            raise NotImplementedError("the Chebyshev baseline needs pure-axis terms")
        if ox:
            A += c * derivs[0][ox]
        elif oy:
            B += c * derivs[1][oy]
        else:
            c0 += c
    A += c0 * np.eye(n + 1)
    inner = slice(1, n)
    # boundary values enter the interior equations through the boundary columns
    ub = np.zeros(shape)
    ub[[0, -1], :] = g[[0, -1], :]
    ub[:, [0, -1]] = g[:, [0, -1]]
    Ai, Bi = A[inner, inner], B[inner, inner]

    def lin(X):
        return Ai @ X + X @ Bi.T

    def full(Xi):
        U = ub.copy()
        U[inner, inner] = Xi
        return U

    def residual(U):
        R = A @ U + U @ B.T + (cphi * nl[0](U) if nl else 0.0) - f
        return R[inner, inner]

    Xi = np.zeros((n - 1, n - 1))
    for _ in range(newton_iter if nl else 1):
        U = full(Xi)
        r = residual(U)
        if nl is None:
            step = sla.solve_sylvester(Ai, Bi.T, -r)
        else:
            p = cphi * nl[1](U)[inner, inner]
            op = spla.LinearOperator(((n - 1) ** 2,) * 2, matvec=lambda v: (lin(v.reshape(r.shape)) + p * v.reshape(r.shape)).ravel())
            shift = float(np.mean(p))
            prec = spla.LinearOperator(
                ((n - 1) ** 2,) * 2, matvec=lambda v: sla.solve_sylvester(Ai + shift * np.eye(n - 1), Bi.T, v.reshape(r.shape)).ravel()
            )
            sol, _ = spla.gmres(op, -r.ravel(), M=prec, rtol=1e-13, restart=50, maxiter=20)
            step = sol.reshape(r.shape)
        Xi = Xi + step
        if np.linalg.norm(step) <= 1e-13 * max(np.linalg.norm(Xi), 1e-300):
            break
    return ChebyshevSolution(nodes, full(Xi))


def _solve_3d(pde, nodes, derivs, f, g):
    """3-D linear pure-axis operators: sum_j M_j (along axis j) U = f inside, U = g on the boundary, by fast
    diagonalisation of the interior blocks M_j[1:-1, 1:-1] (their eigenvalues are real and distinct for the
    Chebyshev second-derivative matrix with Dirichlet rows)."""
    from ._precond import _FastDiagonalisation, _along

    if pde.nonlinearity is not None:
        raise NotImplementedError("the 3-D Chebyshev baseline covers linear operators")
    n1 = nodes[0].size
    mats = [np.zeros((n1, n1)) for _ in range(3)]
    for orders, c in pde.terms.items():
        axes = [j for j, o in enumerate(orders) if o]
        if len(axes) > 1:
            raise NotImplementedError("the Chebyshev baseline needs pure-axis terms")
        j = axes[0] if axes else 0
        mats[j] += c * derivs[j][orders[j]]
    inner = (slice(1, -1),) * 3
    ub = g.copy()
    ub[inner] = 0.0
    rhs = (f - sum(_along(j, M, ub) for j, M in enumerate(mats)))[inner]
    ub[inner] = _FastDiagonalisation([M[1:-1, 1:-1] for M in mats]).solve(rhs)
    return ChebyshevSolution(nodes, ub)
