"""
Kronecker multi-axis products (one GEMM per axis); use numkern.kron instead
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
__all__: list[str] = ['apply_along', 'have_blas', 'kron_matmat', 'set_blas']
@typing.overload
def apply_along(mat: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], n_threads: typing.SupportsInt | typing.SupportsIndex, use_blas: bool) -> numpy.typing.NDArray[numpy.float64]:
    ...
@typing.overload
def apply_along(mat: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], x: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], n_threads: typing.SupportsInt | typing.SupportsIndex, use_blas: bool) -> numpy.typing.NDArray[numpy.float32]:
    ...
def have_blas() -> bool:
    ...
@typing.overload
def kron_matmat(factors: collections.abc.Sequence[typing.Annotated[numpy.typing.ArrayLike, numpy.float64]], x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], n_threads: typing.SupportsInt | typing.SupportsIndex, use_blas: bool) -> numpy.typing.NDArray[numpy.float64]:
    ...
@typing.overload
def kron_matmat(factors: collections.abc.Sequence[typing.Annotated[numpy.typing.ArrayLike, numpy.float32]], x: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], n_threads: typing.SupportsInt | typing.SupportsIndex, use_blas: bool) -> numpy.typing.NDArray[numpy.float32]:
    ...
def set_blas(dgemm: typing.Any, sgemm: typing.Any) -> None:
    """
    Register scipy.linalg.cython_blas dgemm/sgemm capsules for the BLAS-backed products.
    """
