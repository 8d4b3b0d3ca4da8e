"""Fuzz profiles and the shared crash-isolating worker.

``NUMKERN_FUZZ=short`` (default, CI): the fixed corpus of hostile arguments plus a few derandomized Hypothesis
examples per function. ``NUMKERN_FUZZ=long``: many more random examples, with shrinking, for local runs.
``NUMKERN_FUZZ_TIMEOUT`` (seconds, default 10) is the per-call limit before a call counts as a hang.
"""

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

PROFILE = os.environ.get("NUMKERN_FUZZ", "short")
if PROFILE not in ("short", "long"):
    raise ValueError(f"NUMKERN_FUZZ must be 'short' or 'long', got {PROFILE!r}")

_COMMON = dict(deadline=None, database=None, suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
settings.register_profile("numkern-fuzz-short", max_examples=int(os.environ.get("NUMKERN_FUZZ_EXAMPLES", 12)),
                          derandomize=True, phases=[Phase.explicit, Phase.generate], **_COMMON)
settings.register_profile("numkern-fuzz-long", max_examples=int(os.environ.get("NUMKERN_FUZZ_EXAMPLES", 400)),
                          derandomize=False, **_COMMON)
FUZZ_SETTINGS = settings.get_profile(f"numkern-fuzz-{PROFILE}")


@pytest.fixture(scope="session")
def fuzz_worker():
    from harness import Worker

    worker = Worker()
    yield worker
    worker.close()
