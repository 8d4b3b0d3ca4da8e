"""Build and runtime configuration report (``numkern.show_config``)."""

from __future__ import annotations

import importlib
import platform
import sys


def _cuda_module():
    """Return the compiled CUDA module, or None when numkern was built without CUDA."""
    try:
        return importlib.import_module("numkern._cuda")
    except ImportError:
        return None


def cuda_built() -> bool:
    """True when the CUDA extension module was compiled into this installation."""
    return _cuda_module() is not None


def cuda_devices() -> list[str]:
    """Descriptions of the CUDA devices the runtime can see (empty without CUDA, a driver or a GPU)."""
    mod = _cuda_module()
    if mod is None:
        return []
    names, _error = mod.devices()
    return list(names)


def config_info() -> dict:
    """Return the configuration shown by :func:`show_config` as a dictionary."""
    from . import _core

    import numpy as np

    info = {
        "numkern": _core.version,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "numpy": np.__version__,
        "compiler": _core.compiler,
        "openmp": bool(_core.openmp),
        "openmp_version": _core.openmp_version,
        "openmp_threads": _core.max_threads(),
        "blas": blas_info(),
        "cuda_built": False,
        "cuda_architectures": None,
        "cuda_runtime": None,
        "cuda_driver": None,
        "cuda_devices": [],
        "cuda_error": "",
    }
    mod = _cuda_module()
    if mod is not None:
        names, error = mod.devices()
        driver = mod.driver_version()
        if not names and driver == 0:
            # cudart reports a missing libcuda as an "insufficient" driver; say what is actually the case.
            error = "no CUDA driver"
        info.update(
            cuda_built=True,
            cuda_architectures=mod.architectures.replace(",", ", "),
            cuda_runtime=_cuda_version_string(mod.runtime_version()),
            cuda_driver=_cuda_version_string(driver) if driver else None,
            cuda_devices=list(names),
            cuda_error=error,
        )
    return info


def _cuda_version_string(v: int) -> str:
    return f"{v // 1000}.{(v % 1000) // 10}"


def blas_info() -> str:
    """The BLAS behind numkern.kron's "blas" engine: scipy's, reached through ``scipy.linalg.cython_blas``."""
    import scipy

    try:
        dep = scipy.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except Exception:  # noqa: BLE001 - a report must not fail on an unusual scipy build
        return f"scipy {scipy.__version__}'s BLAS (details unavailable)"
    text = f"{dep.get('name', 'unknown')} {dep.get('version', '')}".strip()
    detail = dep.get("openblas configuration")
    return f"{text} (scipy {scipy.__version__}; {detail})" if detail else f"{text} (scipy {scipy.__version__})"


def show_config(file=None) -> None:
    """Print how numkern was built and what it can use at run time.

    Shows the numkern version, the C++ compiler, whether OpenMP is enabled and how many threads it will use
    (``OMP_NUM_THREADS`` and threadpoolctl are honoured), the BLAS that numkern.kron's products call (scipy's),
    whether the CUDA module was built and for which CUDA architectures, the CUDA driver, and the GPUs the CUDA
    runtime can see (or why it sees none, e.g. "no CUDA driver").

    Parameters
    ----------
    file : file-like, optional
        Where to print; defaults to ``sys.stdout``.

    Examples
    --------
    >>> import numkern
    >>> numkern.show_config()  # doctest: +SKIP
    numkern 0.1.0
      compiler        gcc 12.2.0
      openmp          yes (201511), 2 threads
      blas (kron)     scipy-openblas 0.3.30 (scipy 1.17.1; OpenBLAS 0.3.30 DYNAMIC_ARCH ... Haswell ...)
      cuda built      no
      cuda archs      not built
    """
    info = config_info()
    out = file if file is not None else sys.stdout
    omp = (
        f"yes ({info['openmp_version']}), {info['openmp_threads']} threads" if info["openmp"] else "no (1 thread)"
    )
    lines = [
        f"numkern {info['numkern']}",
        f"  python          {info['python']} ({info['platform']})",
        f"  numpy           {info['numpy']}",
        f"  compiler        {info['compiler']}",
        f"  openmp          {omp}",
        f"  blas (kron)     {info['blas']}",
    ]
    if info["cuda_built"]:
        lines.append(f"  cuda built      yes (runtime {info['cuda_runtime']})")
        lines.append(f"  cuda archs      {info['cuda_architectures']}")
        lines.append(f"  cuda driver     {info['cuda_driver'] or 'none'}")
        if info["cuda_devices"]:
            for i, name in enumerate(info["cuda_devices"]):
                lines.append(f"  gpu {i:<11} {name}")
        else:
            reason = info["cuda_error"] or "none found"
            lines.append(f"  gpus            none ({reason})")
    else:
        lines.append("  cuda built      no")
        lines.append("  cuda archs      not built")
    print("\n".join(lines), file=out)
