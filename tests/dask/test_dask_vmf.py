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


def test_big_fit_within_worker_memory(fresh_workers, no_client_gather, big_normal):
    # 300 MB of unit rows (1171875 x 32) generated on the workers; each worker may hold 250 MB in all.
    z = big_normal((1_171_875, 32), chunks=(25_000, 32), seed=4) + 0.05
    X = z / da.linalg.norm(z, axis=1, keepdims=True)
    w = da.random.default_rng(5).uniform(0.5, 1.5, 1_171_875, chunks=25_000)
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


def _mixture_data():
    pytest.importorskip("sklearn")
    d = 16
    X = np.vstack([vmf(np.eye(d)[i], 30.0).rvs(1500, random_state=i) for i in range(3)]) * 2.0
    np.random.default_rng(0).shuffle(X)
    return X


def test_mixture_fit_predict_match_in_memory(client, no_client_gather):
    # n <= 10000: the initialisation sample is all rows, so the EM starts where the in-memory EM starts and
    # every iterate agrees to rounding (one distributed pass per iteration).
    from numkern.stats import VonMisesFisherMixture

    X = _mixture_data()
    w = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0])
    Xd = da.from_array(X, chunks=(1000, 8))
    for weights in (None, w):
        m0 = VonMisesFisherMixture(3, random_state=0).fit(X, sample_weight=weights)
        with no_client_gather():
            m1 = VonMisesFisherMixture(3, random_state=0).fit(Xd, sample_weight=weights)
            labels, proba, logp = m1.predict(Xd), m1.predict_proba(Xd), m1.score_samples(Xd)
        assert m1.n_iter_ == m0.n_iter_ and m1.converged_ == m0.converged_
        np.testing.assert_allclose(m1.weights_, m0.weights_, rtol=1e-12)
        np.testing.assert_allclose(m1.means_, m0.means_, atol=1e-13)
        np.testing.assert_allclose(m1.concentrations_, m0.concentrations_, rtol=1e-11)
        assert m1.lower_bound_ == pytest.approx(m0.lower_bound_, rel=1e-13)
        assert all(isinstance(a, da.Array) for a in (labels, proba, logp))
        np.testing.assert_array_equal(labels.compute(), m1.predict(X))
        np.testing.assert_allclose(proba.compute(), m1.predict_proba(X), atol=1e-14)
        np.testing.assert_allclose(logp.compute(), m1.score_samples(X), rtol=1e-14)
        assert m1.bic(Xd) == pytest.approx(m1.bic(X), rel=1e-12)


def test_mixture_bad_input():
    from numkern.stats import VonMisesFisherMixture

    X = _mixture_data()
    Xn = X.copy()
    Xn[7, 2] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        VonMisesFisherMixture(2, random_state=0).fit(da.from_array(Xn, chunks=1000))
    with pytest.raises(ValueError, match="norm 1"):
        VonMisesFisherMixture(2, normalize=False, random_state=0).fit(da.from_array(X, chunks=1000))
    with pytest.raises(ValueError, match="non-negative"):
        VonMisesFisherMixture(2).fit(da.from_array(X, chunks=1000), sample_weight=-np.ones(len(X)))
    model = VonMisesFisherMixture(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="expecting 16 features"):
        model.predict(da.ones((10, 5)))
