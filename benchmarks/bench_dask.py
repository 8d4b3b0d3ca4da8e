"""numkern on a dask.distributed LocalCluster of 1 and 2 workers (one thread each): time, scaling, worker memory.

Cases (the issue's sizes; --quick divides the sizes by 10):
  vmf-fit     vonmises_fisher.fit of 2e6 x 256 unit rows (4.1 GB float64)
  trapezoid   integrate.trapezoid along axis 0 of 1e7 x 64 (5.1 GB), chunked along both axes
  fastclara   cluster.fastclara of 2e6 points in 8 dimensions (128 MB), k = 8, 5 samples
  spgemm      sparse.matmul(L, L) of the 2-D Laplacian with n = 2000**2 = 4e6 (A in 20 row blocks)

All data are generated lazily on the workers (dask.array.random, or the Laplacian's row blocks made in their
tasks), so each timing includes the generation; the "gen" column times a plain dask reduction over the same
data alone (the cost of producing it), so "time - gen" is roughly numkern's share. Peak memory is the largest
process memory of the cluster during the call (distributed's MemorySampler), divided by the number of workers.

Run:  python benchmarks/bench_dask.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import header, load, pin_environment, time_call  # noqa: E402

pin_environment()

import numpy as np  # noqa: E402


def _cases(scale: int):
    import dask.array as da

    from numkern.cluster import fastclara
    from numkern.integrate import trapezoid
    from numkern.sparse import matmul
    from numkern.sparse._dask import laplacian_2d, laplacian_2d_rows
    from numkern.stats import vonmises_fisher

    n_vmf, n_trap, n_clara, m_lap = 2_000_000 // scale, 10_000_000 // scale, 2_000_000 // scale, 2000
    if scale > 1:
        m_lap = int(2000 / np.sqrt(scale))

    def vmf_data():
        z = da.random.default_rng(1).standard_normal((n_vmf, 256), chunks=(max(n_vmf // 20, 1), 256)) + 0.1
        return z / da.linalg.norm(z, axis=1, keepdims=True)

    def trap_data():
        return da.random.default_rng(2).standard_normal((n_trap, 64), chunks=(max(n_trap // 10, 1), 32))

    def clara_data():
        return da.random.default_rng(3).standard_normal((n_clara, 8), chunks=(max(n_clara // 16, 1), 8))

    lap_b = laplacian_2d_rows(m_lap, 0, m_lap * m_lap)

    def lap_nnz(c):
        return c.map_blocks(lambda b: np.array([[b.nnz]]), chunks=(1, 1), dtype=np.int64,
                            meta=np.empty((0, 0), np.int64)).sum()

    return [
        (f"vmf-fit {n_vmf:.0e} x 256", n_vmf * 256 * 8, lambda: vonmises_fisher.fit(vmf_data()),
         lambda: vmf_data().sum(axis=0).compute()),
        (f"trapezoid {n_trap:.0e} x 64", n_trap * 64 * 8, lambda: trapezoid(trap_data(), axis=0).compute(),
         lambda: trap_data().sum(axis=0).compute()),
        (f"fastclara {n_clara:.0e} x 8", n_clara * 8 * 8,
         lambda: fastclara(clara_data(), 8, metric="euclidean", random_state=0),
         lambda: clara_data().sum(axis=0).compute()),
        (f"spgemm L@L n={m_lap * m_lap:.1e}", lap_b.data.nbytes + lap_b.indices.nbytes + lap_b.indptr.nbytes,
         lambda: lap_nnz(matmul(laplacian_2d(m_lap, max(m_lap * m_lap // 20, 1)), lap_b)).compute(),
         lambda: lap_nnz(laplacian_2d(m_lap, max(m_lap * m_lap // 20, 1))).compute()),
    ]


def _run(workers: int, scale: int):
    from distributed import Client, LocalCluster
    from distributed.diagnostics import MemorySampler

    rows = {}
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      memory_limit=None, silence_logs=50) as cluster, Client(cluster):
        for name, nbytes, work, gen in _cases(scale):
            work()  # warm-up: imports and caches on the workers
            sampler = MemorySampler()
            with sampler.sample(name, measure="process", interval=0.1):
                t = time_call(work)
            t_gen = time_call(gen)
            peak = max(v for _, v in sampler.samples[name]) / workers if sampler.samples[name] else float("nan")
            rows[name] = (t, t_gen, peak, nbytes, load())
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller data")
    args = parser.parse_args(argv)
    scale = 10 if args.quick else 1
    import numkern  # noqa: F401  (for the header's version)

    print(header())
    print(f"# sizes: {'--quick (1/10 of the issue sizes)' if args.quick else 'full (the issue sizes)'}")
    one, two = _run(1, scale), _run(2, scale)
    print(f"{'case':32s} {'data':>9s} {'1 worker':>9s} {'gen':>7s} {'2 workers':>9s} {'gen':>7s} "
          f"{'speedup':>7s} {'peak/worker 1w':>14s} {'2w':>9s} {'load':>5s}")
    for name in one:
        t1, g1, p1, nbytes, _ = one[name]
        t2, g2, p2, _, ld = two[name]
        print(f"{name:32s} {nbytes / 1e9:7.2f}GB {t1:8.2f}s {g1:6.2f}s {t2:8.2f}s {g2:6.2f}s {t1 / t2:6.2f}x "
              f"{p1 / 1e6:11.0f} MB {p2 / 1e6:6.0f} MB {ld:5.2f}")


if __name__ == "__main__":
    main()
