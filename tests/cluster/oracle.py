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


def swap_deltas(D, medoids, w=None, loss=None):
    """d(loss) of every (candidate o, slot m) swap, re-evaluated from scratch (inf for medoids), and the loss.

    ``loss(D, medoids)`` defaults to TD with weights ``w``."""
    loss = loss or (lambda D, m: total_deviation(D, m, w))
    n, k = D.shape[0], len(medoids)
    td = loss(D, medoids)
    delta = np.full((n, k), np.inf)
    for o in range(n):
        if o in medoids:
            continue
        for m in range(k):
            trial = list(medoids)
            trial[m] = o
            delta[o, m] = loss(D, trial) - td
    return delta, td


def naive_pam(D, k=None, medoids=None, w=None, max_iter=1000):
    """BUILD (unless `medoids` is given) + PAM's best-improvement SWAP. Returns (medoids, loss, n_swap)."""
    medoids = list(naive_build(D, k, w) if medoids is None else medoids)
    medoids, n_swap = naive_swap_search(D, medoids, lambda D, m: total_deviation(D, m, w), max_iter)
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


# ---------------------------------------------------------------------------------------- silhouettes
def naive_silhouette(D, labels):
    """s(i) from the definition (Rousseeuw 1987), row i = d(i, .): 0 for singletons, a = b = 0 and one cluster."""
    n = D.shape[0]
    labels = np.asarray(labels)
    s = np.zeros(n)
    for i in range(n):
        own = labels == labels[i]
        if own.sum() <= 1:
            continue
        others = [np.mean([D[i, j] for j in range(n) if labels[j] == c]) for c in set(labels.tolist()) - {labels[i]}]
        if not others:
            continue
        a = sum(D[i, j] for j in range(n) if own[j] and j != i) / (own.sum() - 1)
        b = min(others)
        s[i] = 0.0 if max(a, b) == 0 else (b - a) / max(a, b)
    return s


def naive_medoid_ratios(D, medoids):
    """d1/d2 of every object (row = medoid), 0 where d2 is 0 or missing."""
    d = np.sort(D[list(medoids)], axis=0)
    if d.shape[0] < 2:
        return np.zeros(D.shape[0])
    return np.array([a / b if b > 0 else 0.0 for a, b in zip(d[0], d[1])])


def silhouette_loss(D, medoids):
    """PAMSIL's loss: sum_i (1 - s(i)) of the nearest-medoid labels (lowest slot on ties)."""
    return float((1.0 - naive_silhouette(D, np.argmin(D[list(medoids)], axis=0))).sum())


def medoid_silhouette_loss(D, medoids):
    """PAMMEDSIL's loss: sum_j d1(j) / d2(j) = n (1 - AMS)."""
    return float(naive_medoid_ratios(D, medoids).sum())


def naive_swap_search(D, medoids, loss, max_iter=1000):
    """Best-improvement swap search on any loss (PAMSIL, PAMMEDSIL): every (candidate, slot) re-evaluated from
    scratch, lowest candidate then slot within TIE * loss, accepted below -1e-12 loss. Returns (medoids, n_swap)."""
    medoids = list(medoids)
    n_swap = 0
    for _ in range(max_iter):
        delta, current = swap_deltas(D, medoids, loss=loss)
        if current <= 0:
            break
        o, m = np.unravel_index(first_within(delta, delta.min(), current), delta.shape)
        if not delta[o, m] < -1e-12 * current:
            break
        medoids[m] = int(o)
        n_swap += 1
    return medoids, n_swap
