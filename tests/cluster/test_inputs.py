"""Bad input gives clear errors naming the argument."""

import numpy as np
import pytest

from numkern import cluster

D = np.array([[0.0, 1.0, 4.0], [1.0, 0.0, 2.0], [4.0, 2.0, 0.0]])


@pytest.mark.parametrize(
    "diss,match",
    [
        (np.zeros((3, 4)), "square"),
        (np.zeros((2, 2, 2)), "2-D"),
        (np.zeros(4), r"diss: a condensed distance vector .* length n \(n - 1\) / 2 .* got length 4"),  # 1-D: pdist
        (np.zeros(0), "got length 0"),
        (np.zeros((0, 0)), "empty"),
        (np.where(np.eye(3) == 1, np.nan, D), "NaN"),
        (np.where(np.eye(3) == 1, np.inf, D), "inf"),
        (D - 1.5, "Negative"),
    ],
)
def test_bad_matrix(diss, match):
    with pytest.raises(ValueError, match=match):
        cluster.pam(diss, 1)


def test_bad_dtype():
    with pytest.raises(TypeError, match="diss"):
        cluster.pam(D.astype(complex), 1)
    with pytest.raises(TypeError, match="diss"):
        cluster.pam(D.astype(object), 1)
    assert cluster.pam(D.astype(np.int32), 1).loss == 3.0  # integers are converted to float64


@pytest.mark.parametrize("k", [0, -1, 4])
def test_k_out_of_range(k):
    with pytest.raises(ValueError, match="medoids"):
        cluster.fasterpam(D, k)


@pytest.mark.parametrize("medoids", [np.array([0, 0]), np.array([0, 5]), np.array([[0, 1]]), np.array([0.5, 1.0])])
def test_bad_initial_medoids(medoids):
    with pytest.raises(ValueError, match="medoids"):
        cluster.fastpam1(D, medoids)


def test_other_arguments():
    with pytest.raises(ValueError, match="init"):
        cluster.pam(D, 2, init="kmeans++")
    with pytest.raises(ValueError, match="init"):
        cluster.pam(D, np.array([0, 1]), init="build")
    with pytest.raises(ValueError, match="n_threads"):
        cluster.pam(D, 2, n_threads=0)
    with pytest.raises(ValueError, match="max_iter"):
        cluster.pam(D, 2, max_iter=-1)
    with pytest.raises(ValueError, match="metric"):
        cluster.pam(D, 2, metric="mahalanobis")  # chebyshev became a metric name (issue 22)
    with pytest.raises(ValueError, match="sample_weight"):
        cluster.pam(D, 2, sample_weight=[1.0, -1.0, 1.0])
    with pytest.raises(ValueError, match="sample_weight"):
        cluster.pam(D, 2, sample_weight=[1.0, 1.0])
    with pytest.raises(ValueError, match="sample_weight"):
        cluster.pam(D, 2, sample_weight=[0.0, 0.0, 0.0])
    with pytest.raises(TypeError, match="random_state"):
        cluster.fasterpam(D, 2, random_state="seed")
    with pytest.raises(ValueError, match="samples"):
        cluster.clara(D, 2, samples=0)
    with pytest.raises(ValueError, match="medoids"):
        cluster.clara(D, np.array([0, 1]))
    with pytest.raises(ValueError, match="X"):
        cluster.clara(np.array([[0.0, np.nan]]), 1, metric="euclidean")


def test_asymmetric_matrix_uses_rows_as_medoids():
    # d(j, m) = A[m, j]: object 0 is cheap for everyone as a medoid only in the row direction.
    A = np.array([[0.0, 1.0, 1.0], [9.0, 0.0, 9.0], [9.0, 9.0, 0.0]])
    res = cluster.pam(A, 1)
    assert res.medoids.tolist() == [0] and res.loss == 2.0
    assert cluster.pam(A.T, 1).loss == 10.0


def test_k_equals_n_and_all_identical():
    res = cluster.pam(D, 3)
    assert sorted(res.medoids.tolist()) == [0, 1, 2] and res.loss == 0.0
    Z = np.zeros((6, 6))
    res = cluster.fasterpam(Z, 4, random_state=0)
    assert len(set(res.medoids.tolist())) == 4 and res.loss == 0.0
