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
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.fft as sfft
import scipy.linalg as sla
import scipy.optimize as sopt
import scipy.sparse.linalg as spla

from ._algebra import (
    AxisFactors,
    apply_along,
    apply_term,
    apply_term_transpose,
    dense_kron,
    solve_along,
    unfold,
)
from numkern._validation import (as_numeric_array, check_allocation, check_integer, check_real, check_verbose,
                                 not_fitted_error)
from numkern.kron import KroneckerCholesky

from ._kernels import ENVELOPES, spectral_mixture_lags
from ._defaults import default_jitter, default_settings
from ._params import (_check_bool, _choice, _per_axis, _points, amplitude_fixed, amplitude_fixed_gradient,
                      fft_frequencies, lbfgs_bounds, split_theta)
from ._pde import PDE
from ._precond import CollocationPreconditioner, is_kronecker_sum


class _OutOfTime(Exception):
    """Raised inside the objective once ``max_time`` has passed (ends the L-BFGS-B run)."""


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
        a third of the grid's sampling rate (3 points per period).
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
        grids always 1e-6; measured, see ``numkern.pde._defaults``).
    dense_limit : int
        Grids with at most this many nodes use the dense QR inner solve; larger ones use preconditioned CG.
    cg_tol : float
        Relative residual tolerance of the CG inner solve.
    cg_maxiter : int, optional
        Iteration cap of the CG inner solve. Default 1000 with the collocation preconditioner in 2-D (it converges
        in 100-300 iterations on the 2-D benchmarks; a solve that needs more marks a kernel where the preconditioner
        is poor, and :meth:`fit` then treats that point as infeasible), 300 in 3-D, 3000 with Jacobi.
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
        the exact inverse of the collocation system (interior PDE rows + boundary values: in 2-D a Sylvester
        equation solved from Schur forms, in 3-D fast diagonalisation), with a square root of the prior on each
        axis and the boundary residual rows folded in by Woodbury; CG runs on the normal equations in U.
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
        _choice(preconditioner, "preconditioner", ("auto", "collocation", "jacobi"))
        kron_sum = is_kronecker_sum(dim, pde.terms)
        if preconditioner == "collocation" and not kron_sum:
            raise ValueError(
                "preconditioner='collocation' needs a 2-D or 3-D PDE whose terms each differentiate along one axis "
                "at most"
            )
        if preconditioner == "auto":
            preconditioner = "collocation" if kron_sum else "jacobi"
        self.preconditioner = preconditioner
        if cg_maxiter is None:
            # 3-D: the collocation preconditioner converges in a few iterations at the initial kernel (3 at 32^3);
            # kernels that need hundreds are trial points the line search should leave quickly
            cg_maxiter = (300 if dim == 3 else 1000) if preconditioner == "collocation" else 3000
        self.cg_maxiter = check_integer(cg_maxiter, "cg_maxiter", min_value=1)
        self.cg_failures = 0  # inner CG solves that stopped at cg_maxiter
        self._reuse_preconditioner = False  # True inside fit(): see _solve_collocation_pcg
        self._precond_cache = None

        self.axes = [np.linspace(lo, hi, n) for (lo, hi), n in zip(pde.domain, self.n_points)]
        self.shape = self.n_points
        self.N = int(np.prod(self.shape))
        coords = np.meshgrid(*self.axes, indexing="ij", sparse=True)
        self.source_grid = pde.evaluate("source", pde.source, coords, self.shape)
        if jitter is None:
            self.jitter = default_jitter(self.source_grid)
        mask = np.zeros(self.shape, dtype=bool)
        for j in range(dim):
            index = [slice(None)] * dim
            index[j] = 0
            mask[tuple(index)] = True
            index[j] = -1
            mask[tuple(index)] = True
        self.boundary_mask = mask
        bcoords = [np.broadcast_to(c, self.shape)[mask] for c in coords]
        self.boundary_values = pde.evaluate("boundary", pde.boundary, bcoords, (int(mask.sum()),))
        self.N_B = int(mask.sum())
        # nodes where the PDE residual counts (all of them, or the interior only)
        self.residual_mask = np.ones(self.shape, dtype=bool) if self.boundary_residual else ~mask
        self.N_R = int(self.residual_mask.sum())

        # initial kernel parameters
        rates = [(n - 1) / (hi - lo) for (lo, hi), n in zip(pde.domain, self.n_points)]
        if max_frequency is None:
            tops = [r / 3.0 for r in rates]
        else:
            tops = _per_axis(max_frequency, dim, "max_frequency",
                             lambda v, name: check_real(v, name, positive=True))
            for j, (top, r) in enumerate(zip(tops, rates)):
                if r / top < 3.0:
                    warnings.warn(
                        f"axis {j}: grid has {r / top:.2f} < 3 points per period of the initial top frequency "
                        f"{top:g}; the solution will be under-resolved (aliasing)",
                        RuntimeWarning,
                        stacklevel=2,
                    )
        Q = self.n_components
        self._rates = rates
        self.params = []
        for j in range(dim):
            mu = np.linspace(0.0, tops[j], Q)
            if init == "fft" and Q >= 2:
                mu = self._fft_frequencies(j, mu, rates[j])
            self.params.append([np.full(Q, -np.log(Q)), np.zeros(Q), mu])
        if tau is None:
            # the objective's data/prior balance is invariant to rescaling u, so absolute taus are meaningful;
            # 1e6 (a strong pull towards the data, i.e. near-collocation) was best on the V1-V4 benchmarks
            tau = (1e6, 1e6)
        tau = as_numeric_array(tau, "tau", allow_complex=False, dtype=float)
        if tau.shape != (2,) or not np.all(np.isfinite(tau) & (tau > 0)):
            raise ValueError(f"tau must be a pair of positive finite numbers, got {tau!r}")
        self.log_tau = np.log(tau)
        self.U = np.zeros(self.shape)
        self._fitted = False  # U holds a solution only after fit or solve_grid
        self._factors = None
        self._theta_of_factors = None

    # ------------------------------------------------------------------ parameters
    def _fft_frequencies(self, axis, mu, rate):
        """Move the uniform components nearest to the strongest source-spectrum peaks onto those peaks."""
        return fft_frequencies(unfold(self.source_grid, axis), mu, rate)

    @property
    def theta(self):
        """Flat parameter vector: per axis [log w (Q), l (Q), mu (Q)]."""
        return np.concatenate([np.concatenate(p) for p in self.params])

    def _amplitude_fixed(self, theta):
        """theta with each axis's log-weights shifted so that sum_q w_q = 1 (``fix_amplitude``), else theta."""
        return amplitude_fixed(theta, self.n_components, self.pde.dim) if self.fix_amplitude else theta

    def _amplitude_fixed_gradient(self, theta, g):
        """Chain rule through :meth:`_amplitude_fixed` at its output theta."""
        return amplitude_fixed_gradient(theta, g, self.n_components, self.pde.dim) if self.fix_amplitude else g

    def _set_theta(self, theta):
        self.params = split_theta(theta, self.n_components, self.pde.dim)

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

    def _whitened_operator(self, factors, p, kind=True):
        """A z = sum_t c_t kron E_t z + p * (kron Phi) z and its transpose, as tensor maps (``kind=False``: the
        operator on U itself, sum_t c_t kron D_t U + p * U)."""
        zero = (0,) * len(factors)

        def forward(z):
            out = sum(c * apply_term(factors, o, z, whitened=kind) for o, c in self.pde.terms.items())
            if p is not None:
                out = out + p * apply_term(factors, zero, z, whitened=kind)
            return out

        def adjoint(r):
            out = sum(c * apply_term_transpose(factors, o, r, whitened=kind) for o, c in self.pde.terms.items())
            if p is not None:
                out = out + apply_term_transpose(factors, zero, p * r, whitened=kind)
            return out

        return forward, adjoint

    def _solve_linearised(self, factors, tau, p, f_eff, U0=None, loose_rtol=None, warn=True):
        """Minimise 1/2||z||^2 + lam tau1/2 ||(Lz)_B - g||^2 + tau2/2 ||(A z - f_eff)_R||^2; return U = L z.

        ``loose_rtol`` and ``warn`` go to :meth:`_cg` (iterative paths only).
        """
        lam_t1 = self.boundary_weight * tau[0]
        s1, s2 = np.sqrt(lam_t1), np.sqrt(tau[1])
        g = self.boundary_values
        mask = self.boundary_mask
        if self.N <= self.dense_limit:
            Lc = dense_kron([f.chol for f in factors])
            A = sum(c * dense_kron([f.E[m] for f, m in zip(factors, o)]) for o, c in self.pde.terms.items())
            if p is not None:
                A = A + p.reshape(-1, 1) * Lc
            rows = self.residual_mask.ravel()
            M = np.vstack([np.eye(self.N), s1 * Lc[mask.ravel()], s2 * A[rows]])
            rhs = np.concatenate([np.zeros(self.N), s1 * g, s2 * f_eff.ravel()[rows]])
            Qm, Rm = np.linalg.qr(M)
            z = sla.solve_triangular(Rm, Qm.T @ rhs)
            return (Lc @ z).reshape(self.shape)
        if self.preconditioner == "collocation":
            return self._solve_collocation_pcg(factors, tau, p, f_eff, U0, loose_rtol, warn)
        # large grids: CG on the normal equations in the eigen-whitened coordinates U = (kron V_j lam_j^1/2) z
        kind = "eigen"
        forward, adjoint = self._whitened_operator(factors, p, kind)
        zero = (0,) * len(factors)

        def normal(zflat):
            z = zflat.reshape(self.shape)
            bz = np.where(mask, apply_term(factors, zero, z, whitened=kind), 0.0)
            out = z + lam_t1 * apply_term_transpose(factors, zero, bz, whitened=kind) + tau[1] * adjoint(
                np.where(self.residual_mask, forward(z), 0.0)
            )
            return out.ravel()

        gfull = np.zeros(self.shape)
        gfull[mask] = g
        rhs = lam_t1 * apply_term_transpose(factors, zero, gfull, whitened=kind) + tau[1] * adjoint(
            np.where(self.residual_mask, f_eff, 0.0)
        )
        diag = self._jacobi_diagonal(factors, tau, lam_t1, p)
        z = self._cg(normal, rhs, lambda r: r / diag, None, loose_rtol, warn)
        return apply_term(factors, zero, z.reshape(self.shape), whitened=kind)

    def _cg(self, matvec, rhs, precond, x0, loose_rtol=None, warn=True, count=True, maxiter=None):
        """Preconditioned CG on grid-shaped vectors; records ``last_cg_info`` and ``last_cg_iterations``.

        ``loose_rtol``: an inexact solve (early Gauss-Newton steps) to max(cg_tol, loose_rtol), which neither counts
        as a failure nor warns at the cap. Otherwise a solve that stops at ``cg_maxiter`` counts in ``cg_failures``
        and warns unless ``warn`` is False (fit() counts and reports them itself); ``count=False``: neither (the
        caller retries).
        """
        shape = (self.N, self.N)
        counter = [0]
        x, info = spla.cg(
            spla.LinearOperator(shape, matvec=matvec, dtype=np.float64),
            rhs.ravel(),
            x0=None if x0 is None else x0.ravel(),
            rtol=self.cg_tol if loose_rtol is None else max(self.cg_tol, loose_rtol),
            maxiter=self.cg_maxiter if maxiter is None else maxiter,
            M=spla.LinearOperator(shape, matvec=lambda r: precond(r.reshape(self.shape)).ravel(), dtype=np.float64),
            callback=lambda _: counter.__setitem__(0, counter[0] + 1),
        )
        self.last_cg_info = info
        self.last_cg_iterations = counter[0]
        if loose_rtol is not None or not count:
            return x  # an inexact Gauss-Newton step: its accuracy is the loose tolerance's business only
        if info > 0:
            self.cg_failures += 1
        if info > 0 and warn:
            warnings.warn(
                f"inner CG solve stopped at cg_maxiter={self.cg_maxiter} without reaching cg_tol={self.cg_tol:g}",
                RuntimeWarning,
                stacklevel=4,
            )
        return x

    def _solve_collocation_pcg(self, factors, tau, p, f_eff, U0, loose_rtol=None, warn=True):
        """CG on (K^{-1} + lam tau1 S^T S + tau2 A_R^T A_R) U = lam tau1 S^T g + tau2 A_R^T f_eff with the
        collocation preconditioner (numkern.pde._precond); U0 warm-starts it.

        Inside :meth:`fit` the preconditioner is kept across inner solves (``_reuse_preconditioner``): built at a
        nearby kernel it is still symmetric positive definite, CG still converges to the exact minimiser, and its
        build (two Schur forms; on V7 also ~800 transposed solves for the Woodbury term, 2/3 of a solve's time) is
        saved. It is rebuilt when a solve with it needs more than twice the iterations it took when fresh plus the
        build's cost in CG iterations (measured); a solve with a stale one that needs more than three times those
        iterations plus that cost goes on from where it stopped with a fresh one.
        """
        lam_t1 = self.boundary_weight * tau[0]
        mask, rmask = self.boundary_mask, self.residual_mask
        forward, adjoint = self._whitened_operator(factors, p, kind=False)

        def normal(u):
            U = u.reshape(self.shape)
            out = self._kchol.solve(U) + lam_t1 * np.where(mask, U, 0.0)
            return (out + tau[1] * adjoint(np.where(rmask, forward(U), 0.0))).ravel()

        gfull = np.zeros(self.shape)
        gfull[mask] = self.boundary_values
        rhs = lam_t1 * gfull + tau[1] * adjoint(np.where(rmask, f_eff, 0.0))
        cache = self._precond_cache if self._reuse_preconditioner else None
        if cache is not None:
            # `slack`: the build's cost in CG iterations (V7: ~200, its Woodbury term; V5: a few, two Schur forms).
            # Past 3x the fresh iterations plus that, a fresh preconditioner is cheaper than going on.
            fresh, slack = cache["iterations"], cache.get("slack", 0)
            cap = min(self.cg_maxiter, 3 * fresh + 20 + slack)
            x = self._cg(normal, rhs, cache["P"], U0, loose_rtol, warn, count=False, maxiter=cap)
            if self.last_cg_info == 0:
                if self.last_cg_iterations > 2 * fresh + 10 + slack:
                    self._precond_cache = None  # too slow now: the next solve builds a fresh one
                return x.reshape(self.shape)
            self._precond_cache = None
            U0 = x.reshape(self.shape)  # stopped at the cap: go on from here with a fresh preconditioner
        start = time.perf_counter()
        precond = CollocationPreconditioner.build(
            factors, self.pde.terms, mask, lam_t1, tau[1], p=p, adjoint=adjoint if self.boundary_residual else None,
            forward=forward,
        )
        built = time.perf_counter()
        x = self._cg(normal, rhs, precond, U0, loose_rtol, warn)
        if self._reuse_preconditioner:
            per_iteration = (time.perf_counter() - built) / max(self.last_cg_iterations, 1)
            slack = int(min((built - start) / max(per_iteration, 1e-9), self.cg_maxiter))
            self._precond_cache = {"P": precond, "iterations": self.last_cg_iterations, "slack": slack}
        return x.reshape(self.shape)

    def _jacobi_diagonal(self, factors, tau, lam_t1, p):
        """Exact diagonal of the normal-equation matrix in the eigen-whitened coordinates.

        diag(kron_j X_j) = kron_j diag(X_j), so every (term, term) pair of tau2 A^T A, the identity and the boundary
        term (all nodes minus the interior, a difference of two Kronecker products) contribute Kronecker diagonals.
        The pointwise Gauss-Newton term p enters through its mean.
        """
        dim = len(factors)
        W = [f.eigen_whitening() for f in factors]
        terms = list(self.pde.terms.items())
        if p is not None:
            terms.append(((0,) * dim, float(np.mean(p))))

        def kron_diag(vecs):
            out = np.ones(())
            for v in vecs:
                out = np.multiply.outer(out, v)
            return out

        diag = np.ones(self.shape)
        for o1, c1 in terms:
            for o2, c2 in terms:
                cols = [np.sum(W[j][o1[j]] * W[j][o2[j]], axis=0) for j in range(dim)]
                diag = diag + tau[1] * c1 * c2 * kron_diag(cols)
        full = kron_diag([np.sum(Wj[0] ** 2, axis=0) for Wj in W])
        interior = kron_diag([np.sum(Wj[0][1:-1] ** 2, axis=0) for Wj in W])
        return diag + lam_t1 * (full - interior)

    def _data_objective(self, factors, tau, U):
        """The U-dependent part of J: 1/2 U^T K^{-1} U + boundary and residual misfits."""
        rb = U[self.boundary_mask] - self.boundary_values
        res = self.residual(U, factors)[self.residual_mask]
        return 0.5 * np.sum(U * self._kchol.solve(U)) + 0.5 * self.boundary_weight * tau[0] * (rb @ rb) + (
            0.5 * tau[1] * np.sum(res * res)
        )

    def _inner_solve(self, factors, tau, U0=None, max_newton=40, tol=1e-12, warn=True):
        """Minimise J over U for fixed theta, tau: one least-squares solve (linear) or damped Gauss-Newton.

        ``warn=False`` silences the warning of CG solves that stop at ``cg_maxiter`` (they are still counted).
        """
        f = self.source_grid
        nl = self.pde.nonlinearity
        if nl is None:
            return self._solve_linearised(factors, tau, None, f, U0, warn=warn)
        c = self.pde.nonlinearity_coefficient
        U = np.zeros(self.shape) if U0 is None else U0
        J_old = self._data_objective(factors, tau, U)
        # Inexact Gauss-Newton: far from the solution the linearisation is poor anyway, so the CG solves of the
        # early steps stop at a loose tolerance (the collocation preconditioner carries only the mean of the
        # pointwise Jacobian p, and exact early steps cost 1000+ iterations on V6); once a step changes U by less
        # than `loose_until`, the steps are exact (cg_tol), and only those count for convergence and failures.
        loose_rtol, loose_until = 1e-6, 1e-5
        loose = loose_rtol if self.cg_tol < loose_rtol else None
        return self._gauss_newton(factors, tau, U, J_old, c, nl, f, max_newton, tol, loose, loose_until, warn)

    def _gauss_newton(self, factors, tau, U, J_old, c, nl, f, max_newton, tol, loose_rtol, loose_until, warn):
        for _ in range(max_newton):
            p = c * nl[1](U)
            f_eff = f - c * nl[0](U) + p * U
            step = self._solve_linearised(factors, tau, p, f_eff, U, loose_rtol, warn) - U
            # backtracking keeps J decreasing when the linearisation is poor (far from the solution)
            alpha = 1.0
            while True:
                U_new = U + alpha * step
                J_new = self._data_objective(factors, tau, U_new)
                if J_new <= J_old or alpha < 1e-3:
                    break
                alpha *= 0.5
            change = alpha * np.linalg.norm(step) / max(np.linalg.norm(U_new), 1e-300)
            U, J_old = U_new, J_new
            if loose_rtol is not None:
                if change < loose_until:
                    loose_rtol = None  # from now on exact steps
                continue
            if change < tol or J_old == 0.0:
                break
        return U

    # ------------------------------------------------------------------ objective
    def objective(self, U=None, theta=None, log_tau=None, gradient=False):
        """J(U, theta, tau) and, optionally, dJ/d(theta, log tau) at fixed U (closed form)."""
        factors = self._build_factors(theta)
        U = self.U if U is None else U
        log_tau = self.log_tau if log_tau is None else np.asarray(log_tau)
        tau = np.exp(log_tau)
        lam = self.boundary_weight
        N, NB, NR = self.N, self.N_B, self.N_R
        A_full = self._kchol.solve(U)
        res = np.where(self.residual_mask, self.residual(U, factors), 0.0)
        rb = U[self.boundary_mask] - self.boundary_values
        J = (
            0.5 * self._kchol.logdet()
            + 0.5 * np.sum(U * A_full)
            + lam * (0.5 * tau[0] * (rb @ rb) - 0.5 * NB * log_tau[0])
            + 0.5 * tau[1] * np.sum(res * res)
            - 0.5 * NR * log_tau[1]
        )
        if not gradient:
            return J
        E_res = tau[1] * res
        grads = []
        for j, f in enumerate(factors):
            B_j = solve_along(j, f, U)
            G = {m: np.zeros((f.n, f.n)) for m in f.orders}
            G[0] += 0.5 * (N / f.n) * f.solve(np.eye(f.n)) - 0.5 * unfold(A_full, j) @ unfold(B_j, j).T
            Ej = unfold(E_res, j)
            for orders, c in self.pde.terms.items():
                m = orders[j]
                if m == 0:
                    continue
                other = tuple(o if k != j else 0 for k, o in enumerate(orders))
                V = apply_term(factors, other, U)
                W = unfold(solve_along(j, f, V), j)
                EW = Ej @ W.T
                G[m] += c * EW
                G[0] -= c * (f.D[m].T @ EW)
            g = np.zeros(3 * self.n_components)
            for m, Gm in G.items():
                g += f.lag_sums(Gm) @ f.lag_param_grad(m)
            # the jitter is jitter * sum_q w_q
            g[: self.n_components] += self.jitter * np.exp(self.params[j][0]) * np.trace(G[0])
            grads.append(g)
        g_tau = np.array([lam * (0.5 * tau[0] * (rb @ rb) - 0.5 * NB), 0.5 * tau[1] * np.sum(res * res) - 0.5 * NR])
        return J, np.concatenate(grads), g_tau

    # ------------------------------------------------------------------ fit / predict
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
            Wall-clock budget in seconds: the first objective evaluation after it ends the fit (the solver keeps
            one of the completed iterates; the start counts as one).
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
        point's solve (at least 300).
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
            user_callback = callback

            def callback(iteration, objective, error):
                detail = "" if error is None else f", error {error:.6g}"
                print(f"Iteration {iteration}: objective {objective:.6g}{detail}", flush=True)
                if user_callback is not None:
                    user_callback(iteration, objective, error)

        t0 = time.perf_counter()
        n_theta = self.theta.size
        state = {"U": None, "evals": 0, "cache": {}}
        history = []

        def fun(x):
            if max_time is not None and time.perf_counter() - t0 > max_time:
                raise _OutOfTime  # a hard budget: a line search with slow trial points ran past it on V7 (15 min)
            theta = self._amplitude_fixed(x[:n_theta])
            log_tau = x[n_theta:] if self.learn_tau else self.log_tau
            try:
                factors = self._build_factors(theta)
            except np.linalg.LinAlgError:
                return np.inf, np.zeros_like(x)
            failures = self.cg_failures
            U = self._inner_solve(factors, np.exp(log_tau), state["U"], warn=False)
            state["evals"] += 1
            if self.cg_failures > failures:
                return np.inf, np.zeros_like(x)
            if len(state["cache"]) > 30:
                state["cache"].clear()
            state["cache"][x.tobytes()] = U
            J, g_theta, g_tau = self.objective(U, None, log_tau, gradient=True)
            g_theta = self._amplitude_fixed_gradient(theta, g_theta)
            g = np.concatenate([g_theta, g_tau]) if self.learn_tau else g_theta
            if not np.isfinite(J):
                return np.inf, np.zeros_like(x)
            # L-BFGS-B's first step is 1/||g||-sized; a unit-scale objective keeps it and ftol meaningful
            return J / state["scale"], g / state["scale"]

        x0 = np.concatenate([self.theta, self.log_tau]) if self.learn_tau else self.theta
        state["U"] = self.solve_grid()  # the starting point's solution; from here on the solver is fitted
        self._initial_cg_iterations = getattr(self, "last_cg_iterations", 0)
        criteria = []
        best = {}

        def record(Jk, err):
            """History, the selection criterion (kept state if it is the best so far) and the callback."""
            iteration = len(history)
            history.append((iteration, Jk, err))
            if select == "estimate":
                crit = self.error_estimate()
                criteria.append(crit)
                if not best or crit < best["criterion"]:
                    best.update(criterion=crit, iteration=iteration, theta=self.theta.copy(),
                                log_tau=self.log_tau.copy(), U=self.U.copy())
            if callback is not None:
                callback(iteration, Jk, err)

        J0 = self.objective()
        state["scale"] = max(abs(J0), 1.0)
        record(J0, self.error(n_test) if self.pde.exact is not None else None)

        def cb(xk):
            state["x"] = np.array(xk)
            self._adopt(xk, n_theta, state)
            record(self.objective(), self.error(n_test) if self.pde.exact is not None else None)
            if max_time is not None and time.perf_counter() - t0 > max_time:
                state["out_of_time"] = True
                raise StopIteration

        # L-BFGS-B often stops early on this landscape (a failed line search, or a stalled relative reduction after
        # a step into a region where a factor is not positive definite); restarting from the current point with a
        # fresh curvature memory continues the descent. At most `max_restarts` restarts, within `max_iter` in total.
        x = x0
        used = 0
        failures_before = self.cg_failures
        self._reuse_preconditioner, self._precond_cache = True, None
        cg_maxiter = self.cg_maxiter
        if self.N > self.dense_limit and self.preconditioner == "collocation":
            # a trial point whose solve needs more than three times the iterations of the starting point's (from
            # zero; 20 on V7 with the Student-t envelope, 292 with the Gaussian one) is one the line search should
            # leave: at 400^2 each CG iteration costs ~0.3 s, and a trial that ran to 1000 iterations used half of
            # a 10-minute budget
            self.cg_maxiter = min(cg_maxiter, max(300, 3 * self._initial_cg_iterations))
        try:
            state["x"] = x0
            message = ""
            for _ in range(max_restarts + 1):
                try:
                    res = sopt.minimize(
                        fun,
                        x,
                        jac=True,
                        method="L-BFGS-B",
                        bounds=self._bounds(),
                        callback=cb,
                        options={"maxiter": max_iter - used, "ftol": tol, "gtol": 0},
                    )
                except _OutOfTime:
                    state["out_of_time"] = True
                    x = state["x"]  # the last completed iterate
                    break
                used += max(res.nit, 1)
                x, message = res.x, str(res.message)
                if used >= max_iter or res.nit == 0 or state.get("out_of_time"):
                    break
                self._adopt(x, n_theta, state)
            self._adopt(x, n_theta, state)
        finally:
            self._reuse_preconditioner, self._precond_cache = False, None
            self.cg_maxiter = cg_maxiter
        iteration = len(history) - 1
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
        message = "max_time reached" if state.get("out_of_time") else message
        return FitResult(self.objective(), err, history, state["evals"], time.perf_counter() - t0, message,
                         cg_failures=failures, iteration=iteration, criteria=criteria)

    def _bounds(self):
        """Box for L-BFGS-B (see :func:`numkern.pde._params.lbfgs_bounds`)."""
        x = np.concatenate([self.theta, self.log_tau]) if self.learn_tau else self.theta
        return lbfgs_bounds(self._rates, self.n_components, self.learn_tau, x)

    def _adopt(self, x, n_theta, state):
        """Make ``x`` the current parameters, with the U the optimiser evaluated there (warm start for the next)."""
        x = np.array(x)
        self._set_theta(self._amplitude_fixed(x[:n_theta]))
        if self.learn_tau:
            self.log_tau = x[n_theta:]
        factors = self._build_factors()
        U = state["cache"].get(x.tobytes())
        if U is None:
            U = self._inner_solve(factors, np.exp(self.log_tau), state["U"], warn=False)
        self.U = U
        state["U"] = U

    def _check_fitted(self):
        """Predictions need the grid values U of a solve; before one, U is all zeros and so is every prediction."""
        if not self._fitted:
            raise not_fitted_error(self, "'fit' (or 'solve_grid')")

    def _cross_factors(self, j, points, order=0):
        """k_j^(order)(points, X_j): derivative in the first argument of the axis-j kernel, (len(points), n_j)."""
        d = (points[:, None] - self.axes[j][None, :]).ravel()
        vals = spectral_mixture_lags(d, *self.params[j], order=order, envelope=self.envelope)
        return vals.reshape(points.size, -1)

    def offgrid_residual(self, offset=0.5):
        """RMS of the PDE residual of the posterior mean off the collocation nodes, at x_i + offset h_j on every
        axis (cell midpoints by default; ``offset`` in (0, 1)). A data-free diagnostic (see ``select`` of
        :meth:`fit` for its use as the stopping rule)."""
        self._check_fitted()
        offset = check_real(offset, "offset")
        if not 0.0 < offset < 1.0:
            raise ValueError(f"offset must lie in (0, 1), got {offset!r}")
        R = self._residual_off_grid([(1.0 - offset) * x[:-1] + offset * x[1:] for x in self.axes])
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
        mids = [0.5 * (x[1:] + x[:-1]) for x in self.axes]
        R = self._residual_off_grid(mids)
        symbol = np.zeros(R.shape, dtype=complex)
        omegas = [np.pi * np.arange(1, m.size + 1) / (x[-1] - x[0]) for m, x in zip(mids, self.axes)]
        grids = np.meshgrid(*omegas, indexing="ij", sparse=True)
        for orders, c in self.pde.terms.items():
            term = complex(c)
            for w, m in zip(grids, orders):
                term = term * (1j * w) ** m
            symbol = symbol + term
        if self.pde.nonlinearity is not None:
            symbol = symbol + self.pde.nonlinearity_coefficient * float(np.mean(self.pde.nonlinearity[1](self.U)))
        size = np.abs(symbol)
        size = np.maximum(size, 1e-3 * size.max())
        interior = np.sqrt(np.mean((sfft.dstn(R, type=2, norm="ortho") / size) ** 2))
        misfits = []
        for j, x in enumerate(self.axes):
            both = np.sort(np.concatenate([x, mids[j]]))
            for end in (x[:1], x[-1:]):
                face = [both] * len(self.axes)
                face[j] = end
                u = self.predict_grid(*face)
                coords = np.meshgrid(*face, indexing="ij", sparse=True)
                g = np.broadcast_to(np.asarray(self.pde.boundary(*coords), dtype=float), u.shape)
                misfits.append((u - g).ravel())
        boundary = np.sqrt(np.mean(np.concatenate(misfits) ** 2))
        return float(interior + boundary)

    def _residual_off_grid(self, points):
        """R(u) - f of the posterior mean u on the tensor grid of the 1-D point arrays ``points``."""
        factors = self._build_factors()
        alpha = self._kchol.solve(self.U)
        cross = [{m: self._cross_factors(j, points[j], m) for m in f.orders} for j, f in enumerate(factors)]
        shape = tuple(p.size for p in points)
        R = np.zeros(shape)
        for orders, c in self.pde.terms.items():
            t = alpha
            for j, m in enumerate(orders):
                t = apply_along(j, cross[j][m], t)
            R += c * t
        if self.pde.nonlinearity is not None:
            u = alpha
            for j in range(len(factors)):
                u = apply_along(j, cross[j][0], u)
            R += self.pde.nonlinearity_coefficient * self.pde.nonlinearity[0](u)
        coords = np.meshgrid(*points, indexing="ij", sparse=True)
        return R - self.pde.evaluate("source", self.pde.source, coords, shape)

    def predict_grid(self, *axes_points, return_std=False):
        """Posterior mean (and conditional std given U) on the tensor grid spanned by 1-D point arrays, one per axis."""
        self._check_fitted()
        if len(axes_points) != self.pde.dim:
            raise ValueError(f"need {self.pde.dim} point arrays, got {len(axes_points)}")
        factors = self._build_factors()
        alpha = self._kchol.solve(self.U)
        out = alpha
        crosses = []
        for j, pts in enumerate(axes_points):
            pts = _points(pts, f"axes_points[{j}]").ravel()
            if pts.size == 0:
                raise ValueError(f"axes_points[{j}] is empty: need at least one point per axis")
            Kx = self._cross_factors(j, pts)
            crosses.append(Kx)
            out = apply_along(j, Kx, out)
        if not return_std:
            return out
        # var = prod_j k_j(x*, x*) - prod_j k*_j^T K_j^{-1} k*_j  (the kernel and K^{-1} factorise)
        var = np.ones(())
        prior = np.ones(())
        for j, Kx in enumerate(crosses):
            q = np.sum(Kx * factors[j].solve(Kx.T).T, axis=1)
            k0 = np.sum(np.exp(self.params[j][0])) * np.ones_like(q)
            var = np.multiply.outer(var, q)
            prior = np.multiply.outer(prior, k0)
        return out, np.sqrt(np.maximum(prior - var, 0.0))

    def predict(self, points, return_std=False):
        """Posterior mean at arbitrary points of shape (M, d) (or (M,) in 1-D); optionally the conditional std."""
        self._check_fitted()
        pts = _points(points, "points")
        if self.pde.dim == 1 and pts.ndim == 1:
            pts = pts[:, None]
        if pts.ndim != 2 or pts.shape[1] != self.pde.dim:
            raise ValueError(f"points must have shape (M, {self.pde.dim})")
        if pts.shape[0] == 0:
            raise ValueError("points is empty: need at least one point")
        factors = self._build_factors()
        alpha = self._kchol.solve(self.U)
        crosses = [self._cross_factors(j, pts[:, j]) for j in range(self.pde.dim)]
        # contract the last axes first: t[m, i_0..i_k] accumulates per point
        t = np.einsum("mi,i...->m...", crosses[0], alpha)
        for j in range(1, self.pde.dim):
            t = np.einsum("mi,mi...->m...", crosses[j], t)
        if not return_std:
            return t
        var = np.ones(len(pts))
        prior = np.ones(len(pts))
        for j, Kx in enumerate(crosses):
            var *= np.sum(Kx * factors[j].solve(Kx.T).T, axis=1)
            prior *= np.sum(np.exp(self.params[j][0]))
        return t, np.sqrt(np.maximum(prior - var, 0.0))

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
        out = []
        for logw, l, mu in self.params:
            order = np.argsort(mu)
            out.append({"weights": np.exp(logw[order]), "frequencies": mu[order], "scales": np.exp(l[order])})
        return out
