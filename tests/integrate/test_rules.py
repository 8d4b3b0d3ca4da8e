"""numkern.integrate rules against scipy.integrate: values, dtypes, layouts, errors."""

import numpy as np
import pytest
import scipy.integrate as si
from hypothesis import given
from hypothesis import strategies as st

import numkern.integrate as ni


@st.composite
def problems(draw, min_n=1):
    ndim = draw(st.integers(1, 3))
    axis = draw(st.integers(-ndim, ndim - 1))
    shape = [draw(st.integers(1, 5)) for _ in range(ndim)]
    shape[axis] = draw(st.integers(min_n, 11))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    layout = draw(st.sampled_from(["C", "F", "strided", "reversed", "transposed"]))
    base = rng.standard_normal([2 * s for s in shape]).astype(dtype)
    if layout == "strided":
        y = base[tuple(slice(None, None, 2) for _ in shape)]
    elif layout == "reversed":
        y = base[tuple(slice(None, s) for s in shape)][::-1]
    elif layout == "transposed":
        y = np.ascontiguousarray(base[tuple(slice(None, s) for s in shape)].T).T
    elif layout == "F":
        y = np.asfortranarray(base[tuple(slice(None, s) for s in shape)])
    else:
        y = np.ascontiguousarray(base[tuple(slice(None, s) for s in shape)])
    n = y.shape[axis]
    xkind = draw(st.sampled_from(["none", "uniform", "nonuniform", "nd"]))
    if xkind == "none":
        x = None
    elif xkind == "uniform":
        x = np.linspace(-1.0, 2.0, n)
    elif xkind == "nonuniform":
        x = np.cumsum(rng.uniform(0.1, 1.0, n)) - 1.0
    else:
        x = np.cumsum(rng.uniform(0.1, 1.0, y.shape), axis=axis)
    if x is not None and draw(st.booleans()):
        x = x.astype(np.float32)
    dx = draw(st.sampled_from([1.0, 0.25, 3.0]))
    return y, x, dx, axis


def _scale(y, x, dx, axis):
    """Size of the terms summed: sum |y| * max spacing along axis (for relative tolerances)."""
    if x is None:
        h = abs(dx)
    else:
        h = float(np.max(np.abs(np.diff(x, axis=-1 if np.ndim(x) == 1 else axis)))) if np.shape(x)[axis if np.ndim(x) > 1 else 0] > 1 else 1.0
    return np.sum(np.abs(y.astype(np.float64)), axis=axis) * h + 1e-300


def _tol(y):
    return 5e-14 if y.dtype == np.float64 else 2e-6


def _close(ours, ref, y, x, dx, axis):
    ours = np.asarray(ours, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert ours.shape == ref.shape
    err = np.abs(ours - ref)
    scale = _scale(y, x, dx, axis)
    if ours.ndim > np.ndim(scale):  # cumulative: scale per batch element, broadcast along axis
        scale = np.expand_dims(scale, axis)
    assert np.all(err <= _tol(y) * 4 * scale), (float(np.max(err / scale)))


@given(problems())
def test_trapezoid_matches_scipy(p):
    y, x, dx, axis = p
    ours = ni.trapezoid(y, x, dx=dx, axis=axis)
    ref = si.trapezoid(y, x, dx=dx, axis=axis)
    _close(ours, ref, y, x, dx, axis)
    assert np.asarray(ours).dtype == np.asarray(ref).dtype


@given(problems())
def test_simpson_matches_scipy(p):
    y, x, dx, axis = p
    ours = ni.simpson(y, x=x, dx=dx, axis=axis)
    ref = si.simpson(y, x=x, dx=dx, axis=axis)
    _close(ours, ref, y, x, dx, axis)
    if y.ndim > 1:  # scipy promotes some 0-d results to float64; batched results follow the documented rule
        assert np.asarray(ours).dtype == np.asarray(ref).dtype


@given(problems(), st.sampled_from([None, 0]))
def test_cumulative_trapezoid_matches_scipy(p, initial):
    y, x, dx, axis = p
    ours = ni.cumulative_trapezoid(y, x, dx=dx, axis=axis, initial=initial)
    ref = si.cumulative_trapezoid(y, x, dx=dx, axis=axis, initial=initial)
    _close(ours, ref, y, x, dx, axis)
    assert ours.dtype == ref.dtype


@given(problems(), st.sampled_from([None, 0.0, 1.5]))
def test_cumulative_simpson_matches_scipy(p, initial):
    y, x, dx, axis = p
    ours = ni.cumulative_simpson(y, x=x, dx=dx, axis=axis, initial=initial)
    ref = si.cumulative_simpson(y, x=x, dx=dx, axis=axis, initial=initial)
    _close(ours, ref, y, x, dx, axis)
    assert ours.dtype == ref.dtype


def test_float64_agreement_is_near_rounding():
    """Large batch, non-uniform x: agreement with scipy at ~1e-15 relative."""
    rng = np.random.default_rng(1)
    y = rng.uniform(1.0, 2.0, (200, 101))
    x = np.cumsum(rng.uniform(0.5, 1.5, 101))
    for f, g in [(ni.trapezoid, si.trapezoid), (ni.simpson, si.simpson)]:
        rel = np.abs(f(y, x=x) / g(y, x=x) - 1)
        assert rel.max() < 2e-15
    rel = np.abs(ni.cumulative_simpson(y, x=x) / si.cumulative_simpson(y, x=x) - 1)
    assert rel.max() < 2e-15


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_threads_do_not_change_results(axis):
    rng = np.random.default_rng(2)
    y = rng.standard_normal((40, 30, 70))
    x = np.sort(rng.uniform(0, 1, y.shape[axis]))
    for f in (ni.trapezoid, ni.simpson):
        r1 = f(y, x=x, axis=axis, n_threads=1)
        r4 = f(y, x=x, axis=axis, n_threads=4)
        assert np.array_equal(r1, r4)
    c1 = ni.cumulative_simpson(y, x=x, axis=axis, n_threads=1)
    c3 = ni.cumulative_simpson(y, x=x, axis=axis, n_threads=3)
    assert np.array_equal(c1, c3)


def test_long_axis_chunked_reduction():
    """Axis longer than the chunk size and a small batch (the chunked, thread-independent path)."""
    rng = np.random.default_rng(3)
    y = rng.standard_normal((40000, 3))
    for axis, yy in [(0, y), (1, np.ascontiguousarray(y.T))]:
        ref = si.trapezoid(yy, dx=0.5, axis=axis)
        ours = ni.trapezoid(yy, dx=0.5, axis=axis)
        assert np.allclose(ours, ref, rtol=1e-12, atol=1e-10)
        assert np.array_equal(ours, ni.trapezoid(yy, dx=0.5, axis=axis, n_threads=1))


def test_integer_and_complex_inputs():
    y = np.arange(12).reshape(3, 4)
    assert ni.trapezoid(y).dtype == np.float64
    assert np.allclose(ni.trapezoid(y), si.trapezoid(y))
    z = y + 1j * y[::-1]
    assert np.allclose(ni.trapezoid(z, axis=0), si.trapezoid(z, axis=0))
    assert np.allclose(ni.simpson(z), si.simpson(z))


def test_small_n_matches_scipy():
    for n in (1, 2, 3):
        y = np.arange(1.0, n + 1)
        assert ni.trapezoid(y) == si.trapezoid(y)
        assert np.allclose(ni.simpson(y), si.simpson(y))
        assert np.allclose(ni.cumulative_trapezoid(y, initial=0), si.cumulative_trapezoid(y, initial=0))
        assert np.allclose(ni.cumulative_simpson(y, initial=1.0), si.cumulative_simpson(y, initial=1.0))


def test_empty_axis():
    assert np.array_equal(ni.trapezoid(np.ones((3, 0))), si.trapezoid(np.ones((3, 0))))
    assert ni.trapezoid(np.ones((0, 4))).shape == (0,)
    with pytest.raises(ValueError, match="y"):
        ni.simpson(np.ones((3, 0)))


def test_nan_and_inf_propagate_like_scipy():
    y = np.array([[1.0, np.nan, 2.0, 3.0], [1.0, np.inf, 2.0, 3.0]])
    for f, g in [(ni.trapezoid, si.trapezoid), (ni.simpson, si.simpson)]:
        np.testing.assert_array_equal(f(y), g(y))
    np.testing.assert_array_equal(ni.cumulative_trapezoid(y), si.cumulative_trapezoid(y))


def test_exactness():
    x = np.linspace(0, 2, 8)  # even N: Cartwright's correction keeps cubics... quadratics exact
    assert np.isclose(ni.simpson(x**2, x=x), 8 / 3, rtol=1e-14)
    assert np.isclose(ni.trapezoid(3 * x + 1, x), 8.0, rtol=1e-14)
    assert np.allclose(ni.cumulative_simpson(x**2, x=x), x[1:] ** 3 / 3, rtol=1e-13)


def test_errors_match_scipy():
    y = np.ones((3, 5))
    with pytest.raises(ValueError, match="x"):
        ni.trapezoid(y, x=np.arange(4))
    with pytest.raises(ValueError, match="length of x along axis"):
        ni.simpson(y, x=np.arange(4))
    with pytest.raises(ValueError, match="shape of x must be 1-D or the same as y"):
        ni.simpson(np.ones((2, 3, 5)), x=np.ones((3, 5)))
    with pytest.raises(ValueError, match="length of x along axis"):
        ni.cumulative_trapezoid(y, x=np.arange(6))
    with pytest.raises(ValueError, match="At least one point"):
        ni.cumulative_trapezoid(np.ones((3, 0)))
    with pytest.raises(ValueError, match="`initial` must be `None` or `0`"):
        ni.cumulative_trapezoid(y, initial=1)
    with pytest.raises(ValueError, match="strictly increasing"):
        ni.cumulative_simpson(y, x=np.array([0.0, 1.0, 1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="shape of `x`"):
        ni.cumulative_simpson(y, x=np.arange(4.0))
    with pytest.raises(ValueError, match="`initial`"):
        ni.cumulative_simpson(y, initial=np.ones(5))
    with pytest.raises(ValueError, match="axis"):
        ni.cumulative_simpson(y, axis=2)
    with pytest.raises(np.exceptions.AxisError):
        ni.trapezoid(y, axis=3)
    with pytest.raises(ValueError, match="n_threads"):
        ni.trapezoid(y, n_threads=0)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 10, 11, 64, 101])
def test_cpp_and_numpy_weights_agree_bitwise(n):
    from numkern.integrate import _weights as W

    d = np.random.default_rng(n).uniform(0.1, 1.0, n - 1)
    batched = np.stack([d, d])
    assert np.array_equal(W.simpson_weights(d), W.simpson_weights(batched)[1])
    assert np.array_equal(W.trapezoid_weights(d), W.trapezoid_weights(batched)[0])
