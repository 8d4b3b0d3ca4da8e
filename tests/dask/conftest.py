"""A real dask.distributed cluster for the scale-out tests: two worker processes with one thread each.

Each worker's memory limit (250 MB, of which ~85 MB is the interpreter with numpy, dask and numkern, ~145 MB once
scikit-learn is imported) is smaller than the 300 MB data sets of the ``big`` tests, so a computation that gathers the data into one worker is killed by
the nanny and the test fails (``test_memory_limit_trips_a_gather`` checks that it does). Gathers into the client
are caught by ``no_client_gather``, which makes ``numpy.asarray(dask_array)`` raise inside numkern's calls.
"""

import contextlib

import pytest

dask = pytest.importorskip("dask")
pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

MEMORY_LIMIT = "250MB"
BIG_BYTES = 300e6


# Module scope: a client stays the process's default dask scheduler while it lives, so one kept for the session
# sent every later test's dask computations (tests/special, tests/integrate, ...) to these worker processes.
@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.worker.memory.target": False, "distributed.worker.memory.spill": False,
                          "distributed.worker.memory.pause": False, "distributed.worker.memory.terminate": 0.95,
                          "distributed.scheduler.allowed-failures": 0,
                          # Fail instead of hanging if the workers are gone (a test run must end by itself).
                          "distributed.scheduler.no-workers-timeout": "60s"}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=MEMORY_LIMIT,
                               dashboard_address=None, silence_logs=50)
        with Client(cluster) as c:
            yield c
        cluster.close()


@contextlib.contextmanager
def _no_gather():
    original = da.Array.__array__

    def refuse(self, *args, **kwargs):
        raise AssertionError("a dask array was converted to NumPy in the client (silent gather)")

    da.Array.__array__ = refuse
    try:
        yield
    finally:
        da.Array.__array__ = original


@pytest.fixture
def no_client_gather():
    """A context manager: inside it, numpy.asarray(dask_array) raises (numkern must stay lazy)."""
    return _no_gather


@pytest.fixture
def fresh_workers(client):
    """The cluster with both workers up (the nanny restarts one that test_memory_limit_trips_a_gather killed)."""
    client.wait_for_workers(2, timeout=120)
    return client


@pytest.fixture
def big_normal():
    """Standard normal data generated lazily on the workers (never in the client): big_normal(shape, chunks)."""
    def make(shape, chunks, seed=0):
        return da.random.default_rng(seed).standard_normal(shape, chunks=chunks)
    return make
