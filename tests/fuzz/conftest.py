"""The shared crash-isolating worker of the fuzz tests (profiles: see fuzzing.py).

This directory goes on sys.path so that the worker and the tests import the same ``specs``/``targets`` modules.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def fuzz_worker():
    from harness import Worker

    worker = Worker()
    yield worker
    worker.close()
