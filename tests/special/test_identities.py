"""Hypothesis property tests of numkern.special: Bessel identities evaluated in log space."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from numkern.special import iv_ratio, log_iv, log_ive, log_kv, log_kve

EPS = np.finfo(np.float64).eps
orders = st.one_of(
    st.floats(0.0, 30.0), st.floats(30.0, 1e6), st.integers(0, 50).map(float),
    st.integers(0, 50).map(lambda n: n + 0.5),
)
arguments = st.one_of(st.floats(1e-300, 1e-3), st.floats(1e-3, 50.0), st.floats(50.0, 1e7), st.floats(1e7, 1e300))


def _tol(*logs):
    """Absolute tolerance for sums/differences of log values: a few eps of each magnitude."""
    return 16 * EPS * (1.0 + sum(abs(float(a)) for a in logs))


@given(v=orders.filter(lambda v: v >= 1.0), x=arguments)
def test_recurrence_i(v, x):
    # I_{v-1} - I_{v+1} = (2v/x) I_v, divided by I_v:  I_{v-1}/I_v = 2v/x + I_{v+1}/I_v  (no cancellation).
    lm, l0, lp = log_iv(v - 1, x), log_iv(v, x), log_iv(v + 1, x)
    lhs = lm - l0
    rhs = np.log(2 * v / x + np.exp(lp - l0)) if 2 * v / x < 1e300 else np.log(2 * v) - np.log(x)
    assert abs(lhs - rhs) <= _tol(lm, l0, lp) + 1e-14 * abs(rhs)


@given(v=orders, x=arguments)
def test_wronskian(v, x):
    # I_v K_{v+1} + I_{v+1} K_v = 1/x  ->  log(I_v K_{v+1}) + log1p(I_{v+1} K_v / (I_v K_{v+1})) = -log x.
    li, lk1 = log_iv(v, x), log_kv(v + 1, x)
    li1, lk = log_iv(v + 1, x), log_kv(v, x)
    a = li + lk1
    b = li1 + lk
    lhs = max(a, b) + np.log1p(np.exp(-abs(a - b)))
    assert abs(lhs + np.log(x)) <= _tol(li, lk1, li1, lk, np.log(x))


@given(v=orders, x=arguments)
def test_k_even_in_order(v, x):
    assert log_kv(-v, x) == log_kv(v, x)
    assert log_kve(-v, x) == log_kve(v, x)


@given(v=orders, x=arguments)
def test_ratio_matches_log_differences(v, x):
    l0, l1 = log_iv(v, x), log_iv(v + 1, x)
    r = iv_ratio(v, x)
    assert 0.0 <= r < 1.0 or (r == 1.0 and x > 1e15)
    # exp(l1 - l0) carries the absolute error of the two logs; the ratio itself is more accurate.
    assert abs(np.log(r) - (l1 - l0)) <= _tol(l0, l1)


@given(v=orders, x=arguments)
def test_scaled_forms_are_shifts(v, x):
    li, lie = log_iv(v, x), log_ive(v, x)
    lk, lke = log_kv(v, x), log_kve(v, x)
    assert abs((lie + x) - li) <= 8 * EPS * max(abs(li), abs(x), 1.0)
    assert abs((lke - x) - lk) <= 8 * EPS * max(abs(lk), abs(x), 1.0)


@given(n=st.integers(0, 40), x=arguments)
def test_integer_order_parity(n, x):
    v = float(n)
    assert log_iv(-v, x) == log_iv(v, x)
    if n % 2 == 0:
        assert log_iv(v, -x) == log_iv(v, x)
        assert log_ive(v, -x) == log_ive(v, x)
    else:
        assert np.isnan(log_iv(v, -x))
    assert iv_ratio(v, -x) == -iv_ratio(v, x)


@given(nu=st.floats(0.01, 20.0).filter(lambda t: abs(t - round(t)) > 1e-3), x=st.floats(1e-3, 40.0))
def test_reflection_against_recurrence(nu, x):
    # For non-integer order the recurrence holds for negative orders too: I_{-nu-1} = I_{-nu+1} + (2(-nu)/x)...
    # Check I_{v-1} - I_{v+1} = (2v/x) I_v at v = -nu on signed values (logs are NaN where values < 0).
    def signed(v):
        lp = log_iv(v, x)
        if np.isfinite(lp):
            return np.exp(lp - x)
        # negative value: I_v = I_{-v} + (2/pi) sin(-v pi) K_{-v} < 0
        return np.exp(log_ive(-v, x)) + (2 / np.pi) * np.sin(-v * np.pi) * np.exp(log_kve(-v, x) - 2 * x)

    v = -nu
    lhs = signed(v - 1) - signed(v + 1)
    rhs = (2 * v / x) * signed(v)
    scale = abs(signed(v - 1)) + abs(signed(v + 1))
    assert abs(lhs - rhs) <= 1e-12 * scale
