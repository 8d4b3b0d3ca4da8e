"""
Kronecker multi-axis products (one GEMM per axis); use numkern.kron instead
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
__all__: list[str] = ['Engine', 'apply_along', 'buffer_sizes', 'have_blas', 'kron_matmat', 'set_blas']
class Engine:
    """
    How one product of the rotation is multiplied (numkern/kron/multi_axis.hpp).
    
    Members:
    
      blas
    
      blocked
    
      reference
    """
    __members__: typing.ClassVar[dict[str, Engine]]
    blas: typing.ClassVar[Engine]
    blocked: typing.ClassVar[Engine]
    reference: typing.ClassVar[Engine]
    @typing.overload
    def __eq__(self, other: Engine) -> bool:
        ...
    @typing.overload
    def __eq__(self, other: typing.Any) -> bool:
        ...
    def __getstate__(self) -> int:
        ...
    def __hash__(self) -> int:
        ...
    def __index__(self) -> int:
        ...
    def __init__(self, value: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __int__(self) -> int:
        ...
    @typing.overload
    def __ne__(self, other: Engine) -> bool:
        ...
    @typing.overload
    def __ne__(self, other: typing.Any) -> bool:
        ...
    def __repr__(self) -> str:
        ...
    def __setstate__(self, state: typing.SupportsInt | typing.SupportsIndex) -> None:
        ...
    def __str__(self) -> str:
        ...
    @property
    def name(self) -> str:
        ...
    @property
    def value(self) -> int:
        ...
@typing.overload
def apply_along(mat: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], n_threads: typing.SupportsInt | typing.SupportsIndex, engine: Engine) -> numpy.typing.NDArray[numpy.float64]:
    ...
@typing.overload
def apply_along(mat: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], x: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], n_threads: typing.SupportsInt | typing.SupportsIndex, engine: Engine) -> numpy.typing.NDArray[numpy.float32]:
    ...
def buffer_sizes(m: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex], n: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex], batch: typing.SupportsInt | typing.SupportsIndex) -> tuple:
    """
    (output, work) capacities of the rotation, in elements (the CUDA path allocates them).
    """
def have_blas() -> bool:
    ...
@typing.overload
def kron_matmat(factors: collections.abc.Sequence[typing.Annotated[numpy.typing.ArrayLike, numpy.float64]], x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], n_threads: typing.SupportsInt | typing.SupportsIndex, engine: Engine) -> numpy.typing.NDArray[numpy.float64]:
    ...
@typing.overload
def kron_matmat(factors: collections.abc.Sequence[typing.Annotated[numpy.typing.ArrayLike, numpy.float32]], x: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], n_threads: typing.SupportsInt | typing.SupportsIndex, engine: Engine) -> numpy.typing.NDArray[numpy.float32]:
    ...
def set_blas(dgemm: typing.Any, sgemm: typing.Any) -> None:
    """
    Register scipy.linalg.cython_blas dgemm/sgemm capsules for the BLAS-backed products.
    """
