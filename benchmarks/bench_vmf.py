"""Benchmark numkern.stats.vonmises_fisher against scipy.stats.vonmises_fisher in the same process.

Cases (the issue's sizes; --quick divides the sample counts by 10):
  logpdf  n = 1e5 points, d = 2048 (float64, 1.6 GB of data)
  fit     n = 1e4 samples, d = 2048 (float64) and d = 32768 (float32, 1.3 GB; float64 would need 2.6 GB
          plus scipy's temporaries of the same size)
  rvs     n = 1e4 samples, d = 2048 (scipy builds and applies a d x d rotation: timed once) and d = 32768
          (numkern only, n = 1000: scipy's d x d rotation alone would need 8.6 GB)

Each timing: one warm-up, then ours and scipy alternately, ``--repeat`` times; the table prints the median
and minimum and the ratio of the medians (scipy / numkern). BLAS and OpenMP are pinned to one thread unless
OPENBLAS_NUM_THREADS / OMP_NUM_THREADS are set, so by default the comparison is single-core. Where scipy
returns a wrong answer the time is still printed and the answer is flagged.
"""

from __future__ import annotations

import os

from _harness import header, pin_environment, race, time_call

pin_environment()  # BLAS one thread, passive OpenMP waiting (before numpy is imported)
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.stats as ss  # noqa: E402

from numkern.stats import vonmises_fisher  # noqa: E402


def compare(label, ours, theirs, repeat):
    """Race ours and scipy (benchmarks/_harness.py: one warm-up, then alternating rounds); print medians, minima
    and the ratio of the medians."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = race({"numkern": ours, "scipy": theirs}, repeat=repeat)
    mo, ms = r["numkern"].median, r["scipy"].median
    print(
        f"{label:<40s} numkern {mo * 1e3:10.2f} ms (min {r['numkern'].min * 1e3:9.2f})   "
        f"scipy {ms * 1e3:10.2f} ms (min {r['scipy'].min * 1e3:9.2f})   x{ms / mo:7.1f}"
    )
    return ms / mo


def best_of(fn, repeat):
    """Minimum seconds of `repeat` calls (no warm-up)."""
    return race({"fn": fn}, repeat=repeat, warmup=0)["fn"].min


def unit_mu(d, seed=0):
    mu = np.random.default_rng(seed).standard_normal(d)
    return mu / np.linalg.norm(mu)


def samples(d, kappa, n, dtype, seed):
    """n vMF samples (numkern's sampler), generated in blocks straight into an array of ``dtype``."""
    mu = unit_mu(d, seed)
    out = np.empty((n, d), dtype=dtype)
    rng = np.random.default_rng(seed)
    step = max(1, (1 << 24) // (8 * d))
    for start in range(0, n, step):
        block = vonmises_fisher(mu, kappa).rvs(min(step, n - start), random_state=rng)
        if dtype == np.float32:
            block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + step] = block
    return mu, out


def bench_logpdf(scale: int, repeat: int) -> None:
    # kappa chosen so that scipy's ive does not underflow (scipy finite), d = 2048.
    d, n, kappa = 2048, 100_000 // scale, 1500.0
    mu, x = samples(d, kappa, n, np.float64, 1)
    ours = vonmises_fisher.logpdf(x, mu, kappa)
    with np.errstate(all="ignore"):
        ref = ss.vonmises_fisher.logpdf(x, mu, kappa)
    finite = np.isfinite(ref)
    err = np.max(np.abs(ours[finite] - ref[finite]) / np.abs(ref[finite])) if finite.any() else float("nan")
    print(f"logpdf d={d} kappa={kappa}: scipy finite on {finite.mean():.0%}, max rel. diff {err:.2e}")
    compare(
        f"logpdf n={n} d={d}",
        lambda: vonmises_fisher.logpdf(x, mu, kappa),
        lambda: ss.vonmises_fisher.logpdf(x, mu, kappa),
        repeat,
    )


def bench_fit(d: int, kappa: float, dtype, scale: int, repeat: int) -> None:
    n = 10_000 // scale
    mu, x = samples(d, kappa, n, dtype, 2)
    m_o, k_o = vonmises_fisher.fit(x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m_s, k_s = ss.vonmises_fisher.fit(x)
    msgs = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
    print(
        f"fit d={d} n={n} {np.dtype(dtype).name} true kappa={kappa:g}: numkern kappa={k_o:.6g} "
        f"(mu.mu_hat={m_o @ mu:.6f}); scipy kappa={k_s:.3g} (mu.mu_hat={m_s @ mu:.6f}) "
        f"{'WRONG ' if not np.isclose(k_s, k_o, rtol=1e-3) else ''}{msgs}"
    )
    compare(
        f"fit n={n} d={d} {np.dtype(dtype).name}",
        lambda: vonmises_fisher.fit(x),
        lambda: ss.vonmises_fisher.fit(x),
        repeat,
    )


def bench_rvs(scale: int) -> None:
    # d = 2048: scipy's QR of a d x d matrix plus an n d^2 rotation is slow, so it is timed once.
    d, kappa = 2048, 1000.0
    n = 10_000 // scale
    mu = unit_mu(d, 3)
    t_o = best_of(lambda: vonmises_fisher(mu, kappa).rvs(n, random_state=0), 3)
    t_s = time_call(lambda: ss.vonmises_fisher(mu, kappa).rvs(n, random_state=0))
    print(
        f"{'rvs n=' + str(n) + ' d=2048':<40s} numkern {t_o * 1e3:10.2f} ms (min of 3)          "
        f"scipy {t_s * 1e3:10.2f} ms (timed once)          x{t_s / t_o:7.1f}"
    )
    d = 32768
    mu = unit_mu(d, 4)
    n = 1000 // scale
    t_o = best_of(lambda: vonmises_fisher(mu, 3e4).rvs(n, random_state=0), 2)
    print(
        f"{'rvs n=' + str(n) + ' d=32768':<40s} numkern {t_o * 1e3:10.2f} ms ({t_o / n * 1e6:.1f} us/sample)   "
        "scipy skipped: its rotation matrix is d x d = 8.6 GB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="divide the sample counts by 10")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    print(header(), f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}")
    print("ratio = scipy median / numkern median (higher: numkern faster)\n")
    bench_logpdf(scale, args.repeat)
    bench_fit(2048, 3000.0, np.float64, scale, max(1, args.repeat // 2))
    bench_fit(32768, 3e4, np.float32, scale, max(1, args.repeat // 2))
    bench_rvs(scale)


if __name__ == "__main__":
    main()
