"""Demo for ``python -m numkern demo``: log-Bessel values where scipy overflows or gives NaN, and the speed."""

from __future__ import annotations

import numpy as np


def run() -> None:
    import scipy.special as sc

    from .._demo_util import compare
    from . import iv_ratio, log_iv, log_kv

    print("numkern.special: log I_v(x), log K_v(x) without overflow (scipy: log(ive)+x, log(kve)-x)")
    cases = [(0.5, 2.0**30), (1e4, 1.0), (4095.0, 1e5), (1e6, 1e-300), (60.0, 1e-3)]
    with np.errstate(all="ignore"):
        for v, x in cases:
            si = np.log(sc.ive(v, x)) + x
            sk = np.log(sc.kve(v, x)) - x
            print(f"  v={v:<8g} x={x:<10.4g} log_iv {float(log_iv(v, x)):>22.15g} (scipy {si:>10.4g})"
                  f"   log_kv {float(log_kv(v, x)):>22.15g} (scipy {sk:>10.4g})")
        v, x = 1023.0, 800.0
        print(f"  vMF ratio I_(v+1)/I_v at v={v:g}, x={x:g}: numkern {float(iv_ratio(v, x)):.15g}, "
              f"scipy ive/ive {sc.ive(v + 1, x) / sc.ive(v, x):.15g}")

    rng = np.random.default_rng(0)
    n = 200_000
    v = rng.uniform(0, 1e3, n)
    x = 10 ** rng.uniform(-3, 4, n)

    def base_i():
        with np.errstate(all="ignore"):
            return np.log(sc.ive(v, x)) + x

    def base_k():
        with np.errstate(all="ignore"):
            return np.log(sc.kve(v, x)) - x

    compare(f"log_iv, {n} points (all threads)", lambda: log_iv(v, x), base_i, repeat=2)
    compare(f"log_kv, {n} points (all threads)", lambda: log_kv(v, x), base_k, repeat=2)
