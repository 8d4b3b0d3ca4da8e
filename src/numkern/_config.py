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
        "cuda_built": False,
        "cuda_runtime": None,
        "cuda_devices": [],
        "cuda_error": "",
    }
    mod = _cuda_module()
    if mod is not None:
        names, error = mod.devices()
        rt = mod.runtime_version()
        info.update(
            cuda_built=True,
            cuda_runtime=f"{rt // 1000}.{(rt % 1000) // 10}",
            cuda_devices=list(names),
            cuda_error=error,
        )
    return info


def show_config(file=None) -> None:
    """Print how numkern was built and what it can use at run time.

    Shows the numkern version, the C++ compiler, whether OpenMP is enabled and how many threads it will use
    (``OMP_NUM_THREADS`` and threadpoolctl are honoured), whether the CUDA module was built, and the GPUs
    the CUDA runtime can see.

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
      cuda built      no
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
    ]
    if info["cuda_built"]:
        lines.append(f"  cuda built      yes (runtime {info['cuda_runtime']})")
        if info["cuda_devices"]:
            for i, name in enumerate(info["cuda_devices"]):
                lines.append(f"  gpu {i:<11} {name}")
        else:
            reason = info["cuda_error"] or "none found"
            lines.append(f"  gpus            none ({reason})")
    else:
        lines.append("  cuda built      no")
    print("\n".join(lines), file=out)
