"""GP-HM: Gaussian-process solver for high-frequency and multi-scale PDEs on tensor grids (Fang et al., ICLR 2024).

Model (grid values U on the full tensor grid, N = prod n_j nodes, N_B of them on the boundary):

    J(U, theta, tau) = sum_j (N / 2 n_j) log|K_j| + 1/2 vec(U)^T (kron K_j)^{-1} vec(U)
                       + lam [tau_1 / 2 ||U_B - g||^2 - N_B / 2 log tau_1]
                       + tau_2 / 2 ||R(U) - f||^2 - N / 2 log tau_2,
    R(U) = sum_t c_t (kron_j D_j^(m_tj)) U + c_phi phi(U),   D_j^(m) = K_j^(m) K_j^{-1}.

Instead of the reference's 1e5 Adam steps on everything, the fit is nested:
- inner: for fixed (theta, tau) J is quadratic in U for linear PDEs. In whitened coordinates U = (kron L_j) z it is
  the least-squares problem  min 1/2 ||z||^2 + lam tau_1 / 2 ||S L z - g||^2 + tau_2 / 2 ||A z - f||^2  with
  A = sum_t c_t kron_j E_j^(m_tj). Small grids: dense QR on the stacked system; large grids: conjugate gradients on
  the normal equations with Kronecker matrix-vector products and a Kronecker-diagonalised preconditioner.
  Nonlinear phi: Gauss-Newton (phi linearised at the current U), each step the same least-squares problem.
- outer: L-BFGS-B over theta (and optionally log tau) on the profiled objective F(theta) = min_U J; by the envelope
  theorem dF/dtheta = dJ/dtheta at the inner minimiser, computed in closed form from adjoint matrices on each axis
  reduced to the 2n - 1 lags (Toeplitz), so a gradient costs a few solves and GEMMs per axis.

This module holds the solver (set-up, fit loop, public methods); the pieces live beside it: the grid and its data
in ``_pde``, the kernel parameters (theta layout, amplitude, bounds, spectrum) in ``_params``, the inner solves as
strategies (dense QR, Jacobi CG, collocation PCG, Gauss-Newton) in ``_inner``, the objective, its gradient and
the profiled objective in ``_objective``, predictions and the error estimate in ``_predict``.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import scipy.optimize as sopt

from numkern._validation import check_allocation, check_integer, check_real, check_verbose, not_fitted_error
from numkern.kron import KroneckerCholesky

from . import _objective, _predict
from ._algebra import AxisFactors, apply_term
from ._defaults import default_cg_maxiter, default_jitter, default_settings, is_elliptic
from ._inner import CollocationPCG, boundary_grid, make_inner_solvers, whitened_operator
from ._kernels import ENVELOPES
from ._objective import OutOfTime, ProfiledObjective
from ._params import (_check_bool, _choice, _per_axis, amplitude_fixed, amplitude_fixed_gradient, check_tau,
                      flat_theta, initial_params, lbfgs_bounds, resolve_preconditioner, spectrum, split_theta)
from ._pde import PDE, collocation_grid


@dataclass(frozen=True)
class FitResult:
    """Outcome of :meth:`GPHMSolver.fit` (immutable).

    Attributes
    ----------
    objective : float
        J at the returned iterate.
    error : float or None
        Relative L2 error of the returned iterate on ``n_test`` points per axis (None without an exact solution).
    history : list of (iteration, objective, error)
        One entry per L-BFGS-B iteration, iteration 0 being the start.
    n_evaluations : int
        Inner solves (objective evaluations).
    wall_time : float
        Seconds.
    message : str
        Why the optimiser stopped.
    cg_failures : int
        Inner CG solves that stopped at ``cg_maxiter`` (those trial points were treated as infeasible).
    iteration : int
        The iteration whose state the solver keeps (see ``select`` of :meth:`GPHMSolver.fit`).
    criteria : list of float
        The selection criterion of every iteration (empty with ``select="last"``).
    """

    objective: float
    error: float | None
    history: list
    n_evaluations: int
    wall_time: float
    message: str
    cg_failures: int = 0
    iteration: int = -1
    criteria: list = field(default_factory=list)

    def __repr__(self):
        return (
            f"FitResult(objective={self.objective:.6g}, error={self.error}, n_evaluations={self.n_evaluations}, "
            f"wall_time={self.wall_time:.2f}s, iteration={self.iteration}, message={self.message!r})"
        )


@dataclass
class _FitState:
    """One :meth:`GPHMSolver.fit` run between L-BFGS-B callbacks: the profiled objective (with its warm start and
    evaluation count), the history, the selection criteria and the best iterate so far, the last completed
    iterate ``x`` and whether the time budget ran out."""

    profiled: ProfiledObjective
    select: str
    callback: object
    n_test: int
    history: list = field(default_factory=list)
    criteria: list = field(default_factory=list)
    best: dict = field(default_factory=dict)
    x: np.ndarray | None = None
    out_of_time: bool = False


class GPHMSolver:
    """Gaussian-process PDE solver with learnable spectral-mixture kernels on a tensor collocation grid (GP-HM).

    Parameters
    ----------
    pde : PDE
        The problem.
    n_points : int or sequence of int
        Grid points per axis, boundary included (uniform grid).
    n_components : int
        Q, frequency components per axis.
    envelope : {"gaussian", "student_t"}
        Envelope of each spectral-mixture component (Gaussian or Matérn-5/2, i.e. Student-t spectrum).
    max_frequency : float or sequence of float, optional
        Initial top frequency F_j (cycles per unit length); the initial frequencies are linspace(0, F_j, Q). Default:
        twice the highest frequency of the PDE's data along axis j (the source, and the Dirichlet data on the faces
        that span the axis), at most a third of the grid's sampling rate (3 points per period); see
        ``numkern.pde._defaults``.
    init : {"fft", "uniform"}
        ``"fft"`` additionally moves components onto the strongest peaks of the source term's spectrum.
    boundary_weight : float, optional
        lambda, the weight of the boundary likelihood. Default (the reference's values): 500 when some axis has
        only first derivatives (transport), else 200.
    tau : (float, float), optional
        (tau_1, tau_2), the boundary and residual precisions (initial values if ``learn_tau``). Default (1e6, 1e6).
    learn_tau : bool
        Also optimise log tau in the outer loop.
    jitter : float, optional
        Added to each factor's diagonal, relative to the factor's prior variance k(0) = sum_q w_q (the reference
        adds 1e-6 absolutely; with its initial weights, sum w = 1, the two agree at the start). Default 1e-8 on
        1-D grids with fewer than 10 points per period of the source's dominant frequency, else 1e-6 (2-D and 3-D
        grids: 1e-6 for elliptic operators, 1e-7 for transport operators; measured, see ``numkern.pde._defaults``).
    dense_limit : int
        Grids with at most this many nodes use the dense QR inner solve; larger ones use preconditioned CG.
    cg_tol : float
        Relative residual tolerance of the CG inner solve.
    cg_maxiter : int, optional
        Iteration cap of the CG inner solve. Default 1000 with the collocation preconditioner in 2-D (it converges
        in 100-300 iterations on the 2-D benchmarks; a solve that needs more marks a kernel where the preconditioner
        is poor, and :meth:`fit` then treats that point as infeasible; 2000 at a jitter below 1e-6, 4000 for a
        nonlinear PDE, whose Gauss-Newton steps the preconditioner serves less well), 300 in 3-D, 3000 with Jacobi.
    boundary_residual : bool, optional
        Count the PDE residual at the boundary nodes too (the reference's objective: residual at every grid node).
        Default: False for elliptic operators (a second derivative along every axis) on 2-D and 3-D grids, True
        otherwise.
        ``False`` keeps the residual at the interior nodes only, where the PDE holds, and leaves the boundary to the
        Dirichlet data: on the elliptic benchmark V5 the exact inner minimiser is 13x more accurate that way
        (7.1e-4 vs 9.5e-3 at 200^2 and the initial kernel), on the advection benchmark V7 10x less accurate.
    preconditioner : {"auto", "collocation", "jacobi"}
        Preconditioner of the CG inner solve (grids above ``dense_limit``). ``"collocation"`` (2-D and 3-D grids whose
        operator differentiates along one axis per term: Poisson, Helmholtz, advection, reaction-diffusion):
        the exact inverse of the collocation system (interior PDE rows + boundary values: a Kronecker-sum system
        solved by fast diagonalisation, in 2-D from Schur forms where that is ill-conditioned), with a square root of
        the prior on each axis and the boundary residual rows folded in by Woodbury; CG runs on the normal equations
        in U.
        ``"jacobi"``: the exact diagonal in eigen-whitened coordinates (any operator, any dimension; slow to
        converge on stiff 2-D problems).
        ``"auto"`` takes the collocation preconditioner where it applies.
    fix_amplitude : bool, optional
        Default True. Keep each axis's total weight sum_q w_q at 1 while learning (the log-weights are optimised
        through a softmax; they still prune components against each other). With fixed taus the overall
        amplitude of the prior sets the balance between prior and data: left free, the MAP objective keeps
        shrinking it late in the fit, and the error of the iterates drifts up while the objective falls (1-D
        benchmarks).

    Examples
    --------
    >>> import numpy as np
    >>> from numkern.pde import PDE, GPHMSolver
    >>> pde = PDE([(0, 2 * np.pi)], {(2,): 1.0}, source=lambda x: -25 * np.sin(5 * x),
    ...           boundary=lambda x: np.sin(5 * x), exact=lambda x: np.sin(5 * x))
    >>> solver = GPHMSolver(pde, 60, n_components=8)
    >>> result = solver.fit(max_iter=30)
    >>> bool(result.error < 1e-4)
    True
    """

    def __init__(
        self,
        pde,
        n_points,
        n_components=30,
        envelope="gaussian",
        max_frequency=None,
        init="fft",
        boundary_weight=None,
        tau=None,
        learn_tau=False,
        jitter=None,
        dense_limit=2500,
        cg_tol=1e-10,
        cg_maxiter=None,
        boundary_residual=None,
        preconditioner="auto",
        fix_amplitude=None,
    ):
        if not isinstance(pde, PDE):
            raise TypeError("pde must be a numkern.pde.PDE")
        self.pde = pde
        dim = pde.dim
        self.n_points = _per_axis(n_points, dim, "n_points",
                                  lambda v, name: check_integer(v, name, min_value=5))  # >= 5 points per axis
        self.n_components = check_integer(n_components, "n_components", min_value=1)
        # Refuse sizes that cannot be stored before numpy is asked for them (np.linspace with 2**63 - 1 points
        # failed with an IndexError): the grid and the n x n kernel matrices of each axis, and the (2n - 1, 3Q)
        # lag-gradient tables of the components.
        check_allocation(8 * (math.prod(self.n_points) + sum(n * n for n in self.n_points)),
                         f"n_points: a grid of shape {self.n_points} with its per-axis kernel matrices")
        check_allocation(8 * 3 * self.n_components * sum(2 * n - 1 for n in self.n_points),
                         f"n_components: {self.n_components} spectral components on a grid of shape {self.n_points}")
        self.envelope = _choice(envelope, "envelope", ENVELOPES)
        _choice(init, "init", ("fft", "uniform"))
        auto = default_settings(pde, self.n_points, self.envelope)
        self.jitter = check_real(1.0 if jitter is None else jitter, "jitter", positive=True)  # rule: below
        self.boundary_weight = check_real(auto["boundary_weight"] if boundary_weight is None else boundary_weight,
                                          "boundary_weight", positive=True)
        self.learn_tau = _check_bool(learn_tau, "learn_tau")
        self.fix_amplitude = _check_bool(auto["fix_amplitude"] if fix_amplitude is None else fix_amplitude,
                                         "fix_amplitude")
        self.dense_limit = check_integer(dense_limit, "dense_limit", min_value=0)  # 0: always CG
        self.cg_tol = check_real(cg_tol, "cg_tol", positive=True)
        self.boundary_residual = _check_bool(
            auto["boundary_residual"] if boundary_residual is None else boundary_residual, "boundary_residual")
        self.preconditioner = resolve_preconditioner(preconditioner, dim, pde.terms)
        self.cg_failures = 0  # inner CG solves that stopped at cg_maxiter

        vars(self).update(collocation_grid(pde, self.n_points, self.boundary_residual))  # axes, shape, masks, data
        if jitter is None:
            self.jitter = default_jitter(self.source_grid, is_elliptic(pde))
        if cg_maxiter is None:
            cg_maxiter = default_cg_maxiter(self.preconditioner, dim, self.jitter, pde.nonlinearity is not None)
        self.cg_maxiter = check_integer(cg_maxiter, "cg_maxiter", min_value=1)
        # inner solves: strategies chosen once (dense QR / Jacobi CG / collocation PCG; linear or Gauss-Newton)
        self._linearised, self._inner = make_inner_solvers(self)

        self._rates, self.params = initial_params(pde.domain, self.n_points, self.n_components, max_frequency, init,
                                                  self.source_grid, boundary_grid(self))
        self.log_tau = np.log(check_tau(tau))
        self.U = np.zeros(self.shape)
        self._fitted = False  # U holds a solution only after fit or solve_grid
        self._factors = None
        self._theta_of_factors = None

    # ------------------------------------------------------------------ parameters (numkern.pde._params)
    @property
    def theta(self):
        """Flat parameter vector: per axis [log w (Q), l (Q), mu (Q)]."""
        return flat_theta(self.params)

    def _amplitude_fixed(self, theta):
        """theta with each axis's log-weights shifted so that sum_q w_q = 1 (``fix_amplitude``), else theta."""
        return amplitude_fixed(theta, self.n_components, self.pde.dim) if self.fix_amplitude else theta

    def _amplitude_fixed_gradient(self, theta, g):
        """Chain rule through :meth:`_amplitude_fixed` at its output theta."""
        return amplitude_fixed_gradient(theta, g, self.n_components, self.pde.dim) if self.fix_amplitude else g

    def _set_theta(self, theta):
        self.params = split_theta(theta, self.n_components, self.pde.dim)

    def _bounds(self):
        """Box for L-BFGS-B (see :func:`numkern.pde._params.lbfgs_bounds`)."""
        x = np.concatenate([self.theta, self.log_tau]) if self.learn_tau else self.theta
        return lbfgs_bounds(self._rates, self.n_components, self.learn_tau, x)

    def _build_factors(self, theta=None):
        if theta is not None:
            self._set_theta(theta)
        th = self.theta
        if self._factors is not None and np.array_equal(th, self._theta_of_factors):
            return self._factors
        factors = [
            AxisFactors(x, *p, orders=[t[j] for t in self.pde.terms], envelope=self.envelope, jitter=self.jitter)
            for j, (x, p) in enumerate(zip(self.axes, self.params))
        ]
        # prior K = kron_j K_j: solves and the exact log-det come from numkern.kron's per-factor Cholesky
        self._kchol = KroneckerCholesky([f.K for f in factors])
        for f, L in zip(factors, self._kchol.lower_factors):
            f.factorise(L)
        self._factors = factors
        self._theta_of_factors = th.copy()
        return self._factors

    # ------------------------------------------------------------------ operator
    def residual(self, U=None, factors=None):
        """R(U) - f at every grid node."""
        U = self.U if U is None else U
        factors = self._build_factors() if factors is None else factors
        R = sum(c * apply_term(factors, orders, U) for orders, c in self.pde.terms.items())
        if self.pde.nonlinearity is not None:
            R = R + self.pde.nonlinearity_coefficient * self.pde.nonlinearity[0](U)
        return R - self.source_grid

    # ------------------------------------------------------------------ inner solves (numkern.pde._inner)
    def _whitened_operator(self, factors, p, kind=True):
        """See :func:`numkern.pde._inner.whitened_operator`."""
        return whitened_operator(self.pde.terms, factors, p, kind)

    def _solve_linearised(self, factors, tau, p, f_eff, U0=None, loose_rtol=None, warn=True):
        """Minimise 1/2||z||^2 + lam tau1/2 ||(Lz)_B - g||^2 + tau2/2 ||(A z - f_eff)_R||^2; return U = L z."""
        return self._linearised(factors, tau, p, f_eff, U0, loose_rtol, warn)

    def _inner_solve(self, factors, tau, U0=None, max_newton=40, tol=1e-12, warn=True):
        """Minimise J over U for fixed theta, tau: one least-squares solve (linear) or damped Gauss-Newton.

        ``warn=False`` silences the warning of CG solves that stop at ``cg_maxiter`` (they are still counted).
        """
        return self._inner(factors, tau, U0, max_newton, tol, warn)

    # the collocation preconditioner's reuse inside fit() (state of the CollocationPCG strategy)
    _reuse_preconditioner = property(lambda self: self._linearised.reuse_preconditioner,
                                     lambda self, v: setattr(self._linearised, "reuse_preconditioner", v))
    _precond_cache = property(lambda self: self._linearised.preconditioner_cache,
                              lambda self, v: setattr(self._linearised, "preconditioner_cache", v))

    # ------------------------------------------------------------------ objective (numkern.pde._objective)
    def objective(self, U=None, theta=None, log_tau=None, gradient=False):
        """J(U, theta, tau) and, optionally, dJ/d(theta, log tau) at fixed U (closed form)."""
        return _objective.objective(self, U, theta, log_tau, gradient)

    # ------------------------------------------------------------------ fit
    def solve_grid(self):
        """Solve for the grid values U at the current kernel parameters and taus (no kernel learning)."""
        factors = self._build_factors()
        self.U = self._inner_solve(factors, np.exp(self.log_tau), self.U if np.any(self.U) else None)
        self._fitted = True
        return self.U

    def fit(self, max_iter=None, callback=None, n_test=300, tol=1e-12, max_restarts=3, max_time=None, verbose=0,
            select="estimate"):
        """Learn the kernel parameters (and taus if ``learn_tau``) with L-BFGS-B on the profiled objective.

        Parameters
        ----------
        max_iter : int, optional
            L-BFGS-B iterations (each one solves for U a few times). Default 400 on 1-D grids (the fits end by a
            failed line search after 30-110 iterations there), 100 on larger ones (``max_time`` usually ends them).
        callback : callable, optional
            ``callback(iteration, objective, error)`` after each iteration; ``error`` is the relative L2 error on
            ``n_test`` points per axis when the PDE has an exact solution, else None.
        n_test : int
            Test points per axis for the error.
        tol : float
            Relative objective tolerance (L-BFGS-B ``ftol``).
        max_restarts : int
            Restarts of L-BFGS-B (fresh curvature memory) when it stops before ``max_iter`` iterations.
        max_time : float, optional
            Wall-clock budget in seconds: the first objective evaluation after it, or the first CG iteration after
            it inside a trial point's solve, ends the fit (the solver keeps one of the completed iterates; the start
            counts as one).
        verbose : int or bool
            0 (default) prints nothing; >= 1 prints to stdout one line per L-BFGS-B iteration (the same values as
            ``callback``, e.g. ``Iteration 3: objective 12.345, error 0.00123``), iteration 0 being the start.
        select : {"estimate", "last"}
            Which iterate the solver keeps. ``"estimate"`` (default): the one with the smallest
            :meth:`error_estimate`, computed from the PDE data only (never the exact solution). The error of the
            iterates is not monotone: on the 900-point V3 it jumps by 10-100x between neighbouring iterations, and
            it can drift up after its minimum while the objective keeps falling. ``"last"``: the last L-BFGS-B
            iterate.

        Returns
        -------
        FitResult
            With the error of the kept iterate (``iteration`` says which one).

        Notes
        -----
        A trial point whose inner CG solve stops at ``cg_maxiter`` counts as infeasible (objective +inf), so the
        line search backs off instead of trusting an inexact gradient; ``cg_failures`` counts such solves. With the
        collocation preconditioner the cap during the fit is at most three times the iterations of the starting
        point's hardest exact CG solve (over its Gauss-Newton steps for a nonlinear PDE; at least 300).
        """
        if max_iter is None:
            max_iter = 400 if self.pde.dim == 1 else 100
        max_iter = check_integer(max_iter, "max_iter", min_value=1)
        if callback is not None and not callable(callback):
            raise TypeError(f"callback must be None or a callable, got {type(callback).__name__}")
        n_test = check_integer(n_test, "n_test", min_value=2)
        tol = check_real(tol, "tol", nonnegative=True)
        max_restarts = check_integer(max_restarts, "max_restarts", min_value=0)
        max_time = check_real(max_time, "max_time", nonnegative=True, allow_none=True)
        verbose = check_verbose(verbose)
        select = _choice(select, "select", ("estimate", "last"))
        if verbose:
            callback = partial(_print_iteration, callback)

        t0 = time.perf_counter()
        profiled = ProfiledObjective(self, t0, max_time)
        state = _FitState(profiled, select, callback, n_test)
        x0 = np.concatenate([self.theta, self.log_tau]) if self.learn_tau else self.theta
        self.peak_cg_iterations = 0
        self.solve_grid()  # the starting point's solution; from here on the solver is fitted
        # the hardest exact CG solve of the start (a Gauss-Newton solve's last step starts at its solution and takes
        # 0 iterations: V6 then capped every trial point at 300 where its exact steps needed ~800)
        initial_cg_iterations = self.peak_cg_iterations
        self._record(state, profiled.start())

        # L-BFGS-B often stops early on this landscape (a failed line search, or a stalled relative reduction after
        # a step into a region where a factor is not positive definite); restarting from the current point with a
        # fresh curvature memory continues the descent. At most `max_restarts` restarts, within `max_iter` in total.
        x = x0
        used = 0
        failures_before = self.cg_failures
        self._reuse_preconditioner, self._precond_cache = True, None
        cg_maxiter = self.cg_maxiter
        if isinstance(self._linearised, CollocationPCG):
            # a trial point whose solve needs more than three times the iterations of the starting point's (from
            # zero; 20 on V7 with the Student-t envelope, 292 with the Gaussian one) is one the line search should
            # leave: at 400^2 each CG iteration costs ~0.3 s, and a trial that ran to 1000 iterations used half of
            # a 10-minute budget
            self.cg_maxiter = min(cg_maxiter, max(300, 3 * initial_cg_iterations))
        try:
            state.x = x0
            message = ""
            for _ in range(max_restarts + 1):
                try:
                    res = sopt.minimize(profiled, x, jac=True, method="L-BFGS-B", bounds=self._bounds(),
                                        callback=partial(self._iteration_done, state),
                                        options={"maxiter": max_iter - used, "ftol": tol, "gtol": 0})
                except OutOfTime:
                    state.out_of_time = True
                    x = state.x  # the last completed iterate
                    break
                used += max(res.nit, 1)
                x, message = res.x, str(res.message)
                if used >= max_iter or res.nit == 0 or state.out_of_time:
                    break
                profiled.adopt(x)
            profiled.adopt(x)
        finally:
            self._reuse_preconditioner, self._precond_cache = False, None
            self.cg_maxiter = cg_maxiter
        iteration = len(state.history) - 1
        best = state.best
        if select == "estimate" and best["iteration"] != iteration and best["criterion"] < self.error_estimate():
            self._set_theta(best["theta"])
            self.log_tau = best["log_tau"]
            self.U = best["U"]
            iteration = best["iteration"]
        failures = self.cg_failures - failures_before
        if failures:
            warnings.warn(
                f"{failures} inner CG solves stopped at cg_maxiter={self.cg_maxiter}; those trial points were "
                "treated as infeasible",
                RuntimeWarning,
                stacklevel=2,
            )
        err = self.error(n_test) if self.pde.exact is not None else None
        message = "max_time reached" if state.out_of_time else message
        return FitResult(self.objective(), err, state.history, profiled.evaluations, time.perf_counter() - t0,
                         message, cg_failures=failures, iteration=iteration, criteria=state.criteria)

    def _record(self, state, Jk):
        """History, the selection criterion (kept state if it is the best so far) and the callback."""
        err = self.error(state.n_test) if self.pde.exact is not None else None
        iteration = len(state.history)
        state.history.append((iteration, Jk, err))
        if state.select == "estimate":
            crit = self.error_estimate()
            state.criteria.append(crit)
            if not state.best or crit < state.best["criterion"]:
                state.best.update(criterion=crit, iteration=iteration, theta=self.theta.copy(),
                                  log_tau=self.log_tau.copy(), U=self.U.copy())
        if state.callback is not None:
            state.callback(iteration, Jk, err)

    def _iteration_done(self, state, xk):
        """L-BFGS-B callback: adopt the iterate, record it, and stop once ``max_time`` has passed."""
        state.x = np.array(xk)
        state.profiled.adopt(xk)
        self._record(state, self.objective())
        max_time = state.profiled.max_time
        if max_time is not None and time.perf_counter() - state.profiled.t0 > max_time:
            state.out_of_time = True
            raise StopIteration

    # ------------------------------------------------------------------ predict (numkern.pde._predict)
    def _check_fitted(self):
        """Predictions need the grid values U of a solve; before one, U is all zeros and so is every prediction."""
        if not self._fitted:
            raise not_fitted_error(self, "'fit' (or 'solve_grid')")

    def offgrid_residual(self, offset=0.5):
        """RMS of the PDE residual of the posterior mean off the collocation nodes, at x_i + offset h_j on every
        axis (cell midpoints by default; ``offset`` in (0, 1)). A data-free diagnostic (see ``select`` of
        :meth:`fit` for its use as the stopping rule)."""
        self._check_fitted()
        offset = check_real(offset, "offset")
        if not 0.0 < offset < 1.0:
            raise ValueError(f"offset must lie in (0, 1), got {offset!r}")
        R = _predict.residual_off_grid(self, [(1.0 - offset) * x[:-1] + offset * x[1:] for x in self.axes])
        return float(np.sqrt(np.mean(R * R)))

    def error_estimate(self):
        """A posteriori estimate of the RMS error of the posterior mean u, from the PDE data only (never the exact
        solution): the stopping rule of :meth:`fit`.

        The error e = u - u_true solves L e = r inside (r = R(u) - f, the residual of the posterior *mean function*)
        and e = u - g on the boundary, so by superposition ||e|| ~ ||L^{-1} r|| + ||u - g||_boundary:

        * the residual at the cell midpoints, expanded in the sine basis of the box (DST-II) and divided by the
          operator's symbol, ``|sum_t c_t prod_j (i w_j)^(m_tj)|`` (plus the mean Gauss-Newton weight for a
          nonlinearity; floored at 1e-3 of its maximum), i.e. the residual in the operator's dual norm. The plain
          RMS residual is dominated by high frequencies that L^{-1} damps by 1/w^2, and missed the drift below;
        * the misfit of the mean function to the Dirichlet data at the boundary nodes and the midpoints between
          them. With a jitter the mean does not interpolate the grid values U (u(X) = K_0 (K_0 + s I)^{-1} U), and
          this is what drifts when the prior's amplitude shrinks: on a 1-D Poisson problem the error of the
          iterates rose from 2.5e-6 to 8.4e-5 while the midpoint residual kept falling, all of it in the boundary
          misfit of the mean (9.5e-5 at both ends).
        """
        self._check_fitted()
        return _predict.error_estimate(self)

    def predict_grid(self, *axes_points, return_std=False):
        """Posterior mean (and conditional std given U) on the tensor grid spanned by 1-D point arrays, one per axis."""
        self._check_fitted()
        return _predict.predict_grid(self, axes_points, return_std)

    def predict(self, points, return_std=False):
        """Posterior mean at arbitrary points of shape (M, d) (or (M,) in 1-D); optionally the conditional std."""
        self._check_fitted()
        return _predict.predict(self, points, return_std)

    def error(self, n_test=300):
        """Relative L2 error against the exact solution on ``n_test`` uniform points per axis."""
        n_test = check_integer(n_test, "n_test", min_value=2)
        if self.pde.exact is None:
            raise ValueError("the PDE has no exact solution")
        pts = [np.linspace(lo, hi, n_test) for lo, hi in self.pde.domain]
        pred = self.predict_grid(*pts)
        ex = np.asarray(self.pde.exact(*np.meshgrid(*pts, indexing="ij", sparse=True)), dtype=float)
        ex = np.broadcast_to(ex, pred.shape)
        return float(np.linalg.norm(pred - ex) / np.linalg.norm(ex))

    def spectrum(self):
        """Learned spectrum per axis: list of dicts with ``weights``, ``frequencies``, ``scales`` (sorted by mu)."""
        return spectrum(self.params)


def _print_iteration(user_callback, iteration, objective, error):
    """The ``verbose`` line of one iteration, then the user's callback."""
    detail = "" if error is None else f", error {error:.6g}"
    print(f"Iteration {iteration}: objective {objective:.6g}{detail}", flush=True)
    if user_callback is not None:
        user_callback(iteration, objective, error)
