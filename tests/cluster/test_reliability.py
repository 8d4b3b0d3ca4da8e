"""Reliability of the k-medoids functions (issue 18): sums beyond the double range, scale-safe cosine,
integer-argument checks, byte-swapped input, the memory guard and thread-count independence."""

import math

import numpy as np
import pytest
from scipy.spatial.distance import cdist

import numkern._validation as nkv
from numkern import _cluster, cluster
from numkern.cluster import _kmedoids

ALGORITHMS = ["pam", "fastpam1", "fastpam2", "fasterpam", "alternating", "build", "lab", "clara", "fastclara",
              "clarans", "fastclarans"]


def _data(n=30, seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(c, 1.0, size=(n // 3, 2)) for c in (0.0, 6.0, 12.0)])


def _same(a, b, exponent=0):
    """b is a on data scaled by 2^exponent: identical choices, loss scaled exactly."""
    assert len(set(b.medoids.tolist())) == b.medoids.size  # k distinct medoids, never empty
    np.testing.assert_array_equal(b.medoids, a.medoids)
    np.testing.assert_array_equal(b.labels, a.labels)
    assert (b.n_iter, b.n_swap) == (a.n_iter, a.n_swap)
    assert b.loss == math.ldexp(a.loss, exponent)


# ------------------------------------------------------------------------------------ sums beyond DBL_MAX
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_matrix_near_dbl_max_gives_the_scaled_result(algorithm):
    # Entries up to 2^1020 ~ 1.1e307: a BUILD row sum of 30 of them overflows, the optimal TD (about 4 x the
    # largest entry / 12) does not. Power-of-two scaling is exact, so every choice equals that on D / 2^1020.
    D0 = cdist(_data(), _data())
    D0 /= D0.max()
    ref = getattr(cluster, algorithm)(D0, 3, random_state=7)
    res = getattr(cluster, algorithm)(np.ldexp(D0, 1020), 3, random_state=7)
    _same(ref, res, 1020)
    assert math.isfinite(res.loss)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_weights_near_dbl_max_give_the_scaled_result(algorithm):
    D0 = cdist(_data(), _data())
    w0 = np.random.default_rng(3).uniform(0.5, 2.0, size=D0.shape[0])
    ref = getattr(cluster, algorithm)(D0, 3, random_state=7, sample_weight=w0)
    res = getattr(cluster, algorithm)(D0, 3, random_state=7, sample_weight=np.ldexp(w0, 1016))
    _same(ref, res, 1016)


def test_zero_weights_with_huge_weights():
    D0 = cdist(_data(), _data())
    D0 /= D0.max()
    w0 = np.ones(D0.shape[0])
    w0[::4] = 0.0
    ref = cluster.pam(D0, 3, sample_weight=w0)
    _same(ref, cluster.pam(D0, 3, sample_weight=np.ldexp(w0, 1020)), 1020)


def test_true_loss_beyond_dbl_max_is_inf():
    # Honest overflow: the medoids are still those of the scaled problem, only the total is not representable.
    D0 = cdist(_data(), _data())
    D0 /= D0.max()
    ref = cluster.pam(D0, 2)
    res = cluster.pam(np.ldexp(D0, 1023), 2)
    np.testing.assert_array_equal(res.medoids, ref.medoids)
    assert ref.loss > 2.0  # so the true loss exceeds 2^1024 > DBL_MAX
    assert res.loss == math.inf


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("metric,scale,power", [("euclidean", 700, 1), ("manhattan", 1016, 1),
                                                ("sqeuclidean", 500, 2)])
def test_raw_data_with_overflowing_distances(algorithm, metric, scale, power):
    # |x| ~ 2^700: squared differences overflow (euclidean distances themselves fit); sqeuclidean 2^1000 sums
    # overflow; manhattan 2^1016 differences overflow. Results equal those of the unscaled data exactly.
    X = _data()
    ref = getattr(cluster, algorithm)(X, 3, metric=metric, random_state=5)
    res = getattr(cluster, algorithm)(np.ldexp(X, scale), 3, metric=metric, random_state=5)
    _same(ref, res, power * scale)


@pytest.mark.parametrize("algorithm", ["pam", "fasterpam", "clara", "clarans"])
@pytest.mark.parametrize("metric,power", [("euclidean", 1), ("sqeuclidean", 2)])
def test_tiny_raw_data(algorithm, metric, power):
    # |x| ~ 2^-600: squared differences underflow to 0 (all distances were 0). Scaled up exactly instead.
    X = _data()
    ref = getattr(cluster, algorithm)(X, 3, metric=metric, random_state=5)
    _same(ref, getattr(cluster, algorithm)(np.ldexp(X, -600), 3, metric=metric, random_state=5), -600 * power)


@pytest.mark.parametrize("scale", [700, -600])
def test_euclidean_distance_without_overflow_or_underflow(scale):
    X = np.random.default_rng(6).normal(size=(9, 4))
    ref = cdist(X, X)
    got = cluster.pairwise_dissimilarity(np.ldexp(X, scale))
    np.testing.assert_allclose(np.ldexp(got, -scale), ref, rtol=1e-15, atol=0)
    assert (np.diag(got) == 0.0).all()
    huge = np.array([[1e308, 0.0], [-1e308, 0.0]])  # the true distance exceeds DBL_MAX: honest inf
    assert cluster.pairwise_dissimilarity(huge)[0, 1] == np.inf


@pytest.mark.parametrize("metric,power", [("euclidean", 1), ("sqeuclidean", 2), ("manhattan", 1)])
def test_float32_raw_data_beyond_float32_distances(metric, power):
    # float32 data stored as float32 dissimilarities: 2^100 x N(0, 1) squares exceed FLT_MAX.
    X = _data().astype(np.float32)
    for algorithm in ("pam", "clara", "fasterpam"):
        ref = getattr(cluster, algorithm)(X, 3, metric=metric, random_state=1)
        res = getattr(cluster, algorithm)(np.ldexp(X, 100), 3, metric=metric, random_state=1)
        _same(ref, res, power * 100)


def test_on_the_fly_rows_with_overflow(monkeypatch):
    monkeypatch.setattr(_kmedoids, "FASTERPAM_MATRIX_BYTES", 0)
    X = _data(60)
    ref = cluster.fasterpam(X, 4, metric="sqeuclidean", random_state=2)
    _same(ref, cluster.fasterpam(np.ldexp(X, 500), 4, metric="sqeuclidean", random_state=2), 1000)


def test_weights_that_cannot_be_scaled_exactly_are_refused():
    D = np.ldexp(cdist(_data(), _data()), 1000)
    w = np.ones(D.shape[0])
    w[0], w[1] = 2.0**1000, 2.0**-1000  # scaling by 2^-~990 would make w[1] subnormal
    with pytest.raises(ValueError, match="sample_weight"):
        cluster.pam(D, 2, sample_weight=w)


@pytest.mark.parametrize("algorithm", range(11))
def test_core_never_writes_index_minus_one(algorithm):
    # The C++ core alone (no Python rescaling): sums overflow to inf / NaN. It used to write is_medoid[-1],
    # removal[-1] (heap corruption, "double free or corruption") and return empty medoid sets; now every
    # result holds k distinct valid medoids.
    D = cdist(_data(), _data())
    D *= 1.7e308 / D.max()
    n = D.shape[0]
    X = _data() * 1e200  # raw points: every sqeuclidean distance but d(i, i) is inf
    init = _cluster.Init.build if algorithm != _cluster.Algorithm.fasterpam.value else _cluster.Init.random
    for data, metric in ((D, None), (X, _cluster.Metric.sqeuclidean)):  # None: precomputed
        for k in (1, 3, n):
            med, labels, loss, _, _ = _cluster.run(_cluster.Algorithm(algorithm), data, metric, k, init,
                                                   np.zeros(0, np.int64), 100, 1, 2, None, 2, 0, 2, 0)
            assert med.shape == (k,) and len(set(med.tolist())) == k
            assert med.min() >= 0 and med.max() < n
            assert labels.min() >= 0 and labels.max() < k
            if metric is None:  # labels: the nearest medoid (comparisons of finite entries are exact)
                np.testing.assert_array_equal(labels, np.argmin(D[med], axis=0))


def test_gpu_driver_with_scaled_weights():
    # run_cupy scales the weights like the CPU path; the driver then matches CPU PAM on an overflowing matrix.
    from numkern import _cluster

    D0 = cdist(_data(), _data())
    D = np.ldexp(D0 / D0.max(), 1020)
    n = D.shape[0]
    e = _kmedoids._weight_exponent(n, None, float(D.max()))
    w = _kmedoids._scaled_weights(n, None, e)
    assert e > 0 and w is not None
    med, labels, loss, n_iter, n_swap = _cluster.pam_offload_reference(D, 3, [], w, 10**9, False)
    ref = cluster.pam(D, 3)
    assert med.tolist() == ref.medoids.tolist()
    assert _kmedoids._unscaled_loss(loss, e) == pytest.approx(ref.loss, rel=1e-12)


@pytest.mark.cuda
def test_cuda_overflowing_matrix_matches_cpu():
    import cupy as cp

    D0 = cdist(_data(), _data())
    D = np.ldexp(D0 / D0.max(), 1020)
    for k in (1, 3):
        ref = cluster.pam(D, k)
        res = cluster.pam(cp.asarray(D), k)
        assert res.medoids.get().tolist() == ref.medoids.tolist()
        assert res.loss == pytest.approx(ref.loss, rel=1e-12)


# -------------------------------------------------------------------------------------------------- cosine
@pytest.mark.parametrize("scale", [2.0**600, 2.0**-600, 1e-160, 1e300, 1e-300])
def test_cosine_is_scale_invariant(scale):
    X = np.random.default_rng(1).normal(size=(8, 4))
    ref = cdist(X, X, "cosine")
    np.testing.assert_allclose(cluster.pairwise_dissimilarity(X * scale, metric="cosine"), ref, atol=1e-15)
    mixed = X.copy()
    mixed[0] *= scale
    mixed[1] /= scale
    np.testing.assert_allclose(cluster.pairwise_dissimilarity(mixed, metric="cosine"), ref, atol=1e-15)
    assert cluster.pam(X * scale, 3, metric="cosine").medoids.tolist() == cluster.pam(X, 3, metric="cosine").medoids.tolist()


def test_cosine_zero_row_and_ordinary_rows_unchanged():
    X = np.random.default_rng(2).normal(size=(6, 3))
    X[2] = 0.0
    P = cluster.pairwise_dissimilarity(X, metric="cosine")
    assert P[2, 2] == 0.0 and (np.delete(P[2], 2) == 1.0).all()
    # A scaled row elsewhere does not change the values between ordinary rows (bitwise).
    Y = X.copy()
    Y[5] *= 1e200
    Q = cluster.pairwise_dissimilarity(Y, metric="cosine")
    np.testing.assert_array_equal(Q[:5, :5], P[:5, :5])


# ------------------------------------------------------------------------------------- integer arguments
@pytest.mark.parametrize("call,exc,match", [
    (lambda D: cluster.clara(D, 3, sample_size=2), ValueError, "sample_size"),
    (lambda D: cluster.fastclara(D, 4, sample_size=3), ValueError, "sample_size"),
    (lambda D: cluster.clara(D, 2, sample_size=2.0), TypeError, "sample_size"),
    (lambda D: cluster.clara(D, 2, sample_size=0), ValueError, "sample_size"),
    (lambda D: cluster.clara(D, 2, samples=True), TypeError, "samples"),
    (lambda D: cluster.clara(D, 2, samples=2.0), TypeError, "samples"),
    (lambda D: cluster.clarans(D, 2, numlocal=True), TypeError, "numlocal"),
    (lambda D: cluster.clarans(D, 2, numlocal=0), ValueError, "numlocal"),
    (lambda D: cluster.fastclarans(D, 2, maxneighbor=1.5), TypeError, "maxneighbor"),
    (lambda D: cluster.fastclarans(D, 2, maxneighbor=0), ValueError, "maxneighbor"),
    (lambda D: cluster.pam(D, 2, max_iter=2.0), TypeError, "max_iter"),
    (lambda D: cluster.pam(D, 2, max_iter=True), TypeError, "max_iter"),
    (lambda D: cluster.pam(D, 2, max_iter=-1), ValueError, "max_iter"),
    (lambda D: cluster.pam(D, 2.0), TypeError, "medoids"),
    (lambda D: cluster.pam(D, True), TypeError, "medoids"),
    (lambda D: cluster.pam(D, "2"), TypeError, "medoids"),
])
def test_integer_arguments(call, exc, match):
    D = cdist(_data(), _data())
    with pytest.raises(exc, match=match):
        call(D)


def test_integer_arguments_accept_numpy_integers():
    D = cdist(_data(), _data())
    a = cluster.clara(D, np.int64(3), samples=np.int32(2), sample_size=np.uint8(10), max_iter=np.int16(5),
                      random_state=0)
    b = cluster.clara(D, 3, samples=2, sample_size=10, max_iter=5, random_state=0)
    _same(a, b)
    assert cluster.clara(D, 3, sample_size=3, random_state=0).medoids.size == 3  # sample_size = k is fine


def test_estimator_n_clusters_type():
    pytest.importorskip("sklearn")
    from numkern.cluster import KMedoids

    with pytest.raises(TypeError, match="n_clusters"):
        KMedoids(2.0).fit(_data())
    with pytest.raises(TypeError, match="max_iter"):
        KMedoids(2, max_iter=1.5).fit(_data())


@pytest.mark.parametrize("metric", ["euclidean", "sqeuclidean", "manhattan", "cosine"])
def test_estimator_on_huge_data(metric):
    pytest.importorskip("sklearn")
    from numkern.cluster import KMedoids

    X = _data()
    ref = KMedoids(3, metric=metric, method="pam").fit(X)
    big = KMedoids(3, metric=metric, method="pam").fit(np.ldexp(X, 700))
    np.testing.assert_array_equal(big.medoid_indices_, ref.medoid_indices_)
    np.testing.assert_array_equal(big.predict(np.ldexp(X, 700)), ref.labels_)  # distances beyond DBL_MAX
    np.testing.assert_array_equal(big.labels_, ref.labels_)


# ------------------------------------------------------------------------------------------ byte order
@pytest.mark.parametrize("dtype", [">f8", ">f4", ">i4"])
def test_big_endian_input(dtype):
    X = _data()
    native = np.dtype(dtype).newbyteorder("=")
    Xs, Xn = X.astype(dtype) if dtype != ">i4" else (X * 10).astype(dtype), None
    Xn = Xs.astype(native)
    for metric in ("euclidean", "cosine"):
        _same(cluster.pam(Xn, 3, metric=metric), cluster.pam(Xs, 3, metric=metric))
        np.testing.assert_array_equal(cluster.pairwise_dissimilarity(Xs, metric=metric),
                                      cluster.pairwise_dissimilarity(Xn, metric=metric))
    D = cluster.pairwise_dissimilarity(Xn)
    w = np.linspace(1.0, 2.0, X.shape[0])
    _same(cluster.fasterpam(D, 3, random_state=0, sample_weight=w),
          cluster.fasterpam(D.astype(D.dtype.newbyteorder(">")), 3, random_state=0, sample_weight=w.astype(">f8")))


# -------------------------------------------------------------------------------------- memory guard
def test_pam_on_large_raw_data_refused_before_allocating(monkeypatch):
    monkeypatch.setattr(nkv, "available_memory", lambda: 64 * 2**30)
    X = np.zeros((120_000, 2))
    with pytest.raises(nkv.InsufficientMemoryError) as info:
        cluster.pam(X, 5, metric="euclidean")
    message = str(info.value)
    assert isinstance(info.value, MemoryError) and isinstance(info.value, ValueError)
    for word in ("X", "n = 120000", "107.3 GiB", "64.0 GiB", "fasterpam", "clara", "clarans"):
        assert word in message, word
    with pytest.raises(MemoryError, match="X: a callable metric"):
        cluster.pam(X, 5, metric=lambda a, b: 0.0)
    with pytest.raises(MemoryError, match="sample_size"):
        cluster.clara(X, 5, metric="euclidean", sample_size=100_000)


def test_memory_guard_threshold(monkeypatch):
    X = _data()
    monkeypatch.setattr(nkv, "available_memory", lambda: 30 * 30 * 8 - 1)
    with pytest.raises(MemoryError, match=r"n = 30"):
        cluster.fastpam2(X, 2, metric="manhattan")
    monkeypatch.setattr(nkv, "available_memory", lambda: 30 * 30 * 8)
    assert cluster.fastpam2(X, 2, metric="manhattan").medoids.size == 2
    monkeypatch.setattr(nkv, "available_memory", lambda: None)  # unknown: no guard
    assert cluster.fastpam2(X, 2, metric="manhattan").medoids.size == 2


def test_available_memory_is_positive():
    assert nkv.available_memory() > 0


# ---------------------------------------------------------------------------- thread-count independence
@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("case", ["raw", "weighted", "overflow"])
def test_thread_count_independence(algorithm, case, monkeypatch):
    # Rows computed on the fly (raw data, FasterPAM with speculative batches at n >= 1000), weights and the
    # rescaled overflow path all give the same medoids, labels, loss and counts for 1, 2 and 3 threads.
    monkeypatch.setattr(_kmedoids, "FASTERPAM_MATRIX_BYTES", 0)
    rng = np.random.default_rng(11)
    n = 1200 if algorithm == "fasterpam" else 160
    X = np.concatenate([rng.normal(c, 1.0, size=(n // 4, 3)) for c in (0.0, 3.0, 6.0, 9.0)])
    kwargs = {"metric": "euclidean", "random_state": 4}
    if case == "weighted":
        kwargs["sample_weight"] = rng.uniform(0.1, 3.0, size=n)
    if case == "overflow":
        X, kwargs["metric"] = np.ldexp(X, 600), "sqeuclidean"
    runs = [getattr(cluster, algorithm)(X, 5, n_threads=t, **kwargs) for t in (1, 2, 3)]
    for r in runs[1:]:
        _same(runs[0], r)


# ------------------------------------------------------------------------------------ init is a name, not data
SWAP_ALGORITHMS = ["pam", "fastpam1", "fastpam2", "fasterpam", "alternating"]


@pytest.mark.parametrize("algorithm", SWAP_ALGORITHMS)
@pytest.mark.parametrize("init", [np.array([0, 1]), np.array([0.0, 1.0]), [0, 1], 3, b"build"])
def test_init_that_is_not_a_string_raises_type_error_naming_init(algorithm, init):
    # An array used to reach a dict look-up ("unhashable type: 'numpy.ndarray'"); the message names init and
    # says that initial medoid indices go in medoids.
    D = np.abs(np.arange(6.0)[:, None] - np.arange(6.0)[None, :])
    with pytest.raises(TypeError, match=r"^init must be None or one of .*medoids argument.*type") as info:
        getattr(cluster, algorithm)(D, 2, init=init)
    assert "unhashable" not in str(info.value)
    with pytest.raises(ValueError, match=r"^init must be None or one of .*got 'kmeans\+\+'"):
        getattr(cluster, algorithm)(D, 2, init="kmeans++")
    # The documented way to start from given medoids, worked by hand on the points 0..5 of a line: the swap
    # methods reach the optimum {1, 4} (loss 4); alternating stops at {0, 3} (loss 1 + 1 + 1 + 2 = 5).
    res = getattr(cluster, algorithm)(D, np.array([0, 1]))
    expected = ([0, 3], 5.0) if algorithm == "alternating" else ([1, 4], 4.0)
    assert (sorted(res.medoids.tolist()), res.loss) == expected


def test_estimator_init_that_is_not_a_string_raises_type_error_naming_init():
    D = np.abs(np.arange(6.0)[:, None] - np.arange(6.0)[None, :])
    with pytest.raises(TypeError, match=r"^init must be None or one of \['build', 'first', 'lab', 'random'\], got"):
        cluster.KMedoids(2, metric="precomputed", method="pam", init=np.array([0, 1])).fit(D)
    model = cluster.KMedoids(2, metric="precomputed", method="pam", init="build").fit(D)
    assert sorted(model.medoid_indices_.tolist()) == [1, 4] and model.inertia_ == 4.0


def test_binding_takes_enums_not_bare_ints():
    # Algorithm, metric and init cross the binding as py::enum_ values (metric None: a precomputed matrix); a bare
    # int is refused by the binding instead of being cast to whatever enumerator it happens to number.
    from numkern.cluster import _validation

    D = cdist(_data(), _data())
    tail = (np.zeros(0, np.int64), 100, 1, 1, None, 2, 0, 2, 0)
    with pytest.raises(TypeError):
        _cluster.run(3, D, None, 3, _cluster.Init.build, *tail)
    with pytest.raises(TypeError):
        _cluster.run(_cluster.Algorithm.fasterpam, D, -1, 3, _cluster.Init.build, *tail)
    with pytest.raises(TypeError):
        _cluster.pairwise(_data(), 0, 1)
    med = _cluster.run(_cluster.Algorithm.pam, D, None, 3, _cluster.Init.build, *tail)[0]
    assert med.tolist() == cluster.pam(D, 3, init="build").medoids.tolist()
    # the Python tables hold the enumerators, numbered as in cpp/include/numkern/cluster/{kmedoids,common}.hpp
    names = ["pam", "fastpam1", "fastpam2", "fasterpam", "alternating", "build", "lab", "clara", "fastclara",
             "clarans", "fastclarans", "fastmsc", "fastermsc", "pammedsil", "pamsil", "dynmsc"]
    assert {name: int(a) for name, a in _kmedoids._ALGORITHMS.items()} == {n: i for i, n in enumerate(names)}
    assert all(type(a) is _cluster.Algorithm for a in _kmedoids._ALGORITHMS.values())
    assert _validation.METRICS["cityblock"] == _validation.METRICS["l1"] == _cluster.Metric.manhattan
    assert _validation.METRICS["l2"] == _cluster.Metric.euclidean and int(_cluster.Metric.canberra) == 8
    assert _validation.check_metric("precomputed") is None
    assert _validation.INITS == {"build": _cluster.Init.build, "lab": _cluster.Init.lab,
                                 "random": _cluster.Init.random, "first": _cluster.Init.first}
