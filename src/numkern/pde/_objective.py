"""The GP-HM objective J(U, theta, tau), its closed-form gradient in (theta, log tau), and the profiled objective
F(x) = min_U J that L-BFGS-B minimises (gradient by the envelope theorem: dF/dtheta = dJ/dtheta at the inner
minimiser). The functions take the solver (a ``GPHMSolver``) for its grid, data and current parameters."""

from __future__ import annotations

import time

import numpy as np

from ._algebra import apply_term, solve_along, unfold


class OutOfTime(Exception):
    """Raised inside the objective once ``max_time`` has passed (ends the L-BFGS-B run)."""


def data_objective(solver, factors, tau, U):
    """The U-dependent part of J: 1/2 U^T K^{-1} U + boundary and residual misfits."""
    rb = U[solver.boundary_mask] - solver.boundary_values
    res = solver.residual(U, factors)[solver.residual_mask]
    return 0.5 * np.sum(U * solver._kchol.solve(U)) + 0.5 * solver.boundary_weight * tau[0] * (rb @ rb) + (
        0.5 * tau[1] * np.sum(res * res)
    )


def objective(solver, U=None, theta=None, log_tau=None, gradient=False):
    """J(U, theta, tau) and, optionally, dJ/d(theta, log tau) at fixed U (closed form)."""
    factors = solver._build_factors(theta)
    U = solver.U if U is None else U
    log_tau = solver.log_tau if log_tau is None else np.asarray(log_tau)
    tau = np.exp(log_tau)
    lam = solver.boundary_weight
    NB, NR = solver.N_B, solver.N_R
    A_full = solver._kchol.solve(U)
    res = np.where(solver.residual_mask, solver.residual(U, factors), 0.0)
    rb = U[solver.boundary_mask] - solver.boundary_values
    J = (
        0.5 * solver._kchol.logdet()
        + 0.5 * np.sum(U * A_full)
        + lam * (0.5 * tau[0] * (rb @ rb) - 0.5 * NB * log_tau[0])
        + 0.5 * tau[1] * np.sum(res * res)
        - 0.5 * NR * log_tau[1]
    )
    if not gradient:
        return J
    E_res = tau[1] * res
    grads = [_axis_gradient(solver, factors, j, U, A_full, E_res) for j in range(len(factors))]
    g_tau = np.array([lam * (0.5 * tau[0] * (rb @ rb) - 0.5 * NB), 0.5 * tau[1] * np.sum(res * res) - 0.5 * NR])
    return J, np.concatenate(grads), g_tau


def _axis_gradient(solver, factors, j, U, A_full, E_res):
    """dJ/d theta_j: the adjoint matrices G_m = dJ/dK_j^(m) of axis j, reduced to the lags (Toeplitz)."""
    f = factors[j]
    B_j = solve_along(j, f, U)
    G = {m: np.zeros((f.n, f.n)) for m in f.orders}
    G[0] += 0.5 * (solver.N / f.n) * f.solve(np.eye(f.n)) - 0.5 * unfold(A_full, j) @ unfold(B_j, j).T
    Ej = unfold(E_res, j)
    for orders, c in solver.pde.terms.items():
        m = orders[j]
        if m == 0:
            continue
        other = tuple(o if k != j else 0 for k, o in enumerate(orders))
        V = apply_term(factors, other, U)
        W = unfold(solve_along(j, f, V), j)
        EW = Ej @ W.T
        G[m] += c * EW
        G[0] -= c * (f.D[m].T @ EW)
    g = np.zeros(3 * solver.n_components)
    for m, Gm in G.items():
        g += f.lag_sums(Gm) @ f.lag_param_grad(m)
    # the jitter is jitter * sum_q w_q
    g[: solver.n_components] += solver.jitter * np.exp(solver.params[j][0]) * np.trace(G[0])
    return g


class ProfiledObjective:
    """F(x) = min_U J for L-BFGS-B, x = theta (and log tau with ``learn_tau``), with the state of one fit: the
    warm start of the next inner solve (``U``), the inner solutions by x (``cache``, so that the accepted iterate
    needs no new solve), the number of inner solves (``evaluations``) and the objective's scale."""

    def __init__(self, solver, t0, max_time):
        self.solver, self.t0, self.max_time = solver, t0, max_time
        self.n_theta = solver.theta.size
        self.U = None
        self.evaluations = 0
        self.cache = {}
        self.scale = 1.0

    def start(self):
        """Begin at the solver's current parameters (after ``solve_grid``): their U is the first warm start; J there
        sets the objective's scale. Returns that J."""
        self.U = self.solver.U
        # L-BFGS-B's first step is 1/||g||-sized; a unit-scale objective keeps it and ftol meaningful
        J0 = self.solver.objective()
        self.scale = max(abs(J0), 1.0)
        return J0

    def __call__(self, x):
        """(F / scale, dF/dx / scale); (inf, 0) where a factor is not positive definite or a CG solve failed."""
        s = self.solver
        if self.max_time is not None and time.perf_counter() - self.t0 > self.max_time:
            raise OutOfTime  # a hard budget: a line search with slow trial points ran past it on V7 (15 min)
        theta = s._amplitude_fixed(x[: self.n_theta])
        log_tau = x[self.n_theta :] if s.learn_tau else s.log_tau
        try:
            factors = s._build_factors(theta)
        except np.linalg.LinAlgError:
            return np.inf, np.zeros_like(x)
        failures = s.cg_failures
        # the budget also holds inside the solve: its CG raises OutOfTime past the deadline
        s.fit_deadline = None if self.max_time is None else self.t0 + self.max_time
        try:
            U = s._inner_solve(factors, np.exp(log_tau), self.U, warn=False)
        finally:
            s.fit_deadline = None
        self.evaluations += 1
        if s.cg_failures > failures:
            return np.inf, np.zeros_like(x)
        if len(self.cache) > 30:
            self.cache.clear()
        self.cache[x.tobytes()] = U
        J, g_theta, g_tau = objective(s, U, None, log_tau, gradient=True)
        g_theta = s._amplitude_fixed_gradient(theta, g_theta)
        g = np.concatenate([g_theta, g_tau]) if s.learn_tau else g_theta
        if not np.isfinite(J):
            return np.inf, np.zeros_like(x)
        return J / self.scale, g / self.scale

    def adopt(self, x):
        """Make ``x`` the solver's parameters, with the U evaluated there (the warm start of the next solve)."""
        s = self.solver
        x = np.array(x)
        s._set_theta(s._amplitude_fixed(x[: self.n_theta]))
        if s.learn_tau:
            s.log_tau = x[self.n_theta :]
        factors = s._build_factors()
        U = self.cache.get(x.tobytes())
        if U is None:
            U = s._inner_solve(factors, np.exp(s.log_tau), self.U, warn=False)
        s.U = U
        self.U = U
        return U
