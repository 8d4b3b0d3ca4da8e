"""Naive reference implementations (plain numpy, small n) used as oracles by the cluster tests.

Conventions match numkern.cluster: d(j, m) = D[m, j] (row = medoid), TD = sum_j w_j min_m D[m, j], values within
1e-12 TD of the best are ties and go to the lowest object index then the lowest slot, a swap must lower TD by
more than 1e-12 TD.
"""

import numpy as np

TIE = 1e-12


def first_within(values, best, td):
    """Lowest (row-major) index whose value is within TIE * td of `best`."""
    return int(np.flatnonzero(values.ravel() <= best + TIE * td)[0])


def total_deviation(D, medoids, w=None):
    dist = D[np.asarray(medoids)].min(axis=0)
    return float(dist.sum() if w is None else (w * dist).sum())


def naive_build(D, k, w=None):
    n = D.shape[0]
    w = np.ones(n) if w is None else w
    sums = D @ w
    medoids = [first_within(sums, sums.min(), abs(sums.min()))]
    for _ in range(1, k):
        dn = D[medoids].min(axis=0)
        gains = np.minimum(D - dn[None, :], 0.0) @ w
        gains[medoids] = np.inf
        medoids.append(first_within(gains, gains.min(), float(w @ dn)))
    return medoids


def swap_deltas(D, medoids, w=None):
    """dTD of every (candidate o, slot m) swap, computed by re-evaluating TD from scratch (inf for medoids)."""
    n, k = D.shape[0], len(medoids)
    td = total_deviation(D, medoids, w)
    delta = np.full((n, k), np.inf)
    for o in range(n):
        if o in medoids:
            continue
        for m in range(k):
            trial = list(medoids)
            trial[m] = o
            delta[o, m] = total_deviation(D, trial, w) - td
    return delta, td


def naive_pam(D, k=None, medoids=None, w=None, max_iter=1000):
    """BUILD (unless `medoids` is given) + PAM's best-improvement SWAP. Returns (medoids, loss, n_swap)."""
    medoids = list(naive_build(D, k, w) if medoids is None else medoids)
    n_swap = 0
    for _ in range(max_iter):
        delta, td = swap_deltas(D, medoids, w)
        if td <= 0 or len(medoids) >= D.shape[0]:
            break
        o, m = np.unravel_index(first_within(delta, delta.min(), td), delta.shape)  # lowest o, then lowest m
        if not delta[o, m] < -1e-12 * td:
            break
        medoids[m] = int(o)
        n_swap += 1
    return medoids, total_deviation(D, medoids, w), n_swap


def naive_eager(D, medoids, w=None, max_passes=1000):
    """FasterPAM's sequential eager loop: visit o = 0..n-1 cyclically, swap into the best slot at once."""
    medoids = list(medoids)
    n = D.shape[0]
    last = -1
    for _ in range(max_passes):
        for o in range(n):
            if o == last:
                return medoids
            if o in medoids:
                continue
            td = total_deviation(D, medoids, w)
            if td <= 0:
                return medoids
            deltas = []
            for m in range(len(medoids)):
                trial = list(medoids)
                trial[m] = o
                deltas.append(total_deviation(D, trial, w) - td)
            deltas = np.array(deltas)
            best_m = first_within(deltas, deltas.min(), td)
            best = deltas[best_m]
            if best < -1e-12 * td:
                medoids[best_m] = o
                last = o
        if last < 0:
            return medoids
    return medoids


def naive_alternating(D, medoids, w=None, max_iter=1000):
    medoids = list(medoids)
    n, k = D.shape[0], len(medoids)
    w = np.ones(n) if w is None else w
    for _ in range(max_iter):
        labels = np.argmin(D[medoids], axis=0)
        new = list(medoids)
        for s in range(k):
            members = np.flatnonzero(labels == s)
            if members.size == 0:
                continue
            cost = D[np.ix_(members, members)] @ w[members]
            best, best_cost = medoids[s], float(D[medoids[s], members] @ w[members])
            for a, i in enumerate(members):
                if i not in medoids and cost[a] < best_cost:
                    best, best_cost = int(i), cost[a]
            new[s] = best
        if new == medoids:
            break
        medoids = new
    return medoids
