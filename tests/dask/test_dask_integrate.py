"""integrate rules on dask arrays: lazy, equal to the in-memory rules, never gathered."""

import numpy as np
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
pytest.importorskip("distributed")

import numkern.integrate as ni  # noqa: E402

RULES = [
    (ni.trapezoid, {}),
    (ni.simpson, {}),
    (ni.cumulative_trapezoid, {}),
    (ni.cumulative_trapezoid, {"initial": 0}),
    (ni.cumulative_simpson, {}),
    (ni.cumulative_simpson, {"initial": 1.5}),
]


def _cases(y, x, chunk, scheduler_ok=True):
    yd = da.from_array(y, chunks=(2, chunk))
    graphs, refs = [], []
    for fn, kw in RULES:
        for xa, xd in [(None, None), (x, x), (x, da.from_array(x, chunks=chunk))]:
            for dx in (1.0, 0.3):
                got = fn(yd, x=xd, dx=dx, **kw)
                assert isinstance(got, da.Array)
                graphs.append(got)
                refs.append(fn(y, x=xa, dx=dx, **kw))
    return graphs, refs


def _check(refs, gots):
    for ref, got in zip(refs, gots):
        assert got.shape == ref.shape and got.dtype == ref.dtype
        np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7, 10])
def test_rules_match_in_memory_any_chunking(n, no_client_gather):
    # Chunk boundaries at every parity (Simpson panels split mid-panel, Cartwright's tail in its own chunk):
    # the window logic, checked with the synchronous scheduler (fast); the cluster runs test_rules_on_cluster.
    rng = np.random.default_rng(n)
    y = rng.standard_normal((3, n))
    x = np.cumsum(rng.uniform(0.1, 1.0, n))
    for chunk in (1, 2, 3):
        with no_client_gather():
            graphs, refs = _cases(y, x, chunk)
        _check(refs, dask.compute(*graphs, scheduler="sync"))


def test_rules_on_cluster(client, no_client_gather):
    rng = np.random.default_rng(3)
    y = rng.standard_normal((3, 11))
    x = np.cumsum(rng.uniform(0.1, 1.0, 11))
    with no_client_gather():
        graphs, refs = _cases(y, x, 3)
    _check(refs, client.compute(graphs, sync=True))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_nd_float32_every_axis(axis):
    rng = np.random.default_rng(7)
    y = rng.standard_normal((13, 6, 9)).astype(np.float32)
    yd = da.from_array(y, chunks=(4, 3, 4))
    for fn, kw in RULES:
        ref = fn(y, axis=axis, **kw)
        got = fn(yd, axis=axis, **kw).compute(scheduler="sync")
        assert got.dtype == ref.dtype and got.shape == ref.shape
        np.testing.assert_allclose(got, ref, rtol=2e-6, atol=2e-6)


def test_special_dx_and_integer_y():
    y = np.arange(30).reshape(3, 10) % 7
    yd = da.from_array(y, chunks=(3, 3))
    np.testing.assert_allclose(ni.simpson(yd, dx=2j).compute(scheduler="sync"), ni.simpson(y, dx=2j), rtol=1e-14)
    np.testing.assert_array_equal(ni.trapezoid(yd, dx=np.inf).compute(scheduler="sync"), ni.trapezoid(y, dx=np.inf))


def test_big_trapezoid_within_worker_memory(fresh_workers, no_client_gather, big_normal):
    # 300 MB (37.5e6 float64) chunked along both axes, workers limited to 250 MB: a gather would be killed.
    y = big_normal((6000, 6250), chunks=(750, 625))
    with no_client_gather():
        t = ni.trapezoid(y, axis=0)
        s = ni.simpson(y, axis=1)
        c = ni.cumulative_trapezoid(y, axis=0)[-1]
    # The same integrals with dask's own arithmetic (for unit spacing): sum minus half the end samples.
    t_ref = y.sum(axis=0) - (y[0] + y[-1]) / 2
    t_exp = t_ref.compute()  # one graph at a time: each regenerates the data chunk by chunk on the workers
    np.testing.assert_allclose(t.compute(), t_exp, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(c.compute(), t_exp, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(s.compute()[:3], ni.simpson(y[:3].compute(), axis=1), rtol=1e-12)


def test_bad_input():
    y = da.ones((6, 8), chunks=3)
    with pytest.raises(TypeError, match="pass y as a dask array"):
        ni.trapezoid(np.ones(8), x=da.arange(8))
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        ni.trapezoid(y[y[:, 0] > 0])
    with pytest.raises(ValueError, match="x must be 1-D"):
        ni.simpson(y, x=np.ones((6, 8)))
    with pytest.raises(ValueError, match="scalar dx"):
        ni.cumulative_trapezoid(y, dx=np.ones(7))
    with pytest.raises(TypeError, match="y: dtype complex128"):
        ni.trapezoid(y.astype(complex))
    with pytest.raises(TypeError, match="y: the dask array's chunks"):
        ni.trapezoid(y.map_blocks(np.ma.masked_array))
    with pytest.raises(ValueError, match="length 5 does not match"):
        ni.trapezoid(y, x=np.arange(5.0))
    with pytest.raises(ValueError, match="strictly increasing"):
        ni.cumulative_simpson(y, x=da.from_array(np.array([0, 1, 1, 2, 3, 4, 5, 6.0]), chunks=3)).compute(
            scheduler="sync")


def test_memory_limit_trips_a_gather(fresh_workers, big_normal):
    # The premise of the big tests: pulling the 300 MB data set into one task exceeds a worker's limit.
    y = big_normal((6000, 6250), chunks=(750, 625))
    with pytest.raises(Exception) as info:
        y.rechunk((6000, 6250)).sum().compute()
    # the worker dies (KilledWorker), or, in newer distributed, the scheduler refuses the task up front
    err = info.value
    assert ("KilledWorker" in type(err).__name__ or "killed" in str(err).lower()
            or (isinstance(err, MemoryError) and "memory_limit" in str(err))), repr(err)
