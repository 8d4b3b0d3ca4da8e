"""Benchmark: numkern.integrate vs scipy.integrate on a (rows x 64) float64 array, along axis 1 and axis 0.

Prints, per axis: the memory floor (numpy's y.sum(axis), one read of y), numkern trapezoid / simpson /
precomputed-BQ-weights passes, scipy's trapezoid / simpson, and the ratios (scipy / numkern and
numkern / floor).  Also times the O(N) Bayesian-quadrature weights for N = 1e5.

    python benchmarks/bench_integrate.py [--rows 1000000] [--repeat 5] [--threads N]

Timings are medians over alternating repeats after a warm-up (benchmarks/_harness.py).  BLAS threads are
pinned to 1.
"""

from __future__ import annotations

import os

from _harness import header, pin_environment, race

pin_environment()  # BLAS one thread, passive OpenMP waiting (before numpy is imported)

import argparse  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.integrate as si  # noqa: E402

import numkern  # noqa: E402
import numkern.integrate as ni  # noqa: E402


def median_times(fns: dict, repeat: int) -> dict:
    """Median seconds of each contender, raced alternately after a warm-up."""
    return {k: t.median for k, t in race(fns, repeat=repeat).items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None, help="numkern OpenMP threads (default: OpenMP's)")
    ap.add_argument("--bq-n", type=int, default=100_000)
    args = ap.parse_args()

    from numkern import _core

    threads = args.threads or _core.max_threads()
    print(header())
    print(f"numkern {numkern.__version__}, numpy {np.__version__}, scipy {scipy.__version__}; "
          f"cpus={os.cpu_count()}, numkern threads={threads}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    rng = np.random.default_rng(0)
    y = rng.standard_normal((args.rows, args.cols))
    print(f"y: {y.shape} float64, {y.nbytes / 1e6:.0f} MB, C order")
    for axis in (1, 0):
        n = y.shape[axis]
        x = np.sort(rng.uniform(0, 1, n))
        rule = ni.bq_weights(x, kernel="matern52", lengthscale=0.2)
        fns = {
            "floor y.sum": lambda: y.sum(axis=axis),
            "numkern trapezoid(dx)": lambda: ni.trapezoid(y, dx=0.1, axis=axis, n_threads=args.threads),
            "numkern trapezoid(x)": lambda: ni.trapezoid(y, x, axis=axis, n_threads=args.threads),
            "numkern simpson(x)": lambda: ni.simpson(y, x=x, axis=axis, n_threads=args.threads),
            "numkern BQ weights (precomputed)": lambda: rule(y, axis=axis, n_threads=args.threads),
            "scipy trapezoid(dx)": lambda: si.trapezoid(y, dx=0.1, axis=axis),
            "scipy trapezoid(x)": lambda: si.trapezoid(y, x, axis=axis),
            "scipy simpson(x)": lambda: si.simpson(y, x=x, axis=axis),
        }
        t = median_times(fns, args.repeat)
        floor = t["floor y.sum"]
        print(f"\naxis={axis} (N={n} along the axis)      median time   vs floor   scipy/numkern")
        print(f"  {'memory floor y.sum(axis)':<34} {floor * 1e3:9.1f} ms    1.00x")
        for key, ref in [("numkern trapezoid(dx)", "scipy trapezoid(dx)"), ("numkern trapezoid(x)", "scipy trapezoid(x)"),
                         ("numkern simpson(x)", "scipy simpson(x)"), ("numkern BQ weights (precomputed)", None)]:
            ratio = f"x{t[ref] / t[key]:6.2f}" if ref else "     -"
            print(f"  {key:<34} {t[key] * 1e3:9.1f} ms  {t[key] / floor:6.2f}x   {ratio}")
        for key in ("scipy trapezoid(dx)", "scipy trapezoid(x)", "scipy simpson(x)"):
            print(f"  {key:<34} {t[key] * 1e3:9.1f} ms  {t[key] / floor:6.2f}x")

    print(f"\nBQ weights, N = {args.bq_n} (one-off O(N) state-space solve)")
    for kernel in ("matern12", "matern32", "matern52", "matern72"):
        xu = np.linspace(0, 1, args.bq_n)
        xn = np.sort(rng.uniform(0, 1, args.bq_n))
        tu = median_times({"u": lambda: ni.bq_weights(xu, kernel, 0.1)}, 3)["u"]
        tn = median_times({"n": lambda: ni.bq_weights(xn, kernel, 0.1)}, 3)["n"]
        print(f"  {kernel:<10} uniform grid {tu * 1e3:8.1f} ms   random nodes {tn * 1e3:8.1f} ms")


if __name__ == "__main__":
    main()
