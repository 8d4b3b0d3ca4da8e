"""Generate tests/data/bessel_reference.csv: log I_v(x), log K_v(x), their scaled forms and I_{v+1}/I_v at
50 significant digits (mpmath), for v in [0, 1e6] and x in [1e-300, 1e300], dense in the hard zones.

Not run in CI: the tests read the committed table. Regenerate with

    python tests/data/make_bessel_reference.py            # writes the table (a few minutes on one core)
    python tests/data/make_bessel_reference.py --validate # cross-checks the branches first

Methods (working precision 70 digits; every value is rounded once to float64 at the end):
* s = hypot(v, x) >= 60: the uniform (Debye) expansion DLMF 10.41.3-4 written in s (p = v/s), with the exact
  rational polynomials U_0..U_31 (DLMF 10.41.10). The first omitted term is below max|U_32| / 60^32 ~ 1e-35
  (far below the 1e-17 that double-precision results need). mpmath's own besseli/besselk are very slow, fail
  (NoConvergence) or are wrong (negative K at v = 302.3, x = 205) at such sizes.
* s < 60, I: the power series DLMF 10.25.2 (positive terms, no cancellation), summed directly.
* s < 60, K: mpmath.besselk, accepted only when the Wronskian I_v K_{v+1} + I_{v+1} K_v = 1/x holds to 1e-45
  with the series I (else recomputed at 140 and 280 digits).
--validate compares, at 60 <= s <= 200, the Debye I with the series, the Debye K with besselk at 140 digits,
and checks the Wronskian of the Debye values; it stops if any disagreement exceeds 1e-28.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from fractions import Fraction
from pathlib import Path

import mpmath as mp
import numpy as np

mp.mp.dps = 70
DEBYE_MIN_S = 60
N_DEBYE = 32


def _debye_polynomials(n: int):
    """U_k(p), k < n (DLMF 10.41.10 recurrence, exact), returned as coefficient lists of P_k (U_k = p^k P_k(p^2))."""
    def deriv(P):
        return {k - 1: c * k for k, c in P.items() if k > 0}

    def mul(P, Q):
        R = {}
        for a, ca in P.items():
            for b, cb in Q.items():
                R[a + b] = R.get(a + b, 0) + ca * cb
        return R

    def add(P, Q):
        R = dict(P)
        for k, c in Q.items():
            R[k] = R.get(k, 0) + c
        return R

    U = [{0: Fraction(1)}]
    for _ in range(n - 1):
        u = U[-1]
        t1 = mul({2: Fraction(1, 2), 4: Fraction(-1, 2)}, deriv(u))
        integrand = mul({0: Fraction(1), 2: Fraction(-5)}, u)
        t2 = {k + 1: Fraction(1, 8) * c / (k + 1) for k, c in integrand.items()}
        U.append(add(t1, t2))
    return [[mp.mpf(U[k].get(k + 2 * j, 0).numerator) / U[k].get(k + 2 * j, Fraction(0)).denominator
             for j in range(k + 1)] for k in range(n)]


P_DEBYE = _debye_polynomials(N_DEBYE)


def _debye(v, x, kind, scaled=False):
    s = mp.sqrt(v * v + x * x)
    p = v / s
    q = p * p
    t = 1 / s if kind == "i" else -1 / s
    total = mp.mpf(0)
    for k in reversed(range(N_DEBYE)):
        poly = mp.mpf(0)
        for c in reversed(P_DEBYE[k]):  # Horner, highest power first (mpmath >= 1.4 deprecates polyval's order)
            poly = poly * q + c
        total = total * t + poly
    va = v * mp.asinh(v / x) if v != 0 else mp.mpf(0)
    # scaled: s - x = v^2 / (s + x) analytically (x can be 1e300: forming s - x would need 300 digits)
    base = v * v / (s + x) if scaled else s
    if kind == "i":
        return -mp.log(2 * mp.pi * s) / 2 + base - va + mp.log(total)
    return mp.log(mp.pi / (2 * s)) / 2 - base + va + mp.log(total)


def _series_log_i(v, x):
    h2 = (x / 2) ** 2
    term = mp.mpf(1)
    total = mp.mpf(1)
    k = 0
    while True:
        k += 1
        term *= h2 / (k * (k + v))
        total += term
        if term < total * mp.mpf(10) ** (-mp.mp.dps) and k > x:
            break
    return v * mp.log(x / 2) - mp.loggamma(v + 1) + mp.log(total)


def log_i(v, x, scaled=False):
    """log I_v(x), or log I_v(x) - x when scaled."""
    v, x = mp.mpf(v), mp.mpf(x)
    if mp.sqrt(v * v + x * x) >= DEBYE_MIN_S:
        return _debye(v, x, "i", scaled)
    return _series_log_i(v, x) - (x if scaled else 0)


def _wronskian_residual(v, x, lk, lk1):
    """|x (I_v K_{v+1} + I_{v+1} K_v) - 1| with the series I and the given log K values."""
    li, li1 = _series_log_i(v, x), _series_log_i(v + 1, x)
    return abs(x * (mp.exp(li + lk1) + mp.exp(li1 + lk)) - 1)


def log_k(v, x, scaled=False):
    """log K_v(x), or log K_v(x) + x when scaled."""
    v, x = mp.mpf(v), mp.mpf(x)
    if mp.sqrt(v * v + x * x) >= DEBYE_MIN_S:
        return _debye(v, x, "k", scaled)
    if scaled:
        return log_k(v, x) + x
    # mpmath's besselk (a hypergeometric combination with cancellation) is occasionally wrong, even negative
    # (e.g. v = 302.3, x = 205.0), so every value is checked with the Wronskian against the series I, and
    # recomputed at higher precision when the check fails.
    for dps in (70, 140, 280):
        with mp.workdps(dps):
            kv, kv1 = mp.besselk(v, x), mp.besselk(v + 1, x)
            if kv > 0 and kv1 > 0:
                lk, lk1 = mp.log(kv), mp.log(kv1)
                if _wronskian_residual(v, x, lk, lk1) < mp.mpf(10) ** -45:
                    return +lk
    raise RuntimeError(f"no verified K reference at v={v}, x={x}")


def _points(rng) -> list[tuple[float, float, str]]:
    pts: list[tuple[float, float, str]] = []

    def add(v, x, zone):
        for a, b in zip(np.atleast_1d(v), np.atleast_1d(x)):
            pts.append((float(a), float(b), zone))

    n = 500
    add(10 ** rng.uniform(-10, 6, n), 10 ** rng.uniform(-300, 300, n), "global")
    add(np.zeros(60), 10 ** rng.uniform(-300, 300, 60), "v0")
    add(rng.uniform(0, 1e6, 150), 10 ** rng.uniform(-3, 7, 150), "uniform_v")
    # transition x ~ v, both sides, from tiny to huge order
    v = 10 ** rng.uniform(-1, 6, 500)
    add(v, v * (1 + rng.choice([-1, 1], 500) * 10 ** rng.uniform(-10, 0, 500) * 0.9), "x~v")
    # eta(x/v) ~ 0: I_v(x) close to its algebraic prefactor (z ~ 0.6627), the ill-conditioned band
    v = 10 ** rng.uniform(0, 6, 200)
    add(v, v * rng.uniform(0.4, 1.0, 200), "eta~0")
    # small x, large v
    add(10 ** rng.uniform(1, 6, 250), 10 ** rng.uniform(-300, 0, 250), "small_x_large_v")
    # huge order with moderate/large x
    v = 10 ** rng.uniform(4, 6, 250)
    add(v, v * 10 ** rng.uniform(-3, 3, 250), "huge_v")
    # orders near integers and half-integers, including the small-s branch switch (s ~ 23.5) and x ~ 2
    base = rng.integers(0, 40, 400).astype(float)
    offs = rng.choice([0.0, 1e-12, -1e-12, 1e-6, -1e-6, 0.5, 0.5 + 1e-9, 0.5 - 1e-9, 0.25], 400)
    add(np.abs(base + offs), 10 ** rng.uniform(-5, 2.5, 400), "near_int")
    add(rng.uniform(0, 23.5, 200), rng.uniform(1.5, 2.5, 200), "x~2")
    ang = rng.uniform(0, np.pi / 2, 200)
    r = rng.uniform(22.0, 25.0, 200)
    add(r * np.sin(ang), r * np.cos(ang), "s~23.5")
    # tiny order
    add(10 ** rng.uniform(-300, -3, 150), 10 ** rng.uniform(-5, 5, 150), "tiny_v")
    # huge argument
    add(rng.uniform(0, 1e6, 150), 10 ** rng.uniform(5, 300, 150), "huge_x")
    # small s: series / Temme / Steed region
    add(rng.uniform(0, 23, 300), 10 ** rng.uniform(-300, 1.35, 300), "small_s")
    return pts


def _round_f32(pts, rng):
    """Round half of the points with float32-range x to float32 values (flag f32=1), for the float32 test."""
    out = []
    for v, x, zone in pts:
        if 1e-37 < x < 1e38 and v < 1e6 and rng.random() < 0.5:
            v32, x32 = float(np.float32(v)), float(np.float32(x))
            if x32 > 0:
                out.append((v32, x32, zone, 1))
                continue
        out.append((v, x, zone, 0))
    return out


def validate() -> None:
    rng = np.random.default_rng(1)
    worst = mp.mpf(0)
    for _ in range(30):
        s = rng.uniform(DEBYE_MIN_S, 200)
        ang = rng.uniform(0, np.pi / 2)
        v, x = mp.mpf(s * math.sin(ang)), mp.mpf(s * math.cos(ang))
        err_i = abs(_debye(v, x, "i") - _series_log_i(v, x))
        lk, lk1 = _debye(v, x, "k"), _debye(v + 1, x, "k")
        err_w = _wronskian_residual(v, x, lk, lk1)
        with mp.workdps(140):
            err_k = abs(lk - mp.log(mp.besselk(v, x)))
        print(f"  s={s:7.2f} v={float(v):9.4f}: debye-series I {float(err_i):.1e}, Wronskian {float(err_w):.1e}, "
              f"debye-besselk K {float(err_k):.1e}", flush=True)
        worst = max(worst, err_i, err_w, err_k)
    print(f"largest disagreement between branches: {float(worst):.3e}")
    if worst > 1e-28:
        sys.exit("validation failed")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--validate", action="store_true", help="cross-check the reference branches first")
    ap.add_argument("--out", default=str(Path(__file__).with_name("bessel_reference.csv")))
    args = ap.parse_args()
    if args.validate:
        validate()
    rng = np.random.default_rng(20260522)
    rows = _round_f32(_points(rng), rng)
    with open(args.out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["v", "x", "zone", "f32", "log_iv", "log_ive", "log_kv", "log_kve", "iv_ratio"])
        for i, (v, x, zone, f32) in enumerate(rows):
            li, lk = log_i(v, x), log_k(v, x)
            li1 = log_i(mp.mpf(v) + 1, x)  # the order v + 1 exactly, not rounded to double
            vals = (li, log_i(v, x, scaled=True), lk, log_k(v, x, scaled=True), mp.exp(li1 - li))
            w.writerow([repr(v), repr(x), zone, f32] + [repr(float(val)) for val in vals])
            if i % 250 == 0:
                print(f"{i}/{len(rows)}", flush=True)
    print(f"wrote {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()
