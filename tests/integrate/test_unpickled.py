"""Arrays that went through pickle (Dask tasks, multiprocessing) carry an equal but distinct dtype object."""

import pickle

import numpy as np
import pytest

import numkern.integrate as ni


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rule", [ni.trapezoid, ni.simpson, ni.cumulative_trapezoid, ni.cumulative_simpson])
def test_unpickled_array_integrates(rule, dtype):
    y = np.linspace(0.0, 1.0, 12, dtype=dtype).reshape(3, 4) ** 2
    y2 = pickle.loads(pickle.dumps(y))
    assert y2.dtype == y.dtype
    res = rule(y2)
    np.testing.assert_array_equal(res, rule(y))
    assert res.dtype == rule(y).dtype
