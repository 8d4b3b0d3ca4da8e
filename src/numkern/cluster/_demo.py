"""Demo: k-medoids on Gaussian blobs, numkern next to the `kmedoids` package (when installed)."""

from __future__ import annotations

import numpy as np

from numkern._demo_util import compare


def run() -> None:
    from numkern import cluster

    rng = np.random.default_rng(0)
    n, d, k = 800, 20, 10
    centers = rng.normal(scale=4.0, size=(k, d))
    X = centers[rng.integers(0, k, size=n)] + rng.normal(size=(n, d))
    D = cluster.pairwise_dissimilarity(X)
    exact = cluster.pam(D, k, n_threads=1)
    eager = cluster.fasterpam(D, k, random_state=0, n_threads=1)
    print(f"  n={n}, d={d}, k={k}: PAM loss {exact.loss:.2f} ({exact.n_swap} swaps), "
          f"FasterPAM loss {eager.loss:.2f} ({eager.n_swap} swaps), one thread")
    try:
        import kmedoids
    except ImportError:
        print("  (pip install kmedoids to compare with the kmedoids package)")
        return
    ref = kmedoids.pam(D, k, init="build")
    print(f"  kmedoids.pam loss {ref.loss:.2f}: same medoids as numkern.pam: "
          f"{sorted(map(int, ref.medoids)) == sorted(exact.medoids.tolist())}")
    compare("FasterPAM (random init)", lambda: cluster.fasterpam(D, k, random_state=0, n_threads=1),
            lambda: kmedoids.fasterpam(D, k, random_state=0, n_cpu=1), repeat=1, baseline_name="kmedoids")
    compare("FastPAM1 + BUILD (= PAM)", lambda: cluster.fastpam1(D, k, n_threads=1),
            lambda: kmedoids.fastpam1(D, k, init="build"), repeat=1, baseline_name="kmedoids")
    compare("PAM (BUILD + SWAP), kmedoids.pam", lambda: cluster.pam(D, k, n_threads=1),
            lambda: kmedoids.pam(D, k, init="build"), repeat=1, baseline_name="kmedoids")
    big = np.concatenate([c + rng.normal(size=(10000, 2)) for c in rng.normal(scale=20.0, size=(5, 2))])
    import time

    t0 = time.perf_counter()
    res = cluster.fastclara(big, 5, metric="euclidean", random_state=0)
    print(f"  FastCLARA on raw data, n={big.shape[0]} (no n x n matrix): {time.perf_counter() - t0:.2f} s, "
          f"cluster sizes {np.bincount(res.labels).tolist()}")
