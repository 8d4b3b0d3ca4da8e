"""
numkern k-medoids kernels (PAM family, CLARA, CLARANS, silhouettes and their optimisers)
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
__all__: list[str] = ['cdist', 'first_invalid', 'medoid_silhouette', 'msc', 'pairwise', 'pam_offload_reference', 'run', 'silhouette']
@typing.overload
def cdist(A: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], B: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], metric: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> numpy.typing.NDArray[numpy.float64]:
    ...
@typing.overload
def cdist(A: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], B: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], metric: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> numpy.typing.NDArray[numpy.float32]:
    ...
@typing.overload
def first_invalid(data: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], n_threads: typing.SupportsInt | typing.SupportsIndex) -> tuple:
    ...
@typing.overload
def first_invalid(data: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], n_threads: typing.SupportsInt | typing.SupportsIndex) -> tuple:
    ...
@typing.overload
def medoid_silhouette(D: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], medoids: typing.Annotated[numpy.typing.ArrayLike, numpy.int64]) -> tuple:
    ...
@typing.overload
def medoid_silhouette(D: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], medoids: typing.Annotated[numpy.typing.ArrayLike, numpy.int64]) -> tuple:
    ...
@typing.overload
def msc(algorithm: typing.SupportsInt | typing.SupportsIndex, data: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], metric: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex, k: typing.SupportsInt | typing.SupportsIndex, min_k: typing.SupportsInt | typing.SupportsIndex, init: typing.SupportsInt | typing.SupportsIndex, initial: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], max_iter: typing.SupportsInt | typing.SupportsIndex, seed: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex) -> tuple:
    ...
@typing.overload
def msc(algorithm: typing.SupportsInt | typing.SupportsIndex, data: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], metric: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex, k: typing.SupportsInt | typing.SupportsIndex, min_k: typing.SupportsInt | typing.SupportsIndex, init: typing.SupportsInt | typing.SupportsIndex, initial: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], max_iter: typing.SupportsInt | typing.SupportsIndex, seed: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex) -> tuple:
    ...
@typing.overload
def pairwise(X: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], metric: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> numpy.typing.NDArray[numpy.float64]:
    ...
@typing.overload
def pairwise(X: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], metric: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> numpy.typing.NDArray[numpy.float32]:
    ...
@typing.overload
def pam_offload_reference(D: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], k: typing.SupportsInt | typing.SupportsIndex, initial: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex], weights: typing.Any, max_iter: typing.SupportsInt | typing.SupportsIndex, build_only: bool) -> tuple:
    ...
@typing.overload
def pam_offload_reference(D: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], k: typing.SupportsInt | typing.SupportsIndex, initial: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex], weights: typing.Any, max_iter: typing.SupportsInt | typing.SupportsIndex, build_only: bool) -> tuple:
    ...
@typing.overload
def run(algorithm: typing.SupportsInt | typing.SupportsIndex, data: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], metric: typing.SupportsInt | typing.SupportsIndex, k: typing.SupportsInt | typing.SupportsIndex, init: typing.SupportsInt | typing.SupportsIndex, initial: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], max_iter: typing.SupportsInt | typing.SupportsIndex, seed: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex, weights: typing.Annotated[numpy.typing.ArrayLike, numpy.float64] | None, samples: typing.SupportsInt | typing.SupportsIndex, sample_size: typing.SupportsInt | typing.SupportsIndex, numlocal: typing.SupportsInt | typing.SupportsIndex, maxneighbor: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> tuple:
    ...
@typing.overload
def run(algorithm: typing.SupportsInt | typing.SupportsIndex, data: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], metric: typing.SupportsInt | typing.SupportsIndex, k: typing.SupportsInt | typing.SupportsIndex, init: typing.SupportsInt | typing.SupportsIndex, initial: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], max_iter: typing.SupportsInt | typing.SupportsIndex, seed: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex, weights: typing.Annotated[numpy.typing.ArrayLike, numpy.float64] | None, samples: typing.SupportsInt | typing.SupportsIndex, sample_size: typing.SupportsInt | typing.SupportsIndex, numlocal: typing.SupportsInt | typing.SupportsIndex, maxneighbor: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> tuple:
    ...
@typing.overload
def silhouette(D: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], labels: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], k: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex) -> tuple:
    ...
@typing.overload
def silhouette(D: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], labels: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], k: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex) -> tuple:
    ...
