"""The "Coming from scipy / kmedoids / spherecluster / scikit-learn-extra" page (docs/guide/migrating.rst) stays true.

The page's ``>>>`` examples run as a doctest, every ``numkern.*`` name it mentions must exist, and each one-line
swap and behaviour difference it claims is checked here against the library it replaces (scipy always; kmedoids
where installed).
"""

from __future__ import annotations

import doctest
import inspect
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.integrate as si
import scipy.sparse as sp
import scipy.special as sc
import scipy.stats as ss

PAGE = Path(__file__).resolve().parents[1] / "docs" / "guide" / "migrating.rst"


def test_page_examples_run_as_written():
    result = doctest.testfile(str(PAGE), module_relative=False, verbose=False, report=True,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted >= 40  # the examples were found (a format change would silently drop them)


def test_every_numkern_name_on_the_page_exists():
    import importlib

    names = set(re.findall(r"numkern\.(\w+)\.(\w+)", PAGE.read_text()))
    assert len(names) >= 15
    for sub, attr in sorted(names):
        module = importlib.import_module(f"numkern.{sub}")
        assert hasattr(module, attr), f"numkern.{sub}.{attr} is named on the page but does not exist"


# --- scipy.special --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ours, theirs", [("log_iv", "iv"), ("log_ive", "ive"), ("log_kv", "kv"), ("log_kve", "kve")])
def test_log_bessel_swaps_match_log_of_scipy_where_finite(ours, theirs):
    import numkern.special as nks

    v = np.array([0.0, 0.3, 1.0, 2.5, 10.0, 40.0])[:, None]
    x = np.array([0.05, 0.7, 1.0, 3.3, 12.0, 60.0])[None, :]
    with np.errstate(all="ignore"):
        ref = np.log(getattr(sc, theirs)(v, x))
    got = getattr(nks, ours)(v, x)
    assert np.all(np.isfinite(ref))
    np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-13)


def test_log_iv_finite_where_scipy_overflows_and_values_follow_scipy_conventions():
    from numkern.special import iv_ratio, log_iv, log_kv

    with np.errstate(all="ignore"):
        assert np.isinf(np.log(sc.iv(100, 1000.0))) and np.isinf(np.log(sc.iv(1000, 1.0)))
        assert np.isnan(sc.ive(2001, 10.0) / sc.ive(2000, 10.0))
    # large-argument closed form of I_{1/2}: log I = x - log(2) + 0.5 log(2 / (pi x)) (+ log1p(-e^{-2x}) ~ 0)
    x = 1e5
    assert log_iv(0.5, x) == pytest.approx(x - np.log(2) + 0.5 * np.log(2 / (np.pi * x)), rel=1e-15)
    # iv_ratio(2000, 10) against mpmath's 30-digit value
    assert iv_ratio(2000, 10.0) == pytest.approx(0.00249873503108926831448737748734, rel=1e-14)
    assert log_iv(1, 0.0) == -np.inf and log_kv(0, 0.0) == np.inf
    assert np.isnan(log_iv(1, -1.0))
    assert log_iv(np.float32(3), np.float32(2)).dtype == np.float32
    with pytest.raises(TypeError):
        log_iv(1, 1 + 1j)


# --- scipy.stats.vonmises_fisher ------------------------------------------------------------------------------

def test_vonmises_fisher_fit_swap():
    from numkern.stats import vonmises_fisher

    X = ss.vonmises_fisher([0.0, 0.6, 0.8], 5.0).rvs(400, random_state=3)
    mu, kappa = vonmises_fisher.fit(X)
    mu_s, kappa_s = ss.vonmises_fisher.fit(X)
    np.testing.assert_allclose(mu, mu_s, rtol=1e-12)
    assert kappa == pytest.approx(kappa_s, rel=1e-10)
    # high dimension: scipy's fit collapses to 1e-8, numkern's is within a few percent of the truth
    d, true_kappa = 100, 250.0
    Xh = vonmises_fisher(np.eye(d)[3], true_kappa).rvs(2000, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ss.vonmises_fisher.fit(Xh)[1] < 1e-6
    mu_h, kappa_h = vonmises_fisher.fit(Xh)
    assert kappa_h == pytest.approx(true_kappa, rel=0.05)
    assert mu_h[3] > 0.99
    # same frozen interface: logpdf agrees with scipy where scipy is accurate
    xs = ss.vonmises_fisher([1.0, 0.0, 0.0], 2.0).rvs(5, random_state=0)
    np.testing.assert_allclose(vonmises_fisher([1.0, 0.0, 0.0], 2.0).logpdf(xs),
                               ss.vonmises_fisher([1.0, 0.0, 0.0], 2.0).logpdf(xs), rtol=1e-12)


# --- scipy.integrate ------------------------------------------------------------------------------------------

def test_integrate_swaps_match_scipy():
    import numkern.integrate as ni

    rng = np.random.default_rng(0)
    y = rng.standard_normal((4, 37))
    x = np.sort(rng.uniform(0, 3, 37))
    for n in (36, 37):  # Simpson for an even and an odd number of samples
        np.testing.assert_allclose(ni.trapezoid(y[:, :n], x[:n], axis=1), si.trapezoid(y[:, :n], x[:n], axis=1),
                                   rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(ni.simpson(y[:, :n], x=x[:n], axis=1), si.simpson(y[:, :n], x=x[:n], axis=1),
                                   rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(ni.cumulative_trapezoid(y[:, :n], x[:n], axis=1, initial=0),
                                   si.cumulative_trapezoid(y[:, :n], x[:n], axis=1, initial=0), rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(ni.cumulative_simpson(y[:, :n], x=x[:n], axis=1),
                                   si.cumulative_simpson(y[:, :n], x=x[:n], axis=1), rtol=1e-12, atol=1e-13)
    masked = np.ma.masked_array([1.0, 2.0, 3.0, 4.0, 6.0], mask=[0, 1, 0, 0, 0])
    assert float(ni.trapezoid(masked)) == pytest.approx(float(si.trapezoid(masked)), rel=1e-15)


# --- scipy.sparse ---------------------------------------------------------------------------------------------

def test_sparse_matmul_swap():
    from numkern.sparse import matmul

    A = sp.random_array((120, 90), density=0.05, format="csr", rng=1)
    B = sp.random_array((90, 70), density=0.05, format="csc", rng=2)
    C, ref = matmul(A, B), (A @ B).tocsr()
    ref.sort_indices()
    assert type(C) is sp.csr_array and C.has_sorted_indices
    assert np.array_equal(C.indptr, ref.indptr) and np.array_equal(C.indices, ref.indices)
    assert np.array_equal(C.data, ref.data)
    assert type(matmul(sp.csr_matrix(A), sp.csr_matrix(B))) is sp.csr_matrix
    two = matmul(A, B, n_threads=2)
    assert np.array_equal(two.data, C.data) and np.array_equal(two.indices, C.indices)
    with pytest.raises(TypeError):
        matmul(A, np.ones((90, 2)))


# --- shared rules ---------------------------------------------------------------------------------------------

def test_shared_n_threads_and_random_state_rules():
    from numkern.cluster import fasterpam
    from numkern.integrate import trapezoid
    from numkern.sparse import matmul
    from numkern.stats import vonmises_fisher

    A = sp.random_array((30, 30), density=0.2, format="csr", rng=0)
    D = np.abs(np.subtract.outer(np.arange(12.0), np.arange(12.0)))
    calls = [lambda t: trapezoid(np.ones((3, 5)), n_threads=t), lambda t: matmul(A, A, n_threads=t),
             lambda t: fasterpam(D, 2, random_state=0, n_threads=t)]
    for call in calls:
        call(-1)
        call(np.int64(2))
        for bad in (True, 2.0):
            with pytest.raises(TypeError, match="n_threads"):
                call(bad)
        for bad in (0, -2):
            with pytest.raises(ValueError, match="n_threads"):
                call(bad)
    seq = np.random.SeedSequence(5)
    assert np.array_equal(fasterpam(D, 2, random_state=seq).medoids, fasterpam(D, 2, random_state=5).medoids)
    vonmises_fisher([0.0, 1.0], 1.0).rvs(3, random_state=seq)
    with pytest.raises(TypeError, match="random_state"):
        fasterpam(D, 2, random_state=1.5)


# --- kmedoids / scikit-learn-extra / spherecluster ------------------------------------------------------------

def _blobs(seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(c, 0.6, (25, 2)) for c in ((0, 0), (5, 0), (0, 5), (6, 6))])
    return X, np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))


def test_kmedoids_estimator_parameters_as_the_page_says():
    pytest.importorskip("sklearn")
    from numkern.cluster import KMedoids
    from numkern.cluster._estimator import _METHODS

    params = inspect.signature(KMedoids).parameters
    assert params["metric"].default == "euclidean" and params["method"].default == "fasterpam"
    assert params["max_iter"].default is None and params["init"].default is None
    assert "n_threads" in params and "n_cpu" not in params and "metric_params" not in params
    assert {"pam", "fastpam1", "fasterpam", "alternating", "clara", "clarans"} <= set(_METHODS)
    X, _ = _blobs()
    with pytest.raises(ValueError, match="method"):
        KMedoids(4, method="alternate").fit(X)
    for init in ("heuristic", "k-medoids++"):
        with pytest.raises(ValueError, match="init"):
            KMedoids(4, method="pam", init=init).fit(X)
    with pytest.raises(TypeError):
        KMedoids(2).fit(sp.csr_array(np.eye(5)))
    model = KMedoids(4, method="pam").fit(X)
    nearest = np.sqrt(((X[:, None, :] - model.cluster_centers_[None]) ** 2).sum(-1)).min(axis=1)
    assert model.inertia_ == pytest.approx(nearest.sum(), rel=1e-12)  # scikit-learn-extra's inertia_
    assert model.score(X) == pytest.approx(-model.inertia_, rel=1e-12)


def test_kmedoids_package_swaps():
    kmedoids = pytest.importorskip("kmedoids")
    import numkern.cluster as nkc

    X, D = _blobs(1)
    for name in ("pam", "fastpam1"):
        ours, theirs = getattr(nkc, name)(D, 4), getattr(kmedoids, name)(D, 4)
        assert sorted(ours.medoids.tolist()) == sorted(np.asarray(theirs.medoids).tolist())
        assert ours.loss == pytest.approx(theirs.loss, rel=1e-12)
    init = np.array([0, 1, 2, 3])
    ours, theirs = nkc.alternating(D, init), kmedoids.alternating(D, init.copy())
    assert ours.loss == pytest.approx(theirs.loss, rel=1e-12)
    # n_cpu -> n_threads, and fasterpam reaches the same local optimum quality here
    fp = nkc.fasterpam(D, 4, random_state=0, n_threads=2)
    assert fp.loss == pytest.approx(kmedoids.fasterpam(D, 4, random_state=0, n_cpu=2).loss, rel=1e-9)
    for field in ("loss", "labels", "medoids", "n_iter", "n_swap"):
        assert hasattr(fp, field) and hasattr(kmedoids.pam(D, 4), field)
    # the estimators: kmedoids' default metric is "precomputed", numkern's "euclidean"
    assert inspect.signature(kmedoids.KMedoids).parameters["metric"].default == "precomputed"
    ours = nkc.KMedoids(4, method="pam", metric="precomputed").fit(D)
    theirs = kmedoids.KMedoids(4, method="pam", init="build").fit(D)
    assert sorted(ours.medoid_indices_.tolist()) == sorted(np.asarray(theirs.medoid_indices_).tolist())
    assert ours.inertia_ == pytest.approx(theirs.inertia_, rel=1e-12)


def test_vmf_mixture_parameters_as_the_page_says():
    pytest.importorskip("sklearn")
    from numkern.stats import VonMisesFisherMixture, vonmises_fisher

    params = VonMisesFisherMixture().get_params()
    assert params["n_components"] == 1 and params["n_init"] == 1 and params["max_iter"] == 100
    assert params["tol"] == 1e-6 and params["normalize"] is True and params["init_params"] == "k-means++"
    assert not {"n_clusters", "posterior_type", "n_jobs", "force_weights", "copy_x", "init"} & set(params)
    d = 300  # spherecluster's normaliser, iv(d/2 - 1, kappa), overflows here; numkern's does not
    with np.errstate(all="ignore"):
        assert np.isinf(sc.iv(d / 2 - 1, 2000.0))
    X = np.vstack([vonmises_fisher(np.eye(d)[i], 2000.0).rvs(200, random_state=i) for i in range(2)])
    model = VonMisesFisherMixture(n_components=2, random_state=0).fit(X)
    assert np.allclose(np.sort(model.weights_), [0.5, 0.5])
    np.testing.assert_allclose(np.sort(model.concentrations_), [2000.0, 2000.0], rtol=0.1)
    assert model.means_.shape == (2, d) and not hasattr(model, "labels_")
    assert model.predict_proba(X[:4]).shape == (4, 2)


def test_offline_intersphinx_inventories_are_current():
    # docs/conf.py falls back to these when the documentation sites cannot be reached; they must be what
    # make_inventories.py writes (run it after adding an entry) and hold fully expanded URLs.
    import importlib.util
    import zlib

    folder = PAGE.parents[1] / "_intersphinx"
    spec = importlib.util.spec_from_file_location("make_inventories", folder / "make_inventories.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for project, entries in module.ENTRIES.items():
        data = (folder / f"{project}.inv").read_bytes()
        assert data == module.inventory_bytes(project, entries), f"rerun make_inventories.py for {project}"
        body = zlib.decompress(data.split(b"zlib.\n", 1)[1]).decode()
        assert "$" not in body and len(body.splitlines()) == len(entries)


def test_citation_page_and_citation_cff_are_well_formed():
    import numkern

    text = (PAGE.parent / "citing.rst").read_text()
    entries = re.findall(r"^   @(\w+)\{([\w]+),\n(.*?)^   \}$", text, flags=re.M | re.S)
    keys = [key for _, key, _ in entries]
    assert len(keys) == len(set(keys)) >= 25
    for kind, key, body in entries:
        assert body.count("{") == body.count("}"), key
        fields = set(re.findall(r"^\s+(\w+)\s*=", body, flags=re.M))
        assert "title" in fields and fields & {"author", "editor", "key"}, key
        assert "year" in fields or kind == "misc", key  # the DLMF is a living reference (cite the release used)
        if kind in ("article", "inproceedings"):
            assert fields & {"journal", "booktitle"}, key
    # one section per subpackage, and the numkern entry carries the package's version
    for sub in ("special", "stats", "integrate", "cluster", "sparse", "kron", "pde"):
        assert f":mod:`numkern.{sub}`" in text
    assert f"version = {{{numkern.__version__}}}" in text
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((PAGE.parents[2] / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["license"] == "BSD-3-Clause"
    assert str(cff["version"]) == numkern.__version__ and cff["authors"] and cff["title"].startswith("numkern")
