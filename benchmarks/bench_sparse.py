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

Plan reuse: "plan x" is matmul's minimum / the minimum of SpgemmPlan.multiply with new values on the same pattern
into a fresh result (one thread, raced alternately with the others in the 1-thread block; the plan is made once,
untimed), "out x" the same for multiply(..., keep_zeros=True, out=C), which writes the values into an earlier
result C of the plan (numeric reuse: no allocation, no page faults), and "plan mem" the memory the plan holds
(index copies, pattern, scatter map) over the output's nnz(C) x 12 bytes.

Timing goes through benchmarks/_harness.py (alternating races, reversed order in odd rounds, settle, load average);
the peak resident memory of every call is measured around it (VmHWM, reset untimed before the call).
--quick runs reduced sizes (n = 1e5, R-MAT scale 13, 4 rounds): the only setting to use on a shared machine.

    python benchmarks/bench_sparse.py [--repeat 4] [--settle 3] [--no-hugepages] [--rmat-scale 16]
        [--only lap2d,...] [--quick] [--json results.json]
"""

from __future__ import annotations

import argparse
import os

from _harness import Results, pin_environment, race

pin_environment()

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from numkern.sparse import matmul, spgemm_plan  # noqa: E402


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


class PeakMemory:
    """Peak resident memory (MiB) added by the calls of each contender: `reset` runs untimed before a call (harness
    `between`), `wrap(name, fn)` reads the high-water mark right after it."""

    def __init__(self):
        self.peak = {}
        self._base = 0
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.available = True
        except OSError:
            self.available = False

    def reset(self):
        if self.available:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")  # reset VmHWM to the current RSS
        self._base = _rss_kib("VmRSS:")

    def wrap(self, name, fn):
        def call():
            out = fn()
            extra = (_rss_kib("VmHWM:") - self._base) / 1024 if self.available else float("nan")
            self.peak[name] = max(self.peak.get(name, 0.0), extra)
            return out

        return call


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
    parser.add_argument("--quick", action="store_true",
                        help="reduced sizes for a shared machine: --n 100000 --rmat-scale 13")
    parser.add_argument("--json", default="", help="also write the rows and the environment to this JSON file")
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
    if args.quick:
        args.n, args.rmat_scale = 100_000, 13
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
    print(f"threads: {threads}  repeat: {args.repeat} (min wall time)  settle: {args.settle} s  numpy huge pages: "
          f"{'off' if args.no_hugepages else 'on'}  graphblas: {gb.__version__ if gb else 'no'}")
    table = Results(
        "bench_sparse",
        {
            "matrix": "<30", "thr": ">3", "mults": ">8.2e", "nnz(C)": ">8.2e", "numkern s": ">9.3f", "GF/s": ">5.2f",
            "MiB": ">6.0f", "med": ">6.3f", "scipy s": ">8.3f", "sc GF/s": ">7.2f", "sc MiB": ">6.0f",
            "GrB s": ">7.3f", "GrB MiB": ">7.0f", "x scipy": ">7.2f", "pair": ">5.2f", "x GrB": ">6.2f",
            "plan s": ">7.3f", "plan x": ">6.2f", "out s": ">6.3f", "out x": ">5.2f", "plan mem": ">8.2f",
            "load": ">5.2f",
        },
    )
    table.print_header()
    for key in selected:
        label, build = builders[key]
        A = build()
        mults = mults_of(A)
        gA = gb.io.from_scipy_sparse(A) if gb else None
        for nt in threads:
            mem = PeakMemory()
            contenders = {"numkern": mem.wrap("numkern", lambda: matmul(A, A, n_threads=nt)),  # noqa: B023
                          "scipy": mem.wrap("scipy", lambda: A @ A)}  # noqa: B023
            if gb:
                gb.ss.config["nthreads"] = nt
                contenders["grb"] = mem.wrap("grb", lambda: gA.mxm(gA, gb.semiring.plus_times).new())  # noqa: B023
            plan = None
            if nt == 1:  # plan reuse: new values on the planned pattern, one thread
                plan = spgemm_plan(A, A, n_threads=1)
                new_values = A.data * 1.5
                contenders["plan"] = mem.wrap("plan", lambda: plan.multiply(new_values, A.data))  # noqa: B023
                out = plan.multiply(A.data, A.data, keep_zeros=True)
                contenders["out"] = mem.wrap(
                    "out", lambda: plan.multiply(new_values, A.data, keep_zeros=True, out=out)  # noqa: B023
                )
            nnz_c = matmul(A, A, n_threads=nt).nnz
            # scipy is serial, but it is timed again in every block: each ratio compares minima taken in the same
            # stretch of time on this shared machine. Odd rounds run in reverse order (what the previous call freed
            # decides how warm the memory of the next one is; see the module notes on fresh memory).
            r = race(contenders, repeat=args.repeat, settle=args.settle, between={k: mem.reset for k in contenders})
            gf = lambda t: 2 * mults / t / 1e9  # noqa: E731
            row = {
                "matrix": label, "thr": nt, "mults": mults, "nnz(C)": nnz_c,
                "numkern s": r["numkern"].min, "GF/s": gf(r["numkern"].min), "MiB": mem.peak["numkern"],
                "med": r["numkern"].median, "scipy s": r["scipy"].min, "sc GF/s": gf(r["scipy"].min),
                "sc MiB": mem.peak["scipy"], "x scipy": r.ratio("scipy", "numkern"),
                "pair": r.pair_ratio("scipy", "numkern"), "load": r.load,
            }
            if gb:
                row.update({"GrB s": r["grb"].min, "GrB MiB": mem.peak["grb"], "x GrB": r.ratio("grb", "numkern")})
            if plan is not None:
                row.update({"plan s": r["plan"].min, "plan x": r.ratio("numkern", "plan"), "out s": r["out"].min,
                            "out x": r.ratio("numkern", "out"), "plan mem": plan.nbytes / (12 * plan.nnz)})
            table.add(**row)
            del plan, contenders
            out = None
        del A, gA
    print("MiB: peak resident memory added during the call (output included). Output of C alone: "
          "nnz(C) x (8 + 4) bytes for float64 values and int32 indices. plan x: matmul / plan.multiply (1 thread, "
          "fresh result); out x: matmul / plan.multiply(..., out=C) (values written into C); plan mem: bytes the "
          "plan holds / output bytes.")
    if args.json:
        table.write_json(args.json)


if __name__ == "__main__":
    main()
