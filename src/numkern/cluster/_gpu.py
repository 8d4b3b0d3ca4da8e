"""k-medoids on a CuPy dissimilarity matrix: BUILD and FastPAM1 SWAP with the O(n^2) passes on the GPU.

The two O(n^2) steps -- BUILD's gains and the FastPAM1 candidate pass (dTD for every candidate and slot) --
run as CUDA kernels (cuda/cluster.cu); the O(k n) bookkeeping (nearest / second-nearest medoid, removal
losses) and the argmin choices are array operations. The driver is written against an array namespace
``xp`` and two kernel callables, so the tests run it with NumPy reference kernels on machines without a GPU.
"""

from __future__ import annotations

import numpy as np

SWAP_REL_TOL = 1e-12


def nearest_cache(xp, D, medoids, w):
    """near (slot, lowest on ties), dn, ds, removal losses and TD for the medoids (rows of D)."""
    n, k = D.shape[0], len(medoids)
    Dm = D[xp.asarray(medoids)].astype(xp.float64)
    cols = xp.arange(n)
    near = xp.argmin(Dm, axis=0)
    dn = Dm[near, cols]
    if k > 1:
        Dm[near, cols] = xp.inf
        ds = Dm.min(axis=0)
        removal = xp.bincount(near, weights=w * (ds - dn), minlength=k)
    else:
        ds = xp.full(n, xp.inf)
        removal = xp.zeros(1)
    return near.astype(xp.int32), dn, ds, removal, float((w * dn).sum())


def pam_driver(xp, D, k, initial, w, max_iter, swap_deltas, build_gain, build_only=False):
    """BUILD (unless `initial`) + best-improvement SWAP; same rules as the CPU (lowest index, 1e-12 TD).

    ``swap_deltas(near, dn, ds, removal, is_medoid) -> (n, k)`` and ``build_gain(dn or None, is_medoid) -> (n,)``
    are the kernels. Returns (medoids, labels, loss, n_iter, n_swap) with arrays in ``xp``.
    """
    n = D.shape[0]
    is_medoid = xp.zeros(n, dtype=xp.uint8)
    if initial is None:
        medoids, dn = [], None
        for _ in range(k):
            pick = int(xp.argmin(build_gain(dn, is_medoid)))  # first minimum = lowest index
            if is_medoid[pick]:  # only if every gain is +inf (sums beyond DBL_MAX): the lowest non-medoid
                pick = int(xp.argmin(is_medoid))
            medoids.append(pick)
            is_medoid[pick] = 1
            row = D[pick].astype(xp.float64)
            dn = row if dn is None else xp.minimum(dn, row)
    else:
        medoids = [int(m) for m in initial]
        is_medoid[xp.asarray(medoids)] = 1
    n_iter = n_swap = 0
    while not build_only and n_iter < max_iter and k < n:
        near, dn, ds, removal, td = nearest_cache(xp, D, medoids, w)
        if td <= 0:
            break
        n_iter += 1
        delta = swap_deltas(near, dn, ds, removal, is_medoid)
        flat = int(xp.argmin(delta))  # row-major: lowest candidate, then lowest slot
        o, m = divmod(flat, k)
        if not float(delta[o, m]) < -SWAP_REL_TOL * td:
            break
        is_medoid[medoids[m]] = 0
        is_medoid[o] = 1
        medoids[m] = o
        n_swap += 1
    med = xp.asarray(medoids, dtype=xp.int64)
    Dm = D[med].astype(xp.float64)
    labels = xp.argmin(Dm, axis=0).astype(xp.int64)
    loss = float((w * Dm.min(axis=0)).sum())
    return med, labels, loss, n_iter, n_swap


def run_cupy(algorithm, D, medoids, init, max_iter, sample_weight):
    """Validate a CuPy matrix and run BUILD / PAM = FastPAM1 on the GPU."""
    import cupy as cp

    from .._backend import cuda_module, current_stream_ptr
    from . import _validation as v
    from ._kmedoids import _scaled_weights, _unscaled_loss, _weight_exponent

    if algorithm not in ("pam", "fastpam1", "build"):
        raise TypeError(f"CuPy input is supported by pam, fastpam1 and build, not {algorithm}; pass a NumPy array")
    if D.dtype not in (cp.float32, cp.float64):
        raise TypeError(f"diss must be float32 or float64 on the GPU, got dtype {D.dtype}")
    if D.ndim != 2 or D.shape[0] != D.shape[1] or D.shape[0] == 0:
        raise ValueError(f"diss must be a non-empty square dissimilarity matrix, got shape {D.shape}")
    if not bool(cp.all((D >= 0) & cp.isfinite(D))):
        raise ValueError("diss must be finite and non-negative (found NaN, inf or a negative value)")
    D = cp.ascontiguousarray(D)
    n = D.shape[0]
    k, initial = v.check_medoids(medoids if not isinstance(medoids, cp.ndarray) else medoids.get(), n)
    if initial is None and v.check_init(init, "build") != v.INITS["build"]:
        raise ValueError("init must be 'build' (or an array of medoids) for CuPy input")
    if initial is not None and init is not None:
        raise ValueError("init must be None when medoids is an array of initial medoids")
    w_host = v.check_weights(sample_weight if not isinstance(sample_weight, cp.ndarray) else sample_weight.get(), n)
    if w_host is not None and not w_host.all():
        raise ValueError("sample_weight must be positive for CuPy input")
    # The CPU path's overflow guard: weights scaled by a power of two where the sums could overflow.
    weight_exponent = _weight_exponent(n, w_host, float(D.max()))
    w_host = _scaled_weights(n, w_host, weight_exponent)
    w = cp.ones(n) if w_host is None else cp.asarray(w_host)
    w_ptr = 0 if w_host is None else w.data.ptr
    mod = cuda_module()
    stream = current_stream_ptr()
    is_f32 = D.dtype == cp.float32

    def swap_deltas(near, dn, ds, removal, is_medoid):
        out = cp.empty((n, k), dtype=cp.float64)
        mod.cluster_swap_deltas(D.data.ptr, is_f32, n, k, near.data.ptr, dn.data.ptr, ds.data.ptr, removal.data.ptr,
                                is_medoid.data.ptr, w_ptr, out.data.ptr, stream)
        return out

    def build_gain(dn, is_medoid):
        out = cp.empty(n, dtype=cp.float64)
        mod.cluster_build_gain(D.data.ptr, is_f32, n, 0 if dn is None else dn.data.ptr, is_medoid.data.ptr, w_ptr,
                               out.data.ptr, stream)
        return out

    med, labels, loss, n_iter, n_swap = pam_driver(cp, D, k, initial, w, v.check_max_iter(max_iter), swap_deltas,
                                                   build_gain, build_only=algorithm == "build")
    return med, labels, _unscaled_loss(loss, weight_exponent), n_iter, n_swap


def numpy_reference_kernels(D, w):
    """The two kernels in NumPy (same formulas as cuda/cluster.cu), for testing `pam_driver` without a GPU."""
    D64 = np.asarray(D, dtype=np.float64)
    n = D64.shape[0]

    def swap_deltas(near, dn, ds, removal, is_medoid):
        k = removal.shape[0]
        out = np.empty((n, k))
        for o in range(n):
            d = D64[o]
            if k == 1:
                out[o] = (w * (d - dn)).sum()
            else:
                closer = d < dn
                shared = (w * np.where(closer, d - dn, 0.0)).sum()
                corr = np.where(closer, dn - ds, np.where(d < ds, d - ds, 0.0)) * w
                out[o] = removal + np.bincount(near, weights=corr, minlength=k) + shared
        out[is_medoid.astype(bool)] = np.inf
        return out

    def build_gain(dn, is_medoid):
        g = (D64 * w).sum(axis=1) if dn is None else (np.minimum(D64 - dn[None, :], 0.0) * w).sum(axis=1)
        g[is_medoid.astype(bool)] = np.inf
        return g

    return swap_deltas, build_gain
