"""Benchmark numkern.kron against a numpy reshape/tensordot implementation (and dense numpy where it fits).

Operations on a d-dimensional grid with a product of 1-D spectral-mixture kernels (Q = 10, top frequency 20,
uniform grid on [0, 1]) and spherical shift s = 1e-2:

* MVM        ``K x``                                (numkern: C++ rotation driver, one GEMM per axis)
* eigh       per-factor eigendecompositions         (the same LAPACK calls on both sides; reported once)
* solve      ``(K + s I)^{-1} y`` in the eigenbasis  (given the factorisation)
* logdet     ``log|K + s I|``                        (given the factorisation)

Baseline: the usual numpy code, ``np.moveaxis(np.tensordot(K_j, X, axes=(1, j)), 0, j)`` per axis. Dense numpy
(``np.kron`` + Cholesky) only for the small grid given by --dense (off by default above 64x64: dense
Cholesky at 128x128, N = 16384, took 93 s on this machine).

GPyTorch's ``linear_operator`` is not benchmarked: it needs PyTorch, which is not installed here and is too
large to install for a benchmark-only comparison (see the notes: its Kronecker log-det also clamps
eigenvalues and is wrong by ~2e5 nats for the GP-HM prior at 400^2).

Threads: BLAS is pinned to one thread (OPENBLAS_NUM_THREADS=1 set before numpy is imported). For "2 threads",
numkern splits each GEMM into two OpenMP panels (n_threads=2, BLAS still single-threaded) and the numpy
baseline gets two BLAS threads through threadpoolctl.

    python benchmarks/bench_kron.py                         # 512^2, 2048^2, 128^3; 1 and 2 threads
    python benchmarks/bench_kron.py --grids 512x512 --threads 1 --dense 64x64
"""

from __future__ import annotations

import os

from _harness import header, pin_environment, race, time_call

pin_environment()  # BLAS one thread, passive OpenMP waiting (before numpy is imported)
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import math  # noqa: E402

import numpy as np  # noqa: E402
import scipy.linalg as sla  # noqa: E402

from numkern.kron import KroneckerEigh, KroneckerOperator  # noqa: E402
from numkern.kron.kernels import SpectralMixture  # noqa: E402

try:
    from threadpoolctl import ThreadpoolController

    _CONTROLLER = ThreadpoolController()
except ImportError:  # pragma: no cover - optional
    _CONTROLLER = None

SHIFT = 1e-2


def set_blas_threads(n):
    """Set BLAS threads for all loaded BLAS libraries (numpy's and scipy's OpenBLAS); outside timed regions."""
    if _CONTROLLER is not None:
        _CONTROLLER.limit(limits=n, user_api="blas")


def timed(fn, repeat):
    """Median and minimum wall time after one warm-up call."""
    t = race({"numkern": fn}, repeat=repeat)["numkern"]
    return t.median, t.min


def alternate(ours, base, repeat, blas_ours=1, blas_base=1):
    """Median times of ours and the baseline, raced alternately (benchmarks/_harness.py) after a warm-up; BLAS
    thread counts are switched before each call, outside the timed regions."""
    r = race({"numkern": ours, "base": base}, repeat=repeat,
             between={"numkern": lambda: set_blas_threads(blas_ours), "base": lambda: set_blas_threads(blas_base)})
    set_blas_threads(1)
    return r["numkern"].median, r["base"].median


# ----------------------------------------------------------------------------------- numpy baseline
def numpy_kron_mv(factors, x):
    t = x.reshape([f.shape[1] for f in factors])
    for j, f in enumerate(factors):
        t = np.moveaxis(np.tensordot(f, t, axes=(1, j)), 0, j)
    return t.reshape(-1)


class NumpyEigh:
    def __init__(self, factors):
        self.vals, self.vecs = zip(*[np.linalg.eigh(f) for f in factors])
        lam = np.ones(())
        for w in self.vals:
            lam = np.multiply.outer(lam, w)
        self.lam = lam.reshape(-1)

    def solve(self, y, shift):
        z = numpy_kron_mv([q.T for q in self.vecs], y)
        return numpy_kron_mv(self.vecs, z / (self.lam + shift))

    def logdet(self, shift):
        return float(np.sum(np.log(self.lam + shift)))


def factors_for(grid):
    kern = SpectralMixture.initial(10, 20.0)
    return [kern.toeplitz(np.linspace(0.0, 1.0, n)) for n in grid]


def parse_grid(text):
    return tuple(int(v) for v in text.lower().split("x"))


def row(op, grid, threads, ours, base, base_name="numpy"):
    ratio = base / ours if ours > 0 else float("inf")
    label = "x".join(map(str, grid))
    print(f"{op:<8} {label:>12} {threads:>3}  numkern {ours:10.4f} s   {base_name} {base:10.4f} s   x{ratio:6.2f}")


def bench_grid(grid, thread_list, repeat, with_blocked):
    factors = factors_for(grid)
    n_total = math.prod(grid)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(n_total)
    rep = max(1, repeat if n_total <= 1 << 20 else repeat - 1)
    t_eig = time_call(lambda: KroneckerEigh(factors))
    eig = KroneckerEigh(factors)
    base_eig = NumpyEigh(factors)
    for nt in thread_list:
        op = KroneckerOperator(*factors, n_threads=nt)
        eig_nt = KroneckerEigh(factors, n_threads=nt)

        t_o, t_b = alternate(lambda: op @ x, lambda: numpy_kron_mv(factors, x), rep, 1, nt)
        row("MVM", grid, nt, t_o, t_b)
        if with_blocked:
            op_blk = KroneckerOperator(*factors, n_threads=nt, method="blocked")
            t_blk, _ = timed(lambda: op_blk @ x, rep)
            row("MVM-blk", grid, nt, t_blk, t_b)
        t_o, t_b = alternate(lambda: eig_nt.solve(x, shift=SHIFT), lambda: base_eig.solve(x, SHIFT), rep, 1, nt)
        row("solve", grid, nt, t_o, t_b)
        t_o, t_b = alternate(lambda: eig.logdet(shift=SHIFT), lambda: base_eig.logdet(SHIFT), rep)
        row("logdet", grid, nt, t_o, t_b)
    # accuracy of the two implementations against each other
    diff = np.max(np.abs(eig.solve(x, shift=SHIFT) - base_eig.solve(x, SHIFT)))
    print(f"{'eigh':<8} {'x'.join(map(str, grid)):>12}   1  {t_eig:10.4f} s (per-factor numpy.linalg.eigh, shared)"
          f"   max|solve diff| = {diff:.1e}")


def bench_dense(grid, repeat):
    factors = factors_for(grid)
    n_total = math.prod(grid)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(n_total)
    dense = factors[0]
    for f in factors[1:]:
        dense = np.kron(dense, f)
    shifted = dense + SHIFT * np.eye(n_total)
    op = KroneckerOperator(*factors)
    eig = KroneckerEigh(factors)
    t_o, t_b = alternate(lambda: op @ x, lambda: dense @ x, repeat)
    row("MVM", grid, 1, t_o, t_b, "dense")
    t_chol, _ = timed(lambda: sla.cho_factor(shifted, lower=True, check_finite=False), 1)
    fac = sla.cho_factor(shifted, lower=True, check_finite=False)
    t_o, t_b = alternate(lambda: eig.solve(x, shift=SHIFT),
                         lambda: sla.cho_solve(fac, x, check_finite=False), repeat)
    row("solve", grid, 1, t_o, t_b, "dense")
    t_eig, _ = timed(lambda: KroneckerEigh(factors), 1)
    row("factor", grid, 1, t_eig, t_chol, "dense")
    err = np.max(np.abs(eig.solve(x, shift=SHIFT) - sla.cho_solve(fac, x)))
    ld = 2 * np.sum(np.log(np.diag(fac[0])))
    print(f"         dense vs numkern: max|solve diff| = {err:.1e}, logdet {eig.logdet(shift=SHIFT):.10f} vs "
          f"{ld:.10f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grids", default="512x512,2048x2048,128x128x128")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dense", default="64x64", help="grid for the dense comparison ('none' to skip; "
                        "128x128 needs ~6 GB and minutes)")
    parser.add_argument("--no-blocked", action="store_true", help="skip numkern's blocked (non-BLAS) GEMM engine")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    print(header())
    print(f"numkern.kron benchmark: threads {threads}, shift {SHIFT}, spectral mixture Q=10; times are medians of "
          f"{args.repeat}")
    print("ratio = baseline time / numkern time (> 1: numkern faster)")
    for g in args.grids.split(","):
        bench_grid(parse_grid(g), threads, args.repeat, not args.no_blocked)
    if args.dense.lower() != "none":
        bench_dense(parse_grid(args.dense), args.repeat)


if __name__ == "__main__":
    main()
