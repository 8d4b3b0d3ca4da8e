"""
numkern k-medoids kernels (PAM family, CLARA, CLARANS, silhouettes and their optimisers)
"""
from __future__ import annotations
import collections.abc
import numpy
import numpy.typing
import typing
__all__: list[str] = ['Algorithm', 'Init', 'Metric', 'cdist', 'first_invalid', 'medoid_silhouette', 'msc', 'pairwise', 'pam_offload_reference', 'run', 'silhouette']
class Algorithm:
    """
    k-medoids algorithm of run and msc (numkern/cluster/kmedoids.hpp).
    
    Members:
    
      pam
    
      fastpam1
    
      fastpam2
    
      fasterpam
    
      alternating
    
      build
    
      lab
    
      clara
    
      fastclara
    
      clarans
    
      fastclarans
    
      fastmsc
    
      fastermsc
    
      pammedsil
    
      pamsil
    
      dynmsc
    """
    __members__: typing.ClassVar[dict[str, Algorithm]]
    alternating: typing.ClassVar[Algorithm]
    build: typing.ClassVar[Algorithm]
    clara: typing.ClassVar[Algorithm]
    clarans: typing.ClassVar[Algorithm]
    dynmsc: typing.ClassVar[Algorithm]
    fastclara: typing.ClassVar[Algorithm]
    fastclarans: typing.ClassVar[Algorithm]
    fastermsc: typing.ClassVar[Algorithm]
    fasterpam: typing.ClassVar[Algorithm]
    fastmsc: typing.ClassVar[Algorithm]
    fastpam1: typing.ClassVar[Algorithm]
    fastpam2: typing.ClassVar[Algorithm]
    lab: typing.ClassVar[Algorithm]
    pam: typing.ClassVar[Algorithm]
    pammedsil: typing.ClassVar[Algorithm]
    pamsil: typing.ClassVar[Algorithm]
    @typing.overload
    def __eq__(self, other: Algorithm) -> bool:
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
    def __ne__(self, other: Algorithm) -> bool:
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
class Metric:
    """
    Dissimilarity of raw points (numkern/cluster/common.hpp); None: precomputed.
    
    Members:
    
      euclidean
    
      sqeuclidean
    
      manhattan
    
      cosine
    
      chebyshev
    
      minkowski
    
      hamming
    
      jaccard
    
      canberra
    """
    __members__: typing.ClassVar[dict[str, Metric]]
    canberra: typing.ClassVar[Metric]
    chebyshev: typing.ClassVar[Metric]
    cosine: typing.ClassVar[Metric]
    euclidean: typing.ClassVar[Metric]
    hamming: typing.ClassVar[Metric]
    jaccard: typing.ClassVar[Metric]
    manhattan: typing.ClassVar[Metric]
    minkowski: typing.ClassVar[Metric]
    sqeuclidean: typing.ClassVar[Metric]
    @typing.overload
    def __eq__(self, other: Metric) -> bool:
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
    def __ne__(self, other: Metric) -> bool:
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
class Init:
    """
    Initial medoids of run and msc; given: the `initial` indices.
    
    Members:
    
      build
    
      lab
    
      random
    
      first
    
      given
    """
    __members__: typing.ClassVar[dict[str, Init]]
    build: typing.ClassVar[Init]
    first: typing.ClassVar[Init]
    given: typing.ClassVar[Init]
    lab: typing.ClassVar[Init]
    random: typing.ClassVar[Init]
    @typing.overload
    def __eq__(self, other: Init) -> bool:
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
    def __ne__(self, other: Init) -> bool:
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
def cdist(A: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], B: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], metric: Metric, n_threads: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> numpy.typing.NDArray[numpy.float64]:
    ...
@typing.overload
def cdist(A: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], B: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], metric: Metric, n_threads: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> numpy.typing.NDArray[numpy.float32]:
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
def msc(algorithm: Algorithm, data: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], metric: Metric | None, p: typing.SupportsFloat | typing.SupportsIndex, k: typing.SupportsInt | typing.SupportsIndex, min_k: typing.SupportsInt | typing.SupportsIndex, init: Init, initial: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], max_iter: typing.SupportsInt | typing.SupportsIndex, seed: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex) -> tuple:
    ...
@typing.overload
def msc(algorithm: Algorithm, data: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], metric: Metric | None, p: typing.SupportsFloat | typing.SupportsIndex, k: typing.SupportsInt | typing.SupportsIndex, min_k: typing.SupportsInt | typing.SupportsIndex, init: Init, initial: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], max_iter: typing.SupportsInt | typing.SupportsIndex, seed: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex) -> tuple:
    ...
@typing.overload
def pairwise(X: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], metric: Metric, n_threads: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> numpy.typing.NDArray[numpy.float64]:
    ...
@typing.overload
def pairwise(X: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], metric: Metric, n_threads: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> numpy.typing.NDArray[numpy.float32]:
    ...
@typing.overload
def pam_offload_reference(D: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], k: typing.SupportsInt | typing.SupportsIndex, initial: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex], weights: typing.Any, max_iter: typing.SupportsInt | typing.SupportsIndex, build_only: bool) -> tuple:
    ...
@typing.overload
def pam_offload_reference(D: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], k: typing.SupportsInt | typing.SupportsIndex, initial: collections.abc.Sequence[typing.SupportsInt | typing.SupportsIndex], weights: typing.Any, max_iter: typing.SupportsInt | typing.SupportsIndex, build_only: bool) -> tuple:
    ...
@typing.overload
def run(algorithm: Algorithm, data: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], metric: Metric | None, k: typing.SupportsInt | typing.SupportsIndex, init: Init, initial: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], max_iter: typing.SupportsInt | typing.SupportsIndex, seed: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex, weights: typing.Annotated[numpy.typing.ArrayLike, numpy.float64] | None, samples: typing.SupportsInt | typing.SupportsIndex, sample_size: typing.SupportsInt | typing.SupportsIndex, numlocal: typing.SupportsInt | typing.SupportsIndex, maxneighbor: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> tuple:
    ...
@typing.overload
def run(algorithm: Algorithm, data: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], metric: Metric | None, k: typing.SupportsInt | typing.SupportsIndex, init: Init, initial: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], max_iter: typing.SupportsInt | typing.SupportsIndex, seed: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex, weights: typing.Annotated[numpy.typing.ArrayLike, numpy.float64] | None, samples: typing.SupportsInt | typing.SupportsIndex, sample_size: typing.SupportsInt | typing.SupportsIndex, numlocal: typing.SupportsInt | typing.SupportsIndex, maxneighbor: typing.SupportsInt | typing.SupportsIndex, p: typing.SupportsFloat | typing.SupportsIndex = 2.0) -> tuple:
    ...
@typing.overload
def silhouette(D: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], labels: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], k: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex) -> tuple:
    ...
@typing.overload
def silhouette(D: typing.Annotated[numpy.typing.ArrayLike, numpy.float32], labels: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], k: typing.SupportsInt | typing.SupportsIndex, n_threads: typing.SupportsInt | typing.SupportsIndex) -> tuple:
    ...
