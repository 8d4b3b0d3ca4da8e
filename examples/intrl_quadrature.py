"""Integral reinforcement learning: how the quadrature rule sets the accuracy of the learned controller.

Reproduces the third-order-system study of Cao & Pan, "Impact of Computation in Integral Reinforcement
Learning for Continuous-Time Control" (ICLR 2024): policy iteration (Kleinman/Newton on the HJB equation)
where each policy evaluation solves the least-squares Bellman equations

    [phi(x(t)) - phi(x(t + T))]^T w = int_t^{t+T} (x^T Q x + u^T R u) ds,     phi(x) = x (x) x,

on one continuing closed-loop trajectory, with the cost integral computed from N evenly spaced samples per
interval by a quadrature rule (trapezoid, Simpson, Bayesian quadrature with a Matern-7/2 prior).  The error
||w - w*|| of the converged value weights against the Riccati solution falls like N^-2 for the trapezoid
rule and much faster for odd-N Simpson and exact (state-space) BQ weights.

Protocol (the paper's): A = [[0,1,0],[0,0,1],[-0.1,-0.5,-0.7]], B = e3, Q = I, R = 1, K0 = 0,
x0 = (2,-2,3); T = 0.1, 10 intervals per iteration, each iteration continuing the trajectory where the last
one stopped; w = pinv(Phi) I (minimum-norm least squares over the 9 redundant features); K = R^-1 B^T P with
P = w reshaped row-major; stop when ||w - w_old|| < 1e-3 (at most 120 iterations).  The trajectory is
sampled exactly (matrix exponential of the closed loop), so the quadrature is the only error.

Usage:  python examples/intrl_quadrature.py [--out intrl_quadrature.png] [--nmin 5 --nmax 15]
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.linalg import expm, solve_continuous_are

from numkern.integrate import bq_weights, simpson, trapezoid

A = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [-0.1, -0.5, -0.7]])
B = np.array([[0.0], [0.0], [1.0]])
Q = np.eye(3)
R = np.eye(1)
X0 = np.array([2.0, -2.0, 3.0])


def features(x: np.ndarray) -> np.ndarray:
    """phi(x) = x (x) x (9 quadratic features, redundant on purpose as in the paper)."""
    return np.kron(x, x)


def make_rule(name: str, n_points: int, T: float, *, lengthscale: float = 0.3):
    """Return integrate(samples (M, N)) -> (M,) for the named rule on N evenly spaced nodes over [0, T]."""
    t = np.linspace(0.0, T, n_points)
    if name == "trapezoid":
        return lambda vals: trapezoid(vals, t, axis=-1)
    if name == "simpson":
        return lambda vals: simpson(vals, x=t, axis=-1)
    if name.startswith("bq"):
        kernel = {"bq": "matern72", "bq-matern72": "matern72", "bq-matern52": "matern52"}[name]
        rule = bq_weights(t, kernel=kernel, lengthscale=lengthscale)  # exact O(N) weights, reused
        return lambda vals: rule(vals, axis=-1)
    raise ValueError(f"rule: unknown rule {name!r} (trapezoid, simpson, bq)")


def policy_iteration(integrate, n_points: int, *, T: float = 0.1, intervals: int = 10, tol: float = 1e-3,
                     max_iter: int = 120):
    """Integral-RL policy iteration with a given quadrature; returns (w, K, iterations).

    ``integrate(samples)`` maps utility samples of shape (intervals, n_points) on [t, t + T] to integrals.
    """
    h = T / (n_points - 1)
    K = np.zeros((1, 3))
    x = X0.copy()
    w = np.zeros(9)
    w_old = np.full(9, np.inf)
    it = 0
    while np.linalg.norm(w - w_old) >= tol and it < max_iter:
        step = expm((A - B @ K) * h)  # exact closed-loop sampling
        Phi = np.empty((intervals, 9))
        util = np.empty((intervals, n_points))
        M = Q + K.T @ R @ K
        for i in range(intervals):
            xs = np.empty((n_points, 3))
            xs[0] = x
            for k in range(1, n_points):
                xs[k] = step @ xs[k - 1]
            util[i] = np.einsum("ki,ij,kj->k", xs, M, xs)
            Phi[i] = features(xs[0]) - features(xs[-1])
            x = xs[-1]
        w_old, w = w, np.linalg.pinv(Phi) @ integrate(util)
        P = w.reshape(3, 3)
        K = np.linalg.solve(R, B.T @ P)
        it += 1
    return w, K, it


def optimal_weights() -> np.ndarray:
    return solve_continuous_are(A, B, Q, R).ravel()


def study(rules, n_values, **kw) -> dict:
    """||w - w*|| for each rule and N."""
    w_star = optimal_weights()
    out = {}
    for name in rules:
        errs = []
        for n in n_values:
            w, _, _ = policy_iteration(make_rule(name, n, kw.get("T", 0.1)), n, **kw)
            errs.append(float(np.linalg.norm(w - w_star)))
        out[name] = np.array(errs)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="intrl_quadrature.png", help="PNG path for the convergence plot")
    parser.add_argument("--nmin", type=int, default=5)
    parser.add_argument("--nmax", type=int, default=15)
    parser.add_argument("--rules", default="trapezoid,simpson,bq")
    args = parser.parse_args(argv)
    n_values = list(range(args.nmin, args.nmax + 1))
    rules = args.rules.split(",")
    errs = study(rules, n_values)
    print("||w - w*|| after policy iteration (T = 0.1, 10 intervals/iteration, stop at ||dw|| < 1e-3)")
    print(f"{'N':>3} " + " ".join(f"{r:>12}" for r in rules))
    for j, n in enumerate(n_values):
        print(f"{n:>3} " + " ".join(f"{errs[r][j]:12.4e}" for r in rules))
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot")
        return
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for r in rules:
        ax.loglog(n_values, errs[r], "o-", label=r)
    ax.set_xlabel("samples per interval N")
    ax.set_ylabel(r"$\|w - w^*\|_2$")
    ax.set_title("Integral RL: quadrature error in policy evaluation")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
