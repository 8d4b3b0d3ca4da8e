"""GP-HM benchmarks V1-V7 (Fang et al., ICLR 2024) and a 3-D Poisson case V8 with numkern.pde, every one with the
library's default settings, beside Chebyshev spectral collocation.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python examples/pde/solve.py --case V1

Prints the relative L2 error on 300 test points per dimension (100 in 3-D) of the iterate the fit keeps (the
smallest a-posteriori error estimate; no exact solution involved), the wall time, the authors'
logged GP-HM errors, and the Chebyshev collocation baseline with the same number of points; saves a figure
(solution, error, learned spectrum) when matplotlib is installed.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from numkern.pde import PDE, GPHMSolver
from numkern.pde.plotting import plot_solution
from numkern.pde._chebyshev import chebyshev_solve

TWO_PI = 2 * np.pi


def _g6(s):
    return np.sin(s) + 0.1 * np.sin(20 * s) + np.cos(100 * s)


def _g6_dd(s):
    return -np.sin(s) - 40.0 * np.sin(20 * s) - 1e4 * np.cos(100 * s)


def make_case(name):
    """(PDE, grid points per axis, published (StM, GM) errors)."""
    if name == "V1":
        u = lambda x: np.sin(100 * x)  # noqa: E731
        return PDE([(0, TWO_PI)], {(2,): 1.0}, lambda x: -1e4 * u(x), u, exact=u), 400, (6.53e-7, 3.99e-7)
    if name == "V2":
        u = lambda x: np.sin(6 * x) * np.cos(100 * x)  # noqa: E731
        f = lambda x: (-36 - 1e4) * u(x) - 1200 * np.cos(6 * x) * np.sin(100 * x)  # noqa: E731
        return PDE([(0, TWO_PI)], {(2,): 1.0}, f, u, exact=u), 400, (5.47e-6, 1.52e-6)
    if name == "V3":
        u = lambda x: x * np.sin(200 * x)  # noqa: E731
        f = lambda x: 400 * np.cos(200 * x) - 4e4 * x * np.sin(200 * x)  # noqa: E731
        return PDE([(0, TWO_PI)], {(2,): 1.0}, f, u, exact=u), 900, (8.98e-7, 1.55e-6)
    if name == "V4":
        u = lambda x: np.sin(100 * x)  # noqa: E731
        f = lambda x: -1e4 * u(x) + u(x) * (u(x) ** 2 - 1)  # noqa: E731
        pde = PDE([(0, TWO_PI)], {(2,): 1.0}, f, u, nonlinearity="allen_cahn", exact=u)
        return pde, 400, (4.90e-6, 7.71e-7)
    if name == "V5":
        u = lambda x, y: np.sin(100 * x) * np.sin(100 * y)  # noqa: E731
        pde = PDE([(0, TWO_PI)] * 2, {(2, 0): 1.0, (0, 2): 1.0}, lambda x, y: -2e4 * u(x, y), u, exact=u)
        return pde, 400, (6.87e-5, 6.46e-5)
    if name == "V6":
        u = lambda x, y: _g6(x) * _g6(y)  # noqa: E731
        f = lambda x, y: _g6_dd(x) * _g6(y) + _g6(x) * _g6_dd(y) + u(x, y) * (u(x, y) ** 2 - 1)  # noqa: E731
        pde = PDE([(0, 1)] * 2, {(2, 0): 1.0, (0, 2): 1.0}, f, u, nonlinearity="allen_cahn", exact=u)
        # the paper's grid is 400^2; 200^2 (6.4 points per period of cos 100s) fits the 10-minute budget here
        return pde, 200, (5.68e-3, 2.58e-3)
    if name == "V7":
        u = lambda x, t: np.sin(x - 200 * t)  # noqa: E731
        pde = PDE([(0, TWO_PI), (0, 1)], {(1, 0): 200.0, (0, 1): 1.0}, 0.0, u, exact=u)
        return pde, 200, (1.43e-4, 1.35e-3)
    if name == "V8":
        # not in the paper: 3-D Poisson with 16 periods per axis, 4 grid points per period (as V5 at 400^2)
        u = lambda x, y, z: np.sin(16 * x) * np.sin(16 * y) * np.sin(16 * z)  # noqa: E731
        terms = {(2, 0, 0): 1.0, (0, 2, 0): 1.0, (0, 0, 2): 1.0}
        pde = PDE([(0, TWO_PI)] * 3, terms, lambda x, y, z: -768.0 * u(x, y, z), u, exact=u)
        return pde, 64, (None, None)
    raise SystemExit(f"unknown case {name!r}; use V1..V8")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", default="V1")
    ap.add_argument("--envelope", default="gaussian", choices=["gaussian", "student_t"])
    ap.add_argument("--components", type=int, default=30, help="Q per axis (default 30, as the reference)")
    ap.add_argument("--max-iter", type=int, default=None,
                    help="L-BFGS-B iterations over the kernel parameters (default: the library's)")
    ap.add_argument("--n", type=int, default=None, help="grid points per axis (default: the benchmark's)")
    ap.add_argument("--figure", default=None, help="figure file (default gphm_<case>.png; 'none' to skip)")
    ap.add_argument("--every", type=int, default=10, help="report progress every this many iterations")
    ap.add_argument("--max-time", type=float, default=None,
                    help="fit budget in seconds (default: none in 1-D, 540 in 2-D and 3-D, the 10-minute target)")
    ap.add_argument("--select", choices=["estimate", "last"], default="estimate",
                    help="iterate kept by the fit (default: the smallest error estimate, the library's)")
    # experiments only: every benchmark runs with the library's defaults unless these are given
    ap.add_argument("--boundary-residual", choices=["yes", "no"], default=None,
                    help="count the PDE residual at the boundary nodes (default: the library's rule)")
    ap.add_argument("--jitter", type=float, default=None, help="relative jitter (default: the library's rule)")
    ap.add_argument("--learn-tau", action="store_true", help="learn the boundary and residual precisions too")
    ap.add_argument("--fix-amplitude", choices=["yes", "no"], default=None,
                    help="keep each axis's total kernel weight at 1 (default: the library's rule)")
    args = ap.parse_args()

    pde, n, (pub_stm, pub_gm) = make_case(args.case)
    n = args.n or n
    published = pub_gm if args.envelope == "gaussian" else pub_stm
    print(f"case {args.case}: grid {n}^{pde.dim}, Q = {args.components}, envelope {args.envelope}")
    t0 = time.perf_counter()
    overrides = {}
    if args.boundary_residual is not None:
        overrides["boundary_residual"] = args.boundary_residual == "yes"
    if args.jitter is not None:
        overrides["jitter"] = args.jitter
    if args.fix_amplitude is not None:
        overrides["fix_amplitude"] = args.fix_amplitude == "yes"
    solver = GPHMSolver(pde, n, n_components=args.components, envelope=args.envelope, learn_tau=args.learn_tau,
                        **overrides)
    print(f"settings{' (overridden: ' + ', '.join(overrides) + ')' if overrides else ' (library defaults)'}: "
          f"residual at boundary nodes {solver.boundary_residual}; jitter {solver.jitter:g}; "
          f"fixed amplitude {solver.fix_amplitude}; lambda {solver.boundary_weight:g}; learned taus {solver.learn_tau}")

    def progress(it, J, err):
        if it % args.every == 0:
            cg = f", last CG solve {solver.last_cg_iterations} it." if hasattr(solver, "last_cg_iterations") else ""
            print(f"  iter {it:4d}  objective {J: .6e}  rel. L2 error {err:.3e}  "
                  f"({time.perf_counter() - t0:.1f} s{cg})", flush=True)

    # 1-D fits end by themselves (a failed line search after 30-110 iterations: 20-90 s on an idle machine); the
    # 2-D and 3-D fits get the 10-minute target's budget
    max_time = args.max_time if args.max_time is not None else (None if pde.dim == 1 else 540.0)
    fit_args = {} if args.max_iter is None else {"max_iter": args.max_iter}
    n_test = 100 if pde.dim == 3 else 300
    result = solver.fit(callback=progress, max_time=max_time, select=args.select, n_test=n_test, **fit_args)
    wall = time.perf_counter() - t0
    print(f"GP-HM (numkern)     rel. L2 error {result.error:.3e}   wall {wall:.1f} s   "
          f"(iterate {result.iteration} of {len(result.history) - 1}; {result.n_evaluations} inner solves, "
          f"{result.cg_failures} CG solves at the iteration cap; {result.message})")
    if published is None:
        print("GP-HM (published)   none: this case is not in the paper")
    else:
        print(f"GP-HM (published)   rel. L2 error {published:.3e}   "
              f"(ratio ours / published {result.error / published:.3g})")

    t0 = time.perf_counter()
    cheb = chebyshev_solve(pde, n - 1)
    pts = [np.linspace(lo, hi, n_test) for lo, hi in pde.domain]
    exact = np.broadcast_to(pde.exact(*np.meshgrid(*pts, indexing="ij", sparse=True)), (n_test,) * pde.dim)
    err_c = np.linalg.norm(cheb.predict_grid(*pts) - exact) / np.linalg.norm(exact)
    print(f"Chebyshev collocation ({n} points per axis)  rel. L2 error {err_c:.3e}   wall {time.perf_counter() - t0:.2f} s")

    spec = solver.spectrum()
    for j, s in enumerate(spec):
        order = np.argsort(s["weights"])[::-1][:4]
        pairs = ", ".join(f"{s['frequencies'][q]:.3f} (w {s['weights'][q]:.2g})" for q in order)
        print(f"learned spectrum axis {j}: top frequencies {pairs}")
    if args.figure != "none" and pde.dim < 3:
        try:
            fname = args.figure or f"gphm_{args.case}.png"
            plot_solution(solver, filename=fname)
            print(f"figure saved to {fname}")
        except ImportError:
            print("matplotlib not installed: no figure")


if __name__ == "__main__":
    main()
