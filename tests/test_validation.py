"""The shared argument rules of numkern._validation, checked through every subpackage's public functions."""

import numpy as np
import pytest
import scipy.sparse as sp

import numkern
from numkern import _core, cluster, integrate, kron, sparse, stats
from numkern._validation import all_cores, check_integer, check_n_threads, check_real, thread_cap

# Inputs just above each kernel's serial cutoff, so that the thread count really reaches an OpenMP region (the old
# code segfaulted there with n_threads=200000): SpGEMM >= 2**16 multiplications, the rules >= 2**15
# multiply-adds, vMF > 2**20 elements; k-medoids always runs its parallel passes.
rng = np.random.default_rng(0)
_A = sp.random(600, 600, density=0.05, format="csr", random_state=1)
_Y = rng.standard_normal((4, 10000))
_X = rng.standard_normal((60, 3))
_U = rng.standard_normal(((1 << 18) + 64, 4))
_U /= np.linalg.norm(_U, axis=1, keepdims=True)
_K = [np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([[1.0, 0.2, 0.0], [0.2, 1.0, 0.1], [0.0, 0.1, 1.0]])]

# One representative public call per subpackage that runs an OpenMP region; each returns something comparable.
CALLS = {
    "sparse.matmul": lambda t: sparse.matmul(_A, _A, n_threads=t).toarray(),
    "sparse.masked_matmul": lambda t: sparse.masked_matmul(_A, _A, _A, n_threads=t).toarray(),
    "sparse.spgemm_plan": lambda t: sparse.spgemm_plan(_A, _A, n_threads=t).multiply(_A, _A).toarray(),
    "integrate.trapezoid": lambda t: integrate.trapezoid(_Y, n_threads=t),
    "integrate.simpson": lambda t: integrate.simpson(_Y, n_threads=t),
    "integrate.cumulative_trapezoid": lambda t: integrate.cumulative_trapezoid(_Y, n_threads=t),
    "integrate.cumulative_simpson": lambda t: integrate.cumulative_simpson(_Y, n_threads=t),
    "cluster.fasterpam": lambda t: cluster.fasterpam(_X, 3, metric="euclidean", random_state=0, n_threads=t).medoids,
    "cluster.pam": lambda t: cluster.pam(_X, 3, metric="euclidean", n_threads=t).medoids,
    "stats.vonmises_fisher.logpdf": lambda t: stats.vonmises_fisher.logpdf(_U, [0.0, 0.0, 0.0, 1.0], 3.0, n_threads=t),
    "stats.vonmises_fisher.fit": lambda t: np.concatenate(
        [np.atleast_1d(v) for v in stats.vonmises_fisher.fit(_U, n_threads=t)]),
    "kron.KroneckerOperator": lambda t: kron.KroneckerOperator(*_K, n_threads=t).matvec(np.arange(6.0)),
}


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("bad", [True, np.True_, 2.0, 2.7, "2", 1j, [2]])
def test_wrong_type_is_a_type_error_everywhere(name, bad):
    with pytest.raises(TypeError, match="n_threads must be None, -1 \\(all cores\\) or a positive integer"):
        CALLS[name](bad)


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("bad", [0, -2, -(2**40), np.int64(0)])
def test_out_of_range_is_a_value_error_everywhere(name, bad):
    with pytest.raises(ValueError, match="n_threads must be None, -1 \\(all cores\\) or a positive integer"):
        CALLS[name](bad)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_huge_and_all_core_counts_run_and_agree_bitwise(name):
    """200000 threads used to overflow libgomp's stack (SIGSEGV); 2**31 hit pybind11's overload error."""
    ref = CALLS[name](1)
    for t in (np.int32(2), 3, -1, None, 200_000, 2**31, 2**63):
        np.testing.assert_array_equal(CALLS[name](t), ref, err_msg=f"n_threads={t!r}")


def test_rules_of_the_resolver():
    assert check_n_threads(None) == 0
    assert check_n_threads(np.uint8(3)) == 3
    assert check_n_threads(-1) == min(all_cores(), thread_cap())
    assert check_n_threads(10**30) == thread_cap() == _core.thread_cap()
    assert thread_cap() >= 64
    with pytest.raises(TypeError, match="workers must be"):
        check_n_threads(1.0, "workers")


def test_integer_and_real_rules():
    assert check_integer(np.int16(5), "k", min_value=1) == 5
    assert check_integer(None, "k", allow_none=True) is None
    for bad in (True, 2.0, "3", None, np.float64(2)):
        with pytest.raises(TypeError, match="^k must be an integer"):
            check_integer(bad, "k")
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        check_integer(0, "k", min_value=1)
    with pytest.raises(ValueError, match="k must be <= 3, got 4"):
        check_integer(4, "k", max_value=3)
    assert check_real(np.float32(0.5), "tol", positive=True) == 0.5
    assert check_real(3, "tol") == 3.0
    for bad in (True, "1", 1j, np.array([1.0]), None):
        with pytest.raises(TypeError, match="^tol must be a real number"):
            check_real(bad, "tol")
    for bad, kw in ((float("nan"), {}), (float("inf"), {}), (0.0, {"positive": True}), (-1e-300, {"nonnegative": True})):
        with pytest.raises(ValueError, match="^tol must be"):
            check_real(bad, "tol", **kw)
    assert check_real(float("inf"), "tol", finite=False) == float("inf")


def test_threadpoolctl_limits_the_default():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(limits=1, user_api="openmp"):
        assert _core.max_threads() == 1
    assert numkern.show_config is not None
