"""vonmises_fisher.fit on dask arrays: one distributed pass, equal to the in-memory fit."""

import numpy as np
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
pytest.importorskip("distributed")

from numkern.stats import vonmises_fisher as vmf  # noqa: E402


@pytest.mark.parametrize("kappa", [0.3, 40.0, 2000.0])  # r < 0.99 and r > 0.99 (the 1 - r without cancellation)
def test_fit_matches_in_memory(client, no_client_gather, kappa):
    X = vmf(np.eye(12)[3], kappa).rvs(4000, random_state=5)
    w = np.random.default_rng(6).uniform(0.0, 3.0, 4000)
    for weights, dweights in [(None, None), (w, w), (w, da.from_array(w, chunks=900))]:
        mu0, k0 = vmf.fit(X, weights)
        for chunks in [(1000, 12), (777, 5)]:  # column-chunked input is rechunked to whole rows
            with no_client_gather():
                mu1, k1 = vmf.fit(da.from_array(X, chunks=chunks), dweights)
            # kappa's sensitivity to the rounding of r is ~ eps / (1 - r): 1e-12 holds for these kappas.
            assert abs(k1 - k0) <= 1e-12 * k0
            np.testing.assert_allclose(mu1, mu0, rtol=0, atol=1e-14)


def test_fit_float32(client):
    X = vmf(np.eye(5)[0], 10.0).rvs(3000, random_state=2).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    mu0, k0 = vmf.fit(X)
    mu1, k1 = vmf.fit(da.from_array(X, chunks=700))
    assert abs(k1 - k0) <= 1e-12 * k0
    np.testing.assert_allclose(mu1, mu0, atol=1e-14)


def test_big_fit_within_worker_memory(client, no_client_gather, big_normal):
    # 200 MB of unit rows (781250 x 32) generated on the workers; each worker may hold 160 MB in all.
    z = big_normal((781_250, 32), chunks=(25_000, 32), seed=4) + 0.05
    X = z / da.linalg.norm(z, axis=1, keepdims=True)
    w = da.random.default_rng(5).uniform(0.5, 1.5, 781_250, chunks=25_000)
    with no_client_gather():
        mu, kappa = vmf.fit(X, w)
    total = (X * w[:, None]).sum(axis=0).compute()
    mean = total / w.sum().compute()
    np.testing.assert_allclose(mu, mean / np.linalg.norm(mean), rtol=1e-10, atol=1e-12)
    from numkern.stats import inverse_mean_resultant_length
    assert kappa == pytest.approx(float(inverse_mean_resultant_length(32, np.linalg.norm(mean))), rel=1e-9)


def test_bad_input():
    X = vmf(np.eye(3)[0], 5.0).rvs(100, random_state=1)
    Xb = X.copy()
    Xb[70] *= 2
    with pytest.raises(ValueError, match=r"1 of 100 are not, e.g. x\[70\]"):
        vmf.fit(da.from_array(Xb, chunks=30))
    Xn = X.copy()
    Xn[5, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        vmf.fit(da.from_array(Xn, chunks=30))
    with pytest.raises(TypeError, match="pass x as a dask array"):
        vmf.fit(X, da.ones(100))
    with pytest.raises(ValueError, match="non-negative"):
        vmf.fit(da.from_array(X, chunks=30), -np.ones(100))
    with pytest.raises(ValueError, match="must not all be zero"):
        vmf.fit(da.from_array(X, chunks=30), np.zeros(100))
    with pytest.raises(ValueError, match="100 rows"):
        vmf.fit(da.from_array(X, chunks=30), np.ones(7))
    Xd = da.from_array(X, chunks=30)
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        vmf.fit(Xd[Xd[:, 0] > 0])
    with pytest.raises(TypeError, match="real array"):
        vmf.fit(Xd.astype(complex))
