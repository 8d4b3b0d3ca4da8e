"""
numkern.stats kernels: fused passes over unit-vector data (OpenMP, GIL released)
"""
from __future__ import annotations
import numpy
import numpy.typing
import typing
__all__: list[str] = ['reflect_rows', 'row_dot_sqnorm', 'row_sq_distance', 'weighted_column_sum', 'weighted_sq_deviation']
@typing.overload
def reflect_rows(x: numpy.typing.NDArray[numpy.float64], v: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> None:
    """
    In place: every row x_i <- (I - 2 v v^T / v^T v) x_i (Householder reflection).
    """
@typing.overload
def reflect_rows(x: numpy.typing.NDArray[numpy.float32], v: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> None:
    """
    In place: every row x_i <- (I - 2 v v^T / v^T v) x_i (Householder reflection).
    """
@typing.overload
def row_dot_sqnorm(x: numpy.typing.NDArray[numpy.float64], mu: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> tuple:
    """
    (x @ mu or None, squared row norms) in one pass, accumulated in float64.
    """
@typing.overload
def row_dot_sqnorm(x: numpy.typing.NDArray[numpy.float32], mu: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> tuple:
    """
    (x @ mu or None, squared row norms) in one pass, accumulated in float64.
    """
@typing.overload
def row_sq_distance(x: numpy.typing.NDArray[numpy.float64], center: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> tuple:
    """
    (||x_i - center||^2, ||x_i||^2) per row in one pass, in float64.
    """
@typing.overload
def row_sq_distance(x: numpy.typing.NDArray[numpy.float32], center: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> tuple:
    """
    (||x_i - center||^2, ||x_i||^2) per row in one pass, in float64.
    """
@typing.overload
def weighted_column_sum(x: numpy.typing.NDArray[numpy.float64], weights: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> tuple:
    """
    (sum_i w_i x_i, squared row norms) in one pass, accumulated in float64.
    """
@typing.overload
def weighted_column_sum(x: numpy.typing.NDArray[numpy.float32], weights: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> tuple:
    """
    (sum_i w_i x_i, squared row norms) in one pass, accumulated in float64.
    """
@typing.overload
def weighted_sq_deviation(x: numpy.typing.NDArray[numpy.float64], center: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], weights: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> float:
    """
    sum_i w_i ||x_i - center||^2 in float64.
    """
@typing.overload
def weighted_sq_deviation(x: numpy.typing.NDArray[numpy.float32], center: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], weights: typing.Any, n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> float:
    """
    sum_i w_i ||x_i - center||^2 in float64.
    """
