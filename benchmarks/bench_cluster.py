"""k-medoids and silhouette benchmark: numkern vs the `kmedoids` package (Rust core) in the same process.

Gaussian blobs (k centres, d = 20), precomputed float64 Euclidean matrix. Rows (one and two threads each; where
kmedoids has no thread option its single-threaded time is the reference for both rows):
  * PAM family: FasterPAM (random init; kmedoids.fasterpam with n_cpu = threads), FastPAM1 from BUILD, exact PAM
    (kmedoids.pam, its original O(k n^2) SWAP; skipped above --pam-budget predicted seconds)
  * silhouette of the blob labels (kmedoids.silhouette with n_cpu = threads), n = 10 000
  * medoid silhouette of k random medoids, FasterMSC from the same k random medoids (both packages get the same
    initial indices, so the objectives are comparable), n = 5 000, k = 10 and 50
  * DynMSC from the same 20 random medoids, scanning k = 2..20, n = 2 000
Timing: benchmarks/_harness.py (alternating races after a warm-up, minimum and pair ratio; the load average of
every race is printed). "ratio" = kmedoids time / numkern time (> 1: numkern faster); "obj diff" = (ours - theirs)
/ |theirs| of the objective (TD for the PAM family: lower is better; the (medoid) silhouette otherwise: higher is
better). --quick shrinks every size (PAM family n = 2000, k = 10; silhouette n = 4000; MSC n = 2000; DynMSC
n = 1000) for a shared machine.

    python benchmarks/bench_cluster.py --quick [--json out.json]
    python benchmarks/bench_cluster.py              # the sizes above (and the PAM family at n = 2000 / 5000)
"""

from __future__ import annotations

import argparse

from _harness import Results, pin_environment, race

pin_environment()

import numpy as np  # noqa: E402

from numkern import cluster  # noqa: E402


def blobs(n, k, d=20, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=3.0, size=(k, d))
    labels = rng.integers(0, k, size=n)
    return centers[labels] + rng.normal(size=(n, d)), labels


def relabel(labels):
    return np.unique(labels, return_inverse=True)[1].reshape(-1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes (see above)")
    parser.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pam-budget", type=float, default=60.0, help="skip kmedoids.pam above this many seconds")
    parser.add_argument("--json", default=None, help="also write the rows and the environment as JSON")
    args = parser.parse_args()
    import kmedoids

    q = args.quick
    table = Results("bench_cluster", {
        "task": "<22s", "n": "6d", "k": "5s", "thr": "3d", "numkern s": "10.4f", "kmedoids s": "10.4f",
        "ratio": "7.2f", "pair": "7.2f", "obj numkern": "14.6f", "obj kmedoids": "14.6f", "obj diff": "+10.1e",
        "load": "5.1f",
    })
    print("ratio = min kmedoids / min numkern, pair = median of back-to-back ratios (> 1: numkern faster); "
          "obj diff = (ours - theirs) / |theirs|")
    table.print_header()

    def row(task, n, k, threads, ours, theirs, objective, note_single=False):
        """Race ours vs theirs and print one row; objective(result, package) gives the objective value."""
        r = race({"numkern": ours, "kmedoids": theirs}, repeat=args.repeat, budget=30.0)
        res_o, res_t = ours(), theirs()
        o, t = objective(res_o, "numkern"), objective(res_t, "kmedoids")
        table.add(task=task + (" (km 1 thr)" if note_single else ""), n=n, k=str(k), thr=threads,
                  **{"numkern s": r["numkern"].min, "kmedoids s": r["kmedoids"].min,
                     "ratio": r.ratio("kmedoids", "numkern"), "pair": r.pair_ratio("kmedoids", "numkern"),
                     "obj numkern": o, "obj kmedoids": t, "obj diff": (o - t) / abs(t), "load": r.load})

    loss = lambda res, _: float(res.loss)  # noqa: E731

    # ---------------------------------------------------------------------------------------- PAM family
    for n in ([2000] if q else [2000, 5000]):
        for k in ([10] if q else [10, 50]):
            D = cluster.pairwise_dissimilarity(blobs(n, k)[0])
            for threads in args.threads:
                row("fasterpam", n, k, threads, lambda: cluster.fasterpam(D, k, random_state=0, n_threads=threads),
                    lambda: kmedoids.fasterpam(D, k, random_state=0, n_cpu=threads), loss)
                row("fastpam1 (build)", n, k, threads, lambda: cluster.fastpam1(D, k, n_threads=threads),
                    lambda: kmedoids.fastpam1(D, k, init="build", max_iter=10**6), loss, threads > 1)
                predicted = 4.1 * (n / 2000) ** 2 * (k / 10)
                if threads == 1 and predicted <= args.pam_budget:
                    row("pam", n, k, threads, lambda: cluster.pam(D, k, n_threads=threads),
                        lambda: kmedoids.pam(D, k, init="build", max_iter=10**6), loss)

    # ---------------------------------------------------------------------------------------- silhouette
    n = 4000 if q else 10000
    X, labels = blobs(n, 10)
    D = cluster.pairwise_dissimilarity(X)
    labels = relabel(labels)
    sil = lambda res, _: float(res if np.isscalar(res) else res[0])  # noqa: E731
    for threads in args.threads:
        row("silhouette", n, 10, threads, lambda: cluster.silhouette(D, labels, n_threads=threads),
            lambda: kmedoids.silhouette(D, labels, n_cpu=threads), sil)
    del D

    # ---------------------------------------------------------------------- medoid silhouette and FasterMSC
    n = 2000 if q else 5000
    for k in (10, 50):
        X, _ = blobs(n, k)
        D = cluster.pairwise_dissimilarity(X)
        start = np.random.default_rng(1).choice(n, k, replace=False)
        for threads in args.threads:
            row("medoid_silhouette", n, k, threads, lambda: cluster.medoid_silhouette(D, start),
                lambda: kmedoids.medoid_silhouette(D, start), sil, True)
            row("fastermsc", n, k, threads, lambda: cluster.fastermsc(D, start.copy(), n_threads=threads),
                lambda: kmedoids.fastermsc(D, start.copy(), max_iter=10**6), loss, True)

    # -------------------------------------------------------------------------------------------- DynMSC
    n = 1000 if q else 2000
    X, _ = blobs(n, 8)
    D = cluster.pairwise_dissimilarity(X)
    start = np.random.default_rng(2).choice(n, 20, replace=False)
    for threads in args.threads:
        row("dynmsc", n, "2..20", threads, lambda: cluster.dynmsc(D, start.copy(), n_threads=threads),
            lambda: kmedoids.dynmsc(D, start.copy(), max_iter=10**6), loss, True)
    if args.json:
        table.write_json(args.json)


if __name__ == "__main__":
    main()
