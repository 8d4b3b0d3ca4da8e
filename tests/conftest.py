"""Shared test configuration.

Hypothesis runs a bounded number of examples in CI (fast, deterministic with derandomize) and more locally
when HYPOTHESIS_PROFILE=thorough is set.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def _have_gpu() -> bool:
    from numkern._config import cuda_devices

    if not cuda_devices():
        return False
    try:
        import cupy  # noqa: F401
    except ImportError:
        return False
    return True


def pytest_collection_modifyitems(config, items):
    if any("cuda" in item.keywords for item in items) and not _have_gpu():
        skip = pytest.mark.skip(reason="needs the numkern CUDA module, a CUDA GPU and CuPy")
        for item in items:
            if "cuda" in item.keywords:
                item.add_marker(skip)
