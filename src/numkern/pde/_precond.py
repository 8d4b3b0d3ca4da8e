"""Collocation preconditioner for the GP-HM inner least-squares problem on 2-D grids.

The inner problem (fixed kernel and taus) is, in grid values U,

    min 1/2 U^T K^{-1} U + lam tau1 / 2 ||U_B - g||^2 + tau2 / 2 ||(A U - f)_R||^2,

with K = K_0 (x) K_1, A = sum_t c_t (x)_j D_j^(m_tj) and R the nodes whose residual counts (all nodes, or the
interior only). Its normal matrix H = K^{-1} + lam tau1 S^T S + tau2 A_R^T A_R is a sum of many Kronecker terms
plus a boundary mask: no direct method applies, and the Jacobi preconditioner of the eigen-whitened system leaves
CG far from converged at 200^2-400^2 (cond(K_j) ~ 1e12, tau ~ 1e6).

When A is a Kronecker sum, A = M_0 (+) M_1 (every term differentiates along at most one axis: Poisson, Helmholtz,
advection, reaction-diffusion), the square "collocation" system C U = y,

    rows at interior nodes:   sqrt(tau2) (A U)_I,     rows at boundary nodes:  sqrt(lam tau1) U_B,

is solved exactly in O(n^3): the boundary values are read off, and the interior block M_0[I,I] (+) M_1[I,I] is a
Sylvester equation M_0' X + X M_1'^T = R, solved by fast diagonalisation in real arithmetic (four GEMMs per solve;
the per-axis eigenvector bases of the benchmarks have condition numbers 50-330) or, where those bases are worse
conditioned than ``FAST_DIAGONALISATION_MAX_CONDITION``, by Bartels-Stewart with the two real Schur forms
(recursive blocks over LAPACK trsyl, backward stable, 2.2x slower at n = 400).
C^T C reproduces H's data terms at interior nodes and at the boundary values. Two further pieces make the preconditioner close to H:

* The prior. Out of the kernels' band, D_j = K_j^(m) K_j^{-1} nearly annihilates grid functions, so there only
  the prior K^{-1} (up to 1 / jitter) controls U and C^T C misses it. A square root of it enters each axis
  operator: M_j <- M_j + s sigma / (sqrt(tau2) sqrt(k_other(0))) K_j^{-1/2}, with s the sign of sum_j tr M_j (one
  sign for all axes), so that |theta + prior root|^2 >= theta^2 + prior for the eigenvalues theta of that sign
  (K_0^{-1} (x) K_1^{-1} ~ K_0^{-1} / k_1(0) on modes in the band of axis 1). Measured on V5 at 100^2: 3000+
  CG iterations without it, 168 with it.
* The residual rows at the boundary nodes (when they count) are a rank-N_B term tau2 A_B^T A_B. With
  F = sqrt(tau2) A_B C^{-1} (N_B x N, formed once by N_B transposed solves), Woodbury gives the exact inverse of
  C^T (I + F^T F) C; one Cholesky of the N_B x N_B capacitance matrix I + F F^T. Skipped (CG then sees N_B
  outliers) when F would exceed ``woodbury_bytes``.

The preconditioner P^{-1} = C^{-1} (I - F^T (I + F F^T)^{-1} F) C^{-T} is applied as written, so it is symmetric
positive definite by construction (the transposed solves use the same Schur factors), as CG requires.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
from scipy.linalg.lapack import dtrsyl

from numkern.kron import apply_along

#: weight of the prior square root added to the axis operators (measured: 1-3 work; 2 is between)
PRIOR_ROOT_WEIGHT = 2.0


def is_kronecker_sum(dim, terms):
    """Whether the preconditioner applies: a 2-D or 3-D operator whose terms each differentiate along one axis at
    most."""
    return dim in (2, 3) and all(sum(m > 0 for m in orders) <= 1 for orders in terms)


def kronecker_sum_operators(factors, terms, shift=0.0):
    """Per-axis operators M_j with A = M_0 (+) M_1 (+) ... (callers check :func:`is_kronecker_sum` first).

    Terms without derivatives (and the scalar ``shift``, the mean Gauss-Newton weight) are put on axis 0.
    """
    mats = [np.zeros((f.n, f.n)) for f in factors]
    for orders, coef in terms.items():
        axes = [j for j, m in enumerate(orders) if m > 0]
        if len(axes) > 1:
            raise ValueError(f"term {orders} differentiates along several axes: not a Kronecker sum")
        if axes:
            j = axes[0]
            mats[j] += coef * factors[j].D[orders[j]]
        else:
            mats[0][np.diag_indices(factors[0].n)] += coef
    if shift:
        mats[0][np.diag_indices(factors[0].n)] += shift
    return mats


#: blocks at most this size go to LAPACK trsyl; larger ones are split (trsyl is level-2: 16x slower than a GEMM)
SYLVESTER_BLOCK = 64


def _split_point(T, k):
    """Index near k that does not cut through a 2 x 2 block (complex eigenvalue pair) of a real Schur form."""
    return k + 1 if k < T.shape[0] and T[k, k - 1] != 0.0 else k


def solve_quasi_triangular_sylvester(Ta, Tb, C):
    """X with Ta X + X Tb = C for upper quasi-triangular Ta, Tb (real Schur forms).

    Recursive blocking (Jonsson and Kagstrom, ACM TOMS 28, 2002): split the larger dimension, solve the trailing
    (or leading) block, update the other block's right-hand side with one GEMM, recurse; blocks of at most
    SYLVESTER_BLOCK go to LAPACK trsyl. The work is then mostly GEMM: 2-3x faster than trsyl at n = 400.
    """
    m, n = C.shape
    if m <= SYLVESTER_BLOCK and n <= SYLVESTER_BLOCK:
        X, scale, info = dtrsyl(Ta, Tb, C)
        if info < 0:  # pragma: no cover - argument error inside LAPACK
            raise RuntimeError(f"trsyl failed (info={info})")
        # info == 1: nearly common eigenvalues, LAPACK perturbed them; fine for a preconditioner
        return X / scale
    if m >= n:
        k = _split_point(Ta, m // 2)
        lower = solve_quasi_triangular_sylvester(Ta[k:, k:], Tb, C[k:])
        upper = solve_quasi_triangular_sylvester(Ta[:k, :k], Tb, C[:k] - Ta[:k, k:] @ lower)
        return np.vstack([upper, lower])
    k = _split_point(Tb, n // 2)
    left = solve_quasi_triangular_sylvester(Ta, Tb[:k, :k], C[:, :k])
    right = solve_quasi_triangular_sylvester(Ta, Tb[k:, k:], C[:, k:] - left @ Tb[:k, k:])
    return np.hstack([left, right])


class _Sylvester:
    """Solves M_a X + X M_b^T = R and its transpose M_a^T X + X M_b = R from the real Schur forms (computed once)."""

    def __init__(self, Ma, Mb):
        self.Ta, self.Qa = sla.schur(Ma, output="real")
        self.Tb, self.Qb = sla.schur(Mb.T, output="real")

    def solve(self, R):
        Y = self.Qa.T @ R @ self.Qb
        return self.Qa @ solve_quasi_triangular_sylvester(self.Ta, self.Tb, Y) @ self.Qb.T

    def solve_transpose(self, R):
        # Ta^T X + X Tb^T = Y  <=>  Tb X^T + X^T Ta = Y^T: the same upper quasi-triangular solver
        Y = self.Qa.T @ R @ self.Qb
        return self.Qa @ solve_quasi_triangular_sylvester(self.Tb, self.Ta, Y.T).T @ self.Qb.T


def _along(axis, M, X):
    """M applied along ``axis`` of X (real or complex)."""
    return np.moveaxis(np.tensordot(M, X, axes=(1, axis)), 0, axis)


class _FastDiagonalisation:
    """Solves sum_j M_j (along axis j) X = R and its transpose on d-D grids from per-axis eigendecompositions
    M_j = W_j diag(l_j) W_j^{-1} (fast diagonalisation, Lynch-Rice-Thomas): X = (x)W_j [(x)W_j^{-1} R / (+)l_j].

    In real arithmetic: W_j = T_j Z_j^{-1} with T_j real (the real eigenvectors, and Re w, Im w of one vector of each
    complex-conjugate pair) and Z_j the 2 x 2 blocks (1, -i; 1, i) that turn a pair's real coordinates (c_u, c_v)
    into the conjugate coordinates c_u -+ i c_v, so the products along axes are real GEMMs (a complex W costs 3-4
    times that) and only the O(N) scaling by 1 / (+)l_j is complex. Each solve costs 2d real products along axes,
    O(N sum_j n_j), no N x N array. The eigenvectors of the non-normal M_j can be ill-conditioned, so this is used
    as a preconditioner only (:attr:`condition` says how well); solve_transpose applies the exact transpose of the
    same operator, so C^{-1} C^{-T} stays symmetric positive definite for CG.
    """

    def __init__(self, mats):
        self.T, self.Tinv, self.pairs, lams = [], [], [], []
        self.condition = 1.0
        for M in mats:
            lam, W = np.linalg.eig(M)
            # LAPACK returns real eigenvalues with zero imaginary part and conjugate pairs adjacent (+ first)
            real = np.flatnonzero(lam.imag == 0)
            plus = np.flatnonzero(lam.imag > 0)
            if plus.size != np.count_nonzero(lam.imag < 0):  # pragma: no cover - LAPACK pairs conjugates exactly
                raise np.linalg.LinAlgError("unpaired complex eigenvalues")
            n_r, n_p = real.size, plus.size
            T = np.concatenate([W[:, real].real, W[:, plus].real, W[:, plus].imag], axis=1)
            self.T.append(T)
            self.Tinv.append(np.linalg.inv(T))
            self.condition = max(self.condition, float(np.linalg.cond(T)))
            # coordinates after T^{-1}: [real | u of pairs | v of pairs]; l for [real | u -> l | v -> conj(l)]
            lams.append(np.concatenate([lam[real], lam[plus], lam[plus].conj()]))
            self.pairs.append((n_r, n_p))
        total = np.zeros(())
        for lam in lams:
            total = np.add.outer(total, lam)
        self.complex = any(n_p for _, n_p in self.pairs)
        self.inv_sum = 1.0 / total if self.complex else 1.0 / total.real

    @staticmethod
    def _pair_map(X, axis, pairs, kind):
        """Apply Z (kind "z"), Z^{-1} ("zinv"), Z^T ("zt") or Z^{-T} ("zinvt") along ``axis`` of the complex array
        ``X`` in place (identity on the real eigenvalues' coordinates)."""
        n_r, n_p = pairs
        if n_p == 0:
            return X

        def at(lo, hi):
            return (slice(None),) * axis + (slice(lo, hi),)

        a, b = X[at(n_r, n_r + n_p)], X[at(n_r + n_p, None)]
        if kind == "z":  # (c_u - i c_v, c_u + i c_v)
            b *= 1j
            a -= b
            b *= 2.0
            b += a
        elif kind == "zinv":  # c_u = (z+ + z-) / 2, c_v = i (z+ - z-) / 2
            a += b
            a *= 0.5
            b -= a
            b *= -1j
        elif kind == "zt":  # (z+ + z-, i (z- - z+))
            a += b
            b *= 2j
            b -= 1j * a
        else:  # "zinvt": ((c_u + i c_v) / 2, (c_u - i c_v) / 2)
            b *= 0.5j
            a *= 0.5
            a += b
            b *= -2.0
            b += a
        return X

    def _apply(self, R, transpose):
        Z = R
        d = len(self.T)
        for j in range(d):  # W^{-1} = Z T^{-1} (solve) or W^T = Z^{-T} T^T (transpose)
            Z = apply_along(j, self.T[j].T if transpose else self.Tinv[j], Z)
        if self.complex:
            Z = Z.astype(complex)
            for j in range(d):
                self._pair_map(Z, j, self.pairs[j], "zinvt" if transpose else "z")
            Z *= self.inv_sum
            for j in range(d):
                self._pair_map(Z, j, self.pairs[j], "zt" if transpose else "zinv")
            Z = Z.real
        else:
            Z = Z * self.inv_sum
        for j in range(d):  # W = T Z^{-1} (solve) or W^{-T} = T^{-T} Z^T (transpose)
            Z = apply_along(j, self.Tinv[j].T if transpose else self.T[j], Z)
        return Z

    def solve(self, R):
        return self._apply(R, False)

    def solve_transpose(self, R):
        return self._apply(R, True)


#: 2-D interior solves use fast diagonalisation (4 real GEMMs, ~2.5x faster than the Schur forms' Bartels-Stewart at
#: n = 400) while its per-axis eigenvector bases are at most this ill-conditioned, else the (backward-stable) Schur path
FAST_DIAGONALISATION_MAX_CONDITION = 1e6


class CollocationPreconditioner:
    """P^{-1} ~ H^{-1} for the 2-D and 3-D inner problem (see the module docstring); ``None`` from :meth:`build`
    when A is not a Kronecker sum or the grid is 1-D. The interior solve is fast diagonalisation
    (:class:`_FastDiagonalisation`), in 2-D the blocked Bartels-Stewart Sylvester solver where the eigenvector bases
    are ill-conditioned."""

    def __init__(self, factors, terms, boundary_mask, lam_tau1, tau2, p, adjoint, woodbury_bytes, forward=None):
        shift = 0.0 if p is None else float(np.mean(p))
        self.mask = boundary_mask
        self.shape = boundary_mask.shape
        self.s_b = np.sqrt(lam_tau1)
        self.s_r = np.sqrt(tau2)
        mats = kronecker_sum_operators(factors, terms, shift)
        prior_var = [float(np.trace(f.K)) / f.n for f in factors]
        # one sign for all axes: roots of opposite signs would cancel in the Kronecker sum (advection, whose
        # derivative operators have traces ~ 0 of either sign, then had eigenvalues of P^-1 H up to 1e19)
        sign = -1.0 if sum(np.trace(m) for m in mats) < 0 else 1.0
        for j, f in enumerate(factors):
            other = float(np.prod([v for i, v in enumerate(prior_var) if i != j]))
            mats[j] = mats[j] + (sign * PRIOR_ROOT_WEIGHT / (self.s_r * np.sqrt(other))) * f.inverse_sqrt()
        self.mats = mats
        self.inner = (slice(1, -1),) * len(mats)
        interior = [m[1:-1, 1:-1] for m in mats]
        try:
            self.sylvester = _FastDiagonalisation(interior)
        except np.linalg.LinAlgError:  # a singular eigenvector basis (defective M_j)
            if len(mats) != 2:
                raise
            self.sylvester = None
        if len(mats) == 2 and (self.sylvester is None
                               or self.sylvester.condition > FAST_DIAGONALISATION_MAX_CONDITION):
            self.sylvester = _Sylvester(*interior)
        self.F = None
        self.implicit = None
        n_b = int(boundary_mask.sum())
        if adjoint is not None and n_b * boundary_mask.size * 8 <= woodbury_bytes:
            self._fold_boundary_residual(adjoint)
            if forward is not None:
                # apply F and F^T through C^{-1}, A and their transposes instead of the stored N_B x N matrix: two
                # more interior solves per application, but no pass over 8 N_B N bytes (at 200^2 the two
                # memory-bound products with F were 2/3 of the preconditioner's time)
                self.F = None
                self.implicit = (forward, adjoint)

    @classmethod
    def build(cls, factors, terms, boundary_mask, lam_tau1, tau2, p=None, adjoint=None, woodbury_bytes=2**30,
              forward=None):
        """The preconditioner for the Gauss-Newton weights ``p`` (pointwise, or None), or None if not applicable.

        ``adjoint`` is R -> A^T R for the true linearised operator A (with ``p``) when the residual rows at the
        boundary nodes count; they are then folded in by Woodbury. None: they do not count. With ``forward``
        (U -> A U, the same operator) the Woodbury term is applied without keeping F (see ``__call__``).
        """
        if not is_kronecker_sum(len(factors), terms):
            return None
        return cls(factors, terms, boundary_mask, lam_tau1, tau2, p, adjoint, woodbury_bytes, forward)

    # C (the preconditioner's collocation operator) and its transpose, solved exactly
    def _apply_axes(self, U, transpose=False):
        if len(self.mats) == 2:
            M0, M1 = self.mats
            return M0.T @ U + U @ M1 if transpose else M0 @ U + U @ M1.T
        return sum(_along(j, M.T if transpose else M, U) for j, M in enumerate(self.mats))

    def _solve_c(self, y):
        U = np.where(self.mask, y / self.s_b, 0.0)
        rhs = y[self.inner] / self.s_r - self._apply_axes(U)[self.inner]
        U[self.inner] = self.sylvester.solve(rhs)
        return U

    def _solve_c_transpose(self, v):
        y = np.zeros_like(v)
        y[self.inner] = self.sylvester.solve_transpose(v[self.inner]) / self.s_r
        w = self._apply_axes(np.where(self.mask, 0.0, y), transpose=True)
        y[self.mask] = (v[self.mask] - self.s_r * w[self.mask]) / self.s_b
        return y

    def _fold_boundary_residual(self, adjoint):
        """F = sqrt(tau2) A_B C^{-1}, one row per boundary node, and the Cholesky factor of I + F F^T."""
        nodes = np.argwhere(self.mask)
        F = np.empty((len(nodes), self.mask.size))
        unit = np.zeros(self.shape)
        for k, node in enumerate(nodes):
            unit[tuple(node)] = 1.0
            # row b of the true operator A (not the preconditioner's M_j): A^T e_b
            F[k] = self.s_r * self._solve_c_transpose(adjoint(unit)).ravel()
            unit[tuple(node)] = 0.0
        capacitance = F @ F.T
        capacitance[np.diag_indices_from(capacitance)] += 1.0
        self.F = F
        self.capacitance = sla.cho_factor(capacitance, lower=True)

    def __call__(self, r):
        """P^{-1} r for a grid-shaped r."""
        y = self._solve_c_transpose(r)
        if self.implicit is not None:
            # C^{-1} (y - F^T M^{-1} F y) with F y = s_r (A C^{-1} y)_B and F^T z = s_r C^{-T} A^T (z on B)
            forward, adjoint = self.implicit
            x = self._solve_c(y)
            z = np.zeros(self.shape)
            z[self.mask] = sla.cho_solve(self.capacitance, self.s_r * forward(x)[self.mask])
            return x - self._solve_c(self.s_r * self._solve_c_transpose(adjoint(z)))
        if self.F is not None:
            flat = y.ravel()
            y = (flat - self.F.T @ sla.cho_solve(self.capacitance, self.F @ flat)).reshape(self.shape)
        return self._solve_c(y)
