"""Benchmark numkern.special.log_iv / log_kv against scipy (np.log(ive(v, x)) + x, np.log(kve(v, x)) - x).

Run:  python benchmarks/bench_special.py [--n 1000000] [--repeat 5]

1e6 points drawn over the paper's ranges (Plesner et al. 2024): v uniform in [0, 1e5] ("uniform_v"), and a
log-uniform draw v in [1e-2, 1e5] ("loguniform_v"), x log-uniform in [1e-10, 1e5]. Timings: single thread
(threadpoolctl limits OpenMP to 1), alternating ours/scipy after a warm-up, minimum of --repeat runs. Then the
thread scaling of log_iv with 1 and 2 OpenMP threads.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.special as sc  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from numkern.special import log_iv, log_kv  # noqa: E402


def best_of(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(12345)
    n = args.n
    x = 10 ** rng.uniform(-10, 5, n)
    draws = {"uniform_v": rng.uniform(0, 1e5, n), "loguniform_v": 10 ** rng.uniform(-2, 5, n)}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"numkern.special benchmark: n={n}, cores={os.cpu_count()} (load average {load:.1f}), "
          "single thread for the ratios")
    with threadpool_limits(1, user_api="openmp"):
        for label, v in draws.items():
            with np.errstate(all="ignore"):
                si = np.log(sc.ive(v, x)) + x
                sk = np.log(sc.kve(v, x)) - x
            for name, ours, base, ref in (
                ("log_iv", lambda: log_iv(v, x), lambda: np.log(sc.ive(v, x)) + x, si),
                ("log_kv", lambda: log_kv(v, x), lambda: np.log(sc.kve(v, x)) - x, sk),
            ):
                with np.errstate(all="ignore"):
                    t_ours = t_base = float("inf")
                    ours(), base()
                    for _ in range(args.repeat):  # alternate to share machine noise
                        t0 = time.perf_counter()
                        ours()
                        t_ours = min(t_ours, time.perf_counter() - t0)
                        t0 = time.perf_counter()
                        base()
                        t_base = min(t_base, time.perf_counter() - t0)
                nonfinite = 1.0 - np.isfinite(ref).mean()
                print(f"  {label:13s} {name}: numkern {t_ours * 1e9 / n:7.1f} ns/pt   scipy {t_base * 1e9 / n:7.1f} "
                      f"ns/pt   ratio x{t_base / t_ours:6.1f}   scipy non-finite {100 * nonfinite:5.1f}%")
    v = draws["uniform_v"]
    t = {}
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="openmp"):
            t[threads], _ = best_of(lambda: log_iv(v, x), args.repeat)
    print(f"  threads: log_iv 1 thread {t[1] * 1e3:.1f} ms, 2 threads {t[2] * 1e3:.1f} ms, "
          f"speed-up x{t[1] / t[2]:.2f}")


if __name__ == "__main__":
    main()
