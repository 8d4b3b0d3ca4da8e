"""Benchmark numkern.special.log_iv / log_kv against SciPy (np.log(ive(v, x)) + x, np.log(kve(v, x)) - x).

Run:  python benchmarks/bench_special.py [--n 200000] [--repeat 5] [--quick]

Prints issue 17's per-range table: for each range of (v, x), 2e5 points by default, single thread (OpenMP limited
to 1 by threadpoolctl), numkern and SciPy raced alternately by benchmarks/_harness.py (warm-up, order reversed
in odd rounds, minimum of --repeat rounds), in ns/element, the ratio SciPy / numkern (> 1: numkern faster),
SciPy's non-finite share on the range (where SciPy returns inf/nan its time is not a correct answer's time),
and numkern's distance to the vectorised floor (FLOOR_NS: the cheapest correct path, Debye in s = hypot(v, x)
with one sqrt, two logs, two divisions and ~40 FMAs, measured with AVX2 + libmvec on the 2-core reference
machine at 5-6 ns/element). Then a vMF kappa estimator at d = 256 (Newton on A_d(kappa) = r for a batch of
mean resultant lengths, log_iv vs SciPy's ive ratio) and the thread scaling (1 and 2 threads) of a large array.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Results, header, pin_environment, race  # noqa: E402

pin_environment()

import numpy as np  # noqa: E402
import scipy.special as sc  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from numkern.special import log_iv, log_kv  # noqa: E402

FLOOR_NS = 5.5  # ns/element, vectorised Debye path (issue 17), on the reference machine


def ranges(rng: np.random.Generator, n: int) -> dict:
    """The issue's ranges: name -> (v, x)."""
    def logu(lo, hi, size=n):
        return 10 ** rng.uniform(np.log10(lo), np.log10(hi), size)

    out = {}
    for hi in (10, 100, 1e3, 1e4):
        out[f"U[0,{hi:g}]^2"] = (rng.uniform(0, hi, n), rng.uniform(0, hi, n))
    out["v logU[1e-2,1e5], x logU[1e-10,1e5]"] = (logu(1e-2, 1e5), logu(1e-10, 1e5))
    out["v in {1023,4095,16383}, x logU[1,1e5]"] = (rng.choice([1023.0, 4095.0, 16383.0], n), logu(1, 1e5))
    v = rng.uniform(30, 1e4, n)
    out["v U[30,1e4], x = v*U[2,10] (Debye)"] = (v, v * rng.uniform(2, 10, n))
    v = rng.uniform(8, 1e4, n)
    out["v U[8,1e4], x = v*U[0.3,1.2] (old dd band)"] = (v, v * rng.uniform(0.3, 1.2, n))
    out["v U[0,10], x U[1,2] (small-x K)"] = (rng.uniform(0, 10, n), rng.uniform(1, 2, n))
    return out


def scipy_log_iv(v, x):
    with np.errstate(all="ignore"):
        return np.log(sc.ive(v, x)) + x


def scipy_log_kv(v, x):
    with np.errstate(all="ignore"):
        return np.log(sc.kve(v, x)) - x


def kappa_newton(a_of_kappa, r, d, steps):
    """Banerjee et al. (2005) start, then Newton on A_d(kappa) = r with A' = 1 - A^2 - (d-1)/kappa A."""
    kappa = r * (d - r * r) / (1.0 - r * r)
    for _ in range(steps):
        a = a_of_kappa(kappa)
        kappa = kappa - (a - r) / (1.0 - a * a - (d - 1.0) / kappa * a)
    return kappa


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200_000, help="points per range")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="n = 20000, repeat = 3")
    ap.add_argument("--json", default=None, help="also write the rows as JSON to this path")
    args = ap.parse_args()
    if args.quick:
        args.n, args.repeat = 20_000, 3
    n = args.n
    rng = np.random.default_rng(12345)
    res = Results("special", {"range": "<44s", "func": "<6s", "numkern ns": "10.1f", "scipy ns": "9.1f",
                              "ratio": "7.2f", "pair": "7.2f", "scipy nonfinite": "15.1%", "x floor": "7.1f",
                              "load": "5.1f"})
    print(f"# numkern.special, {n} points per range, 1 thread, min of {args.repeat} alternating rounds; "
          f"ratio = scipy/numkern (min), pair = median of back-to-back ratios; x floor = numkern / {FLOOR_NS} ns")
    res.print_header()
    ratios = []
    with threadpool_limits(1, user_api="openmp"):
        for label, (v, x) in ranges(rng, n).items():
            for name, ours, base in (("log_iv", log_iv, scipy_log_iv), ("log_kv", log_kv, scipy_log_kv)):
                ref = base(v, x)
                r = race({"numkern": lambda: ours(v, x), "scipy": lambda: base(v, x)}, repeat=args.repeat)
                t_o, t_s = r["numkern"].min * 1e9 / n, r["scipy"].min * 1e9 / n
                ratios.append(r.ratio("scipy", "numkern"))
                res.add(**{"range": label, "func": name, "numkern ns": t_o, "scipy ns": t_s,
                           "ratio": ratios[-1], "pair": r.pair_ratio("scipy", "numkern"),
                           "scipy nonfinite": 1.0 - np.isfinite(ref).mean(), "x floor": t_o / FLOOR_NS,
                           "load": r.load})
        print(f"# median ratio over the ranges: {statistics.median(ratios):.2f}, min {min(ratios):.2f}")

        # vMF kappa estimator at d = 256: v = d/2 - 1 = 127, kappa ~ 30-70.
        d = 256
        nu = d / 2 - 1
        rbar = rng.uniform(0.12, 0.25, n // 10)

        def ours_a(k):
            return np.exp(log_iv(nu + 1, k) - log_iv(nu, k))

        def scipy_a(k):
            return sc.ive(nu + 1, k) / sc.ive(nu, k)

        k_ours = kappa_newton(ours_a, rbar, d, 4)
        k_scipy = kappa_newton(scipy_a, rbar, d, 4)
        r = race({"numkern": lambda: kappa_newton(ours_a, rbar, d, 4),
                  "scipy": lambda: kappa_newton(scipy_a, rbar, d, 4)}, repeat=args.repeat)
        print(f"# vMF kappa, d = {d}, {rbar.size} mean resultant lengths, 4 Newton steps (kappa "
              f"{k_ours.min():.0f}-{k_ours.max():.0f}, max rel diff to scipy {np.max(np.abs(k_ours / k_scipy - 1)):.1e}): "
              f"numkern {r['numkern'].min * 1e3:.2f} ms, scipy {r['scipy'].min * 1e3:.2f} ms, "
              f"ratio {r.ratio('scipy', 'numkern'):.2f} (load {r.load:.1f})")

    # Thread scaling of a large array (U[0,1e3]^2, 10 n points).
    v, x = rng.uniform(0, 1e3, 10 * n), rng.uniform(0, 1e3, 10 * n)
    one = {}
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="openmp"):
            one[threads] = log_iv(v, x)
    same = np.array_equal(one[1], one[2])

    def timed_call(t):
        def f():
            with threadpool_limits(t, user_api="openmp"):
                return log_iv(v, x)
        return f

    r = race({"1 thread": timed_call(1), "2 threads": timed_call(2)}, repeat=args.repeat)
    print(f"# threads, log_iv on U[0,1e3]^2 ({v.size} points): 1 thread {r['1 thread'].min * 1e3:.1f} ms, "
          f"2 threads {r['2 threads'].min * 1e3:.1f} ms, speed-up {r.ratio('1 thread', '2 threads'):.2f} "
          f"(bitwise identical: {same}; load {r.load:.1f})")
    if args.json:
        res.write_json(args.json)


if __name__ == "__main__":
    main()
