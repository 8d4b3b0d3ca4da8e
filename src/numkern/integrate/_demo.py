"""Demo for ``python -m numkern demo integrate``: speed vs scipy, and a BQ estimate with its error bar."""

from __future__ import annotations

import math

import numpy as np


def run() -> None:
    import scipy.integrate as si

    import numkern.integrate as ni
    from numkern._demo_util import compare

    rng = np.random.default_rng(0)
    y = rng.standard_normal((50_000, 64))
    x = np.sort(rng.uniform(0, 1, 64))
    xs = np.sort(rng.uniform(0, 1, y.shape[0]))
    print(f"scipy-compatible rules on a {y.shape} float64 array (one fused pass; ratio = scipy / numkern)")
    compare("trapezoid(y, x, axis=1)", lambda: ni.trapezoid(y, x, axis=1), lambda: si.trapezoid(y, x, axis=1))
    compare("simpson(y, x=x, axis=1)", lambda: ni.simpson(y, x=x, axis=1), lambda: si.simpson(y, x=x, axis=1))
    compare("trapezoid(y, xs, axis=0)", lambda: ni.trapezoid(y, xs, axis=0), lambda: si.trapezoid(y, xs, axis=0))
    small = y[:5000]
    compare("cumulative_simpson(y[:5000], x=x, axis=1)", lambda: ni.cumulative_simpson(small, x=x, axis=1),
            lambda: si.cumulative_simpson(small, x=x, axis=1), repeat=2)
    compare("memory floor: y.sum(axis=1) vs numkern trapezoid", lambda: y.sum(axis=1),
            lambda: ni.trapezoid(y, x, axis=1), baseline_name="trapz")
    err = np.max(np.abs(ni.simpson(y, x=x, axis=1) - si.simpson(y, x=x, axis=1)))
    print(f"  max |numkern - scipy| simpson: {err:.1e}")

    print("\nBayesian quadrature of f(t) = exp(sin(3t)) on [0, 2] from 25 samples (Matern-5/2,")
    print("lengthscale and output scale by maximum marginal likelihood, O(N) state-space solve)")
    t = np.linspace(0, 2, 25)
    f = np.exp(np.sin(3 * t))
    truth = si.quad(lambda s: math.exp(math.sin(3 * s)), 0, 2, epsabs=1e-14)[0]
    res = ni.bayes_quad(f, t, kernel="matern52", lengthscale="mle", scale="mle")
    print(f"  BQ estimate   {float(res.integral):.10f} +- {float(res.std):.2e}  (lengthscale {res.lengthscale:.3f})")
    print(f"  truth (quad)  {truth:.10f}   |error| = {abs(float(res.integral) - truth):.2e}"
          f"  = {abs(float(res.integral) - truth) / float(res.std):.2f} std")
    print(f"  trapezoid     {float(ni.trapezoid(f, t)):.10f}   |error| = {abs(float(ni.trapezoid(f, t)) - truth):.2e}")
    print(f"  simpson       {float(ni.simpson(f, x=t)):.10f}   |error| = {abs(float(ni.simpson(f, x=t)) - truth):.2e}")
    import time

    xq = np.linspace(0, 1, 100_000)
    t0 = time.perf_counter()
    rule = ni.bq_weights(xq, kernel="matern72", lengthscale=0.1)
    dt = time.perf_counter() - t0
    print(f"  BQ weights for N = 100000, nu = 7/2: {dt * 1e3:.0f} ms (std of the rule {rule.std:.1e})")
