"""k-medoids on a CuPy dissimilarity matrix: PAM / FastPAM1 / BUILD with the O(n^2) passes on the GPU.

Python only validates and scales the weights; the driver is numkern/cluster/offload.hpp (the CPU's choices and
bookkeeping, run on the host) and its passes are the kernels of cuda/cluster.cu, which call the same
per-object terms as the CPU pass (numkern/cluster/swap_term.hpp). The tests run that driver with CPU passes
(``numkern._cluster.pam_offload_reference``).
"""

from __future__ import annotations


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
    w_dev = None if w_host is None else cp.asarray(w_host, dtype=cp.float64)
    initial = [] if initial is None else [int(m) for m in initial]
    med, labels, loss, n_iter, n_swap = cuda_module().cluster_pam(
        D.data.ptr, D.dtype == cp.float32, n, k, initial, 0 if w_dev is None else w_dev.data.ptr,
        None if w_host is None else w_host.tolist(), v.check_max_iter(max_iter), algorithm == "build",
        current_stream_ptr())
    med, labels = cp.asarray(med), cp.asarray(labels)
    return med, labels, _unscaled_loss(loss, weight_exponent), n_iter, n_swap
