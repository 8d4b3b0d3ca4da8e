"""Reliability of the numkern.special ufuncs where results leave the range of the output type (issue 18).

The documentation promises no floating-point warnings. Results beyond the float32 range (float32 loop) or the
float64 range (orders near DBL_MAX) must come back as +-inf without the overflow flag, i.e. silently under
``np.errstate(all="raise")``, and orders/arguments near DBL_MAX, where hypot(v, x) or v + s overflow inside the
kernels, must still give the leading Debye/Hankel terms (exact there to a relative 1/s < 1e-307).
"""

import warnings

import mpmath
import numpy as np
import pytest

from numkern.special import iv_ratio, log_iv, log_ive, log_kv, log_kve

LOGS = [log_iv, log_ive, log_kv, log_kve]
F32_MAX = float(np.finfo(np.float32).max)


@pytest.mark.parametrize("f", LOGS)
@pytest.mark.parametrize("n", [3, 5000])  # 5000 takes the OpenMP path
def test_float32_results_beyond_range_are_inf_without_flag(f, n):
    v = np.full(n, 1e38, dtype=np.float32)
    v[1::3] = np.float32(3.4e38)
    x = np.full(n, 0.5, dtype=np.float32)
    x[2::3] = np.float32(1e-45)
    ref = f(v.astype(np.float64), x.astype(np.float64))
    assert np.all(np.abs(ref) > F32_MAX)  # ~ -+8.8e39 .. 6.5e40: beyond float32
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        got = f(v, x)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, np.where(ref > 0, np.inf, -np.inf).astype(np.float32))


def test_float32_iv_ratio_beyond_range_and_float16_inputs():
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        # I_0 / I_{-1} = I_0 / I_1 ~ 2 / x = 1.4e45 for the smallest float32 subnormal.
        assert iv_ratio(np.float32(-1.0), np.float32(1e-45)) == np.float32(np.inf)
        # float16 inputs use the float32 loop; the result is float32 and finite here.
        r = log_kv(np.float16(60000), np.float16(6e-8))
    assert r.dtype == np.float32
    assert r == np.float32(log_kv(60000.0, float(np.float16(6e-8))))


def _mp_leading(kind, v, x, scaled):
    """Leading Debye/Hankel term, exact to a relative 1/s where s = hypot(v, x) > 9e307 (digits enough for the
    scaled forms' s - x = v^2 / (s + x) when v << x)."""
    with mpmath.workdps(400):
        v, x = mpmath.mpf(v), mpmath.mpf(x)
        s = mpmath.sqrt(v * v + x * x)
        va = v * mpmath.asinh(v / x)
        if kind == "i":
            return s - va - mpmath.log(2 * mpmath.pi * s) / 2 - (x if scaled else 0)
        return mpmath.log(mpmath.pi / (2 * s)) / 2 - (s - va) + (x if scaled else 0)


# Orders and arguments near DBL_MAX; away from the zero of s - v asinh(v/x) (x/v = 0.6627).
HUGE = [(1.7e308, 1.7e308), (1e308, 1.5e308), (1.7e308, 1.6e308), (1.3e308, 5e307), (1.79e308, 1e307),
        (1e200, 1.7e308), (1.7e308, 1e300), (1.79e308, 1.0), (1.79e308, 5e-324)]


@pytest.mark.parametrize("v, x", HUGE)
def test_float64_orders_near_dbl_max(v, x):
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        got = [f(v, x) for f in LOGS]
        ratio = iv_ratio(v, x)
        ratio_neg = iv_ratio(-v, x)  # v is an integer: I_{n-1}/I_n = 1 / iv_ratio(n - 1, x)
    for g, (kind, scaled) in zip(got, [("i", False), ("i", True), ("k", False), ("k", True)]):
        ref = _mp_leading(kind, v, x, scaled)
        if abs(ref) > np.finfo(np.float64).max:
            assert g == (np.inf if ref > 0 else -np.inf)
        else:
            assert float(abs((g - ref) / ref)) < 1e-14, (kind, scaled, g, ref)
    with mpmath.workdps(60):
        ref_ratio = mpmath.mpf(x) / (mpmath.sqrt(mpmath.mpf(v) ** 2 + mpmath.mpf(x) ** 2) + v)
    if ref_ratio > 1e-300:
        assert float(abs((ratio - ref_ratio) / ref_ratio)) < 1e-15
        assert float(abs((ratio_neg - 1 / ref_ratio) * ref_ratio)) < 1e-15
    else:
        assert 0 <= ratio < 1e-300


def test_float64_results_beyond_range_are_inf_without_flag():
    v = np.array([1.7e308, -1.7e308])[:, None]
    x = np.array([0.5, 1.0, 1e20, 1e300, 5e-324, 1e-300])[None, :]
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        # log I_v(x) ~ -v log(2v/x) and log K_v(x) ~ +v log(2v/x) are beyond the double range here.
        np.testing.assert_array_equal(log_iv(v, x), -np.inf)
        np.testing.assert_array_equal(log_ive(v, x), -np.inf)
        np.testing.assert_array_equal(log_kv(v, x), np.inf)
        np.testing.assert_array_equal(log_kve(v, x), np.inf)
        # iv_ratio: x / (2v) for the positive order, 2v / x (inf beyond the double range) for the negative one.
        r = iv_ratio(v, x)
    assert np.all(r[0] >= 0) and np.all(r[0] < 1e-8)
    # x / (s + v) with s = v to rounding: x / 2v, and its inverse for the negative integer order.
    assert r[0, 3] == pytest.approx(0.5 * (1e300 / 1.7e308), rel=1e-15)
    assert r[1, 3] == pytest.approx(2.0 * (1.7e308 / 1e300), rel=1e-15)
