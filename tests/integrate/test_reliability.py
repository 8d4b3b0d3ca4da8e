"""Hostile arguments to numkern.integrate: clear errors naming the argument, scipy's values elsewhere (issue 18)."""

import math

import numpy as np
import pytest
import scipy.integrate as si

from numkern import integrate as ni

RULES = ["trapezoid", "simpson", "cumulative_trapezoid", "cumulative_simpson"]
Y = np.arange(7.0) ** 2


def rule(name):
    return getattr(ni, name)


# --------------------------------------------------------------------------------------------- rules: dx, x, axis
@pytest.mark.parametrize("name", RULES)
@pytest.mark.parametrize("dx", ["1", None, object(), True, b"1", ["a"]])
def test_dx_of_the_wrong_type_raises_typeerror_naming_dx(name, dx):
    with pytest.raises(TypeError, match="dx"):
        rule(name)(Y, dx=dx)


@pytest.mark.parametrize("name", RULES)
@pytest.mark.parametrize("x", ["abcdefg", list("abcdefg"), np.ones(7, bool), [None] * 7])
def test_x_of_the_wrong_type_raises_typeerror_naming_x(name, x):
    with pytest.raises(TypeError, match="x"):
        rule(name)(Y, x=x)


@pytest.mark.parametrize("name", RULES)
@pytest.mark.parametrize("axis", [1.0, "0", None, True])
def test_axis_of_the_wrong_type_raises_typeerror_naming_axis(name, axis):
    with pytest.raises(TypeError, match="axis"):
        rule(name)(Y, axis=axis)


@pytest.mark.parametrize("name", RULES)
def test_string_y_raises_typeerror_naming_y(name):
    with pytest.raises(TypeError, match="y"):
        rule(name)(np.array(list("abcdefg")))


@pytest.mark.parametrize("name", RULES)
def test_object_arrays_of_numbers_integrate_like_scipy(name):
    expected = np.asarray(rule(name)(Y), dtype=np.float64)
    np.testing.assert_allclose(np.asarray(rule(name)(Y.astype(object)), dtype=np.float64), expected, rtol=1e-15)
    x = np.arange(7.0)
    np.testing.assert_allclose(np.asarray(rule(name)(Y, x=x.astype(object))), np.asarray(rule(name)(Y, x=x)),
                               rtol=1e-15)


def test_cumulative_simpson_initial_must_be_numeric():
    with pytest.raises(TypeError, match="initial"):
        ni.cumulative_simpson(Y, initial="0")
    with pytest.raises(TypeError, match="initial"):
        ni.cumulative_simpson(Y, initial=True)


# ------------------------------------------------------------------------------------------ complex dx and x
@pytest.mark.parametrize("name", ["simpson", "cumulative_trapezoid", "cumulative_simpson"])
@pytest.mark.parametrize("dx", [1j, 2 - 3j, np.complex128(0.5 + 0.25j)])
@pytest.mark.parametrize("n", [2, 3, 6, 7])
def test_complex_dx_matches_scipy(name, dx, n):
    y = Y[:n]
    got = rule(name)(y, dx=dx)
    if name == "simpson" and n % 2 == 0:
        want = dx * si.simpson(y)  # scipy's even-N correction casts dx to float64 and raises
    else:
        want = getattr(si, name)(y, dx=dx)
    assert np.iscomplexobj(got)
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)


@pytest.mark.parametrize("dx", [1j, 2 - 3j])
def test_trapezoid_complex_dx_is_dx_times_the_real_integral(dx):
    # scipy.integrate.trapezoid drops the imaginary part of the spacing (returns 0.0 for dx=1j); numpy keeps it.
    got = ni.trapezoid(Y, dx=dx)
    assert got == pytest.approx(np.trapezoid(Y, dx=dx), rel=1e-15)
    assert got == pytest.approx(dx * 73.0, rel=1e-15)


def test_cumulative_simpson_complex_dx_is_not_zero():
    got = ni.cumulative_simpson(Y, dx=1j)
    np.testing.assert_allclose(got, 1j * si.cumulative_simpson(Y, dx=1.0), rtol=1e-15)
    np.testing.assert_allclose(ni.cumulative_simpson(Y, dx=1j, initial=2.0),
                               si.cumulative_simpson(Y, dx=1j, initial=2.0 + 0j), rtol=1e-15)


def test_cumulative_simpson_complex_array_dx_matches_scipy():
    y = np.ones((3, 7))
    dx = np.array([[1j], [2.0], [3.0 + 1j]])
    np.testing.assert_allclose(ni.cumulative_simpson(y, dx=dx), si.cumulative_simpson(y, dx=dx), rtol=1e-14)


@pytest.mark.parametrize("name", ["cumulative_trapezoid", "cumulative_simpson"])
def test_complex_x_matches_scipy_cumulative_rules(name):
    x = np.arange(7.0) * (1 + 1j)
    np.testing.assert_allclose(rule(name)(Y, x=x), getattr(si, name)(Y, x=x), rtol=1e-14)


@pytest.mark.parametrize("name", RULES)
def test_complex_x_is_the_contour_integral_along_the_nodes(name):
    # Along the straight path x = (1 + i) t the integral is (1 + i) times the real one (scipy's trapezoid and
    # simpson drop the imaginary part of x, its cumulative rules and numpy.trapezoid keep it).
    t = np.array([0.0, 0.5, 1.25, 2.0, 3.5, 4.0, 6.0])
    got = rule(name)(Y, x=(1 + 1j) * t)
    np.testing.assert_allclose(got, (1 + 1j) * rule(name)(Y, x=t), rtol=1e-14)
    if name == "trapezoid":
        assert got == pytest.approx(np.trapezoid(Y, x=(1 + 1j) * t), rel=1e-15)


def test_complex_nd_x():
    t = np.cumsum(np.random.default_rng(1).random((3, 6)), axis=-1)
    y = np.random.default_rng(2).standard_normal((3, 6))
    for name in RULES:
        np.testing.assert_allclose(rule(name)(y, x=2j * t), 2j * rule(name)(y, x=t), rtol=1e-13)


# ------------------------------------------------------------------------------------- non-finite and extreme dx
@pytest.mark.parametrize("name", RULES)
@pytest.mark.parametrize("dx", [np.inf, -np.inf, np.nan])
def test_non_finite_dx_follows_scipy(name, dx):
    np.testing.assert_array_equal(rule(name)(Y, dx=dx), getattr(si, name)(Y, dx=dx))


@pytest.mark.parametrize("name", ["cumulative_trapezoid", "cumulative_simpson"])
def test_non_finite_dx_keeps_initial(name):
    np.testing.assert_array_equal(rule(name)(Y, dx=np.inf, initial=0), getattr(si, name)(Y, dx=np.inf, initial=0))


@pytest.mark.parametrize("dx", [1e300, 3e200, 1e-300, 1e-310])
@pytest.mark.parametrize("n", [6, 7])
def test_simpson_extreme_dx_does_not_overflow(dx, n):
    # The even-N correction forms h**3: unscaled, 1e300**3 = inf turned some weights into 0 (6e300 for 1.8e301).
    exact = simpson_unit = si.simpson(Y[:n])
    assert ni.simpson(Y[:n], dx=dx) == pytest.approx(dx * simpson_unit, rel=1e-13)
    assert ni.simpson(Y[:n], x=np.arange(n) * dx) == pytest.approx(dx * exact, rel=1e-13)


def test_simpson_huge_nonuniform_x():
    # scipy itself returns 2.53e301 here (h0 * h1 overflows); the exact value of int_0^6 t^2 scaled is 72e300.
    x = np.arange(7.0) * 1e300
    assert ni.simpson(Y, x=x) / 1e300 == pytest.approx(72.0, rel=1e-14)


# ----------------------------------------------------------------------------------------- data NaN/inf, layouts
@pytest.mark.parametrize("name", RULES)
@pytest.mark.parametrize("y", [
    np.array([0, 1, np.nan, 3, 4, 5, 6.0]),
    np.array([0, 1, np.inf, 3, 4, 5, 6.0]),
    np.array([0, 1, np.inf, -np.inf, 4, 5, 6.0]),
    np.arange(7.0)[::-1],
    np.arange(7.0).astype(">f8"),
    np.frombuffer(np.arange(7.0).tobytes()),
    np.array([3.0]),
])
def test_data_follows_scipy(name, y):
    with np.errstate(all="ignore"):
        want = getattr(si, name)(y)
    np.testing.assert_allclose(rule(name)(y), want, rtol=1e-15, equal_nan=True)


# ------------------------------------------------------------------------------------------ Bayesian quadrature
def test_kernel_integral_reversed_bounds_follow_quad():
    # int_a^b int_a^b = (-1)^2 int_b^a int_b^a: the same value (it was NaN).
    for kernel in ("matern12", "matern52", "matern212"):
        assert ni.kernel_integral(1.0, 0.0, kernel, 0.7) == ni.kernel_integral(0.0, 1.0, kernel, 0.7)
    # Matern 1/2, closed form 2 l L - 2 l^2 (1 - exp(-L / l)).
    ell, L = 0.7, 2.5
    exact = 2 * ell * L - 2 * ell**2 * (1 - math.exp(-L / ell))
    assert ni.kernel_integral(2.5, 0.0, "matern12", ell) == pytest.approx(exact, rel=1e-14)
    # kernel_mean already follows the sign convention: z over [b, a] negated.
    assert ni.kernel_mean(0.3, 1.0, 0.0, "matern32", 0.5) == pytest.approx(
        -ni.kernel_mean(0.3, 0.0, 1.0, "matern32", 0.5), rel=1e-15)


def test_wiener_reversed_bounds_raise():
    with pytest.raises(ValueError, match="a <= b"):
        ni.kernel_integral(1.0, 0.0, "wiener")
    with pytest.raises(ValueError, match="a <= b"):
        ni.kernel_mean(0.5, 1.0, 0.0, "wiener")


@pytest.mark.parametrize("a, b, name", [(np.nan, 1.0, "a"), (0.0, np.nan, "b"), (0.0, np.inf, "b"),
                                        (-np.inf, 0.0, "a")])
def test_kernel_integral_non_finite_bounds_raise(a, b, name):
    for kernel in ("matern52", "wiener"):
        with pytest.raises(ValueError, match=name):
            ni.kernel_integral(a, b, kernel)


def test_kernel_mean_infinite_matern_range_is_the_full_integral():
    # int_R exp(-|t - x| / l) dt = 2 l.
    assert ni.kernel_mean(0.3, -np.inf, np.inf, "matern12", 0.25) == pytest.approx(0.5, rel=1e-15)
    with pytest.raises(ValueError, match="a"):
        ni.kernel_mean(0.3, np.nan, 1.0, "matern12", 0.25)
    with pytest.raises(ValueError, match="b"):
        ni.kernel_mean(0.3, 0.0, np.inf, "wiener")


@pytest.mark.parametrize("bad", ["0", 1j, None, True])
def test_kernel_integral_bounds_of_the_wrong_type(bad):
    with pytest.raises(TypeError, match="a"):
        ni.kernel_integral(bad, 1.0)


@pytest.mark.parametrize("kernel, p", [("matern12", 0), ("matern52", 2), ("matern212", 10)])
@pytest.mark.parametrize("ell", [1e-300, 1e-200, 1e-120])
def test_kernel_integral_tiny_lengthscale(kernel, p, ell):
    # l << b - a: int int k = 2 (b - a) int_0^inf k(r) dr = 2 (b - a) l sum_j a_j j! / sqrt(2 nu) (was
    # OverflowError).
    from numkern.integrate._bq import _matern_coeffs

    per_unit = 2 * sum(c * math.factorial(j) for j, c in enumerate(_matern_coeffs(p))) / math.sqrt(2 * p + 1)
    assert ni.kernel_integral(0.0, 3.0, kernel, ell) == pytest.approx(3.0 * per_unit * ell, rel=1e-14)


@pytest.mark.parametrize("kernel", ["matern12", "matern52", "matern212"])
@pytest.mark.parametrize("ell", [1e120, 1e200, 1e300])
def test_kernel_integral_huge_lengthscale(kernel, ell):
    # l >> b - a: k = 1 on the square (was ZeroDivisionError).
    assert ni.kernel_integral(-1.0, 2.0, kernel, ell) == pytest.approx(9.0, rel=1e-15)


@pytest.mark.parametrize("f", [lambda ell: ni.kernel_integral(0, 1, "matern52", ell),
                               lambda ell: ni.kernel_mean(0.5, 0, 1, "matern52", ell),
                               lambda ell: ni.bq_weights(np.linspace(0, 1, 5), "matern52", ell),
                               lambda ell: ni.bayes_quad(np.ones(5), lengthscale=ell)])
def test_lengthscale_type_and_value(f):
    # (bayes_quad takes the string 'mle', so another string is a bad value there: ValueError, tested below.)
    for bad in [True, 1j, np.array([0.1, 0.2])]:
        with pytest.raises(TypeError, match="lengthscale"):
            f(bad)
    for bad in [0.0, -1.0, np.nan, np.inf]:
        with pytest.raises(ValueError, match="lengthscale"):
            f(bad)


def test_string_lengthscale_and_scale():
    with pytest.raises(TypeError, match="lengthscale"):
        ni.bq_weights(np.linspace(0, 1, 5), "matern52", "1")
    with pytest.raises(ValueError, match="lengthscale"):
        ni.bayes_quad(np.ones(5), lengthscale="1")
    with pytest.raises(ValueError, match="scale"):
        ni.bayes_quad(np.ones(5), scale="1")


def test_wiener_lengthscale_is_ignored_but_must_be_a_number():
    assert ni.bq_weights(np.linspace(0, 1, 5), "wiener", 0.3).weights == pytest.approx([.125, .25, .25, .25, .125])
    with pytest.raises(TypeError, match="lengthscale"):
        ni.bq_weights(np.linspace(0, 1, 5), "wiener", "abc")


def test_bq_weights_complex_and_string_nodes():
    with pytest.raises(TypeError, match="x"):
        ni.bq_weights(np.linspace(0, 1, 5) + 0j)
    with pytest.raises(TypeError, match="x"):
        ni.bq_weights(["a", "b", "c"])
    with pytest.raises(TypeError, match="x"):
        ni.bq_weights(np.array([False, True]))
    with pytest.raises(TypeError, match="x"):
        ni.kernel_mean(1j, 0.0, 1.0)


@pytest.mark.parametrize("bad, exc, name", [(1j, TypeError, "scale"), ([1.0], TypeError, "scale"),
                                            (True, TypeError, "scale"), (0.0, ValueError, "scale"),
                                            (np.inf, ValueError, "scale")])
def test_bq_scale(bad, exc, name):
    with pytest.raises(exc, match=name):
        ni.bq_weights(np.linspace(0, 1, 5), scale=bad)
    with pytest.raises(exc, match=name):
        ni.bayes_quad(np.ones(5), scale=bad)


@pytest.mark.parametrize("bounds, exc", [("ab", TypeError), (1.0, TypeError), ((1j, 1.0), TypeError),
                                         ((None, 1.0), TypeError), ((0.0, 1.0, 2.0), ValueError),
                                         ((0.0, np.inf), ValueError), ((np.nan, 1.0), ValueError)])
def test_bq_bounds(bounds, exc):
    with pytest.raises(exc, match="bounds"):
        ni.bq_weights(np.linspace(0, 1, 5), bounds=bounds)


@pytest.mark.parametrize("dx, exc", [("1", TypeError), (1j, TypeError), (True, TypeError), (0.0, ValueError),
                                     (np.nan, ValueError)])
def test_bayes_quad_dx(dx, exc):
    with pytest.raises(exc, match="dx"):
        ni.bayes_quad(np.ones(5), dx=dx)


def test_bq_rule_on_complex_data_keeps_the_imaginary_part():
    x = np.linspace(0, 1, 11)
    rule_ = ni.bq_weights(x, "matern32", 0.4)
    y = np.exp(x)
    got = rule_(y + 1j * np.cos(x))
    assert got == pytest.approx(rule_.weights @ y + 1j * (rule_.weights @ np.cos(x)), rel=1e-14)
    with pytest.raises(TypeError, match="y"):
        rule_(np.array(list("abcdefghijk")))
    with pytest.raises(ValueError, match="y"):
        rule_(1.0)


def test_bq_tiny_lengthscale_weights():
    # l -> 0: each node carries the integral of its own kernel bump, 2 l sum_j a_j j! / sqrt(2 nu) (ends: half).
    x = np.linspace(0, 1, 11)
    w = ni.bq_weights(x, "matern12", 1e-300).weights
    np.testing.assert_allclose(w, np.r_[1e-300, np.full(9, 2e-300), 1e-300], rtol=1e-12)


def test_trapezoid_complex_array_dx():
    # Summed in y's real dtype before: the imaginary part of the spacing was dropped.
    y = np.arange(12.0).reshape(2, 6)
    dx = np.array([[1j], [2.0 + 1j]])
    got = ni.trapezoid(y, dx=dx)
    np.testing.assert_allclose(got, np.trapezoid(y, dx=dx), rtol=1e-15)
    np.testing.assert_allclose(got, dx[:, 0] * ni.trapezoid(y), rtol=1e-15)


# ------------------------------------------------------------------------------------------ fuzz findings (issue 24)
X7 = np.array([0.0, 0.5, 1.5, 2.0, 3.0, 3.5, 5.0])


@pytest.mark.parametrize("name", RULES)
@pytest.mark.parametrize("dx", ["1.0", True, None])
def test_dx_is_checked_even_when_x_is_given(name, dx):
    # scipy ignores dx when x is given; numkern checks it anyway, so a bad dx never passes silently.
    with pytest.raises(TypeError, match="dx"):
        rule(name)(Y, x=X7, dx=dx)


@pytest.mark.parametrize("name", RULES)
def test_unused_valid_dx_with_x_keeps_scipys_value(name):
    np.testing.assert_allclose(rule(name)(Y, x=X7, dx=0.25), getattr(si, name)(Y, x=X7), rtol=1e-13)


@pytest.mark.parametrize("name", RULES + ["bayes_quad"])
@pytest.mark.parametrize("axis", [2 ** 63, -(2 ** 63) - 1, 10 ** 30])
def test_axis_beyond_int64_raises_valueerror_naming_axis(name, axis):
    # numpy's own axis check overflowed here ("Python int too large to convert to C long").
    # AxisError (a ValueError) or, in cumulative_simpson, scipy's ValueError.
    f = ni.bayes_quad if name == "bayes_quad" else rule(name)
    with pytest.raises(ValueError, match="axis"):
        f(Y, x=X7, axis=axis)


def test_bq_rule_axis_beyond_int64():
    r = ni.bq_weights(X7, lengthscale=0.5)
    with pytest.raises(np.exceptions.AxisError, match="axis"):
        r(Y, axis=2 ** 63)
    assert r(Y, axis=-1) == pytest.approx(float(r.weights @ Y), rel=1e-14)


@pytest.mark.parametrize("initial", [np.array([0.0, 0.0]), [0.0], np.array(0.0)])
def test_cumulative_trapezoid_non_scalar_initial_raises_valueerror(initial):
    with pytest.raises(ValueError, match="initial"):
        ni.cumulative_trapezoid(Y, initial=initial)


@pytest.mark.parametrize("initial", ["0", True, False, b"0"])
def test_cumulative_trapezoid_initial_of_the_wrong_type(initial):
    with pytest.raises(TypeError, match="initial"):
        ni.cumulative_trapezoid(Y, initial=initial)


@pytest.mark.parametrize("initial", [0, 0.0, np.float32(0), -0.0])
def test_cumulative_trapezoid_zero_initial_still_follows_scipy(initial):
    np.testing.assert_array_equal(ni.cumulative_trapezoid(Y, initial=initial),
                                  si.cumulative_trapezoid(Y, initial=initial))


@pytest.mark.parametrize("name", RULES)
def test_object_nodes_give_a_float_result(name):
    # scipy returns an object array here; numkern converts the nodes and returns float64 with scipy's values.
    res = rule(name)(Y, x=X7.astype(object))
    assert np.asarray(res).dtype == np.float64
    np.testing.assert_allclose(res, np.asarray(getattr(si, name)(Y, x=X7.astype(object)), dtype=float),
                               rtol=1e-13)


@pytest.mark.parametrize("kernel,p", [("matern12", 0), ("matern32", 1), ("matern52", 2)])
@pytest.mark.parametrize("ell", [5e-324, 1e-320])
def test_kernel_mean_subnormal_lengthscale_is_not_nan(kernel, p, ell):
    # c = sqrt(2 nu) / lengthscale overflowed to inf, and inf * 0 at the nodes on a bound gave NaN.
    # The exact value is lengthscale / sqrt(2p+1) * sum_j a_j j! (times 2 inside, once on a bound).
    f = math.factorial
    mass = sum(f(p) * f(2 * p - j) * 2 ** j / (f(2 * p) * f(p - j)) for j in range(p + 1))
    z = ni.kernel_mean(X7, 0.0, 5.0, kernel, ell)
    assert not np.any(np.isnan(z))
    inner = 2 * mass * ell / math.sqrt(2 * p + 1)
    expected = np.array([inner / 2] + [inner] * 5 + [inner / 2])
    np.testing.assert_allclose(z, expected, rtol=0.5, atol=5e-324)  # subnormal: only a few bits of precision
    assert np.all(z >= 0)


# ------------------------------------------------------------------------------- masked arrays (issue 19)
_YM = np.ma.masked_array([1.0, 2.0, 100.0, 4.0, 5.0, 6.0], mask=[0, 0, 1, 0, 0, 0])
_XN = np.array([0.0, 1.0, 2.5, 3.0, 4.5, 6.0])
_XM = np.ma.masked_array(_XN, mask=[0, 0, 0, 1, 0, 0])
_YM2 = np.ma.masked_array(np.arange(12.0).reshape(3, 4), mask=np.eye(3, 4, dtype=bool))


def _same(got, want):
    assert type(got) is type(want)
    np.testing.assert_array_equal(np.ma.getmaskarray(got), np.ma.getmaskarray(want))
    np.testing.assert_array_equal(np.ma.getdata(got), np.ma.getdata(want))


@pytest.mark.parametrize("y, kw, closed_form", [
    # the two intervals at the masked 100 are left out: 1.5 + 4.5 + 5.5 (was 114.5, the mask ignored)
    (_YM, {}, 11.5),
    (_YM, {"x": _XN}, 1.5 + 1.5 * 4.5 + 1.5 * 5.5),
    (_YM, {"dx": 0.5}, 11.5 / 2),
    (_YM.data, {"x": _XM}, 1.5 + 1.5 * 51 + 1.5 * 5.5),  # a masked node drops the intervals on either side
    (_YM, {"x": _XM}, 1.5 + 1.5 * 5.5),
    (_YM.data, {"dx": np.ma.masked_array([1.0, 1, 1, 2, 1], mask=[0, 1, 0, 0, 0])}, 1.5 + 52 + 2 * 4.5 + 5.5),
    (np.ma.masked_array([1, 2, 3, 4], mask=[0, 0, 0, 1]), {}, 4.0),  # integers: float64, as scipy
    (np.ma.masked_all(4), {}, None),  # every interval masked: numpy.ma.masked, as scipy
    (_YM2, {"axis": 0}, None), (_YM2, {"axis": 1}, None), (_YM2, {"x": _XN[:3], "axis": 0}, None),
    (np.ma.masked_array(np.arange(4.0)), {}, 4.5),  # nothing masked
])
def test_trapezoid_honours_the_mask_as_scipy(y, kw, closed_form):
    got = ni.trapezoid(y, **kw)
    _same(got, si.trapezoid(y, **kw))
    if closed_form is not None:
        assert float(got) == closed_form


def test_masked_trapezoid_still_checks_its_arguments():
    with pytest.raises(TypeError, match="n_threads"):
        ni.trapezoid(_YM, n_threads=1.5)
    with pytest.raises(np.exceptions.AxisError):
        ni.trapezoid(_YM, axis=1)
    with pytest.raises(TypeError, match="dx"):
        ni.trapezoid(_YM, dx="1")


@pytest.mark.parametrize("name", RULES[1:])
@pytest.mark.parametrize("arg", ["y", "x"])
def test_rules_that_cannot_honour_a_mask_refuse_it(name, arg):
    # scipy's simpson and cumulative_trapezoid integrate the masked 100 as if unmasked; cumulative_simpson mixes
    # masked arithmetic into values that are neither answer. numkern used to do the former for all three.
    y, x = (_YM, _XN) if arg == "y" else (_YM.data, _XM)
    with pytest.raises(TypeError, match=f"^{arg} is a masked array with masked entries, which {name} cannot honour"):
        rule(name)(y, x=x)


@pytest.mark.parametrize("name", RULES[1:])
def test_masked_arrays_with_nothing_masked_are_their_data(name):
    y, x = np.ma.masked_array(_YM.data), np.ma.masked_array(_XN)
    got = rule(name)(y, x=x)
    assert type(got) is type(rule(name)(_YM.data, x=_XN))
    np.testing.assert_array_equal(got, rule(name)(_YM.data, x=_XN))
    np.testing.assert_allclose(got, getattr(si, name)(y, x=x), rtol=1e-13)
