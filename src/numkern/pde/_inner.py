"""Inner solves of the GP-HM fit: for fixed (theta, tau), the grid values U that minimise J (see ``_solver``).

Two layers of strategies, each chosen once when the solver is built (:func:`make_inner_solvers`):

- the *linearised* problem, min 1/2||z||^2 + lam tau1/2 ||(Lz)_B - g||^2 + tau2/2 ||(A z - f_eff)_R||^2 with
  U = L z, where A carries an optional pointwise term p (a linearised nonlinearity): :class:`DenseQR` (grids up to
  ``dense_limit`` nodes), :class:`JacobiCG` and :class:`CollocationPCG`; the two iterative ones share one CG,
  :func:`conjugate_gradients`;
- the *inner solve*: :class:`LinearSolve` (a linear PDE: one linearised solve) or :class:`GaussNewton` (a
  nonlinearity: damped Gauss-Newton, each step a linearised solve).

The strategies read the solver's settings (``boundary_weight``, ``cg_tol``, ``cg_maxiter``, the grid and masks) at
each call and record the CG outcome on it (``last_cg_info``, ``last_cg_iterations``, ``cg_failures``).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
import scipy.sparse.linalg as spla

from numkern.kron import apply_along

from ._algebra import apply_term, apply_term_transpose, dense_kron
from ._objective import OutOfTime, data_objective
from ._precond import CollocationPreconditioner


def whitened_operator(terms, factors, p, kind=True):
    """A z = sum_t c_t kron E_t z + p * (kron Phi) z and its transpose, as tensor maps (``kind=False``: the
    operator on U itself, sum_t c_t kron D_t U + p * U)."""
    zero = (0,) * len(factors)

    def forward(z):
        out = sum(c * apply_term(factors, o, z, whitened=kind) for o, c in terms.items())
        if p is not None:
            out = out + p * apply_term(factors, zero, z, whitened=kind)
        return out

    def adjoint(r):
        out = sum(c * apply_term_transpose(factors, o, r, whitened=kind) for o, c in terms.items())
        if p is not None:
            out = out + apply_term_transpose(factors, zero, p * r, whitened=kind)
        return out

    return forward, adjoint


def conjugate_gradients(solver, matvec, rhs, precond, x0, loose_rtol=None, warn=True, count=True, maxiter=None):
    """Preconditioned CG on grid-shaped vectors; records ``last_cg_info`` and ``last_cg_iterations`` on ``solver``.

    ``loose_rtol``: an inexact solve (early Gauss-Newton steps) to max(cg_tol, loose_rtol), which neither counts
    as a failure nor warns at the cap. Otherwise a solve that stops at ``cg_maxiter`` counts in ``cg_failures``
    and warns unless ``warn`` is False (fit() counts and reports them itself); ``count=False``: neither (the
    caller retries).
    """
    shape = (solver.N, solver.N)
    counter = [0]
    deadline = getattr(solver, "fit_deadline", None)

    def iteration_done(_):
        counter[0] += 1
        # inside fit(max_time=...): a slow trial solve must not carry the fit past its budget (V7: one trial of 2000
        # iterations took the run from 530 to 616 s)
        if deadline is not None and time.perf_counter() > deadline:
            raise OutOfTime

    x, info = spla.cg(
        spla.LinearOperator(shape, matvec=matvec, dtype=np.float64),
        rhs.ravel(),
        x0=None if x0 is None else x0.ravel(),
        rtol=solver.cg_tol if loose_rtol is None else max(solver.cg_tol, loose_rtol),
        maxiter=solver.cg_maxiter if maxiter is None else maxiter,
        M=spla.LinearOperator(shape, matvec=lambda r: precond(r.reshape(solver.shape)).ravel(), dtype=np.float64),
        callback=iteration_done,
    )
    solver.last_cg_info = info
    solver.last_cg_iterations = counter[0]
    if loose_rtol is None:
        solver.peak_cg_iterations = max(getattr(solver, "peak_cg_iterations", 0), counter[0])
    if loose_rtol is not None or not count:
        return x  # an inexact Gauss-Newton step: its accuracy is the loose tolerance's business only
    if info > 0:
        solver.cg_failures += 1
    if info > 0 and warn:
        warnings.warn(
            f"inner CG solve stopped at cg_maxiter={solver.cg_maxiter} without reaching cg_tol={solver.cg_tol:g}",
            RuntimeWarning,
            stacklevel=4,
        )
    return x


def boundary_grid(solver):
    """The Dirichlet data g on the grid, zero inside."""
    gfull = np.zeros(solver.shape)
    gfull[solver.boundary_mask] = solver.boundary_values
    return gfull


class LinearisedSolver:
    """Strategy interface of the linearised problem: ``solver(factors, tau, p, f_eff, U0, loose_rtol, warn)``
    returns U = L z for the minimiser z (``p``: the pointwise Gauss-Newton term or None; ``U0``: a warm start;
    ``loose_rtol`` and ``warn`` go to :func:`conjugate_gradients`, iterative strategies only).

    ``reuse_preconditioner`` and ``preconditioner_cache`` are the collocation preconditioner's reuse state inside
    ``fit`` (see :class:`CollocationPCG`); the other strategies ignore them.
    """

    reuse_preconditioner = False
    preconditioner_cache = None

    def __init__(self, solver):
        self.solver = solver

    def __call__(self, factors, tau, p, f_eff, U0=None, loose_rtol=None, warn=True):
        raise NotImplementedError


class DenseQR(LinearisedSolver):
    """Small grids: QR of the stacked least-squares system in whitened coordinates."""

    def __call__(self, factors, tau, p, f_eff, U0=None, loose_rtol=None, warn=True):
        s = self.solver
        s1, s2 = np.sqrt(s.boundary_weight * tau[0]), np.sqrt(tau[1])
        Lc = dense_kron([f.chol for f in factors])
        A = sum(c * dense_kron([f.E[m] for f, m in zip(factors, o)]) for o, c in s.pde.terms.items())
        if p is not None:
            A = A + p.reshape(-1, 1) * Lc
        rows = s.residual_mask.ravel()
        M = np.vstack([np.eye(s.N), s1 * Lc[s.boundary_mask.ravel()], s2 * A[rows]])
        rhs = np.concatenate([np.zeros(s.N), s1 * s.boundary_values, s2 * f_eff.ravel()[rows]])
        Qm, Rm = np.linalg.qr(M)
        z = sla.solve_triangular(Rm, Qm.T @ rhs)
        return (Lc @ z).reshape(s.shape)


class JacobiCG(LinearisedSolver):
    """CG on the normal equations in the eigen-whitened coordinates U = (kron V_j lam_j^1/2) z, with the exact
    diagonal as preconditioner (any operator, any dimension)."""

    def __call__(self, factors, tau, p, f_eff, U0=None, loose_rtol=None, warn=True):
        s = self.solver
        lam_t1 = s.boundary_weight * tau[0]
        mask = s.boundary_mask
        kind = "eigen"
        forward, adjoint = whitened_operator(s.pde.terms, factors, p, kind)
        zero = (0,) * len(factors)

        def normal(zflat):
            z = zflat.reshape(s.shape)
            bz = np.where(mask, apply_term(factors, zero, z, whitened=kind), 0.0)
            out = z + lam_t1 * apply_term_transpose(factors, zero, bz, whitened=kind) + tau[1] * adjoint(
                np.where(s.residual_mask, forward(z), 0.0)
            )
            return out.ravel()

        rhs = lam_t1 * apply_term_transpose(factors, zero, boundary_grid(s), whitened=kind) + tau[1] * adjoint(
            np.where(s.residual_mask, f_eff, 0.0)
        )
        diag = self.diagonal(factors, tau, lam_t1, p)
        z = conjugate_gradients(s, normal, rhs, lambda r: r / diag, None, loose_rtol, warn)
        return apply_term(factors, zero, z.reshape(s.shape), whitened=kind)

    def diagonal(self, factors, tau, lam_t1, p):
        """Exact diagonal of the normal-equation matrix in the eigen-whitened coordinates.

        diag(kron_j X_j) = kron_j diag(X_j), so every (term, term) pair of tau2 A^T A, the identity and the boundary
        term (all nodes minus the interior, a difference of two Kronecker products) contribute Kronecker diagonals.
        The pointwise Gauss-Newton term p enters through its mean.
        """
        dim = len(factors)
        W = [f.eigen_whitening() for f in factors]
        terms = list(self.solver.pde.terms.items())
        if p is not None:
            terms.append(((0,) * dim, float(np.mean(p))))

        def kron_diag(vecs):
            out = np.ones(())
            for v in vecs:
                out = np.multiply.outer(out, v)
            return out

        diag = np.ones(self.solver.shape)
        for o1, c1 in terms:
            for o2, c2 in terms:
                cols = [np.sum(W[j][o1[j]] * W[j][o2[j]], axis=0) for j in range(dim)]
                diag = diag + tau[1] * c1 * c2 * kron_diag(cols)
        full = kron_diag([np.sum(Wj[0] ** 2, axis=0) for Wj in W])
        interior = kron_diag([np.sum(Wj[0][1:-1] ** 2, axis=0) for Wj in W])
        return diag + lam_t1 * (full - interior)


class CollocationPCG(LinearisedSolver):
    """CG on (K^{-1} + lam tau1 S^T S + tau2 A_R^T A_R) U = lam tau1 S^T g + tau2 A_R^T f_eff with the
    collocation preconditioner (numkern.pde._precond); U0 warm-starts it.

    Inside ``fit`` the preconditioner is kept across inner solves (``reuse_preconditioner``): built at a
    nearby kernel it is still symmetric positive definite, CG still converges to the exact minimiser, and its
    build (two eigensystems; on V7 also ~800 transposed solves for the Woodbury term, 2/3 of a solve's time) is
    saved. A stale preconditioner can save at most its build's cost, so it gets that many CG iterations beyond the
    ones it took when fresh (the build's cost in CG iterations, :func:`build_cost_in_iterations`, an operation count,
    so that a fit's path never depends on the machine's timing; plus 10): a solve that needs more goes on from where
    it stopped with a fresh one (keeping its progress), and one that converged but needed more than the fresh
    iterations plus the build's cost drops it for the next solve. On V5 (build: 2 iterations) the earlier, looser
    rule (three times the fresh iterations) let stale trial solves run 256-432 iterations before the fresh
    preconditioner converged in 78-271: a third of the fit's time. Where the build costs less than a tenth of a
    solve (``STALE_WORTH``), a fresh one is built every time.
    """

    def __call__(self, factors, tau, p, f_eff, U0=None, loose_rtol=None, warn=True):
        s = self.solver
        lam_t1 = s.boundary_weight * tau[0]
        mask, rmask = s.boundary_mask, s.residual_mask
        forward, adjoint = whitened_operator(s.pde.terms, factors, p, kind=False)
        inverses = [f.inverse() for f in factors]

        def normal(u):
            U = u.reshape(s.shape)
            prior = U
            for j, Kinv in enumerate(inverses):
                prior = apply_along(j, Kinv, prior)
            out = prior + lam_t1 * np.where(mask, U, 0.0)
            return (out + tau[1] * adjoint(np.where(rmask, forward(U), 0.0))).ravel()

        rhs = lam_t1 * boundary_grid(s) + tau[1] * adjoint(np.where(rmask, f_eff, 0.0))
        cache = self.preconditioner_cache if self.reuse_preconditioner else None
        if cache is not None and cache.get("slack", 0) * STALE_WORTH < cache["iterations"]:
            cache = None  # the build costs under a tenth of a solve: a stale one cannot save much, and can cost a lot
        if cache is not None:
            # `slack`: the build's cost in CG iterations (V7: ~200, its Woodbury term; V5: 2, two eigensystems).
            # Past the fresh iterations plus that, a fresh preconditioner is cheaper than going on.
            fresh, slack = cache["iterations"], cache.get("slack", 0)
            cap = min(s.cg_maxiter, fresh + slack + 10)
            x = conjugate_gradients(s, normal, rhs, cache["P"], U0, loose_rtol, warn, count=False, maxiter=cap)
            if s.last_cg_info == 0:
                if s.last_cg_iterations > fresh + slack:
                    self.preconditioner_cache = None  # too slow now: the next solve builds a fresh one
                return x.reshape(s.shape)
            self.preconditioner_cache = None
            U0 = x.reshape(s.shape)  # stopped at the cap: go on from here with a fresh preconditioner
        precond = CollocationPreconditioner.build(
            factors, s.pde.terms, mask, lam_t1, tau[1], p=p, adjoint=adjoint if s.boundary_residual else None,
            forward=forward,
        )
        x = conjugate_gradients(s, normal, rhs, precond, U0, loose_rtol, warn)
        iterations = s.last_cg_iterations
        if iterations >= MIN_BASELINE_ITERATIONS:
            self.baseline_iterations = iterations
        if self.reuse_preconditioner:
            slack = min(build_cost_in_iterations(precond), s.cg_maxiter)
            if iterations < MIN_BASELINE_ITERATIONS:
                # a warm start at (or next to) the minimiser says nothing about the preconditioner: a baseline of
                # 0 capped the next trial solve at 22 iterations on V5 (it then restarted with a fresh build)
                iterations = getattr(self, "baseline_iterations", iterations)
            self.preconditioner_cache = {"P": precond, "iterations": iterations, "slack": slack}
        return x.reshape(s.shape)


#: a stale preconditioner is tried only when its build costs at least 1 / STALE_WORTH of a fresh solve's iterations
STALE_WORTH = 10

#: fresh solves with fewer iterations than this (warm starts at the minimiser) keep the previous baseline
MIN_BASELINE_ITERATIONS = 10


def build_cost_in_iterations(precond):
    """The cost of building ``precond`` in CG iterations of the collocation PCG, from operation counts.

    One iteration applies the normal matrix (a Kronecker solve, A and A^T) and the preconditioner (two interior
    solves; with the Woodbury term two more and A, A^T again): about 40 n^3 flops on an n x n grid. The build
    takes two eigendecompositions (~25 n^3 each, like the Schur forms of the fallback) and the prior roots: about 2
    iterations. The Woodbury term adds one transposed interior solve and one A^T per boundary node, a quarter of an
    iteration each (V7 at 200^2: 796 nodes, ~200 iterations: what the timed rule this one replaces measured there).
    """
    boundary = int(precond.mask.sum()) if (precond.F is not None or precond.implicit is not None) else 0
    return 2 + boundary // 4


class LinearSolve:
    """Inner-solve strategy of a linear PDE: one linearised solve with the source as right-hand side.

    Interface of the inner solves: ``inner(factors, tau, U0, max_newton, tol, warn)`` returns the minimising U
    (``max_newton`` and ``tol`` concern Gauss-Newton only)."""

    def __init__(self, solver, linearised):
        self.solver, self.linearised = solver, linearised

    def __call__(self, factors, tau, U0=None, max_newton=40, tol=1e-12, warn=True):
        return self.linearised(factors, tau, None, self.solver.source_grid, U0, warn=warn)


@dataclass(frozen=True)
class NewtonConfig:
    """Settings of one Gauss-Newton solve.

    Inexact Gauss-Newton: far from the solution the linearisation is poor anyway, so the CG solves of the early
    steps stop at ``loose_rtol`` (the collocation preconditioner carries only the mean of the pointwise Jacobian p,
    and exact early steps cost 1000+ iterations on V6); once a step changes U by less than ``loose_until``, the
    steps are exact (cg_tol), and only those count for convergence and failures.
    """

    max_newton: int = 40
    tol: float = 1e-12
    loose_rtol: float = 1e-6
    loose_until: float = 1e-5


@dataclass
class NewtonState:
    """The Gauss-Newton iterate: U, its data objective J, and the CG tolerance of the next step (None: exact)."""

    U: np.ndarray
    J: float
    loose_rtol: float | None


class GaussNewton(LinearSolve):
    """Inner-solve strategy of a nonlinear PDE: damped Gauss-Newton, phi linearised at the current U, each step a
    linearised solve; backtracking keeps J decreasing."""

    def __call__(self, factors, tau, U0=None, max_newton=40, tol=1e-12, warn=True):
        s = self.solver
        config = NewtonConfig(max_newton=max_newton, tol=tol)
        U = np.zeros(s.shape) if U0 is None else U0
        state = NewtonState(U, data_objective(s, factors, tau, U),
                            config.loose_rtol if s.cg_tol < config.loose_rtol else None)
        return self.iterate(factors, tau, state, config, warn)

    def iterate(self, factors, tau, state, config, warn=True):
        """Gauss-Newton steps from ``state`` (updated in place) until converged or ``config.max_newton``; U."""
        s = self.solver
        c, nl, f = s.pde.nonlinearity_coefficient, s.pde.nonlinearity, s.source_grid
        for _ in range(config.max_newton):
            U = state.U
            p = c * nl[1](U)
            f_eff = f - c * nl[0](U) + p * U
            step = self.linearised(factors, tau, p, f_eff, U, state.loose_rtol, warn) - U
            # backtracking keeps J decreasing when the linearisation is poor (far from the solution)
            alpha = 1.0
            while True:
                U_new = U + alpha * step
                J_new = data_objective(s, factors, tau, U_new)
                if J_new <= state.J or alpha < 1e-3:
                    break
                alpha *= 0.5
            change = alpha * np.linalg.norm(step) / max(np.linalg.norm(U_new), 1e-300)
            state.U, state.J = U_new, J_new
            if state.loose_rtol is not None:
                if change < config.loose_until:
                    state.loose_rtol = None  # from now on exact steps
                continue
            if change < config.tol or state.J == 0.0:
                break
        return state.U


def make_inner_solvers(solver):
    """The solver's (linearised, inner) strategies, chosen once from its grid size, preconditioner and PDE."""
    if solver.N <= solver.dense_limit:
        linearised = DenseQR(solver)
    elif solver.preconditioner == "collocation":
        linearised = CollocationPCG(solver)
    else:
        linearised = JacobiCG(solver)
    inner = LinearSolve if solver.pde.nonlinearity is None else GaussNewton
    return linearised, inner(solver, linearised)
