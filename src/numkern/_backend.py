"""Array-backend helpers: recognise CuPy arrays and route them to the CUDA module.

numkern keeps one rule: a NumPy array in gives a NumPy array out, a CuPy array in gives a CuPy array out on
the same device and stream. CuPy is never imported unless the caller already passed a CuPy array.
"""

from __future__ import annotations

import sys


def is_cupy_array(x) -> bool:
    """True when ``x`` is a CuPy ndarray (without importing CuPy when it is not loaded)."""
    cp = sys.modules.get("cupy")
    return cp is not None and isinstance(x, cp.ndarray)


def any_cupy(*arrays) -> bool:
    """True when any argument is a CuPy ndarray."""
    return any(is_cupy_array(a) for a in arrays)


def cuda_module():
    """Return ``numkern._cuda`` or raise a clear error explaining why GPU input cannot be handled."""
    from ._config import _cuda_module

    mod = _cuda_module()
    if mod is None:
        raise RuntimeError(
            "a CuPy array was passed but numkern was built without CUDA; reinstall with a CUDA compiler "
            "available (NUMKERN_CUDA=ON pip install .) or pass a NumPy array"
        )
    return mod


def current_stream_ptr() -> int:
    """The raw cudaStream_t of CuPy's current stream (0 for the legacy default stream)."""
    import cupy as cp

    return int(cp.cuda.get_current_stream().ptr)


def is_dask_array(x) -> bool:
    """True when ``x`` is a ``dask.array.Array`` (without importing Dask when it is not loaded)."""
    da = sys.modules.get("dask.array")
    return da is not None and isinstance(x, da.Array)


def any_dask(*arrays) -> bool:
    """True when any argument is a dask array: such calls go to the distributed implementations."""
    return any(is_dask_array(a) for a in arrays)
