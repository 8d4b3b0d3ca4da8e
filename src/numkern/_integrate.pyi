"""
numkern integrate kernels: fused quadrature passes and state-space Bayesian quadrature
"""
from __future__ import annotations
import numpy
import numpy.typing
import typing
__all__: list[str] = ['Prior', 'Rule', 'bq_solve', 'cumulative', 'rule_weights', 'state_space', 'weighted_reduce']
class Prior:
    """
    Bayesian-quadrature prior: half-integer Matern or Wiener.
    
    Members:
    
      matern
    
      wiener
    """
    __members__: typing.ClassVar[dict[str, Prior]]
    matern: typing.ClassVar[Prior]
    wiener: typing.ClassVar[Prior]
    @typing.overload
    def __eq__(self, other: Prior) -> bool:
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
    def __ne__(self, other: Prior) -> bool:
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
class Rule:
    """
    Newton-Cotes rule of rule_weights.
    
    Members:
    
      trapezoid
    
      simpson
    """
    __members__: typing.ClassVar[dict[str, Rule]]
    simpson: typing.ClassVar[Rule]
    trapezoid: typing.ClassVar[Rule]
    @typing.overload
    def __eq__(self, other: Rule) -> bool:
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
    def __ne__(self, other: Rule) -> bool:
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
def bq_solve(x: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], kind: Prior, p: typing.SupportsInt | typing.SupportsIndex, lengthscale: typing.SupportsFloat | typing.SupportsIndex, a: typing.SupportsFloat | typing.SupportsIndex, b: typing.SupportsFloat | typing.SupportsIndex, Y: typing.Any = None) -> tuple:
    """
    State-space Bayesian quadrature: (weights, variance, sum log S, innovation quadratic forms).
    """
def cumulative(y: numpy.ndarray[typing.Any, numpy.dtype[typing.Any]], coef: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], start: typing.Annotated[numpy.typing.ArrayLike, numpy.int64], taps: typing.SupportsInt | typing.SupportsIndex, axis: typing.SupportsInt | typing.SupportsIndex, shift: typing.SupportsInt | typing.SupportsIndex, initial: typing.SupportsFloat | typing.SupportsIndex, out_dtype: numpy.dtype[typing.Any], n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> numpy.ndarray[typing.Any, numpy.dtype[typing.Any]]:
    """
    Cumulative sums of per-interval 3-point stencils along axis.
    """
def rule_weights(d: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], kind: Rule) -> numpy.typing.NDArray[numpy.float64]:
    """
    Trapezoid or scipy-Simpson weights (Rule) from the 1-D spacings d.
    """
def state_space(kind: Prior, p: typing.SupportsInt | typing.SupportsIndex, lengthscale: typing.SupportsFloat | typing.SupportsIndex, h: typing.SupportsFloat | typing.SupportsIndex) -> tuple:
    """
    Exact discretisation (Phi(h), Q(h), prior covariance) of the integral-augmented state-space model.
    """
def weighted_reduce(y: numpy.ndarray[typing.Any, numpy.dtype[typing.Any]], w: typing.Annotated[numpy.typing.ArrayLike, numpy.float64], axis: typing.SupportsInt | typing.SupportsIndex, out_dtype: numpy.dtype[typing.Any], n_threads: typing.SupportsInt | typing.SupportsIndex = 0) -> numpy.ndarray[typing.Any, numpy.dtype[typing.Any]]:
    """
    out = sum_n w[n] * y[..., n, ...] along axis (one pass, any strides).
    """
