"""Benchmark C = A @ A: numkern.sparse.matmul vs scipy (SMMP, serial) and python-graphblas (SuiteSparse).

Matrices (fixed seeds): 2-D 5-point Laplacian (n = 1e6), 3-D 7-point Laplacian (n = 1e6), R-MAT power-law graph
(default scale 16, edge factor 8: scale 18 gives a ~5.7 GB output, too large for a shared 24 GB machine, so the
scale is a flag), uniform random (n = 1e6, 8 per row) and banded (n = 1e6, half-bandwidth 5).

For every matrix and thread count (1 and 2) the libraries run alternately after a warm-up, in reverse order in
odd rounds; the
minimum wall time over --repeat runs is reported with GFLOP/s (2 x multiplications / time), the median wall time
of numkern ("med"), the peak resident memory added by the call (VmHWM, reset before each call through
/proc/self/clear_refs), ratios of the minima, the median over pairs of rounds (one in each order) of scipy's
total time / numkern's total time in the pair ("pair": the calls ran back to back, so a slow phase of a shared
machine hits both; use an even --repeat) and the 1-minute load average when the row was measured ("load":
on a shared machine, a load above the core count means the threads did not have the cores to themselves).
scipy is single-threaded; it is timed in every block anyway, so each ratio compares minima from the same stretch
of time. Conversions to GraphBLAS objects are done once, untimed.

Fresh memory: a VM with free page reporting (virtio-balloon; this one reports free 8 MB blocks about 2 s after
they are freed) hands freed memory back to the host, and the next first touch of it costs a host fault per page
on top of the guest's zeroing (R-MAT output, 0.8 GB: 1.5-2.8 s of system time instead of 0.1-0.2 s). Back to
back, a call that allocates its output at once (numkern's single pass) gets the memory the previous call just
freed, while one that allocates after a long symbolic phase (scipy, GraphBLAS) may find it reported already:
that favours numkern on the large products. --settle 3 sleeps before every call so that every call finds its
output memory cold (the cost of a product in a fresh process); report both. Page size matters as much: numpy
(numkern's and scipy's outputs) asks for transparent huge pages, GraphBLAS's malloc does not, and on this VM a
GB of huge pages costs ~0.2 s warm but ~2.3 s cold, 4 KB pages ~0.6 s either way; --no-hugepages turns
numpy's request off so that a cold comparison is like for like.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_sparse.py [--repeat 4] [--settle 3] [--no-hugepages]
        [--rmat-scale 16] [--only lap2d,...]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from numkern.sparse import matmul  # noqa: E402


# ------------------------------------------------------------------------------------------------ matrices
def laplacian_2d(side):
    L = sp.diags_array([-np.ones(side - 1), 2.0 * np.ones(side), -np.ones(side - 1)], offsets=[-1, 0, 1])
    eye = sp.eye_array(side)
    return (sp.kron(L, eye) + sp.kron(eye, L)).tocsr()


def laplacian_3d(side):
    L = sp.diags_array([-np.ones(side - 1), 2.0 * np.ones(side), -np.ones(side - 1)], offsets=[-1, 0, 1])
    eye = sp.eye_array(side)
    return (
        sp.kron(sp.kron(L, eye), eye) + sp.kron(sp.kron(eye, L), eye) + sp.kron(sp.kron(eye, eye), L)
    ).tocsr()


def rmat(scale, edge_factor, seed=0, abcd=(0.57, 0.19, 0.19, 0.05)):
    """R-MAT (Chakrabarti et al. 2004) with the Graph500 parameters; duplicates summed, values standard normal."""
    rng = np.random.default_rng(seed)
    n_edges = edge_factor << scale
    rows = np.zeros(n_edges, dtype=np.int64)
    cols = np.zeros(n_edges, dtype=np.int64)
    a, b, c, _ = abcd
    for bit in range(scale):
        u = rng.random(n_edges)
        down = u >= a + b  # quadrants c, d
        right = ((u >= a) & (u < a + b)) | (u >= a + b + c)  # quadrants b, d
        rows |= down.astype(np.int64) << bit
        cols |= right.astype(np.int64) << bit
    n = 1 << scale
    A = sp.csr_array((rng.standard_normal(n_edges), (rows, cols)), shape=(n, n))
    A.sum_duplicates()
    return A


def uniform(n, per_row, seed=0):
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(n), per_row)
    A = sp.csr_array((rng.standard_normal(n * per_row), (rows, rng.integers(0, n, n * per_row))), shape=(n, n))
    A.sum_duplicates()
    return A


def banded(n, half_width, seed=0):
    rng = np.random.default_rng(seed)
    offsets = list(range(-half_width, half_width + 1))
    diags = [rng.standard_normal(n - abs(o)) for o in offsets]
    return sp.diags_array(diags, offsets=offsets, format="csr")


# ------------------------------------------------------------------------------------------------ measuring
def _rss_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def measure(fn, settle=0.0):
    """(wall seconds, peak extra resident MiB) of one call; the result is dropped afterwards. With settle > 0,
    sleep that long first (untimed), so that memory freed by the previous call is handed back to the host."""
    gc.collect()
    if settle > 0:
        time.sleep(settle)
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset VmHWM to the current RSS
        can_peak = True
    except OSError:
        can_peak = False
    base = _rss_kib("VmRSS:")
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    peak = (_rss_kib("VmHWM:") - base) / 1024 if can_peak else float("nan")
    del out
    return dt, peak


def mults_of(A):
    row_len = np.diff(A.indptr)
    return int(row_len[A.indices].sum())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--rmat-scale", type=int, default=16)
    parser.add_argument("--rmat-edge-factor", type=int, default=8)
    parser.add_argument("--n", type=int, default=1_000_000, help="size of the stencil/uniform/banded matrices")
    parser.add_argument("--only", default="", help="comma-separated subset: lap2d,lap3d,rmat,uniform,banded")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--no-graphblas", action="store_true")
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        help="seconds to sleep before every timed call (3 on a VM with free page reporting: every call then "
        "finds its output memory cold, whenever in the call it allocates it)",
    )
    parser.add_argument(
        "--no-hugepages",
        action="store_true",
        help="turn off numpy's madvise(MADV_HUGEPAGE) of large arrays (numkern's and scipy's outputs), so that all "
        "three libraries use 4 KB pages like GraphBLAS's malloc",
    )
    args = parser.parse_args()
    if args.no_hugepages:
        from numpy._core.multiarray import _set_madvise_hugepage

        _set_madvise_hugepage(False)

    gb = None
    if not args.no_graphblas:
        try:
            import graphblas as gb

            gb.init("suitesparse", blocking=True)
        except Exception as exc:  # noqa: BLE001 - benchmark-only dependency
            print(f"python-graphblas unavailable ({exc}); comparing with scipy only")
            gb = None

    side2 = int(round(args.n**0.5))
    side3 = int(round(args.n ** (1 / 3)))
    builders = {
        "lap2d": (f"2-D 5-pt Laplacian n={side2 * side2:.0e}", lambda: laplacian_2d(side2)),
        "lap3d": (f"3-D 7-pt Laplacian n={side3**3:.0e}", lambda: laplacian_3d(side3)),
        "rmat": (
            f"R-MAT scale {args.rmat_scale} ef {args.rmat_edge_factor}",
            lambda: rmat(args.rmat_scale, args.rmat_edge_factor),
        ),
        "uniform": (f"uniform n={args.n:.0e} 8/row", lambda: uniform(args.n, 8)),
        "banded": (f"banded n={args.n:.0e} hw 5", lambda: banded(args.n, 5)),
    }
    selected = [s for s in args.only.split(",") if s] or list(builders)
    threads = [int(t) for t in args.threads.split(",")]
    print(f"cores: {os.cpu_count()}  threads: {threads}  repeat: {args.repeat} (min wall time)  settle: "
          f"{args.settle} s  numpy huge pages: {'off' if args.no_hugepages else 'on'}  graphblas: "
          f"{gb.__version__ if gb else 'no'}")
    header = (f"{'matrix':<30} {'thr':>3} {'mults':>8} {'nnz(C)':>8} | {'numkern s':>9} {'GF/s':>5} {'MiB':>6} | "
              f"{'med':>6} | {'scipy s':>8} {'GF/s':>5} {'MiB':>6} | {'GrB s':>7} {'GF/s':>5} {'MiB':>6} | {'x scipy':>7} {'pair':>5} "
              f"{'x GrB':>6} {'load':>5}")
    print(header)
    print("-" * len(header))
    for key in selected:
        label, build = builders[key]
        A = build()
        mults = mults_of(A)
        gA = gb.io.from_scipy_sparse(A) if gb else None
        for nt in threads:
            ours = lambda: matmul(A, A, n_threads=nt)  # noqa: E731
            base = lambda: A @ A  # noqa: E731
            grb = (lambda: gA.mxm(gA, gb.semiring.plus_times).new()) if gb else None  # noqa: E731
            if gb:
                gb.ss.config["nthreads"] = nt
            # warm-up (also gives nnz(C))
            nnz_c = ours().nnz
            t = {"ours": [], "scipy": [], "grb": []}
            m = {"ours": 0.0, "scipy": 0.0, "grb": 0.0}
            contenders = [("ours", ours), ("scipy", base), ("grb", grb)]
            for r in range(args.repeat):
                # scipy is serial, but it is timed again in every block: each ratio compares minima taken in
                # the same stretch of time on this shared machine. Odd rounds run in reverse order, so that no
                # library always follows the same one (what the previous call freed decides how warm the memory
                # of the next one is; see the module notes on fresh memory).
                for name, fn in contenders if r % 2 == 0 else contenders[::-1]:
                    if fn is None:
                        continue
                    dt, peak = measure(fn, args.settle)
                    t[name].append(dt)
                    m[name] = max(m[name], peak)
            t_ours = min(t["ours"])
            t_sc, m_sc = min(t["scipy"]), m["scipy"]
            # median over pairs of rounds (one in each order, back to back: the same phase of the machine's
            # load, and each library has one call of each parity) of the ratio of the pair's total times
            blocks = [
                (t["scipy"][r] + t["scipy"][r + 1]) / (t["ours"][r] + t["ours"][r + 1])
                for r in range(0, args.repeat - 1, 2)
            ]
            pair = statistics.median(blocks) if blocks else float("nan")
            t_gb = min(t["grb"]) if t["grb"] else float("nan")
            gf = lambda s: 2 * mults / s / 1e9  # noqa: E731
            print(
                f"{label:<30} {nt:>3} {mults:>8.2e} {nnz_c:>8.2e} | {t_ours:>9.3f} {gf(t_ours):>5.2f} {m['ours']:>6.0f} "
                f"{statistics.median(t['ours']):>6.3f} | "
                f"{t_sc:>8.3f} {gf(t_sc):>5.2f} {m_sc:>6.0f} | {t_gb:>7.3f} {gf(t_gb):>5.2f} {m['grb']:>6.0f} | "
                f"{t_sc / t_ours:>7.2f} {pair:>5.2f} {t_gb / t_ours:>6.2f} {os.getloadavg()[0]:>5.2f}",
                flush=True,
            )
        del A, gA
        gc.collect()
    print("MiB: peak resident memory added during the call (output included). Output of C alone: "
          "nnz(C) x (8 + 4) bytes for float64 values and int32 indices.")


if __name__ == "__main__":
    main()
