"""The IntRL example reproduces the published trapezoid numbers (Cao & Pan 2024, third-order system)."""

import importlib.util
import pathlib

import numpy as np
import pytest

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "intrl_quadrature.py"


@pytest.fixture(scope="module")
def intrl():
    spec = importlib.util.spec_from_file_location("intrl_quadrature", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("n,published", [(5, 1.1776e-3), (15, 9.606e-5)])
def test_trapezoid_curve_reproduced(intrl, n, published):
    err = intrl.study(["trapezoid"], [n])["trapezoid"][0]
    assert abs(err / published - 1) < 1e-3


def test_simpson_and_exact_bq_beat_trapezoid(intrl):
    errs = intrl.study(["trapezoid", "simpson", "bq"], [5, 15])
    assert np.all(errs["simpson"] < 1e-2 * errs["trapezoid"])  # odd N
    assert np.all(errs["bq"] < 0.1 * errs["trapezoid"])
    # exact BQ weights: faster than N^-4 between N = 5 and 15 (the jittered paper version stalled near N^-2.5)
    slope = np.log(errs["bq"][1] / errs["bq"][0]) / np.log(14 / 4)
    assert slope < -4
