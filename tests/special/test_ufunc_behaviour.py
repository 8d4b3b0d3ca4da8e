"""numkern.special ufunc mechanics, special values, warnings, float32, scipy agreement, threads, Dask, CUDA."""

import warnings

import numpy as np
import pytest
import scipy.special as sc

import numkern.special as nks
from numkern.special import iv_ratio, log_iv, log_ive, log_kv, log_kve

ALL = [log_iv, log_ive, log_kv, log_kve, iv_ratio]
INF, NAN = np.inf, np.nan


def test_real_ufuncs_with_both_loops():
    for f in ALL:
        assert isinstance(f, np.ufunc)
        assert f.nin == 2 and f.nout == 1
        assert f.types == ["ff->f", "dd->d"]
        assert "Examples" in f.__doc__ and "Parameters" in f.__doc__


def _extreme_grid():
    vals = np.array([0.0, 1e-300, 1e-20, 1e-8, 0.25, 0.5, 1.0, 1.5, 2.0, 7.0, 23.4, 23.5, 24.0, 60.5, 1e3, 1e5,
                     1e6, 1e10, 1e100, 1e300, 1.7e308, 5e-324, INF, NAN])
    x = np.concatenate([vals, -vals])
    # Orders near DBL_MAX included: log I_v(1) ~ -v log(2v) exceeds the float64 range there and is -inf, silently.
    v = np.concatenate([vals, -vals, [-0.5, -1.5, -2.25, -3.75, -1e6 - 0.5]])
    return v[:, None], x[None, :]


def _fits_f32(a):
    a = np.ravel(a)
    mag = np.abs(a)
    return np.isnan(a) | np.isinf(a) | (mag == 0) | ((mag < 3e38) & (mag > 1.2e-38))


def test_no_floating_point_warnings_anywhere():
    v, x = _extreme_grid()
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in ALL:
            f(v, x)
            v32 = v[_fits_f32(v)].astype(np.float32)[:, None]
            x32 = x[0][_fits_f32(x[0])].astype(np.float32)[None, :]
            f(v32, x32)


def test_no_overflow_where_finite():
    # Positive finite inputs give finite logs, including where scipy's ive/kve underflow or overflow.
    v = np.concatenate([[0.0], np.logspace(-300, 300, 61)])[:, None]
    x = np.logspace(-300, 300, 61)[None, :]
    for f in (log_iv, log_ive, log_kv, log_kve):
        assert np.isfinite(f(v, x)).all(), f.__name__
    r = iv_ratio(v, x)
    assert ((r >= 0) & (r <= 1)).all()


def test_zero_argument_limits():
    assert log_iv(0.0, 0.0) == 0.0 and log_ive(0.0, 0.0) == 0.0
    assert log_iv(2.5, 0.0) == -INF and log_iv(3.0, 0.0) == -INF
    assert log_iv(-3.0, 0.0) == -INF            # I_{-3} = I_3
    assert log_iv(-0.5, 0.0) == INF             # Gamma(1/2) > 0
    assert np.isnan(log_iv(-1.5, 0.0))          # Gamma(-1/2) < 0: I -> -inf
    assert log_kv(0.0, 0.0) == INF and log_kv(-4.5, 0.0) == INF and log_kve(1.0, 0.0) == INF
    assert iv_ratio(0.0, 0.0) == 0.0 and iv_ratio(3.5, 0.0) == 0.0 and iv_ratio(-2.0, 0.0) == INF


def test_infinities_and_nan():
    assert log_iv(1.0, INF) == INF and log_ive(1.0, INF) == -INF
    assert log_kv(1.0, INF) == -INF and log_kve(1.0, INF) == -INF
    assert log_iv(INF, 1.0) == -INF and log_kv(INF, 1.0) == INF
    assert iv_ratio(1.0, INF) == 1.0 and iv_ratio(INF, 1.0) == 0.0
    for f in ALL:
        assert np.isnan(f(NAN, 1.0)) and np.isnan(f(1.0, NAN)) and np.isnan(f(INF, INF))


def test_negative_argument_rules():
    assert log_iv(2.0, -3.0) == log_iv(2.0, 3.0)
    assert np.isnan(log_iv(3.0, -3.0))          # odd order: negative value
    assert np.isnan(log_iv(2.5, -3.0))          # non-integer order: complex
    assert np.isnan(log_kv(2.0, -3.0)) and np.isnan(log_kve(0.0, -1e-300))
    assert np.isnan(iv_ratio(0.5, -1.0))
    assert iv_ratio(3.0, -2.0) == -iv_ratio(3.0, 2.0)


def test_negative_order_reflection_values():
    # I_{-1/2}(x) = sqrt(2 / (pi x)) cosh x ;  I_{-3/2}(x) = sqrt(2/(pi x)) (sinh x - cosh x / x)
    x = np.array([1e-10, 0.3, 1.0, 5.0, 50.0])
    np.testing.assert_allclose(log_iv(-0.5, x), 0.5 * np.log(2 / (np.pi * x)) + np.log(np.cosh(x)), rtol=4e-15)
    with np.errstate(all="ignore"):
        expect = sc.iv(-1.5, x)
    got = log_iv(-1.5, x)
    neg = expect < 0
    assert np.isnan(got[neg]).all()
    np.testing.assert_allclose(got[~neg], np.log(expect[~neg]), rtol=1e-13)
    np.testing.assert_allclose(iv_ratio(-0.5, x), np.tanh(x), rtol=4e-15)


def test_half_integer_closed_forms():
    # K_{1/2}(x) = sqrt(pi/(2x)) e^{-x}; I_{1/2}(x) = sqrt(2/(pi x)) sinh x
    x = np.array([1e-300, 1e-5, 0.1, 1.0, 2.0, 10.0, 23.0, 30.0, 1e3, 1e8, 1e300])
    tol = 6 * np.finfo(float).eps  # |error| <= 6 eps max(|ref|, 1), the table test's measure
    np.testing.assert_allclose(log_kve(0.5, x), 0.5 * np.log(np.pi / (2 * x)), rtol=tol, atol=tol)
    xm = x[x < 300]
    np.testing.assert_allclose(log_iv(0.5, xm), 0.5 * np.log(2 / (np.pi * xm)) + np.log(np.sinh(xm)),
                               rtol=tol, atol=tol)


def test_against_scipy_where_scipy_is_finite():
    rng = np.random.default_rng(0)
    v = np.concatenate([rng.uniform(0, 50, 3000), 10 ** rng.uniform(-5, 5, 3000)])
    x = 10 ** rng.uniform(-6, 5, 6000)
    with np.errstate(all="ignore"):
        pairs = [(log_iv(v, x), np.log(sc.ive(v, x)) + x), (log_ive(v, x), np.log(sc.ive(v, x))),
                 (log_kv(v, x), np.log(sc.kve(v, x)) - x), (log_kve(v, x), np.log(sc.kve(v, x)))]
    for ours, ref in pairs:
        ok = np.isfinite(ref)
        assert ok.mean() > 0.5
        err = np.abs(ours[ok] - ref[ok]) / np.maximum(np.abs(ref[ok]), 1)
        assert err.max() < 1e-13


def test_float32_loop_rounds_the_double_result():
    v = np.float32([0.0, 0.5, 3.0, 40.0, 1e4])
    x = np.float32([1e-30, 1.0, 7.5, 40.0, 3e5])
    for f in ALL:
        got = f(v, x)
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, f(v.astype(np.float64), x.astype(np.float64)).astype(np.float32))


def test_ufunc_keywords_broadcasting_out_where_dtype():
    v = np.array([0.0, 1.0, 2.5])[:, None]
    x = np.array([0.5, 2.0, 30.0, 1e3])
    full = log_iv(v, x)
    assert full.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            assert full[i, j] == log_iv(float(v[i, 0]), float(x[j]))
    out = np.full((3, 4), -7.0)
    res = log_kv(v, x, out=out, where=x > 1.0)
    assert res is out
    assert (out[:, 0] == -7.0).all() and (out[:, 1:] == log_kv(v, x)[:, 1:]).all()
    assert log_ive(v, x, dtype=np.float32).dtype == np.float32
    assert log_ive(np.arange(3), 2).dtype == np.float64           # integers cast to double
    strided = np.linspace(0.1, 50, 40)[::3]
    assert np.array_equal(iv_ratio(2.0, strided), iv_ratio(2.0, strided.copy()))
    assert np.isscalar(log_iv(1.0, 2.0)) or np.ndim(log_iv(1.0, 2.0)) == 0


def test_threads_do_not_change_results():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    rng = np.random.default_rng(1)
    v = 10 ** rng.uniform(-3, 6, 50_000)
    x = 10 ** rng.uniform(-5, 7, 50_000)
    with threadpoolctl.threadpool_limits(1, user_api="openmp"):
        one = [f(v, x) for f in ALL]
    with threadpoolctl.threadpool_limits(2, user_api="openmp"):
        two = [f(v, x) for f in ALL]
    for a, b in zip(one, two):
        assert np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_memory_layouts_give_the_same_bits(dtype):
    # Contiguous operands take the driver's unit-stride path (for float64 the kernels read and write the arrays in
    # place), every other layout the strided one: the values must not depend on it, also when out aliases an input.
    rng = np.random.default_rng(7)
    n = 5003
    v = np.concatenate([rng.uniform(0, 30, n), 10 ** rng.uniform(-2, 5, n), [NAN, INF, -3.0, 0.0]]).astype(dtype)
    x = np.concatenate([rng.uniform(0, 30, n), 10 ** rng.uniform(-10, 5, n), [1.0, 2.0, -4.0, 0.0]]).astype(dtype)
    with np.errstate(all="ignore"):
        for f in ALL:
            ref = np.array([f(a, b) for a, b in zip(v[:400], x[:400])], dtype=dtype)  # one element per call
            plain = f(v, x)
            assert np.array_equal(plain[:400], ref, equal_nan=True)
            wide_v, wide_x = np.repeat(v, 3)[1::3], np.repeat(x, 2)[::2]  # strided views of the same values
            assert np.array_equal(f(wide_v, wide_x), plain, equal_nan=True)
            out = np.full(2 * len(v), 7.0, dtype)[::2]
            f(v, x, out=out)
            assert np.array_equal(out, plain, equal_nan=True)
            in_place = v.copy()
            assert f(in_place, x, out=in_place) is in_place
            assert np.array_equal(in_place, plain, equal_nan=True)
            in_place = x.copy()
            f(v, in_place, out=in_place)
            assert np.array_equal(in_place, plain, equal_nan=True)


def test_dask_arrays_stay_lazy():
    da = pytest.importorskip("dask.array")
    v = da.from_array(np.linspace(0, 100, 1000), chunks=250)
    x = da.from_array(np.logspace(-3, 4, 1000), chunks=250)
    lazy = log_iv(v, x)
    assert isinstance(lazy, da.Array)
    np.testing.assert_array_equal(lazy.compute(), log_iv(v.compute(), x.compute()))
    assert isinstance(iv_ratio(v, 3.0), da.Array)


def test_public_names():
    assert set(nks.__all__) == {"log_iv", "log_ive", "log_kv", "log_kve", "iv_ratio"}
    from numkern.special import cuda

    assert all(callable(getattr(cuda, n)) for n in nks.__all__)


def test_cuda_result_dtype_rules():
    # The dtype logic of numkern.special.cuda, exercised with NumPy standing in for CuPy (same dtype API).
    from numkern.special.cuda import _result_dtype

    f32, f64 = np.zeros(2, np.float32), np.zeros(2)
    assert _result_dtype(np, f32, f32) == np.float32
    assert _result_dtype(np, f32, f64) == np.float64
    assert _result_dtype(np, np.arange(2), f32) == np.float64
    with pytest.raises(TypeError, match="real"):
        _result_dtype(np, np.zeros(2, complex), f64)


@pytest.mark.cuda
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cuda_matches_cpu(dtype):
    import cupy as cp

    from numkern.special import cuda

    rng = np.random.default_rng(2)
    v = (10 ** rng.uniform(-3, 6, 20_000)).astype(dtype)
    x = (10 ** rng.uniform(-30, 30, 20_000)).astype(dtype)
    for name in nks.__all__:
        cpu = getattr(nks, name)(v, x)
        gpu = getattr(cuda, name)(cp.asarray(v), cp.asarray(x))
        assert isinstance(gpu, cp.ndarray) and gpu.dtype == dtype
        got = cp.asnumpy(gpu)
        eps = np.finfo(dtype).eps
        scale = np.maximum(np.abs(cpu), 1.0) if name != "iv_ratio" else np.abs(cpu)
        assert np.nanmax(np.abs(got - cpu) / scale) <= 2 * eps
        assert np.array_equal(np.isnan(got), np.isnan(cpu))


@pytest.mark.cuda
def test_cuda_broadcasting_and_out():
    import cupy as cp

    from numkern.special import cuda

    v = cp.asarray([0.5, 2.0, 100.0])[:, None]
    x = cp.asarray([1e-3, 1.0, 1e4])
    res = cuda.log_kv(v, x)
    assert res.shape == (3, 3)
    np.testing.assert_allclose(cp.asnumpy(res), log_kv(cp.asnumpy(v), cp.asnumpy(x)), rtol=4e-16)
    out = cp.empty((3, 3))
    assert cuda.iv_ratio(v, x, out=out) is out
